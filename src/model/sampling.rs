//! Sampled uncertainty (model v2, `[uncertainty] samples`): the draws, and a kernel that
//! gives each draw's peak utilization and whether it fits, as the formulas would, without
//! a whole evaluation per sample.
//!
//! A draw changes the model in few numbers:
//! - users `u` and throughput `r` only scale: U(h) is linear in demand and in 1/capacity,
//!   for elastic sites too (U_r(lambda; D) = U_1(lambda; D / r)), so both enter as one
//!   factor on demand;
//! - tokens per active hour `k` scales each user's demand by `k` and its served share to
//!   phi(cap / (tokens_per_active_hour * k)).
//!
//! So, per fleet, the weight A(h,t) = d(h,t) * W_t(h) with W_t(h) = sum over classes and
//! kinds of mix * kind / T(h) is built once ([`SampleFleet`]); a draw is then two shares per
//! tier ([`SamplePolicy`]) and one dot product per step. Identical consecutive steps (an
//! hourly curve at 1-minute steps) are one weighted segment. Elastic sites keep their
//! lambda: U at lambda 0 and 1 bound each step, and lambda itself is solved only where the
//! training floor needs it.

use rayon::prelude::*;

use super::time::growth_factor;

use super::evaluator::{dot, tier_weight};
use super::fleet::{ByKind, FleetCapacity};
use super::headroom::Fit;
use super::lognormal::served_share;
use super::{Evaluator, demand::cap_per_active_hour};
use crate::scenario::{Percentiles, Policy, Sampling};

/// Phi^-1(0.9): p10 and p90 lie this many standard deviations either side of the median.
pub const Z90: f64 = 1.281_551_565_544_600_4;

/// Drawn growth rates are kept in this range, so that 120 months of growth stay finite
/// and positive however far in the tail a draw falls.
pub const GROWTH_RANGE: (f64, f64) = (-0.95, 3.0);

/// One sample's parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Draw {
    /// Multiplier on every tier's users.
    pub users: f64,
    /// Multiplier on every tier's tokens per active hour.
    pub tokens: f64,
    /// Multiplier on every throughput rate.
    pub throughput: f64,
    /// Monthly growth of every tier's users, when sampled.
    pub growth: Option<f64>,
}

impl Draw {
    /// The factor on every tier's demand over capacity: users x tokens / throughput.
    pub fn demand_scale(&self) -> f64 {
        self.users * self.tokens / self.throughput
    }
}

/// The samples of `[uncertainty]`, in order. Sample `i` uses outputs `4i` to `4i + 3` of
/// SplitMix64 seeded with `seed` (users, tokens, throughput, growth, in that order), so a
/// sample depends on its index alone (any thread count gives the same draws) and adding a
/// parameter leaves the others' draws as they were.
pub fn draws(sampling: &Sampling) -> Vec<Draw> {
    (0..sampling.samples)
        .map(|index| {
            let z =
                |j: u64| normal_quantile(uniform(splitmix64(sampling.seed, 4 * index as u64 + j)));
            Draw {
                users: lognormal(sampling.users, z(0)),
                tokens: lognormal(sampling.tokens_per_active_hour, z(1)),
                throughput: lognormal(sampling.throughput, z(2)),
                growth: sampling.growth.map(|p| {
                    let rate = 0.5 * (p.p10 + p.p90) + (p.p90 - p.p10) / (2.0 * Z90) * z(3);
                    rate.clamp(GROWTH_RANGE.0, GROWTH_RANGE.1)
                }),
            }
        })
        .collect()
}

/// The stream of slip draws: SplitMix64 seeded with `seed ^ SLIP_STREAM`, so slips never
/// move the draws of v2's parameters.
pub const SLIP_STREAM: u64 = 0x5117_D475_0000_0003;

/// Each sample's delay in whole days for each site (0 for a site without `online`), from
/// `[uncertainty] slip_days`: a normal through p10 and p90, clamped at 0 and rounded.
/// Sample `i`, site `s` uses output `i * sites + s` of the slip stream, so a sample depends
/// on its index alone. Empty rows without `slip_days`.
pub fn slips(sampling: &Sampling, sites: &[crate::scenario::Site]) -> Vec<Vec<i64>> {
    let Some(p) = sampling.slip_days else {
        return vec![Vec::new(); sampling.samples];
    };
    let seed = sampling.seed ^ SLIP_STREAM;
    let n = sites.len() as u64;
    (0..sampling.samples as u64)
        .map(|i| {
            sites
                .iter()
                .enumerate()
                .map(|(s, site)| {
                    if site.online.is_none() {
                        return 0;
                    }
                    let z = normal_quantile(uniform(splitmix64(seed, i * n + s as u64)));
                    let days = 0.5 * (p.p10 + p.p90) + (p.p90 - p.p10) / (2.0 * Z90) * z;
                    days.max(0.0).round() as i64
                })
                .collect()
        })
        .collect()
}

