//! Maintainer checks of a catalog against the outside world, without generating or compiling
//! anything: `cargo xtask catalog audit` ([`audit`]) compares a platform's reference page with
//! its catalog, and `cargo xtask catalog check` ([`check_payload`]) holds real payloads to the
//! catalog's shapes.
//!
//! [`audit`] reads the page with [`source_page::parse`] (the reading the catalog tests use) and
//! reports what differs: topics added, removed and renamed, descriptions, scopes, markers,
//! links and wildcard groups, and the fields of the example payloads the page embeds that the
//! catalog's shape for the topic does not describe (see [`page_examples`]). Facts the catalog
//! takes from elsewhere (an event with `source:`) are not differences where the page is silent.
//!
//! [`check_payload`] gives the verdict the generated `Event::from_delivery` would give (it uses
//! [`conform`](crate::conform), whose verdicts a test holds to the generated types'), with every
//! finding's JSON path and the catalog edit that would describe it.

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde_json::Value;

use crate::conform::{Finding, FindingKind, Types};
use crate::model::{CarriedBy, Event, Link, Listing, Platform, Scalar, ScopeRule, Type};
use crate::source_page::{self, Coverage, PageError, PageEvent, PageFacts, PageScopes};

/// What differs between a reference page and its catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audit {
    /// The platform id.
    pub platform: String,
    /// Every difference, topics first (in page order), then groups, then example payloads.
    pub differences: Vec<Difference>,
    /// Things worth knowing that are not differences: examples that could not be compared.
    pub notes: Vec<Note>,
    /// How many topics the page names.
    pub page_topics: usize,
    /// How many example payloads of the page were compared with the catalog's shapes.
    pub examples_compared: usize,
}

impl Audit {
    /// Whether the page and the catalog agree.
    pub fn is_clean(&self) -> bool {
        self.differences.is_empty()
    }
}

/// One difference between a page and its catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    /// The page names a topic the catalog lacks.
    Added {
        /// The topic.
        topic: String,
        /// 1-based page line.
        line: usize,
        /// The page's description of it.
        description: Option<String>,
    },
    /// The catalog has a topic the page no longer names.
    Removed {
        /// The topic.
        topic: String,
    },
    /// A catalog topic the page no longer names and a new page topic that look like one event.
    Renamed {
        /// The catalog's topic.
        from: String,
        /// The page's topic.
        to: String,
        /// 1-based page line of the new topic.
        line: usize,
        /// Why they are taken for one event.
        reason: RenameReason,
    },
    /// The description changed.
    Description {
        /// The (page's) topic.
        topic: String,
        /// 1-based page line.
        line: usize,
        /// The catalog's description.
        catalog: Option<String>,
        /// The page's description.
        page: Option<String>,
    },
    /// The scopes changed.
    Scopes {
        /// The (page's) topic.
        topic: String,
        /// 1-based page line.
        line: usize,
        /// The catalog's scopes, in words.
        catalog: String,
        /// The page's scopes, in words.
        page: String,
    },
    /// Shopify's protected-customer-data marker changed.
    ProtectedData {
        /// The (page's) topic.
        topic: String,
        /// 1-based page line.
        line: usize,
        /// The catalog's marker.
        catalog: bool,
        /// The page's marker.
        page: bool,
    },
    /// The lists of the page that name the topic changed (Shopify's `listed_in`).
    ListedIn {
        /// The (page's) topic.
        topic: String,
        /// 1-based page line.
        line: usize,
        /// The catalog's lists.
        catalog: Vec<Listing>,
        /// The page's lists.
        page: Vec<Listing>,
    },
    /// A link of the topic changed: its `resource` (Shopify) or `rest_call` (Ecwid).
    Link {
        /// The (page's) topic.
        topic: String,
        /// 1-based page line.
        line: usize,
        /// `resource` or `rest_call`.
        which: &'static str,
        /// The catalog's link.
        catalog: Option<Link>,
        /// The page's link.
        page: Option<Link>,
    },
    /// The page documents a wildcard group the catalog lacks.
    GroupAdded {
        /// The pattern.
        pattern: String,
        /// 1-based page line.
        line: usize,
        /// The page's description.
        description: String,
    },
    /// The catalog has a group the page no longer documents.
    GroupRemoved {
        /// The pattern.
        pattern: String,
    },
    /// A group's description changed.
    GroupDescription {
        /// The pattern.
        pattern: String,
        /// 1-based page line.
        line: usize,
        /// The catalog's description.
        catalog: String,
        /// The page's description.
        page: String,
    },
    /// An example payload on the page has a field the catalog's shape for its topic does not
    /// describe ([`FindingKind::UnknownKey`]), or does not allow ([`FindingKind::Mismatch`]),
    /// or an enum value the catalog does not list ([`FindingKind::UnknownEnumValue`]).
    Payload {
        /// The topic the example belongs to.
        topic: String,
        /// 1-based page line of the example's first JSON line.
        line: usize,
        /// What conform found, with the JSON path and the suggested catalog edit.
        finding: Finding,
    },
}

/// Why [`Difference::Renamed`] pairs two topics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RenameReason {
    /// The new topic has the removed topic's description.
    SameDescription,
    /// Both end in the same entity and action (`…/orders/create`, `order.create`).
    SameTail,
}

