//! capplan as its users run it: the binary on scenario files, with exit codes, JSON and
//! tables checked against hand-computed values and an independent reference model. One
//! test binary, one file per topic; the helpers below make each CLI test read as one
//! sentence (arguments in; exit code, stdout and stderr out).

mod action;
mod against_reference;
mod architecture;
mod bad_input;
mod calibrate;
mod check;
mod compare;
mod cost;
mod diff;
mod explain;
mod gate;
mod github;
mod hostile;
mod html;
mod invariants;
mod junit;
mod msrv;
mod output;
mod parse_memory;
mod placement;
mod properties;
mod readme;
mod reference;
mod sampling;
mod schema;
mod sensitivity;
mod set;
mod snapshots;
mod solve;
mod speed;
mod time;
mod timeline;
mod v1;
mod v2;
mod validate;

pub use std::path::{Path, PathBuf};

pub use approx::assert_relative_eq;
use assert_cmd::Command;
pub use serde_json::Value;

/// One run of the binary.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `capplan ARGS…` from the crate root, in a UTF-8 locale.
fn capplan(args: &[&str]) -> Run {
    capplan_with(args, &[("LANG", "C.UTF-8")])
}

/// Runs `capplan ARGS…` from the crate root with these environment variables (and no
/// locale or colour variables from the caller's environment).
fn capplan_with(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::cargo_bin("capplan").unwrap();
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("RUST_BACKTRACE", "0")
        .env_remove("LC_ALL")
        .env_remove("LC_CTYPE")
        .env_remove("LANG")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// A scenario written into a temporary directory, removed when dropped.
struct ScenarioFile {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl ScenarioFile {
    fn new(name: &str, text: impl AsRef<[u8]>) -> ScenarioFile {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("{name}.toml"));
        std::fs::write(&path, text).unwrap();
        ScenarioFile { _dir: dir, path }
    }

    fn path(&self) -> &str {
        self.path.to_str().unwrap()
    }
}

fn json(run: &Run) -> Value {
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

const TINY: &str = "scenarios/tiny.toml";

const COLOSSUS: &str = "scenarios/colossus.toml";

const TELEMETRY: &str = "scenarios/telemetry.toml";

fn tiny_text() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(TINY)).unwrap()
}

/// tiny.toml with every `(from, to)` edit applied once, each required to apply.
fn tiny_with(edits: &[(&str, &str)]) -> String {
    let mut text = tiny_text();
    for (from, to) in edits {
        assert!(text.contains(from), "tiny.toml lacks {from:?}");
        text = text.replacen(from, to, 1);
    }
    text
}

/// The JSON result of `policy` on `phase` in a compare document.
fn result<'a>(doc: &'a Value, policy: &str, phase: &str) -> &'a Value {
    doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["policy"] == policy && r["phase"] == phase)
        .unwrap()
}
