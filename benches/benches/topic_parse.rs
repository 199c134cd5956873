//! Topic parsing: every Shopify topic string through the generated `Topic::from_wire` and
//! `Topic::known` (a dispatch on length, then on the byte position that best separates the
//! names of that length, then one string comparison) against a
//! `HashMap<&str, Topic>` (std SipHash) and a perfect-hash table (phf), for known topics and
//! for unknown strings that share length and first byte with a real topic (each differs from
//! its topic only in the last byte: the worst case for the bucket's string compares).
//!
//! Every iteration parses the whole set (200 strings); criterion's throughput line gives the
//! per-string rate.

use std::collections::HashMap;
use std::hint::black_box;

use commerce_webhooks::shopify::Topic;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

/// A perfect-hash table built at run time with `phf_generator`: the same hashing (SipHash-1-3
/// with a chosen key) and displacement lookup that `phf::Map` does, without a build script.
struct Phf {
    state: phf_generator::HashState,
    keys: Vec<&'static str>,
    values: Vec<Topic>,
}

impl Phf {
    fn new(entries: &[(&'static str, Topic)]) -> Self {
        let keys: Vec<&'static str> = entries.iter().map(|(k, _)| *k).collect();
        let state = phf_generator::generate_hash(&keys);
        let values = entries.iter().map(|(_, v)| v.clone()).collect();
        Self { state, keys, values }
    }

    fn get(&self, key: &str) -> Option<&Topic> {
        let hashes = phf_shared::hash(key, &self.state.key);
        let index = phf_shared::get_index(&hashes, &self.state.disps, self.state.map.len()) as usize;
        let entry = self.state.map[index];
        (self.keys[entry] == key).then(|| &self.values[entry])
    }
}

/// Each known topic with its last byte changed so that it names no topic: same length, same
/// first byte as a real topic.
fn near_misses(known: &[&'static str]) -> Vec<String> {
    known
        .iter()
        .map(|topic| {
            let mut bytes = topic.as_bytes().to_vec();
            let last = bytes.len() - 1;
            for candidate in [b'Z', b'Q', b'9'] {
                bytes[last] = candidate;
                let text = String::from_utf8(bytes.clone()).expect("ASCII");
                if matches!(Topic::from_wire(&text), Topic::Unknown(_)) {
                    return text;
                }
            }
            panic!("no near miss for {topic}");
        })
        .collect()
}

fn topic_parse(c: &mut Criterion) {
    let known: Vec<&'static str> = Topic::ALL.iter().map(Topic::as_str).collect();
    let entries: Vec<(&'static str, Topic)> = known.iter().map(|k| (*k, Topic::from_wire(k))).collect();
    let map: HashMap<&'static str, Topic> = entries.iter().cloned().collect();
    let phf = Phf::new(&entries);
    let unknown = near_misses(&known);

    // Every lookup agrees before anything is timed.
    for k in &known {
        assert_eq!(map.get(k), Some(&Topic::from_wire(k)));
        assert_eq!(phf.get(k), Some(&Topic::from_wire(k)));
    }
    for u in &unknown {
        assert!(!map.contains_key(u.as_str()) && phf.get(u).is_none());
    }

    let inputs: [(&str, Vec<String>); 2] =
        [("known", known.iter().map(|s| s.to_string()).collect()), ("unknown_same_len_and_first_byte", unknown)];
    let mut group = c.benchmark_group("topic_parse");
    for (label, strings) in &inputs {
        group.throughput(Throughput::Elements(strings.len() as u64));
        group.bench_with_input(BenchmarkId::new("from_wire", label), strings, |b, strings| {
            b.iter(|| {
                for s in strings {
                    black_box(Topic::from_wire(black_box(s)));
                }
            })
        });
        // The same lookup without building `Topic::Unknown` for a miss.
        group.bench_with_input(BenchmarkId::new("known", label), strings, |b, strings| {
            b.iter(|| {
                for s in strings {
                    black_box(Topic::known(black_box(s)));
                }
            })
        });
        group.bench_with_input(BenchmarkId::new("hashmap_get", label), strings, |b, strings| {
            b.iter(|| {
                for s in strings {
                    black_box(map.get(black_box(s.as_str())));
                }
            })
        });
        // The same result type as `from_wire`: an unknown name is kept as an owned string.
        group.bench_with_input(BenchmarkId::new("hashmap_to_topic", label), strings, |b, strings| {
            b.iter(|| {
                for s in strings {
                    let s = black_box(s.as_str());
                    black_box(map.get(s).cloned().unwrap_or_else(|| Topic::Unknown(s.to_owned())));
                }
            })
        });
        group.bench_with_input(BenchmarkId::new("phf_get", label), strings, |b, strings| {
            b.iter(|| {
                for s in strings {
                    black_box(phf.get(black_box(s)));
                }
            })
        });
    }
    // What `from_wire` must spend on an unknown name whatever its dispatch: the `String` of
    // `Topic::Unknown` (allocate, copy, free).
    let (_, unknown) = &inputs[1];
    group.throughput(Throughput::Elements(unknown.len() as u64));
    group.bench_with_input(
        BenchmarkId::new("unknown_alloc_only", "unknown_same_len_and_first_byte"),
        unknown,
        |b, s| {
            b.iter(|| {
                for s in s {
                    black_box(Topic::Unknown(black_box(s.as_str()).to_owned()));
                }
            })
        },
    );
    group.finish();
}

criterion_group!(benches, topic_parse);
criterion_main!(benches);
