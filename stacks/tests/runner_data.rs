//! The bundled `RunnerData` stack: a snapshot reviewers read, the shape it
//! must have, and the size of its code.

use serde_json::{json, Value as Json};
use synth::prelude::*;

fn assembly() -> synth::Assembly {
    let mut app = App::new();
    let bootstrap = stacks::define(&mut app);
    stacks::define_runner_data(&mut app, &bootstrap);
    let assembly = app.synth().unwrap_or_else(|e| panic!("{e}"));
    if let Some(dir) = std::env::var_os("SYNTH_LINT_DIR") {
        assembly
            .write(&std::path::Path::new(&dir).join("stacks-runner-data"))
            .expect("write templates for linting");
    }
    assembly
}

fn template() -> Json {
    assembly()
        .template(stacks::RUNNER_DATA_STACK)
        .expect("runner data stack")
        .clone()
}

#[test]
fn runner_data_template_snapshot() {
    insta::assert_json_snapshot!("RunnerData.template", template());
}

#[test]
fn the_database_is_reachable_only_from_the_cluster_and_the_runner_reads_its_secret() {
    let t = template();
    let r = &t["Resources"];
    // No inline ingress on the database's group; one rule, from the cluster.
    assert!(r["DbSecurityGroup"]["Properties"]
        .get("SecurityGroupIngress")
        .is_none());
    let ingress = &r["DbFromCluster"]["Properties"];
    assert_eq!(ingress["FromPort"], 5432);
    assert!(ingress["SourceSecurityGroupId"]["Fn::ImportValue"].is_string());
    let db = &r["Db"]["Properties"];
    assert_eq!(db["PubliclyAccessible"], false);
    assert_eq!(db["StorageEncrypted"], true);
    assert_eq!(db["ManageMasterUserPassword"], true);
    assert!(db.get("MasterUserPassword").is_none());
    // The subnet group takes the bootstrap's private subnets, imported.
    let subnets = r["DbSubnetGroup"]["Properties"]["SubnetIds"]
        .as_array()
        .unwrap();
    assert_eq!(subnets.len(), 2);
    assert!(subnets.iter().all(|s| s["Fn::ImportValue"].is_string()));
    // The runner's role: trusted by Pod Identity, granted the cache and the
    // secret, nothing else.
    let trust = &r["RunnerRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0];
    assert_eq!(
        trust["Principal"],
        json!({"Service": "pods.eks.amazonaws.com"})
    );
    assert_eq!(trust["Action"], json!(["sts:AssumeRole", "sts:TagSession"]));
    let secret = &r["RunnerDbSecret"]["Properties"]["PolicyDocument"]["Statement"][0];
    assert_eq!(
        secret["Resource"],
        json!({"Fn::GetAtt": ["Db", "MasterUserSecret.SecretArn"]})
    );
    // The bootstrap's cluster runs the Pod Identity agent; a second add-on
    // of that name would fail.
    assert!(r.get("RunnerPodIdentityAgent").is_none());
    assert!(!serde_json::to_string(&r)
        .unwrap()
        .contains("AWS::EKS::Addon"));
    let manifest = assembly().manifest();
    let entry = manifest
        .stacks
        .iter()
        .find(|s| s.name == stacks::RUNNER_DATA_STACK)
        .unwrap();
    assert_eq!(entry.dependencies, [stacks::STACK]);
}

#[test]
fn runner_data_is_at_most_45_lines_of_stack_code() {
    let source = include_str!("../src/runner_data.rs");
    let body = source
        .split_once("pub fn define_runner_data")
        .expect("the stack's function")
        .1;
    let lines = body
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with("//"))
        .count();
    // The imports count too: a user writes them.
    let imports = source.lines().filter(|l| l.starts_with("use ")).count();
    assert!(lines + imports <= 45, "{lines} lines and {imports} imports");
}

#[test]
fn the_readme_shows_the_stack_as_it_is_without_its_imports() {
    let readme = include_str!("../../README.md");
    let source = include_str!("../src/runner_data.rs");
    let block = readme
        .split("```rust,ignore\n")
        .skip(1)
        .filter_map(|rest| rest.split_once("\n```").map(|(code, _)| code))
        .find(|code| code.contains("pub fn define_runner_data"))
        .expect("README shows RunnerData in a rust,ignore block");
    let shown: Vec<&str> = block
        .lines()
        .filter(|l| *l != "// (imports elided)")
        .collect();
    let expected: Vec<&str> = source.lines().filter(|l| !l.starts_with("use ")).collect();
    assert_eq!(
        shown, expected,
        "README's RunnerData block differs from stacks/src/runner_data.rs"
    );
}
