//! Meeting CI owners where they look: on GitHub Actions, `check` appends its answer to the
//! job's step summary (Markdown) and annotates each policy that does not fit with an
//! `::error` workflow command that points at the policy in the scenario file. Both read
//! the typed verdict. Annotations go to standard error: the runner reads workflow commands
//! from both streams, and standard output stays the answer alone (valid JSON with
//! `--format json`).

use std::io::{self, Write};
use std::path::Path;

use anyhow::Context;

use super::files::Touched;
use crate::plan::{CheckAnswer, DiffAnswer};
use crate::report::{Format, Render};
use crate::scenario::Scenario;

/// GitHub caps a step summary at 1 MiB.
const SUMMARY_LIMIT: usize = 1 << 20;

/// For `check`: the answer appended to the step summary and an `::error` per policy that
/// does not fit ([`side_channels`]).
pub fn report_check(
    answer: &CheckAnswer,
    scenario: &Scenario,
    scenario_path: &Path,
    err: &mut dyn io::Write,
    touched: &Touched,
) -> anyhow::Result<()> {
    side_channels(answer, err, touched, || {
        annotations(answer, scenario, scenario_path)
    })
}

/// For `diff`, as [`report_check`] for `check`: the pull-request Markdown appended to the
/// step summary, one `::error` per regression, at its policy's line in the head file (when
/// the head is a file), and a `::notice` with the verdict.
pub fn report_diff(
    answer: &DiffAnswer,
    head: &Scenario,
    head_file: Option<&Path>,
    err: &mut dyn io::Write,
    touched: &Touched,
) -> anyhow::Result<()> {
    side_channels(answer, err, touched, || {
        diff_annotations(answer, head, head_file)
    })
}

/// Writes the answer's Markdown to the step summary when `GITHUB_STEP_SUMMARY` names a file
/// (never one of the run's own files), and the annotations to `err` when `GITHUB_ACTIONS`
/// is `true`, each fenced as capplan's own command; does nothing elsewhere.
fn side_channels(
    answer: &impl Render,
    err: &mut dyn io::Write,
    touched: &Touched,
    annotations: impl FnOnce() -> Vec<String>,
) -> anyhow::Result<()> {
    if let Some(path) = step_summary() {
        touched.refuse(&path, "the GITHUB_STEP_SUMMARY")?;
        let mut markdown = Vec::new();
        answer.write(Format::Markdown, &mut markdown)?;
        append_summary(&path, &markdown)?;
    }
    if on_github() {
        for line in annotations() {
            writeln!(err, "{}", super::fence::own_command(&line))?;
        }
    }
    Ok(())
}

/// The workflow commands of a diff: one `::error` per regression (at its policy's line in
/// the head file, when there is one), then a `::notice` with the number of changes.
pub fn diff_annotations(
    answer: &DiffAnswer,
    head: &Scenario,
    head_file: Option<&Path>,
) -> Vec<String> {
    let file = head_file.map(workspace_path);
    let mut lines = Vec::new();
    let regressed =
        |r: &&crate::plan::ResultChange| r.status == "regressed" || r.status == "removed-regressed";
    for r in answer.results.iter().filter(regressed) {
        let place = match &file {
            Some(file) => {
                let line = head
                    .policies
                    .iter()
                    .find(|p| p.name == r.policy)
                    .and_then(|p| p.line)
                    .map(|l| format!(",line={l}"))
                    .unwrap_or_default();
                format!("file={}{line},", escape_property(file))
            }
            None => String::new(),
        };
        lines.push(format!(
            "::error {place}title={}::{}",
            escape_property(&format!("capplan diff: {}", r.policy)),
            escape_data(&if r.status == "regressed" {
                format!(
                    "{} ({}) fitted in the base and does not fit in the head",
                    r.policy, r.phase
                )
            } else {
                format!(
                    "{} ({}) fitted in the base and was removed while a policy that does not fit was added",
                    r.policy, r.phase
                )
            })
        ));
    }
    let changed = answer
        .results
        .iter()
        .filter(|r| r.status != "unchanged")
        .count();
    lines.push(format!(
        "::notice title=capplan diff::{}",
        escape_data(&format!(
            "{changed} of {} results changed, {} regressed; {} changed",
            answer.results.len(),
            answer.regressions.len(),
            crate::fmt::plural(answer.input_changes.len(), "input", "inputs")
        ))
    ));
    lines
}

