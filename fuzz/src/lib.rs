//! Helpers shared by the fuzz targets: input splitting, the four platforms behind one type,
//! an independent signer, and the "no body value in an error text" check.

use std::collections::HashSet;
use std::time::{Duration, SystemTime};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use commerce_webhooks::{bigcommerce, ecwid, shopify, shopware, DecodeError, SignatureScheme, WebhookEvent};
use hmac::{Hmac, Mac};
use serde::de::{Deserializer, MapAccess, Visitor};
use sha2::Sha256;

/// The platforms, in the order the first input byte selects them (`byte % 4`).
pub const PLATFORMS: [&str; 4] = ["shopify", "bigcommerce", "shopware", "ecwid"];

/// The secret every delivery the `verify` target signs uses.
pub const SECRET: &str = "commerce-webhooks fuzz secret";

/// The fixed clock of the `verify` target (Unix seconds).
pub const NOW: u64 = 1_700_000_000;

/// The fixed clock as a `SystemTime`.
pub fn now() -> SystemTime {
    at(NOW)
}

/// Splits `data` at the first `\n`: (line, rest). No newline: (all, empty).
pub fn split_line(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|&b| b == b'\n') {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[]),
    }
}

/// Splits `data` at the first `\n\n`: (head, body). No blank line: (all, empty).
pub fn split_head(data: &[u8]) -> (&[u8], &[u8]) {
    match data.windows(2).position(|w| w == b"\n\n") {
        Some(at) => (&data[..at], &data[at + 2..]),
        None => (data, &[]),
    }
}

/// `Name: value` lines as header pairs (a line without `:` is a header with an empty value;
/// one optional space after the colon is dropped, the rest of the value is kept as bytes).
pub fn parse_headers(head: &[u8]) -> Headers {
    head.split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            match line.iter().position(|&b| b == b':') {
                Some(at) => {
                    let value = &line[at + 1..];
                    let value = value.strip_prefix(b" ").unwrap_or(value);
                    (String::from_utf8_lossy(&line[..at]).into_owned(), value.to_vec())
                }
                None => (String::from_utf8_lossy(line).into_owned(), Vec::new()),
            }
        })
        .collect()
}

/// HMAC-SHA256 of `parts` under [`SECRET`].
pub fn hmac(parts: &[&[u8]]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("any key length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().to_vec()
}

/// A top-level JSON object's entries in order, duplicates kept (`serde_json::Value` would keep
/// only the last).
struct Entries(Vec<(String, serde_json::Value)>);

impl<'de> serde::Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor;
        impl<'de> Visitor<'de> for EntriesVisitor {
            type Value = Entries;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, serde_json::Value>()? {
                    entries.push(entry);
                }
                Ok(Entries(entries))
            }
        }
        deserializer.deserialize_map(EntriesVisitor)
    }
}

/// What Ecwid signs for `body`, `{eventCreated}.{eventId}`, and `eventCreated`: when the body
/// is a JSON object that has each of them exactly once, `eventCreated` as Unix seconds (a
/// non-negative JSON integer of at most 12 digits) and `eventId` as a string (its content is
/// signed) or an integer (its digits), the only bodies Ecwid sends. `None` otherwise.
pub fn ecwid_signed_message(body: &[u8]) -> Option<(String, u64)> {
    let Entries(entries) = serde_json::from_slice(body).ok()?;
    let field = |name: &str| {
        let mut found = entries.iter().filter(|(key, _)| key == name);
        let (_, value) = found.next()?;
        if found.next().is_some() {
            return None;
        }
        Some(value)
    };
    let created = field("eventCreated")?.as_u64().filter(|&seconds| seconds <= 999_999_999_999)?;
    let id = match field("eventId")? {
        serde_json::Value::String(text) => text.clone(),
        serde_json::Value::Number(n) if n.is_i64() || n.is_u64() => n.to_string(),
        _ => return None,
    };
    Some((format!("{created}.{id}"), created))
}

/// Headers as the targets pass them.
pub type Headers = Vec<(String, Vec<u8>)>;

/// A delivery signed as the platform signs it.
pub struct Signed {
    /// The signing headers.
    pub headers: Headers,
    /// When to verify it (Unix seconds): [`NOW`], or for Ecwid, which signs the time in the
    /// body, `eventCreated` plus the offset.
    pub now: u64,
}

