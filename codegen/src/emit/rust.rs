//! Model → Rust source, built with `quote` and formatted with `prettyplease`.

use std::collections::BTreeMap;

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;

use super::header;
use crate::model::{CarriedBy, Event, Listing, Model, Platform, ScopeRule, Template};

fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// One `#[doc]` attribute per line, so prettyplease prints them as `///` comments.
pub(super) fn doc(text: &str) -> TokenStream {
    text.lines()
        .map(|line| {
            let line = format!(" {line}");
            let line = line.trim_end();
            quote! { #[doc = #line] }
        })
        .collect()
}

fn inner_doc(text: &str) -> TokenStream {
    text.lines()
        .map(|line| {
            let line = format!(" {line}");
            let line = line.trim_end();
            quote! { #![doc = #line] }
        })
        .collect()
}

fn render(inputs: &str, tokens: TokenStream) -> String {
    // The emitters only build valid token streams; a failure here is a generator bug.
    let file: syn::File = syn::parse2(tokens).expect("the generator emitted invalid Rust");
    header("//", inputs) + &prettyplease::unparse(&file)
}

fn option_str(value: Option<&str>) -> TokenStream {
    match value {
        Some(text) => quote! { ::std::option::Option::Some(#text) },
        None => quote! { ::std::option::Option::None },
    }
}

/// `platforms/mod.rs`: one module per platform behind its feature, and the vocabulary.
pub(super) fn modules(model: &Model) -> String {
    let modules = model.platforms.iter().map(|platform| {
        let name = ident(&platform.id);
        let feature = &platform.id;
        let docs = doc(&format!("{} webhook topics, scopes and subscriptions (feature `{feature}`).", platform.name));
        quote! {
            #docs
            #[cfg(feature = #feature)]
            pub mod #name;
        }
    });
    let tokens = quote! {
        #![doc = " The generated modules: one per platform catalog, and the shared vocabulary."]
        #(#modules)*
        pub mod vocabulary;
    };
    render("catalog/*.yaml", tokens)
}

/// `platforms/vocabulary.rs`: the `Entity` and `Action` enums.
pub(super) fn vocabulary(model: &Model) -> String {
    let entity = term_enum(
        "Entity",
        "entity",
        "A business entity, named the same on every platform.",
        &model.vocabulary.entities,
    );
    let action = term_enum(
        "Action",
        "action",
        "What happened to an [`Entity`], named the same on every platform.",
        &model.vocabulary.actions,
    );
    let tokens = quote! {
        #![doc = " The normalized vocabulary that lines events up across platforms."]
        #entity
        #action
    };
    render("catalog/vocabulary.yaml", tokens)
}

fn term_enum(name: &str, kind: &str, summary: &str, terms: &[crate::model::Term]) -> TokenStream {
    let ty = ident(name);
    let docs = doc(summary);
    let variants = terms.iter().map(|term| {
        let variant = ident(&term.ident);
        let docs = doc(&format!("`{}`: {}", term.name, term.description));
        quote! { #docs #variant, }
    });
    let all = terms.iter().map(|term| ident(&term.ident));
    let names = terms.iter().map(|term| &term.name);
    let descriptions = terms.iter().map(|term| &term.description);
    let count = terms.len();
    let expecting = format!("a known {kind} name");
    let names_table = ident(&format!("{}_NAMES", name.to_uppercase()));
    let descriptions_table = ident(&format!("{}_DESCRIPTIONS", name.to_uppercase()));
    quote! {
        #docs
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #ty { #(#variants)* }

        static #names_table: [&str; #count] = [#(#names),*];
        static #descriptions_table: [&str; #count] = [#(#descriptions),*];

        impl #ty {
            /// Every value, in vocabulary order.
            pub const ALL: &'static [#ty] = &[#(#ty::#all),*];

            /// The `snake_case` name used in the catalogs.
            pub fn as_str(self) -> &'static str {
                #names_table[self as usize]
            }

            /// What the word means.
            pub fn description(self) -> &'static str {
                #descriptions_table[self as usize]
            }
        }

        impl ::std::str::FromStr for #ty {
            type Err = ::commerce_webhooks::UnknownName;

            fn from_str(name: &str) -> ::std::result::Result<Self, Self::Err> {
                #names_table
                    .iter()
                    .position(|known| *known == name)
                    .map(|index| Self::ALL[index])
                    .ok_or_else(|| ::commerce_webhooks::UnknownName { vocabulary: #kind, name: name.to_owned() })
            }
        }

        ::commerce_webhooks::wire_name_impls!(#ty, #expecting);
    }
}

/// A platform module: constants, `Topic`, `Scope`.
pub(super) fn platform(model: &Model, platform: &Platform) -> String {
    let main = &platform.sources[0];
    let version = main.version.as_ref().map_or(String::new(), |v| format!(", version {v}"));
    let carrier = match &platform.carried_by {
        CarriedBy::Header(header) => format!("the `{header}` header"),
        CarriedBy::BodyField(field) => format!("the body field `{field}`"),
    };
    let module_docs = inner_doc(&format!(
        "{name} webhook topics, scopes and subscription matching.\n\n\
         Transcribed from <{url}>{version}, stored as `catalog/{page}`. A delivery names its topic in {carrier}.\n\n\
         The reference table is [`docs/{id}.md`](https://github.com/commerce-webhooks/commerce-webhooks/blob/main/generated/docs/{id}.md).",
        name = platform.name,
        url = main.url,
        page = main.page,
        id = platform.id,
    ));
    let separators = platform.separators.iter().map(|c| Literal::character(*c));
    let carrier_const = match &platform.carried_by {
        CarriedBy::Header(header) => quote! {
            /// The HTTP header that names a delivery's topic.
            pub const TOPIC_HEADER: &str = #header;
        },
        CarriedBy::BodyField(field) => quote! {
            /// The dotted path of the body field that names a delivery's topic.
            pub const TOPIC_FIELD: &str = #field;
        },
    };
    let groups = platform.groups.iter().map(|group| {
        let (pattern, description) = (&group.pattern, &group.description);
        quote! { ::commerce_webhooks::Group { pattern: #pattern, description: #description } }
    });
    let groups_doc = doc(&format!("The wildcard groups {} documents, in page order.", platform.name));
    let delivery = delivery_facts(platform);
    let topic = topic_enum(model, platform);
    let scope = scope_enum(platform);
    let shapes = platform.shapes.iter().map(|shape| super::payload::shape(platform, shape));
    let enums = platform.enums.iter().map(super::payload::enum_type);
    let event = super::payload::event_enum(platform);
    let metadata = metadata_accessors(platform);
    let fixtures = fixtures(platform);
    let tokens = quote! {
        #module_docs
        use ::commerce_webhooks::{Action, Entity, ScopeRequirement};

        /// The characters that separate a topic's segments.
        pub const SEPARATORS: &[char] = &[#(#separators),*];
        #carrier_const
        #groups_doc
        pub const GROUPS: &[::commerce_webhooks::Group] = &[#(#groups),*];

        #delivery

        /// Subscription patterns compiled for this platform's topics.
        pub type Subscription = ::commerce_webhooks::Subscription<Topic>;

        #topic
        #scope
        #event
        #metadata
        #fixtures
        #(#shapes)*
        #(#enums)*
    };
    render(&format!("catalog/{}", platform.file.display()), tokens)
}

/// The catalog's example bodies per topic, for tests (`testing::Fixtures`, feature `fixtures`).
fn fixtures(platform: &Platform) -> TokenStream {
    use crate::catalog::ExampleStatus;
    let per_topic = platform.events.iter().map(|event| {
        let examples = event.examples.iter().map(|example| {
            let file = &example.file;
            let include = format!("../../fixtures/{}", super::fixture_path(file));
            let status = ident(match example.status {
                ExampleStatus::Verbatim => "Verbatim",
                ExampleStatus::Repaired => "Repaired",
                ExampleStatus::Sourced => "Sourced",
                ExampleStatus::Authored => "Authored",
            });
            let source = option_str(example.source.as_deref());
            quote! {
                ::commerce_webhooks::testing::Example {
                    file: #file,
                    status: ::commerce_webhooks::testing::ExampleStatus::#status,
                    source: #source,
                    body: include_str!(#include),
                }
            }
        });
        quote! { &[#(#examples),*] }
    });
    quote! {
        /// The catalog's example bodies of each topic, in [`Topic::ALL`] order.
        #[cfg(feature = "fixtures")]
        const EXAMPLES: &[&[::commerce_webhooks::testing::Example]] = &[#(#per_topic),*];
        #[cfg(feature = "fixtures")]
        impl ::commerce_webhooks::testing::Fixtures for Event {
            fn examples(topic: &Topic) -> &'static [::commerce_webhooks::testing::Example] {
                topic.index().map_or(&[], |index| EXAMPLES[index])
            }
        }
    }
}

/// `Metadata`, implemented for `Delivery<Event>`: a typed accessor per metadata header the
/// catalog names (of every header family), and the API version the catalog's types follow.
fn metadata_accessors(platform: &Platform) -> TokenStream {
    use crate::catalog::MetadataKind;
    let delivery = &platform.delivery;
    let all: Vec<_> =
        delivery.headers.iter().chain(delivery.alternate.iter().flat_map(|alt| alt.headers.iter())).collect();
    let mut seen = std::collections::BTreeSet::new();
    let (signatures, bodies): (Vec<TokenStream>, Vec<TokenStream>) = all
        .iter()
        .filter(|h| seen.insert(h.name.clone()))
        .map(|h| {
            let name = ident(&h.name);
            let key = &h.name;
            let headers: Vec<&str> =
                all.iter().filter(|other| other.name == h.name).map(|other| other.header.as_str()).collect();
            let docs = doc(&format!("{} (`{}`), if the delivery had it.", h.description, headers.join("` or `")));
            let (ty, value) = match h.kind {
                MetadataKind::Text => (quote! { ::std::option::Option<&str> }, quote! { self.metadata(#key) }),
                MetadataKind::Version => (
                    quote! { ::std::option::Option<::commerce_webhooks::ApiVersion> },
                    quote! { self.metadata(#key).map(::commerce_webhooks::ApiVersion::new) },
                ),
                MetadataKind::Timestamp => (
                    quote! { ::std::option::Option<::commerce_webhooks::Timestamp> },
                    quote! { self.metadata(#key).map(|text| ::commerce_webhooks::Timestamp(text.to_owned())) },
                ),
            };
            (quote! { #docs fn #name(&self) -> #ty; }, quote! { fn #name(&self) -> #ty { #value } })
        })
        .unzip();
    let version = match platform.sources.first().and_then(|source| source.version.as_deref()) {
        Some(version) => quote! { ::std::option::Option::Some(#version) },
        None => quote! { ::std::option::Option::None },
    };
    let version_docs = doc(&format!(
        "The API version of the reference page the catalog's {} types were transcribed from, if the page states one.",
        platform.name
    ));
    let trait_docs = doc(&format!(
        "Typed metadata of a {} delivery, one accessor per header the catalog's `delivery.headers` name: `use` it and call `delivery.<name>()`.",
        platform.name
    ));
    // A platform whose deliveries name their API version can say when it is not the catalog's.
    let versioned = platform.sources.first().and_then(|source| source.version.as_ref()).is_some()
        && all.iter().any(|h| h.name == "api_version" && h.kind == MetadataKind::Version);
    let (differs_signature, differs_body) = if versioned {
        (
            quote! {
                /// Whether the delivery names an API version other than [`CATALOG_API_VERSION`]:
                /// its payload may have fields (or lack fields) the catalog's types do not know.
                fn api_version_differs(&self) -> bool;
            },
            quote! {
                fn api_version_differs(&self) -> bool {
                    match (self.api_version(), CATALOG_API_VERSION) {
                        (::std::option::Option::Some(version), ::std::option::Option::Some(catalog)) => {
                            version != ::commerce_webhooks::ApiVersion::new(catalog)
                        }
                        _ => false,
                    }
                }
            },
        )
    } else {
        (TokenStream::new(), TokenStream::new())
    };
    quote! {
        #version_docs
        pub const CATALOG_API_VERSION: ::std::option::Option<&str> = #version;

        #trait_docs
        pub trait Metadata {
            #(#signatures)*
            #differs_signature
        }

        impl Metadata for ::commerce_webhooks::Delivery<Event> {
            #(#bodies)*
            #differs_body
        }
    }
}

fn location(location: &CarriedBy) -> TokenStream {
    match location {
        CarriedBy::Header(header) => quote! { ::commerce_webhooks::Location::Header(#header) },
        CarriedBy::BodyField(field) => {
            let path = field.split('.');
            quote! { ::commerce_webhooks::Location::Body(#field, &[#(#path),*]) }
        }
    }
}

/// `DELIVERY`: how the platform signs and identifies deliveries.
fn delivery_facts(platform: &Platform) -> TokenStream {
    let delivery = &platform.delivery;
    let topic = location(&platform.carried_by);
    let signature_header = &delivery.signature_header;
    let scheme = ident(&format!("{:?}", delivery.scheme));
    let scheme_source = &delivery.scheme_source;
    let id = location(&delivery.id);
    let store = location(&delivery.store);
    let metadata = |headers: &[crate::model::MetadataHeader]| {
        let headers = headers.iter().map(|h| {
            let (name, header, description) = (&h.name, &h.header, &h.description);
            quote! { ::commerce_webhooks::MetadataHeader { name: #name, header: #header, description: #description } }
        });
        quote! { &[#(#headers),*] }
    };
    // One `DeliveryFacts` literal for a header family; the alternate family is one without
    // an alternate of its own.
    let facts = |family: &str,
                 family_source: &str,
                 topic: TokenStream,
                 signature_header: &str,
                 (id, store): (TokenStream, TokenStream),
                 headers: TokenStream,
                 alternate: TokenStream| {
        quote! {
            ::commerce_webhooks::DeliveryFacts {
                family: #family,
                family_source: #family_source,
                topic: #topic,
                signature_header: #signature_header,
                scheme: ::commerce_webhooks::SignatureScheme::#scheme,
                scheme_source: #scheme_source,
                delivery_id: #id,
                store_id: #store,
                headers: #headers,
                alternate: #alternate,
            }
        }
    };
    let alternate = match &delivery.alternate {
        Some(alt) => {
            let literal = facts(
                &alt.name,
                &alt.source,
                location(&alt.topic),
                &alt.signature_header,
                (location(&alt.id), location(&alt.store)),
                metadata(&alt.headers),
                quote! { ::std::option::Option::None },
            );
            quote! { ::std::option::Option::Some(&#literal) }
        }
        None => quote! { ::std::option::Option::None },
    };
    let main =
        facts("webhooks", scheme_source, topic, signature_header, (id, store), metadata(&delivery.headers), alternate);
    let docs = doc(&format!(
        "How {} signs and identifies a delivery (scheme documented at <{scheme_source}>).",
        platform.name
    ));
    quote! {
        #docs
        pub const DELIVERY: ::commerce_webhooks::DeliveryFacts = #main;
    }
}

/// The body of `known`: names are grouped by length, and within a length by the byte
/// position that tells most of them apart, so a lookup is two jumps and (usually) one string
/// comparison, and an unknown name rarely gets past the first jump. Each name comes with the
/// expression the lookup gives for it; `miss` is the expression of every arm no name matches
/// (`None`, the template lookup, or `Unknown`), so the value is built where it is returned
/// rather than moved out of an intermediate `Option`.
fn known_lookup(names: &[(&str, TokenStream)], miss: &TokenStream) -> TokenStream {
    // An empty vocabulary (BigCommerce names no scopes) has nothing to match.
    if names.is_empty() {
        return quote! {
            let _ = wire;
            #miss
        };
    }
    let mut by_len: BTreeMap<usize, Vec<&(&str, TokenStream)>> = BTreeMap::new();
    for name in names {
        by_len.entry(name.0.len()).or_default().push(name);
    }
    let arms = by_len.iter().map(|(len, names)| {
        // The empty name (a template's empty rest) has no byte to dispatch on.
        if *len == 0 {
            let value = &names[0].1;
            return quote! { 0 => #value, };
        }
        let dispatch = byte_dispatch(names, *len, miss);
        let len = Literal::usize_unsuffixed(*len);
        quote! { #len => #dispatch, }
    });
    quote! {
        match wire.len() {
            #(#arms)*
            _ => #miss,
        }
    }
}

/// Tells `names` (all of length `len`) apart: by the byte that separates most of them, then
/// again within each group of more than two, so that a lookup compares (usually) one string.
fn byte_dispatch(names: &[&(&str, TokenStream)], len: usize, miss: &TokenStream) -> TokenStream {
    // The only name of this length: a byte check first would only repeat the comparison's work.
    if names.len() == 1 {
        return compare(names, miss);
    }
    let position = discriminating_position(names.iter().map(|(wire, _)| wire.as_bytes()), len);
    let mut by_byte: BTreeMap<u8, Vec<&(&str, TokenStream)>> = BTreeMap::new();
    for &name in names {
        by_byte.entry(name.0.as_bytes()[position]).or_default().push(name);
    }
    let byte_arms = by_byte.iter().map(|(byte, group)| {
        let byte = Literal::byte_character(*byte);
        // A further byte helps only if it splits the group (it always can: the names differ).
        let inner = if group.len() > 2 && group.len() < names.len() {
            byte_dispatch(group, len, miss)
        } else {
            compare(group, miss)
        };
        quote! { #byte => #inner, }
    });
    let position = Literal::usize_unsuffixed(position);
    quote! {
        match wire.as_bytes()[#position] {
            #(#byte_arms)*
            _ => #miss,
        }
    }
}

/// The string comparisons that end a lookup.
fn compare(names: &[&(&str, TokenStream)], miss: &TokenStream) -> TokenStream {
    let candidates = names.iter().map(|(wire, value)| {
        quote! { #wire => #value, }
    });
    quote! {
        match wire {
            #(#candidates)*
            _ => #miss,
        }
    }
}

/// `from_template`: a name filling one of the templates, grouped by the part before the
/// placeholder, so a name is read once per prefix and what follows the value is looked up as
/// `known` looks up a name (by length, then by one byte).
fn template_lookup(variants: &[WireVariant<'_>]) -> TokenStream {
    let mut by_prefix: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new();
    for variant in variants {
        if let Some(template) = variant.template {
            by_prefix.entry(&template.prefix).or_default().push((&template.suffix, &variant.ident));
        }
    }
    let last = by_prefix.len().saturating_sub(1);
    let prefixes = by_prefix.iter().enumerate().map(|(index, (prefix, suffixes))| {
        let start = Literal::usize_unsuffixed(prefix.len());
        let rests: Vec<(&str, TokenStream)> = suffixes
            .iter()
            .map(|(suffix, variant)| {
                let variant = ident(variant);
                let filled = quote! { Self::#variant(::commerce_webhooks::TemplateTopic::filled(whole, #start, end)) };
                (*suffix, quote! { ::std::option::Option::Some(#filled) })
            })
            .collect();
        let lookup = known_lookup(&rests, &quote! { ::std::option::Option::None });
        // The last prefix returns its lookup as it is; an earlier one only a hit, so that a
        // name that fills no template of its prefix still gets the later prefixes' look.
        let answer = if index == last {
            quote! { return #lookup; }
        } else {
            quote! {
                let topic: ::std::option::Option<Self> = #lookup;
                if topic.is_some() {
                    return topic;
                }
            }
        };
        quote! {
            if let ::std::option::Option::Some(end) = ::commerce_webhooks::TemplateTopic::value_end(wire, #prefix, SEPARATORS) {
                let whole = wire;
                let wire = &whole[end..];
                #answer
            }
        }
    });
    quote! {
        /// The topic of a template this name fills (`store/channel/1/cart/created`), if any.
        fn from_template(wire: &str) -> ::std::option::Option<Self> {
            #(#prefixes)*
            ::std::option::Option::None
        }
    }
}

/// The byte position (below `len`) at which the most of `names` differ; the first on ties.
fn discriminating_position<'a>(names: impl Iterator<Item = &'a [u8]> + Clone, len: usize) -> usize {
    (0..len)
        .max_by_key(|&position| {
            let distinct: std::collections::BTreeSet<u8> = names.clone().map(|name| name[position]).collect();
            (distinct.len(), std::cmp::Reverse(position))
        })
        .unwrap_or(0)
}

/// One value of a wire-name enum.
pub(super) struct WireVariant<'a> {
    /// The Rust variant.
    pub(super) ident: String,
    /// The exact wire name (a template's as the catalog writes it).
    pub(super) wire: String,
    /// Its documentation.
    pub(super) docs: String,
    /// Where the value is a topic template: the variant then holds a `TemplateTopic`.
    pub(super) template: Option<&'a Template>,
}

impl WireVariant<'_> {
    /// The variant as a pattern (`Self::OrdersCreate`, `Self::StoreChannelCartCreated(topic)`).
    fn pattern(&self, binding: TokenStream) -> TokenStream {
        variant_pattern(&self.ident, self.template.is_some(), binding)
    }

    /// The variant for its catalog wire name (a template holds the template itself).
    fn catalog_value(&self, ty: &Ident) -> TokenStream {
        let variant = ident(&self.ident);
        let wire = &self.wire;
        match self.template {
            Some(_) => quote! { #ty::#variant(::commerce_webhooks::TemplateTopic::template(#wire)) },
            None => quote! { #ty::#variant },
        }
    }
}

/// A wire-name enum's variant as a pattern: `Self::OrdersCreate`, or for a template
/// `Self::StoreChannelChannelIdCartCreated(binding)`.
fn variant_pattern(variant: &str, templated: bool, binding: TokenStream) -> TokenStream {
    let variant = ident(variant);
    if templated {
        quote! { Self::#variant(#binding) }
    } else {
        quote! { Self::#variant }
    }
}

/// The parts every wire-name enum (`Topic`, `Scope`) shares: the enum with its `Unknown`
/// fallback, `ALL`, `from_wire`, `as_str`, `index`, `FromStr`, `Display` and serde.
pub(super) struct WireEnum<'a> {
    pub(super) name: &'a str,
    pub(super) summary: String,
    pub(super) variants: Vec<WireVariant<'a>>,
}

impl WireEnum<'_> {
    pub(super) fn tokens(&self) -> TokenStream {
        let ty = ident(self.name);
        let docs = doc(&self.summary);
        let variants = self.variants.iter().map(|variant| {
            let name = ident(&variant.ident);
            let docs = doc(&variant.docs);
            match variant.template {
                Some(_) => quote! { #docs #name(::commerce_webhooks::TemplateTopic), },
                None => quote! { #docs #name, },
            }
        });
        let all = self.variants.iter().map(|variant| variant.catalog_value(&ty));
        let index = self.variants.iter().enumerate().map(|(i, variant)| {
            let pattern = variant.pattern(quote! { _ });
            let i = Literal::usize_unsuffixed(i);
            quote! { #pattern => ::std::option::Option::Some(#i), }
        });
        let as_str = self.variants.iter().map(|variant| {
            let wire = &variant.wire;
            match variant.template {
                Some(_) => {
                    let pattern = variant.pattern(quote! { topic });
                    quote! { #pattern => topic.as_str(), }
                }
                None => {
                    let pattern = variant.pattern(TokenStream::new());
                    quote! { #pattern => #wire, }
                }
            }
        });
        let expecting = format!("a {} name", self.name.to_lowercase());
        let values: Vec<(&str, TokenStream)> = self
            .variants
            .iter()
            .map(|variant| (variant.wire.as_str(), variant.catalog_value(&quote::format_ident!("Self"))))
            .collect();
        let names: Vec<(&str, TokenStream)> =
            values.iter().map(|(wire, value)| (*wire, quote! { ::std::option::Option::Some(#value) })).collect();
        // Sorted, so that the `template` or-pattern does not change with the catalog's order.
        let mut templated: Vec<&WireVariant<'_>> = self.variants.iter().filter(|v| v.template.is_some()).collect();
        templated.sort_by(|a, b| a.ident.cmp(&b.ident));
        let unknown = quote! { Self::Unknown(wire.to_owned()) };
        let from_wire_docs = quote! {
            /// The value for a wire name; an unknown name gives [`Self::Unknown`].
        };
        let known_docs = quote! {
            /// The documented value with this wire name, if there is one (no allocation
            /// for unknown names, unlike [`Self::from_wire`]).
        };
        let (lookups, from_template, template_of) = if templated.is_empty() {
            let known = known_lookup(&names, &quote! { ::std::option::Option::None });
            let lookups = quote! {
                #from_wire_docs
                pub fn from_wire(wire: &str) -> Self {
                    Self::known(wire).unwrap_or_else(|| #unknown)
                }

                #known_docs
                // Always: `from_wire` is `known` plus a fallback, and a call between them costs
                // a third of the lookup (benches/benches/instructions.rs, topic group).
                #[inline(always)]
                pub fn known(wire: &str) -> ::std::option::Option<Self> {
                    #known
                }
            };
            (lookups, TokenStream::new(), TokenStream::new())
        } else {
            let patterns = templated.iter().map(|variant| variant.pattern(quote! { topic }));
            let from_template = template_lookup(&self.variants);
            let template_of = quote! {
                /// Where the topic is one the platform documents as a template: its wire name and
                /// value (`None` for every other topic).
                pub fn template(&self) -> ::std::option::Option<&::commerce_webhooks::TemplateTopic> {
                    match self {
                        #(#patterns)|* => ::std::option::Option::Some(topic),
                        _ => ::std::option::Option::None,
                    }
                }
            };
            let from_template = quote! {
                #from_template

                /// The topic of a template this name fills, or else [`Self::Unknown`]: one
                /// function, so that `from_wire`'s many misses share it.
                fn filled_or_unknown(wire: &str) -> Self {
                    Self::from_template(wire).unwrap_or_else(|| #unknown)
                }
            };
            let from_wire = known_lookup(&values, &quote! { Self::filled_or_unknown(wire) });
            let known = known_lookup(&names, &quote! { Self::from_template(wire) });
            let lookups = quote! {
                #from_wire_docs
                // The lookup of `known` again rather than a call to it: the value is then built
                // where it is returned. A type holding templates is 48 bytes, and copying it out
                // of `known`'s `Option` cost about 15 % of the lookup (BigCommerce, 175 topics:
                // 15,366 against 13,387 instructions, benches/benches/instructions.rs, topic
                // group); the other types are 24 bytes and keep one lookup.
                pub fn from_wire(wire: &str) -> Self {
                    #from_wire
                }

                #known_docs
                pub fn known(wire: &str) -> ::std::option::Option<Self> {
                    #known
                }
            };
            (lookups, from_template, template_of)
        };
        quote! {
            #docs
            #[derive(Debug, Clone, PartialEq, Eq, Hash)]
            #[non_exhaustive]
            pub enum #ty {
                #(#variants)*
                /// A name this catalog does not know, kept exactly as received.
                Unknown(::std::string::String),
            }

            impl #ty {
                /// Every documented value, in catalog order.
                pub const ALL: &'static [#ty] = &[#(#all),*];

                #lookups

                #from_template

                /// The exact wire name.
                pub fn as_str(&self) -> &str {
                    match self {
                        #(#as_str)*
                        Self::Unknown(wire) => wire,
                    }
                }

                /// The position in [`Self::ALL`]; `None` for [`Self::Unknown`].
                pub fn index(&self) -> ::std::option::Option<usize> {
                    match self {
                        #(#index)*
                        Self::Unknown(_) => ::std::option::Option::None,
                    }
                }

                #template_of
            }

            impl ::std::str::FromStr for #ty {
                type Err = ::std::convert::Infallible;

                /// Never fails: an unknown name gives [`Self::Unknown`].
                fn from_str(wire: &str) -> ::std::result::Result<Self, Self::Err> {
                    ::std::result::Result::Ok(Self::from_wire(wire))
                }
            }

            ::commerce_webhooks::wire_name_impls!(#ty, #expecting);
        }
    }
}

fn topic_enum(model: &Model, platform: &Platform) -> TokenStream {
    let events = &platform.events;
    let count = events.len();
    let wire = WireEnum {
        name: "Topic",
        summary: format!(
            "A {} webhook topic.\n\nParsing never fails: a topic the catalog does not know becomes [`Topic::Unknown`], so a new topic from the platform reaches your code instead of an error.",
            platform.name
        ),
        variants: events
            .iter()
            .map(|event| WireVariant {
                ident: event.ident.clone(),
                wire: event.topic.clone(),
                docs: topic_docs(model, platform, event),
                template: event.template.as_ref(),
            })
            .collect(),
    }
    .tokens();
    let descriptions = events.iter().map(|e| option_str(e.description.as_deref()));
    let scopes = events.iter().map(|e| scope_rule(platform, &e.scopes));
    let entities = events.iter().map(|e| ident(&model.vocabulary.entities[e.entity].ident));
    let actions = events.iter().map(|e| ident(&model.vocabulary.actions[e.action].ident));
    let flag = |name: &str, doc_text: &str, set: &dyn Fn(&Event) -> bool| -> TokenStream {
        if !events.iter().any(set) {
            return TokenStream::new();
        }
        let method = ident(name);
        // Sorted, so that one line does not change with the catalog's order.
        let mut flagged: Vec<&Event> = events.iter().filter(|e| set(e)).collect();
        flagged.sort_by(|a, b| a.ident.cmp(&b.ident));
        let arms = flagged.into_iter().map(|e| variant_pattern(&e.ident, e.template.is_some(), quote! { _ }));
        let docs = doc(doc_text);
        quote! {
            #docs
            pub fn #method(&self) -> bool {
                matches!(self, #(#arms)|*)
            }
        }
    };
    let protected = flag(
        "is_protected_customer_data",
        "Whether the payload holds protected customer data (the platform's marker).",
        &|e| e.protected_customer_data,
    );
    let mandatory =
        flag("is_mandatory", "Whether every app must subscribe to this topic (a mandatory compliance topic).", &|e| {
            e.mandatory
        });
    let listed_only = flag(
        "is_listed_only",
        "Whether the source page only names this topic in a list, without a section of its own.",
        &|e| {
            !e.listed_in.is_empty()
                && !e.listed_in.contains(&Listing::Section)
                && !e.listed_in.contains(&Listing::ComplianceTable)
        },
    );
    let platform_id = &platform.id;
    let template_of = if events.iter().any(|e| e.template.is_some()) {
        quote! {
            fn template(&self) -> ::std::option::Option<&::commerce_webhooks::TemplateTopic> {
                self.template()
            }
        }
    } else {
        TokenStream::new()
    };
    quote! {
        #wire

        static TOPIC_DESCRIPTIONS: [::std::option::Option<&str>; #count] = [#(#descriptions),*];
        static TOPIC_SCOPES: [ScopeRequirement<Scope>; #count] = [#(#scopes),*];
        static TOPIC_ENTITIES: [Entity; #count] = [#(Entity::#entities),*];
        static TOPIC_ACTIONS: [Action; #count] = [#(Action::#actions),*];

        impl Topic {
            /// The documented description, verbatim; `None` when the platform gives none.
            pub fn description(&self) -> ::std::option::Option<&'static str> {
                self.index().and_then(|index| TOPIC_DESCRIPTIONS[index])
            }

            /// The scopes the platform documents for this topic; `NotDocumented` for an unknown one.
            pub fn scopes(&self) -> ScopeRequirement<Scope> {
                self.index().map_or(ScopeRequirement::NotDocumented, |index| TOPIC_SCOPES[index])
            }

            /// The normalized business entity; `None` for an unknown topic.
            pub fn entity(&self) -> ::std::option::Option<Entity> {
                self.index().map(|index| TOPIC_ENTITIES[index])
            }

            /// The normalized action; `None` for an unknown topic.
            pub fn action(&self) -> ::std::option::Option<Action> {
                self.index().map(|index| TOPIC_ACTIONS[index])
            }

            /// The documented topics that mean `entity` + `action`, in catalog order.
            pub fn with_meaning(entity: Entity, action: Action) -> impl ::std::iter::Iterator<Item = &'static Topic> {
                Self::ALL.iter().filter(move |topic| topic.entity() == ::std::option::Option::Some(entity) && topic.action() == ::std::option::Option::Some(action))
            }

            #protected
            #mandatory
            #listed_only
        }

        impl ::commerce_webhooks::CatalogTopic for Topic {
            type Scope = Scope;
            const PLATFORM: &'static str = #platform_id;
            const ALL: &'static [Self] = Self::ALL;
            const SEPARATORS: &'static [char] = SEPARATORS;

            fn as_str(&self) -> &str {
                self.as_str()
            }
            fn index(&self) -> ::std::option::Option<usize> {
                self.index()
            }
            fn description(&self) -> ::std::option::Option<&'static str> {
                self.description()
            }
            fn scopes(&self) -> ScopeRequirement<Scope> {
                self.scopes()
            }
            fn entity(&self) -> ::std::option::Option<Entity> {
                self.entity()
            }
            fn action(&self) -> ::std::option::Option<Action> {
                self.action()
            }
            #template_of
        }
    }
}

fn scope_rule(platform: &Platform, rule: &ScopeRule) -> TokenStream {
    let scopes = |indexes: &[usize]| {
        let variants = indexes.iter().map(|&i| ident(&platform.scopes[i].ident));
        quote! { &[#(Scope::#variants),*] }
    };
    match rule {
        ScopeRule::NoneNeeded => quote! { ScopeRequirement::NoneNeeded },
        ScopeRule::NoneListed => quote! { ScopeRequirement::NoneListed },
        ScopeRule::NotDocumented => quote! { ScopeRequirement::NotDocumented },
        ScopeRule::One(index) => {
            let variant = ident(&platform.scopes[*index].ident);
            quote! { ScopeRequirement::One(&Scope::#variant) }
        }
        ScopeRule::AnyOf { scopes: list, .. } => {
            let list = scopes(list);
            quote! { ScopeRequirement::AnyOf(#list) }
        }
        ScopeRule::AllOf { scopes: list, .. } => {
            let list = scopes(list);
            quote! { ScopeRequirement::AllOf(#list) }
        }
        ScopeRule::Unstated(list) => {
            let list = scopes(list);
            quote! { ScopeRequirement::Unstated(#list) }
        }
    }
}

/// The scope requirement in words, for rustdoc and Markdown.
pub(super) fn scope_rule_text(platform: &Platform, rule: &ScopeRule) -> String {
    let names = |indexes: &[usize]| {
        indexes.iter().map(|&i| format!("`{}`", platform.scopes[i].name)).collect::<Vec<_>>().join(", ")
    };
    match rule {
        ScopeRule::NoneNeeded => "none needed".into(),
        ScopeRule::NoneListed => "none listed".into(),
        ScopeRule::NotDocumented => "not documented".into(),
        ScopeRule::One(index) => names(&[*index]),
        ScopeRule::AnyOf { scopes, source } => format!("any of {} ([source](<{source}>))", names(scopes)),
        ScopeRule::AllOf { scopes, source } => format!("all of {} ([source](<{source}>))", names(scopes)),
        ScopeRule::Unstated(scopes) => format!("{} (how they combine is not documented)", names(scopes)),
    }
}

fn topic_docs(model: &Model, platform: &Platform, event: &Event) -> String {
    let mut text = format!("`{}`", event.topic);
    match &event.description {
        Some(description) => text += &format!(": {}", rustdoc_safe(description)),
        None => text += ": no description is documented.",
    }
    text += &format!(
        "\n\n- Scopes: {}\n- Meaning: `{}` / `{}`",
        scope_rule_text(platform, &event.scopes),
        model.vocabulary.entities[event.entity].name,
        model.vocabulary.actions[event.action].name
    );
    if event.protected_customer_data {
        text += "\n- Holds protected customer data";
    }
    if event.mandatory {
        text += "\n- Mandatory compliance topic";
    }
    if let Some(source) = &event.source {
        text += &format!("\n- Described from <{source}>");
    }
    text
}

/// Keeps a platform's Markdown from tripping rustdoc lints: BigCommerce's `<br>` line breaks
/// become paragraph breaks, and a line after a list ends the list instead of continuing its
/// last item.
pub(super) fn rustdoc_safe(text: &str) -> String {
    let text = text.replace(" <br> ", "\n\n").replace("<br>", "\n\n");
    let mut out = String::with_capacity(text.len());
    let mut in_list = false;
    for (index, line) in text.lines().enumerate() {
        let is_item = line.starts_with("* ") || line.starts_with("- ");
        if index > 0 {
            out.push('\n');
            if in_list && !is_item && !line.is_empty() {
                out.push('\n');
            }
        }
        out.push_str(line);
        in_list = is_item;
    }
    out
}

fn scope_enum(platform: &Platform) -> TokenStream {
    let wire = WireEnum {
        name: "Scope",
        summary: format!("A {} scope (permission), as the platform names it.\n\nParsing never fails: an unknown name becomes [`Scope::Unknown`].", platform.name),
        variants: platform
            .scopes
            .iter()
            .map(|scope| {
                let mut docs = format!("`{}`", scope.name);
                if let Some(oauth) = &scope.oauth {
                    docs += &format!(" (OAuth `{oauth}`)");
                }
                if let Some(description) = &scope.description {
                    docs += &format!(": {}", rustdoc_safe(description));
                }
                WireVariant { ident: scope.ident.clone(), wire: scope.name.clone(), docs, template: None }
            })
            .collect(),
    }
    .tokens();
    let count = platform.scopes.len();
    let descriptions = platform.scopes.iter().map(|s| option_str(s.description.as_deref()));
    let oauth = if platform.scopes.iter().any(|s| s.oauth.is_some()) {
        let names = platform.scopes.iter().map(|s| option_str(s.oauth.as_deref()));
        quote! {
            /// The OAuth scope a shop grants for this scope (`orders` → `read_orders`); `None` where the catalog has none.
            pub fn oauth(&self) -> ::std::option::Option<&'static str> {
                static SCOPE_OAUTH: [::std::option::Option<&str>; #count] = [#(#names),*];
                self.index().and_then(|index| SCOPE_OAUTH[index])
            }
        }
    } else {
        TokenStream::new()
    };
    quote! {
        #wire

        static SCOPE_DESCRIPTIONS: [::std::option::Option<&str>; #count] = [#(#descriptions),*];

        impl Scope {
            /// What the scope grants, where the catalog documents it.
            pub fn description(&self) -> ::std::option::Option<&'static str> {
                self.index().and_then(|index| SCOPE_DESCRIPTIONS[index])
            }

            #oauth
        }
    }
}
