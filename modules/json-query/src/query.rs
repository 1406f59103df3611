//! A jq program compiled with jaq, and run on a stream of JSON values the
//! way jq runs it: once for each value, with `input` and `inputs` reading
//! the values after it.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use jaq_core::data::HasLut;
use jaq_core::load::{self, Arena, File, Import, Loader};
use jaq_core::native::Fun;
use jaq_core::{Compiler, Ctx, DataT, Lut, Vars, compile};
use jaq_std::input::{HasInputs, Inputs, RcIter};

use crate::library::Library;
use crate::position::Position;
use crate::value::Val;

/// The data every filter sees: the compiled program and the input stream.
pub struct Data;

impl DataT for Data {
    type V<'a> = Val;
    type Data<'a> = Global<'a>;
}

/// What [`Data`] holds during a run.
#[derive(Clone, Copy)]
pub struct Global<'a> {
    lut: &'a Lut<Data>,
    inputs: Inputs<'a, Val>,
}

impl<'a> HasLut<'a, Data> for Global<'a> {
    fn lut(&self) -> &'a Lut<Data> {
        self.lut
    }
}

impl<'a> HasInputs<'a, Val> for Global<'a> {
    fn inputs(&self) -> Inputs<'a, Val> {
        self.inputs
    }
}

/// A compiled jq program, with the values of the data files it imports
/// (`import "NAME" as $x`).
pub struct Query(jaq_core::Filter<Data>, Vec<Val>);

/// Why a program does not compile, at which position of its text.
#[derive(Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// What was expected or is wrong.
    pub reason: String,
    /// Where.
    pub position: Position,
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at {}", self.reason, self.position)
    }
}

/// What stops a run: an error raised by the program, or `halt` with a
/// non-zero exit code.
#[derive(Debug, PartialEq, Eq)]
pub enum RunError {
    /// `error(...)`, or a type error such as indexing a number.
    Error(String),
    /// `halt_error` or `halt(n)` with n ≠ 0.
    Halt(i32),
}

impl Query {
    /// Parses and compiles `code` with jq's standard library (as jaq provides it).
    pub fn compile(written: &str) -> Result<Query, SyntaxError> {
        Query::compile_with(written, None)
    }

    /// [`Query::compile`], with `import` and `include` reading `library`.
    pub fn compile_with(written: &str, library: Option<&Library>) -> Result<Query, SyntaxError> {
        let rewritten = crate::syntax::rewrite(written)
            .map_err(|r| SyntaxError { reason: r.reason, position: Position::of(written, r.offset) })?;
        let code = rewritten.code.as_str();
        let place = |offset: usize| Position::of(written, rewritten.original_offset(offset));
        let prelude = load::parse(PRELUDE, |p| p.defs()).expect("the prelude parses");
        let defs: Vec<load::parse::Def<&'static str>> =
            jaq_core::defs().chain(jaq_std::defs()).chain(prelude).collect();
        let funs: Vec<Fun<Data>> = crate::natives::natives()
            .into_iter()
            .chain(jaq_core::funs())
            .chain(jaq_std::funs())
            .chain(jaq_core::funs().filter_map(renamed))
            .chain(jaq_std::funs().filter_map(renamed))
            .chain(jaq_std::input::funs().into_vec().into_iter().map(jaq_core::native::run))
            .collect();
        BUILTINS.get_or_init(|| builtins_of(&defs, &funs));
        let arena = Arena::default();
        if let Some(library) = library {
            library.make_current();
        }
        let read = |import: Import<&str, PathBuf>| match library {
            Some(library) => library.read_module(&import),
            None => Err(NO_LIBRARY.to_owned()),
        };
        let modules = Loader::new(defs)
            .with_read(read)
            .load(&arena, File { code, path: PathBuf::new() })
            .map_err(|errors| load_error(code, errors, &place))?;
        let mut data = Vec::new();
        load::import(&modules, |import| {
            let value = library.ok_or_else(|| NO_LIBRARY.to_owned())?.read_data(&import)?;
            data.push(value);
            Ok(())
        })
        .map_err(|errors| load_error(code, errors, &place))?;
        let filter = Compiler::default()
            .with_global_vars(["$ENV"])
            .with_funs(funs)
            .compile(modules)
            .map_err(|errors| compile_error(code, errors, &place))?;
        Ok(Query(filter, data))
    }

