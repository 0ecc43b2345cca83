//! Reading templates to compare: JSON, or YAML with CloudFormation's
//! short-form tags (`!Ref`, `!GetAtt`, `!Sub`, ...), normalized to the JSON
//! long form so both compare equal.

use crate::value::{Json, Map, Strict, Text};

/// A set of logical IDs, asked whether it holds a resource once or more per
/// resource: hashed (with a fixed seed) rather than ordered. Never iterated
/// for output.
pub type Ids = std::collections::HashSet<Text, foldhash::fast::FixedState>;

/// Of the resources both templates write differently, with the same
/// property names in the same order, which properties differ: bit `i`
/// for the `i`-th. By logical ID, hashed with a fixed seed.
pub type Written<'a> = std::collections::HashMap<&'a str, u64, foldhash::fast::FixedState>;

/// A template's top-level object.
pub type Template = Map;

/// Parses a template body, JSON first, then YAML.
pub fn parse(text: &str) -> Result<Template, String> {
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return Ok(Template::new());
    }
    if trimmed.starts_with('{') {
        return match serde_json::from_str::<Strict>(text) {
            Ok(Strict(Json::Object(map))) => Ok(map),
            Ok(_) => Err("the template is not a JSON object".into()),
            // CloudFormation reads a body that is not JSON as YAML, which
            // takes what JSON refuses in some templates that deploy: a
            // trailing comma, a line break inside a string.
            Err(e) => match yaml(text) {
                Ok(Json::Object(map)) => Ok(map),
                _ => Err(format!("the template is not valid JSON ({e})")),
            },
        };
    }
    match yaml(text).map_err(|e| format!("the template is neither JSON nor YAML ({e})"))? {
        Json::Object(map) => Ok(map),
        _ => Err("the template is not a mapping".into()),
    }
}

fn yaml(text: &str) -> Result<Json, String> {
    let value: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
    from_yaml(value)
}

fn from_yaml(value: serde_yaml::Value) -> Result<Json, String> {
    use serde_yaml::Value as Y;
    Ok(match value {
        Y::Null => Json::Null,
        Y::Bool(b) => Json::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Json::from(i)
            } else if let Some(u) = n.as_u64() {
                Json::from(u)
            } else {
                // `.nan`, `.inf` and `1e400` have no JSON form; CloudFormation
                // would not read them as the number they look like.
                let f = n.as_f64().unwrap_or(f64::NAN);
                crate::value::Number::from_f64(f)
                    .map(Json::Number)
                    .ok_or_else(|| {
                        format!("the number `{n}` is not finite, and a template cannot hold it")
                    })?
            }
        }
        Y::String(s) => Json::String(s.into()),
        Y::Sequence(items) => {
            Json::Array(items.into_iter().map(from_yaml).collect::<Result<_, _>>()?)
        }
        Y::Mapping(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    other => return Err(format!("unsupported mapping key {other:?}")),
                };
                out.insert(key.into(), from_yaml(v)?);
            }
            Json::Object(out)
        }
        Y::Tagged(tagged) => short_form(&tagged.tag.to_string(), from_yaml(tagged.value)?)?,
    })
}

