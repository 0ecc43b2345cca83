//! Deploying and destroying stacks through change sets: status checks,
//! approval, execution, and following the stack's events to a terminal
//! status with a deadline.

pub mod change_set;
pub mod inputs;
pub mod progress;
pub mod status;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use aws_sdk_cloudformation::types::{ChangeSetType, StackEvent};
use aws_sdk_cloudformation::Client;

use crate::aws;
use crate::error::{Error, Result};
use progress::Progress;
use status::Disposition;

/// How long to wait between polls: starts short (local endpoints answer
/// at once) and backs off to a ceiling, so waiting never busy-loops.
pub struct Backoff {
    next: Duration,
    max: Duration,
}

impl Backoff {
    pub fn new() -> Backoff {
        let max = std::env::var("SYNTH_POLL_MAX_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .map_or(Duration::from_secs(5), Duration::from_millis);
        Backoff {
            next: Duration::from_millis(200).min(max),
            max,
        }
    }

    pub async fn wait(&mut self) {
        tokio::time::sleep(self.next).await;
        self.next = (self.next * 2).min(self.max);
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff::new()
    }
}

/// When deploy asks before executing a change set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Approval {
    Never,
    AnyChange,
    Broadening,
}

/// A change set this run created and has neither executed nor deleted:
/// what an interrupted deploy deletes on its way out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OpenChangeSet {
    pub stack: String,
    pub name: String,
    /// A CREATE change set: its review stack goes too.
    pub create: bool,
}

/// What this run has in flight, for an interrupt to clean up or report.
#[derive(Default)]
pub(crate) struct InFlight {
    pub open: Vec<OpenChangeSet>,
    /// Stacks whose change set was executed and that may still be changing.
    pub executing: Vec<String>,
}

static IN_FLIGHT: std::sync::Mutex<InFlight> = std::sync::Mutex::new(InFlight {
    open: Vec::new(),
    executing: Vec::new(),
});

pub(crate) fn in_flight() -> std::sync::MutexGuard<'static, InFlight> {
    IN_FLIGHT.lock().unwrap_or_else(|e| e.into_inner())
}

/// After SIGINT or SIGTERM: deletes the change sets this run left open
/// (with a new stack's review stack) and says what state each stack it
/// touched is in. Returns the lines to print.
pub async fn clean_up_interrupted(client: &Client) -> Vec<String> {
    let (open, executing) = {
        let mut f = in_flight();
        (
            std::mem::take(&mut f.open),
            std::mem::take(&mut f.executing),
        )
    };
    let mut lines = Vec::new();
    for cs in open {
        let deleted = change_set::delete(client, &cs.stack, &cs.name).await;
        let review = if cs.create && deleted.is_ok() {
            client
                .delete_stack()
                .stack_name(&cs.stack)
                .send()
                .await
                .is_ok()
        } else {
            false
        };
        lines.push(match (deleted, review) {
            (Ok(()), true) => format!(
                "{}: deleted its change set and review stack; nothing was deployed",
                cs.stack
            ),
            (Ok(()), false) => {
                format!("{}: deleted its change set; nothing was deployed", cs.stack)
            }
            (Err(e), _) => format!(
                "{}: its change set {} is left ({})",
                cs.stack, cs.name, e.message
            ),
        });
    }
    for stack in executing {
        let status = describe(client, &stack)
            .await
            .ok()
            .flatten()
            .map_or_else(|| "unknown".to_owned(), |d| d.status);
        lines.push(if status::is_terminal(&status) {
            format!("{stack}: {status}")
        } else {
            format!(
                "{stack}: still {status} in CloudFormation; it finishes on its own: follow it there, or run synth deploy --wait-busy to wait for it"
            )
        });
    }
    lines
}

/// How long past its deadline an operation may take to notice it: a call
/// in flight when the deadline passes is cut off this much later at most.
const DEADLINE_SLACK: Duration = Duration::from_secs(3);

/// The instant `timeout` from now; a timeout too large to represent
/// (`--timeout 18446744073709551615`) means no practical limit.
pub fn deadline_after(timeout: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(timeout)
        .or_else(|| now.checked_add(Duration::from_secs(u64::from(u32::MAX))))
        .unwrap_or(now)
}

