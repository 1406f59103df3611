//! jq 1.8 syntax that jaq's parser does not take, rewritten into jaq's
//! before it parses the program:
//!
//! - `$ENV` becomes `(env)`;
//! - `$__loc__` becomes `{"file":"<top-level>","line":N}` (and `{$__loc__}`
//!   the entry `"__loc__": {...}`);
//! - the source of `reduce`/`foreach` may be any pipe-free expression
//!   (`reduce .[] / .[] as $x (...)`): it is put in parentheses;
//! - destructuring alternatives `T as P1 ?// P2 | body` become
//!   `T as $v | try ($v as P1 | body) catch ($v as P2 | body)`, with every
//!   variable of every pattern first bound to null, as jq binds them;
//! - `$name: pattern` in an object pattern binds `$name` too;
//! - number literals that start with the point (`.5`) get their zero;
//! - `import` and `include` are refused with a message: a step has no module files.
//!
//! Positions in jaq's messages about the rewritten text are mapped back
//! to the program as written ([`Rewritten::original_offset`]).

/// A token's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A name or keyword (`reduce`, `as`, `map`, `foo::bar`).
    Ident,
    /// `$name`.
    Var,
    /// A string's text without its interpolations.
    Str,
    /// A number literal.
    Num,
    /// `(`, `[`, `{`, or `\(` in a string.
    Open,
    /// `)`, `]`, `}`.
    Close,
    /// `?//`.
    AltOp,
    /// Any other operator or punctuation (`|`, `,`, `;`, `:`, `.`, `.foo`, `+` ...).
    Other,
}

#[derive(Debug, Clone, Copy)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
}

/// Splits `code` into tokens (comments and white space dropped).
fn tokens(code: &str) -> Vec<Token> {
    let b = code.as_bytes();
    let mut out = Vec::new();
    // For each open bracket: whether it is a string interpolation `\(`.
    let mut brackets: Vec<bool> = Vec::new();
    let mut i = 0;
    let mut in_string_from: Option<usize> = None;
    while i < b.len() {
        if let Some(start) = in_string_from {
            // Inside a string: up to its end or an interpolation.
            let mut j = i;
            loop {
                match b.get(j) {
                    None => {
                        out.push(Token { kind: Kind::Str, start, end: j });
                        return out;
                    }
                    Some(b'"') => {
                        out.push(Token { kind: Kind::Str, start, end: j + 1 });
                        in_string_from = None;
                        i = j + 1;
                        break;
                    }
                    Some(b'\\') if b.get(j + 1) == Some(&b'(') => {
                        out.push(Token { kind: Kind::Str, start, end: j });
                        out.push(Token { kind: Kind::Open, start: j, end: j + 2 });
                        brackets.push(true);
                        in_string_from = None;
                        i = j + 2;
                        break;
                    }
                    Some(b'\\') => j += 2,
                    Some(_) => j += 1,
                }
            }
            continue;
        }
        let c = b[i];
        let start = i;
        let kind = match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' => {
                in_string_from = Some(i);
                i += 1;
                continue;
            }
            b'(' | b'[' | b'{' => {
                brackets.push(false);
                i += 1;
                Kind::Open
            }
            b')' | b']' | b'}' => {
                i += 1;
                if c == b')' && brackets.pop() == Some(true) {
                    // The end of an interpolation: the string goes on.
                    out.push(Token { kind: Kind::Close, start, end: i });
                    in_string_from = Some(i);
                    continue;
                }
                Kind::Close
            }
            b'$' => {
                i = name_end(b, i + 1);
                Kind::Var
            }
            b'?' if code[i..].starts_with("?//") => {
                i += 3;
                Kind::AltOp
            }
            b'0'..=b'9' => {
                i = number_end(b, i);
                Kind::Num
            }
            b'.' if b.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                i = number_end(b, i);
                Kind::Num
            }
            b'.' => {
                i += 1;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                Kind::Other
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                i = name_end(b, i);
                Kind::Ident
            }
            _ => {
                i += code[i..].chars().next().map_or(1, char::len_utf8);
                Kind::Other
            }
        };
        out.push(Token { kind, start, end: i });
    }
    out
}

