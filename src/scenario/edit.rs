//! Edits of a scenario's TOML text that keep every other byte: `--set KEY=VALUE` before the
//! file is parsed, and `calibrate --apply` after. Both go through toml_edit, the toml
//! crate's own format-preserving editor, so comments, layout and the order of keys stay as
//! written; the edited text is then validated exactly as a file is.
//!
//! A key path names arrays of tables by their entries' `name` (`tier.pro.users`,
//! `site.colossus-1.offline`, `policy.current.limits.pro.window_tokens`), and tables by
//! their keys (`gpu.h100.watts`); a key of `[scenario]` may drop its table
//! (`utilization_target`).

use std::fmt;

use toml_edit::{DocumentMut, Item, TableLike, Value};

use super::suggest::closest;

/// One `--set KEY=VALUE`: a key path and the TOML value put there.
#[derive(Debug, Clone)]
pub struct Assignment {
    /// The key path as typed: `tier.pro.users`.
    pub key: String,
    /// The value, parsed as TOML (a bare word that is no TOML value is a string).
    pub value: Value,
}

impl Assignment {
    /// Parses `KEY=VALUE`: the value as a TOML value (number, string, date, boolean, array
    /// or inline table); text that is no TOML value is taken as a string, so
    /// `scenario.name=May plan` needs no quotes.
    pub fn parse(text: &str) -> Result<Assignment, String> {
        let (key, value) = text.split_once('=').ok_or_else(|| {
            format!("expected KEY=VALUE, such as tier.pro.users=5e6, found {text:?}")
        })?;
        let key = key.trim();
        if key.is_empty() || key.split('.').any(str::is_empty) {
            return Err(format!(
                "expected a key path such as tier.pro.users before '=', found {text:?}"
            ));
        }
        let raw = value.trim();
        let mut value = raw
            .parse::<Value>()
            .unwrap_or_else(|_| Value::from(raw.to_string()));
        value.decor_mut().clear();
        Ok(Assignment {
            key: key.to_string(),
            value,
        })
    }

    /// The value as TOML writes it: `5e6`, `"pro"`, `2026-12-03`, `{ min = 0.5 }`.
    pub fn value_text(&self) -> String {
        self.value.to_string().trim().to_string()
    }

    /// The value as JSON: numbers and booleans as themselves, dates and strings as
    /// strings, arrays and inline tables as arrays and objects; a float that is not finite
    /// as its TOML text (JSON has no infinity).
    pub fn value_json(&self) -> serde_json::Value {
        json_of(&self.value)
    }
}

impl PartialEq for Assignment {
    /// Two assignments are equal when they set the same key to the same TOML text.
    fn eq(&self, other: &Assignment) -> bool {
        self.key == other.key && self.value_text() == other.value_text()
    }
}

impl fmt::Display for Assignment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {}", self.key, self.value_text())
    }
}

/// A TOML value as JSON.
fn json_of(value: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        Value::String(s) => J::String(s.value().clone()),
        Value::Integer(i) => J::from(*i.value()),
        Value::Float(x) => serde_json::Number::from_f64(*x.value())
            .map_or_else(|| J::String(x.value().to_string()), J::Number),
        Value::Boolean(b) => J::Bool(*b.value()),
        Value::Datetime(d) => J::String(d.value().to_string()),
        Value::Array(items) => J::Array(items.iter().map(json_of).collect()),
        Value::InlineTable(table) => J::Object(
            table
                .iter()
                .map(|(k, v)| (k.to_string(), json_of(v)))
                .collect(),
        ),
    }
}

/// Applies each assignment in order to a parsed document, and gives its text, keeping
/// every other byte: a value replaced keeps the whitespace and comment around it; a key the
/// table lacks is added to it (the validator then says whether the key is known). A path
/// through a table or an entry the file lacks is an error naming the key. The caller
/// parses the text (once), so that a text that is no TOML can go to the validator as it is.
pub fn apply_to(mut document: DocumentMut, assignments: &[Assignment]) -> Result<String, String> {
    for assignment in assignments {
        set(&mut document, &assignment.key, assignment.value.clone())
            .map_err(|why| format!("--set {}: {why}", assignment.key))?;
    }
    Ok(document.to_string())
}

