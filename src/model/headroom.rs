//! Headroom of one policy on one fleet: utilization at every step of the reference week and
//! the figures a capacity engineer reads off it (peak, hours over target, served, throttled
//! and shed shares, MW to fit).

use serde::Serialize;

use super::demand::{TierShares, tier_shares};
use super::fleet::{ByKind, FleetCapacity, KINDS};
use crate::scenario::{Policy, Scenario};

/// The outcome of one policy on one fleet.
#[derive(Debug, Clone, PartialEq)]
pub struct Headroom {
    /// U(h) at every step of the week, counting the classes the fleet can serve.
    pub utilization: Vec<f64>,
    /// max U(h).
    pub peak_utilization: f64,
    /// The first step at which U reaches its peak.
    pub peak_step: usize,
    /// Hours of the week with U above the target.
    pub hours_over_target: f64,
    /// Served / desired tokens over the week.
    pub served_share: f64,
    /// Share of active users throttled at the peak step.
    pub throttled_share_at_peak: f64,
    /// Share of served tokens beyond 100 % utilization, which the fleet must shed.
    pub shed_share: f64,
    /// Extra serving MW of the same fleet mix that would bring the peak to the target.
    pub mw_to_fit: f64,
    /// Classes with demand but no capacity in this fleet (indices into the classes).
    pub unservable_classes: Vec<usize>,
    /// GPU-hours a week left to training: healthy GPUs times the hours they do not serve.
    pub training_gpu_hours: f64,
    /// Where the week's serving GPU-hours went, and the tokens served: for cost and margin.
    pub usage: Usage,
    /// Whether the week fits, and if not the first reason.
    pub fit: Fit,
}

/// Whether a week fits, and if not the first reason it does not, in the order the contract
/// gives them: a demanded class with no capacity, the peak over the target, training under
/// its floor. Decided here once ([`Fit::judge`]); `plan` adds its own gates (margins, N-1)
/// and `report` only prints what it finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fit {
    /// Peak within the target, every class served, training at its floor.
    Fits,
    /// Some class has demand and no capacity.
    NoCapacity,
    /// Peak utilization above the target.
    OverTarget,
    /// Within the target, but training keeps less than `training_floor_gpu_hours`.
    TrainingFloor,
}

impl Fit {
    /// The rule: `unservable` (a demanded class has no capacity), the peak against the
    /// target, and training GPU-hours against the floor, when the scenario sets one.
    pub fn judge(
        unservable: bool,
        peak_utilization: f64,
        target: f64,
        training_gpu_hours: f64,
        floor: Option<f64>,
    ) -> Fit {
        if unservable {
            Fit::NoCapacity
        } else if !Fit::within_target(unservable, peak_utilization, target) {
            Fit::OverTarget
        } else if !Fit::keeps_floor(training_gpu_hours, floor) {
            Fit::TrainingFloor
        } else {
            Fit::Fits
        }
    }

    /// The peak part of the rule: every demanded class served and the peak within the
    /// target. `check` reports it as a gate of its own.
    pub fn within_target(unservable: bool, peak_utilization: f64, target: f64) -> bool {
        !unservable && peak_utilization <= target
    }

    /// The training part of the rule: training keeps at least the floor, when there is one.
    pub fn keeps_floor(training_gpu_hours: f64, floor: Option<f64>) -> bool {
        floor.is_none_or(|floor| training_gpu_hours >= floor)
    }

    /// True for [`Fit::Fits`].
    pub fn fits(self) -> bool {
        self == Fit::Fits
    }
}

/// Where a week's serving GPU-hours went, by tier and class, and the tokens served.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Usage {
    /// Serving GPU-hours over the week: sum over steps of G(h) * dt.
    pub serving_gpu_hours: f64,
    /// Per tier: sum over steps of u_t(h) * G(h) * dt, its terms of U times serving GPUs.
    pub tier_gpu_hours: Vec<f64>,
    /// Per class: likewise, summed over the tiers that ask for it.
    pub class_gpu_hours: Vec<f64>,
    /// Per tier: tokens served over the week, `[output, uncached input, cached input]`.
    pub tier_tokens: Vec<[f64; KINDS]>,
    /// Per class: output tokens served over the week.
    pub class_output_tokens: Vec<f64>,
}

