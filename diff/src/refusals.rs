//! What CloudFormation refuses: in a template, before it changes anything,
//! a resource attribute it does not know, a condition or a name that is
//! not declared; in an update, a custom resource's new service token. The
//! diff is what would happen if it were accepted; these say that it will
//! not be.

use std::collections::BTreeSet;

type HashSet<T> = std::collections::HashSet<T, foldhash::fast::FixedState>;

use crate::engine::{Change, ResourceChange};
use crate::normalize::literal;
use crate::references::{is_container, Referrers};
use crate::template::Ids;
use crate::value::{Json, Map};

/// The attributes a resource may have besides `Type` (`Version` only on
/// custom resources).
const ATTRIBUTES: &[&str] = &[
    "Condition",
    "CreationPolicy",
    "DeletionPolicy",
    "DependsOn",
    "Metadata",
    "Properties",
    "Type",
    "UpdatePolicy",
    "UpdateReplacePolicy",
];

/// Pseudo parameters: names `Ref` and `${}` may use without declaring.
const PSEUDO_PARAMETERS: &[&str] = &[
    "AWS::AccountId",
    "AWS::NotificationARNs",
    "AWS::NoValue",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
];

/// One sentence per thing CloudFormation refuses in `template`, naming
/// where it is. A template with a `Transform` is not checked: a macro may
/// rewrite any of it before CloudFormation reads it.
pub fn refusals(template: &Map) -> Vec<String> {
    check(template, &|_| Skip::Nothing)
}

/// [`refusals`] of `new`, reading into the resources in `same` (written
/// as in `old`, which CloudFormation took) only when they may name what
/// `new` no longer declares: those `referrers` lists naming a removed
/// parameter or resource, or all of them when a condition was removed or
/// `referrers` was not read.
pub(crate) fn refusals_of_changes(
    old: &Map,
    new: &Map,
    same: &Ids,
    referrers: Option<&Referrers<'_>>,
) -> Vec<String> {
    let removed = |section: &str| -> Vec<&str> {
        fn names<'t>(t: &'t Map, section: &str) -> Option<&'t Map> {
            t.get(section).and_then(Json::as_object)
        }
        match (names(old, section), names(new, section)) {
            (Some(o), n) => o
                .keys()
                .filter(|k| !n.is_some_and(|n| n.contains_key(k.as_str())))
                .map(|k| k.as_str())
                .collect(),
            (None, _) => Vec::new(),
        }
    };
    let names: HashSet<&str> = [removed("Parameters"), removed("Resources")]
        .into_iter()
        .flatten()
        .collect();
    let walk_all = !removed("Conditions").is_empty() || (!names.is_empty() && referrers.is_none());
    if walk_all || same.is_empty() {
        return refusals(new);
    }
    let mut naming_removed = Ids::default();
    if let Some(referrers) = referrers.filter(|_| !names.is_empty()) {
        for (id, named) in referrers.iter() {
            if named.iter().any(|n| names.contains(n)) && same.contains(id.as_str()) {
                naming_removed.insert(id.clone());
            }
        }
    }
    // `DependsOn` of a resource written as before may name a removed
    // resource: it is short, read without the rest.
    let depends = !names.is_empty();
    check(new, &|id| {
        if !same.contains(id) || naming_removed.contains(id) {
            Skip::Nothing
        } else if depends {
            Skip::AllButDependsOn
        } else {
            Skip::All
        }
    })
}

/// What of a resource [`check`] leaves out.
#[derive(PartialEq, Eq)]
enum Skip {
    Nothing,
    AllButDependsOn,
    All,
}

/// The custom resources among `changes` whose service token changes, or
/// may (a value known only at deploy): CloudFormation fails their update
/// ("Modifying service token is not allowed") and rolls the stack back;
/// it never replaces them for it.
pub(crate) fn service_token_changes(
    changes: &[ResourceChange],
) -> impl Iterator<Item = String> + '_ {
    changes.iter().filter_map(|r| {
        let custom = r.type_name.starts_with("Custom::")
            || r.type_name == "AWS::CloudFormation::CustomResource";
        if !custom || r.change != Change::Modify {
            return None;
        }
        let token = r.properties.iter().find(|p| p.path == "ServiceToken")?;
        let known = |v: &Option<Json>| v.as_ref().is_none_or(literal);
        let changes = if known(&token.old) && known(&token.new) {
            "changes"
        } else {
            "may change (values known only at deploy)"
        };
        Some(format!(
            "resource {}: its ServiceToken {changes}, which CloudFormation does not allow for a custom \
             resource: it fails the update and rolls the stack back (give the resource a new logical ID \
             to create it anew)",
            r.logical_id
        ))
    })
}

