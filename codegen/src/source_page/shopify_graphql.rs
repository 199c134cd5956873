//! Parser for Shopify's GraphQL Admin `WebhookSubscriptionTopic` enum page
//! (`catalog/sources/shopify-WebhookSubscriptionTopic-2026-07.md`), the list of
//! topics an app can subscribe to in a given API version.
//!
//! The page lists the enum's values twice: as bullets under the "Valid values"
//! heading, then one definition each, until the "Fields" heading:
//!
//! ```text
//! ## [Anchor to Valid values](/docs/…#valid-values)Valid values
//!
//! - APP\_UNINSTALLED
//! - CARTS\_CREATE
//!
//! [Anchor to CARTS\_CREATE](/docs/…#enums-CARTS_CREATE)CARTS\_CREATE
//! :   The webhook topic for `carts/create` events. Occurs when a cart is created in
//!     the online store. … Requires the `read_orders` scope.
//! ```
//!
//! A definition names its wire topic in its first sentence ("The webhook topic
//! for `carts/create` events.") and ends with the scopes it needs: "Requires the
//! `read_orders` scope." or "Requires at least one of the following scopes: a, b."
//! (sometimes without a full stop before it). What lies between is the
//! description. The scopes are OAuth names (`read_orders`), which the catalog
//! declares as the `oauth` of its scopes. The wrapped lines of a definition are
//! joined with spaces; a paragraph break or a `- ` list item starts a new line.
//!
//! The page names no protected-data marker and has none of the REST page's
//! lists, and it says that mandatory (compliance) webhooks are set up in the
//! Partner Dashboard or the app configuration, not through this enum.

use std::collections::HashMap;

use super::{
    check_duplicate, finish, is_topic_name, numbered_lines, unescape_markdown, Coverage, PageError, PageEvent,
    PageFacts, PageLine, PageScopes,
};

/// The start of the "Valid values" heading (the anchor link precedes its text).
const VALUES_HEADING: &str = "## [Anchor to Valid values]";

/// The first sentence of every definition, around its topic.
const TOPIC_PREFIX: &str = "The webhook topic for `";
const TOPIC_SUFFIX: &str = "` events.";

/// The two ways a definition states its scopes.
const ONE_SCOPE: &str = "Requires the `";
const ANY_SCOPE: &str = "Requires at least one of the following scopes:";

/// Whether `text` is laid out as the GraphQL enum page (it has the "Valid values"
/// heading), as opposed to the REST `Webhook` resource page.
pub(super) fn is_enum_page(text: &str) -> bool {
    text.lines().any(|line| line.starts_with(VALUES_HEADING))
}

/// Parses the enum page; see the module documentation for its layout.
pub(super) fn parse(text: &str) -> Result<PageFacts, Vec<PageError>> {
    let lines = numbered_lines(text);
    let mut errors = Vec::new();
    let Some(start) = lines.iter().position(|line| line.text.starts_with(VALUES_HEADING)) else {
        errors.push(PageError::new(1, "no `Valid values` heading"));
        return finish(facts(Vec::new()), errors);
    };
    let end = lines[start + 1..]
        .iter()
        .position(|line| line.text.starts_with("## "))
        .map_or(lines.len(), |offset| start + 1 + offset);
    let section = &lines[start + 1..end];

    let listed = value_bullets(section);
    let mut events = Vec::new();
    let mut seen = HashMap::new();
    let mut defined = Vec::new();
    let mut index = 0;
    while index < section.len() {
        let line = section[index];
        index += 1;
        let Some(value) = anchor_value(line.text) else { continue };
        // The definition runs while lines are blank or indented under it.
        let body_end = section[index..]
            .iter()
            .position(|l| !l.text.is_empty() && !l.text.starts_with(' ') && !l.text.starts_with(':'))
            .map_or(section.len(), |offset| index + offset);
        let body = &section[index..body_end];
        index = body_end;
        defined.push(value.clone());
        match definition(&value, line.number, body) {
            Ok(event) => {
                if !check_duplicate(&mut seen, &event.topic, event.line, &mut errors) {
                    events.push(event);
                }
            }
            Err(error) => errors.push(error),
        }
    }
    if listed != defined {
        let missing: Vec<&String> = listed.iter().filter(|v| !defined.contains(v)).collect();
        let extra: Vec<&String> = defined.iter().filter(|v| !listed.contains(v)).collect();
        errors.push(PageError::new(
            lines[start].number,
            format!(
                "the Valid values list and the definitions differ (listed, not defined: {missing:?}; defined, not listed: {extra:?}; or another order)"
            ),
        ));
    }
    finish(facts(events), errors)
}

