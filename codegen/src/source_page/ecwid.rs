//! Parser for Ecwid's "List of webhook events" page
//! (`catalog/sources/ecwid-webhook-events.md`).
//!
//! Each event is a heading followed by its description, its scope and,
//! optionally, a link to the REST call that fetches the changed entity:
//!
//! ```text
//! ### `order.created`
//!
//! Triggers when a new order is placed in the store. ...
//!
//! Access scope required: `read_orders`
//!
//! Related REST API: [Get order](https://...)
//! ```
//!
//! The page (exported from GitBook) is not uniform: the link line is written
//! both `Related REST API call:` and `Related REST API:`, and some scope
//! lines end with a stray `&#x20;` (an encoded space) after the scope.

use std::collections::HashMap;

use super::{
    check_duplicate, finish, is_topic_name, numbered_lines, parse_link, strip_backticks, unescape_markdown, Coverage,
    Link, Listing, PageError, PageEvent, PageFacts, PageLine, PageScopes,
};

/// Start of the line naming an event's scope.
const SCOPE_PREFIX: &str = "Access scope required";

/// The two spellings of the REST call line, longest first so that
/// `Related REST API call:` is not read as `Related REST API:` + `call:`.
const REST_CALL_PREFIXES: [&str; 2] = ["Related REST API call:", "Related REST API:"];

/// GitBook's encoded trailing space, which may follow the scope name.
const ENCODED_SPACE: &str = "&#x20;";