    /// Runs the program on each of `values` in turn (`input` and `inputs`
    /// take the values after the current one) and hands each output to
    /// `output`. A halt with exit code 0 ends the run without an error.
    pub fn run<'v>(&self, values: impl Iterator<Item = Val> + 'v, mut output: impl FnMut(Val)) -> Result<(), RunError> {
        let values: Box<dyn Iterator<Item = Result<Val, String>> + 'v> = Box::new(values.map(Ok));
        let values = RcIter::new(values);
        let global = Global { lut: &self.0.lut, inputs: &values };
        crate::memory::take_failure();
        while let Some(Ok(value)) = (&values).next() {
            for result in self.0.id.run((
                Ctx::<Data>::new(global, Vars::new(std::iter::once(environment()).chain(self.1.iter().cloned()))),
                value,
            )) {
                if let Some(reason) = crate::memory::take_failure() {
                    return Err(RunError::Error(reason));
                }
                match result {
                    Ok(value) => output(value),
                    Err(exception) => {
                        return match exception.get_err() {
                            Ok(error) => Err(RunError::Error(describe(error.into_val()))),
                            Err(exception) => match exception.get_halt() {
                                Ok(0) => Ok(()),
                                Ok(code) => Err(RunError::Halt(code)),
                                // Only `break` is left, and the compiler refuses one without its label.
                                Err(_) => Err(RunError::Error("break outside its label".into())),
                            },
                        };
                    }
                }
            }
        }
        crate::memory::take_failure().map_or(Ok(()), |reason| Err(RunError::Error(reason)))
    }
}

/// `$ENV`: the environment the host gives the module (none, as a rule).
fn environment() -> Val {
    jaq_core::ValT::from_map(std::env::vars().map(|(k, v)| (Val::from(k), Val::from(v)))).unwrap_or_else(|_| Val::Null)
}

/// json-query's own definitions (src/prelude.jq).
const PRELUDE: &str = include_str!("prelude.jq");

/// A native of jaq that the prelude wraps, under the name the prelude
/// calls it by (jaq's own definitions keep using the original).
fn renamed(fun: Fun<Data>) -> Option<Fun<Data>> {
    let name = match fun.0 {
        "limit" => "_limit",
        "skip" => "_skip",
        "mktime" => "_mktime",
        "strftime" => "_strftime",
        "strflocaltime" => "_strflocaltime",
        "ldexp" => "_ldexp",
        "scalbln" => "_scalbln",
        "jn" => "_jn",
        "yn" => "_yn",
        _ => return None,
    };
    Some((name, fun.1, fun.2))
}

static BUILTINS: OnceLock<Vec<String>> = OnceLock::new();

/// `name/arity` of every filter a program can call, as jq's `builtins` lists them.
pub fn builtins() -> Vec<String> {
    BUILTINS.get().cloned().unwrap_or_default()
}

