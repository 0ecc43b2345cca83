//! Property values: literals and intrinsic functions, dynamically (`Value`)
//! and with the CloudFormation type they evaluate to (`Val<T>`).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::marker::PhantomData;

use indexmap::IndexMap;

use crate::element_ids::{ConditionId, MappingId, ParameterId, ResourceId};

/// A value as it appears in a template: a literal, or an intrinsic function
/// whose references are resolved to logical IDs at synthesis.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    List(Vec<Value>),
    /// Keys keep insertion order; generated property structs insert sorted.
    Map(IndexMap<String, Value>),
    Fn(Box<Intrinsic>),
}

/// What a `Ref` points at.
#[derive(Clone, Debug, PartialEq)]
pub enum RefTarget {
    Resource(ResourceId),
    Parameter(ParameterId),
    Pseudo(Pseudo),
}

/// The pseudo parameters CloudFormation defines in every stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pseudo {
    AccountId,
    NotificationArns,
    NoValue,
    Partition,
    Region,
    StackId,
    StackName,
    UrlSuffix,
}

impl Pseudo {
    pub const ALL: [Pseudo; 8] = [
        Pseudo::AccountId,
        Pseudo::NotificationArns,
        Pseudo::NoValue,
        Pseudo::Partition,
        Pseudo::Region,
        Pseudo::StackId,
        Pseudo::StackName,
        Pseudo::UrlSuffix,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Pseudo::AccountId => "AWS::AccountId",
            Pseudo::NotificationArns => "AWS::NotificationARNs",
            Pseudo::NoValue => "AWS::NoValue",
            Pseudo::Partition => "AWS::Partition",
            Pseudo::Region => "AWS::Region",
            Pseudo::StackId => "AWS::StackId",
            Pseudo::StackName => "AWS::StackName",
            Pseudo::UrlSuffix => "AWS::URLSuffix",
        }
    }

    pub fn from_name(name: &str) -> Option<Pseudo> {
        Pseudo::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// The intrinsic functions, holding typed references rather than names.
#[derive(Clone, Debug, PartialEq)]
pub enum Intrinsic {
    Ref(RefTarget),
    GetAtt(ResourceId, &'static str),
    /// Template string and variable map (empty map: the one-argument form).
    Sub(String, IndexMap<String, Value>),
    Join(String, Value),
    Select(Value, Value),
    Split(String, Value),
    GetAzs(Value),
    ImportValue(Value),
    If(ConditionId, Value, Value),
    Equals(Value, Value),
    And(Vec<Value>),
    Or(Vec<Value>),
    Not(Value),
    /// `{"Condition": name}`, a condition used inside another condition.
    Condition(ConditionId),
    Base64(Value),
    Cidr(Value, Value, Value),
    FindInMap(MappingId, Value, Value),
}

impl Value {
    pub(crate) fn intrinsic(f: Intrinsic) -> Value {
        Value::Fn(Box::new(f))
    }

    /// An empty map, to be filled with [`Value::with`].
    pub fn map() -> Value {
        Value::Map(IndexMap::new())
    }

    /// Adds or replaces `key` in a map value; other values become a map.
    pub fn with(self, key: impl Into<String>, value: impl Into<Value>) -> Value {
        let mut map = match self {
            Value::Map(m) => m,
            _ => IndexMap::new(),
        };
        map.insert(key.into(), value.into());
        Value::Map(map)
    }

    /// A list of values.
    pub fn list<I, V>(items: I) -> Value
    where
        I: IntoIterator<Item = V>,
        V: Into<Value>,
    {
        Value::List(items.into_iter().map(Into::into).collect())
    }

    /// True when the value holds no intrinsic function anywhere.
    pub fn is_literal(&self) -> bool {
        match self {
            Value::Fn(_) => false,
            Value::List(items) => items.iter().all(Value::is_literal),
            Value::Map(map) => map.values().all(Value::is_literal),
            _ => true,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// A short name of the kind of value, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::String(_) => "a string",
            Value::List(_) => "a list",
            Value::Map(_) => "an object",
            Value::Fn(_) => "an intrinsic function",
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}
impl From<&String> for Value {
    fn from(s: &String) -> Self {
        Value::String(s.clone())
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
macro_rules! int_value {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(n: $t) -> Self {
                Value::Int(i64::from(n))
            }
        }
    )*};
}
int_value!(i8, i16, i32, i64, u8, u16, u32);
impl From<f64> for Value {
    fn from(n: f64) -> Self {
        Value::Float(n)
    }
}
impl<V: Into<Value>> From<Vec<V>> for Value {
    fn from(items: Vec<V>) -> Self {
        Value::list(items)
    }
}
impl<V: Into<Value>, const N: usize> From<[V; N]> for Value {
    fn from(items: [V; N]) -> Self {
        Value::list(items)
    }
}
impl<T> From<Val<T>> for Value {
    fn from(v: Val<T>) -> Self {
        v.value
    }
}
impl From<serde_json::Value> for Value {
    fn from(j: serde_json::Value) -> Self {
        match j {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(0.0)),
            },
            serde_json::Value::String(s) => Value::String(s),
            serde_json::Value::Array(a) => Value::List(a.into_iter().map(Value::from).collect()),
            serde_json::Value::Object(o) => {
                Value::Map(o.into_iter().map(|(k, v)| (k, Value::from(v))).collect())
            }
        }
    }
}

/// Marker for properties the schema leaves free-form (policy documents,
/// `["object","string"]` unions): any [`Value`] is accepted.
#[derive(Clone, Copy, Debug)]
pub enum Json {}

/// Marker for a string-keyed map property whose values are `T`.
#[derive(Clone, Copy, Debug)]
pub struct Map<T>(PhantomData<T>);

/// A value that evaluates to a `T` in CloudFormation: a literal of that type
/// or an intrinsic function known to produce it.
pub struct Val<T> {
    value: Value,
    marker: PhantomData<fn() -> T>,
}

impl<T> Val<T> {
    /// Wraps a dynamic value, trusting the caller about its type. Use it for
    /// the rare value the typed API cannot express; synthesis still validates
    /// literal values against the resource schema.
    pub fn from_value(value: Value) -> Self {
        Val {
            value,
            marker: PhantomData,
        }
    }

    pub fn value(&self) -> &Value {
        &self.value
    }

    pub fn into_value(self) -> Value {
        self.value
    }

    /// The same value seen as free-form JSON, for `Json` properties.
    pub fn into_json(self) -> Val<Json> {
        Val::from_value(self.value)
    }
}

impl<T> Clone for Val<T> {
    fn clone(&self) -> Self {
        Val::from_value(self.value.clone())
    }
}
impl<T> fmt::Debug for Val<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}
impl<T> PartialEq for Val<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl From<&str> for Val<String> {
    fn from(s: &str) -> Self {
        Val::from_value(s.into())
    }
}
impl From<String> for Val<String> {
    fn from(s: String) -> Self {
        Val::from_value(s.into())
    }
}
impl From<&String> for Val<String> {
    fn from(s: &String) -> Self {
        Val::from_value(s.into())
    }
}
impl From<bool> for Val<bool> {
    fn from(b: bool) -> Self {
        Val::from_value(b.into())
    }
}
macro_rules! int_val {
    ($($t:ty),*) => {$(
        impl From<$t> for Val<i64> {
            fn from(n: $t) -> Self {
                Val::from_value(Value::Int(i64::from(n)))
            }
        }
        impl From<$t> for Val<f64> {
            fn from(n: $t) -> Self {
                Val::from_value(Value::Int(i64::from(n)))
            }
        }
    )*};
}
int_val!(i8, i16, i32, i64, u8, u16, u32);
impl From<f64> for Val<f64> {
    fn from(n: f64) -> Self {
        Val::from_value(Value::Float(n))
    }
}
impl<T, U: Into<Val<T>>> From<Vec<U>> for Val<Vec<T>> {
    fn from(items: Vec<U>) -> Self {
        Val::from_value(Value::List(
            items.into_iter().map(|i| i.into().value).collect(),
        ))
    }
}
impl<T, U: Into<Val<T>>, const N: usize> From<[U; N]> for Val<Vec<T>> {
    fn from(items: [U; N]) -> Self {
        Val::from_value(Value::List(
            items.into_iter().map(|i| i.into().value).collect(),
        ))
    }
}
impl<T, U: Into<Val<T>> + Clone> From<&[U]> for Val<Vec<T>> {
    fn from(items: &[U]) -> Self {
        items.to_vec().into()
    }
}

