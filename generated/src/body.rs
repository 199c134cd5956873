//! Reads fields of a raw JSON body by their paths, as text, without decoding the rest into
//! values (the walk of [`crate::wire::topic_in_body`], extended: several paths in one walk,
//! integers count as text, and a key repeated along a path is reported instead of silently
//! picking one).
//!
//! [`DeliveryBody`] gathers every body field receiving a delivery reads (the fields the
//! signature covers, the topic, the delivery id, the store id) into one walk over the bytes,
//! done the first time one of them is asked for.
//!
//! # Ecwid's fast path
//!
//! Ecwid signs two top-level body fields, so its verification is reading them, and every field
//! it reads is a top-level key. For Ecwid alone [`DeliveryBody`] first tries [`scan`]: it reads
//! the top-level object's keys from the bytes and skips every value it is not asked for without
//! decoding it (strings to their closing quote, with `memchr` once they are long; arrays and
//! objects to their closing bracket, counting brackets outside strings). On every JSON
//! document it answers exactly what the serde walk ([`find_all`]) answers. Whatever it does not
//! handle simply makes it give up, and the serde walk answers instead, errors included: an
//! escaped key, an escaped or non-UTF-8 string where a value is read, a number that is not a
//! plain integer, a top level that is not an object, anything but whitespace after it, brackets
//! that do not match or nest deeper than 128, a string or the body that does not end.
//!
//! It is strict about the top-level object and about the structure of what it skips (strings
//! end, brackets match), and lax about the rest of what it skips: the scalars, commas and colons
//! inside a skipped value, and the bytes of a skipped string (control characters, escapes). So
//! an Ecwid body that is not JSON only there, such as
//! `{"eventId":"e","eventCreated":1,"data":[tru]}`, yields its signed fields where the serde
//! walk fails, and its signature is checked instead of the delivery being refused with
//! [`crate::ReceiveError::UnreadableSignedField`]. That is deliberate: the signature covers only
//! `eventCreated.eventId`, so those two values are all a genuine signature vouches for, whatever
//! the rest of the body holds, and whoever can sign them can as well send any valid body. Such a
//! delivery still reaches the application undecoded: `Delivery::decode_verified` decodes the
//! whole body with serde_json, which reports it as [`crate::DecodeError::Syntax`], next to the
//! delivery id, topic and store the scan read. A truncated body (the usual damage) is no such
//! case: its top-level object does not end, so the scan gives up and the walk fails as before.
//!
//! The other platforms keep the serde walk: Shopware reads nested paths, and BigCommerce signs
//! the whole body and reads its fields only after verification, where the scan's laxness would
//! only change which error an undecodable body reports.

use std::cell::OnceCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::verify::{ECWID_CREATED, ECWID_ID, SHOPWARE_TIMESTAMP};
use crate::{DeliveryFacts, Location, SignatureScheme};

/// What is at a path of a JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Found {
    /// Nothing: a key is missing or a value along the path is not an object.
    Absent,
    /// A string.
    Text(String),
    /// An integer, written in decimal.
    Integer(String),
    /// Something else (a float, a boolean, null, an object, an array).
    NotText,
    /// A key along the path occurs more than once in its object.
    Duplicate,
}

/// Reads the value at `path` (e.g. `["source", "eventId"]`) of `body`. Fails only when the
/// body is not JSON.
pub(crate) fn find(body: &[u8], path: &[&str]) -> Result<Found, serde_json::Error> {
    let [found] = find_all(body, [Some(path)])?;
    Ok(found)
}

/// Reads the values at several paths of `body` in one walk: the result's `i`th value is what
/// [`find`] says of `paths[i]` alone (a `None` path is not looked for, and is
/// [`Found::Absent`]). Everything off the paths is skipped with [`IgnoredAny`]. Fails only
/// when the body is not JSON.
pub(crate) fn find_all<const N: usize>(
    body: &[u8],
    paths: [Option<&[&str]>; N],
) -> Result<[Found; N], serde_json::Error> {
    let mut found = std::array::from_fn(|_| Found::Absent);
    let walk = Walk {
        paths: &paths.map(Option::unwrap_or_default),
        depth: 0,
        active: paths.map(|path| path.is_some()),
        found: &mut found,
    };
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    walk.deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(found)
}

/// The walk at one value of the body, `depth` keys down: `active[i]` when the first `depth`
/// keys of `paths[i]` are the keys that led here. Each active path that ends here takes the
/// value into `found[i]`; a longer one finds the value's key, or stays [`Found::Absent`].
struct Walk<'w, const N: usize> {
    paths: &'w [&'w [&'w str]; N],
    depth: usize,
    active: [bool; N],
    found: &'w mut [Found; N],
}

impl<const N: usize> Walk<'_, N> {
    /// Which active paths end at this value.
    fn ending(&self) -> [bool; N] {
        std::array::from_fn(|i| self.active[i] && self.paths[i].len() == self.depth)
    }

    /// Gives this value, as `value` makes it, to every active path that ends here.
    fn take(self, value: impl Fn() -> Found) {
        let ending = self.ending();
        for (found, ends) in self.found.iter_mut().zip(ending) {
            if ends {
                *found = value();
            }
        }
    }
}

