//! `synth destroy`: deletes stacks in reverse dependency order, after
//! confirmation unless `--force`.

use std::time::Duration;

use crate::cli::{DestroyArgs, ProgressMode};
use crate::context::Context;
use crate::deploy::{self, Approval, DeployOptions};
use crate::error::{Error, Result};
use crate::select::{select, WhenEmpty};

pub fn run(ctx: &Context, args: &DestroyArgs) -> Result<()> {
    ctx.require_certain_region()?;
    let assembly = ctx.synthesize()?;
    let mut stacks = select(
        &assembly.manifest,
        &args.stacks,
        args.all,
        WhenEmpty::OnlyStackOrError,
    )?;
    let region = ctx.region_for(&stacks)?.region.name.to_owned();
    stacks.reverse();
    let names: Vec<&str> = stacks.iter().map(|s| s.name.as_str()).collect();
    if !args.force && !confirm(&names, &region)? {
        return Err(Error::failed("destroy declined; nothing was deleted"));
    }
    let opts = DeployOptions {
        approval: Approval::Never,
        replace_failed: false,
        wait_busy: false,
        timeout: Duration::from_secs(args.timeout),
        progress_events: args.progress == ProgressMode::Events,
        termination_protection: false,
        template_bucket: None,
        region: region.clone(),
        role_arn: args.role_arn.clone(),
    };
    let runtime = crate::aws::runtime()?;
    runtime.block_on(async {
        let client = crate::aws::client(&region).await;
        let work = async {
            for s in &stacks {
                if deploy::destroy_stack(&client, &s.name, s.resources, &opts, &ctx.ui).await? {
                    ctx.ui.info(format!("{}: destroyed", s.name));
                }
            }
            Ok(())
        };
        tokio::select! {
            done = work => done,
            signal = crate::ui::interrupted() => {
                let mut e = Error::failed(format!("interrupted ({signal}); destroy stopped"));
                for line in deploy::clean_up_interrupted(&client).await {
                    e = e.note(line);
                }
                Err(e)
            }
        }
    })
}

fn confirm(names: &[&str], region: &str) -> Result<bool> {
    let question = format!(
        "Delete {} in {region}? This deletes their resources.",
        names.join(", ")
    );
    match crate::ui::ask(&question) {
        None => Err(Error::usage(
            "destroy asks for confirmation and there is no terminal; pass --force to destroy without asking",
        )),
        Some(answer) => answer.map_err(|e| Error::failed(format!("cannot read the answer: {e}"))),
    }
}