/// The end of a name from `i`: letters, digits, `_`, and `::` between parts.
fn name_end(b: &[u8], mut i: usize) -> usize {
    loop {
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
            i += 1;
        }
        if b[i..].starts_with(b"::") {
            i += 2;
        } else {
            return i;
        }
    }
}

fn number_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
        i += 1;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        if j < b.len() && b[j].is_ascii_digit() {
            i = j;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
        }
    }
    i
}

/// An edit: replace `len` bytes at `at` with `text`.
#[derive(Debug, Clone)]
struct Edit {
    at: usize,
    len: usize,
    text: String,
}

/// The program in jaq's syntax, and how to find positions in the original.
#[derive(Debug)]
pub struct Rewritten {
    /// The text jaq parses.
    pub code: String,
    edits: Vec<Edit>,
}

impl Rewritten {
    /// The offset in the program as written of `offset` in [`Rewritten::code`].
    pub fn original_offset(&self, offset: usize) -> usize {
        let mut shift: isize = 0;
        for edit in &self.edits {
            let new_at = (edit.at as isize + shift) as usize;
            if offset < new_at {
                break;
            }
            if offset < new_at + edit.text.len() {
                return edit.at;
            }
            shift += edit.text.len() as isize - edit.len as isize;
        }
        (offset as isize - shift).max(0) as usize
    }
}

/// Why a program is refused before parsing.
#[derive(Debug, PartialEq, Eq)]
pub struct Refused {
    /// What.
    pub reason: String,
    /// Where (byte offset).
    pub offset: usize,
}

/// Rewrites `code` into jaq's syntax (see the module's documentation).
pub fn rewrite(code: &str) -> Result<Rewritten, Refused> {
    let toks = tokens(code);
    let text = |t: &Token| &code[t.start..t.end];
    let mut edits: Vec<Edit> = Vec::new();
    let line_of = |at: usize| code[..at].matches('\n').count() + 1;
    let mut alt = 0;

    let mut next = 0;
    while next < toks.len() {
        let n = next;
        let t = &toks[n];
        next += 1;
        let mut skip_to = 0;
        match (t.kind, text(t)) {
            (Kind::Ident, _) if toks.get(n + 1).is_some_and(|next| text(next) == ":") => {
                // A keyword used as an object key (`{if: 1}`).
            }
            (Kind::Ident, "import" | "include") => {
                return Err(Refused {
                    reason: format!(
                        "\"{}\" cannot load a module: a workflow step has no module files (put the definitions in the query)",
                        text(t)
                    ),
                    offset: t.start,
                });
            }
            (Kind::Var, "$__loc__") => {
                let loc = format!("{{\"file\":\"<top-level>\",\"line\":{}}}", line_of(t.start));
                let prev = n.checked_sub(1).map(|p| text(&toks[p]));
                let next = toks.get(n + 1).map(text);
                let shorthand =
                    matches!(prev, Some("{" | ",")) && matches!(next, Some("," | "}")) && in_object(&toks, code, n);
                let replacement = if shorthand { format!("\"__loc__\": {loc}") } else { loc };
                edits.push(Edit { at: t.start, len: t.end - t.start, text: replacement });
            }
            (Kind::Var, "$ENV") => {
                edits.push(Edit { at: t.start, len: t.end - t.start, text: "(env)".into() });
            }
            (Kind::Num, number) if number.starts_with('.') => {
                edits.push(Edit { at: t.start, len: 0, text: "0".into() });
            }
            (Kind::Num, digits) if digits.len() >= 16 && digits.bytes().all(|d| d.is_ascii_digit()) => {
                // jaq reads integer literals that fit a machine word as integers, then doubles;
                // written in exponent form the literal keeps all its digits, as in jq.
                let text = format!("{}.{}E{}", &digits[..1], &digits[1..], digits.len() - 1);
                edits.push(Edit { at: t.start, len: t.end - t.start, text });
            }
            (Kind::Ident, "reduce" | "foreach") => {
                if let Some(as_at) = source_end(&toks, code, n + 1)
                    && has_operator(&toks[n + 1..as_at], code)
                {
                    edits.push(Edit { at: toks[n + 1].start, len: 0, text: "(".into() });
                    edits.push(Edit { at: toks[as_at - 1].end, len: 0, text: ")".into() });
                }
            }
            (Kind::Ident, "as") => {
                if let Some(resume) = alternatives(&toks, code, n, &mut edits, &mut alt) {
                    skip_to = resume;
                }
            }
            _ => {}
        }
        if skip_to > n {
            next = skip_to;
        }
    }
    edits.sort_by_key(|e| e.at);
    let mut out = String::with_capacity(code.len() + 64);
    let mut pos = 0;
    for edit in &edits {
        out.push_str(&code[pos..edit.at]);
        out.push_str(&edit.text);
        pos = edit.at + edit.len;
    }
    out.push_str(&code[pos..]);
    Ok(Rewritten { code: out, edits })
}

