//! What a change set is created with: parameters (given, default, or the
//! previous value) and the capabilities the template needs.

use std::collections::{BTreeMap, BTreeSet};

use synth::manifest::StackManifest;

use crate::error::{Error, Result};

/// `--parameters` values: for every stack (`KEY=VALUE`) or one
/// (`STACK:KEY=VALUE`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParameterArgs {
    pub global: BTreeMap<String, String>,
    pub per_stack: BTreeMap<String, BTreeMap<String, String>>,
}

impl ParameterArgs {
    pub fn parse(items: &[String]) -> Result<ParameterArgs> {
        let mut out = ParameterArgs::default();
        // Errors never repeat a value: it may be a secret, and CI logs keep it.
        for (n, item) in items.iter().enumerate() {
            let n = n + 1;
            let Some((key, value)) = item.split_once('=') else {
                return Err(Error::usage(format!(
                    "--parameters item {n} has no '=': write it as KEY=VALUE or STACK:KEY=VALUE (its text is not shown, as it may be a secret)"
                )));
            };
            match key.split_once(':') {
                Some((stack, key)) if !stack.is_empty() && !key.is_empty() => {
                    out.per_stack
                        .entry(stack.into())
                        .or_default()
                        .insert(key.into(), value.into());
                }
                None if !key.is_empty() => {
                    out.global.insert(key.into(), value.into());
                }
                _ => {
                    return Err(Error::usage(format!(
                        "--parameters item {n} ({key}=...) names no parameter: write it as KEY=VALUE or STACK:KEY=VALUE"
                    )))
                }
            }
        }
        Ok(out)
    }

    /// Stack names given in `STACK:KEY=VALUE` that are not being deployed.
    pub fn unknown_stacks<'a>(&'a self, deploying: &[&StackManifest]) -> Vec<&'a str> {
        self.per_stack
            .keys()
            .filter(|s| !deploying.iter().any(|d| d.name == **s))
            .map(String::as_str)
            .collect()
    }
}

/// One parameter of a change set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParameterValue {
    Value(String),
    /// Keep the deployed value.
    UsePrevious,
}

/// The parameters to pass for `stack`: given values win; on update, a
/// parameter not given keeps its previous value (unless it is new); a
/// parameter with no value and no default is an error naming the flag.
pub fn parameters(
    stack: &StackManifest,
    args: &ParameterArgs,
    deployed: &BTreeSet<String>,
) -> Result<BTreeMap<String, ParameterValue>> {
    let own = args.per_stack.get(&stack.name);
    if let Some(key) = own
        .into_iter()
        .flat_map(|m| m.keys())
        .find(|k| !stack.parameters.contains_key(*k))
    {
        return Err(Error::usage(format!(
            "stack {} has no parameter {key}; its parameters are: {}",
            stack.name,
            names(stack)
        )));
    }
    let mut out = BTreeMap::new();
    for (name, declared) in &stack.parameters {
        let given = own
            .and_then(|m| m.get(name))
            .or_else(|| args.global.get(name));
        let value = match given {
            Some(v) => ParameterValue::Value(v.clone()),
            None if deployed.contains(name) => ParameterValue::UsePrevious,
            None if declared.default.is_some() => continue,
            None => {
                return Err(Error::usage(format!(
                    "parameter {name} of stack {} has no value: pass --parameters {}:{name}=VALUE",
                    stack.name, stack.name
                )))
            }
        };
        out.insert(name.clone(), value);
    }
    Ok(out)
}

