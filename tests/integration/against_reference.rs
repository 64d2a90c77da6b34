//! The binary's JSON against the independent reference model (tests/integration/reference.rs)
//! on a scenario written for the purpose.

use super::*;

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
        training_floor: None,
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
                ..Default::default()
            },
            Sku {
                name: "h200",
                watts: 700.0,
                overhead: 0.8,
                tokens_per_s: vec![("opus", 455.0), ("sonnet", 1790.0), ("haiku", 7000.0)],
                ..Default::default()
            },
            Sku {
                name: "gb200",
                watts: 1200.0,
                overhead: 0.52,
                tokens_per_s: vec![("opus", 1490.0), ("sonnet", 6100.0), ("haiku", 23000.0)],
                ..Default::default()
            },
        ],
        sites: vec![
            Site {
                name: "a",
                power_mw: 30.0,
                pue: 1.25,
                availability: 0.97,
                serving_share: Share::Fixed(0.7),
                online: None,
                gpus: vec![("h100", 9000.0), ("h200", 4000.0)],
                ..Default::default()
            },
            // Power-bound: draws ~23.5 MW of IT against 20 / 1.15.
            Site {
                name: "b",
                power_mw: 20.0,
                pue: 1.15,
                availability: 0.93,
                serving_share: Share::Fixed(0.85),
                online: None,
                gpus: vec![("gb200", 9000.0), ("h200", 3000.0)],
                ..Default::default()
            },
            Site {
                name: "c",
                power_mw: 45.0,
                pue: 1.3,
                availability: 0.95,
                serving_share: Share::Fixed(1.0),
                online: Some("2026-07-01"),
                gpus: vec![("h100", 20000.0), ("gb200", 6000.0)],
                ..Default::default()
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
                ..Default::default()
            },
            Tier {
                name: "pro",
                users: 7.0e6,
                hourly: curve(14, 0.11, 0.8),
                tokens_per_active_hour: 60000.0,
                spread: 0.9,
                mix: vec![("sonnet", 0.8), ("opus", 0.2)],
                ..Default::default()
            },
            Tier {
                name: "max",
                users: 1.2e6,
                hourly: curve(16, 0.13, 0.85),
                tokens_per_active_hour: 250000.0,
                spread: 1.1,
                mix: vec![("opus", 0.55), ("sonnet", 0.45)],
                ..Default::default()
            },
            Tier {
                name: "api",
                users: 40000.0,
                hourly: curve(17, 0.55, 0.9),
                tokens_per_active_hour: 1.5e6,
                spread: 2.1,
                mix: vec![("opus", 0.4), ("sonnet", 0.4), ("haiku", 0.2)],
                ..Default::default()
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
                            ..Default::default()
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
                            ..Default::default()
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
                            ..Default::default()
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
                            ..Default::default()
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
                            ..Default::default()
                        },
                    ),
                    (
                        "max",
                        Limit {
                            window: "1.5h",
                            window_hours: 1.5,
                            window_tokens: 2.4e6,
                            weekly_tokens: None,
                            peak_factor: 1.2,
                            ..Default::default()
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
                            ..Default::default()
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
    let (fits, over) = assert_matches_reference(&unseen_scenario());
    // The case exercises both outcomes, and demand past 100 %.
    assert!(fits > 0 && fits < 6, "fits {fits}");
    assert!(over > 0, "no result sheds");
}

/// The same scenario with every v2 key: input and cached rates on every SKU, tiers that
/// send input (much of it cached), input budgets, a share curve (training at night), an
/// elastic site, and a training floor.
fn unseen_v2_scenario() -> reference::Scenario {
    use reference::*;
    let mut scenario = unseen_scenario();
    scenario.step_minutes = 30;
    scenario.step = "30m";
    scenario.peak = |minute| {
        let (day, m) = (minute / 1440, minute % 1440);
        (day < 5 && (780..1140).contains(&m)) || (day == 5 && (630..735).contains(&m))
    };
    scenario.peak_hours = vec!["mon-fri 13:00-19:00", "sat 10:30-12:15"];
    for sku in &mut scenario.skus {
        let out = |class: &str| {
            sku.tokens_per_s
                .iter()
                .find(|(c, _)| *c == class)
                .map(|(_, r)| *r)
        };
        sku.input = ["opus", "sonnet"]
            .into_iter()
            .filter_map(|c| out(c).map(|r| (c, r * 25.0)))
            .collect();
        sku.cached = vec![("opus", out("opus").unwrap() * 400.0)];
    }
    // Training takes site a's GPUs 00:00-08:00 UTC every day; site b gives serving what it
    // needs between half and all of its GPUs.
    let night: Vec<f64> = (0..168)
        .map(|h| if h % 24 < 8 { 0.4 } else { 0.95 })
        .collect();
    scenario.sites[0].serving_share = Share::Curve("night", night);
    scenario.sites[1].serving_share = Share::Elastic(0.5, 1.0);
    for (tier, (input, cache)) in
        scenario
            .tiers
            .iter_mut()
            .zip([(3.0, 0.5), (20.0, 0.8), (120.0, 0.95), (8.0, 0.3)])
    {
        tier.input_per_output = input;
        tier.cache_hit = cache;
    }
    for policy in &mut scenario.policies {
        for (tier, limit) in &mut policy.limits {
            if *tier == "api" {
                limit.window_input_tokens = Some(2.0e6);
            }
            if *tier == "max" {
                limit.weekly_input_tokens = Some(4.0e8);
            }
        }
    }
    scenario.training_floor = Some(8.0e5);
    // Costs and prices (model v2), round and made up.
    for (sku, cost) in scenario.skus.iter_mut().zip([1.8, 2.3, 2.9]) {
        sku.cost_per_gpu_hour = cost;
    }
    scenario.sites[1].cost_per_mw_month = 150_000.0;
    for (tier, (user, output, input, cached)) in scenario.tiers.iter_mut().zip([
        (0.0, 0.0, 0.0, 0.0),
        (20.0, 0.0, 0.0, 0.0),
        (100.0, 0.0, 0.0, 0.0),
        (0.0, 25.0, 5.0, 0.5),
    ]) {
        tier.price_per_user_month = user;
        tier.price_per_mtok = [output, input, cached];
    }
    scenario
}

#[test]
fn json_agrees_with_the_reference_model_on_every_v2_key() {
    let scenario = unseen_v2_scenario();
    let text = scenario.to_toml();
    for key in [
        "input_tokens_per_s",
        "cached_tokens_per_s",
        "input_per_output",
        "cache_hit",
        "window_input_tokens",
        "weekly_input_tokens",
        "serving_share = \"night\"",
        "serving_share = { min",
        "training_floor_gpu_hours",
    ] {
        assert!(text.contains(key), "the v2 scenario lacks {key}");
    }
    let (fits, _) = assert_matches_reference(&scenario);
    assert!(fits < 6, "every result fits: the case is too easy");
}

/// Runs `compare --format json` on the scenario and checks every figure against the
/// reference to 1e-9; returns how many results fit and how many shed.
fn assert_matches_reference(scenario: &reference::Scenario) -> (usize, usize) {
    let file = ScenarioFile::new("reference", scenario.to_toml());
    let doc = json(&capplan(&["compare", file.path(), "--format", "json"]));
    assert_eq!(doc["step_minutes"], scenario.step_minutes);
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
    assert_eq!(doc["schema_version"], 3);
    let results = doc["results"].as_array().unwrap();
    let mut costs = 0;
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
            close(
                &actual["training_gpu_hours"],
                expect.training_gpu_hours,
                &format!("{what} training_gpu_hours"),
            );
            assert_eq!(actual["fits"], expect.fits, "{what}");
            let cost = &actual["cost"];
            if cost.is_object() {
                close(
                    &cost["fleet_cost_per_week"],
                    expect.fleet_cost,
                    &format!("{what} fleet cost"),
                );
                close(
                    &cost["serving_cost_per_week"],
                    expect.serving_cost,
                    &format!("{what} serving cost"),
                );
                close(
                    &cost["revenue_per_week"],
                    expect.revenue,
                    &format!("{what} revenue"),
                );
                close(
                    &cost["margin_per_week"],
                    expect.margin,
                    &format!("{what} margin"),
                );
                for (t, (hours, tier_cost, revenue)) in expect.tiers.iter().enumerate() {
                    let actual = &cost["tiers"][t];
                    close(
                        &actual["gpu_hours"],
                        *hours,
                        &format!("{what} tier {t} GPU-hours"),
                    );
                    close(
                        &actual["cost"],
                        *tier_cost,
                        &format!("{what} tier {t} cost"),
                    );
                    close(
                        &actual["revenue"],
                        *revenue,
                        &format!("{what} tier {t} revenue"),
                    );
                }
                costs += 1;
            }
            fits += usize::from(expect.fits);
            over += usize::from(expect.shed_share > 0.0);
        }
    }
    assert!(costs == 0 || costs == results.len());
    (fits, over)
}
