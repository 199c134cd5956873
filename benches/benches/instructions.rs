//! Instruction counts (gungraun, Valgrind's callgrind) for the goals of the performance issue:
//!
//! - `decode`: real Shopify bodies through `shopify::Event::from_delivery` (`typed`), the
//!   plain serde-derive structs inferred from the same bodies (`derive`, see `baseline.rs`),
//!   the same structs read from a `&str` after one UTF-8 check, as `typed` reads (`derive_str`),
//!   `serde_json::Value` (`value`) and `serde::de::IgnoredAny` (`ignored_any`, serde_json's
//!   floor). Every output is dropped inside the measured function.
//! - `topic`: every documented topic of each platform, then the same strings with their last
//!   byte changed (near misses: same length, same first byte), through `Topic::from_wire`,
//!   `Topic::known` and a `HashMap<&str, Topic>` (std SipHash): `get`, and `get` + clone +
//!   `Topic::Unknown(String)` on a miss (what `from_wire` returns). One run parses the whole
//!   set; divide by the set's size for one string. `loop_only` is the loop over the set alone,
//!   which every variant also pays (the script reports ratios with and without it).
//! - `verify`: `Delivery::<E>::verify` of a delivery signed by `testing::TestDelivery`,
//!   against a bare HMAC-SHA256 of the same body bytes (RustCrypto `hmac` + `sha2`).
//!
//! Run with `cargo bench -p commerce-webhooks-benches --bench instructions` (needs valgrind and
//! `gungraun-runner` 0.20.0); `python3 benches/scripts/instruction_ratios.py` prints the goals'
//! ratios from the summaries. Each setup runs its function once before the measured call, so
//! one-time costs (the allocator's first use, lazy statics) stay out of the counts (decode:
//! only the measured variant, see `warm`).

use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, SystemTime};

use commerce_webhooks::testing::{TestDelivery, TEST_SECRET};
use commerce_webhooks::{
    bigcommerce, ecwid, shopify, shopware, CatalogTopic, Delivery, Secret, VerifyOptions, WebhookEvent,
};
use commerce_webhooks_benches::{pad_body, shopify_body, ShopifyBody, DECODE_CASES};
use gungraun::{library_benchmark, library_benchmark_group, main};
use hmac::{Hmac, Mac};
use serde::de::IgnoredAny;
use sha2::Sha256;

// ------------------------------------------------------------------------------------------
// Decode

/// The body named `name`, after one decode of it by `decode` (checked to succeed), so that the
/// first decode's one-time costs are not counted. Only by the variant measured next: what an
/// earlier decode frees stays in the allocator, and the hundreds of small blocks a `Value`
/// leaves make glibc's next large allocation merge them all (`malloc_consolidate`, about
/// 40,000 instructions on orders/create). Each variant is measured after its own decode, as
/// it runs in a receiver that decodes one delivery after another.
fn warm<T, E: std::fmt::Display>(
    name: &str,
    variant: &str,
    decode: impl Fn(&ShopifyBody) -> Result<T, E>,
) -> &'static ShopifyBody {
    let body = shopify_body(name);
    decode(body).unwrap_or_else(|e| panic!("{name}: {variant}: {e}"));
    body
}

fn warm_typed(name: &str) -> &'static ShopifyBody {
    warm(name, "typed", |b| shopify::Event::from_delivery(b.topic, b.body))
}

fn warm_derive(name: &str) -> &'static ShopifyBody {
    warm(name, "derive baseline", |b| (b.derive)(b.body))
}

fn warm_derive_str(name: &str) -> &'static ShopifyBody {
    warm(name, "derive baseline from a str", |b| (b.derive_str)(b.body))
}

fn warm_value(name: &str) -> &'static ShopifyBody {
    warm(name, "Value", |b| serde_json::from_slice::<serde_json::Value>(b.body))
}

fn warm_ignored_any(name: &str) -> &'static ShopifyBody {
    warm(name, "IgnoredAny", |b| serde_json::from_slice::<IgnoredAny>(b.body))
}

