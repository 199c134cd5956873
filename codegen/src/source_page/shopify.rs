//! Parser for Shopify's Admin REST `Webhook` resource page
//! (`catalog/sources/shopify-webhook.md`).
//!
//! The page names topics in three places, and none of them is complete:
//!
//! 1. the sections under `## List of Webhook event topics`, one per topic:
//!
//!    ```text
//!    * carts/create
//!      [](https://shopify.dev/apps/store/data-protection/protected-customer-data)
//!    Occurs when a cart is created in the online store. ...
//!    Resource: [CartNext](https://...)
//!    Access scope: [orders](https://...)
//!    {}
//!    ## carts/create : Webhook payload
//!    ```json ... ```
//!    ```
//!
//!    The marker line is optional (it flags protected customer data), the
//!    description may span several lines (including its own `* ` bullets),
//!    `Resource:` and the access line are optional, and several scopes are
//!    written `Access scopes:` followed by one `[name](url),` line each;
//! 2. the mandatory (compliance) webhooks table `| Topic | Event |`;
//! 3. the comma-separated "Topics allowed:" list inside the `422` error
//!    response example, which is the only place some topics appear.
//!
//! An event is reported once, with `listed_in` recording every list that
//! names it, in the order sections, compliance table, topics allowed.

use std::collections::HashMap;

use super::{
    check_duplicate, columns, find_tables, finish, is_fence, is_topic_name, numbered_lines, parse_link,
    strip_backticks, unescape_markdown, Coverage, Listing, PageError, PageEvent, PageFacts, PageLine, PageScopes,
};

/// Heading that starts the per-topic sections; they run to the end of the page.
const SECTIONS_HEADING: &str = "## List of Webhook event topics";

/// The link line right after a topic bullet that marks the topic as carrying
/// protected customer data (the page shows it as an icon).
const PROTECTED_MARKER: &str = "[](https://shopify.dev/apps/store/data-protection/protected-customer-data)";

/// Line that closes a section's description and metadata; the payload
/// example follows it.
const SECTION_END: &str = "{}";

/// Text that introduces the list of valid topics in the 422 error example.
const TOPICS_ALLOWED: &str = "Topics allowed:";

/// Parses the Shopify page; see the module documentation for its layout.
pub(super) fn parse(text: &str) -> Result<PageFacts, Vec<PageError>> {
    let lines = numbered_lines(text);
    let mut errors = Vec::new();
    let mut events = Events::default();

    for event in parse_sections(&lines, &mut errors) {
        events.add_section(event, &mut errors);
    }
    for (line, topic, description) in parse_compliance_table(&lines, &mut errors) {
        events.add_listing(Listing::ComplianceTable, line, &topic, Some(description), &mut errors);
    }
    for (line, topic) in parse_topics_allowed(&lines, &mut errors) {
        events.add_listing(Listing::TopicsAllowed, line, &topic, None, &mut errors);
    }

    let facts = PageFacts {
        events: events.list,
        groups: Vec::new(),
        coverage: Coverage::Complete,
        marks_protected_data: true,
        links_resources: true,
    };
    finish(facts, errors)
}

/// The events found so far, merged by topic.
#[derive(Default)]
struct Events {
    list: Vec<PageEvent>,
    /// Topic -> index in `list`.
    index: HashMap<String, usize>,
    /// Topic -> line, per list, to report a topic listed twice in one list.
    seen: HashMap<Listing, HashMap<String, usize>>,
}

impl Events {
    /// Adds an event from a topic section; sections are read first, so the
    /// event is always new unless the page repeats a section.
    fn add_section(&mut self, event: PageEvent, errors: &mut Vec<PageError>) {
        let seen = self.seen.entry(Listing::Section).or_default();
        if check_duplicate(seen, &event.topic, event.line, errors) {
            return;
        }
        self.index.insert(event.topic.clone(), self.list.len());
        self.list.push(event);
    }

