//! SVG plots drawn with plotters' SVG backend (no system fonts, identical bytes on every
//! run): utilization across the reference week per policy, before and after, with the
//! target line and peak hours shaded; and peak utilization per timeline month with the
//! additions marked.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::plan::{CompareAnswer, TimelineAnswer};

/// Colours for policies, in order; chosen to stay apart on white and for common colour
/// blindness (Okabe–Ito).
const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
    RGBColor(240, 228, 66),
];

const PEAK_SHADE: RGBColor = RGBColor(255, 170, 0);
const WIDTH: u32 = 1200;

/// Why a plot could not be drawn.
pub type PlotError = Box<dyn std::error::Error + Send + Sync>;

fn colour(index: usize) -> RGBColor {
    PALETTE[index % PALETTE.len()]
}

/// The top of the y axis (percent): 10 % above the highest finite utilization or the
/// target, and at least 10 %. Non-finite values never reach the axis: an infinite range
/// would never finish drawing.
fn axis_top(utilizations: impl Iterator<Item = f64>, target: f64) -> f64 {
    let highest = utilizations
        .filter(|u| u.is_finite())
        .fold(target, f64::max);
    (highest * 110.0).clamp(10.0, 1e9)
}

/// A value drawn on an axis that ends at `top`: a non-finite one is drawn at the top.
fn on_axis(value: f64, top: f64) -> f64 {
    if value.is_finite() {
        value.min(top)
    } else {
        top
    }
}

/// The week plot of a comparison: one panel per phase, one line per policy.
pub fn week_svg(report: &CompareAnswer, peak_mask: &[bool]) -> Result<String, PlotError> {
    let phases: Vec<&str> = report.phases.iter().map(|p| p.name).collect();
    let height = 80 + 360 * phases.len() as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let (title, body) = root.split_vertically(50);
        title.draw(&Text::new(
            format!(
                "{}: utilization over the reference week (UTC)",
                report.scenario
            ),
            (20, 18),
            ("sans-serif", 22).into_font(),
        ))?;
        let panels = body.split_evenly((phases.len().max(1), 1));
        for (panel, phase) in panels.iter().zip(&phases) {
            week_panel(panel, report, phase, peak_mask)?;
        }
        root.present()?;
    }
    Ok(svg)
}

fn week_panel(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    report: &CompareAnswer,
    phase: &str,
    peak_mask: &[bool],
) -> Result<(), PlotError> {
    let results: Vec<_> = report.results.iter().filter(|r| r.phase == phase).collect();
    let steps = peak_mask.len().max(1);
    let step_days = 7.0 / steps as f64;
    // One scale for every panel, so before and after compare at a glance.
    let highest = report.results.iter().flat_map(|r| r.week.iter().copied());
    let y_max = axis_top(highest, report.utilization_target);
    let mut chart = ChartBuilder::on(area)
        .caption(
            format!(
                "{phase}: peak hours shaded, dashed line = target {:.0}%",
                report.utilization_target * 100.0
            ),
            ("sans-serif", 16),
        )
        .margin(12)
        .x_label_area_size(30)
        .y_label_area_size(55)
        .build_cartesian_2d(0f64..7f64, 0f64..y_max)?;
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    chart
        .configure_mesh()
        .x_labels(8)
        .x_label_formatter(&|x| DAYS.get(*x as usize).copied().unwrap_or("").to_string())
        .y_desc("utilization (%)")
        .y_label_formatter(&|y| format!("{y:.0}"))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()?;

    // Peak hours: one shaded band per run of peak steps.
    let mut runs = Vec::new();
    let mut start = None;
    for (step, &peak) in peak_mask.iter().chain(std::iter::once(&false)).enumerate() {
        match (peak, start) {
            (true, None) => start = Some(step),
            (false, Some(s)) => {
                runs.push((s, step));
                start = None;
            }
            _ => {}
        }
    }
    chart.draw_series(runs.iter().map(|&(a, b)| {
        Rectangle::new(
            [(a as f64 * step_days, 0.0), (b as f64 * step_days, y_max)],
            PEAK_SHADE.mix(0.15).filled(),
        )
    }))?;
    let target = report.utilization_target * 100.0;
    chart.draw_series(DashedLineSeries::new(
        [(0.0, target), (7.0, target)],
        8,
        6,
        BLACK.stroke_width(1),
    ))?;
    for (i, result) in results.iter().enumerate() {
        let style = colour(i).stroke_width(2);
        // The week is kept as hourly peaks, whatever the model's step.
        let point_days = 7.0 / result.week.len().max(1) as f64;
        chart
            .draw_series(LineSeries::new(
                result
                    .week
                    .iter()
                    .enumerate()
                    .map(|(h, u)| (h as f64 * point_days, on_axis(u * 100.0, y_max))),
                style,
            ))?
            .label(format!(
                "{} (peak {:.1}%)",
                result.policy,
                result.peak_utilization * 100.0
            ))
            .legend(move |(x, y)| {
                PathElement::new([(x, y), (x + 18, y)], colour(i).stroke_width(2))
            });
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(200, 200, 200))
        .label_font(("sans-serif", 13))
        .draw()?;
    Ok(())
}

