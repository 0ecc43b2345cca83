//! RDS constructs: a PostgreSQL or MySQL database instance in a VPC, with
//! secure defaults and engine versions checked at synthesis against the
//! versions RDS still creates instances with.
//!
//! ```
//! use synth::prelude::*;
//! use synth::ec2::{Port, SecurityGroup, Vpc};
//! use synth::rds::{DatabaseInstance, Engine, PostgresVersion};
//!
//! let mut app = App::new();
//! let stack = app.stack("Data");
//! let vpc = stack.add("Vpc", Vpc::builder());
//! let db = stack.add("Db", DatabaseInstance::builder(Engine::Postgres(PostgresVersion::V16_9), &vpc));
//! let app_servers = stack.add("App", SecurityGroup::builder(&vpc, "application servers"));
//! stack.add("DbFromApp", db.allow_from(&app_servers, "PostgreSQL from the application"));
//! stack.output("DbAddress", db.endpoint_address());
//! app.synth().expect("valid");
//! ```
//!
//! The defaults follow the AWS CDK's `rds.DatabaseInstance` where that is
//! the secure choice and are stricter where it is not; each setter's
//! documentation states the default and, where it differs, the CDK's.

mod engine_versions;

use std::borrow::Cow;

use crate::aws::rds as cfn;
use crate::construct::{Construct, HasNode};
use crate::ec2::{Peer, Port, SecurityGroup, SecurityGroupRule, Subnet, Vpc, Zone};
use crate::element_ids::NodeId;
use crate::resource::{Handle, RemovalPolicy};
use crate::stack::Scope;
use crate::value::Val;

/// A PostgreSQL engine version: one of the generated constants
/// (`PostgresVersion::V16_9`, every version RDS creates new instances
/// with), or any string with [`PostgresVersion::new`], checked at
/// synthesis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostgresVersion(Cow<'static, str>);

/// A MySQL engine version: one of the generated constants
/// (`MysqlVersion::V8_0_42`, ...), or any string with
/// [`MysqlVersion::new`], checked at synthesis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MysqlVersion(Cow<'static, str>);

impl PostgresVersion {
    const fn known(version: &'static str) -> Self {
        PostgresVersion(Cow::Borrowed(version))
    }

