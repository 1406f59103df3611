//! `#[workflow_step]`: turns a step function into a module's `main`.
//!
//! The function is emitted unchanged; beside it comes a `main` that calls
//! `wasm_workflows_sdk::runtime::execute`, where all the logic lives. The
//! compiler checks the signature through a typed binding, so a wrong
//! argument or return type is reported at the offending token.

use proc_macro::TokenStream;
use proc_macro2::{Ident, Span, TokenStream as TokenStream2};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, ItemFn, ReturnType};

/// Makes `fn run(invocation: PluginInvocation) -> anyhow::Result<PluginResult>`
/// the module's step: its `main` reads `/work/input.json`, calls it, and
/// writes `/work/result.json`, reporting every failure as a `Failed` result.
///
/// The function may return `anyhow::Result<PluginResult>`, any
/// `Result<PluginResult, E>` whose `E` converts into `anyhow::Error`, or a
/// plain `PluginResult`. It must not be `async` or generic, and takes exactly
/// one argument.
#[proc_macro_attribute]
pub fn workflow_step(args: TokenStream, item: TokenStream) -> TokenStream {
    let args = TokenStream2::from(args);
    let function = match syn::parse::<ItemFn>(item.clone()) {
        Ok(function) => function,
        Err(error) => {
            let error = syn::Error::new(
                error.span(),
                "#[workflow_step] goes on a function: `fn run(invocation: PluginInvocation) -> anyhow::Result<PluginResult>`",
            );
            let mut tokens = TokenStream2::from(item);
            tokens.extend(error.into_compile_error());
            return tokens.into();
        }
    };
    // On a misuse, the error comes with an empty `main`, so that it is the
    // only error the author sees.
    let glue = expand(args, &function).unwrap_or_else(|error| {
        let error = error.into_compile_error();
        quote!(#error fn main() {})
    });
    quote!(#function #glue).into()
}

fn expand(args: TokenStream2, function: &ItemFn) -> syn::Result<TokenStream2> {
    let signature = &function.sig;
    if !args.is_empty() {
        return Err(syn::Error::new_spanned(args, "#[workflow_step] takes no arguments"));
    }
    if let Some(asyncness) = &signature.asyncness {
        return Err(syn::Error::new_spanned(
            asyncness,
            "a workflow step cannot be `async`: the host calls it once and waits for its result",
        ));
    }
    if !signature.generics.params.is_empty() || signature.generics.where_clause.is_some() {
        return Err(syn::Error::new_spanned(&signature.generics, "a workflow step cannot be generic"));
    }
    let argument_type = match signature.inputs.iter().collect::<Vec<_>>().as_slice() {
        [FnArg::Typed(argument)] => &argument.ty,
        [FnArg::Receiver(receiver)] => {
            return Err(syn::Error::new_spanned(receiver, "a workflow step is a free function, not a method"));
        }
        [] => {
            return Err(syn::Error::new(
                signature.paren_token.span.join(),
                "a workflow step takes one argument: `invocation: PluginInvocation`",
            ));
        }
        [_, extra @ ..] => {
            let mut extra_tokens = TokenStream2::new();
            extra.iter().for_each(|arg| arg.to_tokens(&mut extra_tokens));
            return Err(syn::Error::new_spanned(
                extra_tokens,
                "a workflow step takes one argument, `invocation: PluginInvocation`; read everything else from it",
            ));
        }
    };
    let return_type = match &signature.output {
        ReturnType::Type(_, ty) => ty,
        ReturnType::Default => {
            return Err(syn::Error::new(
                signature.paren_token.span.close(),
                "a workflow step must return `anyhow::Result<PluginResult>` or `PluginResult`",
            ));
        }
    };

    // The name, spanned at the argument type: a wrong argument type is
    // reported there. The turbofish carries the return type's span: a return
    // type that is no step result is reported there.
    let name = Ident::new(&signature.ident.to_string(), argument_type.span());
    let step = Ident::new("step", Span::mixed_site());
    let execute = quote_spanned!(return_type.span()=> ::wasm_workflows_sdk::runtime::execute::<#return_type>);
    Ok(quote! {
        fn main() {
            let #step: fn(::wasm_workflows_sdk::protocol::PluginInvocation) -> #return_type = #name;
            #execute(#step)
        }
    })
}
