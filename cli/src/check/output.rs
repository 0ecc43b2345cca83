//! The check's reports: a table for people, JSON for programs, and
//! GitLab's Code Quality JSON for the merge request widget.

use serde_json::{json, Value as Json};
use synth_policy::report::{codequality as codequality_report, Located};
use synth_policy::Severity;

use super::Report;

/// Rows of the findings table, header first; none without findings.
pub fn table(report: &Report) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for (stack, f) in report.findings() {
        if rows.is_empty() {
            rows.push(
                ["SEVERITY", "RULE", "STACK", "RESOURCE", "LINE", "FINDING"]
                    .map(String::from)
                    .to_vec(),
            );
        }
        rows.push(vec![
            f.severity.as_str().to_string(),
            f.rule.clone(),
            stack.stack.clone(),
            f.resource.clone().unwrap_or_else(|| "-".to_string()),
            format!("{}:{}", stack.template, f.line),
            f.message.clone(),
        ]);
    }
    rows
}

/// `--format json`: findings, suppressions and counts.
pub fn json(report: &Report) -> Json {
    let findings: Vec<Json> = report
        .findings()
        .map(|(s, f)| {
            json!({
                "stack": s.stack,
                "template": s.template,
                "rule": f.rule,
                "severity": f.severity.as_str(),
                "title": f.title,
                "resource": f.resource,
                "line": f.line,
                "message": f.message,
            })
        })
        .collect();
    let suppressions: Vec<Json> = report
        .stacks
        .iter()
        .flat_map(|s| {
            s.suppressions.iter().map(move |x| {
                json!({"stack": s.stack, "resource": x.resource, "rule": x.rule, "reason": x.reason})
            })
        })
        .collect();
    json!({
        "findings": findings,
        "suppressions": suppressions,
        "summary": {
            "error": report.count(Severity::Error),
            "warning": report.count(Severity::Warning),
            "info": report.count(Severity::Info),
        }
    })
}

/// GitLab's Code Quality report of every finding.
pub fn codequality(report: &Report) -> Json {
    let located: Vec<Located> = report
        .findings()
        .map(|(s, f)| Located {
            path: &s.template,
            stack: &s.stack,
            finding: f,
        })
        .collect();
    codequality_report(&located)
}