/// Runs `work` (which checks `deadline` between calls) and cuts it off
/// shortly after the deadline, so one call that never answers cannot hold
/// the operation past `--timeout`.
pub async fn bounded<T>(
    stack: &str,
    what: &str,
    deadline: Instant,
    work: impl std::future::Future<Output = Result<T>>,
) -> Result<T> {
    let limit = deadline.checked_add(DEADLINE_SLACK).unwrap_or(deadline);
    match tokio::time::timeout_at(tokio::time::Instant::from_std(limit), work).await {
        Ok(done) => done,
        Err(_) => Err(Error::failed(format!(
            "{what} of stack {stack} did not finish before the deadline: the endpoint stopped answering; check the stack's state in CloudFormation, or raise --timeout"
        ))),
    }
}

/// A deployed stack as CloudFormation describes it.
#[derive(Clone, Debug, Default)]
pub struct Described {
    pub status: String,
    pub reason: Option<String>,
    pub parameters: BTreeSet<String>,
    pub outputs: BTreeMap<String, String>,
    pub termination_protection: bool,
    /// The stack's tags (what the last deploy recorded among them).
    pub tags: BTreeMap<String, String>,
}

/// Describes `stack`, `None` when it does not exist.
pub async fn describe(client: &Client, stack: &str) -> Result<Option<Described>> {
    let out = match client.describe_stacks().stack_name(stack).send().await {
        Err(e) if aws::is_missing_stack(&e) => return Ok(None),
        Err(e) => return Err(aws::error(&format!("reading stack {stack}"), e)),
        Ok(out) => out,
    };
    let Some(s) = out.stacks().first() else {
        return Ok(None);
    };
    Ok(Some(Described {
        status: s
            .stack_status()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        reason: s.stack_status_reason().map(str::to_owned),
        parameters: s
            .parameters()
            .iter()
            .filter_map(|p| p.parameter_key().map(str::to_owned))
            .collect(),
        outputs: s
            .outputs()
            .iter()
            .filter_map(|o| {
                Some((
                    o.output_key()?.to_owned(),
                    o.output_value().unwrap_or_default().to_owned(),
                ))
            })
            .collect(),
        termination_protection: s.enable_termination_protection().unwrap_or(false),
        tags: s
            .tags()
            .iter()
            .filter_map(|t| Some((t.key()?.to_owned(), t.value()?.to_owned())))
            .collect(),
    }))
}

/// The newest event ID of a stack, to tell this operation's events from
/// earlier ones.
pub async fn latest_event(client: &Client, stack: &str) -> Result<Option<String>> {
    match client
        .describe_stack_events()
        .stack_name(stack)
        .send()
        .await
    {
        Err(e) if aws::is_missing_stack(&e) => Ok(None),
        Err(e) => Err(aws::error(
            &format!("reading the events of stack {stack}"),
            e,
        )),
        Ok(out) => Ok(out
            .stack_events()
            .first()
            .and_then(|e| e.event_id().map(str::to_owned))),
    }
}

/// Events newer than `after`, oldest first.
async fn new_events(
    client: &Client,
    stack: &str,
    after: &Option<String>,
    seen: &mut BTreeSet<String>,
) -> Result<Vec<StackEvent>> {
    let out = client
        .describe_stack_events()
        .stack_name(stack)
        .send()
        .await
        .map_err(|e| aws::error(&format!("reading the events of stack {stack}"), e))?;
    let mut fresh = Vec::new();
    for e in out.stack_events() {
        let id = e.event_id().unwrap_or_default().to_owned();
        if Some(&id) == after.as_ref() {
            break;
        }
        if seen.insert(id) {
            fresh.push(e.clone());
        }
    }
    fresh.reverse();
    Ok(fresh)
}

/// The outcome of waiting for an operation.
pub struct Finished {
    pub status: String,
    pub failures: Vec<String>,
    pub reason: Option<String>,
}

