//! expr's tokens (`parser/lexer/state.go` of expr v1.17): identifiers,
//! numbers (`1_000`, `0x1F`, `1.5e3`), strings in single, double or back
//! quotes, operators (words such as `and`, `matches`, `not` included) and
//! brackets; `//` and `/* */` comments are skipped.

use super::super::error::ExpressionError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Identifier,
    Number,
    String,
    Operator,
    Bracket,
    Eof,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Token {
    pub(super) kind: Kind,
    pub(super) value: String,
    /// Where the token starts, in characters from the start of the source.
    pub(super) position: usize,
}

impl Token {
    pub(super) fn is(&self, kind: Kind, value: &str) -> bool {
        self.kind == kind && self.value == value
    }

    /// How expr's parser names a token in "unexpected token" messages
    /// (`Kind("value")`, Go's `%#v` of the value; the kind alone when empty).
    pub(super) fn describe(&self) -> String {
        let kind = match self.kind {
            Kind::Eof => "EOF",
            Kind::Identifier => "Identifier",
            Kind::Number => "Number",
            Kind::String => "String",
            Kind::Operator => "Operator",
            Kind::Bracket => "Bracket",
        };
        if self.value.is_empty() {
            kind.to_string()
        } else {
            format!("{kind}({})", super::super::go_format::go_quote(&self.value))
        }
    }
}

const WORD_OPERATORS: &[&str] =
    &["not", "in", "or", "and", "matches", "contains", "startsWith", "endsWith", "let", "if", "else"];

pub(super) fn is_alphanumeric(c: char) -> bool {
    c == '_' || c == '$' || c.is_alphanumeric()
}

/// expr's `file.Error` format: the message, `(line:column)`, the source
/// line and a caret under the position (a character index).
pub(super) fn locate(error: ExpressionError, source: &str, position: usize) -> ExpressionError {
    let mut line = 1;
    let mut line_start = 0;
    let mut column = 0;
    for (index, (byte, c)) in source.char_indices().enumerate() {
        if index == position {
            break;
        }
        if c == '\n' {
            line += 1;
            line_start = byte + 1;
            column = 0;
        } else {
            column += 1;
        }
    }
    let line_end = source[line_start..].find('\n').map_or(source.len(), |n| line_start + n);
    if line_start == line_end {
        return error;
    }
    let text = source[line_start..line_end].replace('\t', " ");
    ExpressionError::new(
        error.kind(),
        format!("{} ({line}:{})\n | {text}\n | {}^", error.message(), column + 1, ".".repeat(column)),
    )
}

pub(super) fn tokenize(source: &str) -> Result<Vec<Token>, ExpressionError> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    let push = |tokens: &mut Vec<Token>, kind: Kind, value: String, position: usize| {
        tokens.push(Token { kind, value, position });
    };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '\'' || c == '"' {
            let (text, end) = scan_string(&chars, i).map_err(|e| {
                // An unterminated literal is reported at the end of the input.
                let at = if e.message() == "literal not terminated" { chars.len() } else { i };
                locate(e, source, at)
            })?;
            push(&mut tokens, Kind::String, text, i);
            i = end;
            continue;
        }
        if c == '`' {
            let Some(len) = chars[i + 1..].iter().position(|&c| c == '`') else {
                return Err(locate(ExpressionError::syntax("literal not terminated"), source, chars.len()));
            };
            push(&mut tokens, Kind::String, chars[i + 1..i + 1 + len].iter().collect(), i);
            i += len + 2;
            continue;
        }
        if c.is_ascii_digit() || (c == '.' && next.is_some_and(|n| n.is_ascii_digit())) {
            let end = scan_number(&chars, i).map_err(|(e, at)| locate(e, source, at))?;
            push(&mut tokens, Kind::Number, chars[i..end].iter().collect(), i);
            i = end;
            continue;
        }
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            continue;
        }
        if c == '/' && next == Some('*') {
            let mut j = i + 2;
            loop {
                if j + 1 >= chars.len() {
                    return Err(locate(ExpressionError::syntax("unclosed comment"), source, chars.len()));
                }
                if chars[j] == '*' && chars[j + 1] == '/' {
                    break;
                }
                j += 1;
            }
            i = j + 2;
            continue;
        }
        if c == '#' {
            push(&mut tokens, Kind::Operator, "#".into(), i);
            i += 1;
            let start = i;
            while i < chars.len() && is_alphanumeric(chars[i]) {
                i += 1;
            }
            if i > start {
                push(&mut tokens, Kind::Identifier, chars[start..i].iter().collect(), start);
            }
            continue;
        }
        if "([{)]}".contains(c) {
            push(&mut tokens, Kind::Bracket, c.to_string(), i);
            i += 1;
            continue;
        }
        let two: Option<&str> = match (c, next) {
            ('?', Some('.')) => Some("?."),
            ('?', Some('?')) => Some("??"),
            ('|', Some('|')) => Some("||"),
            (':', Some(':')) => Some("::"),
            ('.', Some('.')) => Some(".."),
            ('&', Some('&')) => Some("&&"),
            ('*', Some('*')) => Some("**"),
            _ => None,
        };
        if let Some(op) = two {
            push(&mut tokens, Kind::Operator, op.into(), i);
            i += 2;
            continue;
        }
        if matches!(c, '!' | '=' | '<' | '>') && next == Some('=') {
            push(&mut tokens, Kind::Operator, format!("{c}="), i);
            i += 2;
            continue;
        }
        if "?/|:,;%+-^&!=*<>.".contains(c) {
            push(&mut tokens, Kind::Operator, c.to_string(), i);
            i += 1;
            continue;
        }
        if is_alphanumeric(c) {
            let start = i;
            while i < chars.len() && is_alphanumeric(chars[i]) {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let kind = if WORD_OPERATORS.contains(&word.as_str()) { Kind::Operator } else { Kind::Identifier };
            push(&mut tokens, kind, word, start);
            continue;
        }
        return Err(locate(
            ExpressionError::syntax(format!("unrecognized character: U+{:04X} '{c}'", c as u32)),
            source,
            i,
        ));
    }
    // expr places the end at the last character.
    tokens.push(Token { kind: Kind::Eof, value: String::new(), position: chars.len().saturating_sub(1) });
    Ok(tokens)
}

