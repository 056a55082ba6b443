//! Topic maps: readable views of the knowledge graph, clustered and drawn.
//!
//! A [`TopicMap`] is built from the graph for one [`View`]:
//!
//! - the whole show: the most mentioned concepts, sized by mentions,
//!   linked by their strongest co-occurrences;
//! - one episode: its speakers and the concepts each discussed;
//! - one person: the concepts they discuss across episodes;
//! - one concept: the people who discuss it, the episodes that mention it
//!   and the concepts named with it.
//!
//! Co-occurrence is weighted by normalised pointwise mutual information
//! over turns, `npmi(a, b) = ln(p(a,b) / (p(a) p(b))) / -ln p(a,b)`, which
//! is 0 for concepts that meet as often as chance says and 1 for concepts
//! always named together: unlike raw counts it does not put the concepts
//! named everywhere first, and unlike plain PMI it is bounded, so one
//! threshold fits every corpus. Pairs sharing fewer than
//! [`MIN_SHARED_TURNS`] turns are left out (PMI overrates rare pairs), and
//! each concept keeps only its strongest links.
//!
//! Concepts are clustered with Louvain ([`crate::community`]) on those
//! links, deterministically; each cluster is named by its most mentioned
//! concepts and given a colour. The map renders as DOT ([`dot`]), through
//! Graphviz to SVG, PNG or PDF, as a self-contained HTML page
//! ([`html`]), and exports as JSON, GraphML and Cytoscape.js JSON
//! ([`exports`]).

pub mod dot;
pub mod exports;
pub mod html;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use petgraph::Direction;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use serde::Serialize;

use crate::community;
use crate::dictionary::Kind;
use crate::episode::format_timestamp;
use crate::graph::{ANNOUNCER, KnowledgeGraph, MentionRecord, Node, NodeKind, Relation};

/// By default, co-occurring pairs sharing fewer turns than this are not
/// linked (`Options::min_shared`).
pub const MIN_SHARED_TURNS: usize = 2;

/// Quotes kept per node for the HTML view.
pub const EVIDENCE_PER_NODE: usize = 12;

/// In an episode's map, concepts linked to each speaker.
pub const SPEAKER_LINKS: usize = 8;

/// Colours for clusters (Tableau 10, readable on white and for most
/// colour-blind readers); further clusters reuse them in order.
pub const PALETTE: &[&str] = &[
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
];

/// Colour of nodes in no cluster (alone, or not concepts).
pub const UNCLUSTERED: &str = "#e8e8e8";

/// What part of the graph to draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    /// The whole show.
    Show,
    /// One episode (node id).
    Episode(String),
    /// One person (node id).
    Person(String),
    /// One concept (node id).
    Concept(String),
}

impl View {
    /// A short name for file names and titles.
    pub fn slug(&self) -> String {
        match self {
            View::Show => "show".into(),
            View::Episode(id) | View::Person(id) | View::Concept(id) => crate::names::slug(id),
        }
    }
}

/// How much to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// The view.
    pub view: View,
    /// Most concepts (or neighbours) drawn; 0 for all.
    pub top: usize,
    /// Weakest co-occurrence link drawn (NPMI, -1 to 1).
    pub min_weight: f64,
    /// Strongest links kept per concept.
    pub links_per_node: usize,
    /// Fewest shared turns for a co-occurrence link.
    pub min_shared: usize,
    /// Concept kinds drawn (empty: all).
    pub kinds: Vec<Kind>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            view: View::Show,
            top: 40,
            min_weight: 0.1,
            links_per_node: 4,
            min_shared: MIN_SHARED_TURNS,
            kinds: Vec::new(),
        }
    }
}

