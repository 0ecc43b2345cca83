//! The CloudFormation client: configured from the AWS default chain
//! (environment keys, profiles, web identity for GitLab OIDC, and
//! `AWS_ENDPOINT_URL` for local endpoints), with retries, and its errors
//! turned into one sentence each.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
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

/// The service's error code and message, if the service answered.
pub fn service_error<E: ProvideErrorMetadata, R>(e: &SdkError<E, R>) -> Option<(String, String)> {
    let s = e.as_service_error()?;
    Some((
        s.code().unwrap_or("Error").to_owned(),
        s.message().unwrap_or("").to_owned(),
    ))
}

/// One sentence for a failed call: `what` says what was being done.
pub fn error<E, R>(what: &str, e: SdkError<E, R>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    if let Some((code, message)) = service_error(&e) {
        return Error::failed(format!("{what} failed: {code}: {message}"));
    }
    let detail = DisplayErrorContext(&e).to_string();
    let lower = detail.to_lowercase();
    if lower.contains("credentials") {
        return Error::failed(format!(
            "{what} failed: no AWS credentials were found; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or AWS_ROLE_ARN with AWS_WEB_IDENTITY_TOKEN_FILE (GitLab OIDC)"
        ));
    }
    let endpoint =
        std::env::var("AWS_ENDPOINT_URL").unwrap_or_else(|_| "the CloudFormation endpoint".into());
    match e {
        SdkError::TimeoutError(_) => Error::failed(format!(
            "{what} failed: {endpoint} did not answer in time; retry later"
        )),
        SdkError::DispatchFailure(_) => Error::failed(format!(
            "{what} failed: cannot reach {endpoint} ({}); check the network and AWS_ENDPOINT_URL",
            last_cause(&detail)
        )),
        _ => Error::failed(format!("{what} failed: {}", last_cause(&detail))),
    }
}

/// The innermost cause of an error chain printed as `a: b: c`.
fn last_cause(detail: &str) -> &str {
    detail.rsplit(": ").next().unwrap_or(detail).trim()
}
