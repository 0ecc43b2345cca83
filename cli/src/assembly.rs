//! The cloud assembly (`out/`): running the app that writes it, and reading
//! it back.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use synth::manifest::{self, Manifest, StackManifest, TemplateFormat};

use crate::error::{Error, Result};

/// A cloud assembly read from disk.
#[derive(Debug, Clone, PartialEq)]
pub struct Assembly {
    /// The directory, as shown to the user (relative to the current
    /// directory when it is below it).
    pub dir: PathBuf,
    pub manifest: Manifest,
}

impl Assembly {
    /// Reads `manifest.json` from `dir`.
    pub fn read(dir: &Path) -> Result<Assembly> {
        Ok(Assembly {
            dir: dir.to_path_buf(),
            manifest: Manifest::read(dir)?,
        })
    }

    /// Where a stack's template is.
    pub fn template_path(&self, stack: &StackManifest) -> PathBuf {
        self.dir.join(&stack.template)
    }

    /// A stack's template body, as deploy and diff will send and compare it.
    pub fn template_body(&self, stack: &StackManifest) -> Result<String> {
        let path = self.template_path(stack);
        std::fs::read_to_string(&path).map_err(|e| {
            Error::usage(format!(
                "cannot read the template of stack {} at {}: {e}; synthesize again",
                stack.name,
                path.display()
            ))
        })
    }
}

/// What `--app` (or `app` in synth.toml) names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum App {
    /// An existing assembly directory: nothing runs.
    Assembly(PathBuf),
    /// A shell command, run with `sh -c` in `dir`.
    Command {
        command: String,
        dir: PathBuf,
        /// Where the command came from, for hints when it fails.
        origin: AppOrigin,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppOrigin {
    Flag,
    Config(PathBuf),
    Default,
}

/// What the app is told through `SYNTH_*` variables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppEnv {
    /// Absolute output directory (`SYNTH_OUTDIR`).
    pub outdir: PathBuf,
    /// `SYNTH_REGION`; unset in the app's environment when `None`.
    pub region: Option<String>,
    /// `SYNTH_FORMAT`.
    pub format: TemplateFormat,
    /// `SYNTH_CONTEXT`, as a JSON object of strings.
    pub context: BTreeMap<String, String>,
}

impl AppEnv {
    /// The variables to set (`Some`) and remove (`None`).
    pub fn vars(&self) -> Vec<(&'static str, Option<String>)> {
        let context = serde_json::to_string(&self.context).unwrap_or_else(|_| "{}".to_string());
        vec![
            (
                manifest::env::OUTDIR,
                Some(self.outdir.display().to_string()),
            ),
            (manifest::env::REGION, self.region.clone()),
            (
                manifest::env::FORMAT,
                Some(self.format.extension().to_string()),
            ),
            (manifest::env::CONTEXT, Some(context)),
            // The command line prints its own summary of the assembly.
            (manifest::env::QUIET, Some("1".to_string())),
        ]
    }
}

/// Runs the app command and waits. Its stderr is the user's; its stdout goes
/// to stderr too, so that what synth prints on stdout (e.g. `list --json`)
/// stays clean. `shown_out` is the output directory as shown to the user.
pub fn run_app(
    command: &str,
    dir: &Path,
    origin: &AppOrigin,
    env: &AppEnv,
    shown_out: &Path,
) -> Result<()> {
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(command).current_dir(dir);
    cmd.stdout(Stdio::from(std::io::stderr()));
    for (key, value) in env.vars() {
        match value {
            Some(v) => cmd.env(key, v),
            None => cmd.env_remove(key),
        };
    }
    let status = cmd.status().map_err(|e| {
        Error::failed(format!(
            "cannot start the app `{command}` with `sh -c` in {}: {e}",
            dir.display()
        ))
    })?;
    if status.success() {
        return Ok(());
    }
    let out = shown_out.display();
    let mut err = match status.code() {
        Some(code) => {
            let msg = format!("the app failed (exit {code}); {out}/ was left as it was");
            // Exit 2 is the app's way of saying its input or a stack
            // definition is invalid: the same meaning as ours.
            if code == 2 {
                Error::usage(msg)
            } else {
                Error::failed(msg)
            }
        }
        None => Error::failed(format!(
            "the app was stopped by a signal{}; {out}/ was left as it was",
            signal_of(&status)
                .map(|s| format!(" ({s})"))
                .unwrap_or_default()
        )),
    };
    if status.code() == Some(127) {
        err = err.note(format!(
            "the shell could not find the command in `{command}`"
        ));
    }
    if status.code() != Some(2) {
        err = err.note(match origin {
            AppOrigin::Flag => format!("the app is `{command}` from --app"),
            AppOrigin::Config(path) => {
                format!("the app is `{command}` from {}", path.display())
            }
            AppOrigin::Default => format!(
                "the app is `{command}`, the default without a synth.toml; set `app = \"...\"` in synth.toml at the workspace root, or pass --app"
            ),
        });
    }
    Err(err)
}

#[cfg(unix)]
fn signal_of(status: &std::process::ExitStatus) -> Option<i32> {
    use std::os::unix::process::ExitStatusExt;
    status.signal()
}

#[cfg(not(unix))]
fn signal_of(_: &std::process::ExitStatus) -> Option<i32> {
    None
}

/// Reads the assembly the app just wrote.
pub fn read_written(out: &Path, shown_out: &Path, command: &str) -> Result<Assembly> {
    if !out.join(manifest::MANIFEST_FILE).is_file() {
        return Err(Error::failed(format!(
            "the app `{command}` succeeded but wrote no {}; it must synthesize into the directory in ${}",
            shown_out.join(manifest::MANIFEST_FILE).display(),
            manifest::env::OUTDIR
        )));
    }
    let mut assembly = Assembly::read(out)?;
    assembly.dir = shown_out.to_path_buf();
    Ok(assembly)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_env_sets_and_removes() {
        let env = AppEnv {
            outdir: PathBuf::from("/w/out"),
            region: None,
            format: TemplateFormat::Yaml,
            context: BTreeMap::from([("stage".to_string(), "prod".to_string())]),
        };
        assert_eq!(
            env.vars(),
            vec![
                ("SYNTH_OUTDIR", Some("/w/out".to_string())),
                ("SYNTH_REGION", None),
                ("SYNTH_FORMAT", Some("yaml".to_string())),
                ("SYNTH_CONTEXT", Some(r#"{"stage":"prod"}"#.to_string())),
                ("SYNTH_QUIET", Some("1".to_string())),
            ]
        );
    }
}
