//! What a role needs to run CloudFormation drift detection: the drift
//! calls on this account's stacks, and read access to the resource types
//! the stacks hold, because CloudFormation reads each resource with the
//! caller's permissions.

use std::collections::BTreeSet;

use super::{report, AddedPolicy, Policy, PolicyDocument, Role, Statement, User};
use crate::app::App;
use crate::construct::Construct;
use crate::fns;
use crate::stack::Scope;

/// Drift detection calls that name a stack.
pub const DRIFT_ACTIONS: [&str; 4] = [
    "cloudformation:DetectStackDrift",
    "cloudformation:DetectStackResourceDrift",
    "cloudformation:DescribeStackResourceDrifts",
    "cloudformation:ListStackResources",
];

/// The drift detection call that names no stack (it takes the detection's
/// ID), so it can only be granted on `*`.
pub const DRIFT_STATUS_ACTION: &str = "cloudformation:DescribeStackDriftDetectionStatus";

/// The most characters IAM accepts in a role's or user's inline policies
/// together, whitespace not counted.
const INLINE_POLICY_LIMIT: usize = 10_240;

/// An inline policy that lets roles or users detect drift on this
/// account's stacks holding the given resource types (`synth drift`,
/// `synth fleet`).
///
/// The read actions come from each type's schema: the read handler's
/// permissions, without writes and without reads of data or secrets
/// ([`crate::aws::read_access`]). Types no schema can read (custom
/// resources, which drift detection skips anyway) add nothing.
///
/// ```
/// use synth::prelude::*;
/// use synth::iam::{DriftDetectionAccess, Principal, Role};
///
/// let mut app = App::new();
/// let fleet = app.stack("Fleet");
/// let viewer = fleet.add("Viewer", Role::assumed_by(Principal::account("111122223333")));
/// // ... every other stack of the app ...
/// let access = DriftDetectionAccess::for_app(&app).attach_to_role(&viewer);
/// app.get_stack("Fleet").expect("defined above").add("DriftDetection", access);
/// app.synth().expect("valid");
/// ```
#[derive(Clone, Debug)]
pub struct DriftDetectionAccess {
    types: BTreeSet<String>,
    roles: Vec<crate::value::Val<String>>,
    users: Vec<crate::value::Val<String>>,
}

impl DriftDetectionAccess {
    /// For the types of every resource the app's stacks hold when called:
    /// call it after the last stack is defined. Default: attached to
    /// nothing (at least one role or user is required).
    pub fn for_app(app: &App) -> Self {
        Self::for_types(app.stacks().flat_map(|s| s.resource_types()))
    }

    /// For resources of the given CloudFormation types
    /// (`AWS::S3::Bucket`). Default: attached to nothing.
    pub fn for_types<S: Into<String>>(types: impl IntoIterator<Item = S>) -> Self {
        DriftDetectionAccess {
            types: types.into_iter().map(Into::into).collect(),
            roles: Vec::new(),
            users: Vec::new(),
        }
    }

    attach_setters!();

    /// The read actions for the types, sorted, each once.
    pub fn read_actions(&self) -> BTreeSet<&'static str> {
        self.types
            .iter()
            .filter_map(|t| crate::aws::read_access::read_actions(t))
            .flatten()
            .copied()
            .collect()
    }

    fn document(&self) -> PolicyDocument {
        let stacks = fns::sub("arn:${AWS::Partition}:cloudformation:*:${AWS::AccountId}:stack/*");
        let mut document = PolicyDocument::new()
            .statement(
                Statement::allow()
                    .sid("DetectDrift")
                    .actions(DRIFT_ACTIONS)
                    .resource(stacks),
            )
            .statement(
                Statement::allow()
                    .sid("DriftDetectionStatus")
                    .action(DRIFT_STATUS_ACTION)
                    .any_resource(),
            );
        let reads = self.read_actions();
        if !reads.is_empty() {
            document.push(
                Statement::allow()
                    .sid("ReadStackResources")
                    .actions(reads)
                    .any_resource(),
            );
        }
        document
    }
}

impl Construct for DriftDetectionAccess {
    type Built = AddedPolicy;

    fn build(self, here: &mut Scope<'_>) -> AddedPolicy {
        let document = self.document();
        // Each read action is written `"service:Verb",`; the rest of the
        // document (two statements, the stack ARN) stays under 500.
        let size = 500
            + self
                .read_actions()
                .iter()
                .map(|a| a.len() + 3)
                .sum::<usize>();
        if size > INLINE_POLICY_LIMIT {
            report(
                here,
                "drift detection access",
                vec![format!(
                    "the policy for {} resource types is about {size} characters, over IAM's \
                     {INLINE_POLICY_LIMIT} for a role's inline policies: split the types \
                     over several roles with DriftDetectionAccess::for_types",
                    self.types.len()
                )],
            );
        }
        let mut policy = Policy::builder(document);
        policy.roles = self.roles;
        policy.users = self.users;
        policy.build(here)
    }
}
