//! Before two templates are compared, each is brought to one canonical
//! form, so values CloudFormation treats as equal compare equal:
//!
//! - intrinsics are evaluated over the deploy's environment: pseudo
//!   parameters (`AWS::Region`, `AWS::Partition`, `AWS::URLSuffix`,
//!   `AWS::AccountId`, `AWS::StackName` when known), `Fn::FindInMap` with
//!   known keys, conditions that depend only on those (and `Fn::If` on
//!   them), and `Fn::Join`, `Fn::Sub`, `Fn::Select`, `Fn::Split` of known
//!   values; a `Fn::Join` that cannot be evaluated becomes the equivalent
//!   `Fn::Sub`;
//! - `Fn::GetAtt "A.B"` becomes `["A", "B"]`, `DependsOn` a sorted list;
//! - scalars take the type the resource schema gives the property
//!   (`"300"` and `300` for a number, `"true"` and `true` for a boolean,
//!   `-1` and `"-1"` for a string); custom resources get strings, as
//!   CloudFormation passes them.
//!
//! What was assumed about the environment is recorded for the reports.

use std::collections::{BTreeMap, BTreeSet};

use synth::schema::ValueKind;

use crate::template::{Ids, Template};

mod partial;

use crate::references::names_none;
use crate::value::{Json, Map, Text};
use partial::TwinProperties;
pub use partial::{Full, Twin, Whole};

/// The account a diff assumes when none is known.
pub const DEFAULT_ACCOUNT: &str = "123456789012";
/// The region a diff assumes when none is in force.
pub const DEFAULT_REGION: &str = "us-east-1";

/// Where the stack is deployed: what pseudo parameters evaluate to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Environment {
    pub region: String,
    pub account: String,
    pub partition: String,
    pub stack_name: Option<String>,
    /// Whether each value was given (true) or assumed (false).
    pub region_given: bool,
    pub account_given: bool,
    pub partition_given: bool,
}

impl Default for Environment {
    fn default() -> Self {
        Environment::new(None, None, None)
    }
}

impl Environment {
    /// The environment of a region (`None`: assumed `us-east-1`); the
    /// partition follows from the region unless given; the account is
    /// assumed `123456789012` unless given.
    pub fn new(region: Option<&str>, account: Option<&str>, partition: Option<&str>) -> Self {
        let region_s = region.unwrap_or(DEFAULT_REGION).to_owned();
        let derived = if region_s.starts_with("cn-") {
            "aws-cn"
        } else if region_s.starts_with("us-gov-") {
            "aws-us-gov"
        } else if region_s.starts_with("us-iso-") {
            "aws-iso"
        } else if region_s.starts_with("us-isob-") {
            "aws-iso-b"
        } else {
            "aws"
        };
        Environment {
            region: region_s,
            account: account.unwrap_or(DEFAULT_ACCOUNT).to_owned(),
            partition: partition.unwrap_or(derived).to_owned(),
            stack_name: None,
            region_given: region.is_some(),
            account_given: account.is_some(),
            partition_given: partition.is_some() || region.is_some(),
        }
    }

    /// With the stack's name known (`AWS::StackName`).
    pub fn with_stack_name(mut self, name: &str) -> Self {
        self.stack_name = Some(name.to_owned());
        self
    }

    fn url_suffix(&self) -> &'static str {
        if self.partition == "aws-cn" {
            "amazonaws.com.cn"
        } else {
            "amazonaws.com"
        }
    }

    /// Whether `name` is a pseudo parameter with a value here.
    fn has_pseudo(&self, name: &str) -> bool {
        match name {
            "AWS::Region" | "AWS::AccountId" | "AWS::Partition" | "AWS::URLSuffix" => true,
            "AWS::StackName" => self.stack_name.is_some(),
            _ => false,
        }
    }

    fn pseudo(&self, name: &str) -> Option<&str> {
        Some(match name {
            "AWS::Region" => &self.region,
            "AWS::AccountId" => &self.account,
            "AWS::Partition" => &self.partition,
            "AWS::URLSuffix" => self.url_suffix(),
            "AWS::StackName" => self.stack_name.as_deref()?,
            _ => return None,
        })
    }

    /// A line for people: `AWS::Region = eu-west-1 (the region in force)`.
    fn describe(&self, name: &str) -> Option<String> {
        let value = self.pseudo(name)?;
        let how = match name {
            "AWS::Region" if self.region_given => "the region in force",
            "AWS::Region" => "assumed",
            "AWS::AccountId" if self.account_given => "given",
            "AWS::AccountId" => "assumed",
            "AWS::Partition" | "AWS::URLSuffix" if self.partition_given => "from the region",
            "AWS::Partition" | "AWS::URLSuffix" => "assumed",
            _ => "the stack's name",
        };
        Some(format!("{name} = {value} ({how})"))
    }
}

/// What normalizing a template evaluated, for the "assumed" note.
#[derive(Clone, Debug, Default)]
pub struct Resolved {
    /// Pseudo parameters replaced by their value.
    pub pseudo: BTreeSet<String>,
    /// Conditions evaluated, with their value.
    pub conditions: BTreeMap<String, bool>,
    /// Mapping lookups evaluated (`RegionMap[us-east-1][Ami]`).
    pub lookups: BTreeSet<String>,
    /// Parameters taken at their default.
    pub parameters: BTreeSet<String>,
}

impl Resolved {
    /// Pseudo parameter `name` was replaced by its value (noted once).
    fn note_pseudo(&mut self, name: &str) {
        if !self.pseudo.contains(name) {
            self.pseudo.insert(name.to_owned());
        }
    }

    pub fn merge(&mut self, other: Resolved) {
        self.pseudo.extend(other.pseudo);
        self.conditions.extend(other.conditions);
        self.lookups.extend(other.lookups);
        self.parameters.extend(other.parameters);
    }