/// Appends `markdown` to the step summary at `path`, within the 1,048,576 bytes GitHub
/// keeps a step, counting what the step wrote before (see [`fit_summary`]).
fn append_summary(path: &Path, markdown: &[u8]) -> anyhow::Result<()> {
    let cannot = || format!("cannot append to GITHUB_STEP_SUMMARY {}", path.display());
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(cannot)?;
    // The step's earlier writes count against the same megabyte.
    let written = file.metadata().map_or(0, |m| m.len());
    let budget = SUMMARY_LIMIT.saturating_sub(usize::try_from(written).unwrap_or(usize::MAX));
    file.write_all(&fit_summary(markdown, budget))
        .with_context(cannot)
}

/// The step summary file GitHub names, if any.
pub fn step_summary() -> Option<std::path::PathBuf> {
    std::env::var_os("GITHUB_STEP_SUMMARY")
        .filter(|p| !p.is_empty())
        .map(std::path::PathBuf::from)
}

/// The Markdown and its closing newline, in at most `budget` bytes: GitHub drops a step
/// summary over 1 MiB whole, so a longer one is cut at the last line boundary that leaves
/// room for a visible note saying so (a cut between lines never splits a character or a
/// table row). Nothing at all when not even the note fits.
pub fn fit_summary(markdown: &[u8], budget: usize) -> Vec<u8> {
    if markdown.len() < budget {
        let mut all = markdown.to_vec();
        all.push(b'\n');
        return all;
    }
    let note = format!(
        "\n> **Truncated by capplan:** this answer is {} bytes and a step summary holds at \
         most 1,048,576; the rest is in the job log (`--format markdown`).\n",
        crate::fmt::count(markdown.len() as f64)
    );
    let Some(room) = budget.checked_sub(note.len()) else {
        return Vec::new();
    };
    let cut = markdown[..room.min(markdown.len())]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |at| at + 1);
    let mut kept = markdown[..cut].to_vec();
    kept.extend_from_slice(note.as_bytes());
    kept
}

/// One `::error` workflow command per policy that fails the check, at the line of its name.
pub fn annotations(answer: &CheckAnswer, scenario: &Scenario, scenario_path: &Path) -> Vec<String> {
    let file = workspace_path(scenario_path);
    answer
        .check
        .failing()
        .map(|verdict| {
            let line = scenario.policies[verdict.policy_index]
                .line
                .map(|l| format!(",line={l}"))
                .unwrap_or_default();
            format!(
                "::error file={}{line},title={}::{}",
                escape_property(&file),
                escape_property(&format!("capplan check: {}", verdict.policy)),
                escape_data(&verdict.message())
            )
        })
        .collect()
}

/// Whether the run is a GitHub Actions step.
pub fn on_github() -> bool {
    std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true")
}

/// A path as GitHub attaches annotations to it: relative to `GITHUB_WORKSPACE` (the
/// checkout) when it lies inside, with no leading `./`.
pub fn workspace_path(path: &Path) -> String {
    let workspace = std::env::var_os("GITHUB_WORKSPACE").map(std::path::PathBuf::from);
    let absolute = std::fs::canonicalize(path).ok();
    let relative = workspace
        .and_then(|w| std::fs::canonicalize(w).ok())
        .zip(absolute)
        .and_then(|(w, p)| p.strip_prefix(w).ok().map(Path::to_path_buf));
    let shown = relative.unwrap_or_else(|| path.to_path_buf());
    let text = shown.display().to_string();
    text.strip_prefix("./").unwrap_or(&text).to_string()
}

