//! What every command shares: the global flags, the environment, synth.toml,
//! the region in force (resolved once, on first use) and the assembly.

use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use synth::manifest::{TemplateFormat, MANIFEST_FILE};

use crate::assembly::{self, App, AppEnv, AppOrigin, Assembly};
use crate::cli::GlobalArgs;
use crate::config::ProjectConfig;
use crate::error::{Error, Result};
use crate::region_resolution::{self, RegionInput, Resolution, Resolved, BRANCH_PREFIX};
use crate::ui::Ui;

/// The app run when neither `--app` nor synth.toml names one.
pub const DEFAULT_APP: &str = "cargo run --quiet";
/// The assembly directory when neither `--out` nor synth.toml names one.
pub const DEFAULT_OUT: &str = "out";

pub struct Context {
    pub args: GlobalArgs,
    /// The process environment (variables that are not UTF-8 are left out).
    pub env: BTreeMap<String, String>,
    pub cwd: PathBuf,
    /// The nearest synth.toml, if any.
    pub config: Option<ProjectConfig>,
    pub ui: Ui,
    region: OnceCell<Result<Resolution>>,
    /// The region's doubt was warned about.
    warned: std::cell::Cell<bool>,
}

/// The assembly directory: where it is, and how to show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutDir {
    pub path: PathBuf,
    pub shown: PathBuf,
}

/// An assembly the app wrote beside the output directory, not yet in its
/// place. Dropped without [`Staged::swap_in`], it is removed.
pub struct Staged {
    /// Read from where it was written.
    pub assembly: Assembly,
    staging: Option<StagingDir>,
}

struct StagingDir {
    path: PathBuf,
    out: OutDir,
}

impl Staged {
    /// The directory the assembly will be in once swapped in, as shown.
    pub fn shown_dir(&self) -> &Path {
        match &self.staging {
            Some(s) => &s.out.shown,
            None => &self.assembly.dir,
        }
    }

    /// Puts the assembly in the output directory's place; returns it as
    /// read from there.
    pub fn swap_in(mut self) -> Result<Assembly> {
        let mut assembly = self.assembly.clone();
        if let Some(staging) = self.staging.take() {
            synth::assembly::swap_in(&staging.path, &staging.out.path).map_err(|e| {
                Error::failed(format!(
                    "cannot put the new assembly in {}: {e}",
                    staging.out.shown.display()
                ))
            })?;
            assembly.dir = staging.out.shown.clone();
        }
        Ok(assembly)
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if let Some(staging) = self.staging.take() {
            let _ = std::fs::remove_dir_all(&staging.path);
        }
    }
}

impl Context {
    /// A context over the real process: environment, current directory,
    /// terminal.
    pub fn from_process(args: GlobalArgs) -> Result<Context> {
        let env: BTreeMap<String, String> = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect();
        let cwd = std::env::current_dir()
            .map_err(|e| Error::failed(format!("cannot read the current directory: {e}")))?;
        let ui = Ui::detect(&env, args.quiet);
        Context::new(args, env, cwd, ui)
    }

    pub fn new(
        args: GlobalArgs,
        env: BTreeMap<String, String>,
        cwd: PathBuf,
        ui: Ui,
    ) -> Result<Context> {
        let config = ProjectConfig::find(&cwd)?;
        Ok(Context {
            args,
            env,
            cwd,
            config,
            ui,
            region: OnceCell::new(),
            warned: std::cell::Cell::new(false),
        })
    }

