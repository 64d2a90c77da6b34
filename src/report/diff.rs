//! Renders the answer of `diff`: the verdict (regressions first), the policies and phases
//! whose figures changed, base → head with signed deltas, and every input key that
//! changed. As Markdown it is a pull-request comment: a hidden marker line a bot can find
//! to update the same comment, the changed rows, and every row folded in `<details>`.

use super::Render;
use super::document::{Document, Section, Style, TableData};
use crate::fmt::{count, mw, opt_num, percent, usd, yes_no};
use crate::plan::{DiffAnswer, Figures, ResultChange};

/// The first line of the Markdown form, an HTML comment GitHub does not show: a bot
/// finds its earlier comment by it and edits that one instead of adding another.
pub const COMMENT_MARKER: &str = "<!-- capplan diff -->";

/// A signed number with the sign always shown: `+3.6`, `-0.05`, `0`.
fn signed(value: f64, show: impl Fn(f64) -> String) -> String {
    let text = show(value.abs());
    if text.trim_start_matches(['$', '0', '.', ',']).is_empty() {
        // Rounds to nothing: no sign.
        text
    } else if value < 0.0 {
        format!("-{text}")
    } else {
        format!("+{text}")
    }
}

/// `base → head (delta)` of one figure, or the one side there is; the value alone when
/// equal.
fn change(
    base: Option<&Figures>,
    head: Option<&Figures>,
    show: impl Fn(&Figures) -> String,
    delta: impl Fn(&Figures, &Figures) -> Option<String>,
) -> String {
    match (base, head) {
        (Some(b), Some(h)) if show(b) == show(h) => show(b),
        (Some(b), Some(h)) => match delta(b, h) {
            Some(d) => format!("{} → {} ({d})", show(b), show(h)),
            None => format!("{} → {}", show(b), show(h)),
        },
        (Some(b), None) => format!("{} → –", show(b)),
        (None, Some(h)) => format!("– → {}", show(h)),
        (None, None) => String::new(),
    }
}

/// The diff's columns for one result: peak (points of utilization), fits, MW to fit,
/// training GPU-hours, and serving cost when `with_cost`.
fn cells(r: &ResultChange, with_cost: bool) -> Vec<String> {
    let (b, h) = (r.base.as_ref(), r.head.as_ref());
    let points = |v: f64| format!("{:.1}", v * 100.0);
    let mut row = vec![
        r.policy.clone(),
        r.phase.to_string(),
        r.status.to_string(),
        change(
            b,
            h,
            |f| percent(f.peak_utilization),
            |b, h| {
                Some(format!(
                    "{} pts",
                    signed(h.peak_utilization - b.peak_utilization, points)
                ))
            },
        ),
        change(b, h, |f| yes_no(f.fits), |_, _| None),
        change(
            b,
            h,
            |f| mw(f.mw_to_fit),
            |b, h| Some(format!("{} MW", signed(h.mw_to_fit - b.mw_to_fit, mw))),
        ),
        change(
            b,
            h,
            |f| count(f.training_gpu_hours),
            |b, h| Some(signed(h.training_gpu_hours - b.training_gpu_hours, count)),
        ),
    ];
    if with_cost {
        row.push(change(
            b,
            h,
            |f| f.serving_cost_per_week.map_or_else(|| "–".into(), usd),
            |b, h| {
                let (b, h) = (b.serving_cost_per_week?, h.serving_cost_per_week?);
                Some(signed(h - b, usd))
            },
        ));
    }
    row
}

impl DiffAnswer {
    /// The verdict in a sentence.
    fn verdict(&self) -> String {
        let changed = self.changed().count();
        if self.regressions.is_empty() {
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
        }
    }

    /// The results whose figures changed (every status but `unchanged`, as plan decided).
    fn changed(&self) -> impl Iterator<Item = &ResultChange> {
        self.results.iter().filter(|r| r.status != "unchanged")
    }

