//! The `CreationPolicy` and `UpdatePolicy` resource attributes, set with
//! [`Scope::creation_policy`](crate::Scope::creation_policy) and
//! [`Scope::update_policy`](crate::Scope::update_policy).
//!
//! Each key CloudFormation documents has a typed setter; a key this
//! library does not model (a newer one, or one a template writes as an
//! intrinsic function) can still be given by name with `set`, written as
//! is. Keys are written in the order they were set, replacing a key set
//! twice. Synthesis refuses a policy on a type that takes none (custom
//! resources take neither), keys that exclude each other and literal
//! percentages outside 0-100.

use indexmap::IndexMap;

use crate::value::{Val, Value};

/// Ordered keys of one policy object; a key set again is replaced in place.
#[derive(Clone, Debug, Default, PartialEq)]
struct Entries(IndexMap<String, Value>);

impl Entries {
    fn set(&mut self, key: impl Into<String>, value: Value) {
        self.0.insert(key.into(), value);
    }

    fn into_value(self) -> Value {
        Value::Map(self.0)
    }
}

/// `CreationPolicy`: CloudFormation waits for success signals (or an
/// AppStream fleet to start) before it counts the resource as created.
/// Taken by `AWS::AutoScaling::AutoScalingGroup`, `AWS::EC2::Instance`,
/// `AWS::CloudFormation::WaitCondition` and `AWS::AppStream::Fleet`.
/// Default (`CreationPolicy::new()`): no key set.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CreationPolicy {
    entries: Entries,
}

impl CreationPolicy {
    pub fn new() -> Self {
        CreationPolicy::default()
    }

    /// `ResourceSignal`: how many signals to wait for, and how long.
    /// Default: not set.
    pub fn resource_signal(mut self, signal: ResourceSignal) -> Self {
        self.entries
            .set("ResourceSignal", signal.entries.into_value());
        self
    }

    /// `AutoScalingCreationPolicy.MinSuccessfulInstancesPercent`: the
    /// share of an Auto Scaling group's instances that must signal
    /// success (0-100). Default: not set (CloudFormation requires 100).
    pub fn min_successful_instances_percent(mut self, percent: impl Into<Val<i64>>) -> Self {
        let mut inner = Entries::default();
        inner.set("MinSuccessfulInstancesPercent", percent.into().into_value());
        self.entries
            .set("AutoScalingCreationPolicy", inner.into_value());
        self
    }

    /// `StartFleet`: start an AppStream fleet after creating it. Default:
    /// not set (not started).
    pub fn start_fleet(mut self, start: impl Into<Val<bool>>) -> Self {
        self.entries.set("StartFleet", start.into().into_value());
        self
    }

    /// A key this type has no setter for, written as given. Prefer the
    /// typed setters. Default: none.
    pub fn set(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.entries.set(key, value.into());
        self
    }

    pub(crate) fn into_value(self) -> Value {
        self.entries.into_value()
    }
}

/// `ResourceSignal` of a [`CreationPolicy`]. Default: no key set (one
/// signal, within CloudFormation's default of five minutes).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResourceSignal {
    entries: Entries,
}

impl ResourceSignal {
    pub fn new() -> Self {
        ResourceSignal::default()
    }

    /// `Count`: success signals to wait for. Default: not set (1).
    pub fn count(mut self, count: impl Into<Val<i64>>) -> Self {
        self.entries.set("Count", count.into().into_value());
        self
    }

    /// `Timeout`: how long to wait, an ISO 8601 duration such as
    /// `"PT15M"` (at most 12 hours). Default: not set (`PT5M`).
    pub fn timeout(mut self, duration: impl Into<Val<String>>) -> Self {
        self.entries.set("Timeout", duration.into().into_value());
        self
    }
}

/// `UpdatePolicy`: how CloudFormation updates an Auto Scaling group, a
/// Lambda alias (through CodeDeploy), an OpenSearch or Elasticsearch
/// domain, an ElastiCache replication group or an AppStream fleet.
/// Default (`UpdatePolicy::new()`): no key set.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UpdatePolicy {
    entries: Entries,
}

impl UpdatePolicy {
    pub fn new() -> Self {
        UpdatePolicy::default()
    }

    /// `AutoScalingRollingUpdate`: replace an Auto Scaling group's
    /// instances in batches. Default: not set.
    pub fn auto_scaling_rolling_update(mut self, update: RollingUpdate) -> Self {
        self.entries
            .set("AutoScalingRollingUpdate", update.entries.into_value());
        self
    }

