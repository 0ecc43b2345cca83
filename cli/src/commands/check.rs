//! `synth check`: the policy rules over the assembly on disk (out/, or the
//! one `--app` names); nothing is synthesized.

use std::path::Path;

use crate::check::{self, Report};
use crate::cli::{CheckArgs, CheckFormat};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::ui::table;

pub fn run(ctx: &Context, args: &CheckArgs) -> Result<()> {
    let rules = check::load(ctx)?;
    let assembly = ctx.existing_assembly()?;
    let report = check::check(&assembly, &rules, &assembly.dir)?;
    if let Some(path) = &args.codequality {
        write_codequality(&report, path)?;
    }
    match args.format {
        CheckFormat::Json => ctx
            .ui
            .out(serde_json::to_string_pretty(&check::json(&report)).unwrap_or_default()),
        CheckFormat::Table => print_table(ctx, &report),
    }
    report.verdict(args.strict)
}

/// The findings table, then the summary line on stderr.
pub fn print_table(ctx: &Context, report: &Report) {
    let rows = check::table(report);
    for (i, line) in table(&rows, |c, s| match (c, s) {
        (0, "error") => ctx.ui.bold(s),
        (0, "info") => ctx.ui.dim(s),
        _ => s.to_string(),
    })
    .into_iter()
    .enumerate()
    {
        if i == 0 {
            ctx.ui
                .out(table(&rows, |_, s| s.to_string()).swap_remove(0));
        } else {
            ctx.ui.out(line);
        }
    }
    ctx.ui.info(format!("policy check: {}", report.summary()));
}

/// Writes the Code Quality report (an empty array when all pass, so the
/// widget shows findings resolved).
pub fn write_codequality(report: &Report, path: &Path) -> Result<()> {
    let text = serde_json::to_string_pretty(&check::codequality(report)).unwrap_or_default();
    std::fs::write(path, text + "\n").map_err(|e| {
        Error::failed(format!(
            "cannot write the Code Quality report {}: {e}",
            path.display()
        ))
    })
}
