//! Jinja2's `wordwrap` filter: each line of the text (Python's
//! `str.splitlines`) wrapped on its own as Python's `textwrap.wrap` wraps it
//! with tabs and whitespace left as they are (`expand_tabs=False`,
//! `replace_whitespace=False`), then every line joined by `wrapstring`.
//!
//! `textwrap` cuts a line into chunks: runs of whitespace, and words; with
//! `break_on_hyphens`, a word is also cut after a hyphen between letters
//! (`goof-`, `ball`) and before an em-dash (`--`) written between words.
//! Chunks fill a line up to `width` characters; whitespace at the start and
//! end of a wrapped line is dropped (but not at the start of the text), and
//! a chunk longer than `width` is cut to fill the line (after its last
//! hyphen that fits, with `break_on_hyphens`) or, without
//! `break_long_words`, put on a line of its own.

/// Python's `textwrap` whitespace (`_whitespace`).
fn is_wrap_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\x0b' | '\x0c' | '\r' | ' ')
}

/// Python's `str.isspace`, which `str.strip` uses.
fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// A regular expression's `\w`.
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The numbers of the Basic Multilingual Plane that are not decimal
/// digits (Unicode's `Nl` and `No`: `²`, `½`, `Ⅻ`, `①`…).
const NOT_DECIMAL: [(u32, u32); 34] = [
    (0xB2, 0xB3),
    (0xB9, 0xB9),
    (0xBC, 0xBE),
    (0x9F4, 0x9F9),
    (0xB72, 0xB77),
    (0xBF0, 0xBF2),
    (0xC78, 0xC7E),
    (0xD58, 0xD5E),
    (0xD70, 0xD78),
    (0xF2A, 0xF33),
    (0x1369, 0x137C),
    (0x16EE, 0x16F0),
    (0x17F0, 0x17F9),
    (0x19DA, 0x19DA),
    (0x2070, 0x2070),
    (0x2074, 0x2079),
    (0x2080, 0x2089),
    (0x2150, 0x2182),
    (0x2185, 0x2189),
    (0x2460, 0x249B),
    (0x24EA, 0x24FF),
    (0x2776, 0x2793),
    (0x2CFD, 0x2CFD),
    (0x3007, 0x3007),
    (0x3021, 0x3029),
    (0x3038, 0x303A),
    (0x3192, 0x3195),
    (0x3220, 0x3229),
    (0x3248, 0x324F),
    (0x3251, 0x325F),
    (0x3280, 0x3289),
    (0x32B1, 0x32BF),
    (0xA6E6, 0xA6EF),
    (0xA830, 0xA835),
];

/// A regular expression's `\d`: a decimal digit (Unicode's `Nd`; beyond
/// the Basic Multilingual Plane any number counts).
pub fn is_decimal(c: char) -> bool {
    c.is_numeric() && !NOT_DECIMAL.iter().any(|&(first, last)| (first..=last).contains(&(c as u32)))
}

/// `[^\d\W]`: a word character that is not a digit.
fn is_letter(c: char) -> bool {
    is_word(c) && !is_decimal(c)
}

/// `[\w!"'&.,?]`: what may stand before an em-dash.
fn is_word_punct(c: char) -> bool {
    is_word(c) || matches!(c, '!' | '"' | '\'' | '&' | '.' | ',' | '?')
}

/// Whether `text[at..]` is two or more `-` followed by a word character.
fn em_dash_at(text: &[char], at: usize) -> bool {
    let dashes = text[at.min(text.len())..].iter().take_while(|&&c| c == '-').count();
    dashes >= 2 && text.get(at + dashes).is_some_and(|&c| is_word(c))
}

/// Whether a word may be cut just after the hyphen at `at`: two letters
/// (or letter, hyphen, letter) before it, and a letter, an optional
/// hyphen and a letter after it.
fn hyphen_cut_at(text: &[char], at: usize) -> bool {
    let letter = |i: Option<usize>| i.and_then(|i| text.get(i)).is_some_and(|&c| is_letter(c));
    let is = |i: Option<usize>, want: char| i.and_then(|i| text.get(i)) == Some(&want);
    if text.get(at) != Some(&'-') {
        return false;
    }
    let before = (letter(at.checked_sub(2)) && letter(at.checked_sub(1)))
        || (letter(at.checked_sub(3)) && is(at.checked_sub(2), '-') && letter(at.checked_sub(1)));
    let after = letter(Some(at + 1)) && (letter(Some(at + 2)) || (is(Some(at + 2), '-') && letter(Some(at + 3))));
    before && after
}

/// The chunks of `text`, as `TextWrapper._split_chunks` makes them.
fn chunks(text: &[char], break_on_hyphens: bool) -> Vec<Vec<char>> {
    let mut chunks = Vec::new();
    let mut at = 0;
    while at < text.len() {
        let start = at;
        if is_wrap_space(text[at]) {
            at += text[at..].iter().take_while(|&&c| is_wrap_space(c)).count();
        } else if !break_on_hyphens {
            at += text[at..].iter().take_while(|&&c| !is_wrap_space(c)).count();
        } else if at > 0 && is_word_punct(text[at - 1]) && em_dash_at(text, at) {
            at += text[at..].iter().take_while(|&&c| c == '-').count();
        } else {
            // The shortest word that ends before whitespace or the end, after
            // a hyphen that may be cut, or before an em-dash.
            at += 1;
            loop {
                if hyphen_cut_at(text, at) {
                    at += 1;
                    break;
                }
                if at == text.len() || is_wrap_space(text[at]) || (is_word_punct(text[at - 1]) && em_dash_at(text, at))
                {
                    break;
                }
                at += 1;
            }
        }
        chunks.push(text[start..at].to_vec());
    }
    chunks
}

