//! Deterministic fuzzing of every public entry point that takes outside input: topic parsing,
//! subscription patterns and matching, `Event` decoding on each platform, and the catalog
//! loader (plus the emitter on any mutated catalog that loads).
//!
//! What it proves, for every generated input: no panic (each call runs under
//! `catch_unwind` and the input is reported), no hang (a watchdog aborts with the input when one
//! call takes longer than [`HANG_LIMIT`]), and the entry point's own promises: a parsed topic
//! keeps its wire name, a pattern matches exactly what its documented rule says, a subscription
//! agrees with its patterns, a decoded body re-encodes to the same `serde_json::Value` as
//! parsing the input (numbers exact: `1` and `1.0` differ), errors are of the right kind, and
//! every catalog diagnostic has a subject, a message, a hint and a line inside its file.
//!
//! Input `i` of an entry point is generated from `FUZZ_SEED` (default [`DEFAULT_SEED`]) and `i`
//! alone, so a reported input index reproduces on its own. `FUZZ_ITERATIONS` sets the number of
//! inputs per entry point (default [`DEFAULT_ITERATIONS`]; [`DEFAULT_LOADER_ITERATIONS`] for the
//! slower catalog loader); the long run, which also truncates every example at every length and
//! runs the emitter on every mutated catalog that loads, is
//! `FUZZ_ITERATIONS=1000000 cargo test --release -p commerce-webhooks-tests --test fuzz`.
//! (`-- --ignored` runs only the `bug_…` tests: one deterministic input per bug the campaigns
//! found; inputs that hit such a bug are counted and printed, not reported as new failures.)

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use commerce_webhooks::{bigcommerce, ecwid, shopify, shopware, CatalogTopic, DecodeError, Pattern, Subscription};
use commerce_webhooks_tests::api::{apis, Api, DecodeFn, Decoded, FromBodyFn};
use commerce_webhooks_tests::{assert_no_failures, catalog_dir, copy_tree, fixture, node_mut, node_paths, panic_text};
use serde_json::Value;

const DEFAULT_SEED: u64 = 0x00C0_FFEE_5EED;
const DEFAULT_ITERATIONS: u64 = 3_000;
/// The catalog loader reads and validates files (about 3 ms an input in a debug build).
const DEFAULT_LOADER_ITERATIONS: u64 = 2_000;
/// In a normal run, `emit::generate` (about 25 ms in a debug build) runs on this many of the
/// mutated catalogs that load; in the long run on all of them.
const GENERATE_SAMPLE: u64 = 40;
/// One call taking longer than this is a hang.
const HANG_LIMIT: Duration = Duration::from_secs(20);