#[library_benchmark]
#[bench::orders_create(setup = warm_typed, args = ("orders_create"))]
#[bench::refunds_create(setup = warm_typed, args = ("refunds_create"))]
#[bench::products_update(setup = warm_typed, args = ("products_update"))]
#[bench::customers_create(setup = warm_typed, args = ("customers_create"))]
#[bench::themes_delete(setup = warm_typed, args = ("themes_delete"))]
#[bench::real_orders_create(setup = warm_typed, args = ("real_orders_create"))]
#[bench::real_orders_cancelled(setup = warm_typed, args = ("real_orders_cancelled"))]
#[bench::real_refunds_create(setup = warm_typed, args = ("real_refunds_create"))]
#[bench::real_products_update(setup = warm_typed, args = ("real_products_update"))]
#[bench::real_customers_create(setup = warm_typed, args = ("real_customers_create"))]
#[bench::real_inventory_levels_update(setup = warm_typed, args = ("real_inventory_levels_update"))]
fn typed(body: &'static ShopifyBody) {
    drop(black_box(shopify::Event::from_delivery(black_box(body.topic), black_box(body.body))));
}

#[library_benchmark]
#[bench::orders_create(setup = warm_derive, args = ("orders_create"))]
#[bench::refunds_create(setup = warm_derive, args = ("refunds_create"))]
#[bench::products_update(setup = warm_derive, args = ("products_update"))]
#[bench::customers_create(setup = warm_derive, args = ("customers_create"))]
#[bench::themes_delete(setup = warm_derive, args = ("themes_delete"))]
#[bench::real_orders_create(setup = warm_derive, args = ("real_orders_create"))]
#[bench::real_orders_cancelled(setup = warm_derive, args = ("real_orders_cancelled"))]
#[bench::real_refunds_create(setup = warm_derive, args = ("real_refunds_create"))]
#[bench::real_products_update(setup = warm_derive, args = ("real_products_update"))]
#[bench::real_customers_create(setup = warm_derive, args = ("real_customers_create"))]
#[bench::real_inventory_levels_update(setup = warm_derive, args = ("real_inventory_levels_update"))]
fn derive(body: &'static ShopifyBody) {
    drop(black_box((body.derive)(black_box(body.body))));
}

// The derive structs read the way `typed` reads: one UTF-8 check, then serde_json's `&str`
// reader (an application could do the same; `derive` is what a plain `from_slice` costs).
#[library_benchmark]
#[bench::orders_create(setup = warm_derive_str, args = ("orders_create"))]
#[bench::refunds_create(setup = warm_derive_str, args = ("refunds_create"))]
#[bench::products_update(setup = warm_derive_str, args = ("products_update"))]
#[bench::customers_create(setup = warm_derive_str, args = ("customers_create"))]
#[bench::themes_delete(setup = warm_derive_str, args = ("themes_delete"))]
#[bench::real_orders_create(setup = warm_derive_str, args = ("real_orders_create"))]
#[bench::real_orders_cancelled(setup = warm_derive_str, args = ("real_orders_cancelled"))]
#[bench::real_refunds_create(setup = warm_derive_str, args = ("real_refunds_create"))]
#[bench::real_products_update(setup = warm_derive_str, args = ("real_products_update"))]
#[bench::real_customers_create(setup = warm_derive_str, args = ("real_customers_create"))]
#[bench::real_inventory_levels_update(setup = warm_derive_str, args = ("real_inventory_levels_update"))]
fn derive_str(body: &'static ShopifyBody) {
    drop(black_box((body.derive_str)(black_box(body.body))));
}

#[library_benchmark]
#[bench::orders_create(setup = warm_value, args = ("orders_create"))]
#[bench::refunds_create(setup = warm_value, args = ("refunds_create"))]
#[bench::products_update(setup = warm_value, args = ("products_update"))]
#[bench::customers_create(setup = warm_value, args = ("customers_create"))]
#[bench::themes_delete(setup = warm_value, args = ("themes_delete"))]
#[bench::real_orders_create(setup = warm_value, args = ("real_orders_create"))]
#[bench::real_orders_cancelled(setup = warm_value, args = ("real_orders_cancelled"))]
#[bench::real_refunds_create(setup = warm_value, args = ("real_refunds_create"))]
#[bench::real_products_update(setup = warm_value, args = ("real_products_update"))]
#[bench::real_customers_create(setup = warm_value, args = ("real_customers_create"))]
#[bench::real_inventory_levels_update(setup = warm_value, args = ("real_inventory_levels_update"))]
fn value(body: &'static ShopifyBody) {
    drop(black_box(serde_json::from_slice::<serde_json::Value>(black_box(body.body))));
}

