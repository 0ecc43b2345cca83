//! The bootstrap GitLab's Amazon EKS integration needs, as one construct:
//! the CI/CD user, the provision role GitLab assumes, the EKS service and
//! node roles, a VPC, the control-plane security group and, optionally,
//! the cluster itself.
//!
//! ```
//! use synth::prelude::*;
//! use synth::gitlab::GitlabEksBootstrap;
//!
//! let mut app = App::new();
//! let stack = app.stack("GitlabEks");
//! let bootstrap = stack.add("Gitlab", GitlabEksBootstrap::builder());
//! stack.output("Vpc", bootstrap.vpc.id());
//! app.synth().expect("valid");
//! ```
//!
//! With [`GitlabEksBootstrapBuilder::cluster`], the built bootstrap holds
//! the cluster itself (`GitlabEksBootstrap<Cluster>`), not an `Option`.

pub mod agent;
pub mod rbac;

use crate::construct::{Construct, HasNode};
use crate::ec2::{Peer, Port, SecurityGroup, SubnetKind, Vpc};
use crate::eks::{
    AccessEntry, AccessPolicy, AccessScope, Addon, AuthenticationMode, Cluster, EndpointAccess,
    Nodegroup, PodIdentityRole, Scaling, SecretsEncryption, CLUSTER_POLICY, NODE_POLICIES,
};
use crate::element_ids::NodeId;
use crate::fns;
use crate::iam::{arn, ManagedPolicyRef, Principal, Role, Statement, User};
use crate::stack::{ParameterSpec, Scope};
use crate::value::Val;

/// Everything the provision role may do, exactly as GitLab documents it
/// for creating EKS clusters (on `*`).
pub const PROVISION_ACTIONS: [&str; 32] = [
    "autoscaling:CreateAutoScalingGroup",
    "autoscaling:DescribeAutoScalingGroups",
    "autoscaling:DescribeScalingActivities",
    "autoscaling:UpdateAutoScalingGroup",
    "autoscaling:CreateLaunchConfiguration",
    "autoscaling:DescribeLaunchConfigurations",
    "cloudformation:CreateStack",
    "cloudformation:DescribeStacks",
    "ec2:AuthorizeSecurityGroupEgress",
    "ec2:AuthorizeSecurityGroupIngress",
    "ec2:RevokeSecurityGroupEgress",
    "ec2:RevokeSecurityGroupIngress",
    "ec2:CreateSecurityGroup",
    "ec2:createTags",
    "ec2:DescribeImages",
    "ec2:DescribeKeyPairs",
    "ec2:DescribeRegions",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcs",
    "eks:CreateCluster",
    "eks:DescribeCluster",
    "iam:AddRoleToInstanceProfile",
    "iam:AttachRolePolicy",
    "iam:CreateRole",
    "iam:CreateInstanceProfile",
    "iam:CreateServiceLinkedRole",
    "iam:GetRole",
    "iam:listAttachedRolePolicies",
    "iam:ListRoles",
    "iam:PassRole",
    "ssm:GetParameters",
];

/// The role name prefix GitLab's CI/CD user may assume.
pub const ROLE_PREFIX: &str = "gitlab-eks-";

pub use crate::eks::EBS_CSI_POLICY;

/// A value given in code, or a stack parameter filled in at deploy.
#[derive(Clone, Debug)]
pub enum Input {
    Literal(String),
    /// A parameter with this logical ID (and no default).
    Parameter(String),
}

/// The bootstrap, being configured; add it with [`Scope::add`]. `C` is
/// `()` until [`GitlabEksBootstrapBuilder::cluster`] makes it
/// [`ClusterOptions`].
#[derive(Clone, Debug)]
pub struct GitlabEksBootstrapBuilder<C = ()> {
    cicd_user: Option<String>,
    access_key: bool,
    provision_role_name: String,
    gitlab_account_id: Input,
    external_id: Input,
    vpc: crate::ec2::VpcBuilder,
    cluster: C,
    deploy: Option<DeployAccess>,
    certificate_based: bool,
}