    /// Records that the compliance table or the topics-allowed list names a
    /// topic, adding the event if no earlier list named it. Such events have
    /// no documented scopes beyond what the list itself implies: the
    /// compliance table documents the event (so scopes are `NoneListed`), the
    /// topics-allowed list does not (`NotDocumented`).
    fn add_listing(
        &mut self,
        listing: Listing,
        line: usize,
        topic: &str,
        description: Option<String>,
        errors: &mut Vec<PageError>,
    ) {
        let seen = self.seen.entry(listing).or_default();
        if check_duplicate(seen, topic, line, errors) {
            return;
        }
        if let Some(&existing) = self.index.get(topic) {
            self.list[existing].listed_in.push(listing);
            return;
        }
        let scopes = match listing {
            Listing::TopicsAllowed => PageScopes::NotDocumented,
            Listing::Section | Listing::ComplianceTable => PageScopes::NoneListed,
        };
        self.index.insert(topic.to_string(), self.list.len());
        self.list.push(PageEvent {
            topic: topic.to_string(),
            description,
            scopes,
            protected_customer_data: false,
            listed_in: vec![listing],
            resource: None,
            rest_call: None,
            line,
        });
    }
}

/// Reads the topic sections under [`SECTIONS_HEADING`].
///
/// Between sections only headings (`## topic : Webhook payload`), blank
/// lines and code blocks are expected; any other line is reported, so that a
/// section the parser fails to recognise cannot go unnoticed. Before the
/// first section the page has free text ("Info", a link), which is skipped.
fn parse_sections(lines: &[PageLine], errors: &mut Vec<PageError>) -> Vec<PageEvent> {
    let Some(start) = lines.iter().position(|line| !line.in_code && line.text.trim_end() == SECTIONS_HEADING) else {
        errors.push(PageError::new(1, format!("no `{SECTIONS_HEADING}` heading")));
        return Vec::new();
    };

    let mut events = Vec::new();
    let mut seen_section = false;
    let mut index = start + 1;
    while index < lines.len() {
        let line = lines[index];
        if let Some(topic) = topic_bullet(&line) {
            seen_section = true;
            let (result, next) = parse_section(lines, index, topic);
            match result {
                Ok(event) => events.push(event),
                Err(error) => errors.push(error),
            }
            index = next;
            continue;
        }
        index += 1;
        if line.in_code {
            continue;
        }
        let text = line.text.trim();
        // A bullet that is not a topic can only be a section we failed to
        // recognise, so it is reported even before the first section.
        let intro_text = !seen_section && !text.starts_with("* ");
        if !(text.is_empty() || text.starts_with('#') || intro_text) {
            errors.push(PageError::new(line.number, format!("unexpected line between topic sections: `{text}`")));
        }
    }
    events
}

/// The topic of a section's opening bullet (`* app/scopes\_update`), escapes
/// removed; `None` for any other line, including the prose bullets inside
/// descriptions (`` * `original_fulfillment_order` - The final ...``).
fn topic_bullet(line: &PageLine) -> Option<String> {
    if line.in_code {
        return None;
    }
    let topic = unescape_markdown(line.text.strip_prefix("* ")?.trim());
    is_topic_name(&topic).then_some(topic)
}

