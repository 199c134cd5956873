//! The generated `Topic` and `Scope` types against the catalogs they came from, and their
//! wire-name round trips.

use commerce_webhooks::{bigcommerce, ecwid, shopify, shopware, CatalogTopic, ScopeRequirement};
use commerce_webhooks_tests::{assert_no_failures, model};

/// Runs `$body` once per platform module, with `$module` bound to it and `$id` to its name.
macro_rules! for_each_platform {
    (|$module:ident, $id:ident| $body:block) => {{
        {
            use shopify as $module;
            let $id = "shopify";
            $body
        }
        {
            use bigcommerce as $module;
            let $id = "bigcommerce";
            $body
        }
        {
            use shopware as $module;
            let $id = "shopware";
            $body
        }
        {
            use ecwid as $module;
            let $id = "ecwid";
            $body
        }
    }};
}

fn requirement_words<S>(requirement: &ScopeRequirement<S>, name: impl Fn(&S) -> String) -> String {
    let names = || requirement.scopes().iter().map(&name).collect::<Vec<_>>().join(",");
    match requirement {
        ScopeRequirement::NoneNeeded => "none_needed".into(),
        ScopeRequirement::NoneListed => "none_listed".into(),
        ScopeRequirement::NotDocumented => "not_documented".into(),
        ScopeRequirement::One(_) => format!("one:{}", names()),
        ScopeRequirement::AnyOf(_) => format!("any_of:{}", names()),
        ScopeRequirement::AllOf(_) => format!("all_of:{}", names()),
        ScopeRequirement::Unstated(_) => format!("unstated:{}", names()),
    }
}

fn rule_words(platform: &codegen::model::Platform, rule: &codegen::model::ScopeRule) -> String {
    use codegen::model::ScopeRule;
    let names = rule.scopes().iter().map(|&i| platform.scopes[i].name.clone()).collect::<Vec<_>>().join(",");
    match rule {
        ScopeRule::NoneNeeded => "none_needed".into(),
        ScopeRule::NoneListed => "none_listed".into(),
        ScopeRule::NotDocumented => "not_documented".into(),
        ScopeRule::One(_) => format!("one:{names}"),
        ScopeRule::AnyOf { .. } => format!("any_of:{names}"),
        ScopeRule::AllOf { .. } => format!("all_of:{names}"),
        ScopeRule::Unstated(_) => format!("unstated:{names}"),
    }
}

#[test]
fn generated_topics_carry_the_catalog_facts() {
    let model = model();
    let mut failures = Vec::new();
    for_each_platform!(|platform, id| {
        let catalog = model.platforms.iter().find(|p| p.id == id).unwrap();
        assert_eq!(platform::Topic::ALL.len(), catalog.events.len(), "{id}: topic count");
        assert_eq!(platform::Scope::ALL.len(), catalog.scopes.len(), "{id}: scope count");
        for (topic, event) in platform::Topic::ALL.iter().zip(&catalog.events) {
            let mut check = |what: &str, generated: String, expected: String| {
                if generated != expected {
                    failures
                        .push(format!("{id} `{}` {what}: generated {generated:?}, catalog {expected:?}", event.topic));
                }
            };
            check("wire name", topic.as_str().into(), event.topic.clone());
            check("description", format!("{:?}", topic.description()), format!("{:?}", event.description));
            check(
                "scopes",
                requirement_words(&topic.scopes(), |s| s.as_str().to_owned()),
                rule_words(catalog, &event.scopes),
            );
            check(
                "entity",
                topic.entity().unwrap().as_str().into(),
                model.vocabulary.entities[event.entity].name.clone(),
            );
            check(
                "action",
                topic.action().unwrap().as_str().into(),
                model.vocabulary.actions[event.action].name.clone(),
            );
        }
        for (scope, expected) in platform::Scope::ALL.iter().zip(&catalog.scopes) {
            if scope.as_str() != expected.name || scope.description() != expected.description.as_deref() {
                failures.push(format!("{id}: scope {scope:?} differs from the catalog's `{}`", expected.name));
            }
        }
    });
    assert_no_failures("differences between the generated crate and the catalog", &failures);
}

