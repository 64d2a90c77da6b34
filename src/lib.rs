//! capplan: a deterministic headroom model for GPU fleets and rate-limit policies.
//!
//! A [`scenario::Scenario`] (GPU SKUs, sites, additions, demand curves, tiers and policies)
//! goes through the pure [`model`] to utilization per step of a reference week; [`plan`]
//! asks questions of it (compare, check) and [`report`] renders the answers. [`run`] is the
//! only place that touches files and standard output.

pub mod cli;
mod exit;
mod github;
pub mod model;
pub mod plan;
pub mod report;
pub mod scenario;
pub mod synth;

use std::io;
use std::path::Path;

use anyhow::{Context, bail};

use crate::report::Report as _;

pub use exit::ExitStatus;

use clap::CommandFactory;
use cli::{Cli, Command};
use report::Format;
use scenario::{Scenario, ScenarioError, ScenarioWarnings};

/// Runs one command, writing its output to `out` and the scenario's warnings to `err`.
/// Errors are input or usage errors (exit 2); a failed check is
/// `Ok(ExitStatus::CheckFailed)`.
pub fn run(
    cli: &Cli,
    out: &mut dyn io::Write,
    err: &mut dyn io::Write,
) -> anyhow::Result<ExitStatus> {
    let Some(path) = &cli.output else {
        return run_command(cli, out, err);
    };
    let mut buffer = Vec::new();
    let status = run_command(cli, &mut buffer, err)?;
    write_atomically(path, &buffer, cli.command.scenario())?;
    Ok(status)
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so a
/// reader never sees half a file; refuses to write over `scenario`.
pub fn write_atomically(path: &Path, bytes: &[u8], scenario: Option<&Path>) -> anyhow::Result<()> {
    if let Some(scenario) = scenario {
        if same_file(path, scenario) {
            bail!(
                "refusing to write {} over the scenario {} it was computed from",
                path.display(),
                scenario.display()
            );
        }
    }
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(folder)
        .with_context(|| format!("cannot create a temporary file in {}", folder.display()))?;
    io::Write::write_all(&mut file, bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    // A temporary file is private (0600); the result is an ordinary file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    file.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Whether two paths name the same file (the second must exist; the first may not yet).
fn same_file(a: &Path, b: &Path) -> bool {
    let Ok(b) = b.canonicalize() else {
        return false;
    };
    match a.canonicalize() {
        Ok(a) => a == b,
        Err(_) => match (a.parent(), a.file_name()) {
            (Some(parent), Some(name)) => {
                let parent = if parent.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    parent
                };
                parent
                    .canonicalize()
                    .map(|p| p.join(name))
                    .is_ok_and(|a| a == b)
            }
            _ => false,
        },
    }
}

/// Runs the command itself, writing to `out`.
fn run_command(
    cli: &Cli,
    out: &mut dyn io::Write,
    err: &mut dyn io::Write,
) -> anyhow::Result<ExitStatus> {
    let mut load = |path: &Path| -> anyhow::Result<Scenario> {
        let (scenario, warnings) = load(path)?;
        if !warnings.is_empty() {
            writeln!(err, "{warnings:#}")?;
        }
        Ok(scenario)
    };
    match &cli.command {
        Command::Compare(args) => {
            let scenario = load(&args.scenario)?;
            let policies = select_policies(&scenario, &args.policies, &args.scenario)?;
            let bar = progress_bar((policies.len() * 2) as u64, "compare");
            let report = plan::compare_with_progress(&scenario, &policies, &|| bar.inc(1));
            bar.finish_and_clear();
            if let Some(path) = &args.plot {
                let svg = report::plot::week_svg(
                    &report,
                    &scenario.peak_hours.mask(scenario.step_minutes),
                )
                .map_err(|e| anyhow::anyhow!("cannot draw {}: {e}", path.display()))?;
                write_atomically(path, svg.as_bytes(), Some(&args.scenario))?;
            }
            report.write(args.format, out)?;
        }
        Command::Check(args) => {
            let scenario = load(&args.scenario)?;
            let policies = select_policies(&scenario, &args.policies, &args.scenario)?;
            let rule = plan::CheckRule {
                phase: args.phase.into(),
                at: args.at,
                n_minus_1: args.n_minus_1,
            };
            let report = plan::check(&scenario, &policies, rule)?;
            report.write(args.format, out)?;
            github::report_check(&report, &scenario, &args.scenario, out)?;
            if report.check.is_some_and(|verdict| !verdict.passed) {
                return Ok(ExitStatus::CheckFailed);
            }
        }
        Command::Timeline(args) => {
            let scenario = load(&args.scenario)?;
            let policies = select_policies(&scenario, &args.policies, &args.scenario)?;
            let months = scenario.timeline.as_ref().map_or(0, |t| t.months);
            let bar = progress_bar(u64::from(months), "timeline");
            let report = plan::timeline_with_progress(&scenario, &policies, &|| bar.inc(1));
            bar.finish_and_clear();
            let report = report?;
            if let Some(path) = &args.plot {
                let svg = report::plot::timeline_svg(&report)
                    .map_err(|e| anyhow::anyhow!("cannot draw {}: {e}", path.display()))?;
                write_atomically(path, svg.as_bytes(), Some(&args.scenario))?;
            }
            report.write(args.format, out)?;
        }
        Command::Solve(args) => {
            let scenario = load(&args.scenario)?;
            let policy = select_policy(&scenario, &args.policy, &args.scenario)?;
            let tiers = args
                .tiers
                .iter()
                .map(|name| {
                    scenario
                        .tiers
                        .iter()
                        .position(|t| &t.name == name)
                        .with_context(|| {
                            let known: Vec<&str> =
                                scenario.tiers.iter().map(|t| t.name.as_str()).collect();
                            format!(
                                "--tier {name:?}: no such tier in {}; expected one of: {}",
                                args.scenario.display(),
                                known.join(", ")
                            )
                        })
                })
                .collect::<anyhow::Result<Vec<usize>>>()?;
            let request = plan::SolveRequest {
                policy,
                tiers,
                phase: args.phase.into(),
            };
            plan::solve(&scenario, &request)?.write(args.format, out)?;
        }
        Command::Validate(args) => {
            let file = args.scenario.display().to_string();
            let report = match self::load(&args.scenario) {
                // The report lists the warnings itself.
                Ok((scenario, warnings)) => {
                    report::ValidateReport::valid(&file, &scenario, &warnings)
                }
                Err(error) if args.format == Format::Table => return Err(error),
                Err(error) => match error.downcast_ref::<ScenarioError>() {
                    Some(diagnostics) => report::ValidateReport::invalid(&file, diagnostics),
                    None => report::ValidateReport::invalid(
                        &file,
                        &ScenarioError::whole_file(&file, format!("{error:#}")),
                    ),
                },
            };
            report.write(args.format, out)?;
            if !report.valid {
                return Ok(ExitStatus::InputError);
            }
        }
        Command::Generate(args) => {
            if !scenario::units::STEP_MINUTES.contains(&args.step_minutes) {
                bail!(
                    "--step-minutes must divide an hour: one of {:?}",
                    scenario::units::STEP_MINUTES
                );
            }
            out.write_all(
                synth::scenario(synth::SynthSize {
                    tiers: args.tiers,
                    policies: args.policies,
                    step_minutes: args.step_minutes,
                    months: args.months,
                    seed: args.seed,
                })
                .as_bytes(),
            )?;
        }
        Command::Completions { shell } => {
            clap_complete::generate(*shell, &mut Cli::command(), "capplan", out);
        }
        Command::Man => {
            clap_mangen::Man::new(Cli::command()).render(out)?;
        }
        Command::Init(args) => init(args, out)?,
        Command::Schema => {
            serde_json::to_writer_pretty(&mut *out, &Scenario::json_schema())?;
            writeln!(out)?;
        }
        Command::Explain(args) => {
            let scenario = load(&args.scenario)?;
            let policy = select_policy(&scenario, &args.policy, &args.scenario)?;
            plan::explain(&scenario, policy, args.phase.into()).write(args.format, out)?;
        }
    }
    Ok(ExitStatus::Success)
}

/// `capplan init`: writes a starter scenario (never over an existing file) and, beside it,
/// the schema its `#:schema` line names, if that is missing.
fn init(args: &cli::InitArgs, out: &mut dyn io::Write) -> anyhow::Result<()> {
    let text = match args.template {
        cli::Template::Minimal => include_str!("../scenarios/starter.toml"),
        cli::Template::Colossus => include_str!("../scenarios/colossus.toml"),
    };
    let path = &args.path;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|err| match err.kind() {
            io::ErrorKind::AlreadyExists => {
                anyhow::anyhow!(
                    "{} already exists; capplan init never overwrites a file",
                    path.display()
                )
            }
            _ => anyhow::Error::new(err).context(format!("cannot create {}", path.display())),
        })?;
    io::Write::write_all(&mut file, text.as_bytes())?;
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let schema = folder.join("schema.json");
    let wrote_schema = !schema.exists();
    if wrote_schema {
        let mut json = serde_json::to_string_pretty(&Scenario::json_schema())?;
        json.push('\n');
        write_atomically(&schema, json.as_bytes(), None)?;
    }
    let template = match args.template {
        cli::Template::Minimal => "minimal",
        cli::Template::Colossus => "colossus",
    };
    writeln!(out, "wrote {} ({template} template)", path.display())?;
    if wrote_schema {
        writeln!(
            out,
            "wrote {} (its #:schema line points here, for editors)",
            schema.display()
        )?;
    }
    writeln!(
        out,
        "next: capplan validate {0} && capplan compare {0}",
        path.display()
    )?;
    Ok(())
}

/// Reads and validates a scenario file, with the CSV curve files it refers to (paths
/// relative to the scenario's folder), and returns it with its warnings.
pub fn load(path: &Path) -> anyhow::Result<(Scenario, ScenarioWarnings)> {
    let origin = path.display().to_string();
    let bytes = std::fs::read(path).with_context(|| format!("cannot read scenario {origin}"))?;
    let text = String::from_utf8(bytes).map_err(|err| {
        ScenarioError::whole_file(
            &origin,
            format!(
                "the file is not UTF-8 text (invalid byte at offset {}); expected a TOML scenario",
                err.utf8_error().valid_up_to()
            ),
        )
    })?;
    let folder = path.parent().unwrap_or(Path::new("."));
    let files = |relative: &str| -> Result<String, String> {
        std::fs::read_to_string(folder.join(relative)).map_err(|e| e.to_string())
    };
    Ok(Scenario::load(&text, &origin, &files)?)
}

/// Resolves one `--policy` name to its index.
fn select_policy(scenario: &Scenario, name: &str, path: &Path) -> anyhow::Result<usize> {
    Ok(select_policies(scenario, &[name.to_string()], path)?[0])
}

/// Resolves `--policy` names to indices in file order; all policies when none are named.
fn select_policies(
    scenario: &Scenario,
    names: &[String],
    path: &Path,
) -> anyhow::Result<Vec<usize>> {
    if names.is_empty() {
        return Ok((0..scenario.policies.len()).collect());
    }
    let mut selected = Vec::new();
    for name in names {
        match scenario.policy_index(name) {
            Some(index) => selected.push(index),
            None => {
                let known: Vec<&str> = scenario.policies.iter().map(|p| p.name.as_str()).collect();
                bail!(
                    "--policy {name:?}: no such policy in {}; expected one of: {}",
                    path.display(),
                    known.join(", ")
                )
            }
        }
    }
    selected.sort_unstable();
    selected.dedup();
    Ok(selected)
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

/// True when the error is a closed pipe on output (`capplan … | head`): not a failure.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}
