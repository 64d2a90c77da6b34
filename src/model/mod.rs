//! The headroom model of docs/model.md: pure functions from a [`Scenario`] to capacity and
//! utilization. No I/O here; reports and commands are built on top.

pub mod demand;
mod evaluator;
pub mod fleet;
pub mod headroom;
mod lambda;
pub mod lever;
pub mod lognormal;
pub mod placement;
pub mod sampling;
pub mod time;

pub use evaluator::Evaluator;
pub use fleet::{ByKind, FleetCapacity, KINDS, Phase};
pub use headroom::{Fit, Headroom, LoadBreakdown, breakdown, evaluate};
pub use placement::{Placement, placement};
pub use sampling::{Draw, SampleFleet, SamplePolicy, SampleSummary};

use rayon::prelude::*;

use crate::scenario::Scenario;

/// One policy evaluated on one phase, with its N-1 and demand-uncertainty variants. Only
/// what is printed is kept: the week of the main result as hourly peaks, no week at all
/// for the variants, so memory grows with policies, not with policies x steps.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyResult {
    /// Index into [`Scenario::policies`].
    pub policy: usize,
    /// The phase whose fleet it ran on.
    pub phase: Phase,
    /// What the model found on the whole fleet; its `utilization` holds the peak of each
    /// hour of the week (168 values), enough for sparklines and plots.
    pub headroom: Headroom,
    /// The headline peak under re-placed and pinned placement (model v3): for the
    /// result itself only, never for its variants.
    pub placement: Placement,
    /// Every single-site loss, if the phase has any site.
    pub n_minus_1: Option<NMinusOne>,
    /// The optimistic and pessimistic demand cases, if the scenario has `[uncertainty]`.
    pub uncertainty: Option<(Headroom, Headroom)>,
    /// Percentiles of peak utilization and the chance to fit over the samples, if the
    /// scenario has `[uncertainty] samples`.
    pub sampled: Option<SampleSummary>,
}

/// N-1: the phase without each of its sites in turn.
#[derive(Debug, Clone, PartialEq)]
pub struct NMinusOne {
    /// Index into [`Scenario::sites`] of the worst loss: one that leaves a demanded class
    /// with no capacity, else the highest peak utilization; the first in the file on a tie.
    pub site: usize,
    /// What the model found on the fleet without the worst site (no week kept).
    pub headroom: Headroom,
    /// Every single-site loss, sites in file order.
    pub losses: Vec<Loss>,
}

/// The fleet without one site.
#[derive(Debug, Clone, PartialEq)]
pub struct Loss {
    /// Index into [`Scenario::sites`] of the site lost.
    pub site: usize,
    /// Peak utilization of the rest.
    pub peak_utilization: f64,
    /// Share of served tokens past 100 % utilization.
    pub shed_share: f64,
    /// Classes nothing left can serve.
    pub unservable_classes: Vec<usize>,
}

impl Loss {
    /// The rest carries the load: utilization never above 100 % and every class servable.
    pub fn survives(&self) -> bool {
        self.peak_utilization <= 1.0 && self.unservable_classes.is_empty()
    }
}

impl NMinusOne {
    /// The fleet survives losing any one site.
    pub fn survives(&self) -> bool {
        self.losses.iter().all(Loss::survives)
    }

    /// The worst loss. It fails whenever any loss does: a loss with a class unserved ranks
    /// first, and otherwise it has the highest peak.
    pub fn worst(&self) -> &Loss {
        self.losses
            .iter()
            .find(|loss| loss.site == self.site)
            .expect("the worst loss is one of the losses")
    }
}

/// The selected policies on the selected phases: what `compare` and `check` report.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Capacity of each phase, `before` then `after`.
    pub phases: Vec<(Phase, FleetCapacity)>,
    /// One result per policy and phase: policies in file order, `before` then `after`.
    pub results: Vec<PolicyResult>,
}

impl Comparison {
    /// Evaluates the policies (indices, in file order) on the given phases at the
    /// scenario's demand, spreading the (policy, phase) pairs over the machine's cores;
    /// results keep their order.
    pub fn run(scenario: &Scenario, policies: &[usize], phases: &[Phase]) -> Comparison {
        Comparison::run_with_progress(scenario, policies, phases, &|| {})
    }

    /// [`Comparison::run`], calling `tick` once per (policy, phase) pair done, from any
    /// thread: for a progress bar.
    pub fn run_with_progress(
        scenario: &Scenario,
        policies: &[usize],
        phases: &[Phase],
        tick: &(dyn Fn() + Sync),
    ) -> Comparison {
        Comparison::run_on(&Evaluator::new(scenario), policies, phases, 1.0, tick)
    }

