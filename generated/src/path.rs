//! JSON paths in decode errors, without a second, path-tracking decode.
//!
//! The decoder's adapters (`visit.rs`) wrap an error from an object's value with its key
//! ([`at_key`]) and an error from an array's element with its index ([`at_index`]), so by the
//! time an error leaves the body the path is written into its message, ahead of the original
//! text and behind a marker. [`split`] takes it out again. Nothing of this runs
//! unless decoding fails.

use serde::de;

/// Starts and ends the path inside an error message.
const MARK: char = '\u{1f}';

/// Prefixes `prefix` (a key or `[index]`) to the path already in `error`.
fn wrap<E: de::Error>(prefix: &str, error: E) -> E {
    E::custom(wrap_text(prefix, &error.to_string()))
}

/// An error message with `prefix` in front of the path already in it.
pub fn wrap_text(prefix: &str, text: &str) -> String {
    let (inner, message) = split(without_position(text));
    let path = match inner {
        "" => prefix.to_owned(),
        inner if inner.starts_with('[') => format!("{prefix}{inner}"),
        inner => format!("{prefix}.{inner}"),
    };
    format!("{MARK}{path}{MARK}{message}")
}

/// Puts `key` in front of the path of an error from that key's value.
pub fn at_key<E: de::Error>(key: &str, error: E) -> E {
    wrap(key, error)
}

/// Puts `[index]` in front of the path of an error from that array element.
pub fn at_index<E: de::Error>(index: usize, error: E) -> E {
    wrap(&format!("[{index}]"), error)
}

/// Splits a message into (path, message); the path is empty when the error has none.
pub fn split(text: &str) -> (&str, &str) {
    text.strip_prefix(MARK).and_then(|rest| rest.split_once(MARK)).unwrap_or(("", text))
}

/// serde_json appends " at line 1 column 5" to data errors; the path says more.
pub fn without_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(at) if message[at..].contains(" column ") => &message[..at],
        _ => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_compose_from_the_inside_out() {
        let error = serde_json::Error::custom("bad");
        let error = at_key("amount", error);
        let error = at_key("shop_money", error);
        let error = at_index(3, error);
        let error = at_key("line_items", error);
        assert_eq!(split(&error.to_string()), ("line_items[3].shop_money.amount", "bad"));
        assert_eq!(split("plain"), ("", "plain"));
    }

    use serde::de::Error as _;
}
