//! The JSON values the engine reads and builds, laid out for templates.
//!
//! A diff reads every resource of both templates, so how many cache lines
//! a template takes decides its speed. Template strings are mostly short
//! names: up to 24 bytes they are held inline ([`Text`]), with no
//! allocation of their own. An object is its entries in order, looked up
//! by comparing names, with no hash per entry; only objects of more than
//! [`INDEXED`] entries (a template's resources, large mappings) carry a
//! hash index. A value takes 32 bytes, an entry 56 (`serde_json`'s take
//! 72 and 112, and allocate each key).
//!
//! The API follows `serde_json::Value` and `Map` with `preserve_order`,
//! whose meaning it keeps: objects compare as maps (whatever their order),
//! `insert` keeps an existing key's place, `remove` moves the last entry
//! into the removed one's place, and values serialize in order.

use std::fmt;
use std::hash::BuildHasher;

pub use compact_str::CompactString as Text;
pub use serde_json::Number;

/// A JSON value.
#[derive(Clone, Debug, Default)]
pub enum Json {
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    String(Text),
    Array(Vec<Json>),
    Object(Map),
}

/// Objects of more entries than this carry a hash index; smaller ones are
/// searched, which costs less than hashing the name.
pub const INDEXED: usize = 12;

/// A JSON object: its entries in order (see the module's notes).
#[derive(Clone, Default)]
pub struct Map(Entries);

#[derive(Clone)]
enum Entries {
    Listed(Vec<(Text, Json)>),
    Indexed(Box<Indexed>),
}

impl Default for Entries {
    fn default() -> Self {
        Entries::Listed(Vec::new())
    }
}

/// A large object: its entries, and where each name is among them.
#[derive(Clone)]
struct Indexed {
    entries: Vec<(Text, Json)>,
    index: hashbrown::HashTable<u32>,
}

// A value fits in half a cache line.
const _: () = assert!(std::mem::size_of::<Json>() == 32);

fn hash(key: &str) -> u64 {
    foldhash::fast::FixedState::default().hash_one(key)
}

impl Indexed {
    fn new(entries: Vec<(Text, Json)>) -> Self {
        let mut index = hashbrown::HashTable::with_capacity(entries.len());
        for (i, (k, _)) in entries.iter().enumerate() {
            index.insert_unique(hash(k), i as u32, |&j| hash(&entries[j as usize].0));
        }
        Indexed { entries, index }
    }

    fn find(&self, key: &str) -> Option<usize> {
        let entries = &self.entries;
        self.index
            .find(hash(key), |&i| entries[i as usize].0 == key)
            .map(|&i| i as usize)
    }
}

impl Map {
    /// An empty object.
    pub fn new() -> Self {
        Map::default()
    }

    /// An empty object with room for `n` entries.
    pub fn with_capacity(n: usize) -> Self {
        Map(Entries::Listed(Vec::with_capacity(n)))
    }

    fn entries(&self) -> &Vec<(Text, Json)> {
        match &self.0 {
            Entries::Listed(v) => v,
            Entries::Indexed(x) => &x.entries,
        }
    }

    /// Mutable access to the values only: names keep their places.
    fn entries_mut(&mut self) -> &mut [(Text, Json)] {
        match &mut self.0 {
            Entries::Listed(v) => v,
            Entries::Indexed(x) => &mut x.entries,
        }
    }

    fn position(&self, key: &str) -> Option<usize> {
        match &self.0 {
            Entries::Listed(v) => v.iter().position(|(k, _)| crate::eq::same_text(k, key)),
            Entries::Indexed(x) => x.find(key),
        }
    }

    /// How many entries.
    pub fn len(&self) -> usize {
        self.entries().len()
    }

    /// Whether it has none.
    pub fn is_empty(&self) -> bool {
        self.entries().is_empty()
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.position(key).map(|i| &self.entries()[i].1)
    }

