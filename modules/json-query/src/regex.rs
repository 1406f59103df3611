//! jq's regular expression matches: `_regex(re; flags; test)` gives the
//! array of match objects jq's `match` outputs (offsets and lengths in
//! code points; a group that took no part in the match kept, with offset
//! -1 and string null), or with `test` whether there is a match. The
//! definitions in src/prelude.jq (`match`, `test`, `capture`, `scan`,
//! `split`, `sub`, `gsub`) are built on it. The engine is `regex-bites`
//! (Rust's `regex`, with look-around and back-references
//! added): Unicode classes, as Oniguruma's.

use fancy_regex::{Regex, RegexBuilder};

use crate::map::Map;
use crate::value::{Error, Val, error};

/// jq's flags, read from its flag string.
#[derive(Default)]
struct Flags {
    global: bool,
    skip_empty: bool,
    case_insensitive: bool,
    extended: bool,
    /// `s`: `^` and `$` match at the ends of the text only (jq's default,
    /// Oniguruma's Ruby syntax, matches them at every line).
    single_line: bool,
    /// `p`: `.` also matches a line break (and `s`).
    dot_all: bool,
}

fn flags(value: &Val) -> Result<Flags, Error> {
    let text = match value {
        Val::Null => "",
        Val::Str(s) => s,
        other => return Err(error(format!("{} is not a string", other.described()))),
    };
    let mut flags = Flags::default();
    for c in text.chars() {
        match c {
            'g' => flags.global = true,
            'n' => flags.skip_empty = true,
            'i' => flags.case_insensitive = true,
            'x' => flags.extended = true,
            's' => flags.single_line = true,
            'p' => {
                flags.single_line = true;
                flags.dot_all = true;
            }
            // Longest match: Oniguruma's leftmost-longest; the engine here is leftmost-first.
            'l' => {}
            _ => return Err(error(format!("{text} is not a valid modifier string"))),
        }
    }
    Ok(flags)
}

fn compile(re: &Val, flags: &Flags) -> Result<Regex, Error> {
    let Val::Str(pattern) = re else {
        return Err(error(format!("{} cannot be matched, as it is not a string", re.described())));
    };
    RegexBuilder::new(pattern)
        .case_insensitive(flags.case_insensitive)
        .ignore_whitespace(flags.extended)
        .multi_line(!flags.single_line)
        .dot_matches_new_line(flags.dot_all)
        .backtrack_limit(BACKTRACK_LIMIT)
        .build()
        .map_err(|e| error(format!("{pattern} (at offset 0) is not a valid regex: {e}")))
}

/// The most steps a match may take backtracking (look-around and
/// back-references): past it the match fails with a message.
const BACKTRACK_LIMIT: usize = 1_000_000;

/// Code point offsets of byte offsets, asked for in increasing order.
struct CodePoints<'a> {
    text: &'a str,
    byte: usize,
    chars: usize,
}

impl CodePoints<'_> {
    fn at(&mut self, byte: usize) -> usize {
        if byte < self.byte {
            return self.text[..byte].chars().count();
        }
        self.chars += self.text[self.byte..byte].chars().count();
        self.byte = byte;
        self.chars
    }
}

/// `_regex(re; flags; test)` on `input`.
pub fn regex(input: &Val, re: &Val, flags_value: &Val, test: bool) -> Result<Val, Error> {
    let Val::Str(text) = input else {
        return Err(error(format!("{} cannot be matched, as it is not a string", input.described())));
    };
    let text: &str = text;
    let flags = flags(flags_value)?;
    let re = compile(re, &flags)?;
    let failed = |e: fancy_regex::Error| error(format!("{} cannot be matched: {e}", input.described()));
    if test && !flags.skip_empty {
        return re.is_match(text).map(Val::Bool).map_err(failed);
    }
    let names: Vec<Option<&str>> = re.capture_names().collect();
    let mut points = CodePoints { text, byte: 0, chars: 0 };
    let mut out = Vec::new();
    // As jq searches: after an empty match one character further on,
    // after any other from its end (so an empty match right after a
    // match counts, as at the end of `"ab" | gsub("b*"; "-")`).
    let mut from = 0;
    while from <= text.len() {
        let Some(captures) = re.captures_from_pos(text, from).map_err(failed)? else { break };
        let Some(whole) = captures.get(0) else { break };
        from = if whole.as_str().is_empty() {
            whole.end() + text[whole.end()..].chars().next().map_or(1, char::len_utf8)
        } else {
            whole.end()
        };
        if flags.skip_empty && whole.as_str().is_empty() {
            continue;
        }
        if test {
            return Ok(Val::Bool(true));
        }
        let mut groups = Vec::with_capacity(names.len().saturating_sub(1));
        for (i, name) in names.iter().enumerate().skip(1) {
            let name = name.map_or(Val::Null, Val::str);
            groups.push(match captures.get(i) {
                Some(m) => matched(&mut points, m.start(), m.as_str(), Some(name)),
                None => {
                    let mut map = Map::with_capacity(4);
                    map.insert("offset".into(), Val::Num(-1.0));
                    map.insert("string".into(), Val::Null);
                    map.insert("length".into(), Val::Num(0.0));
                    map.insert("name".into(), name);
                    Val::obj(map)
                }
            });
        }
        let Val::Obj(mut map) = matched(&mut points, whole.start(), whole.as_str(), None) else {
            unreachable!("matched gives an object")
        };
        std::rc::Rc::make_mut(&mut map).insert("captures".into(), Val::arr(groups));
        out.push(Val::Obj(map));
        if !flags.global {
            break;
        }
    }
    Ok(if test { Val::Bool(false) } else { Val::arr(out) })
}

/// `{offset, length, string}` (and `name` for a group) of a match at byte `start`.
fn matched(points: &mut CodePoints<'_>, start: usize, text: &str, name: Option<Val>) -> Val {
    let mut map = Map::with_capacity(4);
    map.insert("offset".into(), Val::from(points.at(start)));
    map.insert("length".into(), Val::from(text.chars().count()));
    map.insert("string".into(), Val::str(text));
    if let Some(name) = name {
        map.insert("name".into(), name);
    }
    Val::obj(map)
}
