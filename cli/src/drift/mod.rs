//! CloudFormation drift detection: start it for a stack, wait for it with
//! deploy's deadline and backoff, and read every resource's drift with its
//! property-level differences. Resources CloudFormation does not check
//! (types without drift support) are listed as `NOT_CHECKED`.

pub mod render;

use std::time::Instant;

use aws_sdk_cloudformation::types::StackDriftDetectionStatus;
use aws_sdk_cloudformation::Client;
use serde::Serialize;

use crate::aws;
use crate::deploy::Backoff;
use crate::error::{Error, Result};

/// The drift of one stack.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StackDrift {
    pub stack: String,
    /// `IN_SYNC`, `DRIFTED`, `NOT_CHECKED` or `UNKNOWN`, as CloudFormation says.
    pub status: String,
    /// Resources `MODIFIED` or `DELETED`.
    pub drifted: usize,
    /// Every resource, in logical ID order.
    pub resources: Vec<ResourceDrift>,
}

/// The drift of one resource.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceDrift {
    pub logical_id: String,
    #[serde(rename = "type")]
    pub type_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub physical_id: Option<String>,
    /// `IN_SYNC`, `MODIFIED`, `DELETED`, `NOT_CHECKED` or `UNKNOWN`.
    pub status: String,
    pub differences: Vec<PropertyDifference>,
}

/// One property that differs from the template.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PropertyDifference {
    /// A JSON pointer into the resource's properties (`/Tags/0/Value`).
    pub path: String,
    /// `ADD`, `REMOVE` or `NOT_EQUAL`.
    pub change: String,
    pub expected: Option<String>,
    pub actual: Option<String>,
}

impl StackDrift {
    /// True when a resource was modified or deleted outside CloudFormation.
    pub fn has_drift(&self) -> bool {
        self.drifted > 0 || self.status == "DRIFTED"
    }
}

/// A resource status that counts as drift.
pub fn is_drifted(status: &str) -> bool {
    matches!(status, "MODIFIED" | "DELETED")
}

/// Detects the drift of `stack` before `deadline`. Transient errors
/// (throttling, 5xx, lost connections) while waiting are ridden out until
/// the deadline, as deploy does.
pub async fn detect(client: &Client, stack: &str, deadline: Instant) -> Result<StackDrift> {
    let id = client
        .detect_stack_drift()
        .stack_name(stack)
        .send()
        .await
        .map_err(|e| aws::error(&format!("starting drift detection of stack {stack}"), e))?
        .stack_drift_detection_id()
        .unwrap_or_default()
        .to_owned();
    let mut backoff = Backoff::new();
    let mut passing: Option<Error> = None;
    let status = loop {
        if Instant::now() >= deadline {
            let mut e = Error::failed(format!(
                "drift detection of stack {stack} did not finish before the deadline; raise --timeout"
            ));
            if let Some(p) = &passing {
                e = e.note(format!("last error: {}", p.message));
            }
            return Err(e);
        }
        let out = match client
            .describe_stack_drift_detection_status()
            .stack_drift_detection_id(&id)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) => {
                let e = aws::error(
                    &format!("reading the drift detection status of stack {stack}"),
                    e,
                );
                if !e.transient {
                    return Err(e);
                }
                passing = Some(e);
                backoff.wait().await;
                continue;
            }
        };
        passing = None;
        match out.detection_status() {
            Some(StackDriftDetectionStatus::DetectionComplete) => {
                break out
                    .stack_drift_status()
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_else(|| "UNKNOWN".to_owned());
            }
            Some(StackDriftDetectionStatus::DetectionFailed) => {
                return Err(Error::failed(format!(
                    "drift detection of stack {stack} failed: {}",
                    out.detection_status_reason().unwrap_or("no reason given")
                )));
            }
            _ => backoff.wait().await,
        }
    };
    let mut resources = resource_drifts(client, stack).await?;
    for r in not_checked(client, stack).await? {
        if !resources.iter().any(|c| c.logical_id == r.logical_id) {
            resources.push(r);
        }
    }
    resources.sort_by(|a, b| a.logical_id.cmp(&b.logical_id));
    let drifted = resources.iter().filter(|r| is_drifted(&r.status)).count();
    Ok(StackDrift {
        stack: stack.to_owned(),
        status,
        drifted,
        resources,
    })
}

/// Every checked resource's drift (all pages).
async fn resource_drifts(client: &Client, stack: &str) -> Result<Vec<ResourceDrift>> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .describe_stack_resource_drifts()
            .stack_name(stack)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| aws::error(&format!("reading the resource drifts of stack {stack}"), e))?;
        for d in page.stack_resource_drifts() {
            out.push(ResourceDrift {
                logical_id: d.logical_resource_id().unwrap_or("?").to_owned(),
                type_name: d.resource_type().unwrap_or("?").to_owned(),
                physical_id: d.physical_resource_id().map(str::to_owned),
                status: d
                    .stack_resource_drift_status()
                    .map_or("UNKNOWN", |s| s.as_str())
                    .to_owned(),
                differences: d
                    .property_differences()
                    .iter()
                    .map(|p| PropertyDifference {
                        path: p.property_path().unwrap_or("?").to_owned(),
                        change: p
                            .difference_type()
                            .map_or("NOT_EQUAL", |t| t.as_str())
                            .to_owned(),
                        expected: p.expected_value().map(str::to_owned),
                        actual: p.actual_value().map(str::to_owned),
                    })
                    .collect(),
            });
        }
        match page.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_owned()),
            _ => return Ok(out),
        }
    }
}

/// Resources CloudFormation did not check: `DescribeStackResourceDrifts`
/// leaves out types without drift support, `ListStackResources` names
/// them with `NOT_CHECKED`.
async fn not_checked(client: &Client, stack: &str) -> Result<Vec<ResourceDrift>> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .list_stack_resources()
            .stack_name(stack)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| aws::error(&format!("listing the resources of stack {stack}"), e))?;
        for r in page.stack_resource_summaries() {
            let status = r
                .drift_information()
                .and_then(|d| d.stack_resource_drift_status())
                .map_or("NOT_CHECKED", |s| s.as_str());
            if status == "NOT_CHECKED" {
                out.push(ResourceDrift {
                    logical_id: r.logical_resource_id().unwrap_or("?").to_owned(),
                    type_name: r.resource_type().unwrap_or("?").to_owned(),
                    physical_id: r.physical_resource_id().map(str::to_owned),
                    status: status.to_owned(),
                    differences: Vec::new(),
                });
            }
        }
        match page.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_owned()),
            _ => return Ok(out),
        }
    }
}
