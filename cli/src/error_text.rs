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
