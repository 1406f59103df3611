//! govaluate's tokens (`parsing.go`, `lexerState.go`): numbers are
//! float64 (`0x1F` too), strings run from a quote to the next quote of
//! either kind and become time values when they read as dates, words are
//! variables (or `true`, `false`, `in`), dotted words are accessors
//! (`A.Succeeded`, each field capitalised), `[any text]` is a variable, and
//! a run of symbols is one operator (`>-` is an invalid token). After
//! tokenising, the kinds must follow each other as govaluate's lexer states
//! allow, with its messages.

use super::super::error::ExpressionError;
use super::super::go_format::format_float_v;
use super::time_literal::parse_time;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    Unknown,
    Prefix,
    Numeric,
    Boolean,
    String,
    Pattern,
    Time,
    Variable,
    Function,
    Separator,
    Accessor,
    Comparator,
    LogicalOp,
    Modifier,
    Clause,
    ClauseClose,
    Ternary,
}

impl TokenKind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            TokenKind::Unknown => "UNKNOWN",
            TokenKind::Prefix => "PREFIX",
            TokenKind::Numeric => "NUMERIC",
            TokenKind::Boolean => "BOOLEAN",
            TokenKind::String => "STRING",
            TokenKind::Pattern => "PATTERN",
            TokenKind::Time => "TIME",
            TokenKind::Variable => "VARIABLE",
            TokenKind::Function => "FUNCTION",
            TokenKind::Separator => "SEPARATOR",
            TokenKind::Accessor => "ACCESSOR",
            TokenKind::Comparator => "COMPARATOR",
            TokenKind::LogicalOp => "LOGICALOP",
            TokenKind::Modifier => "MODIFIER",
            TokenKind::Clause => "CLAUSE",
            TokenKind::ClauseClose => "CLAUSE_CLOSE",
            TokenKind::Ternary => "TERNARY",
        }
    }

    /// The kinds that may follow this one, and whether an expression may
    /// end on it (`validLexerStates`).
    fn state(self) -> (&'static [TokenKind], bool) {
        use TokenKind::*;
        match self {
            Unknown => {
                (&[Prefix, Numeric, Boolean, Variable, Pattern, Function, Accessor, String, Time, Clause], false)
            }
            Clause => (
                &[Prefix, Numeric, Boolean, Variable, Pattern, Function, Accessor, String, Time, Clause, ClauseClose],
                false,
            ),
            ClauseClose => (
                &[
                    Comparator,
                    Modifier,
                    Numeric,
                    Boolean,
                    Variable,
                    String,
                    Pattern,
                    Time,
                    Clause,
                    ClauseClose,
                    LogicalOp,
                    Ternary,
                    Separator,
                ],
                true,
            ),
            Numeric | Boolean | String | Variable => {
                (&[Modifier, Comparator, LogicalOp, ClauseClose, Ternary, Separator], true)
            }
            Time | Pattern => (&[Modifier, Comparator, LogicalOp, ClauseClose, Separator], true),
            Modifier => (&[Prefix, Numeric, Variable, Function, Accessor, String, Boolean, Clause, ClauseClose], false),
            Comparator => (
                &[Prefix, Numeric, Boolean, Variable, Function, Accessor, String, Time, Clause, ClauseClose, Pattern],
                false,
            ),
            LogicalOp => {
                (&[Prefix, Numeric, Boolean, Variable, Function, Accessor, String, Time, Clause, ClauseClose], false)
            }
            Prefix => (&[Numeric, Boolean, Variable, Function, Accessor, Clause, ClauseClose], false),
            Ternary => {
                (&[Prefix, Numeric, Boolean, String, Time, Variable, Function, Accessor, Clause, Separator], false)
            }
            Function => (&[Clause], false),
            Accessor => (&[Clause, Modifier, Comparator, LogicalOp, ClauseClose, Ternary, Separator], true),
            Separator => (&[Prefix, Numeric, Boolean, String, Time, Variable, Function, Accessor, Clause], false),
        }
    }

    fn can_transition_to(self, next: TokenKind) -> bool {
        self.state().0.contains(&next)
    }
}

/// A token's value as govaluate keeps it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TokenValue {
    Number(f64),
    Bool(bool),
    Text(String),
    /// A time literal: seconds since the epoch, and the original text.
    Time(f64, String),
    Path(Vec<String>),
    /// `(` or `)`, which Go prints as the rune's number.
    Paren(char),
}

