//! The fleet view: for every `region/<region>` branch, what runs in that
//! region (stacks, the commits deploy recorded on them), how far the branch
//! head is ahead, what deploying the head would change, and drift. Regions
//! are read concurrently with a bound; a region that cannot be read is a
//! row with its error.

pub mod branches;
pub mod record;
pub mod render;
pub mod synthesize;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use aws_sdk_cloudformation::primitives::DateTimeFormat;
use aws_sdk_cloudformation::types::StackStatus;
use aws_sdk_cloudformation::Client;
use futures_util::stream::{self, StreamExt};
use serde::Serialize;

use crate::assembly::Assembly;
use crate::drift;
use crate::error::{Error, Result};
use branches::Position;

/// How the fleet is read.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Per region, the directory of the assembly its branch head deploys.
    pub assemblies: BTreeMap<String, PathBuf>,
    pub drift: bool,
    pub concurrency: usize,
    /// Per-region CloudFormation endpoints.
    pub endpoints: BTreeMap<String, String>,
    pub timeout: Duration,
}

/// What deploying the branch head would change, summed over its stacks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Pending {
    pub create: usize,
    pub update: usize,
    pub delete: usize,
    pub replace: usize,
}

impl Pending {
    pub fn is_empty(&self) -> bool {
        self.create + self.update + self.delete == 0
    }

    fn add(&mut self, c: synth_diff::engine::Counts) {
        self.create += c.create;
        self.update += c.update;
        self.delete += c.delete;
        self.replace += c.replace;
    }
}

/// One deployed stack of a region.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StackRow {
    pub stack: String,
    pub status: String,
    /// The last update (or the creation), ISO 8601 UTC.
    pub last_updated: Option<String>,
    /// The `synth:commit` tag: the commit deployed.
    pub commit: Option<String>,
    /// The `synth:pipeline` tag: the pipeline that deployed it.
    pub pipeline: Option<String>,
    /// `up-to-date`, `ahead`, `behind`, `diverged` or `unknown`.
    pub position: String,
    /// Changes the head's template makes, when its assembly is known.
    pub pending: Option<Pending>,
    /// `IN_SYNC`, `DRIFTED`, ... when drift was detected.
    pub drift: Option<String>,
    /// Resources modified or deleted outside CloudFormation.
    pub drifted: usize,
    /// Why drift could not be detected.
    pub drift_error: Option<String>,
}

/// One region: its branch and what runs there.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    pub region: String,
    pub branch: String,
    pub head: String,
    /// Why the region could not be read; the other fields are then empty.
    pub error: Option<String>,
    /// Stacks deployed (those the head's assembly names, and any carrying
    /// the `synth:commit` tag).
    pub stacks: Vec<StackRow>,
    /// The commit deployed, when every stack agrees on one.
    pub deployed_commit: Option<String>,
    /// `not-deployed`, `up-to-date`, `ahead`, `behind`, `diverged`,
    /// `unknown`: the furthest any stack is from the head.
    pub position: String,
    /// Commits on the head not deployed (the most over the stacks).
    pub ahead_by: Option<usize>,
    /// What deploying the head changes; `None` without its assembly.
    pub pending: Option<Pending>,
    /// Why the head's assembly could not be synthesized (`--synthesize`).
    pub pending_error: Option<String>,
    /// Stacks of the head's assembly not deployed yet.
    pub not_deployed: Vec<String>,
    /// `in-sync`, `drifted`, `not-checked` (`--no-drift` or nothing
    /// deployed), `unknown` (a detection failed).
    pub drift: String,
    /// Resources drifted over all stacks.
    pub drifted: usize,
}

impl Row {
    pub fn has_drift(&self) -> bool {
        self.drift == "drifted"
    }
}

