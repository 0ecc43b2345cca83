//! The GitLab agent for Kubernetes, configured from Rust: its
//! `config.yaml` (`ci_access`, `user_access`), validated at synthesis and
//! written into the cloud assembly as `agents/<name>/config.yaml`, listed
//! in the manifest's `files` (kind `gitlab-agent-config`). Commit that file
//! to `.gitlab/agents/<name>/config.yaml` of the agent's project.
//!
//! ```
//! use synth::prelude::*;
//! use synth::gitlab::agent::{AccessAs, CiAccess, GitlabAgent};
//! use synth::iam::{Principal, Role};
//!
//! let mut app = App::new();
//! let stack = app.stack("Eks");
//! stack.add("Role", Role::assumed_by(Principal::service("eks.amazonaws.com")));
//! stack.add("Agent", GitlabAgent::builder("eks-us-east-2")
//!     .ci_access(CiAccess::project("infra/eks").access_as(AccessAs::CiJob)
//!         .environments(["region/us-east-2"])));
//! let assembly = app.synth().expect("valid");
//! assert_eq!(assembly.files[0].manifest.path, "agents/eks-us-east-2/config.yaml");
//! ```

use crate::construct::{Construct, HasNode};
use crate::element_ids::NodeId;
use crate::stack::Scope;

/// How many projects, and how many groups, one agent may share its
/// connection with (GitLab 17.0 raised it from 100 to 500).
pub const MAX_SHARED: usize = 500;

/// The identity CI jobs act as in the cluster (`access_as`; a oneof in the
/// agent's `CiAccessAsCF`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccessAs {
    /// The agent's own service account (`agent: {}`).
    Agent,
    /// The job itself (`ci_job: {}`): user `gitlab:ci_job:<job id>`, groups
    /// `gitlab:ci_job`, `gitlab:project_env:<project id>:<env slug>`, ...,
    /// for Kubernetes RBAC to tell jobs and environments apart.
    CiJob,
    /// A fixed Kubernetes identity (`impersonate`).
    Impersonate(Impersonate),
}

/// A Kubernetes identity to impersonate.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Impersonate {
    pub username: String,
    pub groups: Vec<String>,
    pub uid: Option<String>,
    pub extra: Vec<(String, Vec<String>)>,
}

impl std::str::FromStr for AccessAs {
    type Err = String;

    /// `agent` or `ci_job`; `impersonate` needs an identity, so it is
    /// built as [`AccessAs::Impersonate`].
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "agent" => Ok(AccessAs::Agent),
            "ci_job" => Ok(AccessAs::CiJob),
            "impersonate" => Err("access_as impersonate needs an identity: use AccessAs::Impersonate(Impersonate { username, .. })".into()),
            other => Err(format!(
                "access_as {other:?} is unknown: the agent accepts agent, ci_job or impersonate"
            )),
        }
    }
}

/// Whether a grant names a project or a group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Project,
    Group,
}

/// A project or group whose CI jobs may use the agent (an entry of
/// `ci_access.projects` or `ci_access.groups`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CiAccess {
    kind: Kind,
    id: String,
    default_namespace: Option<String>,
    access_as: AccessAs,
    environments: Vec<String>,
    protected_branches_only: bool,
}

impl CiAccess {
    /// The project at `path` (`group/project`, as in its URL). Defaults:
    /// [`AccessAs::Agent`], every environment, any branch, no default
    /// namespace.
    pub fn project(path: impl Into<String>) -> Self {
        Self::new(Kind::Project, path.into())
    }

    /// Every project of the group at `path` (`group` or `group/subgroup`).
    /// Defaults as [`CiAccess::project`].
    pub fn group(path: impl Into<String>) -> Self {
        Self::new(Kind::Group, path.into())
    }

    fn new(kind: Kind, id: String) -> Self {
        CiAccess {
            kind,
            id,
            default_namespace: None,
            access_as: AccessAs::Agent,
            environments: Vec::new(),
            protected_branches_only: false,
        }
    }

