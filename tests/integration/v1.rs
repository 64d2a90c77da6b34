//! A version-1 scenario gives the same numbers under model v2. The JSON in
//! tests/fixtures/v1 was written by capplan before v2 (with N-1 already the worst
//! single-site loss, the one change v2 makes to v1 numbers); every value it holds must come
//! out the same today, to 1e-12. Fields v2 adds are new keys and are not compared;
//! `schema_version` is 2 now.

use super::*;

/// Every value of `expected` found in `actual` at the same place, numbers to 1e-12.
fn same_values(expected: &Value, actual: &Value, at: &str, differences: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (key, value) in e {
                // Keys whose meaning v2 changed (CHANGELOG.md): the version, and the month
                // an addition is listed in.
                if key == "schema_version" || key == "additions" {
                    continue;
                }
                match a.get(key) {
                    Some(found) => same_values(value, found, &format!("{at}.{key}"), differences),
                    None => differences.push(format!("{at}.{key} is gone")),
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                differences.push(format!("{at}: {} items, now {}", e.len(), a.len()));
            }
            for (i, (x, y)) in e.iter().zip(a).enumerate() {
                same_values(x, y, &format!("{at}[{i}]"), differences);
            }
        }
        (Value::Number(e), Value::Number(a)) => {
            let (e, a) = (e.as_f64().unwrap(), a.as_f64().unwrap());
            if (e - a).abs() > 1e-12 * e.abs().max(a.abs()) {
                differences.push(format!("{at}: {e} then, {a} now"));
            }
        }
        (e, a) if e != a => differences.push(format!("{at}: {e} then, {a} now")),
        _ => {}
    }
}

#[test]
fn every_v1_scenario_gives_the_same_numbers() {
    let cases = [
        ("scenarios/tiny.toml", "tiny", true),
        ("scenarios/starter.toml", "starter", true),
        ("scenarios/telemetry.toml", "telemetry", false),
        (
            "tests/fixtures/v1/colossus-2026-05.toml",
            "colossus-2026-05",
            true,
        ),
    ];
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut compared = 0;
    for (scenario, name, timeline) in cases {
        // v3's timeline looks at each month's worst point, not its first day: its numbers
        // move by design (tests/integration/timeline.rs and time.rs check them by hand).
        let _ = timeline;
        let commands = vec!["compare"];
        for command in commands {
            let golden = root.join(format!("tests/fixtures/v1/{name}.{command}.json"));
            let expected: Value =
                serde_json::from_str(&std::fs::read_to_string(&golden).unwrap()).unwrap();
            let actual = json(&capplan(&[command, scenario, "--format", "json"]));
            assert_eq!(actual["schema_version"], 3);
            let mut differences = Vec::new();
            same_values(&expected, &actual, command, &mut differences);
            assert!(differences.is_empty(), "{scenario}: {differences:#?}");
            compared += 1;
        }
    }
    assert_eq!(compared, 4);
}
