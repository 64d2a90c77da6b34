//! SVG plots drawn with plotters' SVG backend (no system fonts, identical bytes on every
//! run): utilization across the reference week per policy, before and after, with the
//! target line and peak hours shaded; and peak utilization per timeline month with the
//! additions marked.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::plan::{
    CompareAnswer, EventKind, Fit, LeverAnswer, Phase, SensitivityAnswer, SensitivityResult,
    TimelineAnswer,
};

/// Colours for policies, in order; chosen to stay apart on white and for common colour
/// blindness (Okabe–Ito, with Tol's wine in place of black: black is the target line).
const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(136, 34, 85),
    RGBColor(240, 228, 66),
];

const PEAK_SHADE: RGBColor = RGBColor(255, 170, 0);
const WIDTH: u32 = 1200;

/// Why a plot could not be drawn.
pub type PlotError = Box<dyn std::error::Error + Send + Sync>;

/// Width of the legend column, right of the charts: a legend there never covers data.
const LEGEND_WIDTH: u32 = 320;
/// Characters of legend text a line, and the height of a line, in pixels.
const LEGEND_CHARS: usize = 44;
const LEGEND_LINE: u32 = 16;

/// The colour of policy `index`: Okabe–Ito for the first eight, then hues a golden angle
/// apart (mid saturation and lightness), so that no two policies share a colour.
fn colour(index: usize) -> RGBColor {
    if let Some(&c) = PALETTE.get(index) {
        return c;
    }
    let hue = ((index - PALETTE.len()) as f64 * 137.507_764 + 20.0) % 360.0;
    let (s, l) = (0.65, 0.42);
    let c = (1.0 - (2.0 * l - 1.0_f64).abs()) * s;
    let h = hue / 60.0;
    let x = c * (1.0 - (h % 2.0 - 1.0).abs());
    let (r, g, b) = match h as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = l - c / 2.0;
    let byte = |v: f64| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    RGBColor(byte(r), byte(g), byte(b))
}

/// The legend's lines: each entry's text wrapped to the column, with its colour index.
fn legend_lines(entries: &[String]) -> Vec<(usize, bool, String)> {
    let mut lines = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        for (n, line) in super::document::wrap(entry, LEGEND_CHARS)
            .into_iter()
            .enumerate()
        {
            lines.push((i, n == 0, line));
        }
    }
    lines
}

/// The most series a plot draws: past that, lines are no longer told apart and the legend
/// grows without end (20,000 policies took 64 s and 4 GB as a PNG).
pub const MAX_SERIES: usize = 40;

/// The series a plot draws, in file order: all of them up to [`MAX_SERIES`], else the
/// [`MAX_SERIES`] with the highest peaks; and, when some are left out, a legend line that
/// says how many and names the first few.
fn drawn<'a>(policies: &[(&'a str, f64)]) -> (Vec<&'a str>, Option<String>) {
    if policies.len() <= MAX_SERIES {
        return (policies.iter().map(|p| p.0).collect(), None);
    }
    let mut by_peak: Vec<usize> = (0..policies.len()).collect();
    // Highest peak first, file order on a tie: a total order, so the same bytes each run.
    by_peak.sort_by(|&a, &b| policies[b].1.total_cmp(&policies[a].1).then(a.cmp(&b)));
    let mut keep = vec![false; policies.len()];
    for &i in &by_peak[..MAX_SERIES] {
        keep[i] = true;
    }
    let names = (0..policies.len())
        .filter(|&i| keep[i])
        .map(|i| policies[i].0)
        .collect();
    let left: Vec<&str> = (0..policies.len())
        .filter(|&i| !keep[i])
        .map(|i| policies[i].0)
        .collect();
    let named: Vec<&str> = left.iter().take(5).copied().collect();
    let more = if left.len() > named.len() {
        ", …"
    } else {
        ""
    };
    let note = format!(
        "{} more policies not drawn (the {MAX_SERIES} highest peaks are): {}{more}",
        left.len(),
        named.join(", ")
    );
    (names, Some(note))
}

/// Height the legend needs, in pixels, below a top offset of 60.
fn legend_height(entries: &[String]) -> u32 {
    60 + LEGEND_LINE * legend_lines(entries).len() as u32 + 20
}

