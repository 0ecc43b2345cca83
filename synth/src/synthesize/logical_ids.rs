//! Logical IDs: every element of a stack gets the ID pinned on it or the
//! one derived from its construct path (`crate::logical_id`). Two elements
//! claiming one ID is an error naming both paths, reported in claim order.

use crate::diagnostics::Diagnostic;
use crate::logical_id;
use crate::stack::Stack;

/// Logical IDs of one stack's elements, by index.
pub(super) struct StackIds {
    pub(super) resources: Vec<String>,
    pub(super) parameters: Vec<String>,
    pub(super) conditions: Vec<String>,
    pub(super) mappings: Vec<String>,
    pub(super) outputs: Vec<String>,
}

/// Derives or takes the pinned logical ID of every element; reports
/// collisions with both paths.
pub(super) fn assign_ids(stack: &Stack, diags: &mut Vec<Diagnostic>) -> StackIds {
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
