//! Errors in a scenario file: each names the key path, points at the line and column, and
//! says what was found and what was expected. Rendered with annotate-snippets, the renderer
//! rustc and cargo use, so a reader sees the offending line with a caret under it.

use std::fmt;
use std::ops::Range;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// Most diagnostics one file reports; past this a line says how many more there were.
pub const MAX_DIAGNOSTICS: usize = 20;

/// One step of a key path: a table key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySegment {
    /// A key of a table, e.g. `limits`.
    Key(String),
    /// An index into an array, e.g. the `1` of `policy[1]`.
    Index(usize),
}

/// A key path such as `policy[1].limits.pro.window`, as users see it in messages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyPath(pub Vec<KeySegment>);

impl KeyPath {
    /// The path to a top-level key.
    pub fn root(key: &str) -> KeyPath {
        KeyPath(vec![KeySegment::Key(key.to_string())])
    }

    /// This path with one more key.
    pub fn key(&self, key: &str) -> KeyPath {
        let mut segments = self.0.clone();
        segments.push(KeySegment::Key(key.to_string()));
        KeyPath(segments)
    }

    /// This path with one more array index.
    pub fn index(&self, index: usize) -> KeyPath {
        let mut segments = self.0.clone();
        segments.push(KeySegment::Index(index));
        KeyPath(segments)
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A key that is not a bare TOML key is quoted with escapes, so an invisible or
        // look-alike character in it shows (`gpu."h100\u{200b}"`).
        let bare = |key: &str| {
            !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        };
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                KeySegment::Key(key) if i == 0 && bare(key) => write!(f, "{key}")?,
                KeySegment::Key(key) if i == 0 => write!(f, "{key:?}")?,
                KeySegment::Key(key) if bare(key) => write!(f, ".{key}")?,
                KeySegment::Key(key) => write!(f, ".{key:?}")?,
                KeySegment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// One problem found in a scenario file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Where in the document's keys the problem is, when known.
    pub key_path: Option<KeyPath>,
    /// Byte range in the file the problem points at, when known.
    pub span: Option<Range<usize>>,
    /// What was found and what was expected.
    pub message: String,
}

/// Every problem found in one scenario file, with the text needed to show the lines.
#[derive(Debug, Clone)]
pub struct ScenarioError {
    /// The file name as the user gave it.
    pub origin: String,
    /// The file's text (empty when it could not be read as text).
    pub source: String,
    /// The problems, in the order found (at most [`MAX_DIAGNOSTICS`]).
    pub diagnostics: Vec<Diagnostic>,
    /// How many problems were found beyond those kept.
    pub omitted: usize,
}

impl ScenarioError {
    /// An error that concerns the whole file (unreadable, empty, binary).
    pub fn whole_file(origin: &str, message: String) -> ScenarioError {
        ScenarioError {
            origin: origin.to_string(),
            source: String::new(),
            diagnostics: vec![Diagnostic {
                key_path: None,
                span: None,
                message,
            }],
            omitted: 0,
        }
    }

    /// Line and column (both from 1) of a byte offset in the source.
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        line_column(&self.source, offset)
    }
}

/// A span moved onto character boundaries, at least one character long where the text
/// allows: the renderer slices the text by it.
fn char_span(source: &str, span: &Range<usize>) -> Range<usize> {
    let start = floor_char_boundary(source, span.start.min(source.len()));
    let mut end = span.end.clamp(start, source.len());
    while !source.is_char_boundary(end) {
        end += 1;
    }
    if end == start {
        end = source[start..]
            .chars()
            .next()
            .map_or(start, |c| start + c.len_utf8());
    }
    start..end
}

/// Where each line of a text starts: built once per file, so finding the line of any byte
/// offset is a binary search, not a count from the start (a file with 20,000 policies
/// needs 20,000 lookups).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// The index of a text.
    pub fn new(text: &str) -> LineIndex {
        let starts = std::iter::once(0)
            .chain(
                text.bytes()
                    .enumerate()
                    .filter(|(_, b)| *b == b'\n')
                    .map(|(i, _)| i + 1),
            )
            .collect();
        LineIndex { starts }
    }

    /// The line (from 1) that holds a byte offset.
    pub fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset)
    }

    /// Line and column (both from 1, the column in characters) of a byte offset in `text`,
    /// the text this index was built from.
    pub fn line_column(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line(offset);
        let start = self.starts[line - 1];
        (line, text[start..offset].chars().count() + 1)
    }

    /// The byte range of lines `first..=last` (from 1), without the final line break.
    fn lines(&self, text: &str, first: usize, last: usize) -> Range<usize> {
        let start = self.starts[first - 1];
        let end = self
            .starts
            .get(last)
            .map_or(text.len(), |&next| next.saturating_sub(1).max(start));
        start..end
    }
}

