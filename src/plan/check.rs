//! `check`: the CI gate. One model run of the selected policies on one phase gives the
//! comparison; each policy is then judged from its typed model results, and the verdict is
//! what the table, the JSON, the step summary and the annotations all read.

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use super::compare::CompareAnswer;
use super::cost::cost_of;
use crate::fmt::{count, mw, percent, usd};
use crate::model::headroom::mw_to_fit;
use crate::model::{
    Comparison, Evaluator, Fit, FleetCapacity, Headroom, Loss, Phase, PolicyResult,
};
use crate::scenario::Scenario;
use crate::scenario::units::step_label;

/// Which demand case a check gates on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemandCase {
    /// The optimistic multiplier of `[uncertainty]`.
    Low,
    /// The scenario's demand as written.
    Mid,
    /// The pessimistic multiplier of `[uncertainty]`.
    High,
    /// The 90th percentile of peak utilization over the samples of `[uncertainty]`; the
    /// other gates (training floor, margins, N-1) at the scenario's demand.
    P90,
}

impl DemandCase {
    /// The name used in reports and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            DemandCase::Low => "low",
            DemandCase::Mid => "mid",
            DemandCase::High => "high",
            DemandCase::P90 => "p90",
        }
    }
}

/// What `check` requires of every selected policy.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckRule {
    /// The demand case that must fit.
    pub at: DemandCase,
    /// Whether the phase must also survive losing any one of its sites (utilization <= 1).
    pub n_minus_1: bool,
    /// Margins a week each policy must keep, USD: a tier's, or the total (`tier: None`).
    pub min_margins: Vec<MarginFloor>,
}

/// `check --min-margin TIER=USD`: the least margin a week a tier (or all, `None`) may make.
#[derive(Debug, Clone, PartialEq)]
pub struct MarginFloor {
    /// The tier, or `None` for the total margin.
    pub tier: Option<String>,
    /// The least margin a week, USD.
    pub usd: f64,
}

/// Everything `check` reports: the comparison on the gated phase, then the verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckAnswer {
    /// The selected policies on the gated phase (N-1 at the gated demand case when the
    /// rule asks for N-1).
    #[serde(flatten)]
    pub comparison: CompareAnswer,
    /// The verdict.
    pub check: Verdict,
}

/// The verdict of `check`: the rule and one judgement per policy. Its JSON keeps the
/// contract's flat form (`failing` names, one `reasons` line per policy).
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The phase gated on.
    pub phase: Phase,
    /// The demand case gated on.
    pub at: DemandCase,
    /// Whether each policy also had to survive losing any one site.
    pub n_minus_1: bool,
    /// One judgement per selected policy, in file order.
    pub policies: Vec<PolicyVerdict>,
}

impl Verdict {
    /// True when every selected policy passes.
    pub fn passed(&self) -> bool {
        self.policies.iter().all(PolicyVerdict::passed)
    }

    /// The judgements of the policies that do not pass.
    pub fn failing(&self) -> impl Iterator<Item = &PolicyVerdict> {
        self.policies.iter().filter(|p| !p.passed())
    }
}

impl Serialize for Verdict {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut verdict = serializer.serialize_struct("Verdict", 7)?;
        verdict.serialize_field("phase", self.phase.name())?;
        verdict.serialize_field("at", self.at.name())?;
        verdict.serialize_field("n_minus_1", &self.n_minus_1)?;
        verdict.serialize_field("passed", &self.passed())?;
        let failing: Vec<&str> = self.failing().map(|p| p.policy.as_str()).collect();
        verdict.serialize_field("failing", &failing)?;
        let reasons: Vec<String> = self.policies.iter().map(PolicyVerdict::reason).collect();
        verdict.serialize_field("reasons", &reasons)?;
        verdict.serialize_field("policies", &self.policies)?;
        verdict.end()
    }
}

