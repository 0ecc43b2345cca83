//! Running the built `synth` against CloudFormation-compatible servers on
//! loopback, with assemblies synthesized in the test.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use synth::App;

/// One run of the `synth` binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// Panics with the whole output unless the exit code is `code`.
    pub fn expect(self, code: i32) -> Run {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// A `synth` command against `endpoint`, in a directory with no git
/// repository above it and no AWS settings from the host.
pub fn synth(endpoint: &str, dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_synth"));
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("GIT_CEILING_DIRECTORIES", dir.parent().unwrap_or(dir))
        .env("SYNTH_POLL_MAX_MS", "500")
        .stdin(Stdio::null());
    synth_tests::servers::configure_aws(&mut cmd, endpoint);
    cmd
}

/// `synth --app APP --region us-east-1 ARGS...` against `endpoint`, in `dir`.
pub fn in_region(endpoint: &str, dir: &Path, app: &str, args: &[&str]) -> Command {
    let mut cmd = synth(endpoint, dir);
    cmd.args(["--app", app, "--region", "us-east-1"]).args(args);
    cmd
}

pub fn run(cmd: &mut Command) -> Run {
    Run::from(cmd.output().expect("run synth"))
}

/// Runs `cmd` under a pseudo-terminal (util-linux `script`), typing
/// `answer` at the prompt.
pub fn run_in_terminal(cmd: &Command, answer: &str) -> Run {
    let mut line = vec![shell_quote(cmd.get_program().to_str().unwrap_or(""))];
    line.extend(
        cmd.get_args()
            .map(|a| shell_quote(a.to_str().unwrap_or(""))),
    );
    let mut outer = Command::new("script");
    outer.args(["-qec", &line.join(" "), "/dev/null"]);
    outer.current_dir(cmd.get_current_dir().unwrap_or(Path::new(".")));
    outer.env_clear();
    for (k, v) in cmd.get_envs() {
        if let Some(v) = v {
            outer.env(k, v);
        }
    }
    outer
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = outer.spawn().expect("script(1) runs");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        // The prompt comes after the change set is ready: type the answer
        // once the child has had time to ask.
        std::thread::sleep(std::time::Duration::from_millis(1500));
        let _ = stdin.write_all(answer.as_bytes());
    }
    Run::from(child.wait_with_output().expect("script(1) ends"))
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Writes `app`'s assembly into `dir` and returns it.
pub fn assembly(app: &App, dir: &Path) -> PathBuf {
    let assembly = app.synth().unwrap_or_else(|e| panic!("{e}"));
    assembly.write(dir).expect("write assembly");
    dir.to_path_buf()
}

/// A small stack any endpoint can create and delete: an SQS queue and an
/// SSM parameter holding its name, plus an optional extra parameter.
pub fn small_app(stack: &str, extra: Option<&str>) -> App {
    use synth::prelude::*;
    let mut app = App::new();
    let s = app.stack(stack);
    let queue = s.add("Queue", RawResource::new("AWS::SQS::Queue"));
    s.add(
        "QueueName",
        RawResource::new("AWS::SSM::Parameter")
            .property("Type", "String")
            .property("Value", queue.attribute("QueueName")),
    );
    if let Some(value) = extra {
        s.add(
            "Extra",
            RawResource::new("AWS::SSM::Parameter")
                .property("Type", "String")
                .property("Value", value),
        );
    }
    s.output("QueueUrl", queue.reference());
    app
}
