//! From TOML text to a [`Scenario`], by concern: [`shape`] (syntax and types, through
//! serde, every table on its own), [`semantics`] (names, references, sums, dates),
//! [`bounds`] (the range of every number, shared with the JSON Schema) and [`warnings`]
//! (legal but suspicious). All problems are collected and reported together.

pub mod bounds;
mod join;
mod scan;
pub mod schema;
mod semantics;
mod shape;
mod warnings;

use std::collections::HashSet;

use toml::Spanned;
use toml::de::DeTable;

use self::bounds::{ABSURD, Bounds};
use super::Scenario;
use super::diagnostic::{Diagnostic, KeyPath, LineIndex, MAX_DIAGNOSTICS, ScenarioError, locate};
use super::suggest::closest;
use super::units::Date;
use crate::fmt::found;

/// Parses and validates; on success also returns the warnings.
pub(super) fn parse(
    source: &str,
    origin: &str,
    files: &dyn Fn(&str) -> Result<String, String>,
) -> Result<(Scenario, Warnings), ScenarioError> {
    if source.trim().is_empty() {
        return Err(ScenarioError::whole_file(
            origin,
            "the file is empty; expected a scenario with [scenario], [gpu.<id>], [[site]], [curve.<id>], [[tier]] and [[policy]]".to_string(),
        ));
    }
    if source.contains('\0') {
        return Err(ScenarioError::whole_file(
            origin,
            "the file holds binary data (a NUL byte); expected TOML text".to_string(),
        ));
    }
    let error = |diagnostics: Vec<Diagnostic>| {
        let omitted = diagnostics.len().saturating_sub(MAX_DIAGNOSTICS);
        ScenarioError {
            origin: origin.to_string(),
            source: source.to_string(),
            diagnostics: diagnostics.into_iter().take(MAX_DIAGNOSTICS).collect(),
            omitted,
        }
    };
    // Comments blanked, bounds checked, then parsed in pieces; a text the pieces cannot
    // tell about is parsed whole (as scanned, or as written for an error next to a
    // comment), so its message is the parser's own.
    let scan = scan::scan(source).map_err(|limit| limit_error(source, origin, limit))?;
    let invalid = |message: &str, span| {
        error(vec![Diagnostic {
            key_path: None,
            span,
            message: format!("invalid TOML: {}", message.trim_end()),
        }])
    };
    let document = match join::parse(&scan, source) {
        join::Parsed::Tree(document) => document,
        join::Parsed::Error { message, span } => return Err(invalid(&message, span)),
    };
    let file = shape::scenario_file(&document).map_err(error)?;
    let mut checker = Checker {
        lines: LineIndex::new(source),
        document: &document,
        files,
        diagnostics: Vec::new(),
        warnings: Vec::new(),
    };
    let acknowledged = file.scenario.acknowledge.clone();
    let scenario = checker.scenario(file);
    if checker.diagnostics.is_empty() {
        checker.warn_suspicious(&scenario);
        Ok((scenario, checker.acknowledge(&acknowledged)))
    } else {
        Err(error(checker.diagnostics))
    }
}

/// Refuses a text whose parse would take more memory than the bounds of [`scan`] allow,
/// as [`parse`] does, without parsing it.
pub(super) fn check_limits(source: &str, origin: &str) -> Result<(), ScenarioError> {
    scan::scan(source)
        .map(drop)
        .map_err(|limit| limit_error(source, origin, limit))
}

/// The text with its comments and the line breaks of blank and comment-only lines blanked
/// to spaces (offsets kept), for a second reader of a text that loaded; `None` when it
/// crosses a bound.
pub(crate) fn blanked(source: &str) -> Option<String> {
    scan::scan(source).ok().map(|scan| scan.text)
}

/// The error for a bound the text crosses, pointing at where it crossed it.
fn limit_error(source: &str, origin: &str, limit: scan::Limit) -> ScenarioError {
    ScenarioError {
        origin: origin.to_string(),
        source: source.to_string(),
        diagnostics: vec![Diagnostic {
            key_path: None,
            span: Some(limit.span),
            message: limit.message,
        }],
        omitted: 0,
    }
}

/// The warnings a scenario keeps after its `acknowledge` list, and how many it silenced.
pub(super) struct Warnings {
    /// The warnings still to show.
    pub shown: Vec<Diagnostic>,
    /// How many the scenario acknowledged.
    pub acknowledged: usize,
}

