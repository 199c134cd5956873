//! The catalogs against the pages they transcribe: every topic, description, scope, marker,
//! link and group that a page states must be in the catalog, exactly, and nothing else.
//!
//! A catalog lists its pages in `sources:`. The first is the main page, transcribed whole; a
//! later page is a newer reference, whose topics the main page lacks are added with `source:`
//! set to its `url`, and whose silence about a catalog topic is recorded in that topic's notes
//! ("Not listed by <page>") rather than by removing it.

use codegen::model::{Event, Listing, Platform, ScopeRule, Source};
use codegen::source_page::{self, Coverage, PageEvent, PageFacts, PageScopes};
use commerce_webhooks_tests::{assert_no_failures, catalog_dir, model};

fn parse_source(platform: &Platform, source: &Source) -> PageFacts {
    let text = std::fs::read_to_string(catalog_dir().join(&source.page)).unwrap();
    let parser: source_page::Platform = platform.id.parse().unwrap();
    source_page::parse(parser, &text)
        .unwrap_or_else(|errors| panic!("{} page {} does not parse: {errors:?}", platform.id, source.page))
}

/// The catalog's newer reference pages: the later `sources:` entries stored with a provenance
/// header (catalog/README.md); others are supporting pages (Ecwid's webhook overview).
fn newer_references(platform: &Platform) -> Vec<&Source> {
    platform.sources[1..]
        .iter()
        .filter(|source| {
            let text = std::fs::read_to_string(catalog_dir().join(&source.page)).unwrap();
            source_page::provenance_url(&text).is_some()
        })
        .collect()
}

fn page_facts(platform: &Platform) -> PageFacts {
    parse_source(platform, &platform.sources[0])
}

/// The marker a topic carries in its notes when a later source page does not list it.
fn not_listed_marker(source: &Source) -> String {
    format!("Not listed by {}", source.page)
}

fn scope_names(platform: &Platform, rule: &ScopeRule) -> Vec<String> {
    rule.scopes().iter().map(|&i| platform.scopes[i].name.clone()).collect()
}

/// A page's scope names in the catalog's words: a page that writes the OAuth scope
/// (Shopify's GraphQL enum: `read_orders`) names the catalog scope whose `oauth` it is.
fn catalog_names(platform: &Platform, names: &[String]) -> Vec<String> {
    names
        .iter()
        .map(|name| {
            let declared = platform.scopes.iter().find(|s| s.name != *name && s.oauth.as_deref() == Some(name));
            declared.map_or_else(|| name.clone(), |scope| scope.name.clone())
        })
        .collect()
}

/// Compares one event; facts a catalog took from elsewhere (`source:`) are only compared where
/// the page states them.
fn compare_event(platform: &Platform, facts: &PageFacts, page: &PageEvent, failures: &mut Vec<String>) {
    let id = &platform.id;
    let Some(event) = platform.events.iter().find(|e| e.topic == page.topic) else {
        failures.push(format!("{id}: `{}` (page line {}) is missing from the catalog", page.topic, page.line));
        return;
    };
    let mut differ = |what: &str, catalog: String, on_page: String| {
        if catalog != on_page {
            failures.push(format!(
                "{id} `{}` {what}: catalog {catalog:?}, page {on_page:?} (line {})",
                page.topic, page.line
            ));
        }
    };
    let sourced_elsewhere = event.source.is_some() && page.description.is_none();
    if !sourced_elsewhere {
        differ("description", format!("{:?}", event.description), format!("{:?}", page.description));
        let catalog_scopes = match (&event.scopes, &page.scopes) {
            (ScopeRule::NoneNeeded, _) => "none needed".to_owned(),
            (ScopeRule::NoneListed, _) => "none listed".to_owned(),
            (ScopeRule::NotDocumented, _) => "not documented".to_owned(),
            (rule, _) => format!("{:?}", scope_names(platform, rule)),
        };
        let page_scopes = match &page.scopes {
            PageScopes::NoneNeeded => "none needed".to_owned(),
            PageScopes::NoneListed => "none listed".to_owned(),
            PageScopes::NotDocumented => "not documented".to_owned(),
            PageScopes::Listed(names) => format!("{:?}", catalog_names(platform, names)),
        };
        differ("scopes", catalog_scopes, page_scopes);
    }
    if facts.marks_protected_data {
        differ("protected marker", event.protected_customer_data.to_string(), page.protected_customer_data.to_string());
    }
    if !page.listed_in.is_empty() {
        let listed_in = if event.listed_in.is_empty() { vec![Listing::Section] } else { event.listed_in.clone() };
        differ("listed in", format!("{listed_in:?}"), format!("{:?}", page.listed_in));
    }
    if facts.links_resources {
        differ("resource", format!("{:?}", event.resource), format!("{:?}", page.resource));
        differ("REST call", format!("{:?}", event.rest_call), format!("{:?}", page.rest_call));
    }
}

