//! A report as a title and sections of tables and notes, rendered to a terminal (box
//! tables) or to GitHub Markdown (pipe tables under headings). Every command's human
//! output goes through here, so all of them look alike and render the same way everywhere.

use std::io;

use comfy_table::{Cell, CellAlignment, Color, ContentArrangement, Table, presets};

/// Where the document will be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// A terminal or a log: box-drawing tables, block sparklines.
    Terminal,
    /// A terminal whose locale is not UTF-8: ASCII tables and sparklines.
    Ascii,
    /// A GitHub comment or step summary: pipe tables under headings.
    Markdown,
}

impl Style {
    /// The terminal style the locale allows: ASCII when the first of `LC_ALL`, `LC_CTYPE`
    /// and `LANG` that is set names no UTF-8 encoding (`C`, `POSIX`, `en_US.ISO-8859-1`);
    /// Unicode otherwise, including when none is set.
    pub fn for_terminal() -> Style {
        let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
            .iter()
            .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()));
        match locale {
            Some(value) => {
                let value = value.to_ascii_lowercase();
                if value.contains("utf-8") || value.contains("utf8") {
                    Style::Terminal
                } else {
                    Style::Ascii
                }
            }
            None => Style::Terminal,
        }
    }
}

/// Eight levels of a sparkline, lowest first.
const SPARK_BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
const SPARK_ASCII: [char; 8] = ['_', '.', '-', '~', '=', '+', '*', '#'];

/// A sparkline of `values` in `width` characters (each the maximum of its share of the
/// values), scaled from 0 to `top` so that lines drawn with the same `top` compare.
pub fn sparkline(values: &[f64], width: usize, top: f64) -> String {
    if values.is_empty() || width == 0 {
        return String::new();
    }
    let width = width.min(values.len());
    (0..width)
        .map(|i| {
            let (a, b) = (
                i * values.len() / width,
                ((i + 1) * values.len() / width).max(i * values.len() / width + 1),
            );
            let peak = values[a..b].iter().copied().fold(0.0, f64::max);
            let level = if top > 0.0 {
                (peak / top * 8.0).ceil() as usize
            } else {
                0
            };
            SPARK_BLOCKS[level.clamp(1, 8) - 1]
        })
        .collect()
}

/// Replaces what an ASCII terminal cannot show.
fn to_ascii(text: &str) -> String {
    text.chars()
        .map(|c| match SPARK_BLOCKS.iter().position(|&b| b == c) {
            Some(level) => SPARK_ASCII[level].to_string(),
            None => match c {
                '—' | '–' => "-".to_string(),
                '→' => "->".to_string(),
                c if c.is_ascii() => c.to_string(),
                _ => "?".to_string(),
            },
        })
        .collect()
}

/// A table's header and rows, all cells already formatted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableData {
    /// Column titles.
    pub header: Vec<String>,
    /// One vector of cells per row.
    pub rows: Vec<Vec<String>>,
    /// Columns to align right (numbers).
    pub right_aligned: Vec<usize>,
    /// Columns that may be left out on a narrow terminal, the first to go first.
    pub droppable: Vec<usize>,
}

impl TableData {
    /// A table with these column titles and no rows yet.
    pub fn new(header: &[&str]) -> TableData {
        TableData {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
            right_aligned: Vec::new(),
            droppable: Vec::new(),
        }
    }

    /// Columns that may go on a narrow terminal, in the order they go.
    pub fn droppable(mut self, columns: impl IntoIterator<Item = usize>) -> TableData {
        self.droppable.extend(columns);
        self
    }

    /// The table without column `column`, indices after it moved down one.
    fn without(&self, column: usize) -> TableData {
        let shift = |c: &usize| if *c > column { c - 1 } else { *c };
        let mut rows = self.rows.clone();
        for row in &mut rows {
            if column < row.len() {
                row.remove(column);
            }
        }
        let mut header = self.header.clone();
        header.remove(column);
        TableData {
            header,
            rows,
            right_aligned: self
                .right_aligned
                .iter()
                .filter(|c| **c != column)
                .map(shift)
                .collect(),
            droppable: self
                .droppable
                .iter()
                .filter(|c| **c != column)
                .map(shift)
                .collect(),
        }
    }

    /// Aligns these columns right.
    pub fn right(mut self, columns: impl IntoIterator<Item = usize>) -> TableData {
        self.right_aligned.extend(columns);
        self
    }

    /// Adds a row.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }
}

