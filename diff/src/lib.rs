//! The semantic diff of two CloudFormation templates of a stack, for
//! people and machines: what `synth diff` and `synth deploy` show. Pure:
//! the caller decides where the old template comes from (the deployed
//! stack, a file, another assembly); no AWS access, no async runtime.

pub mod arn;
pub mod change_set;
pub mod engine;
pub mod eq;
pub mod managed;
pub mod normalize;
mod references;
pub mod refusals;
pub mod render;
mod same;
pub mod security;
pub mod template;
pub mod value;
pub mod verdict;

pub use engine::{diff, diff_in, diff_owned, Change, Replacement, StackDiff};
pub use normalize::Environment;

/// The create-only (replacing) properties of a resource type, from the
/// resource schemas the library was generated from.
pub fn create_only(type_name: &str) -> &'static [&'static str] {
    synth::aws::replacement::create_only(type_name)
}
