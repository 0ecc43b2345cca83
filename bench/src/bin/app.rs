//! The app the command line runs in the whole-process benchmarks:
//! `synth-bench-app N` synthesizes N copies of the bundled bootstrap
//! (N = 1 is the bundled app), configured by `SYNTH_*` like any app.

fn main() -> std::process::ExitCode {
    let n = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1);
    let mut app = synth::App::from_env();
    synth_bench::define_copies(&mut app, n);
    app.run()
}
