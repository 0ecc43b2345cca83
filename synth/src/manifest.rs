//! `manifest.json`: the contract between synthesis and the command line.
//! A pipeline synthesizes once and diffs and deploys exactly this artifact.

use std::collections::BTreeMap;
use std::path::Path;

use serde::ser::{Serialize, SerializeStruct, Serializer};
use serde_json::{Map, Value as Json};

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
///
/// Serialization and parsing are written out here rather than derived, so
/// a stack crate does not compile serde's derive macros.
#[derive(Clone, Debug, PartialEq)]
pub struct Manifest {
    pub version: u32,
    pub stacks: Vec<StackManifest>,
}

/// A file of the assembly other than a template: an entry of the
/// manifest's optional `files` list, written only when there are any
/// (older manifests have none; [`files_from_json`] reads it).
#[derive(Clone, Debug, PartialEq)]
pub struct FileManifest {
    /// Relative to the manifest, `/` separated.
    pub path: String,
    /// What it is: `gitlab-agent-config`, `kubernetes-manifest`.
    pub kind: String,
    /// The stack whose construct wrote it.
    pub stack: String,
    /// That construct's path.
    pub construct: String,
}

impl Serialize for FileManifest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_struct("FileManifest", 4)?;
        m.serialize_field("path", &self.path)?;
        m.serialize_field("kind", &self.kind)?;
        m.serialize_field("stack", &self.stack)?;
        m.serialize_field("construct", &self.construct)?;
        m.end()
    }
}

/// One stack of the assembly.
#[derive(Clone, Debug, PartialEq)]
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
    pub description: Option<String>,
    /// Number of resources in the template.
    pub resources: usize,
    /// Size of the template body in bytes (CloudFormation takes at most
    /// 51,200 inline; larger ones go through S3).
    pub template_bytes: usize,
    /// Policy rules suppressed on resources, with the reasons given in
    /// code (`suppressions`, written only when there are any), for
    /// reviewers and for `synth check`.
    pub suppressions: Vec<Suppression>,
}

/// One policy rule suppressed on one resource.
#[derive(Clone, Debug, PartialEq)]
pub struct Suppression {
    /// The resource's logical ID.
    pub resource: String,
    /// The rule's ID.
    pub rule: String,
    pub reason: String,
}

/// Where a stack is deployed, when the app pins it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Environment {
    pub account: Option<String>,
    pub region: Option<String>,
}

/// A parameter's declaration, for deploy to know what it may omit.
#[derive(Clone, Debug, PartialEq)]
pub struct ParameterManifest {
    /// `type` in the file.
    pub type_: String,
    pub default: Option<String>,
    pub no_echo: bool,
}

/// How templates are written (`"json"` or `"yaml"` in the file).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TemplateFormat {
    #[default]
    Json,
    Yaml,
}

impl TemplateFormat {
    /// The file extension, also the name in the manifest.
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
        let manifest = serde_json::from_str::<Json>(&text)
            .map_err(|e| e.to_string())
            .and_then(|json| Manifest::from_json(&json))
            .map_err(|e| ManifestError::Invalid(shown.clone(), e))?;
        if manifest.version != MANIFEST_VERSION {
            return Err(ManifestError::Version(shown, manifest.version));
        }
        Ok(manifest)
    }

    pub fn stack(&self, name: &str) -> Option<&StackManifest> {
        self.stacks.iter().find(|s| s.name == name)
    }
}

impl Serialize for Manifest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_struct("Manifest", 2)?;
        m.serialize_field("version", &self.version)?;
        m.serialize_field("stacks", &self.stacks)?;
        m.end()
    }
}

impl Serialize for StackManifest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_struct("StackManifest", 12)?;
        m.serialize_field("name", &self.name)?;
        m.serialize_field("template", &self.template)?;
        m.serialize_field("format", self.format.extension())?;
        m.serialize_field("environment", &self.environment)?;
        m.serialize_field("dependencies", &self.dependencies)?;
        m.serialize_field("parameters", &self.parameters)?;
        m.serialize_field("tags", &self.tags)?;
        m.serialize_field("terminationProtection", &self.termination_protection)?;
        if let Some(d) = &self.description {
            m.serialize_field("description", d)?;
        }
        m.serialize_field("resources", &self.resources)?;
        m.serialize_field("templateBytes", &self.template_bytes)?;
        if !self.suppressions.is_empty() {
            m.serialize_field("suppressions", &self.suppressions)?;
        }
        m.end()
    }
}

impl Serialize for Suppression {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_struct("Suppression", 3)?;
        m.serialize_field("resource", &self.resource)?;
        m.serialize_field("rule", &self.rule)?;
        m.serialize_field("reason", &self.reason)?;
        m.end()
    }
}

impl Serialize for Environment {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_struct("Environment", 2)?;
        if let Some(a) = &self.account {
            m.serialize_field("account", a)?;
        }
        if let Some(r) = &self.region {
            m.serialize_field("region", r)?;
        }
        m.end()
    }
}