/// Follows `stack` until no operation runs, showing progress, within
/// `deadline`. A stack that disappears (deleted) ends as `DELETE_COMPLETE`.
pub async fn follow(
    client: &Client,
    stack: &str,
    since: Option<String>,
    deadline: Instant,
    progress: &mut Progress,
) -> Result<Finished> {
    let mut seen = BTreeSet::new();
    // (logical ID, is the stack itself, line): the first failure of each
    // resource; the stack's own events only when no resource failed.
    let mut failures: Vec<(String, bool, String)> = Vec::new();
    let mut backoff = Backoff::new();
    // The last transient error: throttling or a dropped connection while
    // following does not end a deploy that is still running fine.
    let mut passing: Option<Error> = None;
    loop {
        if let Some(e) = &passing {
            if Instant::now() >= deadline {
                progress.finish();
                return Err(Error::failed(format!(
                    "stack {stack} could not be followed to the end before the deadline; it keeps running in CloudFormation: follow it there, or raise --timeout"
                ))
                .note(format!("last error: {}", e.message)));
            }
            backoff.wait().await;
        }
        let events = match new_events(client, stack, &since, &mut seen).await {
            Ok(e) => e,
            Err(e) if e.transient => {
                passing = Some(e);
                continue;
            }
            Err(e) => match describe(client, stack).await {
                Ok(None) => Vec::new(),
                Ok(Some(_)) => return Err(e),
                Err(d) if d.transient => {
                    passing = Some(d);
                    continue;
                }
                Err(d) => return Err(d),
            },
        };
        record(&events, &mut failures, progress);
        let described = match describe(client, stack).await {
            Ok(d) => d,
            Err(e) if e.transient => {
                passing = Some(e);
                continue;
            }
            Err(e) => return Err(e),
        };
        passing = None;
        let (status, reason) = match described {
            None => ("DELETE_COMPLETE".to_owned(), None),
            Some(d) => (d.status, d.reason),
        };
        progress.status(&status);
        if status::is_terminal(&status) {
            // Events posted between the last read and the status read
            // (often the failure that ended the operation) are read too.
            if let Ok(last) = new_events(client, stack, &since, &mut seen).await {
                record(&last, &mut failures, progress);
            }
            progress.finish();
            let resources = failures.iter().any(|(_, is_stack, _)| !is_stack);
            let failures = failures
                .into_iter()
                .filter(|(_, is_stack, _)| !(resources && *is_stack))
                .map(|(_, _, line)| line)
                .collect();
            return Ok(Finished {
                status,
                failures,
                reason,
            });
        }
        if Instant::now() >= deadline {
            progress.finish();
            return Err(Error::failed(format!(
                "stack {stack} did not finish before the deadline (still {status}); it keeps running in CloudFormation: follow it there, or raise --timeout"
            )));
        }
        backoff.wait().await;
    }
}

/// Shows `events` and keeps the first failure of each resource (not
/// cancellations).
fn record(
    events: &[StackEvent],
    failures: &mut Vec<(String, bool, String)>,
    progress: &mut Progress,
) {
    for e in events {
        let status = e.resource_status().map(|s| s.as_str()).unwrap_or_default();
        let reason = e.resource_status_reason().unwrap_or_default();
        let id = e.logical_resource_id().unwrap_or("?");
        if status::is_failure_event(status)
            && !reason.contains("cancelled")
            && !failures.iter().any(|(seen, _, _)| seen == id)
        {
            let is_stack = e.resource_type() == Some("AWS::CloudFormation::Stack");
            failures.push((
                id.to_owned(),
                is_stack,
                format!(
                    "{id} {status} ({}): {}",
                    e.resource_type().unwrap_or("?"),
                    if reason.is_empty() {
                        "no reason given"
                    } else {
                        reason
                    }
                ),
            ));
        }
        progress.event(e);
    }
}

/// The error for a failed operation: the first failed resources and their
/// reasons, not only the stack's status.
pub fn failure(stack: &str, what: &str, f: &Finished) -> Error {
    let mut e = Error::failed(format!(
        "{what} of stack {stack} failed: it ended in {}",
        f.status
    ));
    if f.failures.is_empty() {
        if let Some(r) = &f.reason {
            e = e.note(format!("reason: {r}"));
        }
    } else {
        e = e.note("root cause (first failed resources):");
        for line in f.failures.iter().take(5) {
            e = e.note(format!("  {line}"));
        }
    }
    e
}

/// Options of one deploy.
pub struct DeployOptions {
    pub approval: Approval,
    pub replace_failed: bool,
    pub wait_busy: bool,
    pub timeout: Duration,
    pub progress_events: bool,
    pub termination_protection: bool,
    pub template_bucket: Option<String>,
    pub region: String,
    /// CloudFormation's execution role.
    pub role_arn: Option<String>,
}