/// Puts `value` at `key` in the document.
pub fn set(document: &mut DocumentMut, key: &str, value: Value) -> Result<(), String> {
    if key.contains(['[', ']']) {
        return Err(
            "a key path names tables and keys, not array items: give the whole array (e.g. gpu.h100.tokens_per_s.opus=[[20,1400],[80,300]])".to_string(),
        );
    }
    let segments: Vec<&str> = key.split('.').collect();
    let (last, path) = segments.split_last().expect("a key has a segment");
    let root = document.as_table_mut();
    // A key of [scenario] may be named without its table.
    let in_scenario = !root.contains_key(segments[0])
        && root.get("scenario").and_then(Item::as_table_like).is_some();
    let (mut table, mut walked): (&mut dyn TableLike, String) = if in_scenario {
        let scenario = root["scenario"]
            .as_table_like_mut()
            .expect("checked to be a table");
        (scenario, "scenario".to_string())
    } else {
        (root, String::new())
    };
    let mut i = 0;
    while i < path.len() {
        let segment = path[i];
        let here = if walked.is_empty() {
            "the file".to_string()
        } else {
            walked.clone()
        };
        let keys: Vec<String> = table.iter().map(|(k, _)| k.to_string()).collect();
        let Some(item) = table.get_mut(segment) else {
            return Err(missing(segment, &here, "key", &keys));
        };
        walked = join(&walked, segment);
        table = match item {
            Item::ArrayOfTables(entries) => {
                let Some(name) = path.get(i + 1) else {
                    return Err(format!(
                        "{walked} is an array of tables: name an entry ({walked}.NAME.{last})"
                    ));
                };
                let names: Vec<String> = entries
                    .iter()
                    .map(|t| {
                        t.get("name")
                            .and_then(Item::as_str)
                            .unwrap_or_default()
                            .to_string()
                    })
                    .collect();
                let Some(index) = names.iter().position(|n| n == name) else {
                    return Err(missing(name, &walked, "entry", &names));
                };
                walked = join(&walked, name);
                i += 1;
                entries.get_mut(index).expect("the index of a name")
            }
            other => match other.as_table_like_mut() {
                Some(next) => next,
                None => {
                    return Err(format!(
                        "{walked} is a value, so it has no key {:?}",
                        path.get(i + 1).unwrap_or(last)
                    ));
                }
            },
        };
        i += 1;
    }
    match table.get_mut(last) {
        Some(Item::Value(old)) => {
            let decor = old.decor().clone();
            let mut value = value;
            *value.decor_mut() = decor;
            *old = value;
        }
        Some(old @ Item::Table(_)) => match value {
            Value::InlineTable(inline) => *old = Item::Table(inline.into_table()),
            _ => return Err(format!("{key} is a table; give an inline table {{ … }}")),
        },
        Some(_) => {
            return Err(format!(
                "{key} is an array of tables: name an entry ({key}.NAME.KEY)"
            ));
        }
        None => {
            table.insert(last, Item::Value(value));
        }
    }
    Ok(())
}

/// Puts each `(key, value)` in the TOML text as [`set`] does, and ends the line of each
/// with `# calibrated {date} ×{m}`: an earlier calibrated marker on the line is replaced,
/// another comment kept before it. A value inside an inline table marks the line of the
/// table (a comment cannot sit inside one).
pub fn apply_marked(source: &str, edits: &[(String, f64, String)]) -> Result<String, String> {
    let mut document: DocumentMut = source
        .parse()
        .map_err(|e: toml_edit::TomlError| format!("invalid TOML: {}", e.message().trim_end()))?;
    for (key, value, marker) in edits {
        set(&mut document, key, Value::from(*value))?;
        mark(&mut document, key, marker);
    }
    Ok(document.to_string())
}

/// Ends the line that holds `key` with `# {marker}`.
fn mark(document: &mut DocumentMut, key: &str, marker: &str) {
    let segments: Vec<&str> = key.split('.').collect();
    let root = document.as_table_mut();
    let in_scenario = !root.contains_key(segments[0]);
    let mut table: &mut dyn TableLike = if in_scenario {
        match root.get_mut("scenario").and_then(Item::as_table_like_mut) {
            Some(scenario) => scenario,
            None => return,
        }
    } else {
        root
    };
    let mut i = 0;
    while i < segments.len() {
        let Some(item) = table.get_mut(segments[i]) else {
            return;
        };
        table = match item {
            Item::ArrayOfTables(entries) => {
                let Some(name) = segments.get(i + 1) else {
                    return;
                };
                let Some(entry) = entries
                    .iter_mut()
                    .find(|t| t.get("name").and_then(Item::as_str) == Some(name))
                else {
                    return;
                };
                i += 1;
                entry
            }
            Item::Value(value) => {
                let decor = value.decor_mut();
                let kept = decor
                    .suffix()
                    .and_then(|s| s.as_str())
                    .map(|s| match s.find("# calibrated") {
                        Some(at) => s[..at].trim_end().to_string(),
                        None => s.trim_end().to_string(),
                    })
                    .unwrap_or_default();
                let suffix = if kept.trim().is_empty() {
                    format!(" # {marker}")
                } else {
                    format!("{kept} # {marker}")
                };
                decor.set_suffix(suffix);
                return;
            }
            other => match other.as_table_like_mut() {
                Some(next) => next,
                None => return,
            },
        };
        i += 1;
    }
}

