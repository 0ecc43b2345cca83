//! IAM constructs: roles, users, access keys, managed policies and
//! instance profiles, built from typed policy documents.
//!
//! ```
//! use synth::prelude::*;
//! use synth::iam::{Principal, Role, ManagedPolicyRef};
//!
//! let mut app = App::new();
//! let stack = app.stack("Iam");
//! let role = stack.add(
//!     "ClusterRole",
//!     Role::assumed_by(Principal::service("eks.amazonaws.com"))
//!         .managed_policy(ManagedPolicyRef::aws("AmazonEKSClusterPolicy")),
//! );
//! stack.output("RoleArn", role.arn());
//! app.synth().expect("valid");
//! ```
//!
//! Roles, users and managed policies made elsewhere are used by ID wherever
//! a built one is accepted (`Role::from_arn`, `User::from_name`,
//! `ManagedPolicy::from_arn`); permissions are added after building with a
//! [`Policy`] attached to them:
//!
//! ```
//! use synth::prelude::*;
//! use synth::iam::{Policy, PolicyDocument, Role, Statement};
//!
//! let mut app = App::new();
//! let stack = app.stack("Iam");
//! let ci = Role::from_name("gitlab-ci");
//! stack.add(
//!     "ReadLogs",
//!     Policy::builder(PolicyDocument::new().statement(
//!         Statement::allow().action("logs:GetLogEvents").any_resource(),
//!     ))
//!     .attach_to_role(&ci),
//! );
//! app.synth().expect("valid");
//! ```

mod policy;

pub use policy::{
    arn, ConditionEntry, Effect, PolicyDocument, Principal, Statement, POLICY_VERSION,
};

use crate::aws::iam as cfn;
use crate::construct::{Construct, HasNode};
use crate::element_ids::NodeId;
use crate::fns;
use crate::resource::Handle;
use crate::stack::Scope;
use crate::value::Val;

/// A managed policy to attach: AWS managed by name, or any policy by ARN.
#[derive(Clone, Debug, PartialEq)]
pub enum ManagedPolicyRef {
    /// An AWS managed policy, by its name or `path/name`
    /// (`service-role/AmazonEBSCSIDriverPolicy`).
    Aws(String),
    /// A customer managed policy or any policy by ARN.
    Arn(Val<String>),
}

impl ManagedPolicyRef {
    pub fn aws(name: impl Into<String>) -> Self {
        ManagedPolicyRef::Aws(name.into())
    }

    pub fn arn(arn: impl Into<Val<String>>) -> Self {
        ManagedPolicyRef::Arn(arn.into())
    }

    /// The policy's partition-aware ARN.
    pub fn to_arn(&self) -> Val<String> {
        match self {
            ManagedPolicyRef::Aws(name) => arn::aws_managed_policy(name),
            ManagedPolicyRef::Arn(arn) => arn.clone(),
        }
    }

    /// The AWS managed policy's name without its path, if it is one.
    pub fn aws_name(&self) -> Option<&str> {
        match self {
            ManagedPolicyRef::Aws(name) => Some(name.rsplit('/').next().unwrap_or(name)),
            ManagedPolicyRef::Arn(_) => None,
        }
    }
}

/// IAM's limits on names, checked at synthesis.
mod names {
    pub fn problem(kind: &str, name: &str, max: usize) -> Option<String> {
        let ok_chars = name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
        if name.is_empty() || name.len() > max || !ok_chars {
            Some(format!(
                "{kind} name {name:?} is invalid: use 1-{max} letters, digits and +=,.@_-"
            ))
        } else {
            None
        }
    }

    pub fn path_problem(path: &str) -> Option<String> {
        let ok = path == "/"
            || (path.starts_with('/')
                && path.ends_with('/')
                && path.len() <= 512
                && path.chars().all(|c| ('!'..='~').contains(&c)));
        (!ok).then(|| format!("IAM path {path:?} must start and end with / (e.g. /gitlab/)"))
    }
}

fn report(scope: &mut Scope<'_>, what: &str, problems: Vec<String>) {
    for p in problems {
        scope.error(format!("{what}: {p}"));
    }
}

/// An inline policy's name and document.
#[derive(Clone, Debug)]
struct InlinePolicy {
    name: String,
    document: PolicyDocument,
}

/// Options every IAM identity (role, user) shares.
#[derive(Clone, Debug, Default)]
struct Identity {
    name: Option<String>,
    path: Option<String>,
    managed: Vec<ManagedPolicyRef>,
    inline: Vec<InlinePolicy>,
    grants: Vec<Statement>,
    boundary: Option<ManagedPolicyRef>,
}

