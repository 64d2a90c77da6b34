//! The application shell: runs one [`Settings`] (what `cli` resolved from the command
//! line), reading the scenario and its curve files, asking [`crate::plan`], rendering with
//! [`crate::report`], and writing the output atomically. The only module with file I/O,
//! environment variables (GitHub Actions) and progress bars.

mod budget;
mod exit;
mod fence;
mod files;
mod github;
mod init;
mod pipe;
mod raster;
mod select;

use std::io;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use clap::CommandFactory;

pub use exit::ExitStatus;
pub use fence::CommandFence;
pub use files::{Touched, load, write_atomically};
pub use github::on_github;
pub use pipe::StopOnClosedPipe;

use crate::cli::Cli;
use crate::model::Phase;
use crate::plan::{self, Budget, CheckRule, SolveRequest, ValidateAnswer};
use crate::report::{self, Format, Render as _, Screen};
use crate::scenario::{self, Scenario, ScenarioError, ScenarioWarnings};
use crate::synth::{self, SynthSize};

/// What to run, resolved from the command line: plain values, no clap.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Where the output goes (atomically) instead of standard output.
    pub output: Option<PathBuf>,
    /// Whether to print no warnings.
    pub quiet: bool,
    /// Whether tables keep every column on a narrow terminal.
    pub wide: bool,
    /// When to colour verdicts and pass/fail.
    pub color: ColorWhen,
    /// The command and its settings.
    pub task: Task,
}

/// `--color`: when to colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorWhen {
    /// On a terminal or in a GitHub Actions log, as `NO_COLOR` and `CLICOLOR_FORCE` allow.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl ColorWhen {
    /// Whether to colour: `always` and `never` as they say; `auto` never with `NO_COLOR`
    /// set (not empty), always with `CLICOLOR_FORCE` set (not empty, not `0`), and
    /// otherwise on a terminal or in a GitHub Actions log (`on_github`). `env` reads a
    /// variable.
    pub fn colour(
        self,
        terminal: bool,
        on_github: bool,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> bool {
        let set = |name: &str| env(name).is_some_and(|v| !v.is_empty());
        match self {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto if set("NO_COLOR") => false,
            ColorWhen::Auto
                if set("CLICOLOR_FORCE") && env("CLICOLOR_FORCE").as_deref() != Some("0") =>
            {
                true
            }
            ColorWhen::Auto => terminal || on_github,
        }
    }
}

/// What standard output allows: on a terminal, its width; colour as `color` decides (in
/// GitHub Actions logs too, unless standard output is a file); log groups in GitHub
/// Actions. Elsewhere the fixed layout, so files and pipes get the same bytes every time.
pub fn screen(color: ColorWhen) -> Screen {
    use std::io::IsTerminal;
    let terminal = io::stdout().is_terminal();
    // In Actions, standard output is a pipe to the log, unless it was sent to a file.
    let to_file = std::fs::metadata("/dev/stdout").is_ok_and(|m| m.is_file());
    let on_github = github::on_github() && !to_file;
    let colour = color.colour(terminal, on_github, &|name| std::env::var(name).ok());
    // Standard error's diagnostics (anstream) follow `always` and `never`; with `auto`
    // anstream decides for standard error itself, by the same variables.
    match color {
        ColorWhen::Always => anstream::ColorChoice::write_global(anstream::ColorChoice::Always),
        ColorWhen::Never => anstream::ColorChoice::write_global(anstream::ColorChoice::Never),
        ColorWhen::Auto => {}
    }
    Screen {
        width: terminal
            .then(terminal_size::terminal_size)
            .flatten()
            .map(|(width, _)| usize::from(width.0))
            .filter(|&width| width > 0),
        colour,
        terminal,
        groups: on_github,
    }
}

