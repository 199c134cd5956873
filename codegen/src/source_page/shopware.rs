//! Parser for Shopware 6's "Webhook Event Reference" page
//! (`catalog/sources/shopware-webhook-events-reference.md`).
//!
//! The page is a single table:
//!
//! ```text
//! | Event | Description | Permissions needed | Payload
//! | :--- | :--- | :--- | :--- |
//! |`checkout.order.placed` | Triggers when an order is placed | `order:read` | {"entity":"order"}
//! |`app.activated` | Fires when an app is activated | - |
//! ```
//!
//! Rows do not end with a `|` unless the payload cell is empty, in which case
//! the row ends `| ` -- so a trailing `|` cannot simply be stripped as a
//! closing pipe (see [`super::split_row`]). A description of `__EMPTY__`
//! means the page has none; a permissions cell of `-` means none are needed,
//! otherwise it holds backticked permission names separated by spaces.

use std::collections::HashMap;

use super::{
    check_duplicate, columns, find_tables, finish, is_topic_name, numbered_lines, strip_backticks, unescape_markdown,
    Coverage, Listing, PageError, PageEvent, PageFacts, PageScopes,
};

/// Header cells of the event table.
const HEADER: [&str; 4] = ["Event", "Description", "Permissions needed", "Payload"];

/// The page's placeholder for a missing description.
const EMPTY_DESCRIPTION: &str = "__EMPTY__";

/// The page's way of saying an event needs no permission.
const NO_PERMISSIONS: &str = "-";

/// Parses the Shopware page; see the module documentation for its layout.
pub(super) fn parse(text: &str) -> Result<PageFacts, Vec<PageError>> {
    let lines = numbered_lines(text);
    let mut errors = Vec::new();
    let mut events = Vec::new();
    let mut seen = HashMap::new();

    let tables = find_tables(&lines);
    let rows = tables.iter().filter(|table| table.header == HEADER).flat_map(|table| &table.rows);
    for row in rows {
        match parse_row(columns(row, HEADER.len()), row.line) {
            Ok(event) => {
                if !check_duplicate(&mut seen, &event.topic, event.line, &mut errors) {
                    events.push(event);
                }
            }
            Err(error) => errors.push(error),
        }
    }

    let facts = PageFacts {
        events,
        groups: Vec::new(),
        coverage: Coverage::Complete,
        marks_protected_data: false,
        links_resources: true,
    };
    finish(facts, errors)
}

/// Reads one table row (already split into the four columns).
fn parse_row(cells: Result<Vec<&str>, PageError>, line: usize) -> Result<PageEvent, PageError> {
    let cells = cells?;
    let (event, description, permissions) = (cells[0], cells[1], cells[2]);
    // The Payload cell (JSON, or empty for app lifecycle events) is not a
    // fact the catalog records.

    let topic = unescape_markdown(strip_backticks(event));
    if !is_topic_name(&topic) {
        return Err(PageError::new(line, format!("`{event}` is not an event name")));
    }
    let description = match description {
        "" => {
            return Err(PageError::new(
                line,
                format!("`{topic}` has an empty Description cell (the page writes `{EMPTY_DESCRIPTION}`)"),
            ))
        }
        EMPTY_DESCRIPTION => None,
        text => Some(text.to_string()),
    };
    let scopes =
        parse_permissions(permissions).map_err(|message| PageError::new(line, format!("`{topic}`: {message}")))?;

    Ok(PageEvent {
        topic,
        description,
        scopes,
        protected_customer_data: false,
        listed_in: vec![Listing::Section],
        resource: None,
        rest_call: None,
        line,
    })
}