#[library_benchmark]
#[bench::orders_create(setup = warm_ignored_any, args = ("orders_create"))]
#[bench::refunds_create(setup = warm_ignored_any, args = ("refunds_create"))]
#[bench::products_update(setup = warm_ignored_any, args = ("products_update"))]
#[bench::customers_create(setup = warm_ignored_any, args = ("customers_create"))]
#[bench::themes_delete(setup = warm_ignored_any, args = ("themes_delete"))]
#[bench::real_orders_create(setup = warm_ignored_any, args = ("real_orders_create"))]
#[bench::real_orders_cancelled(setup = warm_ignored_any, args = ("real_orders_cancelled"))]
#[bench::real_refunds_create(setup = warm_ignored_any, args = ("real_refunds_create"))]
#[bench::real_products_update(setup = warm_ignored_any, args = ("real_products_update"))]
#[bench::real_customers_create(setup = warm_ignored_any, args = ("real_customers_create"))]
#[bench::real_inventory_levels_update(setup = warm_ignored_any, args = ("real_inventory_levels_update"))]
fn ignored_any(body: &'static ShopifyBody) {
    drop(black_box(serde_json::from_slice::<IgnoredAny>(black_box(body.body))));
}

library_benchmark_group!(name = decode; benchmarks = typed, derive, derive_str, value, ignored_any);

// ------------------------------------------------------------------------------------------
// Topic parsing

/// The inherent parsers of a platform's `Topic` (the generic `CatalogTopic` has neither).
trait Parse: CatalogTopic {
    fn from_wire(wire: &str) -> Self;
    fn known(wire: &str) -> Option<Self>;
}

macro_rules! parse {
    ($($platform:ident),*) => {$(
        impl Parse for $platform::Topic {
            fn from_wire(wire: &str) -> Self {
                $platform::Topic::from_wire(wire)
            }
            fn known(wire: &str) -> Option<Self> {
                $platform::Topic::known(wire)
            }
        }
    )*};
}

parse!(shopify, bigcommerce, shopware, ecwid);

/// One platform's topic strings and the `HashMap` baseline, behind a trait object so that one
/// bench function covers every platform (one indirect call per set of strings).
trait TopicSet {
    /// The loop over the strings alone (`black_box` of each): what every variant also spends.
    fn loop_only(&self);
    fn parse_all_from_wire(&self);
    fn parse_all_known(&self);
    fn get_all_from_hashmap(&self);
    fn topic_all_from_hashmap(&self);
}

struct Topics<T: 'static> {
    strings: Vec<String>,
    map: HashMap<&'static str, T>,
}

impl<T: Parse> Topics<T> {
    /// Every documented topic (`unknown == false`), or each of them with its last byte changed
    /// so that it names no topic.
    fn new(unknown: bool) -> Self {
        let map: HashMap<&'static str, T> = T::ALL.iter().map(|t| (t.as_str(), t.clone())).collect();
        let strings = T::ALL
            .iter()
            .map(|topic| {
                let wire = topic.as_str();
                if !unknown {
                    return wire.to_owned();
                }
                let mut bytes = wire.as_bytes().to_vec();
                let last = bytes.len() - 1;
                [b'Z', b'Q', b'9']
                    .into_iter()
                    .find_map(|candidate| {
                        bytes[last] = candidate;
                        let text = String::from_utf8(bytes.clone()).expect("ASCII");
                        (T::known(&text).is_none() && !map.contains_key(text.as_str())).then_some(text)
                    })
                    .unwrap_or_else(|| panic!("no near miss for {wire}"))
            })
            .collect();
        let topics = Self { strings, map };
        for s in &topics.strings {
            assert_eq!(topics.map.get(s.as_str()).cloned(), T::known(s), "{s}");
            assert_eq!(T::from_wire(s).as_str(), s);
        }
        // Warm: the first call of each variant.
        topics.loop_only();
        topics.parse_all_from_wire();
        topics.parse_all_known();
        topics.get_all_from_hashmap();
        topics.topic_all_from_hashmap();
        topics
    }
}

impl<T: Parse> TopicSet for Topics<T> {
    fn loop_only(&self) {
        for s in &self.strings {
            black_box(black_box(s.as_str()));
        }
    }

    fn parse_all_from_wire(&self) {
        for s in &self.strings {
            black_box(T::from_wire(black_box(s.as_str())));
        }
    }

