//! `solve`: the largest multiplier on some tiers' budgets (window and weekly) with which a
//! policy still fits. Served demand, and so utilization, grows monotonically with the
//! multiplier, so the answer is found by bisection and reported to 3 significant digits,
//! rounded down: the reported multiplier fits, and 1 % more does not.

use anyhow::bail;
use serde::Serialize;

use super::SCHEMA_VERSION;
use super::cost::cost_of;
use crate::fmt::num;
use crate::model::{Evaluator, FleetCapacity, Headroom, Phase};
use crate::scenario::units::step_label;
use crate::scenario::{Policy, Scenario};

/// What to solve for.
#[derive(Debug, Clone, PartialEq)]
pub struct SolveRequest {
    /// Index of the policy whose budgets are scaled.
    pub policy: usize,
    /// Indices of the tiers to scale; empty means every tier the policy limits.
    pub tiers: Vec<usize>,
    /// The phase that must fit.
    pub phase: Phase,
    /// Which budgets the multiplier scales.
    pub budget: Budget,
    /// The most serving may cost a week, USD: the multiplier must also keep within it.
    pub max_serving_cost: Option<f64>,
}

/// Which of a limit's budgets `solve` scales.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    /// Output budgets: `window_tokens` and `weekly_tokens`.
    Output,
    /// Uncached input budgets: `window_input_tokens` and `weekly_input_tokens`.
    Input,
    /// Both.
    All,
    /// Not a budget: one tier's `speed` (model v3), the fastest that fits.
    Speed,
    /// One tier's `peak_speed`, the fastest that fits.
    PeakSpeed,
}

impl Budget {
    /// Whether the output budgets scale.
    fn output(self) -> bool {
        matches!(self, Budget::Output | Budget::All)
    }

    /// Whether the input budgets scale.
    fn input(self) -> bool {
        matches!(self, Budget::Input | Budget::All)
    }

    /// Whether it solves for a speed rather than a multiplier.
    fn speed(self) -> bool {
        matches!(self, Budget::Speed | Budget::PeakSpeed)
    }

    /// The name used in reports and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Budget::Output => "output",
            Budget::Input => "input",
            Budget::All => "all",
            Budget::Speed => "speed",
            Budget::PeakSpeed => "peak_speed",
        }
    }
}

/// Bisection stops when the bracket is this narrow, relative to the multiplier.
const RELATIVE_PRECISION: f64 = 1e-9;

/// The largest multiplier tried: past it, budgets are taken as never binding.
const LARGEST_MULTIPLIER: f64 = 1e12;

/// Below this multiplier, the answer is zero: no budget so small is worth promising.
const SMALLEST_MULTIPLIER: f64 = 1e-9;

/// The most halvings of the bracket: from [0, 1] to below 1e-9 takes 30, and from
/// [2^39, 2^40] to a relative 1e-9 takes 30 more.
const MAX_HALVINGS: usize = 200;

/// The most weeks one solve evaluates: zero, unlimited, the bracket's doublings up to
/// `LARGEST_MULTIPLIER` (40) and the halvings, each possibly twice with a cost bound.
pub const SOLVE_MAX_EVALUATIONS: usize = 2 * (3 + 40 + MAX_HALVINGS);

