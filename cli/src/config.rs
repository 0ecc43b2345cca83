//! `synth.toml`: the project's defaults, found by walking up from the
//! current directory. Only a small subset of TOML is read:
//!
//! ```toml
//! # the command that synthesizes the app, run with `sh -c` in this directory
//! app = "cargo run --quiet -p stacks"
//! # where the cloud assembly goes, relative to this directory
//! out = "out"
//!
//! # context values for the app (SYNTH_CONTEXT); `-c KEY=VALUE` on the
//! # command line overrides the value of the same key
//! [context]
//! stage = "prod"
//! "team.name" = 'infra'
//! ```
//!
//! Context values are strings. Any other TOML value (a number, a boolean, an
//! array, an inline table) is an error naming the key, the file and the line,
//! rather than a guess at how it should read as a string: write `"3"`, not
//! `3`. `app` and `out` come before the tables.
//!
//! `synth check` (and the check after `synth`) reads a `[check]` table and
//! its `[check.severity]` table:
//!
//! ```toml
//! [check]
//! # built-in rule packs (default: all of them)
//! packs = ["iam", "network", "eks", "s3", "kms", "rds"]
//! # the project's own Guard rule files, relative to this directory
//! rules = ["policy/org.guard"]
//!
//! # a rule's severity by ID: "error", "warning", "info", or "off"
//! [check.severity]
//! SYNTH-S3-001 = "warning"
//! ```
//!
//! Arrays are written on one line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The file's name.
pub const FILE: &str = "synth.toml";

/// The table holding context values.
pub const CONTEXT_TABLE: &str = "context";

/// The table configuring `synth check`, and its severity table.
pub const CHECK_TABLE: &str = "check";
pub const CHECK_SEVERITY_TABLE: &str = "check.severity";

/// The `[check]` and `[check.severity]` tables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckConfig {
    /// Either table is in the file: `synth` then checks after
    /// synthesizing (`synth check` always can).
    pub enabled: bool,
    /// Built-in packs to run; `None`: all.
    pub packs: Option<Vec<String>>,
    /// The project's rule files, relative to the config's directory.
    pub rules: Vec<String>,
    /// Severity by rule ID, as written (checked against the rules later).
    pub severity: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectConfig {
    /// The file read.
    pub path: PathBuf,
    /// The directory holding it: the app runs there and `out` is relative
    /// to it.
    pub dir: PathBuf,
    pub app: Option<String>,
    pub out: Option<String>,
    /// The `[context]` table.
    pub context: BTreeMap<String, String>,
    /// The `[check]` tables.
    pub check: CheckConfig,
}

impl ProjectConfig {
    /// The nearest `synth.toml` at or above `start`, if any.
    pub fn find(start: &Path) -> Result<Option<ProjectConfig>> {
        for dir in start.ancestors() {
            let path = dir.join(FILE);
            if path.is_file() {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| Error::failed(format!("cannot read {}: {e}", path.display())))?;
                let mut config = parse(&text).map_err(|(line, msg)| {
                    Error::usage(format!("{}:{line}: {msg}", path.display()))
                })?;
                config.dir = dir.to_path_buf();
                config.path = path;
                return Ok(Some(config));
            }
        }
        Ok(None)
    }
}

/// Which part of the file a line is in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Top,
    Context,
    Check,
    CheckSeverity,
}

