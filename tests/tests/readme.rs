//! The README's coverage table tells the truth: its figures are the catalogs' own.

use commerce_webhooks_tests::{model, workspace_root};

#[test]
fn coverage_table_matches_the_catalogs() {
    let readme = std::fs::read_to_string(workspace_root().join("README.md")).unwrap();
    let model = model();
    for platform in &model.platforms {
        let row = readme
            .lines()
            .find(|line| line.starts_with(&format!("| {} ", platform.name)))
            .unwrap_or_else(|| panic!("README coverage table has no row for {}", platform.name));
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let events: usize = cells[2].parse().unwrap();
        assert_eq!(events, platform.events.len(), "{}: events in README row `{row}`", platform.name);
        // Added from newer pages: the events citing a later `sources:` entry as their `source:`.
        let newer = |url: &str| platform.sources[1..].iter().any(|source| source.url == url);
        let added = platform.events.iter().filter(|e| e.source.as_deref().is_some_and(newer)).count();
        let main: usize = cells[3].split_whitespace().next().unwrap().parse().unwrap();
        assert_eq!(main, platform.events.len() - added, "{}: main-page events in README row `{row}`", platform.name);
        assert_eq!(cells[4], added.to_string(), "{}: added events in README row `{row}`", platform.name);
        let scopes =
            if platform.scopes.is_empty() { "not documented".to_owned() } else { platform.scopes.len().to_string() };
        assert_eq!(cells[5], scopes, "{}: scopes in README row `{row}`", platform.name);
        assert_eq!(cells[6], platform.groups.len().to_string(), "{}: groups in README row `{row}`", platform.name);
        let (described, undocumented, total) = platform.field_descriptions();
        let fields = match undocumented {
            0 => format!("{described} of {total}"),
            _ => format!("{described} of {total} ({undocumented} undocumented)"),
        };
        assert_eq!(cells[7], fields, "{}: fields described in README row `{row}`", platform.name);
        for source in &platform.sources {
            // Topic references are Markdown (or MDX); supporting pages (Ecwid's overview, `.txt`) need no link.
            let listed = source.page.ends_with(".md") || source.page.ends_with(".mdx");
            assert!(
                !listed || cells[8].contains(&format!("catalog/{}", source.page)),
                "{}: the Sources cell does not link {}",
                platform.name,
                source.page
            );
        }
    }
    let total: usize = model.platforms.iter().map(|p| p.events.len()).sum();
    assert!(readme.contains(&format!("{total} events in all")), "README must state the total, {total}");
}
