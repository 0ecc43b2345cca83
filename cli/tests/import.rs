//! `synth import`: the constructs of the template language one by one
//! (generated, compiled, synthesized and compared), the fallbacks, the
//! command line, a round trip over public templates, and a deployed stack
//! on moto imported and diffed against itself.
//!
//! Generated code is compiled in one crate per test run under the target
//! directory (`import-roundtrip/`, its own target directory, kept between
//! runs so synth compiles once).

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value as Json};
use synth_cli::import::{self, krate, TypeIndex};
use synth_diff::template::{self, Template};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn index() -> TypeIndex {
    TypeIndex::read(&root().join("synth"))
}

/// `<target>/import-roundtrip/<name>`: beside this test binary's target dir.
fn work_dir(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    // <target>/debug/deps/import-<hash>
    let target = exe
        .ancestors()
        .nth(3)
        .map(Path::to_path_buf)
        .unwrap_or_else(std::env::temp_dir);
    target.join("import-roundtrip").join(name)
}

/// One template to round-trip: a label, the template, the generated code.
struct Case {
    label: String,
    template: Template,
    generated: Result<import::Generated, String>,
}

/// Outcome per case: `None` when it round-trips, else why not.
struct Outcome {
    label: String,
    failure: Option<String>,
    fallbacks: Vec<String>,
}

