//! A work budget: no scenario can ask for unbounded work. The model's cost grows with
//! samples × policies × phases × months × steps (each sample of each policy is evaluated
//! on each phase, every month of a timeline, over the week's steps); past the budget the
//! run stops before it starts, with exit 2 naming the figure and how to lower it.

use anyhow::bail;

use crate::fmt::count;
use crate::scenario::Scenario;

/// The most evaluations a run may ask for: about 10 times colossus.toml's timeline with
/// its 10,000 samples (3.0e8, 0.6 s), so a few seconds on a 2-core machine.
pub const WORK_BUDGET: f64 = 3e9;

/// Refuses a run whose work (see the module) is over [`WORK_BUDGET`]; `months` is 1 for
/// a question of one week (compare, check) and the timeline's months for a timeline.
pub fn within_budget(scenario: &Scenario, policies: usize, months: u32) -> anyhow::Result<()> {
    let samples = scenario.sampling.as_ref().map_or(1, |s| s.samples.max(1));
    let phases = 2.0;
    let steps = scenario.steps() as f64;
    let months = f64::from(months.max(1));
    let work = samples as f64 * policies as f64 * phases * months * steps;
    if work <= WORK_BUDGET {
        return Ok(());
    }
    let per_sample = policies as f64 * phases * months * steps;
    let fewer_samples = (WORK_BUDGET / per_sample).floor();
    let lower = if samples > 1 && fewer_samples >= 1.0 {
        format!(
            "lower [uncertainty] samples to {} or fewer, ",
            count(fewer_samples)
        )
    } else {
        String::new()
    };
    bail!(
        "this run asks for {} evaluations ({} sample(s) × {} policies × 2 phases × {} month(s) \
         × {} steps), over the budget of {}; {lower}select fewer policies with --policy, \
         or use a coarser step or fewer [timeline] months",
        count(work),
        count(samples as f64),
        count(policies as f64),
        count(months),
        count(steps),
        count(WORK_BUDGET)
    )
}
