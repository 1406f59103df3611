//! The `#[step(...)]` attributes of the derives, parsed once into plain
//! values; a key that does not belong where it is written is an error at it.

use syn::spanned::Spanned;
use syn::{Attribute, Expr, LitStr};

/// The keys of `#[step(...)]` on one struct or field.
#[derive(Default)]
pub(crate) struct StepAttributes {
    /// `rename = "name"`: the name in the invocation or the result.
    pub(crate) rename: Option<LitStr>,
    /// `default` (None inside) or `default = value`.
    pub(crate) default: Option<Option<Expr>>,
    /// `plugin_option`: read from the plugin options.
    pub(crate) plugin_option: bool,
    /// `workflow_name`: the workflow's name.
    pub(crate) workflow_name: bool,
    /// `artifact` (a field): an artifact whatever its type is called.
    pub(crate) artifact: bool,
    /// `allow_unknown` (a struct): accept parameters no field names.
    pub(crate) allow_unknown: bool,
    /// `message` (a field) or `message = "text"` (a struct).
    pub(crate) message: Option<Option<Expr>>,
}

/// Where an attribute is written, which decides the keys it may have.
#[derive(Clone, Copy)]
pub(crate) enum Place {
    InputStruct,
    InputField,
    OutputStruct,
    OutputField,
}

impl Place {
    fn allows(self, key: &str) -> bool {
        let allowed: &[&str] = match self {
            Place::InputStruct => &["allow_unknown"],
            Place::InputField => &["rename", "default", "plugin_option", "workflow_name", "artifact"],
            Place::OutputStruct => &["message"],
            Place::OutputField => &["rename", "message", "artifact"],
        };
        allowed.contains(&key)
    }

    fn keys(self) -> &'static str {
        match self {
            Place::InputStruct => "`allow_unknown`",
            Place::InputField => {
                "`rename = \"name\"`, `default`, `default = value`, `plugin_option`, `workflow_name`, `artifact`"
            }
            Place::OutputStruct => "`message = \"text\"`",
            Place::OutputField => "`rename = \"name\"`, `message`, `artifact`",
        }
    }
}

pub(crate) fn parse(attributes: &[Attribute], place: Place) -> syn::Result<StepAttributes> {
    let mut parsed = StepAttributes::default();
    for attribute in attributes.iter().filter(|a| a.path().is_ident("step")) {
        attribute.parse_nested_meta(|meta| {
            let key = meta.path.get_ident().map(ToString::to_string).unwrap_or_default();
            if !place.allows(&key) {
                return Err(meta.error(format!("unknown key here; #[step(...)] takes {}", place.keys())));
            }
            match key.as_str() {
                "rename" => parsed.rename = Some(meta.value()?.parse()?),
                "default" => {
                    parsed.default =
                        Some(if meta.input.peek(syn::Token![=]) { Some(meta.value()?.parse()?) } else { None })
                }
                "message" => {
                    parsed.message =
                        Some(if meta.input.peek(syn::Token![=]) { Some(meta.value()?.parse()?) } else { None })
                }
                "plugin_option" => parsed.plugin_option = true,
                "workflow_name" => parsed.workflow_name = true,
                "artifact" => parsed.artifact = true,
                "allow_unknown" => parsed.allow_unknown = true,
                _ => unreachable!("every allowed key is matched"),
            }
            Ok(())
        })?;
    }
    if let (Place::OutputStruct, Some(None)) = (place, &parsed.message) {
        let at = attributes
            .iter()
            .find(|a| a.path().is_ident("step"))
            .map_or_else(proc_macro2::Span::call_site, |a| a.span());
        return Err(syn::Error::new(at, "on a struct, `message` takes the text: `#[step(message = \"done\")]`"));
    }
    Ok(parsed)
}

/// The named fields of a struct, or an error that says what the derive needs.
pub(crate) fn named_fields<'a>(
    input: &'a syn::DeriveInput,
    derive: &str,
) -> syn::Result<&'a syn::punctuated::Punctuated<syn::Field, syn::Token![,]>> {
    match &input.data {
        syn::Data::Struct(syn::DataStruct { fields: syn::Fields::Named(fields), .. }) => Ok(&fields.named),
        syn::Data::Struct(syn::DataStruct { fields: syn::Fields::Unit, .. }) => Err(syn::Error::new_spanned(
            &input.ident,
            format!(
                "#[derive({derive})] needs a struct with named fields, one per parameter or artifact (`struct Inputs {{}}` for none)"
            ),
        )),
        syn::Data::Struct(syn::DataStruct { fields, .. }) => Err(syn::Error::new_spanned(
            fields,
            format!("#[derive({derive})] needs named fields: each field's name is a parameter's or an artifact's"),
        )),
        syn::Data::Enum(data) => Err(syn::Error::new_spanned(
            data.enum_token,
            format!("#[derive({derive})] goes on a struct with named fields, not an enum"),
        )),
        syn::Data::Union(data) => Err(syn::Error::new_spanned(
            data.union_token,
            format!("#[derive({derive})] goes on a struct with named fields, not a union"),
        )),
    }
}

/// The name a field has in the invocation or the result: its `rename`, or
/// its identifier without `r#`.
pub(crate) fn name_of(field: &syn::Field, attributes: &StepAttributes) -> LitStr {
    match &attributes.rename {
        Some(name) => name.clone(),
        None => {
            let ident = field.ident.as_ref().expect("named fields have identifiers");
            let text = ident.to_string();
            LitStr::new(text.strip_prefix("r#").unwrap_or(&text), ident.span())
        }
    }
}

/// Whether `ty` is spelled as one of `names` (its last path segment), or as
/// an `Option` of one: how a field is seen to be an artifact without an
/// `artifact` key. The compiler then checks the type through the SDK's
/// artifact traits, so the name only chooses which check applies.
pub(crate) fn is_spelled(ty: &syn::Type, names: &[&str]) -> bool {
    let syn::Type::Path(path) = ty else { return false };
    let Some(last) = path.path.segments.last() else { return false };
    if names.iter().any(|name| last.ident == name) {
        return true;
    }
    match &last.arguments {
        syn::PathArguments::AngleBracketed(arguments) if last.ident == "Option" && arguments.args.len() == 1 => {
            matches!(&arguments.args[0], syn::GenericArgument::Type(inner) if is_spelled(inner, names))
        }
        _ => false,
    }
}
