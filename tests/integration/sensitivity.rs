//! `capplan sensitivity`: every lever of every result, in each format, and its refusals.

use super::*;

#[test]
fn sensitivity_covers_every_policy_phase_and_lever_of_colossus() {
    let doc = json(&capplan(&[
        "sensitivity",
        COLOSSUS,
        "-q",
        "--format",
        "json",
    ]));
    assert_eq!(doc["kind"], "sensitivity");
    assert_eq!(doc["schema_version"], 3);
    let results = doc["results"].as_array().unwrap();
    // Six policies on two dated phases, in compare's order.
    assert_eq!(results.len(), 12);
    assert_eq!(results[0]["policy"], "current");
    assert_eq!(results[0]["phase"], "before");
    assert_eq!(results[1]["phase"], "colossus-1-online");
    for result in results {
        let levers = result["levers"].as_array().unwrap();
        let keys: Vec<&str> = levers
            .iter()
            .map(|l| l["lever"].as_str().unwrap())
            .collect();
        assert!(keys.contains(&"tier.pro.users"), "{keys:?}");
        assert!(keys.contains(&"utilization_target"));
        assert!(keys.contains(&"training_floor_gpu_hours"));
        // Nearest flip first, no flip last.
        let distance: Vec<f64> = levers
            .iter()
            .map(|l| l["flip"].as_f64().map_or(f64::INFINITY, |m| m.ln().abs()))
            .collect();
        assert!(
            distance.windows(2).all(|w| w[0] <= w[1] + 1e-5),
            "{distance:?}"
        );
        for lever in levers {
            assert!(lever["low"].as_f64().unwrap().is_finite());
            assert!(lever["high"].as_f64().unwrap().is_finite());
        }
    }
}

#[test]
fn sensitivity_of_colossus_fits_80_columns() {
    let run = capplan(&["sensitivity", COLOSSUS, "-q", "--policy", "current"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for line in run
        .stdout
        .lines()
        .filter(|l| l.starts_with(['│', '┌', '╞', '└']))
    {
        assert!(line.chars().count() <= 80, "{line}");
    }
}

#[test]
fn sensitivity_refuses_what_the_scenario_lacks() {
    let run = capplan(&["sensitivity", TINY, "--phase", "later"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--phase \"later\""), "{}", run.stderr);
    let run = capplan(&["sensitivity", TINY, "--policy", "curent"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("did you mean \"current\""),
        "{}",
        run.stderr
    );
    let run = capplan(&["sensitivity", TINY, "--set", "tier.pro.users=-1"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("tier[0].users"), "{}", run.stderr);
}
