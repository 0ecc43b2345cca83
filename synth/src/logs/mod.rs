//! CloudWatch Logs constructs: a log group with typed retention, retained
//! when removed from the stack, and a grant for writing to it.
//!
//! ```
//! use synth::prelude::*;
//! use synth::logs::{LogGroup, Retention};
//!
//! let mut app = App::new();
//! let stack = app.stack("Logs");
//! let group = stack.add("App", LogGroup::builder().name("/app/web").retention(Retention::OneMonth));
//! stack.output("LogGroup", group.name());
//! app.synth().expect("valid");
//! ```
//!
//! A log group made elsewhere is used by name wherever a built one is
//! accepted (`LogGroup::from_name`).

use crate::aws::logs as cfn;
use crate::construct::{Construct, HasNode};
use crate::element_ids::NodeId;
use crate::fns;
use crate::resource::{Handle, RemovalPolicy};
use crate::stack::Scope;
use crate::value::{Val, Value};

/// What `grant_write` allows, as aws-cdk-lib's `logGroup.grantWrite`.
pub const WRITE_ACTIONS: [&str; 2] = ["logs:CreateLogStream", "logs:PutLogEvents"];

/// The retention periods CloudWatch Logs accepts, named as aws-cdk-lib's
/// `logs.RetentionDays`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retention {
    OneDay,
    ThreeDays,
    FiveDays,
    OneWeek,
    TwoWeeks,
    OneMonth,
    TwoMonths,
    ThreeMonths,
    FourMonths,
    FiveMonths,
    SixMonths,
    OneYear,
    ThirteenMonths,
    EighteenMonths,
    TwoYears,
    ThreeYears,
    FiveYears,
    SixYears,
    SevenYears,
    EightYears,
    NineYears,
    TenYears,
    /// Events never expire (no `RetentionInDays`).
    Infinite,
    /// A number of days computed elsewhere; it must be one of the values
    /// above, or synthesis reports it.
    Days(u32),
}

