//! Native builds: a real blocking HTTP client (ureq). Nothing is denied here:
//! there is no host to keep an allow-list. Redirects are not followed, as
//! with wasi:http. Both bodies stream: a reader body is sent as it is read,
//! and the response body is read as the caller reads it.

use std::io::{ErrorKind, Read};

use http::{HeaderMap, StatusCode};

use super::{Body, BodyReader, HttpError, Request, Url};

/// The response body, read from the connection as it is asked for.
pub(super) struct IncomingBody {
    reader: ureq::BodyReader<'static>,
    timeout: Option<std::time::Duration>,
}

impl IncomingBody {
    pub(super) fn read(&mut self, buffer: &mut [u8], url: &Url) -> Result<usize, HttpError> {
        self.reader.read(buffer).map_err(|error| match error.kind() {
            ErrorKind::TimedOut => url.timeout(self.timeout),
            _ => url.failed(format!("reading the response failed: {error}")),
        })
    }
}

/// Nothing to choose here: a reader body goes through the same call.
pub(super) type SendReader = ();
pub(super) const SEND_READER: SendReader = ();

pub(super) fn open(request: Request, url: &Url) -> Result<(StatusCode, HeaderMap, IncomingBody), HttpError> {
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
        ureq::Error::BadUri(reason) => HttpError::InvalidUrl { url: url.full.clone(), reason },
        other => url.failed(other.to_string()),
    };
    let built = |error: http::Error| url.failed(error.to_string());
    // A request that declares no length has no body at all (ureq would
    // otherwise send `content-length: 0` with a GET).
    let response = if !request.headers.contains_key(http::header::CONTENT_LENGTH) {
        agent.run(outgoing.body(()).map_err(built)?)
    } else {
        match request.body {
            Body::Bytes(bytes) => agent.run(outgoing.body(bytes).map_err(built)?),
            Body::Reader { reader, length, send: () } => {
                let body = ureq::SendBody::from_owned_reader(BodyReader::new(reader, length));
                agent.run(outgoing.body(body).map_err(built)?)
            }
        }
    }
    .map_err(classify)?;
    let (parts, body) = response.into_parts();
    Ok((parts.status, parts.headers, IncomingBody { reader: body.into_reader(), timeout: request.timeout }))
}
