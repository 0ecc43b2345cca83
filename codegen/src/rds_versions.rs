//! The RDS engine versions table (`synth/src/rds/engine_versions.rs`),
//! from the data cfn-lint checks `AWS::RDS::DBInstance` engine versions
//! with: every version it knows (rule E3691, `engine_version.json`) and
//! those RDS no longer creates instances with (rule W3691,
//! `engine_version_deprecated.json`), both in
//! `data/schemas/extensions/aws_rds_dbinstance`.

use std::cmp::Ordering;
use std::fmt::Write;
use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::{CFN_LINT_VERSION, GENERATED_MARKER};

/// Where the table goes, relative to the workspace root.
pub const OUTPUT: &str = "synth/src/rds/engine_versions.rs";

/// The engines the table covers: cfn-lint's engine name, the name of the
/// table constants and of the version type in `synth::rds`.
const ENGINES: [(&str, &str, &str); 2] = [
    ("postgres", "POSTGRES", "PostgresVersion"),
    ("mysql", "MYSQL", "MysqlVersion"),
];

/// The `aws_rds_dbinstance` directory beside a `data/schemas/providers`
/// directory.
pub fn data_dir(providers: &Path) -> std::path::PathBuf {
    providers.join("../extensions/aws_rds_dbinstance")
}

fn read(dir: &Path, file: &str) -> Result<Value, String> {
    let path = dir.join(file);
    let text = fs::read_to_string(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("parsing {}: {e}", path.display()))
}

/// The versions listed for `engine` in one of the two files: under
/// `then` (engine_version.json) or under `if` (engine_version_deprecated.json).
fn versions(doc: &Value, engine: &str, file: &str) -> Result<Vec<String>, String> {
    let branches = doc["allOf"]
        .as_array()
        .ok_or_else(|| format!("{file}: no allOf"))?;
    for branch in branches {
        let cond = &branch["if"]["properties"];
        if cond["Engine"]["const"] != engine {
            continue;
        }
        let list = if cond["EngineVersion"]["enum"].is_array() {
            &cond["EngineVersion"]["enum"]
        } else {
            &branch["then"]["properties"]["EngineVersion"]["enum"]
        };
        if let Some(list) = list.as_array() {
            return list
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| format!("{file}: {engine}: version {v} is not a string"))
                })
                .collect();
        }
    }
    Err(format!("{file}: no versions for engine {engine:?}"))
}

/// Orders `16.10` after `16.9` and `11.22-rds.20241121` after `11.22`.
fn version_order(a: &str, b: &str) -> Ordering {
    let parts = |s: &str| -> Vec<(u64, String)> {
        s.split(['.', '-'])
            .map(|p| (p.parse::<u64>().unwrap_or(u64::MAX), p.to_owned()))
            .collect()
    };
    parts(a).cmp(&parts(b))
}

/// `16.9` → `V16_9`, `11.22-rds.20241121` → `V11_22_RDS_20241121`.
fn const_name(version: &str) -> String {
    let mut name = String::from("V");
    for c in version.chars() {
        name.push(if c.is_ascii_alphanumeric() {
            c.to_ascii_uppercase()
        } else {
            '_'
        });
    }
    name
}

fn string_list(out: &mut String, doc: &str, name: &str, items: &[String]) {
    let _ = writeln!(out, "/// {doc}");
    let _ = writeln!(out, "pub(crate) const {name}: &[&str] = &[");
    for v in items {
        let _ = writeln!(out, "    {v:?},");
    }
    let _ = writeln!(out, "];\n");
}

