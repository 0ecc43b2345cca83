//! Running the built `synth` against CloudFormation-compatible servers on
//! loopback, with assemblies synthesized in the test.

#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use synth::App;
use synth_tests::servers::Server;

/// How long deploy and destroy wait for a stack in these tests
/// (`SYNTH_TIMEOUT`): an emulator that leaves a stack in progress fails
/// the test with synth's own deadline message instead of hanging it.
pub const STACK_TIMEOUT_SECS: u64 = 180;

/// How long one run of `synth` may take before the test kills it and
/// fails with what it printed so far; longer than [`STACK_TIMEOUT_SECS`].
pub const RUN_TIMEOUT: Duration = Duration::from_secs(STACK_TIMEOUT_SECS + 60);

/// One run of the `synth` binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// The tail of the server's log, for failure messages.
    pub server_log: Option<String>,
}

impl Run {
    pub fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            server_log: None,
        }
    }

    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// Panics with the whole output unless the exit code is `code`.
    pub fn expect(self, code: i32) -> Run {
        assert_eq!(
            self.code,
            code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}{}",
            self.stdout,
            self.stderr,
            self.server_log
                .as_deref()
                .map(|log| format!("\n--- server log (tail)\n{log}"))
                .unwrap_or_default()
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
        .env("SYNTH_TIMEOUT", STACK_TIMEOUT_SECS.to_string())
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

/// Runs `cmd` to completion within [`RUN_TIMEOUT`]; past it, kills the
/// process and panics with everything it printed.
pub fn run(cmd: &mut Command) -> Run {
    run_within(cmd, RUN_TIMEOUT, None)
}

/// [`run`] against `server`: failure messages carry the tail of its log.
pub fn run_on(server: &Server, cmd: &mut Command) -> Run {
    let mut r = run_within(cmd, RUN_TIMEOUT, Some(server));
    r.server_log = Some(server.log_tail(60));
    r
}

fn run_within(cmd: &mut Command, limit: Duration, server: Option<&Server>) -> Run {
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run synth");
    let what = format!("synth {:?}", cmd.get_args().collect::<Vec<_>>());
    finish(child, limit, &what, server)
}

/// Waits for `child` (with piped stdout and stderr) within `limit`; past
/// it, kills the process and panics with everything it printed.
fn finish(mut child: Child, limit: Duration, what: &str, server: Option<&Server>) -> Run {
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            buf
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for synth") {
            break Some(status);
        }
        if started.elapsed() >= limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let r = Run::from(Output {
        status: status.unwrap_or_default(),
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    });
    if status.is_none() {
        panic!(
            "{what} did not finish within {limit:?}; killed it\n--- stdout\n{}\n--- stderr\n{}\n--- server log (tail)\n{}",
            r.stdout,
            r.stderr,
            server.map(|s| s.log_tail(80)).unwrap_or_default()
        );
    }
    r
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
    finish(child, RUN_TIMEOUT, "script(1) running synth", None)
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

/// `synth --app APP --region us-east-1 ARGS...` against `server`, in `dir`,
/// run as [`run_on`] does.
pub fn run_in(server: &Server, dir: &Path, app: &str, args: &[&str]) -> Run {
    run_on(server, &mut in_region(&server.endpoint(), dir, app, args))
}
