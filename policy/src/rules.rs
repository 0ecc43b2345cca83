//! Rule files, the built-in pack, and the rule facts `synth check` needs
//! beyond what Guard knows: a stable ID, a severity and a title.
//!
//! They are read from comment lines right above a rule:
//!
//! ```text
//! # @id SYNTH-S3-001
//! # @severity error
//! # @title A bucket does not declare default encryption
//! rule SYNTH_S3_001 when ... { ... }
//! ```
//!
//! (Guard names cannot hold `-`, hence ID and name differ.) A rule without
//! `@id` has its Guard name as ID; without `@severity` it is an error.

use std::collections::{BTreeMap, BTreeSet};

use crate::PolicyError;

/// How much a finding matters; decides `synth check`'s exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// `error`, `warning` or `info`.
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "info" => Some(Severity::Info),
            _ => None,
        }
    }
}

/// The built-in pack: one rule file per AWS service area, by pack name.
pub const PACKS: &[(&str, &str)] = &[
    ("iam", include_str!("../rules/iam.guard")),
    ("network", include_str!("../rules/network.guard")),
    ("eks", include_str!("../rules/eks.guard")),
    ("s3", include_str!("../rules/s3.guard")),
    ("kms", include_str!("../rules/kms.guard")),
    ("rds", include_str!("../rules/rds.guard")),
];

/// The built-in pack `name`, parsed.
pub fn builtin(name: &str) -> Option<RuleFile> {
    PACKS.iter().find(|(n, _)| *n == name).map(|(n, text)| {
        RuleFile::parse(&format!("{n}.guard"), text)
            .unwrap_or_else(|e| panic!("the built-in pack {n} is malformed: {e}"))
    })
}

/// One rule of a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// The stable ID suppressions and reports use (`SYNTH-IAM-001`).
    pub id: String,
    /// The rule's name in Guard (`SYNTH_IAM_001`).
    pub guard_name: String,
    pub severity: Severity,
    /// One line saying what is wrong when the rule fails.
    pub title: String,
}

/// A `.guard` file and the rules it declares.
#[derive(Clone, Debug)]
pub struct RuleFile {
    /// Shown in errors and reports (`iam.guard`, `policies/org.guard`).
    pub name: String,
    pub text: String,
    pub rules: Vec<Rule>,
    /// The resource types its queries can see, when it filters every
    /// `Resources` query by literal types (see `scope`).
    pub(crate) types: Option<std::collections::BTreeSet<String>>,
}

impl RuleFile {
    /// Parses the file with Guard's parser (a syntax error is reported
    /// here, not at each check), then reads the `rule NAME` lines and the
    /// `@` annotations above them.
    pub fn parse(name: &str, text: &str) -> Result<RuleFile, PolicyError> {
        if let Err(e) = cfn_guard::commands::validate::parse_rules(text, name) {
            return Err(PolicyError(format!("{name}: {e}")));
        }
        let mut rules = Vec::new();
        let mut notes: BTreeMap<&str, &str> = BTreeMap::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            let at = |msg: String| PolicyError(format!("{name}:{}: {msg}", i + 1));
            if let Some(comment) = line.strip_prefix('#') {
                if let Some(note) = comment.trim().strip_prefix('@') {
                    let (key, value) = note.split_once(' ').unwrap_or((note, ""));
                    if !["id", "severity", "title"].contains(&key) {
                        return Err(at(format!(
                            "unknown annotation @{key}; the annotations are @id, @severity and @title"
                        )));
                    }
                    notes.insert(key, value.trim());
                }
                continue;
            }
            let Some(rest) = line.strip_prefix("rule ") else {
                continue;
            };
            let guard_name: String = rest
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if guard_name.is_empty() {
                return Err(at("a rule without a name".into()));
            }
            let severity = match notes.get("severity") {
                None => Severity::Error,
                Some(s) => Severity::parse(s).ok_or_else(|| {
                    at(format!(
                        "@severity {s:?} is none of error, warning and info"
                    ))
                })?,
            };
            let id = notes
                .get("id")
                .map(|s| s.to_string())
                .unwrap_or_else(|| guard_name.clone());
            check_id(&id).map_err(at)?;
            let title = notes
                .get("title")
                .map(|s| s.to_string())
                .unwrap_or_else(|| format!("rule {guard_name} failed"));
            rules.push(Rule {
                id,
                guard_name,
                severity,
                title,
            });
            notes.clear();
        }
        Ok(RuleFile {
            name: name.to_owned(),
            text: text.to_owned(),
            rules,
            types: crate::scope::queried_types(text),
        })
    }
}

/// A rule ID is what a suppression names: letters, digits, `-` and `_`.
pub(crate) fn check_id(id: &str) -> Result<(), String> {
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(format!(
            "the rule ID {id:?} must be letters, digits, `-` and `_`"
        ));
    }
    Ok(())
}

/// The rules a check runs, with severities as configured.
#[derive(Clone, Debug, Default)]
pub struct RuleSet {
    pub(crate) files: Vec<RuleFile>,
    pub(crate) disabled: BTreeSet<String>,
}

