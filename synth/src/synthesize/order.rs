//! The order stacks deploy in: every stack after the stacks it depends on
//! (explicitly or through imports), otherwise in definition order. A cycle
//! cannot deploy, so it is an error naming the stacks on it.

use std::collections::BTreeSet;

use crate::app::App;
use crate::diagnostics::Diagnostic;

/// Stacks in deployment order (dependencies first, otherwise definition
/// order); a cycle is an error naming the stacks on it.
pub(super) fn dependency_order(
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