/// The log-normal through `p10` and `p90` at standard normal deviate `z`; 1 when absent.
fn lognormal(percentiles: Option<Percentiles>, z: f64) -> f64 {
    match percentiles {
        Some(p) => {
            let (low, high) = (libm::log(p.p10), libm::log(p.p90));
            libm::exp(0.5 * (low + high) + (high - low) / (2.0 * Z90) * z)
        }
        None => 1.0,
    }
}

/// Output `n` (from 0) of SplitMix64 seeded with `seed` (Steele, Lea and Flood, 2014).
pub fn splitmix64(seed: u64, n: u64) -> u64 {
    let mut z = seed.wrapping_add(n.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A uniform number strictly between 0 and 1 from the top 52 bits of `bits` (the middle
/// of one of 2^52 equal cells, exact in a double).
fn uniform(bits: u64) -> f64 {
    ((bits >> 12) as f64 + 0.5) / (1u64 << 52) as f64
}

/// Phi^-1(p), the standard normal quantile, by Wichura's algorithm AS 241 (PPND16, relative
/// error about 1e-16), with `libm`'s log and sqrt so every machine gives the same bits.
/// The coefficients are written as Wichura published them.
#[allow(clippy::excessive_precision)]
pub fn normal_quantile(p: f64) -> f64 {
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        let num = ((((((r * 2509.0809287301227 + 33430.575583588128) * r + 67265.7709270087)
            * r
            + 45921.95393154987)
            * r
            + 13731.693765509461)
            * r
            + 1971.5909503065514)
            * r
            + 133.14166789178438)
            * r
            + 3.3871328727963666;
        let den = ((((((r * 5226.495278852546 + 28729.085735721943) * r + 39307.89580009271)
            * r
            + 21213.794301586596)
            * r
            + 5394.196021424751)
            * r
            + 687.1870074920579)
            * r
            + 42.31333070160091)
            * r
            + 1.0;
        return q * num / den;
    }
    let tail = if q < 0.0 { p } else { 1.0 - p };
    let mut r = libm::sqrt(-libm::log(tail));
    let value = if r <= 5.0 {
        r -= 1.6;
        let num = ((((((r * 7.745450142783414e-4 + 0.022723844989269184) * r
            + 0.2417807251774506)
            * r
            + 1.2704582524523684)
            * r
            + 3.6478483247632045)
            * r
            + 5.769497221460691)
            * r
            + 4.630337846156545)
            * r
            + 1.4234371107496835;
        let den = ((((((r * 1.0507500716444168e-9 + 5.475938084995345e-4) * r
            + 0.015198666563616457)
            * r
            + 0.14810397642748008)
            * r
            + 0.6897673349851)
            * r
            + 1.6763848301838038)
            * r
            + 2.0531916266377588)
            * r
            + 1.0;
        num / den
    } else {
        r -= 5.0;
        let num = ((((((r * 2.010334399292288e-7 + 2.7115555687434876e-5) * r
            + 0.0012426609473880784)
            * r
            + 0.026532189526576124)
            * r
            + 0.2965605718285049)
            * r
            + 1.7848265399172913)
            * r
            + 5.463784911164114)
            * r
            + 6.6579046435011035;
        let den = ((((((r * 2.0442631033899397e-15 + 1.421511758316446e-7) * r
            + 1.8463183175100548e-5)
            * r
            + 7.868691311456133e-4)
            * r
            + 0.014875361290850615)
            * r
            + 0.1369298809227358)
            * r
            + 0.599832206555888)
            * r
            + 1.0;
        num / den
    };
    if q < 0.0 { -value } else { value }
}

/// What one sample gives for one policy on one fleet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SampleOutcome {
    /// Peak utilization of the week.
    pub peak_utilization: f64,
    /// Within the target, every class servable, training at or above its floor.
    pub fits: bool,
}

/// A policy's per-tier cap ratios, from which a draw's served shares follow.
#[derive(Debug, Clone, PartialEq)]
pub struct SamplePolicy {
    /// Per tier: cap / tokens per active hour, off peak and at peak (infinite: unlimited).
    ratios: Vec<(f64, f64)>,
    /// Per tier: the spread of per-user intensity.
    spreads: Vec<f64>,
    /// Per tier: its load ([`Scenario::loads`]) off peak and at peak under the policy.
    loads: Vec<[usize; 2]>,
    /// Per load: its tier.
    load_tier: Vec<usize>,
}

impl SamplePolicy {
    /// The caps of `policy` on the evaluator's scenario.
    pub fn new(evaluator: &Evaluator<'_>, policy: &Policy) -> SamplePolicy {
        let scenario = evaluator.scenario();
        let ratios = scenario
            .tiers
            .iter()
            .zip(&policy.limits)
            .zip(evaluator.active_hours())
            .map(|((tier, limit), &hours)| match limit {
                Some(limit) => {
                    let r_in = tier.uncached_per_output();
                    let ratio = |p: f64| {
                        cap_per_active_hour(limit, p, hours, r_in) / tier.tokens_per_active_hour
                    };
                    (ratio(1.0), ratio(limit.peak_factor))
                }
                None => (f64::INFINITY, f64::INFINITY),
            })
            .collect();
        let mut first = 0;
        let loads = scenario
            .tiers
            .iter()
            .enumerate()
            .map(|(t, tier)| {
                let mixes = policy.speed_of(t).map_or([0, 0], |s| s.mixes);
                let loads = [first + mixes[0], first + mixes[1]];
                first += 1 + tier.speed_mixes.len();
                loads
            })
            .collect();
        SamplePolicy {
            ratios,
            spreads: scenario.tiers.iter().map(|t| t.spread).collect(),
            loads,
            load_tier: scenario.loads().iter().map(|&(t, _)| t).collect(),
        }
    }

    /// The length of a row of coefficients: one per load (per tier without frontiers).
    pub fn width(&self) -> usize {
        self.load_tier.len()
    }

    /// Whether the policy serves each tier at all (a budget of 0 serves it nothing).
    pub fn serves(&self) -> Vec<bool> {
        self.ratios
            .iter()
            .map(|&(off, peak)| off > 0.0 || peak > 0.0)
            .collect()
    }

    /// The served shares of every tier with tokens per active hour times `tokens`, each
    /// at the load the policy gives the tier (0 on its other loads): off peak in `off`, at
    /// peak in `peak`, one value per load ([`SamplePolicy::width`]).
    pub fn shares(&self, tokens: f64, off: &mut [f64], peak: &mut [f64]) {
        if self.width() != self.ratios.len() {
            off.iter_mut().for_each(|x| *x = 0.0);
            peak.iter_mut().for_each(|x| *x = 0.0);
        }
        for (t, &(k_off, k_peak)) in self.ratios.iter().enumerate() {
            off[self.loads[t][0]] = served_share(k_off / tokens, self.spreads[t]);
            peak[self.loads[t][1]] = served_share(k_peak / tokens, self.spreads[t]);
        }
    }
}

/// Every draw's served shares under one policy: per draw, a row of off-peak shares and a
/// row of peak shares, one per tier. Computed once, used for every fleet and month.
#[derive(Debug, Clone, PartialEq)]
pub struct DrawShares {
    /// Values per row: one per load.
    width: usize,
    /// Per load: its tier.
    load_tier: Vec<usize>,
    off: Vec<f64>,
    peak: Vec<f64>,
}

impl DrawShares {
    /// Values per row: one per load ([`SamplePolicy::width`]).
    pub fn width(&self) -> usize {
        self.width
    }
}

impl SamplePolicy {
    /// The shares of every draw (in parallel; each draw's own, so any thread count gives
    /// the same numbers).
    pub fn shares_of(&self, draws: &[Draw]) -> DrawShares {
        let width = self.width();
        let (mut off, mut peak) = (
            vec![0.0; draws.len() * width],
            vec![0.0; draws.len() * width],
        );
        off.par_chunks_mut(width.max(1))
            .zip(peak.par_chunks_mut(width.max(1)))
            .zip(draws)
            .for_each(|((off, peak), draw)| self.shares(draw.tokens, off, peak));
        DrawShares {
            width,
            load_tier: self.load_tier.clone(),
            off,
            peak,
        }
    }
}

/// Every draw's outcome for one policy on one fleet, `month` months into a timeline (0: the
/// reference week). A draw's sampled growth grows every tier's users; without one, each
/// tier grows at its own rate from `tier_growth`. `unservable` and `only_fits` are as in
/// [`SampleFleet::outcome`]. In parallel, in draw order.
pub fn outcomes(
    fleet: &SampleFleet,
    shares: &DrawShares,
    draws: &[Draw],
    months: f64,
    tier_growth: &[f64],
    unservable: bool,
    only_fits: bool,
) -> Vec<SampleOutcome> {
    let all: Vec<usize> = (0..draws.len()).collect();
    outcomes_of(
        fleet,
        shares,
        draws,
        &all,
        months,
        tier_growth,
        unservable,
        only_fits,
    )
}

/// [`outcomes`] for the samples `which` (indices into `draws`), in that order: the samples
/// whose slips give them this fleet.
#[allow(clippy::too_many_arguments)]
pub fn outcomes_of(
    fleet: &SampleFleet,
    shares: &DrawShares,
    draws: &[Draw],
    which: &[usize],
    months: f64,
    tier_growth: &[f64],
    unservable: bool,
    only_fits: bool,
) -> Vec<SampleOutcome> {
    let width = shares.width;
    let tiers = shares.load_tier.iter().max().map_or(0, |&t| t + 1);
    let tier_factor: Vec<f64> = (0..tiers)
        .map(|t| {
            tier_growth
                .get(t)
                .map_or(1.0, |&g| growth_factor(g, months))
        })
        .collect();
    which
        .par_iter()
        .map_init(
            || (vec![0.0; width], vec![0.0; width]),
            |(off, peak), &i| {
                let at = SampleAt {
                    shares,
                    draw: &draws[i],
                    index: i,
                    months,
                    tier_factor: &tier_factor,
                };
                at.outcome(fleet, off, peak, unservable, only_fits)
            },
        )
        .collect()
}

/// One sample at one point in time: its draw, its served shares, and how far demand has
/// grown (`months` for a sampled growth rate, `tier_factor` per tier otherwise).
pub struct SampleAt<'a> {
    /// Every draw's served shares under the policy.
    pub shares: &'a DrawShares,
    /// This sample's draw.
    pub draw: &'a Draw,
    /// Its index in the draws.
    pub index: usize,
    /// Fractional months of growth.
    pub months: f64,
    /// Each tier's growth factor when the draw has no growth rate of its own.
    pub tier_factor: &'a [f64],
}

