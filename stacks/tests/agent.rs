//! The GitLab agent's configuration and the RBAC for `ci_job` jobs: a
//! realistic setup as snapshots, every bad input, and the file checked
//! against the agent's own configuration schema.

use serde_json::Value as Json;
use synth::gitlab::agent::{AccessAs, CiAccess, GitlabAgent, UserAccess, UserAccessAs};
use synth::gitlab::rbac::{CiJobRbac, EnvironmentBinding};
use synth::prelude::*;

/// Two projects, a group, one environment per region, jobs as themselves.
fn realistic(region: &str) -> synth::Assembly {
    let mut app = App::new();
    let env = format!("region/{region}");
    with_a_resource(app.stack("Agents")).add(
        "Agent",
        GitlabAgent::builder(format!("eks-{region}"))
            .ci_access(
                CiAccess::project("platform/infra")
                    .access_as(AccessAs::CiJob)
                    .environments([env.as_str()])
                    .protected_branches_only(true),
            )
            .ci_access(
                CiAccess::project("shop/api")
                    .access_as(AccessAs::CiJob)
                    .environments([env.as_str(), "review/*"])
                    .default_namespace("shop"),
            )
            .ci_access(CiAccess::group("data").environments([env.as_str()]))
            .user_access(UserAccess::new(UserAccessAs::User).group("platform"))
            .rbac(
                CiJobRbac::new()
                    .bind(EnvironmentBinding::environment(4711, env.as_str()))
                    .bind(
                        EnvironmentBinding::environment(4712, env.as_str())
                            .cluster_role("edit")
                            .namespaces(["shop"]),
                    )
                    .bind(EnvironmentBinding::tier(4712, "staging")),
            ),
    );
    app.synth().unwrap_or_else(|e| panic!("{e}"))
}

/// CloudFormation wants a resource in every stack; the agent's files have
/// none of their own.
fn with_a_resource(stack: &mut Stack) -> &mut Stack {
    use synth::iam::{Principal, Role};
    stack.add(
        "Role",
        Role::assumed_by(Principal::service("eks.amazonaws.com")),
    );
    stack
}

fn file<'a>(assembly: &'a synth::Assembly, path: &str) -> &'a str {
    &assembly
        .files
        .iter()
        .find(|f| f.manifest.path == path)
        .unwrap_or_else(|| panic!("no {path}"))
        .body
}

#[test]
fn config_and_rbac_snapshots() {
    let a = realistic("us-east-2");
    insta::assert_snapshot!("agent-config", file(&a, "agents/eks-us-east-2/config.yaml"));
    insta::assert_snapshot!("agent-rbac", file(&a, "agents/eks-us-east-2/rbac.yaml"));
    let kinds: Vec<(&str, &str)> = a
        .files
        .iter()
        .map(|f| (f.manifest.path.as_str(), f.manifest.kind.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("agents/eks-us-east-2/config.yaml", "gitlab-agent-config"),
            ("agents/eks-us-east-2/rbac.yaml", "kubernetes-manifest")
        ]
    );
    // The region's environment has its own group.
    let other = realistic("eu-west-1");
    let rbac = file(&other, "agents/eks-eu-west-1/rbac.yaml");
    assert!(
        rbac.contains("gitlab:project_env:4711:region-eu-west-1-ovpat3"),
        "{rbac}"
    );
}

#[test]
fn files_are_written_byte_stable_and_listed_in_the_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    realistic("us-east-2").write(&out).unwrap();
    let first = std::fs::read(out.join("agents/eks-us-east-2/config.yaml")).unwrap();
    realistic("us-east-2").write(&out).unwrap();
    assert_eq!(
        first,
        std::fs::read(out.join("agents/eks-us-east-2/config.yaml")).unwrap()
    );
    let json: Json =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let files = synth::manifest::files_from_json(&json).unwrap();
    assert_eq!(files[0].path, "agents/eks-us-east-2/config.yaml");
    assert_eq!(files[0].construct, "Agents/Agent");
    assert_eq!(files[1].kind, "kubernetes-manifest");
}

