//! Which region is in force, and why.
//!
//! Precedence, highest first (README, "The region comes from the branch"):
//! the `--region` flag, then the branch, then `AWS_REGION` /
//! `AWS_DEFAULT_REGION`, then the AWS profile. The branch is
//! `CI_COMMIT_REF_NAME` in GitLab CI (in merge request pipelines the target
//! branch, `CI_MERGE_REQUEST_TARGET_BRANCH_NAME`), else the checked-out
//! branch. A branch `region/<aws-region>` selects that region; any other
//! branch names none.
//!
//! [`resolve`] is a pure function of a [`RegionInput`]; [`RegionInput::gather`]
//! is the thin layer that reads the real environment, git and config file.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use synth::regions::Region;

use crate::error::{Error, Result};
use crate::git::{self, GitHead};
use crate::profile::{self, ProfileRegion};

/// The branch prefix that selects a region.
pub const BRANCH_PREFIX: &str = "region/";

/// GitLab CI variables read for the branch.
pub mod ci {
    pub const COMMIT_REF_NAME: &str = "CI_COMMIT_REF_NAME";
    pub const PIPELINE_SOURCE: &str = "CI_PIPELINE_SOURCE";
    pub const MR_TARGET_BRANCH: &str = "CI_MERGE_REQUEST_TARGET_BRANCH_NAME";
    pub const MERGE_REQUEST_EVENT: &str = "merge_request_event";
}

/// Environment variables read for the region, in order.
pub const REGION_VARS: [&str; 2] = ["AWS_REGION", "AWS_DEFAULT_REGION"];

/// Everything resolution looks at, gathered up front.
#[derive(Debug, Clone, Default)]
pub struct RegionInput {
    /// `--region`, as typed.
    pub flag: Option<String>,
    /// The process environment.
    pub env: BTreeMap<String, String>,
    /// The checked-out branch, discovered from the current directory.
    pub git: GitHead,
    /// The AWS shared config file: its path and, when it could be read, its
    /// text.
    pub aws_config: Option<ConfigFile>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigFile {
    pub path: PathBuf,
    pub text: Option<String>,
}

/// Where the region in force came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `--region`.
    Flag,
    /// `CI_COMMIT_REF_NAME` in GitLab CI.
    CiBranch(String),
    /// `CI_MERGE_REQUEST_TARGET_BRANCH_NAME` in a merge request pipeline.
    MergeRequestTarget(String),
    /// The checked-out branch.
    GitBranch(String),
    /// `AWS_REGION` or `AWS_DEFAULT_REGION`.
    Env(&'static str),
    /// The `region` of an AWS profile in the shared config file.
    Profile { profile: String, file: PathBuf },
}

impl Source {
    /// A short machine-readable kind: `flag`, `ci-branch`,
    /// `merge-request-target`, `git-branch`, `env`, `profile`.
    pub fn kind(&self) -> &'static str {
        match self {
            Source::Flag => "flag",
            Source::CiBranch(_) => "ci-branch",
            Source::MergeRequestTarget(_) => "merge-request-target",
            Source::GitBranch(_) => "git-branch",
            Source::Env(_) => "env",
            Source::Profile { .. } => "profile",
        }
    }

    /// The branch, variable or profile name.
    pub fn detail(&self) -> Option<String> {
        match self {
            Source::Flag => None,
            Source::CiBranch(b) | Source::MergeRequestTarget(b) | Source::GitBranch(b) => {
                Some(b.clone())
            }
            Source::Env(var) => Some(var.to_string()),
            Source::Profile { profile, .. } => Some(profile.clone()),
        }
    }
}

/// `from ...`: how `synth region` explains the source.
impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag => write!(f, "from --region"),
            Source::CiBranch(b) => write!(f, "from branch {b}, {}", ci::COMMIT_REF_NAME),
            Source::MergeRequestTarget(b) => write!(
                f,
                "from merge request target branch {b}, {}",
                ci::MR_TARGET_BRANCH
            ),
            Source::GitBranch(b) => write!(f, "from branch {b}"),
            Source::Env(var) => write!(f, "from {var}"),
            Source::Profile { profile, file } => {
                write!(f, "from AWS profile {profile} in {}", file.display())
            }
        }
    }
}

