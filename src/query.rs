//! Ad-hoc questions to the knowledge graph, with their evidence.
//!
//! Every query starts by finding nodes by name the way people type them
//! ([`Lookup`]): case- and accent-insensitive, by label, alias (`k8s`) or
//! id, and with "did you mean" suggestions when nothing matches. Then:
//!
//! - [`concepts_of`]: what a speaker discusses (mentions, episodes);
//! - [`speakers_of`]: who discusses a concept;
//! - [`episodes_of`]: which episodes mention a concept, from what time;
//! - [`cooccurring`]: concepts named in the same turns as a concept;
//! - [`evidence`]: the turns themselves (episode, time, speaker, quote);
//! - [`person`]: a person's episodes and roles, concepts, co-speakers;
//! - [`path`]: the shortest chain of relations between two nodes.
//!
//! Queries run on a [`QueryIndex`], opened from the `graph.idx` that
//! `podgraph build` writes (reading only the blocks a query needs) or built
//! in memory from a graph. They never read transcripts. Results are rows
//! that serialise to JSON and CSV and render as tables; ordering is total,
//! so answers are stable.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use serde::Serialize;

use crate::dictionary::Kind;
use crate::episode::format_timestamp;
use crate::error::{Error, Result};
use crate::graph::{ANNOUNCER, MentionRecord, Node, NodeKind, Relation};
use crate::index::{Adjacent, QueryIndex};
use crate::names;
use crate::table::count;

/// A name that matches no node, with the closest ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no {what} matches `{query}`{}", suggest(.suggestions))]
pub struct NotFound {
    /// What was looked for ("person", "concept", ...).
    pub what: String,
    /// The name as typed.
    pub query: String,
    /// Close names, best first.
    pub suggestions: Vec<String>,
}

fn suggest(s: &[String]) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", s.join(", "))
    }
}

/// Name lookup over a list of nodes: labels, aliases and ids, folded.
pub struct Lookup<'a> {
    source: Source<'a>,
}

/// The nodes and name keys a lookup searches: an index's, read in place,
/// or made from a graph.
enum Source<'a> {
    Index(&'a QueryIndex),
    Graph {
        /// Nodes in id order.
        nodes: Vec<&'a Node>,
        /// (folded key, position in `nodes`), sorted.
        keys: Vec<(String, u32)>,
    },
}

