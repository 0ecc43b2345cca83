//! The bundled `RunnerData` stack deployed on the bootstrap, changed three
//! ways (the database's instance class, a new ingress rule on its security
//! group, a bucket rename), each change diffed before it is deployed, then
//! destroyed: the built `synth` and the real AWS SDK against moto and
//! LocalStack on loopback. Neither emulator creates every type RunnerData
//! uses, so the same steps run on both, each checked on the server for
//! what that server really does (measured with moto 5.2.5 and LocalStack
//! 4.4.0 community):
//!
//! | RunnerData needs | moto | LocalStack |
//! | --- | --- | --- |
//! | `AWS::KMS::Key` with tags, `AWS::KMS::Alias` | fails: it reads tags as `TagKey`/`TagValue` | created |
//! | `AWS::S3::Bucket` | created; a new `BucketName` replaces it | created without its encryption; a new `BucketName` is `UPDATE_COMPLETE` on the same bucket |
//! | `AWS::S3::BucketPolicy` | placeholder | created |
//! | `AWS::RDS::DBSubnetGroup`, `AWS::RDS::DBInstance` | created; an update leaves the instance as it was | placeholders |
//! | `Fn::GetAtt` `MasterUserSecret.SecretArn` | fails: unknown attribute | `unknown`, which IAM refuses in a policy |
//! | `AWS::EC2::SecurityGroup` | created | created |
//! | `AWS::EC2::SecurityGroupIngress` | created | placeholder |
//! | `AWS::ECR::Repository` without a name | fails: the name it makes has capitals | fails; with a name, a mock |
//! | `AWS::Logs::LogGroup` | created | created (`logs` among its services) |
//! | `AWS::IAM::Role`, `AWS::IAM::Policy` | created | created |
//! | `AWS::EKS::*` (cluster, add-on, Pod Identity association) | placeholders | placeholders |
//! | `Fn::ImportValue` of the bootstrap's exports | fails: no exports after a change-set deploy | resolved |
//! | the bootstrap's `AWS::EC2::EIP` and NAT gateway | created | no EIP, so the NAT gateway fails |
//! | deleting a stack | keeps what `DeletionPolicy` retains | deletes a retained bucket too |
//! | deleting the bootstrap | fails: DependencyViolation on its VPC | deleted |
//!
//! Reductions, all through the public construct API: on both, the image
//! repository is named and the secret grant names the secrets RDS makes by
//! their ARN pattern. On moto, RunnerData takes the bootstrap's VPC,
//! subnets and security group by ID (read back from moto) instead of
//! imports, the key and its alias are left out by a false condition, the
//! bucket uses SSE-S3, the log group CloudWatch's own encryption and the
//! cache grant loses its key statement; the
//! bootstrap is deployed whole and not destroyed. On LocalStack the stacks
//! are joined by exports and imports as the app makes them, the bootstrap
//! leaves out its NAT gateway, Elastic IP and private default routes (a
//! false condition), and both stacks are destroyed in dependency order.
//! So the instance class change reaches a real instance on neither (moto
//! keeps the template only), the ingress rule, the bucket replacement and
//! the retained bucket are checked on moto, the key, bucket policy,
//! imports and destroying the bootstrap on LocalStack, and no server runs
//! an EKS cluster.

mod support;

use std::path::{Path, PathBuf};

use serde_json::Value as Json;
use support::{assembly, run_in, Run};
use synth::ec2::{Peer, Port, SecurityGroup, Vpc, VpcAttributes};
use synth::eks::{Cluster, ClusterAttributes};
use synth::prelude::*;
use synth_tests::http::cfn_call;
use synth_tests::servers::{LocalStack, Moto, Server};
use synth_tests::xml;

const ACCOUNT: &str = "GitlabEks:GitlabAccountId=123456789012";
const EXTERNAL: &str = "GitlabEks:GitlabExternalId=0123456789abcdef0123456789abcdef01234567";
const BOOTSTRAP: &str = stacks::STACK;
const RUNNER: &str = stacks::RUNNER_DATA_STACK;
/// The instance class of the first change (the stack's is `db.t3.micro`).
const NEW_CLASS: &str = "db.t3.small";
/// The cache bucket's name set by the third change.
const NEW_BUCKET: &str = "gitlab-runner-cache-renamed";
/// The block the second change admits to the database.
const NEW_PEER: &str = "10.0.0.0/16";

