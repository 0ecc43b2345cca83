// A typed handle only offers its own type's attributes, and converts to no
// other resource's handle: a subnet handle is not a role handle.
use synth::aws::ec2::{CfnSubnet, CfnVpc};
use synth::aws::iam::CfnRole;
use synth::prelude::*;

fn role_arn(role: Handle<CfnRole>) -> Val<String> {
    role.arn()
}

fn main() {
    let mut app = App::new();
    let stack = app.stack("Net");
    let vpc = stack.add("Vpc", CfnVpc::new());
    let subnet = stack.add("Subnet", CfnSubnet::new(vpc.vpc_id()));
    let _ = role_arn(subnet);
}
