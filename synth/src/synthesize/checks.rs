//! Checks of what synthesis builds, so that a template CloudFormation would
//! reject fails here, with the construct path, instead of at deploy time:
//! CloudFormation's quotas (`limits`), resource types against the stack's
//! region and their schema constraints (`crate::validate`), `Fn::Sub`
//! references, secrets in outputs, and export names unique across the app.

use std::collections::BTreeMap;

use super::resolve::Resolver;
use crate::app::App;
use crate::diagnostics::Diagnostic;
use crate::element_ids::{ParameterId, ResourceId};
use crate::stack::{ParameterNode, ResourceNode, Stack};
use crate::template_tree::{Out, OutMap};
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

/// A stack description over CloudFormation's limit.
pub(super) fn check_description(stack: &Stack, description: &str, diags: &mut Vec<Diagnostic>) {
    if description.len() > limits::DESCRIPTION_BYTES {
        diags.push(Diagnostic::error(
            &stack.name,
            format!(
                "the description is {} bytes; CloudFormation allows {}",
                description.len(),
                limits::DESCRIPTION_BYTES
            ),
        ));
    }
}

/// Sections over CloudFormation's quotas, and a stack without resources.
pub(super) fn check_limits(stack: &Stack, template: &OutMap, diags: &mut Vec<Diagnostic>) {
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

/// A rendered template too large for CloudFormation (an error), or too
/// large to pass inline (a warning: deploy uploads it).
pub(super) fn check_template_size(stack: &Stack, bytes: usize, diags: &mut Vec<Diagnostic>) {
    if bytes > limits::TEMPLATE_BYTES {
        diags.push(Diagnostic::error(
            &stack.name,
            format!(
                "the template is {} bytes, over CloudFormation's limit of {}; split the stack",
                bytes,
                limits::TEMPLATE_BYTES
            ),
        ));
    } else if bytes > limits::INLINE_TEMPLATE_BYTES {
        diags.push(Diagnostic::warning(
            &stack.name,
            format!(
                "the template is {} bytes, over the {} bytes CloudFormation takes inline; deploy uploads it to S3 (--template-bucket)",
                bytes,
                limits::INLINE_TEMPLATE_BYTES
            ),
        ));
    }
}

/// Export names must be unique within an account and region; two stacks of
/// one app exporting the same name cannot both deploy.
pub(super) fn check_exports_unique(app: &App, templates: &[OutMap], diags: &mut Vec<Diagnostic>) {
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

impl<'a> Resolver<'a, '_> {
    /// A resource type offered in the stack's region (when the region is
    /// known and covered by the generated tables), and literal properties
    /// within the type's schema constraints.
    pub(super) fn check_resource(&mut self, node: &ResourceNode) {
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
    }

    /// Outputs must not carry secrets into stack outputs and logs.
    pub(super) fn check_not_secret(&mut self, value: &Value) {
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

    fn parameter_node(&self, id: ParameterId) -> Option<&'a ParameterNode> {
        self.app
            .stacks
            .get(id.stack.index as usize)
            .filter(|_| id.stack.app == self.app.id)
            .and_then(|s| s.parameters.get(id.index as usize))
    }

    /// Every `${Name}` in a `Fn::Sub` template must be a variable, a pseudo
    /// parameter, or a resource or parameter of this stack.
    pub(super) fn check_sub(&mut self, template: &str, vars: &indexmap::IndexMap<String, Value>) {
        let ids = &self.ids[self.stack_index];
        let mut unresolved = Vec::new();
        for name in crate::fns::sub_variables(template) {
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
pub(super) fn for_each_child(f: &Intrinsic, mut visit: impl FnMut(&Value)) {
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

/// True when `value` references resource `id` with `Ref` or `Fn::GetAtt`:
/// CloudFormation already orders the two, so a `DependsOn` would repeat it.
pub(super) fn references(value: &Value, id: crate::element_ids::ResourceId) -> bool {
    match value {
        Value::Fn(f) => match f.as_ref() {
            Intrinsic::Ref(crate::value::RefTarget::Resource(r)) | Intrinsic::GetAtt(r, _) => {
                *r == id
            }
            f => {
                let mut found = false;
                for_each_child(f, |v| found = found || references(v, id));
                found
            }
        },
        Value::List(items) => items.iter().any(|v| references(v, id)),
        Value::Map(entries) => entries.values().any(|v| references(v, id)),
        _ => false,
    }
}