impl SampleAt<'_> {
    /// The sample's outcome on `fleet`; `off` and `peak` are scratch rows, one per load
    /// ([`SamplePolicy::width`]).
    pub fn outcome(
        &self,
        fleet: &SampleFleet,
        off: &mut [f64],
        peak: &mut [f64],
        unservable: bool,
        only_fits: bool,
    ) -> SampleOutcome {
        let width = self.shares.width;
        let (i, draw) = (self.index, self.draw);
        let row = i * width..(i + 1) * width;
        match draw.growth {
            // A drawn growth rate scales every tier alike: the shares as they are.
            Some(g) => fleet.outcome(
                &self.shares.off[row.clone()],
                &self.shares.peak[row],
                draw.demand_scale() * growth_factor(g, self.months),
                unservable,
                only_fits,
            ),
            None => {
                for (l, &t) in self.shares.load_tier.iter().enumerate() {
                    off[l] = self.shares.off[i * width + l] * self.tier_factor[t];
                    peak[l] = self.shares.peak[i * width + l] * self.tier_factor[t];
                }
                fleet.outcome(off, peak, draw.demand_scale(), unservable, only_fits)
            }
        }
    }
}

/// One tier's weight on a capacity: U per unit of its demand at lambda 0 and 1, whether
/// some class it loads has no capacity at all, and whether only the elastic span has some.
struct TierWeights {
    low: f64,
    high: f64,
    unserved: bool,
    infinite: bool,
}