/// Checks the resources as far as `skip` says, then every condition and
/// output.
fn check(template: &Map, skip: &dyn Fn(&str) -> Skip) -> Vec<String> {
    if template.contains_key("Transform") {
        return Vec::new();
    }
    let section = |name: &str| template.get(name).and_then(Json::as_object);
    let empty = Map::new();
    let resources = section("Resources").unwrap_or(&empty);
    let conditions = section("Conditions").unwrap_or(&empty);
    let parameters = section("Parameters").unwrap_or(&empty);
    let mut found = Refusals {
        resources,
        conditions,
        parameters,
        out: BTreeSet::new(),
    };

    for (id, r) in resources {
        let Some(r) = r.as_object() else { continue };
        let skip = skip(id);
        if skip == Skip::All {
            continue;
        }
        let at = At("resource", id);
        let custom = || {
            r.get("Type").and_then(Json::as_str).is_some_and(|t| {
                t.starts_with("Custom::") || t == "AWS::CloudFormation::CustomResource"
            })
        };
        for key in r.keys().filter(|_| skip == Skip::Nothing) {
            let known = ATTRIBUTES.contains(&key.as_str()) || (key == "Version" && custom());
            if !known {
                found.out.insert(format!(
                    "{at}: `{key}` is not a resource attribute (properties go under Properties)"
                ));
            }
        }
        if skip == Skip::Nothing {
            found.condition_named(at, r.get("Condition"));
        }
        for dependency in match r.get("DependsOn") {
            Some(Json::Array(items)) => items.iter().collect(),
            Some(one) => vec![one],
            None => Vec::new(),
        } {
            if let Some(name) = dependency.as_str() {
                if !resources.contains_key(name) {
                    found.out.insert(format!(
                        "{at}: DependsOn names {name}, which is not a resource of the template"
                    ));
                }
            }
        }
        if skip != Skip::Nothing {
            continue;
        }
        for key in ["Properties", "Metadata", "CreationPolicy", "UpdatePolicy"] {
            if let Some(v) = r.get(key) {
                found.walk(at, v, false);
            }
        }
    }
    for (id, c) in conditions {
        found.walk(At("condition", id), c, true);
    }
    if let Some(outputs) = section("Outputs") {
        for (id, o) in outputs {
            let at = At("output", id);
            found.condition_named(at, o.get("Condition"));
            found.walk(at, o, false);
        }
    }
    found.out.into_iter().collect()
}

/// Where a refusal is (`resource Key`), written only when there is one.
#[derive(Clone, Copy)]
struct At<'a>(&'static str, &'a str);

impl std::fmt::Display for At<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.0, self.1)
    }
}

struct Refusals<'t> {
    resources: &'t Map,
    conditions: &'t Map,
    parameters: &'t Map,
    /// Sorted and without repeats: a name misspelled in ten places is
    /// one line per place it is named from.
    out: BTreeSet<String>,
}

