//! The HTML writer: a document's events written as cmark-gfm writes its
//! HTML — block tags each on a line of their own, tables as
//! [`crate::tables`] says, task checkboxes as `<input type="checkbox"
//! disabled="" />` and a space at the start of the item (in a loose list
//! before the item's first paragraph), `"` in text escaped. Footnote
//! references and sections come as HTML events from [`crate::footnotes`].

use std::fmt::Write;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, LinkType, Tag, TagEnd};

use crate::escape;
use crate::tables::TableWriter;

/// Writes `events` as HTML to the end of `out`.
pub fn write<'a>(out: &mut String, events: impl Iterator<Item = Event<'a>>) {
    let mut writer = Writer { out, end_newline: true, paragraph_pending: false, tables: TableWriter::default() };
    let mut events = events;
    while let Some(event) = events.next() {
        writer.event(event, &mut events);
    }
    writer.flush_paragraph();
}

struct Writer<'o> {
    out: &'o mut String,
    /// Whether the output ends with a line break (or is empty).
    end_newline: bool,
    /// A paragraph has started and its `<p>` is not written yet: in a task
    /// item the checkbox goes before it.
    paragraph_pending: bool,
    tables: TableWriter,
}

const CHECKED: &str = "<input type=\"checkbox\" checked=\"\" disabled=\"\" /> ";
const UNCHECKED: &str = "<input type=\"checkbox\" disabled=\"\" /> ";