fn names(stack: &StackManifest) -> String {
    if stack.parameters.is_empty() {
        "(none)".into()
    } else {
        stack
            .parameters
            .keys()
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The capabilities a template requires: IAM resources need
/// `CAPABILITY_IAM`, named ones `CAPABILITY_NAMED_IAM`, macros and nested
/// stacks `CAPABILITY_AUTO_EXPAND`.
pub fn capabilities(template: &synth_diff::template::Template) -> Vec<&'static str> {
    let mut caps = BTreeSet::new();
    if template.contains_key("Transform") {
        caps.insert("CAPABILITY_AUTO_EXPAND");
    }
    let resources = template
        .get("Resources")
        .and_then(synth_diff::value::Json::as_object);
    for r in resources.into_iter().flat_map(|m| m.values()) {
        let type_name = r
            .get("Type")
            .and_then(synth_diff::value::Json::as_str)
            .unwrap_or("");
        let props = r.get("Properties");
        if type_name.starts_with("AWS::IAM::") {
            caps.insert("CAPABILITY_IAM");
            let named = [
                "RoleName",
                "UserName",
                "GroupName",
                "ManagedPolicyName",
                "InstanceProfileName",
            ]
            .iter()
            .any(|k| props.and_then(|p| p.get(*k)).is_some());
            if named {
                caps.insert("CAPABILITY_NAMED_IAM");
            }
        }
        if type_name == "AWS::CloudFormation::Stack" || type_name.starts_with("AWS::Serverless::") {
            caps.insert("CAPABILITY_AUTO_EXPAND");
        }
    }
    caps.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use synth::manifest::{Environment, ParameterManifest, TemplateFormat};

    fn stack() -> StackManifest {
        let p = |default: Option<&str>| ParameterManifest {
            type_: "String".into(),
            default: default.map(str::to_owned),
            no_echo: false,
        };
        StackManifest {
            name: "App".into(),
            template: "App.template.json".into(),
            format: TemplateFormat::Json,
            environment: Environment::default(),
            dependencies: vec![],
            parameters: [
                ("Required".to_string(), p(None)),
                ("Optional".to_string(), p(Some("d"))),
            ]
            .into(),
            tags: Default::default(),
            termination_protection: false,
            description: None,
            resources: 1,
            template_bytes: 1,
            suppressions: Vec::new(),
        }
    }

    #[test]
    fn parses_global_and_per_stack_values() {
        let a = ParameterArgs::parse(&["A=1".into(), "App:B=x=y".into()]).unwrap();
        assert_eq!(a.global["A"], "1");
        assert_eq!(a.per_stack["App"]["B"], "x=y");
        for bad in ["novalue-s3cret", "=s3cret", ":A=s3cret", "App:=s3cret"] {
            let e = ParameterArgs::parse(&[bad.into()]).unwrap_err();
            assert_eq!(e.code, 2, "{bad}");
            assert!(
                !e.message.contains("s3cret"),
                "the value is not echoed: {}",
                e.message
            );
        }
    }

    #[test]
    fn given_previous_default_and_missing() {
        let s = stack();
        let args = ParameterArgs::parse(&["App:Required=r".into()]).unwrap();
        let p = parameters(&s, &args, &BTreeSet::new()).unwrap();
        assert_eq!(p["Required"], ParameterValue::Value("r".into()));
        assert!(!p.contains_key("Optional"), "defaults apply on create");

        let deployed: BTreeSet<String> = ["Required".into(), "Optional".into()].into();
        let p = parameters(&s, &ParameterArgs::default(), &deployed).unwrap();
        assert_eq!(p["Required"], ParameterValue::UsePrevious);
        assert_eq!(p["Optional"], ParameterValue::UsePrevious);

        let e = parameters(&s, &ParameterArgs::default(), &BTreeSet::new()).unwrap_err();
        assert!(e.message.contains("--parameters App:Required=VALUE"), "{e}");
        let e = parameters(
            &s,
            &ParameterArgs::parse(&["App:Nope=1".into()]).unwrap(),
            &deployed,
        )
        .unwrap_err();
        assert!(e.message.contains("has no parameter Nope"), "{e}");
        // A global value for a parameter this stack lacks belongs to another stack.
        assert!(parameters(
            &s,
            &ParameterArgs::parse(&["Nope=1".into()]).unwrap(),
            &deployed
        )
        .is_ok());
    }

    #[test]
    fn capabilities_follow_the_template() {
        let t = |v: serde_json::Value| {
            synth_diff::value::Json::from(v)
                .as_object()
                .unwrap()
                .clone()
        };
        assert!(
            capabilities(&t(json!({"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}))).is_empty()
        );
        assert_eq!(
            capabilities(&t(
                json!({"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {}}}})
            )),
            ["CAPABILITY_IAM"]
        );
        assert_eq!(
            capabilities(&t(
                json!({"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "x"}}}})
            )),
            ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"]
        );
        assert_eq!(
            capabilities(&t(
                json!({"Transform": "AWS::Serverless-2016-10-31", "Resources": {}})
            )),
            ["CAPABILITY_AUTO_EXPAND"]
        );
    }
}
