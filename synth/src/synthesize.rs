//! Synthesis: from the construct tree to templates. Assigns logical IDs,
//! resolves references (exporting values other stacks use), merges tags,
//! validates, and orders the stacks by their dependencies.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{json, Map as JsonMap, Value as Json};

use crate::app::App;
use crate::assembly::{Assembly, SynthesizedStack};
use crate::diagnostics::{Diagnostic, SynthError};
use crate::ids::{ConditionId, MappingId, ParameterId, ResourceId, StackId};
use crate::logical_id;
use crate::manifest::{ParameterManifest, StackManifest};
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
            path: String::new(),
            exports: &mut exports,
            deps: &mut deps[index],
            diags: &mut diags,
        };
        templates.push(resolver.template(stack));
    }

    // Exports are added once every consumer is known.
    for (index, wanted) in exports.iter().enumerate() {
        let stack = &app.stacks[index];
        let outputs = templates[index]
            .entry("Outputs")
            .or_insert_with(|| Json::Object(JsonMap::new()));
        let Json::Object(outputs) = outputs else {
            continue;
        };
        for export in wanted {
            let (output_id, value) = export_output(export);
            if outputs.contains_key(&output_id) {
                diags.push(Diagnostic::error(
                    &stack.name,
                    format!("output {output_id} collides with the output synthesis adds to export a value to another stack; rename the output"),
                ));
                continue;
            }
            outputs.insert(
                output_id,
                json!({"Value": value, "Export": {"Name": export_name(&stack.name, export)}}),
            );
        }
    }

    check_exports_unique(app, &templates, &mut diags);
    let order = dependency_order(app, &deps, &mut diags);

    let mut stacks = Vec::with_capacity(app.stacks.len());
    for index in order {
        let stack = &app.stacks[index];
        let template = std::mem::take(&mut templates[index]);
        check_limits(stack, &template, &mut diags);
        let body = crate::assembly::render(&template, app.format);
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
        stacks.push(SynthesizedStack {
            manifest,
            template: Json::Object(template),
            body,
        });
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
    let mut taken: HashMap<String, String> = HashMap::new();
    let prefix_len = stack.name.len() + 1;
    let mut claim = |path: &str, pinned: Option<&str>, diags: &mut Vec<Diagnostic>| -> String {
        let id = match pinned {
            Some(id) => {
                if let Some(problem) = logical_id::problem(id) {
                    diags.push(Diagnostic::error(path, problem));
                }
                id.to_owned()
            }
            None => logical_id::from_path(path.get(prefix_len..).unwrap_or(path)),
        };
        if let Some(other) = taken.get(&id) {
            diags.push(Diagnostic::error(
                path,
                format!("logical ID {id} is also the ID of {other}; rename one of them or pin a logical ID with .logical_id(..)"),
            ));
        } else {
            taken.insert(id.clone(), path.to_owned());
        }
        id
    };
    StackIds {
        resources: stack
            .resources
            .iter()
            .map(|r| claim(&r.path, r.options.logical_id.as_deref(), diags))
            .collect(),
        parameters: stack
            .parameters
            .iter()
            .map(|p| claim(&p.path, None, diags))
            .collect(),
        conditions: stack
            .conditions
            .iter()
            .map(|c| claim(&c.path, None, diags))
            .collect(),
        mappings: stack
            .mappings
            .iter()
            .map(|m| claim(&m.path, None, diags))
            .collect(),
        outputs: stack
            .outputs
            .iter()
            .map(|o| claim(&o.path, None, diags))
            .collect(),
    }
}

fn export_output(export: &Exported) -> (String, Json) {
    match export {
        Exported::Ref(id) | Exported::ParameterRef(id) => {
            (format!("Export{id}Ref"), json!({"Ref": id}))
        }
        Exported::GetAtt(id, attr) => (
            format!("Export{id}{}", attr.replace('.', "")),
            json!({"Fn::GetAtt": [id, attr]}),
        ),
    }
}

fn export_name(stack: &str, export: &Exported) -> String {
    match export {
        Exported::Ref(id) | Exported::ParameterRef(id) => format!("{stack}:{id}"),
        Exported::GetAtt(id, attr) => format!("{stack}:{id}:{}", attr.replace('.', "-")),
    }
}

