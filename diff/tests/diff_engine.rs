//! The semantic diff on realistic changes to the bundled bootstrap stack:
//! replacements (and their propagation), the broadening verdict, and each
//! output format, pinned by snapshots reviewers can read.

use synth_diff::json;
use synth_diff::render::{self, Style};
use synth_diff::template::Template;
use synth_diff::value::Json;
use synth_diff::{self as diff, Change, Replacement, StackDiff};

fn bootstrap() -> Template {
    let mut app = synth::App::new();
    stacks::define(&mut app);
    let assembly = app.synth().unwrap_or_else(|e| panic!("{e}"));
    match assembly.template(stacks::STACK).cloned().map(Json::from) {
        Some(Json::Object(t)) => t,
        other => panic!("no template: {other:?}"),
    }
}

fn diff_of(change: impl FnOnce(&mut Template)) -> StackDiff {
    let old = bootstrap();
    let mut new = old.clone();
    change(&mut new);
    diff::diff("GitlabEks", &old, &new, true, diff::create_only)
}

fn resource<'a>(t: &'a mut Template, id: &str) -> &'a mut Json {
    t.get_mut("Resources")
        .and_then(|r| r.get_mut(id))
        .unwrap_or_else(|| panic!("no {id}"))
}

fn change_subnet_cidr(t: &mut Template) {
    resource(t, "GitlabVpcPrivateSubnet1")["Properties"]["CidrBlock"] = json!("10.0.96.0/20");
}

fn add_iam_action(t: &mut Template) {
    let statement = &mut resource(t, "GitlabProvisionRole")["Properties"]["Policies"][0]
        ["PolicyDocument"]["Statement"][0];
    statement["Action"]
        .as_array_mut()
        .unwrap()
        .push(json!("ec2:DescribeInstances"));
}

fn open_port(t: &mut Template) {
    let rules =
        &mut resource(t, "GitlabControlPlaneSecurityGroup")["Properties"]["SecurityGroupIngress"];
    rules.as_array_mut().unwrap().push(json!({
        "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0", "Description": "ssh"
    }));
}

fn rename_resource(t: &mut Template) {
    let resources = t.get_mut("Resources").unwrap().as_object_mut().unwrap();
    let role = resources.shift_remove("GitlabNodeRole").unwrap();
    resources.insert("GitlabWorkerRole".into(), role);
    let text = serde_json::to_string(t)
        .unwrap()
        .replace("\"GitlabNodeRole\"", "\"GitlabWorkerRole\"");
    *t = serde_json::from_str(&text).unwrap();
}

fn find<'a>(d: &'a StackDiff, id: &str) -> &'a diff::engine::ResourceChange {
    d.resources
        .iter()
        .find(|r| r.logical_id == id)
        .unwrap_or_else(|| panic!("{id} unchanged:\n{d:#?}"))
}

#[test]
fn no_change_is_no_difference() {
    let d = diff_of(|_| {});
    assert!(d.is_empty());
    assert!(!d.broadening);
    assert!(render::terminal(&d, Style { color: false }).contains("There were no differences"));
}

#[test]
fn subnet_cidr_change_replaces_the_subnet_and_propagates_to_the_node_group() {
    let d = diff_of(change_subnet_cidr);
    let subnet = find(&d, "GitlabVpcPrivateSubnet1");
    assert_eq!(subnet.replacement, Replacement::Will);
    assert_eq!(subnet.properties[0].path, "CidrBlock");
    // Nodegroup Subnets is create-only: a replaced subnet replaces it.
    let nodes = find(&d, "GitlabNodes");
    assert_eq!(nodes.replacement, Replacement::Will);
    assert!(
        nodes
            .reasons
            .iter()
            .any(|r| r == "Subnets references GitlabVpcPrivateSubnet1, which is replaced"),
        "{:?}",
        nodes.reasons
    );
    // The cluster's subnet list is updatable in place: updated, not replaced.
    let cluster = find(&d, "GitlabCluster");
    assert_eq!(cluster.change, Change::Modify);
    assert_eq!(cluster.replacement, Replacement::None);
    assert!(cluster.stateful);
    // The association and route follow the subnet.
    assert_eq!(
        find(&d, "GitlabVpcPrivateSubnet1RouteTableAssociation").replacement,
        Replacement::Will
    );
    assert!(!d.broadening);
}

