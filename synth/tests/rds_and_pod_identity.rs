//! `rds::DatabaseInstance` and EKS Pod Identity as a stack author meets
//! them: every secure default in the synthesized template (with the AWS
//! CDK's default for the same setting, from aws-cdk-lib's
//! `aws-rds/lib/instance.ts`), engine versions checked at synthesis,
//! connections and grants added after building, and one Pod Identity
//! agent per cluster.
#![cfg(all(feature = "rds", feature = "eks", feature = "ec2", feature = "iam"))]

mod support;

use serde_json::{json, Value as Json};
use synth::ec2::{Peer, SecurityGroup, Vpc, VpcAttributes};
use synth::eks::{Addon, AgentAddon, Cluster, ClusterAttributes, PodIdentityRole, ServiceAccount};
use synth::iam::{ManagedPolicyRef, Principal, Role};
use synth::prelude::*;
use synth::rds::{
    Availability, DatabaseAttributes, DatabaseInstance, DeletionProtection, Engine,
    IamAuthentication, MinorVersionUpgrade, MysqlVersion, PostgresVersion, StorageEncryption,
    SubnetSelection,
};

fn template(assembly: &synth::Assembly, stack: &str) -> Json {
    assembly.template(stack).expect("the stack exists").clone()
}

fn resources_of<'t>(t: &'t Json, type_name: &str) -> Vec<(&'t String, &'t Json)> {
    t["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == type_name)
        .collect()
}

fn postgres() -> Engine {
    Engine::Postgres(PostgresVersion::V16_9)
}

fn cluster(stack: &mut Stack, vpc: &Vpc, id: &str) -> Cluster {
    let role = stack.add(
        &format!("{id}Role"),
        Role::assumed_by(Principal::service("eks.amazonaws.com"))
            .managed_policy(ManagedPolicyRef::aws("AmazonEKSClusterPolicy")),
    );
    stack.add(id, Cluster::builder(&role, vpc.private_subnets()))
}

#[test]
fn a_postgres_instance_has_every_secure_default() {
    let mut app = App::new();
    let stack = app.stack("Data");
    let vpc = stack.add("Vpc", Vpc::builder());
    let db = stack.add("Db", DatabaseInstance::builder(postgres(), &vpc));
    stack.output("DbAddress", db.endpoint_address());
    stack.output("DbPort", db.endpoint_port());
    stack.output("DbSecretArn", db.secret_arn());
    let t = template(&support::synth(&app), "Data");
    let r = &t["Resources"]["Db"];
    assert_eq!(r["Type"], "AWS::RDS::DBInstance");
    let p = &r["Properties"];
    assert_eq!(p["Engine"], "postgres");
    assert_eq!(p["EngineVersion"], "16.9");
    // CDK: removalPolicy defaults to RemovalPolicy.SNAPSHOT.
    assert_eq!(r["DeletionPolicy"], "Snapshot");
    assert_eq!(r["UpdateReplacePolicy"], "Snapshot");
    // CDK: deletionProtection is true only with a RETAIN removal policy; here always on.
    assert_eq!(p["DeletionProtection"], true);
    // CDK: storageEncrypted is true only when a key is given; here always on.
    assert_eq!(p["StorageEncrypted"], true);
    assert!(
        p.get("KmsKeyId").is_none(),
        "the AWS managed key by default"
    );
    // CDK: publiclyAccessible is true only in public subnets; here never.
    assert_eq!(p["PubliclyAccessible"], false);
    // CDK: copyTagsToSnapshot defaults to true.
    assert_eq!(p["CopyTagsToSnapshot"], true);
    // CDK: multiAz defaults to false.
    assert_eq!(p["MultiAZ"], false);
    // CDK: backupRetention defaults to 1 day (so does RDS); here 7.
    assert_eq!(p["BackupRetentionPeriod"], 7);
    // CDK: iamAuthentication defaults to false; here on.
    assert_eq!(p["EnableIAMDatabaseAuthentication"], true);
    // CDK: autoMinorVersionUpgrade defaults to true (left to RDS); here
    // written out.
    assert_eq!(p["AutoMinorVersionUpgrade"], true);
    // CDK: allocatedStorage 100 GiB, storageType GP2; here 20 GiB gp3.
    assert_eq!(p["AllocatedStorage"], "20");
    assert_eq!(p["StorageType"], "gp3");
    // CDK: instanceType defaults to m5.large; here a small burstable class.
    assert_eq!(p["DBInstanceClass"], "db.t3.micro");
    // CDK: credentials default to a generated secret for `postgres`; here
    // RDS manages the secret, and no password is in the template.
    assert_eq!(p["MasterUsername"], "postgres");
    assert_eq!(p["ManageMasterUserPassword"], true);
    assert!(p.get("MasterUserPassword").is_none());
    assert!(
        !t.to_string().contains("Password\":\""),
        "no password anywhere"
    );
    assert!(p.get("Port").is_none(), "the engine's port by default");
    // CDK: vpcSubnets default to the private subnets, in a new subnet group.
    assert_eq!(p["DBSubnetGroupName"], json!({"Ref": "DbSubnetGroup"}));
    let group = &t["Resources"]["DbSubnetGroup"];
    assert_eq!(group["Type"], "AWS::RDS::DBSubnetGroup");
    assert_eq!(
        group["Properties"]["SubnetIds"],
        json!([{"Ref": "VpcPrivateSubnet1"}, {"Ref": "VpcPrivateSubnet2"}])
    );
    assert_eq!(
        group["Properties"]["DBSubnetGroupDescription"],
        "Subnet group for Db database"
    );
    // CDK: securityGroups default to a new group; no inbound rule until allowed.
    assert_eq!(
        p["VPCSecurityGroups"],
        json!([{"Fn::GetAtt": ["DbSecurityGroup", "GroupId"]}])
    );
    let sg = &t["Resources"]["DbSecurityGroup"]["Properties"];
    assert!(sg.get("SecurityGroupIngress").is_none());
    assert!(resources_of(&t, "AWS::EC2::SecurityGroupIngress").is_empty());
    // Outputs.
    assert_eq!(
        t["Outputs"]["DbAddress"]["Value"],
        json!({"Fn::GetAtt": ["Db", "Endpoint.Address"]})
    );
    assert_eq!(
        t["Outputs"]["DbPort"]["Value"],
        json!({"Fn::GetAtt": ["Db", "Endpoint.Port"]})
    );
    assert_eq!(
        t["Outputs"]["DbSecretArn"]["Value"],
        json!({"Fn::GetAtt": ["Db", "MasterUserSecret.SecretArn"]})
    );
}

#[test]
fn mysql_gets_its_own_user_and_settings_are_applied() {
    let mut app = App::new();
    let stack = app.stack("Data");
    let vpc = stack.add("Vpc", Vpc::builder());
    let db = stack.add(
        "Db",
        DatabaseInstance::builder(Engine::Mysql(MysqlVersion::V8_0_42), &vpc)
            .subnets(SubnetSelection::Public)
            .instance_class("db.m7g.large")
            .allocated_storage(100)
            .storage_encryption(StorageEncryption::Key(
                "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
                    .into(),
            ))
            .deletion_protection(DeletionProtection::Off)
            .removal_policy(RemovalPolicy::Retain)
            .backup_retention_days(14)
            .availability(Availability::MultiAz)
            .iam_authentication(IamAuthentication::Off)
            .minor_version_upgrade(MinorVersionUpgrade::Manual)
            .database_name("shop")
            .port(3307),
    );
    assert_eq!(db.port(), 3307);
    let t = template(&support::synth(&app), "Data");
    let r = &t["Resources"]["Db"];
    let p = &r["Properties"];
    assert_eq!(p["Engine"], "mysql");
    assert_eq!(p["EngineVersion"], "8.0.42");
    // CDK: MySQL's default user is `admin`.
    assert_eq!(p["MasterUsername"], "admin");
    assert_eq!(p["DBInstanceClass"], "db.m7g.large");
    assert_eq!(p["AllocatedStorage"], "100");
    assert_eq!(
        p["KmsKeyId"],
        "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    );
    assert_eq!(p["StorageEncrypted"], true);
    assert_eq!(p["DeletionProtection"], false);
    assert_eq!(r["DeletionPolicy"], "Retain");
    assert_eq!(p["BackupRetentionPeriod"], 14);
    assert_eq!(p["MultiAZ"], true);
    assert_eq!(p["EnableIAMDatabaseAuthentication"], false);
    assert_eq!(p["AutoMinorVersionUpgrade"], false);
    assert_eq!(p["DBName"], "shop");
    assert_eq!(p["Port"], "3307");
    assert_eq!(
        p["PubliclyAccessible"], false,
        "public subnets, still not public"
    );
    assert_eq!(
        t["Resources"]["DbSubnetGroup"]["Properties"]["SubnetIds"],
        json!([{"Ref": "VpcPublicSubnet1"}, {"Ref": "VpcPublicSubnet2"}])
    );
}

#[test]
fn a_deprecated_engine_version_is_an_error_naming_the_path_and_the_current_versions() {
    let mut app = App::new();
    let stack = app.stack("Data");
    let vpc = stack.add("Vpc", Vpc::builder());
    stack.add(
        "Db",
        DatabaseInstance::builder(Engine::Postgres(PostgresVersion::new("16.3")), &vpc),
    );
    let err = app.synth().unwrap_err();
    let text = err.to_string();
    assert!(
        err.has("Data/Db", "engine version postgres 16.3 is deprecated"),
        "{text}"
    );
    assert!(
        text.contains("use one of the current postgres 16 versions: 16.9, 16.10, 16.11"),
        "{text}"
    );
    assert!(
        !text.contains("17.5"),
        "only versions of the same major: {text}"
    );
}

#[test]
fn an_unknown_engine_version_or_major_is_an_error_too() {
    let mut app = App::new();
    let stack = app.stack("Data");
    let vpc = stack.add("Vpc", Vpc::builder());
    stack.add(
        "Typo",
        DatabaseInstance::builder(Engine::Mysql(MysqlVersion::new("8.0.99")), &vpc),
    );
    stack.add(
        "Old",
        DatabaseInstance::builder(Engine::Postgres(PostgresVersion::new("9.6.24")), &vpc),
    );
    let err = app.synth().unwrap_err();
    let text = err.to_string();
    assert!(
        err.has("Data/Typo", "engine version mysql 8.0.99 is not a version RDS offers; use one of the current mysql 8.0 versions: 8.0.42"),
        "{text}"
    );
    assert!(
        err.has("Data/Old", "RDS offers no postgres 9.6 version any more; current major versions: 11, 12, 13, 14, 15, 16, 17, 18"),
        "{text}"
    );
}

#[test]
fn a_current_version_given_as_a_string_passes() {
    let mut app = App::new();
    let stack = app.stack("Data");
    let vpc = stack.add("Vpc", Vpc::builder());
    stack.add(
        "Db",
        DatabaseInstance::builder(Engine::Postgres(PostgresVersion::new("17.5")), &vpc),
    );
    assert_eq!(PostgresVersion::new("17.5"), PostgresVersion::V17_5);
    support::synth(&app);
}

#[test]
fn settings_rds_refuses_are_errors() {
    let mut app = App::new();
    let stack = app.stack("Data");
    let vpc = stack.add("Vpc", Vpc::builder().azs(1));
    stack.add(
        "Db",
        DatabaseInstance::builder(postgres(), &vpc)
            .instance_class("t3.micro")
            .allocated_storage(10)
            .backup_retention_days(36)
            .master_username("1admin")
            .port(80),
    );
    let imported = Vpc::from_id("vpc-0123456789abcdef0");
    stack.add(
        "NoSubnets",
        DatabaseInstance::builder(postgres(), &imported),
    );
    let err = app.synth().unwrap_err();
    let text = err.to_string();
    for expected in [
        "instance class \"t3.micro\" is not an RDS instance class",
        "allocated storage 10 GiB is outside 20-65536 GiB",
        "backup retention 36 days is more than RDS's maximum of 35",
        "master user name \"1admin\" is invalid",
        "port 80 is below 1150",
        "RDS needs a DB subnet group in at least two availability zones",
    ] {
        assert!(err.has("Data/Db", expected), "{expected}: {text}");
    }
    assert!(
        err.has("Data/NoSubnets", "the VPC has no private subnets"),
        "{text}"
    );
}

#[test]
fn allow_from_opens_the_database_port_to_a_cluster_a_group_or_a_block() {
    let mut app = App::new();
    let stack = app.stack("Data");
    let vpc = stack.add("Vpc", Vpc::builder());
    let eks = cluster(stack, &vpc, "Eks");
    let db = stack.add("Db", DatabaseInstance::builder(postgres(), &vpc));
    let bastion = stack.add("Bastion", SecurityGroup::builder(&vpc, "bastion"));
    stack.add(
        "DbFromEks",
        db.allow_from(&eks, "PostgreSQL from the cluster"),
    );
    stack.add(
        "DbFromBastion",
        db.allow_from(&bastion, "PostgreSQL from the bastion"),
    );
    stack.add(
        "DbFromOffice",
        db.allow_from(Peer::ipv4("192.0.2.0/24"), "PostgreSQL from the office"),
    );
    let t = template(&support::synth(&app), "Data");
    assert_eq!(
        t["Resources"]["DbFromEks"],
        json!({
            "Type": "AWS::EC2::SecurityGroupIngress",
            "Properties": {
                "Description": "PostgreSQL from the cluster",
                "FromPort": 5432,
                "GroupId": {"Fn::GetAtt": ["DbSecurityGroup", "GroupId"]},
                "IpProtocol": "tcp",
                "SourceSecurityGroupId": {"Fn::GetAtt": ["Eks", "ClusterSecurityGroupId"]},
                "ToPort": 5432
            }
        })
    );
    let bastion_rule = &t["Resources"]["DbFromBastion"]["Properties"];
    assert_eq!(
        bastion_rule["SourceSecurityGroupId"],
        json!({"Fn::GetAtt": ["Bastion", "GroupId"]})
    );
    let office = &t["Resources"]["DbFromOffice"]["Properties"];
    assert_eq!(office["CidrIp"], "192.0.2.0/24");
    assert_eq!(office["FromPort"], 5432);
}

#[test]
fn allow_from_a_cluster_imported_without_its_security_group_is_an_error() {
    let mut app = App::new();
    let stack = app.stack("Data");
    let vpc = stack.add("Vpc", Vpc::builder());
    let db = stack.add("Db", DatabaseInstance::builder(postgres(), &vpc));
    stack.add(
        "FromProd",
        db.allow_from(&Cluster::from_name("prod"), "from prod"),
    );
    let imported = Cluster::from_attributes(ClusterAttributes {
        cluster_name: "stage".into(),
        cluster_security_group_id: Some("sg-0123456789abcdef0".into()),
    });
    stack.add("FromStage", db.allow_from(&imported, "from stage"));
    let err = app.synth().unwrap_err();
    assert!(err.has(
        "Data/FromProd",
        "the cluster was imported without its cluster security group"
    ));
    assert!(!err.has("Data/FromStage", ""));
}

#[test]
fn a_pod_identity_role_trusts_eks_pods_exactly() {
    let mut app = App::new();
    let stack = app.stack("Apps");
    let vpc = stack.add("Vpc", Vpc::builder());
    let eks = cluster(stack, &vpc, "Eks");
    let api = stack.add(
        "ApiRole",
        PodIdentityRole::builder(
            &eks,
            ServiceAccount {
                namespace: "shop".into(),
                name: "api".into(),
            },
        ),
    );
    stack.output("ApiRoleArn", api.role().arn());
    let t = template(&support::synth(&app), "Apps");
    assert_eq!(
        t["Resources"]["ApiRoleRole"]["Properties"]["AssumeRolePolicyDocument"],
        json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Service": "pods.eks.amazonaws.com"},
                "Action": ["sts:AssumeRole", "sts:TagSession"]
            }]
        })
    );
    assert_eq!(
        t["Resources"]["ApiRoleAssociation"],
        json!({
            "Type": "AWS::EKS::PodIdentityAssociation",
            "Properties": {
                "ClusterName": {"Ref": "Eks"},
                "Namespace": "shop",
                "RoleArn": {"Fn::GetAtt": ["ApiRoleRole", "Arn"]},
                "ServiceAccount": "api"
            }
        })
    );
    // The agent lives with the cluster built in this stack.
    assert_eq!(
        t["Resources"]["EksPodIdentityAgent"]["Properties"],
        json!({
            "AddonName": "eks-pod-identity-agent",
            "ClusterName": {"Ref": "Eks"},
            "ResolveConflicts": "OVERWRITE"
        })
    );
}

