//! Turning CloudFormation names into Rust identifiers.

use std::collections::BTreeSet;

/// Every Rust keyword, strict and reserved, in all editions. An identifier
/// equal to one of these gets a trailing `_`.
pub const KEYWORDS: &[&str] = &[
    "Self", "abstract", "as", "async", "await", "become", "box", "break", "const", "continue",
    "crate", "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if",
    "impl", "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub",
    "ref", "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Methods of the `Resource` trait (and the constructor): a setter of a
/// resource struct with one of these names gets a `_property` suffix.
pub const RESOURCE_METHODS: &[&str] = &[
    "condition",
    "deletion_policy",
    "depends_on",
    "into_parts",
    "logical_id",
    "meta",
    "metadata",
    "new",
    "options_mut",
    "removal_policy",
    "tag",
    "type_name",
    "update_replace_policy",
];

/// Methods `Handle` has already (its own and from its trait impls): an
/// attribute method with one of these names gets an `_attr` suffix.
pub const HANDLE_METHODS: &[&str] = &[
    "attribute",
    "clone",
    "eq",
    "erase",
    "fmt",
    "get_att",
    "ne",
    "new",
    "reference",
    "resource_id",
];

/// Names a generated struct must not take: the std prelude's and those the
/// generated modules import. Such a struct gets a `Property` suffix.
pub const RESERVED_TYPE_NAMES: &[&str] = &[
    "Box",
    "Clone",
    "Copy",
    "Debug",
    "Default",
    "Drop",
    "Eq",
    "Err",
    "Fn",
    "FnMut",
    "FnOnce",
    "From",
    "Handle",
    "Hash",
    "Into",
    "Iterator",
    "Json",
    "ListRule",
    "Map",
    "None",
    "NumRule",
    "ObjectShape",
    "Ok",
    "Option",
    "Ord",
    "PartialEq",
    "PartialOrd",
    "Props",
    "RegionSet",
    "Resource",
    "ResourceOptions",
    "Result",
    "Self",
    "Send",
    "Shape",
    "Sized",
    "Some",
    "StrRule",
    "String",
    "Sync",
    "TagShape",
    "Tagging",
    "ToOwned",
    "ToString",
    "TypeMeta",
    "Val",
    "Value",
    "Vec",
];

/// Splits a CloudFormation name into words: at case changes (`VPCId` →
/// `VPC`, `Id`), after digits (`Ipv6Cidr` → `Ipv6`, `Cidr`) and at any
/// non-alphanumeric character. `IPv4`/`IPv6` count as one word and a plural
/// `s` stays with its acronym (`VPCs`).
pub fn words(name: &str) -> Vec<String> {
    let normalized = name.replace("IPv4", "Ipv4").replace("IPv6", "Ipv6");
    let chars: Vec<char> = normalized.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        if !current.is_empty() && c.is_ascii_uppercase() {
            let prev = chars[i - 1];
            let next = chars.get(i + 1).copied();
            let after_next = chars.get(i + 2).copied();
            let starts_word = if prev.is_ascii_lowercase() {
                true
            } else if prev.is_ascii_digit() {
                // `Ec2Instance`, but `3D` stays one word.
                current.chars().any(|c| c.is_ascii_alphabetic())
            } else if prev.is_ascii_uppercase() {
                // The last capital of an acronym starts the next word
                // (`VPCId`), unless what follows is a plural `s` (`VPCs`).
                let next_lower = next.is_some_and(|n| n.is_ascii_lowercase());
                let plural =
                    next == Some('s') && !after_next.is_some_and(|a| a.is_ascii_lowercase());
                next_lower && !plural
            } else {
                false
            };
            if starts_word {
                words.push(std::mem::take(&mut current));
            }
        }
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `VPCId` → `vpc_id`, a valid identifier (keywords get a trailing `_`).
pub fn snake_case(name: &str) -> String {
    let joined = words(name)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_");
    fix_ident(joined, "field")
}

/// `VPCGatewayAttachment` → `VpcGatewayAttachment`.
pub fn upper_camel(name: &str) -> String {
    let mut out = String::new();
    for w in words(name) {
        let mut chars = w.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars.map(|c| c.to_ascii_lowercase()));
        }
    }
    if out.is_empty() {
        return "Unnamed".to_owned();
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'N');
    }
    if is_keyword(&out) {
        out.push('_');
    }
    out
}

