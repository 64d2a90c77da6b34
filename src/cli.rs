//! The command line, as typed: clap derive types whose doc comments are the `--help` text,
//! and the one step that turns them into the plain [`Settings`] the application runs.
//! Nothing past this module sees clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::app::{ColorWhen, Settings, Task, Template};
use crate::plan::{Budget, CheckRule, DemandCase, MarginFloor};
use crate::report::Format;
use crate::scenario::edit::Assignment;
use crate::synth::SynthSize;

/// capplan: which rate limits can your GPUs and megawatts carry, before and after new
/// capacity comes online?
#[derive(Debug, Parser)]
#[command(name = "capplan", version, about, long_about = None)]
#[command(after_help = "Exit status: 0 success, 1 a check failed, 2 bad input or usage.")]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Write the output to FILE instead of standard output (atomically: a temporary file,
    /// then a rename). Never over the scenario.
    #[arg(long, short, global = true, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Print no warnings (errors and the answer only).
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Show every table column, however wide the terminal (off a terminal they always are).
    #[arg(long, global = true)]
    pub wide: bool,
    /// Colour verdicts and pass/fail: `auto` on a terminal and in GitHub Actions logs
    /// (never with NO_COLOR set; also off a terminal with CLICOLOR_FORCE set), or always,
    /// or never.
    #[arg(long, global = true, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN")]
    pub color: ColorArg,
    /// Set a key of the scenario before it is read, as if the file said so (repeatable):
    /// `--set tier.pro.users=5e6`, `--set site.colossus-1.offline=2026-12-03`. The value is
    /// TOML (a number, a "string", a date, an inline table { … }); the file is validated
    /// with it, and the answer says what was set. `diff` sets it in the head only.
    #[arg(long = "set", global = true, value_name = "KEY=VALUE", value_parser = Assignment::parse)]
    pub sets: Vec<Assignment>,
}

/// `--color` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    /// On a terminal or in GitHub Actions logs, unless NO_COLOR is set.
    Auto,
    /// Always, even into a pipe or a file.
    Always,
    /// Never.
    Never,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compare rate-limit policies before and after capacity is added.
    Compare(CompareArgs),
    /// Gate for CI: exit 0 if every selected policy fits, 1 if any does not.
    Check(CheckArgs),
    /// Month by month from the scenario's `[timeline]`: when does each policy run out?
    Timeline(TimelineArgs),
    /// The largest multiplier on a policy's budgets with which it still fits.
    Solve(SolveArgs),
    /// Why a policy peaks where it does, and what more capacity would buy.
    Explain(ExplainArgs),
    /// The multipliers with which the model reproduces what production observed
    /// (`[[observed]]`, `[calibration] adjust`); `--apply` writes the inputs they imply.
    Calibrate(CalibrateArgs),
    /// Which input decides each verdict: per policy and phase, every lever's elasticity,
    /// the multiplier at which the verdict flips, and the peak at ×0.8 and ×1.25.
    Sensitivity(SensitivityArgs),
    /// What a change to a scenario changes: every policy base → head; regressions first.
    Diff(DiffArgs),
    /// One self-contained HTML page: the verdicts, compare and the timeline with their
    /// plots, and the scenario's assumptions (`capplan report SCENARIO -o report.html`).
    Report(ReportArgs),
    /// Check a scenario without running the model: a summary, warnings and errors.
    Validate(ValidateArgs),
    /// Print the JSON Schema of scenario files, for editors (`#:schema` in the TOML).
    Schema,
    /// Print a shell completion script: `source <(capplan completions bash)`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print a manual page (roff): `capplan man > capplan.1`, or one subcommand's:
    /// `capplan man compare > capplan-compare.1; man ./capplan-compare.1`.
    Man {
        /// The subcommand whose page to print; capplan's own page when absent.
        #[arg(value_name = "COMMAND")]
        command: Option<String>,
    },
    /// Write a commented starter scenario that validates (never over an existing file).
    Init(InitArgs),
    /// Print a synthetic planning-scale scenario (for benchmarks).
    #[command(hide = true)]
    Generate(GenerateArgs),
}

