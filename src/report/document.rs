//! A report as a title and sections of tables and notes, rendered to a terminal (box
//! tables) or to GitHub Markdown (pipe tables under headings). Every command's human
//! output goes through here, so all of them look alike and render the same way everywhere.

use std::io;

use comfy_table::{CellAlignment, ContentArrangement, Table, presets};

/// Where the document will be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// A terminal or a log: box-drawing tables.
    Terminal,
    /// A GitHub comment or step summary: pipe tables under headings.
    Markdown,
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
        match style {
            Style::Terminal => writeln!(out, "{}", self.title)?,
            Style::Markdown => writeln!(out, "## capplan: {}", self.title)?,
        }
        for section in &self.sections {
            writeln!(out)?;
            match style {
                Style::Terminal => writeln!(out, "{}", section.heading)?,
                Style::Markdown => writeln!(out, "### {}", section.heading)?,
            }
            if let Some(table) = &section.table {
                writeln!(out)?;
                writeln!(out, "{}", render_table(table, style))?;
            }
            if !section.notes.is_empty() {
                writeln!(out)?;
                for note in &section.notes {
                    match style {
                        Style::Terminal => writeln!(out, "  {note}")?,
                        Style::Markdown => writeln!(out, "- {note}")?,
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
            Style::Markdown => presets::ASCII_MARKDOWN,
        })
        .set_header(data.header.clone());
    for row in &data.rows {
        table.add_row(row.clone());
    }
    for &column in &data.right_aligned {
        if let Some(column) = table.column_mut(column) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    table
}

/// A fraction as a percentage with one decimal: 0.8531 → "85.3%".
pub fn percent(fraction: f64) -> String {
    format!("{:.1}%", fraction * 100.0)
}

/// Megawatts with two decimals.
pub fn mw(value: f64) -> String {
    format!("{value:.2}")
}

/// Hours with up to two decimals (quarter-hour steps), no trailing zeros.
pub fn hours(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A count rounded to a whole number with thousands separators: 1234567.8 → "1,234,568".
pub fn count(value: f64) -> String {
    let rounded = value.round();
    let digits = format!("{:.0}", rounded.abs());
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    if rounded < 0.0 {
        format!("-{grouped}")
    } else {
        grouped
    }
}

/// "yes" or "NO", so failures stand out in a column.
pub fn yes_no(value: bool) -> String {
    if value { "yes" } else { "NO" }.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(count(1234567.8), "1,234,568");
        assert_eq!(count(999.0), "999");
        assert_eq!(count(0.0), "0");
        assert_eq!(count(-1500.0), "-1,500");
        assert_eq!(percent(0.8531), "85.3%");
        assert_eq!(hours(30.0), "30");
        assert_eq!(hours(2.25), "2.25");
        assert_eq!(mw(12.3456), "12.35");
        assert_eq!(yes_no(false), "NO");
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
