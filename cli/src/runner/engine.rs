//! The wasmtime engine shared by all runs, and the clock behind timeouts.
//!
//! Timeouts use epoch interruption: one background thread advances the
//! engine's epoch every [`TICK`]. At every tick a running module yields to
//! the async runtime (so one busy module never starves the others, nor the
//! timer that stops it), and a module past its deadline is interrupted.
//! A module waiting on the host (asleep in `poll_oneoff`, on an HTTP
//! response) is stopped by the run's timer instead: every run is a future
//! inside `tokio::time::timeout`.

use std::sync::Once;
use std::time::{Duration, Instant};

use wasmtime::{Config, Engine, Store, UpdateDeadline};

/// How often the epoch advances: the resolution of timeouts.
pub const TICK: Duration = Duration::from_millis(10);

/// The deepest native stack a module's calls may use. Deeply recursive
/// guests (a jq program nesting 10,000 levels, say) need more than
/// wasmtime's default of 512 KiB; it is address space, touched only when used.
const MAX_WASM_STACK: usize = 8 << 20;

/// An engine configured for running steps.
pub(crate) fn new_engine() -> wasmtime::Result<Engine> {
    let mut config = Config::new();
    config.epoch_interruption(true);
    config.max_wasm_stack(MAX_WASM_STACK);
    config.async_stack_size(MAX_WASM_STACK + (1 << 20));
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

/// Makes `store` yield at every tick and trap once `deadline` (if any) has passed.
pub(crate) fn watch_deadline<T>(store: &mut Store<T>, deadline: Option<Instant>) {
    store.set_epoch_deadline(1);
    store.epoch_deadline_callback(move |_| match deadline {
        Some(deadline) if Instant::now() >= deadline => Ok(UpdateDeadline::Interrupt),
        _ => Ok(UpdateDeadline::Yield(1)),
    });
}
