//! Units a scenario file writes as strings: durations (`"5h"`), model steps, calendar dates
//! (`"2026-06-06"`) and peak-hour specs (`"mon-fri 13:00-19:00"`).
//!
//! Each parser returns a message that says what was expected, so the caller can attach the
//! key path and the line.

use std::fmt;

/// Minutes in the reference week (Monday 00:00 UTC to the next Monday 00:00 UTC).
pub const MINUTES_PER_WEEK: u32 = 7 * 24 * 60;

/// Hours in the reference week: the length of an hourly curve.
pub const HOURS_PER_WEEK: usize = 168;

/// Model steps the engine accepts, in minutes: each divides an hour, so an hourly curve
/// value is held constant within its hour.
pub const STEP_MINUTES: [u32; 12] = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60];

/// The units a duration may have, with their length in hours: minutes, hours, days and
/// weeks. Seconds are too short to be a rate-limit window or a model step, and months have
/// no fixed length (`"1M"` read as a month once turned a one-minute window into 30 days).
const DURATION_UNITS: [(char, f64); 4] = [('m', 1.0 / 60.0), ('h', 1.0), ('d', 24.0), ('w', 168.0)];

/// The pattern of a duration, for the JSON Schema: digits, an optional decimal part, a unit,
/// and not zero.
pub const DURATION_PATTERN: &str =
    r"^(?:[0-9]*[1-9][0-9]*(?:\.[0-9]+)?|[0-9]+\.[0-9]*[1-9][0-9]*)[mhdw]$";

/// Parses a duration such as `"5h"`, `"1m"`, `"7d"` or `"1.5h"` into hours: a number and one
/// unit of m, h, d or w, nothing else.
pub fn parse_duration_hours(text: &str) -> Result<f64, String> {
    let expected = |why: &str| {
        format!(
            "expected a duration such as \"5h\", \"1m\" or \"7d\" (a number, then m, h, d or w for minutes, hours, days or weeks), found {text:?}{why}"
        )
    };
    let Some(last) = text.chars().last() else {
        return Err(expected(""));
    };
    let Some(&(_, hours)) = DURATION_UNITS.iter().find(|(unit, _)| *unit == last) else {
        let why = match last {
            'M' => " (M is not a unit: write 30d for a month, or 1m for a minute)",
            's' => " (seconds are too short for a window or a step)",
            _ => "",
        };
        return Err(expected(why));
    };
    let number = &text[..text.len() - 1];
    let digits_only = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    let well_formed = match number.split_once('.') {
        Some((whole, fraction)) => digits_only(whole) && digits_only(fraction),
        None => digits_only(number),
    };
    let value: f64 = match number.parse() {
        Ok(value) if well_formed => value,
        _ => return Err(expected("")),
    };
    if value == 0.0 {
        return Err(format!(
            "expected a duration longer than zero, found {text:?}"
        ));
    }
    Ok(value * hours)
}

/// The steps allowed, as the JSON Schema states them.
pub const STEP_PATTERN: &str = "^(?:(?:1|2|3|4|5|6|10|12|15|20|30|60)m|1h)$";

/// Parses the model step (`"1h"`, `"15m"`, …) into whole minutes that divide an hour.
pub fn parse_step_minutes(text: &str) -> Result<u32, String> {
    let expected = "expected a step of 1h, 30m, 20m, 15m, 12m, 10m, 6m, 5m, 4m, 3m, 2m or 1m";
    STEP_MINUTES
        .iter()
        .copied()
        .find(|&m| text == format!("{m}m") || (m == 60 && text == "1h"))
        .ok_or_else(|| format!("{expected}, found {text:?}"))
}

/// A calendar date (UTC), as written `YYYY-MM-DD`; used for capacity additions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year, e.g. 2026.
    pub year: i32,
    /// Month, 1 to 12.
    pub month: u32,
    /// Day of the month, 1 to 31.
    pub day: u32,
}

