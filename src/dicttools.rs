//! Tools to grow and prune dictionaries: `podgraph dict check`, `suggest`
//! and `stats`.
//!
//! - [`check`] lints dictionary files: everything [`Dictionary::load`]
//!   reports (invalid YAML, unknown fields and kinds, aliases claimed twice,
//!   empty or one-character aliases, repeated entries), plus aliases that
//!   are common English words (the shipped `common-words.txt`) or two
//!   letters long and still match in any letter case.
//! - [`suggest`] reads transcripts and proposes the entries the dictionary
//!   lacks, ranked by evidence: names linked in the metadata or the
//!   transcript, guests, and capitalised phrases that recur across
//!   episodes, each with counts, episodes and an example sentence.
//! - [`stats`] counts, per entry, mentions, episodes and the most used
//!   alias, including entries never seen, from a built graph.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::PathBuf;

use rayon::prelude::*;
use serde::Serialize;

use crate::corpus;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::dictionary::{CaseRule, Dictionary, Kind, Source};
use crate::error::Result;
use crate::graph::KnowledgeGraph;
use crate::names;
use crate::tagger::Tagger;
use crate::transcript::{self, Parsed, markdown_links};

/// The shipped list of common English words.
const COMMON_WORDS: &str = include_str!("../dictionaries/common-words.txt");

/// Capitalised words that are never concepts (months, places, titles,
/// interjections, generic abbreviations).
const NOT_CONCEPTS: &str = include_str!("../dictionaries/not-concepts.txt");

fn word_list(text: &'static str) -> HashSet<&'static str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// Common English words, lower case, and words that are never concepts.
#[derive(Debug, Clone)]
pub struct CommonWords {
    words: HashSet<&'static str>,
    never: HashSet<&'static str>,
}

impl Default for CommonWords {
    fn default() -> Self {
        CommonWords {
            words: word_list(COMMON_WORDS),
            never: word_list(NOT_CONCEPTS),
        }
    }
}

impl CommonWords {
    /// Whether a word (any case) is a common English word.
    pub fn contains(&self, word: &str) -> bool {
        self.words.contains(word.to_lowercase().as_str())
    }

    /// Whether a name (any case) is on the list of words that are never
    /// concepts ("January", "London", "CPU").
    pub fn never_concept(&self, name: &str) -> bool {
        self.never.contains(name.to_lowercase().as_str())
    }
}

/// Lints dictionaries. Errors make a dictionary unusable; warnings are
/// entries that will match wrongly or not at all.
pub fn check(sources: &[Source], common: &CommonWords) -> Diagnostics {
    let mut diags = Diagnostics::default();
    let dict = Dictionary::load(sources, &mut diags);
    for p in &dict.patterns {
        let concept = &dict.concepts[p.concept];
        // Only spellings as written (not the generated variants), and only
        // those that match in any letter case.
        // Topics are ideas named by ordinary words ("backup"); that is
        // the point of them.
        if p.case != CaseRule::Insensitive
            || !concept.aliases.contains(&p.text)
            || concept.kind == Kind::Topic
            || concept.ordinary_word
        {
            continue;
        }
        let (file, line) = locate(sources, &concept.source, &p.text);
        if !p.text.contains(char::is_whitespace) && common.contains(&p.text) {
            diags.push(Diagnostic::warning(
                &file,
                line,
                format!(
                    "alias `{}` of `{}` is a common English word and matches in any case; \
                     give it `case: sensitive` (and `not_at_sentence_start: true` if it starts sentences) \
                     or remove it",
                    p.text, concept.name
                ),
            ));
        } else if p.text.chars().count() == 2 {
            diags.push(Diagnostic::warning(
                &file,
                line,
                format!(
                    "alias `{}` of `{}` has two characters and matches in any case (`{}`); give it `case: sensitive`",
                    p.text,
                    concept.name,
                    p.text.to_lowercase()
                ),
            ));
        }
    }
    diags.normalize();
    diags
}

/// The file and line where an alias is written.
fn locate(sources: &[Source], source_name: &str, alias: &str) -> (PathBuf, usize) {
    for s in sources {
        if s.name.display().to_string() == source_name {
            let line = s.text.lines().position(|l| l.contains(alias)).map_or(0, |i| i + 1);
            return (s.name.clone(), line);
        }
    }
    (PathBuf::from(source_name), 0)
}

/// One dictionary entry's use in a corpus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryStats {
    /// Concept id.
    pub id: String,
    /// Canonical name.
    pub name: String,
    /// Kind.
    pub kind: String,
    /// Mentions in transcripts.
    pub mentions: usize,
    /// Episodes mentioning it.
    pub episodes: usize,
    /// The spelling met most often, and how often.
    pub top_alias: Option<(String, usize)>,
    /// The dictionary file.
    pub source: String,
}

