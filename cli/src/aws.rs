//! The CloudFormation client: configured from the AWS default chain
//! (environment keys, profiles, web identity for GitLab OIDC, and
//! `AWS_ENDPOINT_URL` for local endpoints), with retries, and its errors
//! turned into one sentence each.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_cloudformation::config::http::HttpResponse;
use aws_sdk_cloudformation::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_cloudformation::Client;

use crate::error::Error;

/// A single-threaded runtime: commands make one request at a time per stack.
pub fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::failed(format!("cannot start the async runtime: {e}")))
}

/// A client for `region`. Throttling and transient errors are retried with
/// exponential backoff; every attempt has a deadline, so nothing hangs.
pub async fn client(region: &str) -> Client {
    let config = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.to_owned()))
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(6)
                .with_initial_backoff(Duration::from_millis(200)),
        )
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(10))
                .operation_attempt_timeout(Duration::from_secs(60))
                .build(),
        )
        .load()
        .await;
    Client::new(&config)
}

/// An S3 client for template uploads. A custom endpoint (`AWS_ENDPOINT_URL`)
/// gets path-style addressing: loopback has no bucket subdomains.
pub async fn s3_client(region: &str) -> aws_sdk_s3::Client {
    let shared = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.to_owned()))
        .load()
        .await;
    let custom_endpoint = std::env::var_os("AWS_ENDPOINT_URL").is_some();
    let config = aws_sdk_s3::config::Builder::from(&shared)
        .force_path_style(custom_endpoint)
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

/// True when the error says the stack does not exist.
pub fn is_missing_stack<E: ProvideErrorMetadata, R>(e: &SdkError<E, R>) -> bool {
    e.as_service_error()
        .and_then(|s| s.message())
        .is_some_and(|m| m.contains("does not exist"))
}

/// The service's error code and message, if the service answered with
/// one (an HTML error page or an unparsable body has neither).
pub fn service_error<E: ProvideErrorMetadata, R>(e: &SdkError<E, R>) -> Option<(String, String)> {
    let s = e.as_service_error()?;
    let code = s.code()?;
    Some((code.to_owned(), s.message().unwrap_or("").to_owned()))
}

/// Error codes CloudFormation (and S3, STS) answer for conditions that pass.
const TRANSIENT_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "SlowDown",
    "InternalFailure",
    "InternalError",
    "ServiceUnavailable",
    "RequestTimeout",
];

/// One sentence for a failed call: `what` says what was being done. It
/// names the error code, or else the HTTP status and the endpoint, and
/// marks conditions that pass (throttling, 5xx, lost connections, timeouts)
/// as transient so waiting loops ride them out.
pub fn error<E>(what: &str, e: SdkError<E, HttpResponse>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let endpoint = std::env::var("AWS_ENDPOINT_URL").unwrap_or_else(|_| "the AWS endpoint".into());
    let status = e.raw_response().map(|r| r.status().as_u16());
    let server_side = status.is_some_and(|s| s >= 500 || s == 429);
    if let Some((code, message)) = service_error(&e) {
        let text = if message.is_empty() {
            format!("{what} failed: {code} (HTTP {})", status.unwrap_or(0))
        } else {
            format!("{what} failed: {code}: {message}")
        };
        let error = Error::failed(text);
        return if server_side || TRANSIENT_CODES.contains(&code.as_str()) {
            error.transient()
        } else {
            error
        };
    }
    let detail = DisplayErrorContext(&e).to_string();
    if detail.to_lowercase().contains("credentials") {
        return credentials_error(what, &detail);
    }
    match &e {
        SdkError::TimeoutError(_) => Error::failed(format!(
            "{what} failed: {endpoint} did not answer in time; retry later"
        ))
        .transient(),
        SdkError::DispatchFailure(_) => Error::failed(format!(
            "{what} failed: cannot reach {endpoint} ({}); check the network and AWS_ENDPOINT_URL",
            connection_cause(&e)
        ))
        .transient(),
        SdkError::ServiceError(_) | SdkError::ResponseError(_)
            if status.is_some_and(|s| s < 400) =>
        {
            Error::failed(format!(
            "{what} failed: {endpoint} answered HTTP {} with a body that is not an AWS answer ({}); check AWS_ENDPOINT_URL and any proxy in between",
            status.unwrap_or(0),
            last_cause(&detail)
        ))
        }
        SdkError::ServiceError(_) | SdkError::ResponseError(_) => {
            let status = status.unwrap_or(0);
            let error = Error::failed(format!(
                "{what} failed: {endpoint} answered HTTP {status} {} without an AWS error in its body{}",
                reason_phrase(status),
                if status >= 500 { "; retry later" } else { "" }
            ));
            if server_side {
                error.transient()
            } else {
                error
            }
        }
        _ => Error::failed(format!("{what} failed: {}", last_cause(&detail))),
    }
}

/// What is wrong with the credentials, as precisely as the environment
/// tells: GitLab's OIDC variables set but unusable is not "no credentials".
fn credentials_error(what: &str, detail: &str) -> Error {
    let role = std::env::var("AWS_ROLE_ARN").ok().filter(|v| !v.is_empty());
    let token = std::env::var("AWS_WEB_IDENTITY_TOKEN_FILE")
        .ok()
        .filter(|v| !v.is_empty());
    match (role, token) {
        (Some(_), Some(token)) if !std::path::Path::new(&token).is_file() => Error::failed(format!(
            "{what} failed: the web identity token file {token} (AWS_WEB_IDENTITY_TOKEN_FILE) does not exist; write the job's ID token there (GitLab: id_tokens) before running synth"
        )),
        (Some(role), Some(_)) => Error::failed(format!(
            "{what} failed: STS did not let the web identity token assume {role} (AWS_ROLE_ARN): {}; check the role's trust policy (audience, and the project and branch in the sub condition)",
            last_cause(detail)
        )),
        _ => Error::failed(format!(
            "{what} failed: no AWS credentials were found; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or AWS_ROLE_ARN with AWS_WEB_IDENTITY_TOKEN_FILE (GitLab OIDC)"
        )),
    }
}

/// Why a connection failed, from the I/O error at the bottom of the chain.
fn connection_cause<E, R>(e: &SdkError<E, R>) -> &'static str
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            return match io.kind() {
                ConnectionRefused => "connection refused",
                ConnectionReset => "the connection was reset",
                ConnectionAborted | BrokenPipe => "the connection was closed",
                UnexpectedEof => "the connection closed before an answer",
                TimedOut => "the connection timed out",
                NotFound | AddrNotAvailable => "the host was not found",
                _ => "the connection failed",
            };
        }
        source = s.source();
    }
    if let SdkError::DispatchFailure(d) = e {
        if d.is_timeout() {
            return "the connection timed out";
        }
    }
    "the connection failed or closed before an answer"
}

fn reason_phrase(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

/// The innermost cause of an error chain printed as `a: b: c`.
fn last_cause(detail: &str) -> &str {
    detail.rsplit(": ").next().unwrap_or(detail).trim()
}
