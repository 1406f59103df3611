//! What can go wrong with an HTTP request, each case with a message that
//! says what happened and, where the workflow author can fix it, how.

use std::time::Duration;

/// Why an HTTP request failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HttpError {
    /// The URL cannot be requested.
    #[error("invalid URL \"{url}\": {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },

    /// A header name or value is not valid HTTP.
    #[error("invalid header \"{name}\": {reason}")]
    InvalidHeader {
        /// The header's name as given.
        name: String,
        /// What is wrong with it.
        reason: String,
    },

    /// The method is not a valid HTTP method.
    #[error("invalid HTTP method \"{method}\"")]
    InvalidMethod {
        /// The method as given.
        method: String,
    },

    /// The host refused to send the request: the destination is not allowed.
    #[error(
        "the host refused to send the request to {url}: {origin} is not an allowed host of this step; allow it in \
         the workflow template under plugin.wasm.permissions.http.allowed_hosts (e.g. `allowed_hosts: [\"{origin}\"]`)"
    )]
    Denied {
        /// The URL requested.
        url: String,
        /// Its origin, as an `allowed_hosts` entry would name it.
        origin: String,
    },

    /// Nothing accepted the connection.
    #[error("the connection to {url} was refused: nothing is listening at {authority}")]
    ConnectionRefused {
        /// The URL requested.
        url: String,
        /// The host and port.
        authority: String,
    },

    /// The host name does not resolve.
    #[error("the host name of {url} cannot be resolved (DNS): is \"{host}\" spelled right?")]
    Dns {
        /// The URL requested.
        url: String,
        /// The host name.
        host: String,
    },

    /// No (complete) response came in time.
    #[error("the request to {url} timed out{}", after.map(|d| format!(" after {} ms", d.as_millis())).unwrap_or_default())]
    Timeout {
        /// The URL requested.
        url: String,
        /// The timeout, when the request set one.
        after: Option<Duration>,
    },

    /// The response body is larger than the request allowed.
    #[error(
        "the response from {url} is larger than the limit of {limit} bytes (raise it with Request::max_response_size)"
    )]
    BodyTooLarge {
        /// The URL requested.
        url: String,
        /// The limit in bytes.
        limit: usize,
    },

    /// The response body is not UTF-8 text (from [`Response::text`](super::Response::text)).
    #[error("the response from {url} is not UTF-8 text")]
    NotText {
        /// The URL requested.
        url: String,
    },

    /// The request failed for another reason.
    #[error("the request to {url} failed: {reason}")]
    Failed {
        /// The URL requested.
        url: String,
        /// Why.
        reason: String,
    },
}
