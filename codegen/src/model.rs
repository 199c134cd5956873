//! The validated catalog: every name resolved, every identifier unique. The emitters read
//! only this.

use std::path::PathBuf;

pub use crate::catalog::{
    ExampleStatus, LinkDef as Link, Listing, MetadataHeaderDef as MetadataHeader,
    SignatureSchemeDef as SignatureScheme, SourceDef as Source,
};
pub use crate::types::Scalar;

/// Where a delivery names its topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CarriedBy {
    /// An HTTP header.
    Header(String),
    /// A dotted path to a field of the JSON body.
    BodyField(String),
}

/// All catalogs, validated.
#[derive(Debug, Clone)]
pub struct Model {
    /// The shared entity/action vocabulary.
    pub vocabulary: Vocabulary,
    /// The platforms, sorted by id.
    pub platforms: Vec<Platform>,
}

/// The normalized words events are described with.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    /// Business entities (`order`, `product`…), in file order.
    pub entities: Vec<Term>,
    /// Actions (`created`, `updated`…), in file order.
    pub actions: Vec<Term>,
}

/// A vocabulary word.
#[derive(Debug, Clone)]
pub struct Term {
    /// `snake_case` name.
    pub name: String,
    /// `UpperCamelCase` Rust identifier.
    pub ident: String,
    /// Meaning.
    pub description: String,
}

/// One platform's catalog.
#[derive(Debug, Clone)]
pub struct Platform {
    /// Module and feature name.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The catalog file, relative to the catalog folder.
    pub file: PathBuf,
    /// The pages transcribed; the first is the main one.
    pub sources: Vec<Source>,
    /// Topic segment separators.
    pub separators: Vec<char>,
    /// Where a delivery names its topic.
    pub carried_by: CarriedBy,
    /// How deliveries are signed and identified.
    pub delivery: Delivery,
    /// The scope vocabulary.
    pub scopes: Vec<Scope>,
    /// Documented wildcard groups.
    pub groups: Vec<Group>,
    /// Every event, in catalog order.
    pub events: Vec<Event>,
    /// Named payload shapes, in file order.
    pub shapes: Vec<Shape>,
    /// Named enums, in file order.
    pub enums: Vec<EnumType>,
}

/// A named payload shape: a JSON object with known fields (and room for unknown ones).
#[derive(Debug, Clone)]
pub struct Shape {
    /// UpperCamelCase name, also the Rust type name.
    pub name: String,
    /// What it is.
    pub description: Option<String>,
    /// Where its fields are documented.
    pub source: Option<String>,
    /// Further pages its field descriptions come from.
    pub references: Vec<String>,
    /// Whether it takes the type parameter `P`.
    pub generic: bool,
    /// Its fields, in catalog order.
    pub fields: Vec<Field>,
}

/// A field of a shape.
#[derive(Debug, Clone)]
pub struct Field {
    /// The JSON key.
    pub key: String,
    /// The Rust field name.
    pub ident: String,
    /// Its type.
    pub ty: Type,
    /// May be missing.
    pub absent: bool,
    /// May be `null`.
    pub null: bool,
    /// What it holds.
    pub description: Option<String>,
    /// No public document describes it: what was searched.
    pub undocumented: Option<String>,
    /// Why a value that does not fit fails the payload; `None`: the field is tolerant.
    pub strict: Option<String>,
}

/// A named enum of documented string values.
#[derive(Debug, Clone)]
pub struct EnumType {
    /// UpperCamelCase name.
    pub name: String,
    /// What it is.
    pub description: Option<String>,
    /// Where the values are documented.
    pub source: Option<String>,
    /// (wire value, Rust variant) pairs, in catalog order; empty for an integer-valued enum.
    pub values: Vec<(String, String)>,
    /// (code, documented name, Rust variant), by code: an integer-valued enum.
    pub codes: Vec<(u64, String, String)>,
}

