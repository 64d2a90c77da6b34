//! The fast path of the model, for planning-scale runs (10,080 steps, a hundred tiers,
//! dozens of policies, months of timeline).
//!
//! It rests on one observation: the served share `phi` depends on the tier, the policy and
//! whether the step is a peak step, never on the step itself. So
//!
//! ```text
//! U(h) = sum_t d(h,t) * scale_t * phi_t(p(h)) * w_t,   w_t = sum_{c: T(c) > 0} mix(t,c) / T(c)
//! ```
//!
//! where `d(h,t) = users_t * curve_t(h) * tokens_per_active_hour_t / 3600` is the same for
//! every policy, phase, growth month and demand case. [`Evaluator::new`] builds `d` once;
//! each evaluation is then one dot product of length "tiers" per step, and the weekly
//! totals (served, desired) come from per-tier column sums instead of a second pass.
//! Fleets whose capacity moves by step (share curves, elastic sites) take a pass of their
//! own over the same segments, lambda solved once per run of identical steps. Results
//! agree with the formula-by-formula [`super::evaluate`] to 1e-12 (tested).

use std::sync::atomic::{AtomicUsize, Ordering};

use super::demand::{TierShares, active_hours_per_week, tier_shares_for};
use super::fleet::{ByKind, FleetCapacity, KINDS};
use super::headroom::{Headroom, Usage, WeekTotals};
use crate::scenario::{Policy, Scenario, Tier};

/// Demand per step and tier, built once per scenario and shared by every evaluation.
#[derive(Debug)]
pub struct Evaluator<'s> {
    scenario: &'s Scenario,
    tiers: usize,
    /// d(h,t) of each run of identical consecutive steps (same demand, same peak flag),
    /// segment-major: an hourly curve at 1-minute steps is 168 rows, not 10,080.
    rows: Vec<f64>,
    /// Per segment, in step order: how many steps it holds, and whether they are peak.
    segments: Vec<Segment>,
    /// Per step: its segment.
    step_segment: Vec<usize>,
    /// The first step of each run of steps with the same segment and the same share on
    /// every share curve of the scenario.
    run_starts: Vec<usize>,
    /// Whether each step is a peak step.
    peak: Vec<bool>,
    /// Per tier: sum of d over off-peak steps, and over peak steps.
    off_peak_sum: Vec<f64>,
    peak_sum: Vec<f64>,
    /// Per tier: H(t), active hours per user per week.
    active_hours: Vec<f64>,
    /// Per tier: sum of the mix shares (1 within 1e-6).
    mix_total: Vec<f64>,
    /// Evaluations run so far, from any thread: tests use it to prove that a question
    /// evaluates each (policy, fleet, demand) once.
    evaluations: AtomicUsize,
}

impl<'s> Evaluator<'s> {
    /// Builds the demand matrix of a scenario.
    pub fn new(scenario: &'s Scenario) -> Evaluator<'s> {
        let tiers = scenario.tiers.len();
        let steps = scenario.steps();
        let peak = scenario.peak_hours.mask(scenario.step_minutes);
        let mut off_peak_sum = vec![0.0; tiers];
        let mut peak_sum = vec![0.0; tiers];
        let rates: Vec<f64> = scenario
            .tiers
            .iter()
            .map(|tier| tier.users * tier.tokens_per_active_hour / 3600.0)
            .collect();
        let (mut rows, mut segments, mut step_segment) =
            (Vec::new(), Vec::<Segment>::new(), Vec::with_capacity(steps));
        let mut row = vec![0.0; tiers];
        for h in 0..steps {
            for (t, tier) in scenario.tiers.iter().enumerate() {
                let d = rates[t] * tier.activity[h];
                row[t] = d;
                if peak[h] {
                    peak_sum[t] += d;
                } else {
                    off_peak_sum[t] += d;
                }
            }
            let same = segments
                .last()
                .is_some_and(|last| last.peak == peak[h] && rows[rows.len() - tiers..] == row[..]);
            match segments.last_mut() {
                Some(last) if same => last.len += 1,
                _ => {
                    segments.push(Segment {
                        len: 1,
                        peak: peak[h],
                    });
                    rows.extend_from_slice(&row);
                }
            }
            step_segment.push(segments.len() - 1);
        }
        let curves: Vec<&[f64]> = scenario
            .sites
            .iter()
            .filter_map(|site| match &site.serving_share {
                crate::scenario::ServingShare::Curve { share, .. } => Some(&share[..]),
                _ => None,
            })
            .collect();
        let run_starts = (0..steps)
            .filter(|&h| {
                h == 0
                    || step_segment[h] != step_segment[h - 1]
                    || curves.iter().any(|share| share[h] != share[h - 1])
            })
            .collect();
        Evaluator {
            scenario,
            tiers,
            rows,
            segments,
            step_segment,
            run_starts,
            peak,
            off_peak_sum,
            peak_sum,
            active_hours: scenario
                .tiers
                .iter()
                .map(|t| active_hours_per_week(scenario, t))
                .collect(),
            // Over the shares as given: a tier without a speed of its own has none of its
            // frontier classes in `mix` (every policy serves it at a speed of its own).
            mix_total: scenario
                .tiers
                .iter()
                .map(|t| t.class_mix.iter().sum())
                .collect(),
            evaluations: AtomicUsize::new(0),
        }
    }

    /// How many evaluations have run: each call of [`Evaluator::evaluate`], and each job
    /// of [`Evaluator::evaluate_many`].
    pub fn evaluations(&self) -> usize {
        self.evaluations.load(Ordering::Relaxed)
    }

    /// The scenario this evaluator was built for.
    pub fn scenario(&self) -> &'s Scenario {
        self.scenario
    }

