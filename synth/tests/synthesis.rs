//! Synthesis of the core: intrinsics, references between stacks,
//! validation errors (each naming its construct path), determinism, and the
//! atomic write of the cloud assembly.

use serde_json::{json, Value as Json};
use synth::manifest::Manifest;
use synth::prelude::*;

mod support;

fn bucket() -> RawResource {
    RawResource::new("AWS::S3::Bucket")
}

fn template(app: &App, stack: &str) -> Json {
    let assembly = support::synth(app);
    assembly.template(stack).expect("stack exists").clone()
}

fn prop(t: &Json, resource: &str, name: &str) -> Json {
    t["Resources"][resource]["Properties"][name].clone()
}

fn errors(app: &App) -> synth::SynthError {
    match app.synth() {
        Ok(_) => panic!("synthesis should fail"),
        Err(e) => e,
    }
}

#[test]
fn every_intrinsic_has_cloudformation_shape() {
    let mut app = App::new();
    let s = app.stack("Shapes");
    let env = s.parameter(
        "Env",
        ParameterSpec::string()
            .allowed_values(["dev", "prod"])
            .default("dev"),
    );
    let is_prod = s.condition("IsProd", fns::equals(env.value(), "prod"));
    let is_dev = s.condition("IsDev", fns::equals(env.value(), "dev"));
    let both = s.condition(
        "Both",
        fns::and([is_prod.value(), fns::not(is_dev.value())]),
    );
    let either = s.condition("Either", fns::or([is_prod.value(), is_dev.value()]));
    let map = s.mapping("Sizes", [("dev", [("Count", 1)]), ("prod", [("Count", 3)])]);
    let target = s.add("Target", bucket());
    let probe = RawResource::new("Custom::Probe")
        .property(
            "ServiceToken",
            fns::sub(
                "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:probe",
            ),
        )
        .property("Ref", target.reference())
        .property("GetAtt", target.attribute("Arn"))
        .property(
            "SubVars",
            fns::sub_with("${Name}-x", [("Name", target.reference())]),
        )
        .property("Join", fns::join(",", ["a", "b"]))
        .property("Select", fns::select(1, fns::get_azs()))
        .property("Split", fns::split(",", "a,b"))
        .property("AzsIn", fns::get_azs_in("eu-west-1"))
        .property("Import", fns::import_value::<String>("shared-vpc"))
        .property("If", fns::if_::<String>(is_prod, "big", pseudo::no_value()))
        .property("Base64", fns::base64("#!/bin/sh"))
        .property("Cidr", fns::cidr("10.0.0.0/16", 4, 8))
        .property("Find", map.find::<i64>(env.value(), "Count"))
        .property(
            "Pseudo",
            Value::list([
                pseudo::account_id(),
                pseudo::region(),
                pseudo::partition(),
                pseudo::stack_name(),
                pseudo::stack_id(),
                pseudo::url_suffix(),
            ]),
        )
        .property("Arns", pseudo::notification_arns());
    let probe = s.add("Probe", probe);
    s.edit(&probe).only_if(either);
    s.output("Flag", "set").condition(both);
    let t = template(&app, "Shapes");
    let p = |name: &str| prop(&t, "Probe", name);
    assert_eq!(
        p("ServiceToken"),
        json!({"Fn::Sub": "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:probe"})
    );
    assert_eq!(p("Ref"), json!({"Ref": "Target"}));
    assert_eq!(p("GetAtt"), json!({"Fn::GetAtt": ["Target", "Arn"]}));
    assert_eq!(
        p("SubVars"),
        json!({"Fn::Sub": ["${Name}-x", {"Name": {"Ref": "Target"}}]})
    );
    assert_eq!(p("Join"), json!({"Fn::Join": [",", ["a", "b"]]}));
    assert_eq!(p("Select"), json!({"Fn::Select": [1, {"Fn::GetAZs": ""}]}));
    assert_eq!(p("Split"), json!({"Fn::Split": [",", "a,b"]}));
    assert_eq!(p("AzsIn"), json!({"Fn::GetAZs": "eu-west-1"}));
    assert_eq!(p("Import"), json!({"Fn::ImportValue": "shared-vpc"}));
    assert_eq!(
        p("If"),
        json!({"Fn::If": ["IsProd", "big", {"Ref": "AWS::NoValue"}]})
    );
    assert_eq!(p("Base64"), json!({"Fn::Base64": "#!/bin/sh"}));
    assert_eq!(p("Cidr"), json!({"Fn::Cidr": ["10.0.0.0/16", 4, 8]}));
    assert_eq!(
        p("Find"),
        json!({"Fn::FindInMap": ["Sizes", {"Ref": "Env"}, "Count"]})
    );
    assert_eq!(
        p("Pseudo"),
        json!([
            {"Ref": "AWS::AccountId"}, {"Ref": "AWS::Region"}, {"Ref": "AWS::Partition"},
            {"Ref": "AWS::StackName"}, {"Ref": "AWS::StackId"}, {"Ref": "AWS::URLSuffix"}
        ])
    );
    assert_eq!(p("Arns"), json!({"Ref": "AWS::NotificationARNs"}));
    assert_eq!(
        t["Conditions"]["IsProd"],
        json!({"Fn::Equals": [{"Ref": "Env"}, "prod"]})
    );
    assert_eq!(
        t["Conditions"]["Both"],
        json!({"Fn::And": [{"Condition": "IsProd"}, {"Fn::Not": [{"Condition": "IsDev"}]}]})
    );
    assert_eq!(
        t["Conditions"]["Either"],
        json!({"Fn::Or": [{"Condition": "IsProd"}, {"Condition": "IsDev"}]})
    );
    assert_eq!(
        t["Mappings"]["Sizes"],
        json!({"dev": {"Count": 1}, "prod": {"Count": 3}})
    );
    assert_eq!(t["Resources"]["Probe"]["Condition"], json!("Either"));
    assert_eq!(
        t["Parameters"]["Env"],
        json!({"Type": "String", "Default": "dev", "AllowedValues": ["dev", "prod"]})
    );
}

