//! Kubernetes RBAC for CI jobs that act as themselves through the GitLab
//! agent (`access_as: ci_job`): bindings that give one environment's jobs
//! exactly the rights asked for, as plain Kubernetes YAML.
//!
//! With `ci_job`, the agent impersonates the job with groups such as
//! `gitlab:project_env:<project id>:<environment slug>` and
//! `gitlab:project_env_tier:<project id>:<tier>`; a binding to such a group
//! is what lets that environment's jobs in.

use super::agent::{AccessAs, CiAccess};
use sha2::{Digest, Sha256};

/// Which jobs a binding names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Jobs {
    /// Jobs of the environment with this name (`region/us-east-2`).
    Environment(String),
    /// Jobs of environments of this tier (`production`, `staging`, ...).
    Tier(String),
}

/// Rights for one project's jobs of one environment or tier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvironmentBinding {
    project_id: u64,
    jobs: Jobs,
    cluster_role: String,
    namespaces: Vec<String>,
}

impl EnvironmentBinding {
    /// Jobs of project `project_id` (its numeric ID, Settings > General)
    /// deploying to `environment`. Defaults: the `view` ClusterRole,
    /// cluster-wide (a ClusterRoleBinding).
    pub fn environment(project_id: u64, environment: impl Into<String>) -> Self {
        Self::new(project_id, Jobs::Environment(environment.into()))
    }

    /// Jobs of project `project_id` deploying to any environment of `tier`.
    /// Defaults as [`EnvironmentBinding::environment`].
    pub fn tier(project_id: u64, tier: impl Into<String>) -> Self {
        Self::new(project_id, Jobs::Tier(tier.into()))
    }

    fn new(project_id: u64, jobs: Jobs) -> Self {
        EnvironmentBinding {
            project_id,
            jobs,
            cluster_role: "view".into(),
            namespaces: Vec::new(),
        }
    }

    /// The ClusterRole granted (`view`, `edit`, `admin` or one of the
    /// cluster's). Default: `view`.
    pub fn cluster_role(mut self, name: impl Into<String>) -> Self {
        self.cluster_role = name.into();
        self
    }

    /// Grants it only in these namespaces (one RoleBinding each). Default:
    /// cluster-wide.
    pub fn namespaces<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.namespaces.extend(names.into_iter().map(Into::into));
        self
    }

    /// The Kubernetes group the agent gives these jobs.
    pub fn group(&self) -> String {
        match &self.jobs {
            Jobs::Environment(name) => format!(
                "gitlab:project_env:{}:{}",
                self.project_id,
                environment_slug(name)
            ),
            Jobs::Tier(tier) => format!("gitlab:project_env_tier:{}:{tier}", self.project_id),
        }
    }
}

/// The bindings of one agent's cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CiJobRbac {
    bindings: Vec<EnvironmentBinding>,
}

impl CiJobRbac {
    /// Default: no bindings.
    pub fn new() -> Self {
        CiJobRbac::default()
    }

    pub fn bind(mut self, binding: EnvironmentBinding) -> Self {
        self.bindings.push(binding);
        self
    }
}

/// GitLab's environment slug (`CI_ENVIRONMENT_SLUG`), as
/// `lib/gitlab/slug/environment.rb` computes it: lower case, anything but
/// `a-z0-9` becomes `-`, `env-` in front unless it starts with a letter,
/// runs of `-` squeezed; when that changed the name or is over 24
/// characters, the first 17 characters, a `-`, and the last six base-36
/// digits of the name's SHA-256; otherwise without a trailing `-`.
pub fn environment_slug(name: &str) -> String {
    let mut slug: String = name
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '-'
            }
        })
        .collect();
    if !slug.starts_with(|c: char| c.is_ascii_lowercase()) {
        slug.insert_str(0, "env-");
    }
    let mut squeezed = String::with_capacity(slug.len());
    for c in slug.chars() {
        if !(c == '-' && squeezed.ends_with('-')) {
            squeezed.push(c);
        }
    }
    if squeezed.len() > 24 || squeezed != name {
        let mut short: String = squeezed.chars().take(17).collect();
        if !short.ends_with('-') {
            short.push('-');
        }
        short.push_str(&base36_suffix(name));
        short
    } else {
        squeezed.trim_end_matches('-').to_owned()
    }
}