fn facts(events: Vec<PageEvent>) -> PageFacts {
    PageFacts {
        events,
        groups: Vec::new(),
        coverage: Coverage::AllButMandatory,
        marks_protected_data: false,
        links_resources: false,
    }
}

/// The values of the `- APP\_UNINSTALLED` bullets, escapes removed.
fn value_bullets(section: &[PageLine]) -> Vec<String> {
    section
        .iter()
        .filter_map(|line| line.text.strip_prefix("- "))
        .map(|value| unescape_markdown(value.trim()))
        .filter(|value| is_enum_value(value))
        .collect()
}

/// The enum value a definition's anchor line names: the text after the link
/// (`[Anchor to X\_Y](…)X\_Y` → `X_Y`).
fn anchor_value(line: &str) -> Option<String> {
    let rest = line.strip_prefix("[Anchor to ")?;
    let (_, after_link) = rest.split_once("](")?;
    let (_, value) = after_link.split_once(')')?;
    let value = unescape_markdown(value.trim());
    is_enum_value(&value).then_some(value)
}

fn is_enum_value(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// The enum value Shopify derives from a topic: upper case, separators as `_`.
fn enum_value_of(topic: &str) -> String {
    topic.chars().map(|c| if matches!(c, '/' | '.') { '_' } else { c.to_ascii_uppercase() }).collect()
}

/// Joins a definition's lines: the `:   ` of the first and the indentation of
/// the rest removed, wrapped lines joined with spaces, a new line for each
/// paragraph and `- ` list item.
fn join_definition(body: &[PageLine]) -> String {
    let mut out = String::new();
    let mut new_line = false;
    for line in body {
        let text = line.text.strip_prefix(":   ").unwrap_or(line.text).trim();
        if text.is_empty() {
            new_line = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push(if new_line || text.starts_with("- ") { '\n' } else { ' ' });
        }
        out.push_str(text);
        new_line = false;
    }
    unescape_markdown(&out)
}

/// Reads one definition: its topic from the first sentence, the scopes from the
/// last, the description in between.
fn definition(value: &str, line: usize, body: &[PageLine]) -> Result<PageEvent, PageError> {
    if !body.first().is_some_and(|first| first.text.starts_with(":   ")) {
        return Err(PageError::new(line, format!("`{value}` has no `:   ` definition on the next line")));
    }
    let text = join_definition(body);
    let topic = text
        .strip_prefix(TOPIC_PREFIX)
        .and_then(|rest| rest.split_once(TOPIC_SUFFIX))
        .map(|(topic, _)| topic.to_string())
        .filter(|topic| is_topic_name(topic))
        .ok_or_else(|| {
            PageError::new(line, format!("`{value}` does not start with \"{TOPIC_PREFIX}<topic>{TOPIC_SUFFIX}\""))
        })?;
    if enum_value_of(&topic) != value {
        return Err(PageError::new(line, format!("`{value}` names the topic `{topic}`, whose enum value differs")));
    }
    let rest = text[TOPIC_PREFIX.len() + topic.len() + TOPIC_SUFFIX.len()..].trim_start();
    let (description, scopes) =
        split_scopes(rest).map_err(|message| PageError::new(line, format!("`{topic}`: {message}")))?;
    let description = description.trim_end();
    Ok(PageEvent {
        topic,
        description: (!description.is_empty()).then(|| description.to_string()),
        scopes,
        protected_customer_data: false,
        listed_in: Vec::new(),
        resource: None,
        rest_call: None,
        line,
    })
}

/// Splits the scope sentence off the end of a definition. A definition without
/// one documents the event but lists no scope.
fn split_scopes(text: &str) -> Result<(&str, PageScopes), String> {
    if let Some(at) = text.rfind(ANY_SCOPE) {
        let list = text[at + ANY_SCOPE.len()..].trim();
        let list =
            list.strip_suffix('.').ok_or_else(|| format!("the scope list `{list}` does not end the definition"))?;
        let names: Vec<String> = list.split(',').map(|name| name.trim().to_string()).collect();
        if names.iter().any(|name| !is_scope_name(name)) {
            return Err(format!("expected comma-separated scope names, found `{list}`"));
        }
        return Ok((&text[..at], PageScopes::Listed(names)));
    }
    if let Some(at) = text.rfind(ONE_SCOPE) {
        let rest = &text[at + ONE_SCOPE.len()..];
        let name = rest.strip_suffix("` scope.").filter(|name| is_scope_name(name));
        let name = name.ok_or_else(|| format!("expected \"{ONE_SCOPE}<scope>` scope.\" at the end, found `{rest}`"))?;
        return Ok((&text[..at], PageScopes::Listed(vec![name.to_string()])));
    }
    Ok((text, PageScopes::NoneListed))
}

fn is_scope_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = include_str!("../../../catalog/sources/shopify-WebhookSubscriptionTopic-2026-07.md");

    fn page() -> PageFacts {
        parse(PAGE).unwrap_or_else(|errors| panic!("{errors:#?}"))
    }

    fn event<'a>(facts: &'a PageFacts, topic: &str) -> &'a PageEvent {
        facts.events.iter().find(|e| e.topic == topic).unwrap_or_else(|| panic!("no `{topic}`"))
    }

    #[test]
    fn reads_every_value_of_the_2026_07_page() {
        let facts = page();
        assert_eq!(facts.events.len(), 218);
        assert_eq!(facts.events[0].topic, "app_purchases_one_time/update");
        assert_eq!(facts.events[217].topic, "variants/out_of_stock");
        assert_eq!(facts.coverage, Coverage::AllButMandatory);
        assert!(!facts.marks_protected_data);
        assert!(facts.events.iter().all(|e| e.listed_in.is_empty() && !e.protected_customer_data));
        let dotted: Vec<&str> = facts.events.iter().map(|e| e.topic.as_str()).filter(|t| t.contains('.')).collect();
        assert_eq!(
            dotted,
            ["customer.joined_segment", "customer.left_segment", "customer.tags_added", "customer.tags_removed"]
        );
    }

    #[test]
    fn splits_topic_description_and_scopes() {
        let facts = page();
        let carts = event(&facts, "carts/create");
        assert_eq!(
            carts.description.as_deref(),
            Some("Occurs when a cart is created in the online store. Other types of carts aren't supported. For example, the webhook doesn't support carts that are created in a custom storefront.")
        );
        assert_eq!(carts.scopes, PageScopes::Listed(vec!["read_orders".into()]));
        let split = event(&facts, "fulfillment_orders/split");
        assert_eq!(
            split.scopes,
            PageScopes::Listed(vec![
                "read_merchant_managed_fulfillment_orders".into(),
                "read_assigned_fulfillment_orders".into(),
                "read_third_party_fulfillment_orders".into()
            ])
        );
        // No full stop before the scope sentence: the description keeps the page's wording.
        let merge = event(&facts, "customers/merge");
        assert_eq!(merge.description.as_deref(), Some("Triggers when two customers are merged"));
        assert_eq!(merge.scopes, PageScopes::Listed(vec!["read_customer_merge".into()]));
        // No scope sentence at all.
        let uninstalled = event(&facts, "app/uninstalled");
        assert_eq!(uninstalled.description.as_deref(), Some("Occurs whenever a shop has uninstalled the app."));
        assert_eq!(uninstalled.scopes, PageScopes::NoneListed);
        // The topic wraps onto the definition's second line.
        assert!(facts.events.iter().any(|e| e.topic == "fulfillment_orders/fulfillment_service_failed_to_complete"));
    }

    #[test]
    fn paragraphs_and_list_items_start_new_lines() {
        let facts = page();
        let moved = event(&facts, "fulfillment_orders/moved");
        let description = moved.description.as_deref().unwrap();
        assert!(description.starts_with("Occurs whenever the location which is assigned to fulfill one or more fulfillment order line items is changed.\n- `original_fulfillment_order` - The final state"));
        assert!(description.contains("\n- `source_location` - The original location which was assigned to fulfill the line items (available as of the `2023-04` API version).\n"));
        assert!(description.ends_with("\n[Learn more about moving line items](https://shopify.dev/docs/api/admin-graphql/latest/mutations/fulfillmentOrderMove)."));
    }

    #[test]
    fn recognises_its_layout() {
        assert!(is_enum_page(PAGE));
        assert!(!is_enum_page(include_str!("../../../catalog/sources/shopify-webhook.md")));
    }

    const TINY: &str = "## [Anchor to Valid values](/x#valid-values)Valid values\n\n- A\\_B\\_CREATE\n- C\\_UPDATE\n\n\
[Anchor to A\\_B\\_CREATE](/x#enums-A_B_CREATE)A\\_B\\_CREATE\n:   The webhook topic for `a_b/create` events. Occurs\n    when. Requires at least one of the following scopes: read\\_a,\n    read\\_b.\n\n\
[Anchor to C\\_UPDATE](/x#enums-C_UPDATE)C\\_UPDATE\n:   The webhook topic for `c/update` events.\n\n---\n\n## [Anchor to Fields](/x#fields)Fields\n";

    #[test]
    fn a_small_page() {
        let facts = parse(TINY).unwrap();
        assert_eq!(facts.events.len(), 2);
        assert_eq!(facts.events[0].topic, "a_b/create");
        assert_eq!(facts.events[0].line, 6);
        assert_eq!(facts.events[0].description.as_deref(), Some("Occurs when."));
        assert_eq!(facts.events[0].scopes, PageScopes::Listed(vec!["read_a".into(), "read_b".into()]));
        assert_eq!(facts.events[1].description, None);
    }

    #[test]
    fn reports_what_it_cannot_read() {
        // A topic whose enum value is not the definition's.
        let wrong = TINY.replace("`c/update`", "`c/delete`");
        let errors = parse(&wrong).unwrap_err();
        assert!(errors.iter().any(|e| e.line == 11 && e.message.contains("`c/delete`")), "{errors:?}");
        // A definition without its topic sentence.
        let no_topic = TINY.replace("The webhook topic for `c/update` events.", "Something else.");
        let errors = parse(&no_topic).unwrap_err();
        assert!(errors.iter().any(|e| e.line == 11 && e.message.contains("does not start with")), "{errors:?}");
        // A value listed but not defined.
        let listed_only = TINY.replace("- C\\_UPDATE\n", "- C\\_UPDATE\n- D\\_DELETE\n");
        let errors = parse(&listed_only).unwrap_err();
        assert!(errors.iter().any(|e| e.message.contains("D_DELETE")), "{errors:?}");
        // A scope sentence that is not the end of the definition.
        let trailing = TINY.replace("read\\_b.", "read\\_b. And more");
        assert!(parse(&trailing).unwrap_err().iter().any(|e| e.message.contains("does not end")));
        // No heading at all.
        assert_eq!(parse("# Something\n").unwrap_err()[0].line, 1);
    }
}