    /// A version by its RDS name (`16.9`); a deprecated or unknown one is
    /// a synthesis error listing the current versions of its major.
    pub fn new(version: impl Into<String>) -> Self {
        PostgresVersion(Cow::Owned(version.into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl MysqlVersion {
    const fn known(version: &'static str) -> Self {
        MysqlVersion(Cow::Borrowed(version))
    }

    /// A version by its RDS name (`8.0.42`); a deprecated or unknown one
    /// is a synthesis error listing the current versions of its major.
    pub fn new(version: impl Into<String>) -> Self {
        MysqlVersion(Cow::Owned(version.into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The database engine and its version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Engine {
    Postgres(PostgresVersion),
    Mysql(MysqlVersion),
}

impl Engine {
    /// The RDS engine name, `postgres` or `mysql`.
    pub fn name(&self) -> &'static str {
        match self {
            Engine::Postgres(_) => "postgres",
            Engine::Mysql(_) => "mysql",
        }
    }

    pub fn version(&self) -> &str {
        match self {
            Engine::Postgres(v) => v.as_str(),
            Engine::Mysql(v) => v.as_str(),
        }
    }

    /// The port the engine listens on unless told otherwise: 5432 or 3306.
    pub fn default_port(&self) -> u16 {
        match self {
            Engine::Postgres(_) => 5432,
            Engine::Mysql(_) => 3306,
        }
    }

    /// The master user name unless told otherwise, as in the AWS CDK:
    /// `postgres` or `admin`.
    pub fn default_master_username(&self) -> &'static str {
        match self {
            Engine::Postgres(_) => "postgres",
            Engine::Mysql(_) => "admin",
        }
    }

    /// The versions RDS creates new instances with, and those it no
    /// longer does (generated from cfn-lint's data).
    fn tables(&self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            Engine::Postgres(_) => (
                engine_versions::POSTGRES,
                engine_versions::POSTGRES_DEPRECATED,
            ),
            Engine::Mysql(_) => (engine_versions::MYSQL, engine_versions::MYSQL_DEPRECATED),
        }
    }

    /// The major version a version belongs to: `16` for PostgreSQL 16.9
    /// (`9.6` before PostgreSQL 10), `8.0` for MySQL 8.0.42.
    fn major(&self, version: &str) -> String {
        let parts: Vec<&str> = version.split(['.', '-']).collect();
        let two = match self {
            Engine::Postgres(_) => parts.first() == Some(&"9"),
            Engine::Mysql(_) => true,
        };
        let n = if two { 2 } else { 1 };
        parts[..n.min(parts.len())].join(".")
    }

    /// Why RDS would refuse to create an instance with this version, if
    /// it would.
    pub fn version_problem(&self) -> Option<String> {
        let version = self.version();
        let (current, deprecated) = self.tables();
        if current.contains(&version) {
            return None;
        }
        let name = self.name();
        let what = if deprecated.contains(&version) {
            "is deprecated: RDS no longer creates instances with it"
        } else {
            "is not a version RDS offers"
        };
        let major = self.major(version);
        let same_major: Vec<&str> = current
            .iter()
            .copied()
            .filter(|v| self.major(v) == major)
            .collect();
        let advice = if same_major.is_empty() {
            let mut majors: Vec<String> = Vec::new();
            for v in current {
                let m = self.major(v);
                if !majors.contains(&m) {
                    majors.push(m);
                }
            }
            format!(
                "RDS offers no {name} {major} version any more; current major versions: {}",
                majors.join(", ")
            )
        } else {
            format!(
                "use one of the current {name} {major} versions: {}",
                same_major.join(", ")
            )
        };
        Some(format!("engine version {name} {version} {what}; {advice}"))
    }
}

/// Which of the VPC's subnets the database's subnet group uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubnetSelection {
    /// The VPC's private subnets.
    Private,
    /// The VPC's public subnets (the instance stays not publicly
    /// accessible; see [`DatabaseInstanceBuilder::subnets`]).
    Public,
}

/// How the instance's storage is encrypted.
#[derive(Clone, Debug, PartialEq)]
pub enum StorageEncryption {
    /// With the AWS managed key `aws/rds`.
    AwsManagedKey,
    /// With a customer managed KMS key, by ARN.
    Key(Val<String>),
    /// Not encrypted.
    Off,
}

/// Whether the instance can be deleted while this setting is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeletionProtection {
    On,
    Off,
}

/// Whether RDS keeps a synchronous standby in another availability zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Availability {
    SingleAz,
    MultiAz,
}

/// Whether tags of the instance are copied to its snapshots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CopyTagsToSnapshot {
    On,
    Off,
}

/// Whether database users may also sign in with an IAM authentication
/// token (`EnableIAMDatabaseAuthentication`). Only users granted it in the
/// database (PostgreSQL's `rds_iam` role, MySQL's
/// `AWSAuthenticationPlugin`) and principals allowed `rds-db:connect` can;
/// the master user keeps its password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IamAuthentication {
    On,
    Off,
}

/// Whether RDS applies new minor engine versions in the maintenance window
/// (`AutoMinorVersionUpgrade`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MinorVersionUpgrade {
    Automatic,
    Manual,
}

/// A database instance, being configured; add it with [`Scope::add`] to
/// get a [`DatabaseInstance`].
#[derive(Clone, Debug)]
pub struct DatabaseInstanceBuilder {
    engine: Engine,
    vpc: Vpc,
    selection: SubnetSelection,
    instance_class: String,
    allocated_storage: u32,
    storage_encryption: StorageEncryption,
    deletion_protection: DeletionProtection,
    removal_policy: RemovalPolicy,
    backup_retention_days: u32,
    availability: Availability,
    copy_tags: CopyTagsToSnapshot,
    iam_authentication: IamAuthentication,
    minor_upgrade: MinorVersionUpgrade,
    master_username: Option<String>,
    database_name: Option<String>,
    port: Option<u16>,
}

/// A database instance: built in a stack, or imported by its attributes.
#[derive(Clone, Debug)]
pub struct DatabaseInstance {
    node: Option<NodeId>,
    handle: Option<Handle<cfn::CfnDbInstance>>,
    subnet_group: Option<Handle<cfn::CfnDbSubnetGroup>>,
    security_group: SecurityGroup,
    port: u16,
    endpoint_address: Val<String>,
    endpoint_port: Val<String>,
    secret_arn: Val<String>,
    path: String,
}

