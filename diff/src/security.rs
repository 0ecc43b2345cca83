//! Security-relevant changes: IAM statements (identity, trust and
//! resource policies), managed policy attachments, and security group
//! rules; and the single verdict of whether a change broadens access.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use serde::Serialize;

use crate::arn::{glob_covers, Side};
use crate::engine::Change;
use crate::eq;
use crate::managed;
use crate::normalize::{is_intrinsic_map, Environment};
use crate::template::{Ids, Resource, Resources};
use crate::value::{Json, Map, Text};

/// One IAM statement added or removed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StatementChange {
    /// The resource holding the policy.
    pub resource: String,
    /// `trust policy`, `inline policy NAME`, `policy document`, ...
    pub policy: String,
    pub change: Change,
    pub effect: String,
    /// The statement's actions; for a modified statement, the added ones.
    pub actions: Vec<String>,
    /// For a modified statement, the actions it no longer has.
    #[serde(rename = "removedActions", skip_serializing_if = "Vec::is_empty")]
    pub removed_actions: Vec<String>,
    #[serde(rename = "notActions", skip_serializing_if = "Vec::is_empty")]
    pub not_actions: Vec<String>,
    pub resources: Vec<Json>,
    pub principals: Vec<Json>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<Json>,
    /// The condition of the `Fn::If` the statement sits in (it applies
    /// only when that condition holds, or only when it does not).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conditional: Option<String>,
}

/// A managed policy attached or detached.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AttachmentChange {
    pub resource: String,
    pub change: Change,
    pub policy: Json,
}

/// A security group rule added or removed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleChange {
    /// The group (logical ID or reference).
    pub group: String,
    pub direction: String,
    pub change: Change,
    pub protocol: String,
    pub ports: String,
    pub peer: Json,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SecurityChanges {
    pub statements: Vec<StatementChange>,
    pub managed_policies: Vec<AttachmentChange>,
    pub security_group_rules: Vec<RuleChange>,
    /// Some Allow permission is new, or some Deny is gone (compared per
    /// action, resource, principal and condition, so narrowing a statement
    /// does not count).
    #[serde(skip)]
    pub widens_iam: bool,
    /// Some added rule is not inside a rule the group had (protocol,
    /// ports and peer network).
    #[serde(skip)]
    pub widens_network: bool,
}

impl SecurityChanges {
    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
            && self.managed_policies.is_empty()
            && self.security_group_rules.is_empty()
    }

    /// Added Allow statements (including new trusted principals), removed
    /// Deny statements, newly attached managed policies (unless what they
    /// grant is known and was already granted), a removed permissions
    /// boundary and added security group rules all widen what is allowed.
    pub fn is_broadening(&self) -> bool {
        let boundary = |m: &AttachmentChange| m.policy.get("PermissionsBoundary").is_some();
        self.widens_iam
            || self.widens_network
            || self
                .managed_policies
                .iter()
                .any(|m| m.change == Change::Remove && boundary(m))
    }
}

/// Security changes between two `Resources` sections.
pub fn changes(old: &Map, new: &Map) -> SecurityChanges {
    changes_except(old, new, &Ids::default())
}

/// As [`changes`], skipping the resources in `same` (known equal).
pub fn changes_except(old: &Map, new: &Map, same: &Ids) -> SecurityChanges {
    changes_in(
        Resources {
            normalized: old,
            raw: old,
            same,
            full: None,
        },
        Resources {
            normalized: new,
            raw: new,
            same,
            full: None,
        },
        &Environment::default(),
    )
}

