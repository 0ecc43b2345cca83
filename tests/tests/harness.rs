//! Proves the test harness itself, without the synth CLI: the emulators
//! start on loopback, answer the CloudFormation Query API and die with
//! their handles (and with the test process); the scripted server answers
//! what it was told, in the shape moto and LocalStack answer, and records
//! requests; the proxy injects each fault and forwards everything else.

use std::collections::BTreeSet;
use std::io::{BufReader, ErrorKind};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use synth_tests::http::{self, RawResponse};
use synth_tests::proxy::{Fault, Outcome, Proxy};
use synth_tests::scripted::{
    self, ChangeDetail, ChangeSet, ResourceChange, Response, Scripted, Stack, StackEvent,
};
use synth_tests::servers::{self, LocalStack, Moto};
use synth_tests::xml;

/// One moto for the tests that only read, or write under names of their
/// own: never reset it. The watchdog kills it when the test binary exits
/// (statics are never dropped).
fn shared_moto() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(|| {
        let moto = Moto::start();
        eprintln!("moto started in {:?}", moto.startup_time());
        moto
    })
}

/// An SSM parameter (moto needs its Name) with an exported output.
fn template(param_name: &str, value: &str) -> String {
    serde_json::json!({
        "Description": "harness test stack",
        "Parameters": {"Value": {"Type": "String", "Default": value, "Description": "the value"}},
        "Resources": {"Param": {"Type": "AWS::SSM::Parameter",
            "Properties": {"Name": param_name, "Type": "String", "Value": {"Ref": "Value"}}}},
        "Outputs": {"ParamName": {"Value": {"Ref": "Param"}, "Description": "the name",
            "Export": {"Name": format!("{param_name}-export")}}}
    })
    .to_string()
}

fn call(endpoint: &str, action: &str, params: &[(&str, &str)]) -> RawResponse {
    http::cfn_call(endpoint, action, params)
        .unwrap_or_else(|e| panic!("{action} to {endpoint}: {e}"))
}

fn call_ok(endpoint: &str, action: &str, params: &[(&str, &str)]) -> String {
    let resp = call(endpoint, action, params);
    assert_eq!(resp.status, 200, "{action}: {}", resp.text());
    resp.text()
}

fn error_code(resp: &RawResponse) -> (u16, String, String) {
    let body = resp.text();
    (
        resp.status,
        xml::first(&body, "Code").unwrap_or_default(),
        xml::first(&body, "Message").unwrap_or_default(),
    )
}

/// Whether any process of the group is alive (zombies are dead).
fn group_alive(pgid: u32) -> bool {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/stat")).ok())
        .any(|stat| {
            let after = &stat[stat.rfind(')').unwrap() + 1..];
            let f: Vec<&str> = after.split_whitespace().collect();
            f.get(2).and_then(|g| g.parse::<u32>().ok()) == Some(pgid) && f[0] != "Z" && f[0] != "X"
        })
}

fn wait_until(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < timeout, "{what} within {timeout:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn moto_answers_the_query_api_unsigned_and_resets() {
    let moto = Moto::start();
    eprintln!("moto started in {:?}", moto.startup_time());
    moto.assert_loopback_only();
    let ep = moto.endpoint();
    let body = template("/harness/reset", "one");

    let validated = call_ok(&ep, "ValidateTemplate", &[("TemplateBody", &body)]);
    assert_eq!(
        xml::first(&validated, "Description").as_deref(),
        Some("harness test stack")
    );

    let created = call_ok(
        &ep,
        "CreateStack",
        &[("StackName", "reset-me"), ("TemplateBody", &body)],
    );
    assert!(xml::first(&created, "StackId")
        .unwrap()
        .contains(":stack/reset-me/"));
    let described = call_ok(&ep, "DescribeStacks", &[("StackName", "reset-me")]);
    assert_eq!(
        xml::first(&described, "StackStatus").as_deref(),
        Some("CREATE_COMPLETE")
    );
    assert_eq!(
        xml::first(&described, "OutputValue").as_deref(),
        Some("/harness/reset")
    );
    assert_eq!(
        xml::first(&described, "ExportName").as_deref(),
        Some("/harness/reset-export")
    );

    let missing = call(&ep, "DescribeStacks", &[("StackName", "no-such-stack")]);
    assert_eq!(
        error_code(&missing),
        (
            400,
            "ValidationError".into(),
            "Stack with id no-such-stack does not exist".into()
        )
    );

    moto.reset();
    let after = call_ok(&ep, "DescribeStacks", &[]);
    assert!(xml::all(&after, "StackName").is_empty(), "{after}");
}

