//! Resources: the generated builder when synth knows the type (required
//! properties in the constructor, the rest through setters), else
//! `RawResource`; then the resource options on `stack.edit(&handle)`,
//! starting with the pinned logical ID.

use std::collections::BTreeSet;

use serde_json::{Map, Value as Json};

use super::expr::{str_lit, Env, Ty};
use super::index::{Ctor, TypeIndex, TypeInfo};
use super::Fallback;

/// One resource's statements.
pub struct Emitted {
    pub code: String,
    /// The service module (and feature) a typed resource needs.
    pub module: Option<String>,
    pub fallbacks: Vec<Fallback>,
}

/// The generated type to build a resource with, or `None` for a raw one:
/// custom resources, types the checkout does not know, properties that are
/// not an object, or a required property missing.
pub fn typed_info<'a>(
    index: &'a TypeIndex,
    type_name: &str,
    properties: Option<&Json>,
) -> Option<&'a TypeInfo> {
    if type_name.starts_with("Custom::") || type_name == "AWS::CloudFormation::CustomResource" {
        return None;
    }
    let info = index.get(type_name)?;
    // A constructor the index could not read fully is not used.
    let readable = match info.ctor {
        Ctor::Empty => info.required.is_empty(),
        Ctor::Single => info.required.len() == 1,
        Ctor::Required => !info.required.is_empty(),
    };
    if !readable {
        return None;
    }
    let empty = Map::new();
    let props = match properties {
        None => &empty,
        Some(p) => p.as_object()?,
    };
    info.required
        .iter()
        .all(|(name, _)| props.contains_key(name))
        .then_some(info)
}