impl<'a> Lookup<'a> {
    /// A lookup over an index's nodes and name keys.
    pub fn new(idx: &'a QueryIndex) -> Lookup<'a> {
        Lookup {
            source: Source::Index(idx),
        }
    }

    /// A lookup over a graph's nodes, in id order.
    pub fn for_graph(kg: &'a crate::graph::KnowledgeGraph) -> Lookup<'a> {
        let nodes: Vec<&Node> = kg.sorted_nodes().into_iter().map(|i| &kg.graph[i]).collect();
        let mut keys: Vec<(String, u32)> = Vec::new();
        for (i, n) in nodes.iter().enumerate() {
            keys.extend(crate::index::node_keys(n).into_iter().map(|k| (k, i as u32)));
        }
        keys.sort();
        Lookup {
            source: Source::Graph { nodes, keys },
        }
    }

    /// The node at a position returned by [`find`](Self::find).
    pub fn node(&self, i: u32) -> Option<&'a Node> {
        match &self.source {
            Source::Index(idx) => idx.node(i),
            Source::Graph { nodes, .. } => nodes.get(i as usize).copied(),
        }
    }

    fn node_count(&self) -> u32 {
        match &self.source {
            Source::Index(idx) => idx.node_count() as u32,
            Source::Graph { nodes, .. } => nodes.len() as u32,
        }
    }

    /// The nodes a folded name key points at.
    fn find_key(&self, key: &str) -> Vec<u32> {
        match &self.source {
            Source::Index(idx) => idx.find_key(key),
            Source::Graph { keys, .. } => {
                let start = keys.partition_point(|(k, _)| k.as_str() < key);
                keys[start..]
                    .iter()
                    .take_while(|(k, _)| k == key)
                    .map(|(_, n)| *n)
                    .collect()
            }
        }
    }

    /// Every (key, node) pair, sorted.
    fn keys(&self) -> &[(String, u32)] {
        match &self.source {
            Source::Index(idx) => idx.keys(),
            Source::Graph { keys, .. } => keys,
        }
    }

    /// Finds the node a name means among nodes accepted by `accept`.
    /// Exact (folded) names first; then, for people, a unique given name or
    /// surname ("Hightower"); otherwise an error with suggestions.
    pub fn find(&self, query: &str, what: &str, accept: impl Fn(&Node) -> bool) -> Result<u32, NotFound> {
        let key = names::key(query);
        if let Some(i) = self
            .find_key(&key)
            .into_iter()
            .find(|&i| self.node(i).is_some_and(&accept))
        {
            return Ok(i);
        }
        // An episode by number: "7", "007".
        if let Ok(number) = key.parse::<u32>() {
            let hits: Vec<u32> = (0..self.node_count())
                .filter(|&i| self.node(i).is_some_and(|n| accept(n) && n.number == Some(number)))
                .collect();
            if hits.len() == 1 {
                return Ok(hits[0]);
            }
        }
        // One word of a person's name: "Hightower", "Kelsey".
        if !key.is_empty() && !key.contains(' ') {
            let words: Vec<u32> = (0..self.node_count())
                .filter(|&i| {
                    self.node(i).is_some_and(|n| {
                        accept(n) && n.kind == NodeKind::Person && names::name_words(&n.label).contains(&key)
                    })
                })
                .collect();
            if words.len() == 1 {
                return Ok(words[0]);
            }
        }
        Err(NotFound {
            what: what.to_string(),
            query: query.to_string(),
            suggestions: self.suggestions(&key, &accept),
        })
    }

    /// Up to five accepted names close to `key`: containing it, or within a
    /// few edits of it.
    fn suggestions(&self, key: &str, accept: &impl Fn(&Node) -> bool) -> Vec<String> {
        let limit = (key.chars().count() / 3).max(2);
        let mut scored: Vec<(usize, String)> = Vec::new();
        for (k, i) in self.keys() {
            let Some(n) = self.node(*i).filter(|n| accept(n)) else {
                continue;
            };
            let d = if k.contains(key) || (key.len() >= 4 && key.contains(k.as_str())) {
                0
            } else {
                names::edit_distance_str(k, key)
            };
            if d <= limit {
                scored.push((d, n.label.clone()));
            }
        }
        scored.sort();
        let mut seen = BTreeSet::new();
        scored
            .into_iter()
            .filter(|(_, l)| seen.insert(l.clone()))
            .take(5)
            .map(|(_, l)| l)
            .collect()
    }
}

/// Filters shared by the queries.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Only this episode (node number).
    pub episode: Option<u32>,
    /// Only concepts of these kinds (empty: all).
    pub kinds: Vec<Kind>,
    /// At most this many rows (0: all).
    pub limit: usize,
}

impl Filters {
    fn kind_ok(&self, n: &Node) -> bool {
        self.kinds.is_empty() || n.concept_kind.is_some_and(|k| self.kinds.contains(&k))
    }

    fn episode_ok(&self, idx: &QueryIndex, episode_id: &str) -> bool {
        self.episode.is_none_or(|e| idx.node_id(e) == Some(episode_id))
    }

    fn take<T>(&self, mut rows: Vec<T>) -> Vec<T> {
        if self.limit > 0 {
            rows.truncate(self.limit);
        }
        rows
    }
}

/// Accepts speakers: people and unresolved labels.
pub fn is_speaker(n: &Node) -> bool {
    matches!(n.kind, NodeKind::Person | NodeKind::UnresolvedSpeaker)
}

/// Accepts concepts, people included (they are mentioned too).
pub fn is_concept(n: &Node) -> bool {
    matches!(n.kind, NodeKind::Concept | NodeKind::Person)
}

/// Accepts episodes.
pub fn is_episode(n: &Node) -> bool {
    n.kind == NodeKind::Episode
}

/// Accepts any node.
pub fn any(_: &Node) -> bool {
    true
}

/// A concept a speaker discusses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConceptRow {
    /// Concept id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: String,
    /// Mentions by the speaker.
    pub mentions: usize,
    /// Episodes where the speaker mentions it.
    pub episodes: Vec<String>,
}

/// A speaker of a concept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpeakerRow {
    /// Speaker id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Mentions of the concept.
    pub mentions: usize,
    /// Episodes where they mention it.
    pub episodes: Vec<String>,
}

/// An episode mentioning a concept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EpisodeRow {
    /// Episode id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Mentions in the transcript.
    pub mentions: usize,
    /// Time of the first mention, milliseconds.
    pub first_ms: Option<u64>,
    /// First mention as `MM:SS` or `H:MM:SS`.
    pub first_time: Option<String>,
    /// Line of the turn with the first mention.
    pub first_line: Option<usize>,
    /// Whether the metadata (title, notes, links) names it.
    pub in_metadata: bool,
}

/// A concept named in the same turns as another.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CooccurRow {
    /// Concept id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: String,
    /// Turns naming both.
    pub turns: usize,
    /// Jaccard index of the two concepts' turns: shared turns over turns
    /// naming either (so ubiquitous concepts do not come first).
    pub jaccard: f64,
}

