//! jq 1.8 syntax that jaq's parser does not take, rewritten into jaq's
//! before it parses the program:
//!
//! - `$__loc__` becomes `{"file":"<top-level>","line":N}` (and `{$__loc__}`
//!   the entry `"__loc__": {...}`);
//! - the source of `reduce`/`foreach` may be any pipe-free expression
//!   (`reduce .[] / .[] as $x (...)`): it is put in parentheses;
//! - destructuring alternatives `T as P1 ?// P2 | body` become
//!   `T as $v | try ($v as P1 | body) catch ($v as P2 | body)`, with every
//!   variable of every pattern first bound to null, as jq binds them;
//! - `$name: pattern` in an object pattern binds `$name` too;
//! - number literals that start with the point (`.5`) get their zero;
//! - the update of `reduce` keeps its last output, null when it has none;
//! - `%` binds as `*` and `/` do: `a * b % c` becomes `(a * b) % c`;
//! - `def f($x): body` becomes `def f(x): x as $x | body`;
//! - UTF-16 surrogate pairs in strings (`"\ud83d\ude04"`) become the character;
//! - `import` and `include` with metadata that is not a constant object, or a
//!   path that is not constant, are refused with jq's message;
//! - `$d::d` (jq's second name of data imported `as $d`) becomes `$d`;
//! - `l + r` and the other arithmetic and comparison operators evaluate
//!   their right operand first, as jq does ([`operand_order`]).
//!
//! Positions in jaq's messages about the rewritten text are mapped back
//! to the program as written ([`Rewritten::original_offset`]).

