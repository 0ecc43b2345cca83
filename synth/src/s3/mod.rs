//! S3 constructs: a bucket that is private, encrypted and TLS-only from the
//! start, with typed lifecycle rules, and grants that add least-privilege
//! statements to a role.
//!
//! ```
//! use synth::prelude::*;
//! use synth::iam::{Principal, Role};
//! use synth::s3::{Bucket, LifecycleRule, Versioning};
//!
//! let mut app = App::new();
//! let stack = app.stack("Data");
//! let bucket = stack.add(
//!     "Reports",
//!     Bucket::builder()
//!         .versioning(Versioning::Enabled)
//!         .lifecycle_rule(LifecycleRule::new("expire-old").expire_after_days(365)),
//! );
//! let role = stack.add("App", Role::assumed_by(Principal::service("ec2.amazonaws.com")));
//! stack.add("AppReadsReports", bucket.grant_read(&role));
//! app.synth().expect("valid");
//! ```
//!
//! A bucket made elsewhere is used by name wherever a built one is accepted
//! (`Bucket::from_name`, with `.encrypted_with(key_arn)` when a KMS key
//! encrypts it, so that grants include the key).

use crate::aws::s3 as cfn;
use crate::construct::{Construct, HasNode};
use crate::element_ids::NodeId;
use crate::fns;
use crate::iam::{Policy, PolicyDocument, Principal, Role, Statement};
use crate::resource::{Handle, RemovalPolicy};
use crate::stack::Scope;
use crate::value::Val;

/// aws-cdk-lib `aws-s3/lib/perms.ts` `BUCKET_READ_ACTIONS`.
pub const READ_ACTIONS: [&str; 3] = ["s3:GetObject*", "s3:GetBucket*", "s3:List*"];

/// aws-cdk-lib `aws-s3/lib/perms.ts` `BUCKET_DELETE_ACTIONS` followed by
/// `BUCKET_PUT_ACTIONS` (the write actions with the
/// `@aws-cdk/aws-s3:grantWriteWithoutAcl` flag of new projects: no ACL
/// changes).
pub const WRITE_ACTIONS: [&str; 7] = [
    "s3:DeleteObject*",
    "s3:PutObject",
    "s3:PutObjectLegalHold",
    "s3:PutObjectRetention",
    "s3:PutObjectTagging",
    "s3:PutObjectVersionTagging",
    "s3:Abort*",
];

/// Key actions a read grant adds for a KMS-encrypted bucket:
/// aws-cdk-lib `aws-s3/lib/perms.ts` `KEY_READ_ACTIONS`.
pub const KEY_READ_ACTIONS: [&str; 2] = ["kms:Decrypt", "kms:DescribeKey"];

/// Key actions a write grant adds for a KMS-encrypted bucket:
/// aws-cdk-lib `aws-s3/lib/perms.ts` `KEY_WRITE_ACTIONS` (`kms:Decrypt` is
/// needed for multipart uploads).
pub const KEY_WRITE_ACTIONS: [&str; 4] = [
    "kms:Encrypt",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:Decrypt",
];

/// How objects are encrypted at rest.
#[derive(Clone, Debug, PartialEq)]
pub enum Encryption {
    /// SSE-S3: keys managed by S3 (AES256).
    S3Managed,
    /// SSE-KMS with a customer managed key, by ARN, with an S3 Bucket Key
    /// (fewer KMS calls). Build it with [`Encryption::kms`] from a
    /// [`crate::kms::Key`] or [`Encryption::kms_arn`].
    Kms { key_arn: Val<String> },
}

impl Encryption {
    /// SSE-KMS with `key` (built here or imported).
    #[cfg(feature = "kms")]
    pub fn kms(key: &crate::kms::Key) -> Self {
        Encryption::Kms { key_arn: key.arn() }
    }

    /// SSE-KMS with the key of that ARN.
    pub fn kms_arn(key_arn: impl Into<Val<String>>) -> Self {
        Encryption::Kms {
            key_arn: key_arn.into(),
        }
    }
}

/// Whether S3 keeps every version of every object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Versioning {
    Enabled,
    /// No versioning configuration (a new bucket is unversioned).
    Disabled,
}

/// A lifecycle rule: what S3 expires or cleans up, and when.
#[derive(Clone, Debug, PartialEq)]
pub struct LifecycleRule {
    id: String,
    prefix: Option<String>,
    expire_after_days: Option<u32>,
    noncurrent_after_days: Option<u32>,
    abort_uploads_after_days: Option<u32>,
}