#[test]
fn two_roles_on_one_cluster_share_one_agent_and_two_clusters_get_two() {
    let account = |name: &str| ServiceAccount {
        namespace: "shop".into(),
        name: name.into(),
    };
    let mut app = App::new();
    let stack = app.stack("Apps");
    let vpc = stack.add("Vpc", Vpc::builder());
    let blue = cluster(stack, &vpc, "Blue");
    let green = cluster(stack, &vpc, "Green");
    stack.add("Api", PodIdentityRole::builder(&blue, account("api")));
    stack.add("Worker", PodIdentityRole::builder(&blue, account("worker")));
    stack.add("GreenApi", PodIdentityRole::builder(&green, account("api")));
    stack.add(
        "GreenWorker",
        PodIdentityRole::builder(&green, account("worker")),
    );
    let t = template(&support::synth(&app), "Apps");
    let agents: Vec<&String> = resources_of(&t, "AWS::EKS::Addon")
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(agents, ["BluePodIdentityAgent", "GreenPodIdentityAgent"]);
    assert_eq!(
        resources_of(&t, "AWS::EKS::PodIdentityAssociation").len(),
        4
    );
}

#[test]
fn imported_clusters_get_one_agent_each_and_an_existing_agent_is_reused() {
    let account = ServiceAccount {
        namespace: "jobs".into(),
        name: "runner".into(),
    };
    let mut app = App::new();
    let stack = app.stack("Apps");
    let prod = Cluster::from_name("prod");
    let stage = Cluster::from_name("stage");
    stack.add(
        "StageAgent",
        Addon::builder(&stage, "eks-pod-identity-agent"),
    );
    stack.add("A", PodIdentityRole::builder(&prod, account.clone()));
    stack.add("B", PodIdentityRole::builder(&prod, account.clone()));
    stack.add("C", PodIdentityRole::builder(&stage, account));
    let t = template(&support::synth(&app), "Apps");
    let agents: Vec<(&String, &Json)> = resources_of(&t, "AWS::EKS::Addon");
    let ids: Vec<&String> = agents.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, ["StageAgent", "APodIdentityAgent"]);
    assert_eq!(agents[1].1["Properties"]["ClusterName"], "prod");
}