/// What deploying one stack did.
pub enum Deployed {
    NoChanges(BTreeMap<String, String>),
    Done(BTreeMap<String, String>),
}

/// One stack to deploy.
pub struct StackInput<'a> {
    pub manifest: &'a synth::manifest::StackManifest,
    pub body: String,
    pub template: synth_diff::template::Template,
    pub parameters: &'a inputs::ParameterArgs,
}

/// Deploys one stack: change set, diff, approval, execution, events.
pub async fn deploy_stack(
    client: &Client,
    input: StackInput<'_>,
    opts: &DeployOptions,
    ui: &crate::ui::Ui,
) -> Result<Deployed> {
    let deadline = deadline_after(opts.timeout);
    let name = input.manifest.name.clone();
    bounded(
        &name,
        "the deployment",
        deadline,
        deploy_until(client, input, opts, ui, deadline),
    )
    .await
}

async fn deploy_until(
    client: &Client,
    input: StackInput<'_>,
    opts: &DeployOptions,
    ui: &crate::ui::Ui,
    deadline: Instant,
) -> Result<Deployed> {
    let name = input.manifest.name.as_str();
    let mut current = describe(client, name).await?;
    loop {
        let status = current.as_ref().map(|d| d.status.as_str());
        match status::disposition(name, status) {
            Disposition::Busy if opts.wait_busy => {
                ui.info(format!("{name}: waiting for the running operation ({}) to finish", status.unwrap_or("?")));
                let since = latest_event(client, name).await?;
                let mut quiet = Progress::quiet();
                follow(client, name, since, deadline, &mut quiet).await?;
                current = describe(client, name).await?;
            }
            Disposition::Busy => {
                return Err(Error::failed(format!(
                    "stack {name} is busy with another operation ({}); wait for it to finish or pass --wait-busy",
                    status.unwrap_or("?")
                )))
            }
            Disposition::FailedCreate if opts.replace_failed => {
                ui.info(format!("{name}: deleting the stack left by a failed creation ({}) to create it again", status.unwrap_or("?")));
                let since = latest_event(client, name).await?;
                client
                    .delete_stack()
                    .stack_name(name)
                    .send()
                    .await
                    .map_err(|e| aws::error(&format!("deleting stack {name}"), e))?;
                let mut p = Progress::new(name, input.manifest.resources, opts.progress_events, *ui);
                let f = follow(client, name, since, deadline, &mut p).await?;
                if f.status != "DELETE_COMPLETE" {
                    return Err(failure(name, "deletion", &f));
                }
                current = None;
            }
            Disposition::FailedCreate => {
                return Err(Error::failed(format!(
                    "stack {name} is in {} because its creation failed, and such a stack cannot be updated; pass --replace-failed to delete and create it again",
                    status.unwrap_or("ROLLBACK_COMPLETE")
                )))
            }
            Disposition::Stuck(message) => return Err(Error::failed(message)),
            Disposition::Create | Disposition::CreateFromReview | Disposition::Update => break,
        }
    }
    let status = current.as_ref().map(|d| d.status.clone());
    let change_type = match status::disposition(name, status.as_deref()) {
        Disposition::Update => ChangeSetType::Update,
        _ => ChangeSetType::Create,
    };
    // On update, parameters not given keep the deployed value.
    let previous = match (&current, &change_type) {
        (Some(d), ChangeSetType::Update) => d.parameters.clone(),
        _ => BTreeSet::new(),
    };
    let parameters = inputs::parameters(input.manifest, input.parameters, &previous)?;

    // The diff against what is deployed decides approval.
    let old = if change_type == ChangeSetType::Update {
        crate::deployed::template(client, name)
            .await?
            .unwrap_or_default()
    } else {
        String::new()
    };
    let old = crate::diff::template::parse(&old)
        .map_err(|e| Error::failed(format!("the deployed template of {name}: {e}")))?;
    let env = crate::diff::Environment::new(
        client.config().region().map(|r| r.as_ref()),
        input.manifest.environment.account.as_deref(),
        None,
    );
    let diff = crate::diff::diff_in(
        name,
        &old,
        &input.template,
        change_type == ChangeSetType::Update,
        crate::diff::create_only,
        &env,
    );

    // The commit and pipeline deployed, recorded as stack tags.
    let tags = crate::fleet::record::stack_tags(
        &input.manifest.tags,
        current.as_ref().map(|d| &d.tags),
        !diff.is_empty(),
        &crate::fleet::record::Origin::of_process(),
    );
    let request = change_set::Request {
        stack: name,
        body: &input.body,
        template: &input.template,
        change_type: change_type.clone(),
        parameters: &parameters,
        tags: &tags,
        role_arn: opts.role_arn.as_deref(),
        template_bucket: opts.template_bucket.as_deref(),
        region: &opts.region,
        description: "Created by synth deploy",
    };
    let mut prepared = change_set::prepare(client, &request, deadline).await?;
    let mut diff = diff;
    let exports =
        crate::deployed::export_warnings(client, name, &input.template, &env, &diff).await;
    diff.warnings.extend(exports);
    if prepared.changes.is_empty() {
        change_set::discard(client, name, &prepared, &change_type).await?;
        ui.info(format!("{name}: no changes"));
        // Said so reviewers trust the diff they were shown: it differed.
        if !diff.is_empty() {
            ui.warn(synth_diff::change_set::explain_empty(&diff));
        }
        return Ok(Deployed::NoChanges(
            current.map(|d| d.outputs).unwrap_or_default(),
        ));
    }
    let change_set = prepared.name.clone();
    let open = OpenChangeSet {
        stack: name.to_owned(),
        name: change_set.clone(),
        create: change_type == ChangeSetType::Create,
    };
    diff.change_set = Some(synth_diff::change_set::ChangeSetReview::of(
        &diff,
        std::mem::take(&mut prepared.changes),
    ));

    if !ui.quiet {
        ui.out(
            crate::diff::render::terminal(
                &diff,
                crate::diff::render::Style {
                    color: ui.color_out,
                },
            )
            .trim_end(),
        );
    }
    let needs_approval = match opts.approval {
        Approval::Never => false,
        Approval::AnyChange => true,
        Approval::Broadening => diff.broadening,
    };
    if needs_approval {
        let answer = approve(name, opts.approval);
        if !matches!(answer, Ok(true)) {
            // Declined or not askable: nothing of this run stays behind (a
            // new stack's review stack goes with its change set).
            in_flight().open.retain(|o| *o != open);
            let cleaned = change_set::discard(client, name, &prepared, &change_type).await;
            let left = match (&cleaned, &change_type) {
                (Err(_), _) => format!("its change set {change_set} could not be deleted"),
                (Ok(()), ChangeSetType::Create) => {
                    "its change set and the review stack were deleted".to_owned()
                }
                (Ok(()), _) => "its change set was deleted".to_owned(),
            };
            return Err(match answer {
                Err(e) => e.note(format!("{name}: {left}")),
                _ => Error::failed(format!("the deployment of {name} was declined; {left}")),
            });
        }
    }

    let since = latest_event(client, name).await?;
    {
        let mut f = in_flight();
        f.open.retain(|o| *o != open);
        f.executing.push(name.to_owned());
    }
    execute(client, name, &change_set).await?;
    let mut p = Progress::new(name, input.manifest.resources, opts.progress_events, *ui);
    let f = follow(client, name, since, deadline, &mut p).await?;
    in_flight().executing.retain(|s| s != name);
    if !status::is_success(&f.status) {
        return Err(failure(name, "the deployment", &f));
    }
    let protect = opts.termination_protection || input.manifest.termination_protection;
    if protect {
        client
            .update_termination_protection()
            .stack_name(name)
            .enable_termination_protection(true)
            .send()
            .await
            .map_err(|e| aws::error(&format!("turning on termination protection of {name}"), e))?;
    }
    let outputs = describe(client, name)
        .await?
        .map(|d| d.outputs)
        .unwrap_or_default();
    Ok(Deployed::Done(outputs))
}

