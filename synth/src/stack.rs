//! Stacks and the scopes that build the construct tree inside them.

use std::collections::HashSet;
use std::marker::PhantomData;

use indexmap::IndexMap;

use crate::construct::{Construct, HasNode};
use crate::diagnostics::Diagnostic;
use crate::element_ids::{
    ConditionId, MappingId, NodeId, NodeKey, ParameterId, ResourceId, StackId,
};
use crate::manifest::Environment;
use crate::resource::{Handle, Props, RawResource, RemovalPolicy, Resource, ResourceOptions};
use crate::resource_policies::{CreationPolicy, UpdatePolicy};
use crate::schema::TypeMeta;
use crate::value::{Intrinsic, RefTarget, Val, Value};

/// A CloudFormation stack: the unit of deployment. Build its contents
/// through [`Stack::scope`] or the shortcuts that delegate to it.
#[derive(Debug)]
pub struct Stack {
    pub(crate) id: StackId,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    /// The template's top-level `Metadata`, in the order keys were set.
    pub(crate) metadata: Vec<(String, Value)>,
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
    /// Paths of the constructs whose built value carries a [`NodeId`].
    pub(crate) construct_paths: Vec<String>,
    /// Tags, dependencies and conditions set on constructs, applied to
    /// every resource under them at synthesis.
    pub(crate) node_settings: Vec<NodeSetting>,
    pub(crate) errors: Vec<Diagnostic>,
    /// Files other than templates that constructs add to the assembly.
    pub(crate) files: Vec<crate::assembly::AssemblyFile>,
}

#[derive(Debug)]
pub(crate) struct ResourceNode {
    pub path: String,
    pub type_name: String,
    pub meta: Option<&'static TypeMeta>,
    pub props: Props,
    pub options: ResourceOptions,
}

/// A resource option set on a construct rather than on one resource.
#[derive(Debug)]
pub(crate) struct NodeSetting {
    /// The construct's path: the setting applies to resources at or below it.
    pub path: String,
    pub kind: NodeSettingKind,
}

#[derive(Debug)]
pub(crate) enum NodeSettingKind {
    Tag(String, Val<String>),
    DependsOn(NodeId),
    Condition(ConditionId),
    /// A policy rule not to check on these resources, and why.
    Suppress {
        rule: String,
        reason: String,
    },
}

impl Stack {
    /// The settings made on constructs at or above `path`, shallowest
    /// first (then in the order they were made).
    pub(crate) fn settings_for<'a>(&'a self, path: &str) -> Vec<&'a NodeSetting> {
        if self.node_settings.is_empty() {
            return Vec::new();
        }
        let mut found: Vec<&NodeSetting> = self
            .node_settings
            .iter()
            .filter(|s| is_under(path, &s.path))
            .collect();
        found.sort_by_key(|s| s.path.len());
        found
    }

    /// The policy rules suppressed at or above `path`: (rule, reason),
    /// sorted by rule; of two suppressions of one rule the one set closer
    /// to the resource gives the reason.
    pub(crate) fn suppressions_for(&self, path: &str) -> Vec<(&str, &str)> {
        let mut out: Vec<(&str, &str)> = Vec::new();
        for setting in self.settings_for(path) {
            if let NodeSettingKind::Suppress { rule, reason } = &setting.kind {
                out.retain(|(r, _)| r != rule);
                out.push((rule, reason));
            }
        }
        out.sort();
        out
    }

    /// The resources a node stands for: the resource itself, or every
    /// resource at or below a construct's path.
    pub(crate) fn resources_of(&self, key: NodeKey) -> Vec<u32> {
        match key {
            NodeKey::Resource(i) => vec![i],
            NodeKey::Construct(i) => match self.construct_paths.get(i as usize) {
                Some(path) => self
                    .resources
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| is_under(&r.path, path))
                    .map(|(i, _)| i as u32)
                    .collect(),
                None => Vec::new(),
            },
        }
    }
}

