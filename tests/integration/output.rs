//! Output as a file, a pipe, a terminal or a plot: deterministic, atomic, never over an
//! input, the same on any thread count.

use super::*;

#[test]
fn output_is_byte_identical_across_runs() {
    for format in ["table", "json", "csv", "markdown"] {
        let first = capplan(&["compare", COLOSSUS, "--format", format]);
        let second = capplan(&["compare", COLOSSUS, "--format", format]);
        assert_eq!(first.code, 0, "{}", first.stderr);
        assert_eq!(first.stdout, second.stdout, "{format}");
        assert!(!first.stdout.contains("NaN") && !first.stdout.contains("inf"));
    }
}

#[test]
fn every_command_and_format_runs_on_every_scenario() {
    for scenario in [TINY, COLOSSUS, TELEMETRY] {
        for format in ["table", "json", "csv", "markdown"] {
            let has_timeline = scenario != TELEMETRY;
            for args in [
                vec!["compare", scenario],
                vec!["timeline", scenario],
                vec![
                    "solve",
                    scenario,
                    "--policy",
                    if scenario == TELEMETRY {
                        "today"
                    } else {
                        "current"
                    },
                ],
                vec![
                    "explain",
                    scenario,
                    "--policy",
                    if scenario == TELEMETRY {
                        "today"
                    } else {
                        "current"
                    },
                ],
                vec!["validate", scenario],
            ] {
                if args[0] == "timeline" && !has_timeline {
                    continue;
                }
                let mut args = args.clone();
                args.extend(["--format", format]);
                let first = capplan(&args);
                assert_eq!(first.code, 0, "{args:?}: {}", first.stderr);
                assert!(
                    !first.stdout.contains("NaN") && !first.stdout.contains("inf"),
                    "{args:?}"
                );
                assert_eq!(
                    first.stdout,
                    capplan(&args).stdout,
                    "{args:?} is not deterministic"
                );
            }
        }
    }
}

#[test]
fn sparklines_show_the_week_and_fall_back_to_ascii() {
    let run = capplan(&["compare", TINY]);
    // Weekdays at 1.25, weekends at 0.625 of the same 1.25 top: full blocks, then half.
    assert!(
        run.stdout
            .contains("│ unlimited ┆ before ┆ ████████████████████▄▄▄▄▄▄▄▄ ┆"),
        "{}",
        run.stdout
    );
    let ascii = capplan_with(&["compare", TINY], &[("LANG", "C")]);
    assert!(ascii.stdout.is_ascii(), "{}", ascii.stdout);
    assert!(
        ascii
            .stdout
            .contains("| unlimited | before | ####################~~~~~~~~ |"),
        "{}",
        ascii.stdout
    );
    // LC_ALL wins over LANG.
    let utf8 = capplan_with(
        &["compare", TINY],
        &[("LANG", "C"), ("LC_ALL", "en_US.UTF-8")],
    );
    assert!(!utf8.stdout.is_ascii());
}

