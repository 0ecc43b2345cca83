//! A whole template as one Rust function, `define(stack)`: parameters,
//! mappings, conditions, resources (in dependency order), outputs and
//! rules, each declared under its logical ID.

use std::collections::BTreeSet;

use serde_json::{Map, Value as Json};

use super::expr::{str_lit, Env, ResourceVar, Ty};
use super::index::TypeIndex;
use super::naming::Names;
use super::resource;
use super::Fallback;

/// The generated function's body and what it needs.
pub struct Body {
    pub code: String,
    /// Service modules used (`synth::aws::<module>`), also the features.
    pub modules: BTreeSet<String>,
    pub fallbacks: Vec<Fallback>,
}

/// One declaration: bound to `var` only when something refers to it.
struct Decl {
    var: Option<String>,
    code: String,
}

const SECTIONS: &[&str] = &[
    "AWSTemplateFormatVersion",
    "Description",
    "Parameters",
    "Mappings",
    "Conditions",
    "Resources",
    "Outputs",
    "Rules",
];

pub fn body(template: &Map<String, Json>, index: &TypeIndex) -> Body {
    let mut env = Env::default();
    let mut names = Names::default();
    let mut fallbacks = Vec::new();
    let mut decls: Vec<Decl> = Vec::new();
    let mut modules = BTreeSet::new();

    for key in template.keys().filter(|k| !SECTIONS.contains(&k.as_str())) {
        fallbacks.push(Fallback::new(
            key,
            format!("the template section {key} has no equivalent in synth's API and is left out: add it to the synthesized template by hand if you need it (a Transform must be expanded first: import the processed template, `aws cloudformation get-template --template-stage Processed`)"),
        ));
    }
    if let Some(d) = template.get("Description").and_then(Json::as_str) {
        decls.push(Decl {
            var: None,
            code: format!("stack.description({})", str_lit(d)),
        });
    }

    let section = |name: &str| template.get(name).and_then(Json::as_object);
    // Logical IDs are unique across a synthesized template; resources keep
    // theirs (pinned), others colliding with one taken before are renamed.
    let mut ids = Ids::default();
    for id in section("Resources").into_iter().flat_map(|r| r.keys()) {
        ids.taken.insert(id.clone());
    }
    if let Some(params) = section("Parameters") {
        for (id, spec) in params {
            let cid = ids.claim(id, "Parameter", &mut fallbacks);
            let (ty, code) = parameter(&cid, spec.as_object(), &mut fallbacks);
            let var = names.claim(id, "param");
            env.params.insert(id.clone(), (var.clone(), ty));
            decls.push(Decl {
                var: Some(var),
                code,
            });
        }
    }
    if let Some(mappings) = section("Mappings") {
        for (id, table) in mappings {
            let cid = ids.claim(id, "Mapping", &mut fallbacks);
            let var = names.claim(id, "mapping");
            env.mappings.insert(id.clone(), var.clone());
            let code = mapping(&mut env, &cid, table);
            decls.push(Decl {
                var: Some(var),
                code,
            });
        }
    }
    if let Some(conditions) = section("Conditions") {
        let mut cids = std::collections::BTreeMap::new();
        for id in conditions.keys() {
            let var = names.claim(id, "condition");
            env.conditions.insert(id.clone(), var);
            cids.insert(id.clone(), ids.claim(id, "Condition", &mut fallbacks));
        }
        // A condition may use another: declare those first.
        for id in condition_order(conditions) {
            env.in_condition = true;
            let expr = env.exact(&conditions[&id], &Ty::Bool);
            env.in_condition = false;
            flush_notes(&mut env, &id, &mut fallbacks);
            decls.push(Decl {
                var: Some(env.conditions[&id].clone()),
                code: format!("stack.condition({}, {expr})", str_lit(&cids[&id])),
            });
        }
    }
    if let Some(resources) = section("Resources") {
        let order = resource::order(resources);
        for id in resources.keys() {
            let var = names.claim(id, "resource");
            let type_name = resources[id]
                .get("Type")
                .and_then(Json::as_str)
                .unwrap_or("");
            let info = resource::typed_info(index, type_name, resources[id].get("Properties"));
            env.resources.insert(id.clone(), ResourceVar { var, info });
        }
        for id in order {
            let emitted = resource::emit(&mut env, &id, &resources[&id]);
            if let Some(module) = emitted.module {
                modules.insert(module);
            }
            fallbacks.extend(emitted.fallbacks);
            flush_notes(&mut env, &id, &mut fallbacks);
            decls.push(Decl {
                var: None,
                code: emitted.code,
            });
        }
    }
    if let Some(outputs) = section("Outputs") {
        for (id, out) in outputs {
            let cid = ids.claim(id, "Output", &mut fallbacks);
            let code = output(&mut env, &cid, out);
            flush_notes(&mut env, id, &mut fallbacks);
            decls.push(Decl { var: None, code });
        }
    }
    if let Some(rules) = section("Rules") {
        for (id, rule) in rules {
            let cid = ids.claim(id, "Rule", &mut fallbacks);
            let code = self::rule(&mut env, &cid, rule, &mut fallbacks);
            flush_notes(&mut env, id, &mut fallbacks);
            decls.push(Decl { var: None, code });
        }
    }

    let mut code = String::new();
    for d in decls {
        match d.var.filter(|v| env.used.contains(v)) {
            Some(var) => code.push_str(&format!("let {var} = {};\n", d.code)),
            None => code.push_str(&format!("{};\n", d.code)),
        }
    }
    Body {
        code,
        modules,
        fallbacks,
    }
}

