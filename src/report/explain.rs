//! The report of `explain`: the make-up of the peak and what more capacity would buy.

use serde::Serialize;

use super::document::{Document, Section, TableData, count, mw, percent, yes_no};
use super::{Report, num, opt_num};

/// Everything `explain` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExplainReport {
    /// Raised when the layout changes incompatibly.
    pub schema_version: u32,
    /// Scenario name.
    pub scenario: String,
    /// The policy explained.
    pub policy: String,
    /// The phase explained.
    pub phase: &'static str,
    /// Share of capacity usable at the latency SLO.
    pub utilization_target: f64,
    /// Peak utilization.
    pub peak_utilization: f64,
    /// The peak step, from Monday 00:00 UTC.
    pub peak_step: usize,
    /// The peak step's start, e.g. `"Mon 14:00"` (UTC).
    pub peak_time: String,
    /// Whether the peak step is in `peak_hours`.
    pub peak_hour: bool,
    /// Whether the policy fits.
    pub fits: bool,
    /// Classes with demand but no capacity in the phase (their load is not in the peak).
    pub unservable_classes: Vec<String>,
    /// Each tier at the peak step.
    pub tiers: Vec<Share>,
    /// Each model class at the peak step.
    pub classes: Vec<Share>,
    /// Sites with more GPUs than power.
    pub power_bound_sites: Vec<PowerBoundSite>,
    /// Peak utilization after one change each.
    pub what_if: Vec<WhatIf>,
}

/// A tier's or class's part of the load at the peak step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Share {
    /// Tier or class name.
    pub name: String,
    /// Its contribution to utilization (the parts sum to the peak utilization).
    pub utilization: f64,
    /// Its share of the load.
    pub load_share: f64,
    /// Active users throttled (tiers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub throttled_users: Option<f64>,
    /// Its share of all throttled users (tiers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub throttled_share: Option<f64>,
}

/// A site whose power cannot run all its GPUs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PowerBoundSite {
    /// Site name.
    pub name: String,
    /// Share of its GPUs it can power.
    pub power_factor: f64,
    /// GPUs it cannot power.
    pub unpowered_gpus: f64,
    /// Facility MW it lacks to power every GPU.
    pub mw_to_power_all: f64,
}

/// One change and its effect on the peak.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WhatIf {
    /// The change, in words.
    pub change: String,
    /// Peak utilization after it.
    pub peak_utilization: f64,
    /// Change in peak utilization, percentage points (negative = better).
    pub change_points: f64,
    /// Whether the policy fits after it.
    pub fits: bool,
}

impl Report for ExplainReport {
    fn document(&self) -> Document {
        let mut tiers = TableData::new(&[
            "Tier",
            "Utilization",
            "Share of load",
            "Throttled users",
            "Share of throttled",
        ])
        .right([1, 2, 3, 4]);
        for t in &self.tiers {
            tiers.row(vec![
                t.name.clone(),
                percent(t.utilization),
                percent(t.load_share),
                t.throttled_users.map(count).unwrap_or_default(),
                t.throttled_share.map(percent).unwrap_or_default(),
            ]);
        }
        let mut classes = TableData::new(&["Class", "Utilization", "Share of load"]).right([1, 2]);
        for c in &self.classes {
            classes.row(vec![
                c.name.clone(),
                percent(c.utilization),
                percent(c.load_share),
            ]);
        }
        let power_notes = if self.power_bound_sites.is_empty() {
            vec!["No site is power-bound.".to_string()]
        } else {
            self.power_bound_sites
                .iter()
                .map(|s| {
                    format!(
                        "{} is power-bound: it powers {} of its GPUs; {} GPUs stand idle; {} MW more would power them all",
                        s.name,
                        percent(s.power_factor),
                        count(s.unpowered_gpus),
                        mw(s.mw_to_power_all)
                    )
                })
                .collect()
        };
        let mut what_if =
            TableData::new(&["Change", "Peak util", "Change (points)", "Fits"]).right([1, 2]);
        for w in &self.what_if {
            what_if.row(vec![
                w.change.clone(),
                percent(w.peak_utilization),
                format!("{:+.2}", w.change_points),
                yes_no(w.fits),
            ]);
        }
        Document {
            title: format!(
                "{} — explain {} ({}): peak utilization {} at {} UTC{}, target {}",
                self.scenario,
                self.policy,
                self.phase,
                percent(self.peak_utilization),
                self.peak_time,
                if self.peak_hour { " (a peak hour)" } else { "" },
                percent(self.utilization_target)
            ) + &if self.unservable_classes.is_empty() {
                String::new()
            } else {
                format!(
                    "; NO capacity for {} in this phase",
                    self.unservable_classes.join(", ")
                )
            },
            sections: vec![
                Section {
                    heading: "Tiers at the peak step".into(),
                    table: Some(tiers),
                    notes: Vec::new(),
                },
                Section {
                    heading: "Model classes at the peak step".into(),
                    table: Some(classes),
                    notes: Vec::new(),
                },
                Section {
                    heading: "Power".into(),
                    table: None,
                    notes: power_notes,
                },
                Section {
                    heading: "What more capacity would buy".into(),
                    table: Some(what_if),
                    notes: Vec::new(),
                },
            ],
        }
    }

    fn csv(&self) -> TableData {
        let mut table = TableData::new(&[
            "kind",
            "name",
            "utilization",
            "load_share",
            "throttled_users",
            "throttled_share",
        ]);
        for (kind, shares) in [("tier", &self.tiers), ("class", &self.classes)] {
            for s in shares {
                table.row(vec![
                    kind.to_string(),
                    s.name.clone(),
                    num(s.utilization),
                    num(s.load_share),
                    opt_num(s.throttled_users),
                    opt_num(s.throttled_share),
                ]);
            }
        }
        for w in &self.what_if {
            table.row(vec![
                "what_if".into(),
                w.change.clone(),
                num(w.peak_utilization),
                String::new(),
                String::new(),
                String::new(),
            ]);
        }
        table
    }
}
