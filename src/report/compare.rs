//! Renders the answers of `compare` and `check`: capacity per phase, each policy before
//! and after, its N-1 view and its demand-uncertainty cases, and for `check` the verdict.

use super::Render;
use super::document::{Document, Section, TableData, sparkline};
use crate::fmt::{count, hours, mw, num, opt_num, percent, plural, usd, yes_no};
use crate::plan::{
    CaseAnswer, CheckAnswer, CompareAnswer, Decides, Fit, Holding, Phase, PhaseAnswer,
    PlacementAnswer, PolicyAnswer, SampledAnswer,
};

/// Why a result does not fit, in a few words.
fn why_not(verdict: Fit) -> &'static str {
    match verdict {
        Fit::NoCapacity => "no capacity for a class",
        Fit::OverTarget => "over target",
        Fit::TrainingFloor => "training below the floor",
        Fit::Fits => "fits",
    }
}

impl Render for CompareAnswer {
    /// The verdict first; the tables; the verdict again last, so that a terminal whose
    /// prompt has returned still shows the answer.
    fn document(&self) -> Document {
        let mut document = self.tables();
        document.sections.push(Section {
            heading: "Summary".into(),
            table: None,
            notes: self.verdict_lines(false),
        });
        document
    }

    fn csv(&self) -> TableData {
        self.csv_table()
    }
}

impl CompareAnswer {
    /// The verdict and every table, without the closing summary (`check` closes with its
    /// own).
    fn tables(&self) -> Document {
        let mut sections = vec![Section {
            heading: "Verdict".into(),
            table: None,
            notes: self.verdict_lines(true),
        }];
        sections.extend(self.phases.iter().map(phase_section));
        sections.push(self.policy_section());
        if self.results.iter().any(|r| r.n_minus_1.is_some()) {
            sections.push(self.n_minus_1_section());
        }
        if self.results.iter().any(|r| cases(r).is_some()) {
            sections.push(self.uncertainty_section());
        }
        if self.results.iter().any(|r| sampled(r).is_some()) {
            sections.push(self.sampled_section());
        }
        if self.results.iter().any(|r| r.cost.is_some()) {
            sections.push(self.cost_section());
        }
        Document {
            title: format!(
                "{} — step {} min, utilization target {}",
                self.scenario,
                self.step_minutes,
                percent(self.utilization_target)
            ),
            sections,
        }
    }

    /// One row per policy and phase, numbers at full precision.
    fn csv_table(&self) -> TableData {
        let mut table = TableData::new(&[
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
            "n_minus_1_site",
            "n_minus_1_peak_utilization",
            "n_minus_1_survives",
            "low_peak_utilization",
            "high_peak_utilization",
            "training_gpu_hours",
            "placement_replaced",
            "placement_pinned",
        ]);
        let samples = self.results.iter().any(|r| sampled(r).is_some());
        if samples {
            for column in [
                "p10_peak_utilization",
                "p50_peak_utilization",
                "p90_peak_utilization",
                "p_fits",
                "p_fits_standard_error",
            ] {
                table.header.push(column.to_string());
            }
        }
        // v3: a dated phase's date, and how long the last phase's results hold.
        let dated = self.phases.iter().any(|p| p.on.is_some());
        let holds = self.results.iter().any(|r| r.holds_until.is_some());
        if dated {
            table.header.push("phase_on".to_string());
        }
        if holds {
            table.header.push("holds_until".to_string());
        }
        let costs = self.results.iter().any(|r| r.cost.is_some());
        if costs {
            for column in [
                "serving_cost_per_week",
                "training_cost_per_week",
                "revenue_per_week",
                "margin_per_week",
            ] {
                table.header.push(column.to_string());
            }
        }
        for r in &self.results {
            let n1 = r.n_minus_1.as_ref();
            let u = r.uncertainty.as_ref();
            table.row(vec![
                self.scenario.clone(),
                r.policy.clone(),
                r.phase.to_string(),
                num(r.peak_utilization),
                r.peak_step.to_string(),
                r.peak_time.clone(),
                num(r.hours_over_target),
                num(r.served_share),
                num(r.throttled_share_at_peak),
                num(r.shed_share),
                num(r.mw_to_fit),
                r.unservable_classes.join(";"),
                r.fits.to_string(),
                n1.map(|n| n.site.clone()).unwrap_or_default(),
                opt_num(n1.map(|n| n.peak_utilization)),
                n1.map(|n| n.survives.to_string()).unwrap_or_default(),
                opt_num(u.and_then(|u| u.low.as_ref()).map(|c| c.peak_utilization)),
                opt_num(u.and_then(|u| u.high.as_ref()).map(|c| c.peak_utilization)),
                num(r.training_gpu_hours),
                num(r.placement.replaced),
                num(r.placement.pinned),
            ]);
            if let (true, Some(s)) = (samples, sampled(r)) {
                let row = table.rows.last_mut().expect("a row was just added");
                for value in [
                    s.peak_utilization.p10,
                    s.peak_utilization.p50,
                    s.peak_utilization.p90,
                    s.p_fits,
                    s.p_fits_standard_error,
                ] {
                    row.push(num(value));
                }
            }
            let row = table.rows.last_mut().expect("a row was just added");
            if dated {
                let on = self.phases.iter().find(|p| p.name == r.phase);
                row.push(on.and_then(|p| p.on.clone()).unwrap_or_default());
            }
            if holds {
                row.push(r.holds_until.clone().flatten().unwrap_or_default());
            }
            if let (true, Some(c)) = (costs, &r.cost) {
                let row = table.rows.last_mut().expect("a row was just added");
                for value in [
                    c.serving_cost_per_week,
                    c.training_cost_per_week,
                    c.revenue_per_week,
                    c.margin_per_week,
                ] {
                    row.push(num(value));
                }
            }
        }
        table
    }
}

