//! The gate's promise to CI, tried as a hostile user would: a verdict in bounded time, exit
//! codes that mean what they say whatever happens to stdout and stderr, valid JSON, and no
//! input ever written over. One regression test per class of failure (docs/reliability.md).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::*;

/// A capplan command from the crate root, in a UTF-8 locale, off GitHub.
fn command(args: &[&str]) -> Command {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("capplan"));
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("RUST_BACKTRACE", "0")
        .env("LANG", "C.UTF-8")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_STEP_SUMMARY")
        .args(args);
    command
}

/// The write end of a pipe whose reader has already gone: every write is a broken pipe.
fn closed_pipe() -> Stdio {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    Stdio::from(writer)
}

/// Waits for a child, killing it after a minute: a hang fails the test instead of the
/// suite. (A bound on a bug, not a timing assertion: a healthy run takes milliseconds.)
fn finish(mut child: Child) -> std::process::Output {
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("capplan did not finish within a minute");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().unwrap()
}

/// Runs with stdout (and, if asked, stderr) closed; the exit code and stderr.
fn run_closed(args: &[&str], env: &[(&str, &str)], close_stderr: bool) -> (i32, String) {
    let mut command = command(args);
    command.envs(env.iter().copied()).stdout(closed_pipe());
    command.stderr(if close_stderr {
        closed_pipe()
    } else {
        Stdio::piped()
    });
    let output = finish(command.spawn().unwrap());
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (output.status.code().unwrap_or(-1), stderr)
}

#[test]
fn a_closed_pipe_never_changes_the_exit_code() {
    let broken = "tests/fixtures/broken/mix-sum.toml";
    let github = [("GITHUB_ACTIONS", "true")];
    /// Arguments, environment, whether stderr is closed too, the exit code expected.
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], bool, i32);
    let cases: [Case; 8] = [
        (&["check", TINY, "--phase", "before"], &[], false, 1),
        (&["check", TINY, "--phase", "before"], &[], true, 1),
        (
            &["check", TINY, "--phase", "before", "--format", "json"],
            &github,
            true,
            1,
        ),
        // tiny.toml warns (a power-bound site): an unreadable warning is no failure.
        (&["check", TINY], &[], true, 0),
        (&["compare", TINY], &[], true, 0),
        (&["validate", broken], &[], true, 2),
        (&["validate", broken, "--format", "json"], &[], false, 2),
        (&["completions", "bash"], &[], false, 0),
    ];
    for (args, env, close_stderr, code) in cases {
        let (got, stderr) = run_closed(args, env, close_stderr);
        assert_eq!(
            got, code,
            "{args:?} (stderr closed: {close_stderr}): {stderr}"
        );
        assert!(!stderr.contains("Broken pipe"), "{args:?}: {stderr}");
    }
}

#[test]
fn json_stays_json_on_github_actions() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("check.json");
    let env = [("GITHUB_ACTIONS", "true"), ("LANG", "C.UTF-8")];
    let run = capplan_with(
        &["check", TINY, "--phase", "before", "--format", "json"],
        &env,
    );
    assert_eq!(run.code, 1);
    let doc: Value = serde_json::from_str(&run.stdout).expect("stdout is JSON");
    assert_eq!(doc["check"]["passed"], false);
    assert_eq!(run.stderr.matches("::error ").count(), 2, "{}", run.stderr);
    let args = [
        "check",
        TINY,
        "--phase",
        "before",
        "--format",
        "json",
        "-o",
        file.to_str().unwrap(),
    ];
    let run = capplan_with(&args, &env);
    assert_eq!(run.code, 1);
    let written = std::fs::read_to_string(&file).unwrap();
    assert_eq!(serde_json::from_str::<Value>(&written).unwrap(), doc);
}

/// scenarios/telemetry.toml and its CSV curves, copied into a temporary folder.
fn telemetry_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    std::fs::create_dir(dir.path().join("curves")).unwrap();
    for file in [
        "telemetry.toml",
        "curves/chat-hourly.csv",
        "curves/api-minute.csv",
    ] {
        std::fs::copy(root.join(file), dir.path().join(file)).unwrap();
    }
    let scenario = dir.path().join("telemetry.toml");
    (dir, scenario)
}