    fn parse_all_known(&self) {
        for s in &self.strings {
            black_box(T::known(black_box(s.as_str())));
        }
    }

    fn get_all_from_hashmap(&self) {
        for s in &self.strings {
            black_box(self.map.get(black_box(s.as_str())));
        }
    }

    fn topic_all_from_hashmap(&self) {
        for s in &self.strings {
            let s = black_box(s.as_str());
            black_box(self.map.get(s).cloned().unwrap_or_else(|| T::from_wire(s)));
        }
    }
}

fn topics(platform: &str, unknown: bool) -> Box<dyn TopicSet> {
    match platform {
        "shopify" => Box::new(Topics::<shopify::Topic>::new(unknown)),
        "bigcommerce" => Box::new(Topics::<bigcommerce::Topic>::new(unknown)),
        "shopware" => Box::new(Topics::<shopware::Topic>::new(unknown)),
        "ecwid" => Box::new(Topics::<ecwid::Topic>::new(unknown)),
        other => panic!("no platform {other}"),
    }
}

#[library_benchmark]
#[bench::shopify_known(setup = topics, args = ("shopify", false))]
#[bench::shopify_unknown(setup = topics, args = ("shopify", true))]
#[bench::bigcommerce_known(setup = topics, args = ("bigcommerce", false))]
#[bench::bigcommerce_unknown(setup = topics, args = ("bigcommerce", true))]
#[bench::shopware_known(setup = topics, args = ("shopware", false))]
#[bench::shopware_unknown(setup = topics, args = ("shopware", true))]
#[bench::ecwid_known(setup = topics, args = ("ecwid", false))]
#[bench::ecwid_unknown(setup = topics, args = ("ecwid", true))]
fn loop_only(set: Box<dyn TopicSet>) -> Box<dyn TopicSet> {
    set.loop_only();
    set
}

#[library_benchmark]
#[bench::shopify_known(setup = topics, args = ("shopify", false))]
#[bench::shopify_unknown(setup = topics, args = ("shopify", true))]
#[bench::bigcommerce_known(setup = topics, args = ("bigcommerce", false))]
#[bench::bigcommerce_unknown(setup = topics, args = ("bigcommerce", true))]
#[bench::shopware_known(setup = topics, args = ("shopware", false))]
#[bench::shopware_unknown(setup = topics, args = ("shopware", true))]
#[bench::ecwid_known(setup = topics, args = ("ecwid", false))]
#[bench::ecwid_unknown(setup = topics, args = ("ecwid", true))]
fn from_wire(set: Box<dyn TopicSet>) -> Box<dyn TopicSet> {
    set.parse_all_from_wire();
    set
}

#[library_benchmark]
#[bench::shopify_known(setup = topics, args = ("shopify", false))]
#[bench::shopify_unknown(setup = topics, args = ("shopify", true))]
#[bench::bigcommerce_known(setup = topics, args = ("bigcommerce", false))]
#[bench::bigcommerce_unknown(setup = topics, args = ("bigcommerce", true))]
#[bench::shopware_known(setup = topics, args = ("shopware", false))]
#[bench::shopware_unknown(setup = topics, args = ("shopware", true))]
#[bench::ecwid_known(setup = topics, args = ("ecwid", false))]
#[bench::ecwid_unknown(setup = topics, args = ("ecwid", true))]
fn known(set: Box<dyn TopicSet>) -> Box<dyn TopicSet> {
    set.parse_all_known();
    set
}

#[library_benchmark]
#[bench::shopify_known(setup = topics, args = ("shopify", false))]
#[bench::shopify_unknown(setup = topics, args = ("shopify", true))]
#[bench::bigcommerce_known(setup = topics, args = ("bigcommerce", false))]
#[bench::bigcommerce_unknown(setup = topics, args = ("bigcommerce", true))]
#[bench::shopware_known(setup = topics, args = ("shopware", false))]
#[bench::shopware_unknown(setup = topics, args = ("shopware", true))]
#[bench::ecwid_known(setup = topics, args = ("ecwid", false))]
#[bench::ecwid_unknown(setup = topics, args = ("ecwid", true))]
fn hashmap_get(set: Box<dyn TopicSet>) -> Box<dyn TopicSet> {
    set.get_all_from_hashmap();
    set
}

