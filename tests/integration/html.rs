//! The HTML report and `--format html`: one self-contained page, the verdict first, and,
//! in a real headless Chromium, nothing wider than a 1280-pixel window.

use super::*;

/// The report of `scenario` written with `-o` into a temporary directory: (dir, file, text).
fn report(scenario: &str, extra: &[&str]) -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.html");
    let mut args = vec!["report", scenario, "-o", file.to_str().unwrap()];
    args.extend_from_slice(extra);
    let run = capplan(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "", "the page goes to the file");
    let text = std::fs::read_to_string(&file).unwrap();
    (dir, file, text)
}

/// The verdict lines of a command's table output (the indented lines under "Verdict").
fn verdict_lines(table: &str) -> Vec<String> {
    table
        .lines()
        .skip_while(|l| *l != "Verdict")
        .skip(2)
        .take_while(|l| !l.is_empty())
        .map(|l| l.trim().to_string())
        .collect()
}

#[test]
fn the_report_is_one_self_contained_page_with_the_verdicts_first() {
    let (_dir, _, html) = report(TINY, &[]);
    assert!(
        html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"),
        "{html}"
    );
    assert!(html.ends_with("</html>\n"));
    // Both verdicts, word for word as the terminal prints them, before any table.
    let compare = verdict_lines(&capplan(&["compare", TINY]).stdout);
    let timeline = verdict_lines(&capplan(&["timeline", TINY]).stdout);
    assert_eq!(
        compare,
        [
            "Before the additions: 1 of 3 policies fit; unlimited (over target), double-5h (over target) do not.",
            "After the additions: all 3 policies fit.",
            "At the planned growth, from the day the last addition is in full: unlimited does not fit on that day at the planned growth; current holds to the end of the timeline; double-5h holds until 2026-07-04.",
            "Tightest: unlimited (before) peaks at 125.0% against the 85.0% target, 0.71 MW of serving short.",
            "Nearest flip: unlimited (before) fits with h100 rates ×1.471, or pro users ×0.680."
        ]
    );
    assert!(!timeline.is_empty());
    let first_table = html.find("<table>").unwrap();
    for line in compare.iter().chain(&timeline) {
        let at = html
            .find(&format!("<p>{line}</p>"))
            .unwrap_or_else(|| panic!("{line:?} not in the page"));
        assert!(at < first_table, "{line:?} comes after a table");
    }
    // The week, the timeline and the tornado chart inline; the scenario's summary,
    // assumptions and text.
    assert_eq!(html.matches("<svg ").count(), 3);
    assert!(html.contains("<h2>Policies before and after the additions</h2>"));
    assert!(html.contains("<h2>Which input decides</h2>"));
    assert!(html.contains("<h2>Month by month</h2>"));
    assert!(html.contains("<h3>Assumptions, as the scenario states them</h3>"));
    assert!(html.contains("<summary>scenarios/tiny.toml (the whole file)</summary>"));
    assert!(html.contains("peak_hours = [&quot;mon-fri 13:00-19:00&quot;]"));
    // Nothing is fetched: no scripts, no links, no images or fonts from elsewhere.
    for outside in [
        "<script", "<link", "<img", "<iframe", " src=", "url(", "@import",
    ] {
        assert!(!html.contains(outside), "the page has {outside:?}");
    }
    // Links only within the page: the table of contents.
    assert_eq!(
        html.matches(" href=").count(),
        html.matches(" href=\"#").count()
    );
    assert!(html.contains("<li><a href=\"#timeline\">Month by month</a></li>"));
    let links: Vec<&str> = html
        .match_indices("http")
        .map(|(at, _)| &html[at..(at + 26).min(html.len())])
        .filter(|l| !l.starts_with("http://www.w3.org/2000/svg"))
        .collect();
    assert!(links.is_empty(), "{links:?}");
    // Same scenario, same bytes.
    let (_again, _, twice) = report(TINY, &[]);
    assert_eq!(html, twice);
}

#[test]
fn the_report_lists_the_assumptions_the_scenario_marks() {
    let (_dir, _, html) = report(COLOSSUS, &["--policy", "current"]);
    // colossus.toml line 35 and an inline one, with the table and entry they sit in.
    assert!(
        html.contains(
            "<tr><td class=\"num\">35</td><td>[scenario] utilization_target</td><td>ASSUMPTION: 80 % of serving \
             capacity is usable at the latency SLO; DeepSeek reports a peak/average of 1.23 \
             nodes in production (deepseek-ai/open-infra-index, day 6).</td></tr>"
        ),
        "{html}"
    );
    assert!(
        html.contains("<td>[gpu.tpu7] watts</td><td>watts = 600     # ASSUMPTION: TPU v7 board power is not in our sources</td>"),
        "{html}"
    );
    // One policy asked for: the week plot's legend and the tables name only it.
    let answers = &html[..html.find("<section id=\"scenario\">").unwrap()];
    assert!(answers.contains("current"));
    assert!(!answers.contains("double-5h"), "only the selected policy");
}