    /// The results table: `all` rows, or only the changed ones. A column whose figures
    /// changed in a row shown never goes on a narrow terminal, so no row is marked changed
    /// with its change hidden.
    fn table(&self, all: bool) -> TableData {
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
        let shown: Vec<&ResultChange> = self
            .results
            .iter()
            .filter(|r| all || r.status != "unchanged")
            .collect();
        let rows: Vec<Vec<String>> = shown.iter().map(|r| cells(r, with_cost)).collect();
        let moved = |column: usize| rows.iter().any(|row| row[column].contains('→'));
        let order: &[usize] = if with_cost { &[6, 7, 5] } else { &[6, 5] };
        let mut table = TableData::new(&header)
            .right([3, 5, 6, 7].into_iter().filter(|&c| c < header.len()))
            .droppable(order.iter().copied().filter(|&c| !moved(c)));
        for row in rows {
            table.row(row);
        }
        table
    }

    /// The section of inputs that changed.
    fn inputs(&self) -> Section {
        Section {
            heading: "Inputs that changed".into(),
            table: None,
            notes: if self.input_changes.is_empty() {
                vec!["No input of the scenario differs.".to_string()]
            } else {
                self.input_changes.clone()
            },
        }
    }

    /// A note saying how many rows the table leaves out, if any.
    fn left_out(&self, all: bool) -> Vec<String> {
        let unchanged = self.results.len() - self.changed().count();
        if all || unchanged == 0 {
            Vec::new()
        } else {
            vec![format!(
                "{} unchanged not shown (--all shows every row).",
                crate::fmt::plural(unchanged, "result", "results")
            )]
        }
    }
}

impl Render for DiffAnswer {
    fn document(&self) -> Document {
        let table = self.table(self.all_rows);
        Document {
            title: format!("diff: {} → {}", self.base, self.head),
            sections: vec![
                Section {
                    heading: self.verdict(),
                    table: (!table.rows.is_empty()).then_some(table),
                    notes: self.left_out(self.all_rows),
                },
                self.inputs(),
                Section {
                    heading: "Summary".into(),
                    table: None,
                    notes: vec![self.verdict()],
                },
            ],
        }
    }

    /// A pull-request comment: the marker line, the verdict, the changed rows, every row
    /// folded under `<details>`, and the inputs that changed.
    fn markdown(&self) -> Option<String> {
        let mut text = format!("{COMMENT_MARKER}\n");
        let changed = self.table(false);
        let document = Document {
            title: format!("diff: {} → {}", self.base, self.head),
            sections: vec![
                Section {
                    heading: self.verdict(),
                    table: (!changed.rows.is_empty()).then_some(changed),
                    notes: self.left_out(false),
                },
                self.inputs(),
            ],
        };
        let mut out = Vec::new();
        document.write(Style::Markdown, &mut out).ok()?;
        text.push_str(&String::from_utf8_lossy(&out));
        let every = Document {
            title: String::new(),
            sections: vec![Section {
                heading: String::new(),
                table: Some(self.table(true)),
                notes: Vec::new(),
            }],
        };
        let mut out = Vec::new();
        every.write(Style::Markdown, &mut out).ok()?;
        let every = String::from_utf8_lossy(&out);
        // Only the table: the empty title and heading lines go.
        let table: String = every
            .lines()
            .filter(|l| l.starts_with('|'))
            .map(|l| format!("{l}\n"))
            .collect();
        text.push_str(&format!(
            "\n<details>\n<summary>Every policy and phase ({})</summary>\n\n{table}\n</details>\n",
            self.results.len()
        ));
        Some(text)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deltas_carry_their_sign() {
        assert_eq!(signed(0.036, |v| format!("{:.1}", v * 100.0)), "+3.6");
        assert_eq!(signed(-47.17, mw), "-47.17");
        assert_eq!(signed(0.0001, mw), "0.00");
        assert_eq!(signed(-12345.0, usd), "-$12,345");
    }
}
