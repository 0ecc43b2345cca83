//! The logical IDs a template's values name (`Ref`, `Fn::GetAtt`, `${X}`
//! in `Fn::Sub`), read as written: for the propagation of replacements,
//! which asks of every resource whether it names a replaced one.

use std::collections::BTreeSet;
use std::ops::Range;

use crate::value::{Json, Text};

use crate::eq;

/// Logical IDs a value references.
pub fn references(v: &Json, out: &mut BTreeSet<Text>) {
    let mut names = Vec::new();
    references_borrowed(v, &mut names);
    out.extend(names.into_iter().map(Text::from));
}

/// Whether `v` names none of `parameters`.
pub(crate) fn names_none(v: &Json, parameters: &BTreeSet<Text>) -> bool {
    parameters.is_empty() || {
        let mut names = Vec::new();
        references_borrowed(v, &mut names);
        names.iter().all(|n| !parameters.contains(*n))
    }
}

/// As [`references`], borrowing the names from the value.
pub(crate) fn references_borrowed<'a>(v: &'a Json, out: &mut Vec<&'a str>) {
    match v {
        // Keys are matched as the entries go by: looking each of the three
        // up would hash it at every level of every property.
        Json::Object(m) => {
            for (k, x) in m {
                entry_references(k, x, out);
                if is_container(x) {
                    references_borrowed(x, out);
                }
            }
        }
        Json::Array(items) => items
            .iter()
            .filter(|x| is_container(x))
            .for_each(|x| references_borrowed(x, out)),
        _ => {}
    }
}

/// The name an object's entry `k: x` gives when it is a reference itself
/// (what it holds is not read).
#[inline]
pub(crate) fn entry_references<'a>(k: &str, x: &'a Json, out: &mut Vec<&'a str>) {
    match (k, x) {
        ("Ref", Json::String(r)) => out.push(r),
        ("Fn::GetAtt", Json::Array(a)) => {
            if let Some(Json::String(r)) = a.first() {
                out.push(r);
            }
        }
        // As written, before normalizing.
        ("Fn::GetAtt", Json::String(r)) => {
            out.push(r.split('.').next().unwrap_or(r));
        }
        ("Fn::Sub", sub) => sub_references(sub, out),
        _ => {}
    }
}

/// The names an `Fn::Sub` argument's text refers to (`${Name}`,
/// `${Name.Attribute}`), but for pseudo parameters, which name no
/// resource. Apart from the walk, which stays small.
#[inline(never)]
fn sub_references<'a>(sub: &'a Json, out: &mut Vec<&'a str>) {
    let text = match sub {
        Json::String(s) => s.as_str(),
        Json::Array(a) => a.first().and_then(Json::as_str).unwrap_or(""),
        _ => "",
    };
    for name in synth::fns::sub_variables(text) {
        if !name.starts_with("AWS::") {
            out.push(name.split_once('.').map_or(name, |(r, _)| r));
        }
    }
}

/// Whether `v` can hold a reference (scalars are not walked into).
pub(crate) fn is_container(v: &Json) -> bool {
    matches!(v, Json::Object(_) | Json::Array(_))
}

/// Whether `new` equals `old` (as [`eq::equal`]), reading the names `new`
/// references into `out` on the way: all of them, whatever the answer.
/// One walk for both, where two would read `new` from memory twice.
pub(crate) fn equal_and_references<'a>(new: &'a Json, old: &Json, out: &mut Vec<&'a str>) -> bool {
    match (new, old) {
        (Json::Object(x), Json::Object(y)) if x.len() == y.len() => {
            let mut theirs = y.iter();
            // Decided once an entry differs, or the keys come in another
            // order (then compared as maps): from there only names are read.
            let mut decided = None;
            for (k, v) in x {
                entry_references(k, v, out);
                if decided.is_none() {
                    match theirs.next() {
                        Some((k2, w)) if eq::same_text(k2, k) => {
                            if !is_container(v) {
                                if !eq::equal(v, w) {
                                    decided = Some(false);
                                }
                                continue;
                            }
                            if !equal_and_references(v, w, out) {
                                decided = Some(false);
                            }
                            continue;
                        }
                        _ => decided = Some(eq::equal_maps(x, y)),
                    }
                }
                if is_container(v) {
                    references_borrowed(v, out);
                }
            }
            decided.unwrap_or(true)
        }
        (Json::Array(a), Json::Array(b)) if a.len() == b.len() => {
            let mut same = true;
            for (v, w) in a.iter().zip(b) {
                if !same {
                    if is_container(v) {
                        references_borrowed(v, out);
                    }
                } else if is_container(v) {
                    same = equal_and_references(v, w, out);
                } else {
                    same = eq::equal(v, w);
                }
            }
            same
        }
        _ => {
            references_borrowed(new, out);
            eq::equal(new, old)
        }
    }
}

