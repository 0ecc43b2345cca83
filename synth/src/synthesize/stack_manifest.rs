//! Each stack's entry in `manifest.json` (the types are in
//! `crate::manifest`): template file, environment, dependencies,
//! parameters, tags, sizes and policy suppressions, which the command line reads instead of
//! running the app.

use std::collections::BTreeSet;

use super::logical_ids::StackIds;
use super::parameters::scalar_text;
use crate::app::App;
use crate::manifest::{ParameterManifest, StackManifest, Suppression};
use crate::stack::Stack;

pub(super) fn stack_manifest(
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
    let mut suppressions = Vec::new();
    for (node, id) in stack.resources.iter().zip(&ids.resources) {
        for (rule, reason) in stack.suppressions_for(&node.path) {
            suppressions.push(Suppression {
                resource: id.clone(),
                rule: rule.to_owned(),
                reason: reason.to_owned(),
            });
        }
    }
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
        suppressions,
    }
}
