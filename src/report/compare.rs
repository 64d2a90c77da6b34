//! The report of `compare` and `check`: capacity per phase, then each policy before and
//! after, its N-1 view and its demand-uncertainty cases; for `check`, the verdict.

use indexmap::IndexMap;
use serde::Serialize;

use super::document::{Document, Section, TableData, count, hours, mw, percent, sparkline, yes_no};
use super::{Report, SCHEMA_VERSION, num, opt_num};
use crate::model::{Comparison, FleetCapacity, Headroom, Phase};
use crate::scenario::Scenario;
use crate::scenario::units::step_label;

/// Everything `compare` reports, shaped as the JSON contract.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompareReport {
    /// Raised when the layout changes incompatibly.
    pub schema_version: u32,
    /// Scenario name.
    pub scenario: String,
    /// Model step in minutes.
    pub step_minutes: u32,
    /// Share of capacity usable at the latency SLO.
    pub utilization_target: f64,
    /// Capacity per phase, `before` then `after`.
    pub phases: Vec<PhaseReport>,
    /// One entry per policy and phase: policies in file order, `before` then `after`.
    pub results: Vec<ResultReport>,
    /// The verdict, present only for `check`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<CheckVerdict>,
}

/// Capacity of one phase.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhaseReport {
    /// `before` or `after`.
    pub name: &'static str,
    /// The sites counted, in file order.
    pub sites: Vec<SiteReport>,
    /// Facility MW drawn by serving GPUs, PUE included.
    pub serving_mw: f64,
    /// Output tokens per second per model class.
    pub tokens_per_s: IndexMap<String, f64>,
}

/// Capacity of one site.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteReport {
    /// Site name.
    pub name: String,
    /// `YYYY-MM-DD` for an addition, null for the fleet in service.
    pub online: Option<String>,
    /// True when the site has more GPUs than its power can run.
    pub power_bound: bool,
    /// min(1, IT power / all-in draw).
    pub power_factor: f64,
    /// Serving GPUs per SKU (after power, availability and serving share).
    pub serving_gpus: IndexMap<String, f64>,
    /// Facility MW drawn by this site's serving GPUs.
    pub serving_mw: f64,
}

/// One policy on one phase.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResultReport {
    /// Policy name.
    pub policy: String,
    /// The policy's `description`, if the scenario gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `before` or `after`.
    pub phase: &'static str,
    /// Highest utilization over the week (fraction of serving capacity).
    pub peak_utilization: f64,
    /// Step index of the peak, from Monday 00:00 UTC.
    pub peak_step: usize,
    /// The peak step's start, e.g. `"Tue 14:00"` (UTC).
    pub peak_time: String,
    /// Hours of the week above the utilization target.
    pub hours_over_target: f64,
    /// Served / desired tokens over the week.
    pub served_share: f64,
    /// Share of active users throttled at the peak step.
    pub throttled_share_at_peak: f64,
    /// Share of served tokens past 100 % utilization.
    pub shed_share: f64,
    /// Serving MW of the same mix needed to bring the peak to the target.
    pub mw_to_fit: f64,
    /// Classes with demand but no capacity in this phase; non-empty means unservable.
    pub unservable_classes: Vec<String>,
    /// Peak utilization within the target and nothing unservable.
    pub fits: bool,
    /// The phase without its largest site; null when the phase has no site.
    pub n_minus_1: Option<NMinusOneReport>,
    /// Low and high demand cases; present when the scenario has `[uncertainty]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uncertainty: Option<UncertaintyReport>,
    /// U(h) over the week, for sparklines and plots; not in the JSON (up to 10,080
    /// numbers per result).
    #[serde(skip)]
    pub week: Vec<f64>,
}

/// A policy on a phase that lost its largest site.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NMinusOneReport {
    /// The site lost.
    pub site: String,
    /// Peak utilization of what is left.
    pub peak_utilization: f64,
    /// Share of served tokens past 100 % utilization.
    pub shed_share: f64,
    /// Classes that nothing left can serve.
    pub unservable_classes: Vec<String>,
    /// Peak utilization <= 1 and every class servable.
    pub survives: bool,
    /// The demand these figures are for: `mid` (the scenario's), or the case `check --at`
    /// gated on.
    pub demand: &'static str,
}

