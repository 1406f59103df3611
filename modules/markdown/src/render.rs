//! Markdown to HTML with pulldown-cmark: CommonMark plus tables,
//! strikethrough and task lists. When sanitising, the event stream is
//! rewritten before the renderer sees it, so every tag in the output is one
//! the renderer made:
//!
//! - raw HTML (blocks and inline) becomes text, shown escaped; an HTML block
//!   becomes a paragraph of that text;
//! - a link or image whose address is not safe (see [`crate::safe_url`])
//!   loses its tag and keeps its content: a link's text, an image's
//!   description.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::safe_url;

/// The extensions on top of CommonMark.
fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS
}

/// `markdown` as an HTML fragment; with `sanitize`, no raw HTML and no
/// unsafe link or image addresses reach it.
pub fn to_html(markdown: &str, sanitize: bool) -> String {
    let parser = Parser::new_ext(markdown, options());
    let mut html = String::with_capacity(markdown.len() + markdown.len() / 4);
    if sanitize {
        pulldown_cmark::html::push_html(&mut html, Sanitizer::new(parser));
    } else {
        pulldown_cmark::html::push_html(&mut html, parser);
    }
    html
}

/// Rewrites the events of a document as described in the module docs.
struct Sanitizer<I> {
    events: I,
    /// For each open link or image: whether its tag was kept.
    open_links: Vec<bool>,
}

impl<I> Sanitizer<I> {
    fn new(events: I) -> Self {
        Sanitizer { events, open_links: Vec::new() }
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for Sanitizer<I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            let event = match self.events.next()? {
                Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
                Event::Start(Tag::HtmlBlock) => Event::Start(Tag::Paragraph),
                Event::End(TagEnd::HtmlBlock) => Event::End(TagEnd::Paragraph),
                Event::Start(tag @ (Tag::Link { .. } | Tag::Image { .. })) => {
                    let (Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) = &tag else { unreachable!() };
                    let keep = safe_url::is_safe(dest_url);
                    self.open_links.push(keep);
                    if !keep {
                        continue;
                    }
                    Event::Start(tag)
                }
                Event::End(end @ (TagEnd::Link | TagEnd::Image)) => {
                    if !self.open_links.pop().unwrap_or(true) {
                        continue;
                    }
                    Event::End(end)
                }
                other => other,
            };
            return Some(event);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_commonmark_and_the_extensions() {
        assert_eq!(to_html("# Title\n\n*a* ~~b~~", true), "<h1>Title</h1>\n<p><em>a</em> <del>b</del></p>\n");
        assert!(to_html("| a |\n| - |\n| 1 |\n", true).contains("<td>1</td>"));
        assert!(to_html("- [x] done\n", true).contains("<input disabled=\"\" type=\"checkbox\" checked=\"\"/>"));
    }

    #[test]
    fn raw_html_becomes_text_when_sanitising() {
        assert_eq!(to_html("a <b onclick=\"x\">b</b>", true), "<p>a &lt;b onclick=\"x\"&gt;b&lt;/b&gt;</p>\n");
        assert_eq!(to_html("<script>alert(1)</script>\n", true), "<p>&lt;script&gt;alert(1)&lt;/script&gt;\n</p>\n");
        assert_eq!(to_html("a <b>b</b>", false), "<p>a <b>b</b></p>\n");
    }

    #[test]
    fn unsafe_links_keep_their_text_and_lose_their_tag() {
        assert_eq!(
            to_html("[x](javascript:alert(1)) [y](https://e.org)", true),
            "<p>x <a href=\"https://e.org\">y</a></p>\n"
        );
        assert_eq!(to_html("![pic](data:image/png;base64,AA)", true), "<p>pic</p>\n");
        assert_eq!(to_html("[![in](vbscript:x)](https://e.org)", true), "<p><a href=\"https://e.org\">in</a></p>\n");
        assert_eq!(to_html("[x](javascript:alert(1))", false), "<p><a href=\"javascript:alert(1)\">x</a></p>\n");
    }
}