    /// One line per assumption, for every output format.
    pub fn notes(&self, env: &Environment) -> Vec<String> {
        let mut out: Vec<String> = self.pseudo.iter().filter_map(|p| env.describe(p)).collect();
        if !self.parameters.is_empty() {
            out.push(format!(
                "parameters at their defaults: {}",
                self.parameters
                    .iter()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if !self.lookups.is_empty() {
            out.push(format!(
                "mappings looked up: {}",
                self.lookups.iter().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
        if !self.conditions.is_empty() {
            let list: Vec<String> = self
                .conditions
                .iter()
                .map(|(c, v)| format!("{c} = {v}"))
                .collect();
            out.push(format!("conditions evaluated: {}", list.join(", ")));
        }
        out
    }
}

/// A template's canonical form and what it took to get there.
pub fn normalize(template: &Template, env: &Environment) -> (Template, Resolved) {
    normalize_owned(template.clone(), env, &Ids::default())
}

/// As [`normalize`], in place, leaving the resources named in `skip` as
/// they are (resources written the same in two templates that share their
/// Parameters, Mappings and Conditions normalize alike, so a diff needs
/// only the others).
pub fn normalize_owned(
    mut template: Template,
    env: &Environment,
    skip: &Ids,
) -> (Template, Resolved) {
    let resources = template.remove("Resources");
    let outputs = template.remove("Outputs");
    let mut ev = Evaluator::over(&template, env);
    let resources = match resources {
        Some(Json::Object(mut resources)) => {
            resources.retain(|id, r| {
                skip.contains(id)
                    || match ev.resource(r, None) {
                        Some((n, _)) => {
                            *r = n;
                            true
                        }
                        None => false,
                    }
            });
            Some(Json::Object(resources))
        }
        other => other,
    };
    let outputs = match outputs {
        Some(Json::Object(outputs)) => {
            let mut normalized = Map::new();
            for (id, o) in outputs {
                if let Some(o) = ev.output(&o) {
                    normalized.insert(id, o);
                }
            }
            Some(Json::Object(normalized))
        }
        other => other,
    };
    // Conditions keep their definitions (a changed definition is shown);
    // only those still unknown matter to values.
    let mut resolved = std::mem::take(&mut ev.resolved);
    resolved.conditions = ev
        .conditions
        .iter()
        .filter_map(|(k, v)| v.map(|v| (k.clone(), v)))
        .collect();
    if let Some(r) = resources {
        template.insert("Resources".into(), r);
    }
    if let Some(o) = outputs {
        template.insert("Outputs".into(), o);
    }
    (template, resolved)
}

/// As [`normalize_owned`], reading `template` and copying only what is
/// normalized: the resources named in `skip` are left out of the result
/// (the caller reads them from `template`). Returned beside it: those of
/// them whose `Condition` is known false (they do not exist), and the
/// resources whose properties written the same in `twin` are left out
/// (read them whole through [`Full`]).
pub fn normalize_borrowed<'t>(
    template: &'t Template,
    env: &Environment,
    skip: &Ids,
    twin: Option<Twin>,
) -> (Template, Resolved, BTreeSet<Text>, Vec<&'t str>) {
    let mut out = Template::new();
    for (k, v) in template {
        if k != "Resources" && k != "Outputs" {
            out.insert(k.clone(), v.clone());
        }
    }
    let mut ev = Evaluator::over(template, env);
    let mut absent = BTreeSet::new();
    let mut partial = Vec::new();
    match template.get("Resources") {
        Some(Json::Object(resources)) => {
            let mut normalized = Map::new();
            for (id, r) in resources {
                if skip.contains(id) {
                    if !ev.exists(r) {
                        absent.insert(id.clone());
                    }
                    continue;
                }
                // Only beside a resource that exists there too.
                let other = twin
                    .and_then(|t| t.resource(id, r))
                    .filter(|(other, _)| ev.exists(other))
                    .map(|(_, props)| props);
                if let Some((r, elided)) = ev.resource(r, other) {
                    if elided {
                        partial.push(id.as_str());
                    }
                    normalized.insert(id.clone(), r);
                }
            }
            out.insert("Resources".into(), Json::Object(normalized));
        }
        Some(other) => {
            out.insert("Resources".into(), other.clone());
        }
        None => {}
    }
    if let Some(outputs) = template.get("Outputs") {
        let outputs = match outputs {
            Json::Object(outputs) => {
                let mut normalized = Map::new();
                for (id, o) in outputs {
                    if let Some(o) = ev.output(o) {
                        normalized.insert(id.clone(), o);
                    }
                }
                Json::Object(normalized)
            }
            other => other.clone(),
        };
        out.insert("Outputs".into(), outputs);
    }
    let mut resolved = std::mem::take(&mut ev.resolved);
    resolved.conditions = ev
        .conditions
        .iter()
        .filter_map(|(k, v)| v.map(|v| (k.clone(), v)))
        .collect();
    (out, resolved, absent, partial)
}

/// Whether an object is an intrinsic function (`Ref`, `Fn::...`), which
/// evaluating replaces.
pub(crate) fn is_intrinsic_map(m: &Map) -> bool {
    m.len() == 1
        && m.keys()
            .next()
            .is_some_and(|k| k == "Ref" || k.starts_with("Fn::"))
}

struct Evaluator<'a> {
    env: &'a Environment,
    mappings: Option<&'a Map>,
    condition_defs: Option<&'a Map>,
    parameters: Option<&'a Map>,
    conditions: BTreeMap<String, Option<bool>>,
    resolved: Resolved,
    /// The coercions of the types seen (a template has few).
    coercions: Vec<(String, Coercion)>,
}

impl<'a> Evaluator<'a> {
    /// An evaluator over `template`'s mappings, parameters and conditions,
    /// with every condition it can decide already evaluated.
    fn over(template: &'a Template, env: &'a Environment) -> Self {
        let mut ev = Evaluator {
            env,
            mappings: template.get("Mappings").and_then(Json::as_object),
            condition_defs: template.get("Conditions").and_then(Json::as_object),
            parameters: template.get("Parameters").and_then(Json::as_object),
            conditions: BTreeMap::new(),
            resolved: Resolved::default(),
            coercions: Vec::new(),
        };
        if let Some(defs) = ev.condition_defs {
            for name in defs.keys() {
                ev.condition(name, 0);
            }
        }
        ev
    }
}

/// The resource attributes besides `Type` and `Properties`.
pub(crate) const ATTRIBUTES: &[&str] = &[
    "DependsOn",
    "Condition",
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "UpdatePolicy",
    "CreationPolicy",
    "Metadata",
];

impl Evaluator<'_> {
    /// False when the resource or output has a `Condition` known false
    /// (it does not exist).
    fn exists(&mut self, r: &Json) -> bool {
        // Without conditions, every resource exists (and its own entries
        // need not be read).
        if self.condition_defs.is_none() {
            return true;
        }
        match r.get("Condition").and_then(Json::as_str) {
            Some(name) => self.condition(name, 0) != Some(false),
            None => true,
        }
    }

    /// Whether a `Condition` attribute is known true (and can go).
    fn known_true(&mut self, r: &Json) -> bool {
        r.get("Condition")
            .and_then(Json::as_str)
            .is_some_and(|name| self.condition(name, 0) == Some(true))
    }

    /// An output normalized (its `Condition` dropped); `None` when it
    /// does not exist.
    fn output(&mut self, o: &Json) -> Option<Json> {
        if !self.exists(o) {
            return None;
        }
        let mut o = self.value(o).unwrap_or_else(|| o.clone());
        if let Some(m) = o.as_object_mut() {
            m.shift_remove("Condition");
        }
        Some(o)
    }

    /// A resource normalized, built from the written one (no copy to
    /// rewrite: evaluating produces the new tree); `None` when it does not
    /// exist (its condition is known false).
    /// Beside `twin`, the properties written the same there are left out
    /// (the second value says whether any was).
    fn resource(&mut self, r: &Json, twin: Option<TwinProperties>) -> Option<(Json, bool)> {
        if !self.exists(r) {
            return None;
        }
        let drop_condition = self.known_true(r);
        let Json::Object(m) = r else {
            return Some((r.clone(), false));
        };
        let type_name = m.get("Type").and_then(Json::as_str).unwrap_or("");
        let mut out = Map::with_capacity(m.len());
        let mut elided = false;
        for (k, v) in m {
            match k.as_str() {
                "Condition" if drop_condition => {}
                "Properties" => match (v, twin) {
                    (Json::Object(props), Some(twin)) => {
                        let (p, left_out) = self.properties_beside(type_name, props, twin);
                        elided |= left_out;
                        out.insert(k.clone(), p);
                    }
                    _ => {
                        if let Some(mut p) = self.value(v) {
                            coerce_properties(type_name, &mut p);
                            out.insert(k.clone(), p);
                        }
                    }
                },
                "DependsOn" => {
                    let mut list: Vec<&str> = match v {
                        Json::String(s) => vec![s.as_str()],
                        Json::Array(items) => items.iter().filter_map(Json::as_str).collect(),
                        _ => Vec::new(),
                    };
                    list.sort_unstable();
                    list.dedup();
                    let list = list.into_iter().map(Json::from);
                    out.insert(k.clone(), Json::Array(list.collect()));
                }
                a if ATTRIBUTES.contains(&a) && a != "Condition" => {
                    if let Some(x) = self.value(v) {
                        out.insert(k.clone(), x);
                    }
                }
                _ => {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
        Some((Json::Object(out), elided))
    }

    /// A plain property map normalized beside the other side's: what is
    /// written the same there (and names no parameter declared
    /// differently) is left out, and whether anything was.
    fn properties_beside(
        &mut self,
        type_name: &str,
        props: &Map,
        twin: TwinProperties,
    ) -> (Json, bool) {
        let mut out = Map::with_capacity(props.len());
        let mut elided = false;
        for (i, (k, v)) in props.iter().enumerate() {
            let written_same = match twin.differing {
                Some(differing) => differing & (1 << i) == 0,
                None => twin.raw.get(k).is_some_and(|w| crate::eq::equal(v, w)),
            };
            let same = written_same && names_none(v, twin.changed_parameters);
            if same {
                // Evaluated only for what it assumes (which the report
                // lists); its value is not needed.
                if twin.record {
                    self.assume(v);
                }
                elided = true;
                continue;
            }
            if let Some(mut x) = self.value(v) {
                self.coercion(type_name).apply(k, &mut x);
                out.insert(k.clone(), x);
            }
        }
        (Json::Object(out), elided)
    }

    /// A condition's value, when it depends only on the environment.
    fn condition(&mut self, name: &str, depth: usize) -> Option<bool> {
        if let Some(v) = self.conditions.get(name) {
            return *v;
        }
        if depth > 32 {
            return None;
        }
        let def = self.condition_defs.and_then(|d| d.get(name))?;
        let v = self.truth(def, depth + 1);
        self.conditions.insert(name.to_owned(), v);
        v
    }

    fn truth(&mut self, expr: &Json, depth: usize) -> Option<bool> {
        let Json::Object(m) = expr else {
            return match expr {
                Json::Bool(b) => Some(*b),
                Json::String(s) if s == "true" => Some(true),
                Json::String(s) if s == "false" => Some(false),
                _ => None,
            };
        };
        if m.len() != 1 {
            return None;
        }
        let (k, arg) = m.iter().next()?;
        let args = arg.as_array();
        match k.as_str() {
            "Condition" => self.condition(arg.as_str()?, depth),
            "Fn::Not" => self.truth(args?.first()?, depth).map(|b| !b),
            "Fn::And" | "Fn::Or" => {
                let mut all_known = true;
                let and = k == "Fn::And";
                for a in args? {
                    match self.truth(a, depth) {
                        Some(b) if b != and => return Some(b),
                        Some(_) => {}
                        None => all_known = false,
                    }
                }
                all_known.then_some(and)
            }
            "Fn::Equals" => {
                let args = args?;
                let (a, b) = (self.value(args.first()?)?, self.value(args.get(1)?)?);
                let text = |v: &Json| match v {
                    Json::String(s) => Some(s.to_string()),
                    Json::Number(n) => Some(n.to_string()),
                    Json::Bool(b) => Some(b.to_string()),
                    _ => None,
                };
                Some(text(&a)? == text(&b)?)
            }
            _ => None,
        }
    }

    /// A value with what can be evaluated evaluated; `None` is
    /// `AWS::NoValue` (the property is left out).
    fn value(&mut self, v: &Json) -> Option<Json> {
        match v {
            Json::Object(m) if m.len() == 1 => {
                let (k, arg) = m.iter().next().expect("one entry");
                match k.as_str() {
                    // Left as written: a copy, without building the map.
                    "Ref" => self.reference(arg).map(|x| x.unwrap_or_else(|| v.clone())),
                    "Fn::GetAtt" if matches!(arg, Json::Array(_)) => Some(v.clone()),
                    "Fn::GetAtt" => Some(get_att(arg)),
                    "Fn::If" => self.fn_if(arg),
                    "Fn::Sub" => Some(self.sub(arg)),
                    "Fn::Join" => Some(self.join(arg)),
                    "Fn::Select" => Some(self.select(arg)),
                    "Fn::Split" => Some(self.split(arg)),
                    "Fn::FindInMap" => Some(self.find_in_map(arg)),
                    _ => Some(self.container(v)),
                }
            }
            other => Some(self.container(other)),
        }
    }

    /// `value` of anything but a one-entry intrinsic. What holds nothing
    /// to evaluate is copied, which is the same value made without hashing
    /// every key again: the whole value when it can, else its entries or
    /// items before the first holding an intrinsic (found on the one walk
    /// that looked).
    fn container(&mut self, v: &Json) -> Json {
        match v {
            Json::Object(m) if is_intrinsic_map(m) => self.object(m, 0),
            Json::Object(m) => match m.values().position(|x| !literal(x)) {
                None => v.clone(),
                Some(first) => self.object(m, first),
            },
            Json::Array(items) => match items.iter().position(|x| !literal(x)) {
                None => v.clone(),
                Some(first) => {
                    let mut out = Vec::with_capacity(items.len());
                    out.extend_from_slice(&items[..first]);
                    out.extend(items[first..].iter().filter_map(|i| self.value(i)));
                    Json::Array(out)
                }
            },
            other => other.clone(),
        }
    }

    /// The coercion of `type_name`, looked up once per type.
    fn coercion(&mut self, type_name: &str) -> Coercion {
        if let Some((_, c)) = self.coercions.iter().find(|(t, _)| t == type_name) {
            return *c;
        }
        let c = Coercion::of(type_name);
        self.coercions.push((type_name.to_owned(), c));
        c
    }

    /// Records what evaluating `v` would assume (the pseudo parameters,
    /// defaults and lookups `value` records), without building the value:
    /// the same walk as `value`, for a property whose value is not needed.
    fn assume(&mut self, v: &Json) {
        match v {
            Json::Object(m) if m.len() == 1 => {
                let (k, arg) = m.iter().next().expect("one entry");
                match k.as_str() {
                    "Ref" => {
                        if let Json::String(name) = arg {
                            if name != "AWS::NoValue" {
                                self.assume_name(name);
                            }
                        }
                    }
                    "Fn::GetAtt" => {}
                    "Fn::If" => {
                        if let Some([cond, a, b]) = arg.as_array().map(Vec::as_slice) {
                            match cond.as_str().and_then(|c| self.condition(c, 0)) {
                                Some(true) => self.assume(a),
                                Some(false) => self.assume(b),
                                None => {
                                    self.assume(a);
                                    self.assume(b);
                                }
                            }
                        }
                    }
                    "Fn::Sub" => {
                        let (text, vars) = match arg {
                            Json::String(s) => (s.as_str(), None),
                            Json::Array(items) => match (items.first(), items.get(1)) {
                                (Some(Json::String(s)), Some(Json::Object(vars))) => {
                                    vars.values().for_each(|x| self.assume(x));
                                    (s.as_str(), Some(vars))
                                }
                                (Some(Json::String(s)), None) => (s.as_str(), None),
                                _ => return self.assume(arg),
                            },
                            _ => return,
                        };
                        for piece in sub_pieces(text) {
                            if let SubPiece::Var(name) = piece {
                                if !vars.is_some_and(|v| v.contains_key(&name)) {
                                    self.assume_name(&name);
                                }
                            }
                        }
                    }
                    // Rare, and what it looks up depends on its value.
                    "Fn::FindInMap" => {
                        let _ = self.value(v);
                    }
                    "Fn::Join" | "Fn::Select" | "Fn::Split" => self.assume(arg),
                    _ => m.values().for_each(|x| self.assume(x)),
                }
            }
            Json::Object(m) => m.values().for_each(|x| self.assume(x)),
            Json::Array(items) => items.iter().for_each(|x| self.assume(x)),
            _ => {}
        }
    }

    /// What a reference to `name` (in `Ref` or `Fn::Sub`) assumes.
    fn assume_name(&mut self, name: &str) {
        if self.env.has_pseudo(name) {
            if !self.resolved.pseudo.contains(name) {
                self.resolved.pseudo.insert(name.to_owned());
            }
        } else {
            let _ = self.parameter_default(name);
        }
    }

    /// `m` with each value evaluated, but for the first `literal` ones,
    /// known to hold nothing to evaluate, which are copied.
    fn object(&mut self, m: &Map, literal: usize) -> Json {
        let mut out = Map::with_capacity(m.len());
        for (i, (k, v)) in m.iter().enumerate() {
            let v = if i < literal {
                Some(v.clone())
            } else {
                self.value(v)
            };
            if let Some(v) = v {
                out.insert(k.clone(), v);
            }
        }
        Json::Object(out)
    }

    /// What `{"Ref": arg}` comes to: `Some(None)` when it is left as it
    /// is, `None` for `AWS::NoValue`.
    fn reference(&mut self, arg: &Json) -> Option<Option<Json>> {
        let Json::String(name) = arg else {
            return Some(None);
        };
        if name == "AWS::NoValue" {
            return None;
        }
        match self.env.pseudo(name) {
            Some(v) => {
                self.resolved.note_pseudo(name);
                Some(Some(Json::from(v)))
            }
            None => Some(self.parameter_default(name)),
        }
    }

    /// A parameter's default, the value a deploy that passes none uses;
    /// `None` without a default or for values resolved at deploy (SSM).
    fn parameter_default(&mut self, name: &str) -> Option<Json> {
        let p = self.parameters?.get(name)?;
        let type_name = p.get("Type").and_then(Json::as_str).unwrap_or("String");
        if type_name.starts_with("AWS::SSM::") {
            return None;
        }
        let default = match p.get("Default")? {
            Json::Number(n) => n.to_string(),
            Json::Bool(b) => b.to_string(),
            Json::String(s) => s.to_string(),
            Json::Array(items) => items
                .iter()
                .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                .collect::<Vec<_>>()
                .join(","),
            _ => return None,
        };
        self.resolved.parameters.insert(name.to_owned());
        Some(
            if type_name.starts_with("List<") || type_name == "CommaDelimitedList" {
                Json::Array(default.split(',').map(|x| Json::from(x.trim())).collect())
            } else {
                Json::String(default.into())
            },
        )
    }

    fn fn_if(&mut self, arg: &Json) -> Option<Json> {
        let Some([cond, a, b]) = arg.as_array().map(Vec::as_slice) else {
            return Some(intrinsic("Fn::If", arg.clone()));
        };
        match cond.as_str().and_then(|c| self.condition(c, 0)) {
            Some(true) => self.value(a),
            Some(false) => self.value(b),
            None => {
                let branch = |ev: &mut Self, x: &Json| {
                    ev.value(x)
                        .unwrap_or_else(|| intrinsic("Ref", "AWS::NoValue".into()))
                };
                let (a, b) = (branch(self, a), branch(self, b));
                Some(intrinsic("Fn::If", Json::Array(vec![cond.clone(), a, b])))
            }
        }
    }

    fn sub(&mut self, arg: &Json) -> Json {
        let (text, vars) = match arg {
            Json::String(s) => (s.as_str(), Map::new()),
            Json::Array(items) => match (items.first(), items.get(1)) {
                (Some(Json::String(s)), Some(Json::Object(vars))) => {
                    let mut out = Map::new();
                    for (k, v) in vars {
                        out.insert(k.clone(), self.value(v).unwrap_or(Json::Null));
                    }
                    (s.as_str(), out)
                }
                (Some(Json::String(s)), None) => (s.as_str(), Map::new()),
                _ => return intrinsic("Fn::Sub", self.value(arg).unwrap_or(Json::Null)),
            },
            other => return intrinsic("Fn::Sub", other.clone()),
        };
        if vars.is_empty() {
            if let Some(text) = self.sub_literal(text) {
                return Json::String(text.into());
            }
        }
        let mut used = BTreeSet::new();
        let pieces = sub_pieces(text);
        let mut literal = true;
        let mut out: Vec<SubPiece> = Vec::new();
        for p in pieces {
            match p {
                SubPiece::Text(t) => out.push(SubPiece::Text(t)),
                SubPiece::Var(name) => {
                    let known = match vars.get(&name) {
                        Some(Json::String(s)) => Some(s.to_string()),
                        Some(Json::Number(n)) => Some(n.to_string()),
                        Some(_) => None,
                        None => self.sub_name(&name).map(String::from),
                    };
                    match known {
                        Some(v) => out.push(SubPiece::Text(v)),
                        None => {
                            literal = false;
                            used.insert(name.clone());
                            out.push(SubPiece::Var(name));
                        }
                    }
                }
            }
        }
        if literal {
            return Json::String(
                out.into_iter()
                    .map(|p| match p {
                        SubPiece::Text(t) => t,
                        SubPiece::Var(_) => String::new(),
                    })
                    .collect(),
            );
        }
        let text = render_sub(&out);
        let vars: Map = vars
            .into_iter()
            .filter(|(k, _)| used.contains(k.as_str()))
            .collect();
        if vars.is_empty() {
            intrinsic("Fn::Sub", Json::String(text.into()))
        } else {
            intrinsic(
                "Fn::Sub",
                Json::Array(vec![Json::String(text.into()), Json::Object(vars)]),
            )
        }
    }

    /// The text an `Fn::Sub` without variables comes to when every
    /// `${Name}` in it is known here (pseudo parameters, parameter
    /// defaults), written at once; `None` when one is not.
    fn sub_literal(&mut self, text: &str) -> Option<String> {
        let mut out = String::with_capacity(text.len() + 16);
        let known = scan_sub(text, |part| match part {
            SubPart::Text(t) => {
                out.push_str(t);
                true
            }
            SubPart::Var(name) => match self.sub_name(name) {
                Some(v) => {
                    out.push_str(&v);
                    true
                }
                None => false,
            },
        });
        known.then_some(out)
    }

    /// What `${name}` comes to in an `Fn::Sub` that gives it no value of
    /// its own, when known here: a pseudo parameter, or a parameter's
    /// default (noted as assumed).
    fn sub_name(&mut self, name: &str) -> Option<std::borrow::Cow<'_, str>> {
        let env = self.env;
        if let Some(v) = env.pseudo(name) {
            self.resolved.note_pseudo(name);
            return Some(v.into());
        }
        match self.parameter_default(name) {
            Some(Json::String(v)) => Some(v.into()),
            _ => None,
        }
    }

    fn join(&mut self, arg: &Json) -> Json {
        let evaluated = self.value(arg).unwrap_or(Json::Null);
        let Some([Json::String(delim), list]) = evaluated.as_array().map(Vec::as_slice) else {
            return intrinsic("Fn::Join", evaluated);
        };
        let Json::Array(items) = list else {
            return intrinsic("Fn::Join", evaluated);
        };
        // As Fn::Sub: literal text, `${Resource}`, `${Resource.Attribute}`.
        let mut pieces = Vec::new();
        for (i, item) in items.iter().enumerate() {
            if i > 0 && !delim.is_empty() {
                pieces.push(SubPiece::Text(delim.to_string()));
            }
            match item {
                Json::String(s) => pieces.push(SubPiece::Text(s.to_string())),
                Json::Number(n) => pieces.push(SubPiece::Text(n.to_string())),
                Json::Object(m) if m.len() == 1 => match m.iter().next() {
                    Some((k, Json::String(r))) if k == "Ref" => {
                        pieces.push(SubPiece::Var(r.to_string()))
                    }
                    Some((k, Json::Array(a)))
                        if k == "Fn::GetAtt" && a.len() == 2 && a.iter().all(|x| x.is_string()) =>
                    {
                        pieces.push(SubPiece::Var(format!(
                            "{}.{}",
                            a[0].as_str().unwrap_or_default(),
                            a[1].as_str().unwrap_or_default()
                        )))
                    }
                    _ => return intrinsic("Fn::Join", evaluated),
                },
                _ => return intrinsic("Fn::Join", evaluated),
            }
        }
        if pieces.iter().all(|p| matches!(p, SubPiece::Text(_))) {
            return Json::String(
                pieces
                    .into_iter()
                    .map(|p| match p {
                        SubPiece::Text(t) => t,
                        SubPiece::Var(_) => String::new(),
                    })
                    .collect(),
            );
        }
        intrinsic("Fn::Sub", Json::String(render_sub(&pieces).into()))
    }

    fn select(&mut self, arg: &Json) -> Json {
        let mut evaluated = self.value(arg).unwrap_or(Json::Null);
        let Some([index, list]) = evaluated.as_array_mut().map(Vec::as_mut_slice) else {
            return intrinsic("Fn::Select", evaluated);
        };
        let i = match index {
            Json::Number(n) => n.as_u64(),
            Json::String(s) => s.parse().ok(),
            _ => None,
        };
        if let (Some(i), Json::Array(items)) = (i, &*list) {
            if let Some(item) = items.get(i as usize) {
                return item.clone();
            }
        }
        // CloudFormation reads the index "0" as 0: over a list known only
        // at deploy, both spellings select the same item.
        if let Some(i) = i {
            *index = Json::from(i);
        }
        intrinsic("Fn::Select", evaluated)
    }

    fn split(&mut self, arg: &Json) -> Json {
        let evaluated = self.value(arg).unwrap_or(Json::Null);
        if let Some([Json::String(d), Json::String(s)]) = evaluated.as_array().map(Vec::as_slice) {
            if !d.is_empty() {
                return Json::Array(s.split(d.as_str()).map(Json::from).collect());
            }
        }
        intrinsic("Fn::Split", evaluated)
    }

    fn find_in_map(&mut self, arg: &Json) -> Json {
        let evaluated = self.value(arg).unwrap_or(Json::Null);
        if let Some([Json::String(m), Json::String(a), Json::String(b), ..]) =
            evaluated.as_array().map(Vec::as_slice)
        {
            let found = self
                .mappings
                .and_then(|maps| maps.get(m))
                .and_then(|x| x.get(a))
                .and_then(|x| x.get(b));
            if let Some(found) = found {
                self.resolved.lookups.insert(format!("{m}[{a}][{b}]"));
                return self.value(found).unwrap_or(Json::Null);
            }
        }
        intrinsic("Fn::FindInMap", evaluated)
    }
}

/// Whether `name` is a parameter of the template the value came from.
pub fn is_parameter(template: &Template, name: &str) -> bool {
    template
        .get("Parameters")
        .and_then(Json::as_object)
        .is_some_and(|p| p.contains_key(name))
}

/// Whether `v` holds no intrinsic function (what evaluating changes).
pub(crate) fn literal(v: &Json) -> bool {
    match v {
        Json::Object(m) => !is_intrinsic_map(m) && m.values().all(literal),
        Json::Array(items) => items.iter().all(literal),
        _ => true,
    }
}

fn intrinsic(name: &str, arg: Json) -> Json {
    let mut m = Map::new();
    m.insert(name.into(), arg);
    Json::Object(m)
}

/// `"A.B"` → `["A", "B"]`.
fn get_att(arg: &Json) -> Json {
    match arg {
        Json::String(s) => match s.split_once('.') {
            Some((a, b)) => intrinsic("Fn::GetAtt", Json::Array(vec![a.into(), b.into()])),
            None => intrinsic("Fn::GetAtt", arg.clone()),
        },
        other => intrinsic("Fn::GetAtt", other.clone()),
    }
}

#[derive(Debug)]
enum SubPiece {
    Text(String),
    Var(String),
}

/// The literal text and `${Name}` references of an `Fn::Sub` string
/// (`${!Literal}` is the text `${Literal}`).
fn sub_pieces(text: &str) -> Vec<SubPiece> {
    let mut out = Vec::new();
    let mut literal = String::new();
    scan_sub(text, |part| {
        match part {
            SubPart::Text(t) => literal.push_str(t),
            SubPart::Var(name) => {
                if !literal.is_empty() {
                    out.push(SubPiece::Text(std::mem::take(&mut literal)));
                }
                out.push(SubPiece::Var(name.to_owned()));
            }
        }
        true
    });
    if !literal.is_empty() {
        out.push(SubPiece::Text(literal));
    }
    out
}

/// A part of an `Fn::Sub` string as written, borrowed from it.
enum SubPart<'t> {
    /// Literal text (`${!Literal}` comes as the text `${Literal}`).
    Text(&'t str),
    /// The name in `${Name}`, trimmed.
    Var(&'t str),
}

/// Reads an `Fn::Sub` string part by part, in order, until `each`
/// returns false; whether it read to the end.
fn scan_sub<'t>(text: &'t str, mut each: impl FnMut(SubPart<'t>) -> bool) -> bool {
    let mut rest = text;
    // A `$` is rare: found alone (memchr), then checked for the brace.
    while let Some(start) = rest.find('$') {
        if rest.as_bytes().get(start + 1) != Some(&b'{') {
            if !each(SubPart::Text(&rest[..=start])) {
                return false;
            }
            rest = &rest[start + 1..];
            continue;
        }
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            return each(SubPart::Text(rest));
        };
        if !each(SubPart::Text(&rest[..start])) {
            return false;
        }
        let name = &after[..end];
        let read = match name.strip_prefix('!') {
            Some(escaped) => {
                each(SubPart::Text("${"))
                    && each(SubPart::Text(escaped))
                    && each(SubPart::Text("}"))
            }
            None => each(SubPart::Var(name.trim())),
        };
        if !read {
            return false;
        }
        rest = &after[end + 1..];
    }
    each(SubPart::Text(rest))
}

fn render_sub(pieces: &[SubPiece]) -> String {
    let mut s = String::new();
    for p in pieces {
        match p {
            SubPiece::Text(t) if t.contains("${") => s.push_str(&t.replace("${", "${!")),
            SubPiece::Text(t) => s.push_str(t),
            SubPiece::Var(v) => {
                s.push_str("${");
                s.push_str(v);
                s.push('}');
            }
        }
    }
    s
}

/// Properties the schemas type as free-form JSON whose values reach the
/// service only as strings: a nested stack's parameters (CloudFormation
/// parameter values) and RDS parameter group settings (RDS parameter
/// values). `2` and `"2"` there are one value.
const STRING_VALUED_JSON: &[(&str, &[&str])] = &[
    ("AWS::CloudFormation::Stack", &["Parameters"]),
    ("AWS::RDS::DBClusterParameterGroup", &["Parameters"]),
    ("AWS::RDS::DBParameterGroup", &["Parameters"]),
];

/// Scalars of a resource's properties in the type the schema gives them.
fn coerce_properties(type_name: &str, props: &mut Json) {
    let coercion = Coercion::of(type_name);
    if let Coercion::Strings = coercion {
        stringify(props);
        return;
    }
    if let Json::Object(m) = props {
        for (k, v) in m.iter_mut() {
            coercion.apply(k, v);
        }
    }
}

/// How a type's property values are coerced.
#[derive(Clone, Copy)]
enum Coercion {
    /// Custom resources: every scalar a string, as CloudFormation passes
    /// them.
    Strings,
    /// A known type: the kinds its schema gives, by path, and the
    /// properties of [`STRING_VALUED_JSON`].
    Kinds(
        &'static [(&'static str, ValueKind)],
        &'static [&'static str],
    ),
    /// An unknown type: left as written.
    None,
}

impl Coercion {
    fn of(type_name: &str) -> Self {
        if type_name.starts_with("Custom::") || type_name == "AWS::CloudFormation::CustomResource" {
            Coercion::Strings
        } else if synth::aws::replacement::is_known(type_name) {
            let strings = STRING_VALUED_JSON
                .iter()
                .find(|(t, _)| *t == type_name)
                .map_or(&[][..], |(_, props)| props);
            Coercion::Kinds(synth::aws::replacement::value_kinds(type_name), strings)
        } else {
            Coercion::None
        }
    }

    /// Coerces the value of property `key`.
    fn apply(&self, key: &str, v: &mut Json) {
        match self {
            Coercion::Strings => stringify(v),
            // Nothing listed at or below the property: every scalar is a
            // string, which `stringify` does without building paths.
            Coercion::Kinds(kinds, strings)
                if strings.contains(&key) || !has_prefix(kinds, key) =>
            {
                stringify(v)
            }
            Coercion::Kinds(kinds, _) => {
                let mut path = String::from(key);
                coerce(kinds, &mut path, v);
            }
            Coercion::None => {}
        }
    }
}

/// The kind at exactly `path`, or `Some(None)` for a string path (nothing
/// listed at or below it), or `None` when only deeper paths are listed.
fn kind_at(kinds: &[(&str, ValueKind)], path: &str) -> Option<Option<ValueKind>> {
    let i = kinds.partition_point(|(p, _)| *p < path);
    match kinds.get(i) {
        Some((p, k)) if *p == path => Some(Some(*k)),
        Some((p, _)) if p.starts_with(path) && p.as_bytes().get(path.len()) == Some(&b'/') => None,
        _ => Some(None),
    }
}

fn has_prefix(kinds: &[(&str, ValueKind)], path: &str) -> bool {
    let i = kinds.partition_point(|(p, _)| *p < path);
    kinds.get(i).is_some_and(|(p, _)| {
        p.starts_with(path) && matches!(p.as_bytes().get(path.len()), None | Some(b'/'))
    })
}

fn coerce(kinds: &[(&str, ValueKind)], path: &mut String, v: &mut Json) {
    match v {
        Json::Object(m) if m.len() == 1 && m.keys().next().is_some_and(|k| k == "Fn::If") => {
            if let Some(Json::Array(a)) = m.get_mut("Fn::If") {
                for branch in a.iter_mut().skip(1) {
                    coerce(kinds, path, branch);
                }
            }
        }
        Json::Object(m)
            if m.len() == 1
                && m.keys()
                    .next()
                    .is_some_and(|k| k == "Ref" || k.starts_with("Fn::")) => {}
        Json::Object(m) => {
            if kind_at(kinds, path) == Some(Some(ValueKind::Json)) {
                return;
            }
            let len = path.len();
            for (k, x) in m.iter_mut() {
                path.push('/');
                path.push_str(k);
                if !has_prefix(kinds, path) {
                    path.truncate(len);
                    path.push_str("/*");
                }
                coerce(kinds, path, x);
                path.truncate(len);
            }
        }
        Json::Array(items) => {
            if kind_at(kinds, path) == Some(Some(ValueKind::Json)) {
                return;
            }
            let len = path.len();
            path.push_str("/*");
            for x in items {
                coerce(kinds, path, x);
            }
            path.truncate(len);
        }
        scalar => match kind_at(kinds, path) {
            Some(Some(ValueKind::Number)) => {
                let text = match scalar {
                    Json::String(s) => Some(s.to_string()),
                    Json::Number(n) if n.is_f64() => Some(n.to_string()),
                    _ => None,
                };
                if let Some(n) = text.as_deref().and_then(number) {
                    *scalar = n;
                }
            }
            Some(Some(ValueKind::Boolean)) => {
                if let Json::String(s) = scalar {
                    match s.to_ascii_lowercase().as_str() {
                        "true" => *scalar = Json::Bool(true),
                        "false" => *scalar = Json::Bool(false),
                        _ => {}
                    }
                }
            }
            Some(Some(ValueKind::Json)) | None => {}
            Some(None) => stringify(scalar),
        },
    }
}

fn number(s: &str) -> Option<Json> {
    let t = s.trim();
    if let Ok(i) = t.parse::<i64>() {
        return Some(Json::from(i));
    }
    let f = t.parse::<f64>().ok().filter(|f| f.is_finite())?;
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        Some(Json::from(f as i64))
    } else {
        serde_json::Number::from_f64(f).map(Json::Number)
    }
}

/// A parameter's declaration as CloudFormation reads it: its values
/// (`Default`, `AllowedValues`) are strings, its limits numbers and
/// `NoEcho` a boolean, however each is written (`"64"` is `64`, `"True"`
/// is `true`).
pub(crate) fn parameter_declaration(decl: &Json) -> Json {
    let mut decl = decl.clone();
    if let Json::Object(m) = &mut decl {
        for (k, v) in m.iter_mut() {
            match k.as_str() {
                "Default" | "AllowedValues" => stringify(v),
                "MinLength" | "MaxLength" | "MinValue" | "MaxValue" => {
                    if let Some(n) = v.as_str().and_then(number) {
                        *v = n;
                    }
                }
                "NoEcho" => {
                    if let Some(b) = v.as_str().and_then(|s| s.to_ascii_lowercase().parse().ok()) {
                        *v = Json::Bool(b);
                    }
                }
                _ => {}
            }
        }
    }
    decl
}

/// Numbers and booleans become strings, through lists and maps but not
/// into intrinsics.
fn stringify(v: &mut Json) {
    match v {
        Json::Number(n) => *v = Json::String(n.to_string().into()),
        Json::Bool(b) => *v = Json::String(b.to_string().into()),
        Json::Object(m)
            if m.len() == 1
                && m.keys()
                    .next()
                    .is_some_and(|k| k == "Ref" || k.starts_with("Fn::")) =>
        {
            if let Some(Json::Array(a)) = m.get_mut("Fn::If") {
                a.iter_mut().skip(1).for_each(stringify);
            }
        }
        Json::Object(m) => m.values_mut().for_each(stringify),
        Json::Array(items) => items.iter_mut().for_each(stringify),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    /// An `Fn::Sub` string read in parts, escapes and stray characters
    /// included; one whose names are all known comes out as its text,
    /// the others keep what is not known.
    #[test]
    fn parameter_declarations_compare_as_cloudformation_reads_them() {
        let written = json!({"Type": "Number", "Default": 2, "AllowedValues": [1, 2],
                             "MinValue": "1", "MaxLength": "64", "NoEcho": "True"});
        let read = json!({"Type": "Number", "Default": "2", "AllowedValues": ["1", "2"],
                          "MinValue": 1, "MaxLength": 64, "NoEcho": true});
        assert_eq!(
            parameter_declaration(&written),
            parameter_declaration(&read)
        );
        let other = json!({"Type": "Number", "Default": "3", "AllowedValues": ["1", "2"],
                           "MinValue": 1, "MaxLength": 64, "NoEcho": true});
        assert_ne!(parameter_declaration(&other), parameter_declaration(&read));
    }

    #[test]
    fn sub_strings_read_in_parts() {
        let texts = [
            ("plain", "plain"),
            ("a-${AWS::Region}-b", "a-us-east-1-b"),
            ("${ AWS::Region }", "us-east-1"),
            ("${!Literal}-$x-$", "${Literal}-$x-$"),
            (
                "cost $5 and ${AWS::Partition",
                "cost $5 and ${AWS::Partition",
            ),
            ("${Env}/${AWS::Partition}", "dev/aws"),
        ];
        let template = match json!({"Parameters": {"Env": {"Type": "String", "Default": "dev"}}}) {
            Json::Object(m) => m,
            _ => unreachable!(),
        };
        let env = Environment::default();
        for (text, expected) in texts {
            let mut ev = Evaluator::over(&template, &env);
            assert_eq!(ev.sub(&json!(text)), json!(expected), "{text}");
        }
        let pieces: Vec<String> = sub_pieces("a${ X }b${!Y}$${Z}")
            .into_iter()
            .map(|p| match p {
                SubPiece::Text(t) => format!("text {t}"),
                SubPiece::Var(v) => format!("name {v}"),
            })
            .collect();
        assert_eq!(pieces, ["text a", "name X", "text b${Y}$", "name Z"]);
        let mut ev = Evaluator::over(&template, &env);
        assert_eq!(
            ev.sub(&json!("${!Esc}-${Bucket.Arn}-${AWS::Region}")),
            json!({"Fn::Sub": "${!Esc}-${Bucket.Arn}-us-east-1"})
        );
        assert!(ev.resolved.pseudo.contains("AWS::Region"));
        assert!(ev.resolved.parameters.is_empty());
    }

    /// `assume` records what `value` records, for every kind of value.
    #[test]
    fn assuming_records_what_evaluating_records() {
        let template = match json!({
            "Parameters": {
                "Env": {"Type": "String", "Default": "dev"},
                "Ami": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/ami"},
                "Zones": {"Type": "CommaDelimitedList", "Default": "a,b"},
                "NoDefault": {"Type": "String"}
            },
            "Mappings": {"M": {"us-east-1": {"K": "v"}}},
            "Conditions": {
                "InUs": {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]},
                "Prod": {"Fn::Equals": [{"Ref": "NoDefault"}, "prod"]}
            }
        }) {
            Json::Object(m) => m,
            _ => unreachable!(),
        };
        let env = Environment::default().with_stack_name("S");
        let values = [
            json!({"Ref": "AWS::Region"}),
            json!({"Ref": "AWS::NoValue"}),
            json!({"Ref": "Env"}),
            json!({"Ref": "Ami"}),
            json!({"Ref": "Zones"}),
            json!({"Ref": "NoDefault"}),
            json!({"Ref": "SomeResource"}),
            json!({"Fn::Sub": "${AWS::AccountId}-${Env}-${Res.Arn}-${!Literal}"}),
            json!({"Fn::Sub": ["${X}-${AWS::StackName}", {"X": {"Ref": "AWS::Partition"}}]}),
            json!({"Fn::Sub": ["${AWS::URLSuffix}"]}),
            json!({"Fn::If": ["InUs", {"Ref": "AWS::Region"}, {"Ref": "Env"}]}),
            json!({"Fn::If": ["Prod", {"Ref": "AWS::AccountId"}, {"Ref": "Zones"}]}),
            json!({"Fn::FindInMap": ["M", {"Ref": "AWS::Region"}, "K"]}),
            json!({"Fn::Join": ["", [{"Ref": "AWS::Partition"}, {"Fn::Select": [0, {"Fn::Split": [",", {"Ref": "Env"}]}]}]]}),
            json!({"Fn::GetAtt": ["Res", "Arn"]}),
            json!({"Fn::GetAZs": {"Ref": "AWS::Region"}}),
            json!({"Nested": [{"Key": {"Ref": "AWS::StackName"}}, "plain", 3]}),
        ];
        for v in &values {
            let mut evaluated = Evaluator::over(&template, &env);
            let _ = evaluated.value(v);
            let mut assumed = Evaluator::over(&template, &env);
            assumed.assume(v);
            let (e, a) = (&evaluated.resolved, &assumed.resolved);
            assert_eq!(e.pseudo, a.pseudo, "{v}");
            assert_eq!(e.parameters, a.parameters, "{v}");
            assert_eq!(e.lookups, a.lookups, "{v}");
        }
    }
}
