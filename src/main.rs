//! The `capplan` binary: parse the command line, run, map the outcome to an exit status.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

use capplan::app::{self, ExitStatus, StopOnClosedPipe};
use capplan::cli::Cli;
use capplan::report::Screen;

fn main() -> ExitCode {
    let settings = Cli::parse().settings();
    let screen = screen();
    // A closed pipe stops the printing, never changes the exit status.
    let mut out = StopOnClosedPipe::new(io::stdout().lock());
    // anstream drops colour when stderr is not a terminal, or NO_COLOR is set.
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

/// What standard output allows: on a terminal, its width and colour (unless `NO_COLOR` is
/// set); elsewhere the fixed layout, so files and pipes get the same bytes every time.
fn screen() -> Screen {
    use std::io::IsTerminal;
    if !io::stdout().is_terminal() {
        return Screen::default();
    }
    Screen {
        width: terminal_size::terminal_size()
            .map(|(width, _)| usize::from(width.0))
            .filter(|&width| width > 0),
        colour: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}
