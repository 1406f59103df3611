//! GFM's extended autolinks (cmark-gfm's `autolink` extension): in text
//! outside links, images and code, `www.` + a domain, `http://`,
//! `https://` or `ftp://` + a domain, and email addresses (bare, or after
//! `mailto:` or `xmpp:`) become links.
//!
//! Where a link ends follows the GFM spec: it runs to white space or `<`,
//! then trailing `?!.,:*_~'"` are dropped, a trailing `)` is dropped while
//! the link has more `)` than `(`, and a trailing entity-like `&name;` is
//! dropped. A domain is letters, digits, `-`, `_` and non-ASCII characters
//! in `.`-separated parts, with no `_` in its last two parts; `www.` links
//! start at the beginning of a text, after white space or after one of
//! `*_~(`.

use pulldown_cmark::{CowStr, Event, LinkType, Tag, TagEnd};

/// One autolink found in a text: its byte range and its address.
#[derive(Debug, PartialEq, Eq)]
struct Found {
    start: usize,
    end: usize,
    href: String,
}

/// Where autolinks may be made: outside links, images and code blocks.
#[derive(Default)]
pub struct Autolinker {
    /// How many links and images are open.
    inside_links: usize,
    /// Whether a code block is open.
    in_code_block: bool,
}

impl Autolinker {
    /// Follows `event`; whether it is a text in which autolinks are made.
    pub fn takes(&mut self, event: &Event<'_>) -> bool {
        match event {
            Event::Start(Tag::Link { .. } | Tag::Image { .. }) => self.inside_links += 1,
            Event::End(TagEnd::Link | TagEnd::Image) => self.inside_links = self.inside_links.saturating_sub(1),
            Event::Start(Tag::CodeBlock(_)) => self.in_code_block = true,
            Event::End(TagEnd::CodeBlock) => self.in_code_block = false,
            Event::Text(_) => return self.inside_links == 0 && !self.in_code_block,
            _ => {}
        }
        false
    }
}

/// `text` with its autolinks, as events pushed to `into` in reverse order
/// (so the first to give out is popped first); none when `text` has no
/// autolink, and then `text` is given back.
pub fn link<'a>(text: CowStr<'a>, into: &mut Vec<Event<'a>>) -> Option<CowStr<'a>> {
    let found = find(&text);
    if found.is_empty() {
        return Some(text);
    }
    let start = into.len();
    let mut copied = 0;
    for link in found {
        if link.start > copied {
            into.push(Event::Text(text[copied..link.start].to_owned().into()));
        }
        into.push(Event::Start(Tag::Link {
            link_type: LinkType::Autolink,
            dest_url: link.href.into(),
            title: CowStr::Borrowed(""),
            id: CowStr::Borrowed(""),
        }));
        into.push(Event::Text(text[link.start..link.end].to_owned().into()));
        into.push(Event::End(TagEnd::Link));
        copied = link.end;
    }
    if copied < text.len() {
        into.push(Event::Text(text[copied..].to_owned().into()));
    }
    into[start..].reverse();
    None
}

/// The autolinks in `text`, in order, not overlapping.
fn find(text: &str) -> Vec<Found> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut done = 0; // text before this is taken
    let mut at = 0;
    while let Some(offset) = bytes[at..].iter().position(|b| matches!(b, b'w' | b':' | b'@')) {
        let i = at + offset;
        let link = match bytes[i] {
            b'w' => www(text, i),
            b':' => url(text, i, done),
            _ => email(text, i, done),
        };
        match link {
            Some(link) if link.start >= done => {
                at = link.end.max(i + 1);
                done = link.end;
                found.push(link);
            }
            _ => at = i + 1,
        }
    }
    found
}

/// A `www.` link starting at `i`.
fn www(text: &str, i: usize) -> Option<Found> {
    // cmark-gfm links `www.` only with something after it in the text.
    if !text[i..].starts_with("www.") || text.len() == i + 4 {
        return None;
    }
    let boundary =
        text[..i].chars().next_back().is_none_or(|c| c.is_whitespace() || matches!(c, '*' | '_' | '~' | '('));
    if !boundary {
        return None;
    }
    let domain = domain_length(&text[i..])?;
    let end = link_end(text, i, i + domain)?;
    Some(Found { start: i, end, href: format!("http://{}", &text[i..end]) })
}

/// A `http://`, `https://` or `ftp://` link whose `:` is at `i`.
fn url(text: &str, i: usize, done: usize) -> Option<Found> {
    let start = scheme_start(text, i, done);
    let scheme = &text[start..i];
    if !["http", "https", "ftp"].iter().any(|s| s.eq_ignore_ascii_case(scheme)) || !text[i..].starts_with("://") {
        return mail_scheme(text, i, start);
    }
    let host = i + 3;
    // The domain starts with a letter or digit (cmark-gfm's reading).
    if !text[host..].chars().next().is_some_and(|c| c.is_ascii_alphanumeric() || !c.is_ascii()) {
        return None;
    }
    let domain = domain_length(&text[host..])?;
    let end = link_end(text, start, host + domain).filter(|&end| end > host)?;
    Some(Found { start, end, href: text[start..end].to_owned() })
}

