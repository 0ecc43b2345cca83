//! KMS constructs: a customer managed key with rotation on, a key policy
//! that keeps the account in control, an optional alias, and grants that
//! add least-privilege statements to a role.
//!
//! ```
//! use synth::prelude::*;
//! use synth::iam::{Principal, Role};
//! use synth::kms::Key;
//!
//! let mut app = App::new();
//! let stack = app.stack("Keys");
//! let key = stack.add("Data", Key::builder().alias("alias/data").description("data at rest"));
//! let role = stack.add("App", Role::assumed_by(Principal::service("ec2.amazonaws.com")));
//! stack.add("AppUsesData", key.grant_encrypt_decrypt(&role));
//! stack.output("KeyArn", key.arn());
//! app.synth().expect("valid");
//! ```
//!
//! A key made elsewhere is used by ARN wherever a built one is accepted
//! (`Key::from_arn`); its grants then only touch the role's policy.

use crate::aws::kms as cfn;
use crate::construct::{Construct, HasNode};
use crate::element_ids::NodeId;
use crate::fns;
use crate::iam::{Policy, PolicyDocument, Principal, Role, Statement};
use crate::resource::{Handle, RemovalPolicy};
use crate::stack::Scope;
use crate::value::Val;

/// What `grant_encrypt` allows: aws-cdk-lib `aws-kms/lib/private/perms.ts`
/// `ENCRYPT_ACTIONS`.
pub const ENCRYPT_ACTIONS: [&str; 3] = ["kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"];

/// What `grant_decrypt` allows: aws-cdk-lib `aws-kms/lib/private/perms.ts`
/// `DECRYPT_ACTIONS`.
pub const DECRYPT_ACTIONS: [&str; 1] = ["kms:Decrypt"];

/// Whether KMS rotates the key material.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rotation {
    /// Yearly (KMS's default period, 365 days).
    Enabled,
    /// Every given number of days, 90 to 2560.
    EveryDays(u32),
    /// Never rotated.
    Disabled,
}

/// A key, being configured; add it with [`Scope::add`] to get a [`Key`].
#[derive(Clone, Debug)]
pub struct KeyBuilder {
    description: Option<String>,
    alias: Option<String>,
    rotation: Rotation,
    pending_window_days: Option<u32>,
    removal: RemovalPolicy,
    cloudwatch_logs: bool,
}

/// A symmetric encryption key: built in a stack, or imported by ARN.
#[derive(Clone, Debug)]
pub struct Key {
    node: Option<NodeId>,
    handle: Option<Handle<cfn::CfnKey>>,
    arn: Val<String>,
    alias: Option<String>,
    /// Whether its key policy lets CloudWatch Logs use it; `None` for an
    /// imported key, whose policy is unknown.
    cloudwatch_logs: Option<bool>,
}

impl HasNode for Key {
    fn node(&self) -> Option<NodeId> {
        self.node
    }
}

impl Key {
    /// Defaults: rotation on, no alias, a 30-day pending window, retained
    /// when removed from the stack, and a key policy giving the account
    /// (`arn:<partition>:iam::<account>:root`) `kms:*` so that IAM policies
    /// can grant its use.
    pub fn builder() -> KeyBuilder {
        KeyBuilder {
            description: None,
            alias: None,
            rotation: Rotation::Enabled,
            pending_window_days: None,
            removal: RemovalPolicy::Retain,
            cloudwatch_logs: false,
        }
    }

    /// An existing key, by ARN (`arn:aws:kms:<region>:<account>:key/<id>`).
    /// Its key policy is unknown; grants go to the role's policy only, which
    /// works when the key policy delegates to IAM (the KMS default).
    pub fn from_arn(arn: impl Into<Val<String>>) -> Key {
        Key {
            node: None,
            handle: None,
            arn: arn.into(),
            alias: None,
            cloudwatch_logs: None,
        }
    }

    /// The `AWS::KMS::Key` resource, when the key was built here.
    pub fn handle(&self) -> Option<Handle<cfn::CfnKey>> {
        self.handle
    }

    pub fn arn(&self) -> Val<String> {
        self.arn.clone()
    }

    /// The alias given at build time, if any (`alias/data`).
    /// Whether the key policy lets CloudWatch Logs use the key
    /// ([`KeyBuilder::allow_cloudwatch_logs`]); `None` when imported.
    pub fn allows_cloudwatch_logs(&self) -> Option<bool> {
        self.cloudwatch_logs
    }

    pub fn alias(&self) -> Option<&str> {
        self.alias.as_deref()
    }

    /// A statement allowing `actions` on this key, for grants of other
    /// constructs (a bucket or repository encrypted with it).
    pub fn statement<S: Into<String>>(&self, actions: impl IntoIterator<Item = S>) -> Statement {
        Statement::allow().actions(actions).resource(self.arn())
    }

    /// Allows `role` to encrypt with the key: [`ENCRYPT_ACTIONS`] on the
    /// key's ARN, as aws-cdk-lib's `key.grantEncrypt`.
    pub fn grant_encrypt(&self, role: &Role) -> Policy {
        self.grant(role, ENCRYPT_ACTIONS.to_vec())
    }

    /// Allows `role` to decrypt with the key: [`DECRYPT_ACTIONS`] on the
    /// key's ARN, as aws-cdk-lib's `key.grantDecrypt`.
    pub fn grant_decrypt(&self, role: &Role) -> Policy {
        self.grant(role, DECRYPT_ACTIONS.to_vec())
    }

    /// Both: `kms:Decrypt` then [`ENCRYPT_ACTIONS`], in aws-cdk-lib's
    /// `key.grantEncryptDecrypt` order.
    pub fn grant_encrypt_decrypt(&self, role: &Role) -> Policy {
        let mut actions = DECRYPT_ACTIONS.to_vec();
        actions.extend(ENCRYPT_ACTIONS);
        self.grant(role, actions)
    }

