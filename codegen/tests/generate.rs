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
    // Two service modules, the dispatcher, the create-only table and the
    // read-access table.
    assert_eq!(files.len(), 5);
    let reads = &files[std::path::Path::new("synth/src/aws/read_access.rs")];
    assert!(reads.contains("pub fn read_actions(type_name: &str)"));
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
    // One required property: `new` takes it; two or more: by name.
    assert!(!iam.contains("CfnRoleRequired"));
    assert!(iam.contains("    pub struct PolicyRequired {"));
    assert!(iam.contains(
        "        /// CloudFormation property `PolicyName`.\n        pub policy_name: Val<String>,"
    ));
    assert!(iam.contains("        pub policy_document: Val<Json>,"));
    assert!(iam.contains("        pub fn new(required: PolicyRequired) -> Self {"));
    assert!(iam
        .contains("            props.set::<Json>(\"PolicyDocument\", required.policy_document);"));
    assert!(iam.contains("        /// Policy::new(PolicyRequired {\n        ///     policy_document: serde_json::json!({ ... }).into(),\n        ///     policy_name: \"...\".into(),\n        /// })"));
    assert!(iam.contains("    pub struct TagRequired {"));
    assert!(!iam.contains("impl Into<Val<Json>>, "));
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
    // Docs never turn into code blocks, except the examples of `new`.
    assert!(iam.contains("    /// indented\n"));
    let fences: Vec<&str> = iam
        .lines()
        .filter_map(|l| l.trim().strip_prefix("/// ```"))
        .collect();
    assert_eq!(fences, ["text", "", "text", ""]);
    // The attributes, on the type's own page.
    assert!(iam.contains("/// # Attributes\n///\n/// Methods of the [`Handle`] that adding the resource returns, one per `Fn::GetAtt` attribute:\n///\n/// - `Arn`: `handle.arn()` → `Val<String>`. The ARN.\n///\n/// `handle.reference()` gives `Ref`, which returns the primary identifier, `RoleName`.\n#[derive(Clone, Debug)]\npub struct CfnRole {"), "{iam}");
    assert!(iam.contains("/// Changing it replaces the resource."));

    let skill = file(files, "synth/src/aws/alexa_ask.rs");
    assert!(skill.contains("pub struct CfnSkill {"));
    assert!(skill.contains("/// - `Id`: `handle.id()` → `Val<String>`.\n"));
    assert!(!skill.contains("Required"));
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

/// A type with two required properties, enums at the top level, in a
/// property type and in a list, and values that make no enum.
fn widget_schema() -> serde_json::Value {
    let fast_slow = json!({"type": "string", "enum": ["FAST", "SLOW"]});
    json!({
        "typeName": "AWS::Demo::Widget",
        "properties": {
            "Arn": {"type": "string"},
            "Name": {"type": "string", "description": "The name."},
            "Owner": {"type": "string", "enum": ["ME", "YOU"]},
            "Mode": fast_slow,
            "Kind": {"type": "string", "enum": ["a", "b"]},
            "Levels": {"type": "array", "items": {"type": "string", "enum": ["low", "HIGH", "1.0", "10"]}},
            "Star": {"type": "string", "enum": ["*", "x"]},
            "Twins": {"type": "string", "enum": ["on", "ON"]},
            "Settings": {"$ref": "#/definitions/Settings"},
            "Pair": {"$ref": "#/definitions/Pair"}
        },
        "definitions": {
            "Settings": {"type": "object", "properties": {
                "Mode": fast_slow,
                "Kind": {"type": "string", "enum": ["c", "d"]},
                "Only": {"type": "string"}
            }, "required": ["Only"]},
            "Pair": {"type": "object", "properties": {
                "Left": {"type": "string"}, "Right": {"$ref": "#/definitions/Settings"}
            }, "required": ["Left", "Right"]}
        },
        "required": ["Owner", "Name"],
        "readOnlyProperties": ["/properties/Arn"],
        "primaryIdentifier": ["/properties/Arn"]
    })
}

fn generate_types(schemas: &[serde_json::Value]) -> Result<String, String> {
    let f = Fixture::new();
    let mut listing = serde_json::Map::new();
    for (i, schema) in schemas.iter().enumerate() {
        let hash = format!("h{i}");
        f.schema(&hash, schema.clone());
        listing.insert(schema["typeName"].as_str().unwrap().to_owned(), hash.into());
    }
    f.region("us-east-1", listing.into());
    let files = generate(&f.providers())?;
    Ok(file(&files, "synth/src/aws/demo.rs").to_owned())
}

#[test]
fn two_or_more_required_properties_are_named_in_a_struct() {
    let demo = generate_types(&[widget_schema()]).unwrap();
    assert!(demo.contains("pub struct CfnWidgetRequired {"), "{demo}");
    assert!(demo.contains("    /// The name.\n    ///\n    /// CloudFormation property `Name`.\n    pub name: Val<String>,"));
    assert!(demo.contains("    pub owner: Val<String>,"));
    assert!(demo.contains("    pub fn new(required: CfnWidgetRequired) -> Self {"));
    assert!(demo.contains("    /// CfnWidget::new(CfnWidgetRequired {\n    ///     name: \"...\".into(),\n    ///     owner: widget::Owner::Me.into(),\n    /// })"));
    // A nested type with two required properties too; one with a single
    // required property keeps it as the argument of `new`.
    assert!(demo.contains("    pub struct PairRequired {"));
    assert!(demo.contains("        pub right: Val<Settings>,"));
    assert!(demo.contains("        pub fn new(required: PairRequired) -> Self {"));
    assert!(!demo.contains("SettingsRequired"));
    assert!(demo.contains("        pub fn new(only: impl Into<Val<String>>) -> Self {"));
    assert_eq!(demo.matches("Required {").count(), 4, "{demo}");
}

