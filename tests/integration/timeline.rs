//! `timeline`: hand-computed months, runways that agree with month-by-month compare.

use super::*;

#[test]
fn timeline_hand_computed() {
    let doc = json(&capplan(&["timeline", TINY, "--format", "json"]));
    assert_eq!(doc["schema_version"], 3);
    let months = doc["months"].as_array().unwrap();
    let dates: Vec<&str> = months.iter().map(|m| m["date"].as_str().unwrap()).collect();
    assert_eq!(
        dates,
        ["2026-05-01", "2026-06-01", "2026-07-01", "2026-08-01"]
    );
    // `new` comes online on 2026-06-06: it belongs to June's row; June's first day does not
    // have it yet, and June's worst point is the day before it arrives.
    assert_eq!(months[1]["additions"], serde_json::json!(["new"]));
    assert_eq!(months[1]["additions_on"], serde_json::json!(["2026-06-06"]));
    assert_eq!(months[1]["sites_online"], 1);
    assert_eq!(months[2]["additions"], serde_json::json!([]));
    assert_eq!(months[2]["sites_online"], 2);
    // Each month's worst point: with growth and no ramp, the end of an interval of constant
    // fleet (the last day, or the eve of the addition). Demand grows as
    // 1.1^(days since 2026-05-01 / 30.436875).
    let worst = [
        ("2026-05-31", 30.0, 8e5),
        ("2026-06-05", 35.0, 8e5),
        ("2026-07-31", 91.0, 1.2e6),
        ("2026-08-31", 122.0, 1.2e6),
    ];
    for (policy, per_user) in [(0, 1.0), (1, 5.0 / 9.0), (2, 5.0 / 6.0)] {
        for (m, &(date, days, capacity)) in worst.iter().enumerate() {
            let result = &months[m]["results"][policy];
            assert_eq!(result["worst_date"], date, "month {m} policy {policy}");
            assert_relative_eq!(
                result["peak_utilization"].as_f64().unwrap(),
                1e6 * per_user * 1.1f64.powf(days / 30.436875) / capacity,
                max_relative = 1e-12
            );
        }
    }
    // June 5 with policy 0: 1e6 * 1.1^(35/30.436875) / 8e5 = 1.394788405531557.
    assert_relative_eq!(
        months[1]["results"][0]["peak_utilization"]
            .as_f64()
            .unwrap(),
        1.394788405531557,
        max_relative = 1e-12
    );
    let runway = doc["runway"].as_array().unwrap();
    assert_eq!(runway[0]["first_fit"], Value::Null);
    assert_eq!(runway[0]["holds_until"], Value::Null);
    assert_eq!(runway[1]["fits_throughout"], true);
    assert_eq!(runway[1]["holds_until"], Value::Null);
    // double-5h fits once `new` is online: (5/6) * 1e6 * 1.1^(36/M) / 1.2e6 = 0.777 on
    // 06-06, and holds while 0.6944 * 1.1^(d/M) <= 0.85: d <= 64.55 days, 2026-07-04.
    assert_eq!(runway[2]["first_fit"], "2026-06-06");
    assert_eq!(runway[2]["first_miss"], "2026-05-01");
    assert_eq!(runway[2]["holds_until"], "2026-07-04");
    let table = capplan(&["timeline", TINY]);
    assert!(
        table
            .stdout
            .contains("fits from 2026-06-06; holds until 2026-07-04"),
        "{}",
        table.stdout
    );
}

#[test]
fn every_months_worst_point_is_a_dated_phase_with_the_same_figures() {
    let doc = json(&capplan(&["timeline", TINY, "--format", "json"]));
    let mut worst: Vec<String> = Vec::new();
    for month in doc["months"].as_array().unwrap() {
        for result in month["results"].as_array().unwrap() {
            let date = result["worst_date"].as_str().unwrap().to_string();
            if !worst.contains(&date) {
                worst.push(date);
            }
        }
    }
    worst.sort();
    let phases: String = worst
        .iter()
        .map(|d| format!("[[phase]]\nname = \"on-{d}\"\non = \"{d}\"\n\n"))
        .collect();
    let file = ScenarioFile::new("phases", format!("{}\n{phases}", tiny_text()));
    let compare = json(&capplan(&["compare", file.path(), "--format", "json"]));
    assert_eq!(compare["phases"][0]["on"], worst[0].as_str());
    for month in doc["months"].as_array().unwrap() {
        for result in month["results"].as_array().unwrap() {
            let date = result["worst_date"].as_str().unwrap();
            let policy = result["policy"].as_str().unwrap();
            let phase = result_of(&compare, policy, &format!("on-{date}"));
            assert_relative_eq!(
                phase["peak_utilization"].as_f64().unwrap(),
                result["peak_utilization"].as_f64().unwrap(),
                max_relative = 1e-12
            );
            assert_eq!(phase["verdict"], result["verdict"]);
        }
    }
}

fn result_of<'a>(compare: &'a Value, policy: &str, phase: &str) -> &'a Value {
    compare["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["policy"] == policy && r["phase"] == phase)
        .unwrap_or_else(|| panic!("no result for {policy} on {phase}"))
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
