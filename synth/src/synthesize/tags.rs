//! Tags: the stack's tags, the resource's own `.tag(..)`s and any literal
//! tag property merged (later wins) into the one property the type takes
//! tags in, in that type's shape: a list of Key/Value (optionally with
//! PropagateAtLaunch) or a map.

use std::borrow::Cow;

use super::resolve::Resolver;
use crate::schema::{TagShape, Tagging};
use crate::stack::{NodeSettingKind, ResourceNode};
use crate::template_tree::Out;
use crate::value::{Val, Value};

/// A tag value being merged: a stack tag's text or a value of the tree.
enum TagValue<'a> {
    Text(&'a str),
    Value(&'a Value),
}

impl<'a> Resolver<'a, '_> {
    /// Merges the stack's tags, the resource's own tags and any literal tag
    /// property into the shape the type takes tags in: the tag property's
    /// name and merged, resolved value, when there are tags to merge.
    pub(super) fn merged_tags(
        &mut self,
        node: &'a ResourceNode,
    ) -> Option<(&'static str, Out<'a>)> {
        let props = &node.props;
        let stack_tags = &self.stack().tags;
        let own = &node.options.tags;
        let construct_tags: Vec<(&'a str, &'a Val<String>)> = self
            .stack()
            .settings_for(&node.path)
            .into_iter()
            .filter_map(|s| match &s.kind {
                NodeSettingKind::Tag(k, v) => Some((k.as_str(), v)),
                _ => None,
            })
            .collect();
        if stack_tags.is_empty() && own.is_empty() && construct_tags.is_empty() {
            return None;
        }
        let Some(Tagging { property, shape }) = node.meta.and_then(|m| m.tagging) else {
            if !own.is_empty() {
                let message = format!(
                    "{} does not take tags; remove .tag(..) from it",
                    node.type_name
                );
                self.error(message);
            }
            return None;
        };
        let mut merged: Vec<(&'a str, TagValue<'a>)> = Vec::new();
        let mut put = |key: &'a str, value: TagValue<'a>| {
            merged.retain(|(k, _)| *k != key);
            merged.push((key, value));
        };
        for (k, v) in stack_tags {
            put(k, TagValue::Text(v));
        }
        for (k, v) in construct_tags {
            put(k, TagValue::Value(v.value()));
        }
        for (k, v) in own {
            put(k, TagValue::Value(v.value()));
        }
        match props.get(property) {
            None => {}
            Some(Value::List(items)) => {
                for item in items {
                    if let Value::Map(m) = item {
                        if let (Some(Value::String(k)), Some(v)) = (m.get("Key"), m.get("Value")) {
                            put(k, TagValue::Value(v));
                        }
                    }
                }
            }
            Some(Value::Map(m)) => {
                for (k, v) in m {
                    put(k, TagValue::Value(v));
                }
            }
            Some(_) => {
                let message = format!("the {property} property is computed by an intrinsic function, so the stack's tags cannot be merged into it; set tags with .tag(..) instead");
                self.error(message);
                return None;
            }
        }
        for (key, _) in &merged {
            if key.starts_with("aws:") {
                let message = format!("tag key {key:?} uses the reserved prefix aws:");
                self.error(message);
            }
        }
        let mut value = |v: TagValue<'a>| match v {
            TagValue::Text(text) => Out::str(text),
            TagValue::Value(v) => self.resolve(v),
        };
        let value = match shape {
            TagShape::Map => Out::Map(
                merged
                    .into_iter()
                    .map(|(k, v)| (Cow::Borrowed(k), value(v)))
                    .collect(),
            ),
            TagShape::List | TagShape::ListPropagateAtLaunch => Out::List(
                merged
                    .into_iter()
                    .map(|(k, v)| {
                        let mut tag = vec![("Key".into(), Out::str(k)), ("Value".into(), value(v))];
                        if shape == TagShape::ListPropagateAtLaunch {
                            tag.push(("PropagateAtLaunch".into(), Out::Bool(true)));
                        }
                        Out::Map(tag)
                    })
                    .collect(),
            ),
        };
        Some((property, value))
    }
}
