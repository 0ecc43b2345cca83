//! The construct model as a stack author meets it: one verb adds anything,
//! `edit` reopens what was built (escape hatches), constructs made
//! elsewhere are used by ID, rules and policies are added after build, and
//! stacks depend on each other.

mod support;

use serde_json::{json, Value as Json};
use synth::ec2::{
    Peer, Port, SecurityGroup, Subnet, SubnetAttributes, SubnetKind, Vpc, VpcAttributes,
};
use synth::eks::{Cluster, Nodegroup, NODE_POLICIES};
use synth::iam::{ManagedPolicyRef, Policy, PolicyDocument, Principal, Role, Statement};
use synth::prelude::*;

fn service_role() -> synth::iam::RoleBuilder {
    Role::assumed_by(Principal::service("eks.amazonaws.com"))
        .managed_policy(ManagedPolicyRef::aws("AmazonEKSClusterPolicy"))
}

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

#[test]
fn one_verb_adds_generated_resources_and_constructs_alike() {
    let mut app = App::new();
    let s = app.stack("Verb");
    let vpc: Vpc = s.add("Vpc", Vpc::builder());
    let bucket: Handle<synth::aws::ec2::CfnEip> =
        s.add("Eip", synth::aws::ec2::CfnEip::new().domain("vpc"));
    let mut group = s.scope();
    let mut group = group.child("Team");
    let role: Role = group.add("Role", service_role());
    s.output("VpcId", vpc.id());
    s.output("EipAddress", bucket.reference());
    s.output("Role", role.arn());
    let t = template(&support::synth(&app), "Verb");
    assert!(t["Resources"]["Vpc"].is_object());
    assert!(t["Resources"]["Eip"].is_object());
    assert!(t["Resources"]["TeamRole"].is_object(), "{t:#}");
}

#[test]
fn a_property_the_builder_lacks_is_set_on_the_constructs_resource_and_validated() {
    let mut app = App::new();
    let s = app.stack("Hatch");
    let vpc = s.add("Vpc", Vpc::builder());
    s.edit(&vpc)
        .override_property("InstanceTenancy", "dedicated")
        .delete_property("EnableDnsHostnames");
    // A resource deep inside the construct, reached by its path.
    s.edit(&vpc)
        .get("PublicSubnet1/NatGateway")
        .override_property("ConnectivityType", "public");
    let role = s.add("Role", service_role());
    s.edit(&role)
        .override_property(
            "Policies",
            json!([{"PolicyName": "Extra", "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]
            }}]),
        )
        .override_property("Description", "nested.key\\.with.dots-untouched");
    let t = template(&support::synth(&app), "Hatch");
    let v = &t["Resources"]["Vpc"]["Properties"];
    assert_eq!(v["InstanceTenancy"], "dedicated");
    assert!(v.get("EnableDnsHostnames").is_none(), "{v:#}");
    assert_eq!(v["EnableDnsSupport"], true);
    assert_eq!(
        t["Resources"]["VpcPublicSubnet1NatGateway"]["Properties"]["ConnectivityType"],
        "public"
    );
    let r = &t["Resources"]["Role"]["Properties"];
    assert_eq!(r["Policies"][0]["PolicyName"], "Extra");

    // Overrides are validated like any property: a value the schema forbids.
    let mut app = App::new();
    let s = app.stack("Bad");
    let vpc = s.add("Vpc", Vpc::builder());
    s.edit(&vpc)
        .override_property("InstanceTenancy", "sideways");
    let e = app.synth().expect_err("invalid tenancy");
    assert!(e.has("Bad/Vpc/Resource", "InstanceTenancy"), "{e}");
}

