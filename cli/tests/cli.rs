//! The `synth` binary end to end: fixture assemblies given as `--app DIR`,
//! and fake apps (`sh` scripts) that write an assembly into $SYNTH_OUTDIR,
//! fail with exit 2, or fail like a panic (101).
//!
//! Every run starts from an empty environment (PATH only, plus what a test
//! sets), with HOME and AWS_CONFIG_FILE in a temporary directory and git
//! discovery stopped at it, so the machine's CI_*, AWS_* and git state never
//! leak in.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use synth::manifest::{Environment, Manifest, StackManifest, TemplateFormat, MANIFEST_VERSION};

/// A temporary root holding `home/` and `work/` (the current directory).
struct Sandbox {
    root: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("home")).unwrap();
        std::fs::create_dir_all(root.path().join("work")).unwrap();
        Sandbox { root }
    }

    fn home(&self) -> PathBuf {
        self.root.path().join("home")
    }

    fn work(&self) -> PathBuf {
        self.root.path().join("work")
    }

    fn aws_config(&self) -> PathBuf {
        self.home().join("aws-config")
    }

    /// `synth ARGS` in `work/`.
    fn synth(&self, args: &[&str]) -> Run {
        self.synth_in(&self.work(), args, &[])
    }

    /// `synth ARGS` in `dir` with extra environment variables.
    fn synth_in(&self, dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_synth"));
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home())
            .env("AWS_CONFIG_FILE", self.aws_config())
            .env("GIT_CEILING_DIRECTORIES", self.root.path())
            .current_dir(dir)
            .args(args);
        for (k, v) in vars {
            cmd.env(k, v);
        }
        Run(cmd.output().unwrap())
    }

    /// Writes a fixture assembly into `work/<dir>`.
    fn assembly(&self, dir: &str) -> PathBuf {
        let path = self.work().join(dir);
        write_assembly(&path);
        path
    }

    /// Writes `work/<name>` (creating directories).
    fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.work().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }
}

struct Run(Output);

impl Run {
    fn code(&self) -> i32 {
        self.0.status.code().expect("exited normally")
    }

    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }

    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }

    /// Asserts the exit code, showing the output when it is another.
    fn expect(self, code: i32) -> Run {
        assert_eq!(
            self.code(),
            code,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout(),
            self.stderr()
        );
        self
    }
}

fn stack(name: &str, region: Option<&str>, deps: &[&str], resources: usize) -> StackManifest {
    StackManifest {
        name: name.to_string(),
        template: format!("{name}.template.json"),
        format: TemplateFormat::Json,
        environment: Environment {
            account: region.map(|_| "123456789012".to_string()),
            region: region.map(str::to_string),
        },
        dependencies: deps.iter().map(|d| d.to_string()).collect(),
        parameters: BTreeMap::new(),
        tags: BTreeMap::new(),
        termination_protection: false,
        description: None,
        resources,
        template_bytes: 2,
        suppressions: Vec::new(),
    }
}

fn fixture_manifest() -> Manifest {
    Manifest {
        version: MANIFEST_VERSION,
        stacks: vec![
            stack("Network", None, &[], 3),
            stack("EksCluster", Some("us-east-2"), &["Network"], 12),
            stack("EksNodes", Some("us-east-2"), &["Network", "EksCluster"], 1),
        ],
    }
}

fn write_assembly(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let manifest = fixture_manifest();
    for s in &manifest.stacks {
        std::fs::write(dir.join(&s.template), "{}").unwrap();
    }
    std::fs::write(
        dir.join("manifest.json"),
        serde_json::to_string_pretty(&manifest).unwrap(),
    )
    .unwrap();
}

