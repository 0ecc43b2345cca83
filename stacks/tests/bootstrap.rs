//! The bundled GitLab EKS bootstrap: a snapshot reviewers read in merge
//! requests, and tests of the shape the construct must have.

use serde_json::{json, Value as Json};
use synth::ec2::Vpc;
use synth::gitlab::{ClusterOptions, GitlabEksBootstrap, Input, PROVISION_ACTIONS};
use synth::prelude::*;

fn bundled() -> Json {
    let mut app = App::new();
    stacks::define(&mut app);
    let assembly = synth_and_keep(&app);
    assembly
        .template(stacks::STACK)
        .expect("bootstrap stack")
        .clone()
}

/// Synthesizes, failing with every diagnostic, and keeps the templates for
/// the cfn-lint pass of the test command.
fn synth_and_keep(app: &App) -> synth::Assembly {
    let assembly = app.synth().unwrap_or_else(|e| panic!("{e}"));
    if let Some(dir) = std::env::var_os("SYNTH_LINT_DIR") {
        let name = std::thread::current()
            .name()
            .unwrap_or("test")
            .replace("::", "-");
        assembly
            .write(&std::path::Path::new(&dir).join(format!("stacks-{name}")))
            .expect("write templates for linting");
    }
    assembly
}

fn resources_of<'a>(t: &'a Json, type_name: &str) -> Vec<(&'a String, &'a Json)> {
    t["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == type_name)
        .collect()
}

fn resource<'a>(t: &'a Json, id: &str) -> &'a Json {
    t["Resources"]
        .get(id)
        .unwrap_or_else(|| panic!("no resource {id}"))
}

#[test]
fn bundled_stack_snapshot() {
    insta::assert_json_snapshot!("GitlabEks.template", bundled());
}

#[test]
fn provision_role_trusts_gitlab_with_the_external_id() {
    let t = bundled();
    let role = resource(&t, "GitlabProvisionRole");
    assert_eq!(
        role["Properties"]["RoleName"],
        json!("gitlab-eks-provision")
    );
    let trust = &role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0];
    assert_eq!(trust["Effect"], json!("Allow"));
    assert_eq!(trust["Action"], json!("sts:AssumeRole"));
    assert_eq!(
        trust["Principal"]["AWS"],
        json!({"Fn::Sub": ["arn:${AWS::Partition}:iam::${Account}:root", {"Account": {"Ref": "GitlabAccountId"}}]})
    );
    assert_eq!(
        trust["Condition"],
        json!({"StringEquals": {"sts:ExternalId": {"Ref": "GitlabExternalId"}}})
    );
}

