//! `compare`: every selected policy on both phases, with its N-1 view and, when the
//! scenario gives `[uncertainty]`, its low and high demand cases and its sampled
//! percentiles and chance to fit. The answer is the JSON
//! contract of docs/model.md; `check` judges the same answer.

use indexmap::IndexMap;
use serde::Serialize;

use super::cost::{CostAnswer, cost_of};
use super::placement::PlacementAnswer;
use super::sensitivity::SensitivityResult;
use super::timeline::Holding;
use super::{DemandCase, SCHEMA_VERSION};
use rayon::prelude::*;

use crate::model::{Comparison, Evaluator, Fit, FleetCapacity, Headroom, Phase, PolicyResult};
use crate::scenario::Scenario;
use crate::scenario::units::step_label;

/// Every selected policy on every phase of the scenario, with N-1 and, if given, demand
/// uncertainty.
///
/// Without the nearest-flip search of the tightest result (`flips` is none): `diff` does
/// not show it, and `report` takes it from its own sensitivity section ([`with_flips`]).
pub fn compare(scenario: &Scenario, policies: &[usize]) -> CompareAnswer {
    evaluated(scenario, policies, &Phase::all(scenario), &|| {})
}

/// What the `compare` command answers: the given phases, calling `tick` once per (policy,
/// phase) evaluated, and the nearest flips of the tightest result.
pub fn compare_with_progress(
    scenario: &Scenario,
    policies: &[usize],
    phases: &[Phase],
    tick: &(dyn Fn() + Sync),
) -> CompareAnswer {
    with_flips(scenario, evaluated(scenario, policies, phases, tick), None)
}

/// `answer` with the tightest result's sensitivity, taken from `known` when it holds that
/// result (a report's own sensitivity section), else computed within
/// [`FLIPS_WITH_COMPARE`].
pub fn with_flips(
    scenario: &Scenario,
    mut answer: CompareAnswer,
    known: Option<&super::SensitivityAnswer>,
) -> CompareAnswer {
    let found = answer.tightest().and_then(|tightest| {
        known?
            .results
            .iter()
            .find(|r| r.policy == tightest.policy && r.phase == tightest.phase)
            .cloned()
    });
    answer.flips = found.or_else(|| tightest_flips(scenario, &answer));
    answer
}

/// Every policy on `phases`, with `holds_until` when the scenario has a timeline.
fn evaluated(
    scenario: &Scenario,
    policies: &[usize],
    phases: &[Phase],
    tick: &(dyn Fn() + Sync),
) -> CompareAnswer {
    let evaluator = Evaluator::new(scenario);
    let comparison = Comparison::run_on(&evaluator, policies, phases, 1.0, tick);
    let mut answer = CompareAnswer::new(scenario, &comparison, DemandCase::Mid);
    // With a timeline, each result of the last phase says how long it holds from that
    // phase's day at the planned growth; the other phases' results say null.
    if scenario.timeline.is_some() {
        let last = phases.last().and_then(|phase| phase.day(scenario));
        let holds: Vec<Option<Holding>> = answer
            .results
            .par_iter()
            .zip(&comparison.results)
            .map(|(answer, result)| match last {
                Some(day) if Some(&answer.phase) == phases.last() => {
                    Some(super::timeline::holds_until(&evaluator, result.policy, day))
                }
                _ => None,
            })
            .collect();
        for (result, holds) in answer.results.iter_mut().zip(holds) {
            result.holds_until = Some(match holds {
                Some(Holding::Until(day)) => Some(day.to_string()),
                _ => None,
            });
            result.holds = holds;
        }
    }
    answer
}

