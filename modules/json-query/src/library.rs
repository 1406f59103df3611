//! jq modules for `import` and `include`, as jq 1.8's `-L` gives them: the
//! module files (`.jq`) and data files (`.json`) come as input artifacts
//! below one folder, the parameter `library`, and an import is looked up
//! there as jq's linker looks it up in its search path: `NAME.jq`, then
//! `NAME/jq/main.jq`, then `NAME/LAST.jq` (LAST: the name's last part),
//! in the folders of the import's `search` metadata (relative to the
//! importing module's folder) or else in the library's top folder.
//! Nothing outside the library folder is read.

use std::cell::RefCell;
use std::path::{Component, Path, PathBuf};

use jaq_core::load::parse::Term;
use jaq_core::load::{File, Import};

use crate::value::Val;

thread_local! {
    /// The library of the program being run, for `modulemeta`.
    static CURRENT: RefCell<Option<PathBuf>> = const { RefCell::new(None) };
}

/// The folder of a step's jq modules.
pub struct Library {
    root: PathBuf,
}

impl Library {
    /// The modules below `root` (a folder of the step's input artifacts).
    pub fn new(root: PathBuf) -> Library {
        Library { root }
    }

    /// Makes this the library `modulemeta` reads.
    pub fn make_current(&self) {
        CURRENT.with(|c| *c.borrow_mut() = Some(self.root.clone()));
    }

    /// The module an `import` or `include` names, its text rewritten as
    /// the program's is (src/syntax.rs).
    pub fn read_module(&self, import: &Import<&str, PathBuf>) -> Result<File<String, PathBuf>, String> {
        let path = self.find(import, "jq")?;
        let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", self.shown(&path)))?;
        let code = crate::syntax::rewrite(&text)
            .map_err(|r| format!("syntax error in {}: {}", self.shown(&path), r.reason))?
            .code;
        Ok(File { code, path })
    }

    /// The values of the data file an `import "NAME" as $x` names, in an array.
    pub fn read_data(&self, import: &Import<&str, PathBuf>) -> Result<Val, String> {
        let path = self.find(import, "json")?;
        let text = std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", self.shown(&path)))?;
        let values =
            crate::json::parse_all(&text).map_err(|e| format!("data file {} is not JSON: {e}", self.shown(&path)))?;
        Ok(Val::arr(values))
    }

    fn find(&self, import: &Import<&str, PathBuf>, extension: &str) -> Result<PathBuf, String> {
        let name: &str = import.path;
        if name.contains('\\') {
            return Err(format!("Modules must be named by relative paths using '/', not '\\' ({name})"));
        }
        let parts: Vec<&str> = name.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
        if parts.contains(&"..") {
            return Err(format!("Relative paths to modules may not traverse to parent directories ({name})"));
        }
        let Some(last) = parts.last() else { return Err(format!("module not found: {name}")) };
        // The importing module's folder; the program's is the library's top.
        let origin = import.parent.parent().filter(|_| !import.parent.as_os_str().is_empty());
        let folders: Vec<PathBuf> = match search_paths(import.meta) {
            Some(paths) => paths
                .iter()
                .map(|p| match (p.strip_prefix('/'), origin) {
                    (Some(absolute), _) => self.root.join(absolute),
                    (None, Some(origin)) if *p != "." => origin.join(p),
                    (None, _) => self.root.join(p),
                })
                .collect(),
            None => vec![self.root.clone()],
        };
        let relative = parts.join("/");
        for folder in folders {
            let candidates = [
                folder.join(format!("{relative}.{extension}")),
                folder.join(&relative).join(format!("jq/main.{extension}")),
                folder.join(&relative).join(format!("{last}.{extension}")),
            ];
            for candidate in candidates {
                let Some(path) = normalised(&candidate) else { continue };
                if path.starts_with(&self.root) && path.is_file() {
                    return Ok(path);
                }
            }
        }
        Err(format!("module not found: {name}"))
    }

    /// A file's path as the library names it.
    fn shown(&self, path: &Path) -> String {
        path.strip_prefix(&self.root).unwrap_or(path).display().to_string()
    }
}

/// The folders of an import's metadata `{search: "dir"}` or `{search: [...]}`.
fn search_paths<'a>(meta: &Option<Term<&'a str>>) -> Option<Vec<&'a str>> {
    let Some(Term::Obj(entries)) = meta else { return None };
    let (_, value) = entries.iter().find(|(key, _)| constant_string(key) == Some("search"))?;
    match value.as_ref()? {
        Term::Arr(Some(items)) => Some(comma_separated(items).into_iter().filter_map(constant_string).collect()),
        other => constant_string(other).map(|s| vec![s]),
    }
}

/// `a, b, c` as its parts.
fn comma_separated<'t, 'a>(term: &'t Term<&'a str>) -> Vec<&'t Term<&'a str>> {
    match term {
        Term::BinOp(l, jaq_core::load::parse::BinaryOp::Comma, r) => {
            let mut parts = comma_separated(l);
            parts.extend(comma_separated(r));
            parts
        }
        other => vec![other],
    }
}

/// The text of a string literal without escapes or interpolation.
fn constant_string<'a>(term: &Term<&'a str>) -> Option<&'a str> {
    match term {
        Term::Str(None, parts) => match &parts[..] {
            [jaq_core::load::lex::StrPart::Str(s)] => Some(s),
            [] => Some(""),
            _ => None,
        },
        _ => None,
    }
}

/// `path` with `.` and `..` resolved by their names (no link is followed).
fn normalised(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    Some(out)
}

/// jq's `modulemeta`: the input names a module of the current library; its
/// metadata, imports (`deps`) and definitions (`defs`).
pub fn modulemeta(input: &Val) -> Result<Val, crate::value::Error> {
    let fail = |why: String| crate::value::error(why);
    let Val::Str(name) = input else { return Err(fail("modulemeta input module not a string".into())) };
    let root = CURRENT.with(|c| c.borrow().clone());
    let Some(root) = root else { return Err(fail(format!("module not found: {name} (this step has no library)"))) };
    let library = Library::new(root);
    let name: &str = name;
    let (parent, meta) = (PathBuf::new(), None);
    let import = Import { parent: &parent, path: &name, meta: &meta };
    let path = library.find(&import, "jq").map_err(fail)?;
    let text =
        std::fs::read_to_string(&path).map_err(|e| fail(format!("cannot read {}: {e}", library.shown(&path))))?;
    let outline = crate::syntax::module_outline(&text)
        .ok_or_else(|| fail(format!("cannot read the directives of {}", library.shown(&path))))?;
    let query = crate::query::Query::compile(&outline).map_err(|e| fail(format!("{}: {e}", library.shown(&path))))?;
    let mut out = None;
    query
        .run(std::iter::once(Val::Null), |v| out = out.take().or(Some(v)))
        .map_err(|_| fail(format!("the metadata of {} is not a constant object", library.shown(&path))))?;
    out.ok_or_else(|| fail(format!("the metadata of {} is not a constant object", library.shown(&path))))
}
