//! The knowledge graph: episodes, people and concepts, and how they link.
//!
//! [`KnowledgeGraph::build`] folds a [`Corpus`] into a petgraph
//! [`DiGraph`]. Node ids are stable strings (`episode:<id>`,
//! `person:<slug>`, `concept:<slug>`, `label:<episode>:<label>` for
//! speakers nobody could name), so exports and saved graphs can be diffed
//! and queried by id. Edges:
//!
//! | relation    | from → to          | attributes                               |
//! |-------------|--------------------|------------------------------------------|
//! | appears_in  | person → episode   | role, turns                              |
//! | discusses   | person → concept   | mentions, episodes                       |
//! | mentions    | episode → concept  | mentions, first_ms, metadata_mentions    |
//! | co_occurs   | concept → concept  | turns (shared), from lower to higher id  |
//! | related     | episode → episode  | curated                                  |
//!
//! A person is one node whether they speak, are mentioned or both: a
//! speaker's name and a dictionary person entry meet on the same id.
//! The mentions themselves, with their quotes, are kept beside the graph
//! as [`MentionRecord`]s for evidence queries.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::corpus::Corpus;
use crate::dictionary::{Dictionary, Kind};
use crate::names;
use crate::names::FastMap;
use crate::speakers::{Role, Voice};

/// What a node stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// An episode.
    Episode,
    /// A person (speaker and/or dictionary person).
    Person,
    /// A dictionary concept other than a person.
    Concept,
    /// A speaker label that could not be resolved, scoped to its episode.
    UnresolvedSpeaker,
}

/// A node's data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// Stable id.
    pub id: String,
    /// Display label.
    pub label: String,
    /// Node kind.
    pub kind: NodeKind,
    /// Concept kind (also `person` for people).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concept_kind: Option<Kind>,
    /// Episode number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u32>,
    /// Episode date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Episode source file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Episode: turns; person: turns spoken.
    #[serde(default)]
    pub turns: usize,
    /// Concept or person: times mentioned in transcripts.
    #[serde(default)]
    pub mentions: usize,
    /// Episodes the node is part of (spoken in or mentioned in).
    #[serde(default)]
    pub episodes: usize,
    /// Home page of a concept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Other spellings (dictionary aliases, speaker spellings).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

impl Node {
    /// A node with an id, a label and a kind, and nothing else yet.
    pub fn new(id: String, label: String, kind: NodeKind) -> Node {
        Node {
            id,
            label,
            kind,
            concept_kind: None,
            number: None,
            date: None,
            source: None,
            turns: 0,
            mentions: 0,
            episodes: 0,
            url: None,
            aliases: Vec::new(),
        }
    }
}

/// How two nodes are related.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// person → episode.
    AppearsIn,
    /// person → concept.
    Discusses,
    /// episode → concept.
    Mentions,
    /// concept → concept (symmetric; stored once).
    CoOccurs,
    /// episode → episode.
    Related,
}

impl Relation {
    /// The name used in exports.
    pub fn name(self) -> &'static str {
        match self {
            Relation::AppearsIn => "appears_in",
            Relation::Discusses => "discusses",
            Relation::Mentions => "mentions",
            Relation::CoOccurs => "co_occurs",
            Relation::Related => "related",
        }
    }
}

/// An edge's data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Edge {
    /// The relation.
    pub relation: Relation,
    /// Strength: turns (appears_in), mentions (discusses, mentions),
    /// shared turns (co_occurs), 1 (related).
    pub weight: usize,
    /// Role of a person in an episode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// Episodes where a person discusses a concept (ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub episodes: Vec<String>,
    /// First mention time in an episode, milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_ms: Option<u64>,
    /// Times a concept is named in an episode's metadata.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub metadata_mentions: usize,
    /// Whether a related link was curated by an editor.
    #[serde(default, skip_serializing_if = "is_false")]
    pub curated: bool,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Edge {
    fn new(relation: Relation) -> Edge {
        Edge {
            relation,
            weight: 0,
            role: None,
            episodes: Vec::new(),
            first_ms: None,
            metadata_mentions: 0,
            curated: false,
        }
    }
}

