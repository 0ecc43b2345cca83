//! Values one stack uses from another: the consumer gets `Fn::ImportValue`
//! and a dependency on the producer, and the producer an output exporting
//! the value. Exports are added only once every stack is resolved, so each
//! is added once however many stacks import it.

use std::borrow::Cow;
use std::collections::BTreeSet;

use super::resolve::Resolver;
use crate::app::App;
use crate::diagnostics::Diagnostic;
use crate::template_tree::{Out, OutMap};

/// A value of one stack that another stack uses.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Exported {
    Ref(String),
    GetAtt(String, &'static str),
    ParameterRef(String),
}

/// Adds to each producer's outputs the exports other stacks import.
pub(super) fn add_exports(
    app: &App,
    exports: &[BTreeSet<Exported>],
    templates: &mut [OutMap<'_>],
    diags: &mut Vec<Diagnostic>,
) {
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

impl<'a> Resolver<'a, '_> {
    /// A value of stack `producer` used here: exports it there and imports
    /// it here, after checking both stacks can see each other.
    pub(super) fn import(
        &mut self,
        producer: usize,
        export: Exported,
        producer_path: &str,
    ) -> Out<'a> {
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
}
