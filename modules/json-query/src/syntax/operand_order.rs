//! jq evaluates the right operand of an arithmetic or comparison operator
//! first and, for each of its outputs, the left one: `[(1,2) + (10,20)]` is
//! `[11,12,21,22]` and `error("a") + error("b")` fails with "b". jaq loops
//! over the left side outside. Where both operands may give several values
//! or fail, `l + r` becomes `_binop_add(l; r)`, which src/prelude.jq defines
//! as `r as $r | l + $r` (likewise `-`, `*`, `/`, `%`, `==`, `!=`, `<`, `<=`,
//! `>`, `>=`). A literal, a variable or a field path (`.a.b`) on either
//! side gives one value, so the order is jaq's already and nothing changes.
//!
//! The operands are found by jq's precedences (`%left '+' '-'`, `%left '*'
//! '/' '%'`, comparisons above `and`, `or`, assignments, `//`, `,` and `|`);
//! where an operand holds a construct whose extent this scan does not
//! follow (`as`, `def`, `label`, `try`, `reduce`, a unary minus right
//! of `*`, `/` or `%`, `?//`),
//! the operator is left as written.

use super::{Edit, Kind, Token};

/// An operator made of one or more glued punctuation tokens.
#[derive(Debug, Clone, Copy)]
struct Operator {
    /// The tokens it spans.
    first: usize,
    last: usize,
    /// jq's precedence: higher binds tighter; `None` for a unary minus.
    precedence: Option<u8>,
    /// The prelude's definition for it, when it is arithmetic or a comparison.
    definition: Option<&'static str>,
}

/// Operators by their text, longest first.
const OPERATORS: &[(&str, u8, Option<&str>)] = &[
    ("//=", 4, None),
    ("|=", 4, None),
    ("+=", 4, None),
    ("-=", 4, None),
    ("*=", 4, None),
    ("/=", 4, None),
    ("%=", 4, None),
    ("==", 7, Some("_binop_eq")),
    ("!=", 7, Some("_binop_ne")),
    ("<=", 7, Some("_binop_le")),
    (">=", 7, Some("_binop_ge")),
    ("//", 3, None),
    ("|", 1, None),
    (",", 2, None),
    ("=", 4, None),
    ("<", 7, Some("_binop_lt")),
    (">", 7, Some("_binop_gt")),
    ("+", 8, Some("_binop_add")),
    ("-", 8, Some("_binop_sub")),
    ("*", 9, Some("_binop_mul")),
    ("/", 9, Some("_binop_div")),
    ("%", 9, Some("_binop_mod")),
    (";", 0, None),
    (":", 0, None),
];

/// Keywords: never the end of an operand on their left.
const KEYWORDS: &[&str] = &[
    "and", "or", "then", "else", "elif", "if", "try", "catch", "reduce", "foreach", "as", "def", "label", "import",
    "include",
];

/// For each token, the operator it is part of (`and` and `or` included).
pub(super) struct Operators(Vec<Option<Operator>>);

impl Operators {
    pub(super) fn of(toks: &[Token], code: &str) -> Operators {
        let text = |i: usize| &code[toks[i].start..toks[i].end];
        let mut out: Vec<Option<Operator>> = vec![None; toks.len()];
        let mut i = 0;
        while i < toks.len() {
            let t = &toks[i];
            let word = match (t.kind, text(i)) {
                (Kind::Ident, "and") => Some((6, None)),
                (Kind::Ident, "or") => Some((5, None)),
                _ => None,
            };
            if let Some((precedence, definition)) = word {
                out[i] = Some(Operator { first: i, last: i, precedence: Some(precedence), definition });
                i += 1;
                continue;
            }
            if t.kind != Kind::Other || t.end - t.start != 1 {
                i += 1;
                continue;
            }
            // The punctuation glued to this token.
            let mut last = i;
            while toks.get(last + 1).is_some_and(|u| u.kind == Kind::Other && u.start == toks[last].end) {
                last += 1;
            }
            let glued = &code[t.start..toks[last].end];
            let Some(&(op, precedence, definition)) = OPERATORS.iter().find(|(op, ..)| glued.starts_with(op)) else {
                i += 1;
                continue;
            };
            let last = i + op.len() - 1;
            let unary = op == "-" && !(i > 0 && ends_term(toks, code, i - 1));
            let operator = Operator {
                first: i,
                last,
                precedence: (!unary).then_some(precedence),
                definition: definition.filter(|_| !unary),
            };
            for slot in &mut out[i..=last] {
                *slot = Some(operator);
            }
            i = last + 1;
        }
        Operators(out)
    }
}

/// Whether token `i` can end an operand (so a `-` after it is binary).
fn ends_term(toks: &[Token], code: &str, i: usize) -> bool {
    let s = &code[toks[i].start..toks[i].end];
    match toks[i].kind {
        Kind::Num | Kind::Str | Kind::Var | Kind::Close => true,
        Kind::Ident => !KEYWORDS.contains(&s),
        Kind::Other => s.starts_with('.') || s == "?",
        Kind::Open | Kind::AltOp => false,
    }
}

