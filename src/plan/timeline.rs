//! `timeline`: each month from the timeline's start, the fleet online on that date against
//! demand grown by then; for each policy, its runway (the last month it fits), and with
//! `[uncertainty] samples` the chance to fit each month and the runway's percentiles.

use anyhow::bail;
use indexmap::IndexMap;
use rayon::prelude::*;
use serde::Serialize;

use super::SCHEMA_VERSION;
use super::compare::PercentilesAnswer;
use crate::model::sampling::{self, hit_rate};
use crate::model::{Evaluator, Fit, FleetCapacity, SampleFleet, SamplePolicy, SampleSummary};
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
    // Sampled uncertainty: the draws and each policy's shares under them, once.
    let draws = scenario.sampling.as_ref().map(sampling::draws);
    let shares: Vec<_> = match &draws {
        Some(draws) => policies
            .iter()
            .map(|&p| SamplePolicy::new(&evaluator, &scenario.policies[p]).shares_of(draws))
            .collect(),
        None => Vec::new(),
    };
    // Months are independent: spread them over the cores, keeping their order.
    let months: Vec<(MonthAnswer, Vec<Vec<bool>>)> = (0..spec.months)
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
            let sample_fleet = draws.as_ref().map(|_| SampleFleet::new(&evaluator, &fleet));
            let (results, fits): (Vec<MonthResult>, Vec<Vec<bool>>) = policies
                .iter()
                .enumerate()
                .map(|(i, &p)| {
                    let h = evaluator.evaluate(&fleet, &scenario.policies[p], &users_scale);
                    // Whether each sample fits this month.
                    let fits: Vec<bool> = match (&draws, &sample_fleet) {
                        (Some(draws), Some(sample_fleet)) => sampling::outcomes(
                            sample_fleet,
                            &shares[i],
                            draws,
                            month,
                            &spec.growth,
                            !h.unservable_classes.is_empty(),
                            true,
                        )
                        .iter()
                        .map(|o| o.fits)
                        .collect(),
                        _ => Vec::new(),
                    };
                    let sampled = draws.as_ref().map(|draws| {
                        let (p_fits, standard_error) =
                            hit_rate(fits.iter().filter(|&&f| f).count(), draws.len());
                        MonthSampled {
                            p_fits,
                            p_fits_standard_error: standard_error,
                        }
                    });
                    let result = MonthResult {
                        policy: scenario.policies[p].name.clone(),
                        peak_utilization: h.peak_utilization,
                        peak_time: step_label(h.peak_step, scenario.step_minutes),
                        fits: h.fits(),
                        verdict: h.fit,
                        sampled,
                    };
                    (result, fits)
                })
                .unzip();
            tick();
            let answer = MonthAnswer {
                month,
                date: date.to_string(),
                sites_online: fleet.sites.len(),
                additions,
                additions_on,
                serving_mw: fleet.serving_mw,
                results,
            };
            (answer, fits)
        })
        .collect();
    let (months, sample_fits): (Vec<MonthAnswer>, Vec<Vec<Vec<bool>>>) = months.into_iter().unzip();
    let runway = policies
        .iter()
        .enumerate()
        .map(|(i, &p)| {
            let fit: Vec<bool> = months.iter().map(|m| m.results[i].fits).collect();
            let date = |m: Option<usize>| m.map(|m| months[m].date.clone());
            let sampled = scenario.sampling.as_ref().map(|sampling| {
                // Each sample's runway: the months it fits before its first miss.
                let runways: Vec<f64> = (0..sampling.samples)
                    .map(|sample| {
                        sample_fits
                            .iter()
                            .position(|month| !month[i][sample])
                            .unwrap_or(sample_fits.len()) as f64
                    })
                    .collect();
                let throughout = runways
                    .iter()
                    .filter(|&&r| r as usize == sample_fits.len())
                    .count();
                let summary = SampleSummary::from_values(runways, throughout);
                RunwaySampled {
                    samples: sampling.samples,
                    seed: sampling.seed,
                    runway_months: PercentilesAnswer {
                        p10: summary.p10,
                        p50: summary.p50,
                        p90: summary.p90,
                    },
                    p_fits_throughout: summary.p_fits,
                    p_fits_throughout_standard_error: summary.standard_error,
                }
            });
            Runway {
                policy: scenario.policies[p].name.clone(),
                first_fit: date(fit.iter().position(|&f| f)),
                last_fit: date(fit.iter().rposition(|&f| f)),
                first_miss: date(fit.iter().position(|&f| !f)),
                fits_throughout: fit.iter().all(|&f| f),
                sampled,
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
    /// Peak within the target, nothing unservable and training at its floor.
    pub fits: bool,
    /// Why it fits or not, as the model decided (`fits`, `no_capacity`, `over_target`,
    /// `training_floor`).
    pub verdict: Fit,
    /// The chance to fit this month over the samples, if the scenario has samples.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sampled: Option<MonthSampled>,
}

/// One policy in one month over the samples of `[uncertainty]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MonthSampled {
    /// Share of samples in which the policy fits this month.
    pub p_fits: f64,
    /// Its standard error, sqrt(p (1 - p) / samples).
    pub p_fits_standard_error: f64,
}

/// A policy's runway over the samples: in each sample, the months it fits from the start
/// before its first miss (all the months when it never misses).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RunwaySampled {
    /// Samples drawn.
    pub samples: usize,
    /// The generator's seed.
    pub seed: u64,
    /// Months of runway: 10th, 50th and 90th percentiles (nearest rank).
    pub runway_months: PercentilesAnswer,
    /// Share of samples in which the policy fits in every month.
    pub p_fits_throughout: f64,
    /// Its standard error.
    pub p_fits_throughout_standard_error: f64,
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
    /// The runway over the samples, if the scenario has samples.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sampled: Option<RunwaySampled>,
}
