//! Model v3 "Speed": frontiers (tokens/s per GPU against tokens/s per user, log-log
//! linear between points), tier speeds, a policy's `speed` and `peak_speed`, and `solve`
//! for the fastest speed that fits. Every expected value is worked out by hand in
//! tests/fixtures/v3/speed/one.toml's header (one SKU, one tier, spread 0, no budgets):
//! U = demand / (1,000 GPUs * rate(speed)), demand 800,000 tokens/s at peak and 400,000
//! off peak.

use super::*;

const ONE: &str = "tests/fixtures/v3/speed/one.toml";
const MIXED: &str = "tests/fixtures/v3/speed/mixed.toml";

fn peak(doc: &Value, policy: &str) -> f64 {
    result(doc, policy, "after")["peak_utilization"]
        .as_f64()
        .unwrap()
}

fn close(got: f64, expected: f64) {
    assert!(
        (got - expected).abs() <= 1e-12 * expected.abs(),
        "{got} against {expected}"
    );
}

#[test]
fn a_speed_between_frontier_points_is_log_log_interpolated() {
    let doc = json(&capplan(&["compare", ONE, "--format", "json"]));
    // 40 tokens/s per user is a point: 800 per GPU.
    close(peak(&doc, "full-speed"), 1.0);
    // 30 lies between 20 (1,600) and 40 (800): ln rate is linear in ln speed with slope
    // ln(800/1600)/ln(40/20) = -1, so rate(30) = 1600 * 20/30.
    let rate_30 = (1600f64.ln()
        + (30f64.ln() - 20f64.ln()) / (40f64.ln() - 20f64.ln()) * (800f64.ln() - 1600f64.ln()))
    .exp();
    assert!((rate_30 - 1600.0 * 20.0 / 30.0).abs() < 1e-9);
    close(peak(&doc, "at-30"), 800_000.0 / (1000.0 * rate_30));
    close(peak(&doc, "at-30"), 0.75);
    // 60 lies between 40 (800) and 80 (200): slope -2, rate(60) = 800 * (60/40)^-2.
    close(peak(&doc, "at-60"), 800_000.0 / (1000.0 * 800.0 / 2.25));
    close(peak(&doc, "at-60"), 2.25);
    close(peak(&doc, "fast-at-80"), 4.0);
    // The phase lists the capacity at each speed in use, not under tokens_per_s.
    let phase = &doc["phases"][1];
    assert_eq!(phase["tokens_per_s"], serde_json::json!({}));
    let by_speed = &phase["tokens_per_s_by_speed"]["chat"];
    assert_eq!(by_speed.as_object().unwrap().len(), 5, "{by_speed}");
    close(by_speed["20"].as_f64().unwrap(), 1_600_000.0);
    close(by_speed["30"].as_f64().unwrap(), 1000.0 * rate_30);
    close(by_speed["40"].as_f64().unwrap(), 800_000.0);
}

#[test]
fn a_tier_slowed_at_peak_fits_where_full_speed_does_not() {
    let doc = json(&capplan(&["compare", ONE, "--format", "json"]));
    let full = result(&doc, "full-speed", "after");
    assert_eq!(full["fits"], false);
    close(full["peak_utilization"].as_f64().unwrap(), 1.0);
    // At peak 20 tokens/s per user: 800,000 / 1,600,000 = 0.5; off peak at 40: 400,000 /
    // 800,000 = 0.5. Served share is the same: speed moves capacity, not demand.
    let slow = result(&doc, "slow-at-peak", "after");
    assert_eq!(slow["fits"], true);
    close(slow["peak_utilization"].as_f64().unwrap(), 0.5);
    assert_eq!(slow["served_share"], full["served_share"]);
}