    /// d(h,t) of step `h`, one value per tier.
    pub(super) fn row(&self, h: usize) -> &[f64] {
        let s = self.step_segment[h];
        &self.rows[s * self.tiers..(s + 1) * self.tiers]
    }

    /// The run of identical consecutive steps (same demand per tier, same peak flag) that
    /// step `h` belongs to: two steps of one run have the same demand under any policy.
    pub(super) fn segment_of(&self, h: usize) -> usize {
        self.step_segment[h]
    }

    /// D_x(c) of each run of identical steps under `policy` with each tier's users times
    /// `users_scale`, as a constant fleet's headline sums it: from the same rows of the
    /// demand matrix, one dot product per (column, kind) with each tier's served share,
    /// mix over columns (at the policy's speed, off peak or at peak) and input per output
    /// token. Calls `look(first step of the run, demand)` for
    /// each run, in step order.
    pub(super) fn segment_demand(
        &self,
        policy: &Policy,
        users_scale: &[f64],
        mut look: impl FnMut(usize, &ByKind),
    ) {
        let scenario = self.scenario;
        let (tiers, classes) = (self.tiers, scenario.classes.len());
        let shares: Vec<TierShares> = scenario
            .tiers
            .iter()
            .zip(&policy.limits)
            .zip(&self.active_hours)
            .map(|((tier, limit), &hours)| tier_shares_for(tier, limit.as_ref(), hours))
            .collect();
        // coefficients[peak][x * classes + c][t]; None where every tier's is 0.
        let mut coefficients: [Vec<Option<Vec<f64>>>; 2] = Default::default();
        for (peak, by_row) in coefficients.iter_mut().enumerate() {
            for x in 0..KINDS {
                for c in 0..classes {
                    let column: Vec<f64> = scenario
                        .tiers
                        .iter()
                        .zip(&shares)
                        .zip(users_scale)
                        .enumerate()
                        .map(|(t, ((tier, shares), &scale))| {
                            let kinds = [1.0, tier.uncached_per_output(), tier.cached_per_output()];
                            let mix = scenario.mix(policy, t, peak == 1)[c];
                            scale * shares.at(peak == 1).0 * mix * kinds[x]
                        })
                        .collect();
                    by_row.push(column.iter().any(|&v| v != 0.0).then_some(column));
                }
            }
        }
        let mut demand: ByKind = [vec![0.0; classes], vec![0.0; classes], vec![0.0; classes]];
        let mut first = 0;
        for (s, segment) in self.segments.iter().enumerate() {
            let row = &self.rows[s * tiers..(s + 1) * tiers];
            let by_row = &coefficients[usize::from(segment.peak)];
            for x in 0..KINDS {
                for c in 0..classes {
                    demand[x][c] = by_row[x * classes + c]
                        .as_ref()
                        .map_or(0.0, |column| dot(row, column));
                }
            }
            look(first, &demand);
            first += segment.len;
        }
    }

    /// Whether each step is a peak step.
    pub(super) fn peak_mask(&self) -> &[bool] {
        &self.peak
    }

    /// Runs of identical consecutive steps: fewer than steps when curves repeat.
    pub fn segments(&self) -> usize {
        self.segments.len()
    }

    /// Runs of consecutive steps with the same demand and the same serving share at every
    /// site: what one sampled evaluation walks (a share curve splits a run of demand where
    /// it moves), so the work of a run grows with these, not with steps.
    pub fn distinct_steps(&self) -> usize {
        self.run_starts.len()
    }

    /// The runs of [`Evaluator::distinct_steps`], in step order: (first step, steps).
    pub(super) fn runs(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        let steps = self.step_segment.len();
        self.run_starts.iter().enumerate().map(move |(i, &first)| {
            let end = self.run_starts.get(i + 1).copied().unwrap_or(steps);
            (first, end - first)
        })
    }

    /// H(t), active hours per user per week, per tier.
    pub(super) fn active_hours(&self) -> &[f64] {
        &self.active_hours
    }

    /// Evaluates `policy` on `fleet` with each tier's users multiplied by `users_scale`:
    /// the same answer as [`super::evaluate`], computed faster.
    pub fn evaluate(
        &self,
        fleet: &FleetCapacity,
        policy: &Policy,
        users_scale: &[f64],
    ) -> Headroom {
        self.evaluate_many(policy, &[(fleet, users_scale)])
            .pop()
            .expect("one job, one answer")
    }