#[test]
fn template_sections_and_resource_attributes() {
    let mut app = App::new();
    let s = app.stack("Sections");
    s.description("All the sections");
    let secret = s.parameter(
        "Token",
        ParameterSpec::string()
            .no_echo()
            .min_length(8)
            .description("api token"),
    );
    let count = s.parameter(
        "Count",
        ParameterSpec::number()
            .min_value(1.0)
            .max_value(5.0)
            .default(2),
    );
    let subnets = s.parameter(
        "Subnets",
        ParameterSpec::aws_list_type("List<AWS::EC2::Subnet::Id>"),
    );
    let prod = s.condition("Prod", fns::equals(count.value(), 5));
    let first = s.add("First", bucket());
    let second = s.add(
        "Second",
        RawResource::new("Custom::Second")
            .property(
                "ServiceToken",
                fns::sub(
                    "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:second",
                ),
            )
            .property("Token", secret.value())
            .property("Subnets", subnets.value()),
    );
    s.edit(&second)
        .depends_on(&first)
        .only_if(prod)
        .removal_policy(RemovalPolicy::Retain)
        .metadata("Owner", "team");
    s.output("FirstName", first.reference())
        .description("the first bucket")
        .export("sections-first")
        .condition(prod);
    s.scope().rule(
        "CountRule",
        Rule::new()
            .when(fns::equals(count.value(), 5))
            .assert(fns::not(fns::equals(secret.value(), "")), "token required"),
    );
    let t = template(&app, "Sections");
    assert_eq!(t["AWSTemplateFormatVersion"], json!("2010-09-09"));
    assert_eq!(t["Description"], json!("All the sections"));
    assert_eq!(
        t["Parameters"]["Token"],
        json!({"Type": "String", "Description": "api token", "MinLength": 8, "NoEcho": true})
    );
    assert_eq!(
        t["Parameters"]["Count"],
        json!({"Type": "Number", "Default": 2, "MinValue": 1.0, "MaxValue": 5.0})
    );
    assert_eq!(
        t["Parameters"]["Subnets"]["Type"],
        json!("List<AWS::EC2::Subnet::Id>")
    );
    let second = &t["Resources"]["Second"];
    assert_eq!(second["DependsOn"], json!(["First"]));
    assert_eq!(second["Condition"], json!("Prod"));
    assert_eq!(second["DeletionPolicy"], json!("Retain"));
    assert_eq!(second["UpdateReplacePolicy"], json!("Retain"));
    assert_eq!(second["Metadata"], json!({"Owner": "team"}));
    assert_eq!(
        t["Resources"]["First"],
        json!({"Type": "AWS::S3::Bucket"}),
        "no empty Properties"
    );
    assert_eq!(
        t["Outputs"]["FirstName"],
        json!({
            "Description": "the first bucket", "Value": {"Ref": "First"},
            "Export": {"Name": "sections-first"}, "Condition": "Prod"
        })
    );
    assert_eq!(
        t["Rules"]["CountRule"]["Assertions"][0]["AssertDescription"],
        json!("token required")
    );
    let keys: Vec<&String> = t.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "AWSTemplateFormatVersion",
            "Description",
            "Parameters",
            "Conditions",
            "Rules",
            "Resources",
            "Outputs"
        ]
    );
}

