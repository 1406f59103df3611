//! Where a module's stdout and stderr go: the host's stderr (its stdout
//! carries the node), a line at a time, as they are ([`LogLines::Raw`],
//! `run`) or as log events in the step's span, which names its workflow
//! and template ([`LogLines::Events`], `serve`, which runs many steps at
//! once), or a line at a time to a function ([`LogLines::To`], a workflow
//! run's display, which names each line's node); and at most a set number
//! of bytes per run. A module that writes more is stopped: a step must not
//! fill the host's log, nor spin writing for ever. As events, a long line
//! is logged in parts of at most [`LOGGED_PART`] bytes, the later ones
//! marked `continued`: nothing is lost, and the host never holds more than
//! a part of a line to log it (a module's 1 MiB line was one 1 MiB event,
//! a buffer as large formatted at once in the process shared by every step).

use std::io::Write;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use tokio::io::AsyncWrite;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamError, StreamResult};

/// How much a module may write to stdout and stderr together when the host
/// sets no limit.
pub const DEFAULT_MAX_LOG: u64 = 1 << 20;

/// The most bytes one write may carry (what a stream's `check_write` allows).
const WRITE_PERMIT: usize = 64 << 10;

/// The most bytes of a line logged as one event ([`LogLines::Events`]);
/// what follows is logged in further events marked `continued`.
pub const LOGGED_PART: usize = 8 << 10;

/// How a module's lines reach the host's log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum LogLines {
    /// Written to stderr as they are.
    #[default]
    Raw,
    /// Each an event (target `module`) in the current span.
    Events,
    /// Each given to a function, without its newline (a workflow run's
    /// display, which names the step's node); the host's notes as `[host] …`.
    To(LineSink),
}

/// A function that takes a step's log lines one at a time.
#[derive(Clone)]
pub struct LineSink(Arc<dyn Fn(&str) + Send + Sync>);

impl LineSink {
    /// A sink that gives each line to `take`.
    pub fn new(take: impl Fn(&str) + Send + Sync + 'static) -> LineSink {
        LineSink(Arc::new(take))
    }
}

impl std::fmt::Debug for LineSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LineSink")
    }
}

/// Two sinks are the same when they are one function.
impl PartialEq for LineSink {
    fn eq(&self, other: &LineSink) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for LineSink {}

/// The log of one run: both of the module's output streams write to it.
#[derive(Clone)]
pub(crate) struct StepLog {
    state: Arc<Mutex<LogState>>,
}

struct LogState {
    lines: LogLines,
    partial: Vec<u8>,
    /// Whether the line being written has had a part logged already.
    continuing: bool,
    written: u64,
    max: u64,
    exceeded: bool,
}

impl StepLog {
    /// A log writing `lines` so, taking at most `max` bytes.
    pub(crate) fn new(lines: LogLines, max: u64) -> Self {
        let state = LogState { lines, partial: Vec::new(), continuing: false, written: 0, max, exceeded: false };
        StepLog { state: Arc::new(Mutex::new(state)) }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, LogState> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Writes `bytes`; complete lines go to the host's log at once (raw
    /// lines in one write). What passes the limit is dropped and the module
    /// is told so.
    fn write(&self, bytes: &[u8]) -> Result<(), ()> {
        let mut state = self.state();
        if state.exceeded {
            return Err(());
        }
        let room = state.max.saturating_sub(state.written);
        let over = bytes.len() as u64 > room;
        let bytes = if over { &bytes[..room as usize] } else { bytes };
        state.written += bytes.len() as u64;
        if let Some(last_newline) = bytes.iter().rposition(|b| *b == b'\n') {
            let mut complete = std::mem::take(&mut state.partial);
            complete.extend_from_slice(&bytes[..=last_newline]);
            state.partial.extend_from_slice(&bytes[last_newline + 1..]);
            state.put(&complete);
        } else {
            state.partial.extend_from_slice(bytes);
        }
        state.log_long_partial();
        if over {
            state.exceeded = true;
            let rest = std::mem::take(&mut state.partial);
            state.put(&rest);
            state
                .lines
                .note(&format!("the module wrote more than {} bytes to stdout and stderr and is stopped", state.max));
            return Err(());
        }
        Ok(())
    }

    /// Writes a note of the host's about this run (not counted).
    pub(crate) fn note(&self, text: &str) {
        self.state().lines.note(text);
    }

    /// Writes out a last line without its newline.
    pub(crate) fn finish(&self) {
        let mut state = self.state();
        let rest = std::mem::take(&mut state.partial);
        state.put(&rest);
    }

    /// The limit, when the module passed it.
    pub(crate) fn exceeded(&self) -> Option<u64> {
        let state = self.state();
        state.exceeded.then_some(state.max)
    }
}

impl LogState {
    /// Writes `text`: complete lines, or a last part without its newline,
    /// which ends the line unless the module writes more of it.
    fn put(&mut self, text: &[u8]) {
        self.lines.write(text, &mut self.continuing);
    }