#[test]
fn every_catalog_holds_exactly_the_events_of_its_pages() {
    let model = model();
    let mut failures = Vec::new();
    for platform in &model.platforms {
        // The main page's topics in its order, then each later page's new ones in its order.
        let mut expected: Vec<&str> = Vec::new();
        let sources = std::iter::once(&platform.sources[0]).chain(newer_references(platform));
        let pages: Vec<(&Source, PageFacts)> = sources.map(|s| (s, parse_source(platform, s))).collect();
        for (index, (source, facts)) in pages.iter().enumerate() {
            for page_event in &facts.events {
                if expected.contains(&page_event.topic.as_str()) {
                    continue;
                }
                expected.push(&page_event.topic);
                if index > 0 {
                    let cited =
                        platform.events.iter().find(|e| e.topic == page_event.topic).map(|e| e.source.as_deref());
                    if cited.is_some_and(|url| url != Some(source.url.as_str())) {
                        failures.push(format!(
                            "{}: `{}` is only on {} and must cite it (`source: {}`)",
                            platform.id, page_event.topic, source.page, source.url
                        ));
                    }
                }
                compare_event(platform, facts, page_event, &mut failures);
            }
        }
        let catalog_topics: Vec<&str> = platform.events.iter().map(|e| e.topic.as_str()).collect();
        if expected != catalog_topics {
            let extra: Vec<_> = catalog_topics.iter().filter(|t| !expected.contains(t)).collect();
            failures.push(format!(
                "{}: topics differ from the pages (same set and order expected: the main page's, then each later page's new ones); in the catalog only: {extra:?}",
                platform.id
            ));
        }
        // Groups likewise: the main page's, then each later page's new ones; a group first
        // documented by a later page whose topics do not all cite it cites it itself.
        let mut page_groups: Vec<(&str, &str)> = Vec::new();
        for (index, (_, facts)) in pages.iter().enumerate() {
            for group in &facts.groups {
                let known = page_groups.iter().any(|(pattern, _)| *pattern == group.pattern);
                if known {
                    continue;
                }
                page_groups.push((&group.pattern, &group.description));
                let catalog_group = platform.groups.iter().find(|g| g.pattern == group.pattern);
                let covers_own_topics = catalog_group.is_some_and(|g| {
                    g.events.iter().all(|&i| platform.events[i].source.as_deref() == Some(pages[index].0.url.as_str()))
                });
                let cited = catalog_group.and_then(|g| g.source.as_deref());
                if index > 0 && !covers_own_topics && cited != Some(pages[index].0.url.as_str()) {
                    failures.push(format!(
                        "{}: group `{}` is first documented by {} and must cite it (`source: {}`)",
                        platform.id, group.pattern, pages[index].0.page, pages[index].0.url
                    ));
                }
            }
        }
        let catalog_groups: Vec<(&str, &str)> =
            platform.groups.iter().map(|g| (g.pattern.as_str(), g.description.as_str())).collect();
        if page_groups != catalog_groups {
            failures.push(format!("{}: groups differ: catalog {catalog_groups:?}, pages {page_groups:?}", platform.id));
        }
    }
    assert_no_failures("differences between the catalogs and their pages", &failures);
}

/// The per-channel scopes of BigCommerce's newer reference are catalog topics as the pages write
/// them: `store/channel/{channel_id}/cart/created` a template (a delivery names the channel's id
/// in its place), `store/channel/*/inventory/product/stock_changed` a topic with a literal `*`
/// (its deliveries name it so). Their number is pinned, so a page that adds one shows here.
#[test]
fn channel_scopes_are_catalog_templates() {
    let model = model();
    let bigcommerce = model.platforms.iter().find(|p| p.id == "bigcommerce").unwrap();
    let mut per_channel = Vec::new();
    for source in &bigcommerce.sources {
        let facts = parse_source(bigcommerce, source);
        for page_event in facts
            .events
            .iter()
            .filter(|e| e.topic.starts_with("store/channel/{") || e.topic.starts_with("store/channel/*/"))
        {
            let event = bigcommerce.events.iter().find(|e| e.topic == page_event.topic);
            let event = event.unwrap_or_else(|| panic!("{} is not in the catalog", page_event.topic));
            let template = event.template.as_ref().map(|t| (t.prefix.as_str(), t.parameter.as_str()));
            let expected = page_event.topic.contains('{').then_some(("store/channel/", "channel_id"));
            assert_eq!(template, expected, "{}", event.topic);
            per_channel.push(format!("{} {}", source.page, event.topic));
        }
    }
    let on = |page: &str| per_channel.iter().filter(|t| t.starts_with(page)).count();
    assert_eq!(on("sources/bigcommerce-events-channels-2026-04.mdx"), 58, "{per_channel:#?}");
    assert_eq!(on("sources/bigcommerce-events-inventory-location-2026-04.mdx"), 4, "{per_channel:#?}");
}

