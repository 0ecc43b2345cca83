//! Writing the models out as Rust source.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::doc::{self, sanitize, summary};
use crate::model::{EnumDef, Field, ResourceModel, ShapeExpr, StructDef, TagKind, Ty};

/// The resource types of one service module.
pub struct Service {
    /// `iam`: module and Cargo feature name.
    pub module: String,
    /// `AWS`.
    pub namespace: String,
    /// `IAM`.
    pub service: String,
    /// Sorted by type name.
    pub resources: Vec<ResourceModel>,
}

/// Lints that make no sense for generated code: setters are named after
/// properties (`to_port`, `is_default`), and types without required
/// properties still get `new()`.
const ALLOWS: &str = "#![allow(\n    clippy::new_without_default,\n    clippy::wrong_self_convention,\n    clippy::should_implement_trait\n)]\n";

/// Enumerated values listed in a setter's docs at most; longer lists are cut.
const MAX_ALLOWED_IN_DOCS: usize = 24;

/// The names a scope uses, to write exactly the `use` lines it needs.
#[derive(Default)]
struct Uses(BTreeMap<&'static str, BTreeSet<&'static str>>);

impl Uses {
    fn add(&mut self, module: &'static str, name: &'static str) {
        self.0.entry(module).or_default().insert(name);
    }

    fn render(&self, indent: &str) -> String {
        let mut out = String::new();
        for (module, names) in &self.0 {
            let names: Vec<&str> = names.iter().copied().collect();
            if names.len() == 1 {
                let _ = writeln!(out, "{indent}use {module}::{};", names[0]);
            } else {
                let _ = writeln!(out, "{indent}use {module}::{{{}}};", names.join(", "));
            }
        }
        out
    }
}

fn lit(s: &str) -> String {
    format!("{s:?}")
}

fn f64_lit(n: f64) -> String {
    let s = format!("{n:?}");
    if s.contains('.') || s.contains('e') || s.contains("inf") || s.contains("NaN") {
        s
    } else {
        format!("{s}.0")
    }
}

fn opt_u64(n: Option<u64>) -> String {
    match n {
        Some(n) => format!("Some({n})"),
        None => "None".to_owned(),
    }
}

fn opt_f64(n: Option<f64>) -> String {
    match n {
        Some(n) => format!("Some({})", f64_lit(n)),
        None => "None".to_owned(),
    }
}

fn str_slice(items: &[String]) -> String {
    format!(
        "&[{}]",
        items.iter().map(|s| lit(s)).collect::<Vec<_>>().join(", ")
    )
}

/// Where generated code refers to a resource's property types from.
#[derive(Clone, Copy)]
enum Site<'a> {
    /// The service module: `role::Policy`.
    Service(&'a str),
    /// The resource's own property module: `Policy`.
    Own,
}

impl Site<'_> {
    fn prefix(self) -> String {
        match self {
            Site::Service(module) => format!("{module}::"),
            Site::Own => String::new(),
        }
    }
}

fn rust_ty(ty: &Ty, model: &ResourceModel, from: Site<'_>, uses: &mut Uses) -> String {
    match ty {
        Ty::Str => "String".to_owned(),
        Ty::Int => "i64".to_owned(),
        Ty::Num => "f64".to_owned(),
        Ty::Bool => "bool".to_owned(),
        Ty::Json => {
            uses.add("crate::value", "Json");
            "Json".to_owned()
        }
        Ty::List(inner) => format!("Vec<{}>", rust_ty(inner, model, from, uses)),
        Ty::Map(inner) => {
            uses.add("crate::value", "Map");
            format!("Map<{}>", rust_ty(inner, model, from, uses))
        }
        Ty::Struct(id) => format!("{}{}", from.prefix(), model.structs[*id].name),
    }
}