/// Generates every case into one crate (module `tNNN` per case), builds it
/// once (dropping modules that do not compile, with their first error),
/// runs it to synthesize each stack alone, and compares each with its
/// original through the diff engine.
fn round_trip(dir_name: &str, cases: Vec<Case>) -> Vec<Outcome> {
    let dir = work_dir(dir_name);
    let src = dir.join("src");
    let _ = std::fs::remove_dir_all(&src);
    std::fs::create_dir_all(&src).unwrap();
    let mut failures: Vec<Option<String>> = vec![None; cases.len()];
    let mut features = BTreeSet::new();
    for (i, case) in cases.iter().enumerate() {
        match &case.generated {
            Ok(g) => {
                features.extend(g.features.iter().cloned());
                std::fs::write(src.join(format!("t{i:03}.rs")), &g.module).unwrap();
            }
            Err(e) => failures[i] = Some(format!("not generated: {e}")),
        }
    }
    let dep = krate::SynthDep::Path(root().join("synth").canonicalize().unwrap());
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"import-roundtrip\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\n{}\n\n[workspace]\n",
            dep.dependency(&features)
        ),
    )
    .unwrap();
    // The workspace's lock file: the same dependency versions, no resolution.
    let _ = std::fs::copy(root().join("Cargo.lock"), dir.join("Cargo.lock"));
    let target = dir.join("target");
    for _attempt in 0..3 {
        let included: Vec<usize> = (0..cases.len())
            .filter(|i| failures[*i].is_none())
            .collect();
        write_main(&src, &included);
        let out = Command::new(env!("CARGO"))
            .args(["build", "--quiet", "--message-format", "short"])
            .current_dir(&dir)
            .env("CARGO_TARGET_DIR", &target)
            .env_remove("RUSTFLAGS")
            .output()
            .expect("cargo runs");
        if out.status.success() {
            break;
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        let mut any = false;
        for line in stderr.lines().filter(|l| l.contains(": error")) {
            if let Some(i) = line
                .strip_prefix("src/t")
                .and_then(|r| r.get(..3))
                .and_then(|n| n.parse::<usize>().ok())
            {
                if failures[i].is_none() {
                    failures[i] = Some(format!("does not compile: {line}"));
                    any = true;
                }
            }
        }
        assert!(
            any,
            "the round-trip crate fails to build outside the generated modules:\n{stderr}"
        );
    }
    let included: Vec<usize> = (0..cases.len())
        .filter(|i| failures[*i].is_none())
        .collect();
    let out_dir = dir.join("out");
    let _ = std::fs::remove_dir_all(&out_dir);
    let run = Command::new(target.join("debug/import-roundtrip"))
        .arg(&out_dir)
        .output()
        .expect("the round-trip app runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let env = synth_diff::Environment::new(None, None, None);
    for i in included {
        let name = format!("T{i:03}");
        let error = out_dir.join(format!("{name}.error"));
        if let Ok(e) = std::fs::read_to_string(&error) {
            failures[i] = Some(format!("synthesis fails: {}", e.trim()));
            continue;
        }
        let body =
            std::fs::read_to_string(out_dir.join(&name).join(format!("{name}.template.json")))
                .expect("synthesized template");
        let synthesized = template::parse(&body).unwrap();
        // synth always writes the format version, the only one there is and
        // what CloudFormation assumes without it: not a difference.
        let mut original = cases[i].template.clone();
        if !original.contains_key("AWSTemplateFormatVersion") {
            if let Some(v) = synthesized.get("AWSTemplateFormatVersion") {
                original.insert("AWSTemplateFormatVersion".into(), v.clone());
            }
        }
        let diff = synth_diff::diff_in(
            &name,
            &original,
            &synthesized,
            true,
            synth_diff::create_only,
            &env,
        );
        if !diff.is_empty() {
            failures[i] = Some(describe(&diff));
        }
    }
    cases
        .into_iter()
        .zip(failures)
        .map(|(case, failure)| Outcome {
            fallbacks: case
                .generated
                .map(|g| {
                    g.fallbacks
                        .iter()
                        .map(|f| format!("{}: {}", f.id, f.what))
                        .collect()
                })
                .unwrap_or_default(),
            label: case.label,
            failure,
        })
        .collect()
}

fn write_main(src: &Path, included: &[usize]) {
    let mut main = String::new();
    for i in included {
        main.push_str(&format!("mod t{i:03};\n"));
    }
    main.push_str(
        "use synth::prelude::*;\n\
         type Define = fn(&mut Stack);\n\
         fn main() {\n\
             let out = std::path::PathBuf::from(std::env::args().nth(1).expect(\"out dir\"));\n\
             std::fs::create_dir_all(&out).unwrap();\n\
             let stacks: Vec<(&str, Define)> = vec![\n",
    );
    for i in included {
        main.push_str(&format!("(\"T{i:03}\", t{i:03}::define),\n"));
    }
    main.push_str(
        "];\n\
             for (name, define) in stacks {\n\
                 let mut app = App::new();\n\
                 define(app.stack(name));\n\
                 match app.synth() {\n\
                     Ok(assembly) => assembly.write(&out.join(name)).unwrap(),\n\
                     Err(e) => std::fs::write(out.join(format!(\"{name}.error\")), e.to_string()).unwrap(),\n\
                 }\n\
             }\n\
         }\n",
    );
    std::fs::write(src.join("main.rs"), main).unwrap();
}

/// The differences in a line: changed resources and sections.
fn describe(diff: &synth_diff::StackDiff) -> String {
    let mut parts: Vec<String> = diff
        .resources
        .iter()
        .map(|r| serde_json::to_string(r).unwrap_or_default())
        .collect();
    parts.extend(
        diff.sections
            .iter()
            .map(|s| serde_json::to_string(s).unwrap_or_default()),
    );
    let mut text = parts.join("; ");
    if text.len() > 600 {
        text.truncate(600);
        text.push_str("...");
    }
    format!("differs: {text}")
}

fn case(label: &str, template: Json) -> Case {
    let template: Template = synth_diff::value::Json::from(template)
        .as_object()
        .cloned()
        .unwrap();
    let generated = import::generate(&(&template).into(), &index(), label);
    Case {
        label: label.to_owned(),
        template,
        generated,
    }
}

/// The public templates: the newest revision of every history in the
/// diff corpus (eight public repositories) and the AWS CDK diff tests'
/// templates, plus GitLab's EKS cluster template and eksctl's Karpenter
/// and managed nodegroup stacks (`cli/tests/import-corpus/`).
fn public_templates() -> Vec<(String, Template)> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for category in ["histories", "cdk-tests"] {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("diff-corpus").join(category))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        dirs.sort();
        for d in dirs {
            for file in ["new.json", "new.yaml", "old.json", "old.yaml"] {
                let path = d.join(file);
                let Ok(body) = std::fs::read_to_string(&path) else {
                    continue;
                };
                let t = template::parse(&body).unwrap();
                // Histories: the new revision only (old ones differ little);
                // cdk tests: both sides.
                if category == "histories" && file.starts_with("old") {
                    continue;
                }
                if seen.insert(serde_json::to_string(&t).unwrap()) {
                    let label = format!(
                        "{category}/{}/{file}",
                        d.file_name().unwrap().to_string_lossy()
                    );
                    out.push((label, t));
                }
            }
        }
    }
    for file in [
        "eks_cluster.yaml",
        "eksctl/karpenter.json",
        "eksctl/karpenter_permissions_boundary.json",
        "eksctl/managed_nodegroup_ssh_enabled.json",
    ] {
        let path = root().join("cli/tests/import-corpus").join(file);
        let t = template::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
        out.push((format!("import-corpus/{file}"), t));
    }
    out
}

