//! Equality of JSON values as `serde_json` defines it (objects compare as
//! maps, whatever their key order), without its cost on templates: two
//! objects whose keys come in the same order (two renderings of one
//! template, a value and its normalized copy) are compared entry by
//! entry, with no hashing; only when the orders differ are keys looked up.

use serde_json::{Map, Value as Json};

/// `a == b`, faster.
pub fn equal(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Object(x), Json::Object(y)) => equal_maps(x, y),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| equal(a, b))
        }
        _ => a == b,
    }
}

/// `a == b` for two optional values.
pub fn equal_opt(a: Option<&Json>, b: Option<&Json>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => equal(a, b),
        (None, None) => true,
        _ => false,
    }
}

/// `x == y` for two maps.
pub fn equal_maps(x: &Map<String, Json>, y: &Map<String, Json>) -> bool {
    if x.len() != y.len() {
        return false;
    }
    for ((ka, va), (kb, vb)) in x.iter().zip(y) {
        if ka != kb {
            return x.iter().all(|(k, v)| y.get(k).is_some_and(|w| equal(v, w)));
        }
        if !equal(va, vb) {
            return false;
        }
    }
    true
}

/// `a == b` for two lists of values.
pub fn equal_slices(a: &[Json], b: &[Json]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(a, b)| equal(a, b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Agrees with `serde_json`'s own equality, key order included.
    #[test]
    fn agrees_with_serde_json() {
        let values = [
            json!({"A": 1, "B": [1, 2, {"C": "x"}]}),
            json!({"B": [1, 2, {"C": "x"}], "A": 1}),
            json!({"A": 1, "B": [1, 2, {"C": "y"}]}),
            json!({"A": 1, "B": [1, 2]}),
            json!({"A": 1, "C": [1, 2, {"C": "x"}]}),
            json!({"A": 1.0, "B": [1, 2, {"C": "x"}]}),
            json!({"A": 1}),
            json!([{"A": 1, "B": 2}, {"B": 2, "A": 1}]),
            json!([{"B": 2, "A": 1}, {"A": 1, "B": 2}]),
            json!([{"B": 2, "A": 1}, {"A": 1, "B": 3}]),
            json!("x"),
            json!(null),
        ];
        for a in &values {
            for b in &values {
                assert_eq!(equal(a, b), a == b, "{a} vs {b}");
            }
        }
        assert!(equal_opt(None, None));
        assert!(!equal_opt(Some(&values[0]), None));
    }
}
