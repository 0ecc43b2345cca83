//! `synth` (also `synth synth`): run the app and write the cloud assembly,
//! then, when synth.toml has a `[check]` table, check it against the
//! policy rules.
//!
//! With `[check]`, the app writes beside the output directory and the new
//! assembly is checked before it replaces `out/`: an error finding leaves
//! `out/` as it was (what diff and deploy would read) and exits 1 with the
//! report. `--codequality FILE` writes the findings either way, for
//! GitLab's merge request widget.

use crate::check;
use crate::cli::SynthArgs;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::ui::table;

pub fn run(ctx: &Context, args: &SynthArgs) -> Result<()> {
    let checking = ctx.config.as_ref().is_some_and(|c| c.check.enabled);
    if !checking {
        if args.codequality.is_some() {
            return Err(Error::usage(
                "--codequality needs policy checks: add a [check] table to synth.toml",
            ));
        }
        let assembly = ctx.synthesize()?;
        if !ctx.ui.quiet {
            print_stacks(ctx, &assembly);
        }
        return Ok(());
    }
    // A wrong rule file fails before the app runs.
    let rules = check::load(ctx)?;
    let staged = ctx.synthesize_staged()?;
    let report = check::check(&staged.assembly, &rules, staged.shown_dir())?;
    if let Some(path) = &args.codequality {
        super::check::write_codequality(&report, path)?;
    }
    let verdict = report.verdict(false);
    if verdict.is_err() {
        let kept = staged.shown_dir().display().to_string();
        drop(staged);
        super::check::print_table(ctx, &report);
        return verdict.map_err(|e| e.note(format!("{kept} was left as it was")));
    }
    let assembly = staged.swap_in()?;
    if !ctx.ui.quiet {
        print_stacks(ctx, &assembly);
    }
    if report.findings().next().is_some() || !ctx.ui.quiet {
        super::check::print_table(ctx, &report);
    }
    Ok(())
}

fn print_stacks(ctx: &Context, assembly: &crate::assembly::Assembly) {
    if assembly.manifest.stacks.is_empty() {
        ctx.ui.err(format!(
            "the app defines no stacks; {} holds an empty assembly",
            assembly.dir.display()
        ));
        return;
    }
    let rows: Vec<Vec<String>> = assembly
        .manifest
        .stacks
        .iter()
        .map(|s| {
            vec![
                s.name.clone(),
                assembly.template_path(s).display().to_string(),
                match s.resources {
                    1 => "1 resource".to_string(),
                    n => format!("{n} resources"),
                },
            ]
        })
        .collect();
    for line in table(&rows, |c, s| {
        if c == 0 {
            ctx.ui.bold(s)
        } else {
            s.to_string()
        }
    }) {
        ctx.ui.out(line);
    }
}
