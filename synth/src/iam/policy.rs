//! IAM policy documents as data: statements, principals and conditions,
//! rendered to the JSON IAM expects. No JSON strings in user code.

use indexmap::IndexMap;

use crate::fns;
use crate::value::{Json, Val, Value};

/// The policy language version every document declares.
pub const POLICY_VERSION: &str = "2012-10-17";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

/// Who a statement applies to, in trust and resource policies.
#[derive(Clone, Debug, PartialEq)]
pub enum Principal {
    /// An AWS account (its root, meaning any principal the account allows).
    Account(Val<String>),
    /// An IAM role, user or other principal by ARN.
    Arn(Val<String>),
    /// An AWS service, `eks.amazonaws.com`.
    Service(String),
    /// An AWS service known by a regional name, `logs.<region>.amazonaws.com`
    /// in the stack's region: holds the prefix (`logs`).
    RegionalService(String),
    /// An identity provider's ARN (OIDC or SAML), for web identity.
    Federated(Val<String>),
    /// Everyone (`"*"`); use with conditions.
    Anyone,
}

impl Principal {
    /// An account by ID, rendered as `arn:<partition>:iam::<id>:root`.
    pub fn account(id: impl Into<Val<String>>) -> Self {
        Principal::Account(id.into())
    }

    pub fn service(name: impl Into<String>) -> Self {
        Principal::Service(name.into())
    }

    pub fn arn(arn: impl Into<Val<String>>) -> Self {
        Principal::Arn(arn.into())
    }

    /// A service principal named per region, `<prefix>.<region>.amazonaws.com`
    /// in the stack's region (CloudWatch Logs' `logs.<region>.amazonaws.com`).
    pub fn regional_service(prefix: impl Into<String>) -> Self {
        Principal::RegionalService(prefix.into())
    }

    pub fn federated(provider_arn: impl Into<Val<String>>) -> Self {
        Principal::Federated(provider_arn.into())
    }

    fn key(&self) -> &'static str {
        match self {
            Principal::Account(_) | Principal::Arn(_) | Principal::Anyone => "AWS",
            Principal::Service(_) | Principal::RegionalService(_) => "Service",
            Principal::Federated(_) => "Federated",
        }
    }

    fn value(&self) -> Value {
        match self {
            Principal::Account(id) => match id.value() {
                Value::String(s) => {
                    fns::sub(format!("arn:${{AWS::Partition}}:iam::{s}:root")).into()
                }
                other => fns::sub_with(
                    "arn:${AWS::Partition}:iam::${Account}:root",
                    [("Account", Val::<String>::from_value(other.clone()))],
                )
                .into(),
            },
            Principal::Arn(v) | Principal::Federated(v) => v.value().clone(),
            Principal::Service(s) => Value::from(s.as_str()),
            Principal::RegionalService(prefix) => {
                fns::sub(format!("{prefix}.${{AWS::Region}}.amazonaws.com")).into()
            }
            Principal::Anyone => Value::from("*"),
        }
    }
}

/// One condition: operator, key and the values any of which may match.
#[derive(Clone, Debug, PartialEq)]
pub struct ConditionEntry {
    pub operator: String,
    pub key: String,
    pub values: Vec<Val<String>>,
}

/// A policy statement. Start with [`Statement::allow`] or [`Statement::deny`].
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    pub sid: Option<String>,
    pub effect: Effect,
    pub actions: Vec<String>,
    pub not_actions: Vec<String>,
    pub resources: Vec<Val<String>>,
    pub not_resources: Vec<Val<String>>,
    pub principals: Vec<Principal>,
    pub conditions: Vec<ConditionEntry>,
}

impl Statement {
    pub fn allow() -> Self {
        Statement::new(Effect::Allow)
    }

    pub fn deny() -> Self {
        Statement::new(Effect::Deny)
    }

    fn new(effect: Effect) -> Self {
        Statement {
            sid: None,
            effect,
            actions: Vec::new(),
            not_actions: Vec::new(),
            resources: Vec::new(),
            not_resources: Vec::new(),
            principals: Vec::new(),
            conditions: Vec::new(),
        }
    }

