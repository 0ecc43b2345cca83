//! EKS constructs: the cluster, managed node groups, add-ons and access
//! entries, with the checks EKS would otherwise fail on at deploy time.

use crate::aws::eks as cfn;
use crate::ec2::{SecurityGroup, Subnet};
use crate::iam::Role;
use crate::resource::Handle;
use crate::stack::AsScope;
use crate::value::{Map, Val};

/// The Kubernetes version new clusters get unless told otherwise.
pub const DEFAULT_VERSION: &str = "1.33";

/// AWS managed policies a cluster service role needs.
pub const CLUSTER_POLICY: &str = "AmazonEKSClusterPolicy";

/// AWS managed policies a node role needs.
pub const NODE_POLICIES: [&str; 3] = [
    "AmazonEKSWorkerNodePolicy",
    "AmazonEKS_CNI_Policy",
    "AmazonEC2ContainerRegistryReadOnly",
];

/// Control plane log types.
pub const LOG_TYPES: [&str; 5] = [
    "api",
    "audit",
    "authenticator",
    "controllerManager",
    "scheduler",
];

/// A cluster, being configured.
#[derive(Clone, Debug)]
pub struct ClusterBuilder {
    role: Role,
    subnets: Vec<Subnet>,
    name: Option<String>,
    version: String,
    security_groups: Vec<Val<String>>,
    public_access: bool,
    private_access: bool,
    public_access_cidrs: Vec<String>,
    log_types: Vec<String>,
    secrets_key_arn: Option<Val<String>>,
    authentication_mode: String,
    bootstrap_admin: bool,
}

/// An EKS cluster in a stack.
#[derive(Clone, Debug)]
pub struct Cluster {
    handle: Handle<cfn::CfnCluster>,
    subnets: Vec<Subnet>,
}

impl Cluster {
    /// A cluster whose control plane uses `role` and places its network
    /// interfaces in `subnets` (at least two, in different zones).
    pub fn builder(role: &Role, subnets: &[Subnet]) -> ClusterBuilder {
        ClusterBuilder {
            role: role.clone(),
            subnets: subnets.to_vec(),
            name: None,
            version: DEFAULT_VERSION.into(),
            security_groups: Vec::new(),
            public_access: true,
            private_access: true,
            public_access_cidrs: Vec::new(),
            log_types: vec!["api".into(), "audit".into(), "authenticator".into()],
            secrets_key_arn: None,
            authentication_mode: "API_AND_CONFIG_MAP".into(),
            bootstrap_admin: true,
        }
    }

    pub fn handle(&self) -> Handle<cfn::CfnCluster> {
        self.handle
    }

    /// The cluster name (its `Ref`).
    pub fn name(&self) -> Val<String> {
        self.handle.reference()
    }

    pub fn arn(&self) -> Val<String> {
        self.handle.arn()
    }

    /// The API server endpoint.
    pub fn endpoint(&self) -> Val<String> {
        self.handle.endpoint()
    }

    /// The security group EKS creates for the control plane and nodes.
    pub fn cluster_security_group_id(&self) -> Val<String> {
        self.handle.cluster_security_group_id()
    }

    pub fn oidc_issuer_url(&self) -> Val<String> {
        self.handle.open_id_connect_issuer_url()
    }

    pub fn subnets(&self) -> &[Subnet] {
        &self.subnets
    }
}

