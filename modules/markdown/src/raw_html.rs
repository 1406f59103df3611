//! What becomes of a document's raw HTML: kept as it is, kept with GFM's
//! tag filter ([`crate::tag_filter`]), or shown as text with unsafe links
//! dropped ([`crate::sanitize`]), chosen at run time.

use pulldown_cmark::Event;

use crate::sanitize::Sanitizer;
use crate::tag_filter;

/// What to do with raw HTML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Keep,
    Filter,
    Sanitize,
}

/// Raw HTML treated as [`Mode`] says, one event at a time.
pub struct RawHtml {
    mode: Mode,
    sanitizer: Sanitizer,
}

impl RawHtml {
    pub fn new(mode: Mode) -> Self {
        RawHtml { mode, sanitizer: Sanitizer::default() }
    }

    /// Rewrites `event` as it goes into the HTML; false when it is left out.
    #[inline]
    pub fn rewrite(&mut self, event: &mut Event<'_>) -> bool {
        match self.mode {
            Mode::Keep => true,
            Mode::Filter => {
                tag_filter::filter_event(event);
                true
            }
            Mode::Sanitize => self.sanitizer.rewrite(event),
        }
    }
}