/// Mentions, episodes and spellings of one concept.
#[derive(Default)]
struct Use<'a> {
    mentions: usize,
    episodes: BTreeSet<&'a str>,
    spellings: BTreeMap<&'a str, usize>,
}

/// Per-entry statistics of a dictionary over a built graph, most
/// mentioned first; entries never seen come last, with zeros.
pub fn stats(kg: &KnowledgeGraph, dict: &Dictionary) -> Vec<EntryStats> {
    let mut by_concept: BTreeMap<&str, Use> = BTreeMap::new();
    for m in &kg.mentions {
        let e = by_concept.entry(&m.concept).or_default();
        e.mentions += 1;
        e.episodes.insert(&m.episode);
        *e.spellings.entry(m.matched()).or_default() += 1;
    }
    let mut rows: Vec<EntryStats> = dict
        .concepts
        .iter()
        .map(|c| {
            let (mentions, episodes, top_alias) = match by_concept.get(c.id.as_str()) {
                Some(u) => {
                    let top = u
                        .spellings
                        .iter()
                        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                        .map(|(s, n)| (s.to_string(), *n));
                    (u.mentions, u.episodes.len(), top)
                }
                None => (0, 0, None),
            };
            EntryStats {
                id: c.id.clone(),
                name: c.name.clone(),
                kind: c.kind.name().to_string(),
                mentions,
                episodes,
                top_alias,
                source: c.source.clone(),
            }
        })
        .collect();
    rows.sort_by(|a, b| b.mentions.cmp(&a.mentions).then(a.name.cmp(&b.name)));
    rows
}

/// A proposed dictionary entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// The name as most often written.
    pub name: String,
    /// A guess at its kind.
    pub kind: Kind,
    /// Why the kind was guessed.
    pub kind_reason: String,
    /// Times seen (links and phrases in transcripts).
    pub count: usize,
    /// Episodes where it was seen.
    pub episodes: Vec<String>,
    /// Kinds of evidence: `link`, `guest`, `phrase`.
    pub evidence: Vec<String>,
    /// A link target, if one was seen.
    pub url: Option<String>,
    /// An episode and a sentence where it occurs.
    pub example: Option<(String, String)>,
    /// The ranking score.
    pub score: f64,
}

#[derive(Default)]
struct Seen {
    spellings: BTreeMap<String, usize>,
    count: usize,
    episodes: BTreeSet<String>,
    evidence: BTreeSet<&'static str>,
    url: Option<String>,
    example: Option<(String, String)>,
    guest: bool,
}