/// One heading with an optional table and lines of notes under it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Section {
    /// The heading.
    pub heading: String,
    /// The table, if any.
    pub table: Option<TableData>,
    /// Lines printed after the table.
    pub notes: Vec<String>,
}

/// What the terminal allows: its width (tables drop their least needed columns and notes
/// wrap to fit), and colour. The default, used off a terminal, is a fixed layout without
/// colour, so output is byte-identical everywhere.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Screen {
    /// Columns of the terminal, when writing to one and not asked for `--wide`.
    pub width: Option<usize>,
    /// Whether to colour verdicts, pass and fail (`--color`, `NO_COLOR`, `CLICOLOR_FORCE`).
    pub colour: bool,
    /// Whether standard output is a terminal.
    pub terminal: bool,
    /// Whether to fold each table in a GitHub Actions log group (`::group::`), so that a
    /// log shows the verdicts and summary with the tables one click away.
    pub groups: bool,
}

/// A whole human-readable report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    /// The first line.
    pub title: String,
    /// The sections, in order.
    pub sections: Vec<Section>,
}

impl Document {
    /// Writes the document in the given style, in the fixed layout.
    pub fn write(&self, style: Style, out: &mut dyn io::Write) -> io::Result<()> {
        self.write_on(style, Screen::default(), out)
    }

    /// Writes the document in the given style for a screen: narrower tables and wrapped
    /// notes on a narrow terminal, colour where it is allowed.
    pub fn write_on(
        &self,
        style: Style,
        screen: Screen,
        out: &mut dyn io::Write,
    ) -> io::Result<()> {
        if style == Style::Ascii {
            // Tables come out in ASCII already; the rest of the text is transliterated.
            let mut text = Vec::new();
            self.write_styled(style, screen, &mut text)?;
            return out.write_all(to_ascii(&String::from_utf8_lossy(&text)).as_bytes());
        }
        self.write_styled(style, screen, out)
    }

    fn write_styled(
        &self,
        style: Style,
        screen: Screen,
        out: &mut dyn io::Write,
    ) -> io::Result<()> {
        match style {
            Style::Markdown => writeln!(out, "## capplan: {}", markdown_text(&self.title))?,
            _ => match screen.width {
                Some(width) => {
                    for line in wrap(&self.title, width.max(20)) {
                        writeln!(out, "{line}")?;
                    }
                }
                None => writeln!(out, "{}", self.title)?,
            },
        }
        for section in &self.sections {
            writeln!(out)?;
            // In a GitHub Actions log, a table folds under its heading; the verdicts and
            // the summary, which have none, stay in sight.
            let group = screen.groups && style != Style::Markdown && section.table.is_some();
            if group {
                writeln!(out, "::group::{}", escape_workflow(&section.heading))?;
            }
            let heading_lines = match (style, screen.width) {
                (Style::Markdown, _) => vec![format!("### {}", markdown_text(&section.heading))],
                (_, Some(width)) => wrap(&section.heading, width.max(20)),
                _ => vec![section.heading.clone()],
            };
            let tone = Tone::of(&section.heading).filter(|_| screen.colour);
            for line in heading_lines {
                match tone {
                    Some(Tone::Fail) => writeln!(out, "\x1b[1;31m{line}\x1b[0m")?,
                    Some(Tone::Pass) => writeln!(out, "\x1b[1;32m{line}\x1b[0m")?,
                    None => writeln!(out, "{line}")?,
                }
            }
            let mut notes = section.notes.clone();
            if let Some(table) = &section.table {
                writeln!(out)?;
                let (rendered, hidden) = fit_table(table, style, screen);
                writeln!(out, "{rendered}")?;
                if !hidden.is_empty() {
                    notes.push(format!(
                        "Hidden to fit the terminal: {} (--wide shows every column).",
                        hidden.join(", ")
                    ));
                }
            }
            if !notes.is_empty() {
                writeln!(out)?;
                for note in &notes {
                    let lines = match (style, screen.width) {
                        (Style::Markdown, _) => {
                            writeln!(out, "- {}", markdown_text(note))?;
                            continue;
                        }
                        (_, Some(width)) => wrap(note, width.saturating_sub(2).max(20)),
                        _ => vec![note.clone()],
                    };
                    // A verdict line in colour: red what does not fit, green what does.
                    let (start, end) = match Tone::of_verdict(note).filter(|_| screen.colour) {
                        Some(Tone::Fail) => ("\x1b[31m", "\x1b[0m"),
                        Some(Tone::Pass) => ("\x1b[32m", "\x1b[0m"),
                        None => ("", ""),
                    };
                    for line in lines {
                        writeln!(out, "  {start}{line}{end}")?;
                    }
                }
            }
            if group {
                writeln!(out, "::endgroup::")?;
            }
        }
        Ok(())
    }
}