impl Serialize for ParameterManifest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_struct("ParameterManifest", 3)?;
        m.serialize_field("type", &self.type_)?;
        if let Some(d) = &self.default {
            m.serialize_field("default", d)?;
        }
        if self.no_echo {
            m.serialize_field("noEcho", &true)?;
        }
        m.end()
    }
}

/// Reading the manifest's JSON by hand: each getter names what is wrong.
fn object<'a>(json: &'a Json, what: &str) -> Result<&'a Map<String, Json>, String> {
    json.as_object()
        .ok_or_else(|| format!("{what} is not an object"))
}

fn text(map: &Map<String, Json>, key: &str, what: &str) -> Result<String, String> {
    match map.get(key) {
        Some(Json::String(s)) => Ok(s.clone()),
        _ => Err(format!("{what}.{key} is missing or not a string")),
    }
}

fn optional_text(map: &Map<String, Json>, key: &str, what: &str) -> Result<Option<String>, String> {
    match map.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("{what}.{key} is not a string")),
    }
}

fn number(map: &Map<String, Json>, key: &str, what: &str) -> Result<u64, String> {
    map.get(key)
        .and_then(Json::as_u64)
        .ok_or_else(|| format!("{what}.{key} is missing or not a whole number"))
}

fn flag(map: &Map<String, Json>, key: &str, what: &str) -> Result<bool, String> {
    match map.get(key) {
        None => Ok(false),
        Some(Json::Bool(b)) => Ok(*b),
        Some(_) => Err(format!("{what}.{key} is not true or false")),
    }
}

fn list<'a>(map: &'a Map<String, Json>, key: &str, what: &str) -> Result<&'a Vec<Json>, String> {
    map.get(key)
        .and_then(Json::as_array)
        .ok_or_else(|| format!("{what}.{key} is missing or not a list"))
}

fn usize_of(n: u64, what: &str) -> Result<usize, String> {
    usize::try_from(n).map_err(|_| format!("{what} is too large"))
}

impl Manifest {
    /// The manifest from its JSON, or what is wrong with it.
    pub fn from_json(json: &Json) -> Result<Manifest, String> {
        let root = object(json, "the manifest")?;
        let version = u32::try_from(number(root, "version", "the manifest")?)
            .map_err(|_| "the manifest's version is too large".to_owned())?;
        let stacks = list(root, "stacks", "the manifest")?
            .iter()
            .enumerate()
            .map(|(i, s)| StackManifest::from_json(s, &format!("stacks[{i}]")))
            .collect::<Result<_, _>>()?;
        Ok(Manifest { version, stacks })
    }
}

/// The manifest's `files` entries (none when it has no `files`).
pub fn files_from_json(json: &Json) -> Result<Vec<FileManifest>, String> {
    let root = object(json, "the manifest")?;
    let Some(list) = root.get("files") else {
        return Ok(Vec::new());
    };
    let list = list
        .as_array()
        .ok_or_else(|| "the manifest's files is not a list".to_owned())?;
    let mut files = Vec::new();
    for (i, f) in list.iter().enumerate() {
        let what = format!("files[{i}]");
        let f = object(f, &what)?;
        files.push(FileManifest {
            path: text(f, "path", &what)?,
            kind: text(f, "kind", &what)?,
            stack: text(f, "stack", &what)?,
            construct: text(f, "construct", &what)?,
        });
    }
    Ok(files)
}