fn builtins_of(defs: &[load::parse::Def<&'static str>], funs: &[Fun<Data>]) -> Vec<String> {
    let internal = |name: &str| {
        name.starts_with('_')
            || name.starts_with('!')
            || name.starts_with('@')
            || name.ends_with("_empty")
            || name.ends_with("_or_empty")
    };
    let mut names: Vec<String> = defs
        .iter()
        .map(|d| (d.name, d.args.len()))
        .chain(funs.iter().map(|(name, args, _)| (*name, args.len())))
        .filter(|(name, _)| !internal(name))
        .map(|(name, arity)| format!("{name}/{arity}"))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The most characters of an error message: jaq's messages quote the
/// values involved, which may be the whole document.
const MAX_ERROR_CHARS: usize = 300;

/// An error value as jq shows it: a string as it is, anything else as JSON;
/// cut to [`MAX_ERROR_CHARS`].
fn describe(error: Val) -> String {
    let text = match &error {
        Val::Str(text) => text.to_string(),
        other => format!("{other} (not a string)"),
    };
    match text.char_indices().nth(MAX_ERROR_CHARS) {
        Some((cut, _)) => format!("{}… (cut at {MAX_ERROR_CHARS} characters)", &text[..cut]),
        None => text,
    }
}

/// Why an import fails when the step has no library.
const NO_LIBRARY: &str =
    "this step has no module files (give them as input artifacts below the folder of parameter \"library\")";

fn load_error(code: &str, errors: load::Errors<&str, PathBuf>, place: &dyn Fn(usize) -> Position) -> SyntaxError {
    let Some((file, error)) = errors.into_iter().next() else {
        return SyntaxError { reason: "cannot be loaded".into(), position: place(0) };
    };
    if !file.path.as_os_str().is_empty() {
        return module_error(&file.path, error, place);
    }
    let at = |found: &str| place(load::span(code, found).start);
    match error {
        load::Error::Lex(errors) => {
            let (expected, found) = errors.into_iter().next().expect("a lex error");
            let found_text = found.chars().next().map_or("the end".to_owned(), |c| format!("\"{c}\""));
            let reason = match expected {
                load::lex::Expect::Delim(open) => {
                    format!(
                        "unclosed \"{open}\" (opened at {}): expected {}, found {found_text}",
                        at(open),
                        expected.as_str()
                    )
                }
                load::lex::Expect::Token => format!("unexpected character {found_text}"),
                _ => format!("expected {}, found {found_text}", expected.as_str()),
            };
            SyntaxError { reason, position: at(found) }
        }
        load::Error::Parse(errors) => {
            let (expected, found) = errors.into_iter().next().expect("a parse error");
            let found_text = if found.is_empty() { "the end".to_owned() } else { format!("\"{found}\"") };
            SyntaxError { reason: format!("expected {}, found {found_text}", expected.as_str()), position: at(found) }
        }
        load::Error::Io(errors) => {
            let (path, why) = errors.into_iter().next().expect("an I/O error");
            SyntaxError { reason: format!("cannot load module \"{path}\": {why}"), position: at(path) }
        }
    }
}

/// An error in a module file: named by its file, as its text is not the program's.
fn module_error(path: &Path, error: load::Error<&str>, place: &dyn Fn(usize) -> Position) -> SyntaxError {
    let why = match error {
        load::Error::Io(errors) => {
            errors.into_iter().next().map(|(p, why)| format!("cannot load module \"{p}\": {why}"))
        }
        load::Error::Lex(errors) => errors.into_iter().next().map(|(expected, found)| {
            let found = found.chars().next().map_or("the end".to_owned(), |c| format!("\"{c}\""));
            format!("expected {}, found {found}", expected.as_str())
        }),
        load::Error::Parse(errors) => errors.into_iter().next().map(|(expected, found)| {
            let found = if found.is_empty() { "the end".to_owned() } else { format!("\"{found}\"") };
            format!("expected {}, found {found}", expected.as_str())
        }),
    };
    let file = path.file_name().map_or_else(|| path.display().to_string(), |f| f.to_string_lossy().into_owned());
    SyntaxError { reason: format!("in module {file}: {}", why.unwrap_or_default()), position: place(0) }
}

fn compile_error(code: &str, errors: compile::Errors<&str, PathBuf>, place: &dyn Fn(usize) -> Position) -> SyntaxError {
    let (file, errors) = errors.into_iter().next().expect("a failed compilation has an error");
    let (name, undefined) = errors.into_iter().next().expect("a failed compilation has an error");
    if !file.path.as_os_str().is_empty() {
        let file = file.path.file_name().map_or(String::new(), |f| f.to_string_lossy().into_owned());
        let reason = match &undefined {
            compile::Undefined::Filter(arity) => format!("in module {file}: undefined filter \"{name}/{arity}\""),
            undefined => format!("in module {file}: undefined {} \"{name}\"", undefined.as_str()),
        };
        return SyntaxError { reason, position: place(0) };
    }
    let reason = match (name, &undefined) {
        ("reduce" | "foreach", compile::Undefined::Filter(arity)) => {
            format!("\"{name}\" with a wrong number of arguments ({arity})")
        }
        (_, compile::Undefined::Filter(arity)) => format!("undefined filter \"{name}/{arity}\""),
        (_, undefined) => format!("undefined {} \"{name}\"", undefined.as_str()),
    };
    SyntaxError { reason, position: place(load::span(code, name).start) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outputs(code: &str, input: &str) -> Result<Vec<String>, RunError> {
        let query = Query::compile(code).unwrap();
        let values = crate::json::parse_all(input.as_bytes()).unwrap();
        let mut out = Vec::new();
        query.run(values.into_iter(), |v: Val| out.push(v.to_string())).map(|()| out)
    }

    #[test]
    fn runs_on_each_value_with_inputs_after_it() {
        assert_eq!(outputs(".a", r#"{"a":1} {"a":2}"#).unwrap(), ["1", "2"]);
        assert_eq!(outputs("[., input]", "1 2 3 4").unwrap(), ["[1,2]", "[3,4]"]);
        assert_eq!(outputs("[inputs]", "1 2 3").unwrap(), ["[2,3]"]);
    }

    #[test]
    fn errors_and_halts() {
        assert_eq!(outputs(".a", "5"), Err(RunError::Error("Cannot index number with string (\"a\")".into())));
        assert_eq!(outputs("error(\"boom\")", "null"), Err(RunError::Error("boom".into())));
        assert_eq!(outputs("error({a: 1})", "null"), Err(RunError::Error("{\"a\":1} (not a string)".into())));
        assert_eq!(outputs("1, halt, 2", "null").unwrap(), ["1"]);
        let Err(RunError::Error(message)) = outputs("error(\"x\" * 500)", "null") else { panic!("error fails") };
        assert!(message.starts_with("xxx") && message.ends_with("… (cut at 300 characters)"), "{message}");
        assert_eq!(outputs("halt_error(3)", "\"bye\""), Err(RunError::Halt(3)));
    }

    #[test]
    fn syntax_errors_say_where() {
        let error = |code| Query::compile(code).err().unwrap().to_string();
        assert_eq!(error(".a | ]"), "unexpected character \"]\" at line 1, column 6");
        assert_eq!(error(".a |"), "expected term, found the end at line 1, column 5");
        assert_eq!(error(".a | | .b"), "expected term, found \"|\" at line 1, column 6");
        assert_eq!(
            error("[1, 2"),
            "unclosed \"[\" (opened at line 1, column 1): expected closing bracket, found the end at line 1, column 6"
        );
        assert_eq!(error(".a |\n  nosuch(1)"), "undefined filter \"nosuch/1\" at line 2, column 3");
        assert_eq!(error("$x"), "undefined variable \"$x\" at line 1, column 1");
        assert_eq!(error("if . then 1"), "expected else or end, found the end at line 1, column 12");
    }
}