#[test]
fn solve_finds_the_fastest_speed_that_fits() {
    // rate(v) = 1600 * 20 / v on [20, 40]; U = 800,000 / (1,000 rate) <= 0.8 while
    // rate >= 1,000, i.e. v <= 32: reported to 3 significant digits rounded down (the
    // boundary itself sits on the target, within rounding).
    for (budget, key) in [("speed", "speed"), ("peak-speed", "peak_speed")] {
        let doc = json(&capplan(&[
            "solve",
            ONE,
            "--policy",
            "full-speed",
            "--tier",
            "free",
            "--budget",
            budget,
            "--format",
            "json",
        ]));
        assert_eq!(doc["outcome"], "bounded", "{doc}");
        let speed = &doc["speed"];
        assert_eq!(speed["key"], key);
        assert_eq!(speed["speed"], 40.0);
        let solved = speed["solved_speed"].as_f64().unwrap();
        assert!(solved == 31.9 || solved == 32.0, "{solved}");
        assert_eq!(speed["frontier"], serde_json::json!([20.0, 80.0]));
        assert!(doc["peak_utilization"].as_f64().unwrap() <= 0.8);
    }
    // A speed is one tier's: without --tier the question has no answer.
    let run = capplan(&["solve", ONE, "--policy", "full-speed", "--budget", "speed"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("name it with one --tier"),
        "{}",
        run.stderr
    );
}

#[test]
fn solve_says_when_no_speed_fits_and_when_every_speed_does() {
    // Ten times the users: even 20 tokens/s per user (U = 5) does not fit.
    let crowded = std::fs::read_to_string(ONE)
        .unwrap()
        .replace("users = 8000", "users = 80000");
    let file = ScenarioFile::new("crowded", crowded);
    let doc = json(&capplan(&[
        "solve",
        file.path(),
        "--policy",
        "full-speed",
        "--tier",
        "free",
        "--budget",
        "speed",
        "--format",
        "json",
    ]));
    assert_eq!(doc["outcome"], "zero");
    assert_eq!(doc["speed"]["solved_speed"], Value::Null);
    close(doc["peak_utilization"].as_f64().unwrap(), 5.0);
    // A hundredth of the users: even 80 (U = 0.04) fits.
    let quiet = std::fs::read_to_string(ONE)
        .unwrap()
        .replace("users = 8000", "users = 80");
    let file = ScenarioFile::new("quiet", quiet);
    let doc = json(&capplan(&[
        "solve",
        file.path(),
        "--policy",
        "full-speed",
        "--tier",
        "free",
        "--budget",
        "speed",
        "--format",
        "json",
    ]));
    assert_eq!(doc["outcome"], "unbounded");
    assert_eq!(doc["speed"]["solved_speed"], 80.0);
    close(doc["peak_utilization"].as_f64().unwrap(), 0.04);
}

#[test]
fn explain_names_speed_as_the_lever() {
    let doc = json(&capplan(&[
        "explain",
        ONE,
        "--policy",
        "full-speed",
        "--format",
        "json",
    ]));
    let lever = doc["speed_lever"].as_str().unwrap();
    assert!(
        lever.contains("free is served at 40 tokens/s per user"),
        "{lever}"
    );
    assert!(
        lever.contains("peak_speed = 20 gives a peak of 50.0%, which fits"),
        "{lever}"
    );
    let row = doc["what_if"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["change"] == "free at 20 tokens/s per user at peak (now 40)")
        .unwrap();
    close(row["peak_utilization"].as_f64().unwrap(), 0.5);
    assert_eq!(doc["tiers"][0]["speed"], 40.0);
}

#[test]
fn diff_lists_a_speed_change() {
    let head = std::fs::read_to_string(ONE)
        .unwrap()
        .replace("peak_speed = 20", "peak_speed = 25");
    let file = ScenarioFile::new("head", head);
    let doc = json(&capplan(&["diff", ONE, file.path(), "--format", "json"]));
    let changes: Vec<&str> = doc["input_changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(
        changes.iter().any(
            |c| c.contains("policy[slow-at-peak].limits.free.peak_speed")
                && c.contains("20")
                && c.contains("25")
        ),
        "{changes:?}"
    );
    // 800,000 / (1,000 * 1600 * 20 / 25) = 0.625.
    let row = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["policy"] == "slow-at-peak" && r["phase"] == "after")
        .unwrap();
    close(row["head"]["peak_utilization"].as_f64().unwrap(), 0.625);
}