/// A region and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub region: Region,
    pub source: Source,
}

/// The outcome of resolution: the region in force, if any, and notes on the
/// sources that named none (for hints).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Resolution {
    pub resolved: Option<Resolved>,
    pub notes: Vec<String>,
    /// Why the branch may have meant another region than the one found:
    /// the git checkout could not be read, or the branch is a near miss of
    /// `region/<aws-region>`. Deploy and destroy refuse to act on a doubt;
    /// other commands warn.
    pub doubt: Option<String>,
}

/// The branch resolution reads, and where it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Branch {
    Ci(String),
    MergeRequestTarget(String),
    Git(String),
}

impl Branch {
    fn name(&self) -> &str {
        match self {
            Branch::Ci(b) | Branch::MergeRequestTarget(b) | Branch::Git(b) => b,
        }
    }

    fn source(&self) -> Source {
        match self {
            Branch::Ci(b) => Source::CiBranch(b.clone()),
            Branch::MergeRequestTarget(b) => Source::MergeRequestTarget(b.clone()),
            Branch::Git(b) => Source::GitBranch(b.clone()),
        }
    }

    fn origin(&self) -> &'static str {
        match self {
            Branch::Ci(_) => ci::COMMIT_REF_NAME,
            Branch::MergeRequestTarget(_) => ci::MR_TARGET_BRANCH,
            Branch::Git(_) => "the checked-out branch",
        }
    }
}

/// Resolves the region in force. Errors (exit 2) when the source in force
/// names something that is not a region: a `region/...` branch, `--region`,
/// an environment variable or a profile.
pub fn resolve(input: &RegionInput) -> Result<Resolution> {
    let mut notes = Vec::new();

    if let Some(flag) = &input.flag {
        let region = parse_region_flag(flag).map_err(Error::usage)?;
        return Ok(found(region, Source::Flag, notes));
    }

    let mut doubt = None;
    match branch(input)? {
        Some(branch) => {
            if let Some(region) = check_branch(branch.name(), Some(branch.origin()))? {
                return Ok(found(region, branch.source(), notes));
            }
            notes.push(format!(
                "branch {} ({}) names no region; region branches are named {BRANCH_PREFIX}<aws-region>",
                branch.name(),
                branch.origin()
            ));
            if is_near_miss(branch.name()) {
                doubt = Some(format!(
                    "branch `{}` ({}) looks like a region branch but is not named {BRANCH_PREFIX}<aws-region> in lower case, so it selects no region",
                    branch.name(),
                    branch.origin()
                ));
            }
        }
        None => {
            notes.extend(input.git.why_no_branch());
            if let GitHead::Unreadable(e) = &input.git {
                doubt = Some(format!(
                    "the git checkout could not be read ({e}), so its branch, which may name a region, is unknown"
                ));
            }
        }
    }
    let found = |region, source, notes| Resolution {
        doubt: doubt.clone(),
        ..found(region, source, notes)
    };

    for var in REGION_VARS {
        if let Some(value) = non_empty(&input.env, var) {
            let region = Region::find(value).ok_or_else(|| {
                Error::usage(format!(
                    "{var} is `{value}`, which is not an AWS region; set it to a region name such as us-east-2, or pass --region"
                ))
            })?;
            return Ok(found(region, Source::Env(var), notes));
        }
    }

    let profile = profile::profile_name(&input.env);
    match &input.aws_config {
        None => notes.push("no AWS config file (HOME is not set)".to_string()),
        Some(ConfigFile { path, text: None }) => {
            notes.push(format!("no AWS config file at {}", path.display()))
        }
        Some(ConfigFile {
            path,
            text: Some(text),
        }) => match profile::profile_region(text, &profile) {
            ProfileRegion::Region(value) => {
                let region = Region::find(&value).ok_or_else(|| {
                    Error::usage(format!(
                        "AWS profile {profile} in {} has region `{value}`, which is not an AWS region; fix it there, or pass --region",
                        path.display()
                    ))
                })?;
                let source = Source::Profile {
                    profile,
                    file: path.clone(),
                };
                return Ok(found(region, source, notes));
            }
            ProfileRegion::NoRegion => notes.push(format!(
                "AWS profile {profile} in {} sets no region",
                path.display()
            )),
            ProfileRegion::NoProfile => notes.push(format!(
                "AWS profile {profile} is not in {}",
                path.display()
            )),
        },
    }

    Ok(Resolution {
        resolved: None,
        notes,
        doubt,
    })
}

