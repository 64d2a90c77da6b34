//! Placement bounds (model v3): how far the placement of classes on SKUs could move a
//! result's peak, reported next to the headline U, never instead of it.
//!
//! The headline U is proportional allocation: every GPU splits its time over classes and
//! token kinds in the same ratio. Two bounds bracket what a scheduler could do:
//!
//! - **replaced** (optimistic): a scheduler that re-places every step. Per step h the
//!   linear program `min u` s.t. `sum over (c,x) of y(k,c,x) <= u * G_k(h)` for each SKU k
//!   and `sum over k of y(k,c,x) * rate_x(k,c) >= D_x(c,h)` for each class and kind with
//!   demand, `y >= 0` (no `y` where SKU k has no rate for (c,x) or no GPUs at h); the bound
//!   is the largest optimum over the week. Solved as `y = w * D / rate`, which puts every
//!   coefficient on the scale of U (`a(k,j) = D_j / (rate_j(k) * G_k)`: SKU k's utilization
//!   if it served row j alone): `min u` s.t. `sum_j a(k,j) w(k,j) <= u`,
//!   `sum_k w(k,j) >= 1`, `w >= 0`. The same optimum, better conditioned.
//! - **pinned** (pessimistic): pools fixed for the week, each sized for its own classes'
//!   peak: the sum over pools of max over h of that pool's terms of U(h).
//!
//! Demand and lambda come from the headline's own code, so the bounds bracket the very U
//! the headline reports: on a constant fleet the evaluator's demand matrix (one look per
//! run of identical steps, as the fast path reads it), otherwise `headroom::step_demand`
//! and `headroom::elastic_lambda`, step by step, as `headroom::evaluate` does. Demand no
//! SKU with GPUs serves at a step is left out of both (the result is already
//! unservable). The solver is good_lp's pure-Rust microlp backend (simplex, tolerance
//! 1e-10 absolute on coefficients of order 1); most steps need no LP at all (see
//! [`placement`]), and those that do are solved in a fixed order, each optimum and its
//! allocation pruning the steps after it, so the bytes never depend on the thread count.

use good_lp::{Expression, ProblemVariables, Solution, SolverModel, Variable, microlp, variable};

use super::demand::{TierShares, tier_shares_for};
use super::evaluator::Evaluator;
use super::fleet::{ByKind, FleetCapacity, KINDS};
use super::headroom::{elastic_lambda, step_demand, utilization_of};
use crate::scenario::{Policy, Scenario};

/// The peak utilization of one deterministic result under three placements.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    /// Proportional allocation: the headline peak utilization, exactly.
    pub proportional: f64,
    /// A scheduler that re-places classes on SKUs every step: the largest per-step LP
    /// optimum. Never above `proportional`.
    pub replaced: f64,
    /// Pools pinned for the week, each sized for its own classes' weekly peak: the sum of
    /// each pool's peak. Never below `proportional`.
    pub pinned: f64,
}

/// The pinned pool that model column `c` belongs to: its class as the file names it (an
/// index into [`Scenario::base_classes`]). A class at each speed it is served at is a
/// column of its own (model v3 speed; without frontiers the columns are the classes), and
/// a pool holds all of a class's columns: its kinds, speeds and tiers (MODEL.md, "v3
/// Placement bounds"). Every grouping of columns into pools goes through this function.
pub fn pool_of(scenario: &Scenario, c: usize) -> usize {
    scenario.columns.get(c).map_or(c, |column| column.class)
}

/// Two rates are in the same ratio when they agree to this share (relative): then
/// proportional allocation is optimal and the step needs no LP.
const SAME_RATIO: f64 = 1e-12;

/// How far below the largest optimum found a step's bound from another step's allocation
/// must lie for the step to be skipped, relative to the bound (at least 1): a thousand
/// times the solver's tolerance (1e-10, absolute, on the rows' sums, so a load may be
/// understated by that share of itself), so the LP the skip saves could not have returned
/// a value above the maximum.
const SKIP_MARGIN: f64 = 1e-7;