/// A resolved type expression.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Type {
    /// A built-in scalar.
    Scalar(Scalar),
    /// `[T]`
    Array(Box<Type>),
    /// `{T}`
    Map(Box<Type>),
    /// A shape (index into [`Platform::shapes`]) with its type argument if generic.
    Shape(usize, Option<Box<Type>>),
    /// An enum (index into [`Platform::enums`]).
    Enum(usize),
    /// The type parameter of a generic shape.
    Param,
}

/// An example body.
#[derive(Debug, Clone)]
pub struct Example {
    /// Path relative to the catalog folder.
    pub file: String,
    /// Where it came from.
    pub status: ExampleStatus,
    /// The source, for anything not verbatim.
    pub source: Option<String>,
    /// What was done to it.
    pub note: Option<String>,
    /// The file's text (copied under `generated/fixtures/` for the `fixtures` feature).
    pub body: String,
}

/// How deliveries are signed and identified.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The signature header.
    pub signature_header: String,
    /// How the signature is computed.
    pub scheme: SignatureScheme,
    /// Where the scheme is documented.
    pub scheme_source: String,
    /// Where the delivery id is.
    pub id: CarriedBy,
    /// Where the store's identity is.
    pub store: CarriedBy,
    /// Other headers worth exposing.
    pub headers: Vec<MetadataHeader>,
    /// The platform's other header family, if it has one.
    pub alternate: Option<AlternateDelivery>,
    /// Cloud event buses the platform can deliver to.
    pub buses: Vec<crate::catalog::BusDef>,
}

/// A second header family, signed with the same scheme.
#[derive(Debug, Clone)]
pub struct AlternateDelivery {
    /// Its short name.
    pub name: String,
    /// Where its headers are documented.
    pub source: String,
    /// The signature header.
    pub signature_header: String,
    /// Where the topic is.
    pub topic: CarriedBy,
    /// Where the delivery id is.
    pub id: CarriedBy,
    /// Where the store's identity is.
    pub store: CarriedBy,
    /// Other headers worth exposing.
    pub headers: Vec<MetadataHeader>,
}

/// A scope (permission).
#[derive(Debug, Clone)]
pub struct Scope {
    /// The name as written by the platform.
    pub name: String,
    /// Rust identifier.
    pub ident: String,
    /// The OAuth scope that grants it, where different.
    pub oauth: Option<String>,
    /// What it grants.
    pub description: Option<String>,
    /// Where the description came from.
    pub source: Option<String>,
}

/// A documented wildcard group.
#[derive(Debug, Clone)]
pub struct Group {
    /// The pattern.
    pub pattern: String,
    /// The documented description.
    pub description: String,
    /// The `sources:` page that documents it, where that is not the main page.
    pub source: Option<String>,
    /// Indexes of the events it covers.
    pub events: Vec<usize>,
}

/// A webhook event.
#[derive(Debug, Clone)]
pub struct Event {
    /// Exact wire topic (for a template, as the page writes it).
    pub topic: String,
    /// Where the topic is a template: a delivery names it with a value in the placeholder's place.
    pub template: Option<Template>,
    /// Rust identifier.
    pub ident: String,
    /// The documented description.
    pub description: Option<String>,
    /// Where facts not on the main page came from.
    pub source: Option<String>,
    /// Which lists of the page name it.
    pub listed_in: Vec<Listing>,
    /// Index into [`Vocabulary::entities`].
    pub entity: usize,
    /// Index into [`Vocabulary::actions`].
    pub action: usize,
    /// The resource the page links.
    pub resource: Option<Link>,
    /// The related REST call.
    pub rest_call: Option<Link>,
    /// What it requires.
    pub scopes: ScopeRule,
    /// Shopify's protected-customer-data marker.
    pub protected_customer_data: bool,
    /// A mandatory compliance topic.
    pub mandatory: bool,
    /// Maintainer notes.
    pub notes: Option<String>,
    /// The body's type; `None` while the catalog has no shape for it (decoded as any JSON).
    pub payload: Option<Type>,
    /// The documented body is the literal `null`.
    pub payload_null: bool,
    /// Example bodies.
    pub examples: Vec<Example>,
}

