//! `diff`: what a change to a scenario changes. Two scenarios (a pull request's base and
//! head), their inputs side by side where they differ, and every policy on every phase
//! before → after: peak utilization, fits, MW to fit, training kept and serving cost. A
//! policy that fitted and no longer does is a regression.

use serde::Serialize;

use super::SCHEMA_VERSION;
use super::compare::{CompareAnswer, PolicyAnswer, compare};
use crate::fmt::{count, percent, window};
use crate::scenario::Scenario;

/// Everything `diff` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffAnswer {
    /// Raised when the layout changes incompatibly.
    pub schema_version: u32,
    /// The base scenario's name and where it came from.
    pub base: String,
    /// The head scenario's name and where it came from.
    pub head: String,
    /// The inputs that differ, in words: "site colossus-1: added (…)", "tier pro:
    /// 12,000,000 users, … → 13,000,000 users, …".
    pub input_changes: Vec<String>,
    /// One row per policy and phase found in either scenario, head's order first.
    pub results: Vec<ResultChange>,
    /// Policies and phases that fit in the base and do not in the head.
    pub regressions: Vec<String>,
}

/// One policy on one phase, base and head.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResultChange {
    /// Policy name.
    pub policy: String,
    /// `before` or `after`.
    pub phase: &'static str,
    /// The base's figures; null for a policy the head adds.
    pub base: Option<Figures>,
    /// The head's figures; null for a policy the head removes.
    pub head: Option<Figures>,
    /// `regressed`, `fixed`, `changed`, `unchanged`, `added` or `removed`.
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

/// Compares every policy of both scenarios on both phases.
pub fn diff(base: &Scenario, base_origin: &str, head: &Scenario, head_origin: &str) -> DiffAnswer {
    let all = |s: &Scenario| (0..s.policies.len()).collect::<Vec<_>>();
    let (before, after) = (compare(base, &all(base)), compare(head, &all(head)));
    let find = |answer: &CompareAnswer, policy: &str, phase: &str| {
        answer
            .results
            .iter()
            .find(|r| r.policy == policy && r.phase == phase)
            .map(Figures::of)
    };
    let mut keys: Vec<(String, &'static str)> = Vec::new();
    for r in after.results.iter().chain(&before.results) {
        if !keys.iter().any(|(p, ph)| *p == r.policy && *ph == r.phase) {
            keys.push((r.policy.clone(), r.phase));
        }
    }
    let mut regressions = Vec::new();
    let results = keys
        .into_iter()
        .map(|(policy, phase)| {
            let (b, h) = (find(&before, &policy, phase), find(&after, &policy, phase));
            let status = match (&b, &h) {
                (None, _) => "added",
                (_, None) => "removed",
                (Some(b), Some(h)) if b.fits && !h.fits => "regressed",
                (Some(b), Some(h)) if !b.fits && h.fits => "fixed",
                (Some(b), Some(h)) if b == h => "unchanged",
                _ => "changed",
            };
            if status == "regressed" {
                regressions.push(format!("{policy} ({phase})"));
            }
            ResultChange {
                policy,
                phase,
                base: b,
                head: h,
                status,
            }
        })
        .collect();
    DiffAnswer {
        schema_version: SCHEMA_VERSION,
        base: format!("{} ({base_origin})", base.name),
        head: format!("{} ({head_origin})", head.name),
        input_changes: input_changes(base, head),
        results,
        regressions,
    }
}

/// Appends what differs between two named lists: `kind name: added (value)`, `kind name:
/// old → new`, `kind name: removed`; head's order first, then what the base alone has.
fn named(
    changes: &mut Vec<String>,
    kind: &str,
    base: &[(String, String)],
    head: &[(String, String)],
) {
    for (name, value) in head {
        match base.iter().find(|(n, _)| n == name) {
            None => changes.push(format!("{kind} {name}: added ({value})")),
            Some((_, old)) if old != value => {
                changes.push(format!("{kind} {name}: {old} → {value}"))
            }
            _ => {}
        }
    }
    for (name, _) in base {
        if !head.iter().any(|(n, _)| n == name) {
            changes.push(format!("{kind} {name}: removed"));
        }
    }
}

/// A policy's limits by tier, in words: `2,500,000 per 5h ×1`.
fn limits(s: &Scenario, policy: usize) -> Vec<(String, String)> {
    s.policies[policy]
        .limits
        .iter()
        .zip(&s.tiers)
        .map(|(l, t)| {
            let text = l.map_or_else(
                || "unlimited".to_string(),
                |l| {
                    format!(
                        "{} per {} ×{}",
                        count(l.window_tokens),
                        window(l.window_hours),
                        l.peak_factor
                    )
                },
            );
            (t.name.clone(), text)
        })
        .collect()
}

/// The inputs that differ, in words: sites, tiers' demand, policies' limits tier by tier,
/// and the utilization target.
fn input_changes(base: &Scenario, head: &Scenario) -> Vec<String> {
    let mut changes = Vec::new();
    let sites = |s: &Scenario| -> Vec<(String, String)> {
        s.sites
            .iter()
            .map(|site| {
                let gpus: f64 = site.gpus.iter().map(|&(_, n)| n).sum();
                let online = site
                    .online
                    .map(|d| format!(", online {d}"))
                    .unwrap_or_default();
                (
                    site.name.clone(),
                    format!("{} GPUs, {} MW{online}", count(gpus), site.power_mw),
                )
            })
            .collect()
    };
    named(&mut changes, "site", &sites(base), &sites(head));
    let tiers = |s: &Scenario| -> Vec<(String, String)> {
        s.tiers
            .iter()
            .map(|t| {
                (
                    t.name.clone(),
                    format!(
                        "{} users, {} tokens per active hour",
                        count(t.users),
                        count(t.tokens_per_active_hour)
                    ),
                )
            })
            .collect()
    };
    named(&mut changes, "tier", &tiers(base), &tiers(head));
    for (p, policy) in head.policies.iter().enumerate() {
        let name = &policy.name;
        match base.policies.iter().position(|b| &b.name == name) {
            Some(b) => named(
                &mut changes,
                &format!("policy {name}, tier"),
                &limits(base, b),
                &limits(head, p),
            ),
            None => changes.push(format!("policy {name}: added")),
        }
    }
    for policy in &base.policies {
        if !head.policies.iter().any(|h| h.name == policy.name) {
            changes.push(format!("policy {}: removed", policy.name));
        }
    }
    if base.utilization_target != head.utilization_target {
        changes.push(format!(
            "utilization_target: {} → {}",
            percent(base.utilization_target),
            percent(head.utilization_target)
        ));
    }
    changes
}