/// The enum variant for an allowed value: `PAY_PER_REQUEST` →
/// `PayPerRequest`, `t3.micro` → `T3Micro`, `1.0` → `N1_0` (digits of
/// different words stay apart). `None` when the value has no letter or
/// digit.
pub fn variant_name(value: &str) -> Option<String> {
    let mut out = String::new();
    for w in words(value) {
        let mut chars = w.chars();
        let Some(first) = chars.next() else {
            continue;
        };
        if out.ends_with(|c: char| c.is_ascii_digit()) && first.is_ascii_digit() {
            out.push('_');
        }
        out.push(first.to_ascii_uppercase());
        out.extend(chars.map(|c| c.to_ascii_lowercase()));
    }
    if out.is_empty() {
        return None;
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'N');
    }
    if is_keyword(&out) {
        out.push('_');
    }
    Some(out)
}

/// `VpcGatewayAttachment` → `VPC_GATEWAY_ATTACHMENT`.
pub fn screaming_snake(name: &str) -> String {
    let joined = words(name)
        .iter()
        .map(|w| w.to_ascii_uppercase())
        .collect::<Vec<_>>()
        .join("_");
    if joined.is_empty() {
        "UNNAMED".to_owned()
    } else if joined.starts_with(|c: char| c.is_ascii_digit()) {
        format!("N{joined}")
    } else {
        joined
    }
}

pub fn is_keyword(s: &str) -> bool {
    KEYWORDS.contains(&s)
}

/// Makes a lower-case identifier valid: not empty, not starting with a
/// digit, not a keyword.
fn fix_ident(mut s: String, fallback: &str) -> String {
    if s.is_empty() {
        s = fallback.to_owned();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, 'n');
        s.insert(1, '_');
    }
    if is_keyword(&s) {
        s.push('_');
    }
    s
}

/// The name of a generated struct for a definition or inline object, with
/// a `Property` suffix when it would shadow a prelude or imported name.
pub fn type_name(name: &str) -> String {
    let camel = upper_camel(name);
    if RESERVED_TYPE_NAMES.contains(&camel.as_str()) {
        format!("{camel}Property")
    } else {
        camel
    }
}

/// Hands out identifiers unique within one scope: the first taker of a
/// name gets it, later ones get `_2`, `_3`, ... (or `2`, `3` for types).
#[derive(Default)]
pub struct Scope {
    taken: BTreeSet<String>,
}

impl Scope {
    pub fn new() -> Self {
        Scope::default()
    }

    pub fn is_taken(&self, name: &str) -> bool {
        self.taken.contains(name)
    }

    /// Marks a name as used without handing it out.
    pub fn reserve(&mut self, name: &str) {
        self.taken.insert(name.to_owned());
    }

    /// `name` itself if free, else `name{sep}2`, `name{sep}3`, ...
    pub fn claim(&mut self, name: &str, sep: &str) -> String {
        let mut candidate = name.to_owned();
        let mut n = 2;
        while self.taken.contains(&candidate) {
            candidate = format!("{name}{sep}{n}");
            n += 1;
        }
        self.taken.insert(candidate.clone());
        candidate
    }
}

/// The name of a setter (or constructor argument) for a property of a
/// resource struct (`resource` true) or a property struct.
pub fn setter_name(cfn: &str, resource: bool) -> String {
    let name = snake_case(cfn);
    if resource && RESOURCE_METHODS.contains(&name.as_str()) {
        format!("{name}_property")
    } else if !resource && name == "new" {
        "new_property".to_owned()
    } else {
        name
    }
}

/// The name of a `Handle` method for an attribute path (`CertificateAuthority`,
/// `Data` → `certificate_authority_data`).
pub fn attribute_method(segments: &[&str]) -> String {
    let joined = segments
        .iter()
        .map(|s| {
            words(s)
                .iter()
                .map(|w| w.to_ascii_lowercase())
                .collect::<Vec<_>>()
                .join("_")
        })
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    let name = fix_ident(joined, "attribute");
    if HANDLE_METHODS.contains(&name.as_str()) {
        format!("{name}_attr")
    } else {
        name
    }
}

