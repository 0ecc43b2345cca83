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
use crate::manifest::{ParameterManifest, StackManifest};
use crate::out::{Out, OutMap};
use crate::resource::ResourceOptions;
use crate::schema::{TagShape, Tagging};
use crate::stack::{ResourceNode, Stack};
use crate::value::{Intrinsic, Pseudo, RefTarget, Value};

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

/// Logical IDs of one stack's elements, by index.
struct StackIds {
    resources: Vec<String>,
    parameters: Vec<String>,
    conditions: Vec<String>,
    mappings: Vec<String>,
    outputs: Vec<String>,
}

/// A value of one stack that another stack uses.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Exported {
    Ref(String),
    GetAtt(String, &'static str),
    ParameterRef(String),
}

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
    for (index, wanted) in exports.iter().enumerate() {
        if wanted.is_empty() {
            continue;
        }
        let stack = &app.stacks[index];
        let Out::Map(outputs) =
            templates[index].entry_or_insert_with("Outputs", || Out::Map(Vec::new()))
        else {
            continue;
        };
        for export in wanted {
            let (output_id, value) = export_output(export);
            if outputs.iter().any(|(k, _)| *k == output_id) {
                diags.push(Diagnostic::error(
                    &stack.name,
                    format!("output {output_id} collides with the output synthesis adds to export a value to another stack; rename the output"),
                ));
                continue;
            }
            let export = Out::single("Name", Out::string(export_name(&stack.name, export)));
            let output = Out::Map(vec![("Value".into(), value), ("Export".into(), export)]);
            outputs.push((Cow::Owned(output_id), output));
        }
    }

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

/// Derives or takes the pinned logical ID of every element; reports
/// collisions with both paths.
fn assign_ids(stack: &Stack, diags: &mut Vec<Diagnostic>) -> StackIds {
    let prefix_len = stack.name.len() + 1;
    let mut id_of = |path: &str, pinned: Option<&str>| -> String {
        match pinned {
            Some(id) => {
                if let Some(problem) = logical_id::problem(id) {
                    diags.push(Diagnostic::error(path, problem));
                }
                id.to_owned()
            }
            None => logical_id::from_path(path.get(prefix_len..).unwrap_or(path)),
        }
    };
    let ids = StackIds {
        resources: stack
            .resources
            .iter()
            .map(|r| id_of(&r.path, r.options.logical_id.as_deref()))
            .collect(),
        parameters: stack
            .parameters
            .iter()
            .map(|p| id_of(&p.path, None))
            .collect(),
        conditions: stack
            .conditions
            .iter()
            .map(|c| id_of(&c.path, None))
            .collect(),
        mappings: stack
            .mappings
            .iter()
            .map(|m| id_of(&m.path, None))
            .collect(),
        outputs: stack.outputs.iter().map(|o| id_of(&o.path, None)).collect(),
    };
    // Every element in claim order, sorted by ID: equal IDs end up side by
    // side, the first claimer first.
    let paths = stack
        .resources
        .iter()
        .map(|r| r.path.as_str())
        .chain(stack.parameters.iter().map(|p| p.path.as_str()))
        .chain(stack.conditions.iter().map(|c| c.path.as_str()))
        .chain(stack.mappings.iter().map(|m| m.path.as_str()))
        .chain(stack.outputs.iter().map(|o| o.path.as_str()));
    let all_ids = ids
        .resources
        .iter()
        .chain(&ids.parameters)
        .chain(&ids.conditions)
        .chain(&ids.mappings)
        .chain(&ids.outputs);
    let mut claims: Vec<(&str, usize, &str)> = all_ids
        .zip(paths)
        .enumerate()
        .map(|(order, (id, path))| (id.as_str(), order, path))
        .collect();
    claims.sort_unstable();
    let mut collisions: Vec<(usize, Diagnostic)> = Vec::new();
    for group in claims.chunk_by(|a, b| a.0 == b.0) {
        let (id, _, first) = group[0];
        for &(_, order, path) in &group[1..] {
            collisions.push((
                order,
                Diagnostic::error(
                    path,
                    format!("logical ID {id} is also the ID of {first}; rename one of them or pin a logical ID with .logical_id(..)"),
                ),
            ));
        }
    }
    collisions.sort_by_key(|(order, _)| *order);
    diags.extend(collisions.into_iter().map(|(_, d)| d));
    ids
}

