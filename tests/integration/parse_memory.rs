//! Bounded parsing (issue 19): comments and blank lines cost nothing, the file is parsed in
//! pieces that join into the tree of the whole, and a table or a tree too large to parse in
//! bounded memory is refused with the line and column where it crossed the bound.

use super::*;

/// tiny.toml with `count` `[[policy]]` tables with limits appended (100,000 take 7.7 MB).
fn with_policies(count: usize) -> String {
    let mut text = tiny_text();
    for i in 0..count {
        text.push_str(&format!(
            "\n[[policy]]\nname = \"p{i}\"\nlimits.pro={{window=\"5h\",window_tokens={}}}\n",
            1_000_000 + i
        ));
    }
    text
}

/// The `--> file:line:column` of the first diagnostic, and the snippet line under it.
fn location(stderr: &str) -> (&str, &str) {
    let arrow = stderr
        .lines()
        .find(|l| l.trim_start().starts_with("-->"))
        .unwrap();
    let at = stderr.find(arrow).unwrap();
    let snippet = stderr[at..]
        .lines()
        .find(|l| l.contains(" | ") && !l.trim_end().ends_with('|'))
        .unwrap();
    (arrow.trim_start(), snippet)
}

#[test]
fn a_message_after_many_comment_and_blank_lines_keeps_its_line_column_and_snippet() {
    let padding = "# a comment line\n\n   # indented, after a blank line\n".repeat(20_000);
    let text = tiny_with(&[
        ("[[tier]]", &format!("{padding}[[tier]]")),
        ("users = 100000", "users = \"many\" # trailing comment"),
    ]);
    let line = text[..text.find("users = \"many\"").unwrap()]
        .matches('\n')
        .count()
        + 1;
    let file = ScenarioFile::new("padded", &text);
    let run = capplan(&["validate", file.path()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let (arrow, snippet) = location(&run.stderr);
    assert_eq!(arrow, format!("--> {}:{line}:9", file.path()));
    assert_eq!(
        snippet,
        format!("{line} | users = \"many\" # trailing comment")
    );
}

#[test]
fn a_message_in_a_late_piece_points_into_the_file_as_written() {
    // 20,000 policies are parsed in several pieces; the error is in the last one.
    let text = with_policies(20_000).replacen("window_tokens=1019999", "window_tokens=\"lots\"", 1);
    let at = text.find("\"lots\"").unwrap();
    let line = text[..at].matches('\n').count() + 1;
    let column = at - text[..at].rfind('\n').unwrap();
    let file = ScenarioFile::new("late", &text);
    let run = capplan(&["validate", file.path()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("policy[20002].limits.pro.window_tokens"),
        "{}",
        run.stderr
    );
    let (arrow, _) = location(&run.stderr);
    assert_eq!(arrow, format!("--> {}:{line}:{column}", file.path()));
}

#[test]
fn a_table_with_too_many_values_is_refused_where_it_crosses_the_limit() {
    let values = "0.1, ".repeat(70_000);
    let text = format!("{}\n[curve.long]\nweek = [{values}]\n", tiny_text());
    let line = text.matches('\n').count() - 1 + 1;
    let file = ScenarioFile::new("long", &text);
    let run = capplan(&["validate", file.path()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "error: expected at most 65,536 keys and values in one table with its inline tables and arrays, \
             found more in the table from line"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("put per-minute curves in a CSV file"),
        "{}",
        run.stderr
    );
    let (arrow, _) = location(&run.stderr);
    // The header's two keys, `week` and the array are four values: the 65,537th is the
    // 65,533rd number.
    let column = "week = [".len() + 65_532 * "0.1, ".len() + 1;
    assert_eq!(arrow, format!("--> {}:{line}:{column}", file.path()));
    // With `--set` the bound holds before the text is edited.
    let run = capplan(&["validate", file.path(), "--set", "scenario.name=x"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("expected at most 65,536 keys"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_bracket_left_open_before_headers_is_named_in_the_limit_message() {
    // `x = [1,` never closed: the policies after it read as the array's contents. The long
    // list alone (above) gets no such hint.
    let text = with_policies(30_000).replacen("[timeline]", "x = [1,\n[timeline]", 1);
    let opened = text[..text.find("x = [1,").unwrap()].matches('\n').count() + 1;
    let file = ScenarioFile::new("open", &text);
    let run = capplan(&["validate", file.path()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "(if the `[` opened at line {opened} is never closed, close it"
        )),
        "{}",
        run.stderr
    );
    let long = format!(
        "{}\n[curve.long]\nweek = [{}]\n",
        tiny_text(),
        "0.1, ".repeat(70_000)
    );
    let file = ScenarioFile::new("long", &long);
    let run = capplan(&["validate", file.path()]);
    assert!(!run.stderr.contains("never closed"), "{}", run.stderr);
}

#[test]
fn a_table_just_under_the_limit_reaches_the_rules() {
    let values = "0.1, ".repeat(65_532);
    let text = format!("{}\n[curve.long]\nweek = [{values}]\n", tiny_text());
    let file = ScenarioFile::new("under", &text);
    let run = capplan(&["validate", file.path()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("curve.long.week: expected 168 hourly values, found 65532"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_tree_too_large_to_parse_is_refused() {
    let text = format!("{}{}", tiny_text(), "[[x]]\n".repeat(600_000));
    let file = ScenarioFile::new("tables", &text);
    let run = capplan(&["validate", file.path()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "error: expected a scenario whose keys, values and tables take at most 160 MB once parsed"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("plan with fewer policies, tiers or sites"),
        "{}",
        run.stderr
    );
    let (arrow, snippet) = location(&run.stderr);
    assert!(
        arrow.starts_with(&format!("--> {}:", file.path())),
        "{arrow}"
    );
    assert!(snippet.ends_with("| [[x]]"), "{snippet}");
}

#[test]
fn one_hundred_thousand_policies_with_limits_still_validate() {
    let file = ScenarioFile::new("many", with_policies(100_000));
    let run = capplan(&["validate", file.path()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}
