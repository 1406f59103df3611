//! Kubernetes' own schemas, offline: PyPI's `kubernetes-validate` (which
//! bundles the strict OpenAPI schemas of Kubernetes 1.25–1.37; installed by
//! `scripts/setup.sh`), run as `python3 -m kubernetes_validate` on manifests
//! this repository ships.

use std::io::Write;
use std::path::Path;
use std::process::Command;

/// The module of PyPI's `kubernetes-validate`.
const MODULE: &str = "kubernetes_validate";

/// The Kubernetes versions manifests are checked against: the oldest that
/// has every field they use (native sidecars, the PodDisruptionBudget's
/// `unhealthyPodEvictionPolicy`) and the newest the package knows.
pub const VERSIONS: [&str; 2] = ["1.29.0", "1.37.0"];

/// The problems `kubernetes-validate --strict` finds in the YAML `documents`
/// (one or more, `---` between them) against Kubernetes `version`: empty
/// when they are valid. `name` says in messages what they are.
pub fn errors(name: &str, documents: &str, version: &str) -> Vec<String> {
    let mut file = tempfile::Builder::new().suffix(".yaml").tempfile().expect("a temporary file");
    file.write_all(documents.as_bytes()).unwrap();
    errors_in_file(name, file.path(), version)
}

/// As [`errors`], for a file.
pub fn errors_in_file(name: &str, file: &Path, version: &str) -> Vec<String> {
    errors_in_files(&[file], version).into_iter().map(|problem| format!("{name}: {problem}")).collect()
}

/// As [`errors`], for several files at once (one run of the validator);
/// each problem names its file.
pub fn errors_in_files(files: &[&Path], version: &str) -> Vec<String> {
    let output = Command::new("python3")
        .args(["-m", MODULE, "--strict", "--quiet", "--no-warn", "-k", version])
        .args(files)
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3 -m {MODULE} ({e}): install Python 3 and scripts/setup.sh"));
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    if text.contains(&format!("No module named {MODULE}")) {
        panic!("{MODULE} is not installed: run scripts/setup.sh (pip install kubernetes-validate)");
    }
    let mut problems: Vec<String> = text.lines().filter(|l| !l.trim().is_empty()).map(str::to_owned).collect();
    if !output.status.success() && problems.is_empty() {
        problems.push(format!("{MODULE} failed ({}) and said nothing", output.status));
    }
    problems
}
