//! `synth-codegen`: regenerates `synth/src/aws/` and the service features of
//! `synth/Cargo.toml` from the resource schemas of the pinned cfn-lint, and
//! the RDS engine version table `synth/src/rds/engine_versions.rs` from its
//! RDS engine version data.
//!
//! ```text
//! cargo run -p synth-codegen [-- --check] [--schemas DIR] [--python PATH] [--root DIR] [--notes]
//! ```

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use synth_codegen::{
    features_block, generate_all_with, getatts::GetAttFacts, rds_versions, splice_features,
    AWS_DIR, CFN_LINT_VERSION, GENERATED_MARKER, SYNTH_MANIFEST,
};

const USAGE: &str = "\
usage: synth-codegen [--check] [--schemas DIR] [--python PATH] [--root DIR] [--notes]

  --check          compare the generated files with the ones on disk; exit 1 if
                   any differs, is missing or is stale
  --schemas DIR    cfn-lint's data/schemas/providers directory (default: ask the
                   workspace's .venv/bin/python where cfnlint is installed)
  --python PATH    the Python that has cfn-lint installed, also asked for the
                   Fn::GetAtt names cfn-lint accepts beyond the schemas
                   (default: <root>/.venv/bin/python)
  --root DIR       the workspace root (default: the one this tool was built in)
  --notes          list the schema features that needed special handling";

struct Args {
    check: bool,
    schemas: Option<PathBuf>,
    python: Option<PathBuf>,
    root: Option<PathBuf>,
    notes: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        check: false,
        schemas: None,
        python: None,
        root: None,
        notes: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .map(PathBuf::from)
                .ok_or_else(|| format!("{name} needs a value\n\n{USAGE}"))
        };
        match arg.as_str() {
            "--check" => args.check = true,
            "--notes" => args.notes = true,
            "--schemas" => args.schemas = Some(value("--schemas")?),
            "--python" => args.python = Some(value("--python")?),
            "--root" => args.root = Some(value("--root")?),
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other:?}\n\n{USAGE}")),
        }
    }
    Ok(args)
}

