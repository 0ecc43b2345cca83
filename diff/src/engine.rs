//! The semantic diff of two templates: which resources are added, removed
//! or modified, property by property, and which modifications replace the
//! resource, including replacements caused by a referenced resource being
//! replaced (a replaced subnet replaces the node group that uses it).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::eq;
use crate::normalize::{self, Environment};
pub use crate::references::references;
use crate::references::{names_none, references_borrowed, Referrers};
use crate::same;
use crate::security::{self, SecurityChanges};
use crate::template::{Ids, Resources, Template, Written};
use crate::value::{Json, Map, Text};

/// The properties of a type whose change replaces the resource, as paths
/// (`Name`, `KubernetesNetworkConfig/IpFamily`).
pub type CreateOnly = fn(&str) -> &'static [&'static str];

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Add,
    Remove,
    Modify,
}

/// Whether an update replaces the physical resource.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Replacement {
    #[default]
    None,
    /// Depends on values only known at deploy (parameters, imports).
    May,
    Will,
}

/// A change to one property (or nested value) of a resource.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PropertyChange {
    /// `CidrBlock`, `Tags[Name]`, `Policies[0].PolicyDocument`.
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<Json>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<Json>,
    pub replacement: Replacement,
}

/// A change to one resource.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceChange {
    pub logical_id: String,
    #[serde(rename = "type")]
    pub type_name: String,
    pub change: Change,
    pub replacement: Replacement,
    /// Why it is replaced, for people.
    pub reasons: Vec<String>,
    /// Holds data that replacing or deleting loses.
    pub stateful: bool,
    /// For a stateful resource removed or replaced, what becomes of its
    /// data: `lost`, `retained` (`Retain`/`RetainExceptOnCreate`: the
    /// old resource is orphaned, kept) or `snapshot`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<DataFate>,
    /// For an added resource identical to a removed one: the removed
    /// one's logical ID (a likely rename).
    #[serde(rename = "renamedFrom", skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    /// For a removed resource, the added one it was likely renamed to.
    #[serde(rename = "renamedTo", skip_serializing_if = "Option::is_none")]
    pub renamed_to: Option<String>,
    pub properties: Vec<PropertyChange>,
}

/// What a removal or replacement does to a stateful resource's data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DataFate {
    Lost,
    Retained,
    Snapshot,
}

/// A change to an entry of another section (Parameters, Outputs, ...).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SectionChange {
    pub section: String,
    pub id: String,
    pub change: Change,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<Json>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<Json>,
    /// Why an entry written the same changes: an output whose value
    /// names a resource that is replaced gets that resource's new value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub because: Option<String>,
}

/// Everything that differs between the deployed (old) and the synthesized
/// (new) template of one stack.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StackDiff {
    pub stack: String,
    /// False when the stack does not exist yet.
    pub exists: bool,
    pub resources: Vec<ResourceChange>,
    pub sections: Vec<SectionChange>,
    pub security: SecurityChanges,
    /// True when the change widens permissions or network access.
    pub broadening: bool,
    /// What the comparison assumed to evaluate intrinsics
    /// (`AWS::Region = us-east-1 (assumed)`, mappings looked up,
    /// conditions evaluated).
    pub assumed: Vec<String>,
    /// CloudFormation's own verdicts, when a change set was created to ask
    /// (`synth diff --method change-set`, and every deploy).
    #[serde(rename = "changeSet", skip_serializing_if = "Option::is_none")]
    pub change_set: Option<crate::change_set::ChangeSetReview>,
    /// What the change will run into: what CloudFormation refuses in the
    /// new template (an attribute it does not know, a condition or name
    /// not declared; of resources written as in the old template, only
    /// when a name was removed), and what the deployed state says (an
    /// export still imported by another stack, ...).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// Counts for summaries and GitLab's merge request widget.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub create: usize,
    pub update: usize,
    pub delete: usize,
    pub replace: usize,
}

impl StackDiff {
    /// No template differences (what CloudFormation or the deployed
    /// state said is not counted).
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty() && self.sections.is_empty()
    }

    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for r in &self.resources {
            match r.change {
                Change::Add => c.create += 1,
                Change::Remove => c.delete += 1,
                Change::Modify => {
                    c.update += 1;
                    if r.replacement != Replacement::None {
                        c.replace += 1;
                    }
                }
            }
        }
        c
    }
}

/// The properties of each type met whose change replaces the resource
/// (always, and in some cases), looked up once per type: the schema
/// tables are searched by name, a dozen comparisons of long names, and a
/// diff meets a few types many times.
struct Replacing<'a> {
    create_only: CreateOnly,
    met: Vec<(&'a str, Properties, Properties)>,
}

type Properties = &'static [&'static str];

impl<'a> Replacing<'a> {
    fn new(create_only: CreateOnly) -> Self {
        Replacing {
            create_only,
            met: Vec::new(),
        }
    }

    /// The create-only and the conditionally create-only properties of
    /// `type_name`.
    fn of(&mut self, type_name: &'a str) -> (Properties, Properties) {
        if let Some(&(_, co, conditional)) =
            self.met.iter().find(|(t, ..)| eq::same_text(t, type_name))
        {
            return (co, conditional);
        }
        let co = (self.create_only)(type_name);
        let conditional = synth::aws::replacement::conditional_create_only(type_name);
        self.met.push((type_name, co, conditional));
        (co, conditional)
    }
}

