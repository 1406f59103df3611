//! `#[workflow_step]`: the function is emitted unchanged; beside it comes a
//! `main` that calls `wasm_workflows_sdk::runtime::execute`, where all the
//! logic lives. The argument and return types are named in the call, at the
//! user's tokens, so a type that is not a step input or result is reported
//! there.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, ItemFn, ReturnType};

const SIGNATURE: &str = "fn run(inputs: Inputs) -> anyhow::Result<Outputs>";

pub(crate) fn workflow_step(args: TokenStream, item: TokenStream) -> TokenStream {
    let function = match syn::parse2::<ItemFn>(item.clone()) {
        Ok(function) => function,
        Err(error) => {
            let error = syn::Error::new(error.span(), format!("#[workflow_step] goes on a function: `{SIGNATURE}`"));
            let mut tokens = item;
            tokens.extend(error.into_compile_error());
            return tokens;
        }
    };
    match expand(args, &function) {
        Ok(glue) => quote!(#function #glue),
        // On a misuse, the error comes with an empty `main`, so that it is
        // the only error the author sees (a function called `main` is kept
        // under another name for that).
        Err(error) => {
            let error = error.into_compile_error();
            let mut function = function;
            if function.sig.ident == "main" {
                function.sig.ident = syn::Ident::new("__workflow_step_named_main", function.sig.ident.span());
                function.attrs.push(syn::parse_quote!(#[allow(dead_code)]));
            }
            quote!(#function #error fn main() {})
        }
    }
}

fn expand(args: TokenStream, function: &ItemFn) -> syn::Result<TokenStream> {
    let signature = &function.sig;
    if !args.is_empty() {
        return Err(syn::Error::new_spanned(args, "#[workflow_step] takes no arguments"));
    }
    if signature.ident == "main" {
        return Err(syn::Error::new_spanned(
            &signature.ident,
            "a workflow step cannot be called `main`: #[workflow_step] writes the module's `main`, which calls the \
             step; call it `run`",
        ));
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
                "a workflow step takes one argument: its inputs (`inputs: Inputs`, a struct with \
                 #[derive(FromInvocation)], or `invocation: PluginInvocation`)",
            ));
        }
        [_, extra @ ..] => {
            let mut extra_tokens = TokenStream::new();
            extra.iter().for_each(|arg| arg.to_tokens(&mut extra_tokens));
            return Err(syn::Error::new_spanned(
                extra_tokens,
                "a workflow step takes one argument; put every input in one struct with #[derive(FromInvocation)] \
                 (or take `invocation: PluginInvocation` and read everything from it)",
            ));
        }
    };
    let return_type = match &signature.output {
        ReturnType::Type(_, ty) => ty,
        ReturnType::Default => {
            return Err(syn::Error::new(
                signature.paren_token.span.close(),
                "a workflow step must return its outputs: `anyhow::Result<Outputs>` (a struct with \
                 #[derive(IntoResult)]) or `anyhow::Result<PluginResult>`",
            ));
        }
    };

    let name = &signature.ident;
    // Each type argument keeps its own span: a bound it does not meet is
    // reported at the user's type.
    let input = quote_spanned!(argument_type.span()=> #argument_type);
    let output = quote_spanned!(return_type.span()=> #return_type);
    Ok(quote! {
        fn main() {
            ::wasm_workflows_sdk::runtime::execute::<#input, #output>(#name)
        }
    })
}
