//! `commerce_webhooks::app_config` against the platforms' documented formats: the Shopify
//! output parses as TOML with the keys the Shopify CLI requires, the BigCommerce bodies have
//! the documented fields, the Shopware elements validate against Shopware's manifest XSD
//! (`xmllint`), and every output registers exactly the subscription's topics with scopes that
//! satisfy each topic's documented requirement.

use std::collections::BTreeSet;
use std::process::Command;

use commerce_webhooks::{app_config, bigcommerce, ecwid, shopify, shopware, CatalogTopic, Subscription};

/// Subscriptions every test runs: everything, one group, a few exact topics.
fn patterns<T: CatalogTopic>(group: &str, exact: &[&str]) -> Vec<Subscription<T>> {
    let exact: Vec<&str> = exact.to_vec();
    vec![Subscription::new(["*"]).unwrap(), Subscription::new([group]).unwrap(), Subscription::new(exact).unwrap()]
}

fn set<'a>(items: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    items.into_iter().map(str::to_owned).collect()
}

/// Every covered topic whose requirement the catalog can decide is satisfied by `scopes`.
fn assert_scopes_suffice<T: CatalogTopic>(
    subscription: &Subscription<T>,
    scopes: &[String],
    name: impl Fn(&T::Scope) -> String,
) {
    for topic in subscription.topics() {
        let satisfied = topic.scopes().is_satisfied_by(|scope| scopes.contains(&name(scope)));
        assert_ne!(satisfied, Some(false), "{topic} is not satisfied by {scopes:?}");
    }
}

#[test]
fn shopify_app_toml_has_the_documented_keys_topics_and_scopes() {
    let uri = r#"https://app.example.com/webhooks/"shopify""#;
    for subscription in patterns::<shopify::Topic>("orders/*", &["orders/create", "customers/redact", "shop/redact"]) {
        let config = app_config::shopify(&subscription, uri);
        let toml: toml::Table = config.text.parse().unwrap_or_else(|e| panic!("not TOML: {e}\n{}", config.text));
        let webhooks = toml["webhooks"].as_table().unwrap();
        assert_eq!(webhooks["api_version"].as_str(), shopify::CATALOG_API_VERSION);
        let mut registered = BTreeSet::new();
        for entry in webhooks["subscriptions"].as_array().unwrap() {
            let entry = entry.as_table().unwrap();
            // The CLI's schema: `uri` required, `topics` or `compliance_topics` (only the three).
            assert_eq!(entry["uri"].as_str(), Some(uri));
            assert!(entry.keys().all(|key| ["uri", "topics", "compliance_topics"].contains(&key.as_str())));
            for key in ["topics", "compliance_topics"] {
                for topic in entry.get(key).and_then(|v| v.as_array()).into_iter().flatten() {
                    let topic = topic.as_str().unwrap();
                    let mandatory = ["customers/data_request", "customers/redact", "shop/redact"].contains(&topic);
                    assert_eq!(mandatory, key == "compliance_topics", "{topic} in {key}");
                    assert!(registered.insert(topic.to_owned()), "{topic} registered twice");
                }
            }
        }
        assert_eq!(registered, set(subscription.topics().map(|t| t.as_str())));
        assert_eq!(set(config.topics.iter().copied()), registered);
        let scopes = toml["access_scopes"]["scopes"].as_str().unwrap();
        let listed: Vec<String> = scopes.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect();
        assert_eq!(listed, config.scopes);
        assert!(listed.iter().all(|scope| scope.starts_with("read_")), "{listed:?}");
        assert_scopes_suffice(&subscription, &listed, |scope| scope.oauth().unwrap().to_owned());
    }
}

