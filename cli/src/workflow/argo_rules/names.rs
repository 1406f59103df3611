//! Names of templates, steps, tasks, parameters and artifacts: present,
//! unique, and of the characters Argo allows (`validateWorkflowFieldNames`,
//! `isValidWorkflowFieldName`, `isValidParamOrArtifactName`,
//! validate.go 1340-1400 and 1692-1735).

use serde_json::Value;

/// Which characters a name may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Templates, steps, tasks: `[a-zA-Z0-9][-a-zA-Z0-9]*`, at most 128 characters.
    Field,
    /// Parameters and artifacts: `[-a-zA-Z0-9_]+`.
    Parameter,
}

/// The longest template, step or task name.
const MAX_FIELD_NAME: usize = 128;

/// What is wrong with field name `name` (empty when nothing).
pub fn field_name_problems(name: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if name.len() > MAX_FIELD_NAME {
        problems.push(format!("must be no more than {MAX_FIELD_NAME} characters"));
    }
    let mut chars = name.chars();
    let well_formed =
        chars.next().is_some_and(|c| c.is_ascii_alphanumeric()) && chars.all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !well_formed {
        problems.push(
            "name must consist of alpha-numeric characters or '-', and must start with an alpha-numeric \
             character (e.g. My-name1-2, 123-NAME)"
                .into(),
        );
    }
    problems
}

/// What is wrong with parameter or artifact name `name` (empty when nothing).
pub fn parameter_name_problems(name: &str) -> Vec<String> {
    if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Vec::new();
    }
    vec![
        "Parameter/Artifact name must consist of alpha-numeric characters, '_' or '-' e.g. my_param_1, MY-PARAM-1"
            .into(),
    ]
}

/// The first problem with the names of the items of `list`, as the tail
/// of a message whose caller names the list (`[0].name is required`).
pub fn field_names(list: Option<&Value>, rule: Rule) -> Result<(), String> {
    let mut seen = std::collections::BTreeSet::new();
    for (index, item) in list.and_then(Value::as_array).into_iter().flatten().enumerate() {
        let name = item.get("name").and_then(Value::as_str).unwrap_or_default();
        if name.is_empty() {
            return Err(format!("[{index}].name is required"));
        }
        let problems = match rule {
            Rule::Field => field_name_problems(name),
            Rule::Parameter => parameter_name_problems(name),
        };
        if !problems.is_empty() {
            return Err(format!("[{index}].name: '{name}' is invalid: {}", problems.join(";")));
        }
        if !seen.insert(name) {
            return Err(format!("[{index}].name '{name}' is not unique"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn names_are_present_unique_and_well_formed() {
        assert_eq!(
            field_names(Some(&json!([{"name": "a"}, {"name": ""}])), Rule::Field).unwrap_err(),
            "[1].name is required"
        );
        assert_eq!(
            field_names(Some(&json!([{"name": "a"}, {"name": "a"}])), Rule::Field).unwrap_err(),
            "[1].name 'a' is not unique"
        );
        assert!(
            field_names(Some(&json!([{"name": "a_b"}])), Rule::Field)
                .unwrap_err()
                .starts_with("[0].name: 'a_b' is invalid: name must consist")
        );
        assert!(field_names(Some(&json!([{"name": "a_b"}])), Rule::Parameter).is_ok());
        assert!(field_names(Some(&json!([{"name": "-x"}])), Rule::Field).is_err());
        assert_eq!(field_name_problems(&"a".repeat(129)), ["must be no more than 128 characters"]);
    }
}