impl Difference {
    /// A one-word label of the kind of difference: `added`, `removed`, `renamed`,
    /// `description`, `scopes`, `protected`, `listed_in`, `resource`/`rest_call`, `group+`,
    /// `group-`, `group`, `payload`.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Added { .. } => "added",
            Self::Removed { .. } => "removed",
            Self::Renamed { .. } => "renamed",
            Self::Description { .. } => "description",
            Self::Scopes { .. } => "scopes",
            Self::ProtectedData { .. } => "protected",
            Self::ListedIn { .. } => "listed_in",
            Self::Link { which, .. } => which,
            Self::GroupAdded { .. } => "group+",
            Self::GroupRemoved { .. } => "group-",
            Self::GroupDescription { .. } => "group",
            Self::Payload { .. } => "payload",
        }
    }

    /// The topic (or group pattern) the difference concerns; for a rename, the new topic.
    pub fn subject(&self) -> &str {
        match self {
            Self::Added { topic, .. }
            | Self::Removed { topic }
            | Self::Description { topic, .. }
            | Self::Scopes { topic, .. }
            | Self::ProtectedData { topic, .. }
            | Self::ListedIn { topic, .. }
            | Self::Link { topic, .. }
            | Self::Payload { topic, .. } => topic,
            Self::Renamed { to, .. } => to,
            Self::GroupAdded { pattern, .. }
            | Self::GroupRemoved { pattern }
            | Self::GroupDescription { pattern, .. } => pattern,
        }
    }
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = self.label();
        match self {
            Self::Added { topic, line, description } => {
                write!(f, "{label:<11} `{topic}` (page line {line}) is not in the catalog")?;
                if let Some(description) = description {
                    write!(f, "\n            page: {description:?}")?;
                }
                Ok(())
            }
            Self::Removed { topic } => write!(f, "{label:<11} `{topic}` is in the catalog but not on the page"),
            Self::Renamed { from, to, line, reason } => {
                let why = match reason {
                    RenameReason::SameDescription => "same description",
                    RenameReason::SameTail => "same entity and action",
                };
                write!(f, "{label:<11} `{from}` → `{to}` (page line {line}; {why})")
            }
            Self::Description { topic, line, catalog, page } => write!(
                f,
                "{label:<11} `{topic}` (page line {line})\n            catalog: {}\n            page:    {}",
                text_words(catalog),
                text_words(page)
            ),
            Self::Scopes { topic, line, catalog, page } => {
                write!(f, "{label:<11} `{topic}` (page line {line}): catalog {catalog}, page {page}")
            }
            Self::ProtectedData { topic, line, catalog, page } => write!(
                f,
                "{label:<11} `{topic}` (page line {line}): protected customer data: catalog {catalog}, page {page}"
            ),
            Self::ListedIn { topic, line, catalog, page } => write!(
                f,
                "{label:<11} `{topic}` (page line {line}): catalog {}, page {}",
                listings(catalog),
                listings(page)
            ),
            Self::Link { topic, line, catalog, page, .. } => write!(
                f,
                "{label:<11} `{topic}` (page line {line}): catalog {}, page {}",
                link_words(catalog),
                link_words(page)
            ),
            Self::GroupAdded { pattern, line, description } => {
                write!(f, "{label:<11} `{pattern}` (page line {line}) is not in the catalog: {description:?}")
            }
            Self::GroupRemoved { pattern } => {
                write!(f, "{label:<11} `{pattern}` is in the catalog but not on the page")
            }
            Self::GroupDescription { pattern, line, catalog, page } => {
                write!(f, "{label:<11} `{pattern}` (page line {line})\n            catalog: {catalog:?}\n            page:    {page:?}")
            }
            Self::Payload { topic, line, finding } => write!(
                f,
                "{label:<11} `{topic}` example (page line {line}) at `{}`: {} ({})\n            → {}",
                finding.path,
                finding.message,
                kind_words(finding.kind),
                finding.suggestion
            ),
        }
    }
}

fn listings(list: &[Listing]) -> String {
    let names: Vec<&str> = list
        .iter()
        .map(|l| match l {
            Listing::Section => "section",
            Listing::ComplianceTable => "compliance_table",
            Listing::TopicsAllowed => "topics_allowed",
        })
        .collect();
    format!("[{}]", names.join(", "))
}

fn text_words(text: &Option<String>) -> String {
    match text {
        Some(text) => format!("{text:?}"),
        None => "none".to_owned(),
    }
}

fn link_words(link: &Option<Link>) -> String {
    match link {
        Some(link) => format!("[{}]({})", link.name, link.url),
        None => "none".to_owned(),
    }
}

fn kind_words(kind: FindingKind) -> &'static str {
    match kind {
        FindingKind::Mismatch => "decoding fails",
        FindingKind::Misfit => "kept as received and reported as a mismatch",
        FindingKind::MissingOrNull => "decodes as absent or null",
        FindingKind::UnknownKey => "unknown key, kept",
        FindingKind::UnknownEnumValue => "unknown enum value, kept",
    }
}

/// Something an audit could not compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// 1-based page line.
    pub line: usize,
    /// What happened.
    pub message: String,
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "page line {}: {}", self.line, self.message)
    }
}

impl fmt::Display for Audit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for difference in &self.differences {
            writeln!(f, "{difference}")?;
        }
        if !self.notes.is_empty() {
            writeln!(f, "notes (not differences):")?;
            for note in &self.notes {
                writeln!(f, "  {note}")?;
            }
        }
        let count = self.differences.len();
        write!(
            f,
            "catalog audit {}: {} topics on the page, {} example payloads compared; ",
            self.platform, self.page_topics, self.examples_compared
        )?;
        match count {
            0 => write!(f, "no differences"),
            1 => write!(f, "1 difference"),
            _ => write!(f, "{count} differences"),
        }
    }
}

