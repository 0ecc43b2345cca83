//! Deploy, no-change redeploy and destroy of the bootstrap with the
//! `synth` binary against moto on loopback, and how much of the wall time
//! is the server's.
//!
//! Destroy is measured on `GitlabIam` (see `synth_bench::define_deletable`):
//! moto cannot delete the bootstrap's VPC.
//!
//! Method. Each operation starts from a known moto state (`/moto-api/reset`,
//! then what the operation needs deployed).
//! 1. The CLI runs against moto directly: its wall time, as a user sees it.
//! 2. The CLI runs through a timing proxy on loopback that forwards each
//!    request to moto and records the request and how long moto took to
//!    answer it (connect, send, full response): the sum is the server's
//!    time for exactly the calls the CLI made.
//! 3. A minimal client replays the requests recorded in (2), byte for byte
//!    and one after another, against a reset moto: its wall time is the
//!    floor any client making those calls pays.
//!
//! The CLI's overhead, paired: in each run of (2), its wall time minus
//! moto's time in that run: process start, reading the assembly, parsing
//! and diffing templates, AWS SDK configuration and signing, any waiting
//! between polls, and the proxy's own hop (so it errs high). Moto's answer
//! times vary a lot between runs (it is Python), which pairing cancels.
//! Cross-checks: (1) minus (3), and the CLI's CPU time (user + system).

use std::collections::BTreeMap;
use std::io::BufReader;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use synth_tests::http::{self, RawRequest};
use synth_tests::servers::{self, Moto};

use crate::measure::{self, Stats};

const ACCOUNT: &str = "GitlabAccountId=123456789012";
const EXTERNAL: &str = "GitlabExternalId=0123456789abcdef0123456789abcdef01234567";

/// One request through the timing proxy.
#[derive(Clone, Debug)]
pub struct Record {
    pub action: String,
    pub upstream: Duration,
    pub request: RawRequest,
}

/// A forwarding proxy that times the upstream's answers.
pub struct TimingProxy {
    port: u16,
    stop: Arc<AtomicBool>,
    log: Arc<Mutex<Vec<Record>>>,
    thread: Option<JoinHandle<()>>,
}