/// The logical IDs given out so far.
#[derive(Default)]
struct Ids {
    taken: BTreeSet<String>,
}

impl Ids {
    /// The construct ID for a parameter, mapping, condition, output or rule.
    /// They take the logical ID derived from it, which capitalizes it, and
    /// cannot pin one: an ID that is not already capitalized alphanumerics,
    /// or one a resource or an earlier element holds, cannot be kept, and
    /// is reported (renamed with the kind as suffix when it collides).
    fn claim(&mut self, id: &str, kind: &str, fallbacks: &mut Vec<Fallback>) -> String {
        let derived = synth::logical_id::from_path(id);
        if derived != id {
            fallbacks.push(Fallback::new(
                id,
                format!("the {} becomes {derived} in the synthesized template: synth derives its logical ID from the construct ID and cannot pin it; rename it, and its references, in the original if it must match", kind.to_lowercase()),
            ));
        }
        let mut cid = derived.clone();
        let mut n = 1;
        while self.taken.contains(&cid) {
            cid = if n == 1 {
                format!("{derived}{kind}")
            } else {
                format!("{derived}{kind}{n}")
            };
            n += 1;
        }
        if cid != derived {
            fallbacks.push(Fallback::new(
                id,
                format!("renamed to {cid}: synth requires logical IDs unique across resources, parameters, mappings, conditions, outputs and rules, and {derived} is taken; rename one of them in the original"),
            ));
        }
        self.taken.insert(cid.clone());
        cid
    }
}

fn flush_notes(env: &mut Env, id: &str, fallbacks: &mut Vec<Fallback>) {
    for note in std::mem::take(&mut env.notes) {
        fallbacks.push(Fallback::new(
            id,
            format!(
                "{note}; the value synthesizes as written, replace it with typed code if you can"
            ),
        ));
    }
}