/// Types whose replacement or deletion loses data or identity others
/// depend on; their changes are highlighted.
const STATEFUL: &[&str] = &[
    "AWS::DynamoDB::Table",
    "AWS::DynamoDB::GlobalTable",
    "AWS::EC2::Volume",
    "AWS::ECR::Repository",
    "AWS::EFS::FileSystem",
    "AWS::EKS::Cluster",
    "AWS::ElastiCache::CacheCluster",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::Elasticsearch::Domain",
    "AWS::OpenSearchService::Domain",
    "AWS::Kinesis::Stream",
    "AWS::KMS::Key",
    "AWS::Logs::LogGroup",
    "AWS::RDS::DBCluster",
    "AWS::RDS::DBInstance",
    "AWS::S3::Bucket",
    "AWS::SecretsManager::Secret",
    "AWS::SQS::Queue",
    "AWS::Cognito::UserPool",
    "AWS::Neptune::DBCluster",
    "AWS::DocDB::DBCluster",
];

pub fn is_stateful(type_name: &str) -> bool {
    STATEFUL.contains(&type_name)
}

/// Diffs two templates of the stack `stack` in the default environment
/// (`us-east-1`, account `123456789012`). An absent stack is an empty
/// `old` with `exists` false.
pub fn diff(
    stack: &str,
    old: &Template,
    new: &Template,
    exists: bool,
    create_only: CreateOnly,
) -> StackDiff {
    diff_in(
        stack,
        old,
        new,
        exists,
        create_only,
        &Environment::default(),
    )
}

