//! Subscription patterns: `Subscription::new` and `Subscription::allowing_unknown` on arbitrary
//! pattern lists, then `covers`, `coverage` and `topics` on arbitrary topics, never panic and
//! agree with `Pattern::parse` / `Pattern::matches`: `allowing_unknown` fails exactly when a
//! pattern does not parse, `new` also when a pattern covers no documented topic.
//!
//! Input: one selector byte (platform), then lines: patterns up to the first empty line,
//! topics to probe after it.
#![no_main]

use commerce_webhooks::{bigcommerce, ecwid, shopify, shopware, CatalogTopic, Coverage, Pattern, Subscription};
use fuzz_support::split_head;
use libfuzzer_sys::fuzz_target;

fn check<T: CatalogTopic>(patterns: &[&str], probes: &[&str]) {
    let parsed: Vec<_> = patterns.iter().map(|p| Pattern::parse(p, T::SEPARATORS)).collect();
    for (text, result) in patterns.iter().zip(&parsed) {
        match result {
            Ok(pattern) => assert_eq!(pattern.as_str(), *text),
            Err(error) => {
                assert_eq!(error.pattern, *text);
                assert!(!error.reason.is_empty());
                let _ = error.to_string();
            }
        }
    }
    let lenient = Subscription::<T>::allowing_unknown(patterns);
    let strict = Subscription::<T>::new(patterns);
    let Ok(parsed) = parsed.into_iter().collect::<Result<Vec<Pattern>, _>>() else {
        assert!(lenient.is_err() && strict.is_err(), "a pattern that does not parse is refused");
        return;
    };
    let subscription = lenient.expect("allowing_unknown accepts patterns that parse");
    let covers_documented = |p: &Pattern| T::ALL.iter().any(|t| p.matches(t.as_str()));
    match (&strict, parsed.iter().find(|p| !covers_documented(p))) {
        (Ok(_), None) => {}
        (Err(error), Some(useless)) => {
            assert_eq!(error.pattern, useless.as_str(), "new() names the first pattern that covers nothing");
            assert!(!error.reason.is_empty());
            let _ = error.to_string();
        }
        (Ok(_), Some(useless)) => panic!("new() accepted {:?}, which covers no documented topic", useless.as_str()),
        (Err(error), None) => panic!("new() refused patterns that all cover a documented topic: {error}"),
    }
    let rule = |topic: &T| parsed.iter().any(|p| p.matches(topic.as_str()));
    for topic in probes.iter().map(|p| p.parse::<T>().unwrap_or_else(|never| match never {})).chain(T::ALL.iter().cloned()) {
        let covered = rule(&topic);
        assert_eq!(subscription.covers(&topic), covered, "covers({:?})", topic.as_str());
        let expected = match (covered, topic.index().is_some()) {
            (false, _) => Coverage::Not,
            (true, true) => Coverage::Known,
            (true, false) => Coverage::Unknown,
        };
        assert_eq!(subscription.coverage(&topic), expected, "coverage({:?})", topic.as_str());
        if let Ok(strict) = &strict {
            assert_eq!(strict.covers(&topic), covered, "new() and allowing_unknown() agree");
        }
    }
    let listed: Vec<&T> = subscription.topics().collect();
    let expected: Vec<&T> = T::ALL.iter().filter(|t| rule(t)).collect();
    assert_eq!(listed, expected, "topics() lists what the patterns cover");
    let _ = format!("{subscription:?}");
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let (head, tail) = split_head(rest);
    let head = String::from_utf8_lossy(head);
    let tail = String::from_utf8_lossy(tail);
    let patterns: Vec<&str> = head.split('\n').collect();
    let probes: Vec<&str> = tail.split('\n').collect();
    match selector % 4 {
        0 => check::<shopify::Topic>(&patterns, &probes),
        1 => check::<bigcommerce::Topic>(&patterns, &probes),
        2 => check::<shopware::Topic>(&patterns, &probes),
        _ => check::<ecwid::Topic>(&patterns, &probes),
    }
});
