//! What a template can say besides properties: top-level Metadata,
//! creation and update policies, a custom resource's Version, pinned
//! logical IDs of every kind of element and CloudFormation's namespaces,
//! parameter bounds, NoEcho defaults and Java-style patterns. Refusals
//! name the construct path.

use serde_json::{json, Value as Json};
use synth::prelude::*;
use synth::resource_policies::{CodeDeployLambdaAliasUpdate, ResourceSignal, RollingUpdate};

mod support;

fn template(app: &App, stack: &str) -> Json {
    support::synth(app)
        .template(stack)
        .expect("stack exists")
        .clone()
}

fn errors(app: &App) -> synth::SynthError {
    match app.synth() {
        Ok(_) => panic!("synthesis should fail"),
        Err(e) => e,
    }
}

fn group() -> RawResource {
    RawResource::new("AWS::AutoScaling::AutoScalingGroup")
        .property("MinSize", "1")
        .property("MaxSize", "4")
        .property("AvailabilityZones", fns::get_azs())
        .property("LaunchConfigurationName", "lc")
}

fn hook() -> RawResource {
    RawResource::new("Custom::Hook").property(
        "ServiceToken",
        fns::sub("arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:hook"),
    )
}

#[test]
fn template_metadata_keeps_first_set_order_and_replaces_a_key() {
    let mut app = App::new();
    let s = app.stack("Meta");
    s.template_metadata("Zeta", "first")
        .template_metadata(
            "AWS::CloudFormation::Interface",
            json!({"ParameterGroups": []}),
        )
        .template_metadata("Zeta", json!({"replaced": true}));
    s.add("Queue", RawResource::new("AWS::SQS::Queue"));
    let body = support::synth(&app).stack("Meta").unwrap().body.clone();
    let t: Json = serde_json::from_str(&body).unwrap();
    assert_eq!(
        t["Metadata"],
        json!({"Zeta": {"replaced": true}, "AWS::CloudFormation::Interface": {"ParameterGroups": []}})
    );
    // Written after the description, before parameters, in set order.
    let zeta = body.find("\"Zeta\"").unwrap();
    let interface = body.find("AWS::CloudFormation::Interface").unwrap();
    assert!(body.find("\"Metadata\"").unwrap() < body.find("\"Resources\"").unwrap());
    assert!(zeta < interface);

    // No entry, no section.
    let mut app = App::new();
    app.stack("Plain")
        .add("Queue", RawResource::new("AWS::SQS::Queue"));
    assert!(template(&app, "Plain").get("Metadata").is_none());
}

#[test]
fn creation_and_update_policies_are_written_typed_or_by_name() {
    let mut app = App::new();
    let s = app.stack("Policies");
    let count = s.parameter("Count", ParameterSpec::number().default(2));
    // A Number parameter is a Val<f64>; counts are integers.
    let count: Val<i64> = Val::from_value(count.value().into_value());
    let g = s.add("Group", group());
    s.edit(&g)
        .creation_policy(
            CreationPolicy::new()
                .resource_signal(ResourceSignal::new().count(count.clone()).timeout("PT15M"))
                .min_successful_instances_percent(100),
        )
        .update_policy(
            UpdatePolicy::new()
                .auto_scaling_rolling_update(
                    RollingUpdate::new()
                        .max_batch_size(1)
                        .min_instances_in_service(count)
                        .pause_time("PT5M")
                        .suspend_processes(["HealthCheck", "AZRebalance"])
                        .wait_on_resource_signals(true),
                )
                .auto_scaling_scheduled_action(true),
        );
    // A key without a setter, by name.
    let refreshed = s.add("Refreshed", group());
    s.edit(&refreshed).update_policy(
        UpdatePolicy::new().set("AutoScalingInstanceRefresh", json!({"Strategy": "Rolling"})),
    );
    let alias = s.add(
        "Alias",
        RawResource::new("AWS::Lambda::Alias")
            .property("FunctionName", "f")
            .property("FunctionVersion", "1")
            .property("Name", "live"),
    );
    s.edit(&alias)
        .update_policy(UpdatePolicy::new().code_deploy_lambda_alias_update(
            CodeDeployLambdaAliasUpdate::new("app", "group").before_allow_traffic_hook("pre"),
        ));
    let h = s.add("Hook", hook());
    s.edit(&h).custom_resource_version("1.0");
    let t = template(&app, "Policies");
    let group = &t["Resources"]["Group"];
    assert_eq!(
        group["CreationPolicy"],
        json!({"ResourceSignal": {"Count": {"Ref": "Count"}, "Timeout": "PT15M"},
               "AutoScalingCreationPolicy": {"MinSuccessfulInstancesPercent": 100}})
    );
    assert_eq!(
        group["UpdatePolicy"],
        json!({
            "AutoScalingRollingUpdate": {"MaxBatchSize": 1, "MinInstancesInService": {"Ref": "Count"},
                "PauseTime": "PT5M", "SuspendProcesses": ["HealthCheck", "AZRebalance"], "WaitOnResourceSignals": true},
            "AutoScalingScheduledAction": {"IgnoreUnmodifiedGroupSizeProperties": true}
        })
    );
    assert_eq!(
        t["Resources"]["Refreshed"]["UpdatePolicy"],
        json!({"AutoScalingInstanceRefresh": {"Strategy": "Rolling"}})
    );
    assert_eq!(
        t["Resources"]["Alias"]["UpdatePolicy"],
        json!({"CodeDeployLambdaAliasUpdate": {"ApplicationName": "app", "DeploymentGroupName": "group",
               "BeforeAllowTrafficHook": "pre"}})
    );
    assert_eq!(t["Resources"]["Hook"]["Version"], json!("1.0"));
    assert!(t["Resources"]["Hook"].get("UpdatePolicy").is_none());
}