/// The table's source text.
pub fn generate(dir: &Path) -> Result<String, String> {
    let all_file = "engine_version.json";
    let deprecated_file = "engine_version_deprecated.json";
    let all = read(dir, all_file)?;
    let deprecated = read(dir, deprecated_file)?;
    let mut out = format!(
        "// {GENERATED_MARKER} from the RDS engine version data in cfn-lint {CFN_LINT_VERSION} \
         (rules E3691 and W3691). Do not edit.\n"
    );
    out.push_str(
        "//! The engine versions RDS creates new DB instances with, and the ones it\n\
         //! no longer does, per engine. Regenerate with `cargo run -p synth-codegen`.\n\n",
    );
    let mut consts = String::new();
    for (engine, table, type_name) in ENGINES {
        let old = versions(&deprecated, engine, deprecated_file)?;
        let mut current: Vec<String> = versions(&all, engine, all_file)?
            .into_iter()
            .filter(|v| !old.contains(v))
            .collect();
        let mut old = old;
        current.sort_by(|a, b| version_order(a, b));
        current.dedup();
        old.sort_by(|a, b| version_order(a, b));
        old.dedup();
        if current.is_empty() {
            return Err(format!("no current {engine} versions in cfn-lint's data"));
        }
        string_list(
            &mut out,
            &format!("`{engine}` versions RDS creates new instances with."),
            table,
            &current,
        );
        string_list(
            &mut out,
            &format!("`{engine}` versions RDS no longer creates instances with."),
            &format!("{table}_DEPRECATED"),
            &old,
        );
        let _ = writeln!(consts, "impl super::{type_name} {{");
        for v in &current {
            let _ = writeln!(consts, "    /// `{engine}` {v}.");
            let _ = writeln!(
                consts,
                "    pub const {}: Self = Self::known({v:?});",
                const_name(v)
            );
        }
        let _ = writeln!(consts, "}}\n");
    }
    out.push_str(&consts);
    while out.ends_with("\n\n") {
        out.pop();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_numerically() {
        let mut v = vec!["16.10", "16.9", "11.22-rds.20241121", "11.22", "9.6.1"];
        v.sort_by(|a, b| version_order(a, b));
        assert_eq!(v, ["9.6.1", "11.22", "11.22-rds.20241121", "16.9", "16.10"]);
    }

    #[test]
    fn keeps_current_versions_and_lists_deprecated_ones() {
        let dir = std::env::temp_dir().join(format!("synth-rds-versions-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let branch = |engine: &str, versions: &[&str], under_then: bool| {
            let list = serde_json::json!({"enum": versions});
            if under_then {
                serde_json::json!({
                    "if": {"properties": {"Engine": {"const": engine}}},
                    "then": {"properties": {"EngineVersion": list}}
                })
            } else {
                serde_json::json!({
                    "if": {"properties": {"Engine": {"const": engine}, "EngineVersion": list}},
                    "then": false
                })
            }
        };
        let all = serde_json::json!({"allOf": [
            {"if": {"properties": {"Engine": {"type": "string"}}}},
            branch("mysql", &["8.0.42", "5.7.44", "8.0.9"], true),
            branch("postgres", &["16.10", "16.3", "16.9"], true),
        ]});
        let deprecated = serde_json::json!({"allOf": [
            branch("mysql", &["5.7.44"], false),
            branch("postgres", &["16.3"], false),
        ]});
        fs::write(dir.join("engine_version.json"), all.to_string()).unwrap();
        fs::write(
            dir.join("engine_version_deprecated.json"),
            deprecated.to_string(),
        )
        .unwrap();
        let text = generate(&dir).unwrap();
        fs::remove_dir_all(&dir).unwrap();
        assert!(text.starts_with(&format!("// {GENERATED_MARKER}")));
        assert!(text.contains(
            "pub(crate) const POSTGRES: &[&str] = &[\n    \"16.9\",\n    \"16.10\",\n];"
        ));
        assert!(
            text.contains("pub(crate) const POSTGRES_DEPRECATED: &[&str] = &[\n    \"16.3\",\n];")
        );
        assert!(text
            .contains("pub(crate) const MYSQL: &[&str] = &[\n    \"8.0.9\",\n    \"8.0.42\",\n];"));
        assert!(text.contains("    pub const V16_10: Self = Self::known(\"16.10\");"));
        assert!(!text.contains("V16_3"));
    }

    #[test]
    fn names_constants() {
        assert_eq!(const_name("16.9"), "V16_9");
        assert_eq!(const_name("11.22-rds.20241121"), "V11_22_RDS_20241121");
        assert_eq!(const_name("18"), "V18");
    }
}
