//! Parser for BigCommerce's webhook events pages as the bigcommerce/docs repository writes them
//! (MDX, since 2026 split over four pages: `docs/integrations/webhooks/events/index.mdx`,
//! `channels.mdx`, `inventory-location.mdx` and `b2b-edition.mdx`; stored as
//! `catalog/sources/bigcommerce-events*-2026-04.mdx`).
//!
//! Each section has a table of its scopes, under a `Name / Scope` header:
//!
//! ```text
//! | Name / Scope            | Description |
//! |:------------------------|:------------|
//! | store/brand/metafield/* | Fires for all store/brand/metafield events. |
//! | `store/priceList/updated/` | Fires when a price list is updated. |
//! | `store/channel/{channel_id}/cart/created` | Fires on creation of a new cart ... |
//! ```
//!
//! Names are bare or backticked, cells padded or not. Some names end in a `/` the scope does
//! not have (`store/priceList/updated/`: the page's own examples and the repository's
//! `docs/webhooks/callbacks/_all.yml` write `store/priceList/updated`); it is dropped. A
//! `.../*` name is a wildcard subscription (a [`PageGroup`]), every other name an event,
//! including the channel pages' per-channel scopes, which name the channel with a
//! `{channel_id}` or `*` segment inside the topic (`store/channel/{channel_id}/cart/created`,
//! read as written: the catalog holds them as topic templates). Other tables (the callback envelope's `Property | Description`)
//! are not events, and neither are the scopes the pages only name in prose, bullets or
//! example requests.
//!
//! The pages name no OAuth scopes, so every event's scopes are [`PageScopes::NotDocumented`],
//! and each page is one part of the reference ([`Coverage::Part`]): a topic one page lacks
//! may be on another (the main page points to the channel page for channel events).

use super::bigcommerce::Layout;
use super::{
    find_tables, is_topic_name, numbered_lines, strip_backticks, unescape_markdown, Coverage, PageError, PageFacts,
};
#[cfg(doc)]
use super::{PageGroup, PageScopes};

/// Header cells of the event tables.
const EVENT_TABLE_HEADER: [&str; 2] = ["Name / Scope", "Description"];

/// Whether `text` is laid out as the MDX events pages (it has a `Name / Scope` table), as
/// opposed to the older Markdown page's `Name | Description` tables.
pub(super) fn is_mdx_page(text: &str) -> bool {
    find_tables(&numbered_lines(text)).iter().any(|table| table.header == EVENT_TABLE_HEADER)
}