/// A policy's judgement in the JSON: the same facts as its `reasons` line, as fields.
impl Serialize for PolicyVerdict {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut policy = serializer.serialize_struct("PolicyVerdict", 8)?;
        policy.serialize_field("policy", &self.policy)?;
        policy.serialize_field("phase", &self.phase)?;
        policy.serialize_field("passed", &self.passed())?;
        policy.serialize_field("outcome", self.outcome.kind())?;
        policy.serialize_field("peak_utilization", &self.peak_utilization)?;
        policy.serialize_field("utilization_target", &self.target)?;
        policy.serialize_field("message", &self.message())?;
        policy.serialize_field("gates", &self.gates)?;
        policy.end()
    }
}

/// One policy judged against the rule, with the numbers behind the judgement.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyVerdict {
    /// Policy name.
    pub policy: String,
    /// Index into [`Scenario::policies`], e.g. to find its line for an annotation.
    pub policy_index: usize,
    /// The phase judged.
    pub phase: Phase,
    /// The demand case judged, with its users multiplier (1 for `mid`).
    pub demand: (DemandCase, f64),
    /// Peak utilization at that demand.
    pub peak_utilization: f64,
    /// When the peak falls, e.g. `"Tue 14:00"` (UTC).
    pub peak_time: String,
    /// The scenario's utilization target.
    pub target: f64,
    /// Passed, or why not (the first gate it misses).
    pub outcome: Outcome,
    /// Every gate the rule sets, each with its own result: what JUnit reports as test
    /// cases.
    pub gates: Vec<Gate>,
}

/// One requirement of the rule, for one policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gate {
    /// What is required: "peak within the target", "training floor", "margin of pro >= $0",
    /// "N-1".
    pub name: String,
    /// Whether the policy meets it.
    pub passed: bool,
    /// The numbers behind it, in a sentence.
    pub detail: String,
}

/// How a policy fared against the rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Within the target; when N-1 was asked, the loss it survived.
    Fits {
        /// The site lost and the utilization left, when N-1 was asked.
        survived: Option<SiteLoss>,
    },
    /// Demand for these classes, and no GPU in the phase that serves them.
    Unservable {
        /// The classes.
        classes: Vec<String>,
    },
    /// Peak utilization above the target.
    OverTarget {
        /// Serving MW of the same mix that would bring the peak to the target.
        mw_to_fit: f64,
    },
    /// Within the target, but training keeps less than the scenario's floor.
    BelowTrainingFloor {
        /// GPU-hours a week training keeps under the policy.
        training_gpu_hours: f64,
        /// The floor, `training_floor_gpu_hours`.
        floor: f64,
    },
    /// Fits, but a margin is below its floor.
    MarginBelow {
        /// The tier, or `all` for the total.
        tier: String,
        /// Its margin a week under the policy, USD.
        margin: f64,
        /// The floor asked for.
        floor: f64,
    },
    /// Fits, but not without the site lost.
    FailsNMinus1(SiteLoss),
    /// N-1 was asked and the phase has no site to lose.
    NoSiteToLose,
}

/// What is left after losing one site.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteLoss {
    /// The site lost.
    pub site: String,
    /// Peak utilization of the rest.
    pub peak_utilization: f64,
    /// Share of served tokens past 100 % utilization.
    pub shed_share: f64,
    /// Classes nothing left can serve.
    pub unservable_classes: Vec<String>,
}

impl Outcome {
    /// The outcome's name in the JSON: `fits`, `no_capacity`, `over_target`,
    /// `training_floor`, `margin`, `n_minus_1` or `no_site_to_lose`.
    pub fn kind(&self) -> &'static str {
        match self {
            Outcome::Fits { .. } => "fits",
            Outcome::Unservable { .. } => "no_capacity",
            Outcome::OverTarget { .. } => "over_target",
            Outcome::BelowTrainingFloor { .. } => "training_floor",
            Outcome::MarginBelow { .. } => "margin",
            Outcome::FailsNMinus1(_) => "n_minus_1",
            Outcome::NoSiteToLose => "no_site_to_lose",
        }
    }
}

