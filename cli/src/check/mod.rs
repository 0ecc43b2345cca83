//! Policy checks of an assembly: the rules `synth.toml`'s `[check]` tables
//! choose (see [`crate::config`]), run over every template with
//! [`synth_policy`], and the reports (table, JSON, GitLab Code Quality).

mod output;
mod rules;

use std::collections::BTreeSet;
use std::path::Path;

use synth::manifest::Suppression;
use synth_policy::{Finding, RuleSet, Severity};

use crate::assembly::Assembly;
use crate::error::{Error, Result};

pub use output::{codequality, json, table};
pub use rules::load;

/// One stack's findings.
#[derive(Debug)]
pub struct StackReport {
    pub stack: String,
    /// The template's path as shown (relative to the working directory
    /// when the assembly is below it): what Code Quality locates.
    pub template: String,
    pub findings: Vec<Finding>,
    pub suppressions: Vec<Suppression>,
}

/// Every stack's findings, in the manifest's order.
#[derive(Debug)]
pub struct Report {
    pub stacks: Vec<StackReport>,
}

impl Report {
    pub fn count(&self, severity: Severity) -> usize {
        self.findings()
            .filter(|(_, f)| f.severity == severity)
            .count()
    }

    pub fn findings(&self) -> impl Iterator<Item = (&StackReport, &Finding)> {
        self.stacks
            .iter()
            .flat_map(|s| s.findings.iter().map(move |f| (s, f)))
    }

    /// The error `synth check` (and `synth`) exits with, if any: errors
    /// fail; warnings fail when `strict`.
    pub fn verdict(&self, strict: bool) -> Result<()> {
        let errors = self.count(Severity::Error);
        let warnings = self.count(Severity::Warning);
        if errors > 0 {
            return Err(Error::failed(format!(
                "the policy check found {} (and {})",
                plural(errors, "error"),
                plural(warnings, "warning")
            )));
        }
        if strict && warnings > 0 {
            return Err(Error::failed(format!(
                "the policy check found {} (--strict fails on warnings)",
                plural(warnings, "warning")
            )));
        }
        Ok(())
    }

    /// One line: counts of findings and suppressions.
    pub fn summary(&self) -> String {
        let suppressed: usize = self.stacks.iter().map(|s| s.suppressions.len()).sum();
        format!(
            "{}, {}, {} info in {}; {} suppressed in code (listed in the manifest)",
            plural(self.count(Severity::Error), "error"),
            plural(self.count(Severity::Warning), "warning"),
            self.count(Severity::Info),
            plural(self.stacks.len(), "stack"),
            suppressed
        )
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Checks every stack of `assembly`, naming templates as under
/// `shown_dir` (where the assembly is, or will be once swapped in). A
/// suppression naming a rule that neither the built-in pack nor the
/// project's rules declare is an error (exit 2): a typo would otherwise
/// silently suppress nothing.
pub fn check(assembly: &Assembly, rules: &RuleSet, shown_dir: &Path) -> Result<Report> {
    let known: BTreeSet<String> = known_ids(rules);
    let mut unknown = Vec::new();
    for stack in &assembly.manifest.stacks {
        for s in &stack.suppressions {
            if !known.contains(&s.rule) {
                unknown.push(format!(
                    "{} {} suppresses {}",
                    stack.name, s.resource, s.rule
                ));
            }
        }
    }
    if !unknown.is_empty() {
        return Err(Error::usage(format!(
            "a suppression names a rule that no rule file declares: {}",
            unknown.join("; ")
        ))
        .note("the rule IDs are listed by `@id` in the rule files; check the spelling, or add the project's rule file to `rules` in synth.toml's [check]"));
    }
    let mut stacks = Vec::new();
    for stack in &assembly.manifest.stacks {
        let body = assembly.template_body(stack)?;
        let template = shown_dir.join(&stack.template).display().to_string();
        let findings = rules
            .check(&body, &template)
            .map_err(|e| Error::usage(format!("cannot check stack {}: {e}", stack.name)))?;
        stacks.push(StackReport {
            stack: stack.name.clone(),
            template,
            findings,
            suppressions: stack.suppressions.clone(),
        });
    }
    Ok(Report { stacks })
}

/// The rule IDs a suppression may name: every built-in rule (also of packs
/// not chosen, so choosing fewer packs does not break suppressions) and
/// every rule of the set.
fn known_ids(rules: &RuleSet) -> BTreeSet<String> {
    let mut ids: BTreeSet<String> = rules.rules().map(|r| r.id.clone()).collect();
    if let Ok(all) = RuleSet::with_packs(None) {
        ids.extend(all.rules().map(|r| r.id.clone()));
    }
    ids
}