fn export_output(export: &Exported) -> (String, Out<'static>) {
    match export {
        Exported::Ref(id) | Exported::ParameterRef(id) => (
            format!("Export{id}Ref"),
            Out::single("Ref", Out::string(id.clone())),
        ),
        Exported::GetAtt(id, attr) => (
            format!("Export{id}{}", attr.replace('.', "")),
            Out::single(
                "Fn::GetAtt",
                Out::List(vec![Out::string(id.clone()), Out::str(attr)]),
            ),
        ),
    }
}

fn export_name(stack: &str, export: &Exported) -> String {
    match export {
        Exported::Ref(id) | Exported::ParameterRef(id) => format!("{stack}:{id}"),
        Exported::GetAtt(id, attr) => format!("{stack}:{id}:{}", attr.replace('.', "-")),
    }
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

/// A tag value being merged: a stack tag's text or a value of the tree.
enum TagValue<'a> {
    Text(&'a str),
    Value(&'a Value),
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

    fn parameter(&mut self, spec: &'a crate::stack::ParameterSpec) -> Out<'a> {
        let mut p = OutMap::with_capacity(4);
        p.push("Type", Out::str(&spec.type_name));
        if let Some(d) = &spec.description {
            p.push("Description", Out::str(d));
        }
        if let Some(default) = &spec.default {
            if spec.no_echo {
                self.error("a NoEcho parameter has a default value, which would be written into the template in plain text; pass the value at deploy time instead".into());
            }
            if !default.is_literal() {
                self.error("a parameter default must be a literal value".into());
            }
            if let Some(text) = scalar_text(default) {
                if let Some(problem) = parameter_default_problem(spec, &text) {
                    self.error(problem);
                }
            }
            p.push("Default", self.resolve(default));
        }
        if !spec.allowed_values.is_empty() {
            let values = spec
                .allowed_values
                .iter()
                .map(|v| self.resolve(v))
                .collect();
            p.push("AllowedValues", Out::List(values));
        }
        if let Some(pattern) = &spec.allowed_pattern {
            // Only the syntax is checked here (parsed, not translated or
            // compiled): compiling is for matching a default against it.
            if regex_syntax::ast::parse::Parser::new()
                .parse(pattern)
                .is_err()
            {
                self.error(format!(
                    "AllowedPattern {pattern:?} is not a valid regular expression"
                ));
            }
            p.push("AllowedPattern", Out::str(pattern));
        }
        if let Some(d) = &spec.constraint_description {
            p.push("ConstraintDescription", Out::str(d));
        }
        let number = spec.type_name == "Number";
        let int = |n: Option<u64>| n.map(|n| Out::Int(i64::try_from(n).unwrap_or(i64::MAX)));
        let float = |n: Option<f64>| {
            n.map(|n| {
                if n.is_finite() {
                    Out::Float(n)
                } else {
                    Out::Null
                }
            })
        };
        for (key, value, applies) in [
            ("MinLength", int(spec.min_length), !number),
            ("MaxLength", int(spec.max_length), !number),
            ("MinValue", float(spec.min_value), number),
            ("MaxValue", float(spec.max_value), number),
        ] {
            if let Some(value) = value {
                if !applies {
                    self.error(format!(
                        "{key} does not apply to a parameter of type {}",
                        spec.type_name
                    ));
                }
                p.push(key, value);
            }
        }
        if spec.no_echo {
            p.push("NoEcho", Out::Bool(true));
        }
        p.into_out()
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
                .and_then(crate::regions::Region::find)
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

    /// Merges the stack's tags, the resource's own tags and any literal tag
    /// property into the shape the type takes tags in: the tag property's
    /// name and merged, resolved value, when there are tags to merge.
    fn merged_tags(&mut self, node: &'a ResourceNode) -> Option<(&'static str, Out<'a>)> {
        let props = &node.props;
        let stack_tags = &self.stack().tags;
        let own = &node.options.tags;
        if stack_tags.is_empty() && own.is_empty() {
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

    /// A value of stack `producer` used here: exports it there and imports
    /// it here, after checking both stacks can see each other.
    fn import(&mut self, producer: usize, export: Exported, producer_path: &str) -> Out<'a> {
        let app = self.app;
        let (from, to) = (&app.stacks[producer], &app.stacks[self.stack_index]);
        for (what, a, b) in [
            ("region", &from.env.region, &to.env.region),
            ("account", &from.env.account, &to.env.account),
        ] {
            if let (Some(a), Some(b)) = (a, b) {
                if a != b {
                    let message = format!(
                        "references {producer_path} across {what}s ({a} vs {b}); CloudFormation exports only work within one account and region, so pass the value as a parameter instead"
                    );
                    self.error(message);
                    return Out::Null;
                }
            }
        }
        let name = export_name(&from.name, &export);
        self.exports[producer].insert(export);
        self.deps.insert(producer);
        Out::single("Fn::ImportValue", Out::string(name))
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

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Int(n) => Some(n.to_string()),
        Value::Float(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Checks a literal default against the parameter's own constraints, so a
/// template that CloudFormation would reject fails here first.
fn parameter_default_problem(spec: &crate::stack::ParameterSpec, text: &str) -> Option<String> {
    if !spec.allowed_values.is_empty()
        && !spec
            .allowed_values
            .iter()
            .any(|v| scalar_text(v).as_deref() == Some(text))
    {
        return Some(format!(
            "the default {text:?} is not among the allowed values"
        ));
    }
    if let Some(pattern) = &spec.allowed_pattern {
        let anchored = format!("^(?:{pattern})$");
        if let Some(re) = crate::validate::regex(&anchored) {
            if !re.is_match(text) {
                return Some(format!(
                    "the default {text:?} does not match the allowed pattern {pattern:?}"
                ));
            }
        }
    }
    let len = text.chars().count() as u64;
    if spec.min_length.is_some_and(|m| len < m) || spec.max_length.is_some_and(|m| len > m) {
        return Some(format!(
            "the default {text:?} is outside the allowed length"
        ));
    }
    if spec.type_name == "Number" {
        let Ok(n) = text.parse::<f64>() else {
            return Some(format!(
                "the default {text:?} of a Number parameter is not a number"
            ));
        };
        if spec.min_value.is_some_and(|m| n < m) || spec.max_value.is_some_and(|m| n > m) {
            return Some(format!("the default {text:?} is outside the allowed range"));
        }
    }
    None
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

/// Stacks in deployment order (dependencies first, otherwise definition
/// order); a cycle is an error naming the stacks on it.
fn dependency_order(
    app: &App,
    deps: &[BTreeSet<usize>],
    diags: &mut Vec<Diagnostic>,
) -> Vec<usize> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    fn visit(
        n: usize,
        deps: &[BTreeSet<usize>],
        marks: &mut [Mark],
        trail: &mut Vec<usize>,
        order: &mut Vec<usize>,
        cycles: &mut Vec<Vec<usize>>,
    ) {
        match marks[n] {
            Mark::Done => return,
            Mark::Active => {
                let start = trail.iter().position(|&t| t == n).unwrap_or(0);
                cycles.push(trail[start..].to_vec());
                return;
            }
            Mark::New => {}
        }
        marks[n] = Mark::Active;
        trail.push(n);
        for &d in &deps[n] {
            visit(d, deps, marks, trail, order, cycles);
        }
        trail.pop();
        marks[n] = Mark::Done;
        order.push(n);
    }
    let mut marks = vec![Mark::New; deps.len()];
    let mut order = Vec::with_capacity(deps.len());
    let mut cycles = Vec::new();
    for n in 0..deps.len() {
        visit(
            n,
            deps,
            &mut marks,
            &mut Vec::new(),
            &mut order,
            &mut cycles,
        );
    }
    for cycle in cycles {
        let names: Vec<&str> = cycle.iter().map(|&i| app.stacks[i].name.as_str()).collect();
        diags.push(Diagnostic::error(
            names[0],
            format!(
                "stacks depend on each other in a cycle ({} -> {}); move the shared resources into one stack",
                names.join(" -> "),
                names[0]
            ),
        ));
    }
    order
}

fn stack_manifest(
    app: &App,
    stack: &Stack,
    ids: &StackIds,
    deps: &BTreeSet<usize>,
    bytes: usize,
) -> StackManifest {
    let parameters = stack
        .parameters
        .iter()
        .zip(&ids.parameters)
        .map(|(p, id)| {
            (
                id.clone(),
                ParameterManifest {
                    type_: p.spec.type_name.clone(),
                    default: p.spec.default.as_ref().and_then(scalar_text),
                    no_echo: p.spec.no_echo,
                },
            )
        })
        .collect();
    StackManifest {
        name: stack.name.clone(),
        template: format!("{}.template.{}", stack.name, app.format.extension()),
        format: app.format,
        environment: stack.env.clone(),
        dependencies: deps.iter().map(|&d| app.stacks[d].name.clone()).collect(),
        parameters,
        tags: stack.tags.iter().cloned().collect(),
        termination_protection: stack.termination_protection,
        description: stack.description.clone(),
        resources: stack.resources.len(),
        template_bytes: bytes,
    }
}