/// A mention with its evidence, as stored beside the graph. Numbers are
/// `u32`, as in [`Mention`](crate::corpus::Mention).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MentionRecord {
    /// Episode node id. Ids are shared: millions of mentions name a few
    /// thousand nodes.
    pub episode: Arc<str>,
    /// Concept or person node id.
    pub concept: Arc<str>,
    /// Speaker node id (`person:...`, `label:...`), or `announcer`.
    pub speaker: Arc<str>,
    /// Turn index in the episode.
    pub turn: u32,
    /// File line where the turn starts.
    pub line: u32,
    /// Turn start, milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_ms: Option<u64>,
    /// Byte span of the match in the turn text.
    pub span: (u32, u32),
    /// The sentence around it.
    pub quote: Quote,
    /// Byte span of the match in `quote`.
    pub quote_span: (u32, u32),
}

impl MentionRecord {
    /// The words matched: the quote's words at `quote_span`. Kept once,
    /// in the quote: millions of mentions need no string of their own.
    pub fn matched(&self) -> &str {
        self.quote
            .get(self.quote_span.0 as usize..self.quote_span.1 as usize)
            .unwrap_or("")
    }
}

/// A mention's quote: a part of a text shared with other mentions (an
/// episode's quotes, kept as one string), read as a `&str`. Millions of
/// mentions then need a few thousand strings, not one each.
#[derive(Clone)]
pub struct Quote {
    text: Arc<str>,
    /// Where the quote lies in `text`; always a range of it, at char
    /// boundaries.
    at: (u32, u32),
}

impl Quote {
    /// The quote at `at` in a shared text; `None` if `at` is not a range
    /// of `text` at char boundaries.
    pub fn shared(text: Arc<str>, at: (u32, u32)) -> Option<Quote> {
        text.get(at.0 as usize..at.1 as usize)?;
        Some(Quote { text, at })
    }

    /// The text the quote is shared from, and where it lies in it.
    pub fn shared_from(&self) -> (&Arc<str>, (u32, u32)) {
        (&self.text, self.at)
    }
}

impl std::ops::Deref for Quote {
    type Target = str;
    fn deref(&self) -> &str {
        // A range of the text at char boundaries, checked when made.
        &self.text[self.at.0 as usize..self.at.1 as usize]
    }
}

/// A quote of its own. Past 4 GiB (no quote podgraph writes comes near)
/// it is cut at a char boundary: its place is `u32`.
impl From<&str> for Quote {
    fn from(s: &str) -> Quote {
        let mut end = s.len().min(u32::MAX as usize);
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        Quote {
            text: s[..end].into(),
            at: (0, end as u32),
        }
    }
}

impl From<String> for Quote {
    fn from(s: String) -> Quote {
        Quote::from(s.as_str())
    }
}

impl std::fmt::Debug for Quote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

impl PartialEq for Quote {
    fn eq(&self, other: &Quote) -> bool {
        **self == **other
    }
}

impl Eq for Quote {}

impl PartialEq<&str> for Quote {
    fn eq(&self, other: &&str) -> bool {
        &**self == *other
    }
}

impl Serialize for Quote {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self)
    }
}

impl<'de> Deserialize<'de> for Quote {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Quote, D::Error> {
        String::deserialize(d).map(Quote::from)
    }
}

/// Written with the words matched among its fields, as files and tools
/// read it.
impl Serialize for MentionRecord {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("MentionRecord", 10)?;
        st.serialize_field("episode", &self.episode)?;
        st.serialize_field("concept", &self.concept)?;
        st.serialize_field("speaker", &self.speaker)?;
        st.serialize_field("turn", &self.turn)?;
        st.serialize_field("line", &self.line)?;
        match self.time_ms {
            Some(t) => st.serialize_field("time_ms", &t)?,
            None => st.skip_field("time_ms")?,
        }
        st.serialize_field("span", &self.span)?;
        st.serialize_field("matched", self.matched())?;
        st.serialize_field("quote", &self.quote)?;
        st.serialize_field("quote_span", &self.quote_span)?;
        st.end()
    }
}

