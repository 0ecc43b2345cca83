//! The command line's shape: commands, flags and their help.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

const EXAMPLES: &str = "\
Examples:
  synth                               run the app (synth.toml's `app`) and write out/
  synth --app 'cargo run -q -p stacks' --out build/out
  synth -c stage=prod -c team=infra   pass context values to the app
  synth list                          the stacks, their regions and dependencies
  synth list 'Eks*' --json            the stacks whose names start with Eks, as JSON
  synth region                        the region in force and where it came from
  synth --app out list                list an existing assembly without running the app

Region: --region, else the branch (region/<aws-region>, e.g. region/us-east-2;
CI_COMMIT_REF_NAME in GitLab CI, the target branch in merge request pipelines),
else AWS_REGION / AWS_DEFAULT_REGION, else the AWS profile's region.

Exit codes: 0 success, 1 the operation failed, 2 the invocation or input is wrong.";

const SYNTH_EXAMPLES: &str = "\
Examples:
  synth synth                         same as `synth`
  synth --out build/out --yaml        YAML templates into build/out
  synth --region eu-west-1 -q         synthesize for eu-west-1, print nothing
  synth --app 'sh -c ./synth.sh'      any command that writes $SYNTH_OUTDIR/manifest.json
  synth --codequality gl-code-quality-report.json   the [check] findings for GitLab

If the app exits non-zero its stderr is shown, out/ is left as it was, and synth
exits 2 if the app exited 2 (invalid input or stack definition), else 1.
With a [check] table in synth.toml the new assembly is checked before it
replaces out/: an error finding leaves out/ as it was and exits 1.";

const LIST_EXAMPLES: &str = "\
Examples:
  synth list                          every stack
  synth ls Network 'Eks*'             the stack Network and those matching Eks*
  synth list --json | jq -r '.[].name'
  synth --app out list                an existing assembly; the app does not run

Globs: `*` matches any run of characters, `?` exactly one; quote them for the shell.
A name that is no stack, or a glob that matches none, is an error listing the stacks.";

const REGION_EXAMPLES: &str = "\
Examples:
  synth region                        e.g. `us-east-2 (from branch region/us-east-2)`
  synth region --json                 {\"region\":\"us-east-2\",\"partition\":\"aws\",...}
  AWS_REGION=eu-west-1 synth region   `eu-west-1 (from AWS_REGION)` off region branches

Precedence: --region, then the branch, then AWS_REGION / AWS_DEFAULT_REGION, then
the `region` of the AWS profile (AWS_PROFILE or default) in AWS_CONFIG_FILE or
~/.aws/config. A branch region/<name> must name a real region in lower case;
other branches (main, feature/...) name none. With no region, prints (none) and
exits 0; commands that need a region fail instead.";

/// Define AWS infrastructure in Rust, synthesize CloudFormation, deploy per region.
#[derive(Debug, Parser)]
#[command(
    name = "synth",
    version,
    long_about = "Synthesizes the app's CloudFormation templates into a cloud assembly (out/) \
                  and works with that assembly. With no command, synthesizes.",
    after_long_help = EXAMPLES,
    after_help = "Run `synth --help` for examples, `synth <command> --help` for a command's."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The synth command's own flags, when no command is named.
    #[command(flatten)]
    pub synth: SynthArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Flags of `synth` (`synth synth`).
#[derive(Debug, Clone, Default, Args)]
pub struct SynthArgs {
    /// With synth.toml's [check]: also write the findings as a GitLab Code
    /// Quality report to FILE, whether the check passes or not
    /// [default: no report]
    #[arg(long, value_name = "FILE")]
    pub codequality: Option<PathBuf>,
}

/// Flags every command takes.
#[derive(Debug, Clone, Default, Args)]
pub struct GlobalArgs {
    /// Directory of the cloud assembly [default: `out` in synth.toml, else out]
    #[arg(long, global = true, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Shell command that synthesizes the app (run with `sh -c`), or an existing
    /// assembly directory holding manifest.json (then nothing runs)
    /// [default: `app` in synth.toml, else `cargo run --quiet`]
    #[arg(long, global = true, value_name = "COMMAND|DIR")]
    pub app: Option<String>,

    /// Write templates as YAML instead of JSON
    #[arg(long, global = true)]
    pub yaml: bool,

    /// Print only errors and what was asked for
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// A context value for the app (repeatable; passed as SYNTH_CONTEXT);
    /// overrides the same key in synth.toml's [context]
    #[arg(
        short = 'c',
        long = "context",
        global = true,
        value_name = "KEY=VALUE",
        value_parser = parse_context
    )]
    pub context: Vec<(String, String)>,

    /// The region, overriding the branch, AWS_REGION and the AWS profile
    #[arg(long, global = true, value_name = "REGION", value_parser = parse_region)]
    pub region: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the app and write the cloud assembly (the default command)
    #[command(after_help = SYNTH_EXAMPLES)]
    Synth(SynthArgs),

    /// List the stacks, their regions and dependencies
    #[command(visible_alias = "ls", after_help = LIST_EXAMPLES)]
    List(ListArgs),

    /// Print the region in force and where it came from
    #[command(after_help = REGION_EXAMPLES)]
    Region(RegionArgs),

    /// Show what a deploy would change: resources, replacements, IAM and network access
    #[command(after_help = DIFF_EXAMPLES)]
    Diff(DiffArgs),

    /// Deploy stacks through change sets, in dependency order
    #[command(after_help = DEPLOY_EXAMPLES)]
    Deploy(DeployArgs),

    /// Delete stacks, in reverse dependency order, after confirmation
    #[command(after_help = DESTROY_EXAMPLES)]
    Destroy(DestroyArgs),

    /// Write Rust stack code that synthesizes an existing template or deployed stack
    #[command(after_help = IMPORT_EXAMPLES)]
    Import(ImportArgs),

    /// Detect resources changed outside CloudFormation (drift), property by property
    #[command(after_help = DRIFT_EXAMPLES)]
    Drift(DriftArgs),

    /// Every region/<region> branch against what runs in its region: commits, pending changes, drift
    #[command(after_help = FLEET_EXAMPLES)]
    Fleet(FleetArgs),

    /// Check the synthesized templates against policy rules (CloudFormation Guard)
    #[command(after_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
}

