//! The fleet view as a text table, Markdown (for a scheduled pipeline to
//! publish) and JSON (`schemaVersion` 1).

use super::{Pending, Row};

/// A commit as shown in tables: its first 8 characters.
pub fn short(commit: &str) -> &str {
    commit.get(..8).unwrap_or(commit)
}

/// `+1 ~2 -0` (create, update, delete), `none`, or `?` without an assembly.
pub fn pending(p: &Option<Pending>) -> String {
    match p {
        None => "?".to_owned(),
        Some(p) if p.is_empty() => "none".to_owned(),
        Some(p) => {
            let mut s = format!("+{} ~{} -{}", p.create, p.update, p.delete);
            if p.replace > 0 {
                s.push_str(&format!(" ({} replaced)", p.replace));
            }
            s
        }
    }
}

fn position(row: &Row) -> String {
    match (row.position.as_str(), row.ahead_by) {
        ("ahead", Some(n)) => format!("ahead by {n}"),
        ("diverged", Some(n)) => format!("diverged, ahead by {n}"),
        ("not-deployed", _) => "never deployed".to_owned(),
        ("up-to-date", _) => "up to date".to_owned(),
        (p, _) => p.to_owned(),
    }
}

fn drift(row: &Row) -> String {
    match row.drift.as_str() {
        "drifted" => format!(
            "drifted ({} resource{})",
            row.drifted,
            if row.drifted == 1 { "" } else { "s" }
        ),
        other => other.replace('-', " "),
    }
}

fn deployed(row: &Row) -> String {
    match (&row.deployed_commit, row.stacks.is_empty()) {
        (_, true) => "-".to_owned(),
        (Some(c), _) => short(c).to_owned(),
        (None, _) if row.stacks.iter().any(|s| s.commit.is_some()) => "mixed".to_owned(),
        (None, _) => "unrecorded".to_owned(),
    }
}

/// The cells of a row's summary line; an error is written out in full,
/// or (`brief`, in aligned tables) as `error`, its text following the table.
fn cells(row: &Row, brief: bool) -> Vec<String> {
    if let Some(e) = &row.error {
        let cell = if brief {
            "error".to_owned()
        } else {
            format!("error: {e}")
        };
        return vec![
            row.region.clone(),
            row.branch.clone(),
            short(&row.head).to_owned(),
            cell,
        ];
    }
    vec![
        row.region.clone(),
        row.branch.clone(),
        short(&row.head).to_owned(),
        deployed(row),
        position(row),
        pending(&row.pending),
        drift(row),
    ]
}

const HEADER: [&str; 7] = [
    "region", "branch", "head", "deployed", "head is", "pending", "drift",
];

/// The terminal format: one line per region, then each region's stacks.
pub fn text(rows: &[Row]) -> String {
    let mut table: Vec<Vec<String>> = vec![HEADER.iter().map(|s| s.to_string()).collect()];
    table.extend(rows.iter().map(|r| cells(r, true)));
    let mut out: String = crate::ui::table(&table, |_, c| c.to_owned())
        .into_iter()
        .map(|l| l.trim_end().to_owned() + "\n")
        .collect();
    for row in rows.iter().filter(|r| {
        r.error.is_some()
            || r.pending_error.is_some()
            || !r.stacks.is_empty()
            || !r.not_deployed.is_empty()
    }) {
        out.push_str(&format!("\n{}:\n", row.region));
        if let Some(e) = &row.error {
            out.push_str(&format!("  error: {e}\n"));
        }
        if let Some(e) = &row.pending_error {
            out.push_str(&format!("  pending changes unknown: {e}\n"));
        }
        for s in &row.stacks {
            out.push_str(&format!(
                "  {}  {}  updated {}  commit {}{}  pending {}  drift {}\n",
                s.stack,
                s.status,
                s.last_updated.as_deref().unwrap_or("?"),
                s.commit.as_deref().map(short).unwrap_or("unrecorded"),
                s.pipeline
                    .as_deref()
                    .map(|p| format!(" ({p})"))
                    .unwrap_or_default(),
                pending(&s.pending),
                stack_drift(s),
            ));
        }
        for name in &row.not_deployed {
            out.push_str(&format!("  {name}  not deployed\n"));
        }
    }
    out
}

fn stack_drift(s: &super::StackRow) -> String {
    match (&s.drift, &s.drift_error) {
        (Some(d), _) if s.drifted > 0 => format!("{d} ({} drifted)", s.drifted),
        (Some(d), _) => d.clone(),
        (None, Some(e)) => format!("unknown ({e})"),
        (None, None) => "not checked".to_owned(),
    }
}

fn md(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The Markdown format: a table of regions, then a table of stacks.
pub fn markdown(rows: &[Row]) -> String {
    let mut out = String::from("## Fleet\n\n| region | branch | head | deployed | head is | pending | drift |\n| --- | --- | --- | --- | --- | --- | --- |\n");
    for row in rows {
        let mut c = cells(row, false);
        c[1] = format!("`{}`", c[1]);
        c[2] = format!("`{}`", c[2]);
        while c.len() < 7 {
            c.push(String::new());
        }
        out.push_str(&format!(
            "| {} |\n",
            c.iter().map(|x| md(x)).collect::<Vec<_>>().join(" | ")
        ));
    }
    let with_stacks: Vec<&Row> = rows.iter().filter(|r| !r.stacks.is_empty()).collect();
    if !with_stacks.is_empty() {
        out.push_str("\n### Stacks\n\n| region | stack | status | last update | commit | pending | drift |\n| --- | --- | --- | --- | --- | --- | --- |\n");
        for row in with_stacks {
            for s in &row.stacks {
                let commit = match (&s.commit, &s.pipeline) {
                    (Some(c), Some(p)) => format!("[`{}`]({p})", short(c)),
                    (Some(c), None) => format!("`{}`", short(c)),
                    (None, _) => "unrecorded".to_owned(),
                };
                out.push_str(&format!(
                    "| {} | {} | {} | {} | {} | {} | {} |\n",
                    row.region,
                    md(&s.stack),
                    s.status,
                    s.last_updated.as_deref().unwrap_or("?"),
                    commit,
                    pending(&s.pending),
                    md(&stack_drift(s)),
                ));
            }
        }
    }
    out
}

/// The JSON format: `{"schemaVersion": 1, "drifted", "errors", "regions":
/// [{"region", "branch", "head", "error", "stacks": [{"stack", "status",
/// "lastUpdated", "commit", "pipeline", "position", "pending", "drift",
/// "drifted", "driftError"}], "deployedCommit", "position", "aheadBy",
/// "pending": {"create", "update", "delete", "replace"}, "pendingError", "notDeployed",
/// "drift", "drifted"}]}`.
pub fn json(rows: &[Row]) -> String {
    let doc = serde_json::json!({
        "schemaVersion": 1,
        "drifted": rows.iter().any(Row::has_drift),
        "errors": rows.iter().filter(|r| r.error.is_some()).count(),
        "regions": rows,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
