//! Running Guard over a template and reading its answer.
//!
//! Each rule file is evaluated by cfn-guard's `validate` command run in
//! process: the same parse, evaluation and JSON summary the `cfn-guard
//! validate -o json` command prints. Its failed clauses carry the paths they looked at; the
//! resource is the `/Resources/<logical ID>` those paths start with.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;

use cfn_guard::commands::validate::{OutputFormatType, ShowSummaryType};
use cfn_guard::commands::Executable;
use cfn_guard::utils::reader::{ReadBuffer, Reader};
use cfn_guard::utils::writer::{WriteBuffer, Writer};
use cfn_guard::{CommandBuilder, ValidateBuilder};

use serde::Serialize;
use serde_json::Value as Json;

use crate::lines::resource_line;
use crate::rules::{RuleFile, RuleSet, Severity};
use crate::PolicyError;

/// One rule failing on one resource (or on the template as a whole).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub title: String,
    /// The resource's logical ID; `None` when the rule looked at no
    /// single resource.
    pub resource: Option<String>,
    /// 1-based line of the resource in the template (1 when unknown).
    pub line: usize,
    /// The rule's own message (its `Violation:` line), else its title.
    pub message: String,
}

impl Serialize for Severity {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl RuleSet {
    /// Checks one template (`name` is shown in errors). Findings are
    /// sorted by line, then rule.
    pub fn check(&self, template: &str, name: &str) -> Result<Vec<Finding>, PolicyError> {
        let doc = parse_template(template, name)?;
        let resources = doc.get("Resources").and_then(Json::as_object);
        let mut findings = Vec::new();
        let files: Vec<&RuleFile> = self.files.iter().filter(|f| !f.rules.is_empty()).collect();
        for (file, failed) in files
            .iter()
            .zip(evaluate(&files, template, &doc, name, resources)?)
        {
            for (guard_name, resource, message) in failed {
                let Some(rule) = file.rules.iter().find(|r| r.guard_name == guard_name) else {
                    continue;
                };
                if self.is_disabled(&rule.id) {
                    continue;
                }
                if let Some(id) = &resource {
                    let suppressed = resources
                        .and_then(|r| r.get(id))
                        .map(suppressed_rules)
                        .unwrap_or_default();
                    if suppressed.contains(&rule.id) {
                        continue;
                    }
                }
                let line = resource
                    .as_deref()
                    .and_then(|id| resource_line(template, id))
                    .unwrap_or(1);
                findings.push(Finding {
                    rule: rule.id.clone(),
                    severity: rule.severity,
                    title: rule.title.clone(),
                    resource,
                    line,
                    message: message.unwrap_or_else(|| rule.title.clone()),
                });
            }
        }
        findings
            .sort_by(|a, b| (a.line, &a.rule, &a.resource).cmp(&(b.line, &b.rule, &b.resource)));
        Ok(findings)
    }
}

/// The IDs a resource's `Metadata.guard.SuppressedRules` lists.
pub fn suppressed_rules(resource: &Json) -> Vec<String> {
    resource
        .pointer("/Metadata/guard/SuppressedRules")
        .and_then(Json::as_array)
        .map(|ids| {
            ids.iter()
                .filter_map(|id| id.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn parse_template(text: &str, name: &str) -> Result<Json, PolicyError> {
    let doc: Json = match serde_json::from_str(text) {
        Ok(doc) => doc,
        Err(_) => serde_yaml::from_str(text)
            .map_err(|e| PolicyError(format!("{name} is neither JSON nor YAML: {e}")))?,
    };
    if !doc.is_object() {
        return Err(PolicyError(format!(
            "{name} is not a template (not a mapping)"
        )));
    }
    Ok(doc)
}

/// (Guard rule name, resource, message) for each failure of `file`.
pub type Failure = (String, Option<String>, Option<String>);

/// The failures of each file, in order. Files that filter their queries
/// by type see only the resources of those types (and are skipped when the
/// template has none); the others see the whole template. One `validate`
/// run per distinct view, so a view is loaded once; the runs go in
/// parallel.
fn evaluate(
    files: &[&RuleFile],
    template: &str,
    doc: &Json,
    name: &str,
    resources: Option<&serde_json::Map<String, Json>>,
) -> Result<Vec<Vec<Failure>>, PolicyError> {
    let mut failed: Vec<Vec<Failure>> = vec![Vec::new(); files.len()];
    // (the view's text, or None for the whole template) -> the files on it.
    let mut views: BTreeMap<Option<String>, Vec<usize>> = BTreeMap::new();
    for (i, file) in files.iter().enumerate() {
        match &file.types {
            None => views.entry(None).or_default().push(i),
            Some(types) => {
                if let Some(view) = view_of(doc, resources, types) {
                    views.entry(Some(view)).or_default().push(i);
                }
            }
        }
    }
    // Views are independent runs of the engine: evaluated side by side.
    let views: Vec<(Option<String>, Vec<usize>)> = views.into_iter().collect();
    let reports: Vec<Result<Vec<Json>, PolicyError>> = std::thread::scope(|scope| {
        let runs: Vec<_> = views
            .iter()
            .map(|(view, members)| {
                let text = view.as_deref().unwrap_or(template);
                scope.spawn(move || run_view(files, members, text, name))
            })
            .collect();
        runs.into_iter()
            .map(|run| {
                run.join().unwrap_or_else(|_| {
                    Err(PolicyError(format!("the Guard engine panicked on {name}")))
                })
            })
            .collect()
    });
    for ((_, members), reports) in views.iter().zip(reports) {
        for (&i, report) in members.iter().zip(&reports?) {
            failed[i] = failures(report, resources);
        }
    }
    Ok(failed)
}

/// One `validate` run of the files `members` over `text`: one JSON
/// summary per file, in order.
fn run_view(
    files: &[&RuleFile],
    members: &[usize],
    text: &str,
    name: &str,
) -> Result<Vec<Json>, PolicyError> {
    let texts: Vec<&str> = members.iter().map(|&i| files[i].text.as_str()).collect();
    let names = || {
        members
            .iter()
            .map(|&i| files[i].name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let output =
        validate(&texts, text).map_err(|e| PolicyError(format!("{} on {name}: {e}", names())))?;
    // One JSON summary per rule file, one after the other.
    let reports: Vec<Json> = serde_json::Deserializer::from_str(&output)
        .into_iter::<Json>()
        .collect::<Result<_, _>>()
        .map_err(|e| {
            PolicyError(format!(
                "{} on {name}: unreadable Guard output: {e}",
                names()
            ))
        })?;
    if reports.len() != members.len() {
        return Err(PolicyError(format!(
            "{} on {name}: Guard answered {} summaries for {} rule files",
            names(),
            reports.len(),
            members.len()
        )));
    }
    Ok(reports)
}

/// The template with only the resources of `types`, as JSON; `None` when
/// it has none of them (the file's rules would all skip).
fn view_of(
    doc: &Json,
    resources: Option<&serde_json::Map<String, Json>>,
    types: &std::collections::BTreeSet<String>,
) -> Option<String> {
    let kept: serde_json::Map<String, Json> = resources?
        .iter()
        .filter(|(_, r)| {
            r.get("Type")
                .and_then(Json::as_str)
                .is_some_and(|t| types.contains(t))
        })
        .map(|(id, r)| (id.clone(), r.clone()))
        .collect();
    if kept.is_empty() {
        return None;
    }
    let mut view: serde_json::Map<String, Json> = doc
        .as_object()?
        .iter()
        .filter(|(key, _)| *key != "Resources")
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    view.insert("Resources".into(), Json::Object(kept));
    Some(Json::Object(view).to_string())
}

/// `cfn-guard validate --payload -o json --show-summary none`, in process:
/// the command's own code path, with rules and template handed over as a
/// payload instead of files. (`cfn_guard::run_checks` would be shorter but
/// returns only the last 8 KiB of a longer answer.)
fn validate(rules: &[&str], template: &str) -> Result<String, String> {
    let payload = serde_json::json!({"rules": rules, "data": [template]}).to_string();
    let command = ValidateBuilder::default()
        .payload(true)
        .output_format(OutputFormatType::JSON)
        .show_summary(vec![ShowSummaryType::None])
        .try_build()
        .map_err(|e| e.to_string())?;
    // Guard writes notices about its own future semantics to the error
    // buffer; they are not findings and must not reach the user's stderr
    // (the pack avoids the constructs they name).
    let mut writer =
        Writer::new_with_err(WriteBuffer::Vec(Vec::new()), WriteBuffer::Vec(Vec::new()))
            .map_err(|e| e.to_string())?;
    let mut reader = Reader::new(ReadBuffer::Cursor(Cursor::new(payload.into_bytes())));
    let code = command
        .execute(&mut writer, &mut reader)
        .map_err(|e| e.to_string())?;
    let output = writer.into_string().map_err(|e| e.to_string())?;
    // 0: every rule passed or was skipped; 19: some failed. Anything else
    // is an evaluation error (parse errors are caught when files load).
    match code {
        0 | 19 => Ok(output),
        other => Err(format!("Guard could not evaluate the rules (exit {other})")),
    }
}

/// Reads the failures of a `cfn-guard validate -o json` summary: also
/// what the `cfn-guard` command prints, which the tests compare.
pub fn failures(report: &Json, resources: Option<&serde_json::Map<String, Json>>) -> Vec<Failure> {
    let mut out: BTreeMap<(String, Option<String>), Option<String>> = BTreeMap::new();
    let empty = Vec::new();
    let not_compliant = report
        .get("not_compliant")
        .and_then(Json::as_array)
        .unwrap_or(&empty);
    for entry in not_compliant {
        let Some(rule) = entry.get("Rule") else {
            continue;
        };
        let Some(name) = rule.get("name").and_then(Json::as_str) else {
            continue;
        };
        let checks = rule
            .get("checks")
            .and_then(Json::as_array)
            .unwrap_or(&empty);
        let mut seen = BTreeSet::new();
        for check in checks {
            let resource = resource_of(check, resources);
            let message = violation(check);
            seen.insert(resource.clone());
            let slot = out.entry((name.to_owned(), resource)).or_insert(None);
            if slot.is_none() {
                *slot = message;
            }
        }
        if checks.is_empty() {
            out.entry((name.to_owned(), None)).or_insert(None);
        }
    }
    out.into_iter().map(|((n, r), m)| (n, r, m)).collect()
}

/// The logical ID of the first resource a failed clause looked at. A rule
/// that iterates over resource keys (`Resources[ id | ... ]`) reports the
/// path `/Resources` with the key as value.
fn resource_of(check: &Json, resources: Option<&serde_json::Map<String, Json>>) -> Option<String> {
    let mut found = None;
    walk(check, &mut |map| {
        if found.is_some() {
            return;
        }
        let Some(path) = map.get("path").and_then(Json::as_str) else {
            return;
        };
        if let Some(rest) = path.strip_prefix("/Resources/") {
            let id = rest.split('/').next().unwrap_or(rest);
            found = Some(id.to_owned());
        } else if path == "/Resources" {
            if let Some(key) = map.get("value").and_then(Json::as_str) {
                if resources.is_some_and(|r| r.contains_key(key)) {
                    found = Some(key.to_owned());
                }
            }
        }
    });
    found
}

/// The `Violation:` line of a clause's custom message.
fn violation(check: &Json) -> Option<String> {
    let mut found = None;
    walk(check, &mut |map| {
        if found.is_some() {
            return;
        }
        if let Some(text) = map.get("custom_message").and_then(Json::as_str) {
            found = text
                .lines()
                .find_map(|l| l.trim().strip_prefix("Violation:"))
                .map(|v| v.trim().to_owned());
        }
    });
    found
}

/// Visits every object in `value`, depth first, in document order.
fn walk(value: &Json, visit: &mut dyn FnMut(&serde_json::Map<String, Json>)) {
    match value {
        Json::Object(map) => {
            visit(map);
            for v in map.values() {
                walk(v, visit);
            }
        }
        Json::Array(items) => {
            for v in items {
                walk(v, visit);
            }
        }
        _ => {}
    }
}