/// A token's kind.
mod operand_order;

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
                    // An escape; a backslash at the very end ends the string there.
                    Some(b'\\') => j = (j + 2).min(b.len()),
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
    let operators = operand_order::Operators::of(&toks, code);
    let mut reordered: Vec<operand_order::Placed> = Vec::new();

    let mut next = 0;
    while next < toks.len() {
        let n = next;
        let t = &toks[n];
        next += 1;
        let mut skip_to = 0;
        if t.kind == Kind::Other
            && let Some(placed) = operand_order::reorder(&toks, code, &operators, n)
        {
            reordered.extend(placed);
            continue;
        }
        match (t.kind, text(t)) {
            (Kind::Ident, _) if toks.get(n + 1).is_some_and(|next| text(next) == ":") => {
                // A keyword used as an object key (`{if: 1}`).
            }
            (Kind::Ident, word @ ("import" | "include")) => {
                // Checked here as jq checks them; src/library.rs finds the module.
                let path = toks.get(n + 1);
                if path.is_some_and(|p| p.kind == Kind::Str) && toks.get(n + 2).is_some_and(|t| text(t) == "\\(") {
                    return Err(Refused { reason: "Import path must be constant".into(), offset: toks[n + 1].start });
                }
                let meta_at = if word == "include" { n + 2 } else { n + 4 };
                if toks.get(meta_at).is_some_and(|m| text(m) != ";")
                    && let Some(reason) = module_metadata_error(&toks[meta_at - 1..], code)
                {
                    return Err(Refused { reason: reason.into(), offset: toks[meta_at].start });
                }
            }
            (Kind::Ident, "module") if n == 0 => {
                if let Some(reason) = module_metadata_error(&toks, code) {
                    return Err(Refused { reason: reason.into(), offset: toks.get(1).map_or(code.len(), |t| t.start) });
                }
            }
            // `import "data" as $d` binds `$d`, which jq also names `$d::d`.
            (Kind::Var, name) if name.split_once("::").is_some_and(|(a, b)| a.get(1..) == Some(b)) => {
                let short = name.split_once("::").map_or(name, |(a, _)| a);
                edits.push(Edit { at: t.start, len: t.end - t.start, text: short.into() });
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
                if let Some(as_at) = source_end(&toks, code, n + 1) {
                    if has_operator(&toks[n + 1..as_at], code) {
                        edits.push(Edit { at: toks[n + 1].start, len: 0, text: "(".into() });
                        edits.push(Edit { at: toks[as_at - 1].end, len: 0, text: ")".into() });
                    }
                    if text(t) == "reduce" {
                        edits.extend(last_update(&toks, code, as_at));
                    }
                }
            }
            (Kind::Ident, "as") => {
                if let Some(resume) = alternatives(&toks, code, n, &mut edits, &mut alt) {
                    skip_to = resume;
                }
            }
            (Kind::Ident, "def") => {
                edits.extend(guarded_filter_parameters(&toks, code, n));
                edits.extend(value_parameters(&toks, code, n));
                edits.extend(guarded_body(&toks, code, n));
            }
            (Kind::Str, _) => edits.extend(surrogate_escapes(code, t)),
            (Kind::Other, "=") => {
                let mut assignment = plain_assignment(&toks, code, n);
                // Its `)` goes inside what an enclosing rewrite closes at the same place.
                if let Some(close) = assignment.pop() {
                    edits.insert(0, close);
                }
                edits.extend(assignment);
            }
            (Kind::Other, "%") if !code[t.end..].starts_with('=') => {
                if let Some(first) = product_start(&toks, code, n) {
                    // Ordered among the reordered operators' parentheses, which it may hold or sit in.
                    let (from, to) = (toks[first].start, toks[n - 1].end);
                    let span = to - from;
                    reordered.push(operand_order::Placed {
                        edit: Edit { at: from, len: 0, text: "(".into() },
                        opens: true,
                        span,
                    });
                    reordered.push(operand_order::Placed {
                        edit: Edit { at: to, len: 0, text: ")".into() },
                        opens: false,
                        span,
                    });
                }
            }
            _ => {}
        }
        if skip_to > n {
            next = skip_to;
        }
    }
    // At one place, the reordered operators' closings come first (the
    // narrowest first) and their openings last (the widest first): the
    // other rewrites hold them.
    // Of equal widths, the one placed later holds the other (a `%`'s
    // parentheses around a reordered product).
    let (mut opening, mut closing): (Vec<_>, Vec<_>) = reordered.into_iter().enumerate().partition(|(_, p)| p.opens);
    opening.sort_by_key(|(n, p)| (p.edit.at, usize::MAX - p.span, usize::MAX - n));
    closing.sort_by_key(|(n, p)| (p.edit.at, p.span, *n));
    edits.splice(0..0, closing.into_iter().map(|(_, p)| p.edit));
    edits.extend(opening.into_iter().map(|(_, p)| p.edit));
    // Insertions before replacements at the same place; an edit that
    // overlaps the one before it is dropped (the text stays as written).
    edits.sort_by_key(|e| (e.at, e.len));
    let mut end = 0;
    edits.retain(|e| {
        let keep = e.at >= end;
        if keep {
            end = e.at + e.len;
        }
        keep
    });
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

/// What jq finds wrong with the metadata of `module META;` at the start:
/// it must be an object, and constant.
fn module_metadata_error(toks: &[Token], code: &str) -> Option<&'static str> {
    let text = |t: &Token| &code[t.start..t.end];
    let first = toks.get(1)?;
    if text(first) != "{" {
        let variable =
            matches!(first.kind, Kind::Var | Kind::Ident) && !matches!(text(first), "null" | "true" | "false");
        return Some(if text(first) == "(" || text(first).starts_with('.') || variable {
            "Module metadata must be constant"
        } else {
            "Module metadata must be an object"
        });
    }
    let close = closing(toks, 1)?;
    let constant = toks[2..close].iter().all(|t| match t.kind {
        Kind::Var => false,
        Kind::Open => text(t) != "(" && text(t) != "\\(",
        Kind::Other => !text(t).starts_with('.') && !matches!(text(t), "|" | "+" | "-" | "*" | "/"),
        _ => true,
    });
    (!constant).then_some("Module metadata must be constant")
}

