//! The real Podlets corpus (read from ../shared/corpus/podlets; skipped when
//! absent). The label table below was checked by hand against the
//! transcripts: typo'd labels (CCC, DCC, CN, BM, DM, JS, D, J), guests only
//! in the notes (Kelsey Hightower, John Harris) and the stock outro under a
//! host's initials (KN in episodes 5 and 8) included.

mod common;

use std::collections::BTreeMap;

use common::{run, shared_corpus, stdout};
use serde_json::Value;

const EXPECTED: &[(&str, &str, &str)] = &[
    ("001-cloud-native", "KN", "Kris Nóva"),
    ("001-cloud-native", "CC", "Carlisia Thompson"),
    ("001-cloud-native", "NL", "Nicholas Lane"),
    ("001-cloud-native", "DC", "Duffie Cooley"),
    ("001-cloud-native", "JR", "Josh Rosso"),
    ("001-cloud-native", "ANNOUNCER", "announcer"),
    ("002-container-orchestration", "NL", "Nicholas Lane"),
    ("002-container-orchestration", "CC", "Carlisia Thompson"),
    ("002-container-orchestration", "JR", "Josh Rosso"),
    ("002-container-orchestration", "ANNOUNCER", "announcer"),
    ("003-why-api-contracts-are-important", "D", "Duffie Cooley"),
    ("003-why-api-contracts-are-important", "CC", "Carlisia Thompson"),
    ("003-why-api-contracts-are-important", "PB", "Patrick Barker"),
    ("003-why-api-contracts-are-important", "J", "Josh Rosso"),
    ("003-why-api-contracts-are-important", "ANNOUNCER", "announcer"),
    ("004-observability", "KN", "Kris Nóva"),
    ("004-observability", "DC", "Duffie Cooley"),
    ("004-observability", "CC", "Carlisia Thompson"),
    ("004-observability", "CN", "Kris Nóva"),
    ("004-observability", "ANNOUNCER", "announcer"),
    ("005-cloud-native-infrastructure", "NL", "Nicholas Lane"),
    ("005-cloud-native-infrastructure", "CC", "Carlisia Thompson"),
    ("005-cloud-native-infrastructure", "DC", "Duffie Cooley"),
    ("005-cloud-native-infrastructure", "KN", "announcer"),
    ("005-cloud-native-infrastructure", "ANNOUNCER", "announcer"),
    ("006-a-conversation-with-joe-beda", "JB", "Joe Beda"),
    ("006-a-conversation-with-joe-beda", "BL", "Bryan Liles"),
    ("006-a-conversation-with-joe-beda", "CC", "Carlisia Thompson"),
    ("006-a-conversation-with-joe-beda", "MG", "Michael Gasch"),
    ("006-a-conversation-with-joe-beda", "ANNOUNCER", "announcer"),
    ("007-kubernetes-as-per-kelsey-hightower", "KH", "Kelsey Hightower"),
    ("007-kubernetes-as-per-kelsey-hightower", "BL", "Bryan Liles"),
    ("007-kubernetes-as-per-kelsey-hightower", "CC", "Carlisia Thompson"),
    ("007-kubernetes-as-per-kelsey-hightower", "DC", "Duffie Cooley"),
    ("007-kubernetes-as-per-kelsey-hightower", "MG", "Michael Gasch"),
    ("007-kubernetes-as-per-kelsey-hightower", "ANNOUNCER", "announcer"),
    ("008-disaster-recovery", "BL", "Bryan Liles"),
    ("008-disaster-recovery", "OP", "Olive Power"),
    ("008-disaster-recovery", "CC", "Carlisia Thompson"),
    ("008-disaster-recovery", "JR", "Josh Rosso"),
    ("008-disaster-recovery", "KN", "announcer"),
    ("008-disaster-recovery", "ANNOUNCER", "announcer"),
    ("009-stateful-and-stateless-workloads", "BL", "Bryan Liles"),
    ("009-stateful-and-stateless-workloads", "CC", "Carlisia Thompson"),
    ("009-stateful-and-stateless-workloads", "JR", "Josh Rosso"),
    ("009-stateful-and-stateless-workloads", "NL", "Nicholas Lane"),
    ("009-stateful-and-stateless-workloads", "D", "Duffie Cooley"),
    ("009-stateful-and-stateless-workloads", "CCC", "Carlisia Thompson"),
    ("009-stateful-and-stateless-workloads", "BM", "Bryan Liles"),
    ("009-stateful-and-stateless-workloads", "DCC", "Duffie Cooley"),
    ("009-stateful-and-stateless-workloads", "JS", "Josh Rosso"),
    ("009-stateful-and-stateless-workloads", "ANNOUNCER", "announcer"),
    ("010-the-dichotomy-of-security", "NL", "Nicholas Lane"),
    ("010-the-dichotomy-of-security", "BM", "Bryan Liles"),
    ("010-the-dichotomy-of-security", "DC", "Duffie Cooley"),
    ("010-the-dichotomy-of-security", "CC", "Carlisia Thompson"),
    ("010-the-dichotomy-of-security", "ANNOUNCER", "announcer"),
    ("011-ci-and-cd-in-cloud-native", "BL", "Bryan Liles"),
    ("011-ci-and-cd-in-cloud-native", "NL", "Nicholas Lane"),
    ("011-ci-and-cd-in-cloud-native", "JH", "John Harris"),
    ("011-ci-and-cd-in-cloud-native", "ANNOUNCER", "announcer"),
    ("012-learning-distributed-systems", "CC", "Carlisia Thompson"),
    ("012-learning-distributed-systems", "DC", "Duffie Cooley"),
    ("012-learning-distributed-systems", "MG", "Michael Gasch"),
    ("012-learning-distributed-systems", "ANNOUNCER", "announcer"),
    ("013-kubernetes-as-per-craig-mcluckie", "CM", "Craig McLuckie"),
    ("013-kubernetes-as-per-craig-mcluckie", "CC", "Carlisia Thompson"),
    ("013-kubernetes-as-per-craig-mcluckie", "DC", "Duffie Cooley"),
    ("013-kubernetes-as-per-craig-mcluckie", "JR", "Josh Rosso"),
    ("013-kubernetes-as-per-craig-mcluckie", "DM", "Craig McLuckie"),
    ("013-kubernetes-as-per-craig-mcluckie", "ANNOUNCER", "announcer"),
    ("014-jobs-in-cloud-native", "CC", "Carlisia Thompson"),
    ("014-jobs-in-cloud-native", "BL", "Bryan Liles"),
    ("014-jobs-in-cloud-native", "NL", "Nicholas Lane"),
    ("014-jobs-in-cloud-native", "ANNOUNCER", "announcer"),
];