fn seed() -> u64 {
    std::env::var("FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(DEFAULT_SEED)
}

fn iterations() -> u64 {
    iterations_or(DEFAULT_ITERATIONS)
}

/// `FUZZ_ITERATIONS`, or `default` for an entry point slower than the others.
fn iterations_or(default: u64) -> u64 {
    std::env::var("FUZZ_ITERATIONS").ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

/// Whether this is the long run, which tries everything instead of a sample.
fn long_run() -> bool {
    iterations() >= 100_000
}

/// The random source of input `index` of entry point `entry`.
fn rng_for(entry: &str, index: u64) -> fastrand::Rng {
    let entry_hash =
        entry.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    fastrand::Rng::with_seed(seed() ^ entry_hash ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// Failures that have an `#[ignore]`d test of their own (named after them): counted and
/// printed, not reported again by every campaign.
/// Bugs whose inputs are counted instead of failing the run while they are open; all three
/// that the first long run found are fixed, so none is tolerated now.
const KNOWN_BUGS: &[&str] = &[];
const KNOWN_BUG_DATA_ERROR_FOR_BROKEN_JSON: &str = "a_truncated_body_is_a_syntax_error_not_a_data_error";
const KNOWN_BUG_FIRST_TOPIC_KEY_WINS: &str = "from_body_reads_the_topic_key_the_payload_keeps";
/// The ignored test is `bug_truncated_without_final_newline` in bad_catalogs.rs.
const KNOWN_BUG_LINE_PAST_THE_END: &str = "truncated_without_final_newline";

/// A short, printable view of an input for reports.
fn preview(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(300)]);
    let more = if bytes.len() > 300 { format!("… ({} bytes)", bytes.len()) } else { String::new() };
    format!("{text:?}{more}")
}

/// Runs the inputs of one entry point: catches panics, watches for hangs, collects failures.
struct Campaign {
    entry: String,
    failures: Vec<String>,
    /// Inputs that hit a bug in [`KNOWN_BUGS`]: how many, and the first one's index.
    known: std::collections::BTreeMap<&'static str, (u64, u64)>,
    inputs: u64,
    started: Instant,
    /// Index of the input running now, and when it started (ms since `started`).
    current: Arc<(AtomicU64, AtomicU64, AtomicBool)>,
}

impl Campaign {
    fn new(entry: &str) -> Self {
        let current = Arc::new((AtomicU64::new(0), AtomicU64::new(0), AtomicBool::new(false)));
        let started = Instant::now();
        let watched = Arc::clone(&current);
        let name = entry.to_owned();
        std::thread::spawn(move || loop {
            std::thread::sleep(Duration::from_millis(500));
            let (index, since, done) = &*watched;
            if done.load(Ordering::Relaxed) {
                return;
            }
            let running_for = started.elapsed().saturating_sub(Duration::from_millis(since.load(Ordering::Relaxed)));
            if running_for > HANG_LIMIT {
                eprintln!(
                    "HANG: {name} input #{} (FUZZ_SEED={}) has run for {running_for:?}",
                    index.load(Ordering::Relaxed),
                    seed()
                );
                std::process::abort();
            }
        });
        Self { entry: entry.into(), failures: Vec::new(), known: Default::default(), inputs: 0, started, current }
    }

    /// Runs one input; `check` returns its failures, `describe` the input for a report.
    fn run(&mut self, index: u64, describe: impl Fn() -> String, check: impl FnOnce() -> Result<(), String>) {
        self.current.0.store(index, Ordering::Relaxed);
        self.current.1.store(self.started.elapsed().as_millis() as u64, Ordering::Relaxed);
        self.inputs += 1;
        let outcome = match catch_unwind(AssertUnwindSafe(check)) {
            Ok(Ok(())) => return,
            Ok(Err(problem)) => problem,
            Err(panic) => format!("PANIC: {}", panic_text(&*panic)),
        };
        if let Some(bug) = KNOWN_BUGS.iter().find(|bug| outcome.contains(**bug)) {
            if std::env::var_os("FUZZ_SHOW_KNOWN").is_some() {
                eprintln!("{} input #{index}: {outcome}", self.entry);
            }
            let count = self.known.entry(bug).or_insert((0, index));
            count.0 += 1;
            return;
        }
        if self.failures.len() < 50 {
            self.failures.push(format!("{} input #{index}: {outcome}\n    input: {}", self.entry, describe()));
        }
    }

    /// Prints the campaign's size and time, and returns its failures.
    fn finish(mut self) -> Vec<String> {
        eprintln!("{}: {} inputs in {:?}", self.entry, self.inputs, self.started.elapsed());
        for (bug, (count, first)) in &self.known {
            eprintln!("    {count} inputs hit the known bug `{bug}` (first: input #{first})");
        }
        std::mem::take(&mut self.failures)
    }
}

fn assert_failures(failures: &[String]) {
    assert_no_failures(&format!("failures (FUZZ_SEED={})", seed()), failures);
}

/// Stops the watchdog, also when the test fails outside [`Campaign::run`].
impl Drop for Campaign {
    fn drop(&mut self) {
        self.current.2.store(true, Ordering::Relaxed);
    }
}

// ---------------------------------------------------------------------------------------------
// Strings

/// Odd characters and fragments that tend to break string handling.
const ODD: &[&str] = &[
    "", " ", "\t", "\n", "\r\n", "\0", "*", "/", ".", ":", "-", "_", "**", "/*", ".*", "*/", "é", "·", "→", "🦀",
    "\u{200b}", "\u{feff}", "\u{7f}", "%2F", "\\", "\"", "'", "ORDERS", "Unknown", "unknown", "all",
];

/// A string built from a known one: cut, spliced, case-flipped, with odd pieces inserted.
fn mutate_text(rng: &mut fastrand::Rng, base: &str) -> String {
    let mut chars: Vec<char> = base.chars().collect();
    for _ in 0..rng.usize(1..4) {
        match rng.u8(0..9) {
            0 if !chars.is_empty() => {
                let at = rng.usize(0..chars.len());
                chars.remove(at);
            }
            1 => {
                let at = rng.usize(0..=chars.len());
                let piece = ODD[rng.usize(0..ODD.len())];
                chars.splice(at..at, piece.chars());
            }
            2 if !chars.is_empty() => {
                let at = rng.usize(0..chars.len());
                chars[at] = chars[at].to_ascii_uppercase();
            }
            3 => {
                let cut = rng.usize(0..=chars.len());
                chars.truncate(cut);
            }
            4 => chars.push(rng.char('\u{0}'..='\u{10FFFF}')),
            5 => {
                let long: String = std::iter::repeat_n("ab/", rng.usize(1..5000)).collect();
                chars.extend(long.chars());
            }
            6 if !chars.is_empty() => {
                let at = rng.usize(0..chars.len());
                chars[at] = ['/', '.', '*', ':', ' '][rng.usize(0..5)];
            }
            7 => chars = (0..rng.usize(0..20)).map(|_| rng.char('\u{0}'..='\u{ff}')).collect(),
            _ => {}
        }
    }
    chars.into_iter().collect()
}

// ---------------------------------------------------------------------------------------------
// Topics

fn check_topic<T: CatalogTopic>(wire: &str) -> Result<(), String> {
    let topic: T = wire.parse().unwrap_or_else(|never| match never {});
    if topic.as_str() != wire || topic.to_string() != wire {
        return Err(format!("parsed topic reads back as {:?}", topic.as_str()));
    }
    let documented = T::ALL.iter().position(|t| t.as_str() == wire);
    if topic.index() != documented {
        return Err(format!("index {:?}, expected {documented:?}", topic.index()));
    }
    if let Some(index) = documented {
        if T::ALL[index] != topic {
            return Err("not equal to its entry in ALL".into());
        }
    }
    if topic.entity().is_some() != documented.is_some() || topic.action().is_some() != documented.is_some() {
        return Err("entity/action known for an unknown topic, or the reverse".into());
    }
    let _ = (topic.description(), topic.scopes());
    Ok(())
}

fn fuzz_topics<T: CatalogTopic>() -> Vec<String> {
    let mut campaign = Campaign::new(&format!("{}::Topic::from_str", T::PLATFORM));
    for index in 0..iterations() {
        let mut rng = rng_for(&campaign.entry, index);
        let base = T::ALL[rng.usize(0..T::ALL.len())].as_str();
        let wire = if rng.u8(0..10) == 0 { base.to_owned() } else { mutate_text(&mut rng, base) };
        campaign.run(index, || format!("{wire:?}"), || check_topic::<T>(&wire));
    }
    campaign.finish()
}

#[test]
fn topic_parsing_never_panics_and_keeps_the_wire_name() {
    let mut failures = fuzz_topics::<shopify::Topic>();
    failures.extend(fuzz_topics::<bigcommerce::Topic>());
    failures.extend(fuzz_topics::<shopware::Topic>());
    failures.extend(fuzz_topics::<ecwid::Topic>());
    assert_failures(&failures);
}

// ---------------------------------------------------------------------------------------------
// Patterns and subscriptions

/// The documented pattern rule, written independently of `Pattern`: `*` covers everything; a
/// trailing `<sep>*` covers one or more further segments; a whole `*` or `{name}` segment
/// elsewhere covers any one non-empty segment; other segments cover themselves. `Err` for what
/// `parse` must reject: nothing, whitespace or control characters, a `*` inside a segment.
#[derive(Debug)]
struct Rule {
    everything: bool,
    /// Each segment with the separator after it (`""` for the last).
    segments: Vec<(String, String)>,
    open_end: bool,
}

/// `text` as its segments, each with the separator that follows it.
fn segments_of(text: &str, separators: &[char]) -> Vec<(String, String)> {
    let mut out = vec![(String::new(), String::new())];
    for c in text.chars() {
        if separators.contains(&c) {
            out.last_mut().unwrap().1.push(c);
            out.push((String::new(), String::new()));
        } else {
            out.last_mut().unwrap().0.push(c);
        }
    }
    out
}

fn pattern_oracle(text: &str, separators: &[char]) -> Result<Rule, ()> {
    if text.is_empty() || text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(());
    }
    if text == "*" {
        return Ok(Rule { everything: true, segments: Vec::new(), open_end: false });
    }
    let mut segments = segments_of(text, separators);
    if segments.iter().any(|(segment, _)| segment.contains('*') && segment != "*") {
        return Err(());
    }
    let open_end = segments.len() > 1 && segments.last().is_some_and(|(segment, _)| segment == "*");
    if open_end {
        segments.pop();
    }
    Ok(Rule { everything: false, segments, open_end })
}

fn is_wild(segment: &str) -> bool {
    segment == "*" || (segment.len() > 2 && segment.starts_with('{') && segment.ends_with('}'))
}

/// Whether `rule` covers `topic`; with `template`, a `{name}` segment of the topic (a catalog
/// template) stands for whatever non-empty segment the pattern has there.
fn oracle_matches(rule: &Rule, topic: &str, separators: &[char], template: bool) -> bool {
    if rule.everything {
        return true;
    }
    let topic = segments_of(topic, separators);
    let n = rule.segments.len();
    if topic.len() < n || (!rule.open_end && topic.len() != n) {
        return false;
    }
    // An open end needs something after the pattern's last separator.
    if rule.open_end && topic.len() == n {
        return false;
    }
    rule.segments.iter().zip(&topic).all(|((segment, separator), (topic_segment, topic_separator))| {
        separator == topic_separator
            && (segment == topic_segment
                || (is_wild(segment) && !topic_segment.is_empty())
                || (template && is_wild(topic_segment) && topic_segment != "*" && !segment.is_empty()))
    }) && (!rule.open_end || !topic[n..].iter().all(|(segment, separator)| segment.is_empty() && separator.is_empty()))
}

/// Whether `topic` is one of the catalog's templates itself (not a name filling one).
fn is_catalog_template<T: CatalogTopic>(topic: &T) -> bool {
    topic.template().is_some_and(|template| template.value().is_none())
}

fn check_patterns<T: CatalogTopic>(patterns: &[String], probes: &[String]) -> Result<(), String> {
    let mut rules = Vec::new();
    for text in patterns {
        let parsed = Pattern::parse(text, T::SEPARATORS);
        match (&parsed, pattern_oracle(text, T::SEPARATORS)) {
            (Ok(pattern), Ok(rule)) => {
                if pattern.as_str() != text || pattern.to_string() != *text {
                    return Err(format!("pattern {text:?} reads back as {:?}", pattern.as_str()));
                }
                // Documented topics are checked below, through the subscription.
                for probe in probes {
                    if pattern.matches(probe) != oracle_matches(&rule, probe, T::SEPARATORS, false) {
                        return Err(format!("pattern {text:?} matches({probe:?}) = {}", pattern.matches(probe)));
                    }
                }
                rules.push(rule);
            }
            (Err(error), Err(())) => {
                if error.pattern != *text || error.reason.is_empty() || !error.to_string().contains(text.as_str()) {
                    return Err(format!("error for {text:?} does not quote it or give a reason: {error}"));
                }
            }
            (Ok(_), Err(())) => return Err(format!("{text:?} was accepted; the documented rule rejects it")),
            (Err(error), Ok(_)) => {
                return Err(format!("{text:?} was rejected ({error}); the documented rule accepts it"))
            }
        }
    }
    let subscription = Subscription::<T>::allowing_unknown(patterns);
    if subscription.is_ok() != (rules.len() == patterns.len()) {
        return Err("Subscription::allowing_unknown disagrees with Pattern::parse about validity".into());
    }
    // `new` also refuses a pattern that covers no documented topic.
    let strict_ok = rules.len() == patterns.len()
        && rules
            .iter()
            .all(|rule| T::ALL.iter().any(|t| oracle_matches(rule, t.as_str(), T::SEPARATORS, is_catalog_template(t))));
    if Subscription::<T>::new(patterns).is_ok() != strict_ok {
        return Err("Subscription::new disagrees with the documented topics".into());
    }
    let Ok(subscription) = subscription else { return Ok(()) };
    let covered_by_rules = |topic: &T| {
        rules.iter().any(|rule| oracle_matches(rule, topic.as_str(), T::SEPARATORS, is_catalog_template(topic)))
    };
    for topic in T::ALL.iter().cloned().chain(probes.iter().map(|p| p.parse().unwrap_or_else(|never| match never {}))) {
        if subscription.covers(&topic) != covered_by_rules(&topic) {
            return Err(format!("covers({:?}) = {}", topic.as_str(), subscription.covers(&topic)));
        }
    }
    let listed: Vec<&str> = subscription.topics().map(|t| t.as_str()).collect();
    let expected: Vec<&str> = T::ALL.iter().filter(|t| covered_by_rules(t)).map(|t| t.as_str()).collect();
    if listed != expected {
        return Err(format!("topics() lists {listed:?}, expected {expected:?}"));
    }
    Ok(())
}

fn fuzz_patterns<T: CatalogTopic>() -> Vec<String> {
    let mut campaign = Campaign::new(&format!("{}: Pattern::parse/matches, Subscription::new/covers", T::PLATFORM));
    for index in 0..iterations() {
        let mut rng = rng_for(&campaign.entry, index);
        let random_topic_based = |rng: &mut fastrand::Rng| {
            let topic = T::ALL[rng.usize(0..T::ALL.len())].as_str();
            match rng.u8(0..6) {
                0 => "*".to_owned(),
                1 | 2 => {
                    // A prefix of a real topic cut after a separator, plus `*`.
                    let cuts: Vec<usize> = topic.match_indices(T::SEPARATORS).map(|(i, s)| i + s.len()).collect();
                    match cuts.get(rng.usize(0..cuts.len().max(1))) {
                        Some(&cut) => format!("{}*", &topic[..cut]),
                        None => format!("{topic}*"),
                    }
                }
                3 => topic.to_owned(),
                _ => mutate_text(rng, &format!("{topic}*")),
            }
        };
        let patterns: Vec<String> = (0..rng.usize(1..4)).map(|_| random_topic_based(&mut rng)).collect();
        let probes: Vec<String> = (0..3)
            .map(|_| {
                let topic = T::ALL[rng.usize(0..T::ALL.len())].as_str();
                mutate_text(&mut rng, topic)
            })
            .collect();
        campaign.run(
            index,
            || format!("patterns {patterns:?}, probes {probes:?}"),
            || check_patterns::<T>(&patterns, &probes),
        );
    }
    campaign.finish()
}

#[test]
fn patterns_and_subscriptions_follow_the_documented_rule() {
    let mut failures = fuzz_patterns::<shopify::Topic>();
    failures.extend(fuzz_patterns::<bigcommerce::Topic>());
    failures.extend(fuzz_patterns::<shopware::Topic>());
    failures.extend(fuzz_patterns::<ecwid::Topic>());
    assert_failures(&failures);
}

// ---------------------------------------------------------------------------------------------
// Event decoding

/// One platform's decoding entry points and its real examples.
struct PlatformUnderTest {
    id: &'static str,
    from_delivery: DecodeFn,
    /// For platforms whose body names its topic: `from_body` and the topic's path in the body.
    from_body: Option<(FromBodyFn, &'static [&'static str])>,
    /// (topic, file name, body) of every example file of the catalog.
    examples: Vec<(String, String, Vec<u8>)>,
    topics: Vec<String>,
}

