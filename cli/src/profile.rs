//! The `region` of an AWS profile, read from the shared config file
//! (`AWS_CONFIG_FILE` or `~/.aws/config`), as the AWS CLI and SDKs read it.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// The profile in force: `AWS_PROFILE`, else `default`.
pub fn profile_name(env: &BTreeMap<String, String>) -> String {
    non_empty(env, "AWS_PROFILE")
        .unwrap_or("default")
        .to_string()
}

/// Where the shared config file is: `AWS_CONFIG_FILE` (a leading `~/` is the
/// home directory), else `~/.aws/config`. `None` when neither can be told.
pub fn config_path(env: &BTreeMap<String, String>) -> Option<PathBuf> {
    let home = non_empty(env, "HOME").or_else(|| non_empty(env, "USERPROFILE"));
    match non_empty(env, "AWS_CONFIG_FILE") {
        Some(file) => match (file.strip_prefix("~/"), home) {
            (Some(rest), Some(home)) => Some(PathBuf::from(home).join(rest)),
            _ => Some(PathBuf::from(file)),
        },
        None => home.map(|h| PathBuf::from(h).join(".aws").join("config")),
    }
}

/// What the config file says about one profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileRegion {
    /// The profile's section has a `region`.
    Region(String),
    /// The section exists but sets no region.
    NoRegion,
    /// No section for that profile.
    NoProfile,
}

/// Looks up `region` for `profile` in the text of a config file.
///
/// Sections are `[default]` and `[profile NAME]` (`[profile default]` also
/// names the default profile). Lines starting with `#` or `;` are comments,
/// as is the rest of a line after ` #` or ` ;`. Indented lines are nested
/// settings (e.g. under `s3 =`) and are not the profile's own. Repeated
/// sections merge; the last value wins.
pub fn profile_region(text: &str, profile: &str) -> ProfileRegion {
    let mut in_profile = false;
    let mut found = false;
    let mut region = None;
    for raw in text.lines() {
        if raw.starts_with([' ', '\t']) {
            continue;
        }
        let line = strip_comment(raw).trim();
        if line.is_empty() {
            continue;
        }
        if let Some(header) = line.strip_prefix('[') {
            let Some(header) = header.strip_suffix(']') else {
                in_profile = false;
                continue;
            };
            in_profile = section_profile(header.trim()) == Some(profile);
            found |= in_profile;
            continue;
        }
        if !in_profile {
            continue;
        }
        if let Some((key, value)) = line.split_once('=') {
            if key.trim() == "region" {
                region = Some(value.trim().to_string());
            }
        }
    }
    match (found, region) {
        (_, Some(r)) if !r.is_empty() => ProfileRegion::Region(r),
        (true, _) => ProfileRegion::NoRegion,
        (false, _) => ProfileRegion::NoProfile,
    }
}

/// The profile a section header names: `default`, `profile NAME`.
fn section_profile(header: &str) -> Option<&str> {
    if header == "default" {
        return Some("default");
    }
    let rest = header.strip_prefix("profile")?;
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let name = rest.trim();
    (!name.is_empty()).then_some(name)
}

fn strip_comment(line: &str) -> &str {
    let trimmed = line.trim_start();
    if trimmed.starts_with(['#', ';']) {
        return "";
    }
    let cut = [" #", "\t#", " ;", "\t;"]
        .iter()
        .filter_map(|m| line.find(m))
        .min();
    match cut {
        Some(i) => &line[..i],
        None => line,
    }
}

fn non_empty<'a>(env: &'a BTreeMap<String, String>, key: &str) -> Option<&'a str> {
    env.get(key).map(String::as_str).filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parses_profiles() {
        let text = "\
# a comment
[default]
region = eu-west-1
output = json

[profile dev]
s3 =
  region = ap-south-1
region=us-west-2 ; inline comment

[profile  spaced ]
region = ca-central-1 # inline comment

[profile noregion]
output = text

[profile empty]
region =

[profilex]
region = us-east-1

[dev]
region = us-east-1

[profile later]
region = eu-north-1
[profile later]
region = eu-south-1
";
        let cases = [
            ("default", ProfileRegion::Region("eu-west-1".into())),
            ("dev", ProfileRegion::Region("us-west-2".into())),
            ("spaced", ProfileRegion::Region("ca-central-1".into())),
            ("noregion", ProfileRegion::NoRegion),
            ("empty", ProfileRegion::NoRegion),
            ("x", ProfileRegion::NoProfile),
            ("missing", ProfileRegion::NoProfile),
            ("later", ProfileRegion::Region("eu-south-1".into())),
        ];
        for (profile, want) in cases {
            assert_eq!(profile_region(text, profile), want, "profile {profile}");
        }
    }

    #[test]
    fn profile_default_section_names_the_default_profile() {
        let text = "[profile default]\nregion = us-east-2\n";
        assert_eq!(
            profile_region(text, "default"),
            ProfileRegion::Region("us-east-2".into())
        );
        assert_eq!(profile_region("", "default"), ProfileRegion::NoProfile);
        assert_eq!(
            profile_region("[default\nregion = us-east-2\n", "default"),
            ProfileRegion::NoProfile
        );
    }

    #[test]
    fn profile_name_and_config_path_come_from_the_environment() {
        assert_eq!(profile_name(&env(&[])), "default");
        assert_eq!(profile_name(&env(&[("AWS_PROFILE", "")])), "default");
        assert_eq!(profile_name(&env(&[("AWS_PROFILE", "ops")])), "ops");

        type Vars = &'static [(&'static str, &'static str)];
        let cases: &[(Vars, Option<&str>)] = &[
            (&[("HOME", "/h")], Some("/h/.aws/config")),
            (&[("USERPROFILE", "/u")], Some("/u/.aws/config")),
            (
                &[("HOME", "/h"), ("AWS_CONFIG_FILE", "/etc/aws")],
                Some("/etc/aws"),
            ),
            (
                &[("HOME", "/h"), ("AWS_CONFIG_FILE", "~/cfg")],
                Some("/h/cfg"),
            ),
            (
                &[("HOME", "/h"), ("AWS_CONFIG_FILE", "")],
                Some("/h/.aws/config"),
            ),
            (&[], None),
        ];
        for (vars, want) in cases {
            assert_eq!(
                config_path(&env(vars)),
                want.map(PathBuf::from),
                "env {vars:?}"
            );
        }
    }
}