impl ClusterBuilder {
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The Kubernetes version, `1.33`.
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = version.into();
        self
    }

    /// An extra security group for the control plane's network interfaces.
    pub fn security_group(mut self, group: &SecurityGroup) -> Self {
        self.security_groups.push(group.id());
        self
    }

    /// Whether the API endpoint is reachable from the internet and from
    /// inside the VPC. At least one must be on.
    pub fn endpoint_access(mut self, public: bool, private: bool) -> Self {
        self.public_access = public;
        self.private_access = private;
        self
    }

    /// Limits public endpoint access to these blocks.
    pub fn public_access_cidrs<S: Into<String>>(
        mut self,
        cidrs: impl IntoIterator<Item = S>,
    ) -> Self {
        self.public_access_cidrs = cidrs.into_iter().map(Into::into).collect();
        self
    }

    /// The control plane log types to send to CloudWatch Logs.
    pub fn logging<S: Into<String>>(mut self, types: impl IntoIterator<Item = S>) -> Self {
        self.log_types = types.into_iter().map(Into::into).collect();
        self
    }

    /// Envelope-encrypts Kubernetes secrets with this KMS key.
    pub fn secrets_encryption(mut self, key_arn: impl Into<Val<String>>) -> Self {
        self.secrets_key_arn = Some(key_arn.into());
        self
    }

    /// `API`, `API_AND_CONFIG_MAP` (default) or `CONFIG_MAP`, and whether
    /// the identity creating the cluster becomes its administrator.
    pub fn access(
        mut self,
        authentication_mode: impl Into<String>,
        bootstrap_creator_admin: bool,
    ) -> Self {
        self.authentication_mode = authentication_mode.into();
        self.bootstrap_admin = bootstrap_creator_admin;
        self
    }

    pub fn build(self, scope: &mut impl AsScope, id: &str) -> Cluster {
        let mut scope = scope.as_scope();
        let mut here = scope.child(id);
        if !self.role.has_aws_managed_policy(CLUSTER_POLICY) {
            here.error(format!(
                "the service role {} lacks the {CLUSTER_POLICY} managed policy, so EKS refuses it (\"The provided role doesn't have the Amazon EKS Managed Policies associated with it\"); attach ManagedPolicyRef::aws(\"{CLUSTER_POLICY}\")",
                self.role.construct_path()
            ));
        }
        let zones: std::collections::BTreeSet<u32> =
            self.subnets.iter().map(Subnet::az_index).collect();
        if self.subnets.len() < 2 || zones.len() < 2 {
            here.error(format!(
                "EKS needs subnets in at least two availability zones; {} subnet(s) in {} zone(s) given",
                self.subnets.len(),
                zones.len()
            ));
        }
        if !self.public_access && !self.private_access {
            here.error("turn on public or private endpoint access (or both)");
        }
        if !self.public_access && !self.public_access_cidrs.is_empty() {
            here.error("public access CIDRs are set but the public endpoint is off");
        }
        for c in &self.public_access_cidrs {
            if let Err(e) = c.parse::<crate::ec2::cidr::Cidr>() {
                here.error(format!("public access CIDR: {e}"));
            }
        }
        for t in &self.log_types {
            if !LOG_TYPES.contains(&t.as_str()) {
                here.error(format!(
                    "unknown log type {t:?}; use {}",
                    LOG_TYPES.join(", ")
                ));
            }
        }
        let subnet_ids: Vec<Val<String>> = self.subnets.iter().map(Subnet::id).collect();
        let mut vpc = cfn::cluster::ResourcesVpcConfig::new(subnet_ids)
            .endpoint_public_access(self.public_access)
            .endpoint_private_access(self.private_access);
        if !self.security_groups.is_empty() {
            vpc = vpc.security_group_ids(self.security_groups);
        }
        if !self.public_access_cidrs.is_empty() {
            vpc = vpc.public_access_cidrs(self.public_access_cidrs);
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
        if let Some(key) = self.secrets_key_arn {
            cluster = cluster.encryption_config(vec![cfn::cluster::EncryptionConfig::new()
                .provider(cfn::cluster::Provider::new().key_arn(key))
                .resources(["secrets"])]);
        }
        Cluster {
            handle: here.add("Resource", cluster),
            subnets: self.subnets,
        }
    }
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

/// A managed node group, being configured.
#[derive(Clone, Debug)]
pub struct NodegroupBuilder {
    cluster: Val<String>,
    role: Role,
    subnets: Vec<Subnet>,
    name: Option<String>,
    instance_types: Vec<String>,
    min: u32,
    desired: u32,
    max: u32,
    disk_size: Option<u32>,
    ami_type: Option<String>,
    capacity_type: Option<String>,
    labels: Vec<(String, String)>,
    taints: Vec<(String, Option<String>, TaintEffect)>,
}

/// A managed node group in a stack.
#[derive(Clone, Debug)]
pub struct Nodegroup {
    handle: Handle<cfn::CfnNodegroup>,
}

impl Nodegroup {
    /// Nodes for `cluster` with `role`, in `subnets`. Defaults: 2 nodes
    /// (1 to 3), `t3.medium`.
    pub fn builder(cluster: &Cluster, role: &Role, subnets: &[Subnet]) -> NodegroupBuilder {
        NodegroupBuilder {
            cluster: cluster.name(),
            role: role.clone(),
            subnets: subnets.to_vec(),
            name: None,
            instance_types: vec!["t3.medium".into()],
            min: 1,
            desired: 2,
            max: 3,
            disk_size: None,
            ami_type: None,
            capacity_type: None,
            labels: Vec::new(),
            taints: Vec::new(),
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
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    pub fn instance_types<S: Into<String>>(mut self, types: impl IntoIterator<Item = S>) -> Self {
        self.instance_types = types.into_iter().map(Into::into).collect();
        self
    }

    /// Node counts: minimum, desired and maximum.
    pub fn scaling(mut self, min: u32, desired: u32, max: u32) -> Self {
        self.min = min;
        self.desired = desired;
        self.max = max;
        self
    }

    /// Root volume size in GiB.
    pub fn disk_size(mut self, gib: u32) -> Self {
        self.disk_size = Some(gib);
        self
    }

    /// `AL2023_x86_64_STANDARD`, `BOTTLEROCKET_ARM_64`, ...
    pub fn ami_type(mut self, ami_type: impl Into<String>) -> Self {
        self.ami_type = Some(ami_type.into());
        self
    }

    /// Spot capacity instead of on-demand.
    pub fn spot(mut self) -> Self {
        self.capacity_type = Some("SPOT".into());
        self
    }

    pub fn label(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.labels.push((key.into(), value.into()));
        self
    }

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

    pub fn build(self, scope: &mut impl AsScope, id: &str) -> Nodegroup {
        let mut scope = scope.as_scope();
        let mut here = scope.child(id);
        let missing: Vec<&str> = NODE_POLICIES
            .iter()
            .copied()
            .filter(|p| !self.role.has_aws_managed_policy(p))
            .collect();
        if !missing.is_empty() {
            here.error(format!(
                "the node role {} lacks {}; nodes cannot join the cluster without them",
                self.role.construct_path(),
                missing.join(", ")
            ));
        }
        if !(self.min <= self.desired && self.desired <= self.max) || self.max == 0 {
            here.error(format!(
                "scaling {}/{}/{} (min/desired/max) must satisfy min <= desired <= max and max >= 1",
                self.min, self.desired, self.max
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
        .instance_types(self.instance_types)
        .scaling_config(
            cfn::nodegroup::ScalingConfig::new()
                .min_size(i64::from(self.min))
                .desired_size(i64::from(self.desired))
                .max_size(i64::from(self.max)),
        );
        if let Some(name) = &self.name {
            group = group.nodegroup_name(name.as_str());
        }
        if let Some(size) = self.disk_size {
            group = group.disk_size(i64::from(size));
        }
        if let Some(t) = &self.ami_type {
            group = group.ami_type(t.as_str());
        }
        if let Some(t) = &self.capacity_type {
            group = group.capacity_type(t.as_str());
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
        Nodegroup {
            handle: here.add("Resource", group),
        }
    }
}

/// An EKS add-on.
#[derive(Clone, Debug)]
pub struct Addon {
    handle: Handle<cfn::CfnAddon>,
}

impl Addon {
    /// Installs `name` (`vpc-cni`, `coredns`, `aws-ebs-csi-driver`, ...)
    /// into the cluster. `configuration` is the add-on's JSON settings.
    pub fn build(
        scope: &mut impl AsScope,
        id: &str,
        cluster: &Cluster,
        name: &str,
        configuration: Option<serde_json::Value>,
    ) -> Addon {
        let mut scope = scope.as_scope();
        let mut here = scope.child(id);
        let mut addon = cfn::CfnAddon::new(cfn::CfnAddonRequired {
            addon_name: name.into(),
            cluster_name: cluster.name(),
        })
        .resolve_conflicts("OVERWRITE");
        if let Some(config) = configuration {
            addon = addon.configuration_values(config.to_string());
        }
        Addon {
            handle: here.add("Resource", addon),
        }
    }

    /// The EBS CSI driver with a default `gp3` storage class, which EKS
    /// clusters otherwise lack. Its node role needs
    /// `service-role/AmazonEBSCSIDriverPolicy`.
    pub fn ebs_csi_driver(scope: &mut impl AsScope, id: &str, cluster: &Cluster) -> Addon {
        Addon::build(
            scope,
            id,
            cluster,
            "aws-ebs-csi-driver",
            Some(serde_json::json!({"defaultStorageClass": {"enabled": true}})),
        )
    }

    pub fn handle(&self) -> Handle<cfn::CfnAddon> {
        self.handle
    }
}

/// Grants an IAM principal access to the cluster's Kubernetes API.
#[derive(Clone, Debug)]
pub struct AccessEntry {
    handle: Handle<cfn::CfnAccessEntry>,
}

impl AccessEntry {
    /// `principal_arn` gets the EKS access policy `policy` (e.g.
    /// `AmazonEKSClusterAdminPolicy`) cluster-wide.
    pub fn build(
        scope: &mut impl AsScope,
        id: &str,
        cluster: &Cluster,
        principal_arn: impl Into<Val<String>>,
        policy: &str,
    ) -> AccessEntry {
        let mut scope = scope.as_scope();
        let mut here = scope.child(id);
        let policy_arn = crate::fns::sub(format!(
            "arn:${{AWS::Partition}}:eks::aws:cluster-access-policy/{policy}"
        ));
        let entry = cfn::CfnAccessEntry::new(cfn::CfnAccessEntryRequired {
            cluster_name: cluster.name(),
            principal_arn: principal_arn.into(),
        })
        .access_policies(vec![cfn::access_entry::AccessPolicy::new(
            cfn::access_entry::AccessPolicyRequired {
                access_scope: cfn::access_entry::AccessScope::new("cluster").into(),
                policy_arn,
            },
        )]);
        AccessEntry {
            handle: here.add("Resource", entry),
        }
    }

    pub fn handle(&self) -> Handle<cfn::CfnAccessEntry> {
        self.handle
    }
}