/// What jq's `modulemeta` says of a module whose text is `code`, as a jq
/// program that builds it: the module's metadata with `deps` (each import
/// or include: its metadata, `as`, `is_data`, `relpath`) and `defs` (each
/// top-level definition as `name/arity`), in the module's order.
pub fn module_outline(code: &str) -> Option<String> {
    let toks = tokens(code);
    let text = |i: usize| toks.get(i).map_or("", |t| &code[t.start..t.end]);
    // The `;` ending the directive that starts at `from`.
    let end = |from: usize| (from..toks.len()).find(|&i| text(i) == ";");
    let mut at = 0;
    let mut meta = "{}".to_owned();
    if text(0) == "module" {
        let close = end(1)?;
        meta = code[toks[1].start..toks[close - 1].end].to_owned();
        at = close + 1;
    }
    let mut deps = Vec::new();
    while matches!(text(at), "import" | "include") {
        let close = end(at)?;
        let path = text(at + 1);
        let (alias, meta_at) = if text(at) == "import" { (Some(text(at + 3)), at + 4) } else { (None, at + 2) };
        let dep_meta = if meta_at < close { &code[toks[meta_at].start..toks[close - 1].end] } else { "{}" };
        let fields = match alias {
            Some(alias) => format!(
                "{{as: {:?}, is_data: {}, relpath: {path}}}",
                alias.trim_start_matches('$'),
                alias.starts_with('$')
            ),
            None => format!("{{is_data: false, relpath: {path}}}"),
        };
        deps.push(format!("({dep_meta}) + {fields}"));
        at = close + 1;
    }
    let mut defs = Vec::new();
    let (mut depth, mut open_defs) = (0i32, 0);
    for i in at..toks.len() {
        match (toks[i].kind, text(i)) {
            (Kind::Open, _) => depth += 1,
            (Kind::Close, _) => depth -= 1,
            (Kind::Ident, "def") if depth == 0 => {
                if open_defs == 0 {
                    let arity = if text(i + 2) == "(" {
                        let close = closing(&toks, i + 2)?;
                        1 + (i + 3..close).filter(|&j| text(j) == ";").count()
                    } else {
                        0
                    };
                    defs.push(format!("{:?}", format!("{}/{arity}", text(i + 1))));
                }
                open_defs += 1;
            }
            (Kind::Other, ";") if depth == 0 && open_defs > 0 => open_defs -= 1,
            _ => {}
        }
    }
    Some(format!("({meta}) + {{deps: [{}], defs: [{}]}}", deps.join(", "), defs.join(", ")))
}