/// Reads the region of every branch, `opts.concurrency` regions at a
/// time; rows come back sorted by region.
pub async fn read(repo_branches: Vec<branches::RegionBranch>, opts: &Options) -> Vec<Row> {
    let mut rows: Vec<Row> = stream::iter(repo_branches)
        .map(|b| async move {
            let mut row = Row {
                region: b.region.clone(),
                branch: b.branch.clone(),
                head: b.head.clone(),
                ..Row::default()
            };
            if synth::regions::Region::find(&b.region).is_none() {
                row.error = Some(format!(
                    "branch {} does not name an AWS region (region/<aws-region>, lower case)",
                    b.branch
                ));
                return row;
            }
            let deadline = crate::deploy::deadline_after(opts.timeout);
            // A call that never answers is cut off shortly after the
            // deadline, as deploy's are.
            let limit = deadline
                .checked_add(Duration::from_secs(3))
                .unwrap_or(deadline);
            let read = tokio::time::timeout_at(
                tokio::time::Instant::from_std(limit),
                read_region(&b.region, opts, deadline),
            )
            .await
            .unwrap_or_else(|_| {
                Err(Error::failed(format!(
                    "reading {} did not finish before the deadline: the endpoint stopped answering; raise --timeout",
                    b.region
                )))
            });
            match read {
                Ok((stacks, pending, not_deployed)) => {
                    row.stacks = stacks;
                    row.pending = pending;
                    row.not_deployed = not_deployed;
                }
                Err(e) => row.error = Some(name_endpoint(e.to_string(), &b.region, opts)),
            }
            row
        })
        .buffer_unordered(opts.concurrency.max(1))
        .collect()
        .await;
    rows.sort_by(|a, b| a.region.cmp(&b.region));
    rows
}

/// Errors name `AWS_ENDPOINT_URL` (or AWS's endpoint); a region read
/// through `--endpoint` names that one instead.
fn name_endpoint(message: String, region: &str, opts: &Options) -> String {
    let Some(url) = opts.endpoints.get(region) else {
        return message;
    };
    let general = std::env::var("AWS_ENDPOINT_URL").unwrap_or_else(|_| "the AWS endpoint".into());
    message
        .replace("AWS_ENDPOINT_URL", &format!("--endpoint {region}=..."))
        .replace(&general, url)
}

/// Fills in where each row's deployed commits stand against its head, and
/// the row's drift summary.
pub fn settle(rows: &mut [Row], repo: &git2::Repository, drift_checked: bool) {
    for row in rows {
        if row.error.is_some() {
            row.position = "unknown".to_owned();
            row.drift = "unknown".to_owned();
            continue;
        }
        let mut worst: Option<Position> = None;
        for s in &mut row.stacks {
            let p = match &s.commit {
                Some(c) => branches::position(repo, &row.head, c),
                None => Position::Unknown,
            };
            s.position = p.key().to_owned();
            worst = Some(match worst {
                None => p,
                Some(w) => further(w, p),
            });
        }
        let commits: std::collections::BTreeSet<&String> = row
            .stacks
            .iter()
            .filter_map(|s| s.commit.as_ref())
            .collect();
        row.deployed_commit = match (commits.len(), row.stacks.iter().all(|s| s.commit.is_some())) {
            (1, true) => commits.into_iter().next().cloned(),
            _ => None,
        };
        match worst {
            None => row.position = "not-deployed".to_owned(),
            Some(p) => {
                row.position = p.key().to_owned();
                row.ahead_by = p.ahead_by();
            }
        }
        row.drifted = row.stacks.iter().map(|s| s.drifted).sum();
        row.drift = if row.stacks.is_empty() || !drift_checked {
            "not-checked"
        } else if row
            .stacks
            .iter()
            .any(|s| s.drift.as_deref() == Some("DRIFTED") || s.drifted > 0)
        {
            "drifted"
        } else if row.stacks.iter().any(|s| s.drift_error.is_some()) {
            "unknown"
        } else {
            "in-sync"
        }
        .to_owned();
    }
}

/// The position further from the head: unknown beats everything, then
/// the most commits ahead.
fn further(a: Position, b: Position) -> Position {
    match (&a, &b) {
        (Position::Unknown, _) => a,
        (_, Position::Unknown) => b,
        _ if b.ahead_by() > a.ahead_by() => b,
        _ if a == Position::UpToDate => b,
        _ => a,
    }
}

/// A CloudFormation client for `region`, at its `--endpoint` if one is set.
pub async fn client_for(region: &str, endpoints: &BTreeMap<String, String>) -> Client {
    let client = crate::aws::client(region).await;
    match endpoints.get(region) {
        Some(url) => Client::from_conf(client.config().to_builder().endpoint_url(url).build()),
        None => client,
    }
}