/// The placement bounds of `policy` on `fleet` with each tier's users times `users_scale`
/// (the result's own demand), whose headline peak utilization is `proportional`.
///
/// Demand is read as the headline reads it: on a constant fleet (no share curve, no
/// elastic site) from the evaluator's demand matrix, one look per run of identical steps;
/// otherwise step by step by the formula-by-formula sum, skipping a step whose demand and
/// capacity are those of the step before (it adds nothing to either maximum).
///
/// No LP is needed when proportional allocation is optimal for the whole fleet (one SKU,
/// or every SKU rates every row in one ratio: replaced = U(h) at every step), nor at a step
/// with no demand, one SKU serving it, rates in one ratio on its rows, or each row served
/// by one SKU only (the assignment is forced). The other steps are solved in decreasing
/// order of U(h), skipping each step whose bound (U(h), or the load a solved step's
/// allocation puts on its SKUs) is no more than the largest optimum found: it cannot
/// raise the maximum. The answer is that of solving every step.
pub fn placement(
    evaluator: &Evaluator<'_>,
    fleet: &FleetCapacity,
    policy: &Policy,
    users_scale: &[f64],
    proportional: f64,
) -> Placement {
    let scenario = evaluator.scenario();
    let classes = scenario.classes.len();
    let pools = (0..classes)
        .map(|c| pool_of(scenario, c) + 1)
        .max()
        .unwrap_or(0);
    let proportional_optimal = StepLp::of_fleet(scenario, fleet).proportional_optimal();
    if pools <= 1 && proportional_optimal {
        return Placement {
            proportional,
            replaced: proportional,
            pinned: proportional,
        };
    }
    let mut scan = Scan::new(scenario, pools, proportional_optimal);
    let zero = || [vec![0.0; classes], vec![0.0; classes], vec![0.0; classes]];
    let mut capacity: ByKind = zero();
    let mut gpus = vec![0.0; scenario.skus.len()];
    if fleet.is_constant() {
        fleet.capacity_into(0, 0.0, &mut capacity);
        fleet.serving_gpus_by_sku_into(0, 0.0, &mut gpus);
        evaluator.segment_demand(policy, users_scale, |step, demand| {
            scan.look(step, demand, &capacity, &gpus);
        });
    } else {
        // As the evaluator computes them, from its active hours per tier (a sum over
        // every step, done once per scenario).
        let shares: Vec<TierShares> = scenario
            .tiers
            .iter()
            .zip(&policy.limits)
            .zip(evaluator.active_hours())
            .map(|((tier, limit), &hours)| tier_shares_for(tier, limit.as_ref(), hours))
            .collect();
        let mut demand: ByKind = zero();
        let mut served_by_tier = vec![0.0; scenario.tiers.len()];
        for (step, &peak) in evaluator.peak_mask().iter().enumerate() {
            if step > 0
                && evaluator.segment_of(step) == evaluator.segment_of(step - 1)
                && fleet.same_capacity_at(step, step - 1)
            {
                continue;
            }
            step_demand(
                scenario,
                (policy, &shares),
                users_scale,
                (step, peak),
                &mut demand,
                &mut served_by_tier,
            );
            let lambda = if fleet.is_elastic() {
                elastic_lambda(scenario, fleet, step, &demand)
            } else {
                0.0
            };
            fleet.capacity_into(step, lambda, &mut capacity);
            fleet.serving_gpus_by_sku_into(step, lambda, &mut gpus);
            scan.look(step, &demand, &capacity, &gpus);
        }
    }
    scan.finish(proportional, pools <= 1)
}

/// What the look at each step keeps: the maxima so far, and the steps that need an LP.
struct Scan<'s> {
    scenario: &'s Scenario,
    /// Proportional allocation is optimal at every step: replaced is max U(h).
    proportional_optimal: bool,
    /// Scratch for `utilization_of`.
    unservable: Vec<bool>,
    /// Each pool's terms of U at the step, and its largest over the week.
    pool_u: Vec<f64>,
    pool_peak: Vec<f64>,
    /// max U(h), summed here as the formula-by-formula model sums it.
    peak_u: f64,
    /// The largest optimum found without an LP.
    replaced: f64,
    /// The steps that need one.
    open: Vec<StepLp>,
}

impl<'s> Scan<'s> {
    fn new(scenario: &'s Scenario, pools: usize, proportional_optimal: bool) -> Self {
        Scan {
            scenario,
            proportional_optimal,
            unservable: vec![false; scenario.classes.len()],
            pool_u: vec![0.0; pools],
            pool_peak: vec![0.0; pools],
            peak_u: 0.0,
            replaced: 0.0,
            open: Vec::new(),
        }
    }