/// `l = r` (token `at` is its `=`) becomes `_assign(l; r)`, jq's
/// definition (src/prelude.jq): the paths of `l` are taken on the input
/// and each set to `r`'s value in turn, where jaq updates along `l`
/// (`.. = ..` fails on a number as jq's does; `(try error(0)) = 1` has no
/// path and gives its input). Nothing is changed where a side holds a
/// construct whose extent is not plain (`if`, `reduce`, `as`, another
/// assignment).
fn plain_assignment(toks: &[Token], code: &str, at: usize) -> Vec<Edit> {
    let b = code.as_bytes();
    let t = &toks[at];
    let before = t.start.checked_sub(1).map(|i| b[i]);
    if matches!(before, Some(b'=' | b'|' | b'+' | b'-' | b'*' | b'/' | b'%' | b'<' | b'>' | b'!'))
        || b.get(t.end) == Some(&b'=')
    {
        return Vec::new();
    }
    let text = |i: usize| &code[toks[i].start..toks[i].end];
    let is_alt = |i: usize| {
        text(i) == "/" && (b.get(toks[i].end) == Some(&b'/') || toks[i].start > 0 && b[toks[i].start - 1] == b'/')
    };
    // The left side: back to what binds looser than `=`.
    let mut depth = 0;
    let mut first = 0;
    for i in (0..at).rev() {
        match (toks[i].kind, text(i)) {
            (Kind::Close, _) => depth += 1,
            (Kind::Open, _) if depth > 0 => depth -= 1,
            (Kind::Open, _) => {
                first = i + 1;
                break;
            }
            _ if depth > 0 => {}
            (Kind::Other, "|") if b.get(toks[i].end) == Some(&b'=') => return Vec::new(),
            (Kind::Other, "|" | "," | ";" | ":") | (Kind::AltOp, _) => {
                first = i + 1;
                break;
            }
            (Kind::Other, "/") if is_alt(i) => {
                first = i + 1;
                break;
            }
            (Kind::Ident, "then" | "else" | "elif" | "if" | "reduce" | "foreach" | "label" | "def") => {
                first = i + 1;
                break;
            }
            (Kind::Ident, "as" | "end" | "catch" | "import" | "include") => return Vec::new(),
            _ => {}
        }
    }
    if first >= at {
        return Vec::new();
    }
    // The right side: on to what binds looser than `=`.
    let mut depth = 0;
    let mut last = None;
    for i in at + 1..toks.len() {
        match (toks[i].kind, text(i)) {
            (Kind::Open, _) => depth += 1,
            (Kind::Close, _) if depth > 0 => depth -= 1,
            (Kind::Close, _) => break,
            _ if depth > 0 => {}
            (Kind::Other, "|") if b.get(toks[i].end) == Some(&b'=') => return Vec::new(),
            (Kind::Other, "|" | "," | ";" | ":") | (Kind::AltOp, _) => break,
            (Kind::Other, "/") if is_alt(i) => break,
            (Kind::Other, "=")
                if !(toks[i].start > 0 && b"=<>!".contains(&b[toks[i].start - 1])
                    || b.get(toks[i].end) == Some(&b'=')) =>
            {
                return Vec::new();
            }
            (Kind::Ident, "then" | "else" | "elif" | "end" | "catch") => break,
            (Kind::Ident, "if" | "reduce" | "foreach" | "label" | "def" | "try" | "as" | "import" | "include") => {
                return Vec::new();
            }
            _ => {}
        }
        last = Some(i);
    }
    let Some(last) = last else { return Vec::new() };
    vec![
        Edit { at: toks[first].start, len: 0, text: "_assign(".into() },
        Edit { at: t.start, len: 1, text: ";".into() },
        Edit { at: toks[last].end, len: 0, text: ")".into() },
    ]
}

/// For the `reduce` whose `as` is token `as_at`: its update `u` becomes
/// `[u] | .[-1]`, jq's rule (the last output of the update is the new
/// state, null when it has none), where jaq's reduce ends with no output.
fn last_update(toks: &[Token], code: &str, as_at: usize) -> Vec<Edit> {
    let mut at = as_at + 1;
    let open = loop {
        let Some(end) = pattern_end(toks, at) else { return Vec::new() };
        if toks.get(end).map(|t| t.kind) == Some(Kind::AltOp) {
            at = end + 1;
        } else {
            break end;
        }
    };
    if toks.get(open).map(|t| &code[t.start..t.end]) != Some("(") {
        return Vec::new();
    }
    let Some(close) = closing(toks, open) else { return Vec::new() };
    let mut depth = 0;
    for i in open + 1..close {
        match toks[i].kind {
            Kind::Open => depth += 1,
            Kind::Close => depth -= 1,
            Kind::Other if depth == 0 && &code[toks[i].start..toks[i].end] == ";" => {
                return vec![
                    Edit { at: toks[i].end, len: 0, text: " [".into() },
                    Edit { at: toks[close].start, len: 0, text: "] | .[-1]".into() },
                ];
            }
            _ => {}
        }
    }
    Vec::new()
}