/// One piece of evidence: a mention in a turn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceRow {
    /// Episode id.
    pub episode: String,
    /// Turn start as `MM:SS` or `H:MM:SS`.
    pub time: Option<String>,
    /// Turn start, milliseconds.
    pub time_ms: Option<u64>,
    /// File line of the turn.
    pub line: usize,
    /// Speaker name.
    pub speaker: String,
    /// Concept name.
    pub concept: String,
    /// The sentence around the mention.
    pub quote: String,
    /// Byte span of the mention in the quote.
    pub highlight: (usize, usize),
}

/// A person's episode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Appearance {
    /// Episode id.
    pub episode: String,
    /// Title.
    pub title: String,
    /// Role.
    pub role: String,
    /// Turns spoken.
    pub turns: usize,
}

/// Someone who shares episodes with a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoSpeaker {
    /// Person id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Episodes shared.
    pub episodes: usize,
}

/// A person's profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Profile {
    /// Person id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Episodes spoken in, with roles.
    pub appearances: Vec<Appearance>,
    /// Concepts discussed, most first.
    pub concepts: Vec<ConceptRow>,
    /// People sharing episodes, most first.
    pub co_speakers: Vec<CoSpeaker>,
    /// Episodes that mention the person, and how often.
    pub mentioned_in: Vec<(String, usize)>,
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hop {
    /// Node id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Relation from the previous node (empty for the first).
    pub relation: String,
}

fn concept_kind(n: &Node) -> String {
    n.concept_kind
        .map_or_else(|| "concept".to_string(), |k| k.name().to_string())
}

fn episode_id(node_id: &str) -> String {
    node_id.strip_prefix("episode:").unwrap_or(node_id).to_string()
}

/// How episodes sort: see [`episode_order`].
type EpisodeOrder = (Option<u32>, Vec<(String, u64)>);

/// Episode sort key: number, then the id with its digits compared as
/// numbers ("ship-it-9" before "ship-it-10").
fn episode_order(n: &Node) -> EpisodeOrder {
    (n.number, names::natural_key(&n.id))
}

/// Nodes of an index by id, for rows made from mention records.
struct Labels<'a> {
    idx: &'a QueryIndex,
}

impl<'a> Labels<'a> {
    fn new(idx: &'a QueryIndex) -> Self {
        Labels { idx }
    }
    fn node(&self, id: &str) -> Option<&'a Node> {
        self.idx.node(self.idx.find_id(id)?)
    }
    fn label(&self, id: &str) -> String {
        if id == ANNOUNCER {
            return "announcer".into();
        }
        self.node(id).map_or_else(|| id.to_string(), |n| n.label.clone())
    }
}

/// Node `i` of an index, or the error for an index that names a node it
/// does not have.
fn node_of(idx: &QueryIndex, i: u32) -> Result<&Node> {
    idx.node(i).ok_or_else(damaged_index)
}

/// Groups mentions by a key: (count, episodes).
fn tally<'m>(
    mentions: impl Iterator<Item = &'m MentionRecord>,
    key: impl Fn(&'m MentionRecord) -> &'m str,
) -> BTreeMap<&'m str, (usize, BTreeSet<&'m str>)> {
    let mut agg: BTreeMap<&str, (usize, BTreeSet<&str>)> = BTreeMap::new();
    for m in mentions {
        let e = agg.entry(key(m)).or_default();
        e.0 += 1;
        e.1.insert(&m.episode);
    }
    agg
}

/// Concepts a speaker discusses, most mentioned first.
pub fn concepts_of(idx: &QueryIndex, speaker: u32, f: &Filters) -> Result<Vec<ConceptRow>> {
    let row = |c: &Node, mentions: usize, episodes: Vec<String>| ConceptRow {
        id: c.id.clone(),
        name: c.label.clone(),
        kind: concept_kind(c),
        mentions,
        episodes,
    };
    let mut rows: Vec<ConceptRow> = if f.episode.is_none() {
        // The speaker's `discusses` edges hold the counts and episodes:
        // one read, however many mentions there are.
        idx.out_edges_of(speaker, Relation::Discusses)?
            .into_iter()
            .filter_map(|a| {
                let c = idx.node(a.node)?;
                let mut eps: Vec<String> = a.edge.episodes.iter().map(|e| episode_id(e)).collect();
                eps.sort();
                f.kind_ok(c).then(|| row(c, a.edge.weight, eps))
            })
            .collect()
    } else {
        let labels = Labels::new(idx);
        let mentions = idx.mentions_by(speaker)?;
        let own_id = node_of(idx, speaker)?.id.as_str();
        let agg = tally(
            mentions
                .iter()
                .filter(|m| f.episode_ok(idx, &m.episode) && *m.concept != *own_id),
            |m| &m.concept,
        );
        agg.into_iter()
            .filter_map(|(c, (n, eps))| {
                let node = labels.node(c)?;
                f.kind_ok(node)
                    .then(|| row(node, n, eps.into_iter().map(episode_id).collect()))
            })
            .collect()
    };
    rows.sort_by(|a, b| b.mentions.cmp(&a.mentions).then(a.name.cmp(&b.name)));
    Ok(f.take(rows))
}

