//! EKS constructs: the cluster, managed node groups, add-ons and access
//! entries, with the checks EKS would otherwise fail on at deploy time.
//!
//! ```
//! use synth::prelude::*;
//! use synth::ec2::Vpc;
//! use synth::eks::{Addon, Cluster, EndpointAccess, Nodegroup, Scaling, CLUSTER_POLICY, NODE_POLICIES};
//! use synth::iam::{ManagedPolicyRef, Principal, Role};
//!
//! let mut app = App::new();
//! let stack = app.stack("Eks");
//! let vpc = stack.add("Vpc", Vpc::builder());
//! let service = stack.add("ServiceRole", Role::assumed_by(Principal::service("eks.amazonaws.com"))
//!     .managed_policy(ManagedPolicyRef::aws(CLUSTER_POLICY)));
//! let cluster = stack.add("Cluster", Cluster::builder(&service, vpc.private_subnets())
//!     .endpoint_access(EndpointAccess::Private));
//! let mut nodes = Role::assumed_by(Principal::service("ec2.amazonaws.com"));
//! for policy in NODE_POLICIES {
//!     nodes = nodes.managed_policy(ManagedPolicyRef::aws(policy));
//! }
//! let nodes = stack.add("NodeRole", nodes);
//! stack.add("Nodes", Nodegroup::builder(&cluster, &nodes, vpc.private_subnets())
//!     .scaling(Scaling { min: 2, desired: 2, max: 4 }));
//! stack.add("CoreDns", Addon::builder(&cluster, "coredns"));
//! app.synth().expect("valid");
//! ```

mod pod_identity;
pub mod versions;

pub use pod_identity::{
    AgentAddon, PodIdentityRole, PodIdentityRoleBuilder, ServiceAccount, POD_IDENTITY_AGENT,
};

use crate::aws::eks as cfn;
use crate::construct::{Construct, HasNode};
use crate::ec2::{SecurityGroup, Subnet, Zone};
use crate::element_ids::NodeId;
use crate::iam::Role;
use crate::resource::Handle;
use crate::stack::Scope;
use crate::value::{Map, Val};

/// The Kubernetes version new clusters get unless told otherwise: the
/// newest in [`versions::VERSIONS`].
pub const DEFAULT_VERSION: &str = versions::VERSIONS[0].version;

/// What the cluster's service role may do with a secrets key it was given
/// or that was created for it, as aws-cdk-lib's aws-eks-v2 `Cluster`
/// grants it (`secretsEncryptionKey`).
pub const SECRETS_KEY_ACTIONS: [&str; 4] = [
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:CreateGrant",
];

/// How Kubernetes secrets are envelope-encrypted.
#[derive(Clone, Debug)]
pub enum SecretsEncryption {
    /// With a new customer managed key (rotation on) under the cluster,
    /// `<cluster>/SecretsKey` (needs the `kms` feature).
    NewKey,
    /// With this key, by ARN.
    Key(Val<String>),
    /// Not envelope-encrypted (EBS encryption of etcd only).
    Off,
}

/// The EBS CSI driver's AWS managed policy.
pub const EBS_CSI_POLICY: &str = "service-role/AmazonEBSCSIDriverPolicy";

/// The service account of the EBS CSI driver's controller, which calls the
/// EC2 API (`kube-system`, `ebs-csi-controller-sa`).
pub fn ebs_csi_service_account() -> ServiceAccount {
    ServiceAccount {
        namespace: "kube-system".into(),
        name: EBS_CSI_SERVICE_ACCOUNT.into(),
    }
}

/// The name of the EBS CSI controller's service account.
pub const EBS_CSI_SERVICE_ACCOUNT: &str = "ebs-csi-controller-sa";

/// AWS managed policies a cluster service role needs.
pub const CLUSTER_POLICY: &str = "AmazonEKSClusterPolicy";

/// AWS managed policies a node role needs.
pub const NODE_POLICIES: [&str; 3] = [
    "AmazonEKSWorkerNodePolicy",
    "AmazonEKS_CNI_Policy",
    "AmazonEC2ContainerRegistryReadOnly",
];

/// A control plane log type sent to CloudWatch Logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogType {
    Api,
    Audit,
    Authenticator,
    ControllerManager,
    Scheduler,
}

impl LogType {
    /// Every log type.
    pub const ALL: [LogType; 5] = [
        LogType::Api,
        LogType::Audit,
        LogType::Authenticator,
        LogType::ControllerManager,
        LogType::Scheduler,
    ];

