//! Diffs for people (terminal, Markdown for merge requests) and machines
//! (versioned JSON, GitLab's infrastructure report), and the unified text
//! diff of the templates.

use std::fmt::Write;

use serde::Serialize;
use serde_json::Value as Json;

use super::engine::{Change, Counts, Replacement, ResourceChange, StackDiff};
use super::security::SecurityChanges;

/// The JSON format's schema version; bump it on incompatible changes.
pub const JSON_SCHEMA_VERSION: u32 = 1;

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

fn compact(v: &Json) -> String {
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

fn opt(v: &Option<Json>) -> String {
    v.as_ref().map_or_else(|| "(none)".to_owned(), short)
}

fn marker(c: Change) -> &'static str {
    match c {
        Change::Add => "[+]",
        Change::Remove => "[-]",
        Change::Modify => "[~]",
    }
}

/// Terminal colors, off unless the output is a terminal.
#[derive(Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn change(self, c: Change, text: &str) -> String {
        let code = match c {
            Change::Add => "32",
            Change::Remove => "31",
            Change::Modify => "33",
        };
        self.paint(code, text)
    }
}

fn replacement_note(r: &ResourceChange) -> String {
    let mut note = match r.replacement {
        Replacement::Will => " (replace)".to_owned(),
        Replacement::May => " (may replace)".to_owned(),
        Replacement::None => String::new(),
    };
    if r.stateful && (r.change == Change::Remove || r.replacement != Replacement::None) {
        note.push_str(" !! stateful: data is lost");
    }
    note
}

fn summary(c: Counts) -> String {
    let mut s = format!(
        "{} to add, {} to change, {} to remove",
        c.create, c.update, c.delete
    );
    if c.replace > 0 {
        let _ = write!(s, " ({} replaced)", c.replace);
    }
    s
}

/// The human-readable diff of one stack.
pub fn terminal(d: &StackDiff, style: Style) -> String {
    let mut out = String::new();
    let title = if d.exists {
        format!("Stack {}", d.stack)
    } else {
        format!("Stack {} (new)", d.stack)
    };
    let _ = writeln!(out, "{}", style.paint("1", &title));
    if d.is_empty() {
        let _ = writeln!(out, "There were no differences");
        return out;
    }
    if !d.resources.is_empty() {
        let _ = writeln!(out, "Resources");
        for r in &d.resources {
            let head = format!("{} {} {}", marker(r.change), r.type_name, r.logical_id);
            let note = replacement_note(r);
            let danger = r.stateful && note.contains("stateful");
            let note = if danger || r.replacement == Replacement::Will {
                style.paint("1;31", &note)
            } else {
                note
            };
            let _ = writeln!(out, "{}{}", style.change(r.change, &head), note);
            for reason in &r.reasons {
                let _ = writeln!(out, "    because {reason}");
            }
            for p in &r.properties {
                let tag = match p.replacement {
                    Replacement::Will => " (replaces)",
                    Replacement::May => " (may replace)",
                    Replacement::None => "",
                };
                if p.old == p.new {
                    let _ = writeln!(
                        out,
                        "    [~] {}{tag}: {} gets a new value",
                        p.path,
                        opt(&p.new)
                    );
                } else {
                    let c = match (&p.old, &p.new) {
                        (None, _) => Change::Add,
                        (_, None) => Change::Remove,
                        _ => Change::Modify,
                    };
                    let line = match c {
                        Change::Add => format!("    [+] {}{tag}: {}", p.path, opt(&p.new)),
                        Change::Remove => format!("    [-] {}{tag}: {}", p.path, opt(&p.old)),
                        Change::Modify => format!(
                            "    [~] {}{tag}: {} -> {}",
                            p.path,
                            opt(&p.old),
                            opt(&p.new)
                        ),
                    };
                    let _ = writeln!(out, "{}", style.change(c, &line));
                }
            }
        }
    }
    let mut current = "";
    for s in &d.sections {
        if s.section != current {
            let _ = writeln!(out, "{}", s.section);
            current = &s.section;
        }
        let line = match s.change {
            Change::Add => format!("{} {}: {}", marker(s.change), s.id, opt(&s.new)),
            Change::Remove => format!("{} {}: {}", marker(s.change), s.id, opt(&s.old)),
            Change::Modify => format!(
                "{} {}: {} -> {}",
                marker(s.change),
                s.id,
                opt(&s.old),
                opt(&s.new)
            ),
        };
        let _ = writeln!(out, "{}", style.change(s.change, &line));
    }
    security_text(&d.security, style, &mut out);
    if d.broadening {
        let _ = writeln!(
            out,
            "{}",
            style.paint(
                "1;33",
                "This change broadens permissions or network access."
            )
        );
    }
    let _ = writeln!(out, "{}", summary(d.counts()));
    out
}