/// Speaker id of the announcer and other stock voices in mention records.
pub const ANNOUNCER: &str = "announcer";

/// The knowledge graph.
#[derive(Debug, Clone, Default)]
pub struct KnowledgeGraph {
    /// The graph itself.
    pub graph: DiGraph<Node, Edge>,
    /// Node index by id.
    pub index: FastMap<String, NodeIndex>,
    /// Every concept mention with its evidence, in episode and turn order.
    pub mentions: Vec<MentionRecord>,
    /// Edge index by endpoints and relation.
    edges: FastMap<(NodeIndex, NodeIndex, Relation), EdgeIndex>,
}

impl KnowledgeGraph {
    /// Node by id.
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.index.get(id).map(|&i| &self.graph[i])
    }

    /// Adds a node, or returns the existing one with that id.
    pub fn ensure_node(&mut self, node: Node) -> NodeIndex {
        if let Some(&i) = self.index.get(&node.id) {
            return i;
        }
        let id = node.id.clone();
        let i = self.graph.add_node(node);
        self.index.insert(id, i);
        i
    }

    /// The edge of a relation between two nodes, created if missing.
    pub fn edge_mut(&mut self, a: NodeIndex, b: NodeIndex, relation: Relation) -> &mut Edge {
        let graph = &mut self.graph;
        let e = *self
            .edges
            .entry((a, b, relation))
            .or_insert_with(|| graph.add_edge(a, b, Edge::new(relation)));
        &mut self.graph[e]
    }

    /// Builds the graph of a corpus. The mention records share each
    /// episode's quotes with the corpus: the quotes outlive it, not
    /// copied.
    pub fn build(corpus: &Corpus, dict: &Dictionary) -> KnowledgeGraph {
        Builder::new(corpus, dict).build()
    }

    /// Nodes sorted by id, for stable output.
    pub fn sorted_nodes(&self) -> Vec<NodeIndex> {
        let mut v: Vec<NodeIndex> = self.graph.node_indices().collect();
        v.sort_by(|a, b| self.graph[*a].id.cmp(&self.graph[*b].id));
        v
    }

    /// Edges sorted by (source id, target id, relation), for stable output.
    pub fn sorted_edges(&self) -> Vec<EdgeIndex> {
        // Ranks of the nodes in id order: integers compare faster than ids.
        let mut rank = vec![0u32; self.graph.node_count()];
        for (r, n) in self.sorted_nodes().into_iter().enumerate() {
            rank[n.index()] = r as u32;
        }
        let mut v: Vec<EdgeIndex> = self.graph.edge_indices().collect();
        v.sort_by_cached_key(|e| {
            let (a, b) = self.graph.edge_endpoints(*e).expect("edge exists");
            (rank[a.index()], rank[b.index()], self.graph[*e].relation)
        });
        v
    }
}

/// Node id of an episode.
pub fn episode_node_id(id: &str) -> String {
    format!("episode:{id}")
}

struct Builder<'a> {
    corpus: &'a Corpus,
    dict: &'a Dictionary,
    kg: KnowledgeGraph,
    /// Person id by name key, from the dictionary's person entries.
    dict_people: FastMap<String, usize>,
    /// Spellings seen per person id, with counts.
    spellings: BTreeMap<String, BTreeMap<String, usize>>,
    /// Each dictionary concept's node, once made: a concept is named
    /// millions of times, its node made once.
    concept_nodes: Vec<Option<NodeIndex>>,
}

impl<'a> Builder<'a> {
    fn new(corpus: &'a Corpus, dict: &'a Dictionary) -> Self {
        let mut dict_people = FastMap::default();
        for (i, c) in dict.concepts.iter().enumerate() {
            if c.kind == Kind::Person {
                for a in &c.aliases {
                    dict_people.entry(names::person_key(a)).or_insert(i);
                }
            }
        }
        Builder {
            corpus,
            dict,
            kg: KnowledgeGraph::default(),
            dict_people,
            spellings: BTreeMap::new(),
            concept_nodes: vec![None; dict.concepts.len()],
        }
    }

