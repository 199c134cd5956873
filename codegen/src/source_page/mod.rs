//! Parsers for the stored reference pages under `catalog/sources/`.
//!
//! The YAML catalogs are hand transcriptions of these pages. To check a
//! transcription we need the same facts read straight from the page, by code
//! that shares nothing with the catalog loader: this module is that second,
//! independent reading. It is also the basis of `catalog audit`, which parses
//! a newer copy of a page and diffs it against the catalog, so every parser
//! here reports unexpected input as a [`PageError`] naming the page line
//! instead of guessing or panicking.
//!
//! Each platform's page has its own layout, so each has its own file:
//! `shopify` (and `shopify_graphql` for the GraphQL topic enum), `bigcommerce` (and
//! `bigcommerce_mdx` for the split MDX pages of bigcommerce/docs), `shopware` and `ecwid`;
//! [`parse`] picks a platform's reader by the page's layout. This file holds
//! the shared data types, the entry point [`parse`] and the small Markdown
//! helpers (escapes, links, tables, code fences) the parsers have in common.
//!
//! The parsers use plain string handling on purpose: the pages are small, and
//! line-by-line code is easier to check against the page than patterns.

use std::fmt;
use std::str::FromStr;

mod bigcommerce;
mod bigcommerce_mdx;
mod ecwid;
mod shopify;
mod shopify_graphql;
mod shopware;

/// Facts one reference page states about its platform's webhooks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageFacts {
    /// Every event topic the page names, each once, in page order (see the
    /// platform parsers for how several lists on one page are merged).
    pub events: Vec<PageEvent>,
    /// Wildcard subscriptions such as BigCommerce's `store/cart/*`; empty for
    /// platforms whose pages have none.
    pub groups: Vec<PageGroup>,
    /// Which of the platform's topics the page names, so what its silence
    /// about a topic means.
    pub coverage: Coverage,
    /// Whether the page marks the topics that carry protected customer data
    /// (Shopify's REST page does); where it does not, a `false` says nothing.
    pub marks_protected_data: bool,
    /// Whether the page links each topic's resource or REST call where it
    /// has one (Shopify's REST page, Ecwid's page); where it does not, a
    /// missing link says nothing.
    pub links_resources: bool,
}

/// Which of a platform's topics a page names (see [`PageFacts::coverage`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    /// Every topic: a topic the page lacks is gone.
    Complete,
    /// Every topic but the mandatory compliance topics, which the page says are
    /// set up elsewhere (Shopify's GraphQL `WebhookSubscriptionTopic` enum).
    AllButMandatory,
    /// One page of a reference split over several (BigCommerce's events pages
    /// since 2026): a topic the page lacks may be on another of them.
    Part,
}

/// One webhook event topic as the page describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageEvent {
    /// The topic, with Markdown escapes (`\_`) and backticks removed.
    pub topic: String,
    /// The page's description, Markdown kept verbatim apart from trailing
    /// whitespace; `None` when the page gives none (Shopware's `__EMPTY__`,
    /// Shopify topics that only appear in the "Topics allowed" list).
    pub description: Option<String>,
    /// The access scopes / permissions the page says the event needs.
    pub scopes: PageScopes,
    /// Whether the page marks the event as carrying protected customer data
    /// (Shopify only; always `false` elsewhere).
    pub protected_customer_data: bool,
    /// Which lists on the page name the event. Shopify's REST page has three
    /// lists, in this order: [`Listing::Section`], [`Listing::ComplianceTable`],
    /// [`Listing::TopicsAllowed`]; other platforms use `vec![Listing::Section]`.
    /// Empty for a page that has none of these lists (Shopify's GraphQL enum
    /// page): there is nothing to compare with the catalog's `listed_in`.
    pub listed_in: Vec<Listing>,
    /// Shopify's `Resource: [Name](url)` line.
    pub resource: Option<Link>,
    /// Ecwid's "Related REST API call" link.
    pub rest_call: Option<Link>,
    /// 1-based line of the event on the page (its first listing).
    pub line: usize,
}

/// What a page says about the scopes an event needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageScopes {
    /// The page says explicitly that none are needed (Shopware's `-`).
    NoneNeeded,
    /// The page describes the event but lists no scope for it (a Shopify
    /// section without an `Access scope` line, the compliance table).
    NoneListed,
    /// The page never documents scopes for this event at all (BigCommerce,
    /// Shopify topics known only from the "Topics allowed" list).
    NotDocumented,
    /// The scope names, in page order, Markdown escapes removed.
    Listed(Vec<String>),
}