    /// Default: [`AccessAs::Agent`].
    pub fn access_as(mut self, access_as: AccessAs) -> Self {
        self.access_as = access_as;
        self
    }

    /// Only jobs of these environments (names, or patterns with `*` such
    /// as `review/*`). Default: every job.
    pub fn environments<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.environments.extend(names.into_iter().map(Into::into));
        self
    }

    /// Only jobs on protected branches. Default: false.
    pub fn protected_branches_only(mut self, on: bool) -> Self {
        self.protected_branches_only = on;
        self
    }

    /// The namespace of the job's kubectl context. Default: none.
    pub fn default_namespace(mut self, namespace: impl Into<String>) -> Self {
        self.default_namespace = Some(namespace.into());
        self
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn environment_names(&self) -> &[String] {
        &self.environments
    }

    pub fn access(&self) -> &AccessAs {
        &self.access_as
    }
}

/// Who users of GitLab act as through the agent (`user_access.access_as`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserAccessAs {
    Agent,
    User,
}

/// Access to the cluster for GitLab users of projects and groups
/// (`user_access`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserAccess {
    access_as: UserAccessAs,
    projects: Vec<String>,
    groups: Vec<String>,
}

impl UserAccess {
    /// Default: no projects or groups.
    pub fn new(access_as: UserAccessAs) -> Self {
        UserAccess {
            access_as,
            projects: Vec::new(),
            groups: Vec::new(),
        }
    }

    pub fn project(mut self, path: impl Into<String>) -> Self {
        self.projects.push(path.into());
        self
    }

    pub fn group(mut self, path: impl Into<String>) -> Self {
        self.groups.push(path.into());
        self
    }
}

/// An agent's configuration, being built; add it with [`Scope::add`].
#[derive(Clone, Debug)]
pub struct GitlabAgentBuilder {
    name: String,
    ci_access: Vec<CiAccess>,
    user_access: Option<UserAccess>,
    rbac: Option<super::rbac::CiJobRbac>,
}

/// An agent's configuration in the assembly.
#[derive(Clone, Debug)]
pub struct GitlabAgent {
    node: NodeId,
    name: String,
    config_path: String,
    rbac_path: Option<String>,
}

impl HasNode for GitlabAgent {
    fn node(&self) -> Option<NodeId> {
        Some(self.node)
    }
}

impl GitlabAgent {
    /// The agent `name` (as registered in GitLab: 1-63 lower-case letters,
    /// digits and `-`). Defaults: no `ci_access`, no `user_access`, no
    /// RBAC file.
    pub fn builder(name: impl Into<String>) -> GitlabAgentBuilder {
        GitlabAgentBuilder {
            name: name.into(),
            ci_access: Vec::new(),
            user_access: None,
            rbac: None,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// `agents/<name>/config.yaml`, relative to the assembly.
    pub fn config_path(&self) -> &str {
        &self.config_path
    }

    /// `agents/<name>/rbac.yaml`, when RBAC was asked for.
    pub fn rbac_path(&self) -> Option<&str> {
        self.rbac_path.as_deref()
    }
}

impl GitlabAgentBuilder {
    /// Shares the agent with a project or group. Default: none.
    pub fn ci_access(mut self, access: CiAccess) -> Self {
        self.ci_access.push(access);
        self
    }

    /// Default: none.
    pub fn user_access(mut self, access: UserAccess) -> Self {
        self.user_access = Some(access);
        self
    }

    /// Kubernetes RBAC for jobs that act as themselves
    /// ([`AccessAs::CiJob`]), written as `agents/<name>/rbac.yaml`
    /// (kind `kubernetes-manifest`). Default: none.
    pub fn rbac(mut self, rbac: super::rbac::CiJobRbac) -> Self {
        self.rbac = Some(rbac);
        self
    }
}

/// Problems with a project or group path: segments of letters, digits,
/// `_`, `-` and `.`, not starting with `-` or `.`, not ending in `.git` or
/// `.atom` (GitLab's path rules); projects need a namespace.
pub fn path_problem(kind: Kind, path: &str) -> Option<String> {
    let segments: Vec<&str> = path.split('/').collect();
    let segment_ok = |s: &&str| {
        !s.is_empty()
            && s.len() <= 255
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
            && !s.starts_with(['-', '.'])
            && !s.ends_with(".git")
            && !s.ends_with(".atom")
    };
    let (what, min) = match kind {
        Kind::Project => ("project", 2),
        Kind::Group => ("group", 1),
    };
    (segments.len() < min || !segments.iter().all(segment_ok)).then(|| {
        format!(
            "{what} path {path:?} is not a GitLab {what} path: {} of letters, digits, '_', '-' and '.', as in its URL",
            if min == 2 { "namespace/project, segments" } else { "segments" }
        )
    })
}

/// Environment names and patterns: what GitLab allows in a name (letters,
/// digits, spaces, `-_/.${}`), plus `*` wildcards.
fn environment_problem(name: &str) -> Option<String> {
    let ok = !name.is_empty()
        && name.len() <= 255
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || " -_/.${}*".contains(c));
    (!ok).then(|| {
        format!("environment {name:?} is not a GitLab environment name or pattern (1-255 letters, digits, spaces, '-_/.${{}}' and '*')")
    })
}

fn agent_name_problem(name: &str) -> Option<String> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    (!ok).then(|| format!("agent name {name:?} must be 1-63 lower-case letters, digits and '-', starting and ending with a letter or digit"))
}