#[test]
fn allowed_string_values_become_enums() {
    let demo = generate_types(&[widget_schema()]).unwrap();
    // One enum for `Mode`, shared by the resource and `Settings`.
    assert_eq!(demo.matches("        Mode {\n").count(), 1, "{demo}");
    assert!(demo.contains(
        "        Mode {\n            Fast = \"FAST\",\n            Slow = \"SLOW\",\n        }"
    ));
    // The same property name with other values: named after its struct.
    assert!(
        demo.contains("        Kind {\n            A = \"a\",\n            B = \"b\",\n        }")
    );
    assert!(demo.contains(
        "        SettingsKind {\n            C = \"c\",\n            D = \"d\",\n        }"
    ));
    // Lists of allowed strings; digits of separate words stay apart.
    assert!(demo.contains("        Levels {\n            Low = \"low\",\n            High = \"HIGH\",\n            N1_0 = \"1.0\",\n            N10 = \"10\",\n        }"));
    assert!(demo.contains("    /// Allowed values of each item (the enum [`widget::Levels`]): `low`, `HIGH`, `1.0`, `10`.\n    pub fn levels(mut self, value: impl Into<Val<Vec<String>>>) -> Self {"));
    // No identifier for `*`, the same one for `on` and `ON`: no enum.
    assert!(!demo.contains("Star {") && !demo.contains("Twins {"));
    assert!(demo.contains("/// Allowed values: `*`, `x`."));
    // Setters still take strings and name the enum.
    assert!(demo.contains("    /// Allowed values (the enum [`widget::Mode`]): `FAST`, `SLOW`.\n    pub fn mode(mut self, value: impl Into<Val<String>>) -> Self {"));
    assert!(demo.contains("        /// Allowed values (the enum [`Mode`]): `FAST`, `SLOW`.\n        pub fn mode(mut self, value: impl Into<Val<String>>) -> Self {"));
    assert!(demo.contains("    use crate::value::{Val, string_enum};"));
    assert!(demo.contains(
        "/// Property types and enums of the allowed values of [`CfnWidget`].\npub mod widget {"
    ));
}

#[test]
fn required_struct_names_that_collide_are_an_error() {
    // A definition named like another's `Required` struct.
    let mut schema = widget_schema();
    schema["definitions"]["PairRequired"] =
        json!({"type": "object", "properties": {"X": {"type": "string"}}});
    schema["properties"]["Other"] = json!({"$ref": "#/definitions/PairRequired"});
    let err = generate_types(&[schema]).unwrap_err();
    assert!(
        err.contains("synth::aws::demo::widget::PairRequired") && err.contains("Pair"),
        "{err}"
    );
    // A resource type named like another's.
    let mut other = skill_schema();
    other["typeName"] = json!("AWS::Demo::WidgetRequired");
    let err = generate_types(&[widget_schema(), other]).unwrap_err();
    assert!(err.contains("synth::aws::demo::CfnWidgetRequired"), "{err}");
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

#[test]
fn the_replacement_table_has_conditional_create_only_paths_and_value_kinds() {
    let f = Fixture::new();
    f.schema(
        "ddd",
        json!({
            "typeName": "AWS::Test::Thing",
            "description": "A thing.",
            "properties": {
                "Name": {"type": "string"},
                "Size": {"type": "integer"},
                "Enabled": {"type": "boolean"},
                "Doc": {"type": "object"},
                "Rules": {"type": "array", "items": {"$ref": "#/definitions/Rule"}}
            },
            "definitions": {
                "Rule": {"type": "object", "properties": {"Port": {"type": "number"}, "Cidr": {"type": "string"}}}
            },
            "createOnlyProperties": ["/properties/Name"],
            "conditionalCreateOnlyProperties": ["/properties/Size"],
            "primaryIdentifier": ["/properties/Name"]
        }),
    );
    f.region("us-east-1", json!({"AWS::Test::Thing": "ddd"}));
    let generated = generate_all(&f.providers()).unwrap();
    let table = file(&generated.files, "synth/src/aws/replacement.rs");
    assert!(
        table.contains(r#"("AWS::Test::Thing", &["Name"], &["Size"]),"#),
        "{table}"
    );
    assert!(
        table.contains(r#"("AWS::Test::Thing", &[("Doc", ValueKind::Json), ("Enabled", ValueKind::Boolean), ("Rules/*/Port", ValueKind::Number), ("Size", ValueKind::Number)]),"#),
        "{table}"
    );
    assert!(table.contains("pub fn conditional_create_only(type_name: &str)"));
    assert!(table.contains("pub fn value_kinds(type_name: &str)"));
}
