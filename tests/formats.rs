//! Every supported transcript format through the real binary: one episode
//! written in each format (with its metadata in a sidecar file) gives the
//! same speakers and the same concept mentions; the real Ship It archive
//! builds without a failure and with every turn named; Podlets and Ship It
//! together share people.

mod common;

use std::path::Path;

use common::{fixture, run, shared_corpus, stderr, stdout};
use serde_json::Value;

fn build(path: &Path, extra: &[&str]) -> (tempfile::TempDir, Value, String) {
    let tmp = tempfile::tempdir().unwrap();
    let mut args = vec!["build", path.to_str().unwrap(), "--out", tmp.path().to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = run(&args);
    assert!(out.status.success(), "{}: {}", path.display(), stderr(&out));
    let g = serde_json::from_str(&std::fs::read_to_string(tmp.path().join("graph.json")).unwrap()).unwrap();
    (tmp, g, stdout(&out))
}

/// (speaker, concept, matched text) of every mention, in order.
fn mentions(g: &Value) -> Vec<(String, String, String)> {
    g["mentions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["speaker"].as_str().unwrap().to_string(),
                m["concept"].as_str().unwrap().to_string(),
                m["matched"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// (person, role, turns) of every appearance.
fn appearances(g: &Value) -> Vec<(String, String, u64)> {
    let mut v: Vec<_> = g["links"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["relation"] == "appears_in")
        .map(|l| {
            (
                l["source"].as_str().unwrap().to_string(),
                l["role"].as_str().unwrap().to_string(),
                l["weight"].as_u64().unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn one_episode_in_every_format_reads_the_same() {
    let (_t, reference, _) = build(&fixture("formats/episode.md"), &["-q"]);
    let ref_mentions = mentions(&reference);
    let ref_people = appearances(&reference);
    assert_eq!(
        ref_people,
        vec![
            ("person:ana-costa".to_string(), "host".to_string(), 3),
            ("person:ben-ito".to_string(), "host".to_string(), 2),
            ("person:kim-hale".to_string(), "guest".to_string(), 2),
        ]
    );
    let concepts: Vec<&str> = ref_mentions.iter().map(|m| m.1.as_str()).collect();
    for c in [
        "concept:kubernetes",
        "concept:prometheus",
        "concept:grafana",
        "concept:go",
    ] {
        assert!(concepts.contains(&c), "{c} in {concepts:?}");
    }
    // "let's go" is not the language.
    assert!(!ref_mentions.iter().any(|m| m.2 == "go"), "{ref_mentions:?}");
    for ext in ["json", "vtt", "srt", "txt"] {
        let (_t, g, _) = build(&fixture(&format!("formats/episode.{ext}")), &["-q"]);
        assert_eq!(appearances(&g), ref_people, "{ext}");
        assert_eq!(mentions(&g), ref_mentions, "{ext}");
        let ep = g["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["kind"] == "episode")
            .unwrap();
        assert_eq!(ep["id"], "episode:formats-demo", "{ext}: id from the sidecar");
        assert_eq!(ep["date"], "2024-03-01", "{ext}");
    }
}

#[test]
fn the_same_id_twice_is_reported_not_overwritten() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(&[
        "build",
        fixture("formats").to_str().unwrap(),
        "--out",
        tmp.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.matches("duplicate episode id `formats-demo`").count(), 4, "{err}");
    assert!(err.contains("episode.json") && err.contains("episode.md"), "{err}");
    assert!(tmp.path().join("graph.json").is_file(), "outputs for the rest");
}

#[test]
fn forced_and_unrecognised_formats() {
    let tmp = tempfile::tempdir().unwrap();
    let prose = tmp.path().join("notes.txt");
    std::fs::write(&prose, "just some notes about the show\nwith no speakers at all\n").unwrap();
    let out = run(&[
        "build",
        prose.to_str().unwrap(),
        "--out",
        tmp.path().join("o").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("notes.txt:1: error: not recognised as a transcript"),
        "{}",
        stderr(&out)
    );
    let out = run(&[
        "speakers",
        "--input-format",
        "bold",
        "-q",
        fixture("formats/episode.md").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(&[
        "speakers",
        "--input-format",
        "nope",
        fixture("formats/episode.md").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown format `nope`"), "{}", stderr(&out));
}

#[test]
fn ship_it_builds_with_every_turn_named() {
    let Some(dir) = shared_corpus("changelog/shipit") else {
        return;
    };
    let (_t, g, summary) = build(&dir, &[]);
    assert!(
        summary.contains("Read 135 episodes from 135 files (0 failed)"),
        "{summary}"
    );
    assert!(summary.contains(" 0 unattributed"), "{summary}");
    let unresolved = g["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "unresolved_speaker")
        .count();
    assert_eq!(unresolved, 0);
    // The show's hosts are recognised as hosts without any metadata.
    let gerhard = g["links"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["source"] == "person:gerhard-lazu" && l["relation"] == "appears_in")
        .count();
    assert!(gerhard > 80, "{gerhard}");
    assert!(
        g["links"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["source"] == "person:gerhard-lazu" && l["relation"] == "appears_in" && l["role"] == "host")
    );
}

#[test]
fn podlets_and_ship_it_share_people() {
    let (Some(p), Some(s)) = (shared_corpus("podlets"), shared_corpus("changelog/shipit")) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = run(&[
        "build",
        "-q",
        p.to_str().unwrap(),
        s.to_str().unwrap(),
        "--out",
        tmp.path().to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let g: Value = serde_json::from_str(&std::fs::read_to_string(tmp.path().join("graph.json")).unwrap()).unwrap();
    let shows: std::collections::BTreeSet<bool> = g["links"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["source"] == "person:kelsey-hightower" && l["relation"] == "appears_in")
        .map(|l| l["target"].as_str().unwrap().starts_with("episode:ship-it-"))
        .collect();
    assert_eq!(shows.len(), 2, "Kelsey Hightower speaks on both shows, as one node");
}