type RegionRead = (Vec<StackRow>, Option<Pending>, Vec<String>);

async fn read_region(
    region: &str,
    opts: &Options,
    deadline: std::time::Instant,
) -> Result<RegionRead> {
    let client = client_for(region, &opts.endpoints).await;
    let assembly = match opts.assemblies.get(region) {
        Some(dir) => Some(Assembly::read(dir)?),
        None => None,
    };
    let wanted: Vec<String> = assembly
        .as_ref()
        .map(|a| a.manifest.stacks.iter().map(|s| s.name.clone()).collect())
        .unwrap_or_default();
    let mut stacks = deployed_stacks(&client, region, &wanted).await?;

    let mut pending = None;
    let mut not_deployed = Vec::new();
    if let Some(assembly) = &assembly {
        let mut total = Pending::default();
        for s in &assembly.manifest.stacks {
            let body = assembly.template_body(s)?;
            let new = synth_diff::template::parse(&body).map_err(|e| {
                Error::failed(format!("{}: {e}", assembly.template_path(s).display()))
            })?;
            let row = stacks.iter_mut().find(|r| r.stack == s.name);
            let old = match &row {
                Some(_) => crate::deployed::template(&client, &s.name).await?,
                None => None,
            };
            if old.is_none() {
                not_deployed.push(s.name.clone());
            }
            let old_parsed = synth_diff::template::parse(old.as_deref().unwrap_or(""))
                .map_err(|e| Error::failed(format!("the deployed template of {}: {e}", s.name)))?;
            let env =
                synth_diff::Environment::new(Some(region), s.environment.account.as_deref(), None);
            let d = synth_diff::diff_in(
                &s.name,
                &old_parsed,
                &new,
                old.is_some(),
                synth_diff::create_only,
                &env,
            );
            let mut p = Pending::default();
            p.add(d.counts());
            total.add(d.counts());
            if let Some(row) = row {
                row.pending = Some(p);
            }
        }
        pending = Some(total);
    }

    if opts.drift {
        for s in &mut stacks {
            if !is_settled(&s.status) {
                s.drift_error = Some(format!("not checked while the stack is {}", s.status));
                continue;
            }
            match drift::detect(&client, &s.stack, deadline).await {
                Ok(d) => {
                    s.drifted = d.drifted;
                    s.drift = Some(d.status);
                }
                Err(e) => s.drift_error = Some(e.message),
            }
        }
    }
    Ok((stacks, pending, not_deployed))
}

/// No operation runs on a stack in this status.
fn is_settled(status: &str) -> bool {
    crate::deploy::status::is_terminal(status) && status != "REVIEW_IN_PROGRESS"
}

/// The stacks of a region that synth deployed (tagged `synth:commit`) or
/// that `wanted` names; every page of `DescribeStacks`.
async fn deployed_stacks(
    client: &Client,
    region: &str,
    wanted: &[String],
) -> Result<Vec<StackRow>> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .describe_stacks()
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| crate::aws::error(&format!("listing the stacks in {region}"), e))?;
        for s in page.stacks() {
            let Some(name) = s.stack_name() else { continue };
            let status = s.stack_status().map(|s| s.as_str()).unwrap_or_default();
            if matches!(
                s.stack_status(),
                Some(StackStatus::DeleteComplete) | Some(StackStatus::ReviewInProgress)
            ) {
                continue;
            }
            let tags: BTreeMap<String, String> = s
                .tags()
                .iter()
                .filter_map(|t| Some((t.key()?.to_owned(), t.value()?.to_owned())))
                .collect();
            if !tags.contains_key(record::COMMIT_TAG) && !wanted.iter().any(|w| w == name) {
                continue;
            }
            out.push(StackRow {
                stack: name.to_owned(),
                status: status.to_owned(),
                last_updated: s
                    .last_updated_time()
                    .or(s.creation_time())
                    .and_then(|t| t.fmt(DateTimeFormat::DateTime).ok()),
                commit: tags.get(record::COMMIT_TAG).cloned(),
                pipeline: tags.get(record::PIPELINE_TAG).cloned(),
                ..StackRow::default()
            });
        }
        match page.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_owned()),
            _ => break,
        }
    }
    out.sort_by(|a, b| a.stack.cmp(&b.stack));
    Ok(out)
}