fn parameter(
    id: &str,
    spec: Option<&Map<String, Json>>,
    fallbacks: &mut Vec<Fallback>,
) -> (Ty, String) {
    let empty = Map::new();
    let spec = spec.unwrap_or(&empty);
    let type_name = spec.get("Type").and_then(Json::as_str).unwrap_or("String");
    let (ty, ctor) = match type_name {
        "String" => (Ty::Str, "ParameterSpec::string()".to_owned()),
        "Number" => (Ty::Float, "ParameterSpec::number()".to_owned()),
        "CommaDelimitedList" => (Ty::ListStr, "ParameterSpec::list()".to_owned()),
        t if t.starts_with("List<") || t.contains("<List<") => (
            Ty::ListStr,
            format!("ParameterSpec::aws_list_type({})", str_lit(t)),
        ),
        t => (Ty::Str, format!("ParameterSpec::aws_type({})", str_lit(t))),
    };
    let mut code = ctor;
    let text = |v: &Json| match v {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        Json::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    let num = |v: &Json| text(v).and_then(|s| s.parse::<f64>().ok());
    let no_echo = spec
        .get("NoEcho")
        .and_then(text)
        .is_some_and(|s| s.eq_ignore_ascii_case("true"));
    for (key, v) in spec {
        match key.as_str() {
            "Description" => {
                if let Some(s) = text(v) {
                    code.push_str(&format!(".description({})", str_lit(&s)));
                }
            }
            "Default" if no_echo => fallbacks.push(Fallback::new(
                id,
                "a NoEcho parameter's Default is left out: synth refuses to write a secret's default into the template; pass the value at deploy time (--parameters)".into(),
            )),
            "Default" => code.push_str(&format!(".default({})", literal_value(v))),
            "AllowedValues" => {
                if let Some(items) = v.as_array() {
                    let parts: Vec<String> = items.iter().map(literal_value_exact).collect();
                    code.push_str(&format!(".allowed_values([{}])", parts.join(", ")));
                }
            }
            "AllowedPattern" => match text(v) {
                Some(s) if ["(?!", "(?=", "(?<=", "(?<!"].iter().any(|l| s.contains(l)) => {
                    fallbacks.push(Fallback::new(
                        id,
                        format!("AllowedPattern {s:?} uses a lookaround, which synth's pattern check refuses: left out; write an equivalent pattern without one"),
                    ));
                }
                Some(s) => code.push_str(&format!(".allowed_pattern({})", str_lit(&s))),
                None => {}
            },
            "ConstraintDescription" => {
                if let Some(s) = text(v) {
                    code.push_str(&format!(".constraint_description({})", str_lit(&s)));
                }
            }
            "MinLength" | "MaxLength" => {
                if let Some(n) = num(v) {
                    let f = if key == "MinLength" { "min_length" } else { "max_length" };
                    code.push_str(&format!(".{f}({})", n as u64));
                }
            }
            "MinValue" | "MaxValue" => {
                if let Some(n) = num(v) {
                    let f = if key == "MinValue" { "min_value" } else { "max_value" };
                    code.push_str(&format!(".{f}({:?})", n));
                    if !matches!(v, Json::Number(x) if x.is_f64()) {
                        fallbacks.push(Fallback::new(
                            id,
                            format!("{key} {v} is written as the number {n:?}: ParameterSpec::{f} takes an f64, which synthesizes with a decimal point (the same number to CloudFormation)"),
                        ));
                    }
                }
            }
            "NoEcho" if no_echo => code.push_str(".no_echo()"),
            _ => {}
        }
    }
    (ty, format!("stack.parameter({}, {code})", str_lit(id)))
}

/// A literal as `Into<Value>` code (parameter defaults and allowed values).
fn literal_value(v: &Json) -> String {
    let mut env = Env::default();
    env.to(v, &Ty::Value)
}

fn literal_value_exact(v: &Json) -> String {
    let mut env = Env::default();
    env.value(v)
}

fn mapping(env: &mut Env, id: &str, table: &Json) -> String {
    let mut outer = Vec::new();
    for (k1, inner) in table.as_object().into_iter().flatten() {
        let mut pairs = Vec::new();
        for (k2, v) in inner.as_object().into_iter().flatten() {
            pairs.push(format!("({}, {})", str_lit(k2), env.value(v)));
        }
        outer.push(format!("({}, vec![{}])", str_lit(k1), pairs.join(", ")));
    }
    if outer.is_empty() {
        return format!(
            "stack.mapping({}, Vec::<(&str, Vec<(&str, Value)>)>::new())",
            str_lit(id)
        );
    }
    format!("stack.mapping({}, vec![{}])", str_lit(id), outer.join(", "))
}

fn output(env: &mut Env, id: &str, out: &Json) -> String {
    let value = out.get("Value").unwrap_or(&Json::Null);
    let value = env.to(value, &Ty::Value);
    let mut code = format!("stack.output({}, {value})", str_lit(id));
    if let Some(d) = out.get("Description").and_then(Json::as_str) {
        code.push_str(&format!(".description({})", str_lit(d)));
    }
    if let Some(name) = out.get("Export").and_then(|e| e.get("Name")) {
        let name = env.to(name, &Ty::Str);
        code.push_str(&format!(".export({name})"));
    }
    if let Some(c) = out.get("Condition").and_then(Json::as_str) {
        if let Some(var) = env.conditions.get(c).cloned() {
            env.used.insert(var.clone());
            code.push_str(&format!(".condition({var})"));
        }
    }
    code
}

fn rule(env: &mut Env, id: &str, rule: &Json, fallbacks: &mut Vec<Fallback>) -> String {
    let mut code = String::from("Rule::new()");
    env.in_condition = true;
    if let Some(c) = rule.get("RuleCondition") {
        code.push_str(&format!(".when({})", env.exact(c, &Ty::Bool)));
    }
    for a in rule
        .get("Assertions")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        let assertion = env.exact(a.get("Assert").unwrap_or(&Json::Null), &Ty::Bool);
        let description = a.get("AssertDescription").and_then(Json::as_str);
        if description.is_none() {
            fallbacks.push(Fallback::new(
                id,
                "an assertion without AssertDescription gets an empty one: synth's Rule::assert requires a description; add one to the original".into(),
            ));
        }
        code.push_str(&format!(
            ".assert({assertion}, {})",
            str_lit(description.unwrap_or(""))
        ));
    }
    env.in_condition = false;
    format!("stack.rule({}, {code})", str_lit(id))
}

