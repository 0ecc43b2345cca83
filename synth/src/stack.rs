//! Stacks (work in progress).
use crate::ids::ConditionId;

/// A condition defined in a stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Condition {
    id: ConditionId,
}

impl Condition {
    pub fn id(&self) -> ConditionId {
        self.id
    }
}