/// Every number of days CloudWatch Logs accepts as `RetentionInDays`.
pub const RETENTION_DAYS: [u32; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

impl Retention {
    /// The named periods, in the order of [`RETENTION_DAYS`].
    const NAMED: [Retention; 22] = [
        Retention::OneDay,
        Retention::ThreeDays,
        Retention::FiveDays,
        Retention::OneWeek,
        Retention::TwoWeeks,
        Retention::OneMonth,
        Retention::TwoMonths,
        Retention::ThreeMonths,
        Retention::FourMonths,
        Retention::FiveMonths,
        Retention::SixMonths,
        Retention::OneYear,
        Retention::ThirteenMonths,
        Retention::EighteenMonths,
        Retention::TwoYears,
        Retention::ThreeYears,
        Retention::FiveYears,
        Retention::SixYears,
        Retention::SevenYears,
        Retention::EightYears,
        Retention::NineYears,
        Retention::TenYears,
    ];

    /// The number of days, `None` for [`Retention::Infinite`].
    pub fn days(self) -> Option<u32> {
        match self {
            Retention::Infinite => None,
            Retention::Days(n) => Some(n),
            other => Self::NAMED
                .iter()
                .position(|r| *r == other)
                .map(|i| RETENTION_DAYS[i]),
        }
    }
}

/// How log events are encrypted at rest.
#[derive(Clone, Debug, PartialEq)]
pub enum Encryption {
    /// Encryption managed by CloudWatch Logs.
    Service,
    /// A customer managed KMS key, by ARN. Its key policy must allow the
    /// `logs.<region>.amazonaws.com` service principal to use it (a key
    /// built here: [`crate::kms::KeyBuilder::allow_cloudwatch_logs`]).
    Kms {
        key_arn: Val<String>,
        /// For a key built in the app: whether its policy lets CloudWatch
        /// Logs use it (checked at synthesis); `None` when unknown.
        logs_allowed: Option<bool>,
    },
}

impl Encryption {
    /// A KMS key built here or imported.
    #[cfg(all(feature = "kms", feature = "iam"))]
    pub fn kms(key: &crate::kms::Key) -> Self {
        Encryption::Kms {
            key_arn: key.arn(),
            logs_allowed: key.allows_cloudwatch_logs(),
        }
    }

    pub fn kms_arn(key_arn: impl Into<Val<String>>) -> Self {
        Encryption::Kms {
            key_arn: key_arn.into(),
            logs_allowed: None,
        }
    }
}

/// A log group, being configured; add it with [`Scope::add`] to get a
/// [`LogGroup`].
#[derive(Clone, Debug)]
pub struct LogGroupBuilder {
    name: Option<String>,
    retention: Retention,
    encryption: Encryption,
    removal: RemovalPolicy,
}

/// A log group: built in a stack, or imported by name.
#[derive(Clone, Debug)]
pub struct LogGroup {
    node: Option<NodeId>,
    handle: Option<Handle<cfn::CfnLogGroup>>,
    name: Val<String>,
}

impl HasNode for LogGroup {
    fn node(&self) -> Option<NodeId> {
        self.node
    }
}

/// `template` with `${Name}` standing for `name`: substituted in place
/// when the name is literal, a `Fn::Sub` variable otherwise.
fn with_name(template: &str, name: &Val<String>) -> Val<String> {
    match name.value() {
        Value::String(text) => fns::sub(template.replace("${Name}", text)),
        _ => fns::sub_with(template, [("Name", name.clone())]),
    }
}

impl LogGroup {
    /// Defaults: a generated name, two years' retention, encryption
    /// managed by CloudWatch Logs, retained when removed from the stack.
    pub fn builder() -> LogGroupBuilder {
        LogGroupBuilder {
            name: None,
            retention: Retention::TwoYears,
            encryption: Encryption::Service,
            removal: RemovalPolicy::Retain,
        }
    }

    /// An existing log group of the deploying account and region, by name.
    pub fn from_name(name: impl Into<String>) -> LogGroup {
        LogGroup {
            node: None,
            handle: None,
            name: name.into().into(),
        }
    }

    /// The `AWS::Logs::LogGroup` resource, when the group was built here.
    pub fn handle(&self) -> Option<Handle<cfn::CfnLogGroup>> {
        self.handle
    }

    /// The group's name (its `Ref` when built here).
    pub fn name(&self) -> Val<String> {
        self.name.clone()
    }

    /// `arn:<partition>:logs:<region>:<account>:log-group:<name>`.
    pub fn arn(&self) -> Val<String> {
        with_name(
            "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${Name}",
            &self.name,
        )
    }

    /// `<group ARN>:log-stream:*`: every stream of the group.
    pub fn streams_arn(&self) -> Val<String> {
        with_name(
            "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${Name}:log-stream:*",
            &self.name,
        )
    }

    /// Allows `role` to create streams in the group and put events into
    /// them: [`WRITE_ACTIONS`] on the group and its streams (aws-cdk-lib
    /// grants the same actions on the group's `Arn` attribute,
    /// `...:log-group:<name>:*`).
    #[cfg(feature = "iam")]
    pub fn grant_write(&self, role: &crate::iam::Role) -> crate::iam::Policy {
        use crate::iam::{Policy, PolicyDocument, Statement};
        Policy::builder(
            PolicyDocument::new().statement(
                Statement::allow()
                    .actions(WRITE_ACTIONS)
                    .resources([self.arn(), self.streams_arn()]),
            ),
        )
        .attach_to_role(role)
    }
}

impl LogGroupBuilder {
    /// The group name: 1-512 letters, digits and `_-/.#`. Default:
    /// CloudFormation generates a unique name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// How long events are kept. Default: [`Retention::TwoYears`], as
    /// aws-cdk-lib's `logs.LogGroup` (`RetentionDays.TWO_YEARS`).
    pub fn retention(mut self, retention: Retention) -> Self {
        self.retention = retention;
        self
    }

    /// Encryption at rest. Default: [`Encryption::Service`], as
    /// aws-cdk-lib's `logs.LogGroup`.
    pub fn encryption(mut self, encryption: Encryption) -> Self {
        self.encryption = encryption;
        self
    }

    /// What happens to the group when it leaves the stack or is replaced.
    /// Default: [`RemovalPolicy::Retain`], as aws-cdk-lib's `logs.LogGroup`.
    pub fn removal_policy(mut self, policy: RemovalPolicy) -> Self {
        self.removal = policy;
        self
    }
}

impl Construct for LogGroupBuilder {
    type Built = LogGroup;

    fn build(self, here: &mut Scope<'_>) -> LogGroup {
        let mut group = cfn::CfnLogGroup::new();
        if let Some(name) = &self.name {
            let ok = !name.is_empty()
                && name.len() <= 512
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-/.#".contains(c));
            if !ok {
                here.error(format!(
                    "log group name {name:?} is invalid: use 1-512 letters, digits and _-/.#"
                ));
            }
            group = group.log_group_name(name.as_str());
        }
        if let Some(days) = self.retention.days() {
            if !RETENTION_DAYS.contains(&days) {
                here.error(format!(
                    "retention of {days} days is not one CloudWatch Logs accepts; use one of {RETENTION_DAYS:?} or Retention::Infinite"
                ));
            }
            group = group.retention_in_days(i64::from(days));
        }
        if let Encryption::Kms {
            key_arn,
            logs_allowed,
        } = &self.encryption
        {
            if *logs_allowed == Some(false) {
                here.error(
                    "the KMS key does not let CloudWatch Logs use it, so the log group could not be created; build the key with Key::builder().allow_cloudwatch_logs()",
                );
            }
            group = group.kms_key_id(key_arn.clone());
        }
        let handle = here.add("Resource", group);
        here.edit(&handle).removal_policy(self.removal);
        LogGroup {
            node: Some(here.node_id()),
            handle: Some(handle),
            name: handle.reference(),
        }
    }
}