/// Diffs two templates of the stack `stack` deployed in `env`: both are
/// normalized first (`crate::normalize`), so only what CloudFormation
/// would see as different is reported. Only resources written differently
/// are copied and normalized.
pub fn diff_in(
    stack: &str,
    old: &Template,
    new: &Template,
    exists: bool,
    create_only: CreateOnly,
    env: &Environment,
) -> StackDiff {
    let env = env.clone().with_stack_name(stack);
    // The templates as written: `old` and `new` name their normalized
    // forms from the comparison on.
    let (old_written, new_written) = (old, new);
    // Resources written the same in both templates come out the same when
    // what they are evaluated against is the same too: only the others
    // are normalized.
    // Parameters whose declaration differs: a resource naming one may
    // evaluate differently though written the same.
    let empty = Map::new();
    let (op, np) = (
        section(old, "Parameters").unwrap_or(&empty),
        section(new, "Parameters").unwrap_or(&empty),
    );
    let changed_parameters: BTreeSet<Text> = op
        .keys()
        .chain(np.keys())
        .filter(|k| !same_declaration("Parameters", op.get(k), np.get(k)))
        .cloned()
        .collect();
    let same_context = ["Mappings", "Conditions"]
        .iter()
        .all(|k| eq::equal_opt(old.get(k), new.get(k)))
        && new
            .get("Conditions")
            .is_none_or(|c| names_none(c, &changed_parameters));
    let mut same = Ids::default();
    let mut referrers = None;
    let mut written = Written::default();
    if same_context {
        if let (Some(o), Some(n)) = (section(old, "Resources"), section(new, "Resources")) {
            let compared = same::compare(o, n, &changed_parameters);
            same = compared.same;
            referrers = compared.referrers;
            written = compared.written;
        }
    }
    // In the same context, a property a changed resource writes as before
    // normalizes as before: it is left out of both sides (the diff needs
    // none of it; readers of whole resources get them from `Full`).
    let twin = |other, record| twin(other, same_context, &changed_parameters, &written, record);
    let (old_n, mut resolved, absent, old_partial) =
        normalize::normalize_borrowed(old, &env, &same, twin(new, true));
    let (new_n, resolved_new, _, new_partial) =
        normalize::normalize_borrowed(new, &env, &same, twin(old, false));
    resolved.merge(resolved_new);
    // Written the same, in the same context: a condition false on one side
    // is false on the other, and such a resource exists on neither.
    same.retain(|id| !absent.contains(id));
    let raw_old = section(old, "Resources").unwrap_or(&empty);
    let raw_new = section(new, "Resources").unwrap_or(&empty);
    let old_full = normalize::Full::new(
        old,
        section(&old_n, "Resources").unwrap_or(&empty),
        &env,
        old_partial,
    );
    let new_full = normalize::Full::new(
        new,
        section(&new_n, "Resources").unwrap_or(&empty),
        &env,
        new_partial,
    )
    .beside(&old_full, raw_old, &changed_parameters);
    let (old, new) = (&old_n, &new_n);
    let parameters: BTreeSet<Text> = [old, new]
        .iter()
        .filter_map(|t| section(t, "Parameters"))
        .flat_map(|p| p.keys().cloned())
        .collect();
    let ctx = Ctx {
        parameters: &parameters,
    };
    let old_res = section(old, "Resources").unwrap_or(&empty);
    let new_res = section(new, "Resources").unwrap_or(&empty);
    let old_all = Resources {
        normalized: old_res,
        raw: raw_old,
        same: &same,
        full: Some(&old_full),
    };
    let new_all = Resources {
        normalized: new_res,
        raw: raw_new,
        same: &same,
        full: Some(&new_full),
    };

    let mut replacing = Replacing::new(create_only);
    let mut changes = Changes::default();
    for (id, new_r) in new_res {
        if same.contains(id) {
            continue;
        }
        let new_type = type_of(new_r);
        match old_res.get(id) {
            None => {
                changes.insert(
                    id.clone(),
                    resource_change(id, new_type, Change::Add, Vec::new()),
                );
            }
            Some(old_r) => {
                let old_type = type_of(old_r);
                if old_type != new_type {
                    let mut c = resource_change(id, new_type, Change::Modify, Vec::new());
                    c.replacement = Replacement::Will;
                    c.reasons
                        .push(format!("its type changes from {old_type} to {new_type}"));
                    changes.insert(id.clone(), c);
                    continue;
                }
                let (co, conditional) = replacing.of(new_type);
                let props = property_changes(old_r, new_r, co, conditional, &ctx);
                if !props.is_empty() {
                    let mut c = resource_change(id, new_type, Change::Modify, props);
                    c.replacement = c
                        .properties
                        .iter()
                        .map(|p| p.replacement)
                        .max()
                        .unwrap_or_default();
                    for p in c
                        .properties
                        .iter()
                        .filter(|p| p.replacement != Replacement::None)
                    {
                        let verb = if p.replacement == Replacement::Will {
                            "replaces"
                        } else {
                            "may replace"
                        };
                        c.reasons.push(format!("changing {} {verb} it", p.path));
                    }
                    changes.insert(id.clone(), c);
                }
            }
        }
    }
    let mut removed = Vec::new();
    for (id, old_r) in old_res {
        if !new_res.contains_key(id) {
            removed.push(id);
            changes.insert(
                id.clone(),
                resource_change(id, type_of(old_r), Change::Remove, Vec::new()),
            );
        }
    }
    let referrers = propagate(new_all, &mut changes, &mut replacing, referrers);
    let mut warnings: Vec<String> =
        crate::refusals::refusals_of_changes(old_written, new_written, &same, referrers.as_ref())
            .into_iter()
            .map(|r| format!("{r}: CloudFormation will refuse the template"))
            .collect();
    // CloudFormation does not update metadata alone: when metadata is all
    // that changes, nothing is deployed.
    let metadata_only = changes.values().all(|c| {
        c.change == Change::Modify
            && c.reasons.is_empty()
            && !c.properties.is_empty()
            && c.properties.iter().all(|p| p.path == "Metadata")
    });
    if metadata_only {
        changes.clear();
    }
    renames(old_res, new_res, &mut changes);
    // Only resource attributes are read: no need for whole resources.
    for c in changes.values_mut() {
        let resource = if c.change == Change::Add {
            new_all.attributes(&c.logical_id)
        } else {
            old_all.attributes(&c.logical_id)
        };
        c.data = data_fate(c, resource, new_all.attributes(&c.logical_id));
    }

    let mut resources: Vec<ResourceChange> = Vec::new();
    // Keep the new template's order, then removals in the old one's.
    for id in new_all.ids().chain(removed) {
        if let Some(c) = changes.remove(id) {
            resources.push(c);
        }
    }

    let mut sections = Vec::new();
    for name in ["Parameters", "Mappings", "Conditions", "Rules", "Outputs"] {
        section_changes(name, section(old, name), section(new, name), &mut sections);
    }
    outputs_of_replaced(
        &resources,
        section(old, "Outputs"),
        section(new, "Outputs"),
        &mut sections,
    );
    for key in [
        "Description",
        "Transform",
        "Metadata",
        "AWSTemplateFormatVersion",
    ] {
        let (o, n) = (old.get(key), new.get(key));
        // "2010-09-09" is the only format version: written or left out,
        // CloudFormation reads the template the same.
        let only_version = |v: Option<&Json>| v.is_none_or(|v| v == "2010-09-09");
        if key == "AWSTemplateFormatVersion" && only_version(o) && only_version(n) {
            continue;
        }
        if o != n && exists {
            sections.push(SectionChange {
                section: key.into(),
                id: key.into(),
                change: match (o, n) {
                    (None, _) => Change::Add,
                    (_, None) => Change::Remove,
                    _ => Change::Modify,
                },
                old: o.cloned(),
                new: n.cloned(),
                because: None,
            });
        }
    }

    warnings.extend(crate::refusals::service_token_changes(&resources));
    let security = security::changes_in(old_all, new_all, &env);
    let broadening = security.is_broadening();
    StackDiff {
        stack: stack.into(),
        exists,
        resources,
        sections,
        security,
        broadening,
        assumed: resolved.notes(&env),
        change_set: None,
        warnings,
    }
}

/// The changes found so far, by logical ID: looked up for every resource,
/// never iterated for output (the template's order is).
type Changes = HashMap<Text, ResourceChange>;

/// A map asked about by logical ID, hashed with a fixed seed (see [`Ids`]).
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;

/// As [`diff_in`], taking the templates.
pub fn diff_owned(
    stack: &str,
    old: Template,
    new: Template,
    exists: bool,
    create_only: CreateOnly,
    env: &Environment,
) -> StackDiff {
    diff_in(stack, &old, &new, exists, create_only, env)
}