#[test]
fn added_iam_action_is_a_broadening_statement_change() {
    let d = diff_of(add_iam_action);
    assert!(d.broadening);
    let role = find(&d, "GitlabProvisionRole");
    assert_eq!(role.replacement, Replacement::None);
    assert_eq!(role.properties.len(), 1);
    assert_eq!(
        role.properties[0].path,
        "Policies[0].PolicyDocument.Statement[0].Action[32]"
    );
    assert_eq!(d.security.statements.len(), 1);
    let statement = &d.security.statements[0];
    assert_eq!(statement.change, Change::Modify);
    assert_eq!(statement.actions, ["ec2:DescribeInstances"]);
    assert!(statement.removed_actions.is_empty());
}

#[test]
fn opened_port_is_a_broadening_rule_change() {
    let d = diff_of(open_port);
    assert!(d.broadening);
    let rules = &d.security.security_group_rules;
    assert_eq!(rules.len(), 1);
    assert_eq!(
        (rules[0].ports.as_str(), rules[0].peer.clone()),
        ("22", json!({"CidrIp": "0.0.0.0/0"}))
    );
}

#[test]
fn renamed_resource_is_a_removal_and_an_addition() {
    let d = diff_of(rename_resource);
    assert_eq!(find(&d, "GitlabWorkerRole").change, Change::Add);
    assert_eq!(find(&d, "GitlabNodeRole").change, Change::Remove);
    // The node group's create-only NodeRole now names another resource.
    assert_eq!(find(&d, "GitlabNodes").replacement, Replacement::Will);
    assert!(
        d.broadening,
        "a new role with managed policies is new access"
    );
    // A likely rename, with the pin that keeps it and what it avoids.
    assert_eq!(
        find(&d, "GitlabWorkerRole").renamed_from.as_deref(),
        Some("GitlabNodeRole")
    );
    let text = render::terminal(&d, Style { color: false });
    assert!(
        text.contains("logical_id(\"GitlabNodeRole\")")
            && text.contains("which also replaces GitlabNodes"),
        "{text}"
    );
}

#[test]
fn narrowing_permissions_is_not_broadening() {
    let old = {
        let mut t = bootstrap();
        add_iam_action(&mut t);
        t
    };
    let d = diff::diff("GitlabEks", &old, &bootstrap(), true, diff::create_only);
    assert!(!d.is_empty());
    assert!(!d.broadening);
}

#[test]
fn a_new_stack_is_all_additions_and_broadening() {
    let d = diff::diff(
        "GitlabEks",
        &Template::new(),
        &bootstrap(),
        false,
        diff::create_only,
    );
    assert_eq!(d.counts().create, 35);
    assert!(d.broadening);
    assert!(render::terminal(&d, Style { color: false }).starts_with("Stack GitlabEks (new)"));
}

fn realistic() -> Vec<StackDiff> {
    vec![
        diff_of(|t| {
            change_subnet_cidr(t);
            add_iam_action(t);
            open_port(t);
            rename_resource(t);
        }),
        diff_of(|_| {}),
    ]
}

#[test]
fn terminal_output_snapshot() {
    let text: String = realistic()
        .iter()
        .map(|d| render::terminal(d, Style { color: false }))
        .collect();
    insta::assert_snapshot!("terminal", text);
}

#[test]
fn terminal_colors_only_when_asked() {
    let d = diff_of(open_port);
    assert!(!render::terminal(&d, Style { color: false }).contains('\x1b'));
    assert!(render::terminal(&d, Style { color: true }).contains("\x1b[32m"));
}

#[test]
fn markdown_output_snapshot() {
    insta::assert_snapshot!("markdown", render::markdown(&realistic()));
}

#[test]
fn json_output_snapshot_and_schema() {
    let text = render::json(&realistic());
    let v: Json = serde_json::from_str(&text).unwrap();
    assert_eq!(v["schemaVersion"], json!(1));
    assert_eq!(v["broadening"], json!(true));
    assert_eq!(
        v["stacks"][0]["summary"]["replace"],
        v["summary"]["replace"]
    );
    insta::assert_snapshot!("json", text);
}

#[test]
fn gitlab_report_counts_replacements_as_delete_and_create() {
    let d = realistic();
    let report: Json = serde_json::from_str(&render::gitlab_report(&d)).unwrap();
    let c = d[0].counts();
    assert_eq!(
        report,
        json!({
            "create": c.create + c.replace,
            "update": c.update - c.replace,
            "delete": c.delete + c.replace
        })
    );
}