/// Keyless deploys from GitLab CI: GitLab's OIDC provider, a deploy role
/// only this project's `region/*` branches can assume, and the role
/// CloudFormation itself acts with, which the deploy role may only pass.
#[derive(Clone, Debug)]
pub struct DeployAccess {
    /// The GitLab instance, `https://gitlab.com`.
    pub gitlab_url: String,
    /// `group/project` (or `group/subgroup/project`).
    pub project_path: String,
    /// An existing OIDC provider for the instance (one per account and
    /// URL); `None` creates it.
    pub provider_arn: Option<String>,
    /// Managed policies of the CloudFormation execution role.
    pub execution_policies: Vec<ManagedPolicyRef>,
}

impl DeployAccess {
    /// Access for `project_path` on gitlab.com; the execution role gets
    /// `AdministratorAccess`, since the stacks it deploys create IAM roles.
    pub fn gitlab_com(project_path: impl Into<String>) -> Self {
        DeployAccess {
            gitlab_url: "https://gitlab.com".into(),
            project_path: project_path.into(),
            provider_arn: None,
            execution_policies: vec![ManagedPolicyRef::aws("AdministratorAccess")],
        }
    }
}

/// What `synth deploy` may do with the deploy role: run change sets on
/// this account's stacks, and nothing else.
pub const DEPLOY_ACTIONS: [&str; 10] = [
    "cloudformation:CreateChangeSet",
    "cloudformation:DeleteChangeSet",
    "cloudformation:DescribeChangeSet",
    "cloudformation:DescribeStackEvents",
    "cloudformation:DescribeStacks",
    "cloudformation:ExecuteChangeSet",
    "cloudformation:GetTemplate",
    "cloudformation:DeleteStack",
    "cloudformation:UpdateTerminationProtection",
    "cloudformation:ListStacks",
];

/// What merge request pipelines may do with the diff role: read stacks.
pub const DIFF_ACTIONS: [&str; 3] = [
    "cloudformation:DescribeStacks",
    "cloudformation:GetTemplate",
    "cloudformation:ListStacks",
];

/// The EKS cluster the bootstrap creates, with a node group and add-ons.
#[derive(Clone, Debug)]
pub struct ClusterOptions {
    /// The cluster name. Default: generated by CloudFormation.
    pub name: Option<String>,
    /// The Kubernetes version. Default: [`crate::eks::DEFAULT_VERSION`].
    pub version: String,
    /// The nodes' instance types. Default: `t3.medium`.
    pub instance_types: Vec<String>,
    /// Node counts. Default: min 1, desired 2, max 3.
    pub scaling: Scaling,
    /// The EBS CSI driver add-on with a default `gp3` storage class, its
    /// controller's role through EKS Pod Identity (`EbsCsi`, with
    /// [`EBS_CSI_POLICY`]; the node role does not get it), and the Pod
    /// Identity agent add-on. Default: true.
    pub ebs_csi_driver: bool,
    /// Where the API endpoint is reachable from. Default:
    /// [`EndpointAccess::Private`]: GitLab's agent connects out from the
    /// cluster, and jobs that call the API directly (the agent's install)
    /// run on a runner in the VPC or need
    /// [`EndpointAccess::PublicFromAndPrivate`] with the runners' blocks.
    pub endpoint_access: EndpointAccess,
    /// Envelope encryption of Kubernetes secrets. Default:
    /// [`SecretsEncryption::NewKey`] (with the `kms` feature, else
    /// [`SecretsEncryption::Off`]).
    pub secrets: SecretsEncryption,
    /// IAM role or user ARNs given cluster administrator access entries,
    /// besides the deploy role of [`GitlabEksBootstrapBuilder::deploy_access`].
    /// Default: none.
    pub admins: Vec<String>,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            name: None,
            version: crate::eks::DEFAULT_VERSION.into(),
            instance_types: vec!["t3.medium".into()],
            scaling: Scaling {
                min: 1,
                desired: 2,
                max: 3,
            },
            ebs_csi_driver: true,
            endpoint_access: EndpointAccess::Private,
            secrets: if cfg!(feature = "kms") {
                SecretsEncryption::NewKey
            } else {
                SecretsEncryption::Off
            },
            admins: Vec::new(),
        }
    }
}