fn found(region: Region, source: Source, notes: Vec<String>) -> Resolution {
    Resolution {
        resolved: Some(Resolved { region, source }),
        notes,
        doubt: None,
    }
}

/// A branch that was probably meant as `region/<aws-region>`: another
/// case, a plural, or another separator.
fn is_near_miss(branch: &str) -> bool {
    let lower = branch.to_ascii_lowercase();
    ["region/", "regions/", "region-", "region_", "region."]
        .iter()
        .any(|p| lower.starts_with(p))
        && !branch.starts_with(BRANCH_PREFIX)
}

/// The branch in force: the merge request target in a merge request
/// pipeline, `CI_COMMIT_REF_NAME` in other CI pipelines, else git's.
fn branch(input: &RegionInput) -> Result<Option<Branch>> {
    let env = &input.env;
    let target = non_empty(env, ci::MR_TARGET_BRANCH);
    let mr_pipeline = env.get(ci::PIPELINE_SOURCE).map(String::as_str)
        == Some(ci::MERGE_REQUEST_EVENT)
        || target.is_some();
    if mr_pipeline {
        return match target {
            Some(t) => Ok(Some(Branch::MergeRequestTarget(t.to_string()))),
            None => Err(Error::usage(format!(
                "{}={} but {} is not set, so the target branch is unknown; pass --region",
                ci::PIPELINE_SOURCE,
                ci::MERGE_REQUEST_EVENT,
                ci::MR_TARGET_BRANCH
            ))),
        };
    }
    if let Some(b) = non_empty(env, ci::COMMIT_REF_NAME) {
        return Ok(Some(Branch::Ci(b.to_string())));
    }
    Ok(match &input.git {
        GitHead::Branch(b) => Some(Branch::Git(b.clone())),
        _ => None,
    })
}

/// The region a branch selects: `Ok(None)` for branches outside
/// `region/`, an error (exit 2) for a `region/` branch that names no real
/// region.
pub fn region_of_branch(branch: &str) -> Result<Option<Region>> {
    check_branch(branch, None)
}

/// [`region_of_branch`], saying in the error where the branch was read.
fn check_branch(branch: &str, origin: Option<&str>) -> Result<Option<Region>> {
    let Some(name) = branch.strip_prefix(BRANCH_PREFIX) else {
        return Ok(None);
    };
    if let Some(region) = Region::find(name) {
        return Ok(Some(region));
    }
    let origin = origin.map(|o| format!(" ({o})")).unwrap_or_default();
    let mut err = Error::usage(format!(
        "branch `{branch}`{origin} does not name an AWS region: region branches are named `{BRANCH_PREFIX}<aws-region>`, e.g. `{BRANCH_PREFIX}us-east-2`; rename the branch or pass --region"
    ));
    if let Some(r) = Region::find(&name.to_ascii_lowercase()) {
        err = err.note(format!(
            "region names are lower case: did you mean `{BRANCH_PREFIX}{r}`?"
        ));
    }
    Err(err)
}

/// Validates a `--region` value (also clap's value parser for it).
pub fn parse_region_flag(value: &str) -> std::result::Result<Region, String> {
    Region::find(value).ok_or_else(|| {
        let mut msg =
            format!("`{value}` is not an AWS region; pass a region name such as us-east-2");
        if let Some(r) = Region::find(&value.to_ascii_lowercase()) {
            msg.push_str(&format!(" (region names are lower case: {r})"));
        }
        msg
    })
}

