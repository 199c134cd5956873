//! Parser for BigCommerce's "Webhook Events" page
//! (`catalog/sources/bigcommerce-webhook-events.md`).
//!
//! Each resource section has a table of its events:
//!
//! ```text
//! | Name | Description |
//! |-|-|
//! | store/cart/* | Subscribe to all cart events. ... |
//! | store/cart/created | This webhook will fire whenever ... |
//! ```
//!
//! The tables are not written uniformly: the Channel table wraps names in
//! backticks and pads its cells, the Store table's header is
//! `|Name|Description|`, and some rows lack the space before a `|`. A
//! `.../*` row is a wildcard subscription (a [`PageGroup`]), every other row
//! an event. Other tables on the page (the callback envelope's
//! `Name | Definition`, payload `Property | Description`) are not events.
//!
//! The page names no OAuth scopes, so every event's scopes are
//! [`PageScopes::NotDocumented`].

use std::collections::HashMap;

use super::{
    check_duplicate, columns, find_tables, finish, is_topic_name, numbered_lines, strip_backticks, unescape_markdown,
    Coverage, Listing, PageError, PageEvent, PageFacts, PageGroup, PageScopes,
};

/// Header cells of the event tables.
const EVENT_TABLE_HEADER: [&str; 2] = ["Name", "Description"];

/// Suffix that makes a name a wildcard subscription rather than an event.
const GROUP_SUFFIX: &str = "/*";

/// Parses the BigCommerce page; see the module documentation for its layout.
pub(super) fn parse(text: &str) -> Result<PageFacts, Vec<PageError>> {
    parse_tables(
        text,
        &Layout {
            header: EVENT_TABLE_HEADER,
            coverage: Coverage::Complete,
            links_resources: true,
            name: |cell| {
                let name = unescape_markdown(strip_backticks(cell));
                is_topic_name(&name).then_some(name)
            },
            not_a_name: "is not a webhook name",
        },
    )
}

/// What distinguishes BigCommerce's two page formats (this page and the MDX pages): both list
/// events in `name | description` tables, with groups as `.../*` rows.
pub(super) struct Layout {
    /// The header of the event tables.
    pub header: [&'static str; 2],
    /// How much of the reference one page is.
    pub coverage: Coverage,
    /// Whether the page links each event to its resource.
    pub links_resources: bool,
    /// The topic a name cell holds, if it holds one.
    pub name: fn(&str) -> Option<String>,
    /// The error for a name cell that holds none (after the cell).
    pub not_a_name: &'static str,
}

/// Reads every row of the tables headed `layout.header`.
pub(super) fn parse_tables(text: &str, layout: &Layout) -> Result<PageFacts, Vec<PageError>> {
    let lines = numbered_lines(text);
    let mut errors = Vec::new();
    let mut facts = PageFacts {
        events: Vec::new(),
        groups: Vec::new(),
        coverage: layout.coverage,
        marks_protected_data: false,
        links_resources: layout.links_resources,
    };
    // Events and groups share one namespace: a pattern equal to a topic
    // would be as suspicious as a repeated topic.
    let mut seen = HashMap::new();

    let tables = find_tables(&lines);
    let rows = tables.iter().filter(|table| table.header == layout.header).flat_map(|table| &table.rows);
    for row in rows {
        let cells = match columns(row, 2) {
            Ok(cells) => cells,
            Err(error) => {
                errors.push(error);
                continue;
            }
        };
        let Some(name) = (layout.name)(cells[0]) else {
            errors.push(PageError::new(row.line, format!("`{}` {}", cells[0], layout.not_a_name)));
            continue;
        };
        add_row(&mut facts, &mut seen, &mut errors, name, cells[1], row.line);
    }
    finish(facts, errors)
}

/// Adds one `name | description` row of an events table: a group for a `.../*` name, else an
/// event without documented scopes.
fn add_row(
    facts: &mut PageFacts,
    seen: &mut HashMap<String, usize>,
    errors: &mut Vec<PageError>,
    name: String,
    description: &str,
    line: usize,
) {
    if description.is_empty() {
        errors.push(PageError::new(line, format!("`{name}` has an empty Description cell")));
        return;
    }
    if check_duplicate(seen, &name, line, errors) {
        return;
    }
    if name.ends_with(GROUP_SUFFIX) {
        facts.groups.push(PageGroup { pattern: name, description: description.to_string(), line });
    } else {
        facts.events.push(PageEvent {
            topic: name,
            description: Some(description.to_string()),
            scopes: PageScopes::NotDocumented,
            protected_customer_data: false,
            listed_in: vec![Listing::Section],
            resource: None,
            rest_call: None,
            line,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = include_str!("../../../catalog/sources/bigcommerce-webhook-events.md");

    fn page() -> PageFacts {
        match parse(PAGE) {
            Ok(facts) => facts,
            Err(errors) => panic!("BigCommerce page did not parse: {errors:#?}"),
        }
    }

    #[test]
    fn counts_match_the_page() {
        let facts = page();
        assert_eq!(facts.events.len(), 45);
        assert_eq!(facts.groups.len(), 10);
        assert!(facts.events.iter().all(|e| e.scopes == PageScopes::NotDocumented && e.description.is_some()));
        // The callback envelope table (`scope`, `store_id`, ...) is not read.
        assert!(facts.events.iter().all(|e| e.topic.starts_with("store/")));
    }

    #[test]
    fn spot_values() {
        let facts = page();
        let group = |pattern: &str| facts.groups.iter().find(|g| g.pattern == pattern);
        let event = |topic: &str| facts.events.iter().find(|e| e.topic == topic);

        let line_items = group("store/cart/lineItem/*").expect("cart line item group");
        assert!(line_items.description.starts_with("Subscribe to all cart line item events."));
        assert!(event("store/cart/lineItem/*").is_none());

        // Backticked, padded Channel table.
        let channels = group("store/channel/*").expect("channel group");
        assert_eq!(channels.description, "Subscribe to all `store/channel` events");
        assert_eq!(
            event("store/channel/created").unwrap().description.as_deref(),
            Some("Fires when a channel is created via control panel or API")
        );

        // `|Name|Description|` header and a row without spaces around `|`.
        let store = event("store/information/updated").expect("store table");
        assert!(store.description.as_deref().unwrap().starts_with("Occurs when changes"));
        let deleted = event("store/product/deleted").unwrap();
        assert_eq!(deleted.description.as_deref(), Some("Product is deleted"));
        assert_eq!(deleted.line, 451);

        // Descriptions are verbatim, inline HTML included.
        let updated = event("store/cart/updated").unwrap();
        assert!(updated.description.as_deref().unwrap().contains(" <br> "));
    }

    const GOOD: &str = "\
## Cart

| Name | Description |
|-|-|
| store/cart/* | All cart events. |
| store/cart/created | A cart is created |
| store/cart/deleted | A cart is deleted |

| Name | Definition |
| -- | -- |
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
    }

    #[test]
    fn broken_rows_are_errors() {
        let cases = [
            ("A cart is created |", "A | cart |"),
            ("A cart is created", ""),
            ("store/cart/created", "cart created"),
            ("store/cart/created", "store/cart/*"),
        ];
        for (from, to) in cases {
            let errors = parse(&GOOD.replace(from, to)).unwrap_err();
            assert_eq!(errors.len(), 1, "{from} -> {to}: {errors:?}");
            assert_eq!(errors[0].line, 6, "{from} -> {to}: {errors:?}");
        }
    }

    #[test]
    fn page_without_event_tables_is_an_error() {
        let errors = parse(&GOOD.replace("| Name | Description |", "| Name | Desc |")).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 1);
    }
}
