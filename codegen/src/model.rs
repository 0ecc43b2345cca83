//! What a resource schema becomes: structs with typed fields, validation
//! shapes, attributes and metadata, before any Rust text is written.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;

use crate::naming::{self, Scope};

/// The Rust type of a property value (the `T` of `Val<T>`).
#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    Str,
    Int,
    Num,
    Bool,
    Json,
    List(Box<Ty>),
    Map(Box<Ty>),
    /// A property struct, by index into [`ResourceModel::structs`].
    Struct(usize),
}

/// Constraints on a value, mirroring `synth::schema::Shape`. Object shapes
/// point at structs; whether those end up with constraints is settled once
/// every struct is known.
#[derive(Clone, Debug, PartialEq)]
pub enum ShapeExpr {
    Str {
        pattern: Option<String>,
        min_len: Option<u64>,
        max_len: Option<u64>,
        allowed: Vec<String>,
    },
    Num {
        min: Option<f64>,
        max: Option<f64>,
        allowed: Vec<f64>,
    },
    List {
        item: Option<Box<ShapeExpr>>,
        min_items: Option<u64>,
        max_items: Option<u64>,
    },
    Object(usize),
    Map(Box<ShapeExpr>),
}

#[derive(Debug)]
pub struct Field {
    /// The CloudFormation property name.
    pub cfn: String,
    /// The setter and constructor argument name.
    pub ident: String,
    pub ty: Ty,
    pub description: Option<String>,
    pub required: bool,
    pub create_only: bool,
    pub write_only: bool,
    pub shape: Option<ShapeExpr>,
    /// The generated enum of its allowed string values, by index into
    /// [`ResourceModel::enums`].
    pub enum_id: Option<usize>,
}

impl Field {
    /// The enumerated values, for the docs.
    pub fn allowed(&self) -> Vec<String> {
        match &self.shape {
            Some(ShapeExpr::Str { allowed, .. }) => allowed.clone(),
            Some(ShapeExpr::Num { allowed, .. }) => {
                allowed.iter().map(|n| format!("{n}")).collect()
            }
            _ => Vec::new(),
        }
    }
}

/// A struct: the resource itself or one of its property types.
#[derive(Debug)]
pub struct StructDef {
    pub name: String,
    /// The static holding its `ObjectShape`, when it has constraints.
    pub shape_const: String,
    pub description: Option<String>,
    /// Sorted by CloudFormation name.
    pub fields: Vec<Field>,
    pub required_xor: Vec<Vec<String>>,
    pub dependent_excluded: Vec<(String, Vec<String>)>,
    pub one_of_required: Vec<Vec<String>>,
    /// `<name>Required`, the struct of its required properties, when it has
    /// two or more.
    pub required_name: Option<String>,
}

impl StructDef {
    /// The fields `new` takes.
    pub fn required_fields(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| f.required)
    }

    fn has_object_rules(&self) -> bool {
        !self.required_xor.is_empty()
            || !self.dependent_excluded.is_empty()
            || !self.one_of_required.is_empty()
    }
}

