//! What a stack's status means for deploy and destroy.

/// How deploy must treat a stack in a given status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Disposition {
    /// No stack: create it.
    Create,
    /// Only a change set was ever created (`REVIEW_IN_PROGRESS`): create it.
    CreateFromReview,
    /// A stable stack: update it.
    Update,
    /// Another operation runs on it.
    Busy,
    /// Its creation failed and rolled back: it can only be deleted.
    FailedCreate,
    /// A state deploy cannot continue from; the message says what to do.
    Stuck(String),
}

/// Classifies `status` (`None` when the stack does not exist).
pub fn disposition(stack: &str, status: Option<&str>) -> Disposition {
    let Some(status) = status else {
        return Disposition::Create;
    };
    match status {
        "REVIEW_IN_PROGRESS" => Disposition::CreateFromReview,
        "DELETE_COMPLETE" => Disposition::Create,
        // A creation that failed, rolled back or not, can only be deleted.
        "ROLLBACK_COMPLETE" | "ROLLBACK_FAILED" | "CREATE_FAILED" => Disposition::FailedCreate,
        "UPDATE_ROLLBACK_FAILED" => Disposition::Stuck(format!(
            "stack {stack} is in UPDATE_ROLLBACK_FAILED: a rollback could not finish; fix the resources named in its events, then continue the rollback (aws cloudformation continue-update-rollback --stack-name {stack}) and deploy again"
        )),
        "DELETE_FAILED" => Disposition::Stuck(format!(
            "stack {stack} is in DELETE_FAILED; remove what blocks the deletion (see its events) and run synth destroy {stack} again"
        )),
        "IMPORT_ROLLBACK_FAILED" => Disposition::Stuck(format!(
            "stack {stack} is in IMPORT_ROLLBACK_FAILED; resolve it in CloudFormation before deploying"
        )),
        s if s.ends_with("_IN_PROGRESS") => Disposition::Busy,
        _ => Disposition::Update,
    }
}

/// True when no operation is running.
pub fn is_terminal(status: &str) -> bool {
    !status.ends_with("_IN_PROGRESS")
}

/// True for a terminal status that means the last operation succeeded.
pub fn is_success(status: &str) -> bool {
    matches!(
        status,
        "CREATE_COMPLETE" | "UPDATE_COMPLETE" | "DELETE_COMPLETE" | "IMPORT_COMPLETE"
    )
}

/// True for a resource event status that reports a failure.
pub fn is_failure_event(status: &str) -> bool {
    status.ends_with("_FAILED")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_has_a_disposition() {
        let table = [
            (None, Disposition::Create),
            (Some("CREATE_COMPLETE"), Disposition::Update),
            (Some("UPDATE_COMPLETE"), Disposition::Update),
            (Some("UPDATE_ROLLBACK_COMPLETE"), Disposition::Update),
            (Some("IMPORT_COMPLETE"), Disposition::Update),
            (Some("REVIEW_IN_PROGRESS"), Disposition::CreateFromReview),
            (Some("DELETE_COMPLETE"), Disposition::Create),
            (Some("ROLLBACK_COMPLETE"), Disposition::FailedCreate),
            (Some("CREATE_FAILED"), Disposition::FailedCreate),
            (Some("CREATE_IN_PROGRESS"), Disposition::Busy),
            (
                Some("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"),
                Disposition::Busy,
            ),
            (Some("UPDATE_ROLLBACK_IN_PROGRESS"), Disposition::Busy),
            (Some("DELETE_IN_PROGRESS"), Disposition::Busy),
        ];
        for (status, want) in table {
            assert_eq!(disposition("S", status), want, "{status:?}");
        }
        assert!(
            matches!(disposition("S", Some("UPDATE_ROLLBACK_FAILED")), Disposition::Stuck(m) if m.contains("continue-update-rollback"))
        );
        assert!(matches!(
            disposition("S", Some("DELETE_FAILED")),
            Disposition::Stuck(_)
        ));
    }

    #[test]
    fn terminal_and_success() {
        assert!(is_terminal("UPDATE_ROLLBACK_COMPLETE") && !is_success("UPDATE_ROLLBACK_COMPLETE"));
        assert!(is_terminal("CREATE_COMPLETE") && is_success("CREATE_COMPLETE"));
        assert!(!is_terminal("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"));
        assert!(is_failure_event("CREATE_FAILED") && !is_failure_event("CREATE_COMPLETE"));
    }
}
