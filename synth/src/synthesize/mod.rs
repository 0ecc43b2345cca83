//! Synthesis: from the construct tree to templates. Assigns logical IDs,
//! resolves references (exporting values other stacks use), merges tags,
//! validates, and orders the stacks by their dependencies.

use std::collections::{BTreeMap, BTreeSet};

use std::borrow::Cow;

use crate::app::App;
use crate::assembly::{Assembly, SynthesizedStack};
use crate::diagnostics::{Diagnostic, SynthError};
use crate::ids::{ConditionId, MappingId, ParameterId, ResourceId, StackId};
use crate::logical_id;
use crate::resource::ResourceOptions;
use crate::stack::{ResourceNode, Stack};
use crate::template_tree::{Out, OutMap};
use crate::value::{Intrinsic, Pseudo, RefTarget, Value};

mod cross_stack;
mod logical_ids;
mod order;
mod parameters;
mod stack_manifest;
mod tags;

use cross_stack::{add_exports, Exported};
use logical_ids::{assign_ids, StackIds};
use order::dependency_order;
use stack_manifest::stack_manifest;

/// CloudFormation quotas checked at synthesis.
pub mod limits {
    pub const RESOURCES: usize = 500;
    pub const PARAMETERS: usize = 200;
    pub const OUTPUTS: usize = 200;
    pub const MAPPINGS: usize = 200;
    /// Largest template body a request can carry inline.
    pub const INLINE_TEMPLATE_BYTES: usize = 51_200;
    /// Largest template CloudFormation accepts at all (from S3).
    pub const TEMPLATE_BYTES: usize = 1_000_000;
    pub const DESCRIPTION_BYTES: usize = 1024;
}

/// Attributes whose value is a secret: never allowed in an output.
const SECRET_ATTRIBUTES: &[(&str, &str)] = &[("AWS::IAM::AccessKey", "SecretAccessKey")];

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
        if body.len() > limits::TEMPLATE_BYTES {
            diags.push(Diagnostic::error(
                &stack.name,
                format!(
                    "the template is {} bytes, over CloudFormation's limit of {}; split the stack",
                    body.len(),
                    limits::TEMPLATE_BYTES
                ),
            ));
        } else if body.len() > limits::INLINE_TEMPLATE_BYTES {
            diags.push(Diagnostic::warning(
                &stack.name,
                format!(
                    "the template is {} bytes, over the {} bytes CloudFormation takes inline; deploy uploads it to S3 (--template-bucket)",
                    body.len(),
                    limits::INLINE_TEMPLATE_BYTES
                ),
            ));
        }
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
            if description.len() > limits::DESCRIPTION_BYTES {
                self.diags.push(Diagnostic::error(
                    &stack.name,
                    format!(
                        "the description is {} bytes; CloudFormation allows {}",
                        description.len(),
                        limits::DESCRIPTION_BYTES
                    ),
                ));
            }
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
        if let Some(meta) = node.meta {
            let own_stack = self.stack();
            if let Some(region) = own_stack
                .env
                .region
                .as_deref()
                .and_then(crate::region::Region::find)
            {
                if crate::aws::covered_regions().contains(region) && !meta.regions.contains(region)
                {
                    let message = format!(
                        "{} is not available in {}; deploy this stack to a region that offers it",
                        node.type_name, region.name
                    );
                    self.error(message);
                }
            }
            for d in crate::validate::check(meta, &node.props) {
                self.error(d);
            }
        }
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

    /// Outputs must not carry secrets into stack outputs and logs.
    fn check_not_secret(&mut self, value: &Value) {
        match value {
            Value::Fn(f) => {
                match f.as_ref() {
                    Intrinsic::GetAtt(id, attr) => {
                        if let Some(node) = self.resource_node(*id) {
                            if SECRET_ATTRIBUTES.contains(&(node.type_name.as_str(), attr)) {
                                let message = format!("an output exposes the secret {attr} of {}; keep secrets out of outputs (store them in Secrets Manager)", node.path);
                                self.error(message);
                            }
                        }
                    }
                    Intrinsic::Ref(RefTarget::Parameter(id)) => {
                        let no_echo = self
                            .parameter_node(*id)
                            .map(|p| (p.spec.no_echo, p.path.clone()));
                        if let Some((true, path)) = no_echo {
                            self.error(format!("an output exposes the NoEcho parameter {path}; keep secrets out of outputs"));
                        }
                    }
                    _ => {}
                }
                for_each_child(f, |v| self.check_not_secret(v));
            }
            Value::List(items) => items.iter().for_each(|v| self.check_not_secret(v)),
            Value::Map(m) => m.values().for_each(|v| self.check_not_secret(v)),
            _ => {}
        }
    }

    fn resource_node(&self, id: ResourceId) -> Option<&'a ResourceNode> {
        self.app
            .stacks
            .get(id.stack.index as usize)
            .filter(|_| id.stack.app == self.app.id)
            .and_then(|s| s.resources.get(id.index as usize))
    }

    fn parameter_node(&self, id: ParameterId) -> Option<&'a crate::stack::ParameterNode> {
        self.app
            .stacks
            .get(id.stack.index as usize)
            .filter(|_| id.stack.app == self.app.id)
            .and_then(|s| s.parameters.get(id.index as usize))
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

    /// Every `${Name}` in a `Fn::Sub` template must be a variable, a pseudo
    /// parameter, or a resource or parameter of this stack.
    fn check_sub(&mut self, template: &str, vars: &indexmap::IndexMap<String, Value>) {
        let ids = &self.ids[self.stack_index];
        let mut unresolved = Vec::new();
        let mut rest = template;
        while let Some(start) = rest.find("${") {
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                break;
            };
            let name = after[..end].trim();
            rest = &after[end + 1..];
            if name.starts_with('!') {
                continue;
            }
            let base = name.split('.').next().unwrap_or(name);
            let known = vars.contains_key(name)
                || Pseudo::from_name(name).is_some()
                || ids.resources.iter().any(|id| id == base)
                || (!name.contains('.') && ids.parameters.iter().any(|id| id == name));
            if !known {
                unresolved.push(name.to_owned());
            }
        }
        for name in unresolved {
            self.error(format!(
                "Fn::Sub refers to ${{{name}}}, which is not a variable, a pseudo parameter or a logical ID in this stack; pass the value with fns::sub_with"
            ));
        }
    }
}