/// Draws the legend in its own column: a line of the policy's colour, then its text.
fn draw_legend(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    entries: &[String],
) -> Result<(), PlotError> {
    let mut y = 60;
    for (i, first, line) in legend_lines(entries) {
        // Past the drawn series, the entry is the note on those omitted: no colour.
        if first && i < MAX_SERIES {
            area.draw(&PathElement::new(
                [(8, y + 7), (30, y + 7)],
                colour(i).stroke_width(3),
            ))?;
        }
        area.draw(&Text::new(line, (38, y), ("sans-serif", 13).into_font()))?;
        y += LEGEND_LINE as i32;
    }
    Ok(())
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

/// The top of the timeline's axis (percent): the band that decides, max(150 %, 1.2 × the
/// highest value under 200 %, the target included), so that months far over the target
/// (500 % in a year of growth) do not flatten the months near it; what runs off is
/// marked where it is drawn.
fn timeline_top(utilizations: impl Iterator<Item = f64>, target: f64) -> f64 {
    let highest = utilizations
        .filter(|u| u.is_finite() && *u < 2.0)
        .fold(target, f64::max);
    (120.0 * highest).max(150.0)
}

/// Whether a utilization (a fraction) runs off an axis whose top is `top` percent.
fn off_top(utilization: f64, top: f64) -> bool {
    !utilization.is_finite() || utilization * 100.0 > top
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
    let phases: Vec<Phase> = report.phases.iter().map(|p| p.name.clone()).collect();
    // Each policy once, in file order, with its highest peak over the phases.
    let mut order: Vec<(&str, f64)> = Vec::new();
    let mut at: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for r in &report.results {
        let i = *at.entry(&r.policy).or_insert_with(|| {
            order.push((&r.policy, f64::NEG_INFINITY));
            order.len() - 1
        });
        order[i].1 = order[i].1.max(r.peak_utilization);
    }
    let (names, omitted) = drawn(&order);
    let mut peaks: std::collections::HashMap<&str, Vec<String>> = std::collections::HashMap::new();
    for r in &report.results {
        // A result within the target that fails on the training floor says so: its line
        // alone would look like a pass.
        let floor = if r.verdict == Fit::TrainingFloor {
            " ✗ training below the floor"
        } else {
            ""
        };
        peaks.entry(&r.policy).or_default().push(format!(
            "{} {:.1}%{floor}",
            r.phase,
            r.peak_utilization * 100.0
        ));
    }
    let mut entries: Vec<String> = names
        .iter()
        .map(|name| format!("{name} (peak {})", peaks[name].join(", ")))
        .collect();
    entries.extend(omitted);
    let height = (80 + 360 * phases.len() as u32).max(legend_height(&entries));
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
        let (charts, legend) = body.split_horizontally(WIDTH - LEGEND_WIDTH);
        let panels = charts.split_evenly((phases.len().max(1), 1));
        for (panel, phase) in panels.iter().zip(&phases) {
            week_panel(panel, report, phase.clone(), &names, peak_mask)?;
        }
        draw_legend(&legend, &entries)?;
        root.present()?;
    }
    Ok(svg)
}