/// A topic the platform documents with a placeholder segment, such as BigCommerce's
/// `store/channel/{channel_id}/cart/created`: a delivery names it with a value there
/// (`store/channel/1/cart/created`). The topic is `prefix` + `{parameter}` + `suffix`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// Everything before the placeholder, ending in a separator (`store/channel/`).
    pub prefix: String,
    /// The placeholder's name (`channel_id`).
    pub parameter: String,
    /// Everything after it, starting with a separator (`/cart/created`), or empty.
    pub suffix: String,
}

impl Template {
    /// Whether `topic` is this template with a value in the placeholder's place
    /// (`store/channel/1/cart/created`): one non-empty segment between prefix and suffix.
    pub fn is_filled_by(&self, topic: &str, separators: &[char]) -> bool {
        topic
            .strip_prefix(self.prefix.as_str())
            .and_then(|rest| rest.strip_suffix(self.suffix.as_str()))
            .is_some_and(|value| !value.is_empty() && !value.contains(separators))
    }
}

/// A topic's scope requirement; scope values are indexes into [`Platform::scopes`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeRule {
    /// Documented: no permission needed.
    NoneNeeded,
    /// Documented topic, no scope listed.
    NoneListed,
    /// Nothing documented.
    NotDocumented,
    /// One scope.
    One(usize),
    /// Any one suffices (documented at `source`).
    AnyOf {
        /// The scopes.
        scopes: Vec<usize>,
        /// Where the combination rule is documented.
        source: String,
    },
    /// All are needed (documented at `source`).
    AllOf {
        /// The scopes.
        scopes: Vec<usize>,
        /// Where the combination rule is documented.
        source: String,
    },
    /// Several, combination not documented.
    Unstated(Vec<usize>),
}

impl ScopeRule {
    /// The scopes named.
    pub fn scopes(&self) -> &[usize] {
        match self {
            Self::NoneNeeded | Self::NoneListed | Self::NotDocumented => &[],
            Self::One(scope) => std::slice::from_ref(scope),
            Self::AnyOf { scopes, .. } | Self::AllOf { scopes, .. } | Self::Unstated(scopes) => scopes,
        }
    }
}

impl Platform {
    /// How many payload fields have a description, how many are marked `undocumented`, and
    /// how many there are.
    pub fn field_descriptions(&self) -> (usize, usize, usize) {
        let fields = || self.shapes.iter().flat_map(|shape| shape.fields.iter());
        let described = fields().filter(|field| field.description.is_some()).count();
        let undocumented = fields().filter(|field| field.undocumented.is_some()).count();
        (described, undocumented, fields().count())
    }

    /// The catalog spelling of a type (`[LineItem]`, `Callback<CartData>`).
    pub fn type_name(&self, ty: &Type) -> String {
        match ty {
            Type::Scalar(scalar) => scalar.name().to_owned(),
            Type::Array(item) => format!("[{}]", self.type_name(item)),
            Type::Map(value) => format!("{{{}}}", self.type_name(value)),
            Type::Shape(index, Some(arg)) => format!("{}<{}>", self.shapes[*index].name, self.type_name(arg)),
            Type::Shape(index, None) => self.shapes[*index].name.clone(),
            Type::Enum(index) => self.enums[*index].name.clone(),
            Type::Param => "P".into(),
        }
    }

    /// Whether `pattern` (already validated) covers `topic`.
    ///
    /// The generated crate has its own matcher; the generator cannot depend on the crate it
    /// generates, so this short copy of the rule lives here, and a test in `tests/` checks
    /// that both agree on every documented group.
    pub fn pattern_covers(pattern: &str, topic: &str) -> bool {
        match pattern.strip_suffix('*') {
            Some(prefix) => topic.len() > prefix.len() && topic.starts_with(prefix),
            None => pattern == topic,
        }
    }
}
