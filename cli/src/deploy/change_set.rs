//! Change sets: created for a stack, waited for, read (every page) as
//! CloudFormation's verdicts, and deleted. Deploy executes them; `synth
//! diff --method change-set` only asks and deletes.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

use aws_sdk_cloudformation::types::{
    Capability, ChangeAction, ChangeSetStatus, ChangeSetType, Parameter, Replacement,
    RequiresRecreation, Tag,
};
use aws_sdk_cloudformation::Client;
use synth_diff::change_set::{CfnAction, CfnReplacement, CfnResourceChange};

use super::inputs::{self, ParameterValue};
use super::Backoff;
use crate::aws;
use crate::error::{Error, Result};

/// A change set name no other run uses: two deploys of one stack in the
/// same second must not find each other's change set.
pub fn unique_name() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format!(
        "synth-{}-{:09}-{}-{}",
        now.as_secs(),
        now.subsec_nanos(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// What to create a change set from.
pub struct Request<'a> {
    pub stack: &'a str,
    pub body: &'a str,
    pub template: &'a synth_diff::template::Template,
    pub change_type: ChangeSetType,
    pub parameters: &'a BTreeMap<String, ParameterValue>,
    pub tags: &'a BTreeMap<String, String>,
    pub role_arn: Option<&'a str>,
    /// For templates over the inline limit.
    pub template_bucket: Option<&'a str>,
    pub region: &'a str,
    pub description: &'a str,
}

/// A change set CloudFormation finished preparing.
pub struct Prepared {
    pub name: String,
    /// False when CloudFormation refused it outright as empty: there is
    /// nothing to delete.
    pub exists: bool,
    /// Its resource changes; empty when it would change nothing.
    pub changes: Vec<CfnResourceChange>,
}

/// Creates a change set for `req` and waits until CloudFormation has
/// prepared it (or found it empty) before `deadline`. A change set
/// CloudFormation rejects for another reason is deleted, and is an error.
pub async fn prepare(client: &Client, req: &Request<'_>, deadline: Instant) -> Result<Prepared> {
    let stack = req.stack;
    let name = unique_name();
    let mut request = client
        .create_change_set()
        .stack_name(stack)
        .change_set_name(&name)
        .change_set_type(req.change_type.clone())
        .description(req.description)
        .set_role_arn(req.role_arn.map(str::to_owned));
    request = if req.body.len() > synth::limits::INLINE_TEMPLATE_BYTES {
        let Some(bucket) = req.template_bucket else {
            return Err(Error::usage(format!(
                "the template of {stack} is {} bytes, over the {} bytes CloudFormation takes inline; pass --template-bucket BUCKET to upload it to S3",
                req.body.len(),
                synth::limits::INLINE_TEMPLATE_BYTES
            )));
        };
        // Only oversized templates need S3: its client is made here.
        let s3 = crate::aws::s3_client(req.region).await;
        request.template_url(super::upload(&s3, bucket, stack, req.body, req.region).await?)
    } else {
        request.template_body(req.body)
    };
    for cap in inputs::capabilities(req.template) {
        request = request.capabilities(Capability::from(cap));
    }
    for (key, value) in req.parameters {
        let p = Parameter::builder().parameter_key(key);
        let p = match value {
            ParameterValue::Value(v) => p.parameter_value(v),
            ParameterValue::UsePrevious => p.use_previous_value(true),
        };
        request = request.parameters(p.build());
    }
    for (key, value) in req.tags {
        request = request.tags(Tag::builder().key(key).value(value).build());
    }
    match request.send().await {
        Ok(_) => super::in_flight().open.push(super::OpenChangeSet {
            stack: stack.to_owned(),
            name: name.clone(),
            create: req.change_type == ChangeSetType::Create,
        }),
        // Some endpoints refuse an empty change set outright.
        Err(e) if aws::service_error(&e).is_some_and(|(_, m)| is_no_change(&m)) => {
            return Ok(Prepared {
                name,
                exists: false,
                changes: Vec::new(),
            })
        }
        Err(e) => {
            return Err(aws::error(
                &format!("creating a change set for stack {stack}"),
                e,
            ))
        }
    }

    let mut backoff = Backoff::new();
    loop {
        let out = client
            .describe_change_set()
            .stack_name(stack)
            .change_set_name(&name)
            .send()
            .await
            .map_err(|e| aws::error(&format!("reading the change set of stack {stack}"), e))?;
        match out.status() {
            Some(ChangeSetStatus::CreateComplete) => {
                let mut changes: Vec<CfnResourceChange> =
                    out.changes().iter().filter_map(convert).collect();
                let mut token = out.next_token().map(str::to_owned);
                while let Some(t) = token {
                    let page = client
                        .describe_change_set()
                        .stack_name(stack)
                        .change_set_name(&name)
                        .next_token(t)
                        .send()
                        .await
                        .map_err(|e| {
                            aws::error(&format!("reading the change set of stack {stack}"), e)
                        })?;
                    changes.extend(page.changes().iter().filter_map(convert));
                    token = page.next_token().map(str::to_owned);
                }
                return Ok(Prepared {
                    name,
                    exists: true,
                    changes,
                });
            }
            Some(ChangeSetStatus::Failed) => {
                let reason = out.status_reason().unwrap_or_default().to_owned();
                if is_no_change(&reason) {
                    return Ok(Prepared {
                        name,
                        exists: true,
                        changes: Vec::new(),
                    });
                }
                let _ = delete(client, stack, &name).await;
                return Err(Error::failed(format!(
                    "CloudFormation rejected the change set for stack {stack}: {reason}"
                )));
            }
            _ if Instant::now() >= deadline => {
                let _ = delete(client, stack, &name).await;
                return Err(Error::failed(format!(
                    "the change set for stack {stack} was not ready before the deadline; raise --timeout"
                )));
            }
            _ => backoff.wait().await,
        }
    }
}

/// Deletes a change set.
pub async fn delete(client: &Client, stack: &str, change_set: &str) -> Result<()> {
    super::in_flight()
        .open
        .retain(|o| !(o.stack == stack && o.name == change_set));
    client
        .delete_change_set()
        .stack_name(stack)
        .change_set_name(change_set)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| aws::error(&format!("deleting the change set of stack {stack}"), e))
}

