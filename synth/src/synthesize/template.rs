//! One stack's template, section by section in CloudFormation's order:
//! description, Metadata, Parameters, Mappings, Conditions, Rules, Resources (type,
//! properties with the merged tags, DependsOn, Condition, policies,
//! Metadata) and Outputs. Empty sections other than Resources are left
//! out; exports for other stacks are added later (`cross_stack`).

use super::checks::{check_description, references};
use super::resolve::Resolver;
use crate::element_ids::ResourceId;
use crate::resource_policies;
use crate::stack::{NodeSettingKind, ResourceNode, Stack};
use crate::template_tree::{Out, OutMap};

/// The resource `Metadata` key suppressions are written under.
const GUARD_METADATA: &str = "guard";

impl<'a> Resolver<'a, '_> {
    pub(super) fn template(&mut self, stack: &'a Stack) -> OutMap<'a> {
        let ids = &self.ids[self.stack_index];
        let mut t = OutMap::with_capacity(8);
        t.push("AWSTemplateFormatVersion", Out::str("2010-09-09"));
        if let Some(description) = &stack.description {
            check_description(stack, description, self.diags);
            t.push("Description", Out::str(description));
        }
        let mut metadata = OutMap::with_capacity(stack.metadata.len());
        for (key, value) in &stack.metadata {
            self.path = &stack.name;
            metadata.push(key.as_str(), self.resolve(value));
        }
        insert_section(&mut t, "Metadata", metadata);

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
        for (node, id) in stack.rules.iter().zip(&ids.rules) {
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
            rules.push(id.as_str(), rule.into_out());
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
        self.resource_options(index, node, &mut r);
        r.into_out()
    }

    fn resource_options(&mut self, index: usize, node: &'a ResourceNode, r: &mut OutMap<'a>) {
        let options = &node.options;
        let mut deps: Vec<ResourceId> = options.depends_on.clone();
        let mut condition = options.condition;
        for setting in self.stack().settings_for(&node.path) {
            match &setting.kind {
                NodeSettingKind::DependsOn(target) => {
                    let Some(stack) = self.locate_stack(target.stack, "construct") else {
                        continue;
                    };
                    for i in self.app.stacks[stack].resources_of(target.key) {
                        let id = ResourceId {
                            stack: target.stack,
                            index: i,
                        };
                        // A construct-wide dependency skips what a
                        // reference already orders (cfn-lint W3005).
                        let referenced = node.props.iter().any(|(_, v)| references(v, id));
                        if !deps.contains(&id) && !referenced {
                            deps.push(id);
                        }
                    }
                }
                NodeSettingKind::Condition(c) if options.condition.is_none() => {
                    condition = Some(*c);
                }
                _ => {}
            }
        }
        let mut depends_on = Vec::new();
        for dep in &deps {
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
        if let Some(c) = condition {
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
        self.resource_policies(node, r);
        let suppressed = self.stack().suppressions_for(&node.path);
        if !options.metadata.is_empty() || !suppressed.is_empty() {
            let mut m = OutMap::with_capacity(options.metadata.len() + 1);
            for (k, v) in &options.metadata {
                if k == GUARD_METADATA && !suppressed.is_empty() {
                    self.error(format!(
                        "the Metadata key `{GUARD_METADATA}` is set both directly and by .suppress(..); use .suppress only"
                    ));
                    continue;
                }
                m.push(k.as_str(), self.resolve(v));
            }
            if !suppressed.is_empty() {
                // cfn-guard's convention: rules skip resources listing them.
                let ids = suppressed.iter().map(|(rule, _)| Out::str(rule)).collect();
                m.push(
                    GUARD_METADATA,
                    Out::single("SuppressedRules", Out::List(ids)),
                );
            }
            r.push("Metadata", m.into_out());
        }
    }
}

impl<'a> Resolver<'a, '_> {
    /// `CreationPolicy`, `UpdatePolicy` and a custom resource's `Version`,
    /// refused where CloudFormation refuses them.
    fn resource_policies(&mut self, node: &'a ResourceNode, r: &mut OutMap<'a>) {
        let options = &node.options;
        let ty = node.type_name.as_str();
        let custom = resource_policies::is_custom(ty);
        let policies = [
            (
                "CreationPolicy",
                options.creation_policy.as_ref(),
                resource_policies::CREATION_POLICY_TYPES,
            ),
            (
                "UpdatePolicy",
                options.update_policy.as_ref(),
                resource_policies::UPDATE_POLICY_TYPES,
            ),
        ];
        for (key, policy, types) in policies {
            let Some(policy) = policy else { continue };
            if custom || !types.contains(&ty) {
                self.error(format!("{ty} takes no {key}; only {} do", types.join(", ")));
            }
            if let Some(problem) = resource_policies::conflict(policy) {
                self.error(format!("{key}: {problem}"));
            }
            for bad in resource_policies::bad_percentages(policy) {
                self.error(format!("{key} {bad} is not a percentage (0-100)"));
            }
            let out = self.resolve(policy);
            r.push(key, out);
        }
        if let Some(version) = &options.version {
            if !custom {
                self.error(format!(
                    "{ty} is not a custom resource: only Custom::* and AWS::CloudFormation::CustomResource take a Version"
                ));
            }
            r.push("Version", Out::str(version));
        }
    }
}

fn insert_section<'a>(t: &mut OutMap<'a>, name: &'a str, section: OutMap<'a>) {
    if !section.is_empty() {
        t.push(name, section.into_out());
    }
}
