//! A changed resource's properties written the same on both sides are
//! left out of the comparison and read back whole where the whole
//! resource is needed: what is reported must not show it.

use synth_diff::engine::ResourceChange;
use synth_diff::json;
use synth_diff::template::Template;
use synth_diff::value::Json;
use synth_diff::{self as diff, Change, StackDiff};

fn template(role_name: &str, actions: Json) -> Template {
    let t = json!({"Resources": {
        "R": {"Type": "AWS::IAM::Role", "Properties": {
            "RoleName": role_name,
            "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
        }},
        "P": {"Type": "AWS::IAM::Policy", "Properties": {
            "PolicyName": {"Fn::Join": ["-", [{"Ref": "R"}, {"Ref": "AWS::Region"}]]},
            "Roles": [{"Ref": "R"}],
            "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": actions,
                "Resource": {"Fn::Sub": "arn:${AWS::Partition}:s3:::logs/*"}}]}
        }}
    }});
    match t {
        Json::Object(m) => m,
        _ => unreachable!(),
    }
}

fn diff_of(old: &Template, new: &Template) -> StackDiff {
    diff::diff("S", old, new, true, diff::create_only)
}

/// The change of resource `id`, which must change.
fn change_of<'d>(d: &'d StackDiff, id: &str) -> &'d ResourceChange {
    d.resources
        .iter()
        .find(|r| r.logical_id == id)
        .unwrap_or_else(|| panic!("{id} changes: {:?}", d.resources))
}

#[test]
fn a_reference_to_a_replaced_resource_in_a_property_written_the_same_shows_its_normalized_value() {
    let old = template("a", json!("s3:GetObject"));
    let new = template("b", json!(["s3:GetObject", "s3:PutObject"]));
    let d = diff_of(&old, &new);
    let p = change_of(&d, "P");
    assert_eq!(p.change, Change::Modify);
    let prop = |path: &str| {
        p.properties
            .iter()
            .find(|c| c.path == path)
            .unwrap_or_else(|| panic!("no {path} in {:?}", p.properties))
    };
    // Evaluated as the rest of the template is: the join of a reference
    // and the region is a substitution with the region filled in.
    let name = json!({"Fn::Sub": "${R}-us-east-1"});
    assert_eq!(prop("PolicyName").old.as_ref(), Some(&name));
    assert_eq!(prop("PolicyName").new.as_ref(), Some(&name));
    assert_eq!(prop("Roles").old.as_ref(), Some(&json!([{"Ref": "R"}])));
    assert!(p
        .reasons
        .iter()
        .any(|r| r.starts_with("Roles references R")));
    // What the properties left out assumed is still reported.
    assert!(
        d.assumed
            .iter()
            .any(|a| a.starts_with("AWS::Region = us-east-1")),
        "{:?}",
        d.assumed
    );
    assert!(
        d.assumed
            .iter()
            .any(|a| a.starts_with("AWS::Partition = aws")),
        "{:?}",
        d.assumed
    );
    // The security analysis reads the whole policy: one statement gains
    // an action; the role's unchanged trust policy is no change.
    let s = &d.security.statements;
    assert_eq!(s.len(), 1, "{s:?}");
    assert_eq!(s[0].resource, "P");
    assert_eq!(s[0].change, Change::Modify);
    assert_eq!(s[0].actions, vec!["s3:PutObject".to_owned()]);
    assert!(d.broadening);
}

#[test]
fn a_property_written_the_same_but_naming_a_parameter_declared_differently_is_compared() {
    let mut old = template("a", json!("s3:GetObject"));
    let mut new = old.clone();
    old.insert(
        "Parameters".into(),
        json!({"Env": {"Type": "String", "Default": "dev"}}),
    );
    new.insert(
        "Parameters".into(),
        json!({"Env": {"Type": "String", "Default": "prod"}}),
    );
    for (t, tag) in [(&mut old, "x"), (&mut new, "y")] {
        let props = t["Resources"]["R"]["Properties"]
            .as_object_mut()
            .expect("the role has properties");
        props.insert("Path".into(), json!({"Fn::Sub": "/${Env}/"}));
        props.insert("Description".into(), json!(tag));
    }
    let d = diff_of(&old, &new);
    let r = change_of(&d, "R");
    let paths: Vec<&str> = r.properties.iter().map(|p| p.path.as_str()).collect();
    assert!(paths.contains(&"Path"), "{paths:?}");
    assert!(paths.contains(&"Description"), "{paths:?}");
    assert!(!paths.contains(&"AssumeRolePolicyDocument"), "{paths:?}");
}