    /// The node id and display name of a person by name.
    fn person(&mut self, name: &str) -> NodeIndex {
        let key = names::person_key(name);
        if let Some(&c) = self.dict_people.get(&key) {
            return self.concept(c);
        }
        let dir_name = self
            .corpus
            .directory
            .iter()
            .find(|p| names::person_key(&p.name) == key)
            .map(|p| p.name.clone());
        let id = format!("person:{}", names::slug(&key));
        *self
            .spellings
            .entry(id.clone())
            .or_default()
            .entry(name.to_string())
            .or_default() += 1;
        self.kg.ensure_node(Node {
            id,
            label: dir_name.unwrap_or_else(|| name.to_string()),
            kind: NodeKind::Person,
            concept_kind: Some(Kind::Person),
            ..blank_node()
        })
    }

    fn concept(&mut self, c: usize) -> NodeIndex {
        if let Some(&Some(n)) = self.concept_nodes.get(c) {
            return n;
        }
        let concept = &self.dict.concepts[c];
        let n = self.kg.ensure_node(Node {
            id: concept.id.clone(),
            label: concept.name.clone(),
            kind: if concept.kind == Kind::Person {
                NodeKind::Person
            } else {
                NodeKind::Concept
            },
            concept_kind: Some(concept.kind),
            url: concept.url.clone(),
            aliases: concept
                .aliases
                .iter()
                .filter(|a| **a != concept.name)
                .cloned()
                .collect(),
            ..blank_node()
        });
        if let Some(slot) = self.concept_nodes.get_mut(c) {
            *slot = Some(n);
        }
        n
    }

    /// The nodes of the episodes' speakers and of the concepts they
    /// mention, made in a stable order, and each mention's nodes.
    fn nodes(&mut self) -> (Vec<Speakers<'a>>, Vec<Planned>) {
        let corpus = self.corpus;
        let mut planned = Vec::with_capacity(corpus.episodes.iter().map(|ep| ep.mentions.len()).sum());
        let mut speakers = Vec::with_capacity(corpus.episodes.len());
        for (ei, (ep, cast)) in corpus.episodes.iter().zip(&corpus.casts).enumerate() {
            let members: Vec<NodeIndex> = cast.members.iter().map(|m| self.person(&m.name)).collect();
            let mut labels: BTreeMap<&str, NodeIndex> = BTreeMap::new();
            for r in cast.labels.iter().filter(|r| r.voice == Voice::Unresolved) {
                let idx = self.kg.ensure_node(Node {
                    id: format!("label:{}:{}", ep.meta.id, r.label),
                    label: format!("{} (unresolved, {})", r.label, ep.meta.id),
                    kind: NodeKind::UnresolvedSpeaker,
                    turns: r.turns,
                    ..blank_node()
                });
                labels.insert(&r.label, idx);
            }
            let speaker_of_turn = |ti: usize| -> Option<NodeIndex> {
                match cast.turns.get(ti)? {
                    Voice::Member(m) => members.get(*m).copied(),
                    Voice::Announcer => None,
                    Voice::Unresolved => ep.turn_label(ti).and_then(|l| labels.get(l).copied()),
                }
            };
            for (mi, m) in ep.mentions.iter().enumerate() {
                planned.push(Planned {
                    episode: ei as u32,
                    mention: mi as u32,
                    concept: self.concept(m.concept as usize),
                    speaker: speaker_of_turn(m.turn as usize),
                });
            }
            for mm in &ep.meta_mentions {
                self.concept(mm.concept);
            }
            speakers.push(Speakers { members, labels });
        }
        (speakers, planned)
    }