/// Resolves values of one stack into template JSON.
struct Resolver<'a> {
    app: &'a App,
    ids: &'a [StackIds],
    stack_index: usize,
    /// The path of the element being resolved, for messages.
    path: String,
    exports: &'a mut Vec<BTreeSet<Exported>>,
    deps: &'a mut BTreeSet<usize>,
    diags: &'a mut Vec<Diagnostic>,
}

impl Resolver<'_> {
    fn stack(&self) -> &Stack {
        &self.app.stacks[self.stack_index]
    }

    fn error(&mut self, message: String) {
        self.diags
            .push(Diagnostic::error(self.path.clone(), message));
    }

    fn template(&mut self, stack: &Stack) -> JsonMap<String, Json> {
        let ids = &self.ids[self.stack_index];
        let mut t = JsonMap::new();
        t.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
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
            t.insert("Description".into(), json!(description));
        }

        let mut params = JsonMap::new();
        for (node, id) in stack.parameters.iter().zip(&ids.parameters) {
            self.path = node.path.clone();
            params.insert(id.clone(), self.parameter(&node.spec));
        }
        insert_section(&mut t, "Parameters", params);

        let mut mappings = JsonMap::new();
        for (node, id) in stack.mappings.iter().zip(&ids.mappings) {
            self.path = node.path.clone();
            let mut top = JsonMap::new();
            for (key, inner) in &node.entries {
                let mut second = JsonMap::new();
                for (k2, v) in inner {
                    if !v.is_literal() {
                        self.error(format!("mapping value {key}.{k2} holds an intrinsic function; mappings take only literal values"));
                    }
                    second.insert(k2.clone(), self.resolve(v));
                }
                top.insert(key.clone(), Json::Object(second));
            }
            mappings.insert(id.clone(), Json::Object(top));
        }
        insert_section(&mut t, "Mappings", mappings);

        let mut conditions = JsonMap::new();
        for (node, id) in stack.conditions.iter().zip(&ids.conditions) {
            self.path = node.path.clone();
            conditions.insert(id.clone(), self.resolve(&node.expression));
        }
        insert_section(&mut t, "Conditions", conditions);

        let mut rules = JsonMap::new();
        for node in &stack.rules {
            self.path = node.path.clone();
            let mut rule = JsonMap::new();
            if let Some(condition) = &node.condition {
                rule.insert("RuleCondition".into(), self.resolve(condition));
            }
            let assertions: Vec<Json> = node
                .assertions
                .iter()
                .map(|(assert, description)| {
                    let mut a = JsonMap::new();
                    a.insert("Assert".into(), self.resolve(assert));
                    if let Some(d) = description {
                        a.insert("AssertDescription".into(), json!(d));
                    }
                    Json::Object(a)
                })
                .collect();
            rule.insert("Assertions".into(), Json::Array(assertions));
            let stack_prefix = stack.name.len() + 1;
            rules.insert(
                logical_id::from_path(node.path.get(stack_prefix..).unwrap_or(&node.path)),
                Json::Object(rule),
            );
        }
        insert_section(&mut t, "Rules", rules);

        let mut resources = JsonMap::new();
        for (index, (node, id)) in stack.resources.iter().zip(&ids.resources).enumerate() {
            self.path = node.path.clone();
            let resource = self.resource(index, node);
            resources.insert(id.clone(), resource);
        }
        t.insert("Resources".into(), Json::Object(resources));

        let mut outputs = JsonMap::new();
        for (node, id) in stack.outputs.iter().zip(&ids.outputs) {
            self.path = node.path.clone();
            self.check_not_secret(&node.value);
            let mut output = JsonMap::new();
            if let Some(d) = &node.description {
                output.insert("Description".into(), json!(d));
            }
            output.insert("Value".into(), self.resolve(&node.value));
            if let Some(name) = &node.export_name {
                output.insert("Export".into(), json!({"Name": self.resolve(name)}));
            }
            if let Some(c) = node.condition {
                if let Some(name) = self.condition_name(c) {
                    output.insert("Condition".into(), json!(name));
                }
            }
            outputs.insert(id.clone(), Json::Object(output));
        }
        insert_section(&mut t, "Outputs", outputs);
        t
    }

    fn parameter(&mut self, spec: &crate::stack::ParameterSpec) -> Json {
        let mut p = JsonMap::new();
        p.insert("Type".into(), json!(spec.type_name));
        if let Some(d) = &spec.description {
            p.insert("Description".into(), json!(d));
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
            p.insert("Default".into(), self.resolve(default));
        }
        if !spec.allowed_values.is_empty() {
            let values = spec
                .allowed_values
                .iter()
                .map(|v| self.resolve(v))
                .collect();
            p.insert("AllowedValues".into(), Json::Array(values));
        }
        if let Some(pattern) = &spec.allowed_pattern {
            // Only the syntax is checked here: compiling is for matching.
            if regex_syntax::Parser::new().parse(pattern).is_err() {
                self.error(format!(
                    "AllowedPattern {pattern:?} is not a valid regular expression"
                ));
            }
            p.insert("AllowedPattern".into(), json!(pattern));
        }
        if let Some(d) = &spec.constraint_description {
            p.insert("ConstraintDescription".into(), json!(d));
        }
        let number = spec.type_name == "Number";
        for (key, value, applies) in [
            ("MinLength", spec.min_length.map(|n| json!(n)), !number),
            ("MaxLength", spec.max_length.map(|n| json!(n)), !number),
            ("MinValue", spec.min_value.map(|n| json!(n)), number),
            ("MaxValue", spec.max_value.map(|n| json!(n)), number),
        ] {
            if let Some(value) = value {
                if !applies {
                    self.error(format!(
                        "{key} does not apply to a parameter of type {}",
                        spec.type_name
                    ));
                }
                p.insert(key.into(), value);
            }
        }
        if spec.no_echo {
            p.insert("NoEcho".into(), json!(true));
        }
        Json::Object(p)
    }

    fn resource(&mut self, index: usize, node: &ResourceNode) -> Json {
        let mut r = JsonMap::new();
        r.insert("Type".into(), json!(node.type_name));
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
            let mut props = JsonMap::new();
            for (name, value) in node.props.iter() {
                if let Some((tag_name, merged)) = tags.take_if(|(t, _)| *t <= name) {
                    props.insert(tag_name.to_owned(), self.resolve(&merged));
                    if tag_name == name {
                        continue;
                    }
                }
                props.insert(name.to_owned(), self.resolve(value));
            }
            if let Some((tag_name, merged)) = tags {
                props.insert(tag_name.to_owned(), self.resolve(&merged));
            }
            r.insert("Properties".into(), Json::Object(props));
        }
        self.resource_options(index, &node.options, &mut r);
        Json::Object(r)
    }

    fn resource_options(
        &mut self,
        index: usize,
        options: &ResourceOptions,
        r: &mut JsonMap<String, Json>,
    ) {
        let mut depends_on = Vec::new();
        for dep in &options.depends_on {
            match self.locate_resource(*dep) {
                Some((stack, _)) if stack != self.stack_index => {
                    self.deps.insert(stack);
                }
                Some((_, id)) if dep.index as usize == index => {
                    self.error(format!("the resource depends on itself ({id})"));
                }
                Some((_, id)) => depends_on.push(json!(id)),
                None => {}
            }
        }
        if !depends_on.is_empty() {
            r.insert("DependsOn".into(), Json::Array(depends_on));
        }
        if let Some(c) = options.condition {
            if let Some(name) = self.condition_name(c) {
                r.insert("Condition".into(), json!(name));
            }
        }
        if let Some(p) = options.deletion_policy {
            r.insert("DeletionPolicy".into(), json!(p.name()));
        }
        if let Some(p) = options.update_replace_policy {
            r.insert("UpdateReplacePolicy".into(), json!(p.name()));
        }
        if !options.metadata.is_empty() {
            let mut m = JsonMap::new();
            for (k, v) in &options.metadata {
                m.insert(k.clone(), self.resolve(v));
            }
            r.insert("Metadata".into(), Json::Object(m));
        }
    }

    /// Merges the stack's tags, the resource's own tags and any literal tag
    /// property into the shape the type takes tags in: the tag property's
    /// name and merged value, when there are tags to merge.
    fn merged_tags(&mut self, node: &ResourceNode) -> Option<(&'static str, Value)> {
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
        let mut merged: Vec<(String, Value)> = Vec::new();
        let mut put = |key: &str, value: Value| {
            merged.retain(|(k, _)| k != key);
            merged.push((key.to_owned(), value));
        };
        for (k, v) in stack_tags {
            put(k, Value::from(v.as_str()));
        }
        for (k, v) in own {
            put(k, v.value().clone());
        }
        match props.get(property) {
            None => {}
            Some(Value::List(items)) => {
                for item in items {
                    if let Value::Map(m) = item {
                        if let (Some(Value::String(k)), Some(v)) = (m.get("Key"), m.get("Value")) {
                            put(k, v.clone());
                        }
                    }
                }
            }
            Some(Value::Map(m)) => {
                for (k, v) in m {
                    put(k, v.clone());
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
        let value = match shape {
            TagShape::Map => Value::Map(merged.into_iter().collect()),
            TagShape::List | TagShape::ListPropagateAtLaunch => Value::List(
                merged
                    .into_iter()
                    .map(|(k, v)| {
                        let tag = Value::map().with("Key", k).with("Value", v);
                        if shape == TagShape::ListPropagateAtLaunch {
                            tag.with("PropagateAtLaunch", true)
                        } else {
                            tag
                        }
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

    fn resource_node(&self, id: ResourceId) -> Option<&ResourceNode> {
        self.app
            .stacks
            .get(id.stack.index as usize)
            .filter(|_| id.stack.app == self.app.id)
            .and_then(|s| s.resources.get(id.index as usize))
    }

    fn parameter_node(&self, id: ParameterId) -> Option<&crate::stack::ParameterNode> {
        self.app
            .stacks
            .get(id.stack.index as usize)
            .filter(|_| id.stack.app == self.app.id)
            .and_then(|s| s.parameters.get(id.index as usize))
    }

    /// The stack index and logical ID of a resource, or an error.
    fn locate_resource(&mut self, id: ResourceId) -> Option<(usize, String)> {
        let stack = self.locate_stack(id.stack, "resource")?;
        match self.ids[stack].resources.get(id.index as usize) {
            Some(lid) => Some((stack, lid.clone())),
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

    fn condition_name(&mut self, id: ConditionId) -> Option<String> {
        let stack = self.locate_stack(id.stack, "condition")?;
        if stack != self.stack_index {
            let other = &self.app.stacks[stack].name;
            self.error(format!("uses a condition of stack {other}; conditions cannot be shared between stacks, declare it in this stack"));
            return None;
        }
        self.ids[stack].conditions.get(id.index as usize).cloned()
    }

    fn mapping_name(&mut self, id: MappingId) -> Option<String> {
        let stack = self.locate_stack(id.stack, "mapping")?;
        if stack != self.stack_index {
            let other = &self.app.stacks[stack].name;
            self.error(format!("uses a mapping of stack {other}; mappings cannot be shared between stacks, declare it in this stack"));
            return None;
        }
        self.ids[stack].mappings.get(id.index as usize).cloned()
    }

    /// A value of stack `producer` used here: exports it there and imports
    /// it here, after checking both stacks can see each other.
    fn import(&mut self, producer: usize, export: Exported, producer_path: &str) -> Json {
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
                    return Json::Null;
                }
            }
        }
        let name = export_name(&from.name, &export);
        self.exports[producer].insert(export);
        self.deps.insert(producer);
        json!({"Fn::ImportValue": name})
    }

    fn resolve(&mut self, value: &Value) -> Json {
        match value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Int(n) => json!(n),
            Value::Float(n) => match serde_json::Number::from_f64(*n) {
                Some(n) => Json::Number(n),
                None => {
                    self.error(format!("{n} is not a number CloudFormation accepts"));
                    Json::Null
                }
            },
            Value::String(s) => Json::String(s.clone()),
            Value::List(items) => Json::Array(items.iter().map(|v| self.resolve(v)).collect()),
            Value::Map(m) => Json::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), self.resolve(v)))
                    .collect(),
            ),
            Value::Fn(f) => self.intrinsic(f),
        }
    }

    fn intrinsic(&mut self, f: &Intrinsic) -> Json {
        match f {
            Intrinsic::Ref(RefTarget::Pseudo(p)) => json!({"Ref": p.name()}),
            Intrinsic::Ref(RefTarget::Resource(id)) => {
                let Some((stack, lid)) = self.locate_resource(*id) else {
                    return Json::Null;
                };
                if stack == self.stack_index {
                    json!({"Ref": lid})
                } else {
                    let path = self.app.stacks[stack].resources[id.index as usize]
                        .path
                        .clone();
                    self.import(stack, Exported::Ref(lid), &path)
                }
            }
            Intrinsic::Ref(RefTarget::Parameter(id)) => {
                let Some(stack) = self.locate_stack(id.stack, "parameter") else {
                    return Json::Null;
                };
                let Some(lid) = self.ids[stack].parameters.get(id.index as usize).cloned() else {
                    self.error("a reference points at a parameter that does not exist".into());
                    return Json::Null;
                };
                if stack == self.stack_index {
                    json!({"Ref": lid})
                } else {
                    let path = self.app.stacks[stack].parameters[id.index as usize]
                        .path
                        .clone();
                    self.import(stack, Exported::ParameterRef(lid), &path)
                }
            }
            Intrinsic::GetAtt(id, attr) => {
                let Some((stack, lid)) = self.locate_resource(*id) else {
                    return Json::Null;
                };
                if stack == self.stack_index {
                    json!({"Fn::GetAtt": [lid, attr]})
                } else {
                    let path = self.app.stacks[stack].resources[id.index as usize]
                        .path
                        .clone();
                    self.import(stack, Exported::GetAtt(lid, attr), &path)
                }
            }
            Intrinsic::Sub(template, vars) => {
                self.check_sub(template, vars);
                if vars.is_empty() {
                    json!({"Fn::Sub": template})
                } else {
                    let vars: JsonMap<String, Json> = vars
                        .iter()
                        .map(|(k, v)| (k.clone(), self.resolve(v)))
                        .collect();
                    json!({"Fn::Sub": [template, vars]})
                }
            }
            Intrinsic::Join(delimiter, list) => {
                json!({"Fn::Join": [delimiter, self.resolve(list)]})
            }
            Intrinsic::Select(index, list) => {
                json!({"Fn::Select": [self.resolve(index), self.resolve(list)]})
            }
            Intrinsic::Split(delimiter, source) => {
                json!({"Fn::Split": [delimiter, self.resolve(source)]})
            }
            Intrinsic::GetAzs(region) => json!({"Fn::GetAZs": self.resolve(region)}),
            Intrinsic::ImportValue(name) => json!({"Fn::ImportValue": self.resolve(name)}),
            Intrinsic::If(condition, then, otherwise) => {
                let name = self.condition_name(*condition);
                json!({"Fn::If": [name, self.resolve(then), self.resolve(otherwise)]})
            }
            Intrinsic::Equals(a, b) => json!({"Fn::Equals": [self.resolve(a), self.resolve(b)]}),
            Intrinsic::And(items) => self.condition_list("Fn::And", items),
            Intrinsic::Or(items) => self.condition_list("Fn::Or", items),
            Intrinsic::Not(c) => json!({"Fn::Not": [self.resolve(c)]}),
            Intrinsic::Condition(c) => json!({"Condition": self.condition_name(*c)}),
            Intrinsic::Base64(v) => json!({"Fn::Base64": self.resolve(v)}),
            Intrinsic::Cidr(block, count, bits) => json!({"Fn::Cidr": [
                self.resolve(block), self.resolve(count), self.resolve(bits)
            ]}),
            Intrinsic::FindInMap(map, k1, k2) => {
                let name = self.mapping_name(*map);
                json!({"Fn::FindInMap": [name, self.resolve(k1), self.resolve(k2)]})
            }
        }
    }

    fn condition_list(&mut self, name: &str, items: &[Value]) -> Json {
        if !(2..=10).contains(&items.len()) {
            self.error(format!(
                "{name} takes 2 to 10 conditions, not {}",
                items.len()
            ));
        }
        let items: Vec<Json> = items.iter().map(|v| self.resolve(v)).collect();
        json!({ name: items })
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

fn insert_section(t: &mut JsonMap<String, Json>, name: &str, section: JsonMap<String, Json>) {
    if !section.is_empty() {
        t.insert(name.into(), Json::Object(section));
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

fn check_limits(stack: &Stack, template: &JsonMap<String, Json>, diags: &mut Vec<Diagnostic>) {
    let count = |section: &str| {
        template
            .get(section)
            .and_then(Json::as_object)
            .map_or(0, JsonMap::len)
    };
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
fn check_exports_unique(
    app: &App,
    templates: &[JsonMap<String, Json>],
    diags: &mut Vec<Diagnostic>,
) {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for (stack, template) in app.stacks.iter().zip(templates) {
        let Some(outputs) = template.get("Outputs").and_then(Json::as_object) else {
            continue;
        };
        for (id, output) in outputs {
            let Some(name) = output.pointer("/Export/Name").and_then(Json::as_str) else {
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