/// Which of the three changes a variant of RunnerData carries.
#[derive(Clone, Copy, Default)]
struct Changes {
    class: bool,
    ingress: bool,
    rename: bool,
    /// The instance's deletion protection off, as AWS needs before the
    /// stack can be destroyed.
    unprotect: bool,
}

/// The three changes, each through the public construct API on the stack
/// `define_runner_data` built: an override on the instance, a rule added
/// to the instance's security group, the bucket's name set.
fn apply(app: &mut App, changes: Changes) {
    let stack = app.get_stack(RUNNER).expect("RunnerData is defined");
    if changes.class {
        stack
            .scope()
            .get("Db")
            .override_property("DBInstanceClass", NEW_CLASS);
    }
    if changes.ingress {
        let group = stack.scope().get("Db/SecurityGroup").resources()[0].handle;
        let group = SecurityGroup::from_id(Val::<String>::from_value(
            group.attribute("GroupId").into_value(),
        ));
        stack.add(
            "DbFromVpc",
            group.allow_from(
                Peer::ipv4(NEW_PEER),
                Port::Tcp(5432),
                "PostgreSQL from the VPC",
            ),
        );
    }
    if changes.unprotect {
        stack
            .scope()
            .get("Db")
            .override_property("DeletionProtection", false);
    }
    if changes.rename {
        stack
            .scope()
            .get("Cache")
            .override_property("BucketName", NEW_BUCKET);
    }
}

/// What neither emulator does without a name: the repository gets one.
fn name_repository(app: &mut App) {
    let stack = app.get_stack(RUNNER).expect("RunnerData is defined");
    stack
        .scope()
        .get("Images")
        .override_property("RepositoryName", "gitlab-runner-images");
}

/// What neither emulator gives: the instance's secret ARN (moto knows no
/// such attribute; LocalStack's placeholder instance answers `unknown`,
/// which IAM refuses in a policy). The grant names the secrets RDS makes
/// by their pattern instead.
fn grant_secrets_by_pattern(app: &mut App) {
    let stack = app.get_stack(RUNNER).expect("RunnerData is defined");
    stack.scope().get("RunnerDbSecret").override_property(
        "PolicyDocument.Statement.0.Resource",
        fns::sub(
            "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:rds!db-*",
        ),
    );
}

/// Leaves every resource under `paths` (relative to the stack) out of the
/// stack through a condition that never holds.
fn leave_out(stack: &mut Stack, condition: &str, paths: &[&str]) {
    let never = stack.condition(condition, fns::equals("emulated", "aws"));
    for path in paths {
        stack.scope().get(path).only_if(never);
    }
}

/// The physical ID of a stack's resource, as the server reports it
/// (`DescribeStackResources`: moto answers `DescribeStackResource` with
/// HTTP 500 when a placeholder comes before the resource asked for).
fn physical_id(server: &Server, stack: &str, logical_id: &str) -> Option<String> {
    let resp = cfn_call(
        &server.endpoint(),
        "DescribeStackResources",
        &[("StackName", stack)],
    )
    .expect("DescribeStackResources");
    if resp.status != 200 {
        return None;
    }
    let mut found = None;
    let mut logical = None;
    for (name, text) in xml::elements(&resp.text()) {
        match name.as_str() {
            "member" => logical = None,
            "LogicalResourceId" => logical = Some(text),
            "PhysicalResourceId" if logical.as_deref() == Some(logical_id) => found = Some(text),
            _ => {}
        }
    }
    found
}

/// A Query API call to another service at the server (moto and
/// LocalStack route on the service named in `Authorization`, unsigned).
fn query(
    server: &Server,
    service: &str,
    version: &str,
    action: &str,
    params: &[(&str, &str)],
) -> String {
    let mut form = vec![("Action", action), ("Version", version)];
    form.extend_from_slice(params);
    let auth = format!(
        "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/{service}/aws4_request, \
         SignedHeaders=content-type;host;x-amz-date, Signature=0000"
    );
    let resp = synth_tests::http::post(
        &server.endpoint(),
        "/",
        &[
            (
                "Content-Type",
                "application/x-www-form-urlencoded; charset=utf-8",
            ),
            ("Authorization", &auth),
            ("X-Amz-Date", "20240101T000000Z"),
        ],
        synth_tests::http::form_encode(&form).as_bytes(),
    )
    .unwrap_or_else(|e| panic!("{service} {action}: {e}"));
    assert_eq!(resp.status, 200, "{service} {action}: {}", resp.text());
    resp.text()
}

