//! What the generated resource types of a synth checkout offer, read from
//! their source (`synth/src/aws/<service>.rs`): per CloudFormation type,
//! its struct, constructor, setters and attribute methods. Generated code
//! has one fixed layout, so reading it line by line is reliable, and the
//! import then writes code against exactly the API it will compile with.

use std::collections::BTreeMap;
use std::path::Path;

/// How a generated type is constructed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ctor {
    /// `CfnX::new()`: every property optional.
    Empty,
    /// `CfnX::new(value)`: one required property.
    Single,
    /// `CfnX::new(CfnXRequired { .. })`: two or more, by field name.
    Required,
}

/// A property with its Rust name and the `T` of its `Val<T>`, as the
/// generated module spells it (`String`, `Vec<topic::Tag>`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prop {
    pub rust: String,
    pub ty: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeInfo {
    /// The service module and Cargo feature (`sns`).
    pub module: String,
    /// `CfnTopic`.
    pub struct_name: String,
    pub ctor: Ctor,
    /// Required properties by CloudFormation name, in constructor order.
    pub required: Vec<(String, Prop)>,
    /// Optional properties (setters) by CloudFormation name.
    pub setters: BTreeMap<String, Prop>,
    /// `Fn::GetAtt` attributes by name: the handle method and its type.
    pub attributes: BTreeMap<String, Prop>,
}

/// Generated types by CloudFormation type name.
#[derive(Clone, Debug, Default)]
pub struct TypeIndex {
    pub types: BTreeMap<String, TypeInfo>,
}

impl TypeIndex {
    /// Reads every service module under `synth_crate/src/aws`. A missing
    /// directory gives an empty index: every resource is then raw.
    pub fn read(synth_crate: &Path) -> TypeIndex {
        let mut index = TypeIndex::default();
        let Ok(entries) = std::fs::read_dir(synth_crate.join("src/aws")) else {
            return index;
        };
        let mut files: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "rs"))
            .collect();
        files.sort();
        for file in files {
            let Some(module) = file.file_stem().and_then(|s| s.to_str()) else {
                continue;
            };
            if module == "mod" || module == "replacement" {
                continue;
            }
            if let Ok(text) = std::fs::read_to_string(&file) {
                index.add_module(module, &text);
            }
        }
        index
    }

    /// As [`TypeIndex::read`], reading only the service modules of
    /// `type_names` (the service-to-module table of `aws/mod.rs` says
    /// which); without that table, every module.
    pub fn read_for<'t>(
        synth_crate: &Path,
        type_names: impl IntoIterator<Item = &'t str>,
    ) -> TypeIndex {
        let aws = synth_crate.join("src/aws");
        let Ok(table) = std::fs::read_to_string(aws.join("mod.rs")) else {
            return TypeIndex::read(synth_crate);
        };
        let services = service_modules(&table);
        if services.is_empty() {
            return TypeIndex::read(synth_crate);
        }
        let modules: std::collections::BTreeSet<&String> = type_names
            .into_iter()
            .filter_map(|t| {
                let mut parts = t.split("::");
                let key = (parts.next()?.to_owned(), parts.next()?.to_owned());
                services.get(&key)
            })
            .collect();
        let mut index = TypeIndex::default();
        for module in modules {
            if let Ok(text) = std::fs::read_to_string(aws.join(format!("{module}.rs"))) {
                index.add_module(module, &text);
            }
        }
        index
    }

    pub fn get(&self, type_name: &str) -> Option<&TypeInfo> {
        self.types.get(type_name)
    }

    /// Reads one generated module's top-level resource types.
    pub fn add_module(&mut self, module: &str, text: &str) {
        let lines: Vec<&str> = text.lines().collect();
        // What each `Cfn*` struct offers, by struct name; its CloudFormation
        // type name comes from its TYPE_NAME constant.
        let mut found: BTreeMap<String, TypeInfo> = BTreeMap::new();
        let mut type_names: BTreeMap<String, String> = BTreeMap::new();
        let mut required_fields: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i];
            if let Some(name) = strip(line, "pub struct ", "Required {") {
                // Field types of the required struct, by Rust field name.
                let mut fields = BTreeMap::new();
                i += 1;
                while i < lines.len() && lines[i] != "}" {
                    if let Some((field, ty)) = field_line(lines[i]) {
                        fields.insert(field, ty);
                    }
                    i += 1;
                }
                required_fields.insert(name.to_owned(), fields);
            } else if let Some(name) = strip(line, "impl Handle<", "> {") {
                let info = found
                    .entry(name.to_owned())
                    .or_insert_with(|| empty(module, name));
                i += 1;
                while i < lines.len() && lines[i] != "}" {
                    if let (Some((method, ty)), Some(next)) =
                        (getter_line(lines[i]), lines.get(i + 1))
                    {
                        if let Some(attr) = quoted_arg(next, "self.get_att(") {
                            info.attributes.insert(attr, Prop { rust: method, ty });
                        }
                    }
                    i += 1;
                }
            } else if let Some(name) = strip(line, "impl ", " {").filter(|n| n.starts_with("Cfn")) {
                let info = found
                    .entry(name.to_owned())
                    .or_insert_with(|| empty(module, name));
                i += 1;
                while i < lines.len() && lines[i] != "}" {
                    let l = lines[i];
                    if let Some(t) = quoted_arg(l, "pub const TYPE_NAME: &'static str = ") {
                        type_names.insert(name.to_owned(), t);
                    } else if l == "    pub fn new() -> Self {" {
                        info.ctor = Ctor::Empty;
                    } else if l.starts_with("    pub fn new(required: ") {
                        info.ctor = Ctor::Required;
                        // The body sets each required property from its field.
                        let fields = required_fields.get(name).cloned();
                        let mut j = i + 1;
                        while j < lines.len() && lines[j] != "    }" {
                            if let Some((prop, field)) = required_set(lines[j]) {
                                let ty = fields
                                    .as_ref()
                                    .and_then(|f| f.get(&field).cloned())
                                    .unwrap_or_else(|| "Json".into());
                                info.required.push((prop, Prop { rust: field, ty }));
                            }
                            j += 1;
                        }
                    } else if let Some((arg, ty)) = setter_line(l, "    pub fn new(") {
                        info.ctor = Ctor::Single;
                        if let Some(prop) =
                            lines.get(i + 2).and_then(|n| quoted_arg(n, "props.set("))
                        {
                            info.required.push((prop, Prop { rust: arg, ty }));
                        }
                    } else if let Some((method, ty)) = setter_line(l, "    pub fn ") {
                        if let Some(prop) = lines
                            .get(i + 1)
                            .and_then(|n| quoted_arg(n, "self.props.set("))
                        {
                            info.setters.insert(prop, Prop { rust: method, ty });
                        }
                    }
                    i += 1;
                }
            }
            i += 1;
        }
        // The required struct is declared before the constructor reads it;
        // fill in types for constructors seen before their struct, if any.
        for (name, mut info) in found {
            if let Some(fields) = required_fields.get(&name) {
                for (_, prop) in info.required.iter_mut() {
                    if let Some(ty) = fields.get(&prop.rust) {
                        prop.ty = ty.clone();
                    }
                }
            }
            if let Some(type_name) = type_names.remove(&name) {
                self.types.insert(type_name, info);
            }
        }
    }
}

