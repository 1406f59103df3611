//! The query's outputs as the text of the `result` parameter.

use crate::value::Val;

/// Collects outputs as they come.
///
/// As JSON (the default): one output is its compact JSON text, several
/// become a JSON array, none is the empty text. Raw (like `jq -r`): one
/// line per output, strings written without quotes, other values as JSON.
pub struct Outputs {
    raw: bool,
    count: usize,
    text: Vec<u8>,
}

impl Outputs {
    /// No outputs yet.
    pub fn new(raw: bool) -> Self {
        // The opening bracket is written first and dropped if there is only one output.
        Outputs { raw, count: 0, text: if raw { Vec::new() } else { b"[".to_vec() } }
    }

    /// Adds one output.
    pub fn push(&mut self, value: Val) {
        if self.count > 0 {
            self.text.push(if self.raw { b'\n' } else { b',' });
        }
        self.count += 1;
        match value {
            Val::Str(text) if self.raw => self.text.extend_from_slice(text.as_bytes()),
            value => write_json(&mut self.text, &value),
        }
    }

    /// How many outputs there were.
    pub fn count(&self) -> usize {
        self.count
    }

    /// The text.
    pub fn finish(mut self) -> String {
        let text = match (self.raw, self.count) {
            (true, _) => self.text,
            (false, 0) => Vec::new(),
            (false, 1) => self.text.split_off(1),
            (false, _) => {
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
        let mut outputs = Outputs::new(raw);
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
    fn non_json_numbers_become_what_jq_writes() {
        let mut outputs = Outputs::new(false);
        outputs.push(Val::arr(vec![Val::Num(f64::NAN), Val::Num(f64::NEG_INFINITY)]));
        assert_eq!(outputs.finish(), "[null,-1.7976931348623157e+308]");
    }
}