#[test]
fn every_topic_and_scope_round_trips_through_its_wire_name() {
    for_each_platform!(|platform, id| {
        for (index, topic) in platform::Topic::ALL.iter().enumerate() {
            let parsed: platform::Topic = topic.as_str().parse().unwrap();
            assert_eq!(&parsed, topic, "{id}: FromStr of `{topic}`");
            assert_eq!(platform::Topic::known(topic.as_str()).as_ref(), Some(topic), "{id}: known(`{topic}`)");
            assert_eq!(topic.to_string(), topic.as_str());
            assert_eq!(topic.index(), Some(index));
            let json = serde_json::to_string(topic).unwrap();
            assert_eq!(json, serde_json::to_string(topic.as_str()).unwrap());
            assert_eq!(&serde_json::from_str::<platform::Topic>(&json).unwrap(), topic, "{id}: serde of `{topic}`");
        }
        for scope in platform::Scope::ALL {
            assert_eq!(&scope.as_str().parse::<platform::Scope>().unwrap(), scope);
            let json = serde_json::to_string(scope).unwrap();
            assert_eq!(&serde_json::from_str::<platform::Scope>(&json).unwrap(), scope);
        }
    });
}

/// `from_wire` and `known` are generated as two lookups where a platform has topic templates
/// (BigCommerce): on every documented name, filled template and near miss they must agree.
#[test]
fn from_wire_and_known_agree_on_names_near_the_documented_ones() {
    for_each_platform!(|platform, id| {
        let mut names: Vec<String> = Vec::new();
        for topic in platform::Topic::ALL {
            let wire = topic.as_str();
            names.push(wire.to_owned());
            // Near misses: the last byte changed, a byte more, a byte less.
            names.push(format!("{}~", &wire[..wire.len() - 1]));
            names.push(format!("{wire}s"));
            names.push(wire[..wire.len() - 1].to_owned());
            // A template filled with values, and with what is no value.
            if let Some(at) = wire.find('{') {
                let end = wire[at..].find('}').map(|e| at + e + 1).unwrap_or(wire.len());
                for value in ["1", "42", "a-b_C", "", "1/2", "x y"] {
                    names.push(format!("{}{value}{}", &wire[..at], &wire[end..]));
                }
            }
        }
        for name in &names {
            let known = platform::Topic::known(name);
            let parsed = platform::Topic::from_wire(name);
            match known {
                Some(topic) => assert_eq!(parsed, topic, "{id}: from_wire({name:?}) and known"),
                None => assert_eq!(parsed, platform::Topic::Unknown(name.clone()), "{id}: from_wire({name:?})"),
            }
            assert_eq!(parsed.as_str(), name, "{id}: the wire name of {name:?} is kept");
        }
    });
}

#[test]
fn unknown_names_are_kept_the_same_way_by_from_str_and_serde() {
    for_each_platform!(|platform, id| {
        for wire in ["", "orders/teleported", "ORDERS/CREATE", "store/order/created ", "ünïcode.topic", "a\"quote"] {
            let parsed: platform::Topic = wire.parse().unwrap();
            let known = platform::Topic::ALL.iter().any(|t| t.as_str() == wire);
            if known {
                continue;
            }
            assert_eq!(parsed, platform::Topic::Unknown(wire.to_owned()), "{id}");
            assert_eq!(platform::Topic::known(wire), None, "{id}: known({wire:?})");
            assert_eq!(parsed.as_str(), wire);
            assert_eq!(parsed.index(), None);
            assert_eq!(parsed.description(), None);
            assert_eq!(parsed.entity(), None);
            assert!(matches!(parsed.scopes(), ScopeRequirement::NotDocumented));
            let json = serde_json::to_string(&parsed).unwrap();
            assert_eq!(
                serde_json::from_str::<platform::Topic>(&json).unwrap(),
                parsed,
                "{id}: serde agrees with FromStr"
            );
            let scope: platform::Scope = wire.parse().unwrap();
            assert_eq!(scope, platform::Scope::Unknown(wire.to_owned()));
        }
        assert!(serde_json::from_str::<platform::Topic>("42").is_err(), "{id}: a non-string topic is a serde error");
    });
}