/// The parts of a split reference (BigCommerce's four pages) together list every catalog topic:
/// one part's silence says nothing, but all parts' silence would mean the topic is gone.
#[test]
fn the_parts_of_a_split_reference_list_every_topic() {
    let model = model();
    let mut failures = Vec::new();
    for platform in &model.platforms {
        let parts: Vec<(&Source, PageFacts)> = newer_references(platform)
            .into_iter()
            .map(|source| (source, parse_source(platform, source)))
            .filter(|(_, facts)| facts.coverage == Coverage::Part)
            .collect();
        if parts.is_empty() {
            continue;
        }
        for event in &platform.events {
            let listed = parts.iter().any(|(_, facts)| facts.events.iter().any(|p| p.topic == event.topic));
            let marked = parts.iter().all(|(source, _)| {
                event.notes.as_deref().is_some_and(|notes| notes.contains(&not_listed_marker(source)))
            });
            if !listed && !marked {
                failures.push(format!(
                    "{} `{}` is on none of the {} parts of the split reference: say so in its notes (\"Not listed by <page>\" for each)",
                    platform.id,
                    event.topic,
                    parts.len()
                ));
            }
        }
    }
    assert_no_failures("topics no part of a split reference lists", &failures);
}

/// Whether a later page of the given coverage would list the event, if the platform still had it.
fn expected_on(coverage: Coverage, event: &Event) -> bool {
    match coverage {
        Coverage::Complete => true,
        Coverage::AllButMandatory => !event.mandatory,
        Coverage::Part => false,
    }
}

#[test]
fn topics_a_newer_page_drops_are_kept_and_marked() {
    let model = model();
    let mut failures = Vec::new();
    for platform in &model.platforms {
        for source in newer_references(platform) {
            let facts = parse_source(platform, source);
            let marker = not_listed_marker(source);
            for event in &platform.events {
                let listed = facts.events.iter().any(|p| p.topic == event.topic);
                let marked = event.notes.as_deref().is_some_and(|notes| notes.contains(&marker));
                if !listed && expected_on(facts.coverage, event) && !marked {
                    failures.push(format!(
                        "{} `{}` is not on {}: say so in its notes (\"{marker} …\")",
                        platform.id, event.topic, source.page
                    ));
                }
                if listed && marked {
                    failures.push(format!(
                        "{} `{}` is on {} but its notes say \"{marker}\"",
                        platform.id, event.topic, source.page
                    ));
                }
            }
        }
    }
    assert_no_failures("topics dropped by a newer page", &failures);
}

#[test]
fn newer_pages_name_their_source_in_their_header() {
    let model = model();
    let mut failures = Vec::new();
    for platform in &model.platforms {
        let main = std::fs::read_to_string(catalog_dir().join(&platform.sources[0].page)).unwrap();
        if source_page::provenance_url(&main).is_some() {
            failures.push(format!("{}: the main page is a copy as received, without a provenance header", platform.id));
        }
        for source in newer_references(platform) {
            let text = std::fs::read_to_string(catalog_dir().join(&source.page)).unwrap();
            if source_page::provenance_url(&text) != Some(source.url.as_str()) {
                failures.push(format!(
                    "{} {}: the provenance header's `url:` is not the source's url",
                    platform.id, source.page
                ));
            }
        }
    }
    assert_no_failures("provenance headers", &failures);
}

#[test]
fn mandatory_topics_are_the_compliance_table() {
    let model = model();
    for platform in &model.platforms {
        for event in &platform.events {
            assert_eq!(
                event.mandatory,
                event.listed_in.contains(&Listing::ComplianceTable),
                "{} `{}`: `mandatory` must mark exactly the compliance-table topics",
                platform.id,
                event.topic
            );
        }
    }
}

#[test]
fn facts_from_elsewhere_cite_their_source() {
    let model = model();
    let mut failures = Vec::new();
    for platform in &model.platforms {
        let facts = page_facts(platform);
        for event in &platform.events {
            let on_page = facts.events.iter().find(|p| p.topic == event.topic);
            let page_has_description = on_page.is_some_and(|p| p.description.is_some());
            if event.description.is_some() && !page_has_description && event.source.is_none() {
                failures.push(format!(
                    "{} `{}` has a description the page lacks, without `source`",
                    platform.id, event.topic
                ));
            }
        }
    }
    assert_no_failures("uncited facts", &failures);
}