/// The headers that sign `body` under `scheme` as the platform does, and when to verify them:
/// `None` only for an Ecwid body that the platform could not have sent (see
/// [`ecwid_signed_message`]). `id` is the Standard Webhooks message id; the signed time is
/// `offset` seconds from the verifying clock; `alternate` picks Shopify's `events` header
/// family (`Shopify-Hmac-Sha256`).
pub fn sign(scheme: SignatureScheme, body: &[u8], id: &str, offset: i64, alternate: bool) -> Option<Signed> {
    let mut now = NOW;
    let pairs: Vec<(&str, String)> = match scheme {
        SignatureScheme::HmacSha256Base64Body => {
            let name = if alternate { "Shopify-Hmac-Sha256" } else { "X-Shopify-Hmac-Sha256" };
            vec![(name, BASE64.encode(hmac(&[body])))]
        }
        SignatureScheme::HmacSha256HexBody => {
            vec![("shopware-shop-signature", hmac(&[body]).iter().map(|b| format!("{b:02x}")).collect())]
        }
        SignatureScheme::StandardWebhooks => {
            let timestamp = NOW.checked_add_signed(offset).unwrap().to_string();
            let signature = hmac(&[id.as_bytes(), b".", timestamp.as_bytes(), b".", body]);
            vec![
                ("webhook-id", id.to_owned()),
                ("webhook-timestamp", timestamp),
                ("webhook-signature", format!("v1,{}", BASE64.encode(signature))),
            ]
        }
        SignatureScheme::EcwidCreatedDotId => {
            let (message, created) = ecwid_signed_message(body)?;
            // The clock is `offset` behind the signed time: it is `-offset` seconds old.
            now = created.checked_add_signed(-offset).unwrap_or(created);
            vec![("X-Ecwid-Webhook-Signature", BASE64.encode(hmac(&[message.as_bytes()])))]
        }
        other => panic!("the fuzz signer does not know {other:?}"),
    };
    let headers = pairs.into_iter().map(|(name, value)| (name.to_owned(), value.into_bytes())).collect();
    Some(Signed { headers, now })
}

/// The clock at `seconds`.
pub fn at(seconds: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(seconds)
}

/// A JSON string token found lexically: its decoded text, where its content lies in the body,
/// and whether it is an object key.
pub struct StringToken {
    pub text: String,
    pub content: std::ops::Range<usize>,
    pub is_key: bool,
}

/// Every string token of `body`, read lexically so that it also works on broken JSON.
pub fn string_tokens(body: &[u8]) -> Vec<StringToken> {
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < body.len() {
        if body[i] != b'"' {
            i += 1;
            continue;
        }
        let start = i + 1;
        let mut j = start;
        let mut text = Vec::new();
        let mut closed = false;
        while j < body.len() {
            match body[j] {
                b'"' => {
                    closed = true;
                    break;
                }
                b'\\' if j + 1 < body.len() => {
                    let (decoded, used) = unescape(&body[j..]);
                    text.extend_from_slice(&decoded);
                    j += used;
                }
                b => {
                    text.push(b);
                    j += 1;
                }
            }
        }
        let end = j;
        let mut k = end + 1;
        while k < body.len() && matches!(body[k], b' ' | b'\t' | b'\r' | b'\n') {
            k += 1;
        }
        let is_key = closed && k < body.len() && body[k] == b':';
        tokens.push(StringToken { text: String::from_utf8_lossy(&text).into_owned(), content: start..end, is_key });
        i = end + 1;
    }
    tokens
}

/// One escape at the start of `s` (which starts with `\`): its bytes and the input used.
fn unescape(s: &[u8]) -> (Vec<u8>, usize) {
    let simple = |b: u8| (vec![b], 2);
    match s[1] {
        b'n' => simple(b'\n'),
        b't' => simple(b'\t'),
        b'r' => simple(b'\r'),
        b'b' => simple(8),
        b'f' => simple(12),
        b'u' => {
            let hex = |at: usize| {
                s.get(at..at + 4)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
            };
            let Some(first) = hex(2) else { return (s[..2].to_vec(), 2) };
            let (code, used) = if (0xD800..0xDC00).contains(&first) && s.get(6..8) == Some(b"\\u") {
                match hex(8) {
                    Some(low) if (0xDC00..0xE000).contains(&low) => {
                        (0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00), 12)
                    }
                    _ => (first, 6),
                }
            } else {
                (first, 6)
            };
            let c = char::from_u32(code).unwrap_or('\u{FFFD}');
            (c.to_string().into_bytes(), used)
        }
        other => simple(other),
    }
}

/// The shortest run of a body value that counts as quoted when it shows up in an error text.
pub const LEAK_LEN: usize = 12;

/// A [`LEAK_LEN`]-character run of a string value of `body` that `text` contains, and that is
/// not part of any key of the body nor of `allowed` (texts the caller put in, e.g. the topic).
/// Candidates still have to pass [`confirm_leak`].
pub fn leak_candidates(text: &str, tokens: &[StringToken], allowed: &[&str]) -> Vec<(usize, String)> {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() < LEAK_LEN {
        return Vec::new();
    }
    let windows: HashSet<String> = chars.windows(LEAK_LEN).map(|w| w.iter().collect()).collect();
    let mut found = Vec::new();
    for (index, token) in tokens.iter().enumerate() {
        if token.is_key {
            continue;
        }
        let value: Vec<char> = token.text.chars().collect();
        for window in value.windows(LEAK_LEN) {
            let window: String = window.iter().collect();
            if windows.contains(&window)
                && !tokens.iter().any(|t| t.is_key && t.text.contains(&window))
                && !allowed.iter().any(|a| a.contains(&window))
            {
                found.push((index, window));
                break;
            }
        }
    }
    found
}