/// Deletes a prepared change set that will not run, and the stack a
/// CREATE change set made (it exists only in REVIEW_IN_PROGRESS).
pub async fn discard(
    client: &Client,
    stack: &str,
    prepared: &Prepared,
    change_type: &ChangeSetType,
) -> Result<()> {
    if prepared.exists {
        delete(client, stack, &prepared.name).await?;
    }
    if *change_type == ChangeSetType::Create {
        client
            .delete_stack()
            .stack_name(stack)
            .send()
            .await
            .map_err(|e| aws::error(&format!("deleting the review stack {stack}"), e))?;
    }
    Ok(())
}

/// CloudFormation's ways of saying a change set would change nothing.
pub fn is_no_change(reason: &str) -> bool {
    reason.contains("didn't contain changes") || reason.contains("No updates are to be performed")
}

/// One resource change of a change set, as the diff engine reads it;
/// `None` for changes that are not resource changes.
fn convert(change: &aws_sdk_cloudformation::types::Change) -> Option<CfnResourceChange> {
    let rc = change.resource_change()?;
    let action = match rc.action()? {
        ChangeAction::Add => CfnAction::Add,
        ChangeAction::Modify => CfnAction::Modify,
        ChangeAction::Remove => CfnAction::Remove,
        ChangeAction::Import => CfnAction::Import,
        _ => CfnAction::Dynamic,
    };
    let replacement = rc.replacement().and_then(|r| match r {
        Replacement::True => Some(CfnReplacement::True),
        Replacement::False => Some(CfnReplacement::False),
        Replacement::Conditional => Some(CfnReplacement::Conditional),
        _ => None,
    });
    let mut recreated_by: Vec<String> = rc
        .details()
        .iter()
        .filter_map(|d| {
            let target = d.target()?;
            let how = match target.requires_recreation()? {
                RequiresRecreation::Always => "always",
                RequiresRecreation::Conditionally => "conditionally",
                _ => return None,
            };
            Some(format!("{} ({how})", target.name().unwrap_or("?")))
        })
        .collect();
    recreated_by.sort();
    recreated_by.dedup();
    Some(CfnResourceChange {
        logical_id: rc.logical_resource_id()?.to_owned(),
        type_name: rc.resource_type().unwrap_or_default().to_owned(),
        action,
        replacement,
        recreated_by,
    })
}

#[cfg(test)]
mod tests {
    use super::unique_name;

    #[test]
    fn change_set_names_differ_within_one_second_and_fit_the_pattern() {
        let names: std::collections::BTreeSet<String> = (0..1000).map(|_| unique_name()).collect();
        assert_eq!(names.len(), 1000);
        for n in &names {
            // CloudFormation: [a-zA-Z][-a-zA-Z0-9]*, at most 128 characters.
            assert!(n.len() <= 128 && n.starts_with("synth-"), "{n}");
            assert!(
                n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
                "{n}"
            );
        }
    }
}
