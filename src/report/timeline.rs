//! Renders the answer of `timeline`: peak utilization per policy per month, additions
//! marked, and each policy's runway.

use super::Render;
use super::compare::chance_cell;
use super::document::{Document, Section, TableData};
use crate::fmt::{count, mw, num, percent};
use crate::plan::{Fit, MonthAnswer, Runway, TimelineAnswer};

impl Runway {
    /// The runway in words: from the first month it fits, the first month it misses, and
    /// whether it fits again later, so a gap is never hidden ("fits from 2026-05; first
    /// miss 2026-06; fits again through 2026-07").
    pub fn summary(&self) -> String {
        let month = |date: &Option<String>| date.as_deref().map(|d| d[..7].to_string());
        match (
            month(&self.first_fit),
            month(&self.first_miss),
            month(&self.last_fit),
        ) {
            _ if self.fits_throughout => "fits throughout".to_string(),
            (None, ..) => "never fits".to_string(),
            (Some(first), Some(miss), Some(last)) if first < miss && miss < last => {
                format!("fits from {first}; first miss {miss}; fits again through {last}")
            }
            (Some(first), Some(miss), _) if miss > first => {
                format!("fits from {first}; first miss {miss}")
            }
            (Some(first), _, Some(last)) if first == last => format!("fits in {first} only"),
            (Some(first), _, Some(last)) => format!("fits from {first} through {last}"),
            (Some(first), ..) => format!("fits from {first}"),
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

impl TimelineAnswer {
    /// The verdict again, short, to close the output: policies with the same runway on
    /// one line ("Fits throughout: current, double-5h.").
    fn summary(&self) -> Section {
        let mut groups: Vec<(String, Vec<&str>)> = Vec::new();
        for r in &self.runway {
            let runway = r.summary();
            match groups.iter_mut().find(|(s, _)| *s == runway) {
                Some((_, policies)) => policies.push(&r.policy),
                None => groups.push((runway, vec![&r.policy])),
            }
        }
        let mut notes: Vec<String> = groups
            .into_iter()
            .map(|(runway, policies)| {
                let mut runway = runway;
                if let Some(first) = runway.get_mut(..1) {
                    first.make_ascii_uppercase();
                }
                format!("{runway}: {}.", policies.join(", "))
            })
            .collect();
        if notes.is_empty() {
            notes.push("No policy selected.".into());
        }
        Section {
            heading: "Summary".into(),
            table: None,
            notes,
        }
    }
}

impl Render for TimelineAnswer {
    fn document(&self) -> Document {
        let mut verdict = Section {
            heading: "Verdict".into(),
            table: None,
            notes: self
                .runway
                .iter()
                .map(|r| format!("{}: {}.", r.policy, r.summary()))
                .collect(),
        };
        let months_total = self.months.len();
        // A sampled runway in months; "18+" when it never misses in the 18 months.
        let months = |m: f64| {
            if m as usize >= months_total {
                format!("{months_total}+")
            } else {
                format!("{m}")
            }
        };
        if let Some(first) = self.runway.iter().find_map(|r| r.sampled) {
            let runways: Vec<String> = self
                .runway
                .iter()
                .filter_map(|r| {
                    let s = r.sampled?.runway_months;
                    Some(format!(
                        "{} {}/{}/{}",
                        r.policy,
                        months(s.p10),
                        months(s.p50),
                        months(s.p90)
                    ))
                })
                .collect();
            verdict.notes.push(format!(
                "Runway over {} samples, months before the first miss (p10/p50/p90): {}.",
                count(first.samples as f64),
                runways.join(", ")
            ));
        }
        let policies: Vec<&str> = self.runway.iter().map(|r| r.policy.as_str()).collect();
        let mut header = vec!["Month", "Sites", "Serving MW"];
        header.extend(policies.iter().copied());
        header.push("Comes online (MM-DD)");
        let mut table = TableData::new(&header)
            .right(1..3 + policies.len())
            .droppable([2, 1]);
        for month in &self.months {
            let mut row = vec![
                month.date[..7].to_string(),
                month.sites_online.to_string(),
                mw(month.serving_mw),
            ];
            row.extend(month.results.iter().map(|r| match r.verdict {
                Fit::Fits => percent(r.peak_utilization),
                Fit::OverTarget => format!("{} over", percent(r.peak_utilization)),
                // Within the target, yet it does not fit: the training floor, or a class
                // nothing serves.
                Fit::TrainingFloor | Fit::NoCapacity => {
                    format!("{} fails", percent(r.peak_utilization))
                }
            }));
            let arriving: Vec<String> = month
                .additions
                .iter()
                .zip(&month.additions_on)
                .map(|(site, on)| format!("{site} ({})", &on[5..]))
                .collect();
            row.push(arriving.join(", "));
            table.row(row);
        }
        let sampled = self.runway.iter().any(|r| r.sampled.is_some());
        let mut runway = TableData::new(&["Policy", "Runway", "Does not fit in"]);
        if sampled {
            for column in ["Sampled runway p10", "p50", "p90", "Fits throughout"] {
                runway.header.push(column.to_string());
            }
            runway = runway.right([3, 4, 5, 6]).droppable([6, 2]);
        }
        for (i, r) in self.runway.iter().enumerate() {
            let mut row = vec![
                r.policy.clone(),
                r.summary(),
                over_target_runs(&self.months, i),
            ];
            if let Some(s) = r.sampled {
                row.extend([
                    months(s.runway_months.p10),
                    months(s.runway_months.p50),
                    months(s.runway_months.p90),
                    chance_cell(s.p_fits_throughout, s.p_fits_throughout_standard_error),
                ]);
            }
            runway.row(row);
        }
        // The chance to fit, month by month, over the samples.
        let chances = sampled.then(|| {
            let mut header = vec!["Month"];
            header.extend(policies.iter().copied());
            let mut table = TableData::new(&header).right(1..1 + policies.len());
            for month in &self.months {
                let mut row = vec![month.date[..7].to_string()];
                row.extend(month.results.iter().map(|r| {
                    r.sampled
                        .map(|s| percent(s.p_fits))
                        .unwrap_or_default()
                }));
                table.row(row);
            }
            Section {
                heading: format!(
                    "Chance to fit by month over {} samples",
                    count(self.runway.iter().find_map(|r| r.sampled).map_or(0, |s| s.samples) as f64)
                ),
                table: Some(table),
                notes: vec![
                    "Each sample draws users, tokens per active hour, throughput and growth once for every tier ([uncertainty]).".into(),
                ],
            }
        });
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
                verdict,
                Section {
                    heading: "Peak utilization by month (\"over\" = above target; \"fails\" = within it, but below the training floor or with a class unserved)".into(),
                    table: Some(table),
                    notes: vec![format!("User growth a month: {}", growth.join(", "))],
                },
                Section {
                    heading: "Runway".into(),
                    table: Some(runway),
                    notes: if sampled {
                        vec![format!("Sampled runway: months from the start before the first miss; {months_total}+ = no miss in the {months_total} months.")]
                    } else {
                        Vec::new()
                    },
                },
            ]
            .into_iter()
            .chain(chances)
            .chain([self.summary()])
            .collect(),
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
        let sampled = self.runway.iter().any(|r| r.sampled.is_some());
        if sampled {
            table.header.push("p_fits".to_string());
        }
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
                if let (true, Some(s)) = (sampled, r.sampled) {
                    let row = table.rows.last_mut().expect("a row was just added");
                    row.push(num(s.p_fits));
                }
            }
        }
        table
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runway(first_fit: Option<&str>, last_fit: Option<&str>, first_miss: Option<&str>) -> Runway {
        Runway {
            policy: "p".into(),
            first_fit: first_fit.map(String::from),
            last_fit: last_fit.map(String::from),
            first_miss: first_miss.map(String::from),
            fits_throughout: first_miss.is_none() && first_fit.is_some(),
            sampled: None,
        }
    }

    #[test]
    fn a_runway_never_hides_a_gap() {
        let gap = runway(Some("2026-05-01"), Some("2026-07-01"), Some("2026-06-01"));
        assert_eq!(
            gap.summary(),
            "fits from 2026-05; first miss 2026-06; fits again through 2026-07"
        );
        let runs_out = runway(Some("2026-05-01"), Some("2026-08-01"), Some("2026-09-01"));
        assert_eq!(runs_out.summary(), "fits from 2026-05; first miss 2026-09");
        let late = runway(Some("2026-07-01"), Some("2026-08-01"), Some("2026-05-01"));
        assert_eq!(late.summary(), "fits from 2026-07 through 2026-08");
        let once = runway(Some("2026-07-01"), Some("2026-07-01"), Some("2026-05-01"));
        assert_eq!(once.summary(), "fits in 2026-07 only");
        assert_eq!(
            runway(None, None, Some("2026-05-01")).summary(),
            "never fits"
        );
        assert_eq!(
            runway(Some("2026-05-01"), Some("2026-08-01"), None).summary(),
            "fits throughout"
        );
    }
}
