//! The bundled application: the bootstrap GitLab's Amazon EKS integration
//! needs, written against synth's public API exactly as a user would.

use synth::gitlab::{ClusterOptions, GitlabEksBootstrap};
use synth::prelude::*;

/// The name of the bootstrap stack.
pub const STACK: &str = "GitlabEks";

/// Defines every stack of the app on `app`.
pub fn define(app: &mut App) {
    define_bootstrap(app, STACK);
}

/// Adds one bootstrap stack named `name` (29 resources).
pub fn define_bootstrap(app: &mut App, name: &str) {
    let stack = app.stack(name);
    stack
        .description("GitLab EKS integration bootstrap: CI/CD user, provision role, EKS roles, VPC and cluster")
        .tag("project", "gitlab-eks")
        .tag("managed-by", "synth");
    GitlabEksBootstrap::builder()
        .cluster(ClusterOptions {
            name: Some("gitlab".into()),
            ..ClusterOptions::default()
        })
        .build(stack, "Gitlab");
}

/// The app as the command line runs it: settings from `SYNTH_*` variables.
pub fn app() -> App {
    let mut app = App::from_env();
    define(&mut app);
    app
}
