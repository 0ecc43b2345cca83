//! The diff engine on two 500-resource templates: parsing both bodies
//! (`template::parse`), the semantic diff (`diff::diff_owned`, which
//! normalizes both templates in place) and the terminal
//! rendering (`render::terminal`), what `synth diff` does per stack once it
//! has the deployed template. And the engine beside the AWS CDK's
//! (`fullDiff` of `@aws-cdk/cloudformation-diff`, in node) on one
//! 600-resource pair of buckets, roles and security groups.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use synth::manifest::TemplateFormat;
use synth::App;
use synth_bench::{define_diff_stack, open_ssh, DiffVersion, DIFF_STACK};
use synth_diff::{self as diff, render, template};

use crate::measure::Stats;

pub struct DiffCase {
    pub name: &'static str,
    pub old_resources: usize,
    pub new_resources: usize,
    pub old_bytes: usize,
    pub new_bytes: usize,
    /// add, change, remove, replace.
    pub counts: (usize, usize, usize, usize),
    pub broadening: bool,
    pub parse: Stats,
    pub diff: Stats,
    pub render: Stats,
    pub total: Stats,
}

/// The template body of the diff stack in `version`.
fn body(version: DiffVersion) -> String {
    let mut app = App::new();
    define_diff_stack(&mut app, version);
    let assembly = app
        .synth()
        .unwrap_or_else(|e| panic!("synthesizing the diff stack: {e}"));
    let stack = assembly.stack(DIFF_STACK).expect("the diff stack");
    if version != DiffVersion::Change {
        return stack.body.clone();
    }
    let mut template = stack.template().clone();
    open_ssh(&mut template);
    let map = template.as_object().expect("a template is an object");
    synth::assembly::render(map, TemplateFormat::Json)
}

fn case(name: &'static str, old: &str, new: &str, runs: usize, warmup: usize) -> DiffCase {
    let (mut parse, mut diffs, mut renders, mut totals) = (vec![], vec![], vec![], vec![]);
    let mut last = None;
    for i in 0..warmup + runs {
        let t0 = Instant::now();
        let a = template::parse(old).expect("the old template parses");
        let b = template::parse(new).expect("the new template parses");
        let t1 = Instant::now();
        let sizes = (resources(&a), resources(&b));
        let d = diff::diff_owned(
            DIFF_STACK,
            a,
            b,
            true,
            diff::create_only,
            &diff::Environment::default(),
        );
        let t2 = Instant::now();
        let text = render::terminal(&d, render::Style { color: false });
        let t3 = Instant::now();
        std::hint::black_box(&text);
        if i >= warmup {
            parse.push(t1 - t0);
            diffs.push(t2 - t1);
            renders.push(t3 - t2);
            totals.push(t3 - t0);
        }
        last = Some((sizes, d));
    }
    let ((old_resources, new_resources), d) = last.expect("at least one run");
    let c = d.counts();
    DiffCase {
        name,
        old_resources,
        new_resources,
        old_bytes: old.len(),
        new_bytes: new.len(),
        counts: (c.create, c.update, c.delete, c.replace),
        broadening: d.broadening,
        parse: Stats::new(parse),
        diff: Stats::new(diffs),
        render: Stats::new(renders),
        total: Stats::new(totals),
    }
}

fn resources(t: &template::Template) -> usize {
    t.get("Resources")
        .and_then(|r| r.as_object())
        .map_or(0, |r| r.len())
}

pub fn run(runs: usize, warmup: usize) -> Vec<DiffCase> {
    let base = body(DiffVersion::Base);
    let change = body(DiffVersion::Change);
    let retag = body(DiffVersion::Retag);
    vec![
        case("typical merge request", &base, &change, runs, warmup),
        case("every resource retagged", &base, &retag, runs, warmup),
        case("no change", &base, &base, runs, warmup),
    ]
}

// --- Beside the AWS CDK's engine ------------------------------------------

/// Which version of the 600-resource pair to write.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pair {
    Base,
    /// Five services removed, five added, and some of the others changed:
    /// an action added to ten policies, ingress opened to the world in
    /// five groups, five buckets renamed (replaced), ten buckets'
    /// versioning suspended.
    Change,
    /// A tag added to every bucket, role and security group.
    Retag,
}

