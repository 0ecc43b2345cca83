// Node groups take `Subnet`s: a handle to another resource type, here the
// VPC's, does not compile where subnets are expected.
use synth::ec2::Vpc;
use synth::eks::{Cluster, Nodegroup};
use synth::iam::{Principal, Role};
use synth::prelude::*;

fn main() {
    let mut app = App::new();
    let stack = app.stack("Eks");
    let vpc = stack.add("Vpc", Vpc::builder());
    let role = stack.add("Role", Role::assumed_by(Principal::service("ec2.amazonaws.com")));
    let cluster = Cluster::from_name("existing");
    let vpc_handle = vpc.handle().unwrap();
    stack.add("Nodes", Nodegroup::builder(&cluster, &role, &[vpc_handle]));
}
