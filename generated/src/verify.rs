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
///
/// A secret being rotated out can be given an end ([`Secret::valid_until`]): Shopware's app
/// SDKs accept a shop's previous secret for [`SHOPWARE_PREVIOUS_SECRET_ALLOWANCE`] after the
/// shop re-registered with a new one.
#[derive(Clone)]
pub struct Secret {
    key: Arc<[u8]>,
    valid_until: Option<SystemTime>,
}

/// How long Shopware's app SDKs keep accepting a shop's previous secret after it rotated
/// (`INFLIGHT_ALLOWANCE` in shopware/app-php-sdk's `DualSignatureRequestVerifier`, 60 s in the
/// JS SDK too): deliveries already in flight were signed with it.
pub const SHOPWARE_PREVIOUS_SECRET_ALLOWANCE: Duration = Duration::from_secs(60);

impl Secret {
    /// A secret from its bytes (a client secret is used as its UTF-8 bytes).
    pub fn new(secret: impl AsRef<[u8]>) -> Self {
        Self { key: Arc::from(secret.as_ref()), valid_until: None }
    }

    /// The same secret, accepted only until `until` (by the verifying clock): a previous secret
    /// during a rotation. For Shopware, `rotated_at + SHOPWARE_PREVIOUS_SECRET_ALLOWANCE`.
    pub fn valid_until(mut self, until: SystemTime) -> Self {
        self.valid_until = Some(until);
        self
    }

    /// Whether the secret may verify a delivery at `now`.
    fn usable_at(&self, now: SystemTime) -> bool {
        !self.key.is_empty() && self.valid_until.is_none_or(|until| now <= until)
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
        Ok(Self::from(key))
    }

    /// Whether the secret has no bytes (such a secret never verifies a delivery).
    pub fn is_empty(&self) -> bool {
        self.key.is_empty()
    }

    /// The HMAC-SHA256 of `parts` under this secret (also what `testing` signs with).
    pub(crate) fn tag(&self, parts: &[&[u8]]) -> Option<[u8; TAG_LEN]> {
        let mut mac = HmacSha256::new_from_slice(&self.key).ok()?;
        for part in parts {
            mac.update(part);
        }
        Some(mac.finalize().into_bytes().into())
    }
}

/// Constant-time in the bytes (only the lengths may show in timing); the end of validity is
/// not compared.
impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        bool::from(self.key.ct_eq(&other.key))
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
        Self { key: Arc::from(secret), valid_until: None }
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

/// How deliveries are verified: how old a signed timestamp may be, and the clock.
///
/// | platform | signed time | default limit |
/// | --- | --- | --- |
/// | BigCommerce | `webhook-timestamp` header | [`Self::DEFAULT_TOLERANCE`] either way ([`Self::tolerance`]) |
/// | Ecwid | body `eventCreated` (a JSON integer) | [`Self::ECWID_MAX_AGE`] old, [`Self::DEFAULT_TOLERANCE`] ahead ([`Self::max_age`]) |
/// | Shopware | body `timestamp`, when present | none; [`Self::max_age`] sets one |
/// | Shopify | nothing | — |
#[derive(Clone)]
pub struct VerifyOptions {
    tolerance: Duration,
    max_age: Option<Duration>,
    clock: Arc<dyn Clock>,
}

impl VerifyOptions {
    /// The default tolerance: a signed timestamp may be at most 5 minutes old or ahead.
    pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(5 * 60);

    /// How long Ecwid retries a delivery that was not answered 2xx: "in the next 24h", 27
    /// attempts (docs.ecwid.com, "How to process webhooks"; older docs said 48 hours, set
    /// [`Self::max_age`] to accept those retries).
    pub const ECWID_RETRY_WINDOW: Duration = Duration::from_secs(24 * 60 * 60);

    /// The default age limit of Ecwid's `eventCreated`: the retry window plus the clock skew
    /// [`Self::DEFAULT_TOLERANCE`] allows. Ecwid signs only `eventCreated` and `eventId`, so
    /// without a limit one captured delivery would authenticate any body forever.
    pub const ECWID_MAX_AGE: Duration =
        Duration::from_secs(Self::ECWID_RETRY_WINDOW.as_secs() + Self::DEFAULT_TOLERANCE.as_secs());

    /// The defaults: [`Self::DEFAULT_TOLERANCE`], Ecwid's [`Self::ECWID_MAX_AGE`], no limit on
    /// Shopware's body timestamp, and the system clock.
    pub fn new() -> Self {
        Self { tolerance: Self::DEFAULT_TOLERANCE, max_age: None, clock: Arc::new(SystemClock) }
    }

