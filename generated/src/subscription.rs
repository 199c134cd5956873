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

/// How a subscription covers a topic ([`Subscription::coverage`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Coverage {
    /// No pattern covers it.
    Not,
    /// A pattern covers it, and the catalog documents the topic.
    Known,
    /// A pattern covers it, but the catalog does not know the topic (a new one, or a typo the
    /// platform will never send).
    Unknown,
}

impl<T: CatalogTopic> Subscription<T> {
    /// Compiles `patterns` (`*`, `orders/*`, an exact topic…) for `T`'s platform. A pattern
    /// that covers no documented topic is refused, naming the closest one (`orders/craete` is
    /// a typo of `orders/create`): use [`Self::allowing_unknown`] for topics newer than the
    /// catalog.
    ///
    /// ```
    /// # #[cfg(feature = "shopify")] {
    /// use commerce_webhooks::shopify;
    ///
    /// let error = shopify::Subscription::new(["orders/craete"]).unwrap_err();
    /// assert!(error.reason.contains("did you mean `orders/create`?"), "{error}");
    /// assert!(shopify::Subscription::allowing_unknown(["orders/teleported"]).is_ok());
    /// # }
    /// ```
    pub fn new<I>(patterns: I) -> Result<Self, PatternError>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let subscription = Self::allowing_unknown(patterns)?;
        for pattern in &subscription.patterns {
            if !T::ALL.iter().any(|topic| covers_catalog_topic(pattern, topic)) {
                let closest = closest_topic(pattern.as_str(), T::ALL.iter().map(|t| t.as_str()));
                let hint = closest.map_or(String::new(), |t| format!("; did you mean `{t}`?"));
                return Err(PatternError {
                    pattern: pattern.as_str().to_owned(),
                    reason: format!(
                        "it covers no topic the catalog documents{hint} (for a topic newer than the catalog, use `Subscription::allowing_unknown`)"
                    ),
                });
            }
        }
        Ok(subscription)
    }

    /// [`Self::new`], accepting patterns that cover no documented topic (topics the platform
    /// added after this catalog).
    pub fn allowing_unknown<I>(patterns: I) -> Result<Self, PatternError>
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
            if patterns.iter().any(|p| covers_catalog_topic(p, topic)) {
                covered[index / 64] |= 1 << (index % 64);
            }
        }
        Ok(Self { patterns, covered, topic: PhantomData })
    }

    /// Whether a pattern covers `topic`, and whether the catalog knows the topic.
    pub fn coverage(&self, topic: &T) -> Coverage {
        match (self.covers(topic), topic.index().is_some()) {
            (false, _) => Coverage::Not,
            (true, true) => Coverage::Known,
            (true, false) => Coverage::Unknown,
        }
    }

    /// Whether any of the patterns covers `topic`.
    pub fn covers(&self, topic: &T) -> bool {
        // A template filled in (`store/channel/1/cart/created`) is covered by what its value is.
        let filled = topic.template().is_some_and(|template| template.value().is_some());
        match topic.index() {
            Some(index) if !filled => self.covered[index / 64] & (1 << (index % 64)) != 0,
            _ => {
                let wire = topic.as_str();
                self.patterns.iter().any(|p| p.matches(wire))
            }
        }
    }

    /// The documented topics the patterns cover, in catalog order (a template when they cover
    /// some value of it: `store/channel/1/cart/*` lists `store/channel/{channel_id}/cart/created`).
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

/// Whether `pattern` covers a topic of [`CatalogTopic::ALL`]; a template, when it covers some
/// value of it.
pub(crate) fn covers_catalog_topic<T: CatalogTopic>(pattern: &Pattern, topic: &T) -> bool {
    match topic.template() {
        Some(_) => pattern.covers_template(topic.as_str()),
        None => pattern.matches(topic.as_str()),
    }
}

/// The documented topic closest to `text`, if one is within three edits (a typo).
fn closest_topic<'t>(text: &str, topics: impl Iterator<Item = &'t str>) -> Option<&'t str> {
    const MAX_EDITS: usize = 3;
    topics
        // Lengths further apart than the edits allowed cannot be within them: skip the work.
        .filter(|topic| topic.len().abs_diff(text.len()) <= MAX_EDITS)
        .map(|topic| (edit_distance(text, topic), topic))
        .filter(|(distance, _)| *distance <= MAX_EDITS)
        .min()
        .map(|(_, topic)| topic)
}

/// The Levenshtein distance of two short texts (for "did you mean"; topics are short).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1).min(row[j] + 1).min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}