/// A node of a map.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapNode {
    /// Graph node id.
    pub id: String,
    /// Id of its element in the drawing (`n0`, `n1`...).
    pub svg_id: String,
    /// Label.
    pub label: String,
    /// Node kind (`episode`, `person`, `concept`, `unresolved_speaker`).
    pub kind: NodeKind,
    /// Concept kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concept_kind: Option<Kind>,
    /// Cluster number, for concepts in a cluster.
    pub cluster: Option<usize>,
    /// Mentions (in the view's scope).
    pub mentions: usize,
    /// Episodes (in the graph).
    pub episodes: usize,
    /// Relative size, 0 to 1 (by mentions).
    pub size: f64,
    /// Text shown on hover.
    pub tooltip: String,
    /// Whether the node is the one the view is about.
    pub focus: bool,
}

/// An edge of a map.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapEdge {
    /// Id of its element in the drawing (`e0`, `e1`...).
    pub svg_id: String,
    /// Source node id.
    pub source: String,
    /// Target node id.
    pub target: String,
    /// `co_occurs` (weight: NPMI), `discusses`, `appears_in`, `mentions`
    /// (weight: count).
    pub relation: String,
    /// Weight.
    pub weight: f64,
    /// Shared turns, for co-occurrence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub turns: Option<usize>,
}

/// A topic cluster.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cluster {
    /// Number.
    pub id: usize,
    /// Named by its most mentioned concepts.
    pub name: String,
    /// Fill colour.
    pub color: String,
    /// Member node ids.
    pub members: Vec<String>,
}

/// A quote for a node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quote {
    /// Episode id.
    pub episode: String,
    /// Time in the episode.
    pub time: Option<String>,
    /// Line in the file.
    pub line: usize,
    /// Speaker name.
    pub speaker: String,
    /// The sentence.
    pub quote: String,
    /// Byte span of the mention in it.
    pub highlight: (usize, usize),
}

/// A topic map, ready to draw or export.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicMap {
    /// Title.
    pub title: String,
    /// Nodes, in drawing order.
    pub nodes: Vec<MapNode>,
    /// Edges.
    pub edges: Vec<MapEdge>,
    /// Clusters, largest first.
    pub clusters: Vec<Cluster>,
    /// Quotes per node id, for the HTML view.
    pub evidence: BTreeMap<String, Vec<Quote>>,
}

/// Per-concept statistics of the whole graph.
struct Stats<'a> {
    kg: &'a KnowledgeGraph,
    /// Turns naming each concept.
    turns: HashMap<&'a str, usize>,
    /// All turns.
    total_turns: usize,
    /// Mentions per (concept, speaker).
    by_speaker: HashMap<&'a str, BTreeMap<&'a str, usize>>,
    /// Mentions by people (the announcer left out).
    spoken: HashMap<&'a str, usize>,
}

impl<'a> Stats<'a> {
    fn new(kg: &'a KnowledgeGraph) -> Self {
        let mut turn_sets: HashMap<&str, BTreeSet<(&str, u32)>> = HashMap::new();
        let mut by_speaker: HashMap<&str, BTreeMap<&str, usize>> = HashMap::new();
        let mut spoken: HashMap<&str, usize> = HashMap::new();
        for m in &kg.mentions {
            turn_sets.entry(&m.concept).or_default().insert((&m.episode, m.turn));
            // The announcer's stock lines ("find us on Twitter") are not
            // what a show talks about.
            if *m.speaker != *ANNOUNCER {
                *by_speaker.entry(&m.concept).or_default().entry(&m.speaker).or_default() += 1;
                *spoken.entry(&m.concept).or_default() += 1;
            }
        }
        let total_turns = kg
            .graph
            .node_weights()
            .filter(|n| n.kind == NodeKind::Episode)
            .map(|n| n.turns)
            .sum::<usize>()
            .max(1);
        Stats {
            kg,
            turns: turn_sets.into_iter().map(|(k, v)| (k, v.len())).collect(),
            total_turns,
            by_speaker,
            spoken,
        }
    }

    /// Normalised PMI of two concepts sharing `shared` turns.
    fn npmi(&self, a: &str, b: &str, shared: usize) -> f64 {
        let t = self.total_turns as f64;
        let (na, nb) = (
            self.turns.get(a).copied().unwrap_or(0),
            self.turns.get(b).copied().unwrap_or(0),
        );
        if shared == 0 || na == 0 || nb == 0 {
            return -1.0;
        }
        let pab = shared as f64 / t;
        if pab >= 1.0 {
            return 1.0;
        }
        let pmi = (pab / ((na as f64 / t) * (nb as f64 / t))).ln();
        (pmi / -pab.ln()).clamp(-1.0, 1.0)
    }