    /// Evaluates `policy` on each (fleet, users scale) pair, in order: one pass over the
    /// demand matrix for all of them (each row is read once and multiplied by every job's
    /// coefficients while it is in cache), then each job's own totals. The answers are
    /// those of [`Evaluator::evaluate`] one by one, bit for bit: each dot product is the
    /// same. A policy's variants (N-1 losses, demand cases) are such a batch.
    pub fn evaluate_many(
        &self,
        policy: &Policy,
        jobs: &[(&FleetCapacity, &[f64])],
    ) -> Vec<Headroom> {
        self.evaluations.fetch_add(jobs.len(), Ordering::Relaxed);
        let prepared: Vec<Option<Prepared>> = jobs
            .iter()
            .map(|&(fleet, users_scale)| {
                assert_eq!(users_scale.len(), self.tiers, "one users scale per tier");
                // Capacity that moves by step (share curves, elastic sites) takes its
                // own pass ([`Evaluator::evaluate_varying`]).
                fleet
                    .is_constant()
                    .then(|| self.prepare(fleet, policy, users_scale))
            })
            .collect();
        // The blocked pass: for each segment, every constant job's U.
        let constant: Vec<&Prepared> = prepared.iter().flatten().collect();
        let tiers = self.tiers;
        let mut segment_u = vec![Vec::with_capacity(self.segments.len()); constant.len()];
        let off: Vec<&[f64]> = constant.iter().map(|job| &job.u_off[..]).collect();
        let at_peak: Vec<&[f64]> = constant.iter().map(|job| &job.u_peak[..]).collect();
        for (s, segment) in self.segments.iter().enumerate() {
            let row = &self.rows[s * tiers..(s + 1) * tiers];
            let coefficients = if segment.peak { &at_peak } else { &off };
            for (u, c) in segment_u.iter_mut().zip(coefficients) {
                u.push(dot(row, c));
            }
        }
        let mut segment_u = segment_u.into_iter();
        jobs.iter()
            .zip(prepared)
            .map(|(&(fleet, users_scale), prepared)| match prepared {
                Some(prepared) => {
                    let u = segment_u.next().expect("one U per constant job");
                    self.finish(fleet, policy, users_scale, prepared, u)
                }
                None => self.evaluate_varying(fleet, policy, users_scale),
            })
            .collect()
    }

    /// A constant fleet's per-tier coefficients of U, off peak and at peak, and the shares
    /// and unservable classes they come from.
    fn prepare(&self, fleet: &FleetCapacity, policy: &Policy, users_scale: &[f64]) -> Prepared {
        let scenario = self.scenario;
        let shares: Vec<TierShares> = scenario
            .tiers
            .iter()
            .zip(&policy.limits)
            .zip(&self.active_hours)
            .map(|((tier, limit), &hours)| tier_shares_for(tier, limit.as_ref(), hours))
            .collect();
        let capacity = &fleet.base;
        let mut u_off = vec![0.0; self.tiers];
        let mut u_peak = vec![0.0; self.tiers];
        let mut unservable = vec![false; scenario.classes.len()];
        for (t, tier) in scenario.tiers.iter().enumerate() {
            let scale = users_scale[t];
            let s = &shares[t];
            let demand = [
                self.off_peak_sum[t] > 0.0 && s.served_off_peak > 0.0,
                self.peak_sum[t] > 0.0 && s.served_at_peak > 0.0,
            ];
            // The tier's weight at its off-peak and its peak speed (the same mix without a
            // frontier).
            let mut weights = [0.0; 2];
            for (peak, weight) in weights.iter_mut().enumerate() {
                let mix = scenario.mix(policy, t, peak == 1);
                *weight = tier_weight(scenario, tier, mix, capacity, |c| {
                    if mix[c] > 0.0 && scale > 0.0 && demand[peak] {
                        unservable[c] = true;
                    }
                });
            }
            u_off[t] = scale * shares[t].served_off_peak * weights[0];
            u_peak[t] = scale * shares[t].served_at_peak * weights[1];
        }
        Prepared {
            shares,
            u_off,
            u_peak,
            unservable,
        }
    }

