//! What each platform needs to register a subscription's topics, generated from the catalog:
//! the configuration in the platform's documented format, the scopes (permissions) the topics
//! need, and what to check by hand.
//!
//! | platform | output | format documented at |
//! | --- | --- | --- |
//! | Shopify | the `[access_scopes]` and `[webhooks]` sections of `shopify.app.toml` | <https://shopify.dev/docs/apps/build/cli-for-apps/app-configuration> |
//! | BigCommerce | the bodies of `POST /stores/{store_hash}/v3/hooks`, one per hook (JSON array) | <https://developer.bigcommerce.com/docs/integrations/webhooks> |
//! | Shopware | the `<webhooks>` and `<permissions>` elements of the app's `manifest.xml` | <https://developer.shopware.com/docs/resources/references/app-reference/manifest-reference.html> |
//! | Ecwid | the scopes to request and the events to give Ecwid (JSON; Ecwid sets an app's webhooks on request, there is no API) | <https://docs.ecwid.com/build-apps/webhook-automations/setup-webhooks/set-up-webhooks-for-your-app> |
//!
//! ```
//! # #[cfg(feature = "shopify")] {
//! use commerce_webhooks::{app_config, shopify};
//!
//! let subscription = shopify::Subscription::new(["orders/create", "customers/redact"]).unwrap();
//! let config = app_config::shopify(&subscription, "https://app.example.com/webhooks/shopify");
//! assert!(config.text.contains(r#"topics = ["orders/create"]"#));
//! assert!(config.text.contains(r#"compliance_topics = ["customers/redact"]"#));
//! assert_eq!(config.scopes, ["read_orders"]);
//! // orders/create carries protected customer data: the app needs approved access to it.
//! assert!(config.warnings.iter().any(|w| w.contains("protected customer data")));
//! # }
//! ```

use std::collections::BTreeSet;
#[cfg(any(feature = "shopify", feature = "shopware"))]
use std::fmt::Write as _;

use crate::{CatalogTopic, ScopeRequirement, Subscription};

/// A platform's registration of a subscription's topics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppConfig {
    /// The configuration, in the platform's format (see the [module](self) table).
    pub text: String,
    /// The documented topics registered, in catalog order.
    pub topics: Vec<&'static str>,
    /// The scopes to request, as the platform spells them, sorted.
    pub scopes: Vec<String>,
    /// What to check by hand: topics with protected customer data, topics whose scopes the
    /// platform does not document, choices made among alternative scopes, patterns that
    /// cover no documented topic. Also written into the text where the format has comments.
    pub warnings: Vec<String>,
}

/// The scopes `topics` need, with warnings for what the catalog cannot decide.
///
/// A topic that needs one of several scopes ([`ScopeRequirement::AnyOf`]) is satisfied by a
/// scope another topic already needs; otherwise the first documented one is chosen, and a
/// warning names the alternatives.
fn required_scopes<T: CatalogTopic>(
    topics: &[&'static T],
    name: impl Fn(&T::Scope) -> String,
    warnings: &mut Vec<String>,
) -> Vec<String> {
    let mut scopes = BTreeSet::new();
    let mut undocumented = Vec::new();
    for topic in topics {
        match topic.scopes() {
            ScopeRequirement::One(scope) => {
                scopes.insert(name(scope));
            }
            ScopeRequirement::AllOf(all) => scopes.extend(all.iter().map(&name)),
            ScopeRequirement::Unstated(all) => {
                scopes.extend(all.iter().map(&name));
                warnings.push(format!(
                    "`{topic}` lists several scopes without saying how they combine; all are requested: {}",
                    all.iter().map(&name).collect::<Vec<_>>().join(", ")
                ));
            }
            ScopeRequirement::NoneListed | ScopeRequirement::NotDocumented => undocumented.push(topic.as_str()),
            ScopeRequirement::NoneNeeded | ScopeRequirement::AnyOf(_) => {}
        }
    }
    for topic in topics {
        if let ScopeRequirement::AnyOf(any) = topic.scopes() {
            let names: Vec<String> = any.iter().map(&name).collect();
            if !names.iter().any(|candidate| scopes.contains(candidate)) {
                warnings.push(format!("`{topic}` needs any one of {}; `{}` was chosen", names.join(", "), names[0]));
                scopes.insert(names[0].clone());
            }
        }
    }
    if !undocumented.is_empty() {
        warnings.push(format!(
            "{} documents no scope for {}: check the platform's API account or app permissions by hand",
            T::PLATFORM,
            undocumented.join(", ")
        ));
    }
    scopes.into_iter().collect()
}

/// Warnings for patterns that cover no documented topic (allowed by
/// [`Subscription::allowing_unknown`]): they are left out of the configuration.
fn unknown_patterns<T: CatalogTopic>(subscription: &Subscription<T>, warnings: &mut Vec<String>) {
    for pattern in subscription.patterns() {
        if !T::ALL.iter().any(|topic| crate::subscription::covers_catalog_topic(pattern, topic)) {
            warnings.push(format!(
                "`{}` covers no topic the catalog documents and is left out: register it by hand if the platform has it",
                pattern.as_str()
            ));
        }
    }
}

/// `text` as a TOML basic string.
#[cfg(feature = "shopify")]
fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `text` escaped for an XML attribute or element.
#[cfg(feature = "shopware")]
fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&apos;")
}

