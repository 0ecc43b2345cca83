//! Deploy end to end against LocalStack 4.4 in host mode, for what moto
//! does not emulate: asynchronous status transitions, per-resource events
//! and the progress display, outputs after a change-set deploy, and a
//! resource that fails to create, with its reason as the root cause.

mod support;

use serde_json::Value as Json;
use support::{assembly, run_in, synth};
use synth::prelude::*;
use synth_tests::servers::LocalStack;

/// An S3 bucket and an SSM parameter holding its name; optionally a subnet
/// in a VPC that does not exist, which CloudFormation fails to create.
fn app(stack: &str, broken_subnet: bool) -> App {
    let mut app = App::new();
    let s = app.stack(stack);
    let bucket = s.add("Bucket", RawResource::new("AWS::S3::Bucket"));
    s.add(
        "NameParameter",
        RawResource::new("AWS::SSM::Parameter")
            .property("Type", "String")
            .property("Value", bucket.reference()),
    );
    if broken_subnet {
        s.add(
            "Orphan",
            RawResource::new("AWS::EC2::Subnet")
                .property("VpcId", "vpc-0123456789abcdef0")
                .property("CidrBlock", "10.9.0.0/24"),
        );
    }
    s.output("BucketName", bucket.reference());
    app
}

#[test]
fn asynchronous_deploy_events_outputs_failures_and_replacing_a_failed_stack() {
    let ls = LocalStack::start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let good = assembly(&app("Store", false), &dir.join("good"));
    let outputs = dir.join("outputs.json");

    // Create: LocalStack runs the change set asynchronously; every
    // resource's events are shown, and outputs exist after it.
    let r = run_in(
        &ls,
        dir,
        good.to_str().unwrap(),
        &[
            "deploy",
            "--require-approval",
            "never",
            "--progress",
            "events",
            "--outputs-file",
            outputs.to_str().unwrap(),
        ],
    )
    .expect(0);
    for line in [
        "CREATE_IN_PROGRESS",
        "AWS::S3::Bucket",
        "AWS::SSM::Parameter",
        "Store: CREATE_COMPLETE",
    ] {
        assert!(r.stderr.contains(line), "missing {line}: {}", r.stderr);
    }
    let written: Json = serde_json::from_str(&std::fs::read_to_string(&outputs).unwrap()).unwrap();
    let name = written["Store"]["BucketName"]
        .as_str()
        .expect("output written")
        .to_owned();
    assert!(!name.is_empty());
    assert!(
        r.stdout.contains(&format!("BucketName = {name}")),
        "{}",
        r.stdout
    );

    // A stack whose creation fails: the resource's reason is the root cause.
    let broken = assembly(&app("Broken", true), &dir.join("broken"));
    let r = run_in(
        &ls,
        dir,
        broken.to_str().unwrap(),
        &["deploy", "--require-approval", "never"],
    )
    .expect(1);
    assert!(
        r.stderr.contains("the deployment of stack Broken failed"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("root cause"), "{}", r.stderr);
    assert!(
        r.stderr.contains("Orphan"),
        "names the failed resource: {}",
        r.stderr
    );
    let cause = &r.stderr[r.stderr.find("root cause").unwrap()..];
    assert_eq!(
        cause.lines().filter(|l| l.contains("Orphan")).count(),
        1,
        "one line per failed resource: {cause}"
    );
    assert!(
        !cause.contains("(AWS::CloudFormation::Stack)"),
        "the stack's own event is not the cause: {cause}"
    );

    // Deploying again cannot update a failed creation ...
    let fixed = assembly(&app("Broken", false), &dir.join("fixed"));
    let r = run_in(
        &ls,
        dir,
        fixed.to_str().unwrap(),
        &["deploy", "--require-approval", "never"],
    )
    .expect(1);
    assert!(r.stderr.contains("--replace-failed"), "{}", r.stderr);
    // ... unless told to delete it and start over.
    let r = run_in(
        &ls,
        dir,
        fixed.to_str().unwrap(),
        &["deploy", "--require-approval", "never", "--replace-failed"],
    )
    .expect(0);
    assert!(
        r.stderr
            .contains("deleting the stack left by a failed creation"),
        "{}",
        r.stderr
    );

    // Destroy waits for the asynchronous deletion.
    let r = run_in(&ls, dir, good.to_str().unwrap(), &["destroy", "--force"]).expect(0);
    assert!(r.stderr.contains("Store: destroyed"), "{}", r.stderr);
}

#[test]
fn dependent_stacks_deploy_in_order_with_concurrency_and_termination_protection_holds() {
    let ls = LocalStack::start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // Shared exports a bucket name; Consumer imports it; Other stands alone.
    let mut app = App::new();
    let shared = app.stack("Shared");
    let bucket = shared.add("Bucket", RawResource::new("AWS::S3::Bucket"));
    let consumer = app.stack("Consumer");
    consumer.add(
        "Pointer",
        RawResource::new("AWS::SSM::Parameter")
            .property("Type", "String")
            .property("Value", bucket.reference()),
    );
    let other = app.stack("Other");
    other.add(
        "Alone",
        RawResource::new("AWS::SSM::Parameter")
            .property("Type", "String")
            .property("Value", "x"),
    );
    other.termination_protection(true);
    let out = assembly(&app, &dir.join("out"));
    let app_dir = out.display().to_string();

    let r = run_in(
        &ls,
        dir,
        &app_dir,
        &[
            "deploy",
            "--all",
            "--concurrency",
            "2",
            "--require-approval",
            "never",
        ],
    )
    .expect(0);
    // The import only resolves if Shared finished first.
    let shared_done = r.stderr.find("Shared: deployed").expect("Shared deployed");
    let consumer_done = r
        .stderr
        .find("Consumer: deployed")
        .expect("Consumer deployed");
    assert!(shared_done < consumer_done, "{}", r.stderr);
    assert!(r.stderr.contains("Other: deployed"), "{}", r.stderr);

    // Termination protection from the app keeps Other from being destroyed.
    let r = run_in(&ls, dir, &app_dir, &["destroy", "Other", "--force"]).expect(1);
    assert!(
        r.stderr.contains("has termination protection"),
        "{}",
        r.stderr
    );
    // Destroy goes in reverse dependency order: Consumer before Shared.
    let r = run_in(
        &ls,
        dir,
        &app_dir,
        &["destroy", "Shared", "Consumer", "--force"],
    )
    .expect(0);
    let consumer_gone = r
        .stderr
        .find("Consumer: destroyed")
        .expect("Consumer destroyed");
    let shared_gone = r
        .stderr
        .find("Shared: destroyed")
        .expect("Shared destroyed");
    assert!(consumer_gone < shared_gone, "{}", r.stderr);
}

#[test]
fn on_a_terminal_progress_is_one_live_line_and_any_change_asks() {
    let ls = LocalStack::start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let v1 = assembly(&app("Live", false), &dir.join("v1"));
    let mut cmd = synth(&ls.endpoint(), dir);
    cmd.args([
        "--app",
        v1.to_str().unwrap(),
        "--region",
        "us-east-1",
        "deploy",
        "--require-approval",
        "any-change",
    ]);
    let r = support::run_in_terminal(&cmd, "y\n");
    assert_eq!(r.code, 0, "{}", r.all());
    let all = r.all();
    assert!(
        all.contains("Deploy these changes to Live (--require-approval any-change)?"),
        "{all}"
    );
    // The live line redraws in place with the count of finished resources.
    assert!(all.contains("\r\x1b[K"), "redraws in place: {all:?}");
    assert!(all.contains("/2 resources"), "counts resources: {all:?}");
    assert!(all.contains("Live: CREATE_COMPLETE"), "{all}");
}
