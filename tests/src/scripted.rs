//! A scripted CloudFormation server: it answers each Query API action the
//! way a test says, records every request, and runs on a free loopback port.
//! It is for what no emulator produces: a stack in `UPDATE_ROLLBACK_FAILED`,
//! a stack busy in `UPDATE_IN_PROGRESS`, throttling, an empty change set
//! exactly as AWS reports it.
//!
//! ```no_run
//! use synth_tests::scripted::{self, Response, Scripted};
//!
//! let server = Scripted::builder()
//!     // A queue: one response per request, the last one repeats.
//!     .on("DescribeStacks", scripted::busy_then_complete("app", 2))
//!     // A closure, for answers that depend on the request.
//!     .on_fn("CreateChangeSet", |req| {
//!         scripted::create_change_set("app", req.param("ChangeSetName").unwrap_or("cs"))
//!     })
//!     .on("ExecuteChangeSet", [Response::throttling(), scripted::execute_change_set()])
//!     .start();
//! let endpoint = server.endpoint(); // AWS_ENDPOINT_URL for the child synth
//! // ... run synth ...
//! assert_eq!(server.count("ExecuteChangeSet"), 2);
//! let create = &server.requests_for("CreateChangeSet")[0];
//! assert_eq!(create.param("ChangeSetType"), Some("UPDATE"));
//! ```
//!
//! Wire format (the AWS Query protocol as `aws-sdk-cloudformation` speaks
//! it): requests are `POST /` with a form-encoded body
//! `Action=...&Version=2010-05-15&...`, lists as `Name.member.N`, structures
//! in lists as `Name.member.N.Field`. Responses are
//! `<ActionResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
//! <ActionResult>...</ActionResult><ResponseMetadata><RequestId>...`, lists as
//! `<Name><member>...</member></Name>`, timestamps in ISO 8601 UTC. Errors
//! are `<ErrorResponse><Error><Type>Sender</Type><Code>..</Code>
//! <Message>..</Message></Error><RequestId>..</RequestId></ErrorResponse>`
//! with an HTTP 4xx/5xx status; the SDK reads `Code` and `Message` and
//! retries `Throttling` and the 500, 502, 503 and 504 statuses. The element
//! names below are those `aws-sdk-cloudformation` 1.x deserializes.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::BufReader;
use std::net::{Shutdown, TcpStream};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::http::{self, RawResponse};
use crate::xml::escape;

/// The XML namespace of CloudFormation's Query API responses.
pub const CFN_NAMESPACE: &str = "http://cloudformation.amazonaws.com/doc/2010-05-15/";
/// The XML namespace of STS's Query API responses.
pub const STS_NAMESPACE: &str = "https://sts.amazonaws.com/doc/2011-06-15/";
/// The account the scripted server's ARNs name.
pub const ACCOUNT: &str = "123456789012";
/// The region the scripted server's ARNs name.
pub const REGION: &str = "us-east-1";
/// The message AWS gives a change set without changes.
pub const NO_CHANGES_REASON: &str =
    "The submitted information didn't contain changes. Submit different information to create a change set.";

/// A request the scripted server received.
#[derive(Clone, Debug)]
pub struct Request {
    /// The `Action` parameter (empty if there was none).
    pub action: String,
    /// Every form parameter (query string and body), decoded, in order.
    pub params: Vec<(String, String)>,
    pub method: String,
    /// The request target (path and query).
    pub path: String,
    pub headers: Vec<(String, String)>,
    /// When it arrived, measured from the server's start.
    pub at: Duration,
}

impl Request {
    /// The value of a form parameter, e.g. `param("StackName")`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A list parameter `Name.member.1`, `Name.member.2`, ... in order,
    /// e.g. `list("Capabilities")`.
    pub fn list(&self, name: &str) -> Vec<String> {
        let prefix = format!("{name}.member.");
        let mut items: Vec<(usize, String)> = self
            .params
            .iter()
            .filter_map(|(k, v)| {
                let n = k.strip_prefix(&prefix)?.parse().ok()?;
                Some((n, v.clone()))
            })
            .collect();
        items.sort_by_key(|(n, _)| *n);
        items.into_iter().map(|(_, v)| v).collect()
    }

    /// A list of structures `Name.member.N.Field`, in order, each as its
    /// fields, e.g. `structs("Parameters")[0]["ParameterKey"]`.
    pub fn structs(&self, name: &str) -> Vec<BTreeMap<String, String>> {
        let prefix = format!("{name}.member.");
        let mut items: BTreeMap<usize, BTreeMap<String, String>> = BTreeMap::new();
        for (k, v) in &self.params {
            let Some(rest) = k.strip_prefix(&prefix) else {
                continue;
            };
            let Some((n, field)) = rest.split_once('.') else {
                continue;
            };
            let Ok(n) = n.parse::<usize>() else { continue };
            items
                .entry(n)
                .or_default()
                .insert(field.to_string(), v.clone());
        }
        items.into_values().collect()
    }

    /// A header's value (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The service the request was signed for (`cloudformation`, `sts`),
    /// from the credential scope of its `Authorization` header.
    pub fn service(&self) -> Option<&str> {
        let auth = self.header("authorization")?;
        let scope = auth.split("Credential=").nth(1)?.split([',', ' ']).next()?;
        scope.split('/').nth(3)
    }
}

/// What the body of a scripted response is.
#[derive(Clone, Debug)]
enum Body {
    /// `<{action}Response xmlns=..>[<{action}Result>{result}</..>]<ResponseMetadata>..`
    Ok {
        action: String,
        namespace: String,
        result: Option<String>,
    },
    /// `<ErrorResponse><Error><Type>..`
    Error {
        kind: &'static str,
        code: String,
        message: String,
    },
    /// Exactly these bytes.
    Raw(String),
}

/// A response the scripted server sends (or a way of not sending one).
#[derive(Clone, Debug)]
pub struct Response {
    pub status: u16,
    body: Body,
    pub headers: Vec<(String, String)>,
    /// Wait this long before answering.
    pub delay: Duration,
    /// Close the connection instead of answering.
    pub drop_connection: bool,
}

impl Response {
    fn new(status: u16, body: Body) -> Response {
        Response {
            status,
            body,
            headers: Vec::new(),
            delay: Duration::ZERO,
            drop_connection: false,
        }
    }

