//! The assembly a branch head deploys, synthesized from the head itself:
//! its tree is written to a temporary directory (git's own checkout state
//! is not touched) and its app runs there as `synth` would run it, with
//! the branch's region.

use std::path::{Path, PathBuf};

use git2::build::CheckoutBuilder;
use git2::{Oid, Repository};
use synth::manifest::TemplateFormat;

use crate::assembly::{self, AppEnv, AppOrigin};
use crate::config::ProjectConfig;
use crate::context::DEFAULT_APP;
use crate::error::{Error, Result};

/// A temporary directory removed when dropped.
pub struct Scratch(pub PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Synthesizes `head` for `region` under `scratch`; returns the assembly
/// directory. The app is the head's `synth.toml` `app` (else `cargo run
/// --quiet`), run where that `synth.toml` is; its build directory is
/// whatever `CARGO_TARGET_DIR` says, so setting it shares one build.
pub fn head_assembly(
    repo: &Repository,
    head: &str,
    region: &str,
    scratch: &Path,
) -> Result<PathBuf> {
    let src = scratch.join(format!("{region}-src"));
    let out = scratch.join(format!("{region}-out"));
    let commit = Oid::from_str(head)
        .and_then(|id| repo.find_commit(id))
        .map_err(|e| Error::failed(format!("cannot read commit {head}: {}", e.message())))?;
    std::fs::create_dir_all(&src)
        .map_err(|e| Error::failed(format!("cannot create {}: {e}", src.display())))?;
    repo.checkout_tree(
        commit.as_object(),
        Some(CheckoutBuilder::new().target_dir(&src).force()),
    )
    .map_err(|e| Error::failed(format!("cannot write out commit {head}: {}", e.message())))?;
    // A synth.toml above the scratch directory is not the head's.
    let config = ProjectConfig::find(&src)?.filter(|c| c.dir.starts_with(&src));
    let (command, dir, origin, context) = match config {
        Some(c) => (
            c.app.clone().unwrap_or_else(|| DEFAULT_APP.to_owned()),
            c.dir.clone(),
            AppOrigin::Config(c.path.clone()),
            c.context.clone(),
        ),
        None => (
            DEFAULT_APP.to_owned(),
            src.clone(),
            AppOrigin::Default,
            Default::default(),
        ),
    };
    let env = AppEnv {
        outdir: out.clone(),
        region: Some(region.to_owned()),
        format: TemplateFormat::Json,
        context,
    };
    assembly::run_app(&command, &dir, &origin, &env, &out)?;
    assembly::read_written(&out, &out, &command)?;
    Ok(out)
}