#[test]
fn plots_are_svg_with_every_policy_and_the_same_bytes_each_run() {
    let dir = tempfile::tempdir().unwrap();
    let week = dir.path().join("week.svg");
    let run = capplan(&["compare", COLOSSUS, "--plot", week.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let svg = std::fs::read_to_string(&week).unwrap();
    assert!(
        svg.starts_with("<svg width=\"1200\" height=\"800\"") && svg.trim_end().ends_with("</svg>")
    );
    // One panel per dated phase, each policy in the legend (wrapped).
    for label in [
        "current (peak before 80.0%,",
        "may-2026 (peak before 90.8%,",
        "before: peak hours shaded, dashed line = target 80%\n<",
        "colossus-1-online: peak hours shaded, dashed line = target 80%\n<",
    ] {
        assert!(svg.contains(label), "{label}");
    }
    // No result fails on the training floor here, so no cross marks a peak: the six
    // thick strokes are the legend's swatches.
    assert_eq!(svg.matches("stroke-width=\"3\"").count(), 6, "{svg}");
    // Five peak bands per panel (Monday to Friday 12:00-18:00), drawn as shaded rectangles.
    assert_eq!(
        svg.matches("opacity=\"0.15\" fill=\"#FFAA00\"").count(),
        10,
        "peak bands"
    );
    capplan(&[
        "compare",
        COLOSSUS,
        "--plot",
        dir.path().join("again.svg").to_str().unwrap(),
    ]);
    assert_eq!(
        svg,
        std::fs::read_to_string(dir.path().join("again.svg")).unwrap()
    );

    let timeline = dir.path().join("timeline.svg");
    assert_eq!(
        capplan(&["timeline", COLOSSUS, "--plot", timeline.to_str().unwrap()]).code,
        0
    );
    let svg = std::fs::read_to_string(&timeline).unwrap();
    // The axis stops at 1.2 × the highest month under 200 % (196.1 %), not at 397 %; the
    // months above it are triangles on its top edge.
    assert!(svg.contains("; ▲ above 235%"), "{svg}");
    assert!(
        !svg.contains(">\n400\n<") && svg.contains(">\n200\n<"),
        "{svg}"
    );
    for label in [
        // Each fleet change on its day: online, full ramp, offline.
        ">\n+colossus-1\n<",
        ">\ngoogle-tpu-2026 full\n<",
        ">\n-colossus-1\n<",
        // The legend says each runway.
        "current (holds until 2026-05-05)",
        "double-5h (never fits)",
    ] {
        assert!(svg.contains(label), "{label}");
    }
}

#[test]
fn output_is_written_atomically_and_never_over_the_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    let run = capplan(&[
        "compare",
        TINY,
        "--format",
        "json",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    let written = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        written,
        capplan(&["compare", TINY, "--format", "json"]).stdout
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temporary file left"
    );
    // Over the scenario: refused, and the scenario is untouched.
    let scenario = ScenarioFile::new("keep", tiny_text());
    let before = std::fs::read(&scenario.path).unwrap();
    for args in [
        vec!["compare", scenario.path(), "--output", scenario.path()],
        vec!["compare", scenario.path(), "--plot", scenario.path()],
    ] {
        let run = capplan(&args);
        assert_eq!(run.code, 2, "{args:?}");
        assert!(run.stderr.contains("refusing to write"), "{}", run.stderr);
    }
    assert_eq!(std::fs::read(&scenario.path).unwrap(), before);
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("capplan"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["timeline", COLOSSUS])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Read one line, then close the pipe while capplan still has lines to write.
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("error") || stderr.contains("warning"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("Broken pipe") && !stderr.contains("panicked"),
        "{stderr}"
    );
}

#[test]
fn completions_load_in_bash_and_the_man_page_renders() {
    let script = capplan(&["completions", "bash"]);
    assert_eq!(script.code, 0);
    let output = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!("{}\ncomplete -p capplan", script.stdout))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("capplan"));
    for shell in ["zsh", "fish"] {
        let run = capplan(&["completions", shell]);
        assert_eq!(run.code, 0);
        assert!(run.stdout.contains("timeline") && run.stdout.contains("check"));
    }
    let man = capplan(&["man"]);
    assert_eq!(man.code, 0);
    assert!(
        man.stdout.starts_with(".ie \\n(.g .ds Aq") || man.stdout.contains(".TH capplan"),
        "{}",
        &man.stdout[..200]
    );
    assert!(man.stdout.contains("compare") && man.stdout.contains("Exit status"));
}

