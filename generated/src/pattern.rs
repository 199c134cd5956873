//! Subscription patterns: `*`, `orders/*`, `store/cart/*`, `store/channel/*/cart/*`, or one
//! exact topic.

use std::fmt;

/// A parsed subscription pattern.
///
/// `*` covers every topic; `prefix<sep>*` covers every topic that starts with `prefix<sep>`,
/// at any depth (BigCommerce's `store/cart/*` covers `store/cart/lineItem/created`); a `*` or
/// a placeholder such as `{channel_id}` as a whole segment elsewhere covers any one segment
/// (`store/channel/{channel_id}/cart/*` covers `store/channel/1/cart/created`, and
/// BigCommerce's literal `store/channel/*/inventory/product/stock_changed`); anything else
/// covers exactly the topic of that name, known or not.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Pattern {
    text: String,
    kind: Kind,
    separators: Vec<char>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Everything,
    /// The text without its trailing `*`, separator included.
    Prefix,
    Exact,
    /// Some segment before the end stands for any one segment; `open_end` when a trailing `*`
    /// covers any further segments.
    Segments {
        open_end: bool,
    },
}

/// Why a pattern was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    /// The pattern as given.
    pub pattern: String,
    /// What is wrong with it and how to write it instead.
    pub reason: String,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid subscription pattern `{}`: {}", self.pattern, self.reason)
    }
}

impl std::error::Error for PatternError {}