    /// The edges between episodes, speakers and concepts, and the counts
    /// on the nodes, once every node is made.
    fn edges(&mut self, episode_nodes: &[NodeIndex], speakers: &[Speakers], planned: &[Planned]) {
        let corpus = self.corpus;
        let mut concept_episodes = EpisodeCount::default();
        let mut planned = planned;
        for (ei, (ep, cast)) in corpus.episodes.iter().zip(&corpus.casts).enumerate() {
            let enode = episode_nodes[ei];
            let eid = self.kg.graph[enode].id.clone();
            for (m, &p) in cast.members.iter().zip(&speakers[ei].members) {
                let e = self.kg.edge_mut(p, enode, Relation::AppearsIn);
                e.weight += m.turns;
                e.role = Some(e.role.map_or(m.role, |r| r.min(m.role)));
                self.kg.graph[p].turns += m.turns;
                concept_episodes.see(p, enode);
            }
            for r in cast.labels.iter().filter(|r| r.voice == Voice::Unresolved) {
                let e = self
                    .kg
                    .edge_mut(speakers[ei].labels[r.label.as_str()], enode, Relation::AppearsIn);
                e.weight += r.turns;
                e.role = Some(Role::Other);
            }
            // Mentions, person → concept, co-occurrence per turn.
            // (turn, concept) of each mention, sorted and deduplicated below:
            // the concepts of each turn, in order.
            let mut turn_concepts: Vec<(u32, NodeIndex)> = Vec::with_capacity(ep.mentions.len());
            let (these, rest) = planned.split_at(ep.mentions.len());
            planned = rest;
            for (m, p) in ep.mentions.iter().zip(these) {
                let c = p.concept;
                let t = &ep.turns[m.turn as usize];
                self.kg.graph[c].mentions += 1;
                concept_episodes.see(c, enode);
                {
                    let e = self.kg.edge_mut(enode, c, Relation::Mentions);
                    e.weight += 1;
                    e.first_ms = match (e.first_ms, t.start_ms) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                }
                if let Some(s) = p.speaker {
                    if s != c {
                        let e = self.kg.edge_mut(s, c, Relation::Discusses);
                        e.weight += 1;
                        if e.episodes.last() != Some(&eid) {
                            e.episodes.push(eid.clone());
                        }
                    }
                }
                turn_concepts.push((m.turn, c));
            }
            turn_concepts.sort_unstable();
            turn_concepts.dedup();
            for same_turn in turn_concepts.chunk_by(|a, b| a.0 == b.0) {
                let v: Vec<NodeIndex> = same_turn.iter().map(|&(_, c)| c).collect();
                for i in 0..v.len() {
                    for j in i + 1..v.len() {
                        let (a, b) = if self.kg.graph[v[i]].id < self.kg.graph[v[j]].id {
                            (v[i], v[j])
                        } else {
                            (v[j], v[i])
                        };
                        self.kg.edge_mut(a, b, Relation::CoOccurs).weight += 1;
                    }
                }
            }
            for mm in &ep.meta_mentions {
                let c = self.concept(mm.concept);
                concept_episodes.see(c, enode);
                self.kg.edge_mut(enode, c, Relation::Mentions).metadata_mentions += 1;
            }
        }
        // Curated related links between known episodes.
        let ids: FastMap<&str, NodeIndex> = corpus
            .episodes
            .iter()
            .zip(episode_nodes)
            .map(|(e, n)| (e.meta.id.as_str(), *n))
            .collect();
        for (ep, &from) in corpus.episodes.iter().zip(episode_nodes) {
            for r in &ep.meta.related {
                if let Some(&to) = ids.get(r.as_str()) {
                    if to != from {
                        let e = self.kg.edge_mut(from, to, Relation::Related);
                        e.weight = 1;
                        e.curated = true;
                    }
                }
            }
        }
        for (node, eps) in concept_episodes.counts() {
            self.kg.graph[node].episodes = eps;
        }
    }

