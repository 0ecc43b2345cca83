//! `synth drift` through the real `aws-sdk-cloudformation` client.
//!
//! Which server plays what: neither emulator detects drift (measured with
//! moto 5.2.5, whose `DetectStackDrift` and `DescribeStackResourceDrifts`
//! answer HTTP 500, and LocalStack 4.4, which answers `InternalFailure`
//! "not yet emulated"), so a scripted server speaking the Query protocol
//! plays CloudFormation's drift answers: every resource status (IN_SYNC,
//! MODIFIED, DELETED, and NOT_CHECKED for types without drift detection,
//! which only `ListStackResources` names), paging, a detection that fails,
//! one that never finishes, and 5xx answers while waiting. moto plays an
//! endpoint without drift detection at all.

mod support;

use std::path::Path;

use serde_json::Value as Json;
use support::{assembly, run, run_on, small_app, synth};
use synth_tests::scripted::{self, ResourceDrift, Response, Scripted, Stack};
use synth_tests::servers::Moto;

const STACK: &str = "Small";
const DETECTION: &str = "d0c7e1d0-0000-4000-8000-000000000001";

/// A scripted stack `Small`, deployed, whose detection runs for one poll
/// and finishes with `drifts` (over two pages) and `listed` from
/// `ListStackResources`.
fn server(
    status: &[Response],
    drifts: Vec<ResourceDrift>,
    listed: Vec<(&str, &str, &str)>,
) -> Scripted {
    let (first, second) = drifts.split_at(drifts.len() / 2);
    let (first, second) = (first.to_vec(), second.to_vec());
    Scripted::builder()
        .on(
            "DescribeStacks",
            [scripted::describe_stacks(&[Stack::new(
                STACK,
                "UPDATE_COMPLETE",
            )])],
        )
        .on(
            "DetectStackDrift",
            [scripted::detect_stack_drift(DETECTION)],
        )
        .on("DescribeStackDriftDetectionStatus", status.to_vec())
        .on_fn("DescribeStackResourceDrifts", move |req| {
            match req.param("NextToken") {
                None => scripted::describe_stack_resource_drifts(&first, Some("page-2")),
                Some(_) => scripted::describe_stack_resource_drifts(&second, None),
            }
        })
        .on(
            "ListStackResources",
            [scripted::list_stack_resources(STACK, &listed, None)],
        )
        .start()
}

fn every_status() -> Scripted {
    server(
        &[
            scripted::drift_detection_in_progress(STACK, DETECTION),
            scripted::drift_detection_complete(STACK, DETECTION, "DRIFTED", 2),
        ],
        vec![
            ResourceDrift::new(STACK, "Queue", "AWS::SQS::Queue", "MODIFIED")
                .with_difference("/VisibilityTimeout", "30", "60", "NOT_EQUAL")
                .with_difference(
                    "/Tags/0",
                    "null",
                    "{\"Key\":\"owner\",\"Value\":\"console\"}",
                    "ADD",
                ),
            ResourceDrift::new(STACK, "QueueName", "AWS::SSM::Parameter", "DELETED"),
            ResourceDrift::new(STACK, "Extra", "AWS::SSM::Parameter", "IN_SYNC"),
        ],
        vec![
            ("Queue", "AWS::SQS::Queue", "MODIFIED"),
            ("QueueName", "AWS::SSM::Parameter", "DELETED"),
            ("Extra", "AWS::SSM::Parameter", "IN_SYNC"),
            ("Hook", "Custom::Hook", "NOT_CHECKED"),
        ],
    )
}

fn drift(server: &Scripted, dir: &Path, app: &Path, args: &[&str]) -> support::Run {
    let mut cmd = synth(&server.endpoint(), dir);
    cmd.args([
        "--app",
        app.to_str().unwrap(),
        "--region",
        "us-east-1",
        "drift",
    ])
    .args(args);
    run(&mut cmd)
}