#[test]
fn nested_overrides_create_maps_and_address_list_items() {
    let mut app = App::new();
    let s = app.stack("Nested");
    let vpc = s.add("Vpc", Vpc::builder());
    let role = s.add("Role", service_role());
    let cluster = s.add("Cluster", Cluster::builder(&role, vpc.private_subnets()));
    s.edit(&cluster)
        .override_property("ResourcesVpcConfig.EndpointPublicAccess", true)
        .override_property("KubernetesNetworkConfig.IpFamily", "ipv4")
        .delete_property("Logging.ClusterLogging.EnabledTypes.2");
    let t = template(&support::synth(&app), "Nested");
    let c = &t["Resources"]["Cluster"]["Properties"];
    assert_eq!(c["ResourcesVpcConfig"]["EndpointPublicAccess"], true);
    assert_eq!(c["ResourcesVpcConfig"]["EndpointPrivateAccess"], true);
    assert_eq!(c["KubernetesNetworkConfig"], json!({"IpFamily": "ipv4"}));
    assert_eq!(
        c["Logging"]["ClusterLogging"]["EnabledTypes"],
        json!([
            {"Type": "api"},
            {"Type": "audit"},
            {"Type": "controllerManager"},
            {"Type": "scheduler"}
        ])
    );

    // Walking into a scalar, or past the end of a list, names the path.
    let mut app = App::new();
    let s = app.stack("Bad");
    let vpc = s.add("Vpc", Vpc::builder());
    s.edit(&vpc)
        .override_property("CidrBlock.Inner", "x")
        .override_property("Tags.0.Value", "x");
    let role = s.add("Role", service_role());
    let cluster = s.add("Cluster", Cluster::builder(&role, vpc.private_subnets()));
    s.edit(&cluster)
        .override_property("Logging.ClusterLogging.EnabledTypes.7.Type", "api");
    let e = app.synth().expect_err("bad paths");
    assert!(
        e.has("Bad/Vpc/Resource", "CidrBlock is not an object or a list"),
        "{e}"
    );
    assert!(
        e.has("Bad/Vpc/Resource", "set them with .tag(key, value)"),
        "{e}"
    );
    assert!(
        e.has(
            "Bad/Cluster/Resource",
            "EnabledTypes has 5 items; index 7 is out of range"
        ),
        "{e}"
    );
}

#[test]
fn resource_options_on_a_construct_reach_its_resources() {
    let mut app = App::new();
    let s = app.stack("Options");
    let prod = s.condition("Prod", fns::equals(pseudo::region(), "us-east-2"));
    let vpc = s.add("Vpc", Vpc::builder().azs(2).nat_gateways(0));
    let role = s.add("Role", service_role());
    let group = s.add("Api", SecurityGroup::builder(&vpc, "API"));
    s.edit(&role)
        .logical_id("LegacyServiceRole")
        .removal_policy(RemovalPolicy::Retain)
        .metadata("Owner", "platform");
    // The group (one resource) after every resource of the VPC construct.
    s.edit(&group).depends_on(&vpc).only_if(prod);
    // A tag on the construct reaches every taggable resource under it; a
    // tag set closer to a resource wins; untaggable resources are skipped.
    s.edit(&vpc)
        .tag("tier", "network")
        .tag("Name", "overridden?");
    s.edit(&vpc).get("PublicSubnet1").tag("tier", "edge");
    let t = template(&support::synth(&app), "Options");

    let r = &t["Resources"]["LegacyServiceRole"];
    assert_eq!(r["DeletionPolicy"], "Retain");
    assert_eq!(r["UpdateReplacePolicy"], "Retain");
    assert_eq!(r["Metadata"], json!({"Owner": "platform"}));
    assert!(t["Resources"].get("Role").is_none());

    let g = &t["Resources"]["Api"];
    let deps: Vec<&str> = g["DependsOn"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    let vpc_resources: Vec<&String> = t["Resources"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| k.starts_with("Vpc"))
        .collect();
    // Every resource of the VPC construct but the VPC itself, which the
    // group's `Ref` already orders.
    assert_eq!(deps.len(), vpc_resources.len() - 1, "{deps:?}");
    assert!(!deps.contains(&"Vpc") && deps.contains(&"VpcPrivateSubnet2RouteTable"));
    assert_eq!(g["Condition"], "Prod");

    let tags = |id: &str| t["Resources"][id]["Properties"]["Tags"].clone();
    // The VPC's own Name tag is set on the resource itself, so it wins.
    assert!(tags("Vpc")
        .as_array()
        .unwrap()
        .contains(&json!({"Key": "Name", "Value": "Options/Vpc"})));
    assert!(tags("Vpc")
        .as_array()
        .unwrap()
        .contains(&json!({"Key": "tier", "Value": "network"})));
    assert!(tags("VpcPublicSubnet1")
        .as_array()
        .unwrap()
        .contains(&json!({"Key": "tier", "Value": "edge"})));
    assert!(tags("VpcPrivateSubnet1")
        .as_array()
        .unwrap()
        .contains(&json!({"Key": "tier", "Value": "network"})));
    assert!(t["Resources"]["VpcGatewayAttachment"]["Properties"]
        .get("Tags")
        .is_none());
    // The security group is not under the VPC construct.
    assert!(!tags("Api")
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["Key"] == "tier"));
}