/// Reads the section whose bullet is at `lines[start]`.
///
/// Returns the event (or the first problem found) and the index of the line
/// after the section, so the caller can carry on after a broken section.
fn parse_section(lines: &[PageLine], start: usize, topic: String) -> (Result<PageEvent, PageError>, usize) {
    let bullet_line = lines[start].number;
    let mut index = start + 1;

    let protected = lines.get(index).is_some_and(|line| line.text.trim() == PROTECTED_MARKER);
    if protected {
        index += 1;
    }

    // The description is everything up to the metadata. It can contain
    // Markdown of any kind, so it is delimited only by what follows it.
    let mut description = Vec::new();
    while let Some(line) = lines.get(index) {
        let text = line.text.trim_end();
        if is_metadata(text) {
            break;
        }
        if interrupts_section(line) {
            return (Err(missing_end(line, &topic, bullet_line)), index);
        }
        if text.trim() == PROTECTED_MARKER {
            let error = PageError::new(
                line.number,
                format!("protected-data marker of `{topic}` is not right after its bullet"),
            );
            return (Err(error), skip_section(lines, index));
        }
        description.push(text);
        index += 1;
    }
    if description.iter().all(|line| line.trim().is_empty()) {
        let error = PageError::new(bullet_line, format!("section `{topic}` has no description"));
        return (Err(error), skip_section(lines, index));
    }

    let mut resource = None;
    let mut scopes = None;
    loop {
        let Some(line) = lines.get(index) else {
            let error = PageError::new(
                bullet_line,
                format!("section `{topic}` runs to the end of the page without a `{SECTION_END}` line"),
            );
            return (Err(error), index);
        };
        let text = line.text.trim_end();
        if interrupts_section(line) {
            return (Err(missing_end(line, &topic, bullet_line)), index);
        }
        index += 1;
        let result = if text == SECTION_END {
            break;
        } else if let Some(rest) = text.strip_prefix("Resource:") {
            set_once(&mut resource, "Resource", line.number, || {
                parse_link(rest.trim()).ok_or_else(|| {
                    PageError::new(line.number, format!("expected `Resource: [Name](url)`, found `{text}`"))
                })
            })
        } else if let Some(rest) = text.strip_prefix("Access scopes:") {
            let parsed = parse_scope_list(lines, &mut index, line, rest);
            set_once(&mut scopes, "Access scopes", line.number, || parsed)
        } else if let Some(rest) = text.strip_prefix("Access scope:") {
            set_once(&mut scopes, "Access scope", line.number, || {
                parse_link(rest.trim()).map(|link| PageScopes::Listed(vec![link.name])).ok_or_else(|| {
                    PageError::new(line.number, format!("expected `Access scope: [name](url)`, found `{text}`"))
                })
            })
        } else {
            Err(PageError::new(line.number, format!("unexpected line in the metadata of `{topic}`: `{text}`")))
        };
        if let Err(error) = result {
            return (Err(error), skip_section(lines, index));
        }
    }

    let event = PageEvent {
        topic,
        description: Some(description.join("\n")),
        scopes: scopes.unwrap_or(PageScopes::NoneListed),
        protected_customer_data: protected,
        listed_in: vec![Listing::Section],
        resource,
        rest_call: None,
        line: bullet_line,
    };
    (Ok(event), index)
}

/// Whether a line can only belong to what follows a section (its payload
/// heading or example, or the next section), meaning the section being read
/// lacks its closing `{}` line.
fn interrupts_section(line: &PageLine) -> bool {
    is_fence(line.text) || line.text.starts_with("## ") || topic_bullet(line).is_some()
}

/// The error for a section cut short by `line`; see [`interrupts_section`].
fn missing_end(line: &PageLine, topic: &str, bullet_line: usize) -> PageError {
    PageError::new(line.number, format!("section `{topic}` (line {bullet_line}) ends without a `{SECTION_END}` line"))
}

/// Whether a line starts a section's metadata (or ends the section), which
/// also ends its description.
fn is_metadata(text: &str) -> bool {
    text.starts_with("Resource:") || text.starts_with("Access scope") || text == SECTION_END
}

/// Stores a metadata value, refusing a second `Resource:` or access line in
/// one section (the page never repeats them; a repeat would hide a scope).
fn set_once<T>(
    slot: &mut Option<T>,
    what: &str,
    line: usize,
    value: impl FnOnce() -> Result<T, PageError>,
) -> Result<(), PageError> {
    if slot.is_some() {
        return Err(PageError::new(line, format!("second `{what}` line in one section")));
    }
    *slot = Some(value()?);
    Ok(())
}