/// One command with its settings.
#[derive(Debug, Clone, PartialEq)]
pub enum Task {
    /// Every selected policy on both phases; optionally the week as an SVG.
    Compare {
        /// The scenario file.
        scenario: PathBuf,
        /// Policy names; all when empty.
        policies: Vec<String>,
        /// Output format.
        format: Format,
        /// Where to draw the week, if asked.
        plot: Option<PathBuf>,
    },
    /// The CI gate.
    Check {
        /// The scenario file.
        scenario: PathBuf,
        /// Policy names; all when empty.
        policies: Vec<String>,
        /// What every selected policy must meet.
        rule: CheckRule,
        /// Output format.
        format: Format,
    },
    /// Month by month from the scenario's `[timeline]`.
    Timeline {
        /// The scenario file.
        scenario: PathBuf,
        /// Policy names; all when empty.
        policies: Vec<String>,
        /// Output format.
        format: Format,
        /// Where to draw the months, if asked.
        plot: Option<PathBuf>,
    },
    /// The largest multiplier on a policy's budgets that fits.
    Solve {
        /// The scenario file.
        scenario: PathBuf,
        /// The policy scaled.
        policy: String,
        /// Tier names to scale; every limited tier when empty.
        tiers: Vec<String>,
        /// The phase that must fit.
        phase: Phase,
        /// Which budgets to scale.
        budget: Budget,
        /// The most serving may cost a week, USD.
        max_serving_cost: Option<f64>,
        /// Output format.
        format: Format,
    },
    /// Why a policy peaks where it does.
    Explain {
        /// The scenario file.
        scenario: PathBuf,
        /// The policy explained.
        policy: String,
        /// The phase explained.
        phase: Phase,
        /// Output format.
        format: Format,
    },
    /// compare, the timeline, their plots and the scenario's assumptions as one HTML page.
    Report {
        /// The scenario file.
        scenario: PathBuf,
        /// Policy names; all when empty.
        policies: Vec<String>,
    },
    /// Two versions of a scenario compared, every policy base → head.
    Diff {
        /// The base: a file, or `REV:PATH` read from git.
        base: String,
        /// The head: a file, or `REV:PATH`.
        head: String,
        /// Whether a regression exits 1.
        fail_on_regression: bool,
        /// Whether tables show every result, not only the changed ones.
        all: bool,
        /// Output format.
        format: Format,
    },
    /// A scenario checked without running the model.
    Validate {
        /// The scenario file.
        scenario: PathBuf,
        /// Output format.
        format: Format,
    },
    /// The JSON Schema of scenario files.
    Schema,
    /// A shell completion script.
    Completions(clap_complete::Shell),
    /// The manual page: capplan's, or one subcommand's.
    Man(Option<String>),
    /// A starter scenario written to `path`.
    Init {
        /// Where to write it.
        path: PathBuf,
        /// What to start from.
        template: Template,
    },
    /// A synthetic planning-scale scenario, for benchmarks.
    Generate(SynthSize),
}

impl Task {
    /// The scenario file the task reads, if any.
    pub fn scenario(&self) -> Option<&Path> {
        match self {
            Task::Compare { scenario, .. }
            | Task::Check { scenario, .. }
            | Task::Timeline { scenario, .. }
            | Task::Solve { scenario, .. }
            | Task::Explain { scenario, .. }
            | Task::Report { scenario, .. }
            | Task::Validate { scenario, .. } => Some(scenario),
            Task::Diff { .. }
            | Task::Schema
            | Task::Completions(_)
            | Task::Man(_)
            | Task::Init { .. }
            | Task::Generate(_) => None,
        }
    }
}

/// Starter scenarios for `capplan init`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    /// One SKU, one site and one addition, two tiers, two policies: every key explained.
    Minimal,
    /// The Colossus 1 case of May 2026, with sources.
    Colossus,
}