#[test]
fn a_dropped_handle_kills_the_server() {
    let moto = Moto::start();
    let (pgid, ep) = (moto.pid(), moto.endpoint());
    assert!(group_alive(pgid));
    drop(moto);
    wait_until(
        "moto's process group dies with its handle",
        Duration::from_secs(5),
        || !group_alive(pgid),
    );
    assert!(
        http::get(&ep, "/").is_err(),
        "moto still answers after drop"
    );
}

#[test]
fn a_server_dies_with_the_test_process() {
    // A process that starts moto and exits without dropping its handle.
    let mut child = Command::new(env!("CARGO_BIN_EXE_leak-moto"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("leak-moto did not exit within 60 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut out).unwrap();
    assert!(status.success(), "leak-moto failed: {out}");
    let line = out
        .lines()
        .find_map(|l| l.split_once("LEAKED ").map(|(_, rest)| rest))
        .unwrap_or_else(|| panic!("{out}"));
    let pgid: u32 = line
        .split("pgid=")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let ep = line.split("endpoint=").nth(1).unwrap().trim().to_string();
    wait_until(
        "the leaked moto's process group dies",
        Duration::from_secs(10),
        || !group_alive(pgid),
    );
    assert!(
        http::get(&ep, "/").is_err(),
        "the leaked moto still answers"
    );
}

#[test]
fn localstack_starts_on_loopback_and_answers_like_aws() {
    if !LocalStack::installed() && std::env::var_os("SYNTH_REQUIRE_LOCALSTACK").is_none() {
        eprintln!(
            "skipped: LocalStack is not installed (run scripts/setup-localstack; \
             SYNTH_REQUIRE_LOCALSTACK=1 makes this a failure)"
        );
        return;
    }
    let ls = LocalStack::start();
    eprintln!(
        "LocalStack healthy in {:?}, answering CloudFormation in {:?}",
        ls.health_time(),
        ls.startup_time()
    );
    ls.assert_loopback_only();
    let ep = ls.endpoint();

    let health = http::get(&ep, "/_localstack/health").unwrap();
    assert_eq!(health.status, 200);
    let health: serde_json::Value = serde_json::from_slice(&health.body).unwrap();
    assert_eq!(health["version"], "4.4.0");
    for service in ["cloudformation", "iam", "ec2", "sts", "ssm"] {
        let state = health["services"][service].as_str().unwrap_or_default();
        assert!(
            matches!(state, "available" | "running"),
            "{service}: {state}"
        );
    }

    let none = call_ok(&ep, "DescribeStacks", &[]);
    assert!(xml::all(&none, "StackName").is_empty(), "{none}");
    let missing = call(&ep, "DescribeStacks", &[("StackName", "no-such-stack")]);
    assert_eq!(
        error_code(&missing),
        (
            400,
            "ValidationError".into(),
            "Stack with id no-such-stack does not exist".into()
        )
    );

    // A CREATE change set makes the stack at once (REVIEW_IN_PROGRESS); the
    // change set itself completes asynchronously, as on AWS.
    let body = template("/harness/localstack", "one");
    call_ok(
        &ep,
        "CreateChangeSet",
        &[
            ("StackName", "ls-shape"),
            ("ChangeSetName", "cs1"),
            ("ChangeSetType", "CREATE"),
            ("TemplateBody", &body),
            ("Tags.member.1.Key", "team"),
            ("Tags.member.1.Value", "platform"),
        ],
    );
    let stacks = call_ok(&ep, "DescribeStacks", &[("StackName", "ls-shape")]);
    assert_eq!(
        xml::first(&stacks, "StackStatus").as_deref(),
        Some("REVIEW_IN_PROGRESS")
    );
    let mut change_set = String::new();
    wait_until(
        "LocalStack's change set completes",
        Duration::from_secs(30),
        || {
            change_set = call_ok(
                &ep,
                "DescribeChangeSet",
                &[("StackName", "ls-shape"), ("ChangeSetName", "cs1")],
            );
            xml::first(&change_set, "Status").as_deref() == Some("CREATE_COMPLETE")
        },
    );
    assert_eq!(
        xml::first(&change_set, "ExecutionStatus").as_deref(),
        Some("AVAILABLE")
    );
    assert_eq!(xml::first(&change_set, "Action").as_deref(), Some("Add"));
    // Unlike moto, LocalStack answers a missing change set as AWS does.
    let no_cs = call(
        &ep,
        "DescribeChangeSet",
        &[("StackName", "ls-shape"), ("ChangeSetName", "nope")],
    );
    assert_eq!(
        error_code(&no_cs),
        (
            404,
            "ChangeSetNotFound".into(),
            "ChangeSet [nope] does not exist".into()
        )
    );

    // The scripted server's answers have LocalStack's shape too.
    let ours = scripted::describe_stacks(&[Stack::new("ls-shape", "REVIEW_IN_PROGRESS")
        .with_last_updated(0)
        .with_description("harness test stack")
        .with_tag("team", "platform")])
    .render("r");
    assert_same_shape(
        "DescribeStacks (LocalStack)",
        &stacks,
        &ours,
        &["NotificationARNs", "RollbackConfiguration"],
        &[],
    );
    let ours = scripted::describe_change_set(
        &ChangeSet::new("ls-shape", "cs1")
            .with_description("harness test stack")
            .with_parameter("Value", "one")
            .with_tag("team", "platform")
            .with_change(ResourceChange::add("Param", "AWS::SSM::Parameter")),
    )
    .render("r");
    assert_same_shape(
        "DescribeChangeSet (LocalStack)",
        &change_set,
        &ours,
        &["RollbackConfiguration", "Scope", "Details"],
        &["IncludeNestedStacks"],
    );

    // Executing it deploys asynchronously, with per-resource events and the
    // export in the outputs.
    call_ok(
        &ep,
        "ExecuteChangeSet",
        &[("StackName", "ls-shape"), ("ChangeSetName", "cs1")],
    );
    let mut stacks = String::new();
    wait_until(
        "LocalStack's stack reaches CREATE_COMPLETE",
        Duration::from_secs(60),
        || {
            stacks = call_ok(&ep, "DescribeStacks", &[("StackName", "ls-shape")]);
            let status = xml::first(&stacks, "StackStatus").unwrap_or_default();
            assert!(
                !status.contains("FAILED") && !status.contains("ROLLBACK"),
                "{stacks}"
            );
            status == "CREATE_COMPLETE"
        },
    );
    assert_eq!(
        xml::first(&stacks, "ExportName").as_deref(),
        Some("/harness/localstack-export")
    );
    let events = call_ok(&ep, "DescribeStackEvents", &[("StackName", "ls-shape")]);
    assert!(
        xml::all(&events, "LogicalResourceId")
            .iter()
            .any(|id| id == "Param"),
        "{events}"
    );
    let ours = scripted::describe_stack_events(&[
        StackEvent::stack("ls-shape", "CREATE_COMPLETE", 9),
        StackEvent::resource(
            "ls-shape",
            "Param",
            "AWS::SSM::Parameter",
            "CREATE_COMPLETE",
            8,
        )
        .with_physical_id("/harness/localstack"),
    ])
    .render("r");
    assert_same_shape("DescribeStackEvents (LocalStack)", &events, &ours, &[], &[]);
}

/// Asserts that two responses have the same element paths, but for
/// elements named in `theirs_only` (which `theirs` may have and `ours` not:
/// empty lists, fields no test needs) and `ours_only` (fields the other
/// server leaves out, checked against the SDK's deserializer instead).
fn assert_same_shape(
    what: &str,
    theirs: &str,
    ours: &str,
    theirs_only: &[&str],
    ours_only: &[&str],
) {
    let strip = |paths: BTreeSet<String>, skip: &[&str]| -> BTreeSet<String> {
        paths
            .into_iter()
            .filter(|p| !p.contains("ResponseMetadata"))
            .filter(|p| !p.split('/').any(|seg| skip.contains(&seg)))
            .collect()
    };
    let t = strip(xml::paths(theirs), theirs_only);
    let o = strip(xml::paths(ours), ours_only);
    let missing: Vec<_> = t.difference(&o).collect();
    let extra: Vec<_> = o.difference(&t).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{what}: the scripted server lacks {missing:?} and adds {extra:?}\ntheirs: {theirs}\nours: {ours}"
    );
}

#[test]
fn scripted_responses_have_the_shape_moto_sends() {
    let ep = shared_moto().endpoint();
    let name = "shape-check";
    let body = template("/harness/shape", "one");
    call_ok(
        &ep,
        "CreateStack",
        &[
            ("StackName", name),
            ("TemplateBody", &body),
            ("Parameters.member.1.ParameterKey", "Value"),
            ("Parameters.member.1.ParameterValue", "two"),
            ("Tags.member.1.Key", "team"),
            ("Tags.member.1.Value", "platform"),
        ],
    );

    let stack = Stack::new(name, "CREATE_COMPLETE")
        .with_description("harness test stack")
        .with_parameter("Value", "two")
        .with_tag("team", "platform");
    let mut with_output = stack.clone();
    with_output.outputs.push(scripted::Output {
        key: "ParamName".into(),
        value: "/harness/shape".into(),
        description: Some("the name".into()),
        export_name: Some("/harness/shape-export".into()),
    });
    // moto leaves out what AWS sends for drift and capabilities.
    assert_same_shape(
        "DescribeStacks",
        &call_ok(&ep, "DescribeStacks", &[("StackName", name)]),
        &scripted::describe_stacks(&[with_output]).render("r"),
        &["NotificationARNs"],
        &["DriftInformation"],
    );
    assert_same_shape(
        "DescribeStacks (a failed update)",
        &call_ok(&ep, "DescribeStacks", &[("StackName", name)]),
        &scripted::update_rollback_failed(name).render("r"),
        &[
            "NotificationARNs",
            "Parameters",
            "Tags",
            "Outputs",
            "Description",
        ],
        &["DriftInformation", "LastUpdatedTime", "StackStatusReason"],
    );
    assert_same_shape(
        "DescribeStackEvents",
        &call_ok(&ep, "DescribeStackEvents", &[("StackName", name)]),
        &scripted::describe_stack_events(&[
            StackEvent::stack(name, "CREATE_IN_PROGRESS", 0).with_reason("User Initiated"),
            StackEvent::stack(name, "CREATE_COMPLETE", 5),
        ])
        .render("r"),
        &[],
        &[],
    );
    assert_same_shape(
        "GetTemplate",
        &call_ok(&ep, "GetTemplate", &[("StackName", name)]),
        &scripted::get_template(&body).render("r"),
        &[],
        &["StagesAvailable"],
    );
    assert_same_shape(
        "ValidateTemplate",
        &call_ok(&ep, "ValidateTemplate", &[("TemplateBody", &body)]),
        &scripted::validate_template(Some("harness test stack"), &[], &[], None).render("r"),
        &["Parameters", "Capabilities", "DeclaredTransforms"],
        &[],
    );

    let changed = body.replace(r#"{"Ref":"Value"}"#, r#""literal""#);
    assert_ne!(changed, body);
    let created = call_ok(
        &ep,
        "CreateChangeSet",
        &[
            ("StackName", name),
            ("ChangeSetName", "cs1"),
            ("ChangeSetType", "UPDATE"),
            ("TemplateBody", &changed),
        ],
    );
    assert_same_shape(
        "CreateChangeSet",
        &created,
        &scripted::create_change_set(name, "cs1").render("r"),
        &[],
        &[],
    );
    let described = call_ok(
        &ep,
        "DescribeChangeSet",
        &[("StackName", name), ("ChangeSetName", "cs1")],
    );
    assert_eq!(xml::first(&described, "Action").as_deref(), Some("Modify"));
    let ours = ChangeSet::new(name, "cs1").with_change(
        ResourceChange::modify("Param", "/harness/shape", "AWS::SSM::Parameter", "False")
            .with_detail(ChangeDetail::property("Value", "Never")),
    );
    assert_same_shape(
        "DescribeChangeSet",
        &described,
        &scripted::describe_change_set(&ours).render("r"),
        &["NotificationARNs", "Parameters", "Tags"],
        &[
            "PhysicalResourceId",
            "Replacement",
            "Scope",
            "Details",
            "IncludeNestedStacks",
        ],
    );
    assert_same_shape(
        "DescribeChangeSet (no changes)",
        &described,
        &scripted::change_set_no_changes(name, "cs1").render("r"),
        &["NotificationARNs", "Parameters", "Tags", "Changes"],
        &["StatusReason", "IncludeNestedStacks", "Changes"],
    );
    assert_same_shape(
        "DeleteChangeSet",
        &call_ok(
            &ep,
            "DeleteChangeSet",
            &[("StackName", name), ("ChangeSetName", "cs1")],
        ),
        &scripted::delete_change_set().render("r"),
        &[],
        &[],
    );
    assert_same_shape(
        "error",
        &call(&ep, "DescribeStacks", &[("StackName", "shape-missing")]).text(),
        &scripted::stack_does_not_exist("shape-missing").render("r"),
        &[],
        &[],
    );
    assert_same_shape(
        "DeleteStack",
        &call_ok(&ep, "DeleteStack", &[("StackName", name)]),
        &scripted::delete_stack().render("r"),
        &[],
        &[],
    );
}

#[test]
fn scripted_server_answers_as_scripted_and_records_requests() {
    let server = Scripted::builder()
        .on("DescribeStacks", scripted::busy_then_complete("app", 2))
        .on_fn("CreateChangeSet", |req| {
            scripted::create_change_set(
                req.param("StackName").unwrap(),
                req.param("ChangeSetName").unwrap(),
            )
        })
        .on(
            "ExecuteChangeSet",
            [Response::throttling(), scripted::execute_change_set()],
        )
        .on(
            "DeleteStack",
            [Response::drop_connection(), scripted::delete_stack()],
        )
        .on(
            "GetTemplate",
            [scripted::get_template("{}").delayed(Duration::from_millis(200))],
        )
        .start();
    let ep = server.endpoint();

    let statuses: Vec<String> = (0..4)
        .map(|_| {
            xml::first(
                &call_ok(&ep, "DescribeStacks", &[("StackName", "app")]),
                "StackStatus",
            )
            .unwrap()
        })
        .collect();
    assert_eq!(
        statuses,
        [
            "UPDATE_IN_PROGRESS",
            "UPDATE_IN_PROGRESS",
            "UPDATE_COMPLETE",
            "UPDATE_COMPLETE"
        ]
    );

    let created = call_ok(
        &ep,
        "CreateChangeSet",
        &[
            ("StackName", "app"),
            ("ChangeSetName", "synth-1"),
            ("ChangeSetType", "UPDATE"),
            ("Capabilities.member.2", "CAPABILITY_NAMED_IAM"),
            ("Capabilities.member.1", "CAPABILITY_IAM"),
            ("Parameters.member.1.ParameterKey", "Env"),
            ("Parameters.member.1.ParameterValue", "prod & co"),
        ],
    );
    assert_eq!(
        xml::first(&created, "Id"),
        Some(scripted::change_set_id("app", "synth-1"))
    );
    assert_eq!(
        xml::first(&created, "StackId"),
        Some(scripted::stack_id("app"))
    );

    let throttled = call(&ep, "ExecuteChangeSet", &[("ChangeSetName", "synth-1")]);
    assert_eq!(
        error_code(&throttled),
        (400, "Throttling".into(), "Rate exceeded".into())
    );
    assert!(throttled.header("x-amzn-RequestId").is_some());
    call_ok(&ep, "ExecuteChangeSet", &[("ChangeSetName", "synth-1")]);

    let dropped = http::cfn_call(&ep, "DeleteStack", &[("StackName", "app")]);
    assert_eq!(dropped.unwrap_err().kind(), ErrorKind::UnexpectedEof);
    call_ok(&ep, "DeleteStack", &[("StackName", "app")]);

    let t = Instant::now();
    call_ok(&ep, "GetTemplate", &[("StackName", "app")]);
    assert!(t.elapsed() >= Duration::from_millis(200));

    let unscripted = call(&ep, "ListStacks", &[]);
    assert_eq!(unscripted.status, 400);
    assert_eq!(
        xml::first(&unscripted.text(), "Code").as_deref(),
        Some("UnscriptedAction")
    );
    assert!(xml::first(&unscripted.text(), "Message")
        .unwrap()
        .contains("ListStacks"));

    // Changing the script while running.
    server.set(
        "ListStacks",
        [Response::ok("ListStacks", Some("<StackSummaries/>"))],
    );
    call_ok(&ep, "ListStacks", &[]);

    assert_eq!(server.count("DescribeStacks"), 4);
    assert_eq!(server.count("ExecuteChangeSet"), 2);
    assert_eq!(server.count("DeleteStack"), 2);
    let create = &server.requests_for("CreateChangeSet")[0];
    assert_eq!(create.param("ChangeSetType"), Some("UPDATE"));
    assert_eq!(create.param("Version"), Some("2010-05-15"));
    assert_eq!(
        create.list("Capabilities"),
        ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"]
    );
    let params = create.structs("Parameters");
    assert_eq!(params[0]["ParameterKey"], "Env");
    assert_eq!(params[0]["ParameterValue"], "prod & co");
    assert_eq!(create.service(), Some("cloudformation"));
    let actions = server.actions();
    assert_eq!(actions.first().map(String::as_str), Some("DescribeStacks"));
    assert_eq!(actions.last().map(String::as_str), Some("ListStacks"));
    let times: Vec<Duration> = server.requests().iter().map(|r| r.at).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
    server.clear_requests();
    assert!(server.requests().is_empty());
}

#[test]
fn a_panicking_script_fails_the_test_not_the_server() {
    let server = Scripted::builder()
        .on_fn("DescribeStacks", |req| {
            assert_eq!(req.param("StackName"), Some("expected"), "wrong stack");
            scripted::stack_in("expected", "CREATE_COMPLETE")
        })
        .start();
    let resp = call(
        &server.endpoint(),
        "DescribeStacks",
        &[("StackName", "other")],
    );
    assert_eq!(error_code(&resp).0, 400);
    assert_eq!(error_code(&resp).1, "ScriptPanicked");
    call_ok(
        &server.endpoint(),
        "DescribeStacks",
        &[("StackName", "expected")],
    );
    let check = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        server.assert_no_script_panics()
    }));
    let msg = *check.unwrap_err().downcast::<String>().unwrap();
    assert!(
        msg.contains("the script for DescribeStacks panicked") && msg.contains("wrong stack"),
        "{msg}"
    );
    // Dropping it would panic the same way.
    std::mem::forget(server);
}

