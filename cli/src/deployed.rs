//! What is deployed: reading a stack's state and template from
//! CloudFormation.

use aws_sdk_cloudformation::types::{StackStatus, TemplateStage};
use aws_sdk_cloudformation::Client;
use synth_diff::Change;

use crate::aws;
use crate::error::Result;

/// The deployed template of `stack`, or `None` when the stack does not
/// exist (or exists only as a change set never executed).
pub async fn template(client: &Client, stack: &str) -> Result<Option<String>> {
    let described = client.describe_stacks().stack_name(stack).send().await;
    let status = match described {
        Err(e) if aws::is_missing_stack(&e) => return Ok(None),
        Err(e) => return Err(aws::error(&format!("reading stack {stack}"), e)),
        Ok(out) => out.stacks().first().and_then(|s| s.stack_status().cloned()),
    };
    if matches!(
        status,
        None | Some(StackStatus::ReviewInProgress) | Some(StackStatus::DeleteComplete)
    ) {
        return Ok(None);
    }
    let out = client
        .get_template()
        .stack_name(stack)
        .template_stage(TemplateStage::Original)
        .send()
        .await
        .map_err(|e| aws::error(&format!("reading the template of stack {stack}"), e))?;
    Ok(Some(out.template_body().unwrap_or_default().to_owned()))
}

/// Warnings about the exports of deployed `stack` that the `new`
/// template removes or renames while other stacks still import them:
/// CloudFormation refuses such an update. Exports are read from the
/// deployed stack (their names resolved); importers with `ListImports`.
/// A check that cannot be made is a warning too, never a failure.
pub async fn export_warnings(
    client: &Client,
    stack: &str,
    new: &synth_diff::template::Template,
    env: &synth_diff::Environment,
    diff: &synth_diff::StackDiff,
) -> Vec<String> {
    let Ok(described) = client.describe_stacks().stack_name(stack).send().await else {
        return Vec::new();
    };
    let exported: Vec<(String, String)> = described
        .stacks()
        .first()
        .map(|s| {
            s.outputs()
                .iter()
                .filter_map(|o| Some((o.output_key()?.to_owned(), o.export_name()?.to_owned())))
                .collect()
        })
        .unwrap_or_default();
    if exported.is_empty() {
        return Vec::new();
    }
    let kept = kept_exports(new, stack, env);
    let mut warnings = Vec::new();
    for (output, export) in exported {
        let still = kept.get(&output).map(|name| match name {
            Some(name) => name == &export,
            // Unresolvable name: assume it is kept rather than cry wolf.
            None => true,
        });
        // A kept export whose value changes is refused as well.
        let changes = diff
            .sections
            .iter()
            .find(|c| c.section == "Outputs" && c.id == output && c.change == Change::Modify);
        let subject = match (still, changes) {
            (Some(true), None) => continue,
            (Some(true), Some(c)) => format!(
                "the value of export {export} (output {output}) changes{}",
                c.because
                    .as_ref()
                    .map(|why| format!(" ({why})"))
                    .unwrap_or_default()
            ),
            (None, _) => format!("export {export} (output {output}) is removed"),
            (Some(false), _) => format!("export {export} (output {output}) is renamed"),
        };
        match importers(client, &export).await {
            Ok(stacks) if stacks.is_empty() => {}
            Ok(stacks) => warnings.push(format!(
                "{subject}, but {} import{} it: CloudFormation will refuse to update {stack} until {} stop{} importing it",
                stacks.join(", "),
                if stacks.len() == 1 { "s" } else { "" },
                if stacks.len() == 1 { "it" } else { "they" },
                if stacks.len() == 1 { "s" } else { "" },
            )),
            Err(why) => warnings.push(format!(
                "{subject}; whether other stacks import it is unknown ({why})"
            )),
        }
    }
    warnings
}

/// The outputs of `new` that export something, with the export's name
/// when it evaluates to a literal in `env`.
fn kept_exports(
    new: &synth_diff::template::Template,
    stack: &str,
    env: &synth_diff::Environment,
) -> std::collections::BTreeMap<String, Option<String>> {
    // Only what an export name can refer to is evaluated.
    let mut partial = synth_diff::template::Template::new();
    for section in ["Parameters", "Mappings", "Conditions", "Outputs"] {
        if let Some(v) = new.get(section) {
            partial.insert(section.into(), v.clone());
        }
    }
    let env = env.clone().with_stack_name(stack);
    let (normalized, _) = synth_diff::normalize::normalize(&partial, &env);
    normalized
        .get("Outputs")
        .and_then(synth_diff::value::Json::as_object)
        .map(|outputs| {
            outputs
                .iter()
                .filter_map(|(key, o)| {
                    let name = o.get("Export")?.get("Name")?;
                    Some((key.to_string(), name.as_str().map(str::to_owned)))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The stacks importing `export`. CloudFormation answers a ValidationError
/// when nothing imports it.
async fn importers(client: &Client, export: &str) -> std::result::Result<Vec<String>, String> {
    let mut stacks = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .list_imports()
            .export_name(export)
            .set_next_token(token.take())
            .send()
            .await;
        match page {
            Ok(page) => {
                stacks.extend(page.imports().iter().cloned());
                match page.next_token() {
                    Some(t) => token = Some(t.to_owned()),
                    None => break,
                }
            }
            Err(e) => {
                if let Some((_, message)) = aws::service_error(&e) {
                    if message.contains("is not imported by any stack") {
                        break;
                    }
                }
                return Err(aws::error("ListImports", e).to_string());
            }
        }
    }
    stacks.sort();
    stacks.dedup();
    Ok(stacks)
}