    /// [`Comparison::run`] on a given evaluator, with each N-1 variant evaluated at every
    /// tier's users times `n_minus_1_users` (1 = the scenario's demand; `check --n-minus-1
    /// --at high` asks for the high case). Each (policy, phase, variant) is evaluated once.
    pub fn run_on(
        evaluator: &Evaluator<'_>,
        policies: &[usize],
        phases: &[Phase],
        n_minus_1_users: f64,
        tick: &(dyn Fn() + Sync),
    ) -> Comparison {
        let scenario = evaluator.scenario();
        let capacities: Vec<(Phase, FleetCapacity)> = phases
            .iter()
            .map(|phase| (phase.clone(), FleetCapacity::of_phase(scenario, phase)))
            .collect();
        let jobs: Vec<(usize, usize)> = policies
            .iter()
            .flat_map(|&p| (0..capacities.len()).map(move |f| (p, f)))
            .collect();
        // Sampled uncertainty: the draws once, each phase's fleet prepared once.
        let draws = scenario.sampling.as_ref().map(sampling::draws);
        let sample_fleets: Vec<Option<PhaseSamples>> = capacities
            .par_iter()
            .map(|(phase, fleet)| {
                draws
                    .as_ref()
                    .map(|_| PhaseSamples::new(evaluator, phase, fleet))
            })
            .collect();
        let results = jobs
            .par_iter()
            .map(|&(policy, f)| {
                let (phase, fleet) = &capacities[f];
                let samples = draws.as_deref().zip(sample_fleets[f].as_ref());
                let result = evaluate_with_variants(
                    evaluator,
                    policy,
                    phase,
                    fleet,
                    n_minus_1_users,
                    samples,
                );
                tick();
                result
            })
            .collect();
        Comparison {
            phases: capacities,
            results,
        }
    }
}

/// A phase's fleet prepared for the samples: one fleet, or, for a dated phase whose
/// additions slip (`[uncertainty] slip_days`), the fleets the samples have on its date,
/// each with the samples that have it.
pub enum PhaseSamples {
    /// Every sample has the phase's fleet.
    One(Box<SampleFleet>),
    /// Samples grouped by the fleet their slips give them on the phase's date.
    Slipped(Vec<(SampleFleet, Vec<usize>)>),
}

impl PhaseSamples {
    /// The samples' fleets on `phase` (whose deterministic fleet is `fleet`).
    pub fn new(evaluator: &Evaluator<'_>, phase: &Phase, fleet: &FleetCapacity) -> PhaseSamples {
        let scenario = evaluator.scenario();
        let (Some(sampling), Some(day)) = (&scenario.sampling, phase.on()) else {
            return PhaseSamples::One(Box::new(SampleFleet::new(evaluator, fleet)));
        };
        if sampling.slip_days.is_none() {
            return PhaseSamples::One(Box::new(SampleFleet::new(evaluator, fleet)));
        }
        let slips = sampling::slips(sampling, &scenario.sites);
        let mut groups: Vec<(Vec<f64>, Vec<usize>)> = Vec::new();
        let mut index: std::collections::HashMap<Vec<u64>, usize> =
            std::collections::HashMap::new();
        for (sample, slip) in slips.iter().enumerate() {
            let presence: Vec<f64> = scenario
                .sites
                .iter()
                .zip(slip)
                .map(|(site, &slip)| time::presence(site, day, slip))
                .collect();
            let key: Vec<u64> = presence.iter().map(|p| p.to_bits()).collect();
            let at = *index.entry(key).or_insert_with(|| {
                groups.push((presence, Vec::new()));
                groups.len() - 1
            });
            groups[at].1.push(sample);
        }
        PhaseSamples::Slipped(
            groups
                .into_par_iter()
                .map(|(presence, samples)| {
                    let fleet = FleetCapacity::with_presence(scenario, |s| presence[s]);
                    (SampleFleet::new(evaluator, &fleet), samples)
                })
                .collect(),
        )
    }

    /// Every sample's outcome for one policy, in sample order.
    #[allow(clippy::too_many_arguments)]
    fn outcomes(
        &self,
        policy: &SamplePolicy,
        shares: &sampling::DrawShares,
        draws: &[Draw],
        months: f64,
        tier_growth: &[f64],
        unservable: bool,
    ) -> Vec<sampling::SampleOutcome> {
        match self {
            PhaseSamples::One(fleet) => {
                sampling::outcomes(fleet, shares, draws, months, tier_growth, unservable, false)
            }
            PhaseSamples::Slipped(groups) => {
                let serves = policy.serves();
                let mut all = vec![None; draws.len()];
                for (fleet, samples) in groups {
                    let outcomes = sampling::outcomes_of(
                        fleet,
                        shares,
                        draws,
                        samples,
                        months,
                        tier_growth,
                        fleet.leaves_unserved(&serves),
                        false,
                    );
                    for (&sample, outcome) in samples.iter().zip(outcomes) {
                        all[sample] = Some(outcome);
                    }
                }
                all.into_iter()
                    .map(|o| o.expect("every sample is in one group"))
                    .collect()
            }
        }
    }
}