    /// A statement ID, unique within the document. Default: none.
    pub fn sid(mut self, sid: impl Into<String>) -> Self {
        self.sid = Some(sid.into());
        self
    }

    /// Adds actions (`service:Action`, wildcards allowed); duplicates are
    /// dropped and the first order kept. Default: none (a statement needs
    /// actions or not-actions).
    pub fn actions<S: Into<String>>(mut self, actions: impl IntoIterator<Item = S>) -> Self {
        for a in actions {
            let a = a.into();
            if !self.actions.contains(&a) {
                self.actions.push(a);
            }
        }
        self
    }

    /// One action; see [`Statement::actions`].
    pub fn action(self, action: impl Into<String>) -> Self {
        self.actions([action])
    }

    /// `NotAction`: every action but these. Default: none.
    pub fn not_actions<S: Into<String>>(mut self, actions: impl IntoIterator<Item = S>) -> Self {
        self.not_actions.extend(actions.into_iter().map(Into::into));
        self
    }

    /// One resource ARN. Default: none (an identity policy statement
    /// needs resources).
    pub fn resource(mut self, arn: impl Into<Val<String>>) -> Self {
        self.resources.push(arn.into());
        self
    }

    /// Resource ARNs. Default: none.
    pub fn resources<V: Into<Val<String>>>(mut self, arns: impl IntoIterator<Item = V>) -> Self {
        self.resources.extend(arns.into_iter().map(Into::into));
        self
    }

    /// Every resource (`"*"`).
    pub fn any_resource(self) -> Self {
        self.resource("*")
    }

    /// `NotResource`: every resource but these. Default: none.
    pub fn not_resources<V: Into<Val<String>>>(
        mut self,
        arns: impl IntoIterator<Item = V>,
    ) -> Self {
        self.not_resources.extend(arns.into_iter().map(Into::into));
        self
    }

    /// Who the statement applies to, in trust and resource policies.
    /// Default: none.
    pub fn principal(mut self, principal: Principal) -> Self {
        if !self.principals.contains(&principal) {
            self.principals.push(principal);
        }
        self
    }

    /// A condition, e.g. `condition("StringEquals", "sts:ExternalId", [id])`.
    /// Default: unconditional.
    pub fn condition<V: Into<Val<String>>>(
        mut self,
        operator: impl Into<String>,
        key: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        self.conditions.push(ConditionEntry {
            operator: operator.into(),
            key: key.into(),
            values: values.into_iter().map(Into::into).collect(),
        });
        self
    }

    /// What is wrong with the statement, if anything. `in_trust` tells
    /// whether it belongs to a trust (resource) policy, which needs
    /// principals, or an identity policy, which must not have them.
    pub fn problems(&self, in_trust: bool) -> Vec<String> {
        let mut out = Vec::new();
        let label = self
            .sid
            .as_deref()
            .map_or_else(String::new, |s| format!("statement {s}: "));
        match (self.actions.is_empty(), self.not_actions.is_empty()) {
            (true, true) => out.push(format!("{label}a statement needs actions (or not-actions)")),
            (false, false) => out.push(format!(
                "{label}a statement cannot have both actions and not-actions"
            )),
            _ => {}
        }
        for a in self.actions.iter().chain(&self.not_actions) {
            if !valid_action(a) {
                out.push(format!(
                    "{label}action {a:?} is not of the form service:Action"
                ));
            }
        }
        if in_trust {
            if self.principals.is_empty() {
                out.push(format!("{label}a trust policy statement needs a principal"));
            }
        } else {
            if !self.principals.is_empty() {
                out.push(format!(
                    "{label}an identity policy statement cannot name principals"
                ));
            }
            if self.resources.is_empty() && self.not_resources.is_empty() {
                out.push(format!(
                    "{label}a statement needs resources (use any_resource() for \"*\")"
                ));
            }
        }
        if !self.resources.is_empty() && !self.not_resources.is_empty() {
            out.push(format!(
                "{label}a statement cannot have both resources and not-resources"
            ));
        }
        out
    }