/// Shopify: the `[access_scopes]` and `[webhooks]` sections of `shopify.app.toml`, for an app
/// whose endpoint is `uri` (an `https://` URL, a path relative to `application_url`,
/// `pubsub://project:topic` or an EventBridge ARN, as the Shopify CLI accepts).
///
/// The mandatory compliance topics go in `compliance_topics`, the others in `topics`, both
/// with the REST spelling (`orders/create`); `api_version` is the catalog's
/// ([`crate::shopify::CATALOG_API_VERSION`]). Scopes are the `read_…` OAuth scopes, joined
/// with commas as `[access_scopes] scopes` takes them.
#[cfg(feature = "shopify")]
pub fn shopify(subscription: &crate::shopify::Subscription, uri: &str) -> AppConfig {
    use crate::shopify::Topic;
    let mut warnings = Vec::new();
    unknown_patterns(subscription, &mut warnings);
    let covered: Vec<&'static Topic> = subscription.topics().collect();
    let (compliance, regular): (Vec<&'static Topic>, Vec<&'static Topic>) =
        covered.iter().partition(|topic| topic.is_mandatory());
    // The compliance topics name no scope: every App Store app must subscribe to them
    // (https://shopify.dev/docs/apps/build/compliance/privacy-law-compliance).
    let scopes = required_scopes(
        &regular,
        |scope| scope.oauth().map_or_else(|| scope.as_str().to_owned(), str::to_owned),
        &mut warnings,
    );
    let protected: Vec<&str> =
        covered.iter().filter(|topic| topic.is_protected_customer_data()).map(|topic| topic.as_str()).collect();
    if !protected.is_empty() {
        warnings.push(format!(
            "{} carry protected customer data: the app needs approved access to it before Shopify delivers them (https://shopify.dev/docs/apps/launch/protected-customer-data)",
            protected.join(", ")
        ));
    }
    let list = |topics: Vec<&str>| topics.iter().map(|t| toml_string(t)).collect::<Vec<_>>().join(", ");
    let mut text =
        String::from("# Generated by commerce-webhooks from its Shopify catalog; merge into shopify.app.toml.\n");
    for warning in &warnings {
        let _ = writeln!(text, "# warning: {warning}");
    }
    let _ = writeln!(text, "\n[access_scopes]\nscopes = {}", toml_string(&scopes.join(",")));
    let version = crate::shopify::CATALOG_API_VERSION.unwrap_or_default();
    let _ = writeln!(text, "\n[webhooks]\napi_version = {}", toml_string(version));
    for (key, topics) in [("topics", regular), ("compliance_topics", compliance)] {
        if !topics.is_empty() {
            let names = topics.iter().map(|topic| topic.as_str()).collect();
            let _ =
                writeln!(text, "\n[[webhooks.subscriptions]]\n{key} = [{}]\nuri = {}", list(names), toml_string(uri));
        }
    }
    AppConfig { text, topics: covered.iter().map(|topic| topic.as_str()).collect(), scopes, warnings }
}

/// BigCommerce: the JSON bodies of `POST /stores/{store_hash}/v3/hooks` (`scope`,
/// `destination`, `is_active`), one per hook, as a JSON array. A pattern that is one of
/// BigCommerce's documented wildcard groups (`store/cart/*`) becomes one hook with that
/// scope; the other topics get a hook each. `destination` must be an `https://` URL on port
/// 443 (custom ports are not supported). BigCommerce documents no scopes per topic, so
/// `scopes` is empty and a warning says so.
#[cfg(feature = "bigcommerce")]
pub fn bigcommerce(subscription: &crate::bigcommerce::Subscription, destination: &str) -> AppConfig {
    use crate::bigcommerce::{Topic, GROUPS};
    let mut warnings = Vec::new();
    unknown_patterns(subscription, &mut warnings);
    let covered: Vec<&'static Topic> = subscription.topics().collect();
    let scopes = required_scopes(&covered, |scope| scope.as_str().to_owned(), &mut warnings);
    // A group is registered as one hook, also a per-channel group with the channel's id
    // (`store/channel/1/cart/*` for `store/channel/{channel_id}/cart/*`).
    let is_group = |pattern: &crate::Pattern| {
        GROUPS.iter().any(|group| {
            group.pattern == pattern.as_str()
                || (group.pattern.contains('{') && pattern.fill(group.pattern).as_deref() == Some(pattern.as_str()))
        })
    };
    let (groups, others): (Vec<&crate::Pattern>, Vec<&crate::Pattern>) =
        subscription.patterns().iter().partition(|pattern| is_group(pattern));
    let in_group = |scope: &str| groups.iter().any(|group| group.matches(scope));
    let mut hooks: Vec<String> = groups.iter().map(|pattern| pattern.as_str().to_owned()).collect();
    // By pattern of `others`: the per-channel topics it covers without naming a channel.
    let mut no_channel: Vec<Vec<&str>> = vec![Vec::new(); others.len()];
    for topic in &covered {
        if topic.template().is_none() {
            if !in_group(topic.as_str()) {
                hooks.push(topic.as_str().to_owned());
            }
            continue;
        }
        // BigCommerce registers a per-channel topic with the channel's id in its scope.
        for (index, pattern) in others.iter().enumerate().filter(|(_, p)| p.covers_template(topic.as_str())) {
            match pattern.fill(topic.as_str()) {
                Some(scope) if !in_group(&scope) && !hooks.contains(&scope) => hooks.push(scope),
                Some(_) => {}
                // A group registered for every channel (`store/channel/*`) has it already.
                None if groups
                    .iter()
                    .any(|g| g.covers_template(topic.as_str()) && g.fill(topic.as_str()).is_none()) => {}
                None => no_channel[index].push(topic.as_str()),
            }
        }
    }
    for (pattern, templates) in others.iter().zip(&no_channel).filter(|(_, templates)| !templates.is_empty()) {
        warnings.push(format!(
            "`{}` covers {} per-channel topics (`{}`, …), which BigCommerce registers per channel, and they are left out: write the channel's id in a pattern (`store/channel/1/cart/*`)",
            pattern.as_str(),
            templates.len(),
            templates[0]
        ));
    }
    let bodies: Vec<serde_json::Value> = hooks
        .iter()
        .map(|scope| serde_json::json!({ "scope": scope, "destination": destination, "is_active": true }))
        .collect();
    let text = serde_json::to_string_pretty(&bodies).expect("JSON values always encode") + "\n";
    AppConfig { text, topics: covered.iter().map(|topic| topic.as_str()).collect(), scopes, warnings }
}