#[test]
fn every_label_is_read_as_the_right_person() {
    let Some(dir) = shared_corpus("podlets") else {
        return;
    };
    let out = run(&["speakers", "--format", "json", "-q", dir.to_str().unwrap()]);
    let v: Value = serde_json::from_str(&stdout(&out)).expect("json report");
    let mut got = BTreeMap::new();
    for ep in v.as_array().unwrap() {
        for l in ep["labels"].as_array().unwrap() {
            got.insert(
                (
                    ep["episode"].as_str().unwrap().to_string(),
                    l["label"].as_str().unwrap().to_string(),
                ),
                l["speaker"].as_str().unwrap().to_string(),
            );
        }
    }
    let want: BTreeMap<(String, String), String> = EXPECTED
        .iter()
        .map(|(e, l, s)| ((e.to_string(), l.to_string()), s.to_string()))
        .collect();
    assert_eq!(got, want);
}

fn build_graph(dir: &std::path::Path) -> (Value, tempfile::TempDir) {
    let out_dir = tempfile::tempdir().unwrap();
    let out = run(&[
        "build",
        "-q",
        dir.to_str().unwrap(),
        "--out",
        out_dir.path().to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let text = std::fs::read_to_string(out_dir.path().join("graph.json")).unwrap();
    (serde_json::from_str(&text).unwrap(), out_dir)
}

fn link<'a>(g: &'a Value, source: &str, target: &str, relation: &str) -> Option<&'a Value> {
    g["links"].as_array().unwrap().iter().find(|l| {
        l["source"] == source
            && l["target"] == target
            && (l["relation"] == relation
                || l["also"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|e| e["relation"] == relation)))
    })
}

#[test]
fn every_turn_is_attributed_and_kelsey_is_a_guest() {
    let Some(dir) = shared_corpus("podlets") else {
        return;
    };
    let (g, _tmp) = build_graph(&dir);
    let ep7 = "episode:007-kubernetes-as-per-kelsey-hightower";
    let kelsey = "person:kelsey-hightower";
    let appears = link(&g, kelsey, ep7, "appears_in").expect("Kelsey appears in episode 7");
    assert_eq!(appears["role"], "guest");
    assert_eq!(appears["weight"], 30, "Kelsey speaks 30 turns");
    for concept in ["concept:amazon-fargate", "concept:prometheus", "person:mark-burgess"] {
        assert!(
            link(&g, kelsey, concept, "discusses").is_some(),
            "Kelsey discusses {concept}"
        );
    }
    assert!(link(&g, "person:bryan-liles", "concept:prometheus", "discusses").is_some());
    // Every turn has a speaker: no unresolved-label nodes at all.
    let unresolved: Vec<&Value> = g["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "unresolved_speaker")
        .collect();
    assert!(unresolved.is_empty(), "{unresolved:#?}");
    // Kris Nóva is one node whatever the spelling.
    let kris: Vec<&Value> = g["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["label"].as_str().is_some_and(|l| l.starts_with("Kris N")))
        .collect();
    assert_eq!(kris.len(), 1, "{kris:#?}");
}

#[test]
fn evidence_points_at_the_right_turns() {
    let Some(dir) = shared_corpus("podlets") else {
        return;
    };
    let (g, _tmp) = build_graph(&dir);
    let file = std::fs::read_to_string(dir.join("episodes/007-kubernetes-as-per-kelsey-hightower.md")).unwrap();
    let lines: Vec<&str> = file.lines().collect();
    let burgess: Vec<&Value> = g["mentions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| {
            m["concept"] == "person:mark-burgess" && m["episode"] == "episode:007-kubernetes-as-per-kelsey-hightower"
        })
        .collect();
    assert_eq!(burgess.len(), 2, "{burgess:#?}");
    for m in burgess {
        assert_eq!(m["speaker"], "person:kelsey-hightower");
        let line = lines[m["line"].as_u64().unwrap() as usize - 1];
        assert!(line.starts_with("[00:") && line.contains("KH:"), "{line}");
        assert!(m["quote"].as_str().unwrap().contains("Mark Burgess"));
    }
}
