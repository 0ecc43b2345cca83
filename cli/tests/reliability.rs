//! Faults a GitLab pipeline meets, through the built binary: a good deploy
//! is not reported as failed when following it meets throttling or lost
//! connections (a fault-injecting proxy in front of moto), a lost answer
//! to ExecuteChangeSet is not a failure (a scripted server plays the SDK's
//! retry finding the change set executing), an endpoint that never answers
//! cannot hold an operation past `--timeout`, nothing is left behind when
//! approval cannot be given, and errors say what happened (HTTP status and
//! endpoint, web identity problems) without echoing secrets. Each case
//! asserts the exit code, the message, the time taken where it matters,
//! and the state left.

mod support;

use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use support::{assembly, run, small_app, synth};
use synth_tests::proxy::{Fault, Proxy};
use synth_tests::scripted::{self, ChangeSet, ResourceChange, Response, Scripted, StackEvent};
use synth_tests::servers::Moto;

const STACK: &str = "Small";

/// `synth --app <small app> --region us-east-1 ARGS...` against `endpoint`.
fn synth_small(endpoint: &str, args: &[&str]) -> (support::Run, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    let app = assembly(&small_app(STACK, None), &tmp.path().join("a"));
    let mut cmd = synth(endpoint, tmp.path());
    cmd.args(["--app", app.to_str().unwrap(), "--region", "us-east-1"])
        .args(args);
    (run(&mut cmd), tmp)
}

fn deploy_never(endpoint: &str, extra: &[&str]) -> support::Run {
    let mut args = vec!["deploy", "--require-approval", "never"];
    args.extend_from_slice(extra);
    synth_small(endpoint, &args).0
}

fn moto_status(moto: &Moto, stack: &str) -> Option<String> {
    let r =
        synth_tests::http::cfn_call(&moto.endpoint(), "DescribeStacks", &[("StackName", stack)])
            .expect("moto answers");
    synth_tests::xml::first(&r.text(), "StackStatus")
}

#[test]
fn throttling_while_following_does_not_fail_a_good_deploy() {
    let moto = Moto::start();
    let proxy = Proxy::start(&moto.endpoint());
    // More throttles than the SDK's six attempts of one call: the follow
    // loop must ride them out. The first DescribeStackEvents (before the
    // change set runs) goes through.
    proxy.inject(
        Fault::Throttle
            .times(9)
            .only("DescribeStackEvents")
            .after(1),
    );
    let r = deploy_never(&proxy.endpoint(), &[]).expect(0);
    assert!(r.stderr.contains("Small: deployed"), "{}", r.stderr);
    assert_eq!(proxy.injected_count(), 9, "every throttle was met");
    assert_eq!(
        moto_status(&moto, STACK).as_deref(),
        Some("CREATE_COMPLETE")
    );
}

#[test]
fn dropped_connections_while_following_do_not_fail_a_good_deploy() {
    let moto = Moto::start();
    let proxy = Proxy::start(&moto.endpoint());
    // DescribeStacks: the first two calls (status before the deploy) go
    // through; then eight dropped connections while following.
    proxy.inject(Fault::Drop.times(8).only("DescribeStacks").after(2));
    let r = deploy_never(&proxy.endpoint(), &[]).expect(0);
    assert!(r.stderr.contains("Small: deployed"), "{}", r.stderr);
    assert!(
        !r.stderr.contains("Unknown"),
        "no SDK fragments: {}",
        r.stderr
    );
    assert_eq!(proxy.injected_count(), 8);
}

/// A scripted stack whose ExecuteChangeSet answer is lost once (the
/// change set runs anyway) and whose retry meets InvalidChangeSetStatus.
fn lost_execute_answer() -> Scripted {
    let executed = Arc::new(AtomicBool::new(false));
    let (seen, set) = (Arc::clone(&executed), Arc::clone(&executed));
    let seen_cs = Arc::clone(&executed);
    let calls = Arc::new(AtomicUsize::new(0));
    Scripted::builder()
        .on_fn("DescribeStacks", move |_| {
            if seen.load(Ordering::SeqCst) {
                scripted::stack_in(STACK, "CREATE_COMPLETE")
            } else {
                scripted::stack_does_not_exist(STACK)
            }
        })
        .on(
            "DescribeStackEvents",
            [scripted::describe_stack_events(&[StackEvent::stack(STACK, "CREATE_COMPLETE", 5)])],
        )
        .on("CreateChangeSet", [scripted::create_change_set(STACK, "synth")])
        .on_fn("DescribeChangeSet", move |_| {
            let cs = ChangeSet::new(STACK, "synth")
                .with_change(ResourceChange::add("Queue", "AWS::SQS::Queue"));
            let cs = if seen_cs.load(Ordering::SeqCst) {
                cs.with_status("CREATE_COMPLETE", "EXECUTE_COMPLETE")
            } else {
                cs
            };
            scripted::describe_change_set(&cs)
        })
        .on_fn("ExecuteChangeSet", move |_| {
            set.store(true, Ordering::SeqCst);
            if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                Response::drop_connection()
            } else {
                Response::error(
                    400,
                    "InvalidChangeSetStatus",
                    "ChangeSet [synth] cannot be executed in its current status of [EXECUTE_COMPLETE]",
                )
            }
        })
        .start()
}