/// What the bootstrap created, for other constructs and stacks to use.
/// `C` is the [`Cluster`] when one was asked for, `()` otherwise.
#[derive(Clone, Debug)]
pub struct GitlabEksBootstrap<C = ()> {
    node: NodeId,
    /// The role GitLab's certificate-based integration assumes; `None`
    /// with [`GitlabEksBootstrapBuilder::certificate_based`] off.
    pub provision_role: Option<Role>,
    pub service_role: Role,
    pub node_role: Role,
    pub cicd_user: Option<User>,
    pub vpc: Vpc,
    pub security_group: SecurityGroup,
    pub cluster: C,
    /// The roles GitLab CI deploys and diffs with, when asked
    /// ([`GitlabEksBootstrapBuilder::deploy_access`]).
    pub deploy_roles: Option<DeployRoles>,
}

/// The roles [`DeployAccess`] adds to the bootstrap.
#[derive(Clone, Debug)]
pub struct DeployRoles {
    /// Assumed by jobs on `region/*` branches to run change sets.
    pub deploy: Role,
    /// Passed to CloudFormation, which deploys with it.
    pub execution: Role,
    /// Assumed by jobs on any branch to read stacks and templates (`synth
    /// diff`); attach [`crate::iam::DriftDetectionAccess`] to it for
    /// `synth drift` and `synth fleet`.
    pub diff: Role,
}

impl<C> HasNode for GitlabEksBootstrap<C> {
    fn node(&self) -> Option<NodeId> {
        Some(self.node)
    }
}

impl GitlabEksBootstrap {
    /// Defaults: user `gitlab-cicd` without an access key, provision role
    /// `gitlab-eks-provision`, account and external ID as parameters
    /// `AccountId` and `ExternalId` (logical IDs prefixed by the construct
    /// id, e.g. `GitlabExternalId`), a two-zone VPC, no cluster, no deploy
    /// access, the certificate-based integration on.
    pub fn builder() -> GitlabEksBootstrapBuilder {
        GitlabEksBootstrapBuilder {
            cicd_user: Some("gitlab-cicd".into()),
            access_key: false,
            provision_role_name: "gitlab-eks-provision".into(),
            gitlab_account_id: Input::Parameter("AccountId".into()),
            external_id: Input::Parameter("ExternalId".into()),
            vpc: Vpc::builder(),
            cluster: (),
            deploy: None,
            certificate_based: true,
        }
    }
}

impl GitlabEksBootstrapBuilder<()> {
    /// Creates the EKS cluster, a node group and add-ons too; the built
    /// bootstrap then holds the [`Cluster`]. Default: no cluster.
    pub fn cluster(self, options: ClusterOptions) -> GitlabEksBootstrapBuilder<ClusterOptions> {
        GitlabEksBootstrapBuilder {
            cicd_user: self.cicd_user,
            access_key: self.access_key,
            provision_role_name: self.provision_role_name,
            gitlab_account_id: self.gitlab_account_id,
            external_id: self.external_id,
            vpc: self.vpc,
            cluster: options,
            deploy: self.deploy,
            certificate_based: self.certificate_based,
        }
    }
}

impl<C> GitlabEksBootstrapBuilder<C> {
    /// The IAM user a self-managed GitLab uses (`None`: no user, as on
    /// GitLab.com or with an instance profile). Default: `gitlab-cicd`.
    pub fn cicd_user(mut self, name: Option<&str>) -> Self {
        self.cicd_user = name.map(str::to_owned);
        self
    }

    /// Also creates an access key for the user; its secret goes to Secrets
    /// Manager, never to outputs. Default: false.
    #[cfg(feature = "secretsmanager")]
    pub fn access_key(mut self, on: bool) -> Self {
        self.access_key = on;
        self
    }

    /// The provision role's name; it must start with `gitlab-eks-`.
    /// Default: `gitlab-eks-provision`.
    pub fn provision_role_name(mut self, name: impl Into<String>) -> Self {
        self.provision_role_name = name.into();
        self
    }

    /// GitLab's AWS account ID (12 digits), shown by GitLab when you
    /// create the cluster. Default: the parameter `AccountId`.
    pub fn gitlab_account_id(mut self, input: Input) -> Self {
        self.gitlab_account_id = input;
        self
    }

    /// The external ID GitLab shows (40 hex characters). Default: the
    /// parameter `ExternalId`.
    pub fn external_id(mut self, input: Input) -> Self {
        self.external_id = input;
        self
    }