/// The timeline plot: peak utilization per month per policy, additions marked.
pub fn timeline_svg(report: &TimelineAnswer) -> Result<String, PlotError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 560)).into_drawing_area();
        root.fill(&WHITE)?;
        let months = report.months.len().max(1);
        let highest = report
            .months
            .iter()
            .flat_map(|m| m.results.iter().map(|r| r.peak_utilization));
        let y_max = axis_top(highest, report.utilization_target);
        let labels: Vec<String> = report
            .months
            .iter()
            .map(|m| m.date[..7].to_string())
            .collect();
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!(
                    "{}: peak utilization by month; dashed = target, grey = additions online",
                    report.scenario
                ),
                ("sans-serif", 18),
            )
            .margin(15)
            .x_label_area_size(35)
            .y_label_area_size(55)
            .build_cartesian_2d(0f64..(months - 1).max(1) as f64, 0f64..y_max)?;
        chart
            .configure_mesh()
            .x_labels(months.min(13))
            .x_label_formatter(&|x| labels.get(x.round() as usize).cloned().unwrap_or_default())
            .y_desc("peak utilization (%)")
            .y_label_formatter(&|y| format!("{y:.0}"))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()?;
        for (m, month) in report.months.iter().enumerate() {
            if !month.additions.is_empty() {
                let x = m as f64;
                chart.draw_series(LineSeries::new(
                    [(x, 0.0), (x, y_max)],
                    RGBColor(150, 150, 150).stroke_width(2),
                ))?;
                chart.draw_series(std::iter::once(Text::new(
                    month.additions.join(", "),
                    (x, y_max * 0.97),
                    ("sans-serif", 13).into_font(),
                )))?;
            }
        }
        let target = report.utilization_target * 100.0;
        chart.draw_series(DashedLineSeries::new(
            [(0.0, target), ((months - 1).max(1) as f64, target)],
            8,
            6,
            BLACK.stroke_width(1),
        ))?;
        for (i, runway) in report.runway.iter().enumerate() {
            let points: Vec<(f64, f64)> = report
                .months
                .iter()
                .enumerate()
                .map(|(m, month)| {
                    (
                        m as f64,
                        on_axis(month.results[i].peak_utilization * 100.0, y_max),
                    )
                })
                .collect();
            chart
                .draw_series(LineSeries::new(points.clone(), colour(i).stroke_width(2)))?
                .label(format!("{} ({})", runway.policy, runway.summary()))
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 18, y)], colour(i).stroke_width(2))
                });
            chart.draw_series(
                points
                    .iter()
                    .map(|&p| Circle::new(p, 3, colour(i).filled())),
            )?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(200, 200, 200))
            .label_font(("sans-serif", 13))
            .draw()?;
        root.present()?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_axis_ignores_what_is_not_finite() {
        let top = axis_top([0.5, f64::INFINITY, f64::NAN].into_iter(), 0.8);
        assert!((top - 88.0).abs() < 1e-9);
        assert_eq!(on_axis(f64::INFINITY, top), top);
        assert_eq!(on_axis(50.0, top), 50.0);
        assert_eq!(axis_top(std::iter::empty(), 0.01), 10.0);
    }
}
