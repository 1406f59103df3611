//! What a template may ask of its pod and report as metrics: pod-level
//! resources (`validatePodResources`, validate.go 702-720), resource
//! claims only where there is a pod (validate.go 548-558), and Prometheus
//! metrics' names, labels, help and values (validate.go 600-618,
//! `workflow/metrics/util.go`).

use serde_json::Value;

use super::{list, text};

/// Argo's `validatePodResources`: only cpu, memory and hugepages-*, and no claims.
pub fn pod_resources(prefix: &str, resources: Option<&Value>) -> Result<(), String> {
    let Some(resources) = resources.filter(|r| !r.is_null()) else {
        return Ok(());
    };
    if list(resources.get("claims")).next().is_some() {
        return Err(format!("{prefix}.claims is not supported for pod-level resources"));
    }
    for kind in ["limits", "requests"] {
        for name in resources.get(kind).and_then(Value::as_object).into_iter().flat_map(|m| m.keys()) {
            if name != "cpu" && name != "memory" && !name.starts_with("hugepages-") {
                return Err(format!(
                    "{prefix}: {name:?} is not a valid pod-level resource, only cpu, memory and hugepages-* are supported"
                ));
            }
        }
    }
    Ok(())
}

/// Whether `name` is a Prometheus metric name without colons (`IsValidMetricName`).
fn valid_metric_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The checks of a template's `metrics.prometheus`.
pub fn metrics(template: &Value) -> Result<(), String> {
    let name = text(template, "name");
    for metric in list(template.pointer("/metrics/prometheus")) {
        let metric_name = text(metric, "name");
        if !valid_metric_name(metric_name) {
            return Err(format!(
                "templates.{name} metric name '{metric_name}' is invalid. Metric names must contain alphanumeric characters or '_'"
            ));
        }
        for label in list(metric.get("labels")) {
            let key = text(label, "key");
            if !valid_metric_name(key) {
                return Err(format!(
                    "metric label '{key}' is invalid: keys may only contain alphanumeric characters or '_'"
                ));
            }
        }
        if text(metric, "help").is_empty() {
            return Err(format!(
                "templates.{name} metric '{metric_name}' must contain a help string under 'help: ' field"
            ));
        }
        let problem = |what: &str| format!("templates.{name} metric '{metric_name}' error: {what}");
        if let Some(gauge) = metric.get("gauge").filter(|g| !g.is_null()) {
            if text(gauge, "value").is_empty() {
                return Err(problem("missing gauge.value"));
            }
            if gauge.get("realtime").and_then(Value::as_bool) == Some(true)
                && text(gauge, "value").contains("resourcesDuration.")
            {
                return Err(problem("'resourcesDuration.*' metrics cannot be used in real-time"));
            }
        }
        for kind in ["counter", "histogram"] {
            if let Some(measure) = metric.get(kind).filter(|m| !m.is_null())
                && text(measure, "value").is_empty()
            {
                return Err(problem(&format!("missing {kind}.value")));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn metrics_and_pod_resources_are_argos() {
        // validate_test.go 2071-2191.
        let metric = |m: Value| json!({"name": "t", "metrics": {"prometheus": [m]}});
        assert!(
            metrics(&metric(json!({"name": "invalid.metric.name", "help": "h", "gauge": {"value": "1"}})))
                .unwrap_err()
                .contains("is invalid")
        );
        assert_eq!(
            metrics(&metric(json!({"name": "m", "help": "h", "labels": [{"key": "invalid.key", "value": "v"}], "gauge": {"value": "1"}}))).unwrap_err(),
            "metric label 'invalid.key' is invalid: keys may only contain alphanumeric characters or '_'"
        );
        assert_eq!(
            metrics(&metric(json!({"name": "m", "gauge": {"value": "1"}}))).unwrap_err(),
            "templates.t metric 'm' must contain a help string under 'help: ' field"
        );
        assert_eq!(
            metrics(&metric(json!({"name": "m", "help": "h", "gauge": {}}))).unwrap_err(),
            "templates.t metric 'm' error: missing gauge.value"
        );
        assert!(metrics(&metric(json!({"name": "m_1", "help": "h", "counter": {"value": "1"}}))).is_ok());
        // validate_test.go 4113-4115.
        assert!(
            pod_resources("spec.podResources", Some(&json!({"limits": {"nvidia.com/gpu": 1}})))
                .unwrap_err()
                .starts_with("spec.podResources: \"nvidia.com/gpu\" is not a valid pod-level resource")
        );
        assert_eq!(
            pod_resources("templates.main.podResources", Some(&json!({"claims": [{"name": "c"}]}))).unwrap_err(),
            "templates.main.podResources.claims is not supported for pod-level resources"
        );
    }
}