fn map_val<T, K: Into<String>, U: Into<Val<T>>>(
    entries: impl IntoIterator<Item = (K, U)>,
) -> Val<Map<T>> {
    Val::from_value(Value::Map(
        entries
            .into_iter()
            .map(|(k, v)| (k.into(), v.into().value))
            .collect(),
    ))
}
impl<T, K: Into<String>, U: Into<Val<T>>, const N: usize> From<[(K, U); N]> for Val<Map<T>> {
    fn from(entries: [(K, U); N]) -> Self {
        map_val(entries)
    }
}
impl<T, K: Into<String>, U: Into<Val<T>>> From<Vec<(K, U)>> for Val<Map<T>> {
    fn from(entries: Vec<(K, U)>) -> Self {
        map_val(entries)
    }
}
impl<T, K: Into<String> + Ord, U: Into<Val<T>>> From<BTreeMap<K, U>> for Val<Map<T>> {
    fn from(entries: BTreeMap<K, U>) -> Self {
        map_val(entries)
    }
}
impl<T, K: Into<String>, U: Into<Val<T>>> From<IndexMap<K, U>> for Val<Map<T>> {
    fn from(entries: IndexMap<K, U>) -> Self {
        map_val(entries)
    }
}
impl<T, K: Into<String> + Ord, U: Into<Val<T>>> From<HashMap<K, U>> for Val<Map<T>> {
    /// Sorted by key: a hash map's order would make output nondeterministic.
    fn from(entries: HashMap<K, U>) -> Self {
        let sorted: BTreeMap<K, U> = entries.into_iter().collect();
        map_val(sorted)
    }
}