#[test]
fn policies_where_cloudformation_refuses_them_are_errors_naming_the_path() {
    let mut app = App::new();
    let s = app.stack("Wrong");
    let queue = s.add("Queue", RawResource::new("AWS::SQS::Queue"));
    s.edit(&queue)
        .update_policy(UpdatePolicy::new().enable_version_upgrade(true))
        .custom_resource_version("2");
    let h = s.add("Hook", hook());
    s.edit(&h).creation_policy(
        CreationPolicy::new().resource_signal(ResourceSignal::new().timeout("PT5M")),
    );
    let g = s.add("Group", group());
    s.edit(&g).update_policy(
        UpdatePolicy::new()
            .auto_scaling_rolling_update(RollingUpdate::new().min_active_instances_percent(150))
            .set("AutoScalingInstanceRefresh", json!({"Strategy": "Rolling"})),
    );
    // A construct without a resource of its own cannot take one.
    let mut root = s.scope();
    root.child("Empty").creation_policy(CreationPolicy::new());
    let e = errors(&app);
    assert!(
        e.has("Wrong/Queue", "AWS::SQS::Queue takes no UpdatePolicy"),
        "{e}"
    );
    assert!(
        e.has("Wrong/Queue", "not a custom resource: only Custom::*"),
        "{e}"
    );
    assert!(
        e.has("Wrong/Hook", "Custom::Hook takes no CreationPolicy"),
        "{e}"
    );
    assert!(
        e.has(
            "Wrong/Group",
            "AutoScalingRollingUpdate.MinActiveInstancesPercent: 150 is not a percentage"
        ),
        "{e}"
    );
    assert!(
        e.has(
            "Wrong/Group",
            "AutoScalingInstanceRefresh and AutoScalingRollingUpdate exclude each other"
        ),
        "{e}"
    );
    assert!(
        e.has("Wrong/Empty", "a creation policy needs a resource"),
        "{e}"
    );
}

