//! `synth fleet` end to end, and what deploys record for it.
//!
//! Which server plays what:
//! - The whole fleet view, drift included, runs against one scripted
//!   server speaking the Query protocol that answers per region (from the
//!   request signature), since neither emulator detects drift (moto
//!   answers `DetectStackDrift` with HTTP 500, LocalStack 4.4 with "not
//!   emulated"). A fourth region is mapped with `--endpoint` to a loopback
//!   port nothing listens on: it cannot be reached.
//! - moto (one server, several regions) plays the deploys: the commit and
//!   pipeline arrive as stack tags, a deploy without template changes keeps
//!   the recorded commit, and `fleet --no-drift` reads them back.

mod support;

use std::path::Path;

use git2::{Oid, Repository, Signature};
use serde_json::Value as Json;
use support::{assembly, run, run_on, small_app, synth};
use synth_tests::scripted::{self, ResourceDrift, Scripted, Stack};
use synth_tests::servers::{free_port, Moto};

const STACK: &str = "Small";

/// A repository in `dir` with commits `c1 <- c2 <- c3` on main; returns them.
fn repository(dir: &Path) -> (Repository, [Oid; 3]) {
    let repo = Repository::init(dir).unwrap();
    let sig = Signature::now("T", "t@example.com").unwrap();
    let mut parent: Option<Oid> = None;
    let mut ids = Vec::new();
    for n in 1..=3 {
        std::fs::write(dir.join("version"), format!("{n}\n")).unwrap();
        let mut index = repo.index().unwrap();
        index.add_path(Path::new("version")).unwrap();
        index.write().unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let parents: Vec<git2::Commit> = parent
            .map(|p| repo.find_commit(p).unwrap())
            .into_iter()
            .collect();
        let refs: Vec<&git2::Commit> = parents.iter().collect();
        let id = repo
            .commit(Some("HEAD"), &sig, &sig, &format!("c{n}"), &tree, &refs)
            .unwrap();
        ids.push(id);
        parent = Some(id);
    }
    (repo, [ids[0], ids[1], ids[2]])
}

fn fleet(endpoint: &str, dir: &Path, args: &[&str]) -> support::Run {
    let mut cmd = synth(endpoint, dir);
    cmd.arg("fleet").args(args);
    run(&mut cmd)
}

/// The region a scripted request was signed for.
fn region(req: &scripted::Request) -> String {
    req.region().unwrap_or("?").to_owned()
}

