//! Structurally random valid scenarios: any number of SKUs, sites, tiers and policies,
//! any step, wide-ranging numbers. Every output must be finite and in range.
use capplan::model::{Comparison, Phase};
use capplan::plan;
use capplan::scenario::Scenario;
use proptest::prelude::*;

const CLASSES: [&str; 3] = ["a", "b", "c"];

/// The keys whose values are null, anywhere in a JSON document.
fn null_keys(value: &serde_json::Value, key: &str) -> Vec<String> {
    match value {
        serde_json::Value::Null => vec![key.to_string()],
        serde_json::Value::Array(items) => items.iter().flat_map(|v| null_keys(v, key)).collect(),
        serde_json::Value::Object(map) => map.iter().flat_map(|(k, v)| null_keys(v, k)).collect(),
        _ => Vec::new(),
    }
}
const STEPS: [&str; 5] = ["1h", "30m", "15m", "10m", "5m"];

/// Budgets: anything from 0 to 1e12 tokens.
fn number() -> impl Strategy<Value = f64> {
    prop_oneof![Just(0.0), 1e-6f64..1.0, 1.0f64..1e6, 1e6f64..1e12]
}

/// Counts, rates and users: 0 to 1e8, inside every physical-sense cap.
fn count() -> impl Strategy<Value = f64> {
    prop_oneof![Just(0.0), 1e-6f64..1.0, 1.0f64..1e6, 1e6f64..1e8]
}

fn scenario_text() -> impl Strategy<Value = String> {
    (
    0usize..STEPS.len(),
    0.05f64..1.0,
    prop::collection::vec((1.0f64..2000.0, 0.0f64..2.0, prop::collection::vec(count(), 3)), 1..4),
    prop::collection::vec((0.001f64..500.0, 1.0f64..3.0, 0.01f64..1.0, 0.0f64..1.0, any::<bool>(), prop::collection::vec(count(), 3), 0usize..3, 0.0f64..1.0), 1..4),
    prop::collection::vec((count(), prop::collection::vec(0.0f64..1.0, 24), 1.0f64..1e7, 0.0f64..4.0, 0usize..3), 1..4),
    prop::collection::vec(prop::collection::vec((any::<bool>(), number(), prop::option::of(number()), 0.0f64..3.0, 0usize..3), 3), 1..4),
)
    .prop_map(|(step, target, skus, sites, tiers, policies)| {
        let mut s = format!(
            "[scenario]\nname = \"any\"\nstep = \"{}\"\nutilization_target = {target:?}\npeak_hours = [\"mon-fri 13:00-19:00\", \"sun 22:00-02:00\"]\n\n",
            STEPS[step]
        );
        for (i, (watts, overhead, rates)) in skus.iter().enumerate() {
            let rates: Vec<String> = CLASSES.iter().zip(rates).map(|(c, r)| format!("{c} = {r:?}")).collect();
            s += &format!("[gpu.k{i}]\nwatts = {watts:?}\noverhead = {overhead:?}\ntokens_per_s = {{ {} }}\n\n", rates.join(", "));
        }
        for (i, (mw, pue, availability, share, addition, counts, form, low)) in sites.iter().enumerate() {
            let gpus: Vec<String> = (0..skus.len()).map(|k| format!("k{k} = {:?}", counts[k])).collect();
            // A fixed share, an elastic one (the fast path's lambda per run of steps), or
            // the first tier's curve as a share curve (capacity that moves by step).
            let share = match form {
                0 => format!("{share:?}"),
                1 => format!("{{ min = {:?}, max = {share:?} }}", share * low),
                _ => "\"c0\"".to_string(),
            };
            s += &format!(
                "[[site]]\nname = \"s{i}\"\npower_mw = {mw:?}\npue = {pue:?}\navailability = {availability:?}\nserving_share = {share}\ngpus = {{ {} }}\n",
                gpus.join(", ")
            );
            if *addition {
                s += "online = \"2026-07-01\"\n";
            }
            s += "\n";
        }
        for (i, (users, day, tpah, spread, class)) in tiers.iter().enumerate() {
            let values: Vec<String> = day.iter().map(|v| format!("{v:?}")).collect();
            s += &format!(
                "[curve.c{i}]\nweekday = [{0}]\nweekend = [{0}]\n\n[[tier]]\nname = \"t{i}\"\nusers = {users:?}\ncurve = \"c{i}\"\ntokens_per_active_hour = {tpah:?}\nspread = {spread:?}\nmix = {{ {1} = 1.0 }}\n\n",
                values.join(", "),
                CLASSES[*class]
            );
        }
        for (p, limits) in policies.iter().enumerate() {
            s += &format!("[[policy]]\nname = \"p{p}\"\n");
            for (t, (limited, window, weekly, peak, window_kind)) in limits.iter().enumerate().take(tiers.len()) {
                if !limited {
                    continue;
                }
                s += &format!(
                    "[policy.limits.t{t}]\nwindow = \"{}\"\nwindow_tokens = {window:?}\npeak_factor = {peak:?}\n",
                    ["5h", "1m", "7d"][*window_kind]
                );
                if let Some(weekly) = weekly {
                    s += &format!("weekly_tokens = {weekly:?}\n");
                }
            }
            s += "\n";
        }
        s
    })
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
}

