//! Activity curves: the share of a tier's users active over the reference week, as written
//! inline (hourly) or in a CSV file from telemetry (hourly or per minute), and resampled to
//! the model step.

use super::units::{HOURS_PER_WEEK, MINUTES_PER_WEEK};

/// A curve at its own resolution.
#[derive(Debug, Clone, PartialEq)]
pub struct CurveValues {
    /// Minutes each value covers: 60 (hourly) or 1 (per minute).
    pub minutes_per_value: u32,
    /// The values from Monday 00:00 UTC, each in [0, 1].
    pub values: Vec<f64>,
}

impl CurveValues {
    /// An hourly curve (168 values).
    pub fn hourly(values: Vec<f64>) -> CurveValues {
        CurveValues {
            minutes_per_value: 60,
            values,
        }
    }

    /// The curve at a model step of `step_minutes` (which divides 60): an hourly value is
    /// held constant within its hour; per-minute values are averaged over the step, which
    /// keeps the active hours of the week unchanged.
    pub fn at_step(&self, step_minutes: u32) -> Vec<f64> {
        let steps = (MINUTES_PER_WEEK / step_minutes) as usize;
        if self.minutes_per_value >= step_minutes {
            let repeat = (self.minutes_per_value / step_minutes) as usize;
            (0..steps).map(|s| self.values[s / repeat]).collect()
        } else {
            let width = (step_minutes / self.minutes_per_value) as usize;
            self.values
                .chunks(width)
                .map(|chunk| chunk.iter().sum::<f64>() / width as f64)
                .collect()
        }
    }
}

/// A problem in a CSV curve file, with its 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvProblem {
    /// Line in the CSV file (1 = the header).
    pub line: u64,
    /// What was found and what was expected.
    pub message: String,
}

/// Parses a CSV curve: a header row, then 168 rows (hourly) or 10,080 rows (per minute).
/// Each row holds the share in its last column; an optional first column (an hour or minute
/// index, or a timestamp) is for people and is not read.
pub fn parse_csv(text: &str) -> Result<CurveValues, CsvProblem> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let header_len = reader.headers().map_err(|err| csv_problem(&err, 1))?.len();
    if !(1..=2).contains(&header_len) {
        return Err(CsvProblem {
            line: 1,
            message: format!(
                "expected a header of one or two columns (e.g. `hour,share`), found {header_len}"
            ),
        });
    }
    let mut values = Vec::new();
    // One record, read into again and again: no allocation per row.
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(err) => return Err(csv_problem(&err, values.len() as u64 + 2)),
        }
        let line = record
            .position()
            .map_or(values.len() as u64 + 2, |p| p.line());
        // Trimmed here rather than by the reader, whose trim copies every record.
        let field = record.get(record.len() - 1).unwrap_or("").trim();
        let value: f64 = field.parse().map_err(|_| CsvProblem {
            line,
            message: format!("expected a share between 0 and 1, found {}", quoted(field)),
        })?;
        if !(0.0..=1.0).contains(&value) {
            return Err(CsvProblem {
                line,
                message: format!("expected a share between 0 and 1, found {value}"),
            });
        }
        values.push(value);
    }
    match values.len() {
        HOURS_PER_WEEK => Ok(CurveValues::hourly(values)),
        n if n == MINUTES_PER_WEEK as usize => Ok(CurveValues {
            minutes_per_value: 1,
            values,
        }),
        n => Err(CsvProblem {
            line: n as u64 + 1,
            message: format!(
                "expected 168 rows (hourly) or 10,080 rows (per minute) after the header, found {n}"
            ),
        }),
    }
}

/// A field of a file as a message shows it: quoted with every control character escaped,
/// and cut at 24 characters, so an error never prints more of a file than the bad value.
fn quoted(field: &str) -> String {
    let mut shown: String = field.chars().take(24).collect();
    if shown.len() < field.len() {
        shown.push('…');
    }
    format!("{shown:?}")
}

fn csv_problem(err: &csv::Error, fallback_line: u64) -> CsvProblem {
    let line = err.position().map_or(fallback_line, |p| p.line());
    let message = match err.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("expected {expected_len} columns like the header, found {len}")
        }
        csv::ErrorKind::Utf8 { .. } => "expected UTF-8 text".to_string(),
        _ => err.to_string(),
    };
    CsvProblem { line, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hourly_values_hold_within_the_hour() {
        let curve = CurveValues::hourly((0..168).map(|h| f64::from(h) / 168.0).collect());
        let quarter = curve.at_step(15);
        assert_eq!(quarter.len(), 672);
        assert_eq!(quarter[4 * 37 + 3], 37.0 / 168.0);
        assert_eq!(curve.at_step(60), curve.values);
    }

    #[test]
    fn minute_values_average_over_the_step() {
        let values: Vec<f64> = (0..10080)
            .map(|m| if m % 2 == 0 { 0.2 } else { 0.4 })
            .collect();
        let curve = CurveValues {
            minutes_per_value: 1,
            values,
        };
        let hourly = curve.at_step(60);
        assert_eq!(hourly.len(), 168);
        assert!((hourly[5] - 0.3).abs() < 1e-15);
        assert_eq!(curve.at_step(1).len(), 10080);
    }

    #[test]
    fn csv_with_index_or_without() {
        let two: String = std::iter::once("hour,share".to_string())
            .chain((0..168).map(|h| format!("{h},0.25")))
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(parse_csv(&two).unwrap().values, vec![0.25; 168]);
        let one: String = std::iter::once("share".to_string())
            .chain((0..10080).map(|_| "0.5".to_string()))
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(parse_csv(&one).unwrap().minutes_per_value, 1);
    }

    #[test]
    fn csv_problems_name_the_line() {
        let mut rows: Vec<String> = vec!["hour,share".into()];
        rows.extend((0..168).map(|h| format!("{h},0.25")));
        rows[57] = "56,1.3".into();
        let err = parse_csv(&rows.join("\n")).unwrap_err();
        assert_eq!(err.line, 58);
        assert!(err.message.contains("found 1.3"), "{}", err.message);
        rows[57] = "56,lots".into();
        assert_eq!(parse_csv(&rows.join("\n")).unwrap_err().line, 58);
        // A value is quoted with escapes and cut short: an error never echoes a whole line.
        rows[57] = "56,\u{1b}[31mroot:$6$saltsaltsalt$hashhashhashhash".into();
        let err = parse_csv(&rows.join("\n")).unwrap_err();
        assert_eq!(
            err.message,
            "expected a share between 0 and 1, found \"\\u{1b}[31mroot:$6$saltsaltsal…\""
        );
        rows[57] = "56,0.2,9".into();
        let err = parse_csv(&rows.join("\n")).unwrap_err();
        assert_eq!(err.line, 58);
        assert!(err.message.contains("columns"), "{}", err.message);
        rows[57] = "56,0.25".into();
        rows.truncate(100);
        let err = parse_csv(&rows.join("\n")).unwrap_err();
        assert!(err.message.contains("found 99"), "{}", err.message);
    }
}