fn platform(api: Api, model: &codegen::Model) -> PlatformUnderTest {
    let id = api.id;
    let catalog = model.platforms.iter().find(|p| p.id == id).expect("the platform is in the catalog");
    let mut examples = Vec::new();
    for event in &catalog.events {
        for example in &event.examples {
            let body = std::fs::read(catalog_dir().join(&example.file)).expect("the example exists");
            examples.push((event.topic.clone(), example.file.clone(), body));
        }
    }
    PlatformUnderTest {
        id,
        from_delivery: api.from_delivery,
        from_body: api.from_body,
        examples,
        topics: catalog.events.iter().map(|e| e.topic.clone()).collect(),
    }
}

fn platforms() -> Vec<PlatformUnderTest> {
    let model = commerce_webhooks_tests::model();
    apis().into_iter().map(|api| platform(api, &model)).collect()
}

/// Where two values first differ, as a JSON path.
fn first_difference(expected: &Value, actual: &Value, path: &str) -> String {
    match (expected, actual) {
        (Value::Object(a), Value::Object(b)) => {
            for key in a.keys().chain(b.keys()) {
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) if x == y => {}
                    (Some(x), Some(y)) => return first_difference(x, y, &format!("{path}.{key}")),
                    (x, y) => return format!("{path}.{key}: {x:?} became {y:?}"),
                }
            }
            format!("{path}: objects differ")
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            let index = a.iter().zip(b).position(|(x, y)| x != y).unwrap_or(0);
            first_difference(&a[index], &b[index], &format!("{path}[{index}]"))
        }
        _ => format!("{path}: {expected} became {actual}"),
    }
}

