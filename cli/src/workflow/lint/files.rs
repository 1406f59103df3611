//! The files `lint` reads, as `argo lint` finds them (`WalkManifests`,
//! `util/file/fileutil.go` 226-260): each path given, and below each
//! folder every file, in lexical order; only `.yaml`, `.yml` and `.json`
//! files are read; `-` is standard input, named `stdin`.

use std::io::Read;
use std::path::{Path, PathBuf};

/// The extensions of manifest files.
const MANIFEST_EXTENSIONS: [&str; 3] = ["yaml", "yml", "json"];

/// A file to lint: the name it is reported under, and its text.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// The path as given or found (`stdin` for `-`).
    pub name: String,
    /// Its contents.
    pub text: String,
}

fn is_manifest(path: &Path) -> bool {
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
    MANIFEST_EXTENSIONS.contains(&extension) || path.starts_with("/dev/")
}

fn read(path: &Path) -> Result<Manifest, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("open {}: {e}", path.display()))?;
    let text = String::from_utf8(bytes).map_err(|_| format!("{}: not UTF-8 text", path.display()))?;
    Ok(Manifest { name: path.display().to_string(), text })
}

/// Every manifest under `path`, in the order `argo lint` reads them; the
/// error is a path that cannot be read.
pub fn manifests(path: &str) -> Result<Vec<Manifest>, String> {
    if path == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(|e| format!("stdin: {e}"))?;
        return Ok(vec![Manifest { name: "stdin".into(), text }]);
    }
    let mut found = Vec::new();
    walk(Path::new(path), &mut found)?;
    Ok(found)
}

fn walk(path: &Path, found: &mut Vec<Manifest>) -> Result<(), String> {
    let metadata = std::fs::metadata(path).map_err(|e| format!("lstat {}: {e}", path.display()))?;
    if metadata.is_dir() {
        let entries = std::fs::read_dir(path).map_err(|e| format!("open {}: {e}", path.display()))?;
        let mut children: Vec<PathBuf> = entries.filter_map(Result::ok).map(|entry| entry.path()).collect();
        children.sort();
        for child in children {
            walk(&child, found)?;
        }
    } else if is_manifest(path) {
        found.push(read(path)?);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_walked_in_order_and_only_manifests_are_read() {
        let folder = tempfile::tempdir().unwrap();
        std::fs::create_dir(folder.path().join("b")).unwrap();
        std::fs::write(folder.path().join("b/two.yml"), "kind: x").unwrap();
        std::fs::write(folder.path().join("a.yaml"), "kind: y").unwrap();
        std::fs::write(folder.path().join("notes.txt"), "not a manifest").unwrap();
        let found = manifests(folder.path().to_str().unwrap()).unwrap();
        let names: Vec<String> = found
            .iter()
            .map(|m| Path::new(&m.name).strip_prefix(folder.path()).unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["a.yaml", "b/two.yml"]);
        assert!(manifests("/no/such/path").unwrap_err().starts_with("lstat /no/such/path: "));
    }
}
