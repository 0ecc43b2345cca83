//! The `cfn-guard` command gives the same findings as `synth check` with
//! the same rule files. The command is `cfn_guard`'s `Validate`, which
//! this test runs in process exactly as `cfn-guard validate -r <rules> -d
//! <template> -o json --show-summary none` does (files read from disk,
//! JSON summary out), and, when `CFN_GUARD` names a `cfn-guard` binary
//! (`scripts/guard-parity` sets it), that binary as well.

use std::path::{Path, PathBuf};

use cfn_guard::commands::validate::{OutputFormatType, ShowSummaryType};
use cfn_guard::commands::Executable;
use cfn_guard::utils::reader::Reader;
use cfn_guard::utils::writer::{WriteBuffer, Writer};
use cfn_guard::{CommandBuilder, ValidateBuilder};
use serde_json::Value;
use synth_policy::{failures, RuleSet, PACKS};

type Pairs = Vec<(String, Option<String>)>;

fn templates() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut out = Vec::new();
    for dir in std::fs::read_dir(root).unwrap() {
        let dir = dir.unwrap().path();
        out.push(dir.join("pass.json"));
        out.push(dir.join("fail.json"));
    }
    out.sort();
    out
}

/// (Guard rule name, resource) pairs of a `-o json` summary.
fn pairs(summary: &str, template: &Path) -> Pairs {
    if summary.trim().is_empty() {
        return Vec::new();
    }
    let report: Value = serde_json::from_str(summary).unwrap();
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(template).unwrap()).unwrap();
    failures(&report, doc["Resources"].as_object())
        .into_iter()
        .map(|(rule, resource, _)| (rule, resource))
        .collect()
}

fn library(set: &RuleSet, template: &Path) -> Pairs {
    let text = std::fs::read_to_string(template).unwrap();
    let mut out: Pairs = set
        .check(&text, "t.json")
        .unwrap()
        .into_iter()
        .map(|f| (f.rule.replace('-', "_"), f.resource))
        .collect();
    out.sort();
    out
}

fn validate_in_process(rules: &Path, template: &Path) -> Pairs {
    let cmd = ValidateBuilder::default()
        .rules(vec![rules.display().to_string()])
        .data(vec![template.display().to_string()])
        .output_format(OutputFormatType::JSON)
        .show_summary(vec![ShowSummaryType::None])
        .try_build()
        .unwrap();
    let mut writer = Writer::new(WriteBuffer::Vec(Vec::new())).unwrap();
    let code = cmd.execute(&mut writer, &mut Reader::default()).unwrap();
    assert!(code == 0 || code == 19, "validate exited {code}");
    let mut out = pairs(&writer.stripped().unwrap(), template);
    out.sort();
    out
}

fn validate_binary(bin: &str, rules: &Path, template: &Path) -> Pairs {
    let out = std::process::Command::new(bin)
        .args(["validate", "-o", "json", "--show-summary", "none", "-r"])
        .arg(rules)
        .arg("-d")
        .arg(template)
        .output()
        .unwrap();
    let code = out.status.code();
    assert!(matches!(code, Some(0) | Some(19)), "{bin} exited {code:?}");
    let mut out = pairs(&String::from_utf8(out.stdout).unwrap(), template);
    out.sort();
    out
}

#[test]
fn the_guard_command_finds_what_the_library_finds() {
    let dir = tempfile::tempdir().unwrap();
    let binary = std::env::var("CFN_GUARD").ok();
    let mut nonempty = 0;
    for (name, text) in PACKS {
        let rules = dir.path().join(format!("{name}.guard"));
        std::fs::write(&rules, text).unwrap();
        let set = RuleSet::with_packs(Some(&[name.to_string()])).unwrap();
        for template in templates() {
            let ours = library(&set, &template);
            assert_eq!(
                validate_in_process(&rules, &template),
                ours,
                "{name} on {}",
                template.display()
            );
            if let Some(bin) = &binary {
                assert_eq!(
                    validate_binary(bin, &rules, &template),
                    ours,
                    "{bin}: {name} on {}",
                    template.display()
                );
            }
            nonempty += usize::from(!ours.is_empty());
        }
    }
    assert!(nonempty >= 17, "only {nonempty} templates had findings");
}
