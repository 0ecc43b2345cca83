//! `manifest.json`: the contract between synthesis and the command line.
//! A pipeline synthesizes once and diffs and deploys exactly this artifact.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// The manifest's file name inside the output directory.
pub const MANIFEST_FILE: &str = "manifest.json";

/// The manifest schema version this library writes and reads.
pub const MANIFEST_VERSION: u32 = 1;

/// Environment variables through which the command line passes context to
/// the app. An app run alone falls back to defaults.
pub mod env {
    /// Output directory (default `out`).
    pub const OUTDIR: &str = "SYNTH_OUTDIR";
    /// Region for stacks that do not set their own.
    pub const REGION: &str = "SYNTH_REGION";
    /// Account for stacks that do not set their own.
    pub const ACCOUNT: &str = "SYNTH_ACCOUNT";
    /// Context values: a JSON object of strings.
    pub const CONTEXT: &str = "SYNTH_CONTEXT";
    /// Template format: `json` (default) or `yaml`.
    pub const FORMAT: &str = "SYNTH_FORMAT";
    /// Set (to anything) to keep the app from printing its own summary.
    pub const QUIET: &str = "SYNTH_QUIET";
}

/// The whole assembly: stacks in dependency order (dependencies first).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    pub version: u32,
    pub stacks: Vec<StackManifest>,
}

/// One stack of the assembly.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StackManifest {
    /// The CloudFormation stack name.
    pub name: String,
    /// The template's file name, relative to the manifest.
    pub template: String,
    pub format: TemplateFormat,
    pub environment: Environment,
    /// Names of the stacks this one imports from or depends on.
    pub dependencies: Vec<String>,
    pub parameters: BTreeMap<String, ParameterManifest>,
    /// Stack tags, passed to CloudFormation on deploy.
    pub tags: BTreeMap<String, String>,
    pub termination_protection: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Number of resources in the template.
    pub resources: usize,
    /// Size of the template body in bytes (CloudFormation takes at most
    /// 51,200 inline; larger ones go through S3).
    pub template_bytes: usize,
}

/// Where a stack is deployed, when the app pins it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Environment {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

/// A parameter's declaration, for deploy to know what it may omit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParameterManifest {
    #[serde(rename = "type")]
    pub type_: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_echo: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TemplateFormat {
    #[default]
    Json,
    Yaml,
}

impl TemplateFormat {
    pub fn extension(self) -> &'static str {
        match self {
            TemplateFormat::Json => "json",
            TemplateFormat::Yaml => "yaml",
        }
    }
}

/// Why a manifest could not be read.
#[derive(Debug)]
pub enum ManifestError {
    Missing(String),
    Io(String, std::io::Error),
    Invalid(String, String),
    Version(String, u32),
}

impl std::fmt::Display for ManifestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ManifestError::Missing(p) => write!(f, "{p} does not exist; run `synth` first to synthesize the app"),
            ManifestError::Io(p, e) => write!(f, "cannot read {p}: {e}"),
            ManifestError::Invalid(p, e) => write!(f, "{p} is not a valid cloud assembly manifest ({e}); synthesize again"),
            ManifestError::Version(p, v) => write!(
                f,
                "{p} has manifest version {v}, this synth reads version {MANIFEST_VERSION}; synthesize again with this version"
            ),
        }
    }
}

impl std::error::Error for ManifestError {}

impl Manifest {
    /// Reads `manifest.json` from an assembly directory.
    pub fn read(dir: &Path) -> Result<Manifest, ManifestError> {
        let path = dir.join(MANIFEST_FILE);
        let shown = path.display().to_string();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ManifestError::Missing(shown))
            }
            Err(e) => return Err(ManifestError::Io(shown, e)),
        };
        let manifest: Manifest = serde_json::from_str(&text)
            .map_err(|e| ManifestError::Invalid(shown.clone(), e.to_string()))?;
        if manifest.version != MANIFEST_VERSION {
            return Err(ManifestError::Version(shown, manifest.version));
        }
        Ok(manifest)
    }

    pub fn stack(&self, name: &str) -> Option<&StackManifest> {
        self.stacks.iter().find(|s| s.name == name)
    }
}