#[test]
fn no_input_is_ever_written_over() {
    let (dir, scenario) = telemetry_copy();
    let folder = dir.path();
    let curve = folder.join("curves/chat-hourly.csv");
    let link = folder.join("link.toml");
    std::os::unix::fs::symlink(&scenario, &link).unwrap();
    let snapshot = |p: &Path| std::fs::read(p).unwrap();
    let (scenario_bytes, curve_bytes) = (snapshot(&scenario), snapshot(&curve));
    let s = scenario.to_str().unwrap();
    let spellings = [
        curve.to_str().unwrap().to_string(),
        folder
            .join("curves/../curves/chat-hourly.csv")
            .to_str()
            .unwrap()
            .to_string(),
        folder
            .join("./telemetry.toml")
            .to_str()
            .unwrap()
            .to_string(),
        link.to_str().unwrap().to_string(),
    ];
    for target in &spellings {
        for args in [
            vec!["compare", s, "--output", target.as_str()],
            vec!["compare", s, "--plot", target.as_str()],
        ] {
            let run = capplan(&args);
            assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
            assert!(run.stderr.contains("refusing to write"), "{}", run.stderr);
        }
    }
    // The step summary may not land on an input either.
    let env = [
        ("GITHUB_STEP_SUMMARY", curve.to_str().unwrap()),
        ("LANG", "C.UTF-8"),
    ];
    let run = capplan_with(&["check", s], &env);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(snapshot(&scenario), scenario_bytes);
    assert_eq!(snapshot(&curve), curve_bytes);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    // init refuses --output (it writes to its PATH), so nothing lands on its scenario.
    let new = folder.join("new.toml");
    let n = new.to_str().unwrap();
    let run = capplan(&["init", n, "--output", n]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("-o/--output is not used"),
        "{}",
        run.stderr
    );
    assert!(!new.exists());
}