    /// One constant job's answer from its U per segment: the week, shed demand (a second
    /// look at the overloaded segments only), the weekly totals from column sums.
    fn finish(
        &self,
        fleet: &FleetCapacity,
        policy: &Policy,
        users_scale: &[f64],
        prepared: Prepared,
        segment_u: Vec<f64>,
    ) -> Headroom {
        let scenario = self.scenario;
        let Prepared {
            shares,
            u_off,
            u_peak,
            unservable,
        } = prepared;
        let steps = self.peak.len();
        let tiers = self.tiers;
        let mut utilization = Vec::with_capacity(steps);
        for (segment, &u) in self.segments.iter().zip(&segment_u) {
            utilization.extend(std::iter::repeat_n(u, segment.len));
        }

        // Weekly totals from column sums; shed needs served(h) only where U > 1.
        let (mut served_total, mut desired_total) = (0.0, 0.0);
        let mut served_off = vec![0.0; self.tiers];
        let mut served_peak = vec![0.0; self.tiers];
        for t in 0..self.tiers {
            let factor = users_scale[t] * self.mix_total[t];
            served_off[t] = factor * shares[t].served_off_peak;
            served_peak[t] = factor * shares[t].served_at_peak;
            served_total +=
                served_off[t] * self.off_peak_sum[t] + served_peak[t] * self.peak_sum[t];
            desired_total += factor * (self.off_peak_sum[t] + self.peak_sum[t]);
        }
        let mut shed_total = 0.0;
        // Each tier's activity summed over the week as the fleet serves it: past 100 % a
        // step keeps 1/U of its load (model v3), so cost and revenue count what was served.
        let (mut kept_off, mut kept_peak) = (self.off_peak_sum.clone(), self.peak_sum.clone());
        for (s, (segment, &u)) in self.segments.iter().zip(&segment_u).enumerate() {
            if u > 1.0 {
                let row = &self.rows[s * tiers..(s + 1) * tiers];
                let lost = segment.len as f64 * (1.0 - 1.0 / u);
                let kept = if segment.peak {
                    &mut kept_peak
                } else {
                    &mut kept_off
                };
                for (k, &d) in kept.iter_mut().zip(row) {
                    *k = (*k - d * lost).max(0.0);
                }
                let served = dot(
                    row,
                    if segment.peak {
                        &served_peak
                    } else {
                        &served_off
                    },
                );
                // Step by step, in order, as the formulas sum it.
                for _ in 0..segment.len {
                    shed_total += served * (1.0 - 1.0 / u);
                }
            }
        }

        let totals = WeekTotals {
            served: served_total,
            desired: desired_total,
            shed: shed_total,
        };
        let training = fleet.training_gpu_hours(steps, scenario.step_hours(), 0.0);
        let usage = self.usage(
            fleet,
            policy,
            &shares,
            users_scale,
            (&u_off, &u_peak),
            (&kept_off, &kept_peak),
        );
        Headroom::assemble(
            scenario,
            fleet,
            utilization,
            totals,
            &unservable,
            (training, usage),
            |peak| self.throttled_at(&shares, users_scale, peak),
        )
    }
}

