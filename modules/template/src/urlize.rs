//! Jinja2's `urlize`: the text HTML-escaped, and each word (between runs of
//! whitespace) that is a web address or an e-mail address made a link.
//!
//! As Jinja2 3.1 decides it: leading `(`, `<` and trailing `)`, `>`, `.`,
//! `,` stay outside the link (unless they balance one inside it); a word is
//! a web address when it is `http://`, `https://` or `www.` and a host name
//! ending in a top-level domain of letters (or `xn--`), a bare name ending in
//! `.com`, `.net`, `.int`, `.edu`, `.gov`, `.org`, `.info` or `.mil`, or a
//! scheme and an IPv4 or bracketed IPv6 address, each with an optional
//! port and path; links without a scheme get `https://`. An e-mail address
//! (with or without `mailto:`) gets a `mailto:` link, without `rel` or
//! `target`.

use crate::python_text::html_escape;
use crate::python_wrap::is_decimal;

/// `\w`.
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `[\w%-]`: what a host name's labels are made of.
fn is_label(c: char) -> bool {
    is_word(c) || c == '%' || c == '-'
}

/// Python's `\s`.
fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// Whether `s[at..]` starts with `prefix`, ignoring ASCII case.
fn starts_at(s: &[char], at: usize, prefix: &str) -> bool {
    let mut i = at;
    for p in prefix.chars() {
        match s.get(i) {
            Some(c) if c.eq_ignore_ascii_case(&p) => i += 1,
            _ => return false,
        }
    }
    true
}

/// How many characters from `at` on satisfy `test`.
fn run(s: &[char], at: usize, test: impl Fn(char) -> bool) -> usize {
    s.get(at..).unwrap_or_default().iter().take_while(|&&c| test(c)).count()
}

/// Whether what follows the host at `at` is an optional port (`:` and one
/// to five digits) and an optional path, query or fragment, to the end.
fn port_and_path(s: &[char], mut at: usize) -> bool {
    if s.get(at) == Some(&':') {
        let digits = run(s, at + 1, is_decimal);
        if !(1..=5).contains(&digits) {
            return false;
        }
        at += 1 + digits;
    }
    at == s.len() || matches!(s[at], '/' | '?' | '#')
}

/// Where a chain of `label.` can end from `at` (after 0, 1, 2… of them),
/// each label `min` to `max` characters.
fn label_ends(s: &[char], at: usize, min: usize, max: usize) -> Vec<usize> {
    let mut ends = vec![at];
    let mut here = at;
    loop {
        let length = run(s, here, is_label);
        if length < min || length > max || s.get(here + length) != Some(&'.') {
            return ends;
        }
        here += length + 1;
        ends.push(here);
    }
}

/// Where the host of a `http://`, `https://` or `www.` address may end: a
/// name whose last label is a top-level domain.
fn named_host_ends(s: &[char], at: usize) -> Vec<usize> {
    let mut ends = Vec::new();
    for start in label_ends(s, at, 1, usize::MAX) {
        let letters = run(s, start, |c| c.is_ascii_alphabetic()).min(63);
        ends.extend((2..=letters).map(|n| start + n));
        if starts_at(s, start, "xn--") {
            let rest = run(s, start + 4, |c| is_word(c) || c == '%').min(59);
            ends.extend((2..=rest).map(|n| start + 4 + n));
        }
    }
    ends
}

/// Whether `s[at..]` is `\[([\da-f]{0,4}:){2}([\da-f]{0,4}:?){1,6}]`
/// followed by what [`port_and_path`] accepts.
fn ipv6(s: &[char], at: usize) -> bool {
    if s.get(at) != Some(&'[') {
        return false;
    }
    let inside = run(s, at + 1, |c| c.is_ascii_hexdigit() || c == ':');
    if s.get(at + 1 + inside) != Some(&']') {
        return false;
    }
    let text: String = s[at + 1..at + 1 + inside].iter().collect();
    let mut runs: Vec<&str> = text.split(':').collect();
    // The first two groups end with a colon each.
    if runs.len() < 3 || runs[..2].iter().any(|r| r.len() > 4) {
        return false;
    }
    let last = runs.pop().unwrap_or_default();
    let pieces: usize = runs[2..].iter().map(|r| r.len().div_ceil(4).max(1)).sum::<usize>() + last.len().div_ceil(4);
    pieces <= 6 && port_and_path(s, at + 2 + inside)
}

