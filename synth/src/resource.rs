//! Resources: their properties, the options every resource takes, and the
//! typed handle a stack returns for referencing one.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::marker::PhantomData;

use crate::element_ids::{ConditionId, ResourceId};
use crate::schema::TypeMeta;
use crate::value::{Intrinsic, RefTarget, Val, Value};

/// Property values by their CloudFormation name. Sorted, so the template does
/// not depend on the order setters were called in.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Props(BTreeMap<Cow<'static, str>, Value>);

impl Props {
    pub fn new() -> Self {
        Props(BTreeMap::new())
    }

    /// Sets a property, replacing an earlier value.
    pub fn set<T>(&mut self, name: &'static str, value: impl Into<Val<T>>) {
        self.0
            .insert(Cow::Borrowed(name), value.into().into_value());
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }

    /// The properties as an object value.
    pub fn into_value(self) -> Value {
        Value::Map(
            self.0
                .into_iter()
                .map(|(k, v)| (k.into_owned(), v))
                .collect(),
        )
    }

    /// Sets (`Some`) or deletes (`None`) the value at a property path, the
    /// first segment naming the property, later ones map keys or list
    /// indexes; missing maps on the way are created.
    pub(crate) fn set_path(&mut self, path: &[String], value: Option<Value>) -> Result<(), String> {
        let Some((first, rest)) = path.split_first() else {
            return Err("the property path is empty".into());
        };
        if rest.is_empty() {
            match value {
                Some(v) => {
                    self.0.insert(Cow::Owned(first.clone()), v);
                }
                None => {
                    self.0.remove(first.as_str());
                }
            }
            return Ok(());
        }
        let slot = match value {
            Some(_) => self
                .0
                .entry(Cow::Owned(first.clone()))
                .or_insert_with(|| Value::Map(Default::default())),
            None => match self.0.get_mut(first.as_str()) {
                Some(slot) => slot,
                None => return Ok(()),
            },
        };
        set_in_value(slot, first, rest, value)
    }

    /// The properties as a typed value, for nested property structs.
    pub fn into_val<T>(self) -> Val<T> {
        Val::from_value(self.into_value())
    }
}

/// Walks `rest` below `slot` (reached through `at`) and sets or deletes the
/// last segment there.
fn set_in_value(
    mut slot: &mut Value,
    at: &str,
    rest: &[String],
    value: Option<Value>,
) -> Result<(), String> {
    let mut at = at.to_owned();
    for (i, segment) in rest.iter().enumerate() {
        let last = i + 1 == rest.len();
        slot = match slot {
            Value::Map(map) => {
                if last {
                    match value {
                        Some(v) => {
                            map.insert(segment.clone(), v);
                        }
                        None => {
                            map.shift_remove(segment.as_str());
                        }
                    }
                    return Ok(());
                }
                if value.is_none() && !map.contains_key(segment.as_str()) {
                    return Ok(());
                }
                map.entry(segment.clone())
                    .or_insert_with(|| Value::Map(Default::default()))
            }
            Value::List(items) => {
                let index: usize = segment.parse().map_err(|_| {
                    format!("{at} is a list; address its items by index, not {segment:?}")
                })?;
                if index >= items.len() {
                    return Err(format!(
                        "{at} has {} items; index {index} is out of range",
                        items.len()
                    ));
                }
                if last {
                    match value {
                        Some(v) => items[index] = v,
                        None => {
                            items.remove(index);
                        }
                    }
                    return Ok(());
                }
                &mut items[index]
            }
            _ => {
                return Err(format!(
                    "{at} is not an object or a list (it is a scalar or an intrinsic function), so {segment:?} cannot be set inside it"
                ))
            }
        };
        at = format!("{at}.{segment}");
    }
    Ok(())
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
    /// `CreationPolicy` and `UpdatePolicy`, as built by their types.
    pub(crate) creation_policy: Option<Value>,
    pub(crate) update_policy: Option<Value>,
    /// A custom resource's `Version`.
    pub(crate) version: Option<String>,
    pub(crate) metadata: Vec<(String, Value)>,
    pub(crate) logical_id: Option<String>,
    pub(crate) tags: Vec<(String, Val<String>)>,
}

/// Anything a stack can hold as a resource. Implemented by every generated
/// `Cfn*` type and by [`RawResource`]; every resource is a
/// [`Construct`](crate::Construct) added with [`Scope::add`](crate::Scope::add).
/// Resource options (`DependsOn`, deletion, creation and update policies,
/// condition, metadata, tags, a pinned logical ID) are set on the added resource through
/// [`Scope::edit`](crate::Scope::edit), as on any construct.
pub trait Resource: Sized {
    /// The CloudFormation type name.
    fn type_name(&self) -> &str;
    /// Schema facts, when the type is known to the library.
    fn meta(&self) -> Option<&'static TypeMeta>;
    /// The properties and options, consumed when the resource is added.
    fn into_parts(self) -> (Props, ResourceOptions);
    fn options_mut(&mut self) -> &mut ResourceOptions;
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
    pub fn property(mut self, name: impl Into<Cow<'static, str>>, value: impl Into<Value>) -> Self {
        self.props.0.insert(name.into(), value.into());
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
