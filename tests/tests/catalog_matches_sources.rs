//! The catalogs against the pages they transcribe: every topic, description, scope, marker,
//! link and group that a page states must be in the catalog, exactly, and nothing else.

use codegen::model::{Listing, Platform, ScopeRule};
use codegen::source_page::{self, PageEvent, PageScopes};
use commerce_webhooks_tests::{assert_no_failures, catalog_dir, model};

fn page_facts(platform: &Platform) -> source_page::PageFacts {
    let text = std::fs::read_to_string(catalog_dir().join(&platform.sources[0].page)).unwrap();
    let parser: source_page::Platform = platform.id.parse().unwrap();
    source_page::parse(parser, &text).unwrap_or_else(|errors| panic!("{} page does not parse: {errors:?}", platform.id))
}

fn scope_names(platform: &Platform, rule: &ScopeRule) -> Vec<String> {
    rule.scopes().iter().map(|&i| platform.scopes[i].name.clone()).collect()
}

/// Compares one event; facts a catalog took from elsewhere (`source:`) are only compared where
/// the page states them.
fn compare_event(platform: &Platform, page: &PageEvent, failures: &mut Vec<String>) {
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
            PageScopes::Listed(names) => format!("{names:?}"),
        };
        differ("scopes", catalog_scopes, page_scopes);
    }
    differ("protected marker", event.protected_customer_data.to_string(), page.protected_customer_data.to_string());
    let listed_in = if event.listed_in.is_empty() { vec![Listing::Section] } else { event.listed_in.clone() };
    differ("listed in", format!("{listed_in:?}"), format!("{:?}", page.listed_in));
    differ("resource", format!("{:?}", event.resource), format!("{:?}", page.resource));
    differ("REST call", format!("{:?}", event.rest_call), format!("{:?}", page.rest_call));
}

#[test]
fn every_catalog_holds_exactly_the_events_of_its_page() {
    let model = model();
    let mut failures = Vec::new();
    for platform in &model.platforms {
        let facts = page_facts(platform);
        let page_topics: Vec<&str> = facts.events.iter().map(|e| e.topic.as_str()).collect();
        let catalog_topics: Vec<&str> = platform.events.iter().map(|e| e.topic.as_str()).collect();
        if page_topics != catalog_topics {
            let extra: Vec<_> = catalog_topics.iter().filter(|t| !page_topics.contains(t)).collect();
            failures.push(format!(
                "{}: topics differ from the page (same set and order expected); in the catalog only: {extra:?}",
                platform.id
            ));
        }
        for page_event in &facts.events {
            compare_event(platform, page_event, &mut failures);
        }
        let page_groups: Vec<(&str, &str)> =
            facts.groups.iter().map(|g| (g.pattern.as_str(), g.description.as_str())).collect();
        let catalog_groups: Vec<(&str, &str)> =
            platform.groups.iter().map(|g| (g.pattern.as_str(), g.description.as_str())).collect();
        if page_groups != catalog_groups {
            failures.push(format!("{}: groups differ: catalog {catalog_groups:?}, page {page_groups:?}", platform.id));
        }
    }
    assert_no_failures("differences between the catalogs and their pages", &failures);
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