impl Evaluator<'_> {
    /// A fleet whose capacity moves by step (share curves, elastic sites): the formulas of
    /// [`super::evaluate`] once per run of steps with the same demand, the same peak flag
    /// and the same curve shares, instead of once per step. Each run's demand, lambda and
    /// U are the formulas' own sums in their order (the same bits); usage is summed per run
    /// and times its length, the tokens from each tier's served sums at the end.
    fn evaluate_varying(
        &self,
        fleet: &FleetCapacity,
        policy: &Policy,
        users_scale: &[f64],
    ) -> Headroom {
        let scenario = self.scenario;
        let (tiers, classes) = (self.tiers, scenario.classes.len());
        let steps = self.peak.len();
        let dt = scenario.step_hours();
        let target = scenario.utilization_target;
        let elastic = fleet.is_elastic();
        let shares: Vec<TierShares> = scenario
            .tiers
            .iter()
            .zip(&policy.limits)
            .zip(&self.active_hours)
            .map(|((tier, limit), &hours)| tier_shares_for(tier, limit.as_ref(), hours))
            .collect();
        // The rated (class, kind) pairs, in `utilization_of`'s order, and what they read.
        let mut pairs: Vec<(usize, usize)> = Vec::with_capacity(classes * KINDS);
        let mut pair_of: Vec<[Option<usize>; KINDS]> = vec![[None; KINDS]; classes];
        for (c, pair_of) in pair_of.iter_mut().enumerate() {
            let rated = [true, scenario.input_rated[c], scenario.cached_rated[c]];
            for (x, &rated) in rated.iter().enumerate() {
                if rated {
                    pair_of[x] = Some(pairs.len());
                    pairs.push((c, x));
                }
            }
        }
        let base: Vec<f64> = pairs.iter().map(|&(c, x)| fleet.base[x][c]).collect();
        let span: Vec<f64> = pairs
            .iter()
            .map(|&(c, x)| fleet.elastic_span[x][c])
            .collect();
        // Per curve site: its share by step and its full capacity per pair.
        let curves: Vec<(&[f64], Vec<f64>)> = fleet
            .sites
            .iter()
            .filter_map(|site| match &site.share {
                crate::scenario::ServingShare::Curve { share, .. } => Some((
                    &share[..],
                    pairs.iter().map(|&(c, x)| site.full[x][c]).collect(),
                )),
                _ => None,
            })
            .collect();
        // Per peak flag and tier: its mix's nonzero columns with the pair of each rated
        // kind (None where unrated), its mix total, and its kinds.
        type Column = (usize, f64, [Option<usize>; KINDS]);
        let mut columns: [Vec<Vec<Column>>; 2] = Default::default();
        let mut mix_totals: [Vec<f64>; 2] = Default::default();
        for (peak, by_tier) in columns.iter_mut().enumerate() {
            for t in 0..tiers {
                let mix = scenario.mix(policy, t, peak == 1);
                let mut total = 0.0;
                for m in mix {
                    total += m;
                }
                mix_totals[peak].push(total);
                by_tier.push(
                    mix.iter()
                        .enumerate()
                        .filter(|&(_, &m)| m != 0.0)
                        .map(|(c, &m)| (c, m, pair_of[c]))
                        .collect(),
                );
            }
        }
        let kinds: Vec<[f64; KINDS]> = scenario
            .tiers
            .iter()
            .map(|tier| [1.0, tier.uncached_per_output(), tier.cached_per_output()])
            .collect();

        let mut utilization = Vec::with_capacity(steps);
        let mut unservable = vec![false; classes];
        let (mut lambda_hours, mut served_total, mut desired_total, mut shed_total) =
            (0.0, 0.0, 0.0, 0.0);
        let mut usage = Usage {
            serving_gpu_hours: 0.0,
            tier_gpu_hours: vec![0.0; tiers],
            class_gpu_hours: vec![0.0; classes],
            tier_tokens: vec![[0.0; KINDS]; tiers],
            class_output_tokens: vec![0.0; classes],
        };
        // Per peak flag and tier: output tokens/s served (after shedding) summed over steps.
        let mut kept_served = [vec![0.0; tiers], vec![0.0; tiers]];
        let mut served = vec![0.0; tiers];
        let mut demand = vec![0.0; pairs.len()];
        let mut capacity = vec![0.0; pairs.len()];
        let mut inverse = vec![0.0; pairs.len()];
        let mut curve_shares = vec![0.0; curves.len()];
        let mut live: Vec<usize> = Vec::with_capacity(pairs.len());
        let mut first = 0;
        for segment in &self.segments {
            let peak = segment.peak;
            let by_tier = &columns[usize::from(peak)];
            // D_x(c) of the run, as `step_demand` sums it at its first step.
            demand.iter_mut().for_each(|d| *d = 0.0);
            let (mut served_step, mut desired_step) = (0.0, 0.0);
            for (t, tier) in scenario.tiers.iter().enumerate() {
                let active_users = tier.users * users_scale[t] * tier.activity[first];
                let phi = shares[t].at(peak).0;
                let desired = active_users * tier.tokens_per_active_hour / 3600.0;
                served[t] = desired * phi;
                desired_step += desired * mix_totals[usize::from(peak)][t];
                served_step += served[t] * mix_totals[usize::from(peak)][t];
                for &(_, mix, at) in &by_tier[t] {
                    let out = served[t] * mix;
                    for (x, p) in at.iter().enumerate() {
                        if let Some(p) = *p {
                            demand[p] += if x == 0 { out } else { out * kinds[t][x] };
                        }
                    }
                }
            }
            // Runs of steps with the same curve shares within the segment.
            let end = first + segment.len;
            let mut start = first;
            while start < end {
                let mut stop = start + 1;
                while stop < end && fleet.same_capacity_at(stop, start) {
                    stop += 1;
                }
                let n = stop - start;
                for (share, (curve, _)) in curve_shares.iter_mut().zip(&curves) {
                    *share = curve[start];
                }
                // Capacity in `capacity_into`'s order: base, lambda x span, each curve.
                let capacity_at = |p: usize, lambda: f64| {
                    let mut t = base[p];
                    if lambda > 0.0 {
                        t += lambda * span[p];
                    }
                    for (&share, (_, full)) in curve_shares.iter().zip(&curves) {
                        t += share * full[p];
                    }
                    t
                };
                let lambda = if elastic {
                    // Only the demanded pairs, as `elastic_lambda` reads them.
                    live.clear();
                    live.extend((0..pairs.len()).filter(|&p| demand[p] > 0.0));
                    let at = |lambda: f64| -> (f64, f64) {
                        let (mut u, mut slope) = (0.0, 0.0);
                        for &p in &live {
                            let (d, t) = (demand[p], capacity_at(p, lambda));
                            if t <= 0.0 {
                                return (f64::INFINITY, f64::NEG_INFINITY);
                            }
                            u += d / t;
                            slope -= d * span[p] / (t * t);
                        }
                        (u, slope)
                    };
                    let (u0, u1) = (at(0.0).0, at(1.0).0);
                    super::lambda::smallest_within(target, u0, u1, at)
                } else {
                    0.0
                };
                // U as `utilization_of` sums it; the classes with demand and no capacity.
                let mut u = 0.0;
                for (p, &d) in demand.iter().enumerate() {
                    let t = capacity_at(p, lambda);
                    capacity[p] = t;
                    if t > 0.0 {
                        u += d / t;
                        inverse[p] = 1.0 / t;
                    } else {
                        inverse[p] = 0.0;
                        if d > 0.0 {
                            unservable[pairs[p].0] = true;
                        }
                    }
                }
                let gpus = fleet.serving_gpus_at(start, lambda);
                let kept = if u > 1.0 { 1.0 / u } else { 1.0 };
                // Step by step, in order, as the formulas sum them.
                for _ in 0..n {
                    utilization.push(u);
                    lambda_hours += lambda * dt;
                    usage.serving_gpu_hours += gpus * dt;
                    if u > 1.0 {
                        shed_total += served_step * (1.0 - 1.0 / u);
                    }
                    served_total += served_step;
                    desired_total += desired_step;
                }
                // Usage: the run's GPU-hours per tier and class, times its length.
                let hours = n as f64 * kept * gpus * dt;
                for t in 0..tiers {
                    if served[t] == 0.0 {
                        continue;
                    }
                    kept_served[usize::from(peak)][t] += n as f64 * kept * served[t];
                    let mut weight = 0.0;
                    for &(_, mix, at) in &by_tier[t] {
                        for (x, p) in at.iter().enumerate() {
                            if let Some(p) = *p {
                                weight += mix * kinds[t][x] * inverse[p];
                            }
                        }
                    }
                    usage.tier_gpu_hours[t] += hours * served[t] * weight;
                }
                for (p, &(c, _)) in pairs.iter().enumerate() {
                    if demand[p] > 0.0 && capacity[p] > 0.0 {
                        usage.class_gpu_hours[c] += hours * demand[p] * inverse[p];
                    }
                }
                start = stop;
            }
            first = end;
        }
        // Tokens from each tier's served sums, at each speed's mix.
        for t in 0..tiers {
            for (peak, kept) in kept_served.iter().enumerate() {
                let served = kept[t];
                if served == 0.0 {
                    continue;
                }
                for (c, &mix) in scenario.mix(policy, t, peak == 1).iter().enumerate() {
                    for x in 0..KINDS {
                        usage.tier_tokens[t][x] += served * mix * kinds[t][x] * 3600.0 * dt;
                    }
                    usage.class_output_tokens[c] += served * mix * 3600.0 * dt;
                }
            }
        }

        let totals = WeekTotals {
            served: served_total,
            desired: desired_total,
            shed: shed_total,
        };
        let training = fleet.training_gpu_hours(steps, dt, lambda_hours);
        Headroom::assemble(
            scenario,
            fleet,
            utilization,
            totals,
            &unservable,
            (training, usage),
            |peak| self.throttled_at(&shares, users_scale, peak),
        )
    }

    /// A constant fleet's usage from the per-tier column sums: each tier's served tokens
    /// and its terms of U summed over the week, times the (constant) serving GPUs. The
    /// sums are `kept`: the activity the fleet serves, less what overloaded steps shed.
    fn usage(
        &self,
        fleet: &FleetCapacity,
        policy: &Policy,
        shares: &[TierShares],
        users_scale: &[f64],
        (u_off, u_peak): (&[f64], &[f64]),
        (kept_off, kept_peak): (&[f64], &[f64]),
    ) -> Usage {
        let scenario = self.scenario;
        let dt = scenario.step_hours();
        let gpus = fleet.serving_gpus_at(0, 0.0);
        let capacity = &fleet.base;
        let classes = scenario.classes.len();
        let mut usage = Usage {
            serving_gpu_hours: gpus * dt * self.peak.len() as f64,
            tier_gpu_hours: vec![0.0; self.tiers],
            class_gpu_hours: vec![0.0; classes],
            tier_tokens: vec![[0.0; KINDS]; self.tiers],
            class_output_tokens: vec![0.0; classes],
        };
        for (t, tier) in scenario.tiers.iter().enumerate() {
            let s = &shares[t];
            // Output tokens/s served, summed over the week's steps, off peak and at peak
            // (a tier may be served at another speed, so in other columns, at peak).
            let parts = [
                users_scale[t] * s.served_off_peak * kept_off[t],
                users_scale[t] * s.served_at_peak * kept_peak[t],
            ];
            usage.tier_gpu_hours[t] =
                gpus * dt * (u_off[t] * kept_off[t] + u_peak[t] * kept_peak[t]);
            let kinds = [1.0, tier.uncached_per_output(), tier.cached_per_output()];
            let (off_mix, peak_mix) = (
                scenario.mix(policy, t, false),
                scenario.mix(policy, t, true),
            );
            if std::ptr::eq(off_mix, peak_mix) {
                self.account_served(
                    &mut usage,
                    t,
                    parts[0] + parts[1],
                    off_mix,
                    kinds,
                    (gpus, capacity),
                );
            } else {
                self.account_served(&mut usage, t, parts[0], off_mix, kinds, (gpus, capacity));
                self.account_served(&mut usage, t, parts[1], peak_mix, kinds, (gpus, capacity));
            }
        }
        usage
    }

    /// Adds `served` output tokens/s (summed over steps) of tier `t` on `mix` to the
    /// tokens and class GPU-hours of `usage`, on the fleet's constant capacity.
    fn account_served(
        &self,
        usage: &mut Usage,
        t: usize,
        served: f64,
        mix: &[f64],
        kinds: [f64; KINDS],
        (gpus, capacity): (f64, &ByKind),
    ) {
        let scenario = self.scenario;
        let dt = scenario.step_hours();
        for (c, &mix) in mix.iter().enumerate() {
            let rated = [true, scenario.input_rated[c], scenario.cached_rated[c]];
            for x in 0..KINDS {
                usage.tier_tokens[t][x] += served * mix * kinds[x] * 3600.0 * dt;
                if rated[x] && capacity[x][c] > 0.0 {
                    usage.class_gpu_hours[c] +=
                        served * mix * kinds[x] / capacity[x][c] * gpus * dt;
                }
            }
            usage.class_output_tokens[c] += served * mix * 3600.0 * dt;
        }
    }
}

