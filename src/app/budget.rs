//! A work budget: no scenario can ask for unbounded work. The model's cost grows with
//! policies × phases × distinct steps × (samples + days): every sample of every policy is
//! evaluated on each phase over the week's runs of identical steps (steps whose demand
//! and serving shares are those of the step before cost nothing more: the kernels walk
//! runs, not steps), and a timeline evaluates a few days of
//! each month (8 are counted), or every day (31) where its runway search may step through
//! ramps; past the budget the run stops before it starts, with exit 2 naming the figure
//! and how to lower it.

use anyhow::bail;

use crate::fmt::count;
use crate::scenario::Scenario;

/// The most work a run may ask for: about 12 times colossus.toml with its 10,000 samples
/// (1.7e7 for compare, 0.6 s; 1,000,000 samples took 55 s), so seconds, not minutes.
pub const WORK_BUDGET: f64 = 2e8;

/// Refuses a run whose work (see the module) is over [`WORK_BUDGET`]; `months` is 0 for
/// a question of one week (compare, check, diff) and the timeline's months for a timeline.
pub fn within_budget(scenario: &Scenario, policies: usize, months: u32) -> anyhow::Result<()> {
    let samples = scenario.sampling.as_ref().map_or(1, |s| s.samples.max(1)) as f64;
    let phases = crate::model::Phase::all(scenario).len() as f64;
    let steps = crate::model::Evaluator::new(scenario).distinct_steps() as f64;
    let per_pass = policies as f64 * phases * steps * speed_width(scenario);
    // A month is looked at on a few days (its ends, its events and their eves) and its
    // runway bisected between them; where a site ramps or growth rates differ in sign the
    // search may step through every day.
    let day_by_day = scenario
        .sites
        .iter()
        .any(|s| s.ramp_days.is_some_and(|n| n > 1))
        || scenario.timeline.as_ref().is_some_and(|t| {
            t.growth.iter().any(|&g| g > 0.0) && t.growth.iter().any(|&g| g < 0.0)
        });
    let days = if day_by_day { 31.0 } else { 8.0 } * f64::from(months);
    let passes = samples + days;
    let work = per_pass * passes;
    if work <= WORK_BUDGET {
        return Ok(());
    }
    let fewer_samples = (WORK_BUDGET / per_pass - days).floor();
    let lower = if samples > 1.0 && fewer_samples >= 1.0 {
        format!(
            "lower [uncertainty] samples to {} or fewer, ",
            count(fewer_samples)
        )
    } else {
        String::new()
    };
    bail!(
        "this run asks for {} evaluations ({} policies × {} phases × {} distinct steps × ({} \
         samples + {} days){}), over the budget of {}; {lower}select fewer policies with \
         --policy, or use smoother curves (fewer distinct steps)",
        count(work),
        count(policies as f64),
        count(phases),
        count(steps),
        count(samples),
        count(days),
        width_note(scenario),
        count(WORK_BUDGET)
    )
}

/// How much wider every evaluation is for the speeds in use (model v3): columns of
/// capacity per class as the file names them (1 without frontiers). Each evaluation
/// carries every column, so its cost grows with them.
fn speed_width(scenario: &Scenario) -> f64 {
    (scenario.classes.len() as f64 / scenario.base_classes.len().max(1) as f64).max(1.0)
}

/// " × 4.5 columns per class" when speeds widen the evaluations, else nothing.
fn width_note(scenario: &Scenario) -> String {
    let width = speed_width(scenario);
    if width > 1.0 {
        format!(
            " × {} columns per class for the speeds in use",
            crate::fmt::num((width * 100.0).round() / 100.0)
        )
    } else {
        String::new()
    }
}

/// The most tier-steps (weeks × steps × tiers) a one-phase question (`solve`, `explain`)
/// may ask for: about ten seconds where no two steps are alike, far more than any
/// scenario in this repository needs (the planning-scale solve is 5e8).
pub const TIER_STEP_BUDGET: f64 = 2e10;

/// Refuses a one-phase question (`solve`, `explain`) whose `evaluations` weeks of the
/// scenario's steps and tiers are over [`TIER_STEP_BUDGET`]: such questions evaluate one
/// policy many times, so their cost is weeks × steps × tiers.
pub fn within_budget_for(
    scenario: &Scenario,
    evaluations: usize,
    question: &str,
) -> anyhow::Result<()> {
    let tiers = scenario.tiers.len().max(1) as f64;
    let work = evaluations as f64 * scenario.steps() as f64 * tiers * speed_width(scenario);
    if work <= TIER_STEP_BUDGET {
        return Ok(());
    }
    bail!(
        "{question} may ask for {} tier-steps ({} weeks × {} steps × {} tiers{}), over the \
         budget of {}; use a coarser step or fewer tiers",
        count(work),
        count(evaluations as f64),
        count(scenario.steps() as f64),
        count(tiers),
        width_note(scenario),
        count(TIER_STEP_BUDGET)
    )
}
