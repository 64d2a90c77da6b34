//! Model v3 "Placement bounds": the headline peak next to a scheduler that re-places
//! classes every step (a linear program per step) and pools pinned for the week. Expected
//! values are worked out by hand in each fixture's header (tests/fixtures/v3/placement-*)
//! and repeated here; the invariants replaced <= proportional <= pinned are checked on
//! every scenario that runs.

use super::*;

const ADVANTAGE: &str = "tests/fixtures/v3/placement-advantage.toml";
const PINNED: &str = "tests/fixtures/v3/placement-pinned.toml";

fn compare(path: &str) -> Value {
    json(&capplan(&["compare", path, "--format", "json"]))
}

/// The `placement` of a result as (proportional, replaced, pinned).
fn bounds(result: &Value) -> (f64, f64, f64) {
    let p = &result["placement"];
    let number = |key: &str| {
        p[key]
            .as_f64()
            .unwrap_or_else(|| panic!("placement.{key} in {result}"))
    };
    (number("proportional"), number("replaced"), number("pinned"))
}

#[test]
fn one_sku_replaced_is_proportional() {
    // tiny.toml: one SKU. Every placement of one SKU's GPUs is proportional, so the
    // re-placed bound is the headline exactly; the one class is its own pool, so pinned
    // is the headline too.
    let doc = compare(TINY);
    for r in doc["results"].as_array().unwrap() {
        let (proportional, replaced, pinned) = bounds(r);
        assert_eq!(proportional, r["peak_utilization"].as_f64().unwrap());
        assert_eq!(replaced, proportional, "{r}");
        assert_eq!(pinned, proportional, "{r}");
    }
    // One SKU, two classes with different peak hours: replaced is still the headline.
    let doc = compare(PINNED);
    let (proportional, replaced, _) = bounds(result(&doc, "open", "before"));
    assert_relative_eq!(proportional, 0.8, max_relative = 1e-12);
    assert_relative_eq!(replaced, proportional, max_relative = 1e-9);
}

#[test]
fn comparative_advantage_is_worth_what_the_hand_computation_says() {
    // The header of placement-advantage.toml: prefill-chip is twice as fast at input,
    // decode-chip twice as fast at output, 1,000 GPUs each, 1.2e6 output and 1.2e7 input
    // tokens/s every hour.
    //   Proportional: U = 1.2e6 / 3e6 + 1.2e7 / 3e7 = 0.8.
    //   Each chip alone on a row: output 1.2 (prefill-chip) or 0.6 (decode-chip), input
    //   0.6 (prefill-chip) or 1.2 (decode-chip). With w_out, w_in the prefill-chip's
    //   shares, the loads are 1.2 w_out + 0.6 w_in and 0.6 (1 - w_out) + 1.2 (1 - w_in);
    //   they sum to 1.8 + 0.6 (w_out - w_in) >= 1.2, so the larger is >= 0.6, reached at
    //   w_out = 0, w_in = 1 (each chip on the row it is fast at): replaced = 0.6.
    //   Pinned: one class, the same load every hour: 0.8.
    let doc = compare(ADVANTAGE);
    for phase in ["before", "after"] {
        let r = result(&doc, "open", phase);
        let (proportional, replaced, pinned) = bounds(r);
        assert_relative_eq!(proportional, 0.8, max_relative = 1e-12);
        assert!((replaced - 0.6).abs() <= 1e-9, "{replaced}");
        assert_relative_eq!(pinned, 0.8, max_relative = 1e-12);
        // 0.8 misses the 0.7 target; 0.6 would not.
        assert_eq!(r["fits"], false);
    }
    let text = capplan(&["compare", ADVANTAGE]).stdout;
    assert!(
        text.contains(
            "Placement decides 2 verdicts: open (before), open (after) fit if the scheduler re-places classes each hour."
        ),
        "{text}"
    );
    assert!(text.contains("60.0–80.0%"), "{text}");
    // explain gives the same bounds, and says the verdict depends on them.
    let run = capplan(&["explain", ADVANTAGE, "--policy", "open"]);
    assert!(
        run.stdout
            .contains("The verdict depends on placement: it fits if the scheduler re-places classes each hour."),
        "{}",
        run.stdout
    );
    let explained = json(&capplan(&[
        "explain", ADVANTAGE, "--policy", "open", "--format", "json",
    ]));
    let (proportional, replaced, pinned) = bounds(&explained);
    assert_eq!(
        (proportional, replaced, pinned),
        bounds(result(&doc, "open", "after"))
    );
}

