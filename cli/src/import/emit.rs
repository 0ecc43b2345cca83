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
    "Metadata",
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

    match template.get("Metadata") {
        Some(Json::Object(m)) => {
            for (key, v) in m {
                let v = env.to(v, &Ty::Value);
                flush_notes(&mut env, "Metadata", &mut fallbacks);
                decls.push(Decl {
                    var: None,
                    code: format!("stack.template_metadata({}, {v})", str_lit(key)),
                });
            }
        }
        Some(_) => fallbacks.push(Fallback::new(
            "Metadata",
            "the template's Metadata is not an object: left out".into(),
        )),
        None => {}
    }

    let section = |name: &str| template.get(name).and_then(Json::as_object);
    // Construct IDs are unique across the stack's root whatever the
    // section; resources keep theirs, other elements get a free one and
    // pin their logical ID where it differs.
    let mut ids = Ids::default();
    for id in section("Resources").into_iter().flat_map(|r| r.keys()) {
        ids.taken.insert(id.clone());
    }
    if let Some(params) = section("Parameters") {
        for (id, spec) in params {
            let (cid, pin) = ids.claim(id, "Parameter", &mut fallbacks);
            let (ty, code) = parameter(&cid, spec.as_object(), &mut fallbacks);
            let var = names.claim(id, "param");
            env.params.insert(id.clone(), (var.clone(), ty));
            decls.push(Decl {
                var: Some(var.clone()),
                code,
            });
            pin_decl(&mut env, &mut decls, &var, pin);
        }
    }
    if let Some(mappings) = section("Mappings") {
        for (id, table) in mappings {
            let (cid, pin) = ids.claim(id, "Mapping", &mut fallbacks);
            let var = names.claim(id, "mapping");
            env.mappings.insert(id.clone(), var.clone());
            let code = mapping(&mut env, &cid, table);
            decls.push(Decl {
                var: Some(var.clone()),
                code,
            });
            pin_decl(&mut env, &mut decls, &var, pin);
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
            let var = env.conditions[&id].clone();
            let (cid, pin) = &cids[&id];
            decls.push(Decl {
                var: Some(var.clone()),
                code: format!("stack.condition({}, {expr})", str_lit(cid)),
            });
            pin_decl(&mut env, &mut decls, &var, pin.clone());
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
            let (cid, pin) = ids.claim(id, "Output", &mut fallbacks);
            let mut code = output(&mut env, &cid, out);
            if let Some(pin) = pin {
                code.push_str(&format!(".logical_id({})", str_lit(&pin)));
            }
            flush_notes(&mut env, id, &mut fallbacks);
            decls.push(Decl { var: None, code });
        }
    }
    if let Some(rules) = section("Rules") {
        for (id, rule) in rules {
            let (cid, pin) = ids.claim(id, "Rule", &mut fallbacks);
            let code = self::rule(&mut env, &cid, pin, rule, &mut fallbacks);
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

/// The construct IDs given out so far (one tree: every section's elements
/// sit at the stack's root).
#[derive(Default)]
struct Ids {
    taken: BTreeSet<String>,
}

impl Ids {
    /// The construct ID for a parameter, mapping, condition, output or
    /// rule, and the logical ID to pin when the one derived from it
    /// differs. The template's ID is kept as construct ID unless another
    /// element holds it (then the kind is appended); an ID synth cannot
    /// pin (not letters and digits, plus `&` and `_` for conditions) is
    /// reported with the one it becomes.
    fn claim(
        &mut self,
        id: &str,
        kind: &str,
        fallbacks: &mut Vec<Fallback>,
    ) -> (String, Option<String>) {
        let valid = if kind == "Condition" {
            synth::logical_id::condition_problem(id).is_none()
        } else {
            synth::logical_id::problem(id).is_none()
        };
        let base = if valid {
            id.to_owned()
        } else {
            synth::logical_id::from_path(id)
        };
        let mut cid = base.clone();
        let mut n = 1;
        while self.taken.contains(&cid) {
            cid = if n == 1 {
                format!("{base}{kind}")
            } else {
                format!("{base}{kind}{n}")
            };
            n += 1;
        }
        self.taken.insert(cid.clone());
        let derived = synth::logical_id::from_path(&cid);
        if valid {
            return (cid, (derived != id).then(|| id.to_owned()));
        }
        fallbacks.push(Fallback::new(
            id,
            format!("the {} becomes {derived} in the synthesized template: {id:?} is not a logical ID synth can pin (CloudFormation's pattern: letters and digits{}); rename it, and its references, in the original if it must match", kind.to_lowercase(), if kind == "Condition" { ", `&` and `_`" } else { "" }),
        ));
        (cid, None)
    }
}

/// `stack.pin_logical_id(&var, id)` after a declaration, when pinned.
fn pin_decl(env: &mut Env, decls: &mut Vec<Decl>, var: &str, pin: Option<String>) {
    if let Some(pin) = pin {
        env.used.insert(var.to_owned());
        decls.push(Decl {
            var: None,
            code: format!("stack.pin_logical_id(&{var}, {})", str_lit(&pin)),
        });
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
            "Default" if no_echo => {
                fallbacks.push(Fallback::new(
                    id,
                    "a NoEcho parameter's Default is kept with .plain_text_default: it is written into the template in plain text; remove it and pass the value at deploy time (--parameters) unless it is not a secret".into(),
                ));
                code.push_str(&format!(".plain_text_default({})", literal_value(v)));
            }
            "Default" => code.push_str(&format!(".default({})", literal_value(v))),
            "AllowedValues" => {
                if let Some(items) = v.as_array() {
                    let parts: Vec<String> = items.iter().map(literal_value_exact).collect();
                    code.push_str(&format!(".allowed_values([{}])", parts.join(", ")));
                }
            }
            "AllowedPattern" => {
                if let Some(s) = text(v) {
                    code.push_str(&format!(".allowed_pattern({})", str_lit(&s)));
                }
            }
            "ConstraintDescription" => {
                if let Some(s) = text(v) {
                    code.push_str(&format!(".constraint_description({})", str_lit(&s)));
                }
            }
            "MinLength" | "MaxLength" => {
                if let Some(n) = num(v) {
                    let f = if key == "MinLength" {
                        "min_length"
                    } else {
                        "max_length"
                    };
                    code.push_str(&format!(".{f}({})", n as u64));
                }
            }
            "MinValue" | "MaxValue" => {
                let f = if key == "MinValue" {
                    "min_value"
                } else {
                    "max_value"
                };
                // An integer stays one; text is read as the number it holds.
                let n = match v {
                    Json::Number(n) => n
                        .as_i64()
                        .map(int_code)
                        .or_else(|| n.as_f64().map(float_code)),
                    _ => text(v).and_then(|s| match s.parse::<i64>() {
                        Ok(i) => Some(int_code(i)),
                        Err(_) => s.parse::<f64>().ok().map(float_code),
                    }),
                };
                match n {
                    Some(n) => {
                        if !v.is_number() {
                            fallbacks.push(Fallback::new(
                                id,
                                format!("{key} {v} is written as the number {n}: ParameterSpec::{f} takes a number (the same to CloudFormation)"),
                            ));
                        }
                        code.push_str(&format!(".{f}({n})"));
                    }
                    None => fallbacks.push(Fallback::new(
                        id,
                        format!("{key} {v} is not a number: left out"),
                    )),
                }
            }
            "NoEcho" if no_echo => code.push_str(".no_echo()"),
            _ => {}
        }
    }
    (ty, format!("stack.parameter({}, {code})", str_lit(id)))
}

/// An integer literal that infers as `i32` or, past its range, `i64`
/// (both convert into `Val<f64>` as integers).
fn int_code(i: i64) -> String {
    if i32::try_from(i).is_ok() {
        i.to_string()
    } else {
        format!("{i}_i64")
    }
}

/// An `f64` literal, with its decimal point or exponent.
fn float_code(x: f64) -> String {
    let s = format!("{x:?}");
    if s.contains(['.', 'e', 'E']) {
        s
    } else {
        format!("{s}.0")
    }
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

fn rule(
    env: &mut Env,
    id: &str,
    pin: Option<String>,
    rule: &Json,
    fallbacks: &mut Vec<Fallback>,
) -> String {
    let mut code = String::from("Rule::new()");
    if let Some(pin) = pin {
        code.push_str(&format!(".logical_id({})", str_lit(&pin)));
    }
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
    fn ids_are_kept_by_pinning_where_construct_ids_collide_or_differ() {
        let b = run(json!({
            "Parameters": {"bucketName": {"Type": "String"}, "Size": {"Type": "String"}},
            "Conditions": {"Big&Small": {"Fn::Equals": ["a", "b"]}},
            "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}},
            "Outputs": {"Queue": {"Value": {"Ref": "Queue"}}, "Size": {"Value": {"Ref": "Size"}}},
            "Rules": {"x_86": {"Assertions": []}}
        }));
        let squashed: String = b.code.split_whitespace().collect();
        for part in [
            "letbucket_name=stack.parameter(\"bucketName\"",
            "stack.pin_logical_id(&bucket_name,\"bucketName\")",
            "stack.pin_logical_id(&big_small,\"Big&Small\")",
            "stack.output(\"QueueOutput\",queue.reference()).logical_id(\"Queue\")",
            "stack.output(\"SizeOutput\",size.value()).logical_id(\"Size\")",
            ".logical_id(\"Queue\")",
        ] {
            assert!(squashed.contains(part), "{part} in {}", b.code);
        }
        // Of the IDs only the rule's, which no logical ID may be, is
        // reported (the queue is raw: the test has no type index).
        let ids: Vec<&str> = b
            .fallbacks
            .iter()
            .map(|f| f.id.as_str())
            .filter(|id| *id != "Queue")
            .collect();
        assert_eq!(ids, ["x_86"], "{:?}", b.fallbacks);
        assert!(reported(&b, "x_86", "becomes X86"));
    }

    #[test]
    fn parameters_keep_integers_lookarounds_and_a_reported_no_echo_default() {
        let b = run(json!({
            "Parameters": {
                "Password": {"Type": "String", "NoEcho": "true", "Default": "secret"},
                "Count": {"Type": "Number", "AllowedPattern": "^(?!0$)[0-9]+$", "MinValue": 1, "MaxValue": 2.5},
                "Text": {"Type": "Number", "MinValue": "3", "MaxValue": 5000000000_i64}
            },
            "Resources": {}
        }));
        assert!(reported(&b, "Password", "plain_text_default"));
        assert!(
            b.code.contains(".plain_text_default(\"secret\")") && b.code.contains(".no_echo()"),
            "{}",
            b.code
        );
        for part in [
            ".allowed_pattern(\"^(?!0$)[0-9]+$\")",
            ".min_value(1)",
            ".max_value(2.5)",
            ".min_value(3)",
            ".max_value(5000000000_i64)",
        ] {
            assert!(b.code.contains(part), "{part} in {}", b.code);
        }
        assert!(!reported(&b, "Count", "") && reported(&b, "Text", "MinValue \"3\""));
    }

    #[test]
    fn template_metadata_is_kept_and_unknown_sections_are_reported() {
        let b = run(json!({
            "Transform": "AWS::Serverless-2016-10-31",
            "Metadata": {"AWS::CloudFormation::Interface": {"ParameterGroups": []}},
            "Resources": {}
        }));
        assert!(reported(&b, "Transform", "Processed"));
        assert!(!reported(&b, "Metadata", ""));
        assert!(
            b.code
                .contains("stack.template_metadata(\"AWS::CloudFormation::Interface\""),
            "{}",
            b.code
        );
    }
}
