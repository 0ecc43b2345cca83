//! How long checking templates against the whole rule pack takes in
//! process, beside the `cfn-guard` command on the same rule files.
//!
//! `cargo run --release -p synth-policy --example check_bench -- \
//!     [--cfn-guard BIN] [--runs N] TEMPLATE...`
//!
//! Prints the median and minimum of N runs (default 50) of: the in-process
//! check of every template, and (with --cfn-guard) one `cfn-guard validate`
//! process per template over the pack's rule files.

use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use synth_policy::{RuleSet, PACKS};

/// The allocator of the `synth` command, which runs the check.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (mut bin, mut runs, mut templates) = (None, 50usize, Vec::new());
    let mut per_pack = false;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--cfn-guard" => bin = args.next(),
            "--per-pack" => per_pack = true,
            "--runs" => runs = args.next().and_then(|n| n.parse().ok()).unwrap_or(0),
            _ => templates.push(PathBuf::from(a)),
        }
    }
    if templates.is_empty() || runs == 0 {
        eprintln!("usage: check_bench [--cfn-guard BIN] [--runs N] [--per-pack] TEMPLATE...");
        return ExitCode::from(2);
    }
    let bodies: Vec<(String, String)> = templates
        .iter()
        .map(|p| {
            let text =
                std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p.display().to_string(), text)
        })
        .collect();
    let set = RuleSet::with_packs(None).expect("the pack parses");
    let rules_loaded = time(runs, || {
        RuleSet::with_packs(None).expect("the pack parses");
    });
    let mut findings = 0;
    let checked = time(runs, || {
        findings = bodies
            .iter()
            .map(|(name, body)| set.check(body, name).expect("checks").len())
            .sum();
    });
    report("load the rule pack (parse 6 files)", &rules_loaded);
    if per_pack {
        for (pack, _) in PACKS {
            let one = RuleSet::with_packs(Some(&[pack.to_string()])).expect("the pack parses");
            let alone = time(runs, || {
                for (name, body) in &bodies {
                    one.check(body, name).expect("checks");
                }
            });
            report(&format!("  {pack}.guard alone"), &alone);
        }
    }
    report(
        &format!(
            "check {} template(s) in process ({findings} findings)",
            bodies.len()
        ),
        &checked,
    );
    if let Some(bin) = bin {
        let dir = std::env::temp_dir().join(format!("check-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut rule_args = Vec::new();
        for (name, text) in PACKS {
            let path = dir.join(format!("{name}.guard"));
            std::fs::write(&path, text).unwrap();
            rule_args.push("-r".to_string());
            rule_args.push(path.display().to_string());
        }
        let cli = time(runs.min(20), || {
            for t in &templates {
                let out = Command::new(&bin)
                    .arg("validate")
                    .args(&rule_args)
                    .arg("-d")
                    .arg(t)
                    .args(["-o", "json", "--show-summary", "none"])
                    .output()
                    .expect("cfn-guard runs");
                assert!(matches!(out.status.code(), Some(0) | Some(19)), "{out:?}");
            }
        });
        report(
            &format!("cfn-guard validate, {} process(es)", templates.len()),
            &cli,
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
    ExitCode::SUCCESS
}

fn time(runs: usize, mut f: impl FnMut()) -> Vec<Duration> {
    f();
    let mut out: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    out.sort();
    out
}

fn report(what: &str, times: &[Duration]) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{what}: median {:.2} ms, min {:.2} ms ({} runs)",
        ms(times[times.len() / 2]),
        ms(times[0]),
        times.len()
    );
}
