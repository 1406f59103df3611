//! A streaming CSV reader: records of fields, each record with the line it
//! starts on, so a malformed one can be named.
//!
//! It reads what `sqlite3`'s `.import` reads: fields separated by a delimiter,
//! records by `\n` or `\r\n`, a field in quotes may hold delimiters, line
//! breaks and doubled quotes, a quote inside an unquoted field is an ordinary
//! character, and a UTF-8 byte order mark at the start is skipped. Where
//! `.import` warns and goes on (a quoted field that never closes, text after
//! a closing quote), this reader stops with an error that says where.

use std::io::BufRead;

/// Why the input is not CSV, and where.
#[derive(Debug, PartialEq, Eq)]
pub struct CsvError {
    /// The line (from 1) the problem is on.
    pub line: u64,
    /// What is wrong.
    pub reason: String,
}

impl std::fmt::Display for CsvError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// How fields are separated and quoted.
#[derive(Debug, Clone, Copy)]
pub struct Dialect {
    /// The byte between fields.
    pub delimiter: u8,
    /// The byte that quotes a field, or `None` for no quoting.
    pub quote: Option<u8>,
}

/// Where the reader is inside a record.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a field.
    FieldStart,
    /// Inside a field that is not quoted.
    Unquoted,
    /// Inside a quoted field.
    Quoted,
    /// Just after a quote inside a quoted field: the field's end, or the
    /// first of a doubled quote.
    QuoteInQuoted,
}

/// Reads records from `input`.
pub struct CsvReader<R> {
    input: R,
    dialect: Dialect,
    /// The line the next byte is on.
    line: u64,
    /// The line the current record starts on.
    record_line: u64,
    started: bool,
    /// The fields of the records kept and of the current one, one after another.
    bytes: Vec<u8>,
    /// Where each of those fields ends in `bytes`.
    ends: Vec<usize>,
    /// Where the current record starts in `ends` and in `bytes`.
    first_field: usize,
    first_byte: usize,
}

impl<R: BufRead> CsvReader<R> {
    /// A reader of `input` in `dialect`.
    pub fn new(input: R, dialect: Dialect) -> Self {
        CsvReader {
            input,
            dialect,
            line: 1,
            record_line: 1,
            started: false,
            bytes: Vec::new(),
            ends: Vec::new(),
            first_field: 0,
            first_byte: 0,
        }
    }

    /// The line the last record read starts on.
    #[inline]
    pub fn record_line(&self) -> u64 {
        self.record_line
    }

    /// How many fields the last record read has.
    #[inline]
    pub fn len(&self) -> usize {
        self.ends.len() - self.first_field
    }

    /// Field `i` of the last record read, as text.
    pub fn field(&self, i: usize) -> &str {
        // Checked to be UTF-8 when the record was read.
        std::str::from_utf8(self.field_bytes(i)).unwrap_or_default()
    }

    /// Field `i` of the last record read: UTF-8, checked when it was read.
    #[inline]
    pub fn field_bytes(&self, i: usize) -> &[u8] {
        self.kept_field(self.first_field + i)
    }

    /// Field `n` of the records kept (see [`keep_next_record`](Self::keep_next_record)),
    /// counted from the first field of the first.
    #[inline]
    pub fn kept_field(&self, n: usize) -> &[u8] {
        let start = if n == 0 { 0 } else { self.ends[n - 1] };
        &self.bytes[start..self.ends[n]]
    }

    /// The records kept, field after field: their bytes, and where each
    /// field ends in them (field `n` is `bytes[ends[n - 1]..ends[n]]`).
    #[inline]
    pub fn kept(&self) -> (&[u8], &[usize]) {
        (&self.bytes, &self.ends)
    }

