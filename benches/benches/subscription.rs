//! Subscription matching: a set of 20 patterns (`orders/*`-style prefixes and exact topics)
//! asked about every documented topic of a platform, with the generated
//! `Subscription::covers` (one bit test for a documented topic) against checking each pattern
//! with string operations written here (`starts_with` for a prefix, `==` for an exact topic),
//! the way code without a compiled subscription would do it.
//!
//! Also: the same question for unknown topics (where `covers` falls back to the patterns), and
//! the one-off cost of compiling the subscription.

use std::hint::black_box;

use commerce_webhooks::{bigcommerce, shopify, CatalogTopic, Subscription};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

const SHOPIFY_PATTERNS: [&str; 20] = [
    "orders/*",
    "products/*",
    "customers/*",
    "fulfillment_orders/*",
    "fulfillments/*",
    "refunds/*",
    "returns/*",
    "draft_orders/*",
    "inventory_levels/*",
    "inventory_items/*",
    "checkouts/*",
    "carts/*",
    "collections/*",
    "subscription_contracts/*",
    "app/uninstalled",
    "shop/update",
    "customers/data_request",
    "customers/redact",
    "shop/redact",
    "themes/publish",
];

const BIGCOMMERCE_PATTERNS: [&str; 20] = [
    "store/cart/*",
    "store/cart/lineItem/*",
    "store/category/*",
    "store/channel/*",
    "store/customer/*",
    "store/order/*",
    "store/product/*",
    "store/shipment/*",
    "store/sku/*",
    "store/subscriber/*",
    "store/app/uninstalled",
    "store/information/updated",
    "store/order/created",
    "store/order/updated",
    "store/order/statusUpdated",
    "store/product/created",
    "store/product/deleted",
    "store/customer/created",
    "store/cart/converted",
    "store/sku/inventory/updated",
];

/// The hand-written matcher: `(text before the `*`, is it a prefix)` per pattern.
struct ByHand(Vec<(&'static str, bool)>);

impl ByHand {
    fn new(patterns: &[&'static str]) -> Self {
        Self(
            patterns
                .iter()
                .map(|p| match p.strip_suffix('*') {
                    Some(prefix) => (prefix, true),
                    None => (*p, false),
                })
                .collect(),
        )
    }

    fn covers(&self, topic: &str) -> bool {
        self.0.iter().any(
            |&(text, prefix)| {
                if prefix {
                    topic.len() > text.len() && topic.starts_with(text)
                } else {
                    topic == text
                }
            },
        )
    }
}

fn run<T: CatalogTopic>(c: &mut Criterion, platform: &str, patterns: &[&'static str], unknown: &[&str]) {
    let subscription = Subscription::<T>::new(patterns).expect("valid patterns");
    let by_hand = ByHand::new(patterns);
    let topics: Vec<T> = T::ALL.to_vec();
    let unknown: Vec<T> = unknown.iter().map(|u| u.parse().expect("infallible")).collect();
    for topic in topics.iter().chain(&unknown) {
        assert_eq!(subscription.covers(topic), by_hand.covers(topic.as_str()), "{topic}");
    }
    let covered = topics.iter().filter(|t| subscription.covers(t)).count();
    eprintln!("{platform}: {} patterns cover {covered} of {} topics", patterns.len(), topics.len());

    let mut group = c.benchmark_group(format!("subscription/{platform}"));
    for (label, set) in [("documented_topics", &topics), ("unknown_topics", &unknown)] {
        group.throughput(Throughput::Elements(set.len() as u64));
        group.bench_with_input(BenchmarkId::new("covers", label), set, |b, set| {
            b.iter(|| set.iter().filter(|t| subscription.covers(black_box(t))).count())
        });
        group.bench_with_input(BenchmarkId::new("string_ops", label), set, |b, set| {
            b.iter(|| set.iter().filter(|t| by_hand.covers(black_box(t.as_str()))).count())
        });
        // The crate's own `Pattern::matches`, with the topic's name read once per topic.
        group.bench_with_input(BenchmarkId::new("pattern_matches", label), set, |b, set| {
            b.iter(|| {
                set.iter()
                    .filter(|t| {
                        let name = black_box(t.as_str());
                        subscription.patterns().iter().any(|p| p.matches(name))
                    })
                    .count()
            })
        });
    }
    group.throughput(Throughput::Elements(1));
    group.bench_function("compile_subscription", |b| b.iter(|| Subscription::<T>::new(black_box(patterns))));
    group.finish();
}

fn subscription(c: &mut Criterion) {
    run::<shopify::Topic>(
        c,
        "shopify",
        &SHOPIFY_PATTERNS,
        &["orders/teleported", "products/archived", "widgets/create", "shop/renamed", "themes/unpublish"],
    );
    run::<bigcommerce::Topic>(
        c,
        "bigcommerce",
        &BIGCOMMERCE_PATTERNS,
        &["store/cart/abandoned", "store/order/archived", "store/widget/created", "store/app/installed"],
    );
}

criterion_group!(benches, subscription);
criterion_main!(benches);