pub fn emit(env: &mut Env, id: &str, resource: &Json) -> Emitted {
    let mut fallbacks = Vec::new();
    let type_name = resource.get("Type").and_then(Json::as_str).unwrap_or("");
    let var = env.resources[id].var.clone();
    let info = env.resources[id].info;
    let props = resource.get("Properties");
    let mut overrides = Vec::new();
    let (builder, module) = match info {
        Some(info) => {
            let props = props.and_then(Json::as_object).cloned().unwrap_or_default();
            let path = format!("{}::{}", info.module, info.struct_name);
            let mut code = match info.ctor {
                Ctor::Empty => format!("{path}::new()"),
                Ctor::Single => {
                    let (name, p) = &info.required[0];
                    let ty = Ty::from_generated(&p.ty, &info.module);
                    format!("{path}::new({})", env.to(&props[name], &ty))
                }
                Ctor::Required => {
                    let fields: Vec<String> = info
                        .required
                        .iter()
                        .map(|(name, p)| {
                            let ty = Ty::from_generated(&p.ty, &info.module);
                            format!("{}: {}", p.rust, env.exact(&props[name], &ty))
                        })
                        .collect();
                    format!("{path}::new({path}Required {{ {} }})", fields.join(", "))
                }
            };
            for (name, v) in &props {
                if info.required.iter().any(|(r, _)| r == name) {
                    continue;
                }
                match info.setters.get(name) {
                    Some(p) => {
                        let ty = Ty::from_generated(&p.ty, &info.module);
                        code.push_str(&format!(".{}({})", p.rust, env.to(v, &ty)));
                    }
                    None => {
                        fallbacks.push(Fallback::new(
                            id,
                            format!("{type_name} has no setter for property {name}: set with override_property, which synthesis validates like any other property"),
                        ));
                        overrides.push((name.clone(), v.clone()));
                    }
                }
            }
            (code, Some(info.module.clone()))
        }
        None => {
            fallbacks.push(Fallback::new(id, raw_reason(type_name, props)));
            let mut code = format!("RawResource::new({})", str_lit(type_name));
            match props {
                Some(Json::Object(map)) => {
                    for (name, v) in map {
                        let v = env.to(v, &Ty::Value);
                        code.push_str(&format!(".property({}, {v})", str_lit(name)));
                    }
                }
                None => {}
                Some(_) => fallbacks.push(Fallback::new(
                    id,
                    "Properties is not an object (an intrinsic function?): left out, since a resource's properties can only be set by name; write them out in the original".into(),
                )),
            }
            (code, None)
        }
    };

    let mut options = format!("stack.edit(&{var}).logical_id({})", str_lit(id));
    for (key, v) in resource.as_object().into_iter().flatten() {
        match key.as_str() {
            "Type" | "Properties" => {}
            "DependsOn" => {
                let targets: Vec<&str> = match v {
                    Json::String(s) => vec![s.as_str()],
                    Json::Array(a) if a.iter().all(Json::is_string) => {
                        a.iter().filter_map(Json::as_str).collect()
                    }
                    _ => {
                        fallbacks.push(Fallback::new(
                            id,
                            format!("DependsOn {v} is not a logical ID or a list of them: left out"),
                        ));
                        Vec::new()
                    }
                };
                for t in targets {
                    match env.resources.get(t).map(|r| r.var.clone()) {
                        Some(other) => {
                            env.used.insert(other.clone());
                            options.push_str(&format!(".depends_on(&{other})"));
                        }
                        None => fallbacks.push(Fallback::new(
                            id,
                            format!("DependsOn names {t}, which is not a resource of the template: left out"),
                        )),
                    }
                }
            }
            "Condition" => match v.as_str().and_then(|c| env.conditions.get(c)).cloned() {
                Some(c) => {
                    env.used.insert(c.clone());
                    options.push_str(&format!(".only_if({c})"));
                }
                None => fallbacks.push(Fallback::new(
                    id,
                    format!("Condition {v} is not a condition of the template: left out"),
                )),
            },
            "DeletionPolicy" | "UpdateReplacePolicy" => {
                let f = if key == "DeletionPolicy" { "deletion_policy" } else { "update_replace_policy" };
                match v.as_str().and_then(policy) {
                    Some(p) => options.push_str(&format!(".{f}(RemovalPolicy::{p})")),
                    None => fallbacks.push(Fallback::new(
                        id,
                        format!("{key} {v} is not Delete, Retain, RetainExceptOnCreate or Snapshot as a literal: left out; set it with .{f}(..)"),
                    )),
                }
            }
            "Metadata" => match v.as_object() {
                Some(m) => {
                    for (k, mv) in m {
                        let mv = env.to(mv, &Ty::Value);
                        options.push_str(&format!(".metadata({}, {mv})", str_lit(k)));
                    }
                }
                None => fallbacks.push(Fallback::new(id, "Metadata is not an object: left out".into())),
            },
            "CreationPolicy" | "UpdatePolicy" => match v.as_object() {
                Some(m) if key == "CreationPolicy" => options.push_str(&format!(
                    ".creation_policy({})",
                    super::policies::creation_policy(env, m)
                )),
                Some(m) => options.push_str(&format!(
                    ".update_policy({})",
                    super::policies::update_policy(env, m)
                )),
                None => fallbacks.push(Fallback::new(
                    id,
                    format!("{key} is not an object (an intrinsic function?): left out, since synth builds a policy key by key; write it out in the original"),
                )),
            },
            "Version" => match v {
                Json::String(s) => options.push_str(&format!(".custom_resource_version({})", str_lit(s))),
                Json::Number(n) => options.push_str(&format!(".custom_resource_version({})", str_lit(&n.to_string()))),
                _ => fallbacks.push(Fallback::new(
                    id,
                    format!("Version {v} is not a literal: left out; set it with .custom_resource_version(..)"),
                )),
            },
            other => fallbacks.push(Fallback::new(
                id,
                format!("the resource attribute {other} has no equivalent in synth's API and is left out: add it to the synthesized template by hand if the stack relies on it"),
            )),
        }
    }
    for (name, v) in overrides {
        let v = env.to(&v, &Ty::Value);
        options.push_str(&format!(
            ".override_property({}, {v})",
            str_lit(&name.replace('.', "\\."))
        ));
    }
    Emitted {
        code: format!(
            "let {var} = stack.add({}, {builder});\n{options}",
            str_lit(id)
        ),
        module,
        fallbacks,
    }
}

