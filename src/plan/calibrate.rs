//! `calibrate`: the multipliers on the scenario's unknowns with which the model reproduces
//! what production observed (MODEL.md "v3 Which unknown decides": calibration).
//!
//! It minimises sum of weight · ln(model / observed)^2 over one multiplier per `adjust`
//! group, in ln space, each bounded to [1/100, 100]. One multiplier against one
//! observation is a monotone root: bisection to 1e-9. Otherwise projected Gauss–Newton with
//! a Levenberg damping (the Jacobian by central differences in ln m), which reaches the
//! least-squares optimum of these smooth, few-parameter problems in a few dozen evaluations.

use serde::Serialize;

use super::SCHEMA_VERSION;
use crate::model::lever::{Lever, TierInput};
use crate::model::{Evaluator, FleetCapacity, Phase, breakdown};
use crate::scenario::{AdjustKind, Metric, OutputRate, Scenario};

/// The multipliers' bounds: [1/100, 100].
pub const BOUND: f64 = 100.0;
/// One multiplier against one observation: bisection to this, relative.
pub const EXACT: f64 = 1e-9;

/// The answer of `calibrate`: the JSON document `"kind": "calibration"`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalibrationAnswer {
    /// Version of this JSON layout.
    pub schema_version: u32,
    /// Which document this is: `"calibration"`.
    pub kind: &'static str,
    /// The scenario's name.
    pub scenario: String,
    /// sum of weight · residual^2 at the answer.
    pub objective: f64,
    /// One multiplier per `adjust` group, in file order.
    pub multipliers: Vec<MultiplierAnswer>,
    /// Each observation against the model at the answer, in file order.
    pub observations: Vec<ObservationAnswer>,
    /// The inputs the multipliers imply, as key paths with their old and new values.
    pub inputs: Vec<ImpliedInput>,
}

/// One `adjust` group's multiplier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MultiplierAnswer {
    /// The group as written: `users:free,pro`.
    pub adjust: String,
    /// The multiplier found.
    pub multiplier: f64,
    /// Whether it sits at a bound (1/100 or 100): the observations ask for more than the
    /// group can give.
    pub at_bound: bool,
}

/// One observation at the answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObservationAnswer {
    /// The policy.
    pub policy: String,
    /// The phase.
    pub phase: String,
    /// The tier, for a tier's figure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// Which figure: `peak_utilization`, `throttled_share_at_peak`, `served_share`,
    /// `revenue_per_week`.
    pub metric: &'static str,
    /// What production saw.
    pub observed: f64,
    /// What the calibrated model gives.
    pub model: f64,
    /// ln(model / observed).
    pub residual: f64,
}

/// One input of the file the multipliers change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImpliedInput {
    /// Its key path, as `--set` takes it: `tier.pro.users`.
    pub key: String,
    /// Its value in the file.
    pub from: f64,
    /// Its calibrated value.
    pub to: f64,
    /// The multiplier of its group.
    pub multiplier: f64,
}

impl CalibrationAnswer {
    /// Whether some multiplier sits at a bound: calibrate then exits 1.
    pub fn at_bound(&self) -> bool {
        self.multipliers.iter().any(|m| m.at_bound)
    }
}

/// What is wrong with a calibration before it starts: the key it names and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalibrationError {
    /// The key path: `observed[2]`, `calibration`.
    pub key: String,
    /// Why.
    pub message: String,
}

impl std::fmt::Display for CalibrationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

impl std::error::Error for CalibrationError {}

/// The most weeks a calibration can evaluate: what the work budget counts. Each model
/// call evaluates each observation's (policy, phase) once; least squares makes at most 100
/// rounds of a Jacobian (two calls a multiplier) and 30 damped tries, after 2 calls a
/// multiplier to check that each observation moves.
pub fn max_evaluations(scenario: &Scenario) -> usize {
    let n = scenario.adjust.len();
    let calls = 1 + 2 * n + 100 * (2 * n + 31) + 2;
    calls * scenario.observations.len().max(1)
}