/// Candidates found in one episode: (key, spelling, evidence, url, example).
type Found = Vec<(String, String, &'static str, Option<String>, Option<String>)>;

/// Proposes entries the dictionary lacks, from the transcripts of
/// `opts`, best first; phrases must recur in `min_episodes` episodes.
pub fn suggest(
    opts: &corpus::Options,
    dict: &Dictionary,
    common: &CommonWords,
    min_episodes: usize,
) -> Result<Vec<Suggestion>> {
    let tagger = Tagger::new(dict)?;
    let files = corpus::discover(&opts.inputs)?;
    let per_file: Vec<(String, Found, HashSet<String>)> = files
        .par_iter()
        .filter_map(|p| {
            let f = transcript::read_file(p, opts.format, None).ok()?;
            let Parsed::Episode(ep) = f.parsed else { return None };
            Some((ep.meta.id.clone(), candidates(&ep, &tagger, common), speaker_names(&ep)))
        })
        .collect();
    // Speakers of any episode (full names and given names) are people the
    // graph knows already, whatever episode mentions them.
    let speakers: HashSet<String> = per_file.iter().flat_map(|(_, _, s)| s.iter().cloned()).collect();
    // Given names as people say them ("Brian" for Bryan, "Duffy" for
    // Duffie): one word close to a speaker's name word is that speaker.
    let speaker_words: Vec<&str> = speakers
        .iter()
        .filter(|k| !k.contains(' '))
        .map(String::as_str)
        .collect();
    let like_speaker = |key: &str| {
        !key.contains(' ')
            && speaker_words
                .iter()
                .any(|w| w.chars().next() == key.chars().next() && names::given_name_matches(key, w))
    };
    let mut seen: BTreeMap<String, Seen> = BTreeMap::new();
    for (episode, found, _) in per_file {
        for (key, spelling, evidence, url, example) in found {
            if evidence == "phrase" && (speakers.contains(&key) || !plausible_phrase(&spelling, common)) {
                continue;
            }
            let s = seen.entry(key).or_default();
            *s.spellings.entry(spelling).or_default() += 1;
            s.count += 1;
            s.episodes.insert(episode.clone());
            s.evidence.insert(evidence);
            s.guest |= evidence == "guest";
            if s.url.is_none() {
                s.url = url;
            }
            if s.example.is_none() {
                s.example = example.map(|e| (episode.clone(), e));
            }
        }
    }
    let mut out: Vec<Suggestion> = seen
        .into_iter()
        .filter(|(key, s)| s.evidence.iter().any(|e| *e != "phrase") || !like_speaker(key))
        .map(|(_, s)| s)
        .filter(|s| s.evidence.iter().any(|e| *e != "phrase") || s.episodes.len() >= min_episodes.max(1))
        .filter_map(|s| {
            let name = s
                .spellings
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(n, _)| n.clone())?;
            // Evidence first: a name someone linked, or a multi-word or
            // CamelCase name, says more than a capitalised word.
            let linked = s.evidence.iter().any(|e| *e != "phrase");
            let shaped = name.contains(' ') || name.chars().skip(1).any(char::is_uppercase);
            let score = s.episodes.len() as f64 * if shaped { 2.0 } else { 1.0 }
                + (s.count as f64).ln_1p()
                + if linked { 5.0 } else { 0.0 };
            let (kind, kind_reason) = guess_kind(&name, s.url.as_deref(), s.guest);
            Some(Suggestion {
                name,
                kind,
                kind_reason,
                count: s.count,
                episodes: s.episodes.into_iter().collect(),
                evidence: s.evidence.into_iter().map(str::to_string).collect(),
                url: s.url,
                example: s.example,
                score: (score * 100.0).round() / 100.0,
            })
        })
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.name.cmp(&b.name)));
    Ok(out)
}

/// Speaker names of an episode, folded, with their given names.
fn speaker_names(ep: &crate::episode::Episode) -> HashSet<String> {
    ep.turns
        .iter()
        .filter_map(|t| t.label.as_deref())
        .chain(ep.meta.hosts.iter().map(|p| p.name.as_str()))
        .chain(ep.meta.guests.iter().map(|p| p.name.as_str()))
        .flat_map(|n| {
            let mut v = vec![names::key(n)];
            v.extend(names::name_words(n));
            v
        })
        .collect()
}

/// Whether a capitalised phrase could name a concept: not on the list of
/// words that never are, not a bare abbreviation of two or three capitals
/// (those are rarely names, and too many), not an interjection.
fn plausible_phrase(phrase: &str, common: &CommonWords) -> bool {
    if common.never_concept(phrase) {
        return false;
    }
    let words: Vec<&str> = phrase.split_whitespace().collect();
    if words.iter().all(|w| common.never_concept(w) || common.contains(w)) {
        return false;
    }
    let short_caps = |w: &str| {
        let w = w.strip_suffix('s').unwrap_or(w);
        w.chars().count() <= 4 && w.chars().all(|c| c.is_uppercase() || c.is_ascii_digit())
    };
    !(words.len() == 1 && short_caps(words[0]))
}

/// Whether the tagger already knows the whole of `name`.
fn known(tagger: &Tagger, name: &str) -> bool {
    tagger.find(name).iter().any(|h| h.start == 0 && h.end == name.len())
}

