//! wasm32-wasip2: `wasi:http/outgoing-handler`, through the `wasip2`
//! crate's generated bindings. Both bodies are streams: the request body is
//! written a piece at a time as it is read, the response body read as the
//! caller asks for it.

use std::io::Read;
use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use wasip2::http::outgoing_handler;
use wasip2::http::types::{
    ErrorCode, Fields, IncomingBody as WasiIncomingBody, IncomingResponse, Method as WasiMethod, OutgoingBody,
    OutgoingRequest, RequestOptions, Scheme,
};
use wasip2::io::streams::{InputStream, StreamError};

use super::{Body, BodyReader, CHUNK, HttpError, Request, Url};

/// The largest write `blocking-write-and-flush` accepts.
const WRITE_CHUNK: usize = 4096;

fn method(method: &http::Method) -> WasiMethod {
    match *method {
        http::Method::GET => WasiMethod::Get,
        http::Method::HEAD => WasiMethod::Head,
        http::Method::POST => WasiMethod::Post,
        http::Method::PUT => WasiMethod::Put,
        http::Method::DELETE => WasiMethod::Delete,
        http::Method::CONNECT => WasiMethod::Connect,
        http::Method::OPTIONS => WasiMethod::Options,
        http::Method::TRACE => WasiMethod::Trace,
        http::Method::PATCH => WasiMethod::Patch,
        ref other => WasiMethod::Other(other.as_str().to_owned()),
    }
}

fn classify(url: &Url, timeout: Option<Duration>, limit: usize, error: ErrorCode) -> HttpError {
    match error {
        ErrorCode::HttpRequestDenied => url.denied(),
        ErrorCode::ConnectionRefused => url.refused(),
        ErrorCode::DnsError(_) | ErrorCode::DestinationNotFound => url.dns(),
        ErrorCode::DnsTimeout
        | ErrorCode::ConnectionTimeout
        | ErrorCode::ConnectionReadTimeout
        | ErrorCode::ConnectionWriteTimeout => url.timeout(timeout),
        ErrorCode::HttpResponseBodySize(_) => url.too_large(limit),
        ErrorCode::HttpRequestUriInvalid => {
            HttpError::InvalidUrl { url: url.full.clone(), reason: "the host cannot request it".into() }
        }
        other => url.failed(format!("{other:?}")),
    }
}

/// The response body, read from the host as it is asked for. The fields
/// drop in order: a child resource before its parent.
pub(super) struct IncomingBody {
    stream: InputStream,
    _body: WasiIncomingBody,
    _response: IncomingResponse,
    timeout: Option<Duration>,
}

impl IncomingBody {
    pub(super) fn read(&mut self, buffer: &mut [u8], url: &Url) -> Result<usize, HttpError> {
        let wanted = buffer.len().min(CHUNK) as u64;
        match self.stream.blocking_read(wanted) {
            Ok(chunk) => {
                let read = chunk.len().min(buffer.len());
                buffer[..read].copy_from_slice(&chunk[..read]);
                Ok(read)
            }
            Err(StreamError::Closed) => Ok(0),
            Err(StreamError::LastOperationFailed(error)) => Err(match wasip2::http::types::http_error_code(&error) {
                Some(code) => classify(url, self.timeout, 0, code),
                None => url.failed(error.to_debug_string()),
            }),
        }
    }
}

/// Nothing to choose here: a reader body goes through the same call.
pub(super) type SendReader = ();
pub(super) const SEND_READER: SendReader = ();

pub(super) fn open(request: Request, url: &Url) -> Result<(StatusCode, HeaderMap, IncomingBody), HttpError> {
    let limit = request.max_response_size;
    let fail = |error: ErrorCode| classify(url, request.timeout, limit, error);
    let entries: Vec<(String, Vec<u8>)> =
        request.headers.iter().map(|(name, value)| (name.as_str().to_owned(), value.as_bytes().to_vec())).collect();
    let fields = Fields::from_list(&entries).map_err(|e| url.failed(format!("the host refused a header: {e:?}")))?;
    let outgoing = OutgoingRequest::new(fields);
    let scheme = if url.scheme == http::uri::Scheme::HTTPS { Scheme::Https } else { Scheme::Http };
    let set = outgoing
        .set_method(&method(&request.method))
        .and(outgoing.set_scheme(Some(&scheme)))
        .and(outgoing.set_authority(Some(&url.authority)))
        .and(outgoing.set_path_with_query(Some(&url.path_and_query)));
    set.map_err(|()| url.failed("the host refused the method, scheme, authority or path"))?;
    let options = RequestOptions::new();
    if let Some(timeout) = request.timeout {
        let nanos = u64::try_from(timeout.as_nanos()).unwrap_or(u64::MAX);
        // Options the host does not support are ignored: the request still goes.
        let _ = options.set_connect_timeout(Some(nanos));
        let _ = options.set_first_byte_timeout(Some(nanos));
        let _ = options.set_between_bytes_timeout(Some(nanos));
    }
    let body = outgoing.body().map_err(|()| url.failed("the request body is not available"))?;
    let pending = outgoing_handler::handle(outgoing, Some(options)).map_err(fail)?;
    {
        let stream = body.write().map_err(|()| url.failed("the request body cannot be written"))?;
        let write = |bytes: &[u8]| -> Result<(), HttpError> {
            for piece in bytes.chunks(WRITE_CHUNK) {
                stream.blocking_write_and_flush(piece).map_err(|e| stream_error(url, e))?;
            }
            Ok(())
        };
        match request.body {
            Body::Bytes(bytes) => write(&bytes)?,
            Body::Reader { reader, length, send: () } => {
                let mut reader = BodyReader::new(reader, length);
                let mut chunk = vec![0u8; CHUNK];
                loop {
                    let read = reader
                        .read(&mut chunk)
                        .map_err(|e| url.failed(format!("cannot read the request body: {e}")))?;
                    if read == 0 {
                        break;
                    }
                    write(&chunk[..read])?;
                }
            }
        }
    }
    OutgoingBody::finish(body, None).map_err(fail)?;

    let response = loop {
        match pending.get() {
            Some(Ok(result)) => break result.map_err(fail)?,
            Some(Err(())) => return Err(url.failed("the response was already taken")),
            None => pending.subscribe().block(),
        }
    };
    let status = StatusCode::from_u16(response.status()).map_err(|_| url.failed("invalid status"))?;
    let mut headers = HeaderMap::new();
    for (name, value) in response.headers().entries() {
        if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_bytes(&value)) {
            headers.append(name, value);
        }
    }
    let incoming = response.consume().map_err(|()| url.failed("the response body is not available"))?;
    let stream = incoming.stream().map_err(|()| url.failed("the response body cannot be read"))?;
    Ok((status, headers, IncomingBody { stream, _body: incoming, _response: response, timeout: request.timeout }))
}

fn stream_error(url: &Url, error: StreamError) -> HttpError {
    match error {
        StreamError::Closed => url.failed("the connection closed early"),
        StreamError::LastOperationFailed(error) => url.failed(error.to_debug_string()),
    }
}
