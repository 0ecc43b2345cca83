//! ECR constructs: an image repository that scans on push, with typed
//! lifecycle rules, retained when removed from the stack, and pull and
//! push grants.
//!
//! ```
//! use synth::prelude::*;
//! use synth::ecr::{LifecycleRule, Repository, TagMutability};
//!
//! let mut app = App::new();
//! let stack = app.stack("Images");
//! let repo = stack.add(
//!     "Web",
//!     Repository::builder()
//!         .name("team/web")
//!         .tag_mutability(TagMutability::Immutable)
//!         .lifecycle_rule(LifecycleRule::ExpireUntaggedAfterDays(7))
//!         .lifecycle_rule(LifecycleRule::KeepLast(50)),
//! );
//! stack.output("Uri", repo.uri());
//! app.synth().expect("valid");
//! ```
//!
//! A repository made elsewhere is used by name wherever a built one is
//! accepted (`Repository::from_name`).

use crate::aws::ecr as cfn;
use crate::construct::{Construct, HasNode};
use crate::element_ids::NodeId;
use crate::fns;
use crate::resource::{Handle, RemovalPolicy};
use crate::stack::Scope;
use crate::value::Val;

/// What `grant_pull` allows on the repository: aws-cdk-lib
/// `aws-ecr/lib/perms.ts` `REPO_PULL_ACTIONS`.
pub const PULL_ACTIONS: [&str; 3] = [
    "ecr:BatchCheckLayerAvailability",
    "ecr:GetDownloadUrlForLayer",
    "ecr:BatchGetImage",
];

/// What `grant_push` allows on the repository: aws-cdk-lib
/// `aws-ecr/lib/perms.ts` `REPO_PUSH_ACTIONS`.
pub const PUSH_ACTIONS: [&str; 5] = [
    "ecr:CompleteLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:InitiateLayerUpload",
    "ecr:BatchCheckLayerAvailability",
    "ecr:PutImage",
];

/// Whether a pushed tag may be pushed again for another image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagMutability {
    Mutable,
    Immutable,
}

/// Whether ECR scans each image for vulnerabilities when it is pushed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScanOnPush {
    Enabled,
    Disabled,
}

/// How images are encrypted at rest.
#[derive(Clone, Debug, PartialEq)]
pub enum Encryption {
    /// AES256 with keys managed by ECR.
    Aes256,
    /// A KMS key, by ARN.
    Kms { key_arn: Val<String> },
}

impl Encryption {
    /// A KMS key built here or imported.
    #[cfg(all(feature = "kms", feature = "iam"))]
    pub fn kms(key: &crate::kms::Key) -> Self {
        Encryption::Kms { key_arn: key.arn() }
    }

    pub fn kms_arn(key_arn: impl Into<Val<String>>) -> Self {
        Encryption::Kms {
            key_arn: key_arn.into(),
        }
    }
}

/// A lifecycle rule: which images ECR expires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LifecycleRule {
    /// Keeps the newest N images (tagged or not) and expires the rest.
    /// ECR evaluates it after every other rule.
    KeepLast(u32),
    /// Expires untagged images N days after they were pushed.
    ExpireUntaggedAfterDays(u32),
}

/// A repository, being configured; add it with [`Scope::add`] to get a
/// [`Repository`].
#[derive(Clone, Debug)]
pub struct RepositoryBuilder {
    name: Option<String>,
    scan: ScanOnPush,
    mutability: TagMutability,
    encryption: Encryption,
    lifecycle: Vec<LifecycleRule>,
    removal: RemovalPolicy,
}

/// An image repository: built in a stack, or imported by name.
#[derive(Clone, Debug)]
pub struct Repository {
    node: Option<NodeId>,
    handle: Option<Handle<cfn::CfnRepository>>,
    name: Val<String>,
    arn: Val<String>,
    uri: Val<String>,
}

impl HasNode for Repository {
    fn node(&self) -> Option<NodeId> {
        self.node
    }
}

impl Repository {
    /// Defaults: a generated name, scan on push, mutable tags, AES256
    /// encryption, no lifecycle rules, retained when removed from the
    /// stack.
    pub fn builder() -> RepositoryBuilder {
        RepositoryBuilder {
            name: None,
            scan: ScanOnPush::Enabled,
            mutability: TagMutability::Mutable,
            encryption: Encryption::Aes256,
            lifecycle: Vec::new(),
            removal: RemovalPolicy::Retain,
        }
    }

