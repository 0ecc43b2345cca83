//! Stacks and the scopes that build the construct tree inside them.

use std::collections::HashSet;
use std::marker::PhantomData;

use indexmap::IndexMap;

use crate::diagnostics::Diagnostic;
use crate::ids::{ConditionId, MappingId, ParameterId, ResourceId, StackId};
use crate::manifest::Environment;
use crate::resource::{Handle, Props, Resource, ResourceOptions};
use crate::schema::TypeMeta;
use crate::value::{Intrinsic, RefTarget, Val, Value};

/// A CloudFormation stack: the unit of deployment. Build its contents
/// through [`Stack::scope`] or the shortcuts that delegate to it.
#[derive(Debug)]
pub struct Stack {
    pub(crate) id: StackId,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) env: Environment,
    pub(crate) tags: Vec<(String, String)>,
    pub(crate) termination_protection: bool,
    pub(crate) context: std::sync::Arc<IndexMap<String, String>>,
    /// Every construct path in the stack, to catch duplicate ids.
    pub(crate) paths: HashSet<String>,
    pub(crate) resources: Vec<ResourceNode>,
    pub(crate) parameters: Vec<ParameterNode>,
    pub(crate) outputs: Vec<OutputNode>,
    pub(crate) conditions: Vec<ConditionNode>,
    pub(crate) mappings: Vec<MappingNode>,
    pub(crate) rules: Vec<RuleNode>,
    /// Stacks this one must deploy after, besides those it imports from.
    pub(crate) explicit_deps: Vec<StackId>,
    pub(crate) errors: Vec<Diagnostic>,
}

#[derive(Debug)]
pub(crate) struct ResourceNode {
    pub path: String,
    pub type_name: String,
    pub meta: Option<&'static TypeMeta>,
    pub props: Props,
    pub options: ResourceOptions,
}

#[derive(Debug)]
pub(crate) struct ParameterNode {
    pub path: String,
    pub spec: ParameterSpec,
}

#[derive(Debug)]
pub(crate) struct OutputNode {
    pub path: String,
    pub value: Value,
    pub description: Option<String>,
    pub export_name: Option<Value>,
    pub condition: Option<ConditionId>,
}

#[derive(Debug)]
pub(crate) struct ConditionNode {
    pub path: String,
    pub expression: Value,
}

#[derive(Debug)]
pub(crate) struct MappingNode {
    pub path: String,
    pub entries: IndexMap<String, IndexMap<String, Value>>,
}

#[derive(Debug)]
pub(crate) struct RuleNode {
    pub path: String,
    pub condition: Option<Value>,
    pub assertions: Vec<(Value, Option<String>)>,
}

impl Stack {
    pub(crate) fn new(
        id: StackId,
        name: &str,
        env: Environment,
        context: std::sync::Arc<IndexMap<String, String>>,
    ) -> Stack {
        let mut stack = Stack {
            id,
            name: name.to_owned(),
            description: None,
            env,
            tags: Vec::new(),
            termination_protection: false,
            context,
            paths: HashSet::new(),
            resources: Vec::new(),
            parameters: Vec::new(),
            outputs: Vec::new(),
            conditions: Vec::new(),
            mappings: Vec::new(),
            rules: Vec::new(),
            explicit_deps: Vec::new(),
            errors: Vec::new(),
        };
        if let Some(problem) = stack_name_problem(name) {
            stack.errors.push(Diagnostic::error(name, problem));
        }
        stack
    }

    pub fn id(&self) -> StackId {
        self.id
    }

    /// The CloudFormation stack name, also the root of every path in it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The template's `Description`.
    pub fn description(&mut self, text: impl Into<String>) -> &mut Self {
        self.description = Some(text.into());
        self
    }

    /// Pins the stack to a region. References between stacks pinned to
    /// different regions are an error.
    pub fn region(&mut self, region: impl Into<String>) -> &mut Self {
        self.env.region = Some(region.into());
        self
    }

