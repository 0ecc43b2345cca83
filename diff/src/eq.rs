//! Equality of JSON values (objects compare as maps, whatever their key
//! order), fast on templates: two objects whose keys come in the same
//! order (two renderings of one template, a value and its normalized
//! copy) are compared entry by entry; only when the orders differ are
//! keys looked up.

use crate::value::{Json, Map};

/// `a == b`, faster.
pub fn equal(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Object(x), Json::Object(y)) => equal_maps(x, y),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| equal(a, b))
        }
        // Scalars compared here: `Value`'s own equality is a call per
        // scalar, and templates are mostly scalars.
        (Json::String(x), Json::String(y)) => same_text(x, y),
        (Json::Number(x), Json::Number(y)) => x == y,
        (Json::Bool(x), Json::Bool(y)) => x == y,
        (Json::Null, Json::Null) => true,
        _ => false,
    }
}

/// `a == b` for two strings. Template strings are mostly short names:
/// up to 16 bytes they are compared in at most two loads per side here,
/// where a call to `memcmp` would cost more than the comparison.
#[inline(always)]
pub fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len();
    if n != b.len() {
        return false;
    }
    // Two loads that overlap when `n` is not twice their width.
    fn word<const W: usize>(s: &[u8], at: usize) -> [u8; W] {
        s[at..at + W].try_into().expect("W bytes")
    }
    match n {
        0 => true,
        1..=3 => a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1],
        4..=7 => word::<4>(a, 0) == word::<4>(b, 0) && word::<4>(a, n - 4) == word::<4>(b, n - 4),
        8..=16 => word::<8>(a, 0) == word::<8>(b, 0) && word::<8>(a, n - 8) == word::<8>(b, n - 8),
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
pub fn equal_maps(x: &Map, y: &Map) -> bool {
    if x.len() != y.len() {
        return false;
    }
    for ((ka, va), (kb, vb)) in x.iter().zip(y) {
        if !same_text(ka, kb) {
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
    use crate::json;

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
                assert_eq!(v.get(key), v.get(key), "{v} {key}");
            }
        }
        let big: Map = (0..20).map(|i| (format!("K{i}"), json!(i))).collect();
        assert_eq!(big.get("K17"), Some(&json!(17)));
        assert_eq!(big.get("K20"), None);
        assert!(!equal_opt(Some(&values[0]), None));
    }

    /// Strings of every length up to past the inline widths, equal and
    /// differing in any one byte or in length, compare as `==` does.
    #[test]
    fn same_text_agrees_with_string_equality() {
        for n in 0..40 {
            let a: String = (0..n).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
            assert!(same_text(&a, &a.clone()), "{a}");
            for i in 0..n {
                let mut b = a.clone().into_bytes();
                b[i] = b'Z';
                let b = String::from_utf8(b).expect("ASCII");
                assert!(!same_text(&a, &b), "{a} vs {b}");
            }
            let longer = format!("{a}a");
            assert!(!same_text(&a, &longer) && !same_text(&longer, &a), "{a}");
        }
    }
}