/// The last six base-36 digits of the SHA-256 of `name` read as a number.
fn base36_suffix(name: &str) -> String {
    const MODULUS: u64 = 36u64.pow(6);
    let digest = Sha256::digest(name.as_bytes());
    let mut rest = digest
        .iter()
        .fold(0u64, |acc, b| (acc * 256 + u64::from(*b)) % MODULUS);
    let mut digits = [b'0'; 6];
    for d in digits.iter_mut().rev() {
        let v = (rest % 36) as u8;
        *d = if v < 10 { b'0' + v } else { b'a' + v - 10 };
        rest /= 36;
    }
    String::from_utf8_lossy(&digits).into_owned()
}

fn k8s_name_ok(name: &str, max: usize) -> bool {
    !name.is_empty()
        && name.len() <= max
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
}

/// The bindings as multi-document YAML, or what is wrong with them.
pub(crate) fn render(rbac: &CiJobRbac, ci_access: &[CiAccess]) -> Result<String, Vec<String>> {
    use serde_json::json;
    let mut problems = Vec::new();
    if !ci_access.iter().any(|a| *a.access() == AccessAs::CiJob) {
        problems.push("RBAC for ci_job needs a ci_access entry with AccessAs::CiJob; otherwise jobs act as the agent and these bindings never apply".to_owned());
    }
    if rbac.bindings.is_empty() {
        problems.push("the RBAC has no bindings".to_owned());
    }
    let mut docs = Vec::new();
    for b in &rbac.bindings {
        if b.project_id == 0 {
            problems.push("project ID 0: use the project's numeric ID".to_owned());
        }
        if !k8s_name_ok(&b.cluster_role, 253) {
            problems.push(format!(
                "ClusterRole {:?} is not a Kubernetes name",
                b.cluster_role
            ));
        }
        let target = match &b.jobs {
            Jobs::Environment(e) => environment_slug(e),
            Jobs::Tier(t) => {
                if !["production", "staging", "testing", "development", "other"]
                    .contains(&t.as_str())
                {
                    problems.push(format!("tier {t:?} is not one of GitLab's: production, staging, testing, development, other"));
                }
                t.clone()
            }
        };
        let name = format!("gitlab-ci-{}-{target}-{}", b.project_id, b.cluster_role);
        let subject =
            json!([{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": b.group()}]);
        let role_ref = json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": b.cluster_role});
        let labels = json!({"app.kubernetes.io/managed-by": "synth"});
        if b.namespaces.is_empty() {
            docs.push(json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                "metadata": {"name": name, "labels": labels}, "roleRef": role_ref, "subjects": subject}));
        }
        for ns in &b.namespaces {
            if !k8s_name_ok(ns, 63) || ns.contains('.') {
                problems.push(format!(
                    "namespace {ns:?} is not a Kubernetes namespace name"
                ));
            }
            docs.push(json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                "metadata": {"name": name, "namespace": ns, "labels": labels}, "roleRef": role_ref, "subjects": subject}));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut out = String::from(
        "# Kubernetes RBAC for GitLab CI jobs (access_as: ci_job); generated by synth\n",
    );
    for doc in docs {
        out.push_str("---\n");
        out.push_str(&serde_yaml::to_string(&doc).unwrap_or_default());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_gitlabs_rules() {
        // Unchanged names stay as they are.
        assert_eq!(environment_slug("production"), "production");
        assert_eq!(
            environment_slug("staging-1234567890123456"),
            "staging-1234567890123456"
        );
        // Changed or long names: 17 characters, '-', six base-36 digits of
        // the SHA-256 (values from Ruby's
        // Digest::SHA2.hexdigest(name).to_i(16).to_s(36)[-6..]).
        assert_eq!(
            environment_slug("region/us-east-2"),
            "region-us-east-2-0dcqeq"
        );
        assert_eq!(
            environment_slug("region/eu-west-1"),
            "region-eu-west-1-ovpat3"
        );
        assert_eq!(environment_slug("PRODUCTION"), "production-vl4voz");
        assert_eq!(environment_slug("review/1-foo"), "review-1-foo-9tdj0u");
        assert_eq!(environment_slug("1-foo")[..10], *"env-1-foo-");
        assert_eq!(environment_slug("foo-"), "foo");
    }
}