#[test]
fn topics_with_the_same_meaning_line_up_across_platforms() {
    use commerce_webhooks::{Action, Entity};
    let created: Vec<&str> = [
        shopify::Topic::with_meaning(Entity::Order, Action::Created).map(|t| t.as_str()).collect::<Vec<_>>(),
        bigcommerce::Topic::with_meaning(Entity::Order, Action::Created).map(|t| t.as_str()).collect(),
        shopware::Topic::with_meaning(Entity::Order, Action::Created).map(|t| t.as_str()).collect(),
        ecwid::Topic::with_meaning(Entity::Order, Action::Created).map(|t| t.as_str()).collect(),
    ]
    .concat();
    assert_eq!(
        created,
        [
            "orders/create",
            "store/order/created",
            "store/channel/{channel_id}/order/created",
            "checkout.order.placed",
            "order.created"
        ]
    );
    for topic in shopify::Topic::ALL {
        let (entity, action) = (topic.entity().unwrap(), topic.action().unwrap());
        assert!(shopify::Topic::with_meaning(entity, action).any(|t| t == topic));
    }
}

#[test]
fn vocabulary_round_trips_and_rejects_unknown_words() {
    use commerce_webhooks::{Action, Entity};
    for entity in Entity::ALL {
        assert_eq!(entity.as_str().parse::<Entity>().unwrap(), *entity);
        assert!(!entity.description().is_empty());
    }
    for action in Action::ALL {
        assert_eq!(serde_json::from_value::<Action>(serde_json::json!(action.as_str())).unwrap(), *action);
    }
    let error = "teleported".parse::<Action>().unwrap_err();
    assert!(error.to_string().contains("`teleported` is not a known action"), "{error}");
}

#[test]
fn trait_and_inherent_methods_agree() {
    fn via_trait<T: CatalogTopic>(topic: &T) -> (String, Option<usize>, Option<&'static str>) {
        (topic.as_str().to_owned(), CatalogTopic::index(topic), CatalogTopic::description(topic))
    }
    for topic in shopware::Topic::ALL {
        assert_eq!(via_trait(topic), (topic.as_str().to_owned(), topic.index(), topic.description()));
    }
    assert_eq!(<ecwid::Topic as CatalogTopic>::PLATFORM, "ecwid");
    assert_eq!(<shopify::Topic as CatalogTopic>::SEPARATORS, shopify::SEPARATORS);
}

#[test]
fn scope_requirements_answer_only_what_is_documented() {
    let orders = shopify::Topic::OrdersCreate.scopes();
    assert_eq!(orders.is_satisfied_by(|s| *s == shopify::Scope::Orders), Some(true));
    assert_eq!(orders.is_satisfied_by(|_| false), Some(false));
    assert_eq!(bigcommerce::Topic::StoreOrderCreated.scopes().is_satisfied_by(|_| true), None);
    let two = shopware::Topic::ALL.iter().find(|t| matches!(t.scopes(), ScopeRequirement::AllOf(_))).unwrap();
    let first = &two.scopes().scopes()[0];
    assert_eq!(two.scopes().is_satisfied_by(|s| s == first), Some(false));
    assert_eq!(two.scopes().is_satisfied_by(|_| true), Some(true));
    assert_eq!(shopify::Scope::Orders.oauth(), Some("read_orders"));
}