/// Parses the subset: top-level `key = "string"` (or `'literal'`) lines, a
/// `[context]` table of the same, and comments. Errors carry a 1-based line
/// number.
pub fn parse(text: &str) -> std::result::Result<ProjectConfig, (usize, String)> {
    let mut config = ProjectConfig::default();
    let mut section = Section::Top;
    let mut seen = std::collections::BTreeSet::new();
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('[') {
            let name = parse_header(line).map_err(|msg| (n, msg))?;
            let next = match name.as_str() {
                CONTEXT_TABLE => Section::Context,
                CHECK_TABLE => Section::Check,
                CHECK_SEVERITY_TABLE => Section::CheckSeverity,
                _ => {
                    return Err((
                        n,
                        format!("unknown table `[{name}]`; the tables are `[{CONTEXT_TABLE}]`, `[{CHECK_TABLE}]` and `[{CHECK_SEVERITY_TABLE}]`"),
                    ))
                }
            };
            if !seen.insert(name.clone()) {
                return Err((n, format!("`[{name}]` appears twice")));
            }
            if next != Section::Context {
                config.check.enabled = true;
            }
            section = next;
            continue;
        }
        let (key, rest) = parse_key(line).map_err(|msg| (n, msg))?;
        match section {
            Section::Top => {
                let value =
                    parse_string(rest).map_err(|msg| (n, format!("the value of `{key}` {msg}")))?;
                let slot = match key.as_str() {
                    "app" => &mut config.app,
                    "out" => &mut config.out,
                    _ => {
                        return Err((
                            n,
                            format!(
                                "unknown key `{key}`; the keys are `app` and `out`, and context values go in a `[{CONTEXT_TABLE}]` table"
                            ),
                        ))
                    }
                };
                if slot.is_some() {
                    return Err((n, format!("`{key}` is set twice")));
                }
                *slot = Some(value);
            }
            Section::Context => {
                if key.trim().is_empty() {
                    return Err((n, "a context key cannot be empty".to_string()));
                }
                let value = parse_context_value(&key, rest).map_err(|msg| (n, msg))?;
                if config.context.contains_key(&key) {
                    return Err((n, format!("context key `{key}` is set twice")));
                }
                config.context.insert(key, value);
            }
            Section::Check => {
                let list = parse_string_array(rest)
                    .map_err(|msg| (n, format!("the value of `{key}` {msg}")))?;
                let slot = match key.as_str() {
                    "packs" if config.check.packs.is_none() => {
                        config.check.packs = Some(list);
                        continue;
                    }
                    "rules" => &mut config.check.rules,
                    "packs" => return Err((n, "`packs` is set twice".to_string())),
                    _ => {
                        return Err((
                            n,
                            format!("unknown key `{key}` in `[{CHECK_TABLE}]`; the keys are `packs` and `rules`, and severities go in `[{CHECK_SEVERITY_TABLE}]`"),
                        ))
                    }
                };
                if !slot.is_empty() {
                    return Err((n, format!("`{key}` is set twice")));
                }
                *slot = list;
            }
            Section::CheckSeverity => {
                let value = parse_string(rest)
                    .map_err(|msg| (n, format!("the severity of `{key}` {msg}")))?;
                if !["error", "warning", "info", "off"].contains(&value.as_str()) {
                    return Err((
                        n,
                        format!("the severity of `{key}` is {value:?}; write \"error\", \"warning\", \"info\" or \"off\""),
                    ));
                }
                if config.check.severity.insert(key.clone(), value).is_some() {
                    return Err((n, format!("the severity of `{key}` is set twice")));
                }
            }
        }
    }
    Ok(config)
}

/// A one-line array of strings: `["a", 'b']`, optionally followed by a
/// comment.
fn parse_string_array(s: &str) -> std::result::Result<Vec<String>, String> {
    let mut rest = s
        .strip_prefix('[')
        .ok_or("must be an array of strings on one line, e.g. [\"a\", \"b\"]")?
        .trim_start();
    let mut out = Vec::new();
    loop {
        if let Some(after) = rest.strip_prefix(']') {
            check_rest(after).map_err(|m| m.replace("closing quote", "closing `]`"))?;
            return Ok(out);
        }
        let (value, after) = take_string(rest).map_err(|m| format!("holds a string that {m}"))?;
        out.push(value);
        rest = after.trim_start();
        if let Some(after) = rest.strip_prefix(',') {
            rest = after.trim_start();
        } else if !rest.starts_with(']') {
            return Err("must be an array of strings on one line, e.g. [\"a\", \"b\"]".to_string());
        }
    }
}

/// A table header `[name]`, optionally followed by a comment.
fn parse_header(line: &str) -> std::result::Result<String, String> {
    if line.starts_with("[[") {
        return Err(format!(
            "arrays of tables are not supported; the tables are `[{CONTEXT_TABLE}]`, `[{CHECK_TABLE}]` and `[{CHECK_SEVERITY_TABLE}]`"
        ));
    }
    let end = line
        .find(']')
        .ok_or_else(|| format!("the table header `{line}` has no closing `]`"))?;
    let rest = line[end + 1..].trim();
    if !(rest.is_empty() || rest.starts_with('#')) {
        return Err(format!("the table header has `{rest}` after its `]`"));
    }
    Ok(line[1..end].trim().to_string())
}

/// A key (bare, `"basic"` or `'literal'`) and what follows its `=`.
fn parse_key(line: &str) -> std::result::Result<(String, &str), String> {
    const EXPECTED: &str = "expected `key = \"value\"`";
    let (key, rest) = if line.starts_with(['"', '\'']) {
        take_string(line).map_err(|msg| format!("the key {msg}"))?
    } else {
        let end = line
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(line.len());
        (line[..end].to_string(), &line[end..])
    };
    let rest = rest.trim_start();
    if rest.starts_with('.') && !key.is_empty() {
        return Err(format!(
            "the key `{key}` is followed by a dot, and dotted keys are not supported; quote a key holding a dot, e.g. `\"team.name\" = \"infra\"`"
        ));
    }
    match rest.strip_prefix('=') {
        Some(value) if !key.is_empty() || line.starts_with(['"', '\'']) => Ok((key, value.trim())),
        _ => Err(EXPECTED.to_string()),
    }
}