/// Reads the `[name](url),` lines after `Access scopes:`; every line but the
/// last ends with a comma. Advances `index` past the list.
fn parse_scope_list(
    lines: &[PageLine],
    index: &mut usize,
    heading: &PageLine,
    rest: &str,
) -> Result<PageScopes, PageError> {
    if !rest.trim().is_empty() {
        return Err(PageError::new(heading.number, "expected the scopes on the lines after `Access scopes:`"));
    }
    let mut names = Vec::new();
    loop {
        let Some(line) = lines.get(*index) else {
            return Err(PageError::new(heading.number, "scope list runs to the end of the page"));
        };
        let text = line.text.trim();
        let (link_text, more) = match text.strip_suffix(',') {
            Some(link_text) => (link_text, true),
            None => (text, false),
        };
        let link = parse_link(link_text).ok_or_else(|| {
            PageError::new(line.number, format!("expected a scope link `[name](url)`, found `{text}`"))
        })?;
        names.push(link.name);
        *index += 1;
        if !more {
            return Ok(PageScopes::Listed(names));
        }
    }
}

/// Index of the line after the section containing `lines[index]` (past its
/// `{}` line, or at the next topic bullet), used to resume after an error.
fn skip_section(lines: &[PageLine], mut index: usize) -> usize {
    while let Some(line) = lines.get(index) {
        if topic_bullet(line).is_some() {
            break;
        }
        index += 1;
        if !line.in_code && line.text.trim_end() == SECTION_END {
            break;
        }
    }
    index
}

/// Reads the mandatory webhooks table `| Topic | Event |` into
/// `(line, topic, description)` rows.
fn parse_compliance_table(lines: &[PageLine], errors: &mut Vec<PageError>) -> Vec<(usize, String, String)> {
    let tables: Vec<_> = find_tables(lines).into_iter().filter(|table| table.header == ["Topic", "Event"]).collect();
    if tables.is_empty() {
        errors.push(PageError::new(1, "no mandatory webhooks table `| Topic | Event |`"));
    }
    let mut rows = Vec::new();
    for row in tables.iter().flat_map(|table| &table.rows) {
        let cells = match columns(row, 2) {
            Ok(cells) => cells,
            Err(error) => {
                errors.push(error);
                continue;
            }
        };
        let topic = unescape_markdown(strip_backticks(cells[0]));
        if !is_topic_name(&topic) {
            errors.push(PageError::new(row.line, format!("`{}` is not a topic name", cells[0])));
        } else if cells[1].is_empty() {
            errors.push(PageError::new(row.line, format!("`{topic}` has an empty Event cell")));
        } else {
            rows.push((row.line, topic, cells[1].to_string()));
        }
    }
    rows
}

