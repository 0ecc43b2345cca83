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
        // Scalars compared here: `Value`'s own equality is a call per
        // scalar, and templates are mostly scalars.
        (Json::String(x), Json::String(y)) => x == y,
        (Json::Number(x), Json::Number(y)) => x == y,
        (Json::Bool(x), Json::Bool(y)) => x == y,
        (Json::Null, Json::Null) => true,
        _ => false,
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

/// Looking a key up by name in a template's objects, which hold a few
/// entries each: comparing the names is cheaper than hashing the key.
pub trait Field {
    /// The value under `key`, as `get` gives it.
    fn field(&self, key: &str) -> Option<&Json>;
}

/// Objects this small are scanned rather than hashed.
const SCAN: usize = 8;

impl Field for Map<String, Json> {
    fn field(&self, key: &str) -> Option<&Json> {
        if self.len() <= SCAN {
            self.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
        } else {
            self.get(key)
        }
    }
}

impl Field for Json {
    fn field(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(m) => m.field(key),
            _ => None,
        }
    }
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
        for v in &values {
            for key in ["A", "B", "C", "D"] {
                assert_eq!(v.field(key), v.get(key), "{v} {key}");
            }
        }
        let big: Map<String, Json> = (0..20).map(|i| (format!("K{i}"), json!(i))).collect();
        assert_eq!(big.field("K17"), Some(&json!(17)));
        assert_eq!(big.field("K20"), None);
        assert!(!equal_opt(Some(&values[0]), None));
    }
}