/// A context value: a string, and nothing else.
fn parse_context_value(key: &str, value: &str) -> std::result::Result<String, String> {
    if value.starts_with(['"', '\'']) {
        return parse_string(value)
            .map_err(|msg| format!("the value of context key `{key}` {msg}"));
    }
    let literal = value.split('#').next().unwrap_or("").trim();
    let kind = if literal.starts_with('[') {
        "an array"
    } else if literal.starts_with('{') {
        "an inline table"
    } else if literal == "true" || literal == "false" {
        "a boolean"
    } else if literal.starts_with(|c: char| c.is_ascii_digit() || c == '+' || c == '-')
        || ["inf", "nan"].contains(&literal)
    {
        "a number"
    } else {
        return Err(format!(
            "the value of context key `{key}` must be a quoted string"
        ));
    };
    let hint = match kind {
        "a boolean" | "a number" => format!(" (write `{key} = \"{literal}\"`)"),
        _ => String::new(),
    };
    Err(format!(
        "the value of context key `{key}` is {kind}, but context values are strings{hint}"
    ))
}

/// A basic string `"..."` (with `\\`, `\"`, `\n`, `\t` escapes) or a literal
/// string `'...'`, optionally followed by a comment.
fn parse_string(s: &str) -> std::result::Result<String, String> {
    let (value, rest) = take_string(s)?;
    check_rest(rest)?;
    Ok(value)
}

/// A basic or literal string at the start of `s`, and what follows it.
fn take_string(s: &str) -> std::result::Result<(String, &str), String> {
    let mut chars = s.chars();
    let quote = chars.next();
    let mut out = String::new();
    match quote {
        Some('\'') => {
            let body = chars.as_str();
            let end = body.find('\'').ok_or("has no closing `'`")?;
            out.push_str(&body[..end]);
            Ok((out, &body[end + 1..]))
        }
        Some('"') => loop {
            match chars.next() {
                None => return Err("has no closing `\"`".to_string()),
                Some('"') => return Ok((out, chars.as_str())),
                Some('\\') => match chars.next() {
                    Some('\\') => out.push('\\'),
                    Some('"') => out.push('"'),
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some(c) => return Err(format!("has an unsupported escape `\\{c}`")),
                    None => return Err("has no closing `\"`".to_string()),
                },
                Some(c) => out.push(c),
            }
        },
        _ => Err("must be a quoted string".to_string()),
    }
}

