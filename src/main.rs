//! The `capplan` binary: parse the command line, run, map the outcome to an exit status.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

use capplan::app::{self, ExitStatus, StopOnClosedPipe};
use capplan::cli::Cli;

fn main() -> ExitCode {
    let settings = Cli::parse().settings();
    // A closed pipe stops the printing, never changes the exit status.
    let mut out = StopOnClosedPipe::new(io::stdout().lock());
    // anstream drops colour when stderr is not a terminal, or NO_COLOR is set.
    let mut stderr = StopOnClosedPipe::new(anstream::stderr());
    let result = app::run(&settings, &mut out, &mut stderr).and_then(|status| {
        out.flush()?;
        Ok(status)
    });
    match result {
        Ok(status) => status.into(),
        Err(err) => {
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
