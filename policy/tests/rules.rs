//! Every rule of the pack against a template it must pass and one it must
//! fail: `cases/<RULE-ID>/pass.json` and `fail.json`. In a failing
//! template, exactly the resources whose logical IDs start with `Bad` fail
//! the rule.

use std::path::PathBuf;

use serde_json::{json, Value};
use synth_policy::{resource_line, RuleSet, Severity};

fn cases() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/cases")
}

fn read(path: &PathBuf) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The resources a rule fails on, sorted.
fn failing(set: &RuleSet, template: &str, rule: &str) -> Vec<String> {
    let mut ids: Vec<String> = set
        .check(template, "t.json")
        .unwrap()
        .into_iter()
        .filter(|f| f.rule == rule)
        .map(|f| f.resource.unwrap_or_else(|| "(no resource)".to_string()))
        .collect();
    ids.sort();
    ids
}

fn bad_resources(template: &str) -> Vec<String> {
    let doc: Value = serde_json::from_str(template).unwrap();
    let mut ids: Vec<String> = doc["Resources"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| k.starts_with("Bad"))
        .cloned()
        .collect();
    ids.sort();
    ids
}

#[test]
fn each_rule_passes_its_good_template_and_fails_its_bad_one() {
    let set = RuleSet::with_packs(None).unwrap();
    let mut checked = 0;
    for rule in set.rules() {
        let dir = cases().join(&rule.id);
        let pass = read(&dir.join("pass.json"));
        let fail = read(&dir.join("fail.json"));
        assert_eq!(
            failing(&set, &pass, &rule.id),
            Vec::<String>::new(),
            "{} on pass.json",
            rule.id
        );
        let bad = bad_resources(&fail);
        assert!(
            !bad.is_empty(),
            "{}: fail.json has no Bad* resource",
            rule.id
        );
        assert_eq!(
            failing(&set, &fail, &rule.id),
            bad,
            "{} on fail.json",
            rule.id
        );
        checked += 1;
    }
    assert_eq!(checked, set.rules().count());
    // No case directory is left without its rule.
    for entry in std::fs::read_dir(cases()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(set.rule(&name).is_some(), "cases/{name} names no rule");
    }
}

#[test]
fn findings_carry_severity_title_message_and_line() {
    let set = RuleSet::with_packs(None).unwrap();
    let text = read(&cases().join("SYNTH-KMS-001/fail.json"));
    let findings = set.check(&text, "t.json").unwrap();
    let f = findings.iter().find(|f| f.rule == "SYNTH-KMS-001").unwrap();
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.title, "A symmetric KMS key does not rotate");
    assert_eq!(
        f.message,
        "automatic rotation is off for a symmetric encryption key"
    );
    let id = f.resource.as_deref().unwrap();
    assert_eq!(Some(f.line), resource_line(&text, id));
    assert!(text
        .lines()
        .nth(f.line - 1)
        .unwrap()
        .contains(&format!("\"{id}\"")));
}

#[test]
fn a_suppressed_resource_is_not_reported_by_the_pack_or_a_project_rule() {
    let set = RuleSet::with_packs(None).unwrap();
    for rule in set.rules() {
        let mut doc: Value =
            serde_json::from_str(&read(&cases().join(&rule.id).join("fail.json"))).unwrap();
        for (id, resource) in doc["Resources"].as_object_mut().unwrap() {
            if id.starts_with("Bad") {
                resource["Metadata"] =
                    json!({"guard": {"SuppressedRules": ["SOMETHING-ELSE", rule.id]}});
            }
        }
        let text = serde_json::to_string_pretty(&doc).unwrap();
        assert_eq!(
            failing(&set, &text, &rule.id),
            Vec::<String>::new(),
            "{}",
            rule.id
        );
    }

    // A project rule that does not filter suppressed resources itself.
    let mut own = RuleSet::default();
    own.add(
        synth_policy::RuleFile::parse(
            "org.guard",
            "# @id ORG-TAGS\n# @severity warning\nrule org_tags { Resources.*.Properties.Tags exists }\n",
        )
        .unwrap(),
    )
    .unwrap();
    let t = json!({"Resources": {
        "A": {"Type": "AWS::SNS::Topic", "Properties": {}},
        "B": {"Type": "AWS::SNS::Topic", "Properties": {}, "Metadata": {"guard": {"SuppressedRules": ["ORG-TAGS"]}}},
        "C": {"Type": "AWS::SNS::Topic", "Properties": {"Tags": []}}
    }});
    let findings = own
        .check(&serde_json::to_string_pretty(&t).unwrap(), "t.json")
        .unwrap();
    let got: Vec<(&str, Option<&str>, Severity)> = findings
        .iter()
        .map(|f| (f.rule.as_str(), f.resource.as_deref(), f.severity))
        .collect();
    assert_eq!(got, vec![("ORG-TAGS", Some("A"), Severity::Warning)]);
}

#[test]
fn a_bucket_without_any_tls_policy_is_found_by_name() {
    let set = RuleSet::with_packs(Some(&["s3".to_string()])).unwrap();
    let t = json!({"Resources": {"Lone": {"Type": "AWS::S3::Bucket"}}});
    let text = serde_json::to_string_pretty(&t).unwrap();
    assert_eq!(
        failing(&set, &text, "SYNTH-S3-003"),
        vec!["Lone".to_string()]
    );
}

#[test]
fn yaml_templates_and_broken_input_are_handled() {
    let set = RuleSet::with_packs(Some(&["kms".to_string()])).unwrap();
    let yaml = "Resources:\n  Plain:\n    Type: AWS::S3::Bucket\n  Key:\n    Type: AWS::KMS::Key\n    Properties:\n      EnableKeyRotation: false\n";
    let findings = set.check(yaml, "t.yaml").unwrap();
    assert_eq!(findings.len(), 1);
    assert_eq!(
        (findings[0].resource.as_deref(), findings[0].line),
        (Some("Key"), 4)
    );
    assert!(set
        .check("[1, 2", "t.json")
        .unwrap_err()
        .0
        .starts_with("t.json is neither JSON nor YAML"));
    assert!(set
        .check("[1, 2]", "t.json")
        .unwrap_err()
        .0
        .contains("not a template"));
    let e =
        synth_policy::RuleFile::parse("bad.guard", "rule broken { Resources.* == }\n").unwrap_err();
    assert!(
        e.0.starts_with("bad.guard: ") && e.0.contains("Parsing"),
        "{e}"
    );
}