/// Speakers who mention a concept, most first.
pub fn speakers_of(idx: &QueryIndex, concept: u32, f: &Filters) -> Result<Vec<SpeakerRow>> {
    let mut agg: BTreeMap<u32, (usize, BTreeSet<u32>)> = BTreeMap::new();
    idx.for_each_mention_head(concept, |h| {
        if let Some(s) = h.speaker.filter(|_| f.episode.is_none_or(|e| e == h.episode)) {
            let e = agg.entry(s).or_default();
            e.0 += 1;
            e.1.insert(h.episode);
        }
    })?;
    let node = |i: u32| node_of(idx, i);
    let mut rows = Vec::with_capacity(agg.len());
    for (s, (n, eps)) in agg {
        let mut episodes = eps
            .into_iter()
            .map(|e| Ok(episode_id(&node(e)?.id)))
            .collect::<Result<Vec<String>>>()?;
        episodes.sort();
        let sp = node(s)?;
        rows.push(SpeakerRow {
            id: sp.id.clone(),
            name: sp.label.clone(),
            mentions: n,
            episodes,
        });
    }
    rows.sort_by(|a, b| b.mentions.cmp(&a.mentions).then(a.name.cmp(&b.name)));
    Ok(f.take(rows))
}

/// A concept's co-occurrence edges, both ways (each pair is stored once,
/// from the concept with the smaller id).
fn co_occurring_edges(idx: &QueryIndex, concept: u32) -> Result<Vec<Adjacent>> {
    let mut edges = idx.out_edges_of(concept, Relation::CoOccurs)?;
    edges.extend(idx.in_edges_of(concept, Relation::CoOccurs)?);
    Ok(edges)
}

/// The error for an index that names a node it does not have.
fn damaged_index() -> Error {
    Error::GraphFile {
        path: "graph.idx".into(),
        message: "the index is damaged; rebuild it with `podgraph build`".into(),
    }
}

/// Episodes mentioning a concept, in the transcript or the metadata,
/// in episode order.
pub fn episodes_of(idx: &QueryIndex, concept: u32, f: &Filters) -> Result<Vec<EpisodeRow>> {
    let mut first_line: Vec<Option<(u64, u32, u32)>> = vec![None; idx.node_count()];
    idx.for_each_mention_head(concept, |m| {
        let k = (m.time_ms.unwrap_or(u64::MAX), m.turn, m.line);
        if let Some(v) = first_line.get_mut(m.episode as usize) {
            *v = Some(v.map_or(k, |v| v.min(k)));
        }
    })?;
    let mut rows: Vec<(&Node, EpisodeRow)> = Vec::new();
    for a in idx.in_edges_of(concept, Relation::Mentions)? {
        if f.episode.is_some_and(|x| x != a.node) {
            continue;
        }
        let ep = node_of(idx, a.node)?;
        rows.push((
            ep,
            EpisodeRow {
                id: episode_id(&ep.id),
                title: ep.label.clone(),
                mentions: a.edge.weight,
                first_ms: a.edge.first_ms,
                first_time: a.edge.first_ms.map(format_timestamp),
                first_line: first_line.get(a.node as usize).copied().flatten().map(|v| v.2 as usize),
                in_metadata: a.edge.metadata_mentions > 0,
            },
        ));
    }
    rows.sort_by_cached_key(|(n, _)| episode_order(n));
    Ok(f.take(rows.into_iter().map(|(_, r)| r).collect()))
}

