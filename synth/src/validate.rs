//! Checks literal property values against the constraints of the resource
//! schema that Rust's types cannot express. Values computed by intrinsic
//! functions are unknown until deploy and are skipped.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use regex::{Regex, RegexBuilder};

use crate::resource::Props;
use crate::schema::{ListRule, NumRule, ObjectShape, Shape, StrRule, TypeMeta};
use crate::value::Value;

/// Every violation in a resource's properties, one message each, naming
/// the property path.
pub fn check(meta: &TypeMeta, props: &Props) -> Vec<String> {
    let mut problems = Vec::new();
    let object: Vec<(&str, &Value)> = props.iter().collect();
    check_object(meta.shape, &object, "", &mut problems);
    problems
}

fn check_object(shape: &ObjectShape, fields: &[(&str, &Value)], at: &str, out: &mut Vec<String>) {
    let get = |name: &str| fields.iter().find(|(k, _)| *k == name).map(|(_, v)| *v);
    let set = |name: &str| get(name).is_some_and(|v| !is_no_value(v));
    let here = |name: &str| join(at, name);

    for (name, field_shape) in shape.fields {
        if let Some(value) = get(name) {
            check_value(field_shape, value, &here(name), out);
        }
    }
    for group in shape.required_xor {
        let present: Vec<&str> = group.iter().copied().filter(|p| set(p)).collect();
        if present.len() != 1 {
            let names = group.iter().map(|p| here(p)).collect::<Vec<_>>().join(", ");
            out.push(if present.is_empty() {
                format!("set exactly one of {names}; none is set")
            } else {
                format!(
                    "set exactly one of {names}; {} are set",
                    present.join(" and ")
                )
            });
        }
    }
    for (trigger, excluded) in shape.dependent_excluded {
        if set(trigger) {
            for other in excluded.iter().filter(|o| set(o)) {
                out.push(format!(
                    "{} cannot be set together with {}",
                    here(other),
                    here(trigger)
                ));
            }
        }
    }
    if !shape.one_of_required.is_empty()
        && !shape
            .one_of_required
            .iter()
            .any(|group| group.iter().all(|p| set(p)))
    {
        let options = shape
            .one_of_required
            .iter()
            .map(|g| g.iter().map(|p| here(p)).collect::<Vec<_>>().join(" + "))
            .collect::<Vec<_>>()
            .join(", or ");
        out.push(format!("set one of these combinations: {options}"));
    }
}

fn check_value(shape: &Shape, value: &Value, at: &str, out: &mut Vec<String>) {
    match (shape, value) {
        (_, Value::Fn(_)) => {}
        (Shape::Str(rule), Value::String(s)) => check_str(rule, s, at, out),
        (Shape::Num(rule), Value::Int(n)) => check_num(rule, *n as f64, at, out),
        (Shape::Num(rule), Value::Float(n)) => check_num(rule, *n, at, out),
        (Shape::List(rule), Value::List(items)) => check_list(rule, items, at, out),
        (Shape::Object(object), Value::Map(map)) => {
            let fields: Vec<(&str, &Value)> = map.iter().map(|(k, v)| (k.as_str(), v)).collect();
            check_object(object, &fields, at, out);
        }
        (Shape::Map(item), Value::Map(map)) => {
            for (k, v) in map {
                check_value(item, v, &join(at, k), out);
            }
        }
        // Type mismatches are for the typed API (or cfn-lint) to catch.
        _ => {}
    }
}

fn check_str(rule: &StrRule, s: &str, at: &str, out: &mut Vec<String>) {
    let len = s.chars().count() as u64;
    if let Some(min) = rule.min_len.filter(|m| len < *m) {
        out.push(format!(
            "{at} is {len} characters long; at least {min} are required"
        ));
    }
    if let Some(max) = rule.max_len.filter(|m| len > *m) {
        out.push(format!(
            "{at} is {len} characters long; at most {max} are allowed"
        ));
    }
    if !rule.allowed.is_empty() && !rule.allowed.contains(&s) {
        out.push(format!(
            "{at} is {s:?}; allowed values are {}",
            rule.allowed.join(", ")
        ));
    }
    if let Some(pattern) = rule.pattern {
        if let Some(re) = compiled(pattern) {
            if !re.is_match(s) {
                out.push(format!(
                    "{at} is {s:?}, which does not match the pattern {pattern}"
                ));
            }
        }
    }
}

fn check_num(rule: &NumRule, n: f64, at: &str, out: &mut Vec<String>) {
    if let Some(min) = rule.min.filter(|m| n < *m) {
        out.push(format!("{at} is {n}; the minimum is {min}"));
    }
    if let Some(max) = rule.max.filter(|m| n > *m) {
        out.push(format!("{at} is {n}; the maximum is {max}"));
    }
    if !rule.allowed.is_empty() && !rule.allowed.contains(&n) {
        let allowed: Vec<String> = rule.allowed.iter().map(f64::to_string).collect();
        out.push(format!(
            "{at} is {n}; allowed values are {}",
            allowed.join(", ")
        ));
    }
}

fn check_list(rule: &ListRule, items: &[Value], at: &str, out: &mut Vec<String>) {
    let n = items.len() as u64;
    if let Some(min) = rule.min_items.filter(|m| n < *m) {
        out.push(format!("{at} has {n} items; at least {min} are required"));
    }
    if let Some(max) = rule.max_items.filter(|m| n > *m) {
        out.push(format!("{at} has {n} items; at most {max} are allowed"));
    }
    if let Some(item) = rule.item {
        for (i, v) in items.iter().enumerate() {
            check_value(item, v, &format!("{at}[{i}]"), out);
        }
    }
}

