//! A fault-injecting HTTP proxy on loopback in front of an endpoint (moto,
//! LocalStack, a scripted server): it forwards each request on a fresh
//! upstream connection and answers with `Connection: close`, unless a fault
//! of its plan applies to the request.
//!
//! ```no_run
//! use std::time::Duration;
//! use synth_tests::proxy::{Fault, Proxy};
//! use synth_tests::servers::Moto;
//!
//! let moto = Moto::start();
//! let proxy = Proxy::start(&moto.endpoint());
//! proxy.inject(Fault::Throttle.times(2).only("DescribeStacks"));
//! proxy.inject(Fault::Drop.times(1).only("ExecuteChangeSet"));
//! proxy.inject(Fault::Delay(Duration::from_millis(200)).always());
//! // ... run synth with AWS_ENDPOINT_URL = proxy.endpoint() ...
//! assert_eq!(proxy.injected_count(), 3);
//! ```
//!
//! Rules are tried in the order they were injected; the first one that
//! matches the request (its action filter, and it has not run out) applies,
//! and uses up one of its times. A request no rule applies to is forwarded.

use std::io::BufReader;
use std::net::{Shutdown, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::http::{self, RawRequest, RawResponse};
use crate::scripted::Response;

/// A fault the proxy injects instead of (or before) forwarding a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 400 `Throttling` "Rate exceeded", as CloudFormation throttles.
    Throttle,
    /// This HTTP status with an `ErrorResponse` body (`InternalFailure` for
    /// 500, `ServiceUnavailable` for 503, ...).
    Status(u16),
    /// Read the request, then close the connection without a response.
    Drop,
    /// Read the request, then reset the connection (TCP RST).
    Reset,
    /// Wait this long, then forward the request.
    Delay(Duration),
}

impl Fault {
    /// This fault for the next `n` matching requests.
    pub fn times(self, n: usize) -> Rule {
        Rule {
            fault: self,
            times: Some(n),
            action: None,
            skip: 0,
        }
    }

    /// This fault for every matching request.
    pub fn always(self) -> Rule {
        Rule {
            fault: self,
            times: None,
            action: None,
            skip: 0,
        }
    }

    /// The response the proxy sends for a fault that answers (`Throttle`,
    /// `Status`).
    pub fn response(&self) -> Option<Response> {
        match self {
            Fault::Throttle => Some(Response::throttling()),
            Fault::Status(500) => Some(Response::internal_failure()),
            Fault::Status(503) => Some(Response::service_unavailable()),
            Fault::Status(502) => Some(Response::error(
                502,
                "BadGateway",
                "Bad gateway (injected).",
            )),
            Fault::Status(504) => Some(Response::error(
                504,
                "GatewayTimeout",
                "Gateway timeout (injected).",
            )),
            Fault::Status(s) => Some(Response::error(
                *s,
                "InjectedFault",
                &format!("HTTP {s} (injected)."),
            )),
            _ => None,
        }
    }
}

/// A fault with how often and to which requests it applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub fault: Fault,
    /// How many more requests it applies to; `None` for all.
    pub times: Option<usize>,
    /// Only requests with this Query API `Action`.
    pub action: Option<String>,
    /// Matching requests to let through before it applies.
    pub skip: usize,
}

impl Rule {
    /// Only for requests whose `Action` is `action`.
    pub fn only(mut self, action: &str) -> Rule {
        self.action = Some(action.to_string());
        self
    }

    /// Let the first `n` matching requests through, then apply.
    pub fn after(mut self, n: usize) -> Rule {
        self.skip = n;
        self
    }

    fn matches(&self, action: Option<&str>) -> bool {
        self.action.as_deref().is_none_or(|a| Some(a) == action)
    }
}

/// What happened to one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Forwarded; the upstream answered with this status.
    Forwarded(u16),
    /// A fault applied instead of forwarding (for `Delay`, see `delayed`).
    Injected(Fault),
    /// Forwarding failed (the proxy answered 502).
    UpstreamFailed(String),
}

/// One request through the proxy.
#[derive(Clone, Debug)]
pub struct Exchange {
    /// Its Query API `Action`, if it had one.
    pub action: Option<String>,
    /// When it arrived, measured from the proxy's start.
    pub at: Duration,
    /// How long a `Delay` fault held it.
    pub delayed: Duration,
    pub outcome: Outcome,
}

struct State {
    rules: Vec<Rule>,
    log: Vec<Exchange>,
    received: usize,
}