fn list(items: &[Json]) -> String {
    if items.is_empty() {
        "-".to_owned()
    } else {
        items.iter().map(short).collect::<Vec<_>>().join(", ")
    }
}

/// A statement's actions; for a modified one, `+added -removed`.
fn statement_actions(st: &super::security::StatementChange) -> String {
    if st.change == Change::Modify {
        let added = st.actions.iter().map(|a| format!("+{a}"));
        let removed = st.removed_actions.iter().map(|a| format!("-{a}"));
        return added.chain(removed).collect::<Vec<_>>().join(", ");
    }
    if st.actions.is_empty() {
        format!("NOT {}", st.not_actions.join(", "))
    } else {
        st.actions.join(", ")
    }
}

fn security_text(s: &SecurityChanges, style: Style, out: &mut String) {
    if !s.statements.is_empty() {
        let _ = writeln!(out, "IAM statement changes");
        for st in &s.statements {
            let actions = statement_actions(st);
            let mut line = format!(
                "{} {} {} ({}): {} {} on {}",
                marker(st.change),
                st.resource,
                st.policy,
                st.effect,
                actions,
                if st.principals.is_empty() {
                    String::new()
                } else {
                    format!("for {}", list(&st.principals))
                },
                list(&st.resources)
            );
            if let Some(c) = &st.condition {
                let _ = write!(line, " when {}", short(c));
            }
            let _ = writeln!(out, "{}", style.change(st.change, &line.replace("  ", " ")));
        }
    }
    if !s.managed_policies.is_empty() {
        let _ = writeln!(out, "IAM managed policy changes");
        for m in &s.managed_policies {
            let line = format!("{} {} {}", marker(m.change), m.resource, short(&m.policy));
            let _ = writeln!(out, "{}", style.change(m.change, &line));
        }
    }
    if !s.security_group_rules.is_empty() {
        let _ = writeln!(out, "Security group rule changes");
        for r in &s.security_group_rules {
            let mut line = format!(
                "{} {} {} {} {} {}",
                marker(r.change),
                r.group,
                r.direction,
                r.protocol,
                r.ports,
                if r.direction == "ingress" {
                    format!("from {}", short(&r.peer))
                } else {
                    format!("to {}", short(&r.peer))
                }
            );
            if let Some(d) = &r.description {
                let _ = write!(line, " ({d})");
            }
            let _ = writeln!(out, "{}", style.change(r.change, &line));
        }
    }
}

/// A Markdown table (nothing when there are no rows), with an optional
/// bold title above it.
fn table(
    out: &mut String,
    title: Option<&str>,
    headers: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
) {
    let mut rows = rows.peekable();
    if rows.peek().is_none() {
        return;
    }
    if let Some(title) = title {
        let _ = write!(out, "**{title}**\n\n");
    }
    let header: String = headers
        .iter()
        .map(|h| {
            if h.is_empty() {
                " |".to_owned()
            } else {
                format!(" {h} |")
            }
        })
        .collect();
    let _ = writeln!(out, "|{header}");
    let _ = writeln!(out, "|{}", "---|".repeat(headers.len()));
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| md_cell(c)).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.push('\n');
}