/// The scenario file and the policies to run on it: every command that runs the model.
#[derive(Debug, Args)]
pub struct ScenarioPolicies {
    /// The scenario file (TOML), or `-` for standard input (its curve files then need
    /// absolute paths).
    pub scenario: PathBuf,
    /// Only these policies (repeatable); all policies when absent.
    #[arg(long = "policy", value_name = "NAME")]
    pub policies: Vec<String>,
}

/// The scenario file and the one policy a command is about.
#[derive(Debug, Args)]
pub struct ScenarioPolicy {
    /// The scenario file (TOML), or `-` for standard input.
    pub scenario: PathBuf,
    /// The policy.
    #[arg(long, value_name = "NAME")]
    pub policy: String,
}

/// `--format`, shared by every command that prints an answer.
#[derive(Debug, Args)]
pub struct FormatFlag {
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Table)]
    pub format: FormatArg,
}

/// `--phase`, shared by the commands that look at one phase.
#[derive(Debug, Args)]
pub struct PhaseFlag {
    /// The phase: a `[[phase]]` name, or without them `before` (the fleet in service) or
    /// `after` (additions included); the last phase when absent.
    #[arg(long, value_name = "NAME")]
    pub phase: Option<String>,
}

/// Arguments of `capplan init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write the scenario.
    #[arg(default_value = "scenario.toml")]
    pub path: PathBuf,
    /// What to start from.
    #[arg(long, value_enum, default_value_t = TemplateArg::Minimal)]
    pub template: TemplateArg,
}

/// Arguments of the hidden `capplan generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Plan tiers.
    #[arg(long, default_value_t = 100)]
    pub tiers: usize,
    /// Rate-limit policies.
    #[arg(long, default_value_t = 50)]
    pub policies: usize,
    /// Model step in minutes (1, 5, 15, 60, ...).
    #[arg(long, default_value_t = 1)]
    pub step_minutes: u32,
    /// Months of timeline.
    #[arg(long, default_value_t = 36)]
    pub months: u32,
    /// Seed of the pseudo-random numbers.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// Arguments of `capplan validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The scenario file (TOML), or `-` for standard input.
    pub scenario: PathBuf,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub format: FormatFlag,
}

/// Arguments of `capplan compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub input: ScenarioPolicies,
    /// Only this phase (a `[[phase]]` name, or `before`/`after`); every phase when absent.
    #[arg(long, value_name = "NAME")]
    pub phase: Option<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub format: FormatFlag,
    /// Also draw utilization over the week, per policy, before and after, as an SVG (or a
    /// PNG, when FILE ends in .png).
    #[arg(long, value_name = "FILE.svg|FILE.png")]
    pub plot: Option<PathBuf>,
}

/// Arguments of `capplan check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub input: ScenarioPolicies,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub phase: PhaseFlag,
    /// Also require each policy to survive losing any one of the phase's sites
    /// (utilization <= 100 % without it, for every site in turn).
    #[arg(long)]
    pub n_minus_1: bool,
    /// The demand case that must fit; low and high need `[uncertainty] low/high`, p90 (the
    /// 90th percentile of peak utilization over the samples) `[uncertainty] samples`.
    #[arg(long, value_enum, default_value_t = CaseArg::Mid)]
    pub at: CaseArg,
    /// Also require a tier's margin a week, USD, to be at least this: `pro=0`, or `all=…`
    /// for the total (repeatable; needs costs and prices in the scenario).
    #[arg(long = "min-margin", value_name = "TIER=USD", value_parser = margin_floor)]
    pub min_margins: Vec<(String, f64)>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub format: FormatFlag,
}

/// Arguments of `capplan timeline`.
#[derive(Debug, Args)]
pub struct TimelineArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub input: ScenarioPolicies,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub format: FormatFlag,
    /// Also draw peak utilization per month, additions marked, as an SVG (or a PNG, when
    /// FILE ends in .png).
    #[arg(long, value_name = "FILE.svg|FILE.png")]
    pub plot: Option<PathBuf>,
}

