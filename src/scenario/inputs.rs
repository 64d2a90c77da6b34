//! Every input a scenario file sets, as `key path = value` pairs, so that `diff` can list
//! each key that changed and none that did not. Arrays of tables go by each entry's `name`
//! or `id` (`site[colossus-1].power_mw`), so that reordering entries changes nothing; long
//! arrays of numbers (curves) are summarised.

/// One input: its key path and its value as written (numbers keep their value).
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    /// The key path: `tier[pro].users`, `uncertainty.high`.
    pub key: String,
    /// The value in words.
    pub text: String,
    /// The value when it is a number, for a signed delta.
    pub number: Option<f64>,
}

/// Arrays longer than this are shown as a count and a sum, not value by value.
const LONG_ARRAY: usize = 8;

/// The inputs of a scenario's TOML text, in file order; empty when it does not parse (a
/// scenario that loaded always parses). Read with its comments blanked, as the loader
/// reads it: 8 MiB of comment lines would otherwise take the parser 400 MB again.
pub fn inputs(source: &str) -> Vec<Input> {
    let mut found = Vec::new();
    let Some(text) = super::validate::blanked(source) else {
        return found;
    };
    if let Ok(table) = text.parse::<toml::Table>() {
        for (key, value) in &table {
            flatten(key, value, &mut found);
        }
    }
    found
}

fn flatten(key: &str, value: &toml::Value, found: &mut Vec<Input>) {
    use toml::Value;
    match value {
        Value::Table(table) => {
            for (k, v) in table {
                flatten(&format!("{key}.{k}"), v, found);
            }
        }
        Value::Array(items) if items.iter().all(|i| i.is_table()) && !items.is_empty() => {
            for (index, item) in items.iter().enumerate() {
                let name = item
                    .get("name")
                    .or_else(|| item.get("id"))
                    .and_then(Value::as_str)
                    .map_or_else(|| index.to_string(), str::to_string);
                flatten(&format!("{key}[{name}]"), item, found);
            }
        }
        Value::Array(items) => {
            let numbers: Vec<f64> = items.iter().filter_map(number).collect();
            let text = if items.len() > LONG_ARRAY && numbers.len() == items.len() {
                let sum: f64 = numbers.iter().sum();
                format!("{} values, sum {}", items.len(), shown(sum))
            } else {
                let parts: Vec<String> = items.iter().map(scalar).collect();
                format!("[{}]", parts.join(", "))
            };
            found.push(Input {
                key: key.to_string(),
                text,
                number: None,
            });
        }
        other => found.push(Input {
            key: key.to_string(),
            text: scalar(other),
            number: number(other),
        }),
    }
}

fn number(value: &toml::Value) -> Option<f64> {
    value
        .as_float()
        .or_else(|| value.as_integer().map(|i| i as f64))
}

fn scalar(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => format!("{s:?}"),
        toml::Value::Integer(i) => crate::fmt::count(*i as f64),
        toml::Value::Float(f) => shown(*f),
        other => other.to_string(),
    }
}

/// A number as a person reads it: thousands separated when whole, else as short as it
/// reads back (rounded to 10 decimals, so that `0.1 + 0.2` shows as `0.3`).
pub fn shown(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        crate::fmt::count(value)
    } else {
        let rounded = (value * 1e10).round() / 1e10;
        rounded.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_go_by_name_and_curves_are_summarised() {
        let found = inputs(
            "[scenario]\nname = \"x\"\n[[site]]\nname = \"a\"\npower_mw = 1.5\n\
             [curve.c]\nhourly = [1,2,3,4,5,6,7,8,9]\n[[tier]]\nname = \"pro\"\nusers = 1200\n",
        );
        let pairs: Vec<(&str, &str)> = found
            .iter()
            .map(|i| (i.key.as_str(), i.text.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("scenario.name", "\"x\""),
                ("site[a].name", "\"a\""),
                ("site[a].power_mw", "1.5"),
                ("curve.c.hourly", "9 values, sum 45"),
                ("tier[pro].name", "\"pro\""),
                ("tier[pro].users", "1,200"),
            ]
        );
        assert_eq!(found[5].number, Some(1200.0));
        assert_eq!(shown(0.1 + 0.2), "0.3");
    }
}