/// The levers of each `adjust` group.
fn groups(scenario: &Scenario) -> Vec<Vec<Lever>> {
    scenario
        .adjust
        .iter()
        .map(|group| {
            group
                .members
                .iter()
                .map(|&m| match group.kind {
                    AdjustKind::Users => Lever::Tier(TierInput::Users, m),
                    AdjustKind::TokensPerActiveHour => {
                        Lever::Tier(TierInput::TokensPerActiveHour, m)
                    }
                    AdjustKind::InputPerOutput => Lever::Tier(TierInput::InputPerOutput, m),
                    AdjustKind::CacheMiss => Lever::Tier(TierInput::CacheMiss, m),
                    AdjustKind::Spread => Lever::Tier(TierInput::Spread, m),
                    AdjustKind::Rates => Lever::SkuRates(m),
                    AdjustKind::Gpus => Lever::SkuGpus(m),
                })
                .collect()
        })
        .collect()
}

/// The scenario with each group's levers at its multiplier.
pub fn calibrated(scenario: &Scenario, multipliers: &[f64]) -> Scenario {
    let mut moved = scenario.clone();
    for (levers, &m) in groups(scenario).iter().zip(multipliers) {
        for lever in levers {
            lever.apply(&mut moved, m);
        }
    }
    moved
}

/// Each observation's model value with the groups at `multipliers`: each (policy, phase)
/// evaluated once.
fn model_values(scenario: &Scenario, multipliers: &[f64]) -> Vec<f64> {
    let moved = calibrated(scenario, multipliers);
    let evaluator = Evaluator::new(&moved);
    let mut seen: Vec<(
        (usize, String),
        crate::model::Headroom,
        FleetCapacity,
        Phase,
    )> = Vec::new();
    moved
        .observations
        .iter()
        .map(|o| {
            let key = (o.policy, o.phase.clone());
            let index = match seen.iter().position(|(k, ..)| *k == key) {
                Some(i) => i,
                None => {
                    let phase = Phase::named(&moved, &o.phase).expect("validated phase");
                    let fleet = FleetCapacity::of_phase(&moved, &phase);
                    let scale = phase.users_scale(&moved);
                    let headroom = evaluator.evaluate(&fleet, &moved.policies[o.policy], &scale);
                    seen.push((key, headroom, fleet, phase));
                    seen.len() - 1
                }
            };
            let (_, headroom, fleet, phase) = &seen[index];
            match o.metric {
                Metric::PeakUtilization => headroom.peak_utilization,
                Metric::ServedShare => headroom.served_share,
                Metric::RevenuePerWeek => {
                    super::cost::cost_of(&moved, fleet, headroom, &phase.users_scale(&moved))
                        .revenue_per_week
                }
                Metric::ThrottledShareAtPeak => {
                    let t = o.tier.expect("validated tier");
                    let at = breakdown(
                        &moved,
                        fleet,
                        &moved.policies[o.policy],
                        &phase.users_scale(&moved),
                        headroom.peak_step,
                    );
                    if at.tier_active_users[t] > 0.0 {
                        at.tier_throttled_users[t] / at.tier_active_users[t]
                    } else {
                        0.0
                    }
                }
            }
        })
        .collect()
}

/// ln(model / observed) per observation; None where the model gives no positive value.
fn residuals(scenario: &Scenario, ln_m: &[f64]) -> Vec<Option<f64>> {
    let multipliers: Vec<f64> = ln_m.iter().map(|x| x.exp()).collect();
    model_values(scenario, &multipliers)
        .iter()
        .zip(&scenario.observations)
        .map(|(&model, o)| (model > 0.0 && model.is_finite()).then(|| (model / o.observed).ln()))
        .collect()
}

