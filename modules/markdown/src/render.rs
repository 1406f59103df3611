//! Markdown to HTML with pulldown-cmark: CommonMark plus tables,
//! strikethrough and task lists, and on request GFM's other extensions
//! (autolinks, the tag filter, footnotes). The parser's events are
//! rewritten by [`crate::pipeline`] (and [`crate::footnotes`]), then
//! written by [`crate::html`] as cmark-gfm writes its HTML.

use pulldown_cmark::{Options, Parser};

use crate::pipeline::Pipeline;
use crate::raw_html::Mode;
use crate::{footnotes, html};

/// What to render beyond CommonMark with tables, strikethrough and task lists.
#[derive(Debug, Clone, Copy, Default)]
pub struct Settings {
    /// No raw HTML and no unsafe link or image addresses reach the HTML.
    pub sanitize: bool,
    /// GFM's extended autolinks: `www.…`, bare URLs and email addresses.
    pub autolink: bool,
    /// GFM's tag filter on raw HTML that is kept (no effect when sanitizing,
    /// which keeps none).
    pub tagfilter: bool,
    /// GFM's footnotes: `[^label]` and `[^label]: text`.
    pub footnotes: bool,
}

/// The parser's options for these settings.
fn options(settings: Settings) -> Options {
    let mut options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    if settings.footnotes {
        options |= Options::ENABLE_FOOTNOTES;
    }
    options
}

/// `markdown` as an HTML fragment, as `settings` say.
pub fn to_html(markdown: &str, settings: Settings) -> String {
    let parser = Parser::new_ext(markdown, options(settings));
    let mode = match (settings.sanitize, settings.tagfilter) {
        (true, _) => Mode::Sanitize,
        (false, true) => Mode::Filter,
        (false, false) => Mode::Keep,
    };
    let events = Pipeline::new(parser, settings.autolink, mode);
    let mut out = String::with_capacity(markdown.len() + markdown.len() / 4);
    if settings.footnotes {
        html::write(&mut out, footnotes::render(events).into_iter());
    } else {
        html::write(&mut out, events);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sanitized(markdown: &str) -> String {
        to_html(markdown, Settings { sanitize: true, ..Settings::default() })
    }

    fn raw(markdown: &str) -> String {
        to_html(markdown, Settings::default())
    }

    #[test]
    fn renders_commonmark_and_the_extensions() {
        assert_eq!(sanitized("# Title\n\n*a* ~~b~~"), "<h1>Title</h1>\n<p><em>a</em> <del>b</del></p>\n");
        assert!(sanitized("| a |\n| - |\n| 1 |\n").contains("<td>1</td>"));
        assert_eq!(
            sanitized("- [x] done\n- [ ] open\n"),
            "<ul>\n<li><input type=\"checkbox\" checked=\"\" disabled=\"\" /> done</li>\n\
             <li><input type=\"checkbox\" disabled=\"\" /> open</li>\n</ul>\n"
        );
        assert_eq!(
            sanitized("- [ ] loose\n\n- b\n"),
            "<ul>\n<li><input type=\"checkbox\" disabled=\"\" /> \n<p>loose</p>\n</li>\n<li>\n<p>b</p>\n</li>\n</ul>\n"
        );
    }

    #[test]
    fn tables_are_written_as_cmark_gfm_writes_them() {
        assert_eq!(
            sanitized("| a | b |\n| :- | -: |\n| 1 | 2 |\n"),
            "<table>\n<thead>\n<tr>\n<th align=\"left\">a</th>\n<th align=\"right\">b</th>\n</tr>\n</thead>\n\
             <tbody>\n<tr>\n<td align=\"left\">1</td>\n<td align=\"right\">2</td>\n</tr>\n</tbody>\n</table>\n"
        );
        assert_eq!(
            sanitized("| a |\n| :-: |\n"),
            "<table>\n<thead>\n<tr>\n<th align=\"center\">a</th>\n</tr>\n</thead>\n</table>\n"
        );
    }

    #[test]
    fn raw_html_becomes_text_when_sanitising() {
        assert_eq!(sanitized("a <b onclick=\"x\">b</b>"), "<p>a &lt;b onclick=&quot;x&quot;&gt;b&lt;/b&gt;</p>\n");
        assert_eq!(sanitized("<script>alert(1)</script>\n"), "<p>&lt;script&gt;alert(1)&lt;/script&gt;\n</p>\n");
        assert_eq!(raw("a <b>b</b>"), "<p>a <b>b</b></p>\n");
    }

    #[test]
    fn unsafe_links_keep_their_text_and_lose_their_tag() {
        assert_eq!(
            sanitized("[x](javascript:alert(1)) [y](https://e.org)"),
            "<p>x <a href=\"https://e.org\">y</a></p>\n"
        );
        assert_eq!(sanitized("![pic](data:image/png;base64,AA)"), "<p>pic</p>\n");
        assert_eq!(sanitized("[![in](vbscript:x)](https://e.org)"), "<p><a href=\"https://e.org\">in</a></p>\n");
        assert_eq!(raw("[x](javascript:alert(1))"), "<p><a href=\"javascript:alert(1)\">x</a></p>\n");
        assert_eq!(sanitized("[link](foo\\)\\:)"), "<p><a href=\"foo):\">link</a></p>\n");
    }

    #[test]
    fn the_gfm_extensions_are_options() {
        let all = Settings { sanitize: false, autolink: true, tagfilter: true, footnotes: true };
        assert_eq!(to_html("www.e.org", all), "<p><a href=\"http://www.e.org\">www.e.org</a></p>\n");
        assert_eq!(raw("www.e.org"), "<p>www.e.org</p>\n");
        assert_eq!(to_html("<xmp>", all), "&lt;xmp>");
        assert_eq!(
            to_html("a[^1]\n\n[^1]: b\n", all),
            "<p>a<sup class=\"footnote-ref\"><a href=\"#fn-1\" id=\"fnref-1\" data-footnote-ref>1</a></sup></p>\n\
             <section class=\"footnotes\" data-footnotes>\n<ol>\n<li id=\"fn-1\">\n<p>b \
             <a href=\"#fnref-1\" class=\"footnote-backref\" data-footnote-backref aria-label=\"Back to content\">↩</a></p>\n\
             </li>\n</ol>\n</section>\n"
        );
    }
}
