//! The app: the root of the construct tree, holding the stacks, and the
//! entry point a `stacks` binary calls.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use indexmap::IndexMap;

use crate::assembly::Assembly;
use crate::diagnostics::{Diagnostic, SynthError};
use crate::element_ids::StackId;
use crate::manifest::{env, Environment, TemplateFormat};
use crate::stack::Stack;

static NEXT_APP_ID: AtomicU32 = AtomicU32::new(1);

/// A set of stacks synthesized together.
#[derive(Debug)]
pub struct App {
    pub(crate) id: u32,
    pub(crate) stacks: Vec<Stack>,
    pub(crate) outdir: PathBuf,
    pub(crate) format: TemplateFormat,
    pub(crate) default_env: Environment,
    pub(crate) context: Arc<IndexMap<String, String>>,
    pub(crate) errors: Vec<Diagnostic>,
    pub(crate) quiet: bool,
}

impl Default for App {
    fn default() -> Self {
        App::new()
    }
}

impl App {
    /// An app with default settings, ignoring the environment: output to
    /// `out/`, JSON templates, no default region or account.
    pub fn new() -> App {
        App {
            id: NEXT_APP_ID.fetch_add(1, Ordering::Relaxed),
            stacks: Vec::new(),
            outdir: PathBuf::from("out"),
            format: TemplateFormat::Json,
            default_env: Environment::default(),
            context: Arc::new(IndexMap::new()),
            errors: Vec::new(),
            quiet: false,
        }
    }

    /// An app configured by the command line through `SYNTH_*` variables
    /// (see [`crate::manifest::env`]); run alone, it uses the defaults.
    pub fn from_env() -> App {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let mut app = App::new();
        if let Some(dir) = var(env::OUTDIR) {
            app.outdir = PathBuf::from(dir);
        }
        match var(env::FORMAT).as_deref() {
            None | Some("json") => {}
            Some("yaml") => app.format = TemplateFormat::Yaml,
            Some(other) => app.errors.push(Diagnostic::error(
                env::FORMAT,
                format!("unknown template format {other:?}; use json or yaml"),
            )),
        }
        app.quiet = var(env::QUIET).is_some();
        app.default_env.region = var(env::REGION);
        app.default_env.account = var(env::ACCOUNT);
        if let Some(text) = var(env::CONTEXT) {
            match serde_json::from_str::<IndexMap<String, String>>(&text) {
                Ok(context) => app.context = Arc::new(context),
                Err(e) => app.errors.push(Diagnostic::error(
                    env::CONTEXT,
                    format!("context is not a JSON object of strings ({e}); pass context as -c key=value"),
                )),
            }
        }
        app
    }

    /// Sets a context value, as `-c key=value` does on the command line.
    /// Default: the command line's context, or none.
    pub fn with_context(mut self, key: impl Into<String>, value: impl Into<String>) -> App {
        Arc::make_mut(&mut self.context).insert(key.into(), value.into());
        self
    }

    /// Sets the default region of stacks created after this call.
    /// Default: the region in force on the command line, or none.
    pub fn with_region(mut self, region: impl Into<String>) -> App {
        self.default_env.region = Some(region.into());
        self
    }

    /// Sets the default account of stacks created after this call.
    /// Default: none.
    pub fn with_account(mut self, account: impl Into<String>) -> App {
        self.default_env.account = Some(account.into());
        self
    }

    /// Writes templates as YAML instead of JSON. Default: JSON.
    pub fn with_format(mut self, format: TemplateFormat) -> App {
        self.format = format;
        self
    }

    /// Sets the output directory. Default: `out`.
    pub fn with_outdir(mut self, dir: impl Into<PathBuf>) -> App {
        self.outdir = dir.into();
        self
    }

    /// A context value passed in by the command line.
    pub fn context(&self, key: &str) -> Option<&str> {
        self.context.get(key).map(String::as_str)
    }

    /// The default region, from the command line or [`App::with_region`].
    pub fn region(&self) -> Option<&str> {
        self.default_env.region.as_deref()
    }

    /// Adds a stack named `name`; the name is its CloudFormation stack name
    /// and the root of every construct path in it.
    pub fn stack(&mut self, name: &str) -> &mut Stack {
        let id = StackId {
            app: self.id,
            index: self.stacks.len() as u32,
        };
        if self.stacks.iter().any(|s| s.name == name) {
            self.errors.push(Diagnostic::error(
                name,
                format!("duplicate stack name {name:?}; give each stack a unique name"),
            ));
        }
        self.stacks.push(Stack::new(
            id,
            name,
            self.default_env.clone(),
            Arc::clone(&self.context),
        ));
        let last = self.stacks.len() - 1;
        &mut self.stacks[last]
    }

    /// The stack named `name`.
    pub fn get_stack(&mut self, name: &str) -> Option<&mut Stack> {
        self.stacks.iter_mut().find(|s| s.name == name)
    }

    pub fn stacks(&self) -> impl Iterator<Item = &Stack> {
        self.stacks.iter()
    }

    /// Synthesizes every stack: resolves references, validates, and returns
    /// the templates, or every error found.
    pub fn synth(&self) -> Result<Assembly, SynthError> {
        crate::synthesize::synthesize(self)
    }

    /// Synthesizes and writes the assembly to the output directory, the
    /// way a `stacks` binary's `main` ends. Errors go to stderr; the exit
    /// code is 2 for errors in the app's definitions, 1 when writing fails.
    /// Meant as the last call of `main`: the assembly's memory is left for
    /// the operating system to reclaim.
    pub fn run(&self) -> ExitCode {
        let assembly = match self.synth() {
            Ok(assembly) => assembly,
            Err(error) => {
                eprint!("{error}");
                return ExitCode::from(2);
            }
        };
        for warning in &assembly.warnings {
            eprintln!("{warning}");
        }
        if let Err(e) = assembly.write(&self.outdir) {
            eprintln!(
                "error: cannot write the cloud assembly to {}: {e}; check the directory's permissions",
                self.outdir.display()
            );
            return ExitCode::from(1);
        }
        if !self.quiet {
            self.print_summary(&assembly);
        }
        // The process ends here: freeing a large assembly piece by piece
        // costs more than the kernel reclaiming it at exit.
        std::mem::forget(assembly);
        ExitCode::SUCCESS
    }

    fn print_summary(&self, assembly: &Assembly) {
        let mut out = std::io::stdout().lock();
        for stack in &assembly.stacks {
            let _ = writeln!(
                out,
                "{}  {}  ({} resources)",
                stack.manifest.name,
                self.outdir.join(&stack.manifest.template).display(),
                stack.manifest.resources
            );
        }
    }
}
