//! `timeline`: each month from the timeline's start, the fleet online on that date against
//! demand grown by then; for each policy, its runway (the last month it fits).

use anyhow::bail;
use indexmap::IndexMap;
use rayon::prelude::*;
use serde::Serialize;

use super::SCHEMA_VERSION;
use crate::model::{Evaluator, FleetCapacity};
use crate::scenario::Scenario;
use crate::scenario::units::step_label;

/// Evaluates the selected policies month by month. Errors without a `[timeline]`.
pub fn timeline(scenario: &Scenario, policies: &[usize]) -> anyhow::Result<TimelineAnswer> {
    timeline_with_progress(scenario, policies, &|| {})
}

/// [`timeline`], calling `tick` once per month evaluated, from any thread.
pub fn timeline_with_progress(
    scenario: &Scenario,
    policies: &[usize],
    tick: &(dyn Fn() + Sync),
) -> anyhow::Result<TimelineAnswer> {
    let Some(spec) = &scenario.timeline else {
        bail!(
            "the scenario has no [timeline]; add one, e.g.\n\n[timeline]\nstart = \"2026-05-01\"\nmonths = 12\ngrowth = 0.05"
        );
    };
    let evaluator = Evaluator::new(scenario);
    // Months are independent: spread them over the cores, keeping their order.
    let months: Vec<MonthAnswer> = (0..spec.months)
        .into_par_iter()
        .map(|month| {
            let date = spec.start.add_months(month);
            let next = spec.start.add_months(month + 1);
            let fleet = FleetCapacity::on_date(scenario, date);
            // An addition belongs to the month its date falls in, though the week evaluated
            // on this month's date counts it only if it is online by then.
            let arriving: Vec<&crate::scenario::Site> = scenario
                .sites
                .iter()
                .filter(|site| {
                    site.online
                        .is_some_and(|online| date <= online && online < next)
                })
                .collect();
            let additions = arriving.iter().map(|site| site.name.clone()).collect();
            let additions_on = arriving
                .iter()
                .filter_map(|site| site.online.map(|d| d.to_string()))
                .collect();
            let users_scale: Vec<f64> = spec
                .growth
                .iter()
                .map(|g| (1.0 + g).powi(month as i32))
                .collect();
            let results = policies
                .iter()
                .map(|&p| {
                    let h = evaluator.evaluate(&fleet, &scenario.policies[p], &users_scale);
                    MonthResult {
                        policy: scenario.policies[p].name.clone(),
                        peak_utilization: h.peak_utilization,
                        peak_time: step_label(h.peak_step, scenario.step_minutes),
                        fits: h.fits,
                    }
                })
                .collect();
            tick();
            MonthAnswer {
                month,
                date: date.to_string(),
                sites_online: fleet.sites.len(),
                additions,
                additions_on,
                serving_mw: fleet.serving_mw,
                results,
            }
        })
        .collect();
    let runway = policies
        .iter()
        .enumerate()
        .map(|(i, &p)| {
            let fit: Vec<bool> = months.iter().map(|m| m.results[i].fits).collect();
            let date = |m: Option<usize>| m.map(|m| months[m].date.clone());
            Runway {
                policy: scenario.policies[p].name.clone(),
                first_fit: date(fit.iter().position(|&f| f)),
                last_fit: date(fit.iter().rposition(|&f| f)),
                first_miss: date(fit.iter().position(|&f| !f)),
                fits_throughout: fit.iter().all(|&f| f),
            }
        })
        .collect();
    Ok(TimelineAnswer {
        schema_version: SCHEMA_VERSION,
        scenario: scenario.name.clone(),
        utilization_target: scenario.utilization_target,
        start: spec.start.to_string(),
        growth: scenario
            .tiers
            .iter()
            .zip(&spec.growth)
            .map(|(t, g)| (t.name.clone(), *g))
            .collect(),
        months,
        runway,
    })
}

/// Everything `timeline` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineAnswer {
    /// Raised when the layout changes incompatibly.
    pub schema_version: u32,
    /// Scenario name.
    pub scenario: String,
    /// Share of capacity usable at the latency SLO.
    pub utilization_target: f64,
    /// The first month's date.
    pub start: String,
    /// Monthly compound growth of users per tier.
    pub growth: IndexMap<String, f64>,
    /// One entry per month, in order.
    pub months: Vec<MonthAnswer>,
    /// One entry per policy.
    pub runway: Vec<Runway>,
}

/// One month of the timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthAnswer {
    /// Months since the start (0 = the start month).
    pub month: u32,
    /// The date evaluated: sites online on this date count.
    pub date: String,
    /// Sites online on the date.
    pub sites_online: usize,
    /// Sites whose online date falls in this month (from this month's date to the next's).
    pub additions: Vec<String>,
    /// Their online dates, `YYYY-MM-DD`, in the same order.
    pub additions_on: Vec<String>,
    /// Serving MW online.
    pub serving_mw: f64,
    /// One entry per selected policy, in file order.
    pub results: Vec<MonthResult>,
}

/// One policy in one month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthResult {
    /// Policy name.
    pub policy: String,
    /// Peak utilization of the reference week with that month's fleet and demand.
    pub peak_utilization: f64,
    /// When in the week the peak falls (UTC).
    pub peak_time: String,
    /// Peak within the target and nothing unservable.
    pub fits: bool,
}

/// How long a policy keeps fitting.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Runway {
    /// Policy name.
    pub policy: String,
    /// The first month it fits; null if it never does.
    pub first_fit: Option<String>,
    /// The last month it fits (its runway); null if it never does.
    pub last_fit: Option<String>,
    /// The first month it does not fit; null if it fits throughout.
    pub first_miss: Option<String>,
    /// True when it fits in every month.
    pub fits_throughout: bool,
}