/// Runs one task, writing its output to `out` (or, with `output`, to that file) and the
/// scenario's warnings to `err`; tables fit `screen` when `out` is a terminal. Errors are input or usage errors (exit 2); a failed check
/// is `Ok(ExitStatus::CheckFailed)`.
pub fn run(
    settings: &Settings,
    screen: Screen,
    out: &mut dyn io::Write,
    err: &mut dyn io::Write,
) -> anyhow::Result<ExitStatus> {
    let mut touched = Touched::default();
    let Some(path) = &settings.output else {
        let screen = if settings.wide {
            Screen {
                width: None,
                ..screen
            }
        } else {
            screen
        };
        return run_task(settings, screen, out, err, &mut touched);
    };
    if let Some(summary) = github::step_summary()
        && files::same_file(path, &summary)
    {
        bail!(
            "refusing to write the output {}: it is the GITHUB_STEP_SUMMARY file, which holds what \
             earlier steps wrote (capplan check appends its summary there itself)",
            path.display()
        );
    }
    // A file gets the fixed layout, never the terminal's (colour only if asked for).
    let mut buffer = Vec::new();
    let file = Screen {
        colour: settings.color == ColorWhen::Always,
        ..Screen::default()
    };
    let status = run_task(settings, file, &mut buffer, err, &mut touched)?;
    write_atomically(path, &buffer, &touched)?;
    Ok(status)
}

