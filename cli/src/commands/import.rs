//! `synth import`: writes Rust stack code for a template file or a
//! deployed stack (see `crate::import`), printed or as a crate (`--out`).

use std::path::Path;

use crate::cli::ImportArgs;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::import::krate::{self, SynthDep};
use crate::import::{self, naming, read, TypeIndex};

pub fn run(ctx: &Context, args: &ImportArgs) -> Result<()> {
    let (template, source, default_name) = match (&args.template, &args.stack) {
        (Some(file), None) => (
            read::file(file)?,
            format!("the template {}", file.display()),
            stack_name_of(file),
        ),
        (None, Some(stack)) => (
            read::deployed(ctx, stack)?,
            format!("the deployed stack {stack}"),
            stack.clone(),
        ),
        _ => {
            return Err(Error::usage(
                "name a template file or a deployed stack (--stack NAME), not both",
            ))
        }
    };
    let name = args.name.clone().unwrap_or(default_name);
    let dep = dependency(args);
    let index_dir = args.synth_path.clone().or_else(SynthDep::this_checkout);
    let index = index_dir
        .as_deref()
        .map(TypeIndex::read)
        .unwrap_or_default();
    if !index_dir
        .as_deref()
        .is_some_and(|d| d.join("src/aws/mod.rs").is_file())
    {
        ctx.ui.warn(format!(
            "no generated resource types found{}: every resource is written as RawResource (pass --synth-path to a synth checkout's synth/ for typed builders)",
            index_dir.map(|d| format!(" under {}", d.display())).unwrap_or_default()
        ));
    }
    let generated = import::generate(&template, &index, &source).map_err(Error::failed)?;
    for f in &generated.fallbacks {
        ctx.ui.warn(format!("{}: {}", f.id, f.what));
    }
    match &ctx.args.out {
        Some(dir) => {
            let module_name = module_name(&name);
            let files = krate::files(
                &name,
                &module_name,
                &generated.module,
                &generated.features,
                &dep,
            )
            .map_err(Error::failed)?;
            krate::write(dir, &files).map_err(Error::usage)?;
            ctx.ui.info(format!(
                "{name}  {}  ({} resources, {} fallbacks; features: {})",
                ctx.shown(dir).display(),
                generated.resources,
                generated.fallbacks.len(),
                if generated.features.is_empty() {
                    "none".to_owned()
                } else {
                    generated
                        .features
                        .iter()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            ));
            ctx.ui.info(format!(
                "build and synthesize it: cd {} && synth",
                ctx.shown(dir).display()
            ));
        }
        None => {
            ctx.ui.out(format!(
                "// Stack {name}. Cargo.toml: {}",
                dep.dependency(&generated.features)
            ));
            ctx.ui.out(generated.module.trim_end());
        }
    }
    Ok(())
}

/// `--synth-path`, `--synth-git`, `--synth-version`, else this checkout's
/// synth crate, else the version of this command.
fn dependency(args: &ImportArgs) -> SynthDep {
    if let Some(p) = &args.synth_path {
        return SynthDep::Path(p.canonicalize().unwrap_or_else(|_| p.clone()));
    }
    if let Some(url) = &args.synth_git {
        return SynthDep::Git(url.clone());
    }
    if let Some(v) = &args.synth_version {
        return SynthDep::Version(v.clone());
    }
    match SynthDep::this_checkout() {
        Some(p) => SynthDep::Path(p),
        None => SynthDep::Version(env!("CARGO_PKG_VERSION").to_owned()),
    }
}

/// A stack name from a file name: `eks_cluster.yaml` → `eks-cluster`
/// (letters, digits and hyphens, starting with a letter).
fn stack_name_of(file: &Path) -> String {
    let stem = file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("Imported");
    let name: String = stem
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let name = name.trim_matches('-').to_owned();
    if name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name
    } else {
        format!("Imported{name}")
    }
}

/// The module holding the stack: its name in snake case, never `main`.
fn module_name(stack: &str) -> String {
    let mut names = naming::Names::default();
    let name = names.claim(stack, "stack");
    if name == "main" {
        "main_stack".into()
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stack_names_from_files() {
        assert_eq!(
            stack_name_of(Path::new("x/eks_cluster.yaml")),
            "eks-cluster"
        );
        assert_eq!(stack_name_of(Path::new("1.json")), "Imported1");
        assert_eq!(module_name("Main"), "main_stack");
        assert_eq!(module_name("Network-Prod"), "network_prod");
    }
}