    fn build(mut self) -> KnowledgeGraph {
        let corpus = self.corpus;
        // Episodes first, in a stable order.
        let mut episode_nodes = Vec::with_capacity(corpus.episodes.len());
        for ep in &corpus.episodes {
            let idx = self.kg.ensure_node(Node {
                id: episode_node_id(&ep.meta.id),
                label: ep.meta.title.clone().unwrap_or_else(|| ep.meta.id.clone()),
                kind: NodeKind::Episode,
                number: ep.meta.number,
                date: ep.meta.date.clone(),
                source: Some(ep.source.display().to_string()),
                turns: ep.turns.len(),
                ..blank_node()
            });
            episode_nodes.push(idx);
        }
        let (speakers, planned) = self.nodes();
        // With every node made, the edges and the mention records are
        // independent: the records are made on the other cores meanwhile.
        let shared: Vec<Arc<str>> = self.kg.graph.node_weights().map(|n| Arc::from(n.id.as_str())).collect();
        let ((), mentions) = rayon::join(
            || self.edges(&episode_nodes, &speakers, &planned),
            || mention_records(corpus, &planned, &shared, &episode_nodes),
        );
        self.kg.mentions = mentions;
        // A person's label is the most used spelling of their name (unless
        // the people directory gives one); the others become aliases.
        let directory: BTreeSet<String> = corpus.directory.iter().map(|p| p.name.clone()).collect();
        for (id, spellings) in std::mem::take(&mut self.spellings) {
            if let Some(&i) = self.kg.index.get(&id) {
                let node = &mut self.kg.graph[i];
                if !directory.contains(&node.label) {
                    let best = spellings.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)));
                    if let Some((name, _)) = best {
                        node.label = name.clone();
                    }
                }
                let label = node.label.clone();
                for s in spellings.keys() {
                    if *s != label && !node.aliases.contains(s) {
                        node.aliases.push(s.clone());
                    }
                }
                node.aliases.sort();
            }
        }
        self.kg
    }
}

/// The speaker nodes of an episode.
struct Speakers<'a> {
    /// By member of its cast.
    members: Vec<NodeIndex>,
    /// By unresolved label.
    labels: BTreeMap<&'a str, NodeIndex>,
}

/// The mention records, in corpus order, made on every core: millions of
/// them, each sharing its nodes' ids (`shared`, by node index) and its
/// episode's quotes.
fn mention_records(
    corpus: &Corpus,
    planned: &[Planned],
    shared: &[Arc<str>],
    episode_nodes: &[NodeIndex],
) -> Vec<MentionRecord> {
    let announcer: Arc<str> = Arc::from(ANNOUNCER);
    let record = |p: &Planned| {
        let ep = &corpus.episodes[p.episode as usize];
        let m = &ep.mentions[p.mention as usize];
        let t = &ep.turns[m.turn as usize];
        MentionRecord {
            episode: shared[episode_nodes[p.episode as usize].index()].clone(),
            concept: shared[p.concept.index()].clone(),
            speaker: p
                .speaker
                .map_or_else(|| announcer.clone(), |s| shared[s.index()].clone()),
            turn: m.turn,
            // Within a file: small enough (see `Mention`).
            line: t.line as u32,
            time_ms: t.start_ms,
            span: (m.start, m.end),
            quote: ep.quote(m),
            quote_span: m.quote_span,
        }
    };
    let mut out = Vec::new();
    planned.par_iter().map(record).collect_into_vec(&mut out);
    out
}

/// A mention's place in the corpus and its nodes: what its record is made
/// from. One per mention: indices are `u32`, as in
/// [`Mention`](crate::corpus::Mention).
struct Planned {
    episode: u32,
    mention: u32,
    concept: NodeIndex,
    /// `None`: the announcer.
    speaker: Option<NodeIndex>,
}

/// The number of distinct episodes each node is seen in, for episodes
/// seen one after the other (each node's count grows when its episode
/// changes): a vector by node index instead of a set per node.
#[derive(Default)]
struct EpisodeCount {
    /// Per node index: the last episode it was seen in, and the count.
    seen: Vec<Option<(NodeIndex, usize)>>,
}