/// The sensitivity of the tightest result, within [`FLIPS_WITH_COMPARE`].
fn tightest_flips(scenario: &Scenario, answer: &CompareAnswer) -> Option<SensitivityResult> {
    let tightest = answer.tightest()?;
    let policy = scenario.policy_index(&tightest.policy)?;
    let phase = tightest.phase.clone();
    let work = super::sensitivity::levers(scenario, &phase).len()
        * scenario.steps()
        * scenario.tiers.len();
    if work > FLIPS_WITH_COMPARE {
        return None;
    }
    super::sensitivity::sensitivity(scenario, &[policy], &[phase])
        .results
        .pop()
}

/// Everything `compare` reports, shaped as the JSON contract.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompareAnswer {
    /// Raised when the layout changes incompatibly.
    pub schema_version: u32,
    /// Scenario name.
    pub scenario: String,
    /// Model step in minutes.
    pub step_minutes: u32,
    /// Share of capacity usable at the latency SLO.
    pub utilization_target: f64,
    /// GPU-hours a week training must keep, if the scenario sets a floor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub training_floor_gpu_hours: Option<f64>,
    /// Capacity per phase, `before` then `after`.
    pub phases: Vec<PhaseAnswer>,
    /// One entry per policy and phase: policies in file order, `before` then `after`.
    pub results: Vec<PolicyAnswer>,
    /// The tightest result's sensitivity, whose nearest flips the verdict names; none
    /// when one result's sensitivity is too large to run with compare
    /// ([`FLIPS_WITH_COMPARE`]). `capplan sensitivity` gives it in JSON.
    #[serde(skip)]
    pub flips: Option<SensitivityResult>,
}

/// The most work (levers × steps × tiers) compare spends on the tightest result's
/// sensitivity: colossus.toml is 48 × 168 × 9 = 72,576 (about 1,000 evaluations, a tenth
/// of a second); the planning-scale scenario, 509 × 10,080 × 100, is left to `capplan
/// sensitivity`.
pub const FLIPS_WITH_COMPARE: usize = 2_000_000;

/// Capacity of one phase.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhaseAnswer {
    /// `before`, `after` or a `[[phase]]` name.
    pub name: Phase,
    /// A dated phase's date, `YYYY-MM-DD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on: Option<String>,
    /// The sites counted, in file order.
    pub sites: Vec<SiteAnswer>,
    /// Facility MW drawn by serving GPUs, PUE included.
    pub serving_mw: f64,
    /// Output tokens per second per model class (classes without a frontier).
    pub tokens_per_s: IndexMap<String, f64>,
    /// Output tokens per second of each class some SKU rates with a frontier, at each
    /// speed in use (model v3): `{class: {"<speed>": tokens/s}}`.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub tokens_per_s_by_speed: IndexMap<String, IndexMap<String, f64>>,
}

/// Capacity of one site.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteAnswer {
    /// Site name.
    pub name: String,
    /// `YYYY-MM-DD` for an addition, null for the fleet in service.
    pub online: Option<String>,
    /// `YYYY-MM-DD`: the first day it no longer serves, if it leaves.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offline: Option<String>,
    /// The share of its GPUs present while it ramps up (absent once all are).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ramp_share: Option<f64>,
    /// True when the site has more GPUs than its power can run.
    pub power_bound: bool,
    /// min(1, IT power / all-in draw).
    pub power_factor: f64,
    /// Serving GPUs per SKU (after power, availability and serving share).
    pub serving_gpus: IndexMap<String, f64>,
    /// Facility MW drawn by this site's serving GPUs.
    pub serving_mw: f64,
}

