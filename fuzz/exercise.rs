// One body for the `gate` fuzz target (fuzz/fuzz_targets/gate.rs) and its bounded smoke
// run in the test suite (tests/integration/hostile.rs), included by both so the two never
// drift: a pull request's base and head through diff (every format, written through the
// GitHub fence), the head's whole HTML report, the check's JUnit report, and sampled
// uncertainty.

/// Runs `base` and `head` (scenario texts) through diff, JUnit, the fence and sampling:
/// no panic, well-formed XML, no line the runner would read as a command, finite numbers.
pub fn exercise(base: &str, head: &str) {
    use capplan::model::Phase;
    use capplan::plan::{self, CheckRule, DemandCase};
    use capplan::report::{Format, Render as _};
    use capplan::scenario::Scenario;

    let parse = |text: &str| match Scenario::parse(text, "fuzz.toml") {
        Ok(scenario) => Some(scenario),
        Err(error) => {
            // Rendering the diagnostics must not panic either.
            let _ = error.to_string();
            None
        }
    };
    let (base_text, head_text) = (base, head);
    let (Some(base), Some(head)) = (parse(base), parse(head)) else {
        return;
    };
    // Keep each run short: the model's cost grows with samples × steps × tiers × policies.
    let work = |s: &Scenario| {
        s.steps()
            * s.tiers.len().max(1)
            * s.policies.len()
            * s.sampling.as_ref().map_or(1, |x| x.samples)
    };
    if work(&base) > 400_000 || work(&head) > 400_000 {
        return;
    }
    let answer = plan::diff(
        plan::DiffSide {
            scenario: &base,
            origin: "base",
            source: base_text,
        },
        plan::DiffSide {
            scenario: &head,
            origin: "head",
            source: head_text,
        },
    );
    for format in [
        Format::Table,
        Format::Json,
        Format::Csv,
        Format::Markdown,
        Format::Html,
    ] {
        let mut out = Vec::new();
        {
            let mut fence = capplan::app::CommandFence::new(&mut out, true);
            answer.write(format, &mut fence).unwrap();
        }
        let text = String::from_utf8(out).unwrap();
        for line in text.lines() {
            assert!(!line.trim_start().starts_with("::"), "{format:?}: {line}");
            assert!(!line.contains("##["), "{format:?}: {line}");
        }
    }
    let policies: Vec<usize> = (0..head.policies.len()).collect();
    let phase = Phase::After;
        let rule = CheckRule {
        at: DemandCase::Mid,
        n_minus_1: false,
        min_margins: Vec::new(),
    };
    let check = plan::check(&head, &policies, &phase, rule).unwrap();
    let mut junit = Vec::new();
    check.write(Format::Junit, &mut junit).unwrap();
    let xml = String::from_utf8(junit).unwrap();
    let mut reader = quick_xml::Reader::from_str(&xml);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(error) => panic!("JUnit is not well-formed: {error}: {xml}"),
        }
    }
    let compare = plan::compare(&head, &policies);
    // The whole HTML report of the head (its timeline when short), through the fence.
    if let Ok((_, warnings)) = Scenario::load(head_text, "fuzz.toml", &|_: &str| {
        Err("no files".to_string())
    }) {
        let timeline = head
            .timeline
            .as_ref()
            .filter(|t| t.months <= 6)
            .and_then(|_| plan::timeline(&head, &policies).ok());
        // Sensitivity of the first policy, on small scenarios: its names go through every
        // format too.
        let sensitivity = (head.steps() * head.tiers.len() <= 2_000).then(|| {
            plan::sensitivity(&head, &policies[..policies.len().min(1)], &plan::Phase::all(&head))
        });
        let page = capplan::report::html::ReportPage {
            sensitivity: sensitivity.as_ref(),
            file: "fuzz.toml",
            source: &warnings.source,
            compare: &compare,
            peak_mask: &head.peak_hours.mask(head.step_minutes),
            timeline: timeline.as_ref(),
            scenario: &plan::ValidateAnswer::valid("fuzz.toml", &head, &warnings),
        };
        if let Ok(html) = page.html() {
            let mut out = Vec::new();
            {
                use std::io::Write as _;
                let mut fence = capplan::app::CommandFence::new(&mut out, true);
                fence.write_all(html.as_bytes()).unwrap();
            }
            let text = String::from_utf8(out).unwrap();
            for line in text.lines() {
                assert!(!line.trim_start().starts_with("::"), "report: {line}");
                assert!(!line.contains("##["), "report: {line}");
            }
        }
    }
    for result in &compare.results {
        assert!(result.peak_utilization.is_finite() || !result.unservable_classes.is_empty());
        if let Some(sampled) = result.uncertainty.as_ref().and_then(|u| u.sampled.as_ref()) {
            assert!(
                (0.0..=1.0).contains(&sampled.p_fits),
                "p_fits {}",
                sampled.p_fits
            );
            let p = &sampled.peak_utilization;
            assert!(p.p10 <= p.p50 && p.p50 <= p.p90, "{p:?}");
        }
    }
}
