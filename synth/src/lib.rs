//! synth: define AWS infrastructure in Rust and synthesize CloudFormation.
//!
//! An [`App`] holds [`Stack`]s; a stack holds a tree of constructs, each at
//! a unique construct path. One verb, [`Scope::add`] (or [`Stack::add`] at
//! the root), adds anything: a generated `Cfn*` resource from [`aws`] (its
//! [`Handle`] gives typed references, `Ref` and `Fn::GetAtt`, that synthesis
//! resolves into logical IDs, exports and imports) or a construct such as
//! [`iam`]'s `Role`. [`Scope::edit`] opens anything added before, for
//! resource options and property overrides (see [`construct`]).
//!
//! ```
//! use synth::prelude::*;
//!
//! let mut app = App::new();
//! let stack = app.stack("Network");
//! let name = stack.parameter("Prefix", ParameterSpec::string().default("demo"));
//! stack.add("Bucket", RawResource::new("AWS::S3::Bucket").property("BucketName", fns::sub_with(
//!     "${prefix}-logs", [("prefix", name.value())])));
//! let assembly = app.synth().expect("valid app");
//! assert!(assembly.template("Network").is_some());
//! ```

pub mod app;
pub mod assembly;
pub mod aws;
pub mod construct;
pub mod diagnostics;
mod dir_swap;
#[cfg(feature = "ec2")]
pub mod ec2;
#[cfg(feature = "ecr")]
pub mod ecr;
#[cfg(all(feature = "eks", feature = "ec2", feature = "iam"))]
pub mod eks;
pub mod element_ids;
pub mod fns;
#[cfg(all(feature = "eks", feature = "ec2", feature = "iam"))]
pub mod gitlab;
#[cfg(feature = "iam")]
pub mod iam;
#[cfg(all(feature = "kms", feature = "iam"))]
pub mod kms;
pub mod logical_id;
#[cfg(feature = "logs")]
pub mod logs;
pub mod manifest;
#[cfg(all(feature = "rds", feature = "ec2"))]
pub mod rds;
pub mod regions;
pub mod resource;
pub mod resource_policies;
#[cfg(all(feature = "s3", feature = "iam"))]
pub mod s3;
pub mod schema;
pub mod stack;
mod synthesize;
mod template_tree;
mod validate;
pub mod value;

pub use app::App;
pub use assembly::Assembly;
pub use construct::{Construct, HasNode};
pub use diagnostics::{Diagnostic, SynthError};
pub use element_ids::{NodeId, StackId};
pub use resource::{Handle, RawResource, RemovalPolicy, Resource};
pub use resource_policies::{CreationPolicy, UpdatePolicy};
pub use stack::{
    Condition, Declared, Mapping, Parameter, ParameterSpec, ResourceInfo, Rule, Scope, Stack,
};
pub use synthesize::limits;
pub use value::{Json, Map, Val, Value};

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeExamples;

/// Everything a stack definition usually needs.
pub mod prelude {
    pub use crate::fns;
    pub use crate::fns::aws as pseudo;
    pub use crate::{
        App, Condition, Construct, CreationPolicy, Declared, Handle, HasNode, Json, Mapping,
        NodeId, Parameter, ParameterSpec, RawResource, RemovalPolicy, Resource, Rule, Scope, Stack,
        StackId, UpdatePolicy, Val, Value,
    };
}
