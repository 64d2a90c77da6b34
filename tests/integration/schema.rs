//! The JSON Schema: committed as generated, every shipped scenario valid against it, and
//! its bounds the validator's own.

use super::*;

#[test]
fn committed_schema_is_the_generated_one() {
    let run = capplan(&["schema"]);
    assert_eq!(run.code, 0);
    let committed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/schema.json"),
    )
    .unwrap();
    assert_eq!(
        run.stdout, committed,
        "run `cargo run -- schema > scenarios/schema.json`"
    );
}

/// A TOML document as JSON, TOML dates as strings, for schema validation.
fn toml_to_json(value: &toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(f) => Value::from(*f),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => Value::Object(
            table
                .iter()
                .map(|(k, v)| (k.clone(), toml_to_json(v)))
                .collect(),
        ),
    }
}

#[test]
fn every_shipped_scenario_validates_against_the_schema() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("scenarios/schema.json")).unwrap())
            .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut checked = 0;
    for entry in std::fs::read_dir(root.join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("#:schema ./schema.json\n"),
            "{} lacks the #:schema line",
            path.display()
        );
        let document: toml::Value = toml::from_str(&text).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&toml_to_json(&document))
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
        // And capplan itself accepts it.
        assert_eq!(capplan(&["validate", path.to_str().unwrap()]).code, 0);
        checked += 1;
    }
    assert!(checked >= 3);
    // The schema is not vacuous: a misspelt key and a share above 1 are rejected.
    let bad: toml::Value = toml::from_str(
        &tiny_text()
            .replace("users = 100000", "uesrs = 100000")
            .replace("pue = 1.2\ngpus", "pue = 0.9\ngpus"),
    )
    .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&toml_to_json(&bad))
        .map(|e| e.to_string())
        .collect();
    assert!(errors.len() >= 2, "{errors:?}");
}

/// Where each schema definition sits in [`bounds_scenario`], as TOML keys and as the key
/// path the validator names.
fn location(definition: &str, property: &str) -> (Vec<toml_path::Key>, String) {
    use toml_path::Key::{Index, Name};
    let name = |s: &str| Name(s.to_string());
    match definition {
        "ScenarioSection" => (vec![name("scenario")], "scenario".into()),
        "GpuSpec" => (vec![name("gpu"), name("h100")], "gpu.h100".into()),
        "SiteSpec" => (vec![name("site"), Index(0)], "site[0]".into()),
        "CurveSpec" if property == "week" => {
            (vec![name("curve"), name("week")], "curve.week".into())
        }
        "CurveSpec" => (vec![name("curve"), name("flat")], "curve.flat".into()),
        "TierSpec" => (vec![name("tier"), Index(0)], "tier[0]".into()),
        "LimitSpec" => (
            vec![name("policy"), Index(2), name("limits"), name("pro")],
            "policy[2].limits.pro".into(),
        ),
        "TimelineSpec" => (vec![name("timeline")], "timeline".into()),
        "UncertaintySpec" => (vec![name("uncertainty")], "uncertainty".into()),
        "MultiplierRange" => (
            vec![name("uncertainty"), name("users")],
            "uncertainty.users".into(),
        ),
        "SlipRange" => (
            vec![name("uncertainty"), name("slip_days")],
            "uncertainty.slip_days".into(),
        ),
        "GrowthRange" => (
            vec![name("uncertainty"), name("growth")],
            "uncertainty.growth".into(),
        ),
        "PriceSpec" => (
            vec![name("tier"), Index(0), name("price_per_mtok")],
            "tier[0].price_per_mtok".into(),
        ),
        "ElasticSpec" => (
            vec![name("site"), Index(0), name("serving_share")],
            "site[0].serving_share".into(),
        ),
        "ObservedSpec" => {
            // One observation per metric; the weight on the first.
            let index = match property {
                "throttled_share_at_peak" => 1,
                "served_share" => 2,
                "revenue_per_week" => 3,
                _ => 0,
            };
            (
                vec![name("observed"), Index(index)],
                format!("observed[{index}]"),
            )
        }
        other => panic!("no place for {other} in the bounds scenario"),
    }
}

/// Setting a value deep in a TOML document by its keys.
mod toml_path {
    /// One step into a TOML document.
    pub enum Key {
        Name(String),
        Index(usize),
    }