#[test]
fn a_scenario_without_a_timeline_gets_the_report_without_one() {
    let text = tiny_with(&[(
        "[timeline]\nstart = \"2026-05-01\"\nmonths = 4\ngrowth = 0.1\n",
        "",
    )]);
    let scenario = ScenarioFile::new("no-timeline", text.replace("ASSUMPTION", "assumed"));
    let (_dir, _, html) = report(scenario.path(), &[]);
    // The week and the tornado chart.
    assert_eq!(html.matches("<svg ").count(), 2);
    assert!(!html.contains("Month by month"));
    assert!(
        html.contains("The scenario marks no line ASSUMPTION:"),
        "{html}"
    );
}

#[test]
fn names_are_escaped_on_the_page() {
    let scenario = ScenarioFile::new(
        "escape",
        tiny_with(&[("name = \"current\"", "name = \"<b>current</b> & co\"")]),
    );
    let (_dir, _, html) = report(scenario.path(), &[]);
    assert!(
        html.contains("&lt;b&gt;current&lt;/b&gt; &amp; co"),
        "{html}"
    );
    assert!(!html.contains("<b>current</b>"));
}

#[test]
fn every_answer_renders_as_html_with_its_verdict() {
    let args = ["check", TINY, "--phase", "before", "--quiet"];
    let run = capplan(&[&args[..], &["--format", "html"]].concat());
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.starts_with("<!DOCTYPE html>"), "{}", run.stdout);
    let verdict = capplan(&args).stdout.lines().nth(2).unwrap().to_string();
    assert_eq!(
        verdict,
        "check failed: 2 of 3 policies do not fit (before): unlimited, double-5h"
    );
    let first = format!(
        "<section class=\"verdict\" id=\"verdict\">\n<h2>Verdict</h2>\n<p>{verdict}</p>\n</section>"
    );
    assert!(run.stdout.contains(&first), "{}", run.stdout);
    assert!(
        run.stdout.contains("<td class=\"key fail\">NO"),
        "{}",
        run.stdout
    );
    assert_eq!(
        run.stdout.matches(&verdict).count(),
        1,
        "shown once, in the box"
    );
    let run = capplan(&["validate", TINY, "--format", "html"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("<h2>Summary</h2>"), "{}", run.stdout);
}

#[test]
fn a_broken_scenario_gets_no_report() {
    let scenario = ScenarioFile::new("broken", tiny_with(&[("months = 4", "months = \"four\"")]));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.html");
    let run = capplan(&["report", scenario.path(), "-o", file.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("broken.toml:"), "{}", run.stderr);
    assert!(run.stderr.contains("timeline.months"), "{}", run.stderr);
    assert!(!file.exists(), "no page for a scenario that cannot be used");
}

/// Chromium, if the machine has it (`CAPPLAN_CHROMIUM`, or `chromium` on the PATH).
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CAPPLAN_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser", "google-chrome"].map(|n| dir.join(n)))
        .find(|candidate| candidate.is_file())
}

/// Measures the page as Chromium lays it out, then leaves the figures on `<body>`.
const PROBE: &str = r#"<script>
(() => {
  const width = document.documentElement.clientWidth;
  const over = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 0.5) {
      over.push(el.tagName.toLowerCase() + ' ' + Math.round(box.right));
    }
  }
  for (const div of document.querySelectorAll('.table')) {
    if (div.scrollWidth > div.clientWidth) over.push('scrolling table ' + div.scrollWidth);
  }
  document.body.dataset.probe = JSON.stringify({
    width,
    scrollWidth: document.documentElement.scrollWidth,
    over: over.slice(0, 20),
    verdict: document.getElementById('verdict').innerText,
    svgs: document.querySelectorAll('figure svg').length,
  });
})();
</script>
</body>"#;

