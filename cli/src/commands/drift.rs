//! `synth drift`: CloudFormation's drift detection for the selected
//! stacks in the region in force, rendered as text, Markdown or JSON.

use std::time::Duration;

use crate::cli::{DiffFormat, DriftArgs};
use crate::context::Context;
use crate::drift::{self, render, StackDrift};
use crate::error::{Error, Result};
use crate::select::{select, WhenEmpty};

pub fn run(ctx: &Context, args: &DriftArgs) -> Result<()> {
    ctx.require_region()?;
    let assembly = ctx.synthesize()?;
    let stacks = select(&assembly.manifest, &args.stacks, args.all, WhenEmpty::All)?;
    let region = ctx.region_for(&stacks)?.region.name;
    let names: Vec<String> = stacks.iter().map(|s| s.name.clone()).collect();
    let runtime = crate::aws::runtime()?;
    let deadline = crate::deploy::deadline_after(Duration::from_secs(args.timeout));
    let drifts: Vec<StackDrift> = runtime.block_on(async {
        let client = crate::aws::client(region).await;
        let mut out = Vec::with_capacity(names.len());
        for name in &names {
            if crate::deploy::describe(&client, name).await?.is_none() {
                return Err(Error::failed(format!(
                    "stack {name} is not deployed in {region}, so it has no drift to detect; deploy it first or leave it out"
                )));
            }
            out.push(
                crate::deploy::bounded(
                    name,
                    "drift detection",
                    deadline,
                    drift::detect(&client, name, deadline),
                )
                .await?,
            );
        }
        Ok(out)
    })?;
    let text = match args.format {
        DiffFormat::Text => render::text(&drifts),
        DiffFormat::Markdown => render::markdown(&drifts),
        DiffFormat::Json => render::json(&drifts),
    };
    ctx.ui.out(text.trim_end());
    let drifted = drifts.iter().filter(|d| d.has_drift()).count();
    if args.fail && drifted > 0 {
        return Err(Error::failed(format!(
            "{drifted} stack{} drifted from {} template (--fail)",
            if drifted == 1 { "" } else { "s" },
            if drifted == 1 { "its" } else { "their" }
        )));
    }
    Ok(())
}