    /// The value of `key`, to change.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Json> {
        let i = self.position(key)?;
        Some(&mut self.entries_mut()[i].1)
    }

    /// The entry of `key`.
    pub fn get_key_value(&self, key: &str) -> Option<(&Text, &Json)> {
        self.position(key).map(|i| {
            let (k, v) = &self.entries()[i];
            (k, v)
        })
    }

    /// Whether it has `key`.
    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    /// Sets `key` to `value`: in its place when present (the old value is
    /// returned), else last.
    pub fn insert(&mut self, key: Text, value: Json) -> Option<Json> {
        if let Some(i) = self.position(&key) {
            return Some(std::mem::replace(&mut self.entries_mut()[i].1, value));
        }
        self.push(key, value);
        None
    }

    /// Appends an entry whose name the object does not have.
    fn push(&mut self, key: Text, value: Json) {
        match &mut self.0 {
            Entries::Listed(v) => {
                v.push((key, value));
                if v.len() > INDEXED {
                    self.0 = Entries::Indexed(Box::new(Indexed::new(std::mem::take(v))));
                }
            }
            Entries::Indexed(x) => {
                let i = x.entries.len() as u32;
                let entries = &x.entries;
                x.index
                    .insert_unique(hash(&key), i, |&j| hash(&entries[j as usize].0));
                x.entries.push((key, value));
            }
        }
    }

    /// Removes `key`, moving the last entry into its place.
    pub fn remove(&mut self, key: &str) -> Option<Json> {
        let i = self.position(key)?;
        Some(match &mut self.0 {
            Entries::Listed(v) => v.swap_remove(i).1,
            Entries::Indexed(x) => {
                let last = x.entries.len() - 1;
                let entries = &x.entries;
                if let Ok(slot) = x.index.find_entry(hash(key), |&j| j as usize == i) {
                    slot.remove();
                }
                if i != last {
                    let moved = hash(&entries[last].0);
                    if let Some(slot) = x.index.find_mut(moved, |&j| j as usize == last) {
                        *slot = i as u32;
                    }
                }
                x.entries.swap_remove(i).1
            }
        })
    }

    /// Removes `key`, keeping the order of the others.
    pub fn shift_remove(&mut self, key: &str) -> Option<Json> {
        let i = self.position(key)?;
        let mut entries = std::mem::take(self).into_entries();
        let (_, v) = entries.remove(i);
        *self = Map::from_entries(entries);
        Some(v)
    }

    /// Keeps the entries `keep` accepts, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(&Text, &mut Json) -> bool) {
        let mut entries = std::mem::take(self).into_entries();
        entries.retain_mut(|(k, v)| keep(k, v));
        *self = Map::from_entries(entries);
    }

    fn into_entries(self) -> Vec<(Text, Json)> {
        match self.0 {
            Entries::Listed(v) => v,
            Entries::Indexed(x) => x.entries,
        }
    }

    /// An object of entries whose names differ.
    fn from_entries(entries: Vec<(Text, Json)>) -> Self {
        if entries.len() > INDEXED {
            Map(Entries::Indexed(Box::new(Indexed::new(entries))))
        } else {
            Map(Entries::Listed(entries))
        }
    }

    /// The entries, in order.
    pub fn iter(&self) -> Iter<'_> {
        self.entries().iter().map(|(k, v)| (k, v))
    }

    /// The entries, in order, their values to change.
    pub fn iter_mut(&mut self) -> IterMut<'_> {
        self.entries_mut().iter_mut().map(|(k, v)| (&*k, v))
    }

    /// The names, in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &Text> + ExactSizeIterator + Clone {
        self.entries().iter().map(|(k, _)| k)
    }

    /// The values, in order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Json> + ExactSizeIterator + Clone {
        self.entries().iter().map(|(_, v)| v)
    }

    /// The values, in order, to change.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut Json> {
        self.entries_mut().iter_mut().map(|(_, v)| v)
    }

    /// The entry of `key`, to fill when absent.
    pub fn entry(&mut self, key: Text) -> Entry<'_> {
        Entry { map: self, key }
    }
}

