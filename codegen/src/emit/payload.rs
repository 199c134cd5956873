//! Model → Rust for payloads: one struct per shape (a key-to-field table for the crate's one
//! decoder, `wire::Shape`, that keeps unknown keys without `#[serde(flatten)]`'s buffering,
//! and a hand-rolled `Serialize`), one enum per enum, and `Event`.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::rust::{doc, WireEnum, WireVariant};
use crate::model::{CarriedBy, Event, Field, Platform, Scalar, Shape, Type};

fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// The Rust type of a catalog type.
pub(super) fn rust_type(platform: &Platform, ty: &Type) -> TokenStream {
    match ty {
        Type::Scalar(scalar) => match scalar {
            Scalar::String => quote! { ::commerce_webhooks::Text },
            Scalar::Bool => quote! { bool },
            Scalar::Int => quote! { i64 },
            Scalar::Uint => quote! { u64 },
            Scalar::Number => quote! { ::commerce_webhooks::wire::serde_json::Number },
            Scalar::Money => quote! { ::commerce_webhooks::Money },
            Scalar::Timestamp => quote! { ::commerce_webhooks::Timestamp },
            Scalar::StringOrNumber => quote! { ::commerce_webhooks::StringOrNumber },
            Scalar::Id => quote! { ::commerce_webhooks::Id },
            Scalar::Json => quote! { ::commerce_webhooks::wire::serde_json::Value },
        },
        Type::Array(item) => {
            let item = rust_type(platform, item);
            quote! { ::std::vec::Vec<#item> }
        }
        Type::Map(value) => {
            let value = rust_type(platform, value);
            quote! { ::std::collections::BTreeMap<::std::string::String, #value> }
        }
        Type::Shape(index, arg) => {
            let name = ident(&platform.shapes[*index].name);
            match arg {
                Some(arg) => {
                    let arg = rust_type(platform, arg);
                    quote! { #name<#arg> }
                }
                None => quote! { #name },
            }
        }
        Type::Enum(index) => {
            let name = ident(&platform.enums[*index].name);
            quote! { #name }
        }
        Type::Param => quote! { P },
    }
}

/// The field's declared Rust type: a tolerant field is always the four-state [`Field`]; a
/// strict one is the type itself, in an `Option` or the `Field` only where absent or null can
/// happen.
fn field_type(platform: &Platform, field: &Field) -> TokenStream {
    let ty = rust_type(platform, &field.ty);
    if field.strict.is_none() {
        return quote! { ::commerce_webhooks::Field<#ty> };
    }
    match (field.absent, field.null) {
        (false, false) => ty,
        (true, false) | (false, true) => quote! { ::std::option::Option<#ty> },
        (true, true) => quote! { ::commerce_webhooks::Field<#ty> },
    }
}

fn field_docs(platform: &Platform, field: &Field) -> TokenStream {
    let presence = match (field.absent, field.null) {
        (false, false) => "documented as always present",
        (true, false) => "may be absent, never null",
        (false, true) => "always present, may be null",
        (true, true) => "may be absent or null",
    };
    let mut text = format!("`{}`: `{}`, {presence}.", field.key, platform.type_name(&field.ty));
    if let Some(reason) = &field.strict {
        text += &format!(" Strict ({reason}): a value that does not fit fails the payload.");
    }
    match (&field.description, &field.undocumented) {
        (Some(description), _) => text += &format!("\n\n{description}"),
        (None, Some(searched)) => {
            text += &format!("\n\nNo public document of the platform describes this field (searched: {searched}).")
        }
        (None, None) => {}
    }
    doc(&text)
}

/// A struct for one shape, with its serde impls.
pub(super) fn shape(platform: &Platform, shape: &Shape) -> TokenStream {
    let name = ident(&shape.name);
    let mut summary = shape.description.clone().unwrap_or_else(|| format!("The `{}` payload shape.", shape.name));
    if let Some(source) = &shape.source {
        summary += &format!("\n\nFields documented at <{source}>.");
    }
    for reference in &shape.references {
        summary += &format!("\n\nField descriptions also from <{reference}>.");
    }
    let docs = doc(&summary);
    let (generics, impl_generics, de_generics, ser_generics) = if shape.generic {
        (
            quote! { <P> },
            quote! { <P: ::commerce_webhooks::wire::Decode> },
            quote! { <'de, P: ::commerce_webhooks::wire::Decode> },
            quote! { <P: ::commerce_webhooks::wire::serde::Serialize> },
        )
    } else {
        (quote! {}, quote! {}, quote! { <'de> }, quote! {})
    };
    let fields = shape.fields.iter().map(|field| {
        let docs = field_docs(platform, field);
        let field_ident = ident(&field.ident);
        let ty = field_type(platform, field);
        quote! { #docs pub #field_ident: #ty, }
    });
    // Strict fields are numbered in catalog order; `Shape::strict` reads them by number.
    let strict: Vec<&Field> = shape.fields.iter().filter(|field| field.strict.is_some()).collect();
    let blanks = shape.fields.iter().map(|field| {
        let name = ident(&field.ident);
        let value = match (&field.strict, field.absent, field.null) {
            (None, _, _) | (Some(_), true, true) => quote! { ::commerce_webhooks::Field::Absent },
            (Some(_), false, false) => quote! { ::commerce_webhooks::wire::Placeholder::placeholder() },
            (Some(_), _, _) => quote! { ::std::option::Option::None },
        };
        quote! { #name: #value, }
    });
    let targets = shape.fields.iter().filter(|field| field.strict.is_none()).map(|field| {
        let (name, key) = (ident(&field.ident), &field.key);
        quote! { #key => ::std::option::Option::Some(&mut self.#name), }
    });
    let strict_methods = if strict.is_empty() {
        TokenStream::new()
    } else {
        let arms = strict.iter().enumerate().map(|(index, field)| {
            let name = ident(&field.ident);
            let ty = rust_type(platform, &field.ty);
            let read = quote! { ::commerce_webhooks::wire::read_strict::<#ty>(read)? };
            let value = match (field.absent, field.null) {
                (false, false) => quote! { ::commerce_webhooks::wire::strict_value(#read)? },
                (true, false) => {
                    quote! { ::std::option::Option::Some(::commerce_webhooks::wire::strict_value(#read)?) }
                }
                (false, true) => quote! { ::commerce_webhooks::wire::strict_nullable(#read)? },
                (true, true) => quote! { ::commerce_webhooks::wire::strict_field(#read)? },
            };
            quote! { #index => self.#name = #value, }
        });
        let required = strict.iter().enumerate().filter(|(_, field)| !field.absent).map(|(index, field)| {
            let key = &field.key;
            quote! { (#index, #key), }
        });
        let indexes = strict.iter().enumerate().map(|(index, field)| {
            let key = &field.key;
            quote! { #key => ::std::option::Option::Some(#index), }
        });
        quote! {
            fn strict_index(&self, key: &str) -> ::std::option::Option<usize> {
                match key {
                    #(#indexes)*
                    _ => ::std::option::Option::None,
                }
            }

            fn strict(
                &mut self,
                index: usize,
                read: &mut dyn ::std::ops::FnMut(&mut dyn ::commerce_webhooks::wire::Sink) -> ::std::result::Result<(), ::commerce_webhooks::wire::Failed>,
            ) -> ::std::result::Result<(), ::commerce_webhooks::wire::Failed> {
                match index {
                    #(#arms)*
                    _ => return ::std::result::Result::Err(::commerce_webhooks::wire::no_strict_field()),
                }
                ::std::result::Result::Ok(())
            }

            fn finish(&self, seen: u64) -> ::std::result::Result<(), ::commerce_webhooks::wire::Failed> {
                ::commerce_webhooks::wire::require(seen, &[#(#required)*])
            }
        }
    };
    let writes = shape.fields.iter().map(|field| {
        let (field_ident, key) = (ident(&field.ident), &field.key);
        match (&field.strict, field.absent, field.null) {
            (None, _, _) | (Some(_), true, true) => quote! {
                if !self.#field_ident.is_absent() {
                    map.serialize_entry(#key, &self.#field_ident)?;
                }
            },
            (Some(_), true, false) => quote! {
                if let ::std::option::Option::Some(value) = &self.#field_ident {
                    map.serialize_entry(#key, value)?;
                }
            },
            (Some(_), false, _) => quote! { map.serialize_entry(#key, &self.#field_ident)?; },
        }
    });
    let expecting = format!("a `{}` object", shape.name);
    let expecting_array = format!("an array of `{}` objects", shape.name);
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq)]
        pub struct #name #generics {
            #(#fields)*
            /// Keys the catalog does not list, kept as received so that re-encoding is lossless.
            pub extra: ::commerce_webhooks::Extra,
        }

        impl #de_generics ::commerce_webhooks::wire::serde::Deserialize<'de> for #name #generics {
            fn deserialize<D: ::commerce_webhooks::wire::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                ::commerce_webhooks::wire::deserialize(deserializer)
            }
        }

        impl #impl_generics ::commerce_webhooks::wire::Decode for #name #generics {
            const EXPECTED: &'static str = #expecting;
            const EXPECTED_ARRAY: &'static str = #expecting_array;
            fn decode_map(
                field: &mut ::commerce_webhooks::Field<Self>,
                map: &mut dyn ::commerce_webhooks::wire::MapIn<'_>,
            ) -> ::std::result::Result<(), ::commerce_webhooks::wire::Failed> {
                ::commerce_webhooks::wire::shape_into(field, map)
            }
        }

        impl #impl_generics ::commerce_webhooks::wire::Shape for #name #generics {
            fn blank() -> Self {
                Self { #(#blanks)* extra: ::commerce_webhooks::Extra::new() }
            }

            fn field(&mut self, key: &str) -> ::std::option::Option<&mut dyn ::commerce_webhooks::wire::Sink> {
                match key {
                    #(#targets)*
                    _ => ::std::option::Option::None,
                }
            }

            fn extra(&mut self) -> &mut ::commerce_webhooks::Extra {
                &mut self.extra
            }

            #strict_methods
        }

        impl #ser_generics ::commerce_webhooks::wire::serde::Serialize for #name #generics {
            fn serialize<S: ::commerce_webhooks::wire::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                use ::commerce_webhooks::wire::serde::ser::SerializeMap;
                let mut map = serializer.serialize_map(::std::option::Option::None)?;
                #(#writes)*
                for (key, value) in &self.extra {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    }
}

/// An enum of documented integer codes (serde as the integer), with the `Unknown` fallback.
fn coded_enum(enum_type: &crate::model::EnumType) -> TokenStream {
    let mut summary = enum_type.description.clone().unwrap_or_else(|| format!("The `{}` codes.", enum_type.name));
    if let Some(source) = &enum_type.source {
        summary += &format!("\n\nCodes documented at <{source}>.");
    }
    summary += "\n\nSent as the integer; a code the catalog does not list is kept as `Unknown`, never an error.";
    let docs = doc(&summary);
    let name = ident(&enum_type.name);
    let variants = enum_type.codes.iter().map(|(code, documented, variant)| {
        let docs = doc(&format!("`{code}`: {documented}."));
        let variant = ident(variant);
        quote! { #docs #variant, }
    });
    let from = enum_type.codes.iter().map(|(code, _, variant)| {
        let variant = ident(variant);
        quote! { #code => Self::#variant, }
    });
    let to = enum_type.codes.iter().map(|(code, _, variant)| {
        let variant = ident(variant);
        quote! { Self::#variant => #code, }
    });
    let names = enum_type.codes.iter().map(|(_, documented, variant)| {
        let variant = ident(variant);
        quote! { Self::#variant => ::std::option::Option::Some(#documented), }
    });
    let expected = format!("a `{}` code (an integer)", enum_type.name);
    let expected_array = format!("an array of `{}` codes", enum_type.name);
    quote! {
        #docs
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A code the catalog does not list, kept as sent.
            Unknown(u64),
        }

        impl #name {
            /// The variant for `code`.
            pub const fn from_code(code: u64) -> Self {
                match code {
                    #(#from)*
                    other => Self::Unknown(other),
                }
            }

            /// The code, as sent.
            pub const fn code(&self) -> u64 {
                match self {
                    #(#to)*
                    Self::Unknown(code) => *code,
                }
            }

            /// The documented name of the code; `None` for an unknown one.
            pub const fn name(&self) -> ::std::option::Option<&'static str> {
                match self {
                    #(#names)*
                    Self::Unknown(_) => ::std::option::Option::None,
                }
            }
        }

        impl ::commerce_webhooks::wire::serde::Serialize for #name {
            fn serialize<S: ::commerce_webhooks::wire::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_u64(self.code())
            }
        }

        impl<'de> ::commerce_webhooks::wire::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::commerce_webhooks::wire::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                <u64 as ::commerce_webhooks::wire::serde::Deserialize>::deserialize(deserializer).map(Self::from_code)
            }
        }

        ::commerce_webhooks::decode_code! { #name: #expected, #expected_array; }
    }
}

/// An enum of documented string values (or integer codes), with the `Unknown` fallback.
pub(super) fn enum_type(enum_type: &crate::model::EnumType) -> TokenStream {
    if !enum_type.codes.is_empty() {
        return coded_enum(enum_type);
    }
    let mut summary = enum_type.description.clone().unwrap_or_else(|| format!("The `{}` values.", enum_type.name));
    if let Some(source) = &enum_type.source {
        summary += &format!("\n\nValues documented at <{source}>.");
    }
    summary += "\n\nA value the catalog does not list is kept as `Unknown`, never an error.";
    let name = ident(&enum_type.name);
    let wire = WireEnum {
        name: &enum_type.name,
        summary,
        variants: enum_type
            .values
            .iter()
            .map(|(wire, variant)| WireVariant {
                ident: variant.clone(),
                wire: wire.clone(),
                docs: format!("`{wire}`"),
                template: None,
            })
            .collect(),
    }
    .tokens();
    let expected = format!("a `{}` value (a string)", enum_type.name);
    let expected_array = format!("an array of `{}` values", enum_type.name);
    quote! {
        #wire
        ::commerce_webhooks::decode_name! { #name: #expected, #expected_array; }
    }
}

/// What a topic's variant holds.
fn payload_type(platform: &Platform, event: &Event) -> TokenStream {
    let ty = match &event.payload {
        Some(ty) => rust_type(platform, ty),
        None => quote! { ::commerce_webhooks::wire::serde_json::Value },
    };
    if event.payload_null {
        quote! { ::std::option::Option<::std::boxed::Box<#ty>> }
    } else {
        quote! { ::std::boxed::Box<#ty> }
    }
}

/// `Event`: one variant per topic, decoding from a delivery and encoding back to the body.
pub(super) fn event_enum(platform: &Platform) -> TokenStream {
    let variants = platform.events.iter().map(|event| {
        let variant = ident(&event.ident);
        let ty = payload_type(platform, event);
        let payload = match &event.payload {
            Some(ty) => format!("payload `{}`", platform.type_name(ty)),
            None => "no payload shape in the catalog yet: any JSON".into(),
        };
        let null = if event.payload_null { ", or `null`" } else { "" };
        if event.template.is_some() {
            let docs = doc(&format!("`{}`: the topic as received, then the {payload}{null}.", event.topic));
            quote! { #docs #variant(::commerce_webhooks::TemplateTopic, #ty), }
        } else {
            let docs = doc(&format!("`{}`: {payload}{null}.", event.topic));
            quote! { #docs #variant(#ty), }
        }
    });
    let decode_arms = platform.events.iter().map(|event| {
        let variant = ident(&event.ident);
        // A shape is read in place, into its box; any other payload (a list, any JSON) is
        // decoded, then boxed.
        let shape = matches!(event.payload, Some(Type::Shape(..)));
        let decode = match (event.payload_null, shape) {
            (true, true) => quote! { ::commerce_webhooks::wire::decode_nullable_shape(body)? },
            (true, false) => quote! { ::commerce_webhooks::wire::decode_nullable(body)? },
            (false, true) => quote! { ::commerce_webhooks::wire::decode_shape(body)? },
            (false, false) => quote! { ::commerce_webhooks::wire::decode_boxed(body)? },
        };
        if event.template.is_some() {
            quote! { Topic::#variant(topic) => Self::#variant(topic, #decode), }
        } else {
            quote! { Topic::#variant => Self::#variant(#decode), }
        }
    });
    let topic_arms = platform.events.iter().map(|event| {
        let variant = ident(&event.ident);
        if event.template.is_some() {
            quote! { Self::#variant(topic, _) => Topic::#variant(topic.clone()), }
        } else {
            quote! { Self::#variant(_) => Topic::#variant, }
        }
    });
    let serialize_arms = platform.events.iter().map(|event| {
        let variant = ident(&event.ident);
        if event.template.is_some() {
            quote! { Self::#variant(_, payload) => payload.serialize(serializer), }
        } else {
            quote! { Self::#variant(payload) => payload.serialize(serializer), }
        }
    });
    let from_body = match &platform.carried_by {
        CarriedBy::BodyField(field) => {
            let docs = doc(&format!("Decodes a delivery body that names its own topic (in `{field}`)."));
            quote! {
                #docs
                pub fn from_body(body: &[u8]) -> ::std::result::Result<Self, ::commerce_webhooks::DecodeError> {
                    <Self as ::commerce_webhooks::WebhookEvent>::from_body(body)
                }
            }
        }
        CarriedBy::Header(_) => TokenStream::new(),
    };
    let summary = doc(&format!(
        "A decoded {} webhook delivery: one variant per topic, holding its typed payload.\n\nEncoding an `Event` (serde) gives back the delivery body.",
        platform.name
    ));
    quote! {
        #summary
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum Event {
            #(#variants)*
            /// A topic the catalog does not know, with its body as any JSON.
            Unknown {
                /// The topic as received.
                topic: ::std::string::String,
                /// The body.
                body: ::commerce_webhooks::wire::serde_json::Value,
            },
        }

        impl Event {
            /// Decodes `body`, delivered for `topic`. An unknown topic gives [`Event::Unknown`];
            /// a body that does not fit the topic's payload gives an error naming the JSON path.
            pub fn from_delivery(topic: &str, body: &[u8]) -> ::std::result::Result<Self, ::commerce_webhooks::DecodeError> {
                ::std::result::Result::Ok(match Topic::from_wire(topic) {
                    #(#decode_arms)*
                    Topic::Unknown(topic) => Self::Unknown { body: ::commerce_webhooks::wire::decode(body)?, topic },
                })
            }

            #from_body

            /// The event's topic.
            pub fn topic(&self) -> Topic {
                match self {
                    #(#topic_arms)*
                    Self::Unknown { topic, .. } => Topic::Unknown(topic.clone()),
                }
            }
        }

        impl ::commerce_webhooks::WebhookEvent for Event {
            type Topic = Topic;
            const DELIVERY: ::commerce_webhooks::DeliveryFacts = DELIVERY;

            fn from_delivery(topic: &str, body: &[u8]) -> ::std::result::Result<Self, ::commerce_webhooks::DecodeError> {
                Self::from_delivery(topic, body)
            }

            fn topic(&self) -> Topic {
                self.topic()
            }
        }

        impl ::commerce_webhooks::wire::serde::Serialize for Event {
            fn serialize<S: ::commerce_webhooks::wire::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                match self {
                    #(#serialize_arms)*
                    Self::Unknown { body, .. } => body.serialize(serializer),
                }
            }
        }
    }
}
