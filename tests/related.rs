//! Related episodes through the real binary: lists with reasons, the site
//! data file, safe front matter rewrites, and the evaluation against the
//! curated lists of the real Podlets corpus.

mod common;

use common::{repo, run, shared_corpus, stderr, stdout};
use serde_json::Value;

fn sample() -> String {
    repo("sample").to_str().unwrap().to_string()
}

fn related_json(extra: &[&str]) -> Value {
    let s = sample();
    let mut args = vec!["related", "-q", "--format", "json", s.as_str()];
    args.extend_from_slice(extra);
    let out = run(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).expect("json")
}

#[test]
fn lists_have_reasons_and_respect_options() {
    let v = related_json(&["--top", "2"]);
    let lists = v.as_object().unwrap();
    assert_eq!(lists.len(), 4);
    for (ep, recs) in lists {
        let recs = recs.as_array().unwrap();
        assert!(recs.len() <= 2, "{ep}");
        for r in recs {
            assert_ne!(r["id"].as_str().unwrap(), ep, "never itself");
            assert!(r["score"].as_f64().unwrap() > 0.0);
            assert!(!r["reasons"].as_array().unwrap().is_empty(), "{r}");
            assert!(r["because"].as_str().unwrap().starts_with("also about"), "{r}");
        }
    }
    // The backups episode and the promise theory one share Kubernetes and
    // a host; the sidebar says why.
    let velero = &v["002-backups-with-velero"];
    assert!(
        velero
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == "001-observability-basics")
    );

    let earlier = related_json(&["--earlier-only"]);
    assert!(earlier["001-observability-basics"].as_array().unwrap().is_empty());
    for r in earlier["003-promise-theory"].as_array().unwrap() {
        assert!(r["number"].as_u64().unwrap() < 3, "{r}");
    }
    let strict = related_json(&["--min-score", "1"]);
    assert!(
        strict
            .as_object()
            .unwrap()
            .values()
            .all(|l| l.as_array().unwrap().is_empty())
    );
}

#[test]
fn build_writes_the_same_site_data_file() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(&["build", "-q", &sample(), "--out", tmp.path().to_str().unwrap()]);
    assert!(out.status.success());
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("related.json")).unwrap()).unwrap();
    assert_eq!(written, related_json(&[]));
}

#[test]
fn yaml_and_table_formats() {
    let s = sample();
    let out = run(&["related", "-q", "--format", "yaml", &s]);
    let y: serde_yaml::Value = serde_yaml::from_str(&stdout(&out)).expect("yaml");
    assert!(y.get("003-promise-theory").is_some());
    let out = run(&["related", "-q", &s]);
    assert!(stdout(&out).starts_with("EPISODE"), "{}", stdout(&out));
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

#[test]
fn front_matter_rewrite_is_a_safe_dry_run_first() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&repo("sample"), tmp.path());
    let dir = tmp.path().to_str().unwrap();
    let file = tmp.path().join("episodes/003-promise-theory.md");
    let before = std::fs::read_to_string(&file).unwrap();

    let dry = run(&["related", "-q", dir, "--write-front-matter", "--top", "2"]);
    assert!(dry.status.success(), "{}", stderr(&dry));
    let diff = stdout(&dry);
    assert!(diff.contains("+++ ") && diff.contains("\n+  - "), "{diff}");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        before,
        "dry run writes nothing"
    );

    let apply = run(&["related", "-q", dir, "--write-front-matter", "--top", "2", "--apply"]);
    assert!(apply.status.success(), "{}", stderr(&apply));
    let after = std::fs::read_to_string(&file).unwrap();
    assert_ne!(after, before);
    // Only the related block changed: every other line is kept, in order.
    let strip = |t: &str| -> Vec<String> {
        let mut in_related = false;
        t.lines()
            .filter(|l| {
                if l.starts_with("related:") {
                    in_related = true;
                    return false;
                }
                if in_related && (l.starts_with("  -") || l.starts_with('-')) {
                    return false;
                }
                in_related = false;
                true
            })
            .map(str::to_string)
            .collect()
    };
    assert_eq!(strip(&after), strip(&before));
    // No temp files left behind; a second run changes nothing.
    let names: Vec<String> = std::fs::read_dir(tmp.path().join("episodes"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
    let again = run(&["related", "-q", dir, "--write-front-matter", "--top", "2"]);
    assert_eq!(stdout(&again), "", "idempotent");
}

#[test]
fn eval_beats_the_baselines_on_podlets() {
    let Some(dir) = shared_corpus("podlets") else {
        return;
    };
    let out = run(&["eval", "related", "-q", "--format", "json", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let get = |setting: &str, method: &str| -> f64 {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["setting"] == setting && r["method"] == method)
            .unwrap()["ndcg_at_5"]
            .as_f64()
            .unwrap()
    };
    // The bars: every standard baseline, including BM25 over transcripts
    // (0.80 earlier-only) and popularity (0.63 all-episodes).
    assert!(get("earlier-only", "podgraph") > 0.80, "{rows:#}");
    assert!(get("all-episodes", "podgraph") > 0.63, "{rows:#}");
    assert!(get("earlier-only", "podgraph") > get("earlier-only", "popularity"));
    assert!(get("all-episodes", "podgraph") > get("all-episodes", "popularity"));
    let queries = rows.as_array().unwrap()[0]["queries"].as_u64().unwrap();
    assert_eq!(queries, 13, "queries 2-14 in the earlier-only setting");
}

#[test]
fn eval_reads_a_saved_graph() {
    let tmp = tempfile::tempdir().unwrap();
    assert!(
        run(&["build", "-q", &sample(), "--out", tmp.path().to_str().unwrap()])
            .status
            .success()
    );
    let g = tmp.path().join("graph.json");
    let out = run(&["eval", "related", "--graph", g.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("earlier-only  podgraph"), "{}", stdout(&out));
    let bad = run(&["eval", "related", "--graph", "no/such/graph.json"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("no such file"), "{}", stderr(&bad));
}
