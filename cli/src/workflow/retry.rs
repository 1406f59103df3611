//! A template with a `retryStrategy` (its own, else `spec.retryStrategy`),
//! as Argo's `executeTemplate` and `processNodeRetries` run it
//! (`workflow/controller/operator.go` 1030-1211 and 2440-2530):
//!
//! - the node is a Retry node; each attempt is its child `NAME(N)`, with
//!   `{{retries}}` = N and `{{lastRetry.exitCode|status|duration|message}}`
//!   of the attempt before (exit code `0`, status and message empty for the
//!   first) (2481-2519);
//! - after an attempt that succeeded the Retry node succeeds with its
//!   outputs; after one that failed: past the workflow's deadline it takes
//!   the attempt's phase, "retry exceeded workflow deadline …"; a `backoff`
//!   checks `maxDuration` ("Max duration limit exceeded", "Backoff would
//!   exceed max duration limit") and waits `duration × factor^(N-1)` (at
//!   most `cap`) when a `limit` is set and not reached; `retryPolicy`
//!   (`OnFailure` by default, `Always` when only an `expression` is given)
//!   decides whether Failed or Error is retried, else the node ends with the
//!   attempt's phase and message; more attempts than `limit` + 1 end with
//!   "No more retries left"; an `expression` (expr, over `retries` and
//!   `lastRetry.*`, exit code `-1`) that is false ends with
//!   "retryStrategy.expression evaluated to false".

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::execution::{Boundary, Execution};
use super::nodes::{Node, NodeType, Phase};
use super::substitute::{Unresolved, replace_in};
use crate::executor_plugin::request::parse_go_duration;

/// A Retry node about to run its attempts.
pub struct Retry {
    /// The Retry node.
    pub this: Boundary,
    /// The template it runs.
    pub template_name: String,
    /// Where the Retry node and its attempts hang.
    pub boundary: Option<Boundary>,
    /// The template, its arguments applied.
    pub template: Value,
    /// Its `retryStrategy`.
    pub strategy: Value,
}

/// What happens after an attempt.
#[derive(Debug, PartialEq)]
enum Next {
    /// Another attempt.
    Again,
    /// The Retry node ends in this phase, with this message (none: unchanged).
    End(Phase, Option<String>),
}

impl Execution {
    /// Runs the attempts of `retry` until its strategy ends it.
    pub async fn run_retry(&self, retry: Retry) {
        let id = retry.this.id.clone();
        loop {
            let attempts = self.nodes.get(&id).map(|n| n.children).unwrap_or_default();
            let number = attempts.len();
            let last = attempts.last().and_then(|a| self.nodes.get(a));
            let child_name = format!("{}({number})", retry.this.name);
            self.nodes.add_child(&id, &self.id(&child_name));
            let mut scope = self.template_scope(&retry.template);
            scope.insert("retries".into(), number.to_string());
            scope.insert("lastRetry.exitCode".into(), "0".into());
            scope.insert("lastRetry.status".into(), last.as_ref().map(|n| n.phase.as_str()).unwrap_or_default().into());
            scope.insert("lastRetry.duration".into(), last.as_ref().map_or("0".into(), duration_seconds));
            scope.insert("lastRetry.message".into(), last.as_ref().and_then(|n| n.message.clone()).unwrap_or_default());
            let mut attempt = retry.template.clone();
            let started = match replace_in(&mut attempt, &scope, Unresolved::Keep) {
                Ok(()) => self.start_processed(
                    &child_name,
                    &retry.template_name,
                    attempt,
                    retry.boundary.as_ref(),
                    retry.this.exit_handler,
                ),
                Err(message) => {
                    self.create_node(
                        &child_name,
                        NodeType::Skipped,
                        Some(&retry.template_name),
                        retry.boundary.as_ref(),
                        Phase::Error,
                        Some(message.clone()),
                        None,
                    );
                    Err(message)
                }
            };
            if let Ok(running) = started {
                running.await;
            }
            let next = match self.after_attempt(&retry).await {
                Ok(next) => next,
                Err(message) => Next::End(Phase::Error, Some(message)),
            };
            if let Next::End(phase, message) = next {
                let last = self.nodes.get(&self.id(&child_name));
                self.nodes.update(&id, |node| node.outputs = last.and_then(|n| n.outputs));
                self.nodes.finish(&id, phase, message);
                return;
            }
        }
    }

