//! `synth import`: a CloudFormation template as Rust stack code against
//! synth's public API, which synthesizes back to the same template.
//!
//! - [`read`]: the template, from a file (JSON or YAML with short-form tags)
//!   or a deployed stack.
//! - [`index`]: what the generated resource types offer, read from the
//!   synth checkout the code will compile against.
//! - [`naming`]: logical IDs as Rust identifiers.
//! - [`expr`]: values and intrinsic functions as expressions.
//! - [`resource`]: resources and their options, in dependency order;
//!   [`policies`]: their creation and update policies.
//! - [`emit`]: the whole template as one `define(stack)` function.
//! - [`krate`]: formatting, and the ready-to-build crate `--out` writes.

pub mod emit;
pub mod expr;
pub mod index;
pub mod krate;
pub mod naming;
pub mod policies;
pub mod read;
pub mod resource;

use std::collections::BTreeSet;

use serde_json::{Map, Value as Json};

pub use index::TypeIndex;

/// Something the import could not express with the typed API, by logical
/// ID (or section name), with what to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fallback {
    pub id: String,
    pub what: String,
}

impl Fallback {
    pub fn new(id: &str, what: String) -> Fallback {
        Fallback {
            id: id.to_owned(),
            what,
        }
    }
}

/// A generated stack module.
#[derive(Clone, Debug)]
pub struct Generated {
    /// The formatted module source, defining `pub fn define(stack: &mut Stack)`.
    pub module: String,
    /// The synth features it needs: one per service module it uses.
    pub features: BTreeSet<String>,
    pub fallbacks: Vec<Fallback>,
    pub resources: usize,
}

/// Generates the module for `template`, to be declared as stack
/// `stack_name`; `source` names where it came from, for the header.
pub fn generate(
    template: &Map<String, Json>,
    index: &TypeIndex,
    source: &str,
) -> Result<Generated, String> {
    let body = emit::body(template, index);
    let uses = if body.modules.is_empty() {
        String::new()
    } else {
        let list: Vec<&str> = body.modules.iter().map(String::as_str).collect();
        format!("use synth::aws::{{{}}};\n", list.join(", "))
    };
    let code = format!(
        "//! Imported by `synth import` from {source}; every resource keeps its logical ID.\n\
         use synth::prelude::*;\n{uses}\n\
         /// Declares the template's parameters, mappings, conditions, resources, outputs and rules in `stack`.\n\
         pub fn define(stack: &mut Stack) {{\n{}}}\n",
        body.code
    );
    let module = krate::format(&code)?;
    let resources = template
        .get("Resources")
        .and_then(Json::as_object)
        .map_or(0, Map::len);
    Ok(Generated {
        module,
        features: body.modules,
        fallbacks: body.fallbacks,
        resources,
    })
}