impl Date {
    /// Parses `YYYY-MM-DD`, checking that the day exists in that month.
    pub fn parse(text: &str) -> Result<Date, String> {
        let expected = || format!("expected a date as \"YYYY-MM-DD\", found {text:?}");
        let parts: Vec<&str> = text.split('-').collect();
        let [y, m, d] = parts.as_slice() else {
            return Err(expected());
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(expected());
        }
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if !(all_digits(y) && all_digits(m) && all_digits(d)) {
            return Err(expected());
        }
        let (year, month, day): (i32, u32, u32) = (
            y.parse().map_err(|_| expected())?,
            m.parse().map_err(|_| expected())?,
            d.parse().map_err(|_| expected())?,
        );
        if !(1..=12).contains(&month) {
            return Err(format!("month {month} does not exist in {text:?}"));
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(format!("day {day} does not exist in {text:?}"));
        }
        Ok(Date { year, month, day })
    }
}

impl Date {
    /// The same day `months` months later, clamped to the end of a shorter month
    /// (2026-01-31 + 1 month = 2026-02-28).
    pub fn add_months(self, months: u32) -> Date {
        let index = self.year * 12 + (self.month as i32 - 1) + months as i32;
        let (year, month) = (index.div_euclid(12), index.rem_euclid(12) as u32 + 1);
        Date {
            year,
            month,
            day: self.day.min(days_in_month(year, month)),
        }
    }
}