/// A workflow command's message escaped as GitHub's runner reads it (`%`, CR, LF).
fn escape_workflow(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Text from a scenario as Markdown shows it literally: every character that could start
/// a link, an image, inline HTML, emphasis, code or a strikethrough, or end a table cell,
/// is escaped with a backslash (CommonMark's escape for ASCII punctuation), so a name such
/// as `![x](https://…)` or `<img src=…>` is printed, never rendered or fetched.
pub fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '!' | '|' | '~' | '&'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The table as it fits the screen, in three steps so that no name is ever broken inside
/// a word: while it is wider than the terminal, its droppable columns go, first to last
/// (each table states its order, from the least needed; docs/output.md lists them); if it
/// is still too wide, cells wrap, but only at spaces and after hyphens; a word longer than
/// its column even then is shortened with an ellipsis (`…`). No row is ever wrapped by the
/// terminal. Returns the text and the titles of the hidden columns.
fn fit_table(data: &TableData, style: Style, screen: Screen) -> (String, Vec<String>) {
    let mut data = data.clone();
    let mut hidden = Vec::new();
    loop {
        let text = render_table(&data, style, screen.colour).to_string();
        let width = text_width(&text);
        match (screen.width, data.droppable.first().copied()) {
            (Some(limit), Some(column)) if width > limit => {
                hidden.push(data.header[column].clone());
                data = data.without(column);
            }
            (Some(limit), None) if width > limit => {
                let wrapped = wrap_cells(&data, width - limit);
                let text = render_table(&wrapped, style, screen.colour).to_string();
                return (text, hidden);
            }
            _ => return (text, hidden),
        }
    }
}

/// The widest line of a rendered table, in characters on the screen (colour codes, `ESC
/// [ … m`, take none).
fn text_width(text: &str) -> usize {
    let shown = |line: &str| {
        let mut count = 0;
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            if c == '\u{1b}' {
                chars.by_ref().find(|&d| d == 'm');
            } else {
                count += 1;
            }
        }
        count
    };
    text.lines().map(shown).max().unwrap_or(0)
}

/// The places a cell's text may break: after each space and, with `hyphens`, after each
/// hyphen that follows a letter or digit (`colossus-` then `1`; never inside `-5`). The
/// pieces keep their spaces and hyphens, so joining them gives the text back.
fn break_pieces(text: &str, hyphens: bool) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut previous: Option<char> = None;
    for (i, c) in text.char_indices() {
        let end = i + c.len_utf8();
        let breaks =
            c == ' ' || (hyphens && c == '-' && previous.is_some_and(char::is_alphanumeric));
        if breaks && end < text.len() {
            pieces.push(&text[start..end]);
            start = end;
        }
        previous = Some(c);
    }
    pieces.push(&text[start..]);
    pieces
}

/// The longest piece of a cell that cannot break, in characters (a trailing space not
/// counted): between spaces, or with `hyphens` also after hyphens.
fn unbreakable(text: &str, hyphens: bool) -> usize {
    text.lines()
        .flat_map(|line| break_pieces(line, hyphens))
        .map(|p| p.trim_end().chars().count())
        .max()
        .unwrap_or(0)
}

/// `text` in lines of at most `width` characters, filled greedily and broken only where
/// [`break_pieces`] allows (after hyphens only when some word needs it); a piece longer
/// than `width` is cut to `width - 1` characters and `…`.
fn wrap_cell(text: &str, width: usize) -> String {
    let width = width.max(1);
    let mut lines: Vec<String> = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        // Spaces first: after a hyphen only when a word is wider than the column.
        let hyphens = unbreakable(paragraph, false) > width;
        for piece in break_pieces(paragraph, hyphens) {
            let joined = format!("{line}{piece}");
            if joined.trim_end().chars().count() <= width {
                line = joined;
                continue;
            }
            if !line.is_empty() {
                lines.push(line.trim_end().to_string());
                line.clear();
            }
            if piece.trim_end().chars().count() > width {
                let cut: String = piece.chars().take(width - 1).collect();
                lines.push(format!("{cut}…"));
            } else {
                line.push_str(piece);
            }
        }
        if !line.is_empty() || lines.is_empty() {
            lines.push(line.trim_end().to_string());
        }
    }
    lines.join("\n")
}