const IMPORT_EXAMPLES: &str = "\
Examples:
  synth import template.yaml                    the stack module on stdout (dependency line as a comment)
  synth import template.yaml --out platform     a ready-to-build crate in platform/ (cd platform && synth)
  synth import --stack Network --region eu-west-1 --out network   a deployed stack's template
  synth import eks.json --name Eks --synth-version 0.1.0 --out eks

For import, --out DIR names the crate to write, not a cloud assembly: DIR receives
Cargo.toml (synth with exactly the features the code uses), synth.toml and src/; a DIR
that already holds a Cargo.toml is refused. What synth's
typed API cannot express is written raw (RawResource, override_property, Value) and
reported by logical ID on stderr.";

/// Arguments of `synth import`.
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// The template file: JSON, or YAML with short-form tags
    #[arg(
        value_name = "TEMPLATE",
        required_unless_present = "stack",
        conflicts_with = "stack"
    )]
    pub template: Option<PathBuf>,

    /// Import the template of this deployed stack instead (in the region in force)
    #[arg(long, value_name = "NAME")]
    pub stack: Option<String>,

    /// The stack's name in the generated app [default: the deployed stack's name, else the file name]
    #[arg(long, value_name = "STACK")]
    pub name: Option<String>,

    /// Depend on synth at this path (its synth/ crate directory); also where the
    /// generated types are read from [default: this checkout's synth/ when present,
    /// else --synth-version of this command]
    #[arg(long, value_name = "PATH", conflicts_with_all = ["synth_git", "synth_version"])]
    pub synth_path: Option<PathBuf>,

    /// Depend on synth from this git URL
    #[arg(long, value_name = "URL", conflicts_with = "synth_version")]
    pub synth_git: Option<String>,

    /// Depend on this version of synth
    #[arg(long, value_name = "VERSION")]
    pub synth_version: Option<String>,
}

