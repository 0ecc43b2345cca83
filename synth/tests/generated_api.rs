//! The generated resource API, used as an application would.

use synth::aws::{self, ec2, eks, iam};
use synth::resource::{Handle, RawResource, Resource};
use synth::schema::TagShape;
use synth::value::{Json, Val, Value};

fn prop_names(resource: impl Resource) -> Vec<&'static str> {
    let (props, _) = resource.into_parts();
    props.iter().map(|(name, _)| name).collect()
}

#[test]
fn role_properties_use_cloudformation_names() {
    let trust = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": "eks.amazonaws.com"},
            "Action": "sts:AssumeRole"
        }]
    });
    let role = iam::CfnRole::new(trust.clone())
        .role_name("cluster-role")
        .managed_policy_arns(vec!["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"])
        .policies(vec![iam::role::Policy::new(iam::role::PolicyRequired {
            policy_document: serde_json::json!({"Version": "2012-10-17", "Statement": []}).into(),
            policy_name: "inline".into(),
        })]);
    assert_eq!(role.type_name(), "AWS::IAM::Role");
    assert_eq!(iam::CfnRole::TYPE_NAME, "AWS::IAM::Role");
    assert_eq!(role.meta().map(|m| m.type_name), Some("AWS::IAM::Role"));

    let (props, _) = role.into_parts();
    let names: Vec<&str> = props.iter().map(|(name, _)| name).collect();
    assert_eq!(
        names,
        [
            "AssumeRolePolicyDocument",
            "ManagedPolicyArns",
            "Policies",
            "RoleName"
        ]
    );
    assert_eq!(
        props.get("AssumeRolePolicyDocument"),
        Some(&Value::from(trust))
    );
    let policy = Value::map()
        .with(
            "PolicyDocument",
            Value::map()
                .with("Statement", Value::List(vec![]))
                .with("Version", "2012-10-17"),
        )
        .with("PolicyName", "inline");
    assert_eq!(props.get("Policies"), Some(&Value::List(vec![policy])));
}

#[test]
fn subnet_and_cluster_take_their_required_properties_first_and_by_name() {
    let subnet = ec2::CfnSubnet::new("vpc-0123")
        .cidr_block("10.0.0.0/24")
        .availability_zone("eu-west-1a")
        .map_public_ip_on_launch(true)
        .tags(vec![ec2::subnet::Tag::new(ec2::subnet::TagRequired {
            key: "Name".into(),
            value: "private-a".into(),
        })]);
    assert_eq!(
        prop_names(subnet),
        [
            "AvailabilityZone",
            "CidrBlock",
            "MapPublicIpOnLaunch",
            "Tags",
            "VpcId"
        ]
    );

    let vpc_config = eks::cluster::ResourcesVpcConfig::new(vec!["subnet-a", "subnet-b"])
        .endpoint_private_access(true);
    let cluster = eks::CfnCluster::new(eks::CfnClusterRequired {
        resources_vpc_config: vpc_config.into(),
        role_arn: "arn:aws:iam::123456789012:role/cluster".into(),
    })
    .name("gitlab")
    .version("1.31")
    .access_config(eks::cluster::AccessConfig::new().authentication_mode("API"));
    let (props, _) = cluster.into_parts();
    let names: Vec<&str> = props.iter().map(|(name, _)| name).collect();
    assert_eq!(
        names,
        [
            "AccessConfig",
            "Name",
            "ResourcesVpcConfig",
            "RoleArn",
            "Version"
        ]
    );
    let expected = Value::map()
        .with("EndpointPrivateAccess", true)
        .with("SubnetIds", Value::list(["subnet-a", "subnet-b"]));
    assert_eq!(props.get("ResourcesVpcConfig"), Some(&expected));
}

#[test]
fn handles_have_one_method_per_attribute() {
    // Handles only come from stacks; naming the methods checks they exist
    // with the schema's types.
    let _: fn(&Handle<iam::CfnRole>) -> Val<String> = Handle::<iam::CfnRole>::arn;
    let _: fn(&Handle<iam::CfnRole>) -> Val<String> = Handle::<iam::CfnRole>::role_id;
    let _: fn(&Handle<ec2::CfnSubnet>) -> Val<String> = Handle::<ec2::CfnSubnet>::subnet_id;
    let _: fn(&Handle<ec2::CfnSubnet>) -> Val<Vec<String>> =
        Handle::<ec2::CfnSubnet>::ipv6_cidr_blocks;
    let _: fn(&Handle<ec2::CfnSubnet>) -> Val<Json> =
        Handle::<ec2::CfnSubnet>::block_public_access_states;
    let _: fn(&Handle<eks::CfnCluster>) -> Val<String> = Handle::<eks::CfnCluster>::endpoint;
    let _: fn(&Handle<eks::CfnCluster>) -> Val<String> =
        Handle::<eks::CfnCluster>::certificate_authority_data;
    let _: fn(&Handle<eks::CfnCluster>) -> Val<String> =
        Handle::<eks::CfnCluster>::open_id_connect_issuer_url;
    let _: fn(&Handle<eks::CfnCluster>) -> Val<String> =
        Handle::<eks::CfnCluster>::cluster_security_group_id;
}

