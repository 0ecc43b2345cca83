//! What neither emulator produces: stack states a deploy must refuse or
//! wait out (a small scripted CloudFormation server speaking the Query
//! wire protocol plays them), and a flaky network (a fault-injecting proxy
//! in front of moto throttles, fails, drops and delays requests). Every
//! case ends with the right exit code and message, and never hangs.

mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use support::{assembly, run, small_app, synth};
use synth_tests::proxy::{Fault, Proxy};
use synth_tests::scripted::{self, ChangeSet, ResourceChange, Response, Scripted, StackEvent};
use synth_tests::servers::Moto;

const STACK: &str = "Small";

/// A scripted server for `Small` whose `DescribeStacks` answers `before`
/// until the change set is executed, then `after`; the change set adds a
/// queue.
fn switching(before: Response, after: Response) -> Scripted {
    let executed = Arc::new(AtomicBool::new(false));
    let (seen, set) = (Arc::clone(&executed), executed);
    Scripted::builder()
        .on_fn("DescribeStacks", move |_| {
            if seen.load(Ordering::SeqCst) {
                after.clone()
            } else {
                before.clone()
            }
        })
        .on(
            "DescribeStackEvents",
            [scripted::describe_stack_events(&[StackEvent::stack(
                STACK,
                "CREATE_COMPLETE",
                5,
            )])],
        )
        .on(
            "CreateChangeSet",
            [scripted::create_change_set(STACK, "synth")],
        )
        .on(
            "DescribeChangeSet",
            [scripted::describe_change_set(
                &ChangeSet::new(STACK, "synth")
                    .with_change(ResourceChange::add("Queue", "AWS::SQS::Queue")),
            )],
        )
        .on_fn("ExecuteChangeSet", move |_| {
            set.store(true, Ordering::SeqCst);
            scripted::execute_change_set()
        })
        .start()
}

fn deploy(endpoint: &str, extra: &[&str]) -> support::Run {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let app = assembly(&small_app(STACK, None), &dir.join("a"));
    let mut cmd = synth(endpoint, dir);
    cmd.args([
        "--app",
        app.to_str().unwrap(),
        "--region",
        "us-east-1",
        "deploy",
        "--require-approval",
        "never",
    ]);
    cmd.args(extra);
    run(&mut cmd)
}