    /// "Prometheus (technology): 42 mentions in 5 episodes; most by A (20), B (7)".
    fn tooltip(&self, n: &Node, mentions: usize) -> String {
        let mut t = match n.kind {
            NodeKind::Episode => format!(
                "{} ({}): {} turns",
                n.label,
                n.id.trim_start_matches("episode:"),
                n.turns
            ),
            _ => {
                let kind = n.concept_kind.map_or("speaker", |k| k.name());
                format!("{} ({kind}): {} mentions in {} episodes", n.label, mentions, n.episodes)
            }
        };
        if let Some(sp) = self.by_speaker.get(n.id.as_str()) {
            let mut top: Vec<(&&str, &usize)> = sp.iter().collect();
            top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let names: Vec<String> = top
                .iter()
                .take(3)
                .map(|(s, c)| format!("{} ({c})", self.kg.node(s).map_or(**s, |n| n.label.as_str())))
                .collect();
            if !names.is_empty() {
                t.push_str(&format!("; most by {}", names.join(", ")));
            }
        }
        t
    }
}

/// Builds a map of a graph. The view's node must exist (checked by the
/// caller's name lookup).
pub fn build(kg: &KnowledgeGraph, opts: &Options) -> TopicMap {
    let stats = Stats::new(kg);
    let mut b = MapBuilder {
        kg,
        stats: &stats,
        opts,
        nodes: Vec::new(),
        index: HashMap::new(),
        edges: Vec::new(),
        hidden: Vec::new(),
    };
    let title = match &opts.view {
        View::Show => {
            b.show();
            "Topic map: the whole show".to_string()
        }
        View::Episode(id) => {
            b.episode(id);
            format!("Episode: {}", label(kg, id))
        }
        View::Person(id) => {
            b.person(id);
            format!("Person: {}", label(kg, id))
        }
        View::Concept(id) => {
            b.concept(id);
            format!("Concept: {}", label(kg, id))
        }
    };
    b.finish(title)
}

fn label(kg: &KnowledgeGraph, id: &str) -> String {
    kg.node(id).map_or_else(|| id.to_string(), |n| n.label.clone())
}

struct MapBuilder<'a> {
    kg: &'a KnowledgeGraph,
    stats: &'a Stats<'a>,
    opts: &'a Options,
    /// (graph node, mentions in scope).
    nodes: Vec<(NodeIndex, usize)>,
    index: HashMap<NodeIndex, usize>,
    /// (from, to, relation, weight, shared turns).
    edges: Vec<(NodeIndex, NodeIndex, Relation, f64, Option<usize>)>,
    /// Co-occurrence links used for clustering but not drawn.
    hidden: Vec<(NodeIndex, NodeIndex, Relation, f64, Option<usize>)>,
}

impl<'a> MapBuilder<'a> {
    fn kind_ok(&self, n: &Node) -> bool {
        matches!(n.kind, NodeKind::Concept | NodeKind::Person)
            && (self.opts.kinds.is_empty() || n.concept_kind.is_some_and(|k| self.opts.kinds.contains(&k)))
    }

    fn add(&mut self, n: NodeIndex, mentions: usize) {
        if !self.index.contains_key(&n) {
            self.index.insert(n, self.nodes.len());
            self.nodes.push((n, mentions));
        }
    }

    fn top<T>(&self, mut v: Vec<T>) -> Vec<T> {
        if self.opts.top > 0 {
            v.truncate(self.opts.top);
        }
        v
    }

    /// Co-occurrence links among the concepts in the map: enough shared
    /// turns and NPMI above the threshold, each concept's strongest few;
    /// a concept with no such link keeps its one strongest positive link,
    /// so that no concept floats alone when it does co-occur.
    fn cooccurrence_links(&mut self) {
        let links = self.strongest_links();
        self.edges.extend(links);
    }