#[test]
fn cross_stack_references_export_import_and_record_the_dependency() {
    let mut app = App::new();
    let network = app.stack("Network");
    let vpc = network.add(
        "Vpc",
        RawResource::new("AWS::EC2::VPC").property("CidrBlock", "10.0.0.0/16"),
    );
    let apps = app.stack("Apps");
    apps.add(
        "Sg",
        RawResource::new("AWS::EC2::SecurityGroup")
            .property("GroupDescription", "apps")
            .property("VpcId", vpc.reference())
            .property(
                "Tags",
                Value::list([Value::map()
                    .with("Key", "Cidr")
                    .with("Value", vpc.attribute("CidrBlock"))]),
            ),
    );
    let assembly = support::synth(&app);
    let consumer = assembly.template("Apps").unwrap();
    assert_eq!(
        consumer["Resources"]["Sg"]["Properties"]["VpcId"],
        json!({"Fn::ImportValue": "Network:Vpc"})
    );
    assert_eq!(
        consumer["Resources"]["Sg"]["Properties"]["Tags"][0]["Value"],
        json!({"Fn::ImportValue": "Network:Vpc:CidrBlock"})
    );
    // The consumer exports nothing and declares no outputs: no empty section.
    assert!(
        consumer.get("Outputs").is_none(),
        "{}",
        assembly.stack("Apps").unwrap().body
    );
    let producer = assembly.template("Network").unwrap();
    assert_eq!(
        producer["Outputs"]["ExportVpcRef"],
        json!({"Value": {"Ref": "Vpc"}, "Export": {"Name": "Network:Vpc"}})
    );
    assert_eq!(
        producer["Outputs"]["ExportVpcCidrBlock"],
        json!({"Value": {"Fn::GetAtt": ["Vpc", "CidrBlock"]}, "Export": {"Name": "Network:Vpc:CidrBlock"}})
    );
    let manifest = assembly.manifest();
    assert_eq!(
        manifest
            .stacks
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>(),
        ["Network", "Apps"]
    );
    assert_eq!(manifest.stack("Apps").unwrap().dependencies, ["Network"]);
    assert!(manifest.stack("Network").unwrap().dependencies.is_empty());
}

#[test]
fn consumers_defined_first_still_deploy_after_producers() {
    let mut app = App::new();
    app.stack("Consumer");
    let topic = app
        .stack("Producer")
        .add("Topic", RawResource::new("AWS::SNS::Topic"));
    app.get_stack("Consumer").unwrap().add(
        "Sub",
        RawResource::new("AWS::SNS::Subscription")
            .property("TopicArn", topic.reference())
            .property("Protocol", "email"),
    );
    let manifest = support::synth(&app).manifest();
    assert_eq!(
        manifest
            .stacks
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>(),
        ["Producer", "Consumer"]
    );
}

#[test]
fn references_across_regions_or_accounts_are_errors_naming_both_paths() {
    for (field, a, b) in [
        ("region", "us-east-1", "eu-west-1"),
        ("account", "111111111111", "222222222222"),
    ] {
        let mut app = App::new();
        let east = app.stack("East");
        if field == "region" {
            east.region(a);
        } else {
            east.account(a);
        }
        let topic = east.add("Topic", RawResource::new("AWS::SNS::Topic"));
        let west = app.stack("West");
        if field == "region" {
            west.region(b);
        } else {
            west.account(b);
        }
        west.add(
            "Queue",
            RawResource::new("AWS::SQS::Queue").property("Peer", topic.reference()),
        );
        let e = errors(&app);
        assert!(e.has("West/Queue", "East/Topic"), "{e}");
        assert!(
            e.has("West/Queue", &format!("across {field}s ({a} vs {b})")),
            "{e}"
        );
    }
}

