//! Subscription patterns: `*`, `orders/*`, `store/cart/*`, or one exact topic.

use std::fmt;

/// A parsed subscription pattern.
///
/// `*` covers every topic; `prefix<sep>*` covers every topic that starts with `prefix<sep>`,
/// at any depth (BigCommerce's `store/cart/*` covers `store/cart/lineItem/created`); anything
/// else covers exactly the topic of that name, known or not.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Pattern {
    text: String,
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Everything,
    /// The text without its trailing `*`, separator included.
    Prefix,
    Exact,
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
        let kind = match text.find('*') {
            None => Kind::Exact,
            Some(_) if text == "*" => Kind::Everything,
            Some(star) if star + 1 == text.len() => {
                let before = text[..star].chars().next_back();
                if !before.is_some_and(|c| separators.contains(&c)) {
                    return Err(error(format!(
                        "`*` must follow a separator ({}), as in `orders/*`",
                        separators.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(" or ")
                    )));
                }
                Kind::Prefix
            }
            Some(_) => return Err(error("`*` may only end a pattern, as in `orders/*`".into())),
        };
        Ok(Self { text: text.to_owned(), kind })
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
        }
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
        for bad in ["", "orders*", "*/create", "orders/*/x", "orders /*", "orders-*"] {
            let err = Pattern::parse(bad, SEPS).unwrap_err();
            assert_eq!(err.pattern, bad);
            assert!(!err.reason.is_empty());
        }
    }
}
