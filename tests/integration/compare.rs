//! `compare`: the JSON contract with hand-computed values, CSV, policy selection, N-1 and
//! uncertainty, and the story colossus.toml tells.

use super::*;

#[test]
fn tiny_json_has_the_contracted_shape_and_hand_computed_values() {
    let doc = json(&capplan(&["compare", TINY, "--format", "json"]));
    assert_eq!(doc["schema_version"], 3);
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
fn colossus_tells_the_story() {
    // The best public estimate (scenarios/colossus.toml), model v3: demand anchored so that
    // the limits in force just fit the day before the deal; Colossus 1 online on 06-06.
    let doc = json(&capplan(&["compare", COLOSSUS, "--format", "json"]));
    assert_eq!(doc["phases"][0]["name"], "before");
    assert_eq!(doc["phases"][0]["on"], "2026-05-05");
    assert_eq!(doc["phases"][1]["name"], "colossus-1-online");
    assert_eq!(doc["phases"][1]["on"], "2026-06-06");
    let r = |policy: &str, phase: &str| result(&doc, policy, phase).clone();
    let fits = |policy: &str, phase: &str| r(policy, phase)["fits"].as_bool().unwrap();
    assert!(
        fits("current", "before"),
        "the anchor: today's limits just fit"
    );
    assert_relative_eq!(
        r("current", "before")["peak_utilization"].as_f64().unwrap(),
        0.8,
        max_relative = 1e-9
    );
    for policy in [
        "double-5h",
        "double-5h-no-peak-cut",
        "api-raise",
        "may-2026",
        "may-slow-peak",
    ] {
        assert!(!fits(policy, "before"), "{policy} needs the new site");
    }
    // The speed lever: the May package with Free, Pro and Max at 30 tok/s per user in peak
    // hours instead of 40 sheds about 8 points of peak utilization, and serves and
    // throttles exactly as the package does (speed moves capacity only).
    for phase in ["before", "colossus-1-online"] {
        let (fast, slow) = (r("may-2026", phase), r("may-slow-peak", phase));
        let drop =
            fast["peak_utilization"].as_f64().unwrap() - slow["peak_utilization"].as_f64().unwrap();
        assert!((0.07..0.09).contains(&drop), "{phase}: {drop}");
        for key in ["served_share", "throttled_share_at_peak"] {
            assert_eq!(fast[key], slow[key], "{phase} {key}");
        }
    }
    // With each chip at its own strengths, Colossus 1 buys back about a month of growth:
    // on the day it serves, even today's limits are just over the target (80.1 %).
    for (policy, holds) in [
        ("current", None::<&str>),
        ("double-5h", None),
        ("api-raise", None),
        ("double-5h-no-peak-cut", None),
        ("may-2026", None),
        ("may-slow-peak", None),
    ] {
        let result = r(policy, "colossus-1-online");
        assert_eq!(result["fits"], holds.is_some(), "{policy}");
        assert_eq!(
            result["holds_until"],
            holds.map_or(Value::Null, Value::from),
            "{policy}"
        );
        // Only the last phase says how long it holds.
        assert_eq!(r(policy, "before")["holds_until"], Value::Null);
    }
    let colossus = &doc["phases"][1]["sites"][3];
    assert_eq!(colossus["name"], "colossus-1");
    assert_eq!(colossus["offline"], "2026-12-03");
    assert_eq!(colossus["power_bound"], false, "≈425 MW runs its GPUs");
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
fn colossus_n_minus_1_names_the_worst_loss() {
    let doc = json(&capplan(&[
        "compare", COLOSSUS, "--format", "json", "--policy", "current",
    ]));
    // Rainier holds most of the fleet: losing it hurts most in both phases, and the rest
    // runs past 100 % even with Colossus 1.
    for (phase, survives) in [("before", false), ("colossus-1-online", false)] {
        let n = &result(&doc, "current", phase)["n_minus_1"];
        assert_eq!(n["site"], "rainier", "{phase}");
        assert_eq!(n["survives"], survives, "{phase}");
        let worst = n["peak_utilization"].as_f64().unwrap();
        for loss in n["losses"].as_array().unwrap() {
            assert!(loss["peak_utilization"].as_f64().unwrap() <= worst);
        }
    }
    let after = &result(&doc, "current", "colossus-1-online")["n_minus_1"]["losses"];
    assert_eq!(
        after.as_array().unwrap().len(),
        5,
        "every site of the phase is lost in turn"
    );
}