#[test]
fn scripted_server_keeps_connections_alive() {
    // The SDK reuses connections; answer several requests on one.
    let server = Scripted::builder()
        .on(
            "DescribeStacks",
            [scripted::stack_in("app", "CREATE_COMPLETE")],
        )
        .start();
    let stream = http::connect(&server.endpoint()).unwrap();
    let mut reader = BufReader::new(&stream);
    for i in 0..3 {
        let mut req = http::cfn_request("DescribeStacks", &[("StackName", "app")]);
        req.headers.push(("Host".into(), "localhost".into()));
        // write_request always asks for close; write keep-alive by hand.
        let mut raw = format!("POST / HTTP/1.1\r\nContent-Length: {}\r\n", req.body.len());
        for (k, v) in &req.headers {
            raw.push_str(&format!("{k}: {v}\r\n"));
        }
        raw.push_str("\r\n");
        std::io::Write::write_all(&mut &stream, raw.as_bytes()).unwrap();
        std::io::Write::write_all(&mut &stream, &req.body).unwrap();
        let resp = http::read_response(&mut reader).unwrap();
        assert_eq!(resp.status, 200, "request {i}");
        assert_eq!(resp.header("Connection"), Some("keep-alive"));
        assert_eq!(
            xml::first(&resp.text(), "StackStatus").as_deref(),
            Some("CREATE_COMPLETE")
        );
    }
    assert_eq!(server.count("DescribeStacks"), 3);
    drop(reader);
    let _ = TcpStream::shutdown(&stream, std::net::Shutdown::Both);
}