impl Identity {
    fn inline_values<P>(&self, make: impl Fn(Val<crate::value::Json>, String) -> P) -> Vec<P> {
        let mut out: Vec<P> = self
            .inline
            .iter()
            .map(|p| make(p.document.clone().into(), p.name.clone()))
            .collect();
        if !self.grants.is_empty() {
            let doc = PolicyDocument {
                statements: self.grants.clone(),
            };
            out.push(make(doc.into(), "DefaultPolicy".to_owned()));
        }
        out
    }

    fn check(&self, scope: &mut Scope<'_>, kind: &str, max_name: usize) {
        if let Some(name) = &self.name {
            if let Some(p) = names::problem(kind, name, max_name) {
                scope.error(p);
            }
        }
        if let Some(path) = &self.path {
            if let Some(p) = names::path_problem(path) {
                scope.error(p);
            }
        }
        for policy in &self.inline {
            report(
                scope,
                &format!("inline policy {}", policy.name),
                policy.document.problems(false),
            );
        }
        if !self.grants.is_empty() {
            let doc = PolicyDocument {
                statements: self.grants.clone(),
            };
            report(scope, "granted permissions", doc.problems(false));
        }
        if self.managed.len() > 20 {
            scope.error(format!(
                "{} managed policies are attached; IAM allows at most 20",
                self.managed.len()
            ));
        }
    }

    fn managed_arns(&self) -> Vec<Val<String>> {
        self.managed.iter().map(ManagedPolicyRef::to_arn).collect()
    }
}

macro_rules! identity_setters {
    () => {
        /// Attaches a managed policy (at most 20). Default: none.
        pub fn managed_policy(mut self, policy: ManagedPolicyRef) -> Self {
            if !self.identity.managed.contains(&policy) {
                self.identity.managed.push(policy);
            }
            self
        }

        /// Adds an inline policy. Default: none.
        pub fn inline_policy(mut self, name: impl Into<String>, document: PolicyDocument) -> Self {
            self.identity.inline.push(InlinePolicy {
                name: name.into(),
                document,
            });
            self
        }

        /// Grants `actions` on `resources` (an inline `DefaultPolicy`).
        /// Default: no permissions.
        pub fn allow<A, R>(
            mut self,
            actions: impl IntoIterator<Item = A>,
            resources: impl IntoIterator<Item = R>,
        ) -> Self
        where
            A: Into<String>,
            R: Into<Val<String>>,
        {
            self.identity
                .grants
                .push(Statement::allow().actions(actions).resources(resources));
            self
        }

        /// Adds a statement to the inline `DefaultPolicy`. Default: none.
        pub fn grant(mut self, statement: Statement) -> Self {
            self.identity.grants.push(statement);
            self
        }

        /// The IAM path (`/gitlab/`). Default: `/`.
        pub fn path(mut self, path: impl Into<String>) -> Self {
            self.identity.path = Some(path.into());
            self
        }

        /// A permissions boundary: the most the identity can ever do.
        /// Default: none.
        pub fn permissions_boundary(mut self, policy: ManagedPolicyRef) -> Self {
            self.identity.boundary = Some(policy);
            self
        }
    };
}

/// `attach_to_role` and `attach_to_user` of the policies that name their
/// roles and users (`roles` and `users` fields).
macro_rules! attach_setters {
    () => {
        /// Attaches the policy to a role (built here or imported).
        /// Default: attached to no role.
        pub fn attach_to_role(mut self, role: &Role) -> Self {
            self.roles.push(role.name());
            self
        }

        /// Attaches the policy to a user (built here or imported).
        /// Default: attached to no user.
        pub fn attach_to_user(mut self, user: &User) -> Self {
            self.users.push(user.name());
            self
        }
    };
}

// After the macro, which it uses.
mod drift_access;

pub use drift_access::DriftDetectionAccess;

/// A role, being configured; add it with [`Scope::add`] to get a [`Role`].
#[derive(Clone, Debug)]
pub struct RoleBuilder {
    trust: PolicyDocument,
    identity: Identity,
    description: Option<String>,
    max_session: Option<u32>,
}

/// A role: built in a stack, or imported by ARN or name.
#[derive(Clone, Debug)]
pub struct Role {
    node: Option<NodeId>,
    handle: Option<Handle<cfn::CfnRole>>,
    arn: Val<String>,
    name: Val<String>,
    path: String,
    managed: Vec<ManagedPolicyRef>,
    fixed_name: Option<String>,
}

