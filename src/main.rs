//! The `capplan` binary: parse the command line, run, map the outcome to an exit status.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

use capplan::app::{self, CommandFence, ExitStatus, StopOnClosedPipe};
use capplan::cli::Cli;

fn main() -> ExitCode {
    let settings = match Cli::parse().settings() {
        Ok(settings) => settings,
        Err(usage) => usage.exit(),
    };
    let screen = app::screen(settings.color);
    // A closed pipe stops the printing, never changes the exit status. On GitHub Actions,
    // no text but capplan's own annotations can be read as a workflow command.
    let github = app::on_github();
    let mut out = StopOnClosedPipe::new(CommandFence::new(io::stdout().lock(), github));
    // anstream colours standard error as `--color` allows (app::screen).
    let mut stderr = StopOnClosedPipe::new(CommandFence::new(anstream::stderr(), github));
    let result = app::run(&settings, screen, &mut out, &mut stderr).and_then(|status| {
        out.flush()?;
        Ok(status)
    });
    match result {
        Ok(status) => status.into(),
        Err(err) => {
            app::annotate_error(&settings, &err, &mut stderr);
            match err.downcast_ref::<capplan::scenario::ScenarioError>() {
                Some(diagnostics) => {
                    let _ = writeln!(stderr, "{diagnostics:#}");
                }
                None => {
                    let _ = writeln!(stderr, "error: {err:#}");
                }
            }
            ExitStatus::InputError.into()
        }
    }
}
