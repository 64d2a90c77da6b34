//! The report of `validate`: what the scenario holds, and its warnings or errors, without
//! running the model.

use serde::Serialize;

use super::document::{Document, Section, TableData, count, mw, percent};
use super::{Report, SCHEMA_VERSION};
use crate::scenario::{Diagnostic, Scenario, ScenarioError, ScenarioWarnings};

/// Everything `validate` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidateReport {
    /// Raised when the layout changes incompatibly.
    pub schema_version: u32,
    /// The file checked.
    pub file: String,
    /// True when the scenario can be used.
    pub valid: bool,
    /// What the scenario holds; null when it is invalid.
    pub summary: Option<Summary>,
    /// Legal but suspicious things.
    pub warnings: Vec<Finding>,
    /// Why the scenario cannot be used.
    pub errors: Vec<Finding>,
}

/// What a valid scenario holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Scenario name.
    pub name: String,
    /// Model step in minutes.
    pub step_minutes: u32,
    /// Utilization target.
    pub utilization_target: f64,
    /// GPU SKU ids.
    pub skus: Vec<String>,
    /// Model classes.
    pub classes: Vec<String>,
    /// Sites in service (no `online` date).
    pub sites_in_service: usize,
    /// Additions, `name (date)`.
    pub additions: Vec<String>,
    /// GPUs over all sites.
    pub gpus: f64,
    /// Facility MW over all sites.
    pub facility_mw: f64,
    /// Tier names.
    pub tiers: Vec<String>,
    /// Users over all tiers (organisations for API tiers).
    pub users: f64,
    /// Policy names.
    pub policies: Vec<String>,
    /// Months in `[timeline]`, if any.
    pub timeline_months: Option<u32>,
    /// Whether `[uncertainty]` is given.
    pub uncertainty: bool,
}

/// One warning or error with its place.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Key path, e.g. `site[2].power_mw`.
    pub key_path: Option<String>,
    /// Line in the file, from 1.
    pub line: Option<usize>,
    /// Column in the file, from 1.
    pub column: Option<usize>,
    /// What was found and what was expected.
    pub message: String,
}

impl ValidateReport {
    /// The report of a valid scenario.
    pub fn valid(file: &str, scenario: &Scenario, warnings: &ScenarioWarnings) -> ValidateReport {
        let positions = warnings.positions();
        ValidateReport {
            schema_version: SCHEMA_VERSION,
            file: file.to_string(),
            valid: true,
            summary: Some(Summary {
                name: scenario.name.clone(),
                step_minutes: scenario.step_minutes,
                utilization_target: scenario.utilization_target,
                skus: scenario.skus.iter().map(|s| s.name.clone()).collect(),
                classes: scenario.classes.clone(),
                sites_in_service: scenario.sites.iter().filter(|s| s.online.is_none()).count(),
                additions: scenario
                    .sites
                    .iter()
                    .filter_map(|s| s.online.map(|d| format!("{} ({d})", s.name)))
                    .collect(),
                gpus: scenario
                    .sites
                    .iter()
                    .flat_map(|s| s.gpus.iter().map(|g| g.1))
                    .sum(),
                facility_mw: scenario.sites.iter().map(|s| s.power_mw).sum(),
                tiers: scenario.tiers.iter().map(|t| t.name.clone()).collect(),
                users: scenario.tiers.iter().map(|t| t.users).sum(),
                policies: scenario.policies.iter().map(|p| p.name.clone()).collect(),
                timeline_months: scenario.timeline.as_ref().map(|t| t.months),
                uncertainty: scenario.uncertainty.is_some(),
            }),
            warnings: findings(&warnings.warnings, &positions),
            errors: Vec::new(),
        }
    }

