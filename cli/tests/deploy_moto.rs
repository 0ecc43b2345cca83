//! `synth diff`, `deploy` and `destroy` end to end: the built binary and
//! the real AWS SDK against moto's CloudFormation server on loopback (moto
//! completes change sets synchronously; ARCHITECTURE.md, "What each
//! emulator does", lists what it emulates and what it does not).

mod support;

use serde_json::Value as Json;
use support::{assembly, in_region, run, run_in, run_in_terminal, small_app, synth};
use synth::App;
use synth_tests::servers::Moto;

const ACCOUNT: &str = "GitlabAccountId=123456789012";
const EXTERNAL: &str = "GitlabExternalId=0123456789abcdef0123456789abcdef01234567";

fn bootstrap() -> App {
    let mut app = App::new();
    stacks::define(&mut app);
    app
}

/// The bootstrap with the control plane's security group opened to SSH
/// from anywhere: a broadening change.
fn bootstrap_with_ssh(dir: &std::path::Path) -> std::path::PathBuf {
    let out = assembly(&bootstrap(), dir);
    let path = out.join("GitlabEks.template.json");
    let mut t: Json = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    t["Resources"]["GitlabControlPlaneSecurityGroup"]["Properties"]["SecurityGroupIngress"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0", "Description": "ssh"}));
    std::fs::write(&path, serde_json::to_string_pretty(&t).unwrap()).unwrap();
    out
}

#[test]
fn deploy_lifecycle_create_no_change_update_and_diff() {
    let moto = Moto::start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let v1 = assembly(&bootstrap(), &dir.join("v1"));
    let v2 = bootstrap_with_ssh(&dir.join("v2"));
    let app = |a: &std::path::Path| a.display().to_string();

    // Not deployed yet: everything is an addition; --fail turns it into exit 1.
    let r = run_in(&moto, dir, &app(&v1), &["diff"]).expect(0);
    assert!(r.stdout.contains("Stack GitlabEks (new)"), "{}", r.stdout);
    assert!(
        r.stdout.contains("35 to add, 0 to change, 0 to remove"),
        "{}",
        r.stdout
    );
    run_in(&moto, dir, &app(&v1), &["diff", "--fail"]).expect(1);

    // Parameters without defaults must be given on create.
    let r = run_in(
        &moto,
        dir,
        &app(&v1),
        &["deploy", "--require-approval", "never"],
    )
    .expect(2);
    assert!(
        r.stderr
            .contains("--parameters GitlabEks:GitlabAccountId=VALUE"),
        "{}",
        r.stderr
    );

    // Create.
    let r = run_in(
        &moto,
        dir,
        &app(&v1),
        &[
            "deploy",
            "--require-approval",
            "never",
            "--parameters",
            ACCOUNT,
            "--parameters",
            EXTERNAL,
            "--progress",
            "events",
        ],
    )
    .expect(0);
    assert!(
        r.stderr.contains("GitlabEks: CREATE_COMPLETE"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("GitlabEks: deployed"), "{}", r.stderr);

    // Deployed and unchanged: no differences, and --fail passes.
    let r = run_in(&moto, dir, &app(&v1), &["diff", "--fail"]).expect(0);
    assert!(
        r.stdout.contains("There were no differences"),
        "{}",
        r.stdout
    );

    // Re-deploy with no changes (parameters keep their previous values).
    let r = run_in(
        &moto,
        dir,
        &app(&v1),
        &["deploy", "--require-approval", "never"],
    )
    .expect(0);
    assert!(r.stderr.contains("GitlabEks: no changes"), "{}", r.stderr);

    // A change: diff shows exactly it, as text, JSON and GitLab's report.
    let report = dir.join("report.json");
    let r = run_in(
        &moto,
        dir,
        &app(&v2),
        &[
            "diff",
            "--fail",
            "--gitlab-report",
            report.to_str().unwrap(),
        ],
    )
    .expect(1);
    assert!(
        r.stdout
            .contains("[~] AWS::EC2::SecurityGroup GitlabControlPlaneSecurityGroup"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("[+] GitlabControlPlaneSecurityGroup ingress tcp 22 from"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("0 to add, 1 to change, 0 to remove"),
        "{}",
        r.stdout
    );
    assert!(
        r.stderr.contains("1 stack would change (--fail)"),
        "{}",
        r.stderr
    );
    let counts: Json = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(
        counts,
        serde_json::json!({"create": 0, "update": 1, "delete": 0})
    );
    let r = run_in(&moto, dir, &app(&v2), &["diff", "--format", "json"]).expect(0);
    let json: Json = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(json["stacks"][0]["resources"].as_array().unwrap().len(), 1);
    assert_eq!(json["broadening"], Json::Bool(true));

    // The change broadens access: without a terminal, the default approval
    // mode refuses and names the way out.
    let r = run_in(&moto, dir, &app(&v2), &["deploy"]).expect(1);
    assert!(
        r.stderr
            .contains("needs approval because it broadens permissions"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("--require-approval never"),
        "{}",
        r.stderr
    );
    run_in(
        &moto,
        dir,
        &app(&v2),
        &["deploy", "--require-approval", "any-change"],
    )
    .expect(1);

    // Declined at the terminal: nothing changes.
    let r = run_in_terminal(
        &in_region(&moto.endpoint(), dir, &app(&v2), &["deploy"]),
        "n\n",
    );
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(
        r.all().contains("was declined; its change set was deleted"),
        "{}",
        r.all()
    );
    run_in(&moto, dir, &app(&v2), &["diff", "--fail"]).expect(1);

    // Approved at the terminal: deployed, then nothing differs.
    let r = run_in_terminal(
        &in_region(&moto.endpoint(), dir, &app(&v2), &["deploy"]),
        "y\n",
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.all().contains("Deploy these changes to GitlabEks"),
        "{}",
        r.all()
    );
    run_in(&moto, dir, &app(&v2), &["diff", "--fail"]).expect(0);

    // The diff against another assembly needs no endpoint at all.
    let r = run(synth("http://127.0.0.1:9", dir).args([
        "--app",
        &app(&v2),
        "diff",
        "--against",
        &app(&v1),
        "--context-lines",
        "1",
    ]))
    .expect(0);
    assert!(r.stdout.contains("ingress tcp 22"), "{}", r.stdout);
    // --context-lines adds the unified diff of the template texts.
    assert!(r.stdout.contains("@@ "), "unified diff: {}", r.stdout);
    assert!(
        r.stdout.contains("+            \"FromPort\": 22,"),
        "unified diff: {}",
        r.stdout
    );
}

#[test]
fn changes_that_do_not_broaden_deploy_without_asking_by_default() {
    let moto = Moto::start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let v1 = assembly(&small_app("Small", None), &dir.join("v1"));
    let v2 = assembly(&small_app("Small", Some("more")), &dir.join("v2"));
    let app = |a: &std::path::Path| a.display().to_string();
    // A new stack without IAM or network rules does not broaden access.
    run_in(&moto, dir, &app(&v1), &["deploy"]).expect(0);
    let r = run_in(&moto, dir, &app(&v2), &["deploy", "Small"]).expect(0);
    assert!(
        r.stdout.contains("[+] AWS::SSM::Parameter Extra"),
        "{}",
        r.stdout
    );
    // any-change asks even so.
    let v3 = assembly(&small_app("Small", Some("again")), &dir.join("v3"));
    let r = run_in(
        &moto,
        dir,
        &app(&v3),
        &["deploy", "--require-approval", "any-change"],
    )
    .expect(1);
    assert!(
        r.stderr.contains("--require-approval any-change"),
        "{}",
        r.stderr
    );
}

#[test]
fn destroy_asks_unless_forced_and_deletes() {
    let moto = Moto::start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let v1 = assembly(&small_app("Doomed", None), &dir.join("v1"));
    let app = v1.display().to_string();
    run_in(&moto, dir, &app, &["deploy", "--require-approval", "never"]).expect(0);

    let r = run_in(&moto, dir, &app, &["destroy"]).expect(2);
    assert!(r.stderr.contains("pass --force"), "{}", r.stderr);
    let r = run_in_terminal(&in_region(&moto.endpoint(), dir, &app, &["destroy"]), "n\n");
    assert_eq!(r.code, 1, "{}", r.all());
    let r = run_in(&moto, dir, &app, &["diff"]).expect(0);
    assert!(
        r.stdout.contains("There were no differences"),
        "declining keeps the stack: {}",
        r.stdout
    );

    let r = run_in(&moto, dir, &app, &["destroy", "--force"]).expect(0);
    assert!(r.stderr.contains("Doomed: destroyed"), "{}", r.stderr);
    let r = run_in(&moto, dir, &app, &["diff"]).expect(0);
    assert!(
        r.stdout.contains("Stack Doomed (new)"),
        "gone: {}",
        r.stdout
    );
    // Destroying what is not there is not an error.
    let r = run_in(&moto, dir, &app, &["destroy", "--force"]).expect(0);
    assert!(r.stderr.contains("does not exist"), "{}", r.stderr);
}

#[test]
fn deploy_without_region_or_credentials_says_what_to_do() {
    let moto = Moto::start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let v1 = assembly(&small_app("Small", None), &dir.join("v1"));
    let app = v1.display().to_string();

    let r = run(synth(&moto.endpoint(), dir)
        .env_remove("AWS_REGION")
        .args(["--app", &app, "deploy"]))
    .expect(2);
    assert!(r.stderr.contains("region/<aws-region>"), "{}", r.stderr);
    let r = run(synth(&moto.endpoint(), dir)
        .env_remove("AWS_REGION")
        .args(["--app", &app, "diff"]))
    .expect(2);
    assert!(r.stderr.contains("--region"), "{}", r.stderr);

    let r = run(synth(&moto.endpoint(), dir)
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .args([
            "--app",
            &app,
            "--region",
            "us-east-1",
            "deploy",
            "--require-approval",
            "never",
        ]))
    .expect(1);
    assert!(
        r.stderr.contains("no AWS credentials were found"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);

    // Nothing listens: a clear sentence, exit 1, no hang (retries are bounded).
    let r = run(synth("http://127.0.0.1:9", dir).args([
        "--app",
        &app,
        "--region",
        "us-east-1",
        "diff",
    ]))
    .expect(1);
    assert!(
        r.stderr.contains("cannot reach http://127.0.0.1:9"),
        "{}",
        r.stderr
    );
}

#[test]
fn unknown_stacks_and_bad_parameters_are_usage_errors() {
    let moto = Moto::start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let v1 = assembly(&small_app("Small", None), &dir.join("v1"));
    let app = v1.display().to_string();
    let r = run_in(&moto, dir, &app, &["deploy", "Nope"]).expect(2);
    assert!(
        r.stderr.contains("Small"),
        "lists the known stacks: {}",
        r.stderr
    );
    let r = run_in(&moto, dir, &app, &["deploy", "--parameters", "novalue"]).expect(2);
    assert!(r.stderr.contains("KEY=VALUE"), "{}", r.stderr);
    let r = run_in(&moto, dir, &app, &["deploy", "--parameters", "Other:K=V"]).expect(2);
    assert!(
        r.stderr
            .contains("stack Other, which is not being deployed"),
        "{}",
        r.stderr
    );
    let r = run_in(&moto, dir, &app, &["diff", "--template", "x.json"]).expect(2);
    assert!(
        r.stderr.contains("--template compares with one stack"),
        "{}",
        r.stderr
    );
}

/// Creates an S3 bucket on the endpoint with a raw `PUT /bucket`.
fn create_bucket(endpoint: &str, bucket: &str) {
    use synth_tests::http::{send, RawRequest};
    let response = send(
        endpoint,
        &RawRequest {
            method: "PUT".into(),
            target: format!("/{bucket}"),
            headers: vec![
                (
                    "Authorization".into(),
                    "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000".into(),
                ),
                ("X-Amz-Date".into(), "20240101T000000Z".into()),
            ],
            body: Vec::new(),
        },
    )
    .expect("PUT bucket");
    assert!(response.status < 300, "create bucket: {}", response.status);
}

#[test]
fn templates_over_the_inline_limit_go_through_s3() {
    use synth::prelude::*;
    let moto = Moto::start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut app = App::new();
    let s = app.stack("Large");
    for i in 0..45 {
        s.add(
            &format!("Setting{i}"),
            RawResource::new("AWS::SSM::Parameter")
                .property("Type", "String")
                .property("Value", "x".repeat(1200)),
        );
    }
    let large = assembly(&app, &dir.join("large"));
    let app_dir = large.display().to_string();

    let r = run_in(
        &moto,
        dir,
        &app_dir,
        &["deploy", "--require-approval", "never"],
    )
    .expect(2);
    assert!(
        r.stderr
            .contains("over the 51200 bytes CloudFormation takes inline; pass --template-bucket"),
        "{}",
        r.stderr
    );

    create_bucket(&moto.endpoint(), "templates");
    let r = run_in(
        &moto,
        dir,
        &app_dir,
        &[
            "deploy",
            "--require-approval",
            "never",
            "--template-bucket",
            "templates",
        ],
    )
    .expect(0);
    assert!(r.stderr.contains("Large: deployed"), "{}", r.stderr);
    let r = run_in(&moto, dir, &app_dir, &["diff", "--fail"]).expect(0);
    assert!(
        r.stdout.contains("There were no differences"),
        "{}",
        r.stdout
    );
}

#[test]
fn stacks_pinned_to_another_region_are_not_touched() {
    let moto = Moto::start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut app = small_app("Pinned", None);
    app.get_stack("Pinned").unwrap().region("eu-west-1");
    let out = assembly(&app, &dir.join("out"));
    let app_dir = out.display().to_string();
    for command in [
        &["deploy", "--require-approval", "never"][..],
        &["destroy", "--force"],
        &["diff"],
    ] {
        let r = run_in(&moto, dir, &app_dir, command).expect(2);
        assert!(
            r.stderr.contains(
                "stack Pinned is pinned to region eu-west-1, but the region in force is us-east-1"
            ),
            "{command:?}: {}",
            r.stderr
        );
        assert!(r.stderr.contains("region/eu-west-1"), "{}", r.stderr);
    }
    // Offline comparisons need no region at all.
    run(synth(&moto.endpoint(), dir).args(["--app", &app_dir, "diff", "--against", &app_dir]))
        .expect(0);
}
