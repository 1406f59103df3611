//! Running whole Argo workflows locally (issue 24). This branch holds only
//! the expression languages the controller evaluates; the runner itself is
//! written beside it.

pub mod expression;
