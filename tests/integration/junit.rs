//! `check --format junit`: one test case per policy, phase and gate, in the JUnit XML that
//! GitLab and Jenkins read (`testsuites` > `testsuite` > `testcase`, a `failure` with a
//! message for each gate missed, counts that add up).

use quick_xml::Reader;
use quick_xml::events::Event;

use super::*;

/// (element, attributes) for every start or empty element of an XML document.
fn elements(xml: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut reader = Reader::from_str(xml);
    let mut found = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                let attributes = e
                    .attributes()
                    .map(|a| {
                        let a = a.unwrap();
                        (
                            String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                            a.normalized_value(quick_xml::XmlVersion::default())
                                .unwrap()
                                .into_owned(),
                        )
                    })
                    .collect();
                found.push((name, attributes));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    found
}

fn attribute<'a>(attributes: &'a [(String, String)], key: &str) -> &'a str {
    &attributes
        .iter()
        .find(|(k, _)| k == key)
        .unwrap_or_else(|| panic!("no {key}"))
        .1
}

#[test]
fn check_writes_junit_with_a_case_per_policy_phase_and_gate() {
    let run = capplan(&[
        "check",
        TINY,
        "--phase",
        "before",
        "--n-minus-1",
        "--format",
        "junit",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let found = elements(&run.stdout);
    assert_eq!(found[0].0, "testsuites");
    let suites: Vec<_> = found.iter().filter(|(n, _)| n == "testsuite").collect();
    assert_eq!(suites.len(), 1);
    let cases: Vec<_> = found.iter().filter(|(n, _)| n == "testcase").collect();
    // Three policies, two gates each: the peak and N-1 (tiny.toml sets no floor).
    assert_eq!(cases.len(), 6);
    assert_eq!(attribute(&suites[0].1, "tests"), "6");
    let failures = found.iter().filter(|(n, _)| n == "failure").count();
    assert_eq!(attribute(&suites[0].1, "failures"), failures.to_string());
    // unlimited and double-5h miss the target before the addition; every policy fails N-1
    // (losing the only site leaves nothing).
    assert_eq!(failures, 5);
    assert_eq!(
        attribute(&cases[0].1, "name"),
        "unlimited: peak within the target"
    );
    assert_eq!(
        attribute(&cases[0].1, "classname"),
        "capplan.before.unlimited"
    );
    let failure = found.iter().find(|(n, _)| n == "failure").unwrap();
    assert_eq!(
        attribute(&failure.1, "message"),
        "peak utilization 125.0% against the target 85.0%"
    );
    // Deterministic: no timestamps.
    assert_eq!(
        run.stdout,
        capplan(&[
            "check",
            TINY,
            "--phase",
            "before",
            "--n-minus-1",
            "--format",
            "junit"
        ])
        .stdout
    );
    // Only check's answer is a test report.
    let run = capplan(&["compare", TINY, "--format", "junit"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("--format junit is for check"),
        "{}",
        run.stderr
    );
}
