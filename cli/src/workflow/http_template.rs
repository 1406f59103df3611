//! An `http` template: one HTTP request, sent by the host, as Argo's agent
//! sends it (argoproj/argo-workflows at f016ad8,
//! `workflow/executor/agent.go` 252-364), behind the run's allow-list
//! (`--allow-host`):
//!
//! - `method` (Go's default: GET), `url`, `headers` (each `value`; a `Host`
//!   header sets the request's host), `body`, or `bodyFrom.bytes`
//!   (base64, as Kubernetes writes `[]byte`);
//! - `timeoutSeconds` bounds the request and the reading of its body
//!   (`agent.go` 259-262); without it, the 30 s the field's documentation
//!   gives (`http_types.go` 45; Argo's agent itself sets none);
//! - `insecureSkipVerify` skips TLS verification (`agent.go` 315-324);
//! - the node's `outputs.result` is the response body, whatever the status
//!   (`agent.go` 274);
//! - success: without `successCondition` a 2xx status (`agent.go` 277-283,
//!   else "received non-2xx response code: N"); with one, that expr
//!   expression over `request` (`method`, `url`, `body`, `bodyBytes`,
//!   `headers`) and `response` (`statusCode`, `body`, `headers`, Go's
//!   `http.Header`: canonical names, each a list of values) (`agent.go`
//!   284-307, else "successCondition 'C' evaluated false");
//! - a request that fails fails the node with its error (`processTask`,
//!   `agent.go` 245-248), in Go's words where they matter
//!   (`Get "URL": context deadline exceeded`).
//!
//! What a local run adds: a destination that `--allow-host` does not allow
//! (the first request or a redirect) fails the node, saying so; a header
//! `valueFrom.secretKeyRef` (a Kubernetes secret) is refused before the run;
//! a response body larger than [`MAX_BODY`] fails the node.

use std::collections::BTreeMap;
use std::time::Duration;

use base64::Engine;
use serde_json::{Value, json};

use super::outbound::{Outbound, ReadError, read_capped};
use crate::error_text::chain;

/// The most bytes of a response body a node keeps as its result.
pub const MAX_BODY: usize = 1 << 20;

/// A request's timeout when the template sets none (`http_types.go` 45).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// What an HTTP node ends with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpOutcome {
    /// Whether it succeeded.
    pub succeeded: bool,
    /// Why not, when it did not.
    pub message: Option<String>,
    /// The response body (`outputs.result`), when there was a response.
    pub result: Option<String>,
}

impl HttpOutcome {
    fn failed(message: String) -> HttpOutcome {
        HttpOutcome { succeeded: false, message: Some(message), result: None }
    }
}

/// The problem with http template `name`, if it cannot run here: no `url`,
/// or a header from a Kubernetes secret.
pub fn check(name: &str, template: &Value) -> Result<(), String> {
    let http = &template["http"];
    if http.get("url").and_then(Value::as_str).is_none_or(str::is_empty) {
        return Err(format!("templates.{name}.http.url is required"));
    }
    for (index, header) in http.get("headers").and_then(Value::as_array).into_iter().flatten().enumerate() {
        if header.get("valueFrom").is_some_and(|v| !v.is_null()) {
            let header_name = header.get("name").and_then(Value::as_str).unwrap_or_default();
            return Err(format!(
                "templates.{name}.http.headers[{index}] ({header_name}): valueFrom reads a Kubernetes secret, and a \
                 local run has no cluster; give the header a value instead (for example from a workflow parameter, \
                 `value: \"{{{{workflow.parameters.token}}}}\"` with `-p token=…`)"
            ));
        }
    }
    Ok(())
}

/// Sends the requests of `http` templates, to the origins the run allows.
#[derive(Default)]
pub struct HttpTemplates {
    outbound: Outbound,
}

impl HttpTemplates {
    /// Requests sent by `outbound` (and so to the origins it allows, redirects included).
    pub fn new(outbound: Outbound) -> HttpTemplates {
        HttpTemplates { outbound }
    }