fn string_at<'v>(value: &'v Value, path: &[&str]) -> Option<&'v str> {
    path.iter().try_fold(value, |v, key| v.get(key)).and_then(Value::as_str)
}

/// The promises of a decode of `body` whose outcome is `outcome`.
fn check_outcome(outcome: Result<Decoded, DecodeError>, body: &[u8], topic: Option<&str>) -> Result<(), String> {
    let parsed: Result<Value, _> = serde_json::from_slice(body);
    match (outcome, parsed) {
        (Ok(decoded), Ok(parsed)) => {
            if decoded.json != parsed {
                return Err(format!("re-encoding is lossy at {}", first_difference(&parsed, &decoded.json, "")));
            }
            match topic {
                Some(topic) if decoded.topic != topic => {
                    Err(format!("decoded as topic {:?}, the body's topic is {topic:?}", decoded.topic))
                }
                _ => Ok(()),
            }
        }
        (Ok(_), Err(e)) => Err(format!("decoded, although serde_json rejects the body: {e}")),
        (Err(DecodeError::Syntax { message, .. }), Ok(_)) => Err(format!("a syntax error for valid JSON: {message}")),
        (Err(DecodeError::Syntax { message, line, column }), Err(_)) => {
            if message.is_empty() || line == 0 || column > body.len() + 1 {
                return Err(format!("a syntax error without a usable position: {line}:{column} {message}"));
            }
            Ok(())
        }
        (Err(DecodeError::Data { path, message }), Ok(_)) => {
            if path.is_empty() || message.is_empty() {
                return Err(format!("a data error without path or message: {path:?} {message:?}"));
            }
            Ok(())
        }
        // serde_json refuses more than 128 levels of nesting; the typed decoder may meet a
        // wrong type before it gets that deep, which is a fair data error.
        (Err(DecodeError::Data { .. }), Err(e)) if e.to_string().contains("recursion limit") => Ok(()),
        (Err(DecodeError::Data { path, message }), Err(e)) => Err(format!(
            "{KNOWN_BUG_DATA_ERROR_FOR_BROKEN_JSON}: a data error ({path}: {message}) for a body that is not JSON ({e})"
        )),
        (Err(DecodeError::MissingTopic { field }), Ok(parsed)) => match topic {
            None => Err(format!("MissingTopic({field}) from from_delivery")),
            Some(topic) => Err(format!("MissingTopic({field}), but the body names topic {topic:?} ({parsed})")),
        },
        (Err(DecodeError::MissingTopic { .. }), Err(_)) => Ok(()),
        (Err(other), _) => Err(format!("an error decoding never gives: {other:?}")),
    }
}