#[test]
fn every_manual_page_the_main_page_lists_exists() {
    let main = capplan(&["man"]);
    let listed: Vec<&str> = main
        .stdout
        .lines()
        .filter_map(|line| line.strip_prefix("capplan\\-")?.strip_suffix("(1)"))
        .collect();
    assert_eq!(
        listed,
        [
            "compare",
            "check",
            "timeline",
            "solve",
            "explain",
            "calibrate",
            "sensitivity",
            "diff",
            "report",
            "validate",
            "schema",
            "completions",
            "man",
            "init"
        ]
    );
    for command in listed {
        let page = capplan(&["man", command]);
        assert_eq!(page.code, 0, "{command}: {}", page.stderr);
        assert!(
            page.stdout.contains(&format!(".TH capplan-{command} 1")),
            "{command}: {}",
            &page.stdout[..200]
        );
        assert!(
            page.stdout.contains(&format!("\\fBcapplan {command}\\fR")),
            "{command}"
        );
    }
    let wrong = capplan(&["man", "compre"]);
    assert_eq!(wrong.code, 2);
    assert!(
        wrong
            .stderr
            .contains("no manual page for \"compre\" (did you mean compare?)"),
        "{}",
        wrong.stderr
    );
    assert_eq!(
        capplan(&["man", "generate"]).code,
        2,
        "a hidden command has no page"
    );
}

#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    let root = env!("CARGO_MANIFEST_DIR");
    let bin = assert_cmd::cargo::cargo_bin("capplan");
    let broken = ScenarioFile::new(
        "colour",
        tiny_text().replace("users = 100000", "users = -1"),
    );
    let on_terminal = |extra_env: &str| {
        // `script` gives the command a pseudo-terminal.
        let output = std::process::Command::new("script")
            .args([
                "-qec",
                &format!("{extra_env} {} compare {}", bin.display(), broken.path()),
                "/dev/null",
            ])
            .current_dir(root)
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).to_string()
    };
    assert!(
        on_terminal("").contains("\u{1b}["),
        "no colour on a terminal"
    );
    assert!(
        !on_terminal("NO_COLOR=1").contains("\u{1b}["),
        "colour despite NO_COLOR"
    );
    let piped = capplan(&["compare", broken.path()]);
    assert!(!piped.stderr.contains('\u{1b}'), "colour into a pipe");
}

#[test]
fn init_writes_a_starter_that_validates_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mine.toml");
    let run = capplan(&["init", path.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("wrote") && dir.path().join("schema.json").exists());
    assert_eq!(capplan(&["validate", path.to_str().unwrap()]).code, 0);
    let doc = json(&capplan(&[
        "compare",
        path.to_str().unwrap(),
        "--format",
        "json",
    ]));
    assert_eq!(result(&doc, "generous", "before")["fits"], false);
    assert_eq!(result(&doc, "generous", "after")["fits"], true);
    let again = capplan(&["init", path.to_str().unwrap(), "--template", "colossus"]);
    assert_eq!(again.code, 2);
    assert!(
        again
            .stderr
            .contains("already exists; capplan init never overwrites a file"),
        "{}",
        again.stderr
    );
    let colossus = dir.path().join("c.toml");
    assert_eq!(
        capplan(&["init", colossus.to_str().unwrap(), "--template", "colossus"]).code,
        0
    );
    assert_eq!(
        std::fs::read_to_string(&colossus).unwrap(),
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(COLOSSUS)).unwrap()
    );
}

#[test]
fn generated_planning_scenarios_are_valid_and_seeded() {
    let args = [
        "generate",
        "--tiers",
        "6",
        "--policies",
        "3",
        "--step-minutes",
        "15",
        "--months",
        "4",
        "--seed",
        "3",
    ];
    let first = capplan(&args);
    assert_eq!(first.code, 0);
    assert_eq!(
        first.stdout,
        capplan(&args).stdout,
        "same seed, same scenario"
    );
    let file = ScenarioFile::new("generated", &first.stdout);
    let doc = json(&capplan(&["validate", file.path(), "--format", "json"]));
    assert_eq!(doc["summary"]["tiers"].as_array().unwrap().len(), 6);
    assert_eq!(doc["summary"]["timeline_months"], 4);
    assert_eq!(capplan(&["timeline", file.path()]).code, 0);
    // A flag check, settled with the others before any work: a usage error.
    let seven = capplan(&["generate", "--step-minutes", "7"]);
    assert_eq!(seven.code, 2);
    assert!(
        seven.stderr.contains("--step-minutes must divide an hour")
            && seven.stderr.contains("Usage: capplan"),
        "{}",
        seven.stderr
    );
}