/// `::error` or `::warning` workflow commands for a file's diagnostics, each at its line
/// and column, so GitHub shows them on the pull request's diff.
pub fn diagnostic_annotations(
    level: &str,
    path: &Path,
    source: &str,
    diagnostics: &[crate::scenario::Diagnostic],
) -> Vec<String> {
    let lines = crate::scenario::diagnostic::LineIndex::new(source);
    let file = workspace_path(path);
    diagnostics
        .iter()
        .map(|d| {
            let place = d
                .span
                .as_ref()
                .filter(|_| !source.is_empty())
                .map(|span| {
                    let (line, column) = lines.line_column(source, span.start);
                    format!(",line={line},col={column}")
                })
                .unwrap_or_default();
            let message = match &d.key_path {
                Some(key) => format!("{key}: {}", d.message),
                None => d.message.clone(),
            };
            format!(
                "::{level} file={}{place},title={}::{}",
                escape_property(&file),
                escape_property(&format!("capplan {level}")),
                escape_data(&message)
            )
        })
        .collect()
}

/// Escapes a workflow command's message (and breaks any `##[` in it with U+2060, as the
/// fence does: the runner never reads a command inside a command, but nothing relies on it).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
        .replace("##[", "#\u{2060}#[")
}

/// Escapes a workflow command's property value.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Phase;
    use crate::plan::{CheckRule, DemandCase, check};

    #[test]
    fn a_summary_that_fits_is_written_whole_with_its_newline() {
        assert_eq!(fit_summary(b"# a\nb", 100), b"# a\nb\n");
    }

    #[test]
    fn a_long_summary_is_cut_at_a_line_with_a_note_inside_the_budget() {
        let markdown = "| é row |\n".repeat(100_000);
        let fitted = fit_summary(markdown.as_bytes(), SUMMARY_LIMIT);
        assert!(fitted.len() <= SUMMARY_LIMIT, "{}", fitted.len());
        let text = String::from_utf8(fitted).expect("never cut inside a character");
        let (rows, note) = text.split_once("\n> **Truncated by capplan:**").unwrap();
        assert!(rows.ends_with("| é row |\n") || rows.ends_with("| é row |"));
        assert!(note.contains("this answer is 1,100,000 bytes"), "{note}");
        assert!(SUMMARY_LIMIT - text.len() < 11 + 200, "cut near the limit");
    }

    #[test]
    fn no_room_for_the_note_writes_nothing() {
        assert!(fit_summary(&[b'x'; 500], 20).is_empty());
    }

    #[test]
    fn workflow_commands_are_escaped() {
        assert_eq!(escape_data("50% of a\nb"), "50%25 of a%0Ab");
        assert_eq!(escape_data("a ##[error]b"), "a #\u{2060}#[error]b");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }

    #[test]
    fn one_annotation_per_failing_policy_at_its_line() {
        let text = include_str!("../../scenarios/tiny.toml");
        let scenario = Scenario::parse(text, "tiny.toml").unwrap();
        let phase = Phase::Before;
        let rule = CheckRule {
            at: DemandCase::Mid,
            n_minus_1: false,
            min_margins: Vec::new(),
        };
        let answer = check(&scenario, &[0, 1, 2], &phase, rule).unwrap();
        let lines = annotations(&answer, &scenario, Path::new("scenarios/tiny.toml"));
        let unlimited_line = text
            .lines()
            .position(|l| l == "name = \"unlimited\"")
            .unwrap()
            + 1;
        assert_eq!(lines.len(), 2);
        assert!(
            lines[0].starts_with(&format!(
                "::error file=scenarios/tiny.toml,line={unlimited_line},title=capplan check%3A unlimited::unlimited (before): peak utilization 125.0%25"
            )),
            "{}",
            lines[0]
        );
    }
}
