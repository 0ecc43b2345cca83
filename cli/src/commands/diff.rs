//! `synth diff`: compares the synthesized templates with the deployed
//! stacks, a template file, or another assembly, and reports the changes.

use std::path::Path;
use std::time::Duration;

use aws_sdk_cloudformation::types::ChangeSetType;
use synth_diff::change_set::ChangeSetReview;

use synth::manifest::StackManifest;

use crate::assembly::Assembly;
use crate::cli::{DiffArgs, DiffFormat, DiffMethod};
use crate::context::Context;
use crate::deploy::change_set;
use crate::deploy::inputs::{self, ParameterArgs};
use crate::diff as engine;
use crate::diff::render::{self, Style};
use crate::diff::template::{self, Template};
use crate::error::{Error, Result};
use crate::select::{select, WhenEmpty};

/// The old side of one comparison.
struct Old {
    body: String,
    exists: bool,
    name: String,
}

pub fn run(ctx: &Context, args: &DiffArgs) -> Result<()> {
    if args.template.is_some() && args.stacks.len() != 1 {
        return Err(Error::usage(
            "--template compares with one stack; name it, e.g. synth diff --template old.yaml GitlabEks",
        ));
    }
    let offline = args.template.is_some() || args.against.is_some();
    if args.method == DiffMethod::ChangeSet && offline {
        return Err(Error::usage(
            "--method change-set asks CloudFormation about the deployed stacks; drop --template/--against, or drop --method change-set",
        ));
    }
    if args.method == DiffMethod::Template
        && (!args.parameters.is_empty()
            || args.template_bucket.is_some()
            || args.role_arn.is_some())
    {
        return Err(Error::usage(
            "--parameters, --template-bucket and --role-arn are for creating a change set; add --method change-set",
        ));
    }
    let parameters = ParameterArgs::parse(&args.parameters)?;
    let assembly = ctx.synthesize()?;
    let stacks = select(&assembly.manifest, &args.stacks, args.all, WhenEmpty::All)?;
    if let Some(unknown) = parameters.unknown_stacks(&stacks).first() {
        return Err(Error::usage(format!(
            "--parameters names stack {unknown}, which is not being compared"
        )));
    }
    let olds = old_templates(ctx, args, &stacks)?;

    let mut diffs = Vec::with_capacity(stacks.len());
    let mut news = Vec::with_capacity(stacks.len());
    let mut envs = Vec::with_capacity(stacks.len());
    let mut unified = String::new();
    for (stack, old) in stacks.iter().zip(olds) {
        let new_body = assembly.template_body(stack)?;
        let new = parse(
            &new_body,
            &assembly.template_path(stack).display().to_string(),
        )?;
        let old_parsed = parse(&old.body, &old.name)?;
        // Intrinsics are evaluated in the stack's region: the one it is
        // pinned to, else the region in force, else an assumed default
        // (the report says which).
        let region = stack
            .environment
            .region
            .as_deref()
            .or_else(|| ctx.region().ok().flatten().map(|r| r.region.name));
        let env = engine::Environment::new(region, stack.environment.account.as_deref(), None);
        diffs.push(engine::diff_in(
            &stack.name,
            &old_parsed,
            &new,
            old.exists,
            engine::create_only,
            &env,
        ));
        envs.push(env);
        if args.unified || args.context_lines.is_some() {
            let old_text = pretty(&old_parsed);
            let new_text = pretty(&new);
            let context = args.context_lines.unwrap_or(3);
            unified.push_str(&unified_diff(
                &old.name,
                &stack.template,
                &old_text,
                &new_text,
                context,
            ));
        }
        news.push((new, new_body));
    }
    if !offline {
        ask_deployed(ctx, args, &stacks, &news, &envs, &parameters, &mut diffs)?;
    }

    match args.format {
        DiffFormat::Text => {
            let style = Style {
                color: ctx.ui.color_out,
            };
            for d in &diffs {
                ctx.ui.out(render::terminal(d, style).trim_end());
            }
        }
        DiffFormat::Markdown => ctx.ui.out(render::markdown(&diffs).trim_end()),
        DiffFormat::Json => ctx.ui.out(render::json(&diffs).trim_end()),
    }
    if !unified.is_empty() {
        ctx.ui.out(unified.trim_end());
    }
    if let Some(path) = &args.gitlab_report {
        std::fs::write(path, render::gitlab_report(&diffs)).map_err(|e| {
            Error::failed(format!(
                "cannot write the GitLab report to {}: {e}",
                path.display()
            ))
        })?;
    }
    let changed = diffs.iter().filter(|d| !d.is_empty()).count();
    if args.fail && changed > 0 {
        return Err(Error::failed(format!(
            "{changed} stack{} would change (--fail)",
            if changed == 1 { "" } else { "s" }
        )));
    }
    Ok(())
}

fn parse(body: &str, name: &str) -> Result<Template> {
    template::parse(body).map_err(|e| Error::usage(format!("{name}: {e}")))
}

fn pretty(t: &Template) -> String {
    let mut s = serde_json::to_string_pretty(t).unwrap_or_default();
    s.push('\n');
    s
}

