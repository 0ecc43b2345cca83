//! Schema constraints the types cannot express, checked at synthesis on
//! literal values of generated resources, one test per kind of failure,
//! each error naming the construct path and the property.

use synth::aws::ec2::{security_group, CfnSecurityGroup, CfnSubnet};
use synth::aws::eks::{cluster, CfnCluster, CfnClusterRequired};
use synth::aws::iam::CfnRole;
use synth::prelude::*;

mod support;

fn trust() -> Value {
    serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    .into()
}

/// The synthesis errors of a stack holding one resource at `Check/Thing`.
fn errors_of<R: Resource>(resource: R) -> synth::SynthError {
    let mut app = App::new();
    app.stack("Check").add("Thing", resource);
    app.synth().expect_err("synthesis should fail")
}

fn has(e: &synth::SynthError, text: &str) {
    assert!(
        e.has("Check/Thing", text),
        "expected {text:?} at Check/Thing in:\n{e}"
    );
}

#[test]
fn pattern() {
    let e = errors_of(CfnRole::new(trust()).role_name("bad name!"));
    has(
        &e,
        "RoleName is \"bad name!\", which does not match the pattern",
    );
}

#[test]
fn max_length() {
    let e = errors_of(CfnRole::new(trust()).role_name("r".repeat(65)));
    has(&e, "RoleName is 65 characters long; at most 64 are allowed");
}

#[test]
fn min_length() {
    let e = errors_of(CfnRole::new(trust()).permissions_boundary("arn:short"));
    has(
        &e,
        "PermissionsBoundary is 9 characters long; at least 20 are required",
    );
}

#[test]
fn minimum_and_maximum() {
    has(
        &errors_of(CfnRole::new(trust()).max_session_duration(60)),
        "MaxSessionDuration is 60; the minimum is 3600",
    );
    has(
        &errors_of(CfnRole::new(trust()).max_session_duration(50_000)),
        "MaxSessionDuration is 50000; the maximum is 43200",
    );
}

#[test]
fn enumerated_values_in_nested_properties() {
    let vpc = cluster::ResourcesVpcConfig::new(vec!["subnet-1", "subnet-2"]);
    let e = errors_of(
        CfnCluster::new(CfnClusterRequired {
            resources_vpc_config: vpc.into(),
            role_arn: "arn:aws:iam::123456789012:role/eks".into(),
        })
        .access_config(cluster::AccessConfig::new().authentication_mode("BOGUS")),
    );
    has(&e, "AccessConfig.AuthenticationMode is \"BOGUS\"; allowed values are CONFIG_MAP, API_AND_CONFIG_MAP, API");
}

#[test]
fn required_xor_inside_lists() {
    let no_peer = security_group::Ingress::new("tcp")
        .from_port(443)
        .to_port(443);
    let e = errors_of(CfnSecurityGroup::new("web").security_group_ingress(vec![no_peer]));
    has(&e, "set exactly one of SecurityGroupIngress[0].CidrIp");
    let two_peers = security_group::Ingress::new("tcp")
        .cidr_ip("10.0.0.0/8")
        .source_security_group_id("sg-1");
    let e = errors_of(CfnSecurityGroup::new("web").security_group_ingress(vec![two_peers]));
    has(&e, "CidrIp and SourceSecurityGroupId are set");
}

#[test]
fn dependent_excluded() {
    let e = errors_of(
        CfnSubnet::new("vpc-1")
            .cidr_block("10.0.0.0/24")
            .availability_zone("us-east-1a")
            .availability_zone_id("use1-az1"),
    );
    has(
        &e,
        "AvailabilityZoneId cannot be set together with AvailabilityZone",
    );
}

#[test]
fn intrinsic_values_are_left_to_deploy_time() {
    let mut app = App::new();
    let s = app.stack("Check");
    let name = s.parameter("Name", ParameterSpec::string().default("ok-name"));
    s.add("Thing", CfnRole::new(trust()).role_name(name.value()));
    support::synth(&app);
}

#[test]
fn types_unavailable_in_a_pinned_region_are_errors() {
    // Any compiled-in type the schemas list as missing from a region they cover.
    let covered = synth::aws::covered_regions();
    let (meta, region) = synth::aws::all_types()
        .find_map(|m| {
            covered
                .iter()
                .find(|r| !m.regions.contains(*r))
                .map(|r| (m, r))
        })
        .expect("some type is missing from some region");
    let mut app = App::new();
    app.stack("Check")
        .region(region.name)
        .add("Thing", RawResource::new(meta.type_name));
    let e = app.synth().expect_err("synthesis should fail");
    has(
        &e,
        &format!("{} is not available in {}", meta.type_name, region.name),
    );
}

#[test]
fn iam_ec2_and_eks_resources_through_the_generated_api_alone() {
    use synth::aws::ec2::CfnVpc;
    let mut app = App::new();
    let s = app.stack("Generated");
    let vpc = s.add(
        "Vpc",
        CfnVpc::new()
            .cidr_block("10.1.0.0/16")
            .enable_dns_support(true),
    );
    let subnets: Vec<_> = (0..2)
        .map(|i| {
            s.add(
                &format!("Subnet{i}"),
                CfnSubnet::new(vpc.vpc_id())
                    .cidr_block(format!("10.1.{i}.0/24"))
                    .availability_zone(fns::select(i, fns::get_azs())),
            )
        })
        .collect();
    let role = s.add(
        "ClusterRole",
        CfnRole::new(
            synth::iam::PolicyDocument::new().statement(
                synth::iam::Statement::allow()
                    .action("sts:AssumeRole")
                    .principal(synth::iam::Principal::service("eks.amazonaws.com")),
            ),
        )
        .managed_policy_arns([synth::iam::arn::aws_managed_policy(
            "AmazonEKSClusterPolicy",
        )]),
    );
    let cluster = s.add(
        "Cluster",
        CfnCluster::new(CfnClusterRequired {
            resources_vpc_config: cluster::ResourcesVpcConfig::new(
                subnets.iter().map(|h| h.subnet_id()).collect::<Vec<_>>(),
            )
            .into(),
            role_arn: role.arn(),
        })
        .version("1.33"),
    );
    s.output("Endpoint", cluster.endpoint());
    s.output("CertificateAuthority", cluster.certificate_authority_data());
    let assembly = support::synth(&app);
    let t = assembly.template("Generated").unwrap();
    assert_eq!(
        t["Resources"]["Cluster"]["Properties"]["RoleArn"],
        serde_json::json!({"Fn::GetAtt": ["ClusterRole", "Arn"]})
    );
    assert_eq!(
        t["Outputs"]["CertificateAuthority"]["Value"],
        serde_json::json!({"Fn::GetAtt": ["Cluster", "CertificateAuthority.Data"]})
    );
}