const CHECK_EXAMPLES: &str = "\
Examples:
  synth check                         the assembly in out/ against the rule pack
  synth check --strict                fail on warnings too
  synth check --format json           findings and suppressions as JSON
  synth check --codequality gl-code-quality-report.json   GitLab's Code Quality report

Rules: the built-in pack (IAM, networking, EKS, S3, KMS, RDS; `packs` in
synth.toml's [check] chooses), the project's .guard files (`rules`), severities
by rule ID in [check.severity]. A resource opts out of a rule in code with
.suppress(\"RULE-ID\", \"reason\"); an ID that no rule has is an error.
Exit codes: 0 no error findings, 1 error findings (or warnings with --strict),
2 the assembly, rules or configuration are wrong.";

/// How `synth check` reports.
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Output format: table (for people) or json
    #[arg(long, value_enum, default_value_t = CheckFormat::Table)]
    pub format: CheckFormat,

    /// Also write GitLab's Code Quality report (JSON) to FILE
    #[arg(long, value_name = "FILE")]
    pub codequality: Option<PathBuf>,

    /// Fail on warnings too, not only on errors
    #[arg(long)]
    pub strict: bool,
}

/// `synth check --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    Table,
    Json,
}

const DEPLOY_EXAMPLES: &str = "\
Examples:
  synth deploy                        the only stack (name stacks or pass --all when there are several)
  synth deploy --all --require-approval never      in CI: never ask
  synth deploy 'Eks*' --concurrency 2              independent stacks two at a time
  synth deploy --parameters GitlabEks:GitlabExternalId=0123abcd... --parameters Env=prod
  synth --app out deploy --all --outputs-file outputs.json  deploy a synthesized artifact

Each stack: a change set is created (CREATE or UPDATE), its diff shown, approval asked
when --require-approval says so (broadening: only when permissions or network access
widen), then executed and followed to the end. Without a terminal, a needed approval
fails the deploy (exit 1). Parameters not given keep their deployed value on update.
Templates over 51,200 bytes need --template-bucket. Credentials come from the AWS
default chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or
AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE (GitLab OIDC); AWS_ENDPOINT_URL selects
another endpoint.";

const DESTROY_EXAMPLES: &str = "\
Examples:
  synth destroy GitlabEks             asks before deleting
  synth destroy --all --force         no question (needed without a terminal)";

/// How `synth deploy` proceeds.
#[derive(Debug, Clone, Args)]
pub struct DeployArgs {
    /// Stack names or globs; the only stack when there is one
    #[arg(value_name = "STACK")]
    pub stacks: Vec<String>,

    /// Every stack
    #[arg(long, conflicts_with = "stacks")]
    pub all: bool,

    /// When to ask before executing: never, any-change, or broadening (permissions or network access widen)
    #[arg(long, value_enum, default_value_t = crate::deploy::Approval::Broadening)]
    pub require_approval: crate::deploy::Approval,

    /// Deploy up to N independent stacks at once
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=32))]
    pub concurrency: u16,

    /// Delete and recreate a stack whose creation failed (ROLLBACK_COMPLETE)
    #[arg(long)]
    pub replace_failed: bool,

    /// Wait for another operation running on a stack instead of failing
    #[arg(long)]
    pub wait_busy: bool,

    /// Give up waiting for a stack after this many seconds
    #[arg(
        long,
        value_name = "SECONDS",
        env = "SYNTH_TIMEOUT",
        default_value_t = 7200
    )]
    pub timeout: u64,

    /// Progress display: auto (a live line on a terminal) or events (a line per event)
    #[arg(long, value_enum, default_value_t = ProgressMode::Auto)]
    pub progress: ProgressMode,

    /// A parameter value, for every stack (KEY=VALUE) or one (STACK:KEY=VALUE); repeatable
    #[arg(long = "parameters", value_name = "[STACK:]KEY=VALUE")]
    pub parameters: Vec<String>,

    /// Turn on termination protection for the deployed stacks
    #[arg(long)]
    pub termination_protection: bool,

    /// Write the stacks' outputs as {stack: {output: value}} to FILE
    #[arg(long, value_name = "FILE")]
    pub outputs_file: Option<PathBuf>,

    /// S3 bucket for templates over 51,200 bytes
    #[arg(long, value_name = "BUCKET")]
    pub template_bucket: Option<String>,

    /// IAM role CloudFormation acts with (its execution role) instead of the caller's permissions
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<String>,
}