#[test]
fn a_lost_answer_to_execute_change_set_is_not_a_failed_deploy() {
    let server = lost_execute_answer();
    let r = deploy_never(&server.endpoint(), &[]).expect(0);
    assert!(r.stderr.contains("Small: deployed"), "{}", r.stderr);
    let executes = server.requests_for("ExecuteChangeSet");
    assert!(executes.len() >= 2, "retried: {}", executes.len());
    let token = executes[0].param("ClientRequestToken").map(str::to_owned);
    assert!(
        token.is_some(),
        "a request token makes retries one execution"
    );
    assert_eq!(
        executes[1].param("ClientRequestToken").map(str::to_owned),
        token
    );
    server.assert_no_script_panics();
}

/// A TCP server that accepts connections and never answers.
fn silent_endpoint() -> (String, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().take(64).flatten() {
            held.push(stream);
        }
    });
    (endpoint, handle)
}

#[test]
fn an_endpoint_that_never_answers_is_bounded_by_the_timeout() {
    let (endpoint, _server) = silent_endpoint();
    for args in [
        vec!["deploy", "--require-approval", "never", "--timeout", "4"],
        vec!["destroy", "--force", "--timeout", "4"],
        vec!["diff", "--timeout", "4"],
    ] {
        let started = Instant::now();
        let (r, _tmp) = synth_small(&endpoint, &args);
        let took = started.elapsed();
        let r = r.expect(1);
        assert!(
            r.stderr.contains("did not finish before the deadline"),
            "{args:?}: {}",
            r.stderr
        );
        assert!(
            took < Duration::from_secs(12),
            "{args:?} took {took:?} with --timeout 4"
        );
    }
}

