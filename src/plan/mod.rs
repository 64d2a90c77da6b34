//! Questions asked of the model, each a subcommand: `compare` (how do the policies fare
//! before and after the additions?), `check` (does every selected policy fit?), `timeline`
//! (when do we run out?), `solve` (how far can limits go?) and `explain` (why?). Each
//! returns a report; none does I/O.

mod explain;
mod solve;
mod timeline;

pub use explain::explain;
pub use solve::{SolveRequest, solve};
pub use timeline::{timeline, timeline_with_progress};

use crate::model::{Comparison, Evaluator, FleetCapacity, Phase};
use crate::report::document::{mw, percent};
use crate::report::{CheckVerdict, CompareReport, ResultReport};
use crate::scenario::Scenario;

/// Every selected policy on both phases, with N-1 and, if given, demand uncertainty.
pub fn compare(scenario: &Scenario, policies: &[usize]) -> CompareReport {
    compare_with_progress(scenario, policies, &|| {})
}

/// [`compare`], calling `tick` once per (policy, phase) evaluated.
pub fn compare_with_progress(
    scenario: &Scenario,
    policies: &[usize],
    tick: &(dyn Fn() + Sync),
) -> CompareReport {
    let comparison = Comparison::run_with_progress(scenario, policies, &Phase::ALL, tick);
    CompareReport::new(scenario, &comparison)
}

/// Which demand case a check gates on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DemandCase {
    /// The optimistic multiplier of `[uncertainty]`.
    Low,
    /// The scenario's demand as written.
    Mid,
    /// The pessimistic multiplier of `[uncertainty]`.
    High,
}

impl DemandCase {
    /// The name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            DemandCase::Low => "low",
            DemandCase::Mid => "mid",
            DemandCase::High => "high",
        }
    }
}

/// What `check` requires of every selected policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckRule {
    /// The phase that must fit.
    pub phase: Phase,
    /// The demand case that must fit.
    pub at: DemandCase,
    /// Whether the phase must also survive losing its largest site (utilization <= 1).
    pub n_minus_1: bool,
}

/// The selected policies on one phase, with the verdict. Errors when the rule asks for a
/// demand case the scenario does not define.
pub fn check(
    scenario: &Scenario,
    policies: &[usize],
    rule: CheckRule,
) -> anyhow::Result<CompareReport> {
    if rule.at != DemandCase::Mid && scenario.uncertainty.is_none() {
        anyhow::bail!(
            "--at {} needs an [uncertainty] table (low and high demand multipliers) in the scenario",
            rule.at.name()
        );
    }
    let mut report = CompareReport::new(
        scenario,
        &Comparison::run(scenario, policies, &[rule.phase]),
    );
    if rule.n_minus_1 {
        if let (Some(u), DemandCase::Low | DemandCase::High) = (scenario.uncertainty, rule.at) {
            let multiplier = if rule.at == DemandCase::Low {
                u.low
            } else {
                u.high
            };
            n_minus_1_at(scenario, &mut report, rule, multiplier);
        }
    }
    let target = report.utilization_target;
    let serving_mw = report.phases.first().map_or(0.0, |p| p.serving_mw);
    let mut failing = Vec::new();
    let mut reasons = Vec::new();
    for r in &report.results {
        let (ok, reason) = judge(r, rule, target, serving_mw);
        if !ok {
            failing.push(r.policy.clone());
        }
        reasons.push(reason);
    }
    report.check = Some(CheckVerdict {
        phase: rule.phase.name(),
        at: rule.at.name(),
        n_minus_1: rule.n_minus_1,
        passed: failing.is_empty(),
        failing,
        reasons,
    });
    Ok(report)
}

/// Re-evaluates each result's N-1 at the demand case the check gates on, so that
/// `--n-minus-1 --at high` means "survives losing the largest site at high demand".
fn n_minus_1_at(scenario: &Scenario, report: &mut CompareReport, rule: CheckRule, multiplier: f64) {
    let evaluator = Evaluator::new(scenario);
    let fleet = FleetCapacity::of_phase(scenario, rule.phase);
    let Some(position) = fleet.largest_site() else {
        return;
    };
    let without = fleet.without(position);
    let users = vec![multiplier; scenario.tiers.len()];
    for result in &mut report.results {
        let (Some(n), Some(policy)) = (
            result.n_minus_1.as_mut(),
            scenario.policy_index(&result.policy),
        ) else {
            continue;
        };
        let h = evaluator.evaluate(&without, &scenario.policies[policy], &users);
        n.peak_utilization = h.peak_utilization;
        n.shed_share = h.shed_share;
        n.unservable_classes = h
            .unservable_classes
            .iter()
            .map(|&c| scenario.classes[c].clone())
            .collect();
        n.survives = h.peak_utilization <= 1.0 && h.unservable_classes.is_empty();
        n.demand = rule.at.name();
    }
}

/// Whether one result passes the rule, and a line saying why; `serving_mw` is the phase's,
/// to say how many MW of the same mix a failing policy would need.
fn judge(r: &ResultReport, rule: CheckRule, target: f64, serving_mw: f64) -> (bool, String) {
    let (peak, fits, label) = match (rule.at, &r.uncertainty) {
        (DemandCase::Low, Some(u)) => (
            u.low.peak_utilization,
            u.low.fits,
            format!(", low demand x{}", u.low.multiplier),
        ),
        (DemandCase::High, Some(u)) => (
            u.high.peak_utilization,
            u.high.fits,
            format!(", high demand x{}", u.high.multiplier),
        ),
        _ => (r.peak_utilization, r.fits, String::new()),
    };
    let who = format!("{} ({}{label})", r.policy, r.phase);
    if !r.unservable_classes.is_empty() {
        let classes = r.unservable_classes.join(", ");
        return (
            false,
            format!("FAIL  {who}: no GPU in this phase can serve {classes}"),
        );
    }
    if !fits {
        let mw_needed = (peak / target - 1.0) * serving_mw;
        let how_much = format!(
            "; it needs {} MW more serving capacity of the same mix",
            mw(mw_needed)
        );
        return (
            false,
            format!(
                "FAIL  {who}: peak utilization {} at {} exceeds the target {} by {:.1} points{how_much}",
                percent(peak),
                r.peak_time,
                percent(target),
                (peak - target) * 100.0
            ),
        );
    }
    let mut line = format!(
        "ok    {who}: peak utilization {} at {} is within the target {}",
        percent(peak),
        r.peak_time,
        percent(target)
    );
    if rule.n_minus_1 {
        match &r.n_minus_1 {
            Some(n) if n.survives => {
                line.push_str(&format!(
                    "; survives losing {} at {}",
                    n.site,
                    percent(n.peak_utilization)
                ));
            }
            Some(n) => {
                let why = if n.unservable_classes.is_empty() {
                    format!("utilization reaches {}", percent(n.peak_utilization))
                } else {
                    format!("nothing left serves {}", n.unservable_classes.join(", "))
                };
                return (
                    false,
                    format!(
                        "FAIL  {who}: fits, but not N-1: losing {} {why}, sheds {} of served tokens",
                        n.site,
                        percent(n.shed_share)
                    ),
                );
            }
            None => return (false, format!("FAIL  {who}: the phase has no site to lose")),
        }
    }
    (true, line)
}
