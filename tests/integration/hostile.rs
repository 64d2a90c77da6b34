//! The gate against a hostile pull request (issue 19): every way found to make `check` or
//! `diff` pass what should fail, lose output, or run unbounded, one test each.

use super::*;

/// A git repository in a temporary folder with tiny.toml committed as `s/t.toml`.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("s")).unwrap();
    std::fs::write(dir.path().join("s/t.toml"), tiny_text()).unwrap();
    diff::git(dir.path(), &["init", "-q"]);
    diff::git(dir.path(), &["add", "."]);
    diff::git(dir.path(), &["commit", "-q", "-m", "base"]);
    dir
}

/// `capplan ARGS…` run in `folder`, with `PATH` optionally led by `path_first`.
fn capplan_in(folder: &Path, args: &[&str], path_first: Option<&Path>) -> Run {
    let mut command = Command::cargo_bin("capplan").unwrap();
    command
        .current_dir(folder)
        .env("RUST_BACKTRACE", "0")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_ACTIONS")
        .args(args);
    if let Some(first) = path_first {
        let path = std::env::var("PATH").unwrap_or_default();
        command.env("PATH", format!("{}:{path}", first.display()));
    }
    let output = command.output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

#[test]
fn a_file_planted_under_a_rev_path_name_is_refused_as_ambiguous() {
    let repo = repository();
    let folder = repo.path().join("s");
    // The pull request plants its own head under the base's spelling.
    std::fs::write(folder.join("HEAD:t.toml"), tiny_text()).unwrap();
    let run = capplan_in(
        &folder,
        &["diff", "HEAD:t.toml", "t.toml", "--fail-on-regression"],
        None,
    );
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(
            "\"HEAD:t.toml\" is ambiguous: it is both the file HEAD:t.toml on disk and t.toml at the git revision HEAD"
        ),
        "{}",
        run.stderr
    );
    // Spelt as a path, it is the file.
    let run = capplan_in(&folder, &["diff", "./HEAD:t.toml", "t.toml"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("file ./HEAD:t.toml"), "{}", run.stdout);
}

#[test]
fn the_diff_says_where_each_side_was_read_from() {
    let repo = repository();
    let folder = repo.path().join("s");
    let run = capplan_in(
        &folder,
        &["diff", "HEAD:t.toml", "t.toml", "--format", "json"],
        None,
    );
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["base"], "tiny (git HEAD:t.toml)");
    assert_eq!(doc["head"], "tiny (file t.toml)");
}