#[test]
fn shopify_warns_about_protected_data_and_unknown_patterns() {
    let subscription = shopify::Subscription::allowing_unknown(["orders/create", "orders/teleported"]).unwrap();
    let config = app_config::shopify(&subscription, "/webhooks");
    assert_eq!(config.topics, ["orders/create"]);
    assert!(
        config.warnings.iter().any(|w| w.contains("orders/create carry protected customer data")),
        "{:?}",
        config.warnings
    );
    assert!(config.warnings.iter().any(|w| w.contains("`orders/teleported` covers no topic")));
    // Warnings are TOML comments, so the file still parses.
    assert!(config.text.contains("# warning: "));
    config.text.parse::<toml::Table>().unwrap();
}

#[test]
fn bigcommerce_hook_bodies_have_the_documented_fields() {
    for subscription in
        patterns::<bigcommerce::Topic>("store/cart/*", &["store/order/created", "store/product/updated"])
    {
        let config = app_config::bigcommerce(&subscription, "https://app.example.com/webhooks/bigcommerce");
        let bodies: Vec<serde_json::Value> = serde_json::from_str(&config.text).unwrap();
        let mut hook_scopes = Vec::new();
        for body in &bodies {
            let body = body.as_object().unwrap();
            assert_eq!(set(body.keys().map(String::as_str)), set(["scope", "destination", "is_active"]));
            assert!(body["destination"].as_str().unwrap().starts_with("https://"));
            assert_eq!(body["is_active"], true);
            hook_scopes.push(body["scope"].as_str().unwrap().to_owned());
        }
        // The hooks' scopes, read as BigCommerce reads them (wildcards included), cover
        // exactly the subscription's topics, and no topic twice; but the per-channel ones,
        // which need a channel's id the pattern does not give (and are warned about).
        let by_hooks = bigcommerce::Subscription::new(&hook_scopes).unwrap();
        let per_channel = subscription.topics().filter(|t| t.template().is_some()).count();
        let registrable = subscription.topics().filter(|t| t.template().is_none()).map(|t| t.as_str());
        assert_eq!(set(by_hooks.topics().map(|t| t.as_str())), set(registrable));
        let warned = config.warnings.iter().any(|w| w.contains(&format!("covers {per_channel} per-channel topics")));
        assert_eq!(warned, per_channel > 0, "{:?}", config.warnings);
        let counted: usize = bigcommerce::Topic::ALL
            .iter()
            .map(|topic| {
                hook_scopes
                    .iter()
                    .filter(|scope| bigcommerce::Subscription::new([scope.as_str()]).unwrap().covers(topic))
                    .count()
            })
            .filter(|&n| n > 1)
            .count();
        assert_eq!(counted, 0, "a topic is registered by two hooks: {hook_scopes:?}");
        assert!(config.warnings.iter().any(|w| w.contains("documents no scope")));
    }
    let grouped =
        app_config::bigcommerce(&bigcommerce::Subscription::new(["store/cart/*"]).unwrap(), "https://x.example");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&grouped.text).unwrap().as_array().unwrap().len(), 1);
}

#[test]
fn bigcommerce_per_channel_topics_are_registered_with_the_channels_id() {
    let scopes = |patterns: &[&str]| -> Vec<String> {
        let subscription = bigcommerce::Subscription::new(patterns).unwrap();
        let config = app_config::bigcommerce(&subscription, "https://x.example");
        let bodies: Vec<serde_json::Value> = serde_json::from_str(&config.text).unwrap();
        bodies.iter().map(|body| body["scope"].as_str().unwrap().to_owned()).collect()
    };
    // A documented per-channel group with the channel's id is one hook, as written.
    assert_eq!(scopes(&["store/channel/1/cart/*"]), ["store/channel/1/cart/*"]);
    // Otherwise one hook per topic, with the id in the placeholder's place, in catalog order.
    assert_eq!(
        scopes(&["store/channel/2/page/*", "store/channel/3/order/created"]),
        ["store/channel/3/order/created", "store/channel/2/page/created", "store/channel/2/page/updated"]
    );
    // A group for one channel does not register another channel's topics: a pattern for every
    // channel's is warned about.
    let subscription =
        bigcommerce::Subscription::new(["store/channel/1/cart/*", "store/channel/*/cart/created"]).unwrap();
    let config = app_config::bigcommerce(&subscription, "https://x.example");
    let warned = "`store/channel/*/cart/created` covers 1 per-channel topics";
    assert!(config.warnings.iter().any(|w| w.starts_with(warned)), "{:?}", config.warnings);
    // BigCommerce's literal `*` topics are registered as written.
    assert_eq!(
        scopes(&["store/channel/*/inventory/product/stock_changed"]),
        ["store/channel/*/inventory/product/stock_changed"]
    );
}