proptest! {
#![proptest_config(ProptestConfig::with_cases(48))]

/// The fast evaluator (shared demand matrix, column sums) gives the results of the
/// formula-by-formula model to 1e-9.
#[test]
fn fast_path_agrees_with_the_formulas(text in scenario_text(), scale in 0.1f64..3.0) {
    let Ok(scenario) = Scenario::parse(&text, "any.toml") else { return Ok(()) };
    let evaluator = capplan::model::Evaluator::new(&scenario);
    let users = vec![scale; scenario.tiers.len()];
    for phase in Phase::UNDATED {
        let fleet = capplan::model::FleetCapacity::of_phase(&scenario, &phase);
        for policy in &scenario.policies {
            let fast = evaluator.evaluate(&fleet, policy, &users);
            let slow = capplan::model::evaluate(&scenario, &fleet, policy, &users);
            prop_assert!(close(fast.peak_utilization, slow.peak_utilization));
            // A near-tie may pick another step of the same utilization.
            prop_assert!(fast.peak_step == slow.peak_step
                || close(slow.utilization[fast.peak_step], slow.peak_utilization));
            for (a, b) in fast.utilization.iter().zip(&slow.utilization) {
                prop_assert!(close(*a, *b), "{a} {b}");
            }
            prop_assert!(close(fast.served_share, slow.served_share));
            prop_assert!(close(fast.shed_share, slow.shed_share) || (fast.shed_share - slow.shed_share).abs() < 1e-12);
            prop_assert!(close(fast.mw_to_fit, slow.mw_to_fit));
            prop_assert_eq!(&fast.unservable_classes, &slow.unservable_classes);
            prop_assert!(close(fast.training_gpu_hours, slow.training_gpu_hours)
                || (fast.training_gpu_hours - slow.training_gpu_hours).abs() < 1e-9);
            if fast.peak_step == slow.peak_step {
                prop_assert!(close(fast.throttled_share_at_peak, slow.throttled_share_at_peak));
                prop_assert_eq!(fast.hours_over_target, slow.hours_over_target);
                prop_assert_eq!(fast.fit, slow.fit);
            }
        }
    }
}

#[test]
fn any_valid_scenario_gives_finite_outputs_in_range(text in scenario_text()) {
    // Generated mixes may name a class no SKU serves (all rates 0): that is an
    // input error, and must be reported as one.
    let scenario = match Scenario::parse(&text, "any.toml") {
        Ok(scenario) => scenario,
        Err(error) => {
            let message = error.to_string();
            prop_assert!(message.contains("no GPU SKU can serve"), "{message}\n{text}");
            return Ok(());
        }
    };
    let policies: Vec<usize> = (0..scenario.policies.len()).collect();
    let comparison = Comparison::run(&scenario, &policies, &Phase::UNDATED);
    for result in &comparison.results {
        let h = &result.headroom;
        for v in [h.peak_utilization, h.hours_over_target, h.served_share, h.throttled_share_at_peak, h.shed_share, h.mw_to_fit] {
            prop_assert!(v.is_finite() && v >= 0.0, "{v}\n{text}");
        }
        prop_assert!(h.served_share <= 1.0 + 1e-9 && h.throttled_share_at_peak <= 1.0 + 1e-9 && h.shed_share <= 1.0);
        prop_assert!(h.hours_over_target <= 168.0);
        prop_assert_eq!(h.fits(), h.peak_utilization <= scenario.utilization_target && h.unservable_classes.is_empty());
        if let Some(n) = &result.n_minus_1 {
            prop_assert!(n.headroom.peak_utilization.is_finite());
        }
    }
    // serde_json writes NaN as null: only the fields that are optional may be null.
    let json = serde_json::to_value(plan::compare(&scenario, &policies)).unwrap();
    let nulls = null_keys(&json, "");
    prop_assert!(nulls.iter().all(|k| k == "online" || k == "n_minus_1"), "{nulls:?}");
    let explained = plan::explain(&scenario, 0, &Phase::After);
    prop_assert!(explained.what_if.iter().all(|w| w.peak_utilization.is_finite()));
}
}
