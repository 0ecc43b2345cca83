//! Formatting the generated code, and the crate `--out DIR` writes:
//! `Cargo.toml` (synth with exactly the needed features), `synth.toml`
//! and `src/main.rs` declaring the stack.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Formats Rust source: parsed with syn (which also proves it is valid
/// syntax) and printed by prettyplease. Comments other than doc comments
/// do not survive, so the generator writes only doc comments.
pub fn format(code: &str) -> Result<String, String> {
    let file = syn::parse_file(code).map_err(|e| {
        format!("generated code does not parse ({e}); this is a bug in synth import")
    })?;
    Ok(prettyplease::unparse(&file))
}

/// Where the generated crate gets synth from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SynthDep {
    Path(PathBuf),
    Git(String),
    Version(String),
}

impl SynthDep {
    /// The synth crate of the checkout this command was built from, when
    /// it is still there.
    pub fn this_checkout() -> Option<PathBuf> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../synth");
        dir.join("Cargo.toml")
            .is_file()
            .then(|| dir.canonicalize().unwrap_or(dir))
    }

    /// The `synth = { .. }` dependency line.
    pub fn dependency(&self, features: &BTreeSet<String>) -> String {
        let source = match self {
            SynthDep::Path(p) => format!("path = {}", toml_str(&p.display().to_string())),
            SynthDep::Git(url) => format!("git = {}", toml_str(url)),
            SynthDep::Version(v) => format!("version = {}", toml_str(v)),
        };
        let features: Vec<String> = features.iter().map(|f| toml_str(f)).collect();
        format!(
            "synth = {{ {source}, default-features = false, features = [{}] }}",
            features.join(", ")
        )
    }
}

fn toml_str(s: &str) -> String {
    // TOML basic strings escape like JSON.
    serde_json::Value::String(s.to_owned()).to_string()
}

/// A Cargo package name from the stack name: `Network-Prod` → `network-prod`.
pub fn package_name(stack: &str) -> String {
    let name: String = stack
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let name = name.trim_matches('-').to_owned();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("stack-{name}")
    } else {
        name
    }
}

/// The files of the crate, by path relative to its directory.
pub fn files(
    stack: &str,
    module_name: &str,
    module: &str,
    features: &BTreeSet<String>,
    dep: &SynthDep,
) -> Result<Vec<(PathBuf, String)>, String> {
    let cargo = format!(
        "[package]\nname = {}\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\n{}\n\n\
         # A crate of its own, even inside another workspace.\n[workspace]\n",
        toml_str(&package_name(stack)),
        dep.dependency(features)
    );
    let synth_toml = "# How `synth` runs this app.\napp = \"cargo run --quiet\"\nout = \"out\"\n";
    let main = format(&format!(
        "//! The app: one stack, `{stack}`, defined in `{module_name}.rs`.\n\
         mod {module_name};\n\
         use synth::prelude::*;\n\
         fn main() -> std::process::ExitCode {{\n\
             let mut app = App::from_env();\n\
             {module_name}::define(app.stack({}));\n\
             app.run()\n\
         }}\n",
        super::expr::str_lit(stack)
    ))?;
    Ok(vec![
        (PathBuf::from("Cargo.toml"), cargo),
        (PathBuf::from("synth.toml"), synth_toml.to_owned()),
        (PathBuf::from("src/main.rs"), main),
        (
            PathBuf::from(format!("src/{module_name}.rs")),
            module.to_owned(),
        ),
    ])
}

/// Writes the files under `dir`, refusing to overwrite a crate there.
pub fn write(dir: &Path, files: &[(PathBuf, String)]) -> Result<(), String> {
    if dir.join("Cargo.toml").exists() {
        return Err(format!(
            "{} already holds a Cargo.toml: choose an empty or new directory",
            dir.display()
        ));
    }
    for (path, text) in files {
        let full = dir.join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&full, text).map_err(|e| format!("cannot write {}: {e}", full.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependency_lists_exactly_the_features() {
        let features: BTreeSet<String> = ["s3".to_owned(), "ec2".to_owned()].into();
        assert_eq!(
            SynthDep::Version("0.1.0".into()).dependency(&features),
            r#"synth = { version = "0.1.0", default-features = false, features = ["ec2", "s3"] }"#
        );
        assert_eq!(
            SynthDep::Path("/x/synth".into()).dependency(&BTreeSet::new()),
            r#"synth = { path = "/x/synth", default-features = false, features = [] }"#
        );
    }

    #[test]
    fn package_names_are_valid() {
        assert_eq!(package_name("Network-Prod"), "network-prod");
        assert_eq!(package_name("1Stack"), "stack-1stack");
    }

    #[test]
    fn format_refuses_invalid_code() {
        assert!(format("fn x( {").is_err());
        assert_eq!(
            format("fn  x(){let a=1;}").unwrap(),
            "fn x() {\n    let a = 1;\n}\n"
        );
    }
}