/// Line and column (both from 1) of a byte offset in a text.
fn line_column(source: &str, offset: usize) -> (usize, usize) {
    LineIndex::new(source).line_column(source, offset)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        render(
            f,
            &self.origin,
            &self.source,
            &self.diagnostics,
            Level::ERROR,
        )?;
        if self.omitted > 0 {
            write!(
                f,
                "\n{}: {} not shown",
                self.origin,
                crate::fmt::plural(self.omitted, "more error", "more errors")
            )?;
        }
        Ok(())
    }
}

/// What is legal in a scenario but suspicious: shown on stderr, never a failure.
#[derive(Debug, Clone, Default)]
pub struct ScenarioWarnings {
    /// The file name as the user gave it.
    pub origin: String,
    /// The file's text.
    pub source: String,
    /// The warnings, in the order found (at most [`MAX_DIAGNOSTICS`]).
    pub warnings: Vec<Diagnostic>,
    /// How many warnings were found beyond those kept.
    pub omitted: usize,
    /// How many warnings the scenario acknowledged (`[scenario] acknowledge`), not shown.
    pub acknowledged: usize,
}

impl ScenarioWarnings {
    /// True when there is nothing to warn about.
    pub fn is_empty(&self) -> bool {
        self.warnings.is_empty()
    }

    /// Line and column (both from 1) of each warning that points into the file.
    pub fn positions(&self) -> Vec<Option<(usize, usize)>> {
        let lines = LineIndex::new(&self.source);
        self.warnings
            .iter()
            .map(|w| {
                w.span
                    .as_ref()
                    .map(|span| lines.line_column(&self.source, span.start))
            })
            .collect()
    }
}

impl fmt::Display for ScenarioWarnings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        render(
            f,
            &self.origin,
            &self.source,
            &self.warnings,
            Level::WARNING,
        )?;
        if self.omitted > 0 {
            write!(
                f,
                "\n{}: {} not shown",
                self.origin,
                crate::fmt::plural(self.omitted, "more warning", "more warnings")
            )?;
        }
        Ok(())
    }
}