    /// One step with this demand, capacity and serving GPUs per SKU.
    fn look(&mut self, step: usize, demand: &ByKind, capacity: &ByKind, gpus: &[f64]) {
        let scenario = self.scenario;
        let u = utilization_of(scenario, demand, capacity, Some(&mut self.unservable));
        self.peak_u = self.peak_u.max(u);
        // Pinned: each pool's terms of U(h) (demand without capacity is out).
        self.pool_u.iter_mut().for_each(|p| *p = 0.0);
        for c in 0..scenario.classes.len() {
            let rated = [true, scenario.input_rated[c], scenario.cached_rated[c]];
            for x in (0..KINDS).filter(|&x| rated[x]) {
                if capacity[x][c] > 0.0 {
                    self.pool_u[pool_of(scenario, c)] += demand[x][c] / capacity[x][c];
                }
            }
        }
        for (peak, &u) in self.pool_peak.iter_mut().zip(&self.pool_u) {
            *peak = peak.max(u);
        }
        // Re-placed: closed forms where they hold, else an LP for later.
        if self.proportional_optimal {
            return;
        }
        let lp = StepLp::new(scenario, demand, capacity, gpus, u, step);
        match lp.closed_form() {
            Some(value) => self.replaced = self.replaced.max(value),
            None => self.open.push(lp),
        }
    }

    /// The bounds: the open steps solved one at a time (highest U(h) first, ties the
    /// earlier step) while they can raise the maximum. `one_pool`: pinned is U. One at a
    /// time because each optimum prunes the steps after it, and results are already
    /// evaluated in parallel (`Comparison::run`): 114 LPs for colossus's 12 results
    /// against 131 in batches of two.
    ///
    /// A step is skipped once its bound is no more than the largest optimum found: U(h)
    /// at first, then the load a solved step's allocation puts on each SKU at this step
    /// (any allocation that serves every row is feasible, so its largest load bounds the
    /// optimum from above; demand moves little from step to step, so a neighbour's
    /// allocation is usually close to optimal). An allocation's bound must clear the
    /// maximum by [`SKIP_MARGIN`], more than the solver's tolerance, so a skipped step
    /// could not have raised the maximum by even its last bit: the answer is the same
    /// as solving every step.
    fn finish(mut self, proportional: f64, one_pool: bool) -> Placement {
        let mut replaced = if self.proportional_optimal {
            self.peak_u
        } else {
            self.replaced
        };
        let open = &mut self.open;
        open.sort_by(|a, b| b.u.total_cmp(&a.u).then(a.step.cmp(&b.step)));
        // Each open step's bound without its LP.
        let mut bound: Vec<f64> = open.iter().map(|lp| lp.u).collect();
        for i in 0..open.len() {
            if bound[i] <= replaced {
                continue;
            }
            let (value, allocation) = open[i].solve();
            replaced = replaced.max(value);
            let Some(w) = allocation else { continue };
            for j in i + 1..open.len() {
                if bound[j] > replaced && open[j].same_shape(&open[i]) {
                    let load = open[j].largest_load(&w);
                    bound[j] = bound[j].min(load + SKIP_MARGIN * load.max(1.0));
                }
            }
        }
        let pinned = if one_pool {
            self.peak_u
        } else {
            self.pool_peak.iter().sum()
        };
        // The headline may come from another sum (the fast path's, or the formulas' when
        // this loop read the demand matrix), rounding differently within 1e-12. A bound
        // equal to this loop's own peak (proportional optimal; one pool) is the headline
        // exactly, and replaced <= proportional <= pinned holds whatever the rounding.
        let headline = |bound: f64| {
            if bound == self.peak_u {
                proportional
            } else {
                bound
            }
        };
        Placement {
            proportional,
            replaced: headline(replaced).min(proportional),
            pinned: headline(pinned).max(proportional),
        }
    }
}

/// One step's re-placement LP: per (SKU, row) the coefficient `a(k,j) = D_j / (rate_j(k) *
/// G_k)`, infinite where SKU k cannot serve row j. Rows are the (class, kind) pairs with
/// demand and capacity; SKUs, those with GPUs that serve some row.
#[derive(Debug, Clone, PartialEq)]
struct StepLp {
    /// The step.
    step: usize,
    /// U(h), the proportional allocation's value: feasible, so an upper bound.
    u: f64,
    /// Rows of the LP.
    rows: usize,
    /// Which (class, kind) each row is (`c * KINDS + x`), then which SKU each takes part
    /// (`usize::MAX` between): two steps of one shape can share an allocation.
    shape: Vec<usize>,
    /// `a(k,j)`, SKU-major: `a[k * rows + j]`.
    a: Vec<f64>,
    /// The SKUs' rates on the rows, SKU-major like `a` (0 where a SKU cannot serve).
    rates: Vec<f64>,
}

