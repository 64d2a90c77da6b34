//! `validate`: what a scenario holds, and its warnings or errors, without running the
//! model.

use serde::Serialize;

use super::SCHEMA_VERSION;
use crate::scenario::{Diagnostic, Scenario, ScenarioError, ScenarioWarnings};

/// Everything `validate` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidateAnswer {
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
    /// Warnings the scenario acknowledges (`[scenario] acknowledge`), not listed.
    pub acknowledged_warnings: usize,
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
    /// Model classes as the file names them; a class with a frontier lists the speeds
    /// (tokens/s per user) it is served at.
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
    /// Whether `[uncertainty]` gives the low and high cases.
    pub uncertainty: bool,
    /// How many samples `[uncertainty]` draws, if it samples.
    pub samples: Option<usize>,
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

impl ValidateAnswer {
    /// The report of a valid scenario.
    pub fn valid(file: &str, scenario: &Scenario, warnings: &ScenarioWarnings) -> ValidateAnswer {
        let positions = warnings.positions();
        ValidateAnswer {
            schema_version: SCHEMA_VERSION,
            file: file.to_string(),
            valid: true,
            summary: Some(Summary {
                name: scenario.name.clone(),
                step_minutes: scenario.step_minutes,
                utilization_target: scenario.utilization_target,
                skus: scenario.skus.iter().map(|s| s.name.clone()).collect(),
                classes: scenario
                    .base_classes
                    .iter()
                    .enumerate()
                    .map(|(c, class)| {
                        let speeds: Vec<String> = scenario
                            .columns
                            .iter()
                            .filter_map(|col| (col.class == c).then_some(col.speed).flatten())
                            .map(|v| v.to_string())
                            .collect();
                        if scenario.has_frontier(c) {
                            format!(
                                "{class} (frontier; speeds in use: {})",
                                if speeds.is_empty() {
                                    "none".to_string()
                                } else {
                                    speeds.join(", ")
                                }
                            )
                        } else {
                            class.clone()
                        }
                    })
                    .collect(),
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
                samples: scenario.sampling.map(|s| s.samples),
            }),
            warnings: findings(&warnings.warnings, &positions),
            acknowledged_warnings: warnings.acknowledged,
            errors: Vec::new(),
        }
    }

    /// The report of an invalid scenario.
    pub fn invalid(file: &str, error: &ScenarioError) -> ValidateAnswer {
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
        ValidateAnswer {
            schema_version: SCHEMA_VERSION,
            file: file.to_string(),
            valid: false,
            summary: None,
            warnings: Vec::new(),
            acknowledged_warnings: 0,
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