impl Evaluator<'_> {
    /// throttled_share_at_peak: active users throttled at step `peak` over those active,
    /// under the policy's `shares` (0 when nobody is active).
    fn throttled_at(&self, shares: &[TierShares], users_scale: &[f64], peak: usize) -> f64 {
        let (mut active, mut throttled) = (0.0, 0.0);
        for (t, tier) in self.scenario.tiers.iter().enumerate() {
            let users = tier.users * users_scale[t] * tier.activity[peak];
            active += users;
            throttled += users * shares[t].at(self.peak[peak]).1;
        }
        if active > 0.0 {
            throttled / active
        } else {
            0.0
        }
    }
}

/// W_t: a tier's utilization per output token/s it is served, the sum over classes and
/// rated token kinds of mix x kind / T, on `capacity`, with the tier's `mix` over columns
/// at its speed. A kind with no capacity adds nothing and is reported to `no_capacity`
/// with its class (unservable if demanded).
pub(super) fn tier_weight(
    scenario: &Scenario,
    tier: &Tier,
    mix: &[f64],
    capacity: &ByKind,
    mut no_capacity: impl FnMut(usize),
) -> f64 {
    let kinds = [1.0, tier.uncached_per_output(), tier.cached_per_output()];
    let mut weight = 0.0;
    for (c, &mix) in mix.iter().enumerate() {
        // A class the tier does not ask adds nothing, and its capacity is no concern of
        // the tier's (a column at another speed, a class only other tiers use).
        if mix == 0.0 {
            continue;
        }
        let rated = [true, scenario.input_rated[c], scenario.cached_rated[c]];
        for x in 0..KINDS {
            if !rated[x] || (x > 0 && kinds[x] == 0.0) {
                continue;
            }
            if capacity[x][c] > 0.0 {
                // Output first and alone, as version 1 summed it.
                weight += if x == 0 {
                    mix / capacity[x][c]
                } else {
                    mix * kinds[x] / capacity[x][c]
                };
            } else {
                no_capacity(c);
            }
        }
    }
    weight
}