/// Low and high demand cases of a policy on a phase.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UncertaintyReport {
    /// The optimistic case.
    pub low: CaseReport,
    /// The pessimistic case.
    pub high: CaseReport,
}

/// One demand case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseReport {
    /// The multiplier on every tier's users.
    pub multiplier: f64,
    /// Peak utilization in this case.
    pub peak_utilization: f64,
    /// Whether the policy fits in this case.
    pub fits: bool,
}

/// The verdict of `check`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckVerdict {
    /// The phase gated on.
    pub phase: &'static str,
    /// The demand case gated on: `low`, `mid` or `high`.
    pub at: &'static str,
    /// Whether each policy also had to survive losing the largest site.
    pub n_minus_1: bool,
    /// True when every selected policy passes.
    pub passed: bool,
    /// Names of the policies that do not pass.
    pub failing: Vec<String>,
    /// One line per policy: why it passes or fails.
    pub reasons: Vec<String>,
}

impl CompareReport {
    /// Builds the report of a comparison.
    pub fn new(scenario: &Scenario, comparison: &Comparison) -> CompareReport {
        let classes = |h: &Headroom| -> Vec<String> {
            h.unservable_classes
                .iter()
                .map(|&c| scenario.classes[c].clone())
                .collect()
        };
        let results = comparison
            .results
            .iter()
            .map(|result| {
                let h = &result.headroom;
                let policy = &scenario.policies[result.policy];
                ResultReport {
                    policy: policy.name.clone(),
                    description: policy.description.clone(),
                    phase: result.phase.name(),
                    peak_utilization: h.peak_utilization,
                    peak_step: h.peak_step,
                    peak_time: step_label(h.peak_step, scenario.step_minutes),
                    hours_over_target: h.hours_over_target,
                    served_share: h.served_share,
                    throttled_share_at_peak: h.throttled_share_at_peak,
                    shed_share: h.shed_share,
                    mw_to_fit: h.mw_to_fit,
                    unservable_classes: classes(h),
                    fits: h.fits,
                    week: h.utilization.clone(),
                    n_minus_1: result.n_minus_1.as_ref().map(|n| NMinusOneReport {
                        site: scenario.sites[n.site].name.clone(),
                        peak_utilization: n.headroom.peak_utilization,
                        shed_share: n.headroom.shed_share,
                        unservable_classes: classes(&n.headroom),
                        survives: n.survives(),
                        demand: "mid",
                    }),
                    uncertainty: result.uncertainty.as_ref().zip(scenario.uncertainty).map(
                        |((low, high), u)| UncertaintyReport {
                            low: CaseReport {
                                multiplier: u.low,
                                peak_utilization: low.peak_utilization,
                                fits: low.fits,
                            },
                            high: CaseReport {
                                multiplier: u.high,
                                peak_utilization: high.peak_utilization,
                                fits: high.fits,
                            },
                        },
                    ),
                }
            })
            .collect();
        CompareReport {
            schema_version: SCHEMA_VERSION,
            scenario: scenario.name.clone(),
            step_minutes: scenario.step_minutes,
            utilization_target: scenario.utilization_target,
            phases: comparison
                .phases
                .iter()
                .map(|(phase, fleet)| phase_report(scenario, *phase, fleet))
                .collect(),
            results,
            check: None,
        }
    }
}

fn phase_report(scenario: &Scenario, phase: Phase, fleet: &FleetCapacity) -> PhaseReport {
    PhaseReport {
        name: phase.name(),
        sites: fleet
            .sites
            .iter()
            .map(|site| {
                let spec = &scenario.sites[site.site];
                SiteReport {
                    name: spec.name.clone(),
                    online: spec.online.map(|d| d.to_string()),
                    power_bound: site.power_bound,
                    power_factor: site.power_factor,
                    serving_gpus: site
                        .serving_gpus
                        .iter()
                        .map(|&(sku, n)| (scenario.skus[sku].name.clone(), n))
                        .collect(),
                    serving_mw: site.serving_mw,
                }
            })
            .collect(),
        serving_mw: fleet.serving_mw,
        tokens_per_s: scenario
            .classes
            .iter()
            .cloned()
            .zip(fleet.tokens_per_s.iter().copied())
            .collect(),
    }
}