/// Solves for the largest multiplier. Errors when a named tier has no limit to scale.
pub fn solve(scenario: &Scenario, request: &SolveRequest) -> anyhow::Result<SolveAnswer> {
    let policy = &scenario.policies[request.policy];
    if request.max_serving_cost.is_some() && !scenario.has_costs {
        bail!("--max-cost needs costs in the scenario (cost_per_gpu_hour, cost_per_mw_month)");
    }
    if request.budget.speed() {
        return solve_speed(scenario, request);
    }
    let tiers: Vec<usize> = if request.tiers.is_empty() {
        (0..scenario.tiers.len())
            .filter(|&t| policy.limits[t].is_some())
            .collect()
    } else {
        for &t in &request.tiers {
            if policy.limits[t].is_none() {
                bail!(
                    "--tier {:?}: policy {:?} sets no limit for it, so there is no budget to scale",
                    scenario.tiers[t].name,
                    policy.name
                );
            }
        }
        request.tiers.clone()
    };
    if tiers.is_empty() {
        bail!(
            "policy {:?} limits no tier, so there is no budget to scale",
            policy.name
        );
    }
    let budget = request.budget;
    let positive = |b: Option<f64>| b.is_some_and(|b| b > 0.0);
    let scalable = |t: &usize| {
        policy.limits[*t].is_some_and(|l| {
            (budget.output() && (l.window_tokens > 0.0 || positive(l.weekly_tokens)))
                || (budget.input()
                    && (positive(l.window_input_tokens) || positive(l.weekly_input_tokens)))
        })
    };
    if !tiers.iter().any(scalable) {
        let names: Vec<&str> = tiers
            .iter()
            .map(|&t| scenario.tiers[t].name.as_str())
            .collect();
        bail!(
            "policy {:?} gives {} a budget of 0 tokens, or no {} budget at all, which no multiplier scales; give a positive one to solve for",
            policy.name,
            names.join(", "),
            budget.name()
        );
    }
    let fleet = FleetCapacity::of_phase(scenario, &request.phase);
    // Users as the phase sees them: grown to a dated phase's date.
    let users = request.phase.users_scale(scenario);
    let evaluator = Evaluator::new(scenario);
    // The week at a multiplier, and whether it fits: the model's verdict, and a serving
    // cost within the bound when one is asked.
    let run = |multiplier: Option<f64>| -> (Headroom, bool) {
        let h = evaluator.evaluate(&fleet, &scaled(policy, &tiers, multiplier, budget), &users);
        let fits = h.fits()
            && request.max_serving_cost.is_none_or(|most| {
                cost_of(scenario, &fleet, &h, &users).serving_cost_per_week <= most
            });
        (h, fits)
    };
    let fits = |multiplier: Option<f64>| run(multiplier).1;

    let (zero, zero_fits) = run(Some(0.0));
    let (outcome, multiplier, at) = if !zero_fits {
        (SolveOutcome::Zero, Some(0.0), zero)
    } else if fits(None) {
        (SolveOutcome::Unbounded, None, run(None).0)
    } else {
        // Bracket the answer: `low` fits, `high` does not. Both loops are bounded: the
        // bracket by LARGEST_MULTIPLIER, the bisection by MAX_HALVINGS.
        let (mut low, mut high) = (0.0, 1.0);
        while high < LARGEST_MULTIPLIER && fits(Some(high)) {
            low = high;
            high *= 2.0;
        }
        if high >= LARGEST_MULTIPLIER {
            bail!(
                "policy {:?} fits with these budgets times {LARGEST_MULTIPLIER:e} but not without limits; a budget of 0 tokens does not scale, so give the tiers a positive window_tokens",
                policy.name
            );
        }
        for _ in 0..MAX_HALVINGS {
            if high - low <= RELATIVE_PRECISION * high || high < SMALLEST_MULTIPLIER {
                break;
            }
            let middle = 0.5 * (low + high);
            if fits(Some(middle)) {
                low = middle;
            } else {
                high = middle;
            }
        }
        let reported = floor_significant(low, 3);
        if reported == 0.0 {
            // No positive multiplier fits: only budgets of zero do (the phase cannot
            // serve these tiers at all, say).
            (SolveOutcome::Zero, Some(0.0), zero)
        } else {
            (SolveOutcome::Bounded, Some(reported), run(Some(reported)).0)
        }
    };

    let budgets = tiers
        .iter()
        .map(|&t| {
            let limit = policy.limits[t].expect("only limited tiers are scaled");
            let scale = |scales: bool| {
                move |tokens: f64| {
                    if scales {
                        multiplier.map(|m| (tokens * m).floor())
                    } else {
                        Some(tokens)
                    }
                }
            };
            let (output, input) = (scale(budget.output()), scale(budget.input()));
            SolvedBudget {
                tier: scenario.tiers[t].name.clone(),
                window_hours: limit.window_hours,
                window_tokens: limit.window_tokens,
                solved_window_tokens: output(limit.window_tokens),
                weekly_tokens: limit.weekly_tokens,
                solved_weekly_tokens: limit.weekly_tokens.and_then(output),
                window_input_tokens: limit.window_input_tokens,
                solved_window_input_tokens: limit.window_input_tokens.and_then(input),
                weekly_input_tokens: limit.weekly_input_tokens,
                solved_weekly_input_tokens: limit.weekly_input_tokens.and_then(input),
            }
        })
        .collect();
    Ok(SolveAnswer {
        schema_version: SCHEMA_VERSION,
        scenario: scenario.name.clone(),
        policy: policy.name.clone(),
        phase: request.phase.clone(),
        budget: budget.name(),
        utilization_target: scenario.utilization_target,
        outcome,
        multiplier,
        peak_utilization: at.peak_utilization,
        binding_step: at.peak_step,
        binding_time: step_label(at.peak_step, scenario.step_minutes),
        max_serving_cost_per_week: request.max_serving_cost,
        serving_cost_per_week: scenario
            .has_costs
            .then(|| cost_of(scenario, &fleet, &at, &users).serving_cost_per_week),
        budgets,
        speed: None,
    })
}

