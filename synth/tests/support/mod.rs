//! Shared by the synth integration tests: synthesize, and keep every
//! template for the cfn-lint pass of the test command.

use std::path::PathBuf;

use synth::{App, Assembly};

/// Synthesizes `app`, failing the test with every diagnostic on error.
/// When `SYNTH_LINT_DIR` is set (the test command sets it), the templates
/// are also written there, one directory per test, for cfn-lint.
pub fn synth(app: &App) -> Assembly {
    let assembly = app.synth().unwrap_or_else(|e| panic!("{e}"));
    if let Some(dir) = std::env::var_os("SYNTH_LINT_DIR") {
        let thread = std::thread::current();
        let test = thread.name().unwrap_or("test").replace("::", "-");
        let crate_name = env!("CARGO_CRATE_NAME");
        let mut path = PathBuf::from(dir);
        path.push(format!("{crate_name}-{test}"));
        let mut n = 0;
        while path.with_extension(n.to_string()).exists() {
            n += 1;
        }
        assembly
            .write(&path.with_extension(n.to_string()))
            .expect("write templates for linting");
    }
    assembly
}
