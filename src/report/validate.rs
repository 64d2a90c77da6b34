//! Renders the answer of `validate`: what the scenario holds, and its warnings or errors.

use super::Render;
use super::document::{Document, Section, TableData};
use crate::fmt::{count, mw, percent, plural};
use crate::plan::{Finding, ValidateAnswer};

impl Render for ValidateAnswer {
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
                    "{} in service, {}{}",
                    s.sites_in_service,
                    plural(s.additions.len(), "addition", "additions"),
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
            let mut uncertainty = Vec::new();
            if s.uncertainty {
                uncertainty.push("low and high cases".to_string());
            }
            if let Some(samples) = s.samples {
                uncertainty.push(format!("{} samples", count(samples as f64)));
            }
            add(
                "uncertainty",
                if uncertainty.is_empty() {
                    "none".into()
                } else {
                    uncertainty.join(", ")
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
        let mut notes = list(&self.warnings);
        if self.acknowledged_warnings > 0 {
            notes.push(format!(
                "{} not shown ([scenario] acknowledge).",
                plural(
                    self.acknowledged_warnings,
                    "acknowledged warning",
                    "acknowledged warnings"
                )
            ));
        }
        sections.push(Section {
            heading: plural(self.warnings.len(), "warning", "warnings"),
            table: None,
            notes,
        });
        if !self.valid {
            sections.push(Section {
                heading: plural(self.errors.len(), "error", "errors"),
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
