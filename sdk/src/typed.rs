//! Typed steps: a step function may take any [`FromInvocation`] type and
//! return any [`IntoResult`] type, usually structs that derive them.
//!
//! ```
//! use wasm_workflows_sdk::prelude::*;
//!
//! /// One field per input: parameters, plugin options, artifacts.
//! #[derive(FromInvocation)]
//! struct Inputs {
//!     text: String,                     // required parameter "text"
//!     #[step(default = 40)]
//!     width: usize,                     // "40" or 40; 40 when absent
//!     #[step(rename = "upper-case")]
//!     upper_case: Option<bool>,         // optional: None when absent
//!     #[step(plugin_option)]
//!     prefix: Option<String>,           // a key of the template's plugin.wasm block
//! }
//!
//! /// One field per output parameter (any `Serialize`) or artifact.
//! #[derive(IntoResult)]
//! #[step(message = "wrapped")]
//! struct Outputs {
//!     text: String,
//!     lines: usize,
//! }
//!
//! #[workflow_step]
//! fn run(inputs: Inputs) -> anyhow::Result<Outputs> {
//!     let text = format!("{}{}", inputs.prefix.unwrap_or_default(), inputs.text);
//!     let text = if inputs.upper_case.unwrap_or(false) { text.to_uppercase() } else { text };
//!     let lines: Vec<String> = text.as_bytes().chunks(inputs.width).map(|c| String::from_utf8_lossy(c).into()).collect();
//!     Ok(Outputs { lines: lines.len(), text: lines.join("\n") })
//! }
//!
//! # use wasm_workflows_sdk::testing::run_step;
//! let ok = run_step(run, PluginInvocation::new("wf").with_parameter("text", "abcdef").with_parameter("width", "4"));
//! assert_eq!(ok.result.message, "wrapped");
//! assert_eq!(ok.result.output_parameter("text").and_then(Value::as_str), Some("abcd\nef"));
//! assert_eq!(ok.result.output_parameter("lines").and_then(Value::as_u64), Some(2));
//!
//! let bad = run_step(run, PluginInvocation::new("wf").with_parameter("text", 42));
//! assert_eq!(bad.result.message, "parameter \"text\": expected a string, got the number 42");
//! ```
//!
//! A field of an input reads as its type says: numbers and booleans from
//! Argo's strings (`"42"`, `"true"`) or from JSON, arrays and objects from
//! JSON text or JSON, a `String` only from a string. A field the invocation
//! does not give is an error that names it, unless it is an `Option`, has a
//! `#[step(default)]` (its type's `Default`) or a `#[step(default = value)]`.
//! Parameters and plugin options the struct does not name are refused,
//! unless the struct has `#[step(allow_unknown)]`. `#[step(workflow_name)]`
//! on a `String` field gives the workflow's name.
//!
//! An output field that serializes to `null` (an `Option` that is `None`) is
//! left out; an [`OutputArtifact`] field is finished (flushed) and listed
//! with the name it was created with. `#[step(message)]` on a field makes
//! it the node's message.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::argo_value::{self, Reading};
use crate::artifacts::{InputArtifact, OutputArtifact};
use crate::error::{Error, ParameterKind, Result};
use crate::json::{self, Value};
use crate::parameters;
use crate::protocol::{ArtifactRef, Parameter, PluginInvocation, PluginResult};

/// What a step function can take: the invocation itself, or a type built
/// from it, usually with `#[derive(FromInvocation)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a step input",
    label = "a workflow step cannot take this type",
    note = "take `PluginInvocation`, or a struct with `#[derive(FromInvocation)]` whose fields are the step's parameters and artifacts"
)]
pub trait FromInvocation: Sized {
    /// Builds the input, or says which parameter or artifact is wrong.
    fn from_invocation(invocation: PluginInvocation) -> Result<Self>;
}

