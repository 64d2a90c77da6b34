//! CSV: one row per policy and phase, the same fields as the JSON results, for spreadsheets.

use std::io;

use super::CompareReport;

/// Writes the results as CSV with a header row.
pub fn write(report: &CompareReport, out: &mut dyn io::Write) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record([
        "scenario",
        "policy",
        "phase",
        "peak_utilization",
        "peak_step",
        "peak_time",
        "hours_over_target",
        "served_share",
        "throttled_share_at_peak",
        "shed_share",
        "mw_to_fit",
        "unservable_classes",
        "fits",
    ])?;
    for r in &report.results {
        writer.write_record([
            report.scenario.clone(),
            r.policy.clone(),
            r.phase.to_string(),
            r.peak_utilization.to_string(),
            r.peak_step.to_string(),
            r.peak_time.clone(),
            r.hours_over_target.to_string(),
            r.served_share.to_string(),
            r.throttled_share_at_peak.to_string(),
            r.shed_share.to_string(),
            r.mw_to_fit.to_string(),
            r.unservable_classes.join(";"),
            r.fits.to_string(),
        ])?;
    }
    writer.flush()
}
