//! A request's URL, checked once for what every backend needs, and the
//! errors that name it.

use std::time::Duration;

use super::HttpError;

/// A URL checked for what a request needs: scheme, host, port, path.
/// Each backend uses a different part: wasi:http takes the parts, the legacy
/// ABI and the native client the whole URL, and only a host can deny.
#[derive(Debug, Clone)]
#[allow(dead_code)]
pub(crate) struct Url {
    pub(crate) full: String,
    pub(crate) scheme: http::uri::Scheme,
    pub(crate) host: String,
    pub(crate) authority: String,
    pub(crate) path_and_query: String,
}

#[allow(dead_code)]
impl Url {
    pub(crate) fn parse(url: &str) -> Result<Url, HttpError> {
        let invalid = |reason: &str| HttpError::InvalidUrl { url: url.to_owned(), reason: reason.to_owned() };
        if !url.contains("://") {
            return Err(invalid("it has no scheme (http:// or https://)"));
        }
        let uri: http::Uri = url.parse().map_err(|_| invalid("not a URL"))?;
        let scheme = uri.scheme().cloned().ok_or_else(|| invalid("it has no scheme (http:// or https://)"))?;
        if scheme != http::uri::Scheme::HTTP && scheme != http::uri::Scheme::HTTPS {
            return Err(invalid("only http:// and https:// URLs can be requested"));
        }
        let authority = uri.authority().ok_or_else(|| invalid("it has no host"))?;
        if authority.host().is_empty() {
            return Err(invalid("it has no host"));
        }
        Ok(Url {
            full: url.to_owned(),
            host: authority.host().to_owned(),
            authority: authority.as_str().rsplit('@').next().unwrap_or_default().to_owned(),
            path_and_query: uri.path_and_query().map_or("/", |p| p.as_str()).to_owned(),
            scheme,
        })
    }

    /// The origin as an `allowed_hosts` entry names it: `https://example.org`.
    pub(crate) fn origin(&self) -> String {
        format!("{}://{}", self.scheme, self.authority)
    }

    pub(crate) fn denied(&self) -> HttpError {
        HttpError::Denied { url: self.full.clone(), origin: self.origin() }
    }

    pub(crate) fn refused(&self) -> HttpError {
        HttpError::ConnectionRefused { url: self.full.clone(), authority: self.authority.clone() }
    }

    pub(crate) fn dns(&self) -> HttpError {
        HttpError::Dns { url: self.full.clone(), host: self.host.clone() }
    }

    pub(crate) fn timeout(&self, after: Option<Duration>) -> HttpError {
        HttpError::Timeout { url: self.full.clone(), after }
    }

    pub(crate) fn too_large(&self, limit: usize) -> HttpError {
        HttpError::BodyTooLarge { url: self.full.clone(), limit }
    }

    pub(crate) fn failed(&self, reason: impl Into<String>) -> HttpError {
        HttpError::Failed { url: self.full.clone(), reason: reason.into() }
    }
}
