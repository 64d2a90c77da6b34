//! The plan in time (model v3): which sites serve on a date and how much of each (online,
//! ramp, offline, slips), how far demand has grown by then, and the days the timeline must
//! look at so that no month hides its worst point.

use crate::scenario::{Date, Scenario, Site, Timeline};

/// Days in the average Gregorian month: growth compounds over `days / MONTH_DAYS` months,
/// so a date inside a month has its own demand.
pub const MONTH_DAYS: f64 = 30.436875;

/// The share of a site's GPUs that serve on `date` when its `online` slips by `slip` days:
/// 0 before `online + slip` and from `offline` on; during a ramp of N days,
/// `(date - online - slip + 1) / N`; 1 otherwise.
pub fn presence(site: &Site, date: Date, slip: i64) -> f64 {
    if site.offline.is_some_and(|offline| date >= offline) {
        return 0.0;
    }
    let Some(online) = site.online else {
        return 1.0;
    };
    let since = date.days_since(online) - slip;
    if since < 0 {
        return 0.0;
    }
    match site.ramp_days {
        Some(days) if since + 1 < i64::from(days) => (since + 1) as f64 / f64::from(days),
        _ => 1.0,
    }
}

/// The last day of a site's ramp (its `online` day when it has no ramp), slipped by `slip`.
pub fn full_ramp_day(site: &Site, slip: i64) -> Option<Date> {
    site.online
        .map(|online| online.add_days(slip + i64::from(site.ramp_days.unwrap_or(1)) - 1))
}

/// The day the last addition reaches full ramp: the day v2's `after` stands for; `None`
/// when the scenario has no addition.
pub fn last_full_ramp(scenario: &Scenario) -> Option<Date> {
    scenario
        .sites
        .iter()
        .filter_map(|site| full_ramp_day(site, 0))
        .max()
}

/// Each tier's users multiplier on `date`: `(1 + g)^(days since start / MONTH_DAYS)`.
pub fn growth_factors(timeline: &Timeline, date: Date) -> Vec<f64> {
    let months = months_since(timeline.start, date);
    timeline
        .growth
        .iter()
        .map(|g| growth_factor(*g, months))
        .collect()
}

/// Fractional months from `start` to `date`.
pub fn months_since(start: Date, date: Date) -> f64 {
    date.days_since(start) as f64 / MONTH_DAYS
}

/// `(1 + rate)^months`, exactly 1 at month 0.
pub fn growth_factor(rate: f64, months: f64) -> f64 {
    if months == 0.0 {
        1.0
    } else {
        (1.0 + rate).powf(months)
    }
}

/// The last day of the timeline: the day before `start + months` months.
pub fn horizon_end(timeline: &Timeline) -> Date {
    timeline.start.add_months(timeline.months).add_days(-1)
}

/// Every day on which the fleet changes: each site's `online` (slipped), the last day of
/// its ramp, its `offline`, and every `[[phase]]` date; sorted, without repeats. `slips`
/// gives each site's delay in days (empty = none).
pub fn event_days(scenario: &Scenario, slips: &[i64]) -> Vec<Date> {
    let slip = |i: usize| slips.get(i).copied().unwrap_or(0);
    let mut days: Vec<Date> = scenario
        .sites
        .iter()
        .enumerate()
        .flat_map(|(i, site)| {
            let online = site.online.map(|d| d.add_days(slip(i)));
            let ramp_end = site.ramp_days.and_then(|_| full_ramp_day(site, slip(i)));
            [online, ramp_end, site.offline]
        })
        .flatten()
        .chain(scenario.phases.iter().map(|p| p.on))
        .collect();
    days.sort_unstable();
    days.dedup();
    days
}

/// The days a month [`first`, `next`) is evaluated on: its first and last day, every event
/// day inside it and the day before each (when that is inside it too); sorted, no repeats.
/// Between two of them the fleet is constant or ramps, so the month's worst point is one
/// of them (docs/model.md, "Time").
pub fn evaluation_days(first: Date, next: Date, events: &[Date]) -> Vec<Date> {
    let last = next.add_days(-1);
    let mut days = vec![first, last];
    for &event in events.iter().filter(|&&d| first <= d && d < next) {
        days.push(event);
        let eve = event.add_days(-1);
        if eve >= first {
            days.push(eve);
        }
    }
    days.sort_unstable();
    days.dedup();
    days
}