/// Compares the reference page `page_text` (read with the `parser` for `platform`'s layout)
/// with `platform`'s catalog. A page the parser cannot read gives every [`PageError`].
pub fn audit(platform: &Platform, parser: source_page::Platform, page_text: &str) -> Result<Audit, Vec<PageError>> {
    let facts = source_page::parse(parser, page_text)?;
    let mut audit = Audit {
        platform: platform.id.clone(),
        differences: Vec::new(),
        notes: Vec::new(),
        page_topics: facts.events.len(),
        examples_compared: 0,
    };
    let audited = source_page::provenance_url(page_text);
    let matches = match_topics(platform, &facts, audited, &mut audit.differences, &mut audit.notes);
    for (page_event, catalog_index) in facts.events.iter().zip(&matches) {
        if let Some(index) = catalog_index {
            compare_event(platform, &platform.events[*index], page_event, &facts, &mut audit.differences);
        }
    }
    compare_groups(platform, &facts, audited, &mut audit.differences, &mut audit.notes);
    let by_page_topic: HashMap<&str, usize> = facts
        .events
        .iter()
        .zip(&matches)
        .filter_map(|(page, index)| index.map(|index| (page.topic.as_str(), index)))
        .collect();
    for example in page_examples(platform, page_text) {
        compare_example(platform, &by_page_topic, example, &mut audit);
    }
    Ok(audit)
}

/// For each page event, the index of its catalog event (same topic, or the topic it renames);
/// pushes the topics added, removed and renamed. A catalog topic the page does not name is
/// removed only where the page's [`Coverage`] says it would name it, and where the catalog does
/// not cite another of its source pages for it (`source:` is the `url` of an entry of `sources:`
/// other than the audited page, which `audited` names from the page's provenance header);
/// otherwise it is a note.
fn match_topics(
    platform: &Platform,
    facts: &PageFacts,
    audited: Option<&str>,
    out: &mut Vec<Difference>,
    notes: &mut Vec<Note>,
) -> Vec<Option<usize>> {
    let catalog_index: HashMap<&str, usize> =
        platform.events.iter().enumerate().map(|(i, e)| (e.topic.as_str(), i)).collect();
    let page_topics: HashSet<&str> = facts.events.iter().map(|e| e.topic.as_str()).collect();
    let mut matches: Vec<Option<usize>> =
        facts.events.iter().map(|e| catalog_index.get(e.topic.as_str()).copied()).collect();
    let from_other_page = |event: &Event| cited_elsewhere(platform, event, audited);
    let (absent, cited): (Vec<usize>, Vec<usize>) = (0..platform.events.len())
        .filter(|&i| !page_topics.contains(platform.events[i].topic.as_str()))
        .partition(|&i| !from_other_page(&platform.events[i]));
    if !cited.is_empty() {
        notes.push(Note {
            line: 1,
            message: format!(
                "{} catalog topics the page does not name come from another of the catalog's source pages (their `source:`); not reported as removed",
                cited.len()
            ),
        });
    }
    let absent = absent.into_iter();
    let (mut gone, elsewhere): (Vec<usize>, Vec<usize>) = absent.partition(|&i| match facts.coverage {
        Coverage::Complete => true,
        Coverage::AllButMandatory => !platform.events[i].mandatory,
        Coverage::Part => false,
    });
    match facts.coverage {
        Coverage::Complete => {}
        Coverage::AllButMandatory => notes.extend(elsewhere.iter().map(|&i| Note {
            line: 1,
            message: format!(
                "`{}` is a mandatory compliance topic, which this page says is set up elsewhere; not reported as removed",
                platform.events[i].topic
            ),
        })),
        Coverage::Part if !elsewhere.is_empty() => notes.push(Note {
            line: 1,
            message: format!(
                "the page is one part of a reference split over several pages: the {} catalog topics it does not name are not reported as removed (audit the other parts for them)",
                elsewhere.len()
            ),
        }),
        Coverage::Part => {}
    }

    // Pair new topics with gone ones: a shared description first (the stronger sign), then a
    // shared entity-and-action tail; each gone topic pairs once, in page order.
    let mut renames: Vec<(usize, usize, RenameReason)> = Vec::new();
    for reason in [RenameReason::SameDescription, RenameReason::SameTail] {
        for (page_index, page_event) in facts.events.iter().enumerate() {
            if matches[page_index].is_some() {
                continue;
            }
            let found = gone.iter().position(|&i| {
                let event = &platform.events[i];
                match reason {
                    RenameReason::SameDescription => {
                        page_event.description.is_some() && event.description == page_event.description
                    }
                    RenameReason::SameTail => {
                        tail(&event.topic, &platform.separators) == tail(&page_event.topic, &platform.separators)
                    }
                }
            });
            if let Some(position) = found {
                let index = gone.remove(position);
                matches[page_index] = Some(index);
                renames.push((page_index, index, reason));
            }
        }
    }
    renames.sort_by_key(|(page_index, _, _)| *page_index);
    let mut renames = renames.into_iter().peekable();
    for (page_index, page_event) in facts.events.iter().enumerate() {
        if let Some((_, index, reason)) = renames.next_if(|(p, _, _)| *p == page_index) {
            out.push(Difference::Renamed {
                from: platform.events[index].topic.clone(),
                to: page_event.topic.clone(),
                line: page_event.line,
                reason,
            });
        } else if matches[page_index].is_none() {
            out.push(Difference::Added {
                topic: page_event.topic.clone(),
                line: page_event.line,
                description: page_event.description.clone(),
            });
        }
    }
    gone.sort_unstable();
    out.extend(gone.into_iter().map(|i| Difference::Removed { topic: platform.events[i].topic.clone() }));
    matches
}