/// Executes a change set. The request token makes the SDK's retries of a
/// lost answer one execution; when the call still fails, the change set's
/// own status tells whether it started anyway (a retry that finds it
/// executing is "InvalidChangeSetStatus", not a failure).
async fn execute(client: &Client, stack: &str, change_set: &str) -> Result<()> {
    let sent = client
        .execute_change_set()
        .stack_name(stack)
        .change_set_name(change_set)
        .client_request_token(change_set)
        .send()
        .await;
    let Err(e) = sent else {
        return Ok(());
    };
    let error = aws::error(&format!("executing the change set of stack {stack}"), e);
    let started = client
        .describe_change_set()
        .stack_name(stack)
        .change_set_name(change_set)
        .send()
        .await
        .ok()
        .and_then(|d| d.execution_status().cloned())
        .is_some_and(|s| {
            matches!(
                s,
                aws_sdk_cloudformation::types::ExecutionStatus::ExecuteInProgress
                    | aws_sdk_cloudformation::types::ExecutionStatus::ExecuteComplete
                    | aws_sdk_cloudformation::types::ExecutionStatus::ExecuteFailed
            )
        });
    if started {
        Ok(())
    } else {
        Err(error)
    }
}

/// Asks on the terminal; without one, approval cannot be given.
fn approve(stack: &str, mode: Approval) -> Result<bool> {
    let why = match mode {
        Approval::Broadening => "it broadens permissions or network access",
        _ => "--require-approval any-change",
    };
    match crate::ui::ask(&format!("Deploy these changes to {stack} ({why})?")) {
        None => Err(Error::failed(format!(
            "deploying {stack} needs approval because {why}, and there is no terminal to ask on; review the diff and pass --require-approval never to deploy without asking"
        ))),
        Some(answer) => answer.map_err(|e| Error::failed(format!("cannot read the answer: {e}"))),
    }
}