/// The calibration of a scenario with `[[observed]]` and `[calibration] adjust`.
pub fn calibrate(scenario: &Scenario) -> Result<CalibrationAnswer, CalibrationError> {
    let fail = |key: String, message: String| Err(CalibrationError { key, message });
    if scenario.observations.is_empty() {
        return fail(
            "observed".into(),
            "calibrate needs at least one [[observed]] figure".into(),
        );
    }
    if scenario.adjust.is_empty() {
        return fail(
            "calibration.adjust".into(),
            "calibrate needs [calibration] adjust = [\"KIND:NAME\", …]: what may move".into(),
        );
    }
    let n = scenario.adjust.len();
    let lo = -BOUND.ln();
    let hi = BOUND.ln();
    let start = vec![0.0; n];
    let base = residuals(scenario, &start);
    for (i, r) in base.iter().enumerate() {
        if r.is_none() {
            let o = &scenario.observations[i];
            return fail(
                format!("observed[{i}]"),
                format!(
                    "the model gives no positive {} to compare (a scenario without prices has no revenue; a tier nobody uses, no throttled share)",
                    o.metric.key()
                ),
            );
        }
    }
    // Which observations each multiplier moves (central difference in ln m).
    let jacobian = |x: &[f64]| -> Vec<Vec<f64>> {
        const H: f64 = 1e-4;
        let mut columns = Vec::with_capacity(n);
        for j in 0..n {
            let (mut up, mut down) = (x.to_vec(), x.to_vec());
            up[j] = (x[j] + H).min(hi);
            down[j] = (x[j] - H).max(lo);
            let (ru, rd) = (residuals(scenario, &up), residuals(scenario, &down));
            let column: Vec<f64> = ru
                .iter()
                .zip(&rd)
                .map(|(a, b)| match (a, b) {
                    (Some(a), Some(b)) => (a - b) / (up[j] - down[j]),
                    _ => 0.0,
                })
                .collect();
            columns.push(column);
        }
        columns
    };
    // An observation no multiplier moves, anywhere in its bounds, cannot be fitted: each
    // multiplier alone at both bounds.
    let mut moved = vec![false; scenario.observations.len()];
    for j in 0..n {
        for end in [lo, hi] {
            let mut x = start.clone();
            x[j] = end;
            for (i, r) in residuals(scenario, &x).iter().enumerate() {
                if r.is_none_or(|r| (r - base[i].unwrap_or(0.0)).abs() > 1e-12) {
                    moved[i] = true;
                }
            }
        }
    }
    if let Some(i) = moved.iter().position(|m| !m) {
        return fail(
            format!("observed[{i}]"),
            "no adjusted multiplier moves this figure between ×1/100 and ×100; adjust an input it depends on".into(),
        );
    }
    let x = if n == 1 && scenario.observations.len() == 1 {
        one_root(scenario, lo, hi)
    } else {
        least_squares(scenario, start, (lo, hi), &jacobian)
    };
    Ok(answer(scenario, &x))
}

/// One multiplier, one observation: the residual is monotone in it; bisection on ln m
/// to EXACT relative on m, or the bound the residual cannot reach 0 before.
fn one_root(scenario: &Scenario, lo: f64, hi: f64) -> Vec<f64> {
    let r = |x: f64| residuals(scenario, &[x])[0].unwrap_or(f64::NAN);
    let (mut a, mut b) = (lo, hi);
    let (ra, rb) = (r(a), r(b));
    // A NaN residual (no positive model value) counts as no sign change.
    let changes_sign = ra * rb <= 0.0;
    if !changes_sign {
        // No sign change: the nearer bound (the smaller |residual|).
        return vec![if ra.abs() <= rb.abs() { a } else { b }];
    }
    let rising = rb > ra;
    while b - a > EXACT {
        let mid = (a + b) / 2.0;
        let rm = r(mid);
        if (rm < 0.0) == rising {
            a = mid;
        } else {
            b = mid;
        }
    }
    vec![(a + b) / 2.0]
}

