//! CloudFormation's own verdicts beside synth's: the resource changes of a
//! change set (created to ask, never executed) compared with the semantic
//! diff, and why a change set can be empty although the templates differ.
//! Pure: the caller reads the change set and converts it.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use crate::engine::{Change, Replacement, ResourceChange, StackDiff};

/// What CloudFormation will do to one resource (`ResourceChange.Action`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CfnAction {
    Add,
    Modify,
    Remove,
    Import,
    /// Decided while the stack updates (nested stacks, macros).
    Dynamic,
}

/// `ResourceChange.Replacement`: `True`, `False` or `Conditional` (depends
/// on a value only known while updating).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CfnReplacement {
    True,
    False,
    Conditional,
}

/// One change of a change set, as CloudFormation describes it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CfnResourceChange {
    pub logical_id: String,
    #[serde(rename = "type")]
    pub type_name: String,
    pub action: CfnAction,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replacement: Option<CfnReplacement>,
    /// The properties CloudFormation says recreate the resource, with
    /// `always` or `conditionally` (`Details[].Target`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub recreated_by: Vec<String>,
}

/// One resource where synth's prediction and CloudFormation's change set
/// differ.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Disagreement {
    pub logical_id: String,
    /// What synth predicted, for people (`replace`, `update in place`,
    /// `no change`, ...).
    pub synth: String,
    /// What CloudFormation's change set says, in the same words.
    pub cloudformation: String,
}

/// The change set's verdicts merged with the diff.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeSetReview {
    /// Every resource change CloudFormation listed.
    pub changes: Vec<CfnResourceChange>,
    /// Resources both list with the same action and replacement verdict.
    pub agreements: usize,
    pub disagreements: Vec<Disagreement>,
    /// For an empty change set while the templates differ: why
    /// CloudFormation finds nothing to do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub empty_explained: Option<String>,
}

impl ChangeSetReview {
    /// Compares `changes` (CloudFormation's) with `diff` (synth's).
    /// CloudFormation knows parameter values and evaluates every
    /// intrinsic, so where synth said "may replace" its answer settles
    /// the question, and is reported as such.
    pub fn of(diff: &StackDiff, changes: Vec<CfnResourceChange>) -> ChangeSetReview {
        let synth: BTreeMap<&str, &ResourceChange> = diff
            .resources
            .iter()
            .map(|r| (r.logical_id.as_str(), r))
            .collect();
        let mut agreements = 0;
        let mut disagreements = Vec::new();
        for c in &changes {
            let theirs = cfn_words(c);
            let ours = synth.get(c.logical_id.as_str()).map(|r| synth_words(r));
            match ours {
                Some(ours) if ours == theirs => agreements += 1,
                ours => disagreements.push(Disagreement {
                    logical_id: c.logical_id.clone(),
                    synth: ours.unwrap_or_else(|| "no change".into()),
                    cloudformation: theirs,
                }),
            }
        }
        for r in &diff.resources {
            if !changes.iter().any(|c| c.logical_id == r.logical_id) {
                disagreements.push(Disagreement {
                    logical_id: r.logical_id.clone(),
                    synth: synth_words(r),
                    cloudformation: "no change".into(),
                });
            }
        }
        disagreements.sort_by(|a, b| a.logical_id.cmp(&b.logical_id));
        let empty_explained = if changes.is_empty() && !diff.is_empty() {
            Some(explain_empty(diff))
        } else {
            None
        };
        ChangeSetReview {
            changes,
            agreements,
            disagreements,
            empty_explained,
        }
    }
}

/// synth's verdict on a resource, in the words both sides share.
fn synth_words(r: &ResourceChange) -> String {
    match (r.change, r.replacement) {
        (Change::Add, _) => "add".into(),
        (Change::Remove, _) => "remove".into(),
        (Change::Modify, Replacement::Will) => "replace".into(),
        (Change::Modify, Replacement::May) => "may replace".into(),
        (Change::Modify, Replacement::None) => "update in place".into(),
    }
}

fn cfn_words(c: &CfnResourceChange) -> String {
    match (c.action, c.replacement) {
        (CfnAction::Add, _) => "add".into(),
        (CfnAction::Remove, _) => "remove".into(),
        (CfnAction::Import, _) => "import".into(),
        (CfnAction::Dynamic, _) => "decided while updating".into(),
        (CfnAction::Modify, Some(CfnReplacement::True)) => "replace".into(),
        (CfnAction::Modify, Some(CfnReplacement::Conditional)) => "may replace".into(),
        (CfnAction::Modify, _) => "update in place".into(),
    }
}

/// Resource attributes CloudFormation does not act on alone: with no
/// property (or `Metadata`) change beside them, an update changes nothing.
const INERT_ATTRIBUTES: &[&str] = &["DeletionPolicy", "UpdateReplacePolicy", "DependsOn"];

/// Template sections that deploy nothing by themselves.
const INERT_SECTIONS: &[&str] = &[
    "Description",
    "Metadata",
    "Mappings",
    "Conditions",
    "Rules",
    "Parameters",
];

