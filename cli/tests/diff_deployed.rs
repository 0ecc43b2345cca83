//! `synth diff` against deployed stacks beyond the template comparison:
//! `--method change-set` (a change set created to ask CloudFormation,
//! never executed, deleted after), the warning for an export the change
//! removes while another stack imports it (`ListImports`), and the
//! explanation of an empty change set when the templates differ.
//!
//! Which server plays what:
//! - LocalStack 4.4 runs the change sets for real (asynchronously, with
//!   per-resource changes) and, like AWS, finds nothing to change when
//!   only a resource's DeletionPolicy differs; its resource changes carry
//!   no replacement details, and its `ListImports` never lists importers.
//! - A scripted server speaking the Query protocol plays what neither
//!   emulator answers as AWS does: `Replacement: True` with the property
//!   that forces it, `ListImports` naming an importing stack, and the
//!   ValidationError AWS answers when nothing imports an export (moto
//!   answers `ListImports` with HTTP 500).

mod support;

use serde_json::Value as Json;
use support::{assembly, run, run_in, synth};
use synth::prelude::*;
use synth_tests::scripted::{
    self, ChangeDetail, ChangeSet, ResourceChange, Response, Scripted, Stack,
};
use synth_tests::servers::LocalStack;

// ---------------------------------------------------------------------------
// Against a scripted server: exact CloudFormation answers.

const SMALL: &str = "Small";

/// The deployed side: `small_app`'s template plus an exported output the
/// new code no longer has.
fn deployed_template(dir: &std::path::Path) -> String {
    let out = assembly(&support::small_app(SMALL, None), dir);
    let text = std::fs::read_to_string(out.join("Small.template.json")).unwrap();
    let mut t: Json = serde_json::from_str(&text).unwrap();
    t["Outputs"]["Gone"] = serde_json::json!({
        "Value": {"Fn::GetAtt": ["Queue", "Arn"]},
        "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-queue-arn"}}
    });
    serde_json::to_string(&t).unwrap()
}

fn scripted_stack(template: &str) -> Scripted {
    Scripted::builder()
        .on(
            "DescribeStacks",
            [scripted::describe_stacks(&[Stack::new(
                SMALL,
                "UPDATE_COMPLETE",
            )
            .with_output("QueueUrl", "https://queue")
            .with_export(
                "Gone",
                "arn:aws:sqs:us-east-1:1:q",
                "Small-queue-arn",
            )])],
        )
        .on("GetTemplate", [scripted::get_template(template)])
        .on("ListImports", [scripted::list_imports(&["Consumer"])])
        .on(
            "CreateChangeSet",
            [scripted::create_change_set(SMALL, "asked")],
        )
        .on(
            "DescribeChangeSet",
            [scripted::describe_change_set(
                &ChangeSet::new(SMALL, "asked")
                    .with_change(ResourceChange::add("Extra", "AWS::SSM::Parameter"))
                    .with_change(
                        ResourceChange::modify("Queue", "https://queue", "AWS::SQS::Queue", "True")
                            .with_detail(ChangeDetail::property("QueueName", "Always")),
                    ),
            )],
        )
        .on("DeleteChangeSet", [scripted::delete_change_set()])
        .start()
}

fn diff_on(server: &Scripted, app: &std::path::Path, args: &[&str]) -> support::Run {
    let dir = app.parent().unwrap();
    let mut cmd = synth(&server.endpoint(), dir);
    cmd.args([
        "--app",
        app.to_str().unwrap(),
        "--region",
        "us-east-1",
        "diff",
    ])
    .args(args);
    run(&mut cmd)
}

