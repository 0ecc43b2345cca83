//! synth's benchmark suite: one run prints one table. See BENCHMARKS.md
//! for what each figure measures; `scripts/bench` builds in release and
//! runs it.
//!
//! ```text
//! synth-bench [--quick] [--no-deploy] [--diff-only] [--markdown FILE]
//! synth-bench child WORKLOAD RUNS WARMUP DIR    (internal: one in-process workload)
//! synth-bench diff-loop CASE RUNS               (one diff case in a loop, for profilers)
//! ```

/// The command line's allocator, so in-process figures are what `synth`
/// does.
#[global_allocator]
static ALLOCATOR: synth_cli::Allocator = synth_cli::Allocator;

mod buildbench;
mod checkbench;
mod deploybench;
mod diffbench;
mod fleetbench;
mod inproc;
mod measure;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Duration;

use measure::{mib, ms, ProcStats};

/// Figures measured earlier on this kind of machine for the AWS CDK (aws-cdk-lib 2.276, Node 20) on
/// this kind of machine: `cdk synth` of the equivalent bootstrap (31
/// resources), the app alone, and 50 stacks.
const CDK_SYNTH: (f64, f64) = (2.87, 408.0);
const CDK_APP_ALONE: f64 = 1.9;
const CDK_SYNTH_50: (f64, f64) = (4.0, 451.0);

/// The project's speed targets.
const TARGET_BOOTSTRAP: Duration = Duration::from_millis(20);
const TARGET_BOOTSTRAP_RSS_KIB: u64 = 30 * 1024;
const TARGET_50: Duration = Duration::from_millis(50);
const TARGET_FLOOR_RATIO: f64 = 3.0;
const TARGET_GROWTH: f64 = 1.5;
const TARGET_DIFF: Duration = Duration::from_millis(20);
/// The diff of a 600-resource pair, against the AWS CDK's `fullDiff`.
const TARGET_DIFF_VS_CDK: f64 = 100.0;
const TARGET_DEPLOY_OVERHEAD: Duration = Duration::from_secs(1);
/// Checking the bootstrap against the whole rule pack in process.
const TARGET_CHECK: Duration = Duration::from_millis(5);
/// A user's stack crate: clean dev build at most this, rebuild after a
/// one-line change under this.
const TARGET_USER_CLEAN: Duration = Duration::from_secs(25);
const TARGET_USER_REBUILD: Duration = Duration::from_secs(1);

/// How many runs each figure takes.
struct Plan {
    /// (N, in-process runs, in-process warm-up, process runs, process warm-up)
    sizes: Vec<(usize, usize, usize, usize, usize)>,
    bootstrap_inproc: (usize, usize),
    bootstrap_proc: (usize, usize),
    diff: (usize, usize),
    /// The 600-resource pair: (synth runs, warm-up), (CDK runs, warm-up).
    diff_cdk: ((usize, usize), (usize, usize)),
    /// The fleet view: (runs, warm-up) per configuration.
    fleet: (usize, usize),
    /// Checking the bootstrap against the rule pack: (runs, warm-up).
    check: (usize, usize),
    deploy_cycles: usize,
    /// A user's stack crate: (clean builds, rebuilds, untimed rebuilds
    /// first)
    user_crate: (usize, usize, usize),
}

impl Plan {
    fn new(quick: bool) -> Plan {
        if quick {
            Plan {
                sizes: vec![
                    (1, 20, 2, 5, 1),
                    (10, 10, 1, 5, 1),
                    (50, 5, 1, 3, 1),
                    (500, 3, 1, 2, 1),
                ],
                bootstrap_inproc: (20, 2),
                bootstrap_proc: (5, 1),
                diff: (5, 1),
                diff_cdk: ((5, 1), (3, 1)),
                fleet: (2, 0),
                check: (5, 1),
                deploy_cycles: 1,
                user_crate: (1, 1, 0),
            }
        } else {
            Plan {
                sizes: vec![
                    (1, 200, 20, 30, 3),
                    (10, 50, 5, 20, 3),
                    (50, 20, 3, 20, 3),
                    (500, 10, 2, 10, 2),
                ],
                bootstrap_inproc: (200, 20),
                bootstrap_proc: (30, 3),
                diff: (30, 3),
                diff_cdk: ((200, 20), (30, 5)),
                fleet: (10, 1),
                check: (200, 20),
                deploy_cycles: 5,
                user_crate: (3, 5, 1),
            }
        }
    }
}