impl Render for CheckAnswer {
    /// The verdict first, then the comparison's tables, then one line per policy.
    fn document(&self) -> Document {
        let mut document = self.comparison.tables();
        let check = &self.check;
        let phase = check.phase.name();
        let total = check.policies.len();
        let n1 = if check.n_minus_1 { ", N-1" } else { "" };
        let failing: Vec<&str> = check.failing().map(|p| p.policy.as_str()).collect();
        let verdict = if check.passed() {
            match check.policies.as_slice() {
                [only] => format!("check passed: {} fits ({phase}{n1})", only.policy),
                _ => format!("check passed: all {total} policies fit ({phase}{n1})"),
            }
        } else if total == 1 {
            format!(
                "check failed: {} does not fit ({phase}{n1})",
                failing.join(", ")
            )
        } else if failing.len() == total {
            format!("check failed: none of the {total} policies fits ({phase}{n1})")
        } else {
            format!(
                "check failed: {} of {total} policies do{} not fit ({phase}{n1}): {}",
                failing.len(),
                if failing.len() == 1 { "es" } else { "" },
                failing.join(", ")
            )
        };
        // The check's own verdict replaces the comparison's, and closes the output too.
        document.sections[0] = Section {
            heading: verdict.clone(),
            ..Section::default()
        };
        document.sections.push(Section {
            heading: format!("Check ({phase}, demand {})", check.at.name()),
            table: None,
            notes: check.policies.iter().map(|p| p.reason()).collect(),
        });
        document.sections.push(Section {
            heading: "Summary".into(),
            table: None,
            notes: vec![verdict],
        });
        document
    }

    fn csv(&self) -> TableData {
        self.comparison.csv()
    }

    /// One test suite per phase checked, one test case per policy and gate; a gate missed
    /// is a failure whose message gives the numbers. No timestamps: the same scenario gives
    /// the same bytes.
    fn junit(&self) -> Option<String> {
        use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
        let check = &self.check;
        let phase = check.phase.name();
        let mut suite = TestSuite::new(xml_safe(&format!(
            "capplan check: {} ({phase})",
            self.comparison.scenario
        )));
        for policy in &check.policies {
            for gate in &policy.gates {
                let status = if gate.passed {
                    TestCaseStatus::success()
                } else {
                    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    status.set_message(xml_safe(&gate.detail));
                    status.set_description(xml_safe(&policy.reason()));
                    status
                };
                let mut case = TestCase::new(
                    xml_safe(&format!("{}: {}", policy.policy, gate.name)),
                    status,
                );
                case.set_classname(xml_safe(&format!("capplan.{phase}.{}", policy.policy)));
                suite.add_test_case(case);
            }
        }
        let mut report = Report::new("capplan check");
        report.add_test_suite(suite);
        report.to_string().ok()
    }
}

/// Text as XML 1.0 may hold it: a character XML forbids (controls but tab and line
/// breaks, surrogates, U+FFFE and U+FFFF) becomes U+FFFD, so the JUnit file is always
/// well-formed. The validator refuses such names already; this holds for any text.
pub fn xml_safe(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' => c,
            c if u32::from(c) >= 0x10000 => c,
            _ => '\u{FFFD}',
        })
        .collect()
}