/// True when `path` is `ancestor` or lies below it.
pub(crate) fn is_under(path: &str, ancestor: &str) -> bool {
    path.strip_prefix(ancestor)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

#[derive(Debug)]
pub(crate) struct ParameterNode {
    pub path: String,
    pub logical_id: Option<String>,
    pub spec: ParameterSpec,
}

#[derive(Debug)]
pub(crate) struct OutputNode {
    pub path: String,
    pub logical_id: Option<String>,
    pub value: Value,
    pub description: Option<String>,
    pub export_name: Option<Value>,
    pub condition: Option<ConditionId>,
}

#[derive(Debug)]
pub(crate) struct ConditionNode {
    pub path: String,
    pub logical_id: Option<String>,
    pub expression: Value,
}

#[derive(Debug)]
pub(crate) struct MappingNode {
    pub path: String,
    pub logical_id: Option<String>,
    pub entries: IndexMap<String, IndexMap<String, Value>>,
}

#[derive(Debug)]
pub(crate) struct RuleNode {
    pub path: String,
    pub logical_id: Option<String>,
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
            metadata: Vec::new(),
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
            construct_paths: Vec::new(),
            node_settings: Vec::new(),
            errors: Vec::new(),
            files: Vec::new(),
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

    /// The template's `Description`. Default: none.
    pub fn description(&mut self, text: impl Into<String>) -> &mut Self {
        self.description = Some(text.into());
        self
    }

    /// An entry of the template's top-level `Metadata` section
    /// (`AWS::CloudFormation::Interface`, `cfn-lint` settings, ...),
    /// replacing one of the same key; keys are written in the order they
    /// were first set. Not a resource's metadata: that is
    /// [`Scope::metadata`]. Default: no section.
    pub fn template_metadata(
        &mut self,
        key: impl Into<String>,
        value: impl Into<Value>,
    ) -> &mut Self {
        let key = key.into();
        let value = value.into();
        match self.metadata.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => *v = value,
            None => self.metadata.push((key, value)),
        }
        self
    }

    /// Pins the stack to a region. References between stacks pinned to
    /// different regions are an error. Default: the app's region (the one
    /// in force on the command line).
    pub fn region(&mut self, region: impl Into<String>) -> &mut Self {
        self.env.region = Some(region.into());
        self
    }

    /// Pins the stack to an account. Default: the app's account, if any.
    pub fn account(&mut self, account: impl Into<String>) -> &mut Self {
        self.env.account = Some(account.into());
        self
    }

    /// The region the stack is pinned to, or the app's default region.
    pub fn region_name(&self) -> Option<&str> {
        self.env.region.as_deref()
    }

    /// A tag on the stack, applied to every taggable resource in it.
    /// Default: no tags.
    pub fn tag(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Self {
        let key = key.into();
        self.tags.retain(|(k, _)| *k != key);
        self.tags.push((key, value.into()));
        self
    }

    /// Asks CloudFormation to refuse deleting the stack. Default: off.
    pub fn termination_protection(&mut self, on: bool) -> &mut Self {
        self.termination_protection = on;
        self
    }

    /// Deploys this stack after `other` (see [`Stack::id`]), without any
    /// reference between them. References between stacks add this
    /// dependency by themselves. Default: no dependencies.
    pub fn depends_on(&mut self, other: StackId) -> &mut Self {
        if other == self.id {
            self.errors.push(Diagnostic::error(
                &self.name,
                "the stack depends on itself; name another stack of the app",
            ));
        } else if !self.explicit_deps.contains(&other) {
            self.explicit_deps.push(other);
        }
        self
    }

    /// A context value passed in by the command line (`-c key=value`).
    pub fn context(&self, key: &str) -> Option<&str> {
        self.context.get(key).map(String::as_str)
    }

    /// The root scope of the stack: what [`Stack::add`] and the other
    /// shortcuts here delegate to, for groupings at the root
    /// (`stack.scope().child("Team")`).
    pub fn scope(&mut self) -> Scope<'_> {
        let path = self.name.clone();
        Scope::at(self, path)
    }

    /// Adds a resource or construct at the stack's root. See [`Scope::add`].
    pub fn add<C: Construct>(&mut self, id: &str, construct: C) -> C::Built {
        self.scope().add(id, construct)
    }

    /// Opens what was added to this stack again. See [`Scope::edit`].
    pub fn edit(&mut self, target: &impl HasNode) -> Scope<'_> {
        let from = self.name.clone();
        Scope::open(self, from, target.node())
    }

    /// See [`Scope::rule`].
    pub fn rule(&mut self, id: &str, rule: Rule) {
        self.scope().rule(id, rule)
    }

    /// See [`Scope::pin_logical_id`].
    pub fn pin_logical_id(&mut self, element: &impl Declared, id: impl Into<String>) -> &mut Self {
        self.scope().pin_logical_id(element, id);
        self
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

    /// The CloudFormation types of the resources defined so far, sorted,
    /// each once.
    pub fn resource_types(&self) -> std::collections::BTreeSet<&str> {
        self.resources
            .iter()
            .map(|r| r.type_name.as_str())
            .collect()
    }
}

