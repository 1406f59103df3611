//! What a host counts for `GET /metrics`: steps running and queued, steps
//! ended by phase, step durations by module, pulls, compilations and cache
//! hits, what is kept in memory (compiled modules, their bytes, the
//! references remembered), and new steps refused.

use crate::metrics::{Counter, Family, Gauge, Histogram, STEP_BUCKETS, Text};

/// The host's metrics.
#[derive(Debug)]
pub struct HostMetrics {
    /// Steps whose module runs now.
    pub steps_running: Gauge,
    /// Steps waiting for a slot (`--max-concurrent`).
    pub steps_queued: Gauge,
    /// Steps ended, by phase.
    pub steps: Family<Counter>,
    /// How long steps took, by module.
    pub step_seconds: Family<Histogram>,
    /// Modules pulled from a registry.
    pub pulls: Counter,
    /// Modules compiled.
    pub compilations: Counter,
    /// Modules found compiled, by where (`memory`, `disk`).
    pub cache_hits: Family<Counter>,
    /// Compiled modules kept in memory (at most `--max-compiled-modules`).
    pub compiled_modules: Gauge,
    /// Bytes of compiled code kept in memory (at most `--max-compiled-mib`).
    pub compiled_bytes: Gauge,
    /// Module references whose digests are remembered.
    pub module_references: Gauge,
    /// New steps answered 503, by why (`full`, `draining`).
    pub refused: Family<Counter>,
}

impl Default for HostMetrics {
    fn default() -> Self {
        HostMetrics {
            steps_running: Gauge::default(),
            steps_queued: Gauge::default(),
            steps: Family::new("phase"),
            step_seconds: Family::new("module"),
            pulls: Counter::default(),
            compilations: Counter::default(),
            cache_hits: Family::new("where"),
            compiled_modules: Gauge::default(),
            compiled_bytes: Gauge::default(),
            module_references: Gauge::default(),
            refused: Family::new("reason"),
        }
    }
}

impl HostMetrics {
    /// Counts a step's duration for `module`.
    pub fn step_took(&self, module: &str, took: std::time::Duration) {
        self.step_seconds.get_or(module, || Histogram::new(STEP_BUCKETS)).observe(took);
    }

    /// The metrics in Prometheus' text format.
    pub fn text(&self) -> String {
        let mut text = Text::default();
        text.gauge("wasm_workflows_steps_running", "Steps whose module runs now.", self.steps_running.get());
        text.gauge(
            "wasm_workflows_steps_queued",
            "Steps waiting for a slot (--max-concurrent).",
            self.steps_queued.get(),
        );
        text.counters("wasm_workflows_steps_total", "Steps ended, by phase.", &self.steps);
        text.histograms("wasm_workflows_step_duration_seconds", "How long steps took, by module.", &self.step_seconds);
        text.counter("wasm_workflows_pulls_total", "Modules pulled from a registry.", &self.pulls);
        text.counter("wasm_workflows_compilations_total", "Modules compiled.", &self.compilations);
        text.counters("wasm_workflows_module_cache_hits_total", "Modules found compiled, by where.", &self.cache_hits);
        text.gauge(
            "wasm_workflows_compiled_modules",
            "Compiled modules kept in memory (--max-compiled-modules).",
            self.compiled_modules.get(),
        );
        text.gauge(
            "wasm_workflows_compiled_module_bytes",
            "Bytes of compiled modules kept in memory (--max-compiled-mib).",
            self.compiled_bytes.get(),
        );
        text.gauge(
            "wasm_workflows_module_references",
            "Module references whose digests are remembered.",
            self.module_references.get(),
        );
        text.counters("wasm_workflows_steps_refused_total", "New steps answered 503, by why.", &self.refused);
        text.finish()
    }
}