#[test]
fn pinned_pools_add_each_class_weekly_peak() {
    // placement-pinned.toml: opus peaks at 13:00 (0.4 of the fleet), sonnet at 01:00
    // (0.6); U peaks at 01:00 at 0.2 + 0.6 = 0.8. Pinned pools each sized for their own
    // peak take 0.4 + 0.6 = 1.0, above U and above the 0.85 target.
    let doc = compare(PINNED);
    let r = result(&doc, "open", "before");
    let (proportional, _, pinned) = bounds(r);
    assert_relative_eq!(proportional, 0.8, max_relative = 1e-12);
    assert_relative_eq!(pinned, 1.0, max_relative = 1e-12);
    assert_eq!(r["fits"], true);
    let text = capplan(&["compare", PINNED]).stdout;
    assert!(
        text.contains("open (before), open (after) do not fit if pools are pinned for the week."),
        "{text}"
    );
    let run = capplan(&["explain", PINNED, "--policy", "open"]);
    assert!(
        run.stdout.contains(
            "The verdict depends on placement: it does not fit if pools are pinned for the week."
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn a_class_at_two_speeds_is_one_pinned_pool() {
    // placement-speeds.toml: chat served at 20 tok/s (peak 0.3 of the fleet at 01:00) and
    // at 40 (peak 0.2 at 13:00): two model columns of one class. A pool holds all of a
    // class's speeds, so pinned is the class's own peak, U = 0.4 (a pool per column would
    // give 0.3 + 0.2 = 0.5).
    let doc = compare("tests/fixtures/v3/placement-speeds.toml");
    let (proportional, replaced, pinned) = bounds(result(&doc, "open", "before"));
    assert_relative_eq!(proportional, 0.4, max_relative = 1e-12);
    assert_eq!(replaced, proportional);
    assert_eq!(pinned, proportional);
}

/// Every scenario file that compare answers: the shipped ones and the test fixtures
/// (bad-input fixtures, which it refuses, are left out).
fn runnable_scenarios() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    let mut dirs = vec![root.join("scenarios"), root.join("tests/fixtures")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "toml") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

#[test]
fn replaced_never_above_proportional_never_above_pinned() {
    let mut checked = 0;
    for path in runnable_scenarios() {
        let path = path.to_str().unwrap();
        let run = capplan(&["compare", path, "--format", "json", "-q"]);
        if run.code != 0 {
            continue;
        }
        let doc: Value = serde_json::from_str(&run.stdout).unwrap();
        for r in doc["results"].as_array().unwrap() {
            let (proportional, replaced, pinned) = bounds(r);
            assert_eq!(
                proportional,
                r["peak_utilization"].as_f64().unwrap(),
                "{path}"
            );
            assert!(
                0.0 <= replaced && replaced <= proportional && proportional <= pinned,
                "{path}: {} ({}): {replaced} {proportional} {pinned}",
                r["policy"],
                r["phase"]
            );
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} scenarios ran");
}

#[test]
fn colossus_bounds_bracket_every_headline_and_csv_carries_them() {
    let doc = compare(COLOSSUS);
    let csv = capplan(&["compare", COLOSSUS, "--format", "csv", "-q"]).stdout;
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (replaced_at, pinned_at) = (column("placement_replaced"), column("placement_pinned"));
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let results = doc["results"].as_array().unwrap();
    assert_eq!(rows.len(), results.len());
    for (r, row) in results.iter().zip(&rows) {
        let (proportional, replaced, pinned) = bounds(r);
        // Its chips have their own strengths (prefill from compute, decode from memory):
        // re-placing is worth something on every result.
        assert!(replaced < proportional && proportional <= pinned, "{r}");
        assert_eq!(row[replaced_at].parse::<f64>().unwrap(), replaced);
        assert_eq!(row[pinned_at].parse::<f64>().unwrap(), pinned);
    }
}

/// Two SKUs with their own strengths (every rate drawn), two classes with output and input
/// rates, two tiers with peaks at different hours, a share curve on one site and an
/// elastic share on the other.
#[allow(clippy::too_many_arguments)]
fn two_skus(
    a_out: [f64; 2],
    a_in: [f64; 2],
    b_out: [f64; 2],
    b_in: [f64; 2],
    users: f64,
    input_per_output: f64,
    elastic_min: f64,
) -> capplan::scenario::Scenario {
    let text = format!(
        r#"
[scenario]
name = "two-skus"
step = "1h"
utilization_target = 0.8
peak_hours = ["mon-fri 13:00-19:00"]

[gpu.a]
watts = 700
overhead = 0.8
tokens_per_s = {{ big = {:?}, small = {:?} }}
input_tokens_per_s = {{ big = {:?}, small = {:?} }}

[gpu.b]
watts = 1200
overhead = 0.5
tokens_per_s = {{ big = {:?}, small = {:?} }}
input_tokens_per_s = {{ big = {:?}, small = {:?} }}

[[site]]
name = "one"
power_mw = 5
pue = 1.2
serving_share = "night"
gpus = {{ a = 1000, b = 300 }}

[[site]]
name = "two"
power_mw = 5
pue = 1.2
serving_share = {{ min = {elastic_min:?}, max = 1 }}
gpus = {{ b = 1000 }}

[curve.night]
weekday = [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
weekend = [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]

[curve.day]
weekday = [0.02, 0.02, 0.02, 0.02, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09,
       0.1, 0.1, 0.1, 0.1, 0.09, 0.08, 0.07, 0.06, 0.05, 0.04, 0.03, 0.02]
weekend = [0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.02, 0.02, 0.03, 0.03, 0.04, 0.04,
       0.05, 0.05, 0.05, 0.05, 0.04, 0.04, 0.03, 0.03, 0.02, 0.02, 0.01, 0.01]

[curve.evening]
weekday = [0.08, 0.06, 0.04, 0.02, 0.02, 0.02, 0.02, 0.02, 0.03, 0.03, 0.04, 0.04,
       0.05, 0.05, 0.05, 0.06, 0.06, 0.07, 0.08, 0.09, 0.1, 0.1, 0.1, 0.09]
weekend = [0.08, 0.06, 0.04, 0.02, 0.02, 0.02, 0.02, 0.02, 0.03, 0.03, 0.04, 0.04,
       0.05, 0.05, 0.05, 0.06, 0.06, 0.07, 0.08, 0.09, 0.1, 0.1, 0.1, 0.09]

[[tier]]
name = "work"
users = {users:?}
curve = "day"
tokens_per_active_hour = 50000
spread = 1
input_per_output = {input_per_output:?}
mix = {{ big = 0.7, small = 0.3 }}

[[tier]]
name = "home"
users = {users:?}
curve = "evening"
tokens_per_active_hour = 30000
spread = 1
mix = {{ small = 1.0 }}

[[policy]]
name = "p"
[policy.limits.work]
window = "5h"
window_tokens = 200000
"#,
        a_out[0], a_out[1], a_in[0], a_in[1], b_out[0], b_out[1], b_in[0], b_in[1]
    );
    capplan::scenario::Scenario::parse(&text, "two-skus.toml").unwrap()
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

    /// Whatever the rates: replaced <= proportional <= pinned; replaced is no lower than
    /// U over the largest spread of rates on a row (all GPUs pooled at each row's fastest
    /// rate need at least U / spread); and the same input gives the same bits.
    #[test]
    fn bounds_hold_for_any_rates(
        a_out in proptest::array::uniform2(100.0f64..5_000.0),
        a_in in proptest::array::uniform2(1_000.0f64..50_000.0),
        b_out in proptest::array::uniform2(100.0f64..5_000.0),
        b_in in proptest::array::uniform2(1_000.0f64..50_000.0),
        users in 1e5f64..5e6,
        input_per_output in 0.0f64..20.0,
        elastic_min in 0.2f64..1.0,
    ) {
        use capplan::model::{Comparison, Phase};
        let s = two_skus(a_out, a_in, b_out, b_in, users, input_per_output, elastic_min);
        let spread = (0..2)
            .flat_map(|c| [
                a_out[c].max(b_out[c]) / a_out[c].min(b_out[c]),
                a_in[c].max(b_in[c]) / a_in[c].min(b_in[c]),
            ])
            .fold(1.0, f64::max);
        let first = Comparison::run(&s, &[0], &Phase::UNDATED);
        for result in &first.results {
            let p = result.placement;
            proptest::prop_assert_eq!(p.proportional, result.headroom.peak_utilization);
            proptest::prop_assert!(p.replaced <= p.proportional && p.proportional <= p.pinned);
            proptest::prop_assert!(
                p.replaced >= p.proportional / spread * (1.0 - 1e-9),
                "{:?} spread {}", p, spread
            );
        }
        let again = Comparison::run(&s, &[0], &Phase::UNDATED);
        for (x, y) in first.results.iter().zip(&again.results) {
            proptest::prop_assert_eq!(x.placement.replaced.to_bits(), y.placement.replaced.to_bits());
            proptest::prop_assert_eq!(x.placement.pinned.to_bits(), y.placement.pinned.to_bits());
        }
    }
}