/// The other side of a diff for `normalize_borrowed`, in the same context.
fn twin<'a>(
    other: &'a Template,
    same_context: bool,
    changed_parameters: &'a BTreeSet<Text>,
    written: &'a Written<'a>,
    record: bool,
) -> Option<normalize::Twin<'a>> {
    let raw = section(other, "Resources").filter(|_| same_context)?;
    Some(normalize::Twin {
        raw,
        changed_parameters,
        record,
        written,
    })
}

/// What the engine knows while judging values.
struct Ctx<'a> {
    /// The parameters of either template: a `Ref` to one is only known at
    /// deploy.
    parameters: &'a BTreeSet<Text>,
}

/// What a removal or replacement does to a stateful resource's data:
/// removal follows `DeletionPolicy` (RDS clusters and instances default to
/// a snapshot), replacement `UpdateReplacePolicy`.
fn data_fate(c: &ResourceChange, old: Option<&Json>, new: Option<&Json>) -> Option<DataFate> {
    if !c.stateful {
        return None;
    }
    let policy = |r: Option<&Json>, key: &str| {
        r.and_then(|r| r.get(key))
            .and_then(Json::as_str)
            .map(str::to_owned)
    };
    let policy = match (c.change, c.replacement) {
        (Change::Remove, _) => policy(old, "DeletionPolicy").or_else(|| {
            matches!(
                c.type_name.as_str(),
                "AWS::RDS::DBCluster" | "AWS::RDS::DBInstance"
            )
            .then(|| "Snapshot".to_owned())
        }),
        (Change::Modify, Replacement::Will | Replacement::May) => {
            policy(new, "UpdateReplacePolicy")
        }
        _ => return None,
    };
    Some(match policy.as_deref() {
        Some("Retain" | "RetainExceptOnCreate") => DataFate::Retained,
        Some("Snapshot") => DataFate::Snapshot,
        _ => DataFate::Lost,
    })
}

/// A removed resource and an added one of the same type with the same
/// properties and attributes (after normalization, and with references
/// to the old ID read as references to the new one) are likely a rename.
fn renames(old_res: &Map, new_res: &Map, changes: &mut Changes) {
    // Each side's resources of the kind, by ID, with their type and the
    // number of entries compared (all but Metadata, which holds construct
    // paths): read once, not once per pair.
    type Side<'a> = Vec<(&'a Text, &'a Map, Option<&'a Json>, usize)>;
    fn side<'a>(changes: &Changes, kind: Change, resources: &'a Map) -> Side<'a> {
        let mut ids: Side = changes
            .values()
            .filter(|c| c.change == kind)
            .filter_map(|c| resources.get_key_value(&c.logical_id))
            .filter_map(|(id, r)| {
                let r = r.as_object()?;
                let keys = r.keys().filter(|k| *k != "Metadata").count();
                Some((id, r, r.get("Type"), keys))
            })
            .collect();
        ids.sort_unstable_by(|a, b| a.0.cmp(b.0));
        ids
    }
    let removed = side(changes, Change::Remove, old_res);
    let mut added = side(changes, Change::Add, new_res);
    let mut pairs = Vec::new();
    for (old_id, o, old_type, old_keys) in removed {
        let found = added.iter().position(|(new_id, n, new_type, new_keys)| {
            old_type == *new_type
                && old_keys == *new_keys
                && o.iter()
                    .filter(|(k, _)| *k != "Metadata")
                    .all(|(k, v)| n.get(k).is_some_and(|w| same_renamed(v, w, old_id, new_id)))
        });
        // An added resource is the rename of one removed resource at most.
        if let Some(i) = found {
            pairs.push((old_id, added.remove(i).0));
        }
    }
    for (old_id, new_id) in pairs {
        if let Some(c) = changes.get_mut(new_id) {
            c.renamed_from = Some(old_id.to_string());
        }
        if let Some(c) = changes.get_mut(old_id) {
            c.renamed_to = Some(new_id.to_string());
        }
    }
}

/// Whether `old` equals `new` once references to `from` read `to`.
fn same_renamed(old: &Json, new: &Json, from: &str, to: &str) -> bool {
    match (old, new) {
        (Json::Object(o), Json::Object(n)) => {
            if o.len() != n.len() {
                return false;
            }
            o.iter().all(|(k, v)| {
                let Some(w) = n.get(k) else { return false };
                match (k.as_str(), v, w) {
                    ("Ref", Json::String(a), Json::String(b)) => a == b || (a == from && b == to),
                    ("Fn::GetAtt", Json::Array(a), Json::Array(b))
                        if a.len() == b.len() && !a.is_empty() =>
                    {
                        let first = match (&a[0], &b[0]) {
                            (Json::String(x), Json::String(y)) => x == y || (x == from && y == to),
                            (x, y) => x == y,
                        };
                        first && a[1..] == b[1..]
                    }
                    _ => same_renamed(v, w, from, to),
                }
            })
        }
        (Json::Array(a), Json::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_renamed(x, y, from, to))
        }
        _ => old == new,
    }
}

fn section<'a>(t: &'a Template, name: &str) -> Option<&'a Map> {
    t.get(name).and_then(Json::as_object)
}

fn type_of(resource: &Json) -> &str {
    resource.get("Type").and_then(Json::as_str).unwrap_or("?")
}

