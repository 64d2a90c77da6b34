//! Bad input: every broken scenario exits 2 with the file, line, column and key path, and
//! never a panic. Each case is its own test, so one failure never hides another.

use super::*;

/// A broken scenario: exit 2, no panic, and a message naming the file, line, column and key.
fn assert_rejected(name: &str, text: &str, expected: &[&str]) {
    let file = ScenarioFile::new(name, text);
    let run = capplan(&["compare", file.path()]);
    assert_eq!(run.code, 2, "{name}: {}", run.stderr);
    assert_eq!(run.stdout, "", "{name}");
    assert!(!run.stderr.contains("panicked"), "{name}: {}", run.stderr);
    for needle in expected {
        assert!(
            run.stderr.contains(needle),
            "{name}: expected {needle:?} in\n{}",
            run.stderr
        );
    }
}

/// One test per broken scenario: `name: text => [expected parts of the message];`. The
/// file is written as `name.toml`, so messages name it.
macro_rules! rejected {
    ($($name:ident: $text:expr => [$($needle:expr),* $(,)?];)*) => {
        $(
            #[test]
            fn $name() {
                assert_rejected(stringify!($name), &$text, &[$($needle),*]);
            }
        )*
    };
}

rejected! {
    wrong_type: tiny_text().replace("users = 100000", "users = \"many\"") => ["tier[0].users: invalid type: string \"many\", expected a number",
            "wrong_type.toml:67:9",];
    unknown_key: tiny_text().replace("users = 100000", "uesrs = 100000") => ["unknown field `uesrs`",
            "did you mean `users`?",
            "unknown_key.toml:67:1",];
    missing_key: tiny_text().replace("users = 100000\n", "") => ["tier[0]: missing field `users`", "missing_key.toml:65:1"];
    syntax: tiny_text().replace("[scenario]", "[scenario") => ["invalid TOML", "syntax.toml:26:10"];
    several: tiny_text()
            .replace("mix = { sonnet = 1.0 }", "mix = { sonnet = 0.9 }")
            .replace("curve = \"flat\"", "curve = \"flta\"")
            .replace("pue = 1.2\ngpus", "pue = nan\ngpus") => ["site[0].pue: expected a PUE between 1 and 10, found NaN",
            "tier[0].curve: unknown curve \"flta\"; did you mean \"flat\"?",
            "tier[0].mix: expected class shares that sum to 1",
            "several.toml:71:7",];
    bad_window: tiny_text().replace(
            "window = \"5h\"\nwindow_tokens = 1000000",
            "window = \"five hours\"\nwindow_tokens = 1000000",
        ) => ["policy[1].limits.pro.window: expected a duration such as \"5h\""];
    bad_date: tiny_text().replace("2026-06-06", "2026-02-30") => ["site[1].online: day 30 does not exist"];
    date_time: tiny_text().replace("\"2026-06-06\"", "2026-06-06T10:00:00") => ["site[1].online: expected a date without a time",
            "date_time.toml:54:10",];
    date_number: tiny_text().replace("\"2026-06-06\"", "5") => ["site[1].online: expected a date as \"YYYY-MM-DD\", found 5"];
    bad_peak: tiny_text().replace("mon-fri 13:00-19:00", "weekdays 1pm") => ["scenario.peak_hours[0]: expected a peak-hours spec"];
    unknown_sku: tiny_text().replace("gpus = { h100 = 1000 }", "gpus = { h10 = 1000 }") => ["site[0].gpus.h10: unknown GPU SKU \"h10\"; did you mean \"h100\"?"];
    unknown_class: tiny_text().replace("mix = { sonnet = 1.0 }", "mix = { opus = 1.0 }") => ["tier[0].mix.opus: no GPU SKU lists model class \"opus\""];
    unknown_tier: tiny_text().replace(
            "[policy.limits.pro]\nwindow = \"5h\"\nwindow_tokens = 1000000",
            "[policy.limits.prp]\nwindow = \"5h\"\nwindow_tokens = 1000000",
        ) => ["policy[1].limits.prp: unknown tier \"prp\"; did you mean \"pro\"?"];
    duplicate: tiny_text().replace("name = \"new\"", "name = \"home\"") => ["site[1].name: duplicate site name \"home\""];
    curve_length: tiny_text().replace("weekend = [0.05, 0.05,", "weekend = [0.05,") => ["curve.flat.weekend: expected 24 hourly values, found 23"];
    curve_range: tiny_text().replace("weekday = [0.1, 0.1,", "weekday = [1.5, 0.1,") => ["curve.flat.weekday[0]: expected a share between 0 and 1"];
    no_policies: tiny_text()[..tiny_text().find("[[policy]]").unwrap()] => ["policy: expected at least one [[policy]]"];
    empty: "" => ["empty.toml: the file is empty"];
    binary: "\0\u{1}\u{2}" => ["binary.toml: the file holds binary data"];
}

