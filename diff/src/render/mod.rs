//! Diffs for people (terminal text, Markdown for merge requests) and
//! machines (versioned JSON, GitLab's infrastructure report), one module
//! per format; the helpers they share are here.

use std::fmt::Write;

use crate::value::Json;

use crate::engine::{Change, Counts, DataFate, Replacement, ResourceChange, StackDiff};

pub mod gitlab;
pub mod json;
pub mod markdown;
pub mod text;

pub use gitlab::gitlab_report;
pub use json::{json, JSON_SCHEMA_VERSION};
pub use markdown::markdown;
pub use text::{terminal, Style};

/// A value in one line: intrinsics in their short YAML form, long values cut.
pub fn short(v: &Json) -> String {
    let text = match v {
        Json::String(s) => format!("{s:?}"),
        Json::Object(m) if m.len() == 1 => {
            let (k, inner) = m
                .iter()
                .next()
                .map(|(k, v)| (k.as_str(), v))
                .unwrap_or(("", v));
            match (k, inner) {
                ("Ref", Json::String(r)) => format!("!Ref {r}"),
                ("Fn::GetAtt", Json::Array(a)) if a.len() == 2 => {
                    format!(
                        "!GetAtt {}.{}",
                        a[0].as_str().unwrap_or("?"),
                        a[1].as_str().unwrap_or("?")
                    )
                }
                ("Fn::Sub", Json::String(s)) => format!("!Sub {s:?}"),
                (k, inner) if k.starts_with("Fn::") => format!("!{} {}", &k[4..], compact(inner)),
                _ => compact(v),
            }
        }
        other => compact(other),
    };
    cut(text, 160)
}

pub(crate) fn compact(v: &Json) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn cut(text: String, max: usize) -> String {
    if text.chars().count() <= max {
        text
    } else {
        let mut t: String = text.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

pub(crate) fn opt(v: &Option<Json>) -> String {
    v.as_ref().map_or_else(|| "(none)".to_owned(), short)
}

pub(crate) fn marker(c: Change) -> &'static str {
    match c {
        Change::Add => "[+]",
        Change::Remove => "[-]",
        Change::Modify => "[~]",
    }
}

pub(crate) fn replacement_note(r: &ResourceChange) -> String {
    let mut note = match r.replacement {
        Replacement::Will => " (replace)".to_owned(),
        Replacement::May => " (may replace)".to_owned(),
        Replacement::None => String::new(),
    };
    if let Some(fate) = data_note(r) {
        let _ = write!(note, " !! stateful: {fate}");
    }
    note
}

/// What becomes of a removed or replaced stateful resource's data.
pub(crate) fn data_note(r: &ResourceChange) -> Option<&'static str> {
    Some(match r.data? {
        DataFate::Lost => "data is lost",
        DataFate::Retained => "retained: the old resource and its data are kept (orphaned)",
        DataFate::Snapshot => "a snapshot is taken before deletion",
    })
}

/// The hint for a likely rename, on the added resource: the pin that
/// keeps the old resource, and the replacements it avoids (the resource
/// itself, and what its new ID replaces).
pub(crate) fn rename_note(r: &ResourceChange, d: &StackDiff) -> Option<String> {
    let old = r.renamed_from.as_ref()?;
    let new = &r.logical_id;
    let dependents: Vec<&str> = d
        .resources
        .iter()
        .filter(|c| c.change == Change::Modify && c.replacement != Replacement::None)
        .filter(|c| {
            c.properties.iter().any(|p| {
                let mut refs = std::collections::BTreeSet::new();
                if let Some(v) = &p.new {
                    crate::engine::references(v, &mut refs);
                }
                p.replacement != Replacement::None && refs.contains(new.as_str())
            })
        })
        .map(|c| c.logical_id.as_str())
        .collect();
    let mut note = format!(
        "likely a rename of {old}: pin the old ID with `stack.edit(&thing).logical_id(\"{old}\")` \
         to keep the resource instead of replacing it (deleting {old}, creating {new})"
    );
    if !dependents.is_empty() {
        let _ = write!(note, ", which also replaces {}", dependents.join(", "));
    }
    Some(note)
}

/// Lines about the deployed stack: warnings from its state, then
/// CloudFormation's change set beside synth's prediction.
pub(crate) fn deployed_notes(d: &StackDiff) -> Vec<String> {
    let mut lines: Vec<String> = d.warnings.iter().map(|w| format!("Warning: {w}")).collect();
    let Some(review) = &d.change_set else {
        return lines;
    };
    if let Some(why) = &review.empty_explained {
        lines.push(why.clone());
        return lines;
    }
    let agree = match (review.changes.len(), review.disagreements.len()) {
        (0, 0) => "CloudFormation's change set: no changes, as predicted".to_owned(),
        (_, 0) => format!(
            "CloudFormation's change set agrees on all {} resource change{}",
            review.agreements,
            if review.agreements == 1 { "" } else { "s" }
        ),
        (_, n) => format!(
            "CloudFormation's change set agrees on {} resource change{} and differs on {n}:",
            review.agreements,
            if review.agreements == 1 { "" } else { "s" }
        ),
    };
    lines.push(agree);
    for x in &review.disagreements {
        let because = review
            .changes
            .iter()
            .find(|c| c.logical_id == x.logical_id && !c.recreated_by.is_empty())
            .map(|c| format!(" (recreated by {})", c.recreated_by.join(", ")))
            .unwrap_or_default();
        lines.push(format!(
            "  {}: synth: {}; CloudFormation: {}{because}",
            x.logical_id, x.synth, x.cloudformation
        ));
    }
    lines
}

/// The "assumed" note: what evaluating intrinsics took as given.
pub(crate) fn assumed_note(d: &StackDiff) -> Option<String> {
    (!d.assumed.is_empty()).then(|| format!("Assumed: {}", d.assumed.join("; ")))
}

pub(crate) fn summary(c: Counts) -> String {
    let mut s = format!(
        "{} to add, {} to change, {} to remove",
        c.create, c.update, c.delete
    );
    if c.replace > 0 {
        let _ = write!(s, " ({} replaced)", c.replace);
    }
    s
}

pub(crate) fn total(diffs: &[StackDiff]) -> Counts {
    diffs
        .iter()
        .map(StackDiff::counts)
        .fold(Counts::default(), |a, c| Counts {
            create: a.create + c.create,
            update: a.update + c.update,
            delete: a.delete + c.delete,
            replace: a.replace + c.replace,
        })
}