fn raw_reason(type_name: &str, props: Option<&Json>) -> String {
    if type_name.is_empty() {
        "the resource has no Type (or not a string): kept as RawResource with an empty type, which synthesis refuses; give it its type in the original".into()
    } else if type_name.starts_with("Custom::")
        || type_name == "AWS::CloudFormation::CustomResource"
    {
        format!("{type_name} is a custom resource: kept as RawResource with its properties by name (synth has no schema for it)")
    } else if props.is_some_and(|p| !p.is_object()) {
        format!("{type_name}: Properties is not an object, so the typed builder cannot take it: kept as RawResource")
    } else {
        format!("{type_name} is not a type this synth knows, or a required property is missing: kept as RawResource; check the type name, or update synth's generated types")
    }
}

fn policy(name: &str) -> Option<&'static str> {
    Some(match name {
        "Delete" => "Delete",
        "Retain" => "Retain",
        "RetainExceptOnCreate" => "RetainExceptOnCreate",
        "Snapshot" => "Snapshot",
        _ => return None,
    })
}

/// Resources in an order where each comes after those it refers to with
/// `Ref`/`Fn::GetAtt` or depends on, so their handles exist; otherwise
/// template order.
pub fn order(resources: &Map<String, Json>) -> Vec<String> {
    topo(resources.keys().cloned().collect(), |id| {
        let mut deps = BTreeSet::new();
        let r = &resources[id];
        for key in ["Properties", "Metadata", "Condition"] {
            if let Some(v) = r.get(key) {
                collect_refs(v, &mut deps);
            }
        }
        match r.get("DependsOn") {
            Some(Json::String(s)) => {
                deps.insert(s.clone());
            }
            Some(Json::Array(a)) => {
                deps.extend(a.iter().filter_map(Json::as_str).map(str::to_owned))
            }
            _ => {}
        }
        deps.into_iter()
            .filter(|d| d != id && resources.contains_key(d))
            .collect()
    })
}

/// Depth-first: each item after its dependencies, ties in given order.
/// A cycle (which CloudFormation refuses anyway) is cut where found.
pub fn topo(ids: Vec<String>, deps: impl Fn(&String) -> Vec<String>) -> Vec<String> {
    fn visit(
        id: &String,
        deps: &dyn Fn(&String) -> Vec<String>,
        seen: &mut BTreeSet<String>,
        out: &mut Vec<String>,
    ) {
        if !seen.insert(id.clone()) {
            return;
        }
        for d in deps(id) {
            visit(&d, deps, seen, out);
        }
        out.push(id.clone());
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(ids.len());
    for id in &ids {
        visit(id, &deps, &mut seen, &mut out);
    }
    out
}

fn collect_refs(v: &Json, out: &mut BTreeSet<String>) {
    match v {
        Json::Object(m) => {
            if m.len() == 1 {
                match (m.get("Ref"), m.get("Fn::GetAtt")) {
                    (Some(Json::String(r)), _) => {
                        out.insert(r.clone());
                    }
                    (_, Some(Json::String(s))) => {
                        out.insert(s.split('.').next().unwrap_or(s).to_owned());
                    }
                    (_, Some(Json::Array(a))) => {
                        if let Some(r) = a.first().and_then(Json::as_str) {
                            out.insert(r.to_owned());
                        }
                    }
                    _ => {}
                }
            }
            m.values().for_each(|x| collect_refs(x, out));
        }
        Json::Array(a) => a.iter().for_each(|x| collect_refs(x, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn order_puts_referenced_resources_first() {
        let resources = json!({
            "Route": {"Type": "X", "Properties": {"Table": {"Ref": "Table"}}, "DependsOn": "Gw"},
            "Table": {"Type": "X", "Properties": {"Vpc": {"Fn::GetAtt": "Vpc.Id"}}},
            "Gw": {"Type": "X"},
            "Vpc": {"Type": "X"},
        });
        let order = order(resources.as_object().unwrap());
        let pos = |id: &str| order.iter().position(|x| x == id).unwrap();
        assert!(pos("Table") < pos("Route") && pos("Gw") < pos("Route"));
        assert!(pos("Vpc") < pos("Table"));
        assert_eq!(order.len(), 4);
    }

    #[test]
    fn a_cycle_is_cut_not_looped() {
        let order = topo(vec!["A".into(), "B".into()], |id| {
            vec![if id == "A" { "B".into() } else { "A".into() }]
        });
        assert_eq!(order, vec!["B".to_owned(), "A".to_owned()]);
    }
}