    /// A successful CloudFormation response: `result_xml` goes inside
    /// `<{action}Result>`; `None` leaves that element out (the API has no
    /// output for the action, e.g. `DeleteStack`).
    pub fn ok(action: &str, result_xml: Option<&str>) -> Response {
        Response::new(
            200,
            Body::Ok {
                action: action.to_string(),
                namespace: CFN_NAMESPACE.to_string(),
                result: result_xml.map(str::to_string),
            },
        )
    }

    /// A successful response in another service's namespace (e.g. STS).
    pub fn ok_in(namespace: &str, action: &str, result_xml: Option<&str>) -> Response {
        Response::new(
            200,
            Body::Ok {
                action: action.to_string(),
                namespace: namespace.to_string(),
                result: result_xml.map(str::to_string),
            },
        )
    }

    /// An error response: `<Type>` is `Sender` for 4xx, `Receiver` for 5xx.
    pub fn error(status: u16, code: &str, message: &str) -> Response {
        Response::new(
            status,
            Body::Error {
                kind: if status >= 500 { "Receiver" } else { "Sender" },
                code: code.to_string(),
                message: message.to_string(),
            },
        )
    }

    /// HTTP 400 `ValidationError`, CloudFormation's error for most bad
    /// requests and states (a missing stack, a stack in the wrong state).
    pub fn validation_error(message: &str) -> Response {
        Response::error(400, "ValidationError", message)
    }

    /// HTTP 400 `Throttling`, "Rate exceeded", as CloudFormation throttles.
    pub fn throttling() -> Response {
        Response::error(400, "Throttling", "Rate exceeded")
    }

    /// HTTP 500 `InternalFailure`.
    pub fn internal_failure() -> Response {
        Response::error(
            500,
            "InternalFailure",
            "The request processing has failed because of an unknown error, exception or failure.",
        )
    }

    /// HTTP 503 `ServiceUnavailable`.
    pub fn service_unavailable() -> Response {
        Response::error(
            503,
            "ServiceUnavailable",
            "Service is unavailable, please try again later.",
        )
    }

    /// Any status with exactly this body (`text/xml`).
    pub fn raw(status: u16, body: &str) -> Response {
        Response::new(status, Body::Raw(body.to_string()))
    }

    /// Closes the connection without answering.
    pub fn drop_connection() -> Response {
        let mut r = Response::raw(0, "");
        r.drop_connection = true;
        r
    }

    /// The same response, sent after `delay`.
    pub fn delayed(mut self, delay: Duration) -> Response {
        self.delay = delay;
        self
    }

