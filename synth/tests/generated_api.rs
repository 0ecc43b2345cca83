//! The generated resource API, used as an application would.

use synth::aws::{self, ec2, eks, iam};
use synth::resource::{Handle, RawResource, Resource};
use synth::schema::TagShape;
use synth::value::{Json, Val, Value};

mod support;

fn prop_names(resource: impl Resource) -> Vec<String> {
    let (props, _) = resource.into_parts();
    props.iter().map(|(name, _)| name.to_owned()).collect()
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

#[test]
fn two_or_more_required_properties_are_named_fields() {
    use synth::aws::eks::access_entry;
    // Four strings that would have been easy to swap as arguments.
    let association = eks::CfnPodIdentityAssociation::new(eks::CfnPodIdentityAssociationRequired {
        cluster_name: "gitlab".into(),
        namespace: "kube-system".into(),
        role_arn: "arn:aws:iam::123456789012:role/pod".into(),
        service_account: "ebs-csi-controller-sa".into(),
    });
    let (props, _) = association.into_parts();
    assert_eq!(props.get("Namespace"), Some(&Value::from("kube-system")));
    assert_eq!(
        props.get("ServiceAccount"),
        Some(&Value::from("ebs-csi-controller-sa"))
    );
    assert_eq!(props.iter().count(), 4);

    // Property types too; one required property stays the argument.
    let policy = access_entry::AccessPolicy::new(access_entry::AccessPolicyRequired {
        access_scope: access_entry::AccessScope::new("cluster").into(),
        policy_arn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy".into(),
    });
    let value: Val<access_entry::AccessPolicy> = policy.into();
    assert_eq!(
        value.value(),
        &Value::map()
            .with("AccessScope", Value::map().with("Type", "cluster"))
            .with(
                "PolicyArn",
                "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"
            )
    );
}

/// Every generated file, as text.
fn generated_sources() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/aws");
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p.file_name().unwrap().to_string_lossy().into_owned(), text)
        })
        .collect();
    files.sort();
    assert!(files.len() > 300, "{} files", files.len());
    files
}