impl<'de, const N: usize> DeserializeSeed<'de> for Walk<'_, N> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, const N: usize> Visitor<'de> for Walk<'_, N> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<(), E> {
        self.take(|| Found::Text(value.to_owned()));
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<(), E> {
        self.take(|| Found::Integer(value.to_string()));
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<(), E> {
        self.take(|| Found::Integer(value.to_string()));
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.take(|| Found::NotText);
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.take(|| Found::NotText);
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.take(|| Found::NotText);
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        self.take(|| Found::NotText);
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let ending = self.ending();
        let Walk { paths, depth, active, found } = self;
        for (found, ends) in found.iter_mut().zip(ending) {
            if ends {
                *found = Found::NotText;
            }
        }
        let deeper: [bool; N] = std::array::from_fn(|i| active[i] && !ending[i]);
        if !deeper.contains(&true) {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        // Which paths already took a value under this object: a second one is a duplicate.
        let mut seen = [false; N];
        while let Some(key) = map.next_key::<crate::wire::Key<'de>>()? {
            let next: [bool; N] = std::array::from_fn(|i| deeper[i] && paths[i].get(depth) == Some(&key.as_str()));
            if !next.contains(&true) {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            map.next_value_seed(Walk { paths, depth: depth + 1, active: next, found: &mut *found })?;
            for ((found, seen), next) in found.iter_mut().zip(&mut seen).zip(next) {
                if next && *seen {
                    *found = Found::Duplicate;
                }
                *seen |= next;
            }
        }
        Ok(())
    }
}

/// A body field receiving a delivery may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    /// Ecwid's signed `eventCreated`.
    EcwidCreated,
    /// Ecwid's signed `eventId`.
    EcwidId,
    /// The topic, where [`DeliveryFacts::topic`] is in the body.
    Topic,
    /// The delivery id, where [`DeliveryFacts::delivery_id`] is in the body.
    DeliveryId,
    /// The store id, where [`DeliveryFacts::store_id`] is in the body.
    StoreId,
    /// Shopware's signed body `timestamp`.
    ShopwareTimestamp,
}

/// A delivery's raw body and the body fields receiving it reads, all read in one walk the
/// first time one of them is asked for: before the signature check only when the scheme signs
/// body fields (Ecwid, which walked the body there already), otherwise after it.
pub(crate) struct DeliveryBody<'b> {
    raw: &'b [u8],
    /// By [`Field`]; `None` where the platform does not read that field from the body.
    paths: [Option<&'static [&'static str]>; 6],
    /// Whether to try [`scan::top_level`] before the serde walk (Ecwid; see the module docs).
    scan: bool,
    found: OnceCell<Result<[Found; 6], serde_json::Error>>,
}

impl<'b> DeliveryBody<'b> {
    /// The body fields `facts` says a delivery is read by.
    pub(crate) fn new(facts: &DeliveryFacts, raw: &'b [u8]) -> Self {
        let ecwid = facts.scheme == SignatureScheme::EcwidCreatedDotId;
        let shopware = facts.scheme == SignatureScheme::HmacSha256HexBody;
        let in_body = |location| match location {
            Location::Body(_, path) => Some(path),
            Location::Header(_) => None,
        };
        let paths = [
            ecwid.then_some(&[ECWID_CREATED][..]),
            ecwid.then_some(&[ECWID_ID][..]),
            in_body(facts.topic),
            in_body(facts.delivery_id),
            in_body(facts.store_id),
            shopware.then_some(&[SHOPWARE_TIMESTAMP][..]),
        ];
        Self { raw, paths, scan: ecwid, found: OnceCell::new() }
    }

    /// The body as received.
    pub(crate) fn raw(&self) -> &'b [u8] {
        self.raw
    }

    /// What is at `field` ([`Found::Absent`] when the platform does not read it from the
    /// body), exactly what [`find`] says of its path alone. When the body is not JSON, the
    /// path is read again alone so the error is the same as well (the walk for every field
    /// reads more values, and may stop earlier); an Ecwid body that is not JSON only inside
    /// values the scan skips is read as the scan reads it instead (see the module docs).
    pub(crate) fn get(&self, field: Field) -> Result<Found, serde_json::Error> {
        let Some(path) = self.paths[field as usize] else { return Ok(Found::Absent) };
        match self.found.get_or_init(|| self.read_all()) {
            Ok(found) => Ok(found[field as usize].clone()),
            Err(_) => find(self.raw, path),
        }
    }

    /// Every field at once: by the scan where it is tried and answers, else by the walk.
    fn read_all(&self) -> Result<[Found; 6], serde_json::Error> {
        match self.scan.then(|| scan::top_level(self.raw, &self.paths)).flatten() {
            Some(found) => Ok(found),
            None => find_all(self.raw, self.paths),
        }
    }
}

/// Ecwid's fast path (see the module docs): the top-level keys of a body, read from its bytes.
///
/// Every function answers `None` for "not handled here", and the caller then falls back to
/// the serde walk; none of them indexes past the end of the body or panics on any input.
mod scan {
    use memchr::memchr2;

    use super::Found;

    /// Bracket levels [`Cursor::skip_container`] can check (one bit of a `u128` each); deeper
    /// than that, the serde walk answers.
    const MAX_DEPTH: u32 = u128::BITS;

    /// What [`super::find_all`] answers for `paths` on `body`, when every path given is one
    /// top-level key and the body is a plain top-level object (see the module docs); `None`
    /// otherwise.
    pub(super) fn top_level<const N: usize>(body: &[u8], paths: &[Option<&[&str]>; N]) -> Option<[Found; N]> {
        let keys = top_level_keys(paths)?;
        let mut cursor = Cursor { body, at: 0 };
        let mut found = std::array::from_fn(|_| Found::Absent);
        // Which keys already took a value: a second one is a duplicate, as in the walk.
        let mut seen = [false; N];
        cursor.skip_whitespace();
        cursor.eat(b'{')?;
        cursor.skip_whitespace();
        if cursor.peek() == Some(b'}') {
            cursor.at += 1;
        } else {
            loop {
                cursor.member(&keys, &mut found, &mut seen)?;
                cursor.skip_whitespace();
                match cursor.next()? {
                    b',' => cursor.skip_whitespace(),
                    b'}' => break,
                    _ => return None,
                }
            }
        }
        cursor.skip_whitespace();
        cursor.at_end().then_some(found)
    }