    /// The VPC's configuration. Default: [`Vpc::builder`]'s.
    pub fn vpc(mut self, vpc: crate::ec2::VpcBuilder) -> Self {
        self.vpc = vpc;
        self
    }

    /// Keeps GitLab's certificate-based cluster integration: the provision
    /// role GitLab assumes with the external ID, its parameters and the
    /// CI/CD user. GitLab deprecated that integration (off by default on
    /// self-managed 17.0+) for the agent ([`agent`](crate::gitlab::agent));
    /// turn it off once clusters connect through the agent. Default: true.
    pub fn certificate_based(mut self, on: bool) -> Self {
        self.certificate_based = on;
        self
    }

    /// Lets GitLab CI deploy from this project's `region/*` branches
    /// through OIDC, with no long-lived keys. With a cluster, the deploy
    /// role also gets a cluster administrator access entry (the agent's
    /// Helm install creates cluster-wide RBAC) and `eks:DescribeCluster`
    /// for its kubeconfig. Default: off.
    pub fn deploy_access(mut self, access: DeployAccess) -> Self {
        self.deploy = Some(access);
        self
    }
}

/// The cluster part of a bootstrap: `()` (none) or [`ClusterOptions`].
pub trait ClusterPart {
    /// `()` or [`Cluster`].
    type Built;
    #[doc(hidden)]
    fn options(&self) -> Option<&ClusterOptions>;
    #[doc(hidden)]
    fn build_part(&self, here: &mut Scope<'_>, parts: &ClusterInputs<'_>) -> Self::Built;
    #[doc(hidden)]
    fn cluster(built: &Self::Built) -> Option<&Cluster>;
}

/// What the cluster is built from.
#[doc(hidden)]
pub struct ClusterInputs<'a> {
    service_role: &'a Role,
    node_role: &'a Role,
    vpc: &'a Vpc,
    security_group: &'a SecurityGroup,
}

impl ClusterPart for () {
    type Built = ();
    fn options(&self) -> Option<&ClusterOptions> {
        None
    }
    fn build_part(&self, _: &mut Scope<'_>, _: &ClusterInputs<'_>) {}
    fn cluster(_: &()) -> Option<&Cluster> {
        None
    }
}

impl ClusterPart for ClusterOptions {
    type Built = Cluster;
    fn options(&self) -> Option<&ClusterOptions> {
        Some(self)
    }
    fn build_part(&self, here: &mut Scope<'_>, parts: &ClusterInputs<'_>) -> Cluster {
        let vpc = parts.vpc;
        let cluster_subnets: Vec<_> = vpc
            .public_subnets()
            .iter()
            .chain(vpc.private_subnets())
            .cloned()
            .collect();
        let mut builder = Cluster::builder(parts.service_role, &cluster_subnets)
            .version(self.version.as_str())
            .security_group(parts.security_group)
            .endpoint_access(self.endpoint_access.clone())
            .authentication_mode(AuthenticationMode::Api)
            .secrets(self.secrets.clone());
        if let Some(name) = &self.name {
            builder = builder.name(name.as_str());
        }
        for admin in &self.admins {
            builder = builder.admin(admin.as_str());
        }
        let cluster = here.add("Cluster", builder);
        let node_subnets = if vpc.private_subnets().is_empty() || !has_nat(vpc) {
            vpc.public_subnets()
        } else {
            vpc.private_subnets()
        };
        here.add(
            "Nodes",
            Nodegroup::builder(&cluster, parts.node_role, node_subnets)
                .instance_types(self.instance_types.clone())
                .scaling(self.scaling),
        );
        if self.ebs_csi_driver {
            let role = here.add(
                "EbsCsi",
                PodIdentityRole::builder(&cluster, crate::eks::ebs_csi_service_account())
                    .managed_policy(ManagedPolicyRef::aws(EBS_CSI_POLICY)),
            );
            let addon = here.add("EbsCsiDriver", Addon::ebs_csi_driver(&cluster));
            // The controller starts with its credentials in place.
            here.edit(&addon).depends_on(&role);
        }
        cluster
    }
    fn cluster(built: &Cluster) -> Option<&Cluster> {
        Some(built)
    }
}