#[test]
fn outputs_conditions_mappings_and_rules_have_their_own_namespaces() {
    let mut app = App::new();
    let s = app.stack("Spaces");
    let queue = s.add("Queue", RawResource::new("AWS::SQS::Queue"));
    // The construct IDs differ (one tree); the logical IDs are the same.
    let cond = s.condition("QueueCondition", fns::equals(pseudo::region(), "us-east-1"));
    s.pin_logical_id(&cond, "Queue");
    let map = s.mapping("QueueMapping", [("k", [("v", 1)])]);
    s.pin_logical_id(&map, "Queue");
    s.output("QueueOutput", queue.reference())
        .logical_id("Queue")
        .condition(cond);
    s.rule(
        "QueueRule",
        Rule::new()
            .logical_id("Queue")
            .assert(fns::equals(map.find::<String>("k", "v"), "1"), "one"),
    );
    s.edit(&queue).only_if(cond);
    let t = template(&app, "Spaces");
    for section in ["Resources", "Conditions", "Mappings", "Outputs", "Rules"] {
        let ids: Vec<&String> = t[section].as_object().unwrap().keys().collect();
        assert_eq!(ids, ["Queue"], "{section}");
    }
    assert_eq!(t["Resources"]["Queue"]["Condition"], json!("Queue"));
    assert_eq!(t["Outputs"]["Queue"]["Condition"], json!("Queue"));
    assert_eq!(
        t["Rules"]["Queue"]["Assertions"][0]["Assert"]["Fn::Equals"][0],
        json!({"Fn::FindInMap": ["Queue", "k", "v"]})
    );
}

#[test]
fn collisions_within_a_namespace_are_still_errors_naming_both_paths() {
    let mut app = App::new();
    let s = app.stack("Clash");
    s.add("Queue", RawResource::new("AWS::SQS::Queue"));
    // Resources and parameters share one namespace (a Ref names either).
    let p = s.parameter("QueueParam", ParameterSpec::string());
    s.pin_logical_id(&p, "Queue");
    s.output("A", "x");
    s.output("B", "y").logical_id("A");
    let c1 = s.condition("C1", fns::equals("a", "a"));
    let c2 = s.condition("C2", fns::equals("a", "b"));
    s.pin_logical_id(&c1, "Same").pin_logical_id(&c2, "Same");
    s.rule("R1", Rule::new().assert(fns::equals("a", "a"), "x"));
    s.rule(
        "R2",
        Rule::new()
            .logical_id("R1")
            .assert(fns::equals("a", "a"), "y"),
    );
    let e = errors(&app);
    assert!(
        e.has(
            "Clash/QueueParam",
            "logical ID Queue is also the ID of Clash/Queue"
        ),
        "{e}"
    );
    assert!(
        e.has("Clash/B", "logical ID A is also the ID of Clash/A"),
        "{e}"
    );
    assert!(
        e.has("Clash/C2", "logical ID Same is also the ID of Clash/C1"),
        "{e}"
    );
    assert!(
        e.has("Clash/R2", "logical ID R1 is also the ID of Clash/R1"),
        "{e}"
    );
    assert_eq!(e.errors().count(), 4, "{e}");
}

#[test]
fn pinned_ids_are_checked_per_section() {
    let mut app = App::new();
    let s = app.stack("Pins");
    let p = s.parameter("P", ParameterSpec::string().default("x"));
    s.pin_logical_id(&p, "lowerCase");
    let c = s.condition("C", fns::equals(p.value(), "x"));
    // Conditions also take `&` and `_`; nothing else does.
    s.pin_logical_id(&c, "Big&Small_1");
    s.add("Queue", RawResource::new("AWS::SQS::Queue"));
    s.output("O", p.value()).logical_id("bad-id");
    let mut other = App::new();
    let foreign = other.stack("Other").condition("F", fns::equals("a", "a"));
    s.pin_logical_id(&foreign, "Foreign");
    let e = errors(&app);
    assert!(e.has("Pins/O", "logical ID \"bad-id\" is invalid"), "{e}");
    assert!(
        e.has(
            "Pins",
            "pin_logical_id(\"Foreign\"): the element belongs to another stack"
        ),
        "{e}"
    );
    assert_eq!(e.errors().count(), 2, "{e}");

    let mut app = App::new();
    let s = app.stack("Pins");
    let p = s.parameter("P", ParameterSpec::string().default("x"));
    s.pin_logical_id(&p, "lowerCase");
    let c = s.condition("C", fns::equals(p.value(), "x"));
    s.pin_logical_id(&c, "Big&Small_1");
    let q = s.add("Queue", RawResource::new("AWS::SQS::Queue"));
    s.edit(&q).only_if(c);
    let t = template(&app, "Pins");
    assert_eq!(
        t["Conditions"]["Big&Small_1"],
        json!({"Fn::Equals": [{"Ref": "lowerCase"}, "x"]})
    );
}

