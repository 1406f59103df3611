//! GFM footnotes written as cmark-gfm writes them: a reference is a
//! numbered `<sup class="footnote-ref">` link; the definitions that are
//! referenced move to a `<section class="footnotes">` at the end of the
//! document, numbered in the order of their first reference, each with a
//! link back to every reference. Unreferenced definitions are dropped; a
//! reference without a definition stays text (the parser leaves it so).

use std::collections::HashMap;
use std::fmt::Write;

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

/// A footnote being written: its label (as defined) and how many
/// references to it have been seen.
struct Note {
    label: String,
    references: usize,
}

/// The document's events with footnote references and definitions
/// written as described in the module docs.
pub fn render<'a>(events: impl Iterator<Item = Event<'a>>) -> Vec<Event<'a>> {
    let mut body = Vec::new();
    let mut definitions: HashMap<String, (String, Vec<Event<'a>>)> = HashMap::new();
    let mut open: Option<(String, Vec<Event<'a>>)> = None;
    let mut depth = 0usize;
    for event in events {
        match (&mut open, event) {
            (None, Event::Start(Tag::FootnoteDefinition(label))) => {
                open = Some((label.to_string(), Vec::new()));
                depth = 0;
            }
            (Some(_), Event::End(TagEnd::FootnoteDefinition)) if depth == 0 => {
                let (label, content) = open.take().unwrap();
                definitions.entry(key(&label)).or_insert((label, content));
            }
            (Some((_, content)), event) => {
                match &event {
                    Event::Start(_) => depth += 1,
                    Event::End(_) => depth = depth.saturating_sub(1),
                    _ => {}
                }
                content.push(event);
            }
            (None, event) => body.push(event),
        }
    }

    let mut numbers: HashMap<String, usize> = HashMap::new();
    let mut notes: Vec<Note> = Vec::new();
    let mut output = Vec::with_capacity(body.len());
    replace_references(body, &definitions, &mut numbers, &mut notes, &mut output);
    if notes.is_empty() {
        return output;
    }
    output.push(html("<section class=\"footnotes\" data-footnotes>\n<ol>\n".to_owned()));
    let mut written = 0;
    // Writing a definition can reference a footnote not seen before, which
    // is then written after the others.
    while written < notes.len() {
        let label_key = key(&notes[written].label);
        let (label, content) = &definitions[&label_key];
        output.push(html(format!("<li id=\"fn-{}\">\n", href(label))));
        let mut content_events = Vec::with_capacity(content.len() + 2);
        replace_references(content.clone(), &definitions, &mut numbers, &mut notes, &mut content_events);
        let backrefs = backrefs(label, notes[written].references);
        if matches!(content_events.last(), Some(Event::End(TagEnd::Paragraph))) {
            let end = content_events.pop().unwrap();
            content_events.push(html(format!(" {backrefs}")));
            content_events.push(end);
        } else {
            content_events.push(html(format!("{backrefs}\n")));
        }
        output.extend(content_events);
        output.push(html("</li>\n".to_owned()));
        written += 1;
    }
    output.push(html("</ol>\n</section>\n".to_owned()));
    output
}

/// Copies `events` to `output`, each footnote reference made a numbered
/// link (numbering the footnotes in the order of their first reference).
fn replace_references<'a>(
    events: Vec<Event<'a>>,
    definitions: &HashMap<String, (String, Vec<Event<'a>>)>,
    numbers: &mut HashMap<String, usize>,
    notes: &mut Vec<Note>,
    output: &mut Vec<Event<'a>>,
) {
    for event in events {
        let Event::FootnoteReference(label) = &event else {
            output.push(event);
            continue;
        };
        let label_key = key(label);
        let Some((defined_label, _)) = definitions.get(&label_key) else {
            output.push(Event::Text(format!("[^{label}]").into()));
            continue;
        };
        let index = *numbers.entry(label_key).or_insert_with(|| {
            notes.push(Note { label: defined_label.clone(), references: 0 });
            notes.len() - 1
        });
        let note = &mut notes[index];
        note.references += 1;
        let label = href(&note.label);
        let suffix = if note.references > 1 { format!("-{}", note.references) } else { String::new() };
        output.push(html(format!(
            "<sup class=\"footnote-ref\"><a href=\"#fn-{label}\" id=\"fnref-{label}{suffix}\" data-footnote-ref>{}</a></sup>",
            index + 1
        )));
    }
}

/// The links back to each of a footnote's `references`, space-separated.
fn backrefs(label: &str, references: usize) -> String {
    let label = href(label);
    let mut links = String::new();
    for reference in 1..=references {
        if reference > 1 {
            links.push(' ');
        }
        let (suffix, mark) = if reference == 1 {
            (String::new(), String::new())
        } else {
            (format!("-{reference}"), format!("<sup class=\"footnote-ref\">{reference}</sup>"))
        };
        let _ = write!(
            links,
            "<a href=\"#fnref-{label}{suffix}\" class=\"footnote-backref\" data-footnote-backref \
             aria-label=\"Back to content\">↩{mark}</a>"
        );
    }
    links
}

/// How labels are matched: case-insensitively.
fn key(label: &str) -> String {
    label.to_lowercase()
}

/// `label` as it goes into an `href` or `id`: percent-encoded where a URL
/// needs it, HTML-escaped.
fn href(label: &str) -> String {
    let mut escaped = String::with_capacity(label.len());
    pulldown_cmark_escape::escape_href(&mut escaped, label).expect("writing to a String cannot fail");
    escaped
}

fn html(text: String) -> Event<'static> {
    Event::Html(CowStr::from(text))
}