/// Parses one of the MDX pages; see the module documentation for its layout.
pub(super) fn parse(text: &str) -> Result<PageFacts, Vec<PageError>> {
    super::bigcommerce::parse_tables(
        text,
        &Layout {
            header: EVENT_TABLE_HEADER,
            coverage: Coverage::Part,
            links_resources: false,
            name: |cell| {
                let written = unescape_markdown(strip_backticks(cell));
                let name = match written.strip_suffix('/') {
                    Some(name) if !name.ends_with('/') => name.to_owned(),
                    _ => written,
                };
                (is_topic_name(&name) && name.starts_with("store/")).then_some(name)
            },
            not_a_name: "is not a webhook scope",
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = include_str!("../../../catalog/sources/bigcommerce-events-2026-04.mdx");
    const CHANNELS: &str = include_str!("../../../catalog/sources/bigcommerce-events-channels-2026-04.mdx");
    const LOCATIONS: &str = include_str!("../../../catalog/sources/bigcommerce-events-inventory-location-2026-04.mdx");
    const B2B: &str = include_str!("../../../catalog/sources/bigcommerce-events-b2b-edition-2026-04.mdx");
    const OLD: &str = include_str!("../../../catalog/sources/bigcommerce-webhook-events.md");

    fn page(text: &str) -> PageFacts {
        assert!(is_mdx_page(text));
        match parse(text) {
            Ok(facts) => facts,
            Err(errors) => panic!("BigCommerce MDX page did not parse: {errors:#?}"),
        }
    }

    /// Whether a topic names its channel with a placeholder segment (`{channel_id}`, or `*` other
    /// than as the last segment).
    fn is_channel_template(topic: &str) -> bool {
        let segments: Vec<&str> = topic.split('/').collect();
        let inner = &segments[..segments.len().saturating_sub(1)];
        segments.iter().any(|s| s.starts_with('{') && s.ends_with('}')) || inner.contains(&"*")
    }

    #[test]
    fn counts_match_the_pages() {
        // (events, of them per-channel templates, groups)
        let cases = [(INDEX, 86, 0, 15), (CHANNELS, 65, 58, 6), (LOCATIONS, 6, 4, 0), (B2B, 19, 0, 0)];
        for (text, events, templates, groups) in cases {
            let facts = page(text);
            assert_eq!(facts.events.len(), events);
            assert_eq!(facts.events.iter().filter(|e| is_channel_template(&e.topic)).count(), templates);
            assert_eq!(facts.groups.len(), groups);
            assert_eq!(facts.coverage, Coverage::Part);
            assert!(facts
                .events
                .iter()
                .all(|e| e.scopes == super::super::PageScopes::NotDocumented && e.description.is_some()));
            assert!(facts.events.iter().all(|e| e.topic.starts_with("store/") && !e.topic.ends_with('/')));
        }
        assert!(!is_mdx_page(OLD));
    }

    #[test]
    fn spot_values() {
        let index = page(INDEX);
        let event = |topic: &str| index.events.iter().find(|e| e.topic == topic).expect(topic);
        // Bare names, the header's page line (after the 8 lines of the provenance header).
        let brand = event("store/brand/metafield/created");
        assert_eq!(brand.description.as_deref(), Some("Fires when a new brand metafield is created."));
        assert_eq!(brand.line, 8 + 46);
        // Backticked, with the page's trailing `/` dropped.
        assert_eq!(
            event("store/priceList/updated").description.as_deref(),
            Some("Fires when a price list is updated.")
        );
        // Descriptions are verbatim, inline HTML included.
        assert!(event("store/cart/updated").description.as_deref().unwrap().contains(" <br />- A new item"));
        assert!(index.groups.iter().any(|g| g.pattern == "store/product/variant/metafield/*"));

        let channels = page(CHANNELS);
        let template = channels.events.iter().find(|e| e.topic == "store/channel/{channel_id}/cart/created").unwrap();
        assert!(is_channel_template(&template.topic));
        assert!(channels.events.iter().any(|e| e.topic == "store/channel/metafield/created"));
        assert!(channels.groups.iter().any(|g| g.pattern == "store/channel/{channel_id}/settings/*"));
        let locations = page(LOCATIONS);
        assert!(locations.events.iter().any(|e| e.topic == "store/channel/*/inventory/product/stock_changed"));
    }

    #[test]
    fn channel_templates_are_told_from_topics_and_groups() {
        assert!(is_channel_template("store/channel/{channel_id}/cart/created"));
        assert!(is_channel_template("store/channel/*/inventory/product/settings_changed"));
        assert!(!is_channel_template("store/channel/created"));
        assert!(!is_channel_template("store/channel/*"));
        assert!(!is_channel_template("store/customer/channel/login/access/updated"));
    }

    const GOOD: &str = "\
## Carts

| Name / Scope            | Description |
|:------------------------|:------------|
| store/cart/* | All cart events. |
| `store/cart/created/` | A cart is created |
| store/cart/deleted| A cart is deleted |

| Property | Description |
|:--|:--|
| `scope` | Not an event |
";

    #[test]
    fn small_page_parses() {
        let facts = parse(GOOD).unwrap();
        assert_eq!(facts.groups.len(), 1);
        assert_eq!(facts.groups[0].line, 5);
        assert_eq!(facts.events.len(), 2);
        assert_eq!(facts.events[0].topic, "store/cart/created");
        assert_eq!(facts.events[0].line, 6);
        assert_eq!(facts.events[1].description.as_deref(), Some("A cart is deleted"));
    }

    #[test]
    fn broken_rows_are_errors() {
        let cases = [
            ("A cart is created |", "A | cart |"),
            ("A cart is created", ""),
            ("`store/cart/created/`", "cart created"),
            ("`store/cart/created/`", "hooks/cart/created"),
            ("`store/cart/created/`", "store/cart/*"),
            ("`store/cart/created/`", "store/cart/deleted"),
        ];
        for (from, to) in cases {
            let errors = parse(&GOOD.replace(from, to)).unwrap_err();
            assert_eq!(errors.len(), 1, "{from} -> {to}: {errors:?}");
            let line = if to == "store/cart/deleted" { 7 } else { 6 };
            assert_eq!(errors[0].line, line, "{from} -> {to}: {errors:?}");
        }
    }

    #[test]
    fn page_without_event_tables_is_an_error() {
        let page = GOOD.replace("| Name / Scope ", "| Name ");
        assert!(!is_mdx_page(&page));
        let errors = parse(&page).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 1);
    }
}