/// Every problem of the configuration, for the construct to report.
pub(crate) fn problems(
    name: &str,
    ci_access: &[CiAccess],
    user: Option<&UserAccess>,
) -> Vec<String> {
    let mut out: Vec<String> = agent_name_problem(name).into_iter().collect();
    for kind in [Kind::Project, Kind::Group] {
        let ids: Vec<&str> = ci_access
            .iter()
            .filter(|a| a.kind == kind)
            .map(|a| a.id.as_str())
            .collect();
        let what = if kind == Kind::Project {
            "projects"
        } else {
            "groups"
        };
        if ids.len() > MAX_SHARED {
            out.push(format!(
                "ci_access lists {} {what}; an agent is shared with at most {MAX_SHARED}",
                ids.len()
            ));
        }
        for (i, id) in ids.iter().enumerate() {
            if ids[..i].contains(id) {
                out.push(format!("ci_access lists {id:?} twice among its {what}"));
            }
        }
    }
    for a in ci_access {
        out.extend(path_problem(a.kind, &a.id));
        out.extend(a.environments.iter().filter_map(|e| environment_problem(e)));
        if let Some(ns) = &a.default_namespace {
            if ns.is_empty() {
                out.push(format!("{}: an empty default namespace", a.id));
            }
        }
        if let AccessAs::Impersonate(i) = &a.access_as {
            if i.username.is_empty() {
                out.push(format!("{}: impersonate needs a username", a.id));
            }
            if i.groups.iter().any(String::is_empty) {
                out.push(format!("{}: an empty impersonated group", a.id));
            }
            for (key, values) in &i.extra {
                if key.is_empty() || values.is_empty() || values.iter().any(String::is_empty) {
                    out.push(format!(
                        "{}: impersonate extra {key:?} needs a key and at least one non-empty value",
                        a.id
                    ));
                }
            }
        }
    }
    if let Some(u) = user {
        for (kind, ids) in [(Kind::Project, &u.projects), (Kind::Group, &u.groups)] {
            if ids.len() > MAX_SHARED {
                out.push(format!(
                    "user_access lists {} entries of one kind; at most {MAX_SHARED}",
                    ids.len()
                ));
            }
            out.extend(ids.iter().filter_map(|id| path_problem(kind, id)));
        }
    }
    out
}