impl RuleSet {
    /// The built-in packs named (every pack when `packs` is `None`).
    pub fn with_packs(packs: Option<&[String]>) -> Result<RuleSet, PolicyError> {
        let mut set = RuleSet::default();
        let names: Vec<&str> = match packs {
            None => PACKS.iter().map(|(n, _)| *n).collect(),
            Some(list) => list.iter().map(String::as_str).collect(),
        };
        for name in names {
            let file = builtin(name).ok_or_else(|| {
                let known: Vec<&str> = PACKS.iter().map(|(n, _)| *n).collect();
                PolicyError(format!(
                    "unknown rule pack {name:?}; the packs are {}",
                    known.join(", ")
                ))
            })?;
            set.add(file)?;
        }
        Ok(set)
    }

    /// Adds a rule file; two rules with one ID are an error.
    pub fn add(&mut self, file: RuleFile) -> Result<(), PolicyError> {
        for rule in &file.rules {
            if let Some(other) = self.file_of(&rule.id) {
                return Err(PolicyError(format!(
                    "the rule ID {} is declared in both {other} and {}",
                    rule.id, file.name
                )));
            }
        }
        self.files.push(file);
        Ok(())
    }

    fn file_of(&self, id: &str) -> Option<&str> {
        self.files
            .iter()
            .find(|f| f.rules.iter().any(|r| r.id == id))
            .map(|f| f.name.as_str())
    }

    /// Every rule, in file order.
    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.files.iter().flat_map(|f| f.rules.iter())
    }

    /// The rule with this ID.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules().find(|r| r.id == id)
    }

    /// Sets a rule's severity, or turns it off with `None`.
    pub fn set_severity(
        &mut self,
        id: &str,
        severity: Option<Severity>,
    ) -> Result<(), PolicyError> {
        let rule = self
            .files
            .iter_mut()
            .flat_map(|f| f.rules.iter_mut())
            .find(|r| r.id == id)
            .ok_or_else(|| PolicyError(format!("no rule has the ID {id}")))?;
        match severity {
            Some(s) => {
                rule.severity = s;
                self.disabled.remove(id);
            }
            None => {
                self.disabled.insert(id.to_owned());
            }
        }
        Ok(())
    }

    /// Whether a rule was turned off.
    pub fn is_disabled(&self, id: &str) -> bool {
        self.disabled.contains(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pack_parses_and_ids_are_unique() {
        let set = RuleSet::with_packs(None).unwrap();
        let ids: Vec<&str> = set.rules().map(|r| r.id.as_str()).collect();
        assert!(ids.len() >= 16, "{ids:?}");
        for rule in set.rules() {
            assert!(rule.id.starts_with("SYNTH-"), "{}", rule.id);
            assert_eq!(rule.guard_name, rule.id.replace('-', "_"));
            assert!(!rule.title.starts_with("rule "), "{} has no title", rule.id);
        }
    }

    #[test]
    fn annotations_are_read_and_checked() {
        let f = RuleFile::parse(
            "x.guard",
            "# @id ORG-1\n# @severity warning\n# @title t\nrule org_1 { Resources exists }\nrule plain { Resources exists }\n",
        )
        .unwrap();
        assert_eq!(f.rules[0].id, "ORG-1");
        assert_eq!(f.rules[0].severity, Severity::Warning);
        assert_eq!(f.rules[1].id, "plain");
        assert_eq!(f.rules[1].severity, Severity::Error);
        let e = RuleFile::parse(
            "x.guard",
            "# @severity fatal\nrule a { Resources exists }\n",
        )
        .unwrap_err();
        assert_eq!(
            e.0,
            "x.guard:2: @severity \"fatal\" is none of error, warning and info"
        );
        let e = RuleFile::parse("x.guard", "# @owner me\n").unwrap_err();
        assert!(
            e.0.starts_with("x.guard:1: unknown annotation @owner"),
            "{e}"
        );
        let e = RuleFile::parse("x.guard", "# @id a b\nrule a { Resources exists }\n").unwrap_err();
        assert!(e.0.contains("must be letters"), "{e}");
    }

    #[test]
    fn packs_and_severities_are_chosen() {
        let mut set = RuleSet::with_packs(Some(&["s3".to_string()])).unwrap();
        assert!(set.rule("SYNTH-S3-001").is_some());
        assert!(set.rule("SYNTH-IAM-001").is_none());
        set.set_severity("SYNTH-S3-001", Some(Severity::Info))
            .unwrap();
        assert_eq!(set.rule("SYNTH-S3-001").unwrap().severity, Severity::Info);
        set.set_severity("SYNTH-S3-002", None).unwrap();
        assert!(set.is_disabled("SYNTH-S3-002"));
        assert!(set.set_severity("NOPE", None).is_err());
        let e = RuleSet::with_packs(Some(&["ec2".to_string()])).unwrap_err();
        assert!(e.0.starts_with("unknown rule pack \"ec2\""), "{e}");
        let e = set.add(builtin("s3").unwrap()).unwrap_err();
        assert!(
            e.0.contains("declared in both s3.guard and s3.guard"),
            "{e}"
        );
    }
}