#[test]
fn scripted_lifecycle_builders_say_what_aws_says() {
    let status = |r: &Response| xml::first(&r.render("r"), "StackStatus").unwrap();
    let reason = |r: &Response| xml::first(&r.render("r"), "StackStatusReason");

    let failed = scripted::update_rollback_failed("app");
    assert_eq!(status(&failed), "UPDATE_ROLLBACK_FAILED");
    assert!(reason(&failed).unwrap().contains("failed to roll back"));
    assert_eq!(
        status(&scripted::review_in_progress("app")),
        "REVIEW_IN_PROGRESS"
    );
    let rolled_back = scripted::rollback_complete("app");
    assert_eq!(status(&rolled_back), "ROLLBACK_COMPLETE");
    assert!(reason(&rolled_back).unwrap().contains("failed to create"));

    let busy = scripted::busy_then_complete("app", 3);
    assert_eq!(busy.len(), 4);
    assert!(busy[..3].iter().all(|r| status(r) == "UPDATE_IN_PROGRESS"));
    assert_eq!(status(&busy[3]), "UPDATE_COMPLETE");

    let missing = scripted::stack_does_not_exist("app");
    assert_eq!(missing.status, 400);
    let body = missing.render("req-1");
    assert_eq!(xml::first(&body, "Type").as_deref(), Some("Sender"));
    assert_eq!(
        xml::first(&body, "Code").as_deref(),
        Some("ValidationError")
    );
    assert_eq!(
        xml::first(&body, "Message").as_deref(),
        Some("Stack with id app does not exist")
    );
    assert_eq!(xml::first(&body, "RequestId").as_deref(), Some("req-1"));

    let empty = scripted::change_set_no_changes("app", "synth-1").render("r");
    assert_eq!(xml::first(&empty, "Status").as_deref(), Some("FAILED"));
    assert_eq!(
        xml::first(&empty, "ExecutionStatus").as_deref(),
        Some("UNAVAILABLE")
    );
    assert_eq!(
        xml::first(&empty, "StatusReason").as_deref(),
        Some("The submitted information didn't contain changes. Submit different information to create a change set.")
    );

    let throttled = Response::throttling();
    assert_eq!(
        (throttled.status, throttled.error_code()),
        (400, Some("Throttling"))
    );
    assert_eq!(
        xml::first(&throttled.render("r"), "Message").as_deref(),
        Some("Rate exceeded")
    );
    assert_eq!(scripted::change_set_not_found("x").status, 404);

    // Events come newest first, with AWS-style ids; text is escaped.
    let events = scripted::describe_stack_events(&[
        StackEvent::stack("app", "UPDATE_IN_PROGRESS", 10),
        StackEvent::resource("app", "Role", "AWS::IAM::Role", "UPDATE_FAILED", 20)
            .with_physical_id("app-Role-1")
            .with_reason("Policy <arn> & co is invalid"),
        StackEvent::stack("app", "UPDATE_ROLLBACK_IN_PROGRESS", 30),
    ])
    .render("r");
    assert_eq!(
        xml::all(&events, "ResourceStatus"),
        [
            "UPDATE_ROLLBACK_IN_PROGRESS",
            "UPDATE_FAILED",
            "UPDATE_IN_PROGRESS"
        ]
    );
    assert_eq!(
        xml::all(&events, "EventId")[1],
        "Role-UPDATE_FAILED-2024-01-01T00:00:20.000Z"
    );
    assert_eq!(
        xml::first(&events, "ResourceStatusReason").as_deref(),
        Some("Policy <arn> & co is invalid")
    );

    let stack = scripted::describe_stacks(&[Stack::new("app", "UPDATE_COMPLETE")
        .with_export("VpcId", "vpc-1", "app-VpcId")
        .with_capability("CAPABILITY_NAMED_IAM")])
    .render("r");
    assert_eq!(
        xml::first(&stack, "ExportName").as_deref(),
        Some("app-VpcId")
    );
    assert_eq!(
        xml::first(&stack, "StackId"),
        Some(format!(
            "arn:aws:cloudformation:us-east-1:123456789012:stack/app/{}",
            scripted::uuid_for("stack/app")
        ))
    );
    assert!(xml::paths(&stack)
        .contains("DescribeStacksResponse/DescribeStacksResult/Stacks/member/Capabilities/member"));
}

