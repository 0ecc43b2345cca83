//! CloudFormation-compatible emulators as child processes on loopback.
//!
//! ```no_run
//! use synth_tests::servers::{self, Moto};
//!
//! let moto = Moto::start();
//! let mut cmd = std::process::Command::new("synth");
//! servers::configure_aws(&mut cmd, &moto.endpoint());
//! // ... run `synth deploy`, then start the next case from a clean slate:
//! moto.reset();
//! ```
//!
//! What each emulator does and does not emulate is in ARCHITECTURE.md
//! ("What each emulator does"); say in a test which behaviour it relies on.

use std::collections::HashSet;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::http;

/// How long moto may take to answer after it was spawned.
pub const MOTO_START_TIMEOUT: Duration = Duration::from_secs(30);
/// How long LocalStack may take to report healthy after it was spawned
/// (about 3 s on an idle machine; the margin is for a busy one).
pub const LOCALSTACK_START_TIMEOUT: Duration = Duration::from_secs(60);

/// The services LocalStack loads: what CloudFormation needs for the
/// resources synth's stacks use.
pub const LOCALSTACK_SERVICES: &str = "cloudformation,iam,ec2,sts,s3,ssm,secretsmanager,kms,logs";

/// The workspace's root directory (the parent of this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate lives inside the workspace")
        .to_path_buf()
}

fn dir_from_env(var: &str, default: &str) -> PathBuf {
    match std::env::var_os(var).filter(|v| !v.is_empty()) {
        Some(v) => {
            let p = PathBuf::from(v);
            if p.is_absolute() {
                p
            } else {
                workspace_root().join(p)
            }
        }
        None => workspace_root().join(default),
    }
}

/// The Python virtual environment with moto and cfn-lint: `SYNTH_VENV`, or
/// `<root>/.venv` (made by `scripts/setup-python`). A relative
/// `SYNTH_VENV` is taken from the workspace root.
pub fn venv_dir() -> PathBuf {
    dir_from_env("SYNTH_VENV", ".venv")
}

/// A program in [`venv_dir`]'s `bin/`, e.g. `venv_bin("moto_server")`.
pub fn venv_bin(name: &str) -> PathBuf {
    venv_dir().join("bin").join(name)
}

/// The Python virtual environment with LocalStack: `SYNTH_LOCALSTACK_VENV`,
/// or `<root>/.venv-localstack` (made by `scripts/setup-localstack`).
pub fn localstack_venv_dir() -> PathBuf {
    dir_from_env("SYNTH_LOCALSTACK_VENV", ".venv-localstack")
}

/// A free TCP port on 127.0.0.1 (free when this returns: bind it soon).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("binding 127.0.0.1:0 to find a free port")
        .port()
}

/// Environment variables that must not reach a child `synth` from the host:
/// anything that would pick other credentials, another endpoint, region,
/// profile, retry policy or an HTTP proxy. [`configure_aws`] removes them.
pub const AWS_ENV_REMOVED: &[&str] = &[
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_DEFAULT_REGION",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_ENDPOINT_URL_CLOUDFORMATION",
    "AWS_ENDPOINT_URL_STS",
    "AWS_ENDPOINT_URL_SSO",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "AWS_USE_FIPS_ENDPOINT",
    "AWS_USE_DUALSTACK_ENDPOINT",
    "AWS_MAX_ATTEMPTS",
    "AWS_RETRY_MODE",
    "AWS_SDK_UA_APP_ID",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
];