fn week_panel(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    report: &CompareAnswer,
    phase: Phase,
    names: &[&str],
    peak_mask: &[bool],
) -> Result<(), PlotError> {
    let colour_of: std::collections::HashMap<&str, usize> =
        names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let results: Vec<_> = report
        .results
        .iter()
        .filter(|r| r.phase == phase && colour_of.contains_key(r.policy.as_str()))
        .collect();
    let steps = peak_mask.len().max(1);
    let step_days = 7.0 / steps as f64;
    // One scale for every panel, so before and after compare at a glance.
    let highest = report.results.iter().flat_map(|r| r.week.iter().copied());
    let y_max = axis_top(highest, report.utilization_target);
    let floor = if results.iter().any(|r| r.verdict == Fit::TrainingFloor) {
        "; ✗ = fails: training below its floor"
    } else {
        ""
    };
    let mut chart = ChartBuilder::on(area)
        .caption(
            format!(
                "{phase}: peak hours shaded, dashed line = target {:.0}%{floor}",
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
    for result in &results {
        // A policy keeps its colour in both panels and in the legend.
        let i = colour_of[result.policy.as_str()];
        let style = colour(i).stroke_width(2);
        // The week is kept as hourly peaks, whatever the model's step.
        let point_days = 7.0 / result.week.len().max(1) as f64;
        chart.draw_series(LineSeries::new(
            result
                .week
                .iter()
                .enumerate()
                .map(|(h, u)| (h as f64 * point_days, on_axis(u * 100.0, y_max))),
            style,
        ))?;
        // Failing on the training floor: a cross at the peak, in the policy's colour.
        if result.verdict == Fit::TrainingFloor {
            // The model's own peak (ties at the target go to the first hour).
            let peak = crate::model::headroom::peak_of(&result.week);
            let at = (peak.0 as f64 * point_days, on_axis(peak.1 * 100.0, y_max));
            chart.draw_series(std::iter::once(Cross::new(
                at,
                7,
                colour(i).stroke_width(3),
            )))?;
        }
    }
    Ok(())
}

/// The timeline plot: peak utilization per month per policy, additions marked.
pub fn timeline_svg(report: &TimelineAnswer) -> Result<String, PlotError> {
    let mut svg = String::new();
    {
        let order: Vec<(&str, f64)> = report
            .runway
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let peak = report
                    .months
                    .iter()
                    .map(|m| m.results[i].peak_utilization)
                    .fold(f64::NEG_INFINITY, f64::max);
                (r.policy.as_str(), peak)
            })
            .collect();
        let (names, omitted) = drawn(&order);
        let shown: std::collections::HashSet<&str> = names.iter().copied().collect();
        let series: Vec<usize> = (0..report.runway.len())
            .filter(|&i| shown.contains(report.runway[i].policy.as_str()))
            .collect();
        let mut entries: Vec<String> = series
            .iter()
            .map(|&i| {
                let r = &report.runway[i];
                format!("{} ({})", r.policy, r.summary())
            })
            .collect();
        entries.extend(omitted);
        let height = 560.max(legend_height(&entries));
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let (plot_area, legend) = root.split_horizontally(WIDTH - LEGEND_WIDTH);
        draw_legend(&legend, &entries)?;
        let months = report.months.len().max(1);
        let highest = report
            .months
            .iter()
            .flat_map(|m| m.results.iter().map(|r| r.peak_utilization));
        let y_max = timeline_top(highest, report.utilization_target);
        let off_axis = report
            .months
            .iter()
            .any(|m| m.results.iter().any(|r| off_top(r.peak_utilization, y_max)));
        let labels: Vec<String> = report
            .months
            .iter()
            .map(|m| m.date[..7].to_string())
            .collect();
        let mut chart = ChartBuilder::on(&plot_area)
            .caption(
                format!(
                    "{}: each month's worst day; lines = fleet changes{}",
                    report.scenario,
                    if off_axis {
                        format!("; ▲ above {y_max:.0}%")
                    } else {
                        String::new()
                    }
                ),
                ("sans-serif", 18),
            )
            .margin(15)
            .x_label_area_size(35)
            .y_label_area_size(55)
            // Half a month either side, so that the first and last labels are never cut.
            .build_cartesian_2d(-0.5f64..(months as f64 - 0.5).max(0.5), 0f64..y_max)?;
        chart
            .configure_mesh()
            .x_labels(months.min(13))
            .x_label_formatter(&|x| {
                // Months sit on whole numbers; a tick between two months has no label.
                let whole = (x - x.round()).abs() < 1e-9 && *x >= 0.0;
                let month = labels.get(x.round() as usize).filter(|_| whole);
                month.cloned().unwrap_or_default()
            })
            .y_desc("peak utilization (%)")
            .y_label_formatter(&|y| format!("{y:.0}"))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()?;
        // Each fleet change on its day: month m spans m - 0.5 to m + 0.5 on the axis.
        for (k, event) in report.events.iter().enumerate() {
            let Some(m) = report
                .months
                .iter()
                .rposition(|month| month.date <= event.date)
            else {
                continue;
            };
            let next = report.months.get(m + 1).map(|n| n.date.as_str());
            let x = m as f64 - 0.5 + month_fraction(&report.months[m].date, next, &event.date);
            let (label, style) = match event.kind {
                EventKind::Online => (format!("+{}", event.site), RGBColor(150, 150, 150)),
                EventKind::RampEnd => (format!("{} full", event.site), RGBColor(200, 200, 200)),
                EventKind::Offline => (format!("-{}", event.site), RGBColor(200, 120, 120)),
            };
            chart.draw_series(LineSeries::new(
                [(x, 0.0), (x, y_max)],
                style.stroke_width(2),
            ))?;
            // Labels step down the top edge so that events close together stay legible;
            // one too close to the right edge would run into the legend, so it has none.
            if x > months as f64 - 1.5 {
                continue;
            }
            chart.draw_series(std::iter::once(Text::new(
                label,
                (x, y_max * (0.97 - 0.045 * (k % 5) as f64)),
                ("sans-serif", 12).into_font(),
            )))?;
        }
        let target = report.utilization_target * 100.0;
        chart.draw_series(DashedLineSeries::new(
            [(0.0, target), ((months - 1).max(1) as f64, target)],
            8,
            6,
            BLACK.stroke_width(1),
        ))?;
        for (colour_index, &i) in series.iter().enumerate() {
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
            let c = colour(colour_index);
            chart.draw_series(LineSeries::new(points.clone(), c.stroke_width(2)))?;
            // A month above the axis is a triangle on its top edge, not a dot.
            let above = |m: usize| off_top(report.months[m].results[i].peak_utilization, y_max);
            chart.draw_series(
                points
                    .iter()
                    .enumerate()
                    .filter(|&(m, _)| !above(m))
                    .map(|(_, &p)| Circle::new(p, 3, c.filled())),
            )?;
            chart.draw_series(
                points
                    .iter()
                    .enumerate()
                    .filter(|&(m, _)| above(m))
                    .map(|(_, &p)| TriangleMarker::new(p, 6, c.filled())),
            )?;
        }
        root.present()?;
    }
    Ok(svg)
}

