//! `sensitivity`: which unknown decides the verdict, and by how much (MODEL.md "v3 Which
//! unknown decides"). For each policy and phase, each lever of the scenario is moved alone:
//! its elasticity (of peak utilization, and of the training kept), the multiplier at which
//! the verdict flips, and the peak at ×0.8 and ×1.25.
//!
//! Every figure is the model run on a copy of the scenario with one lever moved, so it
//! is exactly what `compare` would say of the edited file. Evaluations are shared within a
//! lever: the scan's first points are the low and high cases, and the base run is shared
//! by every lever of a result.

use std::collections::HashMap;

use rayon::prelude::*;
use serde::Serialize;

use super::SCHEMA_VERSION;
use crate::model::lever::{Lever, TierInput};
use crate::model::{Evaluator, FleetCapacity, Phase};
use crate::scenario::Scenario;

/// The relative step of the central difference: x·(1 ± 1e-4).
pub const STEP: f64 = 1e-4;
/// The multipliers of the low and high cases: peak utilization at ×0.8 and ×1.25.
pub const LOW: f64 = 0.8;
/// See [`LOW`].
pub const HIGH: f64 = 1.25;
/// The scan's ratio between points, outward from 1 on both sides: ×2, ×4, … up to ×100
/// and ×1/2, … down to ×1/100 (7 points a side). A verdict that flips and flips back
/// within one step of the scan is not seen; the model's levers are monotone but for the
/// peak step moving, so none was found on the shipped scenarios.
pub const SCAN_RATIO: f64 = 2.0;
/// The widest multiplier searched, either way: [1/100, 100].
pub const WIDEST: f64 = 100.0;
/// The bisection stops when its bracket is this narrow (relative, on the multiplier).
pub const FLIP_TOLERANCE: f64 = 1e-6;
/// An elasticity smaller than this is rounding in the model (an elastic fleet held at its
/// target by a solved share), and is reported as 0.
pub const NEGLIGIBLE: f64 = 1e-9;

/// The answer of `sensitivity`: the JSON document `"kind": "sensitivity"`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SensitivityAnswer {
    /// Version of this JSON layout.
    pub schema_version: u32,
    /// Which document this is: `"sensitivity"`.
    pub kind: &'static str,
    /// The scenario's name.
    pub scenario: String,
    /// The scenario's utilization target (the tornado chart's line).
    pub utilization_target: f64,
    /// One result per policy and phase, in compare's order.
    pub results: Vec<SensitivityResult>,
}

/// One policy on one phase, and every lever's effect on it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SensitivityResult {
    /// The policy.
    pub policy: String,
    /// The phase.
    pub phase: Phase,
    /// Peak utilization as the scenario stands.
    pub peak_utilization: f64,
    /// Whether the policy fits the phase as the scenario stands.
    pub fits: bool,
    /// The levers, nearest flip first.
    pub levers: Vec<LeverAnswer>,
}

/// What one lever does to one result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeverAnswer {
    /// The lever's key path: `tier.pro.users`.
    pub lever: String,
    /// The lever in a few words (`pro users`), for tables and verdicts.
    #[serde(skip)]
    pub label: String,
    /// d ln(peak utilization) / d ln(x); null for the target and the floor, which do not
    /// move the peak, and where the peak is 0.
    pub elasticity: Option<f64>,
    /// d ln(training GPU-hours) / d ln(x), when the scenario sets a training floor.
    pub elasticity_training: Option<f64>,
    /// The multiplier on the lever at which the verdict flips, nearest to 1; null when
    /// none does within [1/100, 100].
    pub flip: Option<f64>,
    /// Peak utilization at ×0.8.
    pub low: f64,
    /// Peak utilization at ×1.25.
    pub high: f64,
}

impl SensitivityAnswer {
    /// The result whose verdict is nearest to flipping (the smallest |ln flip| over its
    /// levers; the first in compare's order on a tie), with its levers that flip.
    pub fn tightest(&self) -> Option<&SensitivityResult> {
        let nearest = |r: &SensitivityResult| {
            r.levers
                .iter()
                .filter_map(|l| l.flip)
                .map(|m| m.ln().abs())
                .fold(f64::INFINITY, f64::min)
        };
        self.results
            .iter()
            .filter(|r| nearest(r).is_finite())
            .min_by(|a, b| nearest(a).total_cmp(&nearest(b)))
    }
}

