//! Template values as Rust expressions against synth's API: literals as
//! literals, intrinsics as `fns::*` calls, references to parameters,
//! conditions, mappings and resources through their variables (typed
//! handle methods for `Fn::GetAtt`). What the API has no function for is
//! written as a raw `Value` of the same JSON, and noted.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use super::index::TypeInfo;

/// The `T` of a `Val<T>` an expression has or a setter wants; `Value` is
/// the untyped `synth::Value`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ty {
    Str,
    Int,
    Float,
    Bool,
    Json,
    ListStr,
    Value,
    /// Any other type, as a path valid in the generated module.
    Other(String),
}

impl Ty {
    /// The type of a generated setter (`String`, `Vec<topic::Tag>`), with
    /// paths made valid in the generated module (`sns::topic::Tag`).
    pub fn from_generated(ty: &str, module: &str) -> Ty {
        match ty {
            "String" => Ty::Str,
            "i64" => Ty::Int,
            "f64" => Ty::Float,
            "bool" => Ty::Bool,
            "Json" => Ty::Json,
            "Vec<String>" => Ty::ListStr,
            _ => Ty::Other(qualify(ty, module)),
        }
    }

    fn rust(&self) -> &str {
        match self {
            Ty::Str => "String",
            Ty::Int => "i64",
            Ty::Float => "f64",
            Ty::Bool => "bool",
            Ty::Json | Ty::Value => "Json",
            Ty::ListStr => "Vec<String>",
            Ty::Other(p) => p,
        }
    }
}

/// Prefixes the generated module's own paths (`topic::Tag`) with the
/// module, and `Map` with `synth::`.
fn qualify(ty: &str, module: &str) -> String {
    let mut out = String::new();
    let mut token = String::new();
    let flush = |token: &mut String, out: &mut String| {
        if token.is_empty() {
            return;
        }
        let known = ["String", "Vec", "Json", "i64", "f64", "bool"];
        if token == "Map" {
            out.push_str("synth::Map");
        } else if token.contains("::") || !known.contains(&token.as_str()) {
            out.push_str(module);
            out.push_str("::");
            out.push_str(token);
        } else {
            out.push_str(token);
        }
        token.clear();
    };
    for c in ty.chars() {
        if c.is_ascii_alphanumeric() || c == '_' || c == ':' {
            token.push(c);
        } else {
            flush(&mut token, &mut out);
            out.push(c);
        }
    }
    flush(&mut token, &mut out);
    out
}

/// An emitted expression and what it is.
#[derive(Clone, Debug)]
pub enum Have {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Null,
    /// Code of type exactly `Val<T>`.
    Val(Ty, String),
    /// An array or vector literal that converts into `Val<Vec<String>>`.
    ListInto(String),
    /// Code of type exactly `Value`.
    Value(String),
}

/// A declared resource: its variable and, when typed, its generated type.
#[derive(Clone, Debug)]
pub struct ResourceVar<'a> {
    pub var: String,
    pub info: Option<&'a TypeInfo>,
}

/// What expressions can refer to, and what the emission noticed.
#[derive(Default)]
pub struct Env<'a> {
    pub params: BTreeMap<String, (String, Ty)>,
    pub conditions: BTreeMap<String, String>,
    pub mappings: BTreeMap<String, String>,
    pub resources: BTreeMap<String, ResourceVar<'a>>,
    /// Variables referred to (declarations of unused ones bind nothing).
    pub used: BTreeSet<String>,
    /// Values written raw, for the current element.
    pub notes: Vec<String>,
    /// Inside a condition expression, `{"Condition": name}` is a reference.
    pub in_condition: bool,
}

pub fn str_lit(s: &str) -> String {
    format!("{s:?}")
}

fn int_lit(n: i64) -> String {
    if i32::try_from(n).is_ok() {
        n.to_string()
    } else {
        format!("{n}_i64")
    }
}

fn float_lit(x: f64) -> String {
    let s = format!("{x:?}");
    if s.contains(['.', 'e', 'E']) || !x.is_finite() {
        s
    } else {
        format!("{s}.0")
    }
}