impl TimingProxy {
    pub fn start(upstream: &str) -> TimingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("binding a loopback port");
        let port = listener.local_addr().expect("its address").port();
        let stop = Arc::new(AtomicBool::new(false));
        let log: Arc<Mutex<Vec<Record>>> = Arc::default();
        let thread = {
            let (stop, log, upstream) = (stop.clone(), log.clone(), upstream.to_string());
            std::thread::spawn(move || {
                for conn in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    let _ = conn.set_nodelay(true);
                    let (log, upstream) = (log.clone(), upstream.clone());
                    std::thread::spawn(move || serve(conn, &upstream, &log));
                }
            })
        };
        TimingProxy {
            port,
            stop,
            log,
            thread: Some(thread),
        }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The requests recorded since the last call, in the order they were
    /// answered.
    pub fn take(&self) -> Vec<Record> {
        std::mem::take(&mut *self.log.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Drop for TimingProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// One request per connection, answered with `Connection: close`.
fn serve(conn: TcpStream, upstream: &str, log: &Mutex<Vec<Record>>) {
    let mut reader = BufReader::new(&conn);
    let Ok(Some(mut req)) = http::read_request(&mut reader) else {
        return;
    };
    req.headers.retain(|(k, _)| !k.eq_ignore_ascii_case("host"));
    let action = req.action().unwrap_or_else(|| "?".into());
    let start = Instant::now();
    let resp = http::send(upstream, &req);
    let upstream_time = start.elapsed();
    log.lock().unwrap_or_else(|e| e.into_inner()).push(Record {
        action,
        upstream: upstream_time,
        request: req,
    });
    match resp {
        Ok(resp) => {
            let _ = http::write_response(&mut &conn, &resp, false);
        }
        Err(_) => {
            let _ = conn.shutdown(Shutdown::Both);
            return;
        }
    }
    let _ = conn.shutdown(Shutdown::Both);
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Op {
    Deploy,
    Redeploy,
    Destroy,
}

impl Op {
    pub const ALL: [Op; 3] = [Op::Deploy, Op::Redeploy, Op::Destroy];

    pub fn label(self) -> &'static str {
        match self {
            Op::Deploy => "deploy the bootstrap (create, 35 resources)",
            Op::Redeploy => "redeploy the bootstrap, no change",
            Op::Destroy => "destroy (`GitlabIam`, 29 resources; see below)",
        }
    }

    fn args(self) -> Vec<&'static str> {
        match self {
            Op::Deploy => vec![
                "deploy",
                "--require-approval",
                "never",
                "--parameters",
                ACCOUNT,
                "--parameters",
                EXTERNAL,
            ],
            Op::Redeploy => vec!["deploy", "--require-approval", "never"],
            Op::Destroy => vec!["destroy", "--force"],
        }
    }

    /// What the CLI prints when the operation did what it should.
    fn expect(self) -> String {
        match self {
            Op::Deploy => format!("{}: deployed", stacks::STACK),
            Op::Redeploy => format!("{}: no changes", stacks::STACK),
            Op::Destroy => format!("{}: destroyed", synth_bench::DELETABLE_STACK),
        }
    }
}

/// The figures of one operation.
#[derive(Clone, Debug, Default)]
pub struct OpResult {
    /// The CLI against moto directly.
    pub cli: Stats,
    /// The CLI through the timing proxy.
    pub cli_proxied: Stats,
    /// Moto's time answering the CLI's requests (per proxied run, summed).
    pub server: Stats,
    /// The minimal client replaying the CLI's requests.
    pub replay: Stats,
    /// Per proxied run: the CLI's wall time minus moto's time.
    pub overhead: Stats,
    /// The CLI's CPU time (user + system), direct runs.
    pub cpu: Stats,
    /// The CLI's requests by action (from the first proxied run).
    pub requests: BTreeMap<String, usize>,
    pub max_rss_kib: u64,
}

impl OpResult {
    pub fn request_count(&self) -> usize {
        self.requests.values().sum()
    }

    /// CLI wall time minus the minimal client's (medians).
    pub fn direct_minus_replay(&self) -> Duration {
        self.cli.median().saturating_sub(self.replay.median())
    }
}

pub struct DeployResult {
    pub moto_startup: Duration,
    pub cycles: usize,
    pub ops: BTreeMap<Op, OpResult>,
}

struct Env<'a> {
    synth: &'a Path,
    bootstrap: &'a Path,
    deletable: &'a Path,
    work: &'a Path,
}

impl Env<'_> {
    fn run(
        &self,
        endpoint: &str,
        assembly: &Path,
        args: &[&str],
        expect: &str,
    ) -> measure::ProcRun {
        let mut cmd = Command::new(self.synth);
        cmd.current_dir(self.work)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.work)
            .env(
                "GIT_CEILING_DIRECTORIES",
                self.work.parent().unwrap_or(self.work),
            );
        servers::configure_aws(&mut cmd, endpoint);
        cmd.arg("--app")
            .arg(assembly)
            .args(["--region", "us-east-1"])
            .args(args);
        let err = self.work.join("stderr.txt");
        let run = measure::run(&mut cmd, None, Some(&err));
        let text = std::fs::read_to_string(&err).unwrap_or_default();
        if run.code != Some(0) || !text.contains(expect) {
            panic!(
                "synth {args:?} against {endpoint} did not succeed (exit {:?}):\n{text}",
                run.code
            );
        }
        run
    }

    /// Runs `op` with the command line against `endpoint`.
    fn cli(&self, endpoint: &str, op: Op) -> measure::ProcRun {
        let assembly = if op == Op::Destroy {
            self.deletable
        } else {
            self.bootstrap
        };
        self.run(endpoint, assembly, &op.args(), &op.expect())
    }

    /// Brings moto into the state `op` starts from: empty before the
    /// deploy, the bootstrap deployed before the redeploy (the deploy just
    /// ran), `GitlabIam` deployed before the destroy.
    fn prepare(&self, moto: &Moto, op: Op) {
        match op {
            Op::Deploy => moto.reset(),
            Op::Redeploy => {}
            Op::Destroy => {
                moto.reset();
                let expect = format!("{}: deployed", synth_bench::DELETABLE_STACK);
                self.run(
                    &moto.endpoint(),
                    self.deletable,
                    &["deploy", "--require-approval", "never"],
                    &expect,
                );
            }
        }
    }
}