impl Usage {
    /// Zeros for a scenario's tiers and classes.
    fn new(tiers: usize, classes: usize) -> Usage {
        Usage {
            serving_gpu_hours: 0.0,
            tier_gpu_hours: vec![0.0; tiers],
            class_gpu_hours: vec![0.0; classes],
            tier_tokens: vec![[0.0; KINDS]; tiers],
            class_output_tokens: vec![0.0; classes],
        }
    }
}

impl Headroom {
    /// Whether the week fits: [`Fit::fits`].
    pub fn fits(&self) -> bool {
        self.fit.fits()
    }

    /// The same figures without the week: for variants nobody draws.
    pub fn without_week(mut self) -> Headroom {
        self.utilization = Vec::new();
        self
    }
}

/// Serving MW of the same mix that brings `peak` down to `target`:
/// max(0, peak / target - 1) x serving MW.
pub fn mw_to_fit(peak: f64, target: f64, serving_mw: f64) -> f64 {
    (peak / target - 1.0).max(0.0) * serving_mw
}

/// Evaluates `policy` (one of the scenario's, or a variant of one) on `fleet`, with each
/// tier's users multiplied by `users_scale` (1 for the reference week; growth and
/// uncertainty use other values).
///
/// This is the model written formula by formula, loop by loop, as docs/model.md gives it:
/// the reference the fast [`super::Evaluator`] is tested against, and what `explain` uses.
pub fn evaluate(
    scenario: &Scenario,
    fleet: &FleetCapacity,
    policy: &Policy,
    users_scale: &[f64],
) -> Headroom {
    assert_eq!(
        users_scale.len(),
        scenario.tiers.len(),
        "one users scale per tier"
    );
    let shares = policy_shares(scenario, policy);
    let peak_mask = scenario.peak_hours.mask(scenario.step_minutes);
    let classes = scenario.classes.len();
    let zero = || [vec![0.0; classes], vec![0.0; classes], vec![0.0; classes]];

    let mut utilization = Vec::with_capacity(peak_mask.len());
    let mut unservable = vec![false; classes];
    let mut demand: ByKind = zero();
    let mut capacity: ByKind = zero();
    let mut lambda_hours = 0.0;
    let (mut served_total, mut desired_total, mut shed_total) = (0.0, 0.0, 0.0);
    let mut throttled_by_step = Vec::with_capacity(peak_mask.len());
    let dt = scenario.step_hours();
    let mut usage = Usage::new(scenario.tiers.len(), classes);
    let mut served_by_tier = vec![0.0; scenario.tiers.len()];
    for (step, &peak) in peak_mask.iter().enumerate() {
        step_demand(
            scenario,
            (policy, &shares),
            users_scale,
            (step, peak),
            &mut demand,
            &mut served_by_tier,
        );
        let (mut served_step, mut active, mut throttled) = (0.0, 0.0, 0.0);
        let tiers = scenario.tiers.iter().zip(&shares).zip(users_scale);
        for (t, ((tier, tier_shares), scale)) in tiers.enumerate() {
            let active_users = tier.users * scale * tier.activity[step];
            let theta = tier_shares.at(peak).1;
            let desired = active_users * tier.tokens_per_active_hour / 3600.0;
            // Served and desired tokens are summed over classes, as d(t,c,h) is: a mix
            // may sum to 1 only within 1e-6.
            let mut mix_total = 0.0;
            for mix in scenario.mix(policy, t, peak) {
                mix_total += mix;
            }
            desired_total += desired * mix_total;
            served_step += served_by_tier[t] * mix_total;
            active += active_users;
            throttled += active_users * theta;
        }
        let lambda = if fleet.is_elastic() {
            elastic_lambda(scenario, fleet, step, &demand)
        } else {
            0.0
        };
        fleet.capacity_into(step, lambda, &mut capacity);
        lambda_hours += lambda * scenario.step_hours();
        let u = utilization_of(scenario, &demand, &capacity, Some(&mut unservable));
        account(
            scenario,
            |t| scenario.mix(policy, t, peak),
            &served_by_tier,
            &capacity,
            (fleet.serving_gpus_at(step, lambda), u),
            dt,
            &mut usage,
        );
        if u > 1.0 {
            shed_total += served_step * (1.0 - 1.0 / u);
        }
        served_total += served_step;
        utilization.push(u);
        throttled_by_step.push(if active > 0.0 {
            throttled / active
        } else {
            0.0
        });
    }

    // Both sums are of tokens/s per step; the common factor 3600 * dt cancels in the ratios.
    let totals = WeekTotals {
        served: served_total,
        desired: desired_total,
        shed: shed_total,
    };
    let training = fleet.training_gpu_hours(peak_mask.len(), scenario.step_hours(), lambda_hours);
    Headroom::assemble(
        scenario,
        fleet,
        utilization,
        totals,
        &unservable,
        (training, usage),
        |peak| throttled_by_step[peak],
    )
}