/// One policy on one phase.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyAnswer {
    /// Policy name.
    pub policy: String,
    /// The policy's `description`, if the scenario gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `before`, `after` or a `[[phase]]` name.
    pub phase: Phase,
    /// Highest utilization over the week (fraction of serving capacity).
    pub peak_utilization: f64,
    /// Step index of the peak, from Monday 00:00 UTC.
    pub peak_step: usize,
    /// The peak step's start, e.g. `"Tue 14:00"` (UTC).
    pub peak_time: String,
    /// Hours of the week above the utilization target.
    pub hours_over_target: f64,
    /// Served / desired tokens over the week.
    pub served_share: f64,
    /// Share of active users throttled at the peak step.
    pub throttled_share_at_peak: f64,
    /// Share of served tokens past 100 % utilization.
    pub shed_share: f64,
    /// Serving MW of the same mix needed to bring the peak to the target.
    pub mw_to_fit: f64,
    /// GPU-hours a week left to training (model v2): healthy GPUs times the hours they do
    /// not serve.
    pub training_gpu_hours: f64,
    /// Classes with demand but no capacity in this phase; non-empty means unservable.
    pub unservable_classes: Vec<String>,
    /// Peak utilization within the target, nothing unservable and training at its floor.
    pub fits: bool,
    /// Why it fits or not, as the model decided: `fits`, `no_capacity`, `over_target` or
    /// `training_floor` (the first that applies, in that order).
    pub verdict: Fit,
    /// The peak under re-placed and pinned placement (model v3): `proportional` is
    /// `peak_utilization`.
    pub placement: PlacementAnswer,
    /// Each site lost in turn, the worst loss first; null when the phase has no site.
    pub n_minus_1: Option<NMinusOneAnswer>,
    /// Low and high demand cases; present when the scenario has `[uncertainty]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uncertainty: Option<UncertaintyAnswer>,
    /// With a `[timeline]`: for the last phase, the last day of the fitting run that
    /// starts on its day at the planned growth (null when it does not fit then, or holds
    /// to the timeline's end); null for the other phases. Absent without a timeline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holds_until: Option<Option<String>>,
    /// The same, for reports: whether it fits on the day at all, or holds to the end.
    #[serde(skip)]
    pub holds: Option<Holding>,
    /// Cost and margin in a week; present when the scenario gives a cost or a price.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<CostAnswer>,
    /// The peak utilization of each hour of the week (168 values), for sparklines and
    /// plots; not in the JSON.
    #[serde(skip)]
    pub week: Vec<f64>,
}

/// N-1 of a policy on a phase: each site lost in turn, the worst loss first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NMinusOneAnswer {
    /// The worst site to lose: one that leaves a demanded class with no capacity, else the
    /// highest peak utilization (the first in the file on a tie).
    pub site: String,
    /// Peak utilization of what is left after the worst loss.
    pub peak_utilization: f64,
    /// Share of served tokens past 100 % utilization, after the worst loss.
    pub shed_share: f64,
    /// Classes that nothing left can serve, after the worst loss.
    pub unservable_classes: Vec<String>,
    /// Every loss survived: peak utilization <= 1 and every class servable in each.
    pub survives: bool,
    /// The demand these figures are for: `mid` (the scenario's), or the case `check --at`
    /// gated on.
    pub demand: &'static str,
    /// Every single-site loss, sites in file order.
    pub losses: Vec<LossAnswer>,
}

/// The phase without one site.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LossAnswer {
    /// The site lost.
    pub site: String,
    /// Peak utilization of what is left.
    pub peak_utilization: f64,
    /// Share of served tokens past 100 % utilization.
    pub shed_share: f64,
    /// Classes that nothing left can serve.
    pub unservable_classes: Vec<String>,
    /// Peak utilization <= 1 and every class servable.
    pub survives: bool,
}

/// Demand uncertainty of a policy on a phase: the low and high cases, the samples, or both.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UncertaintyAnswer {
    /// The optimistic case (`[uncertainty] low`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub low: Option<CaseAnswer>,
    /// The pessimistic case (`[uncertainty] high`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub high: Option<CaseAnswer>,
    /// Over the samples (`[uncertainty] samples`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sampled: Option<SampledAnswer>,
}

/// A policy on a phase over the samples of `[uncertainty]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampledAnswer {
    /// Samples drawn.
    pub samples: usize,
    /// The generator's seed.
    pub seed: u64,
    /// Peak utilization: 10th, 50th and 90th percentiles over the samples (nearest rank).
    pub peak_utilization: PercentilesAnswer,
    /// Share of samples in which the policy fits.
    pub p_fits: f64,
    /// Standard error of `p_fits`, sqrt(p (1 - p) / samples).
    pub p_fits_standard_error: f64,
}

