//! Typed access to a step's parameters and plugin options.
//!
//! Argo passes parameter values as strings, so every accessor also reads
//! numbers, booleans, arrays and objects from their string form (`"42"`,
//! `"true"`, `"[1,2]"`), as well as from native JSON values. A `null` value
//! counts as absent.

use serde::de::DeserializeOwned;

use crate::argo_value::{self, Reading, ValueError, ValueErrorKind};
use crate::error::{Error, ParameterKind, Result};
use crate::json::Value;
use crate::protocol::{Parameter, PluginInvocation};

/// A default for [`PluginInvocation::parameter_or`]: the value itself, or a
/// `&str` where a `String` is wanted.
pub trait IntoDefault<T> {
    /// The default value.
    fn into_default(self) -> T;
}

impl<T> IntoDefault<T> for T {
    fn into_default(self) -> T {
        self
    }
}

impl IntoDefault<String> for &str {
    fn into_default(self) -> String {
        self.to_owned()
    }
}

pub(crate) fn find<'a>(list: &'a [Parameter], name: &str) -> Option<&'a Value> {
    list.iter().rev().find(|p| p.name == name).map(|p| &p.value).filter(|v| !v.is_null())
}

pub(crate) fn convert<T: DeserializeOwned>(
    kind: ParameterKind,
    name: &str,
    value: &Value,
    reading: Reading,
) -> Result<T> {
    argo_value::from_value(value, reading).map_err(|error| Error::InvalidParameter {
        kind,
        name: name.to_owned(),
        reason: error.to_string(),
    })
}

fn optional<T: DeserializeOwned>(list: &[Parameter], kind: ParameterKind, name: &str) -> Result<Option<T>> {
    find(list, name).map(|value| convert(kind, name, value, Reading::Lenient)).transpose()
}

fn required<T: DeserializeOwned>(list: &[Parameter], kind: ParameterKind, name: &str) -> Result<T> {
    optional(list, kind, name)?.ok_or_else(|| Error::MissingParameter {
        kind,
        name: name.to_owned(),
        hint: kind.hint(),
    })
}

fn all_into<T: DeserializeOwned>(list: &[Parameter], kind: ParameterKind) -> Result<T> {
    let object =
        Value::Object(list.iter().filter(|p| !p.value.is_null()).map(|p| (p.name.clone(), p.value.clone())).collect());
    argo_value::from_value(&object, Reading::Lenient).map_err(|error| describe_struct_error(kind, error))
}

/// Turns a struct-level error into the error that names the parameter.
fn describe_struct_error(kind: ParameterKind, error: ValueError) -> Error {
    let mut path = error.path.iter();
    match (path.next(), &error.kind) {
        (None, ValueErrorKind::MissingField(name)) => {
            Error::MissingParameter { kind, name: (*name).to_owned(), hint: kind.hint() }
        }
        (None, ValueErrorKind::UnknownField(name, accepted)) => {
            Error::UnknownParameter { kind, name: name.clone(), accepted: accepted.join(", ") }
        }
        (Some(name), _) => {
            let inner: Vec<&str> = path.map(String::as_str).collect();
            let reason =
                if inner.is_empty() { error.reason() } else { format!("{}: {}", inner.join("."), error.reason()) };
            Error::InvalidParameter { kind, name: name.clone(), reason }
        }
        (None, _) => Error::InvalidParameters { kind, reason: error.reason() },
    }
}

pub(crate) fn check_known(list: &[Parameter], kind: ParameterKind, accepted: &[&str]) -> Result<()> {
    match list.iter().find(|p| !accepted.contains(&p.name.as_str())) {
        None => Ok(()),
        Some(unknown) => {
            Err(Error::UnknownParameter { kind, name: unknown.name.clone(), accepted: accepted.join(", ") })
        }
    }
}

