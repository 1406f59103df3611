//! A step's or task's `when`, as Argo's `shouldExecute`
//! (`workflow/controller/steps.go`) decides it after substituting `{{…}}`:
//! govaluate parses the condition, every bare word it took for a variable
//! becomes a string (so `heads == tails` compares two words), and the
//! result must be a bool. Errors carry Argo's wording, typo included.

use super::error::{ErrorKind, ExpressionError};
use super::govaluate::Evaluable;
use super::govaluate::lexer::TokenKind;
use super::value::GoValue;

/// Whether a step with this (substituted) `when` runs; an empty condition
/// runs.
pub fn when(condition: &str) -> Result<bool, ExpressionError> {
    if condition.is_empty() {
        return Ok(true);
    }
    let expression = Evaluable::new(condition).map_err(|error| {
        let hint = if error.message().contains("Invalid token") {
            " (hint: try wrapping the affected expression in quotes (\"))"
        } else {
            ""
        };
        ExpressionError::new(ErrorKind::Syntax, format!("Invalid 'when' expression '{condition}': {error}{hint}"))
    })?;
    let tokens = expression
        .tokens
        .into_iter()
        .map(|mut token| {
            if token.kind == TokenKind::Variable {
                token.kind = TokenKind::String;
            }
            token
        })
        .collect();
    let expression = Evaluable::from_tokens(tokens).map_err(|error| {
        ExpressionError::new(ErrorKind::Syntax, format!("Failed to parse 'when' expression '{condition}': {error}"))
    })?;
    let result = expression.evaluate(None).map_err(|error| {
        ExpressionError::new(error.kind(), format!("Failed to evaluate 'when' expresion '{condition}': {error}"))
    })?;
    match result {
        GoValue::Bool(b) => Ok(b),
        other => Err(ExpressionError::evaluation(format!(
            "Expected boolean evaluation for '{condition}'. Got {}",
            super::go_format::format_v(&other)
        ))),
    }
}