/// Whether `window` of value token `token` really comes from the body: with the ASCII letters
/// and digits of the token changed (escapes, punctuation, control and non-ASCII bytes kept, so
/// that the body keeps its structure and its syntax errors), `error_text_of` the new body no
/// longer contains it. A run that stays is fixed text of the crate's that the value repeats.
pub fn confirm_leak(
    body: &[u8],
    token: &StringToken,
    window: &str,
    error_text_of: impl Fn(&[u8]) -> Option<String>,
) -> bool {
    let mut other = body.to_vec();
    let mut i = token.content.start;
    while i < token.content.end {
        match other[i] {
            b'\\' => {
                i += if other.get(i + 1) == Some(&b'u') { 6 } else { 2 };
                continue;
            }
            b @ b'a'..=b'z' => other[i] = b'a' + (b - b'a' + 13) % 26,
            b @ b'A'..=b'Z' => other[i] = b'A' + (b - b'A' + 13) % 26,
            b @ b'0'..=b'9' => other[i] = b'0' + (b - b'0' + 5) % 10,
            _ => {}
        }
        i += 1;
    }
    match error_text_of(&other) {
        Some(text) => !text.contains(window),
        None => true,
    }
}

/// Panics if `text` (about `body`) quotes a value of the body; `error_text_of` recomputes the
/// same text for another body (see [`confirm_leak`]).
pub fn assert_no_leak(what: &str, text: &str, body: &[u8], allowed: &[&str], error_text_of: impl Fn(&[u8]) -> Option<String>) {
    let tokens = string_tokens(body);
    for (index, window) in leak_candidates(text, &tokens, allowed) {
        if confirm_leak(body, &tokens[index], &window, &error_text_of) {
            panic!("{what} quotes the body value run {window:?}: {text}");
        }
    }
}

/// One platform's `Event` entry points behind plain function pointers.
pub struct Platform {
    pub id: &'static str,
    pub scheme: SignatureScheme,
    /// `from_delivery` + checks, see [`check_decode`].
    pub decode: fn(&str, &[u8]),
    /// `from_body` + checks.
    pub decode_body: fn(&[u8]),
}

/// The platform the byte selects.
pub fn platform(byte: u8) -> Platform {
    match byte % 4 {
        0 => platform_of::<shopify::Event>(),
        1 => platform_of::<bigcommerce::Event>(),
        2 => platform_of::<shopware::Event>(),
        _ => platform_of::<ecwid::Event>(),
    }
}

fn platform_of<E: WebhookEvent>() -> Platform {
    Platform {
        id: <E::Topic as commerce_webhooks::CatalogTopic>::PLATFORM,
        scheme: E::DELIVERY.scheme,
        decode: |topic, body| check_decode::<E>(Some(topic), body, E::from_delivery(topic, body)),
        decode_body: |body| check_decode::<E>(None, body, E::from_body(body)),
    }
}

/// The promises of one decode of `body` (for `topic`, or by `from_body` when `None`):
/// a decoded event re-encodes to exactly the JSON of the body, its mismatch report works and
/// quotes no body value, and an error's text quotes no body value.
pub fn check_decode<E: WebhookEvent>(topic: Option<&str>, body: &[u8], outcome: Result<E, DecodeError>) {
    let allowed: Vec<&str> = topic.into_iter().collect();
    let redecode = |other: &[u8]| match topic {
        Some(topic) => E::from_delivery(topic, other),
        None => E::from_body(other),
    };
    match outcome {
        Ok(event) => {
            let encoded = serde_json::to_value(&event).expect("a decoded event encodes to JSON");
            let parsed: serde_json::Value = match serde_json::from_slice(body) {
                Ok(parsed) => parsed,
                Err(error) => panic!("decoded, but serde_json rejects the body: {error}"),
            };
            assert!(encoded == parsed, "re-encoding is lossy: {encoded} != {parsed}");
            let _ = event.topic();
            let found = commerce_webhooks::mismatches(&event);
            let report: String = found.iter().map(|m| format!("{m}; ")).collect();
            assert_no_leak("a mismatch report", &report, body, &allowed, |other| {
                redecode(other).ok().map(|e| commerce_webhooks::mismatches(&e).iter().map(|m| format!("{m}; ")).collect())
            });
        }
        Err(error) => {
            let text = error.to_string();
            assert!(!text.is_empty(), "an empty decode error text");
            assert_no_leak("a decode error", &text, body, &allowed, |other| redecode(other).err().map(|e| e.to_string()));
        }
    }
}
