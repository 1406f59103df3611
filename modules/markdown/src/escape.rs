//! Text and attribute values escaped as cmark-gfm escapes them: `&`, `<`,
//! `>` and `"` (pulldown-cmark's own writer leaves `"` in text as it is),
//! and addresses percent-encoded as CommonMark's reference renderers do.

/// Appends `text` to `out` with `&`, `<`, `>` and `"` escaped.
#[inline]
pub fn html(out: &mut String, text: &str) {
    let bytes = text.as_bytes();
    let mut copied = 0;
    for (at, &byte) in bytes.iter().enumerate() {
        let escaped = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => continue,
        };
        out.push_str(&text[copied..at]);
        out.push_str(escaped);
        copied = at + 1;
    }
    out.push_str(&text[copied..]);
}

/// Appends address `url` to `out` for an `href` or `src`: percent-encoded
/// where a URL needs it, HTML-escaped.
#[inline]
pub fn href(out: &mut String, url: &str) {
    pulldown_cmark_escape::escape_href(out, url).expect("writing to a String cannot fail");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_markup_characters_are_escaped() {
        let mut out = String::new();
        html(&mut out, "a \"b\" & <c> 'd'");
        assert_eq!(out, "a &quot;b&quot; &amp; &lt;c&gt; 'd'");
        out.clear();
        href(&mut out, "/a b?c=\"ü\"&d");
        assert_eq!(out, "/a%20b?c=%22%C3%BC%22&amp;d");
    }
}