/// How far into a month (0 to 1) a date falls: its day's start over the month's days.
fn month_fraction(first: &str, next: Option<&str>, date: &str) -> f64 {
    let parse = |d: &str| crate::scenario::Date::parse(d).ok();
    match (parse(first), next.and_then(parse), parse(date)) {
        (Some(first), Some(next), Some(date)) => {
            date.days_since(first) as f64 / next.days_since(first).max(1) as f64
        }
        (Some(first), None, Some(date)) => (date.days_since(first) as f64 / 30.436875).min(1.0),
        _ => 0.0,
    }
}

/// The most levers a tornado panel draws: the nearest flips (the table lists them all).
pub const TORNADO_BARS: usize = 12;
/// Width of a tornado panel's label column, pixels.
const TORNADO_LABELS: u32 = 330;

/// The tornado chart of a sensitivity answer: one panel per result, a bar per lever (the
/// nearest flips first, at most [`TORNADO_BARS`]) from its peak at ×0.8 to its peak at
/// ×1.25, the target dashed, the result's own peak a thin line, each lever's flip in its
/// label.
pub fn tornado_svg(answer: &SensitivityAnswer) -> Result<String, PlotError> {
    let panels: Vec<(&SensitivityResult, Vec<&LeverAnswer>)> = answer
        .results
        .iter()
        .map(|r| (r, r.levers.iter().take(TORNADO_BARS).collect()))
        .collect();
    let panel_height = |bars: usize| 80 + 24 * bars.max(1) as u32;
    let height = 50
        + panels
            .iter()
            .map(|(_, l)| panel_height(l.len()))
            .sum::<u32>();
    let values = panels.iter().flat_map(|(r, levers)| {
        levers
            .iter()
            .flat_map(|l| [l.low, l.high])
            .chain(std::iter::once(r.peak_utilization))
    });
    let x_max = axis_top(values, answer.utilization_target);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let (title, mut rest) = root.split_vertically(50);
        title.draw(&Text::new(
            format!(
                "{}: peak utilization with each input at ×0.8 and ×1.25",
                answer.scenario
            ),
            (20, 18),
            ("sans-serif", 22).into_font(),
        ))?;
        for (result, levers) in &panels {
            let (panel, below) = rest.split_vertically(panel_height(levers.len()));
            rest = below;
            tornado_panel(&panel, result, levers, x_max, answer.utilization_target)?;
        }
        root.present()?;
    }
    Ok(svg)
}

