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

/// The runtime's own spans (wasmtime-wasi opens one at `info` for every
/// WASI call a module makes): off unless a filter names them, since they
/// cost a span per call and say nothing a step's log needs.
const RUNTIME_SPANS: &str = "wasmtime_wasi=warn,wasmtime_wasi_http=warn,wiggle=warn";

/// Sends this process's records to stderr in `format`, at the level of
/// `$RUST_LOG` (default `info`; the original plugin's `$LOG_LEVEL` is read too).
pub fn init(format: LogFormat) {
    let level = std::env::var("RUST_LOG").or_else(|_| std::env::var("LOG_LEVEL")).unwrap_or_default().to_lowercase();
    let directives = match level.as_str() {
        "" => format!("info,{RUNTIME_SPANS}"),
        named if named.contains("wasmtime") || named.contains("wiggle") => named.to_owned(),
        level => format!("{level},{RUNTIME_SPANS}"),
    };
    let filter = EnvFilter::try_new(&directives).unwrap_or_else(|_| EnvFilter::new(format!("info,{RUNTIME_SPANS}")));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false);
    let _ = match format {
        LogFormat::Text => builder.with_ansi(false).try_init(),
        LogFormat::Json => builder.json().with_current_span(true).with_span_list(false).try_init(),
    };
}
