//! capplan as its users run it: the binary on scenario files, with exit codes, JSON and
//! tables checked against hand-computed values and an independent reference model.

mod reference;

use std::path::{Path, PathBuf};

use approx::assert_relative_eq;
use assert_cmd::Command;
use serde_json::Value;

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

#[test]
fn tiny_table_snapshot() {
    let run = capplan(&["compare", TINY]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The one warning: the new site is power-bound.
    assert!(run.stderr.starts_with("warning: site[1].power_mw: site \"new\" is power-bound: 0.63 MW of IT power (0.756 MW / PUE 1.2) runs 50.0% of its GPUs, which draw 1.26 MW all-in; 500 GPUs cannot be powered"), "{}", run.stderr);
    assert!(run.stderr.contains("tiny.toml:55:12"), "{}", run.stderr);
    insta::assert_snapshot!("tiny_table", run.stdout);
}

#[test]
fn tiny_markdown_snapshot() {
    let run = capplan(&["compare", TINY, "--format", "markdown"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("tiny_markdown", run.stdout);
}

#[test]
fn tiny_json_has_the_contracted_shape_and_hand_computed_values() {
    let doc = json(&capplan(&["compare", TINY, "--format", "json"]));
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["scenario"], "tiny");
    assert_eq!(doc["step_minutes"], 60);
    assert_eq!(doc["utilization_target"], 0.85);
    let phases = doc["phases"].as_array().unwrap();
    assert_eq!(phases.len(), 2);
    assert_eq!(phases[0]["name"], "before");
    assert_eq!(phases[1]["name"], "after");
    let new_site = &phases[1]["sites"][1];
    assert_eq!(new_site["name"], "new");
    assert_eq!(new_site["power_bound"], true);
    assert_relative_eq!(
        new_site["power_factor"].as_f64().unwrap(),
        0.5,
        max_relative = 1e-12
    );
    assert_relative_eq!(
        new_site["serving_gpus"]["h100"].as_f64().unwrap(),
        500.0,
        max_relative = 1e-12
    );
    assert_relative_eq!(
        phases[1]["serving_mw"].as_f64().unwrap(),
        2.268,
        max_relative = 1e-12
    );
    assert_relative_eq!(
        phases[1]["tokens_per_s"]["sonnet"].as_f64().unwrap(),
        1.2e6,
        max_relative = 1e-12
    );

    let results = doc["results"].as_array().unwrap();
    let order: Vec<(String, String)> = results
        .iter()
        .map(|r| {
            (
                r["policy"].as_str().unwrap().into(),
                r["phase"].as_str().unwrap().into(),
            )
        })
        .collect();
    let expected_order = [
        ("unlimited", "before"),
        ("unlimited", "after"),
        ("current", "before"),
        ("current", "after"),
        ("double-5h", "before"),
        ("double-5h", "after"),
    ];
    assert_eq!(
        order,
        expected_order.map(|(p, f)| (p.to_string(), f.to_string()))
    );
    for key in [
        "policy",
        "phase",
        "peak_utilization",
        "peak_step",
        "hours_over_target",
        "served_share",
        "throttled_share_at_peak",
        "shed_share",
        "mw_to_fit",
        "fits",
    ] {
        assert!(
            results.iter().all(|r| r.get(key).is_some()),
            "missing {key}"
        );
    }
    // double-5h before: weekly cap binds, k = 5/6, U = 1e6 * 5/6 / 8e5.
    let r = &results[4];
    assert_relative_eq!(
        r["peak_utilization"].as_f64().unwrap(),
        1.0416666666666667,
        max_relative = 1e-12
    );
    assert_eq!(r["hours_over_target"], 90.0);
    assert_eq!(r["fits"], false);
    assert_relative_eq!(
        r["mw_to_fit"].as_f64().unwrap(),
        (1.0416666666666667 / 0.85 - 1.0) * 1.512,
        max_relative = 1e-12
    );
    assert_eq!(results[5]["fits"], true);
}

#[test]
fn online_may_be_a_toml_date() {
    let file = ScenarioFile::new(
        "toml-date",
        tiny_text().replace("\"2026-06-06\"", "2026-06-06"),
    );
    let doc = json(&capplan(&["compare", file.path(), "--format", "json"]));
    assert_eq!(doc["phases"][1]["sites"][1]["online"], "2026-06-06");
    assert_eq!(doc["phases"][0]["sites"].as_array().unwrap().len(), 1);
}

#[test]
fn policy_flag_selects_policies() {
    let doc = json(&capplan(&[
        "compare", TINY, "--format", "json", "--policy", "current",
    ]));
    let results = doc["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert!(results.iter().all(|r| r["policy"] == "current"));
}

#[test]
fn csv_has_one_row_per_policy_and_phase() {
    let run = capplan(&["compare", TINY, "--format", "csv"]);
    assert_eq!(run.code, 0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 7);
    assert!(lines[0].starts_with("scenario,policy,phase,peak_utilization"));
    assert!(
        lines[1].starts_with("tiny,unlimited,before,1.25,0,Mon 00:00,120,"),
        "{}",
        lines[1]
    );
}

#[test]
fn output_is_byte_identical_across_runs() {
    for format in ["table", "json", "csv", "markdown"] {
        let first = capplan(&["compare", COLOSSUS, "--format", format]);
        let second = capplan(&["compare", COLOSSUS, "--format", format]);
        assert_eq!(first.code, 0, "{}", first.stderr);
        assert_eq!(first.stdout, second.stdout, "{format}");
        assert!(!first.stdout.contains("NaN") && !first.stdout.contains("inf"));
    }
}

#[test]
fn colossus_tells_the_story() {
    let doc = json(&capplan(&["compare", COLOSSUS, "--format", "json"]));
    let fits = |policy: &str, phase: &str| {
        doc["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["policy"] == policy && r["phase"] == phase)
            .unwrap()["fits"]
            .as_bool()
            .unwrap()
    };
    assert!(
        fits("current", "before"),
        "today's limits fit today's fleet"
    );
    assert!(
        !fits("double-5h-no-peak-cut", "before"),
        "the promise needs the new site"
    );
    assert!(fits("double-5h-no-peak-cut", "after"));
    assert!(fits("may-2026", "after"));
    let colossus = &doc["phases"][1]["sites"][2];
    assert_eq!(colossus["name"], "colossus-1");
    assert_eq!(
        colossus["power_bound"], true,
        "300 MW at PUE 1.2 cannot run 220k GPUs"
    );
}

#[test]
fn check_exit_codes() {
    // After: every tiny policy fits.
    let run = capplan(&["check", TINY]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("check passed: all 3 policies fit (after)"),
        "{}",
        run.stdout
    );
    // Before: unlimited and double-5h do not.
    let run = capplan(&["check", TINY, "--phase", "before"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("FAIL  double-5h (before): peak utilization 104.2% at Mon 00:00 exceeds the target 85.0% by 19.2 points; it needs 0.34 MW more"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("check failed: 2 of 3 policies do not fit (before): unlimited, double-5h")
    );
    let run = capplan(&["check", TINY, "--phase", "before", "--policy", "current"]);
    assert_eq!(run.code, 0);
    // Bad input and bad usage.
    assert_eq!(capplan(&["check", "no/such/file.toml"]).code, 2);
    assert_eq!(capplan(&["check", TINY, "--policy", "nope"]).code, 2);
    assert_eq!(capplan(&["check", TINY, "--phase", "during"]).code, 2);
    assert_eq!(capplan(&["frobnicate"]).code, 2);
}

#[test]
fn check_json_carries_the_verdict() {
    let run = capplan(&["check", TINY, "--phase", "before", "--format", "json"]);
    assert_eq!(run.code, 1);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["check"]["phase"], "before");
    assert_eq!(doc["check"]["passed"], false);
    assert_eq!(
        doc["check"]["failing"],
        serde_json::json!(["unlimited", "double-5h"])
    );
    assert_eq!(doc["phases"].as_array().unwrap().len(), 1);
    assert_eq!(doc["results"].as_array().unwrap().len(), 3);
}

/// A broken scenario: exit 2, no panic, and a message naming the file, line, column and key.
fn assert_rejected(name: &str, text: &str, expected: &[&str]) {
    let file = ScenarioFile::new(name, text);
    let run = capplan(&["compare", file.path()]);
    assert_eq!(run.code, 2, "{name}: {}", run.stderr);
    assert_eq!(run.stdout, "", "{name}");
    assert!(!run.stderr.contains("panicked"), "{name}: {}", run.stderr);
    for needle in expected {
        assert!(
            run.stderr.contains(needle),
            "{name}: expected {needle:?} in\n{}",
            run.stderr
        );
    }
}

fn tiny_text() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(TINY)).unwrap()
}

#[test]
fn bad_input_is_named_and_exits_2() {
    let tiny = tiny_text();
    assert_rejected(
        "wrong-type",
        &tiny.replace("users = 100000", "users = \"many\""),
        &[
            "tier[0].users: invalid type: string \"many\", expected a number",
            "wrong-type.toml:67:9",
        ],
    );
    assert_rejected(
        "unknown-key",
        &tiny.replace("users = 100000", "uesrs = 100000"),
        &[
            "unknown field `uesrs`",
            "did you mean `users`?",
            "unknown-key.toml:67:1",
        ],
    );
    assert_rejected(
        "missing-key",
        &tiny.replace("users = 100000\n", ""),
        &["tier[0]: missing field `users`", "missing-key.toml:65:1"],
    );
    assert_rejected(
        "syntax",
        &tiny.replace("[scenario]", "[scenario"),
        &["invalid TOML", "syntax.toml:26:10"],
    );
    assert_rejected(
        "several",
        &tiny
            .replace("mix = { sonnet = 1.0 }", "mix = { sonnet = 0.9 }")
            .replace("curve = \"flat\"", "curve = \"flta\"")
            .replace("pue = 1.2\ngpus", "pue = nan\ngpus"),
        &[
            "site[0].pue: expected a PUE between 1 and 10, found NaN",
            "tier[0].curve: unknown curve \"flta\"; did you mean \"flat\"?",
            "tier[0].mix: expected class shares that sum to 1",
            "several.toml:71:7",
        ],
    );
    assert_rejected(
        "bad-window",
        &tiny.replace(
            "window = \"5h\"\nwindow_tokens = 1000000",
            "window = \"five hours\"\nwindow_tokens = 1000000",
        ),
        &["policy[1].limits.pro.window: expected a duration such as \"5h\""],
    );
    assert_rejected(
        "bad-date",
        &tiny.replace("2026-06-06", "2026-02-30"),
        &["site[1].online: day 30 does not exist"],
    );
    assert_rejected(
        "date-time",
        &tiny.replace("\"2026-06-06\"", "2026-06-06T10:00:00"),
        &[
            "site[1].online: expected a date without a time",
            "date-time.toml:54:10",
        ],
    );
    assert_rejected(
        "date-number",
        &tiny.replace("\"2026-06-06\"", "5"),
        &["site[1].online: expected a date as \"YYYY-MM-DD\", found 5"],
    );
    assert_rejected(
        "bad-peak",
        &tiny.replace("mon-fri 13:00-19:00", "weekdays 1pm"),
        &["scenario.peak_hours[0]: expected a peak-hours spec"],
    );
    assert_rejected(
        "unknown-sku",
        &tiny.replace("gpus = { h100 = 1000 }", "gpus = { h10 = 1000 }"),
        &["site[0].gpus.h10: unknown GPU SKU \"h10\"; did you mean \"h100\"?"],
    );
    assert_rejected(
        "unknown-class",
        &tiny.replace("mix = { sonnet = 1.0 }", "mix = { opus = 1.0 }"),
        &["tier[0].mix.opus: no GPU SKU lists model class \"opus\""],
    );
    assert_rejected(
        "unknown-tier",
        &tiny.replace(
            "[policy.limits.pro]\nwindow = \"5h\"\nwindow_tokens = 1000000",
            "[policy.limits.prp]\nwindow = \"5h\"\nwindow_tokens = 1000000",
        ),
        &["policy[1].limits.prp: unknown tier \"prp\"; did you mean \"pro\"?"],
    );
    assert_rejected(
        "duplicate",
        &tiny.replace("name = \"new\"", "name = \"home\""),
        &["site[1].name: duplicate site name \"home\""],
    );
    assert_rejected(
        "curve-length",
        &tiny.replace("weekend = [0.05, 0.05,", "weekend = [0.05,"),
        &["curve.flat.weekend: expected 24 hourly values, found 23"],
    );
    assert_rejected(
        "curve-range",
        &tiny.replace("weekday = [0.1, 0.1,", "weekday = [1.5, 0.1,"),
        &["curve.flat.weekday[0]: expected a share between 0 and 1"],
    );
    assert_rejected(
        "no-policies",
        &tiny[..tiny.find("[[policy]]").unwrap()],
        &["policy: expected at least one [[policy]]"],
    );
    assert_rejected("empty", "", &["empty.toml: the file is empty"]);
    assert_rejected(
        "binary",
        "\0\u{1}\u{2}",
        &["binary.toml: the file holds binary data"],
    );
}

#[test]
fn an_unreadable_file_exits_2() {
    let run = capplan(&["compare", "no/such/scenario.toml"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("error: cannot read scenario no/such/scenario.toml")
    );
    let file = ScenarioFile::new("latin1", b"[scenario]\nname = \"caf\xe9\"\n");
    let run = capplan(&["compare", file.path()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("not UTF-8"), "{}", run.stderr);
}

/// Hourly shares for a tier: a smooth day with its own peak hour, weekends scaled.
fn curve(peak_hour: usize, level: f64, weekend: f64) -> Vec<f64> {
    (0..168)
        .map(|h| {
            let (day, hour) = (h / 24, h % 24);
            let distance = (hour as f64 - peak_hour as f64)
                .abs()
                .min(24.0 - (hour as f64 - peak_hour as f64).abs());
            let value = level * (0.35 + 0.65 * (1.0 - distance / 12.0));
            if day >= 5 { value * weekend } else { value }
        })
        .collect()
}

fn unseen_scenario() -> reference::Scenario {
    use reference::*;
    Scenario {
        step_minutes: 15,
        step: "15m",
        target: 0.75,
        peak_hours: vec!["mon-fri 13:00-19:00", "sat 10:30-12:15"],
        peak: |minute| {
            let (day, m) = (minute / 1440, minute % 1440);
            (day < 5 && (780..1140).contains(&m)) || (day == 5 && (630..735).contains(&m))
        },
        skus: vec![
            Sku {
                name: "h100",
                watts: 700.0,
                overhead: 0.82,
                tokens_per_s: vec![("opus", 310.0), ("sonnet", 1150.0)],
            },
            Sku {
                name: "h200",
                watts: 700.0,
                overhead: 0.8,
                tokens_per_s: vec![("opus", 455.0), ("sonnet", 1790.0), ("haiku", 7000.0)],
            },
            Sku {
                name: "gb200",
                watts: 1200.0,
                overhead: 0.52,
                tokens_per_s: vec![("opus", 1490.0), ("sonnet", 6100.0), ("haiku", 23000.0)],
            },
        ],
        sites: vec![
            Site {
                name: "a",
                power_mw: 30.0,
                pue: 1.25,
                availability: 0.97,
                serving_share: 0.7,
                online: None,
                gpus: vec![("h100", 9000.0), ("h200", 4000.0)],
            },
            // Power-bound: draws ~23.5 MW of IT against 20 / 1.15.
            Site {
                name: "b",
                power_mw: 20.0,
                pue: 1.15,
                availability: 0.93,
                serving_share: 0.85,
                online: None,
                gpus: vec![("gb200", 9000.0), ("h200", 3000.0)],
            },
            Site {
                name: "c",
                power_mw: 45.0,
                pue: 1.3,
                availability: 0.95,
                serving_share: 1.0,
                online: Some("2026-07-01"),
                gpus: vec![("h100", 20000.0), ("gb200", 6000.0)],
            },
        ],
        tiers: vec![
            Tier {
                name: "free",
                users: 3.0e7,
                hourly: curve(15, 0.03, 0.7),
                tokens_per_active_hour: 9000.0,
                spread: 1.3,
                mix: vec![("sonnet", 0.75), ("haiku", 0.25)],
            },
            Tier {
                name: "pro",
                users: 7.0e6,
                hourly: curve(14, 0.11, 0.8),
                tokens_per_active_hour: 60000.0,
                spread: 0.9,
                mix: vec![("sonnet", 0.8), ("opus", 0.2)],
            },
            Tier {
                name: "max",
                users: 1.2e6,
                hourly: curve(16, 0.13, 0.85),
                tokens_per_active_hour: 250000.0,
                spread: 1.1,
                mix: vec![("opus", 0.55), ("sonnet", 0.45)],
            },
            Tier {
                name: "api",
                users: 40000.0,
                hourly: curve(17, 0.55, 0.9),
                tokens_per_active_hour: 1.5e6,
                spread: 2.1,
                mix: vec![("opus", 0.4), ("sonnet", 0.4), ("haiku", 0.2)],
            },
        ],
        policies: vec![
            Policy {
                name: "open",
                limits: vec![],
            },
            Policy {
                name: "tight",
                limits: vec![
                    (
                        "free",
                        Limit {
                            window: "5h",
                            window_hours: 5.0,
                            window_tokens: 90000.0,
                            weekly_tokens: None,
                            peak_factor: 0.6,
                        },
                    ),
                    (
                        "pro",
                        Limit {
                            window: "5h",
                            window_hours: 5.0,
                            window_tokens: 700000.0,
                            weekly_tokens: Some(1.5e6),
                            peak_factor: 0.5,
                        },
                    ),
                    (
                        "max",
                        Limit {
                            window: "5h",
                            window_hours: 5.0,
                            window_tokens: 4.0e6,
                            weekly_tokens: Some(9.0e6),
                            peak_factor: 0.75,
                        },
                    ),
                    (
                        "api",
                        Limit {
                            window: "1m",
                            window_hours: 1.0 / 60.0,
                            window_tokens: 80000.0,
                            weekly_tokens: None,
                            peak_factor: 1.0,
                        },
                    ),
                ],
            },
            Policy {
                name: "generous",
                limits: vec![
                    (
                        "pro",
                        Limit {
                            window: "5h",
                            window_hours: 5.0,
                            window_tokens: 1.4e6,
                            weekly_tokens: Some(4.0e6),
                            peak_factor: 1.0,
                        },
                    ),
                    (
                        "max",
                        Limit {
                            window: "1h 30m",
                            window_hours: 1.5,
                            window_tokens: 2.4e6,
                            weekly_tokens: None,
                            peak_factor: 1.2,
                        },
                    ),
                    (
                        "api",
                        Limit {
                            window: "1m",
                            window_hours: 1.0 / 60.0,
                            window_tokens: 400000.0,
                            weekly_tokens: None,
                            peak_factor: 1.0,
                        },
                    ),
                ],
            },
        ],
    }
}

fn close(actual: &Value, expected: f64, what: &str) {
    let actual = actual
        .as_f64()
        .unwrap_or_else(|| panic!("{what} is not a number"));
    let scale = expected.abs().max(1e-300);
    assert!(
        (actual - expected).abs() <= 1e-9 * scale || (expected == 0.0 && actual.abs() < 1e-12),
        "{what}: capplan {actual}, reference {expected}"
    );
}

#[test]
fn json_agrees_with_the_reference_model_to_1e9() {
    let scenario = unseen_scenario();
    let file = ScenarioFile::new("reference", scenario.to_toml());
    let doc = json(&capplan(&["compare", file.path(), "--format", "json"]));
    assert_eq!(doc["step_minutes"], 15);
    for (index, after) in [false, true].into_iter().enumerate() {
        let expect = scenario.phase(after);
        let phase = &doc["phases"][index];
        close(&phase["serving_mw"], expect.serving_mw, "serving_mw");
        for (class, rate) in &expect.tokens_per_s {
            close(&phase["tokens_per_s"][class], *rate, class);
        }
        for (s, site) in phase["sites"].as_array().unwrap().iter().enumerate() {
            close(
                &site["power_factor"],
                expect.power_factor[s],
                "power_factor",
            );
            assert_eq!(site["power_bound"], expect.power_factor[s] < 1.0);
            assert_eq!(
                site["serving_gpus"].as_object().unwrap().len(),
                expect.serving_gpus[s].len()
            );
            for (sku, n) in &expect.serving_gpus[s] {
                close(&site["serving_gpus"][sku], *n, "serving_gpus");
            }
        }
    }
    assert_eq!(doc["phases"][0]["sites"][1]["power_bound"], true);
    let results = doc["results"].as_array().unwrap();
    let mut fits = 0;
    let mut over = 0;
    for (i, policy) in scenario.policies.iter().enumerate() {
        for (j, after) in [false, true].into_iter().enumerate() {
            let expect = scenario.result(policy, after);
            let actual = &results[2 * i + j];
            assert_eq!(actual["policy"], expect.policy);
            assert_eq!(actual["phase"], expect.phase);
            let what = format!("{} {}", expect.policy, expect.phase);
            close(
                &actual["peak_utilization"],
                expect.peak_utilization,
                &format!("{what} peak_utilization"),
            );
            assert_eq!(actual["peak_step"], expect.peak_step, "{what}");
            close(
                &actual["hours_over_target"],
                expect.hours_over_target,
                &format!("{what} hours"),
            );
            close(
                &actual["served_share"],
                expect.served_share,
                &format!("{what} served"),
            );
            close(
                &actual["throttled_share_at_peak"],
                expect.throttled_share_at_peak,
                &format!("{what} throttled"),
            );
            close(
                &actual["shed_share"],
                expect.shed_share,
                &format!("{what} shed"),
            );
            close(
                &actual["mw_to_fit"],
                expect.mw_to_fit,
                &format!("{what} mw_to_fit"),
            );
            assert_eq!(actual["fits"], expect.fits, "{what}");
            fits += usize::from(expect.fits);
            over += usize::from(expect.shed_share > 0.0);
        }
    }
    // The case exercises both outcomes, and demand past 100 %.
    assert!(fits > 0 && fits < 6, "fits {fits}");
    assert!(over > 0, "no result sheds");
}

mod invariants {
    //! Properties that must hold for any valid scenario, checked on generated variants of
    //! tiny.toml with several tiers, spreads and limits.
    use capplan::model::{Comparison, Phase};
    use capplan::scenario::Scenario;
    use proptest::prelude::*;

    /// A scenario with two SKUs, two sites, two tiers, one limited policy.
    fn scenario(
        gpus: f64,
        power_mw: f64,
        budget: f64,
        weekly: f64,
        spread: f64,
        peak: f64,
        users: f64,
    ) -> Scenario {
        let text = format!(
            r#"
[scenario]
name = "prop"
step = "30m"
utilization_target = 0.8
peak_hours = ["mon-fri 13:00-19:00"]

[gpu.a]
watts = 700
overhead = 0.8
tokens_per_s = {{ big = 300, small = 1200 }}

[gpu.b]
watts = 1200
overhead = 0.5
tokens_per_s = {{ big = 1500, small = 6000 }}

[[site]]
name = "one"
power_mw = {power_mw:?}
pue = 1.2
availability = 0.95
gpus = {{ a = {gpus:?}, b = 100 }}

[[site]]
name = "two"
online = "2026-06-01"
power_mw = 5
pue = 1.3
gpus = {{ b = 1000 }}

[curve.c]
weekday = [0.02, 0.02, 0.02, 0.02, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09,
           0.1, 0.1, 0.1, 0.1, 0.09, 0.08, 0.07, 0.06, 0.05, 0.04, 0.03, 0.02]
weekend = [0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.02, 0.02, 0.03, 0.03, 0.04, 0.04,
           0.05, 0.05, 0.05, 0.05, 0.04, 0.04, 0.03, 0.03, 0.02, 0.02, 0.01, 0.01]

[[tier]]
name = "sub"
users = {users:?}
curve = "c"
tokens_per_active_hour = 50000
spread = {spread:?}
mix = {{ big = 0.3, small = 0.7 }}

[[tier]]
name = "api"
users = 500
curve = "c"
tokens_per_active_hour = 2000000
spread = 2
mix = {{ big = 1.0 }}

[[policy]]
name = "p"
[policy.limits.sub]
window = "5h"
window_tokens = {budget:?}
weekly_tokens = {weekly:?}
peak_factor = {peak:?}
[policy.limits.api]
window = "1m"
window_tokens = {budget:?}
"#
        );
        Scenario::parse(&text, "prop.toml").unwrap()
    }

    fn run(s: &Scenario) -> Comparison {
        Comparison::run(s, &[0], &Phase::ALL)
    }

    /// Utilization of `big` is nowhere above that of `small`, step by step.
    fn assert_not_higher(small: &Comparison, big: &Comparison) -> Result<(), TestCaseError> {
        for (a, b) in small.results.iter().zip(&big.results) {
            prop_assert!(
                b.headroom.peak_utilization <= a.headroom.peak_utilization * (1.0 + 1e-12)
            );
            for (ua, ub) in a.headroom.utilization.iter().zip(&b.headroom.utilization) {
                prop_assert!(*ub <= ua * (1.0 + 1e-12));
            }
        }
        Ok(())
    }

    #[test]
    fn more_gpus_on_a_power_bound_site_can_lower_capacity() {
        // The power is shared pro rata over every GPU, so adding H100-class GPUs (fewer
        // tokens per watt) to a power-bound site takes power from its GB200-class GPUs.
        // This is the formula's behaviour, documented in docs/model.md.
        let few = run(&scenario(1000.0, 0.5, 1e6, 1e8, 1.0, 1.0, 2e6));
        let many = run(&scenario(5000.0, 0.5, 1e6, 1e8, 1.0, 1.0, 2e6));
        assert!(many.phases[0].1.tokens_per_s[0] < few.phases[0].1.tokens_per_s[0]);
        assert!(
            many.results[0].headroom.peak_utilization > few.results[0].headroom.peak_utilization
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn outputs_are_finite_and_in_range(
            gpus in 0.0f64..50_000.0, power in 0.1f64..100.0, budget in 0.0f64..1e7,
            weekly in 0.0f64..1e8, spread in 0.0f64..3.0, peak in 0.0f64..2.0, users in 0.0f64..1e7,
        ) {
            let s = scenario(gpus, power, budget, weekly, spread, peak, users);
            for result in run(&s).results {
                let h = result.headroom;
                for value in [h.peak_utilization, h.hours_over_target, h.served_share,
                              h.throttled_share_at_peak, h.shed_share, h.mw_to_fit] {
                    prop_assert!(value.is_finite() && value >= 0.0, "{value}");
                }
                prop_assert!(h.served_share <= 1.0 + 1e-12);
                prop_assert!(h.throttled_share_at_peak <= 1.0 + 1e-12);
                prop_assert!(h.shed_share < 1.0);
                prop_assert!(h.hours_over_target <= 168.0);
                prop_assert!(h.utilization.iter().all(|u| u.is_finite() && *u >= 0.0));
            }
        }

        #[test]
        fn more_power_never_raises_utilization(
            gpus in 1.0f64..20_000.0, power in 0.5f64..50.0, extra_power in 1.0f64..3.0,
            budget in 1e4f64..1e7, spread in 0.1f64..2.5,
        ) {
            let small = run(&scenario(gpus, power, budget, 1e8, spread, 0.5, 2e6));
            let big = run(&scenario(gpus, power * extra_power, budget, 1e8, spread, 0.5, 2e6));
            assert_not_higher(&small, &big)?;
        }

        #[test]
        fn more_gpus_on_ample_power_never_raise_utilization(
            gpus in 1.0f64..20_000.0, more in 1.0f64..3.0, budget in 1e4f64..1e7, spread in 0.1f64..2.5,
        ) {
            // 1,000 MW runs every GPU: the site is never power-bound here.
            let small = run(&scenario(gpus, 1000.0, budget, 1e8, spread, 0.5, 2e6));
            let big = run(&scenario(gpus * more, 1000.0, budget, 1e8, spread, 0.5, 2e6));
            assert_not_higher(&small, &big)?;
        }

        #[test]
        fn larger_limits_never_lower_served_demand(
            budget in 0.0f64..1e7, raise in 1.0f64..4.0, weekly in 1e5f64..1e8, spread in 0.0f64..2.5,
            peak in 0.1f64..1.5,
        ) {
            let tight = run(&scenario(5000.0, 20.0, budget, weekly, spread, peak, 2e6));
            let loose = run(&scenario(5000.0, 20.0, budget * raise, weekly * raise, spread, peak, 2e6));
            for (a, b) in tight.results.iter().zip(&loose.results) {
                prop_assert!(b.headroom.served_share >= a.headroom.served_share * (1.0 - 1e-12));
                prop_assert!(b.headroom.peak_utilization >= a.headroom.peak_utilization * (1.0 - 1e-12));
            }
        }
    }
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

#[test]
fn compare_shows_n_minus_1_and_uncertainty() {
    let doc = json(&capplan(&["compare", TINY, "--format", "json"]));
    // After: losing "home" (800,000 of 1,200,000 tok/s) leaves 400,000 tok/s.
    let current = result(&doc, "current", "after");
    let n1 = &current["n_minus_1"];
    assert_eq!(n1["site"], "home");
    assert_relative_eq!(
        n1["peak_utilization"].as_f64().unwrap(),
        1e6 * (5.0 / 9.0) / 4e5,
        max_relative = 1e-12
    );
    assert_eq!(n1["survives"], false);
    // Before: the only site is lost, nothing can serve sonnet.
    let before = &result(&doc, "current", "before")["n_minus_1"];
    assert_eq!(before["unservable_classes"], serde_json::json!(["sonnet"]));
    assert_eq!(before["survives"], false);
    // Uncertainty: users x0.8 and x1.2 scale utilization linearly.
    let u = &result(&doc, "unlimited", "after")["uncertainty"];
    assert_relative_eq!(
        u["low"]["peak_utilization"].as_f64().unwrap(),
        0.8 / 1.2,
        max_relative = 1e-12
    );
    assert_relative_eq!(
        u["high"]["peak_utilization"].as_f64().unwrap(),
        1.0,
        max_relative = 1e-12
    );
    assert_eq!(u["high"]["fits"], false);
    assert_eq!(u["low"]["multiplier"], 0.8);
}

#[test]
fn colossus_n_minus_1_names_the_new_site() {
    let doc = json(&capplan(&[
        "compare", COLOSSUS, "--format", "json", "--policy", "current",
    ]));
    let after = result(&doc, "current", "after");
    assert_eq!(after["n_minus_1"]["site"], "colossus-1");
    let before = result(&doc, "current", "before");
    // cloud-west's GB200s give it the larger share of every class.
    assert_eq!(before["n_minus_1"]["site"], "cloud-west");
}

#[test]
fn check_n_minus_1_and_demand_cases() {
    let run = capplan(&["check", TINY, "--n-minus-1", "--policy", "current"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "FAIL  current (after): fits, but not N-1: losing home utilization reaches 138.9%"
        ),
        "{}",
        run.stdout
    );
    let run = capplan(&["check", TINY, "--at", "high", "--format", "json"]);
    assert_eq!(run.code, 1);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["check"]["at"], "high");
    assert_eq!(doc["check"]["failing"], serde_json::json!(["unlimited"]));
    let run = capplan(&["check", TINY, "--at", "low"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    // N-1 at high demand: 1.2e6 * 5/9 tok/s on the 4e5 left is U = 5/3; weekday off-peak
    // steps shed 2/5 of 666,667 tok/s: 24e6 of 86e6 served tokens.
    let run = capplan(&[
        "check",
        TINY,
        "--n-minus-1",
        "--at",
        "high",
        "--policy",
        "current",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    let n1 = &doc["results"][0]["n_minus_1"];
    assert_eq!(n1["demand"], "high");
    assert_relative_eq!(
        n1["peak_utilization"].as_f64().unwrap(),
        5.0 / 3.0,
        max_relative = 1e-12
    );
    assert_relative_eq!(
        n1["shed_share"].as_f64().unwrap(),
        24.0 / 86.0,
        max_relative = 1e-9
    );
    assert_eq!(n1["survives"], false);
    // Without [uncertainty], --at high is a usage error.
    let file = ScenarioFile::new(
        "no-uncertainty",
        tiny_text().replace("[uncertainty]\nlow = 0.8\nhigh = 1.2\n", ""),
    );
    let run = capplan(&["check", file.path(), "--at", "high"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("needs an [uncertainty] table"),
        "{}",
        run.stderr
    );
}

#[test]
fn timeline_hand_computed() {
    let doc = json(&capplan(&["timeline", TINY, "--format", "json"]));
    let months = doc["months"].as_array().unwrap();
    let dates: Vec<&str> = months.iter().map(|m| m["date"].as_str().unwrap()).collect();
    assert_eq!(
        dates,
        ["2026-05-01", "2026-06-01", "2026-07-01", "2026-08-01"]
    );
    assert_eq!(months[2]["additions"], serde_json::json!(["new"]));
    assert_eq!(months[1]["additions"], serde_json::json!([]));
    let peaks = |policy: usize| -> Vec<f64> {
        months
            .iter()
            .map(|m| m["results"][policy]["peak_utilization"].as_f64().unwrap())
            .collect()
    };
    let growth = [1.0, 1.1, 1.21, 1.331];
    let capacity = [8e5, 8e5, 1.2e6, 1.2e6];
    for (policy, per_user) in [(0, 1.0), (1, 5.0 / 9.0), (2, 5.0 / 6.0)] {
        for (m, peak) in peaks(policy).iter().enumerate() {
            assert_relative_eq!(
                *peak,
                1e6 * per_user * growth[m] / capacity[m],
                max_relative = 1e-12
            );
        }
    }
    let runway = doc["runway"].as_array().unwrap();
    assert_eq!(runway[0]["last_fit"], Value::Null);
    assert_eq!(runway[1]["fits_throughout"], true);
    assert_eq!(runway[2]["first_fit"], "2026-07-01");
    assert_eq!(runway[2]["last_fit"], "2026-07-01");
    assert_eq!(runway[2]["first_miss"], "2026-05-01");
    let table = capplan(&["timeline", TINY]);
    assert!(
        table
            .stdout
            .contains("│ double-5h ┆ fits through 2026-07 ┆ 2026-05 to 2026-06; 2026-08 │"),
        "{}",
        table.stdout
    );
}

#[test]
fn timeline_runway_matches_month_by_month_compare() {
    let doc = json(&capplan(&[
        "timeline", COLOSSUS, "--format", "json", "--policy", "may-2026",
    ]));
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(COLOSSUS)).unwrap();
    for month in doc["months"].as_array().unwrap().iter().step_by(5) {
        let m = month["month"].as_i64().unwrap() as i32;
        // The same month as a plain scenario: users grown, sites online by then.
        let mut grown = String::new();
        let mut tier = "";
        for line in text.lines() {
            if let Some(name) = line.strip_prefix("name = ") {
                tier = name;
            }
            match line.strip_prefix("users = ") {
                Some(rest) => {
                    let users: f64 = rest.split_whitespace().next().unwrap().parse().unwrap();
                    let growth = if tier.starts_with("\"api-") {
                        1.08f64
                    } else {
                        1.06
                    };
                    grown.push_str(&format!("users = {:?}\n", users * growth.powi(m)));
                }
                None => grown.push_str(&format!("{line}\n")),
            }
        }
        let file = ScenarioFile::new("month", grown);
        let compare = json(&capplan(&[
            "compare",
            file.path(),
            "--format",
            "json",
            "--policy",
            "may-2026",
        ]));
        // Before Colossus 1 is online, the month's fleet is the `before` phase.
        let phase = if month["sites_online"] == 2 {
            "before"
        } else {
            "after"
        };
        let after = result(&compare, "may-2026", phase);
        assert_relative_eq!(
            after["peak_utilization"].as_f64().unwrap(),
            month["results"][0]["peak_utilization"].as_f64().unwrap(),
            max_relative = 1e-12
        );
        assert_eq!(after["fits"], month["results"][0]["fits"]);
    }
}

#[test]
fn timeline_needs_a_timeline_table() {
    let file = ScenarioFile::new(
        "no-timeline",
        tiny_text().replace(
            "[timeline]\nstart = \"2026-05-01\"\nmonths = 4\ngrowth = 0.1\n",
            "",
        ),
    );
    let run = capplan(&["timeline", file.path()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("the scenario has no [timeline]"),
        "{}",
        run.stderr
    );
}

#[test]
fn solve_hand_computed() {
    // current, before: weekday off peak U = 1.25 * (5/9) m <= 0.85 gives m* = 1.224.
    let doc = json(&capplan(&[
        "solve", TINY, "--policy", "current", "--phase", "before", "--format", "json",
    ]));
    assert_eq!(doc["outcome"], "bounded");
    assert_eq!(doc["multiplier"], 1.22);
    assert_eq!(doc["binding_time"], "Mon 00:00");
    assert_eq!(doc["budgets"][0]["tier"], "pro");
    assert_eq!(doc["budgets"][0]["solved_window_tokens"], 1_220_000.0);
    let run = capplan(&["solve", TINY, "--policy", "current", "--phase", "before"]);
    assert!(
        run.stdout
            .contains("pro: 5h window 1,000,000 → 1,220,000 tokens"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("x1.22"), "{}", run.stdout);
    // After, unlimited demand fits (83.3% <= 85%): no budget binds.
    let doc = json(&capplan(&[
        "solve", TINY, "--policy", "current", "--format", "json",
    ]));
    assert_eq!(doc["outcome"], "unbounded");
    assert_eq!(doc["multiplier"], Value::Null);
}

#[test]
fn solved_budgets_fit_and_one_percent_more_does_not() {
    let doc = json(&capplan(&[
        "solve", COLOSSUS, "--policy", "may-2026", "--phase", "before", "--tier", "pro", "--tier",
        "max", "--format", "json",
    ]));
    let m = doc["multiplier"].as_f64().unwrap();
    assert!(m > 0.0 && m < 1.0, "{m}");
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(COLOSSUS)).unwrap();
    // Put the budgets back into the scenario as a new policy, scaled by m and by 1.01 m.
    let section = |scale: f64, name: &str| {
        let start = text.find("name = \"may-2026\"").unwrap();
        let body = &text[start..];
        let mut out = format!("\n[[policy]]\nname = \"{name}\"\n");
        let mut tier = "";
        for line in body.lines().skip(2) {
            if let Some(t) = line.strip_prefix("[policy.limits.") {
                tier = t.trim_end_matches(']');
            }
            let scaled_tier = tier == "pro" || tier == "max";
            match line.split_once(" = ") {
                Some((key @ ("window_tokens" | "weekly_tokens"), value)) if scaled_tier => {
                    let v: f64 = value.split_whitespace().next().unwrap().parse().unwrap();
                    out.push_str(&format!("{key} = {:?}\n", (v * scale).floor()));
                }
                _ => out.push_str(&format!("{line}\n")),
            }
        }
        out
    };
    let scenario = format!(
        "{text}{}{}",
        section(m, "solved"),
        section(m * 1.01, "solved-plus-1pc")
    );
    let file = ScenarioFile::new("solved", scenario);
    let run = capplan(&[
        "check",
        file.path(),
        "--phase",
        "before",
        "--policy",
        "solved",
    ]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let run = capplan(&[
        "check",
        file.path(),
        "--phase",
        "before",
        "--policy",
        "solved-plus-1pc",
    ]);
    assert_eq!(run.code, 1, "{}", run.stdout);
}

#[test]
fn solve_zero_and_bad_tiers() {
    // A second, unlimited tier that alone exceeds the target: no budget for pro helps.
    let text = tiny_text().replace(
        "[[policy]]\nname = \"unlimited\"",
        "[[tier]]\nname = \"api\"\nusers = 100\ncurve = \"flat\"\ntokens_per_active_hour = 1e9\nmix = { sonnet = 1.0 }\n\n[[policy]]\nname = \"unlimited\"",
    );
    let file = ScenarioFile::new("zero", text);
    let doc = json(&capplan(&[
        "solve",
        file.path(),
        "--policy",
        "current",
        "--format",
        "json",
    ]));
    assert_eq!(doc["outcome"], "zero");
    assert_eq!(doc["multiplier"], 0.0);
    let run = capplan(&["solve", file.path(), "--policy", "current", "--tier", "api"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("sets no limit for it"),
        "{}",
        run.stderr
    );
    let run = capplan(&["solve", TINY, "--policy", "current", "--tier", "nope"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("--tier \"nope\": no such tier"),
        "{}",
        run.stderr
    );
    let run = capplan(&["solve", TINY, "--policy", "unlimited"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("limits no tier"), "{}", run.stderr);
}

#[test]
fn explain_hand_computed() {
    let doc = json(&capplan(&[
        "explain", TINY, "--policy", "current", "--format", "json",
    ]));
    let base = 1e6 * (5.0 / 9.0) / 1.2e6;
    assert_relative_eq!(
        doc["peak_utilization"].as_f64().unwrap(),
        base,
        max_relative = 1e-12
    );
    assert_eq!(doc["peak_hour"], false);
    assert_eq!(doc["tiers"][0]["load_share"], 1.0);
    assert_eq!(doc["classes"][0]["name"], "sonnet");
    assert_relative_eq!(
        doc["classes"][0]["utilization"].as_f64().unwrap(),
        base,
        max_relative = 1e-12
    );
    let site = &doc["power_bound_sites"][0];
    assert_eq!(site["name"], "new");
    assert_relative_eq!(
        site["unpowered_gpus"].as_f64().unwrap(),
        500.0,
        max_relative = 1e-12
    );
    assert_relative_eq!(
        site["mw_to_power_all"].as_f64().unwrap(),
        0.756,
        max_relative = 1e-12
    );
    let what_if = doc["what_if"].as_array().unwrap();
    let row = |change: &str| {
        what_if.iter().find(|w| w["change"] == change).unwrap()["peak_utilization"]
            .as_f64()
            .unwrap()
    };
    // +1 MW at "new" powers all its GPUs: 1.6e6 tok/s.
    assert_relative_eq!(
        row("+1 MW at new (power-bound)"),
        1e6 * (5.0 / 9.0) / 1.6e6,
        max_relative = 1e-12
    );
    assert_relative_eq!(
        row("+1 MW of the phase's serving mix"),
        base * 2.268 / 3.268,
        max_relative = 1e-12
    );
    assert_relative_eq!(
        row("+1,000 serving h100 GPUs"),
        1e6 * (5.0 / 9.0) / 2.0e6,
        max_relative = 1e-12
    );
    let run = capplan(&[
        "explain", COLOSSUS, "--policy", "may-2026", "--phase", "before",
    ]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("Tiers at the peak step"));
}

#[test]
fn every_command_and_format_runs_on_every_scenario() {
    for scenario in [TINY, COLOSSUS, TELEMETRY] {
        for format in ["table", "json", "csv", "markdown"] {
            let has_timeline = scenario != TELEMETRY;
            for args in [
                vec!["compare", scenario],
                vec!["timeline", scenario],
                vec![
                    "solve",
                    scenario,
                    "--policy",
                    if scenario == TELEMETRY {
                        "today"
                    } else {
                        "current"
                    },
                ],
                vec![
                    "explain",
                    scenario,
                    "--policy",
                    if scenario == TELEMETRY {
                        "today"
                    } else {
                        "current"
                    },
                ],
                vec!["validate", scenario],
            ] {
                if args[0] == "timeline" && !has_timeline {
                    continue;
                }
                let mut args = args.clone();
                args.extend(["--format", format]);
                let first = capplan(&args);
                assert_eq!(first.code, 0, "{args:?}: {}", first.stderr);
                assert!(
                    !first.stdout.contains("NaN") && !first.stdout.contains("inf"),
                    "{args:?}"
                );
                assert_eq!(
                    first.stdout,
                    capplan(&args).stdout,
                    "{args:?} is not deterministic"
                );
            }
        }
    }
}

#[test]
fn committed_schema_is_the_generated_one() {
    let run = capplan(&["schema"]);
    assert_eq!(run.code, 0);
    let committed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/schema.json"),
    )
    .unwrap();
    assert_eq!(
        run.stdout, committed,
        "run `cargo run -- schema > scenarios/schema.json`"
    );
}

/// A TOML document as JSON, TOML dates as strings, for schema validation.
fn toml_to_json(value: &toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(f) => Value::from(*f),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => Value::Object(
            table
                .iter()
                .map(|(k, v)| (k.clone(), toml_to_json(v)))
                .collect(),
        ),
    }
}

#[test]
fn every_shipped_scenario_validates_against_the_schema() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("scenarios/schema.json")).unwrap())
            .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut checked = 0;
    for entry in std::fs::read_dir(root.join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("#:schema ./schema.json\n"),
            "{} lacks the #:schema line",
            path.display()
        );
        let document: toml::Value = toml::from_str(&text).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&toml_to_json(&document))
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
        // And capplan itself accepts it.
        assert_eq!(capplan(&["validate", path.to_str().unwrap()]).code, 0);
        checked += 1;
    }
    assert!(checked >= 3);
    // The schema is not vacuous: a misspelt key and a share above 1 are rejected.
    let bad: toml::Value = toml::from_str(
        &tiny_text()
            .replace("users = 100000", "uesrs = 100000")
            .replace("pue = 1.2\ngpus", "pue = 0.9\ngpus"),
    )
    .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&toml_to_json(&bad))
        .map(|e| e.to_string())
        .collect();
    assert!(errors.len() >= 2, "{errors:?}");
}

#[test]
fn validate_summarises_and_lists_warnings() {
    let run = capplan(&["validate", COLOSSUS]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with("scenarios/colossus.toml: valid"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("│ GPUs           ┆ 470,000"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("site \"colossus-1\" is power-bound"),
        "{}",
        run.stdout
    );
    let doc = json(&capplan(&["validate", COLOSSUS, "--format", "json"]));
    assert_eq!(doc["valid"], true);
    assert_eq!(doc["summary"]["users"], 87_135_000.0);
    assert_eq!(doc["summary"]["facility_mw"], 740.0);
    assert_eq!(doc["warnings"][0]["key_path"], "site[2].power_mw");
    assert_eq!(doc["warnings"][0]["line"], 88);
}

#[test]
fn validate_an_invalid_file_exits_2_with_every_error() {
    let file = ScenarioFile::new(
        "invalid",
        tiny_text()
            .replace("users = 100000", "users = -5")
            .replace("spread = 0\n", "spread = \"wide\"\n")
            .replace("utilization_target = 0.85", "utilization_target = 85"),
    );
    let run = capplan(&["validate", file.path(), "--format", "json"]);
    assert_eq!(run.code, 2);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["valid"], false);
    // The shape error stops the semantic checks: fix it, and the others show together.
    assert_eq!(doc["errors"][0]["key_path"], "tier[0].spread");
    let file = ScenarioFile::new(
        "invalid2",
        tiny_text()
            .replace("users = 100000", "users = -5")
            .replace("utilization_target = 0.85", "utilization_target = 85"),
    );
    let doc: Value =
        serde_json::from_str(&capplan(&["validate", file.path(), "--format", "json"]).stdout)
            .unwrap();
    let keys: Vec<&str> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["key_path"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["scenario.utilization_target", "tier[0].users"]);
    assert_eq!(doc["errors"][1]["line"], 67);
    let run = capplan(&["validate", file.path()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("expected a share greater than 0 and at most 1, found 85"),
        "{}",
        run.stderr
    );
}

#[test]
fn warnings_for_what_is_legal_but_suspicious() {
    let text = tiny_text()
        .replace("overhead = 0.8", "overhead = 3")
        .replace(
            "[curve.flat]",
            &format!("[curve.never]\nweek = [{}]\n\n[[tier]]\nname = \"ghost\"\nusers = 10\ncurve = \"never\"\ntokens_per_active_hour = 1\nmix = {{ sonnet = 1.0 }}\n\n[curve.flat]", vec!["0"; 168].join(", ")),
        )
        + "\n[[policy]]\nname = \"current-again\"\n[policy.limits.pro]\nwindow = \"5h\"\nwindow_tokens = 1000000\npeak_factor = 0.5\n";
    let file = ScenarioFile::new("suspicious", text);
    let run = capplan(&["compare", file.path()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for needle in [
        "warning: gpu.h100.overhead: all-in power of 2800 W per GPU (watts * (1 + overhead)) is outside the 1000-1600 W known for H100",
        "warning: site[1].power_mw: site \"new\" is power-bound",
        "warning: tier[0].curve: tier \"ghost\" uses curve \"never\", which is zero all week",
        "warning: policy[3].name: policy \"current-again\" sets exactly the same limits as policy \"current\"",
    ] {
        assert!(
            run.stderr.contains(needle),
            "expected {needle:?} in\n{}",
            run.stderr
        );
    }
}

#[test]
fn curves_from_csv_files() {
    // The telemetry scenario reads a per-minute and an hourly CSV.
    let doc = json(&capplan(&["compare", TELEMETRY, "--format", "json"]));
    assert_eq!(doc["step_minutes"], 15);
    assert!(result(&doc, "today", "before")["fits"].as_bool().unwrap());
    assert!(
        !result(&doc, "raise-api", "before")["fits"]
            .as_bool()
            .unwrap()
    );
    assert!(
        result(&doc, "raise-api", "after")["fits"]
            .as_bool()
            .unwrap()
    );

    // An hourly CSV equals the same values written inline.
    let dir = tempfile::tempdir().unwrap();
    let rows: Vec<String> = std::iter::once("hour,share".to_string())
        .chain((0..168).map(|h| format!("{h},{}", if h % 24 < 8 { 0.05 } else { 0.1 })))
        .collect();
    std::fs::write(dir.path().join("c.csv"), rows.join("\n")).unwrap();
    let inline: Vec<String> = (0..168)
        .map(|h| if h % 24 < 8 { "0.05" } else { "0.1" }.to_string())
        .collect();
    let base = tiny_text();
    let curve_start = base.find("[curve.flat]").unwrap();
    let curve_end = base.find("[[tier]]").unwrap();
    let with = |curve: &str| format!("{}{curve}\n\n{}", &base[..curve_start], &base[curve_end..]);
    std::fs::write(
        dir.path().join("csv.toml"),
        with("[curve.flat]\nfile = \"c.csv\""),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("inline.toml"),
        with(&format!("[curve.flat]\nweek = [{}]", inline.join(", "))),
    )
    .unwrap();
    let a = json(&capplan(&[
        "compare",
        dir.path().join("csv.toml").to_str().unwrap(),
        "--format",
        "json",
    ]));
    let b = json(&capplan(&[
        "compare",
        dir.path().join("inline.toml").to_str().unwrap(),
        "--format",
        "json",
    ]));
    assert_eq!(a["results"], b["results"]);

    // Errors name the CSV file and line, and the key that points at it.
    let mut bad = rows.clone();
    bad[42] = "41,1.5".into();
    std::fs::write(dir.path().join("c.csv"), bad.join("\n")).unwrap();
    let run = capplan(&["compare", dir.path().join("csv.toml").to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(
            "curve.flat.file: c.csv, line 43: expected a share between 0 and 1, found 1.5"
        ),
        "{}",
        run.stderr
    );
    std::fs::remove_file(dir.path().join("c.csv")).unwrap();
    let run = capplan(&["compare", dir.path().join("csv.toml").to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("curve.flat.file: cannot read the curve file \"c.csv\""),
        "{}",
        run.stderr
    );
}

/// Every file in tests/fixtures/broken is a scenario with one thing wrong. Each must exit 2
/// without panicking or printing NaN, with a message holding every `# expect: …` line of
/// the file (or of a sibling `.expect` file, for files that cannot hold a comment).
#[test]
fn broken_fixtures_name_what_is_wrong() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/broken");
    let mut count = 0;
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    entries.sort();
    for path in entries {
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let sidecar = std::fs::read_to_string(path.with_extension("expect")).unwrap_or_default();
        let expected: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# expect: "))
            .chain(sidecar.lines().filter(|l| !l.is_empty()))
            .collect();
        assert!(
            !expected.is_empty(),
            "{} has no expectation",
            path.display()
        );
        for command in ["compare", "validate"] {
            let run = capplan(&[command, path.to_str().unwrap()]);
            assert_eq!(run.code, 2, "{command} {}: {}", path.display(), run.stderr);
            assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
            assert!(
                !run.stderr.contains("NaN") || text.contains("nan"),
                "{}",
                run.stderr
            );
            for needle in &expected {
                assert!(
                    run.stderr.contains(needle),
                    "{}: expected {needle:?} in\n{}",
                    path.display(),
                    run.stderr
                );
            }
        }
        count += 1;
    }
    assert!(count >= 30, "only {count} fixtures");
}

mod any_scenario {
    //! Structurally random valid scenarios: any number of SKUs, sites, tiers and policies,
    //! any step, wide-ranging numbers. Every output must be finite and in range.
    use capplan::model::{Comparison, Phase};
    use capplan::plan;
    use capplan::scenario::Scenario;
    use proptest::prelude::*;

    const CLASSES: [&str; 3] = ["a", "b", "c"];

    /// The keys whose values are null, anywhere in a JSON document.
    fn null_keys(value: &serde_json::Value, key: &str) -> Vec<String> {
        match value {
            serde_json::Value::Null => vec![key.to_string()],
            serde_json::Value::Array(items) => {
                items.iter().flat_map(|v| null_keys(v, key)).collect()
            }
            serde_json::Value::Object(map) => {
                map.iter().flat_map(|(k, v)| null_keys(v, k)).collect()
            }
            _ => Vec::new(),
        }
    }
    const STEPS: [&str; 5] = ["1h", "30m", "15m", "10m", "5m"];

    /// Budgets: anything from 0 to 1e12 tokens.
    fn number() -> impl Strategy<Value = f64> {
        prop_oneof![Just(0.0), 1e-6f64..1.0, 1.0f64..1e6, 1e6f64..1e12]
    }

    /// Counts, rates and users: 0 to 1e8, inside every physical-sense cap.
    fn count() -> impl Strategy<Value = f64> {
        prop_oneof![Just(0.0), 1e-6f64..1.0, 1.0f64..1e6, 1e6f64..1e8]
    }

    fn scenario_text() -> impl Strategy<Value = String> {
        (
            0usize..STEPS.len(),
            0.05f64..1.0,
            prop::collection::vec((1.0f64..2000.0, 0.0f64..2.0, prop::collection::vec(count(), 3)), 1..4),
            prop::collection::vec((0.001f64..500.0, 1.0f64..3.0, 0.01f64..1.0, 0.0f64..1.0, any::<bool>(), prop::collection::vec(count(), 3)), 1..4),
            prop::collection::vec((count(), prop::collection::vec(0.0f64..1.0, 24), 1.0f64..1e7, 0.0f64..4.0, 0usize..3), 1..4),
            prop::collection::vec(prop::collection::vec((any::<bool>(), number(), prop::option::of(number()), 0.0f64..3.0, 0usize..3), 3), 1..4),
        )
            .prop_map(|(step, target, skus, sites, tiers, policies)| {
                let mut s = format!(
                    "[scenario]\nname = \"any\"\nstep = \"{}\"\nutilization_target = {target:?}\npeak_hours = [\"mon-fri 13:00-19:00\", \"sun 22:00-02:00\"]\n\n",
                    STEPS[step]
                );
                for (i, (watts, overhead, rates)) in skus.iter().enumerate() {
                    let rates: Vec<String> = CLASSES.iter().zip(rates).map(|(c, r)| format!("{c} = {r:?}")).collect();
                    s += &format!("[gpu.k{i}]\nwatts = {watts:?}\noverhead = {overhead:?}\ntokens_per_s = {{ {} }}\n\n", rates.join(", "));
                }
                for (i, (mw, pue, availability, share, addition, counts)) in sites.iter().enumerate() {
                    let gpus: Vec<String> = (0..skus.len()).map(|k| format!("k{k} = {:?}", counts[k])).collect();
                    s += &format!(
                        "[[site]]\nname = \"s{i}\"\npower_mw = {mw:?}\npue = {pue:?}\navailability = {availability:?}\nserving_share = {share:?}\ngpus = {{ {} }}\n",
                        gpus.join(", ")
                    );
                    if *addition {
                        s += "online = \"2026-07-01\"\n";
                    }
                    s += "\n";
                }
                for (i, (users, day, tpah, spread, class)) in tiers.iter().enumerate() {
                    let values: Vec<String> = day.iter().map(|v| format!("{v:?}")).collect();
                    s += &format!(
                        "[curve.c{i}]\nweekday = [{0}]\nweekend = [{0}]\n\n[[tier]]\nname = \"t{i}\"\nusers = {users:?}\ncurve = \"c{i}\"\ntokens_per_active_hour = {tpah:?}\nspread = {spread:?}\nmix = {{ {1} = 1.0 }}\n\n",
                        values.join(", "),
                        CLASSES[*class]
                    );
                }
                for (p, limits) in policies.iter().enumerate() {
                    s += &format!("[[policy]]\nname = \"p{p}\"\n");
                    for (t, (limited, window, weekly, peak, window_kind)) in limits.iter().enumerate().take(tiers.len()) {
                        if !limited {
                            continue;
                        }
                        s += &format!(
                            "[policy.limits.t{t}]\nwindow = \"{}\"\nwindow_tokens = {window:?}\npeak_factor = {peak:?}\n",
                            ["5h", "1m", "7d"][*window_kind]
                        );
                        if let Some(weekly) = weekly {
                            s += &format!("weekly_tokens = {weekly:?}\n");
                        }
                    }
                    s += "\n";
                }
                s
            })
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// The fast evaluator (shared demand matrix, column sums) gives the results of the
        /// formula-by-formula model to 1e-9.
        #[test]
        fn fast_path_agrees_with_the_formulas(text in scenario_text(), scale in 0.1f64..3.0) {
            let Ok(scenario) = Scenario::parse(&text, "any.toml") else { return Ok(()) };
            let evaluator = capplan::model::Evaluator::new(&scenario);
            let users = vec![scale; scenario.tiers.len()];
            for phase in Phase::ALL {
                let fleet = capplan::model::FleetCapacity::of_phase(&scenario, phase);
                for policy in &scenario.policies {
                    let fast = evaluator.evaluate(&fleet, policy, &users);
                    let slow = capplan::model::evaluate(&scenario, &fleet, policy, &users);
                    prop_assert!(close(fast.peak_utilization, slow.peak_utilization));
                    // A near-tie may pick another step of the same utilization.
                    prop_assert!(fast.peak_step == slow.peak_step
                        || close(slow.utilization[fast.peak_step], slow.peak_utilization));
                    for (a, b) in fast.utilization.iter().zip(&slow.utilization) {
                        prop_assert!(close(*a, *b), "{a} {b}");
                    }
                    prop_assert!(close(fast.served_share, slow.served_share));
                    prop_assert!(close(fast.shed_share, slow.shed_share) || (fast.shed_share - slow.shed_share).abs() < 1e-12);
                    prop_assert!(close(fast.mw_to_fit, slow.mw_to_fit));
                    prop_assert_eq!(&fast.unservable_classes, &slow.unservable_classes);
                    if fast.peak_step == slow.peak_step {
                        prop_assert!(close(fast.throttled_share_at_peak, slow.throttled_share_at_peak));
                        prop_assert_eq!(fast.hours_over_target, slow.hours_over_target);
                        prop_assert_eq!(fast.fits, slow.fits);
                    }
                }
            }
        }

        #[test]
        fn any_valid_scenario_gives_finite_outputs_in_range(text in scenario_text()) {
            // Generated mixes may name a class no SKU serves (all rates 0): that is an
            // input error, and must be reported as one.
            let scenario = match Scenario::parse(&text, "any.toml") {
                Ok(scenario) => scenario,
                Err(error) => {
                    let message = error.to_string();
                    prop_assert!(message.contains("no GPU SKU can serve"), "{message}\n{text}");
                    return Ok(());
                }
            };
            let policies: Vec<usize> = (0..scenario.policies.len()).collect();
            let comparison = Comparison::run(&scenario, &policies, &Phase::ALL);
            for result in &comparison.results {
                let h = &result.headroom;
                for v in [h.peak_utilization, h.hours_over_target, h.served_share, h.throttled_share_at_peak, h.shed_share, h.mw_to_fit] {
                    prop_assert!(v.is_finite() && v >= 0.0, "{v}\n{text}");
                }
                prop_assert!(h.served_share <= 1.0 + 1e-9 && h.throttled_share_at_peak <= 1.0 + 1e-9 && h.shed_share <= 1.0);
                prop_assert!(h.hours_over_target <= 168.0);
                prop_assert_eq!(h.fits, h.peak_utilization <= scenario.utilization_target && h.unservable_classes.is_empty());
                if let Some(n) = &result.n_minus_1 {
                    prop_assert!(n.headroom.peak_utilization.is_finite());
                }
            }
            // serde_json writes NaN as null: only the fields that are optional may be null.
            let json = serde_json::to_value(plan::compare(&scenario, &policies)).unwrap();
            let nulls = null_keys(&json, "");
            prop_assert!(nulls.iter().all(|k| k == "online" || k == "n_minus_1"), "{nulls:?}");
            let explained = plan::explain(&scenario, 0, Phase::After);
            prop_assert!(explained.what_if.iter().all(|w| w.peak_utilization.is_finite()));
        }
    }
}

#[test]
fn sparklines_show_the_week_and_fall_back_to_ascii() {
    let run = capplan(&["compare", TINY]);
    // Weekdays at 1.25, weekends at 0.625 of the same 1.25 top: full blocks, then half.
    assert!(
        run.stdout
            .contains("│ unlimited ┆ before ┆ ████████████████████▄▄▄▄▄▄▄▄ ┆"),
        "{}",
        run.stdout
    );
    let ascii = capplan_with(&["compare", TINY], &[("LANG", "C")]);
    assert!(ascii.stdout.is_ascii(), "{}", ascii.stdout);
    assert!(
        ascii
            .stdout
            .contains("| unlimited | before | ####################~~~~~~~~ |"),
        "{}",
        ascii.stdout
    );
    // LC_ALL wins over LANG.
    let utf8 = capplan_with(
        &["compare", TINY],
        &[("LANG", "C"), ("LC_ALL", "en_US.UTF-8")],
    );
    assert!(!utf8.stdout.is_ascii());
}

#[test]
fn plots_are_svg_with_every_policy_and_the_same_bytes_each_run() {
    let dir = tempfile::tempdir().unwrap();
    let week = dir.path().join("week.svg");
    let run = capplan(&["compare", COLOSSUS, "--plot", week.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let svg = std::fs::read_to_string(&week).unwrap();
    assert!(
        svg.starts_with("<svg width=\"1200\" height=\"800\"") && svg.trim_end().ends_with("</svg>")
    );
    for label in [
        "current (peak 75.8%)",
        "current (peak 39.6%)",
        "may-2026 (peak 83.8%)",
        "before: peak hours shaded",
        "after: peak hours shaded",
    ] {
        assert!(svg.contains(label), "{label}");
    }
    // Five peak bands per panel (Monday to Friday 13:00-19:00), drawn as shaded rectangles.
    assert_eq!(
        svg.matches("opacity=\"0.15\" fill=\"#FFAA00\"").count(),
        10,
        "peak bands"
    );
    capplan(&[
        "compare",
        COLOSSUS,
        "--plot",
        dir.path().join("again.svg").to_str().unwrap(),
    ]);
    assert_eq!(
        svg,
        std::fs::read_to_string(dir.path().join("again.svg")).unwrap()
    );

    let timeline = dir.path().join("timeline.svg");
    assert_eq!(
        capplan(&["timeline", COLOSSUS, "--plot", timeline.to_str().unwrap()]).code,
        0
    );
    let svg = std::fs::read_to_string(&timeline).unwrap();
    for label in ["colossus-1", "current (fits through 2027-03)", "2026-07"] {
        assert!(svg.contains(label), "{label}");
    }
}

#[test]
fn output_is_written_atomically_and_never_over_the_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    let run = capplan(&[
        "compare",
        TINY,
        "--format",
        "json",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    let written = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        written,
        capplan(&["compare", TINY, "--format", "json"]).stdout
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temporary file left"
    );
    // Over the scenario: refused, and the scenario is untouched.
    let scenario = ScenarioFile::new("keep", tiny_text());
    let before = std::fs::read(&scenario.path).unwrap();
    for args in [
        vec!["compare", scenario.path(), "--output", scenario.path()],
        vec!["compare", scenario.path(), "--plot", scenario.path()],
    ] {
        let run = capplan(&args);
        assert_eq!(run.code, 2, "{args:?}");
        assert!(run.stderr.contains("refusing to write"), "{}", run.stderr);
    }
    assert_eq!(std::fs::read(&scenario.path).unwrap(), before);
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("capplan"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["timeline", COLOSSUS])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Read one line, then close the pipe while capplan still has lines to write.
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("error") || stderr.contains("warning"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("Broken pipe") && !stderr.contains("panicked"),
        "{stderr}"
    );
}

#[test]
fn completions_load_in_bash_and_the_man_page_renders() {
    let script = capplan(&["completions", "bash"]);
    assert_eq!(script.code, 0);
    let output = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!("{}\ncomplete -p capplan", script.stdout))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("capplan"));
    for shell in ["zsh", "fish"] {
        let run = capplan(&["completions", shell]);
        assert_eq!(run.code, 0);
        assert!(run.stdout.contains("timeline") && run.stdout.contains("check"));
    }
    let man = capplan(&["man"]);
    assert_eq!(man.code, 0);
    assert!(
        man.stdout.starts_with(".ie \\n(.g .ds Aq") || man.stdout.contains(".TH capplan"),
        "{}",
        &man.stdout[..200]
    );
    assert!(man.stdout.contains("compare") && man.stdout.contains("Exit status"));
}

#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    let root = env!("CARGO_MANIFEST_DIR");
    let bin = assert_cmd::cargo::cargo_bin("capplan");
    let broken = ScenarioFile::new(
        "colour",
        tiny_text().replace("users = 100000", "users = -1"),
    );
    let on_terminal = |extra_env: &str| {
        // `script` gives the command a pseudo-terminal.
        let output = std::process::Command::new("script")
            .args([
                "-qec",
                &format!("{extra_env} {} compare {}", bin.display(), broken.path()),
                "/dev/null",
            ])
            .current_dir(root)
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).to_string()
    };
    assert!(
        on_terminal("").contains("\u{1b}["),
        "no colour on a terminal"
    );
    assert!(
        !on_terminal("NO_COLOR=1").contains("\u{1b}["),
        "colour despite NO_COLOR"
    );
    let piped = capplan(&["compare", broken.path()]);
    assert!(!piped.stderr.contains('\u{1b}'), "colour into a pipe");
}

#[test]
fn init_writes_a_starter_that_validates_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mine.toml");
    let run = capplan(&["init", path.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("wrote") && dir.path().join("schema.json").exists());
    assert_eq!(capplan(&["validate", path.to_str().unwrap()]).code, 0);
    let doc = json(&capplan(&[
        "compare",
        path.to_str().unwrap(),
        "--format",
        "json",
    ]));
    assert_eq!(result(&doc, "generous", "before")["fits"], false);
    assert_eq!(result(&doc, "generous", "after")["fits"], true);
    let again = capplan(&["init", path.to_str().unwrap(), "--template", "colossus"]);
    assert_eq!(again.code, 2);
    assert!(
        again
            .stderr
            .contains("already exists; capplan init never overwrites a file"),
        "{}",
        again.stderr
    );
    let colossus = dir.path().join("c.toml");
    assert_eq!(
        capplan(&["init", colossus.to_str().unwrap(), "--template", "colossus"]).code,
        0
    );
    assert_eq!(
        std::fs::read_to_string(&colossus).unwrap(),
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(COLOSSUS)).unwrap()
    );
}

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
    assert!(
        run.stdout.contains("::error file=scenarios/tiny.toml,line=86,title=capplan check%3A double-5h::double-5h (before): peak utilization 104.2%25 at Mon 00:00"),
        "{}",
        run.stdout
    );
    assert_eq!(run.stdout.matches("::error ").count(), 2);
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
            .stdout
            .contains("::error")
    );
}

#[test]
fn readme_plots_are_current() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (command, file) in [
        ("compare", "colossus-week.svg"),
        ("timeline", "colossus-timeline.svg"),
    ] {
        let fresh = dir.path().join(file);
        assert_eq!(
            capplan(&[command, COLOSSUS, "--plot", fresh.to_str().unwrap()]).code,
            0
        );
        let committed = std::fs::read_to_string(root.join("docs/img").join(file)).unwrap();
        assert_eq!(
            std::fs::read_to_string(&fresh).unwrap(),
            committed,
            "docs/img/{file} is stale: cargo run -- {command} scenarios/colossus.toml --plot docs/img/{file}"
        );
    }
}

/// Every output shown in the README under `<!-- output of: ARGS -->` (or `<!-- tail of:
/// ARGS -->`, for the end of an output) is what `capplan ARGS` prints today.
/// `UPDATE_README=1 cargo test readme_examples` rewrites the blocks after a deliberate change.
#[test]
fn readme_examples_are_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let mut lines = readme.lines().peekable();
    let mut updated = String::new();
    let mut checked = 0;
    let mut stale = Vec::new();
    while let Some(line) = lines.next() {
        updated.push_str(line);
        updated.push('\n');
        let (args, tail) = match (
            line.strip_prefix("<!-- output of: "),
            line.strip_prefix("<!-- tail of: "),
        ) {
            (Some(rest), _) => (rest.trim_end_matches(" -->"), false),
            (_, Some(rest)) => (rest.trim_end_matches(" -->"), true),
            _ => continue,
        };
        assert_eq!(
            lines.next(),
            Some("```text"),
            "a ```text block must follow {line}"
        );
        let mut shown = Vec::new();
        for l in lines.by_ref() {
            if l == "```" {
                break;
            }
            shown.push(l);
        }
        let args: Vec<&str> = args.split_whitespace().collect();
        let run = capplan(&args);
        let actual: Vec<&str> = run.stdout.trim_end().lines().collect();
        let actual: Vec<&str> = if tail {
            let start = actual
                .iter()
                .position(|l| Some(l) == shown.first())
                .unwrap_or(0);
            actual[start..].to_vec()
        } else {
            actual
        };
        if actual != shown {
            stale.push(args.join(" "));
        }
        updated.push_str("```text\n");
        for l in &actual {
            updated.push_str(l);
            updated.push('\n');
        }
        updated.push_str("```\n");
        checked += 1;
    }
    if std::env::var_os("UPDATE_README").is_some() {
        std::fs::write(&path, updated).unwrap();
        return;
    }
    assert!(checked >= 6, "only {checked} examples found");
    assert!(
        stale.is_empty(),
        "README examples out of date (UPDATE_README=1 cargo test readme_examples): {stale:?}"
    );
}

#[test]
fn generated_planning_scenarios_are_valid_and_seeded() {
    let args = [
        "generate",
        "--tiers",
        "6",
        "--policies",
        "3",
        "--step-minutes",
        "15",
        "--months",
        "4",
        "--seed",
        "3",
    ];
    let first = capplan(&args);
    assert_eq!(first.code, 0);
    assert_eq!(
        first.stdout,
        capplan(&args).stdout,
        "same seed, same scenario"
    );
    let file = ScenarioFile::new("generated", &first.stdout);
    let doc = json(&capplan(&["validate", file.path(), "--format", "json"]));
    assert_eq!(doc["summary"]["tiers"].as_array().unwrap().len(), 6);
    assert_eq!(doc["summary"]["timeline_months"], 4);
    assert_eq!(capplan(&["timeline", file.path()]).code, 0);
    assert_eq!(capplan(&["generate", "--step-minutes", "7"]).code, 2);
}

#[test]
fn output_does_not_depend_on_the_number_of_threads() {
    let file = ScenarioFile::new(
        "threads",
        capplan(&[
            "generate",
            "--tiers",
            "20",
            "--policies",
            "8",
            "--step-minutes",
            "15",
            "--months",
            "6",
        ])
        .stdout,
    );
    for command in ["compare", "timeline"] {
        let one = capplan_with(
            &[command, file.path(), "--format", "json"],
            &[("RAYON_NUM_THREADS", "1")],
        );
        let four = capplan_with(
            &[command, file.path(), "--format", "json"],
            &[("RAYON_NUM_THREADS", "4")],
        );
        assert_eq!(one.code, 0, "{}", one.stderr);
        assert_eq!(one.stdout, four.stdout, "{command}");
    }
}