/// Three percentiles of a sampled figure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PercentilesAnswer {
    /// 10th percentile.
    pub p10: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
}

/// One demand case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseAnswer {
    /// The multiplier on every tier's users.
    pub multiplier: f64,
    /// Peak utilization in this case.
    pub peak_utilization: f64,
    /// Whether the policy fits in this case.
    pub fits: bool,
}

impl CompareAnswer {
    /// The tightest result: the highest peak among those that do not fit, or among all
    /// when every one fits (the first in result order on a tie).
    pub fn tightest(&self) -> Option<&PolicyAnswer> {
        let all_fit = self.results.iter().all(|r| r.fits);
        self.results
            .iter()
            .filter(|r| all_fit || !r.fits)
            .fold(None::<&PolicyAnswer>, |best, r| match best {
                Some(b) if b.peak_utilization >= r.peak_utilization => Some(b),
                _ => Some(r),
            })
    }

    /// The answer of a comparison whose N-1 figures were computed at `n_minus_1_demand`.
    pub fn new(
        scenario: &Scenario,
        comparison: &Comparison,
        n_minus_1_demand: DemandCase,
    ) -> CompareAnswer {
        let names = |classes: &[usize]| scenario.class_names(classes);
        let classes = |h: &Headroom| names(&h.unservable_classes);
        let results = comparison
            .results
            .iter()
            .map(|result| {
                let h = &result.headroom;
                let policy = &scenario.policies[result.policy];
                PolicyAnswer {
                    policy: policy.name.clone(),
                    description: policy.description.clone(),
                    phase: result.phase.clone(),
                    peak_utilization: h.peak_utilization,
                    peak_step: h.peak_step,
                    peak_time: step_label(h.peak_step, scenario.step_minutes),
                    hours_over_target: h.hours_over_target,
                    served_share: h.served_share,
                    throttled_share_at_peak: h.throttled_share_at_peak,
                    shed_share: h.shed_share,
                    mw_to_fit: h.mw_to_fit,
                    training_gpu_hours: h.training_gpu_hours,
                    unservable_classes: classes(h),
                    fits: h.fits(),
                    verdict: h.fit,
                    week: h.utilization.clone(),
                    placement: PlacementAnswer::new(scenario, h, &result.placement),
                    n_minus_1: result.n_minus_1.as_ref().map(|n| NMinusOneAnswer {
                        site: scenario.sites[n.site].name.clone(),
                        peak_utilization: n.headroom.peak_utilization,
                        shed_share: n.headroom.shed_share,
                        unservable_classes: classes(&n.headroom),
                        survives: n.survives(),
                        demand: n_minus_1_demand.name(),
                        losses: n
                            .losses
                            .iter()
                            .map(|loss| LossAnswer {
                                site: scenario.sites[loss.site].name.clone(),
                                peak_utilization: loss.peak_utilization,
                                shed_share: loss.shed_share,
                                unservable_classes: names(&loss.unservable_classes),
                                survives: loss.survives(),
                            })
                            .collect(),
                    }),
                    cost: scenario.has_costs.then(|| {
                        let fleet = comparison
                            .phases
                            .iter()
                            .find(|(phase, _)| *phase == result.phase)
                            .map(|(_, fleet)| fleet)
                            .expect("every result's phase was evaluated");
                        cost_of(scenario, fleet, h, &result.phase.users_scale(scenario))
                    }),
                    uncertainty: uncertainty_answer(scenario, result),
                    holds_until: None,
                    holds: None,
                }
            })
            .collect();
        let mut results: Vec<PolicyAnswer> = results;
        // Each policy's cost against the first policy's, phase by phase.
        for (phase, _) in &comparison.phases {
            let first = results
                .iter()
                .find(|r| r.phase == *phase)
                .and_then(|r| r.cost.clone().map(|c| (r.policy.clone(), c)));
            if let Some((first_policy, first_cost)) = first {
                for r in results.iter_mut().filter(|r| r.phase == *phase) {
                    if r.policy != first_policy
                        && let Some(cost) = r.cost.as_mut()
                    {
                        cost.versus_first = Some(cost.against(&first_policy, &first_cost));
                    }
                }
            }
        }
        CompareAnswer {
            schema_version: SCHEMA_VERSION,
            scenario: scenario.name.clone(),
            step_minutes: scenario.step_minutes,
            utilization_target: scenario.utilization_target,
            training_floor_gpu_hours: scenario.training_floor_gpu_hours,
            phases: comparison
                .phases
                .iter()
                .map(|(phase, fleet)| phase_report(scenario, phase, fleet))
                .collect(),
            results,
            flips: None,
        }
    }
}