struct Bins {
    bench: PathBuf,
    app: PathBuf,
    synth: PathBuf,
    stacks: PathBuf,
}

impl Bins {
    fn find() -> Result<Bins, String> {
        let bench = std::env::current_exe().map_err(|e| format!("the bench's own path: {e}"))?;
        let dir = bench.parent().unwrap_or(Path::new(".")).to_path_buf();
        let bins = Bins {
            app: dir.join("synth-bench-app"),
            synth: dir.join("synth"),
            stacks: dir.join("stacks"),
            bench,
        };
        for p in [&bins.app, &bins.synth, &bins.stacks] {
            if !p.is_file() {
                return Err(format!(
                    "{} is missing: build with `cargo build --release -p synth-bench -p synth-cli -p stacks` (scripts/bench does)",
                    p.display()
                ));
            }
        }
        Ok(bins)
    }
}

/// A clean environment for the command line and apps: no AWS settings,
/// no git repository above the working directory, no synth.toml.
/// Output directories that do not exist yet, one per call, under `base`.
/// Nothing the suite writes is deleted before it ends: on a file system
/// that skips recently freed inodes (ext4 without a journal), deleting
/// thousands of files right before a run makes each new file search past
/// them, a cost a first synthesis in a fresh checkout does not meet.
fn fresh_outs(base: PathBuf) -> impl FnMut() -> PathBuf {
    let mut n = 0;
    move || {
        n += 1;
        base.join(format!("new-{n}"))
    }
}

/// The 600-resource pair diffed by synth's engine and by the AWS CDK's.
fn versus_cdk(o: &mut Outcome, (synth, cdk): ((usize, usize), (usize, usize)), scratch: &Path) {
    eprintln!("synth-bench: diff beside the AWS CDK's engine");
    let v = diffbench::versus_cdk(synth, cdk, scratch);
    let _ = writeln!(
        o.text,
        "## Diff of a 600-resource pair beside the AWS CDK's engine

Buckets and their policies, roles and their policies, security groups and their rules (100 services of 6); both engines diff parsed templates in one process (synth: `diff_in`, {} warm-up runs, then ({} runs without node) one sample per CDK call, each the mean of as many diffs as take about as long as that call; the CDK: `fullDiff` in {}, {} runs after {} in each node process). With 10 CDK runs or more the engines take five turns, the CDK first: both are sampled over the same stretch of time, in samples that span about the same time, so that the machine's moments weigh alike on both. Medians of all samples.\n",
        synth.1,
        synth.0,
        if v.node.is_empty() { "node" } else { &v.node },
        cdk.0,
        cdk.1
    );
    let _ = writeln!(
        o.text,
        "| pair | resources old → new | changes, synth (add / change / remove / replace) | changes, CDK | synth | CDK `fullDiff` | CDK ÷ synth | target | |"
    );
    let _ = writeln!(
        o.text,
        "| --- | --- | --- | --- | ---: | ---: | ---: | --- | --- |"
    );
    for c in &v.cases {
        let counts =
            |c: (usize, usize, usize, usize)| format!("{} / {} / {} / {}", c.0, c.1, c.2, c.3);
        let (cdk_time, ratio, status) = match &c.cdk {
            Ok((median, _)) => {
                let ratio = median.as_secs_f64() / c.synth.median().as_secs_f64().max(1e-9);
                (
                    ms(*median),
                    format!("**{ratio:.0}x**"),
                    o.check(ratio >= TARGET_DIFF_VS_CDK).to_owned(),
                )
            }
            Err(e) => (
                format!("not measured: {}", e.lines().next().unwrap_or("")),
                "-".into(),
                "skipped".into(),
            ),
        };
        let _ = writeln!(
            o.text,
            "| {} | {} → {} | {} | {} | {} | {cdk_time} | {ratio} | ≥ {TARGET_DIFF_VS_CDK:.0}x | {status} |",
            c.name,
            c.resources.0,
            c.resources.1,
            counts(c.counts),
            c.cdk_counts.map_or_else(|| "-".into(), counts),
            ms(c.synth.median()),
        );
    }
    let _ = writeln!(o.text);
}

