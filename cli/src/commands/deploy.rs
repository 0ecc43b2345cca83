//! `synth deploy`: every selected stack in dependency order, independent
//! stacks up to `--concurrency` at a time.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use synth::manifest::StackManifest;

use crate::cli::{DeployArgs, ProgressMode};
use crate::context::Context;
use crate::deploy::inputs::ParameterArgs;
use crate::deploy::{self, DeployOptions, Deployed, StackInput};
use crate::error::{Error, Result};
use crate::select::{select, WhenEmpty};

pub fn run(ctx: &Context, args: &DeployArgs) -> Result<()> {
    ctx.require_certain_region()?;
    let assembly = ctx.synthesize()?;
    let stacks = select(
        &assembly.manifest,
        &args.stacks,
        args.all,
        WhenEmpty::OnlyStackOrError,
    )?;
    let resolved = ctx.region_for(&stacks)?;
    let region = resolved.region.name.to_owned();
    ctx.ui
        .info(format!("deploying to {region} ({})", resolved.source));
    let parameters = ParameterArgs::parse(&args.parameters)?;
    if let Some(unknown) = parameters.unknown_stacks(&stacks).first() {
        return Err(Error::usage(format!(
            "--parameters names stack {unknown}, which is not being deployed"
        )));
    }
    let mut inputs = Vec::with_capacity(stacks.len());
    for s in &stacks {
        let body = assembly.template_body(s)?;
        let template = crate::diff::template::parse(&body)
            .map_err(|e| Error::usage(format!("{}: {e}", assembly.template_path(s).display())))?;
        inputs.push((*s, body, template));
    }
    let opts = DeployOptions {
        approval: args.require_approval,
        replace_failed: args.replace_failed,
        wait_busy: args.wait_busy,
        timeout: Duration::from_secs(args.timeout),
        progress_events: args.progress == ProgressMode::Events,
        termination_protection: args.termination_protection,
        template_bucket: args.template_bucket.clone(),
        region: region.clone(),
        role_arn: args.role_arn.clone(),
    };

    let runtime = crate::aws::runtime()?;
    let mut outputs: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let result = runtime.block_on(async {
        tokio::select! {
            done = deploy_all(ctx, args, &region, &stacks, &inputs, &parameters, &opts, &mut outputs) => done,
            signal = crate::ui::interrupted() => {
                let client = crate::aws::client(&region).await;
                let mut e = Error::failed(format!("interrupted ({signal}); the deploy stopped"));
                for line in deploy::clean_up_interrupted(&client).await {
                    e = e.note(line);
                }
                Err(e)
            }
        }
    });

    print_outputs(ctx, &outputs);
    // Only a deploy that succeeded replaces the outputs file: a failed one
    // keeps what the last good deploy wrote, and its own error comes first.
    result?;
    if let Some(path) = &args.outputs_file {
        let mut text = serde_json::to_string_pretty(&outputs).unwrap_or_default();
        text.push('\n');
        std::fs::write(path, text).map_err(|e| {
            Error::failed(format!(
                "the stacks were deployed, but their outputs cannot be written to {}: {e}",
                path.display()
            ))
        })?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn deploy_all(
    ctx: &Context,
    args: &DeployArgs,
    region: &str,
    stacks: &[&StackManifest],
    inputs: &[(&StackManifest, String, synth_diff::template::Template)],
    parameters: &ParameterArgs,
    opts: &DeployOptions,
    outputs: &mut BTreeMap<String, BTreeMap<String, String>>,
) -> Result<()> {
    let client = crate::aws::client(region).await;
    let selected: BTreeSet<&str> = stacks.iter().map(|s| s.name.as_str()).collect();
    let mut done: BTreeSet<String> = BTreeSet::new();
    let mut pending: Vec<usize> = (0..inputs.len()).collect();
    while !pending.is_empty() {
        // Ready: every selected dependency deployed.
        let ready: Vec<usize> = pending
            .iter()
            .copied()
            .filter(|&i| ready(inputs[i].0, &selected, &done))
            .take(usize::from(args.concurrency))
            .collect();
        if ready.is_empty() {
            return Err(Error::failed(
                "the selected stacks depend on each other in a cycle; synthesize again",
            ));
        }
        let wave = ready.iter().map(|&i| {
            let (manifest, body, template) = &inputs[i];
            let input = StackInput {
                manifest,
                body: body.clone(),
                template: template.clone(),
                parameters,
            };
            let (client, opts, ui) = (&client, &opts, &ctx.ui);
            async move {
                (
                    manifest.name.clone(),
                    deploy::deploy_stack(client, input, opts, ui).await,
                )
            }
        });
        let results = futures_util::future::join_all(wave).await;
        let mut first_error = None;
        for (name, r) in results {
            match r {
                Ok(Deployed::Done(o)) => {
                    ctx.ui.info(format!("{name}: deployed"));
                    outputs.insert(name.clone(), o);
                }
                Ok(Deployed::NoChanges(o)) => {
                    outputs.insert(name.clone(), o);
                }
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
            done.insert(name);
        }
        if let Some(e) = first_error {
            return Err(e);
        }
        pending.retain(|i| !ready.contains(i));
    }
    Ok(())
}

fn ready(stack: &StackManifest, selected: &BTreeSet<&str>, done: &BTreeSet<String>) -> bool {
    stack
        .dependencies
        .iter()
        .all(|d| !selected.contains(d.as_str()) || done.contains(d))
}

fn print_outputs(ctx: &Context, outputs: &BTreeMap<String, BTreeMap<String, String>>) {
    for (stack, values) in outputs {
        if values.is_empty() {
            continue;
        }
        ctx.ui.out(format!("Outputs of {stack}:"));
        for (k, v) in values {
            ctx.ui.out(format!("  {k} = {v}"));
        }
    }
}
