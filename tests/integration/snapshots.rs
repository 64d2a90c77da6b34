//! Every answer in every format, pinned: `compare`, `check`, `timeline`, `solve`, `explain`
//! `validate`, `diff`, `sensitivity` and a `--set` on scenarios/tiny.toml as table, JSON, CSV, Markdown and HTML, and both
//! plots and the tornado chart.
//! A change of output shows up here as a diff to review (`cargo insta review`).

use super::*;

/// Runs one answer in one format and pins its output as `{name}_{format}`.
fn snapshot(name: &str, args: &[&str], format: &str) {
    let mut all = args.to_vec();
    all.extend(["--format", format]);
    let run = capplan(&all);
    // `check` exits 1 on tiny.toml: `unlimited` does not fit before, or at high.
    assert!(run.code == 0 || run.code == 1, "{all:?}: {}", run.stderr);
    insta::assert_snapshot!(format!("{name}_{format}"), run.stdout);
}

/// One test per answer and format, so one mismatch never hides the others: a module per
/// answer (its arguments), a test per format.
macro_rules! every_format {
    ($($answer:ident: [$($arg:expr),* $(,)?];)*) => {$(
        mod $answer {
            use super::*;
            const ARGS: &[&str] = &[$($arg),*];
            #[test]
            fn table() {
                snapshot(stringify!($answer), ARGS, "table");
            }
            #[test]
            fn json() {
                snapshot(stringify!($answer), ARGS, "json");
            }
            #[test]
            fn csv() {
                snapshot(stringify!($answer), ARGS, "csv");
            }
            #[test]
            fn markdown() {
                snapshot(stringify!($answer), ARGS, "markdown");
            }
            #[test]
            fn html() {
                snapshot(stringify!($answer), ARGS, "html");
            }
        }
    )*};
}

every_format! {
    compare: ["compare", TINY];
    check: ["check", TINY];
    check_n_minus_1_high: ["check", TINY, "--n-minus-1", "--at", "high"];
    timeline: ["timeline", TINY];
    solve: ["solve", TINY, "--policy", "current"];
    explain: ["explain", TINY, "--policy", "double-5h", "--phase", "before"];
    validate: ["validate", TINY];
    diff: ["diff", TINY, "tests/fixtures/diff/tiny-more-users.toml"];
    sensitivity: ["sensitivity", TINY, "--phase", "before"];
    set: ["compare", TINY, "--phase", "before", "--set", "tier.pro.users=80000"];
}

#[test]
fn an_invalid_scenario_in_every_format() {
    let file = ScenarioFile::new(
        "broken",
        tiny_text()
            .replace("pue = 1.2\ngpus", "pue = 0.9\ngpus")
            .replace("curve = \"flat\"", "curve = \"flta\""),
    );
    for format in ["json", "csv", "markdown"] {
        let run = capplan(&["validate", file.path(), "--format", format]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        let stdout = run.stdout.replace(file.path(), "broken.toml");
        insta::assert_snapshot!(format!("validate_invalid_{format}"), stdout);
    }
    // As a table, the diagnostics go to stderr.
    let run = capplan(&["validate", file.path()]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    let stderr = run.stderr.replace(file.path(), "broken.toml");
    insta::assert_snapshot!("validate_invalid_table_stderr", stderr);
}

#[test]
fn both_plots() {
    let dir = tempfile::tempdir().unwrap();
    for (name, command) in [
        ("week", "compare"),
        ("timeline", "timeline"),
        ("tornado", "sensitivity"),
    ] {
        let path = dir.path().join(format!("{name}.svg"));
        let run = capplan(&[command, TINY, "--plot", path.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let svg = std::fs::read_to_string(&path).unwrap();
        insta::assert_snapshot!(format!("plot_{name}"), svg);
    }
}