/// The table with its cells wrapped so that it is `excess` characters narrower. Columns
/// give up characters in stages, the widest first in each: titles wrap (at spaces and
/// hyphens); then cells wrap at spaces; then also after hyphens; only then are words cut
/// short with an ellipsis.
fn wrap_cells(data: &TableData, excess: usize) -> TableData {
    let columns = data.header.len();
    let body = |c: usize| data.rows.iter().filter_map(move |r| r.get(c));
    let longest = |texts: &mut dyn Iterator<Item = usize>| texts.max().unwrap_or(0);
    let natural = |t: &String| t.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    let title: Vec<usize> = (0..columns)
        .map(|c| unbreakable(&data.header[c], true).max(1))
        .collect();
    let stages: [Vec<usize>; 4] = [
        (0..columns)
            .map(|c| longest(&mut body(c).map(natural)).max(title[c]))
            .collect(),
        (0..columns)
            .map(|c| longest(&mut body(c).map(|t| unbreakable(t, false))).max(title[c]))
            .collect(),
        (0..columns)
            .map(|c| longest(&mut body(c).map(|t| unbreakable(t, true))).max(title[c]))
            .collect(),
        vec![3; columns],
    ];
    let mut width: Vec<usize> = (0..columns)
        .map(|c| natural(&data.header[c]).max(longest(&mut body(c).map(natural))))
        .collect();
    let mut excess = excess;
    for floor in &stages {
        while excess > 0 {
            let candidate = (0..columns)
                .filter(|&c| width[c] > floor[c])
                .max_by_key(|&c| (width[c], std::cmp::Reverse(c)));
            let Some(c) = candidate else { break };
            width[c] -= 1;
            excess -= 1;
        }
    }
    let mut wrapped = data.clone();
    wrapped.header = (0..columns)
        .map(|c| wrap_cell(&data.header[c], width[c]))
        .collect();
    for row in &mut wrapped.rows {
        for (c, cell) in row.iter_mut().enumerate().take(columns) {
            *cell = wrap_cell(cell, width[c]);
        }
    }
    wrapped
}

/// Words of `text` in lines of at most `width` characters (a longer word gets a line).
pub(super) fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines
}

/// What a cell says at a glance, for colour: a failure, a pass, or neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tone {
    /// `NO …`, `… over`, `… fails`, `check failed…`.
    Fail,
    /// `yes`, `check passed…`.
    Pass,
}

impl Tone {
    /// The tone of a verdict line (a note), if it is one: what fits, what does not.
    pub(super) fn of_verdict(text: &str) -> Option<Tone> {
        let text = text.trim_end_matches('.');
        if text.ends_with(" do not")
            || text.ends_with(" does not fit")
            || text.starts_with("Never fits")
            || text.ends_with(": never fits")
            || text.starts_with("check failed")
        {
            Some(Tone::Fail)
        } else if text.ends_with("policies fit")
            || text.ends_with(" fits")
            || text.starts_with("Fits throughout")
            || text.ends_with(": fits throughout")
            || text.starts_with("check passed")
        {
            Some(Tone::Pass)
        } else {
            None
        }
    }

    /// The tone of a cell's text, if it is one of capplan's verdict words: `NO`, `NO (…)`,
    /// `NO: …`, a percentage then ` over` or ` fails`, `yes`, `check failed/passed …`. Only
    /// those shapes: a name from the scenario ("NOW", "game over") is never coloured.
    pub(super) fn of(text: &str) -> Option<Tone> {
        let percent_then = |suffix: &str| {
            text.strip_suffix(suffix).is_some_and(|number| {
                number.ends_with('%')
                    && number
                        .chars()
                        .all(|c| c.is_ascii_digit() || ".,%<>".contains(c))
            })
        };
        if text == "NO"
            || text.starts_with("NO (")
            || text.starts_with("NO: ")
            || percent_then(" over")
            || percent_then(" fails")
            || text.starts_with("check failed")
        {
            Some(Tone::Fail)
        } else if text == "yes" || text.starts_with("check passed") {
            Some(Tone::Pass)
        } else {
            None
        }
    }
}

/// Whether a cell is a sparkline (block characters only).
pub(super) fn is_sparkline(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| SPARK_BLOCKS.contains(&c))
}