/// Whether the server's S3 has a bucket of that name (`ListObjectsV2`).
fn bucket_exists(server: &Server, bucket: &str) -> bool {
    use synth_tests::http::{send, RawRequest};
    let resp = send(
        &server.endpoint(),
        &RawRequest {
            method: "GET".into(),
            target: format!("/{bucket}?list-type=2"),
            headers: vec![
                (
                    "Authorization".into(),
                    "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/s3/aws4_request, \
                     SignedHeaders=host;x-amz-date, Signature=0000"
                        .into(),
                ),
                ("X-Amz-Date".into(), "20240101T000000Z".into()),
            ],
            body: Vec::new(),
        },
    )
    .expect("ListObjectsV2");
    resp.status == 200
}

/// What the server really does with a type rather than keep a placeholder.
struct Emulates {
    /// `AWS::EC2::SecurityGroupIngress`: a rule on the group.
    ingress_rules: bool,
    /// A bucket whose name changes: a new bucket of that name.
    bucket_replacement: bool,
    /// `AWS::KMS::Key` and `AWS::KMS::Alias`.
    kms: bool,
}

fn app_arg(dir: &Path) -> String {
    dir.display().to_string()
}

fn deploy(server: &Server, dir: &Path, app: &Path, stack: &str) -> Run {
    let mut args = vec!["deploy", stack, "--require-approval", "never"];
    if stack == BOOTSTRAP {
        args.extend(["--parameters", ACCOUNT, "--parameters", EXTERNAL]);
    }
    let r = run_in(server, dir, &app_arg(app), &args).expect(0);
    assert!(
        r.stderr.contains(&format!("{stack}: deployed")),
        "{}",
        r.stderr
    );
    r
}

/// `synth diff --fail STACK` finds nothing: the deployed template is the
/// one synthesized.
fn assert_deployed(server: &Server, dir: &Path, app: &Path, stack: &str) {
    let r = run_in(server, dir, &app_arg(app), &["diff", "--fail", stack]).expect(0);
    assert!(
        r.stdout.contains("There were no differences"),
        "{}",
        r.stdout
    );
}

/// The diff of `stack` as text and as JSON (its one stack's entry).
fn diff(server: &Server, dir: &Path, app: &Path) -> (String, Json) {
    let text = run_in(server, dir, &app_arg(app), &["diff", RUNNER])
        .expect(0)
        .stdout;
    let r = run_in(
        server,
        dir,
        &app_arg(app),
        &["diff", RUNNER, "--format", "json"],
    )
    .expect(0);
    let json: Json = serde_json::from_str(&r.stdout).expect("diff --format json");
    (text, json)
}

fn resource<'a>(stack: &'a Json, logical_id: &str) -> &'a Json {
    stack["resources"]
        .as_array()
        .and_then(|all| all.iter().find(|r| r["logicalId"] == logical_id))
        .unwrap_or_else(|| panic!("{logical_id} in the diff: {stack:#}"))
}

