//! The fleet view of 10 regions with the `synth` binary against a scripted
//! CloudFormation server on loopback: one git repository with a
//! `region/<region>` branch per region, the bootstrap deployed in each
//! (recorded commit one behind its branch), its assembly per region for the
//! pending-changes diff, and drift detection on every stack. The server
//! answers per region (from the request signature), at once or after a
//! fixed delay per answer that stands in for a remote endpoint's latency.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use synth_tests::scripted::{self, ResourceDrift, Response, Scripted, Stack};

use crate::measure::{self, ProcStats};

/// The regions read.
pub const REGIONS: [&str; 10] = [
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "eu-west-1",
    "eu-west-2",
    "eu-central-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
];

/// One measured configuration.
pub struct Case {
    pub label: String,
    pub stats: ProcStats,
    /// Requests the server answered in one run.
    pub requests: usize,
}

fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.com")
        .env("GIT_COMMITTER_NAME", "bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.com")
        .output()
        .map_err(|e| format!("git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// A server for every region: the bootstrap deployed at `deployed`, its
/// template, and drift detection finding one modified resource.
fn server(template: String, deployed: String, delay: Duration) -> Scripted {
    let d = move |r: Response| r.delayed(delay);
    let stack = stacks::STACK;
    Scripted::builder()
        .on_fn("DescribeStacks", move |_| {
            d(scripted::describe_stacks(&[Stack::new(
                stack,
                "UPDATE_COMPLETE",
            )
            .with_last_updated(60)
            .with_tag("synth:commit", &deployed)]))
        })
        .on_fn("GetTemplate", move |_| d(scripted::get_template(&template)))
        .on_fn("DetectStackDrift", move |req| {
            d(scripted::detect_stack_drift(req.region().unwrap_or("x")))
        })
        .on_fn("DescribeStackDriftDetectionStatus", move |req| {
            let id = req.param("StackDriftDetectionId").unwrap_or("x");
            d(scripted::drift_detection_complete(stack, id, "DRIFTED", 1))
        })
        .on_fn("DescribeStackResourceDrifts", move |_| {
            d(scripted::describe_stack_resource_drifts(
                &[
                    ResourceDrift::new(stack, "GitlabVpc", "AWS::EC2::VPC", "MODIFIED")
                        .with_difference("/EnableDnsHostnames", "true", "false", "NOT_EQUAL"),
                ],
                None,
            ))
        })
        .on_fn("ListStackResources", move |_| {
            d(scripted::list_stack_resources(stack, &[], None))
        })
        .start()
}

/// Runs the fleet view `runs` times (after `warmup`) for each
/// configuration; `None` when git is missing.
pub fn run(synth: &Path, runs: usize, warmup: usize, scratch: &Path) -> Result<Vec<Case>, String> {
    let dir = scratch.join("fleet-repo");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    git(&dir, &["init", "-q"])?;
    git(&dir, &["commit", "-q", "--allow-empty", "-m", "deployed"])?;
    let deployed = git(&dir, &["rev-parse", "HEAD"])?;
    git(&dir, &["commit", "-q", "--allow-empty", "-m", "head"])?;
    for r in REGIONS {
        git(&dir, &["branch", "-f", &format!("region/{r}"), "HEAD"])?;
    }
    let mut app = synth::App::new();
    stacks::define(&mut app);
    let assembly = app.synth().map_err(|e| e.to_string())?;
    let assemblies = scratch.join("fleet-assemblies");
    for r in REGIONS {
        assembly
            .write(&assemblies.join(r))
            .map_err(|e| e.to_string())?;
    }
    let template = std::fs::read_to_string(
        assemblies
            .join(REGIONS[0])
            .join(format!("{}.template.json", stacks::STACK)),
    )
    .map_err(|e| e.to_string())?;

    let mut out = Vec::new();
    for (delay_ms, concurrency) in [(0u64, 4u16), (50, 1), (50, 4), (50, 10)] {
        let server = server(
            template.clone(),
            deployed.clone(),
            Duration::from_millis(delay_ms),
        );
        let endpoint = server.endpoint();
        let make = || {
            let mut cmd = Command::new(synth);
            crate::clean(&mut cmd, &dir);
            cmd.args([
                "fleet",
                "--assemblies",
                assemblies.to_str().unwrap_or_default(),
                "--concurrency",
                &concurrency.to_string(),
                "--format",
                "json",
            ])
            .env("AWS_ENDPOINT_URL", &endpoint)
            .env("AWS_ACCESS_KEY_ID", "bench")
            .env("AWS_SECRET_ACCESS_KEY", "bench")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("SYNTH_POLL_MAX_MS", "200");
            cmd
        };
        let stats = measure::processes(warmup, runs, scratch, make);
        let requests = server.requests().len() / (warmup + runs).max(1);
        server.assert_no_script_panics();
        out.push(Case {
            label: format!("{} ms per answer, `--concurrency {concurrency}`", delay_ms),
            stats,
            requests,
        });
    }
    Ok(out)
}