fn resource_change(
    id: &str,
    type_name: &str,
    change: Change,
    properties: Vec<PropertyChange>,
) -> ResourceChange {
    ResourceChange {
        logical_id: id.into(),
        type_name: type_name.into(),
        change,
        replacement: Replacement::None,
        reasons: Vec::new(),
        stateful: is_stateful(type_name),
        data: None,
        renamed_from: None,
        renamed_to: None,
        properties,
    }
}

/// Property-level changes of a resource, plus its resource attributes
/// (`DependsOn`, `DeletionPolicy`, ...) under their own names.
fn property_changes(
    old: &Json,
    new: &Json,
    create_only: &[&str],
    conditional: &[&str],
    ctx: &Ctx,
) -> Vec<PropertyChange> {
    let empty = Json::Object(Map::new());
    let old_props = old.get("Properties").unwrap_or(&empty);
    let new_props = new.get("Properties").unwrap_or(&empty);
    let mut raw = Vec::new();
    diff_value("", old_props, new_props, &mut raw);
    let mut out: Vec<PropertyChange> = raw
        .into_iter()
        .map(|(path, o, n)| {
            let replacement = replacement_of(
                &path,
                o.as_ref(),
                n.as_ref(),
                old_props,
                new_props,
                create_only,
                ctx,
            )
            .max(conditional_replacement(
                type_of(new),
                &path,
                new,
                replacement_of(
                    &path,
                    o.as_ref(),
                    n.as_ref(),
                    old_props,
                    new_props,
                    conditional,
                    ctx,
                ),
            ));
            PropertyChange {
                path,
                old: o,
                new: n,
                replacement,
            }
        })
        .collect();
    for &attribute in normalize::ATTRIBUTES {
        let (o, n) = (old.get(attribute), new.get(attribute));
        if o != n {
            out.push(PropertyChange {
                path: attribute.into(),
                old: o.cloned(),
                new: n.cloned(),
                replacement: Replacement::None,
            });
        }
    }
    out
}

type RawChange = (String, Option<Json>, Option<Json>);

/// Walks two values in step and records the smallest differing parts.
/// Objects compare key by key; arrays of tags by key, arrays of policy
/// statements by statement, other arrays by item.
fn diff_value(path: &str, old: &Json, new: &Json, out: &mut Vec<RawChange>) {
    match (old, new) {
        // Each entry is compared before its path is built and it is walked
        // into; comparing the whole object first would walk it twice.
        (Json::Object(o), Json::Object(n)) if !is_intrinsic(o) && !is_intrinsic(n) => {
            for (k, ov) in o {
                match n.get(k) {
                    Some(nv) if eq::equal(ov, nv) => {}
                    Some(nv) => diff_value(&join(path, k), ov, nv, out),
                    None => out.push((join(path, k), Some(ov.clone()), None)),
                }
            }
            for (k, nv) in n {
                if o.get(k).is_none() {
                    out.push((join(path, k), None, Some(nv.clone())));
                }
            }
        }
        _ if eq::equal(old, new) => {}
        (Json::Array(o), Json::Array(n)) => {
            if let (Some(ok), Some(nk)) = (keyed(o, "Key"), keyed(n, "Key")) {
                diff_keyed(path, &ok, &nk, out);
            } else {
                diff_items(path, o, n, out);
            }
        }
        _ => out.push((path.to_owned(), Some(old.clone()), Some(new.clone()))),
    }
}

/// Items keyed by a field (`Key` of tags), when every item has one.
fn keyed<'a>(items: &'a [Json], field: &str) -> Option<Vec<(&'a str, &'a Json)>> {
    items
        .iter()
        .map(|i| i.get(field).and_then(Json::as_str).map(|k| (k, i)))
        .collect()
}

fn diff_keyed(path: &str, old: &[(&str, &Json)], new: &[(&str, &Json)], out: &mut Vec<RawChange>) {
    for (k, ov) in old {
        match new.iter().find(|(nk, _)| nk == k) {
            // The path is only built for what differs.
            Some((_, nv)) if eq::equal(ov, nv) => {}
            Some((_, nv)) => diff_value(&format!("{path}[{k}]"), ov, nv, out),
            None => out.push((format!("{path}[{k}]"), Some((*ov).clone()), None)),
        }
    }
    for (k, nv) in new {
        if !old.iter().any(|(ok, _)| ok == k) {
            out.push((format!("{path}[{k}]"), None, Some((*nv).clone())));
        }
    }
}

