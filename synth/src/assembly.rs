//! The cloud assembly: synthesized templates plus `manifest.json`, written
//! atomically so a failed synthesis never leaves a half-written `out/`.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::Serialize;
use serde_json::Value as Json;

use crate::diagnostics::Diagnostic;
use crate::manifest::{
    FileManifest, Manifest, StackManifest, TemplateFormat, MANIFEST_FILE, MANIFEST_VERSION,
};

/// The result of a successful synthesis.
#[derive(Debug)]
pub struct Assembly {
    /// In deployment order.
    pub stacks: Vec<SynthesizedStack>,
    /// Other files constructs add (a GitLab agent's configuration,
    /// Kubernetes manifests), in the order they were added.
    pub files: Vec<AssemblyFile>,
    /// Warnings found along the way.
    pub warnings: Vec<Diagnostic>,
    pub format: TemplateFormat,
}

/// A file of the assembly other than a template.
#[derive(Clone, Debug, PartialEq)]
pub struct AssemblyFile {
    pub manifest: FileManifest,
    pub body: String,
}

/// The files of every stack, checked: relative paths of plain names that
/// no two files share.
pub(crate) fn collect_files<'a>(
    files: impl Iterator<Item = &'a AssemblyFile>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<AssemblyFile> {
    let mut out: Vec<AssemblyFile> = Vec::new();
    for file in files {
        let path = &file.manifest.path;
        let plain = !path.is_empty()
            && path.split('/').all(|part| {
                !part.is_empty()
                    && part != "."
                    && part != ".."
                    && part
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
            });
        if !plain
            || path == MANIFEST_FILE
            || path.ends_with(".template.json")
            || path.ends_with(".template.yaml")
        {
            diags.push(Diagnostic::error(
                file.manifest.construct.clone(),
                format!("assembly file {path:?} must be a relative path of letters, digits, '.', '_' and '-' that is not a template or the manifest"),
            ));
        } else if out.iter().any(|f| &f.manifest.path == path) {
            diags.push(Diagnostic::error(
                file.manifest.construct.clone(),
                format!("assembly file {path:?} is already written by another construct"),
            ));
        } else {
            out.push(file.clone());
        }
    }
    out
}

#[derive(Debug)]
pub struct SynthesizedStack {
    pub manifest: StackManifest,
    /// The template as written to disk.
    pub body: String,
    /// The template as JSON, parsed from `body` when first asked for:
    /// synthesis writes text, and most runs never look inside it again.
    parsed: OnceLock<Json>,
}

impl SynthesizedStack {
    pub fn new(manifest: StackManifest, body: String) -> Self {
        SynthesizedStack {
            manifest,
            body,
            parsed: OnceLock::new(),
        }
    }

    /// The template as a JSON value (parsed from YAML for YAML stacks).
    pub fn template(&self) -> &Json {
        self.parsed.get_or_init(|| {
            let parsed = match self.manifest.format {
                TemplateFormat::Json => serde_json::from_str(&self.body).ok(),
                TemplateFormat::Yaml => serde_yaml::from_str(&self.body).ok(),
            };
            // Synthesis wrote the body, so it always parses.
            parsed.unwrap_or(Json::Null)
        })
    }
}

/// A template as text: pretty JSON (two-space indent, trailing newline) or
/// YAML. Both keep the key order of the template.
pub fn render<T: Serialize + ?Sized>(template: &T, format: TemplateFormat) -> String {
    match format {
        TemplateFormat::Json => {
            let mut text = serde_json::to_string_pretty(template).unwrap_or_default();
            text.push('\n');
            text
        }
        TemplateFormat::Yaml => serde_yaml::to_string(template).unwrap_or_default(),
    }
}

impl Assembly {
    pub fn stack(&self, name: &str) -> Option<&SynthesizedStack> {
        self.stacks.iter().find(|s| s.manifest.name == name)
    }

    /// The template of the named stack.
    pub fn template(&self, name: &str) -> Option<&Json> {
        self.stack(name).map(SynthesizedStack::template)
    }

    pub fn manifest(&self) -> Manifest {
        Manifest {
            version: MANIFEST_VERSION,
            stacks: self.stacks.iter().map(|s| s.manifest.clone()).collect(),
        }
    }

