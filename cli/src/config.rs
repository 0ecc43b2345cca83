//! `synth.toml`: the project's defaults, found by walking up from the
//! current directory. Only a small subset of TOML is read:
//!
//! ```toml
//! # the command that synthesizes the app, run with `sh -c` in this directory
//! app = "cargo run --quiet -p stacks"
//! # where the cloud assembly goes, relative to this directory
//! out = "out"
//! ```

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The file's name.
pub const FILE: &str = "synth.toml";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectConfig {
    /// The file read.
    pub path: PathBuf,
    /// The directory holding it: the app runs there and `out` is relative
    /// to it.
    pub dir: PathBuf,
    pub app: Option<String>,
    pub out: Option<String>,
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

/// Parses the subset: top-level `key = "string"` (or `'literal'`) lines and
/// comments. Errors carry a 1-based line number.
pub fn parse(text: &str) -> std::result::Result<ProjectConfig, (usize, String)> {
    let mut config = ProjectConfig::default();
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('[') {
            return Err((
                n,
                "tables are not supported; synth.toml holds only `app` and `out`".to_string(),
            ));
        }
        let Some((key, rest)) = line.split_once('=') else {
            return Err((n, "expected `key = \"value\"`".to_string()));
        };
        let key = key.trim();
        let key = key
            .strip_prefix('"')
            .and_then(|k| k.strip_suffix('"'))
            .unwrap_or(key);
        let value =
            parse_string(rest.trim()).map_err(|msg| (n, format!("the value of `{key}` {msg}")))?;
        let slot = match key {
            "app" => &mut config.app,
            "out" => &mut config.out,
            _ => {
                return Err((
                    n,
                    format!("unknown key `{key}`; the keys are `app` and `out`"),
                ))
            }
        };
        if slot.is_some() {
            return Err((n, format!("`{key}` is set twice")));
        }
        *slot = Some(value);
    }
    Ok(config)
}

/// A basic string `"..."` (with `\\`, `\"`, `\n`, `\t` escapes) or a literal
/// string `'...'`, optionally followed by a comment.
fn parse_string(s: &str) -> std::result::Result<String, String> {
    let mut chars = s.chars();
    let quote = chars.next();
    let mut out = String::new();
    match quote {
        Some('\'') => {
            let body = chars.as_str();
            let end = body.find('\'').ok_or("has no closing `'`")?;
            out.push_str(&body[..end]);
            check_rest(&body[end + 1..])?;
        }
        Some('"') => loop {
            match chars.next() {
                None => return Err("has no closing `\"`".to_string()),
                Some('"') => {
                    check_rest(chars.as_str())?;
                    break;
                }
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
        _ => return Err("must be a quoted string".to_string()),
    }
    Ok(out)
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
    fn rejects_what_it_does_not_read() {
        let cases = [
            ("apps = \"x\"", 1, "unknown key `apps`"),
            ("\n[tool]\n", 2, "tables are not supported"),
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