/// Concepts named in the same turns as `concept`, by Jaccard index. With
/// an episode filter the counts are those of that episode.
pub fn cooccurring(idx: &QueryIndex, concept: u32, f: &Filters) -> Result<Vec<CooccurRow>> {
    let mut rows: Vec<CooccurRow> = Vec::new();
    let mut push = |other: &Node, shared: usize, mine: usize, theirs: usize| {
        if f.kind_ok(other) && shared > 0 {
            let union = (mine + theirs).saturating_sub(shared).max(1);
            rows.push(CooccurRow {
                id: other.id.clone(),
                name: other.label.clone(),
                kind: concept_kind(other),
                turns: shared,
                jaccard: (shared as f64 / union as f64 * 1e4).round() / 1e4,
            });
        }
    };
    match f.episode {
        None => {
            let mine = idx.mention_turns(concept)? as usize;
            let mut shared: BTreeMap<u32, usize> = BTreeMap::new();
            for a in co_occurring_edges(idx, concept)? {
                *shared.entry(a.node).or_default() += a.edge.weight;
            }
            for (o, n) in shared {
                push(node_of(idx, o)?, n, mine, idx.mention_turns(o)? as usize);
            }
        }
        Some(_) => {
            // Within one episode: turns of each concept, from the mentions
            // of the concepts this one co-occurs with.
            let episode = f.episode.unwrap_or_default();
            let turns_of = |c: u32| -> Result<BTreeSet<u32>> {
                let mut turns = BTreeSet::new();
                idx.for_each_mention_head(c, |m| {
                    if m.episode == episode {
                        turns.insert(m.turn);
                    }
                })?;
                Ok(turns)
            };
            let mine = turns_of(concept)?;
            let others: BTreeSet<u32> = co_occurring_edges(idx, concept)?.into_iter().map(|a| a.node).collect();
            for o in others {
                let theirs = turns_of(o)?;
                push(
                    node_of(idx, o)?,
                    mine.intersection(&theirs).count(),
                    mine.len(),
                    theirs.len(),
                );
            }
        }
    }
    rows.sort_by(|a, b| {
        b.jaccard
            .total_cmp(&a.jaccard)
            .then(b.turns.cmp(&a.turns))
            .then(a.name.cmp(&b.name))
    });
    Ok(f.take(rows))
}

/// The mentions behind an answer: by a speaker, of a concept, or both, in
/// episode and turn order.
pub fn evidence(idx: &QueryIndex, speaker: Option<u32>, concept: Option<u32>, f: &Filters) -> Result<Vec<EvidenceRow>> {
    let row = |m: &MentionRecord, speaker: String, concept: String| EvidenceRow {
        episode: episode_id(&m.episode),
        time: m.time_ms.map(format_timestamp),
        time_ms: m.time_ms,
        line: m.line as usize,
        speaker,
        concept,
        quote: m.quote.to_string(),
        highlight: (m.quote_span.0 as usize, m.quote_span.1 as usize),
    };
    let Some(c) = concept else {
        let Some(s) = speaker else {
            return Ok(Vec::new());
        };
        let labels = Labels::new(idx);
        let mentions = idx.mentions_by(s)?;
        let mut rows: Vec<(&Node, u32, u32, EvidenceRow)> = mentions
            .iter()
            .filter(|m| f.episode_ok(idx, &m.episode))
            .filter(|m| labels.node(&m.concept).is_some_and(|n| f.kind_ok(n)))
            .filter_map(|m| {
                let r = row(m, labels.label(&m.speaker), labels.label(&m.concept));
                Some((labels.node(&m.episode)?, m.turn, m.span.0, r))
            })
            .collect();
        rows.sort_by_cached_key(|r| (episode_order(r.0), r.1, r.2));
        return Ok(f.take(rows.into_iter().map(|r| r.3).collect()));
    };
    // A concept's mentions: filter and sort on the fixed fields, then
    // decode the text of the rows shown only.
    let concept_node = node_of(idx, c)?;
    if !f.kind_ok(concept_node) {
        return Ok(Vec::new());
    }
    let block = idx.mention_block_where(c, |h| {
        speaker.is_none_or(|s| h.speaker == Some(s)) && f.episode.is_none_or(|e| e == h.episode)
    })?;
    let mut picked: Vec<(usize, u32, u32, u32)> = block
        .heads()
        .enumerate()
        .map(|(i, h)| (i, h.episode, h.turn, h.start))
        .collect();
    let mut order: BTreeMap<u32, EpisodeOrder> = BTreeMap::new();
    for &(_, e, _, _) in &picked {
        if let std::collections::btree_map::Entry::Vacant(v) = order.entry(e) {
            v.insert(episode_order(node_of(idx, e)?));
        }
    }
    picked.sort_by(|a, b| order[&a.1].cmp(&order[&b.1]).then(a.2.cmp(&b.2)).then(a.3.cmp(&b.3)));
    let concept_label = concept_node.label.clone();
    f.take(picked)
        .iter()
        .map(|&(i, ..)| {
            let m = idx.record(&block, i)?;
            let speaker = if *m.speaker == *ANNOUNCER {
                "announcer".to_string()
            } else {
                let s = block.head(i).and_then(|h| h.speaker);
                s.and_then(|s| idx.node(s))
                    .map_or_else(|| m.speaker.to_string(), |n| n.label.clone())
            };
            Ok(row(&m, speaker, concept_label.clone()))
        })
        .collect()
}