impl FromInvocation for PluginInvocation {
    fn from_invocation(invocation: PluginInvocation) -> Result<Self> {
        Ok(invocation)
    }
}

/// What a step's output turns into: the result itself, or a type whose
/// fields are output parameters and artifacts, usually with
/// `#[derive(IntoResult)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a step result",
    label = "a workflow step cannot return this type",
    note = "return `PluginResult`, or a struct with `#[derive(IntoResult)]` whose fields are the step's outputs"
)]
pub trait IntoResult {
    /// The result to write, or why the outputs cannot be written.
    fn into_result(self) -> Result<PluginResult>;
}

impl IntoResult for PluginResult {
    fn into_result(self) -> Result<PluginResult> {
        Ok(self)
    }
}

/// What a parameter or plugin option field of a `#[derive(FromInvocation)]`
/// struct can be: any type serde can deserialize.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a parameter of a step's inputs",
    label = "serde cannot deserialize this type",
    note = "a parameter or plugin option is a `String`, a number, `bool`, `Option`, `Vec`, a map, or any type that derives `serde::Deserialize`; an input artifact is an `InputArtifact` or `Option<InputArtifact>` field (mark a field whose type is spelled otherwise with `#[step(artifact)]`)"
)]
pub trait InputParameter: Sized {
    /// The field `name`, read from the parameters or plugin options (`kind`);
    /// `None` when the invocation does not give it.
    fn read(invocation: &PluginInvocation, kind: ParameterKind, name: &str) -> Result<Option<Self>>;

    /// The field when the invocation does not give it and it has no
    /// default: `None` for an `Option`, else the error that says so.
    fn absent(kind: ParameterKind, name: &str) -> Result<Self>;
}

fn list(invocation: &PluginInvocation, kind: ParameterKind) -> &[Parameter] {
    match kind {
        ParameterKind::Parameter => &invocation.parameters,
        ParameterKind::PluginOption => &invocation.plugin_options,
    }
}

impl<T: DeserializeOwned> InputParameter for T {
    fn read(invocation: &PluginInvocation, kind: ParameterKind, name: &str) -> Result<Option<Self>> {
        parameters::find(list(invocation, kind), name)
            .map(|value| parameters::convert(kind, name, value, Reading::Typed))
            .transpose()
    }

    fn absent(kind: ParameterKind, name: &str) -> Result<Self> {
        // What serde does for a missing field: an `Option` reads `null` as `None`.
        argo_value::from_value(&Value::Null, Reading::Typed).map_err(|_| Error::MissingParameter {
            kind,
            name: name.to_owned(),
            hint: kind.hint(),
        })
    }
}

/// What an input artifact field of a `#[derive(FromInvocation)]` struct can
/// be: an [`InputArtifact`] (required) or an `Option` of one.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an input artifact",
    label = "not `InputArtifact` or `Option<InputArtifact>`",
    note = "an input artifact field is an `InputArtifact` or an `Option<InputArtifact>`"
)]
pub trait InputArtifactField: Sized {
    /// The artifact `name` of `invocation`, or the error that says it is missing.
    fn read(invocation: &PluginInvocation, name: &str) -> Result<Self>;
}

impl InputArtifactField for InputArtifact {
    fn read(invocation: &PluginInvocation, name: &str) -> Result<Self> {
        invocation.artifact(name)
    }
}

impl InputArtifactField for Option<InputArtifact> {
    fn read(invocation: &PluginInvocation, name: &str) -> Result<Self> {
        invocation.artifact_opt(name)
    }
}

/// What an output parameter field of a `#[derive(IntoResult)]` struct can
/// be: any type serde can serialize.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an output parameter",
    label = "serde cannot serialize this type",
    note = "an output parameter is any type that implements `serde::Serialize`; an output artifact is an `OutputArtifact`, an `ArtifactRef` or an `Option` of one (mark a field whose type is spelled otherwise with `#[step(artifact)]`)"
)]
pub trait OutputParameter {
    /// Adds the field to `result` as output parameter `name`; a value that
    /// serializes to `null` is left out.
    fn add_to(self, result: &mut PluginResult, name: &str) -> Result<()>;
}

