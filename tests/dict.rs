//! `podgraph dict check|suggest|stats` through the real binary.

mod common;

use common::{repo, run, stderr, stdout};
use serde_json::Value;

#[test]
fn shipped_dictionaries_are_clean() {
    let out = run(&["dict", "check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("0 errors, 0 warnings"), "{err}");
    let entries: usize = err.split(" entries").next().unwrap().trim().parse().unwrap();
    assert!(entries >= 800, "{entries} entries");
}

#[test]
fn check_reports_every_kind_of_problem() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "kind: technology\nentries:\n  - name: Bridge\n  - name: Orbit DB\n    aliases: [Kubernetes, '', x]\n  - name: Zq\n  - name: Gizmo\n    kind: gadget\n",
    )
    .unwrap();
    let out = run(&["dict", "check", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "errors: exit 1");
    let err = stderr(&out);
    let name = bad.display().to_string();
    for (line, what) in [
        (3, "alias `Bridge` of `Bridge` is a common English word"),
        (5, "alias `Kubernetes` of `Orbit DB` is already claimed by `Kubernetes`"),
        (4, "empty alias"),
        (5, "single character"),
        (6, "alias `Zq` of `Zq` has two characters"),
        (8, "unknown kind `gadget`"),
    ] {
        assert!(
            err.contains(&format!("{name}:{line}: ")) && err.contains(what),
            "{what} at {line}:\n{err}"
        );
    }
    // Warnings only: exit 0, or 1 with --strict.
    let warn = tmp.path().join("warn.yaml");
    std::fs::write(&warn, "kind: technology\nentries:\n  - name: Bridge\n").unwrap();
    assert_eq!(run(&["dict", "check", warn.to_str().unwrap()]).status.code(), Some(0));
    assert_eq!(
        run(&["dict", "check", "--strict", warn.to_str().unwrap()])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn suggest_proposes_what_the_dictionary_lacks() {
    let tmp = tempfile::tempdir().unwrap();
    for (i, extra) in [
        "We moved the dashboards to Acme Lighthouse last week.",
        "Acme Lighthouse pages us now.",
    ]
    .iter()
    .enumerate()
    {
        std::fs::write(
            tmp.path().join(format!("ep{i}.md")),
            format!(
                "---\nepisode_id: ep{i}\nhosts: [Ann Lee]\nlinks:\n  - name: Borealis Queue\n    url: https://github.com/example/borealis\n---\n\
                 [00:00:01] AL: I'm Ann Lee. {extra} Kubernetes runs it, on Monday.\n"
            ),
        )
        .unwrap();
    }
    let out = run(&[
        "dict",
        "suggest",
        "-q",
        tmp.path().to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let names: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Acme Lighthouse"), "{names:?}");
    assert!(names.contains(&"Borealis Queue"), "{names:?}");
    for known in ["Kubernetes", "Monday", "Ann Lee", "Ann", "We"] {
        assert!(!names.contains(&known), "{known} in {names:?}");
    }
    let borealis = v
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Borealis Queue")
        .unwrap();
    assert_eq!(borealis["kind"], "technology", "linked to GitHub");
    let acme = v
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Acme Lighthouse")
        .unwrap();
    assert_eq!(acme["episodes"].as_array().unwrap().len(), 2);
    assert!(acme["example"][1].as_str().unwrap().contains("Acme Lighthouse"));
    // The YAML block is ready to paste: it parses, entries have names and kinds.
    let out = run(&[
        "dict",
        "suggest",
        "-q",
        tmp.path().to_str().unwrap(),
        "--format",
        "yaml",
    ]);
    let y: serde_yaml::Value = serde_yaml::from_str(&stdout(&out)).expect("valid YAML");
    let first = &y.as_sequence().unwrap()[0];
    assert!(first.get("name").is_some() && first.get("kind").is_some(), "{first:?}");
}

#[test]
fn stats_count_entries_and_list_unused_ones() {
    let out = run(&[
        "dict",
        "stats",
        "-q",
        repo("sample").to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let rows: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let rows = rows.as_array().unwrap();
    let prom = rows.iter().find(|r| r["name"] == "Prometheus").unwrap();
    assert!(prom["mentions"].as_u64().unwrap() >= 5);
    assert_eq!(prom["top_alias"][0], "Prometheus");
    let k8s = rows.iter().find(|r| r["name"] == "Kubernetes").unwrap();
    assert!(k8s["episodes"].as_u64().unwrap() >= 3);
    assert_eq!(rows.last().unwrap()["mentions"], 0, "unused entries last");
    let unused = run(&[
        "dict",
        "stats",
        "-q",
        repo("sample").to_str().unwrap(),
        "--unused",
        "--format",
        "json",
    ]);
    let unused: Value = serde_json::from_str(&stdout(&unused)).unwrap();
    assert!(unused.as_array().unwrap().iter().all(|r| r["mentions"] == 0));
    assert!(unused.as_array().unwrap().len() > 500);
}