#[library_benchmark]
#[bench::shopify_known(setup = topics, args = ("shopify", false))]
#[bench::shopify_unknown(setup = topics, args = ("shopify", true))]
#[bench::bigcommerce_known(setup = topics, args = ("bigcommerce", false))]
#[bench::bigcommerce_unknown(setup = topics, args = ("bigcommerce", true))]
#[bench::shopware_known(setup = topics, args = ("shopware", false))]
#[bench::shopware_unknown(setup = topics, args = ("shopware", true))]
#[bench::ecwid_known(setup = topics, args = ("ecwid", false))]
#[bench::ecwid_unknown(setup = topics, args = ("ecwid", true))]
fn hashmap_to_topic(set: Box<dyn TopicSet>) -> Box<dyn TopicSet> {
    set.topic_all_from_hashmap();
    set
}

library_benchmark_group!(name = topic; benchmarks = loop_only, from_wire, known, hashmap_get, hashmap_to_topic);

// ------------------------------------------------------------------------------------------
// Verification

/// A signed delivery: headers, body, one secret, options that verify at the signing time.
struct Signed {
    verify: fn(&Signed) -> bool,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    secrets: [Secret; 1],
    options: VerifyOptions,
}

fn verify_as<E: WebhookEvent>(signed: &Signed) -> bool {
    Delivery::<E>::verify(black_box(&signed.headers), black_box(&signed.body), &signed.secrets, &signed.options).is_ok()
}

fn signed_as<E: WebhookEvent>(topic: &str, body: &[u8]) -> Signed {
    let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_735_689_600);
    let delivery = TestDelivery::new::<E>(topic, body).signed_at(at);
    let signed = Signed {
        verify: verify_as::<E>,
        headers: delivery.headers(),
        body: delivery.body(),
        secrets: [Secret::new(TEST_SECRET)],
        options: delivery.verify_options(),
    };
    assert!((signed.verify)(&signed), "{topic}: does not verify");
    bare_hmac(&signed.body);
    signed
}

/// `case`: `ecwid_order_created` (the catalog example, 260 bytes), `ecwid_padded_10k` (it grown
/// to 10,240 bytes, as the criterion bench does), `shopify_orders_create` (12,128 bytes),
/// `shopify_padded_10k` (`products/create` grown to 10,240 bytes).
fn signed(case: &str) -> Signed {
    let example = |name: &str| DECODE_CASES.iter().find(|c| c.name == name).expect("a decode case");
    let ecwid = example("ecwid/order_created");
    let products = example("shopify/products_create");
    match case {
        "ecwid_order_created" => signed_as::<ecwid::Event>(ecwid.topic, ecwid.body),
        "ecwid_padded_10k" => signed_as::<ecwid::Event>(ecwid.topic, &pad_body(ecwid.body, 10 * 1024)),
        "shopify_orders_create" => {
            let orders = example("shopify/orders_create");
            signed_as::<shopify::Event>(orders.topic, orders.body)
        }
        "shopify_padded_10k" => signed_as::<shopify::Event>(products.topic, &pad_body(products.body, 10 * 1024)),
        other => panic!("no verify case {other}"),
    }
}

fn bare_hmac(body: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(TEST_SECRET.as_bytes()).expect("any key length");
    mac.update(body);
    mac.finalize().into_bytes().into()
}

#[library_benchmark]
#[bench::ecwid_order_created(setup = signed, args = ("ecwid_order_created"))]
#[bench::ecwid_padded_10k(setup = signed, args = ("ecwid_padded_10k"))]
#[bench::shopify_orders_create(setup = signed, args = ("shopify_orders_create"))]
#[bench::shopify_padded_10k(setup = signed, args = ("shopify_padded_10k"))]
fn verify(signed: Signed) -> Signed {
    assert!(black_box((signed.verify)(&signed)));
    signed
}

#[library_benchmark]
#[bench::ecwid_order_created(setup = signed, args = ("ecwid_order_created"))]
#[bench::ecwid_padded_10k(setup = signed, args = ("ecwid_padded_10k"))]
#[bench::shopify_orders_create(setup = signed, args = ("shopify_orders_create"))]
#[bench::shopify_padded_10k(setup = signed, args = ("shopify_padded_10k"))]
fn hmac_sha256_bare(signed: Signed) -> Signed {
    black_box(bare_hmac(black_box(&signed.body)));
    signed
}

library_benchmark_group!(name = verification; benchmarks = verify, hmac_sha256_bare);

main!(library_benchmark_groups = decode, topic, verification);