/// `from_delivery(topic, body)` and, where the platform has it, `from_body(body)`.
fn check_decoding(platform: &PlatformUnderTest, topic: &str, body: &[u8]) -> Result<(), String> {
    check_outcome((platform.from_delivery)(topic, body), body, Some(topic))
        .map_err(|e| format!("from_delivery({topic:?}): {e}"))?;
    if let Some((from_body_fn, path)) = platform.from_body {
        let parsed: Option<Value> = serde_json::from_slice(body).ok();
        let named = parsed.as_ref().and_then(|v| string_at(v, path)).map(str::to_owned);
        let outcome = from_body_fn(body);
        // A body that repeats its topic key hits a known bug when the decoded topic disagrees.
        let key = format!("\"{}\"", path[path.len() - 1]);
        let repeated = String::from_utf8_lossy(body).matches(key.as_str()).count() > 1;
        let tag = |e: String| {
            if repeated && e.contains("decoded as topic") {
                format!("from_body: {KNOWN_BUG_FIRST_TOPIC_KEY_WINS}: {e}")
            } else {
                format!("from_body: {e}")
            }
        };
        match (&outcome, &parsed, &named) {
            // The body does not name its topic (as serde_json reads it): MissingTopic is right.
            (Err(DecodeError::MissingTopic { .. }), Some(_), None) => {}
            (Ok(decoded), Some(_), None) => {
                return Err(tag(format!(
                    "decoded as topic {:?}, but the body's {path:?} (as serde_json reads it) is not a string",
                    decoded.topic
                )))
            }
            _ => check_outcome(outcome, body, named.as_deref()).map_err(tag)?,
        }
    }
    Ok(())
}

fn random_scalar(rng: &mut fastrand::Rng) -> Value {
    match rng.u8(0..8) {
        0 => Value::Null,
        1 => Value::Bool(rng.bool()),
        2 => Value::from(rng.u64(..)),
        3 => Value::from(rng.i64(..)),
        4 => Value::from(rng.f64() * 1e6),
        5 => Value::String(ODD[rng.usize(0..ODD.len())].to_owned()),
        6 => Value::Array(vec![]),
        _ => Value::Object(serde_json::Map::new()),
    }
}

/// Raw JSON texts to put where a value was: numbers serde_json cannot hold exactly or at all,
/// invalid escapes and literals.
const RAW: &[&str] = &[
    "1e400",
    "-1e400",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775808",
    "-9223372036854775809",
    "123456789012345678901234567890",
    "0.1000000000000000055511151231257827",
    "5e-324",
    "1e-400",
    "-0",
    "-0.0",
    "1.0",
    "1E5",
    "12.50",
    "01",
    "1.",
    "+1",
    "NaN",
    "Infinity",
    "\"\\ud800\"",
    "\"\\udc00\\ud800\"",
    "\"\\u0000\"",
    "\"\\x41\"",
    "tru",
    "nul",
    "\"unterminated",
];

/// A placeholder string replaced by raw JSON text after serialization.
const PLACEHOLDER: &str = "\u{1}raw\u{1}";

