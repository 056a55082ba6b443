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

/// A mention with its evidence, as stored beside the graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MentionRecord {
    /// Episode node id. Ids are shared: millions of mentions name a few
    /// thousand nodes.
    pub episode: Arc<str>,
    /// Concept or person node id.
    pub concept: Arc<str>,
    /// Speaker node id (`person:...`, `label:...`), or `announcer`.
    pub speaker: Arc<str>,
    /// Turn index in the episode.
    pub turn: usize,
    /// File line where the turn starts.
    pub line: usize,
    /// Turn start, milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_ms: Option<u64>,
    /// Byte span of the match in the turn text.
    pub span: (usize, usize),
    /// The words matched.
    pub matched: String,
    /// The sentence around it.
    pub quote: String,
    /// Byte span of the match in `quote`.
    pub quote_span: (usize, usize),
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

    /// Builds the graph of a corpus.
    pub fn build(corpus: &Corpus, dict: &Dictionary) -> KnowledgeGraph {
        Builder::new(corpus, dict, None).build()
    }

    /// Like [`build`](Self::build), moving each mention's words and quote
    /// from the corpus into the graph instead of copying them: the corpus
    /// keeps its mentions, with empty texts. For large archives, where
    /// quotes are most of the memory.
    pub fn build_moving_quotes(corpus: &mut Corpus, dict: &Dictionary) -> KnowledgeGraph {
        let texts = corpus
            .episodes
            .iter_mut()
            .map(|ep| {
                ep.mentions
                    .iter_mut()
                    .map(|m| (std::mem::take(&mut m.matched), std::mem::take(&mut m.quote)))
                    .collect()
            })
            .collect();
        Builder::new(corpus, dict, Some(texts)).build()
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
    /// Mention texts (words matched, quote) taken out of the corpus, per
    /// episode and mention; `None`: copy them from the corpus.
    texts: Option<Vec<Vec<(String, String)>>>,
    kg: KnowledgeGraph,
    /// Person id by name key, from the dictionary's person entries.
    dict_people: FastMap<String, usize>,
    /// Spellings seen per person id, with counts.
    spellings: BTreeMap<String, BTreeMap<String, usize>>,
    /// Node ids as mention records share them, by node index.
    shared_ids: Vec<Option<Arc<str>>>,
    /// Each dictionary concept's node, once made: a concept is named
    /// millions of times, its node made once.
    concept_nodes: Vec<Option<NodeIndex>>,
}

impl<'a> Builder<'a> {
    fn new(corpus: &'a Corpus, dict: &'a Dictionary, texts: Option<Vec<Vec<(String, String)>>>) -> Self {
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
            texts,
            kg: KnowledgeGraph::default(),
            dict_people,
            spellings: BTreeMap::new(),
            shared_ids: Vec::new(),
            concept_nodes: vec![None; dict.concepts.len()],
        }
    }

    /// A node's id, shared by every mention record naming the node.
    fn shared_id(&mut self, n: NodeIndex) -> Arc<str> {
        if self.shared_ids.len() <= n.index() {
            self.shared_ids.resize(n.index() + 1, None);
        }
        let graph = &self.kg.graph;
        self.shared_ids[n.index()]
            .get_or_insert_with(|| Arc::from(graph[n].id.as_str()))
            .clone()
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

    fn build(mut self) -> KnowledgeGraph {
        let corpus = self.corpus;
        self.kg
            .mentions
            .reserve_exact(corpus.episodes.iter().map(|ep| ep.mentions.len()).sum());
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
        let mut concept_episodes = EpisodeCount::default();
        let announcer: Arc<str> = Arc::from(ANNOUNCER);
        for (ei, (ep, cast)) in corpus.episodes.iter().zip(&corpus.casts).enumerate() {
            let enode = episode_nodes[ei];
            let eid = self.kg.graph[enode].id.clone();
            let shared_eid = self.shared_id(enode);
            // Speakers of this episode.
            let mut speaker_nodes: Vec<Option<NodeIndex>> = Vec::new();
            for m in &cast.members {
                let p = self.person(&m.name);
                speaker_nodes.push(Some(p));
                let e = self.kg.edge_mut(p, enode, Relation::AppearsIn);
                e.weight += m.turns;
                e.role = Some(e.role.map_or(m.role, |r| r.min(m.role)));
                self.kg.graph[p].turns += m.turns;
                concept_episodes.see(p, enode);
            }
            let mut label_nodes: BTreeMap<String, NodeIndex> = BTreeMap::new();
            for r in cast.labels.iter().filter(|r| r.voice == Voice::Unresolved) {
                let idx = self.kg.ensure_node(Node {
                    id: format!("label:{}:{}", ep.meta.id, r.label),
                    label: format!("{} (unresolved, {})", r.label, ep.meta.id),
                    kind: NodeKind::UnresolvedSpeaker,
                    turns: r.turns,
                    ..blank_node()
                });
                let e = self.kg.edge_mut(idx, enode, Relation::AppearsIn);
                e.weight += r.turns;
                e.role = Some(Role::Other);
                label_nodes.insert(r.label.clone(), idx);
            }
            let speaker_of_turn = |ti: usize| -> Option<NodeIndex> {
                match cast.turns.get(ti)? {
                    Voice::Member(m) => speaker_nodes[*m],
                    Voice::Announcer => None,
                    Voice::Unresolved => ep.turns[ti].label.as_ref().and_then(|l| label_nodes.get(l).copied()),
                }
            };
            // Mentions, person → concept, co-occurrence per turn.
            // (turn, concept) of each mention, sorted and deduplicated below:
            // the concepts of each turn, in order.
            let mut turn_concepts: Vec<(usize, NodeIndex)> = Vec::with_capacity(ep.mentions.len());
            let mut texts = self.texts.as_mut().map(|t| std::mem::take(&mut t[ei]).into_iter());
            for m in &ep.mentions {
                let (matched, quote) = match texts.as_mut().and_then(Iterator::next) {
                    Some(t) => t,
                    None => (m.matched.clone(), m.quote.clone()),
                };
                let c = self.concept(m.concept);
                let speaker = speaker_of_turn(m.turn);
                let t = &ep.turns[m.turn];
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
                if let Some(s) = speaker {
                    if s != c {
                        let e = self.kg.edge_mut(s, c, Relation::Discusses);
                        e.weight += 1;
                        if e.episodes.last() != Some(&eid) {
                            e.episodes.push(eid.clone());
                        }
                    }
                }
                turn_concepts.push((m.turn, c));
                let speaker = match speaker {
                    Some(s) => self.shared_id(s),
                    None => announcer.clone(),
                };
                let concept = self.shared_id(c);
                self.kg.mentions.push(MentionRecord {
                    episode: shared_eid.clone(),
                    concept,
                    speaker,
                    turn: m.turn,
                    line: t.line,
                    time_ms: t.start_ms,
                    span: (m.start, m.end),
                    matched,
                    quote,
                    quote_span: m.quote_span,
                });
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
            .zip(&episode_nodes)
            .map(|(e, n)| (e.meta.id.as_str(), *n))
            .collect();
        for (ep, &from) in corpus.episodes.iter().zip(&episode_nodes) {
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