/// D_x(c,h) at one step, written into `demand` (zeroed first): each tier's served output
/// tokens/s times its mix over columns under `policy` at the step's speed, with the uncached and cached input that comes with them, summed
/// in tier order; each tier's served output tokens/s (before its mix) into
/// `served_by_tier`. The one home of this sum: [`evaluate`] and the placement bounds
/// ([`super::placement`]) read the same numbers.
pub(super) fn step_demand(
    scenario: &Scenario,
    (policy, shares): (&Policy, &[TierShares]),
    users_scale: &[f64],
    (step, peak): (usize, bool),
    demand: &mut ByKind,
    served_by_tier: &mut [f64],
) {
    demand
        .iter_mut()
        .for_each(|d| d.iter_mut().for_each(|x| *x = 0.0));
    let tiers = scenario.tiers.iter().zip(shares).zip(users_scale);
    for (t, ((tier, tier_shares), scale)) in tiers.enumerate() {
        let active_users = tier.users * scale * tier.activity[step];
        let phi = tier_shares.at(peak).0;
        let served = active_users * tier.tokens_per_active_hour / 3600.0 * phi;
        let (r_in, r_c) = (tier.uncached_per_output(), tier.cached_per_output());
        served_by_tier[t] = served;
        for (c, mix) in scenario.mix(policy, t, peak).iter().enumerate() {
            let out = served * mix;
            demand[0][c] += out;
            demand[1][c] += out * r_in;
            demand[2][c] += out * r_c;
        }
    }
}

/// Adds one step to `usage`: each tier's and class's terms of U times the serving GPUs,
/// and the tokens served. Past 100 % (`u` > 1) the fleet serves 1/U of each tier's load
/// (model v3): tiers are charged only GPU-hours the fleet has, and tokens count as served
/// only after shedding.
fn account<'s>(
    scenario: &'s Scenario,
    mix_of: impl Fn(usize) -> &'s [f64],
    served_by_tier: &[f64],
    capacity: &ByKind,
    (serving_gpus, u): (f64, f64),
    dt: f64,
    usage: &mut Usage,
) {
    usage.serving_gpu_hours += serving_gpus * dt;
    let kept = if u > 1.0 { 1.0 / u } else { 1.0 };
    for (t, (tier, &served)) in scenario.tiers.iter().zip(served_by_tier).enumerate() {
        let served = served * kept;
        let kinds = [1.0, tier.uncached_per_output(), tier.cached_per_output()];
        for (c, &mix) in mix_of(t).iter().enumerate() {
            let rated = [true, scenario.input_rated[c], scenario.cached_rated[c]];
            for x in 0..KINDS {
                usage.tier_tokens[t][x] += served * mix * kinds[x] * 3600.0 * dt;
                if rated[x] && capacity[x][c] > 0.0 {
                    let hours = served * mix * kinds[x] / capacity[x][c] * serving_gpus * dt;
                    usage.tier_gpu_hours[t] += hours;
                    usage.class_gpu_hours[c] += hours;
                }
            }
            usage.class_output_tokens[c] += served * mix * 3600.0 * dt;
        }
    }
}