    fn to_value(&self) -> Value {
        let mut s = Value::map();
        if let Some(sid) = &self.sid {
            s = s.with("Sid", sid.as_str());
        }
        s = s.with(
            "Effect",
            match self.effect {
                Effect::Allow => "Allow",
                Effect::Deny => "Deny",
            },
        );
        if !self.principals.is_empty() {
            let mut grouped: IndexMap<&str, Vec<Value>> = IndexMap::new();
            for p in &self.principals {
                grouped.entry(p.key()).or_default().push(p.value());
            }
            if grouped.len() == 1 && matches!(self.principals[..], [Principal::Anyone]) {
                s = s.with("Principal", "*");
            } else {
                let mut principal = Value::map();
                for (k, vs) in grouped {
                    principal = principal.with(k, one_or_list(vs));
                }
                s = s.with("Principal", principal);
            }
        }
        let strings =
            |xs: &[String]| one_or_list(xs.iter().map(|x| Value::from(x.as_str())).collect());
        let vals = |xs: &[Val<String>]| one_or_list(xs.iter().map(|x| x.value().clone()).collect());
        if !self.actions.is_empty() {
            s = s.with("Action", strings(&self.actions));
        }
        if !self.not_actions.is_empty() {
            s = s.with("NotAction", strings(&self.not_actions));
        }
        if !self.resources.is_empty() {
            s = s.with("Resource", vals(&self.resources));
        }
        if !self.not_resources.is_empty() {
            s = s.with("NotResource", vals(&self.not_resources));
        }
        if !self.conditions.is_empty() {
            let mut ops: IndexMap<&str, Value> = IndexMap::new();
            for c in &self.conditions {
                let entry = ops.entry(c.operator.as_str()).or_insert_with(Value::map);
                let value = vals(&c.values);
                *entry = std::mem::replace(entry, Value::Null).with(c.key.as_str(), value);
            }
            let mut condition = Value::map();
            for (op, v) in ops {
                condition = condition.with(op, v);
            }
            s = s.with("Condition", condition);
        }
        s
    }
}

fn one_or_list(mut items: Vec<Value>) -> Value {
    if items.len() == 1 {
        items.remove(0)
    } else {
        Value::List(items)
    }
}

fn valid_action(action: &str) -> bool {
    if action == "*" {
        return true;
    }
    let Some((service, name)) = action.split_once(':') else {
        return false;
    };
    !service.is_empty()
        && service
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '*' || c == '?')
}

/// A policy document: a list of statements.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PolicyDocument {
    pub statements: Vec<Statement>,
}

impl PolicyDocument {
    pub fn new() -> Self {
        PolicyDocument::default()
    }

    pub fn statement(mut self, statement: Statement) -> Self {
        self.statements.push(statement);
        self
    }

    pub fn push(&mut self, statement: Statement) {
        self.statements.push(statement);
    }

    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }

    /// Every problem of every statement, plus duplicate statement IDs.
    pub fn problems(&self, in_trust: bool) -> Vec<String> {
        let mut out: Vec<String> = self
            .statements
            .iter()
            .flat_map(|s| s.problems(in_trust))
            .collect();
        let mut sids: Vec<&str> = self
            .statements
            .iter()
            .filter_map(|s| s.sid.as_deref())
            .collect();
        sids.sort_unstable();
        for pair in sids.windows(2) {
            if pair[0] == pair[1] {
                out.push(format!("statement ID {} is used twice", pair[0]));
            }
        }
        if self.statements.is_empty() {
            out.push("a policy document needs at least one statement".into());
        }
        out
    }

    pub fn to_value(&self) -> Value {
        Value::map().with("Version", POLICY_VERSION).with(
            "Statement",
            Value::List(self.statements.iter().map(Statement::to_value).collect()),
        )
    }
}

impl From<PolicyDocument> for Val<Json> {
    fn from(doc: PolicyDocument) -> Self {
        Val::from_value(doc.to_value())
    }
}

impl From<&PolicyDocument> for Val<Json> {
    fn from(doc: &PolicyDocument) -> Self {
        Val::from_value(doc.to_value())
    }
}

