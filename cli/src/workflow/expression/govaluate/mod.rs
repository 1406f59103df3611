//! Knetic/govaluate (the commit Argo v4.1 vendors), which Argo uses for
//! `when`: tokens and their syntax rules ([`lexer`]), the stage planner
//! ([`parser`]), evaluation with govaluate's type checks ([`eval`]) and its
//! date literals ([`time_literal`]).

mod eval;
pub(crate) mod lexer;
mod parser;
mod time_literal;

use std::collections::BTreeMap;

use super::error::ExpressionError;
use super::value::GoValue;
use lexer::Token;

/// A checked and planned expression (govaluate's `EvaluableExpression`).
pub(crate) struct Evaluable {
    pub(crate) tokens: Vec<Token>,
    plan: Option<parser::Node>,
}

impl Evaluable {
    /// `NewEvaluableExpression(expression)`.
    pub(crate) fn new(expression: &str) -> Result<Self, ExpressionError> {
        Self::from_tokens(lexer::tokenize(expression)?)
    }

    /// `NewEvaluableExpressionFromTokens(tokens)`: balance, syntax,
    /// patterns, plan.
    pub(crate) fn from_tokens(mut tokens: Vec<Token>) -> Result<Self, ExpressionError> {
        lexer::check_balance(&tokens)?;
        lexer::check_syntax(&tokens)?;
        parser::optimize(&mut tokens)?;
        let plan = parser::plan(&tokens)?;
        Ok(Evaluable { tokens, plan })
    }

    /// `Evaluate(parameters)`; an empty plan is nil.
    pub(crate) fn evaluate(&self, parameters: Option<&BTreeMap<String, GoValue>>) -> Result<GoValue, ExpressionError> {
        match &self.plan {
            None => Ok(GoValue::Nil),
            Some(plan) => eval::Evaluator { parameters }.evaluate(plan),
        }
    }
}

/// `NewEvaluableExpression(expression).Evaluate(parameters)`.
pub(crate) fn evaluate(
    expression: &str,
    parameters: Option<&BTreeMap<String, GoValue>>,
) -> Result<GoValue, ExpressionError> {
    Evaluable::new(expression)?.evaluate(parameters)
}
