//! The echo of `--set`: what was set, added to an answer already rendered, so every
//! command says it the same way. Tables and Markdown get one `set: …` line under the
//! title, an HTML page a paragraph in its header, JSON a `"set": {key: value}` field after
//! `schema_version`; CSV (one table) and JUnit stay as they are.

use super::Format;
use super::document::markdown_text;
use crate::scenario::edit::Assignment;
use crate::scenario::printable_char;

/// `rendered` with the assignments echoed as `format` allows; unchanged without any.
pub fn echo(format: Format, rendered: &[u8], sets: &[Assignment]) -> Vec<u8> {
    if sets.is_empty() {
        return rendered.to_vec();
    }
    let Ok(text) = std::str::from_utf8(rendered) else {
        return rendered.to_vec();
    };
    let line = |escape: &dyn Fn(&str) -> String| {
        let parts: Vec<String> = sets.iter().map(|s| escape(&s.to_string())).collect();
        format!("set: {}", parts.join("; "))
    };
    let out = match format {
        Format::Table => after_first_line(text, &format!("{}\n", line(&visible))),
        Format::Markdown => after_first_line(text, &format!("\n{}\n", line(&markdown_text))),
        Format::Html => text.replacen(
            "</header>",
            &format!(
                "<p class=\"set\">{}</p>\n</header>",
                line(&super::html::escape)
            ),
            1,
        ),
        Format::Json => json(text, sets),
        Format::Csv | Format::Junit => text.to_string(),
    };
    out.into_bytes()
}

/// The text with `insert` after its first line.
fn after_first_line(text: &str, insert: &str) -> String {
    match text.split_once('\n') {
        Some((first, rest)) => format!("{first}\n{insert}{rest}"),
        None => format!("{text}\n{insert}"),
    }
}

/// Text from the command line as a terminal shows it: a character that is not printable
/// (a control character, an escape sequence's start) is written as its escape.
fn visible(text: &str) -> String {
    text.chars()
        .map(|c| {
            if printable_char(c) {
                c.to_string()
            } else {
                c.escape_unicode().to_string()
            }
        })
        .collect()
}

/// Pretty JSON with `"set": {…}` after its `schema_version` line (or first, when it has
/// none); a later assignment of a key replaces an earlier one, as it does in the file.
fn json(text: &str, sets: &[Assignment]) -> String {
    let mut object = serde_json::Map::new();
    for set in sets {
        object.insert(set.key.clone(), set.value_json());
    }
    let Some(body) = text.strip_prefix("{\n") else {
        return text.to_string();
    };
    let value = serde_json::to_string_pretty(&serde_json::Value::Object(object))
        .expect("JSON of plain values")
        .replace('\n', "\n  ");
    let field = format!("  \"set\": {value},\n");
    match body.split_once('\n') {
        Some((first, rest)) if first.starts_with("  \"schema_version\"") => {
            format!("{{\n{first}\n{field}{rest}")
        }
        _ => format!("{{\n{field}{body}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sets() -> Vec<Assignment> {
        vec![
            Assignment::parse("tier.pro.users=5e6").unwrap(),
            Assignment::parse("scenario.name=a <b> \u{1b}[31m").unwrap(),
        ]
    }

    #[test]
    fn each_format_says_what_was_set() {
        let table = echo(Format::Table, b"title\n\nVerdict\n", &sets());
        assert_eq!(
            String::from_utf8(table).unwrap(),
            "title\nset: tier.pro.users = 5e6; scenario.name = \"a <b> \\u001B[31m\"\n\nVerdict\n"
        );
        let json = echo(
            Format::Json,
            b"{\n  \"schema_version\": 3,\n  \"x\": 1\n}\n",
            &sets(),
        );
        let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(value["set"]["tier.pro.users"], 5e6);
        assert_eq!(value["x"], 1);
        let html = String::from_utf8(echo(Format::Html, b"<header>t</header>", &sets())).unwrap();
        assert!(html.contains("&lt;b&gt;"), "{html}");
        let md = String::from_utf8(echo(Format::Markdown, b"## t\n\nx\n", &sets())).unwrap();
        assert!(
            md.starts_with("## t\n\nset: tier.pro.users = 5e6; scenario.name = \"a \\<b\\>"),
            "{md}"
        );
        assert_eq!(echo(Format::Csv, b"a,b\n", &sets()), b"a,b\n");
    }
}
