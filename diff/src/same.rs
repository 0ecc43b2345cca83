//! Which resources two templates write the same: the first step of a
//! diff, and its one walk over every resource of both templates.

use std::collections::BTreeSet;

use crate::value::{Json, Map, Text};

use crate::eq;
use crate::normalize::is_intrinsic_map;
use crate::references::{
    entry_references, equal_and_references, names_none, references_borrowed, Referrers,
};
use crate::template::{Ids, Written};

/// What comparing the resources gives.
pub(crate) struct Compared<'a> {
    /// The resources written the same on both sides (naming no parameter
    /// declared differently).
    pub same: Ids,
    /// When the new template adds a resource, the names each of its
    /// resources references (see [`Referrers`]), read on the same walk.
    pub referrers: Option<Referrers<'a>>,
    /// Of the resources written differently, which properties are (see
    /// [`Written`]), so normalizing need not compare them again.
    pub written: Written<'a>,
}

/// Compares the resources `old` and `new` both have. A resource naming
/// one of `changed_parameters` may evaluate differently though written
/// the same: it is not the same.
pub(crate) fn compare<'a>(
    old: &'a Map,
    new: &'a Map,
    changed_parameters: &BTreeSet<Text>,
) -> Compared<'a> {
    // A resource added is new: `propagate` will read what every resource
    // names. Read on the same walk as the comparison, the new template is
    // read from memory once.
    let mut referrers = adds_any(old, new).then(Referrers::default);
    let mut same = Ids::default();
    let mut written = Written::default();
    // The new resources compared, by address.
    let mut compared: HashSet<*const Text> = HashSet::default();
    // Both templates usually list resources in the same order: the next
    // one there is tried before a lookup by name.
    let mut there = new.iter().peekable();
    for (id, r) in old {
        let other = match there.peek() {
            Some(&(k, v)) if k == id => {
                there.next();
                Some((k, v))
            }
            _ => new.get_key_value(id),
        };
        let Some((new_id, new_r)) = other else {
            continue;
        };
        let (equal, differing) = match referrers.as_mut() {
            Some(refs) => {
                compared.insert(new_id);
                refs.read(new_id, |names| compare_resource(new_r, r, Some(names)))
            }
            None => compare_resource(new_r, r, None),
        };
        if equal {
            if names_none(r, changed_parameters) {
                same.insert(id.clone());
            }
        } else if let Some(differing) = differing {
            written.insert(id, differing);
        }
    }
    if let Some(refs) = referrers.as_mut() {
        // The resources only the new template has.
        for (id, r) in new
            .iter()
            .filter(|(id, _)| !compared.contains(&(*id as *const _)))
        {
            refs.read(id, |names| references_borrowed(r, names));
        }
    }
    Compared {
        same,
        referrers,
        written,
    }
}

/// Whether resource `new` equals `old` (as [`eq::equal`]), reading the
/// names `new` references into `names` when given (all of them). When
/// both list the same entries, and write their properties as plain maps
/// of the same keys in the same order, these are compared one by one,
/// on past the first that differs: the second value gives those that
/// differ, by position (a map of 64 properties at most).
fn compare_resource<'a>(
    new: &'a Json,
    old: &Json,
    mut names: Option<&mut Vec<&'a str>>,
) -> (bool, Option<u64>) {
    fn compare<'a>(n: &'a Json, o: &Json, names: &mut Option<&mut Vec<&'a str>>) -> bool {
        match names {
            Some(out) => equal_and_references(n, o, out),
            None => eq::equal(n, o),
        }
    }
    fn plain(v: &Json) -> Option<&Map> {
        v.as_object().filter(|m| !is_intrinsic_map(m))
    }
    let (Json::Object(x), Json::Object(y)) = (new, old) else {
        return (compare(new, old, &mut names), None);
    };
    if x.len() != y.len() || !same_keys(x, y) {
        return (compare(new, old, &mut names), None);
    }
    let (mut equal, mut differing) = (true, None);
    for ((k, v), w) in x.iter().zip(y.values()) {
        if let Some(out) = names.as_deref_mut() {
            entry_references(k, v, out);
        }
        if k == "Properties" {
            if let (Some(p), Some(q)) = (plain(v), plain(w)) {
                if p.len() == q.len() && p.len() <= 64 && same_keys(p, q) {
                    let mut mask = 0u64;
                    for (i, ((pk, pv), qv)) in p.iter().zip(q.values()).enumerate() {
                        if let Some(out) = names.as_deref_mut() {
                            entry_references(pk, pv, out);
                        }
                        if !compare(pv, qv, &mut names) {
                            mask |= 1 << i;
                        }
                    }
                    equal &= mask == 0;
                    differing = Some(mask);
                    continue;
                }
            }
        }
        if equal {
            equal = compare(v, w, &mut names);
        } else if let Some(out) = names.as_deref_mut() {
            references_borrowed(v, out);
        }
    }
    (equal, differing)
}

/// Whether two maps list the same keys in the same order.
fn same_keys(x: &Map, y: &Map) -> bool {
    x.len() == y.len() && x.keys().zip(y.keys()).all(|(a, b)| eq::same_text(a, b))
}

/// A set hashed with a fixed seed (see [`Ids`]).
type HashSet<T> = std::collections::HashSet<T, foldhash::fast::FixedState>;

