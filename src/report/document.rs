//! A report as a title and sections of tables and notes, rendered to a terminal (box
//! tables) or to GitHub Markdown (pipe tables under headings). Every command's human
//! output goes through here, so all of them look alike and render the same way everywhere.

use std::io;

use comfy_table::{CellAlignment, ContentArrangement, Table, presets};

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
}

impl TableData {
    /// A table with these column titles and no rows yet.
    pub fn new(header: &[&str]) -> TableData {
        TableData {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
            right_aligned: Vec::new(),
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

/// A whole human-readable report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    /// The first line.
    pub title: String,
    /// The sections, in order.
    pub sections: Vec<Section>,
}

impl Document {
    /// Writes the document in the given style.
    pub fn write(&self, style: Style, out: &mut dyn io::Write) -> io::Result<()> {
        if style == Style::Ascii {
            // Tables come out in ASCII already; the rest of the text is transliterated.
            let mut text = Vec::new();
            self.write_styled(style, &mut text)?;
            return out.write_all(to_ascii(&String::from_utf8_lossy(&text)).as_bytes());
        }
        self.write_styled(style, out)
    }

    fn write_styled(&self, style: Style, out: &mut dyn io::Write) -> io::Result<()> {
        match style {
            Style::Markdown => writeln!(out, "## capplan: {}", self.title)?,
            _ => writeln!(out, "{}", self.title)?,
        }
        for section in &self.sections {
            writeln!(out)?;
            match style {
                Style::Markdown => writeln!(out, "### {}", section.heading)?,
                _ => writeln!(out, "{}", section.heading)?,
            }
            if let Some(table) = &section.table {
                writeln!(out)?;
                writeln!(out, "{}", render_table(table, style))?;
            }
            if !section.notes.is_empty() {
                writeln!(out)?;
                for note in &section.notes {
                    match style {
                        Style::Markdown => writeln!(out, "- {note}")?,
                        _ => writeln!(out, "  {note}")?,
                    }
                }
            }
        }
        Ok(())
    }
}

fn render_table(data: &TableData, style: Style) -> Table {
    let mut table = Table::new();
    // Never ask the terminal for its width: output must be byte-identical everywhere.
    table
        .force_no_tty()
        .set_content_arrangement(ContentArrangement::Disabled)
        .load_style(match style {
            Style::Terminal => presets::UTF8_FULL_CONDENSED,
            Style::Ascii => presets::ASCII_FULL_CONDENSED,
            Style::Markdown => presets::ASCII_MARKDOWN,
        })
        .set_header(data.header.clone());
    for row in &data.rows {
        match style {
            // A `|` in a name would end the cell and break the row.
            Style::Markdown => table.add_row(row.iter().map(|cell| cell.replace('|', "\\|"))),
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
}