#[test]
fn editing_what_cannot_be_edited_names_the_construct() {
    let mut app = App::new();
    let a = app.stack("A");
    let role_a = a.add("Role", service_role());
    let b = app.stack("B");
    let vpc = b.add("Vpc", Vpc::builder());
    // A grouping with no resource of its own takes no logical ID.
    b.scope()
        .child("Group")
        .add("Eip", synth::aws::ec2::CfnEip::new());
    b.scope().get("Group").logical_id("Grouped");
    b.edit(&vpc).get("NoSuchChild").tag("x", "y");
    // Imported by ID: nothing here to edit.
    b.edit(&Role::from_name("elsewhere"))
        .removal_policy(RemovalPolicy::Retain);
    // Another stack's construct is edited through its own stack.
    b.edit(&role_a).logical_id("Stolen");
    let e = app.synth().expect_err("bad edits");
    assert!(
        e.has("B/Group", "no child named Resource or Default") && e.has("B/Group", "Eip"),
        "{e}"
    );
    assert!(
        e.has("B/Vpc", "nothing is at \"NoSuchChild\"") && e.has("B/Vpc", "PublicSubnet1"),
        "{e}"
    );
    assert!(e.has("B", "imported by ID"), "{e}");
    assert!(e.has("B", "belongs to another stack"), "{e}");
    assert_eq!(e.errors().count(), 4, "{e}");
}