/// As [`changes_except`], on a diff's two sides (the resources written
/// the same on both are skipped), for a stack deployed in `env` (what
/// references to the stack's resources stand for in ARNs).
pub fn changes_in(old: Resources, new: Resources, env: &Environment) -> SecurityChanges {
    let mut out = SecurityChanges::default();
    let sides = (
        Side {
            resources: old,
            env,
        },
        Side {
            resources: new,
            env,
        },
    );
    // A group's rules may sit in the group or in separate ingress and
    // egress resources: a new rule is judged against every rule the group
    // had, wherever written (read only when a rule needs it).
    let mut old_groups: Option<BTreeMap<String, Vec<(&Text, Resource)>>> = None;
    let ids: Vec<&Text> = new
        .normalized
        .keys()
        .chain(
            old.normalized
                .keys()
                .filter(|k| !new.normalized.contains_key(k)),
        )
        .collect();
    for id in ids {
        if new.same.contains(id) {
            continue;
        }
        // Properties written the same on both sides may be left out of
        // both: equal or differing in tags only here, so whole.
        let (o, n) = (old.normalized.get(id), new.normalized.get(id));
        if same_but_tags(o, n) || eq::equal_opt(o, n) {
            continue;
        }
        let silent = |side: &Resources| side.raw.get(id).is_none_or(silent);
        if silent(&old) && silent(&new) {
            continue;
        }
        // Read property by property: those written the same on both sides
        // are normalized only when asked for.
        let (o, n) = (old.resource(id), new.resource(id));
        // A removed resource CloudFormation retains keeps granting.
        let retained = n.is_none()
            && o.and_then(|r| r.attribute("DeletionPolicy"))
                .and_then(Json::as_str)
                .is_some_and(|p| p.starts_with("Retain"));
        if retained {
            continue;
        }
        let (op, np) = (policies(o), policies(n));
        for (policy, statements) in &np {
            let before = op.get(policy).map_or(&[][..], Vec::as_slice);
            diff_statements(id, policy, before, statements, &mut out.statements);
            if !is_identity(policy) {
                // Once something widens, the rest need not be judged.
                out.widens_iam = out.widens_iam || widens(before, statements, sides);
            }
        }
        for (policy, statements) in &op {
            if !np.contains_key(policy) {
                diff_statements(id, policy, statements, &[], &mut out.statements);
                if !is_identity(policy) {
                    out.widens_iam = out.widens_iam || widens(statements, &[], sides);
                }
            }
        }
        let (oa, na) = (attachments(o), attachments(n));
        // What the resource's own identity policies grant, together: a
        // statement moved between its inline and managed policies grants
        // nothing new.
        out.widens_iam = out.widens_iam || widens(&identity(&op, &oa), &identity(&np, &na), sides);
        for a in &na {
            if !oa.contains(a) {
                let known = a.as_str().and_then(managed::policy).is_some();
                let boundary = a.get("PermissionsBoundary").is_some();
                out.widens_iam |= !known && !boundary;
                out.managed_policies.push(AttachmentChange {
                    resource: id.to_string(),
                    change: Change::Add,
                    policy: a.clone(),
                });
            }
        }
        for a in &oa {
            if !na.contains(a) {
                out.managed_policies.push(AttachmentChange {
                    resource: id.to_string(),
                    change: Change::Remove,
                    policy: a.clone(),
                });
            }
        }
        let (or, nr) = (rules(id, o), rules(id, n));
        // Once the network widens, the other rules need not be judged.
        for r in &nr {
            if out.widens_network {
                break;
            }
            if or.contains(r) || or.iter().any(|o| covers(o, r)) {
                continue;
            }
            let groups = old_groups.get_or_insert_with(|| {
                let mut groups: BTreeMap<String, Vec<(&Text, Resource)>> = BTreeMap::new();
                // Only groups and their rules are read (whole).
                for (id, written) in old.raw {
                    let type_name = written.get("Type").and_then(Json::as_str);
                    if !type_name.is_some_and(|t| RULE_TYPES.contains(&t)) {
                        continue;
                    }
                    let Some(r) = old.resource(id) else {
                        continue;
                    };
                    if let Some(g) = rule_group(id, r) {
                        groups.entry(g).or_default().push((id, r));
                    }
                }
                groups
            });
            let held = groups
                .get(group_key(&r.group))
                .map_or(&[][..], Vec::as_slice);
            let covered = held
                .iter()
                .flat_map(|(id, res)| rules(id, Some(*res)))
                .any(|o| covers(&o, r));
            if !covered {
                out.widens_network = true;
            }
        }
        for r in &nr {
            if !or.contains(r) {
                out.security_group_rules.push(RuleChange {
                    change: Change::Add,
                    ..r.clone()
                });
            }
        }
        for r in &or {
            if !nr.contains(r) {
                out.security_group_rules.push(RuleChange {
                    change: Change::Remove,
                    ..r.clone()
                });
            }
        }
    }
    out
}

/// The types whose properties [`policies`], [`attachments`] and
/// [`rules`] read by type.
const SECURITY_TYPES: &[&str] = &[
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::SecurityGroupEgress",
    "AWS::EC2::SecurityGroupIngress",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::Policy",
    "AWS::IAM::Role",
    "AWS::KMS::Key",
    "AWS::Lambda::Permission",
    "AWS::S3::BucketPolicy",
    "AWS::SNS::TopicInlinePolicy",
    "AWS::SNS::TopicPolicy",
    "AWS::SQS::QueuePolicy",
    "AWS::SSO::PermissionSet",
];

/// The properties they read of a resource of any type.
const SECURITY_PROPERTIES: &[&str] = &[
    "CustomerManagedPolicyReferences",
    "ManagedPolicies",
    "ManagedPolicyArns",
    "PermissionsBoundary",
    "Policies",
    "PolicyDocument",
];

/// Whether a resource, as written, can hold nothing the security
/// analysis reads (a bucket, a queue): then it has no statements, rules
/// or attachments on either side however it changes, and is not read
/// whole.
fn silent(written: &Json) -> bool {
    let type_name = written.get("Type").and_then(Json::as_str).unwrap_or("");
    if SECURITY_TYPES.contains(&type_name) {
        return false;
    }
    match written.get("Properties") {
        None => true,
        // Evaluated properties could come out holding anything.
        Some(Json::Object(p)) if !crate::normalize::is_intrinsic_map(p) => {
            !p.keys().any(|k| SECURITY_PROPERTIES.contains(&k.as_str()))
        }
        Some(_) => false,
    }
}

/// Whether two versions of a resource differ in nothing but their tags
/// and resource attributes, which grant nothing.
fn same_but_tags(old: Option<&Json>, new: Option<&Json>) -> bool {
    let (Some(o), Some(n)) = (old, new) else {
        return false;
    };
    if !eq::equal_opt(o.get("Type"), n.get("Type")) {
        return false;
    }
    fn properties(r: &Json) -> Option<&Map> {
        r.get("Properties").and_then(Json::as_object)
    }
    match (properties(o), properties(n)) {
        (Some(a), Some(b)) => {
            let (mut a, mut b) = (
                a.iter().filter(|(k, _)| *k != "Tags"),
                b.iter().filter(|(k, _)| *k != "Tags"),
            );
            loop {
                match (a.next(), b.next()) {
                    (None, None) => return true,
                    (Some((ka, va)), Some((kb, vb))) if ka == kb && eq::equal(va, vb) => {}
                    _ => return false,
                }
            }
        }
        (None, None) => true,
        _ => false,
    }
}

