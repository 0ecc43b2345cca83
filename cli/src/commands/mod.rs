//! One module per command. Each takes the shared [`Context`] and its own
//! arguments, prints its output through `ctx.ui`, and returns an error for
//! `main` to report.
//!
//! [`Context`]: crate::context::Context

pub mod check;
pub mod deploy;
pub mod destroy;
pub mod diff;
pub mod drift;
pub mod fleet;
pub mod import;
pub mod list;
pub mod region;
pub mod synth;