/// Small templates, one construct of the template language each; the
/// label says which. `fallbacks` names the logical IDs that must be
/// reported, `exact` whether it must still round-trip.
fn construct_cases() -> Vec<(&'static str, Json, &'static [&'static str], bool)> {
    vec![
        (
            "parameters",
            json!({
                "Parameters": {
                    "Env": {"Type": "String", "Default": "dev", "AllowedValues": ["dev", "prod"], "Description": "stage",
                            "AllowedPattern": "[a-z]+", "ConstraintDescription": "lower case", "MinLength": 2, "MaxLength": 8},
                    "Size": {"Type": "Number", "Default": 3, "MinValue": 1, "MaxValue": 10},
                    "Cidrs": {"Type": "CommaDelimitedList", "Default": "10.0.0.0/16,10.1.0.0/16"},
                    "Subnets": {"Type": "List<AWS::EC2::Subnet::Id>"},
                    "Vpc": {"Type": "AWS::EC2::VPC::Id"},
                    "Ami": {"Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>", "Default": "/aws/service/ami"},
                    "Secret": {"Type": "String", "NoEcho": true}
                },
                "Resources": {
                    "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
                        "GroupDescription": {"Fn::Join": [" ", [{"Ref": "Env"}, {"Ref": "Secret"}, {"Ref": "Ami"}]]},
                        "VpcId": {"Ref": "Vpc"},
                        "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": {"Ref": "Size"}, "ToPort": 443,
                                                  "CidrIp": {"Fn::Select": [0, {"Ref": "Cidrs"}]}}]
                    }},
                    "Net": {"Type": "AWS::EC2::NetworkInterface", "Properties": {"SubnetId": {"Fn::Select": [1, {"Ref": "Subnets"}]}}}
                }
            }),
            &[],
            true,
        ),
        (
            "mappings-conditions-rules-outputs",
            json!({
                "Description": "conditions and friends",
                "Parameters": {"Env": {"Type": "String", "Default": "dev"}, "Region2": {"Type": "String", "Default": "x"}},
                "Mappings": {"Amis": {"us-east-1": {"Id": "ami-1", "Count": 2}, "eu-west-1": {"Id": "ami-2", "Count": 3}}},
                "Conditions": {
                    "Both": {"Fn::And": [{"Condition": "IsProd"}, {"Condition": "NotDev"}]},
                    "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
                    "NotDev": {"Fn::Not": [{"Fn::Equals": [{"Ref": "Env"}, "dev"]}]},
                    "Either": {"Fn::Or": [{"Condition": "IsProd"}, {"Fn::Equals": [{"Ref": "AWS::Region"}, "eu-west-1"]}]}
                },
                "Rules": {
                    "ProdSize": {
                        "RuleCondition": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
                        "Assertions": [{"Assert": {"Fn::Not": [{"Fn::Equals": [{"Ref": "Region2"}, ""]}]}, "AssertDescription": "Region2 in prod"}]
                    }
                },
                "Resources": {
                    "Topic": {"Type": "AWS::SNS::Topic", "Condition": "Either", "Properties": {
                        "DisplayName": {"Fn::If": ["IsProd", {"Fn::FindInMap": ["Amis", {"Ref": "AWS::Region"}, "Id"]}, {"Ref": "AWS::NoValue"}]}
                    }}
                },
                "Outputs": {
                    "TopicArn": {"Value": {"Ref": "Topic"}, "Description": "the topic", "Condition": "Either",
                                 "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-topic"}}},
                    "Count": {"Value": {"Fn::FindInMap": ["Amis", "us-east-1", "Count"]}, "Condition": "Both"}
                }
            }),
            &[],
            true,
        ),
        (
            "intrinsics",
            json!({
                "Parameters": {"Name": {"Type": "String", "Default": "n"}},
                "Resources": {
                    "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
                    "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {
                        "VpcId": {"Ref": "Vpc"},
                        "CidrBlock": {"Fn::Select": [0, {"Fn::Cidr": [{"Fn::GetAtt": ["Vpc", "CidrBlock"]}, 4, 8]}]},
                        "AvailabilityZone": {"Fn::Select": ["1", {"Fn::GetAZs": ""}]},
                        "Tags": [{"Key": "Name", "Value": {"Fn::Sub": ["${N}-${Vpc.CidrBlock}-${AWS::Region}", {"N": {"Ref": "Name"}}]}},
                                 {"Key": "Azs", "Value": {"Fn::Join": [",", {"Fn::GetAZs": {"Ref": "AWS::Region"}}]}},
                                 {"Key": "Part", "Value": {"Fn::Select": [2, {"Fn::Split": ["-", {"Fn::Sub": "${Name}-a-b"}]}]}}]
                    }},
                    "Param": {"Type": "AWS::SSM::Parameter", "Properties": {
                        "Type": "String",
                        "Value": {"Fn::Base64": {"Fn::ImportValue": {"Fn::Sub": "${AWS::AccountId}-shared"}}},
                        "Description": {"Fn::GetAtt": "Vpc.DefaultSecurityGroup"}
                    }}
                }
            }),
            // `Vpc.CidrBlock` is a handle method too (a property that is
            // also an attribute): nothing falls back.
            &[],
            true,
        ),
        (
            "resource-options",
            json!({
                "Conditions": {"Never": {"Fn::Equals": ["a", "b"]}},
                "Resources": {
                    "Bucket": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Snapshot",
                               "Metadata": {"Owner": "team", "Nested": {"List": [1, "two", true]}}},
                    "Queue": {"Type": "AWS::SQS::Queue", "DependsOn": "Bucket", "DeletionPolicy": "RetainExceptOnCreate"},
                    "Other": {"Type": "AWS::SQS::Queue", "DependsOn": ["Bucket", "Queue"], "Condition": "Never",
                              "DeletionPolicy": "Delete", "Properties": {"DelaySeconds": 5}}
                }
            }),
            &[],
            true,
        ),
        (
            "fallbacks",
            json!({
                "Resources": {
                    "Custom": {"Type": "Custom::Thing", "Properties": {"ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:f", "Size": 3}},
                    "Unknown": {"Type": "AWS::NoSuch::Type", "Properties": {"A": {"Fn::GetAtt": ["Custom", "Out"]}}},
                    "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::Transform": {"Name": "Upper", "Parameters": {"V": "q"}}}}}
                }
            }),
            &["Custom", "Unknown", "Queue"],
            true,
        ),
        (
            "metadata-policies-and-ids",
            json!({
                "Metadata": {"AWS::CloudFormation::Interface": {"ParameterGroups": [{"Label": {"default": "Size"}, "Parameters": ["count"]}]}},
                "Parameters": {
                    "count": {"Type": "Number", "Default": 2, "MinValue": 1, "MaxValue": 4},
                    "Big": {"Type": "Number", "MinValue": 0.5, "MaxValue": 5_000_000_000_i64},
                    "Password": {"Type": "String", "NoEcho": true, "Default": "placeholder", "AllowedPattern": "^(?!admin$).+$"}
                },
                "Conditions": {"Small&Cheap": {"Fn::Equals": [{"Ref": "count"}, 1]}},
                "Resources": {
                    "Group": {"Type": "AWS::AutoScaling::AutoScalingGroup",
                              "Properties": {"MinSize": "1", "MaxSize": "4", "AvailabilityZones": {"Fn::GetAZs": ""},
                                             "LaunchConfigurationName": "lc"},
                              "CreationPolicy": {"ResourceSignal": {"Count": {"Ref": "count"}, "Timeout": "PT15M"},
                                                 "AutoScalingCreationPolicy": {"MinSuccessfulInstancesPercent": 100}},
                              "UpdatePolicy": {"AutoScalingRollingUpdate": {"MaxBatchSize": 1, "PauseTime": "PT5M",
                                                                            "SuspendProcesses": ["HealthCheck"], "WaitOnResourceSignals": true},
                                               "AutoScalingScheduledAction": {"IgnoreUnmodifiedGroupSizeProperties": true}}},
                    "Hook": {"Type": "Custom::Hook", "Version": "1.0",
                             "Properties": {"ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:f"}}
                },
                "Outputs": {
                    "Group": {"Value": {"Ref": "Group"}, "Condition": "Small&Cheap"},
                    "count": {"Value": {"Ref": "count"}}
                }
            }),
            &["Password", "Hook"],
            true,
        ),
        (
            "not-expressible",
            json!({
                "Transform": "AWS::Serverless-2016-10-31",
                "Resources": {
                    "Group": {"Type": "AWS::AutoScaling::AutoScalingGroup",
                              "Properties": {"MinSize": "1", "MaxSize": "1", "AvailabilityZones": {"Fn::GetAZs": ""}},
                              "UpdatePolicy": {"AutoScalingRollingUpdate": {"MaxBatchSize": 1}}}
                }
            }),
            &["Transform"],
            false,
        ),
    ]
}

