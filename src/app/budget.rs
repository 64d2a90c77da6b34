//! A work budget: no scenario can ask for unbounded work. The model's cost grows with
//! policies × phases × distinct steps × (samples + days), and a timeline's with its
//! samples × months (each sample is looked at every month): every sample of every policy is
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

/// The most work a timeline (or a report, which holds one) may ask for, counted in sample
/// months: every sample is looked at in every month, on at least one day, but only asked
/// whether it fits (it stops at the first step over the target), a quarter of a compare's
/// work per sample. colossus.toml's timeline is 7.0e8 (2 s), and at 50,000 samples 3.5e9
/// (25 s; as before, colossus is admitted up to about 57,000 samples); 100,000 samples × 50
/// policies over 12 months of 7 distinct steps, 8.4e8 (8 s).
pub const TIMELINE_WORK_BUDGET: f64 = 4e9;

/// What a run asks of the model: one week per phase (compare, check, diff), or every
/// month of the timeline, each with every sample (timeline, report).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    /// One week per phase; with a `[timeline]`, `holds_until` also steps through its
    /// days (without samples).
    Week,
    /// Every month of the timeline with every sample.
    Timeline,
}

/// Refuses a run whose work (see the module) is over its budget ([`WORK_BUDGET`], or
/// [`TIMELINE_WORK_BUDGET`] for a timeline), before any of it is done.
pub fn within_budget(
    scenario: &Scenario,
    policies: usize,
    question: Question,
) -> anyhow::Result<()> {
    let samples = scenario.sampling.as_ref().map_or(1, |s| s.samples.max(1)) as f64;
    let phases = crate::model::Phase::all(scenario).len() as f64;
    let steps = crate::model::Evaluator::new(scenario).distinct_steps() as f64;
    let per_pass = policies as f64 * phases * steps * speed_width(scenario);
    let months = f64::from(scenario.timeline.as_ref().map_or(0, |t| t.months));
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
    let days = if day_by_day { 31.0 } else { 8.0 } * months;
    // A timeline question of a scenario without one is a week's.
    let question = if months == 0.0 {
        Question::Week
    } else {
        question
    };
    let (sampled_months, budget) = match question {
        Question::Week => (1.0, WORK_BUDGET),
        Question::Timeline => (months.max(1.0), TIMELINE_WORK_BUDGET),
    };
    let work = per_pass * (samples * sampled_months + days);
    if work <= budget {
        return Ok(());
    }
    let fewer_samples = ((budget / per_pass - days) / sampled_months).floor();
    let lower = if samples > 1.0 && fewer_samples >= 1.0 {
        format!(
            "lower [uncertainty] samples to {} or fewer, ",
            count(fewer_samples)
        )
    } else {
        String::new()
    };
    let samples_term = match question {
        Question::Week => format!("{} samples", count(samples)),
        Question::Timeline => format!("{} samples × {} months", count(samples), count(months)),
    };
    let of = match question {
        Question::Week => "",
        Question::Timeline => " for a timeline",
    };
    bail!(
        "this run asks for {} evaluations ({} policies × {} phases × {} distinct steps × \
         ({samples_term} + {} days){}), over the budget of {}{of}; {lower}select fewer \
         policies with --policy, or use smoother curves (fewer distinct steps)",
        count(work),
        count(policies as f64),
        count(phases),
        count(steps),
        count(days),
        width_note(scenario),
        count(budget)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// colossus.toml at `samples`.
    fn colossus(samples: usize) -> Scenario {
        let text = include_str!("../../scenarios/colossus.toml").replacen(
            "samples = 10000",
            &format!("samples = {samples}"),
            1,
        );
        Scenario::parse(&text, "c.toml").unwrap()
    }

    #[test]
    fn a_week_counts_samples_and_a_timeline_sample_months() {
        // 6 policies × 2 phases × 161 distinct steps × 1.8 columns per class = 3,477.6 per
        // pass; 620 days (20 months, day by day for the ramps). A week: 3,477.6 × (S +
        // 620) <= 2e8, so S <= 56,890. A timeline: 3,477.6 × (20 S + 620) <= 4e9, so S <=
        // 57,479.
        let week = |s| within_budget(&colossus(s), 6, Question::Week).is_ok();
        let timeline = |s| within_budget(&colossus(s), 6, Question::Timeline).is_ok();
        assert!(week(56_890) && !week(56_891));
        assert!(timeline(57_479) && !timeline(57_480));
        // Without a [timeline] a timeline question is a week's.
        let text = include_str!("../../scenarios/tiny.toml");
        let start = text.find("[timeline]").unwrap();
        let end = text.find("[uncertainty]").unwrap();
        let untimed = format!("{}{}", &text[..start], &text[end..]).replacen(
            "[uncertainty]",
            "[uncertainty]\nsamples = 1000000",
            1,
        );
        let scenario = Scenario::parse(&untimed, "t.toml").unwrap();
        let refused = |q| within_budget(&scenario, 10_000, q).unwrap_err().to_string();
        assert_eq!(refused(Question::Timeline), refused(Question::Week));
        assert!(refused(Question::Week).contains("over the budget of 200,000,000;"));
    }
}