impl StepLp {
    /// The LP of a step with this demand, capacity, serving GPUs per SKU and U(h).
    fn new(
        scenario: &Scenario,
        demand: &ByKind,
        capacity: &ByKind,
        gpus: &[f64],
        u: f64,
        step: usize,
    ) -> StepLp {
        let mut rows: Vec<(usize, usize)> = Vec::new();
        for c in 0..scenario.classes.len() {
            let rated = [true, scenario.input_rated[c], scenario.cached_rated[c]];
            for x in (0..KINDS).filter(|&x| rated[x]) {
                // Demand with no capacity is unservable: out of both bounds.
                if demand[x][c] > 0.0 && capacity[x][c] > 0.0 {
                    rows.push((c, x));
                }
            }
        }
        let (mut a, mut rates) = (Vec::new(), Vec::new());
        let mut shape: Vec<usize> = rows.iter().map(|&(c, x)| c * KINDS + x).collect();
        shape.push(usize::MAX);
        for (k, (sku, &g)) in scenario.skus.iter().zip(gpus).enumerate() {
            let kinds = [
                &sku.tokens_per_s,
                &sku.input_tokens_per_s,
                &sku.cached_tokens_per_s,
            ];
            let own: Vec<f64> = rows
                .iter()
                .map(|&(c, x)| if g > 0.0 { kinds[x][c] } else { 0.0 })
                .collect();
            // A SKU that serves no row takes no part.
            if own.iter().all(|&r| r <= 0.0) {
                continue;
            }
            shape.push(k);
            a.extend(rows.iter().zip(&own).map(|(&(c, x), &r)| {
                if r > 0.0 {
                    demand[x][c] / (r * g)
                } else {
                    f64::INFINITY
                }
            }));
            rates.extend(own);
        }
        StepLp {
            step,
            u,
            rows: rows.len(),
            shape,
            a,
            rates,
        }
    }

    /// The whole fleet's LP shape: every rated row some SKU of the fleet serves, every SKU
    /// with GPUs (demand and GPUs set to 1: only which SKU serves which row at what rate
    /// matters to [`StepLp::proportional_optimal`]).
    fn of_fleet(scenario: &Scenario, fleet: &FleetCapacity) -> StepLp {
        let classes = scenario.classes.len();
        let mut present = vec![0.0; scenario.skus.len()];
        for site in &fleet.sites {
            for &(sku, healthy) in &site.healthy_by_sku {
                present[sku] += healthy;
            }
        }
        let mut served: ByKind = [vec![0.0; classes], vec![0.0; classes], vec![0.0; classes]];
        for (sku, &n) in scenario.skus.iter().zip(&present) {
            if n > 0.0 {
                let kinds = [
                    &sku.tokens_per_s,
                    &sku.input_tokens_per_s,
                    &sku.cached_tokens_per_s,
                ];
                for x in 0..KINDS {
                    for c in 0..classes {
                        if kinds[x][c] > 0.0 {
                            served[x][c] = 1.0;
                        }
                    }
                }
            }
        }
        let gpus: Vec<f64> = present
            .iter()
            .map(|&n| f64::from(u8::from(n > 0.0)))
            .collect();
        StepLp::new(scenario, &served, &served, &gpus, 1.0, 0)
    }

    /// Whether proportional allocation is optimal whatever the demand on these rows: one
    /// SKU, or every SKU serving every row at rates in one ratio. It stays so on any subset
    /// of the rows and SKUs, so a fleet that has it has it at every step.
    fn proportional_optimal(&self) -> bool {
        self.skus() <= 1 || self.same_ratio()
    }

    /// SKUs taking part.
    fn skus(&self) -> usize {
        self.a.len().checked_div(self.rows).unwrap_or(0)
    }

