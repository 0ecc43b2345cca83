//! The `region/<region>` branches of a repository, read with git2, and
//! where each deployed commit stands against its branch head.

use git2::{BranchType, Oid, Repository};

use crate::region_resolution::BRANCH_PREFIX;

/// One region branch: the region it names and its head.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegionBranch {
    /// The text after `region/` (checked against the region list by the
    /// caller: a branch naming no region is a row with that error).
    pub region: String,
    /// The branch as git names it: `region/us-east-2` or
    /// `origin/region/us-east-2`.
    pub branch: String,
    /// The head commit's full ID.
    pub head: String,
}

/// Every region branch, one per region: a local branch wins over
/// remote-tracking ones, which are taken in name order. Sorted by region.
pub fn region_branches(repo: &Repository) -> Result<Vec<RegionBranch>, git2::Error> {
    let mut found: Vec<(bool, RegionBranch)> = Vec::new();
    for kind in [BranchType::Local, BranchType::Remote] {
        for branch in repo.branches(Some(kind))? {
            let (branch, _) = branch?;
            // Remote HEADs (origin/HEAD) are symbolic: not a branch of their own.
            if branch.get().symbolic_target().is_some() {
                continue;
            }
            let Ok(Some(name)) = branch.name().map(|n| n.map(str::to_owned)) else {
                continue;
            };
            let short = match kind {
                BranchType::Local => name.as_str(),
                BranchType::Remote => match name.split_once('/') {
                    Some((_, rest)) => rest,
                    None => continue,
                },
            };
            let Some(region) = short.strip_prefix(BRANCH_PREFIX) else {
                continue;
            };
            let Ok(commit) = branch.get().peel_to_commit() else {
                continue;
            };
            found.push((
                kind == BranchType::Remote,
                RegionBranch {
                    region: region.to_owned(),
                    branch: name.clone(),
                    head: commit.id().to_string(),
                },
            ));
        }
    }
    found.sort_by(|(ra, a), (rb, b)| (&a.region, ra, &a.branch).cmp(&(&b.region, rb, &b.branch)));
    let mut out: Vec<RegionBranch> = Vec::new();
    for (_, b) in found {
        if out.last().is_none_or(|l| l.region != b.region) {
            out.push(b);
        }
    }
    Ok(out)
}

/// Where a deployed commit stands against the branch head.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Position {
    /// The head is what is deployed.
    UpToDate,
    /// The head has this many commits the deployed one lacks.
    Ahead(usize),
    /// The deployed commit is newer than the head (the branch was reset).
    Behind(usize),
    /// Neither contains the other.
    Diverged { ahead: usize, behind: usize },
    /// The deployed commit is not in this repository (or nothing recorded it).
    Unknown,
}

impl Position {
    /// For people: `up to date`, `ahead by 2`, ...
    pub fn describe(&self) -> String {
        match self {
            Position::UpToDate => "up to date".to_owned(),
            Position::Ahead(n) => format!("ahead by {n}"),
            Position::Behind(n) => format!("behind by {n}"),
            Position::Diverged { ahead, behind } => {
                format!("diverged (+{ahead}/-{behind})")
            }
            Position::Unknown => "unknown".to_owned(),
        }
    }

    /// For machines: `up-to-date`, `ahead`, `behind`, `diverged`, `unknown`.
    pub fn key(&self) -> &'static str {
        match self {
            Position::UpToDate => "up-to-date",
            Position::Ahead(_) => "ahead",
            Position::Behind(_) => "behind",
            Position::Diverged { .. } => "diverged",
            Position::Unknown => "unknown",
        }
    }

    /// How many commits the head has that are not deployed.
    pub fn ahead_by(&self) -> Option<usize> {
        match self {
            Position::UpToDate => Some(0),
            Position::Ahead(n) | Position::Diverged { ahead: n, .. } => Some(*n),
            Position::Behind(_) => Some(0),
            Position::Unknown => None,
        }
    }
}

/// Where `deployed` (a commit ID, possibly abbreviated) stands against `head`.
pub fn position(repo: &Repository, head: &str, deployed: &str) -> Position {
    let (Ok(head), Ok(deployed)) = (
        Oid::from_str(head),
        repo.revparse_single(deployed)
            .and_then(|o| o.peel_to_commit())
            .map(|c| c.id()),
    ) else {
        return Position::Unknown;
    };
    match repo.graph_ahead_behind(head, deployed) {
        Ok((0, 0)) => Position::UpToDate,
        Ok((a, 0)) => Position::Ahead(a),
        Ok((0, b)) => Position::Behind(b),
        Ok((ahead, behind)) => Position::Diverged { ahead, behind },
        Err(_) => Position::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use git2::Signature;

    fn commit(repo: &Repository, parent: Option<Oid>, msg: &str) -> Oid {
        let sig = Signature::now("T", "t@example.com").unwrap();
        let tree = repo
            .find_tree(repo.index().unwrap().write_tree().unwrap())
            .unwrap();
        let parents: Vec<git2::Commit> = parent
            .map(|p| repo.find_commit(p).unwrap())
            .into_iter()
            .collect();
        let refs: Vec<&git2::Commit> = parents.iter().collect();
        repo.commit(None, &sig, &sig, msg, &tree, &refs).unwrap()
    }

    #[test]
    fn local_branches_win_and_remote_ones_fill_in() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let a = commit(&repo, None, "a");
        let b = commit(&repo, Some(a), "b");
        let c = commit(&repo, Some(b), "c");
        repo.reference("refs/heads/main", a, true, "").unwrap();
        repo.reference("refs/heads/region/us-east-1", b, true, "")
            .unwrap();
        repo.reference("refs/remotes/origin/region/us-east-1", c, true, "")
            .unwrap();
        repo.reference("refs/remotes/origin/region/eu-west-1", c, true, "")
            .unwrap();
        repo.reference("refs/remotes/origin/feature/x", c, true, "")
            .unwrap();
        let got = region_branches(&repo).unwrap();
        assert_eq!(
            got,
            vec![
                RegionBranch {
                    region: "eu-west-1".into(),
                    branch: "origin/region/eu-west-1".into(),
                    head: c.to_string()
                },
                RegionBranch {
                    region: "us-east-1".into(),
                    branch: "region/us-east-1".into(),
                    head: b.to_string()
                },
            ]
        );
        assert_eq!(
            position(&repo, &c.to_string(), &a.to_string()),
            Position::Ahead(2)
        );
        assert_eq!(
            position(&repo, &b.to_string(), &b.to_string()[..8]),
            Position::UpToDate
        );
        assert_eq!(
            position(&repo, &a.to_string(), &c.to_string()),
            Position::Behind(2)
        );
        let side = commit(&repo, Some(a), "side");
        assert_eq!(
            position(&repo, &side.to_string(), &c.to_string()),
            Position::Diverged {
                ahead: 1,
                behind: 2
            }
        );
        assert_eq!(
            position(&repo, &c.to_string(), "0123456789abcdef"),
            Position::Unknown
        );
    }
}