impl<T: Serialize> OutputParameter for T {
    fn add_to(self, result: &mut PluginResult, name: &str) -> Result<()> {
        match json::to_value(&self) {
            Ok(Value::Null) => Ok(()),
            Ok(value) => {
                result.outputs.parameters.push(Parameter { name: name.to_owned(), value });
                Ok(())
            }
            Err(error) => Err(Error::InvalidOutput { name: name.to_owned(), error }),
        }
    }
}

/// What an output artifact field of a `#[derive(IntoResult)]` struct can
/// be: an [`OutputArtifact`] (finished when the result is made), an
/// [`ArtifactRef`] (one already finished), or an `Option` of either.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an output artifact",
    label = "not `OutputArtifact`, `ArtifactRef` or an `Option` of one",
    note = "an output artifact field is an `OutputArtifact`, an `ArtifactRef` or an `Option` of one"
)]
pub trait OutputArtifactField {
    /// Adds the artifact to `result`, finishing it first.
    fn add_to(self, result: &mut PluginResult) -> Result<()>;
}

impl OutputArtifactField for OutputArtifact {
    fn add_to(self, result: &mut PluginResult) -> Result<()> {
        result.outputs.artifacts.push(self.finish()?);
        Ok(())
    }
}

impl OutputArtifactField for ArtifactRef {
    fn add_to(self, result: &mut PluginResult) -> Result<()> {
        result.outputs.artifacts.push(self);
        Ok(())
    }
}

impl<T: OutputArtifactField> OutputArtifactField for Option<T> {
    fn add_to(self, result: &mut PluginResult) -> Result<()> {
        self.map_or(Ok(()), |artifact| artifact.add_to(result))
    }
}

/// What the derives expand to; not a stable API.
#[doc(hidden)]
pub mod __private {
    pub use crate::error::{ParameterKind, Result};
    pub use crate::parameters::IntoDefault;
    pub use crate::protocol::{PluginInvocation, PluginResult};
    pub use crate::typed::{
        FromInvocation, InputArtifactField, InputParameter, IntoResult, OutputArtifactField, OutputParameter,
    };

    /// Refuses parameters and plugin options that no field names.
    pub fn check_known(invocation: &PluginInvocation, parameters: &[&str], plugin_options: &[&str]) -> Result<()> {
        crate::parameters::check_known(&invocation.parameters, ParameterKind::Parameter, parameters)?;
        crate::parameters::check_known(&invocation.plugin_options, ParameterKind::PluginOption, plugin_options)
    }

    /// A parameter field without a default.
    pub fn required<T: InputParameter>(invocation: &PluginInvocation, kind: ParameterKind, name: &str) -> Result<T> {
        match T::read(invocation, kind, name)? {
            Some(value) => Ok(value),
            None => T::absent(kind, name),
        }
    }

    /// A parameter field with a default.
    pub fn or_else<T: InputParameter>(
        invocation: &PluginInvocation,
        kind: ParameterKind,
        name: &str,
        default: impl FnOnce() -> T,
    ) -> Result<T> {
        Ok(T::read(invocation, kind, name)?.unwrap_or_else(default))
    }

    /// An input artifact field.
    pub fn artifact<T: InputArtifactField>(invocation: &PluginInvocation, name: &str) -> Result<T> {
        T::read(invocation, name)
    }

    /// An output parameter field.
    pub fn output<T: OutputParameter>(result: &mut PluginResult, name: &str, value: T) -> Result<()> {
        value.add_to(result, name)
    }

    /// An output artifact field.
    pub fn output_artifact<T: OutputArtifactField>(result: &mut PluginResult, value: T) -> Result<()> {
        value.add_to(result)
    }
}