impl<'a> Env<'a> {
    /// Code that converts `Into<Val<want>>` (`Into<Value>` for `Ty::Value`).
    pub fn to(&mut self, v: &Json, want: &Ty) -> String {
        let have = self.any(v, want);
        into_code(have, want)
    }

    /// Code of type exactly `Val<want>` (`Value` for `Ty::Value`).
    pub fn exact(&mut self, v: &Json, want: &Ty) -> String {
        let have = self.any(v, want);
        exact_code(have, want)
    }

    /// Code of type exactly `Value`.
    pub fn value(&mut self, v: &Json) -> String {
        self.exact(v, &Ty::Value)
    }

    /// Any value; `hint` picks the form of lists and generic functions.
    pub fn any(&mut self, v: &Json, hint: &Ty) -> Have {
        match v {
            Json::Null => Have::Null,
            Json::Bool(b) => Have::Bool(*b),
            Json::Number(n) => match n.as_i64() {
                Some(i) => Have::Int(i),
                None => Have::Float(n.as_f64().unwrap_or(0.0)),
            },
            Json::String(s) => Have::Str(s.clone()),
            Json::Array(items) if *hint == Ty::ListStr => Have::ListInto(self.list_str(items)),
            Json::Array(items) => {
                if items.is_empty() {
                    return Have::Value("Value::List(Vec::new())".into());
                }
                let parts: Vec<String> = items.iter().map(|i| self.value(i)).collect();
                Have::Value(format!("Value::list([{}])", parts.join(", ")))
            }
            Json::Object(map) => {
                if map.len() == 1 {
                    let (k, arg) = map.iter().next().expect("one entry");
                    if let Some(have) = self.intrinsic(k, arg, hint) {
                        return have;
                    }
                    if k == "Ref"
                        || k.starts_with("Fn::")
                        || (k == "Condition" && self.in_condition)
                    {
                        self.notes.push(format!(
                            "{k} written as a raw value: {}",
                            "synth's functions have no equivalent for this form"
                        ));
                    }
                }
                let mut code = String::from("Value::map()");
                for (k, item) in map {
                    let have = self.any(item, &Ty::Value);
                    code.push_str(&format!(
                        ".with({}, {})",
                        str_lit(k),
                        into_code(have, &Ty::Value)
                    ));
                }
                Have::Value(code)
            }
        }
    }

    /// A list of strings as `Into<Val<Vec<String>>>` code.
    fn list_str(&mut self, items: &[Json]) -> String {
        if items.is_empty() {
            return "Vec::<&str>::new()".into();
        }
        if items.iter().all(Json::is_string) {
            let parts: Vec<String> = items.iter().map(|i| self.to(i, &Ty::Str)).collect();
            return format!("[{}]", parts.join(", "));
        }
        let parts: Vec<String> = items.iter().map(|i| self.exact(i, &Ty::Str)).collect();
        format!("vec![{}]", parts.join(", "))
    }

    fn use_var(&mut self, var: &str) -> String {
        self.used.insert(var.to_owned());
        var.to_owned()
    }