/// Arguments of `capplan solve`.
#[derive(Debug, Args)]
pub struct SolveArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub input: ScenarioPolicy,
    /// Scale only these tiers' budgets (repeatable); every tier the policy limits when absent.
    #[arg(long = "tier", value_name = "NAME")]
    pub tiers: Vec<String>,
    /// Which budgets to scale: output (window_tokens, weekly_tokens), input
    /// (window_input_tokens, weekly_input_tokens) or all; or, for one --tier whose classes
    /// have a frontier, the fastest speed or peak-speed that fits.
    #[arg(long, value_enum, default_value_t = BudgetArg::Output)]
    pub budget: BudgetArg,
    /// Also keep the serving cost a week at or below USD (needs costs in the scenario).
    #[arg(long = "max-cost", value_name = "USD", value_parser = usd_amount)]
    pub max_cost: Option<f64>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub phase: PhaseFlag,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub format: FormatFlag,
}

/// Arguments of `capplan explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub input: ScenarioPolicy,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub phase: PhaseFlag,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub format: FormatFlag,
}

/// Arguments of `capplan sensitivity`.
#[derive(Debug, Args)]
pub struct SensitivityArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub input: ScenarioPolicies,
    /// Only this phase (a `[[phase]]` name, or `before`/`after`); every phase when absent.
    #[arg(long, value_name = "NAME")]
    pub phase: Option<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub format: FormatFlag,
    /// Also draw a tornado chart (a bar per lever from its peak at ×0.8 to ×1.25, the
    /// target marked, the flip in each label) as an SVG, or a PNG when FILE ends in .png.
    #[arg(long, value_name = "FILE.svg|FILE.png")]
    pub plot: Option<PathBuf>,
}

/// Arguments of `capplan calibrate`.
#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// The scenario file (TOML), with `[[observed]]` and `[calibration] adjust`.
    pub scenario: PathBuf,
    /// Rewrite the adjusted inputs in the file, in place (a temporary file, then a rename),
    /// keeping every comment and the layout; each changed line ends with
    /// `# calibrated YYYY-MM-DD ×m`.
    #[arg(long)]
    pub apply: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub format: FormatFlag,
}

/// Arguments of `capplan diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The base scenario: a file, or REV:PATH to read it from git (`origin/main:scenarios/colossus.toml`).
    pub base: String,
    /// The head scenario: a file, or REV:PATH.
    pub head: String,
    /// Exit 1 when a policy that fitted in the base does not fit in the head.
    #[arg(long)]
    pub fail_on_regression: bool,
    /// Show every policy and phase, not only those whose figures changed.
    #[arg(long)]
    pub all: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub format: FormatFlag,
}

/// Arguments of `capplan report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub input: ScenarioPolicies,
}

/// `--format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Human-readable tables.
    Table,
    /// The stable JSON contract for CI.
    Json,
    /// One CSV table (the command's main table).
    Csv,
    /// GitHub-flavoured Markdown tables.
    Markdown,
    /// JUnit XML (check only): one test case per policy, phase and gate.
    Junit,
    /// One self-contained HTML page (`capplan report` adds the plots and the scenario).
    Html,
}

/// `--at` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CaseArg {
    /// The optimistic multiplier of `[uncertainty]`.
    Low,
    /// The scenario's demand as written.
    Mid,
    /// The pessimistic multiplier of `[uncertainty]`.
    High,
    /// The 90th percentile of peak utilization over `[uncertainty] samples`.
    P90,
}

/// `solve --budget` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BudgetArg {
    /// Output budgets: window_tokens and weekly_tokens.
    Output,
    /// Uncached input budgets: window_input_tokens and weekly_input_tokens.
    Input,
    /// Both.
    All,
    /// Not a budget: the fastest `speed` (output tokens/s per user) one tier (`--tier`)
    /// can be served at and still fit (model v3).
    Speed,
    /// The fastest `peak_speed` one tier (`--tier`) can have in peak steps and still fit.
    PeakSpeed,
}