/// One policy on one fleet, with its N-1 (at `n_minus_1_users` times the demand) and
/// demand-uncertainty variants, and, given draws and the fleet prepared for them, the
/// sampled percentiles.
fn evaluate_with_variants(
    evaluator: &Evaluator<'_>,
    policy: usize,
    phase: &Phase,
    fleet: &FleetCapacity,
    n_minus_1_users: f64,
    samples: Option<(&[Draw], &PhaseSamples)>,
) -> PolicyResult {
    let scenario = evaluator.scenario();
    let spec = &scenario.policies[policy];
    // A dated phase sees demand grown to its date; v2's phases see it as written.
    let grown = phase.users_scale(scenario);
    let grown_rates: Vec<f64> = match (phase, &scenario.timeline) {
        (Phase::Dated(_), Some(timeline)) => timeline.growth.clone(),
        _ => Vec::new(),
    };
    let scaled = |factor: f64| grown.iter().map(|g| g * factor).collect::<Vec<f64>>();
    // The policy, each single-site loss and the demand cases: one batch, one pass over
    // the demand matrix.
    let (ones, n1_users) = (scaled(1.0), scaled(n_minus_1_users));
    let cases = scenario
        .uncertainty
        .map(|u| (scaled(u.low), scaled(u.high)));
    let losses: Vec<FleetCapacity> = (0..fleet.sites.len()).map(|p| fleet.without(p)).collect();
    let mut jobs: Vec<(&FleetCapacity, &[f64])> = vec![(fleet, &ones)];
    jobs.extend(losses.iter().map(|loss| (loss, &n1_users[..])));
    if let Some((low, high)) = &cases {
        jobs.push((fleet, low));
        jobs.push((fleet, high));
    }
    let mut answers = evaluator.evaluate_many(spec, &jobs).into_iter();
    let mut headroom = answers.next().expect("the policy itself");
    let placement = placement::placement(evaluator, fleet, spec, &ones, headroom.peak_utilization);
    headroom.utilization = hourly_peaks(&headroom.utilization, scenario.step_minutes);
    let loss_answers: Vec<Headroom> = answers
        .by_ref()
        .take(losses.len())
        .map(Headroom::without_week)
        .collect();
    let uncertainty = cases.map(|_| {
        let mut case = || answers.next().expect("both cases").without_week();
        (case(), case())
    });
    let sampled = samples.map(|(draws, phase_samples)| {
        let sample_policy = SamplePolicy::new(evaluator, spec);
        let shares = sample_policy.shares_of(draws);
        let unservable = !headroom.unservable_classes.is_empty();
        let outcomes = phase_samples.outcomes(
            &sample_policy,
            &shares,
            draws,
            phase.months(scenario),
            &grown_rates,
            unservable,
        );
        SampleSummary::of(&outcomes)
    });
    PolicyResult {
        sampled,
        policy,
        phase: phase.clone(),
        headroom,
        placement,
        n_minus_1: n_minus_1(fleet, loss_answers),
        uncertainty,
    }
}

/// Every single-site loss of `fleet` (evaluated, in site order), and the worst; `None`
/// for a fleet without sites.
fn n_minus_1(fleet: &FleetCapacity, answers: Vec<Headroom>) -> Option<NMinusOne> {
    let mut worst: Option<(usize, Headroom)> = None;
    let mut losses = Vec::with_capacity(fleet.sites.len());
    for (site, h) in fleet.sites.iter().zip(answers) {
        losses.push(Loss {
            site: site.site,
            peak_utilization: h.peak_utilization,
            shed_share: h.shed_share,
            unservable_classes: h.unservable_classes.clone(),
        });
        if worst.as_ref().is_none_or(|(_, w)| worse_loss(&h, w)) {
            worst = Some((site.site, h));
        }
    }
    worst.map(|(site, headroom)| NMinusOne {
        site,
        headroom,
        losses,
    })
}

