//! Resources: their properties, the options every resource takes, and the
//! typed handle a stack returns for referencing one.

use std::collections::BTreeMap;
use std::marker::PhantomData;

use crate::ids::{ConditionId, ResourceId};
use crate::schema::TypeMeta;
use crate::value::{Intrinsic, RefTarget, Val, Value};

/// Property values by their CloudFormation name. Sorted, so the template does
/// not depend on the order setters were called in.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Props(BTreeMap<&'static str, Value>);

impl Props {
    pub fn new() -> Self {
        Props(BTreeMap::new())
    }

    /// Sets a property, replacing an earlier value.
    pub fn set<T>(&mut self, name: &'static str, value: impl Into<Val<T>>) {
        self.0.insert(name, value.into().into_value());
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &Value)> {
        self.0.iter().map(|(k, v)| (*k, v))
    }

    /// The properties as an object value.
    pub fn into_value(self) -> Value {
        Value::Map(self.0.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    }

    /// The properties as a typed value, for nested property structs.
    pub fn into_val<T>(self) -> Val<T> {
        Val::from_value(self.into_value())
    }
}

/// What happens to a resource's physical resource on deletion or replacement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RemovalPolicy {
    Delete,
    Retain,
    RetainExceptOnCreate,
    Snapshot,
}

impl RemovalPolicy {
    pub fn name(self) -> &'static str {
        match self {
            RemovalPolicy::Delete => "Delete",
            RemovalPolicy::Retain => "Retain",
            RemovalPolicy::RetainExceptOnCreate => "RetainExceptOnCreate",
            RemovalPolicy::Snapshot => "Snapshot",
        }
    }
}

/// The resource attributes every resource takes, besides its properties.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResourceOptions {
    pub(crate) depends_on: Vec<ResourceId>,
    pub(crate) condition: Option<ConditionId>,
    pub(crate) deletion_policy: Option<RemovalPolicy>,
    pub(crate) update_replace_policy: Option<RemovalPolicy>,
    pub(crate) metadata: Vec<(String, Value)>,
    pub(crate) logical_id: Option<String>,
    pub(crate) tags: Vec<(String, Val<String>)>,
}

/// Anything a stack can hold as a resource. Implemented by every generated
/// `Cfn*` type and by [`RawResource`].
pub trait Resource: Sized {
    /// The CloudFormation type name.
    fn type_name(&self) -> &str;
    /// Schema facts, when the type is known to the library.
    fn meta(&self) -> Option<&'static TypeMeta>;
    /// The properties and options, consumed when the resource is added.
    fn into_parts(self) -> (Props, ResourceOptions);
    fn options_mut(&mut self) -> &mut ResourceOptions;

    /// Creates this resource only after `other` (`DependsOn`). A dependency
    /// on a resource of another stack becomes a dependency between stacks.
    fn depends_on<R>(mut self, other: Handle<R>) -> Self {
        let id = other.resource_id();
        let deps = &mut self.options_mut().depends_on;
        if !deps.contains(&id) {
            deps.push(id);
        }
        self
    }

    /// Creates the resource only when the condition holds.
    fn condition(mut self, condition: crate::stack::Condition) -> Self {
        self.options_mut().condition = Some(condition.id());
        self
    }

    /// `DeletionPolicy`: what happens when the resource leaves the stack.
    fn deletion_policy(mut self, policy: RemovalPolicy) -> Self {
        self.options_mut().deletion_policy = Some(policy);
        self
    }

    /// `UpdateReplacePolicy`: what happens to the old physical resource
    /// when an update replaces it.
    fn update_replace_policy(mut self, policy: RemovalPolicy) -> Self {
        self.options_mut().update_replace_policy = Some(policy);
        self
    }

    /// Both policies at once, as a stateful resource usually wants.
    fn removal_policy(self, policy: RemovalPolicy) -> Self {
        self.deletion_policy(policy).update_replace_policy(policy)
    }

    /// A `Metadata` entry.
    fn metadata(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        let key = key.into();
        let value = value.into();
        let entries = &mut self.options_mut().metadata;
        entries.retain(|(k, _)| *k != key);
        entries.push((key, value));
        self
    }

    /// Pins the logical ID instead of deriving it from the construct path,
    /// e.g. to adopt a resource of an existing stack without replacing it.
    fn logical_id(mut self, id: impl Into<String>) -> Self {
        self.options_mut().logical_id = Some(id.into());
        self
    }

    /// A tag on this resource, merged with the stack's tags into the type's
    /// tag property in the shape the type uses. Ignored by untaggable types.
    fn tag(mut self, key: impl Into<String>, value: impl Into<Val<String>>) -> Self {
        let key = key.into();
        let tags = &mut self.options_mut().tags;
        tags.retain(|(k, _)| *k != key);
        tags.push((key, value.into()));
        self
    }
}

/// A typed reference to a resource in a stack. Generated code adds one
/// method per attribute of the type, so only real attributes can be read.
pub struct Handle<R> {
    id: ResourceId,
    marker: PhantomData<fn() -> R>,
}

impl<R> Clone for Handle<R> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<R> Copy for Handle<R> {}
impl<R> std::fmt::Debug for Handle<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.id.fmt(f)
    }
}
impl<R> PartialEq for Handle<R> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl<R> Handle<R> {
    pub(crate) fn new(id: ResourceId) -> Self {
        Handle {
            id,
            marker: PhantomData,
        }
    }

    pub fn resource_id(&self) -> ResourceId {
        self.id
    }

    /// `{"Ref": <logical id>}`: for most types the physical name or ID.
    pub fn reference(&self) -> Val<String> {
        Val::from_value(Value::intrinsic(Intrinsic::Ref(RefTarget::Resource(
            self.id,
        ))))
    }

    /// `Fn::GetAtt` of a named attribute. Generated attribute methods call
    /// this; [`RawResource`] handles use it directly.
    pub(crate) fn get_att<T>(&self, attribute: &'static str) -> Val<T> {
        Val::from_value(Value::intrinsic(Intrinsic::GetAtt(self.id, attribute)))
    }

    /// Forgets the type, e.g. to keep handles of several types in one list.
    pub fn erase(self) -> Handle<RawResource> {
        Handle::new(self.id)
    }
}

impl Handle<RawResource> {
    /// `Fn::GetAtt` of any attribute: raw resources have no schema to check
    /// attribute names against.
    pub fn attribute(&self, name: &'static str) -> Val<crate::value::Json> {
        self.get_att(name)
    }
}

/// A resource of any type, with properties set by name: for custom
/// resources and types the library has no schema for.
#[derive(Clone, Debug)]
pub struct RawResource {
    type_name: String,
    props: Props,
    options: ResourceOptions,
}

impl RawResource {
    pub fn new(type_name: impl Into<String>) -> Self {
        RawResource {
            type_name: type_name.into(),
            props: Props::new(),
            options: ResourceOptions::default(),
        }
    }

    /// Sets a property by its CloudFormation name.
    pub fn property(mut self, name: &'static str, value: impl Into<Value>) -> Self {
        self.props.0.insert(name, value.into());
        self
    }
}

impl Resource for RawResource {
    fn type_name(&self) -> &str {
        &self.type_name
    }
    fn meta(&self) -> Option<&'static TypeMeta> {
        crate::aws::lookup(&self.type_name)
    }
    fn into_parts(self) -> (Props, ResourceOptions) {
        (self.props, self.options)
    }
    fn options_mut(&mut self) -> &mut ResourceOptions {
        &mut self.options
    }
}
