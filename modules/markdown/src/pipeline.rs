//! The rewriting of the parser's events before the HTML is written, in one
//! iterator (one type whatever the options: the writer is compiled once):
//!
//! 1. autolinks in text ([`crate::autolink`], option `autolink`), on the
//!    texts the parser gives, joined;
//! 2. raw HTML kept, filtered or sanitized ([`crate::raw_html`]).
//!
//! Footnotes ([`crate::footnotes`]) need the whole document and come after.

use pulldown_cmark::Event;

use crate::autolink::{self, Autolinker};
use crate::raw_html::{Mode, RawHtml};

/// The parser's events, rewritten.
pub struct Pipeline<'a, I> {
    events: I,
    /// An event of the parser read ahead (after a run of texts), still to
    /// go through every stage.
    ahead: Option<Event<'a>>,
    /// Events the autolinker made of a text (reversed), still to go through
    /// the stages after it.
    linked: Vec<Event<'a>>,
    /// `None` when autolinks are off.
    autolinker: Option<Autolinker>,
    raw_html: RawHtml,
}

impl<'a, I: Iterator<Item = Event<'a>>> Pipeline<'a, I> {
    pub fn new(events: I, autolink: bool, mode: Mode) -> Self {
        Pipeline {
            events,
            ahead: None,
            linked: Vec::new(),
            autolinker: autolink.then(Autolinker::default),
            raw_html: RawHtml::new(mode),
        }
    }

    /// Stage 1 for an event of the parser: `None` when it was a text whose
    /// autolinks are now in `linked`.
    fn autolink(&mut self, event: Event<'a>) -> Option<Event<'a>> {
        let Some(autolinker) = &mut self.autolinker else { return Some(event) };
        if !autolinker.takes(&event) {
            return Some(event);
        }
        let Event::Text(mut text) = event else { unreachable!("the autolinker takes texts only") };
        loop {
            match self.events.next() {
                Some(Event::Text(more)) => {
                    let mut joined = text.into_string();
                    joined.push_str(&more);
                    text = joined.into();
                }
                other => {
                    self.ahead = other;
                    break;
                }
            }
        }
        autolink::link(text, &mut self.linked).map(Event::Text)
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for Pipeline<'a, I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            let mut event = if self.autolinker.is_none() {
                self.events.next()?
            } else if let Some(event) = self.linked.pop() {
                event
            } else {
                let event = match self.ahead.take() {
                    Some(event) => event,
                    None => self.events.next()?,
                };
                match self.autolink(event) {
                    Some(event) => event,
                    None => continue,
                }
            };
            if self.raw_html.rewrite(&mut event) {
                return Some(event);
            }
        }
    }
}