/// A `mailto:` or `xmpp:` link whose scheme runs from `start` to the `:` at `i`.
fn mail_scheme(text: &str, i: usize, start: usize) -> Option<Found> {
    let scheme = &text[start..i];
    let xmpp = scheme == "xmpp";
    if scheme != "mailto" && !xmpp {
        return None;
    }
    let at = i + 1 + text[i + 1..].bytes().take_while(|&b| is_local_part(b)).count();
    if at == i + 1 || text.as_bytes().get(at) != Some(&b'@') {
        return None;
    }
    let mut end = email_domain_end(text, at)?;
    if xmpp && text[end..].starts_with('/') {
        let resource =
            text[end + 1..].bytes().take_while(|&b| b.is_ascii_alphanumeric() || b == b'@' || b == b'.').count();
        let resource = text[end + 1..end + 1 + resource].trim_end_matches('.').len();
        if resource > 0 {
            end += 1 + resource;
        }
    }
    Some(Found { start, end, href: text[start..end].to_owned() })
}

/// A bare email address whose `@` is at `i`.
fn email(text: &str, i: usize, done: usize) -> Option<Found> {
    let local = text.as_bytes()[done..i].iter().rev().take_while(|&&b| is_local_part(b)).count();
    if local == 0 {
        return None;
    }
    let start = i - local;
    let end = email_domain_end(text, i)?;
    Some(Found { start, end, href: format!("mailto:{}", &text[start..end]) })
}

fn is_local_part(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-' | b'_')
}

/// Where the domain of an email address whose `@` is at `at` ends: letters,
/// digits, `-`, `_` and inner `.`s (at least one), ending in a letter.
fn email_domain_end(text: &str, at: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut end = at + 1;
    let mut periods = 0;
    while end < bytes.len() {
        match bytes[end] {
            b if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' => {}
            b'.' if bytes.get(end + 1).is_some_and(u8::is_ascii_alphanumeric) => periods += 1,
            b'@' => return None,
            _ => break,
        }
        end += 1;
    }
    (periods > 0 && bytes[end - 1].is_ascii_alphabetic()).then_some(end)
}

/// Where the ASCII letters that end just before `i` start (not before `done`).
fn scheme_start(text: &str, i: usize, done: usize) -> usize {
    i - text.as_bytes()[done..i].iter().rev().take_while(|b| b.is_ascii_alphabetic()).count()
}

/// The length of the domain at the start of `text`, if it is valid: parts
/// of letters, digits, `-`, `_` and non-ASCII characters (not white space)
/// separated by `.`, no `_` in the last two parts.
fn domain_length(text: &str) -> Option<usize> {
    let length = text.char_indices().find(|&(_, c)| !is_domain_char(c)).map_or(text.len(), |(at, _)| at);
    let domain = &text[..length];
    let mut parts = domain.rsplit('.');
    let last_two = [parts.next().unwrap_or(""), parts.next().unwrap_or("")];
    if last_two.iter().any(|part| part.contains('_')) {
        return None;
    }
    Some(length)
}

/// Whether `c` may be part of a domain.
fn is_domain_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') || (!c.is_ascii() && !c.is_whitespace())
}

/// Where a link that starts at `start`, with its domain ending at
/// `domain_end`, ends: see the module docs.
fn link_end(text: &str, start: usize, domain_end: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut end =
        domain_end + bytes[domain_end..].iter().take_while(|&&b| !b.is_ascii_whitespace() && b != b'<').count();
    // Non-ASCII white space ends a link too.
    if let Some((at, _)) = text[domain_end..end].char_indices().find(|(_, c)| c.is_whitespace()) {
        end = domain_end + at;
    }
    while end > start {
        match bytes[end - 1] {
            b'?' | b'!' | b'.' | b',' | b':' | b'*' | b'_' | b'~' | b'\'' | b'"' => end -= 1,
            b';' => {
                let name = bytes[start..end - 1].iter().rev().take_while(|b| b.is_ascii_alphanumeric()).count();
                let ampersand = end - 1 - name;
                if name > 0 && ampersand > start && bytes[ampersand - 1] == b'&' {
                    end = ampersand - 1;
                } else {
                    end -= 1;
                }
            }
            b')' => {
                let link = &bytes[start..end];
                let closing = link.iter().filter(|&&b| b == b')').count();
                let opening = link.iter().filter(|&&b| b == b'(').count();
                if closing <= opening {
                    break;
                }
                end -= 1;
            }
            _ => break,
        }
    }
    (end > start).then_some(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links(text: &str) -> Vec<(&str, String)> {
        find(text).into_iter().map(|f| (&text[f.start..f.end], f.href)).collect()
    }

    #[test]
    fn www_urls_and_emails_are_found() {
        assert_eq!(links("see www.example.com."), [("www.example.com", "http://www.example.com".to_owned())]);
        assert_eq!(links("(https://e.org/a_(b))."), [("https://e.org/a_(b)", "https://e.org/a_(b)".to_owned())]);
        assert_eq!(links("a@b.co, x"), [("a@b.co", "mailto:a@b.co".to_owned())]);
        assert_eq!(links("mailto:a@b.co"), [("mailto:a@b.co", "mailto:a@b.co".to_owned())]);
        assert_eq!(links("xmpp:a@b.co/res."), [("xmpp:a@b.co/res", "xmpp:a@b.co/res".to_owned())]);
        assert_eq!(links("www.e.com/&hl;"), [("www.e.com/", "http://www.e.com/".to_owned())]);
    }

    #[test]
    fn look_alikes_are_not_links() {
        for text in
            ["awww.example.com", "www.ex_ample.com", "xhttp://e.org", "http://", "@a.b", "n@. b", "a@b.c1", "x@y"]
        {
            assert_eq!(links(text), [], "{text}");
        }
    }
}