/// The installed cfn-lint's version and schema directory, from Python.
fn locate_with_python(python: &Path) -> Result<(String, PathBuf), String> {
    const SCRIPT: &str = "import os, cfnlint, cfnlint.version as v; \
        print(v.__version__); \
        print(os.path.join(os.path.dirname(cfnlint.__file__), 'data', 'schemas', 'providers'))";
    let output = Command::new(python)
        .args(["-c", SCRIPT])
        .output()
        .map_err(|e| {
            format!(
                "cannot run {}: {e}\n(install cfn-lint {CFN_LINT_VERSION} in the workspace's .venv, \
                 or pass --python or --schemas)",
                python.display()
            )
        })?;
    if !output.status.success() {
        return Err(format!(
            "{} cannot import cfnlint (install cfn-lint=={CFN_LINT_VERSION}):\n{}",
            python.display(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut lines = stdout.lines();
    match (lines.next(), lines.next()) {
        (Some(version), Some(dir)) => Ok((version.trim().to_owned(), PathBuf::from(dir.trim()))),
        _ => Err(format!(
            "unexpected output from {}: {stdout:?}",
            python.display()
        )),
    }
}

/// The version of the cfn-lint a schema directory belongs to, from
/// `cfnlint/version.py` three levels up.
fn version_of_schema_dir(dir: &Path) -> Result<String, String> {
    let file = dir.join("../../../version.py");
    let text = fs::read_to_string(&file).map_err(|_| {
        format!(
            "cannot tell which cfn-lint {} belongs to (no {}); pass the \
             data/schemas/providers directory of an installed cfn-lint",
            dir.display(),
            file.display()
        )
    })?;
    text.lines()
        .find_map(|l| {
            let rest = l
                .trim()
                .strip_prefix("__version__")?
                .trim()
                .strip_prefix('=')?;
            Some(
                rest.trim()
                    .trim_matches(|c| c == '"' || c == '\'')
                    .to_owned(),
            )
        })
        .ok_or_else(|| format!("no __version__ in {}", file.display()))
}

fn is_generated(path: &Path) -> bool {
    fs::read_to_string(path)
        .map(|text| text.lines().take(5).any(|l| l.contains(GENERATED_MARKER)))
        .unwrap_or(false)
}

/// Generated files in `synth/src/aws/` that this run does not produce.
fn stale_files(root: &Path, produced: &BTreeMap<PathBuf, String>) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(root.join(AWS_DIR)) else {
        return Vec::new();
    };
    let mut stale: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .filter_map(|p| {
            let rel = Path::new(AWS_DIR).join(p.file_name()?);
            (!produced.contains_key(&rel) && is_generated(&p)).then_some(rel)
        })
        .collect();
    stale.sort();
    stale
}

fn run() -> Result<bool, String> {
    let args = parse_args()?;
    let root = match args.root {
        Some(r) => r,
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join(".."),
    };
    let root = root
        .canonicalize()
        .map_err(|e| format!("workspace root {}: {e}", root.display()))?;

    // The test tools' environment: SYNTH_VENV, else the workspace's .venv.
    let venv = std::env::var_os("SYNTH_VENV").map_or_else(|| root.join(".venv"), PathBuf::from);
    let python = args.python.unwrap_or_else(|| venv.join("bin/python"));
    let (version, schema_dir) = match args.schemas {
        Some(dir) => (version_of_schema_dir(&dir)?, dir),
        None => locate_with_python(&python)?,
    };
    if version != CFN_LINT_VERSION {
        return Err(format!(
            "cfn-lint {version} is installed, but synth's generated code is pinned to cfn-lint \
             {CFN_LINT_VERSION} (codegen/cfn-lint-version.txt): install cfn-lint=={CFN_LINT_VERSION}, \
             or change the pin to regenerate from {version}"
        ));
    }

    let generated = generate_all_with(&schema_dir, &GetAttFacts::from_python(&python)?)?;
    let mut files = generated.files;
    let manifest_path = root.join(SYNTH_MANIFEST);
    let manifest = fs::read_to_string(&manifest_path)
        .map_err(|e| format!("reading {}: {e}", manifest_path.display()))?;
    let manifest = splice_features(&manifest, &features_block(&generated.services))?;
    files.insert(PathBuf::from(SYNTH_MANIFEST), manifest);
    files.insert(
        PathBuf::from(rds_versions::OUTPUT),
        rds_versions::generate(&rds_versions::data_dir(&schema_dir))?,
    );
    let stale = stale_files(&root, &files);

    if args.notes {
        eprintln!("schema features that needed special handling:");
        for (what, count) in &generated.notes {
            eprintln!("  {count:6}  {what}");
        }
    }

    if args.check {
        let mut problems = Vec::new();
        for (rel, content) in &files {
            match fs::read_to_string(root.join(rel)) {
                Ok(existing) if existing == *content => {}
                Ok(_) => problems.push(format!("differs: {}", rel.display())),
                Err(_) => problems.push(format!("missing: {}", rel.display())),
            }
        }
        for rel in &stale {
            problems.push(format!("stale:   {}", rel.display()));
        }
        if problems.is_empty() {
            eprintln!(
                "synth-codegen: {} files up to date ({} types, {} services, cfn-lint {CFN_LINT_VERSION})",
                files.len(),
                generated.type_count,
                generated.services.len()
            );
            return Ok(true);
        }
        for p in &problems {
            eprintln!("{p}");
        }
        eprintln!(
            "synth-codegen: {} of the generated files are out of date; run `cargo run -p synth-codegen`",
            problems.len()
        );
        return Ok(false);
    }

    fs::create_dir_all(root.join(AWS_DIR)).map_err(|e| format!("creating {AWS_DIR}: {e}"))?;
    if let Some(dir) = Path::new(rds_versions::OUTPUT).parent() {
        fs::create_dir_all(root.join(dir))
            .map_err(|e| format!("creating {}: {e}", dir.display()))?;
    }
    let mut written = 0;
    for (rel, content) in &files {
        let path = root.join(rel);
        if fs::read_to_string(&path).ok().as_deref() == Some(content.as_str()) {
            continue;
        }
        fs::write(&path, content).map_err(|e| format!("writing {}: {e}", path.display()))?;
        written += 1;
    }
    for rel in &stale {
        fs::remove_file(root.join(rel)).map_err(|e| format!("removing {}: {e}", rel.display()))?;
    }
    let bytes: usize = files.values().map(String::len).sum();
    eprintln!(
        "synth-codegen: {} types in {} services from cfn-lint {CFN_LINT_VERSION}: {} files ({:.1} MB), {written} written, {} stale removed",
        generated.type_count,
        generated.services.len(),
        files.len(),
        bytes as f64 / 1e6,
        stale.len()
    );
    Ok(true)
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("synth-codegen: {e}");
            ExitCode::from(2)
        }
    }
}
