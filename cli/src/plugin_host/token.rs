//! Argo's token: the agent sends `Authorization: Bearer <token>`, where the
//! token is the file Argo mounts in the plugin's container
//! (`/var/run/argo/token`). A request without it gets 403 and runs nothing.

use std::path::Path;

use subtle::ConstantTimeEq;

/// Where Argo mounts the token in a plugin's sidecar.
pub const DEFAULT_TOKEN_FILE: &str = "/var/run/argo/token";

/// The token requests must carry.
#[derive(Clone)]
pub struct Token(String);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(****)")
    }
}

impl Token {
    /// Reads the token from `file`; an empty or unreadable file is an error
    /// (the host does not start without one).
    pub fn read(file: &Path) -> Result<Token, String> {
        let text = std::fs::read_to_string(file).map_err(|e| {
            format!("cannot read Argo's token from {} ({e}); Argo mounts it in the plugin's container, give another file with --token-file", file.display())
        })?;
        let token = text.trim();
        if token.is_empty() {
            return Err(format!("Argo's token file {} is empty", file.display()));
        }
        Ok(Token(token.to_owned()))
    }

    /// Whether the value of an `Authorization` header carries the token;
    /// compared in constant time.
    pub fn admits(&self, authorization: Option<&[u8]>) -> bool {
        let Some(given) = authorization.and_then(|header| header.strip_prefix(b"Bearer ")) else {
            return false;
        };
        given.ct_eq(self.0.as_bytes()).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_bearer_token_is_admitted() {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), "abcdefghijklmnopqrstuvwxyz012345\n").unwrap();
        let token = Token::read(file.path()).unwrap();
        assert!(token.admits(Some(b"Bearer abcdefghijklmnopqrstuvwxyz012345")));
        assert!(!token.admits(Some(b"Bearer abcdefghijklmnopqrstuvwxyz012346")));
        assert!(!token.admits(Some(b"Bearer abcdefghijklmnopqrstuvwxyz01234")));
        assert!(!token.admits(Some(b"abcdefghijklmnopqrstuvwxyz012345")));
        assert!(!token.admits(Some(b"Basic abcdefghijklmnopqrstuvwxyz012345")));
        assert!(!token.admits(Some(b"Bearer ")));
        assert!(!token.admits(None));
        assert_eq!(format!("{token:?}"), "Token(****)");
    }

    #[test]
    fn a_missing_or_empty_token_file_is_an_error() {
        let message = Token::read(Path::new("/no/such/token")).unwrap_err();
        assert!(message.starts_with("cannot read Argo's token from /no/such/token ("), "{message}");
        let file = tempfile::NamedTempFile::new().unwrap();
        assert_eq!(
            Token::read(file.path()).unwrap_err(),
            format!("Argo's token file {} is empty", file.path().display())
        );
    }
}