/// What the model says of one policy on one phase.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Outcome {
    peak: f64,
    training: f64,
    fits: bool,
    /// How far from the verdict's boundary: max(peak / target - 1, 1 - training / floor),
    /// <= 0 where it fits (the training term alone where the peak sits at the target);
    /// infinite with a class unservable. It only chooses where to look next: the flip is
    /// bracketed on `fits` itself.
    slack: f64,
}

/// Sensitivity of the selected policies (indices, in file order) on the given phases.
pub fn sensitivity(scenario: &Scenario, policies: &[usize], phases: &[Phase]) -> SensitivityAnswer {
    let results: Vec<(usize, Phase)> = policies
        .iter()
        .flat_map(|&p| phases.iter().map(move |phase| (p, phase.clone())))
        .collect();
    // Each result's base run once, shared by its levers.
    let bases: Vec<Outcome> = results
        .par_iter()
        .map(|(policy, phase)| evaluate(scenario, None, *policy, phase))
        .collect();
    // Every (result, lever) pair is one job, its evaluations shared through its probe;
    // jobs keep their order.
    let jobs: Vec<(usize, Lever)> = results
        .iter()
        .enumerate()
        .flat_map(|(r, (_, phase))| levers(scenario, phase).into_iter().map(move |l| (r, l)))
        .collect();
    let answers: Vec<LeverAnswer> = jobs
        .par_iter()
        .map(|&(r, lever)| {
            let (policy, phase) = &results[r];
            let mut probe = Probe::new(scenario, lever, *policy, phase);
            probe.seen.insert(1.0f64.to_bits(), bases[r]);
            probe.answer(lever, bases[r])
        })
        .collect();
    let mut out: Vec<SensitivityResult> = results
        .iter()
        .zip(&bases)
        .map(|((policy, phase), base)| SensitivityResult {
            policy: scenario.policies[*policy].name.clone(),
            phase: phase.clone(),
            peak_utilization: finite(base.peak),
            fits: base.fits,
            levers: Vec::new(),
        })
        .collect();
    for (&(r, _), answer) in jobs.iter().zip(answers) {
        out[r].levers.push(answer);
    }
    for result in &mut out {
        result.levers.sort_by(|a, b| {
            rank(a)
                .total_cmp(&rank(b))
                .then(strength(b).total_cmp(&strength(a)))
        });
    }
    SensitivityAnswer {
        schema_version: SCHEMA_VERSION,
        kind: "sensitivity",
        scenario: scenario.name.clone(),
        utilization_target: scenario.utilization_target,
        results: out,
    }
}

/// |ln flip| to 5 decimals (a flip is found to 1e-6, so closer ones tie), infinite
/// without a flip: the first ranking key.
fn rank(lever: &LeverAnswer) -> f64 {
    lever
        .flip
        .map_or(f64::INFINITY, |m| (m.ln().abs() * 1e5).round())
}

/// The larger of |elasticity| and |elasticity_training| (null counts as 0), to 6
/// decimals: the second ranking key. Levers that tie on both keep the levers' order.
fn strength(lever: &LeverAnswer) -> f64 {
    let e = lever
        .elasticity
        .unwrap_or(0.0)
        .abs()
        .max(lever.elasticity_training.unwrap_or(0.0).abs());
    (e * 1e6).round()
}

/// The most evaluations one lever of one result can take: the base, four difference
/// points, low and high, 14 scan points and two brackets of at most 20 rounds of three.
pub const MAX_EVALUATIONS_PER_LEVER: usize = 1 + 4 + 2 + 14 + 2 * 20 * 3;

/// The most weeks sensitivity of these policies on these phases can evaluate: what the
/// work budget counts.
pub fn max_evaluations(scenario: &Scenario, policies: usize, phases: &[Phase]) -> usize {
    let levers: usize = phases
        .iter()
        .map(|phase| levers(scenario, phase).len())
        .sum();
    policies * levers * MAX_EVALUATIONS_PER_LEVER
}

