//! `diff`: what a change to a scenario changes. Two scenarios (a pull request's base and
//! head), their inputs side by side where they differ, and every policy on every phase
//! before → after: peak utilization, fits, MW to fit, training kept and serving cost. A
//! policy that fitted and no longer does is a regression.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::SCHEMA_VERSION;
use super::compare::{CompareAnswer, PolicyAnswer, compare};
use crate::fmt::percent;
use crate::model::Phase;
use crate::scenario::Scenario;
use crate::scenario::inputs::{inputs, shown};

/// Everything `diff` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffAnswer {
    /// Raised when the layout changes incompatibly.
    pub schema_version: u32,
    /// The base scenario's name and where it came from.
    pub base: String,
    /// The head scenario's name and where it came from.
    pub head: String,
    /// Every input key that differs, and none that does not: `tier[pro].users: 100,000 →
    /// 150,000 (+50,000)`, `site[colossus-1]: added` key by key, and a curve file's data.
    pub input_changes: Vec<String>,
    /// One row per policy and phase found in either scenario, head's order first.
    pub results: Vec<ResultChange>,
    /// Policies and phases that fit in the base and do not in the head.
    pub regressions: Vec<String>,
    /// Whether human-readable tables show every result (`--all`), not only the changed
    /// ones; a display setting, not in the JSON.
    #[serde(skip)]
    pub all_rows: bool,
}

/// One policy on one phase, base and head.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResultChange {
    /// Policy name.
    pub policy: String,
    /// `before` or `after`.
    pub phase: Phase,
    /// The base's figures; null for a policy the head adds.
    pub base: Option<Figures>,
    /// The head's figures; null for a policy the head removes.
    pub head: Option<Figures>,
    /// `regressed`, `fixed`, `changed`, `unchanged`, `added`, `removed`, or
    /// `removed-regressed` (it fitted, and was removed while a policy that does not fit was
    /// added on the same phase: a rename is no way around the gate).
    pub status: &'static str,
}

/// The figures `diff` compares.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    /// Peak utilization.
    pub peak_utilization: f64,
    /// Whether the policy fits.
    pub fits: bool,
    /// Serving MW of the same mix it would need to fit.
    pub mw_to_fit: f64,
    /// GPU-hours a week training keeps.
    pub training_gpu_hours: f64,
    /// Serving cost a week, when the scenario gives costs.
    pub serving_cost_per_week: Option<f64>,
}

impl Figures {
    fn of(r: &PolicyAnswer) -> Figures {
        Figures {
            peak_utilization: r.peak_utilization,
            fits: r.fits,
            mw_to_fit: r.mw_to_fit,
            training_gpu_hours: r.training_gpu_hours,
            serving_cost_per_week: r.cost.as_ref().map(|c| c.serving_cost_per_week),
        }
    }
}

/// One side of a diff: the scenario, where it came from, and its text.
#[derive(Debug, Clone, Copy)]
pub struct DiffSide<'a> {
    /// The scenario.
    pub scenario: &'a Scenario,
    /// Where it came from: a file, or `REV:PATH`.
    pub origin: &'a str,
    /// Its TOML text, for the inputs that changed.
    pub source: &'a str,
}

/// Compares every policy of both scenarios on both phases, and every input.
pub fn diff(base_side: DiffSide, head_side: DiffSide) -> DiffAnswer {
    let (base, base_origin) = (base_side.scenario, base_side.origin);
    let (head, head_origin) = (head_side.scenario, head_side.origin);
    let all = |s: &Scenario| (0..s.policies.len()).collect::<Vec<_>>();
    // The same scenario on both sides (a file against its own revision, say) is evaluated
    // once: sampling is the cost, and the answer cannot differ.
    let before = compare(base, &all(base));
    let after = if base == head {
        before.clone()
    } else {
        compare(head, &all(head))
    };
    // Each (policy, phase) of one answer by name (a v2 `before` and a dated phase called
    // `before` are the same row): linear in policies, not quadratic.
    let key = |r: &PolicyAnswer| (r.policy.clone(), r.phase.name().to_string());
    let index = |answer: &CompareAnswer| -> HashMap<(String, String), Figures> {
        answer
            .results
            .iter()
            .map(|r| (key(r), Figures::of(r)))
            .collect()
    };
    let (base_figures, head_figures) = (index(&before), index(&after));
    let mut seen = HashSet::new();
    let keys: Vec<((String, String), Phase)> = after
        .results
        .iter()
        .chain(&before.results)
        .map(|r| (key(r), r.phase.clone()))
        .filter(|(key, _)| seen.insert(key.clone()))
        .collect();
    let head_phases: HashSet<&str> = after.phases.iter().map(|p| p.name.name()).collect();
    let mut results: Vec<ResultChange> = keys
        .into_iter()
        .map(|(key, phase)| {
            let (b, h) = (
                base_figures.get(&key).cloned(),
                head_figures.get(&key).cloned(),
            );
            let status = match (&b, &h) {
                (None, _) => "added",
                (_, None) => "removed",
                (Some(b), Some(h)) if b.fits && !h.fits => "regressed",
                (Some(b), Some(h)) if !b.fits && h.fits => "fixed",
                (Some(b), Some(h)) if b == h => "unchanged",
                _ => "changed",
            };
            ResultChange {
                policy: key.0,
                phase,
                base: b,
                head: h,
                status,
            }
        })
        .collect();
    // A policy that fitted and is removed while a policy that does not fit is added on the
    // same phase may be a rename (to a look-alike, say): it counts as a regression, so a
    // failing policy cannot slip through under a new name.
    let added_failing: HashMap<String, String> = results
        .iter()
        .filter(|r| r.status == "added" && r.head.as_ref().is_some_and(|h| !h.fits))
        .map(|r| (r.phase.name().to_string(), r.policy.clone()))
        .fold(HashMap::new(), |mut first, (phase, policy)| {
            first.entry(phase).or_insert(policy);
            first
        });
    let mut regressions = Vec::new();
    for r in &mut results {
        if r.status == "regressed" {
            regressions.push(format!("{} ({})", r.policy, r.phase));
        } else if r.status == "removed"
            && r.base.as_ref().is_some_and(|b| b.fits)
            && !head_phases.contains(r.phase.name())
        {
            // The phase it fitted on is gone: the promise it carried is no longer checked.
            r.status = "removed-regressed";
            regressions.push(format!(
                "{} ({}; the phase is gone from head)",
                r.policy, r.phase
            ));
        } else if r.status == "removed"
            && r.base.as_ref().is_some_and(|b| b.fits)
            && let Some(added) = added_failing.get(r.phase.name())
        {
            r.status = "removed-regressed";
            regressions.push(format!(
                "{} ({}; removed while {added:?} was added and does not fit)",
                r.policy, r.phase
            ));
        }
    }
    DiffAnswer {
        schema_version: SCHEMA_VERSION,
        base: format!("{} ({base_origin})", base.name),
        head: format!("{} ({head_origin})", head.name),
        input_changes: input_changes(base, base_side.source, head, head_side.source),
        results,
        regressions,
        all_rows: false,
    }
}