fn check_rest(rest: &str) -> std::result::Result<(), String> {
    let rest = rest.trim();
    if rest.is_empty() || rest.starts_with('#') {
        Ok(())
    } else {
        Err(format!("has `{rest}` after the closing quote"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_subset() {
        let c = parse(
            "# synth project\n\napp = \"cargo run --quiet -p stacks\"  # the app\nout='build/out'\n",
        )
        .unwrap();
        assert_eq!(c.app.as_deref(), Some("cargo run --quiet -p stacks"));
        assert_eq!(c.out.as_deref(), Some("build/out"));

        let c = parse(r#""app" = "sh -c \"echo \\\"hi\\\"\"""#).unwrap();
        assert_eq!(c.app.as_deref(), Some(r#"sh -c "echo \"hi\"""#));
        assert_eq!(parse("").unwrap(), ProjectConfig::default());
    }

    #[test]
    fn parses_the_context_table() {
        let c = parse(
            "app = \"a\"\n\n[context]  # for the app\nstage = \"prod\"\n\"team.name\" = 'infra' # owner\napp = \"not the app\"\nempty-ok = \"\"\n",
        )
        .unwrap();
        assert_eq!(c.app.as_deref(), Some("a"));
        assert_eq!(
            c.context,
            BTreeMap::from([
                ("app".to_string(), "not the app".to_string()),
                ("empty-ok".to_string(), String::new()),
                ("stage".to_string(), "prod".to_string()),
                ("team.name".to_string(), "infra".to_string()),
            ])
        );
        assert_eq!(parse("[ context ]\n").unwrap(), ProjectConfig::default());
    }

    #[test]
    fn rejects_what_it_does_not_read() {
        let cases = [
            ("apps = \"x\"", 1, "unknown key `apps`"),
            ("\n[tool]\n", 2, "unknown table `[tool]`; the tables are `[context]`"),
            ("[[context]]", 1, "arrays of tables are not supported"),
            ("[context", 1, "has no closing `]`"),
            ("[context] x", 1, "has `x` after its `]`"),
            ("[context]\n[context]", 2, "`[context]` appears twice"),
            ("stage = \"prod\"", 1, "unknown key `stage`; the keys are `app` and `out`, and context values go in a `[context]` table"),
            (
                "[context]\nreplicas = 3",
                2,
                "the value of context key `replicas` is a number, but context values are strings (write `replicas = \"3\"`)",
            ),
            ("[context]\non = true # yes", 2, "`on` is a boolean, but context values are strings (write `on = \"true\"`)"),
            ("[context]\nzones = [\"a\"]", 2, "`zones` is an array, but context values are strings"),
            ("[context]\nt = { a = \"b\" }", 2, "`t` is an inline table"),
            ("[context]\nstage = prod", 2, "the value of context key `stage` must be a quoted string"),
            ("[context]\nstage = \"prod", 2, "the value of context key `stage` has no closing"),
            ("[context]\na = \"1\"\na = '2'", 3, "context key `a` is set twice"),
            ("[context]\n\"\" = \"x\"", 2, "a context key cannot be empty"),
            ("[context]\nteam.name = \"x\"", 2, "dotted keys are not supported"),
            ("[context]\n\"a = \"x\"", 2, "expected `key = \"value\"`"),
            ("app = x", 1, "must be a quoted string"),
            ("app = \"x", 1, "has no closing"),
            ("app = 'x' y", 1, "has `y` after the closing quote"),
            ("app = \"\\q\"", 1, "unsupported escape"),
            ("app", 1, "expected `key = \"value\"`"),
            ("app = \"a\"\napp = \"b\"", 2, "set twice"),
        ];
        for (text, line, want) in cases {
            let (n, msg) = parse(text).unwrap_err();
            assert_eq!(n, line, "{text}");
            assert!(msg.contains(want), "{text}: {msg}");
        }
    }

    #[test]
    fn parses_the_check_tables() {
        let c = parse(
            "[context]\na = \"b\"\n[check]\npacks = [\"iam\", 's3'] # two\nrules = []\n\n[check.severity]\nSYNTH-S3-001 = \"warning\"\n\"ORG_1\" = 'off'\n",
        )
        .unwrap();
        assert!(c.check.enabled);
        assert_eq!(
            c.check.packs,
            Some(vec!["iam".to_string(), "s3".to_string()])
        );
        assert!(c.check.rules.is_empty());
        assert_eq!(
            c.check.severity,
            BTreeMap::from([
                ("ORG_1".to_string(), "off".to_string()),
                ("SYNTH-S3-001".to_string(), "warning".to_string()),
            ])
        );
        let c = parse("[check]\nrules = [\"policy/org.guard\",]\n").unwrap();
        assert_eq!(c.check.rules, vec!["policy/org.guard".to_string()]);
        assert_eq!(c.check.packs, None);
        assert!(!parse("[context]\n").unwrap().check.enabled);

        let cases = [
            (
                "[check]\npacks = \"iam\"",
                2,
                "the value of `packs` must be an array of strings",
            ),
            (
                "[check]\nrules = [\"a\" \"b\"]",
                2,
                "must be an array of strings on one line",
            ),
            (
                "[check]\nrules = [\"a\"",
                2,
                "must be an array of strings on one line",
            ),
            (
                "[check]\nrules = [\"a\"] x",
                2,
                "has `x` after the closing `]`",
            ),
            (
                "[check]\nrules = [1]",
                2,
                "holds a string that must be a quoted string",
            ),
            (
                "[check]\nstrict = [\"x\"]",
                2,
                "unknown key `strict` in `[check]`",
            ),
            ("[check]\npacks = []\npacks = []", 3, "`packs` is set twice"),
            ("[check]\n[check]", 2, "`[check]` appears twice"),
            (
                "[check.severity]\nX = \"fatal\"",
                2,
                "the severity of `X` is \"fatal\"",
            ),
            (
                "[check.severity]\nX = 'off'\nX = 'info'",
                3,
                "the severity of `X` is set twice",
            ),
        ];
        for (text, line, want) in cases {
            let (n, msg) = parse(text).unwrap_err();
            assert_eq!(n, line, "{text}");
            assert!(msg.contains(want), "{text}: {msg}");
        }
    }

    #[test]
    fn found_by_walking_up() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("a").join("b");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(dir.path().join(FILE), "out = \"o\"\n").unwrap();
        let c = ProjectConfig::find(&sub).unwrap().unwrap();
        assert_eq!(c.dir, dir.path());
        assert_eq!(c.out.as_deref(), Some("o"));

        std::fs::write(dir.path().join("a").join(FILE), "bad\n").unwrap();
        let e = ProjectConfig::find(&sub).unwrap_err();
        assert_eq!(e.code, 2);
        assert!(
            e.message
                .ends_with("synth.toml:1: expected `key = \"value\"`"),
            "{e}"
        );
    }
}