/// A fleet prepared for samples: the weights of each step's demand, steps alike merged.
#[derive(Debug, Clone)]
pub struct SampleFleet {
    /// Values per row of `low`, `high` and `demand`: one per load ([`Scenario::loads`]:
    /// one per tier without frontiers).
    ///
    /// [`Scenario::loads`]: crate::scenario::Scenario::loads
    width: usize,
    target: f64,
    /// Per segment: how many steps it stands for, and whether they are peak steps.
    weights: Vec<f64>,
    peak: Vec<bool>,
    /// Per segment and load: A(h,l), with elastic sites at lambda = 0.
    low: Vec<f64>,
    /// Per segment and load: A(h,l) with elastic sites at lambda = 1 (empty if none).
    high: Vec<f64>,
    /// Per segment: some demanded class has no capacity at lambda = 0 (U(0) is infinite).
    infinite_low: Vec<bool>,
    /// Per segment and load: d(h,t) of its tier, for the lambda solve.
    demand: Vec<f64>,
    /// (class, kind) pairs any load puts demand on; per load, the pairs it loads and its
    /// mix x kind on each.
    pairs: usize,
    tier_pairs: Vec<Vec<(usize, f64)>>,
    /// Per capacity the fleet takes over the week (it moves only where a share curve
    /// does) and pair: capacity at lambda = 0; per segment, which; per pair: the elastic
    /// span.
    fixed: Vec<f64>,
    fixed_of: Vec<u32>,
    span: Vec<f64>,
    elastic: bool,
    /// Training GPU-hours with lambda = 0 at every step, and lost per hour of lambda.
    training: f64,
    training_per_lambda_hour: f64,
    dt: f64,
    floor: Option<f64>,
    /// Per tier: at some step it has demand on a class this fleet cannot serve at all.
    unserved_tiers: Vec<bool>,
}

impl SampleFleet {
    /// Whether a policy that serves the tiers marked in `serves` leaves demand with no
    /// capacity on this fleet (then nothing fits).
    pub fn leaves_unserved(&self, serves: &[bool]) -> bool {
        self.unserved_tiers
            .iter()
            .zip(serves)
            .any(|(&unserved, &served)| unserved && served)
    }