/// Calls `visit` on every value an intrinsic holds.
fn for_each_child(f: &Intrinsic, mut visit: impl FnMut(&Value)) {
    match f {
        Intrinsic::Ref(_) | Intrinsic::GetAtt(..) | Intrinsic::Condition(_) => {}
        Intrinsic::Sub(_, vars) => vars.values().for_each(visit),
        Intrinsic::Join(_, v)
        | Intrinsic::Split(_, v)
        | Intrinsic::GetAzs(v)
        | Intrinsic::ImportValue(v)
        | Intrinsic::Not(v)
        | Intrinsic::Base64(v) => visit(v),
        Intrinsic::Select(a, b)
        | Intrinsic::Equals(a, b)
        | Intrinsic::If(_, a, b)
        | Intrinsic::FindInMap(_, a, b) => {
            visit(a);
            visit(b);
        }
        Intrinsic::And(items) | Intrinsic::Or(items) => items.iter().for_each(visit),
        Intrinsic::Cidr(a, b, c) => {
            visit(a);
            visit(b);
            visit(c);
        }
    }
}

fn insert_section<'a>(t: &mut OutMap<'a>, name: &'a str, section: OutMap<'a>) {
    if !section.is_empty() {
        t.push(name, section.into_out());
    }
}

fn check_limits(stack: &Stack, template: &OutMap, diags: &mut Vec<Diagnostic>) {
    let count = |section: &str| template.get(section).map_or(0, |s| s.entries().len());
    for (section, limit) in [
        ("Resources", limits::RESOURCES),
        ("Parameters", limits::PARAMETERS),
        ("Outputs", limits::OUTPUTS),
        ("Mappings", limits::MAPPINGS),
    ] {
        let n = count(section);
        if n > limit {
            diags.push(Diagnostic::error(
                &stack.name,
                format!("the stack has {n} {}, over CloudFormation's limit of {limit}; split it into several stacks", section.to_lowercase()),
            ));
        }
    }
    if count("Resources") == 0 {
        diags.push(Diagnostic::error(
            &stack.name,
            "the stack has no resources; CloudFormation requires at least one",
        ));
    }
}

/// Export names must be unique within an account and region; two stacks of
/// one app exporting the same name cannot both deploy.
fn check_exports_unique(app: &App, templates: &[OutMap], diags: &mut Vec<Diagnostic>) {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for (stack, template) in app.stacks.iter().zip(templates) {
        let Some(outputs) = template.get("Outputs") else {
            continue;
        };
        for (id, output) in outputs.entries() {
            let name = output.get("Export").and_then(|e| e.get("Name"));
            let Some(name) = name.and_then(Out::as_str) else {
                continue;
            };
            let path = format!("{}/{id}", stack.name);
            if let Some(other) = seen.get(name) {
                diags.push(Diagnostic::error(
                    &path,
                    format!("export name {name:?} is also exported by {other}; export names must be unique in an account and region"),
                ));
            } else {
                seen.insert(name.to_owned(), path);
            }
        }
    }
}