    /// The name EKS uses, `controllerManager`.
    pub fn as_str(self) -> &'static str {
        match self {
            LogType::Api => "api",
            LogType::Audit => "audit",
            LogType::Authenticator => "authenticator",
            LogType::ControllerManager => "controllerManager",
            LogType::Scheduler => "scheduler",
        }
    }
}

/// Where the Kubernetes API endpoint can be reached from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EndpointAccess {
    /// From the internet only; nodes reach it through the internet too.
    Public,
    /// From inside the VPC only.
    Private,
    /// From the internet and from inside the VPC.
    PublicAndPrivate,
    /// From inside the VPC, and from the internet only from these blocks.
    PublicFromAndPrivate(Vec<String>),
}

/// How the cluster authenticates IAM principals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthenticationMode {
    /// EKS access entries only.
    Api,
    /// Access entries and the `aws-auth` ConfigMap.
    ApiAndConfigMap,
    /// The `aws-auth` ConfigMap only (legacy).
    ConfigMap,
}

impl AuthenticationMode {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthenticationMode::Api => "API",
            AuthenticationMode::ApiAndConfigMap => "API_AND_CONFIG_MAP",
            AuthenticationMode::ConfigMap => "CONFIG_MAP",
        }
    }
}

/// A cluster, being configured; add it with [`Scope::add`] to get a
/// [`Cluster`].
#[derive(Clone, Debug)]
pub struct ClusterBuilder {
    role: Role,
    subnets: Vec<Subnet>,
    name: Option<String>,
    version: String,
    security_groups: Vec<Val<String>>,
    endpoint: EndpointAccess,
    log_types: Vec<LogType>,
    secrets: SecretsEncryption,
    authentication_mode: AuthenticationMode,
    bootstrap_admin: bool,
    admins: Vec<Val<String>>,
}

/// An EKS cluster: built in a stack, or imported by name.
#[derive(Clone, Debug)]
pub struct Cluster {
    node: Option<NodeId>,
    handle: Option<Handle<cfn::CfnCluster>>,
    name: Val<String>,
    arn: Val<String>,
    security_group_id: Option<Val<String>>,
    subnets: Vec<Subnet>,
}

/// What identifies an existing cluster.
#[derive(Clone, Debug)]
pub struct ClusterAttributes {
    pub cluster_name: Val<String>,
    /// The security group EKS made for the control plane and nodes, when
    /// rules need it.
    pub cluster_security_group_id: Option<Val<String>>,
}

impl HasNode for Cluster {
    fn node(&self) -> Option<NodeId> {
        self.node
    }
}

impl Cluster {
    /// A cluster whose control plane uses `role` and places its network
    /// interfaces in `subnets` (at least two, in different zones).
    /// Defaults: Kubernetes [`DEFAULT_VERSION`], a private endpoint only
    /// ([`EndpointAccess::Private`]), all five control plane log types,
    /// Kubernetes secrets envelope-encrypted with a new key
    /// ([`SecretsEncryption::NewKey`]; without the `kms` feature, none),
    /// authentication mode `API` (access entries, no `aws-auth`
    /// ConfigMap) with the creator as administrator, no other
    /// administrators, a generated name.
    pub fn builder(role: &Role, subnets: &[Subnet]) -> ClusterBuilder {
        ClusterBuilder {
            role: role.clone(),
            subnets: subnets.to_vec(),
            name: None,
            version: DEFAULT_VERSION.into(),
            security_groups: Vec::new(),
            endpoint: EndpointAccess::Private,
            log_types: LogType::ALL.to_vec(),
            secrets: if cfg!(feature = "kms") {
                SecretsEncryption::NewKey
            } else {
                SecretsEncryption::Off
            },
            authentication_mode: AuthenticationMode::Api,
            bootstrap_admin: true,
            admins: Vec::new(),
        }
    }

    /// An existing cluster.
    pub fn from_attributes(attributes: ClusterAttributes) -> Cluster {
        let arn = crate::fns::sub_with(
            "arn:${AWS::Partition}:eks:${AWS::Region}:${AWS::AccountId}:cluster/${Name}",
            [("Name", attributes.cluster_name.clone())],
        );
        Cluster {
            node: None,
            handle: None,
            name: attributes.cluster_name,
            arn,
            security_group_id: attributes.cluster_security_group_id,
            subnets: Vec::new(),
        }
    }

    /// An existing cluster of the deploying account and region, by name.
    pub fn from_name(name: impl Into<Val<String>>) -> Cluster {
        Cluster::from_attributes(ClusterAttributes {
            cluster_name: name.into(),
            cluster_security_group_id: None,
        })
    }

    /// The `AWS::EKS::Cluster` resource, when the cluster was built here;
    /// its handle reads every attribute (`endpoint()`, ...).
    pub fn handle(&self) -> Option<Handle<cfn::CfnCluster>> {
        self.handle
    }

