//! IAM constructs: roles, users, access keys, managed policies and
//! instance profiles, built from typed policy documents.
//!
//! ```
//! use synth::prelude::*;
//! use synth::iam::{Principal, Role, ManagedPolicyRef};
//!
//! let mut app = App::new();
//! let stack = app.stack("Iam");
//! let role = Role::assumed_by(Principal::service("eks.amazonaws.com"))
//!     .managed_policy(ManagedPolicyRef::aws("AmazonEKSClusterPolicy"))
//!     .build(stack, "ClusterRole");
//! stack.output("RoleArn", role.arn());
//! app.synth().expect("valid");
//! ```

mod policy;

pub use policy::{
    arn, ConditionEntry, Effect, PolicyDocument, Principal, Statement, POLICY_VERSION,
};

use crate::aws::iam as cfn;
use crate::resource::Handle;
use crate::stack::AsScope;
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

fn report(scope: &mut crate::stack::Scope<'_>, what: &str, problems: Vec<String>) {
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

    fn check(&self, scope: &mut crate::stack::Scope<'_>, kind: &str, max_name: usize) {
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
        /// Attaches a managed policy.
        pub fn managed_policy(mut self, policy: ManagedPolicyRef) -> Self {
            if !self.identity.managed.contains(&policy) {
                self.identity.managed.push(policy);
            }
            self
        }

        /// Adds an inline policy.
        pub fn inline_policy(mut self, name: impl Into<String>, document: PolicyDocument) -> Self {
            self.identity.inline.push(InlinePolicy {
                name: name.into(),
                document,
            });
            self
        }

        /// Grants `actions` on `resources` (an inline `DefaultPolicy`).
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

        /// Adds a statement to the inline `DefaultPolicy`.
        pub fn grant(mut self, statement: Statement) -> Self {
            self.identity.grants.push(statement);
            self
        }

        /// The path (`/`, `/gitlab/`).
        pub fn path(mut self, path: impl Into<String>) -> Self {
            self.identity.path = Some(path.into());
            self
        }

        /// A permissions boundary: the most the identity can ever do.
        pub fn permissions_boundary(mut self, policy: ManagedPolicyRef) -> Self {
            self.identity.boundary = Some(policy);
            self
        }
    };
}

/// A role, being configured; [`RoleBuilder::build`] adds it to a scope.
#[derive(Clone, Debug)]
pub struct RoleBuilder {
    trust: PolicyDocument,
    identity: Identity,
    description: Option<String>,
    max_session: Option<u32>,
}

/// A role in a stack.
#[derive(Clone, Debug)]
pub struct Role {
    handle: Handle<cfn::CfnRole>,
    path: String,
    managed: Vec<ManagedPolicyRef>,
    name: Option<String>,
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

    pub fn handle(&self) -> Handle<cfn::CfnRole> {
        self.handle
    }

    pub fn arn(&self) -> Val<String> {
        self.handle.arn()
    }

    /// The role's name (its `Ref`).
    pub fn name(&self) -> Val<String> {
        self.handle.reference()
    }

    /// The name given at build time, if it was set explicitly.
    pub fn fixed_name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    pub fn construct_path(&self) -> &str {
        &self.path
    }

    /// The attached managed policies.
    pub fn managed_policies(&self) -> &[ManagedPolicyRef] {
        &self.managed
    }

    /// True when the AWS managed policy of that name is attached.
    pub fn has_aws_managed_policy(&self, name: &str) -> bool {
        self.managed.iter().any(|p| p.aws_name() == Some(name))
    }
}

impl RoleBuilder {
    identity_setters!();

    /// The role name (at most 64 characters). Naming a role requires the
    /// `CAPABILITY_NAMED_IAM` capability on deploy.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.identity.name = Some(name.into());
        self
    }

    /// Requires `sts:ExternalId` to equal `external_id` on every
    /// `sts:AssumeRole` statement of the trust policy.
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

    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// How long sessions may last, 3600 to 43200 seconds.
    pub fn max_session_duration(mut self, seconds: u32) -> Self {
        self.max_session = Some(seconds);
        self
    }

    /// Validates and adds the role to `scope` under `id`.
    pub fn build(self, scope: &mut impl AsScope, id: &str) -> Role {
        let mut scope = scope.as_scope();
        let mut here = scope.child(id);
        self.identity.check(&mut here, "role", 64);
        report(&mut here, "trust policy", self.trust.problems(true));
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
        let path = here.path().to_owned();
        let handle = here.add("Resource", role);
        Role {
            handle,
            path,
            managed: self.identity.managed,
            name: self.identity.name,
        }
    }
}

