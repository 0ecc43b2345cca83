//! The Markdown rendering, for merge request comments.

use std::fmt::Write;

use super::text::{list, statement_actions};
use super::{assumed_note, data_note, deployed_notes, marker, opt, rename_note, short, summary};
use crate::engine::{Replacement, StackDiff};

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
        let quiet = d.is_empty() && d.warnings.is_empty() && d.change_set.is_none();
        let _ = writeln!(out, "<details{}>", if quiet { "" } else { " open" });
        let _ = writeln!(
            out,
            "<summary><b>{}</b>{}: {state}{flag}</summary>\n",
            d.stack,
            if d.exists { "" } else { " (new stack)" }
        );
        let resources = d.resources.iter().map(|r| {
            let mut details: Vec<String> =
                r.reasons.iter().map(|x| format!("because {x}")).collect();
            details.extend(rename_note(r, d));
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
            let fate = data_note(r);
            vec![
                marker(r.change).to_owned(),
                format!("`{}`", r.logical_id),
                format!("`{}`", r.type_name),
                format!(
                    "{replacement}{}",
                    fate.map_or_else(String::new, |f| format!(" ⚠️ stateful: {f}"))
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
            let new = match &s.because {
                Some(why) => format!("{} (a new value: {why})", opt(&s.new)),
                None => opt(&s.new),
            };
            vec![
                marker(s.change).to_owned(),
                s.section.clone(),
                format!("`{}`", s.id),
                opt(&s.old),
                new,
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
        if let Some(note) = assumed_note(d) {
            let _ = write!(out, "_{}_\n\n", md_cell(&note));
        }
        let notes = deployed_notes(d);
        if !notes.is_empty() {
            // Kept as preformatted text: the lines are indented lists.
            let _ = write!(out, "```text\n{}\n```\n\n", notes.join("\n"));
        }
        out.push_str("</details>\n\n");
    }
    out
}
