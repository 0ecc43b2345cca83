//! Drift reports as text (for people), Markdown (for merge requests and
//! scheduled pipelines) and JSON (`schemaVersion` 1, for machines).

use super::{is_drifted, ResourceDrift, StackDrift};

/// The marker of a resource status: `[~]` modified, `[-]` deleted, `[=]`
/// in sync, `[?]` not checked or unknown.
pub fn marker(status: &str) -> &'static str {
    match status {
        "MODIFIED" => "[~]",
        "DELETED" => "[-]",
        "IN_SYNC" => "[=]",
        _ => "[?]",
    }
}

/// What a status means, for the reader.
fn meaning(status: &str) -> &'static str {
    match status {
        "MODIFIED" => "modified outside CloudFormation",
        "DELETED" => "deleted outside CloudFormation",
        "IN_SYNC" => "in sync",
        "NOT_CHECKED" => "not checked: CloudFormation does not detect drift for this type",
        _ => "unknown",
    }
}

/// One line per stack: its status and how many resources drifted.
pub fn summary(d: &StackDrift) -> String {
    let not_checked = d
        .resources
        .iter()
        .filter(|r| r.status == "NOT_CHECKED")
        .count();
    let mut s = format!(
        "{}: {} ({} of {} resources drifted",
        d.stack,
        d.status,
        d.drifted,
        d.resources.len()
    );
    if not_checked > 0 {
        s.push_str(&format!(", {not_checked} not checked"));
    }
    s.push(')');
    s
}

fn value(v: &Option<String>) -> String {
    match v {
        None => "(none)".to_owned(),
        Some(v) => one_line(v),
    }
}

/// A value on one line, shortened past 120 characters.
fn one_line(v: &str) -> String {
    let flat: String = v.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > 120 {
        let cut: String = flat.chars().take(117).collect();
        format!("{cut}...")
    } else {
        flat
    }
}

fn difference_line(p: &super::PropertyDifference) -> String {
    match p.change.as_str() {
        "ADD" => format!("{}: added {}", p.path, value(&p.actual)),
        "REMOVE" => format!("{}: removed (expected {})", p.path, value(&p.expected)),
        _ => format!(
            "{}: expected {}, actual {}",
            p.path,
            value(&p.expected),
            value(&p.actual)
        ),
    }
}

/// The terminal format: every resource that is not in sync, with its
/// property differences; in-sync resources are counted in the summary.
pub fn text(drifts: &[StackDrift]) -> String {
    let mut out = String::new();
    for d in drifts {
        out.push_str(&summary(d));
        out.push('\n');
        for r in d.resources.iter().filter(|r| r.status != "IN_SYNC") {
            out.push_str(&format!(
                "  {} {} ({}) {}\n",
                marker(&r.status),
                r.logical_id,
                r.type_name,
                meaning(&r.status)
            ));
            for p in &r.differences {
                out.push_str(&format!("      {}\n", difference_line(p)));
            }
        }
    }
    out
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn resource_row(r: &ResourceDrift) -> String {
    let differences = if r.differences.is_empty() {
        String::new()
    } else {
        r.differences
            .iter()
            .map(|p| format!("`{}`", cell(&difference_line(p))))
            .collect::<Vec<_>>()
            .join("<br>")
    };
    format!(
        "| {} `{}` | {} | {} | {} |\n",
        marker(&r.status),
        cell(&r.logical_id),
        cell(&r.type_name),
        r.status,
        differences
    )
}

/// The Markdown format: a section per stack with a table of the resources
/// that are not in sync.
pub fn markdown(drifts: &[StackDrift]) -> String {
    let mut out = String::from("## Drift\n\n");
    for d in drifts {
        out.push_str(&format!("### {}\n\n", summary(d)));
        let shown: Vec<&ResourceDrift> = d
            .resources
            .iter()
            .filter(|r| r.status != "IN_SYNC")
            .collect();
        if shown.is_empty() {
            out.push_str("Every resource is in sync.\n\n");
            continue;
        }
        out.push_str("| resource | type | status | differences |\n| --- | --- | --- | --- |\n");
        for r in shown {
            out.push_str(&resource_row(r));
        }
        out.push('\n');
    }
    out
}

/// The JSON format: `{"schemaVersion": 1, "drifted", "stacks": [{"stack",
/// "status", "drifted", "resources": [{"logicalId", "type", "physicalId",
/// "status", "differences": [{"path", "change", "expected", "actual"}]}]}]}`.
pub fn json(drifts: &[StackDrift]) -> String {
    let doc = serde_json::json!({
        "schemaVersion": 1,
        "drifted": drifts.iter().any(StackDrift::has_drift),
        "stacks": drifts,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// How many resources of all stacks drifted.
pub fn drifted_resources(drifts: &[StackDrift]) -> usize {
    drifts
        .iter()
        .flat_map(|d| &d.resources)
        .filter(|r| is_drifted(&r.status))
        .count()
}

#[cfg(test)]
mod tests {
    use super::super::PropertyDifference;
    use super::*;

    fn sample() -> StackDrift {
        StackDrift {
            stack: "App".into(),
            status: "DRIFTED".into(),
            drifted: 1,
            resources: vec![
                ResourceDrift {
                    logical_id: "Queue".into(),
                    type_name: "AWS::SQS::Queue".into(),
                    physical_id: Some("q".into()),
                    status: "MODIFIED".into(),
                    differences: vec![PropertyDifference {
                        path: "/VisibilityTimeout".into(),
                        change: "NOT_EQUAL".into(),
                        expected: Some("30".into()),
                        actual: Some("60".into()),
                    }],
                },
                ResourceDrift {
                    logical_id: "Same".into(),
                    type_name: "AWS::SSM::Parameter".into(),
                    physical_id: None,
                    status: "IN_SYNC".into(),
                    differences: vec![],
                },
            ],
        }
    }

    #[test]
    fn text_lists_what_is_not_in_sync_with_its_differences() {
        let t = text(&[sample()]);
        assert!(
            t.starts_with("App: DRIFTED (1 of 2 resources drifted)\n"),
            "{t}"
        );
        assert!(t.contains("[~] Queue (AWS::SQS::Queue) modified"), "{t}");
        assert!(
            t.contains("/VisibilityTimeout: expected 30, actual 60"),
            "{t}"
        );
        assert!(!t.contains("Same"), "{t}");
    }

    #[test]
    fn markdown_escapes_pipes_and_json_is_versioned() {
        let mut d = sample();
        d.resources[0].differences[0].actual = Some("a|b".into());
        let md = markdown(&[d.clone()]);
        assert!(md.contains("actual a\\|b"), "{md}");
        let j: serde_json::Value = serde_json::from_str(&json(&[d])).unwrap();
        assert_eq!(j["schemaVersion"], 1);
        assert_eq!(j["drifted"], true);
        assert_eq!(
            j["stacks"][0]["resources"][0]["differences"][0]["actual"],
            "a|b"
        );
    }
}