fn old_templates(ctx: &Context, args: &DiffArgs, stacks: &[&StackManifest]) -> Result<Vec<Old>> {
    if let Some(file) = &args.template {
        let body = std::fs::read_to_string(file).map_err(|e| {
            Error::usage(format!("cannot read the template {}: {e}", file.display()))
        })?;
        return Ok(vec![Old {
            body,
            exists: true,
            name: file.display().to_string(),
        }]);
    }
    if let Some(dir) = &args.against {
        return against_assembly(dir, stacks);
    }
    deployed(ctx, stacks, args.timeout)
}

/// The same stacks in another assembly; a stack it lacks is new.
fn against_assembly(dir: &Path, stacks: &[&StackManifest]) -> Result<Vec<Old>> {
    let other = Assembly::read(dir)?;
    stacks
        .iter()
        .map(|s| match other.manifest.stack(&s.name) {
            Some(o) => Ok(Old {
                body: other.template_body(o)?,
                exists: true,
                name: other.template_path(o).display().to_string(),
            }),
            None => Ok(Old {
                body: String::new(),
                exists: false,
                name: format!("{} (not in {})", s.name, dir.display()),
            }),
        })
        .collect()
}

/// The deployed templates, read with `GetTemplate` in the region in force.
fn deployed(ctx: &Context, stacks: &[&StackManifest], timeout: u64) -> Result<Vec<Old>> {
    let region = ctx.region_for(stacks)?.region.name;
    let runtime = crate::aws::runtime()?;
    let names = stack_names(stacks);
    let deadline = crate::deploy::deadline_after(Duration::from_secs(timeout));
    runtime.block_on(crate::deploy::bounded(
        &names,
        "reading the deployed template",
        deadline,
        async {
            let client = crate::aws::client(region).await;
            let mut out = Vec::with_capacity(stacks.len());
            for s in stacks {
                let body = crate::deployed::template(&client, &s.name).await?;
                out.push(Old {
                    exists: body.is_some(),
                    body: body.unwrap_or_default(),
                    name: format!("{} (deployed in {region})", s.name),
                });
            }
            Ok(out)
        },
    ))
}

fn stack_names(stacks: &[&StackManifest]) -> String {
    stacks
        .iter()
        .map(|s| s.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the deployed stacks add to their diffs: warnings about exports
/// still imported elsewhere, and with `--method change-set`
/// CloudFormation's own verdicts from a change set created and deleted.
fn ask_deployed(
    ctx: &Context,
    args: &DiffArgs,
    stacks: &[&StackManifest],
    news: &[(Template, String)],
    envs: &[engine::Environment],
    parameters: &ParameterArgs,
    diffs: &mut [engine::StackDiff],
) -> Result<()> {
    let region = ctx.region_for(stacks)?.region.name;
    let runtime = crate::aws::runtime()?;
    let names = stack_names(stacks);
    let deadline = crate::deploy::deadline_after(Duration::from_secs(args.timeout));
    runtime.block_on(crate::deploy::bounded(
        &names,
        "reading the deployed state",
        deadline,
        async {
            let client = crate::aws::client(region).await;
            for (i, stack) in stacks.iter().enumerate() {
                let (new, body) = &news[i];
                let name = stack.name.as_str();
                let exports =
                    crate::deployed::export_warnings(&client, name, new, &envs[i], &diffs[i]).await;
                diffs[i].warnings.extend(exports);
                if args.method != DiffMethod::ChangeSet {
                    continue;
                }
                let deployed = crate::deploy::describe(&client, name).await?;
                let change_type = if diffs[i].exists {
                    ChangeSetType::Update
                } else {
                    ChangeSetType::Create
                };
                let previous = match (&deployed, &change_type) {
                    (Some(d), ChangeSetType::Update) => d.parameters.clone(),
                    _ => Default::default(),
                };
                let values = inputs::parameters(stack, parameters, &previous)?;
                let request = change_set::Request {
                    stack: name,
                    body,
                    template: new,
                    change_type: change_type.clone(),
                    parameters: &values,
                    tags: &stack.tags,
                    role_arn: args.role_arn.as_deref(),
                    template_bucket: args.template_bucket.as_deref(),
                    region,
                    description: "Created by synth diff --method change-set; never executed",
                };
                let deadline = crate::deploy::deadline_after(Duration::from_secs(args.timeout));
                let prepared = crate::deploy::bounded(
                    name,
                    "asking for a change set",
                    deadline,
                    change_set::prepare(&client, &request, deadline),
                )
                .await?;
                // Deleted before anything else can fail: asking leaves nothing.
                change_set::discard(&client, name, &prepared, &change_type).await?;
                diffs[i].change_set = Some(ChangeSetReview::of(&diffs[i], prepared.changes));
            }
            Ok(())
        },
    ))
}

/// A unified diff of the two template texts.
pub fn unified_diff(
    old_name: &str,
    new_name: &str,
    old: &str,
    new: &str,
    context: usize,
) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(context)
        .header(old_name, new_name)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::unified_diff;

    #[test]
    fn unified_text_diff_of_the_templates() {
        let text = unified_diff(
            "deployed",
            "out/App.template.json",
            "a\nb\nc\nd\n",
            "a\nB\nc\nd\n",
            1,
        );
        assert!(
            text.contains("--- deployed") && text.contains("+++ out/App.template.json"),
            "{text}"
        );
        assert!(text.contains("-b\n+B\n"), "{text}");
        assert!(
            text.contains(" a\n") && !text.contains(" d\n"),
            "one line of context: {text}"
        );
    }
}