/// Renders diagnostics the way rustc does: a title with the key path, then the file, line
/// and column and the offending line with a caret. The alternate form (`{:#}`) adds
/// colour; print it through a stream that drops colour off a terminal (anstream).
fn render(
    f: &mut fmt::Formatter<'_>,
    origin: &str,
    source: &str,
    diagnostics: &[Diagnostic],
    level: Level<'_>,
) -> fmt::Result {
    let renderer = if f.alternate() {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let lines = LineIndex::new(source);
    for (i, diagnostic) in diagnostics.iter().enumerate() {
        if i > 0 {
            writeln!(f)?;
        }
        let title = match &diagnostic.key_path {
            Some(path) => format!("{path}: {}", diagnostic.message),
            None => diagnostic.message.clone(),
        };
        let title = title.as_str();
        let report = match diagnostic.span.as_ref().map(|s| char_span(source, s)) {
            // The snippet's own header names the file, line and column.
            // Only the lines the span covers go to the renderer: each diagnostic costs the
            // length of its lines, not of the file.
            Some(span) if !source.is_empty() => {
                let first = lines.line(span.start);
                let last = lines.line(span.end.saturating_sub(1).max(span.start));
                let shown = lines.lines(source, first, last);
                let span = span.start - shown.start..(span.end - shown.start).min(shown.len() + 1);
                renderer.render(&[level.clone().primary_title(title).element(
                    Snippet::source(&source[shown])
                        .line_start(first)
                        .path(origin)
                        .fold(true)
                        .annotation(AnnotationKind::Primary.span(span)),
                )])
            }
            _ => {
                let header = format!("{origin}: {title}");
                renderer.render(&[Group::with_title(
                    level.clone().primary_title(header.as_str()),
                )])
            }
        };
        write!(f, "{report}")?;
    }
    Ok(())
}

impl std::error::Error for ScenarioError {}

/// Finds the byte span of the value at `path` in a parsed document, or of the deepest
/// table on the path that exists (so a missing key points at the table that lacks it).
pub fn locate(root: &Spanned<DeTable<'_>>, path: &KeyPath) -> Option<Range<usize>> {
    let mut span = root.span();
    let mut table: Option<&DeTable<'_>> = Some(root.get_ref());
    let mut array: Option<&[Spanned<DeValue<'_>>]> = None;
    for segment in &path.0 {
        let next = match segment {
            KeySegment::Key(key) => table.and_then(|t| {
                t.iter()
                    .find(|(k, _)| k.get_ref().as_ref() == key.as_str())
                    .map(|(_, v)| v)
            }),
            KeySegment::Index(index) => array.and_then(|a| a.get(*index)),
        };
        let Some(value) = next else { break };
        span = value.span();
        table = value.get_ref().as_table();
        array = value.get_ref().as_array().map(|a| a.as_ref());
    }
    // An empty span renders as nothing: point at one character instead.
    if span.is_empty() {
        span = span.start..span.start + 1;
    }
    Some(span)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_paths_read_like_toml() {
        let path = KeyPath::root("policy").index(1).key("limits").key("pro");
        assert_eq!(path.to_string(), "policy[1].limits.pro");
    }

    #[test]
    fn locate_points_at_the_value() {
        let src = "[scenario]\nname = \"x\"\n\n[[tier]]\nname = \"a\"\n\n[[tier]]\nname = \"b\"\nusers = 5\n";
        let doc = DeTable::parse(src).unwrap();
        let span = locate(&doc, &KeyPath::root("tier").index(1).key("users")).unwrap();
        assert_eq!(&src[span], "5");
        // A missing key points at the header of the table that lacks it.
        let span = locate(&doc, &KeyPath::root("tier").index(0).key("users")).unwrap();
        assert_eq!(span, 23..31);
        assert_eq!(&src[span], "[[tier]]");
    }

    #[test]
    fn spans_land_on_character_boundaries() {
        // A byte-order mark is three bytes: a span into it must widen to all of it
        // (found by the fuzzer: the renderer panicked).
        let text = "\u{feff}# comment";
        assert_eq!(char_span(text, &(0..1)), 0..3);
        assert_eq!(char_span(text, &(1..2)), 0..3);
        assert_eq!(char_span(text, &(3..3)), 3..4);
        assert_eq!(char_span("ab", &(5..9)), 2..2);
    }

    #[test]
    fn line_and_column_count_from_one() {
        let err = ScenarioError {
            origin: "x.toml".into(),
            source: "ab\ncd\n".into(),
            diagnostics: vec![],
            omitted: 0,
        };
        assert_eq!(err.line_column(0), (1, 1));
        assert_eq!(err.line_column(4), (2, 2));
    }

    #[test]
    fn the_line_index_finds_lines_by_binary_search() {
        let text = "a = 1\nbé = 2\n\nc = 3";
        let lines = LineIndex::new(text);
        assert_eq!(lines.line(0), 1);
        assert_eq!(lines.line(5), 1);
        assert_eq!(lines.line(6), 2);
        assert_eq!(lines.line(text.len()), 4);
        // Columns count characters: `=` after "bé " is the 4th.
        assert_eq!(lines.line_column(text, 10), (2, 4));
        assert_eq!(lines.lines(text, 2, 3), 6..14);
        assert_eq!(&text[lines.lines(text, 4, 4)], "c = 3");
    }

    #[test]
    fn a_diagnostic_shows_only_its_own_lines() {
        let mut source = String::new();
        for i in 0..1000 {
            source.push_str(&format!("key{i} = {i}\n"));
        }
        let offset = source.find("key500 =").unwrap();
        let err = ScenarioError {
            origin: "big.toml".into(),
            diagnostics: vec![Diagnostic {
                key_path: None,
                span: Some(offset + 9..offset + 12),
                message: "expected a small number".into(),
            }],
            source,
            omitted: 0,
        };
        let text = err.to_string();
        assert!(text.contains("--> big.toml:501:10"), "{text}");
        assert!(text.contains("501 | key500 = 500"), "{text}");
        assert!(
            !text.contains("key499") && !text.contains("key501"),
            "{text}"
        );
    }
}
