//! The command line, as typed: clap derive types whose doc comments are the `--help` text.
//! Commands turn these into the library's own types; nothing below here sees clap.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::model::Phase;
use crate::plan::DemandCase;
use crate::report::Format;

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
}

impl Command {
    /// The scenario file the command reads, if any.
    pub fn scenario(&self) -> Option<&std::path::Path> {
        match self {
            Command::Compare(a) => Some(&a.scenario),
            Command::Check(a) => Some(&a.scenario),
            Command::Timeline(a) => Some(&a.scenario),
            Command::Solve(a) => Some(&a.scenario),
            Command::Explain(a) => Some(&a.scenario),
            Command::Validate(a) => Some(&a.scenario),
            Command::Schema
            | Command::Generate(_)
            | Command::Completions { .. }
            | Command::Man
            | Command::Init(_) => None,
        }
    }
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
    /// Print the manual page (roff): `capplan man > capplan.1; man ./capplan.1`.
    Man,
    /// Write a commented starter scenario that validates (never over an existing file).
    Init(InitArgs),
    /// Print a synthetic planning-scale scenario (for benchmarks).
    #[command(hide = true)]
    Generate(GenerateArgs),
}

/// Arguments of `capplan init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Where to write the scenario.
    #[arg(default_value = "scenario.toml")]
    pub path: PathBuf,
    /// What to start from.
    #[arg(long, value_enum, default_value_t = Template::Minimal)]
    pub template: Template,
}

/// Starter scenarios for `capplan init`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Template {
    /// One SKU, one site and one addition, two tiers, two policies: every key explained.
    Minimal,
    /// The Colossus 1 case of May 2026, with sources.
    Colossus,
}

/// Arguments of the hidden `capplan generate`.
#[derive(Debug, clap::Args)]
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
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Arguments of `capplan compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Only these policies (repeatable); all policies when absent.
    #[arg(long = "policy", value_name = "NAME")]
    pub policies: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Also draw utilization over the week, per policy, before and after, as an SVG.
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<PathBuf>,
}

/// Arguments of `capplan check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Only these policies (repeatable); all policies when absent.
    #[arg(long = "policy", value_name = "NAME")]
    pub policies: Vec<String>,
    /// The phase that must fit.
    #[arg(long, value_enum, default_value_t = PhaseArg::After)]
    pub phase: PhaseArg,
    /// Also require each policy to survive losing the phase's largest site (utilization
    /// <= 100 % without it).
    #[arg(long)]
    pub n_minus_1: bool,
    /// The demand case that must fit; low and high need an `[uncertainty]` table.
    #[arg(long, value_enum, default_value_t = DemandCase::Mid)]
    pub at: DemandCase,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Arguments of `capplan timeline`.
#[derive(Debug, clap::Args)]
pub struct TimelineArgs {
    /// The scenario file (TOML), with a `[timeline]` table.
    pub scenario: PathBuf,
    /// Only these policies (repeatable); all policies when absent.
    #[arg(long = "policy", value_name = "NAME")]
    pub policies: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Also draw peak utilization per month, additions marked, as an SVG.
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<PathBuf>,
}

/// Arguments of `capplan solve`.
#[derive(Debug, clap::Args)]
pub struct SolveArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// The policy whose budgets are scaled.
    #[arg(long, value_name = "NAME")]
    pub policy: String,
    /// Scale only these tiers' budgets (repeatable); every tier the policy limits when absent.
    #[arg(long = "tier", value_name = "NAME")]
    pub tiers: Vec<String>,
    /// The phase that must fit.
    #[arg(long, value_enum, default_value_t = PhaseArg::After)]
    pub phase: PhaseArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Arguments of `capplan explain`.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// The policy to explain.
    #[arg(long, value_name = "NAME")]
    pub policy: String,
    /// The phase to explain.
    #[arg(long, value_enum, default_value_t = PhaseArg::After)]
    pub phase: PhaseArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// `--phase` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PhaseArg {
    /// The sites in service today (no `online` date).
    Before,
    /// Every site, additions included.
    After,
}

impl From<PhaseArg> for Phase {
    fn from(arg: PhaseArg) -> Phase {
        match arg {
            PhaseArg::Before => Phase::Before,
            PhaseArg::After => Phase::After,
        }
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
}
