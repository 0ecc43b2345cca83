//! The engine against the diff corpus (`diff-corpus/` at the workspace
//! root, or the directory in `SYNTH_DIFF_CORPUS`): every case's verdict
//! must match its `expected`, except a case whose `case.json` explains
//! the engine's disagreement in `disagreements.synth` (an open fault,
//! listed in the output); a note on a case the engine now gets right is
//! stale and fails the test. Skipped, with a note, when there is no corpus.

use std::path::PathBuf;

use synth_diff::verdict;

#[test]
fn the_engine_agrees_with_every_corpus_case() {
    let root = std::env::var_os("SYNTH_DIFF_CORPUS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../diff-corpus"),
        PathBuf::from,
    );
    if !root.is_dir() {
        println!("no diff corpus at {}: skipped", root.display());
        return;
    }
    let cases = verdict::cases(&root);
    assert!(
        cases.len() >= 100,
        "only {} cases under {}",
        cases.len(),
        root.display()
    );
    let mut failed = Vec::new();
    let mut known = Vec::new();
    let mut per_category: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
    for (name, dir) in &cases {
        let category = name.split('/').next().unwrap_or("").to_owned();
        let entry = per_category.entry(category).or_default();
        entry.1 += 1;
        let note = synth_note(dir);
        match verdict::run_case(dir) {
            Ok((case, found)) => {
                let problems = found.disagreements(&case.expected);
                if problems.is_empty() {
                    entry.0 += 1;
                    if note.is_some() {
                        failed.push(format!(
                            "{name}: the engine agrees now; remove disagreements.synth from its case.json"
                        ));
                    }
                } else if let Some(note) = note {
                    known.push(format!("{name}: {note}\n    {}", problems.join("\n    ")));
                } else {
                    failed.push(format!(
                        "{name} ({}):\n    {}",
                        case.source,
                        problems.join("\n    ")
                    ));
                }
            }
            Err(e) => failed.push(format!("{name}: {e}")),
        }
    }
    for (category, (ok, all)) in &per_category {
        println!("{category}: {ok}/{all} agree");
    }
    for k in &known {
        println!("known, explained in the case: {k}");
    }
    for f in &failed {
        println!("{f}");
    }
    assert!(
        failed.is_empty(),
        "{} of {} cases disagree (listed above)",
        failed.len(),
        cases.len()
    );
}

/// The case's explanation of the engine's disagreement, if it has one.
fn synth_note(dir: &std::path::Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("case.json")).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json["disagreements"]["synth"].as_str().map(str::to_owned)
}

/// What CloudFormation refuses, over every template of the corpus: only
/// the one revision cfn-lint also faults for it (E3001: an attribute
/// beside `Properties`). Any other finding would be a false alarm on a
/// template that deploys.
#[test]
fn refusals_over_the_corpus_are_the_ones_cloudformation_makes() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../diff-corpus");
    let mut found = Vec::new();
    for (name, dir) in verdict::cases(&root) {
        for side in ["old", "new"] {
            let template = verdict::side(&dir, side).unwrap_or_else(|e| panic!("{e}"));
            for r in synth_diff::refusals::refusals(&template) {
                found.push(format!("{name} {side}: {r}"));
            }
        }
    }
    assert_eq!(
        found,
        vec![
            "histories/qsatlsvc-kms-actions-rds-parameter old: resource EncryptionKey: \
             `EnableKeyRotation` is not a resource attribute (properties go under Properties)"
        ]
    );
}