#[test]
fn dependency_cycles_are_errors() {
    let mut app = App::new();
    let a = app.stack("A");
    let ta = a.add("Topic", RawResource::new("AWS::SNS::Topic"));
    let b = app.stack("B");
    let tb = b.add(
        "Topic",
        RawResource::new("AWS::SNS::Topic").property("Peer", ta.reference()),
    );
    app.get_stack("A").unwrap().add(
        "Peer",
        RawResource::new("AWS::SNS::Topic").property("Peer", tb.reference()),
    );
    let e = errors(&app);
    assert!(
        e.errors()
            .any(|d| d.message.contains("cycle (A -> B -> A)")),
        "{e}"
    );
}

#[test]
fn references_into_another_app_are_errors() {
    let mut other = App::new();
    let foreign = other
        .stack("Other")
        .add("Topic", RawResource::new("AWS::SNS::Topic"));
    let mut app = App::new();
    app.stack("Mine").add(
        "Queue",
        RawResource::new("AWS::SQS::Queue").property("Peer", foreign.reference()),
    );
    let e = errors(&app);
    assert!(e.has("Mine/Queue", "another App"), "{e}");
}

#[test]
fn duplicate_ids_and_stack_names_are_errors_naming_the_path() {
    let mut app = App::new();
    let s = app.stack("Dup");
    s.add("Bucket", bucket());
    s.add("Bucket", bucket());
    {
        let mut scope = s.scope();
        let mut vpc = scope.child("Vpc");
        vpc.add("Subnet", bucket());
        vpc.add("Subnet", bucket());
    }
    app.stack("Dup").add("X", bucket());
    app.stack("bad_name!").add("X", bucket());
    let e = errors(&app);
    assert!(
        e.has("Dup/Bucket", "duplicate construct id \"Bucket\" under Dup"),
        "{e}"
    );
    assert!(
        e.has(
            "Dup/Vpc/Subnet",
            "duplicate construct id \"Subnet\" under Dup/Vpc"
        ),
        "{e}"
    );
    assert!(e.has("Dup", "duplicate stack name"), "{e}");
    assert!(
        e.has("bad_name!", "stack name \"bad_name!\" is invalid"),
        "{e}"
    );
}

#[test]
fn logical_id_collisions_are_errors_and_pinning_resolves_them() {
    let mut app = App::new();
    let s = app.stack("Ids");
    s.scope().child("A").add("BC", bucket());
    s.scope().child("AB").add("C", bucket());
    let e = errors(&app);
    assert!(
        e.has("Ids/AB/C", "logical ID ABC is also the ID of Ids/A/BC"),
        "{e}"
    );

    let mut app = App::new();
    let s = app.stack("Ids");
    s.scope().child("A").add("BC", bucket());
    let mut ab = s.scope();
    let mut ab = ab.child("AB");
    let c = ab.add("C", bucket());
    ab.edit(&c).logical_id("LegacyBucket");
    let t = template(&app, "Ids");
    let ids: Vec<&String> = t["Resources"].as_object().unwrap().keys().collect();
    assert_eq!(ids, ["ABC", "LegacyBucket"]);

    let mut app = App::new();
    let s = app.stack("Ids");
    let x = s.add("X", bucket());
    s.edit(&x).logical_id("not-valid");
    assert!(errors(&app).has("Ids/X", "logical ID \"not-valid\" is invalid"));
}