    /// Writes the assembly to `dir`, replacing what was there only once
    /// every file is written: files go to a staging directory beside `dir`,
    /// which then takes `dir`'s place.
    pub fn write(&self, dir: &Path) -> io::Result<()> {
        let target = Target::of(dir)?;
        let staging = crate::dir_swap::scratch(&target.parent, &target.name, "staging");
        let previous = target.dir.is_dir().then_some(target.dir.as_path());
        if let Err(e) = self.write_files(&staging, previous) {
            let _ = fs::remove_dir_all(&staging);
            return Err(e);
        }
        target.swap_in(&staging)
    }

    /// Writes every file into `dir`. A template whose text equals the one
    /// in `previous` (the assembly being replaced) is hard-linked from it
    /// rather than written: re-synthesis mostly leaves templates unchanged,
    /// and a link spares the file system a new inode and its data blocks.
    fn write_files(&self, dir: &Path, previous: Option<&Path>) -> io::Result<()> {
        fs::create_dir_all(dir)?;
        for stack in &self.stacks {
            let target = dir.join(&stack.manifest.template);
            let old = previous.map(|p| p.join(&stack.manifest.template));
            if old.is_some_and(|old| {
                same_text(&old, &stack.body) && fs::hard_link(&old, &target).is_ok()
            }) {
                continue;
            }
            fs::write(&target, &stack.body)?;
        }
        for file in &self.files {
            let target = dir.join(&file.manifest.path);
            if let Some(parent) = target.parent() {
                fs::create_dir_all(parent)?;
            }
            fs::write(&target, &file.body)?;
        }
        let mut manifest = serde_json::to_value(self.manifest()).map_err(io::Error::other)?;
        if !self.files.is_empty() {
            let files: Vec<&FileManifest> = self.files.iter().map(|f| &f.manifest).collect();
            manifest["files"] = serde_json::to_value(files).map_err(io::Error::other)?;
        }
        let mut manifest = serde_json::to_string_pretty(&manifest).map_err(io::Error::other)?;
        manifest.push('\n');
        fs::write(dir.join(MANIFEST_FILE), manifest)
    }
}

/// A directory to write an assembly into beside `dir` (on the same file
/// system), for [`swap_in`] to put in `dir`'s place: how the command line
/// checks an assembly before anyone can see it. Scratch directories of
/// processes that no longer run are removed first.
pub fn staging_beside(dir: &Path) -> io::Result<PathBuf> {
    let target = Target::of(dir)?;
    Ok(crate::dir_swap::scratch(
        &target.parent,
        &target.name,
        "staging",
    ))
}

/// Puts `staged`, a complete assembly directory, in `dir`'s place as
/// [`Assembly::write`] does: readers see the old directory or the new one,
/// never neither. On failure `staged` is removed and `dir` is as it was.
pub fn swap_in(staged: &Path, dir: &Path) -> io::Result<()> {
    Target::of(dir)?.swap_in(staged)
}

/// Where an assembly goes: an `out` that is a link to a directory stays a
/// link, and the directory it points at is what gets replaced.
struct Target {
    dir: PathBuf,
    parent: PathBuf,
    name: String,
}

impl Target {
    fn of(dir: &Path) -> io::Result<Target> {
        let dir = match fs::symlink_metadata(dir) {
            Ok(m) if m.file_type().is_symlink() && dir.is_dir() => fs::canonicalize(dir)?,
            _ => dir.to_path_buf(),
        };
        let parent = match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = dir
            .file_name()
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "the output directory has no name",
                )
            })?
            .to_string_lossy()
            .into_owned();
        fs::create_dir_all(&parent)?;
        if dir.exists() && !dir.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{} exists and is not a directory", dir.display()),
            ));
        }
        crate::dir_swap::clean_leftovers(&parent, &name);
        Ok(Target { dir, parent, name })
    }

    fn swap_in(&self, staged: &Path) -> io::Result<()> {
        let old = crate::dir_swap::scratch(&self.parent, &self.name, "old");
        crate::dir_swap::replace(staged, &self.dir, &old).inspect_err(|_| {
            let _ = fs::remove_dir_all(staged);
        })
    }
}

/// Whether the regular file at `path` holds exactly `text`.
fn same_text(path: &Path, text: &str) -> bool {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return false;
    };
    if !meta.is_file() || meta.len() != text.len() as u64 {
        return false;
    }
    fs::read(path).is_ok_and(|bytes| bytes == text.as_bytes())
}
