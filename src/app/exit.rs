//! Exit statuses, documented in the README: scripts and CI read them.

use std::process::ExitCode;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Everything asked for was done; every checked policy fits.
    Success,
    /// `check` ran, and at least one policy does not fit.
    CheckFailed,
    /// Bad input or usage: the scenario, a flag, or a file could not be used.
    InputError,
}

impl From<ExitStatus> for u8 {
    fn from(status: ExitStatus) -> u8 {
        match status {
            ExitStatus::Success => 0,
            ExitStatus::CheckFailed => 1,
            ExitStatus::InputError => 2,
        }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        ExitCode::from(u8::from(status))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_the_readme() {
        assert_eq!(u8::from(ExitStatus::Success), 0);
        assert_eq!(u8::from(ExitStatus::CheckFailed), 1);
        assert_eq!(u8::from(ExitStatus::InputError), 2);
    }
}