/// The last two segments of a topic (its entity and action, for every platform's naming),
/// case, `_` and `-` ignored and a plural `s` dropped from the entity: `store/orders/created`
/// and `order.created` share `order created`.
fn tail(topic: &str, separators: &[char]) -> String {
    let segments: Vec<String> = topic
        .split(|c| separators.contains(&c))
        .map(|s| s.chars().filter(|c| !matches!(c, '_' | '-')).flat_map(char::to_lowercase).collect())
        .collect();
    let start = segments.len().saturating_sub(2);
    let mut tail: Vec<String> = segments[start..].to_vec();
    if tail.len() == 2 {
        if let Some(singular) = tail[0].strip_suffix('s') {
            tail[0] = singular.to_owned();
        }
    }
    tail.join(" ")
}

/// The facts of one event; facts the catalog took from elsewhere (`source:`) are compared only
/// where the page states them.
/// The protected-data marker and the links are compared only where the page states them, and
/// `listed_in` only where the page has the lists it names.
fn compare_event(platform: &Platform, event: &Event, page: &PageEvent, facts: &PageFacts, out: &mut Vec<Difference>) {
    let (topic, line) = (&page.topic, page.line);
    let sourced_elsewhere = event.source.is_some() && page.description.is_none();
    if !sourced_elsewhere {
        if event.description != page.description {
            out.push(Difference::Description {
                topic: topic.clone(),
                line,
                catalog: event.description.clone(),
                page: page.description.clone(),
            });
        }
        let (catalog, on_page) = (catalog_scopes(platform, &event.scopes), page_scopes(platform, &page.scopes));
        if catalog != on_page {
            out.push(Difference::Scopes { topic: topic.clone(), line, catalog, page: on_page });
        }
    }
    if facts.marks_protected_data && event.protected_customer_data != page.protected_customer_data {
        out.push(Difference::ProtectedData {
            topic: topic.clone(),
            line,
            catalog: event.protected_customer_data,
            page: page.protected_customer_data,
        });
    }
    let listed_in = if event.listed_in.is_empty() { vec![Listing::Section] } else { event.listed_in.clone() };
    if !page.listed_in.is_empty() && listed_in != page.listed_in {
        out.push(Difference::ListedIn { topic: topic.clone(), line, catalog: listed_in, page: page.listed_in.clone() });
    }
    for (which, catalog, on_page) in
        [("resource", &event.resource, &page.resource), ("rest_call", &event.rest_call, &page.rest_call)]
    {
        if facts.links_resources && catalog != on_page {
            out.push(Difference::Link {
                topic: topic.clone(),
                line,
                which,
                catalog: catalog.clone(),
                page: on_page.clone(),
            });
        }
    }
}

/// A scope rule in the words the page would use: `["orders", "marketplace_orders"]`,
/// `none needed`, `none listed`, `not documented`.
fn catalog_scopes(platform: &Platform, rule: &ScopeRule) -> String {
    match rule {
        ScopeRule::NoneNeeded => "none needed".to_owned(),
        ScopeRule::NoneListed => "none listed".to_owned(),
        ScopeRule::NotDocumented => "not documented".to_owned(),
        rule => {
            let names: Vec<&str> = rule.scopes().iter().map(|&i| platform.scopes[i].name.as_str()).collect();
            format!("{names:?}")
        }
    }
}

/// The page's scopes in the catalog's words: a name the page writes as the OAuth scope of a
/// catalog scope (the GraphQL enum's `read_orders`) is that scope's name (`orders`).
fn page_scopes(platform: &Platform, scopes: &PageScopes) -> String {
    match scopes {
        PageScopes::NoneNeeded => "none needed".to_owned(),
        PageScopes::NoneListed => "none listed".to_owned(),
        PageScopes::NotDocumented => "not documented".to_owned(),
        PageScopes::Listed(names) => {
            let names: Vec<&str> = names
                .iter()
                .map(|name| {
                    let declared = platform.scopes.iter().find(|s| s.name != *name && s.oauth.as_deref() == Some(name));
                    declared.map_or(name.as_str(), |scope| scope.name.as_str())
                })
                .collect();
            format!("{names:?}")
        }
    }
}

/// Whether the catalog has `event` from another of its source pages than the audited one
/// (its `source:` is a registered page's `url`).
fn cited_elsewhere(platform: &Platform, event: &Event, audited: Option<&str>) -> bool {
    event
        .source
        .as_deref()
        .is_some_and(|url| Some(url) != audited && platform.sources.iter().any(|source| source.url == url))
}

