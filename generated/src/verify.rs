//! Signature verification: secrets, clocks and options, and one routine per
//! [`SignatureScheme`]. Every MAC comparison is constant-time (`Mac::verify_slice`).

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq as _;

use crate::body::{DeliveryBody, Field, Found};
use crate::receive::{HeaderLookup, ReceiveError};
use crate::{DeliveryFacts, SignatureScheme};

type HmacSha256 = Hmac<Sha256>;

/// The length of an HMAC-SHA256 tag.
const TAG_LEN: usize = 32;

/// A signing secret: the key a platform signs deliveries with.
///
/// Which secret each platform uses:
///
/// - Shopify: the app's client secret ([`Secret::new`]);
/// - BigCommerce: the app's client secret, as is ([`Secret::new`]); BigCommerce's own samples
///   base64-encode it only because Standard Webhooks libraries base64-decode their key. A
///   Standard Webhooks `whsec_…` secret (for tests or other senders) is [`Secret::from_whsec`];
/// - Shopware: the shop secret your app assigned the shop at registration;
/// - Ecwid: the app's `client_secret` (not the `secret_…` access token).
///
/// The bytes never appear in `Debug` output or in any error. An empty secret never verifies
/// anything, so a missing environment variable cannot turn into "every forgery is accepted".
#[derive(Clone)]
pub struct Secret(Arc<[u8]>);

impl Secret {
    /// A secret from its bytes (a client secret is used as its UTF-8 bytes).
    pub fn new(secret: impl AsRef<[u8]>) -> Self {
        Self(Arc::from(secret.as_ref()))
    }

    /// A Standard Webhooks secret written `whsec_<base64>`: the key is the base64-decoded part
    /// after the prefix.
    pub fn from_whsec(secret: &str) -> Result<Self, SecretError> {
        let encoded = secret.trim().strip_prefix("whsec_").ok_or(SecretError::MissingWhsecPrefix)?;
        Self::from_base64(encoded)
    }

    /// A secret given base64-encoded (standard alphabet, padded): the key is the decoded bytes.
    pub fn from_base64(secret: &str) -> Result<Self, SecretError> {
        let key = BASE64.decode(secret.trim()).map_err(|_| SecretError::NotBase64)?;
        if key.is_empty() {
            return Err(SecretError::Empty);
        }
        Ok(Self(Arc::from(key)))
    }

    /// Whether the secret has no bytes (such a secret never verifies a delivery).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn mac(&self) -> Option<HmacSha256> {
        if self.0.is_empty() {
            return None;
        }
        HmacSha256::new_from_slice(&self.0).ok()
    }
}

/// Constant-time in the bytes (only the lengths may show in timing).
impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        bool::from(self.0.ct_eq(&other.0))
    }
}

impl Eq for Secret {}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl From<&str> for Secret {
    fn from(secret: &str) -> Self {
        Self::new(secret)
    }
}

impl From<String> for Secret {
    fn from(secret: String) -> Self {
        Self::new(secret)
    }
}

impl From<&[u8]> for Secret {
    fn from(secret: &[u8]) -> Self {
        Self::new(secret)
    }
}

impl From<Vec<u8>> for Secret {
    fn from(secret: Vec<u8>) -> Self {
        Self(Arc::from(secret))
    }
}

/// Why a secret could not be built. Never contains the secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SecretError {
    /// [`Secret::from_whsec`] needs the `whsec_` prefix.
    MissingWhsecPrefix,
    /// The secret is not valid base64 (standard alphabet, with padding).
    NotBase64,
    /// The secret decodes to no bytes.
    Empty,
}

impl fmt::Display for SecretError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::MissingWhsecPrefix => {
                "a Standard Webhooks secret starts with `whsec_`; for a plain client secret use `Secret::new`"
            }
            Self::NotBase64 => "the secret is not valid base64 (standard alphabet, padded); check it was copied whole",
            Self::Empty => "the secret decodes to no bytes",
        })
    }
}

impl std::error::Error for SecretError {}