#[test]
fn parameter_bounds_keep_integers_and_must_be_literal_numbers() {
    let mut app = App::new();
    let s = app.stack("Bounds");
    let whole = s.parameter(
        "Whole",
        ParameterSpec::number()
            .min_value(1)
            .max_value(4000)
            .default(2),
    );
    let fraction = s.parameter(
        "Fraction",
        ParameterSpec::number().min_value(0.5).max_value(2.5),
    );
    s.add("Queue", RawResource::new("AWS::SQS::Queue"));
    s.output("WholeValue", whole.value());
    s.output("FractionValue", fraction.value());
    let body = support::synth(&app).stack("Bounds").unwrap().body.clone();
    assert!(body.contains("\"MinValue\": 1,"), "{body}");
    assert!(body.contains("\"MaxValue\": 4000"), "{body}");
    assert!(body.contains("\"MinValue\": 0.5"), "{body}");

    let mut app = App::new();
    let s = app.stack("Bounds");
    let other = s.parameter("Other", ParameterSpec::number());
    s.parameter("Ref", ParameterSpec::number().min_value(other.value()));
    s.parameter("Low", ParameterSpec::number().min_value(3).default(2));
    let e = errors(&app);
    assert!(
        e.has("Bounds/Ref", "MinValue must be a literal, finite number"),
        "{e}"
    );
    assert!(
        e.has(
            "Bounds/Low",
            "the default \"2\" is outside the allowed range"
        ),
        "{e}"
    );
}

#[test]
fn a_no_echo_default_needs_the_plain_text_opt_in() {
    let mut app = App::new();
    let s = app.stack("Echo");
    s.parameter(
        "Refused",
        ParameterSpec::string().no_echo().default("hunter2"),
    );
    let e = errors(&app);
    assert!(
        e.has("Echo/Refused", "NoEcho parameter has a default"),
        "{e}"
    );

    let mut app = App::new();
    let s = app.stack("Echo");
    s.parameter(
        "Placeholder",
        ParameterSpec::string()
            .no_echo()
            .plain_text_default("change-me")
            .min_length(20),
    );
    s.add("Queue", RawResource::new("AWS::SQS::Queue"));
    // The opt-in skips only the NoEcho refusal, not the constraints.
    let e = errors(&app);
    assert!(
        e.has("Echo/Placeholder", "outside the allowed length"),
        "{e}"
    );

    let mut app = App::new();
    let s = app.stack("Echo");
    let p = s.parameter(
        "Placeholder",
        ParameterSpec::string()
            .no_echo()
            .plain_text_default("change-me"),
    );
    s.add(
        "Queue",
        RawResource::new("AWS::SQS::Queue").property("QueueName", p.value()),
    );
    let t = template(&app, "Echo");
    assert_eq!(
        t["Parameters"]["Placeholder"],
        json!({"Type": "String", "Default": "change-me", "NoEcho": true})
    );
}

#[test]
fn patterns_with_lookarounds_are_accepted_and_still_syntax_checked() {
    let mut app = App::new();
    let s = app.stack("Patterns");
    let not_admin = s.parameter(
        "NotAdmin",
        ParameterSpec::string()
            .allowed_pattern("^(?!admin$)[a-z]+$")
            .default("root"),
    );
    let behind = s.parameter(
        "Behind",
        ParameterSpec::string().allowed_pattern("(?<=a)b(?<!c)"),
    );
    s.add(
        "Queue",
        RawResource::new("AWS::SQS::Queue").property(
            "QueueName",
            fns::join("-", [not_admin.value(), behind.value()]),
        ),
    );
    let t = template(&app, "Patterns");
    assert_eq!(
        t["Parameters"]["NotAdmin"]["AllowedPattern"],
        json!("^(?!admin$)[a-z]+$")
    );

    let mut app = App::new();
    let s = app.stack("Patterns");
    s.parameter(
        "Broken",
        ParameterSpec::string().allowed_pattern("(?!unclosed"),
    );
    s.parameter(
        "Checked",
        ParameterSpec::string()
            .allowed_pattern("[a-z]+")
            .default("ABC"),
    );
    let e = errors(&app);
    assert!(
        e.has("Patterns/Broken", "is not a valid regular expression"),
        "{e}"
    );
    assert!(
        e.has("Patterns/Checked", "does not match the allowed pattern"),
        "{e}"
    );
}