    /// How far a signed timestamp may be from now, in the past (stale) or the future. Applies
    /// to schemes that sign a timestamp in a header (Standard Webhooks: BigCommerce), and is the
    /// clock skew allowed ahead for timestamps in a body.
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// How old a timestamp signed in the body may be: Ecwid's `eventCreated` (default
    /// [`Self::ECWID_MAX_AGE`]) and Shopware's `timestamp` (no limit by default; a body
    /// without one is still accepted, as older shops send none).
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
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
        f.debug_struct("VerifyOptions")
            .field("tolerance", &self.tolerance)
            .field("max_age", &self.max_age)
            .finish_non_exhaustive()
    }
}

/// The Standard Webhooks headers (BigCommerce).
const WEBHOOK_ID: &str = "webhook-id";
pub(crate) const WEBHOOK_TIMESTAMP: &str = "webhook-timestamp";

/// The body fields Ecwid signs, in signing order.
pub(crate) const ECWID_CREATED: &str = "eventCreated";
pub(crate) const ECWID_ID: &str = "eventId";

/// The Unix time Shopware writes into every body it signs (since 6.4.1.0).
pub(crate) const SHOPWARE_TIMESTAMP: &str = "timestamp";

/// At most this many entries in a Standard Webhooks signature header: a sender rotating keys
/// sends two or three; thousands only make every request cost that many comparisons.
pub(crate) const MAX_SIGNATURES: usize = 16;

/// Checks, from the headers alone, that the delivery can be verified at all: the signature
/// header (and Standard Webhooks' id and timestamp) is there and well-formed. Lets a server
/// refuse such a request before reading its body.
pub(crate) fn precheck<H: HeaderLookup + ?Sized>(facts: &DeliveryFacts, headers: &H) -> Result<(), ReceiveError> {
    let header = facts.signature_header;
    let signature = required_header(headers, header)?;
    match facts.scheme {
        SignatureScheme::HmacSha256Base64Body | SignatureScheme::EcwidCreatedDotId => {
            decode_base64_tag(header, signature).map(drop)
        }
        SignatureScheme::HmacSha256HexBody => decode_hex_tag(header, signature).map(drop),
        SignatureScheme::StandardWebhooks => {
            required_header(headers, WEBHOOK_ID)?;
            parse_timestamp(required_header(headers, WEBHOOK_TIMESTAMP)?)?;
            standard_webhooks_tags(header, signature).map(drop)
        }
    }
}

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
    let now = options.clock.now();
    match facts.scheme {
        SignatureScheme::HmacSha256Base64Body => {
            let tag = decode_base64_tag(header, signature)?;
            check(header, secrets, now, &[raw], &[tag])
        }
        SignatureScheme::HmacSha256HexBody => {
            let tag = decode_hex_tag(header, signature)?;
            check(header, secrets, now, &[raw], &[tag])?;
            // The body is signed, timestamp included: an old one is a replay.
            match (options.max_age, body.get(Field::ShopwareTimestamp)) {
                (Some(max_age), Ok(Found::Integer(text) | Found::Text(text))) => {
                    let signed_at =
                        parse_timestamp(text.as_bytes()).map_err(|_| ReceiveError::UnreadableSignedField {
                            field: SHOPWARE_TIMESTAMP,
                            reason: "it is not Unix seconds",
                        })?;
                    fresh(signed_at, now, max_age, options.tolerance)
                }
                (Some(_), Ok(Found::Duplicate)) => Err(ReceiveError::UnreadableSignedField {
                    field: SHOPWARE_TIMESTAMP,
                    reason: "the body has it more than once",
                }),
                _ => Ok(()),
            }
        }
        SignatureScheme::StandardWebhooks => standard_webhooks(header, signature, headers, raw, secrets, options),
        SignatureScheme::EcwidCreatedDotId => {
            let tag = decode_base64_tag(header, signature)?;
            // `eventCreated` must be an integer: its digits cannot hold the `.` that separates
            // it from `eventId`, so the signed text splits one way only.
            let created = match body.get(Field::EcwidCreated) {
                Ok(Found::Integer(digits)) if !digits.starts_with('-') => digits,
                Ok(Found::Text(_) | Found::Integer(_)) => {
                    return Err(ReceiveError::UnreadableSignedField {
                        field: ECWID_CREATED,
                        reason: "it is not a non-negative JSON integer",
                    })
                }
                other => signed_body_field(other, ECWID_CREATED)?,
            };
            let id = signed_body_field(body.get(Field::EcwidId), ECWID_ID)?;
            check(header, secrets, now, &[created.as_bytes(), b".", id.as_bytes()], &[tag])?;
            let signed_at = parse_timestamp(created.as_bytes()).map_err(|_| ReceiveError::UnreadableSignedField {
                field: ECWID_CREATED,
                reason: "it is not Unix seconds",
            })?;
            fresh(signed_at, now, options.max_age.unwrap_or(VerifyOptions::ECWID_MAX_AGE), options.tolerance)
        }
    }
}

