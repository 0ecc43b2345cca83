//! The checked-out branch, read with git2.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use git2::{ErrorCode, Repository, RepositoryOpenFlags};

/// What HEAD is in the repository around a directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum GitHead {
    /// HEAD is on a branch (possibly one without commits yet).
    Branch(String),
    /// HEAD points at a commit, not a branch: no branch.
    Detached,
    /// No repository at or above the directory.
    #[default]
    NoRepository,
    /// A repository is there but could not be read.
    Unreadable(String),
}

impl GitHead {
    /// Why there is no branch, for hints; `None` when there is one.
    pub fn why_no_branch(&self) -> Option<String> {
        match self {
            GitHead::Branch(_) => None,
            GitHead::Detached => Some("git: HEAD is detached, so there is no branch".to_string()),
            GitHead::NoRepository => {
                Some("not in a git repository nor in GitLab CI, so there is no branch".to_string())
            }
            GitHead::Unreadable(e) => Some(format!("git: cannot read the checked-out branch: {e}")),
        }
    }
}

/// The repository at `start` or above it; discovery stops at the
/// directories in `GIT_CEILING_DIRECTORIES`, as git's does.
pub fn discover(start: &Path, env: &BTreeMap<String, String>) -> Result<Repository, git2::Error> {
    let ceilings: Vec<PathBuf> = env
        .get("GIT_CEILING_DIRECTORIES")
        .map(|v| {
            std::env::split_paths(v)
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        })
        .unwrap_or_default();
    Repository::open_ext(start, RepositoryOpenFlags::empty(), &ceilings)
}

/// The branch checked out in the repository found at `start` or above it
/// (so subdirectories of a work tree work, as do linked work trees).
/// Discovery stops at the directories in `GIT_CEILING_DIRECTORIES`, as git's
/// does.
pub fn head_branch(start: &Path, env: &BTreeMap<String, String>) -> GitHead {
    let repo = match discover(start, env) {
        Ok(repo) => repo,
        Err(e) if e.code() == ErrorCode::NotFound => return GitHead::NoRepository,
        Err(e) => return GitHead::Unreadable(e.message().to_string()),
    };
    // HEAD itself, not what it resolves to: a branch without commits yet
    // (`git checkout -b region/x` in a new repository) is still a branch.
    let head = match repo.find_reference("HEAD") {
        Ok(head) => head,
        Err(e) => return GitHead::Unreadable(e.message().to_string()),
    };
    match head.symbolic_target() {
        Some(target) => match target.strip_prefix("refs/heads/") {
            Some(branch) => GitHead::Branch(branch.to_string()),
            None => GitHead::Detached,
        },
        None => GitHead::Detached,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use git2::Signature;

    fn no_ceiling() -> BTreeMap<String, String> {
        BTreeMap::new()
    }

    /// A repository with one commit on `main`.
    fn repo_with_commit(dir: &Path) -> Repository {
        let repo = Repository::init(dir).unwrap();
        repo.set_head("refs/heads/main").unwrap();
        std::fs::write(dir.join("README"), "hello\n").unwrap();
        let mut index = repo.index().unwrap();
        index.add_path(Path::new("README")).unwrap();
        index.write().unwrap();
        let tree_id = index.write_tree().unwrap();
        {
            let tree = repo.find_tree(tree_id).unwrap();
            let sig = Signature::now("Test", "test@example.com").unwrap();
            repo.commit(Some("HEAD"), &sig, &sig, "first", &tree, &[])
                .unwrap();
        }
        repo
    }

    fn checkout_new_branch(repo: &Repository, name: &str) {
        let head = repo.head().unwrap().peel_to_commit().unwrap();
        repo.branch(name, &head, false).unwrap();
        repo.set_head(&format!("refs/heads/{name}")).unwrap();
        repo.checkout_head(None).unwrap();
    }

    #[test]
    fn reads_the_checked_out_branch() {
        let dir = tempfile::tempdir().unwrap();
        let repo = repo_with_commit(dir.path());
        assert_eq!(
            head_branch(dir.path(), &no_ceiling()),
            GitHead::Branch("main".into())
        );

        checkout_new_branch(&repo, "region/eu-central-1");
        assert_eq!(
            head_branch(dir.path(), &no_ceiling()),
            GitHead::Branch("region/eu-central-1".into())
        );
    }

    #[test]
    fn discovers_the_repository_from_a_subdirectory() {
        let dir = tempfile::tempdir().unwrap();
        let repo = repo_with_commit(dir.path());
        checkout_new_branch(&repo, "region/eu-central-1");
        let sub = dir.path().join("stacks").join("src");
        std::fs::create_dir_all(&sub).unwrap();
        assert_eq!(
            head_branch(&sub, &no_ceiling()),
            GitHead::Branch("region/eu-central-1".into())
        );
    }

    #[test]
    fn detached_head_is_no_branch() {
        let dir = tempfile::tempdir().unwrap();
        let repo = repo_with_commit(dir.path());
        checkout_new_branch(&repo, "region/eu-central-1");
        let commit = repo.head().unwrap().target().unwrap();
        repo.set_head_detached(commit).unwrap();
        assert_eq!(head_branch(dir.path(), &no_ceiling()), GitHead::Detached);
    }

    #[test]
    fn branch_without_commits_is_a_branch() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        repo.set_head("refs/heads/region/us-east-2").unwrap();
        assert_eq!(
            head_branch(dir.path(), &no_ceiling()),
            GitHead::Branch("region/us-east-2".into())
        );
    }

    #[test]
    fn no_repository() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("a");
        std::fs::create_dir(&sub).unwrap();
        // The ceiling keeps discovery from finding a repository that
        // happens to hold the temporary directory.
        let env = BTreeMap::from([(
            "GIT_CEILING_DIRECTORIES".to_string(),
            dir.path().display().to_string(),
        )]);
        assert_eq!(head_branch(&sub, &env), GitHead::NoRepository);
    }

    #[test]
    fn ceiling_stops_discovery_above_it() {
        let dir = tempfile::tempdir().unwrap();
        repo_with_commit(dir.path());
        let sub = dir.path().join("a");
        let deeper = sub.join("b");
        std::fs::create_dir_all(&deeper).unwrap();
        let env = BTreeMap::from([(
            "GIT_CEILING_DIRECTORIES".to_string(),
            sub.display().to_string(),
        )]);
        assert_eq!(head_branch(&deeper, &env), GitHead::NoRepository);
        assert_eq!(
            head_branch(&sub, &no_ceiling()),
            GitHead::Branch("main".into())
        );
    }
}