    /// Builds the weights of `fleet` for the evaluator's demand.
    pub fn new(evaluator: &Evaluator<'_>, fleet: &FleetCapacity) -> SampleFleet {
        let scenario = evaluator.scenario();
        let peak = evaluator.peak_mask();
        let tiers = scenario.tiers.len();
        let classes = scenario.classes.len();
        let elastic = fleet.is_elastic();
        // Each tier at each of its speeds.
        let tier_loads = scenario.loads();
        let width = tier_loads.len();
        // The (class, kind) pairs that carry load, and each load's demand on them.
        let mut pair_of = Vec::new();
        for c in 0..classes {
            let rated = [true, scenario.input_rated[c], scenario.cached_rated[c]];
            for (x, &rated) in rated.iter().enumerate() {
                let any = tier_loads
                    .iter()
                    .any(|&(t, mix)| mix[c] > 0.0 && kind(&scenario.tiers[t], x) > 0.0);
                if rated && any {
                    pair_of.push((c, x));
                }
            }
        }
        let pairs = pair_of.len();
        let mut loads = vec![0.0; width * pairs];
        for (l, &(t, mix)) in tier_loads.iter().enumerate() {
            for (p, &(c, x)) in pair_of.iter().enumerate() {
                loads[l * pairs + p] = mix[c] * kind(&scenario.tiers[t], x);
            }
        }
        let zero = || [vec![0.0; classes], vec![0.0; classes], vec![0.0; classes]];
        let (mut low_cap, mut high_cap) = (zero(), zero());
        let mut fleet_out = SampleFleet {
            width,
            target: scenario.utilization_target,
            weights: Vec::new(),
            peak: Vec::new(),
            low: Vec::new(),
            high: Vec::new(),
            infinite_low: Vec::new(),
            demand: Vec::new(),
            pairs,
            tier_pairs: (0..width)
                .map(|l| {
                    (0..pairs)
                        .filter(|&p| loads[l * pairs + p] > 0.0)
                        .map(|p| (p, loads[l * pairs + p]))
                        .collect()
                })
                .collect(),
            fixed: Vec::new(),
            fixed_of: Vec::new(),
            span: pair_of
                .iter()
                .map(|&(c, x)| fleet.elastic_span[x][c])
                .collect(),
            elastic,
            training: 0.0,
            training_per_lambda_hour: 0.0,
            dt: scenario.step_hours(),
            floor: scenario.training_floor_gpu_hours,
            unserved_tiers: vec![false; tiers],
        };
        let steps = peak.len();
        let (mut previous_low, mut previous_row): (Vec<f64>, &[f64]) = (Vec::new(), &[]);
        // Each tier's weights depend on capacity alone: computed again only when it moves
        // (a share curve), not for every segment of demand.
        let mut per_tier: Option<(ByKind, ByKind, Vec<TierWeights>)> = None;
        // Without share curves capacity is the same at every step: computed once.
        let constant = !fleet.has_curves;
        if constant {
            fleet.capacity_into(0, 0.0, &mut low_cap);
            if elastic {
                fleet.capacity_into(0, 1.0, &mut high_cap);
            }
        }
        // With share curves, capacity moves only where some curve's share does (a few
        // times a day): it is computed again only then.
        // Room for a segment per step: no reallocation while the fleet is prepared.
        let segments = evaluator.segments().max(1);
        fleet_out.low.reserve(segments * width);
        fleet_out.demand.reserve(segments * width);
        fleet_out.fixed_of.reserve(segments);
        if elastic {
            fleet_out.high.reserve(segments * width);
        }
        let mut fixed: Vec<f64> = Vec::new();
        // Run by run (steps alike in demand, peak and every share curve): the steps of a
        // run after its first are always merged into it, so a run counts as its length.
        for (h, len) in evaluator.runs() {
            let (is_peak, run) = (peak[h], len as f64);
            let row = evaluator.row(h);
            // Capacity moves only at the first step and where a share curve does; between,
            // the fixed capacity is the previous step's.
            let mut moved = h == 0;
            if !constant && (h == 0 || !fleet.same_capacity_at(h, h - 1)) {
                fleet.capacity_into(h, 0.0, &mut low_cap);
                if elastic {
                    fleet.capacity_into(h, 1.0, &mut high_cap);
                }
                moved = true;
            }
            if moved {
                fixed = pair_of.iter().map(|&(c, x)| low_cap[x][c]).collect();
            }
            let same = h > 0
                && fleet_out.peak.last() == Some(&is_peak)
                && row == previous_row
                && (!moved || fixed == previous_low);
            if same {
                *fleet_out.weights.last_mut().expect("a segment") += run;
                continue;
            }
            fleet_out.weights.push(run);
            fleet_out.peak.push(is_peak);
            let mut infinite = false;
            let stale = per_tier
                .as_ref()
                .is_none_or(|(low, high, _)| *low != low_cap || (elastic && *high != high_cap));
            if stale {
                let weights = tier_loads
                    .iter()
                    .enumerate()
                    .map(|(l, &(t, mix))| {
                        let tier = &scenario.tiers[t];
                        let mut unserved = false;
                        let low =
                            tier_weight(scenario, tier, mix, &low_cap, |_| unserved = !elastic);
                        let (high, infinite) = if elastic {
                            let high =
                                tier_weight(scenario, tier, mix, &high_cap, |_| unserved = true);
                            let infinite = pair_of.iter().enumerate().any(|(p, &(c, x))| {
                                loads[l * pairs + p] > 0.0
                                    && low_cap[x][c] <= 0.0
                                    && high_cap[x][c] > 0.0
                            });
                            (high, infinite)
                        } else {
                            (0.0, false)
                        };
                        TierWeights {
                            low,
                            high,
                            unserved,
                            infinite,
                        }
                    })
                    .collect();
                per_tier = Some((low_cap.clone(), high_cap.clone(), weights));
            }
            let weights = &per_tier.as_ref().expect("weights were just computed").2;
            for (w, &(t, _)) in weights.iter().zip(&tier_loads) {
                fleet_out.low.push(row[t] * w.low);
                if elastic {
                    fleet_out.high.push(row[t] * w.high);
                    infinite |= row[t] > 0.0 && w.infinite;
                }
                // A tier's loads are its classes at other speeds: servable alike.
                fleet_out.unserved_tiers[t] |= w.unserved && row[t] > 0.0;
                fleet_out.demand.push(row[t]);
            }
            fleet_out.infinite_low.push(infinite);
            let last = fleet_out.fixed.len().checked_sub(pairs);
            if last.is_none_or(|last| fleet_out.fixed[last..] != fixed[..]) {
                fleet_out.fixed.extend_from_slice(&fixed);
            }
            let states = fleet_out.fixed.len().checked_div(pairs).unwrap_or(1);
            fleet_out.fixed_of.push(states.saturating_sub(1) as u32);
            previous_low.clone_from(&fixed);
            previous_row = row;
        }
        let dt = scenario.step_hours();
        fleet_out.training = fleet.training_gpu_hours(steps, dt, 0.0);
        fleet_out.training_per_lambda_hour =
            fleet_out.training - fleet.training_gpu_hours(steps, dt, 1.0);
        fleet_out
    }