/// Runs `xmllint` on `manifest` against Shopware's manifest XSD; `None` when xmllint is not
/// installed (a failure under `CI=true`, where `.ci/run` installs it).
fn xmllint(manifest: &str) -> Option<Result<(), String>> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("manifest.xml");
    std::fs::write(&path, manifest).unwrap();
    let xsd = commerce_webhooks_tests::fixture("formats/shopware-manifest-2.0.xsd");
    let output = match Command::new("xmllint").arg("--noout").arg("--schema").arg(&xsd).arg(&path).output() {
        Ok(output) => output,
        Err(e) => {
            eprintln!("\n*** xmllint is not installed ({e}): the Shopware manifest is NOT validated against its XSD. Install libxml2-utils. ***\n");
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "under CI=true, xmllint must be installed (.ci/run installs it)"
            );
            return None;
        }
    };
    Some(if output.status.success() { Ok(()) } else { Err(String::from_utf8_lossy(&output.stderr).into_owned()) })
}

#[test]
fn shopware_manifest_elements_validate_against_the_xsd() {
    for subscription in patterns::<shopware::Topic>("checkout.order.*", &["checkout.order.placed", "app.installed"]) {
        let config = app_config::shopware(&subscription, "https://app.example.com/webhooks/shopware?a=1&b=2");
        // The smallest manifest Shopware accepts around them: `<meta>` with its required fields.
        let manifest = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<manifest xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n<meta><name>TestApp</name><label>Test</label><author>A</author><copyright>(c) A</copyright><version>1.0.0</version><license>MIT</license></meta>\n{}</manifest>\n",
            config.text
        );
        if let Some(result) = xmllint(&manifest) {
            result.unwrap_or_else(|e| panic!("the manifest does not validate: {e}\n{manifest}"));
        }
        let events: Vec<&str> =
            config.text.lines().filter_map(|line| line.split("event=\"").nth(1)?.split('"').next()).collect();
        assert_eq!(set(events), set(subscription.topics().map(|t| t.as_str())));
        assert_scopes_suffice(&subscription, &config.scopes, |scope| scope.as_str().to_owned());
        for scope in &config.scopes {
            let element = match scope.split_once(':') {
                Some((entity, privilege @ ("read" | "create" | "update" | "delete"))) => {
                    format!("<{privilege}>{entity}</{privilege}>")
                }
                _ => format!("<permission>{scope}</permission>"),
            };
            assert!(config.text.contains(&element), "{scope}");
        }
    }
    // A wrong document is refused, so the validation above can fail.
    if let Some(result) = xmllint("<manifest><webhooks><webhook name=\"x\"/></webhooks></manifest>") {
        assert!(result.is_err());
    }
}

#[test]
fn ecwid_lists_scopes_and_events() {
    for subscription in patterns::<ecwid::Topic>("order.*", &["order.created", "product.updated"]) {
        let config = app_config::ecwid(&subscription, "https://app.example.com/webhooks/ecwid");
        let value: serde_json::Value = serde_json::from_str(&config.text).unwrap();
        let events: Vec<&str> =
            value["webhookEvents"].as_array().unwrap().iter().map(|e| e.as_str().unwrap()).collect();
        assert_eq!(set(events), set(subscription.topics().map(|t| t.as_str())));
        let scopes: Vec<String> = value["scope"].as_str().unwrap().split(' ').map(str::to_owned).collect();
        assert_eq!(scopes, config.scopes);
        assert_scopes_suffice(&subscription, &scopes, |scope| scope.as_str().to_owned());
    }
}
