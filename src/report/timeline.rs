//! Renders the answer of `timeline`: peak utilization per policy per month, additions
//! marked, and each policy's runway.

use super::Render;
use super::document::{Document, Section, TableData};
use crate::fmt::{mw, num, percent};
use crate::plan::{MonthAnswer, Runway, TimelineAnswer};

impl Runway {
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
fn over_target_runs(months: &[MonthAnswer], policy: usize) -> String {
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

impl Render for TimelineAnswer {
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