    /// Sets the value at `keys`; a missing last key (one with a default) is added.
    pub fn set(root: &mut toml::Value, keys: &[Key], value: toml::Value) {
        let (last, path) = keys.split_last().unwrap();
        let mut node = root;
        for key in path {
            node = match key {
                Key::Name(n) => node.get_mut(n.as_str()).unwrap_or_else(|| panic!("no {n}")),
                Key::Index(i) => node.get_mut(*i).unwrap(),
            };
        }
        match last {
            Key::Name(n) => {
                node.as_table_mut().unwrap().insert(n.clone(), value);
            }
            Key::Index(i) => node[*i] = value,
        }
    }
}

/// tiny.toml with every bounded key present: a `week` curve, per-tier growth.
fn bounds_scenario() -> String {
    let week = vec!["0.1"; 168].join(", ");
    tiny_text()
        .replace("growth = 0.1\n", "growth = 0.1\ntier_growth = { pro = 0.1 }\n")
        .replace("peak_hours = [", "training_floor_gpu_hours = 0\npeak_hours = [")
        .replace(
            "high = 1.2\n",
            "high = 1.2\nsamples = 10\nseed = 3\nusers = { p10 = 0.9, p90 = 1.1 }\n\
             tokens_per_active_hour = { p10 = 0.9, p90 = 1.1 }\nthroughput = { p10 = 0.9, p90 = 1.1 }\n\
             growth = { p10 = 0.05, p90 = 0.1 }\nslip_days = { p10 = 0, p90 = 0 }\n",
        )
        .replace(
            "tokens_per_s = { sonnet = 800 }",
            "tokens_per_s = { sonnet = 800 }\ninput_tokens_per_s = { sonnet = 20000 }\ncached_tokens_per_s = { sonnet = 200000 }",
        )
        .replace(
            "pue = 1.2\ngpus = { h100 = 1000 }\n\n[[site]]",
            "pue = 1.2\nserving_share = { min = 0.5, max = 1.0 }\ngpus = { h100 = 1000 }\n\n[[site]]",
        )
        .replace(
            "spread = 0\n",
            "spread = 0\ninput_per_output = 10\ncache_hit = 0.5\nprice_per_user_month = 20\nprice_per_mtok = { output = 15, input = 3, cached = 0.3 }\n",
        )
        .replace("overhead = 0.8\n", "overhead = 0.8\ncost_per_gpu_hour = 2\n")
        .replace("pue = 1.2\ngpus = { h100 = 1000 }\n\n[curve", "pue = 1.2\ngpus = { h100 = 1000 }\ncost_per_mw_month = 100000\n\n[curve")
        .replace(
            "window_tokens = 2000000\n",
            "window_tokens = 2000000\nwindow_input_tokens = 20000000\nweekly_input_tokens = 40000000\n",
        )
        + &format!("\n[curve.week]\nweek = [{week}]\n")
        + "\n[[observed]]\npolicy = \"current\"\nphase = \"before\"\npeak_utilization = 0.5\nweight = 1\n\
           \n[[observed]]\npolicy = \"current\"\nphase = \"before\"\ntier = \"pro\"\nthrottled_share_at_peak = 0.5\n\
           \n[[observed]]\npolicy = \"current\"\nphase = \"before\"\nserved_share = 0.5\n\
           \n[[observed]]\npolicy = \"current\"\nphase = \"before\"\nrevenue_per_week = 1000\n"
}

/// Whether the validator raises an error at `key_path` for this scenario.
fn rejects_at(document: &toml::Value, key_path: &str) -> bool {
    let text = toml::to_string(document).unwrap();
    match capplan::scenario::Scenario::parse(&text, "bounds.toml") {
        Ok(_) => false,
        Err(error) => error.diagnostics.iter().any(|d| {
            d.key_path
                .as_ref()
                .is_some_and(|k| k.to_string() == key_path)
        }),
    }
}

