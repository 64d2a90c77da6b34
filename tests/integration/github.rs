//! GitHub Actions: the step summary and annotations.

use super::*;

#[test]
fn check_on_github_writes_a_step_summary_and_annotations() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let env = [
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
        ("LANG", "C.UTF-8"),
    ];
    let run = capplan_with(&["check", TINY, "--phase", "before"], &env);
    assert_eq!(run.code, 1);
    // Annotations go to stderr (the runner reads workflow commands on both streams), so
    // stdout stays the answer alone.
    assert!(
        run.stderr.contains("::error file=scenarios/tiny.toml,line=86,title=capplan check%3A double-5h::double-5h (before): peak utilization 104.2%25 at Mon 00:00"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.matches("::error ").count(), 2);
    assert!(!run.stdout.contains("::error"));
    let markdown = std::fs::read_to_string(&summary).unwrap();
    assert!(markdown.starts_with("## capplan: tiny"), "{markdown}");
    assert!(
        markdown.contains(
            "### check failed: 2 of 3 policies do not fit (before): unlimited, double-5h"
        )
    );
    assert!(markdown.contains("| double-5h | before |"));
    // Off GitHub: no annotations.
    assert!(
        !capplan(&["check", TINY, "--phase", "before"])
            .stderr
            .contains("::error")
    );
}

#[test]
fn errors_and_warnings_are_annotated_at_their_line_relative_to_the_workspace() {
    let root = env!("CARGO_MANIFEST_DIR");
    let env = [
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_WORKSPACE", root),
        ("LANG", "C.UTF-8"),
    ];
    let broken = format!("{root}/tests/fixtures/broken/mix-sum.toml");
    let run = capplan_with(&["compare", &broken], &env);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("::error file=tests/fixtures/broken/mix-sum.toml,line=47,col=7,title=capplan error::tier[0].mix: expected class shares that sum to 1"),
        "{}",
        run.stderr
    );
    let tiny = format!("{root}/{TINY}");
    let run = capplan_with(&["check", &tiny, "--phase", "before"], &env);
    assert!(
        run.stderr.contains("::warning file=scenarios/tiny.toml,line=55,col=12,title=capplan warning::site[1].power_mw"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("::error file=scenarios/tiny.toml,line=74,"),
        "{}",
        run.stderr
    );
    // Off GitHub: none.
    let run = capplan(&["compare", &broken]);
    assert!(!run.stderr.contains("::error"));
}