    /// The cluster name (its `Ref` when built here).
    pub fn name(&self) -> Val<String> {
        self.name.clone()
    }

    pub fn arn(&self) -> Val<String> {
        self.arn.clone()
    }

    /// The API server endpoint, when the cluster was built here.
    pub fn endpoint(&self) -> Option<Val<String>> {
        self.handle.map(|h| h.endpoint())
    }

    /// The security group EKS creates for the control plane and nodes:
    /// known when built here or given on import.
    pub fn cluster_security_group_id(&self) -> Option<Val<String>> {
        self.security_group_id.clone()
    }

    /// The OIDC issuer URL, when the cluster was built here.
    pub fn oidc_issuer_url(&self) -> Option<Val<String>> {
        self.handle.map(|h| h.open_id_connect_issuer_url())
    }

    /// The control plane's subnets, when built here.
    pub fn subnets(&self) -> &[Subnet] {
        &self.subnets
    }
}

impl ClusterBuilder {
    /// The cluster name. Default: generated by CloudFormation.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The Kubernetes version, `1.35`, checked against
    /// [`versions::VERSIONS`]: an error when EKS no longer offers it, a
    /// warning in extended support or when newer than the table. Default:
    /// [`DEFAULT_VERSION`].
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = version.into();
        self
    }

    /// An extra security group for the control plane's network interfaces
    /// (built here or imported). Default: only the one EKS creates.
    pub fn security_group(mut self, group: &SecurityGroup) -> Self {
        self.security_groups.push(group.id());
        self
    }

    /// Where the API endpoint is reachable from. Default:
    /// [`EndpointAccess::Private`], as the AWS Guard rules registry's
    /// `eks_endpoint_no_public_access` and cdk-nag's AwsSolutions-EKS1 ask;
    /// reach it from the internet only with
    /// [`EndpointAccess::PublicFromAndPrivate`] and a CIDR list
    /// ([`EndpointAccess::Public`] and [`EndpointAccess::PublicAndPrivate`]
    /// open it to `0.0.0.0/0` and warn).
    pub fn endpoint_access(mut self, access: EndpointAccess) -> Self {
        self.endpoint = access;
        self
    }

    /// The control plane log types to send to CloudWatch Logs (none: no
    /// logging). Default: all five, [`LogType::ALL`], as cdk-nag's
    /// AwsSolutions-EKS2 asks.
    pub fn logging(mut self, types: impl IntoIterator<Item = LogType>) -> Self {
        self.log_types = types.into_iter().collect();
        self
    }

    /// Envelope-encrypts Kubernetes secrets with this KMS key (its ARN);
    /// the service role is granted [`SECRETS_KEY_ACTIONS`] on it. Default:
    /// [`SecretsEncryption::NewKey`] (with the `kms` feature).
    pub fn secrets_encryption(mut self, key_arn: impl Into<Val<String>>) -> Self {
        self.secrets = SecretsEncryption::Key(key_arn.into());
        self
    }

    /// How Kubernetes secrets are envelope-encrypted, as the Guard rules
    /// registry's `eks_cluster_encryption_rule` asks. Default:
    /// [`SecretsEncryption::NewKey`] with the `kms` feature, else
    /// [`SecretsEncryption::Off`].
    pub fn secrets(mut self, secrets: SecretsEncryption) -> Self {
        self.secrets = secrets;
        self
    }

    /// An IAM principal (role or user ARN) given an access entry with
    /// `AmazonEKSClusterAdminPolicy` on the whole cluster, as
    /// `<cluster>/Admin<n>`. Needs an authentication mode with `API`.
    /// Default: none.
    pub fn admin(mut self, principal_arn: impl Into<Val<String>>) -> Self {
        self.admins.push(principal_arn.into());
        self
    }

    /// How IAM principals authenticate. Default:
    /// [`AuthenticationMode::Api`], the default of aws-cdk-lib's
    /// aws-eks-v2 `Cluster`: access entries instead of the `aws-auth`
    /// ConfigMap.
    pub fn authentication_mode(mut self, mode: AuthenticationMode) -> Self {
        self.authentication_mode = mode;
        self
    }

    /// Whether the identity creating the cluster (the CloudFormation
    /// execution role) becomes its administrator. Default: true, as EKS and
    /// eksctl.
    pub fn bootstrap_creator_admin(mut self, on: bool) -> Self {
        self.bootstrap_admin = on;
        self
    }
}

