//! The input artifacts a Wasm step's host fetches over HTTP (`http.url`),
//! as Argo's executor fetches them (argoproj/argo-workflows at f016ad8,
//! `workflow/artifacts/http/http.go` 25-87: a GET with the artifact's
//! `headers`, a status outside 2xx an error, the body written to the
//! artifact's file), within what the host allows, since a workflow file may
//! name any URL:
//!
//! - the URL and every redirect must be an origin `--allow-host` allows
//!   ([`Outbound`], as for `http` templates); one that is not fails the
//!   node, and nothing is sent to it;
//! - the bodies fetched for one step hold at most its work directory's
//!   budget together (`--max-work-dir`, MiB): a `Content-Length` past it
//!   fails before the body is read, a body that goes past it when it does;
//! - a server that sends nothing for [`IDLE`] fails the fetch; a step's
//!   fetches end within its timeout (the template's `timeout`, else
//!   `--timeout`), counted from its node's start as Argo counts it
//!   (`checkTemplateTimeouts`, `workflow/controller/operator.go` 2703-2710),
//!   so preparing the module, the fetches and the module's run share it; the
//!   workflow's deadline (`activeDeadlineSeconds`) stops them as it stops
//!   the step.

use std::io::Write;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::outbound::{Outbound, ReadError, read_capped};
use crate::error_text::chain;

/// How long a fetch may receive nothing before it fails.
pub const IDLE: Duration = Duration::from_secs(30);

/// The fetches of one step's input artifacts.
pub struct InputFetches<'a> {
    outbound: &'a Outbound,
    /// Bytes fetched so far.
    fetched: u64,
    /// The most they may hold together, in MiB.
    max_mib: u64,
    /// The step's timeout and when its node started, if it has one.
    timeout: Option<(Duration, Instant)>,
}

impl<'a> InputFetches<'a> {
    /// Fetches by `outbound`, at most `max_mib` MiB together, ending within
    /// `timeout` from `started` (the step's node's start).
    pub fn new(outbound: &'a Outbound, max_mib: u64, timeout: Option<Duration>, started: Instant) -> InputFetches<'a> {
        InputFetches { outbound, fetched: 0, max_mib, timeout: timeout.map(|t| (t, started)) }
    }

    /// Writes what a GET of `url` (with Argo's `http.headers`, `[{name, value}]`) answers to `file`.
    pub async fn get(&mut self, url: &str, headers: Option<&Value>, file: &mut std::fs::File) -> Result<(), String> {
        let mut request =
            self.outbound.request(reqwest::Method::GET, url, false).map_err(|why| format!("GET {why}"))?;
        for header in headers.and_then(Value::as_array).into_iter().flatten() {
            let (Some(name), Some(value)) =
                (header.get("name").and_then(Value::as_str), header.get("value").and_then(Value::as_str))
            else {
                continue;
            };
            request = request.header(name, value);
        }
        let cap = self.max_mib.saturating_mul(1 << 20).saturating_sub(self.fetched);
        let fetch = async {
            let mut response = match tokio::time::timeout(IDLE, request.send()).await {
                Ok(sent) => sent.map_err(|error| format!("GET {url}: {}", chain(&error)))?,
                Err(_) => return Err(format!("GET {url}: nothing received for {} s", IDLE.as_secs())),
            };
            if !response.status().is_success() {
                return Err(format!("GET {url} answered {}", response.status()));
            }
            let write = |chunk: &[u8]| file.write_all(chunk).map_err(|error| format!("cannot place it: {error}"));
            read_capped(&mut response, cap, IDLE, write).await.map_err(|error| match error {
                ReadError::TooLarge => format!(
                    "GET {url}: the body goes past {} MiB, the most the input artifacts a step fetches may hold \
                     together (--max-work-dir)",
                    self.max_mib
                ),
                ReadError::Idle(idle) => format!("GET {url}: nothing received for {} s", idle.as_secs()),
                ReadError::Failed(error) => format!("GET {url}: {error}"),
            })
        };
        let read = match self.timeout {
            Some((timeout, started)) => {
                let left = timeout.saturating_sub(started.elapsed());
                tokio::time::timeout(left, fetch).await.map_err(|_| {
                    format!("GET {url}: not fetched within the step's timeout of {} s", timeout.as_secs_f64())
                })??
            }
            None => fetch.await?,
        };
        self.fetched += read;
        Ok(())
    }
}