/// How `synth destroy` proceeds.
#[derive(Debug, Clone, Args)]
pub struct DestroyArgs {
    /// Stack names or globs; the only stack when there is one
    #[arg(value_name = "STACK")]
    pub stacks: Vec<String>,

    /// Every stack
    #[arg(long, conflicts_with = "stacks")]
    pub all: bool,

    /// Do not ask for confirmation
    #[arg(long)]
    pub force: bool,

    /// IAM role CloudFormation acts with (its execution role) instead of the caller's permissions
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<String>,

    /// Give up waiting for a stack after this many seconds
    #[arg(
        long,
        value_name = "SECONDS",
        env = "SYNTH_TIMEOUT",
        default_value_t = 7200
    )]
    pub timeout: u64,

    /// Progress display: auto (a live line on a terminal) or events (a line per event)
    #[arg(long, value_enum, default_value_t = ProgressMode::Auto)]
    pub progress: ProgressMode,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ProgressMode {
    #[default]
    Auto,
    Events,
}

const DIFF_EXAMPLES: &str = "\
Examples:
  synth diff                          every stack against what is deployed in the region
  synth diff GitlabEks --fail         exit 1 when the stack would change
  synth diff --against main-out/      against another assembly, offline (no AWS access)
  synth diff --template old.yaml App  against a template file (JSON or YAML)
  synth diff --format markdown > diff.md --gitlab-report report.json
  synth diff --format json | jq .summary
  synth diff --unified --context-lines 5
  synth diff --method change-set      also ask CloudFormation (a change set, deleted after)

Against the deployed stack (the default), the region comes from --region or the
branch (region/<aws-region>) and credentials from the AWS default chain; a stack
that does not exist yet diffs against an empty template. Exports the change removes
while other stacks import them are warned about (ListImports). --method change-set
also creates a change set (never executed; deleted after, with the review stack a new
stack needs), shows where CloudFormation's verdicts differ from synth's prediction,
and explains an empty change set when the templates differ.
[~] modified  [+] added  [-] removed; (replace) marks replacements, including those
caused by a replaced resource that a create-only property references.
Exit codes: 0 (also with differences, unless --fail), 1 differences with --fail or
the comparison failed, 2 invalid invocation.";

/// What `synth diff` compares against and how it reports.
#[derive(Debug, Clone, Default, Args)]
pub struct DiffArgs {
    /// Stack names or globs; all stacks when none are given
    #[arg(value_name = "STACK")]
    pub stacks: Vec<String>,

    /// Every stack
    #[arg(long, conflicts_with = "stacks")]
    pub all: bool,

    /// Compare with this template file (JSON or YAML) instead of the deployed stack; needs exactly one stack
    #[arg(long, value_name = "FILE", conflicts_with = "against")]
    pub template: Option<PathBuf>,

    /// Compare with the same stacks in another cloud assembly directory, offline
    #[arg(long, value_name = "DIR")]
    pub against: Option<PathBuf>,

    /// Output format: text (colored on a terminal), markdown, json
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,

    /// Also write GitLab's infrastructure report ({"create","update","delete"}) to FILE
    #[arg(long, value_name = "FILE")]
    pub gitlab_report: Option<PathBuf>,

    /// Also print a unified diff of the template texts
    #[arg(long)]
    pub unified: bool,