#[test]
fn every_command_runs_on_a_mixed_speed_fleet_with_samples() {
    for args in [
        vec!["compare", MIXED, "--format", "json"],
        vec!["check", MIXED, "--format", "json"],
        vec!["explain", MIXED, "--policy", "pro-fast", "--format", "json"],
        vec!["sensitivity", MIXED, "--format", "json"],
        vec![
            "solve",
            MIXED,
            "--policy",
            "pro-fast",
            "--tier",
            "pro",
            "--budget",
            "peak-speed",
            "--format",
            "json",
        ],
    ] {
        let run = capplan(&args);
        assert!(run.code == 0 || run.code == 1, "{args:?}: {}", run.stderr);
        assert!(
            !run.stdout.contains("NaN") && !run.stdout.contains("inf"),
            "{args:?}"
        );
    }
    let doc = json(&capplan(&["compare", MIXED, "--format", "json"]));
    // Slowing free at peak (and capping pro) lowers the peak of the open policy.
    assert!(peak(&doc, "slow-free-at-peak") < peak(&doc, "open"));
    let by_speed = &doc["phases"][1]["tokens_per_s_by_speed"];
    let chat: Vec<&String> = by_speed["chat"].as_object().unwrap().keys().collect();
    assert_eq!(chat, ["25", "30", "40", "45", "55"]);
    let code: Vec<&String> = by_speed["code"].as_object().unwrap().keys().collect();
    assert_eq!(code, ["30", "45", "55"]);
}

/// A broken speed: exit 2, the key path and what was expected.
fn rejected(name: &str, text: &str, expected: &[&str]) {
    let file = ScenarioFile::new(name, text);
    let run = capplan(&["compare", file.path()]);
    assert_eq!(run.code, 2, "{name}: {}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{name}: {}", run.stderr);
    for needle in expected {
        assert!(
            run.stderr.contains(needle),
            "{name}: expected {needle:?} in\n{}",
            run.stderr
        );
    }
}

fn one_with(from: &str, to: &str) -> String {
    let text = std::fs::read_to_string(ONE).unwrap();
    assert!(text.contains(from), "{from}");
    text.replacen(from, to, 1)
}

const FRONTIER: &str = "[[20, 1600], [40, 800], [80, 200]]";

#[test]
fn a_bad_frontier_exits_2_with_its_key_path() {
    rejected(
        "one_point",
        &one_with(FRONTIER, "[[20, 1600]]"),
        &[
            "gpu.g.tokens_per_s.chat: expected a frontier of at least two points",
            "one_point.toml:",
        ],
    );
    rejected(
        "speed_not_increasing",
        &one_with(FRONTIER, "[[20, 1600], [20, 800], [80, 200]]"),
        &["gpu.g.tokens_per_s.chat[1][0]: expected a speed above the previous point's 20"],
    );
    rejected(
        "throughput_not_decreasing",
        &one_with(FRONTIER, "[[20, 1600], [40, 1600], [80, 200]]"),
        &[
            "gpu.g.tokens_per_s.chat[1][1]: expected tokens/s per GPU below the previous point's 1600",
        ],
    );
    rejected(
        "non_positive",
        &one_with(FRONTIER, "[[0, 1600], [40, 800], [80, -1]]"),
        &[
            "gpu.g.tokens_per_s.chat[0][0]: expected output tokens/s per user between",
            "gpu.g.tokens_per_s.chat[2][1]: expected output tokens/s per GPU between",
        ],
    );
    rejected(
        "three_numbers",
        &one_with(FRONTIER, "[[20, 1600, 3], [40, 800]]"),
        &[
            "gpu.g.tokens_per_s.chat[0]: expected a point [tokens/s per user, tokens/s per GPU], found 3 numbers",
        ],
    );
    rejected(
        "not_a_rate",
        &one_with(FRONTIER, "\"fast\""),
        &["gpu.g.tokens_per_s.chat: expected output tokens/s per GPU: a number, or a frontier"],
    );
}

