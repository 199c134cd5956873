//! Versions as platforms write them in delivery headers (Shopify's API version `2025-10`,
//! Shopware's `6.6.0.0`), compared component by component rather than as text.

use std::cmp::Ordering;
use std::fmt;

/// A version: its parts (split at `.`, `-` and `_`) compare as numbers where they are digits
/// (`6.10` is after `6.9`), as text otherwise (`unstable` is after every numbered version).
///
/// ```
/// use commerce_webhooks::ApiVersion;
///
/// assert!(ApiVersion::new("2025-10") > ApiVersion::new("2025-07"));
/// assert!(ApiVersion::new("6.10.0.0") > ApiVersion::new("6.9.3.0"));
/// assert_eq!(ApiVersion::new("2025-10"), "2025-10");
/// ```
#[derive(Debug, Clone)]
pub struct ApiVersion(String);

/// One part of a version.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum Part<'a> {
    Number(u64),
    Text(&'a str),
}

impl ApiVersion {
    /// A version from its text.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The text as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn parts(&self) -> impl Iterator<Item = Part<'_>> {
        self.0.trim().split(['.', '-', '_']).map(|part| part.parse().map_or(Part::Text(part), Part::Number))
    }
}

impl PartialEq for ApiVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for ApiVersion {}

impl PartialEq<&str> for ApiVersion {
    fn eq(&self, other: &&str) -> bool {
        *self == ApiVersion::new(*other)
    }
}

impl PartialOrd for ApiVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ApiVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.parts().cmp(other.parts())
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