/// `solve --budget speed|peak-speed`: the fastest speed one tier can be served at (off
/// peak and at peak, or at peak only) with the policy still fitting. Utilization never
/// falls as speed rises (a frontier's throughput strictly decreases), so bisection over the
/// speeds every frontier the tier reaches covers finds it; reported to 3 significant
/// digits, rounded down.
fn solve_speed(scenario: &Scenario, request: &SolveRequest) -> anyhow::Result<SolveAnswer> {
    let policy = &scenario.policies[request.policy];
    let [t] = request.tiers[..] else {
        bail!(
            "--budget {} solves for one tier's speed: name it with one --tier",
            request.budget.name()
        );
    };
    let tier = &scenario.tiers[t];
    let range = scenario.speed_range(t);
    let Some((low, high)) = range else {
        bail!(
            "--tier {:?}: no class it asks has a frontier, so its speed moves no capacity; give a SKU's tokens_per_s as [[tokens/s per user, tokens/s per GPU], ...] to solve for a speed",
            tier.name
        );
    };
    if low > high {
        bail!(
            "--tier {:?}: its classes' frontiers share no speed ({} to {} tokens/s per user)",
            tier.name,
            num(low),
            num(high)
        );
    }
    let peak_only = request.budget == Budget::PeakSpeed;
    if peak_only
        && !scenario
            .peak_hours
            .mask(scenario.step_minutes)
            .contains(&true)
    {
        bail!(
            "--budget peak-speed needs peak steps: [scenario] peak_hours marks none at this step length, so a peak_speed would change nothing"
        );
    }
    let from = policy.speed_at(t, tier, peak_only);
    let users = request.phase.users_scale(scenario);
    // The week with the tier at speed `v`, whether it fits, and its serving cost a week
    // (when the scenario gives costs), each on that speed's own columns.
    let run = |v: f64| -> (Headroom, bool, Option<f64>) {
        let s = scenario.with_speed(request.policy, t, v, peak_only);
        let fleet = FleetCapacity::of_phase(&s, &request.phase);
        let h = Evaluator::new(&s).evaluate(&fleet, &s.policies[request.policy], &users);
        let cost = s
            .has_costs
            .then(|| cost_of(&s, &fleet, &h, &users).serving_cost_per_week);
        let fits = h.fits()
            && request
                .max_serving_cost
                .is_none_or(|most| cost.is_some_and(|cost| cost <= most));
        (h, fits, cost)
    };
    let slowest = run(low);
    let (outcome, speed, (at, _, cost)) = if !slowest.1 {
        (SolveOutcome::Zero, None, slowest)
    } else {
        let fastest = run(high);
        if fastest.1 {
            (SolveOutcome::Unbounded, Some(high), fastest)
        } else {
            let (mut fits_at, mut fails_at) = (low, high);
            for _ in 0..MAX_HALVINGS {
                if fails_at - fits_at <= RELATIVE_PRECISION * fails_at {
                    break;
                }
                // Halfway in ln(speed), as the frontier is interpolated.
                let middle = (fits_at * fails_at).sqrt();
                if run(middle).1 {
                    fits_at = middle;
                } else {
                    fails_at = middle;
                }
            }
            let reported = floor_significant(fits_at, 3).max(low);
            (SolveOutcome::Bounded, Some(reported), run(reported))
        }
    };
    Ok(SolveAnswer {
        schema_version: SCHEMA_VERSION,
        scenario: scenario.name.clone(),
        policy: policy.name.clone(),
        phase: request.phase.clone(),
        budget: request.budget.name(),
        utilization_target: scenario.utilization_target,
        outcome,
        multiplier: None,
        peak_utilization: at.peak_utilization,
        binding_step: at.peak_step,
        binding_time: step_label(at.peak_step, scenario.step_minutes),
        max_serving_cost_per_week: request.max_serving_cost,
        serving_cost_per_week: cost,
        budgets: Vec::new(),
        speed: Some(SolvedSpeed {
            tier: tier.name.clone(),
            key: request.budget.name(),
            speed: from,
            solved_speed: speed,
            frontier: [low, high],
        }),
    })
}

