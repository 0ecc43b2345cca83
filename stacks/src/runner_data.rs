//! `RunnerData`: what GitLab runners on the bootstrap's cluster keep, in a
//! stack of its own that uses the bootstrap's VPC and cluster across
//! stacks: a runner cache bucket with its key, a PostgreSQL instance only
//! the cluster reaches, an image repository, a log group, and a Pod Identity
//! role for the runner's service account.

use synth::ecr::Repository;
use synth::eks::{AgentAddon, Cluster, PodIdentityRole, ServiceAccount};
use synth::gitlab::GitlabEksBootstrap;
use synth::kms::Key;
use synth::logs::{self, LogGroup, Retention};
use synth::prelude::*;
use synth::rds::{DatabaseInstance, Engine, PostgresVersion};
use synth::s3::{Bucket, Encryption};

/// The name of the runner data stack.
pub const STACK: &str = "RunnerData";

/// Adds the `RunnerData` stack, built on `bootstrap`'s VPC and cluster.
pub fn define_runner_data(app: &mut App, bootstrap: &GitlabEksBootstrap<Cluster>) {
    let stack = app.stack(STACK);
    stack
        .description("GitLab runner data: cache, database, images and logs")
        .tag("project", "gitlab-eks");
    let key = Key::builder().alias("alias/gitlab-runner-data");
    let key = stack.add("Key", key.allow_cloudwatch_logs());
    let cache = stack.add("Cache", Bucket::builder().encryption(Encryption::kms(&key)));
    let postgres = Engine::Postgres(PostgresVersion::V17_6);
    let db = stack.add("Db", DatabaseInstance::builder(postgres, &bootstrap.vpc));
    stack.add(
        "DbFromCluster",
        db.allow_from(&bootstrap.cluster, "PostgreSQL from the cluster"),
    );
    stack.add("Images", Repository::builder());
    let log_group = LogGroup::builder().retention(Retention::OneMonth);
    stack.add("Logs", log_group.encryption(logs::Encryption::kms(&key)));
    let account = ServiceAccount {
        namespace: "gitlab-runner".into(),
        name: "gitlab-runner".into(),
    };
    let runner = stack.add(
        "Runner",
        // The bootstrap's cluster runs the Pod Identity agent already.
        PodIdentityRole::builder(&bootstrap.cluster, account).agent(AgentAddon::AlreadyInstalled),
    );
    stack.add("RunnerCache", cache.grant_read_write(runner.role()));
    stack.add("RunnerDbSecret", db.grant_secret_read(runner.role()));
    stack.output("DbEndpoint", db.endpoint_address());
    stack.output("CacheBucket", cache.name());
}
