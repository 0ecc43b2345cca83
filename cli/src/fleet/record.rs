//! What a deploy records on each stack so that later reads know which code
//! runs: the commit (`synth:commit`) and, in GitLab CI, the pipeline that
//! deployed it (`synth:pipeline`), as stack tags.

use std::collections::BTreeMap;
use std::path::Path;

/// The stack tag holding the commit that was deployed.
pub const COMMIT_TAG: &str = "synth:commit";
/// The stack tag holding the URL of the pipeline that deployed it.
pub const PIPELINE_TAG: &str = "synth:pipeline";

/// Where the code being deployed comes from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    pub commit: Option<String>,
    pub pipeline: Option<String>,
}

impl Origin {
    /// `CI_COMMIT_SHA` (GitLab CI), else the commit checked out in the git
    /// repository around `cwd` (discovery stops at
    /// `GIT_CEILING_DIRECTORIES`); `CI_PIPELINE_URL` for the pipeline.
    pub fn of(env: &BTreeMap<String, String>, cwd: &Path) -> Origin {
        let set = |k: &str| env.get(k).filter(|v| !v.trim().is_empty()).cloned();
        Origin {
            commit: set("CI_COMMIT_SHA").or_else(|| head_commit(cwd, env)),
            pipeline: set("CI_PIPELINE_URL"),
        }
    }

    /// [`Origin::of`] the running process.
    pub fn of_process() -> Origin {
        let env: BTreeMap<String, String> = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect();
        let cwd = std::env::current_dir().unwrap_or_default();
        Origin::of(&env, &cwd)
    }
}

/// The commit HEAD points at, if there is a repository with one.
fn head_commit(cwd: &Path, env: &BTreeMap<String, String>) -> Option<String> {
    let repo = crate::git::discover(cwd, env).ok()?;
    let commit = repo.head().ok()?.peel_to_commit().ok()?;
    Some(commit.id().to_string())
}

/// The tags a change set carries: the app's, plus the origin. CloudFormation
/// copies stack tags onto every taggable resource, so a new commit alone
/// would make every deploy update every resource: when the templates do not
/// change (`changed` false), the deployed stack keeps the origin it has.
pub fn stack_tags(
    app: &BTreeMap<String, String>,
    deployed: Option<&BTreeMap<String, String>>,
    changed: bool,
    origin: &Origin,
) -> BTreeMap<String, String> {
    let mut tags = app.clone();
    for key in [COMMIT_TAG, PIPELINE_TAG] {
        tags.remove(key);
    }
    match deployed {
        Some(deployed) if !changed => {
            for key in [COMMIT_TAG, PIPELINE_TAG] {
                if let Some(v) = deployed.get(key) {
                    tags.insert(key.to_owned(), v.clone());
                }
            }
        }
        _ => {
            if let Some(c) = &origin.commit {
                tags.insert(COMMIT_TAG.to_owned(), c.clone());
            }
            if let Some(p) = &origin.pipeline {
                tags.insert(PIPELINE_TAG.to_owned(), p.clone());
            }
        }
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_change_records_the_new_origin_and_no_change_keeps_the_deployed_one() {
        let origin = Origin {
            commit: Some("new".into()),
            pipeline: Some("https://ci/p/2".into()),
        };
        let app = map(&[("project", "x")]);
        let deployed = map(&[("project", "x"), (COMMIT_TAG, "old")]);
        assert_eq!(
            stack_tags(&app, Some(&deployed), true, &origin),
            map(&[
                ("project", "x"),
                (COMMIT_TAG, "new"),
                (PIPELINE_TAG, "https://ci/p/2")
            ])
        );
        assert_eq!(
            stack_tags(&app, Some(&deployed), false, &origin),
            map(&[("project", "x"), (COMMIT_TAG, "old")])
        );
        // A new stack always records where it came from.
        assert_eq!(
            stack_tags(&app, None, false, &origin)[COMMIT_TAG],
            "new".to_string()
        );
        assert_eq!(
            stack_tags(&app, None, true, &Origin::default()),
            app,
            "nothing known, nothing recorded"
        );
    }

    #[test]
    fn the_commit_comes_from_gitlab_ci_else_from_the_checkout() {
        let dir = tempfile::tempdir().unwrap();
        let ceiling = map(&[(
            "GIT_CEILING_DIRECTORIES",
            dir.path().parent().unwrap().to_str().unwrap(),
        )]);
        assert_eq!(Origin::of(&ceiling, dir.path()), Origin::default());
        let repo = git2::Repository::init(dir.path()).unwrap();
        let sig = git2::Signature::now("T", "t@example.com").unwrap();
        let tree = repo
            .find_tree(repo.index().unwrap().write_tree().unwrap())
            .unwrap();
        let id = repo
            .commit(Some("HEAD"), &sig, &sig, "first", &tree, &[])
            .unwrap();
        assert_eq!(
            Origin::of(&ceiling, dir.path()).commit,
            Some(id.to_string())
        );
        let mut ci = ceiling.clone();
        ci.insert("CI_COMMIT_SHA".into(), "abc123".into());
        ci.insert("CI_PIPELINE_URL".into(), "https://gitlab/p/1".into());
        assert_eq!(
            Origin::of(&ci, dir.path()),
            Origin {
                commit: Some("abc123".into()),
                pipeline: Some("https://gitlab/p/1".into())
            }
        );
    }
}