/// The environment a child `synth` process needs to talk to `endpoint`
/// (e.g. `http://127.0.0.1:PORT`) with dummy credentials, and to nothing
/// else: no config or credentials file, no instance metadata, no proxy.
pub fn aws_env(endpoint: &str) -> Vec<(String, String)> {
    let missing = Path::new("/nonexistent/synth-tests");
    [
        ("AWS_ENDPOINT_URL", endpoint.to_string()),
        ("AWS_ACCESS_KEY_ID", "testing".to_string()),
        ("AWS_SECRET_ACCESS_KEY", "testing".to_string()),
        ("AWS_REGION", "us-east-1".to_string()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_string()),
        (
            "AWS_CONFIG_FILE",
            missing.join("aws-config").display().to_string(),
        ),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            missing.join("aws-credentials").display().to_string(),
        ),
        ("NO_PROXY", "127.0.0.1,localhost,::1".to_string()),
        ("no_proxy", "127.0.0.1,localhost,::1".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// Removes [`AWS_ENV_REMOVED`] from `cmd`'s environment and sets
/// [`aws_env`]`(endpoint)`. Set anything a test varies (`AWS_REGION`,
/// `AWS_DEFAULT_REGION`, ...) after this call.
pub fn configure_aws(cmd: &mut Command, endpoint: &str) {
    for var in AWS_ENV_REMOVED {
        cmd.env_remove(var);
    }
    cmd.envs(aws_env(endpoint));
}

/// Runs the server as `sh -c WATCHDOG sh PROGRAM ARGS...` in a process
/// group of its own. The shell starts the server, then waits for it and
/// exits with its status. A watcher subshell blocks reading the pipe on its
/// stdin, whose only writer is the test process: when the test process is
/// gone (exited without dropping the handle, as a handle in a `static`, or
/// was killed), the read ends and the watcher kills the whole group.
const WATCHDOG: &str = r#"exec 3<&0 </dev/null
"$@" 3<&- &
server=$!
( read -r _ <&3; kill -9 0 ) &
watcher=$!
exec 3<&-
wait "$server"
code=$?
kill "$watcher" 2>/dev/null
exit "$code"
"#;

/// A server process group with its output in a log file and its own
/// scratch directory; killed and reaped on drop.
struct Supervised {
    name: &'static str,
    child: Child,
    /// The write end of the watchdog's pipe; never written, only held.
    _lifeline: Option<ChildStdin>,
    log: PathBuf,
    dir: TempDir,
    killed: bool,
}

impl Supervised {
    fn spawn(
        name: &'static str,
        program: &Path,
        args: &[String],
        env: &[(String, String)],
        dir: TempDir,
    ) -> std::io::Result<Supervised> {
        let log = dir.path().join(format!("{name}.log"));
        let out = File::create(&log)?;
        let err = out.try_clone()?;
        let mut cmd = Command::new("/bin/sh");
        cmd.arg("-c")
            .arg(WATCHDOG)
            .arg("sh")
            .arg(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .current_dir(dir.path())
            .process_group(0);
        // Only what the server needs: emulators read much of their
        // configuration from the environment (LocalStack hundreds of
        // variables), so nothing of the host's may change how they behave.
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", dir.path())
            .env("LANG", "C.UTF-8");
        cmd.envs(env.iter().map(|(k, v)| (k, v)));
        let mut child = cmd.spawn()?;
        let lifeline = child.stdin.take();
        Ok(Supervised {
            name,
            child,
            _lifeline: lifeline,
            log,
            dir,
            killed: false,
        })
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// The last `lines` lines of the server's output.
    fn log_tail(&self, lines: usize) -> String {
        let Ok(mut f) = File::open(&self.log) else {
            return String::from("(no log)");
        };
        let len = f.metadata().map(|m| m.len()).unwrap_or(0);
        let from = len.saturating_sub(64 * 1024);
        let _ = f.seek(SeekFrom::Start(from));
        let mut buf = Vec::new();
        let _ = f.read_to_end(&mut buf);
        let text = String::from_utf8_lossy(&buf);
        let all: Vec<&str> = text.lines().collect();
        let tail = all[all.len().saturating_sub(lines)..].join("\n");
        if tail.trim().is_empty() {
            String::from("(no output)")
        } else {
            tail
        }
    }

    /// Polls `ready` with backoff until it says yes, the server exits, or
    /// `timeout` passes; panics with the log's tail in the last two cases.
    fn wait_ready(&mut self, timeout: Duration, mut ready: impl FnMut() -> bool) {
        let started = Instant::now();
        let mut pause = Duration::from_millis(20);
        loop {
            if ready() {
                return;
            }
            if let Some(status) = self.exited() {
                let tail = self.log_tail(40);
                self.kill();
                panic!(
                    "{} exited while starting ({status}); its last output:\n{tail}",
                    self.name
                );
            }
            if started.elapsed() >= timeout {
                let tail = self.log_tail(40);
                self.kill();
                panic!(
                    "{} did not become ready within {timeout:?}; its last output:\n{tail}",
                    self.name
                );
            }
            std::thread::sleep(pause.min(timeout.saturating_sub(started.elapsed())));
            pause = (pause * 3 / 2).min(Duration::from_millis(500));
        }
    }

    fn kill(&mut self) {
        if self.killed {
            return;
        }
        self.killed = true;
        let pgid = self.child.id() as libc::pid_t;
        // SAFETY: kill(2) with a negative pid signals that process group;
        // the group is the one this handle created (process_group(0)).
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Supervised {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Whether an HTTP server answers any request at `endpoint + path`.
fn answers(endpoint: &str, path: &str, want_ok: bool) -> bool {
    match http::get(endpoint, path) {
        Ok(resp) => !want_ok || resp.status == 200,
        Err(_) => false,
    }
}

/// A server process on a loopback port, killed with its process group on
/// drop; [`Moto`] and [`LocalStack`] dereference to it.
pub struct Server {
    name: &'static str,
    process: Supervised,
    port: u16,
    startup: Duration,
}

impl Server {
    /// `http://127.0.0.1:PORT`, for `AWS_ENDPOINT_URL`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The process id of the supervising shell (also the process group id).
    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// How long the server took from spawn until ready for tests.
    pub fn startup_time(&self) -> Duration {
        self.startup
    }

    /// The last `lines` lines of the server's output.
    pub fn log_tail(&self, lines: usize) -> String {
        self.process.log_tail(lines)
    }

    /// Every address the server's processes listen on (TCP and UDP).
    pub fn listening_addrs(&self) -> Vec<SocketAddr> {
        listening_addrs_of_group(self.pid())
    }

    /// Panics if the server listens on anything but loopback.
    pub fn assert_loopback_only(&self) {
        assert_loopback_only(self.name, &self.listening_addrs(), || self.log_tail(20));
    }
}

/// Runs `start` with a free port, again (up to three times) when it fails
/// because the port was taken between finding it free and binding it.
fn on_a_free_port<T>(start: impl Fn(u16) -> T) -> T {
    let mut last_panic = None;
    for _ in 0..3 {
        let port = free_port();
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| start(port))) {
            Ok(server) => return server,
            Err(e) => {
                if !panic_message(&e)
                    .to_lowercase()
                    .contains("address already in use")
                {
                    std::panic::resume_unwind(e);
                }
                last_panic = Some(e);
            }
        }
    }
    std::panic::resume_unwind(last_panic.expect("three attempts"))
}

/// moto's server mode (`moto_server -H 127.0.0.1 -p PORT`) from
/// [`venv_dir`]. Killed on drop.
pub struct Moto {
    server: Server,
}

impl std::ops::Deref for Moto {
    type Target = Server;
    fn deref(&self) -> &Server {
        &self.server
    }
}

impl Moto {
    /// Starts moto on a free loopback port and waits until it answers
    /// HTTP. Panics with its output if it does not within
    /// [`MOTO_START_TIMEOUT`], and with a pointer to `scripts/test` if it
    /// is not installed.
    pub fn start() -> Moto {
        let bin = venv_bin("moto_server");
        if !bin.exists() {
            panic!(
                "moto_server not found at {}: run scripts/test (or scripts/setup-python) to install the \
                 test tools into .venv, or point SYNTH_VENV at a virtual environment that has moto[server]",
                bin.display()
            );
        }
        on_a_free_port(|port| {
            let dir = tempfile::Builder::new()
                .prefix("synth-moto-")
                .tempdir()
                .expect("creating a temporary directory for moto");
            let env = vec![
                ("PYTHONUNBUFFERED".to_string(), "1".to_string()),
                ("TMPDIR".to_string(), dir.path().display().to_string()),
            ];
            let args = ["-H", "127.0.0.1", "-p", &port.to_string()].map(String::from);
            let started = Instant::now();
            let mut process = Supervised::spawn("moto_server", &bin, &args, &env, dir)
                .unwrap_or_else(|e| panic!("starting {}: {e}", bin.display()));
            let endpoint = format!("http://127.0.0.1:{port}");
            process.wait_ready(MOTO_START_TIMEOUT, || {
                answers(&endpoint, "/moto-api/", false)
            });
            Moto {
                server: Server {
                    name: "moto",
                    process,
                    port,
                    startup: started.elapsed(),
                },
            }
        })
    }

    /// Forgets every stack, change set and resource (`POST /moto-api/reset`).
    pub fn reset(&self) {
        let resp = http::post(&self.endpoint(), "/moto-api/reset", &[], b"").unwrap_or_else(|e| {
            panic!(
                "resetting moto: {e}; its last output:\n{}",
                self.log_tail(20)
            )
        });
        assert_eq!(resp.status, 200, "resetting moto: {}", resp.text());
    }
}

/// LocalStack 4.4.0 in host mode (`python -m localstack.runtime.main`, no
/// Docker) from [`localstack_venv_dir`], bound to loopback only, with its
/// own scratch directories and no DNS server, analytics or downloads.
/// The whole process group is killed on drop.
///
/// LocalStack's free edition has no reset endpoint (moto's
/// `/moto-api/reset` is not exposed either): give each test its own stack
/// names, or start another instance.
pub struct LocalStack {
    server: Server,
    healthy: Duration,
}

impl std::ops::Deref for LocalStack {
    type Target = Server;
    fn deref(&self) -> &Server {
        &self.server
    }
}

impl LocalStack {
    /// The Python of the LocalStack virtual environment.
    pub fn python() -> PathBuf {
        localstack_venv_dir().join("bin").join("python")
    }

    /// Whether LocalStack is installed in [`localstack_venv_dir`] (by
    /// `scripts/setup-localstack`).
    pub fn installed() -> bool {
        let lib = localstack_venv_dir().join("lib");
        Self::python().exists()
            && std::fs::read_dir(lib).is_ok_and(|dirs| {
                dirs.flatten().any(|d| {
                    d.path()
                        .join("site-packages/localstack/runtime/main.py")
                        .exists()
                })
            })
    }

    /// Starts LocalStack on a free loopback port and waits until
    /// `/_localstack/health` answers 200 and CloudFormation answers
    /// `DescribeStacks`. Panics with its output if it does
    /// not within [`LOCALSTACK_START_TIMEOUT`], and with a pointer to
    /// `scripts/setup-localstack` if it is not installed.
    pub fn start() -> LocalStack {
        let python = Self::python();
        if !Self::installed() {
            panic!(
                "LocalStack is not installed at {}: run scripts/setup-localstack, or point \
                 SYNTH_LOCALSTACK_VENV at a virtual environment that has localstack-core[runtime]==4.4.0",
                localstack_venv_dir().display()
            );
        }
        on_a_free_port(|port| {
            let dir = tempfile::Builder::new()
                .prefix("synth-localstack-")
                .tempdir()
                .expect("creating a temporary directory for LocalStack");
            let root = dir.path();
            for sub in ["volume", "filesystem", "tmp", "cache"] {
                std::fs::create_dir_all(root.join(sub)).expect("creating LocalStack's directories");
            }
            let listen = format!("127.0.0.1:{port}");
            let path = |p: &str| root.join(p).display().to_string();
            let env: Vec<(String, String)> = [
                ("GATEWAY_LISTEN", listen.clone()),
                // The default server (twisted) binds 0.0.0.0 whatever host
                // GATEWAY_LISTEN names; hypercorn binds what it is told.
                ("GATEWAY_SERVER", "hypercorn".to_string()),
                // URLs LocalStack hands out (queue URLs, S3 hosts) point here.
                ("LOCALSTACK_HOST", listen.clone()),
                ("SERVICES", LOCALSTACK_SERVICES.to_string()),
                ("DISABLE_EVENTS", "1".to_string()),
                ("SKIP_SSL_CERT_DOWNLOAD", "1".to_string()),
                ("SKIP_INFRA_DOWNLOADS", "1".to_string()),
                // Its DNS server would bind 0.0.0.0:53.
                ("DNS_ADDRESS", "0".to_string()),
                ("LOCALSTACK_VOLUME_DIR", path("volume")),
                // Host mode keeps state under site-packages unless told otherwise.
                ("FILESYSTEM_ROOT", path("filesystem")),
                ("TMPDIR", path("tmp")),
                // plux, its plugin loader, caches entry points in the user's cache.
                ("XDG_CACHE_HOME", path("cache")),
                ("PERSISTENCE", "0".to_string()),
                ("DEBUG", "0".to_string()),
                ("PYTHONUNBUFFERED", "1".to_string()),
                ("PYTHONDONTWRITEBYTECODE", "1".to_string()),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
            let args = ["-m", "localstack.runtime.main"].map(String::from);
            let started = Instant::now();
            let mut healthy = None;
            let mut process = Supervised::spawn("localstack", &python, &args, &env, dir)
                .unwrap_or_else(|e| panic!("starting {}: {e}", python.display()));
            let endpoint = format!("http://{listen}");
            // Healthy, then CloudFormation answers: LocalStack loads a
            // service on its first request (about a second for
            // CloudFormation), which a test's first call should not pay.
            process.wait_ready(LOCALSTACK_START_TIMEOUT, || {
                if healthy.is_none() {
                    if !answers(&endpoint, "/_localstack/health", true) {
                        return false;
                    }
                    healthy = Some(started.elapsed());
                }
                http::cfn_call(&endpoint, "DescribeStacks", &[]).is_ok_and(|r| r.status == 200)
            });
            LocalStack {
                server: Server {
                    name: "LocalStack",
                    process,
                    port,
                    startup: started.elapsed(),
                },
                healthy: healthy.unwrap_or_default(),
            }
        })
    }

    /// How long LocalStack took from spawn to a healthy
    /// `/_localstack/health` (the rest of [`startup_time`](Self::startup_time)
    /// is loading CloudFormation on the first request).
    pub fn health_time(&self) -> Duration {
        self.healthy
    }

    /// LocalStack's scratch directory for this instance.
    pub fn scratch_dir(&self) -> &Path {
        self.server.process.dir.path()
    }
}

/// The TCP and UDP sockets that processes of process group `pgid` listen
/// on (TCP in LISTEN state, UDP bound), from `/proc`.
fn listening_addrs_of_group(pgid: u32) -> Vec<SocketAddr> {
    let mut inodes = HashSet::new();
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    for entry in procs.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // pid (comm) state ppid pgrp ...; comm may contain spaces and parens.
        let Some(after) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            continue;
        };
        let pgrp = after
            .split_whitespace()
            .nth(2)
            .and_then(|s| s.parse::<u32>().ok());
        if pgrp != Some(pgid) {
            continue;
        }
        let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            if let Ok(target) = std::fs::read_link(fd.path()) {
                let t = target.to_string_lossy();
                if let Some(inode) = t
                    .strip_prefix("socket:[")
                    .and_then(|s| s.strip_suffix(']'))
                    .and_then(|s| s.parse::<u64>().ok())
                {
                    inodes.insert(inode);
                }
            }
        }
    }
    let mut out = Vec::new();
    for (table, listen_state) in [
        ("/proc/net/tcp", "0A"),
        ("/proc/net/tcp6", "0A"),
        ("/proc/net/udp", "07"),
        ("/proc/net/udp6", "07"),
    ] {
        let Ok(text) = std::fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 10 || f[3] != listen_state {
                continue;
            }
            let Ok(inode) = f[9].parse::<u64>() else {
                continue;
            };
            if !inodes.contains(&inode) {
                continue;
            }
            if let Some(addr) = parse_proc_addr(f[1]) {
                out.push(addr);
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// `0100007F:1F90` (IPv4) or 32 hex digits `:PORT` (IPv6), as in
/// `/proc/net/tcp*`: the address in 32-bit words of host byte order.
fn parse_proc_addr(s: &str) -> Option<SocketAddr> {
    let (addr, port) = s.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let words: Vec<u32> = (0..addr.len() / 8)
        .map(|i| u32::from_str_radix(&addr[i * 8..i * 8 + 8], 16))
        .collect::<Result<_, _>>()
        .ok()?;
    let ip: IpAddr = match words.as_slice() {
        [w] => Ipv4Addr::from(w.to_le_bytes()).into(),
        [a, b, c, d] => {
            let mut bytes = [0u8; 16];
            for (i, w) in [a, b, c, d].iter().enumerate() {
                bytes[i * 4..i * 4 + 4].copy_from_slice(&w.to_le_bytes());
            }
            Ipv6Addr::from(bytes).into()
        }
        _ => return None,
    };
    Some(SocketAddr::new(ip, port))
}

fn assert_loopback_only(name: &str, addrs: &[SocketAddr], log: impl FnOnce() -> String) {
    let exposed: Vec<&SocketAddr> = addrs.iter().filter(|a| !a.ip().is_loopback()).collect();
    assert!(
        exposed.is_empty(),
        "{name} listens beyond loopback on {exposed:?} (all: {addrs:?}); its last output:\n{}",
        log()
    );
}

fn panic_message(e: &Box<dyn std::any::Any + Send>) -> String {
    e.downcast_ref::<String>()
        .cloned()
        .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}
