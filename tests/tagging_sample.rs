//! Precision and recall of the shipped dictionary on a hand-labelled
//! sample of real turns (`tests/labels/tagging.yaml`, read against the
//! corpora in ../shared/corpus; skipped when they are absent).
//!
//! Every named technology, organization, person and topic in each sampled
//! turn was marked by hand, independently of podgraph's output, along with
//! ordinary words a naive matcher would tag ("go", "kind", "helm"). A
//! predicted mention is right when the turn holds that many mentions of the
//! same concept in the labels (per-turn multiset of concepts).

mod common;

use std::collections::BTreeMap;

use podgraph::diagnostics::Diagnostics;
use podgraph::dictionary::{Dictionary, Source};
use podgraph::tagger::Tagger;
use podgraph::transcript::{Parsed, read_file};
use serde::Deserialize;

#[derive(Deserialize)]
struct Sample {
    turns: Vec<LabelledTurn>,
}

#[derive(Deserialize)]
struct LabelledTurn {
    file: String,
    line: usize,
    mentions: Vec<Gold>,
    #[serde(default)]
    not_concepts: Vec<String>,
}

#[derive(Deserialize)]
struct Gold {
    text: String,
    concept: String,
    #[serde(default)]
    #[allow(dead_code)]
    missing: bool,
}

#[derive(Default, Debug)]
struct Score {
    predicted: usize,
    gold: usize,
    correct: usize,
    false_positives: Vec<String>,
    misses: Vec<String>,
}

impl Score {
    fn precision(&self) -> f64 {
        self.correct as f64 / self.predicted.max(1) as f64
    }
    fn recall(&self) -> f64 {
        self.correct as f64 / self.gold.max(1) as f64
    }
}

#[test]
fn shipped_dictionary_precision_and_recall() {
    let Some(corpus) = common::shared_corpus("") else {
        return;
    };
    let sample: Sample =
        serde_yaml::from_str(&std::fs::read_to_string(common::repo("tests/labels/tagging.yaml")).unwrap()).unwrap();
    let mut diags = Diagnostics::default();
    let dict = Dictionary::load(&Source::builtin(), &mut diags);
    let tagger = Tagger::new(&dict).unwrap();

    const NEVER: &[&str] = &["go", "kind", "swift", "helm", "make", "rust", "spark", "chef"];
    let mut traps: Vec<String> = Vec::new();
    let mut scores: BTreeMap<&str, Score> = BTreeMap::new();
    let mut episodes: BTreeMap<String, podgraph::episode::Episode> = BTreeMap::new();
    for t in &sample.turns {
        let ep = episodes.entry(t.file.clone()).or_insert_with(|| {
            match read_file(&corpus.join(&t.file), None, None).unwrap().parsed {
                Parsed::Episode(e) => *e,
                Parsed::Profile(_) => panic!("{} is not an episode", t.file),
            }
        });
        let turn = ep
            .turns
            .iter()
            .find(|x| x.line == t.line)
            .unwrap_or_else(|| panic!("{}:{} is not a turn start", t.file, t.line));
        let mut predicted: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for h in tagger.find(&turn.text) {
            predicted
                .entry(dict.concepts[h.concept].name.clone())
                .or_default()
                .push(turn.text[h.start..h.end].to_string());
        }
        let mut gold: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for g in &t.mentions {
            gold.entry(g.concept.clone()).or_default().push(g.text.clone());
        }
        let show = if t.file.starts_with("podlets") {
            "podlets"
        } else {
            "shipit"
        };
        for s in [show, "all"] {
            let score = scores.entry(s).or_default();
            for (c, texts) in &predicted {
                let g = gold.get(c).map_or(0, Vec::len);
                score.predicted += texts.len();
                score.correct += texts.len().min(g);
                if texts.len() > g {
                    score
                        .false_positives
                        .push(format!("{}:{} {c} ({})", t.file, t.line, texts.join(", ")));
                }
            }
            for (c, texts) in &gold {
                let p = predicted.get(c).map_or(0, Vec::len);
                score.gold += texts.len();
                if texts.len() > p {
                    score
                        .misses
                        .push(format!("{}:{} {c} ({})", t.file, t.line, texts.join(", ")));
                }
            }
        }
        // Ordinary words tagged as concepts (already counted as false
        // positives); the commonest traps must never be.
        for word in &t.not_concepts {
            for (c, texts) in &predicted {
                if !gold.contains_key(c) && texts.iter().any(|x| x.eq_ignore_ascii_case(word)) {
                    traps.push(format!("{}:{} `{word}` as {c}", t.file, t.line));
                    assert!(
                        !NEVER.contains(&word.as_str()),
                        "{}:{}: the ordinary word `{word}` was tagged as {c}",
                        t.file,
                        t.line
                    );
                }
            }
        }
    }
    eprintln!("ordinary words tagged: {}\n  {}", traps.len(), traps.join("\n  "));
    for (name, s) in &scores {
        eprintln!(
            "{name}: {} predicted, {} labelled, {} correct: precision {:.3}, recall {:.3}",
            s.predicted,
            s.gold,
            s.correct,
            s.precision(),
            s.recall()
        );
        if *name == "all" {
            eprintln!("false positives:\n  {}", s.false_positives.join("\n  "));
            eprintln!("misses:\n  {}", s.misses.join("\n  "));
        }
    }
    let all = &scores["all"];
    assert!(all.precision() >= 0.95, "precision {:.3} below 0.95", all.precision());
    assert!(all.recall() >= 0.85, "recall {:.3} below 0.85", all.recall());
}