/// Candidates in one episode: linked names, guests, recurring-looking
/// capitalised phrases.
fn candidates(ep: &crate::episode::Episode, tagger: &Tagger, common: &CommonWords) -> Found {
    let mut out: Found = Vec::new();
    let speakers = speaker_names(ep);
    let mut links = ep.meta.links.clone();
    for field in [&ep.meta.notes, &ep.meta.description].into_iter().flatten() {
        links.extend(markdown_links(field));
    }
    for l in links {
        let name = strip_suffixes(&l.name);
        if name.chars().count() < 2 || name.split_whitespace().count() > 5 || known(tagger, name) {
            continue;
        }
        if common.contains(name) {
            continue;
        }
        out.push((names::key(name), name.to_string(), "link", l.url.clone(), None));
    }
    for g in &ep.meta.guests {
        if !known(tagger, &g.name) {
            out.push((names::key(&g.name), g.name.clone(), "guest", g.url.clone(), None));
        }
    }
    for t in &ep.turns {
        for sentence in t.text.split_inclusive(['.', '!', '?', '\n']) {
            for phrase in capitalised_phrases(sentence, common) {
                let key = names::key(&phrase);
                if key.is_empty() || speakers.contains(&key) || known(tagger, &phrase) {
                    continue;
                }
                let example: String = sentence.trim().chars().take(200).collect();
                out.push((key, phrase, "phrase", None, Some(example)));
            }
        }
    }
    out
}

fn strip_suffixes(name: &str) -> &str {
    crate::speakers::strip_profile_suffix(name.trim().trim_end_matches([':', '-', '—', '–', ',']))
}