// The page and the catalog speak of the same lists and links, so they share the types.
pub use crate::catalog::{LinkDef as Link, Listing};

/// A wildcard subscription covering several events (BigCommerce `.../*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageGroup {
    /// The pattern as the page writes it, e.g. `store/cart/*`.
    pub pattern: String,
    /// The page's description of the group, verbatim apart from trimming.
    pub description: String,
    /// 1-based line of the group on the page.
    pub line: usize,
}

/// Something on a page the parser did not expect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageError {
    /// 1-based page line the problem was found on; problems with the page as
    /// a whole (a missing heading, no events at all) name line 1.
    pub line: usize,
    /// What was expected and what was found.
    pub message: String,
}

impl PageError {
    /// Builds an error for a 1-based page line.
    pub fn new(line: usize, message: impl Into<String>) -> Self {
        PageError { line, message: message.into() }
    }
}

impl fmt::Display for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for PageError {}

/// The platforms whose reference pages this module can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Platform {
    /// Shopify Admin REST `Webhook` resource page, or the GraphQL Admin
    /// `WebhookSubscriptionTopic` enum page (told apart by their layout).
    Shopify,
    /// BigCommerce "Webhook Events" page, or one of the MDX events pages of bigcommerce/docs
    /// (told apart by their tables' header).
    BigCommerce,
    /// Shopware 6 "Webhook Event Reference" page.
    Shopware,
    /// Ecwid "List of webhook events" page.
    Ecwid,
}

impl Platform {
    /// Every platform, in a fixed order.
    pub const ALL: [Platform; 4] = [Platform::Shopify, Platform::BigCommerce, Platform::Shopware, Platform::Ecwid];

    /// The lower-case name accepted by [`Platform::from_str`].
    pub fn name(self) -> &'static str {
        match self {
            Platform::Shopify => "shopify",
            Platform::BigCommerce => "bigcommerce",
            Platform::Shopware => "shopware",
            Platform::Ecwid => "ecwid",
        }
    }

    /// File name of the platform's stored page under `catalog/sources/`.
    pub fn source_file(self) -> &'static str {
        match self {
            Platform::Shopify => "shopify-webhook.md",
            Platform::BigCommerce => "bigcommerce-webhook-events.md",
            Platform::Shopware => "shopware-webhook-events-reference.md",
            Platform::Ecwid => "ecwid-webhook-events.md",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Error from [`Platform::from_str`]: the name is not one of the platforms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownPlatform(pub String);

impl fmt::Display for UnknownPlatform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown platform `{}` (expected shopify, bigcommerce, shopware or ecwid)", self.0)
    }
}

impl std::error::Error for UnknownPlatform {}

impl FromStr for Platform {
    type Err = UnknownPlatform;

    /// Accepts exactly the names returned by [`Platform::name`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Platform::ALL.into_iter().find(|platform| platform.name() == s).ok_or_else(|| UnknownPlatform(s.to_string()))
    }
}

/// Reads the facts a platform's reference page states about its webhooks.
///
/// Returns every problem found rather than only the first, so one run of
/// `catalog audit` shows everything that changed in a page's layout.
pub fn parse(platform: Platform, text: &str) -> Result<PageFacts, Vec<PageError>> {
    match platform {
        Platform::Shopify if shopify_graphql::is_enum_page(text) => shopify_graphql::parse(text),
        Platform::Shopify => shopify::parse(text),
        Platform::BigCommerce if bigcommerce_mdx::is_mdx_page(text) => bigcommerce_mdx::parse(text),
        Platform::BigCommerce => bigcommerce::parse(text),
        Platform::Shopware => shopware::parse(text),
        Platform::Ecwid => ecwid::parse(text),
    }
}

/// The first line of the provenance header a newer copy of a page is stored
/// with (see catalog/README.md): an HTML comment at the top of the file whose
/// `url:` line names the page's address. The parsers read past it like any
/// other text outside their tables and sections.
pub const PROVENANCE_HEADER: &str = "<!-- commerce-webhooks source copy.";

/// The `url:` of a page's provenance header, if the page starts with one.
pub fn provenance_url(text: &str) -> Option<&str> {
    if !text.starts_with(PROVENANCE_HEADER) {
        return None;
    }
    let header = &text[..text.find("-->")?];
    header.lines().find_map(|line| line.strip_prefix("url: ")).map(str::trim)
}

// ---------------------------------------------------------------------------
// Helpers shared by the platform parsers.
// ---------------------------------------------------------------------------