/// Where verification gets the current time (only the Standard Webhooks scheme, which signs
/// a timestamp, asks).
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The system clock ([`SystemTime::now`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock stopped at one instant (for tests and replays).
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub SystemTime);

impl Clock for FixedClock {
    fn now(&self) -> SystemTime {
        self.0
    }
}

impl<F: Fn() -> SystemTime + Send + Sync> Clock for F {
    fn now(&self) -> SystemTime {
        self()
    }
}

/// How deliveries are verified: timestamp tolerance and clock.
#[derive(Clone)]
pub struct VerifyOptions {
    tolerance: Duration,
    clock: Arc<dyn Clock>,
}

impl VerifyOptions {
    /// The default tolerance: a signed timestamp may be at most 5 minutes old or ahead.
    pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(5 * 60);

    /// The defaults: [`Self::DEFAULT_TOLERANCE`] and the system clock.
    pub fn new() -> Self {
        Self { tolerance: Self::DEFAULT_TOLERANCE, clock: Arc::new(SystemClock) }
    }

    /// How far a signed timestamp may be from now, in the past (stale) or the future. Applies
    /// to schemes that sign a timestamp (Standard Webhooks: BigCommerce).
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// The clock to compare signed timestamps with.
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Shorthand for a [`FixedClock`] at `now`.
    pub fn now(self, now: SystemTime) -> Self {
        self.clock(FixedClock(now))
    }
}

impl Default for VerifyOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for VerifyOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyOptions").field("tolerance", &self.tolerance).finish_non_exhaustive()
    }
}

/// The Standard Webhooks headers (BigCommerce).
const WEBHOOK_ID: &str = "webhook-id";
const WEBHOOK_TIMESTAMP: &str = "webhook-timestamp";

/// The body fields Ecwid signs, in signing order.
pub(crate) const ECWID_CREATED: &str = "eventCreated";
pub(crate) const ECWID_ID: &str = "eventId";

/// Checks the delivery's signature by `facts.scheme`; `Ok` means one of `secrets` signed it.
/// Reads body fields (Ecwid's) from `body`, whose walk also collects the fields read after
/// verification.
pub(crate) fn verify<H: HeaderLookup + ?Sized>(
    facts: &DeliveryFacts,
    headers: &H,
    body: &DeliveryBody<'_>,
    secrets: &[Secret],
    options: &VerifyOptions,
) -> Result<(), ReceiveError> {
    if secrets.iter().all(Secret::is_empty) {
        return Err(ReceiveError::NoSecrets);
    }
    let header = facts.signature_header;
    let signature = required_header(headers, header)?;
    let raw = body.raw();
    match facts.scheme {
        SignatureScheme::HmacSha256Base64Body => {
            let tag = decode_base64_tag(header, signature)?;
            check(header, secrets, &[raw], &[tag])
        }
        SignatureScheme::HmacSha256HexBody => {
            let tag = decode_hex_tag(header, signature)?;
            check(header, secrets, &[raw], &[tag])
        }
        SignatureScheme::StandardWebhooks => standard_webhooks(header, signature, headers, raw, secrets, options),
        SignatureScheme::EcwidCreatedDotId => {
            let tag = decode_base64_tag(header, signature)?;
            let created = signed_body_field(body.get(Field::EcwidCreated), ECWID_CREATED)?;
            let id = signed_body_field(body.get(Field::EcwidId), ECWID_ID)?;
            check(header, secrets, &[created.as_bytes(), b".", id.as_bytes()], &[tag])
        }
    }
}

/// Standard Webhooks: `v1,<base64>` signatures (space-separated, any may match) of
/// `"{webhook-id}.{webhook-timestamp}.{body}"`; the timestamp must be within the tolerance.
fn standard_webhooks<H: HeaderLookup + ?Sized>(
    header: &'static str,
    signature: &[u8],
    headers: &H,
    body: &[u8],
    secrets: &[Secret],
    options: &VerifyOptions,
) -> Result<(), ReceiveError> {
    let id = required_header(headers, WEBHOOK_ID)?;
    let timestamp = required_header(headers, WEBHOOK_TIMESTAMP)?;
    let signed_at = parse_timestamp(timestamp)?;

    let mut tags = Vec::new();
    for entry in signature.split(|&b| b == b' ').filter(|entry| !entry.is_empty()) {
        let Some(comma) = entry.iter().position(|&b| b == b',') else {
            return Err(ReceiveError::MalformedSignature {
                header,
                reason: "each signature is `<version>,<base64>`, and this one has no comma",
            });
        };
        let (version, encoded) = (&entry[..comma], &entry[comma + 1..]);
        if version == b"v1" {
            tags.push(decode_base64_tag(header, encoded)?);
        }
    }
    if tags.is_empty() {
        return Err(ReceiveError::MalformedSignature { header, reason: "it has no `v1,` signature" });
    }
    check(header, secrets, &[id, b".", timestamp, b".", body], &tags)?;

    // Authentic; now fresh?
    let now = options.clock.now();
    let tolerance = options.tolerance;
    match now.duration_since(signed_at) {
        Ok(age) if age > tolerance => Err(ReceiveError::StaleTimestamp { age, tolerance }),
        Ok(_) => Ok(()),
        Err(ahead) if ahead.duration() > tolerance => {
            Err(ReceiveError::FutureTimestamp { ahead: ahead.duration(), tolerance })
        }
        Err(_) => Ok(()),
    }
}