impl PhaseAnswer {
    /// The phase in a verdict line: "Before the additions", "After the additions", or a
    /// dated phase as "colossus-1-online (2026-06-06)".
    pub fn label(&self) -> String {
        match (&self.name, &self.on) {
            (Phase::Before, _) => "Before the additions".into(),
            (Phase::After, _) => "After the additions".into(),
            (name, Some(on)) => format!("{name} ({on})"),
            (name, None) => name.to_string(),
        }
    }

    /// Where a runway starts, in words: "from colossus-1-online (2026-06-06)", or "from
    /// the day the last addition is in full" for `after`.
    fn start_label(&self) -> String {
        match &self.name {
            Phase::Dated(_) => format!("from {}", self.label()),
            _ => "from the day the last addition is in full".into(),
        }
    }
}

fn phase_section(phase: &PhaseAnswer) -> Section {
    let gpus: f64 = phase
        .sites
        .iter()
        .flat_map(|s| s.serving_gpus.values())
        .sum();
    let mut skus: Vec<&str> = Vec::new();
    for site in &phase.sites {
        for sku in site.serving_gpus.keys() {
            if !skus.contains(&sku.as_str()) {
                skus.push(sku);
            }
        }
    }
    let mut header = vec!["Site".to_string(), "Online".into(), "Power".into()];
    header.extend(skus.iter().map(|sku| format!("{sku} serving")));
    header.push("Serving MW".into());
    // On a narrow terminal the per-SKU columns go first, the last first, then the date.
    let mut table = TableData {
        header,
        ..TableData::default()
    }
    .right(3..4 + skus.len())
    .droppable((3..3 + skus.len()).rev().chain([1]));
    for site in &phase.sites {
        let mut row = vec![
            site.name.clone(),
            {
                // v3: how much of a ramping site is in, and when a leaving site goes.
                let mut online = site.online.clone().unwrap_or_else(|| "in service".into());
                if let Some(share) = site.ramp_share {
                    online.push_str(&format!(", {} in", percent(share)));
                }
                if let Some(offline) = &site.offline {
                    online.push_str(&format!(", gone {offline}"));
                }
                online
            },
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
        table.row(row);
    }
    let mut rates: Vec<String> = phase
        .tokens_per_s
        .iter()
        .map(|(class, rate)| format!("{class} {}", count(*rate)))
        .collect();
    for (class, by_speed) in &phase.tokens_per_s_by_speed {
        rates.extend(
            by_speed
                .iter()
                .map(|(speed, rate)| format!("{class} at {speed}/user {}", count(*rate))),
        );
    }
    Section {
        heading: format!(
            "Capacity {}{}: {}, {} serving GPUs, {} MW serving",
            phase.name,
            phase
                .on
                .as_ref()
                .map_or(String::new(), |on| format!(" on {on}")),
            plural(phase.sites.len(), "site", "sites"),
            count(gpus),
            mw(phase.serving_mw)
        ),
        table: Some(table),
        notes: vec![format!("Output tokens/s: {}", rates.join(", "))],
    }
}

impl CompareAnswer {
    fn policy_section(&self) -> Section {
        let mut table = TableData::new(&[
            "Policy",
            "Phase",
            "Week (Mon-Sun)",
            "Peak util",
            "Peak at",
            "Hours over",
            "Served",
            "Throttled",
            "Shed",
            "MW to fit",
            "Fits",
        ])
        .right([3, 5, 6, 7, 8, 9]);
        // One scale for every sparkline, so rows compare.
        let top = self
            .results
            .iter()
            .map(|r| r.peak_utilization)
            .fold(self.utilization_target, f64::max);
        let mut notes: Vec<String> = Vec::new();
        // Training GPU-hours only where some GPUs train, and placement bounds only where
        // placement moves some peak: a fleet that only serves, on one SKU, keeps the table
        // as narrow as before.
        let training = self.results.iter().any(|r| r.training_gpu_hours > 0.0)
            || self.training_floor_gpu_hours.is_some();
        let placement = self.results.iter().any(|r| placement_moves(&r.placement));
        if training {
            table.header.insert(10, "Training GPU-h".into());
            table.right_aligned.push(10);
        }
        // On a narrow terminal, the least needed go first (docs/output.md): throttled,
        // shed, served, training, hours over, (placement,) the week, the peak's time, MW
        // to fit. Policy, phase, peak and fits never go.
        table.droppable = [7, 8, 6]
            .into_iter()
            .chain(training.then_some(10))
            .chain([5, 2, 4, 9])
            .collect();
        for r in &self.results {
            let fits = match r.verdict {
                Fit::NoCapacity => {
                    format!("NO: no capacity for {}", r.unservable_classes.join(", "))
                }
                Fit::TrainingFloor => "NO (floor)".to_string(),
                Fit::OverTarget => yes_no(false),
                Fit::Fits => yes_no(true),
            };
            let mut row = vec![
                r.policy.clone(),
                r.phase.to_string(),
                sparkline(&r.week, 28, top),
                percent(r.peak_utilization),
                r.peak_time.clone(),
                hours(r.hours_over_target),
                percent(r.served_share),
                percent(r.throttled_share_at_peak),
                percent(r.shed_share),
                mw(r.mw_to_fit),
                fits,
            ];
            if training {
                row.insert(10, count(r.training_gpu_hours));
            }
            table.row(row);
            if let Some(description) = &r.description {
                let note = format!("{}: {description}", r.policy);
                if !notes.contains(&note) {
                    notes.push(note);
                }
            }
        }
        if placement {
            // After the peak; on a narrow terminal it goes after hours over, before the week.
            const AT: usize = 4;
            table.header.insert(AT, "Placement".into());
            for (row, r) in table.rows.iter_mut().zip(&self.results) {
                row.insert(AT, placement_range(&r.placement));
            }
            let shift = |c: usize| if c >= AT { c + 1 } else { c };
            table.right_aligned = table.right_aligned.iter().map(|&c| shift(c)).collect();
            table.right_aligned.push(AT);
            let week = table
                .droppable
                .iter()
                .position(|&c| c == 2)
                .expect("the week can go");
            table.droppable = table.droppable.iter().map(|&c| shift(c)).collect();
            table.droppable.insert(week, AT);
        }
        if let Some(floor) = self.training_floor_gpu_hours {
            notes.push(format!(
                "Training must keep at least {} GPU-hours a week (training_floor_gpu_hours).",
                count(floor)
            ));
        }
        if placement {
            notes.push(format!(
                "Placement: from the peak if the scheduler re-places classes on SKUs {}, to the peak if pools are pinned for the week, each sized for its own class's peak (Peak util: every GPU splits its time over classes in one ratio){}.",
                each_step(self.step_minutes),
                if self.results.iter().any(|r| !placement_moves(&r.placement)) {
                    "; - where placement does not move the peak"
                } else {
                    ""
                }
            ));
        }
        Section {
            heading: "Policies (peak times UTC; hours over target per week; throttled = active users at the peak step)".into(),
            table: Some(table),
            notes,
        }
    }

    fn n_minus_1_section(&self) -> Section {
        let mut table = TableData::new(&[
            "Policy",
            "Phase",
            "Site lost",
            "Peak util",
            "Shed",
            "Survives",
        ])
        .right([3, 4])
        .droppable([4]);
        for r in &self.results {
            let Some(n) = &r.n_minus_1 else { continue };
            let survives = if n.unservable_classes.is_empty() {
                yes_no(n.survives)
            } else {
                format!("NO: no capacity for {}", n.unservable_classes.join(", "))
            };
            // A loss that leaves a class nothing to serve it has no meaningful peak.
            let peak = if n.unservable_classes.is_empty() {
                percent(n.peak_utilization)
            } else {
                "no capacity".to_string()
            };
            table.row(vec![
                r.policy.clone(),
                r.phase.to_string(),
                n.site.clone(),
                peak,
                percent(n.shed_share),
                survives,
            ]);
        }
        // Every table names its demand case: check --n-minus-1 --at high evaluates N-1 there.
        let demand = self
            .results
            .iter()
            .find_map(|r| r.n_minus_1.as_ref())
            .map_or("mid", |n| n.demand);
        let case = if demand == "mid" {
            String::new()
        } else {
            format!(" at {demand} demand")
        };
        Section {
            heading: format!(
                "N-1{case}: each phase loses each site in turn; the worst loss is shown (survives = every loss stays at or below 100%)"
            ),
            table: Some(table),
            notes: Vec::new(),
        }
    }

    /// The answer: per phase, how many policies fit and which do not; then the tightest
    /// result and what it lacks; with `chances`, the chance to fit over the samples.
    fn verdict_lines(&self, chances: bool) -> Vec<String> {
        let mut lines = Vec::new();
        for phase in &self.phases {
            let results: Vec<&PolicyAnswer> = self
                .results
                .iter()
                .filter(|r| r.phase == phase.name)
                .collect();
            let missing: Vec<String> = results
                .iter()
                .filter(|r| !r.fits)
                .map(|r| format!("{} ({})", r.policy, why_not(r.verdict)))
                .collect();
            let fit = results.len() - missing.len();
            let phase_name = phase.label();
            lines.push(
                if let ([only], []) = (results.as_slice(), missing.as_slice()) {
                    format!("{phase_name}: {} fits.", only.policy)
                } else if let ([_], [why]) = (results.as_slice(), missing.as_slice()) {
                    format!("{phase_name}: {why} does not fit.")
                } else if missing.is_empty() {
                    format!("{phase_name}: all {} policies fit.", results.len())
                } else {
                    format!(
                        "{phase_name}: {fit} of {} policies fit; {} do{} not.",
                        results.len(),
                        missing.join(", "),
                        if missing.len() == 1 { "es" } else { "" }
                    )
                },
            );
        }
        // How long the last phase's results hold at the planned growth (with a timeline).
        let holds: Vec<String> = self
            .results
            .iter()
            .filter(|r| self.phases.last().is_some_and(|p| p.name == r.phase))
            .filter_map(|r| match r.holds? {
                Holding::Until(day) => Some(format!("{} holds until {day}", r.policy)),
                Holding::ToEnd => Some(format!("{} holds to the end of the timeline", r.policy)),
                // It fits as the phase sees demand, but not with the demand grown to the
                // day (an undated `after` sees demand as written).
                Holding::NotThen if r.fits => Some(format!(
                    "{} does not fit on that day at the planned growth",
                    r.policy
                )),
                Holding::NotThen => None,
            })
            .collect();
        if !holds.is_empty() {
            lines.push(format!(
                "At the planned growth, {}: {}.",
                self.phases
                    .last()
                    .map_or(String::new(), |p| p.start_label()),
                holds.join("; ")
            ));
        }
        if let Some(r) = self.tightest() {
            let short = if r.mw_to_fit > 0.0 {
                format!(", {} MW of serving short", mw(r.mw_to_fit))
            } else {
                String::new()
            };
            lines.push(format!(
                "Tightest: {} ({}) peaks at {} against the {} target{short}.",
                r.policy,
                r.phase,
                percent(r.peak_utilization),
                percent(self.utilization_target)
            ));
        }
        if let Some(line) = self.placement_line() {
            lines.push(line);
        }
        if let Some(flips) = &self.flips {
            lines.push(format!(
                "Nearest flip: {} ({}) {}.",
                flips.policy,
                flips.phase,
                flips.flip_clause()
            ));
        }
        // The chance to fit over the samples, phase by phase.
        if let Some(first) = self.results.iter().find_map(sampled).filter(|_| chances) {
            for phase in &self.phases {
                let chances: Vec<String> = self
                    .results
                    .iter()
                    .filter(|r| r.phase == phase.name)
                    .filter_map(|r| Some(format!("{} {}", r.policy, percent(sampled(r)?.p_fits))))
                    .collect();
                lines.push(format!(
                    "Chance to fit {} ({} samples): {}.",
                    match phase.name {
                        Phase::Before => "before the additions".to_string(),
                        Phase::After => "after the additions".to_string(),
                        Phase::Dated(_) => format!("at {}", phase.label()),
                    },
                    count(first.samples as f64),
                    chances.join(", ")
                ));
            }
        }
        lines
    }

    /// Cost and margin per policy and phase, in USD a week, and each policy against the
    /// first one in the file.
    fn cost_section(&self) -> Section {
        let mut table = TableData::new(&[
            "Policy",
            "Phase",
            "Serving $/wk",
            "Training $/wk",
            "Revenue $/wk",
            "Margin $/wk",
            "Losing tiers",
        ])
        .right([2, 3, 4, 5])
        .droppable([6, 3]);
        let mut notes = Vec::new();
        for r in &self.results {
            let Some(c) = &r.cost else { continue };
            let losing: Vec<&str> = c
                .tiers
                .iter()
                .filter(|t| t.margin < 0.0)
                .map(|t| t.tier.as_str())
                .collect();
            table.row(vec![
                r.policy.clone(),
                r.phase.to_string(),
                usd(c.serving_cost_per_week),
                usd(c.training_cost_per_week),
                usd(c.revenue_per_week),
                usd(c.margin_per_week),
                if losing.is_empty() {
                    "-".to_string()
                } else {
                    losing.join(", ")
                },
            ]);
            if let Some(d) = &c.versus_first {
                notes.push(format!(
                    "{} ({}) costs {} {} serving a week than {}, and earns {} {}.",
                    r.policy,
                    r.phase,
                    usd(d.serving_cost_per_week.abs()),
                    if d.serving_cost_per_week >= 0.0 {
                        "more"
                    } else {
                        "less"
                    },
                    d.policy,
                    usd(d.revenue_per_week.abs()),
                    if d.revenue_per_week >= 0.0 {
                        "more"
                    } else {
                        "less"
                    },
                ));
            }
        }
        Section {
            heading: "Cost and margin (USD a week; serving cost split by GPU-hours, training keeps the rest)".into(),
            table: Some(table),
            notes,
        }
    }

    fn uncertainty_section(&self) -> Section {
        let first = self.results.iter().find_map(cases);
        let (low, high) = first.map_or((1.0, 1.0), |(l, h)| (l.multiplier, h.multiplier));
        let mut table = TableData::new(&[
            "Policy",
            "Phase",
            &format!("Low (users x{low})"),
            "Mid",
            &format!("High (users x{high})"),
            "Fits at high",
        ])
        .right([2, 3, 4])
        .droppable([2, 3]);
        for r in &self.results {
            let Some((low, high)) = cases(r) else {
                continue;
            };
            table.row(vec![
                r.policy.clone(),
                r.phase.to_string(),
                percent(low.peak_utilization),
                percent(r.peak_utilization),
                percent(high.peak_utilization),
                yes_no(high.fits),
            ]);
        }
        Section {
            heading: "Demand uncertainty: peak utilization".into(),
            table: Some(table),
            notes: Vec::new(),
        }
    }

    /// Percentiles of peak utilization over the samples and the chance to fit.
    fn sampled_section(&self) -> Section {
        let first = self.results.iter().find_map(sampled);
        let (samples, seed) = first.map_or((0, 0), |s| (s.samples, s.seed));
        let mut table = TableData::new(&["Policy", "Phase", "p10", "p50", "p90", "Chance to fit"])
            .right([2, 3, 4, 5])
            .droppable([2]);
        for r in &self.results {
            let Some(s) = sampled(r) else { continue };
            table.row(vec![
                r.policy.clone(),
                r.phase.to_string(),
                percent(s.peak_utilization.p10),
                percent(s.peak_utilization.p50),
                percent(s.peak_utilization.p90),
                chance_cell(s.p_fits, s.p_fits_standard_error),
            ]);
        }
        Section {
            heading: format!(
                "Sampled uncertainty: peak utilization over {} samples (seed {seed})",
                count(samples as f64)
            ),
            table: Some(table),
            notes: vec![
                "Each sample draws users, tokens per active hour and throughput once for every tier, and on a dated phase each addition's slip when slip_days is set ([uncertainty]); fits = within the target, every class served, training at its floor.".into(),
            ],
        }
    }
}

impl CompareAnswer {
    /// The results whose verdict turns on placement, in one line; none when no verdict
    /// does: "Placement decides 2 verdicts: may-2026 (after) fits if the scheduler
    /// re-places classes each hour; current (before) does not fit if pools are pinned
    /// for the week."
    fn placement_line(&self) -> Option<String> {
        let named = |decides: Decides| -> Vec<String> {
            self.results
                .iter()
                .filter(|r| r.placement.decides == decides)
                .map(|r| format!("{} ({})", r.policy, r.phase))
                .collect()
        };
        let (fit, miss) = (
            named(Decides::FitsIfReplaced),
            named(Decides::MissesIfPinned),
        );
        let mut clauses = Vec::new();
        if !fit.is_empty() {
            clauses.push(format!(
                "{} {} if the scheduler re-places classes {}",
                fit.join(", "),
                if fit.len() == 1 { "fits" } else { "fit" },
                each_step(self.step_minutes)
            ));
        }
        if !miss.is_empty() {
            clauses.push(format!(
                "{} {} not fit if pools are pinned for the week",
                miss.join(", "),
                if miss.len() == 1 { "does" } else { "do" }
            ));
        }
        let decided = fit.len() + miss.len();
        (decided > 0).then(|| {
            format!(
                "Placement decides {}: {}.",
                plural(decided, "verdict", "verdicts"),
                clauses.join("; ")
            )
        })
    }
}

/// A result's placement bounds as a range, re-placed to pinned: "75.5–80.6%"; "-" when
/// both print as the peak does (placement does not move it).
fn placement_range(placement: &PlacementAnswer) -> String {
    if !placement_moves(placement) {
        return "-".into();
    }
    format!(
        "{:.1}–{}",
        placement.replaced * 100.0,
        percent(placement.pinned)
    )
}

/// Whether either bound prints differently from the peak.
pub(super) fn placement_moves(placement: &PlacementAnswer) -> bool {
    let peak = percent(placement.proportional);
    percent(placement.replaced) != peak || percent(placement.pinned) != peak
}

/// How often a scheduler that re-places classes does so: every model step, in words.
pub(super) fn each_step(step_minutes: u32) -> String {
    match step_minutes {
        1 => "every minute".into(),
        60 => "each hour".into(),
        m if m % 60 == 0 => format!("every {} hours", m / 60),
        m => format!("every {m} minutes"),
    }
}

/// The low and high demand cases of a result, if the scenario gives them.
fn cases(r: &PolicyAnswer) -> Option<(&CaseAnswer, &CaseAnswer)> {
    let u = r.uncertainty.as_ref()?;
    u.low.as_ref().zip(u.high.as_ref())
}

/// The sampled figures of a result, if the scenario has samples.
fn sampled(r: &PolicyAnswer) -> Option<&SampledAnswer> {
    r.uncertainty.as_ref()?.sampled.as_ref()
}

/// A chance with its standard error: "97.3% ± 0.2".
pub(super) fn chance_cell(p: f64, standard_error: f64) -> String {
    format!("{} ± {:.1}", percent(p), standard_error * 100.0)
}

#[cfg(test)]
mod tests {
    //! The renderer on answers built by hand: no model runs, so each printed cell can be
    //! traced to the field it comes from.
    use super::*;

    fn result(policy: &str, phase: Phase, peak: f64, verdict: Fit) -> PolicyAnswer {
        PolicyAnswer {
            policy: policy.into(),
            description: None,
            phase,
            peak_utilization: peak,
            peak_step: 14,
            peak_time: "Mon 14:00".into(),
            hours_over_target: 0.0,
            served_share: 1.0,
            throttled_share_at_peak: 0.0,
            shed_share: 0.0,
            mw_to_fit: if peak > 0.8 { 12.5 } else { 0.0 },
            training_gpu_hours: 100.0,
            unservable_classes: if verdict == Fit::NoCapacity {
                vec!["opus".into()]
            } else {
                Vec::new()
            },
            fits: verdict == Fit::Fits,
            verdict,
            placement: PlacementAnswer {
                proportional: peak,
                replaced: peak * 0.9,
                pinned: peak * 1.1,
                decides: Decides::No,
            },
            n_minus_1: None,
            uncertainty: None,
            holds_until: None,
            holds: None,
            cost: None,
            week: vec![peak; 168],
        }
    }

    fn answer(results: Vec<PolicyAnswer>) -> CompareAnswer {
        let phase = |name| PhaseAnswer {
            name,
            on: None,
            sites: Vec::new(),
            serving_mw: 10.0,
            tokens_per_s: Default::default(),
            tokens_per_s_by_speed: Default::default(),
        };
        CompareAnswer {
            schema_version: 2,
            scenario: "hand".into(),
            step_minutes: 60,
            utilization_target: 0.8,
            training_floor_gpu_hours: Some(200.0),
            phases: vec![phase(Phase::Before), phase(Phase::After)],
            results,
            flips: None,
        }
    }

    #[test]
    fn the_fits_cell_prints_the_verdict() {
        let answer = answer(vec![
            result("a", Phase::Before, 0.5, Fit::Fits),
            result("b", Phase::Before, 0.9, Fit::OverTarget),
            result("c", Phase::Before, 0.7, Fit::TrainingFloor),
            result("d", Phase::Before, 0.3, Fit::NoCapacity),
        ]);
        let table = answer.policy_section().table.unwrap();
        let fits = table.header.iter().position(|h| h == "Fits").unwrap();
        let cells: Vec<&str> = table.rows.iter().map(|r| r[fits].as_str()).collect();
        assert_eq!(
            cells,
            ["yes", "NO", "NO (floor)", "NO: no capacity for opus"]
        );
    }

    #[test]
    fn the_verdict_names_each_miss_and_the_tightest() {
        let answer = answer(vec![
            result("a", Phase::Before, 0.5, Fit::Fits),
            result("b", Phase::Before, 0.9, Fit::OverTarget),
            result("c", Phase::Before, 0.7, Fit::TrainingFloor),
            result("a", Phase::After, 0.4, Fit::Fits),
            result("b", Phase::After, 0.6, Fit::Fits),
            result("c", Phase::After, 0.5, Fit::Fits),
        ]);
        assert_eq!(
            answer.verdict_lines(false),
            [
                "Before the additions: 1 of 3 policies fit; b (over target), c (training below the floor) do not.",
                "After the additions: all 3 policies fit.",
                "Tightest: b (before) peaks at 90.0% against the 80.0% target, 12.50 MW of serving short.",
            ]
        );
    }

    #[test]
    fn when_all_fit_the_tightest_is_the_highest_peak() {
        let answer = answer(vec![
            result("a", Phase::Before, 0.5, Fit::Fits),
            result("b", Phase::After, 0.7, Fit::Fits),
        ]);
        assert_eq!(answer.tightest().unwrap().policy, "b");
        assert_eq!(
            answer.verdict_lines(false)[0],
            "Before the additions: a fits."
        );
    }

    #[test]
    fn placement_shows_its_range_and_names_the_verdicts_it_decides() {
        let mut fits_if_replaced = result("a", Phase::Before, 0.85, Fit::OverTarget);
        fits_if_replaced.placement.decides = Decides::FitsIfReplaced;
        let mut misses_if_pinned = result("b", Phase::After, 0.8, Fit::Fits);
        misses_if_pinned.placement.decides = Decides::MissesIfPinned;
        let mut unmoved = result("c", Phase::After, 0.5, Fit::Fits);
        unmoved.placement.replaced = 0.5;
        unmoved.placement.pinned = 0.50001;
        let decided = answer(vec![fits_if_replaced, misses_if_pinned, unmoved]);
        assert_eq!(
            decided.placement_line().unwrap(),
            "Placement decides 2 verdicts: a (before) fits if the scheduler re-places classes each hour; b (after) does not fit if pools are pinned for the week."
        );
        let table = decided.policy_section().table.unwrap();
        let at = table.header.iter().position(|h| h == "Placement").unwrap();
        let cells: Vec<&str> = table.rows.iter().map(|r| r[at].as_str()).collect();
        // 0.85 x 0.9 to 0.85 x 1.1; a range that prints as the peak is "-".
        assert_eq!(cells, ["76.5–93.5%", "72.0–88.0%", "-"]);
        // It goes after hours over, before the week.
        let name = |c: usize| table.header[c].as_str();
        let order: Vec<&str> = table.droppable.iter().map(|&c| name(c)).collect();
        assert_eq!(
            order,
            [
                "Throttled",
                "Shed",
                "Served",
                "Training GPU-h",
                "Hours over",
                "Placement",
                "Week (Mon-Sun)",
                "Peak at",
                "MW to fit"
            ]
        );
        // Where no bound moves a peak, neither the column nor a verdict line.
        let mut flat = result("d", Phase::Before, 0.5, Fit::Fits);
        flat.placement.replaced = 0.5;
        flat.placement.pinned = 0.5;
        let unmoved = answer(vec![flat]);
        assert!(unmoved.placement_line().is_none());
        let table = unmoved.policy_section().table.unwrap();
        assert!(!table.header.iter().any(|h| h == "Placement"));
        assert_eq!(each_step(15), "every 15 minutes");
        assert_eq!(each_step(120), "every 2 hours");
        assert_eq!(each_step(1), "every minute");
    }

    #[test]
    fn characters_xml_forbids_become_the_replacement_character() {
        assert_eq!(
            xml_safe("a\u{FFFF}b\u{FFFE}c\u{1}d\te\u{1F600}"),
            "a\u{FFFD}b\u{FFFD}c\u{FFFD}d\te\u{1F600}"
        );
        // quick-junit escapes markup but not these: the report stays well-formed.
        let mut suite = quick_junit::TestSuite::new(xml_safe("s\u{FFFF}"));
        suite.add_test_case(quick_junit::TestCase::new(
            xml_safe("p\u{FFFE}"),
            quick_junit::TestCaseStatus::success(),
        ));
        let mut report = quick_junit::Report::new("r");
        report.add_test_suite(suite);
        let xml = report.to_string().unwrap();
        let mut reader = quick_xml::Reader::from_str(&xml);
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("{e}: {xml}"),
            }
        }
        assert!(
            !xml.contains('\u{FFFF}') && !xml.contains('\u{FFFE}'),
            "{xml}"
        );
    }
}