/// Whether a genuine signature made at `signed_at` is still acceptable at `now`: at most
/// `max_age` old, at most `ahead` in the future.
fn fresh(signed_at: SystemTime, now: SystemTime, max_age: Duration, ahead: Duration) -> Result<(), ReceiveError> {
    match now.duration_since(signed_at) {
        Ok(age) if age > max_age => Err(ReceiveError::StaleTimestamp { age, tolerance: max_age }),
        Ok(_) => Ok(()),
        Err(future) if future.duration() > ahead => {
            Err(ReceiveError::FutureTimestamp { ahead: future.duration(), tolerance: ahead })
        }
        Err(_) => Ok(()),
    }
}

/// The `v1` tags of a Standard Webhooks signature header: `v1,<base64>` entries separated by
/// spaces (other versions are skipped), at most [`MAX_SIGNATURES`] entries.
fn standard_webhooks_tags(header: &'static str, signature: &[u8]) -> Result<Vec<[u8; TAG_LEN]>, ReceiveError> {
    let mut tags = Vec::new();
    for (index, entry) in signature.split(|&b| b == b' ').filter(|entry| !entry.is_empty()).enumerate() {
        if index == MAX_SIGNATURES {
            return Err(ReceiveError::MalformedSignature { header, reason: "it has more than 16 signatures" });
        }
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
    Ok(tags)
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
    let tags = standard_webhooks_tags(header, signature)?;
    let now = options.clock.now();
    check(header, secrets, now, &[id, b".", timestamp, b".", body], &tags)?;
    // Authentic; now fresh?
    fresh(signed_at, now, options.tolerance, options.tolerance)
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

/// Accepts when the HMAC of the concatenated `parts` under any secret usable at `now` equals
/// any of `tags`. Each secret's MAC is computed once; every (secret, tag) pair is compared in
/// constant time, and all of them are, whether or not one already matched.
fn check(
    header: &'static str,
    secrets: &[Secret],
    now: SystemTime,
    parts: &[&[u8]],
    tags: &[[u8; TAG_LEN]],
) -> Result<(), ReceiveError> {
    let mut matched = subtle::Choice::from(0);
    for secret in secrets.iter().filter(|secret| secret.usable_at(now)) {
        let Some(expected) = secret.tag(parts) else { continue };
        for tag in tags {
            matched |= expected.ct_eq(tag);
        }
    }
    if bool::from(matched) {
        Ok(())
    } else {
        Err(ReceiveError::SignatureMismatch { header })
    }
}

fn required_header<'h, H: HeaderLookup + ?Sized>(headers: &'h H, name: &'static str) -> Result<&'h [u8], ReceiveError> {
    match headers.header(name) {
        Some(value) if !trim(value).is_empty() => Ok(trim(value)),
        _ => Err(ReceiveError::MissingHeader { header: name }),
    }
}

/// Strips the spaces and tabs HTTP allows around a header value (the bytes verification uses
/// are the bytes a delivery reports).
pub(crate) fn trim(value: &[u8]) -> &[u8] {
    let start = value.iter().position(|b| !matches!(b, b' ' | b'\t')).unwrap_or(value.len());
    let end = value.iter().rposition(|b| !matches!(b, b' ' | b'\t')).map_or(start, |i| i + 1);
    &value[start..end]
}

/// A base64 HMAC-SHA256 tag. Decoding is strict (canonical padding and trailing bits), so two
/// different header values never decode to the same tag.
fn decode_base64_tag(header: &'static str, value: &[u8]) -> Result<[u8; TAG_LEN], ReceiveError> {
    let tag = BASE64
        .decode(value)
        .map_err(|_| ReceiveError::MalformedSignature { header, reason: "it is not valid base64" })?;
    tag.try_into().map_err(|_| ReceiveError::MalformedSignature {
        header,
        reason: "it does not decode to a 32-byte HMAC-SHA256 tag",
    })
}

/// A lowercase hex HMAC-SHA256 tag (what PHP's `hash_hmac` produces; Shopware compares the
/// text exactly, so uppercase is refused rather than folded).
fn decode_hex_tag(header: &'static str, value: &[u8]) -> Result<[u8; TAG_LEN], ReceiveError> {
    let malformed = ReceiveError::MalformedSignature { header, reason: "it is not 64 lowercase hex digits" };
    if value.len() != TAG_LEN * 2 || !value.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(malformed);
    }
    let mut tag = [0; TAG_LEN];
    hex::decode_to_slice(value, &mut tag).map_err(|_| malformed)?;
    Ok(tag)
}

/// A top-level body field that is part of the signed message (`found`, as read from the
/// body), as text: it must be there exactly once, as a string or an integer. A duplicated
/// field is refused: the signature would cover one copy and the decoder might read the other.
fn signed_body_field(found: Result<Found, serde_json::Error>, field: &'static str) -> Result<String, ReceiveError> {
    match found {
        Ok(Found::Text(text) | Found::Integer(text)) => Ok(text),
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