/// Whether a chunk is nothing but whitespace (`chunk.strip() == ''`).
fn blank(chunk: &[char]) -> bool {
    chunk.iter().all(|&c| is_python_space(c))
}

/// Python's `textwrap.wrap(line, width, expand_tabs=False,
/// replace_whitespace=False, break_long_words, break_on_hyphens)`; `width`
/// is at least 1.
fn wrap(line: &str, width: usize, break_long_words: bool, break_on_hyphens: bool) -> Vec<String> {
    let text: Vec<char> = line.chars().collect();
    let mut chunks = chunks(&text, break_on_hyphens);
    chunks.reverse();
    let mut lines: Vec<String> = Vec::new();
    while !chunks.is_empty() {
        let mut line: Vec<Vec<char>> = Vec::new();
        let mut length = 0;
        if !lines.is_empty() && chunks.last().is_some_and(|c| blank(c)) {
            chunks.pop();
        }
        while let Some(chunk) = chunks.last() {
            if length + chunk.len() > width {
                break;
            }
            length += chunk.len();
            line.extend(chunks.pop());
        }
        if let Some(chunk) = chunks.last_mut()
            && chunk.len() > width
        {
            // A chunk longer than any line.
            let space_left = width - length;
            if break_long_words {
                let mut end = space_left;
                if break_on_hyphens && chunk.len() > space_left {
                    // After the last hyphen that fits, if something else is before it.
                    let hyphen = chunk[..space_left].iter().rposition(|&c| c == '-');
                    if let Some(hyphen) = hyphen
                        && hyphen > 0
                        && chunk[..hyphen].iter().any(|&c| c != '-')
                    {
                        end = hyphen + 1;
                    }
                }
                let rest = chunk.split_off(end);
                line.push(std::mem::replace(chunk, rest));
            } else if line.is_empty() {
                line.extend(chunks.pop());
            }
        }
        if line.last().is_some_and(|c| blank(c)) {
            line.pop();
        }
        if !line.is_empty() {
            lines.push(line.concat().into_iter().collect());
        }
    }
    lines
}

/// Python's `str.splitlines()`: the text between line boundaries, the last
/// boundary ending the last line.
fn split_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if matches!(c, '\n' | '\r' | '\x0b' | '\x0c' | '\x1c' | '\x1d' | '\x1e' | '\u{85}' | '\u{2028}' | '\u{2029}') {
            lines.push(&text[start..at]);
            start = at + c.len_utf8();
            if c == '\r' && chars.peek().is_some_and(|&(_, next)| next == '\n') {
                chars.next();
                start += 1;
            }
        }
    }
    if start < text.len() {
        lines.push(&text[start..]);
    }
    lines
}

/// Jinja2's `wordwrap`: `None` when `width` is below 1 (Python's
/// `ValueError`) and there is a line to wrap.
pub fn wordwrap(
    text: &str,
    width: i64,
    break_long_words: bool,
    wrapstring: &str,
    break_on_hyphens: bool,
) -> Option<String> {
    let lines = split_lines(text);
    if lines.is_empty() {
        return Some(String::new());
    }
    let width = usize::try_from(width).ok().filter(|&w| w > 0)?;
    let wrapped: Vec<String> =
        lines.iter().map(|line| wrap(line, width, break_long_words, break_on_hyphens).join(wrapstring)).collect();
    Some(wrapped.join(wrapstring))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<String> {
        let text: Vec<char> = text.chars().collect();
        chunks(&text, true).into_iter().map(|c| c.into_iter().collect()).collect()
    }

    #[test]
    fn chunks_as_textwrap_cuts_them() {
        // The example in textwrap's own comment.
        assert_eq!(
            split("Hello there -- you goof-ball, use the -b option!"),
            [
                "Hello", " ", "there", " ", "--", " ", "you", " ", "goof-", "ball,", " ", "use", " ", "the", " ", "-b",
                " ", "option!"
            ]
        );
        assert_eq!(split("what--now"), ["what", "--", "now"]);
        assert_eq!(split("a-b-c co-op x1-y2"), ["a-b-c", " ", "co-", "op", " ", "x1-y2"]);
        assert_eq!(split("e-mail-box"), ["e-mail-", "box"]);
    }

    #[test]
    fn lines_as_textwrap_fills_them() {
        let wrap12 = |text: &str| wordwrap(text, 12, true, "\n", true).unwrap();
        assert_eq!(
            wrap12("the quick brown fox jumps over the lazy dog"),
            "the quick\nbrown fox\njumps over\nthe lazy dog"
        );
        assert_eq!(wrap12("  lead and   trail  "), "  lead and\ntrail");
        assert_eq!(wrap12("abcdefghijklmnopqrstuvwxyz"), "abcdefghijkl\nmnopqrstuvwx\nyz");
        assert_eq!(wrap12("one\n\ntwo\r\nthree\n"), "one\n\ntwo\nthree");
        assert_eq!(wordwrap("xxxxxxxx-yyyyyyyy", 12, true, "|", true).unwrap(), "xxxxxxxx-|yyyyyyyy");
        assert_eq!(wordwrap("a abcdefghijklmnop", 5, false, "\n", true).unwrap(), "a\nabcdefghijklmnop");
        // `½` is a letter to `[^\d\W]` (a number, not a decimal digit).
        assert_eq!(
            wordwrap("½x-y-z½ab12ab\u{a0}:@:ab.COMa-b-ab12", 2, false, "\n", true).unwrap(),
            "½x-\ny-\nz½ab12ab\u{a0}:@:ab.COMa-\nb-\nab12"
        );
        assert_eq!(wordwrap("", 0, true, "\n", true).unwrap(), "");
        assert_eq!(wordwrap("x", 0, true, "\n", true), None);
    }
}