impl Checker<'_, '_> {
    /// Drops the warnings whose key path the scenario acknowledges (`[scenario]
    /// acknowledge = ["site[3].power_mw"]`), and warns about an acknowledgement that
    /// matches no warning, so a stale one does not hide the next real one.
    fn acknowledge(&mut self, paths: &[String]) -> Warnings {
        let path_of = |d: &Diagnostic| d.key_path.as_ref().map(ToString::to_string);
        let warnings = std::mem::take(&mut self.warnings);
        let before = warnings.len();
        // Moved, not copied: a file may have a warning for each of 100,000 policies.
        let mut matched = vec![false; paths.len()];
        let shown: Vec<Diagnostic> = warnings
            .into_iter()
            .filter(|d| {
                let Some(path) = path_of(d) else { return true };
                let mut found = false;
                for (i, acknowledged) in paths.iter().enumerate() {
                    if *acknowledged == path {
                        matched[i] = true;
                        found = true;
                    }
                }
                !found
            })
            .collect();
        let acknowledged = before - shown.len();
        for (i, path) in paths.iter().enumerate() {
            if !matched[i] {
                self.warn(
                    KeyPath::root("scenario").key("acknowledge").index(i),
                    format!("acknowledges {path:?}, but nothing there warns; remove it"),
                );
            }
        }
        let mut shown = shown;
        shown.append(&mut self.warnings);
        Warnings {
            shown,
            acknowledged,
        }
    }
}

/// Collects the diagnostics and warnings of one file while the rules run over it.
struct Checker<'a, 'd> {
    lines: LineIndex,
    document: &'a Spanned<DeTable<'d>>,
    files: &'a dyn Fn(&str) -> Result<String, String>,
    diagnostics: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

impl Checker<'_, '_> {
    fn error(&mut self, path: KeyPath, message: String) {
        let span = locate(self.document, &path);
        self.diagnostics.push(Diagnostic {
            key_path: Some(path),
            span,
            message,
        });
    }

    fn warn(&mut self, path: KeyPath, message: String) {
        let span = locate(self.document, &path);
        self.warnings.push(Diagnostic {
            key_path: Some(path),
            span,
            message,
        });
    }

    fn number(&mut self, path: KeyPath, value: f64, bounds: Bounds) -> f64 {
        if !bounds.admits(value) {
            // Every `what` states its own range; only the absurdity cap needs saying.
            let high = if bounds.high == ABSURD && value.is_finite() && value > ABSURD {
                format!(", no larger than {ABSURD:e}")
            } else {
                String::new()
            };
            self.error(
                path,
                format!("expected {}{high}, found {}", bounds.what, found(value)),
            );
        }
        value
    }

    /// A name or text that reports print as it is. Refused: control characters (terminal
    /// escapes, line breaks), bidirectional overrides and marks, format characters (Cf:
    /// zero-width spaces and joiners, soft hyphens, tag characters), noncharacters, and
    /// characters that print as nothing or as a blank other than the space (so
    /// `current` + U+200B cannot pass for `current`); and `::` or `##[`, which GitHub's
    /// runner reads as a workflow command wherever a report prints the text.
    fn printable(&mut self, path: KeyPath, text: &str, what: &str) -> bool {
        if let Some((at, c)) = text.chars().enumerate().find(|&(_, c)| !printable_char(c)) {
            self.error(
                path,
                format!(
                    "expected {what} of printable characters, found U+{:04X} at character {} \
                     (control, format, noncharacter or blank-looking characters are refused)",
                    u32::from(c),
                    at + 1
                ),
            );
            return false;
        }
        if let Some(command) = ["::", "##["].into_iter().find(|c| text.contains(c)) {
            self.error(
                path,
                format!(
                    "expected {what} without {command:?}: GitHub Actions reads it as a workflow command"
                ),
            );
            return false;
        }
        true
    }

    fn name(&mut self, path: KeyPath, name: &str, seen: &mut HashSet<String>, kind: &str) {
        if !self.printable(path.clone(), name, &format!("a {kind} name")) {
            return;
        }
        if name.trim().is_empty() {
            self.error(path, format!("expected a non-empty {kind} name"));
        } else if !seen.insert(name.to_string()) {
            self.error(
                path,
                format!("duplicate {kind} name {name:?}; names must be unique"),
            );
        }
    }
}

/// "unknown curve "flta"; did you mean "flat"? expected one of …": a reference to a name
/// the file does not define.
fn unknown<'a>(
    kind: &str,
    found: &str,
    defined_in: &str,
    names: impl Iterator<Item = &'a str> + Clone,
) -> String {
    let candidates: Vec<&str> = names.clone().collect();
    let hint = closest(found, &candidates)
        .map(|best| format!(" did you mean {best:?}?"))
        .unwrap_or_default();
    format!(
        "unknown {kind} {found:?};{hint} expected one of the {defined_in}: {}",
        list(names)
    )
}

/// A date (a site's `online`, the timeline's `start`), written `"2026-06-06"` or as the TOML
/// date `2026-06-06`.
fn online_date(value: &toml::Value) -> Result<Date, String> {
    match value {
        toml::Value::String(text) => Date::parse(text),
        toml::Value::Datetime(datetime) => match (datetime.date, datetime.time) {
            (Some(date), None) => Ok(Date {
                year: i32::from(date.year),
                month: u32::from(date.month),
                day: u32::from(date.day),
            }),
            _ => Err(format!("expected a date without a time, found {datetime}")),
        },
        other => Err(format!("expected a date as \"YYYY-MM-DD\", found {other}")),
    }
}