impl<C: ClusterPart> Construct for GitlabEksBootstrapBuilder<C> {
    type Built = GitlabEksBootstrap<C::Built>;

    fn build(self, here: &mut Scope<'_>) -> GitlabEksBootstrap<C::Built> {
        let certificate = self.certificate_based;
        let inputs = certificate.then(|| {
            let account_id = input(here, &self.gitlab_account_id, InputKind::AccountId);
            let external_id = input(here, &self.external_id, InputKind::ExternalId);
            check_provision_role_name(here, &self.provision_role_name);
            (account_id, external_id)
        });

        let cicd_user = self
            .cicd_user
            .as_deref()
            .filter(|_| certificate)
            .map(|name| {
                here.add(
                    "CicdUser",
                    User::builder().name(name).allow(
                        ["sts:AssumeRole"],
                        [arn::role_in_this_account(&format!("{ROLE_PREFIX}*"))],
                    ),
                )
            });
        #[cfg(feature = "secretsmanager")]
        if self.access_key {
            match &cicd_user {
                Some(user) => {
                    let key = here.add("CicdUserAccessKey", crate::iam::AccessKey::for_user(user));
                    here.output("CicdUserAccessKeyId", key.key_id())
                        .description("Access key ID of the GitLab CI/CD user");
                    here.output("CicdUserAccessKeySecretArn", key.secret_arn())
                        .description("Secrets Manager secret holding the access key pair");
                }
                None => here.error("an access key needs the CI/CD user; set cicd_user(Some(..))"),
            }
        }

        let provision_role = inputs.as_ref().map(|(account_id, external_id)| {
            here.add(
                "ProvisionRole",
                Role::assumed_by(Principal::account(account_id.clone()))
                    .name(self.provision_role_name.as_str())
                    .external_id(external_id.clone())
                    .description("Assumed by GitLab to create EKS clusters")
                    .grant(Statement::allow().actions(PROVISION_ACTIONS).any_resource()),
            )
        });

        let service_role = here.add(
            "ServiceRole",
            Role::assumed_by(Principal::service("eks.amazonaws.com"))
                .managed_policy(ManagedPolicyRef::aws(CLUSTER_POLICY))
                .description("EKS cluster service role"),
        );

        let mut node_role =
            Role::assumed_by(Principal::service("ec2.amazonaws.com")).description("EKS node role");
        for policy in NODE_POLICIES {
            node_role = node_role.managed_policy(ManagedPolicyRef::aws(policy));
        }
        let node_role = here.add("NodeRole", node_role);

        let vpc = here.add("Vpc", self.vpc);
        if vpc.public_subnets().len() < 2 {
            here.error("GitLab requires subnets in at least two availability zones; configure the VPC with azs(2) or more");
        }
        let security_group = here.add(
            "ControlPlaneSecurityGroup",
            SecurityGroup::builder(&vpc, "EKS control plane").allow_from(
                Peer::ipv4(vpc_cidr_literal(&vpc)),
                Port::Tcp(443),
                "Kubernetes API from inside the VPC",
            ),
        );

        let cluster = self.cluster.build_part(
            here,
            &ClusterInputs {
                service_role: &service_role,
                node_role: &node_role,
                vpc: &vpc,
                security_group: &security_group,
            },
        );

        let export = |name: &str| fns::sub(format!("${{AWS::StackName}}-{name}"));
        if let (Some(role), Some((_, external_id))) = (&provision_role, inputs) {
            here.output("ProvisionRoleArn", role.arn())
                .description("Paste into GitLab as the Provision Role ARN")
                .export(export("ProvisionRoleArn"));
            here.output("ExternalIdInUse", external_id)
                .description("The external ID the provision role requires")
                .export(export("ExternalId"));
        }
        here.output("ServiceRoleArn", service_role.arn())
            .description("EKS service role")
            .export(export("ServiceRoleArn"));
        here.output("NodeRoleArn", node_role.arn())
            .description("EKS node role")
            .export(export("NodeRoleArn"));
        here.output("VpcId", vpc.id())
            .description("VPC")
            .export(export("VpcId"));
        for (kind, label) in [
            (SubnetKind::Public, "PublicSubnetIds"),
            (SubnetKind::Private, "PrivateSubnetIds"),
        ] {
            let ids = vpc.subnet_ids(kind);
            if !ids.is_empty() {
                here.output(label, fns::join(",", ids))
                    .description("Comma-separated subnet IDs")
                    .export(export(label));
            }
        }
        here.output("SecurityGroupId", security_group.id())
            .description("Control-plane security group")
            .export(export("SecurityGroupId"));
        if let Some(user) = &cicd_user {
            here.output("CicdUserArn", user.arn())
                .description("GitLab CI/CD user");
        }
        if let Some(cluster) = C::cluster(&cluster) {
            here.output("ClusterName", cluster.name())
                .description("EKS cluster name")
                .export(export("ClusterName"));
            if let Some(endpoint) = cluster.endpoint() {
                here.output("ClusterEndpoint", endpoint)
                    .description("EKS API endpoint")
                    .export(export("ClusterEndpoint"));
            }
        }

        let deploy_roles = self
            .deploy
            .as_ref()
            .map(|access| deploy_roles(here, access, C::cluster(&cluster), &export));

        GitlabEksBootstrap {
            node: here.node_id(),
            deploy_roles,
            provision_role,
            service_role,
            node_role,
            cicd_user,
            vpc,
            security_group,
            cluster,
        }
    }
}

