//! Synthesis: from the construct tree to templates and the stack
//! manifests of the cloud assembly. `synthesize` runs the passes in order;
//! each concern lives in its own module:
//!
//! - `logical_ids`: the logical ID of every element, and collisions.
//! - `template` and `resolve`: each stack's template, section by section,
//!   with values and intrinsics resolved into the template tree;
//!   `parameters` and `tags` build the Parameters section and the merged tag
//!   property.
//! - `cross_stack`: references between stacks as exports and imports.
//! - `checks`: CloudFormation's limits and the other checks that would
//!   otherwise fail at deploy time.
//! - `order`: deployment order of the stacks, and dependency cycles.
//! - `stack_manifest`: each stack's entry in `manifest.json`.
//!
//! Problems are collected as diagnostics rather than returned early, so one
//! run reports all of them.

use std::collections::BTreeSet;

use crate::app::App;
use crate::assembly::{Assembly, SynthesizedStack};
use crate::diagnostics::{Diagnostic, SynthError};

mod checks;
mod cross_stack;
mod logical_ids;
mod order;
mod parameters;
mod resolve;
mod stack_manifest;
mod tags;
mod template;

use checks::{check_exports_unique, check_limits, check_template_size};
use cross_stack::{add_exports, Exported};
use logical_ids::{assign_ids, StackIds};
use order::dependency_order;
use resolve::Resolver;
use stack_manifest::stack_manifest;

pub use checks::limits;

/// Synthesizes every stack of `app`: the rendered templates in deployment
/// order with any warnings, or, when anything is an error, every
/// diagnostic found.
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

    let files =
        crate::assembly::collect_files(app.stacks.iter().flat_map(|s| &s.files), &mut diags);
    if diags.iter().any(Diagnostic::is_error) {
        return Err(SynthError { diagnostics: diags });
    }
    Ok(Assembly {
        stacks,
        files,
        warnings: diags,
        format: app.format,
    })
}