#[test]
fn logical_ids_do_not_move_when_unrelated_code_changes() {
    let build = |extra: bool| {
        let mut app = App::new();
        let s = app.stack("Stable");
        if extra {
            s.add("Unrelated", bucket());
        }
        s.scope().child("Vpc").add("PublicSubnet1", bucket());
        template(&app, "Stable")["Resources"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(build(false), ["VpcPublicSubnet1"]);
    assert_eq!(build(true), ["Unrelated", "VpcPublicSubnet1"]);
}

#[test]
fn unresolved_sub_references_are_errors() {
    let mut app = App::new();
    let s = app.stack("Subs");
    let b = s.add("Bucket", bucket());
    s.add(
        "Ok",
        bucket()
            .property("A", fns::sub("${Bucket.Arn}/${AWS::Region}/${!Literal}"))
            .property("B", b.reference()),
    );
    s.add(
        "Bad",
        bucket().property("A", fns::sub("arn:${Partition}:${Missing.Arn}")),
    );
    let e = errors(&app);
    assert!(e.has("Subs/Bad", "${Partition}"), "{e}");
    assert!(e.has("Subs/Bad", "${Missing.Arn}"), "{e}");
    assert_eq!(e.errors().count(), 2, "{e}");
}

#[test]
fn conditions_and_mappings_cannot_cross_stacks() {
    let mut app = App::new();
    let a = app.stack("A");
    let c = a.condition("Always", fns::equals("a", "a"));
    let m = a.mapping("M", [("k", [("v", "x")])]);
    a.add("X", bucket());
    let b = app.stack("B");
    let y = b.add("Y", bucket().property("P", m.find::<String>("k", "v")));
    b.edit(&y).only_if(c);
    let e = errors(&app);
    assert!(e.has("B/Y", "condition of stack A"), "{e}");
    assert!(e.has("B/Y", "mapping of stack A"), "{e}");
}

#[test]
fn duplicate_export_names_are_errors() {
    let mut app = App::new();
    let a = app.stack("A");
    let x = a.add("X", bucket());
    a.output("Name", x.reference()).export("shared");
    let b = app.stack("B");
    let y = b.add("Y", bucket());
    b.output("Name", y.reference()).export("shared");
    let e = errors(&app);
    assert!(
        e.has(
            "B/Name",
            "export name \"shared\" is also exported by A/Name"
        ),
        "{e}"
    );
}

#[test]
fn cloudformation_limits_are_enforced() {
    let mut app = App::new();
    let s = app.stack("Big");
    for i in 0..501 {
        s.add(&format!("B{i}"), bucket());
    }
    for i in 0..201 {
        s.parameter(&format!("P{i}"), ParameterSpec::string());
        s.output(&format!("O{i}"), "x");
    }
    for i in 0..201 {
        s.mapping(&format!("M{i}"), [("a", [("b", "c")])]);
    }
    let e = errors(&app);
    for what in [
        "501 resources",
        "201 parameters",
        "201 outputs",
        "201 mappings",
    ] {
        assert!(e.has("Big", what), "{what}: {e}");
    }
    let mut app = App::new();
    app.stack("Empty");
    assert!(errors(&app).has("Empty", "no resources"));
}

#[test]
fn template_size_warns_over_the_inline_limit_and_fails_over_one_megabyte() {
    let mut app = App::new();
    let s = app.stack("Large");
    for i in 0..40 {
        let b = s.add(&format!("B{i}"), bucket());
        s.edit(&b).metadata("Pad", "x".repeat(1500));
    }
    let assembly = support::synth(&app);
    assert!(assembly
        .warnings
        .iter()
        .any(|w| w.path == "Large" && w.message.contains("deploy uploads it to S3")));

    let mut app = App::new();
    let s = app.stack("Huge");
    for i in 0..100 {
        let b = s.add(&format!("B{i}"), bucket());
        s.edit(&b).metadata("Pad", "x".repeat(11_000));
    }
    assert!(errors(&app).has("Huge", "over CloudFormation's limit of 1000000"));
}

#[test]
fn secrets_never_reach_the_template_or_outputs() {
    let mut app = App::new();
    let s = app.stack("Secrets");
    let token = s.parameter(
        "Token",
        ParameterSpec::string().no_echo().default("hunter2hunter2"),
    );
    let key = s.add(
        "Key",
        RawResource::new("AWS::IAM::AccessKey").property("UserName", "ci"),
    );
    s.output("Secret", key.attribute("SecretAccessKey"));
    s.output("Echo", token.value());
    let e = errors(&app);
    assert!(
        e.has("Secrets/Token", "NoEcho parameter has a default"),
        "{e}"
    );
    assert!(
        e.has("Secrets/Secret", "secret SecretAccessKey of Secrets/Key"),
        "{e}"
    );
    assert!(
        e.has("Secrets/Echo", "NoEcho parameter Secrets/Token"),
        "{e}"
    );
}

#[test]
fn parameter_defaults_must_meet_their_constraints() {
    let mut app = App::new();
    let s = app.stack("Params");
    s.parameter(
        "Pattern",
        ParameterSpec::string()
            .allowed_pattern("[0-9]{12}")
            .default("12345"),
    );
    s.parameter(
        "Allowed",
        ParameterSpec::string().allowed_values(["a"]).default("b"),
    );
    s.parameter("Number", ParameterSpec::number().max_value(3.0).default(4));
    s.parameter(
        "Length",
        ParameterSpec::string().max_length(2).default("abc"),
    );
    s.parameter("Broken", ParameterSpec::string().allowed_pattern("([a-z]+"));
    s.parameter(
        "Word",
        ParameterSpec::string().allowed_pattern(r"[\w+=,.@-]*"),
    );
    s.add("X", bucket());
    let e = errors(&app);
    assert!(
        e.has("Params/Broken", "is not a valid regular expression"),
        "{e}"
    );
    assert!(!e.to_string().contains("Params/Word"), "{e}");
    assert!(
        e.has("Params/Pattern", "does not match the allowed pattern"),
        "{e}"
    );
    assert!(
        e.has("Params/Allowed", "not among the allowed values"),
        "{e}"
    );
    assert!(e.has("Params/Number", "outside the allowed range"), "{e}");
    assert!(e.has("Params/Length", "outside the allowed length"), "{e}");
}

#[test]
fn all_errors_are_reported_together() {
    let mut app = App::new();
    let s = app.stack("Many");
    s.add("A", bucket());
    s.add("A", bucket());
    s.add("B", bucket().property("X", fns::sub("${Nope}")));
    let c = s.add("C", bucket());
    s.edit(&c).logical_id("bad id");
    let e = errors(&app);
    assert_eq!(e.errors().count(), 4, "{e}");
    let text = e.to_string();
    assert!(
        text.starts_with("synthesis failed with 4 errors:"),
        "{text}"
    );
}

fn sample_app() -> App {
    let mut app = App::new().with_context("env", "test");
    let net = app.stack("Net");
    net.tag("team", "infra");
    let vpc = net.add(
        "Vpc",
        RawResource::new("AWS::EC2::VPC").property("CidrBlock", "10.0.0.0/16"),
    );
    let p = net.parameter("Prefix", ParameterSpec::string().default("x"));
    net.output("VpcId", vpc.reference());
    let apps = app.stack("Apps");
    apps.add(
        "Sg",
        RawResource::new("AWS::EC2::SecurityGroup")
            .property("GroupDescription", "apps")
            .property("VpcId", vpc.reference())
            .property("GroupName", p.value()),
    );
    app
}

#[test]
fn synthesis_is_deterministic_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    support::synth(&sample_app()).write(&a).unwrap();
    support::synth(&sample_app()).write(&b).unwrap();
    let mut names: Vec<_> = std::fs::read_dir(&a)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert_eq!(names.len(), 3, "two templates and the manifest");
    for name in names {
        assert_eq!(
            std::fs::read(a.join(&name)).unwrap(),
            std::fs::read(b.join(&name)).unwrap(),
            "{name:?}"
        );
    }
}

#[test]
fn manifest_records_environment_parameters_tags_and_dependencies() {
    let mut app = sample_app().with_region("eu-central-1");
    app.stack("Late")
        .region("us-east-2")
        .account("123456789012")
        .termination_protection(true)
        .add("X", bucket());
    let dir = tempfile::tempdir().unwrap();
    support::synth(&app).write(dir.path()).unwrap();
    let m = Manifest::read(dir.path()).unwrap();
    let net = m.stack("Net").unwrap();
    assert_eq!(net.template, "Net.template.json");
    assert_eq!(net.parameters["Prefix"].default.as_deref(), Some("x"));
    assert_eq!(net.tags.get("team").map(String::as_str), Some("infra"));
    assert_eq!(net.resources, 1);
    assert_eq!(
        net.environment.region, None,
        "stacks created before with_region keep no region"
    );
    let late = m.stack("Late").unwrap();
    assert_eq!(late.environment.region.as_deref(), Some("us-east-2"));
    assert_eq!(late.environment.account.as_deref(), Some("123456789012"));
    assert!(late.termination_protection);
    assert_eq!(m.stack("Apps").unwrap().dependencies, ["Net"]);
}

#[test]
fn yaml_output_is_available() {
    let app = sample_app().with_format(synth::manifest::TemplateFormat::Yaml);
    let dir = tempfile::tempdir().unwrap();
    support::synth(&app).write(dir.path()).unwrap();
    let text = std::fs::read_to_string(dir.path().join("Net.template.yaml")).unwrap();
    let parsed: Json = serde_yaml::from_str(&text).unwrap();
    assert_eq!(
        parsed["Resources"]["Vpc"]["Properties"]["CidrBlock"],
        json!("10.0.0.0/16")
    );
    assert_eq!(
        Manifest::read(dir.path()).unwrap().stacks[0].template,
        "Net.template.yaml"
    );
}

#[test]
fn a_failed_write_or_synthesis_leaves_the_previous_assembly_intact() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    support::synth(&sample_app()).write(&out).unwrap();
    let before = std::fs::read(out.join("Net.template.json")).unwrap();
    std::fs::write(out.join("keep.txt"), "previous").unwrap();

    // A failing synthesis never reaches the writer.
    let mut bad = App::new().with_outdir(&out);
    let s = bad.stack("Bad");
    let x = s.add("X", bucket());
    s.edit(&x).logical_id("no way");
    assert_eq!(bad.run(), std::process::ExitCode::from(2));
    assert_eq!(
        std::fs::read(out.join("Net.template.json")).unwrap(),
        before
    );
    assert!(out.join("keep.txt").exists());

    // A write that fails midway (the staging directory cannot be created
    // because a file is in its place: `.out.staging-<pid>-<n>`, every n
    // this process may reach) leaves out/ as it was.
    let blockers: Vec<_> = (0..512)
        .map(|n| {
            dir.path()
                .join(format!(".out.staging-{}-{n}", std::process::id()))
        })
        .collect();
    for b in &blockers {
        std::fs::write(b, "blocker").unwrap();
    }
    let mut blocked = App::new();
    blocked.stack("Other").add("Y", bucket());
    let result = support::synth(&blocked).write(&out);
    assert!(result.is_err());
    assert_eq!(
        std::fs::read(out.join("Net.template.json")).unwrap(),
        before
    );
    assert!(out.join("keep.txt").exists());
    assert!(!out.join("Other.template.json").exists());

    // A successful write replaces the whole directory.
    for b in &blockers {
        std::fs::remove_file(b).unwrap();
    }
    support::synth(&blocked).write(&out).unwrap();
    assert!(out.join("Other.template.json").exists());
    assert!(!out.join("keep.txt").exists());
}

