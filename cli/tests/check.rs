//! `synth check` and the check after `synth`, end to end: fixture
//! assemblies with known findings, the three report formats, severities
//! from synth.toml, suppressions, the project's own rules and exit codes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{json, Value};
use synth::manifest::{
    Environment, Manifest, StackManifest, Suppression, TemplateFormat, MANIFEST_VERSION,
};

struct Sandbox {
    root: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("work")).unwrap();
        Sandbox { root }
    }

    fn work(&self) -> PathBuf {
        self.root.path().join("work")
    }

    fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.work().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    fn synth(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_synth"))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.root.path())
            .env("AWS_CONFIG_FILE", self.root.path().join("aws-config"))
            .env("GIT_CEILING_DIRECTORIES", self.root.path())
            .current_dir(self.work())
            .args(args)
            .output()
            .unwrap()
    }
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exited normally")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn expect(out: Output, want: i32) -> Output {
    assert_eq!(
        code(&out),
        want,
        "stdout:\n{}\nstderr:\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    out
}

/// `Data`: an unencrypted bucket (SYNTH-S3-001 error) with its TLS policy
/// and public access block; a bucket whose SYNTH-S3-001 is suppressed.
/// `Keys`: a key without rotation (SYNTH-KMS-001 error) and an RDS
/// instance without deletion protection (SYNTH-RDS-003 warning).
fn templates() -> Vec<(&'static str, Value, Vec<Suppression>)> {
    let block = json!({"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true});
    let tls = |bucket: &str| {
        json!({"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": {"Ref": bucket}, "PolicyDocument": {"Statement": [
            {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
        ]}}})
    };
    let data = json!({"Resources": {
        "Plain": {"Type": "AWS::S3::Bucket", "Properties": {"PublicAccessBlockConfiguration": block}},
        "PlainPolicy": tls("Plain"),
        "Legacy": {"Type": "AWS::S3::Bucket", "Properties": {"PublicAccessBlockConfiguration": block},
                   "Metadata": {"guard": {"SuppressedRules": ["SYNTH-S3-001"]}}},
        "LegacyPolicy": tls("Legacy")
    }});
    let keys = json!({"Resources": {
        "Key": {"Type": "AWS::KMS::Key", "Properties": {}},
        "Db": {"Type": "AWS::RDS::DBInstance", "Properties": {"Engine": "postgres", "DBInstanceClass": "db.t3.micro",
               "StorageEncrypted": true, "PubliclyAccessible": false}}
    }});
    let suppressed = vec![Suppression {
        resource: "Legacy".into(),
        rule: "SYNTH-S3-001".into(),
        reason: "encrypted by S3 by default; kept as created".into(),
    }];
    vec![("Data", data, suppressed), ("Keys", keys, Vec::new())]
}

fn write_assembly(dir: &Path, stacks: Vec<(&str, Value, Vec<Suppression>)>) {
    std::fs::create_dir_all(dir).unwrap();
    let mut manifest = Manifest {
        version: MANIFEST_VERSION,
        stacks: Vec::new(),
    };
    for (name, template, suppressions) in stacks {
        let file = format!("{name}.template.json");
        let body = serde_json::to_string_pretty(&template).unwrap();
        std::fs::write(dir.join(&file), &body).unwrap();
        manifest.stacks.push(StackManifest {
            name: name.into(),
            template: file,
            format: TemplateFormat::Json,
            environment: Environment::default(),
            dependencies: Vec::new(),
            parameters: BTreeMap::new(),
            tags: BTreeMap::new(),
            termination_protection: false,
            description: None,
            resources: template["Resources"].as_object().unwrap().len(),
            template_bytes: body.len(),
            suppressions,
        });
    }
    std::fs::write(
        dir.join("manifest.json"),
        serde_json::to_string_pretty(&manifest).unwrap(),
    )
    .unwrap();
}

/// The 1-based line of `"id": {` in a file.
fn line_of(path: &Path, id: &str) -> u64 {
    let body = std::fs::read_to_string(path).unwrap();
    let key = format!("    \"{id}\": {{");
    body.lines().position(|l| l == key).unwrap() as u64 + 1
}

#[test]
fn findings_are_tabled_and_errors_fail() {
    let sb = Sandbox::new();
    write_assembly(&sb.work().join("asm"), templates());
    let out = expect(sb.synth(&["--app", "asm", "check"]), 1);
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("SEVERITY  RULE"), "{stdout}");
    let plain = line_of(&sb.work().join("asm/Data.template.json"), "Plain");
    let row = lines
        .iter()
        .find(|l| l.contains("SYNTH-S3-001"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(row.starts_with("error"), "{row}");
    assert!(
        row.contains(&format!("asm/Data.template.json:{plain}")),
        "{row}"
    );
    assert!(row.contains(" Plain "), "{row}");
    assert!(
        stdout.contains("SYNTH-KMS-001") && stdout.contains("SYNTH-RDS-003"),
        "{stdout}"
    );
    // The suppressed bucket is not reported.
    assert!(!stdout.contains("Legacy"), "{stdout}");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("2 errors, 1 warning, 0 info in 2 stacks; 1 suppressed"),
        "{stderr}"
    );
    assert!(
        stderr.contains("the policy check found 2 errors (and 1 warning)"),
        "{stderr}"
    );
}

#[test]
fn json_and_code_quality_reports() {
    let sb = Sandbox::new();
    write_assembly(&sb.work().join("asm"), templates());
    let out = expect(
        sb.synth(&[
            "--app",
            "asm",
            "check",
            "--format",
            "json",
            "--codequality",
            "cq.json",
        ]),
        1,
    );
    let report: Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    let rules: Vec<(&str, &str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap(),
                f["resource"].as_str().unwrap(),
                f["severity"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rules,
        vec![
            ("SYNTH-S3-001", "Plain", "error"),
            ("SYNTH-KMS-001", "Key", "error"),
            ("SYNTH-RDS-003", "Db", "warning"),
        ]
    );
    assert_eq!(
        report["summary"],
        json!({"error": 2, "warning": 1, "info": 0})
    );
    assert_eq!(
        report["suppressions"],
        json!([{"stack": "Data", "resource": "Legacy", "rule": "SYNTH-S3-001", "reason": "encrypted by S3 by default; kept as created"}])
    );

    // GitLab Code Quality: the documented fields, locations into the
    // templates, distinct fingerprints, severities mapped.
    let cq: Value =
        serde_json::from_str(&std::fs::read_to_string(sb.work().join("cq.json")).unwrap()).unwrap();
    let issues = cq.as_array().unwrap();
    assert_eq!(issues.len(), 3);
    let key = issues
        .iter()
        .find(|i| i["check_name"] == "SYNTH-KMS-001")
        .unwrap();
    assert_eq!(key["severity"], "critical");
    assert_eq!(key["location"]["path"], "asm/Keys.template.json");
    assert_eq!(
        key["location"]["lines"]["begin"],
        line_of(&sb.work().join("asm/Keys.template.json"), "Key")
    );
    assert!(key["description"]
        .as_str()
        .unwrap()
        .starts_with("SYNTH-KMS-001: "));
    let db = issues
        .iter()
        .find(|i| i["check_name"] == "SYNTH-RDS-003")
        .unwrap();
    assert_eq!(db["severity"], "major");
    let mut prints: Vec<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    assert!(prints
        .iter()
        .all(|p| p.len() == 32 && p.chars().all(|c| c.is_ascii_hexdigit())));
    prints.dedup();
    assert_eq!(prints.len(), 3);

    // The same findings give the same fingerprints on the next run.
    expect(
        sb.synth(&["--app", "asm", "check", "--codequality", "cq2.json"]),
        1,
    );
    let again = std::fs::read_to_string(sb.work().join("cq2.json")).unwrap();
    assert_eq!(serde_json::from_str::<Value>(&again).unwrap(), cq);
}

#[test]
fn severities_packs_and_strict_from_synth_toml() {
    let sb = Sandbox::new();
    write_assembly(&sb.work().join("asm"), templates());
    sb.file(
        "synth.toml",
        "[check]\npacks = [\"s3\", \"kms\", \"rds\"]\n[check.severity]\nSYNTH-S3-001 = \"warning\"\nSYNTH-KMS-001 = \"off\"\n",
    );
    // Only warnings left: success, unless --strict.
    let out = expect(sb.synth(&["--app", "asm", "check"]), 0);
    assert!(!text(&out.stdout).contains("SYNTH-KMS-001"));
    assert!(
        text(&out.stderr).contains("0 errors, 2 warnings"),
        "{}",
        text(&out.stderr)
    );
    let out = expect(sb.synth(&["--app", "asm", "check", "--strict"]), 1);
    assert!(text(&out.stderr).contains("2 warnings (--strict fails on warnings)"));

    // Only the rds pack: the S3 suppression still names a known rule.
    sb.file("synth.toml", "[check]\npacks = [\"rds\"]\n");
    let out = expect(sb.synth(&["--app", "asm", "check", "--format", "json"]), 0);
    let report: Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    assert_eq!(
        report["summary"],
        json!({"error": 0, "warning": 1, "info": 0})
    );

    for (toml, want) in [
        ("[check]\npacks = [\"ec2\"]\n", "unknown rule pack \"ec2\""),
        (
            "[check.severity]\nSYNTH-NOPE-1 = \"info\"\n",
            "no rule has the ID SYNTH-NOPE-1",
        ),
        ("[check]\nrules = [\"missing.guard\"]\n", "cannot read"),
    ] {
        sb.file("synth.toml", toml);
        let out = expect(sb.synth(&["--app", "asm", "check"]), 2);
        assert!(
            text(&out.stderr).contains(want),
            "{toml}: {}",
            text(&out.stderr)
        );
    }
}

#[test]
fn project_rules_and_unknown_suppressions() {
    let sb = Sandbox::new();
    let mut stacks = templates();
    stacks[1].2.push(Suppression {
        resource: "Db".into(),
        rule: "ORG-TAGS".into(),
        reason: "tagged by the account".into(),
    });
    write_assembly(&sb.work().join("asm"), stacks);
    // ORG-TAGS is no rule yet: the suppression is an error.
    let out = expect(sb.synth(&["--app", "asm", "check"]), 2);
    assert!(
        text(&out.stderr).contains(
            "a suppression names a rule that no rule file declares: Keys Db suppresses ORG-TAGS"
        ),
        "{}",
        text(&out.stderr)
    );

    sb.file(
        "policy/org.guard",
        "# @id ORG-TAGS\n# @severity info\n# @title Resources carry tags\nrule ORG_TAGS {\n  Resources.*[ Type == 'AWS::KMS::Key' ].Properties.Tags exists\n}\n",
    );
    sb.file("synth.toml", "[check]\nrules = [\"policy/org.guard\"]\n[check.severity]\nSYNTH-S3-001 = \"info\"\nSYNTH-KMS-001 = \"info\"\n");
    let out = expect(sb.synth(&["--app", "asm", "check", "--format", "json"]), 0);
    let report: Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    let org: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "ORG-TAGS")
        .collect();
    assert_eq!(org.len(), 1);
    assert_eq!(org[0]["resource"], "Key");
    assert_eq!(org[0]["severity"], "info");
    assert_eq!(org[0]["title"], "Resources carry tags");

    sb.file("policy/org.guard", "rule broken { Resources.* == }\n");
    let out = expect(sb.synth(&["--app", "asm", "check"]), 2);
    assert!(
        text(&out.stderr).contains("policy/org.guard"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn synth_checks_after_synthesis_when_synth_toml_asks() {
    let sb = Sandbox::new();
    write_assembly(&sb.work().join("fixture"), templates());
    sb.file(
        "app.sh",
        "set -e\nmkdir -p \"$SYNTH_OUTDIR\"\ncp fixture/* \"$SYNTH_OUTDIR\"/\n",
    );
    sb.file("synth.toml", "app = \"sh app.sh\"\n");
    // No [check] table: synthesis only.
    let out = expect(sb.synth(&[]), 0);
    assert!(!text(&out.stdout).contains("SYNTH-"));

    // The next synthesis writes a file more, to tell the two apart.
    sb.file(
        "app.sh",
        "set -e\nmkdir -p \"$SYNTH_OUTDIR\"\ncp fixture/* \"$SYNTH_OUTDIR\"/\necho new > \"$SYNTH_OUTDIR/marker\"\n",
    );
    sb.file("synth.toml", "app = \"sh app.sh\"\n\n[check]\n");
    let out = expect(sb.synth(&["-q"]), 1);
    assert!(
        text(&out.stdout).contains("SYNTH-KMS-001"),
        "{}",
        text(&out.stdout)
    );
    assert!(text(&out.stderr).contains("the policy check found 2 errors"));
    // The failing assembly never replaces out/ (here: the one synthesized
    // without [check] above), and nothing of it is left beside out/.
    assert!(text(&out.stderr).contains("out was left as it was"));
    assert!(sb.work().join("out/manifest.json").is_file());
    assert!(!sb.work().join("out/marker").exists());
    let leftovers: Vec<_> = std::fs::read_dir(sb.work())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".out."))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // The report is written whether the check passes or not; a failing
    // check with nothing synthesized before writes no out/ at all.
    std::fs::remove_dir_all(sb.work().join("out")).unwrap();
    let out = expect(sb.synth(&["-q", "--codequality", "cq.json"]), 1);
    assert!(text(&out.stderr).contains("the policy check found 2 errors"));
    assert!(!sb.work().join("out").exists());
    let cq: Value =
        serde_json::from_str(&std::fs::read_to_string(sb.work().join("cq.json")).unwrap()).unwrap();
    let issues = cq.as_array().unwrap();
    assert!(issues
        .iter()
        .any(|i| i["check_name"] == "SYNTH-KMS-001"
            && i["location"]["path"] == "out/Keys.template.json"));

    sb.file(
        "synth.toml",
        "app = \"sh app.sh\"\n\n[check]\npacks = [\"rds\"]\n",
    );
    let out = expect(sb.synth(&["synth", "--codequality", "cq.json"]), 0);
    assert!(text(&out.stdout).contains("SYNTH-RDS-003"));
    // A passing check swaps the new assembly in.
    assert!(sb.work().join("out/marker").is_file());
    let cq = std::fs::read_to_string(sb.work().join("cq.json")).unwrap();
    assert!(cq.contains("SYNTH-RDS-003"), "{cq}");

    // --codequality without [check] is a usage error.
    sb.file("synth.toml", "app = \"sh app.sh\"\n");
    let out = expect(sb.synth(&["--codequality", "cq.json"]), 2);
    assert!(text(&out.stderr).contains("add a [check] table"));
    // A flag of synth's with another command is refused by the parser.
    let out = expect(sb.synth(&["--codequality", "cq.json", "list"]), 2);
    assert!(!text(&out.stderr).is_empty());
}

#[test]
fn the_bundled_stacks_pass_the_pack_with_every_exception_justified() {
    let mut app = synth::App::new();
    let bootstrap = stacks::define(&mut app);
    stacks::define_runner_data(&mut app, &bootstrap);
    let assembly = app.synth().unwrap_or_else(|e| panic!("{e}"));
    let sb = Sandbox::new();
    assembly.write(&sb.work().join("out")).unwrap();

    let out = expect(
        sb.synth(&["--app", "out", "check", "--strict", "--format", "json"]),
        0,
    );
    let report: Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    assert_eq!(report["findings"], json!([]));
    let suppressions = report["suppressions"].as_array().unwrap();
    let rules: Vec<(&str, &str)> = suppressions
        .iter()
        .map(|s| (s["resource"].as_str().unwrap(), s["rule"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rules,
        vec![
            ("GitlabCicdUser", "SYNTH-IAM-004"),
            ("GitlabProvisionRole", "SYNTH-IAM-002"),
        ]
    );
    assert!(suppressions
        .iter()
        .all(|s| s["reason"].as_str().unwrap().len() > 40));

    // Without the suppressions the same templates fail: they are needed.
    let set = synth_policy::RuleSet::with_packs(None).unwrap();
    for stack in &assembly.stacks {
        let mut template = stack.template().clone();
        for (_, r) in template["Resources"].as_object_mut().unwrap() {
            r.as_object_mut().unwrap().remove("Metadata");
        }
        let body = serde_json::to_string_pretty(&template).unwrap();
        let failing: Vec<String> = set
            .check(&body, "t.json")
            .unwrap()
            .into_iter()
            .map(|f| f.rule)
            .collect();
        let expected = if stack.manifest.name == "GitlabEks" {
            2
        } else {
            0
        };
        assert_eq!(
            failing.len(),
            expected,
            "{}: {failing:?}",
            stack.manifest.name
        );
    }
}