/// The resources and the logical IDs they name as written (a superset of
/// what they name normalized: normalizing only resolves or drops
/// references), to pass over resources that name no replaced one without
/// normalizing them whole. The names of all resources sit in one list,
/// each resource holding a range of it.
#[derive(Default)]
pub(crate) struct Referrers<'a> {
    names: Vec<&'a str>,
    resources: Vec<(&'a Text, Range<usize>)>,
}

impl<'a> Referrers<'a> {
    /// Those the properties of `resources` name, when they were not read
    /// beside the comparison (see [`equal_and_references`]).
    pub fn of(resources: impl Iterator<Item = (&'a Text, &'a Json)>) -> Self {
        let mut out = Self::default();
        for (id, written) in resources {
            if let Some(props) = written.get("Properties") {
                out.read(id, |names| references_borrowed(props, names));
            }
        }
        out
    }

    /// The names read by `read` (into the shared list) as `id`'s, if any.
    pub fn read<T>(&mut self, id: &'a Text, read: impl FnOnce(&mut Vec<&'a str>) -> T) -> T {
        let start = self.names.len();
        let out = read(&mut self.names);
        if self.names.len() > start {
            self.resources.push((id, start..self.names.len()));
        }
        out
    }

    /// Each resource naming any, with the names (repeats included).
    pub fn iter(&self) -> impl Iterator<Item = (&'a Text, &[&'a str])> + '_ {
        self.resources
            .iter()
            .map(|(id, range)| (*id, &self.names[range.clone()]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    /// The one walk gives `eq::equal`'s answer and the names the walk of
    /// `new` alone gives, whether the values agree, differ early or late,
    /// or list keys in another order.
    #[test]
    fn one_walk_compares_and_reads_names() {
        let values = [
            json!({"A": {"Ref": "X"}, "B": [{"Fn::GetAtt": ["Y", "Arn"]}, "s"]}),
            json!({"B": [{"Fn::GetAtt": ["Y", "Arn"]}, "s"], "A": {"Ref": "X"}}),
            json!({"A": {"Ref": "Z"}, "B": [{"Fn::GetAtt": ["Y", "Arn"]}, "s"]}),
            json!({"A": {"Ref": "X"}, "B": [{"Fn::GetAtt": "W.Arn"}, "t"]}),
            json!({"A": {"Ref": "X"}, "B": [{"Fn::Sub": "${V}-${AWS::Region}"}]}),
            json!({"A": 1, "B": [{"Fn::Sub": ["${U}", {"U": {"Ref": "T"}}]}, "s"]}),
            json!([{"Ref": "X"}, {"Ref": "Y"}]),
            json!([{"Ref": "Y"}, {"Ref": "X"}]),
            json!("X"),
        ];
        for new in &values {
            let mut alone = Vec::new();
            references_borrowed(new, &mut alone);
            alone.sort_unstable();
            for old in &values {
                let mut names = Vec::new();
                let same = equal_and_references(new, old, &mut names);
                names.sort_unstable();
                assert_eq!(same, new == old, "{new} vs {old}");
                assert_eq!(names, alone, "{new} vs {old}");
            }
        }
    }
}
