//! Test harness for synth's workspace-level tests.
//!
//! Everything here runs on loopback and cleans up after itself:
//!
//! - [`servers`]: CloudFormation-compatible emulators as child processes
//!   ([`servers::Moto`], [`servers::LocalStack`]) on free ports, plus the
//!   environment a child `synth` process needs to talk to them
//!   ([`servers::aws_env`], [`servers::configure_aws`]).
//! - [`scripted`]: a CloudFormation Query API server whose answers a test
//!   scripts per action, for the states no emulator produces
//!   (`UPDATE_ROLLBACK_FAILED`, a stack stuck in progress, throttling, ...).
//! - [`proxy`]: a fault-injecting HTTP proxy in front of any endpoint
//!   (throttling, 5xx, dropped connections, delays).
//! - [`http`]: the small HTTP/1.1 client and message codec the others use,
//!   for tests that talk to an endpoint directly.
//! - [`xml`]: just enough XML reading to assert on Query API responses.
//!
//! Every wait has a deadline, and every child process is killed when its
//! handle is dropped (also when a test panics). A child also dies when the
//! test process exits without dropping the handle (a handle in a `static`),
//! through a watchdog that notices the test process is gone.

pub mod proxy;
pub mod scripted;
pub mod servers;

/// A minimal HTTP/1.1 codec and client over `std::net`.
pub mod http {
    use std::io::{self, BufRead, BufReader, Read, Write};
    use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::thread::JoinHandle;
    use std::time::Duration;

    /// How long a client or server connection waits for the other side
    /// before giving up.
    pub const IO_TIMEOUT: Duration = Duration::from_secs(30);
    /// How long connecting to a loopback port may take.
    pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
    /// The Query API version of CloudFormation.
    pub const CFN_VERSION: &str = "2010-05-15";
    const MAX_HEAD: usize = 64 * 1024;
    const MAX_BODY: usize = 64 * 1024 * 1024;

    /// An HTTP request as read from or written to the wire.
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct RawRequest {
        pub method: String,
        /// The request target: path and query, e.g. `/` or `/_localstack/health`.
        pub target: String,
        pub headers: Vec<(String, String)>,
        pub body: Vec<u8>,
    }

    impl RawRequest {
        /// The first header of that name (case-insensitive).
        pub fn header(&self, name: &str) -> Option<&str> {
            header(&self.headers, name)
        }

        /// Whether the client asked to close the connection after this request.
        pub fn wants_close(&self) -> bool {
            self.header("connection")
                .is_some_and(|v| v.eq_ignore_ascii_case("close"))
        }

        /// The form parameters of the request: the query string, then a
        /// form-encoded body (as the AWS Query protocol sends them).
        pub fn form(&self) -> Vec<(String, String)> {
            let mut params = Vec::new();
            if let Some((_, query)) = self.target.split_once('?') {
                params.extend(form_decode(query));
            }
            let form_body = self
                .header("content-type")
                .is_none_or(|ct| ct.starts_with("application/x-www-form-urlencoded"));
            if form_body && !self.body.is_empty() {
                params.extend(form_decode(&String::from_utf8_lossy(&self.body)));
            }
            params
        }

        /// The Query API `Action` parameter, if there is one.
        pub fn action(&self) -> Option<String> {
            self.form()
                .into_iter()
                .find(|(k, _)| k == "Action")
                .map(|(_, v)| v)
        }
    }

    /// An HTTP response as read from or written to the wire.
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct RawResponse {
        pub status: u16,
        pub reason: String,
        pub headers: Vec<(String, String)>,
        pub body: Vec<u8>,
    }

    impl RawResponse {
        /// The first header of that name (case-insensitive).
        pub fn header(&self, name: &str) -> Option<&str> {
            header(&self.headers, name)
        }

        /// The body as text (lossy UTF-8).
        pub fn text(&self) -> String {
            String::from_utf8_lossy(&self.body).into_owned()
        }
    }

    fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn invalid(msg: impl Into<String>) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, msg.into())
    }

    /// Reads the start line and headers. `None` on a clean end of stream
    /// before the first byte.
    /// A start line and its headers.
    type Head = (String, Vec<(String, String)>);

    fn read_head<R: BufRead>(r: &mut R) -> io::Result<Option<Head>> {
        let mut start = String::new();
        let mut total = 0;
        loop {
            start.clear();
            let n = r.read_line(&mut start)?;
            if n == 0 {
                return Ok(None);
            }
            total += n;
            // Tolerate stray empty lines between messages (RFC 9112 2.2).
            if !start.trim_end().is_empty() {
                break;
            }
            if total > MAX_HEAD {
                return Err(invalid("HTTP head too large"));
            }
        }
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            let n = r.read_line(&mut line)?;
            if n == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "connection closed inside the HTTP head",
                ));
            }
            total += n;
            if total > MAX_HEAD {
                return Err(invalid("HTTP head too large"));
            }
            let line = line.trim_end_matches(['\r', '\n']);
            if line.is_empty() {
                break;
            }
            let (k, v) = line
                .split_once(':')
                .ok_or_else(|| invalid(format!("bad header line {line:?}")))?;
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
        Ok(Some((start.trim_end().to_string(), headers)))
    }

    fn read_chunked<R: BufRead>(r: &mut R) -> io::Result<Vec<u8>> {
        let mut body = Vec::new();
        loop {
            let mut line = String::new();
            if r.read_line(&mut line)? == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "connection closed inside a chunked body",
                ));
            }
            let size = line.trim().split(';').next().unwrap_or("").trim();
            let size = usize::from_str_radix(size, 16)
                .map_err(|_| invalid(format!("bad chunk size {line:?}")))?;
            if size == 0 {
                // Trailers, up to the empty line.
                loop {
                    let mut t = String::new();
                    if r.read_line(&mut t)? == 0 || t.trim_end().is_empty() {
                        return Ok(body);
                    }
                }
            }
            if body.len() + size > MAX_BODY {
                return Err(invalid("HTTP body too large"));
            }
            let start = body.len();
            body.resize(start + size, 0);
            r.read_exact(&mut body[start..])?;
            let mut crlf = String::new();
            r.read_line(&mut crlf)?;
        }
    }

    /// Reads a body framed by the headers; `to_eof` reads to the end of the
    /// stream when there is no framing (responses only).
    fn read_body<R: BufRead>(
        r: &mut R,
        headers: &[(String, String)],
        to_eof: bool,
    ) -> io::Result<Vec<u8>> {
        if header(headers, "transfer-encoding")
            .is_some_and(|te| te.to_ascii_lowercase().contains("chunked"))
        {
            return read_chunked(r);
        }
        if let Some(len) = header(headers, "content-length") {
            let len: usize = len
                .parse()
                .map_err(|_| invalid(format!("bad Content-Length {len:?}")))?;
            if len > MAX_BODY {
                return Err(invalid("HTTP body too large"));
            }
            let mut body = vec![0; len];
            r.read_exact(&mut body)?;
            return Ok(body);
        }
        let mut body = Vec::new();
        if to_eof {
            r.take(MAX_BODY as u64).read_to_end(&mut body)?;
        }
        Ok(body)
    }

    /// Reads one request; `None` when the client closed the connection
    /// cleanly between requests.
    pub fn read_request<R: BufRead>(r: &mut R) -> io::Result<Option<RawRequest>> {
        let Some((start, headers)) = read_head(r)? else {
            return Ok(None);
        };
        let mut parts = start.split_whitespace();
        let (Some(method), Some(target), Some(_version)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid(format!("bad request line {start:?}")));
        };
        let body = read_body(r, &headers, false)?;
        Ok(Some(RawRequest {
            method: method.to_string(),
            target: target.to_string(),
            headers,
            body,
        }))
    }

    /// Reads one response (for a request that was not `HEAD`).
    pub fn read_response<R: BufRead>(r: &mut R) -> io::Result<RawResponse> {
        let Some((start, headers)) = read_head(r)? else {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "connection closed without a response",
            ));
        };
        let mut parts = start.splitn(3, ' ');
        let _version = parts.next();
        let status: u16 = parts
            .next()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| invalid(format!("bad status line {start:?}")))?;
        let reason = parts.next().unwrap_or("").to_string();
        let body = if status == 204 || status == 304 || (100..200).contains(&status) {
            Vec::new()
        } else {
            read_body(r, &headers, true)?
        };
        Ok(RawResponse {
            status,
            reason,
            headers,
            body,
        })
    }

    fn framing_header(name: &str) -> bool {
        name.eq_ignore_ascii_case("content-length")
            || name.eq_ignore_ascii_case("transfer-encoding")
            || name.eq_ignore_ascii_case("connection")
            || name.eq_ignore_ascii_case("keep-alive")
    }

    /// Writes a request with a `Content-Length` body and `Connection: close`
    /// (framing headers of `req` are replaced).
    pub fn write_request<W: Write>(w: &mut W, req: &RawRequest) -> io::Result<()> {
        let mut out = format!("{} {} HTTP/1.1\r\n", req.method, req.target);
        for (k, v) in req.headers.iter().filter(|(k, _)| !framing_header(k)) {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        out.push_str(&format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            req.body.len()
        ));
        w.write_all(out.as_bytes())?;
        w.write_all(&req.body)?;
        w.flush()
    }

    /// Writes a response with a `Content-Length` body (framing headers of
    /// `resp` are replaced) and `Connection: close` unless `keep_alive`.
    pub fn write_response<W: Write>(
        w: &mut W,
        resp: &RawResponse,
        keep_alive: bool,
    ) -> io::Result<()> {
        let reason = if resp.reason.is_empty() {
            reason_phrase(resp.status)
        } else {
            &resp.reason
        };
        let mut out = format!("HTTP/1.1 {} {}\r\n", resp.status, reason);
        for (k, v) in resp.headers.iter().filter(|(k, _)| !framing_header(k)) {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        out.push_str(&format!(
            "Content-Length: {}\r\nConnection: {}\r\n\r\n",
            resp.body.len(),
            if keep_alive { "keep-alive" } else { "close" }
        ));
        w.write_all(out.as_bytes())?;
        w.write_all(&resp.body)?;
        w.flush()
    }

    /// The standard reason phrase of the status codes the harness uses.
    pub fn reason_phrase(status: u16) -> &'static str {
        match status {
            200 => "OK",
            400 => "Bad Request",
            403 => "Forbidden",
            404 => "Not Found",
            429 => "Too Many Requests",
            500 => "Internal Server Error",
            502 => "Bad Gateway",
            503 => "Service Unavailable",
            504 => "Gateway Timeout",
            _ => "Status",
        }
    }

    /// `host:port` of an `http://host:port[/...]` endpoint.
    pub fn authority(endpoint: &str) -> &str {
        let rest = endpoint.strip_prefix("http://").unwrap_or(endpoint);
        rest.split('/').next().unwrap_or(rest)
    }

    /// Connects to an `http://host:port` endpoint with the harness's timeouts.
    pub fn connect(endpoint: &str) -> io::Result<TcpStream> {
        let authority = authority(endpoint);
        let addrs: Vec<SocketAddr> = authority.to_socket_addrs()?.collect();
        let mut last = io::Error::new(
            io::ErrorKind::NotFound,
            format!("no address for {authority}"),
        );
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT) {
                Ok(s) => {
                    s.set_read_timeout(Some(IO_TIMEOUT))?;
                    s.set_write_timeout(Some(IO_TIMEOUT))?;
                    s.set_nodelay(true)?;
                    return Ok(s);
                }
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// Sends one request on a fresh connection (`Connection: close`) and
    /// reads the response. An error means no complete response arrived
    /// (refused, reset, closed early, timed out).
    pub fn send(endpoint: &str, req: &RawRequest) -> io::Result<RawResponse> {
        let stream = connect(endpoint)?;
        let mut req = req.clone();
        if req.header("host").is_none() {
            req.headers
                .insert(0, ("Host".into(), authority(endpoint).to_string()));
        }
        write_request(&mut &stream, &req)?;
        let mut reader = BufReader::new(&stream);
        let resp = read_response(&mut reader);
        let _ = stream.shutdown(Shutdown::Both);
        resp
    }

    /// `GET endpoint + path`.
    pub fn get(endpoint: &str, path: &str) -> io::Result<RawResponse> {
        send(
            endpoint,
            &RawRequest {
                method: "GET".into(),
                target: path.into(),
                ..Default::default()
            },
        )
    }

    /// `POST endpoint + path` with a body and extra headers.
    pub fn post(
        endpoint: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> io::Result<RawResponse> {
        send(
            endpoint,
            &RawRequest {
                method: "POST".into(),
                target: path.into(),
                headers: headers
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                body: body.to_vec(),
            },
        )
    }

    /// The request the AWS SDK would send for a CloudFormation Query API
    /// call (unsigned: the `Authorization` header only names the service,
    /// which is how moto and LocalStack route a request; neither checks
    /// signatures).
    pub fn cfn_request(action: &str, params: &[(&str, &str)]) -> RawRequest {
        let mut form = vec![("Action", action), ("Version", CFN_VERSION)];
        form.extend_from_slice(params);
        RawRequest {
            method: "POST".into(),
            target: "/".into(),
            headers: vec![
                (
                    "Content-Type".into(),
                    "application/x-www-form-urlencoded; charset=utf-8".into(),
                ),
                (
                    "Authorization".into(),
                    "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/cloudformation/aws4_request, \
                     SignedHeaders=content-type;host;x-amz-date, Signature=0000"
                        .into(),
                ),
                ("X-Amz-Date".into(), "20240101T000000Z".into()),
            ],
            body: form_encode(&form).into_bytes(),
        }
    }

    /// Sends a CloudFormation Query API call, e.g.
    /// `cfn_call(&endpoint, "DescribeStacks", &[("StackName", "app")])`.
    pub fn cfn_call(
        endpoint: &str,
        action: &str,
        params: &[(&str, &str)],
    ) -> io::Result<RawResponse> {
        send(endpoint, &cfn_request(action, params))
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters.
    pub fn percent_encode(s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        for b in s.bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    }

    /// `application/x-www-form-urlencoded` of the pairs, in order.
    pub fn form_encode(pairs: &[(&str, &str)]) -> String {
        pairs
            .iter()
            .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    fn percent_decode(s: &str) -> String {
        fn hex(b: u8) -> Option<u8> {
            (b as char).to_digit(16).map(|d| d as u8)
        }
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push(h * 16 + l);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                },
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    /// Decodes `application/x-www-form-urlencoded` into pairs, in order.
    pub fn form_decode(s: &str) -> Vec<(String, String)> {
        s.split('&')
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once('=') {
                Some((k, v)) => (percent_decode(k), percent_decode(v)),
                None => (percent_decode(p), String::new()),
            })
            .collect()
    }

    /// A loopback listener whose accept loop runs on a thread and hands each
    /// connection to `handle` on a thread of its own. Dropping it stops
    /// accepting; connections in progress finish on their own (each has
    /// [`IO_TIMEOUT`]).
    pub(crate) struct LoopbackServer {
        addr: SocketAddr,
        stop: Arc<AtomicBool>,
        thread: Option<JoinHandle<()>>,
    }

    impl LoopbackServer {
        pub(crate) fn start<F>(name: &str, handle: F) -> LoopbackServer
        where
            F: Fn(TcpStream) + Send + Sync + 'static,
        {
            let listener = TcpListener::bind("127.0.0.1:0").expect("binding a loopback port");
            let addr = listener.local_addr().expect("local address of a listener");
            let stop = Arc::new(AtomicBool::new(false));
            let handle = Arc::new(handle);
            let thread = {
                let stop = stop.clone();
                std::thread::Builder::new()
                    .name(format!("{name}-accept"))
                    .spawn(move || {
                        for conn in listener.incoming() {
                            if stop.load(Ordering::SeqCst) {
                                break;
                            }
                            let Ok(conn) = conn else { continue };
                            let _ = conn.set_read_timeout(Some(IO_TIMEOUT));
                            let _ = conn.set_write_timeout(Some(IO_TIMEOUT));
                            let _ = conn.set_nodelay(true);
                            let handle = handle.clone();
                            let _ = std::thread::Builder::new()
                                .name("harness-conn".into())
                                .spawn(move || handle(conn));
                        }
                    })
                    .expect("spawning an accept thread")
            };
            LoopbackServer {
                addr,
                stop,
                thread: Some(thread),
            }
        }

        pub(crate) fn endpoint(&self) -> String {
            format!("http://{}", self.addr)
        }
    }

    impl Drop for LoopbackServer {
        fn drop(&mut self) {
            self.stop.store(true, Ordering::SeqCst);
            // Wake the accept loop up so it sees the flag.
            let _ = TcpStream::connect_timeout(&self.addr, CONNECT_TIMEOUT);
            if let Some(t) = self.thread.take() {
                let _ = t.join();
            }
        }
    }
}

/// Just enough XML reading to assert on Query API responses: no
/// namespaces, no DTDs, text with the five predefined entities.
pub mod xml {
    use std::collections::BTreeSet;

    /// Escapes text for an XML element or attribute.
    pub fn escape(s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&apos;"),
                c => out.push(c),
            }
        }
        out
    }

    /// Undoes [`escape`] (and numeric character references).
    pub fn unescape(s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        while let Some(i) = rest.find('&') {
            out.push_str(&rest[..i]);
            rest = &rest[i..];
            let Some(end) = rest.find(';') else { break };
            let ent = &rest[1..end];
            let rep = match ent {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ if ent.starts_with("#x") => u32::from_str_radix(&ent[2..], 16)
                    .ok()
                    .and_then(char::from_u32),
                _ if ent.starts_with('#') => ent[1..].parse().ok().and_then(char::from_u32),
                _ => None,
            };
            match rep {
                Some(c) => {
                    out.push(c);
                    rest = &rest[end + 1..];
                }
                None => {
                    out.push('&');
                    rest = &rest[1..];
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// An element event of [`events`].
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Event {
        Open(String),
        Close(String),
        Text(String),
    }

    /// The elements and text of a document, in order. Panics on a document
    /// whose tags do not nest: that is a bug in whatever produced it.
    pub fn events(doc: &str) -> Vec<Event> {
        let mut out = Vec::new();
        let mut stack: Vec<String> = Vec::new();
        let mut rest = doc;
        while let Some(lt) = rest.find('<') {
            let text = &rest[..lt];
            if !text.trim().is_empty() {
                out.push(Event::Text(unescape(text)));
            }
            rest = &rest[lt..];
            if rest.starts_with("<?") {
                let end = rest.find("?>").expect("unterminated XML declaration");
                rest = &rest[end + 2..];
                continue;
            }
            if rest.starts_with("<!--") {
                let end = rest.find("-->").expect("unterminated XML comment");
                rest = &rest[end + 3..];
                continue;
            }
            if rest.starts_with("<![CDATA[") {
                let end = rest.find("]]>").expect("unterminated CDATA");
                out.push(Event::Text(rest[9..end].to_string()));
                rest = &rest[end + 3..];
                continue;
            }
            let gt = rest.find('>').expect("unterminated XML tag");
            let tag = &rest[1..gt];
            rest = &rest[gt + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                let name = name.trim();
                let open = stack
                    .pop()
                    .unwrap_or_else(|| panic!("unexpected </{name}> in {doc}"));
                assert_eq!(open, name, "</{name}> closes <{open}> in {doc}");
                out.push(Event::Close(name.to_string()));
            } else {
                let self_closing = tag.ends_with('/');
                let tag = tag.trim_end_matches('/');
                let name = tag.split_whitespace().next().unwrap_or("").to_string();
                out.push(Event::Open(name.clone()));
                if self_closing {
                    out.push(Event::Close(name));
                } else {
                    stack.push(name);
                }
            }
        }
        assert!(stack.is_empty(), "unclosed elements {stack:?} in {doc}");
        out
    }

    /// Every element with the text directly inside it, in document order.
    pub fn elements(doc: &str) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        let mut open: Vec<usize> = Vec::new();
        for ev in events(doc) {
            match ev {
                Event::Open(n) => {
                    open.push(out.len());
                    out.push((n, String::new()));
                }
                Event::Text(t) => {
                    if let Some(&i) = open.last() {
                        out[i].1.push_str(&t);
                    }
                }
                Event::Close(_) => {
                    open.pop();
                }
            }
        }
        out
    }

    /// The text of every element named `name`, in document order.
    pub fn all(doc: &str, name: &str) -> Vec<String> {
        elements(doc)
            .into_iter()
            .filter(|(n, _)| n == name)
            .map(|(_, t)| t)
            .collect()
    }

    /// The text of the first element named `name`.
    pub fn first(doc: &str, name: &str) -> Option<String> {
        all(doc, name).into_iter().next()
    }

    /// Every element path in the document, e.g.
    /// `DescribeStacksResponse/DescribeStacksResult/Stacks/member/StackName`:
    /// the shape of a response, to compare one server's with another's.
    pub fn paths(doc: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut stack: Vec<String> = Vec::new();
        for ev in events(doc) {
            match ev {
                Event::Open(n) => {
                    stack.push(n);
                    out.insert(stack.join("/"));
                }
                Event::Close(_) => {
                    stack.pop();
                }
                Event::Text(_) => {}
            }
        }
        out
    }
}
