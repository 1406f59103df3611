//! The parameters that set how the template is rendered (every other
//! parameter is a variable of the context).

use wasm_workflows_sdk::prelude::*;

/// The parameters the module reads itself; the rest become variables.
pub const RESERVED: &[&str] = &[
    "template",
    "context",
    "undefined",
    "autoescape",
    "trim_blocks",
    "lstrip_blocks",
    "keep_trailing_newline",
    "fuel",
];

/// The fuel a render may use unless the parameter `fuel` says otherwise:
/// one per instruction of the template, or per 64 bytes of text and lists
/// it makes (minijinja's measure): about a second of work, twenty times
/// what a 10,000-row report takes.
pub const DEFAULT_FUEL: u64 = 20_000_000;

/// How the template is rendered. The defaults are Jinja2's `Environment()`,
/// except undefined variables, which fail the step unless `undefined` is
/// `lenient`.
pub struct Options {
    /// Undefined variables fail the render (Jinja2's `StrictUndefined`).
    pub strict: bool,
    /// Every printed value is HTML-escaped unless marked safe.
    pub autoescape: bool,
    /// The first line break after a block tag is removed.
    pub trim_blocks: bool,
    /// Spaces and tabs before a block tag at the start of a line are removed.
    pub lstrip_blocks: bool,
    /// A line break at the end of the template is kept.
    pub keep_trailing_newline: bool,
    /// The most fuel the render may use (the step's memory may allow less).
    pub fuel: u64,
}

impl Options {
    /// Reads the options from the invocation's parameters.
    pub fn read(invocation: &PluginInvocation) -> anyhow::Result<Options> {
        let undefined: String = invocation.parameter_or("undefined", "strict")?;
        let strict = match undefined.as_str() {
            "strict" => true,
            "lenient" => false,
            other => anyhow::bail!(
                "parameter \"undefined\": expected \"strict\" (an undefined variable fails the step) or \"lenient\" \
                 (it renders as nothing), got {other:?}"
            ),
        };
        Ok(Options {
            strict,
            autoescape: invocation.parameter_or("autoescape", false)?,
            trim_blocks: invocation.parameter_or("trim_blocks", false)?,
            lstrip_blocks: invocation.parameter_or("lstrip_blocks", false)?,
            keep_trailing_newline: invocation.parameter_or("keep_trailing_newline", false)?,
            fuel: invocation.parameter_or("fuel", DEFAULT_FUEL)?,
        })
    }
}