/// Turns a parser's findings into its result: the facts if nothing went
/// wrong, otherwise all errors. A page with no events at all is an error too,
/// since it means the page layout changed under the parser.
fn finish(facts: PageFacts, mut errors: Vec<PageError>) -> Result<PageFacts, Vec<PageError>> {
    if facts.events.is_empty() {
        errors.push(PageError::new(1, "no webhook events found on the page"));
    }
    if errors.is_empty() {
        Ok(facts)
    } else {
        errors.sort_by_key(|error| error.line);
        Err(errors)
    }
}

/// Removes Markdown backslash escapes (`app\_uninstalled` -> `app_uninstalled`).
///
/// CommonMark lets a backslash escape any ASCII punctuation character; a
/// backslash before anything else is a literal backslash and is kept.
fn unescape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(&next) = chars.peek() {
                if next.is_ascii_punctuation() {
                    out.push(next);
                    chars.next();
                    continue;
                }
            }
        }
        out.push(c);
    }
    out
}

/// Whether `text` looks like a webhook topic: one word (no whitespace, no
/// Markdown punctuation) containing a `/` or `.` separator.
///
/// Pages mix topic bullets with ordinary prose bullets; prose always has a
/// space or backticks, topics never do.
fn is_topic_name(text: &str) -> bool {
    !text.is_empty()
        && !text.chars().any(|c| c.is_whitespace() || matches!(c, '`' | '[' | ']' | '(' | ')' | '\\'))
        && text.contains(['/', '.'])
}

/// Removes one pair of surrounding backticks, if present (`` `a/b` `` -> `a/b`).
fn strip_backticks(text: &str) -> &str {
    text.strip_prefix('`').and_then(|inner| inner.strip_suffix('`')).unwrap_or(text)
}

/// Parses a whole string of the form `[name](url)`; `None` if it is anything
/// else (including a link followed by more text).
fn parse_link(text: &str) -> Option<Link> {
    let rest = text.strip_prefix('[')?;
    let (name, rest) = rest.split_once("](")?;
    let url = rest.strip_suffix(')')?;
    if url.is_empty() || url.contains(char::is_whitespace) {
        return None;
    }
    Some(Link { name: unescape_markdown(name), url: url.to_string() })
}

/// Whether a line opens or closes a fenced code block.
///
/// Shopify indents the fences of its per-language examples, and BigCommerce
/// has one closing fence with a leading space, so indentation is ignored.
fn is_fence(line: &str) -> bool {
    line.trim_start().starts_with("```")
}

/// Pairs each line with its 1-based line number and whether it lies inside
/// a fenced code block (fence lines themselves count as inside), so parsers
/// can skip payload examples without tracking fences themselves.
fn numbered_lines(text: &str) -> Vec<PageLine<'_>> {
    let mut in_code = false;
    text.lines()
        .enumerate()
        .map(|(index, line)| {
            let fence = is_fence(line);
            if fence {
                in_code = !in_code;
            }
            PageLine { number: index + 1, text: line, in_code: in_code || fence }
        })
        .collect()
}

/// One line of a page; see [`numbered_lines`].
#[derive(Debug, Clone, Copy)]
struct PageLine<'a> {
    number: usize,
    text: &'a str,
    in_code: bool,
}

/// A Markdown pipe table found on a page.
#[derive(Debug)]
struct Table<'a> {
    /// Header cells, without the empty cell a closing `|` would produce.
    header: Vec<&'a str>,
    /// The body rows, as split by [`split_row`] (a closing `|` still shows as
    /// a trailing empty cell; see [`columns`]).
    rows: Vec<TableRow<'a>>,
}

/// One body row of a [`Table`].
#[derive(Debug)]
struct TableRow<'a> {
    line: usize,
    cells: Vec<&'a str>,
}

/// Finds the pipe tables on a page, outside code blocks.
///
/// A table is a row followed by a separator row (`|-|-|`, `| :--- |`, ...);
/// its body runs while lines keep starting with `|`. Rows that follow a blank
/// line belong to no table, as in Markdown.
fn find_tables<'a>(lines: &[PageLine<'a>]) -> Vec<Table<'a>> {
    let is_row = |line: &PageLine| !line.in_code && line.text.trim_start().starts_with('|');
    let mut tables = Vec::new();
    let mut index = 0;
    while index + 1 < lines.len() {
        let (head, separator) = (&lines[index], &lines[index + 1]);
        if !(is_row(head) && is_row(separator) && is_separator_row(separator.text)) {
            index += 1;
            continue;
        }
        let header = without_closing_pipe(split_row(head.text));
        let mut rows = Vec::new();
        index += 2;
        while index < lines.len() && is_row(&lines[index]) {
            rows.push(TableRow { line: lines[index].number, cells: split_row(lines[index].text) });
            index += 1;
        }
        tables.push(Table { header, rows });
    }
    tables
}