    /// What follows the last attempt of `retry` (Argo's `processNodeRetries`);
    /// an error ends the Retry node as Error with its message.
    async fn after_attempt(&self, retry: &Retry) -> Result<Next, String> {
        let attempts: Vec<Node> = self
            .nodes
            .get(&retry.this.id)
            .map(|n| n.children)
            .unwrap_or_default()
            .iter()
            .filter_map(|id| self.nodes.get(id))
            .filter(|n| !n.hooked)
            .collect();
        let (Some(first), Some(last)) = (attempts.first(), attempts.last()) else {
            return Ok(Next::Again);
        };
        if !last.phase.failed_or_error() {
            return Ok(Next::End(Phase::Succeeded, None));
        }
        if let Some(deadline) = self.deadline.filter(|_| self.past_deadline()) {
            let message = format!("retry exceeded workflow deadline {}", deadline.format("%Y-%m-%d %H:%M:%S %z UTC"));
            return Ok(Next::End(last.phase, Some(message)));
        }
        let strategy = &retry.strategy;
        let limit = match strategy.get("limit") {
            None | Some(Value::Null) => None,
            Some(limit) => Some(int_or_string(limit, "retryStrategy.limit")?),
        };
        if let Some(backoff) = strategy.get("backoff").filter(|b| !b.is_null()) {
            let text = |key: &str| backoff.get(key).map(super::nodes::parameter_text).filter(|t| !t.is_empty());
            let mut max_deadline: Option<DateTime<Utc>> = None;
            if let Some(max) = text("maxDuration") {
                let max = go_duration(&max)?;
                let deadline = first.started_at + max;
                if Utc::now() > deadline {
                    return Ok(Next::End(last.phase, Some("Max duration limit exceeded".into())));
                }
                max_deadline = Some(deadline);
            }
            let base = go_duration(&text("duration").ok_or("no base duration specified for retryStrategy")?)?;
            let mut wait = base;
            let factor = match backoff.get("factor") {
                None | Some(Value::Null) => None,
                Some(factor) => Some(int_or_string(factor, "retryStrategy.backoff.factor")?),
            };
            if let Some(factor) = factor.filter(|f| *f > 0) {
                let times = (factor as f64).powi(attempts.len() as i32 - 1);
                wait = chrono::Duration::from_std(Duration::from_secs_f64(
                    (base.num_milliseconds() as f64 / 1000.0 * times).min(1e12),
                ))
                .unwrap_or(chrono::Duration::MAX);
            }
            if let Some(cap) = text("cap") {
                wait = wait.min(go_duration(&cap)?);
            }
            let finished = last.finished_at.unwrap_or_else(Utc::now);
            let waiting_deadline = finished + wait;
            if max_deadline.is_some_and(|max| waiting_deadline > max) {
                return Ok(Next::End(last.phase, Some("Backoff would exceed max duration limit".into())));
            }
            if Utc::now() < waiting_deadline && limit.is_some_and(|limit| attempts.len() as i64 <= limit) {
                self.nodes.set_message(&retry.this.id, Some(format!("Backoff for {}", humanize(wait))));
                tokio::time::sleep((waiting_deadline - Utc::now()).to_std().unwrap_or_default()).await;
            }
            self.nodes.set_message(&retry.this.id, None);
        }
        let (on_failed, on_error) = match policy(strategy).as_str() {
            "Always" => (true, true),
            "OnError" => (false, true),
            "OnFailure" => (true, false),
            "OnTransientError" => {
                let transient = is_transient(last.message.as_deref().unwrap_or_default());
                (transient, transient)
            }
            other => return Err(format!("{other} is not a valid RetryPolicy")),
        };
        if (last.phase == Phase::Failed && !on_failed) || (last.phase == Phase::Error && !on_error) {
            return Ok(Next::End(last.phase, Some(last.message.clone().unwrap_or_default())));
        }
        if limit.is_some_and(|limit| attempts.len() as i64 > limit) {
            return Ok(Next::End(last.phase, Some("No more retries left".into())));
        }
        if let Some(expression) = strategy.get("expression").and_then(Value::as_str).filter(|e| !e.is_empty()) {
            let mut scope = std::collections::BTreeMap::new();
            let text = |t: String| Value::String(t);
            scope.insert("retries".to_owned(), text((attempts.len() - 1).to_string()));
            scope.insert("lastRetry.exitCode".to_owned(), text("-1".into()));
            scope.insert("lastRetry.status".to_owned(), text(last.phase.as_str().into()));
            scope.insert("lastRetry.duration".to_owned(), text(duration_seconds(last)));
            scope.insert("lastRetry.message".to_owned(), text(last.message.clone().unwrap_or_default()));
            let go_on = super::expressions::evaluate_bool(expression, &scope)?;
            if !go_on {
                return Ok(Next::End(last.phase, Some("retryStrategy.expression evaluated to false".into())));
            }
        }
        Ok(Next::Again)
    }
}

/// The policy in force: the one given, else `Always` when an expression
/// is given, else `OnFailure` (`RetryPolicyActual`, `workflow_types.go` 2396).
pub fn policy(strategy: &Value) -> String {
    match strategy.get("retryPolicy").and_then(Value::as_str).filter(|p| !p.is_empty()) {
        Some(policy) => policy.to_owned(),
        None if strategy.get("expression").and_then(Value::as_str).is_some_and(|e| !e.is_empty()) => "Always".into(),
        None => "OnFailure".into(),
    }
}