    fn grant(&self, role: &Role, actions: Vec<&str>) -> Policy {
        Policy::builder(PolicyDocument::new().statement(self.statement(actions)))
            .attach_to_role(role)
    }
}

impl KeyBuilder {
    /// Default: no description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// An alias for the key (`alias/<name>`, not under `alias/aws/`, which
    /// AWS reserves). Default: no alias.
    pub fn alias(mut self, name: impl Into<String>) -> Self {
        self.alias = Some(name.into());
        self
    }

    /// Key rotation. Default: [`Rotation::Enabled`] (yearly). aws-cdk-lib's
    /// `kms.Key` defaults `enableKeyRotation` to false; rotation is on here
    /// because it costs nothing to turn off and is what AWS's security
    /// best practices ask for.
    pub fn rotation(mut self, rotation: Rotation) -> Self {
        self.rotation = rotation;
        self
    }

    /// Days, 7 to 30, between removing the key from the stack and KMS
    /// deleting it (only applies when the removal policy deletes it).
    /// Default: 30 (KMS's and the CDK's default).
    pub fn pending_window_days(mut self, days: u32) -> Self {
        self.pending_window_days = Some(days);
        self
    }

    /// Lets CloudWatch Logs in the stack's region use the key for this
    /// account's log groups (the key policy statement AWS documents for
    /// encrypted log groups: `logs.<region>.amazonaws.com` may encrypt,
    /// decrypt, re-encrypt, generate data keys and describe, only with an
    /// encryption context naming a log group of this account and region).
    /// Needed before a [`crate::logs::LogGroup`] can be encrypted with it.
    /// Default: off.
    pub fn allow_cloudwatch_logs(mut self) -> Self {
        self.cloudwatch_logs = true;
        self
    }

    /// What happens to the key when it leaves the stack or is replaced.
    /// Default: [`RemovalPolicy::Retain`], as aws-cdk-lib's `kms.Key`.
    pub fn removal_policy(mut self, policy: RemovalPolicy) -> Self {
        self.removal = policy;
        self
    }
}

/// What is wrong with a KMS alias name, if anything.
fn alias_problem(name: &str) -> Option<String> {
    let Some(rest) = name.strip_prefix("alias/") else {
        return Some(format!("alias {name:?} must start with alias/"));
    };
    if name.starts_with("alias/aws/") {
        return Some(format!(
            "alias {name:?} is under alias/aws/, which AWS reserves for AWS managed keys"
        ));
    }
    let ok_chars = rest
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/_-".contains(c));
    if rest.is_empty() || name.len() > 256 || !ok_chars {
        return Some(format!(
            "alias {name:?} is invalid: use alias/ and 1-250 letters, digits and /_-"
        ));
    }
    None
}

/// The key policy statement letting CloudWatch Logs use the key for the
/// account's log groups in the stack's region.
fn cloudwatch_logs_statement() -> Statement {
    Statement::allow()
        .sid("CloudWatchLogsEncryptsLogGroups")
        .principal(Principal::regional_service("logs"))
        .actions([
            "kms:Encrypt*",
            "kms:Decrypt*",
            "kms:ReEncrypt*",
            "kms:GenerateDataKey*",
            "kms:Describe*",
        ])
        .any_resource()
        .condition(
            "ArnLike",
            "kms:EncryptionContext:aws:logs:arn",
            [fns::sub(
                "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*",
            )],
        )
}

/// The policy statement giving the deploying account's root `kms:*`.
fn account_root_statement() -> Statement {
    Statement::allow()
        .action("kms:*")
        .principal(Principal::arn(fns::sub(
            "arn:${AWS::Partition}:iam::${AWS::AccountId}:root",
        )))
        .any_resource()
}

impl Construct for KeyBuilder {
    type Built = Key;

    fn build(self, here: &mut Scope<'_>) -> Key {
        if let Some(days) = self.pending_window_days {
            if !(7..=30).contains(&days) {
                here.error(format!(
                    "pending window of {days} days is outside the 7-30 days KMS allows"
                ));
            }
        }
        if let Rotation::EveryDays(days) = self.rotation {
            if !(90..=2560).contains(&days) {
                here.error(format!(
                    "rotation every {days} days is outside the 90-2560 days KMS allows"
                ));
            }
        }
        let mut policy = PolicyDocument::new().statement(account_root_statement());
        if self.cloudwatch_logs {
            policy = policy.statement(cloudwatch_logs_statement());
        }
        let mut key = cfn::CfnKey::new()
            .key_policy(policy)
            .enable_key_rotation(self.rotation != Rotation::Disabled);
        if let Rotation::EveryDays(days) = self.rotation {
            key = key.rotation_period_in_days(i64::from(days));
        }
        if let Some(d) = &self.description {
            key = key.description(d.as_str());
        }
        if let Some(days) = self.pending_window_days {
            key = key.pending_window_in_days(i64::from(days));
        }
        let handle = here.add("Resource", key);
        here.edit(&handle).removal_policy(self.removal);
        if let Some(alias) = &self.alias {
            if let Some(p) = alias_problem(alias) {
                here.error(p);
            }
            here.add(
                "Alias",
                cfn::CfnAlias::new(cfn::CfnAliasRequired {
                    alias_name: alias.as_str().into(),
                    target_key_id: handle.reference(),
                }),
            );
        }
        Key {
            node: Some(here.node_id()),
            handle: Some(handle),
            arn: handle.arn(),
            alias: self.alias,
            cloudwatch_logs: Some(self.cloudwatch_logs),
        }
    }
}
