//! What capplan prints: the [`CompareReport`] (the JSON contract of docs/model.md, also the
//! source of every other format) and the renderers for tables, Markdown, CSV and JSON.
//! Renderers write to any `io::Write`, so tests render into a `Vec<u8>`.

mod csv;
pub mod table;

use std::io;

use indexmap::IndexMap;
use serde::Serialize;

use crate::model::{Comparison, FleetCapacity, Phase};
use crate::scenario::Scenario;
use crate::scenario::units::step_label;

/// Version of the JSON layout; raised only when a field changes meaning or goes away.
pub const SCHEMA_VERSION: u32 = 1;

/// Output formats shared by every command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human-readable tables.
    Table,
    /// The stable JSON contract for CI.
    Json,
    /// One row per policy and phase.
    Csv,
    /// GitHub-flavoured Markdown tables.
    Markdown,
}

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
}

/// The verdict of `check`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckVerdict {
    /// The phase gated on.
    pub phase: &'static str,
    /// True when every selected policy fits.
    pub passed: bool,
    /// Names of the policies that do not fit.
    pub failing: Vec<String>,
}

impl CompareReport {
    /// Builds the report of a comparison.
    pub fn new(scenario: &Scenario, comparison: &Comparison) -> CompareReport {
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
            results: comparison
                .results
                .iter()
                .map(|result| {
                    let h = &result.headroom;
                    ResultReport {
                        policy: scenario.policies[result.policy].name.clone(),
                        description: scenario.policies[result.policy].description.clone(),
                        phase: result.phase.name(),
                        peak_utilization: h.peak_utilization,
                        peak_step: h.peak_step,
                        peak_time: step_label(h.peak_step, scenario.step_minutes),
                        hours_over_target: h.hours_over_target,
                        served_share: h.served_share,
                        throttled_share_at_peak: h.throttled_share_at_peak,
                        shed_share: h.shed_share,
                        mw_to_fit: h.mw_to_fit,
                        unservable_classes: h
                            .unservable_classes
                            .iter()
                            .map(|&c| scenario.classes[c].clone())
                            .collect(),
                        fits: h.fits,
                    }
                })
                .collect(),
            check: None,
        }
    }

    /// Writes the report in the given format.
    pub fn write(&self, format: Format, out: &mut dyn io::Write) -> io::Result<()> {
        match format {
            Format::Table => table::write(self, table::Style::Terminal, out),
            Format::Markdown => table::write(self, table::Style::Markdown, out),
            Format::Csv => csv::write(self, out),
            Format::Json => {
                serde_json::to_writer_pretty(&mut *out, self)?;
                writeln!(out)
            }
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