impl PolicyVerdict {
    /// Whether the policy passes the rule.
    pub fn passed(&self) -> bool {
        matches!(self.outcome, Outcome::Fits { .. })
    }

    /// The judgement in one sentence, starting with the policy: "may-2026 (after): peak
    /// utilization 85.3% at Tue 14:00 exceeds the target …".
    pub fn message(&self) -> String {
        let (case, multiplier) = self.demand;
        let label = match case {
            DemandCase::Mid => String::new(),
            DemandCase::P90 => ", sampled p90".to_string(),
            _ => format!(", {} demand x{multiplier}", case.name()),
        };
        let who = format!("{} ({}{label})", self.policy, self.phase.name());
        let peak = percent(self.peak_utilization);
        let target = percent(self.target);
        match &self.outcome {
            Outcome::Unservable { classes } => format!(
                "{who}: no GPU in this phase can serve {}",
                classes.join(", ")
            ),
            Outcome::OverTarget { mw_to_fit } => format!(
                "{who}: peak utilization {peak} at {} exceeds the target {target} by {:.1} points; it needs {} MW more serving capacity of the same mix",
                self.peak_time,
                (self.peak_utilization - self.target) * 100.0,
                mw(*mw_to_fit)
            ),
            Outcome::FailsNMinus1(loss) => {
                let why = if loss.unservable_classes.is_empty() {
                    format!("utilization reaches {}", percent(loss.peak_utilization))
                } else {
                    format!("nothing left serves {}", loss.unservable_classes.join(", "))
                };
                format!(
                    "{who}: fits, but not N-1: losing {} {why}, sheds {} of served tokens",
                    loss.site,
                    percent(loss.shed_share)
                )
            }
            Outcome::NoSiteToLose => format!("{who}: the phase has no site to lose"),
            Outcome::MarginBelow {
                tier,
                margin,
                floor,
            } => format!(
                "{who}: peak utilization {peak} fits, but the margin of {tier} is {} a week, below the {} asked",
                usd(*margin),
                usd(*floor)
            ),
            Outcome::BelowTrainingFloor {
                training_gpu_hours,
                floor,
            } => format!(
                "{who}: peak utilization {peak} fits, but training keeps {} GPU-hours a week, below the floor of {}",
                count(*training_gpu_hours),
                count(*floor)
            ),
            Outcome::Fits { survived } => {
                let mut line = format!(
                    "{who}: peak utilization {peak} at {} is within the target {target}",
                    self.peak_time
                );
                if let Some(loss) = survived {
                    line.push_str(&format!(
                        "; survives losing {} at {}",
                        loss.site,
                        percent(loss.peak_utilization)
                    ));
                }
                line
            }
        }
    }

    /// The judgement as a line of the verdict: `ok    …` or `FAIL  …`.
    pub fn reason(&self) -> String {
        let mark = if self.passed() { "ok  " } else { "FAIL" };
        format!("{mark}  {}", self.message())
    }
}

/// Runs the check: the selected policies on the rule's phase, judged. Errors when the rule
/// asks for a demand case the scenario does not define.
pub fn check(
    scenario: &Scenario,
    policies: &[usize],
    phase: &Phase,
    rule: CheckRule,
) -> anyhow::Result<CheckAnswer> {
    check_on(&Evaluator::new(scenario), policies, phase, rule)
}

