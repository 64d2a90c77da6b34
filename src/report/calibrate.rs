//! Renders the answer of `calibrate`: the multipliers, each observation against the
//! calibrated model, and the inputs they imply.

use super::Render;
use super::document::{Document, Section, TableData};
use super::sensitivity::multiplier;
use crate::fmt::{num, yes_no};
use crate::plan::CalibrationAnswer;

/// A figure as the tables show it: shares and utilizations as percentages, money and
/// counts with thousands separators.
fn figure(metric: &str, value: f64) -> String {
    match metric {
        "revenue_per_week" => crate::fmt::usd(value),
        _ => format!("{:.2}%", value * 100.0),
    }
}

/// An input's value: whole numbers with separators, others to 7 significant digits.
fn value(v: f64) -> String {
    let rounded = (v * 1e7).round() / 1e7;
    if rounded.abs() >= 1000.0 {
        crate::fmt::count(v)
    } else {
        format!("{rounded}")
    }
}

impl Render for CalibrationAnswer {
    fn document(&self) -> Document {
        let mut multipliers = TableData::new(&["Adjust", "Multiplier", "At bound"]).right([1]);
        for m in &self.multipliers {
            multipliers.row(vec![
                m.adjust.clone(),
                multiplier(m.multiplier),
                if m.at_bound {
                    yes_no(true)
                } else {
                    String::new()
                },
            ]);
        }
        let mut observations =
            TableData::new(&["Policy", "Phase", "Figure", "Observed", "Model", "ln(m/o)"])
                .right([3, 4, 5])
                .droppable([5]);
        for o in &self.observations {
            let what = match &o.tier {
                Some(tier) => format!("{tier} {}", o.metric),
                None => o.metric.to_string(),
            };
            observations.row(vec![
                o.policy.clone(),
                o.phase.clone(),
                what,
                figure(o.metric, o.observed),
                figure(o.metric, o.model),
                format!("{:+.4}", o.residual),
            ]);
        }
        let mut inputs = TableData::new(&["Input", "In the file", "Calibrated"]).right([1, 2]);
        for i in &self.inputs {
            inputs.row(vec![i.key.clone(), value(i.from), value(i.to)]);
        }
        let mut notes = vec![format!(
            "Objective (sum of weight × ln(model/observed)²): {:.3e}.",
            self.objective
        )];
        if self.at_bound() {
            notes.push(
                "A multiplier sits at its bound (×0.01 or ×100): the observations ask for more than it can give (exit 1).".into(),
            );
        }
        Document {
            title: format!(
                "{} — calibration to what production observed",
                self.scenario
            ),
            sections: vec![
                Section {
                    heading: "Multipliers".into(),
                    table: Some(multipliers),
                    notes,
                },
                Section {
                    heading: "Observations".into(),
                    table: Some(observations),
                    notes: Vec::new(),
                },
                Section {
                    heading: "Inputs implied (capplan calibrate FILE --apply writes them)".into(),
                    table: Some(inputs),
                    notes: Vec::new(),
                },
            ],
        }
    }

    fn csv(&self) -> TableData {
        let mut table = TableData::new(&[
            "policy", "phase", "tier", "metric", "observed", "model", "residual",
        ]);
        for o in &self.observations {
            table.row(vec![
                o.policy.clone(),
                o.phase.clone(),
                o.tier.clone().unwrap_or_default(),
                o.metric.to_string(),
                num(o.observed),
                num(o.model),
                num(o.residual),
            ]);
        }
        table
    }
}