/// The schema states every bound the validator enforces on a number, and the validator
/// accepts and rejects exactly at the schema's limits: each limit is tried, and a hair
/// past it, on a scenario that has every bounded key.
#[test]
fn the_schemas_bounds_are_the_validators() {
    use capplan::scenario::bounds::{Place, SCHEMA_BOUNDS};
    let schema = capplan::scenario::Scenario::json_schema();
    // Every number in the schema is bounded, and by SCHEMA_BOUNDS.
    let mut numbers = Vec::new();
    for (definition, node) in schema["definitions"].as_object().unwrap() {
        // ServingShareSpec is a number, a string or a table: its number is bounded where
        // a site uses it (SiteSpec.serving_share).
        let Some(properties) = node["properties"].as_object() else {
            continue;
        };
        for (property, spec) in properties {
            for inner in [spec, &spec["items"], &spec["additionalProperties"]] {
                let kind = inner["type"].to_string();
                if kind.contains("number") || kind.contains("integer") {
                    numbers.push((definition.clone(), property.clone()));
                }
            }
        }
    }
    numbers.sort();
    let bounded: Vec<(String, String)> = SCHEMA_BOUNDS
        .iter()
        .map(|(d, p, ..)| (d.to_string(), p.to_string()))
        .collect();
    let unbounded: Vec<&(String, String)> =
        numbers.iter().filter(|n| !bounded.contains(n)).collect();
    assert!(
        unbounded.is_empty(),
        "numbers in the schema without bounds: {unbounded:?}"
    );

    let base: toml::Value = toml::from_str(&bounds_scenario()).unwrap();
    assert!(
        !rejects_at(&base, "scenario"),
        "the bounds scenario must be valid"
    );
    capplan::scenario::Scenario::parse(&toml::to_string(&base).unwrap(), "bounds.toml").unwrap();
    for (definition, property, place, _) in SCHEMA_BOUNDS {
        let node = &schema["definitions"][definition]["properties"][property];
        let node = match place {
            Place::Value => node,
            Place::Items => &node["items"],
            Place::Values => &node["additionalProperties"],
        };
        // An optional integer is typed ["integer", "null"].
        let integer = node["type"] == "integer"
            || node["type"]
                .as_array()
                .is_some_and(|types| types.contains(&serde_json::json!("integer")));
        let (mut keys, prefix) = location(definition, property);
        keys.push(toml_path::Key::Name(property.to_string()));
        let mut key_path = format!("{prefix}.{property}");
        match place {
            Place::Value => {}
            Place::Items => {
                keys.push(toml_path::Key::Index(0));
                key_path.push_str("[0]");
            }
            Place::Values => {
                let key = match property {
                    "gpus" => "h100",
                    "tier_growth" => "pro",
                    _ => "sonnet",
                };
                keys.push(toml_path::Key::Name(key.to_string()));
                key_path = format!("{key_path}.{key}");
            }
        }
        let value = |v: f64| {
            if integer {
                toml::Value::Integer(v as i64)
            } else {
                toml::Value::Float(v)
            }
        };
        let hair = |v: f64| {
            if integer {
                1.0
            } else {
                (v.abs() * 1e-6).max(1e-6)
            }
        };
        let verdict = |v: f64| {
            let mut document = base.clone();
            toml_path::set(&mut document, &keys, value(v));
            rejects_at(&document, &key_path)
        };
        let what = format!("{definition}.{property} ({key_path})");
        if let Some(low) = node["minimum"].as_f64() {
            assert!(
                !verdict(low),
                "{what}: the schema's minimum {low} is rejected"
            );
            assert!(
                verdict(low - hair(low)),
                "{what}: below the minimum {low} is accepted"
            );
        }
        if let Some(low) = node["exclusiveMinimum"].as_f64() {
            assert!(
                verdict(low),
                "{what}: the exclusive minimum {low} is accepted"
            );
            assert!(
                !verdict(low + hair(low)),
                "{what}: just above {low} is rejected"
            );
        }
        let high = node["maximum"]
            .as_f64()
            .unwrap_or_else(|| panic!("{what}: no maximum"));
        // The floor's real ceiling is what the fleet can give, which JSON Schema cannot
        // compute: its schema maximum is only the absurdity cap.
        if property != "training_floor_gpu_hours" {
            assert!(
                !verdict(high),
                "{what}: the schema's maximum {high} is rejected"
            );
        }
        assert!(
            verdict(high + hair(high)),
            "{what}: above the maximum {high} is accepted"
        );
    }
}

/// Broken fixtures whose fault JSON Schema cannot state, and why. Every other fixture in
/// tests/fixtures/broken must be rejected by the schema too: what the binary refuses, an
/// editor flags.
const BEYOND_THE_SCHEMA: [(&str, &str); 13] = [
    (
        "nan-cost",
        "NaN: JSON has none, an editor sees null, which an optional key allows",
    ),
    ("elastic-min-above-max", "a comparison between two values"),
    (
        "input-rate-missing",
        "a rule across tables: every SKU serving a class gives its rates",
    ),
    (
        "share-curve-undefined",
        "a reference across tables: a curve id",
    ),
    (
        "training-floor-too-high",
        "a bound that depends on the whole fleet",
    ),
    (
        "bad-date",
        "a date that does not exist: the pattern checks only its shape",
    ),
    (
        "class-nobody-serves",
        "a reference across tables: a mix class no SKU serves",
    ),
    ("duplicate-policy", "unique names within an array of tables"),
    ("mix-sum", "a sum over a table's values"),
    (
        "undefined-class",
        "a reference across tables: a class no SKU lists",
    ),
    ("undefined-curve", "a reference across tables: a curve id"),
    ("undefined-sku", "a reference across tables: a SKU id"),
    ("undefined-tier", "a reference across tables: a tier name"),
];