/// U = sum over classes c and rated kinds x of D_x(c) / T_x(c). Output always counts; input
/// and cached input only for classes the SKUs give a rate for (else they are folded into
/// the output rate). Demand with no capacity is unservable: it marks the class in
/// `unservable` when given, and counts as infinite when not (the lambda search).
pub fn utilization_of(
    scenario: &Scenario,
    demand: &ByKind,
    capacity: &ByKind,
    mut unservable: Option<&mut Vec<bool>>,
) -> f64 {
    let mut u = 0.0;
    for c in 0..scenario.classes.len() {
        let rated = [true, scenario.input_rated[c], scenario.cached_rated[c]];
        for x in 0..KINDS {
            if !rated[x] {
                continue;
            }
            let (d, t) = (demand[x][c], capacity[x][c]);
            if t > 0.0 {
                u += d / t;
            } else if d > 0.0 {
                match unservable.as_deref_mut() {
                    Some(flags) => flags[c] = true,
                    None => return f64::INFINITY,
                }
            }
        }
    }
    u
}

/// lambda(h): the smallest share of their span the elastic sites serve with so that U(h)
/// is at most the target (1 when none is), by the one solver of `model::lambda`.
pub fn elastic_lambda(
    scenario: &Scenario,
    fleet: &FleetCapacity,
    step: usize,
    demand: &ByKind,
) -> f64 {
    // The demanded (class, kind) pairs, and the curve sites' shares at this step: U at a
    // lambda reads only these, with capacity summed in `capacity_into`'s own order (base,
    // then lambda times the span, then each curve site), so the bits are the same.
    let pairs: Vec<(usize, usize, f64)> = (0..scenario.classes.len())
        .flat_map(|c| {
            let rated = [true, scenario.input_rated[c], scenario.cached_rated[c]];
            (0..KINDS)
                .filter(move |&x| rated[x])
                .map(move |x| (c, x, demand[x][c]))
        })
        .filter(|&(_, _, d)| d > 0.0)
        .collect();
    let curves: Vec<(f64, &ByKind)> = if fleet.has_curves {
        fleet
            .sites
            .iter()
            .filter_map(|site| match &site.share {
                crate::scenario::ServingShare::Curve { share, .. } => {
                    Some((share[step], &site.full))
                }
                _ => None,
            })
            .collect()
    } else {
        Vec::new()
    };
    // U and dU/dlambda at lambda: infinite where a demanded pair has no capacity.
    let at = |lambda: f64| -> (f64, f64) {
        let (mut u, mut slope) = (0.0, 0.0);
        for &(c, x, d) in &pairs {
            let mut t = fleet.base[x][c];
            if lambda > 0.0 {
                t += lambda * fleet.elastic_span[x][c];
            }
            for &(share, full) in &curves {
                t += share * full[x][c];
            }
            if t <= 0.0 {
                return (f64::INFINITY, f64::NEG_INFINITY);
            }
            u += d / t;
            slope -= d * fleet.elastic_span[x][c] / (t * t);
        }
        (u, slope)
    };
    let (u0, u1) = (at(0.0).0, at(1.0).0);
    super::lambda::smallest_within(scenario.utilization_target, u0, u1, at)
}

