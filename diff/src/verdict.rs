//! A diff's verdict in the diff corpus's shape (`diff-corpus/README.md`):
//! which resources change and how, and whether IAM, security groups or
//! access change. Used by the corpus test and `synth-diff-verdicts`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::engine::{Change, Replacement, StackDiff};
use crate::normalize::Environment;
use crate::template::{self, Template};

/// How one resource changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceVerdict {
    pub change: Change,
    pub replacement: Replacement,
}

/// The verdict on one pair of templates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    pub resources: BTreeMap<String, ResourceVerdict>,
    pub iam_changed: bool,
    pub security_groups_changed: bool,
    pub broadening: bool,
}

impl Verdict {
    pub fn of(d: &StackDiff) -> Verdict {
        Verdict {
            resources: d
                .resources
                .iter()
                .map(|r| {
                    let replacement = if r.change == Change::Modify {
                        r.replacement
                    } else {
                        Replacement::None
                    };
                    (
                        r.logical_id.clone(),
                        ResourceVerdict {
                            change: r.change,
                            replacement,
                        },
                    )
                })
                .collect(),
            iam_changed: !d.security.statements.is_empty()
                || !d.security.managed_policies.is_empty(),
            security_groups_changed: !d.security.security_group_rules.is_empty(),
            broadening: d.broadening,
        }
    }

    /// The differences from `expected`, one line each.
    pub fn disagreements(&self, expected: &Verdict) -> Vec<String> {
        let mut out = Vec::new();
        for (id, e) in &expected.resources {
            match self.resources.get(id) {
                None => out.push(format!(
                    "{id}: expected {:?}/{:?}, found no change",
                    e.change, e.replacement
                )),
                Some(f) if f != e => out.push(format!(
                    "{id}: expected {:?}/{:?}, found {:?}/{:?}",
                    e.change, e.replacement, f.change, f.replacement
                )),
                _ => {}
            }
        }
        for (id, f) in &self.resources {
            if !expected.resources.contains_key(id) {
                out.push(format!(
                    "{id}: expected no change, found {:?}/{:?}",
                    f.change, f.replacement
                ));
            }
        }
        for (what, e, f) in [
            ("iamChanged", expected.iam_changed, self.iam_changed),
            (
                "securityGroupsChanged",
                expected.security_groups_changed,
                self.security_groups_changed,
            ),
            ("broadening", expected.broadening, self.broadening),
        ] {
            if e != f {
                out.push(format!("{what}: expected {e}, found {f}"));
            }
        }
        out
    }
}

/// A corpus case: `case.json`, `old.{json,yaml}`, `new.{json,yaml}`.
#[derive(Debug, Deserialize)]
pub struct Case {
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub environment: Option<CaseEnvironment>,
    pub expected: Verdict,
}

#[derive(Debug, Default, Deserialize)]
pub struct CaseEnvironment {
    pub region: Option<String>,
    pub account: Option<String>,
    pub partition: Option<String>,
}

impl Case {
    pub fn read(dir: &Path) -> Result<Case, String> {
        let text = std::fs::read_to_string(dir.join("case.json"))
            .map_err(|e| format!("{}: {e}", dir.join("case.json").display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", dir.display()))
    }

    /// The environment the case states, else the corpus's default.
    pub fn environment(&self) -> Environment {
        let e = self.environment.as_ref();
        let region = e.and_then(|e| e.region.as_deref()).unwrap_or("us-east-1");
        let account = e
            .and_then(|e| e.account.as_deref())
            .unwrap_or(crate::normalize::DEFAULT_ACCOUNT);
        Environment::new(
            Some(region),
            Some(account),
            e.and_then(|e| e.partition.as_deref()),
        )
    }
}

/// `old` or `new` of a case directory, JSON or YAML.
pub fn side(dir: &Path, name: &str) -> Result<Template, String> {
    for ext in ["json", "yaml", "yml", "template"] {
        let path = dir.join(format!("{name}.{ext}"));
        if path.exists() {
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            return template::parse(&text).map_err(|e| format!("{}: {e}", path.display()));
        }
    }
    Err(format!("{}: no {name}.json or {name}.yaml", dir.display()))
}

/// The engine's verdict on a case directory.
pub fn run_case(dir: &Path) -> Result<(Case, Verdict), String> {
    let case = Case::read(dir)?;
    let (old, new) = (side(dir, "old")?, side(dir, "new")?);
    let stack = dir
        .file_name()
        .map_or_else(|| "Stack".to_owned(), |n| n.to_string_lossy().into_owned());
    let d = crate::engine::diff_in(
        &stack,
        &old,
        &new,
        true,
        crate::create_only,
        &case.environment(),
    );
    Ok((case, Verdict::of(&d)))
}

/// Every case directory (one holding `case.json`) under `root`, sorted,
/// with its `<category>/<case>` name.
pub fn cases(root: &Path) -> Vec<(String, PathBuf)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        if dir.join("case.json").is_file() {
            out.push(dir.to_owned());
            return;
        }
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            if e.path().is_dir() {
                walk(&e.path(), out);
            }
        }
    }
    let mut dirs = Vec::new();
    walk(root, &mut dirs);
    dirs.sort();
    dirs.into_iter()
        .map(|d| {
            let name = d
                .strip_prefix(root)
                .unwrap_or(&d)
                .to_string_lossy()
                .into_owned();
            (name, d)
        })
        .collect()
}
