//! Logging for steps, through the [`log`](https://docs.rs/log) facade: the
//! runtime installs a logger that writes each record as a line on stderr,
//! `[info] message`, which the host keeps in the step's log. Records from
//! the module's dependencies appear there too.
//!
//! This module re-exports the facade's macros and types, so a module needs
//! no `log` dependency of its own, and keeps the SDK's plain functions:
//!
//! ```
//! use wasm_workflows_sdk::log;
//!
//! log::info!("resizing to {}x{}", 640, 480);
//! log::warn(format_args!("{} pixels is a lot", 640 * 480));
//! ```
//!
//! Records up to `Info` are written; a step that wants more calls
//! `log::set_max_level(log::LevelFilter::Debug)`. A module that installs
//! its own logger first keeps it.

use std::fmt::Display;

pub use ::log::{
    Level, LevelFilter, Log, Metadata, Record, debug, error, info, log, log_enabled, max_level, set_max_level, trace,
    warn,
};

/// The logger the runtime installs: a line on stderr per record.
struct StepLogger;

impl Log for StepLogger {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() <= ::log::max_level()
    }

    // The macros only pass records within the max level.
    fn log(&self, record: &Record<'_>) {
        const NAMES: [&str; 5] = ["error", "warn", "info", "debug", "trace"];
        eprintln!("[{}] {}", NAMES[record.level() as usize - 1], record.args());
    }

    fn flush(&self) {}
}

/// Installs the step logger, unless a logger is already installed.
pub(crate) fn install() {
    static LOGGER: StepLogger = StepLogger;
    if ::log::set_logger(&LOGGER).is_ok() {
        ::log::set_max_level(LevelFilter::Info);
    }
}

/// What the runtime itself reports (a failed step, a result it cannot
/// write): always written, whatever the logger or its level.
pub(crate) fn step_error(message: impl Display) {
    eprintln!("[error] {message}");
}

/// Logs a debugging detail (shown when the max level is `Debug`).
pub fn debug(message: impl Display) {
    ::log::debug!("{message}");
}

/// Logs progress.
pub fn info(message: impl Display) {
    ::log::info!("{message}");
}

/// Logs something the workflow author should look at.
pub fn warn(message: impl Display) {
    ::log::warn!("{message}");
}

/// Logs a failure.
pub fn error(message: impl Display) {
    ::log::error!("{message}");
}
