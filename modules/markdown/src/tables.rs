//! Tables written as cmark-gfm writes them: one tag per line, alignment as
//! `align="left|center|right"` on each cell, and no `<tbody>` when the
//! table has no body rows. [`crate::html`] writes the tags given here; the
//! cells' content is written as any other.

use pulldown_cmark::{Alignment, Event, Tag, TagEnd};

/// The state of the table being written.
#[derive(Default)]
pub struct TableWriter {
    /// The columns' alignments of the table being written.
    alignments: Vec<Alignment>,
    /// Whether the cells being written are header cells.
    in_head: bool,
    /// Whether `<tbody>` has been written for this table.
    body_open: bool,
    /// The column of the next cell.
    column: usize,
}

impl TableWriter {
    fn cell_start(&mut self) -> &'static str {
        let alignment = self.alignments.get(self.column).copied().unwrap_or(Alignment::None);
        self.column += 1;
        match (self.in_head, alignment) {
            (true, Alignment::None) => "<th>",
            (true, Alignment::Left) => "<th align=\"left\">",
            (true, Alignment::Center) => "<th align=\"center\">",
            (true, Alignment::Right) => "<th align=\"right\">",
            (false, Alignment::None) => "<td>",
            (false, Alignment::Left) => "<td align=\"left\">",
            (false, Alignment::Center) => "<td align=\"center\">",
            (false, Alignment::Right) => "<td align=\"right\">",
        }
    }

    /// The HTML of a table event; `None` for any other event.
    #[inline]
    pub fn html(&mut self, event: &mut Event<'_>) -> Option<&'static str> {
        Some(match event {
            Event::Start(Tag::Table(alignments)) => {
                self.alignments = std::mem::take(alignments);
                self.body_open = false;
                "<table>\n"
            }
            Event::Start(Tag::TableHead) => {
                self.in_head = true;
                self.column = 0;
                "<thead>\n<tr>\n"
            }
            Event::End(TagEnd::TableHead) => {
                self.in_head = false;
                "</tr>\n</thead>\n"
            }
            Event::Start(Tag::TableRow) => {
                self.column = 0;
                if self.body_open {
                    "<tr>\n"
                } else {
                    self.body_open = true;
                    "<tbody>\n<tr>\n"
                }
            }
            Event::End(TagEnd::TableRow) => "</tr>\n",
            Event::Start(Tag::TableCell) => self.cell_start(),
            Event::End(TagEnd::TableCell) => {
                if self.in_head {
                    "</th>\n"
                } else {
                    "</td>\n"
                }
            }
            Event::End(TagEnd::Table) => {
                if self.body_open {
                    "</tbody>\n</table>\n"
                } else {
                    "</table>\n"
                }
            }
            _ => return None,
        })
    }
}
