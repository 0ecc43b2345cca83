//! Checking the bootstrap against the whole built-in rule pack: in process
//! (`synth-policy`, what `synth` and `synth check` run), beside the
//! `cfn-guard` command on the same rule files and the AWS CDK's Guard
//! validation plugin (`@cdklabs/cdk-validator-cfnguard`, what `cdk synth`
//! runs per stack when the app lists it), both from `node_modules` when
//! `scripts/setup-node` installed them.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use synth_policy::RuleSet;

use crate::measure::{self, Stats};

/// One measured way of checking the template.
pub struct Case {
    pub label: &'static str,
    pub median: Duration,
    pub min: Duration,
}

impl Case {
    fn of(label: &'static str, stats: &Stats) -> Case {
        Case {
            label,
            median: stats.median(),
            min: stats.min(),
        }
    }
}

/// What was measured, and what could not be.
pub struct Outcome {
    pub resources: usize,
    pub findings: usize,
    /// The in-process check first.
    pub cases: Vec<Case>,
    pub skipped: Vec<String>,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn node_tools() -> PathBuf {
    std::env::var_os("SYNTH_NODE_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(root)
}

/// The cfn-guard command the CDK's plugin ships for this machine.
fn bundled_guard() -> Option<PathBuf> {
    let platform = match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => "ubuntu/x86_64",
        ("linux", "aarch64") => "ubuntu/aarch64",
        ("macos", "aarch64") => "macos/aarch64",
        ("macos", "x86_64") => "macos/x86_64",
        _ => return None,
    };
    let bin = node_tools()
        .join("node_modules/@cdklabs/cdk-validator-cfnguard/bin")
        .join(platform)
        .join("cfn-guard");
    bin.is_file().then_some(bin)
}

/// `template` (the bootstrap, written to `scratch`) checked `runs` times
/// in each way, after `warmup` untimed runs.
pub fn run(template: &Path, runs: usize, warmup: usize, scratch: &Path) -> Result<Outcome, String> {
    let text = std::fs::read_to_string(template).map_err(|e| e.to_string())?;
    let doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let resources = doc["Resources"].as_object().map_or(0, |r| r.len());
    let rules = RuleSet::with_packs(None).map_err(|e| e.to_string())?;
    let mut findings = 0;
    let mut samples = Vec::with_capacity(runs);
    for i in 0..warmup + runs {
        let start = Instant::now();
        findings = rules
            .check(&text, "bootstrap")
            .map_err(|e| e.to_string())?
            .len();
        if i >= warmup {
            samples.push(start.elapsed());
        }
    }
    let mut out = Outcome {
        resources,
        findings,
        cases: vec![Case::of(
            "in process (`synth check`, `synth` with `[check]`)",
            &Stats::new(samples),
        )],
        skipped: Vec::new(),
    };

    let pack = root().join("policy/rules");
    match bundled_guard() {
        Some(bin) => {
            let stats = measure::processes(warmup.min(2), runs.min(20), scratch, || {
                let mut c = Command::new(&bin);
                c.arg("validate")
                    .arg("--rules")
                    .arg(&pack)
                    .arg("--data")
                    .arg(template)
                    .args(["--output-format", "json", "--show-summary", "none"]);
                c
            });
            out.cases.push(Case::of(
                "the `cfn-guard` command (3.1.1, one process)",
                &stats.wall,
            ));
        }
        None => out
            .skipped
            .push("the cfn-guard command (run scripts/setup-node)".into()),
    }

    let script = root().join("scripts/cdk-guard-bench.js");
    let plugin = Command::new("node")
        .arg(&script)
        .args(["--runs", &runs.min(20).to_string()])
        .arg(&pack)
        .arg(template)
        .output();
    match plugin {
        Ok(o) if o.status.success() => {
            let line: serde_json::Value =
                serde_json::from_slice(&o.stdout).map_err(|e| e.to_string())?;
            let ms = |key: &str| Duration::from_secs_f64(line[key].as_f64().unwrap_or(0.0) / 1e3);
            out.cases.push(Case {
                label: "the AWS CDK's Guard plugin (`CfnGuardValidator.validate`, node)",
                median: ms("median_ms"),
                min: ms("min_ms"),
            });
        }
        Ok(o) => out.skipped.push(format!(
            "the AWS CDK's Guard plugin ({})",
            String::from_utf8_lossy(&o.stderr).trim()
        )),
        Err(e) => out
            .skipped
            .push(format!("the AWS CDK's Guard plugin (node: {e})")),
    }
    Ok(out)
}