/// [`check`] on a given evaluator (whose count of evaluations tests read).
pub fn check_on(
    evaluator: &Evaluator<'_>,
    policies: &[usize],
    phase: &Phase,
    rule: CheckRule,
) -> anyhow::Result<CheckAnswer> {
    let scenario = evaluator.scenario();
    if !rule.min_margins.is_empty() && !scenario.has_costs {
        anyhow::bail!(
            "--min-margin needs costs and prices in the scenario (cost_per_gpu_hour, price_per_user_month, price_per_mtok)"
        );
    }
    let multiplier = match (rule.at, scenario.uncertainty) {
        (DemandCase::Mid, _) => 1.0,
        (DemandCase::P90, _) if scenario.sampling.is_some() => 1.0,
        (DemandCase::P90, _) => anyhow::bail!(
            "--at p90 needs samples in the scenario's [uncertainty] (samples = 10000, and p10/p90 for users, tokens_per_active_hour, throughput)"
        ),
        (DemandCase::Low, Some(u)) => u.low,
        (DemandCase::High, Some(u)) => u.high,
        (_, None) => anyhow::bail!(
            "--at {} needs an [uncertainty] table (low and high demand multipliers) in the scenario",
            rule.at.name()
        ),
    };
    // N-1 is judged at the gated demand: "--n-minus-1 --at high" means "survives losing any
    // one site at high demand". Without --n-minus-1 it is shown at the scenario's, and so
    // it is with --at p90 (the samples gate the peak; N-1 stays at the scenario's demand,
    // whose multiplier is 1, and says so).
    let (n_minus_1_case, n_minus_1_users) = if rule.n_minus_1 && rule.at != DemandCase::P90 {
        (rule.at, multiplier)
    } else {
        (DemandCase::Mid, 1.0)
    };
    let comparison = Comparison::run_on(
        evaluator,
        policies,
        std::slice::from_ref(phase),
        n_minus_1_users,
        &|| {},
    );
    let verdicts = comparison
        .results
        .iter()
        .map(|result| judge(scenario, &comparison.phases[0].1, result, &rule, multiplier))
        .collect();
    Ok(CheckAnswer {
        comparison: CompareAnswer::new(scenario, &comparison, n_minus_1_case),
        check: Verdict {
            phase: phase.clone(),
            at: rule.at,
            n_minus_1: rule.n_minus_1,
            policies: verdicts,
        },
    })
}

/// Each margin floor of the rule with the policy's margin a week (NaN when it has none to
/// judge) and whether the floor holds: the one place margins are judged, for the outcome
/// and for the gates alike.
fn margins<'r>(
    scenario: &Scenario,
    fleet: &FleetCapacity,
    gated: &Headroom,
    rule: &'r CheckRule,
    users: &[f64],
) -> Vec<(&'r MarginFloor, f64, bool)> {
    if rule.min_margins.is_empty() {
        return Vec::new();
    }
    let cost = cost_of(scenario, fleet, gated, users);
    rule.min_margins
        .iter()
        .map(|floor| {
            let margin = cost.margin_of(floor.tier.as_deref()).unwrap_or(f64::NAN);
            (floor, margin, margin >= floor.usd)
        })
        .collect()
}

