//! Policy suppressions in code: `.suppress(rule, reason)` on a construct
//! reaches every resource under it as cfn-guard's `Metadata.guard`
//! convention, and the manifest lists each one with its reason.

mod support;

use serde_json::json;
use synth::ec2::Vpc;
use synth::iam::{Principal, Role};
use synth::prelude::*;

#[test]
fn a_suppression_reaches_the_resources_below_and_the_manifest() {
    let mut app = App::new();
    let s = app.stack("Net");
    let vpc = s.add("Vpc", Vpc::builder().azs(2).nat_gateways(0));
    let role = s.add(
        "Logs",
        Role::assumed_by(Principal::service("ec2.amazonaws.com")),
    );
    s.edit(&vpc)
        .suppress("SYNTH-NET-003", "public subnets by design");
    // Set again closer to the resource: that reason wins there.
    s.edit(&vpc)
        .get("PublicSubnet1")
        .suppress("SYNTH-NET-003", "the load balancer subnet")
        .suppress("ORG_TAGS", "tagged by the account's tag policy");
    s.edit(&role).metadata("Owner", "platform");
    let assembly = support::synth(&app);
    let t = assembly.template("Net").unwrap();

    let subnet = &t["Resources"]["VpcPublicSubnet1"]["Metadata"];
    assert_eq!(
        subnet,
        &json!({"guard": {"SuppressedRules": ["ORG_TAGS", "SYNTH-NET-003"]}})
    );
    assert_eq!(
        t["Resources"]["VpcPublicSubnet2"]["Metadata"],
        json!({"guard": {"SuppressedRules": ["SYNTH-NET-003"]}})
    );
    assert_eq!(
        t["Resources"]["Logs"]["Metadata"],
        json!({"Owner": "platform"})
    );

    let manifest = assembly.manifest();
    let rows: Vec<(&str, &str, &str)> = manifest.stacks[0]
        .suppressions
        .iter()
        .map(|s| (s.resource.as_str(), s.rule.as_str(), s.reason.as_str()))
        .collect();
    assert!(rows.contains(&(
        "VpcPublicSubnet1",
        "SYNTH-NET-003",
        "the load balancer subnet"
    )));
    assert!(rows.contains(&(
        "VpcPublicSubnet1",
        "ORG_TAGS",
        "tagged by the account's tag policy"
    )));
    assert!(rows.contains(&(
        "VpcPublicSubnet2",
        "SYNTH-NET-003",
        "public subnets by design"
    )));
    // Every resource of the VPC carries one, those of PublicSubnet1 (the
    // subnet, its route table, association and route) two; nothing else.
    let count = |prefix: &str| {
        t["Resources"]
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| k.starts_with(prefix))
            .count()
    };
    assert_eq!(count("VpcPublicSubnet1"), 4);
    assert_eq!(rows.len(), count("Vpc") + 4, "{rows:?}");
    assert!(rows.iter().all(|(r, _, _)| r.starts_with("Vpc")));
}

#[test]
fn a_suppression_needs_a_reason_and_a_well_formed_id() {
    let mut app = App::new();
    let s = app.stack("Bad");
    let role = s.add(
        "Data",
        Role::assumed_by(Principal::service("ec2.amazonaws.com")),
    );
    s.edit(&role).suppress("SYNTH-IAM-001", "  ");
    s.edit(&role).suppress("not an id", "because");
    let e = app.synth().expect_err("bad suppressions");
    assert!(
        e.has("Bad/Data", "suppress(\"SYNTH-IAM-001\", ..) needs a reason"),
        "{e}"
    );
    assert!(
        e.has("Bad/Data", "the rule ID \"not an id\" must be letters"),
        "{e}"
    );
}

#[test]
fn guard_metadata_set_by_hand_conflicts_with_a_suppression() {
    let mut app = App::new();
    let s = app.stack("Both");
    let role = s.add(
        "Data",
        Role::assumed_by(Principal::service("ec2.amazonaws.com")),
    );
    s.edit(&role)
        .metadata("guard", "by hand")
        .suppress("SYNTH-IAM-001", "an administrator role by design");
    let e = app.synth().expect_err("guard metadata twice");
    assert!(
        e.to_string().contains("set both directly and by .suppress"),
        "{e}"
    );
}