/// The policy with the `budget` budgets of `tiers` multiplied (window and weekly), or
/// removed when `multiplier` is `None` (the limit of a multiplier growing without bound).
fn scaled(policy: &Policy, tiers: &[usize], multiplier: Option<f64>, budget: Budget) -> Policy {
    let mut policy = policy.clone();
    for &t in tiers {
        let Some(mut limit) = policy.limits[t] else {
            continue;
        };
        let has_input = limit.window_input_tokens.is_some() || limit.weekly_input_tokens.is_some();
        policy.limits[t] = match multiplier {
            // Every budget of the limit goes: the tier is unlimited.
            None if budget == Budget::All || (budget == Budget::Output && !has_input) => None,
            None => {
                if budget.output() {
                    limit.window_tokens = f64::INFINITY;
                    limit.weekly_tokens = None;
                }
                if budget.input() {
                    limit.window_input_tokens = None;
                    limit.weekly_input_tokens = None;
                }
                Some(limit)
            }
            Some(m) => {
                if budget.output() {
                    limit.window_tokens *= m;
                    limit.weekly_tokens = limit.weekly_tokens.map(|w| w * m);
                }
                if budget.input() {
                    limit.window_input_tokens = limit.window_input_tokens.map(|w| w * m);
                    limit.weekly_input_tokens = limit.weekly_input_tokens.map(|w| w * m);
                }
                Some(limit)
            }
        };
    }
    policy
}

/// `value` rounded down to `digits` significant digits: 2.3789 → 2.37.
fn floor_significant(value: f64, digits: i32) -> f64 {
    if value <= 0.0 {
        return 0.0;
    }
    let exponent = value.log10().floor() as i32 - (digits - 1);
    let unit = 10f64.powi(exponent);
    // Guard against 2.37 being stored as 2.3699999…: nudge up by a few ulps first.
    let units = (value / unit * (1.0 + 4.0 * f64::EPSILON)).floor();
    if exponent >= 0 {
        units * unit
    } else {
        units / 10f64.powi(-exponent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_down_to_three_significant_digits() {
        assert_eq!(floor_significant(2.3789, 3), 2.37);
        assert_eq!(floor_significant(2.37, 3), 2.37);
        assert_eq!(floor_significant(1234.9, 3), 1230.0);
        assert_eq!(floor_significant(0.0123456, 3), 0.0123);
        assert_eq!(floor_significant(0.0, 3), 0.0);
    }
}

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
pub struct SolveAnswer {
    /// Raised when the layout changes incompatibly.
    pub schema_version: u32,
    /// Scenario name.
    pub scenario: String,
    /// The policy scaled.
    pub policy: String,
    /// The phase that must fit.
    pub phase: Phase,
    /// The budgets scaled: `output`, `input` or `all`.
    pub budget: &'static str,
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
    /// The bound on the serving cost a week, if one was asked (`--max-cost`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_serving_cost_per_week: Option<f64>,
    /// The serving cost a week at the answer, when the scenario gives costs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serving_cost_per_week: Option<f64>,
    /// The budgets before and after, per scaled tier (none when solving for a speed).
    pub budgets: Vec<SolvedBudget>,
    /// The speed solved for, with `--budget speed|peak-speed` (model v3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speed: Option<SolvedSpeed>,
}

/// One tier's speed before and the fastest that fits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SolvedSpeed {
    /// Tier name.
    pub tier: String,
    /// `speed` or `peak_speed`.
    pub key: &'static str,
    /// The speed the policy serves it at now (at peak for `peak_speed`), tokens/s per user.
    pub speed: Option<f64>,
    /// The fastest that fits, to 3 significant digits rounded down; the fastest the
    /// frontiers cover when unbounded; null when even the slowest does not fit.
    pub solved_speed: Option<f64>,
    /// The speeds every frontier the tier reaches covers: `[slowest, fastest]`.
    pub frontier: [f64; 2],
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
    /// The window budget of uncached input in the scenario, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_input_tokens: Option<f64>,
    /// The window input budget times the multiplier (when input budgets scale).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub solved_window_input_tokens: Option<f64>,
    /// The weekly budget of uncached input in the scenario, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weekly_input_tokens: Option<f64>,
    /// The weekly input budget times the multiplier (when input budgets scale).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub solved_weekly_input_tokens: Option<f64>,
}