/// Whether `new` holds a key `old` lacks. Both usually list their keys in
/// the same order: they are walked side by side, and a key looked up only
/// where they part.
fn adds_any(old: &Map, new: &Map) -> bool {
    if new.len() > old.len() {
        return true;
    }
    let mut theirs = old.keys().peekable();
    for id in new.keys() {
        if theirs.peek() == Some(&id) {
            theirs.next();
            continue;
        }
        if !old.contains_key(id) {
            return true;
        }
        // Keys the new map lacks (removed) may come first: passed over up
        // to this one, or to one it holds (the orders differ).
        while let Some(&k) = theirs.peek() {
            if k == id {
                theirs.next();
                break;
            }
            if new.contains_key(k) {
                break;
            }
            theirs.next();
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    /// Keys added anywhere are found, whatever was removed before them or
    /// however the orders differ; none is found where none was added.
    #[test]
    fn adds_any_finds_a_key_added_anywhere() {
        let map =
            |keys: &[&str]| -> Map { keys.iter().map(|k| (k.to_string(), Json::Null)).collect() };
        let cases: [(&[&str], &[&str], bool); 9] = [
            (&["A", "B", "C"], &["A", "B", "C"], false),
            (&["A", "B", "C"], &["C", "B", "A"], false),
            (&["A", "B", "C"], &["B", "C"], false),
            (&["A", "B", "C"], &["A", "C"], false),
            (&["A", "B", "C", "D"], &["C", "D", "X"], true),
            (&["A", "B", "C"], &["X", "B", "C"], true),
            (&["A", "B", "C"], &["A", "X", "C"], true),
            (&["A", "B", "C"], &["C", "A", "X"], true),
            (&["A"], &["A", "B"], true),
        ];
        for (old, new, added) in cases {
            assert_eq!(adds_any(&map(old), &map(new)), added, "{old:?} → {new:?}");
        }
    }

    /// The properties written differently are found by position, past
    /// the first, and only where both sides list the same names in the
    /// same order as plain maps.
    #[test]
    fn properties_written_differently_by_position() {
        let old =
            json!({"Type": "T", "Properties": {"A": 1, "B": [1, 2], "C": {"Ref": "X"}, "D": "d"}});
        let new =
            json!({"Type": "T", "Properties": {"A": 2, "B": [1, 2], "C": {"Ref": "Y"}, "D": "d"}});
        assert_eq!(compare_resource(&new, &old, None), (false, Some(0b101)));
        let mut names = Vec::new();
        assert_eq!(
            compare_resource(&new, &old, Some(&mut names)),
            (false, Some(0b101))
        );
        assert_eq!(names, ["Y"]);
        assert_eq!(compare_resource(&old, &old, None), (true, Some(0)));
        let reordered =
            json!({"Type": "T", "Properties": {"B": [1, 2], "A": 1, "C": {"Ref": "X"}, "D": "d"}});
        assert_eq!(compare_resource(&reordered, &old, None), (true, None));
        let more = json!({"Type": "T", "Properties": {"A": 1, "B": [1, 2], "C": {"Ref": "X"}, "D": "d", "E": 0}});
        assert_eq!(compare_resource(&more, &old, None), (false, None));
        let intrinsic = json!({"Type": "T", "Properties": {"Fn::If": ["C", {}, {}]}});
        assert_eq!(compare_resource(&intrinsic, &intrinsic, None), (true, None));
        let retyped =
            json!({"Type": "U", "Properties": {"A": 2, "B": [1, 2], "C": {"Ref": "X"}, "D": "d"}});
        assert_eq!(compare_resource(&retyped, &old, None), (false, Some(0b1)));
    }

    /// In the same order or not, with resources removed and added: the
    /// resources written the same, and every new resource's names once.
    #[test]
    fn compares_and_reads_every_new_resource_once() {
        let resource = |i: usize, v: usize| {
            json!({"Type": "AWS::SNS::Topic", "Properties": {
                "TopicName": format!("t{v}"),
                "KmsMasterKeyId": {"Ref": format!("Key{}", i % 7)}
            }})
        };
        for n in [10, 211] {
            let old: Map = (0..n).map(|i| (format!("R{i}"), resource(i, i))).collect();
            // Every third changed, the first five removed, five added at
            // the end, and the second half listed backwards.
            let mut ids: Vec<usize> = (5..n + 5).collect();
            ids[n / 2..].reverse();
            let new: Map = ids
                .iter()
                .map(|&i| {
                    let v = if i % 3 == 0 { i + 1000 } else { i };
                    (format!("R{i}"), resource(i, v))
                })
                .collect();
            let c = compare(&old, &new, &BTreeSet::new());
            let mut same: Vec<&Text> = c.same.iter().collect();
            same.sort();
            let mut expected: Vec<String> = (5..n)
                .filter(|i| i % 3 != 0)
                .map(|i| format!("R{i}"))
                .collect();
            expected.sort();
            assert_eq!(same, expected.iter().collect::<Vec<_>>(), "{n} resources");
            let refs = c.referrers.expect("resources were added");
            let mut read: Vec<(&Text, Vec<&str>)> = refs
                .iter()
                .map(|(id, names)| (id, names.to_vec()))
                .collect();
            read.sort();
            let mut all: Vec<(&Text, Vec<&str>)> = new
                .iter()
                .map(|(id, r)| {
                    let mut names = Vec::new();
                    references_borrowed(r, &mut names);
                    (id, names)
                })
                .collect();
            all.sort();
            assert_eq!(read, all, "{n} resources");
        }
    }
}
