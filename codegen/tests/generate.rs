//! `generate` end to end on a small schema directory.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::json;
use synth_codegen::{features_block, generate, generate_all};

/// A fresh directory laid out like cfn-lint's `data/schemas`.
struct Fixture {
    root: PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let root = std::env::temp_dir().join(format!(
            "synth-codegen-test-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(root.join("providers")).unwrap();
        fs::create_dir_all(root.join("resources")).unwrap();
        Fixture { root }
    }

    fn providers(&self) -> PathBuf {
        self.root.join("providers")
    }

    fn region(&self, region: &str, types: serde_json::Value) {
        fs::write(
            self.providers().join(format!("{region}.json")),
            types.to_string(),
        )
        .unwrap();
    }

    fn schema(&self, hash: &str, schema: serde_json::Value) {
        fs::write(
            self.root.join("resources").join(format!("{hash}.json")),
            schema.to_string(),
        )
        .unwrap();
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.root);
    }
}

fn role_schema(description: &str) -> serde_json::Value {
    json!({
        "typeName": "AWS::IAM::Role",
        "description": description,
        "properties": {
            "Arn": {"type": "string", "description": "The ARN."},
            "AssumeRolePolicyDocument": {"type": ["object", "string"]},
            "RoleName": {"type": "string", "maxLength": 64, "description": "A name.\n\n    indented\n```\ncode\n```"},
            "Policies": {"type": "array", "items": {"$ref": "#/definitions/Policy"}},
            "Tags": {"type": "array", "items": {"$ref": "#/definitions/Tag"}}
        },
        "definitions": {
            "Policy": {"type": "object", "properties": {"PolicyDocument": {"type": "object"}, "PolicyName": {"type": "string"}}, "required": ["PolicyName", "PolicyDocument"]},
            "Tag": {"type": "object", "properties": {"Key": {"type": "string"}, "Value": {"type": "string"}}, "required": ["Key", "Value"]}
        },
        "required": ["AssumeRolePolicyDocument"],
        "readOnlyProperties": ["/properties/Arn"],
        "createOnlyProperties": ["/properties/RoleName"],
        "primaryIdentifier": ["/properties/RoleName"],
        "tagging": {"taggable": true, "tagProperty": "/properties/Tags"}
    })
}

fn skill_schema() -> serde_json::Value {
    json!({
        "typeName": "Alexa::ASK::Skill",
        "description": "A skill.",
        "properties": {"Id": {"type": "string"}, "VendorId": {"type": "string"}},
        "required": ["VendorId"],
        "readOnlyProperties": ["/properties/Id"],
        "primaryIdentifier": ["/properties/Id"]
    })
}

fn standard_fixture() -> Fixture {
    let f = Fixture::new();
    f.schema("aaa", role_schema("The us-east-1 role."));
    f.schema("bbb", role_schema("Another region's role."));
    f.schema("ccc", skill_schema());
    f.region("us-east-1", json!({"AWS::IAM::Role": "aaa"}));
    f.region(
        "af-south-1",
        json!({"AWS::IAM::Role": "bbb", "Alexa::ASK::Skill": "ccc"}),
    );
    f.region("sam", json!({"AWS::Serverless::Function": "zzz"}));
    f
}

fn file<'a>(files: &'a std::collections::BTreeMap<PathBuf, String>, path: &str) -> &'a str {
    files.get(Path::new(path)).unwrap_or_else(|| {
        panic!(
            "{path} not generated; got {:?}",
            files.keys().collect::<Vec<_>>()
        )
    })
}