/// Applies one mutation to `value`; may return raw text to put at the placeholder.
fn mutate_value(rng: &mut fastrand::Rng, value: &mut Value) -> Option<String> {
    let paths = node_paths(value);
    let path = &paths[rng.usize(0..paths.len())];
    let node = node_mut(value, path);
    match rng.u8(0..12) {
        // Drop a key.
        0 | 1 => {
            if let Value::Object(map) = node {
                if let Some(key) = map.keys().nth(rng.usize(0..map.len().max(1))).cloned() {
                    map.remove(&key);
                }
            }
        }
        // Swap the value's type.
        2 | 3 => *node = random_scalar(rng),
        // Null in its place.
        4 => *node = Value::Null,
        // A number as a string, a string as a number.
        5 => {
            *node = match &*node {
                Value::Number(n) => Value::String(n.to_string()),
                Value::String(s) => s.parse::<u64>().map(Value::from).unwrap_or(Value::from(rng.i64(..))),
                other => Value::String(other.to_string()),
            }
        }
        // A new key.
        6 => {
            if let Value::Object(map) = node {
                map.insert(format!("zz_{}", rng.u32(..)), random_scalar(rng));
            }
        }
        // A duplicated array element, or a longer string.
        7 => match node {
            Value::Array(items) if !items.is_empty() => {
                let item = items[rng.usize(0..items.len())].clone();
                items.push(item);
            }
            Value::String(text) => text.push_str(&"é".repeat(rng.usize(1..1000))),
            _ => {}
        },
        // Raw text: an odd number or escape.
        8 | 9 => {
            *node = Value::String(PLACEHOLDER.into());
            return Some(RAW[rng.usize(0..RAW.len())].to_owned());
        }
        // A duplicate key: the object's first key again, before or after the others.
        10 => {
            if let Value::Object(map) = node {
                if let Some((key, original)) = map.iter().next().map(|(k, v)| (k.clone(), v.clone())) {
                    let other = random_scalar(rng);
                    let rest = serde_json::to_string(&*map).unwrap();
                    let key = serde_json::to_string(&key).unwrap();
                    let (first, second) = if rng.bool() { (other, original) } else { (original, other) };
                    let raw = format!("{{{key}:{first},{},{key}:{second}}}", &rest[1..rest.len() - 1]);
                    *node = Value::String(PLACEHOLDER.into());
                    return Some(raw);
                }
            }
        }
        // Deep nesting in place of the value.
        _ => {
            let depth = if rng.u8(0..10) == 0 { 100_000 } else { rng.usize(100..200) };
            *node = Value::String(PLACEHOLDER.into());
            return Some(format!("{}1{}", "[".repeat(depth), "]".repeat(depth)));
        }
    }
    None
}

/// Byte-level damage: truncation, invalid UTF-8, flipped or inserted bytes.
fn mutate_bytes(rng: &mut fastrand::Rng, bytes: &mut Vec<u8>) {
    const INVALID_UTF8: &[&[u8]] = &[b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe2\x82", b"\xc0\xaf"];
    match rng.u8(0..4) {
        0 => bytes.truncate(rng.usize(0..=bytes.len())),
        1 => {
            let at = rng.usize(0..=bytes.len());
            let piece = INVALID_UTF8[rng.usize(0..INVALID_UTF8.len())];
            bytes.splice(at..at, piece.iter().copied());
        }
        2 if !bytes.is_empty() => {
            for _ in 0..rng.usize(1..4) {
                let at = rng.usize(0..bytes.len());
                bytes[at] = rng.u8(..);
            }
        }
        _ => {
            let at = rng.usize(0..=bytes.len());
            let noise: Vec<u8> = (0..rng.usize(1..8)).map(|_| rng.u8(..)).collect();
            bytes.splice(at..at, noise);
        }
    }
}

/// Input `index` for a platform: (topic, body, which example it came from).
fn decoding_input(platform: &PlatformUnderTest, entry: &str, index: u64) -> (String, Vec<u8>, String) {
    let mut rng = rng_for(entry, index);
    let (topic, file, original) = &platform.examples[rng.usize(0..platform.examples.len())];
    let topic = match rng.u8(0..20) {
        0 => format!("zz{}new{}topic", platform_separator(platform), rng.u16(..)),
        1 => platform.topics[rng.usize(0..platform.topics.len())].clone(),
        _ => topic.clone(),
    };
    if rng.u8(0..20) == 0 {
        let noise: Vec<u8> = (0..rng.usize(0..300)).map(|_| rng.u8(..)).collect();
        return (topic, noise, format!("random bytes ({file})"));
    }
    let mut value: Value = serde_json::from_slice(original).expect("examples are JSON");
    let mut raw = None;
    for _ in 0..rng.usize(1..4) {
        if let Some(text) = mutate_value(&mut rng, &mut value) {
            raw = Some(text);
            break;
        }
    }
    let mut text =
        if rng.bool() { serde_json::to_string(&value) } else { serde_json::to_string_pretty(&value) }.unwrap();
    if let Some(raw) = raw {
        let quoted = serde_json::to_string(PLACEHOLDER).unwrap();
        text = text.replacen(&quoted, &raw, 1);
    }
    let mut bytes = text.into_bytes();
    if rng.u8(0..5) == 0 {
        mutate_bytes(&mut rng, &mut bytes);
    }
    (topic, bytes, file.clone())
}

fn platform_separator(platform: &PlatformUnderTest) -> char {
    if platform.id == "bigcommerce" {
        '/'
    } else {
        '.'
    }
}

#[test]
fn event_decoding_never_panics_and_re_encodes_losslessly() {
    let mut failures = Vec::new();
    for platform in platforms() {
        let mut campaign = Campaign::new(&format!("{}::Event decoding", platform.id));
        for index in 0..iterations() {
            let (topic, body, source) = decoding_input(&platform, &campaign.entry, index);
            campaign.run(
                index,
                || format!("topic {topic:?}, from {source}: {}", preview(&body)),
                || check_decoding(&platform, &topic, &body),
            );
        }
        failures.extend(campaign.finish());
    }
    assert_failures(&failures);
}

/// Every prefix of an example is decoded: one example per platform in a normal run (the
/// largest under 4 KB), every example in the long run.
#[test]
fn every_truncation_of_an_example_is_an_error_or_the_same_json() {
    let mut failures = Vec::new();
    for platform in platforms() {
        let mut campaign = Campaign::new(&format!("{}::Event decoding of truncated examples", platform.id));
        let mut examples: Vec<&(String, String, Vec<u8>)> = platform.examples.iter().collect();
        if !long_run() {
            examples.retain(|(_, _, body)| body.len() < 4096);
            examples.sort_by_key(|(_, _, body)| std::cmp::Reverse(body.len()));
            examples.truncate(1);
        }
        let mut index = 0;
        for (topic, file, body) in examples {
            for cut in 0..=body.len() {
                let prefix = &body[..cut];
                campaign.run(
                    index,
                    || format!("{file} cut at byte {cut}"),
                    || check_decoding(&platform, topic, prefix),
                );
                index += 1;
            }
        }
        failures.extend(campaign.finish());
    }
    assert_failures(&failures);
}

#[test]
fn hundred_thousand_levels_of_nesting_are_an_error_not_a_crash() {
    let deep_array = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_object = format!("{}1{}", "{\"a\":".repeat(100_000), "}".repeat(100_000));
    let mut failures = Vec::new();
    for platform in platforms() {
        let mut campaign = Campaign::new(&format!("{}::Event decoding of deep nesting", platform.id));
        let mut index = 0;
        let (examples, places) = if long_run() { (usize::MAX, 20) } else { (3, 6) };
        for (topic, file, original) in platform.examples.iter().take(examples) {
            let value: Value = serde_json::from_slice(original).unwrap();
            for path in node_paths(&value).into_iter().take(places) {
                for deep in [&deep_array, &deep_object] {
                    let mut copy = value.clone();
                    *node_mut(&mut copy, &path) = Value::String(PLACEHOLDER.into());
                    let body = serde_json::to_string(&copy).unwrap().replacen(
                        &serde_json::to_string(PLACEHOLDER).unwrap(),
                        deep,
                        1,
                    );
                    campaign.run(
                        index,
                        || format!("{file} with deep nesting at {path:?}"),
                        || {
                            check_decoding(&platform, topic, body.as_bytes())?;
                            match (platform.from_delivery)(topic, body.as_bytes()) {
                                Ok(_) => Err("100 000 levels of nesting decoded".into()),
                                Err(_) => Ok(()),
                            }
                        },
                    );
                    index += 1;
                }
            }
        }
        failures.extend(campaign.finish());
    }
    assert_failures(&failures);
}

// ---------------------------------------------------------------------------------------------
// The catalog loader

/// A scratch copy of the tiny catalog that one file at a time is mutated in.
struct ScratchCatalog {
    dir: tempfile::TempDir,
    originals: Vec<(PathBuf, Vec<u8>)>,
}

impl ScratchCatalog {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        copy_tree(&fixture("tiny/catalog"), dir.path());
        let originals = ["tiny.yaml", "shapes/tiny.yaml", "vocabulary.yaml", "examples/tiny/products_update.json"]
            .iter()
            .map(|name| {
                let path = dir.path().join(name);
                let bytes = std::fs::read(&path).unwrap();
                (path, bytes)
            })
            .collect();
        Self { dir, originals }
    }
}