/// The configuration as the agent reads it, keys in a fixed order.
pub(crate) fn config_json(ci_access: &[CiAccess], user: Option<&UserAccess>) -> serde_json::Value {
    use serde_json::{json, Map, Value};
    let entry = |a: &CiAccess| {
        let mut m = Map::new();
        m.insert("id".into(), json!(a.id));
        if let Some(ns) = &a.default_namespace {
            m.insert("default_namespace".into(), json!(ns));
        }
        let access_as = match &a.access_as {
            AccessAs::Agent => json!({"agent": {}}),
            AccessAs::CiJob => json!({"ci_job": {}}),
            AccessAs::Impersonate(i) => {
                let mut im = Map::new();
                im.insert("username".into(), json!(i.username));
                if !i.groups.is_empty() {
                    im.insert("groups".into(), json!(i.groups));
                }
                if let Some(uid) = &i.uid {
                    im.insert("uid".into(), json!(uid));
                }
                if !i.extra.is_empty() {
                    let extra: Vec<Value> = i
                        .extra
                        .iter()
                        .map(|(k, v)| json!({"key": k, "val": v}))
                        .collect();
                    im.insert("extra".into(), Value::Array(extra));
                }
                json!({"impersonate": im})
            }
        };
        m.insert("access_as".into(), access_as);
        if !a.environments.is_empty() {
            m.insert("environments".into(), json!(a.environments));
        }
        if a.protected_branches_only {
            m.insert("protected_branches_only".into(), json!(true));
        }
        Value::Object(m)
    };
    let mut root = Map::new();
    let mut ci = Map::new();
    for (kind, key) in [(Kind::Project, "projects"), (Kind::Group, "groups")] {
        let list: Vec<Value> = ci_access
            .iter()
            .filter(|a| a.kind == kind)
            .map(entry)
            .collect();
        if !list.is_empty() {
            ci.insert(key.into(), Value::Array(list));
        }
    }
    if !ci.is_empty() {
        root.insert("ci_access".into(), Value::Object(ci));
    }
    if let Some(u) = user {
        let mut um = Map::new();
        let access_as = match u.access_as {
            UserAccessAs::Agent => json!({"agent": {}}),
            UserAccessAs::User => json!({"user": {}}),
        };
        um.insert("access_as".into(), access_as);
        let ids = |v: &[String]| Value::Array(v.iter().map(|id| json!({"id": id})).collect());
        if !u.projects.is_empty() {
            um.insert("projects".into(), ids(&u.projects));
        }
        if !u.groups.is_empty() {
            um.insert("groups".into(), ids(&u.groups));
        }
        root.insert("user_access".into(), Value::Object(um));
    }
    Value::Object(root)
}

/// The file's text: a comment naming where it goes, then YAML.
fn render(name: &str, config: &serde_json::Value) -> String {
    let body = serde_yaml::to_string(config).unwrap_or_default();
    format!(
        "# .gitlab/agents/{name}/config.yaml of the agent's project; generated by synth\n{body}"
    )
}

impl Construct for GitlabAgentBuilder {
    type Built = GitlabAgent;

    fn build(self, here: &mut Scope<'_>) -> GitlabAgent {
        let problems = problems(&self.name, &self.ci_access, self.user_access.as_ref());
        let valid_name = agent_name_problem(&self.name).is_none();
        for p in problems {
            here.error(p);
        }
        let dir = if valid_name {
            format!("agents/{}", self.name)
        } else {
            "agents/invalid".to_owned()
        };
        let config_path = format!("{dir}/config.yaml");
        let config = config_json(&self.ci_access, self.user_access.as_ref());
        here.add_file(
            config_path.clone(),
            "gitlab-agent-config",
            render(&self.name, &config),
        );
        let rbac_path = self.rbac.map(|rbac| {
            let path = format!("{dir}/rbac.yaml");
            match super::rbac::render(&rbac, &self.ci_access) {
                Ok(body) => here.add_file(path.clone(), "kubernetes-manifest", body),
                Err(problems) => {
                    for p in problems {
                        here.error(p);
                    }
                }
            }
            path
        });
        GitlabAgent {
            node: here.node_id(),
            name: self.name,
            config_path,
            rbac_path,
        }
    }
}
