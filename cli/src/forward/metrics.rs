//! What a front counts for `GET /metrics`: steps forwarded and forward
//! errors by worker, steps lost and started again, workers known.

use crate::metrics::{Counter, Family, Text};

/// The front's metrics.
#[derive(Debug)]
pub struct FrontMetrics {
    /// Calls forwarded, by worker.
    pub forwarded: Family<Counter>,
    /// Calls that failed (unreachable, lost), by worker.
    pub forward_errors: Family<Counter>,
    /// Steps whose worker was gone: answered Failed.
    pub lost: Counter,
    /// Steps whose worker was gone, started again elsewhere (idempotent).
    pub repeated: Counter,
}

impl Default for FrontMetrics {
    fn default() -> Self {
        FrontMetrics {
            forwarded: Family::new("worker"),
            forward_errors: Family::new("worker"),
            lost: Counter::default(),
            repeated: Counter::default(),
        }
    }
}

impl FrontMetrics {
    /// The metrics in Prometheus' text format, with the workers and steps known now.
    pub fn text(&self, workers: usize, remembered: usize) -> String {
        let mut text = Text::default();
        text.gauge("wasm_workflows_pool_workers", "Workers the front knows now.", workers as i64);
        text.gauge(
            "wasm_workflows_front_steps_remembered",
            "Steps the front remembers the worker of.",
            remembered as i64,
        );
        text.counters("wasm_workflows_forwarded_total", "Calls forwarded, by worker.", &self.forwarded);
        text.counters("wasm_workflows_forward_errors_total", "Calls that failed, by worker.", &self.forward_errors);
        text.counter("wasm_workflows_steps_lost_total", "Steps whose worker was gone, answered Failed.", &self.lost);
        text.counter(
            "wasm_workflows_steps_repeated_total",
            "Steps whose worker was gone, started again elsewhere.",
            &self.repeated,
        );
        text.finish()
    }
}