impl StackManifest {
    fn from_json(json: &Json, what: &str) -> Result<StackManifest, String> {
        let m = object(json, what)?;
        let format = match text(m, "format", what)?.as_str() {
            "json" => TemplateFormat::Json,
            "yaml" => TemplateFormat::Yaml,
            other => return Err(format!("{what}.format {other:?} is neither json nor yaml")),
        };
        let env = match m.get("environment") {
            None => Environment::default(),
            Some(e) => {
                let e = object(e, &format!("{what}.environment"))?;
                Environment {
                    account: optional_text(e, "account", what)?,
                    region: optional_text(e, "region", what)?,
                }
            }
        };
        let dependencies = list(m, "dependencies", what)?
            .iter()
            .map(|d| {
                d.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("{what}.dependencies holds a non-string"))
            })
            .collect::<Result<_, _>>()?;
        let mut parameters = BTreeMap::new();
        if let Some(p) = m.get("parameters") {
            for (name, p) in object(p, &format!("{what}.parameters"))? {
                let at = format!("{what}.parameters.{name}");
                let p = object(p, &at)?;
                parameters.insert(
                    name.clone(),
                    ParameterManifest {
                        type_: text(p, "type", &at)?,
                        default: optional_text(p, "default", &at)?,
                        no_echo: flag(p, "noEcho", &at)?,
                    },
                );
            }
        }
        let mut tags = BTreeMap::new();
        if let Some(t) = m.get("tags") {
            for (k, v) in object(t, &format!("{what}.tags"))? {
                let v = v
                    .as_str()
                    .ok_or_else(|| format!("{what}.tags.{k} is not a string"))?;
                tags.insert(k.clone(), v.to_owned());
            }
        }
        let mut suppressions = Vec::new();
        if m.contains_key("suppressions") {
            for (i, entry) in list(m, "suppressions", what)?.iter().enumerate() {
                let at = format!("{what}.suppressions[{i}]");
                let e = object(entry, &at)?;
                suppressions.push(Suppression {
                    resource: text(e, "resource", &at)?,
                    rule: text(e, "rule", &at)?,
                    reason: text(e, "reason", &at)?,
                });
            }
        }
        Ok(StackManifest {
            name: text(m, "name", what)?,
            template: text(m, "template", what)?,
            format,
            environment: env,
            dependencies,
            parameters,
            tags,
            termination_protection: flag(m, "terminationProtection", what)?,
            description: optional_text(m, "description", what)?,
            resources: usize_of(number(m, "resources", what)?, what)?,
            template_bytes: usize_of(number(m, "templateBytes", what)?, what)?,
            suppressions,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Manifest {
        let mut parameters = BTreeMap::new();
        parameters.insert(
            "Token".to_owned(),
            ParameterManifest {
                type_: "String".into(),
                default: None,
                no_echo: true,
            },
        );
        parameters.insert(
            "Size".to_owned(),
            ParameterManifest {
                type_: "Number".into(),
                default: Some("2".into()),
                no_echo: false,
            },
        );
        Manifest {
            version: MANIFEST_VERSION,
            stacks: vec![StackManifest {
                name: "Net".into(),
                template: "Net.template.yaml".into(),
                format: TemplateFormat::Yaml,
                environment: Environment {
                    account: None,
                    region: Some("eu-west-1".into()),
                },
                dependencies: vec!["Base".into()],
                parameters,
                tags: BTreeMap::from([("team".to_owned(), "platform".to_owned())]),
                termination_protection: true,
                description: Some("network".into()),
                resources: 3,
                template_bytes: 1234,
                suppressions: vec![Suppression {
                    resource: "Subnet".into(),
                    rule: "SYNTH-NET-003".into(),
                    reason: "public by design".into(),
                }],
            }],
        }
    }

    #[test]
    fn the_manifest_round_trips_through_its_json() {
        let manifest = sample();
        let json = serde_json::to_value(&manifest).unwrap();
        assert_eq!(
            json["stacks"][0]["parameters"]["Token"],
            serde_json::json!({"type": "String", "noEcho": true})
        );
        assert_eq!(
            json["stacks"][0]["environment"],
            serde_json::json!({"region": "eu-west-1"})
        );
        assert_eq!(json["stacks"][0]["terminationProtection"], true);
        assert_eq!(json["stacks"][0]["format"], "yaml");
        assert_eq!(
            json["stacks"][0]["suppressions"],
            serde_json::json!([{"resource": "Subnet", "rule": "SYNTH-NET-003", "reason": "public by design"}])
        );
        assert_eq!(Manifest::from_json(&json).unwrap(), manifest);
    }

    #[test]
    fn suppressions_are_optional_and_checked() {
        let mut manifest = sample();
        manifest.stacks[0].suppressions.clear();
        let mut json = serde_json::to_value(&manifest).unwrap();
        // Written only when there are any: older readers see no change.
        assert!(json["stacks"][0].get("suppressions").is_none());
        assert_eq!(Manifest::from_json(&json).unwrap(), manifest);
        json["stacks"][0]["suppressions"] = serde_json::json!([{"resource": "A", "rule": "R"}]);
        assert_eq!(
            Manifest::from_json(&json).unwrap_err(),
            "stacks[0].suppressions[0].reason is missing or not a string"
        );
    }

    #[test]
    fn files_are_optional_and_read_beside_the_stacks() {
        let mut json = serde_json::to_value(sample()).unwrap();
        assert!(files_from_json(&json).unwrap().is_empty());
        let file = FileManifest {
            path: "agents/eks/config.yaml".into(),
            kind: "gitlab-agent-config".into(),
            stack: "Net".into(),
            construct: "Net/Agent".into(),
        };
        json["files"] = serde_json::to_value([&file]).unwrap();
        assert_eq!(files_from_json(&json).unwrap(), [file]);
        assert_eq!(Manifest::from_json(&json).unwrap(), sample());
        json["files"][0]["kind"] = serde_json::json!(3);
        assert_eq!(
            files_from_json(&json).unwrap_err(),
            "files[0].kind is missing or not a string"
        );
    }

    #[test]
    fn a_broken_manifest_says_what_is_wrong() {
        let mut json = serde_json::to_value(sample()).unwrap();
        json["stacks"][0]["resources"] = serde_json::json!("many");
        assert_eq!(
            Manifest::from_json(&json).unwrap_err(),
            "stacks[0].resources is missing or not a whole number"
        );
        json["stacks"][0]["format"] = serde_json::json!("toml");
        assert!(Manifest::from_json(&json)
            .unwrap_err()
            .contains("neither json nor yaml"));
    }
}
