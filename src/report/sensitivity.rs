//! Renders the answer of `sensitivity`: per result, every lever with its elasticity, its
//! flip and the peak at ×0.8 and ×1.25, nearest flip first; and the nearest flips in one
//! line each, which compare's verdict reuses.

use super::Render;
use super::document::{Document, Section, TableData};
use crate::fmt::{num, opt_num, percent};
use crate::plan::{LeverAnswer, SensitivityAnswer, SensitivityResult};

/// A multiplier as the tables show it: `×1.062`, `×0.010`, `×12.5`.
pub fn multiplier(m: f64) -> String {
    if m < 10.0 {
        format!("×{m:.3}")
    } else {
        format!("×{m:.1}")
    }
}

/// A signed elasticity with two decimals, `—` when there is none.
fn elasticity(value: Option<f64>) -> String {
    match value {
        Some(0.0) => "0.00".to_string(),
        Some(e) => format!("{e:+.2}"),
        None => "—".to_string(),
    }
}

impl SensitivityResult {
    /// "fits with trn2 rates ×1.205, or pro users ×0.930" (or "stops fitting with"): the
    /// two nearest flips of the scenario's unknowns (the target and the training floor are
    /// choices, not unknowns: their flips are in the table); or that none flips it within
    /// ×1/100 to ×100.
    pub fn flip_clause(&self) -> String {
        let flips: Vec<String> = self
            .levers
            .iter()
            .filter(|l| {
                !matches!(
                    l.lever.as_str(),
                    "utilization_target" | "training_floor_gpu_hours"
                )
            })
            .filter_map(|l| l.flip.map(|m| format!("{} {}", l.label, multiplier(m))))
            .take(2)
            .collect();
        match (flips.is_empty(), self.fits) {
            (true, _) => "no input alone flips it within ×0.01 to ×100".to_string(),
            (false, true) => format!("stops fitting with {}", flips.join(", or ")),
            (false, false) => format!("fits with {}", flips.join(", or ")),
        }
    }

    /// "may-2026 before: does not fit at 89.6%; fits with trn2 rates ×1.205, or …".
    pub fn nearest_flips(&self) -> String {
        format!(
            "{} {}: {} at {}; {}",
            self.policy,
            self.phase,
            if self.fits { "fits" } else { "does not fit" },
            percent(self.peak_utilization),
            self.flip_clause()
        )
    }
}

/// A lever's row: label, elasticities, flip, low and high.
fn row(lever: &LeverAnswer) -> Vec<String> {
    vec![
        lever.label.clone(),
        elasticity(lever.elasticity),
        elasticity(lever.elasticity_training),
        lever.flip.map_or_else(|| "—".to_string(), multiplier),
        percent(lever.low),
        percent(lever.high),
    ]
}

impl Render for SensitivityAnswer {
    fn document(&self) -> Document {
        let mut sections = vec![Section {
            heading: "Nearest flips".into(),
            table: None,
            notes: self
                .results
                .iter()
                .map(SensitivityResult::nearest_flips)
                .collect(),
        }];
        for result in &self.results {
            let mut table =
                TableData::new(&["Lever", "d ln U", "d ln train", "Flip", "×0.8", "×1.25"])
                    .right([1, 2, 3, 4, 5])
                    .droppable([2, 4, 5, 1]);
            for lever in &result.levers {
                table.row(row(lever));
            }
            sections.push(Section {
                heading: format!(
                    "{} on {}: peak {}, {}",
                    result.policy,
                    result.phase,
                    percent(result.peak_utilization),
                    if result.fits { "fits" } else { "does not fit" }
                ),
                table: Some(table),
                notes: Vec::new(),
            });
        }
        sections.push(Section {
            heading: "How to read it".into(),
            table: None,
            notes: vec![
                "d ln U: % change of peak utilization per % change of the lever.".into(),
                "d ln train: the same of training GPU-hours (with a training floor).".into(),
                "Flip: the multiplier on the lever alone at which the verdict changes.".into(),
                "×0.8, ×1.25: peak utilization with the lever at ×0.8 and ×1.25.".into(),
            ],
        });
        Document {
            title: format!(
                "{} — sensitivity (target {})",
                self.scenario,
                percent(self.utilization_target)
            ),
            sections,
        }
    }

    fn csv(&self) -> TableData {
        let mut table = TableData::new(&[
            "policy",
            "phase",
            "peak_utilization",
            "fits",
            "lever",
            "elasticity",
            "elasticity_training",
            "flip",
            "low",
            "high",
        ]);
        for result in &self.results {
            for lever in &result.levers {
                table.row(vec![
                    result.policy.clone(),
                    result.phase.to_string(),
                    num(result.peak_utilization),
                    result.fits.to_string(),
                    lever.lever.clone(),
                    opt_num(lever.elasticity),
                    opt_num(lever.elasticity_training),
                    opt_num(lever.flip),
                    num(lever.low),
                    num(lever.high),
                ]);
            }
        }
        table
    }
}
