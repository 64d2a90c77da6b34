//! HTML: any answer's document as one self-contained page (`--format html`), and
//! `capplan report`, which puts compare, the timeline, both plots and the scenario's own
//! assumptions on one page to attach to a pull request or a planning doc. No scripts, no
//! fonts, no links out: the page is the file, and the same inputs give the same bytes.

use std::fmt::Write as _;

use super::document::{Tone, is_sparkline};
use super::plot::{self, PlotError};
use super::{Document, Render as _, Section, TableData};
use crate::plan::{CompareAnswer, SensitivityAnswer, TimelineAnswer, ValidateAnswer};

/// The heading under which compare and timeline give their one- or two-line answer.
const VERDICT: &str = "Verdict";

/// The heading of the verdict repeated at a document's end for terminals; a page has
/// its verdict box at the top instead.
const SUMMARY: &str = "Summary";

/// Where a document gives its answer and the answer's lines: a section named
/// [`VERDICT`], or a first section that is only a heading (check, solve, diff).
fn verdict(document: &Document) -> Option<(usize, Vec<String>)> {
    if let Some(at) = document.sections.iter().position(|s| s.heading == VERDICT) {
        return Some((at, document.sections[at].notes.clone()));
    }
    let first = document.sections.first()?;
    (first.table.is_none() && first.notes.is_empty()).then(|| (0, vec![first.heading.clone()]))
}