#[test]
fn rewriting_an_assembly_links_unchanged_templates_and_writes_changed_ones() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let inode = |name: &str| std::fs::metadata(out.join(name)).unwrap().ino();
    let build = |cidr: &str| {
        let mut app = App::new();
        app.stack("Same").add("Bucket", bucket());
        app.stack("Changing").add(
            "Vpc",
            RawResource::new("AWS::EC2::VPC").property("CidrBlock", cidr),
        );
        support::synth(&app)
    };
    build("10.0.0.0/16").write(&out).unwrap();
    let (same, changing) = (inode("Same.template.json"), inode("Changing.template.json"));

    // Unchanged text keeps its file (a hard link into the new assembly);
    // changed text is written afresh.
    let second = build("10.1.0.0/16");
    second.write(&out).unwrap();
    assert_eq!(inode("Same.template.json"), same);
    assert_ne!(inode("Changing.template.json"), changing);
    for stack in &second.stacks {
        let path = out.join(&stack.manifest.template);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), stack.body);
        assert_eq!(
            std::fs::metadata(&path).unwrap().nlink(),
            1,
            "the old assembly is gone"
        );
    }

    // A template edited by hand in out/ is not trusted: it is rewritten.
    std::fs::write(out.join("Same.template.json"), "{}").unwrap();
    build("10.1.0.0/16").write(&out).unwrap();
    assert_eq!(
        std::fs::read_to_string(out.join("Same.template.json")).unwrap(),
        second.stack("Same").unwrap().body
    );
}