fn non_empty<'a>(env: &'a BTreeMap<String, String>, key: &str) -> Option<&'a str> {
    env.get(key).map(String::as_str).filter(|v| !v.is_empty())
}

impl RegionInput {
    /// The thin layer: reads git (discovered from `cwd` upwards) and the AWS
    /// config file named by `env`.
    pub fn gather(flag: Option<String>, env: BTreeMap<String, String>, cwd: &Path) -> RegionInput {
        let git = git::head_branch(cwd, &env);
        let aws_config = profile::config_path(&env).map(|path| {
            let text = std::fs::read_to_string(&path).ok();
            ConfigFile { path, text }
        });
        RegionInput {
            flag,
            env,
            git,
            aws_config,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = "[default]\nregion = eu-west-3\n[profile ops]\nregion = ap-southeast-2\n[profile bad]\nregion = moon-1\n[profile none]\noutput = json\n";

    /// One row: the inputs, then the region and source kind/detail wanted,
    /// or the start of the error wanted.
    struct Case {
        name: &'static str,
        flag: Option<&'static str>,
        env: &'static [(&'static str, &'static str)],
        git: GitHead,
        config: Option<&'static str>,
        want: Want,
    }

    enum Want {
        Found(&'static str, &'static str, Option<&'static str>),
        NoRegion,
        Fails(&'static str),
    }
    use Want::{Fails, Found, NoRegion};

    fn branch(b: &str) -> GitHead {
        GitHead::Branch(b.to_string())
    }

    fn run(case: &Case) -> Result<Resolution> {
        resolve(&RegionInput {
            flag: case.flag.map(str::to_string),
            env: case
                .env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            git: case.git.clone(),
            aws_config: Some(ConfigFile {
                path: PathBuf::from("/home/u/.aws/config"),
                text: case.config.map(str::to_string),
            }),
        })
    }

    #[test]
    #[rustfmt::skip]
    fn resolution_table() {
        let cases = vec![
            // Each source alone.
            Case { name: "flag", flag: Some("us-west-2"), env: &[], git: GitHead::NoRepository, config: None, want: Found("us-west-2", "flag", None) },
            Case { name: "git branch", flag: None, env: &[], git: branch("region/us-east-2"), config: None, want: Found("us-east-2", "git-branch", Some("region/us-east-2")) },
            Case { name: "ci branch", flag: None, env: &[("CI_COMMIT_REF_NAME", "region/eu-central-1")], git: GitHead::Detached, config: None, want: Found("eu-central-1", "ci-branch", Some("region/eu-central-1")) },
            Case { name: "AWS_REGION", flag: None, env: &[("AWS_REGION", "eu-west-1")], git: GitHead::NoRepository, config: None, want: Found("eu-west-1", "env", Some("AWS_REGION")) },
            Case { name: "AWS_DEFAULT_REGION", flag: None, env: &[("AWS_DEFAULT_REGION", "sa-east-1")], git: GitHead::NoRepository, config: None, want: Found("sa-east-1", "env", Some("AWS_DEFAULT_REGION")) },
            Case { name: "default profile", flag: None, env: &[], git: GitHead::NoRepository, config: Some(CONFIG), want: Found("eu-west-3", "profile", Some("default")) },
            Case { name: "AWS_PROFILE", flag: None, env: &[("AWS_PROFILE", "ops")], git: GitHead::NoRepository, config: Some(CONFIG), want: Found("ap-southeast-2", "profile", Some("ops")) },
            Case { name: "nothing", flag: None, env: &[], git: GitHead::NoRepository, config: None, want: NoRegion },
            Case { name: "profile without region", flag: None, env: &[("AWS_PROFILE", "none")], git: GitHead::NoRepository, config: Some(CONFIG), want: NoRegion },
            Case { name: "unknown profile", flag: None, env: &[("AWS_PROFILE", "nope")], git: GitHead::NoRepository, config: Some(CONFIG), want: NoRegion },
            Case { name: "empty vars are unset", flag: None, env: &[("AWS_REGION", ""), ("CI_COMMIT_REF_NAME", ""), ("AWS_PROFILE", "")], git: GitHead::NoRepository, config: Some(CONFIG), want: Found("eu-west-3", "profile", Some("default")) },
            // Precedence.
            Case { name: "flag beats branch, env, profile", flag: Some("us-west-1"), env: &[("CI_COMMIT_REF_NAME", "region/eu-west-2"), ("AWS_REGION", "eu-west-1")], git: branch("region/us-east-2"), config: Some(CONFIG), want: Found("us-west-1", "flag", None) },
            Case { name: "flag beats a bad branch", flag: Some("us-west-1"), env: &[], git: branch("region/eu-west-99"), config: None, want: Found("us-west-1", "flag", None) },
            Case { name: "branch beats env", flag: None, env: &[("AWS_REGION", "eu-west-1"), ("AWS_DEFAULT_REGION", "eu-west-2")], git: branch("region/us-east-2"), config: Some(CONFIG), want: Found("us-east-2", "git-branch", Some("region/us-east-2")) },
            Case { name: "CI branch beats git branch", flag: None, env: &[("CI_COMMIT_REF_NAME", "region/eu-north-1")], git: branch("region/us-east-2"), config: None, want: Found("eu-north-1", "ci-branch", Some("region/eu-north-1")) },
            Case { name: "CI non-region branch ignores git branch", flag: None, env: &[("CI_COMMIT_REF_NAME", "main"), ("AWS_REGION", "eu-west-1")], git: branch("region/us-east-2"), config: None, want: Found("eu-west-1", "env", Some("AWS_REGION")) },
            Case { name: "MR target beats source branch", flag: None, env: &[("CI_PIPELINE_SOURCE", "merge_request_event"), ("CI_COMMIT_REF_NAME", "feature/x"), ("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "region/us-gov-west-1")], git: GitHead::Detached, config: None, want: Found("us-gov-west-1", "merge-request-target", Some("region/us-gov-west-1")) },
            Case { name: "MR target without pipeline source", flag: None, env: &[("CI_COMMIT_REF_NAME", "region/eu-west-1"), ("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "region/cn-north-1")], git: GitHead::Detached, config: None, want: Found("cn-north-1", "merge-request-target", Some("region/cn-north-1")) },
            Case { name: "MR into main names no region even from a region source branch", flag: None, env: &[("CI_PIPELINE_SOURCE", "merge_request_event"), ("CI_COMMIT_REF_NAME", "region/us-east-2"), ("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main")], git: GitHead::Detached, config: None, want: NoRegion },
            Case { name: "MR pipeline without target", flag: None, env: &[("CI_PIPELINE_SOURCE", "merge_request_event"), ("CI_COMMIT_REF_NAME", "region/us-east-2")], git: GitHead::Detached, config: None, want: Fails("CI_PIPELINE_SOURCE=merge_request_event but CI_MERGE_REQUEST_TARGET_BRANCH_NAME is not set") },
            Case { name: "AWS_REGION beats AWS_DEFAULT_REGION", flag: None, env: &[("AWS_REGION", "eu-west-1"), ("AWS_DEFAULT_REGION", "eu-west-2")], git: GitHead::NoRepository, config: None, want: Found("eu-west-1", "env", Some("AWS_REGION")) },
            Case { name: "env beats profile", flag: None, env: &[("AWS_DEFAULT_REGION", "eu-west-2")], git: GitHead::NoRepository, config: Some(CONFIG), want: Found("eu-west-2", "env", Some("AWS_DEFAULT_REGION")) },
            Case { name: "non-region branch falls through to profile", flag: None, env: &[], git: branch("main"), config: Some(CONFIG), want: Found("eu-west-3", "profile", Some("default")) },
            Case { name: "detached HEAD falls through", flag: None, env: &[("AWS_REGION", "eu-west-1")], git: GitHead::Detached, config: None, want: Found("eu-west-1", "env", Some("AWS_REGION")) },
            Case { name: "unreadable repository falls through", flag: None, env: &[("AWS_REGION", "eu-west-1")], git: GitHead::Unreadable("denied".into()), config: None, want: Found("eu-west-1", "env", Some("AWS_REGION")) },
            // Branch forms.
            Case { name: "region/us-gov-west-1", flag: None, env: &[], git: branch("region/us-gov-west-1"), config: None, want: Found("us-gov-west-1", "git-branch", Some("region/us-gov-west-1")) },
            Case { name: "region/cn-north-1", flag: None, env: &[], git: branch("region/cn-north-1"), config: None, want: Found("cn-north-1", "git-branch", Some("region/cn-north-1")) },
            Case { name: "region/eu-west-99", flag: None, env: &[("AWS_REGION", "eu-west-1")], git: branch("region/eu-west-99"), config: None, want: Fails("branch `region/eu-west-99` (the checked-out branch) does not name an AWS region: region branches are named `region/<aws-region>`, e.g. `region/us-east-2`") },
            Case { name: "region/US-EAST-2", flag: None, env: &[], git: branch("region/US-EAST-2"), config: None, want: Fails("branch `region/US-EAST-2` (the checked-out branch) does not name an AWS region") },
            Case { name: "region/", flag: None, env: &[], git: branch("region/"), config: None, want: Fails("branch `region/` (the checked-out branch) does not name an AWS region") },
            Case { name: "region/us-east-2/x", flag: None, env: &[], git: branch("region/us-east-2/x"), config: None, want: Fails("branch `region/us-east-2/x` (the checked-out branch) does not name") },
            Case { name: "bad CI branch", flag: None, env: &[("CI_COMMIT_REF_NAME", "region/eu-west-99")], git: GitHead::Detached, config: None, want: Fails("branch `region/eu-west-99` (CI_COMMIT_REF_NAME) does not name an AWS region") },
            Case { name: "regions/us-east-2", flag: None, env: &[], git: branch("regions/us-east-2"), config: None, want: NoRegion },
            Case { name: "feature/region/us-east-2", flag: None, env: &[], git: branch("feature/region/us-east-2"), config: None, want: NoRegion },
            Case { name: "main", flag: None, env: &[], git: branch("main"), config: None, want: NoRegion },
            Case { name: "region without slash", flag: None, env: &[], git: branch("region"), config: None, want: NoRegion },
            // Invalid values from the other sources.
            Case { name: "bad flag", flag: Some("US-EAST-2"), env: &[], git: GitHead::NoRepository, config: None, want: Fails("`US-EAST-2` is not an AWS region") },
            Case { name: "pseudo region flag", flag: Some("aws-global"), env: &[], git: GitHead::NoRepository, config: None, want: Fails("`aws-global` is not an AWS region") },
            Case { name: "bad AWS_REGION", flag: None, env: &[("AWS_REGION", "moon-1")], git: GitHead::NoRepository, config: None, want: Fails("AWS_REGION is `moon-1`, which is not an AWS region") },
            Case { name: "bad profile region", flag: None, env: &[("AWS_PROFILE", "bad")], git: GitHead::NoRepository, config: Some(CONFIG), want: Fails("AWS profile bad in /home/u/.aws/config has region `moon-1`") },
        ];
        for case in &cases {
            let got = run(case);
            match (&case.want, got) {
                (Found(region, kind, detail), Ok(res)) => {
                    let r = res
                        .resolved
                        .unwrap_or_else(|| panic!("{}: no region", case.name));
                    assert_eq!(r.region.name, *region, "{}", case.name);
                    assert_eq!(r.source.kind(), *kind, "{}", case.name);
                    assert_eq!(r.source.detail().as_deref(), *detail, "{}", case.name);
                }
                (NoRegion, Ok(res)) => {
                    assert_eq!(res.resolved, None, "{}", case.name);
                    assert!(!res.notes.is_empty(), "{}: notes explain why", case.name);
                }
                (Fails(start), Err(e)) => {
                    assert_eq!(e.code, 2, "{}", case.name);
                    assert!(e.message.starts_with(start), "{}: {}", case.name, e.message);
                }
                (_, got) => panic!("{}: unexpected {got:?}", case.name),
            }
        }
    }

    #[test]
    fn near_miss_branches_and_unreadable_checkouts_cast_a_doubt() {
        let with = |git: GitHead, env: &'static [(&'static str, &'static str)]| {
            run(&Case {
                name: "",
                flag: None,
                env,
                git,
                config: None,
                want: NoRegion,
            })
            .unwrap()
        };
        for near in [
            "Region/us-east-2",
            "regions/us-east-2",
            "region-us-east-2",
            "REGION/us-east-2",
        ] {
            let r = with(branch(near), &[("AWS_REGION", "eu-west-1")]);
            assert_eq!(
                r.resolved.as_ref().unwrap().region.name,
                "eu-west-1",
                "{near}"
            );
            let doubt = r.doubt.unwrap_or_else(|| panic!("{near}: no doubt"));
            assert!(doubt.contains(&format!("branch `{near}`")), "{doubt}");
            assert!(doubt.contains("looks like a region branch"), "{doubt}");
        }
        let r = with(
            GitHead::Unreadable("permission denied".into()),
            &[("AWS_REGION", "eu-west-1")],
        );
        assert!(r
            .doubt
            .unwrap()
            .contains("the git checkout could not be read (permission denied)"));
        // No doubt where nothing could have meant a region.
        for git in [
            branch("main"),
            branch("feature/region/us-east-2"),
            GitHead::Detached,
            GitHead::NoRepository,
        ] {
            assert_eq!(
                with(git.clone(), &[("AWS_REGION", "eu-west-1")]).doubt,
                None,
                "{git:?}"
            );
        }
        // The CI branch is read instead of git: an unreadable checkout is no doubt then.
        let r = with(
            GitHead::Unreadable("x".into()),
            &[("CI_COMMIT_REF_NAME", "main"), ("AWS_REGION", "eu-west-1")],
        );
        assert_eq!(r.doubt, None);
    }

    #[test]
    fn bad_branch_errors_name_the_branch_its_origin_and_the_form() {
        let input = RegionInput {
            git: branch("region/US-EAST-2"),
            ..Default::default()
        };
        let e = resolve(&input).unwrap_err();
        assert!(e.message.contains("`region/US-EAST-2`"), "{e}");
        assert!(e.message.contains("`region/<aws-region>`"), "{e}");
        assert!(e.message.contains("the checked-out branch"), "{e}");
        assert_eq!(
            e.notes,
            vec!["region names are lower case: did you mean `region/us-east-2`?"]
        );

        let input = RegionInput {
            env: [("CI_COMMIT_REF_NAME".to_string(), "region/".to_string())].into(),
            ..Default::default()
        };
        let e = resolve(&input).unwrap_err();
        assert!(e.message.contains("CI_COMMIT_REF_NAME"), "{e}");
        assert!(e.notes.is_empty());
    }

    #[test]
    fn sources_explain_themselves() {
        let cases = [
            (Source::Flag, "from --region"),
            (Source::GitBranch("region/us-east-2".into()), "from branch region/us-east-2"),
            (Source::CiBranch("region/us-east-2".into()), "from branch region/us-east-2, CI_COMMIT_REF_NAME"),
            (
                Source::MergeRequestTarget("region/us-east-2".into()),
                "from merge request target branch region/us-east-2, CI_MERGE_REQUEST_TARGET_BRANCH_NAME",
            ),
            (Source::Env("AWS_REGION"), "from AWS_REGION"),
            (
                Source::Profile { profile: "ops".into(), file: "/h/.aws/config".into() },
                "from AWS profile ops in /h/.aws/config",
            ),
        ];
        for (source, want) in cases {
            assert_eq!(source.to_string(), want);
        }
    }

    #[test]
    fn flag_values_are_validated_like_branches() {
        assert_eq!(
            parse_region_flag("eu-central-1").unwrap().name,
            "eu-central-1"
        );
        let e = parse_region_flag("EU-CENTRAL-1").unwrap_err();
        assert!(e.contains("lower case: eu-central-1"), "{e}");
        assert!(parse_region_flag("").is_err());
    }
}