    fn strongest_links(&self) -> Vec<(NodeIndex, NodeIndex, Relation, f64, Option<usize>)> {
        let g = &self.kg.graph;
        let mut candidates: Vec<(NodeIndex, NodeIndex, f64, usize)> = Vec::new();
        for &(n, _) in &self.nodes {
            for e in g.edges_directed(n, Direction::Outgoing) {
                if e.weight().relation != Relation::CoOccurs || !self.index.contains_key(&e.target()) {
                    continue;
                }
                let shared = e.weight().weight;
                if shared < self.opts.min_shared.max(1) {
                    continue;
                }
                let w = self.stats.npmi(&g[n].id, &g[e.target()].id, shared);
                if w > 0.0 {
                    candidates.push((n, e.target(), w, shared));
                }
            }
        }
        // Keep an edge if it is among the strongest of either end.
        let mut per_node: HashMap<NodeIndex, Vec<(f64, usize)>> = HashMap::new();
        for (i, &(a, b, w, _)) in candidates.iter().enumerate() {
            per_node.entry(a).or_default().push((w, i));
            per_node.entry(b).or_default().push((w, i));
        }
        let mut keep: BTreeSet<usize> = BTreeSet::new();
        for list in per_node.values_mut() {
            list.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
            let strong: Vec<usize> = list
                .iter()
                .filter(|(w, _)| *w >= self.opts.min_weight)
                .take(self.opts.links_per_node.max(1))
                .map(|&(_, i)| i)
                .collect();
            match (strong.is_empty(), list.first()) {
                (true, Some(&(_, best))) => {
                    keep.insert(best);
                }
                _ => keep.extend(strong),
            }
        }
        keep.into_iter()
            .map(|i| {
                let (a, b, w, shared) = candidates[i];
                (a, b, Relation::CoOccurs, w, Some(shared))
            })
            .collect()
    }

    fn show(&mut self) {
        let g = &self.kg.graph;
        let mut concepts: Vec<(NodeIndex, usize)> = g
            .node_indices()
            .filter(|&n| self.kind_ok(&g[n]))
            .map(|n| (n, self.stats.spoken.get(g[n].id.as_str()).copied().unwrap_or(0)))
            .filter(|&(_, m)| m > 0)
            .collect();
        concepts.sort_by(|a, b| b.1.cmp(&a.1).then(g[a.0].id.cmp(&g[b.0].id)));
        for (n, m) in self.top(concepts) {
            self.add(n, m);
        }
        self.cooccurrence_links();
    }