impl HasNode for Role {
    fn node(&self) -> Option<NodeId> {
        self.node
    }
}

impl Role {
    /// A role trusted through the given trust policy.
    pub fn with_trust(trust: PolicyDocument) -> RoleBuilder {
        RoleBuilder {
            trust,
            identity: Identity::default(),
            description: None,
            max_session: None,
        }
    }

    /// A role the principal may assume (`sts:AssumeRole`, or
    /// `sts:AssumeRoleWithWebIdentity` for a federated principal).
    pub fn assumed_by(principal: Principal) -> RoleBuilder {
        let action = match principal {
            Principal::Federated(_) => "sts:AssumeRoleWithWebIdentity",
            _ => "sts:AssumeRole",
        };
        Role::with_trust(
            PolicyDocument::new().statement(Statement::allow().action(action).principal(principal)),
        )
    }

    /// An existing role, by ARN. Its name is read from the ARN (for an ARN
    /// computed at deploy, with `Fn::Split`, which assumes no IAM path).
    pub fn from_arn(arn: impl Into<Val<String>>) -> Role {
        let arn = arn.into();
        let name = name_from_arn(&arn);
        Role::imported(arn, name)
    }

    /// An existing role of the deploying account, by name.
    pub fn from_name(name: impl Into<String>) -> Role {
        let name = name.into();
        let arn = fns::sub(format!(
            "arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/{name}"
        ));
        let mut role = Role::imported(arn, name.as_str().into());
        role.fixed_name = Some(name);
        role
    }

    fn imported(arn: Val<String>, name: Val<String>) -> Role {
        Role {
            node: None,
            handle: None,
            arn,
            name,
            path: String::new(),
            managed: Vec::new(),
            fixed_name: None,
        }
    }

    /// The `AWS::IAM::Role` resource, when the role was built here.
    pub fn handle(&self) -> Option<Handle<cfn::CfnRole>> {
        self.handle
    }

    pub fn arn(&self) -> Val<String> {
        self.arn.clone()
    }

    /// The role's name (its `Ref` when built here).
    pub fn name(&self) -> Val<String> {
        self.name.clone()
    }

    /// The name given at build time or on import, if it is known.
    pub fn fixed_name(&self) -> Option<&str> {
        self.fixed_name.as_deref()
    }

    /// The construct path, or `""` for an imported role.
    pub fn construct_path(&self) -> &str {
        &self.path
    }

    /// True for a role imported by ARN or name: its policies are unknown.
    pub fn is_imported(&self) -> bool {
        self.node.is_none()
    }

    /// The managed policies attached when it was built (none known for an
    /// imported role).
    pub fn managed_policies(&self) -> &[ManagedPolicyRef] {
        &self.managed
    }

    /// True when the AWS managed policy of that name is attached.
    pub fn has_aws_managed_policy(&self, name: &str) -> bool {
        self.managed.iter().any(|p| p.aws_name() == Some(name))
    }
}

/// The last `/`-separated part of an IAM ARN: literally when the ARN is a
/// literal, else with `Fn::Select` over `Fn::Split`.
fn name_from_arn(arn: &Val<String>) -> Val<String> {
    match arn.value() {
        crate::value::Value::String(text) => text.rsplit('/').next().unwrap_or(text).into(),
        _ => fns::select(
            1,
            fns::split("/", fns::select(5, fns::split(":", arn.clone()))),
        ),
    }
}

impl RoleBuilder {
    identity_setters!();

    /// The role name (at most 64 characters). Naming a role requires the
    /// `CAPABILITY_NAMED_IAM` capability on deploy. Default: CloudFormation
    /// generates a unique name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.identity.name = Some(name.into());
        self
    }

    /// Requires `sts:ExternalId` to equal `external_id` on every
    /// `sts:AssumeRole` statement of the trust policy. Default: no
    /// external ID.
    pub fn external_id(mut self, external_id: impl Into<Val<String>>) -> Self {
        let id = external_id.into();
        for s in &mut self.trust.statements {
            if s.actions.iter().any(|a| a == "sts:AssumeRole") {
                s.conditions.push(ConditionEntry {
                    operator: "StringEquals".into(),
                    key: "sts:ExternalId".into(),
                    values: vec![id.clone()],
                });
            }
        }
        self
    }

    /// Default: no description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// How long sessions may last, 3600 to 43200 seconds. Default: 3600.
    pub fn max_session_duration(mut self, seconds: u32) -> Self {
        self.max_session = Some(seconds);
        self
    }
}

