//! What an operator watches: counters, gauges and histograms, written in
//! Prometheus' text format (`GET /metrics` on workers and fronts).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The content type of the text format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// A number that only goes up.
#[derive(Debug, Default)]
pub struct Counter(AtomicU64);

impl Counter {
    /// Adds one.
    pub fn inc(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    /// The count.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// A number that goes up and down.
#[derive(Debug, Default)]
pub struct Gauge(AtomicI64);

impl Gauge {
    /// Adds one.
    pub fn inc(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    /// Takes one away.
    pub fn dec(&self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }

    /// Sets it.
    pub fn set(&self, value: i64) {
        self.0.store(value, Ordering::Relaxed);
    }

    /// The value.
    pub fn get(&self) -> i64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// One more while it lives: a gauge of things in progress.
pub struct InProgress<'a>(&'a Gauge);

impl<'a> InProgress<'a> {
    /// Counts one more in `gauge` until dropped.
    pub fn of(gauge: &'a Gauge) -> Self {
        gauge.inc();
        InProgress(gauge)
    }
}

impl Drop for InProgress<'_> {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// How long things took, in buckets of seconds.
#[derive(Debug)]
pub struct Histogram {
    bounds: &'static [f64],
    buckets: Vec<AtomicU64>,
    count: AtomicU64,
    sum_micros: AtomicU64,
}

/// Buckets for step durations: 1 ms to 10 min.
pub const STEP_BUCKETS: &[f64] = &[0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 600.0];

impl Histogram {
    /// A histogram with these upper bounds (seconds, increasing).
    pub fn new(bounds: &'static [f64]) -> Self {
        Histogram {
            bounds,
            buckets: bounds.iter().map(|_| AtomicU64::new(0)).collect(),
            count: AtomicU64::new(0),
            sum_micros: AtomicU64::new(0),
        }
    }

    /// Counts one that took `took`.
    pub fn observe(&self, took: Duration) {
        let seconds = took.as_secs_f64();
        for (bound, bucket) in self.bounds.iter().zip(&self.buckets) {
            if seconds <= *bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros.fetch_add(u64::try_from(took.as_micros()).unwrap_or(u64::MAX), Ordering::Relaxed);
    }
}

/// How many values a label takes at most; later values are counted under
/// [`OTHER`], so that no client can grow `/metrics` (and the host's memory)
/// by sending new module references or worker names without end.
pub const MAX_LABEL_VALUES: usize = 200;

/// The label value past [`MAX_LABEL_VALUES`].
pub const OTHER: &str = "other";

/// Metrics of one kind told apart by one label's value (at most
/// [`MAX_LABEL_VALUES`] of them, then [`OTHER`]).
#[derive(Debug)]
pub struct Family<M> {
    label: &'static str,
    members: Mutex<BTreeMap<String, Arc<M>>>,
}

impl<M> Family<M> {
    /// A family whose members are told apart by `label`.
    pub fn new(label: &'static str) -> Self {
        Family { label, members: Mutex::new(BTreeMap::new()) }
    }

    /// The member for `value`, made with `make` the first time.
    pub fn get_or(&self, value: &str, make: impl FnOnce() -> M) -> Arc<M> {
        let mut members = self.members.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(member) = members.get(value) {
            return member.clone();
        }
        let value = match members.len() < MAX_LABEL_VALUES {
            true => value,
            false => OTHER,
        };
        members.entry(value.to_owned()).or_insert_with(|| Arc::new(make())).clone()
    }

    fn each(&self) -> Vec<(String, Arc<M>)> {
        let members = self.members.lock().unwrap_or_else(|p| p.into_inner());
        members.iter().map(|(value, member)| (value.clone(), member.clone())).collect()
    }
}

impl<M: Default> Family<M> {
    /// The member for `value`.
    pub fn get(&self, value: &str) -> Arc<M> {
        self.get_or(value, M::default)
    }
}

/// A label value as the text format writes it.
fn escaped(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// Writes metrics in the text format.
#[derive(Default)]
pub struct Text(String);

impl Text {
    fn head(&mut self, name: &str, help: &str, kind: &str) {
        let _ = writeln!(self.0, "# HELP {name} {help}\n# TYPE {name} {kind}");
    }

    /// A counter.
    pub fn counter(&mut self, name: &str, help: &str, counter: &Counter) {
        self.head(name, help, "counter");
        let _ = writeln!(self.0, "{name} {}", counter.get());
    }

    /// A gauge.
    pub fn gauge(&mut self, name: &str, help: &str, value: i64) {
        self.head(name, help, "gauge");
        let _ = writeln!(self.0, "{name} {value}");
    }

    /// A family of counters.
    pub fn counters(&mut self, name: &str, help: &str, family: &Family<Counter>) {
        self.head(name, help, "counter");
        for (value, counter) in family.each() {
            let _ = writeln!(self.0, "{name}{{{}=\"{}\"}} {}", family.label, escaped(&value), counter.get());
        }
    }

    /// A family of histograms.
    pub fn histograms(&mut self, name: &str, help: &str, family: &Family<Histogram>) {
        self.head(name, help, "histogram");
        for (value, histogram) in family.each() {
            let label = format!("{}=\"{}\"", family.label, escaped(&value));
            for (bound, bucket) in histogram.bounds.iter().zip(&histogram.buckets) {
                let _ = writeln!(self.0, "{name}_bucket{{{label},le=\"{bound}\"}} {}", bucket.load(Ordering::Relaxed));
            }
            let count = histogram.count.load(Ordering::Relaxed);
            let sum = histogram.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
            let _ = writeln!(self.0, "{name}_bucket{{{label},le=\"+Inf\"}} {count}");
            let _ = writeln!(self.0, "{name}_sum{{{label}}} {sum}");
            let _ = writeln!(self.0, "{name}_count{{{label}}} {count}");
        }
    }

    /// The text.
    pub fn finish(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_takes_a_bounded_set_of_values() {
        let family: Family<Counter> = Family::new("module");
        for i in 0..MAX_LABEL_VALUES + 50 {
            family.get(&format!("registry.example/module-{i}:1")).inc();
        }
        let members = family.each();
        assert_eq!(members.len(), MAX_LABEL_VALUES + 1);
        let other = members.iter().find(|(value, _)| value == OTHER).expect("an `other` member");
        assert_eq!(other.1.get(), 50);
        family.get("registry.example/module-0:1").inc();
        assert_eq!(family.get("registry.example/module-0:1").get(), 2, "a value seen before keeps its own member");
    }

    #[test]
    fn the_text_format() {
        let steps: Family<Counter> = Family::new("phase");
        steps.get("Succeeded").inc();
        steps.get("Succeeded").inc();
        steps.get("Failed").inc();
        let durations: Family<Histogram> = Family::new("module");
        durations.get_or("r/m:1", || Histogram::new(&[0.1, 1.0])).observe(Duration::from_millis(50));
        let running = Gauge::default();
        {
            let _one = InProgress::of(&running);
            assert_eq!(running.get(), 1);
        }
        let mut text = Text::default();
        text.counters("steps_total", "Steps.", &steps);
        text.histograms("step_seconds", "Durations.", &durations);
        text.gauge("running", "Running.", running.get());
        assert_eq!(
            text.finish(),
            "# HELP steps_total Steps.\n# TYPE steps_total counter\nsteps_total{phase=\"Failed\"} 1\n\
             steps_total{phase=\"Succeeded\"} 2\n# HELP step_seconds Durations.\n# TYPE step_seconds histogram\n\
             step_seconds_bucket{module=\"r/m:1\",le=\"0.1\"} 1\nstep_seconds_bucket{module=\"r/m:1\",le=\"1\"} 1\n\
             step_seconds_bucket{module=\"r/m:1\",le=\"+Inf\"} 1\nstep_seconds_sum{module=\"r/m:1\"} 0.05\n\
             step_seconds_count{module=\"r/m:1\"} 1\n# HELP running Running.\n# TYPE running gauge\nrunning 0\n"
        );
    }
}
