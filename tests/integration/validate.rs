//! `validate`: summaries, warnings, every error at once, CSV curves.

use super::*;

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
        run.stdout.contains("│ GPUs           ┆ 7,115,000"),
        "{}",
        run.stdout
    );
    // Colossus 1 at ≈425 MW (Epoch) is not power-bound: nothing to warn of.
    assert!(
        !run.stdout.contains("acknowledged warning"),
        "{}",
        run.stdout
    );
    let doc = json(&capplan(&["validate", COLOSSUS, "--format", "json"]));
    assert_eq!(doc["valid"], true);
    assert_eq!(doc["summary"]["users"], 84_202_500.0);
    assert_eq!(doc["summary"]["facility_mw"], 8475.0);
    assert_eq!(doc["warnings"], serde_json::json!([]));
    assert_eq!(doc["acknowledged_warnings"], 0);
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
            .contains("expected a share between 0.01 and 1, found 85"),
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
