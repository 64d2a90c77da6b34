//! `check`: exit codes, the verdict in JSON, N-1 and demand cases.

use super::*;

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
fn an_n_minus_1_loss_that_leaves_a_class_unserved_is_named_as_such() {
    // After the additions, under `current` (k = 5/9 off peak): home and new serve sonnet,
    // 5e5 tok/s on 1.2e6 (0.417); opus-site (400 b200 at 500) alone serves opus, 55,556 on
    // 2e5 (0.278): it fits at 0.694. Losing home peaks at 1.25 + 0.278, but losing
    // opus-site leaves opus nothing: that is the worst loss (MODEL.md N-1), and the gate
    // says why, not a peak.
    let text = tiny_text()
        .replace(
            "tokens_per_s = { sonnet = 800 }",
            "tokens_per_s = { sonnet = 800 }\n\n[gpu.b200]\nwatts = 1000\ntokens_per_s = { opus = 500 }",
        )
        .replace("mix = { sonnet = 1.0 }", "mix = { sonnet = 0.9, opus = 0.1 }")
        .replace(
            "[curve.flat]",
            "[[site]]\nname = \"opus-site\"\nonline = \"2026-06-06\"\npower_mw = 2\npue = 1.2\ngpus = { b200 = 400 }\n\n[curve.flat]",
        );
    let file = ScenarioFile::new("opus-site", text);
    let run = capplan(&[
        "check",
        file.path(),
        "--policy",
        "current",
        "--n-minus-1",
        "--format",
        "json",
        "--quiet",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["results"][0]["n_minus_1"]["site"], "opus-site");
    assert_eq!(
        doc["results"][0]["n_minus_1"]["unservable_classes"],
        serde_json::json!(["opus"])
    );
    let verdict = &doc["check"]["policies"][0];
    assert_eq!(verdict["outcome"], "n_minus_1");
    let message = verdict["message"].as_str().unwrap();
    assert!(
        message.contains("losing opus-site nothing left serves opus"),
        "{message}"
    );
    let gate = verdict["gates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "N-1")
        .unwrap();
    assert_eq!(gate["passed"], false);
    assert_eq!(
        gate["detail"],
        "losing opus-site leaves nothing to serve opus"
    );
}