impl Pattern {
    /// Parses `text` for a platform whose topics use `separators`.
    pub fn parse(text: &str, separators: &[char]) -> Result<Self, PatternError> {
        let error = |reason: String| PatternError { pattern: text.to_owned(), reason };
        if text.is_empty() {
            return Err(error("it is empty; use `*` to cover every topic".into()));
        }
        if let Some(bad) = text.chars().find(|c| c.is_whitespace() || c.is_control()) {
            return Err(error(format!("it contains {bad:?}; topics never do")));
        }
        let segments: Vec<&str> = text.split(separators).collect();
        if let Some(star) = text.find('*').filter(|_| segments.iter().any(|s| s.contains('*') && *s != "*")) {
            let reason = if star + 1 == text.len() {
                format!(
                    "`*` must follow a separator ({}), as in `orders/*`",
                    separators.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(" or ")
                )
            } else {
                "`*` must be a whole segment, as in `orders/*` or `store/channel/*/cart/*`".into()
            };
            return Err(error(reason));
        }
        let open_end = segments.len() > 1 && segments.last() == Some(&"*");
        let inner = &segments[..segments.len() - usize::from(open_end)];
        let kind = if text == "*" {
            Kind::Everything
        } else if inner.iter().any(|segment| any_segment(segment)) {
            Kind::Segments { open_end }
        } else if open_end {
            Kind::Prefix
        } else {
            Kind::Exact
        };
        Ok(Self { text: text.to_owned(), kind, separators: separators.to_vec() })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether this pattern covers the topic with wire name `topic`.
    pub fn matches(&self, topic: &str) -> bool {
        match self.kind {
            Kind::Everything => true,
            Kind::Prefix => {
                let prefix = &self.text[..self.text.len() - 1];
                topic.len() > prefix.len() && topic.starts_with(prefix)
            }
            Kind::Exact => topic == self.text,
            Kind::Segments { open_end } => self.matches_segments(topic, open_end, false),
        }
    }

    /// Whether this pattern covers some topic of `template`, a topic with a placeholder
    /// segment (`store/channel/{channel_id}/cart/created`): the placeholder may stand for
    /// whatever the pattern has there (`store/channel/1/cart/*` covers it).
    pub fn covers_template(&self, template: &str) -> bool {
        match self.kind {
            Kind::Everything => true,
            Kind::Prefix => self.matches_segments(template, true, true),
            Kind::Exact => self.matches_segments(template, false, true),
            Kind::Segments { open_end } => self.matches_segments(template, open_end, true),
        }
    }

    /// Segment by segment, each with the separator after it: a wildcard segment of the pattern
    /// takes any one segment, and with `template`, a placeholder of the topic any one of the
    /// pattern's; a trailing `*` (`open_end`) takes one or more further segments.
    fn matches_segments(&self, topic: &str, open_end: bool, template: bool) -> bool {
        let separators = &self.separators[..];
        let mut topic_pieces = topic.split_inclusive(separators);
        let mut pieces = self.text.split_inclusive(separators).peekable();
        while let Some(piece) = pieces.next() {
            if open_end && pieces.peek().is_none() {
                return topic_pieces.next().is_some();
            }
            let Some(topic_piece) = topic_pieces.next() else { return false };
            let (segment, separator) = split_separator(piece, separators);
            let (topic_segment, topic_separator) = split_separator(topic_piece, separators);
            let fits = segment == topic_segment
                || (any_segment(segment) && !topic_segment.is_empty())
                || (template && is_placeholder(topic_segment) && !segment.is_empty());
            if separator != topic_separator || !fits {
                return false;
            }
        }
        topic_pieces.next().is_none()
    }
}

impl Pattern {
    /// The literal segment the pattern has where `template` has its placeholder
    /// (`"1"` for `store/channel/1/cart/*` and `store/channel/{channel_id}/cart/created`), and
    /// the template with it filled in. `None` when the pattern has a wildcard there or ends
    /// before it. (BigCommerce's app configuration registers per-channel topics so.)
    #[cfg(feature = "bigcommerce")]
    pub(crate) fn fill(&self, template: &str) -> Option<String> {
        let separators = &self.separators[..];
        let position = template.split(separators).position(is_placeholder)?;
        let segments: Vec<&str> = self.text.split(separators).collect();
        let open_end = matches!(self.kind, Kind::Prefix | Kind::Segments { open_end: true });
        let value = *segments.get(position).filter(|_| !(open_end && position + 1 == segments.len()))?;
        if any_segment(value) {
            return None;
        }
        let mut filled = String::new();
        for (index, piece) in template.split_inclusive(separators).enumerate() {
            let (segment, separator) = split_separator(piece, separators);
            filled.push_str(if index == position { value } else { segment });
            filled.push_str(separator);
        }
        Some(filled)
    }
}

/// A segment standing for any one segment: `*`, or a placeholder such as `{channel_id}`.
fn any_segment(segment: &str) -> bool {
    segment == "*" || is_placeholder(segment)
}

/// A placeholder segment, such as `{channel_id}`.
fn is_placeholder(segment: &str) -> bool {
    segment.len() > 2 && segment.starts_with('{') && segment.ends_with('}')
}

/// A piece of [`str::split_inclusive`] as its segment and the separator after it, if any.
fn split_separator<'a>(piece: &'a str, separators: &[char]) -> (&'a str, &'a str) {
    match piece.char_indices().next_back() {
        Some((at, last)) if separators.contains(&last) => (&piece[..at], &piece[at..]),
        _ => (piece, ""),
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEPS: &[char] = &['/', '.'];

    #[test]
    fn a_whole_star_or_placeholder_segment_covers_any_one_segment() {
        for text in ["store/channel/*/cart/*", "store/channel/{channel_id}/cart/*"] {
            let p = Pattern::parse(text, SEPS).unwrap();
            assert!(p.matches("store/channel/1/cart/created"), "{text}");
            assert!(p.matches("store/channel/22/cart/lineItem/created"), "{text}");
            assert!(!p.matches("store/channel/cart/created"), "{text}");
            assert!(!p.matches("store/channel/1/cart"), "{text}");
            assert!(!p.matches("store/channel/1/2/cart/created"), "{text}");
        }
        let literal = Pattern::parse("store/channel/*/inventory/product/stock_changed", SEPS).unwrap();
        assert!(literal.matches("store/channel/*/inventory/product/stock_changed"));
        assert!(!literal.matches("store/channel/*/inventory/product/stock_changed/x"));
        // A separator must be the same one.
        assert!(!Pattern::parse("a/*/c", SEPS).unwrap().matches("a/b.c"));
    }

    #[test]
    #[cfg(feature = "bigcommerce")]
    fn a_pattern_fills_a_template_with_its_literal_segment_only() {
        let template = "store/channel/{channel_id}/cart/created";
        let fill = |text: &str| Pattern::parse(text, SEPS).unwrap().fill(template);
        assert_eq!(fill("store/channel/1/cart/*").as_deref(), Some("store/channel/1/cart/created"));
        assert_eq!(fill("store/channel/1/*").as_deref(), Some("store/channel/1/cart/created"));
        assert_eq!(fill("store/channel/*/cart/*"), None);
        assert_eq!(fill("store/channel/{channel_id}/cart/*"), None);
        assert_eq!(fill("store/channel/*"), None);
        assert_eq!(fill("store/*"), None);
        assert_eq!(Pattern::parse("orders/*", SEPS).unwrap().fill("orders/create"), None);
    }

    #[test]
    fn a_template_is_covered_when_its_placeholder_can_be_what_the_pattern_has() {
        let template = "store/channel/{channel_id}/cart/created";
        for text in ["*", "store/*", "store/channel/1/cart/*", "store/channel/1/cart/created", "store/channel/*/cart/*"]
        {
            assert!(Pattern::parse(text, SEPS).unwrap().covers_template(template), "{text}");
        }
        for text in ["store/channel/1/order/*", "store/channel/1/cart/deleted", "store/cart/*", "store/channel/1/cart"]
        {
            assert!(!Pattern::parse(text, SEPS).unwrap().covers_template(template), "{text}");
        }
    }

    #[test]
    fn prefix_covers_deeper_paths_but_not_the_bare_prefix() {
        let p = Pattern::parse("store/cart/*", SEPS).unwrap();
        assert!(p.matches("store/cart/created"));
        assert!(p.matches("store/cart/lineItem/created"));
        assert!(!p.matches("store/cart/"));
        assert!(!p.matches("store/cartx/created"));
        assert!(!p.matches("store/order/created"));
    }

    #[test]
    fn star_covers_everything_and_exact_covers_one() {
        assert!(Pattern::parse("*", SEPS).unwrap().matches("anything/at_all"));
        let exact = Pattern::parse("orders/create", SEPS).unwrap();
        assert!(exact.matches("orders/create"));
        assert!(!exact.matches("orders/create2"));
    }

    #[test]
    fn malformed_patterns_say_why() {
        for bad in ["", "orders*", "ord*ers/create", "orders/x*/create", "orders /*", "orders-*"] {
            let err = Pattern::parse(bad, SEPS).unwrap_err();
            assert_eq!(err.pattern, bad);
            assert!(!err.reason.is_empty());
        }
    }
}