fn md_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The Markdown diff of several stacks, one collapsible section each, for
/// merge request comments.
pub fn markdown(diffs: &[StackDiff]) -> String {
    let mut out = String::from("## Infrastructure changes\n\n");
    for d in diffs {
        let c = d.counts();
        let flag = if d.broadening {
            " ⚠️ broadens access"
        } else {
            ""
        };
        let state = if d.is_empty() {
            "no differences".to_owned()
        } else {
            summary(c)
        };
        let _ = writeln!(out, "<details{}>", if d.is_empty() { "" } else { " open" });
        let _ = writeln!(
            out,
            "<summary><b>{}</b>{}: {state}{flag}</summary>\n",
            d.stack,
            if d.exists { "" } else { " (new stack)" }
        );
        let resources = d.resources.iter().map(|r| {
            let mut details: Vec<String> =
                r.reasons.iter().map(|x| format!("because {x}")).collect();
            for p in &r.properties {
                details.push(if p.old == p.new {
                    format!("`{}` gets a new value", p.path)
                } else {
                    format!("`{}`: `{}` → `{}`", p.path, opt(&p.old), opt(&p.new))
                });
            }
            let replacement = match r.replacement {
                Replacement::Will => "**replace**",
                Replacement::May => "may replace",
                Replacement::None => "",
            };
            let stateful =
                r.stateful && (r.change == Change::Remove || r.replacement != Replacement::None);
            vec![
                marker(r.change).to_owned(),
                format!("`{}`", r.logical_id),
                format!("`{}`", r.type_name),
                format!(
                    "{replacement}{}",
                    if stateful { " ⚠️ stateful" } else { "" }
                ),
                details.join("<br>"),
            ]
        });
        table(
            &mut out,
            None,
            &["", "Resource", "Type", "Replacement", "Details"],
            resources,
        );
        let sections = d.sections.iter().map(|s| {
            vec![
                marker(s.change).to_owned(),
                s.section.clone(),
                format!("`{}`", s.id),
                opt(&s.old),
                opt(&s.new),
            ]
        });
        table(
            &mut out,
            None,
            &["", "Section", "Name", "Old", "New"],
            sections,
        );
        let s = &d.security;
        let statements = s.statements.iter().map(|st| {
            vec![
                marker(st.change).to_owned(),
                format!("`{}`", st.resource),
                st.policy.clone(),
                st.effect.clone(),
                statement_actions(st),
                list(&st.principals),
                list(&st.resources),
                st.condition.as_ref().map_or_else(|| "-".into(), short),
            ]
        });
        let headers = [
            "",
            "Resource",
            "Policy",
            "Effect",
            "Actions",
            "Principals",
            "Resources",
            "Condition",
        ];
        table(&mut out, Some("IAM statements"), &headers, statements);
        let policies = s.managed_policies.iter().map(|m| {
            vec![
                marker(m.change).to_owned(),
                format!("`{}`", m.resource),
                short(&m.policy),
            ]
        });
        table(
            &mut out,
            Some("IAM managed policies"),
            &["", "Resource", "Policy"],
            policies,
        );
        let rules = s.security_group_rules.iter().map(|r| {
            vec![
                marker(r.change).to_owned(),
                format!("`{}`", r.group),
                r.direction.clone(),
                r.protocol.clone(),
                r.ports.clone(),
                short(&r.peer),
                r.description.clone().unwrap_or_else(|| "-".into()),
            ]
        });
        let headers = [
            "",
            "Group",
            "Direction",
            "Protocol",
            "Ports",
            "Peer",
            "Description",
        ];
        table(&mut out, Some("Security group rules"), &headers, rules);
        out.push_str("</details>\n\n");
    }
    out
}

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

fn total(diffs: &[StackDiff]) -> Counts {
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

/// GitLab's infrastructure report for the merge request widget. A
/// replacement deletes and creates, so it counts as both, as GitLab's own
/// Terraform integration counts it.
pub fn gitlab_report(diffs: &[StackDiff]) -> String {
    let c = total(diffs);
    serde_json::json!({
        "create": c.create + c.replace,
        "update": c.update - c.replace,
        "delete": c.delete + c.replace,
    })
    .to_string()
}

/// A unified diff of the two template texts.
pub fn unified(old_name: &str, new_name: &str, old: &str, new: &str, context: usize) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(context)
        .header(old_name, new_name)
        .to_string()
}
