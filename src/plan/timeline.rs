//! `timeline`: each month from the timeline's start, the fleet online on that date against
//! demand grown by then; for each policy, its runway (the last month it fits).

use anyhow::bail;

use rayon::prelude::*;

use crate::model::{Evaluator, FleetCapacity};
use crate::report::timeline::MonthResult;
use crate::report::{MonthReport, RunwayReport, SCHEMA_VERSION, TimelineReport};
use crate::scenario::Scenario;
use crate::scenario::units::step_label;

/// Evaluates the selected policies month by month. Errors without a `[timeline]`.
pub fn timeline(scenario: &Scenario, policies: &[usize]) -> anyhow::Result<TimelineReport> {
    timeline_with_progress(scenario, policies, &|| {})
}

/// [`timeline`], calling `tick` once per month evaluated, from any thread.
pub fn timeline_with_progress(
    scenario: &Scenario,
    policies: &[usize],
    tick: &(dyn Fn() + Sync),
) -> anyhow::Result<TimelineReport> {
    let Some(spec) = &scenario.timeline else {
        bail!(
            "the scenario has no [timeline]; add one, e.g.\n\n[timeline]\nstart = \"2026-05-01\"\nmonths = 12\ngrowth = 0.05"
        );
    };
    let evaluator = Evaluator::new(scenario);
    // Months are independent: spread them over the cores, keeping their order.
    let months: Vec<MonthReport> = (0..spec.months)
        .into_par_iter()
        .map(|month| {
            let date = spec.start.add_months(month);
            let previous = month.checked_sub(1).map(|m| spec.start.add_months(m));
            let fleet = FleetCapacity::on_date(scenario, date);
            let additions = scenario
                .sites
                .iter()
                .filter(|site| match (site.online, previous) {
                    (Some(online), Some(prev)) => prev < online && online <= date,
                    _ => false,
                })
                .map(|site| site.name.clone())
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
            MonthReport {
                month,
                date: date.to_string(),
                sites_online: fleet.sites.len(),
                additions,
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
            RunwayReport {
                policy: scenario.policies[p].name.clone(),
                first_fit: date(fit.iter().position(|&f| f)),
                last_fit: date(fit.iter().rposition(|&f| f)),
                first_miss: date(fit.iter().position(|&f| !f)),
                fits_throughout: fit.iter().all(|&f| f),
            }
        })
        .collect();
    Ok(TimelineReport {
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