    /// Forgets the records kept.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
        self.first_field = 0;
        self.first_byte = 0;
    }

    fn fail<T>(&self, line: u64, reason: impl Into<String>) -> Result<T, CsvError> {
        Err(CsvError { line, reason: reason.into() })
    }

    /// Reads the next record; `false` at the end of the input. A record is
    /// never empty: a blank line is one empty field.
    pub fn next_record(&mut self) -> Result<bool, CsvError> {
        self.clear();
        self.keep_next_record()
    }

    /// Reads the next record as [`next_record`](Self::next_record) does,
    /// keeping the records read before it (until [`clear`](Self::clear)), so
    /// that several can be inserted at once.
    pub fn keep_next_record(&mut self) -> Result<bool, CsvError> {
        self.first_field = self.ends.len();
        self.first_byte = self.bytes.len();
        self.record_line = self.line;
        let Dialect { delimiter, quote } = self.dialect;
        let quote = quote.map_or(-1, i32::from);
        let mut state = State::FieldStart;
        let mut quote_line = self.line;
        loop {
            let chunk = match self.input.fill_buf() {
                Ok(chunk) => chunk,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return self.fail(self.line, format!("cannot read the input: {e}")),
            };
            if chunk.is_empty() {
                return match state {
                    State::FieldStart if self.ends.len() == self.first_field => Ok(false),
                    State::Quoted => self.fail(
                        quote_line,
                        "a quoted field starts here and is never closed (a quote inside a quoted field is written twice)",
                    ),
                    _ => {
                        self.end_field();
                        self.check_utf8()?;
                        Ok(true)
                    }
                };
            }
            if !self.started {
                self.started = true;
                if chunk.starts_with(b"\xEF\xBB\xBF") {
                    self.input.consume(3);
                    continue;
                }
            }
            let mut used = 0;
            let mut record_done = false;
            while used < chunk.len() {
                let byte = chunk[used];
                match state {
                    State::FieldStart | State::Unquoted => {
                        if state == State::FieldStart && i32::from(byte) == quote {
                            state = State::Quoted;
                            quote_line = self.line;
                            used += 1;
                            continue;
                        }
                        // The rest of an unquoted field: up to a delimiter or a line break.
                        let rest = &chunk[used..];
                        let len = memchr::memchr2(delimiter, b'\n', rest).unwrap_or(rest.len());
                        append(&mut self.bytes, self.record_line, &rest[..len])?;
                        used += len;
                        state = State::Unquoted;
                        if len < rest.len() {
                            used += 1;
                            if rest[len] == b'\n' {
                                // A carriage return before the line feed ends the line, if it is this field's.
                                let field_start = self.ends.last().copied().unwrap_or(0).max(self.first_byte);
                                if self.bytes.len() > field_start && self.bytes.last() == Some(&b'\r') {
                                    self.bytes.pop();
                                }
                                self.end_field();
                                self.line += 1;
                                record_done = true;
                                break;
                            }
                            self.ends.push(self.bytes.len());
                            state = State::FieldStart;
                        }
                    }
                    State::Quoted => {
                        let rest = &chunk[used..];
                        // A quoted field has a quote character (checked at its start).
                        let len = memchr::memchr(quote as u8, rest).unwrap_or(rest.len());
                        self.line += memchr::memchr_iter(b'\n', &rest[..len]).count() as u64;
                        append(&mut self.bytes, self.record_line, &rest[..len])?;
                        used += len;
                        if len < rest.len() {
                            used += 1;
                            state = State::QuoteInQuoted;
                        }
                    }
                    State::QuoteInQuoted => {
                        used += 1;
                        if i32::from(byte) == quote {
                            append(&mut self.bytes, self.record_line, &[byte])?;
                            state = State::Quoted;
                        } else if byte == delimiter {
                            self.ends.push(self.bytes.len());
                            state = State::FieldStart;
                        } else if byte == b'\n' {
                            self.end_field();
                            self.line += 1;
                            record_done = true;
                            break;
                        } else if byte == b'\r' && chunk.get(used) != Some(&b'\n') && used < chunk.len() {
                            return self.fail(
                                self.line,
                                "a carriage return after a closing quote is not followed by a line feed",
                            );
                        } else if byte != b'\r' {
                            let shown = if byte.is_ascii_graphic() || byte == b' ' {
                                format!("'{}'", byte as char)
                            } else {
                                format!("byte 0x{byte:02x}")
                            };
                            return self.fail(
                                self.line,
                                format!(
                                    "field {} is quoted and {shown} follows its closing quote: expected the delimiter or the end of the line (a quote inside a quoted field is written twice)",
                                    self.len() + 1
                                ),
                            );
                        }
                    }
                }
            }
            self.input.consume(used);
            if record_done {
                self.check_utf8()?;
                return Ok(true);
            }
        }
    }

    #[inline]
    fn end_field(&mut self) {
        self.ends.push(self.bytes.len());
    }

    fn check_utf8(&self) -> Result<(), CsvError> {
        match std::str::from_utf8(&self.bytes[self.first_byte..]) {
            Ok(_) => Ok(()),
            Err(e) => {
                let bad = self.first_byte + e.valid_up_to();
                let field = self.ends[self.first_field..].iter().position(|&end| end > bad).unwrap_or(0) + 1;
                self.fail(self.record_line, format!("field {field} is not UTF-8 text"))
            }
        }
    }
}

