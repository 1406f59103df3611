//! GFM's tag filter (cmark-gfm's `tagfilter` extension): in raw HTML that
//! is kept, the opening `<` of the tags that change how a browser reads
//! what follows them — `title`, `textarea`, `style`, `xmp`, `iframe`,
//! `noembed`, `noframes`, `script`, `plaintext` — becomes `&lt;`, so the tag
//! shows as text. Everything else in the HTML is left as it is.

use pulldown_cmark::{CowStr, Event};

/// The tags the filter disarms, lower case.
const FILTERED: [&str; 9] =
    ["title", "textarea", "style", "xmp", "iframe", "noembed", "noframes", "script", "plaintext"];

/// `html` with the filtered tags' `<` written `&lt;`; borrowed as it was
/// when there is none.
pub fn filter(html: CowStr<'_>) -> CowStr<'_> {
    let positions: Vec<usize> =
        html.match_indices('<').map(|(at, _)| at).filter(|&at| is_filtered(&html[at + 1..])).collect();
    if positions.is_empty() {
        return html;
    }
    let mut filtered = String::with_capacity(html.len() + 3 * positions.len());
    let mut copied = 0;
    for at in positions {
        filtered.push_str(&html[copied..at]);
        filtered.push_str("&lt;");
        copied = at + 1;
    }
    filtered.push_str(&html[copied..]);
    filtered.into()
}

/// Whether `after` (the text after a `<`) starts a filtered start or end
/// tag: an optional `/`, the name in any case, then white space, `>` or `/>`
/// (or the end of the text).
fn is_filtered(after: &str) -> bool {
    let after = after.strip_prefix('/').unwrap_or(after);
    FILTERED.iter().any(|name| {
        after.len() >= name.len()
            && after.as_bytes()[..name.len()].eq_ignore_ascii_case(name.as_bytes())
            && match after.as_bytes().get(name.len()) {
                None => true,
                Some(b'>' | b' ' | b'\t' | b'\n' | b'\r' | b'\x0c') => true,
                Some(b'/') => after.as_bytes().get(name.len() + 1) == Some(&b'>'),
                Some(_) => false,
            }
    })
}

/// Applies the filter to an event's raw HTML.
pub fn filter_event(event: &mut Event<'_>) {
    if let Event::Html(html) | Event::InlineHtml(html) = event {
        *html = filter(std::mem::replace(html, CowStr::Borrowed("")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filtered_tags_lose_their_opening_bracket() {
        assert_eq!(&*filter("<script>x</script>".into()), "&lt;script>x&lt;/script>");
        assert_eq!(&*filter("a <XMP> b <textarea/> <style\n>".into()), "a &lt;XMP> b &lt;textarea/> &lt;style\n>");
        assert_eq!(&*filter("<scripts> <b> <titled> <title".into()), "<scripts> <b> <titled> &lt;title");
    }
}
