//! The machine-readable rendering (schema documented in README).

use serde::Serialize;

use super::total;
use crate::engine::{Counts, StackDiff};

/// The JSON format's schema version; bump it on incompatible changes.
pub const JSON_SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonReport<'a> {
    schema_version: u32,
    broadening: bool,
    summary: Counts,
    stacks: Vec<JsonStack<'a>>,
}

#[derive(Serialize)]
struct JsonStack<'a> {
    summary: Counts,
    #[serde(flatten)]
    diff: &'a StackDiff,
}

/// The machine-readable diff (schema documented in README).
pub fn json(diffs: &[StackDiff]) -> String {
    let report = JsonReport {
        schema_version: JSON_SCHEMA_VERSION,
        broadening: diffs.iter().any(|d| d.broadening),
        summary: total(diffs),
        stacks: diffs
            .iter()
            .map(|d| JsonStack {
                summary: d.counts(),
                diff: d,
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}