/// `a.b` from `a` and `b`; `b` from nothing.
fn join(walked: &str, segment: &str) -> String {
    if walked.is_empty() {
        segment.to_string()
    } else {
        format!("{walked}.{segment}")
    }
}

/// "no entry "x" in tier (did you mean "pro"?); expected one of: …".
fn missing(name: &str, here: &str, what: &str, known: &[String]) -> String {
    let refs: Vec<&str> = known.iter().map(String::as_str).collect();
    let hint = closest(name, &refs)
        .map(|c| format!(" (did you mean {c:?}?)"))
        .unwrap_or_default();
    format!(
        "no {what} {name:?} in {here}{hint}; expected one of: {}",
        refs.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &str = include_str!("../../scenarios/tiny.toml");

    fn set(text: &str) -> Result<String, String> {
        apply_to(TINY.parse().unwrap(), &[Assignment::parse(text)?])
    }

    #[test]
    fn a_set_edits_only_its_value_keeping_the_rest_byte_for_byte() {
        for (assignment, from, to) in [
            ("tier.pro.users=120000", "users = 100000", "users = 120000"),
            (
                "scenario.name=\"tiny 2\"",
                "name = \"tiny\"",
                "name = \"tiny 2\"",
            ),
            ("name=\"tiny 2\"", "name = \"tiny\"", "name = \"tiny 2\""),
            (
                "site.new.online=2026-07-01",
                "online = \"2026-06-06\"",
                "online = 2026-07-01",
            ),
            (
                "site.home.gpus={ h100 = 1500 }",
                "gpus = { h100 = 1000 }",
                "gpus = { h100 = 1500 }",
            ),
            (
                "site.home.gpus.h100=1500",
                "gpus = { h100 = 1000 }",
                "gpus = { h100 = 1500 }",
            ),
            (
                "utilization_target=0.9",
                "utilization_target = 0.85",
                "utilization_target = 0.9",
            ),
        ] {
            assert!(TINY.contains(from), "{from}");
            assert_eq!(
                set(assignment).unwrap(),
                TINY.replacen(from, to, 1),
                "{assignment}"
            );
        }
    }

    #[test]
    fn a_calibrated_value_is_marked_on_its_line() {
        let text = "[[tier]]\nname = \"pro\"\nusers = 1000  # ASSUMPTION: guess\nmix = { a = 1 }\n[gpu.h]\ntokens_per_s = { a = 10 } # calibrated 2026-01-01 ×2\n";
        let edits = [
            (
                "tier.pro.users".to_string(),
                1500.0,
                "calibrated 2026-12-04 ×1.5".to_string(),
            ),
            (
                "gpu.h.tokens_per_s.a".to_string(),
                12.5,
                "calibrated 2026-12-04 ×1.25".to_string(),
            ),
        ];
        assert_eq!(
            apply_marked(text, &edits).unwrap(),
            "[[tier]]\nname = \"pro\"\nusers = 1500.0  # ASSUMPTION: guess # calibrated 2026-12-04 ×1.5\nmix = { a = 1 }\n[gpu.h]\ntokens_per_s = { a = 12.5 } # calibrated 2026-12-04 ×1.25\n"
        );
    }

    #[test]
    fn a_path_through_what_the_file_lacks_names_the_key() {
        assert_eq!(
            set("tier.prx.users=1").unwrap_err(),
            "--set tier.prx.users: no entry \"prx\" in tier (did you mean \"pro\"?); expected one of: pro"
        );
        assert!(
            set("gpu.a100.watts=1")
                .unwrap_err()
                .contains("did you mean \"h100\"")
        );
        assert!(set("tier.users=1").unwrap_err().contains("name an entry"));
        assert!(
            set("tier.pro.users.x=1")
                .unwrap_err()
                .contains("is a value")
        );
        assert!(Assignment::parse("tier.pro.users").is_err());
        assert!(Assignment::parse("tier..users=1").is_err());
        // A new key is added; the validator judges it.
        assert!(set("tier.pro.userz=1").unwrap().contains("userz = 1"));
        // A bare word is a string.
        assert_eq!(
            Assignment::parse("scenario.name=May plan")
                .unwrap()
                .value_text(),
            "\"May plan\""
        );
    }
}