/// Whether losing one site (leaving `loss`) is worse than losing another (leaving
/// `other`): a loss that leaves a demanded class with no capacity is worse than any finite
/// one; among finite ones, the higher peak. Equal ranks are not worse, so the first in the
/// file stays the worst (MODEL.md, N-1).
fn worse_loss(loss: &Headroom, other: &Headroom) -> bool {
    match (
        loss.unservable_classes.is_empty(),
        other.unservable_classes.is_empty(),
    ) {
        (false, true) => true,
        (true, true) => loss.peak_utilization > other.peak_utilization,
        _ => false,
    }
}

/// The peak of each hour: what sparklines and plots draw, whatever the step.
fn hourly_peaks(utilization: &[f64], step_minutes: u32) -> Vec<f64> {
    let per_hour = (60 / step_minutes.max(1)) as usize;
    utilization
        .chunks(per_hour.max(1))
        .map(|hour| hour.iter().copied().fold(0.0, f64::max))
        .collect()
}

#[cfg(test)]
mod tests {
    //! Hand-computed cases on scenarios/tiny.toml (its header shows the arithmetic) and small
    //! variants of it.
    use super::*;
    use approx::assert_relative_eq;

    const TINY: &str = include_str!("../../scenarios/tiny.toml");

    fn tiny() -> Scenario {
        Scenario::parse(TINY, "tiny.toml").unwrap()
    }

    fn result(
        comparison: &Comparison,
        policy: &str,
        phase: Phase,
        scenario: &Scenario,
    ) -> Headroom {
        let index = scenario.policy_index(policy).unwrap();
        comparison
            .results
            .iter()
            .find(|r| r.policy == index && r.phase == phase)
            .unwrap()
            .headroom
            .clone()
    }

    #[test]
    fn power_bound_site_runs_half_its_gpus() {
        let scenario = tiny();
        let after = FleetCapacity::of_phase(&scenario, &Phase::After);
        let home = &after.sites[0];
        assert_eq!(home.power_factor, 1.0);
        assert!(!home.power_bound);
        let new = &after.sites[1];
        // IT 0.756e6 / 1.2 = 630,000 W; 1,000 GPUs * 1,260 W = 1,260,000 W.
        assert_relative_eq!(new.power_factor, 0.5, max_relative = 1e-15);
        assert!(new.power_bound);
        assert_relative_eq!(new.serving_gpus[0].1, 500.0, max_relative = 1e-15);
        assert_relative_eq!(after.tokens_per_s[0], 1_200_000.0, max_relative = 1e-15);
        assert_relative_eq!(after.serving_mw, 2.268, max_relative = 1e-15);
        let before = FleetCapacity::of_phase(&scenario, &Phase::Before);
        assert_eq!(before.sites.len(), 1);
        assert_relative_eq!(before.tokens_per_s[0], 800_000.0, max_relative = 1e-15);
        assert_relative_eq!(before.serving_mw, 1.512, max_relative = 1e-15);
    }

    #[test]
    fn unlimited_demand_over_capacity() {
        let scenario = tiny();
        let all: Vec<usize> = (0..scenario.policies.len()).collect();
        let comparison = Comparison::run(&scenario, &all, &Phase::UNDATED);
        let h = result(&comparison, "unlimited", Phase::Before, &scenario);
        // 1,000,000 tok/s wanted on weekdays against 800,000.
        assert_relative_eq!(h.peak_utilization, 1.25, max_relative = 1e-12);
        assert_eq!(h.peak_step, 0);
        assert_eq!(h.hours_over_target, 120.0);
        assert_eq!(h.served_share, 1.0);
        assert_eq!(h.throttled_share_at_peak, 0.0);
        // Weekdays shed 1 - 1/1.25 = 20 % of 120 h * 1e6; weekends (U = 0.625) none.
        assert_relative_eq!(h.shed_share, 24.0 / 144.0, max_relative = 1e-12);
        assert_relative_eq!(
            h.mw_to_fit,
            (1.25 / 0.85 - 1.0) * 1.512,
            max_relative = 1e-12
        );
        assert!(!h.fits());
        let h = result(&comparison, "unlimited", Phase::After, &scenario);
        assert_relative_eq!(h.peak_utilization, 1.0 / 1.2, max_relative = 1e-12);
        assert!(h.fits());
        assert_eq!(h.mw_to_fit, 0.0);
    }