/// `init --template` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TemplateArg {
    /// One SKU, one site and one addition, two tiers, two policies: every key explained.
    Minimal,
    /// The Colossus 1 case of May 2026, with sources.
    Colossus,
}

/// Parses an amount in USD (`5000000`, `$5,000,000`); finite.
fn usd_amount(text: &str) -> Result<f64, String> {
    let trimmed = text.trim();
    let (sign, digits) = match trimmed.strip_prefix('-') {
        Some(rest) => (-1.0, rest),
        None => (1.0, trimmed),
    };
    let usd: f64 = digits
        .trim_start_matches('$')
        .replace(',', "")
        .parse::<f64>()
        .map(|v| sign * v)
        .map_err(|_| format!("expected an amount in USD, such as 5000000, found {text:?}"))?;
    if usd.is_finite() {
        Ok(usd)
    } else {
        Err(format!("expected a finite amount in USD, found {text:?}"))
    }
}

/// Parses `TIER=USD` (a margin floor a week; USD may be negative, never NaN).
fn margin_floor(text: &str) -> Result<(String, f64), String> {
    let (tier, amount) = text.split_once('=').ok_or_else(|| {
        format!("expected TIER=USD, such as pro=0 or all=-1000000, found {text:?}")
    })?;
    let usd = usd_amount(amount)?;
    if tier.trim().is_empty() {
        return Err(format!(
            "expected a tier name (or all) before '=', found {text:?}"
        ));
    }
    Ok((tier.trim().to_string(), usd))
}

impl Cli {
    /// The arguments resolved into what the application runs; a flag the command does not
    /// use is refused (clap's usage error, exit 2) rather than silently ignored.
    pub fn settings(self) -> Result<Settings, clap::Error> {
        self.check_flags()?;
        let format = |flag: FormatFlag| match flag.format {
            FormatArg::Table => Format::Table,
            FormatArg::Json => Format::Json,
            FormatArg::Csv => Format::Csv,
            FormatArg::Markdown => Format::Markdown,
            FormatArg::Junit => Format::Junit,
            FormatArg::Html => Format::Html,
        };
        let task = match self.command {
            Command::Compare(a) => Task::Compare {
                scenario: a.input.scenario,
                policies: a.input.policies,
                phase: a.phase,
                format: format(a.format),
                plot: a.plot,
            },
            Command::Check(a) => Task::Check {
                scenario: a.input.scenario,
                policies: a.input.policies,
                phase: a.phase.phase,
                rule: CheckRule {
                    at: match a.at {
                        CaseArg::Low => DemandCase::Low,
                        CaseArg::Mid => DemandCase::Mid,
                        CaseArg::High => DemandCase::High,
                        CaseArg::P90 => DemandCase::P90,
                    },
                    n_minus_1: a.n_minus_1,
                    min_margins: a
                        .min_margins
                        .into_iter()
                        .map(|(tier, usd)| MarginFloor {
                            tier: (tier != "all").then_some(tier),
                            usd,
                        })
                        .collect(),
                },
                format: format(a.format),
            },
            Command::Timeline(a) => Task::Timeline {
                scenario: a.input.scenario,
                policies: a.input.policies,
                format: format(a.format),
                plot: a.plot,
            },
            Command::Solve(a) => Task::Solve {
                scenario: a.input.scenario,
                policy: a.input.policy,
                tiers: a.tiers,
                phase: a.phase.phase,
                budget: match a.budget {
                    BudgetArg::Output => Budget::Output,
                    BudgetArg::Input => Budget::Input,
                    BudgetArg::All => Budget::All,
                    BudgetArg::Speed => Budget::Speed,
                    BudgetArg::PeakSpeed => Budget::PeakSpeed,
                },
                max_serving_cost: a.max_cost,
                format: format(a.format),
            },
            Command::Explain(a) => Task::Explain {
                scenario: a.input.scenario,
                policy: a.input.policy,
                phase: a.phase.phase,
                format: format(a.format),
            },
            Command::Sensitivity(a) => Task::Sensitivity {
                scenario: a.input.scenario,
                policies: a.input.policies,
                phase: a.phase,
                format: format(a.format),
                plot: a.plot,
            },
            Command::Calibrate(a) => Task::Calibrate {
                scenario: a.scenario,
                apply: a.apply,
                format: format(a.format),
            },
            Command::Report(a) => Task::Report {
                scenario: a.input.scenario,
                policies: a.input.policies,
            },
            Command::Diff(a) => Task::Diff {
                base: a.base,
                head: a.head,
                fail_on_regression: a.fail_on_regression,
                all: a.all,
                format: format(a.format),
            },
            Command::Validate(a) => Task::Validate {
                scenario: a.scenario,
                format: format(a.format),
            },
            Command::Schema => Task::Schema,
            Command::Completions { shell } => Task::Completions(shell),
            Command::Man { command } => Task::Man(command),
            Command::Init(a) => Task::Init {
                path: a.path,
                template: match a.template {
                    TemplateArg::Minimal => Template::Minimal,
                    TemplateArg::Colossus => Template::Colossus,
                },
            },
            Command::Generate(a) => Task::Generate(SynthSize {
                tiers: a.tiers,
                policies: a.policies,
                step_minutes: a.step_minutes,
                months: a.months,
                seed: a.seed,
            }),
        };
        Ok(Settings {
            sets: self.sets,
            output: self.output,
            quiet: self.quiet,
            wide: self.wide,
            color: match self.color {
                ColorArg::Auto => ColorWhen::Auto,
                ColorArg::Always => ColorWhen::Always,
                ColorArg::Never => ColorWhen::Never,
            },
            task,
        })
    }