/// How many distinct zones the subnets span, or `None` when a subnet's
/// zone is unknown (imported without zones).
fn zone_count(subnets: &[Subnet]) -> Option<usize> {
    let mut zones: Vec<&Zone> = Vec::new();
    for s in subnets {
        match s.zone() {
            Zone::Name(n) if n.is_empty() => return None,
            z if !zones.contains(&z) => zones.push(z),
            _ => {}
        }
    }
    Some(zones.len())
}

impl Construct for ClusterBuilder {
    type Built = Cluster;

    fn build(self, here: &mut Scope<'_>) -> Cluster {
        if !self.role.is_imported() && !self.role.has_aws_managed_policy(CLUSTER_POLICY) {
            here.error(format!(
                "the service role {} lacks the {CLUSTER_POLICY} managed policy, so EKS refuses it (\"The provided role doesn't have the Amazon EKS Managed Policies associated with it\"); attach ManagedPolicyRef::aws(\"{CLUSTER_POLICY}\")",
                self.role.construct_path()
            ));
        }
        if let Some(zones) = zone_count(&self.subnets) {
            if self.subnets.len() < 2 || zones < 2 {
                here.error(format!(
                    "EKS needs subnets in at least two availability zones; {} subnet(s) in {zones} zone(s) given",
                    self.subnets.len(),
                ));
            }
        }
        match versions::check(&self.version) {
            Ok(None) => {}
            Ok(Some(warning)) => here.warning(warning),
            Err(error) => here.error(error),
        }
        if matches!(
            self.endpoint,
            EndpointAccess::Public | EndpointAccess::PublicAndPrivate
        ) {
            here.warning("the Kubernetes API endpoint is public to 0.0.0.0/0; use EndpointAccess::PublicFromAndPrivate with the CIDR blocks that need it, or EndpointAccess::Private");
        }
        if !self.admins.is_empty() && self.authentication_mode == AuthenticationMode::ConfigMap {
            here.error("cluster administrators get access entries, which authentication mode CONFIG_MAP ignores; use AuthenticationMode::Api");
        }
        let (public, private, cidrs) = match &self.endpoint {
            EndpointAccess::Public => (true, false, Vec::new()),
            EndpointAccess::Private => (false, true, Vec::new()),
            EndpointAccess::PublicAndPrivate => (true, true, Vec::new()),
            EndpointAccess::PublicFromAndPrivate(cidrs) => {
                if cidrs.is_empty() {
                    here.error(
                        "EndpointAccess::PublicFromAndPrivate needs at least one CIDR block",
                    );
                }
                (true, true, cidrs.clone())
            }
        };
        for c in &cidrs {
            if let Err(e) = c.parse::<crate::ec2::cidr::Cidr>() {
                here.error(format!("public access CIDR: {e}"));
            }
        }
        let subnet_ids: Vec<Val<String>> = self.subnets.iter().map(Subnet::id).collect();
        let mut vpc = cfn::cluster::ResourcesVpcConfig::new(subnet_ids)
            .endpoint_public_access(public)
            .endpoint_private_access(private);
        if !self.security_groups.is_empty() {
            vpc = vpc.security_group_ids(self.security_groups);
        }
        if !cidrs.is_empty() {
            vpc = vpc.public_access_cidrs(cidrs);
        }
        let mut cluster = cfn::CfnCluster::new(cfn::CfnClusterRequired {
            resources_vpc_config: vpc.into(),
            role_arn: self.role.arn(),
        })
        .version(self.version.as_str())
        .access_config(
            cfn::cluster::AccessConfig::new()
                .authentication_mode(self.authentication_mode.as_str())
                .bootstrap_cluster_creator_admin_permissions(self.bootstrap_admin),
        );
        if let Some(name) = &self.name {
            cluster = cluster.name(name.as_str());
        }
        if !self.log_types.is_empty() {
            let types: Vec<cfn::cluster::LoggingTypeConfig> = self
                .log_types
                .iter()
                .map(|t| cfn::cluster::LoggingTypeConfig::new().type_(t.as_str()))
                .collect();
            cluster = cluster.logging(
                cfn::cluster::Logging::new()
                    .cluster_logging(cfn::cluster::ClusterLogging::new().enabled_types(types)),
            );
        }
        let key_grant = secrets_key(here, &self.secrets, &self.role);
        if let Some((key, _)) = &key_grant {
            cluster = cluster.encryption_config(vec![cfn::cluster::EncryptionConfig::new()
                .provider(cfn::cluster::Provider::new().key_arn(key.clone()))
                .resources(["secrets"])]);
        }
        let handle = here.add("Resource", cluster);
        if let Some((_, Some(grant))) = &key_grant {
            // EKS checks the key while creating the cluster.
            here.edit(&handle).depends_on(grant);
        }
        let built = Cluster {
            node: Some(here.node_id()),
            handle: Some(handle),
            name: handle.reference(),
            arn: handle.arn(),
            security_group_id: Some(handle.cluster_security_group_id()),
            subnets: self.subnets,
        };
        for (i, admin) in self.admins.into_iter().enumerate() {
            here.add(
                &format!("Admin{}", i + 1),
                AccessEntry::builder(&built, admin)
                    .policy(AccessPolicy::ClusterAdmin, AccessScope::Cluster),
            );
        }
        built
    }
}