/// A constant fleet's job, ready for the pass over the matrix.
struct Prepared {
    /// Per tier: served and throttled shares under the policy.
    shares: Vec<TierShares>,
    /// Per tier: its coefficient of U off peak and at peak.
    u_off: Vec<f64>,
    u_peak: Vec<f64>,
    /// Per class: demand and no capacity.
    unservable: Vec<bool>,
}

/// A run of identical consecutive steps of the demand matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Segment {
    /// How many steps.
    len: usize,
    /// Whether they are peak steps.
    peak: bool,
}

/// Dot product with eight independent partial sums, so the compiler can keep several
/// vector registers busy; the order is fixed, so the result is the same on every run.
pub(super) fn dot(a: &[f64], b: &[f64]) -> f64 {
    const LANES: usize = 8;
    let mut partial = [0.0; LANES];
    let split = a.len() / LANES * LANES;
    for (x, y) in a[..split]
        .chunks_exact(LANES)
        .zip(b[..split].chunks_exact(LANES))
    {
        for i in 0..LANES {
            partial[i] += x[i] * y[i];
        }
    }
    let mut sum = ((partial[0] + partial[1]) + (partial[2] + partial[3]))
        + ((partial[4] + partial[5]) + (partial[6] + partial[7]));
    for (x, y) in a[split..].iter().zip(&b[split..]) {
        sum += x * y;
    }
    sum
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::{Phase, evaluate};

    #[test]
    fn a_batch_is_its_evaluations_one_by_one_bit_for_bit() {
        for text in [
            include_str!("../../scenarios/tiny.toml"),
            include_str!("../../scenarios/colossus.toml"),
            include_str!("../../tests/fixtures/v3/speed/mixed.toml"),
        ] {
            let scenario = Scenario::parse(text, "s.toml").unwrap();
            let evaluator = Evaluator::new(&scenario);
            let fleet = FleetCapacity::of_phase(&scenario, &Phase::After);
            let losses: Vec<FleetCapacity> =
                (0..fleet.sites.len()).map(|p| fleet.without(p)).collect();
            let (one, more) = (
                vec![1.0; scenario.tiers.len()],
                vec![1.4; scenario.tiers.len()],
            );
            let mut jobs: Vec<(&FleetCapacity, &[f64])> = vec![(&fleet, &one), (&fleet, &more)];
            jobs.extend(losses.iter().map(|l| (l, &more[..])));
            for policy in &scenario.policies {
                let batch = evaluator.evaluate_many(policy, &jobs);
                for (answer, &(fleet, users)) in batch.iter().zip(&jobs) {
                    assert_eq!(*answer, evaluator.evaluate(fleet, policy, users));
                }
            }
        }
    }

    #[test]
    fn distinct_steps_are_runs_of_equal_demand_split_where_a_share_curve_moves() {
        // tiny.toml: weekdays 0.1 with a 13:00-19:00 peak, weekends 0.05. Runs: Monday to
        // the peak, each weekday's peak (5), between peaks (4: 19:00 to 13:00 next day),
        // Friday 19:00 to midnight, the weekend: 1 + 5 + 4 + 1 + 1 = 12.
        let text = include_str!("../../scenarios/tiny.toml");
        let scenario = Scenario::parse(text, "t.toml").unwrap();
        assert_eq!(scenario.steps(), 168);
        assert_eq!(Evaluator::new(&scenario).distinct_steps(), 12);
        // A share curve on "home", 0.9 from 06:00 to 18:00 each day and 1.0 otherwise:
        // no run starts at 06:00 or 18:00 (weekday 18:00 is inside the peak), so each of
        // the 7 days adds two.
        let shared = text.replace(
            "gpus = { h100 = 1000 }\n\n[[site]]",
            "gpus = { h100 = 1000 }\nserving_share = \"day\"\n\n[[site]]",
        ) + "\n[curve.day]\nweek = ["
            + &(0..168)
                .map(|h| {
                    if (6..18).contains(&(h % 24)) {
                        "0.9"
                    } else {
                        "1.0"
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
            + "]\n";
        let scenario = Scenario::parse(&shared, "t.toml").unwrap();
        assert_eq!(Evaluator::new(&scenario).distinct_steps(), 12 + 7 + 7);
    }

    #[test]
    fn dot_matches_a_plain_sum() {
        let a: Vec<f64> = (0..37).map(|i| f64::from(i) * 0.5).collect();
        let b: Vec<f64> = (0..37).map(|i| 1.0 / f64::from(i + 1)).collect();
        let plain: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((dot(&a, &b) - plain).abs() < 1e-12 * plain);
    }

    #[test]
    fn agrees_with_the_formula_by_formula_model() {
        // colossus with fixed shares where it has elastic ones: share curves alone.
        let curves_only = include_str!("../../scenarios/colossus.toml").replace(
            "serving_share = { min = 0.5, max = 0.95 }",
            "serving_share = 0.7",
        );
        assert!(!curves_only.contains("min = 0.5, max = 0.95"));
        for text in [
            include_str!("../../scenarios/tiny.toml"),
            include_str!("../../scenarios/colossus.toml"),
            include_str!("../../tests/fixtures/v3/speed/mixed.toml"),
            &curves_only,
        ] {
            let scenario = Scenario::parse(text, "s.toml").unwrap();
            let evaluator = Evaluator::new(&scenario);
            for phase in Phase::UNDATED {
                let fleet = FleetCapacity::of_phase(&scenario, &phase);
                for policy in &scenario.policies {
                    for scale in [0.5, 1.0, 1.7] {
                        let users = vec![scale; scenario.tiers.len()];
                        let fast = evaluator.evaluate(&fleet, policy, &users);
                        let slow = evaluate(&scenario, &fleet, policy, &users);
                        assert_close(&fast, &slow);
                    }
                }
            }
        }
    }

    #[test]
    fn steps_alike_are_one_segment_and_agree_with_the_formulas() {
        // tiny.toml at 1-minute steps: its flat curve and its peak hours make runs of
        // identical minutes, each evaluated once.
        let text =
            include_str!("../../scenarios/tiny.toml").replace("step = \"1h\"", "step = \"1m\"");
        let scenario = Scenario::parse(&text, "s.toml").unwrap();
        let evaluator = Evaluator::new(&scenario);
        assert_eq!(scenario.steps(), 10_080);
        // Weekdays alternate off peak and peak (13:00-19:00), weekends are one run, and
        // the flat curve changes at no other minute.
        assert!(evaluator.segments() < 20, "{}", evaluator.segments());
        for phase in Phase::UNDATED {
            let fleet = FleetCapacity::of_phase(&scenario, &phase);
            for policy in &scenario.policies {
                let users = vec![1.3; scenario.tiers.len()];
                let fast = evaluator.evaluate(&fleet, policy, &users);
                let slow = evaluate(&scenario, &fleet, policy, &users);
                assert_eq!(fast.utilization.len(), 10_080);
                assert_close(&fast, &slow);
            }
        }
    }

    /// Every figure within 1e-12 relative; discrete results equal.
    pub(crate) fn assert_close(fast: &Headroom, slow: &Headroom) {
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * a.abs().max(b.abs()) + 1e-300;
        assert!(
            close(fast.peak_utilization, slow.peak_utilization),
            "{} {}",
            fast.peak_utilization,
            slow.peak_utilization
        );
        assert_eq!(fast.peak_step, slow.peak_step);
        assert_eq!(fast.hours_over_target, slow.hours_over_target);
        assert!(close(fast.served_share, slow.served_share));
        assert!(close(
            fast.throttled_share_at_peak,
            slow.throttled_share_at_peak
        ));
        assert!(
            close(fast.shed_share, slow.shed_share),
            "{} {}",
            fast.shed_share,
            slow.shed_share
        );
        assert!(close(fast.mw_to_fit, slow.mw_to_fit));
        assert!(
            close(fast.training_gpu_hours, slow.training_gpu_hours),
            "{} {}",
            fast.training_gpu_hours,
            slow.training_gpu_hours
        );
        assert_eq!(fast.unservable_classes, slow.unservable_classes);
        assert_eq!(fast.fit, slow.fit);
        for (a, b) in fast.utilization.iter().zip(&slow.utilization) {
            assert!(close(*a, *b));
        }
        let (f, s) = (&fast.usage, &slow.usage);
        assert!(close(f.serving_gpu_hours, s.serving_gpu_hours));
        let pairs = f
            .tier_gpu_hours
            .iter()
            .zip(&s.tier_gpu_hours)
            .chain(f.class_gpu_hours.iter().zip(&s.class_gpu_hours))
            .chain(f.class_output_tokens.iter().zip(&s.class_output_tokens))
            .chain(
                f.tier_tokens
                    .iter()
                    .flatten()
                    .zip(s.tier_tokens.iter().flatten()),
            );
        for (a, b) in pairs {
            assert!(close(*a, *b), "usage {a} {b}");
        }
    }
}