const YAML_PIECES: &[&str] = &[
    ":", "-", " ", "  ", "\t", "\n", "{", "}", "[", "]", "\"", "'", "#", "*", "&a", "*a", "!", "|", ">", ",", "?", "%",
    "@", "`", "null", "~", "true", "0x1F", "1e3", "é", "·", "\0", "<<: *a", "P", "<", ">", "self", "Unknown",
];

/// A catalog file with a few lines deleted, duplicated or swapped, characters substituted or
/// inserted, or the text truncated.
fn mutate_catalog_text(rng: &mut fastrand::Rng, original: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(original).into_owned();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    for _ in 0..rng.usize(1..4) {
        if lines.is_empty() {
            break;
        }
        let at = rng.usize(0..lines.len());
        match rng.u8(0..8) {
            0 => {
                lines.remove(at);
            }
            1 => {
                let line = lines[at].clone();
                lines.insert(at, line);
            }
            2 => {
                let other = rng.usize(0..lines.len());
                lines.swap(at, other);
            }
            3 => lines[at].insert_str(0, "  "),
            4 => lines[at] = lines[at].trim_start_matches(' ').to_owned(),
            5 | 6 => {
                let line: Vec<char> = lines[at].chars().collect();
                let cut = rng.usize(0..=line.len());
                let end = (cut + rng.usize(0..3)).min(line.len());
                let piece = YAML_PIECES[rng.usize(0..YAML_PIECES.len())];
                lines[at] = line[..cut].iter().collect::<String>() + piece + &line[end..].iter().collect::<String>();
            }
            _ => {
                let keep = rng.usize(0..=lines.len());
                lines.truncate(keep);
            }
        }
    }
    let mut bytes = lines.join("\n").into_bytes();
    if rng.u8(0..10) == 0 {
        bytes.truncate(rng.usize(0..=bytes.len()));
    }
    if rng.u8(0..20) == 0 {
        let at = rng.usize(0..=bytes.len());
        bytes.insert(at, 0xff);
    }
    bytes
}

fn check_catalog(dir: &Path, generate: &mut u64) -> Result<(), String> {
    let diagnostics = match codegen::load(dir) {
        Ok(_) if *generate == 0 => return Ok(()),
        Ok(model) => {
            *generate -= 1;
            let files = catch_unwind(AssertUnwindSafe(|| codegen::emit::generate(&model)))
                .map_err(|panic| format!("loaded, then generate PANICKED: {}", panic_text(&*panic)))?;
            return if files.is_empty() { Err("loaded but generated nothing".into()) } else { Ok(()) };
        }
        Err(diagnostics) => diagnostics,
    };
    if diagnostics.0.is_empty() {
        return Err("an error without any diagnostic".into());
    }
    for diagnostic in &diagnostics.0 {
        if diagnostic.subject.trim().is_empty()
            || diagnostic.message.trim().is_empty()
            || diagnostic.hint.trim().is_empty()
        {
            return Err(format!("a diagnostic lacks a subject, message or hint: {diagnostic}"));
        }
        if !diagnostic.file.starts_with(dir) {
            return Err(format!("a diagnostic names a file outside the catalog: {diagnostic}"));
        }
        if let (Some(line), Ok(bytes)) = (diagnostic.line, std::fs::read(&diagnostic.file)) {
            let lines = bytes.split(|&b| b == b'\n').count();
            if line == lines + 1 && !bytes.ends_with(b"\n") {
                return Err(format!("{KNOWN_BUG_LINE_PAST_THE_END}: line {line} of {lines}: {diagnostic}"));
            }
            if line == 0 || line > lines {
                return Err(format!("line {line} is outside the file ({lines} lines): {diagnostic}"));
            }
        }
    }
    Ok(())
}