    /// The report of an invalid scenario.
    pub fn invalid(file: &str, error: &ScenarioError) -> ValidateReport {
        let positions: Vec<Option<(usize, usize)>> = error
            .diagnostics
            .iter()
            .map(|d| {
                d.span
                    .as_ref()
                    .filter(|_| !error.source.is_empty())
                    .map(|s| error.line_column(s.start))
            })
            .collect();
        ValidateReport {
            schema_version: SCHEMA_VERSION,
            file: file.to_string(),
            valid: false,
            summary: None,
            warnings: Vec::new(),
            errors: findings(&error.diagnostics, &positions),
        }
    }
}

fn findings(diagnostics: &[Diagnostic], positions: &[Option<(usize, usize)>]) -> Vec<Finding> {
    diagnostics
        .iter()
        .zip(positions)
        .map(|(d, position)| Finding {
            key_path: d.key_path.as_ref().map(ToString::to_string),
            line: position.map(|p| p.0),
            column: position.map(|p| p.1),
            message: d.message.clone(),
        })
        .collect()
}

impl Report for ValidateReport {
    fn document(&self) -> Document {
        let mut sections = Vec::new();
        if let Some(s) = &self.summary {
            let mut table = TableData::new(&["Item", "Value"]);
            let mut add = |what: &str, value: String| table.row(vec![what.to_string(), value]);
            add(
                "scenario",
                format!(
                    "{} (step {} min, target {})",
                    s.name,
                    s.step_minutes,
                    percent(s.utilization_target)
                ),
            );
            add("GPU SKUs", s.skus.join(", "));
            add("model classes", s.classes.join(", "));
            add(
                "sites",
                format!(
                    "{} in service, {} addition(s){}",
                    s.sites_in_service,
                    s.additions.len(),
                    if s.additions.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", s.additions.join(", "))
                    }
                ),
            );
            add("GPUs", count(s.gpus));
            add("facility power", format!("{} MW", mw(s.facility_mw)));
            add(
                "tiers",
                format!("{} ({})", s.tiers.len(), s.tiers.join(", ")),
            );
            add("users", count(s.users));
            add(
                "policies",
                format!("{} ({})", s.policies.len(), s.policies.join(", ")),
            );
            add(
                "timeline",
                s.timeline_months
                    .map_or_else(|| "none".to_string(), |m| format!("{m} months")),
            );
            add(
                "uncertainty",
                if s.uncertainty {
                    "low and high cases".into()
                } else {
                    "none".into()
                },
            );
            sections.push(Section {
                heading: "Summary".into(),
                table: Some(table),
                notes: Vec::new(),
            });
        }
        let list = |items: &[Finding]| -> Vec<String> {
            items
                .iter()
                .map(|f| {
                    let place = match (f.line, f.column) {
                        (Some(l), Some(c)) => format!("line {l}, column {c}: "),
                        _ => String::new(),
                    };
                    let key = f
                        .key_path
                        .as_ref()
                        .map(|k| format!("{k}: "))
                        .unwrap_or_default();
                    format!("{place}{key}{}", f.message)
                })
                .collect()
        };
        sections.push(Section {
            heading: format!("{} warning(s)", self.warnings.len()),
            table: None,
            notes: list(&self.warnings),
        });
        if !self.valid {
            sections.push(Section {
                heading: format!("{} error(s)", self.errors.len()),
                table: None,
                notes: list(&self.errors),
            });
        }
        Document {
            title: format!(
                "{}: {}",
                self.file,
                if self.valid { "valid" } else { "INVALID" }
            ),
            sections,
        }
    }

    fn csv(&self) -> TableData {
        let mut table = TableData::new(&["file", "kind", "key_path", "line", "column", "message"]);
        for (kind, items) in [("error", &self.errors), ("warning", &self.warnings)] {
            for f in items {
                table.row(vec![
                    self.file.clone(),
                    kind.to_string(),
                    f.key_path.clone().unwrap_or_default(),
                    f.line.map(|l| l.to_string()).unwrap_or_default(),
                    f.column.map(|c| c.to_string()).unwrap_or_default(),
                    f.message.clone(),
                ]);
            }
        }
        table
    }
}