impl Construct for RoleBuilder {
    type Built = Role;

    fn build(self, here: &mut Scope<'_>) -> Role {
        self.identity.check(here, "role", 64);
        report(here, "trust policy", self.trust.problems(true));
        if let Some(s) = self.max_session.filter(|s| !(3600..=43200).contains(s)) {
            here.error(format!(
                "max session duration {s}s is outside 3600-43200 seconds"
            ));
        }
        let mut role = cfn::CfnRole::new(self.trust);
        if let Some(name) = &self.identity.name {
            role = role.role_name(name.as_str());
        }
        if let Some(path) = &self.identity.path {
            role = role.path(path.as_str());
        }
        if let Some(d) = &self.description {
            role = role.description(d.as_str());
        }
        if let Some(s) = self.max_session {
            role = role.max_session_duration(i64::from(s));
        }
        if let Some(b) = &self.identity.boundary {
            role = role.permissions_boundary(b.to_arn());
        }
        if !self.identity.managed.is_empty() {
            role = role.managed_policy_arns(self.identity.managed_arns());
        }
        let policies = self.identity.inline_values(|policy_document, policy_name| {
            cfn::role::Policy::new(cfn::role::PolicyRequired {
                policy_document,
                policy_name: policy_name.into(),
            })
        });
        if !policies.is_empty() {
            role = role.policies(policies);
        }
        let handle = here.add("Resource", role);
        Role {
            node: Some(here.node_id()),
            handle: Some(handle),
            arn: handle.arn(),
            name: handle.reference(),
            path: here.path().to_owned(),
            managed: self.identity.managed,
            fixed_name: self.identity.name,
        }
    }
}

/// A user, being configured; add it with [`Scope::add`] to get a [`User`].
#[derive(Clone, Debug, Default)]
pub struct UserBuilder {
    identity: Identity,
}

/// A user: built in a stack, or imported by name.
#[derive(Clone, Debug)]
pub struct User {
    node: Option<NodeId>,
    handle: Option<Handle<cfn::CfnUser>>,
    arn: Val<String>,
    name: Val<String>,
    path: String,
}

impl HasNode for User {
    fn node(&self) -> Option<NodeId> {
        self.node
    }
}

impl User {
    /// Defaults: a generated name, no permissions.
    pub fn builder() -> UserBuilder {
        UserBuilder::default()
    }

    /// An existing user of the deploying account, by name.
    pub fn from_name(name: impl Into<String>) -> User {
        let name = name.into();
        User {
            node: None,
            handle: None,
            arn: fns::sub(format!(
                "arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:user/{name}"
            )),
            name: name.as_str().into(),
            path: String::new(),
        }
    }

    /// The `AWS::IAM::User` resource, when the user was built here.
    pub fn handle(&self) -> Option<Handle<cfn::CfnUser>> {
        self.handle
    }

    pub fn arn(&self) -> Val<String> {
        self.arn.clone()
    }

    /// The user's name (its `Ref` when built here).
    pub fn name(&self) -> Val<String> {
        self.name.clone()
    }

    /// The construct path, or `""` for an imported user.
    pub fn construct_path(&self) -> &str {
        &self.path
    }
}

impl UserBuilder {
    identity_setters!();

    /// The user name (at most 64 characters). Default: CloudFormation
    /// generates a unique name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.identity.name = Some(name.into());
        self
    }
}

impl Construct for UserBuilder {
    type Built = User;

    fn build(self, here: &mut Scope<'_>) -> User {
        self.identity.check(here, "user", 64);
        let mut user = cfn::CfnUser::new();
        if let Some(name) = &self.identity.name {
            user = user.user_name(name.as_str());
        }
        if let Some(path) = &self.identity.path {
            user = user.path(path.as_str());
        }
        if let Some(b) = &self.identity.boundary {
            user = user.permissions_boundary(b.to_arn());
        }
        if !self.identity.managed.is_empty() {
            user = user.managed_policy_arns(self.identity.managed_arns());
        }
        let policies = self.identity.inline_values(|policy_document, policy_name| {
            cfn::user::Policy::new(cfn::user::PolicyRequired {
                policy_document,
                policy_name: policy_name.into(),
            })
        });
        if !policies.is_empty() {
            user = user.policies(policies);
        }
        let handle = here.add("Resource", user);
        User {
            node: Some(here.node_id()),
            handle: Some(handle),
            arn: handle.arn(),
            name: handle.reference(),
            path: here.path().to_owned(),
        }
    }
}

