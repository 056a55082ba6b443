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
//! Queries read only the graph (a saved `graph.json` or one just built),
//! never the transcripts. Results are rows that serialise to JSON and CSV
//! and render as tables; ordering is total, so answers are stable.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use petgraph::Direction;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use serde::Serialize;

use crate::dictionary::Kind;
use crate::episode::format_timestamp;
use crate::graph::{ANNOUNCER, KnowledgeGraph, MentionRecord, Node, NodeKind, Relation};
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

/// Name lookup over a graph's nodes: labels, aliases and ids, folded.
pub struct Lookup<'a> {
    kg: &'a KnowledgeGraph,
    by_key: HashMap<String, Vec<NodeIndex>>,
}

impl<'a> Lookup<'a> {
    /// Indexes every node's names.
    pub fn new(kg: &'a KnowledgeGraph) -> Lookup<'a> {
        let mut by_key: HashMap<String, Vec<NodeIndex>> = HashMap::new();
        for i in kg.graph.node_indices() {
            let n = &kg.graph[i];
            let bare_id = n.id.split_once(':').map_or(n.id.as_str(), |(_, rest)| rest);
            let mut keys: BTreeSet<String> =
                [names::key(&n.label), names::key(&n.id), names::key(bare_id)]
                    .into_iter()
                    .collect();
            for a in &n.aliases {
                keys.insert(names::key(a));
            }
            for k in keys.into_iter().filter(|k| !k.is_empty()) {
                by_key.entry(k).or_default().push(i);
            }
        }
        for v in by_key.values_mut() {
            v.sort_by(|a, b| kg.graph[*a].id.cmp(&kg.graph[*b].id));
        }
        Lookup { kg, by_key }
    }

    /// Finds the node a name means among nodes accepted by `accept`.
    /// Exact (folded) names first; then, for people, a unique given name or
    /// surname ("Hightower"); otherwise an error with suggestions.
    pub fn find(
        &self,
        query: &str,
        what: &str,
        accept: impl Fn(&Node) -> bool,
    ) -> Result<NodeIndex, NotFound> {
        let key = names::key(query);
        let g = &self.kg.graph;
        if let Some(hits) = self.by_key.get(&key) {
            if let Some(&i) = hits.iter().find(|&&i| accept(&g[i])) {
                return Ok(i);
            }
        }
        // One word of a person's name: "Hightower", "Kelsey".
        if !key.is_empty() && !key.contains(' ') {
            let words: Vec<NodeIndex> = g
                .node_indices()
                .filter(|&i| accept(&g[i]) && g[i].kind == NodeKind::Person)
                .filter(|&i| names::name_words(&g[i].label).contains(&key))
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
        let g = &self.kg.graph;
        let limit = (key.chars().count() / 3).max(2);
        let mut scored: Vec<(usize, String)> = Vec::new();
        for (k, hits) in &self.by_key {
            let Some(&i) = hits.iter().find(|&&i| accept(&g[i])) else {
                continue;
            };
            let d = if k.contains(key) || (key.len() >= 4 && key.contains(k.as_str())) {
                0
            } else {
                names::edit_distance_str(k, key)
            };
            if d <= limit {
                scored.push((d, g[i].label.clone()));
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
    /// Only this episode (node index).
    pub episode: Option<NodeIndex>,
    /// Only concepts of these kinds (empty: all).
    pub kinds: Vec<Kind>,
    /// At most this many rows (0: all).
    pub limit: usize,
}

impl Filters {
    fn kind_ok(&self, n: &Node) -> bool {
        self.kinds.is_empty() || n.concept_kind.is_some_and(|k| self.kinds.contains(&k))
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
    /// Jaccard index of the two concepts' mentions: shared turns over
    /// turns naming either (so ubiquitous concepts do not dominate).
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

fn label(kg: &KnowledgeGraph, id: &str) -> String {
    kg.node(id)
        .map_or_else(|| id.to_string(), |n| n.label.clone())
}

fn concept_kind(n: &Node) -> String {
    n.concept_kind
        .map_or_else(|| "concept".to_string(), |k| k.name().to_string())
}

fn mentions_where<'k>(
    kg: &'k KnowledgeGraph,
    f: &'k Filters,
    pred: impl Fn(&MentionRecord) -> bool + 'k,
) -> impl Iterator<Item = &'k MentionRecord> + 'k {
    let ep = f.episode.map(|e| kg.graph[e].id.as_str());
    kg.mentions
        .iter()
        .filter(move |m| ep.is_none_or(|e| m.episode == e) && pred(m))
}

/// Concepts a speaker discusses, most mentioned first.
pub fn concepts_of(kg: &KnowledgeGraph, speaker: NodeIndex, f: &Filters) -> Vec<ConceptRow> {
    let sid = kg.graph[speaker].id.as_str();
    let mut agg: BTreeMap<&str, (usize, BTreeSet<&str>)> = BTreeMap::new();
    for m in mentions_where(kg, f, |m| m.speaker == sid) {
        let e = agg.entry(&m.concept).or_default();
        e.0 += 1;
        e.1.insert(&m.episode);
    }
    let mut rows: Vec<ConceptRow> = agg
        .into_iter()
        .filter_map(|(c, (n, eps))| {
            let node = kg.node(c)?;
            f.kind_ok(node).then(|| ConceptRow {
                id: c.to_string(),
                name: node.label.clone(),
                kind: concept_kind(node),
                mentions: n,
                episodes: eps.into_iter().map(episode_id).collect(),
            })
        })
        .collect();
    rows.sort_by(|a, b| b.mentions.cmp(&a.mentions).then(a.name.cmp(&b.name)));
    f.take(rows)
}

fn episode_id(node_id: &str) -> String {
    node_id
        .strip_prefix("episode:")
        .unwrap_or(node_id)
        .to_string()
}

/// Speakers who mention a concept, most first.
pub fn speakers_of(kg: &KnowledgeGraph, concept: NodeIndex, f: &Filters) -> Vec<SpeakerRow> {
    let cid = kg.graph[concept].id.as_str();
    let mut agg: BTreeMap<&str, (usize, BTreeSet<&str>)> = BTreeMap::new();
    for m in mentions_where(kg, f, |m| m.concept == cid && m.speaker != ANNOUNCER) {
        let e = agg.entry(&m.speaker).or_default();
        e.0 += 1;
        e.1.insert(&m.episode);
    }
    let mut rows: Vec<SpeakerRow> = agg
        .into_iter()
        .map(|(s, (n, eps))| SpeakerRow {
            id: s.to_string(),
            name: label(kg, s),
            mentions: n,
            episodes: eps.into_iter().map(episode_id).collect(),
        })
        .collect();
    rows.sort_by(|a, b| b.mentions.cmp(&a.mentions).then(a.name.cmp(&b.name)));
    f.take(rows)
}

/// Episodes mentioning a concept, in the transcript or the metadata,
/// ordered by episode number (or id).
pub fn episodes_of(kg: &KnowledgeGraph, concept: NodeIndex, f: &Filters) -> Vec<EpisodeRow> {
    let g = &kg.graph;
    let mut rows: Vec<(Option<u32>, EpisodeRow)> = Vec::new();
    for e in g.edges_directed(concept, Direction::Incoming) {
        if e.weight().relation != Relation::Mentions || f.episode.is_some_and(|x| x != e.source()) {
            continue;
        }
        let ep = &g[e.source()];
        let first = kg
            .mentions
            .iter()
            .filter(|m| m.episode == ep.id && m.concept == g[concept].id)
            .min_by_key(|m| (m.time_ms.unwrap_or(u64::MAX), m.turn));
        rows.push((
            ep.number,
            EpisodeRow {
                id: episode_id(&ep.id),
                title: ep.label.clone(),
                mentions: e.weight().weight,
                first_ms: e.weight().first_ms,
                first_time: e.weight().first_ms.map(format_timestamp),
                first_line: first.map(|m| m.line),
                in_metadata: e.weight().metadata_mentions > 0,
            },
        ));
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.id.cmp(&b.1.id)));
    f.take(rows.into_iter().map(|(_, r)| r).collect())
}

/// Concepts named in the same turns as `concept`, by Jaccard index.
pub fn cooccurring(kg: &KnowledgeGraph, concept: NodeIndex, f: &Filters) -> Vec<CooccurRow> {
    let g = &kg.graph;
    // Turns naming each concept, for the Jaccard denominators.
    let mut turns: HashMap<&str, BTreeSet<(&str, usize)>> = HashMap::new();
    for m in mentions_where(kg, f, |_| true) {
        turns
            .entry(&m.concept)
            .or_default()
            .insert((&m.episode, m.turn));
    }
    let me = g[concept].id.as_str();
    let Some(mine) = turns.get(me) else {
        return Vec::new();
    };
    let mut rows: Vec<CooccurRow> = Vec::new();
    for (other, theirs) in &turns {
        if *other == me {
            continue;
        }
        let shared = mine.intersection(theirs).count();
        if shared == 0 {
            continue;
        }
        let Some(node) = kg.node(other) else { continue };
        if !f.kind_ok(node) {
            continue;
        }
        let union = mine.len() + theirs.len() - shared;
        rows.push(CooccurRow {
            id: other.to_string(),
            name: node.label.clone(),
            kind: concept_kind(node),
            turns: shared,
            jaccard: (shared as f64 / union as f64 * 1e4).round() / 1e4,
        });
    }
    rows.sort_by(|a, b| {
        b.jaccard
            .total_cmp(&a.jaccard)
            .then(b.turns.cmp(&a.turns))
            .then(a.name.cmp(&b.name))
    });
    f.take(rows)
}

/// The mentions behind an answer: by a speaker, of a concept, or both, in
/// episode and turn order.
pub fn evidence(
    kg: &KnowledgeGraph,
    speaker: Option<NodeIndex>,
    concept: Option<NodeIndex>,
    f: &Filters,
) -> Vec<EvidenceRow> {
    let sid = speaker.map(|s| kg.graph[s].id.clone());
    let cid = concept.map(|c| kg.graph[c].id.clone());
    let rows: Vec<EvidenceRow> = mentions_where(kg, f, |m| {
        sid.as_deref().is_none_or(|s| m.speaker == s)
            && cid.as_deref().is_none_or(|c| m.concept == c)
    })
    .filter(|m| kg.node(&m.concept).is_some_and(|n| f.kind_ok(n)))
    .map(|m| EvidenceRow {
        episode: episode_id(&m.episode),
        time: m.time_ms.map(format_timestamp),
        time_ms: m.time_ms,
        line: m.line,
        speaker: if m.speaker == ANNOUNCER {
            "announcer".into()
        } else {
            label(kg, &m.speaker)
        },
        concept: label(kg, &m.concept),
        quote: m.quote.clone(),
        highlight: m.quote_span,
    })
    .collect();
    f.take(rows)
}

/// A person's profile.
pub fn person(kg: &KnowledgeGraph, p: NodeIndex, f: &Filters) -> Profile {
    let g = &kg.graph;
    let mut appearances: Vec<(Option<u32>, Appearance)> = Vec::new();
    let mut my_eps: BTreeSet<NodeIndex> = BTreeSet::new();
    for e in g.edges_directed(p, Direction::Outgoing) {
        if e.weight().relation == Relation::AppearsIn {
            let ep = &g[e.target()];
            my_eps.insert(e.target());
            appearances.push((
                ep.number,
                Appearance {
                    episode: episode_id(&ep.id),
                    title: ep.label.clone(),
                    role: e.weight().role.map_or("other", |r| r.name()).to_string(),
                    turns: e.weight().weight,
                },
            ));
        }
    }
    appearances.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.episode.cmp(&b.1.episode)));
    let mut shared: BTreeMap<NodeIndex, usize> = BTreeMap::new();
    for &ep in &my_eps {
        for e in g.edges_directed(ep, Direction::Incoming) {
            if e.weight().relation == Relation::AppearsIn
                && e.source() != p
                && g[e.source()].kind == NodeKind::Person
            {
                *shared.entry(e.source()).or_default() += 1;
            }
        }
    }
    let mut co_speakers: Vec<CoSpeaker> = shared
        .into_iter()
        .map(|(i, n)| CoSpeaker {
            id: g[i].id.clone(),
            name: g[i].label.clone(),
            episodes: n,
        })
        .collect();
    co_speakers.sort_by(|a, b| b.episodes.cmp(&a.episodes).then(a.name.cmp(&b.name)));
    let mut mentioned_in: Vec<(String, usize)> = g
        .edges_directed(p, Direction::Incoming)
        .filter(|e| e.weight().relation == Relation::Mentions && e.weight().weight > 0)
        .map(|e| (episode_id(&g[e.source()].id), e.weight().weight))
        .collect();
    mentioned_in.sort();
    Profile {
        id: g[p].id.clone(),
        name: g[p].label.clone(),
        appearances: appearances.into_iter().map(|(_, a)| a).collect(),
        concepts: concepts_of(
            kg,
            p,
            &Filters {
                limit: if f.limit == 0 { 10 } else { f.limit },
                ..f.clone()
            },
        ),
        co_speakers,
        mentioned_in,
    }
}

/// The shortest chain of relations between two nodes, whatever the edge
/// directions; among equally short paths, the one through the
/// alphabetically first ids. Co-occurrence edges are left out, so that the
/// chain tells who said what where.
pub fn path(kg: &KnowledgeGraph, from: NodeIndex, to: NodeIndex) -> Option<Vec<Hop>> {
    let g = &kg.graph;
    let mut prev: HashMap<NodeIndex, (NodeIndex, Relation)> = HashMap::new();
    let mut seen: BTreeSet<NodeIndex> = [from].into_iter().collect();
    let mut queue = VecDeque::from([from]);
    while let Some(n) = queue.pop_front() {
        if n == to {
            break;
        }
        let mut next: Vec<(NodeIndex, Relation)> = g
            .edges_directed(n, Direction::Outgoing)
            .map(|e| (e.target(), e.weight().relation))
            .chain(
                g.edges_directed(n, Direction::Incoming)
                    .map(|e| (e.source(), e.weight().relation)),
            )
            .filter(|(_, r)| *r != Relation::CoOccurs)
            .collect();
        next.sort_by(|a, b| g[a.0].id.cmp(&g[b.0].id).then(a.1.cmp(&b.1)));
        for (m, r) in next {
            if seen.insert(m) {
                prev.insert(m, (n, r));
                queue.push_back(m);
            }
        }
    }
    if !seen.contains(&to) {
        return None;
    }
    let mut hops = vec![Hop {
        id: g[to].id.clone(),
        name: g[to].label.clone(),
        relation: String::new(),
    }];
    let mut cur = to;
    while let Some(&(p, r)) = prev.get(&cur) {
        hops.last_mut().expect("one hop at least").relation = r.name().to_string();
        hops.push(Hop {
            id: g[p].id.clone(),
            name: g[p].label.clone(),
            relation: String::new(),
        });
        cur = p;
    }
    hops.reverse();
    Some(hops)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::Edge;

    fn node(id: &str, label: &str, kind: NodeKind, aliases: &[&str]) -> Node {
        Node {
            id: id.into(),
            label: label.into(),
            kind,
            concept_kind: match kind {
                NodeKind::Person => Some(Kind::Person),
                NodeKind::Concept => Some(Kind::Technology),
                _ => None,
            },
            number: None,
            date: None,
            source: None,
            turns: 0,
            mentions: 0,
            episodes: 0,
            url: None,
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
        }
    }

    fn sample() -> KnowledgeGraph {
        let mut kg = KnowledgeGraph::default();
        let k = kg.ensure_node(node(
            "concept:kubernetes",
            "Kubernetes",
            NodeKind::Concept,
            &["K8s"],
        ));
        let p = kg.ensure_node(node("person:kris-nova", "Kris Nóva", NodeKind::Person, &[]));
        let e = kg.ensure_node(node("episode:1", "One", NodeKind::Episode, &[]));
        let m = kg.ensure_node(node(
            "person:mark-burgess",
            "Mark Burgess",
            NodeKind::Person,
            &[],
        ));
        kg.edge_mut(p, e, Relation::AppearsIn).weight = 3;
        kg.edge_mut(e, k, Relation::Mentions).weight = 1;
        kg.edge_mut(e, m, Relation::Mentions).weight = 1;
        let _: &mut Edge = kg.edge_mut(p, k, Relation::Discusses);
        kg
    }

    #[test]
    fn lookup_by_alias_case_and_accents() {
        let kg = sample();
        let l = Lookup::new(&kg);
        let k = l.find("k8s", "concept", is_concept).unwrap();
        assert_eq!(kg.graph[k].label, "Kubernetes");
        let p = l.find("kris nova", "speaker", is_speaker).unwrap();
        assert_eq!(kg.graph[p].label, "Kris Nóva");
        assert_eq!(
            l.find("Burgess", "person", is_speaker)
                .map(|i| kg.graph[i].id.clone()),
            Ok("person:mark-burgess".into())
        );
    }

    #[test]
    fn did_you_mean() {
        let kg = sample();
        let l = Lookup::new(&kg);
        let err = l.find("Kubernets", "concept", is_concept).unwrap_err();
        assert_eq!(err.suggestions, vec!["Kubernetes"]);
        assert!(
            err.to_string().contains("did you mean Kubernetes?"),
            "{err}"
        );
    }

    #[test]
    fn path_through_an_episode() {
        let kg = sample();
        let l = Lookup::new(&kg);
        let a = l.find("Mark Burgess", "node", any).unwrap();
        let b = l.find("Kris Nova", "node", any).unwrap();
        let hops = path(&kg, a, b).unwrap();
        let ids: Vec<&str> = hops.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(
            ids,
            vec!["person:mark-burgess", "episode:1", "person:kris-nova"]
        );
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
                    rows.push(vec![
                        "discusses".into(),
                        c.name.clone(),
                        count(c.mentions, "mention"),
                    ]);
                }
                for s in &p.co_speakers {
                    rows.push(vec![
                        "speaks with".into(),
                        s.name.clone(),
                        count(s.episodes, "episode"),
                    ]);
                }
                (vec!["RELATION", "WHAT", "DETAIL"], rows)
            }
            Answer::Path(hops) => (
                vec!["STEP", "RELATION", "NODE", "ID"],
                hops.iter()
                    .enumerate()
                    .map(|(i, h)| {
                        vec![
                            i.to_string(),
                            h.relation.clone(),
                            h.name.clone(),
                            h.id.clone(),
                        ]
                    })
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
            header
                .iter()
                .map(|h| h.to_lowercase().replace(' ', "_"))
                .collect(),
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
