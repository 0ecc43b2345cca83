//! `synth list` (alias `ls`): the stacks, their regions and dependencies.

use serde::Serialize;

use crate::cli::ListArgs;
use crate::context::Context;
use crate::error::Result;
use crate::select::{select, WhenEmpty};
use crate::ui::table;

/// One element of `list --json`.
#[derive(Debug, Serialize)]
struct Listed<'a> {
    name: &'a str,
    region: Option<&'a str>,
    account: Option<&'a str>,
    dependencies: &'a [String],
}

pub fn run(ctx: &Context, args: &ListArgs) -> Result<()> {
    let assembly = ctx.synthesize()?;
    let stacks = select(&assembly.manifest, &args.stacks, args.all, WhenEmpty::All)?;

    if args.json {
        let listed: Vec<Listed> = stacks
            .iter()
            .map(|s| Listed {
                name: &s.name,
                region: s.environment.region.as_deref(),
                account: s.environment.account.as_deref(),
                dependencies: &s.dependencies,
            })
            .collect();
        let json = serde_json::to_string_pretty(&listed).unwrap_or_else(|_| "[]".to_string());
        ctx.ui.out(json);
        return Ok(());
    }

    let mut rows = Vec::new();
    if !ctx.ui.quiet {
        rows.push(vec![
            "NAME".to_string(),
            "REGION".to_string(),
            "DEPENDS ON".to_string(),
        ]);
    }
    for s in &stacks {
        rows.push(vec![
            s.name.clone(),
            s.environment
                .region
                .clone()
                .unwrap_or_else(|| "any".to_string()),
            if s.dependencies.is_empty() {
                "-".to_string()
            } else {
                s.dependencies.join(", ")
            },
        ]);
    }
    let header = !ctx.ui.quiet;
    let styled = table(&rows, |c, s| match c {
        0 => ctx.ui.bold(s),
        _ if s == "any" || s == "-" => ctx.ui.dim(s),
        _ => s.to_string(),
    });
    for (i, line) in styled.into_iter().enumerate() {
        if header && i == 0 {
            // The header is plain: bold/dim are for the stacks.
            ctx.ui
                .out(table(&rows, |_, s| s.to_string()).swap_remove(0));
        } else {
            ctx.ui.out(line);
        }
    }
    if stacks.is_empty() {
        ctx.ui.info("the app defines no stacks");
    }
    Ok(())
}