impl Report for CompareReport {
    fn document(&self) -> Document {
        let mut sections: Vec<Section> = self.phases.iter().map(phase_section).collect();
        sections.push(self.policy_section());
        if self.results.iter().any(|r| r.n_minus_1.is_some()) {
            sections.push(self.n_minus_1_section());
        }
        if self.results.iter().any(|r| r.uncertainty.is_some()) {
            sections.push(self.uncertainty_section());
        }
        if let Some(check) = &self.check {
            sections.push(Section {
                heading: format!("Check ({}, demand {})", check.phase, check.at),
                table: None,
                notes: check.reasons.clone(),
            });
            let total = self.results.len();
            let n1 = if check.n_minus_1 { ", N-1" } else { "" };
            sections.push(Section {
                heading: if check.passed {
                    format!(
                        "check passed: all {total} policies fit ({}{n1})",
                        check.phase
                    )
                } else {
                    format!(
                        "check failed: {} of {total} policies do not fit ({}{n1}): {}",
                        check.failing.len(),
                        check.phase,
                        check.failing.join(", ")
                    )
                },
                ..Section::default()
            });
        }
        Document {
            title: format!(
                "{} — step {} min, utilization target {}",
                self.scenario,
                self.step_minutes,
                percent(self.utilization_target)
            ),
            sections,
        }
    }

    fn csv(&self) -> TableData {
        let mut table = TableData::new(&[
            "scenario",
            "policy",
            "phase",
            "peak_utilization",
            "peak_step",
            "peak_time",
            "hours_over_target",
            "served_share",
            "throttled_share_at_peak",
            "shed_share",
            "mw_to_fit",
            "unservable_classes",
            "fits",
            "n_minus_1_site",
            "n_minus_1_peak_utilization",
            "n_minus_1_survives",
            "low_peak_utilization",
            "high_peak_utilization",
        ]);
        for r in &self.results {
            let n1 = r.n_minus_1.as_ref();
            let u = r.uncertainty.as_ref();
            table.row(vec![
                self.scenario.clone(),
                r.policy.clone(),
                r.phase.to_string(),
                num(r.peak_utilization),
                r.peak_step.to_string(),
                r.peak_time.clone(),
                num(r.hours_over_target),
                num(r.served_share),
                num(r.throttled_share_at_peak),
                num(r.shed_share),
                num(r.mw_to_fit),
                r.unservable_classes.join(";"),
                r.fits.to_string(),
                n1.map(|n| n.site.clone()).unwrap_or_default(),
                opt_num(n1.map(|n| n.peak_utilization)),
                n1.map(|n| n.survives.to_string()).unwrap_or_default(),
                opt_num(u.map(|u| u.low.peak_utilization)),
                opt_num(u.map(|u| u.high.peak_utilization)),
            ]);
        }
        table
    }
}

fn phase_section(phase: &PhaseReport) -> Section {
    let gpus: f64 = phase
        .sites
        .iter()
        .flat_map(|s| s.serving_gpus.values())
        .sum();
    let mut skus: Vec<&str> = Vec::new();
    for site in &phase.sites {
        for sku in site.serving_gpus.keys() {
            if !skus.contains(&sku.as_str()) {
                skus.push(sku);
            }
        }
    }
    let mut header = vec!["Site".to_string(), "Online".into(), "Power".into()];
    header.extend(skus.iter().map(|sku| format!("{sku} serving")));
    header.push("Serving MW".into());
    let mut table = TableData {
        header,
        ..TableData::default()
    }
    .right(3..4 + skus.len());
    for site in &phase.sites {
        let mut row = vec![
            site.name.clone(),
            site.online.clone().unwrap_or_else(|| "in service".into()),
            if site.power_bound {
                format!("bound ({} powered)", percent(site.power_factor))
            } else {
                "ok".into()
            },
        ];
        row.extend(skus.iter().map(|sku| {
            site.serving_gpus
                .get(*sku)
                .map_or_else(|| "-".to_string(), |&n| count(n))
        }));
        row.push(mw(site.serving_mw));
        table.row(row);
    }
    let rates: Vec<String> = phase
        .tokens_per_s
        .iter()
        .map(|(class, rate)| format!("{class} {}", count(*rate)))
        .collect();
    Section {
        heading: format!(
            "Capacity {}: {} site(s), {} serving GPUs, {} MW serving",
            phase.name,
            phase.sites.len(),
            count(gpus),
            mw(phase.serving_mw)
        ),
        table: Some(table),
        notes: vec![format!("Output tokens/s: {}", rates.join(", "))],
    }
}