/// Arrays: items present on one side only are added or removed (by
/// value); when items changed in place, their inner differences are
/// shown; a list only reordered is one change of the whole list (the
/// resource is updated, though policies compare statements as sets).
fn diff_items(path: &str, old: &[Json], new: &[Json], out: &mut Vec<RawChange>) {
    let before = out.len();
    let removed: Vec<(usize, &Json)> = old
        .iter()
        .enumerate()
        .filter(|(_, o)| !new.contains(o))
        .collect();
    let added: Vec<(usize, &Json)> = new
        .iter()
        .enumerate()
        .filter(|(_, n)| !old.contains(n))
        .collect();
    if !removed.is_empty()
        && removed.len() == added.len()
        && removed
            .iter()
            .zip(&added)
            .all(|((i, a), (j, b))| i == j && a.is_object() && b.is_object())
    {
        for ((i, o), (_, n)) in removed.iter().zip(&added) {
            diff_value(&format!("{path}[{i}]"), o, n, out);
        }
        return;
    }
    for (i, o) in removed {
        out.push((format!("{path}[{i}]"), Some(o.clone()), None));
    }
    for (j, n) in added {
        out.push((format!("{path}[{j}]"), None, Some(n.clone())));
    }
    if out.len() == before {
        // Only the order or duplicates changed: CloudFormation still sees
        // a new value.
        out.push((
            path.to_owned(),
            Some(Json::Array(old.to_vec())),
            Some(Json::Array(new.to_vec())),
        ));
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn is_intrinsic(map: &Map) -> bool {
    map.len() == 1
        && map
            .keys()
            .next()
            .is_some_and(|k| k == "Ref" || k == "Condition" || k.starts_with("Fn::"))
}

/// The top-level property and nested property names of a change path,
/// without indices: `Tags[Name].Value` → `["Tags", "Value"]`.
fn components(path: &str) -> Vec<&str> {
    path.split('.')
        .map(|c| c.split('[').next().unwrap_or(c))
        .collect()
}

fn replacement_of(
    path: &str,
    old: Option<&Json>,
    new: Option<&Json>,
    old_props: &Json,
    new_props: &Json,
    create_only: &[&str],
    ctx: &Ctx,
) -> Replacement {
    let parts = components(path);
    let mut result = Replacement::None;
    for c in create_only {
        // Compared component by component, with nothing collected: most
        // paths part at the first.
        let length = c.split('/').count();
        let shared = c
            .split('/')
            .zip(&parts)
            .take_while(|(a, b)| a == *b)
            .count();
        // The create-only path holds the changed one, or lies within it.
        let inside = shared == length && length <= parts.len();
        let above = shared == parts.len() && length > parts.len();
        let r = if inside {
            certainty(old, new, ctx)
        } else if above {
            // The change is to an object holding a create-only property:
            // replaced only if that property's value itself differs.
            let co: Vec<&str> = c.split('/').collect();
            let (o, n) = (lookup(old_props, &co), lookup(new_props, &co));
            if o == n {
                Replacement::None
            } else {
                certainty(o, n, ctx)
            }
        } else {
            Replacement::None
        };
        result = result.max(r);
    }
    result
}

fn lookup<'a>(value: &'a Json, path: &[&str]) -> Option<&'a Json> {
    path.iter().try_fold(value, |v, k| v.get(*k))
}

/// What changing a conditionally create-only property does. The schema
/// only says "sometimes"; where the template decides, it is decided: an
/// Auto Scaling group's launch configuration, template, instance mix or
/// subnets replace it only under `AutoScalingReplacingUpdate` with
/// `WillReplace`; an RDS instance's source instance, snapshot and zone
/// replace it, its other such settings are updated in place (maintenance,
/// backups, Multi-AZ, parameter group). Otherwise it may replace.
fn conditional_replacement(
    type_name: &str,
    path: &str,
    resource: &Json,
    how: Replacement,
) -> Replacement {
    if how == Replacement::None {
        return how;
    }
    let top = components(path).first().copied().unwrap_or("");
    match type_name {
        "AWS::AutoScaling::AutoScalingGroup" => {
            let will = resource
                .get("UpdatePolicy")
                .and_then(|u| u.get("AutoScalingReplacingUpdate"))
                .and_then(|r| r.get("WillReplace"))
                .is_some_and(|w| w == &Json::Bool(true) || w == "true");
            if will {
                how
            } else {
                Replacement::None
            }
        }
        "AWS::RDS::DBInstance" => match top {
            "SourceDBInstanceIdentifier" | "DBSnapshotIdentifier" | "AvailabilityZone" => how,
            _ => Replacement::None,
        },
        _ => how.min(Replacement::May),
    }
}

/// A change certainly replaces when the value certainly differs: a
/// property set or unset, different literals, different resources; it
/// may replace when values only known at deploy (parameters, imports,
/// unresolved conditions and mappings, dynamic references) could still
/// come out equal.
fn certainty(old: Option<&Json>, new: Option<&Json>, ctx: &Ctx) -> Replacement {
    match (old, new) {
        (Some(o), Some(n)) if !certainly_differs(o, n, ctx) => Replacement::May,
        // Set or unset: certain unless the value set may turn out absent
        // or empty (an `Fn::If` not resolved here, which may give
        // `AWS::NoValue`; a parameter without default).
        (Some(v), None) | (None, Some(v)) if may_be_unset(v, ctx) => Replacement::May,
        _ => Replacement::Will,
    }
}

fn may_be_unset(v: &Json, ctx: &Ctx) -> bool {
    match v {
        Json::Object(m) => {
            m.contains_key("Fn::If")
                || m.get("Ref")
                    .and_then(Json::as_str)
                    .is_some_and(|r| ctx.parameters.contains(r))
                || m.values().any(|x| may_be_unset(x, ctx))
        }
        Json::Array(items) => items.iter().any(|x| may_be_unset(x, ctx)),
        _ => false,
    }
}