impl Refusals<'_> {
    fn condition_named(&mut self, at: At<'_>, name: Option<&Json>) {
        if let Some(name) = name.and_then(Json::as_str) {
            if !self.conditions.contains_key(name) {
                self.out.insert(format!(
                    "{at}: condition {name} is not declared in Conditions"
                ));
            }
        }
    }

    fn declared(&self, name: &str) -> bool {
        self.parameters.contains_key(name)
            || self.resources.contains_key(name)
            || PSEUDO_PARAMETERS.contains(&name)
    }

    /// Reads the intrinsics under `v`; `in_conditions` when `v` is a
    /// condition, where `{"Condition": name}` names another one.
    fn walk(&mut self, at: At<'_>, v: &Json, in_conditions: bool) {
        match v {
            // Scalars name nothing: only containers are walked into.
            Json::Array(items) => items
                .iter()
                .filter(|i| is_container(i))
                .for_each(|i| self.walk(at, i, in_conditions)),
            Json::Object(m) if m.len() == 1 => {
                let Some((k, arg)) = m.iter().next() else {
                    return;
                };
                match (k.as_str(), arg) {
                    ("Ref", Json::String(name)) => {
                        if !self.declared(name) {
                            self.out.insert(format!(
                                "{at}: Ref names {name}, which is neither a parameter nor a resource"
                            ));
                        }
                        return;
                    }
                    ("Condition", Json::String(_)) if in_conditions => {
                        self.condition_named(at, Some(arg));
                        return;
                    }
                    ("Fn::GetAtt", _) => {
                        let resource = match arg {
                            Json::String(s) => s.split('.').next(),
                            Json::Array(a) => a.first().and_then(Json::as_str),
                            _ => None,
                        };
                        if let Some(resource) = resource {
                            if !self.resources.contains_key(resource) {
                                self.out.insert(format!(
                                    "{at}: Fn::GetAtt names {resource}, which is not a resource of the template"
                                ));
                            }
                        }
                    }
                    ("Fn::If", Json::Array(a)) => self.condition_named(at, a.first()),
                    ("Fn::Sub", _) => self.sub(at, arg),
                    _ => {}
                }
                if is_container(arg) {
                    self.walk(at, arg, in_conditions);
                }
            }
            Json::Object(m) => m
                .values()
                .filter(|x| is_container(x))
                .for_each(|x| self.walk(at, x, in_conditions)),
            _ => {}
        }
    }

    /// The variables of an `Fn::Sub` string that name nothing declared.
    fn sub(&mut self, at: At<'_>, arg: &Json) {
        let (text, variables) = match arg {
            Json::String(s) => (s.as_str(), None),
            Json::Array(a) => match (a.first(), a.get(1)) {
                (Some(Json::String(s)), vars) => (s.as_str(), vars.and_then(Json::as_object)),
                _ => return,
            },
            _ => return,
        };
        for name in synth::fns::sub_variables(text) {
            if variables.is_some_and(|v| v.contains_key(name)) {
                continue;
            }
            let known = match name.split_once('.') {
                Some((resource, _)) => {
                    self.resources.contains_key(resource)
                        || variables.is_some_and(|v| v.contains_key(resource))
                }
                None => self.declared(name),
            };
            if !known {
                self.out.insert(format!(
                    "{at}: Fn::Sub names ${{{name}}}, which is neither a parameter nor a resource"
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    fn of(t: Json) -> Vec<String> {
        refusals(t.as_object().unwrap())
    }

    #[test]
    fn a_valid_template_has_none() {
        let t = json!({
            "Parameters": {"Env": {"Type": "String"}},
            "Conditions": {"Prod": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
                           "ProdInUs": {"Fn::And": [{"Condition": "Prod"}, {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}]}},
            "Resources": {
                "Q": {"Type": "AWS::SQS::Queue", "Condition": "Prod", "DependsOn": "T",
                      "Properties": {"QueueName": {"Fn::Sub": ["${AWS::StackName}-${Env}-${T.TopicName}-${X}-${!Literal}", {"X": "x"}]},
                                     "DelaySeconds": {"Fn::If": ["ProdInUs", 1, {"Ref": "AWS::NoValue"}]}}},
                "T": {"Type": "AWS::SNS::Topic", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain", "Metadata": {}},
                "C": {"Type": "Custom::Thing", "Version": "1.0", "Properties": {"ServiceToken": {"Fn::GetAtt": "T.TopicArn"}}}
            },
            "Outputs": {"Arn": {"Condition": "Prod", "Value": {"Fn::GetAtt": ["Q", "Arn"]}}}
        });
        assert_eq!(of(t), Vec::<String>::new());
    }

    #[test]
    fn each_refusal_names_where_it_is() {
        let t = json!({
            "Conditions": {"A": {"Fn::Not": [{"Condition": "Missing"}]}},
            "Resources": {
                "Key": {"Type": "AWS::KMS::Key", "EnableKeyRotation": true, "Condition": "Nope", "DependsOn": ["Gone"]},
                "Q": {"Type": "AWS::SQS::Queue", "Version": "1", "Properties": {
                    "QueueName": {"Fn::Sub": "${Env}-${Other.Name}"},
                    "DelaySeconds": {"Fn::If": ["Unknown", {"Ref": "Size"}, 0]},
                    "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["Dlq", "Arn"]}}}}
            },
            "Outputs": {"O": {"Condition": "Later", "Value": {"Ref": "Key"}}}
        });
        assert_eq!(
            of(t),
            vec![
                "condition A: condition Missing is not declared in Conditions",
                "output O: condition Later is not declared in Conditions",
                "resource Key: DependsOn names Gone, which is not a resource of the template",
                "resource Key: `EnableKeyRotation` is not a resource attribute (properties go under Properties)",
                "resource Key: condition Nope is not declared in Conditions",
                "resource Q: Fn::GetAtt names Dlq, which is not a resource of the template",
                "resource Q: Fn::Sub names ${Env}, which is neither a parameter nor a resource",
                "resource Q: Fn::Sub names ${Other.Name}, which is neither a parameter nor a resource",
                "resource Q: Ref names Size, which is neither a parameter nor a resource",
                "resource Q: `Version` is not a resource attribute (properties go under Properties)",
                "resource Q: condition Unknown is not declared in Conditions",
            ]
        );
    }

    /// The warnings of the engine's diff of `old` and `new`.
    fn warned(old: Json, new: Json) -> Vec<String> {
        let (Json::Object(old), Json::Object(new)) = (old, new) else {
            panic!("templates are objects")
        };
        crate::engine::diff("S", &old, &new, true, crate::create_only).warnings
    }

    #[test]
    fn a_resource_written_as_before_is_read_when_a_name_it_may_use_is_removed() {
        let old = json!({
            "Conditions": {"C": {"Fn::Equals": ["a", "x"]}},
            "Resources": {
                "R": {"Type": "AWS::SNS::Topic"},
                "A": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::GetAtt": ["R", "TopicName"]}}},
                "B": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": {"Fn::If": ["C", 1, 2]}}},
                "Bad": {"Type": "AWS::SQS::Queue", "Stray": 1}
            }
        });
        // What is written as before was taken before (or the old template
        // is no deployed one): it is read again only when a name it may
        // use was removed, as far as it may use it.
        let bad =
            "resource Bad: `Stray` is not a resource attribute (properties go under Properties): \
                   CloudFormation will refuse the template";
        let mut added = old.clone();
        added["Resources"]["D"] = json!({"Type": "AWS::SNS::Topic"});
        assert_eq!(warned(old.clone(), added), Vec::<String>::new());
        // The resource removed, with a resource added (the names every
        // resource uses are read beside the comparison) and without.
        let refused = "resource A: Fn::GetAtt names R, which is not a resource of the template: \
                       CloudFormation will refuse the template";
        for add in [true, false] {
            let mut new = old.clone();
            new["Resources"].as_object_mut().unwrap().remove("R");
            if add {
                new["Resources"]["D"] = json!({"Type": "AWS::SNS::Topic"});
            }
            // Without an added resource, the names each uses were not read:
            // all are read.
            let expected = if add {
                vec![refused]
            } else {
                vec![refused, bad]
            };
            assert_eq!(warned(old.clone(), new), expected, "add: {add}");
        }
        // The condition removed.
        let mut new = old.clone();
        new.as_object_mut().unwrap().remove("Conditions");
        assert_eq!(
            warned(old, new),
            vec![
                "resource B: condition C is not declared in Conditions: CloudFormation will refuse the template",
                bad,
            ]
        );
    }

    #[test]
    fn a_custom_resource_whose_service_token_changes_fails_to_update() {
        let old = json!({"Resources": {
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": "a"}},
            "Setup": {"Type": "Custom::Setup", "Properties": {"ServiceToken": {"Fn::GetAtt": ["Fn", "Arn"]}, "Size": 1}}
        }});
        let warning = |changes: &str| {
            format!(
                "resource Setup: its ServiceToken {changes}, which CloudFormation does not allow for a \
                 custom resource: it fails the update and rolls the stack back (give the resource a new \
                 logical ID to create it anew)"
            )
        };
        // Its function replaced: a new ARN, known at deploy.
        let mut new = old.clone();
        new["Resources"]["Fn"]["Properties"]["FunctionName"] = json!("b");
        assert_eq!(
            warned(old.clone(), new),
            vec![warning("may change (values known only at deploy)")]
        );
        // One function named, then another.
        let token = |t: &str| {
            let mut new = old.clone();
            new["Resources"]["Setup"]["Properties"]["ServiceToken"] = json!(t);
            new
        };
        let arn = |f: &str| format!("arn:aws:lambda:us-east-1:123456789012:function:{f}");
        assert_eq!(
            warned(token(&arn("a")), token(&arn("b"))),
            vec![warning("changes")]
        );
        // Its other properties change: it is updated.
        let mut new = old.clone();
        new["Resources"]["Setup"]["Properties"]["Size"] = json!(2);
        assert_eq!(warned(old, new), Vec::<String>::new());
    }

    #[test]
    fn a_template_with_a_transform_is_not_checked() {
        let t = json!({"Transform": "AWS::Serverless-2016-10-31",
                       "Resources": {"F": {"Type": "AWS::Serverless::Function", "Connectors": {}, "Properties": {"X": {"Ref": "Y"}}}}});
        assert!(of(t).is_empty());
    }
}