    /// The same response with an extra header.
    pub fn with_header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// The error code, for an error response.
    pub fn error_code(&self) -> Option<&str> {
        match &self.body {
            Body::Error { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The body as it would be sent with this request id.
    pub fn render(&self, request_id: &str) -> String {
        let rid = escape(request_id);
        match &self.body {
            Body::Ok {
                action,
                namespace,
                result,
            } => {
                let result = match result {
                    Some(r) => format!("<{action}Result>{r}</{action}Result>"),
                    None => String::new(),
                };
                format!(
                    "<{action}Response xmlns=\"{namespace}\">{result}\
                     <ResponseMetadata><RequestId>{rid}</RequestId></ResponseMetadata>\
                     </{action}Response>\n"
                )
            }
            Body::Error {
                kind,
                code,
                message,
            } => format!(
                "<ErrorResponse xmlns=\"{CFN_NAMESPACE}\"><Error><Type>{kind}</Type>\
                 <Code>{}</Code><Message>{}</Message></Error>\
                 <RequestId>{rid}</RequestId></ErrorResponse>\n",
                escape(code),
                escape(message)
            ),
            Body::Raw(s) => s.clone(),
        }
    }
}

type Handler = Box<dyn FnMut(&Request) -> Response + Send>;

enum Script {
    /// One response per request; the last one repeats.
    Queue(VecDeque<Response>),
    Handler(Handler),
}

struct State {
    scripts: HashMap<String, Script>,
    fallback: Option<Handler>,
    requests: Vec<Request>,
    answered: u64,
    /// Messages of script closures that panicked.
    panics: Vec<String>,
}

impl State {
    fn respond(&mut self, req: &Request) -> Response {
        match self.scripts.get_mut(&req.action) {
            Some(Script::Queue(q)) if q.len() > 1 => q.pop_front().expect("non-empty"),
            Some(Script::Queue(q)) if q.len() == 1 => q[0].clone(),
            Some(Script::Handler(f)) => f(req),
            _ => match self.fallback.as_mut() {
                Some(f) => f(req),
                None => unscripted(req),
            },
        }
    }
}

/// The answer to an action nobody scripted: HTTP 400 `UnscriptedAction`,
/// which the SDK does not retry, naming the action.
pub fn unscripted(req: &Request) -> Response {
    let what = if req.action.is_empty() {
        format!("{} {} (no Action parameter)", req.method, req.path)
    } else {
        req.action.clone()
    };
    Response::error(
        400,
        "UnscriptedAction",
        &format!("the scripted CloudFormation server has no response for {what}"),
    )
}

/// Sets up a [`Scripted`] server: `.on(...)`/`.on_fn(...)` per action,
/// then `.start()`.
pub struct ScriptedBuilder {
    scripts: HashMap<String, Script>,
    fallback: Option<Handler>,
}

impl ScriptedBuilder {
    /// Answers `action` with these responses in order, one per request;
    /// the last one repeats for every later request (so a polling loop
    /// settles on it).
    pub fn on(mut self, action: &str, responses: impl IntoIterator<Item = Response>) -> Self {
        let q: VecDeque<Response> = responses.into_iter().collect();
        assert!(!q.is_empty(), "scripting {action} with no responses");
        self.scripts.insert(action.to_string(), Script::Queue(q));
        self
    }

    /// Answers `action` with whatever `f` returns for the request.
    pub fn on_fn(
        mut self,
        action: &str,
        f: impl FnMut(&Request) -> Response + Send + 'static,
    ) -> Self {
        self.scripts
            .insert(action.to_string(), Script::Handler(Box::new(f)));
        self
    }

    /// Answers every action that has no script with `f` (instead of
    /// [`unscripted`]).
    pub fn fallback(mut self, f: impl FnMut(&Request) -> Response + Send + 'static) -> Self {
        self.fallback = Some(Box::new(f));
        self
    }

    /// Starts serving on a free loopback port.
    pub fn start(self) -> Scripted {
        let state = Arc::new(Mutex::new(State {
            scripts: self.scripts,
            fallback: self.fallback,
            requests: Vec::new(),
            answered: 0,
            panics: Vec::new(),
        }));
        let started = Instant::now();
        let server = {
            let state = state.clone();
            http::LoopbackServer::start("scripted-cfn", move |conn| serve(conn, &state, started))
        };
        Scripted { state, server }
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    // A handler that panicked poisons the lock; the state is still usable.
    state.lock().unwrap_or_else(|e| e.into_inner())
}

fn serve(conn: TcpStream, state: &Mutex<State>, started: Instant) {
    let mut reader = BufReader::new(&conn);
    while let Ok(Some(raw)) = http::read_request(&mut reader) {
        let keep_alive = !raw.wants_close();
        let params = raw.form();
        let req = Request {
            action: params
                .iter()
                .find(|(k, _)| k == "Action")
                .map(|(_, v)| v.clone())
                .unwrap_or_default(),
            params,
            method: raw.method.clone(),
            path: raw.target.clone(),
            headers: raw.headers.clone(),
            at: started.elapsed(),
        };
        let (resp, request_id) = {
            let mut st = lock(state);
            st.requests.push(req.clone());
            st.answered += 1;
            let id = format!("00000000-0000-4000-8000-{:012x}", st.answered);
            // The handler runs under the lock: requests are answered one at
            // a time, in arrival order.
            let resp =
                match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| st.respond(&req))) {
                    Ok(r) => r,
                    Err(e) => {
                        let msg = e
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                            .unwrap_or_default();
                        let msg = format!("the script for {} panicked: {msg}", req.action);
                        st.panics.push(msg.clone());
                        // 400: the SDK does not retry it.
                        Response::error(400, "ScriptPanicked", &msg)
                    }
                };
            (resp, id)
        };
        if !resp.delay.is_zero() {
            std::thread::sleep(resp.delay);
        }
        if resp.drop_connection {
            let _ = conn.shutdown(Shutdown::Both);
            return;
        }
        let mut headers = vec![
            ("x-amzn-RequestId".to_string(), request_id.clone()),
            ("Content-Type".to_string(), "text/xml".to_string()),
            (
                "Date".to_string(),
                "Mon, 01 Jan 2024 00:00:00 GMT".to_string(),
            ),
        ];
        headers.extend(resp.headers.iter().cloned());
        let out = RawResponse {
            status: resp.status,
            reason: String::new(),
            headers,
            body: resp.render(&request_id).into_bytes(),
        };
        if http::write_response(&mut &conn, &out, keep_alive).is_err() || !keep_alive {
            break;
        }
    }
    let _ = conn.shutdown(Shutdown::Both);
}

/// A running scripted CloudFormation server; stops accepting on drop.
pub struct Scripted {
    state: Arc<Mutex<State>>,
    server: http::LoopbackServer,
}

impl Scripted {
    pub fn builder() -> ScriptedBuilder {
        ScriptedBuilder {
            scripts: HashMap::new(),
            fallback: None,
        }
    }

    /// `http://127.0.0.1:PORT`, for `AWS_ENDPOINT_URL`.
    pub fn endpoint(&self) -> String {
        self.server.endpoint()
    }

    /// Replaces the script of `action` while running (see
    /// [`ScriptedBuilder::on`]).
    pub fn set(&self, action: &str, responses: impl IntoIterator<Item = Response>) {
        let q: VecDeque<Response> = responses.into_iter().collect();
        assert!(!q.is_empty(), "scripting {action} with no responses");
        lock(&self.state)
            .scripts
            .insert(action.to_string(), Script::Queue(q));
    }

    /// Replaces the script of `action` with a closure while running.
    pub fn set_fn(&self, action: &str, f: impl FnMut(&Request) -> Response + Send + 'static) {
        lock(&self.state)
            .scripts
            .insert(action.to_string(), Script::Handler(Box::new(f)));
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        lock(&self.state).requests.clone()
    }

    /// The requests for one action, in arrival order.
    pub fn requests_for(&self, action: &str) -> Vec<Request> {
        lock(&self.state)
            .requests
            .iter()
            .filter(|r| r.action == action)
            .cloned()
            .collect()
    }

    /// How many requests for `action` arrived.
    pub fn count(&self, action: &str) -> usize {
        lock(&self.state)
            .requests
            .iter()
            .filter(|r| r.action == action)
            .count()
    }

    /// The actions received, in arrival order (one entry per request).
    pub fn actions(&self) -> Vec<String> {
        lock(&self.state)
            .requests
            .iter()
            .map(|r| r.action.clone())
            .collect()
    }

    /// Forgets the requests recorded so far.
    pub fn clear_requests(&self) {
        lock(&self.state).requests.clear();
    }

    /// Panics if a script closure panicked (an assertion inside it failed).
    /// The server answered that request with HTTP 400 `ScriptPanicked`;
    /// dropping the server checks this too.
    pub fn assert_no_script_panics(&self) {
        let panics = lock(&self.state).panics.clone();
        assert!(panics.is_empty(), "{}", panics.join("\n"));
    }
}

impl Drop for Scripted {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.assert_no_script_panics();
        }
    }
}

// ---------------------------------------------------------------------------
// Identifiers and timestamps: deterministic, derived from names.

fn fnv(s: &str, seed: u64) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ seed;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// A UUID-shaped id derived from `name` (the same name, the same id).
pub fn uuid_for(name: &str) -> String {
    let a = fnv(name, 1);
    let b = fnv(name, 2);
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        (b >> 48) & 0xfff,
        b & 0xffff_ffff_ffff
    )
}

/// The stack ARN the scripted server uses for a stack name.
pub fn stack_id(stack: &str) -> String {
    format!(
        "arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{stack}/{}",
        uuid_for(&format!("stack/{stack}"))
    )
}

/// The change set ARN the scripted server uses for a change set name.
pub fn change_set_id(stack: &str, change_set: &str) -> String {
    format!(
        "arn:aws:cloudformation:{REGION}:{ACCOUNT}:changeSet/{change_set}/{}",
        uuid_for(&format!("changeSet/{stack}/{change_set}"))
    )
}