    /// Lines of context in the unified diff (implies --unified)
    #[arg(long, value_name = "N")]
    pub context_lines: Option<usize>,

    /// Exit 1 when there are differences
    #[arg(long)]
    pub fail: bool,

    /// How to compare with a deployed stack: template (synth's own diff) or change-set (also create a change set, never executed, merge CloudFormation's verdicts, delete it)
    #[arg(long, value_enum, default_value_t = DiffMethod::Template)]
    pub method: DiffMethod,

    /// With --method change-set: a parameter value, for every stack (KEY=VALUE) or one (STACK:KEY=VALUE); repeatable
    #[arg(long = "parameters", value_name = "[STACK:]KEY=VALUE")]
    pub parameters: Vec<String>,

    /// With --method change-set: S3 bucket for templates over 51,200 bytes
    #[arg(long, value_name = "BUCKET")]
    pub template_bucket: Option<String>,

    /// With --method change-set: IAM role CloudFormation acts with
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<String>,

    /// Give up on reading the deployed stacks (and with --method change-set, on the change set) after this many seconds
    #[arg(
        long,
        value_name = "SECONDS",
        env = "SYNTH_TIMEOUT",
        default_value_t = 600
    )]
    pub timeout: u64,
}

/// How `synth diff` compares with a deployed stack.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffMethod {
    /// The deployed template against the synthesized one, by synth's engine.
    #[default]
    Template,
    /// As template, plus a change set created to ask CloudFormation.
    ChangeSet,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    #[default]
    Text,
    Markdown,
    Json,
}

#[derive(Debug, Clone, Default, Args)]
pub struct ListArgs {
    /// Stack names or globs ('Eks*'); all stacks when none are given
    #[arg(value_name = "STACK")]
    pub stacks: Vec<String>,

    /// Every stack
    #[arg(long, conflicts_with = "stacks")]
    pub all: bool,

    /// Print a JSON array of {name, region, account, dependencies}
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Default, Args)]
pub struct RegionArgs {
    /// Print {region, partition, source, detail, description} as JSON
    #[arg(long)]
    pub json: bool,
}

const DRIFT_EXAMPLES: &str = "\
Examples:
  synth drift                         every stack in the region in force
  synth drift GitlabEks --fail        exit 1 when the stack drifted
  synth --app out drift --format markdown > drift.md

CloudFormation compares each resource with its template (DetectStackDrift) and
lists the properties that differ (expected and actual). Resources of types without
drift detection are listed as NOT_CHECKED. The region comes from --region or the
branch, as for diff. Exit codes: 0 (also with drift, unless --fail), 1 drift with
--fail or detection failed, 2 invalid invocation.";

/// What `synth drift` checks and how it reports.
#[derive(Debug, Clone, Default, Args)]
pub struct DriftArgs {
    /// Stack names or globs; all stacks when none are given
    #[arg(value_name = "STACK")]
    pub stacks: Vec<String>,

    /// Every stack
    #[arg(long, conflicts_with = "stacks")]
    pub all: bool,

    /// Output format: text, markdown, json
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,

    /// Exit 1 when a stack drifted
    #[arg(long)]
    pub fail: bool,

    /// Give up waiting for drift detection after this many seconds
    #[arg(
        long,
        value_name = "SECONDS",
        env = "SYNTH_TIMEOUT",
        default_value_t = 600
    )]
    pub timeout: u64,
}

const FLEET_EXAMPLES: &str = "\
Examples:
  synth fleet                                 every region/<region> branch of this repository
  synth fleet --assemblies assemblies/        pending changes from DIR/<region>/manifest.json
  synth fleet --synthesize                    pending changes from each branch head, synthesized
  synth fleet --format markdown --markdown-file fleet.md --json-file fleet.json --fail

One row per region/<region> branch (local branches and remote-tracking ones): the
branch head, the stacks deployed in the region (status, last update, the commit that
deployed them, from the synth:commit stack tag deploy writes), whether the head is
ahead of that commit, pending changes (the head's assembly diffed against the
deployed templates, from --assemblies or --synthesize), and drift (DetectStackDrift
on every deployed stack). A region that cannot be read is a row with its error.
Exit codes: 0, 1 with --fail when a region drifted or could not be read, 2 invalid
invocation.";