/// A result's demand cases and samples, as the answer names them; `None` without either.
fn uncertainty_answer(scenario: &Scenario, result: &PolicyResult) -> Option<UncertaintyAnswer> {
    let case = |multiplier: f64, h: &Headroom| CaseAnswer {
        multiplier,
        peak_utilization: h.peak_utilization,
        fits: h.fits(),
    };
    let cases = result.uncertainty.as_ref().zip(scenario.uncertainty);
    let sampled = result
        .sampled
        .as_ref()
        .zip(scenario.sampling.as_ref())
        .map(|(s, sampling)| SampledAnswer {
            samples: s.samples,
            seed: sampling.seed,
            peak_utilization: PercentilesAnswer {
                p10: s.p10,
                p50: s.p50,
                p90: s.p90,
            },
            p_fits: s.p_fits,
            p_fits_standard_error: s.standard_error,
        });
    if cases.is_none() && sampled.is_none() {
        return None;
    }
    Some(UncertaintyAnswer {
        low: cases.map(|((low, _), u)| case(u.low, low)),
        high: cases.map(|((_, high), u)| case(u.high, high)),
        sampled,
    })
}

/// The capacity of one phase, as the answer names it.
fn phase_report(scenario: &Scenario, phase: &Phase, fleet: &FleetCapacity) -> PhaseAnswer {
    PhaseAnswer {
        name: phase.clone(),
        on: phase.on().map(|d| d.to_string()),
        sites: fleet
            .sites
            .iter()
            .map(|site| {
                let spec = &scenario.sites[site.site];
                SiteAnswer {
                    name: spec.name.clone(),
                    online: spec.online.map(|d| d.to_string()),
                    offline: spec.offline.map(|d| d.to_string()),
                    ramp_share: (site.presence < 1.0).then_some(site.presence),
                    power_bound: site.power_bound,
                    power_factor: site.power_factor,
                    serving_gpus: site
                        .serving_gpus
                        .iter()
                        .map(|&(sku, n)| (scenario.skus[sku].name.clone(), n))
                        .collect(),
                    serving_mw: site.serving_mw,
                }
            })
            .collect(),
        serving_mw: fleet.serving_mw,
        tokens_per_s: scenario
            .columns
            .iter()
            .zip(&fleet.tokens_per_s)
            .filter(|(column, _)| column.speed.is_none())
            .map(|(column, &rate)| (scenario.base_classes[column.class].clone(), rate))
            .collect(),
        tokens_per_s_by_speed: scenario.columns.iter().zip(&fleet.tokens_per_s).fold(
            IndexMap::new(),
            |mut by_speed: IndexMap<String, IndexMap<String, f64>>, (column, &rate)| {
                if let Some(speed) = column.speed {
                    by_speed
                        .entry(scenario.base_classes[column.class].clone())
                        .or_default()
                        .insert(speed.to_string(), rate);
                }
                by_speed
            },
        ),
    }
}
