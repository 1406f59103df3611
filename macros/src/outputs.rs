//! `#[derive(IntoResult)]`: each field added by the SDK's
//! `__private::output` (a parameter of any `Serialize` type) or
//! `output_artifact`, with the field's type named at its span.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::attributes::{self, Place};

pub(crate) fn derive(input: &syn::DeriveInput) -> syn::Result<TokenStream> {
    let fields = attributes::named_fields(input, "IntoResult")?;
    let container = attributes::parse(&input.attrs, Place::OutputStruct)?;
    let private = quote!(::wasm_workflows_sdk::__private);
    let mut message = container.message.flatten().map(|text| quote!(#text));
    let mut outputs = Vec::new();
    for field in fields {
        let attributes = attributes::parse(&field.attrs, Place::OutputField)?;
        let ident = field.ident.as_ref().expect("named fields have identifiers");
        if attributes.message.is_some() {
            if message.is_some() {
                return Err(syn::Error::new_spanned(
                    ident,
                    "the message is given twice: on the struct, or on one field",
                ));
            }
            message = Some(quote_spanned!(field.ty.span()=> self.#ident));
            continue;
        }
        let name = attributes::name_of(field, &attributes);
        let ty = &field.ty;
        if attributes.artifact || attributes::is_spelled(ty, &["OutputArtifact", "ArtifactRef"]) {
            if attributes.rename.is_some() {
                return Err(syn::Error::new_spanned(
                    ident,
                    "an output artifact keeps the name it was created with (`OutputArtifact::create(name, path)`): no `rename`",
                ));
            }
            outputs.push(quote_spanned!(ty.span()=> #private::output_artifact::<#ty>(&mut result, self.#ident)?;));
            continue;
        }
        outputs.push(quote_spanned!(ty.span()=> #private::output::<#ty>(&mut result, #name, self.#ident)?;));
    }
    let message = message.unwrap_or_else(|| quote!(""));
    let ident = &input.ident;
    let (impl_generics, type_generics, where_clause) = input.generics.split_for_impl();
    Ok(quote! {
        impl #impl_generics #private::IntoResult for #ident #type_generics #where_clause {
            fn into_result(self) -> #private::Result<#private::PluginResult> {
                let mut result = #private::PluginResult::succeeded(#message);
                #(#outputs)*
                ::core::result::Result::Ok(result)
            }
        }
    })
}
