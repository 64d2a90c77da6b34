//! Questions asked of the model: `compare` (how do the policies fare before and after the
//! additions?) and `check` (does every selected policy fit in one phase?).

use std::io;

use crate::model::{Comparison, Phase};
use crate::report::table::{mw, percent};
use crate::report::{CheckVerdict, CompareReport, Format};
use crate::scenario::Scenario;

/// Every selected policy on both phases.
pub fn compare(scenario: &Scenario, policies: &[usize]) -> CompareReport {
    CompareReport::new(scenario, &Comparison::run(scenario, policies, &Phase::ALL))
}

/// The selected policies on one phase, with the verdict: passed when every one fits.
pub fn check(scenario: &Scenario, policies: &[usize], phase: Phase) -> CompareReport {
    let mut report = CompareReport::new(scenario, &Comparison::run(scenario, policies, &[phase]));
    let failing: Vec<String> = report
        .results
        .iter()
        .filter(|r| !r.fits)
        .map(|r| r.policy.clone())
        .collect();
    report.check = Some(CheckVerdict {
        phase: phase.name(),
        passed: failing.is_empty(),
        failing,
    });
    report
}

/// Writes a check: the report, then (for human formats) one line per policy saying whether
/// it fits and, if not, by how much and the MW it would take.
pub fn write_check(
    report: &CompareReport,
    format: Format,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    report.write(format, out)?;
    if matches!(format, Format::Json | Format::Csv) {
        return Ok(());
    }
    let target = report.utilization_target;
    writeln!(out)?;
    for r in &report.results {
        if r.fits {
            writeln!(
                out,
                "ok    {} ({}): peak utilization {} at {} is within the target {}",
                r.policy,
                r.phase,
                percent(r.peak_utilization),
                r.peak_time,
                percent(target)
            )?;
        } else if !r.unservable_classes.is_empty() {
            writeln!(
                out,
                "FAIL  {} ({}): no GPU in this phase can serve {}",
                r.policy,
                r.phase,
                r.unservable_classes.join(", ")
            )?;
        } else {
            writeln!(
                out,
                "FAIL  {} ({}): peak utilization {} at {} exceeds the target {} by {:.1} points; it needs {} MW more serving capacity of the same mix",
                r.policy,
                r.phase,
                percent(r.peak_utilization),
                r.peak_time,
                percent(target),
                (r.peak_utilization - target) * 100.0,
                mw(r.mw_to_fit)
            )?;
        }
    }
    if let Some(verdict) = &report.check {
        let total = report.results.len();
        if verdict.passed {
            writeln!(
                out,
                "\ncheck passed: all {total} policies fit ({})",
                verdict.phase
            )?;
        } else {
            writeln!(
                out,
                "\ncheck failed: {} of {total} policies do not fit ({}): {}",
                verdict.failing.len(),
                verdict.phase,
                verdict.failing.join(", ")
            )?;
        }
    }
    Ok(())
}