impl LifecycleRule {
    /// A rule named `id` (at most 255 characters) for every object, doing
    /// nothing until given at least one action.
    pub fn new(id: impl Into<String>) -> Self {
        LifecycleRule {
            id: id.into(),
            prefix: None,
            expire_after_days: None,
            noncurrent_after_days: None,
            abort_uploads_after_days: None,
        }
    }

    /// Only objects whose key starts with `prefix`. Default: all objects.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Some(prefix.into());
        self
    }

    /// Deletes (or, when versioned, makes noncurrent) objects `days` after
    /// creation. Default: objects never expire.
    pub fn expire_after_days(mut self, days: u32) -> Self {
        self.expire_after_days = Some(days);
        self
    }

    /// Deletes noncurrent versions `days` after they become noncurrent
    /// (versioned buckets). Default: noncurrent versions are kept.
    pub fn expire_noncurrent_after_days(mut self, days: u32) -> Self {
        self.noncurrent_after_days = Some(days);
        self
    }

    /// Aborts multipart uploads still incomplete `days` after they
    /// started. Default: incomplete uploads are kept.
    pub fn abort_incomplete_uploads_after_days(mut self, days: u32) -> Self {
        self.abort_uploads_after_days = Some(days);
        self
    }

    fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let id = &self.id;
        if id.is_empty() || id.len() > 255 {
            out.push(format!(
                "lifecycle rule id {id:?} must have 1-255 characters"
            ));
        }
        for (what, days) in [
            ("expiry", self.expire_after_days),
            ("noncurrent version expiry", self.noncurrent_after_days),
            ("incomplete upload abort", self.abort_uploads_after_days),
        ] {
            if days == Some(0) {
                out.push(format!(
                    "lifecycle rule {id}: {what} after 0 days; S3 needs at least 1 day"
                ));
            }
        }
        if self.expire_after_days.is_none()
            && self.noncurrent_after_days.is_none()
            && self.abort_uploads_after_days.is_none()
        {
            out.push(format!(
                "lifecycle rule {id} has no action; give it an expiry, a noncurrent version expiry or an upload abort"
            ));
        }
        out
    }

    fn to_cfn(&self) -> cfn::bucket::Rule {
        let mut rule = cfn::bucket::Rule::new("Enabled").id(self.id.as_str());
        if let Some(p) = &self.prefix {
            rule = rule.prefix(p.as_str());
        }
        if let Some(d) = self.expire_after_days {
            rule = rule.expiration_in_days(i64::from(d));
        }
        if let Some(d) = self.noncurrent_after_days {
            rule = rule.noncurrent_version_expiration(
                cfn::bucket::NoncurrentVersionExpiration::new(i64::from(d)),
            );
        }
        if let Some(d) = self.abort_uploads_after_days {
            rule = rule.abort_incomplete_multipart_upload(
                cfn::bucket::AbortIncompleteMultipartUpload::new(i64::from(d)),
            );
        }
        rule
    }
}

/// A bucket, being configured; add it with [`Scope::add`] to get a
/// [`Bucket`].
#[derive(Clone, Debug)]
pub struct BucketBuilder {
    name: Option<String>,
    encryption: Encryption,
    versioning: Versioning,
    lifecycle: Vec<LifecycleRule>,
    removal: RemovalPolicy,
}

/// A bucket: built in a stack, or imported by name.
#[derive(Clone, Debug)]
pub struct Bucket {
    node: Option<NodeId>,
    handle: Option<Handle<cfn::CfnBucket>>,
    name: Val<String>,
    arn: Val<String>,
    objects_arn: Val<String>,
    key_arn: Option<Val<String>>,
}

impl HasNode for Bucket {
    fn node(&self) -> Option<NodeId> {
        self.node
    }
}

impl Bucket {
    /// Defaults: a generated name, SSE-S3 encryption, all four public
    /// access blocks on, a bucket policy denying requests without TLS,
    /// ACLs disabled (`BucketOwnerEnforced`), unversioned, no lifecycle
    /// rules, retained when removed from the stack.
    pub fn builder() -> BucketBuilder {
        BucketBuilder {
            name: None,
            encryption: Encryption::S3Managed,
            versioning: Versioning::Disabled,
            lifecycle: Vec::new(),
            removal: RemovalPolicy::Retain,
        }
    }

    /// An existing bucket, by name. If a KMS key encrypts it, say so with
    /// [`Bucket::encrypted_with`] so that grants include the key.
    pub fn from_name(name: impl Into<String>) -> Bucket {
        let name = name.into();
        Bucket {
            node: None,
            handle: None,
            arn: fns::sub(format!("arn:${{AWS::Partition}}:s3:::{name}")),
            objects_arn: fns::sub(format!("arn:${{AWS::Partition}}:s3:::{name}/*")),
            name: name.into(),
            key_arn: None,
        }
    }

