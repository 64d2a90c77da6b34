//! Human tables (terminal) and GitHub Markdown, from the same rows: a capacity table per
//! phase, then the policy table with each policy's `before` and `after` rows together.

use std::io;

use comfy_table::{CellAlignment, ContentArrangement, Table, presets};

use super::{CompareReport, PhaseReport};

/// Where the tables will be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// A terminal or a log: box-drawing tables.
    Terminal,
    /// A GitHub comment or step summary: pipe tables under headings.
    Markdown,
}

impl Style {
    fn table(self) -> Table {
        let mut table = Table::new();
        // Never ask the terminal for its width: output must be byte-identical everywhere.
        table
            .force_no_tty()
            .set_content_arrangement(ContentArrangement::Disabled)
            .load_style(match self {
                Style::Terminal => presets::UTF8_FULL_CONDENSED,
                Style::Markdown => presets::ASCII_MARKDOWN,
            });
        table
    }

    fn heading(self, text: &str) -> String {
        match self {
            Style::Terminal => text.to_string(),
            Style::Markdown => format!("### {text}"),
        }
    }
}

/// Writes the whole comparison.
pub fn write(report: &CompareReport, style: Style, out: &mut dyn io::Write) -> io::Result<()> {
    let title = format!(
        "{} — step {} min, utilization target {}",
        report.scenario,
        report.step_minutes,
        percent(report.utilization_target)
    );
    match style {
        Style::Terminal => writeln!(out, "{title}\n")?,
        Style::Markdown => writeln!(out, "## capplan: {title}\n")?,
    }
    for phase in &report.phases {
        write_phase(phase, style, out)?;
    }
    writeln!(
        out,
        "{}\n",
        style.heading("Policies (peak times UTC; hours over target per week; throttled = active users at the peak step)")
    )?;
    writeln!(out, "{}", policy_table(report, style))?;
    let mut described: Vec<(&str, &str)> = Vec::new();
    for r in &report.results {
        if let Some(description) = &r.description {
            if !described.iter().any(|(name, _)| *name == r.policy) {
                described.push((&r.policy, description));
            }
        }
    }
    if !described.is_empty() {
        writeln!(out)?;
        for (name, description) in described {
            match style {
                Style::Terminal => writeln!(out, "  {name}: {description}")?,
                Style::Markdown => writeln!(out, "- **{name}**: {description}")?,
            }
        }
    }
    Ok(())
}

/// Writes the capacity table of one phase and its tokens per second.
fn write_phase(phase: &PhaseReport, style: Style, out: &mut dyn io::Write) -> io::Result<()> {
    let gpus: f64 = phase
        .sites
        .iter()
        .flat_map(|s| s.serving_gpus.values())
        .sum();
    writeln!(
        out,
        "{}\n",
        style.heading(&format!(
            "Capacity {}: {} site(s), {} serving GPUs, {} MW serving",
            phase.name,
            phase.sites.len(),
            count(gpus),
            mw(phase.serving_mw)
        ))
    )?;
    let mut skus: Vec<&str> = Vec::new();
    for site in &phase.sites {
        for sku in site.serving_gpus.keys() {
            if !skus.contains(&sku.as_str()) {
                skus.push(sku);
            }
        }
    }
    let mut table = style.table();
    let mut header = vec!["Site".to_string(), "Online".into(), "Power".into()];
    header.extend(skus.iter().map(|sku| format!("{sku} serving")));
    header.push("Serving MW".into());
    table.set_header(header);
    for site in &phase.sites {
        let mut row = vec![
            site.name.clone(),
            site.online.clone().unwrap_or_else(|| "in service".into()),
            if site.power_bound {
                format!("bound ({} powered)", percent(site.power_factor))
            } else {
                "ok".into()
            },
        ];
        row.extend(skus.iter().map(|sku| {
            site.serving_gpus
                .get(*sku)
                .map_or_else(|| "-".to_string(), |&n| count(n))
        }));
        row.push(mw(site.serving_mw));
        table.add_row(row);
    }
    for column in 3..3 + skus.len() + 1 {
        if let Some(column) = table.column_mut(column) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    writeln!(out, "{table}")?;
    let rates: Vec<String> = phase
        .tokens_per_s
        .iter()
        .map(|(class, rate)| format!("{class} {}", count(*rate)))
        .collect();
    writeln!(out, "\nOutput tokens/s: {}\n", rates.join(", "))
}

fn policy_table(report: &CompareReport, style: Style) -> Table {
    let mut table = style.table();
    table.set_header(vec![
        "Policy",
        "Phase",
        "Peak util",
        "Peak at",
        "Hours over",
        "Served",
        "Throttled",
        "Shed",
        "MW to fit",
        "Fits",
    ]);
    for result in &report.results {
        let fits = if !result.unservable_classes.is_empty() {
            format!(
                "NO: no capacity for {}",
                result.unservable_classes.join(", ")
            )
        } else if result.fits {
            "yes".into()
        } else {
            "NO".into()
        };
        table.add_row(vec![
            result.policy.clone(),
            result.phase.to_string(),
            percent(result.peak_utilization),
            result.peak_time.clone(),
            hours(result.hours_over_target),
            percent(result.served_share),
            percent(result.throttled_share_at_peak),
            percent(result.shed_share),
            mw(result.mw_to_fit),
            fits,
        ]);
    }
    for column in [2, 4, 5, 6, 7, 8] {
        if let Some(column) = table.column_mut(column) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    table
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(count(1234567.8), "1,234,568");
        assert_eq!(count(999.0), "999");
        assert_eq!(count(0.0), "0");
        assert_eq!(percent(0.8531), "85.3%");
        assert_eq!(hours(30.0), "30");
        assert_eq!(hours(2.25), "2.25");
        assert_eq!(mw(12.3456), "12.35");
    }
}