fn props(resource: Option<Resource<'_>>) -> Option<(&str, Resource<'_>)> {
    let r = resource?;
    let type_name = r.type_name()?;
    r.has_properties().then_some((type_name, r))
}

/// Whether a policy of [`policies`] grants to the resource's own
/// principal (an inline or attached identity policy).
fn is_identity(policy: &str) -> bool {
    policy.starts_with("inline policy") || policy == "PolicyDocument"
}

/// The statements of a resource's identity policies, with those of the
/// AWS managed policies it attaches whose contents are known.
fn identity(policies: &BTreeMap<String, Vec<Json>>, attached: &[Json]) -> Vec<Json> {
    let mut out: Vec<Json> = policies
        .iter()
        .filter(|(name, _)| is_identity(name))
        .flat_map(|(_, s)| s.iter().cloned())
        .collect();
    for grant in attached
        .iter()
        .filter_map(Json::as_str)
        .filter_map(managed::policy)
        .flatten()
    {
        out.push(normalize(&crate::json!({
            "Effect": "Allow", "Action": grant.0, "Resource": grant.1
        })));
    }
    out
}

/// Every policy document a resource carries, by a name for people that
/// says what it applies to (`bucket policy on !Ref Logs`).
fn policies(resource: Option<Resource>) -> BTreeMap<String, Vec<Json>> {
    let mut out = BTreeMap::new();
    let Some((type_name, p)) = props(resource) else {
        return out;
    };
    let mut put = |name: String, doc: Option<&Json>| {
        if let Some(doc) = doc {
            out.insert(name, statements(doc));
        }
    };
    let on = |key: &str| {
        p.property(key).map_or_else(
            || "?".to_owned(),
            |v| match v {
                Json::Array(items) => items
                    .iter()
                    .map(crate::render::short)
                    .collect::<Vec<_>>()
                    .join(", "),
                other => crate::render::short(other),
            },
        )
    };
    match type_name {
        "AWS::IAM::Role" => put(
            "trust policy".into(),
            p.property("AssumeRolePolicyDocument"),
        ),
        "AWS::SQS::QueuePolicy" => put(
            format!("queue policy on {}", on("Queues")),
            p.property("PolicyDocument"),
        ),
        "AWS::SNS::TopicPolicy" => put(
            format!("topic policy on {}", on("Topics")),
            p.property("PolicyDocument"),
        ),
        "AWS::SNS::TopicInlinePolicy" => put(
            format!("topic policy on {}", on("TopicArn")),
            p.property("PolicyDocument"),
        ),
        "AWS::S3::BucketPolicy" => put(
            format!("bucket policy on {}", on("Bucket")),
            p.property("PolicyDocument"),
        ),
        "AWS::KMS::Key" => put("key policy".into(), p.property("KeyPolicy")),
        "AWS::SSO::PermissionSet" => put("inline policy".into(), p.property("InlinePolicy")),
        "AWS::Lambda::Permission" => {
            let principal = match p.property("Principal") {
                Some(Json::String(s)) if s == "*" => Json::String("*".into()),
                Some(Json::String(s))
                    if s.ends_with(".amazonaws.com") || s.ends_with(".amazonaws.com.cn") =>
                {
                    one("Service", Json::String(s.clone()))
                }
                Some(other) => one("AWS", other.clone()),
                None => Json::Null,
            };
            let mut condition = Map::new();
            for (key, cond, op) in [
                ("SourceArn", "aws:SourceArn", "ArnLike"),
                ("SourceAccount", "aws:SourceAccount", "StringEquals"),
                ("PrincipalOrgID", "aws:PrincipalOrgID", "StringEquals"),
                (
                    "FunctionUrlAuthType",
                    "lambda:FunctionUrlAuthType",
                    "StringEquals",
                ),
            ] {
                if let Some(v) = p.property(key) {
                    let entry = condition
                        .entry(op.into())
                        .or_insert_with(|| Json::Object(Map::new()));
                    if let Some(m) = entry.as_object_mut() {
                        m.insert(cond.into(), v.clone());
                    }
                }
            }
            let mut statement = crate::json!({
                "Effect": "Allow",
                "Action": p.property("Action").cloned().unwrap_or(Json::Null),
                "Resource": p.property("FunctionName").cloned().unwrap_or(Json::Null),
                "Principal": principal,
            });
            if !condition.is_empty() {
                statement["Condition"] = Json::Object(condition);
            }
            put(
                format!("resource policy of function {}", on("FunctionName")),
                Some(&crate::json!({"Statement": [statement]})),
            );
        }
        _ => {}
    }
    if let Some(Json::Array(inline)) = p.property("Policies") {
        for (i, policy) in inline.iter().enumerate() {
            let name = policy
                .get("PolicyName")
                .and_then(Json::as_str)
                .map_or_else(|| format!("#{i}"), str::to_owned);
            put(
                format!("inline policy {name}"),
                policy.get("PolicyDocument"),
            );
        }
    }
    let resource_policy = matches!(
        type_name,
        "AWS::SQS::QueuePolicy"
            | "AWS::SNS::TopicPolicy"
            | "AWS::SNS::TopicInlinePolicy"
            | "AWS::S3::BucketPolicy"
    );
    if !resource_policy {
        put("PolicyDocument".to_owned(), p.property("PolicyDocument"));
    }
    out
}

/// The statements of a document, each normalized so that order and
/// single-versus-list spelling do not count as changes. A document given
/// as a JSON string is read; statements inside `Fn::If` are taken from
/// both branches and marked with the condition.
fn statements(doc: &Json) -> Vec<Json> {
    let mut out = Vec::new();
    collect_statements(doc, None, &mut out);
    out
}