/// One result's bars.
fn tornado_panel(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    result: &SensitivityResult,
    levers: &[&LeverAnswer],
    x_max: f64,
    target: f64,
) -> Result<(), PlotError> {
    let (labels, plot) = area.split_horizontally(TORNADO_LABELS);
    let n = levers.len().max(1) as f64;
    let mut chart = ChartBuilder::on(&plot)
        .caption(
            format!(
                "{} on {}: peak {:.1}% ({}); dashed: target {:.0}%; blue lower, orange higher",
                result.policy,
                result.phase,
                result.peak_utilization * 100.0,
                if result.fits { "fits" } else { "does not fit" },
                target * 100.0
            ),
            ("sans-serif", 16),
        )
        .margin(10)
        .x_label_area_size(28)
        .y_label_area_size(0)
        .build_cartesian_2d(0f64..x_max, 0f64..n)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_desc("peak utilization (%)")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()?;
    let base = on_axis(result.peak_utilization * 100.0, x_max);
    for (i, lever) in levers.iter().enumerate() {
        let y = n - 1.0 - i as f64;
        let (low, high) = (
            on_axis(lever.low * 100.0, x_max),
            on_axis(lever.high * 100.0, x_max),
        );
        // The part below the base peak in the first colour, above it in the second,
        // whichever end of the lever gives which.
        let (least, most) = (low.min(high).min(base), low.max(high).max(base));
        for (from, to, c) in [(least, base, 0), (base, most, 1)] {
            if to > from {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(from, y + 0.2), (to, y + 0.8)],
                    colour(c).mix(0.8).filled(),
                )))?;
            }
        }
        let flip = lever
            .flip
            .map_or_else(|| "no flip".to_string(), super::sensitivity::multiplier);
        let (_, py) = chart.backend_coord(&(0.0, y + 0.5));
        let top = labels.get_base_pixel().1;
        labels.draw(&Text::new(
            format!("{} · flip {flip}", lever.label),
            (10, py - top - 7),
            ("sans-serif", 13).into_font(),
        ))?;
    }
    let target = target * 100.0;
    chart.draw_series(DashedLineSeries::new(
        [(target, 0.0), (target, n)],
        8,
        6,
        BLACK.stroke_width(1),
    ))?;
    chart.draw_series(std::iter::once(PathElement::new(
        [(base, 0.0), (base, n)],
        RGBColor(90, 90, 90).stroke_width(1),
    )))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixty_four_policies_get_sixty_four_colours_none_black() {
        let colours: Vec<RGBColor> = (0..64).map(colour).collect();
        for (i, c) in colours.iter().enumerate() {
            assert_ne!(*c, BLACK, "policy {i} would look like the target line");
            assert!(!colours[..i].contains(c), "policy {i} repeats a colour");
        }
        assert_eq!(colour(8), RGBColor(177, 84, 37));
    }

    #[test]
    fn the_timeline_axis_shows_the_band_that_decides() {
        // colossus.toml runs to 514 %: the axis stops at 1.2 × 199.1 %.
        let top = timeline_top([0.8, 1.991, 2.5, 5.14].into_iter(), 0.8);
        assert!((top - 238.92).abs() < 1e-9, "{top}");
        assert_eq!(timeline_top([0.5, 0.9].into_iter(), 0.8), 150.0);
        assert_eq!(timeline_top([f64::NAN, 9.0].into_iter(), 0.8), 150.0);
    }

    #[test]
    fn forty_series_are_drawn_and_the_rest_named_as_omitted() {
        let names: Vec<String> = (0..45).map(|i| format!("p{i}")).collect();
        // p44 peaks highest, p0..p4 lowest.
        let policies: Vec<(&str, f64)> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i as f64))
            .collect();
        let (shown, note) = drawn(&policies);
        assert_eq!(shown.len(), MAX_SERIES);
        assert_eq!(shown[0], "p5");
        assert_eq!(
            note.as_deref(),
            Some("5 more policies not drawn (the 40 highest peaks are): p0, p1, p2, p3, p4")
        );
        let (all, none) = drawn(&policies[..40]);
        assert_eq!((all.len(), none), (40, None));
    }

    #[test]
    fn the_axis_ignores_what_is_not_finite() {
        let top = axis_top([0.5, f64::INFINITY, f64::NAN].into_iter(), 0.8);
        assert!((top - 88.0).abs() < 1e-9);
        assert_eq!(on_axis(f64::INFINITY, top), top);
        assert_eq!(on_axis(50.0, top), 50.0);
        assert_eq!(axis_top(std::iter::empty(), 0.01), 10.0);
    }
}
