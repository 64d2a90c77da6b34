//! From a parsed TOML document to the raw [`ScenarioFile`], one table at a time, so that a
//! file with a wrong type in one `[[tier]]` and an unknown key in a `[[policy]]` hears about
//! both: each entry is deserialized on its own and every failure becomes a diagnostic.

use indexmap::IndexMap;
use serde::de::{DeserializeOwned, IntoDeserializer};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::scenario::diagnostic::{Diagnostic, KeyPath, KeySegment, locate};
use crate::scenario::raw::ScenarioFile;
use crate::scenario::suggest::closest;

/// The top-level tables a scenario may have.
const SECTIONS: [&str; 11] = [
    "scenario",
    "gpu",
    "site",
    "curve",
    "tier",
    "policy",
    "timeline",
    "uncertainty",
    "phase",
    "observed",
    "calibration",
];

/// Deserializes every section; all shape errors are returned together.
pub fn scenario_file(document: &Spanned<DeTable<'_>>) -> Result<ScenarioFile, Vec<Diagnostic>> {
    let mut shape = Shape {
        document,
        errors: Vec::new(),
    };
    let mut file = ScenarioFile::default();
    let mut has_scenario = false;
    for (key, value) in document.get_ref() {
        let name: &str = key.get_ref();
        let path = KeyPath::root(name);
        match name {
            "scenario" => {
                if let Some(section) = shape.one(value, path) {
                    file.scenario = section;
                    has_scenario = true;
                }
            }
            "gpu" => file.gpu = shape.map(value, path, "[gpu.<id>]"),
            "curve" => file.curve = shape.map(value, path, "[curve.<id>]"),
            "site" => file.site = shape.array(value, path, "[[site]]"),
            "tier" => file.tier = shape.array(value, path, "[[tier]]"),
            "policy" => file.policy = shape.array(value, path, "[[policy]]"),
            "timeline" => file.timeline = shape.one(value, path),
            "uncertainty" => file.uncertainty = shape.one(value, path),
            "phase" => file.phase = shape.array(value, path, "[[phase]]"),
            "observed" => file.observed = shape.array(value, path, "[[observed]]"),
            "calibration" => file.calibration = shape.one(value, path),
            other => {
                let hint = closest(other, &SECTIONS)
                    .map(|best| format!(" (did you mean `{best}`?)"))
                    .unwrap_or_default();
                shape.errors.push(Diagnostic {
                    key_path: Some(path),
                    span: Some(key.span()),
                    message: format!(
                        "unknown table `{other}`{hint}; expected one of {}",
                        SECTIONS.map(|s| format!("`{s}`")).join(", ")
                    ),
                });
            }
        }
    }
    if !has_scenario && !shape.errors.iter().any(|e| is_in(e, "scenario")) {
        shape.errors.push(Diagnostic {
            key_path: Some(KeyPath::root("scenario")),
            span: Some(0..1),
            message: "missing table [scenario]; expected name, utilization_target and optionally step and peak_hours".into(),
        });
    }
    if shape.errors.is_empty() {
        Ok(file)
    } else {
        Err(shape.errors)
    }
}

fn is_in(diagnostic: &Diagnostic, section: &str) -> bool {
    matches!(
        diagnostic.key_path.as_ref().and_then(|p| p.0.first()),
        Some(KeySegment::Key(key)) if key == section
    )
}

struct Shape<'a, 'd> {
    document: &'a Spanned<DeTable<'d>>,
    errors: Vec<Diagnostic>,
}