    /// The optimum without an LP, where one holds: no demand (0); one SKU, or SKUs whose
    /// rates are in one ratio on every row (U(h): proportional allocation is optimal);
    /// each row served by one SKU only (the forced loads' maximum).
    fn closed_form(&self) -> Option<f64> {
        let (skus, rows) = (self.skus(), self.rows);
        if rows == 0 || skus == 0 {
            return Some(0.0);
        }
        if self.proportional_optimal() {
            return Some(self.u);
        }
        let single = (0..rows).all(|j| (0..skus).filter(|&k| self.serves(k, j)).count() == 1);
        single.then(|| {
            let load = (0..skus)
                .map(|k| {
                    (0..rows)
                        .filter(|&j| self.serves(k, j))
                        .map(|j| self.a[k * rows + j])
                        .sum::<f64>()
                })
                .fold(0.0, f64::max);
            load.min(self.u)
        })
    }

    /// Whether SKU k can serve row j.
    fn serves(&self, k: usize, j: usize) -> bool {
        self.rates[k * self.rows + j] > 0.0
    }

    /// Whether every SKU serves every row, at rates in the ratio of the first SKU's to
    /// within [`SAME_RATIO`]. Then any allocation does the same work per GPU-hour as
    /// another, and none beats proportional.
    fn same_ratio(&self) -> bool {
        let rows = self.rows;
        let first = &self.rates[..rows];
        self.rates.chunks_exact(rows).skip(1).all(|own| {
            let scale = own[0] / first[0];
            own.iter()
                .zip(first)
                .all(|(&r, &f)| r > 0.0 && (r - scale * f).abs() <= SAME_RATIO * r)
        })
    }

    /// The optimum by the LP, never above U(h), and the allocation that reaches it (`w`,
    /// laid out like `a`). Should the solver fail (it has not on any scenario tested),
    /// U(h) stands, with no allocation: the bound is then proportional allocation's at
    /// that step, still a bound.
    fn solve(&self) -> (f64, Option<Vec<f64>>) {
        match solve_lp(self.skus(), self.rows, &self.a) {
            Some((value, w)) => (value.min(self.u).max(0.0), Some(w)),
            None => (self.u.max(0.0), None),
        }
    }

    /// Whether this step's LP has the rows and SKUs of `other`'s.
    fn same_shape(&self, other: &StepLp) -> bool {
        self.shape == other.shape
    }

    /// The largest load an allocation `w` (of a step of the same shape) puts on a SKU
    /// at this step: `max over k of sum_j a(k,j) w(k,j)`.
    fn largest_load(&self, w: &[f64]) -> f64 {
        self.a
            .chunks_exact(self.rows)
            .zip(w.chunks_exact(self.rows))
            .map(|(a, w)| {
                a.iter()
                    .zip(w)
                    .filter(|(a, _)| a.is_finite())
                    .map(|(a, w)| a * w)
                    .sum::<f64>()
            })
            .fold(0.0, f64::max)
    }
}