/// Runs of capitalised words in a sentence, without its first word when
/// that is an ordinary word capitalised for starting the sentence, and
/// without leading or trailing common words ("The", "And").
pub fn capitalised_phrases(sentence: &str, common: &CommonWords) -> Vec<String> {
    let tokens: Vec<&str> = sentence
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':' | '(' | ')' | '"' | '“' | '”' | '?' | '!'))
        .filter(|t| !t.is_empty())
        .collect();
    let is_name_like = |t: &str| {
        let t = t
            .trim_end_matches(['.', '\'', '’'])
            .trim_end_matches("'s")
            .trim_end_matches("’s");
        let mut cs = t.chars();
        cs.next().is_some_and(char::is_uppercase)
            && t.chars().count() >= 2
            && t.chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '+' | '#'))
            && t != "I'm"
    };
    let mut out = Vec::new();
    let mut run: Vec<(usize, &str)> = Vec::new();
    let flush = |run: &mut Vec<(usize, &str)>, out: &mut Vec<String>| {
        // Trim a leading article or conjunction, or an ordinary word that
        // is capitalised only for starting the sentence ("So", "And");
        // "Cloud Foundry" keeps its "Cloud".
        while run.first().is_some_and(|&(pos, w)| {
            let w = clean(w);
            (pos == 0 && common.contains(w)) || LEADERS.contains(&w.to_lowercase().as_str())
        }) {
            run.remove(0);
        }
        if run.len() == 1 && common.contains(clean(run[0].1)) {
            run.clear();
        }
        if let Some(&(first_pos, first)) = run.first() {
            let words: Vec<&str> = run.iter().map(|(_, w)| clean(w)).collect();
            let camel = first.chars().skip(1).any(char::is_uppercase);
            // A lone word opening the sentence is capitalised for that
            // reason only, unless it has inner capitals ("GitHub").
            if !(run.len() == 1 && first_pos == 0 && !camel) && words.len() <= 4 {
                out.push(words.join(" "));
            }
        }
        run.clear();
    };
    for (i, t) in tokens.iter().enumerate() {
        if is_name_like(t) {
            run.push((i, t));
            if t.ends_with('.') {
                flush(&mut run, &mut out);
            }
        } else {
            flush(&mut run, &mut out);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Words that lead a capitalised run without belonging to the name.
const LEADERS: &[&str] = &[
    "the", "a", "an", "and", "or", "but", "so", "if", "i", "my", "our", "your", "hey", "hi", "hello", "thanks", "dear",
];

fn clean(w: &str) -> &str {
    w.trim_end_matches(['.', '\'', '’'])
        .trim_end_matches("'s")
        .trim_end_matches("’s")
}

/// A guess at a suggestion's kind, with the reason.
fn guess_kind(name: &str, url: Option<&str>, guest: bool) -> (Kind, String) {
    if guest {
        return (Kind::Person, "listed as a guest".into());
    }
    let host = url
        .and_then(|u| u.split("://").nth(1))
        .and_then(|r| r.split('/').next())
        .map(|h| h.trim_start_matches("www.").to_lowercase());
    match host.as_deref() {
        Some("twitter.com" | "x.com" | "linkedin.com" | "mastodon.social") => {
            return (
                Kind::Person,
                format!("linked to a profile on {}", host.unwrap_or_default()),
            );
        }
        Some("github.com" | "gitlab.com" | "crates.io" | "npmjs.com" | "pypi.org") => {
            return (Kind::Technology, format!("linked to {}", host.unwrap_or_default()));
        }
        Some("amazon.com" | "oreilly.com" | "manning.com" | "pragprog.com") => {
            return (Kind::Publication, format!("linked to {}", host.unwrap_or_default()));
        }
        _ => {}
    }
    let words: Vec<&str> = name.split_whitespace().collect();
    let common = CommonWords::default();
    let person_like = words.len() == 2
        && words.iter().all(|w| {
            w.chars().next().is_some_and(char::is_uppercase)
                && w.chars().skip(1).all(char::is_lowercase)
                && !common.contains(w)
        });
    if person_like {
        (Kind::Person, "two capitalised words, like a personal name".into())
    } else {
        (Kind::Technology, "default guess".into())
    }
}

/// Suggestions as a YAML block to paste under `entries:`.
pub fn suggestions_yaml(list: &[Suggestion]) -> String {
    let mut s = String::from(
        "# Proposed by `podgraph dict suggest`: check each name and kind, add aliases and\n\
         # matching rules (dictionaries/README.md), then paste under `entries:`.\n",
    );
    for x in list {
        let name = serde_yaml::to_string(&x.name).unwrap_or_else(|_| format!("\"{}\"", x.name));
        s.push_str(&format!("- name: {}", name.trim_start_matches("---").trim_start()));
        s.push_str(&format!("  kind: {}  # {}\n", x.kind.name(), x.kind_reason));
        if let Some(u) = &x.url {
            let u = serde_yaml::to_string(u).unwrap_or_default();
            s.push_str(&format!("  url: {}", u.trim_start_matches("---").trim_start()));
        }
        s.push_str(&format!(
            "  # seen {} times in {} episodes ({}){}\n",
            x.count,
            x.episodes.len(),
            x.evidence.join(", "),
            x.example
                .as_ref()
                .map(|(e, q)| format!("; {e}: \"{}\"", q.replace('\n', " ")))
                .unwrap_or_default()
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_skip_sentence_starts_and_common_words() {
        let common = CommonWords::default();
        let p = capitalised_phrases("So we moved to Grafana Agent and The Register wrote about it.", &common);
        assert_eq!(p, vec!["Grafana Agent"]);
        let p = capitalised_phrases("Grafana is nice.", &common);
        assert!(p.is_empty(), "{p:?}");
        let p = capitalised_phrases("GitHub Actions run it.", &common);
        assert_eq!(p, vec!["GitHub Actions"]);
    }

    #[test]
    fn lint_finds_common_words_without_case_rules() {
        let src = Source {
            name: "d.yaml".into(),
            text: "kind: technology\nentries:\n  - name: Helm\n  - name: Swift\n    case: sensitive\n  - name: Qz\n"
                .into(),
        };
        let d = check(&[src], &CommonWords::default());
        let msgs: Vec<String> = d.iter().map(|d| d.to_string()).collect();
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("d.yaml:3:") && m.contains("`Helm`") && m.contains("common English word")),
            "{msgs:?}"
        );
        assert!(!msgs.iter().any(|m| m.contains("`Swift`")), "{msgs:?}");
        assert!(
            msgs.iter().any(|m| m.contains("`Qz`") && m.contains("two characters")),
            "{msgs:?}"
        );
    }

    #[test]
    fn kinds_are_guessed_from_links_and_shape() {
        assert_eq!(
            guess_kind("Grafana Agent", Some("https://github.com/grafana/agent"), false).0,
            Kind::Technology
        );
        assert_eq!(
            guess_kind("Jane Doe", Some("https://twitter.com/jane"), false).0,
            Kind::Person
        );
        assert_eq!(guess_kind("Jane Doe", None, false).0, Kind::Person);
        assert_eq!(guess_kind("Zed", None, true).0, Kind::Person);
    }
}
