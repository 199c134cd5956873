//! Decoding real example bodies (`catalog/examples/`), per case:
//!
//! - `typed`: the generated `Event::from_delivery(topic, body)`;
//! - `typed_from_body` (platforms whose body names its topic): `Event::from_body(body)`, which
//!   first reads the topic field out of the body;
//! - `value`: `serde_json::from_slice::<serde_json::Value>`;
//! - `ignored_any`: `serde_json::from_slice::<serde::de::IgnoredAny>`, serde_json's floor
//!   (it validates and skips everything, building nothing);
//! - `simd_json_borrowed`: `simd_json::to_borrowed_value` on a mutable copy of the body; the
//!   copy is made in criterion's untimed setup, and `copy_body` times it alone.
//!
//! And re-encoding: `serde_json::to_vec(&event)` against `serde_json::to_vec(&value)`.
//! Every output is dropped inside the timed region, for all variants alike.

use std::hint::black_box;

use commerce_webhooks::{bigcommerce, ecwid, shopify, shopware, CatalogTopic, WebhookEvent};
use commerce_webhooks_benches::{Case, Platform, DECODE_CASES};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use serde::de::IgnoredAny;

fn case<E: WebhookEvent>(c: &mut Criterion, case: &Case) {
    let Case { name, topic, body, platform } = *case;
    // The typed decode must work and round-trip before it is worth timing.
    let event = E::from_delivery(topic, body).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(event.topic().index().is_some(), "{name}: decoded as an unknown topic");
    let value: serde_json::Value = serde_json::from_slice(body).expect("JSON");
    let reencoded: serde_json::Value = serde_json::from_slice(&serde_json::to_vec(&event).unwrap()).unwrap();
    assert_eq!(reencoded, value, "{name}: re-encoding changes the body");

    let mut group = c.benchmark_group(format!("decode/{name}"));
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("typed", |b| b.iter(|| E::from_delivery(black_box(topic), black_box(body))));
    if platform != Platform::Shopify {
        group.bench_function("typed_from_body", |b| b.iter(|| E::from_body(black_box(body))));
    }
    group.bench_function("value", |b| b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(body))));
    group.bench_function("ignored_any", |b| b.iter(|| serde_json::from_slice::<IgnoredAny>(black_box(body))));
    group.bench_function("simd_json_borrowed", |b| {
        b.iter_batched_ref(
            || body.to_vec(),
            |copy| simd_json::to_borrowed_value(copy).map(|v| drop(black_box(v))),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("copy_body", |b| b.iter(|| black_box(body).to_vec()));
    group.finish();

    let mut group = c.benchmark_group(format!("encode/{name}"));
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("typed", |b| b.iter(|| serde_json::to_vec(black_box(&event))));
    group.bench_function("value", |b| b.iter(|| serde_json::to_vec(black_box(&value))));
    group.finish();
}

fn decode(c: &mut Criterion) {
    for case_ in DECODE_CASES {
        match case_.platform {
            Platform::Shopify => case::<shopify::Event>(c, case_),
            Platform::BigCommerce => case::<bigcommerce::Event>(c, case_),
            Platform::Shopware => case::<shopware::Event>(c, case_),
            Platform::Ecwid => case::<ecwid::Event>(c, case_),
        }
    }
}

criterion_group!(benches, decode);
criterion_main!(benches);