impl TokenValue {
    /// Go's `%v` of the value, as syntax errors print it.
    fn display(&self) -> String {
        match self {
            TokenValue::Number(n) => format_float_v(*n),
            TokenValue::Bool(b) => b.to_string(),
            TokenValue::Text(s) => s.clone(),
            TokenValue::Time(_, text) => text.clone(),
            TokenValue::Path(parts) => format!("[{}]", parts.join(" ")),
            TokenValue::Paren(c) => (*c as u32).to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub(crate) kind: TokenKind,
    pub(crate) value: TokenValue,
}

const PREFIX_SYMBOLS: &[&str] = &["-", "!", "~"];
const MODIFIER_SYMBOLS: &[&str] = &["+", "-", "*", "/", "%", "**", "&", "|", "^", ">>", "<<"];
const LOGICAL_SYMBOLS: &[&str] = &["&&", "||"];
const COMPARATOR_SYMBOLS: &[&str] = &["==", "!=", ">", ">=", "<", "<=", "=~", "!~", "in"];
const TERNARY_SYMBOLS: &[&str] = &["?", ":", "??"];

fn is_quote(c: char) -> bool {
    c == '\'' || c == '"'
}

fn is_numeric(c: char) -> bool {
    c.is_numeric() || c == '.'
}

fn is_variable_name(c: char) -> bool {
    c.is_alphabetic() || c.is_numeric() || c == '_' || c == '.'
}

fn is_symbol(c: char) -> bool {
    !(c.is_numeric() || c.is_alphabetic() || "()[]".contains(c) || is_quote(c))
}

struct Stream {
    chars: Vec<char>,
    position: usize,
}

impl Stream {
    fn can_read(&self) -> bool {
        self.position < self.chars.len()
    }

    fn read(&mut self) -> char {
        let c = self.chars.get(self.position).copied().unwrap_or('\0');
        self.position += 1;
        c
    }

    /// `readUntilFalse`: reads while `condition` holds; a backslash takes
    /// the next character literally; whitespace ends the run when
    /// `break_whitespace` (once something was read) and is dropped unless
    /// `include_whitespace`. Returns the text and whether a terminator was
    /// met before the end of the input.
    fn read_until_false(
        &mut self,
        include_whitespace: bool,
        break_whitespace: bool,
        condition: impl Fn(char) -> bool,
    ) -> (String, bool) {
        let mut buffer = String::new();
        while self.can_read() {
            let mut c = self.read();
            if c == '\\' {
                c = self.read();
                buffer.push(c);
                continue;
            }
            if c.is_whitespace() {
                if break_whitespace && !buffer.is_empty() {
                    return (buffer, true);
                }
                if !include_whitespace {
                    continue;
                }
            }
            if condition(c) {
                buffer.push(c);
            } else {
                self.position -= 1;
                return (buffer, true);
            }
        }
        (buffer, false)
    }

    /// `readTokenUntilFalse`: the run starting at the character just read.
    fn read_token_until_false(&mut self, condition: impl Fn(char) -> bool) -> String {
        self.position -= 1;
        self.read_until_false(false, true, condition).0
    }
}

/// `parseTokens`: the tokens of `expression`, with lexing errors in
/// govaluate's words.
pub(crate) fn tokenize(expression: &str) -> Result<Vec<Token>, ExpressionError> {
    let mut stream = Stream { chars: expression.chars().collect(), position: 0 };
    let mut tokens: Vec<Token> = Vec::new();
    let mut state = TokenKind::Unknown;
    while stream.can_read() {
        let Some(token) = read_token(&mut stream, state)? else {
            break;
        };
        state = token.kind;
        tokens.push(token);
    }
    check_balance(&tokens)?;
    Ok(tokens)
}

fn read_token(stream: &mut Stream, state: TokenKind) -> Result<Option<Token>, ExpressionError> {
    let token = |kind, value| Ok(Some(Token { kind, value }));
    while stream.can_read() {
        let c = stream.read();
        if c.is_whitespace() {
            continue;
        }
        if is_numeric(c) {
            if stream.can_read() && c == '0' {
                let next = stream.read();
                if stream.can_read() && next == 'x' {
                    let (text, _) = stream.read_until_false(false, true, |c| c.is_ascii_hexdigit());
                    let value = u64::from_str_radix(&text, 16).map_err(|_| {
                        ExpressionError::syntax(format!("Unable to parse hex value '{text}' to uint64\n"))
                    })?;
                    return token(TokenKind::Numeric, TokenValue::Number(value as f64));
                }
                stream.position -= 1;
            }
            let text = stream.read_token_until_false(is_numeric);
            let value = parse_float(&text).ok_or_else(|| {
                ExpressionError::syntax(format!("Unable to parse numeric value '{text}' to float64\n"))
            })?;
            return token(TokenKind::Numeric, TokenValue::Number(value));
        }
        if c == ',' {
            return token(TokenKind::Separator, TokenValue::Text(",".into()));
        }
        if c == '[' {
            let (text, completed) = stream.read_until_false(true, false, |c| c != ']');
            if !completed {
                return Err(ExpressionError::syntax("Unclosed parameter bracket"));
            }
            stream.position += 1;
            return token(TokenKind::Variable, TokenValue::Text(text));
        }
        if c.is_alphabetic() {
            let text = stream.read_token_until_false(is_variable_name);
            let mut kind = TokenKind::Variable;
            let mut value = TokenValue::Text(text.clone());
            if text == "true" || text == "false" {
                kind = TokenKind::Boolean;
                value = TokenValue::Bool(text == "true");
            }
            if text == "in" || text == "IN" {
                kind = TokenKind::Comparator;
                value = TokenValue::Text("in".into());
            }
            if text.find('.').is_some_and(|i| i > 0) {
                if text.ends_with('.') {
                    return Err(ExpressionError::syntax(format!("Hanging accessor on token '{text}'")));
                }
                let parts: Vec<String> = text.split('.').map(str::to_string).collect();
                for part in &parts[1..] {
                    let first = part.chars().next().unwrap_or('\0');
                    if first.to_uppercase().next() != Some(first) {
                        return Err(ExpressionError::syntax(format!(
                            "Unable to access unexported field '{part}' in token '{text}'"
                        )));
                    }
                }
                kind = TokenKind::Accessor;
                value = TokenValue::Path(parts);
            }
            return token(kind, value);
        }
        if is_quote(c) {
            let (text, completed) = stream.read_until_false(true, false, |c| !is_quote(c));
            if !completed {
                return Err(ExpressionError::syntax("Unclosed string literal"));
            }
            stream.position += 1;
            if let Some(seconds) = parse_time(&text) {
                return token(TokenKind::Time, TokenValue::Time(seconds, text));
            }
            return token(TokenKind::String, TokenValue::Text(text));
        }
        if c == '(' {
            return token(TokenKind::Clause, TokenValue::Paren('('));
        }
        if c == ')' {
            return token(TokenKind::ClauseClose, TokenValue::Paren(')'));
        }
        let symbol = stream.read_token_until_false(is_symbol);
        let kind = if state.can_transition_to(TokenKind::Prefix) && PREFIX_SYMBOLS.contains(&symbol.as_str()) {
            TokenKind::Prefix
        } else if MODIFIER_SYMBOLS.contains(&symbol.as_str()) {
            TokenKind::Modifier
        } else if LOGICAL_SYMBOLS.contains(&symbol.as_str()) {
            TokenKind::LogicalOp
        } else if COMPARATOR_SYMBOLS.contains(&symbol.as_str()) {
            TokenKind::Comparator
        } else if TERNARY_SYMBOLS.contains(&symbol.as_str()) {
            TokenKind::Ternary
        } else {
            return Err(ExpressionError::syntax(format!("Invalid token: '{symbol}'")));
        };
        return token(kind, TokenValue::Text(symbol));
    }
    Ok(None)
}

/// Go's `strconv.ParseFloat` on a run of digits and dots.
fn parse_float(text: &str) -> Option<f64> {
    if text.chars().filter(|c| *c == '.').count() > 1 || text == "." {
        return None;
    }
    if !text.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    text.parse().ok()
}

/// `checkBalance`.
pub(crate) fn check_balance(tokens: &[Token]) -> Result<(), ExpressionError> {
    let mut depth = 0i64;
    for token in tokens {
        match token.kind {
            TokenKind::Clause => depth += 1,
            TokenKind::ClauseClose => depth -= 1,
            _ => {}
        }
    }
    if depth != 0 {
        return Err(ExpressionError::syntax("Unbalanced parenthesis"));
    }
    Ok(())
}

/// `checkExpressionSyntax`.
pub(crate) fn check_syntax(tokens: &[Token]) -> Result<(), ExpressionError> {
    let mut state = TokenKind::Unknown;
    let mut last: Option<&Token> = None;
    for token in tokens {
        if !state.can_transition_to(token.kind) {
            if let Some(last) = last
                && last.kind == TokenKind::Variable
                && token.kind == TokenKind::Clause
            {
                return Err(ExpressionError::syntax(format!("Undefined function {}", last.value.display())));
            }
            let last_value = last.map_or("<nil>".to_string(), |t| t.value.display());
            return Err(ExpressionError::syntax(format!(
                "Cannot transition token types from {} [{}] to {} [{}]",
                state.name(),
                last_value,
                token.kind.name(),
                token.value.display()
            )));
        }
        state = token.kind;
        last = Some(token);
    }
    if !state.state().1 {
        return Err(ExpressionError::syntax("Unexpected end of expression"));
    }
    Ok(())
}