#[test]
fn proxy_injects_each_fault_and_forwards_otherwise() {
    let moto = shared_moto();
    let proxy = Proxy::start(&moto.endpoint());
    let ep = proxy.endpoint();
    let describe =
        |ep: &str| http::cfn_call(ep, "DescribeStacks", &[("StackName", "proxy-missing")]);

    // Forwarded: moto's own answer comes through.
    assert_eq!(error_code(&describe(&ep).unwrap()).1, "ValidationError");

    // Throttling, only for one action.
    proxy.inject(Fault::Throttle.times(2).only("DescribeStacks"));
    call_ok(
        &ep,
        "ValidateTemplate",
        &[("TemplateBody", &template("/p", "v"))],
    );
    for _ in 0..2 {
        assert_eq!(
            error_code(&describe(&ep).unwrap()),
            (400, "Throttling".into(), "Rate exceeded".into())
        );
    }
    assert_eq!(describe(&ep).unwrap().status, 400);
    assert_eq!(error_code(&describe(&ep).unwrap()).1, "ValidationError");

    // Server errors.
    proxy.inject(Fault::Status(500).times(1));
    proxy.inject(Fault::Status(503).times(1));
    assert_eq!(error_code(&describe(&ep).unwrap()).0, 500);
    let unavailable = describe(&ep).unwrap();
    assert_eq!(
        (unavailable.status, error_code(&unavailable).1),
        (503, "ServiceUnavailable".into())
    );
    assert_eq!(
        xml::first(&unavailable.text(), "Type").as_deref(),
        Some("Receiver")
    );

    // A connection closed without an answer, and one reset.
    proxy.inject(Fault::Drop.times(1));
    assert_eq!(describe(&ep).unwrap_err().kind(), ErrorKind::UnexpectedEof);
    proxy.inject(Fault::Reset.times(1));
    let reset = describe(&ep).unwrap_err();
    assert!(
        matches!(
            reset.kind(),
            ErrorKind::ConnectionReset | ErrorKind::UnexpectedEof
        ),
        "{reset:?}"
    );

    // A delay, then the real answer.
    proxy.inject(Fault::Delay(Duration::from_millis(300)).times(1));
    let t = Instant::now();
    assert_eq!(error_code(&describe(&ep).unwrap()).1, "ValidationError");
    assert!(t.elapsed() >= Duration::from_millis(300));

    // A fault after some requests got through.
    proxy.inject(Fault::Throttle.times(1).after(1));
    assert_eq!(error_code(&describe(&ep).unwrap()).1, "ValidationError");
    assert_eq!(error_code(&describe(&ep).unwrap()).1, "Throttling");
    assert_eq!(error_code(&describe(&ep).unwrap()).1, "ValidationError");
    assert!(proxy.rules().iter().all(|r| r.times == Some(0)));

    assert_eq!(proxy.request_count(), 14);
    assert_eq!(proxy.count("DescribeStacks"), 13);
    assert_eq!(proxy.count("ValidateTemplate"), 1);
    assert_eq!(proxy.injected(&Fault::Throttle), 3);
    assert_eq!(proxy.injected(&Fault::Status(500)), 1);
    assert_eq!(proxy.injected(&Fault::Drop), 1);
    assert_eq!(proxy.injected(&Fault::Delay(Duration::from_millis(300))), 1);
    assert_eq!(proxy.injected_count(), 8);
    assert_eq!(proxy.forwarded_count(), 7);

    proxy.inject(Fault::Status(503).always());
    assert_eq!(describe(&ep).unwrap().status, 503);
    proxy.clear_faults();
    assert_eq!(error_code(&describe(&ep).unwrap()).1, "ValidationError");

    // An upstream that is gone: the proxy answers 502 and says so.
    let orphan = Proxy::start(&format!("http://127.0.0.1:{}", servers::free_port()));
    assert_eq!(describe(&orphan.endpoint()).unwrap().status, 502);
    assert!(matches!(
        orphan.log()[0].outcome,
        Outcome::UpstreamFailed(_)
    ));
}