    #[test]
    fn peak_factor_halves_the_cap_in_peak_steps() {
        let scenario = tiny();
        let comparison = Comparison::run(&scenario, &[1], &[Phase::Before]);
        let h = &comparison.results[0].headroom;
        // Off peak: cap 200,000 tok/h, k = 5/9; peak: k = 5/18. Spread 0: phi = k.
        let off_peak = 1_000_000.0 * (5.0 / 9.0) / 800_000.0;
        let peak = 1_000_000.0 * (5.0 / 18.0) / 800_000.0;
        assert_relative_eq!(h.utilization[12], off_peak, max_relative = 1e-12);
        assert_relative_eq!(h.utilization[13], peak, max_relative = 1e-12);
        assert_relative_eq!(
            h.utilization[5 * 24 + 13],
            off_peak / 2.0,
            max_relative = 1e-12
        );
        assert_relative_eq!(h.peak_utilization, off_peak, max_relative = 1e-12);
        // Every active user wants more than the cap: all are throttled.
        assert_eq!(h.throttled_share_at_peak, 1.0);
        // Served: (90 h * 1e6 * 5/9 + 30 h * 1e6 * 5/18 + 48 h * 5e5 * 5/9) / (144 h * 1e6).
        let served = (90.0 * 5.0 / 9.0 + 30.0 * 5.0 / 18.0 + 24.0 * 5.0 / 9.0) / 144.0;
        assert_relative_eq!(h.served_share, served, max_relative = 1e-12);
        assert!(h.fits());
    }

    #[test]
    fn weekly_cap_binds_below_the_window() {
        let scenario = tiny();
        let comparison = Comparison::run(&scenario, &[2], &Phase::UNDATED);
        let before = &comparison.results[0].headroom;
        // Weekly 4,320,000 / 14.4 h = 300,000 tok/h < window 400,000: k = 5/6 off peak.
        // Peak: window 200,000 tok/h binds, k = 5/9.
        assert_relative_eq!(
            before.utilization[0],
            1_000_000.0 * (5.0 / 6.0) / 800_000.0,
            max_relative = 1e-12
        );
        assert_relative_eq!(
            before.utilization[14],
            1_000_000.0 * (5.0 / 9.0) / 800_000.0,
            max_relative = 1e-12
        );
        assert_eq!(before.hours_over_target, 90.0);
        assert!(!before.fits());
        let after = &comparison.results[1].headroom;
        assert_relative_eq!(
            after.peak_utilization,
            1_000_000.0 * (5.0 / 6.0) / 1_200_000.0,
            max_relative = 1e-12
        );
        assert!(after.fits());
    }

    #[test]
    fn spread_one_at_the_mean_cap() {
        // One flat tier, spread 1, cap equal to the mean: phi = 0.6170750774519738.
        let text = TINY
            .replace("spread = 0", "spread = 1")
            .replace("window_tokens = 1000000", "window_tokens = 1800000")
            .replace(
                "peak_factor = 0.5\n\n[[policy]]",
                "peak_factor = 1\n\n[[policy]]",
            );
        let scenario = Scenario::parse(&text, "t.toml").unwrap();
        let comparison = Comparison::run(&scenario, &[1], &[Phase::Before]);
        let h = &comparison.results[0].headroom;
        assert_relative_eq!(h.served_share, 0.6170750774519738, max_relative = 1e-12);
        assert_relative_eq!(
            h.peak_utilization,
            1.25 * 0.6170750774519738,
            max_relative = 1e-12
        );
        assert_relative_eq!(
            h.throttled_share_at_peak,
            0.3085375387259869,
            max_relative = 1e-12
        );
    }

    #[test]
    fn finer_steps_hold_the_hourly_value() {
        let hourly = tiny();
        let quarter =
            Scenario::parse(&TINY.replace("step = \"1h\"", "step = \"15m\""), "q.toml").unwrap();
        let all: Vec<usize> = (0..3).collect();
        let a = Comparison::run(&hourly, &all, &Phase::UNDATED);
        let b = Comparison::run(&quarter, &all, &Phase::UNDATED);
        for (x, y) in a.results.iter().zip(&b.results) {
            // The week is kept as hourly peaks, whatever the step.
            assert_eq!(y.headroom.utilization.len(), 168);
            for (a, b) in x.headroom.utilization.iter().zip(&y.headroom.utilization) {
                assert_relative_eq!(a, b, max_relative = 1e-12);
            }
            assert_relative_eq!(
                x.headroom.peak_utilization,
                y.headroom.peak_utilization,
                max_relative = 1e-12
            );
            assert_relative_eq!(
                x.headroom.served_share,
                y.headroom.served_share,
                max_relative = 1e-12
            );
            assert_relative_eq!(
                x.headroom.hours_over_target,
                y.headroom.hours_over_target,
                max_relative = 1e-12
            );
            assert_eq!(x.headroom.peak_step * 4, y.headroom.peak_step);
        }
    }