/// The parameters of kind `kind` of the `def` at token `def_at` (`def
/// NAME(…):`), and the index of its closing parenthesis; `None` for a
/// `def` without parameters of that kind.
fn def_parameters<'t>(toks: &'t [Token], code: &str, def_at: usize, kind: Kind) -> Option<(Vec<&'t Token>, usize)> {
    let text = |i: usize| toks.get(i).map_or("", |t| &code[t.start..t.end]);
    if toks.get(def_at + 1).map(|t| t.kind) != Some(Kind::Ident) || text(def_at + 2) != "(" {
        return None;
    }
    let close = closing(toks, def_at + 2)?;
    if text(close + 1) != ":" {
        return None;
    }
    let params: Vec<&Token> = toks[def_at + 3..close].iter().filter(|t| t.kind == kind).collect();
    (!params.is_empty()).then_some((params, close))
}

/// `def f($x; g): body` becomes `def f(x; g): x as $x | body`: jq's value
/// parameter `$x` also defines the filter `x`, which jaq's does not.
fn value_parameters(toks: &[Token], code: &str, def_at: usize) -> Vec<Edit> {
    let Some((params, close)) = def_parameters(toks, code, def_at, Kind::Var) else { return Vec::new() };
    let mut edits: Vec<Edit> = params
        .iter()
        .map(|t| Edit { at: t.start, len: t.end - t.start, text: code[t.start + 1..t.end].into() })
        .collect();
    let bindings: Vec<String> =
        params.iter().map(|t| format!("{} as {} | ", &code[t.start + 1..t.end], &code[t.start..t.end])).collect();
    edits.push(Edit { at: toks[close + 1].end, len: 0, text: format!(" {}", bindings.concat()) });
    edits
}

/// `def f(g): body` becomes `def f(_guarded_g): def g: if _stack_guard
/// then _guarded_g else empty end; body`. A filter argument passed down
/// through every level of a recursion (`def f(g): g | f(g)`) is called
/// back through all of them, between the body's guards; the guard on each
/// link makes a recursion too deep fail with a message there too.
fn guarded_filter_parameters(toks: &[Token], code: &str, def_at: usize) -> Vec<Edit> {
    let Some((params, close)) = def_parameters(toks, code, def_at, Kind::Ident) else { return Vec::new() };
    let mut edits: Vec<Edit> = params.iter().map(|t| Edit { at: t.start, len: 0, text: "_guarded_".into() }).collect();
    let defs: Vec<String> = params
        .iter()
        .map(|t| {
            let name = &code[t.start..t.end];
            format!("def {name}: if _stack_guard then _guarded_{name} else empty end; ")
        })
        .collect();
    edits.push(Edit { at: toks[close + 1].end, len: 0, text: format!(" {}", defs.concat()) });
    edits
}

