//! Times parsing, diffing and rendering two template files:
//! `cargo run --release -p synth-diff --example time -- OLD NEW [RUNS]`.

use std::time::{Duration, Instant};

use synth_diff::{render, template};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [old, new, rest @ ..] = args.as_slice() else {
        eprintln!("usage: time OLD NEW [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = rest.first().and_then(|r| r.parse().ok()).unwrap_or(30);
    let old = std::fs::read_to_string(old).expect("the old template");
    let new = std::fs::read_to_string(new).expect("the new template");
    let (mut parse, mut diff, mut render_t) = (vec![], vec![], vec![]);
    let mut counts = None;
    for _ in 0..runs + 3 {
        let t0 = Instant::now();
        let a = template::parse(&old).expect("the old template parses");
        let b = template::parse(&new).expect("the new template parses");
        let t1 = Instant::now();
        let d = synth_diff::diff_owned(
            "Stack",
            a,
            b,
            true,
            synth_diff::create_only,
            &synth_diff::Environment::default(),
        );
        let t2 = Instant::now();
        let text = render::terminal(&d, render::Style { color: false });
        let t3 = Instant::now();
        std::hint::black_box(&text);
        parse.push(t1 - t0);
        diff.push(t2 - t1);
        render_t.push(t3 - t2);
        counts = Some((d.counts(), d.broadening));
    }
    let median = |v: &mut Vec<Duration>| {
        v.drain(..3);
        v.sort();
        v[v.len() / 2]
    };
    println!(
        "parse {:?}, diff {:?}, render {:?}; {:?}",
        median(&mut parse),
        median(&mut diff),
        median(&mut render_t),
        counts
    );
}
