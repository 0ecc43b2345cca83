//! The bundled application: the bootstrap GitLab's Amazon EKS integration
//! needs, written against synth's public API exactly as a user would.
//!
//! Another stack can build on the bootstrap: [`define_bootstrap`] returns
//! it, with its VPC, roles and cluster typed.

mod runner_data;

pub use runner_data::{define_runner_data, STACK as RUNNER_DATA_STACK};
use synth::eks::Cluster;
use synth::gitlab::{ClusterOptions, GitlabEksBootstrap};
use synth::prelude::*;

/// The name of the bootstrap stack.
pub const STACK: &str = "GitlabEks";

/// Defines the bootstrap stack on `app` and returns it.
pub fn define(app: &mut App) -> GitlabEksBootstrap<Cluster> {
    define_bootstrap(app, STACK)
}

/// Adds one bootstrap stack named `name` (35 resources) and returns what it
/// built, for other stacks to use.
pub fn define_bootstrap(app: &mut App, name: &str) -> GitlabEksBootstrap<Cluster> {
    define_bootstrap_with(app, name, |_| {})
}

/// [`define_bootstrap`] with the cluster's options changed by `adjust`
/// first (a test bringing its own secrets key, say).
pub fn define_bootstrap_with(
    app: &mut App,
    name: &str,
    adjust: impl FnOnce(&mut ClusterOptions),
) -> GitlabEksBootstrap<Cluster> {
    let mut options = ClusterOptions {
        name: Some("gitlab".into()),
        ..ClusterOptions::default()
    };
    adjust(&mut options);
    let stack = app.stack(name);
    stack
        .description("GitLab EKS integration bootstrap: CI/CD user, provision role, EKS roles, VPC and cluster")
        .tag("project", "gitlab-eks")
        .tag("managed-by", "synth");
    let bootstrap = stack.add("Gitlab", GitlabEksBootstrap::builder().cluster(options));
    justify_policy_exceptions(stack, &bootstrap);
    bootstrap
}

/// Where the bootstrap departs from `synth check`'s rule pack, and why.
fn justify_policy_exceptions(stack: &mut Stack, bootstrap: &GitlabEksBootstrap<Cluster>) {
    if let Some(role) = &bootstrap.provision_role {
        stack.edit(role).suppress(
            "SYNTH-IAM-002",
            "GitLab's documented provision policy: GitLab creates the cluster and node roles under names it generates, so the roles it passes cannot be listed in advance",
        );
    }
    if let Some(user) = &bootstrap.cicd_user {
        stack.edit(user).suppress(
            "SYNTH-IAM-004",
            "the CI/CD user only assumes the gitlab-eks-* roles; its one statement stays on the user so the bootstrap is a single stack without a group",
        );
    }
}

/// The app as the command line runs it (settings from `SYNTH_*`
/// variables): the bootstrap, and `RunnerData` built on it.
pub fn app() -> App {
    let mut app = App::from_env();
    let bootstrap = define(&mut app);
    define_runner_data(&mut app, &bootstrap);
    app
}
