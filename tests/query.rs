//! `podgraph query` through the real binary: answers checked against the
//! sample show and, when present, the real Podlets corpus; names typed the
//! way people type them; output formats; exit codes.

mod common;

use std::path::{Path, PathBuf};

use common::{repo, run, shared_corpus, stderr, stdout};
use serde_json::Value;

/// Builds the sample once per test into a temp folder; returns the graph.
fn sample_graph() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(&[
        "build",
        "-q",
        repo("sample").to_str().unwrap(),
        "--out",
        tmp.path().to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let g = tmp.path().join("graph.json");
    (tmp, g)
}

fn query(graph: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let mut all = vec!["query"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--graph", graph.to_str().unwrap()]);
    let out = run(&all);
    (out.status.code(), stdout(&out), stderr(&out))
}

fn json(graph: &Path, args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.extend_from_slice(&["--format", "json"]);
    let (code, out, err) = query(graph, &a);
    assert_eq!(code, Some(0), "{err}");
    serde_json::from_str(&out).unwrap()
}

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn concepts_speakers_and_episodes() {
    let (_t, g) = sample_graph();
    let concepts = names(&json(&g, &["concepts", "tomas okafor"]));
    for c in ["Prometheus", "Grafana", "Kubernetes", "Cloud Run", "OpenTelemetry"] {
        assert!(concepts.contains(&c.to_string()), "{c} in {concepts:?}");
    }
    assert!(!concepts.contains(&"Mark Burgess".to_string()));
    let speakers = names(&json(&g, &["speakers", "k8s"]));
    assert!(speakers.contains(&"Tomás Okafor".to_string()), "{speakers:?}");
    let eps = json(&g, &["episodes", "velero"]);
    let row = &eps.as_array().unwrap()[0];
    assert_eq!(row["id"], "002-backups-with-velero");
    assert_eq!(row["first_time"], "00:55");
    assert_eq!(row["in_metadata"], true);
    let only_topics = json(&g, &["concepts", "Lena Vogt", "--kind", "topic"]);
    assert!(
        only_topics.as_array().unwrap().iter().all(|r| r["kind"] == "topic"),
        "{only_topics}"
    );
    let limited = json(&g, &["concepts", "Tomás Okafor", "--limit", "2"]);
    assert_eq!(limited.as_array().unwrap().len(), 2);
    let in_ep = json(&g, &["concepts", "Tomás Okafor", "--episode", "Serverless Containers"]);
    assert!(names(&in_ep).contains(&"Go".to_string()));
    assert!(!names(&in_ep).contains(&"Prometheus".to_string()));
}

#[test]
fn evidence_points_at_the_turn() {
    let (_t, g) = sample_graph();
    let rows = json(&g, &["evidence", "--speaker", "Lena", "--concept", "mark burgess"]);
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!(r["time"], "00:45");
    let quote = r["quote"].as_str().unwrap();
    let (a, b) = (
        r["highlight"][0].as_u64().unwrap() as usize,
        r["highlight"][1].as_u64().unwrap() as usize,
    );
    assert_eq!(&quote[a..b], "Mark Burgess");
    let file = std::fs::read_to_string(repo("sample/episodes/003-promise-theory.md")).unwrap();
    let line = file.lines().nth(r["line"].as_u64().unwrap() as usize - 1).unwrap();
    assert!(line.starts_with("[00:00:45] LV:"), "{line}");
}

#[test]
fn person_profile_and_path() {
    let (_t, g) = sample_graph();
    let p = json(&g, &["person", "Sam Whitfield"]);
    assert_eq!(p["appearances"][0]["episode"], "002-backups-with-velero");
    assert_eq!(p["appearances"][0]["role"], "guest");
    let path = json(&g, &["path", "Mark Burgess", "Velero"]);
    let ids: Vec<&str> = path
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.first(), Some(&"person:mark-burgess"));
    assert_eq!(ids.last(), Some(&"concept:velero"));
}

#[test]
fn names_as_people_type_them() {
    let (_t, g) = sample_graph();
    let (code, _, err) = query(&g, &["speakers", "Prometeus"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("did you mean Prometheus"), "{err}");
    let (code, out, _) = query(&g, &["concepts", "TOMAS OKAFOR"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("Prometheus"));
}

#[test]
fn formats_and_exit_codes() {
    let (_t, g) = sample_graph();
    let (code, out, _) = query(&g, &["speakers", "Velero", "--format", "csv"]);
    assert_eq!(code, Some(0));
    assert!(out.starts_with("speaker,mentions,episodes\r\n"), "{out}");
    let (code, out, _) = query(&g, &["speakers", "Velero"]);
    assert_eq!(code, Some(0));
    assert!(out.starts_with("SPEAKER"), "{out}");
    assert!(!out.contains('\u{1b}'), "no colour when piped");
    // No answer: exit 1.
    let (code, _, err) = query(
        &g,
        &["evidence", "--speaker", "Ada Brennan", "--concept", "Mark Burgess"],
    );
    assert_eq!(code, Some(1), "{err}");
    // Bad usage: exit 2.
    let out = run(&["query", "speakers"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn bad_graph_files_are_clear_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("nope.json");
    let (code, _, err) = query(&missing, &["speakers", "x"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("no such file"), "{err}");
    let (_t, g) = sample_graph();
    let text = std::fs::read_to_string(&g).unwrap();
    let cut = tmp.path().join("cut.json");
    std::fs::write(&cut, &text[..text.len() / 2]).unwrap();
    let (code, _, err) = query(&cut, &["speakers", "x"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("truncated"), "{err}");
    let foreign = tmp.path().join("foreign.json");
    std::fs::write(&foreign, r#"{"directed": true, "nodes": [], "links": []}"#).unwrap();
    let (code, _, err) = query(&foreign, &["speakers", "x"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("not a podgraph graph file"), "{err}");
}

#[test]
fn builds_from_transcripts_when_given_paths() {
    let out = run(&[
        "query",
        "speakers",
        "Velero",
        "-q",
        "--from",
        repo("sample").to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(names(&v).contains(&"Sam Whitfield".to_string()));
}

#[test]
fn podlets_answers() {
    let Some(dir) = shared_corpus("podlets") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    assert!(
        run(&[
            "build",
            "-q",
            dir.to_str().unwrap(),
            "--out",
            tmp.path().to_str().unwrap()
        ])
        .status
        .success()
    );
    let g = tmp.path().join("graph.json");
    let kelsey = names(&json(&g, &["concepts", "Kelsey Hightower"]));
    for c in ["Amazon Fargate", "Prometheus", "Mark Burgess", "Kubernetes"] {
        assert!(kelsey.contains(&c.to_string()), "{c} in {kelsey:?}");
    }
    let prom = names(&json(&g, &["speakers", "Prometheus"]));
    for s in ["Kelsey Hightower", "Bryan Liles"] {
        assert!(prom.contains(&s.to_string()), "{s} in {prom:?}");
    }
    // Evidence timestamps: each row's time is the turn's own timestamp in
    // the file, at the line it names, spoken by the label it should be.
    let rows = json(
        &g,
        &["evidence", "--speaker", "Kelsey Hightower", "--concept", "Prometheus"],
    );
    assert!(!rows.as_array().unwrap().is_empty());
    let file = std::fs::read_to_string(dir.join("episodes/007-kubernetes-as-per-kelsey-hightower.md")).unwrap();
    for r in rows.as_array().unwrap() {
        let line = file.lines().nth(r["line"].as_u64().unwrap() as usize - 1).unwrap();
        let stamp = line
            .strip_prefix('[')
            .and_then(|l| l.split_once(']'))
            .map(|(s, _)| s)
            .unwrap();
        let ms = podgraph::episode::parse_timestamp(stamp).unwrap();
        assert_eq!(Some(ms), r["time_ms"].as_u64(), "{line}");
        assert!(line.contains("] KH:"), "{line}");
        assert!(line.contains("Prometheus") || r["quote"].as_str().unwrap().contains("Prometheus"));
    }
}

#[test]
fn the_index_beside_the_graph_is_used_only_when_fresh() {
    let (t, g) = sample_graph();
    let idx = t.path().join("graph.idx");
    assert!(idx.is_file(), "build writes the query index");
    // The index alone answers.
    let (code, out, _) = query(&idx, &["speakers", "Velero"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("Sam Whitfield"), "{out}");
    // A graph.json rewritten after the index (here: from another corpus)
    // is read instead of the stale index.
    let other = tempfile::tempdir().unwrap();
    let fixtures = common::fixture("speakers");
    assert!(
        run(&[
            "build",
            "-q",
            fixtures.to_str().unwrap(),
            "--out",
            other.path().to_str().unwrap()
        ])
        .status
        .success()
    );
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::copy(other.path().join("graph.json"), &g).unwrap();
    let (code, out, _) = query(&g, &["person", "Kim Hale"]);
    assert_eq!(code, Some(0), "{out}");
    let (code, _, _) = query(&g, &["speakers", "Velero"]);
    assert_eq!(code, Some(1), "the stale index must not answer");
}

/// The fast paths (edges for a speaker's concepts, fixed fields for a
/// concept's speakers and evidence) agree with plain tallies over every
/// mention in the graph, for every speaker and concept of the sample.
#[test]
fn fast_answers_match_a_tally_of_every_mention() {
    use std::collections::{BTreeMap, BTreeSet};

    use podgraph::graph::ANNOUNCER;
    use podgraph::index::QueryIndex;
    use podgraph::query::{self, Filters};

    let (_tmp, g) = sample_graph();
    let kg = podgraph::export::json::load(&g).unwrap();
    let idx = QueryIndex::open(&g.with_extension("idx")).unwrap();
    let node = |id: &str| idx.find_id(id).unwrap();
    let ep = |id: &str| id.strip_prefix("episode:").unwrap_or(id).to_string();
    let mut by_speaker: BTreeMap<&str, BTreeMap<&str, (usize, BTreeSet<String>)>> = BTreeMap::new();
    let mut by_concept: BTreeMap<&str, BTreeMap<&str, (usize, BTreeSet<String>)>> = BTreeMap::new();
    for m in &kg.mentions {
        if *m.speaker == *ANNOUNCER {
            continue;
        }
        let e = by_concept.entry(&m.concept).or_default().entry(&m.speaker).or_default();
        e.0 += 1;
        e.1.insert(ep(&m.episode));
        if m.speaker != m.concept {
            let e = by_speaker.entry(&m.speaker).or_default().entry(&m.concept).or_default();
            e.0 += 1;
            e.1.insert(ep(&m.episode));
        }
    }
    let f = Filters::default();
    assert!(!by_speaker.is_empty());
    type Tally = BTreeMap<String, (usize, BTreeSet<String>)>;
    let owned = |want: &BTreeMap<&str, (usize, BTreeSet<String>)>| -> Tally {
        want.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
    };
    for (s, want) in &by_speaker {
        let got: Tally = query::concepts_of(&idx, node(s), &f)
            .unwrap()
            .into_iter()
            .map(|r| (r.id, (r.mentions, r.episodes.into_iter().collect())))
            .collect();
        assert_eq!(got, owned(want), "concepts of {s}");
    }
    for (c, want) in &by_concept {
        let got: Tally = query::speakers_of(&idx, node(c), &f)
            .unwrap()
            .into_iter()
            .map(|r| (r.id, (r.mentions, r.episodes.into_iter().collect())))
            .collect();
        assert_eq!(got, owned(want), "speakers of {c}");
        let rows = query::evidence(&idx, None, Some(node(c)), &f).unwrap();
        let all = kg.mentions.iter().filter(|m| *m.concept == **c).count();
        assert_eq!(rows.len(), all, "evidence for {c}");
    }
}
