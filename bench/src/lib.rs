//! The workloads of the benchmark suite, shared by the bench binary
//! (`synth-bench`) and the app it has the command line run
//! (`synth-bench-app`): N copies of the bundled bootstrap, and the
//! 500-resource templates the diff benchmark compares.

use synth::gitlab::{ClusterOptions, GitlabEksBootstrap};
use synth::prelude::*;

/// The name of copy `i` (1-based) of the bootstrap stack: copy 1 is the
/// bundled app's `GitlabEks`, the others `GitlabEks2`, `GitlabEks3`, ...
pub fn copy_name(i: usize) -> String {
    if i == 1 {
        stacks::STACK.to_owned()
    } else {
        format!("{}{i}", stacks::STACK)
    }
}

/// Defines `n` stacks, each exactly what `stacks::define` defines (the
/// bundled bootstrap: 35 resources), under the names of [`copy_name`].
/// With `n == 1` the app is the bundled app.
pub fn define_copies(app: &mut App, n: usize) {
    for i in 1..=n {
        if i == 1 {
            stacks::define(app);
            continue;
        }
        stacks::define_bootstrap(app, &copy_name(i));
    }
}

/// How many bootstraps the diff benchmark's stack holds (35 resources
/// each), and how many plain resources fill it up to 500.
pub const DIFF_BOOTSTRAPS: usize = 14;
pub const DIFF_PARAMETERS: usize = 10;
/// The diff benchmark's stack.
pub const DIFF_STACK: &str = "Platform";

/// Which version of the diff benchmark's stack to define.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffVersion {
    /// 14 bootstraps (clusters `team-01` .. `team-14`) and 10 SSM
    /// parameters: 500 resources.
    Base,
    /// A typical merge request against `Base`: three clusters move to the
    /// next Kubernetes version, two node groups change instance type
    /// (replacement), one cluster opens its API to one CIDR, team 14 is
    /// removed and team 15 added (35 resources each way), three parameter
    /// values change, one parameter is removed and one added. The caller
    /// also opens one security group to SSH from anywhere in the template
    /// (a broadening change), see [`open_ssh`].
    Change,
    /// `Base` with one more stack tag: every taggable resource changes.
    Retag,
}

/// Defines the diff benchmark's stack in `version`.
pub fn define_diff_stack(app: &mut App, version: DiffVersion) {
    let stack = app.stack(DIFF_STACK);
    stack
        .description("Platform clusters, one GitLab EKS bootstrap per team")
        .tag("project", "platform")
        .tag("managed-by", "synth");
    if version == DiffVersion::Retag {
        stack.tag("cost-center", "platform-engineering");
    }
    let change = version == DiffVersion::Change;
    let teams: Vec<usize> = if change {
        (1..DIFF_BOOTSTRAPS).chain([DIFF_BOOTSTRAPS + 1]).collect()
    } else {
        (1..=DIFF_BOOTSTRAPS).collect()
    };
    for team in teams {
        let mut options = ClusterOptions {
            name: Some(format!("team-{team:02}")),
            ..ClusterOptions::default()
        };
        if change && (1..=3).contains(&team) {
            options.version = "1.34".into();
        }
        if change && (4..=5).contains(&team) {
            options.instance_types = vec!["m6i.large".into()];
        }
        if change && team == 6 {
            options.endpoint_access =
                synth::eks::EndpointAccess::PublicFromAndPrivate(vec!["203.0.113.0/24".into()]);
        }
        stack.add(
            &format!("Team{team:02}"),
            GitlabEksBootstrap::builder()
                .provision_role_name(format!("gitlab-eks-provision-{team:02}"))
                .cicd_user(Some(&format!("gitlab-cicd-{team:02}")))
                .cluster(options),
        );
    }
    let parameters: Vec<usize> = if change {
        (1..DIFF_PARAMETERS).chain([DIFF_PARAMETERS + 1]).collect()
    } else {
        (1..=DIFF_PARAMETERS).collect()
    };
    for p in parameters {
        let value = if change && p <= 3 {
            format!("setting-{p}-v2")
        } else {
            format!("setting-{p}-v1")
        };
        stack.add(
            &format!("Setting{p}"),
            RawResource::new("AWS::SSM::Parameter")
                .property("Type", "String")
                .property("Name", format!("/platform/setting-{p}"))
                .property("Value", value),
        );
    }
}

/// Opens the security group of team 7 to SSH from anywhere, in the
/// template: a change that broadens network access.
pub fn open_ssh(template: &mut serde_json::Value) {
    let ingress = template["Resources"]["Team07ControlPlaneSecurityGroup"]["Properties"]
        ["SecurityGroupIngress"]
        .as_array_mut()
        .expect("team 7's security group has ingress rules");
    ingress.push(serde_json::json!({
        "IpProtocol": "tcp",
        "FromPort": 22,
        "ToPort": 22,
        "CidrIp": "0.0.0.0/0",
        "Description": "ssh"
    }));
}

/// The stack the destroy benchmark deletes: moto 5.2.5 cannot delete the
/// bootstrap (its VPC keeps a dependency moto never removes, and
/// DeleteStack fails with DependencyViolation), so destroy is measured on
/// the bootstrap's IAM part, the CI/CD user and the three roles, with 25
/// SSM parameters publishing their ARNs: 29 resources.
pub const DELETABLE_STACK: &str = "GitlabIam";

pub fn define_deletable(app: &mut App) {
    use synth::iam::{Principal, Role, User};
    let stack = app.stack(DELETABLE_STACK);
    stack
        .description("GitLab EKS integration: IAM only")
        .tag("project", "gitlab-eks");
    let user = stack.add("CicdUser", User::builder().name("gitlab-cicd"));
    let roles = [
        stack.add(
            "ServiceRole",
            Role::assumed_by(Principal::service("eks.amazonaws.com"))
                .description("EKS cluster service role"),
        ),
        stack.add(
            "NodeRole",
            Role::assumed_by(Principal::service("ec2.amazonaws.com")).description("EKS node role"),
        ),
        stack.add(
            "ProvisionRole",
            Role::assumed_by(Principal::service("eks.amazonaws.com")).description("Provision role"),
        ),
    ];
    for i in 0..25 {
        let value = if i == 0 {
            user.arn()
        } else {
            roles[i % 3].arn()
        };
        stack.add(
            &format!("Arn{i:02}"),
            RawResource::new("AWS::SSM::Parameter")
                .property("Type", "String")
                .property("Name", format!("/gitlab-eks/arn-{i:02}"))
                .property("Value", value),
        );
    }
}
