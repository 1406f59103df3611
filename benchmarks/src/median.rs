//! Repeated measurements reduced to one row.

use std::time::Duration;

/// Runs `run` once to warm up, then `runs` times: the median wall time, the
/// median CPU time and the highest peak memory (KiB) it reported.
pub fn medians(
    runs: usize,
    mut run: impl FnMut() -> (Duration, Duration, Option<i64>),
) -> (Duration, Duration, Option<i64>) {
    run();
    let (mut walls, mut cpus, mut peak) = (Vec::new(), Vec::new(), None);
    for _ in 0..runs {
        let (wall, cpu, rss) = run();
        walls.push(wall);
        cpus.push(cpu);
        peak = peak.max(rss);
    }
    walls.sort();
    cpus.sort();
    (walls[runs / 2], cpus[runs / 2], peak)
}