/// Conditions in an order where each comes after those it uses.
fn condition_order(conditions: &Map<String, Json>) -> Vec<String> {
    let deps = |v: &Json| {
        let mut out = BTreeSet::new();
        collect_condition_refs(v, &mut out);
        out
    };
    super::resource::topo(conditions.keys().cloned().collect(), |id| {
        deps(&conditions[id])
            .into_iter()
            .filter(|d| conditions.contains_key(d))
            .collect()
    })
}

fn collect_condition_refs(v: &Json, out: &mut BTreeSet<String>) {
    match v {
        Json::Object(m) => {
            if let (1, Some(Json::String(c))) = (m.len(), m.get("Condition")) {
                out.insert(c.clone());
            }
            m.values().for_each(|x| collect_condition_refs(x, out));
        }
        Json::Array(a) => a.iter().for_each(|x| collect_condition_refs(x, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(template: Json) -> Body {
        body(template.as_object().unwrap(), &TypeIndex::default())
    }

    fn reported(b: &Body, id: &str, words: &str) -> bool {
        b.fallbacks
            .iter()
            .any(|f| f.id == id && f.what.contains(words))
    }

    #[test]
    fn malformed_templates_are_reported_not_panicked_on() {
        let b = run(json!({
            "Resources": {"A": "x", "B": {"Type": 5, "Properties": [1]},
                          "C": {"Type": "AWS::SNS::Topic", "DependsOn": 7, "Metadata": 3}},
            "Parameters": 4, "Conditions": {"X": 1}, "Outputs": {"O": 1},
            "Rules": {"R": {"Assertions": [1]}}
        }));
        assert!(reported(&b, "A", "no Type"));
        assert!(reported(&b, "B", "not an object"));
        assert!(reported(&b, "C", "DependsOn 7"));
        assert!(reported(&b, "C", "Metadata is not an object"));
        assert!(reported(&b, "R", "AssertDescription"));
    }

    #[test]
    fn ids_synth_cannot_keep_are_renamed_and_reported() {
        let b = run(json!({
            "Parameters": {"bucketName": {"Type": "String"}, "Size": {"Type": "String"}},
            "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}},
            "Outputs": {"Queue": {"Value": {"Ref": "Queue"}}, "Size": {"Value": {"Ref": "Size"}}}
        }));
        assert!(reported(&b, "bucketName", "becomes BucketName"));
        assert!(reported(&b, "Queue", "renamed to QueueOutput"));
        assert!(reported(&b, "Size", "renamed to SizeOutput"));
        assert!(
            b.code
                .contains("stack.output(\"SizeOutput\", size.value())"),
            "{}",
            b.code
        );
        // The resource keeps its ID, and its reference is the resource's.
        assert!(b.code.contains(".logical_id(\"Queue\")"), "{}", b.code);
        assert!(
            b.code
                .contains("stack.output(\"QueueOutput\", queue.reference())"),
            "{}",
            b.code
        );
    }

    #[test]
    fn parameters_synth_refuses_are_written_without_the_refused_part() {
        let b = run(json!({
            "Parameters": {
                "Password": {"Type": "String", "NoEcho": "true", "Default": "secret"},
                "Count": {"Type": "Number", "AllowedPattern": "^(?!0$)[0-9]+$", "MinValue": 1}
            },
            "Resources": {}
        }));
        assert!(reported(&b, "Password", "NoEcho"));
        assert!(
            !b.code.contains("secret") && b.code.contains(".no_echo()"),
            "{}",
            b.code
        );
        assert!(reported(&b, "Count", "lookaround") && !b.code.contains("allowed_pattern"));
        assert!(reported(&b, "Count", "MinValue 1") && b.code.contains(".min_value(1.0)"));
    }

    #[test]
    fn sections_without_an_api_are_reported() {
        let b = run(
            json!({"Transform": "AWS::Serverless-2016-10-31", "Metadata": {}, "Resources": {}}),
        );
        assert!(reported(&b, "Transform", "Processed"));
        assert!(reported(&b, "Metadata", "no equivalent"));
    }
}