fn shape_expr(
    e: &ShapeExpr,
    model: &ResourceModel,
    from: Site<'_>,
    uses: &mut Uses,
) -> Option<String> {
    if !e.is_nontrivial(&model.constrained) {
        return None;
    }
    uses.add("crate::schema", "Shape");
    Some(match e {
        ShapeExpr::Str {
            pattern,
            min_len,
            max_len,
            allowed,
        } => {
            uses.add("crate::schema", "StrRule");
            format!(
                "Shape::Str(StrRule {{ pattern: {}, min_len: {}, max_len: {}, allowed: {} }})",
                pattern
                    .as_deref()
                    .map_or("None".to_owned(), |p| format!("Some({})", lit(p))),
                opt_u64(*min_len),
                opt_u64(*max_len),
                str_slice(allowed)
            )
        }
        ShapeExpr::Num { min, max, allowed } => {
            uses.add("crate::schema", "NumRule");
            format!(
                "Shape::Num(NumRule {{ min: {}, max: {}, allowed: &[{}] }})",
                opt_f64(*min),
                opt_f64(*max),
                allowed
                    .iter()
                    .map(|n| f64_lit(*n))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
        ShapeExpr::List {
            item,
            min_items,
            max_items,
        } => {
            uses.add("crate::schema", "ListRule");
            let item = item
                .as_deref()
                .and_then(|i| shape_expr(i, model, from, uses))
                .map_or("None".to_owned(), |s| format!("Some(&{s})"));
            format!(
                "Shape::List(ListRule {{ item: {item}, min_items: {}, max_items: {} }})",
                opt_u64(*min_items),
                opt_u64(*max_items)
            )
        }
        ShapeExpr::Object(id) => {
            format!(
                "Shape::Object(&{}{})",
                from.prefix(),
                model.structs[*id].shape_const
            )
        }
        ShapeExpr::Map(inner) => {
            let inner = shape_expr(inner, model, from, uses)?;
            format!("Shape::Map(&{inner})")
        }
    })
}

/// `pub(crate) static X_SHAPE: ObjectShape = ...;` for a constrained struct.
fn object_shape(
    def: &StructDef,
    model: &ResourceModel,
    from: Site<'_>,
    indent: &str,
    uses: &mut Uses,
) -> String {
    uses.add("crate::schema", "ObjectShape");
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{indent}pub(crate) static {}: ObjectShape = ObjectShape {{",
        def.shape_const
    );
    let mut complete = true;
    let fields: Vec<(String, String)> = def
        .fields
        .iter()
        .filter_map(|f| {
            let s = shape_expr(f.shape.as_ref()?, model, from, uses)?;
            Some((f.cfn.clone(), s))
        })
        .collect();
    if fields.is_empty() {
        complete = false;
    } else {
        let _ = writeln!(out, "{indent}    fields: &[");
        for (name, s) in fields {
            let _ = writeln!(out, "{indent}        ({}, &{s}),", lit(&name));
        }
        let _ = writeln!(out, "{indent}    ],");
    }
    let groups = |groups: &[Vec<String>]| {
        format!(
            "&[{}]",
            groups
                .iter()
                .map(|g| str_slice(g))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    if def.required_xor.is_empty() {
        complete = false;
    } else {
        let _ = writeln!(
            out,
            "{indent}    required_xor: {},",
            groups(&def.required_xor)
        );
    }
    if def.dependent_excluded.is_empty() {
        complete = false;
    } else {
        let entries: Vec<String> = def
            .dependent_excluded
            .iter()
            .map(|(k, v)| format!("({}, {})", lit(k), str_slice(v)))
            .collect();
        let _ = writeln!(
            out,
            "{indent}    dependent_excluded: &[{}],",
            entries.join(", ")
        );
    }
    if def.one_of_required.is_empty() {
        complete = false;
    } else {
        let _ = writeln!(
            out,
            "{indent}    one_of_required: {},",
            groups(&def.one_of_required)
        );
    }
    if !complete {
        let _ = writeln!(out, "{indent}    ..ObjectShape::EMPTY");
    }
    let _ = writeln!(out, "{indent}}};");
    out
}

fn push_paragraph(lines: &mut Vec<String>, text: String) {
    if !lines.is_empty() {
        lines.push(String::new());
    }
    lines.push(text);
}

/// A value for the docs: in a code span when that is safe.
fn code(value: &str) -> String {
    if !value.is_empty() && !value.contains('`') && !value.chars().any(char::is_control) {
        format!("`{value}`")
    } else {
        let lines = sanitize(value);
        if lines.is_empty() {
            "\"\"".to_owned()
        } else {
            lines.join(" ")
        }
    }
}

/// The path of a type's enum from a site: `addon::ResolveConflicts`.
fn enum_path(model: &ResourceModel, id: usize, from: Site<'_>) -> String {
    format!("{}{}", from.prefix(), model.enums[id].name)
}

/// A setter's (or `Required` field's) docs: the description, the allowed
/// values (with their enum), and whether it replaces or is write-only.
/// `cfn_name` adds a line naming the CloudFormation property.
fn field_doc(f: &Field, model: &ResourceModel, from: Site<'_>, cfn_name: bool) -> Vec<String> {
    let mut lines = f.description.as_deref().map(sanitize).unwrap_or_default();
    if cfn_name {
        push_paragraph(&mut lines, format!("CloudFormation property `{}`.", f.cfn));
    } else if lines.is_empty() {
        lines.push(format!("The `{}` property.", f.cfn));
    }
    let mut allowed = f.allowed();
    let mut of = "";
    if let (true, Some(id)) = (allowed.is_empty(), f.enum_id) {
        // The values of a list's items or a map's entries.
        allowed = model.enums[id]
            .variants
            .iter()
            .map(|(_, v)| v.clone())
            .collect();
        of = match f.ty {
            Ty::Map(_) => " of each entry",
            _ => " of each item",
        };
    }
    if !allowed.is_empty() {
        let shown: Vec<String> = allowed
            .iter()
            .take(MAX_ALLOWED_IN_DOCS)
            .map(|v| code(v))
            .collect();
        let more = if allowed.len() > MAX_ALLOWED_IN_DOCS {
            format!(" and {} more", allowed.len() - MAX_ALLOWED_IN_DOCS)
        } else {
            String::new()
        };
        let enum_note = match f.enum_id {
            Some(id) => format!(" (the enum [`{}`])", enum_path(model, id, from)),
            None => String::new(),
        };
        push_paragraph(
            &mut lines,
            format!("Allowed values{of}{enum_note}: {}{more}.", shown.join(", ")),
        );
    }
    if f.create_only {
        push_paragraph(&mut lines, "Changing it replaces the resource.".to_owned());
    }
    if f.write_only {
        push_paragraph(&mut lines, "Write-only.".to_owned());
    }
    lines
}

/// A placeholder of a type for the example in `new`'s docs.
fn example_value(
    f_enum: Option<&EnumDef>,
    ty: &Ty,
    model: &ResourceModel,
    from: Site<'_>,
) -> String {
    if let (Some(e), Ty::Str) = (f_enum, ty) {
        if let Some((variant, _)) = e.variants.first() {
            return format!("{}{}::{variant}", from.prefix(), e.name);
        }
    }
    match ty {
        Ty::Str => "\"...\"".to_owned(),
        Ty::Int => "1".to_owned(),
        Ty::Num => "1.0".to_owned(),
        Ty::Bool => "true".to_owned(),
        Ty::Json => "serde_json::json!({ ... })".to_owned(),
        Ty::List(inner) => format!("vec![{}]", example_value(f_enum, inner, model, from)),
        Ty::Map(inner) => format!("[(\"key\", {})]", example_value(f_enum, inner, model, from)),
        Ty::Struct(id) => format!("{}{}::new(...)", from.prefix(), model.structs[*id].name),
    }
}

/// The `<Name>Required` struct of a type with two or more required
/// properties: one public field per property.
fn required_struct(
    def: &StructDef,
    model: &ResourceModel,
    from: Site<'_>,
    indent: &str,
    uses: &mut Uses,
) -> String {
    let Some(required_name) = &def.required_name else {
        return String::new();
    };
    let mut out = String::new();
    let lines = vec![format!(
        "The required properties of [`{}`], by name: the argument of [`{}::new`].",
        def.name, def.name
    )];
    out.push_str(&doc::render(&lines, indent));
    let _ = writeln!(out, "{indent}#[derive(Clone, Debug)]");
    let _ = writeln!(out, "{indent}pub struct {required_name} {{");
    for (i, f) in def.required_fields().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let inner = format!("{indent}    ");
        out.push_str(&doc::render(&field_doc(f, model, from, true), &inner));
        uses.add("crate::value", "Val");
        let ty = rust_ty(&f.ty, model, from, uses);
        let _ = writeln!(out, "{inner}pub {}: Val<{ty}>,", f.ident);
    }
    let _ = writeln!(out, "{indent}}}\n");
    out
}

/// `new(required...)`, setters for the rest: shared by resources and
/// property types.
fn constructor_and_setters(
    def: &StructDef,
    model: &ResourceModel,
    from: Site<'_>,
    resource: bool,
    indent: &str,
    uses: &mut Uses,
) -> String {
    let mut out = String::new();
    let required: Vec<&Field> = def.fields.iter().filter(|f| f.required).collect();
    let what = if resource { "resource" } else { "value" };
    let mut ctor_doc = Vec::new();
    uses.add("crate::resource", "Props");
    let fields = if resource {
        uses.add("crate::resource", "ResourceOptions");
        "props, options: ResourceOptions::default()"
    } else {
        "props"
    };
    if let Some(required_name) = &def.required_name {
        ctor_doc.push(format!(
            "Creates the {what} from its required properties, by name in [`{required_name}`]:"
        ));
        ctor_doc.push(String::new());
        ctor_doc.push("```text".to_owned());
        ctor_doc.push(format!("{}::new({required_name} {{", def.name));
        for f in &required {
            let e = f.enum_id.map(|id| &model.enums[id]);
            ctor_doc.push(format!(
                "    {}: {}.into(),",
                f.ident,
                example_value(e, &f.ty, model, from)
            ));
        }
        ctor_doc.push("})".to_owned());
        ctor_doc.push("```".to_owned());
        out.push_str(&doc::render(&ctor_doc, indent));
        let _ = writeln!(
            out,
            "{indent}pub fn new(required: {required_name}) -> Self {{"
        );
        let _ = writeln!(out, "{indent}    let mut props = Props::new();");
        for f in &required {
            let ty = rust_ty(&f.ty, model, from, uses);
            let _ = writeln!(
                out,
                "{indent}    props.set::<{ty}>({}, required.{});",
                lit(&f.cfn),
                f.ident
            );
        }
        let _ = writeln!(out, "{indent}    {} {{ {fields} }}", def.name);
        let _ = writeln!(out, "{indent}}}");
    } else {
        if required.is_empty() {
            ctor_doc.push(format!("Creates the {what}; every property is optional."));
        } else {
            ctor_doc.push(format!("Creates the {what} from its required property:"));
            ctor_doc.push(String::new());
            for f in &required {
                let s = f.description.as_deref().map(summary).unwrap_or_default();
                let mut item = if s.is_empty() {
                    format!("- `{}`: `{}`.", f.ident, f.cfn)
                } else {
                    format!("- `{}`: `{}`, {s}", f.ident, f.cfn)
                };
                if let Some(id) = f.enum_id {
                    let _ = write!(
                        item,
                        " Allowed values: the enum [`{}`].",
                        enum_path(model, id, from)
                    );
                }
                ctor_doc.push(item);
            }
        }
        out.push_str(&doc::render(&ctor_doc, indent));
        let params: Vec<String> = required
            .iter()
            .map(|f| {
                uses.add("crate::value", "Val");
                format!(
                    "{}: impl Into<Val<{}>>",
                    f.ident,
                    rust_ty(&f.ty, model, from, uses)
                )
            })
            .collect();
        let _ = writeln!(out, "{indent}pub fn new({}) -> Self {{", params.join(", "));
        if required.is_empty() {
            let _ = writeln!(out, "{indent}    let props = Props::new();");
        } else {
            let _ = writeln!(out, "{indent}    let mut props = Props::new();");
            for f in &required {
                let _ = writeln!(out, "{indent}    props.set({}, {});", lit(&f.cfn), f.ident);
            }
        }
        let _ = writeln!(out, "{indent}    {} {{ {fields} }}", def.name);
        let _ = writeln!(out, "{indent}}}");
    }
    for f in def.fields.iter().filter(|f| !f.required) {
        out.push('\n');
        out.push_str(&doc::render(&field_doc(f, model, from, false), indent));
        uses.add("crate::value", "Val");
        let ty = rust_ty(&f.ty, model, from, uses);
        let _ = writeln!(
            out,
            "{indent}pub fn {}(mut self, value: impl Into<Val<{ty}>>) -> Self {{",
            f.ident
        );
        let _ = writeln!(out, "{indent}    self.props.set({}, value);", lit(&f.cfn));
        let _ = writeln!(out, "{indent}    self");
        let _ = writeln!(out, "{indent}}}");
    }
    out
}

fn resource_code(model: &ResourceModel, uses: &mut Uses) -> String {
    let mut out = String::new();
    let from = Site::Service(&model.module);
    let name = &model.struct_name;

    // The struct.
    let mut lines = model
        .description
        .as_deref()
        .map(sanitize)
        .unwrap_or_default();
    push_paragraph(
        &mut lines,
        format!("CloudFormation type `{}`.", model.type_name),
    );
    attributes_section(model, &mut lines);
    out.push_str(&doc::render(&lines, ""));
    let _ = writeln!(out, "#[derive(Clone, Debug)]\npub struct {name} {{\n    props: Props,\n    options: ResourceOptions,\n}}\n");
    uses.add("crate::resource", "Props");
    uses.add("crate::resource", "ResourceOptions");
    out.push_str(&required_struct(&model.root, model, from, "", uses));

    let _ = writeln!(out, "impl {name} {{");
    let _ = writeln!(
        out,
        "    pub const TYPE_NAME: &'static str = {};\n",
        lit(&model.type_name)
    );
    out.push_str(&constructor_and_setters(
        &model.root,
        model,
        from,
        true,
        "    ",
        uses,
    ));
    let _ = writeln!(out, "}}\n");

    uses.add("crate::resource", "Resource");
    uses.add("crate::schema", "TypeMeta");
    let meta = format!("{}_META", model.const_prefix);
    let _ = writeln!(
        out,
        "impl Resource for {name} {{\n    fn type_name(&self) -> &str {{\n        Self::TYPE_NAME\n    }}\n    fn meta(&self) -> Option<&'static TypeMeta> {{\n        Some(&{meta})\n    }}\n    fn into_parts(self) -> (Props, ResourceOptions) {{\n        (self.props, self.options)\n    }}\n    fn options_mut(&mut self) -> &mut ResourceOptions {{\n        &mut self.options\n    }}\n}}\n"
    );

    if !model.attributes.is_empty() {
        uses.add("crate::resource", "Handle");
        let _ = writeln!(out, "impl Handle<{name}> {{");
        for (i, attr) in model.attributes.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            let mut lines = attr
                .description
                .as_deref()
                .map(sanitize)
                .unwrap_or_default();
            push_paragraph(
                &mut lines,
                format!("`Fn::GetAtt` attribute `{}`.", attr.name),
            );
            out.push_str(&doc::render(&lines, "    "));
            uses.add("crate::value", "Val");
            let ty = rust_ty(&attr.ty, model, from, uses);
            let _ = writeln!(
                out,
                "    pub fn {}(&self) -> Val<{ty}> {{\n        self.get_att({})\n    }}",
                attr.method,
                lit(&attr.name)
            );
        }
        let _ = writeln!(out, "}}\n");
    }

    // Metadata and the resource's shape.
    uses.add("crate::regions", "RegionSet");
    let shape = if model.root_constrained {
        format!("&{}", model.root.shape_const)
    } else {
        uses.add("crate::schema", "ObjectShape");
        "&ObjectShape::EMPTY".to_owned()
    };
    let attributes: Vec<String> = model.attributes.iter().map(|a| a.name.clone()).collect();
    let tagging = match &model.tagging {
        Some((property, kind)) => {
            uses.add("crate::schema", "Tagging");
            uses.add("crate::schema", "TagShape");
            let kind = match kind {
                TagKind::List => "List",
                TagKind::ListPropagateAtLaunch => "ListPropagateAtLaunch",
                TagKind::Map => "Map",
            };
            format!(
                "Some(Tagging {{ property: {}, shape: TagShape::{kind} }})",
                lit(property)
            )
        }
        None => "None".to_owned(),
    };
    let _ = writeln!(
        out,
        "pub(crate) static {meta}: TypeMeta = TypeMeta {{\n    type_name: {name}::TYPE_NAME,\n    shape: {shape},\n    create_only: {},\n    write_only: {},\n    primary_identifier: {},\n    attributes: {},\n    tagging: {tagging},\n    regions: RegionSet({:#x}),\n}};",
        str_slice(&model.create_only),
        str_slice(&model.write_only),
        str_slice(&model.primary_identifier),
        str_slice(&attributes),
        model.regions
    );
    if model.root_constrained {
        out.push('\n');
        out.push_str(&object_shape(&model.root, model, from, "", uses));
    }

    // The property types and enums.
    if !model.structs.is_empty() || !model.enums.is_empty() {
        let mut sub_uses = Uses::default();
        let mut body = String::new();
        for (i, def) in model.structs.iter().enumerate() {
            if i > 0 {
                body.push('\n');
            }
            let mut lines = def.description.as_deref().map(sanitize).unwrap_or_default();
            if lines.is_empty() {
                lines.push(format!("A property type of `{}`.", model.type_name));
            }
            body.push_str(&doc::render(&lines, "    "));
            let _ = writeln!(body, "    #[derive(Clone, Debug)]\n    pub struct {} {{\n        props: Props,\n    }}\n", def.name);
            body.push_str(&required_struct(
                def,
                model,
                Site::Own,
                "    ",
                &mut sub_uses,
            ));
            let _ = writeln!(body, "    impl {} {{", def.name);
            body.push_str(&constructor_and_setters(
                def,
                model,
                Site::Own,
                false,
                "        ",
                &mut sub_uses,
            ));
            let _ = writeln!(body, "    }}\n");
            sub_uses.add("crate::value", "Val");
            let _ = writeln!(
                body,
                "    impl From<{0}> for Val<{0}> {{\n        fn from(v: {0}) -> Self {{\n            v.props.into_val()\n        }}\n    }}",
                def.name
            );
        }
        for (i, def) in model.structs.iter().enumerate() {
            if model.constrained[i] {
                body.push('\n');
                body.push_str(&object_shape(def, model, Site::Own, "    ", &mut sub_uses));
            }
        }
        for e in &model.enums {
            if !body.is_empty() {
                body.push('\n');
            }
            sub_uses.add("crate::value", "string_enum");
            body.push_str(&enum_code(e, model, "    "));
        }
        let what = match (model.structs.is_empty(), model.enums.is_empty()) {
            (false, true) => "Property types",
            (true, false) => "Enums of the allowed values",
            _ => "Property types and enums of the allowed values",
        };
        let _ = writeln!(
            out,
            "\n/// {what} of [`{name}`].\npub mod {} {{\n{}\n{body}}}",
            model.module,
            sub_uses.render("    ")
        );
    }
    out
}

/// `string_enum! { ... }`: an enum of allowed values (see
/// `synth::value::string_enum`).
fn enum_code(e: &EnumDef, model: &ResourceModel, indent: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{indent}string_enum! {{");
    let lines = vec![format!(
        "Allowed values of `{}` in `{}`; `.into()` makes a `Val<String>`.",
        e.property, model.type_name
    )];
    out.push_str(&doc::render(&lines, &format!("{indent}    ")));
    let _ = writeln!(out, "{indent}    {} {{", e.name);
    for (variant, value) in &e.variants {
        let _ = writeln!(out, "{indent}        {variant} = {},", lit(value));
    }
    let _ = writeln!(out, "{indent}    }}");
    let _ = writeln!(out, "{indent}}}");
    out
}

/// The "Attributes" section of a resource's docs: each `Fn::GetAtt`
/// attribute with its `Handle` method, and what `Ref` gives.
fn attributes_section(model: &ResourceModel, lines: &mut Vec<String>) {
    push_paragraph(lines, "# Attributes".to_owned());
    let from = Site::Service(&model.module);
    if model.attributes.is_empty() {
        push_paragraph(
            lines,
            format!("`{}` has no `Fn::GetAtt` attributes.", model.type_name),
        );
    } else {
        push_paragraph(
            lines,
            "Methods of the [`Handle`] that adding the resource \
             returns, one per `Fn::GetAtt` attribute:"
                .to_owned(),
        );
        lines.push(String::new());
        for attr in &model.attributes {
            // Only for the text: the attribute methods add their own `use`s.
            let mut scratch = Uses::default();
            let ty = rust_ty(&attr.ty, model, from, &mut scratch);
            let s = attr.description.as_deref().map(summary).unwrap_or_default();
            let s = if s.is_empty() {
                String::new()
            } else {
                format!(" {s}")
            };
            lines.push(format!(
                "- `{}`: `handle.{}()` → `Val<{ty}>`.{s}",
                attr.name, attr.method
            ));
        }
    }
    let reference = match model.primary_identifier.as_slice() {
        [one] => format!(
            "`handle.reference()` gives `Ref`, which returns the primary identifier, `{one}`."
        ),
        _ => "`handle.reference()` gives `Ref`.".to_owned(),
    };
    push_paragraph(lines, reference);
}

pub fn service_file(header: &str, svc: &Service) -> String {
    let mut uses = Uses::default();
    let mut body = String::new();
    for model in &svc.resources {
        body.push('\n');
        body.push_str(&resource_code(model, &mut uses));
    }
    uses.add("crate::schema", "TypeMeta");
    let metas: Vec<(String, String)> = svc
        .resources
        .iter()
        .map(|m| (m.type_name.clone(), format!("{}_META", m.const_prefix)))
        .collect();
    let _ = writeln!(
        body,
        "\n/// Every resource type of the service, sorted by name."
    );
    let _ = writeln!(body, "pub(crate) static TYPES: &[&TypeMeta] = &[");
    for (_, meta) in &metas {
        let _ = writeln!(body, "    &{meta},");
    }
    let _ = writeln!(body, "];\n");
    let _ = writeln!(body, "/// The schema facts of a type of this service.");
    let _ = writeln!(
        body,
        "pub(crate) fn lookup(type_name: &str) -> Option<&'static TypeMeta> {{"
    );
    let _ = writeln!(body, "    match type_name {{");
    for (type_name, meta) in &metas {
        let _ = writeln!(body, "        {} => Some(&{meta}),", lit(type_name));
    }
    let _ = writeln!(body, "        _ => None,\n    }}\n}}");

    let mut out = String::new();
    out.push_str(header);
    let _ = writeln!(
        out,
        "//! The `{}::{}::*` resource types (Cargo feature `{}`).\n",
        svc.namespace, svc.service, svc.module
    );
    out.push_str(ALLOWS);
    out.push('\n');
    out.push_str(&uses.render(""));
    out.push_str(&body);
    out
}

/// `replacement.rs`: every type's create-only and conditionally
/// create-only properties, and the paths of its values that are not
/// strings, in small tables that are always compiled, for tools (diff)
/// that must judge any type without compiling every service.
pub fn replacement_file(header: &str, services: &[Service]) -> String {
    let mut rows: Vec<&crate::model::ResourceModel> = services
        .iter()
        .flat_map(|svc| svc.resources.iter())
        .collect();
    rows.sort_by(|a, b| a.type_name.cmp(&b.type_name));
    let mut out = String::new();
    out.push_str(header);
    out.push_str(
        "//! The create-only properties of every resource type (changing one\n\
         //! replaces the resource), the conditionally create-only ones (changing\n\
         //! one may replace it), and which property values are numbers, booleans\n\
         //! or free-form JSON. Always compiled, whatever the features.\n\n\
         use crate::schema::ValueKind;\n\n\
         /// `(type name, create-only paths, conditionally create-only paths)`.\n\
         type Row = (\n    &'static str,\n    &'static [&'static str],\n    &'static [&'static str],\n);\n\n\
         /// Every type's row, sorted by type name.\n\
         #[rustfmt::skip]\n\
         static CREATE_ONLY: &[Row] = &[\n",
    );
    for r in &rows {
        let list = |paths: &[String]| -> String {
            paths.iter().map(|p| lit(p)).collect::<Vec<_>>().join(", ")
        };
        let _ = writeln!(
            out,
            "    ({}, &[{}], &[{}]),",
            lit(&r.type_name),
            list(&r.create_only),
            list(&r.conditional_create_only)
        );
    }
    out.push_str(
        "];\n\n\
         /// `(type name, (property path, kind) sorted by path)`, sorted by type\n\
         /// name; `*` stands for any list item or map value.\n\
         #[rustfmt::skip]\n\
         static VALUE_KINDS: &[(&str, &[(&str, ValueKind)])] = &[\n",
    );
    for r in &rows {
        let kinds: Vec<String> = crate::model::value_kinds(r)
            .iter()
            .map(|(p, k)| format!("({}, ValueKind::{k:?})", lit(p)))
            .collect();
        if !kinds.is_empty() {
            let _ = writeln!(out, "    ({}, &[{}]),", lit(&r.type_name), kinds.join(", "));
        }
    }
    out.push_str(
        "];\n\n\
         fn row(type_name: &str) -> Option<&'static Row> {\n    \
         CREATE_ONLY\n        \
         .binary_search_by(|(name, _, _)| (*name).cmp(type_name))\n        \
         .ok()\n        \
         .map(|i| &CREATE_ONLY[i])\n}\n\n\
         /// The property paths of `type_name` whose change replaces the\n\
         /// resource (`Name`, `KubernetesNetworkConfig/IpFamily`); empty for\n\
         /// unknown types.\n\
         pub fn create_only(type_name: &str) -> &'static [&'static str] {\n    \
         row(type_name).map_or(&[], |r| r.1)\n}\n\n\
         /// The property paths of `type_name` whose change replaces the\n\
         /// resource in some cases only; empty for unknown types.\n\
         pub fn conditional_create_only(type_name: &str) -> &'static [&'static str] {\n    \
         row(type_name).map_or(&[], |r| r.2)\n}\n\n\
         /// Whether the schemas know `type_name`.\n\
         pub fn is_known(type_name: &str) -> bool {\n    \
         row(type_name).is_some()\n}\n\n\
         /// The property paths of `type_name` holding numbers, booleans or\n\
         /// free-form JSON (`*` is any list item or map value), sorted by path;\n\
         /// every other property of a known type holds strings.\n\
         pub fn value_kinds(type_name: &str) -> &'static [(&'static str, ValueKind)] {\n    \
         VALUE_KINDS\n        \
         .binary_search_by(|(name, _)| (*name).cmp(type_name))\n        \
         .map_or(&[], |i| VALUE_KINDS[i].1)\n}\n",
    );
    out
}

pub fn mod_file(header: &str, services: &[Service], covered_regions: u64) -> String {
    let mut out = String::new();
    out.push_str(header);
    out.push_str(
        "//! The resource types of the CloudFormation registry: one module per\n\
         //! service, each behind the Cargo feature of the same name\n\
         //! (`all-services` enables every one).\n\n\
         use crate::schema::TypeMeta;\n\n\
         pub mod read_access;\n\
         pub mod replacement;\n\n",
    );
    for svc in services {
        let _ = writeln!(
            out,
            "#[cfg(feature = \"{0}\")]\n#[rustfmt::skip]\npub mod {0};",
            svc.module
        );
    }
    out.push_str(
        "\n/// Schema facts of a resource type, when its service is compiled in.\n\
         pub fn lookup(type_name: &str) -> Option<&'static TypeMeta> {\n    \
         let mut parts = type_name.split(\"::\");\n    \
         let service = (parts.next()?, parts.next()?);\n    \
         match service {\n",
    );
    for svc in services {
        let _ = writeln!(out, "        #[cfg(feature = \"{}\")]", svc.module);
        let pattern = format!("({}, {})", lit(&svc.namespace), lit(&svc.service));
        let call = format!("{}::lookup(type_name)", svc.module);
        // As rustfmt lays it out: this file is formatted, the service
        // modules are not.
        let arm = format!("        {pattern} => {call},");
        if arm.len() <= 100 {
            let _ = writeln!(out, "{arm}");
        } else {
            let _ = writeln!(
                out,
                "        {pattern} => {{\n            {call}\n        }}"
            );
        }
    }
    out.push_str("        _ => None,\n    }\n}\n\n");
    out.push_str(
        "/// The type lists of the compiled-in services.\nstatic SERVICES: &[&[&TypeMeta]] = &[\n",
    );
    for svc in services {
        let _ = writeln!(
            out,
            "    #[cfg(feature = \"{0}\")]\n    {0}::TYPES,",
            svc.module
        );
    }
    out.push_str(
        "];\n\n\
         /// Every resource type of the compiled-in services, by service module\n\
         /// and then by name.\n\
         pub fn all_types() -> impl Iterator<Item = &'static TypeMeta> {\n    \
         SERVICES.iter().flat_map(|types| types.iter().copied())\n}\n",
    );
    let _ = writeln!(
        out,
        "\n/// The regions the schema data covers (those with a provider file in\n\
         /// cfn-lint): a type's availability is only checked there.\n\
         pub fn covered_regions() -> crate::regions::RegionSet {{\n    \
         crate::regions::RegionSet({covered_regions:#x})\n}}"
    );
    out
}
