//! How lint results are printed, as `argo lint -o pretty` and `-o simple`
//! print them (`cmd/argo/lint/formatter_pretty.go`, `formatter_simple.go`):
//! each file with errors, then a summary line.

use super::FileResult;

/// `argo lint`'s output formats.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Format {
    /// The file underlined, each error under it after a red `✖`, a summary line.
    #[default]
    Pretty,
    /// `FILE: ERROR` lines, the summary only on success or when nothing was linted.
    Simple,
}

/// Terminal colours, when wanted.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Whether to write ANSI colours (a terminal, no `--no-color`).
    pub color: bool,
}

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        if self.color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_owned() }
    }
}

const UNDERLINE: &str = "4";
const RED: &str = "31";
const GREEN: &str = "32";

/// What `format` prints for one file's result (nothing when it has no errors).
pub fn file(format: Format, style: Style, result: &FileResult) -> String {
    if !result.linted || result.errors.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    match format {
        Format::Pretty => {
            out.push_str(&format!("{}:\n", style.paint(UNDERLINE, &result.file)));
            for error in &result.errors {
                out.push_str(&format!("   {} {error}\n", style.paint(RED, "✖")));
            }
            out.push('\n');
        }
        Format::Simple => {
            for error in &result.errors {
                out.push_str(&format!("{}: {error}\n", result.file));
            }
        }
    }
    out
}

/// Whether the results are a success: something was linted, and nothing was wrong.
pub fn success(results: &[FileResult]) -> bool {
    results.iter().any(|r| r.linted) && results.iter().all(|r| !r.linted || r.errors.is_empty())
}

/// The summary `format` prints after the files.
pub fn summary(format: Format, style: Style, results: &[FileResult]) -> String {
    let linted = results.iter().any(|r| r.linted);
    let errors: usize = results.iter().map(|r| r.errors.len()).sum();
    match (format, success(results), linted) {
        (Format::Pretty, true, _) => format!("{} no linting errors found!\n", style.paint(GREEN, "✔")),
        (Format::Pretty, false, false) => {
            format!("{}\n", style.paint(RED, "✖ found nothing to lint in the specified paths, failing..."))
        }
        (Format::Pretty, false, true) => {
            format!("{}\n", style.paint(RED, &format!("✖ {errors} linting errors found!")))
        }
        (Format::Simple, true, _) => "no linting errors found!\n".into(),
        (Format::Simple, false, false) => "found nothing to lint in the specified paths, failing...\n".into(),
        (Format::Simple, false, true) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(errors: &[&str]) -> FileResult {
        FileResult { file: "wf.yaml".into(), errors: errors.iter().map(|e| e.to_string()).collect(), linted: true }
    }

    #[test]
    fn pretty_and_simple_print_as_argo_lint_does() {
        let plain = Style { color: false };
        let bad = result(&[r#"in "x-" (Workflow): spec.entrypoint is required"#]);
        assert_eq!(
            file(Format::Pretty, plain, &bad),
            "wf.yaml:\n   ✖ in \"x-\" (Workflow): spec.entrypoint is required\n\n"
        );
        assert_eq!(file(Format::Simple, plain, &bad), "wf.yaml: in \"x-\" (Workflow): spec.entrypoint is required\n");
        assert_eq!(summary(Format::Pretty, plain, std::slice::from_ref(&bad)), "✖ 1 linting errors found!\n");
        assert_eq!(summary(Format::Simple, plain, &[bad]), "");
        assert_eq!(summary(Format::Pretty, plain, &[result(&[])]), "✔ no linting errors found!\n");
        let nothing = FileResult { linted: false, ..result(&[]) };
        assert_eq!(
            summary(Format::Simple, plain, &[nothing]),
            "found nothing to lint in the specified paths, failing...\n"
        );
        assert_eq!(file(Format::Pretty, plain, &result(&[])), "");
    }
}
