//! Synthesis: from the construct tree to templates. Assigns logical IDs,
//! resolves references (exporting values other stacks use), merges tags,
//! validates, and orders the stacks by their dependencies.

use std::collections::BTreeSet;

use std::borrow::Cow;

use crate::app::App;
use crate::assembly::{Assembly, SynthesizedStack};
use crate::diagnostics::{Diagnostic, SynthError};
use crate::ids::{ConditionId, MappingId, ResourceId, StackId};
use crate::logical_id;
use crate::resource::ResourceOptions;
use crate::stack::{ResourceNode, Stack};
use crate::template_tree::{Out, OutMap};
use crate::value::{Intrinsic, RefTarget, Value};

mod checks;
mod cross_stack;
mod logical_ids;
mod order;
mod parameters;
mod stack_manifest;
mod tags;

use checks::{check_description, check_exports_unique, check_limits, check_template_size};
use cross_stack::{add_exports, Exported};
use logical_ids::{assign_ids, StackIds};
use order::dependency_order;
use stack_manifest::stack_manifest;

pub use checks::limits;

pub(crate) fn synthesize(app: &App) -> Result<Assembly, SynthError> {
    let mut diags: Vec<Diagnostic> = app.errors.clone();
    for stack in &app.stacks {
        diags.extend(stack.errors.iter().cloned());
    }
    let ids: Vec<StackIds> = app
        .stacks
        .iter()
        .map(|s| assign_ids(s, &mut diags))
        .collect();

    let mut exports: Vec<BTreeSet<Exported>> = vec![BTreeSet::new(); app.stacks.len()];
    let mut deps: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); app.stacks.len()];
    let mut templates = Vec::with_capacity(app.stacks.len());
    for (index, stack) in app.stacks.iter().enumerate() {
        for dep in &stack.explicit_deps {
            if dep.app == app.id && (dep.index as usize) < app.stacks.len() {
                deps[index].insert(dep.index as usize);
            }
        }
        let mut resolver = Resolver {
            app,
            ids: &ids,
            stack_index: index,
            path: "",
            exports: &mut exports,
            deps: &mut deps[index],
            diags: &mut diags,
        };
        templates.push(resolver.template(stack));
    }

    // Exports are added once every consumer is known.
    add_exports(app, &exports, &mut templates, &mut diags);
    check_exports_unique(app, &templates, &mut diags);
    let order = dependency_order(app, &deps, &mut diags);

    let mut stacks = Vec::with_capacity(app.stacks.len());
    for index in order {
        let stack = &app.stacks[index];
        let template = std::mem::take(&mut templates[index]);
        check_limits(stack, &template, &mut diags);
        let body = crate::assembly::render(&template.into_out(), app.format);
        check_template_size(stack, body.len(), &mut diags);
        let manifest = stack_manifest(app, stack, &ids[index], &deps[index], body.len());
        stacks.push(SynthesizedStack::new(manifest, body));
    }

    if diags.iter().any(Diagnostic::is_error) {
        return Err(SynthError { diagnostics: diags });
    }
    Ok(Assembly {
        stacks,
        warnings: diags,
        format: app.format,
    })
}

/// Resolves values of one stack into the template tree.
struct Resolver<'a, 'r> {
    app: &'a App,
    ids: &'a [StackIds],
    stack_index: usize,
    /// The path of the element being resolved, for messages.
    path: &'a str,
    exports: &'r mut Vec<BTreeSet<Exported>>,
    deps: &'r mut BTreeSet<usize>,
    diags: &'r mut Vec<Diagnostic>,
}

