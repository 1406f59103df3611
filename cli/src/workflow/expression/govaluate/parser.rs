//! govaluate's stage planner (`stagePlanner.go`) as a tree: from loosest to
//! tightest, `,` (a list), `? : ??`, `||`, `&&`, comparators (`== != > >= <
//! <= =~ !~ in`), bitwise `& | ^`, shifts, `+ -`, `* / %`, `**`, then
//! prefixes (`- ! ~`), accessors, values and parentheses. Each level is
//! left-associative, which is what govaluate's `reorderStages` makes of its
//! right-leaning plan. A string right after `=~`/`!~` is compiled as a
//! pattern up front (`optimizeTokens`).

use regex::Regex;

use super::super::error::ExpressionError;
use super::lexer::{Token, TokenKind, TokenValue};

#[derive(Debug, Clone)]
pub(crate) enum Node {
    Literal(super::super::value::GoValue),
    Pattern(Regex),
    Variable(String),
    Accessor(Vec<String>, Option<Box<Node>>),
    /// Parentheses (govaluate's NOOP stage).
    Group(Option<Box<Node>>),
    Prefix(String, Box<Node>),
    Binary(String, Option<Box<Node>>, Option<Box<Node>>),
}

/// `optimizeTokens`: the string after `=~` or `!~` becomes a pattern.
pub(crate) fn optimize(tokens: &mut [Token]) -> Result<(), ExpressionError> {
    for index in 0..tokens.len() {
        let is_regex_operator = tokens[index].kind == TokenKind::Comparator
            && matches!(&tokens[index].value, TokenValue::Text(op) if op == "=~" || op == "!~");
        if !is_regex_operator {
            continue;
        }
        if let Some(next) = tokens.get_mut(index + 1)
            && next.kind == TokenKind::String
        {
            next.kind = TokenKind::Pattern;
            if let TokenValue::Text(pattern) = &next.value {
                super::eval::compile_pattern(pattern)?;
            }
        }
    }
    Ok(())
}

struct Planner<'a> {
    tokens: &'a [Token],
    position: usize,
}

type Planned = Result<Option<Box<Node>>, ExpressionError>;

pub(crate) fn plan(tokens: &[Token]) -> Result<Option<Node>, ExpressionError> {
    let mut planner = Planner { tokens, position: 0 };
    Ok(planner.separator()?.map(|node| *node))
}

fn text(token: &Token) -> Option<&str> {
    match &token.value {
        TokenValue::Text(s) => Some(s),
        _ => None,
    }
}

impl Planner<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.position)
    }

    /// One left-associative precedence level: operators of `kinds` whose
    /// symbol is in `symbols`, operands from `next`.
    fn level(&mut self, kinds: &[TokenKind], symbols: &[&str], next: fn(&mut Self) -> Planned) -> Planned {
        let mut left = next(self)?;
        while let Some(token) = self.peek() {
            let Some(symbol) = text(token) else { break };
            if !kinds.contains(&token.kind) || !symbols.contains(&symbol) {
                break;
            }
            let symbol = symbol.to_string();
            self.position += 1;
            let right = next(self)?;
            left = Some(Box::new(Node::Binary(symbol, left, right)));
        }
        Ok(left)
    }

    fn separator(&mut self) -> Planned {
        if self.peek().is_none() {
            return Ok(None);
        }
        self.level(&[TokenKind::Separator], &[","], Self::ternary)
    }

    fn ternary(&mut self) -> Planned {
        self.level(&[TokenKind::Ternary], &["?", ":", "??"], Self::logical_or)
    }

    fn logical_or(&mut self) -> Planned {
        self.level(&[TokenKind::LogicalOp], &["||"], Self::logical_and)
    }

    fn logical_and(&mut self) -> Planned {
        self.level(&[TokenKind::LogicalOp], &["&&"], Self::comparator)
    }

    fn comparator(&mut self) -> Planned {
        self.level(&[TokenKind::Comparator], &["==", "!=", ">", ">=", "<", "<=", "=~", "!~", "in"], Self::bitwise)
    }

    fn bitwise(&mut self) -> Planned {
        self.level(&[TokenKind::Modifier], &["&", "|", "^"], Self::shift)
    }

    fn shift(&mut self) -> Planned {
        self.level(&[TokenKind::Modifier], &[">>", "<<"], Self::additive)
    }

    fn additive(&mut self) -> Planned {
        self.level(&[TokenKind::Modifier], &["+", "-"], Self::multiplicative)
    }

    fn multiplicative(&mut self) -> Planned {
        self.level(&[TokenKind::Modifier], &["*", "/", "%"], Self::exponential)
    }

    fn exponential(&mut self) -> Planned {
        self.level(&[TokenKind::Modifier], &["**"], Self::accessor)
    }

    fn prefix(&mut self) -> Planned {
        let Some(token) = self.peek() else {
            return Ok(None);
        };
        let symbol = text(token).unwrap_or_default().to_string();
        self.position += 1;
        let operand = self.accessor()?;
        let Some(operand) = operand else {
            return Err(ExpressionError::syntax(format!("Unable to plan token kind: 'PREFIX', value: '{symbol}'")));
        };
        Ok(Some(Box::new(Node::Prefix(symbol, operand))))
    }

    fn accessor(&mut self) -> Planned {
        let Some(token) = self.peek() else {
            return Ok(None);
        };
        let TokenValue::Path(path) = &token.value else {
            return self.value();
        };
        let path = path.clone();
        self.position += 1;
        let mut arguments = None;
        if self.peek().is_some_and(|t| t.kind == TokenKind::Clause) {
            arguments = self.separator()?;
        }
        Ok(Some(Box::new(Node::Accessor(path, arguments))))
    }

    fn value(&mut self) -> Planned {
        let Some(token) = self.peek().cloned() else {
            return Ok(None);
        };
        self.position += 1;
        use super::super::value::GoValue;
        let node = match (token.kind, token.value) {
            (TokenKind::Clause, _) => {
                let inner = self.separator()?;
                // Past the closing parenthesis (balance was checked).
                self.position += 1;
                Node::Group(inner)
            }
            (TokenKind::ClauseClose, _) => {
                self.position -= 1;
                return Ok(None);
            }
            (TokenKind::Variable, TokenValue::Text(name)) => Node::Variable(name),
            (TokenKind::Numeric, TokenValue::Number(n)) => Node::Literal(GoValue::Float(n)),
            (TokenKind::String, TokenValue::Text(s)) => Node::Literal(GoValue::Str(s)),
            (TokenKind::Pattern, TokenValue::Text(s)) => Node::Pattern(super::eval::compile_pattern(&s)?),
            (TokenKind::Boolean, TokenValue::Bool(b)) => Node::Literal(GoValue::Bool(b)),
            (TokenKind::Time, TokenValue::Time(seconds, _)) => Node::Literal(GoValue::Float(seconds)),
            (TokenKind::Prefix, _) => {
                self.position -= 1;
                return self.prefix();
            }
            (kind, value) => {
                return Err(ExpressionError::syntax(format!(
                    "Unable to plan token kind: '{}', value: '{value:?}'",
                    kind.name()
                )));
            }
        };
        Ok(Some(Box::new(node)))
    }
}