/// The secrets key's ARN and, when the service role was granted its use
/// here, that grant.
fn secrets_key(
    here: &mut Scope<'_>,
    secrets: &SecretsEncryption,
    role: &Role,
) -> Option<(Val<String>, Option<crate::iam::AddedPolicy>)> {
    let arn = match secrets {
        SecretsEncryption::Off => return None,
        SecretsEncryption::Key(arn) => arn.clone(),
        #[cfg(feature = "kms")]
        SecretsEncryption::NewKey => here
            .add(
                "SecretsKey",
                crate::kms::Key::builder().description("Envelope encryption of Kubernetes secrets"),
            )
            .arn(),
        #[cfg(not(feature = "kms"))]
        SecretsEncryption::NewKey => {
            here.error("SecretsEncryption::NewKey needs synth's kms feature; enable it or give a key with secrets_encryption(arn)");
            return None;
        }
    };
    if role.is_imported() {
        return Some((arn, None));
    }
    let grant = crate::iam::Policy::builder(
        crate::iam::PolicyDocument::new().statement(
            crate::iam::Statement::allow()
                .actions(SECRETS_KEY_ACTIONS)
                .resource(arn.clone()),
        ),
    )
    .attach_to_role(role);
    let grant = here.add("SecretsKeyGrant", grant);
    Some((arn, Some(grant)))
}

/// A taint's effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaintEffect {
    NoSchedule,
    NoExecute,
    PreferNoSchedule,
}

impl TaintEffect {
    fn name(self) -> &'static str {
        match self {
            TaintEffect::NoSchedule => "NO_SCHEDULE",
            TaintEffect::NoExecute => "NO_EXECUTE",
            TaintEffect::PreferNoSchedule => "PREFER_NO_SCHEDULE",
        }
    }
}

/// Node counts of a node group: `min <= desired <= max`, `max >= 1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scaling {
    pub min: u32,
    pub desired: u32,
    pub max: u32,
}

/// Whether nodes run on on-demand or spot capacity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CapacityType {
    OnDemand,
    Spot,
}

/// A managed node group, being configured; add it with [`Scope::add`].
#[derive(Clone, Debug)]
pub struct NodegroupBuilder {
    cluster: Val<String>,
    role: Role,
    subnets: Vec<Subnet>,
    name: Option<String>,
    instance_types: Vec<String>,
    scaling: Scaling,
    disk_size: Option<u32>,
    ami_type: Option<String>,
    capacity_type: Option<CapacityType>,
    labels: Vec<(String, String)>,
    taints: Vec<(String, Option<String>, TaintEffect)>,
    launch_template: bool,
    hop_limit: u8,
}

/// The Amazon Linux 2023 AMI type for `instance_type`: ARM for Graviton
/// families (a `g` among the letters after the generation, `m7g`, `c6gn`),
/// x86-64 otherwise.
pub fn al2023_ami_type(instance_type: &str) -> &'static str {
    let family = instance_type.split('.').next().unwrap_or("");
    let after_generation = family
        .trim_start_matches(|c: char| c.is_ascii_lowercase())
        .trim_start_matches(|c: char| c.is_ascii_digit());
    if after_generation.contains('g') {
        "AL2023_ARM_64_STANDARD"
    } else {
        "AL2023_x86_64_STANDARD"
    }
}

/// A managed node group in a stack.
#[derive(Clone, Debug)]
pub struct Nodegroup {
    node: NodeId,
    handle: Handle<cfn::CfnNodegroup>,
}

impl HasNode for Nodegroup {
    fn node(&self) -> Option<NodeId> {
        Some(self.node)
    }
}

impl Nodegroup {
    /// Nodes for `cluster` with `role`, in `subnets` (each built here or
    /// imported). Defaults: 2 nodes (1 to 3), `t3.medium`, on-demand, the
    /// Amazon Linux 2023 AMI type ([`al2023_ami_type`] of the first
    /// instance type), a launch template (`<nodegroup>/LaunchTemplate`)
    /// requiring IMDSv2 with a hop limit of 2 and an encrypted gp3 root
    /// volume of EKS's default size (20 GiB), no labels or taints.
    pub fn builder(cluster: &Cluster, role: &Role, subnets: &[Subnet]) -> NodegroupBuilder {
        NodegroupBuilder {
            cluster: cluster.name(),
            role: role.clone(),
            subnets: subnets.to_vec(),
            name: None,
            instance_types: vec!["t3.medium".into()],
            scaling: Scaling {
                min: 1,
                desired: 2,
                max: 3,
            },
            disk_size: None,
            ami_type: None,
            capacity_type: None,
            labels: Vec::new(),
            taints: Vec::new(),
            launch_template: true,
            hop_limit: 2,
        }
    }