/// A site's ramp of more than one day, its `online` slipped by `slip`: the first and the
/// last day on which its share changes.
pub fn ramp_span(site: &Site, slip: i64) -> Option<(Date, Date)> {
    match (site.online, site.ramp_days) {
        (Some(online), Some(days)) if days > 1 => {
            let start = online.add_days(slip);
            Some((start, start.add_days(i64::from(days) - 1)))
        }
        _ => None,
    }
}

/// Whether the ramp of some site (with `slips`, by site) meets `overlaps(first, last)`.
fn any_ramp(scenario: &Scenario, slips: &[i64], overlaps: impl Fn(Date, Date) -> bool) -> bool {
    scenario.sites.iter().enumerate().any(|(i, site)| {
        ramp_span(site, slips.get(i).copied().unwrap_or(0))
            .is_some_and(|(start, end)| overlaps(start, end))
    })
}

/// Whether some site ramps on a day strictly between `a` and `b` (its share then changes
/// from day to day, so fit need not be monotone there).
pub fn ramps_between(scenario: &Scenario, slips: &[i64], a: Date, b: Date) -> bool {
    b.days_since(a) > 1 && any_ramp(scenario, slips, |start, end| start < b && a < end)
}

/// Whether some site ramps on a day of [`first`, `next`): then capacity rises inside the
/// month, and its first day and every event day may be its worst.
pub fn ramps_during(scenario: &Scenario, slips: &[i64], first: Date, next: Date) -> bool {
    any_ramp(scenario, slips, |start, end| start < next && first <= end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(online: Option<&str>, ramp: Option<u32>, offline: Option<&str>) -> Site {
        Site {
            name: "s".into(),
            power_mw: 1.0,
            pue: 1.0,
            availability: 1.0,
            serving_share: crate::scenario::ServingShare::Fixed(1.0),
            online: online.map(|d| Date::parse(d).unwrap()),
            offline: offline.map(|d| Date::parse(d).unwrap()),
            ramp_days: ramp,
            gpus: Vec::new(),
            cost_per_mw_month: 0.0,
        }
    }

    fn day(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn a_thirty_day_ramp_is_at_half_on_its_fifteenth_day() {
        let s = site(Some("2026-06-01"), Some(30), None);
        assert_eq!(presence(&s, day("2026-05-31"), 0), 0.0);
        assert_eq!(presence(&s, day("2026-06-01"), 0), 1.0 / 30.0);
        assert_eq!(presence(&s, day("2026-06-15"), 0), 0.5);
        assert_eq!(presence(&s, day("2026-06-30"), 0), 1.0);
        assert_eq!(presence(&s, day("2027-01-01"), 0), 1.0);
        // A slip of 10 days moves the whole ramp.
        assert_eq!(presence(&s, day("2026-06-25"), 10), 0.5);
        assert_eq!(full_ramp_day(&s, 0), Some(day("2026-06-30")));
    }

    #[test]
    fn offline_is_the_first_day_without_the_site() {
        let s = site(None, None, Some("2026-09-01"));
        assert_eq!(presence(&s, day("2026-08-31"), 0), 1.0);
        assert_eq!(presence(&s, day("2026-09-01"), 0), 0.0);
    }

    #[test]
    fn growth_compounds_over_fractional_months() {
        let timeline = Timeline {
            start: day("2026-05-01"),
            months: 12,
            growth: vec![0.1],
        };
        assert_eq!(growth_factors(&timeline, day("2026-05-01")), [1.0]);
        let june = growth_factors(&timeline, day("2026-06-01"))[0];
        assert!((june - 1.1_f64.powf(31.0 / 30.436875)).abs() < 1e-15);
        assert_eq!(horizon_end(&timeline), day("2027-04-30"));
    }

    #[test]
    fn a_month_is_looked_at_on_each_event_and_its_eve() {
        let days = evaluation_days(
            day("2026-06-01"),
            day("2026-07-01"),
            &[day("2026-06-01"), day("2026-06-06"), day("2026-07-01")],
        );
        let days: Vec<String> = days.iter().map(ToString::to_string).collect();
        assert_eq!(
            days,
            ["2026-06-01", "2026-06-05", "2026-06-06", "2026-06-30"]
        );
    }
}