#[test]
fn every_drift_status_with_its_property_differences_in_three_formats() {
    let tmp = tempfile::tempdir().unwrap();
    let app = assembly(&small_app(STACK, Some("v")), &tmp.path().join("out"));
    let server = every_status();

    let r = drift(&server, tmp.path(), &app, &[]).expect(0);
    assert!(
        r.stdout
            .starts_with("Small: DRIFTED (2 of 4 resources drifted, 1 not checked)"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("[~] Queue (AWS::SQS::Queue) modified outside CloudFormation"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("/VisibilityTimeout: expected 30, actual 60"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("/Tags/0: added {\"Key\":\"owner\",\"Value\":\"console\"}"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("[-] QueueName (AWS::SSM::Parameter) deleted outside CloudFormation"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(
            "[?] Hook (Custom::Hook) not checked: CloudFormation does not detect drift for this type"
        ),
        "{}",
        r.stdout
    );
    assert!(
        !r.stdout.contains("Extra"),
        "in-sync resources are only counted: {}",
        r.stdout
    );
    // Detection was polled until complete, and both pages were read.
    assert_eq!(server.count("DescribeStackDriftDetectionStatus"), 2);
    let pages = server.requests_for("DescribeStackResourceDrifts");
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[1].param("NextToken"), Some("page-2"));
    let polled = server.requests_for("DescribeStackDriftDetectionStatus");
    assert_eq!(polled[0].param("StackDriftDetectionId"), Some(DETECTION));

    let r = drift(&server, tmp.path(), &app, &["--format", "json"]).expect(0);
    let j: Json = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!(j["schemaVersion"], 1);
    assert_eq!(j["drifted"], true);
    let resources = j["stacks"][0]["resources"].as_array().unwrap();
    let status = |id: &str| {
        resources
            .iter()
            .find(|r| r["logicalId"] == id)
            .map(|r| r["status"].as_str().unwrap().to_owned())
    };
    assert_eq!(status("Queue").as_deref(), Some("MODIFIED"));
    assert_eq!(status("QueueName").as_deref(), Some("DELETED"));
    assert_eq!(status("Extra").as_deref(), Some("IN_SYNC"));
    assert_eq!(status("Hook").as_deref(), Some("NOT_CHECKED"));
    let queue = resources
        .iter()
        .find(|r| r["logicalId"] == "Queue")
        .unwrap();
    assert_eq!(
        queue["differences"][0],
        serde_json::json!({"path": "/VisibilityTimeout", "change": "NOT_EQUAL", "expected": "30", "actual": "60"})
    );

    let r = drift(&server, tmp.path(), &app, &["--format", "markdown"]).expect(0);
    assert!(r.stdout.contains("### Small: DRIFTED"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("| [~] `Queue` | AWS::SQS::Queue | MODIFIED | `/VisibilityTimeout: expected 30, actual 60`"),
        "{}",
        r.stdout
    );

    let r = drift(&server, tmp.path(), &app, &["--fail"]).expect(1);
    assert!(
        r.stderr
            .contains("1 stack drifted from its template (--fail)"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_stack_in_sync_passes_fail() {
    let tmp = tempfile::tempdir().unwrap();
    let app = assembly(&small_app(STACK, None), &tmp.path().join("out"));
    let server = server(
        &[scripted::drift_detection_complete(
            STACK, DETECTION, "IN_SYNC", 0,
        )],
        vec![
            ResourceDrift::new(STACK, "Queue", "AWS::SQS::Queue", "IN_SYNC"),
            ResourceDrift::new(STACK, "QueueName", "AWS::SSM::Parameter", "IN_SYNC"),
        ],
        vec![],
    );
    let r = drift(&server, tmp.path(), &app, &["--fail"]).expect(0);
    assert_eq!(
        r.stdout.trim(),
        "Small: IN_SYNC (0 of 2 resources drifted)",
        "{}",
        r.stdout
    );
}

#[test]
fn a_detection_that_fails_is_an_error_with_cloudformations_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let app = assembly(&small_app(STACK, None), &tmp.path().join("out"));
    let server = server(
        &[scripted::drift_detection_failed(
            STACK,
            DETECTION,
            "Failed to detect drift on resource [Queue]: access denied",
        )],
        vec![],
        vec![],
    );
    let r = drift(&server, tmp.path(), &app, &[]).expect(1);
    assert!(
        r.stderr.contains(
            "drift detection of stack Small failed: Failed to detect drift on resource [Queue]: access denied"
        ),
        "{}",
        r.stderr
    );
    assert_eq!(server.count("DescribeStackResourceDrifts"), 0);
}

#[test]
fn a_detection_that_never_finishes_stops_at_the_deadline() {
    let tmp = tempfile::tempdir().unwrap();
    let app = assembly(&small_app(STACK, None), &tmp.path().join("out"));
    let server = server(
        &[scripted::drift_detection_in_progress(STACK, DETECTION)],
        vec![],
        vec![],
    );
    let started = std::time::Instant::now();
    let r = drift(&server, tmp.path(), &app, &["--timeout", "2"]).expect(1);
    assert!(
        r.stderr.contains(
            "drift detection of stack Small did not finish before the deadline; raise --timeout"
        ),
        "{}",
        r.stderr
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    assert!(server.count("DescribeStackDriftDetectionStatus") >= 2);
}

#[test]
fn server_errors_while_waiting_are_ridden_out() {
    let tmp = tempfile::tempdir().unwrap();
    let app = assembly(&small_app(STACK, None), &tmp.path().join("out"));
    // Seven 500s: more than the SDK's own six attempts of one call, so the
    // waiting loop itself has to retry.
    let mut status = vec![Response::internal_failure(); 7];
    status.push(scripted::drift_detection_complete(
        STACK, DETECTION, "IN_SYNC", 0,
    ));
    let server = server(
        &status,
        vec![ResourceDrift::new(
            STACK,
            "Queue",
            "AWS::SQS::Queue",
            "IN_SYNC",
        )],
        vec![],
    );
    let r = drift(&server, tmp.path(), &app, &["--fail"]).expect(0);
    assert!(r.stdout.contains("Small: IN_SYNC"), "{}", r.stdout);
    assert_eq!(server.count("DescribeStackDriftDetectionStatus"), 8);
}

#[test]
fn a_stack_not_deployed_has_no_drift_to_detect() {
    let tmp = tempfile::tempdir().unwrap();
    let app = assembly(&small_app(STACK, None), &tmp.path().join("out"));
    let server = Scripted::builder()
        .on("DescribeStacks", [scripted::stack_does_not_exist(STACK)])
        .start();
    let r = drift(&server, tmp.path(), &app, &[]).expect(1);
    assert!(
        r.stderr
            .contains("stack Small is not deployed in us-east-1"),
        "{}",
        r.stderr
    );
    assert_eq!(server.count("DetectStackDrift"), 0);
}

/// moto has no drift detection: its HTTP 500 is reported as the
/// endpoint's failure, not as drift or as a crash.
#[test]
fn an_endpoint_without_drift_detection_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let app = assembly(&small_app(STACK, None), &tmp.path().join("out"));
    let moto = Moto::start();
    let app_s = app.to_str().unwrap();
    support::run_in(
        &moto,
        tmp.path(),
        app_s,
        &["deploy", "--require-approval", "never"],
    )
    .expect(0);
    let mut cmd = support::in_region(&moto.endpoint(), tmp.path(), app_s, &["drift"]);
    let r = run_on(&moto, &mut cmd).expect(1);
    assert!(
        r.stderr
            .contains("starting drift detection of stack Small failed:"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("HTTP 500"), "{}", r.stderr);
}
