//! The `synth` command line: runs the app, resolves the region, reads the
//! cloud assembly; diff, deploy and destroy build on the same [`Context`].
//!
//! [`Context`]: context::Context

pub mod assembly;
pub mod aws;
pub mod check;
pub mod cli;
pub mod commands;
pub mod config;
pub mod context;
pub mod deploy;
pub mod deployed;
pub mod drift;
/// The `synth` command's global allocator. The diff engine and the Guard
/// engine allocate and free many small values (normalized JSON, copied
/// query results), where mimalloc is about a third faster than the system
/// allocator (BENCHMARKS.md); the bench binary uses it too.
pub use mimalloc::MiMalloc as Allocator;
pub use synth_diff as diff;
pub mod error;
pub mod fleet;
pub mod git;
pub mod import;
pub mod profile;
pub mod region_resolution;
pub mod select;
pub mod ui;

use cli::{Cli, Command};
use context::Context;
use error::Result;

/// Runs a parsed command line against the real process.
pub fn run(cli: Cli) -> Result<()> {
    let other_command = !matches!(cli.command, None | Some(Command::Synth(_)));
    if cli.synth.codequality.is_some() && other_command {
        return Err(error::Error::usage(
            "--codequality is a flag of synth itself: put it after `synth synth`, or name no command",
        ));
    }
    let ctx = Context::from_process(cli.global)?;
    match &cli.command {
        None => commands::synth::run(&ctx, &cli.synth),
        Some(Command::Synth(args)) => {
            let mut args = args.clone();
            args.codequality = args.codequality.or_else(|| cli.synth.codequality.clone());
            commands::synth::run(&ctx, &args)
        }
        Some(Command::List(args)) => commands::list::run(&ctx, args),
        Some(Command::Region(args)) => commands::region::run(&ctx, args),
        Some(Command::Diff(args)) => commands::diff::run(&ctx, args),
        Some(Command::Deploy(args)) => commands::deploy::run(&ctx, args),
        Some(Command::Destroy(args)) => commands::destroy::run(&ctx, args),
        Some(Command::Import(args)) => commands::import::run(&ctx, args),
        Some(Command::Drift(args)) => commands::drift::run(&ctx, args),
        Some(Command::Fleet(args)) => commands::fleet::run(&ctx, args),
        Some(Command::Check(args)) => commands::check::run(&ctx, args),
    }
}
