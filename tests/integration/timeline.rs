//! `timeline`: hand-computed months, runways that agree with month-by-month compare.

use super::*;

#[test]
fn timeline_hand_computed() {
    let doc = json(&capplan(&["timeline", TINY, "--format", "json"]));
    let months = doc["months"].as_array().unwrap();
    let dates: Vec<&str> = months.iter().map(|m| m["date"].as_str().unwrap()).collect();
    assert_eq!(
        dates,
        ["2026-05-01", "2026-06-01", "2026-07-01", "2026-08-01"]
    );
    // `new` comes online on 2026-06-06: it belongs to June's row, and counts in the fleet
    // from July's date on (June's week is evaluated on 2026-06-01).
    assert_eq!(months[1]["additions"], serde_json::json!(["new"]));
    assert_eq!(months[1]["additions_on"], serde_json::json!(["2026-06-06"]));
    assert_eq!(months[1]["sites_online"], 1);
    assert_eq!(months[2]["additions"], serde_json::json!([]));
    assert_eq!(months[2]["sites_online"], 2);
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
            .contains("│ double-5h ┆ fits in 2026-07 only ┆ 2026-05 to 2026-06; 2026-08 │"),
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
            // Tier users only: `[uncertainty] users = { p10, p90 }` stays as it is.
            match line
                .strip_prefix("users = ")
                .filter(|rest| !rest.starts_with('{'))
            {
                Some(rest) => {
                    let users: f64 = rest.split_whitespace().next().unwrap().parse().unwrap();
                    let growth = if tier.starts_with("\"api-") {
                        1.15f64
                    } else {
                        1.12
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
        let phase = if month["sites_online"] == 3 {
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