/// The levers of a phase (MODEL.md, "Settled"): its sites, the SKUs with GPUs in it, five
/// per tier (those that move: not 0, and the cache miss rate only where input is sent),
/// the target, and the training floor when the scenario sets one.
pub fn levers(scenario: &Scenario, phase: &Phase) -> Vec<Lever> {
    let fleet = FleetCapacity::of_phase(scenario, phase);
    let mut levers: Vec<Lever> = fleet
        .sites
        .iter()
        .filter(|site| Lever::SiteGpus(site.site).applies(scenario))
        .map(|site| Lever::SiteGpus(site.site))
        .collect();
    for k in 0..scenario.skus.len() {
        let in_phase = fleet.sites.iter().any(|site| {
            scenario.sites[site.site]
                .gpus
                .iter()
                .any(|&(sku, n)| sku == k && n > 0.0)
        });
        if in_phase && Lever::SkuRates(k).applies(scenario) {
            levers.push(Lever::SkuRates(k));
        }
    }
    for t in 0..scenario.tiers.len() {
        levers.extend(
            TierInput::ALL
                .into_iter()
                .map(|input| Lever::Tier(input, t))
                .filter(|lever| lever.applies(scenario)),
        );
    }
    levers.push(Lever::UtilizationTarget);
    if Lever::TrainingFloor.applies(scenario) {
        levers.push(Lever::TrainingFloor);
    }
    levers
}

/// A number JSON can hold: an unservable result's infinite peak is reported as the
/// largest finite number.
fn finite(value: f64) -> f64 {
    if value.is_nan() {
        0.0
    } else {
        value.clamp(f64::MIN, f64::MAX)
    }
}

/// One lever on one result, each multiplier evaluated once.
struct Probe<'a> {
    scenario: &'a Scenario,
    lever: Lever,
    policy: usize,
    phase: &'a Phase,
    seen: HashMap<u64, Outcome>,
}