/// The end of the number at `start`, or the error and where it is.
fn scan_number(chars: &[char], start: usize) -> Result<usize, (ExpressionError, usize)> {
    let mut i = start;
    let mut digits: &str = "0123456789_";
    if chars[i] == '0' {
        match chars.get(i + 1) {
            Some('x' | 'X') => {
                digits = "0123456789abcdefABCDEF_";
                i += 2;
            }
            Some('o' | 'O') => {
                digits = "01234567_";
                i += 2;
            }
            Some('b' | 'B') => {
                digits = "01_";
                i += 2;
            }
            _ => {}
        }
    }
    let accept_run = |i: &mut usize| {
        while *i < chars.len() && digits.contains(chars[*i]) {
            *i += 1;
        }
    };
    accept_run(&mut i);
    if chars.get(i) == Some(&'.') {
        if chars.get(i + 1) == Some(&'.') {
            return Ok(i);
        }
        i += 1;
        accept_run(&mut i);
    }
    if matches!(chars.get(i), Some('e' | 'E')) && digits.len() == 11 {
        i += 1;
        if matches!(chars.get(i), Some('+' | '-')) {
            i += 1;
        }
        accept_run(&mut i);
    }
    if chars.get(i).is_some_and(|&c| is_alphanumeric(c)) {
        let word: String = chars[start..=i].iter().collect();
        return Err((ExpressionError::syntax(format!("bad number syntax: \"{word}\"")), i));
    }
    Ok(i)
}

/// A quoted string with Go's escapes (`\n`, `\t`, `\\`, `\'`, `\"`,
/// `\xHH`, `\uHHHH`, `\UHHHHHHHH`, octal `\NNN`); returns the text and the
/// index after the closing quote.
fn scan_string(chars: &[char], start: usize) -> Result<(String, usize), ExpressionError> {
    let quote = chars[start];
    let mut out = String::new();
    let mut i = start + 1;
    loop {
        let Some(&c) = chars.get(i) else {
            return Err(ExpressionError::syntax("literal not terminated"));
        };
        if c == quote {
            return Ok((out, i + 1));
        }
        if c == '\n' {
            return Err(ExpressionError::syntax("literal not terminated"));
        }
        if c != '\\' {
            out.push(c);
            i += 1;
            continue;
        }
        let Some(&e) = chars.get(i + 1) else {
            return Err(ExpressionError::syntax("literal not terminated"));
        };
        i += 2;
        let hex = |i: &mut usize, n: usize| -> Result<char, ExpressionError> {
            let text: String = chars.get(*i..*i + n).unwrap_or_default().iter().collect();
            let code = u32::from_str_radix(&text, 16)
                .ok()
                .and_then(char::from_u32)
                .ok_or_else(|| ExpressionError::syntax("invalid char escape"))?;
            *i += n;
            Ok(code)
        };
        match e {
            'a' => out.push('\u{7}'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\u{b}'),
            '\\' => out.push('\\'),
            '\'' => out.push('\''),
            '"' => out.push('"'),
            'x' => out.push(hex(&mut i, 2)?),
            'u' => out.push(hex(&mut i, 4)?),
            'U' => out.push(hex(&mut i, 8)?),
            '0'..='7' => {
                let text: String = chars.get(i - 1..i + 2).unwrap_or_default().iter().collect();
                let code = u32::from_str_radix(&text, 8)
                    .ok()
                    .filter(|c| *c < 256)
                    .and_then(char::from_u32)
                    .ok_or_else(|| ExpressionError::syntax("invalid char escape"))?;
                out.push(code);
                i += 2;
            }
            _ => return Err(ExpressionError::syntax("invalid char escape")),
        }
    }
}