    /// Pins the stack to an account.
    pub fn account(&mut self, account: impl Into<String>) -> &mut Self {
        self.env.account = Some(account.into());
        self
    }

    /// The region the stack is pinned to, or the app's default region.
    pub fn region_name(&self) -> Option<&str> {
        self.env.region.as_deref()
    }

    /// A tag on the stack, applied to every taggable resource in it.
    pub fn tag(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Self {
        let key = key.into();
        self.tags.retain(|(k, _)| *k != key);
        self.tags.push((key, value.into()));
        self
    }

    /// Asks CloudFormation to refuse deleting the stack.
    pub fn termination_protection(&mut self, on: bool) -> &mut Self {
        self.termination_protection = on;
        self
    }

    /// Deploys this stack after `other`, without any reference between them.
    pub fn add_dependency(&mut self, other: &Stack) -> &mut Self {
        if !self.explicit_deps.contains(&other.id) {
            self.explicit_deps.push(other.id);
        }
        self
    }

    /// A context value passed in by the command line (`-c key=value`).
    pub fn context(&self, key: &str) -> Option<&str> {
        self.context.get(key).map(String::as_str)
    }

    /// The root scope of the stack, for constructs to add children to.
    pub fn scope(&mut self) -> Scope<'_> {
        let path = self.name.clone();
        Scope { stack: self, path }
    }

    /// Adds a resource at the stack's root. See [`Scope::add`].
    pub fn add<R: Resource>(&mut self, id: &str, resource: R) -> Handle<R> {
        self.scope().add(id, resource)
    }

    /// See [`Scope::parameter`].
    pub fn parameter<T>(&mut self, id: &str, spec: ParameterSpec<T>) -> Parameter<T> {
        self.scope().parameter(id, spec)
    }

    /// See [`Scope::output`].
    pub fn output(&mut self, id: &str, value: impl Into<Value>) -> OutputBuilder<'_> {
        let index = self.scope().push_output(id, value.into());
        OutputBuilder {
            output: &mut self.outputs[index],
        }
    }

    /// See [`Scope::condition`].
    pub fn condition(&mut self, id: &str, expression: Val<bool>) -> Condition {
        self.scope().condition(id, expression)
    }

    /// See [`Scope::mapping`].
    pub fn mapping<K1, K2, V, I, J>(&mut self, id: &str, entries: I) -> Mapping
    where
        I: IntoIterator<Item = (K1, J)>,
        J: IntoIterator<Item = (K2, V)>,
        K1: Into<String>,
        K2: Into<String>,
        V: Into<Value>,
    {
        self.scope().mapping(id, entries)
    }

    /// Number of resources defined so far.
    pub fn resource_count(&self) -> usize {
        self.resources.len()
    }
}

/// A place in a stack's construct tree: a path under which constructs and
/// resources get unique ids.
pub struct Scope<'s> {
    stack: &'s mut Stack,
    path: String,
}

/// Anything that can lend a scope: a stack or a scope.
pub trait AsScope {
    fn as_scope(&mut self) -> Scope<'_>;
}

impl AsScope for Stack {
    fn as_scope(&mut self) -> Scope<'_> {
        self.scope()
    }
}

impl AsScope for Scope<'_> {
    fn as_scope(&mut self) -> Scope<'_> {
        Scope {
            stack: self.stack,
            path: self.path.clone(),
        }
    }
}

impl<'s> Scope<'s> {
    /// The construct path, `Stack/Vpc/PublicSubnet1`.
    pub fn path(&self) -> &str {
        &self.path
    }

    pub fn stack_name(&self) -> &str {
        &self.stack.name
    }

    /// The stack's region, when pinned.
    pub fn region(&self) -> Option<&str> {
        self.stack.env.region.as_deref()
    }

    /// The stack's account, when pinned.
    pub fn account(&self) -> Option<&str> {
        self.stack.env.account.as_deref()
    }

    /// A context value passed in by the command line.
    pub fn context(&self, key: &str) -> Option<&str> {
        self.stack.context(key)
    }