/// Adds `data` to the record that starts on `line`; a record larger than
/// the memory left is an error that says so, not an abort.
#[inline]
fn append(bytes: &mut Vec<u8>, line: u64, data: &[u8]) -> Result<(), CsvError> {
    if bytes.try_reserve(data.len()).is_err() {
        return Err(too_large(bytes.len(), line));
    }
    bytes.extend_from_slice(data);
    Ok(())
}

#[cold]
fn too_large(read: usize, line: u64) -> CsvError {
    CsvError {
        line,
        reason: format!(
            "the record that starts here is larger than the step's memory allows ({} MB read; is a quote never closed?)",
            read / 1_000_000
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(text: &str, dialect: Dialect) -> Result<Vec<Vec<String>>, CsvError> {
        let mut reader = CsvReader::new(text.as_bytes(), dialect);
        let mut out = Vec::new();
        while reader.next_record()? {
            out.push((0..reader.len()).map(|i| reader.field(i).to_owned()).collect());
        }
        Ok(out)
    }

    const COMMA: Dialect = Dialect { delimiter: b',', quote: Some(b'"') };

    #[test]
    fn fields_quotes_and_line_ends() {
        let got = records("\u{feff}a,b\r\n\"x,\"\"y\"\"\",\"two\nlines\"\n,\nz\"q,\"\"\n", COMMA).unwrap();
        assert_eq!(got, [vec!["a", "b"], vec!["x,\"y\"", "two\nlines"], vec!["", ""], vec!["z\"q", ""]]);
        assert_eq!(records("a\n\nb", COMMA).unwrap(), [vec!["a"], vec![""], vec!["b"]]);
        // The carriage return of a quoted field is kept, also before an empty last field.
        assert_eq!(records("\"\r\",\r\n", COMMA).unwrap(), [vec!["\r", ""]]);
        assert_eq!(records("", COMMA).unwrap(), Vec::<Vec<String>>::new());
    }

    #[test]
    fn errors_name_the_line() {
        let error = records("a,b\n1,\"open\n2,3\n", COMMA).unwrap_err();
        assert_eq!(error.line, 2, "{error}");
        let error = records("a,b\n1,2\n\"x\"y,3\n", COMMA).unwrap_err();
        assert_eq!(error.line, 3);
        assert!(error.reason.contains("'y' follows its closing quote"), "{error}");
        assert_eq!(records("a\n\u{e9}\n", COMMA).unwrap(), [vec!["a"], vec!["\u{e9}"]]);
        let mut reader = CsvReader::new(&b"a\nb\xff\n"[..], COMMA);
        assert!(reader.next_record().unwrap());
        assert_eq!(reader.next_record().unwrap_err().line, 2);
    }

    #[test]
    fn kept_records_follow_one_another() {
        let mut reader = CsvReader::new(&b"a,b\n\"x\r\",\r\n3,\xff\n"[..], COMMA);
        assert!(reader.keep_next_record().unwrap());
        assert!(reader.keep_next_record().unwrap());
        assert_eq!((reader.len(), reader.field(0), reader.field(1)), (2, "x\r", ""));
        let kept: Vec<&[u8]> = (0..4).map(|n| reader.kept_field(n)).collect();
        assert_eq!(kept, [&b"a"[..], b"b", b"x\r", b""]);
        // The third record's second field is not UTF-8: its own line and field.
        let error = reader.keep_next_record().unwrap_err();
        assert_eq!((error.line, error.reason.as_str()), (3, "field 2 is not UTF-8 text"));
        reader.clear();
        let mut reader = CsvReader::new(&b"1\n2"[..], COMMA);
        assert!(reader.keep_next_record().unwrap() && reader.keep_next_record().unwrap());
        assert!(!reader.keep_next_record().unwrap());
        assert_eq!((reader.kept_field(0), reader.kept_field(1)), (&b"1"[..], &b"2"[..]));
    }

    #[test]
    fn other_delimiters_and_no_quoting() {
        let tabs = Dialect { delimiter: b'\t', quote: None };
        assert_eq!(records("a\t\"b\n", tabs).unwrap(), [vec!["a", "\"b"]]);
        let semis = Dialect { delimiter: b';', quote: Some(b'\'') };
        assert_eq!(records("'a;b';c\n", semis).unwrap(), [vec!["a;b", "c"]]);
    }
}