    /// A one-key object as an intrinsic, or `None` when it is not one
    /// synth can express (then it stays a plain object).
    fn intrinsic(&mut self, key: &str, arg: &Json, hint: &Ty) -> Option<Have> {
        let args = arg.as_array().map(Vec::as_slice).unwrap_or(&[]);
        let generic = match hint {
            Ty::Value => Ty::Json,
            t => t.clone(),
        };
        Some(match key {
            "Ref" => self.reference(arg.as_str()?, &generic)?,
            "Fn::GetAtt" => {
                let (res, attr) = match arg {
                    Json::String(s) => s.split_once('.')?,
                    _ => match args {
                        [Json::String(r), Json::String(a)] => (r.as_str(), a.as_str()),
                        _ => return None,
                    },
                };
                let rv = self.resources.get(res)?.clone();
                let var = self.use_var(&rv.var);
                match rv.info.and_then(|i| i.attributes.get(attr).map(|p| (i, p))) {
                    Some((info, p)) => Have::Val(
                        Ty::from_generated(&p.ty, &info.module),
                        format!("{var}.{}()", p.rust),
                    ),
                    None if rv.info.is_some() => {
                        let type_name = rv.info.map(|i| i.struct_name.as_str()).unwrap_or("");
                        self.notes.push(format!(
                            "Fn::GetAtt {res}.{attr}: Handle<{type_name}> has no method for attribute {attr}, so it is read with .erase().attribute(..)"
                        ));
                        Have::Val(
                            Ty::Json,
                            format!("{var}.erase().attribute({})", str_lit(attr)),
                        )
                    }
                    None => Have::Val(Ty::Json, format!("{var}.attribute({})", str_lit(attr))),
                }
            }
            "Fn::Sub" => {
                let (template, vars) = match arg {
                    Json::String(s) => (s.as_str(), None),
                    _ => match args {
                        [Json::String(s)] => (s.as_str(), None),
                        [Json::String(s), Json::Object(m)] => (s.as_str(), Some(m)),
                        _ => return None,
                    },
                };
                if !self.sub_resolves(template, vars) {
                    return None;
                }
                match vars.filter(|m| !m.is_empty()) {
                    None => Have::Val(Ty::Str, format!("fns::sub({})", str_lit(template))),
                    Some(m) => {
                        let pairs: Vec<String> = m
                            .iter()
                            .map(|(k, v)| format!("({}, {})", str_lit(k), self.exact(v, &Ty::Str)))
                            .collect();
                        Have::Val(
                            Ty::Str,
                            format!(
                                "fns::sub_with({}, [{}])",
                                str_lit(template),
                                pairs.join(", ")
                            ),
                        )
                    }
                }
            }
            "Fn::Join" => match args {
                [Json::String(d), list] => {
                    let list = self.to(list, &Ty::ListStr);
                    Have::Val(Ty::Str, format!("fns::join({}, {list})", str_lit(d)))
                }
                _ => return None,
            },
            "Fn::Select" => match args {
                [i, list] => {
                    let i = self.to(i, &Ty::Int);
                    // A typed list fixes the item type; a literal one does not.
                    let list = self.any(list, &Ty::ListStr);
                    let typed = matches!(list, Have::Val(Ty::ListStr, _));
                    let list = into_code(list, &Ty::ListStr);
                    let f = if typed {
                        "fns::select"
                    } else {
                        "fns::select::<String>"
                    };
                    Have::Val(Ty::Str, format!("{f}({i}, {list})"))
                }
                _ => return None,
            },
            "Fn::Split" => match args {
                [Json::String(d), s] => {
                    let s = self.to(s, &Ty::Str);
                    Have::Val(Ty::ListStr, format!("fns::split({}, {s})", str_lit(d)))
                }
                _ => return None,
            },
            "Fn::GetAZs" => match arg {
                Json::String(s) if s.is_empty() => Have::Val(Ty::ListStr, "fns::get_azs()".into()),
                Json::Array(_) | Json::Null | Json::Bool(_) | Json::Number(_) => return None,
                _ => {
                    let r = self.to(arg, &Ty::Str);
                    Have::Val(Ty::ListStr, format!("fns::get_azs_in({r})"))
                }
            },
            "Fn::ImportValue" => {
                if arg.is_array() {
                    return None;
                }
                let name = self.to(arg, &Ty::Str);
                Have::Val(
                    generic.clone(),
                    format!("fns::import_value::<{}>({name})", generic.rust()),
                )
            }
            "Fn::If" => match args {
                [Json::String(c), a, b] => {
                    let cond = self.use_var(self.conditions.get(c)?.clone().as_str());
                    let a = self.to(a, &generic);
                    let b = self.to(b, &generic);
                    Have::Val(
                        generic.clone(),
                        format!("fns::if_::<{}>({cond}, {a}, {b})", generic.rust()),
                    )
                }
                _ => return None,
            },
            "Fn::Equals" => match args {
                [a, b] => {
                    let a = self.to(a, &Ty::Value);
                    let b = self.to(b, &Ty::Value);
                    Have::Val(Ty::Bool, format!("fns::equals({a}, {b})"))
                }
                _ => return None,
            },
            "Fn::And" | "Fn::Or" if !args.is_empty() => {
                let parts: Vec<String> = args.iter().map(|a| self.exact(a, &Ty::Bool)).collect();
                let f = if key == "Fn::And" { "and" } else { "or" };
                Have::Val(Ty::Bool, format!("fns::{f}([{}])", parts.join(", ")))
            }
            "Fn::Not" => match args {
                [a] => {
                    let a = self.exact(a, &Ty::Bool);
                    Have::Val(Ty::Bool, format!("fns::not({a})"))
                }
                _ => return None,
            },
            "Condition" if self.in_condition => {
                let var = self.use_var(self.conditions.get(arg.as_str()?)?.clone().as_str());
                Have::Val(Ty::Bool, format!("{var}.value()"))
            }
            "Fn::Base64" => {
                let a = self.to(arg, &Ty::Str);
                Have::Val(Ty::Str, format!("fns::base64({a})"))
            }
            "Fn::Cidr" => match args {
                [ip, count, bits] => {
                    let ip = self.to(ip, &Ty::Str);
                    let count = self.to(count, &Ty::Int);
                    let bits = self.to(bits, &Ty::Int);
                    Have::Val(Ty::ListStr, format!("fns::cidr({ip}, {count}, {bits})"))
                }
                _ => return None,
            },
            "Fn::FindInMap" => match args {
                [Json::String(m), k1, k2] => {
                    let var = self.use_var(self.mappings.get(m)?.clone().as_str());
                    let k1 = self.to(k1, &Ty::Str);
                    let k2 = self.to(k2, &Ty::Str);
                    Have::Val(
                        generic.clone(),
                        format!("{var}.find::<{}>({k1}, {k2})", generic.rust()),
                    )
                }
                _ => return None,
            },
            _ => return None,
        })
    }