/// Whether `v` is fully known before deploy: literals (without dynamic
/// references) and references to resources.
fn is_known(v: &Json, ctx: &Ctx) -> bool {
    match v {
        Json::String(s) => !s.contains("{{resolve:"),
        Json::Object(m) if m.len() == 1 => match m.iter().next() {
            Some((k, Json::String(r))) if k == "Ref" => !ctx.parameters.contains(r),
            Some((k, _)) if k == "Fn::GetAtt" => true,
            Some((k, inner)) if k == "Fn::Base64" => is_known(inner, ctx),
            Some((k, _)) if k == "Condition" || k.starts_with("Fn::") => false,
            _ => m.values().all(|x| is_known(x, ctx)),
        },
        Json::Object(m) => m.values().all(|x| is_known(x, ctx)),
        Json::Array(items) => items.iter().all(|x| is_known(x, ctx)),
        _ => true,
    }
}

fn certainly_differs(old: &Json, new: &Json, ctx: &Ctx) -> bool {
    if eq::equal(old, new) {
        return false;
    }
    let intrinsic = |v: &Json| {
        v.as_object().is_some_and(|m| {
            m.len() == 1
                && m.keys()
                    .next()
                    .is_some_and(|k| k == "Ref" || k.starts_with("Fn::"))
        })
    };
    match (old, new) {
        (Json::Array(o), Json::Array(n)) => {
            (o.len() != n.len() && o.iter().chain(n).all(|x| is_known(x, ctx)))
                || (o.len() == n.len()
                    && o.iter().zip(n).any(|(a, b)| certainly_differs(a, b, ctx)))
        }
        (Json::Object(o), Json::Object(n)) if !intrinsic(old) && !intrinsic(new) => {
            o.keys().any(|k| !n.contains_key(k))
                || n.keys().any(|k| !o.contains_key(k))
                || o.iter()
                    .any(|(k, a)| n.get(k).is_some_and(|b| certainly_differs(a, b, ctx)))
        }
        _ => {
            if is_known(old, ctx) && is_known(new, ctx) {
                return true;
            }
            // The same unknown parts with different literal text, or
            // another zone of the same list (`!Select [1, !GetAZs ""]`).
            match (old, new) {
                (Json::Object(o), Json::Object(n)) => {
                    if let (Some(a), Some(b)) = (o.get("Fn::Base64"), n.get("Fn::Base64")) {
                        return certainly_differs(a, b, ctx);
                    }
                    match (o.get("Fn::Select"), n.get("Fn::Select")) {
                        (Some(Json::Array(a)), Some(Json::Array(b)))
                            if a.len() == 2 && b.len() == 2 && a[1] == b[1] =>
                        {
                            return a[0] != b[0] && is_known(&a[0], ctx) && is_known(&b[0], ctx);
                        }
                        _ => {}
                    }
                    match (o.get("Fn::Sub"), n.get("Fn::Sub")) {
                        (Some(Json::String(a)), Some(Json::String(b))) => {
                            let vars = |s: &str| {
                                let mut out = BTreeSet::new();
                                references(&crate::json!({"Fn::Sub": s}), &mut out);
                                out
                            };
                            vars(a) == vars(b)
                                && vars(a).iter().all(|v| !ctx.parameters.contains(v))
                                && !a.contains("{{resolve:")
                                && !b.contains("{{resolve:")
                        }
                        _ => false,
                    }
                }
                _ => false,
            }
        }
    }
}

/// A resource referencing a replaced resource gets a new value for that
/// reference: it is updated, and replaced if the reference sits in a
/// create-only property. Repeats until nothing more changes.
fn propagate<'a>(
    new_res: Resources<'a>,
    changes: &mut Changes,
    replacing: &mut Replacing<'a>,
    mut referrers: Option<Referrers<'a>>,
) -> Option<Referrers<'a>> {
    // Exact references per resource, read from the normalized resource
    // only for those whose written references name a replaced target.
    let mut exact: BTreeMap<&Text, Option<Exact>> = BTreeMap::new();
    loop {
        // Replaced resources, and new ones: a reference to either gets a
        // new value.
        let replaced: HashMap<Text, (Replacement, bool)> = changes
            .iter()
            .filter(|(_, c)| {
                c.change == Change::Add
                    || (c.change == Change::Modify && c.replacement != Replacement::None)
            })
            .map(|(id, c)| {
                let new = c.change == Change::Add;
                let how = if new {
                    Replacement::Will
                } else {
                    c.replacement
                };
                (id.clone(), (how, new))
            })
            .collect();
        if replaced.is_empty() {
            break;
        }
        let referrers = referrers.get_or_insert_with(|| Referrers::of(new_res.written()));
        let mut progressed = false;
        for (id, written) in referrers.iter() {
            if !written.iter().any(|t| replaced.contains_key(*t)) {
                continue;
            }
            if changes.get(id).is_some_and(|c| c.change == Change::Add) {
                continue;
            }
            let Some((r, props, refs)) = exact
                .entry(id)
                .or_insert_with(|| exact_references(new_res, id))
            else {
                continue;
            };
            let type_name = type_of(r);
            // Looked up when a target is replaced, not for every referrer.
            let mut co = None;
            for (prop, targets) in refs {
                let prop = *prop;
                for &target in targets.iter().filter(|t| **t != id.as_str()) {
                    let Some(&(how, new)) = replaced.get(target) else {
                        continue;
                    };
                    let top = |c: &&str| c.split('/').next() == Some(prop.as_str());
                    let (co, conditional) = *co.get_or_insert_with(|| replacing.of(type_name));
                    let effect = if co.iter().any(top) {
                        how
                    } else if conditional.iter().any(top) {
                        conditional_replacement(type_name, prop, r, how)
                    } else {
                        Replacement::None
                    };
                    // A resource that may be replaced may keep its identity:
                    // what refers to it in place is not known to change.
                    if effect == Replacement::None && how == Replacement::May {
                        continue;
                    }
                    let what = if new { "new" } else { "replaced" };
                    let reason = if effect != Replacement::None {
                        format!("{prop} references {target}, which is {what}")
                    } else {
                        format!("{prop} references {target}, which is {what} (updated in place)")
                    };
                    let change = changes.entry(id.clone()).or_insert_with(|| {
                        resource_change(id, type_name, Change::Modify, Vec::new())
                    });
                    if change.reasons.contains(&reason) {
                        continue;
                    }
                    // A property whose own text changed already says why.
                    let written = change.properties.iter().any(|p| {
                        p.old != p.new
                            && (p.path == *prop
                                || p.path.starts_with(&format!("{prop}."))
                                || p.path.starts_with(&format!("{prop}[")))
                    });
                    if written && effect <= change.replacement {
                        continue;
                    }
                    change.reasons.push(reason);
                    if !change.properties.iter().any(|p| p.path == *prop) {
                        change.properties.push(PropertyChange {
                            path: prop.to_string(),
                            old: props.get(prop).cloned(),
                            new: props.get(prop).cloned(),
                            replacement: effect,
                        });
                    }
                    if effect > change.replacement {
                        change.replacement = effect;
                        progressed = true;
                    }
                }
            }
        }
        if !progressed {
            break;
        }
    }
    referrers
}