/// The weekly sums a [`Headroom`]'s shares are ratios of.
pub(super) struct WeekTotals {
    /// Served tokens over the week.
    pub served: f64,
    /// Desired tokens over the week.
    pub desired: f64,
    /// Served tokens past 100 % utilization.
    pub shed: f64,
}

impl Headroom {
    /// The figures of a week from its utilization and totals, the same for both evaluators:
    /// training GPU-hours and usage as computed, `throttled_at(peak step)` gives the
    /// throttled share at the peak.
    pub(super) fn assemble(
        scenario: &Scenario,
        fleet: &FleetCapacity,
        utilization: Vec<f64>,
        totals: WeekTotals,
        unservable: &[bool],
        (training_gpu_hours, usage): (f64, Usage),
        throttled_at: impl FnOnce(usize) -> f64,
    ) -> Headroom {
        let (peak_step, peak_utilization) = peak_of(&utilization);
        let target = scenario.utilization_target;
        let steps_over = utilization.iter().filter(|&&u| u > target).count();
        let unservable_classes: Vec<usize> =
            (0..unservable.len()).filter(|&c| unservable[c]).collect();
        Headroom {
            peak_utilization,
            peak_step,
            hours_over_target: scenario.step_hours() * steps_over as f64,
            served_share: if totals.desired > 0.0 {
                totals.served / totals.desired
            } else {
                1.0
            },
            throttled_share_at_peak: throttled_at(peak_step),
            // Summed in different orders, shed can round past served: a share is at most 1.
            shed_share: if totals.served > 0.0 {
                (totals.shed / totals.served).min(1.0)
            } else {
                0.0
            },
            mw_to_fit: mw_to_fit(peak_utilization, target, fleet.serving_mw),
            fit: Fit::judge(
                !unservable_classes.is_empty(),
                peak_utilization,
                target,
                training_gpu_hours,
                scenario.training_floor_gpu_hours,
            ),
            training_gpu_hours,
            usage,
            unservable_classes,
            utilization,
        }
    }
}

/// The peak of a week: its maximum utilization, and the first step whose utilization is
/// within [`PEAK_TIE`] (relative) of it (step 0 and 0 for a week without load). Where an
/// elastic share holds U at the target, steps tie and rounding in lambda puts some a hair
/// below it: the tolerance keeps the peak on the first of them, whatever the rounding
/// (MODEL.md, "Ties at the peak").
pub fn peak_of(utilization: &[f64]) -> (usize, f64) {
    let peak = utilization.iter().copied().fold(0.0, f64::max);
    if peak <= 0.0 {
        return (0, 0.0);
    }
    let tied = |u: f64| {
        if peak.is_finite() {
            u >= peak - PEAK_TIE * peak
        } else {
            u == peak
        }
    };
    let step = utilization.iter().position(|&u| tied(u)).unwrap_or(0);
    (step, peak)
}

/// Steps whose utilization is within this share of the peak tie with it.
pub const PEAK_TIE: f64 = 1e-12;

fn policy_shares(scenario: &Scenario, policy: &Policy) -> Vec<TierShares> {
    scenario
        .tiers
        .iter()
        .zip(&policy.limits)
        .map(|(tier, limit)| tier_shares(scenario, tier, limit.as_ref()))
        .collect()
}

/// Who makes up the load at one step: what `explain` shows.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadBreakdown {
    /// Each tier's contribution to U at the step, sum_c d(t,c,h) / T(c).
    pub tier_utilization: Vec<f64>,
    /// Active users of each tier throttled at the step, a(t,h) * theta.
    pub tier_throttled_users: Vec<f64>,
    /// Active users of each tier at the step.
    pub tier_active_users: Vec<f64>,
    /// Each class's contribution to U at the step, summed over its rated kinds (0 where
    /// there is no capacity).
    pub class_utilization: Vec<f64>,
    /// Each class's contribution per kind: `[output, input, cached]`.
    pub class_kind_utilization: Vec<[f64; KINDS]>,
    /// The elastic sites' lambda at the step (0 without elastic sites).
    pub lambda: f64,
}