fn compare_groups(
    platform: &Platform,
    facts: &PageFacts,
    audited: Option<&str>,
    out: &mut Vec<Difference>,
    notes: &mut Vec<Note>,
) {
    for group in &facts.groups {
        match platform.groups.iter().find(|g| g.pattern == group.pattern) {
            None => out.push(Difference::GroupAdded {
                pattern: group.pattern.clone(),
                line: group.line,
                description: group.description.clone(),
            }),
            Some(known) if known.description != group.description => out.push(Difference::GroupDescription {
                pattern: group.pattern.clone(),
                line: group.line,
                catalog: known.description.clone(),
                page: group.description.clone(),
            }),
            Some(_) => {}
        }
    }
    // One part of a split reference documents only its own groups (BigCommerce's channel
    // page has `store/channel/*`, the main events page the others).
    if facts.coverage == Coverage::Part {
        return;
    }
    // A group that cites another of the catalog's pages (`source:`) is that page's group, and so
    // is a group whose every topic the catalog has from another page.
    let mut cited = 0;
    for group in platform.groups.iter().filter(|g| !facts.groups.iter().any(|p| p.pattern == g.pattern)) {
        let cites_elsewhere = group
            .source
            .as_deref()
            .is_some_and(|url| Some(url) != audited && platform.sources.iter().any(|source| source.url == url));
        if cites_elsewhere
            || (!group.events.is_empty()
                && group.events.iter().all(|&i| cited_elsewhere(platform, &platform.events[i], audited)))
        {
            cited += 1;
        } else {
            out.push(Difference::GroupRemoved { pattern: group.pattern.clone() });
        }
    }
    if cited > 0 {
        notes.push(Note {
            line: 1,
            message: format!(
                "{cited} catalog groups the page does not document cite, or cover only topics from, another of the catalog's source pages; not reported as removed"
            ),
        });
    }
}

/// An example payload embedded in a reference page.
#[derive(Debug, Clone, PartialEq)]
pub struct PageExample {
    /// The topic the page gives it, where it can be told: the payload heading's topic
    /// (header-topic platforms) or the body's topic field (body-topic platforms).
    pub topic: Option<String>,
    /// 1-based page line of the first line inside the code block (of the heading, when no
    /// block follows it).
    pub line: usize,
    /// The parsed body, or why there is none: no block, an empty one, or not JSON (with the
    /// page line).
    pub body: Result<Value, String>,
}

/// The example payloads `page_text` embeds, in page order.
///
/// For a platform whose topic travels in a header (Shopify), the code block right after a
/// `## <topic> : Webhook payload` heading; for a platform whose body names its topic
/// (BigCommerce's `scope`), every ```` ```json ```` block (the MDX pages add attributes after
/// the language: ```` ```json filename="…" showLineNumbers copy ````), its topic read from the
/// body field the catalog's `topic.carried_by` names. Other code blocks (API calls) are skipped.
/// The MDX pages annotate their examples with `//` comments and leave a trailing comma here
/// and there; `parse_block` reads past both.
pub fn page_examples(platform: &Platform, page_text: &str) -> Vec<PageExample> {
    let blocks = code_blocks(page_text);
    match &platform.carried_by {
        CarriedBy::Header(_) => {
            let lines: Vec<&str> = page_text.lines().collect();
            let mut examples = Vec::new();
            let mut blocks = blocks.into_iter().peekable();
            let mut index = 0;
            while index < lines.len() {
                let number = index + 1;
                if let Some(block) = blocks.next_if(|b| b.fence_line == number) {
                    index = block.end_line;
                    continue;
                }
                index += 1;
                let Some(topic) = payload_heading(lines[index - 1]) else { continue };
                // The example is the code block after the heading, blank lines apart.
                while lines.get(index).is_some_and(|l| l.trim().is_empty()) {
                    index += 1;
                }
                match blocks.next_if(|b| b.fence_line == index + 1) {
                    Some(block) => {
                        index = block.end_line;
                        examples.push(PageExample {
                            topic: Some(topic),
                            line: block.fence_line + 1,
                            body: parse_block(&block),
                        });
                    }
                    None => examples.push(PageExample {
                        topic: Some(topic),
                        line: number,
                        body: Err("missing (no code block follows its heading)".to_owned()),
                    }),
                }
            }
            examples
        }
        CarriedBy::BodyField(path) => blocks
            .iter()
            .filter(|b| b.info.split_whitespace().next() == Some("json"))
            .map(|block| {
                let body = parse_block(block);
                let topic = body.as_ref().ok().and_then(|v| field(v, path)).and_then(Value::as_str).map(str::to_owned);
                PageExample { topic, line: block.fence_line + 1, body }
            })
            .collect(),
    }
}

/// The topic of a `## app/scopes\_update : Webhook payload` heading, escapes removed.
fn payload_heading(line: &str) -> Option<String> {
    let topic = line.trim_end().strip_prefix("## ")?.strip_suffix(" : Webhook payload")?;
    Some(unescape(topic.trim()))
}

