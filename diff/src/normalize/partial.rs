//! Properties a changed resource writes the same on both sides of a
//! diff: left out of both (they normalize the same, so they cannot
//! differ), and put back for the readers of whole resources.

use std::cell::{OnceCell, RefCell};
use std::collections::{BTreeSet, HashMap};

use super::{is_intrinsic_map, Coercion, Evaluator};
use crate::normalize::Environment;
use crate::references::names_none;
use crate::template::{Template, Written};
use crate::value::{Json, Map, Text};

/// The other template of a diff, evaluated in the same context (the same
/// mappings and conditions, and no parameter declared differently that
/// `changed_parameters` does not list): a property written the same on
/// both sides normalizes the same on both, so neither side's diff needs
/// it; it is left out of both (see [`Full`] for whole resources).
#[derive(Clone, Copy)]
pub struct Twin<'a> {
    /// The other template's `Resources`, as written.
    pub raw: &'a Map,
    /// Parameters declared differently in the two templates.
    pub changed_parameters: &'a BTreeSet<Text>,
    /// Whether this side records what the properties left out assume
    /// (one side does: both would record the same).
    pub record: bool,
    /// Which properties the resources written differently differ in,
    /// where the comparison found out.
    pub written: &'a Written<'a>,
}

/// One resource's properties as the other side writes them.
#[derive(Clone, Copy)]
pub(super) struct TwinProperties<'a> {
    pub(super) raw: &'a Map,
    pub(super) changed_parameters: &'a BTreeSet<Text>,
    pub(super) record: bool,
    /// The properties written differently, by position (both sides list
    /// the same names in the same order), when known.
    pub(super) differing: Option<u64>,
}

impl<'a> Twin<'a> {
    /// The other side's resource `id` and its properties, when it has the
    /// same type and both sides write plain property maps.
    pub(super) fn resource(&self, id: &str, r: &Json) -> Option<(&'a Json, TwinProperties<'a>)> {
        let other = self.raw.get(id)?;
        if !crate::eq::equal_opt(other.get("Type"), r.get("Type")) {
            return None;
        }
        fn plain(p: Option<&Json>) -> Option<&Map> {
            p.and_then(Json::as_object).filter(|m| !is_intrinsic_map(m))
        }
        plain(r.get("Properties"))?;
        let props = TwinProperties {
            raw: plain(other.get("Properties"))?,
            changed_parameters: self.changed_parameters,
            record: self.record,
            differing: self.written.get(id).copied(),
        };
        Some((other, props))
    }
}

/// The resources of one side of a diff whole, for the readers that need
/// every property (the propagation of replacements) or some (the
/// security analysis): a property written the same on both sides and
/// left out is normalized when first asked for, on its own or as part of
/// its resource made whole.
pub struct Full<'a> {
    ev: RefCell<Evaluator<'a>>,
    /// The template's `Resources` as written.
    raw: &'a Map,
    /// The same, normalized, some without the properties left out.
    normalized: &'a Map,
    /// The resources with properties left out. Asked for every resource
    /// read: hashed (fixed seed), never iterated.
    partial: HashMap<&'a str, Partial<'a>, foldhash::fast::FixedState>,
    /// The other side, whose values of the properties left out are
    /// copied rather than evaluated again.
    beside: Option<Beside<'a>>,
}

/// A resource with properties left out: the properties, as written, each
/// normalized when first asked for, and the resource made whole.
#[derive(Default)]
struct Partial<'a> {
    /// Listed when first asked for (most resources never are).
    left_out: OnceCell<Vec<LeftOut<'a>>>,
    whole: OnceCell<Json>,
}

/// A property left out: its name, as written, and normalized.
type LeftOut<'a> = (&'a str, &'a Json, OnceCell<Option<Json>>);

#[derive(Clone, Copy)]
struct Beside<'a> {
    full: &'a (dyn Whole + 'a),
    /// Its `Resources` as written.
    raw: &'a Map,
    changed_parameters: &'a BTreeSet<Text>,
}

impl<'a> Beside<'a> {
    /// Property `p` of resource `id`, written `w` here, when it was left
    /// out as written the same there: its value there (`None` for
    /// `AWS::NoValue`).
    fn copy(self, id: &str, p: &str, w: &Json) -> Option<Option<&'a Json>> {
        let there = self.raw.get(id)?.get("Properties")?.get(p)?;
        if !crate::eq::equal(there, w) || !names_none(w, self.changed_parameters) {
            return None;
        }
        if let Some(value) = self.full.left_out(id, p) {
            return Some(value);
        }
        let whole = self.full.whole(id)?;
        Some(whole.get("Properties").and_then(|props| props.get(p)))
    }
}