/// The agent's configuration schema: gitlab-org/cluster-integration/
/// gitlab-agent, `pkg/agentcfg/agentcfg.proto` at commit
/// 6c0460febd3b6f6636fa437d126f5ad43ee6b01d (2023-10-06, as kept in the
/// history of its fork pluralsh/kubernetes-agent). `ConfigurationFile` has
/// `ci_access` (`CiAccessCF`: `projects`, `groups`) and `user_access`
/// (`UserAccessCF`: `access_as`, `projects`, `groups`); `CiAccessProjectCF`
/// and `CiAccessGroupCF` have `id` (min_bytes 1), `default_namespace`,
/// `access_as` and `environments` (items min_bytes 1); `CiAccessAsCF` is a
/// required oneof `as` of `agent`, `impersonate`, `ci_job`;
/// `CiAccessAsImpersonateCF` has `username` (min_bytes 1), `groups`, `uid`,
/// `extra` (`key`, `val` with min_items 1); `UserAccessAsCF` is a required
/// oneof of `agent`, `user`. `protected_branches_only` (a bool on project
/// and group entries) came later, with gitlab-agent merge request !1569.
#[test]
fn the_config_matches_the_agents_schema() {
    const CI_ENTRY: [&str; 5] = [
        "id",
        "default_namespace",
        "access_as",
        "environments",
        "protected_branches_only",
    ];
    const CI_ACCESS_AS: [&str; 3] = ["agent", "impersonate", "ci_job"];
    const IMPERSONATE: [&str; 4] = ["username", "groups", "uid", "extra"];
    const USER_ACCESS: [&str; 3] = ["access_as", "projects", "groups"];
    const USER_ACCESS_AS: [&str; 2] = ["agent", "user"];

    let mut app = App::new();
    with_a_resource(app.stack("S")).add(
        "A",
        GitlabAgent::builder("schema")
            .ci_access(CiAccess::project("a/b").access_as(AccessAs::Impersonate(
                synth::gitlab::agent::Impersonate {
                    username: "deployer".into(),
                    groups: vec!["ops".into()],
                    uid: Some("42".into()),
                    extra: vec![("team".into(), vec!["infra".into()])],
                },
            )))
            .ci_access(
                CiAccess::group("g")
                    .access_as(AccessAs::CiJob)
                    .environments(["x/*"]),
            )
            .user_access(UserAccess::new(UserAccessAs::Agent).project("a/b")),
    );
    let mut configs: Vec<Json> = vec![];
    for a in [app.synth().unwrap(), realistic("us-east-2")] {
        let f = a
            .files
            .iter()
            .find(|f| f.manifest.kind == "gitlab-agent-config")
            .unwrap();
        configs.push(serde_yaml::from_str(&f.body).unwrap());
    }
    let keys = |v: &Json| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
    for config in &configs {
        for k in keys(config) {
            assert!(["ci_access", "user_access"].contains(&k.as_str()), "{k}");
        }
        for k in keys(&config["ci_access"]) {
            assert!(["projects", "groups"].contains(&k.as_str()), "{k}");
        }
        for list in ["projects", "groups"] {
            for entry in config["ci_access"][list].as_array().into_iter().flatten() {
                for k in keys(entry) {
                    assert!(CI_ENTRY.contains(&k.as_str()), "{k}");
                }
                assert!(!entry["id"].as_str().unwrap().is_empty());
                let access = keys(&entry["access_as"]);
                assert_eq!(access.len(), 1, "a oneof: {access:?}");
                assert!(CI_ACCESS_AS.contains(&access[0].as_str()));
                if let Some(i) = entry["access_as"].get("impersonate") {
                    for k in keys(i) {
                        assert!(IMPERSONATE.contains(&k.as_str()), "{k}");
                    }
                    assert!(!i["username"].as_str().unwrap().is_empty());
                    assert!(!i["extra"][0]["val"].as_array().unwrap().is_empty());
                }
                for e in entry["environments"].as_array().into_iter().flatten() {
                    assert!(!e.as_str().unwrap().is_empty());
                }
                if let Some(p) = entry.get("protected_branches_only") {
                    assert!(p.is_boolean());
                }
            }
        }
        if let Some(u) = config.get("user_access") {
            for k in keys(u) {
                assert!(USER_ACCESS.contains(&k.as_str()), "{k}");
            }
            let access = keys(&u["access_as"]);
            assert_eq!(access.len(), 1);
            assert!(USER_ACCESS_AS.contains(&access[0].as_str()));
        }
    }
    assert_eq!(
        configs[0]["ci_access"]["projects"][0]["access_as"]["impersonate"]["uid"],
        "42"
    );
}

