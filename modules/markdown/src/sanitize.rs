//! The sanitizer: rewrites a document's events so that every tag in the
//! output is one the renderer made.
//!
//! - raw HTML (blocks and inline) becomes text, shown escaped; an HTML block
//!   becomes a paragraph of that text;
//! - a link or image whose address is not safe (see [`crate::safe_url`])
//!   loses its tag and keeps its content: a link's text, an image's
//!   description.

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

use crate::safe_url;

/// Rewrites the events of a document as described in the module docs,
/// one at a time.
#[derive(Default)]
pub struct Sanitizer {
    /// For each open link or image: whether its tag was kept.
    open_links: Vec<bool>,
}

impl Sanitizer {
    /// Rewrites `event` for sanitized HTML; false when it is left out.
    #[inline]
    pub fn rewrite(&mut self, event: &mut Event<'_>) -> bool {
        match event {
            Event::Html(html) | Event::InlineHtml(html) => {
                *event = Event::Text(std::mem::replace(html, CowStr::Borrowed("")));
            }
            Event::Start(Tag::HtmlBlock) => *event = Event::Start(Tag::Paragraph),
            Event::End(TagEnd::HtmlBlock) => *event = Event::End(TagEnd::Paragraph),
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                let keep = safe_url::is_safe(dest_url);
                self.open_links.push(keep);
                return keep;
            }
            Event::End(TagEnd::Link | TagEnd::Image) => return self.open_links.pop().unwrap_or(true),
            _ => {}
        }
        true
    }
}
