//! What the CloudFormation resource schemas say about a type, kept as
//! static tables by the generated code: replacement rules, tagging, regions
//! and the constraints synthesis checks on literal values.

use crate::regions::RegionSet;

/// Facts about one resource type.
#[derive(Debug)]
pub struct TypeMeta {
    /// `AWS::Service::Resource`.
    pub type_name: &'static str,
    /// Constraints on the properties, checked at synthesis for literals.
    pub shape: &'static ObjectShape,
    /// Property paths (`Name`, `KubernetesNetworkConfig/IpFamily`) whose
    /// change replaces the resource.
    pub create_only: &'static [&'static str],
    /// Property paths the service never returns (secrets, one-shot inputs).
    pub write_only: &'static [&'static str],
    /// Property paths that make up the physical identifier.
    pub primary_identifier: &'static [&'static str],
    /// `Fn::GetAtt` names (`Arn`, `CertificateAuthority.Data`).
    pub attributes: &'static [&'static str],
    /// How the type takes tags, if it does.
    pub tagging: Option<Tagging>,
    /// The regions that offer the type.
    pub regions: RegionSet,
}

/// The kind of a property value that is not a string (see
/// `synth::aws::replacement::value_kinds`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    /// A number or an integer.
    Number,
    Boolean,
    /// Free-form JSON (a policy document, a map of anything).
    Json,
}

/// Where and in which shape a type takes tags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tagging {
    /// The top-level property holding the tags, usually `Tags`.
    pub property: &'static str,
    pub shape: TagShape,
}

/// The two shapes CloudFormation uses for tags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagShape {
    /// `[{"Key": k, "Value": v}]`.
    List,
    /// `[{"Key": k, "Value": v, "PropagateAtLaunch": true}]` (Auto Scaling).
    ListPropagateAtLaunch,
    /// `{k: v}`.
    Map,
}

/// Constraints on an object's properties. Only properties that carry a
/// constraint, directly or further down, are listed.
#[derive(Debug)]
pub struct ObjectShape {
    pub fields: &'static [(&'static str, &'static Shape)],
    /// Groups of which exactly one property must be set.
    pub required_xor: &'static [&'static [&'static str]],
    /// When the first property is set, none of the others may be.
    pub dependent_excluded: &'static [(&'static str, &'static [&'static str])],
    /// Alternatives (from `oneOf`/`anyOf`): the value must set every property
    /// of at least one group. Empty when the schema has no alternatives.
    pub one_of_required: &'static [&'static [&'static str]],
}

impl ObjectShape {
    pub const EMPTY: ObjectShape = ObjectShape {
        fields: &[],
        required_xor: &[],
        dependent_excluded: &[],
        one_of_required: &[],
    };
}

/// Constraints on one value.
#[derive(Debug)]
pub enum Shape {
    Str(StrRule),
    Num(NumRule),
    List(ListRule),
    Object(&'static ObjectShape),
    /// A map whose values all have this shape.
    Map(&'static Shape),
}

#[derive(Debug)]
pub struct StrRule {
    /// An ECMAScript regular expression, unanchored as in JSON Schema.
    pub pattern: Option<&'static str>,
    pub min_len: Option<u64>,
    pub max_len: Option<u64>,
    /// Allowed values, when the schema enumerates them.
    pub allowed: &'static [&'static str],
}

#[derive(Debug)]
pub struct NumRule {
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub allowed: &'static [f64],
}

#[derive(Debug)]
pub struct ListRule {
    pub item: Option<&'static Shape>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
}