/// `!Ref X` → `{"Ref": "X"}`, `!GetAtt A.B` → `{"Fn::GetAtt": ["A", "B"]}`,
/// `!Condition C` → `{"Condition": "C"}`, any other `!Name v` → `{"Fn::Name": v}`.
fn short_form(tag: &str, value: Json) -> Result<Json, String> {
    let name = tag.trim_start_matches('!');
    let mut out = Map::new();
    match name {
        "Ref" | "Condition" => {
            out.insert(name.into(), value);
        }
        "GetAtt" => {
            let value = match value {
                Json::String(s) => match s.split_once('.') {
                    Some((resource, attribute)) => {
                        Json::Array(vec![resource.into(), attribute.into()])
                    }
                    None => return Err(format!("!GetAtt {s} needs the form Resource.Attribute")),
                },
                other => other,
            };
            out.insert("Fn::GetAtt".into(), value);
        }
        "Base64" | "Cidr" | "FindInMap" | "GetAZs" | "ImportValue" | "Join" | "Select"
        | "Split" | "Sub" | "Transform" | "And" | "Equals" | "If" | "Not" | "Or" | "Length"
        | "ToJsonString" | "Contains" | "EachMemberEquals" | "EachMemberIn" | "RefAll"
        | "ValueOf" | "ValueOfAll" => {
            out.insert(format!("Fn::{name}").into(), value);
        }
        other => return Err(format!("unknown YAML tag !{other}")),
    }
    Ok(Json::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    #[test]
    fn yaml_short_forms_become_json_long_forms() {
        let t = parse(
            "Resources:\n  S:\n    Type: AWS::EC2::Subnet\n    Properties:\n      VpcId: !Ref Vpc\n      Az: !Select [0, !GetAZs '']\n      Arn: !GetAtt Role.Arn\n      Name: !Sub '${AWS::StackName}-s'\n      Port: 443\n",
        )
        .unwrap();
        assert_eq!(
            t["Resources"]["S"]["Properties"],
            json!({
                "VpcId": {"Ref": "Vpc"},
                "Az": {"Fn::Select": [0, {"Fn::GetAZs": ""}]},
                "Arn": {"Fn::GetAtt": ["Role", "Arn"]},
                "Name": {"Fn::Sub": "${AWS::StackName}-s"},
                "Port": 443
            })
        );
    }

    #[test]
    fn json_and_empty_bodies_parse() {
        assert_eq!(
            parse("{\"Resources\": {}}").unwrap()["Resources"],
            json!({})
        );
        assert!(parse("").unwrap().is_empty());
        assert!(parse("[1]").is_err());
        assert!(parse("Resources: !Bogus x").unwrap_err().contains("!Bogus"));
    }

    #[test]
    fn json_that_only_yaml_reads_is_read_as_yaml_like_cloudformation_does() {
        // A trailing comma and a line break inside a string: both from
        // templates in public repositories that deploy.
        let t = parse("{\"Resources\": {\"A\": {\"Type\": \"X\",\n  \"Properties\": {\"S\": \"a\nb\"},\n},\n}}")
            .unwrap();
        assert_eq!(t["Resources"]["A"]["Properties"]["S"], "a b");
        assert_eq!(t["Resources"]["A"]["Type"], "X");
        // What neither reads is reported as the JSON it looks like.
        let e = parse("{\"Resources\": {\"A\": }").unwrap_err();
        assert!(e.starts_with("the template is not valid JSON"), "{e}");
    }

    #[test]
    fn duplicate_keys_and_numbers_without_a_json_form_are_refused() {
        let e = parse(r#"{"Resources": {"A": {"Type": "X"}, "A": {"Type": "Y"}}}"#).unwrap_err();
        assert!(e.contains("duplicate key `A`"), "{e}");
        let e = parse("Resources:\n  A:\n    Type: X\n  A:\n    Type: Y\n").unwrap_err();
        assert!(e.contains("duplicate"), "{e}");
        for number in [".nan", ".inf", "-.inf"] {
            let e = parse(&format!(
                "Resources:\n  A:\n    Type: X\n    Properties:\n      N: {number}\n"
            ))
            .unwrap_err();
            assert!(e.contains("is not finite"), "{number}: {e}");
        }
        // YAML reads a float too large for a double as the string it is,
        // and so does a JSON body, which JSON refuses.
        let t = parse("A: 1e400\n").unwrap();
        assert_eq!(t["A"], "1e400");
        assert_eq!(parse(r#"{"A": 1e400}"#).unwrap()["A"], "1e400");
        // Equal keys in different objects are fine.
        assert!(parse(r#"{"A": {"K": 1}, "B": {"K": 1}}"#).is_ok());
    }
}

/// One side's resources during a diff: those normalized, and those
/// written the same on both sides, read as they are (normalizing them
/// would change nothing the diff compares).
#[derive(Clone, Copy)]
pub struct Resources<'a> {
    /// The normalized resources (without the ones in `same`).
    pub normalized: &'a Map,
    /// The template's own `Resources`, for the ones in `same`.
    pub raw: &'a Map,
    /// Resources written the same on both sides (and existing).
    pub same: &'a Ids,
    /// The normalized resources whose properties written the same on
    /// both sides are left out, whole.
    pub full: Option<&'a (dyn crate::normalize::Whole + 'a)>,
}

impl<'a> Resources<'a> {
    /// Resources that are all normalized.
    pub fn all(normalized: &'a Map, none: &'a Ids) -> Self {
        Resources {
            normalized,
            raw: normalized,
            same: none,
            full: None,
        }
    }

    /// Resource `id`, whole.
    pub fn get(&self, id: &str) -> Option<&'a Json> {
        if self.same.contains(id) {
            self.raw.get(id)
        } else if let Some(r) = self.full.and_then(|f| f.whole(id)) {
            Some(r)
        } else {
            self.normalized.get(id)
        }
    }

    /// Resource `id` for readers of some of its properties: those left
    /// out are normalized one by one, when asked for.
    pub fn resource(&self, id: &str) -> Option<Resource<'a>> {
        if self.same.contains(id) {
            let json = self.raw.get(id)?;
            return Some(Resource {
                json,
                id: "",
                full: None,
            });
        }
        let (id, json) = self.normalized.get_key_value(id)?;
        Some(Resource {
            json,
            id,
            full: self.full,
        })
    }

    /// Resource `id` for its attributes (`DeletionPolicy`, ...): perhaps
    /// without the properties written the same on both sides.
    pub fn attributes(&self, id: &str) -> Option<&'a Json> {
        if self.same.contains(id) {
            self.raw.get(id)
        } else {
            self.normalized.get(id)
        }
    }

    /// The IDs of every resource, in the template's order.
    pub fn ids(&self) -> impl Iterator<Item = &'a Text> + '_ {
        self.written().map(|(id, _)| id)
    }

    /// Every resource as written, in the template's order.
    pub fn written(&self) -> impl Iterator<Item = (&'a Text, &'a Json)> + '_ {
        let (normalized, same) = (self.normalized, self.same);
        // Those two are disjoint and within `raw`: when they add up to it,
        // no resource is left out and none need be looked up.
        let all = same.len() + normalized.len() == self.raw.len();
        self.raw
            .iter()
            .filter(move |(id, _)| all || same.contains(*id) || normalized.contains_key(id))
    }
}

/// One resource of a diff's side (see [`Resources::resource`]).
#[derive(Clone, Copy)]
pub struct Resource<'a> {
    /// As normalized, perhaps without the properties written the same on
    /// both sides; or as written, when it is the same on both.
    json: &'a Json,
    id: &'a str,
    full: Option<&'a (dyn crate::normalize::Whole + 'a)>,
}

impl<'a> Resource<'a> {
    /// An entry of the resource itself (`Type`, `DeletionPolicy`, ...).
    pub fn attribute(&self, key: &str) -> Option<&'a Json> {
        self.json.get(key)
    }

    /// Its type.
    pub fn type_name(&self) -> Option<&'a str> {
        self.attribute("Type").and_then(Json::as_str)
    }

    /// Whether its `Properties` is an object.
    pub fn has_properties(&self) -> bool {
        matches!(self.attribute("Properties"), Some(Json::Object(_)))
    }

    /// Property `key`, normalized.
    pub fn property(&self, key: &str) -> Option<&'a Json> {
        if let Some(v) = self.attribute("Properties").and_then(|p| p.get(key)) {
            return Some(v);
        }
        self.full?.left_out(self.id, key).flatten()
    }
}
