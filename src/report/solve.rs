//! The report of `solve`: the multiplier, the budgets it gives, and the binding hour.

use serde::Serialize;

use super::document::{Document, Section, TableData, count, hours, percent};
use super::{Report, num, opt_num};

/// How the search ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SolveOutcome {
    /// A finite largest multiplier exists.
    Bounded,
    /// The policy fits even with these tiers unlimited: their demand never binds.
    Unbounded,
    /// The policy does not fit even with these tiers' budgets at zero.
    Zero,
}

/// Everything `solve` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SolveReport {
    /// Raised when the layout changes incompatibly.
    pub schema_version: u32,
    /// Scenario name.
    pub scenario: String,
    /// The policy scaled.
    pub policy: String,
    /// The phase that must fit.
    pub phase: &'static str,
    /// Share of capacity usable at the latency SLO.
    pub utilization_target: f64,
    /// Bounded, unbounded or zero.
    pub outcome: SolveOutcome,
    /// The largest multiplier that fits, to 3 significant digits rounded down; null when
    /// unbounded.
    pub multiplier: Option<f64>,
    /// Peak utilization with the multiplier applied (unlimited tiers when unbounded).
    pub peak_utilization: f64,
    /// The step where that peak falls: the binding hour of the week.
    pub binding_step: usize,
    /// The binding step's start, e.g. `"Tue 14:00"` (UTC).
    pub binding_time: String,
    /// The budgets before and after, per scaled tier.
    pub budgets: Vec<SolvedBudget>,
}

/// One tier's budgets before and after scaling.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SolvedBudget {
    /// Tier name.
    pub tier: String,
    /// Window length in hours.
    pub window_hours: f64,
    /// The window budget in the scenario.
    pub window_tokens: f64,
    /// The window budget times the multiplier, rounded down; null when unbounded.
    pub solved_window_tokens: Option<f64>,
    /// The weekly budget in the scenario, if any.
    pub weekly_tokens: Option<f64>,
    /// The weekly budget times the multiplier, rounded down.
    pub solved_weekly_tokens: Option<f64>,
}

fn window(hours_: f64) -> String {
    if hours_ < 1.0 {
        format!("{}m", hours(hours_ * 60.0))
    } else {
        format!("{}h", hours(hours_))
    }
}

impl Report for SolveReport {
    fn document(&self) -> Document {
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
        }
        Document {
            title: format!(
                "{} — solve {} ({}), utilization target {}",
                self.scenario,
                self.policy,
                self.phase,
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
        ]);
        let outcome = match self.outcome {
            SolveOutcome::Bounded => "bounded",
            SolveOutcome::Unbounded => "unbounded",
            SolveOutcome::Zero => "zero",
        };
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
            ]);
        }
        table
    }
}
