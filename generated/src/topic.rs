//! What every platform's `Topic` has in common.

use std::convert::Infallible;
use std::fmt;
use std::hash::Hash;
use std::str::FromStr;

use crate::{Action, Entity, ScopeRequirement};

/// A platform's webhook topic, as generated from its catalog.
///
/// Each platform module's `Topic` implements this trait (and has the same methods as
/// inherent methods), so code such as [`Subscription`](crate::Subscription) can work with
/// any platform.
pub trait CatalogTopic: Clone + Eq + Hash + fmt::Debug + fmt::Display + FromStr<Err = Infallible> + 'static {
    /// The platform's scope (permission) type.
    type Scope: fmt::Debug + fmt::Display + 'static;

    /// The catalog's platform identifier (`"shopify"`, `"bigcommerce"`, …).
    const PLATFORM: &'static str;
    /// Every topic the catalog documents, in catalog order.
    const ALL: &'static [Self];
    /// The characters that separate a topic's segments on this platform.
    const SEPARATORS: &'static [char];

    /// The exact wire name.
    fn as_str(&self) -> &str;
    /// The position of a documented topic in [`Self::ALL`]; `None` for an unknown topic.
    fn index(&self) -> Option<usize>;
    /// The documented description, verbatim; `None` when the platform gives none.
    fn description(&self) -> Option<&'static str>;
    /// The scopes the platform documents for this topic.
    fn scopes(&self) -> ScopeRequirement<Self::Scope>;
    /// The normalized business entity; `None` for an unknown topic.
    fn entity(&self) -> Option<Entity>;
    /// The normalized action; `None` for an unknown topic.
    fn action(&self) -> Option<Action>;
}

/// A wildcard group the platform documents (e.g. BigCommerce's `store/cart/*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Group {
    /// The pattern as documented, usable with [`Subscription::new`](crate::Subscription::new).
    pub pattern: &'static str,
    /// The documented description, verbatim.
    pub description: &'static str,
}

/// A name that is not part of a closed vocabulary such as [`Entity`] or [`Action`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName {
    /// What the vocabulary is (`"entity"`, `"action"`).
    pub vocabulary: &'static str,
    /// The name that was given.
    pub name: String,
}

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a known {}; see `{}::ALL` for the known ones",
            self.name,
            self.vocabulary,
            if self.vocabulary == "entity" { "Entity" } else { "Action" }
        )
    }
}

impl std::error::Error for UnknownName {}