/// Services of six resources each: a bucket and its policy, a role and
/// its policy, a security group and a rule from the next service's group.
const SERVICES: usize = 100;

/// Service `i`, whose extra ingress rule comes from service `next`'s group.
fn service(i: usize, next: usize, pair: Pair) -> Vec<(String, serde_json::Value)> {
    use serde_json::json;
    let id = |what: &str| format!("Svc{i:03}{what}");
    let mut tags = vec![
        json!({"Key": "service", "Value": format!("svc-{i:03}")}),
        json!({"Key": "team", "Value": format!("team-{}", i % 7)}),
    ];
    if pair == Pair::Retag {
        tags.push(json!({"Key": "cost-center", "Value": "platform-engineering"}));
    }
    let changed = |range: std::ops::Range<usize>| pair == Pair::Change && range.contains(&i);
    let bucket_name = if changed(25..30) {
        format!("svc-{i:03}-data-v2")
    } else {
        format!("svc-{i:03}-data")
    };
    let versioning = if changed(30..40) {
        "Suspended"
    } else {
        "Enabled"
    };
    let mut actions = vec!["s3:GetObject", "s3:PutObject", "sqs:SendMessage"];
    if changed(10..20) {
        actions.push("s3:DeleteObject");
    }
    let cidr = if changed(20..25) {
        "0.0.0.0/0"
    } else {
        "10.0.0.0/16"
    };
    let next = format!("Svc{next:03}SecurityGroup");
    vec![
        (
            id("Bucket"),
            json!({"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain", "Properties": {
                "BucketName": {"Fn::Sub": format!("{bucket_name}-${{AWS::AccountId}}")},
                "VersioningConfiguration": {"Status": versioning},
                "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]},
                "PublicAccessBlockConfiguration": {"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true},
                "Tags": tags
            }}),
        ),
        (
            id("BucketPolicy"),
            json!({"Type": "AWS::S3::BucketPolicy", "Properties": {
                "Bucket": {"Ref": id("Bucket")},
                "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*",
                     "Resource": [{"Fn::GetAtt": [id("Bucket"), "Arn"]}, {"Fn::Join": ["", [{"Fn::GetAtt": [id("Bucket"), "Arn"]}, "/*"]]}],
                     "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
                    {"Effect": "Allow", "Principal": {"AWS": {"Fn::GetAtt": [id("Role"), "Arn"]}}, "Action": ["s3:GetObject", "s3:PutObject"],
                     "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": [id("Bucket"), "Arn"]}, "/*"]]}}
                ]}
            }}),
        ),
        (
            id("Role"),
            json!({"Type": "AWS::IAM::Role", "Properties": {
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
                ]},
                "ManagedPolicyArns": [{"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]]}],
                "Tags": tags
            }}),
        ),
        (
            id("Policy"),
            json!({"Type": "AWS::IAM::Policy", "Properties": {
                "PolicyName": id("Policy"),
                "Roles": [{"Ref": id("Role")}],
                "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": actions,
                     "Resource": [{"Fn::Join": ["", [{"Fn::GetAtt": [id("Bucket"), "Arn"]}, "/*"]]},
                                  {"Fn::Sub": format!("arn:${{AWS::Partition}}:sqs:${{AWS::Region}}:${{AWS::AccountId}}:svc-{i:03}-events")}]},
                    {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                     "Resource": {"Fn::Sub": format!("arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:/aws/lambda/svc-{i:03}:*")}}
                ]}
            }}),
        ),
        (
            id("SecurityGroup"),
            json!({"Type": "AWS::EC2::SecurityGroup", "Properties": {
                "GroupDescription": format!("svc-{i:03} service"),
                "VpcId": "vpc-0a1b2c3d4e5f60718",
                "SecurityGroupIngress": [
                    {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": cidr, "Description": "https"}
                ],
                "SecurityGroupEgress": [
                    {"IpProtocol": "-1", "CidrIp": "0.0.0.0/0", "Description": "all outbound"}
                ],
                "Tags": tags
            }}),
        ),
        (
            id("FromNext"),
            json!({"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
                "GroupId": {"Fn::GetAtt": [id("SecurityGroup"), "GroupId"]},
                "IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
                "SourceSecurityGroupId": {"Fn::GetAtt": [next, "GroupId"]},
                "Description": "from the next service"
            }}),
        ),
    ]
}