fn if_branches(v: &Json) -> Option<(&str, [&Json; 2])> {
    let a = v.get("Fn::If")?.as_array()?;
    Some((a.first()?.as_str()?, [a.get(1)?, a.get(2)?]))
}

fn collect_statements(doc: &Json, cond: Option<&str>, out: &mut Vec<Json>) {
    if let Json::String(text) = doc {
        if let Ok(parsed) = serde_json::from_str::<Json>(text) {
            collect_statements(&parsed, cond, out);
        }
        return;
    }
    if let Some((c, branches)) = if_branches(doc) {
        for b in branches {
            collect_statements(b, Some(cond.unwrap_or(c)), out);
        }
        return;
    }
    let list = match doc.get("Statement") {
        Some(Json::Array(items)) => items.as_slice(),
        Some(one) => std::slice::from_ref(one),
        None => &[],
    };
    for item in list {
        push_statement(item, cond, out);
    }
}

fn push_statement(item: &Json, cond: Option<&str>, out: &mut Vec<Json>) {
    if let Some((c, branches)) = if_branches(item) {
        for b in branches {
            push_statement(b, Some(cond.unwrap_or(c)), out);
        }
        return;
    }
    if item.get("Ref").and_then(Json::as_str) == Some("AWS::NoValue") {
        return;
    }
    let mut n = normalize(item);
    if let (Some(c), Some(m)) = (cond, n.as_object_mut()) {
        m.insert("IfCondition".into(), Json::from(c));
    }
    out.push(n);
}

fn as_list(v: Option<&Json>) -> Vec<Json> {
    let mut items = match v {
        Some(Json::Array(items)) => items.clone(),
        Some(one) => vec![one.clone()],
        None => Vec::new(),
    };
    // In the order of their JSON text. A string that needs no escaping
    // (almost all) is its characters between quotes, so a list of such
    // strings is sorted without writing any text; other lists write each
    // item's text once.
    if items.iter().all(|i| plain_text(i).is_some()) {
        fn quoted(v: &Json) -> impl Iterator<Item = u8> + '_ {
            plain_text(v).unwrap_or_default().bytes().chain([b'"'])
        }
        items.sort_by(|a, b| quoted(a).cmp(quoted(b)));
    } else {
        items.sort_by_cached_key(|i| i.to_string());
    }
    items
}