/// Shopware: the `<webhooks>` and `<permissions>` elements of the app's `manifest.xml`
/// (children of `<manifest>`, in any order per the manifest XSD), with a `<webhook>` per
/// topic to `url` (named after the event) and a `<read>` per entity the events need.
#[cfg(feature = "shopware")]
pub fn shopware(subscription: &crate::shopware::Subscription, url: &str) -> AppConfig {
    use crate::shopware::Topic;
    let mut warnings = Vec::new();
    unknown_patterns(subscription, &mut warnings);
    let covered: Vec<&'static Topic> = subscription.topics().collect();
    let scopes = required_scopes(&covered, |scope| scope.as_str().to_owned(), &mut warnings);
    let mut text =
        String::from("<!-- Generated by commerce-webhooks from its Shopware catalog; put into <manifest>. -->\n");
    for warning in &warnings {
        let _ = writeln!(text, "<!-- warning: {} -->", warning.replace("--", "- -"));
    }
    text.push_str("<webhooks>\n");
    for topic in &covered {
        let event = xml_escape(topic.as_str());
        let name = topic.as_str().replace('.', "-");
        let _ = writeln!(
            text,
            "    <webhook name=\"{}\" url=\"{}\" event=\"{event}\"/>",
            xml_escape(&name),
            xml_escape(url)
        );
    }
    text.push_str("</webhooks>\n<permissions>\n");
    for scope in &scopes {
        // Catalog scopes are `entity:privilege` (`order:read`), as the events reference lists
        // them: a CRUD privilege on one entity is its element; anything else
        // (`consent:backend_data:read`) is an additional privilege, `<permission>`.
        match scope.split_once(':') {
            Some((entity, privilege @ ("read" | "create" | "update" | "delete"))) if !entity.contains(':') => {
                let _ = writeln!(text, "    <{privilege}>{}</{privilege}>", xml_escape(entity));
            }
            _ => {
                let _ = writeln!(text, "    <permission>{}</permission>", xml_escape(scope));
            }
        }
    }
    text.push_str("</permissions>\n");
    AppConfig { text, topics: covered.iter().map(|topic| topic.as_str()).collect(), scopes, warnings }
}

/// Ecwid: what to send Ecwid for the app (a JSON object): `scope`, the access scopes
/// space-separated as the OAuth `scope` parameter takes them, `webhookUrl` and the
/// `webhookEvents`. Ecwid fixes an app's scopes and webhook events at registration and
/// changes them on request; there is no API to register them.
#[cfg(feature = "ecwid")]
pub fn ecwid(subscription: &crate::ecwid::Subscription, webhook_url: &str) -> AppConfig {
    use crate::ecwid::Topic;
    let mut warnings = Vec::new();
    unknown_patterns(subscription, &mut warnings);
    let covered: Vec<&'static Topic> = subscription.topics().collect();
    let scopes = required_scopes(&covered, |scope| scope.as_str().to_owned(), &mut warnings);
    let topics: Vec<&'static str> = covered.iter().map(|topic| topic.as_str()).collect();
    let value = serde_json::json!({ "scope": scopes.join(" "), "webhookUrl": webhook_url, "webhookEvents": topics });
    let text = serde_json::to_string_pretty(&value).expect("JSON values always encode") + "\n";
    AppConfig { text, topics, scopes, warnings }
}