#[test]
fn lookup_reports_schema_facts() {
    let cluster = aws::lookup("AWS::EKS::Cluster").expect("EKS is a default feature");
    assert_eq!(cluster.type_name, "AWS::EKS::Cluster");
    assert!(cluster.create_only.contains(&"Name"));
    assert!(cluster.create_only.contains(&"RoleArn"));
    assert!(cluster
        .create_only
        .contains(&"KubernetesNetworkConfig/IpFamily"));
    assert!(!cluster.create_only.contains(&"Version"));
    assert_eq!(cluster.primary_identifier, ["Name"]);
    assert!(cluster.attributes.contains(&"CertificateAuthority.Data"));
    assert!(cluster.attributes.contains(&"Arn"));
    assert_eq!(
        cluster.tagging.map(|t| (t.property, t.shape)),
        Some(("Tags", TagShape::List))
    );
    let us_east_1 = synth::regions::Region::find("us-east-1").unwrap();
    assert!(cluster.regions.contains(us_east_1));

    let nodegroup = aws::lookup("AWS::EKS::Nodegroup").unwrap();
    assert_eq!(nodegroup.tagging.map(|t| t.shape), Some(TagShape::Map));
    let vpc = aws::lookup("AWS::EC2::VPC").unwrap();
    assert_eq!(vpc.tagging.map(|t| t.shape), Some(TagShape::List));
    let access_key = aws::lookup("AWS::IAM::AccessKey").unwrap();
    assert_eq!(access_key.tagging, None);

    assert!(aws::lookup("AWS::EKS::NoSuchThing").is_none());
    assert!(aws::lookup("Custom::Thing").is_none());
    assert!(aws::lookup("").is_none());
    assert_eq!(
        RawResource::new("AWS::IAM::Role")
            .meta()
            .map(|m| m.type_name),
        Some("AWS::IAM::Role")
    );
}

#[cfg(feature = "autoscaling")]
#[test]
fn auto_scaling_groups_propagate_tags_at_launch() {
    let asg = aws::lookup("AWS::AutoScaling::AutoScalingGroup").unwrap();
    assert_eq!(
        asg.tagging.map(|t| t.shape),
        Some(TagShape::ListPropagateAtLaunch)
    );
}

#[cfg(not(feature = "autoscaling"))]
#[test]
fn services_left_out_are_unknown() {
    assert!(aws::lookup("AWS::AutoScaling::AutoScalingGroup").is_none());
}

#[test]
fn all_types_lists_each_enabled_type_once() {
    let all: Vec<&str> = aws::all_types().map(|m| m.type_name).collect();
    assert!(all.contains(&"AWS::IAM::Role"));
    assert!(all.contains(&"AWS::EC2::Subnet"));
    assert!(all.contains(&"AWS::EKS::Cluster"));
    for name in &all {
        assert_eq!(aws::lookup(name).map(|m| m.type_name), Some(*name));
    }
    let mut sorted = all.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), all.len());
}

#[test]
fn shapes_carry_the_schema_constraints() {
    use synth::schema::Shape;
    let cluster = aws::lookup("AWS::EKS::Cluster").unwrap();
    let name = cluster
        .shape
        .fields
        .iter()
        .find(|(n, _)| *n == "Name")
        .map(|(_, s)| *s);
    match name {
        Some(Shape::Str(rule)) => {
            assert_eq!(rule.min_len, Some(1));
            assert_eq!(rule.max_len, Some(100));
            assert!(rule.pattern.is_some());
        }
        other => panic!("unexpected shape of Name: {other:?}"),
    }
    let security_group_ingress = aws::lookup("AWS::EC2::SecurityGroupIngress").unwrap();
    assert!(!security_group_ingress.shape.required_xor.is_empty());
}

#[test]
fn regions_come_from_the_schema_data() {
    use synth::regions::Region;
    let region = |name| Region::find(name).unwrap();
    let covered = aws::covered_regions();
    assert!(covered.contains(region("us-east-1")));
    assert!(covered.contains(region("cn-north-1")));
    assert!(covered.contains(region("us-gov-west-1")));
    // cfn-lint 1.58.0 ships no schemas for me-south-1.
    assert!(!covered.contains(region("me-south-1")));

    let fargate = aws::lookup("AWS::EKS::FargateProfile").unwrap();
    assert!(fargate.regions.contains(region("us-east-1")));
    assert!(!fargate.regions.contains(region("us-gov-west-1")));
    for meta in aws::all_types() {
        assert_eq!(meta.regions.0 & !covered.0, 0, "{}", meta.type_name);
    }
}