/// An object's entries, in order.
pub type Iter<'a> = std::iter::Map<
    std::slice::Iter<'a, (Text, Json)>,
    fn(&'a (Text, Json)) -> (&'a Text, &'a Json),
>;

/// An object's entries, in order, their values to change.
pub type IterMut<'a> = std::iter::Map<
    std::slice::IterMut<'a, (Text, Json)>,
    fn(&'a mut (Text, Json)) -> (&'a Text, &'a mut Json),
>;

/// An entry of [`Map::entry`].
pub struct Entry<'a> {
    map: &'a mut Map,
    key: Text,
}

impl<'a> Entry<'a> {
    /// Its value, set by `f` first when absent.
    pub fn or_insert_with(self, f: impl FnOnce() -> Json) -> &'a mut Json {
        let i = match self.map.position(&self.key) {
            Some(i) => i,
            None => {
                self.map.push(self.key, f());
                self.map.len() - 1
            }
        };
        &mut self.map.entries_mut()[i].1
    }
}

impl fmt::Debug for Map {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// As maps: the same names with equal values, in any order.
impl PartialEq for Map {
    fn eq(&self, other: &Self) -> bool {
        crate::eq::equal_maps(self, other)
    }
}

impl PartialEq for Json {
    fn eq(&self, other: &Self) -> bool {
        crate::eq::equal(self, other)
    }
}

impl<'a> IntoIterator for &'a Map {
    type Item = (&'a Text, &'a Json);
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl<'a> IntoIterator for &'a mut Map {
    type Item = (&'a Text, &'a mut Json);
    type IntoIter = IterMut<'a>;
    fn into_iter(self) -> IterMut<'a> {
        self.iter_mut()
    }
}

impl IntoIterator for Map {
    type Item = (Text, Json);
    type IntoIter = std::vec::IntoIter<(Text, Json)>;
    fn into_iter(self) -> Self::IntoIter {
        self.into_entries().into_iter()
    }
}

impl<K: Into<Text>> FromIterator<(K, Json)> for Map {
    fn from_iter<I: IntoIterator<Item = (K, Json)>>(items: I) -> Self {
        let mut map = Map::new();
        map.extend(items);
        map
    }
}

impl<K: Into<Text>> Extend<(K, Json)> for Map {
    fn extend<I: IntoIterator<Item = (K, Json)>>(&mut self, items: I) {
        for (k, v) in items {
            self.insert(k.into(), v);
        }
    }
}

impl std::ops::Index<&str> for Map {
    type Output = Json;
    fn index(&self, key: &str) -> &Json {
        self.get(key).unwrap_or(&NULL)
    }
}

/// Entry `key`, to change; panics when absent, as `serde_json` does.
impl std::ops::IndexMut<&str> for Map {
    fn index_mut(&mut self, key: &str) -> &mut Json {
        self.get_mut(key)
            .unwrap_or_else(|| panic!("no entry `{key}` in the object"))
    }
}

static NULL: Json = Json::Null;

/// What a value is indexed by: a name (objects) or a position (arrays).
pub trait Key {
    fn of(self, v: &Json) -> Option<&Json>;
}

impl Key for &str {
    fn of(self, v: &Json) -> Option<&Json> {
        v.as_object()?.get(self)
    }
}

impl Key for &Text {
    fn of(self, v: &Json) -> Option<&Json> {
        v.as_object()?.get(self)
    }
}

impl Key for usize {
    fn of(self, v: &Json) -> Option<&Json> {
        v.as_array()?.get(self)
    }
}

impl Json {
    /// Entry `key` of an object, or item `key` of an array.
    pub fn get<K: Key>(&self, key: K) -> Option<&Json> {
        key.of(self)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Json::Object(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_object_mut(&mut self) -> Option<&mut Map> {
        match self {
            Json::Object(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&Vec<Json>> {
        match self {
            Json::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_array_mut(&mut self) -> Option<&mut Vec<Json>> {
        match self {
            Json::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Json::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Json::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Number(n) => n.as_f64(),
            _ => None,
        }
    }

    pub fn is_string(&self) -> bool {
        matches!(self, Json::String(_))
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Json::Object(_))
    }

    pub fn is_array(&self) -> bool {
        matches!(self, Json::Array(_))
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    pub fn is_number(&self) -> bool {
        matches!(self, Json::Number(_))
    }

    /// Entry `key` of an object, to change.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Json> {
        self.as_object_mut()?.get_mut(key)
    }

    /// Takes the value, leaving `null`.
    pub fn take(&mut self) -> Json {
        std::mem::take(self)
    }
}

impl<K: Key> std::ops::Index<K> for Json {
    type Output = Json;
    fn index(&self, key: K) -> &Json {
        key.of(self).unwrap_or(&NULL)
    }
}

/// Entry `key` of an object, added as `null` when absent (a `null`
/// becomes an object first); panics on other values, as `serde_json` does.
impl std::ops::IndexMut<&str> for Json {
    fn index_mut(&mut self, key: &str) -> &mut Json {
        if self.is_null() {
            *self = Json::Object(Map::new());
        }
        match self {
            Json::Object(m) => m.entry(key.into()).or_insert_with(|| Json::Null),
            _ => panic!("cannot index into a JSON value that is not an object"),
        }
    }
}

/// Item `i` of an array; panics when absent, as `serde_json` does.
impl std::ops::IndexMut<usize> for Json {
    fn index_mut(&mut self, i: usize) -> &mut Json {
        match self {
            Json::Array(a) => &mut a[i],
            _ => panic!("cannot index into a JSON value that is not an array"),
        }
    }
}

impl PartialEq<str> for Json {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == Some(other)
    }
}

impl PartialEq<&str> for Json {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

impl PartialEq<String> for Json {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == Some(other.as_str())
    }
}

impl PartialEq<Json> for str {
    fn eq(&self, other: &Json) -> bool {
        other.as_str() == Some(self)
    }
}

impl PartialEq<Json> for &str {
    fn eq(&self, other: &Json) -> bool {
        other.as_str() == Some(*self)
    }
}

impl PartialEq<bool> for Json {
    fn eq(&self, other: &bool) -> bool {
        self.as_bool() == Some(*other)
    }
}

impl PartialEq<i64> for Json {
    fn eq(&self, other: &i64) -> bool {
        self.as_i64() == Some(*other)
    }
}

impl From<&str> for Json {
    fn from(s: &str) -> Json {
        Json::String(s.into())
    }
}

impl From<String> for Json {
    fn from(s: String) -> Json {
        Json::String(s.into())
    }
}

impl From<&String> for Json {
    fn from(s: &String) -> Json {
        Json::String(s.as_str().into())
    }
}

impl From<Text> for Json {
    fn from(s: Text) -> Json {
        Json::String(s)
    }
}

impl From<&Text> for Json {
    fn from(s: &Text) -> Json {
        Json::String(s.clone())
    }
}

impl From<bool> for Json {
    fn from(b: bool) -> Json {
        Json::Bool(b)
    }
}

macro_rules! from_integer {
    ($($t:ty)*) => {$(
        impl From<$t> for Json {
            fn from(n: $t) -> Json {
                Json::Number(n.into())
            }
        }
    )*};
}
from_integer!(i8 i16 i32 i64 isize u8 u16 u32 u64 usize);

impl From<Number> for Json {
    fn from(n: Number) -> Json {
        Json::Number(n)
    }
}

impl From<Vec<Json>> for Json {
    fn from(items: Vec<Json>) -> Json {
        Json::Array(items)
    }
}

impl From<Map> for Json {
    fn from(m: Map) -> Json {
        Json::Object(m)
    }
}

impl FromIterator<Json> for Json {
    fn from_iter<I: IntoIterator<Item = Json>>(items: I) -> Json {
        Json::Array(items.into_iter().collect())
    }
}

/// A `serde_json` value, as the engine holds it.
impl From<serde_json::Value> for Json {
    fn from(v: serde_json::Value) -> Json {
        use serde_json::Value as V;
        match v {
            V::Null => Json::Null,
            V::Bool(b) => Json::Bool(b),
            V::Number(n) => Json::Number(n),
            V::String(s) => Json::String(s.into()),
            V::Array(a) => Json::Array(a.into_iter().map(Json::from).collect()),
            V::Object(m) => Json::Object(m.into_iter().map(|(k, v)| (k, Json::from(v))).collect()),
        }
    }
}

/// The value as `serde_json` holds it.
impl From<&Json> for serde_json::Value {
    fn from(v: &Json) -> serde_json::Value {
        use serde_json::Value as V;
        match v {
            Json::Null => V::Null,
            Json::Bool(b) => V::Bool(*b),
            Json::Number(n) => V::Number(n.clone()),
            Json::String(s) => V::String(s.to_string()),
            Json::Array(a) => V::Array(a.iter().map(V::from).collect()),
            Json::Object(m) => {
                V::Object(m.iter().map(|(k, v)| (k.to_string(), V::from(v))).collect())
            }
        }
    }
}

/// The object as `serde_json` holds it.
impl From<&Map> for serde_json::Map<String, serde_json::Value> {
    fn from(m: &Map) -> Self {
        m.iter()
            .map(|(k, v)| (k.to_string(), serde_json::Value::from(v)))
            .collect()
    }
}

/// The value as compact JSON.
impl fmt::Display for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&serde_json::to_string(self).map_err(|_| fmt::Error)?)
    }
}

impl serde::Serialize for Json {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => s.serialize_unit(),
            Json::Bool(b) => s.serialize_bool(*b),
            Json::Number(n) => n.serialize(s),
            Json::String(t) => s.serialize_str(t),
            Json::Array(a) => s.collect_seq(a),
            Json::Object(m) => m.serialize(s),
        }
    }
}

impl serde::Serialize for Map {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter().map(|(k, v)| (k.as_str(), v)))
    }
}