#[test]
fn service_account_names_are_checked() {
    let mut app = App::new();
    let stack = app.stack("Apps");
    stack.add(
        "Bad",
        PodIdentityRole::builder(
            &Cluster::from_name("prod"),
            ServiceAccount {
                namespace: "Shop".into(),
                name: "api_v2".into(),
            },
        ),
    );
    let err = app.synth().unwrap_err();
    assert!(err.has("Apps/Bad", "namespace \"Shop\" is not a Kubernetes name"));
    assert!(err.has(
        "Apps/Bad",
        "service account \"api_v2\" is not a Kubernetes name"
    ));
}

#[test]
fn the_secret_grant_reads_only_the_database_secret() {
    let mut app = App::new();
    let stack = app.stack("Apps");
    let vpc = stack.add("Vpc", Vpc::builder());
    let eks = cluster(stack, &vpc, "Eks");
    let db = stack.add("Db", DatabaseInstance::builder(postgres(), &vpc));
    let api = stack.add(
        "Api",
        PodIdentityRole::builder(
            &eks,
            ServiceAccount {
                namespace: "shop".into(),
                name: "api".into(),
            },
        ),
    );
    stack.add("ApiReadsDbSecret", db.grant_secret_read(api.role()));
    let t = template(&support::synth(&app), "Apps");
    assert_eq!(
        t["Resources"]["ApiReadsDbSecret"]["Properties"],
        json!({
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                    "Resource": {"Fn::GetAtt": ["Db", "MasterUserSecret.SecretArn"]}
                }]
            },
            "PolicyName": "ApiReadsDbSecret",
            "Roles": [{"Ref": "ApiRole"}]
        })
    );
}