    pub fn handle(&self) -> Handle<cfn::CfnNodegroup> {
        self.handle
    }

    pub fn arn(&self) -> Val<String> {
        self.handle.arn()
    }
}

impl NodegroupBuilder {
    /// The node group name. Default: generated.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Default: `t3.medium`.
    pub fn instance_types<S: Into<String>>(mut self, types: impl IntoIterator<Item = S>) -> Self {
        self.instance_types = types.into_iter().map(Into::into).collect();
        self
    }

    /// Node counts. Default: min 1, desired 2, max 3.
    pub fn scaling(mut self, scaling: Scaling) -> Self {
        self.scaling = scaling;
        self
    }

    /// Root volume size in GiB (in the launch template, when there is
    /// one). Default: EKS's (20 GiB).
    pub fn disk_size(mut self, gib: u32) -> Self {
        self.disk_size = Some(gib);
        self
    }

    /// `AL2023_x86_64_STANDARD`, `BOTTLEROCKET_ARM_64`, ... Default:
    /// [`al2023_ami_type`] of the first instance type (eksctl's default AMI
    /// family, Amazon Linux 2023).
    pub fn ami_type(mut self, ami_type: impl Into<String>) -> Self {
        self.ami_type = Some(ami_type.into());
        self
    }

    /// Default: [`CapacityType::OnDemand`].
    pub fn capacity_type(mut self, capacity: CapacityType) -> Self {
        self.capacity_type = Some(capacity);
        self
    }

    /// Whether nodes get the launch template that requires IMDSv2
    /// (`HttpTokens: required`, as checkov's CKV_AWS_341 and eksctl's
    /// `disableIMDSv1` default ask). Off, EKS's own launch template
    /// applies. Default: true.
    pub fn imdsv2_launch_template(mut self, on: bool) -> Self {
        self.launch_template = on;
        self
    }

    /// The IMDSv2 hop limit of the launch template: 2 lets pods reach the
    /// instance metadata (as EKS's AMIs set it), 1 keeps them from the
    /// node role's credentials (pods then need Pod Identity). Default: 2.
    pub fn metadata_hop_limit(mut self, hops: u8) -> Self {
        self.hop_limit = hops;
        self
    }

    /// A Kubernetes label on every node. Default: none.
    pub fn label(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.labels.push((key.into(), value.into()));
        self
    }

    /// A Kubernetes taint on every node. Default: none.
    pub fn taint(
        mut self,
        key: impl Into<String>,
        value: Option<&str>,
        effect: TaintEffect,
    ) -> Self {
        self.taints
            .push((key.into(), value.map(str::to_owned), effect));
        self
    }
}

impl Construct for NodegroupBuilder {
    type Built = Nodegroup;