/// `REST` when `code` is `.[] | REST` and reads no other input (`input`,
/// `inputs`): the program then runs REST on each element on its own.
pub fn after_iterate(code: &str) -> Option<&str> {
    let toks = tokens(code);
    let text = |t: &Token| &code[t.start..t.end];
    let head: Vec<&str> = toks.iter().take(4).map(text).collect();
    if head != [".", "[", "]", "|"] || code[toks[3].end..].starts_with('=') {
        return None;
    }
    if toks.iter().any(|t| t.kind == Kind::Ident && matches!(text(t), "input" | "inputs")) {
        return None;
    }
    Some(&code[toks[3].end..])
}

/// Whether token `n` is directly inside braces (an object), not brackets or parentheses.
fn in_object(toks: &[Token], code: &str, n: usize) -> bool {
    let mut depth = 0;
    for t in toks[..n].iter().rev() {
        match t.kind {
            Kind::Close => depth += 1,
            Kind::Open if depth > 0 => depth -= 1,
            Kind::Open => return &code[t.start..t.end] == "{",
            _ => {}
        }
    }
    false
}

/// Whether `toks` has an operator outside brackets (`.[] / .[]`, not `.a[0]?`).
fn has_operator(toks: &[Token], code: &str) -> bool {
    let mut depth = 0;
    toks.iter().any(|t| {
        let s = &code[t.start..t.end];
        match t.kind {
            Kind::Open => depth += 1,
            Kind::Close => depth -= 1,
            Kind::Other => return depth == 0 && !s.starts_with('.') && s != "?",
            Kind::Ident => return depth == 0 && (s == "and" || s == "or"),
            _ => {}
        }
        false
    })
}