#[test]
fn change_set_verdicts_and_an_imported_export_from_a_scripted_server() {
    let tmp = tempfile::tempdir().unwrap();
    let template = deployed_template(&tmp.path().join("old"));
    let new = assembly(
        &support::small_app(SMALL, Some("v")),
        &tmp.path().join("new"),
    );
    let server = scripted_stack(&template);

    // The change set: CloudFormation agrees on the added parameter and
    // replaces the queue, which synth did not see change (the scripted
    // answer stands for a value only CloudFormation resolves).
    let r = diff_on(&server, &new, &["--method", "change-set"]).expect(0);
    assert!(
        r.stdout
            .contains("CloudFormation's change set agrees on 1 resource change and differs on 1:"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(
            "Queue: synth: no change; CloudFormation: replace (recreated by QueueName (always))"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(
            "Warning: export Small-queue-arn (output Gone) is removed, but Consumer imports it: CloudFormation will refuse to update Small until it stops importing it"
        ),
        "{}",
        r.stdout
    );
    // Asked, never executed, deleted; the export's importers looked up by
    // its deployed name.
    assert_eq!(server.count("CreateChangeSet"), 1);
    assert_eq!(server.count("DeleteChangeSet"), 1);
    assert_eq!(server.count("ExecuteChangeSet"), 0);
    let created = &server.requests_for("CreateChangeSet")[0];
    assert_eq!(created.param("ChangeSetType"), Some("UPDATE"));
    let name = created
        .param("ChangeSetName")
        .unwrap_or_default()
        .to_owned();
    assert!(name.starts_with("synth-"), "{name}");
    assert_eq!(
        server.requests_for("DeleteChangeSet")[0].param("ChangeSetName"),
        Some(name.as_str())
    );
    assert_eq!(
        server.requests_for("ListImports")[0].param("ExportName"),
        Some("Small-queue-arn")
    );

    // The same in JSON, for machines.
    server.clear_requests();
    let r = diff_on(
        &server,
        &new,
        &["--method", "change-set", "--format", "json"],
    )
    .expect(0);
    let j: Json = serde_json::from_str(&r.stdout).unwrap();
    let stack = &j["stacks"][0];
    assert_eq!(stack["changeSet"]["agreements"], 1);
    assert_eq!(
        stack["changeSet"]["disagreements"][0],
        serde_json::json!({"logicalId": "Queue", "synth": "no change", "cloudformation": "replace"})
    );
    assert_eq!(
        stack["changeSet"]["changes"][1]["recreatedBy"],
        serde_json::json!(["QueueName (always)"])
    );
    assert_eq!(stack["warnings"].as_array().map(Vec::len), Some(1));

    // The template method warns about the export too, and asks nothing.
    server.clear_requests();
    let r = diff_on(&server, &new, &[]).expect(0);
    assert!(
        r.stdout.contains("Warning: export Small-queue-arn"),
        "{}",
        r.stdout
    );
    assert!(
        !r.stdout.contains("CloudFormation's change set"),
        "{}",
        r.stdout
    );
    assert_eq!(server.count("CreateChangeSet"), 0);

    // Nothing imports it: AWS answers a ValidationError, which is no warning.
    server.set(
        "ListImports",
        [scripted::export_not_imported("Small-queue-arn")],
    );
    let r = diff_on(&server, &new, &[]).expect(0);
    assert!(!r.stdout.contains("Warning:"), "{}", r.stdout);

    // ListImports failing (moto answers HTTP 500) is said, not fatal.
    server.set("ListImports", [Response::internal_failure()]);
    let r = diff_on(&server, &new, &[]).expect(0);
    assert!(
        r.stdout.contains("Warning: export Small-queue-arn (output Gone) is removed; whether other stacks import it is unknown"),
        "{}",
        r.stdout
    );
    server.assert_no_script_panics();
}

#[test]
fn change_set_options_need_the_change_set_method_and_a_deployed_stack() {
    let tmp = tempfile::tempdir().unwrap();
    let new = assembly(&support::small_app(SMALL, None), &tmp.path().join("new"));
    let app = new.to_str().unwrap();
    let dir = tmp.path();
    let r =
        run(synth("http://127.0.0.1:9", dir).args(["--app", app, "diff", "--parameters", "A=b"]))
            .expect(2);
    assert!(r.stderr.contains("add --method change-set"), "{}", r.stderr);
    let r = run(synth("http://127.0.0.1:9", dir).args([
        "--app",
        app,
        "diff",
        "--method",
        "change-set",
        "--against",
        app,
    ]))
    .expect(2);
    assert!(
        r.stderr.contains("drop --template/--against"),
        "{}",
        r.stderr
    );
}

// ---------------------------------------------------------------------------
// Against LocalStack: real change sets.

/// A bucket and an SSM parameter naming it, with the bucket's name
/// exported; `value` is a second parameter's value.
fn store(stack: &str, value: &str) -> App {
    let mut app = App::new();
    let s = app.stack(stack);
    let bucket = s.add("Bucket", RawResource::new("AWS::S3::Bucket"));
    s.add(
        "NameParameter",
        RawResource::new("AWS::SSM::Parameter")
            .property("Type", "String")
            .property("Value", bucket.reference()),
    );
    s.add(
        "Setting",
        RawResource::new("AWS::SSM::Parameter")
            .property("Type", "String")
            .property("Value", value),
    );
    s.output("BucketName", bucket.reference())
        .export(format!("{stack}-bucket"));
    app
}

/// One SSM parameter with a literal value, kept on delete when `retain`.
/// (LocalStack lists a resource whose properties use `Ref` as modified in
/// every update change set; a literal one it compares as AWS does.)
fn plain(stack: &str, retain: bool) -> App {
    let mut app = App::new();
    let s = app.stack(stack);
    let setting = s.add(
        "Setting",
        RawResource::new("AWS::SSM::Parameter")
            .property("Type", "String")
            .property("Value", "fixed"),
    );
    if retain {
        s.edit(&setting).deletion_policy(RemovalPolicy::Retain);
    }
    app
}

fn stack_status(endpoint: &str, stack: &str) -> Option<String> {
    let r = synth_tests::http::cfn_call(endpoint, "DescribeStacks", &[("StackName", stack)])
        .expect("DescribeStacks answers");
    synth_tests::xml::first(&r.text(), "StackStatus")
}

/// Change sets of `stack` that were never executed (the executed one that
/// deployed it stays listed).
fn change_sets(endpoint: &str, stack: &str) -> usize {
    let r = synth_tests::http::cfn_call(endpoint, "ListChangeSets", &[("StackName", stack)])
        .expect("ListChangeSets answers");
    synth_tests::xml::all(&r.text(), "ExecutionStatus")
        .iter()
        .filter(|s| *s != "EXECUTE_COMPLETE")
        .count()
}

#[test]
fn change_set_method_and_empty_change_sets_against_localstack() {
    let ls = LocalStack::start();
    let endpoint = ls.endpoint();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let path = |a: &std::path::Path| a.display().to_string();
    let v1 = assembly(&store("Store", "one"), &dir.join("v1"));
    let v2 = assembly(&store("Store", "two"), &dir.join("v2"));
    let deleted = assembly(&plain("Plain", false), &dir.join("deleted"));
    let kept = assembly(&plain("Plain", true), &dir.join("kept"));

    // A stack not deployed yet: a CREATE change set, every resource added,
    // and the review stack it needed is gone again.
    let r = run_in(&ls, dir, &path(&v1), &["diff", "--method", "change-set"]).expect(0);
    assert!(
        r.stdout
            .contains("CloudFormation's change set agrees on all 3 resource changes"),
        "{}",
        r.stdout
    );
    let status = stack_status(&endpoint, "Store");
    assert!(
        status.is_none() || status.as_deref() == Some("DELETE_COMPLETE"),
        "the review stack is left: {status:?}"
    );

    run_in(
        &ls,
        dir,
        &path(&v1),
        &["deploy", "--require-approval", "never"],
    )
    .expect(0);

    // An update: asked, not executed, and the change set deleted.
    let r = run_in(
        &ls,
        dir,
        &path(&v2),
        &["diff", "--method", "change-set", "--format", "json"],
    )
    .expect(0);
    let j: Json = serde_json::from_str(&r.stdout).unwrap();
    let review = &j["stacks"][0]["changeSet"];
    let changed: Vec<&str> = review["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["logicalId"].as_str())
        .collect();
    assert!(changed.contains(&"Setting"), "{review}");
    assert!(
        !review["disagreements"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["logicalId"] == "Setting"),
        "both see Setting updated in place: {review}"
    );
    assert_eq!(
        change_sets(&endpoint, "Store"),
        0,
        "the change set is deleted"
    );
    assert_eq!(
        stack_status(&endpoint, "Store").as_deref(),
        Some("CREATE_COMPLETE")
    );
    let r = run_in(&ls, dir, &path(&v2), &["diff"]).expect(0);
    assert!(r.stdout.contains("Setting"), "not executed: {}", r.stdout);

    // Only a DeletionPolicy differs: CloudFormation finds nothing to
    // change; diff and deploy both say why instead of a bare "no changes".
    run_in(
        &ls,
        dir,
        &path(&deleted),
        &["deploy", "--require-approval", "never"],
    )
    .expect(0);
    let r = run_in(&ls, dir, &path(&kept), &["diff", "--method", "change-set"]).expect(0);
    assert!(
        r.stdout.contains(
            "CloudFormation found nothing to change in Plain although the templates differ:"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("Setting (DeletionPolicy): a change to DeletionPolicy"),
        "{}",
        r.stdout
    );
    let r = run_in(
        &ls,
        dir,
        &path(&kept),
        &["deploy", "--require-approval", "never"],
    )
    .expect(0);
    assert!(r.stderr.contains("Plain: no changes"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("warning: CloudFormation found nothing to change in Plain"),
        "{}",
        r.stderr
    );
    assert_eq!(change_sets(&endpoint, "Plain"), 0);
}

#[test]
fn an_exported_value_that_changes_while_imported_is_warned_about() {
    // The queue's name goes from set to unset: the queue is replaced, so
    // the URL its exported output gives changes.
    let app = || {
        let mut app = App::new();
        let s = app.stack(SMALL);
        let queue = s.add("Queue", RawResource::new("AWS::SQS::Queue"));
        s.output("QueueUrl", queue.reference())
            .export("Small-queue-url");
        app
    };
    let tmp = tempfile::tempdir().unwrap();
    let old = assembly(&app(), &tmp.path().join("old"));
    let mut deployed: Json =
        serde_json::from_str(&std::fs::read_to_string(old.join("Small.template.json")).unwrap())
            .unwrap();
    deployed["Resources"]["Queue"]["Properties"] = serde_json::json!({"QueueName": "small"});
    let new = assembly(&app(), &tmp.path().join("new"));
    let server = Scripted::builder()
        .on(
            "DescribeStacks",
            [scripted::describe_stacks(&[Stack::new(
                SMALL,
                "UPDATE_COMPLETE",
            )
            .with_export(
                "QueueUrl",
                "https://queue/small",
                "Small-queue-url",
            )])],
        )
        .on(
            "GetTemplate",
            [scripted::get_template(&deployed.to_string())],
        )
        .on("ListImports", [scripted::list_imports(&["Consumer"])])
        .start();
    let r = diff_on(&server, &new, &[]).expect(0);
    assert!(
        r.stdout.contains("[~] QueueUrl: "),
        "the output changes: {}",
        r.stdout
    );
    assert!(
        r.stdout.contains(
            "Warning: the value of export Small-queue-url (output QueueUrl) changes (Queue is replaced), but Consumer imports it: CloudFormation will refuse to update Small until it stops importing it"
        ),
        "{}",
        r.stdout
    );
    server.assert_no_script_panics();
}
