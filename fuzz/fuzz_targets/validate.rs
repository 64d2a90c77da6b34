//! Bytes → scenario, and nothing more: the parser, the validator and the rendering of
//! every diagnostic and warning, where hostile input arrives first. Cheap per input, so a
//! run reaches tens of millions of executions (the `scenario` target runs the whole model
//! and reaches far fewer). Invalid input must come back as a ScenarioError, never a panic;
//! rendering must not panic either.
#![no_main]

use capplan::scenario::Scenario;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let no_files = |path: &str| Err(format!("{path}: no files while fuzzing"));
    match Scenario::load(text, "fuzz.toml", &no_files) {
        Ok((scenario, warnings)) => {
            let _ = warnings.to_string();
            let _ = format!("{warnings:#}");
            let _ = warnings.positions();
            assert!(scenario.utilization_target.is_finite());
        }
        Err(error) => {
            let _ = error.to_string();
            let _ = format!("{error:#}");
        }
    }
});
