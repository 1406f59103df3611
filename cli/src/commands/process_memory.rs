//! What `serve` does so that its memory stays level over a long life, with
//! steps of every kind coming and going: the threads its runtime may keep
//! for blocking work, and glibc's allocator (the shipping image is built
//! against musl; the dev and test builds against glibc). Figures in
//! docs/benchmarks.md ("`serve` soak").

use std::time::Duration;

/// Threads for blocking work beside the ones a step may hold: looking up
/// registries' and artifact stores' names, the module cache's files.
const BLOCKING_THREADS_BESIDE_STEPS: usize = 8;

/// How often the allocator is asked to give back the memory freed since.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const TRIM_INTERVAL: Duration = Duration::from_secs(10);

/// The most threads `serve`'s runtime keeps for blocking work, with
/// `max_concurrent` steps at once. A step holds at most one blocking task
/// at a time (its work directory made, measured or removed, its inputs
/// written, its result read, its module compiled or unpacked) and, when
/// that task runs on its own worker (`block_in_place`), one more thread to
/// take that worker's other tasks: two a step, and a few beside. Past that,
/// blocking tasks wait in tokio's queue. Without a bound (tokio's default
/// is 512), the pool kept the most threads a burst had needed: an idle
/// thread ends after 10 s, but the good steps' blocking work woke the idle
/// ones in turn, so none stayed idle that long (23 threads grew to 40 in
/// a soak, and stayed).
pub(crate) fn max_blocking_threads(max_concurrent: usize) -> usize {
    max_concurrent.max(1).saturating_mul(2).saturating_add(BLOCKING_THREADS_BESIDE_STEPS).min(512)
}

/// On glibc, one malloc arena for the whole process. By default glibc gives
/// threads that allocate at once arenas of their own (up to 8 a core) and
/// each keeps the memory it held at its peak: a host whose steps now and
/// then make it hold many or large buffers for a moment (a result listing
/// 5,000 artifacts, a flooded log, the walk of 100,000 folders) grew by
/// every arena's peak, 36 MiB over a 10-minute soak (docs/benchmarks.md).
/// One arena is what musl, the shipping image's allocator, has anyway.
/// Called before the process starts any thread.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub(crate) fn one_malloc_arena() {
    // SAFETY: mallopt only sets a parameter of glibc's allocator; it is
    // called before the process starts any thread of its own.
    unsafe { libc::mallopt(libc::M_ARENA_MAX, 1) };
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub(crate) fn one_malloc_arena() {}

/// On glibc, every [`TRIM_INTERVAL`], gives the pages freed in the heap
/// back to the system (`malloc_trim`). glibc gives back only the free
/// memory at the heap's top, past a threshold: what a step freed below a
/// block that lives on (a compiled module kept, a connection's buffer)
/// stays resident, so each large moment of a hostile step (a flooded log,
/// a large result, a deep walk) left the heap's high mark a little higher.
/// `malloc_trim` also returns the whole free pages inside the heap. Runs
/// on the runtime it is spawned on, for ever.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub(crate) async fn give_back_freed_memory() {
    let mut interval = tokio::time::interval(TRIM_INTERVAL);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        // SAFETY: malloc_trim only returns free memory to the system; it
        // takes the allocator's locks itself.
        let trim = || unsafe { libc::malloc_trim(0) };
        if let Err(error) = tokio::task::spawn_blocking(trim).await {
            tracing::warn!("malloc_trim did not run: {error}");
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub(crate) async fn give_back_freed_memory() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocking_threads_follow_the_steps_allowed_at_once() {
        assert_eq!(max_blocking_threads(4), 16);
        assert_eq!(max_blocking_threads(1), 10);
        // --max-concurrent 0 runs one step at a time (the step runner's permits).
        assert_eq!(max_blocking_threads(0), 10);
        assert_eq!(max_blocking_threads(100), 208);
        assert_eq!(max_blocking_threads(usize::MAX), 512);
    }
}