    /// A child construct: a new scope one level down. A duplicate id is
    /// recorded as an error naming the path.
    pub fn child(&mut self, id: &str) -> Scope<'_> {
        let path = self.claim(id);
        Scope {
            stack: self.stack,
            path,
        }
    }

    /// Records a construct-level error at this scope's path, reported with
    /// all others when the app synthesizes.
    pub fn error(&mut self, message: impl Into<String>) {
        let path = self.path.clone();
        self.stack.errors.push(Diagnostic::error(path, message));
    }

    /// Records a warning at this scope's path.
    pub fn warning(&mut self, message: impl Into<String>) {
        let path = self.path.clone();
        self.stack.errors.push(Diagnostic::warning(path, message));
    }

    /// Adds a resource and returns its typed handle.
    pub fn add<R: Resource>(&mut self, id: &str, resource: R) -> Handle<R> {
        let path = self.claim(id);
        let type_name = resource.type_name().to_owned();
        let meta = resource.meta();
        let (props, options) = resource.into_parts();
        let index = self.stack.resources.len() as u32;
        self.stack.resources.push(ResourceNode {
            path,
            type_name,
            meta,
            props,
            options,
        });
        Handle::new(ResourceId {
            stack: self.stack.id,
            index,
        })
    }

    /// Declares a template parameter.
    pub fn parameter<T>(&mut self, id: &str, spec: ParameterSpec<T>) -> Parameter<T> {
        let path = self.claim(id);
        let index = self.stack.parameters.len() as u32;
        self.stack.parameters.push(ParameterNode {
            path,
            spec: ParameterSpec {
                marker: PhantomData,
                ..spec.untyped()
            },
        });
        Parameter {
            id: ParameterId {
                stack: self.stack.id,
                index,
            },
            marker: PhantomData,
        }
    }

    /// Declares a stack output; chain `.export(..)`, `.description(..)`.
    pub fn output(&mut self, id: &str, value: impl Into<Value>) -> OutputBuilder<'_> {
        let index = self.push_output(id, value.into());
        OutputBuilder {
            output: &mut self.stack.outputs[index],
        }
    }

    fn push_output(&mut self, id: &str, value: Value) -> usize {
        let path = self.claim(id);
        self.stack.outputs.push(OutputNode {
            path,
            value,
            description: None,
            export_name: None,
            condition: None,
        });
        self.stack.outputs.len() - 1
    }

    /// Declares a condition, built from `fns::equals`, `and`, `or`, `not`.
    pub fn condition(&mut self, id: &str, expression: Val<bool>) -> Condition {
        let path = self.claim(id);
        let index = self.stack.conditions.len() as u32;
        self.stack.conditions.push(ConditionNode {
            path,
            expression: expression.into_value(),
        });
        Condition {
            id: ConditionId {
                stack: self.stack.id,
                index,
            },
        }
    }

    /// Declares a two-level mapping, read with [`Mapping::find`].
    pub fn mapping<K1, K2, V, I, J>(&mut self, id: &str, entries: I) -> Mapping
    where
        I: IntoIterator<Item = (K1, J)>,
        J: IntoIterator<Item = (K2, V)>,
        K1: Into<String>,
        K2: Into<String>,
        V: Into<Value>,
    {
        let path = self.claim(id);
        let entries = entries
            .into_iter()
            .map(|(k, inner)| {
                let inner = inner
                    .into_iter()
                    .map(|(k2, v)| (k2.into(), v.into()))
                    .collect();
                (k.into(), inner)
            })
            .collect();
        let index = self.stack.mappings.len() as u32;
        self.stack.mappings.push(MappingNode { path, entries });
        Mapping {
            id: MappingId {
                stack: self.stack.id,
                index,
            },
        }
    }

    /// Declares a template rule: when `condition` (if any) holds, every
    /// assertion must hold or CloudFormation rejects the parameters.
    pub fn rule(&mut self, id: &str, rule: Rule) {
        let path = self.claim(id);
        self.stack.rules.push(RuleNode {
            path,
            condition: rule.condition,
            assertions: rule.assertions,
        });
    }

    /// Registers `id` under this scope and returns its path.
    fn claim(&mut self, id: &str) -> String {
        let path = format!("{}/{}", self.path, id);
        if id.is_empty() || id.contains('/') {
            self.stack.errors.push(Diagnostic::error(
                &path,
                format!("construct id {id:?} must be non-empty and must not contain '/'"),
            ));
        } else if !self.stack.paths.insert(path.clone()) {
            self.stack.errors.push(Diagnostic::error(
                &path,
                format!(
                    "duplicate construct id {id:?} under {}; give each child of a scope a unique id",
                    self.path
                ),
            ));
        }
        path
    }
}

