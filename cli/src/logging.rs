//! The log of `serve` (a host or a front): events through `tracing`, one
//! span per step naming its workflow and template (a module's own lines are
//! events in it), written to stderr as text for people or as JSON lines for
//! log collectors (`--log-format json`).

use tracing_subscriber::EnvFilter;

/// How log records are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One line of text a record.
    #[default]
    Text,
    /// One JSON object a line, for log collectors.
    Json,
}

/// Sends this process's records to stderr in `format`, at the level of
/// `$RUST_LOG` (default `info`; the original plugin's `$LOG_LEVEL` is read too).
pub fn init(format: LogFormat) {
    let filter = std::env::var("RUST_LOG")
        .or_else(|_| std::env::var("LOG_LEVEL"))
        .ok()
        .and_then(|level| EnvFilter::try_new(level.to_lowercase()).ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false);
    let _ = match format {
        LogFormat::Text => builder.with_ansi(false).try_init(),
        LogFormat::Json => builder.json().with_current_span(true).with_span_list(false).try_init(),
    };
}