#[test]
fn outputs_go_through_links_and_into_pipes_with_the_umask_mode() {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    let dir = tempfile::tempdir().unwrap();
    // A symlink to a file that does not exist yet: the file is created, the link stays.
    let target = dir.path().join("real.json");
    let link = dir.path().join("out.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let run = capplan(&[
        "compare",
        TINY,
        "--format",
        "json",
        "-o",
        link.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(std::fs::read_to_string(&target).unwrap().starts_with('{'));
    // A FIFO is written into, not replaced by a file.
    let fifo = dir.path().join("fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let run = capplan(&[
        "compare",
        TINY,
        "--format",
        "csv",
        "-o",
        fifo.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(reader.join().unwrap().starts_with("scenario,policy,phase"));
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    // A new file gets the mode the umask gives.
    let out = dir.path().join("umask.csv");
    let status = Command::new("sh")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("-c")
        .arg(format!(
            "umask 027 && exec \"$0\" compare {TINY} --format csv -o {}",
            out.display()
        ))
        .arg(assert_cmd::cargo::cargo_bin("capplan"))
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
}

#[test]
fn special_files_as_input_end_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("scenario.toml");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    for input in [
        fifo.to_str().unwrap(),
        "/dev/zero",
        dir.path().to_str().unwrap(),
    ] {
        let mut command = command(&["compare", input]);
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        let output = finish(command.spawn().unwrap());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{input}: {stderr}");
        assert!(stderr.contains("not a regular file"), "{input}: {stderr}");
    }
    // A curve file that is a FIFO.
    let (copy, scenario) = telemetry_copy();
    let curve = copy.path().join("curves/chat-hourly.csv");
    std::fs::remove_file(&curve).unwrap();
    assert!(
        Command::new("mkfifo")
            .arg(&curve)
            .status()
            .unwrap()
            .success()
    );
    let mut command = command(&["compare", scenario.to_str().unwrap()]);
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let output = finish(command.spawn().unwrap());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not a regular file"), "{stderr}");
}

/// Runs `solve` under the hang guard; the exit code and the JSON (if any).
fn solve(path: &str, extra: &[&str]) -> (i32, Option<Value>, String) {
    let mut args = vec!["solve", path, "--format", "json"];
    args.extend(extra);
    let mut command = command(&args);
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let output = finish(command.spawn().unwrap());
    let stdout = String::from_utf8_lossy(&output.stdout);
    (
        output.status.code().unwrap_or(-1),
        serde_json::from_str(&stdout).ok(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn solve_answers_zero_when_no_positive_multiplier_fits() {
    // Every site is an addition: before, nothing serves, and only a zero budget fits.
    let all_new = ScenarioFile::new(
        "all-new",
        tiny_text().replace(
            "name = \"home\"\n",
            "name = \"home\"\nonline = \"2026-06-01\"\n",
        ),
    );
    let (code, doc, stderr) = solve(
        all_new.path(),
        &["--policy", "current", "--phase", "before"],
    );
    assert_eq!(code, 0, "{stderr}");
    let doc = doc.unwrap();
    assert_eq!(doc["outcome"], "zero");
    assert_eq!(doc["multiplier"], 0.0);
    // A class only the addition serves.
    let opus_later = ScenarioFile::new(
        "opus-later",
        tiny_text()
            .replace("tokens_per_s = { sonnet = 800 }", "tokens_per_s = { sonnet = 800 }\n\n[gpu.b200]\nwatts = 1000\ntokens_per_s = { opus = 500 }")
            .replace("name = \"new\"\nonline = \"2026-06-06\"\npower_mw = 0.756\npue = 1.2\ngpus = { h100 = 1000 }", "name = \"new\"\nonline = \"2026-06-06\"\npower_mw = 0.756\npue = 1.2\ngpus = { h100 = 1000, b200 = 10 }")
            .replace("mix = { sonnet = 1.0 }", "mix = { opus = 1.0 }"),
    );
    let (code, doc, stderr) = solve(
        opus_later.path(),
        &["--policy", "current", "--phase", "before"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(doc.unwrap()["outcome"], "zero");
}

#[test]
fn solve_scales_a_repeated_tier_once_and_refuses_zero_budgets() {
    let (code, once, _) = solve(TINY, &["--policy", "current", "--tier", "pro"]);
    assert_eq!(code, 0);
    let (code, twice, _) = solve(
        TINY,
        &["--policy", "current", "--tier", "pro", "--tier", "pro"],
    );
    assert_eq!(code, 0);
    assert_eq!(once, twice);
    let zero = ScenarioFile::new(
        "zero-budget",
        tiny_text().replace("window_tokens = 1000000", "window_tokens = 0"),
    );
    let (code, _, stderr) = solve(zero.path(), &["--policy", "current"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(
            "a budget of 0 tokens, or no output budget at all, which no multiplier scales"
        ),
        "{stderr}"
    );
}

#[test]
fn numbers_that_would_overflow_are_refused() {
    for (key, text, message) in [
        (
            "utilization_target = 0.85",
            "utilization_target = 1e-320",
            "scenario.utilization_target: expected a share between 0.01 and 1",
        ),
        (
            "watts = 700",
            "watts = 5e-324",
            "gpu.h100.watts: expected a board power between 1 and 100,000 W",
        ),
        (
            "gpus = { h100 = 1000 }",
            "gpus = { h100 = 1e-300 }",
            "site[0].gpus.h100: expected a GPU count of 0, or between 0.000001",
        ),
        (
            "pue = 1.2\ngpus",
            "pue = 1.2\nserving_share = 5e-324\ngpus",
            "site[0].serving_share: expected a share of 0, or between 0.000001 and 1",
        ),
    ] {
        let file = ScenarioFile::new("tiny-number", tiny_text().replacen(key, text, 1));
        let run = capplan(&["compare", file.path(), "--format", "json"]);
        assert_eq!(run.code, 2, "{text}: {}", run.stderr);
        assert!(run.stderr.contains(message), "{text}: {}", run.stderr);
    }
}

#[test]
fn n_minus_1_is_the_worst_single_site_loss_not_the_largest_site() {
    // `big` holds most of the tokens/s but only sonnet; `small` holds two thirds of opus.
    // Demand: 1,000 users, 10 % active all week, 1,000 tok/s each, half opus, half sonnet:
    // 50,000 tok/s of each. Capacity: sonnet 2,000*800 + 150*800, opus 150*500.
    let week = vec!["0.1"; 24].join(", ");
    let text = format!(
        r#"[scenario]
name = "n-1"
step = "1h"
utilization_target = 0.8

[gpu.h100]
watts = 700
tokens_per_s = {{ sonnet = 800 }}

[gpu.b200]
watts = 1000
tokens_per_s = {{ opus = 500, sonnet = 800 }}

[[site]]
name = "big"
power_mw = 100
pue = 1
gpus = {{ h100 = 2000 }}

[[site]]
name = "small"
power_mw = 100
pue = 1
gpus = {{ b200 = 100 }}

[[site]]
name = "smaller"
power_mw = 100
pue = 1
gpus = {{ b200 = 50 }}

[curve.flat]
weekday = [{week}]
weekend = [{week}]

[[tier]]
name = "api"
users = 1000
curve = "flat"
tokens_per_active_hour = 3600000
mix = {{ opus = 0.5, sonnet = 0.5 }}

[[policy]]
name = "unlimited"
"#
    );
    let file = ScenarioFile::new("n-1", text);
    let doc = json(&capplan(&["compare", file.path(), "--format", "json"]));
    let r = result(&doc, "unlimited", "before");
    assert_relative_eq!(
        r["peak_utilization"].as_f64().unwrap(),
        50_000.0 / 1_720_000.0 + 50_000.0 / 75_000.0,
        max_relative = 1e-12
    );
    let n = &r["n_minus_1"];
    assert_eq!(n["site"], "small");
    assert_relative_eq!(
        n["peak_utilization"].as_f64().unwrap(),
        50_000.0 / 1_640_000.0 + 2.0,
        max_relative = 1e-12
    );
    assert_eq!(n["survives"], false);
    let losses = n["losses"].as_array().unwrap();
    let expected = [
        ("big", 50_000.0 / 120_000.0 + 50_000.0 / 75_000.0),
        ("small", 50_000.0 / 1_640_000.0 + 2.0),
        ("smaller", 50_000.0 / 1_680_000.0 + 1.0),
    ];
    assert_eq!(losses.len(), 3);
    for (loss, (site, peak)) in losses.iter().zip(expected) {
        assert_eq!(loss["site"], site);
        assert_relative_eq!(
            loss["peak_utilization"].as_f64().unwrap(),
            peak,
            max_relative = 1e-12
        );
        assert_eq!(loss["survives"], false);
    }
    // check --n-minus-1 names the worst loss.
    let run = capplan(&["check", file.path(), "--n-minus-1", "--format", "json"]);
    assert_eq!(run.code, 1);
    let reasons = serde_json::from_str::<Value>(&run.stdout).unwrap()["check"]["reasons"][0]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        reasons.contains("fits, but not N-1: losing small utilization reaches 203.0%"),
        "{reasons}"
    );
}

#[test]
fn warnings_are_capped_like_errors() {
    // 30 policies with the same limits: 29 twins, 20 shown (plus the power-bound site).
    let mut text = tiny_text();
    for i in 0..29 {
        text.push_str(&format!(
            "\n[[policy]]\nname = \"twin-{i}\"\n[policy.limits.pro]\nwindow = \"5h\"\nwindow_tokens = 1000000\npeak_factor = 0.5\n"
        ));
    }
    let file = ScenarioFile::new("twins", text);
    let run = capplan(&["validate", file.path()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = capplan(&["compare", file.path(), "--format", "csv"]);
    assert_eq!(
        run.stderr.matches("warning: ").count(),
        20,
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("twins.toml: 10 more warnings not shown"),
        "{}",
        run.stderr
    );
}

#[test]
fn names_cannot_inject_into_terminals_markdown_or_spreadsheets() {
    // A terminal escape in a name is refused, with where it is.
    let escape = ScenarioFile::new(
        "escape",
        tiny_text().replace("name = \"current\"", "name = \"cur\\u001b[2Jrent\""),
    );
    let run = capplan(&["compare", escape.path()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("policy[1].name: expected a policy name of printable characters, found U+001B at character 4"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains('\u{1b}'),
        "the escape itself is never echoed"
    );
    // `|` and a leading `=` are legal in a name, and harmless in the output.
    let odd = ScenarioFile::new(
        "odd",
        tiny_text().replace("name = \"current\"", "name = \"=cmd|' /C calc'!A0\""),
    );
    let run = capplan(&["compare", odd.path(), "--format", "csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("tiny,'=cmd|' /C calc'!A0,before,"),
        "{}",
        run.stdout
    );
    let run = capplan(&["compare", odd.path(), "--format", "markdown"]);
    assert!(
        run.stdout.contains("| =cmd\\|' /C calc'\\!A0 | before |"),
        "{}",
        run.stdout
    );
}