/// The load at `step` split by tier and by class, with the same formulas as [`evaluate`].
pub fn breakdown(
    scenario: &Scenario,
    fleet: &FleetCapacity,
    policy: &Policy,
    users_scale: &[f64],
    step: usize,
) -> LoadBreakdown {
    let shares = policy_shares(scenario, policy);
    let peak = scenario
        .peak_hours
        .contains(step as u32 * scenario.step_minutes);
    let classes = scenario.classes.len();
    let zero = || [vec![0.0; classes], vec![0.0; classes], vec![0.0; classes]];
    // The week's capacity at this step, with lambda found as `evaluate` finds it.
    let mut demand: ByKind = zero();
    let mut per_tier = Vec::with_capacity(scenario.tiers.len());
    let tiers = scenario.tiers.iter().zip(&shares).zip(users_scale);
    for (t, ((tier, tier_shares), scale)) in tiers.enumerate() {
        let active_users = tier.users * scale * tier.activity[step];
        let (phi, theta) = tier_shares.at(peak);
        let served = active_users * tier.tokens_per_active_hour / 3600.0 * phi;
        let kinds = [1.0, tier.uncached_per_output(), tier.cached_per_output()];
        for (c, mix) in scenario.mix(policy, t, peak).iter().enumerate() {
            for x in 0..KINDS {
                demand[x][c] += served * mix * kinds[x];
            }
        }
        per_tier.push((served, kinds, active_users, theta));
    }
    let mut capacity: ByKind = zero();
    let lambda = if fleet.is_elastic() {
        elastic_lambda(scenario, fleet, step, &demand)
    } else {
        0.0
    };
    fleet.capacity_into(step, lambda, &mut capacity);
    let mut result = LoadBreakdown {
        tier_utilization: Vec::with_capacity(scenario.tiers.len()),
        tier_throttled_users: Vec::with_capacity(scenario.tiers.len()),
        tier_active_users: Vec::with_capacity(scenario.tiers.len()),
        class_utilization: vec![0.0; classes],
        class_kind_utilization: vec![[0.0; KINDS]; classes],
        lambda,
    };
    for (t, (served, kinds, active_users, theta)) in per_tier.into_iter().enumerate() {
        let mix = scenario.mix(policy, t, peak);
        let mut u = 0.0;
        for c in 0..classes {
            let rated = [true, scenario.input_rated[c], scenario.cached_rated[c]];
            for x in 0..KINDS {
                let t = capacity[x][c];
                if rated[x] && t > 0.0 {
                    let part = served * mix[c] * kinds[x] / t;
                    u += part;
                    result.class_utilization[c] += part;
                    result.class_kind_utilization[c][x] += part;
                }
            }
        }
        result.tier_utilization.push(u);
        result.tier_throttled_users.push(active_users * theta);
        result.tier_active_users.push(active_users);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_peak_is_the_first_step_tied_with_the_maximum() {
        // Held at the target 0.85, step 0 rounds a hair below it and step 1 to it exactly:
        // the peak stays on step 0, and its value is the maximum.
        let below = f64::from_bits(0.85_f64.to_bits() - 1);
        assert_eq!(peak_of(&[below, 0.85, 0.5]), (0, 0.85));
        // A step below the maximum by more than 1e-12 (relative) is not tied.
        assert_eq!(peak_of(&[0.85 * (1.0 - 2e-12), 0.85, 0.5]), (1, 0.85));
        assert_eq!(peak_of(&[0.85 * (1.0 - 0.5e-12), 0.85]), (0, 0.85));
        assert_eq!(peak_of(&[0.0, 0.0]), (0, 0.0));
        assert_eq!(peak_of(&[]), (0, 0.0));
        assert_eq!(peak_of(&[1.0, f64::INFINITY, 2.0]), (1, f64::INFINITY));
    }
}