/// Runs the task itself, writing to `out`; every file it reads or writes goes into
/// `touched`, so that nothing written later lands on it.
fn run_task(
    settings: &Settings,
    screen: Screen,
    out: &mut dyn io::Write,
    err: &mut dyn io::Write,
    touched: &mut Touched,
) -> anyhow::Result<ExitStatus> {
    let task = &settings.task;
    // A scenario and its warnings, which are printed (and annotated on GitHub) as it loads.
    let mut load =
        |path: &Path, touched: &mut Touched| -> anyhow::Result<(Scenario, ScenarioWarnings)> {
            let (scenario, warnings) = load(path, touched)?;
            if !warnings.is_empty() && !settings.quiet {
                writeln!(err, "{warnings:#}")?;
                if github::on_github() {
                    let lines = github::diagnostic_annotations(
                        "warning",
                        path,
                        &warnings.source,
                        &warnings.warnings,
                    );
                    for line in lines {
                        writeln!(err, "{}", fence::own_command(&line))?;
                    }
                }
            }
            Ok((scenario, warnings))
        };
    match task {
        Task::Compare {
            scenario: path,
            policies,
            format,
            plot,
        } => {
            let (scenario, _) = load(path, touched)?;
            let policies = select::policies(&scenario, policies, path)?;
            budget::within_budget(&scenario, policies.len(), 0)?;
            let bar = progress_bar((policies.len() * 2) as u64, "compare");
            let answer = plan::compare_with_progress(&scenario, &policies, &|| bar.inc(1));
            bar.finish_and_clear();
            if let Some(plot) = plot {
                let mask = scenario.peak_hours.mask(scenario.step_minutes);
                write_plot(plot, report::plot::week_svg(&answer, &mask), touched)?;
            }
            answer.write_on(*format, screen, out)?;
        }
        Task::Check {
            scenario: path,
            policies,
            rule,
            format,
        } => {
            let (scenario, _) = load(path, touched)?;
            let policies = select::policies(&scenario, policies, path)?;
            for floor in &rule.min_margins {
                if let Some(tier) = &floor.tier {
                    select::tier(&scenario, tier, path, "--min-margin")?;
                }
            }
            budget::within_budget(&scenario, policies.len(), 0)?;
            let answer = plan::check(&scenario, &policies, rule.clone())?;
            answer.write_on(*format, screen, out)?;
            github::report_check(&answer, &scenario, path, err, touched)?;
            if !answer.check.passed() {
                return Ok(ExitStatus::CheckFailed);
            }
        }
        Task::Timeline {
            scenario: path,
            policies,
            format,
            plot,
        } => {
            let (scenario, _) = load(path, touched)?;
            let policies = select::policies(&scenario, policies, path)?;
            let months = scenario.timeline.as_ref().map_or(0, |t| t.months);
            budget::within_budget(&scenario, policies.len(), months)?;
            let bar = progress_bar(u64::from(months), "timeline");
            let answer = plan::timeline_with_progress(&scenario, &policies, &|| bar.inc(1));
            bar.finish_and_clear();
            let answer = answer?;
            if let Some(plot) = plot {
                write_plot(plot, report::plot::timeline_svg(&answer), touched)?;
            }
            answer.write_on(*format, screen, out)?;
        }
        Task::Solve {
            scenario: path,
            policy,
            tiers,
            phase,
            budget,
            max_serving_cost,
            format,
        } => {
            let (scenario, _) = load(path, touched)?;
            let request = SolveRequest {
                policy: select::policy(&scenario, policy, path)?,
                tiers: select::tiers(&scenario, tiers, path)?,
                phase: *phase,
                budget: *budget,
                max_serving_cost: *max_serving_cost,
            };
            plan::solve(&scenario, &request)?.write_on(*format, screen, out)?;
        }
        Task::Explain {
            scenario: path,
            policy,
            phase,
            format,
        } => {
            let (scenario, _) = load(path, touched)?;
            let policy = select::policy(&scenario, policy, path)?;
            plan::explain(&scenario, policy, *phase).write_on(*format, screen, out)?;
        }
        Task::Report {
            scenario: path,
            policies,
        } => {
            // A whole page (about 170 KB for colossus.toml) is no use on a terminal. We
            // refuse rather than pick a file name: a file written where the user did not
            // ask, named from the scenario's text, is a surprise; the message gives the
            // command that writes it.
            if screen.terminal && settings.output.is_none() {
                bail!(
                    "report writes an HTML page, not text for a terminal; name the file: \
                     capplan report {} -o report.html (or redirect: > report.html)",
                    path.display()
                );
            }
            let (scenario, warnings) = load(path, touched)?;
            let policies = select::policies(&scenario, policies, path)?;
            let months = scenario.timeline.as_ref().map_or(0, |t| t.months);
            budget::within_budget(&scenario, policies.len(), months)?;
            let compare = plan::compare(&scenario, &policies);
            let timeline = match scenario.timeline {
                Some(_) => Some(plan::timeline(&scenario, &policies)?),
                None => None,
            };
            let file = path.display().to_string();
            let page = report::html::ReportPage {
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
            out.write_all(html.as_bytes())?;
        }
        Task::Diff {
            base,
            head,
            fail_on_regression,
            all,
            format,
        } => {
            let (base_source, head_source) = (files::source(base)?, files::source(head)?);
            // A file prints its warnings as it loads; a revision's are printed here.
            let mut side = |source: files::Source, touched: &mut Touched| match source {
                files::Source::Git { rev, path } => {
                    files::load_revision(rev, path).map(|(s, w)| (s, w, true))
                }
                files::Source::File(path) => load(path, touched).map(|(s, w)| (s, w, false)),
            };
            let (base_scenario, base_warnings, base_rev) = side(base_source, touched)?;
            let (head_scenario, head_warnings, head_rev) = side(head_source, touched)?;
            for scenario in [&base_scenario, &head_scenario] {
                budget::within_budget(scenario, scenario.policies.len(), 0)?;
            }
            for (warnings, rev) in [(&base_warnings, base_rev), (&head_warnings, head_rev)] {
                if rev && !warnings.is_empty() && !settings.quiet {
                    writeln!(err, "{warnings:#}")?;
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
            answer.all_rows = *all;
            answer.write_on(*format, screen, out)?;
            // The head as a file is where annotations point; a revision has no place.
            let head_file = (!head_rev).then(|| Path::new(head.as_str()));
            github::report_diff(&answer, &head_scenario, head_file, err, touched)?;
            if *fail_on_regression && !answer.regressions.is_empty() {
                return Ok(ExitStatus::CheckFailed);
            }
        }
        Task::Validate {
            scenario: path,
            format,
        } => {
            let file = path.display().to_string();
            let answer = match self::load(path, touched) {
                // The answer lists the warnings itself.
                Ok((scenario, warnings)) => ValidateAnswer::valid(&file, &scenario, &warnings),
                Err(error) if *format == Format::Table => return Err(error),
                Err(error) => match error.downcast_ref::<ScenarioError>() {
                    Some(diagnostics) => ValidateAnswer::invalid(&file, diagnostics),
                    None => ValidateAnswer::invalid(
                        &file,
                        &ScenarioError::whole_file(&file, format!("{error:#}")),
                    ),
                },
            };
            answer.write_on(*format, screen, out)?;
            if !answer.valid {
                return Ok(ExitStatus::InputError);
            }
        }
        Task::Generate(size) => {
            if !scenario::units::STEP_MINUTES.contains(&size.step_minutes) {
                bail!(
                    "--step-minutes must divide an hour: one of {:?}",
                    scenario::units::STEP_MINUTES
                );
            }
            out.write_all(synth::scenario(*size).as_bytes())?;
        }
        Task::Completions(shell) => {
            clap_complete::generate(*shell, &mut Cli::command(), "capplan", out);
        }
        Task::Man(command) => man_page(command.as_deref(), out)?,
        Task::Init { path, template } => init::init(path, *template, out, touched)?,
        Task::Schema => {
            serde_json::to_writer_pretty(&mut *out, &Scenario::json_schema())?;
            writeln!(out)?;
        }
    }
    Ok(ExitStatus::Success)
}

/// Renders capplan's manual page, or the page of one (visible) subcommand, named
/// `capplan-COMMAND` as the main page's SEE ALSO lists it.
fn man_page(command: Option<&str>, out: &mut dyn io::Write) -> anyhow::Result<()> {
    let mut cli = Cli::command().disable_help_subcommand(true);
    cli.build();
    let Some(name) = command else {
        return Ok(clap_mangen::Man::new(cli).render(out)?);
    };
    let visible: Vec<&str> = cli
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .map(|s| s.get_name())
        .collect();
    let Some(sub) = cli
        .get_subcommands()
        .find(|s| !s.is_hide_set() && s.get_name() == name)
    else {
        let hint = scenario::suggest::closest(name, &visible)
            .map(|c| format!(" (did you mean {c}?)"))
            .unwrap_or_default();
        bail!(
            "no manual page for {name:?}{hint}; expected one of: {}",
            visible.join(", ")
        );
    };
    let page = sub.clone().version(env!("CARGO_PKG_VERSION"));
    Ok(clap_mangen::Man::new(page).render(out)?)
}

/// Writes a drawn plot to `target` (atomically, never over a file of the run), as SVG or,
/// when the name ends in `.png`, as PNG; and records it: `--output` must not land on it.
fn write_plot(
    target: &Path,
    svg: Result<String, report::plot::PlotError>,
    touched: &mut Touched,
) -> anyhow::Result<()> {
    touched.refuse(target, "the plot")?;
    let extension = target
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    let png = match extension.as_deref() {
        Some("svg") => false,
        Some("png") => true,
        _ => bail!(
            "cannot draw {}: name the plot FILE.svg or FILE.png",
            target.display()
        ),
    };
    let svg = svg.map_err(|e| anyhow::anyhow!("cannot draw {}: {e}", target.display()))?;
    let bytes = if png {
        raster::png(&svg).with_context(|| format!("cannot draw {}", target.display()))?
    } else {
        svg.into_bytes()
    };
    write_atomically(target, &bytes, touched)?;
    touched.add(target);
    Ok(())
}

/// On GitHub Actions, `::error` annotations for a scenario that could not be used (exit 2),
/// at each problem's line and column; nothing elsewhere.
pub fn annotate_error(settings: &Settings, error: &anyhow::Error, err: &mut dyn io::Write) {
    let (Some(diagnostics), Some(path)) = (
        error.downcast_ref::<ScenarioError>(),
        settings.task.scenario(),
    ) else {
        return;
    };
    if github::on_github() {
        for line in github::diagnostic_annotations(
            "error",
            path,
            &diagnostics.source,
            &diagnostics.diagnostics,
        ) {
            let _ = writeln!(err, "{}", fence::own_command(&line));
        }
    }
}

/// A progress bar on stderr for runs with many steps; hidden when stderr is not a terminal,
/// so logs and pipes see no progress output at all.
fn progress_bar(total: u64, what: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !io::stderr().is_terminal() || total < 20 {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} {elapsed}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_string());
    bar
}