    /// Segments of identical steps: fewer than steps when curves repeat step to step.
    pub fn segments(&self) -> usize {
        self.weights.len()
    }

    /// One sample: tier `t`'s served demand is `scale * coefficient[t] * d(h,t)`, with the
    /// off-peak or peak coefficient by step. `unservable`: some class has demand and no
    /// capacity in this fleet (then nothing fits). With `only_fits`, the peak is not
    /// needed: the scan stops at the first step over the target.
    pub fn outcome(
        &self,
        off: &[f64],
        at_peak: &[f64],
        scale: f64,
        unservable: bool,
        only_fits: bool,
    ) -> SampleOutcome {
        let target = self.target;
        let tiers = self.width;
        let mut peak = 0.0_f64;
        // An upper bound on the week's hours of lambda: U is convex in lambda, so its chord
        // from lambda 0 to 1 lies above it and meets the target right of lambda(h).
        let mut chord_hours = 0.0;
        for (s, &is_peak) in self.peak.iter().enumerate() {
            let coefficient = if is_peak { at_peak } else { off };
            let row = s * tiers..(s + 1) * tiers;
            let u = if !self.elastic {
                scale * dot(&self.low[row], coefficient)
            } else {
                let low = if self.infinite_low[s] {
                    f64::INFINITY
                } else {
                    scale * dot(&self.low[row.clone()], coefficient)
                };
                if low <= target {
                    low
                } else {
                    let high = scale * dot(&self.high[row], coefficient);
                    let chord = if low.is_finite() {
                        ((low - target) / (low - high)).min(1.0)
                    } else {
                        1.0
                    };
                    chord_hours += self.weights[s] * chord;
                    if high > target { high } else { target }
                }
            };
            peak = peak.max(u);
            if only_fits && peak > target {
                return SampleOutcome {
                    peak_utilization: peak,
                    fits: false,
                };
            }
        }
        let mut fits = Fit::within_target(unservable, peak, target);
        if fits && let Some(floor) = self.floor {
            fits = if !self.elastic || self.training_per_lambda_hour <= 0.0 {
                Fit::keeps_floor(self.training, Some(floor))
            } else {
                // Training keeps its floor while the hours of lambda stay within this.
                let allowed = (self.training - floor) / self.training_per_lambda_hour;
                if allowed < 0.0 {
                    false
                } else if chord_hours * self.dt <= allowed * (1.0 - 1e-9) {
                    true
                } else {
                    self.lambda_hours(off, at_peak, scale, allowed)
                        .is_some_and(|hours| {
                            let kept = self.training - self.training_per_lambda_hour * hours;
                            Fit::keeps_floor(kept, Some(floor))
                        })
                }
            };
        }
        SampleOutcome {
            peak_utilization: peak,
            fits,
        }
    }

    /// Hours of lambda over the week (sum of lambda(h) dt), every step within the target;
    /// `None` as soon as they pass `allowed`.
    fn lambda_hours(&self, off: &[f64], at_peak: &[f64], scale: f64, allowed: f64) -> Option<f64> {
        let (tiers, pairs) = (self.width, self.pairs);
        let mut load = vec![0.0; pairs];
        let mut total = 0.0;
        for (s, &is_peak) in self.peak.iter().enumerate() {
            let coefficient = if is_peak { at_peak } else { off };
            let row = s * tiers..(s + 1) * tiers;
            let low = if self.infinite_low[s] {
                f64::INFINITY
            } else {
                scale * dot(&self.low[row.clone()], coefficient)
            };
            if low <= self.target {
                continue;
            }
            let high = scale * dot(&self.high[row.clone()], coefficient);
            load.iter_mut().for_each(|d| *d = 0.0);
            for (t, &d) in self.demand[row].iter().enumerate() {
                let served = scale * d * coefficient[t];
                if served > 0.0 {
                    for &(p, share) in &self.tier_pairs[t] {
                        load[p] += served * share;
                    }
                }
            }
            let k = self.fixed_of[s] as usize;
            let fixed = &self.fixed[k * pairs..(k + 1) * pairs];
            total +=
                self.weights[s] * solve_lambda(&load, fixed, &self.span, self.target, low, high);
            if total * self.dt > allowed {
                return None;
            }
        }
        Some(total * self.dt)
    }
}