/// An edit of this rewrite, with what orders it among others at its place:
/// of two openings at one place the wider goes first, of two closings the
/// narrower.
pub(super) struct Placed {
    pub edit: Edit,
    pub opens: bool,
    pub span: usize,
}

/// The index of the token that matches bracket or keyword `from`, searching
/// in `step`'s direction (`+1`: forwards from an opening, `-1`: backwards
/// from a closing).
fn matching(toks: &[Token], code: &str, from: usize, forwards: bool) -> Option<usize> {
    let mut depth = 0i32;
    let mut i = from;
    loop {
        let t = &toks[i];
        let s = &code[t.start..t.end];
        let (opens, closes) = match t.kind {
            Kind::Open => (true, false),
            Kind::Close => (false, true),
            Kind::Ident => (s == "if", s == "end"),
            _ => (false, false),
        };
        if opens == forwards && (opens || closes) {
            depth += 1;
        } else if opens || closes {
            depth -= 1;
        }
        if depth == 0 {
            return Some(i);
        }
        if forwards {
            i += 1;
            if i >= toks.len() {
                return None;
            }
        } else {
            i = i.checked_sub(1)?;
        }
    }
}

/// Whether the tokens are one value that cannot be several: a literal, a
/// variable, `.` or a field path `.a.b`.
fn single(toks: &[Token], code: &str) -> bool {
    let text = |t: &Token| &code[t.start..t.end];
    let field = |t: &Token| t.kind == Kind::Other && text(t).len() > 1 && text(t).starts_with('.');
    match toks {
        [t] if matches!(t.kind, Kind::Num | Kind::Var | Kind::Str) => true,
        [t] if matches!(text(t), "." | "null" | "true" | "false") => true,
        _ => toks.iter().all(field),
    }
}

/// The edits that make the operator starting at token `at` evaluate its
/// right operand first, when it is arithmetic or a comparison and both
/// operands may give several values.
pub(super) fn reorder(toks: &[Token], code: &str, ops: &Operators, at: usize) -> Option<[Placed; 3]> {
    let op = ops.0.get(at).copied().flatten().filter(|op| op.first == at)?;
    let definition = op.definition?;
    let precedence = op.precedence?;
    let text = |i: usize| &code[toks[i].start..toks[i].end];

    // The left operand: back over what binds at least as tightly.
    let mut in_source = false;
    let mut first = 0;
    let mut i = op.first;
    while i > 0 {
        i -= 1;
        if let Some(other) = ops.0[i] {
            match other.precedence {
                // A unary minus binds as a binary one: it holds a product on its right.
                None if precedence > 8 => {
                    first = i + 1;
                    break;
                }
                None => {}
                Some(p) if p < precedence => {
                    first = i + 1;
                    break;
                }
                Some(_) => {
                    i = other.first;
                    continue;
                }
            }
        }
        match (toks[i].kind, text(i)) {
            (Kind::Close, _) | (Kind::Ident, "end") => i = matching(toks, code, i, false)?,
            (Kind::Open, _) | (Kind::Ident, "then" | "else" | "elif" | "if") => {
                first = i + 1;
                break;
            }
            (Kind::Ident, "reduce" | "foreach") => {
                in_source = true;
                first = i + 1;
                break;
            }
            (Kind::AltOp, _) | (Kind::Ident, "try" | "catch" | "as" | "def" | "label" | "import" | "include") => {
                return None;
            }
            _ => {}
        }
    }
    // The right operand: on over what binds more tightly.
    let mut end = toks.len();
    let mut i = op.last + 1;
    while i < toks.len() {
        if let Some(other) = ops.0[i] {
            match other.precedence {
                None if precedence > 8 => return None,
                None => {}
                Some(p) if p <= precedence => {
                    end = i;
                    break;
                }
                Some(_) => {
                    i = other.last + 1;
                    continue;
                }
            }
        }
        match (toks[i].kind, text(i)) {
            (Kind::Open, _) | (Kind::Ident, "if") => i = matching(toks, code, i, true)?,
            (Kind::Close, _) | (Kind::Ident, "then" | "else" | "elif" | "end" | "catch") => {
                end = i;
                break;
            }
            (Kind::Ident, "as") if in_source => {
                end = i;
                break;
            }
            (Kind::AltOp, _)
            | (Kind::Ident, "as" | "try" | "reduce" | "foreach" | "def" | "label" | "import" | "include") => {
                return None;
            }
            _ => {}
        }
        i += 1;
    }
    let (left, right) = (&toks[first..op.first], &toks[op.last + 1..end]);
    if left.is_empty() || right.is_empty() || single(left, code) || single(right, code) {
        return None;
    }
    let (from, to) = (toks[first].start, toks[end - 1].end);
    let span = to - from;
    let (op_start, op_end) = (toks[op.first].start, toks[op.last].end);
    Some([
        Placed { edit: Edit { at: from, len: 0, text: format!("{definition}(") }, opens: true, span },
        Placed { edit: Edit { at: op_start, len: op_end - op_start, text: ";".into() }, opens: false, span },
        Placed { edit: Edit { at: to, len: 0, text: ")".into() }, opens: false, span },
    ])
}
