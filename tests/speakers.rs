//! Speaker resolution through the real binary, on fixtures written for each
//! messy case: a guest only in the notes, typo'd labels, a bare initial, a
//! stranger who introduces themself, the same initials meaning different
//! people, a stock announcement under a person's label, a label nobody can
//! name, hosts known only from the people directory.

mod common;

use common::{fixture, run, stdout};
use serde_json::Value;

fn readings() -> Vec<(String, String, String, u64)> {
    let dir = fixture("speakers");
    let out = run(&["speakers", "--format", "json", "-q", dir.to_str().unwrap()]);
    assert!(out.status.code().is_some(), "{out:?}");
    let v: Value = serde_json::from_str(&stdout(&out)).expect("json report");
    let mut rows = Vec::new();
    for ep in v.as_array().unwrap() {
        for l in ep["labels"].as_array().unwrap() {
            rows.push((
                ep["episode"].as_str().unwrap().to_string(),
                l["label"].as_str().unwrap().to_string(),
                l["speaker"].as_str().unwrap().to_string(),
                l["turns"].as_u64().unwrap(),
            ));
        }
    }
    rows
}

fn speaker_of(rows: &[(String, String, String, u64)], ep: &str, label: &str) -> String {
    rows.iter()
        .find(|r| r.0 == ep && r.1 == label)
        .unwrap_or_else(|| panic!("no label {label} in {ep}: {rows:#?}"))
        .2
        .clone()
}

#[test]
fn every_messy_case_is_resolved() {
    let rows = readings();
    let expect = [
        ("ep-a", "ANNOUNCER", "announcer"),
        ("ep-a", "AC", "Ana Costa"),
        ("ep-a", "BI", "Ben Ito"),
        ("ep-a", "KH", "Kim Hale"),
        ("ep-b", "AC", "Ana Costa"),
        ("ep-b", "ACC", "Ana Costa"),
        ("ep-b", "D", "Dana Cruz"),
        ("ep-b", "CN", "Kris Nóva"),
        ("ep-b", "KN", "Kris Nóva"),
        ("ep-c", "BI", "Ben Ito"),
        ("ep-c", "JS", "Jed Salazar"),
        ("ep-c", "KN", "announcer"),
        ("ep-d", "JS", "Jo Sato"),
        ("ep-d", "KN", "Kris Nova"),
        ("ep-d", "ML", "Mia Lund"),
        ("ep-d", "M", "Max Roy"),
        ("ep-d", "ZZ", "unresolved"),
        ("ep-e", "AC", "Ana Costa"),
        ("ep-e", "BI", "Ben Ito"),
    ];
    for (ep, label, who) in expect {
        assert_eq!(speaker_of(&rows, ep, label), who, "{ep} {label}");
    }
    assert_eq!(rows.len(), expect.len(), "{rows:#?}");
}

#[test]
fn unresolved_labels_are_reported() {
    let dir = fixture("speakers");
    let out = run(&["speakers", "-q", dir.to_str().unwrap()]);
    let err = common::stderr(&out);
    assert!(
        err.contains("ep-d.md:22: warning: speaker label `ZZ` (1 turn) could not be resolved"),
        "{err}"
    );
    assert_eq!(out.status.code(), Some(0));
    let strict = run(&["speakers", "-q", "--strict", dir.to_str().unwrap()]);
    assert_eq!(strict.status.code(), Some(1));
}

#[test]
fn table_shows_evidence() {
    let dir = fixture("speakers");
    let out = run(&["speakers", "-q", dir.to_str().unwrap()]);
    let table = stdout(&out);
    let line = table
        .lines()
        .find(|l| l.starts_with("ep-b") && l.contains(" CN "))
        .unwrap();
    assert!(line.contains("Kris Nóva (host)"), "{line}");
    assert!(line.contains("introduces themself as Kris Nóva"), "{line}");
    let line = table
        .lines()
        .find(|l| l.starts_with("ep-c") && l.contains(" KN "))
        .unwrap();
    assert!(line.contains("stock announcement"), "{line}");
}
