//! The Parameters section: each parameter's declaration, with the checks
//! CloudFormation would otherwise fail at deploy time (a default that is
//! not literal, breaks the parameter's own constraints or is written in
//! plain text for a NoEcho parameter; an invalid AllowedPattern; length or
//! value bounds on the wrong type).

use super::resolve::Resolver;
use crate::stack::ParameterSpec;
use crate::template_tree::{Out, OutMap};
use crate::value::Value;

/// A literal scalar as text, the form parameter values take; none for
/// anything else.
pub(super) fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Int(n) => Some(n.to_string()),
        Value::Float(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A literal number as `f64`.
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Int(n) => Some(*n as f64),
        Value::Float(n) => Some(*n),
        _ => None,
    }
}

/// Checks a literal default against the parameter's own constraints, so a
/// template that CloudFormation would reject fails here first.
fn parameter_default_problem(spec: &ParameterSpec, text: &str) -> Option<String> {
    if !spec.allowed_values.is_empty()
        && !spec
            .allowed_values
            .iter()
            .any(|v| scalar_text(v).as_deref() == Some(text))
    {
        return Some(format!(
            "the default {text:?} is not among the allowed values"
        ));
    }
    // A pattern the matcher cannot build (one with lookarounds) is not
    // matched against.
    if let Some(pattern) = &spec.allowed_pattern {
        let anchored = format!("^(?:{pattern})$");
        if let Some(re) = crate::validate::regex(&anchored) {
            if !re.is_match(text) {
                return Some(format!(
                    "the default {text:?} does not match the allowed pattern {pattern:?}"
                ));
            }
        }
    }
    let len = text.chars().count() as u64;
    if spec.min_length.is_some_and(|m| len < m) || spec.max_length.is_some_and(|m| len > m) {
        return Some(format!(
            "the default {text:?} is outside the allowed length"
        ));
    }
    if spec.type_name == "Number" {
        let Ok(n) = text.parse::<f64>() else {
            return Some(format!(
                "the default {text:?} of a Number parameter is not a number"
            ));
        };
        let bound = |b: &Option<Value>| b.as_ref().and_then(number);
        if bound(&spec.min_value).is_some_and(|m| n < m)
            || bound(&spec.max_value).is_some_and(|m| n > m)
        {
            return Some(format!("the default {text:?} is outside the allowed range"));
        }
    }
    None
}

impl<'a> Resolver<'a, '_> {
    pub(super) fn parameter(&mut self, spec: &'a ParameterSpec) -> Out<'a> {
        let mut p = OutMap::with_capacity(4);
        p.push("Type", Out::str(&spec.type_name));
        if let Some(d) = &spec.description {
            p.push("Description", Out::str(d));
        }
        if let Some(default) = &spec.default {
            if spec.no_echo && !spec.default_in_plain_text {
                self.error("a NoEcho parameter has a default value, which would be written into the template in plain text; pass the value at deploy time instead (or, for a value that is not secret, use .plain_text_default)".into());
            }
            if !default.is_literal() {
                self.error("a parameter default must be a literal value".into());
            }
            if let Some(text) = scalar_text(default) {
                if let Some(problem) = parameter_default_problem(spec, &text) {
                    self.error(problem);
                }
            }
            p.push("Default", self.resolve(default));
        }
        if !spec.allowed_values.is_empty() {
            let values = spec
                .allowed_values
                .iter()
                .map(|v| self.resolve(v))
                .collect();
            p.push("AllowedValues", Out::List(values));
        }
        if let Some(pattern) = &spec.allowed_pattern {
            // Only the syntax is checked here (parsed, not translated or
            // compiled): compiling is for matching a default against it.
            if !pattern_syntax_ok(pattern) {
                self.error(format!(
                    "AllowedPattern {pattern:?} is not a valid regular expression"
                ));
            }
            p.push("AllowedPattern", Out::str(pattern));
        }
        if let Some(d) = &spec.constraint_description {
            p.push("ConstraintDescription", Out::str(d));
        }
        let number = spec.type_name == "Number";
        let int = |n: Option<u64>| n.map(|n| Out::Int(i64::try_from(n).unwrap_or(i64::MAX)));
        let mut bound = |key: &str, n: &'a Option<Value>| {
            let n = n.as_ref()?;
            if self::number(n).is_none_or(|x| !x.is_finite()) {
                self.error(format!("{key} must be a literal, finite number"));
            }
            Some(self.resolve(n))
        };
        let min_value = bound("MinValue", &spec.min_value);
        let max_value = bound("MaxValue", &spec.max_value);
        for (key, value, applies) in [
            ("MinLength", int(spec.min_length), !number),
            ("MaxLength", int(spec.max_length), !number),
            ("MinValue", min_value, number),
            ("MaxValue", max_value, number),
        ] {
            if let Some(value) = value {
                if !applies {
                    self.error(format!(
                        "{key} does not apply to a parameter of type {}",
                        spec.type_name
                    ));
                }
                p.push(key, value);
            }
        }
        if spec.no_echo {
            p.push("NoEcho", Out::Bool(true));
        }
        p.into_out()
    }
}

/// Whether `pattern` parses as a regular expression. CloudFormation takes
/// Java's syntax; the parser here lacks its lookarounds (`(?=`, `(?!`,
/// `(?<=`, `(?<!`) and atomic groups (`(?>`), so those openings are read
/// as plain groups: their contents are still checked.
fn pattern_syntax_ok(pattern: &str) -> bool {
    regex_syntax::ast::parse::Parser::new()
        .parse(&without_lookarounds(pattern))
        .is_ok()
}

/// `pattern` with each lookaround or atomic group opening made `(?:`,
/// outside escapes and character classes; `None` for patterns with none.
fn lookarounds_as_groups(pattern: &str) -> Option<String> {
    let mut out = String::with_capacity(pattern.len());
    let mut found = false;
    let mut in_class = false;
    let mut chars = pattern.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                out.push(c);
                if let Some((_, next)) = chars.next() {
                    out.push(next);
                }
                continue;
            }
            '[' => in_class = true,
            ']' => in_class = false,
            '(' if !in_class => {
                let rest = &pattern[i + 1..];
                if let Some(opening) = ["?<=", "?<!", "?=", "?!", "?>"]
                    .into_iter()
                    .find(|o| rest.starts_with(o))
                {
                    out.push_str("(?:");
                    for _ in 0..opening.chars().count() {
                        chars.next();
                    }
                    found = true;
                    continue;
                }
            }
            _ => {}
        }
        out.push(c);
    }
    found.then_some(out)
}

fn without_lookarounds(pattern: &str) -> std::borrow::Cow<'_, str> {
    match lookarounds_as_groups(pattern) {
        Some(p) => std::borrow::Cow::Owned(p),
        None => std::borrow::Cow::Borrowed(pattern),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookarounds_are_checked_as_groups_outside_escapes_and_classes() {
        assert!(pattern_syntax_ok("^(?!0$)[0-9]+$"));
        assert!(pattern_syntax_ok("(?<=a)b(?<!c)(?=d)(?>e)"));
        assert!(!pattern_syntax_ok("(?!unclosed"));
        assert!(!pattern_syntax_ok("(?=a)[b"));
        assert_eq!(lookarounds_as_groups("\\\\(?=a)"), Some("\\\\(?:a)".into()));
        assert_eq!(lookarounds_as_groups("\\(?=a\\)"), None);
        assert_eq!(lookarounds_as_groups("[(?=]"), None);
        assert_eq!(lookarounds_as_groups("(?:a)(?<name>b)"), None);
    }
}