/// What identifies an existing database instance.
#[derive(Clone, Debug)]
pub struct DatabaseAttributes {
    /// The DNS name to connect to.
    pub endpoint_address: Val<String>,
    /// The port it listens on.
    pub port: u16,
    /// A security group of the instance, for [`DatabaseInstance::allow_from`].
    pub security_group_id: Val<String>,
    /// The ARN of its master user secret, for
    /// [`DatabaseInstance::grant_secret_read`].
    pub secret_arn: Val<String>,
}

impl HasNode for DatabaseInstance {
    fn node(&self) -> Option<NodeId> {
        self.node
    }
}

impl DatabaseInstance {
    /// A database running `engine` in `vpc` (built here or imported with
    /// its subnets). Defaults, each stated on its setter: the VPC's
    /// private subnets, its own security group with no inbound rule, an
    /// RDS-managed master password in Secrets Manager, encrypted storage,
    /// deletion protection, snapshot on removal, not publicly accessible,
    /// `db.t3.micro`, 20 GiB gp3, 7 days of backups, single-AZ, tags
    /// copied to snapshots, IAM database authentication on, automatic
    /// minor version upgrades.
    pub fn builder(engine: Engine, vpc: &Vpc) -> DatabaseInstanceBuilder {
        DatabaseInstanceBuilder {
            engine,
            vpc: vpc.clone(),
            selection: SubnetSelection::Private,
            instance_class: "db.t3.micro".into(),
            allocated_storage: 20,
            storage_encryption: StorageEncryption::AwsManagedKey,
            deletion_protection: DeletionProtection::On,
            removal_policy: RemovalPolicy::Snapshot,
            backup_retention_days: 7,
            availability: Availability::SingleAz,
            copy_tags: CopyTagsToSnapshot::On,
            iam_authentication: IamAuthentication::On,
            minor_upgrade: MinorVersionUpgrade::Automatic,
            master_username: None,
            database_name: None,
            port: None,
        }
    }

    /// An existing instance, made outside this app.
    pub fn from_attributes(attributes: DatabaseAttributes) -> DatabaseInstance {
        DatabaseInstance {
            node: None,
            handle: None,
            subnet_group: None,
            security_group: SecurityGroup::from_id(attributes.security_group_id),
            port: attributes.port,
            endpoint_address: attributes.endpoint_address,
            endpoint_port: attributes.port.to_string().into(),
            secret_arn: attributes.secret_arn,
            path: String::new(),
        }
    }

    /// The `AWS::RDS::DBInstance` resource, when the instance was built
    /// here; its handle reads every attribute.
    pub fn handle(&self) -> Option<Handle<cfn::CfnDbInstance>> {
        self.handle
    }

    /// The `AWS::RDS::DBSubnetGroup` resource, when the instance was built
    /// here.
    pub fn subnet_group(&self) -> Option<Handle<cfn::CfnDbSubnetGroup>> {
        self.subnet_group
    }

    /// The instance's own security group.
    pub fn security_group(&self) -> &SecurityGroup {
        &self.security_group
    }

    /// The port the database listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The construct path, or `""` for an imported instance.
    pub fn construct_path(&self) -> &str {
        &self.path
    }

    /// The DNS name to connect to (`Endpoint.Address`).
    pub fn endpoint_address(&self) -> Val<String> {
        self.endpoint_address.clone()
    }

    /// The port to connect to, as RDS reports it (`Endpoint.Port`).
    pub fn endpoint_port(&self) -> Val<String> {
        self.endpoint_port.clone()
    }

    /// The ARN of the Secrets Manager secret RDS manages for the master
    /// user (`MasterUserSecret.SecretArn`).
    pub fn secret_arn(&self) -> Val<String> {
        self.secret_arn.clone()
    }