impl CompareReport {
    fn policy_section(&self) -> Section {
        let mut table = TableData::new(&[
            "Policy",
            "Phase",
            "Week (Mon-Sun)",
            "Peak util",
            "Peak at",
            "Hours over",
            "Served",
            "Throttled",
            "Shed",
            "MW to fit",
            "Fits",
        ])
        .right([3, 5, 6, 7, 8, 9]);
        // One scale for every sparkline, so rows compare.
        let top = self
            .results
            .iter()
            .map(|r| r.peak_utilization)
            .fold(self.utilization_target, f64::max);
        let mut notes: Vec<String> = Vec::new();
        for r in &self.results {
            let fits = if r.unservable_classes.is_empty() {
                yes_no(r.fits)
            } else {
                format!("NO: no capacity for {}", r.unservable_classes.join(", "))
            };
            table.row(vec![
                r.policy.clone(),
                r.phase.to_string(),
                sparkline(&r.week, 28, top),
                percent(r.peak_utilization),
                r.peak_time.clone(),
                hours(r.hours_over_target),
                percent(r.served_share),
                percent(r.throttled_share_at_peak),
                percent(r.shed_share),
                mw(r.mw_to_fit),
                fits,
            ]);
            if let Some(description) = &r.description {
                let note = format!("{}: {description}", r.policy);
                if !notes.contains(&note) {
                    notes.push(note);
                }
            }
        }
        Section {
            heading: "Policies (peak times UTC; hours over target per week; throttled = active users at the peak step)".into(),
            table: Some(table),
            notes,
        }
    }

    fn n_minus_1_section(&self) -> Section {
        let mut table = TableData::new(&[
            "Policy",
            "Phase",
            "Site lost",
            "Peak util",
            "Shed",
            "Survives",
        ])
        .right([3, 4]);
        for r in &self.results {
            let Some(n) = &r.n_minus_1 else { continue };
            let survives = if n.unservable_classes.is_empty() {
                yes_no(n.survives)
            } else {
                format!("NO: no capacity for {}", n.unservable_classes.join(", "))
            };
            table.row(vec![
                r.policy.clone(),
                r.phase.to_string(),
                n.site.clone(),
                percent(n.peak_utilization),
                percent(n.shed_share),
                survives,
            ]);
        }
        Section {
            heading: "N-1: each phase loses its largest site (survives = utilization stays at or below 100%)".into(),
            table: Some(table),
            notes: Vec::new(),
        }
    }

    fn uncertainty_section(&self) -> Section {
        let first = self.results.iter().find_map(|r| r.uncertainty.as_ref());
        let (low, high) = first.map_or((1.0, 1.0), |u| (u.low.multiplier, u.high.multiplier));
        let mut table = TableData::new(&[
            "Policy",
            "Phase",
            &format!("Low (users x{low})"),
            "Mid",
            &format!("High (users x{high})"),
            "Fits at high",
        ])
        .right([2, 3, 4]);
        for r in &self.results {
            let Some(u) = &r.uncertainty else { continue };
            table.row(vec![
                r.policy.clone(),
                r.phase.to_string(),
                percent(u.low.peak_utilization),
                percent(r.peak_utilization),
                percent(u.high.peak_utilization),
                yes_no(u.high.fits),
            ]);
        }
        Section {
            heading: "Demand uncertainty: peak utilization".into(),
            table: Some(table),
            notes: Vec::new(),
        }
    }
}