#[test]
fn without_a_terminal_a_needed_approval_leaves_nothing_behind() {
    let moto = Moto::start();
    let (r, _tmp) = synth_small(
        &moto.endpoint(),
        &["deploy", "--require-approval", "any-change"],
    );
    let r = r.expect(1);
    assert!(
        r.stderr.contains("there is no terminal to ask on"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("Small: its change set and the review stack were deleted"),
        "{}",
        r.stderr
    );
    let status = moto_status(&moto, STACK);
    assert!(
        status.is_none() || status.as_deref() == Some("DELETE_COMPLETE"),
        "left behind: {status:?}"
    );
}

#[test]
fn destroy_deletes_a_stack_left_in_review() {
    let deleted = Arc::new(AtomicBool::new(false));
    let (seen, set) = (Arc::clone(&deleted), Arc::clone(&deleted));
    let server = Scripted::builder()
        .on_fn("DescribeStacks", move |_| {
            if seen.load(Ordering::SeqCst) {
                scripted::stack_does_not_exist(STACK)
            } else {
                scripted::review_in_progress(STACK)
            }
        })
        .on(
            "DescribeStackEvents",
            [scripted::describe_stack_events(&[])],
        )
        .on_fn("DeleteStack", move |_| {
            set.store(true, Ordering::SeqCst);
            scripted::delete_stack()
        })
        .start();
    let (r, _tmp) = synth_small(&server.endpoint(), &["destroy", "--force"]);
    let r = r.expect(0);
    assert!(r.stderr.contains("Small: destroyed"), "{}", r.stderr);
    assert_eq!(server.count("DeleteStack"), 1);
    server.assert_no_script_panics();
}

#[test]
fn an_html_error_page_names_the_status_and_the_endpoint() {
    let page = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    let server = Scripted::builder()
        .fallback(move |_| Response::raw(502, page).with_header("Content-Type", "text/html"))
        .start();
    let (r, _tmp) = synth_small(
        &server.endpoint(),
        &["deploy", "--require-approval", "never", "--timeout", "60"],
    );
    let r = r.expect(1);
    let expected = format!("{} answered HTTP 502 Bad Gateway", server.endpoint());
    assert!(r.stderr.contains(&expected), "{}", r.stderr);
    assert!(
        !r.stderr.contains("Error: \n") && !r.stderr.trim_end().ends_with("Error:"),
        "{}",
        r.stderr
    );
}

#[test]
fn web_identity_problems_are_told_apart_from_missing_credentials() {
    let server = Scripted::builder()
        .on(
            "AssumeRoleWithWebIdentity",
            [Response::error(
                403,
                "AccessDenied",
                "Not authorized to perform sts:AssumeRoleWithWebIdentity",
            )],
        )
        .start();
    let tmp = tempfile::tempdir().unwrap();
    let app = assembly(&small_app(STACK, None), &tmp.path().join("a"));
    let token = tmp.path().join("token");
    let oidc = |token_file: &std::path::Path| {
        let mut cmd = synth(&server.endpoint(), tmp.path());
        cmd.env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env(
                "AWS_ROLE_ARN",
                "arn:aws:iam::123456789012:role/gitlab-deploy",
            )
            .env("AWS_WEB_IDENTITY_TOKEN_FILE", token_file)
            .args([
                "--app",
                app.to_str().unwrap(),
                "--region",
                "us-east-1",
                "diff",
            ]);
        run(&mut cmd)
    };
    let r = oidc(&token).expect(1);
    assert!(
        r.stderr.contains(&format!(
            "the web identity token file {} (AWS_WEB_IDENTITY_TOKEN_FILE) does not exist",
            token.display()
        )),
        "{}",
        r.stderr
    );
    std::fs::write(&token, "eyJ.token.sig").unwrap();
    let r = oidc(&token).expect(1);
    assert!(
        r.stderr.contains("STS did not let the web identity token assume arn:aws:iam::123456789012:role/gitlab-deploy"),
        "{}",
        r.stderr
    );
    assert!(
        !r.stderr.contains("eyJ.token.sig"),
        "the token is not shown"
    );
}

#[test]
fn bad_inputs_are_refused_clearly_and_never_echo_values() {
    let moto = Moto::start();
    // A malformed --parameters item may be a secret: never repeated.
    let (r, _tmp) = synth_small(
        &moto.endpoint(),
        &["deploy", "--parameters", "hunter2-secret"],
    );
    let r = r.expect(2);
    assert!(
        r.stderr.contains("--parameters item 1 has no '='"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("hunter2"), "{}", r.stderr);

    // --timeout beyond any clock: no overflow panic, the deploy runs.
    let r = deploy_never(&moto.endpoint(), &["--timeout", "18446744073709551615"]).expect(0);
    assert!(r.stderr.contains("Small: deployed"), "{}", r.stderr);

    // A blank SYNTH_TIMEOUT (an empty CI/CD variable) is unset.
    let tmp = tempfile::tempdir().unwrap();
    let app = assembly(&small_app(STACK, None), &tmp.path().join("a"));
    let r = run(synth(&moto.endpoint(), tmp.path())
        .env("SYNTH_TIMEOUT", "")
        .args([
            "--app",
            app.to_str().unwrap(),
            "--region",
            "us-east-1",
            "diff",
        ]))
    .expect(0);
    assert!(
        r.stdout.contains("There were no differences"),
        "{}",
        r.stdout
    );

    // --app naming an assembly that was never synthesized.
    let r = run(synth(&moto.endpoint(), tmp.path()).args([
        "--app",
        "out",
        "--region",
        "us-east-1",
        "list",
    ]))
    .expect(2);
    assert!(
        r.stderr
            .contains("the app `out` is neither a cloud assembly directory"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("127"), "{}", r.stderr);
}

#[test]
fn quiet_deploys_print_no_diff_and_no_events() {
    let moto = Moto::start();
    let (r, _tmp) = synth_small(
        &moto.endpoint(),
        &[
            "-q",
            "deploy",
            "--require-approval",
            "never",
            "--progress",
            "events",
        ],
    );
    let r = r.expect(0);
    assert!(!r.stdout.contains("Resources"), "no diff: {}", r.stdout);
    assert!(
        !r.stderr.contains("CREATE_IN_PROGRESS"),
        "no events: {}",
        r.stderr
    );
}

#[test]
fn a_failed_deploy_keeps_the_outputs_file_and_its_own_cause() {
    let server = Scripted::builder()
        .on("DescribeStacks", [scripted::stack_does_not_exist(STACK)])
        .on(
            "CreateChangeSet",
            [Response::validation_error("Template format error: boom")],
        )
        .start();
    let tmp = tempfile::tempdir().unwrap();
    let outputs = tmp.path().join("outputs.json");
    std::fs::write(&outputs, "{\"Small\": {\"QueueUrl\": \"kept\"}}\n").unwrap();
    let r = deploy_never(
        &server.endpoint(),
        &["--outputs-file", outputs.to_str().unwrap()],
    )
    .expect(1);
    assert!(
        r.stderr.contains("Template format error: boom"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_to_string(&outputs).unwrap(),
        "{\"Small\": {\"QueueUrl\": \"kept\"}}\n",
        "the last good outputs stay"
    );
    // An unwritable outputs file does not hide the deploy's cause.
    let r = deploy_never(
        &server.endpoint(),
        &["--outputs-file", "/nonexistent/dir/outputs.json"],
    )
    .expect(1);
    assert!(
        r.stderr.contains("Template format error: boom"),
        "{}",
        r.stderr
    );
}

/// Starts `synth ... deploy` against `endpoint` in the background.
fn spawn_deploy(endpoint: &str, dir: &std::path::Path) -> std::process::Child {
    let app = assembly(&small_app(STACK, None), &dir.join("a"));
    let mut cmd = synth(endpoint, dir);
    cmd.args(["--app", app.to_str().unwrap(), "--region", "us-east-1"])
        .args(["deploy", "--require-approval", "never"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    cmd.spawn().expect("synth starts")
}

/// Waits until `server` has seen `action` (at most 20 s), then sends
/// `signal` to `child` and collects its output.
fn interrupt_after(
    server: &Scripted,
    action: &str,
    child: std::process::Child,
    signal: &str,
) -> (i32, String, Duration) {
    let started = Instant::now();
    while server.count(action) == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{action} never came"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let sent = Instant::now();
    let killed = std::process::Command::new("kill")
        .args([format!("-{signal}"), child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let out = child.wait_with_output().expect("synth ends");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        sent.elapsed(),
    )
}

#[test]
fn an_interrupt_while_the_change_set_is_prepared_deletes_it_and_the_review_stack() {
    let server = Scripted::builder()
        .on("DescribeStacks", [scripted::stack_does_not_exist(STACK)])
        .on(
            "CreateChangeSet",
            [scripted::create_change_set(STACK, "synth")],
        )
        .on(
            "DescribeChangeSet",
            [scripted::change_set_in_progress(STACK, "synth")],
        )
        .on("DeleteChangeSet", [scripted::delete_change_set()])
        .on("DeleteStack", [scripted::delete_stack()])
        .start();
    let tmp = tempfile::tempdir().unwrap();
    let child = spawn_deploy(&server.endpoint(), tmp.path());
    let (code, stderr, took) = interrupt_after(&server, "DescribeChangeSet", child, "INT");
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("interrupted (SIGINT); the deploy stopped"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Small: deleted its change set and review stack; nothing was deployed"),
        "{stderr}"
    );
    assert!(took < Duration::from_secs(10), "took {took:?}");
    let created = server.requests_for("CreateChangeSet")[0]
        .param("ChangeSetName")
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        server.requests_for("DeleteChangeSet")[0].param("ChangeSetName"),
        Some(created.as_str())
    );
    assert_eq!(server.count("DeleteStack"), 1);
    assert_eq!(server.count("ExecuteChangeSet"), 0);
    server.assert_no_script_panics();
}

#[test]
fn a_termination_while_the_stack_updates_says_it_keeps_running() {
    let executed = Arc::new(AtomicBool::new(false));
    let (seen, set) = (Arc::clone(&executed), Arc::clone(&executed));
    let server = Scripted::builder()
        .on_fn("DescribeStacks", move |_| {
            if seen.load(Ordering::SeqCst) {
                scripted::stack_in(STACK, "CREATE_IN_PROGRESS")
            } else {
                scripted::stack_does_not_exist(STACK)
            }
        })
        .on(
            "DescribeStackEvents",
            [scripted::describe_stack_events(&[])],
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
        .start();
    let tmp = tempfile::tempdir().unwrap();
    let child = spawn_deploy(&server.endpoint(), tmp.path());
    let (code, stderr, _) = interrupt_after(&server, "ExecuteChangeSet", child, "TERM");
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("interrupted (SIGTERM)"), "{stderr}");
    assert!(
        stderr
            .contains("Small: still CREATE_IN_PROGRESS in CloudFormation; it finishes on its own"),
        "{stderr}"
    );
    assert_eq!(
        server.count("DeleteChangeSet"),
        0,
        "an executed change set is not touched"
    );
    server.assert_no_script_panics();
}

#[test]
fn a_near_miss_region_branch_is_refused_by_deploy_and_warned_about_by_diff() {
    let moto = Moto::start();
    let tmp = tempfile::tempdir().unwrap();
    let app = assembly(&small_app(STACK, None), &tmp.path().join("a"));
    let on_branch = |args: &[&str]| {
        let mut cmd = synth(&moto.endpoint(), tmp.path());
        // AWS_REGION (us-east-1) is set by the harness: the fallback.
        cmd.env("CI_COMMIT_REF_NAME", "Region/us-east-2")
            .args(["--app", app.to_str().unwrap()])
            .args(args);
        run(&mut cmd)
    };
    let r = on_branch(&["deploy", "--require-approval", "never"]).expect(2);
    assert!(
        r.stderr
            .contains("branch `Region/us-east-2` (CI_COMMIT_REF_NAME) looks like a region branch"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("pass --region us-east-1 to act there on purpose"),
        "{}",
        r.stderr
    );
    assert_eq!(moto_status(&moto, STACK), None, "nothing was deployed");

    let r = on_branch(&["diff"]).expect(0);
    assert!(
        r.stderr.contains(
            "warning: branch `Region/us-east-2` (CI_COMMIT_REF_NAME) looks like a region branch"
        ) && r.stderr.contains("using us-east-1 (from AWS_REGION)"),
        "{}",
        r.stderr
    );

    // Named on purpose, it deploys, and says where.
    let r = on_branch(&[
        "--region",
        "us-east-1",
        "deploy",
        "--require-approval",
        "never",
    ])
    .expect(0);
    assert!(
        r.stderr.contains("deploying to us-east-1 (from --region)"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_template_upload_that_never_answers_is_bounded_by_the_timeout() {
    use synth::prelude::*;
    let moto = Moto::start();
    let proxy = Proxy::start(&moto.endpoint());
    let tmp = tempfile::tempdir().unwrap();
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
    let large = assembly(&app, &tmp.path().join("large"));
    // The first request (DescribeStacks) passes; the next is the S3
    // upload of the template, which then gets no answer for ten minutes.
    proxy.inject(Fault::Delay(Duration::from_secs(600)).times(1).after(1));
    let started = Instant::now();
    let r = run(synth(&proxy.endpoint(), tmp.path()).args([
        "--app",
        large.to_str().unwrap(),
        "--region",
        "us-east-1",
        "deploy",
        "--require-approval",
        "never",
        "--template-bucket",
        "templates",
        "--timeout",
        "4",
    ]))
    .expect(1);
    let took = started.elapsed();
    assert!(
        r.stderr
            .contains("the deployment of stack Large did not finish before the deadline"),
        "{}",
        r.stderr
    );
    assert!(
        took < Duration::from_secs(12),
        "took {took:?} with --timeout 4"
    );
    // The delay was taken up by the upload (still waiting, so not yet
    // recorded as an exchange); CloudFormation was never asked.
    assert_eq!(proxy.rules()[0].times, Some(0), "{:?}", proxy.rules());
    assert_eq!(proxy.request_count(), 2);
}

#[test]
fn a_malformed_answer_says_so_and_names_the_endpoint() {
    let server = Scripted::builder()
        .fallback(|_| {
            Response::raw(200, "this is not XML at all").with_header("Content-Type", "text/xml")
        })
        .start();
    let (r, _tmp) = synth_small(&server.endpoint(), &["diff", "--timeout", "30"]);
    let r = r.expect(1);
    let expected = format!(
        "{} answered HTTP 200 with a body that is not an AWS answer",
        server.endpoint()
    );
    assert!(r.stderr.contains(&expected), "{}", r.stderr);
}

#[test]
fn an_unreadable_checkout_is_refused_by_deploy_and_a_duplicate_key_template_by_diff() {
    let moto = Moto::start();
    let tmp = tempfile::tempdir().unwrap();
    let app = assembly(&small_app(STACK, None), &tmp.path().join("a"));
    // A repository whose HEAD cannot be read: the branch, which might name
    // a region, is unknown.
    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(repo.join(".git/objects")).unwrap();
    std::fs::create_dir_all(repo.join(".git/refs/heads")).unwrap();
    std::fs::write(repo.join(".git/HEAD"), "ref: \n").unwrap();
    let mut cmd = synth(&moto.endpoint(), &repo);
    cmd.args([
        "--app",
        app.to_str().unwrap(),
        "deploy",
        "--require-approval",
        "never",
    ]);
    let r = run(&mut cmd).expect(2);
    assert!(
        r.stderr.contains("the git checkout could not be read"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("pass --region us-east-1 to act there on purpose"),
        "{}",
        r.stderr
    );
    assert_eq!(moto_status(&moto, STACK), None);

    // A template file with a key twice: refused, as CloudFormation does.
    let dup = tmp.path().join("dup.json");
    std::fs::write(&dup, r#"{"Resources": {"Queue": {"Type": "AWS::SQS::Queue"}, "Queue": {"Type": "AWS::SNS::Topic"}}}"#).unwrap();
    let r = run(synth(&moto.endpoint(), tmp.path()).args([
        "--app",
        app.to_str().unwrap(),
        "diff",
        "--template",
        dup.to_str().unwrap(),
        STACK,
    ]))
    .expect(2);
    assert!(r.stderr.contains("duplicate key `Queue`"), "{}", r.stderr);
}

/// Waits until the proxy has passed `action` (at most 60 s).
fn wait_for(proxy: &Proxy, action: &str) {
    let started = Instant::now();
    while proxy.count(action) == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{action} never came"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn sigkill_during_a_deploy_leaves_a_stack_the_next_deploy_and_destroy_handle() {
    let ls = synth_tests::servers::LocalStack::start();
    let tmp = tempfile::tempdir().unwrap();
    // SSM parameters only: LocalStack here runs no SQS.
    let parameters = |value: &str| {
        use synth::prelude::*;
        let mut app = App::new();
        app.stack(STACK).add(
            "Setting",
            RawResource::new("AWS::SSM::Parameter")
                .property("Type", "String")
                .property("Value", value),
        );
        app
    };
    let app = assembly(&parameters("one"), &tmp.path().join("a"));
    let changed = assembly(&parameters("two"), &tmp.path().join("b"));
    let deploy = |endpoint: &str, app: &std::path::Path, extra: &[&str]| {
        let mut cmd = synth(endpoint, tmp.path());
        cmd.args(["--app", app.to_str().unwrap(), "--region", "us-east-1"])
            .args(["deploy", "--require-approval", "never"])
            .args(extra);
        cmd
    };
    let killed_at = |action: &str, app: &std::path::Path| {
        let proxy = Proxy::start(&ls.endpoint());
        let mut child = deploy(&proxy.endpoint(), app, &[])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        wait_for(&proxy, action);
        child.kill().unwrap();
        child.wait().unwrap();
    };

    // Killed once its change set exists: the stack waits in review; the
    // next deploy creates it from there.
    killed_at("CreateChangeSet", &app);
    let r = run(&mut deploy(&ls.endpoint(), &app, &[])).expect(0);
    assert!(r.stderr.contains("Small: deployed"), "{}", r.stderr);

    // Killed right after executing an update: the update goes on in
    // CloudFormation; the next deploy waits for it (--wait-busy) and
    // finds nothing left to do.
    killed_at("ExecuteChangeSet", &changed);
    let r = run(&mut deploy(&ls.endpoint(), &changed, &["--wait-busy"])).expect(0);
    assert!(
        r.stderr.contains("Small: no changes") || r.stderr.contains("Small: deployed"),
        "{}",
        r.stderr
    );

    // Killed while preparing again, then destroyed: destroy deletes the
    // stack whatever the change set left.
    killed_at("CreateChangeSet", &app);
    let mut destroy = synth(&ls.endpoint(), tmp.path());
    destroy.args([
        "--app",
        app.to_str().unwrap(),
        "--region",
        "us-east-1",
        "destroy",
        "--force",
    ]);
    let r = run(&mut destroy);
    let r = r.expect(0);
    assert!(r.stderr.contains("Small: destroyed"), "{}", r.stderr);
}