/// A person's profile.
pub fn person(idx: &QueryIndex, p: u32, f: &Filters) -> Result<Profile> {
    let mut appearances: Vec<(&Node, Appearance)> = Vec::new();
    let mut shared: BTreeMap<u32, usize> = BTreeMap::new();
    for a in idx.out_edges_of(p, Relation::AppearsIn)? {
        let ep = node_of(idx, a.node)?;
        appearances.push((
            ep,
            Appearance {
                episode: episode_id(&ep.id),
                title: ep.label.clone(),
                role: a.edge.role.map_or("other", |r| r.name()).to_string(),
                turns: a.edge.weight,
            },
        ));
        for b in idx.in_edges_of(a.node, Relation::AppearsIn)? {
            if b.node != p && node_of(idx, b.node)?.kind == NodeKind::Person {
                *shared.entry(b.node).or_default() += 1;
            }
        }
    }
    appearances.sort_by_cached_key(|(n, _)| episode_order(n));
    let mut co_speakers: Vec<CoSpeaker> = shared
        .into_iter()
        .map(|(i, n)| {
            let s = node_of(idx, i)?;
            Ok(CoSpeaker {
                id: s.id.clone(),
                name: s.label.clone(),
                episodes: n,
            })
        })
        .collect::<Result<_>>()?;
    co_speakers.sort_by(|a, b| b.episodes.cmp(&a.episodes).then(a.name.cmp(&b.name)));
    let mut mentioned_in: Vec<(&Node, usize)> = idx
        .in_edges_of(p, Relation::Mentions)?
        .into_iter()
        .filter(|a| a.edge.weight > 0)
        .map(|a| Ok((node_of(idx, a.node)?, a.edge.weight)))
        .collect::<Result<_>>()?;
    mentioned_in.sort_by_cached_key(|(n, _)| episode_order(n));
    let limit = if f.limit == 0 { 10 } else { f.limit };
    let me = node_of(idx, p)?;
    Ok(Profile {
        id: me.id.clone(),
        name: me.label.clone(),
        appearances: appearances.into_iter().map(|(_, a)| a).collect(),
        concepts: concepts_of(idx, p, &Filters { limit, ..f.clone() })?,
        co_speakers,
        mentioned_in: mentioned_in.into_iter().map(|(n, w)| (episode_id(&n.id), w)).collect(),
    })
}