/// The OIDC provider (unless given), the execution role and the deploy
/// role, with their outputs.
fn deploy_roles(
    here: &mut Scope<'_>,
    access: &DeployAccess,
    cluster: Option<&Cluster>,
    export: &dyn Fn(&str) -> Val<String>,
) -> DeployRoles {
    let host = access
        .gitlab_url
        .trim_start_matches("https://")
        .trim_end_matches('/')
        .to_owned();
    if !access.gitlab_url.starts_with("https://") || host.is_empty() {
        here.error(format!(
            "GitLab URL {:?} must be https://<host>",
            access.gitlab_url
        ));
    }
    let path_ok = access.project_path.split('/').count() >= 2
        && access.project_path.split('/').all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        });
    if !path_ok {
        here.error(format!(
            "project path {:?} must be group/project, as in the project's URL",
            access.project_path
        ));
    }
    let provider: Val<String> = match &access.provider_arn {
        Some(arn) => arn.as_str().into(),
        None => here
            .add(
                "GitlabOidcProvider",
                crate::aws::iam::CfnOidcProvider::new()
                    .url(access.gitlab_url.as_str())
                    .client_id_list([access.gitlab_url.as_str()]),
            )
            .arn(),
    };
    let mut execution = Role::assumed_by(Principal::service("cloudformation.amazonaws.com"))
        .description("Assumed by CloudFormation to deploy this project's stacks");
    for p in &access.execution_policies {
        execution = execution.managed_policy(p.clone());
    }
    let execution = here.add("CfnExecutionRole", execution);
    // A GitLab CI job of this project on the branches matching `refs`.
    let trust_from = |refs: &str| {
        let subject = format!(
            "project_path:{}:ref_type:branch:ref:{refs}",
            access.project_path
        );
        crate::iam::PolicyDocument::new().statement(
            Statement::allow()
                .action("sts:AssumeRoleWithWebIdentity")
                .principal(Principal::federated(provider.clone()))
                .condition(
                    "StringEquals",
                    format!("{host}:aud"),
                    [access.gitlab_url.as_str()],
                )
                .condition("StringLike", format!("{host}:sub"), [subject.as_str()]),
        )
    };
    let stacks = fns::sub("arn:${AWS::Partition}:cloudformation:*:${AWS::AccountId}:stack/*");
    let mut deploy = Role::with_trust(trust_from("region/*"))
        .description("Assumed by GitLab CI on region/* branches to deploy with synth")
        .grant(
            Statement::allow()
                .actions(DEPLOY_ACTIONS)
                .resource(stacks.clone()),
        )
        .grant(
            Statement::allow()
                .action("iam:PassRole")
                .resource(execution.arn()),
        );
    if let Some(cluster) = cluster {
        // `aws eks update-kubeconfig` for the agent's install.
        deploy = deploy.grant(
            Statement::allow()
                .action("eks:DescribeCluster")
                .resource(cluster.arn()),
        );
    }
    let deploy = here.add("DeployRole", deploy);
    if let Some(cluster) = cluster {
        here.add(
            "DeployRoleAccess",
            AccessEntry::builder(cluster, deploy.arn())
                .policy(AccessPolicy::ClusterAdmin, AccessScope::Cluster),
        );
    }
    // Merge request pipelines diff against the deployed stacks from any
    // branch: that role may only read stacks and templates.
    let diff_trust = trust_from("*");
    let diff = here.add(
        "DiffRole",
        Role::with_trust(diff_trust)
            .description(
                "Assumed by GitLab CI merge request pipelines to diff with synth (read-only)",
            )
            .grant(Statement::allow().actions(DIFF_ACTIONS).resource(stacks)),
    );
    here.output("DiffRoleArn", diff.arn())
        .description("Set as SYNTH_DIFF_ROLE_ARN in GitLab CI/CD variables")
        .export(export("DiffRoleArn"));
    here.output("DeployRoleArn", deploy.arn())
        .description("Set as SYNTH_DEPLOY_ROLE_ARN in GitLab CI/CD variables")
        .export(export("DeployRoleArn"));
    here.output("CfnExecutionRoleArn", execution.arn())
        .description("Pass to synth deploy --role-arn")
        .export(export("CfnExecutionRoleArn"));
    DeployRoles {
        deploy,
        execution,
        diff,
    }
}