    /// The key of each path, when every path given is exactly one key.
    fn top_level_keys<'p, const N: usize>(paths: &[Option<&[&'p str]>; N]) -> Option<[Option<&'p str>; N]> {
        let mut keys = [None; N];
        for (key, path) in keys.iter_mut().zip(paths) {
            match path {
                Some([only]) => *key = Some(*only),
                Some(_) => return None,
                None => {}
            }
        }
        Some(keys)
    }

    /// A position in the body.
    struct Cursor<'b> {
        body: &'b [u8],
        at: usize,
    }

    impl<'b> Cursor<'b> {
        /// The byte at the cursor.
        fn peek(&self) -> Option<u8> {
            self.body.get(self.at).copied()
        }

        /// The byte at the cursor, stepping over it.
        fn next(&mut self) -> Option<u8> {
            let byte = self.peek()?;
            self.at += 1;
            Some(byte)
        }

        /// Steps over `byte`, which must be at the cursor.
        fn eat(&mut self, byte: u8) -> Option<()> {
            (self.next()? == byte).then_some(())
        }

        /// The bytes from the cursor on (none once past the end).
        fn rest(&self) -> &'b [u8] {
            self.body.get(self.at..).unwrap_or_default()
        }

        /// Whether the cursor is at the end of the body.
        fn at_end(&self) -> bool {
            self.at == self.body.len()
        }

        /// Steps over JSON whitespace.
        fn skip_whitespace(&mut self) {
            while matches!(self.peek(), Some(b' ' | b'\n' | b'\t' | b'\r')) {
                self.at += 1;
            }
        }

        /// One `"key": value` member of the top-level object: the value of a wanted key goes
        /// to every path of that key, the others' values are skipped. An escaped key might
        /// spell a wanted one, so it is not handled.
        fn member<const N: usize>(
            &mut self,
            keys: &[Option<&str>; N],
            found: &mut [Found; N],
            seen: &mut [bool; N],
        ) -> Option<()> {
            self.eat(b'"')?;
            let key = self.plain_string()?;
            self.skip_whitespace();
            self.eat(b':')?;
            self.skip_whitespace();
            let wanted: [bool; N] = std::array::from_fn(|i| keys[i].is_some_and(|k| k.as_bytes() == key));
            if !wanted.contains(&true) {
                return self.skip_value();
            }
            let value = self.value()?;
            for ((found, seen), wanted) in found.iter_mut().zip(seen.iter_mut()).zip(wanted) {
                if wanted {
                    *found = if *seen { Found::Duplicate } else { value.clone() };
                    *seen = true;
                }
            }
            Some(())
        }

        /// A wanted value, as the walk reads it. Floats are left to the walk: serde_json
        /// refuses some (`1e999`) and their grammar is not worth repeating here.
        fn value(&mut self) -> Option<Found> {
            match self.peek()? {
                b'"' => {
                    self.at += 1;
                    self.text()
                }
                b'-' | b'0'..=b'9' => self.integer(),
                b'{' | b'[' => self.skip_container().map(|()| Found::NotText),
                b't' => self.literal(b"true"),
                b'f' => self.literal(b"false"),
                b'n' => self.literal(b"null"),
                _ => None,
            }
        }

        /// The rest of a wanted string, when it has no escapes and is text serde_json accepts
        /// (UTF-8, no control characters).
        fn text(&mut self) -> Option<Found> {
            let text = self.plain_string()?;
            if text.iter().any(|&byte| byte < 0x20) {
                return None;
            }
            Some(Found::Text(std::str::from_utf8(text).ok()?.to_owned()))
        }

        /// An integer the walk reads as one, written as the walk writes it (its own digits):
        /// `0`, or no leading zero and at most 19 digits (18 when negative), so that it fits
        /// `u64` (`i64`). Anything else (`-0`, which serde_json reads as a float, longer
        /// integers, fractions, exponents, leading zeros) is left to the walk.
        fn integer(&mut self) -> Option<Found> {
            let start = self.at;
            let negative = self.peek() == Some(b'-');
            let digits_start = start + usize::from(negative);
            let digits = self.body.get(digits_start..)?.iter().take_while(|byte| byte.is_ascii_digit()).count();
            let plain = match self.body.get(digits_start..digits_start + digits)? {
                [b'0'] => !negative,
                [b'1'..=b'9', ..] => digits <= if negative { 18 } else { 19 },
                _ => false,
            };
            self.at = digits_start + digits;
            if !plain || matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
                return None;
            }
            let text = std::str::from_utf8(self.body.get(start..self.at)?).ok()?;
            Some(Found::Integer(text.to_owned()))
        }

        /// `true`, `false` or `null` (all [`Found::NotText`]); what follows is checked by the
        /// caller, as after any value.
        fn literal(&mut self, word: &[u8]) -> Option<Found> {
            if !self.rest().starts_with(word) {
                return None;
            }
            self.at += word.len();
            Some(Found::NotText)
        }

        /// The rest of a string without escapes (the cursor is past its opening quote), raw.
        fn plain_string(&mut self) -> Option<&'b [u8]> {
            let (start, end) = (self.at, quote_or_backslash(self.body, self.at)?);
            if self.body.get(end) != Some(&b'"') {
                return None;
            }
            self.at = end + 1;
            self.body.get(start..end)
        }

        /// Steps over a value that is not wanted: strings and containers structurally, a
        /// scalar as the run of bytes that can make one (not checked, see the module docs).
        fn skip_value(&mut self) -> Option<()> {
            match self.peek()? {
                b'"' => {
                    self.at += 1;
                    self.skip_string()
                }
                b'{' | b'[' => self.skip_container(),
                _ => self.skip_scalar(),
            }
        }

        /// Steps over a number or literal, unchecked: at least one byte of `[0-9a-zA-Z+-.]`.
        fn skip_scalar(&mut self) -> Option<()> {
            let length = self
                .rest()
                .iter()
                .take_while(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'+' | b'-' | b'.'))
                .count();
            self.at += length;
            (length > 0).then_some(())
        }

        /// Steps over the rest of a string (the cursor is past its opening quote); see
        /// [`string_end`].
        fn skip_string(&mut self) -> Option<()> {
            self.at = string_end(self.body, self.at)?;
            Some(())
        }

        /// Steps over an array or object (the cursor is at its opening bracket), however it
        /// nests, checking that each bracket closes the kind it opened, strings included. The
        /// scalars, commas and colons in between are not checked (see the module docs).
        fn skip_container(&mut self) -> Option<()> {
            // A local copy of the position: this loop is where the scan spends its time.
            let (body, mut at) = (self.body, self.at);
            // One bit per bracket still open, the innermost lowest: 1 for `{`, 0 for `[`.
            let mut open = 0u128;
            let mut depth = 0;
            loop {
                // Jump over the bytes between structural ones (scalars, commas, colons, spaces).
                at += body.get(at..)?.iter().position(|&byte| STRUCTURAL[usize::from(byte)])?;
                let byte = *body.get(at)?;
                at += 1;
                match byte {
                    b'"' => at = string_end(body, at)?,
                    b'{' | b'[' => {
                        if depth == MAX_DEPTH {
                            return None;
                        }
                        open = open << 1 | u128::from(byte == b'{');
                        depth += 1;
                    }
                    _ => {
                        if depth == 0 || (open & 1 == 1) != (byte == b'}') {
                            return None;
                        }
                        open >>= 1;
                        depth -= 1;
                        if depth == 0 {
                            self.at = at;
                            return Some(());
                        }
                    }
                }
            }
        }
    }

    /// The bytes [`Cursor::skip_container`] stops at: quotes and brackets.
    const STRUCTURAL: [bool; 256] = {
        let (bytes, mut table, mut i) = (b"\"{}[]", [false; 256], 0);
        while i < bytes.len() {
            table[bytes[i] as usize] = true;
            i += 1;
        }
        table
    };

    /// Where a string that goes on at `at` (past its opening quote) ends: past its closing
    /// quote. Jumps from each quote or backslash to the next; a backslash escapes the byte
    /// after it (the rest of a `\uXXXX` escape holds neither). The escapes are not checked.
    fn string_end(body: &[u8], mut at: usize) -> Option<usize> {
        loop {
            let stop = quote_or_backslash(body, at)?;
            if body.get(stop) == Some(&b'"') {
                return Some(stop + 1);
            }
            at = stop + 2;
        }
    }

    /// How many bytes [`quote_or_backslash`] looks at one by one before it calls memchr. JSON
    /// is mostly short strings (keys, ids), on which a call to memchr costs more than it saves:
    /// scanning the 10 KiB padded Ecwid bench body took 1.2x the time of a bare HMAC-SHA256 of
    /// it with memchr alone, 1.0x byte by byte, 0.9x like this (natively, with SHA-NI).
    const SHORT: usize = 32;

    /// The position of the first quote or backslash at or after `at`.
    fn quote_or_backslash(body: &[u8], at: usize) -> Option<usize> {
        let rest = body.get(at..)?;
        let head = rest.get(..SHORT).unwrap_or(rest);
        let found = match head.iter().position(|&byte| matches!(byte, b'"' | b'\\')) {
            Some(found) => found,
            None => head.len() + memchr2(b'"', b'\\', rest.get(head.len()..)?)?,
        };
        Some(at + found)
    }
}