fn is_no_value(v: &Value) -> bool {
    matches!(v, Value::Fn(f) if matches!(**f, crate::value::Intrinsic::Ref(crate::value::RefTarget::Pseudo(crate::value::Pseudo::NoValue))))
}

fn join(at: &str, name: &str) -> String {
    if at.is_empty() {
        name.to_owned()
    } else {
        format!("{at}.{name}")
    }
}

/// Schema patterns are ECMAScript regular expressions; the few that Rust's
/// engine cannot compile (look-around, back-references) are not checked.
fn compiled(pattern: &'static str) -> Option<&'static Regex> {
    regex(pattern)
}

/// `pattern` compiled once per process and shared (a clone would start
/// with a cold match cache). ASCII mode first: it compiles far faster and
/// gives `\w` and `\d` the ECMAScript meaning CloudFormation uses; a
/// pattern that needs Unicode (non-ASCII ranges) falls back to it.
pub(crate) fn regex(pattern: &str) -> Option<&'static Regex> {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<&'static Regex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut cache = cache
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(found) = cache.get(pattern) {
        return *found;
    }
    let built = RegexBuilder::new(pattern)
        .unicode(false)
        .build()
        .or_else(|_| Regex::new(pattern))
        .ok()
        // Patterns are few and live as long as the process.
        .map(|re| &*Box::leak(Box::new(re)));
    cache.insert(pattern.to_owned(), built);
    built
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regions::RegionSet;

    static NAME: Shape = Shape::Str(StrRule {
        pattern: Some("^[a-z]+$"),
        min_len: Some(2),
        max_len: Some(5),
        allowed: &[],
    });
    static MODE: Shape = Shape::Str(StrRule {
        pattern: None,
        min_len: None,
        max_len: None,
        allowed: &["A", "B"],
    });
    static SIZE: Shape = Shape::Num(NumRule {
        min: Some(1.0),
        max: Some(10.0),
        allowed: &[],
    });
    static ITEMS: Shape = Shape::List(ListRule {
        item: Some(&NAME),
        min_items: Some(1),
        max_items: Some(2),
    });
    static SHAPE: ObjectShape = ObjectShape {
        fields: &[
            ("Name", &NAME),
            ("Mode", &MODE),
            ("Size", &SIZE),
            ("Items", &ITEMS),
        ],
        required_xor: &[&["A", "B"]],
        dependent_excluded: &[("C", &["D"])],
        one_of_required: &[],
    };
    static META: TypeMeta = TypeMeta {
        type_name: "Test::Thing",
        shape: &SHAPE,
        create_only: &[],
        write_only: &[],
        primary_identifier: &[],
        attributes: &[],
        tagging: None,
        regions: RegionSet(0),
    };

    fn problems(set: &[(&'static str, Value)]) -> Vec<String> {
        let mut props = Props::new();
        props.set::<crate::value::Json>("A", Value::from("x"));
        for (k, v) in set {
            props.set::<crate::value::Json>(k, v.clone());
        }
        check(&META, &props)
    }

    #[test]
    fn valid_values_pass() {
        assert!(problems(&[("Name", "abc".into()), ("Size", 3.into())]).is_empty());
    }

    #[test]
    fn each_constraint_reports_its_property() {
        assert!(problems(&[("Name", "ABC".into())])[0]
            .contains("Name is \"ABC\", which does not match"));
        assert!(problems(&[("Name", "a".into())])[0].contains("at least 2"));
        assert!(problems(&[("Name", "abcdef".into())])[0].contains("at most 5"));
        assert!(problems(&[("Mode", "C".into())])[0].contains("allowed values are A, B"));
        assert!(problems(&[("Size", 0.into())])[0].contains("minimum is 1"));
        assert!(problems(&[("Size", 11.into())])[0].contains("maximum is 10"));
        assert!(problems(&[("Items", Value::list(Vec::<Value>::new()))])[0].contains("at least 1"));
        assert!(problems(&[("Items", Value::list(["ab", "Zz"]))])[0].contains("Items[1]"));
        assert!(problems(&[("B", "y".into())])[0].contains("exactly one of A, B; A and B are set"));
        assert!(problems(&[("C", "1".into()), ("D", "2".into())])[0]
            .contains("D cannot be set together with C"));
    }

    #[test]
    fn patterns_use_ecmascript_classes_and_fall_back_to_unicode() {
        // `\w` is ASCII, as in ECMAScript (and CloudFormation).
        let word = regex("^\\w+$").unwrap();
        assert!(word.is_match("role_1") && !word.is_match("rôle"));
        // A pattern naming non-ASCII characters still compiles and matches.
        let latin = regex("^[\\u0020-\\u007E\\u00A1-\\u00FF]*$").unwrap();
        assert!(latin.is_match("café") && !latin.is_match("日本"));
        // Compiled once: the same regex comes back.
        assert!(std::ptr::eq(regex("^\\w+$").unwrap(), word));
        assert!(
            regex("(?<=a)b").is_none(),
            "look-behind is not supported, so not checked"
        );
    }

    #[test]
    fn intrinsics_are_not_checked() {
        assert!(problems(&[("Name", crate::fns::aws::region().into())]).is_empty());
    }
}
