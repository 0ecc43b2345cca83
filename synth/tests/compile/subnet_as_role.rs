// A cluster's service role is a `Role`: a subnet (or any other construct)
// in its place does not compile.
use synth::ec2::Vpc;
use synth::eks::Cluster;
use synth::prelude::*;

fn main() {
    let mut app = App::new();
    let stack = app.stack("Eks");
    let vpc = stack.add("Vpc", Vpc::builder());
    let subnet = vpc.private_subnets()[0].clone();
    stack.add("Cluster", Cluster::builder(&subnet, vpc.private_subnets()));
}