/// Splits a table row into trimmed cells.
///
/// The leading `|` is dropped; a closing `|` is *not*, because it cannot be
/// told apart from an empty last cell (Shopware's rows end `| - | ` when the
/// payload cell is empty). It shows up as a trailing empty cell, which
/// [`columns`] removes once the expected number of columns is known.
fn split_row(line: &str) -> Vec<&str> {
    let line = line.trim();
    let line = line.strip_prefix('|').unwrap_or(line);
    line.split('|').map(str::trim).collect()
}

/// Drops the empty cell a closing `|` leaves at the end of a split row.
fn without_closing_pipe(mut cells: Vec<&str>) -> Vec<&str> {
    if cells.len() > 1 && cells.last() == Some(&"") {
        cells.pop();
    }
    cells
}

/// Whether a row is a header separator such as `|-|-|` or `| :--- | :--- |`.
fn is_separator_row(line: &str) -> bool {
    let cells = without_closing_pipe(split_row(line));
    cells.iter().all(|cell| cell.contains('-') && cell.chars().all(|c| matches!(c, '-' | ':')))
}

/// The first `count` cells of a row, accepting one extra empty cell from a
/// closing `|`; an error naming the row if the row has another shape.
fn columns<'a>(row: &TableRow<'a>, count: usize) -> Result<Vec<&'a str>, PageError> {
    let cells = &row.cells;
    let fits = cells.len() == count || (cells.len() == count + 1 && cells[count].is_empty());
    if fits {
        Ok(cells[..count].to_vec())
    } else {
        Err(PageError::new(row.line, format!("expected a table row with {count} cells, found {} cells", cells.len())))
    }
}

/// Records a topic as seen; an error if the page already listed it in the
/// same list, since the facts hold each topic once.
fn check_duplicate(
    seen: &mut std::collections::HashMap<String, usize>,
    topic: &str,
    line: usize,
    errors: &mut Vec<PageError>,
) -> bool {
    if let Some(first) = seen.get(topic) {
        errors.push(PageError::new(line, format!("`{topic}` is listed again (first at line {first})")));
        return true;
    }
    seen.insert(topic.to_string(), line);
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_names_round_trip() {
        for platform in Platform::ALL {
            assert_eq!(platform.name().parse::<Platform>(), Ok(platform));
        }
        assert!("Shopify".parse::<Platform>().is_err());
    }

    #[test]
    fn unescape_removes_only_punctuation_escapes() {
        assert_eq!(unescape_markdown(r"app\_scopes\_update"), "app_scopes_update");
        assert_eq!(unescape_markdown(r"a\\b \n"), r"a\b \n");
        assert_eq!(unescape_markdown("trailing\\"), "trailing\\");
    }

    #[test]
    fn links_must_be_whole() {
        assert_eq!(
            parse_link(r"[product\_listings](https://x.test/a#b)"),
            Some(Link { name: "product_listings".into(), url: "https://x.test/a#b".into() })
        );
        assert_eq!(parse_link("[a](https://x.test) more"), None);
        assert_eq!(parse_link("[a]"), None);
        assert_eq!(parse_link("a(b)"), None);
    }

    #[test]
    fn rows_keep_an_empty_last_cell() {
        assert_eq!(split_row("| a | b |"), vec!["a", "b", ""]);
        assert_eq!(split_row("|`x` | d | - | "), vec!["`x`", "d", "-", ""]);
        assert_eq!(split_row("|`x` | d | - | {}"), vec!["`x`", "d", "-", "{}"]);
        assert!(is_separator_row("|-|-|"));
        assert!(is_separator_row("| :--- | :--- | :--- | :--- |"));
        assert!(!is_separator_row("| Name | Description |"));
    }

    #[test]
    fn provenance_headers_name_their_page() {
        let page = "<!-- commerce-webhooks source copy. The rest is as received.\nurl: https://x.test/a \ndate: 2026\n-->\n# Page\n";
        assert_eq!(provenance_url(page), Some("https://x.test/a"));
        assert_eq!(provenance_url("# Page\nurl: https://x.test/a\n"), None);
        assert_eq!(provenance_url("<!-- commerce-webhooks source copy.\n-->\nurl: https://x.test/a\n"), None);
    }

    #[test]
    fn every_platform_rejects_an_empty_page() {
        for platform in Platform::ALL {
            let errors = parse(platform, "").unwrap_err();
            assert!(!errors.is_empty(), "{platform}");
            assert!(errors.iter().all(|e| e.line == 1), "{platform}: {errors:?}");
        }
    }
}
