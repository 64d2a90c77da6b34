//! Meeting CI owners where they look: on GitHub Actions, `check` appends its report to the
//! job's step summary (Markdown) and annotates each policy that does not fit with an
//! `::error` workflow command that points at the policy in the scenario file.

use std::io::{self, Write};
use std::path::Path;

use anyhow::Context;

use crate::report::{CompareReport, Format, Report};
use crate::scenario::Scenario;

/// GitHub caps a step summary at 1 MiB.
const SUMMARY_LIMIT: usize = 1 << 20;

/// Writes the step summary when `GITHUB_STEP_SUMMARY` names a file, and the annotations when
/// `GITHUB_ACTIONS` is `true`; does nothing elsewhere.
pub fn report_check(
    report: &CompareReport,
    scenario: &Scenario,
    scenario_path: &Path,
    out: &mut dyn io::Write,
) -> anyhow::Result<()> {
    if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
        let mut markdown = Vec::new();
        report.write(Format::Markdown, &mut markdown)?;
        markdown.truncate(SUMMARY_LIMIT);
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .with_context(|| {
                format!(
                    "cannot append to GITHUB_STEP_SUMMARY {}",
                    Path::new(&path).display()
                )
            })?;
        file.write_all(&markdown)?;
        file.write_all(b"\n")?;
    }
    if std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true") {
        for line in annotations(report, scenario, scenario_path) {
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}

/// One `::error` workflow command per policy that fails the check.
pub fn annotations(
    report: &CompareReport,
    scenario: &Scenario,
    scenario_path: &Path,
) -> Vec<String> {
    let Some(verdict) = &report.check else {
        return Vec::new();
    };
    let file = scenario_path.display().to_string();
    verdict
        .failing
        .iter()
        .filter_map(|name| {
            let reason = verdict
                .reasons
                .iter()
                .find(|r| r.contains(&format!(" {name} (")))?;
            let line = scenario
                .policies
                .iter()
                .find(|p| &p.name == name)
                .and_then(|p| p.line)
                .map(|l| format!(",line={l}"))
                .unwrap_or_default();
            let message = reason.trim_start_matches("FAIL").trim_start();
            Some(format!(
                "::error file={}{line},title={}::{}",
                escape_property(&file),
                escape_property(&format!("capplan check: {name}")),
                escape_data(message)
            ))
        })
        .collect()
}

/// Escapes a workflow command's message.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_commands_are_escaped() {
        assert_eq!(escape_data("50% of a\nb"), "50%25 of a%0Ab");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