    fn mentions_in(&self, pred: impl Fn(&MentionRecord) -> bool) -> BTreeMap<&'a str, usize> {
        let mut out: BTreeMap<&str, usize> = BTreeMap::new();
        for m in &self.kg.mentions {
            if pred(m) {
                *out.entry(&m.concept).or_default() += 1;
            }
        }
        out
    }

    fn ranked(&self, counts: BTreeMap<&str, usize>) -> Vec<(NodeIndex, usize)> {
        let g = &self.kg.graph;
        let mut v: Vec<(NodeIndex, usize)> = counts
            .into_iter()
            .filter_map(|(id, c)| self.kg.index.get(id).map(|&n| (n, c)))
            .filter(|(n, _)| self.kind_ok(&g[*n]))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(g[a.0].id.cmp(&g[b.0].id)));
        self.top(v)
    }

    fn episode(&mut self, id: &str) {
        let g = &self.kg.graph;
        let Some(&ep) = self.kg.index.get(id) else {
            return;
        };
        self.add(ep, 0);
        let counts = self.mentions_in(|m| *m.episode == *id && *m.speaker != *ANNOUNCER);
        let concepts = self.ranked(counts);
        let chosen: BTreeSet<NodeIndex> = concepts.iter().map(|(n, _)| *n).collect();
        for &(n, c) in &concepts {
            self.add(n, c);
        }
        // Speakers, and the concepts each discussed here.
        let mut speakers: Vec<(NodeIndex, usize)> = g
            .edges_directed(ep, Direction::Incoming)
            .filter(|e| e.weight().relation == Relation::AppearsIn)
            .map(|e| (e.source(), e.weight().weight))
            .collect();
        speakers.sort_by(|a, b| b.1.cmp(&a.1).then(g[a.0].id.cmp(&g[b.0].id)));
        // Who mentions each concept most here: every concept is linked at
        // least to them.
        let mut main_speaker: HashMap<NodeIndex, (NodeIndex, usize)> = HashMap::new();
        for &(s, _) in &speakers {
            let sid = g[s].id.as_str();
            for (c, n) in self.mentions_in(|m| *m.episode == *id && *m.speaker == *sid) {
                if let Some(&cn) = self.kg.index.get(c) {
                    let e = main_speaker.entry(cn).or_insert((s, n));
                    if n > e.1 {
                        *e = (s, n);
                    }
                }
            }
        }
        for &(s, turns) in &speakers {
            self.add(s, 0);
            self.edges.push((s, ep, Relation::AppearsIn, turns as f64, None));
            let sid = g[s].id.as_str();
            let mut theirs: Vec<(NodeIndex, usize)> = self
                .mentions_in(|m| *m.episode == *id && *m.speaker == *sid)
                .into_iter()
                .filter_map(|(c, n)| self.kg.index.get(c).map(|&cn| (cn, n)))
                .filter(|(cn, _)| chosen.contains(cn) && *cn != s)
                .collect();
            // Each speaker's own top concepts: the picture of who drove
            // which topic, without an edge for every passing mention.
            theirs.sort_by(|a, b| b.1.cmp(&a.1).then(g[a.0].id.cmp(&g[b.0].id)));
            for (i, (cn, n)) in theirs.into_iter().enumerate() {
                let top_speaker = main_speaker.get(&cn).is_none_or(|&(best, _)| best == s);
                if i < SPEAKER_LINKS || top_speaker {
                    self.edges.push((s, cn, Relation::Discusses, n as f64, None));
                }
            }
        }
        // Clusters still come from co-occurrence, but those links are not
        // drawn here: the picture is about speakers.
        self.hidden = self.strongest_links();
    }

    fn person(&mut self, id: &str) {
        let Some(&p) = self.kg.index.get(id) else {
            return;
        };
        self.add(p, 0);
        let counts = self.mentions_in(|m| *m.speaker == *id);
        for (n, c) in self.ranked(counts) {
            if n != p {
                self.add(n, c);
                self.edges.push((p, n, Relation::Discusses, c as f64, None));
            }
        }
        self.cooccurrence_links();
    }

    fn concept(&mut self, id: &str) {
        let g = &self.kg.graph;
        let Some(&c) = self.kg.index.get(id) else {
            return;
        };
        self.add(c, g[c].mentions);
        let per = if self.opts.top == 0 {
            usize::MAX
        } else {
            (self.opts.top / 3).max(3)
        };
        // People who discuss it.
        if let Some(sp) = self.stats.by_speaker.get(id) {
            let mut v: Vec<(&&str, &usize)> = sp.iter().collect();
            v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            for (s, n) in v.into_iter().take(per) {
                if let Some(&sn) = self.kg.index.get(*s) {
                    if sn != c {
                        self.add(sn, 0);
                        self.edges.push((sn, c, Relation::Discusses, *n as f64, None));
                    }
                }
            }
        }
        // Episodes that mention it.
        let mut eps: Vec<(NodeIndex, usize)> = g
            .edges_directed(c, Direction::Incoming)
            .filter(|e| e.weight().relation == Relation::Mentions && e.weight().weight > 0)
            .map(|e| (e.source(), e.weight().weight))
            .collect();
        eps.sort_by(|a, b| b.1.cmp(&a.1).then(g[a.0].id.cmp(&g[b.0].id)));
        for (e, n) in eps.into_iter().take(per) {
            self.add(e, 0);
            self.edges.push((e, c, Relation::Mentions, n as f64, None));
        }
        // Concepts named with it, by NPMI.
        let mut co: Vec<(NodeIndex, f64, usize)> = g
            .edges_directed(c, Direction::Outgoing)
            .chain(g.edges_directed(c, Direction::Incoming))
            .filter(|e| e.weight().relation == Relation::CoOccurs && e.weight().weight >= self.opts.min_shared.max(1))
            .map(|e| {
                let other = if e.source() == c { e.target() } else { e.source() };
                (
                    other,
                    self.stats.npmi(id, &g[other].id, e.weight().weight),
                    e.weight().weight,
                )
            })
            .filter(|(o, w, _)| *w >= self.opts.min_weight && self.kind_ok(&g[*o]))
            .collect();
        co.sort_by(|a, b| b.1.total_cmp(&a.1).then(g[a.0].id.cmp(&g[b.0].id)));
        for (o, w, shared) in co.into_iter().take(per) {
            self.add(o, g[o].mentions);
            self.edges.push((c, o, Relation::CoOccurs, w, Some(shared)));
        }
    }

    fn finish(self, title: String) -> TopicMap {
        let g = &self.kg.graph;
        // Clusters: Louvain over the co-occurrence links between concepts.
        let concept_nodes: Vec<usize> = (0..self.nodes.len())
            .filter(|&i| matches!(g[self.nodes[i].0].kind, NodeKind::Concept | NodeKind::Person) && self.nodes[i].1 > 0)
            .collect();
        let local: HashMap<usize, usize> = concept_nodes.iter().enumerate().map(|(l, &i)| (i, l)).collect();
        let mut cedges: Vec<(usize, usize, f64)> = Vec::new();
        for &(a, b, r, w, _) in self.edges.iter().chain(&self.hidden) {
            if r == Relation::CoOccurs {
                if let (Some(&la), Some(&lb)) = (local.get(&self.index[&a]), local.get(&self.index[&b])) {
                    cedges.push((la, lb, w.max(1e-6)));
                }
            }
        }
        let membership = community::louvain(concept_nodes.len(), &cedges);
        let mut members: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (l, &c) in membership.iter().enumerate() {
            members.entry(c).or_default().push(concept_nodes[l]);
        }
        // Clusters of one are not worth a colour.
        let mut clusters: Vec<Cluster> = Vec::new();
        let mut cluster_of: HashMap<usize, usize> = HashMap::new();
        for list in members.values().filter(|l| l.len() > 1) {
            let id = clusters.len();
            let mut by_mentions = list.clone();
            by_mentions.sort_by(|a, b| self.nodes[*b].1.cmp(&self.nodes[*a].1).then(a.cmp(b)));
            let name: Vec<&str> = by_mentions
                .iter()
                .take(3)
                .map(|&i| g[self.nodes[i].0].label.as_str())
                .collect();
            for &i in list {
                cluster_of.insert(i, id);
            }
            clusters.push(Cluster {
                id,
                name: name.join(" · "),
                color: PALETTE[id % PALETTE.len()].to_string(),
                members: by_mentions.iter().map(|&i| g[self.nodes[i].0].id.clone()).collect(),
            });
        }
        let max_m = self.nodes.iter().map(|n| n.1).max().unwrap_or(0).max(1) as f64;
        let nodes: Vec<MapNode> = self
            .nodes
            .iter()
            .enumerate()
            .map(|(i, &(n, m))| {
                let node = &g[n];
                MapNode {
                    id: node.id.clone(),
                    svg_id: format!("n{i}"),
                    label: node.label.clone(),
                    kind: node.kind,
                    concept_kind: node.concept_kind,
                    cluster: cluster_of.get(&i).copied(),
                    mentions: m,
                    episodes: node.episodes,
                    size: ((m as f64).sqrt() / max_m.sqrt() * 1000.0).round() / 1000.0,
                    tooltip: self.stats.tooltip(node, if m > 0 { m } else { node.mentions }),
                    focus: match &self.opts.view {
                        View::Show => false,
                        View::Episode(id) | View::Person(id) | View::Concept(id) => node.id == *id,
                    },
                }
            })
            .collect();
        let edges: Vec<MapEdge> = self
            .edges
            .iter()
            .enumerate()
            .map(|(i, &(a, b, r, w, shared))| MapEdge {
                svg_id: format!("e{i}"),
                source: g[a].id.clone(),
                target: g[b].id.clone(),
                relation: r.name().to_string(),
                weight: (w * 1000.0).round() / 1000.0,
                turns: shared,
            })
            .collect();
        let evidence = self.evidence(&nodes);
        TopicMap {
            title,
            nodes,
            edges,
            clusters,
            evidence,
        }
    }

    /// The first quotes of each concept or person in the map (for a view
    /// of one episode or person, from that scope).
    fn evidence(&self, nodes: &[MapNode]) -> BTreeMap<String, Vec<Quote>> {
        let wanted: BTreeSet<&str> = nodes.iter().map(|n| n.id.as_str()).collect();
        let scope = |m: &MentionRecord| match &self.opts.view {
            View::Episode(id) => *m.episode == **id,
            View::Person(id) => *m.speaker == **id,
            _ => true,
        };
        let mut out: BTreeMap<String, Vec<Quote>> = BTreeMap::new();
        for m in &self.kg.mentions {
            if !wanted.contains(&*m.concept) || !scope(m) {
                continue;
            }
            let list = out.entry(m.concept.to_string()).or_default();
            if list.len() < EVIDENCE_PER_NODE {
                list.push(Quote {
                    episode: m.episode.trim_start_matches("episode:").to_string(),
                    time: m.time_ms.map(format_timestamp),
                    line: m.line as usize,
                    speaker: if *m.speaker == *ANNOUNCER {
                        "announcer".into()
                    } else {
                        label(self.kg, &m.speaker)
                    },
                    quote: m.quote.to_string(),
                    highlight: (m.quote_span.0 as usize, m.quote_span.1 as usize),
                });
            }
        }
        out
    }
}