/// Jinja2's `_http_re`: whether `word` is a web address.
fn is_web_address(word: &[char]) -> bool {
    let scheme = if starts_at(word, 0, "https://") {
        Some(8)
    } else if starts_at(word, 0, "http://") {
        Some(7)
    } else {
        None
    };
    let prefix = scheme.or_else(|| starts_at(word, 0, "www.").then_some(4));
    if let Some(prefix) = prefix
        && named_host_ends(word, prefix).into_iter().any(|end| port_and_path(word, end))
    {
        return true;
    }
    const DOMAINS: [&str; 8] = ["com", "net", "int", "edu", "gov", "org", "info", "mil"];
    for start in label_ends(word, 0, 2, 63).into_iter().skip(1) {
        for domain in DOMAINS {
            if starts_at(word, start, domain) && port_and_path(word, start + domain.len()) {
                return true;
            }
        }
    }
    let Some(scheme) = scheme else { return false };
    // IPv4: four groups of one to three digits.
    let mut at = scheme;
    let mut ipv4 = true;
    for group in 0..4 {
        if group > 0 {
            if word.get(at) != Some(&'.') {
                ipv4 = false;
                break;
            }
            at += 1;
        }
        let digits = run(word, at, is_decimal);
        if !(1..=3).contains(&digits) {
            ipv4 = false;
            break;
        }
        at += digits;
    }
    (ipv4 && port_and_path(word, at)) || ipv6(word, scheme)
}

/// Jinja2's `_email_re`, `^\S+@\w[\w.-]*\.\w+$`.
fn is_email(word: &[char]) -> bool {
    (1..word.len()).filter(|&at| word[at] == '@').any(|at| {
        let rest = &word[at + 1..];
        let Some(dot) = rest.iter().rposition(|&c| c == '.') else { return false };
        !rest.is_empty()
            && is_word(rest[0])
            && dot >= 1
            && rest[1..dot].iter().all(|&c| is_word(c) || c == '.' || c == '-')
            && dot + 1 < rest.len()
            && rest[dot + 1..].iter().all(|&c| is_word(c))
    }) && word.iter().all(|&c| !is_space(c))
}

/// How many times `needle` occurs in `text`, not overlapping.
fn count(text: &str, needle: &str) -> usize {
    text.matches(needle).count()
}

/// What `urlize` is asked for beyond the text.
pub struct Links<'a> {
    /// Longer link texts are cut to this many characters and `...`.
    pub trim_url_limit: Option<usize>,
    /// ` rel="…"` (escaped), or empty.
    pub rel: &'a str,
    /// ` target="…"` (escaped), or empty.
    pub target: &'a str,
    /// Further scheme prefixes (`ftp://`) whose words are links.
    pub extra_schemes: &'a [String],
}

