//! Policy as code for synthesized templates: CloudFormation Guard rules,
//! evaluated in process with AWS's own engine (the `cfn-guard` crate, the
//! library behind the `cfn-guard` command).
//!
//! A [`RuleSet`] holds rule files: the built-in pack ([`PACKS`], the files
//! under `policy/rules/`) and a project's own `.guard` files. Checking a
//! template yields [`Finding`]s naming the rule's stable ID, its severity,
//! the resource's logical ID and the template line where that resource
//! starts. [`report`] turns findings into GitLab's Code Quality JSON.
//!
//! Suppressions follow cfn-guard's convention: a resource whose
//! `Metadata.guard.SuppressedRules` lists a rule's ID is not checked by it
//! (the pack's rules filter such resources themselves, so the `cfn-guard`
//! command gives the same findings; findings of a project's rules that do
//! not are dropped afterwards).

mod eval;
mod lines;
pub mod report;
mod rules;
mod scope;

pub use eval::{failures, suppressed_rules, Failure, Finding};
pub use lines::resource_line;
pub use rules::{builtin, Rule, RuleFile, RuleSet, Severity, PACKS};

/// What went wrong reading rules or checking a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError(pub String);

impl std::fmt::Display for PolicyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PolicyError {}