impl<'a> Resolver<'a, '_> {
    fn stack(&self) -> &'a Stack {
        &self.app.stacks[self.stack_index]
    }

    fn error(&mut self, message: String) {
        self.diags.push(Diagnostic::error(self.path, message));
    }

    fn template(&mut self, stack: &'a Stack) -> OutMap<'a> {
        let ids = &self.ids[self.stack_index];
        let mut t = OutMap::with_capacity(8);
        t.push("AWSTemplateFormatVersion", Out::str("2010-09-09"));
        if let Some(description) = &stack.description {
            check_description(stack, description, self.diags);
            t.push("Description", Out::str(description));
        }

        let mut params = OutMap::with_capacity(stack.parameters.len());
        for (node, id) in stack.parameters.iter().zip(&ids.parameters) {
            self.path = &node.path;
            params.push(id.as_str(), self.parameter(&node.spec));
        }
        insert_section(&mut t, "Parameters", params);

        let mut mappings = OutMap::with_capacity(stack.mappings.len());
        for (node, id) in stack.mappings.iter().zip(&ids.mappings) {
            self.path = &node.path;
            let mut top = OutMap::with_capacity(node.entries.len());
            for (key, inner) in &node.entries {
                let mut second = OutMap::with_capacity(inner.len());
                for (k2, v) in inner {
                    if !v.is_literal() {
                        self.error(format!("mapping value {key}.{k2} holds an intrinsic function; mappings take only literal values"));
                    }
                    second.push(k2.as_str(), self.resolve(v));
                }
                top.push(key.as_str(), second.into_out());
            }
            mappings.push(id.as_str(), top.into_out());
        }
        insert_section(&mut t, "Mappings", mappings);

        let mut conditions = OutMap::with_capacity(stack.conditions.len());
        for (node, id) in stack.conditions.iter().zip(&ids.conditions) {
            self.path = &node.path;
            conditions.push(id.as_str(), self.resolve(&node.expression));
        }
        insert_section(&mut t, "Conditions", conditions);

        let mut rules = OutMap::with_capacity(stack.rules.len());
        for node in &stack.rules {
            self.path = &node.path;
            let mut rule = OutMap::with_capacity(2);
            if let Some(condition) = &node.condition {
                rule.push("RuleCondition", self.resolve(condition));
            }
            let assertions: Vec<Out> = node
                .assertions
                .iter()
                .map(|(assert, description)| {
                    let mut a = OutMap::with_capacity(2);
                    a.push("Assert", self.resolve(assert));
                    if let Some(d) = description {
                        a.push("AssertDescription", Out::str(d));
                    }
                    a.into_out()
                })
                .collect();
            rule.push("Assertions", Out::List(assertions));
            let stack_prefix = stack.name.len() + 1;
            let id = logical_id::from_path(node.path.get(stack_prefix..).unwrap_or(&node.path));
            // A later rule with the same logical ID replaces the earlier one.
            match rules.0.iter_mut().find(|(k, _)| *k == id) {
                Some((_, earlier)) => *earlier = rule.into_out(),
                None => rules.push(id, rule.into_out()),
            }
        }
        insert_section(&mut t, "Rules", rules);

        let mut resources = OutMap::with_capacity(stack.resources.len());
        for (index, (node, id)) in stack.resources.iter().zip(&ids.resources).enumerate() {
            self.path = &node.path;
            let resource = self.resource(index, node);
            resources.push(id.as_str(), resource);
        }
        t.push("Resources", resources.into_out());

        let mut outputs = OutMap::with_capacity(stack.outputs.len());
        for (node, id) in stack.outputs.iter().zip(&ids.outputs) {
            self.path = &node.path;
            self.check_not_secret(&node.value);
            let mut output = OutMap::with_capacity(4);
            if let Some(d) = &node.description {
                output.push("Description", Out::str(d));
            }
            output.push("Value", self.resolve(&node.value));
            if let Some(name) = &node.export_name {
                output.push("Export", Out::single("Name", self.resolve(name)));
            }
            if let Some(c) = node.condition {
                if let Some(name) = self.condition_name(c) {
                    output.push("Condition", Out::str(name));
                }
            }
            outputs.push(id.as_str(), output.into_out());
        }
        insert_section(&mut t, "Outputs", outputs);
        t
    }

    fn resource(&mut self, index: usize, node: &'a ResourceNode) -> Out<'a> {
        let mut r = OutMap::with_capacity(4);
        r.push("Type", Out::str(&node.type_name));
        self.check_resource(node);
        // Resolved straight from the borrowed properties (sorted by name),
        // with the merged tags in their sorted place.
        let mut tags = self.merged_tags(node);
        if !node.props.is_empty() || tags.is_some() {
            let mut props = OutMap::with_capacity(8);
            for (name, value) in node.props.iter() {
                if let Some((tag_name, merged)) = tags.take_if(|(t, _)| *t <= name) {
                    props.push(tag_name, merged);
                    if tag_name == name {
                        continue;
                    }
                }
                props.push(name, self.resolve(value));
            }
            if let Some((tag_name, merged)) = tags {
                props.push(tag_name, merged);
            }
            r.push("Properties", props.into_out());
        }
        self.resource_options(index, &node.options, &mut r);
        r.into_out()
    }

    fn resource_options(&mut self, index: usize, options: &'a ResourceOptions, r: &mut OutMap<'a>) {
        let mut depends_on = Vec::new();
        for dep in &options.depends_on {
            match self.locate_resource(*dep) {
                Some((stack, _)) if stack != self.stack_index => {
                    self.deps.insert(stack);
                }
                Some((_, id)) if dep.index as usize == index => {
                    self.error(format!("the resource depends on itself ({id})"));
                }
                Some((_, id)) => depends_on.push(Out::str(id)),
                None => {}
            }
        }
        if !depends_on.is_empty() {
            r.push("DependsOn", Out::List(depends_on));
        }
        if let Some(c) = options.condition {
            if let Some(name) = self.condition_name(c) {
                r.push("Condition", Out::str(name));
            }
        }
        if let Some(p) = options.deletion_policy {
            r.push("DeletionPolicy", Out::str(p.name()));
        }
        if let Some(p) = options.update_replace_policy {
            r.push("UpdateReplacePolicy", Out::str(p.name()));
        }
        if !options.metadata.is_empty() {
            let mut m = OutMap::with_capacity(options.metadata.len());
            for (k, v) in &options.metadata {
                m.push(k.as_str(), self.resolve(v));
            }
            r.push("Metadata", m.into_out());
        }
    }

    /// The stack index and logical ID of a resource, or an error.
    fn locate_resource(&mut self, id: ResourceId) -> Option<(usize, &'a str)> {
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

    fn locate_stack(&mut self, stack: StackId, what: &str) -> Option<usize> {
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

    fn condition_name(&mut self, id: ConditionId) -> Option<&'a str> {
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

    fn resolve(&mut self, value: &'a Value) -> Out<'a> {
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

fn insert_section<'a>(t: &mut OutMap<'a>, name: &'a str, section: OutMap<'a>) {
    if !section.is_empty() {
        t.push(name, section.into_out());
    }
}