impl State {
    fn choose(&mut self, action: Option<&str>) -> Option<Fault> {
        for rule in &mut self.rules {
            if !rule.matches(action) || rule.times == Some(0) {
                continue;
            }
            if rule.skip > 0 {
                rule.skip -= 1;
                continue;
            }
            if let Some(n) = rule.times.as_mut() {
                *n -= 1;
            }
            return Some(rule.fault.clone());
        }
        None
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

/// A running proxy; stops accepting on drop.
pub struct Proxy {
    upstream: String,
    state: Arc<Mutex<State>>,
    server: http::LoopbackServer,
}

impl Proxy {
    /// Starts a proxy on a free loopback port in front of `upstream`
    /// (`http://127.0.0.1:PORT`), with no faults planned.
    pub fn start(upstream: &str) -> Proxy {
        let state = Arc::new(Mutex::new(State {
            rules: Vec::new(),
            log: Vec::new(),
            received: 0,
        }));
        let started = Instant::now();
        let server = {
            let state = state.clone();
            let upstream = upstream.to_string();
            http::LoopbackServer::start("fault-proxy", move |conn| {
                serve(conn, &state, &upstream, started)
            })
        };
        Proxy {
            upstream: upstream.to_string(),
            state,
            server,
        }
    }

    /// `http://127.0.0.1:PORT`, for `AWS_ENDPOINT_URL`.
    pub fn endpoint(&self) -> String {
        self.server.endpoint()
    }

    /// The endpoint requests are forwarded to.
    pub fn upstream(&self) -> &str {
        &self.upstream
    }

    /// Adds a rule to the fault plan (after the ones there).
    pub fn inject(&self, rule: Rule) {
        lock(&self.state).rules.push(rule);
    }

    /// Removes every rule: from now on everything is forwarded.
    pub fn clear_faults(&self) {
        lock(&self.state).rules.clear();
    }

    /// The rules as they stand (with their remaining times and skips).
    pub fn rules(&self) -> Vec<Rule> {
        lock(&self.state).rules.clone()
    }

    /// How many requests arrived (complete requests; a connection closed
    /// before sending one is not counted).
    pub fn request_count(&self) -> usize {
        lock(&self.state).received
    }

    /// How many requests reached the upstream and got its answer.
    pub fn forwarded_count(&self) -> usize {
        lock(&self.state)
            .log
            .iter()
            .filter(|e| matches!(e.outcome, Outcome::Forwarded(_)))
            .count()
    }

    /// How many faults were injected (delays included).
    pub fn injected_count(&self) -> usize {
        lock(&self.state)
            .log
            .iter()
            .filter(|e| matches!(e.outcome, Outcome::Injected(_)) || !e.delayed.is_zero())
            .count()
    }

    /// How many times this fault was injected.
    pub fn injected(&self, fault: &Fault) -> usize {
        lock(&self.state)
            .log
            .iter()
            .filter(|e| match (&e.outcome, fault) {
                (_, Fault::Delay(d)) => e.delayed == *d,
                (Outcome::Injected(f), _) => f == fault,
                _ => false,
            })
            .count()
    }

    /// How many requests for `action` arrived.
    pub fn count(&self, action: &str) -> usize {
        lock(&self.state)
            .log
            .iter()
            .filter(|e| e.action.as_deref() == Some(action))
            .count()
    }

    /// Every finished exchange, in the order they finished.
    pub fn log(&self) -> Vec<Exchange> {
        lock(&self.state).log.clone()
    }
}

fn serve(conn: TcpStream, state: &Mutex<State>, upstream: &str, started: Instant) {
    let mut reader = BufReader::new(&conn);
    let req: RawRequest = match http::read_request(&mut reader) {
        Ok(Some(r)) => r,
        Ok(None) | Err(_) => return,
    };
    let at = started.elapsed();
    let action = req.action();
    let fault = {
        let mut st = lock(state);
        st.received += 1;
        st.choose(action.as_deref())
    };
    let record = |delayed: Duration, outcome: Outcome| {
        lock(state).log.push(Exchange {
            action: action.clone(),
            at,
            delayed,
            outcome,
        });
    };
    let mut delayed = Duration::ZERO;
    match &fault {
        Some(Fault::Drop) => {
            record(delayed, Outcome::Injected(Fault::Drop));
            let _ = conn.shutdown(Shutdown::Both);
            return;
        }
        Some(Fault::Reset) => {
            record(delayed, Outcome::Injected(Fault::Reset));
            reset(&conn);
            return;
        }
        Some(f @ (Fault::Throttle | Fault::Status(_))) => {
            let resp = f.response().expect("answering fault");
            let rid = format!("00000000-0000-4000-9000-{:012x}", at.as_micros() as u64);
            let out = RawResponse {
                status: resp.status,
                reason: String::new(),
                headers: vec![
                    ("x-amzn-RequestId".into(), rid.clone()),
                    ("Content-Type".into(), "text/xml".into()),
                ],
                body: resp.render(&rid).into_bytes(),
            };
            record(delayed, Outcome::Injected(f.clone()));
            let _ = http::write_response(&mut &conn, &out, false);
            let _ = conn.shutdown(Shutdown::Both);
            return;
        }
        Some(Fault::Delay(d)) => {
            delayed = *d;
            std::thread::sleep(*d);
        }
        None => {}
    }
    match http::send(upstream, &req) {
        Ok(resp) => {
            record(delayed, Outcome::Forwarded(resp.status));
            let _ = http::write_response(&mut &conn, &resp, false);
        }
        Err(e) => {
            record(delayed, Outcome::UpstreamFailed(e.to_string()));
            let body = Response::error(
                502,
                "ProxyUpstreamError",
                &format!("forwarding to {upstream}: {e}"),
            )
            .render("proxy");
            let out = RawResponse {
                status: 502,
                reason: String::new(),
                headers: vec![("Content-Type".into(), "text/xml".into())],
                body: body.into_bytes(),
            };
            let _ = http::write_response(&mut &conn, &out, false);
        }
    }
    let _ = conn.shutdown(Shutdown::Both);
}

/// Closes `conn` with a TCP RST: SO_LINGER on with a zero timeout, then close.
fn reset(conn: &TcpStream) {
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: setsockopt on a socket this function borrows, with a pointer
    // to a properly sized linger struct that outlives the call.
    unsafe {
        libc::setsockopt(
            conn.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            &linger as *const libc::linger as *const libc::c_void,
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
    // The caller drops the last handle after this returns; the serve
    // function's `conn` goes out of scope and the kernel sends RST.
}