/// The 600-resource template of `pair`, as JSON text.
fn pair_template(pair: Pair) -> String {
    let ids: Vec<usize> = if pair == Pair::Change {
        (5..SERVICES + 5).collect()
    } else {
        (0..SERVICES).collect()
    };
    let mut resources = serde_json::Map::new();
    for (k, &i) in ids.iter().enumerate() {
        let next = ids[(k + 1) % ids.len()];
        for (id, r) in service(i, next, pair) {
            resources.insert(id, r);
        }
    }
    let template = serde_json::json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "Services: a bucket, a role and a security group each",
        "Resources": resources,
    });
    serde_json::to_string_pretty(&template).expect("a template serializes")
}

/// One pair diffed by both engines.
pub struct VersusCase {
    pub name: &'static str,
    pub resources: (usize, usize),
    /// add, change, remove, replace: synth's, then the CDK's.
    pub counts: (usize, usize, usize, usize),
    pub cdk_counts: Option<(usize, usize, usize, usize)>,
    /// synth's engine on parsed templates, in process.
    pub synth: Stats,
    /// `fullDiff` on parsed templates, in node: median and min.
    pub cdk: Result<(Duration, Duration), String>,
}

/// The node and package versions the CDK side ran with.
pub struct Versus {
    pub cases: Vec<VersusCase>,
    pub node: String,
}

/// The 600-resource pairs (a typical change, every resource retagged)
/// diffed by synth's engine (`diff_in` on parsed templates) and by the
/// AWS CDK's `fullDiff` in node (`scripts/cdk-diff-bench.js`, `cdk_runs`
/// calls after `cdk_warmup` in each turn). Synth warms up with `warmup`
/// diffs, then takes one sample per CDK call (see below), or `runs`
/// single diffs when node cannot run.
pub fn versus_cdk(
    (runs, warmup): (usize, usize),
    (cdk_runs, cdk_warmup): (usize, usize),
    scratch: &Path,
) -> Versus {
    let dir = scratch.join("diff-pair");
    let _ = std::fs::create_dir_all(&dir);
    let write = |name: &str, pair: Pair| {
        let path = dir.join(name);
        std::fs::write(&path, pair_template(pair))
            .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        path
    };
    let base = write("base.json", Pair::Base);
    let pairs = [
        ("typical change", write("change.json", Pair::Change)),
        ("every resource retagged", write("retag.json", Pair::Retag)),
    ];
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/cdk-diff-bench.js");
    let mut node = String::new();
    let mut cases = Vec::new();
    for (name, new) in pairs {
        let read = |p: &Path| {
            let text = std::fs::read_to_string(p).expect("the pair was just written");
            template::parse(&text).expect("the pair parses")
        };
        let (a, b) = (read(&base), read(&new));
        let env = diff::Environment::default();
        // The machine's speed moves within a second and over seconds. The
        // engines take turns (the CDK first), so both are sampled over the
        // same stretch of time; and each of synth's samples is the mean of
        // as many diffs as take about as long as one call of the CDK's:
        // both engines' samples then span the same time, and average the
        // machine's moments alike.
        let rounds = if cdk_runs >= 10 { ROUNDS } else { 1 };
        let diff = || diff::diff_in(DIFF_STACK, &a, &b, true, diff::create_only, &env);
        let (mut times, mut cdk_times) = (Vec::new(), Vec::new());
        let mut cdk_counts = None;
        let mut cdk_error = None;
        let mut warm = Vec::new();
        let mut last = None;
        for _ in 0..warmup.max(1) {
            let t0 = Instant::now();
            last = Some(diff());
            warm.push(t0.elapsed());
        }
        let one = Stats::new(warm).median().max(Duration::from_nanos(1));
        for _ in 0..rounds {
            let (mut samples, mut batch) = (runs / rounds, 1);
            if cdk_error.is_none() {
                match run_cdk(&script, &base, &new, cdk_runs / rounds, cdk_warmup) {
                    Err(e) => cdk_error = Some(e),
                    Ok(run) => {
                        node = run.node;
                        cdk_counts = Some(run.counts);
                        let call = Stats::new(run.times.clone()).median();
                        batch = (call.as_secs_f64() / one.as_secs_f64()).round().max(1.0) as usize;
                        samples = run.times.len();
                        cdk_times.extend(run.times);
                    }
                }
            }
            for _ in 0..samples.max(1) {
                // Each diff timed alone, its result dropped after the
                // clock stops.
                let mut sum = Duration::ZERO;
                for _ in 0..batch {
                    let t0 = Instant::now();
                    let d = diff();
                    sum += t0.elapsed();
                    last = Some(d);
                }
                times.push(sum / batch as u32);
            }
        }
        let c = last.expect("at least one run").counts();
        let cdk = match cdk_error {
            Some(e) => Err(e),
            None => {
                let stats = Stats::new(cdk_times);
                Ok((stats.median(), stats.min()))
            }
        };
        cases.push(VersusCase {
            name,
            resources: (resources(&a), resources(&b)),
            counts: (c.create, c.update, c.delete, c.replace),
            cdk_counts,
            synth: Stats::new(times),
            cdk,
        });
    }
    Versus { cases, node }
}

