//! Finds the line of a list item or key in a block-style YAML file.
//!
//! serde_yaml reports positions for syntax errors but not for deserialized values, so the
//! validator asks this index where an event or scope is written to point its errors there.
//! Flow-style YAML (`[...]`, `{...}`) is not indexed: such items get no line, never a wrong one.

use std::ops::Range;

/// Line index of one catalog file.
pub(crate) struct Locator<'a> {
    lines: Vec<&'a str>,
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The line without a trailing ` # comment`.
fn without_comment(line: &str) -> &str {
    line.find(" #").map_or(line, |at| &line[..at])
}

fn is_content(line: &str) -> bool {
    let trimmed = line.trim_start();
    !trimmed.is_empty() && !trimmed.starts_with('#')
}

/// The key of a `key: value` line, unquoted.
fn key_of(line: &str) -> Option<&str> {
    let content = line.trim_start().trim_start_matches("- ");
    let key = match content.strip_prefix('"') {
        Some(quoted) => &quoted[..quoted.find('"')?],
        None => content.split(':').next()?,
    };
    Some(key.trim())
}

impl<'a> Locator<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self { lines: text.lines().collect() }
    }

    /// The 0-based line range of each item of the block sequence under top-level `key:`.
    pub(crate) fn items(&self, key: &str) -> Vec<Range<usize>> {
        let header = format!("{key}:");
        let Some(start) = self.lines.iter().position(|l| without_comment(l).trim_end() == header) else {
            return Vec::new();
        };
        let end = (start + 1..self.lines.len())
            .find(|&i| is_content(self.lines[i]) && indent(self.lines[i]) == 0 && !self.lines[i].starts_with('-'))
            .unwrap_or(self.lines.len());
        let mut starts: Vec<usize> = Vec::new();
        let mut item_indent = None;
        for i in start + 1..end {
            let line = self.lines[i];
            if !line.trim_start().starts_with("- ") && line.trim() != "-" {
                continue;
            }
            let here = indent(line);
            if *item_indent.get_or_insert(here) == here {
                starts.push(i);
            }
        }
        let mut ranges: Vec<Range<usize>> = starts.windows(2).map(|w| w[0]..w[1]).collect();
        if let Some(&last) = starts.last() {
            ranges.push(last..end);
        }
        ranges
    }

    /// The 0-based line range of every entry of the block mapping under top-level `section:`,
    /// by name (one pass over the section, however many entries it has).
    pub(crate) fn entries(&self, section: &str) -> std::collections::HashMap<String, Range<usize>> {
        let mut entries = std::collections::HashMap::new();
        let header = format!("{section}:");
        let Some(start) = self.lines.iter().position(|l| without_comment(l).trim_end() == header) else {
            return entries;
        };
        let end = (start + 1..self.lines.len())
            .find(|&i| is_content(self.lines[i]) && indent(self.lines[i]) == 0)
            .unwrap_or(self.lines.len());
        let Some(entry_indent) = (start + 1..end).map(|i| self.lines[i]).find(|l| is_content(l)).map(indent) else {
            return entries;
        };
        let starts: Vec<usize> =
            (start + 1..end).filter(|&i| is_content(self.lines[i]) && indent(self.lines[i]) == entry_indent).collect();
        for (n, &first) in starts.iter().enumerate() {
            let last = starts.get(n + 1).copied().unwrap_or(end);
            if let Some(name) = key_of(self.lines[first]) {
                entries.entry(name.to_owned()).or_insert(first..last);
            }
        }
        entries
    }

    /// The 1-based line and column of `key:` within `range`, or of the range's first line.
    pub(crate) fn key(&self, range: &Range<usize>, key: &str) -> (usize, usize) {
        let prefix = format!("{key}:");
        for i in range.clone() {
            let line = self.lines[i];
            let content = line.trim_start().trim_start_matches("- ");
            if content.starts_with(&prefix) || key_of(line) == Some(key) {
                return (i + 1, line.len() - content.len() + 1);
            }
        }
        (range.start + 1, indent(self.lines.get(range.start).unwrap_or(&"")) + 1)
    }

    /// The 1-based line and column of `key:` within an item's lines, when the item has lines.
    pub(crate) fn position(&self, lines: &Option<Range<usize>>, key: &str) -> (Option<usize>, Option<usize>) {
        match lines {
            Some(range) => {
                let (line, column) = self.key(range, key);
                (Some(line), Some(column))
            }
            None => (None, None),
        }
    }

    /// The 1-based line and column of the second `key:` of the mapping that starts at 1-based
    /// line `start` (serde_yaml reports a repeated key at the mapping's start).
    pub(crate) fn repeated_key(&self, start: usize, key: &str) -> Option<(usize, usize)> {
        let first = (start.saturating_sub(1)..self.lines.len()).find(|&i| key_of(self.lines[i]) == Some(key))?;
        let column = self.lines[first].len() - self.lines[first].trim_start().trim_start_matches("- ").len();
        (first + 1..self.lines.len())
            .take_while(|&i| !is_content(self.lines[i]) || indent(self.lines[i]) >= column)
            .find(|&i| key_of(self.lines[i]) == Some(key) && indent(self.lines[i]) == column)
            .map(|i| (i + 1, column + 1))
    }

    /// The value of `key:` within an item's lines (e.g. the topic of an event).
    pub(crate) fn item_name(&self, range: &Range<usize>, key: &str) -> Option<String> {
        let (line, _) = self.key(range, key);
        let text = self.lines.get(line - 1)?;
        let value = text.split_once(':')?.1.trim();
        (key_of(text) == Some(key) && !value.is_empty()).then(|| value.trim_matches('"').to_owned())
    }

    /// The 1-based line of top-level `key:`.
    pub(crate) fn top_level(&self, key: &str) -> Option<usize> {
        let prefix = format!("{key}:");
        self.lines.iter().position(|l| l.starts_with(&prefix)).map(|i| i + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_items_and_keys() {
        let text = "platform: x\nevents:\n  # a comment\n  - topic: a/b\n    entity: e\n  - topic: c/d\n    scopes: none_needed\nscopes: []\n";
        let locator = Locator::new(text);
        let items = locator.items("events");
        assert_eq!(items, vec![3..5, 5..7]);
        assert_eq!(locator.key(&items[1], "scopes"), (7, 5));
        assert_eq!(locator.key(&items[0], "topic"), (4, 5));
        assert_eq!(locator.key(&items[0], "missing"), (4, 3));
        assert_eq!(locator.top_level("scopes"), Some(8));
    }
}
