//! Timing: medians over repeated runs after warm-up, of closures in this
//! process and of child processes, whose peak memory comes from `wait4`.

use std::fs::File;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A set of timings.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub samples: Vec<Duration>,
}

impl Stats {
    pub fn new(mut samples: Vec<Duration>) -> Stats {
        samples.sort();
        Stats { samples }
    }

    /// The median (the mean of the two middle samples for an even count).
    pub fn median(&self) -> Duration {
        let n = self.samples.len();
        if n == 0 {
            return Duration::ZERO;
        }
        if n % 2 == 1 {
            self.samples[n / 2]
        } else {
            (self.samples[n / 2 - 1] + self.samples[n / 2]) / 2
        }
    }

    pub fn min(&self) -> Duration {
        self.samples.first().copied().unwrap_or_default()
    }
}

/// One finished child process.
#[derive(Clone, Debug)]
pub struct ProcRun {
    pub wall: Duration,
    /// Peak resident set size in KiB: the largest of the process and every
    /// descendant it waited for (Linux `wait4` semantics).
    pub max_rss_kib: u64,
    /// User plus system CPU time of the process (and the descendants it
    /// waited for).
    pub cpu: Duration,
    /// The exit code, `None` when killed by a signal.
    pub code: Option<i32>,
}

/// Spawns `cmd` with stdout and stderr sent to `stdout` and `stderr`
/// (files) or discarded, and reaps it with `wait4` for its resource usage.
/// Wall time runs from just before `spawn` to the return of `wait4`.
pub fn run(cmd: &mut Command, stdout: Option<&Path>, stderr: Option<&Path>) -> ProcRun {
    let sink = |path: Option<&Path>| match path {
        Some(p) => Stdio::from(File::create(p).expect("creating an output file")),
        None => Stdio::null(),
    };
    cmd.stdin(Stdio::null())
        .stdout(sink(stdout))
        .stderr(sink(stderr));
    let start = Instant::now();
    let child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("starting {:?}: {e}", cmd.get_program()));
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero rusage is a valid value to be overwritten.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: waits for our own child, writing into locals that live
        // for the call. `Child` never waits itself after this (it is only
        // dropped, which does not reap).
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            break;
        }
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            panic!("wait4 on {pid}: {err}");
        }
    }
    let wall = start.elapsed();
    drop(child);
    let code = if libc::WIFEXITED(status) {
        Some(libc::WEXITSTATUS(status))
    } else {
        None
    };
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    ProcRun {
        wall,
        max_rss_kib: usage.ru_maxrss as u64,
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
        code,
    }
}

/// Repeated runs of a process.
#[derive(Clone, Debug, Default)]
pub struct ProcStats {
    pub wall: Stats,
    /// The largest peak RSS of any timed run, KiB.
    pub max_rss_kib: u64,
}

/// Runs the command `make()` builds `warmup` times untimed, then `runs`
/// times timed; panics with its stderr if a run fails.
pub fn processes(
    warmup: usize,
    runs: usize,
    scratch: &Path,
    mut make: impl FnMut() -> Command,
) -> ProcStats {
    let err = scratch.join("stderr.txt");
    let mut walls = Vec::with_capacity(runs);
    let mut rss = 0;
    for i in 0..warmup + runs {
        let mut cmd = make();
        let r = run(&mut cmd, None, Some(&err));
        if r.code != Some(0) {
            panic!(
                "{:?} {:?} failed ({:?}):\n{}",
                cmd.get_program(),
                cmd.get_args().collect::<Vec<_>>(),
                r.code,
                std::fs::read_to_string(&err).unwrap_or_default()
            );
        }
        if i >= warmup {
            walls.push(r.wall);
            rss = rss.max(r.max_rss_kib);
        }
    }
    ProcStats {
        wall: Stats::new(walls),
        max_rss_kib: rss,
    }
}

/// Milliseconds with a precision that suits the size.
pub fn ms(d: Duration) -> String {
    let v = d.as_secs_f64() * 1e3;
    if v < 1.0 {
        format!("{v:.3} ms")
    } else if v < 100.0 {
        format!("{v:.2} ms")
    } else {
        format!("{v:.0} ms")
    }
}

/// KiB as MiB.
pub fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}