    /// An existing repository of the deploying account and region, by name.
    pub fn from_name(name: impl Into<String>) -> Repository {
        let name = name.into();
        Repository {
            node: None,
            handle: None,
            arn: fns::sub(format!(
                "arn:${{AWS::Partition}}:ecr:${{AWS::Region}}:${{AWS::AccountId}}:repository/{name}"
            )),
            uri: fns::sub(format!(
                "${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.${{AWS::URLSuffix}}/{name}"
            )),
            name: name.into(),
        }
    }

    /// The `AWS::ECR::Repository` resource, when it was built here.
    pub fn handle(&self) -> Option<Handle<cfn::CfnRepository>> {
        self.handle
    }

    /// The repository's name (its `Ref` when built here).
    pub fn name(&self) -> Val<String> {
        self.name.clone()
    }

    pub fn arn(&self) -> Val<String> {
        self.arn.clone()
    }

    /// The URI to tag images with, `<account>.dkr.ecr.<region>.<suffix>/<name>`.
    pub fn uri(&self) -> Val<String> {
        self.uri.clone()
    }

    /// Allows `role` to pull images: [`PULL_ACTIONS`] on the repository
    /// and `ecr:GetAuthorizationToken` on `*` (it has no resource), as
    /// aws-cdk-lib's `repository.grantPull`.
    #[cfg(feature = "iam")]
    pub fn grant_pull(&self, role: &crate::iam::Role) -> crate::iam::Policy {
        self.grant(role, &PULL_ACTIONS)
    }

    /// Allows `role` to push images: [`PUSH_ACTIONS`] on the repository
    /// and `ecr:GetAuthorizationToken` on `*`, as aws-cdk-lib's
    /// `repository.grantPush`.
    #[cfg(feature = "iam")]
    pub fn grant_push(&self, role: &crate::iam::Role) -> crate::iam::Policy {
        self.grant(role, &PUSH_ACTIONS)
    }

    #[cfg(feature = "iam")]
    fn grant(&self, role: &crate::iam::Role, actions: &[&str]) -> crate::iam::Policy {
        use crate::iam::{Policy, PolicyDocument, Statement};
        Policy::builder(
            PolicyDocument::new()
                .statement(
                    Statement::allow()
                        .actions(actions.iter().copied())
                        .resource(self.arn()),
                )
                .statement(
                    Statement::allow()
                        .action("ecr:GetAuthorizationToken")
                        .any_resource(),
                ),
        )
        .attach_to_role(role)
    }
}

impl RepositoryBuilder {
    /// The repository name: 2-256 lowercase letters, digits and `._-/`
    /// (`team/web`). Default: CloudFormation generates a unique name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Default: [`ScanOnPush::Enabled`]. aws-cdk-lib's `ecr.Repository`
    /// defaults `imageScanOnPush` to false; scanning is on here.
    pub fn scan_on_push(mut self, scan: ScanOnPush) -> Self {
        self.scan = scan;
        self
    }

    /// Default: [`TagMutability::Mutable`], as aws-cdk-lib's
    /// `ecr.Repository` (`TagMutability.MUTABLE`).
    pub fn tag_mutability(mut self, mutability: TagMutability) -> Self {
        self.mutability = mutability;
        self
    }

    /// Default: [`Encryption::Aes256`], as aws-cdk-lib's `ecr.Repository`
    /// without an `encryptionKey`. Changing it replaces the repository.
    pub fn encryption(mut self, encryption: Encryption) -> Self {
        self.encryption = encryption;
        self
    }

    /// Adds a lifecycle rule. Default: none (images are kept forever).
    pub fn lifecycle_rule(mut self, rule: LifecycleRule) -> Self {
        self.lifecycle.push(rule);
        self
    }

    /// What happens to the repository when it leaves the stack or is
    /// replaced. Default: [`RemovalPolicy::Retain`], as aws-cdk-lib's
    /// `ecr.Repository`.
    pub fn removal_policy(mut self, policy: RemovalPolicy) -> Self {
        self.removal = policy;
        self
    }

