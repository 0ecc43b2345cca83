//! `synth` (also `synth synth`): run the app and write the cloud assembly,
//! then, when synth.toml has a `[check]` table, check it against the
//! policy rules.
//!
//! The app writes and swaps in `out/` itself (the library's atomic
//! directory swap), so the check runs on the swapped-in assembly: error
//! findings make `synth` exit 1 with the report printed, and a pipeline
//! stops before diff and deploy. Checking before the swap would need the
//! command line to stage the app's output directory itself.

use crate::check;
use crate::context::Context;
use crate::error::Result;
use crate::ui::table;

pub fn run(ctx: &Context) -> Result<()> {
    let assembly = ctx.synthesize()?;
    let checking = ctx.config.as_ref().is_some_and(|c| c.check.enabled);
    let report = if checking {
        let rules = check::load(ctx)?;
        Some(check::check(&assembly, &rules)?)
    } else {
        None
    };
    if !ctx.ui.quiet {
        print_stacks(ctx, &assembly);
    }
    let Some(report) = report else {
        return Ok(());
    };
    if report.findings().next().is_some() || !ctx.ui.quiet {
        super::check::print_table(ctx, &report);
    }
    report.verdict(false)
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