/// Deploys the first variant of RunnerData, then each change in turn,
/// checking what `synth diff` says before and that it is deployed after;
/// returns the last assembly. `variant` builds the app with the changes
/// given.
fn runner_data_lifecycle(
    server: &Server,
    dir: &Path,
    emulates: Emulates,
    variant: &dyn Fn(Changes) -> App,
) -> PathBuf {
    let mut step = 0;
    let mut write = |changes: Changes| {
        step += 1;
        assembly(&variant(changes), &dir.join(format!("v{step}")))
    };

    let v1 = write(Changes::default());
    let (text, json) = diff(server, dir, &v1);
    assert!(text.contains("Stack RunnerData (new)"), "{text}");
    assert_eq!(json["stacks"][0]["exists"], false, "{json:#}");
    deploy(server, dir, &v1, RUNNER);
    assert_deployed(server, dir, &v1, RUNNER);
    let bucket = physical_id(server, RUNNER, "Cache").expect("the cache bucket");
    assert_ne!(bucket, NEW_BUCKET);
    // The database's group is in the bootstrap's VPC.
    let group = physical_id(server, RUNNER, "DbSecurityGroup").expect("the group");
    let found = query(
        server,
        "ec2",
        "2016-11-15",
        "DescribeSecurityGroups",
        &[("GroupId.1", &group)],
    );
    assert_eq!(
        xml::first(&found, "vpcId"),
        physical_id(server, BOOTSTRAP, "GitlabVpc"),
        "{found}"
    );
    if emulates.kms {
        assert!(physical_id(server, RUNNER, "Key").is_some(), "the key");
        assert_eq!(
            physical_id(server, RUNNER, "KeyAlias").as_deref(),
            Some("alias/gitlab-runner-data")
        );
    }

    // The instance class: updated in place, no wider access.
    let mut changes = Changes {
        class: true,
        ..Changes::default()
    };
    let v2 = write(changes);
    let (text, json) = diff(server, dir, &v2);
    let stack = &json["stacks"][0];
    let db = resource(stack, "Db");
    assert_eq!(db["change"], "modify");
    assert_eq!(db["replacement"], "none", "{db:#}");
    assert_eq!(
        db["properties"],
        serde_json::json!([{"path": "DBInstanceClass", "old": "db.t3.micro", "new": NEW_CLASS, "replacement": "none"}]),
        "{db:#}"
    );
    assert_eq!(stack["resources"].as_array().unwrap().len(), 1, "{stack:#}");
    assert_eq!(json["broadening"], false);
    assert!(text.contains("[~] AWS::RDS::DBInstance Db"), "{text}");
    assert!(
        text.contains(&format!(
            "[~] DBInstanceClass: \"db.t3.micro\" -> \"{NEW_CLASS}\""
        )),
        "{text}"
    );
    assert!(!text.contains("broadens"), "{text}");
    deploy(server, dir, &v2, RUNNER);
    assert_deployed(server, dir, &v2, RUNNER);

    // A rule admitting a block to the database: broadens network access.
    changes.ingress = true;
    let v3 = write(changes);
    let (text, json) = diff(server, dir, &v3);
    let stack = &json["stacks"][0];
    let rule = resource(stack, "DbFromVpc");
    assert_eq!(rule["change"], "add");
    assert_eq!(rule["type"], "AWS::EC2::SecurityGroupIngress");
    assert_eq!(stack["resources"].as_array().unwrap().len(), 1, "{stack:#}");
    let rules = stack["security"]["securityGroupRules"].as_array().unwrap();
    assert_eq!(rules.len(), 1, "{rules:#?}");
    assert_eq!(
        rules[0],
        serde_json::json!({
            "group": "!GetAtt DbSecurityGroup.GroupId",
            "direction": "ingress",
            "change": "add",
            "protocol": "tcp",
            "ports": "5432",
            "peer": {"CidrIp": NEW_PEER},
            "description": "PostgreSQL from the VPC",
        })
    );
    assert_eq!(json["broadening"], true);
    for line in [
        "[+] AWS::EC2::SecurityGroupIngress DbFromVpc",
        "[+] !GetAtt DbSecurityGroup.GroupId ingress tcp 5432 from {\"CidrIp\":\"10.0.0.0/16\"}",
        "This change broadens permissions or network access.",
    ] {
        assert!(text.contains(line), "{line} in {text}");
    }
    deploy(server, dir, &v3, RUNNER);
    assert_deployed(server, dir, &v3, RUNNER);
    if emulates.ingress_rules {
        let group = physical_id(server, RUNNER, "DbSecurityGroup").expect("the group");
        let found = query(
            server,
            "ec2",
            "2016-11-15",
            "DescribeSecurityGroups",
            &[("GroupId.1", &group)],
        );
        assert!(
            xml::all(&found, "cidrIp").contains(&NEW_PEER.to_string()),
            "{found}"
        );
    }

    // The bucket's name set: the bucket is replaced and the old one kept.
    changes.rename = true;
    let v4 = write(changes);
    let (text, json) = diff(server, dir, &v4);
    let stack = &json["stacks"][0];
    let cache = resource(stack, "Cache");
    assert_eq!(cache["change"], "modify");
    assert_eq!(cache["replacement"], "will", "{cache:#}");
    assert_eq!(cache["data"], "retained", "{cache:#}");
    let name = &cache["properties"][0];
    assert_eq!(
        (&name["path"], &name["new"], &name["replacement"]),
        (&"BucketName".into(), &NEW_BUCKET.into(), &"will".into()),
        "{cache:#}"
    );
    // The policy on the bucket goes with it; the grant is updated in place.
    let policy = resource(stack, "CachePolicy");
    assert_eq!(policy["replacement"], "will", "{policy:#}");
    assert_eq!(resource(stack, "RunnerCache")["replacement"], "none");
    assert_eq!(
        json["summary"],
        serde_json::json!({"create": 0, "update": 3, "delete": 0, "replace": 2})
    );
    assert_eq!(json["broadening"], false);
    for line in [
        "[~] AWS::S3::Bucket Cache (replace) !! stateful: retained",
        "[~] AWS::S3::BucketPolicy CachePolicy (replace)",
        "[~] AWS::IAM::Policy RunnerCache\n",
        "0 to add, 3 to change, 0 to remove (2 replaced)",
    ] {
        assert!(text.contains(line), "{line} in {text}");
    }
    deploy(server, dir, &v4, RUNNER);
    assert_deployed(server, dir, &v4, RUNNER);
    let now = physical_id(server, RUNNER, "Cache");
    if emulates.bucket_replacement {
        assert_eq!(now.as_deref(), Some(NEW_BUCKET));
    } else {
        assert_eq!(now.as_deref(), Some(bucket.as_str()), "kept, not replaced");
    }

    // Before the stack can go, the instance's deletion protection comes
    // off (AWS refuses to delete it otherwise; neither emulator does).
    changes.unprotect = true;
    let v5 = write(changes);
    let (text, json) = diff(server, dir, &v5);
    let db = resource(&json["stacks"][0], "Db");
    assert_eq!(
        db["properties"],
        serde_json::json!([{"path": "DeletionProtection", "old": true, "new": false, "replacement": "none"}]),
        "{db:#}"
    );
    assert!(
        text.contains("[~] DeletionProtection: true -> false"),
        "{text}"
    );
    deploy(server, dir, &v5, RUNNER);
    assert_deployed(server, dir, &v5, RUNNER);
    v5
}