/// An int-or-string field (`limit`, `factor`) as a number.
fn int_or_string(value: &Value, field: &str) -> Result<i64, String> {
    match value {
        Value::Number(n) => n.as_i64().ok_or_else(|| format!("{field}: {n} is not an integer")),
        Value::String(text) => text.trim().parse().map_err(|_| format!("{field}: \"{text}\" is not an integer")),
        other => Err(format!("{field} must be an integer, not {other}")),
    }
}

/// A duration as Argo's `ParseStringToDuration` reads it: whole seconds, or a Go duration.
fn go_duration(text: &str) -> Result<chrono::Duration, String> {
    let duration = parse_go_duration(text).map_err(|problem| format!("invalid duration \"{text}\": {problem}"))?;
    chrono::Duration::from_std(duration).map_err(|e| e.to_string())
}

/// A node's duration in seconds as Go's `fmt.Sprint(float64)` writes it.
fn duration_seconds(node: &Node) -> String {
    let finished = node.finished_at.unwrap_or_else(Utc::now);
    let seconds = (finished - node.started_at).num_microseconds().unwrap_or(0) as f64 / 1e6;
    go_float(seconds)
}

/// `%v` of a Go float64: the shortest text, an exponent below 1e-4 or from 1e21.
fn go_float(value: f64) -> String {
    if value != 0.0 && (value.abs() < 1e-4 || value.abs() >= 1e21) {
        let text = format!("{value:e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        let exponent: i32 = exponent.parse().unwrap_or(0);
        let sign = if exponent < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exponent.abs());
    }
    format!("{value}")
}

/// Argo's `humanize.Duration` for a wait (`util/humanize/humanize.go`).
fn humanize(wait: chrono::Duration) -> String {
    let seconds = wait.num_seconds();
    let unit = |n: i64, one: &str, many: &str| if n == 1 { format!("1 {one}") } else { format!("{n} {many}") };
    match seconds {
        s if s < 60 => unit(s, "second", "seconds"),
        s if s < 3600 => format!("{} {} seconds", unit(s / 60, "minute", "minutes"), s % 60),
        s if s < 86400 => format!("{} {} minutes", unit(s / 3600, "hour", "hours"), (s / 60) % 60),
        s => format!("{} {} hours", unit(s / 86400, "day", "days"), (s / 3600) % 24),
    }
}

/// Whether a failed attempt's message is one of the errors Argo takes for
/// transient (`util/errors/errors.go`: etcd, network, rate limiter, and
/// `TRANSIENT_ERROR_PATTERN`).
fn is_transient(message: &str) -> bool {
    const TRANSIENT: [&str; 17] = [
        "etcdserver: leader changed",
        "etcdserver: request timed out",
        "etcdserver: too many requests",
        "client rate limiter Wait returned an error",
        "unexpected error when reading response body",
        "stream error when reading response body",
        "Connection closed by foreign host",
        "net/http: TLS handshake timeout",
        "i/o timeout",
        "connection timed out",
        "connection reset by peer",
        "http2: client connection lost",
        "http2: server sent GOAWAY and closed the connection",
        "request did not complete within requested timeout",
        "connect: connection refused",
        "invalid connection",
        "unexpected EOF",
    ];
    if TRANSIENT.iter().any(|t| message.contains(t)) {
        return true;
    }
    std::env::var("TRANSIENT_ERROR_PATTERN")
        .ok()
        .filter(|p| !p.is_empty())
        .and_then(|pattern| regex::Regex::new(&pattern).ok())
        .is_some_and(|pattern| pattern.is_match(message))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_policy_defaults_as_argos_retry_policy_actual() {
        assert_eq!(policy(&json!({"limit": 2})), "OnFailure");
        assert_eq!(policy(&json!({"expression": "retries < 2"})), "Always");
        assert_eq!(policy(&json!({"expression": "x", "retryPolicy": "OnError"})), "OnError");
    }

    #[test]
    fn waits_are_humanized_as_argo_does() {
        assert_eq!(humanize(chrono::Duration::seconds(1)), "1 second");
        assert_eq!(humanize(chrono::Duration::seconds(0)), "0 seconds");
        assert_eq!(humanize(chrono::Duration::seconds(90)), "1 minute 30 seconds");
        assert_eq!(humanize(chrono::Duration::seconds(7260)), "2 hours 1 minutes");
    }

    #[test]
    fn durations_are_gos_float_text() {
        assert_eq!(go_float(0.25), "0.25");
        assert_eq!(go_float(2.0), "2");
        assert_eq!(go_float(0.00005), "5e-05");
        assert_eq!(go_float(0.0), "0");
    }

    #[test]
    fn transient_messages_are_argos() {
        assert!(is_transient("dial tcp 10.0.0.1:80: connect: connection refused"));
        assert!(!is_transient("deliberately failed"));
    }
}