#[test]
fn provision_policy_has_exactly_gitlabs_32_actions_on_everything() {
    let t = bundled();
    let policies = &resource(&t, "GitlabProvisionRole")["Properties"]["Policies"];
    assert_eq!(policies.as_array().unwrap().len(), 1);
    let statements = policies[0]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap();
    assert_eq!(statements.len(), 1);
    let actions: Vec<&str> = statements[0]["Action"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(actions.len(), 32);
    assert_eq!(actions, PROVISION_ACTIONS);
    assert_eq!(statements[0]["Resource"], json!("*"));
}

#[test]
fn cicd_user_may_only_assume_gitlab_eks_roles() {
    let t = bundled();
    let user = resource(&t, "GitlabCicdUser");
    assert_eq!(user["Properties"]["UserName"], json!("gitlab-cicd"));
    let statements = &user["Properties"]["Policies"][0]["PolicyDocument"]["Statement"];
    assert_eq!(
        statements,
        &json!([{"Effect": "Allow", "Action": "sts:AssumeRole",
            "Resource": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/gitlab-eks-*"}}])
    );
    assert!(user["Properties"].get("ManagedPolicyArns").is_none());
}

#[test]
fn service_and_node_roles_carry_the_eks_managed_policies() {
    let t = bundled();
    let arn =
        |name: &str| json!({"Fn::Sub": format!("arn:${{AWS::Partition}}:iam::aws:policy/{name}")});
    let service = resource(&t, "GitlabServiceRole");
    assert_eq!(
        service["Properties"]["ManagedPolicyArns"],
        json!([arn("AmazonEKSClusterPolicy")])
    );
    assert_eq!(
        service["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"],
        json!({"Service": "eks.amazonaws.com"})
    );
    let node = resource(&t, "GitlabNodeRole");
    assert_eq!(
        node["Properties"]["ManagedPolicyArns"],
        json!([
            arn("AmazonEKSWorkerNodePolicy"),
            arn("AmazonEKS_CNI_Policy"),
            arn("AmazonEC2ContainerRegistryReadOnly"),
        ]),
        "the EBS CSI driver's policy goes to its Pod Identity role, not to every node"
    );
}

/// The cluster's defaults, each against what the tool that asks for it
/// checks.
#[test]
fn the_cluster_follows_current_eks_guidance() {
    let t = bundled();
    let cluster = &resource(&t, "GitlabCluster")["Properties"];
    // AWS Guard rules registry (aws-cloudformation/aws-guard-rules-registry
    // at 7f7340c, rules/aws/amazon_eks/eks_endpoint_no_public_access.guard):
    // EndpointPublicAccess exists and is false. cdk-nag AwsSolutions-EKS1
    // likewise.
    assert_eq!(
        cluster["ResourcesVpcConfig"]["EndpointPublicAccess"],
        json!(false)
    );
    assert_eq!(
        cluster["ResourcesVpcConfig"]["EndpointPrivateAccess"],
        json!(true)
    );
    // cdk-nag AwsSolutions-EKS2 and checkov CKV_AWS_37: all five log types.
    let logs: Vec<&str> = cluster["Logging"]["ClusterLogging"]["EnabledTypes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["Type"].as_str().unwrap())
        .collect();
    assert_eq!(
        logs,
        [
            "api",
            "audit",
            "authenticator",
            "controllerManager",
            "scheduler"
        ]
    );
    // Guard eks_cluster_encryption_rule.guard (same commit: every
    // EncryptionConfig has Provider.KeyArn) and checkov CKV_AWS_58: secrets
    // envelope-encrypted with a key of the stack, rotated (checkov
    // CKV_AWS_7).
    assert_eq!(
        cluster["EncryptionConfig"][0]["Resources"],
        json!(["secrets"])
    );
    assert_eq!(
        cluster["EncryptionConfig"][0]["Provider"]["KeyArn"],
        json!({"Fn::GetAtt": ["GitlabClusterSecretsKey", "Arn"]})
    );
    assert_eq!(
        resource(&t, "GitlabClusterSecretsKey")["Properties"]["EnableKeyRotation"],
        json!(true)
    );
    assert_eq!(
        resource(&t, "GitlabCluster")["DependsOn"],
        json!(["GitlabClusterSecretsKeyGrant"]),
        "EKS uses the key while creating the cluster"
    );
    // aws-eks-v2's default authentication mode: access entries only.
    assert_eq!(cluster["AccessConfig"]["AuthenticationMode"], json!("API"));
    // The version is the newest of the checked table.
    assert_eq!(cluster["Version"], json!(synth::eks::DEFAULT_VERSION));

    // Nodes: Amazon Linux 2023 (eksctl's default AMI family) and IMDSv2
    // required through a launch template (checkov CKV_AWS_341, eksctl
    // disableIMDSv1).
    let nodes = &resource(&t, "GitlabNodes")["Properties"];
    assert_eq!(nodes["AmiType"], json!("AL2023_x86_64_STANDARD"));
    assert!(
        nodes.get("DiskSize").is_none(),
        "not with a launch template"
    );
    assert_eq!(
        nodes["LaunchTemplate"],
        json!({"Id": {"Ref": "GitlabNodesLaunchTemplate"},
            "Version": {"Fn::GetAtt": ["GitlabNodesLaunchTemplate", "LatestVersionNumber"]}})
    );
    let data = &resource(&t, "GitlabNodesLaunchTemplate")["Properties"]["LaunchTemplateData"];
    assert_eq!(data["MetadataOptions"]["HttpTokens"], json!("required"));
    assert_eq!(
        data["BlockDeviceMappings"][0]["Ebs"]["Encrypted"],
        json!(true)
    );

    // The EBS CSI driver through Pod Identity, with its gp3 default
    // storage class from the add-on's configuration values.
    let addons = resources_of(&t, "AWS::EKS::Addon");
    let names: Vec<&str> = addons
        .iter()
        .map(|(_, a)| a["Properties"]["AddonName"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"eks-pod-identity-agent"), "{names:?}");
    let ebs = &resource(&t, "GitlabEbsCsiDriver");
    assert_eq!(
        serde_json::from_str::<Json>(ebs["Properties"]["ConfigurationValues"].as_str().unwrap())
            .unwrap(),
        json!({"defaultStorageClass": {"enabled": true}})
    );
    let association = &resources_of(&t, "AWS::EKS::PodIdentityAssociation")[0].1["Properties"];
    assert_eq!(association["Namespace"], json!("kube-system"));
    assert_eq!(
        association["ServiceAccount"],
        json!("ebs-csi-controller-sa")
    );
    let role = &resource(&t, "GitlabEbsCsiRole")["Properties"];
    assert_eq!(
        role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"],
        json!({"Service": "pods.eks.amazonaws.com"})
    );
    assert_eq!(
        role["ManagedPolicyArns"],
        json!([{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"}])
    );
}

#[test]
fn cluster_defaults_can_be_overridden_and_bad_versions_fail() {
    use synth::eks::{Cluster, EndpointAccess, Nodegroup, SecretsEncryption};
    use synth::iam::{ManagedPolicyRef, Principal, Role};
    let mut app = App::new();
    let s = app.stack("Custom");
    let vpc = s.add("Vpc", Vpc::builder());
    let service = s.add(
        "ServiceRole",
        Role::assumed_by(Principal::service("eks.amazonaws.com"))
            .managed_policy(ManagedPolicyRef::aws("AmazonEKSClusterPolicy")),
    );
    let mut nodes = Role::assumed_by(Principal::service("ec2.amazonaws.com"));
    for p in synth::eks::NODE_POLICIES {
        nodes = nodes.managed_policy(ManagedPolicyRef::aws(p));
    }
    let nodes = s.add("NodeRole", nodes);
    let cluster = s.add(
        "Cluster",
        Cluster::builder(&service, vpc.private_subnets())
            .secrets(SecretsEncryption::Off)
            .admin("arn:aws:iam::123456789012:role/platform")
            .endpoint_access(EndpointAccess::PublicFromAndPrivate(vec![
                "198.51.100.0/24".into(),
            ])),
    );
    s.add(
        "Arm",
        Nodegroup::builder(&cluster, &nodes, vpc.private_subnets())
            .instance_types(["m7g.large"])
            .disk_size(40),
    );
    s.add(
        "Plain",
        Nodegroup::builder(&cluster, &nodes, vpc.private_subnets())
            .imdsv2_launch_template(false)
            .disk_size(40),
    );
    let assembly = synth_and_keep(&app);
    let t = assembly.template("Custom").unwrap();
    assert!(resource(t, "Cluster")["Properties"]
        .get("EncryptionConfig")
        .is_none());
    assert!(resources_of(t, "AWS::KMS::Key").is_empty());
    let admin = &resource(t, "ClusterAdmin1")["Properties"];
    assert_eq!(
        admin["PrincipalArn"],
        json!("arn:aws:iam::123456789012:role/platform")
    );
    let arm = &resource(t, "Arm")["Properties"];
    assert_eq!(arm["AmiType"], json!("AL2023_ARM_64_STANDARD"));
    assert_eq!(
        resource(t, "ArmLaunchTemplate")["Properties"]["LaunchTemplateData"]["BlockDeviceMappings"]
            [0]["Ebs"]["VolumeSize"],
        json!(40)
    );
    let plain = &resource(t, "Plain")["Properties"];
    assert!(plain.get("LaunchTemplate").is_none());
    assert_eq!(plain["DiskSize"], json!(40));

    let e = failing(|s| {
        let vpc = s.add("Vpc", Vpc::builder());
        let role = s.add(
            "Role",
            Role::assumed_by(Principal::service("eks.amazonaws.com"))
                .managed_policy(ManagedPolicyRef::aws("AmazonEKSClusterPolicy")),
        );
        s.add(
            "Old",
            Cluster::builder(&role, vpc.private_subnets()).version("1.29"),
        );
        s.add(
            "Typo",
            Cluster::builder(&role, vpc.private_subnets()).version("1.3x"),
        );
    });
    assert!(e.has("Bad/Old", "no longer offered by EKS"), "{e}");
    assert!(e.has("Bad/Typo", "is not a minor version"), "{e}");
}

#[test]
fn subnets_are_in_distinct_zones_with_disjoint_blocks_and_kubernetes_tags() {
    let t = bundled();
    let subnets = resources_of(&t, "AWS::EC2::Subnet");
    assert_eq!(subnets.len(), 4);
    let mut zones = std::collections::BTreeSet::new();
    let mut blocks = Vec::new();
    for (id, s) in &subnets {
        let p = &s["Properties"];
        let az = p["AvailabilityZone"]["Fn::Select"][0].as_i64().unwrap();
        let public = id.contains("Public");
        zones.insert((public, az));
        blocks.push(
            p["CidrBlock"]
                .as_str()
                .unwrap()
                .parse::<synth::ec2::cidr::Cidr>()
                .unwrap(),
        );
        let tag = if public {
            "kubernetes.io/role/elb"
        } else {
            "kubernetes.io/role/internal-elb"
        };
        assert!(
            p["Tags"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["Key"] == tag && t["Value"] == "1"),
            "{id} lacks {tag}"
        );
    }
    assert_eq!(
        zones.len(),
        4,
        "each kind has one subnet per zone, in two zones"
    );
    assert_eq!(synth::ec2::cidr::first_overlap(&blocks), None);
}

#[test]
fn outputs_are_exported_for_gitlab_and_other_stacks() {
    let t = bundled();
    let outputs = t["Outputs"].as_object().unwrap();
    for (id, name) in [("ExternalIdInUse", "ExternalId")].into_iter().chain(
        [
            "ProvisionRoleArn",
            "ServiceRoleArn",
            "NodeRoleArn",
            "VpcId",
            "PublicSubnetIds",
            "PrivateSubnetIds",
            "SecurityGroupId",
            "ClusterName",
            "ClusterEndpoint",
        ]
        .map(|n| (n, n)),
    ) {
        let output = &outputs[&format!("Gitlab{id}")];
        assert_eq!(
            output["Export"]["Name"],
            json!({"Fn::Sub": format!("${{AWS::StackName}}-{name}")}),
            "{name}"
        );
    }
}

#[test]
fn stack_tags_reach_every_taggable_resource_in_its_shape() {
    let t = bundled();
    let nodegroup = resources_of(&t, "AWS::EKS::Nodegroup");
    assert_eq!(
        nodegroup[0].1["Properties"]["Tags"]["managed-by"],
        json!("synth"),
        "map-shaped tags"
    );
    let vpc = resource(&t, "GitlabVpc");
    let tags = vpc["Properties"]["Tags"].as_array().unwrap();
    assert!(
        tags.contains(&json!({"Key": "project", "Value": "gitlab-eks"})),
        "list-shaped tags"
    );
}

fn failing(build: impl FnOnce(&mut Stack)) -> synth::SynthError {
    let mut app = App::new();
    build(app.stack("Bad"));
    app.synth().expect_err("synthesis should fail")
}

#[test]
fn misconfiguration_fails_with_the_path_and_what_to_do() {
    let e = failing(|s| {
        s.add(
            "G",
            GitlabEksBootstrap::builder().vpc(Vpc::builder().azs(1)),
        );
    });
    assert!(e.has("Bad/G", "at least two availability zones"), "{e}");

    let e = failing(|s| {
        s.add(
            "G",
            GitlabEksBootstrap::builder()
                .gitlab_account_id(Input::Literal("12345".into()))
                .external_id(Input::Literal("x".into())),
        );
    });
    assert!(e.has("Bad/G", "must be exactly 12 digits"), "{e}");
    assert!(e.has("Bad/G", "external ID \"x\" is invalid"), "{e}");

    let e = failing(|s| {
        s.add(
            "G",
            GitlabEksBootstrap::builder().provision_role_name("eks-provision"),
        );
    });
    assert!(e.has("Bad/G", "must start with gitlab-eks-"), "{e}");
    let long = format!("gitlab-eks-{}", "x".repeat(60));
    let e = failing(|s| {
        s.add(
            "G",
            GitlabEksBootstrap::builder().provision_role_name(long.clone()),
        );
    });
    assert!(e.has("Bad/G", "IAM allows 64"), "{e}");

    let e = failing(|s| {
        s.add(
            "G",
            GitlabEksBootstrap::builder().vpc(
                Vpc::builder()
                    .public_subnet_cidrs(["10.0.0.0/20", "10.0.16.0/20"])
                    .private_subnet_cidrs(["10.0.16.0/24", "10.0.64.0/20"]),
            ),
        );
    });
    assert!(
        e.has("Bad/G/Vpc", "10.0.16.0/20 and 10.0.16.0/24 overlap"),
        "{e}"
    );
}

#[test]
fn a_cluster_role_without_the_cluster_policy_is_an_error() {
    let e = failing(|s| {
        let vpc = s.add("Vpc", Vpc::builder());
        let role = s.add(
            "Role",
            synth::iam::Role::assumed_by(synth::iam::Principal::service("eks.amazonaws.com")),
        );
        let subnets = vpc.private_subnets().to_vec();
        s.add("Cluster", synth::eks::Cluster::builder(&role, &subnets));
    });
    assert!(
        e.has(
            "Bad/Cluster",
            "lacks the AmazonEKSClusterPolicy managed policy"
        ),
        "{e}"
    );
}

#[test]
fn literal_inputs_and_no_cluster_give_a_smaller_valid_stack() {
    let mut app = App::new();
    app.stack("Minimal").add(
        "Gitlab",
        GitlabEksBootstrap::builder()
            .gitlab_account_id(Input::Literal("123456789012".into()))
            .external_id(Input::Literal(
                "0123456789abcdef0123456789abcdef01234567".into(),
            ))
            .cicd_user(None)
            .vpc(Vpc::builder().azs(3).nat_gateways(0)),
    );
    let assembly = synth_and_keep(&app);
    let t = assembly.template("Minimal").unwrap();
    assert!(t.get("Parameters").is_none());
    assert!(resources_of(t, "AWS::EKS::Cluster").is_empty());
    assert!(resources_of(t, "AWS::IAM::User").is_empty());
    assert!(resources_of(t, "AWS::EC2::NatGateway").is_empty());
    assert_eq!(resources_of(t, "AWS::EC2::Subnet").len(), 6);
    let _ = ClusterOptions::default();
}

#[test]
fn deploy_access_trusts_only_the_projects_region_branches() {
    use synth::gitlab::{DeployAccess, DEPLOY_ACTIONS};
    let mut app = App::new();
    app.stack("Oidc").add(
        "Gitlab",
        GitlabEksBootstrap::builder().deploy_access(DeployAccess::gitlab_com("infra/eks")),
    );
    let assembly = synth_and_keep(&app);
    let t = assembly.template("Oidc").unwrap();
    let provider = resource(t, "GitlabGitlabOidcProvider");
    assert_eq!(provider["Properties"]["Url"], json!("https://gitlab.com"));
    let deploy = resource(t, "GitlabDeployRole");
    let trust = &deploy["Properties"]["AssumeRolePolicyDocument"]["Statement"][0];
    assert_eq!(trust["Action"], json!("sts:AssumeRoleWithWebIdentity"));
    assert_eq!(
        trust["Principal"],
        json!({"Federated": {"Fn::GetAtt": ["GitlabGitlabOidcProvider", "Arn"]}})
    );
    assert_eq!(
        trust["Condition"],
        json!({
            "StringEquals": {"gitlab.com:aud": "https://gitlab.com"},
            "StringLike": {"gitlab.com:sub": "project_path:infra/eks:ref_type:branch:ref:region/*"}
        })
    );
    let statements = &deploy["Properties"]["Policies"][0]["PolicyDocument"]["Statement"];
    assert_eq!(
        statements[0]["Action"].as_array().unwrap().len(),
        DEPLOY_ACTIONS.len()
    );
    assert_eq!(
        statements[1],
        json!({"Effect": "Allow", "Action": "iam:PassRole",
        "Resource": {"Fn::GetAtt": ["GitlabCfnExecutionRole", "Arn"]}})
    );
    assert!(
        deploy["Properties"].get("ManagedPolicyArns").is_none(),
        "the deploy role itself holds no broad policy"
    );
    assert!(t["Outputs"].get("GitlabDeployRoleArn").is_some());
    let diff = resource(t, "GitlabDiffRole");
    assert_eq!(
        diff["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]["StringLike"],
        json!({"gitlab.com:sub": "project_path:infra/eks:ref_type:branch:ref:*"})
    );
    let actions = &diff["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0]["Action"];
    assert!(
        actions.as_array().unwrap().iter().all(|a| {
            let a = a.as_str().unwrap();
            a.starts_with("cloudformation:Describe")
                || a.starts_with("cloudformation:Get")
                || a.starts_with("cloudformation:List")
        }),
        "read-only: {actions}"
    );

    let e = failing(|s| {
        s.add(
            "G",
            GitlabEksBootstrap::builder().deploy_access(DeployAccess::gitlab_com("noslash")),
        );
    });
    assert!(e.has("Bad/G", "must be group/project"), "{e}");
}

#[test]
fn the_diff_role_detects_drift_on_what_the_app_deploys_and_reads_no_data() {
    use synth::gitlab::DeployAccess;
    use synth::iam::DriftDetectionAccess;
    let mut app = App::new();
    let bootstrap = app.stack(stacks::STACK).add(
        "Gitlab",
        GitlabEksBootstrap::builder()
            .cluster(ClusterOptions::default())
            .access_key(true)
            .deploy_access(DeployAccess::gitlab_com("infra/eks")),
    );
    stacks::define_runner_data(&mut app, &bootstrap);
    let diff_role = bootstrap.deploy_roles.as_ref().unwrap().diff.clone();
    let access = DriftDetectionAccess::for_app(&app).attach_to_role(&diff_role);
    let expected: Vec<&str> = access.read_actions().into_iter().collect();
    app.get_stack(stacks::STACK)
        .unwrap()
        .add("DriftDetection", access);
    let assembly = synth_and_keep(&app);
    let t = assembly.template(stacks::STACK).unwrap();
    let policy = resource(t, "DriftDetection");
    assert_eq!(policy["Type"], json!("AWS::IAM::Policy"));
    assert_eq!(
        policy["Properties"]["Roles"],
        json!([{"Ref": "GitlabDiffRole"}])
    );
    let statements = policy["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap();
    assert_eq!(statements[0]["Sid"], json!("DetectDrift"));
    assert_eq!(
        statements[0]["Resource"],
        json!({"Fn::Sub": "arn:${AWS::Partition}:cloudformation:*:${AWS::AccountId}:stack/*"})
    );
    assert_eq!(
        statements[1]["Action"],
        json!("cloudformation:DescribeStackDriftDetectionStatus")
    );
    assert_eq!(statements[1]["Resource"], json!("*"));
    let reads: Vec<&str> = statements[2]["Action"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(reads, expected);
    // Both stacks' types are read: the bootstrap's cluster and secret, and
    // RunnerData's bucket and database.
    for action in [
        "eks:DescribeCluster",
        "iam:GetRole",
        "ec2:DescribeVpcs",
        "secretsmanager:DescribeSecret",
        "s3:GetBucketTagging",
        "rds:DescribeDBInstances",
    ] {
        assert!(reads.contains(&action), "{action} missing from {reads:?}");
    }
    // Any branch can assume the role: nothing that reads data, secrets or
    // keys, and nothing that writes.
    for action in &reads {
        let verb = action.split_once(':').unwrap().1;
        assert!(
            ["Describe", "Get", "List", "BatchGet", "Search", "Lookup"]
                .iter()
                .any(|v| verb.starts_with(v)),
            "{action} is not a read"
        );
        assert!(
            ![
                "secretsmanager:GetSecretValue",
                "s3:GetObject",
                "kms:Decrypt"
            ]
            .contains(action),
            "{action} reads data"
        );
    }

    // A type no schema reads adds nothing; too many types for one inline
    // policy is an error naming the construct.
    let custom = DriftDetectionAccess::for_types(["Custom::Thing"]);
    assert!(custom.read_actions().is_empty());
    let e = failing(|s| {
        let role = s.add(
            "R",
            synth::iam::Role::assumed_by(synth::iam::Principal::account("111122223333")),
        );
        // Every type some schema can read: far over one policy.
        let every = synth::aws::read_access::types();
        s.add(
            "Drift",
            DriftDetectionAccess::for_types(every).attach_to_role(&role),
        );
    });
    assert!(e.has("Bad/Drift", "split the types"), "{e}");
}

#[test]
fn the_access_key_secret_lives_only_in_secrets_manager() {
    let mut app = App::new();
    app.stack("Keys")
        .add("Gitlab", GitlabEksBootstrap::builder().access_key(true));
    let assembly = synth_and_keep(&app);
    let t = assembly.template("Keys").unwrap();
    let key = resource(t, "GitlabCicdUserAccessKey");
    assert_eq!(key["Type"], json!("AWS::IAM::AccessKey"));
    assert_eq!(
        key["Properties"]["UserName"],
        json!({"Ref": "GitlabCicdUser"})
    );
    let secret = resource(t, "GitlabCicdUserAccessKeySecret");
    let stored = serde_json::to_string(&secret["Properties"]["SecretString"]).unwrap();
    assert!(stored.contains("SecretAccessKey"), "{stored}");
    let outputs = serde_json::to_string(&t["Outputs"]).unwrap();
    assert!(
        !outputs.contains("SecretAccessKey"),
        "no secret in outputs: {outputs}"
    );
    assert_eq!(
        t["Outputs"]["GitlabCicdUserAccessKeySecretArn"]["Value"],
        json!({"Ref": "GitlabCicdUserAccessKeySecret"})
    );
    let body = &assembly.stack("Keys").unwrap().body;
    assert!(!body.contains("AKIA"), "no key material in the template");
}

#[test]
fn cluster_options_node_labels_taints_addons_and_access_entries() {
    use synth::eks::{
        AccessEntry, AccessPolicy, AccessScope, Addon, AuthenticationMode, Cluster, EndpointAccess,
        LogType, Nodegroup, Scaling, TaintEffect,
    };
    use synth::iam::{ManagedPolicyRef, Principal, Role};
    let mut app = App::new();
    let s = app.stack("Eks");
    let vpc = s.add("Vpc", Vpc::builder().azs(3).nat_gateways(3));
    let service = s.add(
        "ServiceRole",
        Role::assumed_by(Principal::service("eks.amazonaws.com"))
            .managed_policy(ManagedPolicyRef::aws("AmazonEKSClusterPolicy")),
    );
    let mut nodes = Role::assumed_by(Principal::service("ec2.amazonaws.com"));
    for p in synth::eks::NODE_POLICIES {
        nodes = nodes.managed_policy(ManagedPolicyRef::aws(p));
    }
    let nodes = s.add("NodeRole", nodes);
    let key = s.parameter("SecretsKeyArn", ParameterSpec::string());
    let cluster = s.add(
        "Cluster",
        Cluster::builder(&service, vpc.private_subnets())
            .version("1.33")
            .endpoint_access(EndpointAccess::PublicFromAndPrivate(vec![
                "203.0.113.0/24".into()
            ]))
            .logging([LogType::Api, LogType::Audit])
            .secrets_encryption(key.value())
            .authentication_mode(AuthenticationMode::Api)
            .bootstrap_creator_admin(false),
    );
    s.add(
        "CiNodes",
        Nodegroup::builder(&cluster, &nodes, vpc.private_subnets())
            .instance_types(["m6i.large"])
            .scaling(Scaling {
                min: 2,
                desired: 3,
                max: 6,
            })
            .disk_size(50)
            .label("workload", "ci")
            .taint("dedicated", Some("ci"), TaintEffect::NoSchedule),
    );
    s.add("CoreDns", Addon::builder(&cluster, "coredns"));
    s.add(
        "Admin",
        AccessEntry::builder(&cluster, "arn:aws:iam::123456789012:role/admin")
            .policy(AccessPolicy::ClusterAdmin, AccessScope::Cluster),
    );
    let assembly = synth_and_keep(&app);
    let t = assembly.template("Eks").unwrap();
    let c = &resource(t, "Cluster")["Properties"];
    assert_eq!(
        c["EncryptionConfig"],
        json!([{"Provider": {"KeyArn": {"Ref": "SecretsKeyArn"}}, "Resources": ["secrets"]}])
    );
    assert_eq!(
        c["ResourcesVpcConfig"]["PublicAccessCidrs"],
        json!(["203.0.113.0/24"])
    );
    assert_eq!(
        c["AccessConfig"],
        json!({"AuthenticationMode": "API", "BootstrapClusterCreatorAdminPermissions": false})
    );
    let n = &resource(t, "CiNodes")["Properties"];
    assert_eq!(n["Labels"], json!({"workload": "ci"}));
    assert_eq!(
        n["Taints"],
        json!([{"Effect": "NO_SCHEDULE", "Key": "dedicated", "Value": "ci"}])
    );
    assert_eq!(
        n["ScalingConfig"],
        json!({"DesiredSize": 3, "MaxSize": 6, "MinSize": 2})
    );
    let entry = &resource(t, "Admin")["Properties"];
    assert_eq!(
        entry["AccessPolicies"][0]["PolicyArn"],
        json!({"Fn::Sub": "arn:${AWS::Partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"})
    );
    assert_eq!(resources_of(t, "AWS::EC2::NatGateway").len(), 3);

    let e = failing(|s| {
        let vpc = s.add("Vpc", Vpc::builder());
        let role = s.add(
            "Role",
            Role::assumed_by(Principal::service("eks.amazonaws.com"))
                .managed_policy(ManagedPolicyRef::aws("AmazonEKSClusterPolicy")),
        );
        let c = s.add(
            "C",
            Cluster::builder(&role, vpc.private_subnets())
                .endpoint_access(EndpointAccess::PublicFromAndPrivate(Vec::new())),
        );
        s.add(
            "N",
            Nodegroup::builder(&c, &role, vpc.private_subnets()).scaling(Scaling {
                min: 3,
                desired: 1,
                max: 2,
            }),
        );
    });
    assert!(e.has("Bad/C", "needs at least one CIDR block"), "{e}");
    assert!(e.has("Bad/N", "lacks AmazonEKSWorkerNodePolicy"), "{e}");
    assert!(e.has("Bad/N", "must satisfy min <= desired <= max"), "{e}");
}

#[test]
fn another_stack_builds_on_the_bundled_bootstrap() {
    use synth::ec2::{Port, SecurityGroup};
    use synth::eks::{Nodegroup, Scaling};
    let mut app = App::new();
    let bootstrap = stacks::define(&mut app);
    let ci = app.stack("CiRunners");
    // The cluster is typed: no Option to unwrap once one was asked for.
    ci.add(
        "SpotNodes",
        Nodegroup::builder(
            &bootstrap.cluster,
            &bootstrap.node_role,
            bootstrap.vpc.private_subnets(),
        )
        .scaling(Scaling {
            min: 0,
            desired: 1,
            max: 10,
        }),
    );
    let runners = ci.add(
        "Runners",
        SecurityGroup::builder(&bootstrap.vpc, "GitLab runners"),
    );
    ci.add(
        "ApiFromRunners",
        bootstrap.security_group.allow_from(
            &runners,
            Port::Tcp(443),
            "Kubernetes API from the runners",
        ),
    );
    let assembly = synth_and_keep(&app);
    let t = assembly.template("CiRunners").unwrap();
    let nodes = &resource(t, "SpotNodes")["Properties"];
    assert!(
        nodes["ClusterName"]["Fn::ImportValue"].is_string(),
        "{nodes:#}"
    );
    assert!(
        nodes["NodeRole"]["Fn::ImportValue"].is_string(),
        "{nodes:#}"
    );
    assert_eq!(nodes["Subnets"].as_array().unwrap().len(), 2);
    let manifest = assembly.manifest();
    assert_eq!(manifest.stacks[0].name, stacks::STACK);
    assert_eq!(manifest.stacks[1].dependencies, [stacks::STACK]);
    // The bootstrap's own template only gains the exports it now shares.
    let own = assembly.template(stacks::STACK).unwrap();
    assert_eq!(
        own["Resources"].as_object().unwrap().len(),
        bundled()["Resources"].as_object().unwrap().len()
    );
}