/// An access key for a user, being configured: its secret is stored in a
/// Secrets Manager secret, never in an output.
#[cfg(feature = "secretsmanager")]
#[derive(Clone, Debug)]
pub struct AccessKeyBuilder {
    user_name: Val<String>,
}

/// An access key whose secret lives only in Secrets Manager.
#[cfg(feature = "secretsmanager")]
#[derive(Clone, Debug)]
pub struct AccessKey {
    node: NodeId,
    key: Handle<cfn::CfnAccessKey>,
    secret: Handle<crate::aws::secretsmanager::CfnSecret>,
}

#[cfg(feature = "secretsmanager")]
impl HasNode for AccessKey {
    fn node(&self) -> Option<NodeId> {
        Some(self.node)
    }
}

#[cfg(feature = "secretsmanager")]
impl AccessKey {
    /// A key for `user` (built here or imported).
    pub fn for_user(user: &User) -> AccessKeyBuilder {
        AccessKeyBuilder {
            user_name: user.name(),
        }
    }

    /// The access key ID (not secret).
    pub fn key_id(&self) -> Val<String> {
        self.key.reference()
    }

    /// The ARN of the Secrets Manager secret holding the key pair.
    pub fn secret_arn(&self) -> Val<String> {
        self.secret.reference()
    }
}

#[cfg(feature = "secretsmanager")]
impl Construct for AccessKeyBuilder {
    type Built = AccessKey;

    fn build(self, here: &mut Scope<'_>) -> AccessKey {
        use crate::aws::secretsmanager::CfnSecret;
        let key = here.add("Resource", cfn::CfnAccessKey::new(self.user_name));
        let secret_string = fns::sub_with(
            "{\"AccessKeyId\":\"${KeyId}\",\"SecretAccessKey\":\"${Secret}\"}",
            [
                ("KeyId", key.reference()),
                ("Secret", key.secret_access_key()),
            ],
        );
        let secret = here.add(
            "Secret",
            CfnSecret::new()
                .description("Access key of an IAM user, created by synth")
                .secret_string(secret_string),
        );
        AccessKey {
            node: here.node_id(),
            key,
            secret,
        }
    }
}

/// A customer managed policy, being configured; add it with
/// [`Scope::add`] to get a [`ManagedPolicy`].
#[derive(Clone, Debug)]
pub struct ManagedPolicyBuilder {
    document: PolicyDocument,
    name: Option<String>,
    description: Option<String>,
    path: Option<String>,
    roles: Vec<Val<String>>,
    users: Vec<Val<String>>,
}

/// A customer managed policy: built in a stack, or imported by ARN.
#[derive(Clone, Debug)]
pub struct ManagedPolicy {
    node: Option<NodeId>,
    arn: Val<String>,
}

impl HasNode for ManagedPolicy {
    fn node(&self) -> Option<NodeId> {
        self.node
    }
}

impl ManagedPolicy {
    /// Defaults: a generated name, path `/`, attached to nothing.
    pub fn builder(document: PolicyDocument) -> ManagedPolicyBuilder {
        ManagedPolicyBuilder {
            document,
            name: None,
            description: None,
            path: None,
            roles: Vec::new(),
            users: Vec::new(),
        }
    }

    /// An existing managed policy, by ARN.
    pub fn from_arn(arn: impl Into<Val<String>>) -> ManagedPolicy {
        ManagedPolicy {
            node: None,
            arn: arn.into(),
        }
    }

    pub fn arn(&self) -> Val<String> {
        self.arn.clone()
    }

    /// A reference for attaching the policy to roles and users.
    pub fn as_ref(&self) -> ManagedPolicyRef {
        ManagedPolicyRef::Arn(self.arn())
    }
}

impl ManagedPolicyBuilder {
    /// The policy name (at most 128 characters). Default: generated.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Default: no description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// The IAM path. Default: `/`.
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    attach_setters!();
}

impl Construct for ManagedPolicyBuilder {
    type Built = ManagedPolicy;