/// A cell coloured by what it says: a failure red, a pass green.
fn coloured(text: &str) -> Cell {
    let cell = Cell::new(text);
    // A wrapped cell says what it said on one line.
    match Tone::of(&text.replace('\n', " ")) {
        Some(Tone::Fail) => cell.fg(Color::Red),
        Some(Tone::Pass) => cell.fg(Color::Green),
        None => cell,
    }
}

/// The table in a style, each cell's lines as given.
fn render_table(data: &TableData, style: Style, colour: bool) -> Table {
    let mut table = Table::new();
    // Never ask the terminal for its width, never let comfy-table wrap (it breaks words):
    // cells come already wrapped by `fit_table`.
    table.force_no_tty();
    table.set_content_arrangement(ContentArrangement::Disabled);
    table
        .load_style(match style {
            Style::Terminal => presets::UTF8_FULL_CONDENSED,
            Style::Ascii => presets::ASCII_FULL_CONDENSED,
            Style::Markdown => presets::ASCII_MARKDOWN,
        })
        .set_header(data.header.clone());
    if colour {
        table.enforce_styling();
    }
    for row in &data.rows {
        match style {
            // A `|` in a name would end the cell and break the row; see `markdown_text`.
            Style::Markdown => table.add_row(row.iter().map(|cell| markdown_text(cell))),
            _ if colour => table.add_row(row.iter().map(|cell| coloured(cell))),
            _ => table.add_row(row.clone()),
        };
    }
    for &column in &data.right_aligned {
        if let Some(column) = table.column_mut(column) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparklines_scale_to_a_common_top() {
        let week: Vec<f64> = (0..168)
            .map(|h| if (h % 24) >= 12 { 0.8 } else { 0.1 })
            .collect();
        let line = sparkline(&week, 28, 0.8);
        assert_eq!(line.chars().count(), 28);
        assert_eq!(line.chars().next(), Some('▁'));
        assert_eq!(line.chars().nth(2), Some('█'));
        assert_eq!(sparkline(&[0.0; 10], 5, 1.0), "▁▁▁▁▁");
        assert_eq!(sparkline(&[0.5, 1.0], 28, 1.0), "▄█");
        assert_eq!(to_ascii("▁█ → —"), "_# -> -");
    }

    #[test]
    fn a_narrow_screen_drops_columns_in_order_and_wraps_notes() {
        let mut table = TableData::new(&["name", "long optional column", "also optional", "kept"])
            .droppable([1, 2]);
        table.row(vec!["a".into(), "x".repeat(30), "y".into(), "z".into()]);
        let doc = Document {
            title: "t".into(),
            sections: vec![Section {
                heading: "h".into(),
                table: Some(table.clone()),
                notes: vec!["one two three four five six seven eight nine ten".into()],
            }],
        };
        let narrow = Screen {
            width: Some(40),
            ..Screen::default()
        };
        let mut out = Vec::new();
        doc.write_on(Style::Terminal, narrow, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.lines().all(|l| l.chars().count() <= 40), "{text}");
        assert!(
            !text.contains("long optional column") && text.contains("also optional"),
            "{text}"
        );
        let joined = text.replace("\n  ", " ");
        assert!(
            joined.contains("Hidden to fit the terminal: long optional column"),
            "{text}"
        );
        // The fixed layout keeps everything, one note per line.
        let mut out = Vec::new();
        doc.write(Style::Terminal, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("long optional column") && !text.contains("Hidden"));
        assert_eq!(wrap("aa bb cc", 5), ["aa bb", "cc"]);
        assert_eq!(wrap("abcdefgh", 3), ["abcdefgh"]);
    }

    #[test]
    fn cells_break_only_at_spaces_and_hyphens_then_shorten_with_an_ellipsis() {
        assert_eq!(
            break_pieces("colossus-1 (06-06)", true),
            ["colossus-", "1 ", "(06-", "06)"]
        );
        assert_eq!(
            break_pieces("colossus-1 (06-06)", false),
            ["colossus-1 ", "(06-06)"]
        );
        assert_eq!(break_pieces("-5.0 pts", true), ["-5.0 ", "pts"]);
        assert_eq!(
            wrap_cell("double-5h-no-peak-cut", 12),
            "double-5h-\nno-peak-cut"
        );
        assert_eq!(wrap_cell("80.0% over", 6), "80.0%\nover");
        assert_eq!(wrap_cell("api-raise", 9), "api-raise");
        assert_eq!(wrap_cell("api-raise", 5), "api-\nraise");
        assert_eq!(wrap_cell("sonnet", 4), "son…");
        assert_eq!(unbreakable("NO (floor)", true), 7);
        assert_eq!(unbreakable("colossus-1 (06-06)", true), 9);
        // A table too wide even without its droppable columns: every name stays whole.
        let mut table = TableData::new(&[
            "Month",
            "double-5h-no-peak-cut",
            "api-raise",
            "Comes online",
        ]);
        table.row(vec![
            "2026-05".into(),
            "80.0% over".into(),
            "80.0%".into(),
            "colossus-1 (06-06)".into(),
        ]);
        for limit in [40, 50, 60] {
            let (text, hidden) = fit_table(
                &table,
                Style::Terminal,
                Screen {
                    width: Some(limit),
                    ..Screen::default()
                },
            );
            assert!(hidden.is_empty());
            assert!(text_width(&text) <= limit, "{limit}: {text}");
            for word in ["api-", "raise", "colossus-", "Month", "over", "peak-"] {
                assert!(text.contains(word), "{word} split at {limit}: {text}");
            }
        }
        assert_eq!(text_width("\u{1b}[31mab\u{1b}[0m"), 2);
    }

    #[test]
    fn tables_fold_in_github_log_groups_and_verdicts_stay_out() {
        let mut table = TableData::new(&["a"]);
        table.row(vec!["1".into()]);
        let doc = Document {
            title: "t".into(),
            sections: vec![
                Section {
                    heading: "check failed: p does not fit".into(),
                    ..Section::default()
                },
                Section {
                    heading: "Policies at 100%".into(),
                    table: Some(table),
                    notes: vec!["n".into()],
                },
            ],
        };
        let screen = Screen {
            groups: true,
            colour: true,
            ..Screen::default()
        };
        let mut out = Vec::new();
        doc.write_on(Style::Terminal, screen, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.starts_with("t\n\n\x1b[1;31mcheck failed: p does not fit\x1b[0m\n\n::group::Policies at 100%25\nPolicies at 100%\n"),
            "{text}"
        );
        assert!(text.ends_with("  n\n::endgroup::\n"), "{text}");
        assert_eq!(
            Tone::of_verdict("Before the additions: 1 of 5 policies fit; a (over target) do not."),
            Some(Tone::Fail)
        );
        assert_eq!(
            Tone::of_verdict("After the additions: all 5 policies fit."),
            Some(Tone::Pass)
        );
        assert_eq!(Tone::of_verdict("Never fits: a, b."), Some(Tone::Fail));
        assert_eq!(Tone::of_verdict("a: fits throughout."), Some(Tone::Pass));
        assert_eq!(
            Tone::of_verdict("Tightest: a (before) peaks at 83.6%."),
            None
        );
        let mut out = Vec::new();
        doc.write(Style::Markdown, &mut out).unwrap();
        assert!(!String::from_utf8(out).unwrap().contains("::group::"));
    }

    #[test]
    fn a_pipe_in_a_markdown_cell_is_escaped() {
        let mut table = TableData::new(&["policy"]);
        table.row(vec!["a|b".into()]);
        let doc = Document {
            title: "t".into(),
            sections: vec![Section {
                heading: "h".into(),
                table: Some(table),
                notes: Vec::new(),
            }],
        };
        let mut out = Vec::new();
        doc.write(Style::Markdown, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("| a\\|b   |"), "{text}");
    }

    #[test]
    fn markdown_has_headings_and_pipe_tables() {
        let mut table = TableData::new(&["a", "b"]).right([1]);
        table.row(vec!["x".into(), "1".into()]);
        let doc = Document {
            title: "t".into(),
            sections: vec![Section {
                heading: "h".into(),
                table: Some(table),
                notes: vec!["n".into()],
            }],
        };
        let mut out = Vec::new();
        doc.write(Style::Markdown, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "## capplan: t\n\n### h\n\n| a | b |\n|---|---|\n| x | 1 |\n\n- n\n"
        );
    }

    #[test]
    fn only_verdict_words_are_coloured() {
        for fail in [
            "NO",
            "NO (floor)",
            "NO: no capacity for opus",
            "83.6% over",
            "1,204% fails",
        ] {
            assert_eq!(Tone::of(fail), Some(Tone::Fail), "{fail}");
        }
        assert_eq!(Tone::of("yes"), Some(Tone::Pass));
        // Names from a scenario that merely look like one.
        for name in [
            "NOW",
            "NOVA plan",
            "game over",
            "it fails",
            "yes-man",
            "x% over",
        ] {
            assert_eq!(Tone::of(name), None, "{name}");
        }
    }
}