/// A resource with properties, normalized whole: itself, its properties,
/// and the logical IDs each property refers to (properties that refer to
/// none left out).
type Exact<'a> = (&'a Json, &'a Map, Vec<(&'a Text, Vec<&'a str>)>);

fn exact_references<'a>(resources: Resources<'a>, id: &str) -> Option<Exact<'a>> {
    let r = resources.get(id)?;
    let props = r.get("Properties").and_then(Json::as_object)?;
    let refs = props
        .iter()
        .filter_map(|(prop, value)| {
            let mut refs = Vec::new();
            references_borrowed(value, &mut refs);
            refs.sort_unstable();
            refs.dedup();
            (!refs.is_empty()).then_some((prop, refs))
        })
        .collect();
    Some((r, props, refs))
}

/// Outputs written the same whose value names a resource that is replaced
/// (or removed and added again): their value changes with it, and
/// CloudFormation updates them, so they are changes too.
fn outputs_of_replaced(
    resources: &[ResourceChange],
    old: Option<&Map>,
    new: Option<&Map>,
    out: &mut Vec<SectionChange>,
) {
    let replaced: BTreeSet<&str> = resources
        .iter()
        .filter(|r| r.change == Change::Modify && r.replacement == Replacement::Will)
        .map(|r| r.logical_id.as_str())
        .collect();
    if replaced.is_empty() {
        return;
    }
    let (Some(old), Some(new)) = (old, new) else {
        return;
    };
    for (id, n) in new {
        if old.get(id) != Some(n) {
            continue;
        }
        let mut refs = BTreeSet::new();
        references(n.get("Value").unwrap_or(&Json::Null), &mut refs);
        let hit: Vec<&str> = refs
            .iter()
            .map(Text::as_str)
            .filter(|r| replaced.contains(r))
            .collect();
        if !hit.is_empty() {
            out.push(SectionChange {
                section: "Outputs".into(),
                id: id.to_string(),
                change: Change::Modify,
                old: Some(n.clone()),
                new: Some(n.clone()),
                because: Some(format!("{} is replaced", hit.join(", "))),
            });
        }
    }
}

/// Whether an entry of a template section is declared the same on both
/// sides: parameters as CloudFormation reads them, the rest as written.
fn same_declaration(section: &str, old: Option<&Json>, new: Option<&Json>) -> bool {
    match (old, new) {
        (Some(o), Some(n)) if section == "Parameters" && o != n => {
            crate::normalize::parameter_declaration(o) == crate::normalize::parameter_declaration(n)
        }
        _ => eq::equal_opt(old, new),
    }
}

fn section_changes(name: &str, old: Option<&Map>, new: Option<&Map>, out: &mut Vec<SectionChange>) {
    let empty = Map::new();
    let (old, new) = (old.unwrap_or(&empty), new.unwrap_or(&empty));
    for (id, n) in new {
        match old.get(id) {
            None => out.push(SectionChange {
                section: name.into(),
                id: id.to_string(),
                change: Change::Add,
                old: None,
                new: Some(n.clone()),
                because: None,
            }),
            Some(o) if !same_declaration(name, Some(o), Some(n)) => out.push(SectionChange {
                section: name.into(),
                id: id.to_string(),
                change: Change::Modify,
                old: Some(o.clone()),
                new: Some(n.clone()),
                because: None,
            }),
            _ => {}
        }
    }
    for (id, o) in old {
        if !new.contains_key(id) {
            out.push(SectionChange {
                section: name.into(),
                id: id.to_string(),
                change: Change::Remove,
                old: Some(o.clone()),
                new: None,
                because: None,
            });
        }
    }
}