/// The index of the bracket that closes the one at `open`.
fn closing(toks: &[Token], open: usize) -> Option<usize> {
    let mut depth = 0;
    for (i, t) in toks.iter().enumerate().skip(open) {
        match t.kind {
            Kind::Open => depth += 1,
            Kind::Close => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// The index of the `as` that ends the source of a `reduce`/`foreach`
/// whose source starts at token `from` (nested ones skipped).
fn source_end(toks: &[Token], code: &str, from: usize) -> Option<usize> {
    let mut depth = 0i32;
    let mut pending = 0;
    let mut i = from;
    while i < toks.len() {
        let t = &toks[i];
        let s = &code[t.start..t.end];
        match t.kind {
            Kind::Open => depth += 1,
            Kind::Close => {
                depth -= 1;
                if depth < 0 {
                    return None;
                }
            }
            Kind::Ident if depth == 0 && (s == "reduce" || s == "foreach") => pending += 1,
            Kind::Ident if depth == 0 && s == "as" => {
                if pending == 0 {
                    return (i > from).then_some(i);
                }
                pending -= 1;
            }
            Kind::Other if depth == 0 && (s == "|" || s == ";") => return None,
            _ => {}
        }
        i += 1;
    }
    None
}

/// The end (exclusive token index) of the pattern starting at `from`.
fn pattern_end(toks: &[Token], from: usize) -> Option<usize> {
    match toks.get(from)?.kind {
        Kind::Var => Some(from + 1),
        Kind::Open => closing(toks, from).map(|c| c + 1),
        _ => None,
    }
}

/// The variables a pattern binds (not those used in its computed keys).
fn pattern_vars<'a>(toks: &[Token], code: &'a str, from: usize, to: usize, vars: &mut Vec<&'a str>) {
    let mut paren = 0;
    for t in &toks[from..to] {
        let s = &code[t.start..t.end];
        match t.kind {
            Kind::Open if s == "(" || s == "\\(" => paren += 1,
            Kind::Close if s == ")" => paren -= 1,
            Kind::Var if paren == 0 && !vars.contains(&s) => vars.push(s),
            _ => {}
        }
    }
}

/// `$name: pattern` inside object patterns of `from..to`: adds the entry binding `$name` itself.
fn named_subpatterns(toks: &[Token], code: &str, from: usize, to: usize) -> Vec<Edit> {
    let mut edits = Vec::new();
    for i in from..to.saturating_sub(1) {
        let (t, next) = (&toks[i], &toks[i + 1]);
        if t.kind == Kind::Var && &code[next.start..next.end] == ":" && in_object(toks, code, i) {
            let name = &code[t.start + 1..t.end];
            edits.push(Edit { at: t.start, len: t.end - t.start, text: format!("${name}, \"{name}\"") });
        }
    }
    edits
}

/// At token `as_at` (an `as`): patterns with `?//` alternatives rewritten
/// into `try`/`catch`; `$name: pattern` entries of the patterns expanded.
/// The token to go on from when the body was rewritten with them.
fn alternatives(toks: &[Token], code: &str, as_at: usize, edits: &mut Vec<Edit>, counter: &mut usize) -> Option<usize> {
    let text = |t: &Token| &code[t.start..t.end];
    let mut patterns = Vec::new();
    let mut at = as_at + 1;
    while let Some(end) = pattern_end(toks, at) {
        patterns.push((at, end));
        if toks.get(end).map(|t| t.kind) == Some(Kind::AltOp) {
            at = end + 1;
        } else {
            break;
        }
    }
    let &(_, last_end) = patterns.last()?;
    for &(from, to) in &patterns {
        edits.extend(named_subpatterns(toks, code, from, to));
    }
    if patterns.len() < 2 || toks.get(last_end).map(text) != Some("|") {
        return None;
    }
    // The body: up to what closes the enclosing expression.
    let body_start = last_end + 1;
    let mut depth = 0;
    let mut body_end = toks.len();
    for (i, t) in toks.iter().enumerate().skip(body_start) {
        match (t.kind, text(t)) {
            (Kind::Open, _) => depth += 1,
            (Kind::Close, _) if depth == 0 => {
                body_end = i;
                break;
            }
            (Kind::Close, _) => depth -= 1,
            (Kind::Other, ";") | (Kind::Ident, "then" | "else" | "elif" | "end" | "catch") if depth == 0 => {
                body_end = i;
                break;
            }
            _ => {}
        }
    }
    let body_text_end = if body_end < toks.len() { toks[body_end].start } else { code.len() };
    let body = code[toks[body_start].start.min(body_text_end)..body_text_end].trim_end();
    let mut vars = Vec::new();
    for &(from, to) in &patterns {
        pattern_vars(toks, code, from, to, &mut vars);
    }
    *counter += 1;
    let value = format!("$__alternative_{counter}");
    let mut out = format!("{value} | ");
    for var in &vars {
        out.push_str(&format!("null as {var} | "));
    }
    let pattern_text = |&(from, to): &(usize, usize)| {
        // The pattern with its `$name:` entries expanded.
        let mut p = String::new();
        let mut pos = toks[from].start;
        for e in named_subpatterns(toks, code, from, to) {
            p.push_str(&code[pos..e.at]);
            p.push_str(&e.text);
            pos = e.at + e.len;
        }
        p.push_str(&code[pos..toks[to - 1].end]);
        p
    };
    let n = patterns.len();
    for (k, pattern) in patterns.iter().enumerate() {
        let bound = format!("{value} as {} | {body}", pattern_text(pattern));
        if k + 1 < n {
            out.push_str(&format!("try ({bound}) catch ("));
        } else {
            out.push_str(&bound);
        }
    }
    out.push_str(&")".repeat(n - 1));
    // Replace from the first pattern to the end of the body; `T as` stays, binding the value.
    let start = toks[patterns[0].0].start;
    edits.retain(|e| e.at < start || e.at >= body_text_end);
    edits.push(Edit {
        at: start,
        len: body_text_end - start,
        text: format!("{value} | ({})", &out[value.len() + 3..]),
    });
    Some(body_end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rw(code: &str) -> String {
        rewrite(code).unwrap().code
    }

    #[test]
    fn leaves_plain_programs_alone() {
        for code in [
            ".[] | select(.x > 5) | .name",
            "\"a \\(.b) c\" | ascii_downcase",
            "reduce .[] as $x (0; . + $x)",
            ".a?//1",
        ] {
            assert_eq!(rw(code), code);
        }
    }

    #[test]
    fn rewrites_what_jaq_lacks() {
        assert_eq!(rw("$__loc__"), r#"{"file":"<top-level>","line":1}"#);
        assert_eq!(rw("{a, $__loc__}"), r#"{a, "__loc__": {"file":"<top-level>","line":1}}"#);
        assert_eq!(rw("1 |\n\"\\($__loc__)\""), "1 |\n\"\\({\"file\":\"<top-level>\",\"line\":2})\"");
        assert_eq!(rw("reduce .[] / .[] as $i (0; . + $i)"), "reduce (.[] / .[]) as $i (0; . + $i)");
        assert_eq!(rw("select(. > .5)"), "select(. > 0.5)");
        assert_eq!(rw("13911860366432393 + 1"), "1.3911860366432393E16 + 1");
        assert_eq!(rw("{as: 1, reduce: 2, import: 3}"), "{as: 1, reduce: 2, import: 3}");
        assert_eq!(rw(". as {$a, $b:[$c]} | $b"), ". as {$a, $b, \"b\":[$c]} | $b");
        assert_eq!(
            rw(". as [$a] ?// $b | [$a, $b]"),
            ". as $__alternative_1 | (null as $a | null as $b | try ($__alternative_1 as [$a] | [$a, $b]) catch ($__alternative_1 as $b | [$a, $b]))"
        );
    }

    #[test]
    fn maps_positions_back() {
        let written = "reduce .[] / .[] as $i (0; . + $i) | ]";
        let r = rewrite(written).unwrap();
        assert_eq!(r.original_offset(r.code.rfind(']').unwrap()), written.rfind(']').unwrap());
        assert_eq!(r.original_offset(0), 0);
    }

    #[test]
    fn finds_programs_that_start_by_iterating() {
        assert_eq!(after_iterate(".[] | select(.x > 5) | .name"), Some(" select(.x > 5) | .name"));
        assert_eq!(after_iterate(".[]|.a"), Some(".a"));
        for code in [".[] |= 1", ".[]? | .a", ".[] as $x | $x", ".[] | input", "[.[] | .a]", ".[] , 1 | .a"] {
            assert_eq!(after_iterate(code), None, "{code}");
        }
    }

    #[test]
    fn refuses_modules() {
        assert_eq!(rewrite("import \"a\" as a; a::f").unwrap_err().offset, 0);
    }
}
