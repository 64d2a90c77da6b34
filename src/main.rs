//! The `capplan` binary: parse the command line, run, map the outcome to an exit status.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

use capplan::app::{self, ExitStatus, StopOnClosedPipe};
use capplan::cli::Cli;

fn main() -> ExitCode {
    let settings = match Cli::parse().settings() {
        Ok(settings) => settings,
        Err(usage) => usage.exit(),
    };
    let screen = app::screen(settings.color);
    // A closed pipe stops the printing, never changes the exit status.
    let mut out = StopOnClosedPipe::new(io::stdout().lock());
    // anstream colours standard error as `--color` allows (app::screen).
    let mut stderr = StopOnClosedPipe::new(anstream::stderr());
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