    fn reference(&mut self, name: &str, generic: &Ty) -> Option<Have> {
        if let Some((var, ty)) = self.params.get(name).cloned() {
            let var = self.use_var(&var);
            return Some(Have::Val(ty, format!("{var}.value()")));
        }
        if let Some(rv) = self.resources.get(name).cloned() {
            let var = self.use_var(&rv.var);
            return Some(Have::Val(Ty::Str, format!("{var}.reference()")));
        }
        let (f, ty) = match name {
            "AWS::AccountId" => ("account_id", Ty::Str),
            "AWS::NotificationARNs" => ("notification_arns", Ty::ListStr),
            "AWS::Partition" => ("partition", Ty::Str),
            "AWS::Region" => ("region", Ty::Str),
            "AWS::StackId" => ("stack_id", Ty::Str),
            "AWS::StackName" => ("stack_name", Ty::Str),
            "AWS::URLSuffix" => ("url_suffix", Ty::Str),
            "AWS::NoValue" => {
                return Some(Have::Val(
                    generic.clone(),
                    format!("pseudo::no_value::<{}>()", generic.rust()),
                ))
            }
            _ => return None,
        };
        Some(Have::Val(ty, format!("pseudo::{f}()")))
    }

    /// Whether synthesis resolves every `${Name}` of a `Fn::Sub` (as
    /// synth checks it: a variable, a pseudo parameter, a resource or
    /// `Resource.Attribute`, or a parameter).
    fn sub_resolves(&self, template: &str, vars: Option<&serde_json::Map<String, Json>>) -> bool {
        for name in synth::fns::sub_variables(template) {
            let base = name.split('.').next().unwrap_or(name);
            let known = vars.is_some_and(|v| v.contains_key(name))
                || (name.starts_with("AWS::") && self.reference_is_pseudo(name))
                || self.resources.contains_key(base)
                || (!name.contains('.') && self.params.contains_key(name));
            if !known {
                return false;
            }
        }
        true
    }

    fn reference_is_pseudo(&self, name: &str) -> bool {
        matches!(
            name,
            "AWS::AccountId"
                | "AWS::NotificationARNs"
                | "AWS::NoValue"
                | "AWS::Partition"
                | "AWS::Region"
                | "AWS::StackId"
                | "AWS::StackName"
                | "AWS::URLSuffix"
        )
    }
}

