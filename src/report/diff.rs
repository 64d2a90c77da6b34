//! Renders the answer of `diff`: the verdict (regressions first), every policy and phase
//! base → head, and the inputs that changed.

use super::Render;
use super::document::{Document, Section, TableData};
use crate::fmt::{count, mw, opt_num, percent, usd, yes_no};
use crate::plan::{DiffAnswer, Figures};

/// `base → head` of one figure, or the one side there is; `same` when equal.
fn change(
    base: Option<&Figures>,
    head: Option<&Figures>,
    show: impl Fn(&Figures) -> String,
) -> String {
    match (base.map(&show), head.map(&show)) {
        (Some(b), Some(h)) if b == h => b,
        (Some(b), Some(h)) => format!("{b} → {h}"),
        (Some(b), None) => format!("{b} → –"),
        (None, Some(h)) => format!("– → {h}"),
        (None, None) => String::new(),
    }
}

impl Render for DiffAnswer {
    fn document(&self) -> Document {
        let changed = self
            .results
            .iter()
            .filter(|r| r.status != "unchanged")
            .count();
        let verdict = if self.regressions.is_empty() {
            format!(
                "No regressions: {changed} of {} results changed; every policy that fitted still fits",
                self.results.len()
            )
        } else {
            format!(
                "{} regression{}: {} fitted in the base and no longer fit{}",
                self.regressions.len(),
                if self.regressions.len() == 1 { "" } else { "s" },
                self.regressions.join(", "),
                if self.regressions.len() == 1 { "s" } else { "" }
            )
        };
        let with_cost = self.results.iter().any(|r| {
            [&r.base, &r.head]
                .into_iter()
                .flatten()
                .any(|f| f.serving_cost_per_week.is_some())
        });
        let mut header = vec![
            "Policy",
            "Phase",
            "Status",
            "Peak utilization",
            "Fits",
            "MW to fit",
            "Training GPU-h/week",
        ];
        if with_cost {
            header.push("Serving cost/week");
        }
        let droppable: &[usize] = if with_cost { &[6, 7, 5] } else { &[6, 5] };
        let mut table = TableData::new(&header)
            .right([3, 5, 6, 7].into_iter().filter(|&c| c < header.len()))
            .droppable(droppable.iter().copied());
        for r in &self.results {
            let (b, h) = (r.base.as_ref(), r.head.as_ref());
            let mut row = vec![
                r.policy.clone(),
                r.phase.to_string(),
                r.status.to_string(),
                change(b, h, |f| percent(f.peak_utilization)),
                change(b, h, |f| yes_no(f.fits)),
                change(b, h, |f| mw(f.mw_to_fit)),
                change(b, h, |f| count(f.training_gpu_hours)),
            ];
            if with_cost {
                row.push(change(b, h, |f| {
                    f.serving_cost_per_week.map_or_else(|| "–".into(), usd)
                }));
            }
            table.row(row);
        }
        let inputs = if self.input_changes.is_empty() {
            vec!["No site, tier, policy or utilization target differs.".to_string()]
        } else {
            self.input_changes.clone()
        };
        Document {
            title: format!("diff: {} → {}", self.base, self.head),
            sections: vec![
                Section {
                    heading: verdict,
                    table: Some(table),
                    notes: Vec::new(),
                },
                Section {
                    heading: "Inputs that changed".into(),
                    table: None,
                    notes: inputs,
                },
            ],
        }
    }

    fn csv(&self) -> TableData {
        let mut table = TableData::new(&[
            "policy",
            "phase",
            "status",
            "base_peak_utilization",
            "head_peak_utilization",
            "base_fits",
            "head_fits",
            "base_mw_to_fit",
            "head_mw_to_fit",
            "base_training_gpu_hours",
            "head_training_gpu_hours",
            "base_serving_cost_per_week",
            "head_serving_cost_per_week",
        ]);
        let side = |f: Option<&Figures>, get: fn(&Figures) -> Option<f64>| opt_num(f.and_then(get));
        let fits = |f: Option<&Figures>| f.map(|f| f.fits.to_string()).unwrap_or_default();
        for r in &self.results {
            let (b, h) = (r.base.as_ref(), r.head.as_ref());
            table.row(vec![
                r.policy.clone(),
                r.phase.to_string(),
                r.status.to_string(),
                side(b, |f| Some(f.peak_utilization)),
                side(h, |f| Some(f.peak_utilization)),
                fits(b),
                fits(h),
                side(b, |f| Some(f.mw_to_fit)),
                side(h, |f| Some(f.mw_to_fit)),
                side(b, |f| Some(f.training_gpu_hours)),
                side(h, |f| Some(f.training_gpu_hours)),
                side(b, |f| f.serving_cost_per_week),
                side(h, |f| f.serving_cost_per_week),
            ]);
        }
        table
    }
}
