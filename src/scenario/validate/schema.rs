//! What the validator enforces, stated in the generated JSON Schema wherever JSON Schema can
//! say it: the [`super::bounds`] of every number, the sections that must not be empty, the
//! forms of a curve, names without control characters, and the patterns of durations, steps
//! and peak hours. What it cannot say (references between tables, unique names, mixes that
//! sum to 1, dates that exist) is listed in tests/integration/schema.rs.

use serde_json::{Value, json};

use super::{bounds, printable_char};
use crate::scenario::units::{DURATION_PATTERN, STEP_PATTERN};

/// The characters of the Basic Multilingual Plane a name may not hold, as a character
/// class body (`\u0000-\u001F…`): the set the validator's `printable` refuses. Refused
/// characters beyond U+FFFF (tag characters, astral noncharacters and format characters)
/// cannot be written in a pattern without the `u` flag, so only the validator holds them.
fn not_printable() -> String {
    let mut class = String::new();
    let mut start: Option<u32> = None;
    for code in 0..=0x1_0000u32 {
        let refused = char::from_u32(code).is_some_and(|c| code <= 0xFFFF && !printable_char(c));
        match (refused, start) {
            (true, None) => start = Some(code),
            (false, Some(first)) => {
                let last = code - 1;
                if first == last {
                    class.push_str(&format!("\\u{first:04X}"));
                } else {
                    class.push_str(&format!("\\u{first:04X}-\\u{last:04X}"));
                }
                start = None;
            }
            _ => {}
        }
    }
    class
}

/// A day of the week in any case, as the peak-hours parser reads it.
const DAY: &str = "(?:[Mm][Oo][Nn]|[Tt][Uu][Ee]|[Ww][Ee][Dd]|[Tt][Hh][Uu]|[Ff][Rr][Ii]|[Ss][Aa][Tt]|[Ss][Uu][Nn])";

/// A clock time from 0:00 to 24:00.
const CLOCK: &str = "(?:[01]?[0-9]:[0-5][0-9]|2[0-3]:[0-5][0-9]|24:00)";

/// Completes a schema generated from the raw types with everything above.
pub fn complete(schema: &mut Value) {
    bounds::apply_to_schema(schema);
    let refused = not_printable();
    // `::` and `##[` are GitHub workflow commands (see `printable`).
    let no_command = r"(?!.*(?:::|##\[))";
    let name = json!({
        "minLength": 1,
        "pattern": format!("^{no_command}[^{refused}]*[^\\s{refused}][^{refused}]*$"),
    });
    let printable = json!({ "pattern": format!("^{no_command}[^{refused}]*$") });
    let days = format!("(?:[Dd][Aa][Ii][Ll][Yy]|\\*|{DAY}(?:-{DAY})?(?:,{DAY}(?:-{DAY})?)*)");
    let peak = format!("^\\s*{days}\\s+{CLOCK}-{CLOCK}\\s*$");
    let non_empty_table = json!({ "minProperties": 1 });
    let non_empty_array = json!({ "minItems": 1 });
    let edits: [(&str, Value); 16] = [
        ("/properties/gpu", non_empty_table.clone()),
        ("/properties/site", non_empty_array.clone()),
        ("/properties/tier", non_empty_array.clone()),
        ("/properties/policy", non_empty_array),
        ("/definitions/ScenarioSection/properties/name", name.clone()),
        (
            "/definitions/ScenarioSection/properties/step",
            json!({ "pattern": STEP_PATTERN }),
        ),
        (
            "/definitions/ScenarioSection/properties/peak_hours/items",
            json!({ "pattern": peak }),
        ),
        (
            "/definitions/GpuSpec/properties/tokens_per_s",
            non_empty_table.clone(),
        ),
        ("/definitions/SiteSpec/properties/name", name.clone()),
        ("/definitions/TierSpec/properties/name", name.clone()),
        ("/definitions/TierSpec/properties/mix", non_empty_table),
        ("/definitions/PolicySpec/properties/name", name),
        ("/definitions/PolicySpec/properties/description", printable),
        (
            "/definitions/LimitSpec/properties/window",
            json!({ "pattern": DURATION_PATTERN }),
        ),
        (
            "/properties/gpu/propertyNames",
            json!({ "pattern": format!("^{no_command}[^{refused}]+$") }),
        ),
        (
            "/properties/curve/propertyNames",
            json!({ "pattern": format!("^{no_command}[^{refused}]+$") }),
        ),
    ];
    for (pointer, keywords) in edits {
        insert(schema, pointer, keywords);
    }
    // The sections the validator requires (serde gives them defaults, to report them all).
    if let Some(required) = schema["required"].as_array_mut() {
        for section in ["gpu", "site", "tier", "policy"] {
            if !required.iter().any(|r| r == section) {
                required.push(json!(section));
            }
        }
    }
    // A SKU's output rate: a bounded number, or a frontier of [speed, throughput] points.
    let bounded = |bounds: super::bounds::Bounds| {
        let mut number = serde_json::Map::new();
        number.insert("type".into(), json!("number"));
        number.extend(
            bounds
                .schema_keywords(false)
                .into_iter()
                .map(|(k, v)| (k.to_string(), v)),
        );
        Value::Object(number)
    };
    let (number, speed, throughput) = (
        bounded(super::bounds::GPU_TOKENS),
        bounded(super::bounds::SPEED),
        bounded(super::bounds::FRONTIER_TOKENS),
    );
    if let Some(spec) = schema.pointer_mut("/definitions/RateSpec") {
        *spec = json!({
            "description": "Output tokens/s per GPU: a number, or a frontier [[tokens/s per user, tokens/s per GPU], ...] (at least two points, speed increasing, throughput decreasing).",
            "anyOf": [
                number,
                { "type": "array", "minItems": 2,
                  "items": { "type": "array", "minItems": 2, "maxItems": 2, "items": [speed, throughput] } },
            ]
        });
    }
    // A curve has exactly one form.
    insert(
        schema,
        "/definitions/CurveSpec",
        json!({ "oneOf": [
            { "required": ["week"] },
            { "required": ["weekday", "weekend"] },
            { "required": ["file"] },
        ]}),
    );
}

/// Adds `keywords` to the object at `pointer`, creating it when missing.
fn insert(schema: &mut Value, pointer: &str, keywords: Value) {
    let (at, key) = pointer.rsplit_once('/').expect("a pointer with a parent");
    let node = schema
        .pointer_mut(at)
        .and_then(Value::as_object_mut)
        .unwrap_or_else(|| panic!("the schema has no object at {at}"))
        .entry(key.to_string())
        .or_insert_with(|| json!({}));
    for (k, v) in keywords.as_object().expect("keywords are an object") {
        node[k] = v.clone();
    }
}