/// Judges one policy's model results against the rule; `multiplier` is the gated case's.
fn judge(
    scenario: &Scenario,
    fleet: &FleetCapacity,
    result: &PolicyResult,
    rule: &CheckRule,
    multiplier: f64,
) -> PolicyVerdict {
    let gated: &Headroom = match (rule.at, &result.uncertainty) {
        (DemandCase::Low, Some((low, _))) => low,
        (DemandCase::High, Some((_, high))) => high,
        _ => &result.headroom,
    };
    let classes = |h: &Headroom| -> Vec<String> {
        h.unservable_classes
            .iter()
            .map(|&c| scenario.classes[c].clone())
            .collect()
    };
    let loss = |l: &Loss| SiteLoss {
        site: scenario.sites[l.site].name.clone(),
        peak_utilization: l.peak_utilization,
        shed_share: l.shed_share,
        unservable_classes: l
            .unservable_classes
            .iter()
            .map(|&c| scenario.classes[c].clone())
            .collect(),
    };
    let (peak, peak_time, mw_to_fit) = gated_peak(scenario, fleet, result, gated, rule.at);
    // Users as the gated demand has them: grown to a dated phase's day, times the case.
    let users: Vec<f64> = result
        .phase
        .users_scale(scenario)
        .iter()
        .map(|u| u * multiplier)
        .collect();
    let margins = margins(scenario, fleet, gated, rule, &users);
    // The model's rule on the gated peak (the p90 of the samples with `--at p90`), then the
    // gates only check adds: margins, then N-1.
    let fit = Fit::judge(
        !gated.unservable_classes.is_empty(),
        peak,
        scenario.utilization_target,
        gated.training_gpu_hours,
        scenario.training_floor_gpu_hours,
    );
    let outcome = match fit {
        Fit::NoCapacity => Outcome::Unservable {
            classes: classes(gated),
        },
        Fit::OverTarget => Outcome::OverTarget { mw_to_fit },
        Fit::TrainingFloor => Outcome::BelowTrainingFloor {
            training_gpu_hours: gated.training_gpu_hours,
            floor: scenario.training_floor_gpu_hours.unwrap_or(0.0),
        },
        Fit::Fits => match margins.iter().find(|(_, _, holds)| !holds) {
            Some(&(floor, margin, _)) => Outcome::MarginBelow {
                tier: floor.tier.clone().unwrap_or_else(|| "all".to_string()),
                margin,
                floor: floor.usd,
            },
            None if !rule.n_minus_1 => Outcome::Fits { survived: None },
            None => match &result.n_minus_1 {
                None => Outcome::NoSiteToLose,
                Some(n) if n.survives() => Outcome::Fits {
                    survived: Some(loss(n.worst())),
                },
                Some(n) => Outcome::FailsNMinus1(loss(n.worst())),
            },
        },
    };
    PolicyVerdict {
        policy: scenario.policies[result.policy].name.clone(),
        policy_index: result.policy,
        phase: result.phase.clone(),
        demand: (rule.at, multiplier),
        peak_utilization: peak,
        peak_time,
        target: scenario.utilization_target,
        outcome,
        gates: gates(scenario, result, gated, peak, rule, &margins),
    }
}

/// The peak utilization the rule gates on, when it falls, and the MW that would bring it
/// to the target: the gated case's, or with `--at p90` the 90th percentile of the samples.
fn gated_peak(
    scenario: &Scenario,
    fleet: &FleetCapacity,
    result: &PolicyResult,
    gated: &Headroom,
    at: DemandCase,
) -> (f64, String, f64) {
    match (at, &result.sampled) {
        (DemandCase::P90, Some(sampled)) => (
            sampled.p90,
            format!("the p90 of {} samples", count(sampled.samples as f64)),
            mw_to_fit(sampled.p90, scenario.utilization_target, fleet.serving_mw),
        ),
        _ => (
            gated.peak_utilization,
            step_label(gated.peak_step, scenario.step_minutes),
            gated.mw_to_fit,
        ),
    }
}