    fn build(self, here: &mut Scope<'_>) -> Nodegroup {
        let missing: Vec<&str> = NODE_POLICIES
            .iter()
            .copied()
            .filter(|p| !self.role.is_imported() && !self.role.has_aws_managed_policy(p))
            .collect();
        if !missing.is_empty() {
            here.error(format!(
                "the node role {} lacks {}; nodes cannot join the cluster without them",
                self.role.construct_path(),
                missing.join(", ")
            ));
        }
        let Scaling { min, desired, max } = self.scaling;
        if !(min <= desired && desired <= max) || max == 0 {
            here.error(format!(
                "scaling {min}/{desired}/{max} (min/desired/max) must satisfy min <= desired <= max and max >= 1"
            ));
        }
        if self.subnets.is_empty() {
            here.error("a node group needs at least one subnet");
        }
        if self.instance_types.is_empty() {
            here.error("a node group needs at least one instance type");
        }
        let subnet_ids: Vec<Val<String>> = self.subnets.iter().map(Subnet::id).collect();
        let mut group = cfn::CfnNodegroup::new(cfn::CfnNodegroupRequired {
            cluster_name: self.cluster,
            node_role: self.role.arn(),
            subnets: subnet_ids.into(),
        })
        .instance_types(self.instance_types.clone())
        .scaling_config(
            cfn::nodegroup::ScalingConfig::new()
                .min_size(i64::from(min))
                .desired_size(i64::from(desired))
                .max_size(i64::from(max)),
        );
        if let Some(name) = &self.name {
            group = group.nodegroup_name(name.as_str());
        }
        if !(1..=64).contains(&self.hop_limit) {
            here.error(format!(
                "metadata hop limit {} is outside 1-64",
                self.hop_limit
            ));
        }
        if self.launch_template {
            let template = node_launch_template(self.disk_size, self.hop_limit);
            let template = here.add("LaunchTemplate", template);
            group = group.launch_template(
                cfn::nodegroup::LaunchTemplateSpecification::new()
                    .id(template.reference())
                    .version(template.latest_version_number()),
            );
        } else if let Some(size) = self.disk_size {
            group = group.disk_size(i64::from(size));
        }
        let ami_type = self.ami_type.clone().unwrap_or_else(|| {
            al2023_ami_type(self.instance_types.first().map_or("", String::as_str)).to_owned()
        });
        group = group.ami_type(ami_type.as_str());
        if let Some(c) = self.capacity_type {
            group = group.capacity_type(match c {
                CapacityType::OnDemand => "ON_DEMAND",
                CapacityType::Spot => "SPOT",
            });
        }
        if !self.labels.is_empty() {
            group = group.labels(Val::<Map<String>>::from(self.labels));
        }
        if !self.taints.is_empty() {
            let taints: Vec<cfn::nodegroup::Taint> = self
                .taints
                .iter()
                .map(|(key, value, effect)| {
                    let t = cfn::nodegroup::Taint::new()
                        .key(key.as_str())
                        .effect(effect.name());
                    match value {
                        Some(v) => t.value(v.as_str()),
                        None => t,
                    }
                })
                .collect();
            group = group.taints(taints);
        }
        let handle = here.add("Resource", group);
        Nodegroup {
            node: here.node_id(),
            handle,
        }
    }
}

/// The nodes' launch template: IMDSv2 only, and an encrypted gp3 root
/// volume (`/dev/xvda`, Amazon Linux 2023's root device).
fn node_launch_template(
    disk_size: Option<u32>,
    hop_limit: u8,
) -> crate::aws::ec2::CfnLaunchTemplate {
    use crate::aws::ec2::launch_template as lt;
    let root = lt::BlockDeviceMapping::new().device_name("/dev/xvda").ebs(
        lt::Ebs::new()
            .volume_type("gp3")
            .volume_size(i64::from(disk_size.unwrap_or(20)))
            .encrypted(true)
            .delete_on_termination(true),
    );
    crate::aws::ec2::CfnLaunchTemplate::new(
        lt::LaunchTemplateData::new()
            .metadata_options(
                lt::MetadataOptions::new()
                    .http_endpoint("enabled")
                    .http_tokens("required")
                    .http_put_response_hop_limit(i64::from(hop_limit)),
            )
            .block_device_mappings(vec![root]),
    )
}

/// An EKS add-on, being configured; add it with [`Scope::add`].
#[derive(Clone, Debug)]
pub struct AddonBuilder {
    cluster: Val<String>,
    name: String,
    configuration: Option<serde_json::Value>,
}

/// An EKS add-on in a stack.
#[derive(Clone, Debug)]
pub struct Addon {
    node: NodeId,
    handle: Handle<cfn::CfnAddon>,
}

impl HasNode for Addon {
    fn node(&self) -> Option<NodeId> {
        Some(self.node)
    }
}

impl Addon {
    /// Installs `name` (`vpc-cni`, `coredns`, `aws-ebs-csi-driver`, ...)
    /// into `cluster` (built here or imported), overwriting conflicting
    /// settings. Defaults: EKS's default version and configuration.
    pub fn builder(cluster: &Cluster, name: impl Into<String>) -> AddonBuilder {
        AddonBuilder {
            cluster: cluster.name(),
            name: name.into(),
            configuration: None,
        }
    }

    /// The EBS CSI driver with a default `gp3` storage class, which EKS
    /// clusters otherwise lack, through the add-on's configuration value
    /// `defaultStorageClass.enabled` (the add-on's schema, `aws eks
    /// describe-addon-configuration`). Its controller's service account,
    /// [`EBS_CSI_SERVICE_ACCOUNT`], needs
    /// `service-role/AmazonEBSCSIDriverPolicy`: give it with
    /// [`PodIdentityRole`] rather than to the node role.
    pub fn ebs_csi_driver(cluster: &Cluster) -> AddonBuilder {
        Addon::builder(cluster, "aws-ebs-csi-driver")
            .configuration(serde_json::json!({"defaultStorageClass": {"enabled": true}}))
    }