/// `("AWS", "EC2") => ec2::lookup(type_name),` lines of `aws/mod.rs`:
/// the module of each (namespace, service).
fn service_modules(table: &str) -> BTreeMap<(String, String), String> {
    table
        .lines()
        .filter_map(|l| {
            let rest = l.trim().strip_prefix("(\"")?;
            let (ns, rest) = rest.split_once("\", \"")?;
            let (service, rest) = rest.split_once("\") => ")?;
            let module = rest.strip_suffix("::lookup(type_name),")?;
            Some(((ns.to_owned(), service.to_owned()), module.to_owned()))
        })
        .collect()
}

fn empty(module: &str, name: &str) -> TypeInfo {
    TypeInfo {
        module: module.to_owned(),
        struct_name: name.to_owned(),
        ctor: Ctor::Empty,
        required: Vec::new(),
        setters: BTreeMap::new(),
        attributes: BTreeMap::new(),
    }
}

fn strip<'a>(line: &'a str, prefix: &str, suffix: &str) -> Option<&'a str> {
    let name = line.strip_prefix(prefix)?.strip_suffix(suffix)?;
    name.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_')
        .then_some(name)
}

/// `"X"` right after `prefix` somewhere in the line.
fn quoted_arg(line: &str, prefix: &str) -> Option<String> {
    let rest = &line[line.find(prefix)? + prefix.len()..];
    let rest = rest.strip_prefix('"')?;
    Some(rest[..rest.find('"')?].to_owned())
}

/// `    pub name: Val<T>,` in a required struct.
fn field_line(line: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix("    pub ")?;
    let (name, ty) = rest.split_once(": Val<")?;
    Some((name.to_owned(), ty.strip_suffix(">,")?.to_owned()))
}

/// `        props.set::<T>("Prop", required.field);`
fn required_set(line: &str) -> Option<(String, String)> {
    let prop = quoted_arg(line, "props.set::<")
        .or_else(|| quoted_arg(line, ">(").filter(|_| line.contains("props.set::<")))?;
    let field = line.split("required.").nth(1)?.strip_suffix(");")?;
    Some((prop, field.to_owned()))
}

