//! `explain`: the make-up of the peak, hand-computed.

use super::*;

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
        row("1 MW more at new (power-bound)"),
        1e6 * (5.0 / 9.0) / 1.6e6,
        max_relative = 1e-12
    );
    assert_relative_eq!(
        row("1 MW more of the phase's serving mix"),
        base * 2.268 / 3.268,
        max_relative = 1e-12
    );
    assert_relative_eq!(
        row("1,000 more serving h100 GPUs"),
        1e6 * (5.0 / 9.0) / 2.0e6,
        max_relative = 1e-12
    );
    let run = capplan(&[
        "explain", COLOSSUS, "--policy", "may-2026", "--phase", "before",
    ]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("Tiers at the peak step"));
}