#[test]
fn round_trip_constructs_and_public_templates() {
    let index = index();
    let constructs = construct_cases();
    let mut cases: Vec<Case> = constructs
        .iter()
        .map(|(label, template, _, _)| case(label, template.clone()))
        .collect();
    let public: Vec<Case> = public_templates()
        .into_iter()
        .map(|(label, template)| {
            let generated = import::generate(&(&template).into(), &index, &label);
            Case {
                label,
                template,
                generated,
            }
        })
        .collect();
    let public_count = public.len();
    assert!(public_count >= 30, "{public_count} public templates");
    cases.extend(public);
    let outcomes = round_trip("suite", cases);
    let (constructs_out, public_out) = outcomes.split_at(constructs.len());

    let mut problems = Vec::new();
    for ((label, _, expected_fallbacks, exact), o) in constructs.iter().zip(constructs_out) {
        let reported: BTreeSet<&str> = o
            .fallbacks
            .iter()
            .map(|f| f.split(':').next().unwrap())
            .collect();
        let expected: BTreeSet<&str> = expected_fallbacks.iter().copied().collect();
        if reported != expected {
            problems.push(format!("{label}: fallbacks {:#?}", o.fallbacks));
        }
        if o.failure.is_none() != *exact {
            problems.push(format!("{label}: {:?}", o.failure));
        }
    }

    let ok = public_out.iter().filter(|o| o.failure.is_none()).count();
    println!(
        "synth import round trip: {ok}/{public_count} public templates ({:.0}%) synthesize back with no difference",
        100.0 * ok as f64 / public_count as f64
    );
    for o in public_out {
        if let Some(why) = &o.failure {
            println!("  {}: {why}", o.label);
            for f in &o.fallbacks {
                println!("      reported: {f}");
            }
        }
    }
    // Generated code always compiles and synthesizes; a template that does
    // not round-trip must have been reported.
    for o in public_out {
        if let Some(why) = &o.failure {
            if !why.starts_with("differs") {
                problems.push(format!("{}: {why}", o.label));
            } else if o.fallbacks.is_empty() {
                problems.push(format!(
                    "{} does not round-trip and nothing was reported: {why}",
                    o.label
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// `synth` with the environment cargo needs to build a generated crate.
fn synth_cmd(endpoint: &str, dir: &Path) -> Command {
    let mut cmd = support::synth(endpoint, dir);
    for var in ["CARGO_HOME", "RUSTUP_HOME", "RUSTUP_TOOLCHAIN"] {
        if let Ok(v) = std::env::var(var) {
            cmd.env(var, v);
        }
    }
    // HOME is the test directory: point cargo and rustup at the real ones.
    if let Some(home) = std::env::var_os("HOME") {
        let home = PathBuf::from(home);
        if std::env::var_os("CARGO_HOME").is_none() {
            cmd.env("CARGO_HOME", home.join(".cargo"));
        }
        if std::env::var_os("RUSTUP_HOME").is_none() {
            cmd.env("RUSTUP_HOME", home.join(".rustup"));
        }
    }
    cmd
}

const SMALL: &str = r#"
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      DisplayName: !Sub "${AWS::StackName}-alerts"
  Hook:
    Type: Custom::Hook
    Properties:
      ServiceToken: !GetAtt Topic.TopicArn
Outputs:
  TopicArn:
    Value: !Ref Topic
"#;

#[test]
fn prints_the_module_with_its_dependency_and_reports_fallbacks() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("alerts.yaml");
    std::fs::write(&file, SMALL).unwrap();
    let r = support::run(
        synth_cmd("http://127.0.0.1:9", tmp.path()).args(["import", file.to_str().unwrap()]),
    )
    .expect(0);
    let first = r.stdout.lines().next().unwrap();
    assert!(
        first.starts_with("// Stack alerts. Cargo.toml: synth = { path = "),
        "{first}"
    );
    assert!(
        first.ends_with(r#"default-features = false, features = ["sns"] }"#),
        "{first}"
    );
    for part in [
        "pub fn define(stack: &mut Stack)",
        "let topic = stack.add(\"Topic\",",
        "sns::CfnTopic::new().display_name(fns::sub(\"${AWS::StackName}-alerts\"))",
        "stack.edit(&topic).logical_id(\"Topic\");",
        "RawResource::new(\"Custom::Hook\").property(\"ServiceToken\", topic.topic_arn())",
        "stack.output(\"TopicArn\", topic.reference());",
    ] {
        // Compared without whitespace: line breaks are the formatter's.
        let squash = |s: &str| s.split_whitespace().collect::<String>();
        assert!(
            squash(&r.stdout).contains(&squash(part)),
            "{part} missing from\n{}",
            r.stdout
        );
    }
    assert!(
        r.stderr.contains("Hook: Custom::Hook is a custom resource"),
        "{}",
        r.stderr
    );
    // The output is already formatted the way rustfmt-like printing leaves it.
    let body = r.stdout.split_once('\n').unwrap().1;
    assert_eq!(krate::format(body).unwrap().trim_end(), body.trim_end());
}

#[test]
fn out_writes_a_crate_once_and_bad_input_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("alerts.yaml");
    std::fs::write(&file, SMALL).unwrap();
    let dir = tmp.path().join("crate");
    let args = [
        "import",
        file.to_str().unwrap(),
        "--name",
        "Alerts",
        "--synth-version",
        "0.1.0",
        "--out",
        dir.to_str().unwrap(),
    ];
    let r = support::run(synth_cmd("http://127.0.0.1:9", tmp.path()).args(args)).expect(0);
    assert!(r.stderr.contains("Alerts"), "{}", r.stderr);
    let cargo = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    assert!(
        cargo.contains(
            r#"synth = { version = "0.1.0", default-features = false, features = ["sns"] }"#
        ),
        "{cargo}"
    );
    assert!(std::fs::read_to_string(dir.join("synth.toml"))
        .unwrap()
        .contains("app = \"cargo run --quiet\""));
    let main = std::fs::read_to_string(dir.join("src/main.rs")).unwrap();
    assert!(
        main.contains("mod alerts;") && main.contains("alerts::define(app.stack(\"Alerts\"));"),
        "{main}"
    );
    assert!(dir.join("src/alerts.rs").is_file());
    // A second import into the same crate is refused, not overwritten.
    let r = support::run(synth_cmd("http://127.0.0.1:9", tmp.path()).args(args)).expect(2);
    assert!(
        r.stderr.contains("already holds a Cargo.toml"),
        "{}",
        r.stderr
    );

    let missing = tmp.path().join("missing.yaml");
    let r = support::run(
        synth_cmd("http://127.0.0.1:9", tmp.path()).args(["import", missing.to_str().unwrap()]),
    )
    .expect(2);
    assert!(
        r.stderr.contains("cannot read the template"),
        "{}",
        r.stderr
    );
    let not_template = tmp.path().join("x.json");
    std::fs::write(&not_template, "{\"a\": 1}").unwrap();
    let r = support::run(
        synth_cmd("http://127.0.0.1:9", tmp.path())
            .args(["import", not_template.to_str().unwrap()]),
    )
    .expect(2);
    assert!(r.stderr.contains("no Resources object"), "{}", r.stderr);
    support::run(
        synth_cmd("http://127.0.0.1:9", tmp.path()).args(["import", "x.json", "--stack", "S"]),
    )
    .expect(2);
    support::run(synth_cmd("http://127.0.0.1:9", tmp.path()).args(["import"])).expect(2);
}

/// A stack deployed on moto, imported into a crate, built and
/// synthesized: `synth diff` against the deployed stack finds nothing.
#[test]
fn deployed_stack_imports_and_diffs_clean() {
    let moto = synth_tests::servers::Moto::start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let template = dir.join("deployed.yaml");
    std::fs::write(
        &template,
        // With the format version: synth always writes it, and the diff
        // engine counts a template without it as different.
        r#"
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Prefix:
    Type: String
    Default: imp
Conditions:
  Always: !Equals [!Ref Prefix, imp]
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "${Prefix}-work"
      VisibilityTimeout: 60
  QueueName:
    Type: AWS::SSM::Parameter
    Condition: Always
    DependsOn: Queue
    Properties:
      Name: !Sub "/${Prefix}/queue"
      Type: String
      Value: !GetAtt Queue.QueueName
Outputs:
  QueueUrl:
    Value: !Ref Queue
    Export:
      Name: !Sub "${AWS::StackName}-queue"
"#,
    )
    .unwrap();
    // Deploy the template as it is: through a one-stack assembly holding it.
    let original = template::parse(&std::fs::read_to_string(&template).unwrap()).unwrap();
    let assembly = dir.join("assembly");
    std::fs::create_dir_all(&assembly).unwrap();
    write_assembly(&assembly, "Imported", &original);
    support::run_in(
        &moto,
        dir,
        assembly.to_str().unwrap(),
        &["deploy", "--require-approval", "never"],
    )
    .expect(0);

    let krate_dir = dir.join("imported");
    let r = support::run_on(
        &moto,
        synth_cmd(&moto.endpoint(), dir).args([
            "--region",
            "us-east-1",
            "import",
            "--stack",
            "Imported",
            "--out",
            krate_dir.to_str().unwrap(),
        ]),
    )
    .expect(0);
    assert!(r.stderr.contains("features: sqs, ssm"), "{}", r.stderr);

    // Build and synthesize the crate (its own target dir, kept between runs).
    let mut cmd = synth_cmd(&moto.endpoint(), &krate_dir);
    cmd.env("CARGO_TARGET_DIR", work_dir("e2e-target"))
        .args(["--region", "us-east-1"]);
    let r = support::run(&mut cmd).expect(0);
    assert!(
        r.stdout.contains("Imported") || r.stderr.contains("Imported"),
        "{}",
        r.all()
    );
    let r = support::run_on(
        &moto,
        synth_cmd(&moto.endpoint(), &krate_dir).args([
            "--app",
            "out",
            "--region",
            "us-east-1",
            "diff",
            "--fail",
        ]),
    )
    .expect(0);
    assert!(
        r.stdout.contains("There were no differences"),
        "{}",
        r.stdout
    );
}

/// A cloud assembly holding one stack with `template`, as `synth` writes it.
fn write_assembly(dir: &Path, stack: &str, template: &Template) {
    use synth::prelude::*;
    // The manifest comes from a real synthesis of an empty stack; the
    // template is then replaced by the one to deploy.
    let mut app = App::new();
    app.stack(stack)
        .add("Placeholder", RawResource::new("AWS::SQS::Queue"));
    app.synth().unwrap().write(dir).unwrap();
    let path = dir.join(format!("{stack}.template.json"));
    assert!(path.is_file(), "assembly layout changed");
    std::fs::write(path, serde_json::to_string_pretty(template).unwrap()).unwrap();
}
