//! A set of subscription patterns compiled against a platform's documented topics.

use std::fmt;
use std::marker::PhantomData;

use crate::{CatalogTopic, Pattern, PatternError};

/// Subscription patterns compiled for one platform.
///
/// Building it checks every pattern against every documented topic once; afterwards
/// [`covers`](Self::covers) answers for a documented topic with one bit test, and falls back to
/// the patterns only for topics the catalog does not know.
pub struct Subscription<T: CatalogTopic> {
    patterns: Vec<Pattern>,
    covered: Vec<u64>,
    topic: PhantomData<fn() -> T>,
}

impl<T: CatalogTopic> Subscription<T> {
    /// Compiles `patterns` (`*`, `orders/*`, an exact topic…) for `T`'s platform.
    pub fn new<I>(patterns: I) -> Result<Self, PatternError>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let patterns = patterns
            .into_iter()
            .map(|text| Pattern::parse(text.as_ref(), T::SEPARATORS))
            .collect::<Result<Vec<_>, _>>()?;
        let mut covered = vec![0u64; T::ALL.len().div_ceil(64)];
        for (index, topic) in T::ALL.iter().enumerate() {
            if patterns.iter().any(|p| p.matches(topic.as_str())) {
                covered[index / 64] |= 1 << (index % 64);
            }
        }
        Ok(Self { patterns, covered, topic: PhantomData })
    }

    /// Whether any of the patterns covers `topic`.
    pub fn covers(&self, topic: &T) -> bool {
        match topic.index() {
            Some(index) => self.covered[index / 64] & (1 << (index % 64)) != 0,
            None => {
                let wire = topic.as_str();
                self.patterns.iter().any(|p| p.matches(wire))
            }
        }
    }

    /// The documented topics the patterns cover, in catalog order.
    pub fn topics(&self) -> impl Iterator<Item = &'static T> + '_ {
        T::ALL
            .iter()
            .enumerate()
            .filter(|(index, _)| self.covered[index / 64] & (1 << (index % 64)) != 0)
            .map(|(_, topic)| topic)
    }

    /// The patterns, as given.
    pub fn patterns(&self) -> &[Pattern] {
        &self.patterns
    }
}

impl<T: CatalogTopic> Clone for Subscription<T> {
    fn clone(&self) -> Self {
        Self { patterns: self.patterns.clone(), covered: self.covered.clone(), topic: PhantomData }
    }
}

impl<T: CatalogTopic> fmt::Debug for Subscription<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscription").field("platform", &T::PLATFORM).field("patterns", &self.patterns).finish()
    }
}
