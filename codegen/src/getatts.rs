//! `Fn::GetAtt` names that are not read-only properties. For most types
//! the attributes are the schema's `readOnlyProperties`; for some older
//! types CloudFormation also returns properties (a VPC's `CidrBlock`, an
//! RDS instance's `Endpoint.Address` alongside them). cfn-lint keeps those
//! facts in its code rather than in its schema data: the types whose every
//! property is an attribute, and per type the properties that are. They
//! are read from the pinned cfn-lint with its Python, so the generated
//! handles offer exactly the attributes cfn-lint accepts.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// What cfn-lint knows beyond the schemas.
#[derive(Debug, Default, Clone)]
pub struct GetAttFacts {
    /// Types whose every (non-array-of-objects) property is an attribute.
    pub all_properties: BTreeSet<String>,
    /// Per type, top-level properties that are attributes.
    pub exceptions: BTreeMap<String, Vec<String>>,
}

impl GetAttFacts {
    /// Asks the Python that has cfn-lint installed.
    pub fn from_python(python: &Path) -> Result<GetAttFacts, String> {
        const SCRIPT: &str = "import json; \
            from cfnlint.schema._getatts import _all_property_types as a, _exceptions as e; \
            print(json.dumps({'all': list(a), 'exceptions': e}))";
        let output = Command::new(python)
            .args(["-c", SCRIPT])
            .output()
            .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
        if !output.status.success() {
            return Err(format!(
                "{} could not read cfn-lint's GetAtt lists: {}",
                python.display(),
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        let facts: Value = serde_json::from_slice(&output.stdout)
            .map_err(|e| format!("cfn-lint's GetAtt lists: {e}"))?;
        let strings = |v: &Value| -> Vec<String> {
            v.as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        Ok(GetAttFacts {
            all_properties: strings(&facts["all"]).into_iter().collect(),
            exceptions: facts["exceptions"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(t, names)| (t.clone(), strings(names)))
                        .collect()
                })
                .unwrap_or_default(),
        })
    }

    /// The property paths of `type_name` (`Endpoint/Address`) that are
    /// attributes besides its read-only properties.
    pub fn extra_paths(&self, type_name: &str, schema: &Value) -> Vec<String> {
        let mut out = Vec::new();
        if self.all_properties.contains(type_name) {
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (name, value) in props {
                    walk(schema, value, name.clone(), &mut out, 0);
                }
            }
        } else if let Some(names) = self.exceptions.get(type_name) {
            out.extend(names.iter().cloned());
        }
        out.sort();
        out.dedup();
        out
    }
}

/// cfn-lint's walk: objects are entered (they are no attribute
/// themselves), arrays of scalars are attributes, arrays of objects or
/// arrays are not, references are followed, anything else is one.
fn walk(schema: &Value, node: &Value, path: String, out: &mut Vec<String>, depth: usize) {
    if depth > 16 {
        return;
    }
    let types: Vec<&str> = match node.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if types.contains(&"object") {
        if let Some(props) = node.get("properties").and_then(Value::as_object) {
            for (name, value) in props {
                walk(schema, value, format!("{path}/{name}"), out, depth + 1);
            }
        }
    } else if types.contains(&"array") {
        let item_type = node.get("items").and_then(|i| i.get("type"));
        if !matches!(item_type.and_then(Value::as_str), Some("object" | "array")) {
            out.push(path);
        }
    } else if let Some(target) = node
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| schema.pointer(r.trim_start_matches('#')))
    {
        walk(schema, target, path, out, depth + 1);
    } else {
        out.push(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn walks_properties_as_cfn_lint_does() {
        let schema = json!({
            "definitions": {"Endpoint": {"type": "object", "properties": {
                "Address": {"type": "string"}, "Port": {"type": "string"}}}},
            "properties": {
                "CidrBlock": {"type": "string"},
                "Endpoint": {"$ref": "#/definitions/Endpoint"},
                "Names": {"type": "array", "items": {"type": "string"}},
                "Rules": {"type": "array", "items": {"type": "object"}},
                "Tags": {"type": "object"}
            }
        });
        let facts = GetAttFacts {
            all_properties: ["AWS::X::Y".to_string()].into(),
            exceptions: [("AWS::X::Z".to_string(), vec!["Name".to_string()])].into(),
        };
        assert_eq!(
            facts.extra_paths("AWS::X::Y", &schema),
            ["CidrBlock", "Endpoint/Address", "Endpoint/Port", "Names"]
        );
        assert_eq!(facts.extra_paths("AWS::X::Z", &schema), ["Name"]);
        assert!(facts.extra_paths("AWS::X::W", &schema).is_empty());
    }
}
