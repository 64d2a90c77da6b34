//! What capplan prints. Each command builds a report: a plain `Serialize` struct that is the
//! JSON contract (docs/model.md), and that also renders as a [`Document`] (terminal tables
//! or Markdown) and as one CSV table. Renderers write to any `io::Write`, so tests render
//! into a `Vec<u8>`.

mod compare;
pub mod document;
pub mod explain;
pub mod plot;
mod solve;
pub mod timeline;
mod validate;

use std::io;

use serde::Serialize;

pub use compare::{
    CaseReport, CheckVerdict, CompareReport, NMinusOneReport, PhaseReport, ResultReport,
    SiteReport, UncertaintyReport,
};
pub use document::{Document, Section, Style, TableData};
pub use explain::{ExplainReport, Share, WhatIf};
pub use solve::{SolveOutcome, SolveReport, SolvedBudget};
pub use timeline::{MonthReport, RunwayReport, TimelineReport};
pub use validate::{Finding, Summary, ValidateReport};

/// Version of the JSON layouts; raised only when a field changes meaning or goes away.
pub const SCHEMA_VERSION: u32 = 1;

/// Output formats shared by every command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human-readable tables.
    Table,
    /// The stable JSON contract for CI.
    Json,
    /// One CSV table (the command's main table).
    Csv,
    /// GitHub-flavoured Markdown tables.
    Markdown,
}

/// A command's report: serializable as JSON, and renderable for people and spreadsheets.
pub trait Report: Serialize {
    /// The human-readable form.
    fn document(&self) -> Document;
    /// The main table as CSV rows, numbers at full precision.
    fn csv(&self) -> TableData;

    /// Writes the report in the given format.
    fn write(&self, format: Format, out: &mut dyn io::Write) -> io::Result<()> {
        match format {
            Format::Table => self.document().write(Style::for_terminal(), out),
            Format::Markdown => self.document().write(Style::Markdown, out),
            Format::Json => {
                serde_json::to_writer_pretty(&mut *out, self)?;
                writeln!(out)
            }
            Format::Csv => {
                let table = self.csv();
                let mut writer = csv::Writer::from_writer(out);
                writer.write_record(&table.header)?;
                for row in &table.rows {
                    writer.write_record(row)?;
                }
                writer.flush()
            }
        }
    }
}

/// A number for CSV: full precision, the shortest text that reads back the same.
fn num(value: f64) -> String {
    value.to_string()
}

/// An optional number for CSV: empty when absent.
fn opt_num(value: Option<f64>) -> String {
    value.map(num).unwrap_or_default()
}