#[test]
fn a_git_blob_over_the_cap_is_refused_while_reading() {
    // A stub git that writes without end: the blob must be cut at the cap, not read whole.
    let stub = tempfile::tempdir().unwrap();
    let git = stub.path().join("git");
    std::fs::write(&git, "#!/bin/sh\nexec yes 'x = 1'\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&git, std::fs::Permissions::from_mode(0o755)).unwrap();
    let run = capplan_in(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["diff", "HEAD:no-such.toml", TINY],
        Some(stub.path()),
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("cannot read scenario HEAD:./no-such.toml: it is larger than the 8,388,608 bytes capplan reads"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_policy_renamed_to_a_look_alike_that_fails_is_a_regression() {
    // "currеnt" with a Cyrillic е, its limit lifted so that it fails before the additions.
    let head = ScenarioFile::new(
        "lookalike",
        tiny_with(&[
            ("name = \"current\"", "name = \"curr\u{435}nt\""),
            ("window_tokens = 1000000", "window_tokens = 100000000"),
        ]),
    );
    let run = capplan(&[
        "diff",
        TINY,
        head.path(),
        "--fail-on-regression",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        doc["regressions"],
        serde_json::json!([
            "current (before; removed while \"curr\u{435}nt\" was added and does not fit)"
        ])
    );
    let row = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["policy"] == "current" && r["phase"] == "before")
        .unwrap();
    assert_eq!(row["status"], "removed-regressed");
}

#[test]
fn a_policy_removed_that_did_not_fit_is_no_regression() {
    // double-5h does not fit before the additions; removing it while adding a failing
    // policy regresses nothing that fitted.
    let head = ScenarioFile::new(
        "renamed",
        tiny_with(&[("name = \"double-5h\"", "name = \"double-5h-v2\"")]),
    );
    let run = capplan(&[
        "diff",
        TINY,
        head.path(),
        "--fail-on-regression",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

/// The check of tiny with its second policy renamed to `name` (a TOML basic string body).
fn with_policy_name(name: &str) -> Run {
    let file = ScenarioFile::new(
        "named",
        tiny_text().replace("name = \"current\"", &format!("name = \"{name}\"")),
    );
    capplan(&["check", file.path()])
}

#[test]
fn names_refuse_format_characters_with_the_key_path_and_code_point() {
    for (name, code) in [
        ("current\\u200B", "U+200B"),
        ("cur\\u200Drent", "U+200D"),
        ("current\\u2060", "U+2060"),
        ("\\uFEFFcurrent", "U+FEFF"),
        ("cur\\u00ADrent", "U+00AD"),
        ("current\\u061C", "U+061C"),
        ("current\\U000E0041", "U+E0041"),
        ("current\\u180E", "U+180E"),
    ] {
        let run = with_policy_name(name);
        assert_eq!(run.code, 2, "{name}: {}", run.stderr);
        assert!(
            run.stderr.contains(&format!(
                "policy[1].name: expected a policy name of printable characters, found {code}"
            )),
            "{name}: {}",
            run.stderr
        );
    }
}

#[test]
fn names_refuse_noncharacters() {
    for (name, code) in [
        ("a\\uFFFF", "U+FFFF"),
        ("a\\uFFFE", "U+FFFE"),
        ("a\\uFDD0", "U+FDD0"),
    ] {
        let run = with_policy_name(name);
        assert_eq!(run.code, 2, "{name}: {}", run.stderr);
        assert!(
            run.stderr.contains(&format!("found {code}")),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn names_refuse_blank_looking_characters() {
    for (name, code) in [
        ("\\u3164", "U+3164"),
        ("a\\u115F", "U+115F"),
        ("a\\u2800", "U+2800"),
        ("a\\u034F", "U+034F"),
        ("a\\u17B4", "U+17B4"),
        ("a\\u00A0b", "U+00A0"),
        ("a\\u3000b", "U+3000"),
    ] {
        let run = with_policy_name(name);
        assert_eq!(run.code, 2, "{name}: {}", run.stderr);
        assert!(
            run.stderr.contains(&format!("found {code}")),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn every_kind_of_name_is_held_to_the_same_characters() {
    for (from, to, key) in [
        ("name = \"tiny\"", "name = \"tiny\\u200B\"", "scenario.name"),
        ("name = \"home\"", "name = \"home\\u200B\"", "site[0].name"),
        ("name = \"pro\"", "name = \"pro\\u200B\"", "tier[0].name"),
        (
            "[gpu.h100]",
            "[gpu.\"h100\\u200B\"]",
            "gpu.\"h100\\u{200b}\"",
        ),
        (
            "[curve.flat]",
            "[curve.\"flat\\u200B\"]",
            "curve.\"flat\\u{200b}\"",
        ),
        (
            "tokens_per_s = { sonnet = 800 }",
            "tokens_per_s = { \"sonnet\\u200B\" = 800 }",
            "gpu.h100.tokens_per_s.\"sonnet\\u{200b}\"",
        ),
    ] {
        let file = ScenarioFile::new("kinds", tiny_text().replacen(from, to, 1));
        let run = capplan(&["validate", file.path()]);
        assert_eq!(run.code, 2, "{to}: {}", run.stderr);
        assert!(run.stderr.contains("U+200B"), "{to}: {}", run.stderr);
        assert!(run.stderr.contains(key), "{key}: {}", run.stderr);
    }
}

#[test]
fn names_cannot_hold_workflow_commands() {
    for name in ["::error::forged", "x ::stop-commands::tok", "a ##[error]b"] {
        let run = with_policy_name(name);
        assert_eq!(run.code, 2, "{name}: {}", run.stderr);
        assert!(
            run.stderr
                .contains("GitHub Actions reads it as a workflow command"),
            "{name}: {}",
            run.stderr
        );
    }
}

#[test]
fn a_scenario_over_8_mib_is_refused_before_parsing() {
    let file = ScenarioFile::new("huge", vec![b'\n'; (8 << 20) + 1]);
    let run = capplan(&["validate", file.path()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("it is larger than the 8,388,608 bytes capplan reads"),
        "{}",
        run.stderr
    );
}

#[test]
fn on_github_echoed_scenario_text_cannot_forge_or_stop_commands() {
    // A step whose text holds a stop-commands line and a forged error: the diagnostic
    // quotes it, and only capplan's own annotations may read as commands.
    let file = ScenarioFile::new(
        "forged",
        tiny_text().replacen(
            "step = \"1h\"",
            "step = \"\"\"\n::stop-commands::tok\n::error::forged ##[error]forged\"\"\"",
            1,
        ),
    );
    let run = capplan_with(
        &["check", file.path()],
        &[("GITHUB_ACTIONS", "true"), ("LANG", "C.UTF-8")],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    let mut own = 0;
    for line in run.stdout.lines().chain(run.stderr.lines()) {
        let trimmed = line.trim_start();
        if trimmed.starts_with("::") {
            assert!(trimmed.starts_with("::error file="), "forged: {line}");
            own += 1;
        }
        assert!(!line.contains("##["), "forged: {line}");
    }
    assert_eq!(
        own, 1,
        "capplan's own annotation stays live: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains("#\u{2060}#[error]forged"),
        "shown as written: {}",
        run.stderr
    );
}

#[test]
fn the_step_summary_stays_under_1_mib_in_all_with_a_truncated_note() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    // An earlier step's writes leave too little room for the answer.
    let earlier = "earlier line\n".repeat(80_580);
    std::fs::write(&summary, &earlier).unwrap();
    let run = capplan_with(
        &["check", TINY],
        &[("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let written = std::fs::read_to_string(&summary).unwrap();
    assert!(written.len() <= 1_048_576, "{}", written.len());
    assert!(
        written.starts_with(&earlier),
        "earlier steps' lines are kept"
    );
    let added = &written[earlier.len()..];
    assert!(added.contains("> **Truncated by capplan:**"), "{added}");
    assert!(added.ends_with("(`--format markdown`).\n"), "{added}");
}

#[test]
fn output_refuses_the_step_summary_file() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "earlier\n").unwrap();
    let run = capplan_with(
        &["compare", TINY, "--output", summary.to_str().unwrap()],
        &[("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("it is the GITHUB_STEP_SUMMARY file"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_to_string(&summary).unwrap(), "earlier\n");
}

#[test]
fn output_through_a_dangling_chain_of_links_creates_its_end_and_keeps_the_links() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::os::unix::fs::symlink("one", &out).unwrap();
    std::os::unix::fs::symlink("two", dir.path().join("one")).unwrap();
    let run = capplan(&["validate", TINY, "--output", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for link in ["out", "one"] {
        let meta = std::fs::symlink_metadata(dir.path().join(link)).unwrap();
        assert!(meta.file_type().is_symlink(), "{link} is still a link");
    }
    let end = std::fs::read_to_string(dir.path().join("two")).unwrap();
    assert!(end.contains("tiny"), "{end}");
}

/// tiny with a `[curve.share]` whose first hour is `first` (then 1.0) serving at site home.
fn with_share_curve(first: &str) -> Run {
    let ones = vec!["1.0"; 167].join(", ");
    let text = tiny_text().replacen(
        "gpus = { h100 = 1000 }",
        "gpus = { h100 = 1000 }\nserving_share = \"share\"",
        1,
    ) + &format!("\n[curve.share]\nweek = [{first}, {ones}]\n");
    let file = ScenarioFile::new("share", text);
    capplan(&["compare", file.path(), "--format", "json"])
}

#[test]
fn a_share_curve_obeys_the_floor_of_a_share_number() {
    let run = with_share_curve("5e-324");
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr.contains(
            "site[0].serving_share: curve \"share\" as a serving share is 5e-324 at step 0 of the week; expected a share of 0, or between 0.000001 and 1 at every step"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(with_share_curve("0").code, 0);
}

#[test]
fn messages_print_huge_numbers_in_scientific_form() {
    let file = ScenarioFile::new("huge", tiny_with(&[("users = 100000", "users = 1e300")]));
    let run = capplan(&["validate", file.path()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("found 1e300"), "{}", run.stderr);
    assert!(!run.stderr.contains("000000000000000000"), "{}", run.stderr);
}

#[test]
fn serdes_internal_names_never_reach_a_message() {
    let file = ScenarioFile::new(
        "share-true",
        tiny_text().replacen(
            "gpus = { h100 = 1000 }",
            "gpus = { h100 = 1000 }\nserving_share = true",
            1,
        ),
    );
    let run = capplan(&["validate", file.path()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(
            "expected a serving share: a number from 0 to 1, a curve id, or { min, max }"
        ),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("ServingShareSpec"), "{}", run.stderr);
    assert!(!run.stderr.contains("untagged"), "{}", run.stderr);
}

#[test]
fn past_100_percent_tiers_are_charged_only_what_the_fleet_serves() {
    // unlimited before the additions: 1,000 GPUs, U = 125 % on the 120 weekday hours and
    // 62.5 % on the 48 weekend hours. Model v3: pro takes 120 × 1,000 × 1 + 48 × 1,000 ×
    // 0.625 = 150,000 GPU-hours of the 168,000 there are (v2 charged 180,000: idle < 0),
    // and its served output is 800,000 tok/s × 3,600 × 120 + 500,000 × 3,600 × 48 =
    // 4.32e11 tokens, 4,320,000 USD at 10 USD per million.
    let file = ScenarioFile::new(
        "priced",
        tiny_with(&[
            (
                "overhead = 0.8\n",
                "overhead = 0.8\ncost_per_gpu_hour = 2.0\n",
            ),
            (
                "mix = { sonnet = 1.0 }\n",
                "mix = { sonnet = 1.0 }\nprice_per_mtok = { output = 10 }\n",
            ),
        ]),
    );
    let doc = json(&capplan(&["compare", file.path(), "--format", "json"]));
    let cost = &result(&doc, "unlimited", "before")["cost"];
    let pro = &cost["tiers"][0];
    assert_relative_eq!(
        pro["gpu_hours"].as_f64().unwrap(),
        150_000.0,
        max_relative = 1e-12
    );
    assert_relative_eq!(
        pro["revenue"].as_f64().unwrap(),
        4_320_000.0,
        max_relative = 1e-12
    );
    let idle = cost["idle_cost_per_week"].as_f64().unwrap();
    // Serving cost: 1,000 GPUs × 2 USD × 168 h (all serve); idle is the 18,000 GPU-hours
    // no tier used.
    assert_relative_eq!(idle, 18_000.0 * 2.0, max_relative = 1e-9);
}

#[test]
fn names_reach_markdown_and_html_as_text_never_as_links_or_images() {
    let file = ScenarioFile::new(
        "markup",
        tiny_text().replace(
            "name = \"current\"",
            "name = \"![p](https://e.example/p.png) <img src=x> [l](https://e.example)\"",
        ),
    );
    let run = capplan(&["compare", file.path(), "--format", "markdown"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains(
            "\\!\\[p\\](https://e.example/p.png) \\<img src=x\\> \\[l\\](https://e.example)"
        ),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("![p]"), "{}", run.stdout);
    let run = capplan(&["compare", file.path(), "--format", "html"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.contains("<img src=x>"), "{}", run.stdout);
    assert!(run.stdout.contains("&lt;img src=x&gt;"));
}

#[test]
fn a_run_over_the_work_budget_is_refused_naming_the_figure_and_the_fix() {
    let text = std::fs::read_to_string(COLOSSUS).unwrap().replacen(
        "samples = 10000",
        "samples = 1000000",
        1,
    );
    let file = ScenarioFile::new("million", text);
    let run = capplan(&["timeline", file.path()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "this run asks for 69,554,156,112 evaluations (6 policies × 2 phases × 161 distinct steps × (1,000,000 samples × 20 months + 620 days) × 1.8 columns per class for the speeds in use), over the budget of 4,000,000,000 for a timeline; lower [uncertainty] samples to 57,479 or fewer"
        ),
        "{}",
        run.stderr
    );
    let run = capplan(&["compare", file.path()]);
    assert_eq!(run.code, 2, "compare too: {}", run.stderr);
    // The shipped scenario is well inside it.
    assert_eq!(capplan(&["timeline", COLOSSUS]).code, 0);
}

/// The `gate` fuzz target's body (fuzz/exercise.rs), here for a bounded smoke run.
mod gate_target {
    include!("../../fuzz/exercise.rs");
}

#[test]
fn the_gate_fuzz_body_holds_on_every_shipped_and_broken_scenario_and_their_mutations() {
    let mut texts: Vec<String> = Vec::new();
    for folder in ["scenarios", "tests/fixtures/broken"] {
        let mut paths: Vec<_> = std::fs::read_dir(folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        paths.sort();
        for path in paths {
            if let Ok(text) = std::fs::read_to_string(&path) {
                texts.push(text);
            }
        }
    }
    let tokens = [
        "::error::x",
        "##[group]",
        "<img src=x>",
        "![a](b)",
        "|",
        "\u{FFFF}",
        "\u{200B}",
        "\"",
        "\n",
        "[",
        "0",
        "1e300",
        "5e-324",
        "-",
        "=",
    ];
    let tiny = tiny_text();
    let mut runs = 0;
    for (t, text) in texts.iter().enumerate() {
        gate_target::exercise(&tiny, text);
        gate_target::exercise(text, text);
        runs += 2;
        if text.is_empty() {
            continue;
        }
        // Deterministic mutations: a token inserted at spread-out character boundaries.
        for i in 0..12 {
            let mut at = (t * 31 + i * 7919) % text.len();
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let mutated = format!(
                "{}{}{}",
                &text[..at],
                tokens[(t + i) % tokens.len()],
                &text[at..]
            );
            gate_target::exercise(text, &mutated);
            runs += 1;
        }
    }
    assert!(runs > 500, "{runs} runs");
}

#[test]
fn solve_and_explain_refuse_work_over_their_budget() {
    // 4,200 tiers at 1-minute steps: a solve may evaluate 486 weeks of 10,080 steps ×
    // 4,200 tiers = 2.06e10 tier-steps, over the 2e10 budget; explain's few weeks are not.
    let generated = capplan(&[
        "generate",
        "--tiers",
        "4200",
        "--policies",
        "1",
        "--step-minutes",
        "1",
        "--months",
        "1",
    ]);
    assert_eq!(generated.code, 0, "{}", generated.stderr);
    let file = ScenarioFile::new("wide", generated.stdout);
    let run = capplan(&["solve", file.path(), "--policy", "policy-0"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "solve may ask for 20,575,296,000 tier-steps (486 weeks × 10,080 steps × 4,200 tiers), over the budget of 20,000,000,000"
        ),
        "{}",
        run.stderr
    );
    let explain = capplan(&["explain", file.path(), "--policy", "policy-0", "-q"]);
    assert_eq!(explain.code, 0, "{}", explain.stderr);
}