    /// `AutoScalingReplacingUpdate.WillReplace`: replace the whole Auto
    /// Scaling group on update. Default: not set.
    pub fn auto_scaling_replacing_update(mut self, will_replace: impl Into<Val<bool>>) -> Self {
        let mut inner = Entries::default();
        inner.set("WillReplace", will_replace.into().into_value());
        self.entries
            .set("AutoScalingReplacingUpdate", inner.into_value());
        self
    }

    /// `AutoScalingScheduledAction.IgnoreUnmodifiedGroupSizeProperties`:
    /// keep sizes scheduled actions changed when the template's sizes did
    /// not change. Default: not set.
    pub fn auto_scaling_scheduled_action(
        mut self,
        ignore_unmodified_group_size_properties: impl Into<Val<bool>>,
    ) -> Self {
        let mut inner = Entries::default();
        inner.set(
            "IgnoreUnmodifiedGroupSizeProperties",
            ignore_unmodified_group_size_properties.into().into_value(),
        );
        self.entries
            .set("AutoScalingScheduledAction", inner.into_value());
        self
    }

    /// `CodeDeployLambdaAliasUpdate`: shift a Lambda alias's traffic
    /// through a CodeDeploy deployment. Default: not set.
    pub fn code_deploy_lambda_alias_update(mut self, update: CodeDeployLambdaAliasUpdate) -> Self {
        self.entries
            .set("CodeDeployLambdaAliasUpdate", update.entries.into_value());
        self
    }

    /// `EnableVersionUpgrade`: upgrade an OpenSearch or Elasticsearch
    /// domain's engine version in place instead of replacing it. Default:
    /// not set (replaced).
    pub fn enable_version_upgrade(mut self, enable: impl Into<Val<bool>>) -> Self {
        self.entries
            .set("EnableVersionUpgrade", enable.into().into_value());
        self
    }

    /// `UseOnlineResharding`: change an ElastiCache replication group's
    /// shards without replacing it. Default: not set (replaced).
    pub fn use_online_resharding(mut self, enable: impl Into<Val<bool>>) -> Self {
        self.entries
            .set("UseOnlineResharding", enable.into().into_value());
        self
    }

    /// A key this type has no setter for (`AutoScalingInstanceRefresh`,
    /// an AppStream fleet's `StopBeforeUpdate`, ...), written as given.
    /// Prefer the typed setters. Default: none.
    pub fn set(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.entries.set(key, value.into());
        self
    }

    pub(crate) fn into_value(self) -> Value {
        self.entries.into_value()
    }
}

/// `AutoScalingRollingUpdate` of an [`UpdatePolicy`]. Default: no key
/// set (CloudFormation's defaults: batches of one, no minimum in service,
/// no pause, no processes suspended, no signals awaited).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RollingUpdate {
    entries: Entries,
}

impl RollingUpdate {
    pub fn new() -> Self {
        RollingUpdate::default()
    }

    /// `MaxBatchSize`: instances replaced at once. Default: not set (1).
    pub fn max_batch_size(mut self, n: impl Into<Val<i64>>) -> Self {
        self.entries.set("MaxBatchSize", n.into().into_value());
        self
    }

    /// `MinInstancesInService`. Default: not set (0).
    pub fn min_instances_in_service(mut self, n: impl Into<Val<i64>>) -> Self {
        self.entries
            .set("MinInstancesInService", n.into().into_value());
        self
    }

    /// `MinActiveInstancesPercent` (0-100). Default: not set (100).
    pub fn min_active_instances_percent(mut self, percent: impl Into<Val<i64>>) -> Self {
        self.entries
            .set("MinActiveInstancesPercent", percent.into().into_value());
        self
    }

    /// `MinSuccessfulInstancesPercent` (0-100): with
    /// `wait_on_resource_signals`, the share that must signal. Default:
    /// not set (100).
    pub fn min_successful_instances_percent(mut self, percent: impl Into<Val<i64>>) -> Self {
        self.entries
            .set("MinSuccessfulInstancesPercent", percent.into().into_value());
        self
    }

    /// `PauseTime`: an ISO 8601 duration (`"PT15M"`) to wait after each
    /// batch, or for its signals. Default: not set (`PT0S`, or `PT5M`
    /// when waiting on signals).
    pub fn pause_time(mut self, duration: impl Into<Val<String>>) -> Self {
        self.entries.set("PauseTime", duration.into().into_value());
        self
    }