/// The page's style: readable at any width from a phone to 1280 px and beyond; tables
/// wrap their text cells (numbers and sparklines never) and scroll only as a last resort.
const STYLE: &str = "\
:root{color-scheme:light}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1240px;padding:24px 20px 48px;color:#1f2328;background:#fff;\
font:14px/1.45 system-ui,-apple-system,'Segoe UI','DejaVu Sans',sans-serif}
header h1{font-size:1.6em;margin:0 0 .2em}
.meta{color:#59636e;margin:0 0 1em}
h2{font-size:1.3em;margin:1.8em 0 .4em;border-bottom:2px solid #d1d9e0;padding-bottom:.2em}
h3{font-size:1.05em;margin:1.4em 0 .4em}
.verdict{border-left:5px solid #0969da;background:#f6f8fa;padding:.5em 1em;margin:1em 0}
.verdict h3{margin:.3em 0}
.verdict p{margin:.3em 0}
.table{max-width:100%;overflow-x:auto}
table{border-collapse:collapse;font-size:13px;margin:.3em 0}
th,td{border:1px solid #d1d9e0;padding:3px 7px;text-align:left;vertical-align:top;\
overflow-wrap:break-word}
th{background:#f6f8fa;font-weight:600}
.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.spark{white-space:nowrap;font-family:'DejaVu Sans Mono',ui-monospace,monospace;\
line-height:1.2;color:#0969da}
.pass{color:#1a7f37}
.fail{color:#cf222e;font-weight:600}
ul.notes{margin:.4em 0;padding-left:1.4em;color:#303840}
figure{margin:1em 0}
figure svg{display:block;width:100%;height:auto;border:1px solid #d1d9e0}
figcaption{color:#59636e;font-size:.9em;margin-top:.3em}
details{margin:.8em 0}
summary{cursor:pointer;font-weight:600}
pre{background:#f6f8fa;padding:.8em 1em;font-size:12px;line-height:1.4;\
white-space:pre-wrap;overflow-wrap:anywhere}
td.key,th.key{position:sticky;right:0;background:#fff;box-shadow:-2px 0 0 #d1d9e0}
th.key{background:#f6f8fa}
nav.contents ul{margin:.3em 0;padding-left:1.4em}
@media (max-width:760px){body{padding:12px 10px 32px}\
figure{overflow-x:auto}figure svg{width:1120px;max-width:none}}
";

/// The columns that give a table's answer (fits, survives): they stay in sight, pinned
/// to the right edge, when a narrow screen scrolls the table sideways.
const KEY_COLUMNS: [&str; 4] = ["Fits", "Survives", "Fits at high", "Chance to fit"];

/// Everything `capplan report` puts on its page.
#[derive(Debug, Clone, Copy)]
pub struct ReportPage<'a> {
    /// The scenario file as the user named it.
    pub file: &'a str,
    /// The scenario's text, for its assumptions and the appendix.
    pub source: &'a str,
    /// compare on the selected policies.
    pub compare: &'a CompareAnswer,
    /// The peak-hour mask of the reference week, for the week plot's shading.
    pub peak_mask: &'a [bool],
    /// The timeline, when the scenario has a `[timeline]`.
    pub timeline: Option<&'a TimelineAnswer>,
    /// Sensitivity of the selected policies, when it is within the work budget.
    pub sensitivity: Option<&'a SensitivityAnswer>,
    /// What the scenario holds, and its warnings.
    pub scenario: &'a ValidateAnswer,
}

impl ReportPage<'_> {
    /// The whole page: the verdicts first, then compare and the week plot, the timeline
    /// and its plot, and the scenario (summary, assumptions as written, the file itself).
    pub fn html(&self) -> Result<String, PlotError> {
        let compare = self.compare.document();
        let timeline = self.timeline.map(|t| t.document());
        let mut page = Page::new(&compare.title);
        writeln!(
            page.body,
            "<p class=\"meta\">Made by capplan {} from <code>{}</code>.</p>",
            env!("CARGO_PKG_VERSION"),
            escape(self.file)
        )
        .ok();
        page.body.push_str("</header>\n<main>\n");

        // A short table of contents: the page is long on a phone.
        let mut parts = vec![
            ("verdict", "Verdict"),
            ("compare", "Policies before and after the additions"),
        ];
        if self.timeline.is_some() {
            parts.push(("timeline", "Month by month"));
        }
        if self.sensitivity.is_some() {
            parts.push(("sensitivity", "Which input decides"));
        }
        parts.push(("scenario", "The scenario"));
        page.body.push_str(
            "<nav class=\"contents\" id=\"contents\">\n<strong>Contents</strong>\n<ul>\n",
        );
        for (id, title) in parts {
            writeln!(
                page.body,
                "<li><a href=\"#{id}\">{}</a></li>",
                escape(title)
            )
            .ok();
        }
        page.body.push_str("</ul>\n</nav>\n");

        // Every verdict first, each under the name of its question.
        page.body
            .push_str("<section class=\"verdict\" id=\"verdict\">\n<h2>Verdict</h2>\n");
        page.verdict(&compare, "Policies before and after the additions");
        if let Some(timeline) = &timeline {
            page.verdict(timeline, "Month by month");
        }
        page.body.push_str("</section>\n");

        page.open("compare", "Policies before and after the additions");
        page.sections(&compare, 3);
        page.figure(
            &plot::week_svg(self.compare, self.peak_mask)?,
            "Utilization over the reference week, every policy and phase; the shaded \
             hours are peak hours, the dashed line the target.",
        );
        page.close();

        if let (Some(answer), Some(document)) = (self.timeline, &timeline) {
            page.open("timeline", "Month by month");
            page.sections(document, 3);
            page.figure(
                &plot::timeline_svg(answer)?,
                "Peak utilization by month, every policy, against the target.",
            );
            page.close();
        }

        if let Some(answer) = self.sensitivity {
            page.open("sensitivity", "Which input decides");
            page.sections(&answer.document(), 3);
            page.figure(
                &plot::tornado_svg(answer)?,
                "Peak utilization with each input at ×0.8 and ×1.25 (the nearest flips \
                 first), against the target.",
            );
            page.close();
        }

        page.open("scenario", "The scenario");
        page.sections(&self.scenario.document(), 3);
        let assumptions = assumptions(self.source);
        page.section(
            &Section {
                heading: "Assumptions, as the scenario states them".into(),
                table: (!assumptions.is_empty()).then(|| {
                    let mut table = TableData::new(&["Line", "About", "Assumption"]).right([0]);
                    for assumption in &assumptions {
                        table.row(vec![
                            assumption.line.to_string(),
                            assumption.place.clone(),
                            assumption.text.clone(),
                        ]);
                    }
                    table
                }),
                notes: vec![if assumptions.is_empty() {
                    "The scenario marks no line ASSUMPTION: (so every number should cite \
                     its source beside it)."
                        .into()
                } else {
                    "Each line of the scenario marked ASSUMPTION, with the comment lines \
                     that continue it; the file below cites the sources of the other numbers."
                        .into()
                }],
            },
            3,
        );
        writeln!(
            page.body,
            "<details>\n<summary>{} (the whole file)</summary>\n<pre>{}</pre>\n</details>",
            escape(self.file),
            escape(self.source)
        )
        .ok();
        page.close();
        Ok(page.finish())
    }
}

/// Any document as a page of its own (`--format html`).
pub fn page(document: &Document) -> String {
    let mut page = Page::new(&document.title);
    page.body.push_str("</header>\n<main>\n");
    if let Some((_, lines)) = verdict(document) {
        page.body
            .push_str("<section class=\"verdict\" id=\"verdict\">\n<h2>Verdict</h2>\n");
        page.paragraphs(&lines);
        page.body.push_str("</section>\n");
    }
    page.sections(document, 2);
    page.finish()
}

/// One assumption a scenario states: where, and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assumption {
    /// Its line in the file, from 1.
    pub line: usize,
    /// What it is about: the table (an array entry by its `id` or `name`) and the key of
    /// its line or, for a comment, of the line it stands above (`[[site]] rainier gpus`).
    pub place: String,
    /// The text: a key line as written, or a comment from `ASSUMPTION` on.
    pub text: String,
}

/// The assumptions a scenario states: each line with the marker `ASSUMPTION` (followed by
/// `:`, `,`, `)` or the line's end, so prose that mentions "ASSUMPTIONS" is not one), with
/// the full-line comments that continue it.
pub fn assumptions(source: &str) -> Vec<Assumption> {
    let lines: Vec<&str> = source.lines().map(str::trim).collect();
    let places = places(&lines);
    let mut found = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        let line = lines[index];
        let start = index;
        index += 1;
        let Some(at) = marker(line) else { continue };
        if !line.starts_with('#') {
            found.push(Assumption {
                line: start + 1,
                place: places[start].clone(),
                text: line.to_string(),
            });
            continue;
        }
        let mut text = line[at..].to_string();
        while let Some(next) = lines.get(index) {
            if !next.starts_with('#') || *next == "#" || marker(next).is_some() {
                break;
            }
            text.push(' ');
            text.push_str(next.trim_start_matches('#').trim());
            index += 1;
        }
        // A comment is about the first line of TOML below it.
        let below =
            (start..lines.len()).find(|&i| !lines[i].is_empty() && !lines[i].starts_with('#'));
        found.push(Assumption {
            line: start + 1,
            place: below.map(|i| places[i].clone()).unwrap_or_default(),
            text,
        });
    }
    found
}

/// For each line, the table it is in (an array entry with its `id` or `name`) and, for a
/// key line, the key: `[scenario] utilization_target`, `[[site]] rainier gpus`.
fn places(lines: &[&str]) -> Vec<String> {
    let mut places = Vec::with_capacity(lines.len());
    let mut table = String::new();
    for (index, line) in lines.iter().enumerate() {
        let code = line.split('#').next().unwrap_or("").trim();
        if code.starts_with('[') {
            table = code.to_string();
            if code.starts_with("[[") {
                // An entry of an array of tables goes by its id or name, wherever it is.
                let entry = lines[index + 1..]
                    .iter()
                    .map(|l| l.split('#').next().unwrap_or("").trim())
                    .take_while(|l| !l.starts_with('['))
                    .find_map(entry_name);
                if let Some(entry) = entry {
                    table = format!("{code} {entry}");
                }
            }
            places.push(table.clone());
        } else if let Some((key, _)) = code.split_once('=') {
            places.push(format!("{table} {}", key.trim()).trim().to_string());
        } else {
            places.push(table.clone());
        }
    }
    places
}

/// Where the marker `ASSUMPTION` starts in a line, if the line has it.
fn marker(line: &str) -> Option<usize> {
    line.match_indices("ASSUMPTION")
        .find(|(at, word)| {
            matches!(
                line[at + word.len()..].chars().next(),
                None | Some(':' | ',' | ')')
            )
        })
        .map(|(at, _)| at)
}

/// The value of an `id = "…"` or `name = "…"` line, which names a table's entry.
fn entry_name(line: &str) -> Option<&str> {
    let (key, value) = line.split_once('=')?;
    if !matches!(key.trim(), "id" | "name") {
        return None;
    }
    value.trim().strip_prefix('"')?.strip_suffix('"')
}

/// A page being written: the head is fixed, the body grows.
struct Page {
    body: String,
}

impl Page {
    fn new(title: &str) -> Page {
        let title = escape(title);
        Page {
            body: format!(
                "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
                 <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
                 <meta name=\"generator\" content=\"capplan {}\">\n\
                 <title>capplan: {title}</title>\n<style>\n{STYLE}</style>\n</head>\n\
                 <body>\n<header>\n<h1>{title}</h1>\n",
                env!("CARGO_PKG_VERSION")
            ),
        }
    }

    fn finish(mut self) -> String {
        self.body.push_str("</main>\n</body>\n</html>\n");
        self.body
    }

    /// Opens a part of the page under an `<h2>`.
    fn open(&mut self, id: &str, heading: &str) {
        writeln!(
            self.body,
            "<section id=\"{id}\">\n<h2>{}</h2>",
            escape(heading)
        )
        .ok();
    }

    fn close(&mut self) {
        self.body.push_str("</section>\n");
    }

    /// A document's verdict under the name of its question, if it has one.
    fn verdict(&mut self, document: &Document, question: &str) {
        if let Some((_, lines)) = verdict(document) {
            writeln!(self.body, "<h3>{}</h3>", escape(question)).ok();
            self.paragraphs(&lines);
        }
    }

    /// Lines as paragraphs.
    fn paragraphs(&mut self, lines: &[String]) {
        for line in lines {
            writeln!(self.body, "<p>{}</p>", escape(line)).ok();
        }
    }

    /// Every section but the verdict (shown first, on its own) and its closing summary,
    /// headings at `level`.
    fn sections(&mut self, document: &Document, level: u8) {
        let skip = verdict(document).map(|(at, _)| at);
        for (at, section) in document.sections.iter().enumerate() {
            let summary = section.heading == SUMMARY && section.table.is_none();
            if Some(at) != skip && !summary {
                self.section(section, level);
            }
        }
    }

    fn section(&mut self, section: &Section, level: u8) {
        writeln!(
            self.body,
            "<h{level}>{}</h{level}>",
            escape(&section.heading)
        )
        .ok();
        if let Some(table) = &section.table {
            self.table(table);
        }
        if !section.notes.is_empty() {
            self.body.push_str("<ul class=\"notes\">\n");
            for note in &section.notes {
                writeln!(self.body, "<li>{}</li>", escape(note)).ok();
            }
            self.body.push_str("</ul>\n");
        }
    }

    fn table(&mut self, table: &TableData) {
        let key = |column: usize| {
            table
                .header
                .get(column)
                .is_some_and(|h| KEY_COLUMNS.contains(&h.as_str()))
        };
        let class = |column: usize, text: &str| {
            let mut classes = Vec::new();
            if table.right_aligned.contains(&column) {
                classes.push("num");
            }
            if key(column) {
                classes.push("key");
            }
            if is_sparkline(text) {
                classes.push("spark");
            }
            match Tone::of(text) {
                Some(Tone::Fail) => classes.push("fail"),
                Some(Tone::Pass) => classes.push("pass"),
                None => {}
            }
            if classes.is_empty() {
                String::new()
            } else {
                format!(" class=\"{}\"", classes.join(" "))
            }
        };
        self.body
            .push_str("<div class=\"table\">\n<table>\n<thead>\n<tr>");
        for (column, title) in table.header.iter().enumerate() {
            let class = match (table.right_aligned.contains(&column), key(column)) {
                (true, true) => " class=\"num key\"",
                (true, false) => " class=\"num\"",
                (false, true) => " class=\"key\"",
                (false, false) => "",
            };
            write!(self.body, "<th{class}>{}</th>", escape(title)).ok();
        }
        self.body.push_str("</tr>\n</thead>\n<tbody>\n");
        for row in &table.rows {
            self.body.push_str("<tr>");
            for (column, cell) in row.iter().enumerate() {
                write!(
                    self.body,
                    "<td{}>{}</td>",
                    class(column, cell),
                    escape(cell)
                )
                .ok();
            }
            self.body.push_str("</tr>\n");
        }
        self.body.push_str("</tbody>\n</table>\n</div>\n");
    }

    /// An SVG plot inline, scaled to the page's width, with its caption.
    fn figure(&mut self, svg: &str, caption: &str) {
        writeln!(
            self.body,
            "<figure>\n{}\n<figcaption>{}</figcaption>\n</figure>",
            svg.trim_end(),
            escape(caption)
        )
        .ok();
    }
}

/// Text safe in HTML content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assumptions_are_found_with_their_table_and_continuation_lines() {
        let source = "# Everything marked ASSUMPTION is ours; all ASSUMPTIONS below.\n\
                      [scenario]\n# tokens need not grow. ASSUMPTION: users grow 12 %\n\
                      # a month, API 15 %.\ngrowth = 0.12\n#\n# not this\n[[sku]]\nid = \"tpu7\"\n\
                      watts = 600 # ASSUMPTION: board power\noverhead = 0.6 # ASSUMPTION\n\
                      [[site]]\nname = \"r\" # ok\n# (ASSUMPTION, from DGX)\n\
                      # ASSUMPTION: two\nx = 1\n";
        let all = assumptions(source);
        let found: Vec<(usize, &str, &str)> = all
            .iter()
            .map(|a| (a.line, a.place.as_str(), a.text.as_str()))
            .collect();
        assert_eq!(
            found,
            vec![
                (
                    3,
                    "[scenario] growth",
                    "ASSUMPTION: users grow 12 % a month, API 15 %."
                ),
                (
                    10,
                    "[[sku]] tpu7 watts",
                    "watts = 600 # ASSUMPTION: board power"
                ),
                (11, "[[sku]] tpu7 overhead", "overhead = 0.6 # ASSUMPTION"),
                (14, "[[site]] r x", "ASSUMPTION, from DGX)"),
                (15, "[[site]] r x", "ASSUMPTION: two"),
            ]
        );
        assert!(assumptions("x = 1\n").is_empty());
    }

    #[test]
    fn text_is_escaped_and_cells_are_classed() {
        assert_eq!(
            escape("a<b & \"c\" 'd'>"),
            "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;"
        );
        let mut table = TableData::new(&["Policy", "Peak", "Week", "Fits"]).right([1]);
        table.row(vec!["<x>".into(), "83.6%".into(), "▁█".into(), "NO".into()]);
        table.row(vec!["y".into(), "70.0%".into(), "▂▃".into(), "yes".into()]);
        let document = Document {
            title: "T & U".into(),
            sections: vec![
                Section {
                    heading: VERDICT.into(),
                    table: None,
                    notes: vec!["1 of 2 policies fit.".into()],
                },
                Section {
                    heading: "Policies".into(),
                    table: Some(table),
                    notes: vec!["a note".into()],
                },
            ],
        };
        let html = page(&document);
        assert!(html.starts_with("<!DOCTYPE html>\n"), "{html}");
        assert!(html.contains("<title>capplan: T &amp; U</title>"), "{html}");
        assert!(html.contains("<section class=\"verdict\" id=\"verdict\">\n<h2>Verdict</h2>\n<p>1 of 2 policies fit.</p>"), "{html}");
        assert!(html.contains("<tr><td>&lt;x&gt;</td><td class=\"num\">83.6%</td><td class=\"spark\">▁█</td><td class=\"key fail\">NO</td></tr>"), "{html}");
        assert!(html.contains("<td class=\"key pass\">yes</td>"), "{html}");
        // The Fits column stays in sight on a narrow screen.
        assert!(html.contains("<th class=\"key\">Fits</th>"), "{html}");
        assert!(html.contains("<li>a note</li>"), "{html}");
        assert_eq!(html.matches("<h2>Verdict</h2>").count(), 1, "{html}");
        assert!(html.ends_with("</html>\n"));
    }
}