impl<'a> Probe<'a> {
    fn new(scenario: &'a Scenario, lever: Lever, policy: usize, phase: &'a Phase) -> Probe<'a> {
        Probe {
            scenario,
            lever,
            policy,
            phase,
            seen: HashMap::new(),
        }
    }

    /// The model with the lever at ×m.
    fn at(&mut self, m: f64) -> Outcome {
        if let Some(outcome) = self.seen.get(&m.to_bits()) {
            return *outcome;
        }
        let outcome = evaluate(
            self.scenario,
            Some((self.lever, m)),
            self.policy,
            self.phase,
        );
        self.seen.insert(m.to_bits(), outcome);
        outcome
    }

    /// Everything sensitivity says of the lever.
    fn answer(&mut self, lever: Lever, base: Outcome) -> LeverAnswer {
        let moves_peak = !matches!(lever, Lever::UtilizationTarget | Lever::TrainingFloor);
        let floor = self.scenario.training_floor_gpu_hours.is_some();
        let elasticity = moves_peak
            .then(|| self.elasticity(lever, |o| o.peak))
            .flatten();
        let elasticity_training = (moves_peak && floor)
            .then(|| self.elasticity(lever, |o| o.training))
            .flatten();
        let (low, high) = (self.at(LOW).peak, self.at(HIGH).peak);
        LeverAnswer {
            lever: lever.key(self.scenario),
            label: lever.label(self.scenario),
            elasticity,
            elasticity_training,
            flip: self.flip(base.fits),
            low: finite(low),
            high: finite(high),
        }
    }

    /// d ln f / d ln x by central difference at x·(1 ± STEP); one-sided where a side
    /// leaves the key's range; None where f is 0 or not finite.
    fn elasticity(&mut self, lever: Lever, f: impl Fn(&Outcome) -> f64) -> Option<f64> {
        let (down, up) = (1.0 - STEP, 1.0 + STEP);
        let (a, b) = match (
            lever.in_range(self.scenario, down),
            lever.in_range(self.scenario, up),
        ) {
            (true, true) => (down, up),
            (true, false) => (down, 1.0),
            (false, true) => (1.0, up),
            (false, false) => return None,
        };
        let (fa, fb) = (f(&self.at(a)), f(&self.at(b)));
        if !(fa > 0.0 && fb > 0.0 && fa.is_finite() && fb.is_finite()) {
            return None;
        }
        let e = (fb.ln() - fa.ln()) / (b.ln() - a.ln());
        Some(if e.abs() < NEGLIGIBLE { 0.0 } else { e })
    }

    /// The multiplier nearest to 1 (in |ln m|) at which `fits` changes: a scan outward on
    /// both sides at ×[`SCAN_RATIO`] a point, stopping once a side has found a change, then
    /// bisection of each bracket found to FLIP_TOLERANCE. On a tie, the side above 1.
    fn flip(&mut self, fits: bool) -> Option<f64> {
        let points = (WIDEST.ln() / SCAN_RATIO.ln()).ceil() as i32;
        let mut brackets: Vec<(f64, f64)> = Vec::new();
        for k in 1..=points {
            let outer = SCAN_RATIO.powi(k).min(WIDEST);
            let inner = SCAN_RATIO.powi(k - 1);
            for (near, far) in [(inner, outer), (1.0 / inner, 1.0 / outer)] {
                if self.at(far).fits != fits {
                    brackets.push((near, far));
                }
            }
            if !brackets.is_empty() {
                break;
            }
        }
        brackets
            .into_iter()
            .map(|(near, far)| self.bisect(near, far, fits))
            .min_by(|a, b| a.ln().abs().total_cmp(&b.ln().abs()))
    }

    /// The boundary between `near` (where the verdict is `fits`) and `far` (where it is
    /// not), to FLIP_TOLERANCE in ln m. The bracket is kept on the verdict itself. Each
    /// round guesses the boundary from the slack (a secant through the last two points
    /// where it does not fit, where the slack is smooth; else through the last two where it
    /// does; else false position) and probes a narrow bracket around the guess (a
    /// thousandth of the bracket, at least 0.4 × the tolerance), which a good guess turns
    /// into the answer in two rounds. A round that does not halve the bracket ends with a
    /// bisection step, so the search always ends.
    fn bisect(&mut self, near: f64, far: f64, fits: bool) -> f64 {
        let (mut a, mut b) = (near.ln(), far.ln());
        let (mut sa, mut sb) = (self.at(near).slack, self.at(far).slack);
        // The points seen on each side of the boundary, latest last.
        let mut over: Vec<(f64, f64)> = Vec::new();
        let mut within: Vec<(f64, f64)> = Vec::new();
        let seen =
            |x: f64, slack: f64, over: &mut Vec<(f64, f64)>, within: &mut Vec<(f64, f64)>| {
                if slack > 0.0 {
                    over.push((x, slack));
                } else {
                    within.push((x, slack));
                }
            };
        seen(a, sa, &mut over, &mut within);
        seen(b, sb, &mut over, &mut within);
        while (b - a).abs() > FLIP_TOLERANCE {
            let width = b - a;
            let secant = |points: &[(f64, f64)]| match points {
                [.., (x0, s0), (x1, s1)] if s1 != s0 => Some(x1 - s1 * (x1 - x0) / (s1 - s0)),
                _ => None,
            };
            let ends = [(a, sa), (b, sb)];
            let guess = [secant(&over), secant(&within), secant(&ends)]
                .into_iter()
                .flatten()
                .find(|&x| between(x, a, b));
            let d = (width.abs() * 1e-3).max(0.4 * FLIP_TOLERANCE) * width.signum();
            let probes = guess.map_or_else(Vec::new, |g| vec![g - d, g + d]);
            for x in probes {
                if !between(x, a, b) {
                    continue;
                }
                let outcome = self.at(x.exp());
                seen(x, outcome.slack, &mut over, &mut within);
                if outcome.fits == fits {
                    (a, sa) = (x, outcome.slack);
                } else {
                    (b, sb) = (x, outcome.slack);
                    break;
                }
            }
            if (b - a).abs() > width.abs() / 2.0 {
                let x = a + (b - a) / 2.0;
                let outcome = self.at(x.exp());
                seen(x, outcome.slack, &mut over, &mut within);
                if outcome.fits == fits {
                    (a, sa) = (x, outcome.slack);
                } else {
                    (b, sb) = (x, outcome.slack);
                }
            }
        }
        ((a + b) / 2.0).exp()
    }
}

/// Whether `x` lies strictly between `a` and `b` (in either order).
fn between(x: f64, a: f64, b: f64) -> bool {
    let t = (x - a) / (b - a);
    x.is_finite() && t > 0.0 && t < 1.0
}

