//! A template as synthesis builds it: a light tree that borrows names and
//! strings from the construct tree and keeps entries in order, serialized
//! straight to JSON or YAML. Building a `serde_json::Value` instead would
//! copy every key and string and hash every key, which cost more than
//! rendering the text itself.

use std::borrow::Cow;

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// One node of a template.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Out<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Cow<'a, str>),
    List(Vec<Out<'a>>),
    /// Entries in the order they are written; keys are unique.
    Map(Vec<(Cow<'a, str>, Out<'a>)>),
}

impl<'a> Out<'a> {
    /// A borrowed string.
    pub fn str(s: &'a str) -> Out<'a> {
        Out::Str(Cow::Borrowed(s))
    }

    /// An owned string.
    pub fn string(s: String) -> Out<'a> {
        Out::Str(Cow::Owned(s))
    }

    /// A map of one entry, as intrinsic functions are written.
    pub fn single(key: &'a str, value: Out<'a>) -> Out<'a> {
        Out::Map(vec![(Cow::Borrowed(key), value)])
    }

    pub fn get(&self, key: &str) -> Option<&Out<'a>> {
        match self {
            Out::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Out::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Entries of a map; none for anything else.
    pub fn entries(&self) -> &[(Cow<'a, str>, Out<'a>)] {
        match self {
            Out::Map(entries) => entries,
            _ => &[],
        }
    }
}

/// An ordered map under construction.
#[derive(Default)]
pub(crate) struct OutMap<'a>(pub Vec<(Cow<'a, str>, Out<'a>)>);

impl<'a> OutMap<'a> {
    pub fn with_capacity(n: usize) -> Self {
        OutMap(Vec::with_capacity(n))
    }

    /// Appends an entry whose key is not in the map yet.
    pub fn push(&mut self, key: impl Into<Cow<'a, str>>, value: Out<'a>) {
        self.0.push((key.into(), value));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, key: &str) -> Option<&Out<'a>> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The value under `key`, inserted at the end by `make` when missing.
    pub fn entry_or_insert_with(
        &mut self,
        key: &'a str,
        make: impl FnOnce() -> Out<'a>,
    ) -> &mut Out<'a> {
        let at = match self.0.iter().position(|(k, _)| k == key) {
            Some(at) => at,
            None => {
                self.0.push((Cow::Borrowed(key), make()));
                self.0.len() - 1
            }
        };
        &mut self.0[at].1
    }

    pub fn into_out(self) -> Out<'a> {
        Out::Map(self.0)
    }
}

impl Serialize for Out<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Out::Null => s.serialize_unit(),
            Out::Bool(b) => s.serialize_bool(*b),
            // serde_json writes a non-negative integer as unsigned; so do we,
            // which keeps YAML output identical too.
            Out::Int(n) if *n >= 0 => s.serialize_u64(*n as u64),
            Out::Int(n) => s.serialize_i64(*n),
            Out::Float(n) => s.serialize_f64(*n),
            Out::Str(text) => s.serialize_str(text),
            Out::List(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Out::Map(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k.as_ref(), v)?;
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The same document as a `serde_json::Value` and as an `Out` renders
    /// to the same bytes, in JSON and in YAML.
    #[test]
    fn renders_exactly_like_serde_json_values() {
        let value = json!({
            "A": [1, -2, 2.5, 1.0, 1e300, true, null, "x\"y\n\u{1}é"],
            "B": {}, "C": [], "D": {"E": {"F": "G"}},
        });
        let out = Out::Map(vec![
            (
                "A".into(),
                Out::List(vec![
                    Out::Int(1),
                    Out::Int(-2),
                    Out::Float(2.5),
                    Out::Float(1.0),
                    Out::Float(1e300),
                    Out::Bool(true),
                    Out::Null,
                    Out::str("x\"y\n\u{1}é"),
                ]),
            ),
            ("B".into(), Out::Map(vec![])),
            ("C".into(), Out::List(vec![])),
            (
                "D".into(),
                Out::single("E", Out::single("F", Out::string("G".into()))),
            ),
        ]);
        assert_eq!(
            serde_json::to_string_pretty(&out).unwrap(),
            serde_json::to_string_pretty(&value).unwrap()
        );
        assert_eq!(
            serde_yaml::to_string(&out).unwrap(),
            serde_yaml::to_string(&value).unwrap()
        );
    }

    #[test]
    fn entries_are_found_and_appended_in_order() {
        let mut m = OutMap::default();
        m.push("Resources", Out::Map(vec![]));
        assert!(m.get("Resources").is_some());
        let outputs = m.entry_or_insert_with("Outputs", || Out::Map(vec![]));
        *outputs = Out::single("Name", Out::str("v"));
        m.entry_or_insert_with("Outputs", || Out::Null);
        assert_eq!(m.0.len(), 2);
        let out = m.into_out();
        assert_eq!(
            out.get("Outputs")
                .and_then(|o| o.get("Name"))
                .and_then(Out::as_str),
            Some("v")
        );
        assert_eq!(out.entries()[0].0, "Resources");
    }
}