/// A place in a stack's construct tree: a path under which constructs and
/// resources get unique ids. A construct's `build` receives the scope at
/// its own path; [`Scope::edit`] opens the scope of anything built before.
pub struct Scope<'s> {
    stack: &'s mut Stack,
    path: String,
    /// The resource this scope stands for, when it was opened from a
    /// resource handle: its own options are set directly.
    resource: Option<u32>,
    /// Set when the scope could not be opened (the error is recorded):
    /// edits through it do nothing.
    detached: bool,
}

impl<'s> Scope<'s> {
    fn at(stack: &'s mut Stack, path: String) -> Scope<'s> {
        Scope {
            stack,
            path,
            resource: None,
            detached: false,
        }
    }

    /// The scope of `target`, or a detached scope at `from` after recording
    /// why `target` cannot be opened from this stack.
    fn open(stack: &'s mut Stack, from: String, target: Option<NodeId>) -> Scope<'s> {
        let problem = match target {
            None => Some("this construct was imported by ID: it has no resources in this app to edit".to_owned()),
            Some(node) if node.stack != stack.id => Some(format!(
                "this construct belongs to another stack (or app); edit it through the stack that defines it, not {}",
                stack.name
            )),
            Some(NodeId { key: NodeKey::Resource(i), .. }) => {
                let path = stack.resources[i as usize].path.clone();
                return Scope {
                    stack,
                    path,
                    resource: Some(i),
                    detached: false,
                };
            }
            Some(NodeId { key: NodeKey::Construct(i), .. }) => {
                let path = stack.construct_paths[i as usize].clone();
                return Scope::at(stack, path);
            }
        };
        if let Some(problem) = problem {
            stack.errors.push(Diagnostic::error(&from, problem));
        }
        Scope {
            stack,
            path: from,
            resource: None,
            detached: true,
        }
    }

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

    /// A plain grouping one level down, with no resource of its own, for a
    /// construct that nests its parts (`Vpc/PublicSubnet1/...`). A duplicate
    /// id is recorded as an error naming the path.
    pub fn child(&mut self, id: &str) -> Scope<'_> {
        let path = self.claim(id);
        Scope::at(self.stack, path)
    }

    /// This scope's node, for a construct to return with what it built so
    /// that [`Scope::edit`] can open it again.
    pub fn node_id(&mut self) -> NodeId {
        let stack = self.stack.id;
        if let Some(i) = self.resource {
            return NodeId {
                stack,
                key: NodeKey::Resource(i),
            };
        }
        // A construct asks once, when it has built its parts; asking again
        // right after returns the same node. (Paths are unique, so an
        // occasional second entry for a path would only alias it.)
        let paths = &mut self.stack.construct_paths;
        if paths.last() != Some(&self.path) {
            paths.push(self.path.clone());
        }
        let index = paths.len() - 1;
        NodeId {
            stack,
            key: NodeKey::Construct(index as u32),
        }
    }

    /// Records a construct-level error at this scope's path, reported with
    /// all others when the app synthesizes.
    pub fn error(&mut self, message: impl Into<String>) {
        let path = self.path.clone();
        self.stack.errors.push(Diagnostic::error(path, message));
    }

    /// Adds a file to the cloud assembly at `path` (relative, `/`
    /// separated), written beside the templates and listed in the
    /// manifest with `kind`.
    // Only the GitLab constructs (features iam, ec2, eks) write files so far.
    #[cfg_attr(
        not(all(feature = "iam", feature = "ec2", feature = "eks")),
        allow(dead_code)
    )]
    pub(crate) fn add_file(&mut self, path: String, kind: &str, body: String) {
        let construct = self.path.clone();
        let stack = self.stack.name.clone();
        self.stack.files.push(crate::assembly::AssemblyFile {
            manifest: crate::manifest::FileManifest {
                path,
                kind: kind.to_owned(),
                stack,
                construct,
            },
            body,
        });
    }

    /// Records a warning at this scope's path.
    pub fn warning(&mut self, message: impl Into<String>) {
        let path = self.path.clone();
        self.stack.errors.push(Diagnostic::warning(path, message));
    }

    /// Adds a resource or a construct under `id` and returns what it built:
    /// a typed [`Handle`] for a generated resource, the construct's value
    /// (e.g. `iam::Role`) for a construct. This is the one way anything
    /// enters the tree; a duplicate id is recorded as an error.
    pub fn add<C: Construct>(&mut self, id: &str, construct: C) -> C::Built {
        let path = self.claim(id);
        construct.build(&mut Scope::at(self.stack, path))
    }

    /// Records `resource` at this scope's own path: how a resource, as a
    /// construct, builds itself. The scope is used up: its path moves into
    /// the resource.
    pub(crate) fn place<R: Resource>(&mut self, resource: R) -> Handle<R> {
        let path = std::mem::take(&mut self.path);
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

    /// Opens the place of something built before (a resource handle or a
    /// built construct of this stack) as a scope: to add children under
    /// it, to set resource options on it, or to override properties of
    /// its resources. Opening a construct imported by ID or one of another
    /// stack is recorded as an error naming this scope's path.
    pub fn edit(&mut self, target: &impl HasNode) -> Scope<'_> {
        let from = self.path.clone();
        Scope::open(self.stack, from, target.node())
    }

    /// The scope of an existing descendant, by its path relative to this
    /// scope (`"PublicSubnet1/NatGateway"`), to reach a resource a construct
    /// made inside itself. A path with nothing there is recorded as an
    /// error that lists what is there.
    pub fn get(&mut self, relative_path: &str) -> Scope<'_> {
        let path = format!("{}/{relative_path}", self.path);
        if self.detached {
            return Scope {
                stack: self.stack,
                path,
                resource: None,
                detached: true,
            };
        }
        if let Some(i) = self.stack.resources.iter().position(|r| r.path == path) {
            return Scope {
                stack: self.stack,
                path,
                resource: Some(i as u32),
                detached: false,
            };
        }
        if self.stack.paths.contains(&path) {
            return Scope::at(self.stack, path);
        }
        let children = self.children().join(", ");
        let here = self.path.clone();
        self.stack.errors.push(Diagnostic::error(
            &here,
            format!("nothing is at {relative_path:?} under this construct; its children are: {children}"),
        ));
        Scope {
            stack: self.stack,
            path: here,
            resource: None,
            detached: true,
        }
    }

    /// The ids of this scope's direct children, in the order they were added.
    fn children(&self) -> Vec<&str> {
        let prefix = format!("{}/", self.path);
        let mut ids: Vec<&str> = Vec::new();
        for r in &self.stack.resources {
            if let Some(rest) = r.path.strip_prefix(&prefix) {
                let id = rest.split('/').next().unwrap_or(rest);
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
        ids
    }

    /// The resources at or under this scope, in the order they were added:
    /// what a construct made, to inspect or to open with [`Scope::edit`].
    pub fn resources(&self) -> Vec<ResourceInfo> {
        if self.detached {
            return Vec::new();
        }
        let stack = self.stack.id;
        self.stack
            .resources
            .iter()
            .enumerate()
            .filter(|(_, r)| is_under(&r.path, &self.path))
            .map(|(index, r)| ResourceInfo {
                path: r.path.clone(),
                type_name: r.type_name.clone(),
                handle: Handle::new(ResourceId {
                    stack,
                    index: index as u32,
                }),
            })
            .collect()
    }

    /// Whether the stack already holds a resource of `type_name` whose
    /// properties include each of `props`: how constructs share one
    /// resource per stack (one EKS add-on per cluster, ...).
    #[cfg_attr(not(feature = "eks"), allow(dead_code))]
    pub(crate) fn stack_has_resource(&self, type_name: &str, props: &[(&str, &Value)]) -> bool {
        self.stack.resources.iter().any(|r| {
            r.type_name == type_name && props.iter().all(|(k, v)| r.props.get(k) == Some(*v))
        })
    }

    /// The resource options apply to: the resource itself, or a
    /// construct's own resource (its child named `Resource` or `Default`).
    fn own_resource(&mut self, what: &str) -> Option<&mut ResourceNode> {
        if self.detached {
            return None;
        }
        let index = match self.resource {
            Some(i) => Some(i as usize),
            None => {
                let own = [
                    self.path.clone(),
                    format!("{}/Resource", self.path),
                    format!("{}/Default", self.path),
                ];
                self.stack
                    .resources
                    .iter()
                    .position(|r| own.contains(&r.path))
            }
        };
        match index {
            Some(i) => Some(&mut self.stack.resources[i]),
            None => {
                let children = self.children().join(", ");
                let path = self.path.clone();
                self.stack.errors.push(Diagnostic::error(
                    path,
                    format!("{what} needs a resource, but this construct has none of its own (no child named Resource or Default); open one of its children with .get(..): {children}"),
                ));
                None
            }
        }
    }

    fn setting(&mut self, kind: NodeSettingKind) {
        if !self.detached {
            self.stack.node_settings.push(NodeSetting {
                path: self.path.clone(),
                kind,
            });
        }
    }

    /// Deploys every resource here after every resource of `other`
    /// (`DependsOn`); a dependency on another stack's construct becomes a
    /// dependency between the stacks. Default: only the dependencies
    /// references imply.
    pub fn depends_on(&mut self, other: &impl HasNode) -> &mut Self {
        let Some(target) = other.node() else {
            let path = self.path.clone();
            self.stack.errors.push(Diagnostic::error(
                path,
                "depends_on names a construct imported by ID, which nothing here creates; remove the dependency",
            ));
            return self;
        };
        match (self.resource, target.key) {
            (Some(i), NodeKey::Resource(index)) if !self.detached => {
                let id = ResourceId {
                    stack: target.stack,
                    index,
                };
                let deps = &mut self.stack.resources[i as usize].options.depends_on;
                if !deps.contains(&id) {
                    deps.push(id);
                }
            }
            _ => self.setting(NodeSettingKind::DependsOn(target)),
        }
        self
    }

    /// A tag on every taggable resource here, merged with the stack's tags
    /// into each type's tag property; a tag set closer to a resource wins.
    /// Set on a single resource that takes no tags, it is an error.
    /// Default: only the stack's tags.
    pub fn tag(&mut self, key: impl Into<String>, value: impl Into<Val<String>>) -> &mut Self {
        let key = key.into();
        let value = value.into();
        match self.resource {
            Some(i) if !self.detached => {
                let tags = &mut self.stack.resources[i as usize].options.tags;
                tags.retain(|(k, _)| *k != key);
                tags.push((key, value));
            }
            _ => self.setting(NodeSettingKind::Tag(key, value)),
        }
        self
    }

    /// Creates every resource here only when the condition holds (the
    /// resource option `Condition`). Default: unconditional.
    pub fn only_if(&mut self, condition: Condition) -> &mut Self {
        match self.resource {
            Some(i) if !self.detached => {
                self.stack.resources[i as usize].options.condition = Some(condition.id);
            }
            _ => self.setting(NodeSettingKind::Condition(condition.id)),
        }
        self
    }

    /// Pins the logical ID of this resource (or the construct's own
    /// resource) instead of deriving it from the path, e.g. to keep a
    /// resource of an existing stack. Default: derived from the path.
    pub fn logical_id(&mut self, id: impl Into<String>) -> &mut Self {
        if let Some(r) = self.own_resource("a logical ID") {
            r.options.logical_id = Some(id.into());
        }
        self
    }

    /// `DeletionPolicy` and `UpdateReplacePolicy` at once, as a stateful
    /// resource usually wants. Default: none set (CloudFormation deletes).
    pub fn removal_policy(&mut self, policy: RemovalPolicy) -> &mut Self {
        if let Some(r) = self.own_resource("a removal policy") {
            r.options.deletion_policy = Some(policy);
            r.options.update_replace_policy = Some(policy);
        }
        self
    }

    /// `DeletionPolicy` alone: what happens when the resource leaves the
    /// stack. Default: none set (CloudFormation deletes).
    pub fn deletion_policy(&mut self, policy: RemovalPolicy) -> &mut Self {
        if let Some(r) = self.own_resource("a deletion policy") {
            r.options.deletion_policy = Some(policy);
        }
        self
    }

    /// `UpdateReplacePolicy` alone: what happens to the old physical
    /// resource when an update replaces it. Default: none set (deleted).
    pub fn update_replace_policy(&mut self, policy: RemovalPolicy) -> &mut Self {
        if let Some(r) = self.own_resource("an update-replace policy") {
            r.options.update_replace_policy = Some(policy);
        }
        self
    }

    /// `CreationPolicy` on this resource (or the construct's own
    /// resource): what CloudFormation waits for before the resource counts
    /// as created. Replaces an earlier one. Synthesis refuses it on a type
    /// that takes none (see [`CreationPolicy`]). Default: none.
    pub fn creation_policy(&mut self, policy: CreationPolicy) -> &mut Self {
        if let Some(r) = self.own_resource("a creation policy") {
            r.options.creation_policy = Some(policy.into_value());
        }
        self
    }

    /// `UpdatePolicy` on this resource (or the construct's own resource):
    /// how CloudFormation updates it. Replaces an earlier one. Synthesis
    /// refuses it on a type that takes none (see [`UpdatePolicy`]).
    /// Default: none.
    pub fn update_policy(&mut self, policy: UpdatePolicy) -> &mut Self {
        if let Some(r) = self.own_resource("an update policy") {
            r.options.update_policy = Some(policy.into_value());
        }
        self
    }

    /// A custom resource's `Version` attribute (`"1.0"`), which
    /// CloudFormation accepts only on `Custom::*` and
    /// `AWS::CloudFormation::CustomResource`; synthesis refuses it on
    /// other types. Default: none.
    pub fn custom_resource_version(&mut self, version: impl Into<String>) -> &mut Self {
        let version = version.into();
        if let Some(r) = self.own_resource("a custom resource version") {
            r.options.version = Some(version);
        }
        self
    }

    /// Exempts every resource here from the policy rule `rule` (an ID of
    /// `synth check`'s rule pack or of the project's own rules, e.g.
    /// `"SYNTH-IAM-004"`), for the stated `reason`. Written into each
    /// resource's `Metadata` as `guard: SuppressedRules: [...]`
    /// (cfn-guard's convention) and, with the reason, into the manifest so
    /// reviewers see every exception. An empty reason or a malformed ID is
    /// a synthesis error; an ID no rule has is reported by `synth check`.
    /// Default: no rule suppressed.
    pub fn suppress(&mut self, rule: impl Into<String>, reason: impl Into<String>) -> &mut Self {
        let rule = rule.into();
        let reason = reason.into();
        let problem = if rule.is_empty()
            || !rule
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            Some(format!(
                "suppress: the rule ID {rule:?} must be letters, digits, `-` and `_`"
            ))
        } else if reason.trim().is_empty() {
            Some(format!(
                "suppress({rule:?}, ..) needs a reason: say why the rule does not apply here, for reviewers"
            ))
        } else {
            None
        };
        match problem {
            Some(message) => {
                let path = self.path.clone();
                self.stack.errors.push(Diagnostic::error(path, message));
            }
            None => self.setting(NodeSettingKind::Suppress {
                rule,
                reason: reason.trim().to_owned(),
            }),
        }
        self
    }

    /// A `Metadata` entry on this resource (or the construct's own
    /// resource), replacing one of the same key. Default: none.
    pub fn metadata(&mut self, key: impl Into<String>, value: impl Into<Value>) -> &mut Self {
        let key = key.into();
        let value = value.into();
        if let Some(r) = self.own_resource("metadata") {
            r.options.metadata.retain(|(k, _)| *k != key);
            r.options.metadata.push((key, value));
        }
        self
    }

    /// Sets a property of this resource (or the construct's own resource)
    /// by path, whatever the builder offers: `"MaxSessionDuration"`, or
    /// nested `"VpcConfig.EndpointPrivateAccess"`, `"Tags.0.Value"` (list
    /// items by index; `\.` for a dot inside a key). Maps on the way are
    /// created. Synthesis validates the result like any other property.
    pub fn override_property(&mut self, path: &str, value: impl Into<Value>) -> &mut Self {
        self.change_property(path, Some(value.into()));
        self
    }

    /// Deletes a property (or a key or list item inside one) of this
    /// resource (or the construct's own resource), by path as for
    /// [`Scope::override_property`]. A path that is not there is no error.
    pub fn delete_property(&mut self, path: &str) -> &mut Self {
        self.change_property(path, None);
        self
    }

    fn change_property(&mut self, path: &str, value: Option<Value>) {
        let segments = split_property_path(path);
        let Some(r) = self.own_resource("a property override") else {
            return;
        };
        let tag_property = r.meta.and_then(|m| m.tagging).map(|t| t.property);
        if tag_property.is_some() && segments.first().map(String::as_str) == tag_property {
            let at = r.path.clone();
            self.stack.errors.push(Diagnostic::error(
                at,
                format!("cannot override property {path:?}: tags are merged at synthesis; set them with .tag(key, value)"),
            ));
            return;
        }
        if let Err(problem) = r.props.set_path(&segments, value) {
            let at = r.path.clone();
            self.stack.errors.push(Diagnostic::error(
                at,
                format!("cannot override property {path:?}: {problem}"),
            ));
        }
    }

    /// Pins the logical ID of a parameter, condition or mapping declared
    /// in this stack instead of deriving it from its construct path, e.g.
    /// to keep one of an existing template (resources are pinned with
    /// `edit(&handle).logical_id(..)`, outputs and rules on their
    /// builders). Parameters share their namespace with resources;
    /// conditions and mappings have their own. Default: derived from the
    /// path.
    pub fn pin_logical_id(&mut self, element: &impl Declared, id: impl Into<String>) -> &mut Self {
        let id = id.into();
        let (stack, slot) = match element.declared() {
            DeclaredId::Parameter(p) => (
                p.stack,
                self.stack
                    .parameters
                    .get_mut(p.index as usize)
                    .map(|n| &mut n.logical_id),
            ),
            DeclaredId::Condition(c) => (
                c.stack,
                self.stack
                    .conditions
                    .get_mut(c.index as usize)
                    .map(|n| &mut n.logical_id),
            ),
            DeclaredId::Mapping(m) => (
                m.stack,
                self.stack
                    .mappings
                    .get_mut(m.index as usize)
                    .map(|n| &mut n.logical_id),
            ),
        };
        match slot {
            Some(slot) if stack == self.stack.id => *slot = Some(id),
            _ => {
                let path = self.path.clone();
                self.stack.errors.push(Diagnostic::error(
                    path,
                    format!("pin_logical_id({id:?}): the element belongs to another stack (or app); pin it through the stack that declares it"),
                ));
            }
        }
        self
    }

    /// Declares a template parameter.
    pub fn parameter<T>(&mut self, id: &str, spec: ParameterSpec<T>) -> Parameter<T> {
        let path = self.claim(id);
        let index = self.stack.parameters.len() as u32;
        self.stack.parameters.push(ParameterNode {
            path,
            logical_id: None,
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
            logical_id: None,
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
            logical_id: None,
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
        self.stack.mappings.push(MappingNode {
            path,
            logical_id: None,
            entries,
        });
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
            logical_id: rule.logical_id,
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

/// A resource found under a construct by [`Scope::resources`].
#[derive(Clone, Debug)]
pub struct ResourceInfo {
    /// Its construct path, `Stack/Vpc/PublicSubnet1/NatGateway`.
    pub path: String,
    /// Its CloudFormation type, `AWS::EC2::NatGateway`.
    pub type_name: String,
    /// A handle to reference it or open it with [`Scope::edit`].
    pub handle: Handle<RawResource>,
}

/// Splits `A.B\.C.0` into `["A", "B.C", "0"]`.
fn split_property_path(path: &str) -> Vec<String> {
    let mut segments = Vec::new();
    let mut current = String::new();
    let mut chars = path.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => current.extend(chars.next()),
            '.' => segments.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    segments.push(current);
    segments
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
    /// Literal numbers as given: an integer stays one in the template.
    pub(crate) min_value: Option<Value>,
    pub(crate) max_value: Option<Value>,
    pub(crate) no_echo: bool,
    /// Set by [`ParameterSpec::plain_text_default`]: a NoEcho default
    /// accepted knowingly.
    pub(crate) default_in_plain_text: bool,
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
            default_in_plain_text: false,
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
            default_in_plain_text: self.default_in_plain_text,
            marker: PhantomData,
        }
    }

    /// Default: no description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// The value used when a deploy gives none. Default: none (a deploy
    /// must give one). On a [`no_echo`](ParameterSpec::no_echo) parameter
    /// synthesis refuses it; see [`ParameterSpec::plain_text_default`].
    pub fn default(mut self, value: impl Into<Value>) -> Self {
        self.default = Some(value.into());
        self
    }

    /// A default that synthesis accepts even on a NoEcho parameter.
    /// CloudFormation accepts one, but the default is written into the
    /// template in plain text: anyone who can read the template (the
    /// repository, `out/`, `GetTemplate`) reads it, and NoEcho masks only
    /// the value given at deploy time. Use it for a value that is not a
    /// secret (a placeholder, or to reproduce an existing template), never
    /// for a password. On a parameter without NoEcho it is
    /// [`ParameterSpec::default`]. Default: none.
    pub fn plain_text_default(mut self, value: impl Into<Value>) -> Self {
        self.default = Some(value.into());
        self.default_in_plain_text = true;
        self
    }

    /// The only values accepted. Default: any.
    pub fn allowed_values<V: Into<Value>>(mut self, values: impl IntoIterator<Item = V>) -> Self {
        self.allowed_values = values.into_iter().map(Into::into).collect();
        self
    }

    /// A regular expression the whole value must match, in Java's syntax
    /// (CloudFormation's): lookarounds are accepted. Synthesis checks its
    /// syntax and that a literal default matches it (not for patterns with
    /// lookarounds, which the matcher lacks). Default: none.
    pub fn allowed_pattern(mut self, pattern: impl Into<String>) -> Self {
        self.allowed_pattern = Some(pattern.into());
        self
    }

    /// What CloudFormation shows when a constraint fails. Default: its
    /// own generic message.
    pub fn constraint_description(mut self, text: impl Into<String>) -> Self {
        self.constraint_description = Some(text.into());
        self
    }

    /// Default: no minimum.
    pub fn min_length(mut self, n: u64) -> Self {
        self.min_length = Some(n);
        self
    }

    /// Default: no maximum.
    pub fn max_length(mut self, n: u64) -> Self {
        self.max_length = Some(n);
        self
    }

    /// The smallest value a `Number` parameter accepts, a literal: `1`
    /// is written as the integer `1`, `1.5` as it is. Default: no minimum.
    pub fn min_value(mut self, n: impl Into<Val<f64>>) -> Self {
        self.min_value = Some(n.into().into_value());
        self
    }

    /// The largest value a `Number` parameter accepts, a literal (see
    /// [`ParameterSpec::min_value`]). Default: no maximum.
    pub fn max_value(mut self, n: impl Into<Val<f64>>) -> Self {
        self.max_value = Some(n.into().into_value());
        self
    }

    /// Masks the value in the console and API responses. Default: shown.
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
    /// Default: no description.
    pub fn description(self, text: impl Into<String>) -> Self {
        self.output.description = Some(text.into());
        self
    }

    /// Exports the output under a name other stacks can import. Export
    /// names must be unique within an account and region. Default: not
    /// exported.
    pub fn export(self, name: impl Into<Val<String>>) -> Self {
        self.output.export_name = Some(name.into().into_value());
        self
    }

    /// Declares the output only when the condition holds. Default: always.
    pub fn condition(self, condition: Condition) -> Self {
        self.output.condition = Some(condition.id);
        self
    }

    /// Pins the output's logical ID instead of deriving it from the
    /// construct path, e.g. to keep one of an existing template. Outputs
    /// have their own namespace: an output may take its resource's ID.
    /// Default: derived from the path.
    pub fn logical_id(self, id: impl Into<String>) -> Self {
        self.output.logical_id = Some(id.into());
        self
    }
}

/// A parameter, condition or mapping, whose logical ID
/// [`Scope::pin_logical_id`] can pin.
pub trait Declared {
    fn declared(&self) -> DeclaredId;
}

/// The identity of a [`Declared`] element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeclaredId {
    Parameter(ParameterId),
    Condition(ConditionId),
    Mapping(MappingId),
}

impl<T> Declared for Parameter<T> {
    fn declared(&self) -> DeclaredId {
        DeclaredId::Parameter(self.id)
    }
}

impl Declared for Condition {
    fn declared(&self) -> DeclaredId {
        DeclaredId::Condition(self.id)
    }
}

impl Declared for Mapping {
    fn declared(&self) -> DeclaredId {
        DeclaredId::Mapping(self.id)
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
    logical_id: Option<String>,
    assertions: Vec<(Value, Option<String>)>,
}

impl Rule {
    pub fn new() -> Self {
        Rule::default()
    }

    /// Applies the rule only when this holds (`RuleCondition`). Default:
    /// always.
    pub fn when(mut self, condition: Val<bool>) -> Self {
        self.condition = Some(condition.into_value());
        self
    }

    /// Pins the rule's logical ID instead of deriving it from the
    /// construct path, e.g. to keep one of an existing template. Default:
    /// derived from the path.
    pub fn logical_id(mut self, id: impl Into<String>) -> Self {
        self.logical_id = Some(id.into());
        self
    }

    /// An assertion with the message CloudFormation shows when it fails.
    pub fn assert(mut self, assertion: Val<bool>, description: impl Into<String>) -> Self {
        self.assertions
            .push((assertion.into_value(), Some(description.into())));
        self
    }
}
