//! `capplan diff`: a change to the tiny scenario, hand-checked; exit statuses; REV:PATH
//! read through git.

use super::*;

/// tiny with 150,000 pro users instead of 100,000: demand × 1.5.
fn grown() -> ScenarioFile {
    ScenarioFile::new("grown", tiny_with(&[("users = 100000", "users = 150000")]))
}

#[test]
fn a_change_that_breaks_policies_is_named_a_regression() {
    let head = grown();
    let doc = json(&capplan(&["diff", TINY, head.path(), "--format", "json"]));
    // unlimited, after: 100,000 × 0.1 × 360,000 / 3,600 = 1,000,000 tokens/s on
    // 1,200,000 → 83.33 %; with 150,000 users, 1,500,000 / 1,200,000 = 125 %.
    let row = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["policy"] == "unlimited" && r["phase"] == "after")
        .unwrap();
    assert_relative_eq!(
        row["base"]["peak_utilization"].as_f64().unwrap(),
        1.0 / 1.2,
        max_relative = 1e-12
    );
    assert_relative_eq!(
        row["head"]["peak_utilization"].as_f64().unwrap(),
        1.25,
        max_relative = 1e-12
    );
    assert_eq!(row["status"], "regressed");
    assert_eq!(
        doc["regressions"],
        serde_json::json!(["unlimited (after)", "current (before)", "double-5h (after)"])
    );
    assert_eq!(
        doc["input_changes"],
        serde_json::json!(["tier[pro].users: 100,000 → 150,000 (+50,000)"])
    );
}

#[test]
fn only_fail_on_regression_turns_a_regression_into_exit_1() {
    let head = grown();
    let plain = capplan(&["diff", TINY, head.path()]);
    assert_eq!(plain.code, 0, "{}", plain.stderr);
    assert!(
        plain.stdout.contains("3 regressions: unlimited (after), current (before), double-5h (after) fitted in the base and no longer fit"),
        "{}",
        plain.stdout
    );
    let gate = capplan(&["diff", TINY, head.path(), "--fail-on-regression"]);
    assert_eq!(gate.code, 1, "{}", gate.stderr);
    // The other way round nothing regresses: every change is a fix.
    let back = capplan(&[
        "diff",
        head.path(),
        TINY,
        "--fail-on-regression",
        "--format",
        "csv",
    ]);
    assert_eq!(back.code, 0, "{}", back.stderr);
    assert!(
        back.stdout
            .contains("unlimited,after,fixed,1.25,0.8333333333333334,false,true,"),
        "{}",
        back.stdout
    );
}