    #[test]
    fn a_class_without_capacity_is_unservable() {
        // The only site able to serve `opus` comes online later: before, opus is unservable.
        let text = TINY
            .replace("tokens_per_s = { sonnet = 800 }", "tokens_per_s = { sonnet = 800 }\n\n[gpu.b200]\nwatts = 1000\ntokens_per_s = { opus = 500 }")
            .replace("gpus = { h100 = 1000 }\n\n[curve", "gpus = { h100 = 1000, b200 = 10 }\n\n[curve")
            .replace("mix = { sonnet = 1.0 }", "mix = { sonnet = 0.9, opus = 0.1 }");
        let scenario = Scenario::parse(&text, "t.toml").unwrap();
        let comparison = Comparison::run(&scenario, &[0], &Phase::UNDATED);
        let before = &comparison.results[0].headroom;
        assert_eq!(before.unservable_classes, vec![1]);
        assert!(!before.fits());
        assert!(before.peak_utilization.is_finite());
        let after = &comparison.results[1].headroom;
        assert!(after.unservable_classes.is_empty());
    }

    #[test]
    fn more_capacity_never_raises_utilization() {
        let scenario = tiny();
        let all: Vec<usize> = (0..scenario.policies.len()).collect();
        let comparison = Comparison::run(&scenario, &all, &Phase::UNDATED);
        for pair in comparison.results.chunks(2) {
            let (before, after) = (&pair[0].headroom, &pair[1].headroom);
            for (b, a) in before.utilization.iter().zip(&after.utilization) {
                assert!(a <= b);
            }
            assert!(after.mw_to_fit <= before.mw_to_fit || after.fits());
        }
    }

    #[test]
    fn results_keep_hourly_weeks_and_variants_keep_none() {
        let minute =
            Scenario::parse(&TINY.replace("step = \"1h\"", "step = \"1m\""), "m.toml").unwrap();
        let comparison = Comparison::run(&minute, &[0, 1, 2], &Phase::UNDATED);
        for result in &comparison.results {
            assert_eq!(result.headroom.utilization.len(), 168);
            let n = result.n_minus_1.as_ref().unwrap();
            assert!(n.headroom.utilization.is_empty());
            let (low, high) = result.uncertainty.as_ref().unwrap();
            assert!(low.utilization.is_empty() && high.utilization.is_empty());
        }
    }

    /// tiny.toml with v2 keys: the `edits` applied in order.
    fn v2(edits: &[(&str, &str)]) -> Scenario {
        let mut text = TINY.to_string();
        for (from, to) in edits {
            assert!(text.contains(from), "tiny.toml lacks {from:?}");
            text = text.replacen(from, to, 1);
        }
        Scenario::parse(&text, "v2.toml").unwrap()
    }

    const RATES: (&str, &str) = (
        "tokens_per_s = { sonnet = 800 }",
        "tokens_per_s = { sonnet = 800 }\ninput_tokens_per_s = { sonnet = 8000 }\ncached_tokens_per_s = { sonnet = 80000 }",
    );
    const INPUT: (&str, &str) = (
        "spread = 0\n",
        "spread = 0\ninput_per_output = 10\ncache_hit = 0.5\n",
    );

    /// The peak of policy `policy` on the fleet in service, and its week.
    fn before(scenario: &Scenario, policy: usize) -> Headroom {
        let fleet = FleetCapacity::of_phase(scenario, &Phase::Before);
        let ones = vec![1.0; scenario.tiers.len()];
        let slow = evaluate(scenario, &fleet, &scenario.policies[policy], &ones);
        let fast = Evaluator::new(scenario).evaluate(&fleet, &scenario.policies[policy], &ones);
        super::evaluator::tests::assert_close(&fast, &slow);
        slow
    }

    #[test]
    fn input_and_cached_tokens_cost_gpu_time_where_rated() {
        // Weekdays: 1e6 output tok/s, and 10 input per output, half cached: 5e6 of each.
        // U = 1e6 / 8e5 + 5e6 / 8e6 + 5e6 / 8e7 = 1.25 + 0.625 + 0.0625.
        let h = before(&v2(&[RATES, INPUT]), 0);
        assert_relative_eq!(h.peak_utilization, 1.9375, max_relative = 1e-12);
        assert_relative_eq!(h.utilization[5 * 24], 1.9375 / 2.0, max_relative = 1e-12);
        // No SKU gives input rates: input is folded into the output rate.
        let h = before(&v2(&[INPUT]), 0);
        assert_relative_eq!(h.peak_utilization, 1.25, max_relative = 1e-12);
    }