/// A statement's `Condition` as IAM reads it: operators and keys in
/// order, and each key's values a set of strings (IAM compares `true` and
/// `"true"`, `1` and `"1"` alike; `"a"` is `["a"]`). A single value stays
/// a scalar, as most policies write it.
fn condition(c: &Json) -> Json {
    let Json::Object(operators) = c else {
        return c.clone();
    };
    if is_intrinsic_map(operators) {
        return c.clone();
    }
    let as_text = |v: &Json| match v {
        Json::Bool(b) => Json::String(if *b { "true" } else { "false" }.into()),
        Json::Number(n) => Json::String(n.to_string().into()),
        other => other.clone(),
    };
    let mut out: Vec<(Text, Json)> = operators
        .iter()
        .map(|(op, keys)| {
            let keys = match keys {
                Json::Object(keys) if !is_intrinsic_map(keys) => {
                    let mut keys: Vec<(Text, Json)> = keys
                        .iter()
                        .map(|(k, v)| {
                            let mut values = as_list(Some(&match v {
                                Json::Array(items) => {
                                    Json::Array(items.iter().map(as_text).collect())
                                }
                                one => as_text(one),
                            }));
                            values.dedup();
                            let v = match values.len() {
                                1 => values.pop().unwrap_or(Json::Null),
                                _ => Json::Array(values),
                            };
                            (k.clone(), v)
                        })
                        .collect();
                    keys.sort_by(|a, b| a.0.cmp(&b.0));
                    Json::Object(keys.into_iter().collect())
                }
                other => other.clone(),
            };
            (op.clone(), keys)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Json::Object(out.into_iter().collect())
}

/// A string value whose JSON text is its characters between quotes.
fn plain_text(v: &Json) -> Option<&str> {
    v.as_str()
        .filter(|s| !s.bytes().any(|c| c == b'"' || c == b'\\' || c < 0x20))
}

/// `{key: value}`, moving `value` in (`json!` would copy it).
fn one(key: &str, value: Json) -> Json {
    let mut m = Map::with_capacity(1);
    m.insert(key.into(), value);
    Json::Object(m)
}

fn normalize(statement: &Json) -> Json {
    let mut m = Map::with_capacity(6);
    if let Some(v) = statement.get("Effect") {
        m.insert("Effect".into(), v.clone());
    }
    if let Some(c) = statement.get("Condition") {
        m.insert("Condition".into(), condition(c));
    }
    for key in ["Action", "NotAction", "Resource", "NotResource"] {
        let items = as_list(statement.get(key));
        if !items.is_empty() {
            m.insert(key.into(), Json::Array(items));
        }
    }
    let principals: Vec<Json> = match statement.get("Principal") {
        Some(Json::Object(p)) => p
            .iter()
            .flat_map(|(kind, v)| as_list(Some(v)).into_iter().map(move |x| one(kind, x)))
            .collect(),
        Some(other) => vec![other.clone()],
        None => Vec::new(),
    };
    if !principals.is_empty() {
        m.insert("Principal".into(), Json::Array(principals));
    }
    Json::Object(m)
}

/// One permission a statement grants or denies: an effect, an action,
/// a resource, a principal and a condition (`not X` for the Not forms).
/// The parts a statement's atoms share are shared, not copied: a
/// statement of A actions, R resources and P principals makes A × R × P
/// atoms.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Atom<'s> {
    effect: &'s str,
    action: Rc<str>,
    resource: Rc<str>,
    /// What `resource` stands for as an IAM pattern (references to the
    /// stack's resources as ARNs), for finding it inside another.
    pattern: Rc<str>,
    principal: Rc<str>,
    condition: Rc<str>,
}

fn atoms<'s>(statement: &'s Json, side: Side<'_>) -> Vec<Atom<'s>> {
    let effect = statement
        .get("Effect")
        .and_then(Json::as_str)
        .unwrap_or("Allow");
    let text = |v: &Json| -> Rc<str> { v.as_str().map_or_else(|| v.to_string().into(), Rc::from) };
    let axis = |key: &str, not_key: &str| -> Vec<Rc<str>> {
        match (statement.get(key), statement.get(not_key)) {
            (Some(Json::Array(items)), _) => items.iter().map(text).collect(),
            (_, Some(not)) => vec![format!("not {not}").into()],
            _ => vec![Rc::from("")],
        }
    };
    let resources: Vec<(Rc<str>, Rc<str>)> =
        match (statement.get("Resource"), statement.get("NotResource")) {
            (Some(Json::Array(items)), _) => items
                .iter()
                .map(|v| (text(v), Rc::from(side.pattern(v))))
                .collect(),
            (_, Some(not)) => {
                let not: Rc<str> = format!("not {not}").into();
                vec![(not.clone(), not)]
            }
            _ => vec![(Rc::from(""), Rc::from(""))],
        };
    let mut condition = statement
        .get("Condition")
        .map_or_else(String::new, |c| c.to_string());
    if let Some(c) = statement.get("IfCondition") {
        condition.push_str(&format!(" if {c}"));
    }
    let condition: Rc<str> = condition.into();
    let principals = axis("Principal", "NotPrincipal");
    let mut out = Vec::new();
    for action in axis("Action", "NotAction") {
        let action: Rc<str> = action.to_ascii_lowercase().into();
        for (resource, pattern) in &resources {
            for principal in &principals {
                out.push(Atom {
                    effect,
                    action: action.clone(),
                    resource: resource.clone(),
                    pattern: pattern.clone(),
                    principal: principal.clone(),
                    condition: condition.clone(),
                });
            }
        }
    }
    out
}

/// Whether the permission `wide` includes `narrow`.
fn atom_covers(wide: &Atom<'_>, narrow: &Atom<'_>) -> bool {
    let any_principal = |p: &str| p == "\"*\"" || p == "*" || p == r#"{"AWS":"*"}"#;
    wide.effect == narrow.effect
        && (wide.action == narrow.action
            || (!wide.action.starts_with("not ")
                && !narrow.action.starts_with("not ")
                && glob_covers(&wide.action, &narrow.action)))
        && (wide.resource == narrow.resource
            || (!wide.resource.starts_with("not ")
                && !narrow.resource.starts_with("not ")
                && glob_covers(&wide.resource, &narrow.pattern)))
        && (wide.principal == narrow.principal || any_principal(&wide.principal))
        && (wide.condition == narrow.condition || wide.condition.is_empty())
}

/// Whether the permissions `wide` include `narrow`: one of them does, or
/// `narrow`'s action is a wildcard over a service whose every action is
/// known, and each action it matches is included.
fn covered(wide: &[Atom<'_>], narrow: &Atom<'_>) -> bool {
    if wide.iter().any(|w| atom_covers(w, narrow)) {
        return true;
    }
    let Some((service, _)) = narrow.action.split_once(':') else {
        return false;
    };
    if !narrow.action.contains(['*', '?']) || service.contains(['*', '?']) {
        return false;
    }
    let Some(actions) = managed::service_actions(service) else {
        return false;
    };
    actions
        .iter()
        .map(|a| a.to_ascii_lowercase())
        .filter(|a| glob_covers(&narrow.action, a))
        .all(|action| {
            let one = Atom {
                action: action.into(),
                ..narrow.clone()
            };
            wide.iter().any(|w| atom_covers(w, &one))
        })
}

/// True when `new` allows something `old` did not, or denies less.
fn widens(old: &[Json], new: &[Json], (old_side, new_side): (Side, Side)) -> bool {
    if eq::equal_slices(old, new) {
        return false;
    }
    let (before, after): (Vec<Atom>, Vec<Atom>) = (
        old.iter().flat_map(|s| atoms(s, old_side)).collect(),
        new.iter().flat_map(|s| atoms(s, new_side)).collect(),
    );
    let (before_set, after_set): (BTreeSet<&Atom>, BTreeSet<&Atom>) =
        (before.iter().collect(), after.iter().collect());
    after
        .iter()
        .filter(|a| a.effect == "Allow" && !before_set.contains(a))
        .any(|a| !covered(&before, a))
        || before
            .iter()
            .filter(|b| b.effect == "Deny" && !after_set.contains(b))
            .any(|b| !covered(&after, b))
}

fn diff_statements(
    id: &str,
    policy: &str,
    old: &[Json],
    new: &[Json],
    out: &mut Vec<StatementChange>,
) {
    let strings = |v: Option<&Json>| -> Vec<String> {
        v.and_then(Json::as_array)
            .map(|a| {
                a.iter()
                    .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let emit = |s: &Json, change: Change| -> StatementChange {
        StatementChange {
            resource: id.to_owned(),
            policy: policy.to_owned(),
            change,
            effect: s
                .get("Effect")
                .and_then(Json::as_str)
                .unwrap_or("Allow")
                .to_owned(),
            actions: strings(s.get("Action")),
            removed_actions: Vec::new(),
            not_actions: strings(s.get("NotAction")),
            resources: s
                .get("Resource")
                .and_then(Json::as_array)
                .cloned()
                .unwrap_or_default(),
            principals: s
                .get("Principal")
                .and_then(Json::as_array)
                .cloned()
                .unwrap_or_default(),
            condition: s.get("Condition").cloned(),
            conditional: s
                .get("IfCondition")
                .and_then(Json::as_str)
                .map(str::to_owned),
        }
    };
    let within = |list: &[Json], s: &Json| list.iter().any(|x| eq::equal(x, s));
    let mut added: Vec<&Json> = new.iter().filter(|s| !within(old, s)).collect();
    let mut removed: Vec<&Json> = old.iter().filter(|s| !within(new, s)).collect();
    // A statement whose only difference is its actions is one change.
    let mut i = 0;
    while i < removed.len() {
        let same_but_actions = |a: &Json, b: &Json| {
            let (Some(x), Some(y)) = (a.as_object(), b.as_object()) else {
                return false;
            };
            x.get("Action").is_some()
                && y.get("Action").is_some()
                && x.len() == y.len()
                && x.iter()
                    .filter(|(k, _)| *k != "Action")
                    .all(|(k, v)| y.get(k).is_some_and(|w| eq::equal(v, w)))
        };
        match added.iter().position(|a| same_but_actions(removed[i], a)) {
            Some(j) => {
                let (o, n) = (removed.remove(i), added.remove(j));
                let (old_actions, new_actions) =
                    (strings(o.get("Action")), strings(n.get("Action")));
                let mut change = emit(n, Change::Modify);
                change.actions = new_actions
                    .iter()
                    .filter(|a| !old_actions.contains(a))
                    .cloned()
                    .collect();
                change.removed_actions = old_actions
                    .into_iter()
                    .filter(|a| !new_actions.contains(a))
                    .collect();
                out.push(change);
            }
            None => i += 1,
        }
    }
    out.extend(added.into_iter().map(|s| emit(s, Change::Add)));
    out.extend(removed.into_iter().map(|s| emit(s, Change::Remove)));
}

/// What a resource attaches: managed policies (roles, users, groups,
/// SSO permission sets), permissions boundaries, and for a policy
/// resource the roles, users and groups it is attached to.
fn attachments(resource: Option<Resource>) -> Vec<Json> {
    let Some((type_name, p)) = props(resource) else {
        return Vec::new();
    };
    let mut out = as_list(p.property("ManagedPolicyArns"));
    out.extend(as_list(p.property("ManagedPolicies")));
    for r in as_list(p.property("CustomerManagedPolicyReferences")) {
        out.push(one("CustomerManagedPolicy", r));
    }
    if let Some(b) = p.property("PermissionsBoundary") {
        out.push(one("PermissionsBoundary", b.clone()));
    }
    if matches!(type_name, "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy") {
        for (key, kind) in [("Roles", "Role"), ("Users", "User"), ("Groups", "Group")] {
            for target in as_list(p.property(key)) {
                out.push(one("AttachedTo", one(kind, target)));
            }
        }
    }
    out
}

/// Whether the rule `wide` allows all that `narrow` does: same group and
/// direction, its protocol (or all), its ports, and a peer network that
/// contains the other's.
fn covers(wide: &RuleChange, narrow: &RuleChange) -> bool {
    if group_key(&wide.group) != group_key(&narrow.group) || wide.direction != narrow.direction {
        return false;
    }
    if wide.protocol != "all" && wide.protocol != narrow.protocol {
        return false;
    }
    let range = |p: &str| -> Option<(i64, i64)> {
        if p == "all" {
            return Some((i64::MIN, i64::MAX));
        }
        match p.split_once('-') {
            Some((a, b)) if !a.is_empty() => Some((a.parse().ok()?, b.parse().ok()?)),
            _ => p.parse().ok().map(|x| (x, x)),
        }
    };
    let ports_inside = wide.protocol == "all"
        || wide.ports == narrow.ports
        || matches!((range(&wide.ports), range(&narrow.ports)), (Some((a, b)), Some((c, d))) if a <= c && d <= b);
    ports_inside && peer_covers(&wide.peer, &narrow.peer)
}

/// The group a rule belongs to, however named: `Sg` for a group's own
/// rules, `!Ref Sg` or `!GetAtt Sg.GroupId` for a separate rule.
fn group_key(group: &str) -> &str {
    if let Some(id) = group.strip_prefix("!Ref ") {
        return id;
    }
    if let Some(id) = group
        .strip_prefix("!GetAtt ")
        .and_then(|g| g.strip_suffix(".GroupId"))
    {
        return id;
    }
    group
}

/// The types [`rule_group`] places in a group.
const RULE_TYPES: &[&str] = &[
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::SecurityGroupEgress",
];

/// The group whose rules a resource holds, as [`group_key`] names it.
fn rule_group(id: &str, resource: Resource) -> Option<String> {
    match resource.type_name()? {
        "AWS::EC2::SecurityGroup" => Some(id.to_owned()),
        "AWS::EC2::SecurityGroupIngress" | "AWS::EC2::SecurityGroupEgress" => {
            let group = resource.property("GroupId");
            let named = group.and_then(|g| {
                g.get("Ref")
                    .or_else(|| g.get("Fn::GetAtt").and_then(|a| a.get(0)))
                    .and_then(Json::as_str)
            });
            Some(match (named, group) {
                (Some(id), _) => id.to_owned(),
                (None, Some(g)) => group_key(&crate::render::short(g)).to_owned(),
                (None, None) => id.to_owned(),
            })
        }
        _ => None,
    }
}

fn peer_covers(wide: &Json, narrow: &Json) -> bool {
    if wide == narrow {
        return true;
    }
    let cidr = |p: &Json| -> Option<(std::net::IpAddr, u8)> {
        let (_, v) = p
            .as_object()?
            .iter()
            .find(|(k, _)| k.starts_with("CidrIp"))?;
        parse_cidr(v.as_str()?)
    };
    match (cidr(wide), cidr(narrow)) {
        (Some(w), Some(n)) => cidr_contains(w, n),
        // The whole internet includes a security group's members and a
        // prefix list's ranges.
        (Some((_, 0)), None) => !narrow.is_null(),
        _ => false,
    }
}

/// `10.0.0.0/8`, `::/0`: the address and prefix length.
pub fn parse_cidr(text: &str) -> Option<(std::net::IpAddr, u8)> {
    let (addr, len) = text.trim().split_once('/')?;
    let addr: std::net::IpAddr = addr.parse().ok()?;
    let len: u8 = len.parse().ok()?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    (len <= max).then_some((addr, len))
}

/// Whether a CIDR is the whole internet (`/0`, IPv4 or IPv6, any spelling).
pub fn is_world(text: &str) -> bool {
    parse_cidr(text).is_some_and(|(_, len)| len == 0)
}

fn cidr_contains(wide: (std::net::IpAddr, u8), narrow: (std::net::IpAddr, u8)) -> bool {
    use std::net::IpAddr;
    let bits = |a: IpAddr| -> u128 {
        match a {
            IpAddr::V4(v) => u128::from(u32::from(v)) << 96,
            IpAddr::V6(v) => u128::from(v),
        }
    };
    if wide.0.is_ipv4() != narrow.0.is_ipv4() || wide.1 > narrow.1 {
        return false;
    }
    // IPv4 addresses sit in the top 32 bits, so a prefix counts from the top.
    let len = u32::from(wide.1);
    if len == 0 {
        return true;
    }
    let mask = if len >= 128 {
        u128::MAX
    } else {
        !(u128::MAX >> len)
    };
    bits(wide.0) & mask == bits(narrow.0) & mask
}

fn rules(id: &str, resource: Option<Resource>) -> Vec<RuleChange> {
    let Some((type_name, p)) = props(resource) else {
        return Vec::new();
    };
    // A rule's fields: an object in a group's list, or the properties of
    // an ingress or egress resource.
    fn rule<'r>(
        group: String,
        direction: &str,
        r: &dyn Fn(&str) -> Option<&'r Json>,
    ) -> RuleChange {
        let protocol = r("IpProtocol").map_or_else(String::new, |v| match v {
            Json::String(s) if s == "-1" => "all".to_owned(),
            Json::String(s) => s.to_string(),
            other => other.to_string(),
        });
        let port = |k: &str| {
            r(k).map(|v| match v {
                Json::String(s) => s.trim_matches('"').to_owned(),
                Json::Number(n) => n.to_string(),
                other => other.to_string().trim_matches('"').to_owned(),
            })
        };
        let ports = match (port("FromPort"), port("ToPort")) {
            _ if protocol == "all" => "all".to_owned(),
            (Some(a), Some(b)) if a == b => a,
            (Some(a), Some(b)) => format!("{a}-{b}"),
            (Some(a), None) | (None, Some(a)) => a,
            (None, None) => "all".to_owned(),
        };
        let peer = [
            "CidrIp",
            "CidrIpv6",
            "SourceSecurityGroupId",
            "SourceSecurityGroupName",
            "DestinationSecurityGroupId",
            "SourcePrefixListId",
            "DestinationPrefixListId",
        ]
        .iter()
        .find_map(|k| r(k).map(|v| one(k, v.clone())))
        .unwrap_or(Json::Null);
        RuleChange {
            group,
            direction: direction.to_owned(),
            change: Change::Add,
            protocol,
            ports,
            peer,
            description: r("Description").and_then(Json::as_str).map(str::to_owned),
        }
    }
    let mut out = Vec::new();
    match type_name {
        "AWS::EC2::SecurityGroup" => {
            for (key, direction) in [
                ("SecurityGroupIngress", "ingress"),
                ("SecurityGroupEgress", "egress"),
            ] {
                if let Some(Json::Array(items)) = p.property(key) {
                    out.extend(
                        items
                            .iter()
                            .filter_map(Json::as_object)
                            .map(|r| rule(id.to_owned(), direction, &|k| r.get(k))),
                    );
                }
            }
        }
        "AWS::EC2::SecurityGroupIngress" | "AWS::EC2::SecurityGroupEgress" => {
            let group = p
                .property("GroupId")
                .map_or_else(|| id.to_owned(), crate::render::short);
            let direction = if type_name.ends_with("Ingress") {
                "ingress"
            } else {
                "egress"
            };
            out.push(rule(group, direction, &|k| p.property(k)));
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    #[test]
    fn conditions_compare_as_iam_reads_them() {
        let a = condition(&json!({
            "StringEquals": {"aws:SourceAccount": ["2", "1", "1"], "s3:prefix": "x"},
            "Bool": {"aws:SecureTransport": false},
            "NumericLessThan": {"s3:max-keys": 10}
        }));
        let b = condition(&json!({
            "Bool": {"aws:SecureTransport": "false"},
            "NumericLessThan": {"s3:max-keys": "10"},
            "StringEquals": {"s3:prefix": ["x"], "aws:SourceAccount": ["1", "2"]}
        }));
        assert_eq!(a.to_string(), b.to_string());
        // Another value, or a value of a reference, is another condition.
        let c = condition(&json!({"Bool": {"aws:SecureTransport": true}}));
        assert_ne!(
            c.to_string(),
            condition(&json!({"Bool": {"aws:SecureTransport": false}})).to_string()
        );
        let r = json!({"StringEquals": {"aws:SourceArn": {"Ref": "Topic"}}});
        assert_eq!(condition(&r), r);
    }

    #[test]
    fn lists_sort_as_their_json_text_does() {
        let items = json!([
            "a", "a!", "a b", "ab", "a\"q", "a\\b", "a\u{1}", "", "Z", "é",
            {"Fn::GetAtt": ["A", "Arn"]}, {"Ref": "B"}, 3, "s3:*", "s3:Get*"
        ]);
        let mut by_text = items.as_array().cloned().unwrap_or_default();
        by_text.sort_by_cached_key(|i| i.to_string());
        assert_eq!(as_list(Some(&items)), by_text);
    }

    fn role(statements: Json, managed: Json) -> Json {
        json!({"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "eks.amazonaws.com"}}]},
            "Policies": [{"PolicyName": "P", "PolicyDocument": {"Statement": statements}}],
            "ManagedPolicyArns": managed
        }})
    }

    fn one(id: &str, r: Json) -> Map {
        let mut m = Map::new();
        m.insert(id.into(), r);
        m
    }

    #[test]
    fn reordering_and_spelling_are_not_changes() {
        let a = one(
            "R",
            role(
                json!([{"Effect": "Allow", "Action": ["b:B", "a:A"], "Resource": "*"}]),
                json!(["x", "y"]),
            ),
        );
        let b = one(
            "R",
            role(
                json!({"Effect": "Allow", "Action": ["a:A", "b:B"], "Resource": ["*"]}),
                json!(["y", "x"]),
            ),
        );
        assert!(changes(&a, &b).is_empty());
    }

    #[test]
    fn added_allow_and_attachment_broaden_removed_allow_does_not() {
        let base = one(
            "R",
            role(
                json!([{"Effect": "Allow", "Action": "a:A", "Resource": "*"}]),
                json!([]),
            ),
        );
        let wider = one(
            "R",
            role(
                json!([{"Effect": "Allow", "Action": ["a:A", "b:B"], "Resource": "*"}]),
                json!([]),
            ),
        );
        let c = changes(&base, &wider);
        assert_eq!(c.statements.len(), 1, "one statement, modified");
        assert_eq!(
            (c.statements[0].change, c.statements[0].actions.clone()),
            (Change::Modify, vec!["b:B".to_string()])
        );
        assert!(c.is_broadening());
        let narrowed = changes(&wider, &base);
        assert_eq!(narrowed.statements[0].removed_actions, ["b:B"]);
        assert!(!narrowed.is_broadening(), "narrowing is not broadening");
        let attached = one(
            "R",
            role(
                json!([{"Effect": "Allow", "Action": "a:A", "Resource": "*"}]),
                json!(["arn:p"]),
            ),
        );
        let c = changes(&base, &attached);
        assert_eq!(
            c.managed_policies,
            vec![AttachmentChange {
                resource: "R".into(),
                change: Change::Add,
                policy: json!("arn:p")
            }]
        );
        assert!(c.is_broadening());
        assert!(!changes(&attached, &base).is_broadening());
    }

    #[test]
    fn removing_a_deny_broadens() {
        let deny = one(
            "R",
            role(
                json!([{"Effect": "Deny", "Action": "a:A", "Resource": "*"}]),
                json!([]),
            ),
        );
        let none = one("R", role(json!([]), json!([])));
        assert!(changes(&deny, &none).is_broadening());
        assert!(!changes(&none, &deny).is_broadening());
    }

    #[test]
    fn new_trusted_principals_broaden() {
        let mut trusted = role(json!([]), json!([]));
        trusted["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] =
            json!({"Service": "eks.amazonaws.com", "AWS": "arn:aws:iam::111111111111:root"});
        let c = changes(&one("R", role(json!([]), json!([]))), &one("R", trusted));
        assert!(c.is_broadening());
        assert_eq!(c.statements[0].policy, "trust policy");
    }

    #[test]
    fn security_group_rules_by_direction_protocol_ports_and_peer() {
        let sg = |rules: Json| {
            one(
                "Sg",
                json!({"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "d", "SecurityGroupIngress": rules}}),
            )
        };
        let https =
            json!({"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "10.0.0.0/16"});
        let ssh = json!({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0", "Description": "ssh"});
        let c = changes(&sg(json!([https])), &sg(json!([https, ssh])));
        assert_eq!(c.security_group_rules.len(), 1);
        let r = &c.security_group_rules[0];
        assert_eq!(
            (r.direction.as_str(), r.protocol.as_str(), r.ports.as_str()),
            ("ingress", "tcp", "22")
        );
        assert_eq!(r.peer, json!({"CidrIp": "0.0.0.0/0"}));
        assert!(c.is_broadening());
        assert!(!changes(&sg(json!([https, ssh])), &sg(json!([https]))).is_broadening());
    }
}