/// Reads JSON as `serde_json` does: of a name given twice, the last.
impl<'de> serde::Deserialize<'de> for Json {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Json, D::Error> {
        d.deserialize_any(Reader { strict: false })
    }
}

impl<'de> serde::Deserialize<'de> for Map {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Map, D::Error> {
        match Json::deserialize(d)? {
            Json::Object(m) => Ok(m),
            _ => Err(serde::de::Error::custom("expected a JSON object")),
        }
    }
}

/// A value that refuses a name given twice in an object: CloudFormation
/// refuses such a template (`serde_json` would keep the last silently).
pub struct Strict(pub Json);

impl<'de> serde::Deserialize<'de> for Strict {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Strict, D::Error> {
        d.deserialize_any(Reader { strict: true }).map(Strict)
    }
}

#[derive(Clone, Copy)]
struct Reader {
    strict: bool,
}

impl<'de> serde::de::DeserializeSeed<'de> for Reader {
    type Value = Json;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
        d.deserialize_any(self)
    }
}

/// An object's name, read straight into its inline form.
struct Name;

impl<'de> serde::de::DeserializeSeed<'de> for Name {
    type Value = Text;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Text, D::Error> {
        d.deserialize_str(self)
    }
}

impl serde::de::Visitor<'_> for Name {
    type Value = Text;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a name")
    }
    fn visit_str<E>(self, v: &str) -> Result<Text, E> {
        Ok(v.into())
    }
    fn visit_string<E>(self, v: String) -> Result<Text, E> {
        Ok(v.into())
    }
}