    /// The region resolution (see [`region_resolution::resolve`]), done once.
    pub fn resolution(&self) -> Result<&Resolution> {
        self.region
            .get_or_init(|| {
                let input =
                    RegionInput::gather(self.args.region.clone(), self.env.clone(), &self.cwd);
                region_resolution::resolve(&input)
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The region in force, if any. Errors when the source in force names
    /// something that is not a region.
    pub fn region(&self) -> Result<Option<&Resolved>> {
        let resolution = self.resolution()?;
        if let (Some(doubt), Some(r)) = (&resolution.doubt, &resolution.resolved) {
            if !self.warned.replace(true) {
                self.ui
                    .warn(format!("{doubt}; using {} ({})", r.region.name, r.source));
            }
        }
        Ok(resolution.resolved.as_ref())
    }

    /// The region in force, for commands that act on a deployed stack
    /// (diff against deployed, deploy, destroy): having none is an error
    /// (exit 2), never a guess.
    pub fn require_region(&self) -> Result<&Resolved> {
        let resolution = self.resolution()?;
        self.region()?;
        match &resolution.resolved {
            Some(r) => Ok(r),
            None => {
                let mut err = Error::usage(format!(
                    "no region is in force and this command needs one: pass --region <aws-region>, or run it on a branch named {BRANCH_PREFIX}<aws-region> (e.g. {BRANCH_PREFIX}us-east-2)"
                ));
                for note in &resolution.notes {
                    err = err.note(note.clone());
                }
                Err(err)
            }
        }
    }

    /// The region in force for deploy and destroy: as [`Self::require_region`],
    /// and refused when the branch may have meant another region (a doubt
    /// other commands only warn about), since acting in the wrong region is
    /// not undone by a second run.
    pub fn require_certain_region(&self) -> Result<&Resolved> {
        let resolved = self.require_region()?;
        if let Some(doubt) = &self.resolution()?.doubt {
            return Err(Error::usage(format!(
                "{doubt}; the region would be {} ({}) instead: fix the branch or checkout, or pass --region {} to act there on purpose",
                resolved.region.name, resolved.source, resolved.region.name
            )));
        }
        Ok(resolved)
    }

    /// The region in force, checked against the stacks: a stack the app
    /// pins to another region must not be acted on from here.
    pub fn region_for(&self, stacks: &[&synth::manifest::StackManifest]) -> Result<&Resolved> {
        let resolved = self.require_region()?;
        for s in stacks {
            if let Some(pinned) = s.environment.region.as_deref() {
                if pinned != resolved.region.name {
                    return Err(Error::usage(format!(
                        "stack {} is pinned to region {pinned}, but the region in force is {} ({}); run this from the branch {BRANCH_PREFIX}{pinned} or with --region {pinned}",
                        s.name, resolved.region.name, resolved.source
                    )));
                }
            }
        }
        Ok(resolved)
    }

    /// Where the assembly goes: `--out` (relative to the current directory),
    /// else `out` in synth.toml (relative to it), else `out` next to
    /// synth.toml or in the current directory.
    pub fn out_dir(&self) -> OutDir {
        let path = match (&self.args.out, &self.config) {
            (Some(out), _) => self.cwd.join(out),
            (None, Some(c)) => c.dir.join(c.out.as_deref().unwrap_or(DEFAULT_OUT)),
            (None, None) => self.cwd.join(DEFAULT_OUT),
        };
        OutDir {
            shown: self.shown(&path),
            path,
        }
    }

    /// A path as shown to the user: relative when below the current
    /// directory.
    pub fn shown(&self, path: &Path) -> PathBuf {
        match path.strip_prefix(&self.cwd) {
            Ok(rel) if rel.as_os_str().is_empty() => PathBuf::from("."),
            Ok(rel) => rel.to_path_buf(),
            Err(_) => path.to_path_buf(),
        }
    }

    /// What `--app` (else synth.toml's `app`, else the default) names.
    pub fn app(&self) -> Result<App> {
        let (app, dir, origin) = match (&self.args.app, &self.config) {
            (Some(app), _) => (app.clone(), self.cwd.clone(), AppOrigin::Flag),
            (
                None,
                Some(ProjectConfig {
                    app: Some(app),
                    dir,
                    path,
                    ..
                }),
            ) => (app.clone(), dir.clone(), AppOrigin::Config(path.clone())),
            (None, Some(c)) => (DEFAULT_APP.to_string(), c.dir.clone(), AppOrigin::Default),
            (None, None) => (
                DEFAULT_APP.to_string(),
                self.cwd.clone(),
                AppOrigin::Default,
            ),
        };
        let as_dir = dir.join(&app);
        if !app.trim().is_empty() && as_dir.is_dir() {
            if !as_dir.join(MANIFEST_FILE).is_file() {
                return Err(Error::usage(format!(
                    "the app `{app}` is a directory without {MANIFEST_FILE}; name a cloud assembly directory (e.g. out) or a command that synthesizes one"
                )));
            }
            return Ok(App::Assembly(as_dir));
        }
        if app.trim().is_empty() {
            return Err(Error::usage(
                "the app command is empty; set `app` in synth.toml or pass --app",
            ));
        }
        if is_missing_word(&app, &dir) {
            return Err(Error::usage(format!(
                "the app `{app}` is neither a cloud assembly directory (there is no {}) nor a command; synthesize first (`synth` writes out/), or name the command that synthesizes",
                as_dir.display()
            )));
        }
        Ok(App::Command {
            command: app,
            dir,
            origin,
        })
    }

    /// What the app is told: output directory, region, format, context.
    pub fn app_env(&self, out: &Path) -> Result<AppEnv> {
        Ok(AppEnv {
            outdir: out.to_path_buf(),
            region: self.region()?.map(|r| r.region.name.to_string()),
            format: if self.args.yaml {
                TemplateFormat::Yaml
            } else {
                TemplateFormat::Json
            },
            context: self.context(),
        })
    }

    /// The context values for the app: synth.toml's `[context]`, with each
    /// `-c KEY=VALUE` replacing the value of its key (the last `-c` of a key
    /// wins).
    pub fn context(&self) -> BTreeMap<String, String> {
        let mut context = self
            .config
            .as_ref()
            .map(|c| c.context.clone())
            .unwrap_or_default();
        context.extend(self.args.context.iter().cloned());
        context
    }

    /// Synthesizes: runs the app and reads what it wrote, or reads the
    /// assembly `--app` names without running anything.
    pub fn synthesize(&self) -> Result<Assembly> {
        match self.app()? {
            App::Assembly(dir) => {
                if self.args.out.is_some() {
                    self.ui.info(format!(
                        "note: --out is not used: --app names the existing assembly {}",
                        self.shown(&dir).display()
                    ));
                }
                let mut assembly = Assembly::read(&dir)?;
                assembly.dir = self.shown(&dir);
                Ok(assembly)
            }
            App::Command {
                command,
                dir,
                origin,
            } => {
                let out = self.out_dir();
                let env = self.app_env(&out.path)?;
                assembly::run_app(&command, &dir, &origin, &env, &out.shown)?;
                assembly::read_written(&out.path, &out.shown, &command)
            }
        }
    }

    /// Synthesizes as [`Context::synthesize`] does, but has the app write
    /// beside the output directory: the assembly replaces it only when
    /// [`Staged::swap_in`] is called, and is removed otherwise. With
    /// `--app DIR` nothing is written and nothing is staged.
    pub fn synthesize_staged(&self) -> Result<Staged> {
        let App::Command {
            command,
            dir,
            origin,
        } = self.app()?
        else {
            return Ok(Staged {
                assembly: self.synthesize()?,
                staging: None,
            });
        };
        let out = self.out_dir();
        let path = synth::assembly::staging_beside(&out.path).map_err(|e| {
            Error::failed(format!(
                "cannot prepare the output directory {}: {e}",
                out.shown.display()
            ))
        })?;
        let staging = StagingDir {
            path: path.clone(),
            out,
        };
        let env = self.app_env(&staging.path)?;
        assembly::run_app(&command, &dir, &origin, &env, &staging.out.shown)?;
        let assembly = assembly::read_written(&staging.path, &staging.path, &command)?;
        Ok(Staged {
            assembly,
            staging: Some(staging),
        })
    }

    /// The assembly as it is on disk, without running the app: the one
    /// `--app` names, else the output directory. For commands that act on a
    /// synthesized artifact (a pipeline's later diff and deploy jobs).
    pub fn existing_assembly(&self) -> Result<Assembly> {
        let dir = match self.app()? {
            App::Assembly(dir) => dir,
            App::Command { .. } => self.out_dir().path,
        };
        let mut assembly = Assembly::read(&dir)?;
        assembly.dir = self.shown(&dir);
        Ok(assembly)
    }
}

/// True when `app` is one word (no spaces, quotes or shell syntax) that
/// names neither a path under `dir` nor a program on `PATH`: `--app out`
/// before anything was synthesized, which `sh -c` would run as a command
/// and report as "exit 127".
fn is_missing_word(app: &str, dir: &Path) -> bool {
    let word = app.trim();
    let plain = word
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
    if !plain || dir.join(word).exists() {
        return false;
    }
    if word.contains('/') {
        return true;
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    !std::env::split_paths(&path).any(|p| p.join(word).is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A context in an empty temporary directory, git discovery stopped
    /// there, with `vars` as the whole environment.
    fn context(dir: &Path, args: GlobalArgs, vars: &[(&str, &str)]) -> Context {
        let mut env: BTreeMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        env.insert(
            "GIT_CEILING_DIRECTORIES".to_string(),
            dir.parent().unwrap().display().to_string(),
        );
        env.insert(
            "AWS_CONFIG_FILE".to_string(),
            dir.join("no-such-config").display().to_string(),
        );
        Context::new(args, env, dir.to_path_buf(), Ui::default()).unwrap()
    }

    #[test]
    fn require_region_names_the_flag_and_the_branch_form() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = context(
            dir.path(),
            GlobalArgs::default(),
            &[("CI_COMMIT_REF_NAME", "main")],
        );
        assert_eq!(ctx.region().unwrap(), None);
        let e = ctx.require_region().unwrap_err();
        assert_eq!(e.code, 2);
        assert!(e.message.contains("--region"), "{e}");
        assert!(e.message.contains("region/<aws-region>"), "{e}");
        assert!(e.notes.iter().any(|n| n.contains("branch main")), "{e}");

        let ctx = context(
            dir.path(),
            GlobalArgs::default(),
            &[("AWS_REGION", "eu-west-1")],
        );
        assert_eq!(ctx.require_region().unwrap().region.name, "eu-west-1");

        let args = GlobalArgs {
            region: Some("us-east-2".to_string()),
            ..GlobalArgs::default()
        };
        let ctx = context(
            dir.path(),
            args,
            &[("CI_COMMIT_REF_NAME", "region/eu-west-99")],
        );
        assert_eq!(ctx.require_region().unwrap().region.name, "us-east-2");

        // A bad branch fails every use of the region the same way.
        let ctx = context(
            dir.path(),
            GlobalArgs::default(),
            &[("CI_COMMIT_REF_NAME", "region/eu-west-99")],
        );
        assert_eq!(ctx.region().unwrap_err().code, 2);
        assert_eq!(ctx.require_region().unwrap_err(), ctx.region().unwrap_err());
    }

    #[test]
    fn context_comes_from_synth_toml_and_each_flag_replaces_its_key() {
        let dir = tempfile::tempdir().unwrap();
        assert!(context(dir.path(), GlobalArgs::default(), &[])
            .context()
            .is_empty());
        std::fs::write(
            dir.path().join("synth.toml"),
            "[context]\nstage = \"prod\"\nteam = \"infra\"\n",
        )
        .unwrap();
        let args = GlobalArgs {
            context: vec![
                ("stage".to_string(), "test".to_string()),
                ("extra".to_string(), "1".to_string()),
                ("stage".to_string(), "dev".to_string()),
            ],
            ..GlobalArgs::default()
        };
        let pairs =
            |ctx: &Context| -> Vec<(String, String)> { ctx.context().into_iter().collect() };
        assert_eq!(
            pairs(&context(dir.path(), args, &[])),
            [("extra", "1"), ("stage", "dev"), ("team", "infra")]
                .map(|(k, v)| (k.to_string(), v.to_string()))
        );
    }

    #[test]
    fn app_and_out_come_from_flags_then_synth_toml_then_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let sub = root.join("sub");
        std::fs::create_dir_all(sub.join("asm")).unwrap();
        std::fs::write(sub.join("asm").join(MANIFEST_FILE), "{}").unwrap();

        let ctx = context(&sub, GlobalArgs::default(), &[]);
        assert_eq!(
            ctx.app().unwrap(),
            App::Command {
                command: DEFAULT_APP.to_string(),
                dir: sub.clone(),
                origin: AppOrigin::Default
            }
        );
        assert_eq!(ctx.out_dir().path, sub.join("out"));
        assert_eq!(ctx.out_dir().shown, PathBuf::from("out"));

        std::fs::write(
            root.join("synth.toml"),
            "app = \"make synth\"\nout = \"o\"\n",
        )
        .unwrap();
        let ctx = context(&sub, GlobalArgs::default(), &[]);
        assert_eq!(
            ctx.app().unwrap(),
            App::Command {
                command: "make synth".to_string(),
                dir: root.to_path_buf(),
                origin: AppOrigin::Config(root.join("synth.toml"))
            }
        );
        assert_eq!(ctx.out_dir().path, root.join("o"));
        assert_eq!(ctx.out_dir().shown, root.join("o"));

        let args = GlobalArgs {
            app: Some("asm".to_string()),
            out: Some(PathBuf::from("x")),
            ..GlobalArgs::default()
        };
        let ctx = context(&sub, args, &[]);
        assert_eq!(ctx.app().unwrap(), App::Assembly(sub.join("asm")));
        assert_eq!(ctx.out_dir().path, sub.join("x"));

        let args = GlobalArgs {
            app: Some("  ".to_string()),
            ..GlobalArgs::default()
        };
        assert_eq!(context(&sub, args, &[]).app().unwrap_err().code, 2);
    }
}