    /// The KMS key (by ARN) that encrypts an imported bucket.
    pub fn encrypted_with(mut self, key_arn: impl Into<Val<String>>) -> Bucket {
        self.key_arn = Some(key_arn.into());
        self
    }

    /// The `AWS::S3::Bucket` resource, when the bucket was built here.
    pub fn handle(&self) -> Option<Handle<cfn::CfnBucket>> {
        self.handle
    }

    /// The bucket's name (its `Ref` when built here).
    pub fn name(&self) -> Val<String> {
        self.name.clone()
    }

    pub fn arn(&self) -> Val<String> {
        self.arn.clone()
    }

    /// `<bucket ARN>/*`: every object in the bucket.
    pub fn objects_arn(&self) -> Val<String> {
        self.objects_arn.clone()
    }

    /// The ARN of the KMS key encrypting the bucket, if one does.
    pub fn key_arn(&self) -> Option<Val<String>> {
        self.key_arn.clone()
    }

    /// Allows `role` to read the bucket and its objects: [`READ_ACTIONS`]
    /// on the bucket and `bucket/*`, plus [`KEY_READ_ACTIONS`] on its KMS
    /// key if it has one, as aws-cdk-lib's `bucket.grantRead`.
    pub fn grant_read(&self, role: &Role) -> Policy {
        self.grant(role, READ_ACTIONS.to_vec(), KEY_READ_ACTIONS.to_vec())
    }

    /// Allows `role` to write and delete objects: [`WRITE_ACTIONS`] on the
    /// bucket and `bucket/*`, plus [`KEY_WRITE_ACTIONS`] on its KMS key if
    /// it has one, as aws-cdk-lib's `bucket.grantWrite`.
    pub fn grant_write(&self, role: &Role) -> Policy {
        self.grant(role, WRITE_ACTIONS.to_vec(), KEY_WRITE_ACTIONS.to_vec())
    }

    /// Both, as aws-cdk-lib's `bucket.grantReadWrite`: [`READ_ACTIONS`]
    /// then [`WRITE_ACTIONS`], and the key actions of both without
    /// repeats (`kms:Decrypt`, `kms:DescribeKey`, `kms:Encrypt`,
    /// `kms:ReEncrypt*`, `kms:GenerateDataKey*`).
    pub fn grant_read_write(&self, role: &Role) -> Policy {
        let mut actions = READ_ACTIONS.to_vec();
        actions.extend(WRITE_ACTIONS);
        let mut key_actions = KEY_READ_ACTIONS.to_vec();
        for a in KEY_WRITE_ACTIONS {
            if !key_actions.contains(&a) {
                key_actions.push(a);
            }
        }
        self.grant(role, actions, key_actions)
    }

    fn grant(&self, role: &Role, actions: Vec<&str>, key_actions: Vec<&str>) -> Policy {
        let mut doc = PolicyDocument::new().statement(
            Statement::allow()
                .actions(actions)
                .resources([self.arn(), self.objects_arn()]),
        );
        if let Some(key) = &self.key_arn {
            doc.push(
                Statement::allow()
                    .actions(key_actions)
                    .resource(key.clone()),
            );
        }
        Policy::builder(doc).attach_to_role(role)
    }
}

impl BucketBuilder {
    /// The bucket name: 3-63 lowercase letters, digits, dots and hyphens,
    /// starting and ending with a letter or digit. Default: CloudFormation
    /// generates a unique name (recommended).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Encryption at rest. Default: [`Encryption::S3Managed`] (SSE-S3), as
    /// aws-cdk-lib's `s3.Bucket` without an `encryptionKey`. With
    /// [`Encryption::Kms`] the S3 Bucket Key is always on (the CDK's
    /// `bucketKeyEnabled` defaults to false).
    pub fn encryption(mut self, encryption: Encryption) -> Self {
        self.encryption = encryption;
        self
    }

    /// Object versioning. Default: [`Versioning::Disabled`], as
    /// aws-cdk-lib's `s3.Bucket` (`versioned: false`); turn it on for data
    /// that must survive an overwrite or a delete.
    pub fn versioning(mut self, versioning: Versioning) -> Self {
        self.versioning = versioning;
        self
    }

    /// Adds a lifecycle rule. Default: none (objects are kept forever).
    pub fn lifecycle_rule(mut self, rule: LifecycleRule) -> Self {
        self.lifecycle.push(rule);
        self
    }