#[test]
fn output_does_not_depend_on_the_number_of_threads() {
    let file = ScenarioFile::new(
        "threads",
        capplan(&[
            "generate",
            "--tiers",
            "20",
            "--policies",
            "8",
            "--step-minutes",
            "15",
            "--months",
            "6",
        ])
        .stdout,
    );
    for command in ["compare", "timeline"] {
        let one = capplan_with(
            &[command, file.path(), "--format", "json"],
            &[("RAYON_NUM_THREADS", "1")],
        );
        let four = capplan_with(
            &[command, file.path(), "--format", "json"],
            &[("RAYON_NUM_THREADS", "4")],
        );
        assert_eq!(one.code, 0, "{}", one.stderr);
        assert_eq!(one.stdout, four.stdout, "{command}");
    }
}

#[test]
fn a_png_plot_is_the_svg_rasterized_and_other_names_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("timeline.png");
    let run = capplan(&["timeline", TINY, "--plot", png.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG signature");
    // IHDR: width and height, big-endian, as the SVG's 1200 x 560.
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((width, height), (1200, 560));
    let again = dir.path().join("again.png");
    capplan(&["timeline", TINY, "--plot", again.to_str().unwrap()]);
    assert_eq!(
        bytes,
        std::fs::read(&again).unwrap(),
        "the same bytes each run"
    );

    let jpg = dir.path().join("week.jpg");
    let run = capplan(&["compare", TINY, "--plot", jpg.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("name the plot FILE.svg or FILE.png"),
        "{}",
        run.stderr
    );
    assert!(!jpg.exists());
}

#[test]
fn quiet_prints_no_warning_but_keeps_errors_and_annotations() {
    let run = capplan(&["compare", TINY, "--quiet"]);
    assert_eq!(run.code, 0);
    assert_eq!(
        run.stderr, "",
        "tiny.toml's power-bound warning is not printed"
    );
    let run = capplan(&["compare", "no/such.toml", "-q"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.starts_with("error: cannot read scenario"),
        "{}",
        run.stderr
    );
    let env = [("GITHUB_ACTIONS", "true"), ("LANG", "C.UTF-8")];
    let run = capplan_with(&["check", TINY, "--phase", "before", "-q"], &env);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("::error "), "{}", run.stderr);
    assert!(!run.stderr.contains("warning:"), "{}", run.stderr);
}

/// Runs capplan on a pseudo-terminal of `columns` columns (with `script` and `stty`); the
/// output with colour codes removed.
fn on_terminal_of(columns: usize, args: &str) -> String {
    let bin = assert_cmd::cargo::cargo_bin("capplan");
    let output = std::process::Command::new("script")
        .args([
            "-qec",
            &format!("stty cols {columns} rows 50; {} {args}", bin.display()),
            "/dev/null",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("GITHUB_ACTIONS")
        .output()
        .unwrap();
    // The terminal ends lines with CR LF; a lone CR (a progress bar redrawing its line)
    // returns to the line's start, so what stays on screen is what follows the last one.
    let text = String::from_utf8_lossy(&output.stdout).replace("\r\n", "\n");
    // Drop ANSI control sequences: ESC [ parameters, then one final byte in @..~.
    let mut plain = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.next() == Some('[') {
                for d in chars.by_ref() {
                    if ('@'..='~').contains(&d) {
                        break;
                    }
                }
            }
        } else {
            plain.push(c);
        }
    }
    plain
        .lines()
        .map(|line| line.rsplit('\r').next().unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The names colossus.toml gives (`name = "…"`).
fn colossus_names() -> Vec<String> {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(COLOSSUS)).unwrap();
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("name = \""))
        .filter_map(|l| l.split('"').next())
        .map(String::from)
        .collect()
}

/// The text of every table cell line on a terminal (box tables), trimmed.
fn cell_fragments(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.starts_with('│'))
        .flat_map(|l| l.split(['│', '┆']))
        .map(|cell| cell.trim().to_string())
        .filter(|cell| !cell.is_empty())
        .collect()
}

#[test]
fn on_a_50_row_terminal_the_answer_is_first_and_last_and_no_name_is_split() {
    let names = colossus_names();
    assert!(names.iter().any(|n| n == "colossus-1") && names.iter().any(|n| n == "api-raise"));
    for columns in [80, 100, 120] {
        for command in ["compare", "check", "timeline"] {
            let text = on_terminal_of(columns, &format!("{command} scenarios/colossus.toml"));
            let lines: Vec<&str> = text.lines().collect();
            let widest = lines.iter().map(|l| l.chars().count()).max().unwrap();
            assert!(
                widest <= columns,
                "{command} at {columns} columns: a line of {widest}\n{text}"
            );
            // A verdict sentence in the first 8 rows.
            let verdict = |l: &&str| {
                l.starts_with("check passed")
                    || l.starts_with("check failed")
                    || l.contains("policies fit")
                    || l.starts_with("  current: fits")
                    || l.starts_with("  current: holds")
            };
            assert!(
                lines.iter().take(8).any(verdict),
                "{command} at {columns}: {:?}",
                &lines[..8]
            );
            // The verdict again, or the summary, in the last 50 rows.
            let last = &lines[lines.len().saturating_sub(50)..];
            assert!(
                last.iter()
                    .any(|l| *l == "Summary" || l.trim_start().starts_with("check passed")),
                "{command} at {columns}: {last:?}"
            );
            // A cell's line that begins a name ends at a hyphen of it, or is the name.
            for fragment in cell_fragments(&text) {
                for name in &names {
                    let word = fragment.split(' ').next_back().unwrap_or_default();
                    let whole = names.iter().any(|n| n == word);
                    if name.starts_with(word) && !whole && !word.is_empty() {
                        assert!(
                            word.ends_with('-'),
                            "{command} at {columns}: {name} split as {fragment:?}\n{text}"
                        );
                    }
                }
            }
            assert!(!text.contains('…'), "{command} at {columns}: {text}");
        }
    }
    let compare = on_terminal_of(80, "compare scenarios/colossus.toml");
    assert!(compare.contains("--wide shows every column"), "{compare}");
    let wide = on_terminal_of(80, "compare scenarios/colossus.toml --wide");
    assert!(wide.lines().any(|l| l.chars().count() > 80));
    // Off a terminal: the fixed layout, whatever the terminal would have been.
    let piped = capplan(&["compare", COLOSSUS]);
    assert!(!piped.stdout.contains("--wide shows every column"));
}

/// The policy table's columns at each width, as docs/output.md states them: the least
/// needed go first, and policy, phase, peak and fits never go.
#[test]
fn the_policy_table_drops_columns_in_the_documented_order() {
    let header = |columns: usize| -> Vec<String> {
        let text = on_terminal_of(columns, "compare scenarios/colossus.toml");
        let line = text
            .lines()
            .find(|l| l.starts_with("│ Policy") && l.contains("Fits"))
            .unwrap_or_else(|| panic!("no policy table at {columns}: {text}"))
            .to_string();
        line.split(['│', '┆'])
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect()
    };
    assert_eq!(
        header(80),
        ["Policy", "Phase", "Peak util", "MW to fit", "Fits"]
    );
    assert_eq!(
        header(100),
        [
            "Policy",
            "Phase",
            "Peak util",
            "Peak at",
            "MW to fit",
            "Fits"
        ]
    );
    assert_eq!(
        header(120),
        [
            "Policy",
            "Phase",
            "Week (Mon-Sun)",
            "Peak util",
            "Peak at",
            "MW to fit",
            "Fits"
        ]
    );
    assert_eq!(
        header(140),
        [
            "Policy",
            "Phase",
            "Week (Mon-Sun)",
            "Peak util",
            "Placement",
            "Peak at",
            "MW to fit",
            "Fits"
        ]
    );
    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/output.md"))
            .unwrap();
    assert!(
        docs.contains(
            "Throttled, Shed, Served, Training GPU-h, Hours over, Placement, Week (Mon-Sun), Peak at, MW to fit"
        ),
        "docs/output.md states another order"
    );
}

#[test]
fn plots_give_every_policy_its_own_colour_and_keep_the_legend_off_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let generated = capplan(&[
        "generate",
        "--tiers",
        "3",
        "--policies",
        "12",
        "--step-minutes",
        "60",
        "--months",
        "3",
    ]);
    let scenario = dir.path().join("twelve.toml");
    std::fs::write(&scenario, generated.stdout).unwrap();
    for command in ["compare", "timeline"] {
        let plot = dir.path().join(format!("{command}.svg"));
        let run = capplan(&[
            command,
            scenario.to_str().unwrap(),
            "-q",
            "--plot",
            plot.to_str().unwrap(),
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let svg = std::fs::read_to_string(&plot).unwrap();
        let mut colours: Vec<&str> = Vec::new();
        let mut rightmost_point = 0.0f64;
        for polyline in svg.split("<polyline").skip(1) {
            let stroke = polyline.split("stroke=\"").nth(1).unwrap();
            let stroke = &stroke[..stroke.find('"').unwrap()];
            let points = polyline.split("points=\"").nth(1).unwrap();
            let points = &points[..points.find('"').unwrap()];
            // A data line has many points; the legend's swatches and the dashes have two.
            let points: Vec<&str> = points.split_whitespace().collect();
            for point in points.iter().filter(|_| points.len() > 2) {
                let x: f64 = point.split(',').next().unwrap().parse().unwrap();
                rightmost_point = rightmost_point.max(x);
            }
            if !["#000000", "#969696"].contains(&stroke) && !colours.contains(&stroke) {
                colours.push(stroke);
            }
        }
        assert!(
            colours.len() >= 12,
            "{command}: {} colours: {colours:?}",
            colours.len()
        );
        // The legend column starts at 1200 - 320 px; the data ends before it.
        assert!(
            rightmost_point < 880.0,
            "{command}: data reaches x = {rightmost_point}"
        );
        let legend_x: Vec<f64> = svg
            .split("<text x=\"")
            .skip(1)
            .filter(|t| {
                t.contains("(peak ")
                    || t.contains("fits")
                    || t.contains("never")
                    || t.contains("holds")
            })
            .map(|t| t[..t.find('"').unwrap()].parse().unwrap())
            .collect();
        assert!(legend_x.len() >= 12, "{command}: {legend_x:?}");
        assert!(
            legend_x.iter().all(|&x| x >= 880.0),
            "{command}: {legend_x:?}"
        );
    }
}

/// Runs `capplan ARGS…` with `input` on standard input.
fn capplan_stdin(args: &[&str], input: &str) -> Run {
    let output = assert_cmd::Command::cargo_bin("capplan")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("RUST_BACKTRACE", "0")
        .env("LANG", "C.UTF-8")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .args(args)
        .write_stdin(input)
        .output()
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

#[test]
fn a_dash_reads_the_scenario_from_standard_input() {
    let piped = capplan_stdin(&["check", "-", "--format", "json", "-q"], &tiny_text());
    let file = capplan(&["check", TINY, "--format", "json", "-q"]);
    assert_eq!(piped.code, file.code, "{}", piped.stderr);
    assert_eq!(piped.stdout.replace("<stdin>", TINY), file.stdout);
    // Warnings and errors name standard input.
    let broken = capplan_stdin(
        &["validate", "-"],
        &tiny_text().replace("users = 100000", "users = -1"),
    );
    assert_eq!(broken.code, 2);
    assert!(broken.stderr.contains("<stdin>:"), "{}", broken.stderr);
    // A relative curve file has no folder to be relative to.
    let telemetry =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(TELEMETRY)).unwrap();
    let relative = capplan_stdin(&["validate", "-"], &telemetry);
    assert_eq!(relative.code, 2);
    assert!(
        relative
            .stderr
            .contains("give the curve file's absolute path"),
        "{}",
        relative.stderr
    );
    let absolute = telemetry.replace(
        "file = \"curves/",
        &format!("file = \"{}/scenarios/curves/", env!("CARGO_MANIFEST_DIR")),
    );
    let run = capplan_stdin(&["validate", "-"], &absolute);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn report_on_a_terminal_without_a_file_is_refused_with_the_command_to_use() {
    let text = on_terminal_of(100, "report scenarios/tiny.toml");
    assert!(!text.contains("<!DOCTYPE"), "{text}");
    assert!(
        text.contains("error: report writes an HTML page")
            && text.contains("capplan report scenarios/tiny.toml -o report.html"),
        "{text}"
    );
    // Into a pipe it is the page.
    let piped = capplan(&["report", TINY, "-q"]);
    assert_eq!(piped.code, 0);
    assert!(piped.stdout.starts_with("<!DOCTYPE html>"));
}

#[test]
fn color_follows_the_flag_then_no_color_then_clicolor_force() {
    let failing = ["check", TINY, "--phase", "before", "-q"];
    let coloured = |run: &Run| run.stdout.contains("\u{1b}[");
    // Off a terminal: none by default, with --color always, and with CLICOLOR_FORCE.
    assert!(!coloured(&capplan(&failing)));
    let always = capplan(&[&failing[..], &["--color", "always"]].concat());
    assert_eq!(always.code, 1);
    assert!(
        always.stdout.contains("\u{1b}[1;31mcheck failed"),
        "{}",
        always.stdout
    );
    let env = [("LANG", "C.UTF-8"), ("CLICOLOR_FORCE", "1")];
    assert!(coloured(&capplan_with(&failing, &env)));
    let env = [
        ("LANG", "C.UTF-8"),
        ("CLICOLOR_FORCE", "1"),
        ("NO_COLOR", "1"),
    ];
    assert!(!coloured(&capplan_with(&failing, &env)));
    let env = [("LANG", "C.UTF-8"), ("NO_COLOR", "1")];
    assert!(coloured(&capplan_with(
        &[&failing[..], &["--color", "always"]].concat(),
        &env
    )));
    // On a terminal: colour by default, none with --color never.
    let bin = assert_cmd::cargo::cargo_bin("capplan");
    let raw = |flags: &str| {
        let output = std::process::Command::new("script")
            .args([
                "-qec",
                &format!(
                    "{} check scenarios/tiny.toml --phase before -q {flags}",
                    bin.display()
                ),
                "/dev/null",
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("GITHUB_ACTIONS")
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).to_string()
    };
    assert!(raw("").contains("\u{1b}[1;31mcheck failed"));
    assert!(!raw("--color never").contains('\u{1b}'));
}

#[test]
fn in_github_actions_logs_tables_fold_and_verdicts_are_coloured() {
    let env = [("LANG", "C.UTF-8"), ("GITHUB_ACTIONS", "true")];
    let run = capplan_with(&["check", TINY, "--phase", "before", "-q"], &env);
    assert_eq!(run.code, 1);
    let out = &run.stdout;
    assert!(
        out.contains("\n::group::Capacity before: 1 site, "),
        "{out}"
    );
    assert_eq!(
        out.matches("::group::").count(),
        out.matches("::endgroup::").count()
    );
    // The verdict and the summary are outside any group, and coloured.
    let summary = out.rfind("Summary").unwrap();
    assert!(out.rfind("::endgroup::").unwrap() < summary, "{out}");
    assert!(out.contains("\u{1b}[1;31mcheck failed"), "{out}");
    // JSON is never folded or coloured.
    let json = capplan_with(&["check", TINY, "--format", "json", "-q"], &env);
    assert!(!json.stdout.contains("::group::") && !json.stdout.contains('\u{1b}'));
}

#[test]
fn flags_a_command_does_not_use_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.toml");
    let out = dir.path().join("out.toml");
    let run = capplan(&["init", path.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("-o/--output is not used"),
        "{}",
        run.stderr
    );
    assert!(!path.exists() && !out.exists());
    let run = capplan(&["init", path.to_str().unwrap(), "--wide"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("--wide is not used by init"),
        "{}",
        run.stderr
    );
    let run = capplan(&["compare", TINY, "--format", "csv", "--wide"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("--wide is not used by compare"),
        "{}",
        run.stderr
    );
}