    /// An inbound rule on the database's security group, on its port, from
    /// `peer`: another group (`&SecurityGroup`), an EKS cluster (its
    /// cluster security group, `&Cluster`) or a CIDR [`Peer`]. Add it with
    /// [`Scope::add`], in this or any other stack (an
    /// `AWS::EC2::SecurityGroupIngress`).
    pub fn allow_from(
        &self,
        peer: impl Into<DatabasePeer>,
        description: impl Into<String>,
    ) -> DatabaseIngress {
        let rule = peer.into().0.map(|p| {
            self.security_group
                .allow_from(p, Port::Tcp(self.port), description)
        });
        DatabaseIngress { rule }
    }

    /// Lets `role` read the master user secret: `secretsmanager:GetSecretValue`
    /// and `secretsmanager:DescribeSecret` on that secret only. Add the
    /// returned policy with [`Scope::add`].
    #[cfg(feature = "iam")]
    pub fn grant_secret_read(&self, role: &crate::iam::Role) -> crate::iam::Policy {
        use crate::iam::{Policy, PolicyDocument, Statement};
        Policy::builder(
            PolicyDocument::new().statement(
                Statement::allow()
                    .actions([
                        "secretsmanager:GetSecretValue",
                        "secretsmanager:DescribeSecret",
                    ])
                    .resource(self.secret_arn()),
            ),
        )
        .attach_to_role(role)
    }
}

/// What [`DatabaseInstance::allow_from`] accepts: a security group, an EKS
/// cluster or a CIDR [`Peer`].
#[derive(Clone, Debug)]
pub struct DatabasePeer(Result<Peer, String>);

impl From<Peer> for DatabasePeer {
    fn from(peer: Peer) -> Self {
        DatabasePeer(Ok(peer))
    }
}

impl From<&SecurityGroup> for DatabasePeer {
    fn from(group: &SecurityGroup) -> Self {
        DatabasePeer(Ok(group.into()))
    }
}

#[cfg(all(feature = "eks", feature = "iam"))]
impl From<&crate::eks::Cluster> for DatabasePeer {
    fn from(cluster: &crate::eks::Cluster) -> Self {
        DatabasePeer(cluster.cluster_security_group_id().map(Peer::SecurityGroup).ok_or_else(|| {
            "the cluster was imported without its cluster security group; import it with Cluster::from_attributes and cluster_security_group_id, or allow its nodes' security group".to_owned()
        }))
    }
}

/// An inbound rule to a database: see [`DatabaseInstance::allow_from`].
#[derive(Clone, Debug)]
pub struct DatabaseIngress {
    rule: Result<SecurityGroupRule, String>,
}

/// A [`DatabaseIngress`] in a stack.
#[derive(Clone, Copy, Debug)]
pub struct AddedIngress {
    node: NodeId,
}

impl HasNode for AddedIngress {
    fn node(&self) -> Option<NodeId> {
        Some(self.node)
    }
}

impl Construct for DatabaseIngress {
    type Built = AddedIngress;

    fn build(self, here: &mut Scope<'_>) -> AddedIngress {
        match self.rule {
            Ok(rule) => {
                rule.build(here);
            }
            Err(problem) => here.error(problem),
        }
        AddedIngress {
            node: here.node_id(),
        }
    }
}

impl DatabaseInstanceBuilder {
    /// Which subnets of the VPC the DB subnet group uses. Choosing public
    /// subnets does not make the instance publicly accessible
    /// (`PubliclyAccessible` stays false; the AWS CDK would turn it on).
    /// Default: [`SubnetSelection::Private`], as in the AWS CDK.
    pub fn subnets(mut self, selection: SubnetSelection) -> Self {
        self.selection = selection;
        self
    }

    /// The instance class, `db.t4g.medium`, `db.m7g.large`, ... (must start
    /// with `db.`). Default: `db.t3.micro` (the AWS CDK: `db.m5.large`).
    pub fn instance_class(mut self, class: impl Into<String>) -> Self {
        self.instance_class = class.into();
        self
    }

    /// Storage in GiB, 20 to 65536, on gp3 volumes. Default: 20 GiB gp3
    /// (the AWS CDK: 100 GiB gp2).
    pub fn allocated_storage(mut self, gib: u32) -> Self {
        self.allocated_storage = gib;
        self
    }

    /// How storage is encrypted. Default:
    /// [`StorageEncryption::AwsManagedKey`] (the AWS CDK encrypts only
    /// when given a key).
    pub fn storage_encryption(mut self, encryption: StorageEncryption) -> Self {
        self.storage_encryption = encryption;
        self
    }

