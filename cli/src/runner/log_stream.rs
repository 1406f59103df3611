//! Where a module's stdout and stderr go: the host's stderr (its stdout
//! carries the node), a line at a time, as they are ([`LogLines::Raw`],
//! `run`) or as log events in the step's span, which names its workflow
//! and template ([`LogLines::Events`], `serve`, which runs many steps at
//! once), or a line at a time to a function ([`LogLines::To`], a workflow
//! run's display, which names each line's node); and at most a set number
//! of bytes per run. A module that writes more is stopped: a step must not
//! fill the host's log, nor spin writing for ever.

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
    written: u64,
    max: u64,
    exceeded: bool,
}

impl StepLog {
    /// A log writing `lines` so, taking at most `max` bytes.
    pub(crate) fn new(lines: LogLines, max: u64) -> Self {
        let state = LogState { lines, partial: Vec::new(), written: 0, max, exceeded: false };
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
            state.lines.write(&complete);
        } else {
            state.partial.extend_from_slice(bytes);
        }
        if over {
            state.exceeded = true;
            let rest = std::mem::take(&mut state.partial);
            state.lines.write(&rest);
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
        state.lines.write(&rest);
    }

    /// The limit, when the module passed it.
    pub(crate) fn exceeded(&self) -> Option<u64> {
        let state = self.state();
        state.exceeded.then_some(state.max)
    }
}

impl LogLines {
    /// Writes `text` (complete lines, or a last part without its newline).
    fn write(&self, text: &[u8]) {
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
                    tracing::info!(target: "module", "{}", String::from_utf8_lossy(line));
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