/// Every gate of the rule, judged on its own; `peak` is the peak utilization the rule
/// gates on ([`gated_peak`]).
fn gates(
    scenario: &Scenario,
    result: &PolicyResult,
    gated: &Headroom,
    peak: f64,
    rule: &CheckRule,
    margins: &[(&MarginFloor, f64, bool)],
) -> Vec<Gate> {
    let target = scenario.utilization_target;
    let servable = gated.unservable_classes.is_empty();
    let mut gates = vec![Gate {
        name: "peak within the target".into(),
        passed: Fit::within_target(!servable, peak, target),
        detail: if servable {
            format!(
                "peak utilization {} against the target {}",
                percent(peak),
                percent(target)
            )
        } else {
            "a class has demand and no capacity in the phase".into()
        },
    }];
    if let Some(floor) = scenario.training_floor_gpu_hours {
        gates.push(Gate {
            name: "training floor".into(),
            passed: Fit::keeps_floor(gated.training_gpu_hours, Some(floor)),
            detail: format!(
                "training keeps {} GPU-hours a week; the floor is {}",
                count(gated.training_gpu_hours),
                count(floor)
            ),
        });
    }
    for &(floor, margin, holds) in margins {
        let tier = floor.tier.as_deref().unwrap_or("all");
        gates.push(Gate {
            name: format!("margin of {tier} >= {}", usd(floor.usd)),
            passed: holds,
            detail: format!("the margin of {tier} is {} a week", usd(margin)),
        });
    }
    if rule.n_minus_1 {
        let (passed, detail) = match &result.n_minus_1 {
            None => (false, "the phase has no site to lose".to_string()),
            Some(n) if !n.headroom.unservable_classes.is_empty() => (
                false,
                format!(
                    "losing {} leaves nothing to serve {}",
                    scenario.sites[n.site].name,
                    n.headroom
                        .unservable_classes
                        .iter()
                        .map(|&c| scenario.classes[c].as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
            Some(n) => (
                n.survives(),
                format!(
                    "losing {} leaves peak utilization {}",
                    scenario.sites[n.site].name,
                    percent(n.headroom.peak_utilization)
                ),
            ),
        };
        gates.push(Gate {
            name: "N-1".into(),
            passed,
            detail,
        });
    }
    gates
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &str = include_str!("../../scenarios/tiny.toml");

    #[test]
    fn each_policy_phase_and_case_is_evaluated_once() {
        let scenario = Scenario::parse(TINY, "tiny.toml").unwrap();
        let all: Vec<usize> = (0..scenario.policies.len()).collect();
        assert!(scenario.uncertainty.is_some());
        for at in [DemandCase::Low, DemandCase::Mid, DemandCase::High] {
            for n_minus_1 in [false, true] {
                let evaluator = Evaluator::new(&scenario);
                let phase = Phase::After;
                let rule = CheckRule {
                    at,
                    n_minus_1,
                    min_margins: Vec::new(),
                };
                check_on(&evaluator, &all, &phase, rule.clone()).unwrap();
                // Per policy: the scenario's demand, each of the two sites lost, low and
                // high: five evaluations.
                assert_eq!(evaluator.evaluations(), 5 * all.len(), "{at:?} {n_minus_1}");
            }
        }
    }

    #[test]
    fn the_verdict_is_typed_and_its_lines_read_from_it() {
        let scenario = Scenario::parse(TINY, "tiny.toml").unwrap();
        let phase = Phase::Before;
        let rule = CheckRule {
            at: DemandCase::Mid,
            n_minus_1: false,
            min_margins: Vec::new(),
        };
        let answer = check(&scenario, &[0, 1], &phase, rule).unwrap();
        let verdict = &answer.check;
        assert!(!verdict.passed());
        // unlimited before: 1,000,000 tok/s wanted against 800,000 (scenarios/tiny.toml).
        let unlimited = &verdict.policies[0];
        assert_eq!(unlimited.peak_utilization, 1.25);
        let Outcome::OverTarget { mw_to_fit } = unlimited.outcome else {
            panic!("{:?}", unlimited.outcome)
        };
        assert!((mw_to_fit - (1.25 / 0.85 - 1.0) * 1.512).abs() < 1e-12);
        assert_eq!(
            unlimited.reason(),
            "FAIL  unlimited (before): peak utilization 125.0% at Mon 00:00 exceeds the target 85.0% by 40.0 points; it needs 0.71 MW more serving capacity of the same mix"
        );
        assert!(verdict.policies[1].passed());
        assert!(
            verdict.policies[1]
                .reason()
                .starts_with("ok    current (before): ")
        );
        let failing: Vec<&str> = verdict.failing().map(|p| p.policy.as_str()).collect();
        assert_eq!(failing, ["unlimited"]);
    }

    #[test]
    fn a_demand_case_needs_an_uncertainty_table() {
        let text = TINY.replace("[uncertainty]\nlow = 0.8\nhigh = 1.2\n", "");
        let scenario = Scenario::parse(&text, "t.toml").unwrap();
        assert!(scenario.uncertainty.is_none());
        let phase = Phase::After;
        let rule = CheckRule {
            at: DemandCase::High,
            n_minus_1: false,
            min_margins: Vec::new(),
        };
        assert!(check(&scenario, &[0], &phase, rule).is_err());
    }
}