    pub fn handle(&self) -> Handle<cfn::CfnAddon> {
        self.handle
    }
}

impl AddonBuilder {
    /// The add-on's JSON settings. Default: none.
    pub fn configuration(mut self, settings: serde_json::Value) -> Self {
        self.configuration = Some(settings);
        self
    }
}

impl Construct for AddonBuilder {
    type Built = Addon;

    fn build(self, here: &mut Scope<'_>) -> Addon {
        let mut addon = cfn::CfnAddon::new(cfn::CfnAddonRequired {
            addon_name: self.name.as_str().into(),
            cluster_name: self.cluster,
        })
        .resolve_conflicts("OVERWRITE");
        if let Some(config) = self.configuration {
            addon = addon.configuration_values(config.to_string());
        }
        let handle = here.add("Resource", addon);
        Addon {
            node: here.node_id(),
            handle,
        }
    }
}

/// An EKS access policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccessPolicy {
    /// `AmazonEKSClusterAdminPolicy`: everything, cluster-wide.
    ClusterAdmin,
    /// `AmazonEKSAdminPolicy`.
    Admin,
    /// `AmazonEKSEditPolicy`.
    Edit,
    /// `AmazonEKSViewPolicy`.
    View,
    /// Any other, by name.
    Named(String),
}

impl AccessPolicy {
    pub fn name(&self) -> &str {
        match self {
            AccessPolicy::ClusterAdmin => "AmazonEKSClusterAdminPolicy",
            AccessPolicy::Admin => "AmazonEKSAdminPolicy",
            AccessPolicy::Edit => "AmazonEKSEditPolicy",
            AccessPolicy::View => "AmazonEKSViewPolicy",
            AccessPolicy::Named(name) => name,
        }
    }
}

/// Where an access policy applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccessScope {
    Cluster,
    Namespaces(Vec<String>),
}

/// Access to the cluster's Kubernetes API for an IAM principal, being
/// configured; add it with [`Scope::add`].
#[derive(Clone, Debug)]
pub struct AccessEntryBuilder {
    cluster: Val<String>,
    principal_arn: Val<String>,
    policies: Vec<(AccessPolicy, AccessScope)>,
}

/// An access entry in a stack.
#[derive(Clone, Debug)]
pub struct AccessEntry {
    node: NodeId,
    handle: Handle<cfn::CfnAccessEntry>,
}

impl HasNode for AccessEntry {
    fn node(&self) -> Option<NodeId> {
        Some(self.node)
    }
}

impl AccessEntry {
    /// An entry for `principal_arn` (a role or user ARN) in `cluster`.
    /// Default: no access policy (Kubernetes RBAC decides).
    pub fn builder(cluster: &Cluster, principal_arn: impl Into<Val<String>>) -> AccessEntryBuilder {
        AccessEntryBuilder {
            cluster: cluster.name(),
            principal_arn: principal_arn.into(),
            policies: Vec::new(),
        }
    }

    pub fn handle(&self) -> Handle<cfn::CfnAccessEntry> {
        self.handle
    }
}

impl AccessEntryBuilder {
    /// Associates an EKS access policy where it applies. Default: none.
    pub fn policy(mut self, policy: AccessPolicy, scope: AccessScope) -> Self {
        self.policies.push((policy, scope));
        self
    }
}

impl Construct for AccessEntryBuilder {
    type Built = AccessEntry;

    fn build(self, here: &mut Scope<'_>) -> AccessEntry {
        let mut entry = cfn::CfnAccessEntry::new(cfn::CfnAccessEntryRequired {
            cluster_name: self.cluster,
            principal_arn: self.principal_arn,
        });
        if !self.policies.is_empty() {
            let mut policies = Vec::new();
            for (policy, scope) in &self.policies {
                let arn = crate::fns::sub(format!(
                    "arn:${{AWS::Partition}}:eks::aws:cluster-access-policy/{}",
                    policy.name()
                ));
                let access_scope = match scope {
                    AccessScope::Cluster => cfn::access_entry::AccessScope::new("cluster"),
                    AccessScope::Namespaces(names) => {
                        if names.is_empty() {
                            here.error("AccessScope::Namespaces needs at least one namespace");
                        }
                        cfn::access_entry::AccessScope::new("namespace").namespaces(names.clone())
                    }
                };
                policies.push(cfn::access_entry::AccessPolicy::new(
                    cfn::access_entry::AccessPolicyRequired {
                        access_scope: access_scope.into(),
                        policy_arn: arn,
                    },
                ));
            }
            entry = entry.access_policies(policies);
        }
        let handle = here.add("Resource", entry);
        AccessEntry {
            node: here.node_id(),
            handle,
        }
    }
}