impl Date {
    /// Days since 1970-01-01 (negative before): the day arithmetic of the timeline.
    pub fn day_number(self) -> i64 {
        // Howard Hinnant's days_from_civil, exact for every proleptic Gregorian date.
        let (month, day) = (i64::from(self.month), i64::from(self.day));
        let year = i64::from(self.year) - i64::from(month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year - era * 400;
        let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    /// The date `days` days after 1970-01-01: the inverse of [`Date::day_number`].
    pub fn from_day_number(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let day_of_era = z - era * 146_097;
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let mp = (5 * day_of_year + 2) / 153;
        let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        Date {
            year: year as i32,
            month,
            day,
        }
    }

    /// The date `days` days later (earlier when negative).
    pub fn add_days(self, days: i64) -> Date {
        Date::from_day_number(self.day_number() + days)
    }

    /// Whole days from `earlier` to this date (negative when this date comes first).
    pub fn days_since(self, earlier: Date) -> i64 {
        self.day_number() - earlier.day_number()
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// The peak steps of the reference week: half-open minute ranges `[start, end)` from
/// Monday 00:00 UTC, already split where they wrap past the end of the week.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeakHours {
    ranges: Vec<(u32, u32)>,
}

impl PeakHours {
    /// Parses specs such as `"mon-fri 13:00-19:00"`, `"sat,sun 10:00-12:00"`,
    /// `"daily 18:00-02:00"` (an end at or before the start runs into the next day).
    pub fn parse(specs: &[String]) -> Result<PeakHours, (usize, String)> {
        let mut ranges = Vec::new();
        for (index, spec) in specs.iter().enumerate() {
            let (days, start, end) = parse_peak_spec(spec).map_err(|msg| (index, msg))?;
            let length = if end > start {
                end - start
            } else {
                end + 24 * 60 - start
            };
            for day in days {
                let from = day * 24 * 60 + start;
                let to = from + length;
                if to <= MINUTES_PER_WEEK {
                    ranges.push((from, to));
                } else {
                    ranges.push((from, MINUTES_PER_WEEK));
                    ranges.push((0, to - MINUTES_PER_WEEK));
                }
            }
        }
        ranges.sort_unstable();
        Ok(PeakHours { ranges })
    }

    /// Whether the step that starts `minute` minutes after Monday 00:00 UTC is a peak step.
    pub fn contains(&self, minute: u32) -> bool {
        self.ranges
            .iter()
            .any(|&(from, to)| from <= minute && minute < to)
    }

    /// The peak flag of every step of the week at the given step length.
    pub fn mask(&self, step_minutes: u32) -> Vec<bool> {
        (0..MINUTES_PER_WEEK / step_minutes)
            .map(|step| self.contains(step * step_minutes))
            .collect()
    }
}

fn parse_peak_spec(spec: &str) -> Result<(Vec<u32>, u32, u32), String> {
    let expected = || {
        format!(
            "expected a peak-hours spec such as \"mon-fri 13:00-19:00\" (days, then HH:MM-HH:MM in UTC), found {spec:?}"
        )
    };
    let mut words = spec.split_whitespace();
    let (Some(days), Some(times), None) = (words.next(), words.next(), words.next()) else {
        return Err(expected());
    };
    let days = parse_days(days).ok_or_else(expected)?;
    let (start, end) = times.split_once('-').ok_or_else(expected)?;
    let start = parse_clock(start).ok_or_else(expected)?;
    let end = parse_clock(end).ok_or_else(expected)?;
    if start >= 24 * 60 {
        return Err(format!(
            "a peak period cannot start at 24:00, found {spec:?}"
        ));
    }
    if start == end {
        return Err(format!("a peak period must not be empty, found {spec:?}"));
    }
    Ok((days, start, end))
}

fn parse_days(text: &str) -> Option<Vec<u32>> {
    let lower = text.to_ascii_lowercase();
    if lower == "daily" || lower == "*" {
        return Some((0..7).collect());
    }
    let day = |name: &str| DAY_NAMES.iter().position(|d| *d == name).map(|d| d as u32);
    let mut days = Vec::new();
    for part in lower.split(',') {
        match part.split_once('-') {
            Some((from, to)) => {
                let (from, to) = (day(from)?, day(to)?);
                let mut d = from;
                loop {
                    days.push(d);
                    if d == to {
                        break;
                    }
                    d = (d + 1) % 7;
                }
            }
            None => days.push(day(part)?),
        }
    }
    days.sort_unstable();
    days.dedup();
    Some(days)
}

fn parse_clock(text: &str) -> Option<u32> {
    let (h, m) = text.split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    if m >= 60 || h > 24 || (h == 24 && m != 0) {
        return None;
    }
    Some(h * 60 + m)
}

/// A step's start as a label such as `"Tue 14:00"`, for tables and JSON.
pub fn step_label(step: usize, step_minutes: u32) -> String {
    let minute = step as u32 * step_minutes;
    let day = (minute / (24 * 60)) as usize % 7;
    let hour = (minute / 60) % 24;
    let min = minute % 60;
    let name = DAY_NAMES[day];
    let mut chars = name.chars();
    let first = chars.next().map(|c| c.to_ascii_uppercase()).unwrap_or('?');
    format!("{first}{} {hour:02}:{min:02}", chars.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_have_one_unit_of_m_h_d_or_w() {
        assert_eq!(parse_duration_hours("1.5h"), Ok(1.5));
        assert_eq!(parse_duration_hours("1w"), Ok(168.0));
        for bad in [
            "1M", "500ms", "30s", "5 hours", "1h30m", "-1h", "+1h", "1e3m", "inf", "h", ".5h",
            "5.h",
        ] {
            assert!(parse_duration_hours(bad).is_err(), "{bad}");
        }
        assert!(
            parse_duration_hours("1M")
                .unwrap_err()
                .contains("write 30d for a month")
        );
        assert!(
            parse_duration_hours("0h")
                .unwrap_err()
                .contains("longer than zero")
        );
        assert_eq!(parse_step_minutes("60m"), Ok(60));
        assert!(parse_step_minutes("2h").is_err());
        assert!(parse_step_minutes("0.5h").is_err());
    }

    #[test]
    fn durations_in_hours() {
        assert_eq!(parse_duration_hours("5h"), Ok(5.0));
        assert_eq!(parse_duration_hours("1m"), Ok(1.0 / 60.0));
        assert_eq!(parse_duration_hours("7d"), Ok(168.0));
        assert!(parse_duration_hours("1h 30m").is_err());
        assert!(parse_duration_hours("0h").is_err());
        assert!(parse_duration_hours("five hours").is_err());
    }

    #[test]
    fn steps_divide_an_hour() {
        assert_eq!(parse_step_minutes("1h"), Ok(60));
        assert_eq!(parse_step_minutes("15m"), Ok(15));
        assert_eq!(parse_step_minutes("1m"), Ok(1));
        assert!(parse_step_minutes("7m").is_err());
        assert!(parse_step_minutes("2h").is_err());
        assert!(parse_step_minutes("30s").is_err());
    }

    #[test]
    fn dates_are_checked() {
        assert_eq!(
            Date::parse("2026-06-06"),
            Ok(Date {
                year: 2026,
                month: 6,
                day: 6
            })
        );
        assert!(Date::parse("2026-02-29").is_err());
        assert!(Date::parse("2028-02-29").is_ok());
        assert!(Date::parse("2026-13-01").is_err());
        assert!(Date::parse("2026-6-6").is_err());
        assert!(Date::parse("June 6").is_err());
        assert_eq!(Date::parse("2026-06-06").unwrap().to_string(), "2026-06-06");
        let jan31 = Date::parse("2026-01-31").unwrap();
        // Day arithmetic round-trips over leap years and centuries.
        let epoch = Date::parse("1970-01-01").unwrap();
        assert_eq!(epoch.day_number(), 0);
        assert_eq!(Date::parse("2000-03-01").unwrap().day_number(), 11_017);
        for n in (-800_000..800_000).step_by(997) {
            assert_eq!(Date::from_day_number(n).day_number(), n);
        }
        let may = Date::parse("2026-05-01").unwrap();
        assert_eq!(Date::parse("2026-06-01").unwrap().days_since(may), 31);
        assert_eq!(may.add_days(-1).to_string(), "2026-04-30");
        assert_eq!(
            Date::parse("2028-02-28").unwrap().add_days(1).to_string(),
            "2028-02-29"
        );
        assert_eq!(jan31.add_months(1).to_string(), "2026-02-28");
        assert_eq!(jan31.add_months(13).to_string(), "2027-02-28");
        assert_eq!(jan31.add_months(25).to_string(), "2028-02-29");
        assert_eq!(jan31.add_months(11).to_string(), "2026-12-31");
        assert_eq!(jan31.add_months(0), jan31);
    }

    #[test]
    fn weekday_afternoons_are_peak() {
        let peak = PeakHours::parse(&["mon-fri 13:00-19:00".to_string()]).unwrap();
        let mask = peak.mask(60);
        assert_eq!(mask.len(), 168);
        assert_eq!(mask.iter().filter(|&&p| p).count(), 30);
        assert!(!mask[12] && mask[13] && mask[18] && !mask[19]);
        assert!(mask[4 * 24 + 13] && !mask[5 * 24 + 13]);
    }

    #[test]
    fn peak_periods_wrap_past_midnight_and_the_week() {
        let peak = PeakHours::parse(&["sun 22:00-02:00".to_string()]).unwrap();
        let mask = peak.mask(60);
        assert_eq!(mask.iter().filter(|&&p| p).count(), 4);
        assert!(mask[166] && mask[167] && mask[0] && mask[1] && !mask[2]);
        let full = PeakHours::parse(&["daily 00:00-24:00".to_string()]).unwrap();
        assert!(full.mask(15).iter().all(|&p| p));
    }

    #[test]
    fn bad_peak_specs_name_their_index() {
        let specs = [
            "mon-fri 13:00-19:00".to_string(),
            "weekdays 1pm".to_string(),
        ];
        let (index, message) = PeakHours::parse(&specs).unwrap_err();
        assert_eq!(index, 1);
        assert!(message.contains("mon-fri 13:00-19:00"), "{message}");
        assert!(PeakHours::parse(&["mon 25:00-26:00".to_string()]).is_err());
        assert!(PeakHours::parse(&["mon 10:00-10:00".to_string()]).is_err());
    }

    #[test]
    fn step_labels() {
        assert_eq!(step_label(0, 60), "Mon 00:00");
        assert_eq!(step_label(37, 60), "Tue 13:00");
        assert_eq!(step_label(167 * 4 + 3, 15), "Sun 23:45");
    }
}
