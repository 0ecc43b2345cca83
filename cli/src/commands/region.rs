//! `synth region`: the region in force and where it came from.

use serde::Serialize;

use crate::cli::RegionArgs;
use crate::context::Context;
use crate::error::Result;
use crate::region_resolution::BRANCH_PREFIX;

#[derive(Debug, Serialize)]
struct RegionJson {
    region: Option<&'static str>,
    partition: Option<&'static str>,
    /// `flag`, `ci-branch`, `merge-request-target`, `git-branch`, `env`,
    /// `profile`, or null.
    source: Option<&'static str>,
    /// The branch, variable or profile name.
    detail: Option<String>,
    /// `from branch region/us-east-2`, as the text output says it.
    description: Option<String>,
    /// Why the sources named no region (only when there is none).
    notes: Vec<String>,
}

pub fn run(ctx: &Context, args: &RegionArgs) -> Result<()> {
    let resolution = ctx.resolution()?;
    if args.json {
        let json = match &resolution.resolved {
            Some(r) => RegionJson {
                region: Some(r.region.name),
                partition: Some(r.region.partition.name),
                source: Some(r.source.kind()),
                detail: r.source.detail(),
                description: Some(r.source.to_string()),
                notes: vec![],
            },
            None => RegionJson {
                region: None,
                partition: None,
                source: None,
                detail: None,
                description: None,
                notes: resolution.notes.clone(),
            },
        };
        ctx.ui
            .out(serde_json::to_string_pretty(&json).unwrap_or_default());
        return Ok(());
    }
    match &resolution.resolved {
        Some(r) => ctx
            .ui
            .out(format!("{} ({})", ctx.ui.bold(r.region.name), r.source)),
        None => {
            ctx.ui.out("(none)");
            ctx.ui.info(format!(
                "{} no region is in force; pass --region, work on a branch {BRANCH_PREFIX}<aws-region> (e.g. {BRANCH_PREFIX}us-east-2), set AWS_REGION, or set `region` in your AWS profile",
                ctx.ui.hint_label()
            ));
            for note in &resolution.notes {
                ctx.ui.info(format!("  {note}"));
            }
        }
    }
    Ok(())
}