/// Why a stack name is not one CloudFormation accepts, if it is not.
fn stack_name_problem(name: &str) -> Option<String> {
    let valid = name.len() <= 128
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    (!valid).then(|| {
        format!(
            "stack name {name:?} is invalid: use 1-128 letters, digits and hyphens, starting with a letter"
        )
    })
}

/// A declared parameter, typed by what its `Ref` evaluates to.
pub struct Parameter<T> {
    id: ParameterId,
    marker: PhantomData<fn() -> T>,
}

impl<T> Clone for Parameter<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Parameter<T> {}
impl<T> std::fmt::Debug for Parameter<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.id.fmt(f)
    }
}

impl<T> Parameter<T> {
    pub fn id(&self) -> ParameterId {
        self.id
    }

    /// `{"Ref": <parameter>}`.
    pub fn value(&self) -> Val<T> {
        Val::from_value(Value::intrinsic(Intrinsic::Ref(RefTarget::Parameter(
            self.id,
        ))))
    }
}

/// A parameter declaration: its CloudFormation type and constraints.
#[derive(Debug)]
pub struct ParameterSpec<T = ()> {
    pub(crate) type_name: String,
    pub(crate) description: Option<String>,
    pub(crate) default: Option<Value>,
    pub(crate) allowed_values: Vec<Value>,
    pub(crate) allowed_pattern: Option<String>,
    pub(crate) constraint_description: Option<String>,
    pub(crate) min_length: Option<u64>,
    pub(crate) max_length: Option<u64>,
    pub(crate) min_value: Option<f64>,
    pub(crate) max_value: Option<f64>,
    pub(crate) no_echo: bool,
    marker: PhantomData<fn() -> T>,
}

impl ParameterSpec<String> {
    /// A `String` parameter.
    pub fn string() -> Self {
        ParameterSpec::of_type("String")
    }

    /// A parameter of an AWS-specific type that evaluates to a string, such
    /// as `AWS::EC2::VPC::Id` or `AWS::SSM::Parameter::Value<String>`.
    pub fn aws_type(type_name: &str) -> Self {
        ParameterSpec::of_type(type_name)
    }
}

impl ParameterSpec<f64> {
    /// A `Number` parameter.
    pub fn number() -> Self {
        ParameterSpec::of_type("Number")
    }
}

impl ParameterSpec<Vec<String>> {
    /// A `CommaDelimitedList` parameter.
    pub fn list() -> Self {
        ParameterSpec::of_type("CommaDelimitedList")
    }

    /// A list parameter of an AWS-specific type, such as
    /// `List<AWS::EC2::Subnet::Id>`.
    pub fn aws_list_type(type_name: &str) -> Self {
        ParameterSpec::of_type(type_name)
    }
}

impl<T> ParameterSpec<T> {
    fn of_type(type_name: &str) -> Self {
        ParameterSpec {
            type_name: type_name.to_owned(),
            description: None,
            default: None,
            allowed_values: Vec::new(),
            allowed_pattern: None,
            constraint_description: None,
            min_length: None,
            max_length: None,
            min_value: None,
            max_value: None,
            no_echo: false,
            marker: PhantomData,
        }
    }