/// One word (no whitespace) with its address made a link.
fn link_word(word: &str, links: &Links) -> String {
    let mut head = String::new();
    let mut middle = word;
    loop {
        if let Some(rest) = middle.strip_prefix('(').or_else(|| middle.strip_prefix('<')) {
            head.push_str(&middle[..1]);
            middle = rest;
        } else if let Some(rest) = middle.strip_prefix("&lt;") {
            head.push_str("&lt;");
            middle = rest;
        } else {
            break;
        }
    }
    let mut cut = middle.len();
    loop {
        let before = &middle[..cut];
        if before.ends_with("&gt;") {
            cut -= 4;
        } else if before.ends_with([')', '>', '.', ',', '\n']) {
            cut -= 1;
        } else {
            break;
        }
    }
    let mut tail = middle[cut..].to_owned();
    let mut middle = middle[..cut].to_owned();
    for (start, end) in [("(", ")"), ("<", ">"), ("&lt;", "&gt;")] {
        let starts = count(&middle, start);
        if starts <= count(&middle, end) {
            continue;
        }
        for _ in 0..starts.min(count(&tail, end)) {
            let Some(index) = tail.find(end) else { break };
            let moved: String = tail.drain(..index + end.len()).collect();
            middle.push_str(&moved);
        }
    }
    let chars: Vec<char> = middle.chars().collect();
    let trimmed = |text: &str| match links.trim_url_limit {
        Some(limit) if text.chars().count() > limit => format!("{}...", text.chars().take(limit).collect::<String>()),
        _ => text.to_owned(),
    };
    let (rel, target) = (links.rel, links.target);
    let middle = if is_web_address(&chars) {
        if middle.starts_with("https://") || middle.starts_with("http://") {
            format!("<a href=\"{middle}\"{rel}{target}>{}</a>", trimmed(&middle))
        } else {
            format!("<a href=\"https://{middle}\"{rel}{target}>{}</a>", trimmed(&middle))
        }
    } else if let Some(address) = middle.strip_prefix("mailto:")
        && is_email(&address.chars().collect::<Vec<_>>())
    {
        format!("<a href=\"{middle}\">{address}</a>")
    } else if middle.contains('@')
        && !middle.starts_with("www.")
        && !middle.starts_with('@')
        && !middle.contains(':')
        && is_email(&chars)
    {
        format!("<a href=\"mailto:{middle}\">{middle}</a>")
    } else {
        let mut linked = middle;
        for scheme in links.extra_schemes {
            if linked != *scheme && linked.starts_with(scheme.as_str()) {
                linked = format!("<a href=\"{linked}\"{rel}{target}>{linked}</a>");
            }
        }
        linked
    };
    format!("{head}{middle}{tail}")
}

/// Jinja2's `urlize` (`jinja2.utils.urlize`) of `text`.
pub fn urlize(text: &str, links: &Links) -> String {
    let mut escaped = String::with_capacity(text.len());
    html_escape(text, &mut escaped);
    let mut out = String::with_capacity(escaped.len());
    let mut rest = escaped.as_str();
    while !rest.is_empty() {
        let space = rest.find(|c: char| is_space(c)).unwrap_or(rest.len());
        out.push_str(&link_word(&rest[..space], links));
        rest = &rest[space..];
        let word = rest.find(|c: char| !is_space(c)).unwrap_or(rest.len());
        out.push_str(&rest[..word]);
        rest = &rest[word..];
    }
    out
}

/// Jinja2's `_uri_scheme_re`, `^([\w.+-]{2,}:(/){0,2})$`: whether `scheme`
/// may be one of `extra_schemes`.
pub fn valid_scheme(scheme: &str) -> bool {
    let chars: Vec<char> = scheme.chars().collect();
    let name = run(&chars, 0, |c| is_word(c) || matches!(c, '.' | '+' | '-'));
    let slashes = chars.len().saturating_sub(name + 1);
    name >= 2 && chars.get(name) == Some(&':') && slashes <= 2 && chars[name + 1..].iter().all(|&c| c == '/')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(text: &str) -> String {
        urlize(text, &Links { trim_url_limit: None, rel: " rel=\"noopener\"", target: "", extra_schemes: &[] })
    }

    #[test]
    fn addresses_become_links() {
        assert_eq!(
            plain("docs at https://example.org/docs and www.example.com"),
            "docs at <a href=\"https://example.org/docs\" rel=\"noopener\">https://example.org/docs</a> and \
             <a href=\"https://www.example.com\" rel=\"noopener\">www.example.com</a>"
        );
        assert_eq!(
            plain("(see example.com)."),
            "(see <a href=\"https://example.com\" rel=\"noopener\">example.com</a>)."
        );
        assert_eq!(
            plain("mail bob@example.org, now"),
            "mail <a href=\"mailto:bob@example.org\">bob@example.org</a>, now"
        );
        assert_eq!(plain("x.y a&b <c>"), "x.y a&amp;b &lt;c&gt;");
        assert_eq!(
            plain("http://10.0.0.1:8080/x"),
            "<a href=\"http://10.0.0.1:8080/x\" rel=\"noopener\">http://10.0.0.1:8080/x</a>"
        );
        assert_eq!(plain("http://[::1]/"), "<a href=\"http://[::1]/\" rel=\"noopener\">http://[::1]/</a>");
        assert_eq!(plain("example.io"), "example.io");
        assert!(valid_scheme("ftp://") && valid_scheme("tel:") && !valid_scheme("x:") && !valid_scheme("ftp:///"));
    }
}