/// One policy on one phase of the scenario with `lever` at ×m.
fn evaluate(
    scenario: &Scenario,
    lever: Option<(Lever, f64)>,
    policy: usize,
    phase: &Phase,
) -> Outcome {
    let moved;
    let scenario = match lever {
        Some((lever, m)) if m != 1.0 => {
            let mut copy = scenario.clone();
            lever.apply(&mut copy, m);
            moved = copy;
            &moved
        }
        _ => scenario,
    };
    let evaluator = Evaluator::new(scenario);
    let fleet = FleetCapacity::of_phase(scenario, phase);
    let headroom = evaluator.evaluate(
        &fleet,
        &scenario.policies[policy],
        &phase.users_scale(scenario),
    );
    let over = headroom.peak_utilization / scenario.utilization_target - 1.0;
    let short = scenario
        .training_floor_gpu_hours
        .filter(|&floor| floor > 0.0)
        .map_or(f64::NEG_INFINITY, |floor| {
            1.0 - headroom.training_gpu_hours / floor
        });
    Outcome {
        peak: headroom.peak_utilization,
        training: headroom.training_gpu_hours,
        fits: headroom.fits(),
        // An elastic fleet held at its target has over = 0 on both sides of a floor's
        // flip: there only the training term says how far the flip is.
        slack: match (
            headroom.unservable_classes.is_empty(),
            over.abs() < NEGLIGIBLE,
        ) {
            (false, _) => f64::INFINITY,
            (true, true) if short.is_finite() => short,
            (true, _) => over.max(short),
        },
    }
}

#[cfg(test)]
mod tests {
    //! Hand-computed cases on scenarios/tiny.toml: one H100 site of 800,000 tok/s before
    //! the additions, one tier of 100,000 users wanting 1,000,000 tok/s on weekdays.
    use super::*;
    use approx::assert_relative_eq;

    const TINY: &str = include_str!("../../scenarios/tiny.toml");

    fn tiny_with(edits: &[(&str, &str)]) -> Scenario {
        let mut text = TINY.to_string();
        for (from, to) in edits {
            assert!(text.contains(from), "{from}");
            text = text.replacen(from, to, 1);
        }
        Scenario::parse(&text, "tiny.toml").unwrap()
    }