    fn build(self, here: &mut Scope<'_>) -> ManagedPolicy {
        report(here, "policy", self.document.problems(false));
        let mut policy = cfn::CfnManagedPolicy::new(self.document);
        if let Some(name) = &self.name {
            if let Some(p) = names::problem("managed policy", name, 128) {
                here.error(p);
            }
            policy = policy.managed_policy_name(name.as_str());
        }
        if let Some(d) = &self.description {
            policy = policy.description(d.as_str());
        }
        if let Some(path) = &self.path {
            if let Some(p) = names::path_problem(path) {
                here.error(p);
            }
            policy = policy.path(path.as_str());
        }
        if !self.roles.is_empty() {
            policy = policy.roles(self.roles);
        }
        if !self.users.is_empty() {
            policy = policy.users(self.users);
        }
        let handle = here.add("Resource", policy);
        ManagedPolicy {
            node: Some(here.node_id()),
            arn: handle.reference(),
        }
    }
}

/// Permissions added to roles and users after they are built (an
/// `AWS::IAM::Policy`), including roles and users imported by ID. Add it
/// with [`Scope::add`].
#[derive(Clone, Debug)]
pub struct Policy {
    document: PolicyDocument,
    name: Option<String>,
    roles: Vec<Val<String>>,
    users: Vec<Val<String>>,
}

/// A [`Policy`] in a stack.
#[derive(Clone, Debug)]
pub struct AddedPolicy {
    node: NodeId,
    handle: Handle<cfn::CfnPolicy>,
}

impl HasNode for AddedPolicy {
    fn node(&self) -> Option<NodeId> {
        Some(self.node)
    }
}

impl AddedPolicy {
    pub fn handle(&self) -> Handle<cfn::CfnPolicy> {
        self.handle
    }
}

impl Policy {
    /// Defaults: named after its construct path, attached to nothing (at
    /// least one role or user is required).
    pub fn builder(document: PolicyDocument) -> Policy {
        Policy {
            document,
            name: None,
            roles: Vec::new(),
            users: Vec::new(),
        }
    }

    /// The policy name (at most 128 characters). Default: the construct
    /// path without separators, like a logical ID.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    attach_setters!();
}

impl Construct for Policy {
    type Built = AddedPolicy;

    fn build(self, here: &mut Scope<'_>) -> AddedPolicy {
        report(here, "policy", self.document.problems(false));
        if self.roles.is_empty() && self.users.is_empty() {
            here.error("the policy is attached to nothing; call .attach_to_role(..) or .attach_to_user(..)");
        }
        if self.document.is_empty() {
            here.error("the policy has no statements");
        }
        let name = self.name.unwrap_or_else(|| {
            let relative = here.path().split_once('/').map_or(here.path(), |(_, r)| r);
            crate::logical_id::from_path(relative)
        });
        if let Some(p) = names::problem("policy", &name, 128) {
            here.error(p);
        }
        let mut policy = cfn::CfnPolicy::new(cfn::CfnPolicyRequired {
            policy_document: self.document.into(),
            policy_name: name.into(),
        });
        if !self.roles.is_empty() {
            policy = policy.roles(self.roles);
        }
        if !self.users.is_empty() {
            policy = policy.users(self.users);
        }
        let handle = here.add("Resource", policy);
        AddedPolicy {
            node: here.node_id(),
            handle,
        }
    }
}

/// An instance profile carrying a role, for EC2 instances, being
/// configured; add it with [`Scope::add`].
#[derive(Clone, Debug)]
pub struct InstanceProfileBuilder {
    role_name: Val<String>,
}

/// An instance profile in a stack.
#[derive(Clone, Debug)]
pub struct InstanceProfile {
    node: NodeId,
    handle: Handle<cfn::CfnInstanceProfile>,
}

impl HasNode for InstanceProfile {
    fn node(&self) -> Option<NodeId> {
        Some(self.node)
    }
}

impl InstanceProfile {
    /// A profile carrying `role` (built here or imported).
    pub fn for_role(role: &Role) -> InstanceProfileBuilder {
        InstanceProfileBuilder {
            role_name: role.name(),
        }
    }

    pub fn arn(&self) -> Val<String> {
        self.handle.arn()
    }

    pub fn name(&self) -> Val<String> {
        self.handle.reference()
    }
}

impl Construct for InstanceProfileBuilder {
    type Built = InstanceProfile;

    fn build(self, here: &mut Scope<'_>) -> InstanceProfile {
        let profile = cfn::CfnInstanceProfile::new(vec![self.role_name]);
        let handle = here.add("Resource", profile);
        InstanceProfile {
            node: here.node_id(),
            handle,
        }
    }
}
