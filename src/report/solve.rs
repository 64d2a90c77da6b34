//! Renders the answer of `solve`: the multiplier, the budgets it gives, and the binding hour.

use super::Render;
use super::document::{Document, Section, TableData};
use crate::fmt::{count, num, opt_num, percent, window};
use crate::plan::{SolveAnswer, SolveOutcome, SolvedSpeed};

impl Render for SolveAnswer {
    fn document(&self) -> Document {
        if let Some(speed) = &self.speed {
            return self.speed_document(speed);
        }
        let verdict = match (self.outcome, self.multiplier) {
            (SolveOutcome::Bounded, Some(m)) => format!(
                "Largest multiplier that fits: x{m} (3 significant digits, rounded down); peak utilization {} at {}, the binding hour",
                percent(self.peak_utilization),
                self.binding_time
            ),
            (SolveOutcome::Unbounded, _) => format!(
                "Unbounded: the policy fits even with these tiers unlimited (peak utilization {} at {}); their demand never binds",
                percent(self.peak_utilization),
                self.binding_time
            ),
            _ => format!(
                "Zero: the policy does not fit even with these budgets at zero (peak utilization {} at {}); the other tiers alone exceed the target",
                percent(self.peak_utilization),
                self.binding_time
            ),
        };
        let solved = |v: Option<f64>| v.map_or_else(|| "unlimited".to_string(), count);
        let mut notes = Vec::new();
        for b in &self.budgets {
            notes.push(format!(
                "{}: {} window {} → {} tokens",
                b.tier,
                window(b.window_hours),
                count(b.window_tokens),
                solved(b.solved_window_tokens)
            ));
            if let Some(weekly) = b.weekly_tokens {
                notes.push(format!(
                    "{}: weekly {} → {} tokens",
                    b.tier,
                    count(weekly),
                    solved(b.solved_weekly_tokens)
                ));
            }
            if let Some(budget) = b.window_input_tokens {
                notes.push(format!(
                    "{}: {} window {} → {} uncached input tokens",
                    b.tier,
                    window(b.window_hours),
                    count(budget),
                    solved(b.solved_window_input_tokens)
                ));
            }
            if let Some(budget) = b.weekly_input_tokens {
                notes.push(format!(
                    "{}: weekly {} → {} uncached input tokens",
                    b.tier,
                    count(budget),
                    solved(b.solved_weekly_input_tokens)
                ));
            }
        }
        if let Some(cost) = self.serving_cost_per_week {
            notes.push(match self.max_serving_cost_per_week {
                Some(most) => format!(
                    "Serving costs {} a week at this multiplier (bound {}).",
                    crate::fmt::usd(cost),
                    crate::fmt::usd(most)
                ),
                None => format!(
                    "Serving costs {} a week at this multiplier.",
                    crate::fmt::usd(cost)
                ),
            });
        }
        Document {
            title: format!(
                "{} — solve {} ({}{}), utilization target {}",
                self.scenario,
                self.policy,
                self.phase,
                if self.budget == "output" {
                    String::new()
                } else {
                    format!(", {} budgets", self.budget)
                },
                percent(self.utilization_target)
            ),
            sections: vec![Section {
                heading: verdict,
                table: None,
                notes,
            }],
        }
    }

