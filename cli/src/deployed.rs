//! What is deployed: reading a stack's state and template from
//! CloudFormation.

use aws_sdk_cloudformation::types::{StackStatus, TemplateStage};
use aws_sdk_cloudformation::Client;

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