/// `def f: body;` becomes `def f: if _stack_guard then (body) else empty
/// end;`: a recursion too deep for the module's stack then fails with a
/// message (src/natives.rs), where it would trap the module.
fn guarded_body(toks: &[Token], code: &str, def_at: usize) -> Vec<Edit> {
    let text = |i: usize| toks.get(i).map_or("", |t| &code[t.start..t.end]);
    if toks.get(def_at + 1).map(|t| t.kind) != Some(Kind::Ident) {
        return Vec::new();
    }
    let colon = match text(def_at + 2) {
        ":" => def_at + 2,
        "(" => match closing(toks, def_at + 2) {
            Some(close) if text(close + 1) == ":" => close + 1,
            _ => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    // The body ends at the `;` of this level; each `def` inside takes one.
    let (mut depth, mut inner) = (0i32, 0);
    for i in colon + 1..toks.len() {
        match (toks[i].kind, text(i)) {
            (Kind::Open, _) => depth += 1,
            (Kind::Close, _) if depth == 0 => return Vec::new(),
            (Kind::Close, _) => depth -= 1,
            (Kind::Ident, "def") if depth == 0 => inner += 1,
            (Kind::Other, ";") if depth == 0 && inner > 0 => inner -= 1,
            (Kind::Other, ";") if depth == 0 => {
                if i == colon + 1 {
                    return Vec::new();
                }
                return vec![
                    Edit { at: toks[colon].end, len: 0, text: " if _stack_guard then (".into() },
                    Edit { at: toks[i].start, len: 0, text: ") else empty end".into() },
                ];
            }
            _ => {}
        }
    }
    Vec::new()
}

/// The four hexadecimal digits at `at` (before `end`) as a number.
fn hex4(b: &[u8], at: usize, end: usize) -> Option<u32> {
    let digits = b.get(at..at + 4).filter(|_| at + 4 <= end)?;
    u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
}

/// `\uD83D\uDE04` (a UTF-16 surrogate pair) in a string becomes the
/// character it encodes, which jaq's lexer does not read.
fn surrogate_escapes(code: &str, t: &Token) -> Vec<Edit> {
    let b = code.as_bytes();
    let mut edits = Vec::new();
    let mut i = t.start;
    while i < t.end {
        if b[i] != b'\\' {
            i += 1;
            continue;
        }
        match (b.get(i + 1), hex4(b, i + 2, t.end)) {
            (Some(b'u'), Some(high @ 0xD800..=0xDBFF)) => {
                let low = (b.get(i + 6..i + 8) == Some(&b"\\u"[..])).then(|| hex4(b, i + 8, t.end)).flatten();
                match low {
                    Some(low @ 0xDC00..=0xDFFF) => {
                        let c =
                            char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)).unwrap_or('\u{fffd}');
                        edits.push(Edit { at: i, len: 12, text: c.to_string() });
                        i += 12;
                    }
                    // jaq refuses a lone surrogate, as jq does.
                    _ => i += 6,
                }
            }
            _ => i += 2,
        }
    }
    edits
}

/// Whether the `/` at token `i` is a division (not part of `//`, `/=` or `//=`).
fn is_division(toks: &[Token], code: &str, i: usize) -> bool {
    let t = &toks[i];
    let glued = |j: usize, at: usize| toks.get(j).is_some_and(|u| u.start == at || u.end == at);
    !(code[t.end..].starts_with(['/', '=']) || (i > 0 && glued(i - 1, t.start) && code[..t.start].ends_with('/')))
}