    /// `SuspendProcesses`: Auto Scaling processes suspended during the
    /// update (`"HealthCheck"`, `"AZRebalance"`, ...). Default: not set.
    pub fn suspend_processes(mut self, processes: impl Into<Val<Vec<String>>>) -> Self {
        self.entries
            .set("SuspendProcesses", processes.into().into_value());
        self
    }

    /// `WaitOnResourceSignals`: wait for each new instance's signal.
    /// Default: not set (false).
    pub fn wait_on_resource_signals(mut self, wait: impl Into<Val<bool>>) -> Self {
        self.entries
            .set("WaitOnResourceSignals", wait.into().into_value());
        self
    }
}

/// `CodeDeployLambdaAliasUpdate` of an [`UpdatePolicy`]: the CodeDeploy
/// application and deployment group are required; the hooks default to
/// none.
#[derive(Clone, Debug, PartialEq)]
pub struct CodeDeployLambdaAliasUpdate {
    entries: Entries,
}

impl CodeDeployLambdaAliasUpdate {
    pub fn new(
        application_name: impl Into<Val<String>>,
        deployment_group_name: impl Into<Val<String>>,
    ) -> Self {
        let mut entries = Entries::default();
        entries.set("ApplicationName", application_name.into().into_value());
        entries.set(
            "DeploymentGroupName",
            deployment_group_name.into().into_value(),
        );
        CodeDeployLambdaAliasUpdate { entries }
    }

    /// `BeforeAllowTrafficHook`: a Lambda function's name run before
    /// traffic shifts. Default: none.
    pub fn before_allow_traffic_hook(mut self, function: impl Into<Val<String>>) -> Self {
        self.entries
            .set("BeforeAllowTrafficHook", function.into().into_value());
        self
    }

    /// `AfterAllowTrafficHook`: a Lambda function's name run after traffic
    /// shifted. Default: none.
    pub fn after_allow_traffic_hook(mut self, function: impl Into<Val<String>>) -> Self {
        self.entries
            .set("AfterAllowTrafficHook", function.into().into_value());
        self
    }
}

/// The types that take an `UpdatePolicy` (cfn-lint's `update_policy`
/// schema and CloudFormation's documentation of the attribute).
pub(crate) const UPDATE_POLICY_TYPES: &[&str] = &[
    "AWS::AppStream::Fleet",
    "AWS::AutoScaling::AutoScalingGroup",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::Elasticsearch::Domain",
    "AWS::Lambda::Alias",
    "AWS::OpenSearchService::Domain",
];

/// The types that take a `CreationPolicy`.
pub(crate) const CREATION_POLICY_TYPES: &[&str] = &[
    "AWS::AppStream::Fleet",
    "AWS::AutoScaling::AutoScalingGroup",
    "AWS::CloudFormation::WaitCondition",
    "AWS::EC2::Instance",
];

/// Whether `type_name` is a custom resource (which takes `Version` and
/// neither policy).
pub(crate) fn is_custom(type_name: &str) -> bool {
    type_name.starts_with("Custom::") || type_name == "AWS::CloudFormation::CustomResource"
}

/// Keys CloudFormation refuses together in one policy (cfn-lint's
/// `update_policy` schema: an instance refresh replaces rolling updates).
pub(crate) fn conflict(policy: &Value) -> Option<&'static str> {
    let Value::Map(m) = policy else { return None };
    (m.contains_key("AutoScalingInstanceRefresh") && m.contains_key("AutoScalingRollingUpdate"))
        .then_some(
            "AutoScalingInstanceRefresh and AutoScalingRollingUpdate exclude each other; keep one",
        )
}

/// Literal percentages outside 0-100 anywhere in a policy, as
/// `Key.Key: value` for the message.
pub(crate) fn bad_percentages(policy: &Value) -> Vec<String> {
    fn walk(v: &Value, at: &str, out: &mut Vec<String>) {
        if let Value::Map(m) = v {
            for (k, v) in m {
                let here = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                match v {
                    Value::Int(n) if k.ends_with("Percent") && !(0..=100).contains(n) => {
                        out.push(format!("{here}: {n}"))
                    }
                    _ => walk(v, &here, out),
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(policy, "", &mut out);
    out
}
