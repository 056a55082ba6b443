//! Query latency on a saved graph of the whole shared corpus (Podlets and
//! the Changelog archive), as `podgraph query` runs it: open the index
//! beside `graph.json`, find the names, answer. The graph is built once
//! into `target/bench-data/` when missing.
//!
//! Run: `cargo bench --bench query`. Skipped, with a message, when
//! ../shared/corpus is absent. The baseline in the same run is loading
//! `graph.json` itself, which is what a query would cost without the index.

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use podgraph::corpus::NoProgress;
use podgraph::pipeline::{self, BuildOptions, GraphSource, Inputs};
use podgraph::query::{self, Filters, Lookup};

fn graph() -> Option<PathBuf> {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if !corpus.is_dir() {
        eprintln!("SKIPPED: {} not found", corpus.display());
        return None;
    }
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data/whole-corpus");
    let json = out.join("graph.json");
    // Built again when missing, or when its index is of an older layout.
    if !json.is_file() || podgraph::index::QueryIndex::open(&out.join("graph.idx")).is_err() {
        let opts = BuildOptions {
            inputs: Inputs {
                corpus: podgraph::corpus::Options {
                    inputs: vec![corpus],
                    ..Default::default()
                },
                ..Default::default()
            },
            out: out.clone(),
            related: Default::default(),
        };
        pipeline::build(&opts, &NoProgress).expect("the whole corpus builds");
    }
    Some(json)
}

fn bench(c: &mut Criterion) {
    let Some(json) = graph() else { return };
    let source = GraphSource::File(json.clone());
    let mut group = c.benchmark_group("query whole corpus");
    group.measurement_time(Duration::from_secs(5));
    let open = || pipeline::open_index(&source, &NoProgress).unwrap().index;
    group.bench_function("open index", |b| b.iter(open));
    group.bench_function("speakers of Prometheus", |b| {
        b.iter(|| {
            let idx = open();
            let c = Lookup::new(&idx)
                .find("prometheus", "concept", query::is_concept)
                .unwrap();
            query::speakers_of(&idx, c, &Filters::default()).unwrap()
        })
    });
    group.bench_function("concepts of Kelsey Hightower", |b| {
        b.iter(|| {
            let idx = open();
            let s = Lookup::new(&idx)
                .find("kelsey hightower", "speaker", query::is_speaker)
                .unwrap();
            query::concepts_of(&idx, s, &Filters::default()).unwrap()
        })
    });
    group.bench_function("evidence Kelsey Hightower + Prometheus", |b| {
        b.iter(|| {
            let idx = open();
            let l = Lookup::new(&idx);
            let s = l.find("kelsey hightower", "speaker", query::is_speaker).unwrap();
            let c = l.find("prometheus", "concept", query::is_concept).unwrap();
            query::evidence(&idx, Some(s), Some(c), &Filters::default()).unwrap()
        })
    });
    group.bench_function("episodes of Kubernetes", |b| {
        b.iter(|| {
            let idx = open();
            let c = Lookup::new(&idx).find("k8s", "concept", query::is_concept).unwrap();
            query::episodes_of(&idx, c, &Filters::default()).unwrap()
        })
    });
    group.bench_function("path Mark Burgess to Velero", |b| {
        b.iter(|| {
            let idx = open();
            let l = Lookup::new(&idx);
            let a = l.find("mark burgess", "node", query::any).unwrap();
            let z = l.find("velero", "node", query::any).unwrap();
            query::path(&idx, a, z).unwrap()
        })
    });
    group.finish();
    let mut base = c.benchmark_group("baseline");
    base.sample_size(10);
    base.measurement_time(Duration::from_secs(20));
    base.bench_function("load graph.json", |b| {
        b.iter(|| podgraph::export::json::load(&json).unwrap())
    });
    base.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
