//! Pulled modules on disk, by digest: a layer once fetched is never fetched
//! again, and a reference pinned to a manifest digest (`REF@sha256:…`) is
//! answered without asking the registry at all.
//!
//! `blobs/sha256/<hex>` holds module layers; `manifests/sha256/<hex>` holds
//! the digest and media type of the module layer that manifest names. Files are written to
//! a temporary name and renamed into place; a blob is checked against its
//! digest when read, so a damaged entry is fetched again, never trusted.

use std::path::{Path, PathBuf};

use super::OciError;
use super::layout::sha256_digest;

/// The cache folder.
#[derive(Debug, Clone)]
pub struct ImageCache {
    dir: PathBuf,
}

impl ImageCache {
    /// A cache in `dir` (created when first written).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        ImageCache { dir: dir.into() }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, kind: &str, digest: &str) -> Option<PathBuf> {
        let (algorithm, hex) = digest.split_once(':')?;
        let valid = algorithm == "sha256" && hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit());
        valid.then(|| self.dir.join(kind).join(algorithm).join(hex))
    }

    /// The module layer with this digest, if cached intact.
    pub fn module(&self, digest: &str) -> Option<Vec<u8>> {
        let bytes = std::fs::read(self.path("blobs", digest)?).ok()?;
        (sha256_digest(&bytes) == digest).then_some(bytes)
    }

    /// Keeps a module layer under its digest.
    pub fn store_module(&self, bytes: &[u8]) -> Result<(), OciError> {
        let digest = sha256_digest(bytes);
        self.write(self.path("blobs", &digest).expect("a digest this cache made"), bytes)
    }

    /// The digest and media type of the layer the manifest with this digest names, if known.
    pub fn layer_of(&self, manifest_digest: &str) -> Option<(String, String)> {
        let text = std::fs::read_to_string(self.path("manifests", manifest_digest)?).ok()?;
        let (digest, media_type) = text.trim().split_once(' ')?;
        self.path("blobs", digest).is_some().then(|| (digest.to_owned(), media_type.to_owned()))
    }

    /// Remembers which layer the manifest with this digest names.
    pub fn store_manifest(&self, manifest_digest: &str, layer_digest: &str, media_type: &str) -> Result<(), OciError> {
        match self.path("manifests", manifest_digest) {
            Some(path) => self.write(path, format!("{layer_digest} {media_type}").as_bytes()),
            None => Ok(()), // a digest of another algorithm: not cached
        }
    }

    fn write(&self, path: PathBuf, bytes: &[u8]) -> Result<(), OciError> {
        let folder = path.parent().expect("entries are in folders");
        std::fs::create_dir_all(folder).map_err(OciError::io(format!("create {}", folder.display())))?;
        let temporary = tempfile::NamedTempFile::new_in(folder)
            .map_err(OciError::io(format!("write to the cache in {}", folder.display())))?;
        std::fs::write(temporary.path(), bytes)
            .map_err(OciError::io(format!("write {}", temporary.path().display())))?;
        temporary
            .persist(&path)
            .map_err(|e| OciError::Io { action: format!("write {}", path.display()), source: e.error })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_are_kept_by_digest_and_damage_is_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ImageCache::new(dir.path());
        let module = b"\0asm\x01\0\0\0".to_vec();
        let digest = sha256_digest(&module);
        assert_eq!(cache.module(&digest), None);
        cache.store_module(&module).unwrap();
        assert_eq!(cache.module(&digest).as_deref(), Some(module.as_slice()));

        let manifest = sha256_digest(b"a manifest");
        assert_eq!(cache.layer_of(&manifest), None);
        cache.store_manifest(&manifest, &digest, "application/wasm").unwrap();
        assert_eq!(cache.layer_of(&manifest), Some((digest.clone(), "application/wasm".to_owned())));

        std::fs::write(cache.path("blobs", &digest).unwrap(), b"damaged").unwrap();
        assert_eq!(cache.module(&digest), None, "bytes that do not match their digest are not a hit");
        assert_eq!(cache.module("sha256:../../etc/passwd"), None);
        assert_eq!(cache.layer_of("md5:abc"), None);
    }
}