/// A user, being configured.
#[derive(Clone, Debug, Default)]
pub struct UserBuilder {
    identity: Identity,
}

/// A user in a stack.
#[derive(Clone, Debug)]
pub struct User {
    handle: Handle<cfn::CfnUser>,
    path: String,
}

impl User {
    pub fn builder() -> UserBuilder {
        UserBuilder::default()
    }

    pub fn handle(&self) -> Handle<cfn::CfnUser> {
        self.handle
    }

    pub fn arn(&self) -> Val<String> {
        self.handle.arn()
    }

    /// The user's name (its `Ref`).
    pub fn name(&self) -> Val<String> {
        self.handle.reference()
    }

    pub fn construct_path(&self) -> &str {
        &self.path
    }

    /// Creates an access key for the user. Its secret is stored in a
    /// Secrets Manager secret (never in outputs); the returned key gives
    /// the key ID and the secret's ARN.
    #[cfg(feature = "secretsmanager")]
    pub fn add_access_key(&self, scope: &mut impl AsScope, id: &str) -> AccessKey {
        AccessKey::build(scope, id, self)
    }
}

impl UserBuilder {
    identity_setters!();

    /// The user name (at most 64 characters).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.identity.name = Some(name.into());
        self
    }

    pub fn build(self, scope: &mut impl AsScope, id: &str) -> User {
        let mut scope = scope.as_scope();
        let mut here = scope.child(id);
        self.identity.check(&mut here, "user", 64);
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
        let path = here.path().to_owned();
        let handle = here.add("Resource", user);
        User { handle, path }
    }
}

/// An access key whose secret lives only in Secrets Manager.
#[cfg(feature = "secretsmanager")]
#[derive(Clone, Debug)]
pub struct AccessKey {
    key: Handle<cfn::CfnAccessKey>,
    secret: Handle<crate::aws::secretsmanager::CfnSecret>,
}

#[cfg(feature = "secretsmanager")]
impl AccessKey {
    fn build(scope: &mut impl AsScope, id: &str, user: &User) -> AccessKey {
        use crate::aws::secretsmanager::CfnSecret;
        let mut scope = scope.as_scope();
        let mut here = scope.child(id);
        let key = here.add("Resource", cfn::CfnAccessKey::new(user.name()));
        let secret_string = crate::fns::sub_with(
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
        AccessKey { key, secret }
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

/// A customer managed policy, being configured.
#[derive(Clone, Debug)]
pub struct ManagedPolicyBuilder {
    document: PolicyDocument,
    name: Option<String>,
    description: Option<String>,
    path: Option<String>,
    roles: Vec<Val<String>>,
    users: Vec<Val<String>>,
}

/// A customer managed policy in a stack.
#[derive(Clone, Debug)]
pub struct ManagedPolicy {
    handle: Handle<cfn::CfnManagedPolicy>,
}

impl ManagedPolicy {
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

    pub fn arn(&self) -> Val<String> {
        self.handle.reference()
    }

    /// A reference for attaching the policy to roles and users.
    pub fn as_ref(&self) -> ManagedPolicyRef {
        ManagedPolicyRef::Arn(self.arn())
    }
}

impl ManagedPolicyBuilder {
    /// The policy name (at most 128 characters).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Attaches the policy to a role.
    pub fn attach_to_role(mut self, role: &Role) -> Self {
        self.roles.push(role.name());
        self
    }

    /// Attaches the policy to a user.
    pub fn attach_to_user(mut self, user: &User) -> Self {
        self.users.push(user.name());
        self
    }

    pub fn build(self, scope: &mut impl AsScope, id: &str) -> ManagedPolicy {
        let mut scope = scope.as_scope();
        let mut here = scope.child(id);
        report(&mut here, "policy", self.document.problems(false));
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
        ManagedPolicy {
            handle: here.add("Resource", policy),
        }
    }
}

/// An instance profile carrying a role, for EC2 instances.
#[derive(Clone, Debug)]
pub struct InstanceProfile {
    handle: Handle<cfn::CfnInstanceProfile>,
}

impl InstanceProfile {
    pub fn build(scope: &mut impl AsScope, id: &str, role: &Role) -> InstanceProfile {
        let mut scope = scope.as_scope();
        let mut here = scope.child(id);
        let profile = cfn::CfnInstanceProfile::new(vec![role.name()]);
        InstanceProfile {
            handle: here.add("Resource", profile),
        }
    }

    pub fn arn(&self) -> Val<String> {
        self.handle.arn()
    }

    pub fn name(&self) -> Val<String> {
        self.handle.reference()
    }
}