/// Partition-aware ARNs of common IAM things, for policies that must work
/// in every partition (`aws`, `aws-cn`, `aws-us-gov`).
pub mod arn {
    use crate::fns;
    use crate::value::Val;

    /// `arn:<partition>:iam::aws:policy/<name>`: an AWS managed policy.
    pub fn aws_managed_policy(name: &str) -> Val<String> {
        fns::sub(format!("arn:${{AWS::Partition}}:iam::aws:policy/{name}"))
    }

    /// `arn:<partition>:iam::<this account>:role/<name>`; wildcards allowed.
    pub fn role_in_this_account(name: &str) -> Val<String> {
        fns::sub(format!(
            "arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/{name}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    fn json(v: Value) -> String {
        format!("{v:?}")
    }

    #[test]
    fn single_values_render_as_scalars_and_many_as_lists() {
        let doc = PolicyDocument::new().statement(
            Statement::allow()
                .actions(["sts:AssumeRole", "sts:AssumeRole"])
                .principal(Principal::service("eks.amazonaws.com")),
        );
        let v = doc.to_value();
        let Value::Map(m) = &v else { panic!() };
        assert_eq!(m["Version"], Value::from("2012-10-17"));
        let Value::List(st) = &m["Statement"] else {
            panic!()
        };
        let Value::Map(s) = &st[0] else { panic!() };
        assert_eq!(s["Action"], Value::from("sts:AssumeRole"));
        assert_eq!(
            s["Principal"],
            Value::map().with("Service", "eks.amazonaws.com")
        );
        assert!(json(v).contains("Allow"));
    }

    #[test]
    fn conditions_group_by_operator() {
        let s = Statement::allow()
            .action("sts:AssumeRoleWithWebIdentity")
            .principal(Principal::federated(
                "arn:aws:iam::1:oidc-provider/gitlab.com",
            ))
            .condition("StringEquals", "gitlab.com:aud", ["https://gitlab.com"])
            .condition(
                "StringLike",
                "gitlab.com:sub",
                ["project_path:g/p:ref_type:branch:ref:region/*"],
            )
            .condition(
                "StringEquals",
                "aws:RequestedRegion",
                ["us-east-2", "eu-west-1"],
            );
        let Value::Map(m) = s.to_value() else {
            panic!()
        };
        let Value::Map(c) = &m["Condition"] else {
            panic!()
        };
        assert_eq!(c.keys().collect::<Vec<_>>(), ["StringEquals", "StringLike"]);
        let Value::Map(eq) = &c["StringEquals"] else {
            panic!()
        };
        assert_eq!(
            eq["aws:RequestedRegion"],
            Value::list(["us-east-2", "eu-west-1"])
        );
    }

    #[test]
    fn statements_are_checked_for_their_policy_kind() {
        let identity = Statement::allow().action("s3:GetObject");
        assert!(identity
            .problems(false)
            .iter()
            .any(|p| p.contains("needs resources")));
        assert!(identity
            .problems(true)
            .iter()
            .any(|p| p.contains("needs a principal")));
        let bad = Statement::deny().action("not an action").any_resource();
        assert!(bad.problems(false)[0].contains("not of the form service:Action"));
        let with_principal = Statement::allow()
            .action("s3:*")
            .any_resource()
            .principal(Principal::Anyone);
        assert!(with_principal.problems(false)[0].contains("cannot name principals"));
        assert!(PolicyDocument::new().problems(false)[0].contains("at least one statement"));
        let dup = PolicyDocument::new()
            .statement(Statement::allow().sid("A").action("s3:*").any_resource())
            .statement(Statement::allow().sid("A").action("s3:*").any_resource());
        assert!(dup.problems(false).iter().any(|p| p.contains("used twice")));
    }

    #[test]
    fn account_principals_are_partition_aware() {
        let v = Principal::account("123456789012").value();
        assert_eq!(
            v,
            fns::sub("arn:${AWS::Partition}:iam::123456789012:root").into_value()
        );
    }
}