/// `2024-01-01T00:00:00.000Z` plus `secs` seconds (under a day), the
/// timestamp format CloudFormation sends.
pub fn timestamp(secs: u64) -> String {
    let secs = secs % 86_400;
    format!(
        "2024-01-01T{:02}:{:02}:{:02}.000Z",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

fn el(name: &str, text: &str) -> String {
    format!("<{name}>{}</{name}>", escape(text))
}

fn opt_el(name: &str, text: &Option<String>) -> String {
    text.as_deref().map(|t| el(name, t)).unwrap_or_default()
}

fn members(name: &str, items: &[String]) -> String {
    if items.is_empty() {
        return String::new();
    }
    let inner: String = items
        .iter()
        .map(|i| format!("<member>{i}</member>"))
        .collect();
    format!("<{name}>{inner}</{name}>")
}

fn text_members(name: &str, items: &[String]) -> String {
    members(name, &items.iter().map(|i| escape(i)).collect::<Vec<_>>())
}

fn parameters_xml(params: &[(String, String)]) -> String {
    members(
        "Parameters",
        &params
            .iter()
            .map(|(k, v)| el("ParameterKey", k) + &el("ParameterValue", v))
            .collect::<Vec<_>>(),
    )
}

fn tags_xml(tags: &[(String, String)]) -> String {
    members(
        "Tags",
        &tags
            .iter()
            .map(|(k, v)| el("Key", k) + &el("Value", v))
            .collect::<Vec<_>>(),
    )
}

// ---------------------------------------------------------------------------
// Stacks.

/// A stack output.
#[derive(Clone, Debug, Default)]
pub struct Output {
    pub key: String,
    pub value: String,
    pub description: Option<String>,
    pub export_name: Option<String>,
}

/// A stack as `DescribeStacks` describes it. Build with [`Stack::new`] and
/// the `with_*` methods; every id and time is derived from the name.
#[derive(Clone, Debug)]
pub struct Stack {
    pub name: String,
    pub id: String,
    pub status: String,
    pub status_reason: Option<String>,
    pub description: Option<String>,
    pub change_set_id: Option<String>,
    pub creation_time: String,
    pub last_updated_time: Option<String>,
    pub parameters: Vec<(String, String)>,
    pub outputs: Vec<Output>,
    pub capabilities: Vec<String>,
    pub tags: Vec<(String, String)>,
    pub termination_protection: bool,
}

impl Stack {
    /// A stack named `name` in `status` (e.g. `"CREATE_COMPLETE"`).
    pub fn new(name: &str, status: &str) -> Stack {
        Stack {
            name: name.to_string(),
            id: stack_id(name),
            status: status.to_string(),
            status_reason: None,
            description: None,
            change_set_id: None,
            creation_time: timestamp(0),
            last_updated_time: None,
            parameters: Vec::new(),
            outputs: Vec::new(),
            capabilities: Vec::new(),
            tags: Vec::new(),
            termination_protection: false,
        }
    }

    pub fn with_reason(mut self, reason: &str) -> Stack {
        self.status_reason = Some(reason.to_string());
        self
    }

    pub fn with_description(mut self, description: &str) -> Stack {
        self.description = Some(description.to_string());
        self
    }

    pub fn with_change_set(mut self, change_set_id: &str) -> Stack {
        self.change_set_id = Some(change_set_id.to_string());
        self
    }

    pub fn with_last_updated(mut self, secs: u64) -> Stack {
        self.last_updated_time = Some(timestamp(secs));
        self
    }

    pub fn with_parameter(mut self, key: &str, value: &str) -> Stack {
        self.parameters.push((key.to_string(), value.to_string()));
        self
    }

    pub fn with_output(mut self, key: &str, value: &str) -> Stack {
        self.outputs.push(Output {
            key: key.to_string(),
            value: value.to_string(),
            ..Default::default()
        });
        self
    }

    /// An output exported under `export_name`.
    pub fn with_export(mut self, key: &str, value: &str, export_name: &str) -> Stack {
        self.outputs.push(Output {
            key: key.to_string(),
            value: value.to_string(),
            description: None,
            export_name: Some(export_name.to_string()),
        });
        self
    }

    pub fn with_capability(mut self, capability: &str) -> Stack {
        self.capabilities.push(capability.to_string());
        self
    }

    pub fn with_tag(mut self, key: &str, value: &str) -> Stack {
        self.tags.push((key.to_string(), value.to_string()));
        self
    }

    pub fn with_termination_protection(mut self) -> Stack {
        self.termination_protection = true;
        self
    }

    /// The `<member>` content of `DescribeStacks`'s `Stacks`.
    pub fn to_xml(&self) -> String {
        let outputs = members(
            "Outputs",
            &self
                .outputs
                .iter()
                .map(|o| {
                    el("OutputKey", &o.key)
                        + &el("OutputValue", &o.value)
                        + &opt_el("Description", &o.description)
                        + &opt_el("ExportName", &o.export_name)
                })
                .collect::<Vec<_>>(),
        );
        [
            el("StackId", &self.id),
            el("StackName", &self.name),
            opt_el("ChangeSetId", &self.change_set_id),
            opt_el("Description", &self.description),
            parameters_xml(&self.parameters),
            el("CreationTime", &self.creation_time),
            opt_el("LastUpdatedTime", &self.last_updated_time),
            el("StackStatus", &self.status),
            opt_el("StackStatusReason", &self.status_reason),
            el("DisableRollback", "false"),
            text_members("Capabilities", &self.capabilities),
            outputs,
            tags_xml(&self.tags),
            el(
                "EnableTerminationProtection",
                if self.termination_protection {
                    "true"
                } else {
                    "false"
                },
            ),
            "<DriftInformation><StackDriftStatus>NOT_CHECKED</StackDriftStatus></DriftInformation>"
                .to_string(),
        ]
        .concat()
    }
}

/// `DescribeStacks` answering with these stacks.
pub fn describe_stacks(stacks: &[Stack]) -> Response {
    let inner: Vec<String> = stacks.iter().map(Stack::to_xml).collect();
    let list = if inner.is_empty() {
        "<Stacks/>".to_string()
    } else {
        members("Stacks", &inner)
    };
    Response::ok("DescribeStacks", Some(&list))
}

/// `DescribeStacks` answering with one stack named `name` in `status`.
pub fn stack_in(name: &str, status: &str) -> Response {
    describe_stacks(&[Stack::new(name, status)])
}

/// HTTP 400 `ValidationError` "Stack with id NAME does not exist", what
/// `DescribeStacks` (and most stack calls) answer for a missing stack.
pub fn stack_does_not_exist(name: &str) -> Response {
    Response::validation_error(&format!("Stack with id {name} does not exist"))
}

/// A stack whose update failed and whose rollback failed too: it takes no
/// update until `ContinueUpdateRollback` succeeds.
pub fn update_rollback_failed(name: &str) -> Response {
    describe_stacks(&[Stack::new(name, "UPDATE_ROLLBACK_FAILED")
        .with_last_updated(60)
        .with_reason(
            "The following resource(s) failed to update: [ProvisionRole]. \
             The following resource(s) failed to roll back: [ProvisionRole].",
        )])
}

/// A stack busy updating for `busy_polls` `DescribeStacks` calls, then
/// `UPDATE_COMPLETE` (for a queue: `.on("DescribeStacks", ...)`).
pub fn busy_then_complete(name: &str, busy_polls: usize) -> Vec<Response> {
    let busy = describe_stacks(&[Stack::new(name, "UPDATE_IN_PROGRESS")
        .with_last_updated(60)
        .with_reason("User Initiated")]);
    let mut out = vec![busy; busy_polls];
    out.push(describe_stacks(&[
        Stack::new(name, "UPDATE_COMPLETE").with_last_updated(60)
    ]));
    out
}

/// A stack that a `CREATE` change set made and that was never executed:
/// it has no resources and takes another `CREATE` change set.
pub fn review_in_progress(name: &str) -> Response {
    describe_stacks(&[Stack::new(name, "REVIEW_IN_PROGRESS").with_reason("User Initiated")])
}

/// A stack whose creation failed and rolled back: it can only be deleted.
pub fn rollback_complete(name: &str) -> Response {
    describe_stacks(&[Stack::new(name, "ROLLBACK_COMPLETE")
        .with_last_updated(30)
        .with_reason(
            "The following resource(s) failed to create: [Vpc]. Rollback requested by user.",
        )])
}

/// `CreateStack`'s answer.
pub fn create_stack(name: &str) -> Response {
    Response::ok("CreateStack", Some(&el("StackId", &stack_id(name))))
}

/// `UpdateStack`'s answer.
pub fn update_stack(name: &str) -> Response {
    Response::ok("UpdateStack", Some(&el("StackId", &stack_id(name))))
}

/// `DeleteStack`'s answer (it has no output).
pub fn delete_stack() -> Response {
    Response::ok("DeleteStack", None)
}

/// `ContinueUpdateRollback`'s answer (an empty result).
pub fn continue_update_rollback() -> Response {
    Response::ok("ContinueUpdateRollback", Some(""))
}

/// `GetTemplate` answering with this template body (JSON or YAML text).
pub fn get_template(body: &str) -> Response {
    Response::ok(
        "GetTemplate",
        Some(&(el("TemplateBody", body)
            + "<StagesAvailable><member>Original</member><member>Processed</member></StagesAvailable>")),
    )
}

/// `ListImports`' answer: the stacks importing an export.
pub fn list_imports(stacks: &[&str]) -> Response {
    let members: String = stacks.iter().map(|s| el("member", s)).collect();
    Response::ok(
        "ListImports",
        Some(&format!("<Imports>{members}</Imports>")),
    )
}

/// `ListImports` for an export nothing imports: AWS answers with this
/// ValidationError rather than an empty list.
pub fn export_not_imported(export: &str) -> Response {
    Response::validation_error(&format!("Export '{export}' is not imported by any stack."))
}

// ---------------------------------------------------------------------------
// Events.

/// A stack event as `DescribeStackEvents` describes it.
#[derive(Clone, Debug)]
pub struct StackEvent {
    pub stack_name: String,
    pub logical_id: String,
    pub physical_id: Option<String>,
    pub resource_type: String,
    pub status: String,
    pub reason: Option<String>,
    /// Seconds after the stack's creation time.
    pub at: u64,
    pub client_request_token: Option<String>,
}

impl StackEvent {
    /// An event of a resource (`logical_id`, `resource_type`) in `status`.
    pub fn resource(
        stack: &str,
        logical_id: &str,
        resource_type: &str,
        status: &str,
        at: u64,
    ) -> StackEvent {
        StackEvent {
            stack_name: stack.to_string(),
            logical_id: logical_id.to_string(),
            physical_id: None,
            resource_type: resource_type.to_string(),
            status: status.to_string(),
            reason: None,
            at,
            client_request_token: None,
        }
    }

    /// An event of the stack itself (`AWS::CloudFormation::Stack`).
    pub fn stack(stack: &str, status: &str, at: u64) -> StackEvent {
        StackEvent {
            physical_id: Some(stack_id(stack)),
            ..StackEvent::resource(stack, stack, "AWS::CloudFormation::Stack", status, at)
        }
    }

    pub fn with_physical_id(mut self, id: &str) -> StackEvent {
        self.physical_id = Some(id.to_string());
        self
    }

    pub fn with_reason(mut self, reason: &str) -> StackEvent {
        self.reason = Some(reason.to_string());
        self
    }

    pub fn with_token(mut self, token: &str) -> StackEvent {
        self.client_request_token = Some(token.to_string());
        self
    }

    /// The event's id: `LOGICAL-STATUS-TIMESTAMP` for resources (as AWS
    /// forms them), a derived UUID for the stack's own events.
    pub fn event_id(&self) -> String {
        if self.resource_type == "AWS::CloudFormation::Stack" && self.logical_id == self.stack_name
        {
            uuid_for(&format!(
                "event/{}/{}/{}",
                self.stack_name, self.status, self.at
            ))
        } else {
            format!("{}-{}-{}", self.logical_id, self.status, timestamp(self.at))
        }
    }

    /// The `<member>` content of `DescribeStackEvents`'s `StackEvents`.
    pub fn to_xml(&self) -> String {
        [
            el("StackId", &stack_id(&self.stack_name)),
            el("EventId", &self.event_id()),
            el("StackName", &self.stack_name),
            el("LogicalResourceId", &self.logical_id),
            el(
                "PhysicalResourceId",
                self.physical_id.as_deref().unwrap_or(""),
            ),
            el("ResourceType", &self.resource_type),
            el("Timestamp", &timestamp(self.at)),
            el("ResourceStatus", &self.status),
            opt_el("ResourceStatusReason", &self.reason),
            opt_el("ClientRequestToken", &self.client_request_token),
        ]
        .concat()
    }
}

/// `DescribeStackEvents` answering with these events, newest first as AWS
/// orders them (sorted here by `at`, descending; ties keep their order).
pub fn describe_stack_events(events: &[StackEvent]) -> Response {
    let mut sorted: Vec<&StackEvent> = events.iter().collect();
    sorted.sort_by_key(|e| std::cmp::Reverse(e.at));
    let inner: Vec<String> = sorted.iter().map(|e| e.to_xml()).collect();
    let list = if inner.is_empty() {
        "<StackEvents/>".to_string()
    } else {
        members("StackEvents", &inner)
    };
    Response::ok("DescribeStackEvents", Some(&list))
}

// ---------------------------------------------------------------------------
// Change sets.

/// `CreateChangeSet`'s answer: the change set's and the stack's ARNs.
pub fn create_change_set(stack: &str, change_set: &str) -> Response {
    Response::ok(
        "CreateChangeSet",
        Some(&(el("Id", &change_set_id(stack, change_set)) + &el("StackId", &stack_id(stack)))),
    )
}

/// `ExecuteChangeSet`'s answer (an empty result).
pub fn execute_change_set() -> Response {
    Response::ok("ExecuteChangeSet", Some(""))
}

/// `DeleteChangeSet`'s answer (an empty result).
pub fn delete_change_set() -> Response {
    Response::ok("DeleteChangeSet", Some(""))
}

/// HTTP 404 `ChangeSetNotFound`, as AWS answers for a missing change set.
pub fn change_set_not_found(change_set: &str) -> Response {
    Response::error(
        404,
        "ChangeSetNotFound",
        &format!("ChangeSet [{change_set}] does not exist"),
    )
}

/// One property-level detail of a resource change.
#[derive(Clone, Debug)]
pub struct ChangeDetail {
    /// `Properties`, `Metadata`, `Tags`, ...
    pub attribute: String,
    /// The property's name (for `Properties`).
    pub name: Option<String>,
    /// `Never`, `Conditionally` or `Always`.
    pub requires_recreation: String,
    /// `Static` or `Dynamic`.
    pub evaluation: String,
    /// `DirectModification`, `ResourceReference`, `ParameterReference`, ...
    pub change_source: String,
    pub causing_entity: Option<String>,
}

impl ChangeDetail {
    /// A direct, static modification of property `name`.
    pub fn property(name: &str, requires_recreation: &str) -> ChangeDetail {
        ChangeDetail {
            attribute: "Properties".to_string(),
            name: Some(name.to_string()),
            requires_recreation: requires_recreation.to_string(),
            evaluation: "Static".to_string(),
            change_source: "DirectModification".to_string(),
            causing_entity: None,
        }
    }

    fn to_xml(&self) -> String {
        let target = el("Attribute", &self.attribute)
            + &opt_el("Name", &self.name)
            + &el("RequiresRecreation", &self.requires_recreation);
        format!("<Target>{target}</Target>")
            + &el("Evaluation", &self.evaluation)
            + &el("ChangeSource", &self.change_source)
            + &opt_el("CausingEntity", &self.causing_entity)
    }
}

/// One resource change of a change set.
#[derive(Clone, Debug)]
pub struct ResourceChange {
    /// `Add`, `Modify`, `Remove`, `Import`, `Dynamic`.
    pub action: String,
    pub logical_id: String,
    pub physical_id: Option<String>,
    pub resource_type: String,
    /// `True`, `False` or `Conditional`, for `Modify`.
    pub replacement: Option<String>,
    /// `Properties`, `Metadata`, `Tags`, ... for `Modify`.
    pub scope: Vec<String>,
    pub details: Vec<ChangeDetail>,
}

impl ResourceChange {
    pub fn add(logical_id: &str, resource_type: &str) -> ResourceChange {
        ResourceChange {
            action: "Add".to_string(),
            logical_id: logical_id.to_string(),
            physical_id: None,
            resource_type: resource_type.to_string(),
            replacement: None,
            scope: Vec::new(),
            details: Vec::new(),
        }
    }

    /// A modification of the resource's properties; `replacement` is
    /// `True`, `False` or `Conditional`.
    pub fn modify(
        logical_id: &str,
        physical_id: &str,
        resource_type: &str,
        replacement: &str,
    ) -> ResourceChange {
        ResourceChange {
            action: "Modify".to_string(),
            physical_id: Some(physical_id.to_string()),
            replacement: Some(replacement.to_string()),
            scope: vec!["Properties".to_string()],
            ..ResourceChange::add(logical_id, resource_type)
        }
    }

    pub fn remove(logical_id: &str, physical_id: &str, resource_type: &str) -> ResourceChange {
        ResourceChange {
            action: "Remove".to_string(),
            physical_id: Some(physical_id.to_string()),
            ..ResourceChange::add(logical_id, resource_type)
        }
    }

    pub fn with_detail(mut self, detail: ChangeDetail) -> ResourceChange {
        self.details.push(detail);
        self
    }

    /// The `<member>` content of `DescribeChangeSet`'s `Changes`.
    pub fn to_xml(&self) -> String {
        let details: Vec<String> = self.details.iter().map(ChangeDetail::to_xml).collect();
        let rc = [
            el("Action", &self.action),
            el("LogicalResourceId", &self.logical_id),
            opt_el("PhysicalResourceId", &self.physical_id),
            el("ResourceType", &self.resource_type),
            opt_el("Replacement", &self.replacement),
            text_members("Scope", &self.scope),
            members("Details", &details),
        ]
        .concat();
        format!("<Type>Resource</Type><ResourceChange>{rc}</ResourceChange>")
    }
}

/// A change set as `DescribeChangeSet` describes it.
#[derive(Clone, Debug)]
pub struct ChangeSet {
    pub name: String,
    pub id: String,
    pub stack_name: String,
    pub stack_id: String,
    pub description: Option<String>,
    /// `CREATE_PENDING`, `CREATE_IN_PROGRESS`, `CREATE_COMPLETE`,
    /// `DELETE_*`, `FAILED`.
    pub status: String,
    pub status_reason: Option<String>,
    /// `UNAVAILABLE`, `AVAILABLE`, `EXECUTE_IN_PROGRESS`,
    /// `EXECUTE_COMPLETE`, `EXECUTE_FAILED`, `OBSOLETE`.
    pub execution_status: String,
    pub parameters: Vec<(String, String)>,
    pub capabilities: Vec<String>,
    pub tags: Vec<(String, String)>,
    pub changes: Vec<ResourceChange>,
    pub creation_time: String,
}

impl ChangeSet {
    /// A change set `change_set` of `stack` that is ready to execute
    /// (`CREATE_COMPLETE`, `AVAILABLE`) with no changes yet.
    pub fn new(stack: &str, change_set: &str) -> ChangeSet {
        ChangeSet {
            name: change_set.to_string(),
            id: change_set_id(stack, change_set),
            stack_name: stack.to_string(),
            stack_id: stack_id(stack),
            description: None,
            status: "CREATE_COMPLETE".to_string(),
            status_reason: None,
            execution_status: "AVAILABLE".to_string(),
            parameters: Vec::new(),
            capabilities: Vec::new(),
            tags: Vec::new(),
            changes: Vec::new(),
            creation_time: timestamp(120),
        }
    }

    pub fn with_status(mut self, status: &str, execution_status: &str) -> ChangeSet {
        self.status = status.to_string();
        self.execution_status = execution_status.to_string();
        self
    }

    pub fn with_reason(mut self, reason: &str) -> ChangeSet {
        self.status_reason = Some(reason.to_string());
        self
    }

    pub fn with_change(mut self, change: ResourceChange) -> ChangeSet {
        self.changes.push(change);
        self
    }

    pub fn with_parameter(mut self, key: &str, value: &str) -> ChangeSet {
        self.parameters.push((key.to_string(), value.to_string()));
        self
    }

    pub fn with_capability(mut self, capability: &str) -> ChangeSet {
        self.capabilities.push(capability.to_string());
        self
    }

    pub fn with_tag(mut self, key: &str, value: &str) -> ChangeSet {
        self.tags.push((key.to_string(), value.to_string()));
        self
    }

    pub fn with_description(mut self, description: &str) -> ChangeSet {
        self.description = Some(description.to_string());
        self
    }

    /// The content of `DescribeChangeSetResult`.
    pub fn to_xml(&self) -> String {
        let changes: Vec<String> = self.changes.iter().map(ResourceChange::to_xml).collect();
        [
            el("ChangeSetName", &self.name),
            el("ChangeSetId", &self.id),
            el("StackId", &self.stack_id),
            el("StackName", &self.stack_name),
            opt_el("Description", &self.description),
            parameters_xml(&self.parameters),
            el("CreationTime", &self.creation_time),
            el("ExecutionStatus", &self.execution_status),
            el("Status", &self.status),
            opt_el("StatusReason", &self.status_reason),
            text_members("Capabilities", &self.capabilities),
            tags_xml(&self.tags),
            if changes.is_empty() {
                "<Changes/>".to_string()
            } else {
                members("Changes", &changes)
            },
            el("IncludeNestedStacks", "false"),
        ]
        .concat()
    }
}

/// `DescribeChangeSet` answering with this change set.
pub fn describe_change_set(change_set: &ChangeSet) -> Response {
    Response::ok("DescribeChangeSet", Some(&change_set.to_xml()))
}

/// A change set still being computed (`CREATE_IN_PROGRESS`, `UNAVAILABLE`).
pub fn change_set_in_progress(stack: &str, change_set: &str) -> Response {
    describe_change_set(
        &ChangeSet::new(stack, change_set).with_status("CREATE_IN_PROGRESS", "UNAVAILABLE"),
    )
}

/// A change set with nothing to do, exactly as AWS reports it: `FAILED`,
/// `UNAVAILABLE`, [`NO_CHANGES_REASON`].
pub fn change_set_no_changes(stack: &str, change_set: &str) -> Response {
    describe_change_set(
        &ChangeSet::new(stack, change_set)
            .with_status("FAILED", "UNAVAILABLE")
            .with_reason(NO_CHANGES_REASON),
    )
}

/// A change set that failed for `reason` (`FAILED`, `UNAVAILABLE`).
pub fn change_set_failed(stack: &str, change_set: &str, reason: &str) -> Response {
    describe_change_set(
        &ChangeSet::new(stack, change_set)
            .with_status("FAILED", "UNAVAILABLE")
            .with_reason(reason),
    )
}

// ---------------------------------------------------------------------------
// Templates and identity.

/// A template parameter as `ValidateTemplate` describes it.
#[derive(Clone, Debug, Default)]
pub struct TemplateParameter {
    pub key: String,
    pub default: Option<String>,
    pub no_echo: bool,
    pub description: Option<String>,
}

/// `ValidateTemplate`'s answer for a valid template.
pub fn validate_template(
    description: Option<&str>,
    parameters: &[TemplateParameter],
    capabilities: &[&str],
    capabilities_reason: Option<&str>,
) -> Response {
    let params: Vec<String> = parameters
        .iter()
        .map(|p| {
            el("ParameterKey", &p.key)
                + &opt_el("DefaultValue", &p.default)
                + &el("NoEcho", if p.no_echo { "true" } else { "false" })
                + &opt_el("Description", &p.description)
        })
        .collect();
    let caps: Vec<String> = capabilities.iter().map(|c| c.to_string()).collect();
    let inner = [
        members("Parameters", &params),
        description
            .map(|d| el("Description", d))
            .unwrap_or_default(),
        text_members("Capabilities", &caps),
        capabilities_reason
            .map(|r| el("CapabilitiesReason", r))
            .unwrap_or_default(),
    ]
    .concat();
    Response::ok("ValidateTemplate", Some(&inner))
}

/// `ValidateTemplate`'s answer for an invalid template: HTTP 400
/// `ValidationError` with `message` (e.g. "Template format error: ...").
pub fn template_invalid(message: &str) -> Response {
    Response::validation_error(message)
}

/// STS `GetCallerIdentity`'s answer, for a client that asks who it is
/// (same endpoint through `AWS_ENDPOINT_URL`).
pub fn get_caller_identity() -> Response {
    Response::ok_in(
        STS_NAMESPACE,
        "GetCallerIdentity",
        Some(
            &(el("Arn", &format!("arn:aws:iam::{ACCOUNT}:user/testing"))
                + &el("UserId", "AIDATESTINGTESTING")
                + &el("Account", ACCOUNT)),
        ),
    )
}

// ---------------------------------------------------------------------------
// Drift detection.

impl Request {
    /// The region the request was signed for (`us-east-1`), from the
    /// credential scope of its `Authorization` header: one scripted server
    /// can play several regions, as AWS's regional endpoints would.
    pub fn region(&self) -> Option<&str> {
        let auth = self.header("authorization")?;
        let scope = auth.split("Credential=").nth(1)?.split([',', ' ']).next()?;
        scope.split('/').nth(2)
    }
}

/// `DetectStackDrift`'s answer: the ID to poll
/// `DescribeStackDriftDetectionStatus` with.
pub fn detect_stack_drift(detection_id: &str) -> Response {
    Response::ok(
        "DetectStackDrift",
        Some(&el("StackDriftDetectionId", detection_id)),
    )
}

/// `DescribeStackDriftDetectionStatus`'s answer: `detection_status` is
/// `DETECTION_IN_PROGRESS`, `DETECTION_COMPLETE` or `DETECTION_FAILED`;
/// `drift_status` (`IN_SYNC`, `DRIFTED`, ...) and `drifted` are set once
/// complete.
pub fn drift_detection_status(
    stack: &str,
    detection_id: &str,
    detection_status: &str,
    drift_status: Option<&str>,
    drifted: Option<usize>,
    reason: Option<&str>,
) -> Response {
    let inner = [
        el("StackId", &stack_id(stack)),
        el("StackDriftDetectionId", detection_id),
        drift_status
            .map(|s| el("StackDriftStatus", s))
            .unwrap_or_default(),
        el("DetectionStatus", detection_status),
        reason
            .map(|r| el("DetectionStatusReason", r))
            .unwrap_or_default(),
        drifted
            .map(|n| el("DriftedStackResourceCount", &n.to_string()))
            .unwrap_or_default(),
        el("Timestamp", &timestamp(120)),
    ]
    .concat();
    Response::ok("DescribeStackDriftDetectionStatus", Some(&inner))
}

/// A detection still running.
pub fn drift_detection_in_progress(stack: &str, detection_id: &str) -> Response {
    drift_detection_status(
        stack,
        detection_id,
        "DETECTION_IN_PROGRESS",
        None,
        None,
        None,
    )
}

/// A finished detection: `drift_status` `IN_SYNC` or `DRIFTED`.
pub fn drift_detection_complete(
    stack: &str,
    detection_id: &str,
    drift_status: &str,
    drifted: usize,
) -> Response {
    drift_detection_status(
        stack,
        detection_id,
        "DETECTION_COMPLETE",
        Some(drift_status),
        Some(drifted),
        None,
    )
}

/// A detection that failed for `reason`.
pub fn drift_detection_failed(stack: &str, detection_id: &str, reason: &str) -> Response {
    drift_detection_status(
        stack,
        detection_id,
        "DETECTION_FAILED",
        Some("UNKNOWN"),
        None,
        Some(reason),
    )
}

/// One property of a drifted resource that differs from its template.
#[derive(Clone, Debug)]
pub struct PropertyDifference {
    pub path: String,
    pub expected: String,
    pub actual: String,
    /// `ADD`, `REMOVE` or `NOT_EQUAL`.
    pub kind: String,
}

/// A resource's drift as `DescribeStackResourceDrifts` describes it.
#[derive(Clone, Debug)]
pub struct ResourceDrift {
    pub stack: String,
    pub logical_id: String,
    pub physical_id: String,
    pub resource_type: String,
    /// `IN_SYNC`, `MODIFIED`, `DELETED` or `NOT_CHECKED`.
    pub status: String,
    pub differences: Vec<PropertyDifference>,
}

impl ResourceDrift {
    /// A resource of `stack` in drift `status`; its physical ID is derived
    /// from its logical ID.
    pub fn new(stack: &str, logical_id: &str, resource_type: &str, status: &str) -> ResourceDrift {
        ResourceDrift {
            stack: stack.to_string(),
            logical_id: logical_id.to_string(),
            physical_id: format!("{stack}-{logical_id}-{}", &uuid_for(logical_id)[..8]),
            resource_type: resource_type.to_string(),
            status: status.to_string(),
            differences: Vec::new(),
        }
    }

    /// A property difference (`kind`: `ADD`, `REMOVE`, `NOT_EQUAL`).
    pub fn with_difference(
        mut self,
        path: &str,
        expected: &str,
        actual: &str,
        kind: &str,
    ) -> ResourceDrift {
        self.differences.push(PropertyDifference {
            path: path.to_string(),
            expected: expected.to_string(),
            actual: actual.to_string(),
            kind: kind.to_string(),
        });
        self
    }

    /// The `<member>` content of `StackResourceDrifts`.
    pub fn to_xml(&self) -> String {
        let differences: Vec<String> = self
            .differences
            .iter()
            .map(|d| {
                el("PropertyPath", &d.path)
                    + &el("ExpectedValue", &d.expected)
                    + &el("ActualValue", &d.actual)
                    + &el("DifferenceType", &d.kind)
            })
            .collect();
        [
            el("StackId", &stack_id(&self.stack)),
            el("LogicalResourceId", &self.logical_id),
            el("PhysicalResourceId", &self.physical_id),
            el("ResourceType", &self.resource_type),
            el("ExpectedProperties", "{}"),
            el("ActualProperties", "{}"),
            members("PropertyDifferences", &differences),
            el("StackResourceDriftStatus", &self.status),
            el("Timestamp", &timestamp(120)),
        ]
        .concat()
    }
}

/// `DescribeStackResourceDrifts` answering with one page of drifts;
/// `next_token` says another page follows.
pub fn describe_stack_resource_drifts(
    drifts: &[ResourceDrift],
    next_token: Option<&str>,
) -> Response {
    let inner: Vec<String> = drifts.iter().map(ResourceDrift::to_xml).collect();
    let list = if inner.is_empty() {
        "<StackResourceDrifts/>".to_string()
    } else {
        members("StackResourceDrifts", &inner)
    };
    Response::ok(
        "DescribeStackResourceDrifts",
        Some(&(list + &next_token.map(|t| el("NextToken", t)).unwrap_or_default())),
    )
}

/// `ListStackResources` answering with one page of resources, each as
/// `(logical ID, type, drift status)`; `next_token` says another page
/// follows. Types without drift detection have `NOT_CHECKED`.
pub fn list_stack_resources(
    stack: &str,
    resources: &[(&str, &str, &str)],
    next_token: Option<&str>,
) -> Response {
    let inner: Vec<String> = resources
        .iter()
        .map(|(logical_id, resource_type, drift)| {
            [
                el("LogicalResourceId", logical_id),
                el(
                    "PhysicalResourceId",
                    &format!("{stack}-{logical_id}-{}", &uuid_for(logical_id)[..8]),
                ),
                el("ResourceType", resource_type),
                el("LastUpdatedTimestamp", &timestamp(60)),
                el("ResourceStatus", "CREATE_COMPLETE"),
                format!(
                    "<DriftInformation>{}{}</DriftInformation>",
                    el("StackResourceDriftStatus", drift),
                    el("LastCheckTimestamp", &timestamp(120))
                ),
            ]
            .concat()
        })
        .collect();
    let list = if inner.is_empty() {
        "<StackResourceSummaries/>".to_string()
    } else {
        members("StackResourceSummaries", &inner)
    };
    Response::ok(
        "ListStackResources",
        Some(&(list + &next_token.map(|t| el("NextToken", t)).unwrap_or_default())),
    )
}
