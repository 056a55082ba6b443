//! `podgraph map` through the real binary: every view and render on the
//! sample show, exports other tools load (networkx reads the GraphML),
//! deterministic clusters, the HTML page in a real headless browser, and a
//! clear error when Graphviz is missing.

mod common;

use std::path::Path;
use std::process::Command;

use common::{have_networkx, have_tool, repo, run, stderr, stdout};
use serde_json::Value;

fn map(out: &Path, extra: &[&str]) -> std::process::Output {
    let sample = repo("sample");
    let mut args = vec!["map", "-q", sample.to_str().unwrap(), "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn views_and_exports_without_graphviz() {
    let tmp = tempfile::tempdir().unwrap();
    let out = map(tmp.path(), &["--render", "dot,json,graphml,cytoscape"]);
    assert!(out.status.success(), "{}", stderr(&out));
    for f in ["show.dot", "show.json", "show.graphml", "show.cytoscape.json"] {
        assert!(tmp.path().join(f).is_file(), "{f}");
    }
    let dot = std::fs::read_to_string(tmp.path().join("show.dot")).unwrap();
    graphviz_rust::parse(&dot).expect("map DOT parses");
    let m: Value = serde_json::from_str(&std::fs::read_to_string(tmp.path().join("show.json")).unwrap()).unwrap();
    let labels: Vec<&str> = m["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["label"].as_str().unwrap())
        .collect();
    assert!(labels.contains(&"Kubernetes"), "{labels:?}");
    assert!(!labels.contains(&"Ada Brennan"), "the show view draws concepts");
    assert!(
        m["edges"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["relation"] == "co_occurs")
    );
    let cy: Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("show.cytoscape.json")).unwrap()).unwrap();
    assert_eq!(
        cy["elements"]["nodes"].as_array().unwrap().len(),
        m["nodes"].as_array().unwrap().len()
    );

    for (flag, name, file) in [
        (
            "--episode",
            "Backups with Velero",
            "episode-002-backups-with-velero.json",
        ),
        ("--person", "lena vogt", "person-lena-vogt.json"),
        ("--concept", "prometheus", "concept-prometheus.json"),
    ] {
        let out = map(tmp.path(), &[flag, name, "--render", "json"]);
        assert!(out.status.success(), "{flag}: {}", stderr(&out));
        let v: Value = serde_json::from_str(&std::fs::read_to_string(tmp.path().join(file)).unwrap()).unwrap();
        assert!(v["nodes"].as_array().unwrap().len() > 1, "{flag}: {v}");
    }
    let person: Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("person-lena-vogt.json")).unwrap()).unwrap();
    let concepts: Vec<&str> = person["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["label"].as_str().unwrap())
        .collect();
    assert!(
        concepts.contains(&"Mark Burgess") && concepts.contains(&"promise theory"),
        "{concepts:?}"
    );
    // A single render with a file name writes that file.
    let file = tmp.path().join("mine.graphml");
    assert!(map(&file, &["--render", "graphml"]).status.success());
    assert!(file.is_file());
    // An unknown name: exit 1 with suggestions.
    let out = map(tmp.path(), &["--concept", "Prometeus"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("did you mean Prometheus"), "{}", stderr(&out));
}

#[test]
fn clusters_are_deterministic() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for (dir, j) in [(&a, "1"), (&b, "4")] {
        let out = map(dir.path(), &["--render", "json,dot,graphml", "-j", j, "--top", "0"]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    for f in ["show.json", "show.dot", "show.graphml"] {
        assert_eq!(
            std::fs::read(a.path().join(f)).unwrap(),
            std::fs::read(b.path().join(f)).unwrap(),
            "{f}"
        );
    }
    let m: Value = serde_json::from_str(&std::fs::read_to_string(a.path().join("show.json")).unwrap()).unwrap();
    let clusters = m["clusters"].as_array().unwrap();
    assert!(!clusters.is_empty());
    for c in clusters {
        assert!(!c["name"].as_str().unwrap().is_empty());
        assert!(c["members"].as_array().unwrap().len() > 1);
    }
}

#[test]
fn graphml_loads_in_networkx() {
    if !have_networkx() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    assert!(map(tmp.path(), &["--render", "graphml,json"]).status.success());
    let script = r#"
import json, sys, networkx as nx
g = nx.read_graphml(sys.argv[1])
m = json.load(open(sys.argv[2]))
assert g.number_of_nodes() == len(m["nodes"]), (g.number_of_nodes(), len(m["nodes"]))
assert g.number_of_edges() == len(m["edges"])
for n in m["nodes"]:
    d = g.nodes[n["id"]]
    assert d["label"] == n["label"] and d["kind"] == n["kind"], (d, n)
    assert d["mentions"] == n["mentions"]
    if n["cluster"] is not None:
        assert d["cluster"] == n["cluster"]
        assert d["cluster_name"] == m["clusters"][n["cluster"]]["name"]
for e in m["edges"]:
    d = g.edges[e["source"], e["target"]]
    assert abs(d["weight"] - e["weight"]) < 1e-9 and d["relation"] == e["relation"]
print("ok")
"#;
    let out = Command::new("python3")
        .args([
            "-c",
            script,
            tmp.path().join("show.graphml").to_str().unwrap(),
            tmp.path().join("show.json").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
}

#[test]
fn svg_renders_with_tooltips_and_legend() {
    if !have_tool("dot", "-V") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = map(tmp.path(), &["--render", "svg,png"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let svg = std::fs::read_to_string(tmp.path().join("show.svg")).unwrap();
    assert!(
        svg.contains("<svg") && svg.contains("id=\"n0\""),
        "{}",
        &svg[..300.min(svg.len())]
    );
    assert!(svg.contains("mentions in"), "node tooltips");
    assert!(svg.contains("topic cluster"), "legend");
    assert!(
        std::fs::read(tmp.path().join("show.png"))
            .unwrap()
            .starts_with(b"\x89PNG")
    );
}

#[test]
fn missing_graphviz_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let empty = tempfile::tempdir().unwrap();
    let sample = repo("sample");
    let out = Command::new(env!("CARGO_BIN_EXE_podgraph"))
        .env("PATH", empty.path())
        .args([
            "map",
            "-q",
            sample.to_str().unwrap(),
            "--render",
            "svg",
            "--out",
            tmp.path().to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("`neato` program was not found") && err.contains("install Graphviz"),
        "{err}"
    );
    assert!(
        std::fs::read_dir(tmp.path()).unwrap().next().is_none(),
        "nothing written"
    );
}

/// Runs headless Chromium on a page and returns (DOM, stderr).
fn chromium_dump(url: &str) -> (String, String) {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=5000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(url)
        .output()
        .expect("chromium runs");
    (stdout(&out), stderr(&out))
}

#[test]
fn html_page_works_in_a_headless_browser() {
    if !have_tool("dot", "-V") || !have_tool("chromium", "--version") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = map(tmp.path(), &["--render", "html,json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let page = tmp.path().join("show.html");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        !html.contains("http://") || !html.contains("<script src"),
        "self-contained"
    );
    assert!(!html.contains("<link "), "no external stylesheet");
    let m: Value = serde_json::from_str(&std::fs::read_to_string(tmp.path().join("show.json")).unwrap()).unwrap();
    let prom = m["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["label"] == "Prometheus")
        .expect("Prometheus drawn");
    let (dom, err) = chromium_dump(&format!("file://{}#q=prometheus", page.display()));
    let body = dom
        .split("<body")
        .nth(1)
        .and_then(|b| b.split('>').next())
        .unwrap_or("");
    assert!(body.contains("data-ready=\"yes\""), "{body}");
    assert!(
        body.contains(&format!("data-selected=\"{}\"", prom["id"].as_str().unwrap())),
        "{body}"
    );
    assert!(!body.contains("data-highlighted=\"0\""), "{body}");
    assert!(dom.contains("<mark>Prometheus</mark>"), "the evidence panel quotes it");
    let console: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught"))
        .collect();
    assert!(console.is_empty(), "{console:#?}");
}