#[test]
fn runner_data_on_moto_changes_diffed_deployed_and_destroyed() {
    let moto = Moto::start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();

    // The whole bootstrap; moto keeps its EKS resources as placeholders.
    // moto fails on a KMS key with tags (as RunnerData's below): the
    // cluster's secrets are encrypted with a key given by ARN instead.
    let mut app = App::new();
    stacks::define_bootstrap_with(&mut app, BOOTSTRAP, |cluster| {
        cluster.secrets = synth::eks::SecretsEncryption::Key(
            "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000".into(),
        );
    });
    let boot = assembly(&app, &dir.join("bootstrap"));
    deploy(&moto, dir, &boot, BOOTSTRAP);
    assert_deployed(&moto, dir, &boot, BOOTSTRAP);

    // moto records no exports after a change-set deploy: RunnerData takes
    // the bootstrap's VPC, subnets and security group (standing in for the
    // cluster's, which EKS would make) by ID.
    let id = |logical: &str| {
        physical_id(&moto, BOOTSTRAP, logical).unwrap_or_else(|| panic!("{logical} deployed"))
    };
    let vpc = Vpc::from_attributes(VpcAttributes {
        vpc_id: id("GitlabVpc").into(),
        cidr: Some("10.0.0.0/16".into()),
        availability_zones: vec!["us-east-1a".into(), "us-east-1b".into()],
        public_subnet_ids: vec![
            id("GitlabVpcPublicSubnet1").into(),
            id("GitlabVpcPublicSubnet2").into(),
        ],
        private_subnet_ids: vec![
            id("GitlabVpcPrivateSubnet1").into(),
            id("GitlabVpcPrivateSubnet2").into(),
        ],
    });
    let cluster = Cluster::from_attributes(ClusterAttributes {
        cluster_name: "gitlab".into(),
        cluster_security_group_id: Some(id("GitlabControlPlaneSecurityGroup").into()),
    });
    let variant = |changes: Changes| {
        let mut app = App::new();
        let mut bootstrap = stacks::define(&mut app);
        bootstrap.vpc = vpc.clone();
        bootstrap.cluster = cluster.clone();
        stacks::define_runner_data(&mut app, &bootstrap);
        name_repository(&mut app);
        grant_secrets_by_pattern(&mut app);
        let stack = app.get_stack(RUNNER).unwrap();
        // moto fails on a KMS key with tags: the key stays out, the bucket
        // uses SSE-S3, the log group no key, and the cache grant names no key.
        leave_out(stack, "MotoTagsKmsKeys", &["Key"]);
        stack
            .scope()
            .get("Cache")
            .override_property(
                "BucketEncryption.ServerSideEncryptionConfiguration.0.ServerSideEncryptionByDefault.SSEAlgorithm",
                "AES256",
            )
            .delete_property(
                "BucketEncryption.ServerSideEncryptionConfiguration.0.ServerSideEncryptionByDefault.KMSMasterKeyID",
            );
        stack
            .scope()
            .get("RunnerCache")
            .delete_property("PolicyDocument.Statement.1");
        stack.scope().get("Logs").delete_property("KmsKeyId");
        apply(&mut app, changes);
        app
    };
    let last = runner_data_lifecycle(
        &moto,
        dir,
        Emulates {
            ingress_rules: true,
            bucket_replacement: true,
            kms: false,
        },
        &variant,
    );

    // Destroy: moto deletes RunnerData but keeps what is retained, like
    // the bucket; its own delete of the bootstrap's VPC fails.
    let bucket = physical_id(&moto, RUNNER, "Cache").expect("the bucket");
    let r = run_in(&moto, dir, &app_arg(&last), &["destroy", RUNNER, "--force"]).expect(0);
    assert!(r.stderr.contains("RunnerData: destroyed"), "{}", r.stderr);
    assert!(bucket_exists(&moto, &bucket), "the bucket is retained");
    assert!(!bucket_exists(&moto, "no-such-bucket-here"));
    let r = run_in(&moto, dir, &app_arg(&last), &["diff", RUNNER]).expect(0);
    assert!(
        r.stdout.contains("Stack RunnerData (new)"),
        "gone: {}",
        r.stdout
    );
}