#[test]
fn generates_one_module_per_service_and_a_dispatcher() {
    let f = standard_fixture();
    let generated = generate_all(&f.providers()).unwrap();
    assert_eq!(generated.services, ["alexa_ask", "iam"]);
    assert_eq!(generated.type_count, 2);
    let files = &generated.files;
    // Two service modules, the dispatcher and the create-only table.
    assert_eq!(files.len(), 4);
    let table = &files[std::path::Path::new("synth/src/aws/replacement.rs")];
    assert!(table.contains("pub fn create_only(type_name: &str)"));
    for content in files.values() {
        let head: Vec<&str> = content.lines().take(5).collect();
        assert!(head
            .iter()
            .any(|l| l.contains("generated") && l.contains("Do not edit")));
    }

    let iam = file(files, "synth/src/aws/iam.rs");
    // us-east-1's schema wins over other regions'.
    assert!(iam.contains("/// The us-east-1 role."));
    assert!(!iam.contains("Another region"));
    assert!(iam.contains("pub struct CfnRole {"));
    assert!(iam.contains("pub const TYPE_NAME: &'static str = \"AWS::IAM::Role\";"));
    assert!(iam.contains("pub fn new(assume_role_policy_document: impl Into<Val<Json>>) -> Self {"));
    assert!(iam.contains("pub fn role_name(mut self, value: impl Into<Val<String>>) -> Self {"));
    assert!(iam
        .contains("pub fn policies(mut self, value: impl Into<Val<Vec<role::Policy>>>) -> Self {"));
    assert!(!iam.contains("pub fn arn(mut self"));
    assert!(iam.contains("pub fn arn(&self) -> Val<String> {\n        self.get_att(\"Arn\")"));
    assert!(iam.contains("pub fn new(policy_document: impl Into<Val<Json>>, policy_name: impl Into<Val<String>>) -> Self {"));
    assert!(iam.contains("impl From<Policy> for Val<Policy> {"));
    assert!(iam.contains("tagging: Some(Tagging { property: \"Tags\", shape: TagShape::List }),"));
    assert!(iam.contains("create_only: &[\"RoleName\"],"));
    assert!(iam.contains("\"AWS::IAM::Role\" => Some(&ROLE_META),"));
    // Both regions, by their index in synth::regions::REGIONS.
    let table = synth_region_names();
    let bits = (1u64 << table.iter().position(|r| r == "us-east-1").unwrap())
        | (1u64 << table.iter().position(|r| r == "af-south-1").unwrap());
    assert!(
        iam.contains(&format!("regions: RegionSet({bits:#x}),")),
        "{iam}"
    );
    // Docs never turn into code blocks.
    assert!(iam.contains("    /// indented\n"));
    assert!(!iam.contains("/// ```"));
    assert!(iam.contains("/// Changing it replaces the resource."));

    let skill = file(files, "synth/src/aws/alexa_ask.rs");
    assert!(skill.contains("pub struct CfnSkill {"));
    assert!(skill.contains("tagging: None,"));

    let module = file(files, "synth/src/aws/mod.rs");
    assert!(
        module.contains("#[cfg(feature = \"alexa_ask\")]\n#[rustfmt::skip]\npub mod alexa_ask;")
    );
    assert!(module.contains("(\"Alexa\", \"ASK\") => alexa_ask::lookup(type_name),"));
    assert!(module.contains("(\"AWS\", \"IAM\") => iam::lookup(type_name),"));
    assert!(module.contains(&format!(
        "pub fn covered_regions() -> crate::regions::RegionSet {{\n    crate::regions::RegionSet({bits:#x})\n}}"
    )));
    assert_eq!(
        features_block(&generated.services),
        "alexa_ask = []\niam = []\nall-services = [\n    \"alexa_ask\",\n    \"iam\",\n]\n"
    );
}

fn synth_region_names() -> Vec<String> {
    let source = include_str!("../../synth/src/regions.rs");
    let start = source.find("regions! {").unwrap();
    source[start..]
        .lines()
        .skip(1)
        .take_while(|l| !l.trim().starts_with('}'))
        .filter_map(|l| {
            l.trim()
                .strip_prefix('"')?
                .split('"')
                .next()
                .map(str::to_owned)
        })
        .collect()
}

#[test]
fn output_is_deterministic() {
    let f = standard_fixture();
    let first = generate(&f.providers()).unwrap();
    let second = generate(&f.providers()).unwrap();
    assert_eq!(first, second);
}

#[test]
fn regions_missing_from_the_library_table_are_an_error() {
    let f = Fixture::new();
    f.schema("ccc", skill_schema());
    f.region("xx-nowhere-1", json!({"Alexa::ASK::Skill": "ccc"}));
    let err = generate(&f.providers()).unwrap_err();
    assert!(
        err.contains("xx-nowhere-1") && err.contains("REGIONS"),
        "{err}"
    );
}

#[test]
fn malformed_inputs_are_errors() {
    let f = Fixture::new();
    f.region("us-east-1", json!({"AWS::IAM::Role": "missing"}));
    assert!(generate(&f.providers())
        .unwrap_err()
        .contains("missing.json"));
    let empty = Fixture::new();
    assert!(generate(&empty.providers()).is_err());
}