    fn csv(&self) -> TableData {
        let mut table = TableData::new(&[
            "policy",
            "phase",
            "outcome",
            "multiplier",
            "tier",
            "window_hours",
            "window_tokens",
            "solved_window_tokens",
            "weekly_tokens",
            "solved_weekly_tokens",
            "peak_utilization",
            "binding_time",
            "budget",
            "window_input_tokens",
            "solved_window_input_tokens",
            "weekly_input_tokens",
            "solved_weekly_input_tokens",
            "speed",
            "solved_speed",
        ]);
        let outcome = match self.outcome {
            SolveOutcome::Bounded => "bounded",
            SolveOutcome::Unbounded => "unbounded",
            SolveOutcome::Zero => "zero",
        };
        if let Some(speed) = &self.speed {
            table.row(vec![
                self.policy.clone(),
                self.phase.to_string(),
                outcome.to_string(),
                String::new(),
                speed.tier.clone(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                num(self.peak_utilization),
                self.binding_time.clone(),
                self.budget.to_string(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                opt_num(speed.speed),
                opt_num(speed.solved_speed),
            ]);
        }
        for b in &self.budgets {
            table.row(vec![
                self.policy.clone(),
                self.phase.to_string(),
                outcome.to_string(),
                opt_num(self.multiplier),
                b.tier.clone(),
                num(b.window_hours),
                num(b.window_tokens),
                opt_num(b.solved_window_tokens),
                opt_num(b.weekly_tokens),
                opt_num(b.solved_weekly_tokens),
                num(self.peak_utilization),
                self.binding_time.clone(),
                self.budget.to_string(),
                opt_num(b.window_input_tokens),
                opt_num(b.solved_window_input_tokens),
                opt_num(b.weekly_input_tokens),
                opt_num(b.solved_weekly_input_tokens),
                String::new(),
                String::new(),
            ]);
        }
        table
    }
}

impl SolveAnswer {
    /// The answer of `solve --budget speed|peak-speed`: the fastest speed that fits.
    fn speed_document(&self, speed: &SolvedSpeed) -> Document {
        let which = if speed.key == "peak_speed" {
            "peak_speed (in peak steps)"
        } else {
            "speed"
        };
        let [slowest, fastest] = speed.frontier;
        let verdict = match (self.outcome, speed.solved_speed) {
            (SolveOutcome::Bounded, Some(v)) => format!(
                "Fastest {which} that fits for {}: {} tokens/s per user (3 significant digits, rounded down); peak utilization {} at {}, the binding hour",
                speed.tier,
                num(v),
                percent(self.peak_utilization),
                self.binding_time
            ),
            (SolveOutcome::Unbounded, _) => format!(
                "Unbounded: {} fits at the fastest {which} its frontiers cover, {} tokens/s per user (peak utilization {} at {})",
                speed.tier,
                num(fastest),
                percent(self.peak_utilization),
                self.binding_time
            ),
            _ => format!(
                "Zero: the policy does not fit{} even with {} at the slowest {which} its frontiers cover, {} tokens/s per user (peak utilization {} at {})",
                self.max_serving_cost_per_week
                    .map_or_else(String::new, |most| format!(
                        " within the serving cost bound of {} a week",
                        crate::fmt::usd(most)
                    )),
                speed.tier,
                num(slowest),
                percent(self.peak_utilization),
                self.binding_time
            ),
        };
        let now = speed.speed.map_or_else(
            || "its own speed".to_string(),
            |v| format!("{} tokens/s per user", num(v)),
        );
        let mut notes = vec![match speed.solved_speed {
            Some(v) => format!(
                "{}: {which} {now} → {} tokens/s per user (its frontiers cover {} to {})",
                speed.tier,
                num(v),
                num(slowest),
                num(fastest)
            ),
            None => format!(
                "{}: {which} {now}; no speed its frontiers cover ({} to {}) fits",
                speed.tier,
                num(slowest),
                num(fastest)
            ),
        }];
        if let Some(cost) = self.serving_cost_per_week {
            notes.push(match self.max_serving_cost_per_week {
                Some(most) => format!(
                    "Serving costs {} a week at this speed (bound {}).",
                    crate::fmt::usd(cost),
                    crate::fmt::usd(most)
                ),
                None => format!(
                    "Serving costs {} a week at this speed.",
                    crate::fmt::usd(cost)
                ),
            });
        }
        Document {
            title: format!(
                "{} — solve {} ({}, {}), utilization target {}",
                self.scenario,
                self.policy,
                self.phase,
                which,
                percent(self.utilization_target)
            ),
            sections: vec![Section {
                heading: verdict,
                table: None,
                notes,
            }],
        }
    }
}