#[test]
fn a_speed_outside_the_frontier_or_missing_exits_2() {
    rejected(
        "tier_too_fast",
        &one_with("speed = 40\n", "speed = 90\n"),
        &[
            "tier[0].speed: expected a speed within gpu.g's frontier for class \"chat\", 20 to 80 tokens/s per user (tier \"free\"), found 90",
        ],
    );
    rejected(
        "policy_too_slow",
        &one_with("peak_speed = 20", "peak_speed = 10"),
        &[
            "policy[1].limits.free.peak_speed: expected a speed within gpu.g's frontier for class \"chat\", 20 to 80",
        ],
    );
    rejected(
        "no_speed",
        &one_with("speed = 40\n", ""),
        &[
            "tier[0].speed: expected a speed (output tokens/s per user) for tier \"free\": it asks class \"chat\", which gpu.g rates with a frontier, and policy \"full-speed\" sets no speed for it",
        ],
    );
    rejected(
        "peak_speed_without_peak_hours",
        &one_with("peak_hours = [\"mon-fri 12:00-18:00\"]", "peak_hours = []"),
        &["policy[1].limits.free.peak_speed: expected peak hours for a peak_speed"],
    );
    rejected(
        "empty_limits",
        &one_with(
            "[policy.limits.free]\npeak_speed = 20\n",
            "[policy.limits.free]\n",
        ),
        &["policy[1].limits.free: expected a token budget (window and window_tokens) or a speed"],
    );
    rejected(
        "budget_without_window",
        &one_with("peak_speed = 20\n", "peak_speed = 20\nweekly_tokens = 5\n"),
        &[
            "policy[1].limits.free.window: expected window (e.g. \"5h\") and window_tokens: weekly_tokens is a budget",
        ],
    );
}

#[test]
fn too_many_speeds_for_a_class_exit_2() {
    let mut text = std::fs::read_to_string(ONE).unwrap();
    for i in 0..70 {
        text.push_str(&format!(
            "\n[[policy]]\nname = \"p{i}\"\n[policy.limits.free]\nspeed = {}\n",
            20.0 + f64::from(i) * 0.5
        ));
    }
    rejected(
        "many_speeds",
        &text,
        &["gpu.g.tokens_per_s.chat: expected at most 64 distinct speeds for class \"chat\""],
    );
}

// Regressions from the hostile review of the speed feature.

#[test]
fn a_tier_without_a_speed_of_its_own_is_served_at_each_policys() {
    // No `speed` on the tier, a budget and a speed in the policy: cap = 900,000 / 5 h =
    // 180,000 tokens per active hour against 360,000 wanted, k = 0.5, spread 0: phi = 0.5,
    // every active user throttled; peak U = 800,000 * 0.5 / 800,000 = 0.5.
    let text = one_with("speed = 40\n", "").replace(
        "[[policy]]\nname = \"full-speed\"\n",
        "[[policy]]\nname = \"full-speed\"\n[policy.limits.free]\nwindow = \"5h\"\nwindow_tokens = 900000\nspeed = 40\n",
    );
    let text = text.replace(
        "[policy.limits.free]\npeak_speed = 20",
        "[policy.limits.free]\nspeed = 40\npeak_speed = 20",
    );
    let file = ScenarioFile::new("no_own_speed", text);
    let doc = json(&capplan(&["compare", file.path(), "--format", "json"]));
    let r = result(&doc, "full-speed", "after");
    close(r["served_share"].as_f64().unwrap(), 0.5);
    close(r["throttled_share_at_peak"].as_f64().unwrap(), 1.0);
    close(r["peak_utilization"].as_f64().unwrap(), 0.5);
}

