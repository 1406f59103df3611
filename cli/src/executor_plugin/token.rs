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
        let text = std::fs::read_to_string(file).map_err(|e| match e.kind() {
            std::io::ErrorKind::PermissionDenied => format!(
                "cannot read Argo's token from {} ({e}): this process runs as {}, and {}. Argo's agent writes the \
                 token as uid 8737, group 0, mode 0440, in a folder of mode 0770, so only that user or group 0 can \
                 read it: in the plugin's securityContext keep `runAsGroup: 0` (with any non-root runAsUser, e.g. \
                 8737), or set neither runAsUser nor runAsGroup; a runAsGroup other than 0 cannot read it",
                file.display(),
                process_identity(),
                owners(file)
            ),
            _ => format!(
                "cannot read Argo's token from {} ({e}); Argo mounts it in the plugin's container, give another file with --token-file",
                file.display()
            ),
        })?;
        let token = text.trim();
        if token.is_empty() {
            return Err(format!("Argo's token file {} is empty", file.display()));
        }
        Ok(Token(token.to_owned()))
    }

    /// The token itself (a pool's front sends it to its workers).
    pub fn secret(&self) -> &str {
        &self.0
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

/// "uid U, gid G, groups …" from /proc (for the message above).
fn process_identity() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status.lines().find_map(|line| line.strip_prefix(name)).map(|rest| rest.split_whitespace().collect::<Vec<_>>())
    };
    match (field("Uid:"), field("Gid:")) {
        (Some(uid), Some(gid)) if !uid.is_empty() && !gid.is_empty() => {
            let groups = field("Groups:").unwrap_or_default();
            let groups = if groups.is_empty() { "none".to_owned() } else { groups.join(" ") };
            format!("uid {}, gid {} (supplementary groups: {groups})", uid[1], gid[1])
        }
        _ => "a user and group it cannot tell".into(),
    }
}

/// Who owns the token and its folder, as far as this process may see.
fn owners(file: &Path) -> String {
    use std::os::unix::fs::MetadataExt;
    let describe = |path: &Path| {
        std::fs::metadata(path).map(|m| {
            format!("{} is owned by uid {}, gid {}, mode {:04o}", path.display(), m.uid(), m.gid(), m.mode() & 0o7777)
        })
    };
    let folder = file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    match (describe(file), describe(folder)) {
        (Ok(file), Ok(folder)) => format!("{file}; {folder}"),
        (Err(_), Ok(folder)) => folder,
        (Ok(file), Err(_)) => file,
        (Err(_), Err(_)) => "their owners cannot be seen".into(),
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
