//! The terminal rendering: colored on a terminal, plain otherwise.

use std::fmt::Write;

use crate::value::Json;

use super::{
    assumed_note, deployed_notes, marker, opt, rename_note, replacement_note, short, summary,
};
use crate::engine::{Change, Replacement, StackDiff};
use crate::security::{SecurityChanges, StatementChange};

/// Terminal colors, off unless the output is a terminal.
#[derive(Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    pub(crate) fn paint(self, code: &str, text: &str) -> String {
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
        for line in deployed_notes(d) {
            let _ = writeln!(out, "{}", style.paint("1;33", &line));
        }
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
            if let Some(hint) = rename_note(r, d) {
                let _ = writeln!(out, "    {hint}");
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
        let line = match (s.change, &s.because) {
            (Change::Modify, Some(why)) => format!(
                "{} {}: {} gets a new value, because {why}",
                marker(s.change),
                s.id,
                opt(&s.new)
            ),
            (Change::Add, _) => format!("{} {}: {}", marker(s.change), s.id, opt(&s.new)),
            (Change::Remove, _) => format!("{} {}: {}", marker(s.change), s.id, opt(&s.old)),
            (Change::Modify, None) => format!(
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
    if let Some(note) = assumed_note(d) {
        let _ = writeln!(out, "{note}");
    }
    for line in deployed_notes(d) {
        let _ = writeln!(out, "{}", style.paint("1;33", &line));
    }
    out
}

pub(crate) fn list(items: &[Json]) -> String {
    if items.is_empty() {
        "-".to_owned()
    } else {
        items.iter().map(short).collect::<Vec<_>>().join(", ")
    }
}

/// A statement's actions; for a modified one, `+added -removed`.
pub(crate) fn statement_actions(st: &StatementChange) -> String {
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