#[test]
fn aws_env_points_only_at_the_endpoint() {
    let env = servers::aws_env("http://127.0.0.1:1234");
    let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    assert_eq!(get("AWS_ENDPOINT_URL"), Some("http://127.0.0.1:1234"));
    assert_eq!(get("AWS_ACCESS_KEY_ID"), Some("testing"));
    assert_eq!(get("AWS_SECRET_ACCESS_KEY"), Some("testing"));
    assert_eq!(get("AWS_REGION"), Some("us-east-1"));
    assert_eq!(get("AWS_EC2_METADATA_DISABLED"), Some("true"));
    for file in ["AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"] {
        assert!(!std::path::Path::new(get(file).unwrap()).exists(), "{file}");
    }

    let mut cmd = Command::new("env");
    cmd.env("AWS_PROFILE", "prod")
        .env("AWS_SESSION_TOKEN", "x")
        .env("HTTPS_PROXY", "http://proxy:3128");
    servers::configure_aws(&mut cmd, "http://127.0.0.1:1234");
    let out = String::from_utf8(cmd.output().unwrap().stdout).unwrap();
    assert!(out.contains("AWS_ENDPOINT_URL=http://127.0.0.1:1234\n"));
    for gone in ["AWS_PROFILE=", "AWS_SESSION_TOKEN=", "HTTPS_PROXY="] {
        assert!(
            !out.lines().any(|l| l.starts_with(gone)),
            "{gone} reached the child"
        );
    }
}

#[test]
fn form_and_xml_helpers_round_trip() {
    let pairs = [
        ("TemplateBody", "{\"a\": \"b c&d=é+\"}"),
        ("Tags.member.1.Key", "k"),
    ];
    let encoded = http::form_encode(&pairs);
    assert!(!encoded.contains(' ') && !encoded.contains('é'));
    let decoded = http::form_decode(&encoded);
    assert_eq!(
        decoded[0],
        ("TemplateBody".to_string(), pairs[0].1.to_string())
    );
    assert_eq!(
        http::form_decode("a=1+2%2B3&b"),
        [("a".into(), "1 2+3".into()), ("b".into(), String::new())]
    );

    let doc = "<?xml version='1.0'?><R xmlns=\"x\"><A>1 &amp; 2</A><L><member>x</member><member /></L><A>&#65;</A></R>";
    assert_eq!(xml::all(doc, "A"), ["1 & 2", "A"]);
    assert_eq!(xml::all(doc, "member"), ["x", ""]);
    assert!(xml::paths(doc).contains("R/L/member"));
    assert_eq!(
        xml::unescape(&xml::escape("<a href=\"x\">'&'</a>")),
        "<a href=\"x\">'&'</a>"
    );
}