/// Removes Markdown backslash escapes before ASCII punctuation (`a\_b` → `a_b`).
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match chars.peek() {
            Some(&next) if c == '\\' && next.is_ascii_punctuation() => {
                out.push(next);
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

/// A fenced code block of a page.
#[derive(Debug, Default)]
struct CodeBlock {
    /// 1-based line of the opening fence.
    fence_line: usize,
    /// 1-based line of the closing fence (the last line of a page that leaves it open).
    end_line: usize,
    /// The info string (`json`), trimmed.
    info: String,
    /// The lines between the fences.
    text: String,
}

/// Every fenced code block; fences may be indented (both Shopify and BigCommerce indent some).
/// A block left open at the end of the page runs to the end.
fn code_blocks(page_text: &str) -> Vec<CodeBlock> {
    let mut blocks = Vec::new();
    let mut open: Option<CodeBlock> = None;
    let mut last = 0;
    for (index, line) in page_text.lines().enumerate() {
        last = index + 1;
        let fence = line.trim_start().strip_prefix("```");
        match (&mut open, fence) {
            (None, Some(info)) => {
                open = Some(CodeBlock {
                    fence_line: index + 1,
                    end_line: index + 1,
                    info: info.trim().to_owned(),
                    text: String::new(),
                })
            }
            (Some(block), Some(_)) => {
                block.end_line = index + 1;
                blocks.extend(open.take());
            }
            (Some(block), None) => {
                block.text.push_str(line);
                block.text.push('\n');
            }
            (None, None) => {}
        }
    }
    blocks.extend(open.map(|block| CodeBlock { end_line: last, ..block }));
    blocks
}

fn parse_block(block: &CodeBlock) -> Result<Value, String> {
    if block.text.trim().is_empty() {
        return Err("empty (the page shows no payload)".to_owned());
    }
    serde_json::from_str(&json_without_comments(&block.text)).map_err(|e| {
        let line = block.fence_line + e.line();
        let message = e.to_string();
        let message = message.rsplit_once(" at line ").map_or(message.as_str(), |(m, _)| m).to_owned();
        format!("not JSON ({message}, page line {line})")
    })
}

/// `text` with what JSON does not allow but the MDX pages' annotated examples write removed:
/// `//` comments to the end of their line (outside strings) and a comma right before a `}` or
/// `]`. Each removed character becomes a space, so lines and columns stay those of the page.
/// Text without either is returned unchanged.
pub fn json_without_comments(text: &str) -> String {
    let mut out: Vec<char> = Vec::with_capacity(text.len());
    let (mut in_string, mut escaped, mut in_comment) = (false, false, false);
    // Where the last comma outside strings and comments is, while only blanks follow it.
    let mut comma: Option<usize> = None;
    // The last character outside comments that is not a blank: a comma after a value only.
    let mut last: Option<char> = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if in_comment {
            if c == '\n' {
                in_comment = false;
                out.push(c);
            } else {
                out.push(' ');
            }
            continue;
        }
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => {
                    in_string = false;
                    last = Some('"');
                }
                _ => {}
            }
            out.push(c);
            continue;
        }
        match c {
            '/' if chars.peek() == Some(&'/') => {
                in_comment = true;
                out.push(' ');
                continue;
            }
            '"' => in_string = true,
            '}' | ']' => {
                if let Some(at) = comma.take() {
                    out[at] = ' ';
                }
            }
            _ => {}
        }
        if c == ',' && !matches!(last, None | Some(':' | ',' | '[' | '{')) {
            comma = Some(out.len());
        } else if !c.is_whitespace() {
            comma = None;
        }
        if !c.is_whitespace() {
            last = Some(c);
        }
        out.push(c);
    }
    out.into_iter().collect()
}

/// The value at a dotted path (`data.event`).
fn field<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(value, |value, key| value.get(key))
}

fn compare_example(platform: &Platform, by_topic: &HashMap<&str, usize>, example: PageExample, audit: &mut Audit) {
    let line = example.line;
    let mut note = |message: String| audit.notes.push(Note { line, message });
    let Some(topic) = example.topic else {
        let why = match &example.body {
            Ok(_) => "names no topic".to_owned(),
            Err(e) => format!("is {e}"),
        };
        return note(format!("an example payload {why}; not compared"));
    };
    let body = match example.body {
        Ok(body) => body,
        Err(e) => return note(format!("the `{topic}` example is {e}; not compared")),
    };
    let filled = |e: &Event| e.template.as_ref().is_some_and(|t| t.is_filled_by(&topic, &platform.separators));
    let index = by_topic
        .get(topic.as_str())
        .copied()
        .or_else(|| platform.events.iter().position(|e| e.topic == topic))
        // A page's example of a template names a value (`store/channel/1/cart/created`).
        .or_else(|| platform.events.iter().position(filled));
    let Some(index) = index else {
        return note(format!("the example is of `{topic}`, which is not in the catalog; not compared"));
    };
    let event = &platform.events[index];
    let Some(ty) = &event.payload else {
        return note(format!("`{topic}` has no payload shape in the catalog yet; its example is not compared"));
    };
    audit.examples_compared += 1;
    if body.is_null() && event.payload_null {
        return;
    }
    for finding in findings(platform, ty, &body) {
        audit.differences.push(Difference::Payload { topic: topic.clone(), line, finding });
    }
}

/// Where [`check_payload`] took a payload's topic from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TopicSource {
    /// Given by the caller (`--topic`).
    Given,
    /// Read from the body field the catalog's `topic.carried_by` names.
    Body(String),
}

/// The verdict on one payload: what the generated `Event::from_delivery` would do with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayloadCheck {
    /// The topic it was checked as; `None` when none could be found.
    pub topic: Option<String>,
    /// Where the topic came from.
    pub topic_source: TopicSource,
    /// The catalog's payload type for the topic (`Callback<CartData>`), `None` when the topic
    /// is not in the catalog or has no shape yet (both decode any JSON).
    pub payload: Option<String>,
    /// Why the payload cannot be decoded at all (not JSON, no topic), if so.
    pub error: Option<String>,
    /// What conform found.
    pub findings: Vec<Finding>,
    /// Remarks that change no verdict (an unknown topic, no shape yet).
    pub remarks: Vec<String>,
}

impl PayloadCheck {
    /// Whether the generated types decode it: no error and no [`FindingKind::Mismatch`].
    pub fn decodes(&self) -> bool {
        self.error.is_none() && !self.findings.iter().any(|f| f.kind == FindingKind::Mismatch)
    }
}