    #[test]
    fn input_budgets_cap_output_through_the_input_it_brings() {
        // Off peak: min(1e6 / 5 h, 2e6 / 5 h / r_in 5) = 80,000 tok/h, k = 2/9; at peak
        // (factor 0.5) 40,000, k = 1/9. Per served output token/s: 1.9375e-6 of U.
        let window = v2(&[
            RATES,
            INPUT,
            (
                "window_tokens = 1000000\n",
                "window_tokens = 1000000\nwindow_input_tokens = 2000000\n",
            ),
        ]);
        let h = before(&window, 1);
        assert_relative_eq!(
            h.utilization[0],
            1e6 * 2.0 / 9.0 * 1.9375e-6,
            max_relative = 1e-12
        );
        assert_relative_eq!(
            h.utilization[13],
            1e6 / 9.0 * 1.9375e-6,
            max_relative = 1e-12
        );
        // Weekly: H = 120 * 0.1 + 48 * 0.05 = 14.4 h; 4.32e6 / 14.4 / 5 = 60,000 tok/h, k = 1/6,
        // below every window term.
        let weekly = v2(&[
            RATES,
            INPUT,
            (
                "window_tokens = 1000000\n",
                "window_tokens = 1000000\nweekly_input_tokens = 4320000\n",
            ),
        ]);
        let h = before(&weekly, 1);
        assert_relative_eq!(
            h.utilization[0],
            1e6 / 6.0 * 1.9375e-6,
            max_relative = 1e-12
        );
        assert_relative_eq!(
            h.utilization[13],
            1e6 / 6.0 * 1.9375e-6,
            max_relative = 1e-12
        );
        // A tier that sends no uncached input is not capped by an input budget.
        let all_cached = v2(&[
            RATES,
            (
                "spread = 0\n",
                "spread = 0\ninput_per_output = 10\ncache_hit = 1\n",
            ),
            (
                "window_tokens = 1000000\n",
                "window_tokens = 1000000\nweekly_input_tokens = 1\n",
            ),
        ]);
        let h = before(&all_cached, 1);
        // Output window binds (k = 5/9 off peak); cached input 10 per output on 8e7.
        assert_relative_eq!(
            h.utilization[0],
            1e6 * 5.0 / 9.0 * (1.0 / 8e5 + 10.0 / 8e7),
            max_relative = 1e-12
        );
    }

    #[test]
    fn a_share_curve_gives_training_the_night() {
        // Serving takes half the GPUs on weekdays, all at weekends.
        let half = format!(
            "[curve.half]\nweekday = [{}]\nweekend = [{}]\n\n[curve.flat]",
            vec!["0.5"; 24].join(", "),
            vec!["1"; 24].join(", ")
        );
        let scenario = v2(&[
            ("[curve.flat]", &half),
            (
                "pue = 1.2\ngpus = { h100 = 1000 }\n\n[[site]]",
                "pue = 1.2\nserving_share = \"half\"\ngpus = { h100 = 1000 }\n\n[[site]]",
            ),
        ]);
        let h = before(&scenario, 0);
        assert_relative_eq!(h.utilization[0], 1e6 / 4e5, max_relative = 1e-12);
        assert_relative_eq!(h.utilization[5 * 24], 5e5 / 8e5, max_relative = 1e-12);
        // 1,000 GPUs idle half of 120 weekday hours.
        assert_relative_eq!(h.training_gpu_hours, 60_000.0, max_relative = 1e-12);
        let fleet = FleetCapacity::of_phase(&scenario, &Phase::Before);
        assert_relative_eq!(fleet.serving_mw, 1.512, max_relative = 1e-15);
    }

    #[test]
    fn elastic_sites_serve_what_the_target_needs_and_train_on_the_rest() {
        // 50,000 users: weekdays 5e5 tok/s on 8e5 * (0.5 + 0.5 lambda). U(lambda) = 0.85
        // at lambda* = (0.625 / 0.85 - 0.5) / 0.5; weekends need lambda = 0 (U = 0.625).
        let elastic = [
            ("users = 100000", "users = 50000"),
            (
                "pue = 1.2\ngpus = { h100 = 1000 }\n\n[[site]]",
                "pue = 1.2\nserving_share = { min = 0.5, max = 1.0 }\ngpus = { h100 = 1000 }\n\n[[site]]",
            ),
        ];
        let scenario = v2(&elastic);
        let h = before(&scenario, 0);
        let lambda = (0.625 / 0.85 - 0.5) / 0.5;
        assert_relative_eq!(h.peak_utilization, 0.85, max_relative = 1e-12);
        assert_relative_eq!(h.utilization[5 * 24], 0.625, max_relative = 1e-12);
        assert_eq!(h.hours_over_target, 0.0);
        // Training: 1,000 GPUs * (0.5 * 168 h - 0.5 * lambda* * 120 h).
        assert_relative_eq!(
            h.training_gpu_hours,
            1000.0 * (84.0 - 60.0 * lambda),
            max_relative = 1e-12
        );
        assert!(h.fits());
        // A floor above that: the policy no longer fits, though its peak does.
        let mut floor = elastic.to_vec();
        floor.push((
            "peak_hours = [",
            "training_floor_gpu_hours = 60000\npeak_hours = [",
        ));
        let h = before(&v2(&floor), 0);
        assert_relative_eq!(h.peak_utilization, 0.85, max_relative = 1e-12);
        assert!(!h.fits());
    }