#[test]
fn a_database_in_an_imported_vpc_uses_its_subnets() {
    let mut app = App::new();
    let stack = app.stack("Data");
    let vpc = Vpc::from_attributes(VpcAttributes {
        vpc_id: "vpc-0123456789abcdef0".into(),
        cidr: Some("10.1.0.0/16".into()),
        availability_zones: vec!["us-east-1a".into(), "us-east-1b".into()],
        public_subnet_ids: vec![],
        private_subnet_ids: vec![
            "subnet-0000000000000000a".into(),
            "subnet-0000000000000000b".into(),
        ],
    });
    stack.add("Db", DatabaseInstance::builder(postgres(), &vpc));
    let t = template(&support::synth(&app), "Data");
    assert_eq!(
        t["Resources"]["DbSubnetGroup"]["Properties"]["SubnetIds"],
        json!(["subnet-0000000000000000a", "subnet-0000000000000000b"])
    );
    assert_eq!(
        t["Resources"]["DbSecurityGroup"]["Properties"]["VpcId"],
        "vpc-0123456789abcdef0"
    );
}

#[test]
fn an_imported_database_takes_rules_and_grants_like_a_built_one() {
    let mut app = App::new();
    let stack = app.stack("Apps");
    let db = DatabaseInstance::from_attributes(DatabaseAttributes {
        endpoint_address: "orders.abc123.us-east-1.rds.amazonaws.com".into(),
        port: 5432,
        security_group_id: "sg-0123456789abcdef0".into(),
        secret_arn: "arn:aws:secretsmanager:us-east-1:111122223333:secret:rds!db-1234-AbCdEf"
            .into(),
    });
    let api = stack.add(
        "Api",
        PodIdentityRole::builder(
            &Cluster::from_name("prod"),
            ServiceAccount {
                namespace: "shop".into(),
                name: "api".into(),
            },
        ),
    );
    stack.add("ApiReadsDbSecret", db.grant_secret_read(api.role()));
    stack.add(
        "DbFromOffice",
        db.allow_from(Peer::ipv4("192.0.2.0/24"), "from the office"),
    );
    stack.output("DbPort", db.endpoint_port());
    let t = template(&support::synth(&app), "Apps");
    assert_eq!(
        t["Resources"]["ApiReadsDbSecret"]["Properties"]["PolicyDocument"]["Statement"][0]
            ["Resource"],
        "arn:aws:secretsmanager:us-east-1:111122223333:secret:rds!db-1234-AbCdEf"
    );
    let rule = &t["Resources"]["DbFromOffice"]["Properties"];
    assert_eq!(rule["GroupId"], "sg-0123456789abcdef0");
    assert_eq!(rule["FromPort"], 5432);
    assert_eq!(t["Outputs"]["DbPort"]["Value"], "5432");
    assert!(stack_edit_of_import_is_an_error(&db));
}

fn stack_edit_of_import_is_an_error(db: &DatabaseInstance) -> bool {
    let mut app = App::new();
    let stack = app.stack("Other");
    stack.edit(db).tag("team", "data");
    app.synth()
        .unwrap_err()
        .has("Other", "this construct was imported by ID")
}

#[test]
fn a_cluster_that_already_runs_the_agent_gets_none() {
    let mut app = App::new();
    let stack = app.stack("Apps");
    stack.add(
        "Api",
        PodIdentityRole::builder(
            &Cluster::from_name("prod"),
            ServiceAccount {
                namespace: "shop".into(),
                name: "api".into(),
            },
        )
        .agent(AgentAddon::AlreadyInstalled),
    );
    let t = template(&support::synth(&app), "Apps");
    assert!(resources_of(&t, "AWS::EKS::Addon").is_empty());
    assert_eq!(
        resources_of(&t, "AWS::EKS::PodIdentityAssociation").len(),
        1
    );
}