impl fmt::Display for PayloadCheck {
    /// A first line naming the topic and payload type (or the error), then one line per
    /// finding (errors first) with the catalog edit under it, then the verdict.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.topic, &self.error) {
            (Some(topic), _) => {
                write!(f, "topic `{topic}`")?;
                if let TopicSource::Body(path) = &self.topic_source {
                    write!(f, " (from the body's `{path}`)")?;
                }
                if let Some(payload) = &self.payload {
                    write!(f, ", payload `{payload}`")?;
                }
                writeln!(f)?;
                if let Some(error) = &self.error {
                    writeln!(f, "  error: {error}")?;
                }
            }
            (None, Some(error)) => writeln!(f, "{error}")?,
            (None, None) => writeln!(f)?,
        }
        for remark in &self.remarks {
            writeln!(f, "  note: {remark}")?;
        }
        let mut findings: Vec<&Finding> = self.findings.iter().collect();
        findings.sort_by_key(|f| (f.kind != FindingKind::Mismatch, !f.kind.contradicts_catalog()));
        for finding in findings {
            let label = match finding.kind {
                FindingKind::Mismatch => "error",
                FindingKind::Misfit | FindingKind::MissingOrNull => "drift",
                FindingKind::UnknownKey | FindingKind::UnknownEnumValue => "note",
            };
            writeln!(f, "  {label}: `{}`: {} ({})", finding.path, finding.message, kind_words(finding.kind))?;
            writeln!(f, "        catalog edit: {}", finding.suggestion)?;
        }
        let mismatches = self.findings.iter().filter(|f| f.kind == FindingKind::Mismatch).count();
        let drift = self
            .findings
            .iter()
            .filter(|f| f.kind == FindingKind::Misfit || f.kind == FindingKind::MissingOrNull)
            .count();
        let kept = self.findings.len() - mismatches - drift;
        match (self.decodes(), kept, drift) {
            (true, 0, 0) => write!(f, "  decodes"),
            (true, kept, 0) => {
                write!(f, "  decodes; {kept} unknown key{} or value{} kept", plural(kept), plural(kept))
            }
            (true, kept, drift) => write!(
                f,
                "  decodes; {drift} value{} not as documented, {kept} unknown key{} or value{} kept",
                plural(drift),
                plural(kept),
                plural(kept)
            ),
            (false, ..) if self.error.is_some() => write!(f, "  does not decode"),
            (false, ..) => {
                write!(f, "  does not decode: {mismatches} mismatch{}", if mismatches == 1 { "" } else { "es" })
            }
        }
    }
}

fn plural(count: usize) -> &'static str {
    if count == 1 {
        ""
    } else {
        "s"
    }
}

/// Checks one delivery `body` of `platform` against the catalog, as `topic` or, when `None`,
/// as the topic the body names (body-topic platforms only).
///
/// The verdict ([`PayloadCheck::decodes`]) is the generated `Event::from_delivery`'s: a body
/// that is not JSON is rejected; a topic the catalog does not know, or knows without a
/// payload shape, accepts any JSON; otherwise every conform [`Finding`] is listed.
pub fn check_payload(platform: &Platform, topic: Option<&str>, body: &[u8]) -> PayloadCheck {
    let mut check = PayloadCheck {
        topic: topic.map(str::to_owned),
        topic_source: TopicSource::Given,
        payload: None,
        error: None,
        findings: Vec::new(),
        remarks: Vec::new(),
    };
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(e) => {
            let bom = body.starts_with(b"\xEF\xBB\xBF");
            check.error = Some(if bom {
                "not JSON: the file starts with a byte-order mark, which JSON does not allow".to_owned()
            } else {
                format!("not JSON: {e}")
            });
            return check;
        }
    };
    if topic.is_none() {
        match &platform.carried_by {
            CarriedBy::BodyField(path) => {
                check.topic_source = TopicSource::Body(path.clone());
                check.topic = field(&value, path).and_then(Value::as_str).map(str::to_owned);
                if check.topic.is_none() {
                    check.error = Some(format!("the body has no string `{path}` naming the topic; give `--topic`"));
                    return check;
                }
            }
            CarriedBy::Header(header) => {
                check.error = Some(format!(
                    "{} names the topic in the `{header}` header, not the body; give `--topic`",
                    platform.name
                ));
                return check;
            }
        }
    }
    let topic = check.topic.clone().unwrap_or_default();
    let Some(event) = platform.events.iter().find(|e| e.topic == topic) else {
        let hint = crate::diagnostic::closest(&topic, platform.events.iter().map(|e| e.topic.as_str()))
            .map(|t| format!(" (did you mean `{t}`?)"))
            .unwrap_or_default();
        check.remarks.push(format!(
            "`{topic}` is not a {} topic of the catalog{hint}: it decodes as `Event::Unknown`, any JSON",
            platform.name
        ));
        return check;
    };
    let Some(ty) = &event.payload else {
        check.remarks.push(format!("`{topic}` has no payload shape in the catalog yet: any JSON decodes"));
        return check;
    };
    check.payload = Some(platform.type_name(ty));
    if value.is_null() && event.payload_null {
        check.remarks.push(format!("`{topic}` documents a `null` body"));
        return check;
    }
    check.findings = findings(platform, ty, &value);
    check
}