fn list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<String> = names.map(|n| format!("{n:?}")).collect();
    if names.is_empty() {
        "(none defined)".to_string()
    } else {
        names.join(", ")
    }
}

#[cfg(test)]
pub(super) mod testing {
    //! Helpers for the rule modules' tests: tiny.toml, edited, through the whole validator.
    use super::*;

    /// scenarios/tiny.toml.
    pub const TINY: &str = include_str!("../../../scenarios/tiny.toml");

    /// Every error as `key.path: message`, or the warnings of a valid file.
    pub fn problems(text: &str) -> Result<Vec<String>, Vec<String>> {
        let no_files = |path: &str| Err(format!("{path}: no files in tests"));
        let lines = |diagnostics: &[Diagnostic]| -> Vec<String> {
            diagnostics
                .iter()
                .map(|d| match &d.key_path {
                    Some(path) => format!("{path}: {}", d.message),
                    None => d.message.clone(),
                })
                .collect()
        };
        match parse(text, "t.toml", &no_files) {
            Ok((_, warnings)) => Ok(lines(&warnings.shown)),
            Err(error) => Err(lines(&error.diagnostics)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{TINY, problems};

    #[test]
    fn tiny_is_valid_with_one_warning() {
        let warnings = problems(TINY).unwrap();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].starts_with("site[1].power_mw: site \"new\" is power-bound"));
    }

    #[test]
    fn an_acknowledged_warning_is_not_shown_and_a_stale_one_is() {
        let text = TINY.replace(
            "peak_hours = [",
            "acknowledge = [\"site[1].power_mw\"]\npeak_hours = [",
        );
        assert_eq!(problems(&text).unwrap(), Vec::<String>::new());
        let text = TINY.replace(
            "peak_hours = [",
            "acknowledge = [\"site[0].power_mw\"]\npeak_hours = [",
        );
        let warnings = problems(&text).unwrap();
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].starts_with("site[1].power_mw: site \"new\" is power-bound"));
        assert_eq!(
            warnings[1],
            "scenario.acknowledge[0]: acknowledges \"site[0].power_mw\", but nothing there warns; remove it"
        );
    }

    #[test]
    fn an_empty_or_binary_file_is_named_as_such() {
        assert!(problems("  \n").unwrap_err()[0].starts_with("the file is empty"));
        assert!(problems("a\0b").unwrap_err()[0].contains("binary data"));
    }

    #[test]
    fn numbers_out_of_bounds_say_the_range_and_the_value() {
        let text = TINY.replace("watts = 700", "watts = 0");
        assert_eq!(
            problems(&text).unwrap_err(),
            ["gpu.h100.watts: expected a board power between 1 and 100,000 W, found 0"]
        );
        let text = TINY.replace("spread = 0", "spread = 1e16");
        assert_eq!(
            problems(&text).unwrap_err(),
            ["tier[0].spread: expected a log-normal sigma between 0 and 5, found 1e16"]
        );
    }
}

/// Whether a character may appear in a name or description: not a control, format (Cf),
/// noncharacter, or a character that shows as nothing or as a blank other
/// than the ASCII space.
pub fn printable_char(c: char) -> bool {
    use unicode_general_category::{GeneralCategory, get_general_category};
    if c == ' ' {
        return true;
    }
    let code = u32::from(c);
    let noncharacter = (0xFDD0..=0xFDEF).contains(&code) || code & 0xFFFE == 0xFFFE;
    !(c.is_control()
        || c.is_whitespace()
        || noncharacter
        || BLANK_LOOKING.iter().any(|range| range.contains(&code))
        || matches!(
            get_general_category(c),
            GeneralCategory::Format
                | GeneralCategory::LineSeparator
                | GeneralCategory::ParagraphSeparator
                | GeneralCategory::SpaceSeparator
        ))
}

/// Characters outside Cf that print as nothing or as a blank: Unicode's default-ignorable
/// code points (combining grapheme joiner, Hangul fillers, Khmer inherent vowels, Mongolian
/// variation selectors, variation selectors, tag-plane reserves) and the braille blank.
pub const BLANK_LOOKING: [std::ops::RangeInclusive<u32>; 12] = [
    0x034F..=0x034F,
    0x115F..=0x1160,
    0x17B4..=0x17B5,
    0x180B..=0x180F,
    0x2800..=0x2800,
    0x3164..=0x3164,
    0xFE00..=0xFE0F,
    0xFFA0..=0xFFA0,
    0xFFF0..=0xFFF8,
    0x1BCA0..=0x1BCA3,
    0xE0000..=0xE0FFF,
    0xE0100..=0xE01EF,
];