#[test]
fn an_unreadable_file_exits_2() {
    let run = capplan(&["compare", "no/such/scenario.toml"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("error: cannot read scenario no/such/scenario.toml")
    );
    let file = ScenarioFile::new("latin1", b"[scenario]\nname = \"caf\xe9\"\n");
    let run = capplan(&["compare", file.path()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("not UTF-8"), "{}", run.stderr);
}

/// Every file in tests/fixtures/broken is a scenario with one thing wrong, and its own test:
/// `compare` and `validate` must exit 2 without panicking or printing NaN, with a message
/// holding every `# expect: …` line of the file (or of a sibling `.expect` file, for files
/// that cannot hold a comment).
macro_rules! broken_fixtures {
    ($($name:ident: $file:literal,)*) => {
        /// The fixtures that have a test, by file stem.
        const FIXTURES: &[&str] = &[$($file),*];
        $(
            #[test]
            fn $name() {
                assert_fixture_rejected($file);
            }
        )*
    };
}

mod fixture {
    use super::*;

    broken_fixtures! {
        absurd_users: "absurd-users",
        bad_date: "bad-date",
        bad_duration: "bad-duration",
        bad_peak_hours: "bad-peak-hours",
        bad_step: "bad-step",
        binary: "binary",
        cache_hit_above_one: "cache-hit-above-one",
        class_nobody_serves: "class-nobody-serves",
        curve_both_forms: "curve-both-forms",
        curve_length: "curve-length",
        curve_range: "curve-range",
        duplicate_policy: "duplicate-policy",
        elastic_min_above_max: "elastic-min-above-max",
        empty: "empty",
        fuzz_bom_missing_scenario: "fuzz-bom-missing-scenario",
        infinite_watts: "infinite-watts",
        input_rate_missing: "input-rate-missing",
        missing_key: "missing-key",
        mix_sum: "mix-sum",
        nan_cost: "nan-cost",
        nan_tokens: "nan-tokens",
        negative_price: "negative-price",
        negative_users: "negative-users",
        no_policies: "no-policies",
        no_sites: "no-sites",
        only_comments: "only-comments",
        pue_below_one: "pue-below-one",
        share_above_one: "share-above-one",
        share_curve_undefined: "share-curve-undefined",
        site_not_array: "site-not-array",
        syntax_bad_value: "syntax-bad-value",
        syntax_unclosed_table: "syntax-unclosed-table",
        target_percent: "target-percent",
        timeline_months: "timeline-months",
        timeline_negative_months: "timeline-negative-months",
        training_floor_too_high: "training-floor-too-high",
        uncertainty_low: "uncertainty-low",
        undefined_class: "undefined-class",
        undefined_curve: "undefined-curve",
        undefined_sku: "undefined-sku",
        undefined_tier: "undefined-tier",
        unknown_key: "unknown-key",
        unknown_table: "unknown-table",
        wrong_type: "wrong-type",
        zero_power: "zero-power",
    }

    #[test]
    fn every_fixture_has_its_own_test() {
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/broken");
        let mut stems: Vec<String> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
            .collect();
        stems.sort();
        assert_eq!(
            stems, FIXTURES,
            "add new fixtures to broken_fixtures! in bad_input.rs"
        );
    }
}

/// The checks of one broken fixture, by file stem.
fn assert_fixture_rejected(stem: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/broken")
        .join(format!("{stem}.toml"));
    let bytes = std::fs::read(&path).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let sidecar = std::fs::read_to_string(path.with_extension("expect")).unwrap_or_default();
    let expected: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("# expect: "))
        .chain(sidecar.lines().filter(|l| !l.is_empty()))
        .collect();
    assert!(
        !expected.is_empty(),
        "{} has no expectation",
        path.display()
    );
    for command in ["compare", "validate"] {
        let run = capplan(&[command, path.to_str().unwrap()]);
        assert_eq!(run.code, 2, "{command} {}: {}", path.display(), run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        assert!(
            !run.stderr.contains("NaN") || text.contains("nan"),
            "{}",
            run.stderr
        );
        for needle in &expected {
            assert!(
                run.stderr.contains(needle),
                "{}: expected {needle:?} in\n{}",
                path.display(),
                run.stderr
            );
        }
    }
}