/// Uploads a large template and returns its URL.
pub(crate) async fn upload(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    stack: &str,
    body: &str,
    region: &str,
) -> Result<String> {
    let key = format!(
        "synth/{stack}/{}.template.json",
        synth::logical_id::short_hash(body)
    );
    s3.put_object()
        .bucket(bucket)
        .key(&key)
        .body(body.as_bytes().to_vec().into())
        .send()
        .await
        .map_err(|e| {
            aws::error(
                &format!("uploading the template of {stack} to s3://{bucket}"),
                e,
            )
        })?;
    // The URL form CloudFormation documents; local endpoints map it to
    // their own S3 as well.
    Ok(format!("https://{bucket}.s3.{region}.amazonaws.com/{key}"))
}

/// Destroys one stack and waits for it to be gone.
pub async fn destroy_stack(
    client: &Client,
    name: &str,
    resources: usize,
    opts: &DeployOptions,
    ui: &crate::ui::Ui,
) -> Result<bool> {
    let deadline = deadline_after(opts.timeout);
    bounded(
        name,
        "the deletion",
        deadline,
        destroy_until(client, name, resources, opts, ui, deadline),
    )
    .await
}

async fn destroy_until(
    client: &Client,
    name: &str,
    resources: usize,
    opts: &DeployOptions,
    ui: &crate::ui::Ui,
    deadline: Instant,
) -> Result<bool> {
    let Some(d) = describe(client, name).await? else {
        ui.info(format!("{name}: does not exist"));
        return Ok(false);
    };
    if d.termination_protection {
        return Err(Error::failed(format!(
            "stack {name} has termination protection; turn it off (aws cloudformation update-termination-protection --no-enable-termination-protection --stack-name {name}) to destroy it"
        )));
    }
    // REVIEW_IN_PROGRESS is no operation: only a change set was created.
    if !status::is_terminal(&d.status) && d.status != "REVIEW_IN_PROGRESS" {
        return Err(Error::failed(format!(
            "stack {name} is busy with another operation ({}); wait for it to finish",
            d.status
        )));
    }
    let since = latest_event(client, name).await?;
    in_flight().executing.push(name.to_owned());
    client
        .delete_stack()
        .stack_name(name)
        .set_role_arn(opts.role_arn.clone())
        .send()
        .await
        .map_err(|e| aws::error(&format!("deleting stack {name}"), e))?;
    let mut p = Progress::new(name, resources, opts.progress_events, *ui);
    let f = follow(client, name, since, deadline, &mut p).await?;
    in_flight().executing.retain(|s| s != name);
    if f.status != "DELETE_COMPLETE" {
        return Err(failure(name, "the deletion", &f));
    }
    Ok(true)
}
