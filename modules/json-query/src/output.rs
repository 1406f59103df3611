//! The query's outputs as the text of the `result` parameter.

use jaq_json::{Num, Val};

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
            Val::TStr(text) if self.raw => self.text.extend_from_slice(&text),
            value => write_json(&mut self.text, &json_compatible(value)),
        }
    }

    /// How many outputs there were.
    pub fn count(&self) -> usize {
        self.count
    }

    /// The text (invalid UTF-8 in strings replaced by U+FFFD).
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
        String::from_utf8(text).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }
}

fn write_json(out: &mut Vec<u8>, value: &Val) {
    jaq_json::write::write(out, &jaq_json::write::Pp::default(), 0, value).expect("writing to memory cannot fail");
}

/// `value` with what JSON cannot hold replaced as jq replaces it: NaN by
/// `null`, the infinities by the largest finite numbers; byte strings become
/// text strings and non-string object keys their JSON text.
fn json_compatible(value: Val) -> Val {
    if is_json(&value) {
        return value;
    }
    match value {
        Val::Num(Num::Float(x)) if x.is_nan() => Val::Null,
        Val::Num(Num::Float(x)) if x.is_infinite() => Val::Num(Num::Float(f64::MAX.copysign(x))),
        Val::BStr(bytes) => Val::TStr(bytes),
        Val::Arr(items) => {
            Val::Arr(std::rc::Rc::new(std::rc::Rc::unwrap_or_clone(items).into_iter().map(json_compatible).collect()))
        }
        Val::Obj(members) => Val::obj(
            std::rc::Rc::unwrap_or_clone(members)
                .into_iter()
                .map(|(key, value)| (string_key(key), json_compatible(value)))
                .collect(),
        ),
        other => other,
    }
}

fn string_key(key: Val) -> Val {
    match key {
        Val::TStr(_) => key,
        Val::BStr(bytes) => Val::TStr(bytes),
        other => {
            let mut text = Vec::new();
            write_json(&mut text, &json_compatible(other));
            Val::TStr(Box::new(text.into()))
        }
    }
}

fn is_json(value: &Val) -> bool {
    match value {
        Val::Num(Num::Float(x)) => x.is_finite(),
        Val::BStr(_) => false,
        Val::Arr(items) => items.iter().all(is_json),
        Val::Obj(members) => members.iter().all(|(key, value)| matches!(key, Val::TStr(_)) && is_json(value)),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(raw: bool, values: &str) -> String {
        let mut outputs = Outputs::new(raw);
        jaq_json::read::parse_many(values.as_bytes()).for_each(|v| outputs.push(v.unwrap()));
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
        outputs.push(Val::Arr(std::rc::Rc::new(vec![
            Val::Num(Num::Float(f64::NAN)),
            Val::Num(Num::Float(f64::NEG_INFINITY)),
        ])));
        assert_eq!(outputs.finish(), "[null,-1.7976931348623157e308]");
    }
}