    fn untyped(self) -> ParameterSpec<()> {
        ParameterSpec {
            type_name: self.type_name,
            description: self.description,
            default: self.default,
            allowed_values: self.allowed_values,
            allowed_pattern: self.allowed_pattern,
            constraint_description: self.constraint_description,
            min_length: self.min_length,
            max_length: self.max_length,
            min_value: self.min_value,
            max_value: self.max_value,
            no_echo: self.no_echo,
            marker: PhantomData,
        }
    }

    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// The value used when a deploy gives none.
    pub fn default(mut self, value: impl Into<Value>) -> Self {
        self.default = Some(value.into());
        self
    }

    pub fn allowed_values<V: Into<Value>>(mut self, values: impl IntoIterator<Item = V>) -> Self {
        self.allowed_values = values.into_iter().map(Into::into).collect();
        self
    }

    /// A regular expression the whole value must match.
    pub fn allowed_pattern(mut self, pattern: impl Into<String>) -> Self {
        self.allowed_pattern = Some(pattern.into());
        self
    }

    /// What CloudFormation shows when a constraint fails.
    pub fn constraint_description(mut self, text: impl Into<String>) -> Self {
        self.constraint_description = Some(text.into());
        self
    }

    pub fn min_length(mut self, n: u64) -> Self {
        self.min_length = Some(n);
        self
    }

    pub fn max_length(mut self, n: u64) -> Self {
        self.max_length = Some(n);
        self
    }

    pub fn min_value(mut self, n: f64) -> Self {
        self.min_value = Some(n);
        self
    }

    pub fn max_value(mut self, n: f64) -> Self {
        self.max_value = Some(n);
        self
    }

    /// Masks the value in the console and API responses.
    pub fn no_echo(mut self) -> Self {
        self.no_echo = true;
        self
    }
}

/// A declared output, being configured.
pub struct OutputBuilder<'a> {
    output: &'a mut OutputNode,
}

impl OutputBuilder<'_> {
    pub fn description(self, text: impl Into<String>) -> Self {
        self.output.description = Some(text.into());
        self
    }

    /// Exports the output under a name other stacks can import. Export
    /// names must be unique within an account and region.
    pub fn export(self, name: impl Into<Val<String>>) -> Self {
        self.output.export_name = Some(name.into().into_value());
        self
    }

    /// Declares the output only when the condition holds.
    pub fn condition(self, condition: Condition) -> Self {
        self.output.condition = Some(condition.id);
        self
    }
}

/// A declared condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Condition {
    id: ConditionId,
}

impl Condition {
    pub fn id(&self) -> ConditionId {
        self.id
    }

    /// `{"Condition": name}`: this condition inside another condition.
    pub fn value(&self) -> Val<bool> {
        Val::from_value(Value::intrinsic(Intrinsic::Condition(self.id)))
    }
}

/// A declared mapping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mapping {
    id: MappingId,
}

impl Mapping {
    pub fn id(&self) -> MappingId {
        self.id
    }

    /// `Fn::FindInMap`: the value under the two keys.
    pub fn find<T>(
        &self,
        top_level_key: impl Into<Val<String>>,
        second_level_key: impl Into<Val<String>>,
    ) -> Val<T> {
        Val::from_value(Value::intrinsic(Intrinsic::FindInMap(
            self.id,
            top_level_key.into().into_value(),
            second_level_key.into().into_value(),
        )))
    }
}

/// A template rule, validating parameters before any resource is touched.
#[derive(Debug, Default)]
pub struct Rule {
    condition: Option<Value>,
    assertions: Vec<(Value, Option<String>)>,
}

impl Rule {
    pub fn new() -> Self {
        Rule::default()
    }

    /// Applies the rule only when this holds (`RuleCondition`).
    pub fn when(mut self, condition: Val<bool>) -> Self {
        self.condition = Some(condition.into_value());
        self
    }

    /// An assertion with the message CloudFormation shows when it fails.
    pub fn assert(mut self, assertion: Val<bool>, description: impl Into<String>) -> Self {
        self.assertions
            .push((assertion.into_value(), Some(description.into())));
        self
    }
}
