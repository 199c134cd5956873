//! What every platform's `Topic` has in common.

use std::borrow::Cow;
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
    /// Where the topic is one the platform documents as a template
    /// (`store/channel/{channel_id}/cart/created`): its wire name and value.
    fn template(&self) -> Option<&TemplateTopic> {
        None
    }
}

/// A topic the platform documents as a template with one placeholder segment, such as
/// BigCommerce's `store/channel/{channel_id}/cart/created`, which a delivery names with a
/// value in its place (`store/channel/1/cart/created`).
///
/// The platform's `Topic` has a variant per template holding one of these: parsed from a
/// delivery it keeps the wire name as received and says where the value is; in `Topic::ALL`
/// it is the template itself, whose [`value`](Self::value) is `None`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TemplateTopic {
    wire: Cow<'static, str>,
    /// The byte range of the value in `wire`; empty for the template itself.
    value: (usize, usize),
}

/// The bytes a template's value may hold, `[A-Za-z0-9_-]`, as a table: one load per byte
/// where the four range checks cost five branches (the loop of [`TemplateTopic::value_end`]
/// reads every byte of a `store/channel/…` name that is not a template's).
static VALUE_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
        byte += 1;
    }
    table
};

impl TemplateTopic {
    /// The template itself, as the catalog writes it. For generated code.
    #[doc(hidden)]
    pub const fn template(wire: &'static str) -> Self {
        Self { wire: Cow::Borrowed(wire), value: (0, 0) }
    }

    /// Where the value of a name starting with `prefix` ends: at the next separator or the end
    /// of `wire`. `None` unless `wire` starts with `prefix` and the value is a non-empty run of
    /// `[A-Za-z0-9_-]`, as a topic segment is.
    /// For generated code.
    #[doc(hidden)]
    #[inline]
    pub fn value_end(wire: &str, prefix: &str, separators: &[char]) -> Option<usize> {
        let rest = wire.strip_prefix(prefix)?;
        // One pass: value bytes, then a separator or the end; anything else is no value.
        let mut len = 0;
        for &byte in rest.as_bytes() {
            if VALUE_BYTE[usize::from(byte)] {
                len += 1;
            } else if separators.contains(&char::from(byte)) {
                break;
            } else {
                return None;
            }
        }
        (len > 0).then_some(prefix.len() + len)
    }

    /// The template filled with the value at `start..end` of `wire` (see [`Self::value_end`]).
    /// For generated code.
    #[doc(hidden)]
    pub fn filled(wire: &str, start: usize, end: usize) -> Self {
        Self { wire: Cow::Owned(wire.to_owned()), value: (start, end) }
    }

    /// The exact wire name (for the template itself, the catalog's, with its placeholder).
    pub fn as_str(&self) -> &str {
        &self.wire
    }

    /// The value in the placeholder's place (`"1"` in `store/channel/1/cart/created`); `None`
    /// for the template itself.
    pub fn value(&self) -> Option<&str> {
        let (start, end) = self.value;
        // `get`: the range comes from a hidden constructor; a wrong one must not panic.
        self.wire.get(start..end).filter(|value| !value.is_empty())
    }
}

impl fmt::Display for TemplateTopic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.wire)
    }
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

#[cfg(test)]
mod tests {
    use super::TemplateTopic;

    #[test]
    fn a_template_value_is_the_filled_segment_and_a_wrong_range_is_none() {
        let wire = "store/channel/12/cart/created";
        let end = TemplateTopic::value_end(wire, "store/channel/", &['/']).unwrap();
        assert_eq!(TemplateTopic::filled(wire, 14, end).value(), Some("12"));
        assert_eq!(TemplateTopic::template("store/channel/{channel_id}/cart/created").value(), None);
        // Out of bounds or not on a character boundary: no value, no panic.
        assert_eq!(TemplateTopic::filled("abc", 2, 9).value(), None);
        assert_eq!(TemplateTopic::filled("é", 0, 1).value(), None);
        assert_eq!(TemplateTopic::value_end("store/channel/{x}/cart", "store/channel/", &['/']), None);
        assert_eq!(TemplateTopic::value_end("store/channel//cart", "store/channel/", &['/']), None);
    }
}
