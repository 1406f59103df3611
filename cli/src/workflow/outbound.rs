//! The HTTP client of a run for what the host sends on a workflow's behalf:
//! an `http` template's request, an input artifact's `http.url`. The host is
//! a security boundary and a workflow file may name any URL, so every
//! request goes only where `--allow-host` allows:
//!
//! - the destination is checked on the URL as the client parses it, the
//!   one it then connects to;
//! - each redirect is checked the same way, and not followed when its
//!   destination is not allowed (at most [`MAX_REDIRECTS`], as Go's client);
//! - proxies named by the environment are ignored (a proxy would see
//!   requests to hosts the list does not name).
//!
//! What is read back is capped by its user ([`read_capped`]).

use crate::error_text::chain;
use std::time::Duration;

use crate::allow_list::{AllowList, Origin};

/// How many redirects are followed, as Go's client follows them.
pub const MAX_REDIRECTS: usize = 10;

/// Sends requests to the origins an allow-list lets through, and nowhere else.
#[derive(Clone)]
pub struct Outbound {
    allowed: AllowList,
    verifying: Result<reqwest::Client, String>,
    insecure: Result<reqwest::Client, String>,
}

impl Default for Outbound {
    /// One that allows no destination.
    fn default() -> Self {
        Outbound::new(AllowList::default())
    }
}

impl Outbound {
    /// Requests to the origins `allowed` lets through (redirects included).
    pub fn new(allowed: AllowList) -> Outbound {
        crate::tls::install_crypto_provider();
        let client = |insecure: bool| {
            let redirects = allowed.clone();
            reqwest::Client::builder()
                .no_proxy()
                .tls_danger_accept_invalid_certs(insecure)
                .redirect(reqwest::redirect::Policy::custom(move |attempt| {
                    if attempt.previous().len() >= MAX_REDIRECTS {
                        attempt.error(format!("stopped after {MAX_REDIRECTS} redirects"))
                    } else if redirects.allows(attempt.url().as_str()) {
                        attempt.follow()
                    } else {
                        let denied = denied(attempt.url().as_str());
                        attempt.error(format!("redirected to {denied}"))
                    }
                }))
                .build()
                .map_err(|error| format!("the host cannot make an HTTP client: {error}"))
        };
        Outbound { verifying: client(false), insecure: client(true), allowed }
    }

    /// A request of `method` to `url`, if its destination is allowed
    /// (`insecure`: without verifying the server's certificate). The error
    /// says what is wrong with the URL, or that it is not allowed.
    pub fn request(
        &self,
        method: reqwest::Method,
        url: &str,
        insecure: bool,
    ) -> Result<reqwest::RequestBuilder, String> {
        let origin = Origin::of(url)?;
        let parsed = reqwest::Url::parse(url).map_err(|error| format!("\"{url}\" is not a valid URL ({error})"))?;
        // Both readings of the URL must be allowed: the one the message names and the one the client connects to.
        if !self.allowed.allows_origin(&origin) || !self.allowed.allows(parsed.as_str()) {
            return Err(denied(url));
        }
        let client = (if insecure { &self.insecure } else { &self.verifying }).as_ref().map_err(String::clone)?;
        Ok(client.request(method, parsed))
    }
}

/// Why a request to `url` is not sent: its origin is not allowed.
pub fn denied(url: &str) -> String {
    match Origin::of(url) {
        Ok(origin) => format!(
            "\"{url}\": denied: its origin {origin} is not an allowed host (allow it with --allow-host {origin})"
        ),
        Err(problem) => format!("\"{url}\": denied: {problem}"),
    }
}

/// Why reading a body stopped.
#[derive(Debug, PartialEq, Eq)]
pub enum ReadError {
    /// It goes past the cap.
    TooLarge,
    /// Nothing came for the idle time.
    Idle(Duration),
    /// The connection failed (the error and its causes).
    Failed(String),
}

/// Reads `response`'s body, handing each chunk to `take`: at most `cap`
/// bytes (a longer body, or a `Content-Length` that says so, is
/// [`ReadError::TooLarge`] before more is read), each chunk within `idle`.
pub async fn read_capped(
    response: &mut reqwest::Response,
    cap: u64,
    idle: Duration,
    mut take: impl FnMut(&[u8]) -> Result<(), String>,
) -> Result<u64, ReadError> {
    if response.content_length().is_some_and(|length| length > cap) {
        return Err(ReadError::TooLarge);
    }
    let mut read = 0u64;
    loop {
        let chunk = match tokio::time::timeout(idle, response.chunk()).await {
            Ok(Ok(Some(chunk))) => chunk,
            Ok(Ok(None)) => return Ok(read),
            Ok(Err(error)) => return Err(ReadError::Failed(chain(&error))),
            Err(_) => return Err(ReadError::Idle(idle)),
        };
        read += chunk.len() as u64;
        if read > cap {
            return Err(ReadError::TooLarge);
        }
        take(&chunk).map_err(ReadError::Failed)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_destination_is_allowed_only_by_its_origin() {
        let outbound = Outbound::new(AllowList::new(&["http://127.0.0.1:8080"]).unwrap());
        assert!(outbound.request(reqwest::Method::GET, "http://127.0.0.1:8080/x", false).is_ok());
        let other_port = outbound.request(reqwest::Method::GET, "http://127.0.0.1:8081/x", false).unwrap_err();
        assert_eq!(
            other_port,
            "\"http://127.0.0.1:8081/x\": denied: its origin http://127.0.0.1:8081 is not an allowed host \
             (allow it with --allow-host http://127.0.0.1:8081)"
        );
        // The user part of an authority is not the host, however it is written.
        let disguised = outbound.request(reqwest::Method::GET, "http://127.0.0.1:8080@example.org/", false);
        assert!(disguised.unwrap_err().contains("denied"));
        let not_http = outbound.request(reqwest::Method::GET, "ftp://127.0.0.1:8080/x", false).unwrap_err();
        assert!(not_http.contains("only http and https"), "{not_http}");
        let nothing = Outbound::default().request(reqwest::Method::GET, "http://127.0.0.1:8080/", false);
        assert!(nothing.unwrap_err().contains("denied"));
    }
}