#[test]
fn a_scenario_against_itself_changes_nothing() {
    let run = capplan(&["diff", TINY, TINY, "--format", "markdown"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("No regressions: 0 of 6 results changed"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("No input of the scenario differs."));
}

/// Runs git in `dir`, as a fixed author, with no user or system configuration.
pub(super) fn git(dir: &Path, args: &[&str]) {
    let status = std::process::Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .args([
            "-c",
            "user.name=capplan",
            "-c",
            "user.email=capplan@example.com",
        ])
        .args(args)
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

#[test]
fn rev_path_reads_the_scenario_and_its_curves_at_a_git_revision() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("s/curves")).unwrap();
    let telemetry = std::fs::read_to_string(TELEMETRY).unwrap();
    std::fs::write(root.join("s/t.toml"), &telemetry).unwrap();
    for entry in std::fs::read_dir("scenarios/curves").unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), root.join("s/curves").join(entry.file_name())).unwrap();
    }
    git(root, &["init", "-q"]);
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "base"]);
    // The work tree moves on after the commit: the base must be the committed target.
    let head = telemetry.replacen("utilization_target = 0.8", "utilization_target = 0.7", 1);
    assert_ne!(
        head, telemetry,
        "telemetry.toml's target moved; update this test"
    );
    std::fs::write(root.join("s/t.toml"), head).unwrap();
    let run = assert_cmd::Command::cargo_bin("capplan")
        .unwrap()
        .current_dir(root.join("s"))
        .args(["diff", "HEAD:t.toml", "t.toml", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let doc: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(
        doc["input_changes"],
        serde_json::json!(["scenario.utilization_target: 0.8 → 0.7 (-0.1)"])
    );
    assert!(doc["base"].as_str().unwrap().ends_with("(git HEAD:t.toml)"));
}

#[test]
fn a_revision_that_is_not_there_is_bad_input() {
    let run = capplan(&["diff", "no-such-rev-xyz:scenarios/tiny.toml", TINY]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("cannot read scenario no-such-rev-xyz:./scenarios/tiny.toml"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("expected REV:PATH naming a file at a git revision")
    );
}

#[test]
fn policies_are_compared_tier_by_tier_and_by_name() {
    let head = ScenarioFile::new(
        "limits",
        tiny_with(&[
            ("name = \"unlimited\"", "name = \"open\""),
            ("window_tokens = 1000000", "window_tokens = 1500000"),
        ]),
    );
    let doc = json(&capplan(&["diff", TINY, head.path(), "--format", "json"]));
    assert_eq!(
        doc["input_changes"],
        serde_json::json!([
            "policy[open]: added",
            "policy[current].limits.pro.window_tokens: 1,000,000 → 1,500,000 (+500,000)",
            "policy[unlimited]: removed"
        ])
    );
}

/// tiny with costs, prices and uncertainty set, for the diff of each.
fn priced(gpu_cost: &str, price: &str, high: &str) -> ScenarioFile {
    let text = tiny_with(&[(
        "users = 100000",
        &format!("users = 100000\nprice_per_user_month = {price}"),
    )])
    .replace("high = 1.2", &format!("high = {high}"));
    let text = text.replacen(
        "[gpu.h100]",
        &format!("[gpu.h100]\ncost_per_gpu_hour = {gpu_cost}"),
        1,
    );
    ScenarioFile::new(&format!("priced-{gpu_cost}-{price}-{high}"), text)
}

#[test]
fn every_changed_input_key_is_listed_and_none_unchanged() {
    let (base, head) = (priced("2.0", "20", "1.2"), priced("2.5", "20", "1.3"));
    let doc = json(&capplan(&[
        "diff",
        base.path(),
        head.path(),
        "--format",
        "json",
        "-q",
    ]));
    assert_eq!(
        doc["input_changes"],
        serde_json::json!([
            "uncertainty.high: 1.2 → 1.3 (+0.1)",
            "gpu.h100.cost_per_gpu_hour: 2 → 2.5 (+0.5)",
        ])
    );
    let (base, head) = (priced("2.0", "20", "1.2"), priced("2.0", "25", "1.2"));
    let doc = json(&capplan(&[
        "diff",
        base.path(),
        head.path(),
        "--format",
        "json",
        "-q",
    ]));
    assert_eq!(
        doc["input_changes"],
        serde_json::json!(["tier[pro].price_per_user_month: 20 → 25 (+5)"])
    );
}

#[test]
fn only_changed_rows_by_default_with_signed_deltas_and_all_for_every_row() {
    let (base, head) = (priced("2.0", "20", "1.2"), priced("2.5", "20", "1.2"));
    let run = capplan(&["diff", base.path(), head.path(), "-q"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Only the serving cost moved: every row changed, each with a signed dollar delta.
    assert!(run.stdout.contains("(+$"), "{}", run.stdout);
    let grown = grown();
    let run = capplan(&["diff", TINY, grown.path(), "-q"]);
    assert!(
        run.stdout.contains("83.3% → 125.0% (+41.7 pts)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("0.00 → 1.07 (+1.07 MW)"),
        "{}",
        run.stdout
    );
    let back = capplan(&["diff", grown.path(), TINY, "-q"]);
    assert!(
        back.stdout.contains("125.0% → 83.3% (-41.7 pts)"),
        "{}",
        back.stdout
    );
    // A change to one phase only: the other phase's rows are left out, unless --all.
    let later = ScenarioFile::new(
        "later",
        tiny_with(&[("power_mw = 0.756", "power_mw = 0.9")]),
    );
    let run = capplan(&["diff", TINY, later.path(), "-q"]);
    assert!(
        !run.stdout.contains("│ unlimited ┆ before ┆ unchanged"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("unchanged not shown (--all shows every row)"),
        "{}",
        run.stdout
    );
    let all = capplan(&["diff", TINY, later.path(), "-q", "--all"]);
    assert!(
        all.stdout.contains("│ unlimited ┆ before ┆ unchanged"),
        "{}",
        all.stdout
    );
    // The verdict closes the output too.
    assert!(
        run.stdout.trim_end().ends_with("still fits"),
        "{}",
        run.stdout
    );
}

#[test]
fn markdown_is_a_pull_request_comment_with_a_marker_and_every_row_folded() {
    let later = ScenarioFile::new(
        "later",
        tiny_with(&[("power_mw = 0.756", "power_mw = 0.9")]),
    );
    let run = capplan(&["diff", TINY, later.path(), "--format", "markdown", "-q"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = &run.stdout;
    assert!(
        text.starts_with("<!-- capplan diff -->\n## capplan: diff: "),
        "{text}"
    );
    let details = text
        .find("<details>\n<summary>Every policy and phase (6)</summary>")
        .unwrap();
    assert!(text.trim_end().ends_with("</details>"), "{text}");
    // Unchanged rows only inside the fold.
    let unchanged = text.find("| unchanged ").unwrap();
    assert!(unchanged > details, "{text}");
    assert!(
        text[..details].contains(
            "### Inputs that changed\n\n- site\\[new\\].power\\_mw: 0.756 → 0.9 (+0.144)"
        ),
        "{text}"
    );
}

#[test]
fn under_github_actions_diff_writes_the_step_summary_and_annotates_regressions() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let grown = grown();
    let env = [
        ("LANG", "C.UTF-8"),
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
    ];
    let run = capplan_with(
        &["diff", TINY, grown.path(), "--fail-on-regression", "-q"],
        &env,
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let written = std::fs::read_to_string(&summary).unwrap();
    assert!(written.starts_with("<!-- capplan diff -->"), "{written}");
    assert!(written.contains("3 regressions"), "{written}");
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("::error "))
        .collect();
    assert_eq!(errors.len(), 3, "{}", run.stderr);
    assert!(
        errors[0].contains(",line=")
            && errors[0]
                .contains("title=capplan diff%3A unlimited::unlimited (after) fitted in the base"),
        "{}",
        errors[0]
    );
    assert!(
        run.stderr.contains(
            "::notice title=capplan diff::6 of 6 results changed, 3 regressed; 1 input changed"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn a_phase_that_disappears_is_a_regression_and_a_renamed_before_is_the_same_row() {
    // Head replaces v2's before/after with one dated phase called `before` on the
    // timeline's start: the same fleet and demand as v2's `before`, so those rows match
    // (unchanged), while every result that fitted `after` has lost its phase.
    let head = ScenarioFile::new(
        "dated",
        format!(
            "{}\n[[phase]]\nname = \"before\"\non = \"2026-05-01\"\n",
            tiny_text()
        ),
    );
    let run = capplan(&[
        "diff",
        TINY,
        head.path(),
        "--fail-on-regression",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    let row = |policy: &str, phase: &str| {
        doc["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["policy"] == policy && r["phase"] == phase)
            .unwrap_or_else(|| panic!("{policy} {phase}"))
            .clone()
    };
    assert_eq!(row("current", "before")["status"], "unchanged");
    assert_eq!(row("current", "after")["status"], "removed-regressed");
    assert!(
        doc["regressions"][0]
            .as_str()
            .unwrap()
            .contains("the phase is gone from head"),
        "{doc}"
    );
}