impl<'de> serde::de::Visitor<'de> for Reader {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::from(v))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Json, E> {
        Number::from_f64(v)
            .map(Json::Number)
            .ok_or_else(|| E::custom("a number that is not finite"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.into()))
    }

    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v.into()))
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(v) = seq.next_element_seed(self)? {
            items.push(v);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key_seed(Name)? {
            let value = map.next_value_seed(self)?;
            match out.position(&key) {
                None => out.push(key, value),
                Some(_) if self.strict => {
                    return Err(serde::de::Error::custom(format!("duplicate key `{key}`")));
                }
                Some(i) => out.entries_mut()[i].1 = value,
            }
        }
        Ok(Json::Object(out))
    }
}

/// A [`Json`] written as JSON, as `serde_json::json!` takes it.
#[macro_export]
macro_rules! json {
    ($($t:tt)+) => {
        $crate::value::Json::from(::serde_json::json!($($t)+))
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Large and small objects find every name, keep their order through
    /// inserts and removals as `serde_json`'s do, and compare as maps.
    #[test]
    fn objects_behave_as_serde_json_maps() {
        for n in [3, INDEXED, INDEXED + 1, 40] {
            let mut ours = Map::new();
            let mut theirs = serde_json::Map::new();
            for i in 0..n {
                ours.insert(format!("k{i}").into(), Json::from(i));
                theirs.insert(format!("k{i}"), serde_json::Value::from(i));
            }
            ours.insert("k1".into(), Json::from("again"));
            theirs.insert("k1".into(), "again".into());
            for key in ["k0", "k2", "missing", &format!("k{}", n - 1)] {
                assert_eq!(
                    ours.remove(key).map(|v| serde_json::Value::from(&v)),
                    theirs.remove(key)
                );
            }
            ours.shift_remove("k1");
            theirs.shift_remove("k1");
            let as_theirs = serde_json::Value::from(&Json::Object(ours.clone()));
            assert_eq!(as_theirs, serde_json::Value::Object(theirs.clone()), "{n}");
            assert_eq!(
                serde_json::to_string(&ours).unwrap(),
                serde_json::to_string(&theirs).unwrap()
            );
            for (k, v) in &theirs {
                assert_eq!(
                    ours.get(k).map(serde_json::Value::from).as_ref(),
                    Some(v),
                    "{k}"
                );
            }
            let reversed: Map = ours.clone().into_iter().rev().collect();
            assert_eq!(reversed, ours);
            ours.retain(|k, _| k.ends_with('3'));
            assert!(ours.iter().all(|(k, _)| k.ends_with('3')));
            assert_eq!(ours.get("k3").is_some(), n > 3, "{n}");
        }
    }

    /// Any sequence of changes leaves an object as it leaves a
    /// `serde_json` map (order included), across the size where the index
    /// starts and stops: a fixed-seed random walk of inserts, removals of
    /// either kind, retains and lookups.
    #[test]
    fn random_changes_match_serde_json() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let (mut ours, mut theirs) = (Map::new(), serde_json::Map::new());
        // Phases that grow the object past the index and shrink it back.
        let (mut largest, mut crossings) = (0, 0);
        for step in 0..20_000 {
            let key = format!("key{}", next(3 * INDEXED as u64));
            let growing = (step / 1000) % 2 == 0;
            match next(10) {
                0..=4 if growing => {
                    let v = next(1000);
                    let a = ours.insert(key.as_str().into(), Json::from(v));
                    let b = theirs.insert(key.clone(), v.into());
                    assert_eq!(a.as_ref().map(serde_json::Value::from), b, "step {step}");
                }
                0 => {
                    let v = next(1000);
                    ours.insert(key.as_str().into(), Json::from(v));
                    theirs.insert(key.clone(), v.into());
                }
                1..=6 => {
                    let a = ours.remove(&key).map(|v| serde_json::Value::from(&v));
                    assert_eq!(a, theirs.remove(&key), "step {step}");
                }
                7 => {
                    let a = ours.shift_remove(&key).map(|v| serde_json::Value::from(&v));
                    assert_eq!(a, theirs.shift_remove(&key), "step {step}");
                }
                8 if next(20) == 0 => {
                    let odd = |k: &str| k.len() % 2 == 1;
                    ours.retain(|k, _| odd(k));
                    theirs.retain(|k, _| odd(k));
                }
                _ => {
                    let a = ours.get(&key).map(serde_json::Value::from);
                    assert_eq!(a.as_ref(), theirs.get(&key), "step {step}");
                }
            }
            let keys: Vec<&str> = ours.keys().map(Text::as_str).collect();
            let expected: Vec<&str> = theirs.keys().map(String::as_str).collect();
            assert_eq!(keys, expected, "step {step}");
            largest = largest.max(ours.len());
            if largest > INDEXED && ours.len() < INDEXED / 2 {
                (largest, crossings) = (0, crossings + 1);
            }
        }
        assert!(
            crossings >= 5,
            "the object crossed the index size {crossings} times"
        );
    }

    /// Read as `serde_json` reads it, or refusing a name given twice.
    #[test]
    fn reads_json_strictly_or_as_serde_json() {
        let text =
            r#"{"a": [1, -2, 2.5, "long string of more than 24 bytes"], "b": null, "a": true}"#;
        let v: Json = serde_json::from_str(text).unwrap();
        let theirs: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(serde_json::Value::from(&v), theirs);
        assert_eq!(v.to_string(), theirs.to_string());
        let e = serde_json::from_str::<Strict>(text)
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("duplicate key `a`"), "{e}");
    }
}