    /// Every check of the flags themselves, in one place before any work starts (ripgrep's
    /// "high args"): a flag the command does not use (`-o` for `init`, which writes to its
    /// PATH; `--wide` where nothing prints a terminal table; `-q` where no scenario is read),
    /// a model step that does not divide an hour. Each is a usage error (exit 2). A plot's
    /// name is checked where it is written, after the refusal to write over an input,
    /// which names the input.
    fn check_flags(&self) -> Result<(), clap::Error> {
        use clap::CommandFactory;
        let refuse = |message: String| {
            Err(Cli::command().error(clap::error::ErrorKind::ArgumentConflict, message))
        };
        let (name, reads_scenario, table) = match &self.command {
            Command::Compare(a) => ("compare", true, a.format.format == FormatArg::Table),
            Command::Check(a) => ("check", true, a.format.format == FormatArg::Table),
            Command::Timeline(a) => ("timeline", true, a.format.format == FormatArg::Table),
            Command::Solve(a) => ("solve", true, a.format.format == FormatArg::Table),
            Command::Explain(a) => ("explain", true, a.format.format == FormatArg::Table),
            Command::Sensitivity(a) => ("sensitivity", true, a.format.format == FormatArg::Table),
            Command::Calibrate(a) => ("calibrate", true, a.format.format == FormatArg::Table),
            Command::Diff(a) => ("diff", true, a.format.format == FormatArg::Table),
            Command::Validate(a) => ("validate", true, a.format.format == FormatArg::Table),
            Command::Report(_) => ("report", true, false),
            Command::Schema => ("schema", false, false),
            Command::Completions { .. } => ("completions", false, false),
            Command::Man { .. } => ("man", false, false),
            Command::Init(_) => ("init", false, false),
            Command::Generate(_) => ("generate", false, false),
        };
        if name == "init" && self.output.is_some() {
            return refuse(
                "init writes the scenario to its PATH argument (`capplan init my.toml`); -o/--output is not used".into(),
            );
        }
        if self.wide && !table {
            let what = if reads_scenario {
                "with this --format (only terminal tables drop columns)"
            } else {
                "(it prints no table)"
            };
            return refuse(format!("--wide is not used by {name} {what}"));
        }
        if let Command::Diff(a) = &self.command
            && a.all
            && !matches!(a.format.format, FormatArg::Table | FormatArg::Html)
        {
            return refuse(
                "--all is for diff's tables (--format table or html): JSON and CSV hold every row, and Markdown folds them in <details>".into(),
            );
        }
        if !self.sets.is_empty() && !reads_scenario {
            return refuse(format!(
                "--set is not used by {name} (it reads no scenario)"
            ));
        }
        if self.quiet && !reads_scenario {
            return refuse(format!(
                "-q/--quiet is not used by {name} (it reads no scenario, so it has no warnings)"
            ));
        }
        let invalid = |message: String| {
            Err(Cli::command().error(clap::error::ErrorKind::InvalidValue, message))
        };
        if let Command::Generate(a) = &self.command
            && !crate::scenario::units::STEP_MINUTES.contains(&a.step_minutes)
        {
            return invalid(format!(
                "--step-minutes must divide an hour: one of {:?}",
                crate::scenario::units::STEP_MINUTES
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn margin_floors_parse_tier_and_usd() {
        assert_eq!(margin_floor("pro=0"), Ok(("pro".into(), 0.0)));
        assert_eq!(margin_floor("all=-$1,000,000"), Ok(("all".into(), -1e6)));
        assert!(margin_floor("pro").is_err());
        assert!(margin_floor("pro=lots").is_err());
        assert!(margin_floor("pro=nan").is_err());
        assert!(margin_floor("=5").is_err());
    }

    #[test]
    fn flags_a_command_does_not_use_are_refused() {
        let refused = |args: &[&str]| {
            let error = Cli::parse_from(args).settings().unwrap_err();
            assert_eq!(error.exit_code(), 2);
            error.to_string()
        };
        assert!(refused(&["capplan", "init", "-o", "x.toml"]).contains("init writes"));
        assert!(refused(&["capplan", "init", "--wide"]).contains("--wide is not used by init"));
        assert!(refused(&["capplan", "schema", "-q"]).contains("-q/--quiet is not used"));
        assert!(
            refused(&["capplan", "compare", "s.toml", "--format", "json", "--wide"])
                .contains("with this --format")
        );
        assert!(refused(&["capplan", "report", "s.toml", "--wide"]).contains("report"));
        assert!(
            refused(&["capplan", "diff", "a", "b", "--all", "--format", "json"])
                .contains("--all is for diff's tables")
        );
        for fine in [
            &["capplan", "compare", "s.toml", "--wide", "-q"][..],
            &["capplan", "init", "x.toml"],
            &["capplan", "schema", "-o", "schema.json"],
            &["capplan", "check", "-", "--color", "never"],
        ] {
            assert!(Cli::parse_from(fine).settings().is_ok(), "{fine:?}");
        }
    }

    #[test]
    fn flags_resolve_into_plain_settings() {
        let cli = Cli::parse_from([
            "capplan",
            "check",
            "s.toml",
            "--policy",
            "a",
            "--phase",
            "before",
            "--at",
            "high",
            "--n-minus-1",
            "--format",
            "json",
            "-o",
            "out.json",
        ]);
        let settings = cli.settings().unwrap();
        assert_eq!(settings.output, Some(PathBuf::from("out.json")));
        let Task::Check {
            scenario,
            policies,
            phase,
            rule,
            format,
        } = settings.task
        else {
            panic!("not a check: {:?}", settings.task);
        };
        assert_eq!(scenario, PathBuf::from("s.toml"));
        assert_eq!(policies, ["a"]);
        assert_eq!(
            rule,
            CheckRule {
                at: DemandCase::High,
                n_minus_1: true,
                min_margins: Vec::new(),
            }
        );
        assert_eq!(phase.as_deref(), Some("before"));
        assert_eq!(format, Format::Json);
    }
}