impl Writer<'_> {
    /// Writes `text` (markup, not escaped).
    #[inline]
    fn raw(&mut self, text: &str) {
        self.out.push_str(text);
        if !text.is_empty() {
            self.end_newline = text.ends_with('\n');
        }
    }

    /// Writes block tag `tag` at the start of a line.
    #[inline]
    fn block(&mut self, tag: &str) {
        if !self.end_newline {
            self.out.push('\n');
        }
        self.raw(tag);
    }

    #[inline]
    fn text(&mut self, text: &str) {
        escape::html(self.out, text);
        if !text.is_empty() {
            self.end_newline = text.ends_with('\n');
        }
    }

    fn flush_paragraph(&mut self) {
        if self.paragraph_pending {
            self.paragraph_pending = false;
            self.block("<p>");
        }
    }

    fn event<'a>(&mut self, mut event: Event<'a>, rest: &mut impl Iterator<Item = Event<'a>>) {
        if self.paragraph_pending {
            if let Event::TaskListMarker(checked) = event {
                self.raw(if checked { CHECKED } else { UNCHECKED });
                self.paragraph_pending = false;
                self.block("<p>");
                return;
            }
            self.flush_paragraph();
        }
        if let Some(html) = self.tables.html(&mut event) {
            if html.starts_with("</") {
                self.raw(html)
            } else {
                self.block(html)
            }
            return;
        }
        match event {
            Event::Start(tag) => self.start(tag, rest),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => self.text(&text),
            Event::Code(code) => {
                self.out.push_str("<code>");
                escape::html(self.out, &code);
                self.raw("</code>");
            }
            Event::Html(html) | Event::InlineHtml(html) => self.raw(&html),
            Event::SoftBreak => self.raw("\n"),
            Event::HardBreak => self.raw("<br />\n"),
            Event::Rule => self.block("<hr />\n"),
            Event::TaskListMarker(checked) => self.raw(if checked { CHECKED } else { UNCHECKED }),
            // Footnotes come as HTML events; math is not parsed.
            Event::FootnoteReference(label) => {
                self.out.push_str("[^");
                self.text(&label);
                self.raw("]");
            }
            Event::InlineMath(text) | Event::DisplayMath(text) => self.text(&text),
        }
    }

    fn start<'a>(&mut self, tag: Tag<'a>, rest: &mut impl Iterator<Item = Event<'a>>) {
        match tag {
            Tag::Paragraph => self.paragraph_pending = true,
            Tag::Heading { level, .. } => {
                self.block("<");
                self.raw(heading(level));
                self.raw(">");
            }
            Tag::BlockQuote(_) => self.block("<blockquote>\n"),
            Tag::CodeBlock(kind) => {
                let language = match &kind {
                    CodeBlockKind::Fenced(info) => info.split(' ').next().unwrap_or(""),
                    CodeBlockKind::Indented => "",
                };
                if language.is_empty() {
                    self.block("<pre><code>");
                } else {
                    self.block("<pre><code class=\"language-");
                    escape::html(self.out, language);
                    self.raw("\">");
                }
            }
            Tag::List(Some(1)) => self.block("<ol>\n"),
            Tag::List(Some(start)) => {
                self.block("<ol start=\"");
                let _ = write!(self.out, "{start}");
                self.raw("\">\n");
            }
            Tag::List(None) => self.block("<ul>\n"),
            Tag::Item => self.block("<li>"),
            Tag::Emphasis => self.raw("<em>"),
            Tag::Strong => self.raw("<strong>"),
            Tag::Strikethrough => self.raw("<del>"),
            Tag::Superscript => self.raw("<sup>"),
            Tag::Subscript => self.raw("<sub>"),
            Tag::Link { link_type, dest_url, title, .. } => {
                self.out.push_str("<a href=\"");
                if link_type == LinkType::Email {
                    self.out.push_str("mailto:");
                }
                escape::href(self.out, &dest_url);
                if !title.is_empty() {
                    self.out.push_str("\" title=\"");
                    escape::html(self.out, &title);
                }
                self.raw("\">");
            }
            Tag::Image { dest_url, title, .. } => {
                self.out.push_str("<img src=\"");
                escape::href(self.out, &dest_url);
                self.out.push_str("\" alt=\"");
                self.alt_text(rest);
                if !title.is_empty() {
                    self.out.push_str("\" title=\"");
                    escape::html(self.out, &title);
                }
                self.raw("\" />");
            }
            // Not parsed with this module's options (HTML blocks write only
            // their HTML; footnote definitions are moved by the footnotes).
            Tag::HtmlBlock
            | Tag::FootnoteDefinition(_)
            | Tag::Table(_)
            | Tag::TableHead
            | Tag::TableRow
            | Tag::TableCell
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::MetadataBlock(_) => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => self.raw("</p>\n"),
            TagEnd::Heading(level) => {
                self.raw("</");
                self.raw(heading(level));
                self.raw(">\n");
            }
            TagEnd::BlockQuote(_) => self.raw("</blockquote>\n"),
            TagEnd::CodeBlock => self.raw("</code></pre>\n"),
            TagEnd::List(true) => self.raw("</ol>\n"),
            TagEnd::List(false) => self.raw("</ul>\n"),
            TagEnd::Item => self.raw("</li>\n"),
            TagEnd::Emphasis => self.raw("</em>"),
            TagEnd::Strong => self.raw("</strong>"),
            TagEnd::Strikethrough => self.raw("</del>"),
            TagEnd::Superscript => self.raw("</sup>"),
            TagEnd::Subscript => self.raw("</sub>"),
            TagEnd::Link => self.raw("</a>"),
            TagEnd::HtmlBlock
            | TagEnd::Image
            | TagEnd::FootnoteDefinition
            | TagEnd::Table
            | TagEnd::TableHead
            | TagEnd::TableRow
            | TagEnd::TableCell
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::MetadataBlock(_) => {}
        }
    }

    /// An image's description, up to its end, as plain text for `alt`.
    fn alt_text<'a>(&mut self, rest: &mut impl Iterator<Item = Event<'a>>) {
        let mut depth = 0usize;
        for event in rest.by_ref() {
            match event {
                Event::Start(_) => depth += 1,
                Event::End(_) if depth == 0 => return,
                Event::End(_) => depth -= 1,
                Event::Text(text) | Event::Code(text) | Event::InlineHtml(text) => escape::html(self.out, &text),
                Event::SoftBreak | Event::HardBreak => self.out.push(' '),
                _ => {}
            }
        }
    }
}

fn heading(level: HeadingLevel) -> &'static str {
    match level {
        HeadingLevel::H1 => "h1",
        HeadingLevel::H2 => "h2",
        HeadingLevel::H3 => "h3",
        HeadingLevel::H4 => "h4",
        HeadingLevel::H5 => "h5",
        HeadingLevel::H6 => "h6",
    }
}