/// The output or input kind's tokens per output token of a tier (1 for output).
fn kind(tier: &crate::scenario::Tier, x: usize) -> f64 {
    [1.0, tier.uncached_per_output(), tier.cached_per_output()][x]
}

/// lambda at one step of a sample, by the one solver of [`super::lambda`]: U(lambda) = sum
/// of load / (fixed + lambda span) over the pairs with load; `low` and `high` are U at
/// lambda 0 and 1 as the kernel computed them.
fn solve_lambda(
    load: &[f64],
    fixed: &[f64],
    span: &[f64],
    target: f64,
    low: f64,
    high: f64,
) -> f64 {
    let at = |lambda: f64| -> (f64, f64) {
        let (mut u, mut slope) = (0.0, 0.0);
        for ((&d, &f), &e) in load.iter().zip(fixed).zip(span) {
            if d > 0.0 {
                let t = f + lambda * e;
                if t <= 0.0 {
                    return (f64::INFINITY, f64::NEG_INFINITY);
                }
                u += d / t;
                slope -= d * e / (t * t);
            }
        }
        (u, slope)
    };
    super::lambda::smallest_within(target, low, high, at)
}

/// Percentiles of sampled values and the chance of an event, with its standard error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SampleSummary {
    /// Samples drawn.
    pub samples: usize,
    /// 10th, 50th and 90th percentiles (nearest rank).
    pub p10: f64,
    /// The median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// Share of samples in which the event happened (the policy fits).
    pub p_fits: f64,
    /// Standard error of `p_fits`: sqrt(p (1 - p) / n).
    pub standard_error: f64,
}

impl SampleSummary {
    /// The summary of outcomes: percentiles of peak utilization, the chance to fit.
    pub fn of(outcomes: &[SampleOutcome]) -> SampleSummary {
        let values: Vec<f64> = outcomes.iter().map(|o| o.peak_utilization).collect();
        let fits = outcomes.iter().filter(|o| o.fits).count();
        SampleSummary::from_values(values, fits)
    }

    /// The summary of values (in any order) and of `hits` samples out of as many.
    pub fn from_values(mut values: Vec<f64>, hits: usize) -> SampleSummary {
        values.sort_by(f64::total_cmp);
        let n = values.len();
        let (p_fits, standard_error) = hit_rate(hits, n);
        SampleSummary {
            samples: n,
            p10: nearest_rank(&values, 0.1),
            p50: nearest_rank(&values, 0.5),
            p90: nearest_rank(&values, 0.9),
            p_fits,
            standard_error,
        }
    }
}

/// The share of `hits` in `n` and its standard error, sqrt(p (1 - p) / n); 0 and 0 for none.
pub fn hit_rate(hits: usize, n: usize) -> (f64, f64) {
    if n == 0 {
        return (0.0, 0.0);
    }
    let p = hits as f64 / n as f64;
    (p, (p * (1.0 - p) / n as f64).sqrt())
}

