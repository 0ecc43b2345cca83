//! In-process synthesis, run in a child process of the bench binary per
//! workload so that its peak memory is that workload's alone:
//! `synth-bench child WORKLOAD RUNS WARMUP DIR` prints one JSON line.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{json, Value as Json};
use synth::App;

use crate::measure::{self, Stats};

/// What one workload measured.
#[derive(Clone, Debug, Default)]
pub struct InProcess {
    pub resources: usize,
    /// Bytes of all templates.
    pub bytes: usize,
    /// Building the construct tree (`stacks::define`, the user's code).
    pub define: Stats,
    /// `App::synth()`: logical IDs, references, tags, validation, and
    /// rendering the templates to text.
    pub synth: Stats,
    /// `define` + `synth`: what an app does before writing.
    pub total: Stats,
    /// `Assembly::write` over the previous assembly, as a re-synthesis
    /// does (unchanged templates are linked, not written).
    pub write: Stats,
    /// `Assembly::write` into a directory that does not exist yet, as the
    /// first synthesis in a fresh checkout does.
    pub write_new: Stats,
    /// serde_json serializing the same templates (`to_string_pretty` of
    /// each template as a `serde_json::Value`, parsed untimed from the
    /// written text): the floor.
    pub serde: Stats,
    /// Peak RSS of the child process, KiB.
    pub max_rss_kib: u64,
}

/// The workloads: the bundled app, or N copies of it.
pub fn define(workload: &str, app: &mut App) {
    match workload {
        "bootstrap" => {
            stacks::define(app);
        }
        w => {
            let n = w
                .strip_prefix("copies:")
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("unknown workload {w:?}"));
            synth_bench::define_copies(app, n);
        }
    }
}

/// The child's side: measures `workload` and prints the JSON line.
pub fn child(workload: &str, runs: usize, warmup: usize, dir: &Path) {
    let out = dir.join("out");
    let mut samples: [Vec<Duration>; 6] = Default::default();
    let (mut stacks, mut resources, mut bytes) = (0, 0, 0);
    for i in 0..warmup + runs {
        let t0 = Instant::now();
        let mut app = App::new();
        define(workload, &mut app);
        let t1 = Instant::now();
        let assembly = app
            .synth()
            .unwrap_or_else(|e| panic!("synthesizing {workload}: {e}"));
        let t2 = Instant::now();
        assembly.write(&out).expect("writing the assembly");
        let t3 = Instant::now();
        // A directory of its own each time, removed with the suite's
        // scratch directory at the end (see `fresh_outs` in main.rs).
        assembly
            .write(&dir.join("new").join(i.to_string()))
            .expect("writing the assembly");
        let t3a = Instant::now();
        // The floor serializes the same templates as `serde_json::Value`s;
        // parsing them back from the written text is not timed.
        for s in &assembly.stacks {
            std::hint::black_box(s.template());
        }
        let t3b = Instant::now();
        let mut floor = 0;
        for s in &assembly.stacks {
            let text = serde_json::to_string_pretty(s.template()).expect("serializing");
            floor += text.len() + 1;
            std::hint::black_box(text);
        }
        let t4 = Instant::now();
        stacks = assembly.stacks.len();
        resources = assembly.stacks.iter().map(|s| s.manifest.resources).sum();
        bytes = assembly.stacks.iter().map(|s| s.body.len()).sum();
        assert_eq!(floor, bytes, "the floor serializes the same text");
        drop(assembly);
        drop(app);
        if i >= warmup {
            for (k, d) in [t1 - t0, t2 - t1, t2 - t0, t3 - t2, t4 - t3b, t3a - t3]
                .into_iter()
                .enumerate()
            {
                samples[k].push(d);
            }
        }
    }
    let ns = |v: &Vec<Duration>| v.iter().map(|d| d.as_nanos() as u64).collect::<Vec<_>>();
    let line = json!({
        "stacks": stacks,
        "resources": resources,
        "bytes": bytes,
        "define": ns(&samples[0]),
        "synth": ns(&samples[1]),
        "total": ns(&samples[2]),
        "write": ns(&samples[3]),
        "write_new": ns(&samples[5]),
        "serde": ns(&samples[4]),
    });
    println!("{line}");
}

/// The parent's side: runs the child for `workload` and reads its line.
pub fn measure(
    bench: &Path,
    workload: &str,
    runs: usize,
    warmup: usize,
    scratch: &Path,
) -> InProcess {
    let dir = scratch.join(format!("inproc-{}", workload.replace(':', "-")));
    std::fs::create_dir_all(&dir).expect("creating a scratch directory");
    let stdout = dir.join("result.json");
    let stderr = dir.join("stderr.txt");
    let mut cmd = Command::new(bench);
    cmd.args(["child", workload, &runs.to_string(), &warmup.to_string()])
        .arg(&dir);
    let r = measure::run(&mut cmd, Some(&stdout), Some(&stderr));
    if r.code != Some(0) {
        panic!(
            "the in-process benchmark of {workload} failed:\n{}",
            std::fs::read_to_string(&stderr).unwrap_or_default()
        );
    }
    let text = std::fs::read_to_string(&stdout).expect("reading the child's result");
    let v: Json = serde_json::from_str(text.trim()).expect("the child prints JSON");
    let stats = |k: &str| {
        Stats::new(
            v[k].as_array()
                .expect("samples")
                .iter()
                .map(|n| Duration::from_nanos(n.as_u64().unwrap_or(0)))
                .collect(),
        )
    };
    let count = |k: &str| v[k].as_u64().unwrap_or(0) as usize;
    InProcess {
        resources: count("resources"),
        bytes: count("bytes"),
        define: stats("define"),
        synth: stats("synth"),
        total: stats("total"),
        write: stats("write"),
        write_new: stats("write_new"),
        serde: stats("serde"),
        max_rss_kib: r.max_rss_kib,
    }
}