#[test]
fn update_rollback_failed_is_refused_with_what_to_do() {
    let server = Scripted::builder()
        .on("DescribeStacks", [scripted::update_rollback_failed(STACK)])
        .start();
    let r = deploy(&server.endpoint(), &[]).expect(1);
    assert!(r.stderr.contains("UPDATE_ROLLBACK_FAILED"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("continue-update-rollback --stack-name Small"),
        "{}",
        r.stderr
    );
    assert_eq!(server.count("CreateChangeSet"), 0, "nothing was attempted");
    server.assert_no_script_panics();
}

#[test]
fn a_busy_stack_is_reported_or_waited_for() {
    let server = Scripted::builder()
        .on(
            "DescribeStacks",
            [scripted::stack_in(STACK, "UPDATE_IN_PROGRESS")],
        )
        .start();
    let r = deploy(&server.endpoint(), &[]).expect(1);
    assert!(
        r.stderr
            .contains("busy with another operation (UPDATE_IN_PROGRESS)"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--wait-busy"), "{}", r.stderr);

    // With --wait-busy: wait until the other update ends, then deploy
    // (here the change set turns out to be empty).
    let body = {
        let tmp = tempfile::tempdir().unwrap();
        let a = assembly(&small_app(STACK, None), tmp.path());
        std::fs::read_to_string(a.join("Small.template.json")).unwrap()
    };
    let server = Scripted::builder()
        .on("DescribeStacks", scripted::busy_then_complete(STACK, 3))
        .on(
            "DescribeStackEvents",
            [scripted::describe_stack_events(&[StackEvent::stack(
                STACK,
                "UPDATE_COMPLETE",
                9,
            )])],
        )
        .on("GetTemplate", [scripted::get_template(&body)])
        .on(
            "CreateChangeSet",
            [scripted::create_change_set(STACK, "synth")],
        )
        .on(
            "DescribeChangeSet",
            [scripted::change_set_no_changes(STACK, "synth")],
        )
        .on("DeleteChangeSet", [scripted::delete_change_set()])
        .start();
    let r = deploy(&server.endpoint(), &["--wait-busy"]).expect(0);
    assert!(
        r.stderr.contains("waiting for the running operation"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("Small: no changes"), "{}", r.stderr);
    assert_eq!(
        server.count("DeleteChangeSet"),
        1,
        "the empty change set is cleaned up"
    );
    assert_eq!(server.count("ExecuteChangeSet"), 0);
    server.assert_no_script_panics();
}

#[test]
fn a_stack_in_review_is_created_with_a_create_change_set() {
    let server = switching(
        scripted::review_in_progress(STACK),
        scripted::stack_in(STACK, "CREATE_COMPLETE"),
    );
    let r = deploy(&server.endpoint(), &[]).expect(0);
    assert!(r.stderr.contains("Small: deployed"), "{}", r.stderr);
    let create = &server.requests_for("CreateChangeSet")[0];
    assert_eq!(create.param("ChangeSetType"), Some("CREATE"));
    assert_eq!(
        create.list("Capabilities"),
        Vec::<String>::new(),
        "no IAM, no capabilities"
    );
    server.assert_no_script_panics();
}

#[test]
fn a_failed_creation_needs_replace_failed_and_is_then_recreated() {
    let server = Scripted::builder()
        .on("DescribeStacks", [scripted::rollback_complete(STACK)])
        .start();
    let r = deploy(&server.endpoint(), &[]).expect(1);
    assert!(
        r.stderr
            .contains("ROLLBACK_COMPLETE because its creation failed"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("pass --replace-failed"), "{}", r.stderr);
    assert_eq!(server.count("DeleteStack"), 0);

    // With --replace-failed: deleted, then created afresh.
    let deleted = Arc::new(AtomicBool::new(false));
    let executed = Arc::new(AtomicBool::new(false));
    let (d, e) = (Arc::clone(&deleted), Arc::clone(&executed));
    let server = Scripted::builder()
        .on_fn("DescribeStacks", move |_| {
            if e.load(Ordering::SeqCst) {
                scripted::stack_in(STACK, "CREATE_COMPLETE")
            } else if d.load(Ordering::SeqCst) {
                scripted::stack_does_not_exist(STACK)
            } else {
                scripted::rollback_complete(STACK)
            }
        })
        .on(
            "DescribeStackEvents",
            [scripted::describe_stack_events(&[StackEvent::stack(
                STACK,
                "ROLLBACK_COMPLETE",
                5,
            )])],
        )
        .on(
            "CreateChangeSet",
            [scripted::create_change_set(STACK, "synth")],
        )
        .on(
            "DescribeChangeSet",
            [scripted::describe_change_set(
                &ChangeSet::new(STACK, "synth")
                    .with_change(ResourceChange::add("Queue", "AWS::SQS::Queue")),
            )],
        )
        .start();
    let flag = Arc::clone(&deleted);
    server.set_fn("DeleteStack", move |_| {
        flag.store(true, Ordering::SeqCst);
        scripted::delete_stack()
    });
    let flag = Arc::clone(&executed);
    server.set_fn("ExecuteChangeSet", move |_| {
        flag.store(true, Ordering::SeqCst);
        scripted::execute_change_set()
    });
    let r = deploy(&server.endpoint(), &["--replace-failed"]).expect(0);
    assert!(
        r.stderr
            .contains("deleting the stack left by a failed creation"),
        "{}",
        r.stderr
    );
    assert_eq!(server.count("DeleteStack"), 1);
    assert_eq!(
        server.requests_for("CreateChangeSet")[0].param("ChangeSetType"),
        Some("CREATE")
    );
    server.assert_no_script_panics();
}

#[test]
fn a_stack_that_never_settles_hits_the_deadline_instead_of_hanging() {
    let server = Scripted::builder()
        .on(
            "DescribeStacks",
            [scripted::stack_in(STACK, "UPDATE_IN_PROGRESS")],
        )
        .on(
            "DescribeStackEvents",
            [scripted::describe_stack_events(&[StackEvent::stack(
                STACK,
                "UPDATE_IN_PROGRESS",
                5,
            )])],
        )
        .start();
    let started = Instant::now();
    let r = deploy(&server.endpoint(), &["--wait-busy", "--timeout", "2"]).expect(1);
    assert!(
        r.stderr.contains("did not finish before the deadline"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--timeout"), "{}", r.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    // Polls back off: a handful of calls in two seconds, not a busy loop.
    assert!(
        server.count("DescribeStacks") < 30,
        "{} polls",
        server.count("DescribeStacks")
    );
    // SYNTH_TIMEOUT sets the same deadline for a whole pipeline.
    let tmp = tempfile::tempdir().unwrap();
    let app = assembly(&small_app(STACK, None), &tmp.path().join("a"));
    let started = Instant::now();
    let r = run(synth(&server.endpoint(), tmp.path())
        .env("SYNTH_TIMEOUT", "1")
        .args(["--app", app.to_str().unwrap(), "--region", "us-east-1"])
        .args(["deploy", "--require-approval", "never", "--wait-busy"]))
    .expect(1);
    assert!(
        r.stderr.contains("did not finish before the deadline"),
        "{}",
        r.stderr
    );
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn throttling_server_errors_and_dropped_connections_are_retried() {
    let moto = Moto::start();
    let proxy = Proxy::start(&moto.endpoint());
    proxy.inject(Fault::Throttle.times(3).only("CreateChangeSet"));
    proxy.inject(Fault::Status(503).times(2).only("DescribeStacks"));
    proxy.inject(Fault::Status(500).times(1).only("DescribeChangeSet"));
    proxy.inject(Fault::Drop.times(1).only("DescribeStackEvents"));
    proxy.inject(Fault::Delay(Duration::from_millis(800)).times(3));
    let r = deploy(&proxy.endpoint(), &[]).expect(0);
    assert!(r.stderr.contains("Small: deployed"), "{}", r.stderr);
    assert_eq!(
        proxy.injected_count(),
        10,
        "every fault was met: {:?}",
        proxy.rules()
    );
}

#[test]
fn a_persistent_failure_ends_with_a_clear_error() {
    let moto = Moto::start();
    let proxy = Proxy::start(&moto.endpoint());
    proxy.inject(Fault::Throttle.always().only("CreateChangeSet"));
    let started = Instant::now();
    let r = deploy(&proxy.endpoint(), &[]).expect(1);
    assert!(
        r.stderr
            .contains("creating a change set for stack Small failed: Throttling: Rate exceeded"),
        "{}",
        r.stderr
    );
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "bounded retries, took {:?}",
        started.elapsed()
    );
    assert!(proxy.injected_count() >= 2, "retried before giving up");
}