#[test]
fn runner_data_on_localstack_across_stacks_changed_and_destroyed_in_order() {
    if !LocalStack::installed() && std::env::var_os("SYNTH_REQUIRE_LOCALSTACK").is_none() {
        eprintln!(
            "skipped: LocalStack is not installed (run scripts/setup-localstack; \
             SYNTH_REQUIRE_LOCALSTACK=1 makes this a failure)"
        );
        return;
    }
    let ls = LocalStack::start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let variant = |changes: Changes| {
        let mut app = App::new();
        let bootstrap = stacks::define(&mut app);
        stacks::define_runner_data(&mut app, &bootstrap);
        // No Elastic IP in LocalStack's community edition: the NAT
        // gateway, its address and the routes through it stay out.
        leave_out(
            app.get_stack(BOOTSTRAP).unwrap(),
            "LocalStackHasElasticIps",
            &[
                "Gitlab/Vpc/PublicSubnet1/Eip",
                "Gitlab/Vpc/PublicSubnet1/NatGateway",
                "Gitlab/Vpc/PrivateSubnet1/DefaultRoute",
                "Gitlab/Vpc/PrivateSubnet2/DefaultRoute",
            ],
        );
        name_repository(&mut app);
        grant_secrets_by_pattern(&mut app);
        apply(&mut app, changes);
        app
    };
    let first = assembly(&variant(Changes::default()), &dir.join("first"));
    deploy(&ls, dir, &first, BOOTSTRAP);
    assert_deployed(&ls, dir, &first, BOOTSTRAP);
    let last = runner_data_lifecycle(
        &ls,
        dir,
        Emulates {
            ingress_rules: false,
            bucket_replacement: false,
            kms: true,
        },
        &variant,
    );

    // Both stacks, RunnerData first: the bootstrap's exports are in use
    // until it is gone.
    let r = run_in(&ls, dir, &app_arg(&last), &["destroy", "--all", "--force"]).expect(0);
    let runner_gone = r.stderr.find("RunnerData: destroyed").expect(&r.stderr);
    let bootstrap_gone = r.stderr.find("GitlabEks: destroyed").expect(&r.stderr);
    assert!(runner_gone < bootstrap_gone, "{}", r.stderr);
    let r = run_in(&ls, dir, &app_arg(&last), &["diff"]).expect(0);
    assert!(r.stdout.contains("Stack RunnerData (new)"), "{}", r.stdout);
    assert!(r.stdout.contains("Stack GitlabEks (new)"), "{}", r.stdout);
}