    /// Default: [`DeletionProtection::On`] (the AWS CDK: on only with a
    /// `RETAIN` removal policy).
    pub fn deletion_protection(mut self, protection: DeletionProtection) -> Self {
        self.deletion_protection = protection;
        self
    }

    /// The instance's `DeletionPolicy` and `UpdateReplacePolicy`. Default:
    /// [`RemovalPolicy::Snapshot`], as in the AWS CDK.
    pub fn removal_policy(mut self, policy: RemovalPolicy) -> Self {
        self.removal_policy = policy;
        self
    }

    /// Days automated backups are kept, 0 (no backups) to 35. Default: 7
    /// (the AWS CDK and RDS: 1).
    pub fn backup_retention_days(mut self, days: u32) -> Self {
        self.backup_retention_days = days;
        self
    }

    /// Default: [`Availability::SingleAz`], as in the AWS CDK.
    pub fn availability(mut self, availability: Availability) -> Self {
        self.availability = availability;
        self
    }

    /// Default: [`CopyTagsToSnapshot::On`], as in the AWS CDK.
    pub fn copy_tags_to_snapshot(mut self, copy: CopyTagsToSnapshot) -> Self {
        self.copy_tags = copy;
        self
    }

    /// Default: [`IamAuthentication::On`] (the AWS CDK: off), as AWS's
    /// security best practices ask; it costs nothing and lets no one in
    /// until a database user is granted it.
    pub fn iam_authentication(mut self, iam: IamAuthentication) -> Self {
        self.iam_authentication = iam;
        self
    }

    /// Default: [`MinorVersionUpgrade::Automatic`], RDS's and the AWS CDK's
    /// default, written out so that the template says so. The engine
    /// version in the template stays as given; RDS moves the instance to
    /// newer minor versions of it.
    pub fn minor_version_upgrade(mut self, upgrade: MinorVersionUpgrade) -> Self {
        self.minor_upgrade = upgrade;
        self
    }

    /// The master user's name; its password is always generated and kept
    /// by RDS in Secrets Manager (`ManageMasterUserPassword`), never in the
    /// template. Default: `postgres` or `admin`, as in the AWS CDK.
    pub fn master_username(mut self, name: impl Into<String>) -> Self {
        self.master_username = Some(name.into());
        self
    }

    /// A database to create in the instance. Default: none (the AWS CDK
    /// creates none either).
    pub fn database_name(mut self, name: impl Into<String>) -> Self {
        self.database_name = Some(name.into());
        self
    }

    /// The port to listen on, 1150 to 65535. Default: the engine's, 5432
    /// or 3306.
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// Every problem with the settings.
    fn problems(&self, subnets: &[Subnet]) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(p) = self.engine.version_problem() {
            out.push(p);
        }
        if !self.instance_class.starts_with("db.") || self.instance_class.len() <= 3 {
            out.push(format!(
                "instance class {:?} is not an RDS instance class; RDS classes start with \"db.\" (db.t3.micro, db.m7g.large)",
                self.instance_class
            ));
        }
        if !(20..=65536).contains(&self.allocated_storage) {
            out.push(format!(
                "allocated storage {} GiB is outside 20-65536 GiB (gp3)",
                self.allocated_storage
            ));
        }
        if self.backup_retention_days > 35 {
            out.push(format!(
                "backup retention {} days is more than RDS's maximum of 35",
                self.backup_retention_days
            ));
        }
        if let Some(port) = self.port.filter(|p| *p < 1150) {
            out.push(format!(
                "port {port} is below 1150, which RDS does not allow"
            ));
        }
        let max_user = match self.engine {
            Engine::Postgres(_) => 63,
            Engine::Mysql(_) => 32,
        };
        if let Some(user) = &self.master_username {
            let valid = !user.is_empty()
                && user.len() <= max_user
                && user.starts_with(|c: char| c.is_ascii_alphabetic())
                && user.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                out.push(format!(
                    "master user name {user:?} is invalid: use 1-{max_user} letters, digits and underscores, starting with a letter"
                ));
            }
        }
        if let Some(name) = &self.database_name {
            let valid = !name.is_empty()
                && name.len() <= 63
                && name.starts_with(|c: char| c.is_ascii_alphabetic())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                out.push(format!(
                    "database name {name:?} is invalid: use 1-63 letters, digits and underscores, starting with a letter"
                ));
            }
        }
        let kind = match self.selection {
            SubnetSelection::Private => "private",
            SubnetSelection::Public => "public",
        };
        let known_zones = subnets
            .iter()
            .all(|s| !matches!(s.zone(), Zone::Name(n) if n.is_empty()));
        let mut zones: Vec<&Zone> = Vec::new();
        for s in subnets {
            if !zones.contains(&s.zone()) {
                zones.push(s.zone());
            }
        }
        if subnets.is_empty() {
            out.push(format!(
                "the VPC has no {kind} subnets for the DB subnet group; import it with Vpc::from_attributes and its subnet IDs, or choose other subnets with .subnets(..)"
            ));
        } else if known_zones && zones.len() < 2 {
            out.push(format!(
                "RDS needs a DB subnet group in at least two availability zones; the VPC's {kind} subnets are in {} zone(s)",
                zones.len()
            ));
        }
        out
    }
}