/// min u s.t. sum_j a[k][j] w[k][j] <= u for each k, sum_k w[k][j] >= 1 for each j, w >= 0
/// (an infinite `a[k * rows + j]`: no w[k][j]), by microlp: the optimum and w (0 where
/// there is no variable). `None` when it fails.
fn solve_lp(skus: usize, rows: usize, a: &[f64]) -> Option<(f64, Vec<f64>)> {
    let mut variables = ProblemVariables::new();
    let u = variables.add(variable().min(0.0));
    let w: Vec<Option<Variable>> = a
        .iter()
        .map(|a| a.is_finite().then(|| variables.add(variable().min(0.0))))
        .collect();
    let mut model = variables.minimise(u).using(microlp);
    for k in 0..skus {
        let mut load = Expression::with_capacity(rows);
        for j in 0..rows {
            if let Some(w) = w[k * rows + j] {
                load.add_mul(a[k * rows + j], w);
            }
        }
        model = model.with(load.leq(u));
    }
    for j in 0..rows {
        let served: Expression = (0..skus).filter_map(|k| w[k * rows + j]).sum();
        model = model.with(served.geq(1.0));
    }
    let solution = model.solve().ok()?;
    let allocation = w
        .iter()
        .map(|w| w.map_or(0.0, |w| solution.value(w)))
        .collect();
    Some((solution.value(u), allocation))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_sku_the_lp_is_the_closed_form() {
        // One SKU, three rows: u = sum of a = U.
        let a = [0.21, 0.4, 0.0625];
        let (lp, _) = solve_lp(1, 3, &a).unwrap();
        assert!((lp - 0.6725).abs() <= 1e-9, "{lp}");
    }

    #[test]
    fn two_skus_with_comparative_advantage() {
        // Row 0: A alone takes 0.5 of its GPUs, B 1.0; row 1: A 1.0, B 0.5. Each takes the
        // row it is fast at: u = 0.5 (proportional: 2/3 each).
        let a = [0.5, 1.0, 1.0, 0.5];
        let (lp, _) = solve_lp(2, 2, &a).unwrap();
        assert!((lp - 0.5).abs() <= 1e-9, "{lp}");
        // A SKU without a rate for a row gets no share of it.
        let a = [0.5, f64::INFINITY, 1.0, 0.5];
        let (lp, _) = solve_lp(2, 2, &a).unwrap();
        // A takes row 0 (0.5), B row 1 (0.5).
        assert!((lp - 0.5).abs() <= 1e-9, "{lp}");
    }

    #[test]
    fn rates_in_one_ratio_need_no_lp() {
        let lp = StepLp {
            step: 0,
            u: 0.7,
            rows: 2,
            shape: vec![0, 3, usize::MAX, 0, 1],
            a: vec![0.1, 0.2, 0.3, 0.4],
            rates: vec![100.0, 400.0, 150.0, 600.0],
        };
        assert_eq!(lp.closed_form(), Some(0.7));
        let lp = StepLp {
            rates: vec![100.0, 400.0, 150.0, 700.0],
            ..lp
        };
        assert_eq!(lp.closed_form(), None);
    }

    #[test]
    fn rows_with_one_sku_each_are_forced() {
        // SKU 0 alone serves row 0 (0.3) and row 1 (0.25); SKU 1 alone row 2 (0.5).
        let inf = f64::INFINITY;
        let lp = StepLp {
            step: 0,
            u: 0.9,
            rows: 3,
            shape: vec![0, 3, 6, usize::MAX, 0, 1],
            a: vec![0.3, 0.25, inf, inf, inf, 0.5],
            rates: vec![1.0, 1.0, 0.0, 0.0, 0.0, 1.0],
        };
        assert_eq!(lp.closed_form(), Some(0.55));
    }

    #[test]
    fn skipping_steps_by_another_steps_allocation_keeps_the_maximum() {
        // Three SKUs with comparative advantage on four rows, demand moving over 300
        // steps: the maximum with skips is the maximum of every step's LP, to the bit.
        let scenario = Scenario::parse(include_str!("../../scenarios/tiny.toml"), "t").unwrap();
        let rates = [
            [4.0, 1.0, 2.0, 1.0],
            [1.0, 3.0, 1.0, 2.0],
            [2.0, 2.0, 3.0, 0.0],
        ];
        let gpus = [1.0, 2.0, 1.5];
        let mut scan = Scan::new(&scenario, 1, false);
        for step in 0..300 {
            let demand: Vec<f64> = (0..4)
                .map(|j| 1.0 + 0.5 * (step as f64 * 0.05 + j as f64).sin())
                .collect();
            let mut a = Vec::new();
            for (own, g) in rates.iter().zip(gpus) {
                a.extend(
                    own.iter().zip(&demand).map(
                        |(&r, &d)| {
                            if r > 0.0 { d / (r * g) } else { f64::INFINITY }
                        },
                    ),
                );
            }
            let u: f64 = (0..4)
                .map(|j| demand[j] / (0..3).map(|k| rates[k][j] * gpus[k]).sum::<f64>())
                .sum();
            scan.peak_u = scan.peak_u.max(u);
            scan.open.push(StepLp {
                step,
                u,
                rows: 4,
                shape: vec![0, 1, 2, 3, usize::MAX, 0, 1, 2],
                a,
                rates: rates.concat(),
            });
        }
        let every = scan.open.iter().map(|lp| lp.solve().0).fold(0.0, f64::max);
        let above = scan.open.iter().filter(|lp| lp.u > every).count();
        let peak = scan.peak_u;
        let bounds = scan.finish(peak, true);
        assert_eq!(bounds.replaced, every);
        // Re-placing gains, and most steps could only be skipped by an allocation.
        assert!(every < 0.9 * peak, "{every} {peak}");
        assert!(above > 100, "{above}");
    }
}