    fn lever<'a>(answer: &'a SensitivityAnswer, policy: &str, key: &str) -> &'a LeverAnswer {
        answer
            .results
            .iter()
            .find(|r| r.policy == policy)
            .unwrap()
            .levers
            .iter()
            .find(|l| l.lever == key)
            .unwrap_or_else(|| panic!("no lever {key}"))
    }

    /// A second tier "team" of 50,000 users, the same in every other way: a third of the load.
    const TEAM: &str = "[[tier]]\nname = \"team\"\nusers = 50000\ncurve = \"flat\"\ntokens_per_active_hour = 360000\nspread = 0\nmix = { sonnet = 1.0 }\n\n[[policy]]";

    #[test]
    fn uncapped_users_move_the_peak_by_their_share_of_the_load() {
        let one = tiny_with(&[]);
        let answer = sensitivity(&one, &[0], &[Phase::Before]);
        assert_relative_eq!(
            answer.results[0].peak_utilization,
            1.25,
            max_relative = 1e-12
        );
        for key in ["tier.pro.users", "tier.pro.tokens_per_active_hour"] {
            let e = lever(&answer, "unlimited", key).elasticity.unwrap();
            assert_relative_eq!(e, 1.0, max_relative = 1e-9);
        }
        // Rates: U = D / T, elasticity -1. The site's GPUs draw exactly its power: more
        // of them add nothing, fewer take capacity away; the central difference says -1/2.
        let e = lever(&answer, "unlimited", "gpu.h100.rates")
            .elasticity
            .unwrap();
        assert_relative_eq!(e, -1.0, max_relative = 1e-9);
        let e = lever(&answer, "unlimited", "site.home.gpus")
            .elasticity
            .unwrap();
        assert_relative_eq!(e, -0.5, max_relative = 1e-3);
        let two = tiny_with(&[("[[policy]]", TEAM)]);
        let answer = sensitivity(&two, &[0], &[Phase::Before]);
        let pro = lever(&answer, "unlimited", "tier.pro.users")
            .elasticity
            .unwrap();
        let team = lever(&answer, "unlimited", "tier.team.users")
            .elasticity
            .unwrap();
        // The central difference's own error is of order STEP^2.
        assert_relative_eq!(pro, 2.0 / 3.0, max_relative = 1e-7);
        assert_relative_eq!(team, 1.0 / 3.0, max_relative = 1e-7);
        // Low and high: the peak at ×0.8 and ×1.25 of pro's users.
        let users = lever(&answer, "unlimited", "tier.pro.users");
        let load = |pro: f64| (pro * 1e6 + 0.5e6) / 800_000.0;
        assert_relative_eq!(users.low, load(0.8), max_relative = 1e-12);
        assert_relative_eq!(users.high, load(1.25), max_relative = 1e-12);
        assert_eq!(users.elasticity_training, None);
    }

    #[test]
    fn tokens_wanted_past_the_cap_move_nothing() {
        // "current": 200,000 tok/h off peak, 100,000 at peak, against 360,000 wanted, spread
        // 0: every active user is capped, so the load is users x cap.
        let answer = sensitivity(&tiny_with(&[]), &[1], &[Phase::Before]);
        let tokens = lever(&answer, "current", "tier.pro.tokens_per_active_hour");
        assert_eq!(tokens.elasticity, Some(0.0));
        let users = lever(&answer, "current", "tier.pro.users");
        assert_relative_eq!(users.elasticity.unwrap(), 1.0, max_relative = 1e-9);
    }

    #[test]
    fn the_flip_is_where_the_peak_meets_the_target() {
        // 72,000 users: U0 = 0.72 x 1.25 = 0.9 against a target of 0.8, elasticity 1.
        let scenario = tiny_with(&[
            ("users = 100000", "users = 72000"),
            ("utilization_target = 0.85", "utilization_target = 0.8"),
        ]);
        let answer = sensitivity(&scenario, &[0], &[Phase::Before]);
        let result = &answer.results[0];
        assert_relative_eq!(result.peak_utilization, 0.9, max_relative = 1e-12);
        assert!(!result.fits);
        let users = lever(&answer, "unlimited", "tier.pro.users");
        assert_relative_eq!(users.flip.unwrap(), 0.8 / 0.9, max_relative = 1e-6);
        // The target flips at 0.9 / 0.8, rates too (U = D / T); GPUs never do: the site
        // has no power for more.
        let target = lever(&answer, "unlimited", "utilization_target");
        assert_relative_eq!(target.flip.unwrap(), 0.9 / 0.8, max_relative = 1e-6);
        assert_eq!(target.elasticity, None);
        let rates = lever(&answer, "unlimited", "gpu.h100.rates");
        assert_relative_eq!(rates.flip.unwrap(), 0.9 / 0.8, max_relative = 1e-6);
        assert_eq!(lever(&answer, "unlimited", "site.home.gpus").flip, None);
        // |ln 8/9| = |ln 9/8|: the four flips tie, so the stronger elasticity goes first
        // (the target's is null: last), then the levers' order; no flip last.
        let order: Vec<&str> = result.levers.iter().map(|l| l.lever.as_str()).collect();
        assert_eq!(
            order,
            [
                "gpu.h100.rates",
                "tier.pro.users",
                "tier.pro.tokens_per_active_hour",
                "utilization_target",
                "site.home.gpus"
            ]
        );
    }

    #[test]
    fn an_elastic_fleet_held_at_the_target_moves_its_training() {
        // 50,000 users: 500,000 tok/s on weekdays, 250,000 at weekends, on 1,000 H100 of
        // 800 tok/s whose serving share is elastic in [0.5, 1]. Weekdays serve 500,000 /
        // (0.85 x 800,000) = 25/34 of the GPUs, at the target; weekends the minimum, 0.5.
        // Training: 120 h x 1,000 x 9/34 + 48 h x 1,000 x 0.5 = 55,764.7 GPU-hours, of
        // which the weekday part moves with users: d T / d ln users = -120,000 x 25/34.
        let scenario = tiny_with(&[
            ("users = 100000", "users = 50000"),
            (
                "gpus = { h100 = 1000 }",
                "gpus = { h100 = 1000 }\nserving_share = { min = 0.5, max = 1.0 }",
            ),
            ("peak_hours", "training_floor_gpu_hours = 50000\npeak_hours"),
        ]);
        let answer = sensitivity(&scenario, &[0], &[Phase::Before]);
        let result = &answer.results[0];
        assert_relative_eq!(result.peak_utilization, 0.85, max_relative = 1e-12);
        assert!(result.fits);
        let users = lever(&answer, "unlimited", "tier.pro.users");
        assert_eq!(users.elasticity, Some(0.0));
        let training = 120_000.0 * 9.0 / 34.0 + 24_000.0;
        let expected = -120_000.0 * 25.0 / 34.0 / training;
        assert_relative_eq!(
            users.elasticity_training.unwrap(),
            expected,
            max_relative = 1e-6
        );
        assert_relative_eq!(expected, -3.0 / 1.896, max_relative = 1e-12);
        // The floor flips at 55,764.7 / 50,000.
        let floor = lever(&answer, "unlimited", "training_floor_gpu_hours");
        assert_relative_eq!(
            floor.flip.unwrap(),
            training / 50_000.0,
            max_relative = 1e-6
        );
    }
}