fn failing(agent: synth::gitlab::agent::GitlabAgentBuilder) -> synth::SynthError {
    let mut app = App::new();
    with_a_resource(app.stack("Bad")).add("Agent", agent);
    app.synth().expect_err("synthesis should fail")
}

#[test]
fn every_bad_input_fails_naming_the_construct() {
    let e = failing(GitlabAgent::builder("ok").ci_access(CiAccess::project("noslash")));
    assert!(e.has("Bad/Agent", "is not a GitLab project path"), "{e}");
    for bad in ["a//b", "-a/b", "a/b.git", "a/b c", ""] {
        let e = failing(GitlabAgent::builder("ok").ci_access(CiAccess::project(bad)));
        assert!(
            e.has("Bad/Agent", "is not a GitLab project path"),
            "{bad}: {e}"
        );
    }
    let e = failing(GitlabAgent::builder("ok").ci_access(CiAccess::group("a/.b")));
    assert!(e.has("Bad/Agent", "is not a GitLab group path"), "{e}");

    let mut many = GitlabAgent::builder("ok");
    for i in 0..501 {
        many = many.ci_access(CiAccess::project(format!("g/p{i}")));
    }
    let e = failing(many);
    assert!(
        e.has(
            "Bad/Agent",
            "lists 501 projects; an agent is shared with at most 500"
        ),
        "{e}"
    );
    let mut groups = GitlabAgent::builder("ok");
    for i in 0..500 {
        groups = groups.ci_access(CiAccess::group(format!("g{i}")));
    }
    let mut app = App::new();
    with_a_resource(app.stack("Fine")).add("Agent", groups);
    assert!(app.synth().is_ok(), "500 is allowed");

    assert!("admin"
        .parse::<AccessAs>()
        .unwrap_err()
        .contains("access_as \"admin\" is unknown"));
    assert!("impersonate"
        .parse::<AccessAs>()
        .unwrap_err()
        .contains("needs an identity"));
    assert_eq!("ci_job".parse::<AccessAs>(), Ok(AccessAs::CiJob));

    let e = failing(
        GitlabAgent::builder("Bad_Name")
            .ci_access(CiAccess::project("a/b").environments(["", "ok/*", "no|pipe"]))
            .ci_access(CiAccess::project("a/b"))
            .ci_access(
                CiAccess::project("c/d").access_as(AccessAs::Impersonate(Default::default())),
            ),
    );
    for needle in [
        "agent name \"Bad_Name\"",
        "environment \"\"",
        "environment \"no|pipe\"",
        "lists \"a/b\" twice",
        "impersonate needs a username",
    ] {
        assert!(e.has("Bad/Agent", needle), "{needle}: {e}");
    }

    let e = failing(
        GitlabAgent::builder("ok")
            .ci_access(CiAccess::project("a/b"))
            .rbac(
                CiJobRbac::new().bind(
                    EnvironmentBinding::tier(0, "prod")
                        .cluster_role("Admin")
                        .namespaces(["Shop"]),
                ),
            ),
    );
    for needle in [
        "needs a ci_access entry with AccessAs::CiJob",
        "project ID 0",
        "ClusterRole \"Admin\"",
        "tier \"prod\"",
        "namespace \"Shop\"",
    ] {
        assert!(e.has("Bad/Agent", needle), "{needle}: {e}");
    }
}