impl From<Value> for Val<Json> {
    fn from(v: Value) -> Self {
        Val::from_value(v)
    }
}
impl From<serde_json::Value> for Val<Json> {
    fn from(v: serde_json::Value) -> Self {
        Val::from_value(v.into())
    }
}
impl From<&str> for Val<Json> {
    fn from(s: &str) -> Self {
        Val::from_value(s.into())
    }
}
impl From<String> for Val<Json> {
    fn from(s: String) -> Self {
        Val::from_value(s.into())
    }
}
impl From<bool> for Val<Json> {
    fn from(b: bool) -> Self {
        Val::from_value(b.into())
    }
}
impl From<i64> for Val<Json> {
    fn from(n: i64) -> Self {
        Val::from_value(n.into())
    }
}
impl From<Val<String>> for Val<Json> {
    fn from(v: Val<String>) -> Self {
        v.into_json()
    }
}

/// An enum of the allowed values of a string property (generated with the
/// resource types): each variant stands for one value, and converts into a
/// [`Val<String>`] wherever a property takes a string.
pub trait StringEnum: Copy {
    /// The value as CloudFormation spells it.
    fn value(self) -> &'static str;
}

impl<E: StringEnum> From<E> for Val<String> {
    fn from(e: E) -> Self {
        Val::from_value(Value::String(e.value().to_owned()))
    }
}

/// Defines an enum of the allowed values of a string property (the
/// generated resource modules use it): each variant documented with its
/// value, `as_str`, `Display`, `Debug` and `PartialEq` through the value,
/// and [`StringEnum`], which gives `From<Enum> for Val<String>`. Unused
/// when no service feature is on (as for the diff crate).
#[allow(unused_macros)]
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $($variant:ident = $value:literal,)+ }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy)]
        #[non_exhaustive]
        pub enum $name {
            $(#[doc = concat!("`", $value, "`")] $variant,)+
        }

        impl $name {
            /// The value as CloudFormation spells it.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $value,)+
                }
            }
        }

        impl $crate::value::StringEnum for $name {
            fn value(self) -> &'static str {
                self.as_str()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(self.as_str(), f)
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Debug::fmt(self.as_str(), f)
            }
        }

        impl ::std::cmp::PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                *self as usize == *other as usize
            }
        }

        impl ::std::cmp::Eq for $name {}
    };
}
#[allow(unused_imports)]
pub(crate) use string_enum;