/// `    pub fn name(mut self, value: impl Into<Val<T>>) -> Self {`, or a
/// constructor `pub fn new(arg: impl Into<Val<T>>) -> Self {`.
fn setter_line(line: &str, prefix: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix(prefix)?;
    let (name, ty) = match rest.split_once("(mut self, value: impl Into<Val<") {
        Some(split) => split,
        None if prefix.ends_with("new(") => rest.split_once(": impl Into<Val<")?,
        None => return None,
    };
    let ty = ty.strip_suffix(">>) -> Self {")?;
    Some((name.to_owned(), ty.to_owned()))
}

/// `    pub fn name(&self) -> Val<T> {`
fn getter_line(line: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix("    pub fn ")?;
    let (name, rest) = rest.split_once("(&self) -> Val<")?;
    Some((name.to_owned(), rest.strip_suffix("> {")?.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODULE: &str = r#"
pub struct CfnSubscriptionRequired {
    /// CloudFormation property `Protocol`.
    pub protocol: Val<String>,
    /// CloudFormation property `TopicArn`.
    pub topic_arn: Val<String>,
}

impl CfnSubscription {
    pub const TYPE_NAME: &'static str = "AWS::SNS::Subscription";

    pub fn new(required: CfnSubscriptionRequired) -> Self {
        let mut props = Props::new();
        props.set::<String>("Protocol", required.protocol);
        props.set::<String>("TopicArn", required.topic_arn);
        CfnSubscription { props, options: ResourceOptions::default() }
    }

    pub fn delivery_policy(mut self, value: impl Into<Val<Json>>) -> Self {
        self.props.set("DeliveryPolicy", value);
        self
    }
}

impl Handle<CfnSubscription> {
    pub fn arn(&self) -> Val<String> {
        self.get_att("Arn")
    }
}

impl CfnTopic {
    pub const TYPE_NAME: &'static str = "AWS::SNS::Topic";

    pub fn new(name: impl Into<Val<String>>) -> Self {
        let mut props = Props::new();
        props.set("TopicName", name);
        CfnTopic { props, options: ResourceOptions::default() }
    }

    pub fn tags(mut self, value: impl Into<Val<Vec<topic::Tag>>>) -> Self {
        self.props.set("Tags", value);
        self
    }
}
"#;

    #[test]
    fn reads_constructors_setters_and_attributes() {
        let mut index = TypeIndex::default();
        index.add_module("sns", MODULE);
        let sub = index.get("AWS::SNS::Subscription").unwrap();
        assert_eq!(
            (sub.module.as_str(), sub.struct_name.as_str()),
            ("sns", "CfnSubscription")
        );
        assert_eq!(sub.ctor, Ctor::Required);
        let required: Vec<(&str, &str, &str)> = sub
            .required
            .iter()
            .map(|(n, p)| (n.as_str(), p.rust.as_str(), p.ty.as_str()))
            .collect();
        assert_eq!(
            required,
            [
                ("Protocol", "protocol", "String"),
                ("TopicArn", "topic_arn", "String")
            ]
        );
        assert_eq!(
            sub.setters["DeliveryPolicy"],
            Prop {
                rust: "delivery_policy".into(),
                ty: "Json".into()
            }
        );
        assert_eq!(
            sub.attributes["Arn"],
            Prop {
                rust: "arn".into(),
                ty: "String".into()
            }
        );
        let topic = index.get("AWS::SNS::Topic").unwrap();
        assert_eq!(topic.ctor, Ctor::Single);
        assert_eq!(topic.required[0].0, "TopicName");
        assert_eq!(topic.setters["Tags"].ty, "Vec<topic::Tag>");
    }

    #[test]
    fn the_service_table_names_modules() {
        let table = "        (\"AWS\", \"EC2\") => ec2::lookup(type_name),\n        (\"Alexa\", \"ASK\") => alexa_ask::lookup(type_name),\n";
        let m = service_modules(table);
        assert_eq!(m[&("AWS".to_owned(), "EC2".to_owned())], "ec2");
        assert_eq!(m[&("Alexa".to_owned(), "ASK".to_owned())], "alexa_ask");
    }

    #[test]
    fn the_checkout_index_knows_common_types() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../synth");
        let index = TypeIndex::read_for(&dir, ["AWS::EC2::VPC", "AWS::IAM::Role"]);
        let vpc = index.get("AWS::EC2::VPC").expect("ec2 read");
        assert_eq!(vpc.struct_name, "CfnVpc");
        assert!(vpc.setters.contains_key("CidrBlock") && vpc.attributes.contains_key("VpcId"));
        assert_eq!(index.get("AWS::IAM::Role").unwrap().ctor, Ctor::Single);
        assert!(
            index.get("AWS::S3::Bucket").is_none(),
            "only the modules asked for"
        );
    }
}