    /// The lifecycle policy text, rules numbered in order with the
    /// `KeepLast` rule (tag status `any`) last, as ECR requires.
    fn lifecycle_text(&self) -> String {
        let mut ordered: Vec<LifecycleRule> = self
            .lifecycle
            .iter()
            .copied()
            .filter(|r| !matches!(r, LifecycleRule::KeepLast(_)))
            .collect();
        ordered.extend(
            self.lifecycle
                .iter()
                .copied()
                .filter(|r| matches!(r, LifecycleRule::KeepLast(_))),
        );
        let rules: Vec<serde_json::Value> = ordered
            .iter()
            .enumerate()
            .map(|(i, rule)| {
                let (description, selection) = match *rule {
                    LifecycleRule::KeepLast(n) => (
                        format!("Keep the last {n} images"),
                        serde_json::json!({
                            "tagStatus": "any",
                            "countType": "imageCountMoreThan",
                            "countNumber": n,
                        }),
                    ),
                    LifecycleRule::ExpireUntaggedAfterDays(n) => (
                        format!("Expire untagged images after {n} days"),
                        serde_json::json!({
                            "tagStatus": "untagged",
                            "countType": "sinceImagePushed",
                            "countUnit": "days",
                            "countNumber": n,
                        }),
                    ),
                };
                serde_json::json!({
                    "rulePriority": i + 1,
                    "description": description,
                    "selection": selection,
                    "action": { "type": "expire" },
                })
            })
            .collect();
        serde_json::json!({ "rules": rules }).to_string()
    }
}

/// What is wrong with a repository name, if anything.
fn name_problem(name: &str) -> Option<String> {
    let part_ok = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
            && part.starts_with(|c: char| c.is_ascii_alphanumeric())
            && part.ends_with(|c: char| c.is_ascii_alphanumeric())
    };
    let ok = (2..=256).contains(&name.len()) && name.split('/').all(part_ok);
    (!ok).then(|| {
        format!("repository name {name:?} is invalid: use 2-256 lowercase letters, digits and ._- in /-separated parts, each starting and ending with a letter or digit")
    })
}

impl Construct for RepositoryBuilder {
    type Built = Repository;

    fn build(self, here: &mut Scope<'_>) -> Repository {
        if let Some(p) = self.name.as_deref().and_then(name_problem) {
            here.error(p);
        }
        let keep_rules = self
            .lifecycle
            .iter()
            .filter(|r| matches!(r, LifecycleRule::KeepLast(_)))
            .count();
        if keep_rules > 1 {
            here.error(format!(
                "{keep_rules} KeepLast lifecycle rules; ECR allows one rule for any tag status"
            ));
        }
        for rule in &self.lifecycle {
            match *rule {
                LifecycleRule::KeepLast(0) => here
                    .error("lifecycle rule KeepLast(0) would expire every image; keep at least 1"),
                LifecycleRule::ExpireUntaggedAfterDays(0) => here
                    .error("lifecycle rule ExpireUntaggedAfterDays(0): ECR needs at least 1 day"),
                _ => {}
            }
        }
        let encryption = match &self.encryption {
            Encryption::Aes256 => cfn::repository::EncryptionConfiguration::new("AES256"),
            Encryption::Kms { key_arn } => {
                cfn::repository::EncryptionConfiguration::new("KMS").kms_key(key_arn.clone())
            }
        };
        let mut repo = cfn::CfnRepository::new()
            .image_scanning_configuration(
                cfn::repository::ImageScanningConfiguration::new()
                    .scan_on_push(self.scan == ScanOnPush::Enabled),
            )
            .image_tag_mutability(match self.mutability {
                TagMutability::Mutable => "MUTABLE",
                TagMutability::Immutable => "IMMUTABLE",
            })
            .encryption_configuration(encryption);
        if let Some(name) = &self.name {
            repo = repo.repository_name(name.as_str());
        }
        if !self.lifecycle.is_empty() {
            repo = repo.lifecycle_policy(
                cfn::repository::LifecyclePolicy::new()
                    .lifecycle_policy_text(self.lifecycle_text()),
            );
        }
        let handle = here.add("Resource", repo);
        here.edit(&handle).removal_policy(self.removal);
        Repository {
            node: Some(here.node_id()),
            handle: Some(handle),
            name: handle.reference(),
            arn: handle.arn(),
            uri: handle.repository_uri(),
        }
    }
}
