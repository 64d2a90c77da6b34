//! Renders answers, and only renders them: each answer of [`crate::plan`] becomes a
//! [`Document`] (terminal tables or Markdown), one CSV table, or its JSON, written to any
//! `io::Write` so tests render into a `Vec<u8>`; [`plot`] draws the week and the timeline
//! as SVG; [`html`] makes a page of any answer, and the whole report of a scenario. Nothing here runs the model or decides a verdict.

mod calibrate;
mod compare;
pub mod diff;
pub mod document;
mod explain;
pub mod html;
pub mod plot;
pub mod sensitivity;
pub mod sets;
mod solve;
mod timeline;
mod validate;

use std::io;

use serde::Serialize;

pub use document::{Document, Screen, Section, Style, TableData};

/// Output formats shared by every command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Human-readable tables.
    Table,
    /// The stable JSON contract for CI.
    Json,
    /// One CSV table (the command's main table).
    Csv,
    /// GitHub-flavoured Markdown tables.
    Markdown,
    /// JUnit XML, as GitLab and Jenkins read test reports (`check` only).
    Junit,
    /// One self-contained HTML page.
    Html,
}

/// An answer that renders: serializable as JSON, and as a document and a CSV table.
pub trait Render: Serialize {
    /// The human-readable form.
    fn document(&self) -> Document;
    /// The main table as CSV rows, numbers at full precision.
    fn csv(&self) -> TableData;

    /// The answer as a JUnit XML report, for the answers that are test results (`check`).
    fn junit(&self) -> Option<String> {
        None
    }

    /// A Markdown form of its own, for an answer whose Markdown is more than its document
    /// (`diff`'s pull-request comment); the document's otherwise.
    fn markdown(&self) -> Option<String> {
        None
    }

    /// Writes the answer in the given format, in the fixed layout.
    fn write(&self, format: Format, out: &mut dyn io::Write) -> io::Result<()> {
        self.write_on(format, Screen::default(), out)
    }

    /// Writes the answer in the given format; tables fit `screen` (a terminal's width and
    /// colour; the other formats ignore it).
    fn write_on(&self, format: Format, screen: Screen, out: &mut dyn io::Write) -> io::Result<()> {
        match format {
            Format::Table => self.document().write_on(Style::for_terminal(), screen, out),
            Format::Markdown => match self.markdown() {
                Some(text) => out.write_all(text.as_bytes()),
                None => self.document().write(Style::Markdown, out),
            },
            Format::Html => out.write_all(html::page(&self.document()).as_bytes()),
            Format::Json => {
                serde_json::to_writer_pretty(&mut *out, self)?;
                writeln!(out)
            }
            Format::Junit => match self.junit() {
                Some(xml) => writeln!(out, "{xml}"),
                None => Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "--format junit is for check: its gates are the test cases",
                )),
            },
            Format::Csv => {
                let table = self.csv();
                let mut writer = csv::Writer::from_writer(out);
                writer.write_record(&table.header)?;
                for row in &table.rows {
                    writer
                        .write_record(row.iter().map(|cell| spreadsheet_safe(cell).into_owned()))?;
                }
                writer.flush()
            }
        }
    }
}

/// A CSV cell a spreadsheet will not run: text that starts like a formula (`=`, `+`, `-`,
/// `@`, a tab or a carriage return) gets a leading `'`, as OWASP advises; numbers, even
/// negative ones, stay as they are.
fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    let formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if formula && cell.parse::<f64>().is_err() {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_never_start_a_formula() {
        assert_eq!(spreadsheet_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(spreadsheet_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(spreadsheet_safe("-0.25"), "-0.25");
        assert_eq!(spreadsheet_safe("-1e-9"), "-1e-9");
        assert_eq!(spreadsheet_safe("may-2026"), "may-2026");
    }
}
