//! `#[derive(FromInvocation)]`: each field read by the SDK's
//! `__private::required` or `or_else` (a parameter of any `Deserialize`
//! type) or `artifact` (an input artifact), with the field's type named at
//! its span so that the compiler reports a type that cannot be one there.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::attributes::{self, Place};

pub(crate) fn derive(input: &syn::DeriveInput) -> syn::Result<TokenStream> {
    let fields = attributes::named_fields(input, "FromInvocation")?;
    let container = attributes::parse(&input.attrs, Place::InputStruct)?;
    let private = quote!(::wasm_workflows_sdk::__private);
    let mut initializers = Vec::new();
    let (mut parameters, mut plugin_options) = (Vec::new(), Vec::new());
    for field in fields {
        let attributes = attributes::parse(&field.attrs, Place::InputField)?;
        let ident = field.ident.as_ref().expect("named fields have identifiers");
        let ty = &field.ty;
        if attributes.workflow_name {
            if attributes.rename.is_some() || attributes.default.is_some() || attributes.plugin_option {
                return Err(syn::Error::new_spanned(ident, "`workflow_name` takes no other keys"));
            }
            initializers.push(
                quote_spanned!(ty.span()=> #ident: ::core::convert::From::from(invocation.workflow_name.as_str())),
            );
            continue;
        }
        let name = attributes::name_of(field, &attributes);
        if attributes.artifact || attributes::is_spelled(ty, &["InputArtifact"]) {
            if attributes.default.is_some() || attributes.plugin_option {
                return Err(syn::Error::new_spanned(
                    ident,
                    "an input artifact takes no `default` or `plugin_option`: make it an `Option<InputArtifact>` if it may be absent",
                ));
            }
            initializers.push(quote_spanned!(ty.span()=> #ident: #private::artifact::<#ty>(&invocation, #name)?));
            continue;
        }
        let kind = if attributes.plugin_option {
            quote!(#private::ParameterKind::PluginOption)
        } else {
            quote!(#private::ParameterKind::Parameter)
        };
        let read = match &attributes.default {
            None => quote_spanned!(ty.span()=> #private::required::<#ty>(&invocation, #kind, #name)?),
            Some(None) => {
                quote_spanned!(ty.span()=> #private::or_else::<#ty>(&invocation, #kind, #name, ::core::default::Default::default)?)
            }
            Some(Some(value)) => quote_spanned!(value.span()=>
                #private::or_else::<#ty>(&invocation, #kind, #name, || #private::IntoDefault::<#ty>::into_default(#value))?
            ),
        };
        initializers.push(quote!(#ident: #read));
        if attributes.plugin_option { plugin_options.push(name) } else { parameters.push(name) }
    }
    let check = if container.allow_unknown {
        quote!()
    } else {
        quote!(#private::check_known(&invocation, &[#(#parameters),*], &[#(#plugin_options),*])?;)
    };
    let ident = &input.ident;
    let (impl_generics, type_generics, where_clause) = input.generics.split_for_impl();
    Ok(quote! {
        impl #impl_generics #private::FromInvocation for #ident #type_generics #where_clause {
            fn from_invocation(invocation: #private::PluginInvocation) -> #private::Result<Self> {
                #check
                ::core::result::Result::Ok(Self { #(#initializers),* })
            }
        }
    })
}
