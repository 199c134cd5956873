//! Topic (and scope, entity, action) parsing of arbitrary text on every platform: never
//! panics, keeps the wire name, and agrees with `Topic::known`, `Topic::ALL` and the meaning.
#![no_main]

use commerce_webhooks::{bigcommerce, ecwid, shopify, shopware, Action, CatalogTopic, Entity};
use libfuzzer_sys::fuzz_target;

fn check<T: CatalogTopic + serde::Serialize + serde::de::DeserializeOwned>(wire: &str, known: fn(&str) -> Option<T>, with_meaning: fn(Entity, Action) -> Vec<T>) {
    let topic: T = wire.parse().unwrap_or_else(|never| match never {});
    assert_eq!(topic.as_str(), wire, "a parsed topic keeps its wire name");
    assert_eq!(topic.to_string(), wire, "Display is the wire name");
    let documented = T::ALL.iter().position(|t| t.as_str() == wire);
    assert_eq!(topic.index(), documented, "index() is the position in ALL");
    assert_eq!(known(wire).as_ref(), documented.map(|i| &T::ALL[i]), "known() agrees with ALL");
    let _ = (topic.description(), topic.scopes());
    match (topic.entity(), topic.action(), documented) {
        (Some(entity), Some(action), Some(index)) => {
            let again: T = T::ALL[index].as_str().parse().unwrap_or_else(|never| match never {});
            assert_eq!(again, topic, "a known topic's as_str parses back to itself");
            assert!(with_meaning(entity, action).contains(&topic), "with_meaning lists the topic");
        }
        (None, None, None) => {}
        other => panic!("entity/action {other:?} for {wire:?}"),
    }
    let json = serde_json::to_string(&topic).unwrap();
    let back: T = serde_json::from_str(&json).expect("a topic deserializes from its JSON");
    assert_eq!(back, topic, "serde round trip");
}

fn scope<S: std::str::FromStr + std::fmt::Display>(wire: &str) {
    if let Ok(scope) = wire.parse::<S>() {
        assert_eq!(scope.to_string(), wire, "a parsed scope keeps its wire name");
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let wire = String::from_utf8_lossy(rest);
    let wire = wire.as_ref();
    match selector % 4 {
        0 => {
            check::<shopify::Topic>(wire, shopify::Topic::known, |e, a| shopify::Topic::with_meaning(e, a).cloned().collect());
            scope::<shopify::Scope>(wire);
        }
        1 => {
            check::<bigcommerce::Topic>(wire, bigcommerce::Topic::known, |e, a| bigcommerce::Topic::with_meaning(e, a).cloned().collect());
            scope::<bigcommerce::Scope>(wire);
        }
        2 => {
            check::<shopware::Topic>(wire, shopware::Topic::known, |e, a| shopware::Topic::with_meaning(e, a).cloned().collect());
            scope::<shopware::Scope>(wire);
        }
        _ => {
            check::<ecwid::Topic>(wire, ecwid::Topic::known, |e, a| ecwid::Topic::with_meaning(e, a).cloned().collect());
            scope::<ecwid::Scope>(wire);
        }
    }
    if let Ok(entity) = wire.parse::<Entity>() {
        assert_eq!(entity.to_string(), wire);
    }
    if let Ok(action) = wire.parse::<Action>() {
        assert_eq!(action.to_string(), wire);
    }
});
