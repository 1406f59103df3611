//! The macros of `wasm-workflows-sdk`: `#[workflow_step]`, which turns a
//! step function into a module's `main`, and the derives of typed inputs
//! and outputs. Each is glue: the expansion calls the SDK, where all the
//! logic lives, and lets the compiler check types at the user's tokens.

mod attributes;
mod inputs;
mod outputs;
mod step;

use proc_macro::TokenStream;

/// Makes a step function the module's step: its `main` reads
/// `/work/input.json`, builds the function's input, calls it, and writes
/// `/work/result.json`, reporting every failure as a `Failed` result.
///
/// The function takes one argument, a `PluginInvocation` or any type that
/// implements `FromInvocation` (`#[derive(FromInvocation)]`), and returns
/// `anyhow::Result<T>`, any `Result<T, E>` whose `E` converts into
/// `anyhow::Error`, or a plain `T`, where `T` is a `PluginResult` or any type
/// that implements `IntoResult` (`#[derive(IntoResult)]`). It must not be
/// `async` or generic, nor be called `main`.
#[proc_macro_attribute]
pub fn workflow_step(args: TokenStream, item: TokenStream) -> TokenStream {
    step::workflow_step(args.into(), item.into()).into()
}

/// Implements `FromInvocation` for a struct whose fields are the step's
/// parameters, plugin options and input artifacts (see the SDK's `typed`
/// module for the attributes).
#[proc_macro_derive(FromInvocation, attributes(step))]
pub fn derive_from_invocation(item: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(item as syn::DeriveInput);
    inputs::derive(&input).unwrap_or_else(syn::Error::into_compile_error).into()
}

/// Implements `IntoResult` for a struct whose fields are the step's output
/// parameters and artifacts (see the SDK's `typed` module for the attributes).
#[proc_macro_derive(IntoResult, attributes(step))]
pub fn derive_into_result(item: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(item as syn::DeriveInput);
    outputs::derive(&input).unwrap_or_else(syn::Error::into_compile_error).into()
}