    /// Sends the request of `template` (an `http` template, its arguments applied).
    pub async fn run(&self, template: &Value) -> HttpOutcome {
        let http = &template["http"];
        let answer = match Outgoing::of(http) {
            Ok(outgoing) => self.send(&outgoing).await.map(|answer| (outgoing, answer)),
            Err(message) => Err(message),
        };
        let (outgoing, answer) = match answer {
            Ok(exchanged) => exchanged,
            Err(message) => return HttpOutcome::failed(message),
        };
        let condition = http.get("successCondition").and_then(Value::as_str).unwrap_or_default();
        match judge(condition, &outgoing, &answer) {
            Ok(message) => HttpOutcome { succeeded: message.is_none(), message, result: Some(answer.body) },
            // An error in the condition fails the node, its result unset (`agent.go` 299-302, 245-248).
            Err(message) => HttpOutcome::failed(message),
        }
    }

    /// Sends `outgoing`, if its destination is allowed; the answer, its body read whole (up to [`MAX_BODY`]).
    async fn send(&self, outgoing: &Outgoing) -> Result<Answer, String> {
        let (url, operation) = (&outgoing.url, go_url_error_operation(&outgoing.method));
        let method = reqwest::Method::from_bytes(outgoing.method.as_bytes())
            .map_err(|_| format!("net/http: invalid method \"{}\"", outgoing.method))?;
        let mut request = self
            .outbound
            .request(method, url, outgoing.insecure)
            .map_err(|problem| format!("{operation} {problem}"))?;
        for (name, value) in &outgoing.headers {
            request = request.header(name, value);
        }
        let body = outgoing.body_bytes.clone().unwrap_or_else(|| outgoing.body.clone().into_bytes());
        if !body.is_empty() {
            request = request.body(body);
        }
        let exchange = async {
            let mut response =
                request.send().await.map_err(|error| format!("{operation} \"{url}\": {}", chain(&error)))?;
            let status = response.status().as_u16();
            let headers = go_header(response.headers());
            let mut read = Vec::new();
            let taken = |chunk: &[u8]| {
                read.extend_from_slice(chunk);
                Ok(())
            };
            match read_capped(&mut response, MAX_BODY as u64, outgoing.timeout, taken).await {
                Ok(_) => {}
                Err(ReadError::TooLarge) => {
                    return Err(format!(
                        "the response body is larger than {MAX_BODY} bytes, the most an HTTP node's result holds here"
                    ));
                }
                // The whole exchange is bounded by the same timeout, below.
                Err(ReadError::Idle(_)) => return Err(format!("{operation} \"{url}\": context deadline exceeded")),
                Err(ReadError::Failed(error)) => return Err(error),
            }
            Ok(Answer { status, headers, body: String::from_utf8_lossy(&read).into_owned() })
        };
        match tokio::time::timeout(outgoing.timeout, exchange).await {
            Ok(answer) => answer,
            Err(_) => Err(format!("{operation} \"{url}\": context deadline exceeded")),
        }
    }
}

/// An `http` template's request, as written (its arguments applied).
struct Outgoing {
    /// The method as written (empty for GET), as a `successCondition` sees it.
    written_method: String,
    /// The method sent.
    method: String,
    url: String,
    body: String,
    /// `bodyFrom.bytes`, decoded: sent instead of `body`.
    body_bytes: Option<Vec<u8>>,
    headers: Vec<(String, String)>,
    timeout: Duration,
    insecure: bool,
}

impl Outgoing {
    /// The request of `http` (an `http` template's block); the error says what is wrong with it.
    fn of(http: &Value) -> Result<Outgoing, String> {
        let text = |key: &str| http.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
        let written_method = text("method");
        let method = if written_method.is_empty() { "GET".to_owned() } else { written_method.clone() };
        let body_bytes = match http.pointer("/bodyFrom/bytes") {
            Some(Value::String(encoded)) => Some(
                base64::engine::general_purpose::STANDARD
                    .decode(encoded)
                    .map_err(|error| format!("http.bodyFrom.bytes is not base64: {error}"))?,
            ),
            _ => None,
        };
        let headers = http
            .get("headers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|header| {
                let field = |key: &str| header.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
                (field("name"), field("value"))
            })
            .collect();
        // A number, or text after a `{{…}}` substitution.
        let timeout = match http.get("timeoutSeconds") {
            Some(Value::Number(seconds)) => Duration::from_secs(seconds.as_u64().unwrap_or(0)),
            Some(Value::String(seconds)) => Duration::from_secs(
                seconds
                    .trim()
                    .parse()
                    .map_err(|_| format!("http.timeoutSeconds \"{seconds}\" is not a number of seconds"))?,
            ),
            _ => DEFAULT_TIMEOUT,
        };
        Ok(Outgoing {
            written_method,
            method,
            url: text("url"),
            body: text("body"),
            body_bytes,
            headers,
            timeout,
            insecure: http.get("insecureSkipVerify").and_then(Value::as_bool).unwrap_or(false),
        })
    }
}