#[cfg(test)]
mod tests {
    use super::{find, find_all, scan, DeliveryBody, Field, Found};

    #[test]
    fn reads_strings_and_integers_as_text() {
        let body = br#"{"a":{"b":"x\u0041"},"n":-12,"u":1700000000,"f":1.5,"o":{},"t":true}"#;
        assert_eq!(find(body, &["a", "b"]).unwrap(), Found::Text("xA".into()));
        assert_eq!(find(body, &["n"]).unwrap(), Found::Integer("-12".into()));
        assert_eq!(find(body, &["u"]).unwrap(), Found::Integer("1700000000".into()));
        assert_eq!(find(body, &["f"]).unwrap(), Found::NotText);
        assert_eq!(find(body, &["o"]).unwrap(), Found::NotText);
        assert_eq!(find(body, &["t"]).unwrap(), Found::NotText);
        assert_eq!(find(body, &["missing"]).unwrap(), Found::Absent);
        assert_eq!(find(body, &["n", "deeper"]).unwrap(), Found::Absent);
    }

    #[test]
    fn reports_duplicates_along_the_path() {
        assert_eq!(find(br#"{"id":"a","id":"b"}"#, &["id"]).unwrap(), Found::Duplicate);
        assert_eq!(find(br#"{"s":{"id":1},"s":{"x":1}}"#, &["s", "id"]).unwrap(), Found::Duplicate);
        assert_eq!(find(br#"{"s":{"id":"a","id":"a"}}"#, &["s", "id"]).unwrap(), Found::Duplicate);
        assert_eq!(find(br#"{"id":"a","x":{"id":"b"}}"#, &["id"]).unwrap(), Found::Text("a".into()));
    }

    #[test]
    fn fails_only_on_invalid_json() {
        assert!(find(br#"{"id":"a""#, &["id"]).is_err());
        assert!(find(br#"{"id":"a"} trailing"#, &["id"]).is_err());
        assert_eq!(find(b"[1,2]", &["id"]).unwrap(), Found::Absent);
        assert_eq!(find(b"\"x\"", &[]).unwrap(), Found::Text("x".into()));
    }

    #[test]
    fn reads_several_paths_in_one_walk() {
        let body = br#"{"data":{"event":"e","payload":{}},"source":{"shopId":"s","eventId":7},"id":1,"id":2}"#;
        let found = find_all(
            body,
            [
                Some(&["data", "event"][..]),
                Some(&["source", "eventId"]),
                None,
                Some(&["source", "shopId"]),
                Some(&["source", "eventId"]),
                Some(&["id"]),
                Some(&["data"]),
                Some(&["data", "payload", "x"]),
            ],
        )
        .unwrap();
        let text = |s: &str| Found::Text(s.into());
        assert_eq!(
            found,
            [
                text("e"),
                Found::Integer("7".into()),
                Found::Absent,
                text("s"),
                Found::Integer("7".into()),
                Found::Duplicate,
                Found::NotText,
                Found::Absent
            ]
        );
    }

    /// Every path of `find_all` reads what `find` reads of it alone, on random bodies full of
    /// repeated keys, nesting and odd values, some of them broken; and the walk for all paths
    /// fails only on bodies that are not JSON.
    #[test]
    fn several_paths_read_what_each_path_reads_alone() {
        const SCALARS: &[&str] =
            &["1", "-2", "1.5", "1e999", "true", "null", "\"x\"", "\"\\u0041\"", "\"\\ud800\"", "\"\u{e9}\""];
        const DAMAGE: &[&[u8]] = &[b"{", b"}", b"]", b",", b":", b"\"", b"\xff", b"\"\xff\":1,", b"1e999"];
        const PATHS: [&[&str]; 8] =
            [&[], &["a"], &["b"], &["a", "b"], &["a", "c"], &["b", "a"], &["a", "b", "c"], &["a"]];
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        fn value(out: &mut Vec<u8>, depth: usize, next: &mut dyn FnMut(usize) -> usize) {
            match next(if depth > 3 { 2 } else { 5 }) {
                0 | 1 => out.extend_from_slice(SCALARS[next(SCALARS.len())].as_bytes()),
                2 => {
                    out.push(b'[');
                    for i in 0..next(3) {
                        out.extend_from_slice(if i == 0 { b"" } else { b"," });
                        value(out, depth + 1, next);
                    }
                    out.push(b']');
                }
                _ => {
                    out.push(b'{');
                    for i in 0..next(4) {
                        out.extend_from_slice(if i == 0 { b"" } else { b"," });
                        out.extend_from_slice([&b"\"a\":"[..], b"\"b\":", b"\"c\":", b"\"\\u0061\":"][next(4)]);
                        value(out, depth + 1, next);
                    }
                    out.push(b'}');
                }
            }
        }
        let (mut texts, mut duplicates, mut broken) = (0, 0, 0);
        for _ in 0..100_000 {
            let mut body = Vec::new();
            value(&mut body, 0, &mut next);
            if next(4) == 0 {
                let at = next(body.len() + 1);
                body.splice(at..at, DAMAGE[next(DAMAGE.len())].iter().copied());
            }
            let alone: Vec<_> = PATHS.iter().map(|path| find(&body, path).ok()).collect();
            match find_all(&body, PATHS.map(Some)) {
                Ok(found) => {
                    for (found, alone) in found.iter().zip(&alone) {
                        assert_eq!(Some(found), alone.as_ref(), "{}", String::from_utf8_lossy(&body));
                    }
                    texts += found.iter().filter(|found| matches!(found, Found::Text(_) | Found::Integer(_))).count();
                    duplicates += usize::from(found[3] == Found::Duplicate);
                }
                Err(_) => {
                    broken += 1;
                    let lossy = String::from_utf8_lossy(&body);
                    assert!(serde_json::from_slice::<serde_json::Value>(&body).is_err(), "{lossy}");
                }
            }
        }
        assert!(texts > 500 && duplicates > 500 && broken > 500, "{texts} {duplicates} {broken}");
    }

    /// The paths [`DeliveryBody`] reads of an Ecwid body, by [`Field`].
    const ECWID: [Option<&[&str]>; 6] = [
        Some(&["eventCreated"]),
        Some(&["eventId"]),
        Some(&["eventType"]),
        Some(&["eventId"]),
        Some(&["storeId"]),
        None,
    ];

    fn text(s: &str) -> Found {
        Found::Text(s.into())
    }

    fn integer(s: &str) -> Found {
        Found::Integer(s.into())
    }

    /// What the scan answers for the Ecwid fields; wherever it answers, the walk must answer
    /// the same.
    fn scanned(body: &[u8]) -> Option<[Found; 6]> {
        let found = scan::top_level(body, &ECWID)?;
        let walked = find_all(body, ECWID).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(body)));
        assert_eq!(found, walked, "{}", String::from_utf8_lossy(body));
        Some(found)
    }

    #[cfg(feature = "ecwid")]
    #[test]
    fn ecwid_bodies_are_scanned_for_the_paths_above() {
        let body = DeliveryBody::new(&crate::ecwid::DELIVERY, b"{}");
        assert!(body.scan);
        assert_eq!(body.paths, ECWID);
    }

    #[test]
    fn scan_reads_top_level_keys_as_the_walk_does() {
        let absent = || Found::Absent;
        assert_eq!(scanned(b"{}"), Some(std::array::from_fn(|_| absent())));
        assert_eq!(scanned(b" \r\n\t{ \n}\n "), Some(std::array::from_fn(|_| absent())));
        let spaced = b" \n\t\r{ \n\"eventId\" \t:\r\"abc-123\" ,\n\"eventCreated\"\n:\n1700000000\t,\"storeId\" : 1003 ,\r\n\"eventType\":\"order.created\"}\r\n ";
        let found = [text("abc-123"), text("abc-123"), integer("1700000000"), text("order.created")];
        let [id, id_again, created, topic] = found;
        let expected = [created, id, topic, id_again, integer("1003"), Found::Absent];
        assert_eq!(scanned(spaced), Some(expected));
        // A nested key of the same name is not the top-level one.
        let nested = br#"{"data":{"eventId":1,"x":[{"eventId":3}]},"eventId":2}"#;
        assert_eq!(scanned(nested).unwrap()[1], integer("2"));
        assert_eq!(scanned(br#"{"data":{"eventId":1}}"#).unwrap()[1], Found::Absent);
        // A top-level key twice (or more) is a duplicate, for every path of that key.
        for body in [&br#"{"eventId":"a","eventId":"a"}"#[..], br#"{"eventId":"a","x":1,"eventId":{},"eventId":"c"}"#] {
            let found = scanned(body).unwrap();
            assert_eq!((&found[1], &found[3], &found[0]), (&Found::Duplicate, &Found::Duplicate, &Found::Absent));
        }
        // Skipped strings holding brackets, quotes, backslashes and escapes.
        let strings = br#"{"data":"}\"\\","a":["]\\\"}\u0041{["],"b":{"c":"\\"},"eventId":"x","d":"\\\\"}"#;
        assert_eq!(scanned(strings).unwrap()[1], text("x"));
        // Strings longer than the bytes looked at before memchr.
        let long = "0123456789".repeat(5);
        let body = format!(r#"{{"a":"{long}\"{long}\\","eventType":"{long}","b":["{long}}}"]}}"#);
        assert_eq!(scanned(body.as_bytes()).unwrap()[2], text(&long));
        // Integers as serde_json reads them; other values are not text.
        for (value, found) in [
            ("0", integer("0")),
            ("-12", integer("-12")),
            ("1234567890123456789", integer("1234567890123456789")),
            ("-123456789012345678", integer("-123456789012345678")),
            ("\"\"", text("")),
            ("\"caf\u{e9}\"", text("caf\u{e9}")),
            ("null", Found::NotText),
            ("true", Found::NotText),
            ("false", Found::NotText),
            ("[1,{\"eventCreated\":2}]", Found::NotText),
            ("{\"a\":[]}", Found::NotText),
            ("[]", Found::NotText),
        ] {
            let body = format!(r#"{{"eventCreated" : {value} ,"x":1.5e-3}}"#);
            assert_eq!(scanned(body.as_bytes()).unwrap()[0], found, "{body}");
        }
        // Skipped values of every kind, nested a hundred deep.
        let deep = format!(
            r#"{{"a":{}1{},"b":-1.5E+3,"c":null,"d":"\u00e9","eventId":"e"}}"#,
            "[".repeat(100),
            "]".repeat(100)
        );
        assert_eq!(scanned(deep.as_bytes()).unwrap()[1], text("e"));
    }

    /// Where the scan gives up, and what the walk then answers.
    #[test]
    fn scan_leaves_what_it_does_not_handle_to_the_walk() {
        let walked = |body: &[u8]| find_all(body, ECWID).ok().map(|found| found[1].clone());
        for (body, walk) in [
            // Escaped keys, which may spell a wanted one.
            (&br#"{"event\u0049d":"a"}"#[..], Some(text("a"))),
            (br#"{"\u0065ventId":"a","eventId":"b"}"#, Some(Found::Duplicate)),
            (br#"{"x\"y":1,"eventId":"b"}"#, Some(text("b"))),
            // A wanted string with an escape, a control character or invalid UTF-8.
            (br#"{"eventId":"a\u0041"}"#, Some(text("aA"))),
            (br#"{"eventId":"a\"b"}"#, Some(text("a\"b"))),
            (b"{\"eventId\":\"a\tb\"}", None),
            (b"{\"eventId\":\"a\xffb\"}", None),
            // Numbers other than plain integers, valid or not.
            (br#"{"eventId":1.0}"#, Some(Found::NotText)),
            (br#"{"eventId":1e5}"#, Some(Found::NotText)),
            (br#"{"eventId":-0}"#, Some(Found::NotText)),
            (br#"{"eventId":12345678901234567890}"#, Some(integer("12345678901234567890"))),
            (br#"{"eventId":123456789012345678901}"#, Some(Found::NotText)),
            (br#"{"eventId":-1234567890123456789}"#, Some(integer("-1234567890123456789"))),
            (br#"{"eventId":1e999}"#, None),
            (br#"{"eventId":01}"#, None),
            (br#"{"eventId":+1}"#, None),
            (br#"{"eventId":1.}"#, None),
            (br#"{"eventId":-}"#, None),
            (br#"{"eventId":truex}"#, None),
            // Not a top-level object, or more after it.
            (br#"[{"eventId":"a"}]"#, Some(Found::Absent)),
            (br#""eventId""#, Some(Found::Absent)),
            (b"", None),
            (b"\xef\xbb\xbf{}", None),
            (br#"{"eventId":"a"} x"#, None),
            (br#"{"eventId":"a"}{}"#, None),
            // Broken structure at the top level or in a skipped value.
            (br#"{"eventId":"a""#, None),
            (br#"{"eventId":"a","#, None),
            (br#"{"eventId":"a",}"#, None),
            (br#"{"eventId" "a"}"#, None),
            (br#"{"eventId":}"#, None),
            (br#"{,}"#, None),
            (br#"{"eventId":"a","data":[1,2}}"#, None),
            (br#"{"eventId":"a","data":{"x":[}]}"#, None),
            (br#"{"eventId":"a","data":"abc}"#, None),
            (br#"{"eventId":"a","data":"abc\"}"#, None),
            (br#"{"eventId":"a","data":[[["#, None),
        ] {
            assert_eq!(scan::top_level(body, &ECWID), None, "{}", String::from_utf8_lossy(body));
            assert_eq!(walked(body), walk, "{}", String::from_utf8_lossy(body));
        }
        // Deeper than the scan checks brackets: the walk (which skips without a depth limit).
        let deep = format!(r#"{{"a":{}0{},"eventId":"e"}}"#, "[{\"b\":".repeat(70), "}]".repeat(70));
        assert_eq!(scan::top_level(deep.as_bytes(), &ECWID), None);
        assert_eq!(walked(deep.as_bytes()), Some(text("e")));
        // Any path longer than one key, or none at all.
        assert_eq!(scan::top_level(br#"{"a":{"b":1}}"#, &[Some(&["a", "b"][..])]), None);
        assert_eq!(scan::top_level(br#"{"a":1}"#, &[Some(&["a"][..]), Some(&[])]), None);
    }

    /// The scan's one difference from the walk (see the module docs): a body that is not JSON
    /// only inside what it skips.
    #[test]
    fn scan_is_lax_only_inside_skipped_values() {
        for body in [
            &br#"{"eventId":"e","eventCreated":1,"data":[tru]}"#[..],
            br#"{"eventId":"e","eventCreated":1,"data":{"a" 1,,:}}"#,
            br#"{"eventId":"e","eventCreated":1,"data":"\q"}"#,
            b"{\"eventId\":\"e\",\"eventCreated\":1,\"data\":\"a\tb\"}",
            br#"{"eventId":"e","eventCreated":1,"entityId":12abc}"#,
        ] {
            let found = scan::top_level(body, &ECWID).unwrap();
            assert_eq!((&found[0], &found[1]), (&integer("1"), &text("e")), "{}", String::from_utf8_lossy(body));
            assert!(find_all(body, ECWID).is_err(), "{}", String::from_utf8_lossy(body));
        }
    }

    /// An Ecwid delivery's body is read by the scan, with that laxness; BigCommerce's, whose
    /// fields are top-level keys too, by the walk alone.
    #[cfg(all(feature = "ecwid", feature = "bigcommerce"))]
    #[test]
    fn only_ecwid_deliveries_are_scanned() {
        let raw = br#"{"eventId":"e","eventCreated":1,"scope":"s","data":[tru]}"#;
        let ecwid = DeliveryBody::new(&crate::ecwid::DELIVERY, raw);
        assert_eq!(ecwid.get(Field::EcwidId).unwrap(), text("e"));
        assert_eq!(ecwid.get(Field::EcwidCreated).unwrap(), integer("1"));
        assert_eq!(ecwid.get(Field::StoreId).unwrap(), Found::Absent);
        let bigcommerce = DeliveryBody::new(&crate::bigcommerce::DELIVERY, raw);
        assert!(!bigcommerce.scan);
        assert!(bigcommerce.get(Field::Topic).is_err());
    }

    /// Every real Ecwid example takes the fast path, and no prefix of one does (a truncated
    /// body never yields its fields).
    #[test]
    fn every_ecwid_example_is_scanned_and_no_truncation_of_one() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../catalog/examples/ecwid");
        let mut count = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|ext| ext != "json") {
                continue;
            }
            let body = std::fs::read(&path).unwrap();
            let found = scanned(&body).unwrap_or_else(|| panic!("{}: not scanned", path.display()));
            assert!(matches!(found[1], Found::Text(_)), "{}: {found:?}", path.display());
            let end = body.iter().rposition(|&byte| byte == b'}').unwrap();
            for cut in 0..end {
                assert_eq!(scan::top_level(&body[..cut], &ECWID), None, "{} cut at {cut}", path.display());
            }
            count += 1;
        }
        assert!(count >= 40, "{count} examples in {}", dir.display());
    }

    /// Every one-byte change of a real Ecwid body to a byte that matters to the scan: wherever
    /// the scan answers, the walk answers the same or the body is not JSON.
    #[test]
    fn no_one_byte_change_of_an_example_is_read_differently() {
        let body = include_bytes!("../../catalog/examples/ecwid/order_created.json");
        let (mut answered, mut lax) = (0, 0);
        for at in 0..body.len() {
            for byte in *b"\"\\{}[],: x0-.\xff" {
                let mut changed = body.to_vec();
                changed[at] = byte;
                let lossy = String::from_utf8_lossy(&changed);
                match (scan::top_level(&changed, &ECWID), find_all(&changed, ECWID)) {
                    (Some(scanned), Ok(walked)) => {
                        assert_eq!(scanned, walked, "{lossy}");
                        answered += 1;
                    }
                    (Some(_), Err(_)) => {
                        assert!(serde_json::from_slice::<serde_json::Value>(&changed).is_err(), "{lossy}");
                        lax += 1;
                    }
                    (None, _) => {}
                }
            }
        }
        assert!(answered > 1_000 && lax > 10, "{answered} {lax}");
    }

    /// A seeded xorshift: the same bodies on every run.
    struct Rng(u64);

    impl Rng {
        /// A number below `n`.
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }

        /// One of `choices`.
        fn pick<'a, T: ?Sized>(&mut self, choices: &[&'a T]) -> &'a T {
            choices[self.below(choices.len())]
        }
    }

    /// Random bodies for the differential test: keys the scan looks for, escaped spellings of
    /// them, duplicates, the same keys nested, strings with escapes, quotes and brackets,
    /// numbers of every form, whitespace anywhere.
    mod random {
        use super::Rng;

        /// Keys the scan looks for.
        const WANTED: &[&str] = &[r#""eventId""#, r#""eventCreated""#, r#""eventType""#, r#""storeId""#];
        /// Keys it does not.
        const OTHER: &[&str] = &[r#""data""#, r#""entityId""#, r#""eventid""#, r#""""#, r#""évent""#];
        /// Escaped keys, some spelling wanted ones.
        const ESCAPED: &[&str] = &[r#""event\u0049d""#, r#""\u0065ventCreated""#, r#""event\\Id""#, r#""a\"b""#];
        /// Numbers of every form (`1e999` is JSON, but serde_json reads it only where it skips it).
        const NUMBERS: &[&str] = &[
            "0",
            "-0",
            "7",
            "-12",
            "1700000000",
            "1234567890123456789",
            "-123456789012345678",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "99999999999999999999999",
            "1.5",
            "-0.0",
            "1e5",
            "1E+5",
            "2e-3",
            "1e999",
        ];
        /// The literals.
        const LITERALS: &[&str] = &["true", "false", "null"];
        /// Scalars that are not JSON.
        const BROKEN: &[&str] = &["01", "+1", "1.", ".5", "-", "tru", "nul", r#""\q""#, "\"a\tb\""];
        /// Strings with escapes, quotes, brackets, a key's text, non-ASCII text.
        const STRINGS: &[&str] = &[
            r#""""#,
            r#""x""#,
            r#""abc-123""#,
            r#""order.created""#,
            r#""}""#,
            r#""{[""#,
            r#""]""#,
            r#""\"""#,
            r#""\\""#,
            r#""\\\"}""#,
            r#""\u0041""#,
            r#""\ud800""#,
            "\"\u{e9}\"",
            r#""eventId""#,
            r#""\",\"eventId\":\"forged""#,
            "\"\u{1F600}\"",
            // Around and past the bytes looked at before memchr.
            r#""0123456789012345678901234567890""#,
            r#""01234567890123456789012345678901""#,
            r#""012345678901234567890123456789012""#,
            r#""0123456789012345678901234567890\"x""#,
            r#""01234567890123456789012345678901\\""#,
            r#""0123456789012345678901234567890123456789\"}{[\\\"]0123456789012345678901234567890123456789""#,
        ];
        /// Whitespace between tokens, mostly none.
        const SPACE: &[&str] = &["", "", "", "", " ", "\n", "\t", "\r\n  "];

        /// Whitespace, or none.
        fn space(out: &mut String, rng: &mut Rng) {
            out.push_str(rng.pick(SPACE));
        }

        /// A top-level key: mostly ones the scan reads, sometimes escaped.
        fn key(out: &mut String, rng: &mut Rng) {
            out.push_str(match rng.below(20) {
                0..=9 => rng.pick(WANTED),
                10..=17 => rng.pick(OTHER),
                _ => rng.pick(ESCAPED),
            });
        }

        /// Any value, `depth` levels down.
        pub(super) fn value(out: &mut String, depth: usize, rng: &mut Rng) {
            match rng.below(if depth > 3 { 3 } else { 6 }) {
                0..=2 if rng.below(50) == 0 => out.push_str(rng.pick(BROKEN)),
                0 => out.push_str(rng.pick(NUMBERS)),
                1 => out.push_str(rng.pick(STRINGS)),
                2 => out.push_str(rng.pick(LITERALS)),
                3 => {
                    out.push('[');
                    for i in 0..rng.below(4) {
                        out.push_str(if i == 0 { "" } else { "," });
                        space(out, rng);
                        value(out, depth + 1, rng);
                        space(out, rng);
                    }
                    out.push(']');
                }
                _ => object(out, depth + 1, rng),
            }
        }

        /// An object of random members.
        pub(super) fn object(out: &mut String, depth: usize, rng: &mut Rng) {
            out.push('{');
            for i in 0..rng.below(6) {
                out.push_str(if i == 0 { "" } else { "," });
                space(out, rng);
                key(out, rng);
                space(out, rng);
                out.push(':');
                space(out, rng);
                value(out, depth, rng);
                space(out, rng);
            }
            out.push('}');
        }

        /// A body shaped like Ecwid's: the four fields once each, plain, in any order, among
        /// random others.
        pub(super) fn ecwid(out: &mut String, rng: &mut Rng) {
            let mut members = vec![
                r#""eventId":"80aece08-40e8""#.to_owned(),
                r#""eventCreated":1700000000"#.to_owned(),
                r#""eventType":"order.created""#.to_owned(),
                r#""storeId":1003"#.to_owned(),
            ];
            for _ in 0..rng.below(4) {
                let mut member = rng.pick(OTHER).to_owned();
                member.push(':');
                value(&mut member, 1, rng);
                members.push(member);
            }
            for i in (1..members.len()).rev() {
                members.swap(i, rng.below(i + 1));
            }
            out.push('{');
            for (i, member) in members.iter().enumerate() {
                out.push_str(if i == 0 { "" } else { "," });
                space(out, rng);
                out.push_str(member);
                space(out, rng);
            }
            out.push('}');
        }
    }

    /// The differential test: on 200,000 random bodies (a quarter of them damaged), wherever
    /// the scan answers, the walk answers the same, or the body is not JSON (the laxness the
    /// module docs describe); every undamaged Ecwid-shaped body is scanned.
    #[test]
    fn scan_answers_what_the_walk_answers_on_random_bodies() {
        const DAMAGE: &[&[u8]] = &[b"{", b"}", b"[", b"]", b",", b":", b"\"", b"\\", b"\xff", b"\"eventId\":1,", b" x"];
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let (mut answered, mut lax, mut fell_back, mut values) = (0, 0, 0, 0);
        // Bodies that are JSON, and how many of them were left to the walk: Ecwid-shaped, other.
        let (mut json, mut json_fell_back) = ([0; 2], [0; 2]);
        for round in 0..200_000 {
            let ecwid_shaped = round % 2 == 0;
            let mut text = String::new();
            match rng.below(20) {
                _ if ecwid_shaped => random::ecwid(&mut text, &mut rng),
                0 => random::value(&mut text, 0, &mut rng),
                1 => {
                    let depth = 120 + rng.below(20);
                    text = format!(r#"{{"data":{}0{},"eventId":"d"}}"#, "[".repeat(depth), "]".repeat(depth));
                }
                _ => random::object(&mut text, 0, &mut rng),
            }
            let mut body = text.into_bytes();
            let damaged = rng.below(4) == 0;
            if damaged {
                let at = rng.below(body.len() + 1);
                body.splice(at..at, DAMAGE[rng.below(DAMAGE.len())].iter().copied());
            }
            let is_json = serde_json::from_slice::<serde_json::Value>(&body).is_ok();
            let shape = usize::from(!ecwid_shaped);
            json[shape] += usize::from(is_json);
            let lossy = String::from_utf8_lossy(&body);
            match (scan::top_level(&body, &ECWID), find_all(&body, ECWID)) {
                (Some(scanned), Ok(walked)) => {
                    assert_eq!(scanned, walked, "{lossy}");
                    answered += 1;
                    values +=
                        scanned.iter().filter(|found| matches!(found, Found::Text(_) | Found::Integer(_))).count();
                }
                (Some(_), Err(_)) => {
                    assert!(!is_json, "the walk fails on JSON the scan reads: {lossy}");
                    lax += 1;
                }
                (None, _) => {
                    assert!(!ecwid_shaped || damaged || !is_json, "an Ecwid-shaped body is not scanned: {lossy}");
                    fell_back += 1;
                    json_fell_back[shape] += usize::from(is_json);
                }
            }
        }
        println!(
            "scan: {answered} answered as the walk, {lax} answered where the walk fails (not JSON), \
             {fell_back} left to the walk; of the bodies that are JSON, {} of {} Ecwid-shaped and {} of {} others \
             left to the walk",
            json_fell_back[0], json[0], json_fell_back[1], json[1]
        );
        assert!(
            answered > 100_000 && lax > 1_000 && fell_back > 10_000 && values > 300_000,
            "{answered} {lax} {fell_back}"
        );
    }
}