    /// As events, logs the parts of a line not ended yet that fill
    /// [`LOGGED_PART`], so that a line is not held whole to be logged.
    fn log_long_partial(&mut self) {
        if self.lines != LogLines::Events || self.partial.len() < LOGGED_PART {
            return;
        }
        let mut logged = 0;
        while self.partial.len() - logged >= LOGGED_PART {
            let end = logged + part_end(&self.partial[logged..]);
            log_event(&self.partial[logged..end], self.continuing);
            self.continuing = true;
            logged = end;
        }
        self.partial.drain(..logged);
    }
}

/// Logs `line` (without its newline) as events of at most [`LOGGED_PART`]
/// bytes; `continuing` when a part of the line was logged before.
fn log_event_parts(mut line: &[u8], mut continuing: bool) {
    loop {
        let end = part_end(line);
        log_event(&line[..end], continuing);
        line = &line[end..];
        if line.is_empty() {
            return;
        }
        continuing = true;
    }
}

fn log_event(part: &[u8], continued: bool) {
    let text = String::from_utf8_lossy(part);
    if continued {
        tracing::info!(target: "module", continued = true, "{text}");
    } else {
        tracing::info!(target: "module", "{text}");
    }
}

/// Where the first part of `bytes` ends: all of it if it fits in
/// [`LOGGED_PART`], else at most that, not inside a UTF-8 character (a
/// character cut in two would be logged as two replacement characters).
fn part_end(bytes: &[u8]) -> usize {
    if bytes.len() <= LOGGED_PART {
        return bytes.len();
    }
    let is_continuation_byte = |b: u8| b & 0b1100_0000 == 0b1000_0000;
    // A UTF-8 character is at most 4 bytes: a cut is never moved back more than 3.
    (LOGGED_PART - 3..=LOGGED_PART).rev().find(|&end| !is_continuation_byte(bytes[end])).unwrap_or(LOGGED_PART)
}

impl LogLines {
    /// Writes `text` (complete lines, or a last part without its newline);
    /// `continuing` when part of its first line was logged already (as
    /// events), and then no longer.
    fn write(&self, text: &[u8], continuing: &mut bool) {
        if text.is_empty() {
            return;
        }
        match self {
            LogLines::Raw => {
                let mut stderr = std::io::stderr().lock();
                let _ = stderr.write_all(text);
                if !text.ends_with(b"\n") {
                    let _ = stderr.write_all(b"\n");
                }
            }
            LogLines::Events => {
                for line in text.strip_suffix(b"\n").unwrap_or(text).split(|b| *b == b'\n') {
                    let continued = std::mem::take(continuing);
                    // The newline that ends a line whose parts are all logged.
                    if continued && line.is_empty() {
                        continue;
                    }
                    log_event_parts(line, continued);
                }
            }
            LogLines::To(sink) => {
                for line in text.strip_suffix(b"\n").unwrap_or(text).split(|b| *b == b'\n') {
                    (sink.0)(&String::from_utf8_lossy(line));
                }
            }
        }
    }

