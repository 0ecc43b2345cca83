//! Logical IDs: every element of a stack gets the ID pinned on it or the
//! one derived from its construct path (`crate::logical_id`).
//!
//! IDs must be unique within a namespace, as CloudFormation requires:
//! resources and parameters share one (a `Ref` names either), while
//! conditions, mappings, outputs and rules each have their own, so an
//! output may carry the ID of the resource it exports. Two elements of one
//! namespace claiming one ID is an error naming both paths, reported in
//! claim order.

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
    pub(super) rules: Vec<String>,
}

/// Derives or takes the pinned logical ID of every element; reports
/// collisions within a namespace with both paths.
pub(super) fn assign_ids(stack: &Stack, diags: &mut Vec<Diagnostic>) -> StackIds {
    let prefix_len = stack.name.len() + 1;
    let mut id_of = |path: &str, pinned: Option<&str>, condition: bool| -> String {
        match pinned {
            Some(id) => {
                let problem = if condition {
                    logical_id::condition_problem(id)
                } else {
                    logical_id::problem(id)
                };
                if let Some(problem) = problem {
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
            .map(|r| id_of(&r.path, r.options.logical_id.as_deref(), false))
            .collect(),
        parameters: stack
            .parameters
            .iter()
            .map(|p| id_of(&p.path, p.logical_id.as_deref(), false))
            .collect(),
        conditions: stack
            .conditions
            .iter()
            .map(|c| id_of(&c.path, c.logical_id.as_deref(), true))
            .collect(),
        mappings: stack
            .mappings
            .iter()
            .map(|m| id_of(&m.path, m.logical_id.as_deref(), false))
            .collect(),
        outputs: stack
            .outputs
            .iter()
            .map(|o| id_of(&o.path, o.logical_id.as_deref(), false))
            .collect(),
        rules: stack
            .rules
            .iter()
            .map(|r| id_of(&r.path, r.logical_id.as_deref(), false))
            .collect(),
    };
    let mut collisions: Vec<(usize, Diagnostic)> = Vec::new();
    let mut order = 0;
    let namespaces: [Vec<(&str, &str)>; 5] = [
        pair(
            &ids.resources,
            stack.resources.iter().map(|r| r.path.as_str()),
        )
        .chain(pair(
            &ids.parameters,
            stack.parameters.iter().map(|p| p.path.as_str()),
        ))
        .collect(),
        pair(
            &ids.conditions,
            stack.conditions.iter().map(|c| c.path.as_str()),
        )
        .collect(),
        pair(
            &ids.mappings,
            stack.mappings.iter().map(|m| m.path.as_str()),
        )
        .collect(),
        pair(&ids.outputs, stack.outputs.iter().map(|o| o.path.as_str())).collect(),
        pair(&ids.rules, stack.rules.iter().map(|r| r.path.as_str())).collect(),
    ];
    for namespace in namespaces {
        // Claim order within the namespace, sorted by ID: equal IDs end up
        // side by side, the first claimer first.
        let mut claims: Vec<(&str, usize, &str)> = namespace
            .into_iter()
            .map(|(id, path)| {
                order += 1;
                (id, order, path)
            })
            .collect();
        claims.sort_unstable();
        for group in claims.chunk_by(|a, b| a.0 == b.0) {
            let (id, _, first) = group[0];
            for &(_, order, path) in &group[1..] {
                collisions.push((
                    order,
                    Diagnostic::error(
                        path,
                        format!("logical ID {id} is also the ID of {first}; rename one of them or pin another logical ID"),
                    ),
                ));
            }
        }
    }
    collisions.sort_by_key(|(order, _)| *order);
    diags.extend(collisions.into_iter().map(|(_, d)| d));
    ids
}

/// IDs beside the paths of the elements holding them.
fn pair<'a>(
    ids: &'a [String],
    paths: impl Iterator<Item = &'a str>,
) -> impl Iterator<Item = (&'a str, &'a str)> {
    ids.iter().map(String::as_str).zip(paths)
}