/// Projected Levenberg–Marquardt on sum of w·r^2 over x in [lo, hi]^n.
fn least_squares(
    scenario: &Scenario,
    mut x: Vec<f64>,
    (lo, hi): (f64, f64),
    jacobian: &dyn Fn(&[f64]) -> Vec<Vec<f64>>,
) -> Vec<f64> {
    let weights: Vec<f64> = scenario.observations.iter().map(|o| o.weight).collect();
    let objective = |x: &[f64]| -> f64 {
        residuals(scenario, x)
            .iter()
            .zip(&weights)
            .map(|(r, w)| r.map_or(f64::INFINITY, |r| w * r * r))
            .sum()
    };
    let n = x.len();
    let mut f = objective(&x);
    let mut damping = 1e-3;
    for _ in 0..100 {
        let r: Vec<f64> = residuals(scenario, &x)
            .iter()
            .map(|r| r.unwrap_or(0.0))
            .collect();
        let j = jacobian(&x);
        // Normal equations: (J^T W J + damping · diag) d = -J^T W r.
        let mut a = vec![vec![0.0; n]; n];
        let mut g = vec![0.0; n];
        for p in 0..n {
            for q in 0..n {
                a[p][q] = (0..r.len()).map(|i| weights[i] * j[p][i] * j[q][i]).sum();
            }
            g[p] = -(0..r.len())
                .map(|i| weights[i] * j[p][i] * r[i])
                .sum::<f64>();
        }
        let mut improved = false;
        for _ in 0..30 {
            let mut damped = a.clone();
            for p in 0..n {
                damped[p][p] += damping * a[p][p].max(1e-12);
            }
            let Some(step) = solve(damped, g.clone()) else {
                damping *= 10.0;
                continue;
            };
            let next: Vec<f64> = x
                .iter()
                .zip(&step)
                .map(|(xi, d)| (xi + d).clamp(lo, hi))
                .collect();
            let fn_next = objective(&next);
            if fn_next < f {
                let moved = next
                    .iter()
                    .zip(&x)
                    .map(|(a, b)| (a - b).abs())
                    .fold(0.0, f64::max);
                x = next;
                f = fn_next;
                damping = (damping / 10.0).max(1e-12);
                improved = moved > 1e-12;
                break;
            }
            damping *= 10.0;
        }
        if !improved {
            break;
        }
    }
    x
}

/// Solves a small dense system by Gaussian elimination with partial pivoting.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for col in 0..n {
        let pivot = (col..n).max_by(|&p, &q| a[p][col].abs().total_cmp(&a[q][col].abs()))?;
        if a[pivot][col].abs() < 1e-300 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..n {
            let factor = a[row][col] / a[col][col];
            for k in col..n {
                a[row][k] -= factor * a[col][k];
            }
            b[row] -= factor * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let sum: f64 = (row + 1..n).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - sum) / a[row][row];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

/// The answer at ln multipliers `x`.
fn answer(scenario: &Scenario, x: &[f64]) -> CalibrationAnswer {
    let multipliers: Vec<f64> = x.iter().map(|v| v.exp()).collect();
    let models = model_values(scenario, &multipliers);
    let observations: Vec<ObservationAnswer> = scenario
        .observations
        .iter()
        .zip(&models)
        .map(|(o, &model)| ObservationAnswer {
            policy: scenario.policies[o.policy].name.clone(),
            phase: o.phase.clone(),
            tier: o.tier.map(|t| scenario.tiers[t].name.clone()),
            metric: o.metric.key(),
            observed: o.observed,
            model,
            residual: if model > 0.0 {
                (model / o.observed).ln()
            } else {
                0.0
            },
        })
        .collect();
    let objective = scenario
        .observations
        .iter()
        .zip(&observations)
        .map(|(o, a)| o.weight * a.residual * a.residual)
        .sum();
    let moved = calibrated(scenario, &multipliers);
    let mut inputs = Vec::new();
    for ((group, levers), &m) in scenario
        .adjust
        .iter()
        .zip(groups(scenario))
        .zip(&multipliers)
    {
        let _ = group;
        for lever in levers {
            inputs.extend(implied(scenario, &moved, lever, m));
        }
    }
    CalibrationAnswer {
        schema_version: SCHEMA_VERSION,
        kind: "calibration",
        scenario: scenario.name.clone(),
        objective,
        multipliers: scenario
            .adjust
            .iter()
            .zip(x)
            .map(|(group, &v)| MultiplierAnswer {
                adjust: group.text.clone(),
                multiplier: v.exp(),
                at_bound: (v.abs() - BOUND.ln()).abs() < 1e-9,
            })
            .collect(),
        observations,
        inputs,
    }
}