/// The module of a service: `AWS::EC2::VPC` → `ec2`, `Alexa::ASK::Skill` →
/// `alexa_ask`.
pub fn service_module(namespace: &str, service: &str) -> String {
    let raw = if namespace == "AWS" {
        service.to_ascii_lowercase()
    } else {
        format!(
            "{}_{}",
            namespace.to_ascii_lowercase(),
            service.to_ascii_lowercase()
        )
    };
    let cleaned: String = raw
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    fix_ident(cleaned, "service")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_handles_acronyms_and_digits() {
        assert_eq!(snake_case("VPCId"), "vpc_id");
        assert_eq!(snake_case("SSESpecification"), "sse_specification");
        assert_eq!(snake_case("Ipv6CidrBlock"), "ipv6_cidr_block");
        assert_eq!(snake_case("IPv6CidrBlock"), "ipv6_cidr_block");
        assert_eq!(
            snake_case("AssignIPv6AddressOnCreation"),
            "assign_ipv6_address_on_creation"
        );
        assert_eq!(snake_case("EC2InstanceId"), "ec2_instance_id");
        assert_eq!(snake_case("S3Bucket"), "s3_bucket");
        assert_eq!(snake_case("RoleName"), "role_name");
        assert_eq!(snake_case("HTTPSPort"), "https_port");
        assert_eq!(snake_case("SecurityGroupIDs"), "security_group_ids");
        assert_eq!(snake_case("VPCs"), "vpcs");
        assert_eq!(snake_case("VPCSecurityGroups"), "vpc_security_groups");
        assert_eq!(snake_case("connectionArn"), "connection_arn");
        assert_eq!(snake_case("Tag_Key"), "tag_key");
        assert_eq!(snake_case("DBInstanceClass"), "db_instance_class");
    }

    #[test]
    fn keywords_get_a_trailing_underscore() {
        assert_eq!(snake_case("Type"), "type_");
        assert_eq!(snake_case("type"), "type_");
        assert_eq!(snake_case("Match"), "match_");
        assert_eq!(snake_case("Self"), "self_");
        assert_eq!(snake_case("Async"), "async_");
        assert_eq!(snake_case("3DSettings"), "n_3d_settings");
        assert_eq!(upper_camel("Self"), "Self_");
    }

    #[test]
    fn upper_camel_normalizes_acronyms() {
        assert_eq!(upper_camel("VPCGatewayAttachment"), "VpcGatewayAttachment");
        assert_eq!(upper_camel("Role"), "Role");
        assert_eq!(upper_camel("arnOrId"), "ArnOrId");
        assert_eq!(upper_camel("iso8601UTC"), "Iso8601Utc");
        assert_eq!(upper_camel("EC2Fleet"), "Ec2Fleet");
        assert_eq!(upper_camel("3D"), "N3d");
        assert_eq!(
            screaming_snake("VpcGatewayAttachment"),
            "VPC_GATEWAY_ATTACHMENT"
        );
    }

    #[test]
    fn variant_names_of_allowed_values() {
        let v = |s| variant_name(s);
        assert_eq!(v("PAY_PER_REQUEST").as_deref(), Some("PayPerRequest"));
        assert_eq!(v("NONE").as_deref(), Some("None"));
        assert_eq!(v("t3.micro").as_deref(), Some("T3Micro"));
        assert_eq!(v("us-east-1").as_deref(), Some("UsEast1"));
        assert_eq!(v("1.0").as_deref(), Some("N1_0"));
        assert_eq!(v("10").as_deref(), Some("N10"));
        assert_eq!(v("IPv4").as_deref(), Some("Ipv4"));
        assert_eq!(v("aws:kms").as_deref(), Some("AwsKms"));
        assert_eq!(v("Self").as_deref(), Some("Self_"));
        assert_eq!(v("*"), None);
        assert_eq!(v(""), None);
    }

    #[test]
    fn reserved_type_names_get_a_suffix() {
        assert_eq!(type_name("Option"), "OptionProperty");
        assert_eq!(type_name("Map"), "MapProperty");
        assert_eq!(type_name("map"), "MapProperty");
        assert_eq!(type_name("Value"), "ValueProperty");
        assert_eq!(type_name("Policy"), "Policy");
    }

    #[test]
    fn method_names_avoid_clashes() {
        assert_eq!(setter_name("DependsOn", true), "depends_on_property");
        assert_eq!(setter_name("Metadata", true), "metadata_property");
        assert_eq!(setter_name("Metadata", false), "metadata");
        assert_eq!(setter_name("New", false), "new_property");
        assert_eq!(setter_name("Tags", true), "tags");
        assert_eq!(attribute_method(&["Arn"]), "arn");
        assert_eq!(
            attribute_method(&["CertificateAuthority", "Data"]),
            "certificate_authority_data"
        );
        assert_eq!(attribute_method(&["ResourceId"]), "resource_id_attr");
        assert_eq!(attribute_method(&["Type"]), "type_");
    }

    #[test]
    fn scopes_disambiguate_in_order() {
        let mut scope = Scope::new();
        assert_eq!(scope.claim("vpc_id", "_"), "vpc_id");
        assert_eq!(scope.claim("vpc_id", "_"), "vpc_id_2");
        assert_eq!(scope.claim("vpc_id", "_"), "vpc_id_3");
    }

    #[test]
    fn service_modules() {
        assert_eq!(service_module("AWS", "EC2"), "ec2");
        assert_eq!(
            service_module("AWS", "ElasticLoadBalancingV2"),
            "elasticloadbalancingv2"
        );
        assert_eq!(service_module("Alexa", "ASK"), "alexa_ask");
    }
}