#[test]
fn the_report_renders_in_chromium_with_nothing_wider_than_1280_pixels() {
    let Some(browser) = chromium() else {
        // .ci/run installs Chromium and sets CAPPLAN_REQUIRE_BROWSER, so CI never skips.
        assert!(
            std::env::var_os("CAPPLAN_REQUIRE_BROWSER").is_none(),
            "CAPPLAN_REQUIRE_BROWSER is set but there is no chromium: apt-get install chromium"
        );
        eprintln!("skipped: no chromium on this machine (apt-get install chromium)");
        return;
    };
    let (dir, _, html) = report(COLOSSUS, &[]);
    let probed = dir.path().join("probed.html");
    std::fs::write(&probed, html.replace("</body>", PROBE)).unwrap();
    let profile = tempfile::tempdir().unwrap();
    let shot = dir.path().join("report.png");
    let headless = |extra: &[String]| {
        std::process::Command::new(&browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--window-size=1280,900",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(extra)
            .arg(format!("file://{}", probed.display()))
            .output()
            .unwrap()
    };
    let dom = headless(&["--dump-dom".into()]);
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8(dom.stdout).unwrap();
    let start = dom.find("data-probe=\"").expect("the probe ran") + "data-probe=\"".len();
    let attribute = &dom[start..start + dom[start..].find('"').unwrap()];
    let probe: Value = serde_json::from_str(
        &attribute
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
    .unwrap();
    assert_eq!(probe["width"], 1280, "{probe}");
    assert_eq!(
        probe["scrollWidth"], 1280,
        "the page scrolls sideways: {probe}"
    );
    assert_eq!(
        probe["over"],
        serde_json::json!([]),
        "wider than the window: {probe}"
    );
    // The week, the timeline and the tornado chart.
    assert_eq!(probe["svgs"], 3, "{probe}");
    let verdict = probe["verdict"].as_str().unwrap();
    assert!(
        verdict.contains("before (2026-05-05): 1 of 6 policies fit")
            && verdict.contains("colossus-1-online (2026-06-06): 0 of 6 policies fit")
            && verdict.contains("current: holds until 2026-05-05."),
        "{verdict}"
    );
    // And a picture of it, as a person would see the top of the page.
    let screenshot = headless(&[format!("--screenshot={}", shot.display())]);
    assert!(screenshot.status.success());
    let png = std::fs::read(&shot).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 1280);
}

/// On a phone: the answer columns in sight, plot text readable, the page not sideways.
const PHONE_PROBE: &str = r#"<script>
(() => {
  const width = document.documentElement.clientWidth;
  const keys = [];
  for (const table of document.querySelectorAll('.table')) {
    const key = table.querySelector('th.key');
    if (!key) continue;
    const box = key.getBoundingClientRect();
    keys.push(key.innerText + ' ' + (box.left >= 0 && box.right <= width + 0.5));
  }
  let smallest = 1e9;
  for (const svg of document.querySelectorAll('figure svg')) {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    for (const text of svg.querySelectorAll('text')) {
      smallest = Math.min(smallest, parseFloat(text.getAttribute('font-size')) * scale);
    }
  }
  parent.document.body.dataset.probe = JSON.stringify({
    width,
    scrollWidth: document.documentElement.scrollWidth,
    keys,
    smallest,
    contents: document.querySelectorAll('#contents a').length,
  });
})();
</script>
</body>"#;

#[test]
fn on_a_390_pixel_phone_the_fits_column_is_in_sight_and_plot_text_is_9_pixels_or_more() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CAPPLAN_REQUIRE_BROWSER").is_none(),
            "CAPPLAN_REQUIRE_BROWSER is set but there is no chromium: apt-get install chromium"
        );
        eprintln!("skipped: no chromium on this machine (apt-get install chromium)");
        return;
    };
    let (dir, _, html) = report(COLOSSUS, &[]);
    // Headless Chromium's window is at least 500 pixels wide: the page goes in a frame of
    // a phone's width (srcdoc, so that the probe may write to the frame's parent).
    let page = html.replace("</body>", PHONE_PROBE);
    let probed = dir.path().join("phone.html");
    std::fs::write(
        &probed,
        format!(
            "<!DOCTYPE html><html><body style=\"margin:0\"><iframe style=\"width:390px;height:844px;border:0\" srcdoc=\"{}\"></iframe></body></html>",
            page.replace('&', "&amp;").replace('"', "&quot;")
        ),
    )
    .unwrap();
    let profile = tempfile::tempdir().unwrap();
    let dom = std::process::Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=500,900",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("file://{}", probed.display()))
        .output()
        .unwrap();
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8(dom.stdout).unwrap();
    let start = dom.find("data-probe=\"").expect("the probe ran") + "data-probe=\"".len();
    let attribute = &dom[start..start + dom[start..].find('"').unwrap()];
    let probe: Value = serde_json::from_str(
        &attribute
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
    .unwrap();
    assert_eq!(probe["width"], 390, "{probe}");
    assert_eq!(
        probe["scrollWidth"], 390,
        "the page scrolls sideways: {probe}"
    );
    let keys = probe["keys"].as_array().unwrap();
    assert!(keys.len() >= 4, "{probe}");
    assert!(
        keys.iter().all(|k| k.as_str().unwrap().ends_with(" true")),
        "an answer column out of sight: {probe}"
    );
    assert!(probe["smallest"].as_f64().unwrap() >= 9.0, "{probe}");
    // Verdict, compare, timeline, sensitivity, the scenario.
    assert_eq!(probe["contents"], 5, "{probe}");
}