/// The inputs that differ, key by key, in file order (head's, then what only the base
/// has): `tier[pro].users: 100,000 → 150,000 (+50,000)`, `site[new]: added`, and the
/// curve data of a tier whose curve file changed (its key, the file's name, did not).
fn input_changes(
    base: &Scenario,
    base_source: &str,
    head: &Scenario,
    head_source: &str,
) -> Vec<String> {
    let (old, new) = (inputs(base_source), inputs(head_source));
    // An entry of an array of tables (`site[colossus-1]`) that only one side has is one
    // change, not one per key.
    // Keys, entries and lines through maps and sets: linear in the inputs (a scan per key
    // was quadratic in policies).
    let entry = |key: &str| key.find(']').map(|end| key[..=end].to_string());
    let entries = |inputs: &[crate::scenario::inputs::Input]| -> HashSet<String> {
        inputs.iter().filter_map(|i| entry(&i.key)).collect()
    };
    let (old_entries, new_entries) = (entries(&old), entries(&new));
    let whole = |key: &str, other: &HashSet<String>| entry(key).filter(|e| !other.contains(e));
    let old_by_key: HashMap<&str, &crate::scenario::inputs::Input> =
        old.iter().map(|o| (o.key.as_str(), o)).collect();
    let new_keys: HashSet<&str> = new.iter().map(|n| n.key.as_str()).collect();
    let mut changes = Vec::new();
    let mut once = HashSet::new();
    for input in &new {
        match old_by_key.get(input.key.as_str()) {
            None => match whole(&input.key, &old_entries) {
                Some(e) => {
                    let line = format!("{e}: added");
                    if once.insert(line.clone()) {
                        changes.push(line);
                    }
                }
                None => changes.push(format!("{}: added ({})", input.key, input.text)),
            },
            Some(o) if o.text != input.text => {
                let delta = match (o.number, input.number) {
                    (Some(a), Some(b)) => {
                        let d = shown(b - a);
                        format!(" ({}{d})", if b >= a { "+" } else { "" })
                    }
                    _ => String::new(),
                };
                changes.push(format!("{}: {} → {}{delta}", input.key, o.text, input.text));
            }
            Some(_) => {}
        }
    }
    for o in &old {
        if !new_keys.contains(o.key.as_str()) {
            let line = match whole(&o.key, &new_entries) {
                Some(e) => format!("{e}: removed"),
                None => format!("{}: removed (was {})", o.key, o.text),
            };
            if once.insert(line.clone()) {
                changes.push(line);
            }
        }
    }
    // Curves read from files: the key (the file's name) may stay while the data changes.
    for tier in &head.tiers {
        let Some(b) = base.tiers.iter().find(|b| b.name == tier.name) else {
            continue;
        };
        let named = changes
            .iter()
            .any(|c| c.starts_with(&format!("curve.{}.", tier.curve)));
        if b.activity != tier.activity && !named {
            let peak = |v: &[f64]| v.iter().copied().fold(0.0, f64::max);
            changes.push(format!(
                "curve {} of tier {}: its data changed (peak active share {} → {})",
                tier.curve,
                tier.name,
                percent(peak(&b.activity)),
                percent(peak(&tier.activity))
            ));
        }
    }
    changes
}
