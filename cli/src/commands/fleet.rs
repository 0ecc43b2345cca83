//! `synth fleet`: every `region/<region>` branch against what runs in its
//! region, as a text table, Markdown or JSON.

use std::path::PathBuf;
use std::time::Duration;

use git2::Repository;

use crate::cli::{DiffFormat, FleetArgs};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::fleet::{self, branches, render};

pub fn run(ctx: &Context, args: &FleetArgs) -> Result<()> {
    let repo = open_repository(ctx)?;
    let found = branches::region_branches(&repo)
        .map_err(|e| Error::failed(format!("cannot read the branches: {}", e.message())))?;
    if found.is_empty() {
        return Err(Error::usage(
            "this repository has no region/<region> branch (local or remote-tracking); create one per region, e.g. region/us-east-2, or fetch them (git fetch origin 'refs/heads/region/*:refs/remotes/origin/region/*')",
        ));
    }
    if let Some(dir) = &args.assemblies {
        if !dir.is_dir() {
            return Err(Error::usage(format!(
                "--assemblies {}: no such directory; it holds one assembly per region (DIR/<region>/manifest.json)",
                dir.display()
            )));
        }
    }
    // The assembly of each head: from --assemblies, else (--synthesize)
    // synthesized from the head.
    let mut assemblies = std::collections::BTreeMap::new();
    let mut synth_errors = std::collections::BTreeMap::new();
    let scratch = fleet::synthesize::Scratch(
        std::env::temp_dir().join(format!("synth-fleet-{}", std::process::id())),
    );
    for b in &found {
        if synth::regions::Region::find(&b.region).is_none() {
            continue;
        }
        let given = args
            .assemblies
            .as_ref()
            .map(|d| ctx.cwd.join(d).join(&b.region));
        match given {
            Some(dir) if dir.join(synth::manifest::MANIFEST_FILE).is_file() => {
                assemblies.insert(b.region.clone(), dir);
            }
            _ if args.synthesize => {
                ctx.ui.info(format!(
                    "synthesizing {} ({}) for {}",
                    b.branch,
                    render::short(&b.head),
                    b.region
                ));
                match fleet::synthesize::head_assembly(&repo, &b.head, &b.region, &scratch.0) {
                    Ok(dir) => {
                        assemblies.insert(b.region.clone(), dir);
                    }
                    Err(e) => {
                        synth_errors.insert(b.region.clone(), e.to_string());
                    }
                }
            }
            _ => {}
        }
    }
    let opts = fleet::Options {
        assemblies,
        drift: !args.no_drift,
        concurrency: usize::from(args.concurrency),
        endpoints: args.endpoints.iter().cloned().collect(),
        timeout: Duration::from_secs(args.timeout),
    };
    let runtime = crate::aws::runtime()?;
    let mut rows = runtime.block_on(fleet::read(found, &opts));
    drop(scratch);
    for row in &mut rows {
        row.pending_error = synth_errors.remove(&row.region);
    }
    fleet::settle(&mut rows, &repo, opts.drift);

    for (path, text) in [
        (&args.markdown_file, render::markdown(&rows)),
        (&args.json_file, render::json(&rows)),
    ] {
        if let Some(path) = path {
            write(path, &text)?;
        }
    }
    let out = match args.format {
        DiffFormat::Text => render::text(&rows),
        DiffFormat::Markdown => render::markdown(&rows),
        DiffFormat::Json => render::json(&rows),
    };
    ctx.ui.out(out.trim_end());

    let drifted: Vec<&str> = rows
        .iter()
        .filter(|r| r.has_drift())
        .map(|r| r.region.as_str())
        .collect();
    let failed: Vec<&str> = rows
        .iter()
        .filter(|r| r.error.is_some())
        .map(|r| r.region.as_str())
        .collect();
    if args.fail && !(drifted.is_empty() && failed.is_empty()) {
        let mut parts = Vec::new();
        if !drifted.is_empty() {
            parts.push(format!("drift in {}", drifted.join(", ")));
        }
        if !failed.is_empty() {
            parts.push(format!("could not read {}", failed.join(", ")));
        }
        return Err(Error::failed(format!("{} (--fail)", parts.join("; "))));
    }
    Ok(())
}

fn write(path: &PathBuf, text: &str) -> Result<()> {
    std::fs::write(path, text)
        .map_err(|e| Error::failed(format!("cannot write {}: {e}", path.display())))
}

/// The repository around the current directory (discovery stops at
/// `GIT_CEILING_DIRECTORIES`, as git's does).
fn open_repository(ctx: &Context) -> Result<Repository> {
    crate::git::discover(&ctx.cwd, &ctx.env).map_err(|e| {
        if e.code() == git2::ErrorCode::NotFound {
            Error::usage("synth fleet reads the region/<region> branches of a git repository, and there is none here; run it in a clone of the project")
        } else {
            Error::failed(format!("cannot open the git repository: {}", e.message()))
        }
    })
}