/// Turns each engine takes in the side-by-side (with enough CDK runs).
const ROUNDS: usize = 5;

/// One run of `scripts/cdk-diff-bench.js`.
struct CdkRun {
    node: String,
    counts: (usize, usize, usize, usize),
    times: Vec<Duration>,
}

fn run_cdk(
    script: &Path,
    old: &Path,
    new: &Path,
    runs: usize,
    warmup: usize,
) -> Result<CdkRun, String> {
    let out = Command::new("node")
        .arg(script)
        .arg(old)
        .arg(new)
        .arg(runs.to_string())
        .arg(warmup.to_string())
        .output()
        .map_err(|e| format!("node could not run: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_owned());
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("the node script's output: {e}"))?;
    let n = |k: &str| v["changes"][k].as_u64().unwrap_or(0) as usize;
    let times = v["timesMs"]
        .as_array()
        .ok_or("the node script gave no timesMs")?
        .iter()
        .filter_map(serde_json::Value::as_f64)
        .map(|ms| Duration::from_secs_f64(ms / 1000.0))
        .collect();
    Ok(CdkRun {
        node: format!(
            "node {}, @aws-cdk/cloudformation-diff {}",
            v["node"].as_str().unwrap_or("?"),
            v["package"].as_str().unwrap_or("?")
        ),
        counts: (n("add"), n("modify"), n("remove"), n("replace")),
        times,
    })
}

/// `synth-bench diff-loop CASE RUNS`: one diff case's `diff_in`, `RUNS`
/// times on templates parsed once, and nothing else, for profilers
/// (`valgrind --tool=callgrind`, `perf record`). CASE: `merge`, `retag`,
/// `none` (the 500-resource cases) or `pair-change`, `pair-retag` (the
/// 600-resource pair).
pub fn profile_loop(case: &str, runs: usize) -> Result<(), String> {
    let (old, new) = match case {
        "merge" => (body(DiffVersion::Base), body(DiffVersion::Change)),
        "retag" => (body(DiffVersion::Base), body(DiffVersion::Retag)),
        "none" => (body(DiffVersion::Base), body(DiffVersion::Base)),
        "pair-change" => (pair_template(Pair::Base), pair_template(Pair::Change)),
        "pair-retag" => (pair_template(Pair::Base), pair_template(Pair::Retag)),
        other => return Err(format!("no diff case {other}")),
    };
    let a = template::parse(&old).map_err(|e| e.to_string())?;
    let b = template::parse(&new).map_err(|e| e.to_string())?;
    let env = diff::Environment::default();
    let t0 = Instant::now();
    for _ in 0..runs {
        let d = diff::diff_in(DIFF_STACK, &a, &b, true, diff::create_only, &env);
        std::hint::black_box(&d);
    }
    eprintln!("{case}: {:?} per diff", t0.elapsed() / runs.max(1) as u32);
    Ok(())
}