#[test]
fn constructs_made_elsewhere_are_used_by_id() {
    let mut app = App::new();
    let s = app.stack("Imports");
    let vpc = Vpc::from_attributes(VpcAttributes {
        vpc_id: "vpc-0123456789abcdef0".into(),
        cidr: Some("10.20.0.0/16".into()),
        availability_zones: vec!["us-east-2a".into(), "us-east-2b".into()],
        public_subnet_ids: vec![],
        private_subnet_ids: vec!["subnet-0a1b2c3d".into(), "subnet-0b1b2c3d".into()],
    });
    let role = Role::from_arn("arn:aws:iam::123456789012:role/platform/eks-service");
    assert_eq!(role.name(), "eks-service".into());
    let nodes = Role::from_name("eks-nodes");
    let cluster = s.add("Cluster", Cluster::builder(&role, vpc.private_subnets()));
    s.add(
        "Nodes",
        Nodegroup::builder(&cluster, &nodes, vpc.private_subnets()),
    );
    let extra = Subnet::from_attributes(SubnetAttributes {
        subnet_id: "subnet-0c1b2c3d".into(),
        availability_zone: "us-east-2c".into(),
        kind: SubnetKind::Private,
    });
    let existing = Cluster::from_name("legacy");
    s.add(
        "LegacyNodes",
        Nodegroup::builder(&existing, &nodes, &[extra]),
    );
    let db = s.add("Db", SecurityGroup::builder(&vpc, "database"));
    let sg = SecurityGroup::from_id("sg-0123456789abcdef0");
    s.add(
        "DbFromNodes",
        db.allow_from(&sg, Port::Tcp(5432), "PostgreSQL from the nodes"),
    );
    s.add(
        "Logs",
        Policy::builder(
            PolicyDocument::new().statement(
                Statement::allow()
                    .action("logs:PutLogEvents")
                    .any_resource(),
            ),
        )
        .attach_to_role(&nodes),
    );
    let t = template(&support::synth(&app), "Imports");
    let c = &t["Resources"]["Cluster"]["Properties"];
    assert_eq!(
        c["RoleArn"],
        "arn:aws:iam::123456789012:role/platform/eks-service"
    );
    assert_eq!(
        c["ResourcesVpcConfig"]["SubnetIds"],
        json!(["subnet-0a1b2c3d", "subnet-0b1b2c3d"])
    );
    assert_eq!(
        t["Resources"]["Nodes"]["Properties"]["NodeRole"],
        json!({"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/eks-nodes"})
    );
    assert_eq!(
        t["Resources"]["LegacyNodes"]["Properties"]["ClusterName"],
        "legacy"
    );
    assert_eq!(
        t["Resources"]["Db"]["Properties"]["VpcId"],
        "vpc-0123456789abcdef0"
    );
    assert_eq!(
        t["Resources"]["DbFromNodes"]["Properties"],
        json!({
            "Description": "PostgreSQL from the nodes",
            "FromPort": 5432,
            "GroupId": {"Fn::GetAtt": ["Db", "GroupId"]},
            "IpProtocol": "tcp",
            "SourceSecurityGroupId": "sg-0123456789abcdef0",
            "ToPort": 5432
        })
    );
    let p = &t["Resources"]["Logs"]["Properties"];
    assert_eq!(p["Roles"], json!(["eks-nodes"]));
    assert_eq!(p["PolicyName"], "Logs");

    // A single zone among imported subnets is still caught.
    let mut app = App::new();
    let s = app.stack("Bad");
    let one_zone = Vpc::from_attributes(VpcAttributes {
        vpc_id: "vpc-11112222".into(),
        cidr: None,
        availability_zones: vec!["us-east-2a".into()],
        public_subnet_ids: vec![],
        private_subnet_ids: vec!["subnet-11112222".into(), "subnet-33334444".into()],
    });
    s.add("C", Cluster::builder(&role, one_zone.private_subnets()));
    let e = app.synth().expect_err("one zone");
    assert!(e.has("Bad/C", "2 subnet(s) in 1 zone(s)"), "{e}");
}

#[test]
fn built_constructs_are_used_from_another_stack_and_rules_added_after_build() {
    let mut app = App::new();
    let net = app.stack("Net");
    let vpc = net.add("Vpc", Vpc::builder());
    let api = net.add(
        "Api",
        SecurityGroup::builder(&vpc, "API").allow_to(
            Peer::ipv4("10.0.0.0/16"),
            Port::Tcp(443),
            "API to the VPC",
        ),
    );
    let net_id = net.id();

    let apps = app.stack("Apps");
    let workers = apps.add("Workers", SecurityGroup::builder(&vpc, "workers"));
    // Both sides of one connection, each rule in the stack that adds it.
    apps.add(
        "ApiFromWorkers",
        api.allow_from(&workers, Port::Tcp(443), "API from the workers"),
    );
    apps.add(
        "WorkersToApi",
        workers.allow_to(&api, Port::Tcp(443), "workers to the API"),
    );
    let role = apps.add("Role", service_role());
    apps.add(
        "RoleCanDescribe",
        Policy::builder(
            PolicyDocument::new().statement(
                Statement::allow()
                    .action("ec2:DescribeSubnets")
                    .any_resource(),
            ),
        )
        .attach_to_role(&role),
    );
    // A construct-level dependency on another stack's construct is a
    // dependency between the stacks.
    apps.edit(&workers).depends_on(&vpc);
    let assembly = support::synth(&app);
    let t = template(&assembly, "Apps");
    let ingress = &t["Resources"]["ApiFromWorkers"];
    assert_eq!(ingress["Type"], "AWS::EC2::SecurityGroupIngress");
    assert!(
        ingress["Properties"]["GroupId"]["Fn::ImportValue"].is_string(),
        "{ingress:#}"
    );
    assert_eq!(
        ingress["Properties"]["SourceSecurityGroupId"],
        json!({"Fn::GetAtt": ["Workers", "GroupId"]})
    );
    let egress = &t["Resources"]["WorkersToApi"];
    assert_eq!(egress["Type"], "AWS::EC2::SecurityGroupEgress");
    assert!(egress["Properties"]["DestinationSecurityGroupId"]["Fn::ImportValue"].is_string());
    assert!(t["Resources"]["Workers"].get("DependsOn").is_none());
    let manifest = assembly.manifest();
    let apps_entry = manifest.stacks.iter().find(|s| s.name == "Apps").unwrap();
    assert_eq!(apps_entry.dependencies, ["Net"]);
    assert_eq!(manifest.stacks[0].name, "Net");
    assert_eq!(resources_of(&t, "AWS::IAM::Policy").len(), 1);
    let _ = net_id;
}

