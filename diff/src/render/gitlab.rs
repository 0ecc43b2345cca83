//! GitLab's infrastructure report for the merge request widget.

use super::total;
use crate::engine::StackDiff;

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
