//! Native builds: a real blocking HTTP client (ureq). Nothing is denied here:
//! there is no host to keep an allow-list. Redirects are not followed, as
//! with wasi:http.

use std::io::ErrorKind;

use super::{HttpError, Request, Response, Url};

pub(super) fn send(request: &Request, url: &Url) -> Result<Response, HttpError> {
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(request.timeout)
        .build()
        .new_agent();
    let mut outgoing = http::Request::builder().method(request.method.clone()).uri(&url.full);
    for (name, value) in &request.headers {
        outgoing = outgoing.header(name, value);
    }
    let classify = |error: ureq::Error| match error {
        ureq::Error::Timeout(_) => url.timeout(request.timeout),
        ureq::Error::HostNotFound => url.dns(),
        ureq::Error::Io(e) if e.kind() == ErrorKind::ConnectionRefused => url.refused(),
        ureq::Error::Io(e) if e.kind() == ErrorKind::TimedOut => url.timeout(request.timeout),
        // std's resolver failure has no ErrorKind of its own.
        ureq::Error::Io(e) if e.to_string().contains("failed to lookup address") => url.dns(),
        ureq::Error::BodyExceedsLimit(_) => url.too_large(request.max_response_size),
        ureq::Error::BadUri(reason) => HttpError::InvalidUrl { url: url.full.clone(), reason },
        other => url.failed(other.to_string()),
    };
    // A request that declares no length has no body at all (ureq would
    // otherwise send `content-length: 0` with a GET).
    let response = if request.headers.contains_key(http::header::CONTENT_LENGTH) {
        agent.run(outgoing.body(request.body.clone()).map_err(|e| url.failed(e.to_string()))?)
    } else {
        agent.run(outgoing.body(()).map_err(|e| url.failed(e.to_string()))?)
    }
    .map_err(classify)?;
    let (parts, mut body) = response.into_parts();
    let body = body.with_config().limit(request.max_response_size as u64).read_to_vec().map_err(classify)?;
    Ok(url.response(parts.status, parts.headers, body))
}