#[test]
fn one_row_per_region_branch_with_commits_pending_changes_drift_and_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("repo");
    std::fs::create_dir(&dir).unwrap();
    let (repo, [c1, c2, c3]) = repository(&dir);
    // us-east-1 is at c2 and runs c1; eu-west-1 (only a remote-tracking
    // branch) is at c2 and runs c2 with a resource changed by hand;
    // us-west-2 (c3) was never deployed; ap-southeast-2 cannot be reached.
    repo.reference("refs/heads/region/us-east-1", c2, true, "")
        .unwrap();
    repo.reference("refs/remotes/origin/region/eu-west-1", c2, true, "")
        .unwrap();
    repo.reference("refs/heads/region/us-west-2", c3, true, "")
        .unwrap();
    repo.reference("refs/heads/region/ap-southeast-2", c1, true, "")
        .unwrap();

    // The heads' assemblies: us-east-1's adds a parameter to what runs.
    let assemblies = tmp.path().join("assemblies");
    assembly(&small_app(STACK, Some("v")), &assemblies.join("us-east-1"));
    let deployed = assembly(&small_app(STACK, None), &assemblies.join("eu-west-1"));
    assembly(&small_app(STACK, None), &assemblies.join("us-west-2"));
    let template = std::fs::read_to_string(deployed.join("Small.template.json")).unwrap();

    let (c1s, c2s) = (c1.to_string(), c2.to_string());
    let server = Scripted::builder()
        .on_fn("DescribeStacks", move |req| match region(req).as_str() {
            "us-east-1" => scripted::describe_stacks(&[Stack::new(STACK, "UPDATE_COMPLETE")
                .with_last_updated(60)
                .with_tag("synth:commit", &c1s)
                .with_tag("synth:pipeline", "https://gitlab.example/p/-/pipelines/7")]),
            "eu-west-1" => scripted::describe_stacks(&[
                Stack::new(STACK, "CREATE_COMPLETE").with_tag("synth:commit", &c2s),
                // Not synth's and not in the assembly: not shown.
                Stack::new("Other", "CREATE_COMPLETE"),
            ]),
            _ => scripted::describe_stacks(&[]),
        })
        .on("GetTemplate", [scripted::get_template(&template)])
        .on_fn("DetectStackDrift", |req| {
            scripted::detect_stack_drift(&format!("detection-{}", region(req)))
        })
        .on_fn("DescribeStackDriftDetectionStatus", |req| {
            let id = req.param("StackDriftDetectionId").unwrap_or("?").to_owned();
            match region(req).as_str() {
                "eu-west-1" => scripted::drift_detection_complete(STACK, &id, "DRIFTED", 1),
                _ => scripted::drift_detection_complete(STACK, &id, "IN_SYNC", 0),
            }
        })
        .on_fn("DescribeStackResourceDrifts", |req| {
            let status = if region(req) == "eu-west-1" {
                "MODIFIED"
            } else {
                "IN_SYNC"
            };
            let mut queue = ResourceDrift::new(STACK, "Queue", "AWS::SQS::Queue", status);
            if status == "MODIFIED" {
                queue = queue.with_difference("/VisibilityTimeout", "30", "120", "NOT_EQUAL");
            }
            scripted::describe_stack_resource_drifts(
                &[
                    queue,
                    ResourceDrift::new(STACK, "QueueName", "AWS::SSM::Parameter", "IN_SYNC"),
                ],
                None,
            )
        })
        .on(
            "ListStackResources",
            [scripted::list_stack_resources(STACK, &[], None)],
        )
        .start();
    let dead = format!("http://127.0.0.1:{}", free_port());

    let json_file = tmp.path().join("fleet.json");
    let md_file = tmp.path().join("fleet.md");
    let args = [
        "--assemblies",
        assemblies.to_str().unwrap(),
        "--endpoint",
        &format!("ap-southeast-2={dead}"),
        "--json-file",
        json_file.to_str().unwrap(),
        "--markdown-file",
        md_file.to_str().unwrap(),
    ];
    let r = fleet(&server.endpoint(), &dir, &args).expect(0);
    let (h1, h2, h3) = (
        &c1.to_string()[..8],
        &c2.to_string()[..8],
        &c3.to_string()[..8],
    );
    let lines: Vec<&str> = r.stdout.lines().collect();
    let words = |l: &str| l.split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(
        words(lines[0]),
        "region branch head deployed head is pending drift",
        "{}",
        r.stdout
    );
    assert_eq!(
        words(lines[1]),
        format!("ap-southeast-2 region/ap-southeast-2 {h1} error"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(&format!(
            "\nap-southeast-2:\n  error: listing the stacks in ap-southeast-2 failed: cannot reach {dead} (connection refused); check the network and --endpoint ap-southeast-2=...\n"
        )),
        "{}",
        r.stdout
    );
    assert_eq!(
        words(lines[2]),
        format!("eu-west-1 origin/region/eu-west-1 {h2} {h2} up to date none drifted (1 resource)"),
        "{}",
        r.stdout
    );
    assert_eq!(
        words(lines[3]),
        format!("us-east-1 region/us-east-1 {h2} {h1} ahead by 1 +1 ~0 -0 in sync"),
        "{}",
        r.stdout
    );
    assert_eq!(
        words(lines[4]),
        format!("us-west-2 region/us-west-2 {h3} - never deployed +2 ~0 -0 not checked"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(&format!(
            "Small  UPDATE_COMPLETE  updated 2024-01-01T00:01:00Z  commit {h1} (https://gitlab.example/p/-/pipelines/7)  pending +1 ~0 -0  drift IN_SYNC"
        )),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("Other"), "{}", r.stdout);

    let j: Json = serde_json::from_str(&std::fs::read_to_string(&json_file).unwrap()).unwrap();
    assert_eq!(j["schemaVersion"], 1);
    assert_eq!(j["drifted"], true);
    assert_eq!(j["errors"], 1);
    let regions: Vec<&str> = j["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["region"].as_str().unwrap())
        .collect();
    assert_eq!(
        regions,
        ["ap-southeast-2", "eu-west-1", "us-east-1", "us-west-2"]
    );
    let row = |r: &str| {
        j["regions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["region"] == r)
            .unwrap()
            .clone()
    };
    let us = row("us-east-1");
    assert_eq!(us["head"], c2.to_string());
    assert_eq!(us["deployedCommit"], c1.to_string());
    assert_eq!(us["position"], "ahead");
    assert_eq!(us["aheadBy"], 1);
    assert_eq!(
        us["pending"],
        serde_json::json!({"create": 1, "update": 0, "delete": 0, "replace": 0})
    );
    assert_eq!(us["drift"], "in-sync");
    assert_eq!(
        us["stacks"][0]["pipeline"],
        "https://gitlab.example/p/-/pipelines/7"
    );
    assert_eq!(us["stacks"][0]["lastUpdated"], "2024-01-01T00:01:00Z");
    let eu = row("eu-west-1");
    assert_eq!(eu["branch"], "origin/region/eu-west-1");
    assert_eq!(eu["position"], "up-to-date");
    assert_eq!(eu["drift"], "drifted");
    assert_eq!(eu["drifted"], 1);
    assert_eq!(eu["stacks"].as_array().unwrap().len(), 1);
    let west = row("us-west-2");
    assert_eq!(west["position"], "not-deployed");
    assert_eq!(west["notDeployed"], serde_json::json!(["Small"]));
    assert_eq!(west["stacks"], serde_json::json!([]));
    let dead_row = row("ap-southeast-2");
    assert!(
        dead_row["error"].as_str().unwrap().contains(&dead),
        "{dead_row}"
    );
    assert_eq!(dead_row["pending"], Json::Null);

    let md = std::fs::read_to_string(&md_file).unwrap();
    assert!(
        md.contains(&format!(
            "| ap-southeast-2 | `region/ap-southeast-2` | `{h1}` | error: listing the stacks in ap-southeast-2 failed: cannot reach {dead}"
        )),
        "{md}"
    );
    assert!(
        md.contains(&format!(
            "| eu-west-1 | `origin/region/eu-west-1` | `{h2}` | {h2} | up to date | none | drifted (1 resource) |"
        )),
        "{md}"
    );
    assert!(
        md.contains(&format!(
            "| us-east-1 | Small | UPDATE_COMPLETE | 2024-01-01T00:01:00Z | [`{h1}`](https://gitlab.example/p/-/pipelines/7) | +1 ~0 -0 | IN_SYNC |"
        )),
        "{md}"
    );
    // Drift was detected where stacks run, and nowhere else.
    let detected: Vec<String> = server
        .requests_for("DetectStackDrift")
        .iter()
        .map(region)
        .collect();
    assert_eq!(detected.len(), 2, "{detected:?}");

    // --fail: drift in eu-west-1 and the unreachable region fail the run.
    let mut failing = args.to_vec();
    failing.extend(["--fail", "--format", "json"]);
    let r = fleet(&server.endpoint(), &dir, &failing).expect(1);
    assert!(
        r.stderr
            .contains("drift in eu-west-1; could not read ap-southeast-2 (--fail)"),
        "{}",
        r.stderr
    );
    let j2: Json = serde_json::from_str(&r.stdout).expect("JSON on stdout");
    assert_eq!(j2["regions"], j["regions"], "the same view either way");
}

#[test]
fn no_region_branch_is_an_invocation_error() {
    let tmp = tempfile::tempdir().unwrap();
    repository(tmp.path());
    let r = fleet("http://127.0.0.1:9", tmp.path(), &[]).expect(2);
    assert!(
        r.stderr.contains("no region/<region> branch"),
        "{}",
        r.stderr
    );
    let outside = tempfile::tempdir().unwrap();
    let r = fleet("http://127.0.0.1:9", outside.path(), &[]).expect(2);
    assert!(r.stderr.contains("and there is none here"), "{}", r.stderr);
}

/// `deploy --region R` with GitLab CI's variables for `commit`.
fn deploy(
    moto: &Moto,
    dir: &Path,
    app: &Path,
    region: &str,
    commit: &Oid,
    pipeline: &str,
) -> support::Run {
    let mut cmd = synth(&moto.endpoint(), dir);
    cmd.args([
        "--app",
        app.to_str().unwrap(),
        "--region",
        region,
        "deploy",
        "--require-approval",
        "never",
    ])
    .env("CI_COMMIT_SHA", commit.to_string())
    .env("CI_PIPELINE_URL", pipeline);
    run_on(moto, &mut cmd)
}

#[test]
fn deploys_record_their_commit_and_pipeline_and_fleet_reads_them_from_moto() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("repo");
    std::fs::create_dir(&dir).unwrap();
    let (repo, [c1, c2, c3]) = repository(&dir);
    repo.reference("refs/heads/region/us-east-1", c3, true, "")
        .unwrap();
    repo.reference("refs/heads/region/eu-west-1", c2, true, "")
        .unwrap();
    let v1 = assembly(&small_app(STACK, None), &tmp.path().join("v1"));
    let v2 = assembly(&small_app(STACK, Some("v")), &tmp.path().join("v2"));
    let moto = Moto::start();

    deploy(&moto, &dir, &v1, "us-east-1", &c1, "https://ci/p/1").expect(0);
    // The same templates from a later commit: nothing to change, and the
    // stack keeps the commit that deployed what runs (stack tags reach every
    // resource, so a new tag alone would update them all).
    let r = deploy(&moto, &dir, &v1, "us-east-1", &c2, "https://ci/p/2").expect(0);
    assert!(r.stderr.contains("Small: no changes"), "{}", r.stderr);
    deploy(&moto, &dir, &v2, "eu-west-1", &c2, "https://ci/p/3").expect(0);

    let r = fleet(&moto.endpoint(), &dir, &["--no-drift", "--format", "json"]).expect(0);
    let j: Json = serde_json::from_str(&r.stdout).expect("JSON");
    let rows = j["regions"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    let (eu, us) = (&rows[0], &rows[1]);
    assert_eq!(us["region"], "us-east-1");
    assert_eq!(us["stacks"][0]["commit"], c1.to_string());
    assert_eq!(us["stacks"][0]["pipeline"], "https://ci/p/1");
    assert_eq!(us["stacks"][0]["status"], "CREATE_COMPLETE");
    assert_eq!(us["position"], "ahead");
    assert_eq!(us["aheadBy"], 2);
    assert_eq!(us["pending"], Json::Null, "no assemblies given");
    assert_eq!(us["drift"], "not-checked");
    assert_eq!(eu["region"], "eu-west-1");
    assert_eq!(eu["stacks"][0]["commit"], c2.to_string());
    assert_eq!(eu["stacks"][0]["pipeline"], "https://ci/p/3");
    assert_eq!(eu["position"], "up-to-date");
}

/// moto keeps a stack's tags on an update change set (AWS applies the
/// change set's), so what an update sends is checked on a scripted server.
#[test]
fn an_update_sends_the_new_commit_and_a_deploy_without_changes_keeps_the_old() {
    let tmp = tempfile::tempdir().unwrap();
    let deployed = assembly(&small_app(STACK, None), &tmp.path().join("v1"));
    let changed = assembly(&small_app(STACK, Some("v")), &tmp.path().join("v2"));
    let template = std::fs::read_to_string(deployed.join("Small.template.json")).unwrap();
    let server = Scripted::builder()
        .on(
            "DescribeStacks",
            [scripted::describe_stacks(&[Stack::new(
                STACK,
                "UPDATE_COMPLETE",
            )
            .with_tag("project", "x")
            .with_tag("synth:commit", "1111111")
            .with_tag("synth:pipeline", "https://ci/p/1")])],
        )
        .on("GetTemplate", [scripted::get_template(&template)])
        .on_fn("CreateChangeSet", |req| {
            scripted::create_change_set(STACK, req.param("ChangeSetName").unwrap_or("cs"))
        })
        .on_fn("DescribeChangeSet", |req| {
            scripted::change_set_no_changes(STACK, req.param("ChangeSetName").unwrap_or("cs"))
        })
        .on("DeleteChangeSet", [scripted::delete_change_set()])
        .start();
    let tags = |n: usize| -> Vec<(String, String)> {
        server.requests_for("CreateChangeSet")[n]
            .structs("Tags")
            .into_iter()
            .map(|t| (t["Key"].clone(), t["Value"].clone()))
            .collect()
    };
    for app in [&changed, &deployed] {
        let mut cmd = synth(&server.endpoint(), tmp.path());
        cmd.args([
            "--app",
            app.to_str().unwrap(),
            "--region",
            "us-east-1",
            "deploy",
            "--require-approval",
            "never",
        ])
        .env("CI_COMMIT_SHA", "3333333")
        .env("CI_PIPELINE_URL", "https://ci/p/3");
        run(&mut cmd).expect(0);
    }
    let pair = |k: &str, v: &str| (k.to_owned(), v.to_owned());
    assert_eq!(
        tags(0),
        [
            pair("synth:commit", "3333333"),
            pair("synth:pipeline", "https://ci/p/3")
        ],
        "a change records the commit and pipeline deploying it"
    );
    assert_eq!(
        tags(1),
        [
            pair("synth:commit", "1111111"),
            pair("synth:pipeline", "https://ci/p/1")
        ],
        "no template change: the stack keeps what deployed it"
    );
}

#[test]
fn a_region_that_never_answers_and_a_branch_naming_no_region_are_rows_with_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let (repo, [c1, _, _]) = repository(tmp.path());
    repo.reference("refs/heads/region/us-east-1", c1, true, "")
        .unwrap();
    repo.reference("refs/heads/region/eu-west-99", c1, true, "")
        .unwrap();
    let server = Scripted::builder()
        .on(
            "DescribeStacks",
            [scripted::describe_stacks(&[]).delayed(std::time::Duration::from_secs(60))],
        )
        .start();
    let started = std::time::Instant::now();
    let r = fleet(
        &server.endpoint(),
        tmp.path(),
        &["--timeout", "2", "--format", "json"],
    )
    .expect(0);
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    let j: Json = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!(j["errors"], 2);
    assert_eq!(j["regions"][0]["region"], "eu-west-99");
    assert!(
        j["regions"][0]["error"]
            .as_str()
            .unwrap()
            .contains("branch region/eu-west-99 does not name an AWS region"),
        "{j}"
    );
    assert_eq!(
        j["regions"][1]["error"],
        "reading us-east-1 did not finish before the deadline: the endpoint stopped answering; raise --timeout"
    );
}

/// Commits the files under `dir` (every one) on top of `parent`.
fn commit_all(repo: &Repository, parent: Oid, message: &str) -> Oid {
    let mut index = repo.index().unwrap();
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = Signature::now("T", "t@example.com").unwrap();
    let parent = repo.find_commit(parent).unwrap();
    repo.commit(None, &sig, &sig, message, &tree, &[&parent])
        .unwrap()
}

#[test]
fn synthesize_runs_each_heads_own_app_with_its_region() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("repo");
    std::fs::create_dir(&dir).unwrap();
    let (repo, [c1, _, _]) = repository(&dir);
    // The head's app copies an assembly kept in the commit, and refuses
    // any region but the branch's.
    assembly(&small_app(STACK, None), &dir.join("prebuilt"));
    std::fs::write(
        dir.join("synth.toml"),
        "app = \"test \\\"$SYNTH_REGION\\\" = us-west-2 && mkdir -p \\\"$SYNTH_OUTDIR\\\" && cp -R prebuilt/. \\\"$SYNTH_OUTDIR\\\"\"\n",
    )
    .unwrap();
    let good = commit_all(&repo, c1, "app");
    std::fs::write(dir.join("synth.toml"), "app = \"exit 3\"\n").unwrap();
    let broken = commit_all(&repo, good, "broken app");
    repo.reference("refs/heads/region/us-west-2", good, true, "")
        .unwrap();
    repo.reference("refs/heads/region/eu-west-1", broken, true, "")
        .unwrap();
    // The checkout is left as it was: synthesis reads commits only.
    std::fs::remove_file(dir.join("synth.toml")).unwrap();

    let server = Scripted::builder()
        .on("DescribeStacks", [scripted::describe_stacks(&[])])
        .start();
    let r = fleet(
        &server.endpoint(),
        &dir,
        &["--synthesize", "--no-drift", "--format", "json"],
    )
    .expect(0);
    let j: Json = serde_json::from_str(&r.stdout).expect("JSON");
    let (eu, west) = (&j["regions"][0], &j["regions"][1]);
    assert_eq!(west["region"], "us-west-2");
    assert_eq!(
        west["pending"],
        serde_json::json!({"create": 2, "update": 0, "delete": 0, "replace": 0}),
        "{j}"
    );
    assert_eq!(west["notDeployed"], serde_json::json!(["Small"]));
    assert_eq!(eu["pending"], Json::Null);
    assert!(
        eu["pendingError"]
            .as_str()
            .unwrap()
            .contains("the app failed (exit 3)"),
        "{j}"
    );
    assert!(
        r.stderr.contains("synthesizing region/us-west-2"),
        "{}",
        r.stderr
    );
    assert!(!dir.join("synth.toml").exists() && !dir.join("out").exists());
}