/// The nearest-rank percentile of sorted values: the value at rank ceil(q n).
pub fn nearest_rank(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::lognormal::normal_cdf;
    use crate::model::{Phase, evaluate};
    use crate::scenario::Scenario;

    #[test]
    fn the_normal_quantile_inverts_the_cdf() {
        assert!((normal_quantile(0.9) - Z90).abs() < 1e-15);
        assert!((normal_quantile(0.975) - 1.959_963_984_540_054).abs() < 1e-15);
        assert_eq!(normal_quantile(0.5), 0.0);
        // Above the median the CDF itself loses digits (1 - 1e-14), so the far tail is tested below it.
        for x in [-8.0, -5.5, -3.0, -1.0, -0.1, 0.3, 2.0, 3.0] {
            let back = normal_quantile(normal_cdf(x));
            assert!((back - x).abs() < 1e-9 * x.abs().max(1.0), "{x} {back}");
        }
    }

    #[test]
    fn splitmix64_gives_its_published_sequence() {
        // SplitMix64 seeded with 1234567: the reference outputs (Vigna's splitmix64.c).
        assert_eq!(splitmix64(1_234_567, 0), 6_457_827_717_110_365_317);
        assert_eq!(splitmix64(1_234_567, 1), 3_203_168_211_198_807_973);
        assert_eq!(splitmix64(1_234_567, 2), 9_817_491_932_198_370_423);
        assert!(uniform(0) > 0.0 && uniform(u64::MAX) < 1.0);
    }

    #[test]
    fn draws_follow_their_percentiles() {
        let sampling = Sampling {
            samples: 40_000,
            seed: 7,
            users: Some(Percentiles {
                p10: 0.8,
                p90: 1.25,
            }),
            tokens_per_active_hour: None,
            throughput: Some(Percentiles { p10: 0.9, p90: 0.9 }),
            growth: Some(Percentiles {
                p10: 0.05,
                p90: 0.15,
            }),
            slip_days: None,
        };
        let draws = draws(&sampling);
        let below = |f: &dyn Fn(&Draw) -> bool| {
            draws.iter().filter(|d| f(d)).count() as f64 / draws.len() as f64
        };
        // 40,000 samples: a share's standard error is 0.0015.
        assert!((below(&|d| d.users < 0.8) - 0.1).abs() < 0.006);
        assert!((below(&|d| d.users < 1.25) - 0.9).abs() < 0.006);
        assert!((below(&|d| d.growth.unwrap() < 0.05) - 0.1).abs() < 0.006);
        assert!((below(&|d| d.growth.unwrap() < 0.10) - 0.5).abs() < 0.008);
        assert!(draws.iter().all(|d| d.tokens == 1.0));
        assert!(draws.iter().all(|d| (d.throughput - 0.9).abs() < 1e-15));
        // A sample depends on its index alone: fewer samples are a prefix.
        let fewer = super::draws(&Sampling {
            samples: 10,
            ..sampling
        });
        assert_eq!(fewer[..], draws[..10]);
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let sorted: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(nearest_rank(&sorted, 0.1), 1.0);
        assert_eq!(nearest_rank(&sorted, 0.5), 5.0);
        assert_eq!(nearest_rank(&sorted, 0.9), 9.0);
        assert_eq!(nearest_rank(&[3.0], 0.9), 3.0);
        assert_eq!(hit_rate(1, 4), (0.25, (0.25_f64 * 0.75 / 4.0).sqrt()));
    }

    /// The scenario with every tier's users and tokens per active hour, and every SKU's
    /// rates, multiplied: what a draw means, written out.
    fn drawn(scenario: &Scenario, draw: &Draw) -> Scenario {
        let mut s = scenario.clone();
        for tier in &mut s.tiers {
            tier.users *= draw.users;
            tier.tokens_per_active_hour *= draw.tokens;
        }
        for sku in &mut s.skus {
            for rates in [
                &mut sku.tokens_per_s,
                &mut sku.input_tokens_per_s,
                &mut sku.cached_tokens_per_s,
            ] {
                rates.iter_mut().for_each(|r| *r *= draw.throughput);
            }
        }
        s
    }

    #[test]
    fn each_sample_is_the_formulas_on_the_drawn_scenario() {
        for text in [
            include_str!("../../scenarios/tiny.toml"),
            include_str!("../../scenarios/colossus.toml"),
            include_str!("../../tests/fixtures/v3/speed/mixed.toml"),
        ] {
            let scenario = Scenario::parse(text, "s.toml").unwrap();
            let evaluator = Evaluator::new(&scenario);
            let draws = [
                Draw {
                    users: 1.0,
                    tokens: 1.0,
                    throughput: 1.0,
                    growth: None,
                },
                Draw {
                    users: 0.7,
                    tokens: 1.3,
                    throughput: 1.1,
                    growth: None,
                },
                Draw {
                    users: 1.4,
                    tokens: 0.6,
                    throughput: 0.8,
                    growth: None,
                },
                Draw {
                    users: 2.5,
                    tokens: 2.0,
                    throughput: 0.7,
                    growth: None,
                },
            ];
            let tiers = scenario.tiers.len();
            for phase in Phase::UNDATED {
                let fleet = FleetCapacity::of_phase(&scenario, &phase);
                let kernel = SampleFleet::new(&evaluator, &fleet);
                for policy in &scenario.policies {
                    let caps = SamplePolicy::new(&evaluator, policy);
                    for draw in &draws {
                        let s = drawn(&scenario, draw);
                        let reference = evaluate(
                            &s,
                            &FleetCapacity::of_phase(&s, &phase),
                            policy,
                            &vec![1.0; tiers],
                        );
                        let (mut off, mut peak) =
                            (vec![0.0; caps.width()], vec![0.0; caps.width()]);
                        caps.shares(draw.tokens, &mut off, &mut peak);
                        let outcome = kernel.outcome(
                            &off,
                            &peak,
                            draw.demand_scale(),
                            !reference.unservable_classes.is_empty(),
                            false,
                        );
                        let relative = (outcome.peak_utilization - reference.peak_utilization)
                            .abs()
                            / reference.peak_utilization.max(1e-300);
                        assert!(
                            relative <= 1e-12,
                            "{} {} {draw:?}: {} against {}",
                            policy.name,
                            phase.name(),
                            outcome.peak_utilization,
                            reference.peak_utilization
                        );
                        assert_eq!(outcome.fits, reference.fits(), "{} {draw:?}", policy.name);
                        let fits_only =
                            kernel.outcome(&off, &peak, draw.demand_scale(), false, true);
                        if reference.unservable_classes.is_empty() {
                            assert_eq!(fits_only.fits, outcome.fits);
                        }
                    }
                }
            }
        }
    }
}