/// What the request was answered.
struct Answer {
    status: u16,
    /// As Go's `http.Header` holds them.
    headers: BTreeMap<String, Vec<String>>,
    body: String,
}

/// Why the node fails, if it does: without `condition`, a status that is
/// not 2xx; with one, the condition false. The error is the condition's.
fn judge(condition: &str, outgoing: &Outgoing, answer: &Answer) -> Result<Option<String>, String> {
    let status = answer.status;
    if condition.is_empty() {
        return Ok((!(200..300).contains(&status)).then(|| format!("received non-2xx response code: {status}")));
    }
    // `HTTPHeaders.ToHeader`: the names as written, one value each (`http_types.go` 20-30).
    let request_headers: BTreeMap<&str, [&str; 1]> =
        outgoing.headers.iter().map(|(name, value)| (name.as_str(), [value.as_str()])).collect();
    let scope = BTreeMap::from([
        (
            "request".to_owned(),
            json!({
                "method": outgoing.written_method,
                "url": outgoing.url,
                "body": outgoing.body,
                "bodyBytes": outgoing.body_bytes,
                "headers": request_headers,
            }),
        ),
        ("response".to_owned(), json!({"statusCode": status, "body": answer.body, "headers": answer.headers})),
    ]);
    Ok((!super::expressions::evaluate_bool(condition, &scope)?)
        .then(|| format!("successCondition '{condition}' evaluated false")))
}

/// The operation Go's `url.Error` names for `method` (`Get`, `Post`, …:
/// `urlErrorOp`, net/http's client.go).
fn go_url_error_operation(method: &str) -> String {
    let mut characters = method.chars();
    match characters.next() {
        Some(first) => first.to_string() + &characters.as_str().to_ascii_lowercase(),
        None => "Get".to_owned(),
    }
}

/// Response headers as Go's `http.Header` holds them: canonical names
/// (`textproto.CanonicalMIMEHeaderKey`), each with its values in order.
fn go_header(headers: &reqwest::header::HeaderMap) -> BTreeMap<String, Vec<String>> {
    let mut canonical: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, value) in headers {
        canonical
            .entry(canonical_header_name(name.as_str()))
            .or_default()
            .push(String::from_utf8_lossy(value.as_bytes()).into_owned());
    }
    canonical
}

/// Go's `CanonicalMIMEHeaderKey`: the first letter and each letter after a
/// hyphen upper case, the rest lower case; a name with a byte that is not a
/// token character is left as it is.
fn canonical_header_name(name: &str) -> String {
    let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    if !name.bytes().all(token) {
        return name.to_owned();
    }
    let mut upper = true;
    name.chars()
        .map(|c| {
            let mapped = if upper { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() };
            upper = c == '-';
            mapped
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_are_canonical_as_go_writes_them() {
        assert_eq!(canonical_header_name("content-type"), "Content-Type");
        assert_eq!(canonical_header_name("x-request-id"), "X-Request-Id");
        assert_eq!(canonical_header_name("ETAG"), "Etag");
        assert_eq!(canonical_header_name("with space"), "with space");
    }

    #[test]
    fn url_error_operations_are_gos() {
        assert_eq!(go_url_error_operation("GET"), "Get");
        assert_eq!(go_url_error_operation("POST"), "Post");
        assert_eq!(go_url_error_operation(""), "Get");
    }

    #[test]
    fn a_template_without_a_url_or_with_a_secret_header_cannot_run() {
        let no_url = json!({"http": {"method": "GET"}});
        assert_eq!(check("call", &no_url).unwrap_err(), "templates.call.http.url is required");
        let secret = json!({"http": {"url": "http://127.0.0.1/", "headers": [
            {"name": "Accept", "value": "text/plain"},
            {"name": "Authorization", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]}});
        let message = check("call", &secret).unwrap_err();
        assert!(
            message.starts_with("templates.call.http.headers[1] (Authorization): valueFrom reads a Kubernetes secret")
        );
        assert!(check("call", &json!({"http": {"url": "http://127.0.0.1/"}})).is_ok());
    }
}