/// What conform finds in `value` as `ty`, less what the generated types accept after all:
/// conform calls a `null` in a field without `nullable: true` a mismatch even where the field's
/// type is `json` (or a `P` that is `json`), whose generated `serde_json::Value` holds `null`.
fn findings(platform: &Platform, ty: &Type, value: &Value) -> Vec<Finding> {
    let mut findings = Types { shapes: &platform.shapes, enums: &platform.enums }.check(ty, value);
    let mut accepted = HashSet::new();
    null_json_fields(platform, ty, None, value, &mut String::new(), &mut accepted);
    findings.retain(|f| !(f.kind.contradicts_catalog() && accepted.contains(&f.path)));
    findings
}

/// The paths (spelled as conform spells them) of `null`s in non-nullable fields typed `json`.
fn null_json_fields(
    platform: &Platform,
    ty: &Type,
    param: Option<&Type>,
    value: &Value,
    path: &mut String,
    out: &mut HashSet<String>,
) {
    let at =
        |path: &mut String, step: &str, ty: &Type, param: Option<&Type>, value: &Value, out: &mut HashSet<String>| {
            let len = path.len();
            if !step.starts_with('[') && !path.is_empty() {
                path.push('.');
            }
            path.push_str(step);
            null_json_fields(platform, ty, param, value, path, out);
            path.truncate(len);
        };
    match (ty, value) {
        (Type::Param, _) => {
            if let Some(param) = param {
                null_json_fields(platform, param, None, value, path, out);
            }
        }
        (Type::Array(item), Value::Array(items)) => {
            for (index, item_value) in items.iter().enumerate() {
                at(path, &format!("[{index}]"), item, param, item_value, out);
            }
        }
        (Type::Map(inner), Value::Object(object)) => {
            for (key, item_value) in object {
                at(path, key, inner, param, item_value, out);
            }
        }
        (Type::Shape(index, arg), Value::Object(object)) => {
            let arg = arg.as_deref().map(|a| match a {
                Type::Param => param.cloned().unwrap_or(Type::Scalar(Scalar::Json)),
                other => other.clone(),
            });
            for field in &platform.shapes[*index].fields {
                match object.get(&field.key) {
                    Some(Value::Null) if !field.null && is_json(&field.ty, arg.as_ref()) => {
                        let len = path.len();
                        if !path.is_empty() {
                            path.push('.');
                        }
                        path.push_str(&field.key);
                        out.insert(path.clone());
                        path.truncate(len);
                    }
                    Some(Value::Null) | None => {}
                    Some(field_value) => at(path, &field.key, &field.ty, arg.as_ref(), field_value, out),
                }
            }
        }
        _ => {}
    }
}

/// Whether `ty` (with `P` as `param`) is `json`, which decodes `null` too.
fn is_json(ty: &Type, param: Option<&Type>) -> bool {
    match ty {
        Type::Scalar(Scalar::Json) => true,
        Type::Param => param.is_none_or(|p| is_json(p, None)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tails_ignore_prefixes_case_and_plurals() {
        let seps = ['/', '.'];
        assert_eq!(tail("store/orders/created", &seps), "order created");
        assert_eq!(tail("order.created", &seps), "order created");
        assert_eq!(tail("store/cart/lineItem/created", &seps), "lineitem created");
        assert_eq!(tail("orders", &seps), "orders");
        assert_ne!(tail("orders/create", &seps), tail("products/create", &seps));
    }

    #[test]
    fn code_blocks_allow_indented_fences_and_report_lines() {
        let page = "text\n```json\n{\"a\": 1}\n ```\n  ```\nopen";
        let blocks = code_blocks(page);
        assert_eq!(blocks.len(), 2);
        assert_eq!((blocks[0].fence_line, blocks[0].info.as_str()), (2, "json"));
        assert_eq!(blocks[0].text, "{\"a\": 1}\n");
        assert_eq!(blocks[1].text, "open\n");
        let error = parse_block(&CodeBlock {
            fence_line: 10,
            end_line: 14,
            info: "json".into(),
            text: "{\n  \"a\": ,\n}".into(),
        })
        .unwrap_err();
        assert!(error.contains("page line 12"), "{error}");
        let empty = CodeBlock { fence_line: 1, end_line: 2, info: "json".into(), text: String::new() };
        assert!(parse_block(&empty).unwrap_err().starts_with("empty"));
    }

    #[test]
    fn comments_and_trailing_commas_are_blanked_in_place() {
        let annotated = "{\n  \"id\": 205, // ID of the product,\n  \"url\": \"https://x.test/a//b\", // x\n}\n";
        let plain = json_without_comments(annotated);
        assert_eq!(plain.lines().count(), annotated.lines().count());
        assert_eq!(plain.len(), annotated.len());
        let value: Value = serde_json::from_str(&plain).unwrap();
        assert_eq!(value, serde_json::json!({ "id": 205, "url": "https://x.test/a//b" }));
        // A string holding `//` or `,]` and an escaped quote is kept.
        let text = r#"{"a": "x\" // ,]", "b": [1, 2]}"#;
        assert_eq!(json_without_comments(text), text);
        // A comma after no value is not a trailing comma: the error stays where it is.
        assert_eq!(json_without_comments("{\"a\": ,}"), "{\"a\": ,}");
        assert_eq!(json_without_comments("[1,\n]"), "[1 \n]");
    }

    #[test]
    fn payload_headings_unescape_topics() {
        assert_eq!(payload_heading(r"## app/scopes\_update : Webhook payload").as_deref(), Some("app/scopes_update"));
        assert_eq!(payload_heading("## Response"), None);
    }
}
