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
mod tasks;

use std::io;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use clap::CommandFactory;

pub use exit::ExitStatus;
pub use fence::CommandFence;
pub use files::{Touched, read_scenario, write_atomically};
pub use github::on_github;
pub use pipe::StopOnClosedPipe;

use crate::cli::Cli;
use crate::plan::{Budget, CheckRule};
use crate::report::{self, Format, Screen};
use crate::scenario::edit::Assignment;
use crate::scenario::{self, Scenario, ScenarioError};
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
    /// `--set`: keys of the scenario set before it is read, in order.
    pub sets: Vec<Assignment>,
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
        /// `--phase`: only this phase; every phase when absent.
        phase: Option<String>,
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
        /// `--phase`: the phase gated on; the last when absent.
        phase: Option<String>,
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
        /// `--phase`: the phase that must fit; the last when absent.
        phase: Option<String>,
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
        /// `--phase`: the phase explained; the last when absent.
        phase: Option<String>,
        /// Output format.
        format: Format,
    },
    /// The multipliers that reproduce what production observed.
    Calibrate {
        /// The scenario file.
        scenario: PathBuf,
        /// Whether to write the implied inputs into the file.
        apply: bool,
        /// Output format.
        format: Format,
    },
    /// Which input decides each verdict.
    Sensitivity {
        /// The scenario file.
        scenario: PathBuf,
        /// Policy names; all when empty.
        policies: Vec<String>,
        /// `--phase`: only this phase; every phase when absent.
        phase: Option<String>,
        /// Output format.
        format: Format,
        /// Where to draw the tornado chart, if asked.
        plot: Option<PathBuf>,
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
    /// The format of the task's answer, for a task that reads a scenario.
    pub fn format(&self) -> Option<Format> {
        match self {
            Task::Compare { format, .. }
            | Task::Check { format, .. }
            | Task::Timeline { format, .. }
            | Task::Solve { format, .. }
            | Task::Explain { format, .. }
            | Task::Sensitivity { format, .. }
            | Task::Calibrate { format, .. }
            | Task::Diff { format, .. }
            | Task::Validate { format, .. } => Some(*format),
            Task::Report { .. } => Some(Format::Html),
            Task::Schema
            | Task::Completions(_)
            | Task::Man(_)
            | Task::Init { .. }
            | Task::Generate(_) => None,
        }
    }

    /// The scenario file the task reads, if any.
    pub fn scenario(&self) -> Option<&Path> {
        match self {
            Task::Compare { scenario, .. }
            | Task::Check { scenario, .. }
            | Task::Timeline { scenario, .. }
            | Task::Solve { scenario, .. }
            | Task::Explain { scenario, .. }
            | Task::Sensitivity { scenario, .. }
            | Task::Calibrate { scenario, .. }
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
    // With `--set`, the answer is rendered whole, then says what was set.
    if let (false, Some(format)) = (settings.sets.is_empty(), settings.task.format()) {
        let mut buffer = Vec::new();
        let status = run_answer(settings, screen, &mut buffer, err, touched)?;
        out.write_all(&report::sets::echo(format, &buffer, &settings.sets))?;
        return Ok(status);
    }
    run_answer(settings, screen, out, err, touched)
}

/// Runs the task, writing its answer to `out`.
fn run_answer(
    settings: &Settings,
    screen: Screen,
    out: &mut dyn io::Write,
    err: &mut dyn io::Write,
    touched: &mut Touched,
) -> anyhow::Result<ExitStatus> {
    let mut run = tasks::Run {
        settings,
        screen,
        out,
        err,
        touched,
    };
    match &settings.task {
        Task::Compare {
            scenario,
            policies,
            phase,
            format,
            plot,
        } => run.compare(
            scenario,
            (policies, phase.as_deref()),
            *format,
            plot.as_deref(),
        ),
        Task::Check {
            scenario,
            policies,
            phase,
            rule,
            format,
        } => run.check(scenario, (policies, phase.as_deref()), rule, *format),
        Task::Timeline {
            scenario,
            policies,
            format,
            plot,
        } => run.timeline(scenario, policies, *format, plot.as_deref()),
        Task::Solve {
            scenario,
            policy,
            tiers,
            phase,
            budget,
            max_serving_cost,
            format,
        } => run.solve(
            scenario,
            (policy, tiers),
            (phase.as_deref(), *budget, *max_serving_cost),
            *format,
        ),
        Task::Explain {
            scenario,
            policy,
            phase,
            format,
        } => run.explain(scenario, policy, phase.as_deref(), *format),
        Task::Sensitivity {
            scenario,
            policies,
            phase,
            format,
            plot,
        } => run.sensitivity(
            scenario,
            (policies, phase.as_deref()),
            *format,
            plot.as_deref(),
        ),
        Task::Calibrate {
            scenario,
            apply,
            format,
        } => run.calibrate(scenario, *apply, *format),
        Task::Report { scenario, policies } => run.report(scenario, policies),
        Task::Diff {
            base,
            head,
            fail_on_regression,
            all,
            format,
        } => run.diff((base, head), *fail_on_regression, *all, *format),
        Task::Validate { scenario, format } => run.validate(scenario, *format),
        Task::Generate(size) => {
            run.out.write_all(synth::scenario(*size).as_bytes())?;
            Ok(ExitStatus::Success)
        }
        Task::Completions(shell) => {
            clap_complete::generate(*shell, &mut Cli::command(), "capplan", run.out);
            Ok(ExitStatus::Success)
        }
        Task::Man(command) => {
            man_page(command.as_deref(), run.out)?;
            Ok(ExitStatus::Success)
        }
        Task::Init { path, template } => {
            init::init(path, *template, run.out, run.touched)?;
            Ok(ExitStatus::Success)
        }
        Task::Schema => {
            serde_json::to_writer_pretty(&mut *run.out, &Scenario::json_schema())?;
            writeln!(run.out)?;
            Ok(ExitStatus::Success)
        }
    }
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
