//! The `synth` command line: runs the app, resolves the region, reads the
//! cloud assembly.

pub mod config;
pub mod error;
pub mod git;
pub mod profile;
pub mod region;
pub mod select;
pub mod ui;