/// Code of type exactly `Value`.
fn value_code(have: Have) -> String {
    match have {
        Have::Str(s) => format!("Value::from({})", str_lit(&s)),
        Have::Int(n) => format!("Value::Int({})", int_lit(n)),
        Have::Float(x) => format!("Value::Float({})", float_lit(x)),
        Have::Bool(b) => format!("Value::Bool({b})"),
        Have::Null => "Value::Null".into(),
        Have::Val(_, c) => format!("Value::from({c})"),
        Have::ListInto(c) => format!("Value::from(Val::<Vec<String>>::from({c}))"),
        Have::Value(c) => c,
    }
}

/// Code that converts `Into<Val<want>>` (`Into<Value>` for `Ty::Value`).
pub fn into_code(have: Have, want: &Ty) -> String {
    match (have, want) {
        (Have::Str(s), Ty::Value | Ty::Str | Ty::Json) => str_lit(&s),
        (Have::Int(n), Ty::Value | Ty::Int | Ty::Float) if i32::try_from(n).is_ok() => {
            n.to_string()
        }
        (Have::Int(n), Ty::Int) => int_lit(n),
        (Have::Float(x), Ty::Value | Ty::Float) => float_lit(x),
        (Have::Bool(b), Ty::Value | Ty::Bool | Ty::Json) => b.to_string(),
        (Have::Val(_, c), Ty::Value) => c,
        (Have::ListInto(c), Ty::ListStr) => c,
        (Have::Val(t, c), want) if t == *want => c,
        (Have::Val(Ty::Str, c), Ty::Json) => c,
        (Have::Value(c), Ty::Value | Ty::Json) => c,
        (have @ (Have::Val(..) | Have::Int(_) | Have::Float(_) | Have::Null), Ty::Json) => {
            value_code(have)
        }
        (have, want) => exact_code(have, want),
    }
}