/// What `synth fleet` reads and how it reports.
#[derive(Debug, Clone, Default, Args)]
pub struct FleetArgs {
    /// A directory of per-region cloud assemblies (DIR/<region>/manifest.json)
    #[arg(long, value_name = "DIR")]
    pub assemblies: Option<PathBuf>,

    /// Output format on stdout: text, markdown, json
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,

    /// Also write the Markdown report to FILE
    #[arg(long, value_name = "FILE")]
    pub markdown_file: Option<PathBuf>,

    /// Also write the JSON report to FILE
    #[arg(long, value_name = "FILE")]
    pub json_file: Option<PathBuf>,

    /// Exit 1 when a region drifted or could not be read
    #[arg(long)]
    pub fail: bool,

    /// Synthesize the head of each region branch that --assemblies has no
    /// assembly for (its tree in a temporary directory, its app run with
    /// the branch's region; share builds with CARGO_TARGET_DIR)
    #[arg(long)]
    pub synthesize: bool,

    /// Skip drift detection (it starts a detection on every deployed stack)
    #[arg(long)]
    pub no_drift: bool,

    /// Read up to N regions at once
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=32))]
    pub concurrency: u16,

    /// The CloudFormation endpoint of one region (repeatable), e.g. a proxy;
    /// other regions use AWS_ENDPOINT_URL or AWS's
    #[arg(long = "endpoint", value_name = "REGION=URL", value_parser = parse_endpoint)]
    pub endpoints: Vec<(String, String)>,

    /// Give up on a region after this many seconds
    #[arg(
        long,
        value_name = "SECONDS",
        env = "SYNTH_TIMEOUT",
        default_value_t = 600
    )]
    pub timeout: u64,
}

fn parse_endpoint(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((region, url)) if !url.trim().is_empty() => {
            let region = parse_region(region.trim())?;
            Ok((region, url.trim().to_string()))
        }
        _ => Err(format!(
            "expected REGION=URL, e.g. --endpoint eu-west-1=https://proxy.example (got `{s}`)"
        )),
    }
}

fn parse_context(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(format!(
            "expected KEY=VALUE, e.g. -c stage=prod (got `{s}`)"
        )),
    }
}

fn parse_region(s: &str) -> Result<String, String> {
    crate::region_resolution::parse_region_flag(s).map(|r| r.name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn parses_globals_anywhere() {
        let cli = Cli::try_parse_from([
            "synth",
            "list",
            "--region",
            "eu-west-1",
            "-c",
            "a=b=c",
            "Eks*",
            "--app",
            "out",
        ])
        .unwrap();
        assert_eq!(cli.global.region.as_deref(), Some("eu-west-1"));
        assert_eq!(
            cli.global.context,
            vec![("a".to_string(), "b=c".to_string())]
        );
        assert_eq!(cli.global.app.as_deref(), Some("out"));
        match cli.command {
            Some(Command::List(args)) => assert_eq!(args.stacks, vec!["Eks*"]),
            other => panic!("{other:?}"),
        }
        let cli = Cli::try_parse_from(["synth", "-q", "--yaml", "--out", "o"]).unwrap();
        assert!(cli.command.is_none() && cli.global.quiet && cli.global.yaml);
        assert!(matches!(
            Cli::try_parse_from(["synth", "ls"]).unwrap().command,
            Some(Command::List(_))
        ));
    }

    #[test]
    fn rejects_bad_values() {
        for args in [
            &["synth", "--region", "US-EAST-2"][..],
            &["synth", "-c", "novalue"],
            &["synth", "-c", "=v"],
            &["synth", "list", "--all", "A"],
            &["synth", "--bogus"],
        ] {
            let e = Cli::try_parse_from(args).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{args:?}");
        }
    }
}