/// Reads the "Topics allowed: a, b, ..." list(s) into `(line, topic)` pairs.
///
/// The list sits in a JSON string inside a code block, so code is searched
/// too; the list ends at the string's closing quote.
fn parse_topics_allowed(lines: &[PageLine], errors: &mut Vec<PageError>) -> Vec<(usize, String)> {
    let mut topics = Vec::new();
    let mut found = false;
    for line in lines {
        let Some((_, rest)) = line.text.split_once(TOPICS_ALLOWED) else {
            continue;
        };
        found = true;
        let list = rest.split('"').next().unwrap_or_default();
        for item in list.split(',') {
            let topic = unescape_markdown(item.trim());
            if is_topic_name(&topic) {
                topics.push((line.number, topic));
            } else {
                errors.push(PageError::new(
                    line.number,
                    format!("`{}` in the Topics allowed list is not a topic name", item.trim()),
                ));
            }
        }
    }
    if !found {
        errors.push(PageError::new(1, format!("no `{TOPICS_ALLOWED}` list")));
    }
    topics
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source_page::Link;

    const PAGE: &str = include_str!("../../../catalog/sources/shopify-webhook.md");

    fn page() -> PageFacts {
        match parse(PAGE) {
            Ok(facts) => facts,
            Err(errors) => panic!("Shopify page did not parse: {errors:#?}"),
        }
    }

    fn event<'a>(facts: &'a PageFacts, topic: &str) -> &'a PageEvent {
        facts.events.iter().find(|event| event.topic == topic).unwrap_or_else(|| panic!("no event `{topic}`"))
    }

    fn listed(facts: &PageFacts, listing: Listing) -> Vec<&PageEvent> {
        facts.events.iter().filter(|e| e.listed_in.contains(&listing)).collect()
    }

    #[test]
    fn counts_match_the_page() {
        let facts = page();
        assert_eq!(facts.events.len(), 200);
        assert!(facts.groups.is_empty());

        let sections = listed(&facts, Listing::Section);
        assert_eq!(sections.len(), 167);
        assert_eq!(listed(&facts, Listing::ComplianceTable).len(), 3);
        let only_allowed = facts.events.iter().filter(|e| e.listed_in == [Listing::TopicsAllowed]).count();
        assert_eq!(only_allowed, 30);
        assert_eq!(facts.events.iter().filter(|e| e.protected_customer_data).count(), 45);
        let no_scope = sections.iter().filter(|e| e.scopes == PageScopes::NoneListed).count();
        assert_eq!(no_scope, 8);
        let several =
            sections.iter().filter(|e| matches!(&e.scopes, PageScopes::Listed(names) if names.len() > 1)).count();
        assert_eq!(several, 47);
        let not_allowed = sections.iter().filter(|e| !e.listed_in.contains(&Listing::TopicsAllowed)).count();
        assert_eq!(not_allowed, 21);
    }

    #[test]
    fn order_is_sections_then_table_then_allowed_list() {
        let facts = page();
        let first_of = |listing| facts.events.iter().position(|e| e.listed_in[0] == listing);
        assert_eq!(facts.events[0].topic, "app/scopes_update");
        assert_eq!(facts.events[0].line, 949);
        assert_eq!(first_of(Listing::ComplianceTable), Some(167));
        assert_eq!(first_of(Listing::TopicsAllowed), Some(170));
        assert!(facts.events.iter().all(|e| !e.topic.contains('\\')));
    }

    #[test]
    fn multi_line_description_with_its_own_bullets() {
        let facts = page();
        let moved = event(&facts, "fulfillment_orders/moved");
        let description = moved.description.as_deref().unwrap();
        assert!(description.starts_with("Occurs whenever the location"));
        assert_eq!(description.lines().count(), 7);
        assert!(description.contains("\n* `original_fulfillment_order` - "));
        assert!(description
            .ends_with("(https://shopify.dev/docs/api/admin-graphql/latest/mutations/fulfillmentOrderMove)."));
        assert_eq!(
            moved.scopes,
            PageScopes::Listed(vec![
                "merchant_managed_fulfillment_orders".into(),
                "assigned_fulfillment_orders".into(),
                "third_party_fulfillment_orders".into(),
                "marketplace_fulfillment_orders".into(),
            ])
        );
        assert_eq!(moved.resource.as_ref().unwrap().name, "FulfillmentOrder");
        assert_eq!(moved.listed_in, [Listing::Section, Listing::TopicsAllowed]);
        assert!(!moved.protected_customer_data);
    }

    #[test]
    fn spot_values() {
        let facts = page();

        let carts = event(&facts, "carts/create");
        assert!(carts.protected_customer_data);
        assert_eq!(carts.scopes, PageScopes::Listed(vec!["orders".into()]));
        assert_eq!(
            carts.resource,
            Some(Link {
                name: "CartNext".into(),
                url: "https://shopify.dev/api/admin-graphql/latest/objects/CartNext".into(),
            })
        );
        assert!(carts.description.as_deref().unwrap().starts_with("Occurs when a cart is created"));

        let listings = event(&facts, "collection_listings/add");
        assert_eq!(listings.scopes, PageScopes::Listed(vec!["product_listings".into()]));

        let app = event(&facts, "app/uninstalled");
        assert_eq!(app.scopes, PageScopes::NoneListed);
        assert_eq!(app.description.as_deref(), Some("Occurs whenever a shop has uninstalled the app."));

        let tags = event(&facts, "customer.tags_added");
        assert_eq!(tags.listed_in, [Listing::TopicsAllowed]);
        assert_eq!(tags.description, None);
        assert_eq!(tags.scopes, PageScopes::NotDocumented);
        assert_eq!(tags.line, 395);

        let redact = event(&facts, "customers/redact");
        assert_eq!(redact.listed_in, [Listing::ComplianceTable, Listing::TopicsAllowed]);
        assert_eq!(redact.description.as_deref(), Some("Requests to delete customer data"));
        assert_eq!(redact.scopes, PageScopes::NoneListed);
        assert_eq!(redact.line, 26);

        // Listed in a section but missing from the Topics allowed list.
        let merge = event(&facts, "customers/merge");
        assert_eq!(merge.listed_in, [Listing::Section]);
    }

    /// A small page with all three lists, for the broken-page tests to alter.
    const GOOD: &str = "\
| Topic | Event |
| - | - |
| `shop/redact` | Requests to delete shop data |
Topics allowed: a/b, shop/redact\",
## List of Webhook event topics
Info
* a/b
  [](https://shopify.dev/apps/store/data-protection/protected-customer-data)
Line one.  
Line two.
Resource: [Thing](https://x.test/thing)
Access scopes:
[one\\_scope](https://x.test/s),
[two](https://x.test/s)
{}
## a/b : Webhook payload
```json
* not/a-section
```
";

    #[test]
    fn small_page_parses() {
        let facts = parse(GOOD).unwrap();
        assert_eq!(facts.events.len(), 2);
        let a = &facts.events[0];
        assert_eq!(a.topic, "a/b");
        assert_eq!(a.line, 7);
        assert!(a.protected_customer_data);
        assert_eq!(a.description.as_deref(), Some("Line one.\nLine two."));
        assert_eq!(a.scopes, PageScopes::Listed(vec!["one_scope".into(), "two".into()]));
        assert_eq!(a.listed_in, [Listing::Section, Listing::TopicsAllowed]);
        assert_eq!(facts.events[1].listed_in, [Listing::ComplianceTable, Listing::TopicsAllowed]);
    }

    fn errors_for(page: &str) -> Vec<PageError> {
        parse(page).expect_err("page should not parse")
    }

    #[test]
    fn missing_lists_are_errors() {
        let errors = errors_for("* a/b\nText\n{}\n");
        let messages: Vec<_> = errors.iter().map(|e| e.message.as_str()).collect();
        assert!(messages.iter().any(|m| m.contains(SECTIONS_HEADING)), "{messages:?}");
        assert!(messages.iter().any(|m| m.contains("Topic | Event")), "{messages:?}");
        assert!(messages.iter().any(|m| m.contains(TOPICS_ALLOWED)), "{messages:?}");
    }

    #[test]
    fn section_without_end_marker_names_the_line() {
        let page = GOOD.replace("{}\n", "");
        let errors = errors_for(&page);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].line, 15);
        assert!(errors[0].message.contains("ends without"));
    }

    #[test]
    fn broken_scope_list_is_an_error() {
        let page = GOOD.replace("[two](https://x.test/s)", "two");
        let errors = errors_for(&page);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].line, 14);

        // A trailing comma promises another scope; `{}` is not one.
        let page = GOOD.replace("[two](https://x.test/s)\n", "");
        let errors = errors_for(&page);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].line, 14);
    }

    #[test]
    fn stray_lines_and_bad_topics_are_errors() {
        let page = GOOD.replace("## a/b : Webhook payload", "Something new");
        assert_eq!(errors_for(&page)[0].line, 16);

        let page = GOOD.replace("* a/b\n", "* a b\n");
        assert!(!errors_for(&page).is_empty());

        let page = GOOD.replace("a/b, shop", "a/b, not a topic, shop");
        assert_eq!(errors_for(&page)[0].line, 4);

        let page = GOOD.replace("Resource: [Thing](https://x.test/thing)", "Resource: Thing");
        assert_eq!(errors_for(&page)[0].line, 11);
    }

    #[test]
    fn repeated_topics_are_errors() {
        let page = GOOD.replace("a/b, shop/redact", "a/b, a/b, shop/redact");
        let errors = errors_for(&page);
        assert!(errors[0].message.contains("listed again"), "{errors:?}");
    }

    #[test]
    fn truncated_pages_do_not_panic() {
        for end in 0..GOOD.len() {
            let _ = parse(&GOOD[..end]);
        }
        for end in (0..PAGE.len()).step_by(997).filter(|&end| PAGE.is_char_boundary(end)) {
            let _ = parse(&PAGE[..end]);
        }
    }
}
