//! Resolving values into the template tree: literals become nodes that
//! borrow from the construct tree, and the typed ids that intrinsics hold
//! become logical IDs. A reference into another stack becomes an import
//! (`cross_stack`); a reference that cannot be resolved (a dangling handle,
//! another app, a condition or mapping of another stack) is an error at the
//! path of the element being resolved.

use std::borrow::Cow;
use std::collections::BTreeSet;

use super::cross_stack::Exported;
use super::logical_ids::StackIds;
use crate::app::App;
use crate::diagnostics::Diagnostic;
use crate::element_ids::{ConditionId, MappingId, ResourceId, StackId};
use crate::stack::Stack;
use crate::template_tree::Out;
use crate::value::{Intrinsic, RefTarget, Value};

/// Resolves values of one stack into the template tree.
pub(super) struct Resolver<'a, 'r> {
    pub(super) app: &'a App,
    pub(super) ids: &'a [StackIds],
    pub(super) stack_index: usize,
    /// The path of the element being resolved, for messages.
    pub(super) path: &'a str,
    pub(super) exports: &'r mut Vec<BTreeSet<Exported>>,
    pub(super) deps: &'r mut BTreeSet<usize>,
    pub(super) diags: &'r mut Vec<Diagnostic>,
}

impl<'a> Resolver<'a, '_> {
    pub(super) fn stack(&self) -> &'a Stack {
        &self.app.stacks[self.stack_index]
    }

    pub(super) fn error(&mut self, message: String) {
        self.diags.push(Diagnostic::error(self.path, message));
    }

    /// The stack index and logical ID of a resource, or an error.
    pub(super) fn locate_resource(&mut self, id: ResourceId) -> Option<(usize, &'a str)> {
        let stack = self.locate_stack(id.stack, "resource")?;
        let ids = self.ids;
        match ids[stack].resources.get(id.index as usize) {
            Some(lid) => Some((stack, lid)),
            None => {
                self.error(
                    "a reference points at a resource that does not exist (a dangling handle)"
                        .into(),
                );
                None
            }
        }
    }

    pub(super) fn locate_stack(&mut self, stack: StackId, what: &str) -> Option<usize> {
        if stack.app != self.app.id {
            self.error(format!("a reference points at a {what} of another App; build all stacks that reference each other in one App"));
            return None;
        }
        if (stack.index as usize) < self.app.stacks.len() {
            Some(stack.index as usize)
        } else {
            self.error(format!(
                "a reference points at a {what} of a stack that does not exist"
            ));
            None
        }
    }

    pub(super) fn condition_name(&mut self, id: ConditionId) -> Option<&'a str> {
        let stack = self.locate_stack(id.stack, "condition")?;
        if stack != self.stack_index {
            let other = &self.app.stacks[stack].name;
            self.error(format!("uses a condition of stack {other}; conditions cannot be shared between stacks, declare it in this stack"));
            return None;
        }
        let ids = self.ids;
        ids[stack]
            .conditions
            .get(id.index as usize)
            .map(String::as_str)
    }

    fn mapping_name(&mut self, id: MappingId) -> Option<&'a str> {
        let stack = self.locate_stack(id.stack, "mapping")?;
        if stack != self.stack_index {
            let other = &self.app.stacks[stack].name;
            self.error(format!("uses a mapping of stack {other}; mappings cannot be shared between stacks, declare it in this stack"));
            return None;
        }
        let ids = self.ids;
        ids[stack]
            .mappings
            .get(id.index as usize)
            .map(String::as_str)
    }

    pub(super) fn resolve(&mut self, value: &'a Value) -> Out<'a> {
        match value {
            Value::Null => Out::Null,
            Value::Bool(b) => Out::Bool(*b),
            Value::Int(n) => Out::Int(*n),
            Value::Float(n) if n.is_finite() => Out::Float(*n),
            Value::Float(n) => {
                self.error(format!("{n} is not a number CloudFormation accepts"));
                Out::Null
            }
            Value::String(s) => Out::str(s),
            Value::List(items) => Out::List(items.iter().map(|v| self.resolve(v)).collect()),
            Value::Map(m) => Out::Map(
                m.iter()
                    .map(|(k, v)| (Cow::Borrowed(k.as_str()), self.resolve(v)))
                    .collect(),
            ),
            Value::Fn(f) => self.intrinsic(f),
        }
    }

    /// `{"Ref": id}`.
    fn reference(id: &'a str) -> Out<'a> {
        Out::single("Ref", Out::str(id))
    }

    /// `{name: [items...]}`.
    fn call(name: &'a str, items: Vec<Out<'a>>) -> Out<'a> {
        Out::single(name, Out::List(items))
    }

    fn name_or_null(name: Option<&'a str>) -> Out<'a> {
        name.map_or(Out::Null, Out::str)
    }

    fn intrinsic(&mut self, f: &'a Intrinsic) -> Out<'a> {
        match f {
            Intrinsic::Ref(RefTarget::Pseudo(p)) => Self::reference(p.name()),
            Intrinsic::Ref(RefTarget::Resource(id)) => {
                let Some((stack, lid)) = self.locate_resource(*id) else {
                    return Out::Null;
                };
                if stack == self.stack_index {
                    Self::reference(lid)
                } else {
                    let path = &self.app.stacks[stack].resources[id.index as usize].path;
                    self.import(stack, Exported::Ref(lid.to_owned()), path)
                }
            }
            Intrinsic::Ref(RefTarget::Parameter(id)) => {
                let Some(stack) = self.locate_stack(id.stack, "parameter") else {
                    return Out::Null;
                };
                let ids = self.ids;
                let Some(lid) = ids[stack].parameters.get(id.index as usize) else {
                    self.error("a reference points at a parameter that does not exist".into());
                    return Out::Null;
                };
                if stack == self.stack_index {
                    Self::reference(lid)
                } else {
                    let path = &self.app.stacks[stack].parameters[id.index as usize].path;
                    self.import(stack, Exported::ParameterRef(lid.clone()), path)
                }
            }
            Intrinsic::GetAtt(id, attr) => {
                let Some((stack, lid)) = self.locate_resource(*id) else {
                    return Out::Null;
                };
                if stack == self.stack_index {
                    Self::call("Fn::GetAtt", vec![Out::str(lid), Out::str(attr)])
                } else {
                    let path = &self.app.stacks[stack].resources[id.index as usize].path;
                    self.import(stack, Exported::GetAtt(lid.to_owned(), attr), path)
                }
            }
            Intrinsic::Sub(template, vars) => {
                self.check_sub(template, vars);
                if vars.is_empty() {
                    Out::single("Fn::Sub", Out::str(template))
                } else {
                    let vars = vars
                        .iter()
                        .map(|(k, v)| (Cow::Borrowed(k.as_str()), self.resolve(v)))
                        .collect();
                    Self::call("Fn::Sub", vec![Out::str(template), Out::Map(vars)])
                }
            }
            Intrinsic::Join(delimiter, list) => {
                Self::call("Fn::Join", vec![Out::str(delimiter), self.resolve(list)])
            }
            Intrinsic::Select(index, list) => {
                Self::call("Fn::Select", vec![self.resolve(index), self.resolve(list)])
            }
            Intrinsic::Split(delimiter, source) => {
                Self::call("Fn::Split", vec![Out::str(delimiter), self.resolve(source)])
            }
            Intrinsic::GetAzs(region) => Out::single("Fn::GetAZs", self.resolve(region)),
            Intrinsic::ImportValue(name) => Out::single("Fn::ImportValue", self.resolve(name)),
            Intrinsic::If(condition, then, otherwise) => {
                let name = Self::name_or_null(self.condition_name(*condition));
                Self::call(
                    "Fn::If",
                    vec![name, self.resolve(then), self.resolve(otherwise)],
                )
            }
            Intrinsic::Equals(a, b) => {
                Self::call("Fn::Equals", vec![self.resolve(a), self.resolve(b)])
            }
            Intrinsic::And(items) => self.condition_list("Fn::And", items),
            Intrinsic::Or(items) => self.condition_list("Fn::Or", items),
            Intrinsic::Not(c) => Self::call("Fn::Not", vec![self.resolve(c)]),
            Intrinsic::Condition(c) => {
                Out::single("Condition", Self::name_or_null(self.condition_name(*c)))
            }
            Intrinsic::Base64(v) => Out::single("Fn::Base64", self.resolve(v)),
            Intrinsic::Cidr(block, count, bits) => Self::call(
                "Fn::Cidr",
                vec![self.resolve(block), self.resolve(count), self.resolve(bits)],
            ),
            Intrinsic::FindInMap(map, k1, k2) => {
                let name = Self::name_or_null(self.mapping_name(*map));
                Self::call(
                    "Fn::FindInMap",
                    vec![name, self.resolve(k1), self.resolve(k2)],
                )
            }
        }
    }

    fn condition_list(&mut self, name: &'a str, items: &'a [Value]) -> Out<'a> {
        if !(2..=10).contains(&items.len()) {
            self.error(format!(
                "{name} takes 2 to 10 conditions, not {}",
                items.len()
            ));
        }
        let items = items.iter().map(|v| self.resolve(v)).collect();
        Self::call(name, items)
    }
}
