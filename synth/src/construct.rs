//! The construct model: one verb adds anything to a scope, and whatever
//! was added stays reachable for edits.
//!
//! [`Scope::add`] takes anything that implements [`Construct`]: a generated
//! `Cfn*` resource (every [`Resource`] is a construct whose built value is
//! its typed [`Handle`]) or a construct builder such as
//! `iam::Role::assumed_by(..)` (built value: `iam::Role`). Built values
//! implement [`HasNode`], so [`Scope::edit`] opens their place in the tree
//! again: to add children, to set resource options on the construct, or to
//! override a property the builder does not offer.
//!
//! A construct of your own is a type implementing [`Construct`]:
//!
//! ```
//! use synth::prelude::*;
//! use synth::aws::ec2::CfnVpc;
//!
//! /// A VPC with a flow-log tag, as a reusable construct.
//! struct TaggedVpc { cidr: &'static str }
//!
//! /// What adding a `TaggedVpc` gives back.
//! struct BuiltVpc { node: NodeId, vpc: Handle<CfnVpc> }
//!
//! impl HasNode for BuiltVpc {
//!     fn node(&self) -> Option<NodeId> { Some(self.node) }
//! }
//!
//! impl Construct for TaggedVpc {
//!     type Built = BuiltVpc;
//!     fn build(self, scope: &mut Scope<'_>) -> BuiltVpc {
//!         let vpc = scope.add("Resource", CfnVpc::new().cidr_block(self.cidr));
//!         scope.edit(&vpc).tag("flow-logs", "on");
//!         BuiltVpc { node: scope.node_id(), vpc }
//!     }
//! }
//!
//! let mut app = App::new();
//! let stack = app.stack("Net");
//! let net = stack.add("Network", TaggedVpc { cidr: "10.1.0.0/16" });
//! stack.edit(&net).logical_id("MainVpc");
//! let assembly = app.synth().unwrap();
//! let template = assembly.template("Net").unwrap();
//! assert_eq!(template["Resources"]["MainVpc"]["Properties"]["Tags"][0]["Key"], "flow-logs");
//! ```

use crate::element_ids::{NodeId, NodeKey};
use crate::resource::{Handle, Resource};
use crate::stack::Scope;

/// Anything [`Scope::add`] can put into a stack: a generated resource or a
/// construct builder.
pub trait Construct {
    /// What adding it gives back: a [`Handle`] for a resource, the built
    /// construct (with typed accessors for what it made) otherwise.
    type Built;

    /// Adds the construct's resources under `scope`, a new scope at the
    /// construct's own path. [`Scope::add`] calls this after claiming the
    /// id; children are added with `scope.add(..)`.
    fn build(self, scope: &mut Scope<'_>) -> Self::Built;
}

impl<R: Resource> Construct for R {
    type Built = Handle<R>;

    fn build(self, scope: &mut Scope<'_>) -> Handle<R> {
        scope.place(self)
    }
}

/// Something with a place in a construct tree, which [`Scope::edit`] can
/// open again. Constructs imported by ID (`Role::from_arn`, ...) have no
/// place: they return `None`, and editing them is reported as an error.
pub trait HasNode {
    fn node(&self) -> Option<NodeId>;
}

impl<R> HasNode for Handle<R> {
    fn node(&self) -> Option<NodeId> {
        let id = self.resource_id();
        Some(NodeId {
            stack: id.stack,
            key: NodeKey::Resource(id.index),
        })
    }
}

impl HasNode for NodeId {
    fn node(&self) -> Option<NodeId> {
        Some(*self)
    }
}

impl<T: HasNode> HasNode for &T {
    fn node(&self) -> Option<NodeId> {
        (*self).node()
    }
}
