//! Error messages for people: an error and its causes on one line.

/// An error and its sources, joined with ": ", each cause once (a cause
/// whose text the line already holds is left out): the top-level messages
/// of HTTP clients rarely say why.
pub(crate) fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let message = cause.to_string();
        if !text.contains(&message) {
            text.push_str(": ");
            text.push_str(&message);
        }
        source = cause.source();
    }
    text
}

/// At most `max_chars` characters of `text`, for a message: control
/// characters (an escape sequence, a bell) shown as `\u{…}`, and a note of
/// how long it was when it is cut. What a server answers is quoted with
/// this, never whole: a registry's 100 MiB error page must not become a
/// node's message.
pub(crate) fn excerpt(text: &str, max_chars: usize) -> String {
    let mut shown = String::new();
    for (count, c) in text.chars().enumerate() {
        if count == max_chars {
            shown.push_str(&format!("… ({} bytes in all)", text.len()));
            return shown;
        }
        if c.is_control() {
            shown.push_str(&c.escape_unicode().to_string());
        } else {
            shown.push(c);
        }
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_excerpt_is_short_and_printable() {
        assert_eq!(excerpt("fine", 10), "fine");
        assert_eq!(excerpt("a\u{1b}[31mb\u{7}", 20), "a\\u{1b}[31mb\\u{7}");
        let long = "x".repeat(1 << 20);
        assert_eq!(excerpt(&long, 5), "xxxxx… (1048576 bytes in all)");
    }
}