/// Code of type exactly `Val<want>` (`Value` for `Ty::Value`).
pub fn exact_code(have: Have, want: &Ty) -> String {
    match (have, want) {
        (have, Ty::Value) => value_code(have),
        (Have::Val(t, c), want) if t == *want => c,
        (Have::Str(s), Ty::Str) => format!("Val::<String>::from({})", str_lit(&s)),
        (Have::Bool(b), Ty::Bool) => format!("Val::<bool>::from({b})"),
        (Have::Int(n), Ty::Int) => format!("Val::<i64>::from({})", int_lit(n)),
        (Have::ListInto(c), Ty::ListStr) => format!("Val::<Vec<String>>::from({c})"),
        (have, want) => format!("Val::<{}>::from_value({})", want.rust(), value_code(have)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn env() -> Env<'static> {
        let mut env = Env::default();
        env.params.insert("Env".into(), ("env".into(), Ty::Str));
        env.conditions.insert("IsProd".into(), "is_prod".into());
        env.mappings.insert("Amis".into(), "amis".into());
        env.resources.insert(
            "Bucket".into(),
            ResourceVar {
                var: "bucket".into(),
                info: None,
            },
        );
        env
    }

    #[test]
    fn literals_fit_the_wanted_type() {
        let mut e = env();
        assert_eq!(e.to(&json!("a"), &Ty::Str), "\"a\"");
        assert_eq!(e.to(&json!(5), &Ty::Int), "5");
        assert_eq!(e.to(&json!(5_000_000_000_i64), &Ty::Int), "5000000000_i64");
        assert_eq!(
            e.to(&json!("5"), &Ty::Int),
            "Val::<i64>::from_value(Value::from(\"5\"))"
        );
        assert_eq!(e.to(&json!(["a", "b"]), &Ty::ListStr), "[\"a\", \"b\"]");
        assert_eq!(
            e.to(&json!({"K": [1, true]}), &Ty::Json),
            "Value::map().with(\"K\", Value::list([Value::Int(1), Value::Bool(true)]))"
        );
    }

    #[test]
    fn references_use_variables() {
        let mut e = env();
        assert_eq!(e.to(&json!({"Ref": "Env"}), &Ty::Str), "env.value()");
        assert_eq!(
            e.to(&json!({"Ref": "Bucket"}), &Ty::Str),
            "bucket.reference()"
        );
        assert_eq!(
            e.to(&json!({"Fn::GetAtt": ["Bucket", "Arn"]}), &Ty::Str),
            "Val::<String>::from_value(Value::from(bucket.attribute(\"Arn\")))"
        );
        assert_eq!(
            e.to(&json!({"Ref": "AWS::Region"}), &Ty::Str),
            "pseudo::region()"
        );
        assert!(e.used.contains("env") && e.used.contains("bucket"));
        assert!(e.notes.is_empty());
    }

    #[test]
    fn every_intrinsic_has_its_function() {
        let mut e = env();
        let cases = [
            (json!({"Fn::Sub": "${Bucket}-${AWS::Region}"}), "fns::sub(\"${Bucket}-${AWS::Region}\")"),
            (json!({"Fn::Sub": ["${X}", {"X": {"Ref": "Env"}}]}), "fns::sub_with(\"${X}\", [(\"X\", env.value())])"),
            (json!({"Fn::Join": ["-", ["a", {"Ref": "Env"}]]}), "fns::join(\"-\", vec![Val::<String>::from(\"a\"), env.value()])"),
            (json!({"Fn::Select": [0, {"Fn::GetAZs": ""}]}), "fns::select(0, fns::get_azs())"),
            (json!({"Fn::Select": [0, ["a", "b"]]}), "fns::select::<String>(0, [\"a\", \"b\"])"),
            (json!({"Fn::Select": ["1", {"Fn::Split": [",", "a,b"]}]}), "fns::select(Val::<i64>::from_value(Value::from(\"1\")), fns::split(\",\", \"a,b\"))"),
            (json!({"Fn::ImportValue": "x"}), "fns::import_value::<String>(\"x\")"),
            (json!({"Fn::If": ["IsProd", "a", {"Ref": "AWS::NoValue"}]}), "fns::if_::<String>(is_prod, \"a\", pseudo::no_value::<String>())"),
            (json!({"Fn::Base64": "x"}), "fns::base64(\"x\")"),
            (json!({"Fn::FindInMap": ["Amis", {"Ref": "AWS::Region"}, "Id"]}), "amis.find::<String>(pseudo::region(), \"Id\")"),
        ];
        for (v, want) in cases {
            assert_eq!(e.to(&v, &Ty::Str), want, "{v}");
        }
        assert_eq!(
            e.to(&json!({"Fn::GetAZs": {"Ref": "AWS::Region"}}), &Ty::ListStr),
            "fns::get_azs_in(pseudo::region())"
        );
        assert_eq!(
            e.to(&json!({"Fn::Cidr": ["10.0.0.0/16", 4, 8]}), &Ty::ListStr),
            "fns::cidr(\"10.0.0.0/16\", 4, 8)"
        );
        e.in_condition = true;
        assert_eq!(
            e.exact(&json!({"Fn::And": [{"Condition": "IsProd"}, {"Fn::Not": [{"Fn::Equals": [{"Ref": "Env"}, "dev"]}]}]}), &Ty::Bool),
            "fns::and([is_prod.value(), fns::not(fns::equals(env.value(), \"dev\"))])"
        );
        assert_eq!(
            e.exact(
                &json!({"Fn::Or": [{"Condition": "IsProd"}, true]}),
                &Ty::Bool
            ),
            "fns::or([is_prod.value(), Val::<bool>::from(true)])"
        );
        assert!(e.notes.is_empty());
    }

    #[test]
    fn what_synth_cannot_express_stays_raw_and_is_noted() {
        let mut e = env();
        assert_eq!(
            e.to(&json!({"Fn::Transform": {"Name": "X"}}), &Ty::Value),
            "Value::map().with(\"Fn::Transform\", Value::map().with(\"Name\", \"X\"))"
        );
        // A Sub naming something that is not in the template.
        e.to(&json!({"Fn::Sub": "${Missing}"}), &Ty::Str);
        assert_eq!(e.notes.len(), 2);
    }
}