fn replay(endpoint: &str, requests: &[Record]) -> Duration {
    let start = Instant::now();
    for r in requests {
        let resp = http::send(endpoint, &r.request)
            .unwrap_or_else(|e| panic!("replaying {} against moto: {e}", r.action));
        std::hint::black_box(resp);
    }
    start.elapsed()
}

fn write_assembly(define: impl FnOnce(&mut synth::App), dir: &Path) {
    let mut app = synth::App::new();
    define(&mut app);
    app.synth()
        .unwrap_or_else(|e| panic!("{e}"))
        .write(dir)
        .expect("writing the assembly");
}

/// Runs `cycles` timed cycles of each kind after one warm-up cycle.
/// `None` when moto is not installed (run scripts/setup-python).
pub fn run(synth: &Path, cycles: usize, scratch: &Path) -> Option<DeployResult> {
    if !servers::venv_bin("moto_server").exists() {
        return None;
    }
    let work = scratch.join("deploy");
    std::fs::create_dir_all(&work).expect("creating a scratch directory");
    let bootstrap: PathBuf = work.join("bootstrap");
    let deletable: PathBuf = work.join("deletable");
    write_assembly(
        |app| {
            stacks::define(app);
        },
        &bootstrap,
    );
    write_assembly(synth_bench::define_deletable, &deletable);
    let env = Env {
        synth,
        bootstrap: &bootstrap,
        deletable: &deletable,
        work: &work,
    };

    let moto = Moto::start();
    moto.assert_loopback_only();
    let moto_startup = moto.startup_time();
    let proxy = TimingProxy::start(&moto.endpoint());

    // Warm-up: moto imports its backends on first use.
    for op in Op::ALL {
        env.prepare(&moto, op);
        env.cli(&moto.endpoint(), op);
    }

    let mut ops: BTreeMap<Op, OpResult> = BTreeMap::new();
    let mut samples: BTreeMap<Op, [Vec<Duration>; 6]> = BTreeMap::new();
    let mut recorded: BTreeMap<Op, Vec<Record>> = BTreeMap::new();
    for _ in 0..cycles {
        for op in Op::ALL {
            env.prepare(&moto, op);
            let r = env.cli(&moto.endpoint(), op);
            samples.entry(op).or_default()[0].push(r.wall);
            samples.entry(op).or_default()[5].push(r.cpu);
            let e = ops.entry(op).or_default();
            e.max_rss_kib = e.max_rss_kib.max(r.max_rss_kib);
        }
        for op in Op::ALL {
            env.prepare(&moto, op);
            proxy.take();
            let r = env.cli(&proxy.endpoint(), op);
            let log = proxy.take();
            let s = samples.entry(op).or_default();
            let server: Duration = log.iter().map(|r| r.upstream).sum();
            s[1].push(r.wall);
            s[2].push(server);
            s[4].push(r.wall.saturating_sub(server));
            recorded.entry(op).or_insert(log);
        }
        for op in Op::ALL {
            env.prepare(&moto, op);
            let d = replay(&moto.endpoint(), &recorded[&op]);
            samples.entry(op).or_default()[3].push(d);
        }
    }
    for (op, [cli, proxied, server, replayed, overhead, cpu]) in samples {
        let e = ops.entry(op).or_default();
        e.cli = Stats::new(cli);
        e.cli_proxied = Stats::new(proxied);
        e.server = Stats::new(server);
        e.replay = Stats::new(replayed);
        e.overhead = Stats::new(overhead);
        e.cpu = Stats::new(cpu);
        for r in &recorded[&op] {
            *e.requests.entry(r.action.clone()).or_default() += 1;
        }
    }
    drop(proxy);
    drop(moto);
    Some(DeployResult {
        moto_startup,
        cycles,
        ops,
    })
}