#[test]
fn the_schema_rejects_what_the_binary_rejects() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let validator = jsonschema::validator_for(&capplan::scenario::Scenario::json_schema()).unwrap();
    let mut accepted = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(root.join("tests/fixtures/broken"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    entries.sort();
    for path in entries {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        // A file TOML cannot parse is rejected before any schema is asked.
        let Ok(document) = toml::from_str::<toml::Value>(&text) else {
            continue;
        };
        let valid = validator.is_valid(&toml_to_json(&document));
        let exempt = BEYOND_THE_SCHEMA.iter().any(|(name, _)| *name == stem);
        if valid && !exempt {
            accepted.push(stem);
        } else if !valid && exempt {
            panic!("{stem} is listed as beyond the schema, but the schema rejects it");
        }
    }
    assert_eq!(
        accepted,
        Vec::<String>::new(),
        "the schema accepts these broken files"
    );
}

/// The schema's patterns and the parsers agree on durations, steps and peak hours.
#[test]
fn patterns_and_parsers_agree() {
    let validator = jsonschema::validator_for(&capplan::scenario::Scenario::json_schema()).unwrap();
    let base: toml::Value = toml::from_str(&tiny_text()).unwrap();
    let accepts = |edit: &dyn Fn(&mut toml::Value)| {
        let mut document = base.clone();
        edit(&mut document);
        let by_schema = validator.is_valid(&toml_to_json(&document));
        let by_binary =
            capplan::scenario::Scenario::parse(&toml::to_string(&document).unwrap(), "p.toml")
                .is_ok();
        (by_schema, by_binary)
    };
    for window in [
        "5h", "1m", "7d", "1w", "1.5h", "0.5d", "1M", "500ms", "30s", "0h", "0.0m", "5 hours",
        "1h30m", ".5h", "5.h", "-1h",
    ] {
        let verdicts = accepts(&|d| {
            d["policy"][1]["limits"]["pro"]["window"] = toml::Value::String(window.into());
        });
        assert_eq!(verdicts.0, verdicts.1, "window {window:?}: schema, binary");
        let valid = ["5h", "1m", "7d", "1w", "1.5h", "0.5d"].contains(&window);
        assert_eq!(verdicts.1, valid, "window {window:?}");
    }
    for step in [
        "1h", "60m", "30m", "15m", "1m", "7m", "2h", "0.5h", "15.0m", "1 h",
    ] {
        let verdicts = accepts(&|d| d["scenario"]["step"] = toml::Value::String(step.into()));
        assert_eq!(verdicts.0, verdicts.1, "step {step:?}: schema, binary");
        assert_eq!(
            verdicts.1,
            ["1h", "60m", "30m", "15m", "1m"].contains(&step),
            "step {step:?}"
        );
    }
    for peak in [
        "mon-fri 13:00-19:00",
        "Sat,sun 0:00-24:00",
        "daily 22:00-02:00",
        "* 9:30-10:00",
        "weekdays 1pm",
        "mon-fri 13:00",
        "mon-fri 13:00-25:00",
        "fri-mon 23:00-01:00",
    ] {
        let verdicts = accepts(&|d| {
            d["scenario"]["peak_hours"] =
                toml::Value::Array(vec![toml::Value::String(peak.into())]);
        });
        assert_eq!(verdicts.0, verdicts.1, "peak {peak:?}: schema, binary");
        assert_eq!(
            verdicts.1,
            !peak.contains("1pm") && peak.matches(':').count() == 2 && !peak.contains("25:"),
            "peak {peak:?}"
        );
    }
    for name in ["pro", "", "  ", "a\u{1b}b", "tab\there", "r\u{202e}l"] {
        let verdicts = accepts(&|d| {
            d["tier"][0]["name"] = toml::Value::String(name.into());
            let limits = d["policy"][1]["limits"].as_table_mut().unwrap();
            let pro = limits.remove("pro").unwrap();
            limits.insert(name.into(), pro);
            let limits = d["policy"][2]["limits"].as_table_mut().unwrap();
            let pro = limits.remove("pro").unwrap();
            limits.insert(name.into(), pro);
        });
        assert_eq!(verdicts.0, verdicts.1, "name {name:?}: schema, binary");
        assert_eq!(verdicts.1, name == "pro", "name {name:?}");
    }
}