/// A `Fn::GetAtt` attribute.
#[derive(Debug)]
pub struct Attribute {
    /// `CertificateAuthority.Data`.
    pub name: String,
    pub method: String,
    /// One of `Str`, `Int`, `Num`, `Bool`, `List(Str)`, `Json`.
    pub ty: Ty,
    pub description: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagKind {
    List,
    ListPropagateAtLaunch,
    Map,
}

/// Everything generated for one resource type.
#[derive(Debug)]
pub struct ResourceModel {
    pub type_name: String,
    /// `CfnRole`.
    pub struct_name: String,
    /// `role`: the module of its property types.
    pub module: String,
    /// `ROLE`: prefix of its statics.
    pub const_prefix: String,
    pub description: Option<String>,
    pub root: StructDef,
    pub structs: Vec<StructDef>,
    /// Per struct of `structs`: whether its shape has any constraint.
    pub constrained: Vec<bool>,
    pub root_constrained: bool,
    pub attributes: Vec<Attribute>,
    pub create_only: Vec<String>,
    /// Property paths whose change replaces the resource only in some
    /// cases (`conditionalCreateOnlyProperties`).
    pub conditional_create_only: Vec<String>,
    pub write_only: Vec<String>,
    pub primary_identifier: Vec<String>,
    pub tagging: Option<(String, TagKind)>,
    pub regions: u64,
    /// The enums of allowed string values, in the property module.
    pub enums: Vec<EnumDef>,
}

/// An enum of the allowed values of string properties.
#[derive(Debug, PartialEq)]
pub struct EnumDef {
    pub name: String,
    /// The property it was first generated for.
    pub property: String,
    /// `(variant, value)` in the schema's order.
    pub variants: Vec<(String, String)>,
}

/// Properties with more allowed values than this get no enum.
pub const MAX_ENUM_VALUES: usize = 100;

/// Counts of schema features that needed special handling, for reporting.
pub type Notes = BTreeMap<&'static str, usize>;

fn note(notes: &mut Notes, what: &'static str) {
    *notes.entry(what).or_default() += 1;
}

/// Schemas that only annotate (no type information of their own).
const VALUE_KEYS: &[&str] = &[
    "items",
    "enum",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "format",
    "const",
    "minItems",
    "maxItems",
    "patternProperties",
];

/// A JSON pointer into the schema (`#/definitions/Tag`).
fn resolve_pointer<'a>(schema: &'a Value, pointer: &str) -> Option<&'a Value> {
    let path = pointer.strip_prefix('#')?;
    if path.is_empty() {
        return Some(schema);
    }
    let mut node = schema;
    for raw in path.strip_prefix('/')?.split('/') {
        let seg = raw.replace("~1", "/").replace("~0", "~");
        node = match node {
            Value::Object(map) => map.get(&seg)?,
            Value::Array(items) => items.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

/// The single `type`, when the schema gives exactly one (`["object"]` too).
enum TypeDecl<'a> {
    Absent,
    One(&'a str),
    Several,
}

fn type_decl(node: &Value) -> TypeDecl<'_> {
    match node.get("type") {
        None => TypeDecl::Absent,
        Some(Value::String(s)) => TypeDecl::One(s),
        Some(Value::Array(items)) if items.len() == 1 => match items[0].as_str() {
            Some(s) => TypeDecl::One(s),
            None => TypeDecl::Several,
        },
        Some(_) => TypeDecl::Several,
    }
}

fn is_object_or_untyped(node: &Value) -> bool {
    matches!(type_decl(node), TypeDecl::Absent | TypeDecl::One("object"))
}

fn properties(node: &Value) -> Option<&serde_json::Map<String, Value>> {
    node.get("properties")
        .and_then(Value::as_object)
        .filter(|p| !p.is_empty())
}

fn string_list(node: Option<&Value>) -> Vec<String> {
    node.and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn as_u64(node: &Value, key: &str) -> Option<u64> {
    let v = node.get(key)?;
    if let Some(n) = v.as_u64() {
        return Some(n);
    }
    let f = v.as_f64()?;
    (f >= 0.0 && f.fract() == 0.0 && f < 1e18).then_some(f as u64)
}

fn as_f64(node: &Value, key: &str) -> Option<f64> {
    node.get(key)?.as_f64()
}

/// `/properties/A/B` → `A/B`.
fn strip_properties(path: &str) -> String {
    path.strip_prefix("/properties/").unwrap_or(path).to_owned()
}

struct Builder<'a, 'n> {
    schema: &'a Value,
    structs: Vec<Option<StructDef>>,
    defs: HashMap<String, Option<(Ty, Option<ShapeExpr>)>>,
    /// Struct names reserved for the object definitions.
    def_names: HashMap<String, String>,
    names: Scope,
    consts: Scope,
    notes: &'n mut Notes,
}

impl<'a, 'n> Builder<'a, 'n> {
    fn new(schema: &'a Value, notes: &'n mut Notes) -> Self {
        let mut names = Scope::new();
        let mut def_names = HashMap::new();
        if let Some(defs) = schema.get("definitions").and_then(Value::as_object) {
            let mut sorted: Vec<(&String, &Value)> = defs.iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(b.0));
            for (name, node) in sorted {
                if node.get("$ref").is_none() && Self::struct_like_in(schema, node) {
                    let base = naming::type_name(name);
                    let claimed = names.claim(&base, "");
                    def_names.insert(name.clone(), claimed);
                }
            }
        }
        Builder {
            schema,
            structs: Vec::new(),
            defs: HashMap::new(),
            def_names,
            names,
            consts: Scope::new(),
            notes,
        }
    }

    /// Follows `$ref` chains to the schema that says something.
    fn deref(&self, node: &'a Value) -> &'a Value {
        Self::deref_in(self.schema, node)
    }

    fn deref_in(schema: &'a Value, mut node: &'a Value) -> &'a Value {
        for _ in 0..32 {
            match node.get("$ref").and_then(Value::as_str) {
                Some(r) => match resolve_pointer(schema, r) {
                    Some(target) => node = target,
                    None => return node,
                },
                None => match all_of_ref(node) {
                    Some(r) => match resolve_pointer(schema, r) {
                        Some(target) => node = target,
                        None => return node,
                    },
                    None => return node,
                },
            }
        }
        node
    }

    /// The `oneOf` (else `anyOf`) alternatives.
    fn alternatives(node: &Value) -> Option<&Vec<Value>> {
        node.get("oneOf")
            .or_else(|| node.get("anyOf"))
            .and_then(Value::as_array)
            .filter(|a| !a.is_empty())
    }

    /// An alternative that describes (part of) an object.
    fn objecty_in(schema: &'a Value, alt: &'a Value) -> bool {
        let alt = Self::deref_in(schema, alt);
        if properties(alt).is_some() {
            return true;
        }
        match type_decl(alt) {
            TypeDecl::One("object") => true,
            TypeDecl::Absent => !VALUE_KEYS.iter().any(|k| alt.get(k).is_some()),
            _ => false,
        }
    }

    /// Objects with properties, and unions of such objects, become structs.
    fn struct_like_in(schema: &'a Value, node: &'a Value) -> bool {
        if !is_object_or_untyped(node) {
            return false;
        }
        if properties(node).is_some() {
            return true;
        }
        match Self::alternatives(node) {
            Some(alts) => {
                alts.iter().all(|a| Self::objecty_in(schema, a))
                    && alts
                        .iter()
                        .any(|a| properties(Self::deref_in(schema, a)).is_some())
            }
            None => false,
        }
    }

    fn struct_like(&self, node: &'a Value) -> bool {
        Self::struct_like_in(self.schema, node)
    }

    fn alloc_struct(&mut self, name: String) -> usize {
        let const_name = self
            .consts
            .claim(&format!("{}_SHAPE", naming::screaming_snake(&name)), "_");
        self.structs.push(Some(StructDef {
            name,
            shape_const: const_name,
            description: None,
            fields: Vec::new(),
            required_xor: Vec::new(),
            dependent_excluded: Vec::new(),
            one_of_required: Vec::new(),
            required_name: None,
        }));
        self.structs.len() - 1
    }

    /// A name for an inline object struct: the property's, else prefixed
    /// with its parent's, else numbered.
    fn inline_name(&mut self, hint: &str, parent: &str) -> String {
        let base = naming::type_name(hint);
        if !self.names.is_taken(&base) {
            return self.names.claim(&base, "");
        }
        let prefixed = naming::type_name(&format!("{parent}{}", naming::upper_camel(hint)));
        if !parent.is_empty() && !self.names.is_taken(&prefixed) {
            return self.names.claim(&prefixed, "");
        }
        self.names.claim(&base, "")
    }

    /// The type and constraints of a property schema.
    fn ty_shape(
        &mut self,
        node: &'a Value,
        hint: &str,
        parent: &str,
        depth: usize,
    ) -> (Ty, Option<ShapeExpr>) {
        if depth > 48 {
            note(self.notes, "schemas nested too deep (free JSON)");
            return (Ty::Json, None);
        }
        if let Some(r) = node.get("$ref").and_then(Value::as_str) {
            return self.ref_ty(r, hint, parent, depth);
        }
        if let Some(r) = all_of_ref(node) {
            note(self.notes, "allOf with one $ref (taken as the $ref)");
            return self.ref_ty(r, hint, parent, depth);
        }
        match type_decl(node) {
            TypeDecl::Several => {
                note(self.notes, "type lists (free JSON)");
                (Ty::Json, None)
            }
            TypeDecl::One("string") => (Ty::Str, str_shape(node)),
            TypeDecl::One("integer") => (Ty::Int, num_shape(node)),
            TypeDecl::One("number") => (Ty::Num, num_shape(node)),
            TypeDecl::One("boolean") => (Ty::Bool, None),
            TypeDecl::One("array") => self.array(node, hint, parent, depth),
            TypeDecl::One("object") | TypeDecl::Absent => {
                if self.struct_like(node) {
                    let name = self.inline_name(hint, parent);
                    let id = self.alloc_struct(name);
                    self.fill_struct(id, node, depth);
                    return (Ty::Struct(id), Some(ShapeExpr::Object(id)));
                }
                if let Some(value) = map_value(node) {
                    let (t, s) = self.ty_shape(value, hint, parent, depth + 1);
                    return (Ty::Map(Box::new(t)), s.map(|s| ShapeExpr::Map(Box::new(s))));
                }
                if matches!(type_decl(node), TypeDecl::Absent) {
                    if node.get("items").is_some() {
                        return self.array(node, hint, parent, depth);
                    }
                    if let Some(values) = node.get("enum").and_then(Value::as_array) {
                        if values.iter().all(Value::is_string) {
                            return (Ty::Str, str_shape(node));
                        }
                    }
                }
                if Self::alternatives(node).is_some() {
                    note(self.notes, "oneOf/anyOf of non-objects (free JSON)");
                }
                (Ty::Json, None)
            }
            TypeDecl::One(_) => (Ty::Json, None),
        }
    }

    fn array(
        &mut self,
        node: &'a Value,
        hint: &str,
        parent: &str,
        depth: usize,
    ) -> (Ty, Option<ShapeExpr>) {
        let (item_ty, item_shape) = match node.get("items") {
            Some(items) if items.is_object() => self.ty_shape(items, hint, parent, depth + 1),
            _ => (Ty::Json, None),
        };
        let min_items = as_u64(node, "minItems");
        let max_items = as_u64(node, "maxItems");
        let shape = if item_shape.is_none() && min_items.is_none() && max_items.is_none() {
            None
        } else {
            Some(ShapeExpr::List {
                item: item_shape.map(Box::new),
                min_items,
                max_items,
            })
        };
        (Ty::List(Box::new(item_ty)), shape)
    }

    fn ref_ty(
        &mut self,
        pointer: &str,
        hint: &str,
        parent: &str,
        depth: usize,
    ) -> (Ty, Option<ShapeExpr>) {
        let schema = self.schema;
        if let Some(name) = pointer
            .strip_prefix("#/definitions/")
            .filter(|n| !n.contains('/'))
        {
            match self.defs.get(name) {
                Some(Some(done)) => return done.clone(),
                Some(None) => {
                    note(
                        self.notes,
                        "definitions referring to themselves without an object (free JSON)",
                    );
                    return (Ty::Json, None);
                }
                None => {}
            }
            let Some(node) = schema.get("definitions").and_then(|d| d.get(name)) else {
                note(self.notes, "unresolvable $ref (free JSON)");
                return (Ty::Json, None);
            };
            if let Some(struct_name) = self.def_names.get(name).cloned() {
                let id = self.alloc_struct(struct_name);
                let done = (Ty::Struct(id), Some(ShapeExpr::Object(id)));
                self.defs.insert(name.to_owned(), Some(done.clone()));
                self.fill_struct(id, node, depth);
                return done;
            }
            self.defs.insert(name.to_owned(), None);
            let done = self.ty_shape(node, name, parent, depth + 1);
            self.defs.insert(name.to_owned(), Some(done.clone()));
            return done;
        }
        match resolve_pointer(schema, pointer) {
            Some(node) => {
                note(self.notes, "$ref outside #/definitions");
                let last = pointer.rsplit('/').next().unwrap_or(hint);
                self.ty_shape(node, last, parent, depth + 1)
            }
            None => {
                note(self.notes, "unresolvable $ref (free JSON)");
                (Ty::Json, None)
            }
        }
    }

    /// The properties of an object schema and of its object alternatives.
    fn collect_properties(
        &mut self,
        node: &'a Value,
    ) -> (Vec<(&'a str, &'a Value)>, Vec<Vec<String>>) {
        let mut props: Vec<(&'a str, &'a Value)> = Vec::new();
        let mut seen = BTreeSet::new();
        if let Some(map) = properties(node) {
            for (k, v) in map {
                if seen.insert(k.as_str()) {
                    props.push((k, v));
                }
            }
        }
        let mut groups = Vec::new();
        if let Some(alts) = Self::alternatives(node) {
            if alts.iter().all(|a| self.objecty(a)) {
                let mut all_have_required = true;
                let mut contributes = false;
                for alt in alts {
                    let alt = self.deref(alt);
                    if let Some(map) = properties(alt) {
                        contributes = true;
                        for (k, v) in map {
                            if seen.insert(k.as_str()) {
                                props.push((k, v));
                            }
                        }
                    }
                    let required = string_list(alt.get("required"));
                    if required.is_empty() {
                        all_have_required = false;
                    }
                    groups.push(required);
                }
                if contributes {
                    note(self.notes, "oneOf/anyOf of objects (union struct)");
                }
                if !all_have_required {
                    groups.clear();
                }
            } else {
                note(
                    self.notes,
                    "oneOf/anyOf beside properties, not objects (ignored)",
                );
            }
        }
        props.sort_by(|a, b| a.0.cmp(b.0));
        (props, groups)
    }

    fn objecty(&self, alt: &'a Value) -> bool {
        Self::objecty_in(self.schema, alt)
    }

    fn description(&self, node: &'a Value) -> Option<String> {
        node.get("description")
            .or_else(|| self.deref(node).get("description"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    }

    fn fill_struct(&mut self, id: usize, node: &'a Value, depth: usize) {
        let parent = self.structs[id].as_ref().expect("allocated").name.clone();
        let mut def = self.structs[id].take().expect("not yet filled");
        def.description = node
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let (props, groups) = self.collect_properties(node);
        let required: BTreeSet<String> = string_list(node.get("required")).into_iter().collect();
        let mut idents = field_scope(&props, &required, false);
        for (name, prop) in props {
            let ident = idents.claim(&naming::setter_name(name, false), "_");
            let (ty, shape) = self.ty_shape(prop, name, &parent, depth + 1);
            def.fields.push(Field {
                cfn: name.to_owned(),
                ident,
                ty,
                description: self.description(prop),
                required: required.contains(name),
                create_only: false,
                write_only: false,
                shape,
                enum_id: None,
            });
        }
        def.one_of_required = groups;
        def.required_xor = required_xor(node);
        def.dependent_excluded = dependent_excluded(node);
        self.structs[id] = Some(def);
    }
}

/// The scope of a struct's setter names. The constructor's local variable
/// `props` is taken when a constructor argument would be named so.
fn field_scope(props: &[(&str, &Value)], required: &BTreeSet<String>, resource: bool) -> Scope {
    let mut scope = Scope::new();
    let clash = props.iter().any(|(name, _)| {
        required.contains(*name) && naming::setter_name(name, resource) == "props"
    });
    if clash {
        scope.reserve("props");
    }
    scope
}

/// `allOf: [{"$ref": ...}, {annotations}]`: the one `$ref`.
fn all_of_ref(node: &Value) -> Option<&str> {
    let parts = node.get("allOf")?.as_array()?;
    let mut found = None;
    for part in parts {
        match part.get("$ref").and_then(Value::as_str) {
            Some(r) if found.is_none() => found = Some(r),
            Some(_) => return None,
            None => {
                let annotation_only = part.as_object().is_some_and(|o| {
                    o.keys().all(|k| {
                        matches!(
                            k.as_str(),
                            "default" | "description" | "title" | "$comment" | "examples"
                        )
                    })
                });
                if !annotation_only {
                    return None;
                }
            }
        }
    }
    found
}

/// The schema of a map's values: the one `patternProperties` schema (or
/// the common one), else an `additionalProperties` schema.
fn map_value(node: &Value) -> Option<&Value> {
    if properties(node).is_some() {
        return None;
    }
    if let Some(pp) = node.get("patternProperties").and_then(Value::as_object) {
        let schemas: Vec<&Value> = pp.values().collect();
        if let Some(first) = schemas.first() {
            if schemas.iter().all(|s| s == first) {
                return Some(first);
            }
            // Differing value schemas: a map of free JSON.
            return Some(&EMPTY_SCHEMA);
        }
    }
    match node.get("additionalProperties") {
        Some(v @ Value::Object(_)) => Some(v),
        _ => None,
    }
}

/// A schema that says nothing: free JSON.
static EMPTY_SCHEMA: Value = Value::Null;

fn str_shape(node: &Value) -> Option<ShapeExpr> {
    let pattern = node
        .get("pattern")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let min_len = as_u64(node, "minLength");
    let max_len = as_u64(node, "maxLength");
    let allowed = match node.get("enum").and_then(Value::as_array) {
        Some(values) if values.iter().all(Value::is_string) => values
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    };
    if pattern.is_none() && min_len.is_none() && max_len.is_none() && allowed.is_empty() {
        return None;
    }
    Some(ShapeExpr::Str {
        pattern,
        min_len,
        max_len,
        allowed,
    })
}

fn num_shape(node: &Value) -> Option<ShapeExpr> {
    let min = as_f64(node, "minimum");
    let max = as_f64(node, "maximum");
    let allowed = match node.get("enum").and_then(Value::as_array) {
        Some(values) if values.iter().all(Value::is_number) => {
            values.iter().filter_map(Value::as_f64).collect()
        }
        _ => Vec::new(),
    };
    if min.is_none() && max.is_none() && allowed.is_empty() {
        return None;
    }
    Some(ShapeExpr::Num { min, max, allowed })
}

fn required_xor(node: &Value) -> Vec<Vec<String>> {
    match node.get("requiredXor").and_then(Value::as_array) {
        Some(items) if items.iter().all(Value::is_string) => {
            vec![string_list(node.get("requiredXor"))]
        }
        Some(items) => items
            .iter()
            .map(|g| string_list(Some(g)))
            .filter(|g| !g.is_empty())
            .collect(),
        None => Vec::new(),
    }
    .into_iter()
    .filter(|g| !g.is_empty())
    .collect()
}

fn dependent_excluded(node: &Value) -> Vec<(String, Vec<String>)> {
    let Some(map) = node.get("dependentExcluded").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut out: Vec<(String, Vec<String>)> = map
        .iter()
        .map(|(k, v)| (k.clone(), string_list(Some(v))))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    out.sort();
    out
}

/// Whether a shape still says something once unconstrained structs are
/// known.
fn nontrivial(shape: &ShapeExpr, constrained: &[bool]) -> bool {
    match shape {
        ShapeExpr::Str { .. } | ShapeExpr::Num { .. } => true,
        ShapeExpr::List {
            item,
            min_items,
            max_items,
        } => {
            min_items.is_some()
                || max_items.is_some()
                || item.as_deref().is_some_and(|i| nontrivial(i, constrained))
        }
        ShapeExpr::Object(id) => constrained[*id],
        ShapeExpr::Map(inner) => nontrivial(inner, constrained),
    }
}

impl ShapeExpr {
    /// Whether it carries a constraint, given which structs do.
    pub fn is_nontrivial(&self, constrained: &[bool]) -> bool {
        nontrivial(self, constrained)
    }
}

fn struct_constrained(def: &StructDef, constrained: &[bool]) -> bool {
    def.has_object_rules()
        || def
            .fields
            .iter()
            .any(|f| f.shape.as_ref().is_some_and(|s| nontrivial(s, constrained)))
}

/// Names chosen for a resource type within its service module.
pub struct ResourceNames {
    pub struct_name: String,
    pub module: String,
    pub const_prefix: String,
}

/// Builds the model of one resource type.
pub fn build(
    type_name: &str,
    schema: &Value,
    names: ResourceNames,
    regions: u64,
    extra_attributes: &[String],
    notes: &mut Notes,
) -> ResourceModel {
    let resource_part = type_name.rsplit("::").next().unwrap_or(type_name);
    let resource_camel = naming::upper_camel(resource_part);
    let path_list = |key: &str| -> Vec<String> {
        string_list(schema.get(key))
            .iter()
            .map(|p| strip_properties(p))
            .collect()
    };
    let mut create_only = path_list("createOnlyProperties");
    create_only.sort();
    create_only.dedup();
    let mut conditional_create_only = path_list("conditionalCreateOnlyProperties");
    conditional_create_only.sort();
    conditional_create_only.dedup();
    let mut write_only = path_list("writeOnlyProperties");
    write_only.sort();
    write_only.dedup();
    let primary_identifier = path_list("primaryIdentifier");
    let read_only: BTreeSet<String> = path_list("readOnlyProperties").into_iter().collect();

    let mut b = Builder::new(schema, notes);
    let (props, groups) = b.collect_properties(schema);
    let required: BTreeSet<String> = string_list(schema.get("required")).into_iter().collect();
    let mut idents = field_scope(&props, &required, true);
    let mut fields = Vec::new();
    for (name, prop) in props {
        if effectively_read_only(&b, name, prop, &read_only, 0) {
            if required.contains(name) {
                note(b.notes, "required properties that are read-only (left out)");
            }
            if !read_only.contains(name) {
                note(b.notes, "properties read-only in every part (no setter)");
            }
            continue;
        }
        let ident = idents.claim(&naming::setter_name(name, true), "_");
        let (ty, shape) = b.ty_shape(prop, name, &resource_camel, 1);
        fields.push(Field {
            cfn: name.to_owned(),
            ident,
            ty,
            description: b.description(prop),
            required: required.contains(name),
            create_only: create_only.iter().any(|p| p == name),
            write_only: write_only.iter().any(|p| p == name),
            shape,
            enum_id: None,
        });
    }
    let root = StructDef {
        name: names.struct_name.clone(),
        shape_const: format!("{}_SHAPE", names.const_prefix),
        description: schema
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_owned),
        fields,
        required_xor: required_xor(schema),
        dependent_excluded: dependent_excluded(schema),
        one_of_required: groups,
        required_name: None,
    };

    let mut attribute_paths = read_only.clone();
    attribute_paths.extend(extra_attributes.iter().cloned());
    let attributes = attributes(&b, &attribute_paths);
    let tagging = tagging(&b);
    let structs: Vec<StructDef> = b
        .structs
        .into_iter()
        .map(|s| s.expect("every struct is filled"))
        .collect();

    // Which structs carry constraints, to a fixed point (they may recurse).
    let mut constrained = vec![false; structs.len()];
    loop {
        let mut changed = false;
        for (i, def) in structs.iter().enumerate() {
            if !constrained[i] && struct_constrained(def, &constrained) {
                constrained[i] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let root_constrained = struct_constrained(&root, &constrained);
    let mut structs = structs;
    let mut root = root;
    mark_nested(&root, &mut structs, &create_only, |f| &mut f.create_only);
    mark_nested(&root, &mut structs, &write_only, |f| &mut f.write_only);
    name_required_structs(&mut root, &mut structs, notes);
    let enums = name_enums(&resource_camel, &mut root, &mut structs, notes);

    ResourceModel {
        type_name: type_name.to_owned(),
        struct_name: names.struct_name,
        module: names.module,
        const_prefix: names.const_prefix,
        description: root.description.clone(),
        root,
        structs,
        constrained,
        root_constrained,
        attributes,
        create_only,
        conditional_create_only,
        write_only,
        primary_identifier,
        tagging,
        regions,
        enums,
    }
}

/// The kind of a property value that is not a string, for tools that
/// compare values as CloudFormation does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ValueKind {
    Number,
    Boolean,
    Json,
}

/// Every property path (`Timeout`, `Listeners/*/Port`; `*` is any list
/// item or map value) whose value is a number, a boolean or free-form
/// JSON, sorted. Other paths hold strings. Recursive structs are walked
/// once per path.
pub fn value_kinds(model: &ResourceModel) -> Vec<(String, ValueKind)> {
    fn walk(
        model: &ResourceModel,
        ty: &Ty,
        path: String,
        seen: &mut Vec<usize>,
        out: &mut Vec<(String, ValueKind)>,
    ) {
        match ty {
            Ty::Str => {}
            Ty::Int | Ty::Num => out.push((path, ValueKind::Number)),
            Ty::Bool => out.push((path, ValueKind::Boolean)),
            Ty::Json => out.push((path, ValueKind::Json)),
            Ty::List(item) | Ty::Map(item) => walk(model, item, format!("{path}/*"), seen, out),
            Ty::Struct(i) => {
                if seen.contains(i) || seen.len() > 8 {
                    return;
                }
                seen.push(*i);
                for f in &model.structs[*i].fields {
                    walk(model, &f.ty, format!("{path}/{}", f.cfn), seen, out);
                }
                seen.pop();
            }
        }
    }
    let mut out = Vec::new();
    for f in &model.root.fields {
        walk(model, &f.ty, f.cfn.clone(), &mut Vec::new(), &mut out);
    }
    out.sort();
    out.dedup();
    out
}

/// Gives every struct with two or more required properties the name of
/// its `Required` struct. Whether that name is free is checked once every
/// name of the module is known ([`module_names`]).
fn name_required_structs(root: &mut StructDef, structs: &mut [StructDef], notes: &mut Notes) {
    for (def, what) in std::iter::once((root, "resources"))
        .chain(structs.iter_mut().map(|d| (d, "property types")))
    {
        if def.required_fields().count() >= 2 {
            def.required_name = Some(format!("{}Required", def.name));
            note(
                notes,
                if what == "resources" {
                    "resources with a Required struct"
                } else {
                    "property types with a Required struct"
                },
            );
        }
    }
}

/// The allowed values of a string property, or of the strings in a
/// property's lists or maps.
fn enum_values<'s>(ty: &Ty, shape: Option<&'s ShapeExpr>) -> Option<&'s [String]> {
    match (ty, shape?) {
        (Ty::Str, ShapeExpr::Str { allowed, .. }) if !allowed.is_empty() => Some(allowed),
        (Ty::List(inner), ShapeExpr::List { item, .. }) => enum_values(inner, item.as_deref()),
        (Ty::Map(inner), ShapeExpr::Map(s)) => enum_values(inner, Some(s)),
        _ => None,
    }
}

/// The variants for a list of values, or `None` when some value has no
/// identifier or two values would get the same one.
fn enum_variants(values: &[String]) -> Option<Vec<(String, String)>> {
    let mut seen = BTreeSet::new();
    let mut variants = Vec::with_capacity(values.len());
    for value in values {
        let variant = naming::variant_name(value)?;
        if !seen.insert(variant.clone()) {
            return None;
        }
        variants.push((variant, value.clone()));
    }
    Some(variants)
}

/// Generates an enum per distinct (property name, allowed values) in the
/// type: named after the property (`ResolveConflicts`); when a struct, a
/// `Required` struct or another property's enum has that name, after the
/// struct holding it and the property (`AddonResolveConflicts`); failing
/// that, numbered. The same property name with the same values shares one
/// enum.
fn name_enums(
    resource_camel: &str,
    root: &mut StructDef,
    structs: &mut [StructDef],
    notes: &mut Notes,
) -> Vec<EnumDef> {
    let mut scope = Scope::new();
    for def in structs.iter() {
        scope.reserve(&def.name);
        if let Some(r) = &def.required_name {
            scope.reserve(r);
        }
    }
    let mut enums: Vec<EnumDef> = Vec::new();
    let owners =
        std::iter::once((root, resource_camel.to_owned())).chain(structs.iter_mut().map(|d| {
            let owner = d.name.clone();
            (d, owner)
        }));
    for (def, owner) in owners {
        for field in &mut def.fields {
            let Some(values) = enum_values(&field.ty, field.shape.as_ref()) else {
                continue;
            };
            if values.len() > MAX_ENUM_VALUES {
                note(notes, "string enums skipped: more than 100 values");
                continue;
            }
            let Some(variants) = enum_variants(values) else {
                note(
                    notes,
                    "string enums skipped: values that give no distinct identifiers",
                );
                continue;
            };
            let candidates = [
                naming::type_name(&field.cfn),
                naming::type_name(&format!("{owner}{}", naming::upper_camel(&field.cfn))),
            ];
            let mut chosen = None;
            for name in &candidates {
                if let Some(i) = enums
                    .iter()
                    .position(|e| e.name == *name && e.variants == variants)
                {
                    chosen = Some(i);
                    break;
                }
                if !scope.is_taken(name) {
                    chosen = Some(enums.len());
                    enums.push(EnumDef {
                        name: scope.claim(name, ""),
                        property: field.cfn.clone(),
                        variants: variants.clone(),
                    });
                    break;
                }
            }
            let id = chosen.unwrap_or_else(|| {
                note(notes, "string enums numbered (both names taken)");
                enums.push(EnumDef {
                    name: scope.claim(&candidates[0], ""),
                    property: field.cfn.clone(),
                    variants,
                });
                enums.len() - 1
            });
            field.enum_id = Some(id);
        }
    }
    notes.entry("string enums generated").or_default();
    *notes.get_mut("string enums generated").expect("inserted") += enums.len();
    enums
}

/// Every type name a resource's property module defines, with what defines
/// it: property structs, their `Required` structs and the enums.
pub fn module_names(model: &ResourceModel) -> Vec<(String, String)> {
    let mut names = Vec::new();
    for def in &model.structs {
        names.push((def.name.clone(), format!("the property type {}", def.name)));
        if let Some(r) = &def.required_name {
            names.push((
                r.clone(),
                format!("the required properties of {}", def.name),
            ));
        }
    }
    for e in &model.enums {
        names.push((e.name.clone(), format!("the values of {}", e.property)));
    }
    names
}

fn struct_refs(ty: &Ty, counts: &mut [usize]) {
    match ty {
        Ty::Struct(id) => counts[*id] += 1,
        Ty::List(inner) | Ty::Map(inner) => struct_refs(inner, counts),
        _ => {}
    }
}

fn struct_of(ty: &Ty) -> Option<usize> {
    match ty {
        Ty::Struct(id) => Some(*id),
        Ty::List(inner) | Ty::Map(inner) => struct_of(inner),
        _ => None,
    }
}

/// Marks the fields of property structs that nested paths
/// (`KubernetesNetworkConfig/IpFamily`) name, when every struct on the way
/// is used in that one place only: a shared struct's field may be
/// create-only in one place and not in another.
fn mark_nested(
    root: &StructDef,
    structs: &mut [StructDef],
    paths: &[String],
    flag: impl Fn(&mut Field) -> &mut bool,
) {
    let mut counts = vec![0; structs.len()];
    for def in std::iter::once(root).chain(structs.iter()) {
        for f in &def.fields {
            struct_refs(&f.ty, &mut counts);
        }
    }
    'paths: for path in paths {
        let segments: Vec<&str> = path.split('/').filter(|s| *s != "*").collect();
        if segments.len() < 2 {
            continue;
        }
        let mut fields = &root.fields;
        let mut target = None;
        for (i, seg) in segments.iter().enumerate() {
            let Some(field) = fields.iter().find(|f| f.cfn == *seg) else {
                continue 'paths;
            };
            if i == segments.len() - 1 {
                break;
            }
            let Some(id) = struct_of(&field.ty) else {
                continue 'paths;
            };
            if counts[id] != 1 {
                continue 'paths;
            }
            target = Some(id);
            fields = &structs[id].fields;
        }
        let (Some(id), Some(last)) = (target, segments.last()) else {
            continue;
        };
        if let Some(field) = structs[id].fields.iter_mut().find(|f| f.cfn == *last) {
            *flag(field) = true;
        }
    }
}

/// Read-only when listed, or when it is an object all of whose properties
/// are read-only (EKS `CertificateAuthority`, whose parts are each listed).
fn effectively_read_only(
    b: &Builder<'_, '_>,
    path: &str,
    node: &Value,
    read_only: &BTreeSet<String>,
    depth: usize,
) -> bool {
    if read_only.contains(path) {
        return true;
    }
    if depth > 8 {
        return false;
    }
    let node = Builder::deref_in(b.schema, node);
    match properties(node) {
        Some(props) => props.iter().all(|(k, v)| {
            effectively_read_only(b, &format!("{path}/{k}"), v, read_only, depth + 1)
        }),
        None => false,
    }
}

/// One attribute per read-only property path without `*`.
/// The attributes: the read-only property paths and the properties
/// cfn-lint also accepts in `Fn::GetAtt`.
fn attributes(b: &Builder<'_, '_>, paths: &BTreeSet<String>) -> Vec<Attribute> {
    let mut found: Vec<(String, Vec<String>)> = paths
        .iter()
        .filter(|p| !p.contains('*') && !p.starts_with('/') && !p.is_empty())
        .map(|p| {
            (
                p.replace('/', "."),
                p.split('/').map(str::to_owned).collect(),
            )
        })
        .collect();
    found.sort();
    let mut methods = Scope::new();
    // The methods every handle has.
    for taken in ["reference", "erase", "attribute", "resource_id", "get_att"] {
        methods.claim(taken, "_");
    }
    let mut out = Vec::new();
    for (name, segments) in found {
        let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
        let method = methods.claim(&naming::attribute_method(&segs), "_");
        let node = attribute_schema(b, &segs);
        let ty = node.map_or(Ty::Json, |n| attribute_ty(b, n));
        let description = node.and_then(|n| b.description(n));
        out.push(Attribute {
            name,
            method,
            ty,
            description,
        });
    }
    out
}

fn attribute_schema<'a>(b: &Builder<'a, '_>, segments: &[&str]) -> Option<&'a Value> {
    let mut node = b.schema;
    for seg in segments {
        let object = b.deref(node);
        node = properties(object).and_then(|p| p.get(*seg)).or_else(|| {
            Builder::alternatives(object)?
                .iter()
                .find_map(|a| properties(b.deref(a))?.get(*seg))
        })?;
    }
    Some(node)
}

fn attribute_ty(b: &Builder<'_, '_>, node: &Value) -> Ty {
    let node = Builder::deref_in(b.schema, node);
    match type_decl(node) {
        TypeDecl::One("string") => Ty::Str,
        TypeDecl::One("integer") => Ty::Int,
        TypeDecl::One("number") => Ty::Num,
        TypeDecl::One("boolean") => Ty::Bool,
        TypeDecl::One("array") => {
            let item = node.get("items").map(|i| Builder::deref_in(b.schema, i));
            match item.map(type_decl) {
                Some(TypeDecl::One("string")) => Ty::List(Box::new(Ty::Str)),
                _ => Ty::Json,
            }
        }
        _ => Ty::Json,
    }
}

/// How the type takes tags: the tag property, when the type is taggable and
/// the property is a top-level list of `Key`/`Value` objects or a map.
fn tagging(b: &Builder<'_, '_>) -> Option<(String, TagKind)> {
    let schema = b.schema;
    let tagging = schema.get("tagging");
    let taggable = tagging
        .and_then(|t| t.get("taggable"))
        .or_else(|| schema.get("taggable"))
        .and_then(Value::as_bool)
        .unwrap_or(true);
    if !taggable {
        return None;
    }
    let path = tagging
        .and_then(|t| t.get("tagProperty"))
        .and_then(Value::as_str)
        .unwrap_or("/properties/Tags");
    let name = path.strip_prefix("/properties/")?;
    if name.contains('/') {
        return None;
    }
    let prop = properties(schema)?.get(name)?;
    tag_kind(b, prop).map(|kind| (name.to_owned(), kind))
}

fn tag_kind(b: &Builder<'_, '_>, prop: &Value) -> Option<TagKind> {
    let node = b.deref(prop);
    match type_decl(node) {
        TypeDecl::One("array") => {
            let item = b.deref(node.get("items")?);
            let mut props: BTreeSet<&str> = BTreeSet::new();
            let mut required: BTreeSet<String> =
                string_list(item.get("required")).into_iter().collect();
            if let Some(p) = properties(item) {
                props.extend(p.keys().map(String::as_str));
            }
            if let Some(alts) = Builder::alternatives(item) {
                for alt in alts {
                    let alt = b.deref(alt);
                    if let Some(p) = properties(alt) {
                        props.extend(p.keys().map(String::as_str));
                        if p.contains_key("Key") {
                            required.extend(string_list(alt.get("required")));
                        }
                    }
                }
            }
            if !(props.contains("Key") && props.contains("Value")) {
                return None;
            }
            if required.contains("PropagateAtLaunch") {
                Some(TagKind::ListPropagateAtLaunch)
            } else {
                Some(TagKind::List)
            }
        }
        TypeDecl::One("object") | TypeDecl::Absent if properties(node).is_none() => {
            Some(TagKind::Map)
        }
        TypeDecl::Several => {
            let object = node
                .get("type")
                .and_then(Value::as_array)
                .is_some_and(|t| t.iter().any(|x| x == "object"));
            object.then_some(TagKind::Map)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn model(schema: Value) -> ResourceModel {
        let mut notes = Notes::new();
        build(
            "AWS::Test::Thing",
            &schema,
            ResourceNames {
                struct_name: "CfnThing".to_owned(),
                module: "thing".to_owned(),
                const_prefix: "THING".to_owned(),
            },
            1,
            &[],
            &mut notes,
        )
    }

    fn field<'m>(def: &'m StructDef, cfn: &str) -> &'m Field {
        def.fields
            .iter()
            .find(|f| f.cfn == cfn)
            .unwrap_or_else(|| panic!("no field {cfn} in {}", def.name))
    }

    fn struct_named<'m>(m: &'m ResourceModel, name: &str) -> (usize, &'m StructDef) {
        m.structs
            .iter()
            .enumerate()
            .find(|(_, s)| s.name == name)
            .unwrap_or_else(|| panic!("no struct {name}"))
    }

    #[test]
    fn maps_schema_types_to_rust_types() {
        let m = model(json!({
            "properties": {
                "S": {"type": "string"},
                "I": {"type": "integer"},
                "N": {"type": "number"},
                "B": {"type": "boolean"},
                "L": {"type": "array", "items": {"type": "string"}},
                "LL": {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}},
                "Free": {"type": "array"},
                "Obj": {"$ref": "#/definitions/Obj"},
                "Alias": {"$ref": "#/definitions/Names"},
                "Labels": {"type": "object", "patternProperties": {"^.+$": {"type": "string"}}},
                "Extra": {"type": "object", "additionalProperties": {"type": "integer"}},
                "Any": {"type": "object"},
                "Doc": {"type": "object", "additionalProperties": true},
                "Either": {"type": ["object", "string"]},
                "Untyped": {},
                "Inline": {"type": "object", "properties": {"X": {"type": "string"}}},
                "Items": {"type": "array", "items": {"type": "object", "properties": {"Y": {"type": "string"}}}}
            },
            "definitions": {
                "Obj": {"type": "object", "properties": {"A": {"type": "string"}}},
                "Names": {"type": "array", "items": {"type": "string"}}
            }
        }));
        let ty = |name: &str| field(&m.root, name).ty.clone();
        assert_eq!(ty("S"), Ty::Str);
        assert_eq!(ty("I"), Ty::Int);
        assert_eq!(ty("N"), Ty::Num);
        assert_eq!(ty("B"), Ty::Bool);
        assert_eq!(ty("L"), Ty::List(Box::new(Ty::Str)));
        assert_eq!(ty("LL"), Ty::List(Box::new(Ty::List(Box::new(Ty::Int)))));
        assert_eq!(ty("Free"), Ty::List(Box::new(Ty::Json)));
        let (obj, _) = struct_named(&m, "Obj");
        assert_eq!(ty("Obj"), Ty::Struct(obj));
        assert_eq!(ty("Alias"), Ty::List(Box::new(Ty::Str)));
        assert_eq!(ty("Labels"), Ty::Map(Box::new(Ty::Str)));
        assert_eq!(ty("Extra"), Ty::Map(Box::new(Ty::Int)));
        assert_eq!(ty("Any"), Ty::Json);
        assert_eq!(ty("Doc"), Ty::Json);
        assert_eq!(ty("Either"), Ty::Json);
        assert_eq!(ty("Untyped"), Ty::Json);
        let (inline, _) = struct_named(&m, "Inline");
        assert_eq!(ty("Inline"), Ty::Struct(inline));
        let (items, _) = struct_named(&m, "Items");
        assert_eq!(ty("Items"), Ty::List(Box::new(Ty::Struct(items))));
        // Only definitions in use become structs.
        assert_eq!(m.structs.len(), 3);
    }

    #[test]
    fn required_properties_and_read_only_ones() {
        let m = model(json!({
            "properties": {
                "Name": {"type": "string"},
                "Arn": {"type": "string"},
                "Size": {"type": "integer"},
                "Status": {"$ref": "#/definitions/Status"},
                "Endpoint": {"type": "object", "properties": {"Address": {"type": "string"}, "Port": {"type": "integer"}}},
                "List": {"type": "array", "items": {"type": "object", "properties": {"Id": {"type": "string"}}}}
            },
            "definitions": {
                "Status": {"type": "object", "properties": {"Code": {"type": "string"}}}
            },
            "required": ["Name"],
            "readOnlyProperties": ["/properties/Arn", "/properties/Status/Code", "/properties/Endpoint/Port", "/properties/List/*/Id"],
            "createOnlyProperties": ["/properties/Name", "/properties/Endpoint/Address"],
            "writeOnlyProperties": ["/properties/Size"],
            "primaryIdentifier": ["/properties/Name"]
        }));
        let names: Vec<&str> = m.root.fields.iter().map(|f| f.cfn.as_str()).collect();
        // Arn is read-only, Status is read-only in every part.
        assert_eq!(names, ["Endpoint", "List", "Name", "Size"]);
        assert!(field(&m.root, "Name").required && field(&m.root, "Name").create_only);
        assert!(!field(&m.root, "Size").required && field(&m.root, "Size").write_only);
        let (_, endpoint) = struct_named(&m, "Endpoint");
        assert!(field(endpoint, "Address").create_only);
        assert_eq!(m.create_only, ["Endpoint/Address", "Name"]);
        assert_eq!(m.primary_identifier, ["Name"]);
        let attrs: Vec<(&str, &str, Ty)> = m
            .attributes
            .iter()
            .map(|a| (a.name.as_str(), a.method.as_str(), a.ty.clone()))
            .collect();
        assert_eq!(
            attrs,
            [
                ("Arn", "arn", Ty::Str),
                ("Endpoint.Port", "endpoint_port", Ty::Int),
                ("Status.Code", "status_code", Ty::Str)
            ]
        );
    }

    #[test]
    fn nested_create_only_paths_mark_fields_of_unshared_structs() {
        let m = model(json!({
            "properties": {
                "Network": {"$ref": "#/definitions/Network"},
                "Primary": {"$ref": "#/definitions/Shared"},
                "Secondary": {"type": "array", "items": {"$ref": "#/definitions/Shared"}}
            },
            "definitions": {
                "Network": {"type": "object", "properties": {"IpFamily": {"type": "string"}, "Other": {"type": "string"}}},
                "Shared": {"type": "object", "properties": {"Id": {"type": "string"}}}
            },
            "createOnlyProperties": ["/properties/Network/IpFamily", "/properties/Primary/Id"],
            "writeOnlyProperties": ["/properties/Secondary/*/Id"]
        }));
        let (_, network) = struct_named(&m, "Network");
        assert!(field(network, "IpFamily").create_only);
        assert!(!field(network, "Other").create_only);
        let (_, shared) = struct_named(&m, "Shared");
        assert!(!field(shared, "Id").create_only);
        assert!(!field(shared, "Id").write_only);
    }

    #[test]
    fn names_avoid_keywords_trait_methods_and_each_other() {
        let m = model(json!({
            "properties": {
                "Type": {"type": "string"},
                "Condition": {"type": "string"},
                "VPCId": {"type": "string"},
                "VpcId": {"type": "string"},
                "Opt": {"$ref": "#/definitions/Option"}
            },
            "definitions": {
                "Option": {"type": "object", "properties": {"Condition": {"type": "string"}, "New": {"type": "string"}}}
            },
            "readOnlyProperties": ["/properties/CertificateAuthority/Data", "/properties/CertificateAuthorityData", "/properties/ResourceId"]
        }));
        let idents: Vec<(&str, &str)> = m
            .root
            .fields
            .iter()
            .map(|f| (f.cfn.as_str(), f.ident.as_str()))
            .collect();
        assert_eq!(
            idents,
            [
                ("Condition", "condition_property"),
                ("Opt", "opt"),
                ("Type", "type_"),
                ("VPCId", "vpc_id"),
                ("VpcId", "vpc_id_2")
            ]
        );
        let (_, option) = struct_named(&m, "OptionProperty");
        assert_eq!(field(option, "Condition").ident, "condition");
        assert_eq!(field(option, "New").ident, "new_property");
        let methods: Vec<&str> = m.attributes.iter().map(|a| a.method.as_str()).collect();
        assert_eq!(
            methods,
            [
                "certificate_authority_data",
                "certificate_authority_data_2",
                "resource_id_attr"
            ]
        );
    }

    #[test]
    fn unions_of_objects_become_one_struct() {
        let m = model(json!({
            "properties": {
                "Target": {"$ref": "#/definitions/Target"},
                "Choice": {"oneOf": [{"type": "string"}, {"type": "object", "properties": {"A": {"type": "string"}}}]},
                "Ref": {"oneOf": [{"$ref": "#/definitions/ByName"}, {"$ref": "#/definitions/ById"}]},
                "Checked": {"type": "object", "properties": {"A": {"type": "string"}, "B": {"type": "string"}}, "required": ["A"], "anyOf": [{"required": ["B"]}, {"required": ["C"]}]}
            },
            "definitions": {
                "Target": {
                    "oneOf": [
                        {"type": "object", "properties": {"Arn": {"type": "string", "maxLength": 10}}, "required": ["Arn"]},
                        {"type": "object", "properties": {"Name": {"type": "string"}, "Account": {"type": "string"}}, "required": ["Name", "Account"]}
                    ]
                },
                "ByName": {"type": "object", "properties": {"Name": {"type": "string"}}, "required": ["Name"]},
                "ById": {"type": "object", "properties": {"Id": {"type": "string"}}, "required": ["Id"]}
            }
        }));
        let (target_id, target) = struct_named(&m, "Target");
        let names: Vec<&str> = target.fields.iter().map(|f| f.cfn.as_str()).collect();
        assert_eq!(names, ["Account", "Arn", "Name"]);
        assert!(target.fields.iter().all(|f| !f.required));
        assert_eq!(
            target.one_of_required,
            [
                vec!["Arn".to_owned()],
                vec!["Name".to_owned(), "Account".to_owned()]
            ]
        );
        assert!(m.constrained[target_id]);
        assert_eq!(field(&m.root, "Choice").ty, Ty::Json);
        let (_, reference) = struct_named(&m, "Ref");
        assert_eq!(
            reference.one_of_required,
            [vec!["Name".to_owned()], vec!["Id".to_owned()]]
        );
        let (_, checked) = struct_named(&m, "Checked");
        assert!(field(checked, "A").required);
        assert_eq!(
            checked.one_of_required,
            [vec!["B".to_owned()], vec!["C".to_owned()]]
        );
    }

    #[test]
    fn shapes_keep_only_constraints() {
        let m = model(json!({
            "properties": {
                "Name": {"type": "string", "pattern": "^[a-z]+$", "minLength": 1, "maxLength": 64},
                "Mode": {"type": "string", "enum": ["A", "B"]},
                "Count": {"type": "integer", "minimum": 1, "maximum": 10},
                "Plain": {"type": "string"},
                "Loose": {"$ref": "#/definitions/Loose"},
                "Tight": {"type": "array", "maxItems": 2, "items": {"$ref": "#/definitions/Tight"}},
                "Tree": {"$ref": "#/definitions/Tree"}
            },
            "definitions": {
                "Loose": {"type": "object", "properties": {"X": {"type": "string"}}},
                "Tight": {"type": "object", "properties": {"Y": {"type": "string", "maxLength": 3}}},
                "Tree": {"type": "object", "properties": {"Children": {"type": "array", "items": {"$ref": "#/definitions/Tree"}}, "Label": {"type": "string"}}}
            },
            "requiredXor": ["Name", "Mode"],
            "dependentExcluded": {"Count": ["Plain"]}
        }));
        assert_eq!(
            field(&m.root, "Name").shape,
            Some(ShapeExpr::Str {
                pattern: Some("^[a-z]+$".to_owned()),
                min_len: Some(1),
                max_len: Some(64),
                allowed: vec![]
            })
        );
        assert_eq!(field(&m.root, "Mode").allowed(), ["A", "B"]);
        assert_eq!(
            field(&m.root, "Count").shape,
            Some(ShapeExpr::Num {
                min: Some(1.0),
                max: Some(10.0),
                allowed: vec![]
            })
        );
        assert_eq!(field(&m.root, "Plain").shape, None);
        let (loose, _) = struct_named(&m, "Loose");
        let (tight, _) = struct_named(&m, "Tight");
        let (tree, _) = struct_named(&m, "Tree");
        assert!(!m.constrained[loose]);
        assert!(m.constrained[tight]);
        // A recursive definition without constraints terminates and is left out.
        assert!(!m.constrained[tree]);
        assert!(!field(&m.root, "Loose")
            .shape
            .as_ref()
            .unwrap()
            .is_nontrivial(&m.constrained));
        assert!(field(&m.root, "Tight")
            .shape
            .as_ref()
            .unwrap()
            .is_nontrivial(&m.constrained));
        assert_eq!(
            m.root.required_xor,
            [vec!["Name".to_owned(), "Mode".to_owned()]]
        );
        assert_eq!(
            m.root.dependent_excluded,
            [("Count".to_owned(), vec!["Plain".to_owned()])]
        );
        assert!(m.root_constrained);
    }

    fn tag_kind_of(tags: Value, tagging: Option<Value>) -> Option<(String, TagKind)> {
        let mut schema = json!({"properties": {"Tags": tags}, "definitions": {
            "Tag": {"type": "object", "properties": {"Key": {"type": "string"}, "Value": {"type": "string"}}, "required": ["Key", "Value"]}
        }});
        if let Some(t) = tagging {
            schema["tagging"] = t;
        }
        model(schema).tagging
    }

    #[test]
    fn detects_how_types_take_tags() {
        let list = json!({"type": "array", "items": {"$ref": "#/definitions/Tag"}});
        assert_eq!(
            tag_kind_of(list.clone(), None),
            Some(("Tags".to_owned(), TagKind::List))
        );
        assert_eq!(
            tag_kind_of(list.clone(), Some(json!({"taggable": true}))),
            Some(("Tags".to_owned(), TagKind::List))
        );
        assert_eq!(
            tag_kind_of(list.clone(), Some(json!({"taggable": false}))),
            None
        );
        assert_eq!(
            tag_kind_of(
                list,
                Some(json!({"taggable": true, "tagProperty": "/properties/Other"}))
            ),
            None
        );
        let asg = json!({"type": "array", "items": {"type": "object",
            "properties": {"Key": {"type": "string"}, "Value": {"type": "string"}, "PropagateAtLaunch": {"type": "boolean"}},
            "required": ["Key", "Value", "PropagateAtLaunch"]}});
        assert_eq!(
            tag_kind_of(asg, None).map(|t| t.1),
            Some(TagKind::ListPropagateAtLaunch)
        );
        let map = json!({"type": "object", "patternProperties": {"^.+$": {"type": "string"}}});
        assert_eq!(tag_kind_of(map, None).map(|t| t.1), Some(TagKind::Map));
        assert_eq!(
            tag_kind_of(json!({"type": ["object", "string"]}), None).map(|t| t.1),
            Some(TagKind::Map)
        );
        let wrapped = json!({"type": "object", "properties": {"Items": {"type": "array", "items": {"$ref": "#/definitions/Tag"}}}});
        assert_eq!(tag_kind_of(wrapped, None), None);
        let not_tags = json!({"type": "array", "items": {"type": "string"}});
        assert_eq!(tag_kind_of(not_tags, None), None);
        let nested = json!({"type": "array", "items": {"$ref": "#/definitions/Tag"}});
        assert_eq!(
            tag_kind_of(
                nested,
                Some(json!({"tagProperty": "/properties/Specs/*/Tags"}))
            ),
            None
        );
    }
}