/// A fake app: records its SYNTH_* variables and working directory, says
/// something on stdout, and copies the fixture assembly into $SYNTH_OUTDIR.
fn fake_app(sb: &Sandbox) -> String {
    let fixture = sb.assembly("fixture");
    sb.file(
        "app.sh",
        &format!(
            r#"set -e
echo "app stdout: synthesizing"
echo "app stderr: synthesizing" >&2
mkdir -p "$SYNTH_OUTDIR"
{{
  echo "OUTDIR=$SYNTH_OUTDIR"
  echo "REGION=${{SYNTH_REGION-<unset>}}"
  echo "FORMAT=$SYNTH_FORMAT"
  echo "CONTEXT=$SYNTH_CONTEXT"
  echo "PWD=$(pwd)"
}} > "$SYNTH_OUTDIR/app-env.txt"
cp "{}"/* "$SYNTH_OUTDIR/"
"#,
            fixture.display()
        ),
    );
    format!("sh {}", sb.work().join("app.sh").display())
}

fn app_env(out: &Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(out.join("app-env.txt"))
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

// ---------------------------------------------------------------- synth

#[test]
fn synth_of_an_assembly_dir_prints_each_stack() {
    let sb = Sandbox::new();
    sb.assembly("fixture");
    let run = sb.synth(&["--app", "fixture"]).expect(0);
    let lines: Vec<String> = run.stdout().lines().map(str::to_string).collect();
    assert_eq!(
        lines,
        vec![
            "Network     fixture/Network.template.json     3 resources",
            "EksCluster  fixture/EksCluster.template.json  12 resources",
            "EksNodes    fixture/EksNodes.template.json    1 resource",
        ],
        "{}",
        run.stderr()
    );
    assert!(!run.stdout().contains('\x1b'), "no colors into a pipe");
    // `synth synth` is the same command.
    let again = sb.synth(&["synth", "--app", "fixture"]).expect(0);
    assert_eq!(again.stdout(), run.stdout());
}

#[test]
fn synth_runs_the_app_with_its_context() {
    let sb = Sandbox::new();
    let app = fake_app(&sb);
    let run = sb
        .synth(&[
            "--app",
            &app,
            "--out",
            "build/out",
            "-c",
            "stage=prod",
            "--context",
            "team=infra",
            "-c",
            "stage=test",
            "--yaml",
            "--region",
            "eu-west-1",
        ])
        .expect(0);
    assert!(
        run.stdout()
            .contains("Network     build/out/Network.template.json     3 resources"),
        "{}",
        run.stdout()
    );
    // The app's stdout goes to stderr, keeping synth's stdout its own.
    assert!(!run.stdout().contains("app stdout"));
    assert!(run.stderr().contains("app stdout: synthesizing"));
    assert!(run.stderr().contains("app stderr: synthesizing"));

    let env = app_env(&sb.work().join("build/out"));
    assert_eq!(
        env["OUTDIR"],
        sb.work().join("build/out").display().to_string()
    );
    assert_eq!(env["REGION"], "eu-west-1");
    assert_eq!(env["FORMAT"], "yaml");
    assert_eq!(env["CONTEXT"], r#"{"stage":"test","team":"infra"}"#);
    assert_eq!(env["PWD"], sb.work().display().to_string());
}

#[test]
fn synth_tells_the_app_the_region_from_the_branch_and_no_region_when_none() {
    let sb = Sandbox::new();
    let app = fake_app(&sb);
    sb.synth_in(
        &sb.work(),
        &["--app", &app, "-q"],
        &[("CI_COMMIT_REF_NAME", "region/ap-south-1")],
    )
    .expect(0);
    assert_eq!(app_env(&sb.work().join("out"))["REGION"], "ap-south-1");

    // A stale SYNTH_REGION in the environment does not reach the app.
    sb.synth_in(
        &sb.work(),
        &["--app", &app, "-q"],
        &[("SYNTH_REGION", "eu-west-1")],
    )
    .expect(0);
    let env = app_env(&sb.work().join("out"));
    assert_eq!(env["REGION"], "<unset>");
    assert_eq!(env["FORMAT"], "json");
    assert_eq!(env["CONTEXT"], "{}");
}

#[test]
fn synth_quiet_prints_nothing() {
    let sb = Sandbox::new();
    let app = fake_app(&sb);
    let run = sb.synth(&["-q", "--app", &app]).expect(0);
    assert_eq!(run.stdout(), "");
    assert!(sb.work().join("out/manifest.json").is_file());
}

#[test]
fn synth_toml_names_the_app_and_out_found_from_a_subdirectory() {
    let sb = Sandbox::new();
    let app = fake_app(&sb);
    sb.file(
        "synth.toml",
        &format!("# project\napp = '{app}'\nout = \"cdk.out\"\n"),
    );
    let sub = sb.work().join("stacks/src");
    std::fs::create_dir_all(&sub).unwrap();
    let run = sb.synth_in(&sub, &[], &[]).expect(0);
    let out = sb.work().join("cdk.out");
    assert!(
        run.stdout()
            .contains(&format!("{}/Network.template.json", out.display())),
        "{}",
        run.stdout()
    );
    let env = app_env(&out);
    // The app runs where synth.toml is.
    assert_eq!(env["PWD"], sb.work().display().to_string());

    // --out on the command line is relative to the current directory.
    sb.synth_in(&sub, &["--out", "here", "-q"], &[]).expect(0);
    assert!(sub.join("here/manifest.json").is_file());
}

#[test]
fn synth_toml_context_reaches_the_app_and_each_c_overrides_its_key() {
    let sb = Sandbox::new();
    let app = fake_app(&sb);
    sb.file(
        "synth.toml",
        &format!(
            "app = '{app}'\n\n[context]\nstage = \"prod\"  # default stage\n\"team.name\" = 'infra'\n"
        ),
    );
    let sub = sb.work().join("stacks");
    std::fs::create_dir_all(&sub).unwrap();
    sb.synth_in(&sub, &["-q"], &[]).expect(0);
    let out = sb.work().join("out");
    assert_eq!(
        app_env(&out)["CONTEXT"],
        r#"{"stage":"prod","team.name":"infra"}"#
    );

    // -c replaces the file's value of its key and adds new keys; the rest
    // of the file's context stays.
    sb.synth_in(
        &sub,
        &["-q", "-c", "stage=test", "--context", "extra=a=b"],
        &[],
    )
    .expect(0);
    assert_eq!(
        app_env(&out)["CONTEXT"],
        r#"{"extra":"a=b","stage":"test","team.name":"infra"}"#
    );
}

#[test]
fn a_context_value_in_synth_toml_that_is_not_a_string_is_an_input_error() {
    let sb = Sandbox::new();
    let app = fake_app(&sb);
    let toml = sb.file(
        "synth.toml",
        &format!("app = '{app}'\n[context]\nstage = \"prod\"\nreplicas = 3\n"),
    );
    // Even with -c for the same key: the file itself is wrong.
    let run = sb.synth(&["-c", "replicas=4"]).expect(2);
    assert_eq!(
        run.stderr().trim_end(),
        format!(
            "error: {}:4: the value of context key `replicas` is a number, but context values are strings (write `replicas = \"3\"`)",
            toml.display()
        )
    );
    assert_eq!(run.stdout(), "");
    // The app never ran.
    assert!(!sb.work().join("out").exists());

    // Any other table is one sentence too, naming the file and the line.
    sb.file("synth.toml", "[contexts]\nstage = \"prod\"\n");
    let run = sb.synth(&["list"]).expect(2);
    assert_eq!(
        run.stderr().trim_end(),
        format!(
            "error: {}:1: unknown table `[contexts]`; the tables are `[context]`, `[check]` and `[check.severity]`",
            toml.display()
        )
    );
}

#[test]
fn bad_synth_toml_is_an_input_error() {
    let sb = Sandbox::new();
    sb.file("synth.toml", "app = cargo run\n");
    let run = sb.synth(&["region"]).expect(2);
    assert!(
        run.stderr()
            .contains("synth.toml:1: the value of `app` must be a quoted string"),
        "{}",
        run.stderr()
    );
}

#[test]
fn failing_app_exit_2_is_shown_and_leaves_out_untouched() {
    let sb = Sandbox::new();
    sb.assembly("out");
    let before = std::fs::read(sb.work().join("out/manifest.json")).unwrap();
    let run = sb
        .synth(&[
            "--app",
            "sh -c 'echo \"stack Eks: subnet cidr 10.0.0.0/33 is invalid\" >&2; exit 2'",
        ])
        .expect(2);
    let err = run.stderr();
    assert!(
        err.contains("stack Eks: subnet cidr 10.0.0.0/33 is invalid"),
        "{err}"
    );
    assert!(
        err.contains("error: the app failed (exit 2); out/ was left as it was"),
        "{err}"
    );
    assert_eq!(run.stdout(), "");
    assert_eq!(
        std::fs::read(sb.work().join("out/manifest.json")).unwrap(),
        before
    );
    assert!(sb.work().join("out/Network.template.json").is_file());
}

#[test]
fn panicking_app_exit_101_fails_with_1() {
    let sb = Sandbox::new();
    sb.assembly("out");
    let before = std::fs::read(sb.work().join("out/manifest.json")).unwrap();
    sb.file(
        "panic.sh",
        "echo \"thread 'main' panicked at stacks/src/main.rs:10:5:\" >&2\nexit 101\n",
    );
    let run = sb.synth(&["list", "--app", "sh panic.sh"]).expect(1);
    let err = run.stderr();
    assert!(
        err.contains("thread 'main' panicked at stacks/src/main.rs"),
        "{err}"
    );
    assert!(
        err.contains("the app failed (exit 101); out/ was left as it was"),
        "{err}"
    );
    assert!(err.contains("the app is `sh panic.sh` from --app"), "{err}");
    assert_eq!(
        std::fs::read(sb.work().join("out/manifest.json")).unwrap(),
        before
    );
}

#[test]
fn missing_default_app_says_how_to_name_one() {
    let sb = Sandbox::new();
    // No synth.toml: the default app is `cargo run --quiet`; with a PATH
    // holding only `sh` the shell cannot find cargo.
    let bin = sb.root.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(which("sh"), bin.join("sh")).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_synth"));
    cmd.env_clear()
        .env("PATH", &bin)
        .env("HOME", sb.home())
        .env("GIT_CEILING_DIRECTORIES", sb.root.path())
        .current_dir(sb.work());
    let run = Run(cmd.output().unwrap()).expect(1);
    let err = run.stderr();
    assert!(err.contains("the app failed (exit 127)"), "{err}");
    assert!(
        err.contains("the shell could not find the command"),
        "{err}"
    );
    assert!(err.contains("set `app = \"...\"` in synth.toml"), "{err}");
}

/// The first `name` on PATH.
fn which(name: &str) -> PathBuf {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from("/bin").join(name))
}

#[test]
fn app_that_writes_no_manifest_fails() {
    let sb = Sandbox::new();
    let run = sb.synth(&["--app", "true"]).expect(1);
    assert!(
        run.stderr()
            .contains("the app `true` succeeded but wrote no out/manifest.json"),
        "{}",
        run.stderr()
    );
}

#[test]
fn app_dir_without_a_manifest_or_with_a_bad_one_is_an_input_error() {
    let sb = Sandbox::new();
    std::fs::create_dir_all(sb.work().join("empty")).unwrap();
    let run = sb.synth(&["--app", "empty"]).expect(2);
    assert!(
        run.stderr()
            .contains("the app `empty` is a directory without manifest.json"),
        "{}",
        run.stderr()
    );

    sb.file("broken/manifest.json", "{\"version\": 1}");
    let run = sb.synth(&["list", "--app", "broken"]).expect(2);
    assert!(
        run.stderr()
            .contains("is not a valid cloud assembly manifest"),
        "{}",
        run.stderr()
    );

    sb.file("future/manifest.json", "{\"version\": 99, \"stacks\": []}");
    let run = sb.synth(&["list", "--app", "future"]).expect(2);
    assert!(
        run.stderr().contains("has manifest version 99"),
        "{}",
        run.stderr()
    );
}

// ---------------------------------------------------------------- list

#[test]
fn list_json_is_an_array_of_stacks() {
    let sb = Sandbox::new();
    sb.assembly("fixture");
    let run = sb.synth(&["list", "--json", "--app", "fixture"]).expect(0);
    let listed: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    assert_eq!(
        listed,
        serde_json::json!([
            {"name": "Network", "region": null, "account": null, "dependencies": []},
            {"name": "EksCluster", "region": "us-east-2", "account": "123456789012", "dependencies": ["Network"]},
            {"name": "EksNodes", "region": "us-east-2", "account": "123456789012", "dependencies": ["Network", "EksCluster"]},
        ])
    );

    let run = sb
        .synth(&["ls", "Eks*", "--json", "--app", "fixture"])
        .expect(0);
    let listed: Vec<serde_json::Value> = serde_json::from_str(&run.stdout()).unwrap();
    let names: Vec<&str> = listed.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["EksCluster", "EksNodes"]);
}

#[test]
fn list_prints_a_table_with_any_for_unpinned_stacks() {
    let sb = Sandbox::new();
    sb.assembly("fixture");
    let run = sb.synth(&["list", "--app", "fixture"]).expect(0);
    assert_eq!(
        run.stdout(),
        "\
NAME        REGION     DEPENDS ON
Network     any        -
EksCluster  us-east-2  Network
EksNodes    us-east-2  Network, EksCluster
"
    );
    let run = sb
        .synth(&["list", "-q", "--all", "--app", "fixture"])
        .expect(0);
    assert_eq!(run.stdout().lines().count(), 3, "no header with -q");
    let run = sb
        .synth(&["list", "Net?ork", "EksNodes", "--app", "fixture"])
        .expect(0);
    assert_eq!(run.stdout().lines().count(), 3);
}

#[test]
fn list_runs_the_app_first() {
    let sb = Sandbox::new();
    let app = fake_app(&sb);
    let run = sb.synth(&["list", "--json", "--app", &app]).expect(0);
    let listed: Vec<serde_json::Value> = serde_json::from_str(&run.stdout()).unwrap();
    assert_eq!(listed.len(), 3);
    assert!(sb.work().join("out/app-env.txt").is_file());
}

#[test]
fn unknown_stack_is_an_error_listing_the_known_ones() {
    let sb = Sandbox::new();
    sb.assembly("fixture");
    let run = sb
        .synth(&["list", "Network", "Vpc", "--app", "fixture"])
        .expect(2);
    assert_eq!(run.stdout(), "");
    let err = run.stderr();
    assert!(
        err.contains("error: there is no stack named `Vpc`"),
        "{err}"
    );
    assert!(
        err.contains("known stacks: Network, EksCluster, EksNodes"),
        "{err}"
    );

    let run = sb.synth(&["list", "Rds*", "--app", "fixture"]).expect(2);
    assert!(
        run.stderr().contains("no stack matches `Rds*`"),
        "{}",
        run.stderr()
    );
}

// ---------------------------------------------------------------- flags

#[test]
fn bad_invocations_exit_2() {
    let sb = Sandbox::new();
    sb.assembly("fixture");
    for args in [
        &["--bogus"][..],
        &["list", "--all", "Network", "--app", "fixture"],
        &["-c", "novalue"],
        &["--region", "US-EAST-2", "region"],
        &["--region", "eu-west-99", "list", "--app", "fixture"],
        &["deploy-everything"],
    ] {
        let run = sb.synth(args).expect(2);
        assert!(
            run.stderr().contains("error:"),
            "{args:?}: {}",
            run.stderr()
        );
    }
    let run = sb.synth(&["--region", "eu-west-99", "region"]).expect(2);
    assert!(
        run.stderr().contains("`eu-west-99` is not an AWS region"),
        "{}",
        run.stderr()
    );
}

#[test]
fn every_command_has_help_with_examples() {
    let sb = Sandbox::new();
    for args in [
        &["--help"][..],
        &["synth", "--help"],
        &["list", "--help"],
        &["region", "--help"],
    ] {
        let run = sb.synth(args).expect(0);
        assert!(
            run.stdout().contains("Examples:"),
            "{args:?}: {}",
            run.stdout()
        );
    }
    let run = sb.synth(&["--version"]).expect(0);
    assert!(run.stdout().starts_with("synth "));
}

// ---------------------------------------------------------------- region

#[test]
fn region_from_each_source() {
    let sb = Sandbox::new();
    std::fs::write(
        sb.aws_config(),
        "[default]\nregion = ca-central-1\n[profile ops]\nregion = ap-northeast-1\n",
    )
    .unwrap();
    type Vars<'a> = &'a [(&'a str, &'a str)];
    let cases: &[(&[&str], Vars, &str)] = &[
        (&["--region", "us-west-2"], &[("AWS_REGION", "eu-west-1")], "us-west-2 (from --region)"),
        (
            &[],
            &[("CI_COMMIT_REF_NAME", "region/us-east-2"), ("AWS_REGION", "eu-west-1")],
            "us-east-2 (from branch region/us-east-2, CI_COMMIT_REF_NAME)",
        ),
        (
            &[],
            &[
                ("CI_PIPELINE_SOURCE", "merge_request_event"),
                ("CI_COMMIT_REF_NAME", "feature/eks"),
                ("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "region/us-gov-west-1"),
            ],
            "us-gov-west-1 (from merge request target branch region/us-gov-west-1, CI_MERGE_REQUEST_TARGET_BRANCH_NAME)",
        ),
        (&[], &[("CI_COMMIT_REF_NAME", "main"), ("AWS_REGION", "eu-west-1")], "eu-west-1 (from AWS_REGION)"),
        (&[], &[("AWS_DEFAULT_REGION", "cn-north-1")], "cn-north-1 (from AWS_DEFAULT_REGION)"),
        (&[], &[], "ca-central-1 (from AWS profile default in "),
        (&[], &[("AWS_PROFILE", "ops")], "ap-northeast-1 (from AWS profile ops in "),
        (&[], &[("AWS_PROFILE", "nobody")], "(none)"),
    ];
    for (args, vars, want) in cases {
        let mut all = vec!["region"];
        all.extend_from_slice(args);
        let run = sb.synth_in(&sb.work(), &all, vars).expect(0);
        assert!(
            run.stdout().starts_with(want),
            "{args:?} {vars:?}: {}",
            run.stdout()
        );
    }
}

#[test]
fn region_none_exits_0_with_a_hint() {
    let sb = Sandbox::new();
    let run = sb.synth(&["region"]).expect(0);
    assert_eq!(run.stdout(), "(none)\n");
    let err = run.stderr();
    assert!(
        err.contains("hint: no region is in force; pass --region"),
        "{err}"
    );
    assert!(err.contains("not in a git repository"), "{err}");
    assert!(err.contains("no AWS config file at"), "{err}");

    let run = sb.synth(&["region", "-q"]).expect(0);
    assert_eq!(run.stderr(), "");

    let run = sb.synth(&["region", "--json"]).expect(0);
    let v: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    assert_eq!(v["region"], serde_json::Value::Null);
    assert!(!v["notes"].as_array().unwrap().is_empty());
}

#[test]
fn region_json() {
    let sb = Sandbox::new();
    let run = sb
        .synth_in(
            &sb.work(),
            &["region", "--json"],
            &[("CI_COMMIT_REF_NAME", "region/cn-north-1")],
        )
        .expect(0);
    let v: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    assert_eq!(v["region"], "cn-north-1");
    assert_eq!(v["partition"], "aws-cn");
    assert_eq!(v["source"], "ci-branch");
    assert_eq!(v["detail"], "region/cn-north-1");
    assert_eq!(
        v["description"],
        "from branch region/cn-north-1, CI_COMMIT_REF_NAME"
    );
}

#[test]
fn region_from_the_checked_out_branch_in_a_subdirectory() {
    let sb = Sandbox::new();
    let repo = git2::Repository::init(sb.work()).unwrap();
    let sub = sb.work().join("stacks/src");
    std::fs::create_dir_all(&sub).unwrap();

    repo.set_head("refs/heads/region/eu-central-1").unwrap();
    let run = sb
        .synth_in(&sub, &["region"], &[("AWS_REGION", "eu-west-1")])
        .expect(0);
    assert_eq!(
        run.stdout(),
        "eu-central-1 (from branch region/eu-central-1)\n"
    );

    // In GitLab CI the variable wins over the checkout (CI checks out a
    // detached HEAD anyway).
    let run = sb
        .synth_in(
            &sub,
            &["region"],
            &[("CI_COMMIT_REF_NAME", "region/eu-west-2")],
        )
        .expect(0);
    assert_eq!(
        run.stdout(),
        "eu-west-2 (from branch region/eu-west-2, CI_COMMIT_REF_NAME)\n"
    );

    repo.set_head("refs/heads/feature/region/us-east-2")
        .unwrap();
    let run = sb
        .synth_in(&sub, &["region"], &[("AWS_REGION", "eu-west-1")])
        .expect(0);
    assert_eq!(run.stdout(), "eu-west-1 (from AWS_REGION)\n");
}

#[test]
fn bad_region_branch_is_an_error_naming_the_branch_and_the_form() {
    let sb = Sandbox::new();
    for (branch, extra) in [
        ("region/eu-west-99", None),
        ("region/US-EAST-2", Some("did you mean `region/us-east-2`?")),
        ("region/", None),
    ] {
        let run = sb
            .synth_in(
                &sb.work(),
                &["region"],
                &[("CI_COMMIT_REF_NAME", branch), ("AWS_REGION", "eu-west-1")],
            )
            .expect(2);
        let err = run.stderr();
        assert!(
            err.contains(&format!(
                "branch `{branch}` (CI_COMMIT_REF_NAME) does not name an AWS region"
            )),
            "{err}"
        );
        assert!(
            err.contains("`region/<aws-region>`, e.g. `region/us-east-2`"),
            "{err}"
        );
        if let Some(extra) = extra {
            assert!(err.contains(extra), "{err}");
        }
        assert_eq!(run.stdout(), "");
    }
    // Synthesizing needs the region too, so it fails the same way before
    // running the app.
    let sb2 = Sandbox::new();
    let app = fake_app(&sb2);
    let run = sb2
        .synth_in(
            &sb2.work(),
            &["--app", &app],
            &[("CI_COMMIT_REF_NAME", "region/eu-west-99")],
        )
        .expect(2);
    assert!(
        run.stderr().contains("branch `region/eu-west-99`"),
        "{}",
        run.stderr()
    );
    assert!(!sb2.work().join("out").exists());
}