    #[test]
    fn held_at_the_target_the_peak_is_the_first_held_step() {
        // Elastic home: 4e5 tok/s at lambda 0, 8e5 at 1; the target 0.85 holds any step
        // whose load is between 3.4e5 and 6.8e5. pro (50,000 users, capped at 200,000 of
        // 360,000 tok/h off peak, spread 0: every active user throttled) serves
        // 5,000 * 100 * 5/9 = 277,778 tok/s on weekdays; free (10,000 users, no limits)
        // adds 2e5 at 00:00, 1e5 at 01:00, 5e4 later. So 00:00 and 01:00 of each weekday
        // are held at the target (10 tied steps) and the rest are below it.
        let mut text = TINY
            .replace("users = 100000", "users = 50000")
            .replace(
                "pue = 1.2\ngpus = { h100 = 1000 }\n\n[[site]]",
                "pue = 1.2\nserving_share = { min = 0.5, max = 1.0 }\ngpus = { h100 = 1000 }\n\n[[site]]",
            );
        let late = "0.05, ".repeat(21);
        text.push_str(&format!(
            "\n[curve.alt]\nweekday = [0.2, 0.1, {late}0.05]\nweekend = [{late}0.05, 0.05, 0.05]\n\n\
             [[tier]]\nname = \"free\"\nusers = 10000\ncurve = \"alt\"\n\
             tokens_per_active_hour = 360000\nspread = 0\nmix = {{ sonnet = 1.0 }}\n"
        ));
        let scenario = Scenario::parse(&text, "tied.toml").unwrap();
        let current = scenario.policy_index("current").unwrap();
        let h = before(&scenario, current);
        assert_relative_eq!(h.peak_utilization, 0.85, max_relative = 1e-12);
        let held: Vec<usize> = (0..h.utilization.len())
            .filter(|&s| (h.utilization[s] - 0.85).abs() <= 1e-12)
            .collect();
        assert_eq!(held, [0, 1, 24, 25, 48, 49, 72, 73, 96, 97]);
        // The first of them, Monday 00:00, whichever rounds closest to the target.
        assert_eq!(h.peak_step, 0);
        // Throttled at 00:00: 5,000 pro users of 5,000 + 2,000 active.
        assert_relative_eq!(h.throttled_share_at_peak, 5.0 / 7.0, max_relative = 1e-12);
    }

    #[test]
    fn a_loss_that_leaves_a_class_unserved_is_the_worst() {
        // After the additions: home (1,000 h100, sonnet), new (500 powered h100, sonnet)
        // and opus-site (10 b200, the only opus). Losing home peaks highest (1e6 * 0.9 /
        // 4e5 + 1e5 / 5e3 = 22.25), but losing opus-site leaves opus with no capacity: that
        // loss ranks first, though the rest then peaks at only 0.9e6 / 1.2e6 = 0.75.
        let text = TINY
            .replace(
                "tokens_per_s = { sonnet = 800 }",
                "tokens_per_s = { sonnet = 800 }\n\n[gpu.b200]\nwatts = 1000\ntokens_per_s = { opus = 500 }",
            )
            .replace("mix = { sonnet = 1.0 }", "mix = { sonnet = 0.9, opus = 0.1 }")
            .replace(
                "[curve.flat]",
                "[[site]]\nname = \"opus-site\"\nonline = \"2026-06-06\"\npower_mw = 1\npue = 1.2\ngpus = { b200 = 10 }\n\n[curve.flat]",
            );
        let scenario = Scenario::parse(&text, "n1.toml").unwrap();
        let comparison = Comparison::run(&scenario, &[0], &[Phase::After]);
        let n = comparison.results[0].n_minus_1.as_ref().unwrap();
        let opus_site = 2;
        assert_eq!(n.site, opus_site);
        assert_eq!(n.headroom.unservable_classes, vec![1]);
        assert_relative_eq!(n.headroom.peak_utilization, 0.75, max_relative = 1e-12);
        assert_relative_eq!(n.losses[0].peak_utilization, 22.25, max_relative = 1e-12);
        assert_eq!(n.worst().site, opus_site);
        assert!(!n.survives());
    }
}