#[test]
fn stacks_depend_on_each_other_without_references() {
    let mut app = App::new();
    let shared = app.stack("Shared");
    shared.add("Eip", synth::aws::ec2::CfnEip::new());
    let shared = shared.id();
    let later = app.stack("Later");
    later.add("Eip", synth::aws::ec2::CfnEip::new());
    later.depends_on(shared);
    let first = app.stack("First");
    first.add("Eip", synth::aws::ec2::CfnEip::new());
    let first = first.id();
    app.get_stack("Shared").unwrap().depends_on(first);
    let assembly = support::synth(&app);
    let manifest = assembly.manifest();
    let order: Vec<&str> = manifest.stacks.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(order, ["First", "Shared", "Later"]);

    let mut app = App::new();
    let me = app.stack("Me");
    let id = me.id();
    me.depends_on(id);
    assert!(app.synth().unwrap_err().has("Me", "depends on itself"));
}

#[test]
fn a_construct_of_your_own_is_open_like_the_bundled_ones() {
    /// Two subnets' worth of node roles, as a team might wrap them.
    struct NodeRoles {
        count: usize,
    }
    struct BuiltNodeRoles {
        node: NodeId,
        roles: Vec<Role>,
    }
    impl HasNode for BuiltNodeRoles {
        fn node(&self) -> Option<NodeId> {
            Some(self.node)
        }
    }
    impl Construct for NodeRoles {
        type Built = BuiltNodeRoles;
        fn build(self, scope: &mut Scope<'_>) -> BuiltNodeRoles {
            let roles = (0..self.count)
                .map(|i| {
                    let mut role = Role::assumed_by(Principal::service("ec2.amazonaws.com"));
                    for p in NODE_POLICIES {
                        role = role.managed_policy(ManagedPolicyRef::aws(p));
                    }
                    scope.add(&format!("Role{i}"), role)
                })
                .collect();
            BuiltNodeRoles {
                node: scope.node_id(),
                roles,
            }
        }
    }
    let mut app = App::new();
    let s = app.stack("Own");
    let built = s.add("Nodes", NodeRoles { count: 2 });
    s.edit(&built).tag("team", "ci");
    s.edit(&built).get("Role1").logical_id("KeptRole");
    let infos = s.edit(&built).resources();
    assert_eq!(infos.len(), 2);
    assert_eq!(infos[0].path, "Own/Nodes/Role0/Resource");
    assert_eq!(infos[0].type_name, "AWS::IAM::Role");
    s.output("First", built.roles[0].arn());
    let t = template(&support::synth(&app), "Own");
    assert!(t["Resources"]["KeptRole"].is_object(), "{t:#}");
    assert_eq!(
        t["Resources"]["NodesRole0"]["Properties"]["Tags"],
        json!([{"Key": "team", "Value": "ci"}])
    );
}