/// Reads a permissions cell: `-`, or `` `a:read` `b:read` ``.
fn parse_permissions(cell: &str) -> Result<PageScopes, String> {
    if cell == NO_PERMISSIONS {
        return Ok(PageScopes::NoneNeeded);
    }
    if cell.is_empty() {
        return Err(format!("empty Permissions cell (the page writes `{NO_PERMISSIONS}` for none)"));
    }
    cell.split_whitespace()
        .map(|word| {
            let name = strip_backticks(word);
            if name.len() + 2 == word.len() && !name.is_empty() && !name.contains('`') {
                Ok(name.to_string())
            } else {
                Err(format!("expected backticked permission names, found `{word}`"))
            }
        })
        .collect::<Result<Vec<_>, _>>()
        .map(PageScopes::Listed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = include_str!("../../../catalog/sources/shopware-webhook-events-reference.md");

    fn page() -> PageFacts {
        match parse(PAGE) {
            Ok(facts) => facts,
            Err(errors) => panic!("Shopware page did not parse: {errors:#?}"),
        }
    }

    fn event<'a>(facts: &'a PageFacts, topic: &str) -> &'a PageEvent {
        facts.events.iter().find(|event| event.topic == topic).unwrap_or_else(|| panic!("no event `{topic}`"))
    }

    #[test]
    fn counts_match_the_page() {
        let facts = page();
        assert_eq!(facts.events.len(), 113);
        assert!(facts.groups.is_empty());
        let count = |f: &dyn Fn(&PageEvent) -> bool| facts.events.iter().filter(|e| f(e)).count();
        assert_eq!(count(&|e| e.description.is_none()), 70);
        assert_eq!(count(&|e| e.scopes == PageScopes::NoneNeeded), 13);
        assert_eq!(count(&|e| matches!(&e.scopes, PageScopes::Listed(names) if names.len() == 2)), 4);
        assert_eq!(count(&|e| matches!(&e.scopes, PageScopes::Listed(names) if names.len() > 2)), 0);
    }

    #[test]
    fn spot_values() {
        let facts = page();
        assert_eq!(facts.events[0].topic, "checkout.customer.before.login");
        assert_eq!(facts.events[0].line, 5);
        assert_eq!(facts.events[0].scopes, PageScopes::NoneNeeded);

        let changed = event(&facts, "checkout.order.payment_method.changed");
        assert_eq!(changed.description, None);
        assert_eq!(changed.scopes, PageScopes::Listed(vec!["order:read".into(), "order_transaction:read".into()]));

        let recovery = event(&facts, "customer.recovery.request");
        assert_eq!(recovery.scopes, PageScopes::Listed(vec!["customer_recovery:read".into(), "customer:read".into()]));

        // Rows with an empty payload cell end in `| `.
        let last = facts.events.last().unwrap();
        assert_eq!(last.topic, "app.config.changed");
        assert_eq!(last.description.as_deref(), Some("Fires when a system config value is changed"));
        assert_eq!(last.scopes, PageScopes::NoneNeeded);

        let dashed = event(&facts, "checkout.customer.changed-payment-method");
        assert_eq!(dashed.scopes, PageScopes::Listed(vec!["customer:read".into()]));
    }

    const GOOD: &str = "\
| Event | Description | Permissions needed | Payload
| :--- | :--- | :--- | :--- |
|`a.b` | Does things | `x:read` `y:read` | {\"entity\":\"x\"}
|`c.d` | __EMPTY__ | - | 
|`e.f` | Closed row | - | {} |
";

    #[test]
    fn small_page_parses() {
        let facts = parse(GOOD).unwrap();
        assert_eq!(facts.events.len(), 3);
        assert_eq!(facts.events[1].description, None);
        assert_eq!(facts.events[2].description.as_deref(), Some("Closed row"));
    }

    #[test]
    fn broken_rows_are_errors() {
        let cases = [
            ("`x:read` `y:read`", "x:read"),
            ("`x:read` `y:read`", ""),
            ("Does things", ""),
            ("`a.b`", "a b"),
            (" | {\"entity\":\"x\"}", ""),
            ("{\"entity\":\"x\"}", "{} | extra"),
        ];
        for (from, to) in cases {
            let errors = parse(&GOOD.replacen(from, to, 1)).unwrap_err();
            assert_eq!(errors.len(), 1, "{from} -> {to}: {errors:?}");
            assert_eq!(errors[0].line, 3, "{from} -> {to}: {errors:?}");
        }
    }

    #[test]
    fn page_without_the_table_is_an_error() {
        let errors = parse(&GOOD.replace("Permissions needed", "Permissions")).unwrap_err();
        assert_eq!(errors, vec![PageError::new(1, "no webhook events found on the page")]);
    }
}