fn has_nat(vpc: &Vpc) -> bool {
    // A VPC built with NAT gateways gives private subnets a default route;
    // the builder always makes at least one unless told zero.
    vpc.private_subnets().len() == vpc.public_subnets().len() && vpc.nat_gateway_count() > 0
}

fn vpc_cidr_literal(vpc: &Vpc) -> String {
    vpc.cidr()
        .map_or_else(|| "10.0.0.0/16".to_owned(), |c| c.to_string())
}

#[derive(Clone, Copy)]
enum InputKind {
    AccountId,
    ExternalId,
}

/// The value of an input: a checked literal, or a parameter that
/// CloudFormation checks at deploy.
fn input(scope: &mut Scope<'_>, input: &Input, kind: InputKind) -> Val<String> {
    match (input, kind) {
        (Input::Literal(v), InputKind::AccountId) => {
            if !(v.len() == 12 && v.chars().all(|c| c.is_ascii_digit())) {
                scope.error(format!(
                    "GitLab account ID {v:?} must be exactly 12 digits, as GitLab shows it"
                ));
            }
            v.as_str().into()
        }
        (Input::Literal(v), InputKind::ExternalId) => {
            if !external_id_valid(v) {
                scope.error(format!(
                    "external ID {v:?} is invalid: use 2-1224 characters of letters, digits and _+=,.@:/-"
                ));
            } else if !(v.len() == 40 && v.chars().all(|c| c.is_ascii_hexdigit())) {
                scope.warning("the external ID is not the 40 hex characters GitLab generates; copy it from GitLab's EKS page");
            }
            v.as_str().into()
        }
        (Input::Parameter(id), InputKind::AccountId) => scope
            .parameter(
                id,
                ParameterSpec::string()
                    .description(
                        "GitLab's AWS account ID, shown by GitLab when adding an EKS cluster",
                    )
                    .allowed_pattern("[0-9]{12}")
                    .constraint_description("must be 12 digits"),
            )
            .value(),
        (Input::Parameter(id), InputKind::ExternalId) => scope
            .parameter(
                id,
                ParameterSpec::string()
                    .description("The external ID GitLab shows when adding an EKS cluster")
                    .allowed_pattern("[\\w+=,.@:/-]*")
                    .min_length(2)
                    .max_length(1224)
                    .constraint_description("2-1224 characters of letters, digits and _+=,.@:/-"),
            )
            .value(),
    }
}

fn external_id_valid(v: &str) -> bool {
    (2..=1224).contains(&v.len())
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@:/-".contains(c))
}

fn check_provision_role_name(scope: &mut Scope<'_>, name: &str) {
    if !name.starts_with(ROLE_PREFIX) {
        scope.error(format!(
            "provision role name {name:?} must start with {ROLE_PREFIX}: the CI/CD user may only assume roles named {ROLE_PREFIX}*"
        ));
    }
    if name.len() > 64 {
        scope.error(format!(
            "provision role name {name:?} is {} characters; IAM allows 64",
            name.len()
        ));
    }
}