/// A table row for a process: label, median, min and peak RSS.
fn process_row(t: &mut String, label: &str, p: &ProcStats) {
    let _ = writeln!(
        t,
        "| {label} | {} | {} | {} | | |",
        ms(p.wall.median()),
        ms(p.wall.min()),
        mib(p.max_rss_kib)
    );
}

fn clean(cmd: &mut Command, dir: &Path) {
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("GIT_CEILING_DIRECTORIES", dir.parent().unwrap_or(dir))
        .env("AWS_CONFIG_FILE", "/nonexistent/synth-bench/config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/synth-bench/credentials",
        );
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or("unknown memory".into(), |kb| {
            format!("{:.1} GiB", kb / 1024.0 / 1024.0)
        });
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let output = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default()
    };
    format!(
        "{cores} cores (nproc), {cpu}, {mem} memory; Linux {}; {}",
        output("uname", &["-r"]),
        output("rustc", &["--version"])
    )
}

/// The 1-minute load average.
fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|t| t.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

fn pass(ok: bool) -> &'static str {
    if ok {
        "PASS"
    } else {
        "FAIL"
    }
}

fn per_resource(d: Duration, resources: usize) -> Duration {
    d / resources.max(1) as u32
}

fn us(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

/// Seconds, for build times.
fn seconds(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

#[derive(Default)]
struct Outcome {
    text: String,
    targets_met: usize,
    targets: usize,
}

impl Outcome {
    fn check(&mut self, ok: bool) -> &'static str {
        self.targets += 1;
        if ok {
            self.targets_met += 1;
        }
        pass(ok)
    }
}

/// The diff benchmarks: the 500-resource cases, then the 600-resource
/// pair beside the AWS CDK's engine.
fn diff_sections(o: &mut Outcome, plan: &Plan, scratch: &Path) {
    // --- Diff ------------------------------------------------------------
    eprintln!("synth-bench: diff");
    let (runs, warmup) = plan.diff;
    let cases = diffbench::run(runs, warmup);
    let t = &mut o.text;
    let _ = writeln!(t, "## Diff of two 500-resource templates\n");
    let _ = writeln!(
        t,
        "| case | resources old → new | changes (add / change / remove / replace) | parse both | diff | render | total | target | |"
    );
    let _ = writeln!(
        t,
        "| --- | --- | --- | ---: | ---: | ---: | ---: | --- | --- |"
    );
    let mut diff_rows = Vec::new();
    for c in &cases {
        let ok = c.total.median() <= TARGET_DIFF;
        diff_rows.push((c, ok));
    }
    for (c, ok) in diff_rows {
        let status = o.check(ok);
        let _ = writeln!(
            o.text,
            "| {} | {} → {} ({} → {} KiB) | {} / {} / {} / {}{} | {} | {} | {} | **{}** | ≤ 20 ms | {status} |",
            c.name,
            c.old_resources,
            c.new_resources,
            c.old_bytes / 1024,
            c.new_bytes / 1024,
            c.counts.0,
            c.counts.1,
            c.counts.2,
            c.counts.3,
            if c.broadening { ", broadening" } else { "" },
            ms(c.parse.median()),
            ms(c.diff.median()),
            ms(c.render.median()),
            ms(c.total.median()),
        );
    }
    let _ = writeln!(o.text);
    versus_cdk(o, plan.diff_cdk, scratch);
}

/// This run's scratch directory, removed when the run ends, whether it
/// succeeded or not: a clean build of the user's crate alone leaves
/// hundreds of megabytes in it.
struct Scratch(PathBuf);

impl Scratch {
    /// An empty scratch directory for this run.
    fn fresh() -> Result<Scratch, String> {
        let dir = std::env::temp_dir().join(format!("synth-bench-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        Ok(Scratch(dir))
    }
}

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Only the diff benchmarks (`--diff-only`): no binaries or servers needed.
fn bench_diff(quick: bool) -> Result<Outcome, String> {
    let plan = Plan::new(quick);
    let scratch = Scratch::fresh()?;
    let mut o = Outcome::default();
    diff_sections(&mut o, &plan, &scratch);
    Ok(o)
}

fn bench(quick: bool, deploy: bool) -> Result<Outcome, String> {
    let bins = Bins::find()?;
    let plan = Plan::new(quick);
    let scratch = Scratch::fresh()?;
    let mut o = Outcome::default();
    let progress = |what: &str| eprintln!("synth-bench: {what}");

    let cli_dir = scratch.join("cli");
    std::fs::create_dir_all(&cli_dir).map_err(|e| e.to_string())?;

    // --- First synthesis, before the suite has deleted anything ----------
    let (runs, warmup) = plan.bootstrap_proc;
    progress("bootstrap, whole command, first synthesis");
    let mut next_out = fresh_outs(cli_dir.join("first"));
    let whole = measure::processes(warmup, runs, &scratch, || {
        let mut c = Command::new(&bins.synth);
        clean(&mut c, &cli_dir);
        c.arg("--app")
            .arg(&bins.stacks)
            .arg("--out")
            .arg(next_out());
        c
    });
    let mut first_runs = Vec::new();
    for &(n, _, _, pruns, pwarmup) in &plan.sizes {
        progress(&format!("{n} copies, whole command, first synthesis"));
        let command = format!("{} {n}", bins.app.display());
        let mut next_out = fresh_outs(cli_dir.join(format!("first-{n}")));
        first_runs.push(measure::processes(pwarmup, pruns, &scratch, || {
            let mut c = Command::new(&bins.synth);
            clean(&mut c, &cli_dir);
            c.args(["--app", &command]).arg("--out").arg(next_out());
            c
        }));
    }

    // --- The bootstrap -------------------------------------------------
    progress("bootstrap, in process");
    let (runs, warmup) = plan.bootstrap_inproc;
    let lib = inproc::measure(&bins.bench, "bootstrap", runs, warmup, &scratch);

    let existing = scratch.join("assembly-bootstrap");
    {
        let mut app = synth::App::new();
        stacks::define(&mut app);
        app.synth()
            .map_err(|e| e.to_string())?
            .write(&existing)
            .map_err(|e| e.to_string())?;
    }
    let (runs, warmup) = plan.bootstrap_proc;
    progress("bootstrap, app binary alone");
    let app_alone = measure::processes(warmup, runs, &scratch, || {
        let mut c = Command::new(&bins.stacks);
        clean(&mut c, &cli_dir);
        c.env("SYNTH_OUTDIR", cli_dir.join("out-app"));
        c
    });
    progress("bootstrap, command line on an existing assembly");
    let cli_only = measure::processes(warmup, runs, &scratch, || {
        let mut c = Command::new(&bins.synth);
        clean(&mut c, &cli_dir);
        c.arg("--app").arg(&existing);
        c
    });
    progress("bootstrap, whole command, re-synthesis");
    let again = measure::processes(warmup, runs, &scratch, || {
        let mut c = Command::new(&bins.synth);
        clean(&mut c, &cli_dir);
        c.arg("--app")
            .arg(&bins.stacks)
            .arg("--out")
            .arg(cli_dir.join("out"));
        c
    });
    let shell = measure::processes(warmup, runs, &scratch, || {
        let mut c = Command::new("sh");
        clean(&mut c, &cli_dir);
        c.args(["-c", "true"]);
        c
    });

    let t = &mut o.text;
    let _ = writeln!(
        t,
        "## Synthesis of the bootstrap ({} resources, 1 stack)\n",
        lib.resources
    );
    let _ = writeln!(t, "| what | median | min | peak RSS | target | |");
    let _ = writeln!(t, "| --- | ---: | ---: | ---: | --- | --- |");
    let _ = writeln!(
        t,
        "| library: `stacks::define` + `App::synth()` (in process) | {} | {} | {} | | |",
        ms(lib.total.median()),
        ms(lib.total.min()),
        mib(lib.max_rss_kib)
    );
    let _ = writeln!(
        t,
        "| library: ... + `Assembly::write` (new `out/`) | {} | {} | | | |",
        ms(lib.total.median() + lib.write_new.median()),
        ms(lib.total.min() + lib.write_new.min()),
    );
    process_row(t, "app binary alone (`target/release/stacks`)", &app_alone);
    process_row(
        t,
        "command line alone (`synth --app <assembly dir>`, no app run)",
        &cli_only,
    );
    process_row(
        t,
        "`sh -c true` (the shell `synth` runs the app with)",
        &shell,
    );
    let ok_time = whole.wall.median() <= TARGET_BOOTSTRAP;
    let ok_rss = whole.max_rss_kib <= TARGET_BOOTSTRAP_RSS_KIB;
    let status = format!("{} / {}", o.check(ok_time), o.check(ok_rss));
    let t = &mut o.text;
    let _ = writeln!(
        t,
        "| **whole command: `synth --app target/release/stacks`, first synthesis (no `out/` yet)** | **{}** | {} | **{}** | ≤ 20 ms, ≤ 30 MiB | {status} |",
        ms(whole.wall.median()),
        ms(whole.wall.min()),
        mib(whole.max_rss_kib)
    );
    process_row(
        t,
        "whole command, re-synthesis (the previous `out/` in place)",
        &again,
    );
    let _ = writeln!(
        t,
        "\nIn process: define {} + synth {} (of which the serde_json floor {}) + write {} into a new directory ({} over the previous assembly).\n",
        ms(lib.define.median()),
        ms(lib.synth.median()),
        ms(lib.serde.median()),
        ms(lib.write_new.median()),
        ms(lib.write.median())
    );

    // --- N copies --------------------------------------------------------
    let mut rows = Vec::new();
    for (&(n, runs, warmup, pruns, pwarmup), p) in plan.sizes.iter().zip(first_runs) {
        progress(&format!("{n} copies, in process"));
        let r = inproc::measure(&bins.bench, &format!("copies:{n}"), runs, warmup, &scratch);
        progress(&format!("{n} copies, app alone and whole command"));
        let out = cli_dir.join(format!("out-{n}"));
        let alone: ProcStats = measure::processes(pwarmup, pruns, &scratch, || {
            let mut c = Command::new(&bins.app);
            clean(&mut c, &cli_dir);
            c.arg(n.to_string()).env("SYNTH_OUTDIR", &out);
            c
        });
        let command = format!("{} {n}", bins.app.display());
        let again: ProcStats = measure::processes(pwarmup, pruns, &scratch, || {
            let mut c = Command::new(&bins.synth);
            clean(&mut c, &cli_dir);
            c.args(["--app", &command]).arg("--out").arg(&out);
            c
        });
        rows.push((n, r, alone, p, again));
    }
    let t = &mut o.text;
    let _ = writeln!(
        t,
        "## N copies of the bootstrap (N stacks of 35 resources)\n"
    );
    let _ = writeln!(
        t,
        "| N | resources | templates | define | `synth()` | serde_json floor | `synth()` / floor | define + synth per resource | write: new / over previous | peak RSS in process | app alone | whole command, first | per resource | re-synthesis | peak RSS |"
    );
    let _ = writeln!(
        t,
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    );
    let mut ratio_fail = Vec::new();
    for (n, r, alone, p, again) in &rows {
        let ratio = secs(r.synth.median()) / secs(r.serde.median()).max(1e-9);
        if ratio > TARGET_FLOOR_RATIO {
            ratio_fail.push(*n);
        }
        let _ = writeln!(
            t,
            "| {n} | {} | {:.1} MiB | {} | {} | {} | {ratio:.1}x | {} | {} / {} | {} | {} | **{}** | {} | {} | {} |",
            r.resources,
            r.bytes as f64 / 1048576.0,
            ms(r.define.median()),
            ms(r.synth.median()),
            ms(r.serde.median()),
            us(per_resource(r.total.median(), r.resources)),
            ms(r.write_new.median()),
            ms(r.write.median()),
            mib(r.max_rss_kib),
            ms(alone.wall.median()),
            ms(p.wall.median()),
            us(per_resource(p.wall.median(), r.resources)),
            ms(again.wall.median()),
            mib(p.max_rss_kib.max(again.max_rss_kib)),
        );
    }
    let find = |n: usize| rows.iter().find(|(m, ..)| *m == n);
    let mut targets = String::new();
    if let Some((_, r, _, p, _)) = find(50) {
        let ok = p.wall.median() <= TARGET_50;
        let _ = writeln!(
            targets,
            "- 50 stacks ({} resources), whole command, first synthesis: {} (target ≤ 50 ms): {}",
            r.resources,
            ms(p.wall.median()),
            o.check(ok)
        );
    }
    let ok = ratio_fail.is_empty();
    let _ = writeln!(
        targets,
        "- synthesis (`App::synth()`) within 3x of the serde_json floor at every N: {}{}",
        o.check(ok),
        if ok {
            String::new()
        } else {
            format!(" (over at N = {ratio_fail:?})")
        }
    );
    if let (Some((_, r10, _, p10, _)), Some((_, r500, _, p500, _))) = (find(10), find(500)) {
        let a = per_resource(r10.total.median(), r10.resources);
        let b = per_resource(r500.total.median(), r500.resources);
        let g = secs(b) / secs(a).max(1e-12);
        let _ = writeln!(
            targets,
            "- growth, in process (define + synth): {} per resource at N=500 vs {} at N=10 = {g:.2}x (target ≤ 1.5x): {}",
            us(b),
            us(a),
            o.check(g <= TARGET_GROWTH)
        );
        let a = per_resource(p10.wall.median(), r10.resources);
        let b = per_resource(p500.wall.median(), r500.resources);
        let g = secs(b) / secs(a).max(1e-12);
        let _ = writeln!(
            targets,
            "- growth, whole command, first synthesis: {} per resource at N=500 vs {} at N=10 = {g:.2}x (target ≤ 1.5x): {}",
            us(b),
            us(a),
            o.check(g <= TARGET_GROWTH)
        );
    }
    let t = &mut o.text;
    let _ = writeln!(t, "\n{targets}");

    diff_sections(&mut o, &plan, &scratch);

    // --- Fleet view --------------------------------------------------------
    progress("fleet view of 10 regions");
    let (runs, warmup) = plan.fleet;
    let cases = fleetbench::run(&bins.synth, runs, warmup, &scratch)?;
    let t = &mut o.text;
    let _ = writeln!(
        t,
        "## Fleet view of {} regions against a scripted server on loopback\n",
        fleetbench::REGIONS.len()
    );
    let _ = writeln!(
        t,
        "Each region: its branch, the bootstrap deployed one commit behind, its assembly diffed against the deployed template, drift detected (one modified resource). `synth fleet --assemblies DIR --format json`.\n"
    );
    let _ = writeln!(t, "| server | requests | median | min | peak RSS |");
    let _ = writeln!(t, "| --- | ---: | ---: | ---: | ---: |");
    for c in &cases {
        let _ = writeln!(
            t,
            "| {} | {} | **{}** | {} | {} |",
            c.label,
            c.requests,
            ms(c.stats.wall.median()),
            ms(c.stats.wall.min()),
            mib(c.stats.max_rss_kib)
        );
    }
    let _ = writeln!(t);

    // --- Policy check --------------------------------------------------------
    progress("checking the bootstrap against the rule pack");
    let (runs, warmup) = plan.check;
    let checked = checkbench::run(
        &existing.join(format!("{}.template.json", stacks::STACK)),
        runs,
        warmup,
        &scratch,
    )?;
    let t = &mut o.text;
    let _ = writeln!(
        t,
        "## Checking the bootstrap ({} resources) against the built-in rule pack ({} findings)\n",
        checked.resources, checked.findings
    );
    let _ = writeln!(t, "| how | median | min | target | |");
    let _ = writeln!(t, "| --- | ---: | ---: | --- | --- |");
    for (i, c) in checked.cases.iter().enumerate() {
        let (target, status) = if i == 0 {
            ("≤ 5 ms", o.check(c.median <= TARGET_CHECK))
        } else {
            ("", "")
        };
        let _ = writeln!(
            o.text,
            "| {} | **{}** | {} | {target} | {status} |",
            c.label,
            ms(c.median),
            ms(c.min)
        );
    }
    for s in &checked.skipped {
        let _ = writeln!(o.text, "\nNot measured: {s}.");
    }
    let _ = writeln!(o.text);

    // --- Deploy ----------------------------------------------------------
    if deploy {
        progress("deploy cycle against moto");
        match deploybench::run(&bins.synth, plan.deploy_cycles, &scratch) {
            None => {
                let _ = writeln!(
                    o.text,
                    "## Deploy against moto\n\nSkipped: moto is not installed in .venv (run scripts/setup-python).\n"
                );
            }
            Some(d) => {
                let t = &mut o.text;
                let _ = writeln!(
                    t,
                    "## Deploy, no-change redeploy and destroy against moto on loopback ({} cycles; moto started in {})\n",
                    d.cycles,
                    ms(d.moto_startup)
                );
                let _ = writeln!(
                    t,
                    "| operation | requests | `synth` wall | via proxy: `synth` wall | moto's time | **`synth` overhead** | minimal client replay | `synth` CPU | peak RSS | target | |"
                );
                let _ = writeln!(
                    t,
                    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"
                );
                let mut detail = String::new();
                for (op, r) in &d.ops {
                    let ok = r.overhead.median() <= TARGET_DEPLOY_OVERHEAD;
                    let status = o.check(ok);
                    let _ = writeln!(
                        o.text,
                        "| {} | {} | {} | {} | {} | **{}** | {} | {} | {} | ≤ 1 s overhead | {status} |",
                        op.label(),
                        r.request_count(),
                        ms(r.cli.median()),
                        ms(r.cli_proxied.median()),
                        ms(r.server.median()),
                        ms(r.overhead.median()),
                        ms(r.replay.median()),
                        ms(r.cpu.median()),
                        mib(r.max_rss_kib),
                    );
                    let calls: Vec<String> = r
                        .requests
                        .iter()
                        .map(|(a, n)| format!("{a} ×{n}"))
                        .collect();
                    let _ = writeln!(
                        detail,
                        "- {}: {}; direct wall minus replay (medians): {}",
                        op.label(),
                        calls.join(", "),
                        ms(r.direct_minus_replay())
                    );
                }
                let _ = writeln!(
                    o.text,
                    "\nOverhead is paired: in each run through the timing proxy, `synth`'s wall time minus moto's time answering its requests (medians of those differences). Requests the command line made:\n\n{detail}\nmoto 5.2.5 cannot delete the bootstrap (DeleteStack fails with DependencyViolation on its VPC), so destroy deletes `GitlabIam`: the bootstrap's CI/CD user and three roles plus 25 SSM parameters with their ARNs.\n"
                );
            }
        }
    }

    // --- A user's stack crate ----------------------------------------------
    progress("a user's stack crate: clean build and rebuilds");
    let (clean_runs, rebuilds, warmup) = plan.user_crate;
    let b = buildbench::run(&scratch, clean_runs, rebuilds, warmup)?;
    let clean_status = o.check(b.clean.median() <= TARGET_USER_CLEAN);
    let rebuild_status = o.check(b.rebuild.median() < TARGET_USER_REBUILD);
    let build = if b.offline {
        "cargo build --offline"
    } else {
        "cargo build"
    };
    let t = &mut o.text;
    let _ = writeln!(
        t,
        "## Build time of a user's stack crate (dev profile; one stack of {} resources)\n",
        b.resources
    );
    let _ = writeln!(t, "| what | runs | median | min | target | |");
    let _ = writeln!(t, "| --- | ---: | ---: | ---: | --- | --- |");
    let _ = writeln!(
        t,
        "| **clean `{build}`** (`synth` and its dependencies, a new target directory) | {} | **{}** | {} | ≤ 25 s | {clean_status} |",
        b.clean.samples.len(),
        seconds(b.clean.median()),
        seconds(b.clean.min()),
    );
    let _ = writeln!(
        t,
        "| **rebuild after a one-line change to `main.rs`** | {} | **{}** | {} | < 1 s | {rebuild_status} |",
        b.rebuild.samples.len(),
        seconds(b.rebuild.median()),
        seconds(b.rebuild.min()),
    );
    let _ = writeln!(
        t,
        "\nA crate outside the workspace with its own `[workspace]` and target directory, the workspace's `Cargo.lock`, and `synth` by path with default features.\n"
    );

    // --- The AWS CDK -----------------------------------------------------
    let t = &mut o.text;
    let _ = writeln!(
        t,
        "## Beside the AWS CDK (aws-cdk-lib 2.276, Node 20; figures measured earlier on this kind of machine)\n"
    );
    let _ = writeln!(t, "| | AWS CDK | synth | faster by |");
    let _ = writeln!(t, "| --- | ---: | ---: | ---: |");
    let _ = writeln!(
        t,
        "| bootstrap, whole command (`cdk synth` / `synth`) | {:.2} s, {:.0} MiB | {}, {} | {:.0}x |",
        CDK_SYNTH.0,
        CDK_SYNTH.1,
        ms(whole.wall.median()),
        mib(whole.max_rss_kib),
        CDK_SYNTH.0 / secs(whole.wall.median()).max(1e-9)
    );
    let _ = writeln!(
        t,
        "| bootstrap, app alone | {:.1} s | {} | {:.0}x |",
        CDK_APP_ALONE,
        ms(app_alone.wall.median()),
        CDK_APP_ALONE / secs(app_alone.wall.median()).max(1e-9)
    );
    if let Some((_, _, _, p, _)) = find(50) {
        let _ = writeln!(
            t,
            "| 50 stacks, whole command | {:.1} s, {:.0} MiB | {}, {} | {:.0}x |",
            CDK_SYNTH_50.0,
            CDK_SYNTH_50.1,
            ms(p.wall.median()),
            mib(p.max_rss_kib),
            CDK_SYNTH_50.0 / secs(p.wall.median()).max(1e-9)
        );
    }
    let _ = writeln!(t);
    Ok(o)
}

fn usage() -> ExitCode {
    eprintln!("usage: synth-bench [--quick] [--no-deploy] [--diff-only] [--markdown FILE]");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("child") {
        let [_, workload, runs, warmup, dir] = args.as_slice() else {
            return usage();
        };
        let (Ok(runs), Ok(warmup)) = (runs.parse(), warmup.parse()) else {
            return usage();
        };
        inproc::child(workload, runs, warmup, Path::new(dir));
        return ExitCode::SUCCESS;
    }
    if args.first().map(String::as_str) == Some("diff-loop") {
        let [_, case, runs] = args.as_slice() else {
            return usage();
        };
        let Ok(runs) = runs.parse() else {
            return usage();
        };
        return match diffbench::profile_loop(case, runs) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("synth-bench: {e}");
                ExitCode::from(2)
            }
        };
    }
    let (mut quick, mut deploy, mut markdown, mut diff_only) = (false, true, None, false);
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => quick = true,
            "--no-deploy" => deploy = false,
            "--diff-only" => diff_only = true,
            "--markdown" => match it.next() {
                Some(p) => markdown = Some(PathBuf::from(p)),
                None => return usage(),
            },
            "-h" | "--help" => {
                let _ = usage();
                return ExitCode::SUCCESS;
            }
            _ => return usage(),
        }
    }
    let started = std::time::Instant::now();
    let load_before = loadavg();
    let result = if diff_only {
        bench_diff(quick)
    } else {
        bench(quick, deploy)
    };
    let outcome = match result {
        Ok(o) => o,
        Err(e) => {
            eprintln!("synth-bench: {e}");
            return ExitCode::from(1);
        }
    };
    let mut report = String::new();
    let _ = writeln!(
        report,
        "# synth benchmarks{}\n\nMachine: {}. Load average (1 min) {} before the run, {} after: the cores are shared, so figures move with what else runs.\n",
        if quick { " (--quick: fewer runs)" } else { "" },
        machine(),
        load_before,
        loadavg()
    );
    report.push_str(&outcome.text);
    let _ = writeln!(
        report,
        "Targets met: {} of {}. Suite ran in {:.0} s.",
        outcome.targets_met,
        outcome.targets,
        started.elapsed().as_secs_f64()
    );
    print!("{report}");
    if let Some(path) = markdown {
        if let Err(e) = std::fs::write(&path, &report) {
            eprintln!("synth-bench: cannot write {}: {e}", path.display());
            return ExitCode::from(1);
        }
    }
    ExitCode::SUCCESS
}
