use std::collections::BTreeMap;
use std::process::ExitCode;

use clap::Parser;

use synth_cli::cli::Cli;
use synth_cli::ui::Ui;

#[global_allocator]
static ALLOCATOR: synth_cli::Allocator = synth_cli::Allocator;

fn main() -> ExitCode {
    // A blank CI/CD variable means unset, as GitLab treats its own: clap
    // would reject an empty SYNTH_TIMEOUT for a flag nobody passed. This
    // runs before any thread exists.
    if std::env::var_os("SYNTH_TIMEOUT").is_some_and(|v| v.is_empty()) {
        std::env::remove_var("SYNTH_TIMEOUT");
    }
    // clap prints usage errors itself and exits 2 (0 for --help/--version).
    let cli = Cli::parse();
    let quiet = cli.global.quiet;
    match synth_cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // `std::env::vars()` would panic on a variable that is not UTF-8.
            let env: BTreeMap<String, String> = std::env::var("NO_COLOR")
                .map(|v| BTreeMap::from([("NO_COLOR".to_string(), v)]))
                .unwrap_or_default();
            let ui = Ui::detect(&env, quiet);
            ui.err(format!("{} {err}", ui.error_label()));
            ExitCode::from(err.code)
        }
    }
}
