//! Logging for steps: lines on stderr, which the host keeps in its log.
//!
//! ```
//! use wasm_workflows_sdk::log;
//! log::info(format_args!("resizing to {}x{}", 640, 480));
//! ```

use std::fmt::Display;

fn line(level: &str, message: impl Display) {
    eprintln!("[{level}] {message}");
}

/// Logs a debugging detail.
pub fn debug(message: impl Display) {
    line("debug", message);
}

/// Logs progress.
pub fn info(message: impl Display) {
    line("info", message);
}

/// Logs something the workflow author should look at.
pub fn warn(message: impl Display) {
    line("warn", message);
}

/// Logs a failure.
pub fn error(message: impl Display) {
    line("error", message);
}
