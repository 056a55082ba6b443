//! `podgraph build` end to end on the sample corpus shipped in the
//! repository: the outputs load back (podgraph itself, networkx), the DOT
//! parses with graphviz-rust and renders with `dot`, runs are byte-for-byte
//! repeatable, and the committed `output/` is what the README command makes.

mod common;

use std::process::Command;

use common::{have_networkx, have_tool, repo, run, stderr, stdout};

fn build_sample(out: &std::path::Path, extra: &[&str]) -> std::process::Output {
    let sample = repo("sample");
    let mut args = vec!["build", sample.to_str().unwrap(), "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn builds_the_sample_and_summarises() {
    let tmp = tempfile::tempdir().unwrap();
    let out = build_sample(tmp.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Read 4 episodes from 7 files (0 failed)"), "{text}");
    assert!(text.contains("0 unattributed"), "{text}");
    assert!(tmp.path().join("graph.json").is_file());
    assert!(tmp.path().join("graph.dot").is_file());
    // Piped output: no progress bar escape codes.
    assert!(!stderr(&out).contains('\u{1b}'), "{}", stderr(&out));
}

#[test]
fn graph_json_loads_back() {
    let tmp = tempfile::tempdir().unwrap();
    assert!(build_sample(tmp.path(), &["-q"]).status.success());
    let path = tmp.path().join("graph.json");
    let kg = podgraph::export::json::load(&path).expect("loads");
    let burgess = kg.node("person:mark-burgess").expect("Mark Burgess is a node");
    assert_eq!(burgess.mentions, 1);
    assert!(kg.node("person:sam-whitfield").is_some(), "guest from the notes");
    assert!(kg.node("episode:002-backups-with-velero").is_some(), "trimmed id");
    // Round trip: what loads writes back the same bytes.
    let again = podgraph::export::json::to_json(&kg);
    assert_eq!(again, std::fs::read_to_string(&path).unwrap());
}

#[test]
fn graph_json_loads_in_networkx() {
    if !have_networkx() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    assert!(build_sample(tmp.path(), &["-q"]).status.success());
    let script = r#"
import json, sys, networkx as nx
g = nx.node_link_graph(json.load(open(sys.argv[1])), edges="links")
assert g.is_directed()
kelsey = "person:mark-burgess"
assert g.nodes[kelsey]["kind"] == "person", g.nodes[kelsey]
e = g.edges["person:tomas-okafor", "episode:001-observability-basics"]
assert e["relation"] == "appears_in" and e["role"] == "host", e
print(g.number_of_nodes(), g.number_of_edges())
"#;
    let out = Command::new("python3")
        .args(["-c", script, tmp.path().join("graph.json").to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn graph_dot_parses_and_renders() {
    let tmp = tempfile::tempdir().unwrap();
    assert!(build_sample(tmp.path(), &["-q"]).status.success());
    let dot = std::fs::read_to_string(tmp.path().join("graph.dot")).unwrap();
    graphviz_rust::parse(&dot).expect("graph.dot parses with graphviz-rust");
    if !have_tool("dot", "-V") {
        return;
    }
    let out = Command::new("dot")
        .args(["-Tsvg", tmp.path().join("graph.dot").to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let svg = stdout(&out);
    assert!(
        svg.contains("<svg") && svg.contains("Mark Burgess"),
        "{}",
        &svg[..svg.len().min(400)]
    );
}

#[test]
fn runs_are_repeatable_whatever_the_thread_count() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    assert!(build_sample(a.path(), &["-q", "-j", "1"]).status.success());
    assert!(build_sample(b.path(), &["-q", "-j", "4"]).status.success());
    for f in ["graph.json", "graph.dot", "related.json", "graph.idx"] {
        assert_eq!(
            std::fs::read(a.path().join(f)).unwrap(),
            std::fs::read(b.path().join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn committed_output_is_what_the_readme_command_makes() {
    let tmp = tempfile::tempdir().unwrap();
    // Same relative path as the README's command, so `source` fields match.
    let out = Command::new(env!("CARGO_BIN_EXE_podgraph"))
        .current_dir(repo(""))
        .args(["build", "sample", "--out", tmp.path().to_str().unwrap(), "-q"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    for f in ["graph.json", "graph.dot", "related.json", "graph.idx"] {
        let fresh = std::fs::read(tmp.path().join(f)).unwrap();
        let committed = std::fs::read(repo("output").join(f)).unwrap_or_default();
        assert!(
            fresh == committed,
            "output/{f} is stale: run `cargo run --release -- build sample --out output` and commit it"
        );
    }
}

#[test]
fn an_output_folder_that_cannot_be_made_is_named_once_with_the_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "not a folder").unwrap();
    let out = build_sample(&file.join("out"), &["-q"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("a-file/out: "), "{err}");
    // The operating system's reason, said once.
    let reason = err.rsplit(": ").next().unwrap_or_default().trim();
    assert!(!reason.is_empty() && err.matches(reason).count() == 1, "{err}");
}

#[test]
fn missing_input_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(&["build", "no/such/folder", "--out", tmp.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no/such/folder"), "{}", stderr(&out));
    assert!(
        std::fs::read_dir(tmp.path()).unwrap().next().is_none(),
        "nothing written"
    );
}