    fn note(&self, text: &str) {
        match self {
            LogLines::Raw => {
                let _ = writeln!(std::io::stderr().lock(), "[host] {text}");
            }
            LogLines::Events => tracing::warn!("{text}"),
            LogLines::To(sink) => (sink.0)(&format!("[host] {text}")),
        }
    }
}

impl IsTerminal for StepLog {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for StepLog {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(LogOutput(self.clone()))
    }

    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(LogOutput(self.clone()))
    }
}

/// One of the module's handles on the log.
struct LogOutput(StepLog);

fn too_much() -> StreamError {
    StreamError::trap("the module wrote more than its log may hold")
}

impl OutputStream for LogOutput {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.0.write(&bytes).map_err(|()| too_much())
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        match self.0.exceeded() {
            Some(_) => Err(too_much()),
            None => Ok(WRITE_PERMIT),
        }
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for LogOutput {
    async fn ready(&mut self) {}
}

impl AsyncWrite for LogOutput {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, bytes: &[u8]) -> Poll<std::io::Result<usize>> {
        Poll::Ready(self.0.write(bytes).map(|()| bytes.len()).map_err(|()| std::io::Error::other("the log is full")))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// The events a step's log makes while `write` runs, as JSON objects.
    fn events_of(write: impl FnOnce(&StepLog)) -> Vec<serde_json::Value> {
        #[derive(Clone, Default)]
        struct Captured(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Captured {
            fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(bytes);
                Ok(bytes.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_writer(move || writer.clone())
            .with_max_level(tracing::Level::INFO)
            .finish();
        // Room for more than the 1 MiB line of a test.
        tracing::subscriber::with_default(subscriber, || write(&StepLog::new(LogLines::Events, 2 << 20)));
        let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        text.lines().map(|line| serde_json::from_str(line).unwrap()).collect()
    }

    fn message(event: &serde_json::Value) -> &str {
        event["fields"]["message"].as_str().unwrap()
    }

    fn continued(event: &serde_json::Value) -> bool {
        event["fields"]["continued"] == serde_json::Value::Bool(true)
    }

    #[test]
    fn short_lines_are_one_event_each() {
        let events = events_of(|log| {
            log.write(b"one\ntwo\n\nthr").unwrap();
            log.write(b"ee\nlast").unwrap();
            log.finish();
        });
        let messages: Vec<&str> = events.iter().map(message).collect();
        assert_eq!(messages, ["one", "two", "", "three", "last"]);
        assert!(events.iter().all(|event| !continued(event)));
    }

    #[test]
    fn a_long_line_is_logged_in_parts_with_nothing_lost() {
        // 1 MiB in one line, written as a module does (64 KiB at a time), then a short line.
        let line: Vec<u8> = (0..(1 << 20)).map(|i| b'a' + (i % 26) as u8).collect();
        let events = events_of(|log| {
            for chunk in line.chunks(WRITE_PERMIT) {
                log.write(chunk).unwrap();
            }
            log.write(b"\nafter\n").unwrap();
        });
        let (last, parts) = events.split_last().unwrap();
        assert_eq!(message(last), "after");
        assert!(!continued(last));
        assert_eq!(parts.len(), (1 << 20) / LOGGED_PART);
        assert!(parts.iter().all(|event| message(event).len() <= LOGGED_PART));
        assert!(!continued(&parts[0]));
        assert!(parts[1..].iter().all(continued));
        let joined: String = parts.iter().map(message).collect();
        assert_eq!(joined.as_bytes(), line);
    }

    #[test]
    fn a_long_line_written_at_once_is_logged_in_parts() {
        let line = "x".repeat(3 * LOGGED_PART + 5);
        let events = events_of(|log| {
            log.write(format!("{line}\n").as_bytes()).unwrap();
            log.finish();
        });
        let lengths: Vec<usize> = events.iter().map(|event| message(event).len()).collect();
        assert_eq!(lengths, [LOGGED_PART, LOGGED_PART, LOGGED_PART, 5]);
        assert_eq!(events.iter().map(continued).collect::<Vec<_>>(), [false, true, true, true]);
    }

    #[test]
    fn a_part_does_not_cut_a_character_in_two() {
        // "é" is 2 bytes: with one byte before them, the characters straddle every even cut.
        let line = format!("a{}", "é".repeat(LOGGED_PART));
        let events = events_of(|log| {
            log.write(line.as_bytes()).unwrap();
            log.finish();
        });
        assert!(events.len() > 1);
        assert!(events.iter().all(|event| !message(event).contains('\u{FFFD}')));
        let joined: String = events.iter().map(message).collect();
        assert_eq!(joined, line);
    }
}