impl Construct for DatabaseInstanceBuilder {
    type Built = DatabaseInstance;

    fn build(self, here: &mut Scope<'_>) -> DatabaseInstance {
        let subnets = match self.selection {
            SubnetSelection::Private => self.vpc.private_subnets(),
            SubnetSelection::Public => self.vpc.public_subnets(),
        };
        for problem in self.problems(subnets) {
            here.error(problem);
        }
        let path = here.path().to_owned();
        let id = path.rsplit('/').next().unwrap_or(&path).to_owned();
        let subnet_group = here.add(
            "SubnetGroup",
            cfn::CfnDbSubnetGroup::new(cfn::CfnDbSubnetGroupRequired {
                db_subnet_group_description: format!("Subnet group for {id} database").into(),
                subnet_ids: subnets.iter().map(Subnet::id).collect::<Vec<_>>().into(),
            }),
        );
        let security_group = here.add(
            "SecurityGroup",
            SecurityGroup::builder(&self.vpc, format!("Security group for {id} database")),
        );
        let port = self.port.unwrap_or(self.engine.default_port());
        let username = self
            .master_username
            .clone()
            .unwrap_or_else(|| self.engine.default_master_username().to_owned());
        let mut db = cfn::CfnDbInstance::new()
            .engine(self.engine.name())
            .engine_version(self.engine.version())
            .db_instance_class(self.instance_class.as_str())
            .allocated_storage(self.allocated_storage.to_string())
            .storage_type("gp3")
            .db_subnet_group_name(subnet_group.reference())
            .vpc_security_groups(vec![security_group.id()])
            .publicly_accessible(false)
            .master_username(username)
            .manage_master_user_password(true)
            .deletion_protection(self.deletion_protection == DeletionProtection::On)
            .backup_retention_period(i64::from(self.backup_retention_days))
            .multi_az(self.availability == Availability::MultiAz)
            .copy_tags_to_snapshot(self.copy_tags == CopyTagsToSnapshot::On)
            .enable_iam_database_authentication(self.iam_authentication == IamAuthentication::On)
            .auto_minor_version_upgrade(self.minor_upgrade == MinorVersionUpgrade::Automatic);
        db = match &self.storage_encryption {
            StorageEncryption::AwsManagedKey => db.storage_encrypted(true),
            StorageEncryption::Key(arn) => db.storage_encrypted(true).kms_key_id(arn.clone()),
            StorageEncryption::Off => db.storage_encrypted(false),
        };
        if let Some(name) = &self.database_name {
            db = db.db_name(name.as_str());
        }
        if let Some(p) = self.port {
            db = db.port(p.to_string());
        }
        let handle = here.add("Resource", db);
        here.edit(&handle).removal_policy(self.removal_policy);
        DatabaseInstance {
            node: Some(here.node_id()),
            handle: Some(handle),
            subnet_group: Some(subnet_group),
            security_group,
            port,
            endpoint_address: handle.endpoint_address(),
            endpoint_port: handle.endpoint_port(),
            secret_arn: handle.master_user_secret_secret_arn(),
            path,
        }
    }
}
