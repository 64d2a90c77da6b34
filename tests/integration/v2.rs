//! Model v2 from the command line, on tiny.toml with v2 keys and hand-computed values:
//! `check` gates on the training floor, `explain` says which kind of token binds, and
//! `solve --budget input` scales the input budgets.

use super::*;

const RATES: (&str, &str) = (
    "tokens_per_s = { sonnet = 800 }",
    "tokens_per_s = { sonnet = 800 }\ninput_tokens_per_s = { sonnet = 8000 }\ncached_tokens_per_s = { sonnet = 80000 }",
);
const INPUT: (&str, &str) = (
    "spread = 0\n",
    "spread = 0\ninput_per_output = 10\ncache_hit = 0.5\n",
);

#[test]
fn check_gates_on_the_training_floor() {
    // Elastic home site, 50,000 users: weekdays need lambda* = (0.625 / 0.85 - 0.5) / 0.5,
    // and training keeps 1,000 * (84 - 60 lambda*) = 55,764.7 GPU-hours, under 60,000.
    let file = ScenarioFile::new(
        "floor",
        tiny_with(&[
            ("users = 100000", "users = 50000"),
            (
                "pue = 1.2\ngpus = { h100 = 1000 }\n\n[[site]]",
                "pue = 1.2\nserving_share = { min = 0.5, max = 1.0 }\ngpus = { h100 = 1000 }\n\n[[site]]",
            ),
            (
                "peak_hours = [",
                "training_floor_gpu_hours = 60000\npeak_hours = [",
            ),
        ]),
    );
    let run = capplan(&[
        "check",
        file.path(),
        "--phase",
        "before",
        "--policy",
        "unlimited",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.contains("FAIL  unlimited (before): peak utilization 85.0% fits, but training keeps 55,765 GPU-hours a week, below the floor of 60,000"),
        "{}",
        run.stdout
    );
    let doc = json(&capplan(&["compare", file.path(), "--format", "json"]));
    let lambda = (0.625 / 0.85 - 0.5) / 0.5;
    let r = result(&doc, "unlimited", "before");
    assert_relative_eq!(
        r["training_gpu_hours"].as_f64().unwrap(),
        1000.0 * (84.0 - 60.0 * lambda),
        max_relative = 1e-12
    );
    assert_eq!(r["fits"], false);
    assert_eq!(doc["training_floor_gpu_hours"], 60000.0);
}

#[test]
fn explain_names_the_token_kind_that_binds() {
    // U = 1.25 (output) + 0.625 (input) + 0.0625 (cached) = 1.9375 at the peak.
    let file = ScenarioFile::new("kinds", tiny_with(&[RATES, INPUT]));
    let args = [
        "explain",
        file.path(),
        "--policy",
        "unlimited",
        "--phase",
        "before",
    ];
    let doc = json(&capplan(&[&args[..], &["--format", "json"]].concat()));
    let kinds = doc["kinds"].as_array().unwrap();
    let expected = [("output", 1.25), ("input", 0.625), ("cached", 0.0625)];
    assert_eq!(kinds.len(), 3);
    for (kind, (name, u)) in kinds.iter().zip(expected) {
        assert_eq!(kind["class"], "sonnet");
        assert_eq!(kind["kind"], name);
        assert_relative_eq!(
            kind["utilization"].as_f64().unwrap(),
            u,
            max_relative = 1e-12
        );
        assert_relative_eq!(
            kind["load_share"].as_f64().unwrap(),
            u / 1.9375,
            max_relative = 1e-12
        );
    }
    assert_eq!(doc["binding"], "sonnet output: 64.5% of GPU time");
    let table = capplan(&args);
    assert!(
        table
            .stdout
            .contains("Binding at the peak: sonnet output: 64.5% of GPU time."),
        "{}",
        table.stdout
    );
    assert!(
        table
            .stdout
            .contains("│ sonnet ┆ input  ┆       62.5% ┆             32.3% │"),
        "{}",
        table.stdout
    );
}

#[test]
fn solve_scales_the_input_budget() {
    // Off peak the input budget binds: cap = 2e6 * m / 5 h / r_in 5 = 80,000 m tok/h, and
    // U = 1e6 * cap / 360,000 * 1.9375e-6 <= 0.85 gives m = 1.974..., 1.97 to 3 digits.
    let file = ScenarioFile::new(
        "input-budget",
        tiny_with(&[
            RATES,
            INPUT,
            (
                "window_tokens = 1000000\n",
                "window_tokens = 1000000\nwindow_input_tokens = 2000000\n",
            ),
        ]),
    );
    let run = capplan(&[
        "solve",
        file.path(),
        "--policy",
        "current",
        "--phase",
        "before",
        "--budget",
        "input",
        "--format",
        "json",
    ]);
    let doc = json(&run);
    assert_eq!(doc["budget"], "input");
    assert_eq!(doc["outcome"], "bounded");
    assert_eq!(doc["multiplier"], 1.97);
    let budget = &doc["budgets"][0];
    assert_eq!(budget["solved_window_input_tokens"], 3_940_000.0);
    assert_eq!(
        budget["solved_window_tokens"], 1_000_000.0,
        "output budgets stay"
    );
    // The output budget alone cannot be scaled past what the input budget allows: the
    // input cap (80,000 tok/h) binds below the output one (200,000), so output is unbounded.
    let run = capplan(&[
        "solve",
        file.path(),
        "--policy",
        "current",
        "--phase",
        "before",
        "--format",
        "json",
    ]);
    assert_eq!(json(&run)["outcome"], "unbounded");
}
