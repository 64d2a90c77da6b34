//! Numbers and units as people read them, and as CSV keeps them. A leaf: it imports nothing
//! from the crate, so every layer (scenario messages, plan verdicts, reports) may use it and
//! the same figure reads the same everywhere.

/// A fraction as a percentage with one decimal: 0.8531 → "85.3%".
pub fn percent(fraction: f64) -> String {
    format!("{:.1}%", fraction * 100.0)
}

/// Megawatts with two decimals.
pub fn mw(value: f64) -> String {
    format!("{value:.2}")
}

/// Hours with up to two decimals (quarter-hour steps), no trailing zeros.
pub fn hours(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A rate-limit window: minutes below an hour ("1m"), hours otherwise ("5h").
pub fn window(hours_: f64) -> String {
    if hours_ < 1.0 {
        format!("{}m", hours(hours_ * 60.0))
    } else {
        format!("{}h", hours(hours_))
    }
}

/// A count rounded to a whole number with thousands separators: 1234567.8 → "1,234,568".
pub fn count(value: f64) -> String {
    let rounded = value.round();
    let digits = format!("{:.0}", rounded.abs());
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    if rounded < 0.0 {
        format!("-{grouped}")
    } else {
        grouped
    }
}

/// US dollars, whole, with thousands separators: 1234567.8 → "$1,234,568"; "-$5" below 0.
pub fn usd(value: f64) -> String {
    let text = count(value.abs());
    if value.round() < 0.0 {
        format!("-${text}")
    } else {
        format!("${text}")
    }
}

/// A count and its noun, singular for one: `1 site`, `3 sites`, `1,200 samples` (never
/// `site(s)`).
pub fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{} {many}", count(n as f64))
    }
}

/// "yes" or "NO", so failures stand out in a column.
pub fn yes_no(value: bool) -> String {
    if value { "yes" } else { "NO" }.to_string()
}

/// A number for CSV: full precision, the shortest text that reads back the same.
pub fn num(value: f64) -> String {
    value.to_string()
}

/// An optional number for CSV: empty when absent.
pub fn opt_num(value: Option<f64>) -> String {
    value.map(num).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(count(1234567.8), "1,234,568");
        assert_eq!(count(999.0), "999");
        assert_eq!(count(0.0), "0");
        assert_eq!(count(-1500.0), "-1,500");
        assert_eq!(percent(0.8531), "85.3%");
        assert_eq!(hours(30.0), "30");
        assert_eq!(hours(2.25), "2.25");
        assert_eq!(mw(12.3456), "12.35");
        assert_eq!(yes_no(false), "NO");
        assert_eq!(usd(1234567.8), "$1,234,568");
        assert_eq!(usd(-5.2), "-$5");
        assert_eq!(usd(-0.2), "$0");
        assert_eq!(plural(1, "site", "sites"), "1 site");
        assert_eq!(plural(0, "site", "sites"), "0 sites");
        assert_eq!(plural(1200, "sample", "samples"), "1,200 samples");
    }

    #[test]
    fn csv_numbers_keep_full_precision() {
        assert_eq!(num(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(num(2.0), "2");
        assert_eq!(opt_num(None), "");
        assert_eq!(opt_num(Some(0.5)), "0.5");
    }
}

/// A number as a message quotes what it found: as written for everyday magnitudes, in
/// scientific form when huge or tiny (`1e300`, not 301 digits; `5e-324`, not 324 zeros).
pub fn found(value: f64) -> String {
    let magnitude = value.abs();
    if value.is_finite() && value != 0.0 && !(1e-4..1e15).contains(&magnitude) {
        format!("{value:e}")
    } else {
        format!("{value}")
    }
}

#[cfg(test)]
mod found_tests {
    use super::found;

    #[test]
    fn huge_and_tiny_numbers_are_scientific() {
        assert_eq!(found(1e300), "1e300");
        assert_eq!(found(5e-324), "5e-324");
        assert_eq!(found(-2.5e20), "-2.5e20");
        assert_eq!(found(0.85), "0.85");
        assert_eq!(found(12000000.0), "12000000");
        assert_eq!(found(0.0), "0");
    }
}