/// For the `%` at token `at`: the first token of its left operand when
/// that operand is a product or quotient (`a * b % c`), which jaq's parser
/// reads as `a * (b % c)` but jq as `(a * b) % c` (`%` binds as `*` and
/// `/` do). `None` when no parentheses are needed or the operand is not
/// one this scan can delimit (it crosses `as` or `end`).
fn product_start(toks: &[Token], code: &str, at: usize) -> Option<usize> {
    let mut depth = 0;
    let mut product = false;
    let mut first = 0;
    for i in (0..at).rev() {
        let t = &toks[i];
        let s = &code[t.start..t.end];
        match t.kind {
            Kind::Close => depth += 1,
            Kind::Open if depth > 0 => depth -= 1,
            Kind::Open => {
                first = i + 1;
                break;
            }
            _ if depth > 0 => {}
            Kind::Other if s == "*" && !code[t.end..].starts_with('=') => product = true,
            Kind::Other if s == "/" && is_division(toks, code, i) => product = true,
            Kind::Other if s == "%" || s == "?" || s.starts_with('.') => {}
            Kind::Ident if matches!(s, "as" | "end") => return None,
            Kind::Ident
                if matches!(
                    s,
                    "and"
                        | "or"
                        | "then"
                        | "else"
                        | "elif"
                        | "if"
                        | "try"
                        | "catch"
                        | "reduce"
                        | "foreach"
                        | "label"
                        | "def"
                ) =>
            {
                first = i + 1;
                break;
            }
            Kind::Ident | Kind::Var | Kind::Str | Kind::Num => {}
            Kind::Other | Kind::AltOp => {
                first = i + 1;
                break;
            }
        }
    }
    (product && first < at).then_some(first)
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
    // `if`s, `try`s and `def`s opened in the body: their `then`, `catch`
    // and `;` belong to it.
    let (mut ifs, mut tries, mut defs) = (0, 0, 0);
    let mut body_end = toks.len();
    for (i, t) in toks.iter().enumerate().skip(body_start) {
        match (t.kind, text(t)) {
            (Kind::Open, _) => depth += 1,
            (Kind::Close, _) if depth == 0 => {
                body_end = i;
                break;
            }
            (Kind::Close, _) => depth -= 1,
            _ if depth > 0 => {}
            (Kind::Ident, "if") => ifs += 1,
            (Kind::Ident, "end") if ifs > 0 => ifs -= 1,
            (Kind::Ident, "then" | "else" | "elif") if ifs > 0 => {}
            (Kind::Ident, "try") => tries += 1,
            (Kind::Ident, "catch") if tries > 0 => tries -= 1,
            (Kind::Ident, "def") => defs += 1,
            (Kind::Other, ";") if defs > 0 => defs -= 1,
            (Kind::Other, ";") | (Kind::Ident, "then" | "else" | "elif" | "end" | "catch") if depth == 0 => {
                body_end = i;
                break;
            }
            _ => {}
        }
    }
    let body_text_end = if body_end < toks.len() { toks[body_end].start } else { code.len() };
    let body_text_start = toks.get(body_start).map_or(code.len(), |t| t.start).min(body_text_end);
    let body = code[body_text_start..body_text_end].trim_end();
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
        for code in [".[] | select(.x > 5) | .name", "\"a \\(.b) c\" | ascii_downcase", ".a?//1"] {
            assert_eq!(rw(code), code);
        }
    }

    #[test]
    fn rewrites_what_jaq_lacks() {
        assert_eq!(rw("$__loc__"), r#"{"file":"<top-level>","line":1}"#);
        assert_eq!(rw("{a, $__loc__}"), r#"{a, "__loc__": {"file":"<top-level>","line":1}}"#);
        assert_eq!(rw("1 |\n\"\\($__loc__)\""), "1 |\n\"\\({\"file\":\"<top-level>\",\"line\":2})\"");
        assert_eq!(
            rw("reduce .[] / .[] as $i (0; . + $i)"),
            "reduce (_binop_div(.[] ; .[])) as $i (0; [ . + $i] | .[-1])"
        );
        assert_eq!(rw("[7 / 7 % 3, 1 + 2 * 3 % 4]"), "[(7 / 7) % 3, 1 + (2 * 3) % 4]");
        assert_eq!(rw("7 // 3 % 2"), "7 // 3 % 2");
        assert_eq!(rw("\"\\ud83d\\ude04\""), "\"😄\"");
        assert_eq!(
            rw("def f($a; g): $a; 1"),
            "def f(a; _guarded_g): def g: if _stack_guard then _guarded_g else empty end;  a as $a |  if _stack_guard then ( $a) else empty end; 1"
        );
        for cut in ["\"\\", "\"a\\", "\"\\(1)\\", "@base64 \"\\", ". as [$a] ?// $a | "] {
            assert!(rewrite(cut).is_ok(), "{cut}");
        }
        assert_eq!(rw("select(. > .5)"), "select(. > 0.5)");
        assert_eq!(rw(".. = .."), "_assign(.. ; ..)");
        assert_eq!(rw("reduce .[] as $i ([];.[$i] = $i)"), "reduce .[] as $i ([]; [_assign(.[$i] ; $i)] | .[-1])");
        assert_eq!(rw("try error(0) = 1"), "_assign(try error(0) ; 1)");
        assert_eq!(
            rw("[.a == 1, .b |= 2, .c += 3, .d != 4, .e <= 5]"),
            "[.a == 1, .b |= 2, .c += 3, .d != 4, .e <= 5]"
        );
        assert_eq!(
            rw("if . then .a = 1 else {b: (.c = 2)} end | .x = .y // 3"),
            "if . then _assign(.a ; 1) else {b: (_assign(.c ; 2))} end | _assign(.x ; .y) // 3"
        );
        assert_eq!(rw("$d::d[0], $d::e"), "$d[0], $d::e");
        assert_eq!(rw("13911860366432393 + 1"), "1.3911860366432393E16 + 1");
        assert_eq!(rw("{as: 1, reduce: 2, import: 3}"), "{as: 1, reduce: 2, import: 3}");
        assert_eq!(rw(". as {$a, $b:[$c]} | $b"), ". as {$a, $b, \"b\":[$c]} | $b");
        assert_eq!(
            rw(". as [$a] ?// $b | [$a, $b]"),
            ". as $__alternative_1 | (null as $a | null as $b | try ($__alternative_1 as [$a] | [$a, $b]) catch ($__alternative_1 as $b | [$a, $b]))"
        );
    }

    #[test]
    fn evaluates_the_right_operand_first() {
        assert_eq!(rw("[(1,2) + (10,20)]"), "[_binop_add((1,2) ; (10,20))]");
        assert_eq!(rw("(1,2) * (3,4) + f"), "_binop_add(_binop_mul((1,2) ; (3,4)) ; f)");
        assert_eq!(rw("f + g * h"), "_binop_add(f ; _binop_mul(g ; h))");
        assert_eq!(rw("f - g + h"), "_binop_add(_binop_sub(f ; g) ; h)");
        assert_eq!(rw("f == g and h < k"), "_binop_eq(f ; g) and _binop_lt(h ; k)");
        assert_eq!(rw("f * g % h"), "_binop_mod(_binop_mul(f ; g) ; h)");
        assert_eq!(rw("f * g % 3 + k"), "_binop_add((_binop_mul(f ; g)) % 3 ; k)");
        assert_eq!(rw("{a: f>=g}"), "{a: _binop_ge(f;g)}");
        assert_eq!(rw("if f != g then 1 else f end + g"), "_binop_add(if _binop_ne(f ; g) then 1 else f end ; g)");
        assert_eq!(rw("-f + g * -h"), "_binop_add(-f ; g * -h)");
        assert_eq!(rw("-f * g"), "-_binop_mul(f ; g)");
        assert_eq!(rw(".a = f + g"), "_assign(.a ; _binop_add(f ; g))");
        assert_eq!(rw("\"\\(f + g)\" + h"), "_binop_add(\"\\(_binop_add(f ; g))\" ; h)");
        // One side is one value, or an operand this scan does not follow: left as written.
        for same in [
            ".a + .b",
            "f + 1",
            "$x * f",
            "f + .a.b",
            "f * -g",
            "f + g as $x | $x",
            "try f + g",
            "f + label $out | g",
            ". + $i",
        ] {
            assert_eq!(rw(same), same);
        }
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
    fn outlines_modules_for_modulemeta() {
        assert_eq!(
            module_outline("module {a: 1};\nimport \"b\" as b {search: \"./\"};\nimport \"d\" as $d;\ndef f(x; $y): def g: 1; g; def h: 2;").unwrap(),
            "({a: 1}) + {deps: [({search: \"./\"}) + {as: \"b\", is_data: false, relpath: \"b\"}, ({}) + {as: \"d\", is_data: true, relpath: \"d\"}], defs: [\"f/2\", \"h/0\"]}"
        );
    }

    #[test]
    fn checks_imports_as_jq_does() {
        assert!(rewrite("import \"a\" as a; a::f").is_ok());
        assert!(rewrite("import \"a\" as a {search: \"./\"}; a::f").is_ok());
        assert_eq!(rewrite("include \"a\" []; 0").unwrap_err().reason, "Module metadata must be an object");
        assert_eq!(rewrite("include \"a\" (.+1); 0").unwrap_err().reason, "Module metadata must be constant");
        assert_eq!(rewrite("include \"\\(a)\"; 0").unwrap_err().reason, "Import path must be constant");
    }
}
