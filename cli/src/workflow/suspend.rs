//! A `suspend` template with a `duration`: its node (type Suspend) runs
//! until the duration has passed, then succeeds, as Argo's
//! `executeSuspend` resumes it (`workflow/controller/operator.go`
//! 3986-4032). Without a duration a suspended node waits for `argo
//! resume`, and nobody can resume a local run: such a template is refused
//! before anything runs (`without_duration`).

use std::time::Duration;

use serde_json::Value;

use crate::executor_plugin::request::parse_go_duration;

/// How long `template` (a `suspend` template) waits; the error says why its duration is not one.
pub fn duration(template: &Value) -> Result<Duration, String> {
    let text = match template.pointer("/suspend/duration") {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Number(number)) => number.to_string(),
        _ => return Err("suspend.duration is required here".into()),
    };
    parse_go_duration(&text).map_err(|problem| format!("suspend.duration \"{text}\" is not a duration: {problem}"))
}

/// The message for suspend template `name` without a duration, if it has none.
pub fn without_duration(name: &str, template: &Value) -> Option<String> {
    let duration = template.pointer("/suspend/duration");
    let missing = duration.is_none_or(|d| d.is_null() || d.as_str() == Some(""));
    missing.then(|| {
        format!(
            "templates.{name}.suspend has no duration: it would wait for `argo resume`, and nobody can resume a \
             local run; give it a duration (e.g. `duration: \"30s\"`)"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn durations_are_seconds_or_go_durations() {
        // ParseStringToDuration: a bare integer is seconds, else a Go duration.
        assert_eq!(duration(&json!({"suspend": {"duration": "20"}})).unwrap(), Duration::from_secs(20));
        assert_eq!(duration(&json!({"suspend": {"duration": "1m30s"}})).unwrap(), Duration::from_secs(90));
        assert!(
            duration(&json!({"suspend": {"duration": "soon"}})).unwrap_err().starts_with("suspend.duration \"soon\"")
        );
    }

    #[test]
    fn without_a_duration_it_is_refused() {
        assert!(
            without_duration("wait", &json!({"suspend": {}}))
                .unwrap()
                .starts_with("templates.wait.suspend has no duration")
        );
        assert!(without_duration("wait", &json!({"suspend": {"duration": "5s"}})).is_none());
    }
}