#[test]
fn set_refuses_an_array_item_and_takes_a_whole_frontier() {
    let run = capplan(&["compare", ONE, "--set", "gpu.g.tokens_per_s.chat[1][1]=900"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("not array items"), "{}", run.stderr);
    // The whole frontier, halved at 40: full speed peaks at 800,000 / 400,000 = 2.
    let doc = json(&capplan(&[
        "compare",
        ONE,
        "--set",
        "gpu.g.tokens_per_s.chat=[[20,1600],[40,400],[80,200]]",
        "--format",
        "json",
    ]));
    close(peak(&doc, "full-speed"), 2.0);
}

#[test]
fn solve_for_a_peak_speed_needs_peak_steps() {
    let text = one_with("peak_hours = [\"mon-fri 12:00-18:00\"]", "peak_hours = []")
        .replace("[policy.limits.free]\npeak_speed = 20\n", "");
    let file = ScenarioFile::new("no_peak", text);
    let run = capplan(&[
        "solve",
        file.path(),
        "--policy",
        "full-speed",
        "--tier",
        "free",
        "--budget",
        "peak-speed",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("needs peak steps"), "{}", run.stderr);
}

#[test]
fn every_speed_outside_a_frontier_is_reported_and_frontiers_must_share_a_speed() {
    let text = one_with("speed = 40\n", "speed = 100\n")
        .replace("peak_speed = 20", "peak_speed = 10")
        .replace("speed = 30", "speed = 90");
    rejected(
        "three_outside",
        &text,
        &[
            "tier[0].speed: expected a speed within",
            "policy[1].limits.free.peak_speed: expected a speed within",
            "policy[2].limits.free.speed: expected a speed within",
        ],
    );
    let text = one_with(
        "chat = [[20, 1600], [40, 800], [80, 200]] }",
        "chat = [[20, 1600], [40, 800], [80, 200]], code = [[100, 50], [200, 20]] }",
    )
    .replace("mix = { chat = 1 }", "mix = { chat = 0.5, code = 0.5 }");
    rejected(
        "disjoint",
        &text,
        &[
            "tier[0].mix: expected classes whose frontiers share a speed",
            "chat on gpu.g: 20 to 80; code on gpu.g: 100 to 200",
        ],
    );
}

#[test]
fn columns_are_capped_and_at_is_not_a_class_name() {
    // Five frontier classes, each asked by the tier, at 61 speeds: 305 columns.
    let mut text = one_with(
        "chat = [[20, 1600], [40, 800], [80, 200]] }",
        "chat = [[20, 1600], [40, 800], [80, 200]], c2 = [[20, 1600], [80, 200]], c3 = [[20, 1600], [80, 200]], c4 = [[20, 1600], [80, 200]], c5 = [[20, 1600], [80, 200]] }",
    )
    .replace("mix = { chat = 1 }", "mix = { chat = 0.2, c2 = 0.2, c3 = 0.2, c4 = 0.2, c5 = 0.2 }");
    for i in 0..57 {
        text.push_str(&format!(
            "\n[[policy]]\nname = \"p{i}\"\n[policy.limits.free]\nspeed = {}\n",
            21.0 + f64::from(i)
        ));
    }
    rejected(
        "many_columns",
        &text,
        &["gpu: expected at most 256 columns of capacity"],
    );
    rejected(
        "at_sign",
        &one_with(
            "chat = [[20, 1600], [40, 800], [80, 200]] }",
            "chat = [[20, 1600], [40, 800], [80, 200]], \"chat@40\" = 500 }",
        ),
        &["gpu.g.tokens_per_s.\"chat@40\": expected a model class name without '@'"],
    );
    rejected(
        "input_frontier",
        &one_with(
            "tokens_per_s = {",
            "input_tokens_per_s = { chat = [[20, 1600], [80, 200]] }\ntokens_per_s = {",
        ),
        &["input and cached rates are numbers only"],
    );
}

#[test]
fn a_speed_that_changes_nothing_is_a_warning() {
    let text = one_with(
        "tokens_per_s = { chat = [[20, 1600], [40, 800], [80, 200]] }",
        "tokens_per_s = { chat = 800 }",
    );
    let file = ScenarioFile::new("no_frontier", text);
    let run = capplan(&["validate", file.path()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(
        all.contains("tier[0].speed: tier \"free\" asks no class that a SKU rates with a frontier"),
        "{all}"
    );
}

#[test]
fn calibrate_apply_on_a_frontier_names_the_values_and_keeps_the_file() {
    let text = format!(
        "{}\n[[observed]]\npolicy = \"full-speed\"\nphase = \"after\"\npeak_utilization = 0.5\n\n[calibration]\nadjust = [\"rates:g\"]\n",
        std::fs::read_to_string(ONE).unwrap()
    );
    let file = ScenarioFile::new("calibrate_frontier", &text);
    let run = capplan(&["calibrate", file.path(), "--apply"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    // U = 1 at the file's rates: rates x2 give the observed 0.5.
    assert!(
        run.stderr
            .contains("gpu.g.tokens_per_s.chat[0][1] = 3200 (×2)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("gpu.g.tokens_per_s.chat[2][1] = 400 (×2)"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_to_string(file.path()).unwrap(), text);
}