#[test]
fn the_catalog_loader_never_panics_on_mutated_catalogs() {
    let scratch = ScratchCatalog::new();
    let mut campaign = Campaign::new("codegen::load (and emit::generate) on a mutated tiny catalog");
    let mut generate = if long_run() { u64::MAX } else { GENERATE_SAMPLE };
    for index in 0..iterations_or(DEFAULT_LOADER_ITERATIONS) {
        let mut rng = rng_for(&campaign.entry, index);
        let which = match rng.u8(0..20) {
            0..=11 => 0,
            12..=16 => 1,
            17..=18 => 2,
            _ => 3,
        };
        let (path, original) = &scratch.originals[which];
        let mutated = mutate_catalog_text(&mut rng, original);
        std::fs::write(path, &mutated).unwrap();
        let name = path.strip_prefix(scratch.dir.path()).unwrap().display().to_string();
        campaign.run(
            index,
            || format!("{name}:\n{}", String::from_utf8_lossy(&mutated)),
            || check_catalog(scratch.dir.path(), &mut generate),
        );
        std::fs::write(path, original).unwrap();
    }
    assert_failures(&campaign.finish());
}

#[test]
fn type_expressions_parse_or_fail_cleanly_and_print_back() {
    const PIECES: &[&str] =
        &["[", "]", "{", "}", "<", ">", " ", "P", "string", "money", "Order", "uint", "json", "_", "é", "1"];
    let mut campaign = Campaign::new("codegen::types::parse");
    for index in 0..iterations() {
        let mut rng = rng_for(&campaign.entry, index);
        let text: String = (0..rng.usize(0..12)).map(|_| PIECES[rng.usize(0..PIECES.len())]).collect();
        campaign.run(
            index,
            || format!("{text:?}"),
            || match codegen::types::parse(&text) {
                Ok(expr) => match codegen::types::parse(&expr.to_string()) {
                    Ok(again) if again == expr => Ok(()),
                    other => Err(format!("prints as {:?}, which parses to {other:?}", expr.to_string())),
                },
                Err(message) if message.is_empty() => Err("an empty error message".into()),
                Err(_) => Ok(()),
            },
        );
    }
    assert_failures(&campaign.finish());
}

// ---------------------------------------------------------------------------------------------
// Bugs the campaigns found, one deterministic input each

/// `DecodeError::Data` says "the body is JSON but does not fit": a body cut short (inside a
/// nested object, or after a value of the wrong type) is not JSON, and must be a `Syntax` error
/// like a body cut short at the top level.
#[test]
fn a_truncated_body_is_a_syntax_error_not_a_data_error() {
    let mut failures = Vec::new();
    for body in [
        &br#"{"scope":"store/cart/couponApplied","store_id":"1","data":{"type":"ca"#[..],
        br#"{"scope":"store/cart/couponApplied","store_id":"1","data":{"type":"cart","couponId":"1"#,
        br#"{"scope":"store/cart/couponApplied","store_id":"1","data":{"#,
    ] {
        assert!(serde_json::from_slice::<Value>(body).is_err(), "the body is not JSON");
        let outcome = bigcommerce::Event::from_delivery("store/cart/couponApplied", body);
        if !matches!(outcome, Err(DecodeError::Syntax { .. })) {
            failures.push(format!("{}: {outcome:?}", String::from_utf8_lossy(body)));
        }
    }
    assert_no_failures("truncated bodies that are not syntax errors", &failures);
}

/// A body that repeats its topic key: `from_body` must read the occurrence the decoded payload
/// (like `serde_json::Value`) keeps, the last, so the event's topic and its own topic field agree.
#[test]
fn from_body_reads_the_topic_key_the_payload_keeps() {
    let from_body = |id: &str| apis().into_iter().find(|api| api.id == id).and_then(|api| api.from_body).unwrap().0;
    let cases: [(&str, FromBodyFn, &[&str]); 3] = [
        (
            r#"{"scope":"store/cart/couponApplied","store_id":"1","data":{"type":"cart","id":"x","couponId":1},"scope":"store/order/created"}"#,
            from_body("bigcommerce"),
            &["scope"],
        ),
        (
            r#"{"data":{"event":"checkout.order.placed","payload":{"order":{"id":"4580e012fca792f9bfdec5250df6a5c3"}},"event":"product.written"},"source":{"url":"http://localhost:8000","appVersion":"0.0.1","shopId":"dgrH7nLU6tlE","eventId":"d37cd10e614caef90ee3872e867f4a06"},"timestamp":123123123}"#,
            from_body("shopware"),
            &["data", "event"],
        ),
        (
            r#"{"eventId":"e","eventCreated":1,"storeId":1003,"entityId":1,"eventType":"order.created","eventType":"product.deleted"}"#,
            from_body("ecwid"),
            &["eventType"],
        ),
    ];
    let mut failures = Vec::new();
    for (body, from_body_fn, path) in cases {
        let last = string_at(&serde_json::from_str(body).unwrap(), path).unwrap().to_owned();
        if let Ok(decoded) = from_body_fn(body.as_bytes()) {
            if decoded.topic != last {
                failures.push(format!("decoded as {:?}, the payload says {last:?}: {body}", decoded.topic));
            }
        }
    }
    assert_no_failures("events whose topic is not the one their body keeps", &failures);
}
