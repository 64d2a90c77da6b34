//! Cost and margin from the command line: the compact table, the JSON `cost`, `check
//! --min-margin`, `solve --max-cost`, and nothing at all when a scenario gives no cost.

use super::*;

/// tiny.toml with GPU and power costs, a subscription price and a priced API tier, then
/// `extra` edits.
fn priced(extra: &[(&str, &str)]) -> String {
    let mut edits = vec![
        (
            "overhead = 0.8\n",
            "overhead = 0.8\ncost_per_gpu_hour = 2.0\n",
        ),
        (
            "pue = 1.2\ngpus = { h100 = 1000 }\n\n[[site]]",
            "pue = 1.2\ngpus = { h100 = 1000 }\ncost_per_mw_month = 100000\n\n[[site]]",
        ),
        (
            "mix = { sonnet = 1.0 }\n",
            "mix = { sonnet = 1.0 }\nprice_per_user_month = 20\n\n[[tier]]\nname = \"api\"\nusers = 100\ncurve = \"flat\"\ntokens_per_active_hour = 3600000\nmix = { sonnet = 1.0 }\nprice_per_mtok = { output = 15, input = 3 }\n",
        ),
    ];
    edits.extend_from_slice(extra);
    tiny_with(&edits)
}

#[test]
fn compare_shows_cost_and_each_policy_against_the_first() {
    let file = ScenarioFile::new("priced", priced(&[]));
    let doc = json(&capplan(&["compare", file.path(), "--format", "json"]));
    let unlimited = result(&doc, "unlimited", "before")["cost"].clone();
    let current = result(&doc, "current", "before")["cost"].clone();
    // 1,000 GPUs at $2 for 168 h and 1.512 MW at $100,000 a month (12/52 of it a week).
    let fleet = 336_000.0 + 1.512 * 100_000.0 * 12.0 / 52.0;
    assert_relative_eq!(
        unlimited["fleet_cost_per_week"].as_f64().unwrap(),
        fleet,
        max_relative = 1e-12
    );
    assert!(unlimited["versus_first"].is_null());
    let delta = &current["versus_first"];
    assert_eq!(delta["policy"], "unlimited");
    assert_relative_eq!(
        delta["revenue_per_week"].as_f64().unwrap(),
        current["revenue_per_week"].as_f64().unwrap()
            - unlimited["revenue_per_week"].as_f64().unwrap(),
        max_relative = 1e-12
    );
    let table = capplan(&["compare", file.path()]);
    assert!(
        table.stdout.contains("Cost and margin (USD a week"),
        "{}",
        table.stdout
    );
    assert!(
        table
            .stdout
            .contains("current (before) costs $0 more serving a week than unlimited, and earns"),
        "{}",
        table.stdout
    );
}

#[test]
fn a_scenario_without_costs_shows_none() {
    for format in ["table", "json", "csv", "markdown"] {
        let run = capplan(&["compare", TINY, "--format", format]);
        assert!(!run.stdout.contains("Cost and margin"), "{format}");
        assert!(!run.stdout.contains("cost"), "{format}");
        assert!(!run.stdout.contains("margin"), "{format}");
    }
    let run = capplan(&["check", TINY, "--min-margin", "all=0"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("--min-margin needs costs and prices"),
        "{}",
        run.stderr
    );
}

#[test]
fn check_gates_on_margin() {
    let file = ScenarioFile::new("priced", priced(&[]));
    let doc = json(&capplan(&[
        "compare",
        file.path(),
        "--format",
        "json",
        "--policy",
        "current",
    ]));
    let margin = result(&doc, "current", "before")["cost"]["margin_per_week"]
        .as_f64()
        .unwrap();
    let args = |floor: String| {
        capplan(&[
            "check",
            file.path(),
            "--phase",
            "before",
            "--policy",
            "current",
            "--min-margin",
            &floor,
        ])
    };
    assert_eq!(args(format!("all={}", margin.floor() - 1.0)).code, 0);
    let run = args(format!("all={}", margin.ceil() + 1.0));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.contains("fits, but the margin of all is"),
        "{}",
        run.stdout
    );
    let run = args("pro=-1".into());
    assert_eq!(run.code, 0, "{}", run.stdout);
    let run = args("prp=0".into());
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("did you mean \"pro\"?"),
        "{}",
        run.stderr
    );
}

#[test]
fn solve_keeps_the_serving_cost_within_a_bound() {
    // Elastic home site: the more serving, the more of the fleet cost serving carries.
    let file = ScenarioFile::new(
        "elastic-priced",
        priced(&[(
            "pue = 1.2\ngpus = { h100 = 1000 }\ncost_per_mw_month",
            "pue = 1.2\nserving_share = { min = 0.3, max = 1.0 }\ngpus = { h100 = 1000 }\ncost_per_mw_month",
        )]),
    );
    let solve = |extra: &[&str]| {
        let mut args = vec![
            "solve",
            file.path(),
            "--policy",
            "current",
            "--phase",
            "before",
            "--format",
            "json",
        ];
        args.extend(extra);
        json(&capplan(&args))
    };
    let free = solve(&[]);
    let m = free["multiplier"].as_f64().unwrap();
    let cost = free["serving_cost_per_week"].as_f64().unwrap();
    // A bound the unbounded answer already keeps changes nothing; a tighter one lowers it.
    let loose = solve(&["--max-cost", &format!("{}", cost * 2.0)]);
    assert_eq!(loose["multiplier"].as_f64().unwrap(), m);
    let tight = solve(&["--max-cost", &format!("{}", cost * 0.8)]);
    assert!(tight["multiplier"].as_f64().unwrap() < m, "{tight}");
    assert!(tight["serving_cost_per_week"].as_f64().unwrap() <= cost * 0.8);
    let run = capplan(&["solve", TINY, "--policy", "current", "--max-cost", "5"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("--max-cost needs costs"),
        "{}",
        run.stderr
    );
}