    /// What happens to the bucket when it leaves the stack or is replaced.
    /// Default: [`RemovalPolicy::Retain`], as aws-cdk-lib's `s3.Bucket`
    /// (the bucket is orphaned). CloudFormation cannot delete a bucket
    /// that still holds objects.
    pub fn removal_policy(mut self, policy: RemovalPolicy) -> Self {
        self.removal = policy;
        self
    }
}

/// What is wrong with a bucket name, if anything.
fn name_problem(name: &str) -> Option<String> {
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-');
    let ends_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let ok = (3..=63).contains(&name.len())
        && ok_chars
        && ends_ok(name.chars().next())
        && ends_ok(name.chars().last())
        && !name.contains("..");
    (!ok).then(|| {
        format!("bucket name {name:?} is invalid: use 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit")
    })
}

impl Construct for BucketBuilder {
    type Built = Bucket;

    fn build(self, here: &mut Scope<'_>) -> Bucket {
        if let Some(p) = self.name.as_deref().and_then(name_problem) {
            here.error(p);
        }
        for rule in &self.lifecycle {
            for p in rule.problems() {
                here.error(p);
            }
            if rule.noncurrent_after_days.is_some() && self.versioning == Versioning::Disabled {
                here.warning(format!(
                    "lifecycle rule {} expires noncurrent versions, but the bucket is not versioned",
                    rule.id
                ));
            }
        }
        let mut ids: Vec<&str> = self.lifecycle.iter().map(|r| r.id.as_str()).collect();
        ids.sort_unstable();
        if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
            here.error(format!("two lifecycle rules have the id {:?}", w[0]));
        }

        let sse = match &self.encryption {
            Encryption::S3Managed => cfn::bucket::ServerSideEncryptionRule::new()
                .server_side_encryption_by_default(
                    cfn::bucket::ServerSideEncryptionByDefault::new("AES256"),
                ),
            Encryption::Kms { key_arn } => cfn::bucket::ServerSideEncryptionRule::new()
                .server_side_encryption_by_default(
                    cfn::bucket::ServerSideEncryptionByDefault::new("aws:kms")
                        .kms_master_key_id(key_arn.clone()),
                )
                .bucket_key_enabled(true),
        };
        let mut bucket = cfn::CfnBucket::new()
            .bucket_encryption(cfn::bucket::BucketEncryption::new(vec![sse]))
            .public_access_block_configuration(
                cfn::bucket::PublicAccessBlockConfiguration::new()
                    .block_public_acls(true)
                    .block_public_policy(true)
                    .ignore_public_acls(true)
                    .restrict_public_buckets(true),
            )
            .ownership_controls(cfn::bucket::OwnershipControls::new(vec![
                cfn::bucket::OwnershipControlsRule::new().object_ownership("BucketOwnerEnforced"),
            ]));
        if let Some(name) = &self.name {
            bucket = bucket.bucket_name(name.as_str());
        }
        if self.versioning == Versioning::Enabled {
            bucket = bucket
                .versioning_configuration(cfn::bucket::VersioningConfiguration::new("Enabled"));
        }
        if !self.lifecycle.is_empty() {
            bucket = bucket.lifecycle_configuration(cfn::bucket::LifecycleConfiguration::new(
                self.lifecycle
                    .iter()
                    .map(LifecycleRule::to_cfn)
                    .collect::<Vec<_>>(),
            ));
        }
        let handle = here.add("Resource", bucket);
        here.edit(&handle).removal_policy(self.removal);
        let arn = handle.arn();
        let objects_arn = fns::sub_with("${Arn}/*", [("Arn", arn.clone())]);

        // aws-cdk-lib's `enforceSSL` statement: deny s3:* to anyone on the
        // bucket and its objects when aws:SecureTransport is false.
        let tls_only = Statement::deny()
            .action("s3:*")
            .principal(Principal::Anyone)
            .resources([arn.clone(), objects_arn.clone()])
            .condition("Bool", "aws:SecureTransport", ["false"]);
        here.add(
            "Policy",
            cfn::CfnBucketPolicy::new(cfn::CfnBucketPolicyRequired {
                bucket: handle.reference(),
                policy_document: PolicyDocument::new().statement(tls_only).into(),
            }),
        );
        Bucket {
            node: Some(here.node_id()),
            handle: Some(handle),
            name: handle.reference(),
            arn,
            objects_arn,
            key_arn: match self.encryption {
                Encryption::Kms { key_arn } => Some(key_arn),
                Encryption::S3Managed => None,
            },
        }
    }
}