/// Why CloudFormation reports no changes for a stack whose templates
/// `diff` says differ: which differences it does not act on, and why.
pub fn explain_empty(diff: &StackDiff) -> String {
    let mut inert_attributes = Vec::new();
    let mut other_resources = Vec::new();
    for r in &diff.resources {
        let attribute_only = r.change == Change::Modify
            && !r.properties.is_empty()
            && r.properties
                .iter()
                .all(|p| INERT_ATTRIBUTES.iter().any(|a| p.path == *a));
        if attribute_only {
            let names: Vec<&str> = r.properties.iter().map(|p| p.path.as_str()).collect();
            inert_attributes.push(format!("{} ({})", r.logical_id, names.join(", ")));
        } else {
            other_resources.push(r.logical_id.as_str());
        }
    }
    let mut inert_sections = Vec::new();
    let mut outputs = Vec::new();
    for s in &diff.sections {
        if s.section == "Outputs" {
            outputs.push(s.id.as_str());
        } else if INERT_SECTIONS.contains(&s.section.as_str()) {
            inert_sections.push(format!("{} {}", s.section, s.id));
        }
    }
    let mut text = format!(
        "CloudFormation found nothing to change in {} although the templates differ:",
        diff.stack
    );
    if !inert_attributes.is_empty() {
        let _ = write!(
            text,
            "\n  - {}: a change to DeletionPolicy, UpdateReplacePolicy or DependsOn alone is not applied; it takes effect with the next change to the resource's properties or Metadata",
            inert_attributes.join(", ")
        );
    }
    if !inert_sections.is_empty() {
        let _ = write!(
            text,
            "\n  - {}: these sections change no resource by themselves",
            inert_sections.join(", ")
        );
    }
    if !outputs.is_empty() {
        let _ = write!(
            text,
            "\n  - output {}: outputs change only together with a resource change",
            outputs.join(", ")
        );
    }
    if !other_resources.is_empty() {
        let _ = write!(
            text,
            "\n  - {}: the new values resolve to what is deployed (parameter values, dynamic references or intrinsics that evaluate the same in the stack), so CloudFormation sees no difference",
            other_resources.join(", ")
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::PropertyChange;
    use crate::security::SecurityChanges;

    fn modified(id: &str, paths: &[&str], replacement: Replacement) -> ResourceChange {
        ResourceChange {
            logical_id: id.into(),
            type_name: "AWS::S3::Bucket".into(),
            change: Change::Modify,
            replacement,
            reasons: Vec::new(),
            stateful: true,
            data: None,
            renamed_from: None,
            renamed_to: None,
            properties: paths
                .iter()
                .map(|p| PropertyChange {
                    path: (*p).into(),
                    old: None,
                    new: Some(crate::json!("x")),
                    replacement,
                })
                .collect(),
        }
    }

    fn stack(resources: Vec<ResourceChange>) -> StackDiff {
        StackDiff {
            stack: "App".into(),
            exists: true,
            resources,
            sections: Vec::new(),
            security: SecurityChanges::default(),
            broadening: false,
            assumed: Vec::new(),
            change_set: None,
            warnings: Vec::new(),
        }
    }

    fn cfn(id: &str, action: CfnAction, replacement: Option<CfnReplacement>) -> CfnResourceChange {
        CfnResourceChange {
            logical_id: id.into(),
            type_name: "AWS::S3::Bucket".into(),
            action,
            replacement,
            recreated_by: Vec::new(),
        }
    }

    #[test]
    fn agreements_and_each_kind_of_disagreement() {
        let d = stack(vec![
            modified("Same", &["Tags"], Replacement::None),
            modified("Predicted", &["BucketName"], Replacement::Will),
            modified("Unsure", &["Name"], Replacement::May),
            modified("OnlyOurs", &["Tags"], Replacement::None),
        ]);
        let review = ChangeSetReview::of(
            &d,
            vec![
                cfn("Same", CfnAction::Modify, Some(CfnReplacement::False)),
                cfn("Predicted", CfnAction::Modify, Some(CfnReplacement::False)),
                cfn("Unsure", CfnAction::Modify, Some(CfnReplacement::True)),
                cfn("OnlyTheirs", CfnAction::Modify, Some(CfnReplacement::False)),
            ],
        );
        assert_eq!(review.agreements, 1);
        let got: Vec<(&str, &str, &str)> = review
            .disagreements
            .iter()
            .map(|d| {
                (
                    d.logical_id.as_str(),
                    d.synth.as_str(),
                    d.cloudformation.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("OnlyOurs", "update in place", "no change"),
                ("OnlyTheirs", "no change", "update in place"),
                ("Predicted", "replace", "update in place"),
                ("Unsure", "may replace", "replace"),
            ]
        );
        assert_eq!(review.empty_explained, None);
    }

    #[test]
    fn an_empty_change_set_is_explained_by_what_differs() {
        let mut d = stack(vec![
            modified("Kept", &["DeletionPolicy"], Replacement::None),
            modified("Resolved", &["BucketName"], Replacement::Will),
        ]);
        d.sections.push(crate::engine::SectionChange {
            section: "Description".into(),
            id: "Description".into(),
            change: Change::Modify,
            old: None,
            new: None,
            because: None,
        });
        let review = ChangeSetReview::of(&d, Vec::new());
        let text = review.empty_explained.expect("explained");
        assert!(
            text.starts_with("CloudFormation found nothing to change in App"),
            "{text}"
        );
        assert!(
            text.contains("Kept (DeletionPolicy): a change to DeletionPolicy"),
            "{text}"
        );
        assert!(
            text.contains("Description Description: these sections"),
            "{text}"
        );
        assert!(text.contains("Resolved: the new values resolve"), "{text}");
        assert_eq!(review.disagreements.len(), 2);
    }
}
