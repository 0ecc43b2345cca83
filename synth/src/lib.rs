//! synth: define AWS infrastructure in Rust and synthesize CloudFormation.
//!
//! An [`App`] holds [`Stack`]s; a stack holds resources, each at a unique
//! construct path. Resources are the generated `Cfn*` types in [`aws`];
//! their handles give typed references (`Ref`, `Fn::GetAtt`) that synthesis
//! resolves into logical IDs, exports and imports.
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
pub mod diagnostics;
#[cfg(feature = "ec2")]
pub mod ec2;
#[cfg(all(feature = "eks", feature = "ec2", feature = "iam"))]
pub mod eks;
pub mod fns;
#[cfg(all(feature = "eks", feature = "ec2", feature = "iam"))]
pub mod gitlab;
#[cfg(feature = "iam")]
pub mod iam;
pub mod ids;
pub mod logical_id;
pub mod manifest;
mod out;
pub mod regions;
pub mod resource;
pub mod schema;
pub mod stack;
mod synthesize;
mod validate;
pub mod value;

pub use app::App;
pub use assembly::Assembly;
pub use diagnostics::{Diagnostic, SynthError};
pub use resource::{Handle, RawResource, RemovalPolicy, Resource};
pub use stack::{AsScope, Condition, Mapping, Parameter, ParameterSpec, Rule, Scope, Stack};
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
        App, AsScope, Condition, Handle, Json, Mapping, Parameter, ParameterSpec, RawResource,
        RemovalPolicy, Resource, Rule, Scope, Stack, Val, Value,
    };
}