impl<'d> Shape<'_, 'd> {
    /// One table deserialized as `T`, or `None` with the error recorded.
    fn one<T: DeserializeOwned>(
        &mut self,
        value: &Spanned<DeValue<'d>>,
        path: KeyPath,
    ) -> Option<T> {
        match serde_path_to_error::deserialize(value.clone().into_deserializer()) {
            Ok(parsed) => Some(parsed),
            Err(err) => {
                let mut full = path;
                full.0.extend(key_path_of(err.path()).0);
                let inner = err.into_inner();
                let span = inner.span().or_else(|| locate(self.document, &full));
                let mut message = explain_serde_message(inner.message().trim_end());
                // A frontier where only numbers go: say which key takes one.
                let rate_kind = full.0.iter().any(|segment| {
                    matches!(segment, KeySegment::Key(k) if k == "input_tokens_per_s" || k == "cached_tokens_per_s")
                });
                if rate_kind && message.contains("sequence") {
                    message.push_str(
                        "; input and cached rates are numbers only (a frontier goes in tokens_per_s)",
                    );
                }
                self.errors.push(Diagnostic {
                    key_path: Some(full),
                    span,
                    message,
                });
                None
            }
        }
    }

    /// `[[name]]` entries, each deserialized on its own.
    fn array<T: DeserializeOwned>(
        &mut self,
        value: &Spanned<DeValue<'d>>,
        path: KeyPath,
        form: &str,
    ) -> Vec<T> {
        let Some(items) = value.get_ref().as_array() else {
            self.mistyped(value, path, &format!("an array of {form} tables"));
            return Vec::new();
        };
        items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| self.one(item, path.index(i)))
            .collect()
    }

    /// `[name.<id>]` entries, each deserialized on its own, in file order.
    fn map<T: DeserializeOwned>(
        &mut self,
        value: &Spanned<DeValue<'d>>,
        path: KeyPath,
        form: &str,
    ) -> IndexMap<String, T> {
        let Some(table) = value.get_ref().as_table() else {
            self.mistyped(value, path, &format!("{form} tables"));
            return IndexMap::new();
        };
        table
            .iter()
            .filter_map(|(key, item)| {
                let id: &str = key.get_ref();
                self.one(item, path.key(id))
                    .map(|parsed| (id.to_string(), parsed))
            })
            .collect()
    }

    fn mistyped(&mut self, value: &Spanned<DeValue<'d>>, path: KeyPath, expected: &str) {
        self.errors.push(Diagnostic {
            key_path: Some(path),
            span: Some(value.span()),
            message: format!("expected {expected}, found {}", value.get_ref().type_str()),
        });
    }
}

fn key_path_of(path: &serde_path_to_error::Path) -> KeyPath {
    use serde_path_to_error::Segment;
    KeyPath(
        path.iter()
            .filter_map(|segment| match segment {
                Segment::Seq { index } => Some(KeySegment::Index(*index)),
                Segment::Map { key } => Some(KeySegment::Key(key.clone())),
                Segment::Enum { variant } => Some(KeySegment::Key(variant.clone())),
                Segment::Unknown => None,
            })
            .collect(),
    )
}

/// Makes serde's messages read for people: "a number" for f64, and "did you mean" for an
/// unknown field.
fn explain_serde_message(message: &str) -> String {
    // serde's own type names never reach a message: an untagged enum says what it takes.
    if message.starts_with("data did not match any variant of untagged enum") {
        let expected = match message.rsplit(' ').next() {
            Some("ServingShareSpec") => {
                "a serving share: a number from 0 to 1, a curve id, or { min, max }"
            }
            Some("RateSpec") => {
                "output tokens/s per GPU: a number, or a frontier [[tokens/s per user, tokens/s per GPU], ...]"
            }
            _ => "a number, a string or a table, as documented for this key",
        };
        return format!("expected {expected}");
    }
    let message = message
        .replace("expected f64", "expected a number")
        .replace("expected u32", "expected a whole number");
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return message;
    };
    let Some((found, expected)) = rest.split_once('`') else {
        return message.clone();
    };
    let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    match closest(found, &candidates) {
        Some(best) => format!("{message}; did you mean `{best}`?"),
        None => message.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{TINY, problems};

    #[test]
    fn a_shape_error_in_each_table_is_reported() {
        let text = TINY.replace("users = 100000", "users = \"many\"").replace(
            "description = \"no limits at all\"",
            "descripton = \"no limits at all\"",
        );
        let errors = problems(&text).unwrap_err();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors[0]
                .starts_with("tier[0].users: invalid type: string \"many\", expected a number"),
            "{errors:?}"
        );
        assert!(
            errors[1].contains("unknown field `descripton`"),
            "{errors:?}"
        );
        assert!(
            errors[1].contains("did you mean `description`?"),
            "{errors:?}"
        );
    }

    #[test]
    fn an_unknown_table_gets_the_closest_section() {
        let errors = problems(&format!("{TINY}\n[timelin]\nstart = \"2026-01-01\"\n")).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains("timeline"), "{errors:?}");
    }
}