/// The shortest chain of relations between two nodes, whatever the edge
/// directions; among equally short paths, the one through the
/// alphabetically first ids. Co-occurrence edges are left out, so that the
/// chain tells who said what where.
pub fn path(idx: &QueryIndex, from: u32, to: u32) -> Result<Option<Vec<Hop>>> {
    let mut prev: HashMap<u32, (u32, Relation)> = HashMap::new();
    let mut seen: BTreeSet<u32> = [from].into_iter().collect();
    let mut queue = VecDeque::from([from]);
    while let Some(n) = queue.pop_front() {
        if n == to {
            break;
        }
        // Node numbers follow id order, so sorting by number is by id.
        let mut next: Vec<(u32, Relation)> = idx
            .out_edges(n)?
            .into_iter()
            .chain(idx.in_edges(n)?)
            .map(|a| (a.node, a.edge.relation))
            .filter(|(_, r)| *r != Relation::CoOccurs)
            .collect();
        next.sort();
        for (m, r) in next {
            if seen.insert(m) {
                prev.insert(m, (n, r));
                queue.push_back(m);
            }
        }
    }
    if !seen.contains(&to) {
        return Ok(None);
    }
    let hop = |i: u32| -> Result<Hop> {
        let n = node_of(idx, i)?;
        Ok(Hop {
            id: n.id.clone(),
            name: n.label.clone(),
            relation: String::new(),
        })
    };
    let mut hops = vec![hop(to)?];
    let mut cur = to;
    while let Some(&(p, r)) = prev.get(&cur) {
        if let Some(last) = hops.last_mut() {
            last.relation = r.name().to_string();
        }
        hops.push(hop(p)?);
        cur = p;
    }
    hops.reverse();
    Ok(Some(hops))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{KnowledgeGraph, Node};

    fn node(id: &str, label: &str, kind: NodeKind, aliases: &[&str]) -> Node {
        Node {
            concept_kind: match kind {
                NodeKind::Person => Some(Kind::Person),
                NodeKind::Concept => Some(Kind::Technology),
                _ => None,
            },
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            ..Node::new(id.into(), label.into(), kind)
        }
    }

    fn sample() -> QueryIndex {
        let mut kg = KnowledgeGraph::default();
        let k = kg.ensure_node(node("concept:kubernetes", "Kubernetes", NodeKind::Concept, &["K8s"]));
        let p = kg.ensure_node(node("person:kris-nova", "Kris Nóva", NodeKind::Person, &[]));
        let e = kg.ensure_node(node("episode:1", "One", NodeKind::Episode, &[]));
        let m = kg.ensure_node(node("person:mark-burgess", "Mark Burgess", NodeKind::Person, &[]));
        kg.edge_mut(p, e, Relation::AppearsIn).weight = 3;
        kg.edge_mut(e, k, Relation::Mentions).weight = 1;
        kg.edge_mut(e, m, Relation::Mentions).weight = 1;
        kg.edge_mut(p, k, Relation::Discusses).weight = 1;
        QueryIndex::from_graph(&kg)
    }

    #[test]
    fn lookup_by_alias_case_and_accents() {
        let idx = sample();
        let l = Lookup::new(&idx);
        let k = l.find("k8s", "concept", is_concept).unwrap();
        assert_eq!(idx.node(k).unwrap().label, "Kubernetes");
        let p = l.find("kris nova", "speaker", is_speaker).unwrap();
        assert_eq!(idx.node(p).unwrap().label, "Kris Nóva");
        let b = l.find("Burgess", "person", is_speaker).unwrap();
        assert_eq!(idx.node(b).unwrap().id, "person:mark-burgess");
    }

    #[test]
    fn did_you_mean() {
        let idx = sample();
        let l = Lookup::new(&idx);
        let err = l.find("Kubernets", "concept", is_concept).unwrap_err();
        assert_eq!(err.suggestions, vec!["Kubernetes"]);
        assert!(err.to_string().contains("did you mean Kubernetes?"), "{err}");
    }

    #[test]
    fn path_through_an_episode() {
        let idx = sample();
        let l = Lookup::new(&idx);
        let a = l.find("Mark Burgess", "node", any).unwrap();
        let b = l.find("Kris Nova", "node", any).unwrap();
        let hops = path(&idx, a, b).unwrap().unwrap();
        let ids: Vec<&str> = hops.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, vec!["person:mark-burgess", "episode:1", "person:kris-nova"]);
        assert_eq!(hops[1].relation, "mentions");
        assert_eq!(hops[2].relation, "appears_in");
    }
}

/// The answer to a query, in any of its shapes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Answer {
    /// Concepts of a speaker.
    Concepts(Vec<ConceptRow>),
    /// Speakers of a concept.
    Speakers(Vec<SpeakerRow>),
    /// Episodes of a concept.
    Episodes(Vec<EpisodeRow>),
    /// Co-occurring concepts.
    Cooccurring(Vec<CooccurRow>),
    /// Evidence turns.
    Evidence(Vec<EvidenceRow>),
    /// A person's profile.
    Person(Box<Profile>),
    /// A path (empty when the nodes are not connected).
    Path(Vec<Hop>),
}

impl Answer {
    /// Whether there is nothing to show.
    pub fn is_empty(&self) -> bool {
        match self {
            Answer::Concepts(r) => r.is_empty(),
            Answer::Speakers(r) => r.is_empty(),
            Answer::Episodes(r) => r.is_empty(),
            Answer::Cooccurring(r) => r.is_empty(),
            Answer::Evidence(r) => r.is_empty(),
            Answer::Person(p) => p.appearances.is_empty() && p.mentioned_in.is_empty(),
            Answer::Path(r) => r.is_empty(),
        }
    }