/// Everything `--render` accepts.
pub const RENDERS: &[&str] = &["dot", "svg", "png", "pdf", "html", "json", "graphml", "cytoscape"];

/// The file extension of a render.
pub fn extension(render: &str) -> &'static str {
    match render {
        "dot" => "dot",
        "svg" => "svg",
        "png" => "png",
        "pdf" => "pdf",
        "html" => "html",
        "graphml" => "graphml",
        "cytoscape" => "cytoscape.json",
        _ => "json",
    }
}

/// The bytes of one render of a map.
pub fn render(map: &TopicMap, what: &str) -> crate::Result<Vec<u8>> {
    Ok(match what {
        "dot" => dot::to_dot(map).into_bytes(),
        "svg" | "png" | "pdf" => dot::render(&dot::to_dot(map), dot::ENGINE, what)?,
        "html" => html::to_html(map)?.into_bytes(),
        "json" => exports::to_json(map).into_bytes(),
        "graphml" => exports::to_graphml(map).into_bytes(),
        "cytoscape" => exports::to_cytoscape(map).into_bytes(),
        other => {
            return Err(crate::Error::Usage(format!(
                "unknown render `{other}` (known: {})",
                RENDERS.join(", ")
            )));
        }
    })
}

/// Writes each render of a map, atomically. `out` is the file to write
/// when there is one render and `out` has an extension; otherwise a folder
/// that receives `<name>.<extension>` for each render.
pub fn write(
    map: &TopicMap,
    renders: &[String],
    out: &std::path::Path,
    name: &str,
) -> crate::Result<Vec<std::path::PathBuf>> {
    // Render everything first: a Graphviz failure then writes nothing.
    let mut files = Vec::new();
    for r in renders {
        files.push((r.as_str(), render(map, r)?));
    }
    let single_file = renders.len() == 1 && out.extension().is_some();
    let mut written = Vec::new();
    for (r, bytes) in files {
        let path = if single_file {
            out.to_path_buf()
        } else {
            crate::output::path_for(out, name, extension(r))
        };
        crate::output::write_atomic(&path, &bytes)?;
        written.push(path);
    }
    Ok(written)
}
