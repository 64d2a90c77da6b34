//! One function per task: what `run` does once the flags are settled. Each loads what it
//! needs, asks `plan`, renders with `report`, and says how the run ends.

use std::io;
use std::path::Path;

use anyhow::bail;

use super::exit::ExitStatus;
use super::files::{self, Touched};
use super::{Settings, budget, fence, github, progress_bar, select, write_plot};
use crate::plan::{self, Budget, CheckRule, SolveRequest, ValidateAnswer};
use crate::report::{self, Format, Render as _, Screen};
use crate::scenario::edit::Assignment;
use crate::scenario::{Scenario, ScenarioError, ScenarioWarnings};

/// What every task runs with: the settled flags, the screen, where the answer and the
/// diagnostics go, and the files this run has written (`--output` must not land on them).
pub(super) struct Run<'a> {
    pub settings: &'a Settings,
    pub screen: Screen,
    pub out: &'a mut dyn io::Write,
    pub err: &'a mut dyn io::Write,
    pub touched: &'a mut Touched,
}

impl Run<'_> {
    /// A scenario from a file with `--set` applied, its warnings printed (and annotated on
    /// GitHub) as it loads.
    fn scenario(&mut self, path: &Path) -> anyhow::Result<(Scenario, ScenarioWarnings)> {
        let settings = self.settings;
        self.scenario_with(path, &settings.sets)
    }

    /// A scenario from a file with the given `--set` assignments.
    fn scenario_with(
        &mut self,
        path: &Path,
        sets: &[Assignment],
    ) -> anyhow::Result<(Scenario, ScenarioWarnings)> {
        let (scenario, warnings) = files::read_scenario(path, sets, self.touched)?;
        if !warnings.is_empty() && !self.settings.quiet {
            writeln!(self.err, "{warnings:#}")?;
            if github::on_github() {
                let lines = github::diagnostic_annotations(
                    "warning",
                    path,
                    &warnings.source,
                    &warnings.warnings,
                );
                for line in lines {
                    writeln!(self.err, "{}", fence::own_command(&line))?;
                }
            }
        }
        Ok((scenario, warnings))
    }

    /// `compare`: every selected policy on both phases; `--plot` draws the week.
    pub fn compare(
        &mut self,
        path: &Path,
        (policies, phase): (&[String], Option<&str>),
        format: Format,
        plot: Option<&Path>,
    ) -> anyhow::Result<ExitStatus> {
        let (scenario, _) = self.scenario(path)?;
        let policies = select::policies(&scenario, policies, path)?;
        let phases = match phase {
            Some(name) => vec![select::phase(&scenario, Some(name), path)?],
            None => plan::Phase::all(&scenario),
        };
        // With a timeline, compare also searches how long the last phase holds, day by day.
        budget::within_budget(&scenario, policies.len(), budget::Question::Week)?;
        let bar = progress_bar((policies.len() * phases.len()) as u64, "compare");
        let answer = plan::compare_with_progress(&scenario, &policies, &phases, &|| bar.inc(1));
        bar.finish_and_clear();
        if let Some(plot) = plot {
            let mask = scenario.peak_hours.mask(scenario.step_minutes);
            write_plot(plot, report::plot::week_svg(&answer, &mask), self.touched)?;
        }
        answer.write_on(format, self.screen, self.out)?;
        Ok(ExitStatus::Success)
    }

    /// `check`: the gate; exit 1 when a policy does not pass.
    pub fn check(
        &mut self,
        path: &Path,
        (policies, phase): (&[String], Option<&str>),
        rule: &CheckRule,
        format: Format,
    ) -> anyhow::Result<ExitStatus> {
        let (scenario, _) = self.scenario(path)?;
        let policies = select::policies(&scenario, policies, path)?;
        for floor in &rule.min_margins {
            if let Some(tier) = &floor.tier {
                select::tier(&scenario, tier, path, "--min-margin")?;
            }
        }
        budget::within_budget(&scenario, policies.len(), budget::Question::Week)?;
        let phase = select::phase(&scenario, phase, path)?;
        let answer = plan::check(&scenario, &policies, &phase, rule.clone())?;
        answer.write_on(format, self.screen, self.out)?;
        github::report_check(&answer, &scenario, path, self.err, self.touched)?;
        Ok(if answer.check.passed() {
            ExitStatus::Success
        } else {
            ExitStatus::CheckFailed
        })
    }

    /// `timeline`: month by month; `--plot` draws the months.
    pub fn timeline(
        &mut self,
        path: &Path,
        policies: &[String],
        format: Format,
        plot: Option<&Path>,
    ) -> anyhow::Result<ExitStatus> {
        let (scenario, _) = self.scenario(path)?;
        let policies = select::policies(&scenario, policies, path)?;
        let months = scenario.timeline.as_ref().map_or(0, |t| t.months);
        budget::within_budget(&scenario, policies.len(), budget::Question::Timeline)?;
        let bar = progress_bar(u64::from(months), "timeline");
        let answer = plan::timeline_with_progress(&scenario, &policies, &|| bar.inc(1));
        bar.finish_and_clear();
        let answer = answer?;
        if let Some(plot) = plot {
            write_plot(plot, report::plot::timeline_svg(&answer), self.touched)?;
        }
        answer.write_on(format, self.screen, self.out)?;
        Ok(ExitStatus::Success)
    }

    /// `solve`: the largest budgets a policy's tiers can have and still fit on a phase,
    /// scaling the chosen budget, within an optional serving cost.
    pub fn solve(
        &mut self,
        path: &Path,
        (policy, tiers): (&str, &[String]),
        (phase, budget, max_serving_cost): (Option<&str>, Budget, Option<f64>),
        format: Format,
    ) -> anyhow::Result<ExitStatus> {
        let (scenario, _) = self.scenario(path)?;
        let request = SolveRequest {
            policy: select::policy(&scenario, policy, path)?,
            tiers: select::tiers(&scenario, tiers, path)?,
            phase: select::phase(&scenario, phase, path)?,
            budget,
            max_serving_cost,
        };
        budget::within_budget_for(&scenario, plan::SOLVE_MAX_EVALUATIONS, "solve")?;
        plan::solve(&scenario, &request)?.write_on(format, self.screen, self.out)?;
        Ok(ExitStatus::Success)
    }

    /// `explain`: why one policy on one phase peaks where it does.
    pub fn explain(
        &mut self,
        path: &Path,
        policy: &str,
        phase: Option<&str>,
        format: Format,
    ) -> anyhow::Result<ExitStatus> {
        let (scenario, _) = self.scenario(path)?;
        let policy = select::policy(&scenario, policy, path)?;
        let phase = select::phase(&scenario, phase, path)?;
        // The policy, two what-ifs and one more MW at each power-bound site.
        budget::within_budget_for(&scenario, 3 + scenario.sites.len(), "explain")?;
        plan::explain(&scenario, policy, &phase).write_on(format, self.screen, self.out)?;
        Ok(ExitStatus::Success)
    }

    /// `sensitivity`: which lever decides each verdict; `--plot` draws the tornado chart.
    pub fn sensitivity(
        &mut self,
        path: &Path,
        (policies, phase): (&[String], Option<&str>),
        format: Format,
        plot: Option<&Path>,
    ) -> anyhow::Result<ExitStatus> {
        let (scenario, _) = self.scenario(path)?;
        let policies = select::policies(&scenario, policies, path)?;
        let phases = match phase {
            Some(name) => vec![select::phase(&scenario, Some(name), path)?],
            None => plan::Phase::all(&scenario),
        };
        let evaluations = plan::sensitivity::max_evaluations(&scenario, policies.len(), &phases);
        budget::within_budget_for(&scenario, evaluations, "sensitivity")?;
        let answer = plan::sensitivity(&scenario, &policies, &phases);
        if let Some(plot) = plot {
            write_plot(plot, report::plot::tornado_svg(&answer), self.touched)?;
        }
        answer.write_on(format, self.screen, self.out)?;
        Ok(ExitStatus::Success)
    }

    /// `calibrate`: the multipliers that reproduce `[[observed]]`; with `apply`, the
    /// inputs they imply written into the scenario in place. Exit 1 when a multiplier
    /// sits at its bound.
    pub fn calibrate(
        &mut self,
        path: &Path,
        apply: bool,
        format: Format,
    ) -> anyhow::Result<ExitStatus> {
        if apply && path == Path::new("-") {
            bail!("calibrate --apply rewrites the scenario file: name it, not standard input");
        }
        if apply && !self.settings.sets.is_empty() {
            bail!(
                "calibrate --apply writes the file as it is on disk: drop --set, or write the --set values into the file first"
            );
        }
        let (scenario, warnings) = self.scenario(path)?;
        budget::within_budget_for(
            &scenario,
            plan::calibrate::max_evaluations(&scenario),
            "calibrate",
        )?;
        let answer = plan::calibrate(&scenario)?;
        if apply {
            files::apply_calibration(path, &warnings.source, &answer)?;
        }
        answer.write_on(format, self.screen, self.out)?;
        Ok(if answer.at_bound() {
            ExitStatus::CheckFailed
        } else {
            ExitStatus::Success
        })
    }

    /// `report`: one self-contained HTML page.
    pub fn report(&mut self, path: &Path, policies: &[String]) -> anyhow::Result<ExitStatus> {
        // A whole page (about 170 KB for colossus.toml) is no use on a terminal. We refuse
        // rather than pick a file name: a file written where the user did not ask, named
        // from the scenario's text, is a surprise; the message gives the command that
        // writes it.
        if self.screen.terminal && self.settings.output.is_none() {
            bail!(
                "report writes an HTML page, not text for a terminal; name the file: \
                 capplan report {} -o report.html (or redirect: > report.html)",
                path.display()
            );
        }
        let (scenario, warnings) = self.scenario(path)?;
        let policies = select::policies(&scenario, policies, path)?;
        // The report holds compare's answer and the timeline's: each within its budget.
        budget::within_budget(&scenario, policies.len(), budget::Question::Week)?;
        budget::within_budget(&scenario, policies.len(), budget::Question::Timeline)?;
        let timeline = match scenario.timeline {
            Some(_) => Some(plan::timeline(&scenario, &policies)?),
            None => None,
        };
        // Sensitivity of every selected policy and phase, when it is within the budget of
        // one-phase questions; the page leaves it out otherwise. The verdict's nearest
        // flips come from it, not from a second search.
        let phases = plan::Phase::all(&scenario);
        let evaluations = plan::sensitivity::max_evaluations(&scenario, policies.len(), &phases);
        let sensitivity = budget::within_budget_for(&scenario, evaluations, "sensitivity")
            .is_ok()
            .then(|| plan::sensitivity(&scenario, &policies, &phases));
        let compare = plan::with_flips(
            &scenario,
            plan::compare(&scenario, &policies),
            sensitivity.as_ref(),
        );
        let file = path.display().to_string();
        let page = report::html::ReportPage {
            sensitivity: sensitivity.as_ref(),
            file: &file,
            source: &warnings.source,
            compare: &compare,
            peak_mask: &scenario.peak_hours.mask(scenario.step_minutes),
            timeline: timeline.as_ref(),
            scenario: &ValidateAnswer::valid(&file, &scenario, &warnings),
        };
        let html = page
            .html()
            .map_err(|e| anyhow::anyhow!("cannot draw the report's plots: {e}"))?;
        self.out.write_all(html.as_bytes())?;
        Ok(ExitStatus::Success)
    }

    /// `diff BASE HEAD`: every policy on both phases, base → head; with
    /// `fail_on_regression`, exit 1 when one regressed.
    pub fn diff(
        &mut self,
        (base, head): (&str, &str),
        fail_on_regression: bool,
        all: bool,
        format: Format,
    ) -> anyhow::Result<ExitStatus> {
        let (base_source, head_source) = (files::source(base)?, files::source(head)?);
        // `--set` is a what-if on the head: the base stays as written.
        let settings = self.settings;
        let (base_scenario, base_warnings, base_rev) = self.side(&base_source, &[])?;
        let (head_scenario, head_warnings, head_rev) = self.side(&head_source, &settings.sets)?;
        for scenario in [&base_scenario, &head_scenario] {
            budget::within_budget(scenario, scenario.policies.len(), budget::Question::Week)?;
        }
        // A file prints its warnings as it loads; a revision's are printed here.
        for (warnings, rev) in [(&base_warnings, base_rev), (&head_warnings, head_rev)] {
            if rev && !warnings.is_empty() && !self.settings.quiet {
                writeln!(self.err, "{warnings:#}")?;
            }
        }
        let mut answer = plan::diff(
            plan::DiffSide {
                scenario: &base_scenario,
                origin: &base_source.describe(),
                source: &base_warnings.source,
            },
            plan::DiffSide {
                scenario: &head_scenario,
                origin: &head_source.describe(),
                source: &head_warnings.source,
            },
        );
        answer.all_rows = all;
        answer.write_on(format, self.screen, self.out)?;
        // The head as a file is where annotations point; a revision has no place.
        let head_file = (!head_rev).then(|| Path::new(head));
        github::report_diff(&answer, &head_scenario, head_file, self.err, self.touched)?;
        Ok(if fail_on_regression && !answer.regressions.is_empty() {
            ExitStatus::CheckFailed
        } else {
            ExitStatus::Success
        })
    }

    /// One side of a diff with `sets` applied, and whether it came from git.
    fn side(
        &mut self,
        source: &files::Source<'_>,
        sets: &[Assignment],
    ) -> anyhow::Result<(Scenario, ScenarioWarnings, bool)> {
        match source {
            files::Source::Git { rev, path } => {
                files::read_revision(rev, path, sets).map(|(s, w)| (s, w, true))
            }
            files::Source::File(path) => self.scenario_with(path, sets).map(|(s, w)| (s, w, false)),
        }
    }

    /// `validate`: what the scenario holds, or what is wrong with it (exit 2).
    pub fn validate(&mut self, path: &Path, format: Format) -> anyhow::Result<ExitStatus> {
        let file = path.display().to_string();
        let answer = match files::read_scenario(path, &self.settings.sets, self.touched) {
            // The answer lists the warnings itself.
            Ok((scenario, warnings)) => ValidateAnswer::valid(&file, &scenario, &warnings),
            Err(error) if format == Format::Table => return Err(error),
            Err(error) => match error.downcast_ref::<ScenarioError>() {
                Some(diagnostics) => ValidateAnswer::invalid(&file, diagnostics),
                None => ValidateAnswer::invalid(
                    &file,
                    &ScenarioError::whole_file(&file, format!("{error:#}")),
                ),
            },
        };
        answer.write_on(format, self.screen, self.out)?;
        Ok(if answer.valid {
            ExitStatus::Success
        } else {
            ExitStatus::InputError
        })
    }
}