/// The parameters of a `pub fn new(...)` line, split at top-level commas.
fn new_params(line: &str) -> Option<Vec<String>> {
    let start = line.find("pub fn new(")? + "pub fn new(".len();
    let end = line.rfind(") -> Self")?;
    let mut params = Vec::new();
    let (mut depth, mut current) = (0, String::new());
    for c in line[start..end].chars() {
        match c {
            '<' => depth += 1,
            '>' => depth -= 1,
            ',' if depth == 0 => {
                params.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if !current.trim().is_empty() {
        params.push(current);
    }
    Some(params.into_iter().map(|p| p.trim().to_owned()).collect())
}

#[test]
fn a_required_struct_exists_exactly_for_two_or_more_required_properties() {
    let (mut structs, mut by_name, mut positional) = (0, 0, 0);
    for (file, text) in generated_sources() {
        // The last `<Name>Required` struct seen and its number of fields:
        // each comes right before the `new` that takes it.
        let mut last: Option<(String, usize)> = None;
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if let Some(name) = line
                .trim()
                .strip_prefix("pub struct ")
                .and_then(|r| r.strip_suffix(" {"))
                .filter(|n| n.ends_with("Required"))
            {
                assert!(last.is_none(), "{file}: {name} follows an unused one");
                let indent = &line[..line.len() - line.trim_start().len()];
                let end = format!("{indent}}}");
                let fields = lines[i + 1..]
                    .iter()
                    .take_while(|l| **l != end)
                    .filter(|l| l.trim_start().starts_with("pub "))
                    .count();
                last = Some((name.to_owned(), fields));
                structs += 1;
                continue;
            }
            let Some(params) = new_params(line) else {
                continue;
            };
            // At most one positional argument ...
            assert!(params.len() <= 1, "{file}: {line}");
            match params
                .first()
                .and_then(|p| p.strip_prefix("required: "))
                .filter(|ty| !ty.starts_with("impl "))
            {
                // ... or a struct of two or more fields.
                Some(name) => {
                    let (expected, fields) = last
                        .take()
                        .unwrap_or_else(|| panic!("{file}: no struct before {line}"));
                    assert_eq!(name, expected, "{file}");
                    assert!(fields >= 2, "{file}: {name} has {fields} fields");
                    by_name += 1;
                }
                None => {
                    if let Some(p) = params.first() {
                        assert!(p.contains(": impl Into<Val<"), "{file}: {line}");
                        positional += 1;
                    }
                }
            }
        }
        assert!(last.is_none(), "{file}: a Required struct no `new` takes");
    }
    assert_eq!(structs, by_name);
    // Of the 1,884 resource types and their property types.
    assert!(
        by_name > 4000 && positional > 3000,
        "{by_name} {positional}"
    );
}

#[test]
fn allowed_values_are_enums_that_synthesize_as_their_string() {
    use synth::aws::ec2::ec2_fleet::CpuManufacturers;
    use synth::aws::eks::addon::ResolveConflicts;

    assert_eq!(ResolveConflicts::Overwrite.as_str(), "OVERWRITE");
    assert_eq!(ResolveConflicts::Overwrite.to_string(), "OVERWRITE");
    assert_eq!(format!("{:>10}", ResolveConflicts::None), "      NONE");
    assert_eq!(format!("{:?}", ResolveConflicts::Preserve), "\"PRESERVE\"");
    assert_eq!(ResolveConflicts::None, ResolveConflicts::None);
    assert_ne!(ResolveConflicts::None, ResolveConflicts::Preserve);
    let val: Val<String> = ResolveConflicts::Overwrite.into();
    assert_eq!(val, Val::<String>::from("OVERWRITE"));
    // In lists of allowed values too.
    let list: Val<Vec<String>> =
        vec![CpuManufacturers::Intel, CpuManufacturers::AmazonWebServices].into();
    assert_eq!(list.value(), &Value::list(["intel", "amazon-web-services"]));

    let mut app = synth::App::new();
    let stack = app.stack("Enums");
    let addon = |name: &str| {
        eks::CfnAddon::new(eks::CfnAddonRequired {
            addon_name: name.into(),
            cluster_name: "gitlab".into(),
        })
    };
    // The enum, and a plain string as before.
    stack.add(
        "Enum",
        addon("vpc-cni").resolve_conflicts(ResolveConflicts::Overwrite),
    );
    stack.add("Text", addon("coredns").resolve_conflicts("PRESERVE"));
    let assembly = support::synth(&app);
    let template = assembly.template("Enums").unwrap();
    let conflicts = |id: &str| template["Resources"][id]["Properties"]["ResolveConflicts"].clone();
    assert_eq!(conflicts("Enum"), serde_json::json!("OVERWRITE"));
    assert_eq!(conflicts("Text"), serde_json::json!("PRESERVE"));
}

#[test]
fn each_resource_lists_its_attributes_in_its_own_docs() {
    let sources = generated_sources();
    let eks = &sources.iter().find(|(f, _)| f == "eks.rs").unwrap().1;
    let at = eks.find("\npub struct CfnCluster {").unwrap();
    let start = eks[..at].rfind("\n\n").unwrap();
    let doc = &eks[start..at];
    for expected in [
        "/// # Attributes\n",
        "/// - `Endpoint`: `handle.endpoint()` → `Val<String>`. The endpoint for your Kubernetes API server",
        "/// - `CertificateAuthority.Data`: `handle.certificate_authority_data()` → `Val<String>`.",
        "/// `handle.reference()` gives `Ref`, which returns the primary identifier, `Name`.\n",
    ] {
        assert!(doc.contains(expected), "{expected:?} not in\n{doc}");
    }
    // Every resource type has the section, before its struct.
    let mut types = 0;
    for (file, text) in &sources {
        for (i, _) in text.match_indices("\npub struct Cfn") {
            let line = text[i + 1..].lines().next().unwrap();
            if line.ends_with("Required {") {
                continue;
            }
            let doc_start = text[..i].rfind("\n\n").unwrap();
            assert!(
                text[doc_start..i].contains("/// # Attributes"),
                "{file}: {line}"
            );
            types += 1;
        }
    }
    assert_eq!(types, 1884);
}
