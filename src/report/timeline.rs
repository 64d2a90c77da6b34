//! Renders the answer of `timeline`: peak utilization per policy per month, additions
//! marked, and each policy's runway.

use super::Render;
use super::compare::chance_cell;
use super::document::{Document, Section, TableData};
use crate::fmt::{count, mw, num, percent};
use crate::plan::{Fit, MonthAnswer, Runway, TimelineAnswer};

impl Runway {
    /// The runway in words, to the day: "holds until 2026-07-14" (it fits from the start),
    /// "fits from 2026-06-06; holds until 2026-07-14", "fits from 2026-06-06 to the end",
    /// "fits throughout" or "never fits", with "; fits again from 2026-09-01" when it
    /// returns to fitting after its first run.
    pub fn summary(&self) -> String {
        let later = match (&self.first_fit, &self.first_miss) {
            (Some(fit), Some(miss)) => fit > miss,
            _ => false,
        };
        let again = self
            .fits_again
            .as_ref()
            .map_or(String::new(), |day| format!("; fits again from {day}"));
        match (&self.first_fit, &self.holds_until) {
            _ if self.fits_throughout => "fits throughout".to_string(),
            (None, _) => "never fits".to_string(),
            (Some(fit), Some(until)) if later => {
                format!("fits from {fit}; holds until {until}{again}")
            }
            (Some(_), Some(until)) => format!("holds until {until}{again}"),
            (Some(fit), None) => format!("fits from {fit} to the end"),
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
        if let Some(first) = self.runway.iter().find_map(|r| r.sampled.as_ref()) {
            let runways: Vec<String> = self
                .runway
                .iter()
                .filter_map(|r| {
                    let s = r.sampled.as_ref()?.runway_months;
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
        header.push("Fleet changes (MM-DD)");
        let mut table = TableData::new(&header)
            .right(1..3 + policies.len())
            .droppable([2, 1]);
        for month in &self.months {
            let mut row = vec![
                month.date[..7].to_string(),
                month.sites_online.to_string(),
                mw(month.serving_mw),
            ];
            row.extend(month.results.iter().map(|r| {
                // The worst day, when the month does not fit there.
                let day = &r.worst_date[5..];
                match (r.fits, r.verdict) {
                    (true, _) => percent(r.peak_utilization),
                    (false, Fit::OverTarget) => {
                        format!("{} over {day}", percent(r.peak_utilization))
                    }
                    // Within the target, yet it does not fit: the training floor, or a
                    // class nothing serves (or a day other than the worst one).
                    (false, _) => format!("{} fails {day}", percent(r.peak_utilization)),
                }
            }));
            let changes: Vec<String> = month
                .additions
                .iter()
                .zip(&month.additions_on)
                .map(|(site, on)| format!("+{site} ({})", &on[5..]))
                .chain(
                    month
                        .removals
                        .iter()
                        .zip(&month.removals_on)
                        .map(|(site, on)| format!("-{site} ({})", &on[5..])),
                )
                .collect();
            row.push(changes.join(", "));
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
            if let Some(s) = &r.sampled {
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
                    count(self.runway.iter().find_map(|r| r.sampled.as_ref()).map_or(0, |s| s.samples) as f64)
                ),
                table: Some(table),
                notes: vec![
                    "Each sample draws users, tokens per active hour, throughput and growth once for every tier, and each addition's slip ([uncertainty]); a month fits when it fits on every day looked at.".into(),
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
            "worst_date",
            "sites_online",
            "serving_mw",
            "additions",
            "removals",
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
                    r.worst_date.clone(),
                    month.sites_online.to_string(),
                    num(month.serving_mw),
                    month.additions.join(";"),
                    month.removals.join(";"),
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

    fn runway(fit: Option<&str>, miss: Option<&str>, until: Option<&str>) -> Runway {
        Runway {
            policy: "p".into(),
            first_fit: fit.map(String::from),
            first_miss: miss.map(String::from),
            holds_until: until.map(String::from),
            fits_again: None,
            fits_throughout: miss.is_none() && fit.is_some(),
            sampled: None,
        }
    }

    #[test]
    fn a_runway_is_said_to_the_day() {
        let start = Some("2026-05-01");
        assert_eq!(
            runway(start, Some("2026-07-15"), Some("2026-07-14")).summary(),
            "holds until 2026-07-14"
        );
        assert_eq!(
            runway(Some("2026-06-06"), start, Some("2026-07-14")).summary(),
            "fits from 2026-06-06; holds until 2026-07-14"
        );
        assert_eq!(
            runway(Some("2026-06-06"), start, None).summary(),
            "fits from 2026-06-06 to the end"
        );
        assert_eq!(runway(None, start, None).summary(), "never fits");
        let mut gap = runway(start, Some("2026-05-21"), Some("2026-05-20"));
        gap.fits_again = Some("2026-07-01".into());
        assert_eq!(
            gap.summary(),
            "holds until 2026-05-20; fits again from 2026-07-01"
        );
        assert_eq!(runway(start, None, None).summary(), "fits throughout");
    }
}