/// Unix seconds: 1 to 12 ASCII digits (no sign, no fraction).
fn parse_timestamp(value: &[u8]) -> Result<SystemTime, ReceiveError> {
    let malformed = || ReceiveError::MalformedTimestamp { header: WEBHOOK_TIMESTAMP };
    if value.is_empty() || value.len() > 12 || !value.iter().all(u8::is_ascii_digit) {
        return Err(malformed());
    }
    let seconds = value.iter().fold(0u64, |n, digit| n * 10 + u64::from(digit - b'0'));
    SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(seconds)).ok_or_else(malformed)
}

/// Accepts when any secret's HMAC of the concatenated `parts` equals any of `tags`.
fn check(header: &'static str, secrets: &[Secret], parts: &[&[u8]], tags: &[Vec<u8>]) -> Result<(), ReceiveError> {
    for secret in secrets {
        let Some(mut mac) = secret.mac() else { continue };
        for part in parts {
            mac.update(part);
        }
        for tag in tags {
            // `verify_slice` compares in constant time; the clone keeps the state for the
            // next tag.
            if mac.clone().verify_slice(tag).is_ok() {
                return Ok(());
            }
        }
    }
    Err(ReceiveError::SignatureMismatch { header })
}

fn required_header<'h, H: HeaderLookup + ?Sized>(headers: &'h H, name: &'static str) -> Result<&'h [u8], ReceiveError> {
    match headers.header(name) {
        Some(value) if !trim(value).is_empty() => Ok(trim(value)),
        _ => Err(ReceiveError::MissingHeader { header: name }),
    }
}

/// Strips the spaces and tabs HTTP allows around a header value.
fn trim(value: &[u8]) -> &[u8] {
    let start = value.iter().position(|b| !matches!(b, b' ' | b'\t')).unwrap_or(value.len());
    let end = value.iter().rposition(|b| !matches!(b, b' ' | b'\t')).map_or(start, |i| i + 1);
    &value[start..end]
}

/// A base64 HMAC-SHA256 tag. Decoding is strict (canonical padding and trailing bits), so two
/// different header values never decode to the same tag.
fn decode_base64_tag(header: &'static str, value: &[u8]) -> Result<Vec<u8>, ReceiveError> {
    let tag = BASE64
        .decode(value)
        .map_err(|_| ReceiveError::MalformedSignature { header, reason: "it is not valid base64" })?;
    if tag.len() != TAG_LEN {
        return Err(ReceiveError::MalformedSignature {
            header,
            reason: "it does not decode to a 32-byte HMAC-SHA256 tag",
        });
    }
    Ok(tag)
}

/// A lowercase hex HMAC-SHA256 tag (what PHP's `hash_hmac` produces; Shopware compares the
/// text exactly, so uppercase is refused rather than folded).
fn decode_hex_tag(header: &'static str, value: &[u8]) -> Result<Vec<u8>, ReceiveError> {
    if value.len() != TAG_LEN * 2 || !value.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(ReceiveError::MalformedSignature { header, reason: "it is not 64 lowercase hex digits" });
    }
    hex::decode(value).map_err(|_| ReceiveError::MalformedSignature { header, reason: "it is not valid hex" })
}

/// A top-level body field that is part of the signed message (`found`, as read from the
/// body), as text: it must be there exactly once, as a string or an integer. A duplicated
/// field is refused: the signature would cover one copy and the decoder might read the other.
fn signed_body_field(found: Result<Found, serde_json::Error>, field: &'static str) -> Result<String, ReceiveError> {
    match found {
        Ok(Found::Text(text)) => Ok(text),
        Ok(Found::Duplicate) => Err(ReceiveError::UnreadableSignedField {
            field,
            reason: "the body has it more than once, so the signature could not say which one it covers",
        }),
        Ok(Found::Absent) => {
            Err(ReceiveError::UnreadableSignedField { field, reason: "the body has no such top-level field" })
        }
        Ok(Found::NotText) => {
            Err(ReceiveError::UnreadableSignedField { field, reason: "it is neither a string nor an integer" })
        }
        Err(_) => Err(ReceiveError::UnreadableSignedField { field, reason: "the body is not valid JSON" }),
    }
}