/// The file's inputs a lever changed: key paths `--set` and `--apply` take.
fn implied(before: &Scenario, after: &Scenario, lever: Lever, m: f64) -> Vec<ImpliedInput> {
    let one = |key: String, from: f64, to: f64| ImpliedInput {
        key,
        from,
        to,
        multiplier: m,
    };
    match lever {
        Lever::Tier(input, t) => {
            let (name, b, a) = (&before.tiers[t].name, &before.tiers[t], &after.tiers[t]);
            let (key, from, to) = match input {
                TierInput::Users => ("users", b.users, a.users),
                TierInput::TokensPerActiveHour => (
                    "tokens_per_active_hour",
                    b.tokens_per_active_hour,
                    a.tokens_per_active_hour,
                ),
                TierInput::InputPerOutput => {
                    ("input_per_output", b.input_per_output, a.input_per_output)
                }
                TierInput::CacheMiss => ("cache_hit", b.cache_hit, a.cache_hit),
                TierInput::Spread => ("spread", b.spread, a.spread),
            };
            vec![one(format!("tier.{name}.{key}"), from, to)]
        }
        Lever::SkuRates(k) => {
            let (b, a) = (&before.skus[k], &after.skus[k]);
            let mut found = Vec::new();
            for (c, class) in before.base_classes.iter().enumerate() {
                let (from, to) = (&b.rates[c].output, &a.rates[c].output);
                match (from, to) {
                    (OutputRate::Scalar(from), OutputRate::Scalar(to)) => {
                        found.push(one(
                            format!("gpu.{}.tokens_per_s.{class}", b.name),
                            *from,
                            *to,
                        ));
                    }
                    // A frontier's points: each throughput, by point (`--apply` rewrites
                    // numbers only, so it names them for the reader to copy).
                    (OutputRate::Frontier(from), OutputRate::Frontier(to)) => {
                        for (i, (p, q)) in from.iter().zip(to).enumerate() {
                            found.push(one(
                                format!("gpu.{}.tokens_per_s.{class}[{i}][1]", b.name),
                                p.1,
                                q.1,
                            ));
                        }
                    }
                    _ => {}
                }
            }
            for (key, kind) in [("input_tokens_per_s", 0), ("cached_tokens_per_s", 1)] {
                for (c, class) in before.base_classes.iter().enumerate() {
                    let pick = |r: &crate::scenario::ClassRates| {
                        if kind == 0 { r.input } else { r.cached }
                    };
                    let (from, to) = (pick(&b.rates[c]), pick(&a.rates[c]));
                    if from > 0.0 {
                        found.push(one(format!("gpu.{}.{key}.{class}", b.name), from, to));
                    }
                }
            }
            found
        }
        Lever::SkuGpus(k) => before
            .sites
            .iter()
            .zip(&after.sites)
            .flat_map(|(b, a)| {
                b.gpus
                    .iter()
                    .zip(&a.gpus)
                    .filter(move |((sku, _), _)| *sku == k)
                    .map(move |((_, from), (_, to))| {
                        one(
                            format!("site.{}.gpus.{}", b.name, before.skus[k].name),
                            *from,
                            *to,
                        )
                    })
            })
            .collect(),
        Lever::SiteGpus(_) | Lever::UtilizationTarget | Lever::TrainingFloor => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    //! On scenarios/tiny.toml: 100,000 pro users want 1,000,000 tok/s on weekdays against
    //! 800,000 before the additions and 1,200,000 after.
    use super::*;
    use approx::assert_relative_eq;

    const TINY: &str = include_str!("../../scenarios/tiny.toml");

    fn tiny_with(extra: &str, edits: &[(&str, &str)]) -> Scenario {
        let mut text = TINY.to_string();
        for (from, to) in edits {
            assert!(text.contains(from), "{from}");
            text = text.replacen(from, to, 1);
        }
        Scenario::parse(&(text + extra), "tiny.toml").unwrap()
    }

    #[test]
    fn one_multiplier_against_one_observation_is_exact() {
        // U = 1.25 x m: 0.9 at m = 0.72.
        let scenario = tiny_with(
            "[[observed]]\npolicy = \"unlimited\"\nphase = \"before\"\npeak_utilization = 0.9\n\n[calibration]\nadjust = [\"users:pro\"]\n",
            &[],
        );
        let answer = calibrate(&scenario).unwrap();
        assert_relative_eq!(answer.multipliers[0].multiplier, 0.72, max_relative = 1e-9);
        assert_relative_eq!(answer.observations[0].model, 0.9, max_relative = 1e-9);
        assert!(!answer.at_bound());
        assert_eq!(answer.inputs[0].key, "tier.pro.users");
        assert_relative_eq!(answer.inputs[0].to, 72_000.0, max_relative = 1e-9);
    }

    #[test]
    fn two_multipliers_and_three_observations_reach_the_least_squares_optimum() {
        // A second tier "team" (50,000 users, uncapped by every policy), users of pro and
        // tokens of team adjusted, three figures that no pair of multipliers meets exactly.
        let team = "[[tier]]\nname = \"team\"\nusers = 50000\ncurve = \"flat\"\ntokens_per_active_hour = 360000\nspread = 0\nmix = { sonnet = 1.0 }\n\n[[policy]]";
        let scenario = tiny_with(
            "[[observed]]\npolicy = \"unlimited\"\nphase = \"before\"\npeak_utilization = 1.1\n\n\
             [[observed]]\npolicy = \"unlimited\"\nphase = \"after\"\npeak_utilization = 0.7\nweight = 2\n\n\
             [[observed]]\npolicy = \"current\"\nphase = \"before\"\npeak_utilization = 0.6\n\n\
             [calibration]\nadjust = [\"users:pro\", \"tokens_per_active_hour:team\"]\n",
            &[("[[policy]]", team)],
        );
        let found = calibrate(&scenario).unwrap();
        let x: Vec<f64> = found
            .multipliers
            .iter()
            .map(|m| m.multiplier.ln())
            .collect();
        // By hand: obs 1 and 2 see S = p + t/2 (users of pro, tokens of team) over the
        // fleet, and disagree (S = 0.88 and 0.84, weight 2: ln S = (ln 0.88 + 2 ln 0.84)/3);
        // obs 3 sees 5/9 p + t/2 = 0.48 exactly.
        let s = ((0.88f64.ln() + 2.0 * 0.84f64.ln()) / 3.0).exp();
        let p = (s - 0.48) / (1.0 - 5.0 / 9.0);
        let t = 2.0 * (s - p);
        assert_relative_eq!(x[0].exp(), p, max_relative = 1e-6);
        assert_relative_eq!(x[1].exp(), t, max_relative = 1e-6);
        // Brute force: a 101 x 101 grid over the bounds (x1/100..x100 each), then two
        // finer ones around its best.
        let objective = |a: f64, b: f64| answer(&scenario, &[a, b]).objective;
        let mut best = (f64::INFINITY, 0.0, 0.0);
        let mut centre = (0.0, 0.0);
        let mut half = BOUND.ln();
        for _ in 0..3 {
            for i in 0..=100 {
                for j in 0..=100 {
                    let a = centre.0 - half + 2.0 * half * f64::from(i) / 100.0;
                    let b = centre.1 - half + 2.0 * half * f64::from(j) / 100.0;
                    let f = objective(a, b);
                    if f < best.0 {
                        best = (f, a, b);
                    }
                }
            }
            centre = (best.1, best.2);
            half /= 10.0;
        }
        assert!(
            found.objective <= best.0 + 1e-12,
            "{} > grid {}",
            found.objective,
            best.0
        );
        // The grid's best is the same point, to its resolution along the valley's floor
        // (team's tokens barely move S where they are small).
        assert!((x[0] - best.1).abs() < 1e-3, "{x:?} vs {best:?}");
        assert!((x[1] - best.2).abs() < 1e-2, "{x:?} vs {best:?}");
        assert!(found.objective > 1e-6, "the figures are not all met");
    }

    #[test]
    fn a_multiplier_at_its_bound_says_so() {
        // 1,000 times the demand: users would have to go below x1/100.
        let scenario = tiny_with(
            "[[observed]]\npolicy = \"unlimited\"\nphase = \"before\"\npeak_utilization = 0.001\n\n[calibration]\nadjust = [\"users:pro\"]\n",
            &[],
        );
        let answer = calibrate(&scenario).unwrap();
        assert!(answer.at_bound());
        assert_relative_eq!(answer.multipliers[0].multiplier, 0.01, max_relative = 1e-9);
    }
}
