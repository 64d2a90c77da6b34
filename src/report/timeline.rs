//! The report of `timeline`: peak utilization per policy per month, additions marked, and
//! each policy's runway.

use indexmap::IndexMap;
use serde::Serialize;

use super::document::{Document, Section, TableData, mw, percent};
use super::{Report, num};

/// Everything `timeline` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineReport {
    /// Raised when the layout changes incompatibly.
    pub schema_version: u32,
    /// Scenario name.
    pub scenario: String,
    /// Share of capacity usable at the latency SLO.
    pub utilization_target: f64,
    /// The first month's date.
    pub start: String,
    /// Monthly compound growth of users per tier.
    pub growth: IndexMap<String, f64>,
    /// One entry per month, in order.
    pub months: Vec<MonthReport>,
    /// One entry per policy.
    pub runway: Vec<RunwayReport>,
}

/// One month of the timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthReport {
    /// Months since the start (0 = the start month).
    pub month: u32,
    /// The date evaluated: sites online on this date count.
    pub date: String,
    /// Sites online on the date.
    pub sites_online: usize,
    /// Sites that came online since the previous month's date.
    pub additions: Vec<String>,
    /// Serving MW online.
    pub serving_mw: f64,
    /// One entry per selected policy, in file order.
    pub results: Vec<MonthResult>,
}

/// One policy in one month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthResult {
    /// Policy name.
    pub policy: String,
    /// Peak utilization of the reference week with that month's fleet and demand.
    pub peak_utilization: f64,
    /// When in the week the peak falls (UTC).
    pub peak_time: String,
    /// Peak within the target and nothing unservable.
    pub fits: bool,
}

/// How long a policy keeps fitting.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunwayReport {
    /// Policy name.
    pub policy: String,
    /// The first month it fits; null if it never does.
    pub first_fit: Option<String>,
    /// The last month it fits (its runway); null if it never does.
    pub last_fit: Option<String>,
    /// The first month it does not fit; null if it fits throughout.
    pub first_miss: Option<String>,
    /// True when it fits in every month.
    pub fits_throughout: bool,
}

impl RunwayReport {
    /// The runway in words: the last month it fits.
    pub fn summary(&self) -> String {
        match &self.last_fit {
            _ if self.fits_throughout => "fits throughout".to_string(),
            Some(last) => format!("fits through {}", &last[..7]),
            None => "never fits".to_string(),
        }
    }
}

/// The months a policy is over target, as runs: "2026-06; 2027-04 to 2027-10".
fn over_target_runs(months: &[MonthReport], policy: usize) -> String {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for (i, month) in months.iter().enumerate() {
        if month.results[policy].fits {
            continue;
        }
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == i => *end = i,
            _ => runs.push((i, i)),
        }
    }
    if runs.is_empty() {
        return "-".to_string();
    }
    let month = |i: usize| &months[i].date[..7];
    runs.iter()
        .map(|&(a, b)| {
            if a == b {
                month(a).to_string()
            } else {
                format!("{} to {}", month(a), month(b))
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

impl Report for TimelineReport {
    fn document(&self) -> Document {
        let policies: Vec<&str> = self.runway.iter().map(|r| r.policy.as_str()).collect();
        let mut header = vec!["Month", "Sites", "Serving MW"];
        header.extend(policies.iter().copied());
        header.push("Online this month");
        let mut table = TableData::new(&header).right(1..3 + policies.len());
        for month in &self.months {
            let mut row = vec![
                month.date[..7].to_string(),
                month.sites_online.to_string(),
                mw(month.serving_mw),
            ];
            row.extend(month.results.iter().map(|r| {
                if r.fits {
                    percent(r.peak_utilization)
                } else {
                    format!("{} over", percent(r.peak_utilization))
                }
            }));
            row.push(month.additions.join(", "));
            table.row(row);
        }
        let mut runway = TableData::new(&["Policy", "Runway", "Over target in"]);
        for (i, r) in self.runway.iter().enumerate() {
            runway.row(vec![
                r.policy.clone(),
                r.summary(),
                over_target_runs(&self.months, i),
            ]);
        }
        let growth: Vec<String> = self
            .growth
            .iter()
            .map(|(tier, g)| format!("{tier} {}", percent(*g)))
            .collect();
        Document {
            title: format!(
                "{} — timeline from {}, utilization target {}",
                self.scenario,
                self.start,
                percent(self.utilization_target)
            ),
            sections: vec![
                Section {
                    heading: "Peak utilization by month (\"over\" = above target)".into(),
                    table: Some(table),
                    notes: vec![format!("User growth a month: {}", growth.join(", "))],
                },
                Section {
                    heading: "Runway".into(),
                    table: Some(runway),
                    notes: Vec::new(),
                },
            ],
        }
    }

    fn csv(&self) -> TableData {
        let mut table = TableData::new(&[
            "month",
            "date",
            "policy",
            "peak_utilization",
            "peak_time",
            "fits",
            "sites_online",
            "serving_mw",
            "additions",
        ]);
        for month in &self.months {
            for r in &month.results {
                table.row(vec![
                    month.month.to_string(),
                    month.date.clone(),
                    r.policy.clone(),
                    num(r.peak_utilization),
                    r.peak_time.clone(),
                    r.fits.to_string(),
                    month.sites_online.to_string(),
                    num(month.serving_mw),
                    month.additions.join(";"),
                ]);
            }
        }
        table
    }
}
