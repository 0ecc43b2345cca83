//! Build time of a user's stack crate: a crate outside the workspace (a
//! `[workspace]` of its own) that depends on `synth` by path with default
//! features and defines one small stack in `main.rs`, as a team's own
//! stacks binary does. Timed: a clean `cargo build` (dev profile) into a
//! new target directory, and rebuilds after a one-line change to `main.rs`.
//!
//! The crate gets the workspace's `Cargo.lock`, so it builds the versions
//! the workspace already fetched; `cargo build --offline` when that lock
//! resolves without the network (checked untimed with `cargo fetch
//! --offline`), else plain `cargo build`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::measure::{self, Stats};

/// The stack crate's package (and binary) name.
const CRATE: &str = "user-stacks";

/// What was measured.
pub struct BuildTimes {
    /// Clean builds, each into a new target directory.
    pub clean: Stats,
    /// Rebuilds after a one-line change to `main.rs`.
    pub rebuild: Stats,
    /// Whether the builds ran with `--offline`.
    pub offline: bool,
    /// The resources of the crate's stack (from its manifest.json).
    pub resources: usize,
}

/// The workspace's root directory (the parent of this crate).
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the bench crate lives inside the workspace")
        .to_path_buf()
}

/// The crate's `main.rs`; `revision` changes one string literal, the
/// one-line change a rebuild sees.
fn main_rs(revision: usize) -> String {
    format!(
        r#"//! A team's stacks: a network and an instance role.

use synth::aws::ec2::{{CfnSecurityGroup, CfnSubnet, CfnVpc}};
use synth::iam::{{Principal, Role}};
use synth::prelude::*;

fn main() -> std::process::ExitCode {{
    let mut app = App::from_env();
    let stack = app.stack("Network");
    stack
        .description("Network and instance role, revision {revision}")
        .tag("team", "platform");
    let vpc = stack.add("Vpc", CfnVpc::new().cidr_block("10.0.0.0/16"));
    let subnet = stack.add(
        "Subnet",
        CfnSubnet::new(vpc.vpc_id())
            .cidr_block("10.0.0.0/24")
            .availability_zone(fns::select(0, fns::get_azs())),
    );
    let group = stack.add(
        "WebSecurityGroup",
        CfnSecurityGroup::new("web servers").vpc_id(vpc.vpc_id()),
    );
    let role = stack.add(
        "InstanceRole",
        Role::assumed_by(Principal::service("ec2.amazonaws.com")).description("web server instances"),
    );
    stack.output("SubnetId", subnet.subnet_id()).export("network-subnet");
    stack.output("WebSecurityGroupId", group.group_id());
    stack.output("InstanceRoleArn", role.arn());
    app.run()
}}
"#
    )
}

/// `cargo` as the environment names it (under `cargo run`), else from PATH.
fn cargo() -> PathBuf {
    std::env::var_os("CARGO")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("cargo"))
}

/// A cargo command in the crate's directory building into `target`: the
/// inherited environment (HOME, the toolchain, the fetched crates) without
/// what would change how it builds (another target directory, a compiler
/// wrapper, incremental compilation turned off).
fn cargo_in(dir: &Path, target: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(cargo());
    cmd.current_dir(dir)
        .args(args)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("CARGO_BUILD_TARGET_DIR")
        .env_remove("RUSTC_WRAPPER")
        .env_remove("CARGO_BUILD_RUSTC_WRAPPER")
        .env_remove("CARGO_INCREMENTAL")
        .env_remove("CARGO_MANIFEST_DIR");
    cmd
}

/// Runs `cmd` once, timed; an error carries its stderr.
fn timed(cmd: &mut Command, scratch: &Path, what: &str) -> Result<measure::ProcRun, String> {
    let err = scratch.join("user-crate-stderr.txt");
    let r = measure::run(cmd, None, Some(&err));
    if r.code != Some(0) {
        return Err(format!(
            "{what} failed ({:?}):\n{}",
            r.code,
            std::fs::read_to_string(&err).unwrap_or_default()
        ));
    }
    Ok(r)
}

/// Writes the crate into `scratch`, then times `clean_runs` clean builds
/// (each into a new target directory) and `rebuilds` rebuilds after
/// `warmup` untimed ones, each after a one-line change to `main.rs`.
/// Finally runs the built app once to check it synthesizes.
pub fn run(
    scratch: &Path,
    clean_runs: usize,
    rebuilds: usize,
    warmup: usize,
) -> Result<BuildTimes, String> {
    let root = workspace_root();
    let dir = scratch.join(CRATE);
    let io = |what: &str, e: std::io::Error| format!("{what}: {e}");
    std::fs::create_dir_all(dir.join("src")).map_err(|e| io("creating the crate", e))?;
    let manifest = format!(
        "[package]\nname = \"{CRATE}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\nsynth = {{ path = {:?} }}\n\n# Not part of any workspace above it.\n[workspace]\n",
        root.join("synth").display().to_string()
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).map_err(|e| io("Cargo.toml", e))?;
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))
        .map_err(|e| io("copying the workspace's Cargo.lock", e))?;
    let write_main = |revision: usize| {
        std::fs::write(dir.join("src/main.rs"), main_rs(revision)).map_err(|e| io("main.rs", e))
    };
    write_main(0)?;

    // Untimed: settle the lock (the crate's own package joins it, unused
    // entries leave) and find out whether it resolves offline.
    let probe_target = scratch.join("user-target-probe");
    let offline = timed(
        &mut cargo_in(&dir, &probe_target, &["fetch", "--offline"]),
        scratch,
        "cargo fetch --offline",
    )
    .is_ok();
    if !offline {
        timed(
            &mut cargo_in(&dir, &probe_target, &["fetch"]),
            scratch,
            "cargo fetch",
        )?;
    }
    let build_args: &[&str] = if offline {
        &["build", "--offline"]
    } else {
        &["build"]
    };

    let mut clean = Vec::new();
    let mut target = PathBuf::new();
    for i in 0..clean_runs.max(1) {
        // A new target directory each time; nothing is deleted before the
        // suite ends.
        target = scratch.join(format!("user-target-{i}"));
        let r = timed(
            &mut cargo_in(&dir, &target, build_args),
            scratch,
            "clean cargo build of the user's stack crate",
        )?;
        clean.push(r.wall);
    }

    let mut rebuild = Vec::new();
    for i in 0..warmup + rebuilds.max(1) {
        write_main(i + 1)?;
        let r = timed(
            &mut cargo_in(&dir, &target, build_args),
            scratch,
            "rebuild of the user's stack crate",
        )?;
        if i >= warmup {
            rebuild.push(r.wall);
        }
    }

    // The built app is a working one: it synthesizes its stack.
    let out = scratch.join("user-crate-out");
    let mut app = Command::new(target.join("debug").join(CRATE));
    app.current_dir(&dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("SYNTH_OUTDIR", &out);
    timed(&mut app, scratch, "the user's stack crate's app")?;
    let manifest = synth::manifest::Manifest::read(&out)
        .map_err(|e| format!("the user's stack crate's app: {e}"))?;
    let resources = manifest.stacks.iter().map(|s| s.resources).sum();

    Ok(BuildTimes {
        clean: Stats::new(clean),
        rebuild: Stats::new(rebuild),
        offline,
        resources,
    })
}