/// Parses the Ecwid page; see the module documentation for its layout.
pub(super) fn parse(text: &str) -> Result<PageFacts, Vec<PageError>> {
    let lines = numbered_lines(text);
    let mut errors = Vec::new();
    let mut events = Vec::new();
    let mut seen = HashMap::new();

    for (index, line) in lines.iter().enumerate() {
        let Some(topic) = event_heading(line) else {
            continue;
        };
        // An event's lines run to the next heading of any kind.
        let body: Vec<PageLine> =
            lines[index + 1..].iter().take_while(|line| line.in_code || !line.text.starts_with('#')).copied().collect();
        match parse_event(topic, line.number, &body) {
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

/// The topic of an event heading (`` ### `order.created` ``); `None` for
/// other lines, including headings that are not a backticked topic.
fn event_heading(line: &PageLine) -> Option<String> {
    if line.in_code {
        return None;
    }
    let title = line.text.strip_prefix("### ")?.trim();
    let topic = strip_backticks(title);
    if topic.len() + 2 != title.len() {
        return None;
    }
    let topic = unescape_markdown(topic);
    is_topic_name(&topic).then_some(topic)
}

/// Reads the lines of one event (those after its heading, up to the next
/// heading).
fn parse_event(topic: String, heading: usize, body: &[PageLine]) -> Result<PageEvent, PageError> {
    let Some(scope_at) = body.iter().position(|line| !line.in_code && line.text.starts_with(SCOPE_PREFIX)) else {
        return Err(PageError::new(heading, format!("event `{topic}` has no `{SCOPE_PREFIX}` line")));
    };

    let description: Vec<&str> =
        body[..scope_at].iter().map(|line| line.text.trim_end()).filter(|text| !text.is_empty()).collect();
    if description.is_empty() {
        return Err(PageError::new(heading, format!("event `{topic}` has no description")));
    }

    let scope_line = &body[scope_at];
    let scope = parse_scope(scope_line.text).ok_or_else(|| {
        PageError::new(
            scope_line.number,
            format!("expected `{SCOPE_PREFIX}: `scope``, found `{}`", scope_line.text.trim_end()),
        )
    })?;

    // After the scope only the REST call link may follow; anything else is
    // a fact this parser would otherwise drop silently.
    let mut rest_call: Option<Link> = None;
    for line in &body[scope_at + 1..] {
        let text = line.text.trim();
        if text.is_empty() {
            continue;
        }
        let link = REST_CALL_PREFIXES
            .iter()
            .find_map(|prefix| text.strip_prefix(prefix))
            .and_then(|rest| parse_link(rest.trim()));
        match link {
            Some(link) if rest_call.is_none() => rest_call = Some(link),
            _ => {
                return Err(PageError::new(
                    line.number,
                    format!("unexpected line after the scope of `{topic}`: `{text}`"),
                ))
            }
        }
    }

    Ok(PageEvent {
        topic,
        description: Some(description.join("\n")),
        scopes: PageScopes::Listed(vec![scope]),
        protected_customer_data: false,
        listed_in: vec![Listing::Section],
        resource: None,
        rest_call,
        line: heading,
    })
}

/// The scope name of `` Access scope required: `read_orders` ``, allowing
/// GitBook's trailing `&#x20;`.
fn parse_scope(line: &str) -> Option<String> {
    let rest = line.strip_prefix(SCOPE_PREFIX)?.strip_prefix(':')?.trim();
    let rest = rest.strip_prefix('`')?;
    let (name, after) = rest.split_once('`')?;
    let after = after.trim();
    let clean = after.is_empty() || after == ENCODED_SPACE;
    (clean && is_scope_name(name)).then(|| name.to_string())
}

/// Whether `name` looks like an Ecwid scope (`read_store_profile`).
fn is_scope_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = include_str!("../../../catalog/sources/ecwid-webhook-events.md");

    fn page() -> PageFacts {
        match parse(PAGE) {
            Ok(facts) => facts,
            Err(errors) => panic!("Ecwid page did not parse: {errors:#?}"),
        }
    }

    fn event<'a>(facts: &'a PageFacts, topic: &str) -> &'a PageEvent {
        facts.events.iter().find(|event| event.topic == topic).unwrap_or_else(|| panic!("no event `{topic}`"))
    }

    #[test]
    fn counts_match_the_page() {
        let facts = page();
        assert_eq!(facts.events.len(), 42);
        assert!(facts.groups.is_empty());
        assert_eq!(facts.events.iter().filter(|e| e.rest_call.is_none()).count(), 13);
        assert!(facts.events.iter().all(|e| matches!(&e.scopes, PageScopes::Listed(names) if names.len() == 1)));
    }

    #[test]
    fn spot_values() {
        let facts = page();

        let removal = event(&facts, "customer.personalDataRemovalRequest");
        assert_eq!(removal.scopes, PageScopes::Listed(vec!["read_store_profile".into()]));
        assert_eq!(removal.rest_call.as_ref().unwrap().name, "Get customer");

        let profile = &facts.events[0];
        assert_eq!(profile.topic, "profile.updated");
        assert_eq!(profile.line, 12);
        assert!(profile.description.as_deref().unwrap().starts_with("Triggers when any general"));
        // Written `Related REST API call:`.
        assert_eq!(
            profile.rest_call,
            Some(Link {
                name: "Get store profile".into(),
                url: "https://app.gitbook.com/s/G9n5VxMY9T0Ob3D56PSD/rest-api/store-profile/get-store-profile".into(),
            })
        );

        // Scope line ending in `&#x20;`.
        let deleted = event(&facts, "customer.deleted");
        assert_eq!(deleted.scopes, PageScopes::Listed(vec!["read_customers".into()]));
        assert_eq!(deleted.rest_call, None);

        assert_eq!(event(&facts, "order.deleted").rest_call, None);
    }

    const GOOD: &str = "\
# List of webhook events

### `a.created`

First line.
Second line.  

Access scope required: `read_a`

Related REST API: [Get a](https://x.test/a)

### `a.deleted`

Gone.

Access scope required: `read_a`&#x20;
";

    #[test]
    fn small_page_parses() {
        let facts = parse(GOOD).unwrap();
        assert_eq!(facts.events.len(), 2);
        assert_eq!(facts.events[0].description.as_deref(), Some("First line.\nSecond line."));
        assert_eq!(facts.events[1].line, 12);
        assert_eq!(facts.events[1].rest_call, None);
    }

    #[test]
    fn heading_without_scope_line_is_an_error() {
        let errors = parse(&GOOD.replace("Access scope required: `read_a`&#x20;", "")).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].line, 12);
        assert!(errors[0].message.contains(SCOPE_PREFIX));
    }

    #[test]
    fn broken_lines_are_errors() {
        let cases = [
            ("Access scope required: `read_a`\n", "Access scope required: read_a\n", 8),
            ("`read_a`&#x20;", "`read_a` and more", 16),
            ("[Get a](https://x.test/a)", "Get a", 10),
            ("First line.\nSecond line.  \n", "", 3),
            ("Related REST API:", "See also:", 10),
        ];
        for (from, to, line) in cases {
            let errors = parse(&GOOD.replacen(from, to, 1)).unwrap_err();
            assert_eq!(errors.len(), 1, "{from} -> {to}: {errors:?}");
            assert_eq!(errors[0].line, line, "{from} -> {to}: {errors:?}");
        }
    }

    #[test]
    fn truncated_pages_do_not_panic() {
        for end in (0..=PAGE.len()).filter(|&end| PAGE.is_char_boundary(end)) {
            let _ = parse(&PAGE[..end]);
        }
    }
}