/// Resources read whole, or property by property (see [`Full`]).
pub trait Whole {
    /// Resource `id` whole, when it had properties left out.
    fn whole(&self, id: &str) -> Option<&Json>;

    /// Property `p` of resource `id` normalized, when it was left out:
    /// `Some(None)` for one that comes out absent (`AWS::NoValue`).
    fn left_out(&self, id: &str, p: &str) -> Option<Option<&Json>>;
}

impl Whole for Full<'_> {
    fn whole(&self, id: &str) -> Option<&Json> {
        let partial = self.partial.get(id)?;
        Some(partial.whole.get_or_init(|| self.complete(id)))
    }

    fn left_out(&self, id: &str, p: &str) -> Option<Option<&Json>> {
        let partial = self.partial.get(id)?;
        let left_out = partial.left_out.get_or_init(|| self.left_out_of(id));
        let (_, written, cell) = left_out.iter().find(|(k, _, _)| *k == p)?;
        Some(cell.get_or_init(|| self.evaluate(id, p, written)).as_ref())
    }
}

impl<'a> Full<'a> {
    /// Over `template` and its normalized resources, where those in
    /// `partial` have properties left out.
    pub fn new(
        template: &'a Template,
        normalized: &'a Map,
        env: &'a Environment,
        partial: Vec<&'a str>,
    ) -> Self {
        static NONE: std::sync::OnceLock<Map> = std::sync::OnceLock::new();
        let raw = template
            .get("Resources")
            .and_then(Json::as_object)
            .unwrap_or_else(|| NONE.get_or_init(Map::new));
        let partial = partial
            .into_iter()
            .map(|id| (id, Partial::default()))
            .collect();
        Full {
            ev: RefCell::new(Evaluator::over(template, env)),
            raw,
            normalized,
            partial,
            beside: None,
        }
    }

    /// Copying what was left out from `other` (the other side, over its
    /// `Resources` as written `raw`), which must not copy from this one.
    pub fn beside(
        mut self,
        other: &'a (dyn Whole + 'a),
        raw: &'a Map,
        changed_parameters: &'a BTreeSet<Text>,
    ) -> Self {
        self.beside = Some(Beside {
            full: other,
            raw,
            changed_parameters,
        });
        self
    }

    /// The properties of resource `id` left out.
    fn left_out_of(&self, id: &str) -> Vec<LeftOut<'a>> {
        let properties = |r: Option<&'a Json>| r?.get("Properties")?.as_object();
        let have = properties(self.normalized.get(id));
        properties(self.raw.get(id))
            .into_iter()
            .flatten()
            .filter(|(p, _)| have.is_none_or(|h| h.get(p).is_none()))
            .map(|(p, w)| (p.as_str(), w, OnceCell::new()))
            .collect()
    }

    /// Property `p` of resource `id`, left out as written `w`, normalized:
    /// copied from the other side, or evaluated.
    fn evaluate(&self, id: &str, p: &str, w: &Json) -> Option<Json> {
        if let Some(there) = self.beside.and_then(|b| b.copy(id, p, w)) {
            return there.cloned();
        }
        let type_name = self
            .normalized
            .get(id)
            .and_then(|r| r.get("Type"))
            .and_then(Json::as_str)
            .unwrap_or("");
        let mut x = self.ev.borrow_mut().value(w)?;
        Coercion::of(type_name).apply(p, &mut x);
        Some(x)
    }

    /// The normalized resource with the properties left out put back, in
    /// the order written.
    fn complete(&self, id: &str) -> Json {
        let Some(Json::Object(r)) = self.normalized.get(id) else {
            return Json::Null;
        };
        let written = self
            .raw
            .get(id)
            .and_then(|w| w.get("Properties"))
            .and_then(Json::as_object);
        let mut out = Map::with_capacity(r.len());
        for (k, v) in r {
            let (Json::Object(have), Some(written)) = (v, written.filter(|_| k == "Properties"))
            else {
                out.insert(k.clone(), v.clone());
                continue;
            };
            let mut props = Map::with_capacity(written.len());
            for p in written.keys() {
                // Kept, or left out (absent for `AWS::NoValue`).
                let value = have.get(p).or_else(|| self.left_out(id, p).flatten());
                if let Some(x) = value {
                    props.insert(p.clone(), x.clone());
                }
            }
            out.insert(k.clone(), Json::Object(props));
        }
        Json::Object(out)
    }
}
