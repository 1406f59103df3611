//! The wasmtime engine shared by all runs, and the clock behind timeouts.
//!
//! Timeouts use epoch interruption: one background thread advances the
//! engine's epoch every [`TICK`], and each run's store gets a deadline that
//! many ticks ahead, so runs sharing the engine do not disturb each other.

use std::sync::Once;
use std::time::Duration;

use wasmtime::{Config, Engine};

/// How often the epoch advances: the resolution of timeouts.
pub const TICK: Duration = Duration::from_millis(10);

/// An engine configured for running steps.
pub(crate) fn new_engine() -> wasmtime::Result<Engine> {
    let mut config = Config::new();
    config.epoch_interruption(true);
    Engine::new(&config)
}

/// Starts (once per engine) the thread that advances `engine`'s epoch.
pub(crate) fn start_ticker(engine: &Engine, started: &Once) {
    started.call_once(|| {
        let engine = engine.weak();
        std::thread::Builder::new()
            .name("wasm-workflows-epoch".into())
            .spawn(move || {
                while let Some(engine) = engine.upgrade() {
                    engine.increment_epoch();
                    drop(engine);
                    std::thread::sleep(TICK);
                }
            })
            .expect("spawn the epoch thread");
    });
}

/// No deadline: far enough that wasmtime's `current + ticks` cannot overflow.
const NEVER: u64 = u64::MAX / 2;

/// The epoch deadline for `timeout`: the ticks it spans, plus one.
pub(crate) fn deadline_ticks(timeout: Option<Duration>) -> u64 {
    match timeout {
        None => NEVER,
        Some(timeout) => u64::try_from(timeout.as_nanos() / TICK.as_nanos()).unwrap_or(NEVER).min(NEVER) + 1,
    }
}