impl PluginInvocation {
    /// The required parameter `name`, as a `T`.
    ///
    /// ```
    /// # use wasm_workflows_sdk::prelude::*;
    /// let invocation = PluginInvocation::new("wf").with_parameter("width", "40");
    /// let width: usize = invocation.parameter("width")?;
    /// assert_eq!(width, 40);
    ///
    /// let missing = invocation.parameter::<String>("text").unwrap_err();
    /// assert_eq!(missing.to_string(), "missing required parameter \"text\" (add it to the template's inputs.parameters)");
    /// # Ok::<(), wasm_workflows_sdk::Error>(())
    /// ```
    pub fn parameter<T: DeserializeOwned>(&self, name: &str) -> Result<T> {
        required(&self.parameters, ParameterKind::Parameter, name)
    }

    /// The parameter `name` as a `T`, or `None` if it is not given.
    pub fn parameter_opt<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>> {
        optional(&self.parameters, ParameterKind::Parameter, name)
    }

    /// The parameter `name` as a `T`, or `default` if it is not given.
    ///
    /// ```
    /// # use wasm_workflows_sdk::prelude::*;
    /// let invocation = PluginInvocation::new("wf");
    /// let name: String = invocation.parameter_or("name", "World")?;
    /// let width: usize = invocation.parameter_or("width", 40)?;
    /// assert_eq!((name.as_str(), width), ("World", 40));
    /// # Ok::<(), wasm_workflows_sdk::Error>(())
    /// ```
    pub fn parameter_or<T: DeserializeOwned>(&self, name: &str, default: impl IntoDefault<T>) -> Result<T> {
        Ok(self.parameter_opt(name)?.unwrap_or_else(|| default.into_default()))
    }

    /// All parameters as one `T`, usually a `#[derive(Deserialize)]` struct
    /// whose fields are the parameter names. Use `#[serde(default)]` for
    /// optional ones and `#[serde(deny_unknown_fields)]` to refuse others.
    ///
    /// ```
    /// # use wasm_workflows_sdk::prelude::*;
    /// #[derive(serde::Deserialize)]
    /// struct Inputs {
    ///     text: String,
    ///     #[serde(default)]
    ///     width: Option<u32>,
    /// }
    /// let invocation = PluginInvocation::new("wf").with_parameter("text", "hi").with_parameter("width", "12");
    /// let inputs: Inputs = invocation.parameters_into()?;
    /// assert_eq!((inputs.text.as_str(), inputs.width), ("hi", Some(12)));
    /// # Ok::<(), wasm_workflows_sdk::Error>(())
    /// ```
    pub fn parameters_into<T: DeserializeOwned>(&self) -> Result<T> {
        all_into(&self.parameters, ParameterKind::Parameter)
    }

    /// The raw value of parameter `name`, if given.
    pub fn parameter_value(&self, name: &str) -> Option<&Value> {
        find(&self.parameters, name)
    }

    /// Fails naming the first parameter not in `accepted`.
    pub fn check_parameters(&self, accepted: &[&str]) -> Result<()> {
        check_known(&self.parameters, ParameterKind::Parameter, accepted)
    }

    /// The required plugin option `name`, as a `T`.
    pub fn plugin_option<T: DeserializeOwned>(&self, name: &str) -> Result<T> {
        required(&self.plugin_options, ParameterKind::PluginOption, name)
    }

    /// The plugin option `name` as a `T`, or `None` if it is not given.
    pub fn plugin_option_opt<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>> {
        optional(&self.plugin_options, ParameterKind::PluginOption, name)
    }

    /// The plugin option `name` as a `T`, or `default` if it is not given.
    pub fn plugin_option_or<T: DeserializeOwned>(&self, name: &str, default: impl IntoDefault<T>) -> Result<T> {
        Ok(self.plugin_option_opt(name)?.unwrap_or_else(|| default.into_default()))
    }

    /// All plugin options as one `T` (see [`parameters_into`](Self::parameters_into)).
    pub fn plugin_options_into<T: DeserializeOwned>(&self) -> Result<T> {
        all_into(&self.plugin_options, ParameterKind::PluginOption)
    }

    /// Fails naming the first plugin option not in `accepted`.
    pub fn check_plugin_options(&self, accepted: &[&str]) -> Result<()> {
        check_known(&self.plugin_options, ParameterKind::PluginOption, accepted)
    }
}
