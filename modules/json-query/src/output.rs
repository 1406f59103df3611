//! The query's outputs as the text of the `result` parameter.

use crate::value::Val;

/// How the outputs are written (parameter `output_format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One output is its compact JSON text, several become a JSON array,
    /// none is the empty text.
    Json,
    /// Like `jq -r`: one line per output, strings written without quotes,
    /// other values as compact JSON.
    Raw,
    /// One YAML document per output, separated by `---` lines.
    Yaml,
}

impl Format {
    /// The format named `name` (`json`, `raw`, `yaml`).
    pub fn named(name: &str) -> Option<Format> {
        match name {
            "json" => Some(Format::Json),
            "raw" => Some(Format::Raw),
            "yaml" => Some(Format::Yaml),
            _ => None,
        }
    }
}

/// Collects outputs as they come.
pub struct Outputs {
    format: Format,
    count: usize,
    text: Vec<u8>,
}

impl Outputs {
    /// No outputs yet.
    pub fn new(format: Format) -> Self {
        // The opening bracket is written first and dropped if there is only one output.
        Outputs { format, count: 0, text: if format == Format::Json { b"[".to_vec() } else { Vec::new() } }
    }

    /// Adds one output.
    pub fn push(&mut self, value: Val) {
        if self.count > 0 {
            match self.format {
                Format::Json => self.text.push(b','),
                Format::Raw => self.text.push(b'\n'),
                Format::Yaml => self.text.extend_from_slice(b"---\n"),
            }
        }
        self.count += 1;
        match (self.format, value) {
            (Format::Raw, Val::Str(text)) => self.text.extend_from_slice(text.as_bytes()),
            (Format::Yaml, value) => {
                let mut document = String::new();
                crate::yaml::write_document(&mut document, &value);
                self.text.extend_from_slice(document.as_bytes());
            }
            (_, value) => write_json(&mut self.text, &value),
        }
    }

    /// How many outputs there were.
    pub fn count(&self) -> usize {
        self.count
    }

    /// The text.
    pub fn finish(mut self) -> String {
        let text = match (self.format, self.count) {
            (Format::Raw | Format::Yaml, _) => self.text,
            (Format::Json, 0) => Vec::new(),
            (Format::Json, 1) => self.text.split_off(1),
            (Format::Json, _) => {
                self.text.push(b']');
                self.text
            }
        };
        String::from_utf8(text).expect("values hold UTF-8 text")
    }
}

fn write_json(out: &mut Vec<u8>, value: &Val) {
    crate::json::write(out, value);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(raw: bool, values: &str) -> String {
        let mut outputs = Outputs::new(if raw { Format::Raw } else { Format::Json });
        crate::json::parse_all(values.as_bytes()).unwrap().into_iter().for_each(|v| outputs.push(v));
        outputs.finish()
    }

    #[test]
    fn one_output_is_itself_and_several_an_array() {
        assert_eq!(collect(false, ""), "");
        assert_eq!(collect(false, r#" {"a": [1, "x"]} "#), r#"{"a":[1,"x"]}"#);
        assert_eq!(collect(false, r#"1 "two" null"#), r#"[1,"two",null]"#);
    }

    #[test]
    fn raw_writes_strings_without_quotes_one_per_line() {
        assert_eq!(collect(true, r#""a\"b" 2 {"c":"d"}"#), "a\"b\n2\n{\"c\":\"d\"}");
        assert_eq!(collect(true, r#""only""#), "only");
    }

    #[test]
    fn yaml_writes_one_document_per_output() {
        let mut outputs = Outputs::new(Format::Yaml);
        for v in crate::json::parse_all(br#"{"a": [1, {"b": "x y", "c": []}], "d": "yes"} "two\nlines\n""#).unwrap() {
            outputs.push(v);
        }
        assert_eq!(outputs.finish(), "a:\n  - 1\n  - b: x y\n    c: []\nd: \"yes\"\n---\n|\n  two\n  lines\n");
    }

    #[test]
    fn non_json_numbers_become_what_jq_writes() {
        let mut outputs = Outputs::new(Format::Json);
        outputs.push(Val::arr(vec![Val::Num(f64::NAN), Val::Num(f64::NEG_INFINITY)]));
        assert_eq!(outputs.finish(), "[null,-1.7976931348623157e+308]");
    }
}