    /// Pretty JSON.
    pub fn json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("answers serialise");
        s.push('\n');
        s
    }

    /// Header and rows, as cells.
    fn cells(&self, color: bool) -> (Vec<&'static str>, Vec<Vec<String>>) {
        let list = |v: &[String]| v.join(" ");
        match self {
            Answer::Concepts(rows) => (
                vec!["CONCEPT", "KIND", "MENTIONS", "EPISODES"],
                rows.iter()
                    .map(|r| {
                        vec![
                            r.name.clone(),
                            r.kind.clone(),
                            r.mentions.to_string(),
                            list(&r.episodes),
                        ]
                    })
                    .collect(),
            ),
            Answer::Speakers(rows) => (
                vec!["SPEAKER", "MENTIONS", "EPISODES"],
                rows.iter()
                    .map(|r| vec![r.name.clone(), r.mentions.to_string(), list(&r.episodes)])
                    .collect(),
            ),
            Answer::Episodes(rows) => (
                vec!["EPISODE", "MENTIONS", "FIRST", "LINE", "IN NOTES", "TITLE"],
                rows.iter()
                    .map(|r| {
                        vec![
                            r.id.clone(),
                            r.mentions.to_string(),
                            r.first_time.clone().unwrap_or_default(),
                            r.first_line.map(|l| l.to_string()).unwrap_or_default(),
                            if r.in_metadata { "yes" } else { "" }.to_string(),
                            r.title.clone(),
                        ]
                    })
                    .collect(),
            ),
            Answer::Cooccurring(rows) => (
                vec!["CONCEPT", "KIND", "TURNS", "JACCARD"],
                rows.iter()
                    .map(|r| {
                        vec![
                            r.name.clone(),
                            r.kind.clone(),
                            r.turns.to_string(),
                            format!("{:.3}", r.jaccard),
                        ]
                    })
                    .collect(),
            ),
            Answer::Evidence(rows) => (
                vec!["EPISODE", "TIME", "LINE", "SPEAKER", "CONCEPT", "QUOTE"],
                rows.iter()
                    .map(|r| {
                        vec![
                            r.episode.clone(),
                            r.time.clone().unwrap_or_default(),
                            r.line.to_string(),
                            r.speaker.clone(),
                            r.concept.clone(),
                            highlight(&r.quote, r.highlight, color),
                        ]
                    })
                    .collect(),
            ),
            Answer::Person(p) => {
                let mut rows = Vec::new();
                for a in &p.appearances {
                    rows.push(vec![
                        "appears in".into(),
                        a.episode.clone(),
                        format!("{}, {}", a.role, count(a.turns, "turn")),
                    ]);
                }
                for (e, n) in &p.mentioned_in {
                    rows.push(vec!["mentioned in".into(), e.clone(), count(*n, "mention")]);
                }
                for c in &p.concepts {
                    rows.push(vec!["discusses".into(), c.name.clone(), count(c.mentions, "mention")]);
                }
                for s in &p.co_speakers {
                    rows.push(vec!["speaks with".into(), s.name.clone(), count(s.episodes, "episode")]);
                }
                (vec!["RELATION", "WHAT", "DETAIL"], rows)
            }
            Answer::Path(hops) => (
                vec!["STEP", "RELATION", "NODE", "ID"],
                hops.iter()
                    .enumerate()
                    .map(|(i, h)| vec![i.to_string(), h.relation.clone(), h.name.clone(), h.id.clone()])
                    .collect(),
            ),
        }
    }

    /// An aligned table; `color` highlights matches with ANSI codes.
    pub fn table(&self, color: bool) -> String {
        let (header, rows) = self.cells(color);
        crate::table::render(&header, &rows)
    }

    /// CSV with a header line (RFC 4180 quoting).
    pub fn csv(&self) -> String {
        let (header, rows) = self.cells(false);
        let mut out = String::new();
        let line = |out: &mut String, cells: Vec<String>| {
            let quoted: Vec<String> = cells.iter().map(|c| csv_field(c)).collect();
            out.push_str(&quoted.join(","));
            out.push_str("\r\n");
        };
        line(
            &mut out,
            header.iter().map(|h| h.to_lowercase().replace(' ', "_")).collect(),
        );
        for r in rows {
            line(&mut out, r);
        }
        out
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The quote with its match in bold red (on a terminal), line breaks
/// flattened so a table row stays one line.
fn highlight(quote: &str, (a, b): (usize, usize), color: bool) -> String {
    let flat = |s: &str| s.replace(['\n', '\r'], " ");
    match (color, quote.get(..a), quote.get(a..b), quote.get(b..)) {
        (true, Some(x), Some(y), Some(z)) => {
            format!("{}\u{1b}[1;31m{}\u{1b}[0m{}", flat(x), flat(y), flat(z))
        }
        _ => flat(quote),
    }
}

#[cfg(test)]
mod answer_tests {
    use super::*;

    #[test]
    fn csv_quotes_and_highlights() {
        let a = Answer::Evidence(vec![EvidenceRow {
            episode: "e1".into(),
            time: Some("01:02".into()),
            time_ms: Some(62_000),
            line: 7,
            speaker: "Ann \"A\" Lee".into(),
            concept: "Go".into(),
            quote: "We use Go, mostly.".into(),
            highlight: (7, 9),
        }]);
        let csv = a.csv();
        assert_eq!(
            csv,
            "episode,time,line,speaker,concept,quote\r\ne1,01:02,7,\"Ann \"\"A\"\" Lee\",Go,\"We use Go, mostly.\"\r\n"
        );
        assert!(a.table(true).contains("\u{1b}[1;31mGo\u{1b}[0m"));
        assert!(!a.table(false).contains('\u{1b}'));
    }
}
