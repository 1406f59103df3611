//! The HTTP allow-list of a step (`permissions.http.allowed_hosts`), matched
//! as the Argo WASM plugin matches it: by origin (scheme, host and port), a
//! trailing slash tolerated; `insecure:allow-all` allows everything; an empty
//! list allows nothing.

use std::fmt;

/// The entry that allows every destination.
pub const ALLOW_ALL: &str = "insecure:allow-all";

/// An origin: scheme, host and port (the scheme's default when not given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

impl Origin {
    /// The origin of `url` (`https://example.org/path` → `https://example.org:443`).
    pub fn of(url: &str) -> Result<Origin, String> {
        if !url.contains("://") {
            return Err(format!("\"{url}\" is not a URL with a scheme"));
        }
        let uri: http::Uri = url.parse().map_err(|e| format!("\"{url}\" is not a valid URL ({e})"))?;
        Origin::of_uri(&uri).map_err(|problem| format!("\"{url}\": {problem}"))
    }

    /// The origin of a parsed URL: the one parser behind both the
    /// allow-list's check and the request that is then sent.
    pub fn of_uri(uri: &http::Uri) -> Result<Origin, String> {
        let scheme = uri.scheme_str().unwrap_or_default().to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "http" => 80,
            "https" => 443,
            _ => return Err("only http and https URLs are supported".into()),
        };
        let host = uri.host().filter(|host| !host.is_empty()).ok_or("it has no host")?;
        let authority = uri.authority().map_or("", |authority| authority.as_str());
        let host_and_port = authority.rsplit_once('@').map_or(authority, |(_, rest)| rest);
        let port = match host_and_port.rsplit_once(':') {
            Some((_, port)) if !port.contains(']') => {
                port.parse().map_err(|_| format!("it has an invalid port \"{port}\""))?
            }
            _ => default_port,
        };
        Ok(Origin { scheme, host: host.to_ascii_lowercase(), port })
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}:{}", self.scheme, self.host, self.port)
    }
}

/// The hosts a step may send HTTP requests to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowList {
    allow_all: bool,
    origins: Vec<Origin>,
}

impl AllowList {
    /// Parses `allowed_hosts` entries (URLs such as `https://example.org/`,
    /// or `insecure:allow-all`).
    pub fn new<S: AsRef<str>>(entries: &[S]) -> Result<AllowList, String> {
        let mut list = AllowList::default();
        for entry in entries {
            let entry = entry.as_ref().trim();
            if entry == ALLOW_ALL {
                list.allow_all = true;
            } else {
                list.origins.push(Origin::of(entry).map_err(|e| format!("invalid allowed host: {e}"))?);
            }
        }
        Ok(list)
    }

    /// Whether a request to `url` may be sent.
    pub fn allows(&self, url: &str) -> bool {
        Origin::of(url).is_ok_and(|origin| self.allows_origin(&origin))
    }

    /// Whether a request to `uri` may be sent.
    pub fn allows_uri(&self, uri: &http::Uri) -> bool {
        Origin::of_uri(uri).is_ok_and(|origin| self.allows_origin(&origin))
    }

    /// Whether a request to `origin` may be sent.
    pub fn allows_origin(&self, origin: &Origin) -> bool {
        self.allow_all || self.origins.contains(origin)
    }

    /// `true` if nothing is allowed.
    pub fn is_empty(&self) -> bool {
        !self.allow_all && self.origins.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_by_origin() {
        let list = AllowList::new(&["https://example.org/", "http://127.0.0.1:8080"]).unwrap();
        assert!(list.allows("https://example.org/anything?x=1"));
        assert!(list.allows("https://EXAMPLE.org:443/"));
        assert!(list.allows("http://127.0.0.1:8080/path"));
        assert!(!list.allows("http://example.org/"), "the scheme is part of the origin");
        assert!(!list.allows("https://example.org:8443/"), "so is the port");
        assert!(!list.allows("https://example.org.evil.com/"));
        assert!(!list.allows("https://user@evil.com/?https://example.org"));
        assert!(!list.allows("http://127.0.0.1:9090/"));
        assert!(!list.allows("http://[::1]:8080/"));
        let v6 = AllowList::new(&["http://[::1]:8080"]).unwrap();
        assert!(v6.allows("http://[::1]:8080/x") && !v6.allows("http://[::1]:8081/"));
    }

    #[test]
    fn allow_all_and_empty() {
        assert!(AllowList::new(&[ALLOW_ALL]).unwrap().allows("http://anything:1234/"));
        let empty = AllowList::new::<&str>(&[]).unwrap();
        assert!(empty.is_empty());
        assert!(!empty.allows("https://example.org/"));
    }

    #[test]
    fn refuses_entries_that_are_not_origins() {
        assert!(AllowList::new(&["example.org"]).unwrap_err().contains("not a URL"));
        assert!(AllowList::new(&["ftp://example.org"]).unwrap_err().contains("only http and https"));
        assert!(AllowList::new(&["http://example.org:x"]).unwrap_err().contains("invalid port"));
        assert!(AllowList::new(&["http://:80/"]).unwrap_err().contains("no host"));
    }
}
