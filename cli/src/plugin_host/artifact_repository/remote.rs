//! Sorting the object store's errors into what a user can act on: a missing
//! object, refused credentials, an endpoint that cannot be reached, or
//! anything else, each with the server's or the network's own words.

use std::error::Error as StdError;

use object_store::client::{HttpError, HttpErrorKind};

/// What a failed request means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Failure {
    /// 404: no such object.
    NotFound,
    /// 401 or 403, with the server's error code and message.
    Denied(String),
    /// The connection could not be made, with the reason.
    Unreachable(String),
    /// Anything else, with the whole error.
    Other(String),
}

impl Failure {
    pub(super) fn of(error: &object_store::Error) -> Self {
        match error {
            object_store::Error::NotFound { .. } => Failure::NotFound,
            object_store::Error::PermissionDenied { .. } | object_store::Error::Unauthenticated { .. } => {
                Failure::Denied(server_words(&innermost(error).to_string()))
            }
            _ if causes(error).any(is_connect_error) => Failure::Unreachable(innermost(error).to_string()),
            _ => Failure::Other(error.to_string()),
        }
    }
}

/// The error and every `source` below it.
fn causes<'a>(error: &'a (dyn StdError + 'static)) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(error), |&error| error.source())
}

/// The last error of the chain: the root cause.
fn innermost<'a>(error: &'a (dyn StdError + 'static)) -> &'a (dyn StdError + 'static) {
    causes(error).last().unwrap_or(error)
}

fn is_connect_error(error: &(dyn StdError + 'static)) -> bool {
    error.downcast_ref::<HttpError>().is_some_and(|http| http.kind() == HttpErrorKind::Connect)
}

/// From "…status code: 403 Forbidden: <?xml …><Code>C</Code><Message>M</Message>…",
/// "403 Forbidden: C: M"; the text as it is when it has no S3 error body.
fn server_words(text: &str) -> String {
    let tag = |name: &str| {
        let start = text.find(&format!("<{name}>"))? + name.len() + 2;
        let end = start + text[start..].find(&format!("</{name}>"))?;
        Some(&text[start..end])
    };
    let status = text
        .find("status code: ")
        .map(|start| &text[start + "status code: ".len()..])
        .and_then(|rest| rest.split(':').next())
        .unwrap_or("");
    match (tag("Code"), tag("Message")) {
        (Some(code), Some(message)) => format!("{status}: {code}: {message}"),
        (Some(code), None) => format!("{status}: {code}"),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_s3_error_body_is_reduced_to_its_code_and_message() {
        let text = "Server returned non-2xx status code: 403 Forbidden: <?xml version=\"1.0\"?><Error><Code>InvalidAccessKeyId</Code><Message>The access key does not exist.</Message></Error>";
        assert_eq!(server_words(text), "403 Forbidden: InvalidAccessKeyId: The access key does not exist.");
        assert_eq!(
            server_words("Server returned non-2xx status code: 403 Forbidden: "),
            "Server returned non-2xx status code: 403 Forbidden: "
        );
    }
}