impl EpisodeCount {
    fn see(&mut self, node: NodeIndex, episode: NodeIndex) {
        if self.seen.len() <= node.index() {
            self.seen.resize(node.index() + 1, None);
        }
        match &mut self.seen[node.index()] {
            Some((last, n)) if *last != episode => {
                *last = episode;
                *n += 1;
            }
            Some(_) => {}
            slot @ None => *slot = Some((episode, 1)),
        }
    }

    fn counts(&self) -> impl Iterator<Item = (NodeIndex, usize)> + '_ {
        self.seen
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.map(|(_, n)| (NodeIndex::new(i), n)))
    }
}

fn blank_node() -> Node {
    Node::new(String::new(), String::new(), NodeKind::Concept)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::{self, NoProgress, Options};
    use crate::diagnostics::Diagnostics;
    use crate::tagger::Tagger;

    /// A quote is a range of a shared text at char boundaries, or none;
    /// it compares, prints and serialises as the words it holds.
    #[test]
    fn quotes_are_ranges_of_a_shared_text() {
        let text: Arc<str> = Arc::from("Ünïcode here. Kubernetes there.");
        let q = Quote::shared(text.clone(), (16, 33)).unwrap();
        assert_eq!(q, "Kubernetes there.");
        assert_eq!(q, Quote::from("Kubernetes there."));
        assert_eq!(format!("{q:?}"), "\"Kubernetes there.\"");
        assert_eq!(serde_json::to_string(&q).unwrap(), "\"Kubernetes there.\"");
        let back: Quote = serde_json::from_str("\"Kubernetes there.\"").unwrap();
        assert_eq!(back, q);
        assert!(Quote::shared(text.clone(), (1, 4)).is_none(), "inside a char");
        assert!(Quote::shared(text.clone(), (20, 40)).is_none(), "past the end");
        assert!(Quote::shared(text, (9, 2)).is_none(), "backwards");
    }

    /// Each mention record's quote is the sentence around its match in the
    /// turn's text, as [`tagger::snippet`](crate::tagger::snippet) cuts it,
    /// with the words matched at its span; the records share their
    /// episode's quotes (one string per episode, a sentence naming two
    /// concepts kept once) and outlive the corpus.
    #[test]
    fn mention_records_share_their_episodes_quotes() {
        let mut diags = Diagnostics::default();
        let dict = Dictionary::load_default(&[], true, &mut diags).unwrap();
        let tagger = Tagger::new(&dict).unwrap();
        let opts = Options {
            inputs: vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample")],
            people: Vec::new(),
            format: None,
        };
        let corpus = corpus::load(&opts, &tagger, &NoProgress).unwrap();
        let kept: usize = corpus.episodes.iter().map(|ep| ep.quotes.len()).sum();
        // Each episode's turn texts, read again from its file, once.
        let texts: BTreeMap<String, Vec<String>> = corpus
            .episodes
            .iter()
            .map(|ep| {
                let parsed = crate::transcript::read_file(&ep.source, None, None).unwrap();
                let crate::transcript::Parsed::Episode(read) = parsed.parsed else {
                    panic!("{} is an episode", ep.source.display())
                };
                let turns = read.turns.into_iter().map(|t| t.text).collect();
                (episode_node_id(&ep.meta.id), turns)
            })
            .collect();
        let kg = KnowledgeGraph::build(&corpus, &dict);
        drop(corpus);
        assert!(kg.mentions.len() > 10);
        assert!(kg.mentions.iter().any(|m| *m.speaker != *ANNOUNCER));
        let quoted: usize = kg.mentions.iter().map(|m| m.quote.len()).sum();
        assert!(
            kept < quoted,
            "no sentence shared: {kept} bytes kept for {quoted} quoted"
        );
        for m in &kg.mentions {
            let text = &texts[&*m.episode][m.turn as usize];
            let (start, end) = (m.span.0 as usize, m.span.1 as usize);
            let (quote, a, b) = crate::tagger::snippet(text, start, end, corpus::QUOTE_BYTES);
            assert_eq!((&*m.quote, m.quote_span), (quote.as_str(), (a as u32, b as u32)));
            assert_eq!(m.matched(), &text[start..end]);
        }
    }
}
