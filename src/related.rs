//! Related episodes from the knowledge graph, with reasons.
//!
//! The score is a personalized PageRank from the query episode, truncated
//! to three steps. A random walker leaves the episode along its edges, in
//! proportion to their weights:
//!
//! - episode – concept: `ln(1 + mentions) + 1 if named in the metadata`;
//! - episode – person: `ln(1 + turns)`;
//! - episode → episode: `1` per curated `related` link of *other*
//!   episodes (the query's own list is never used to score it).
//!
//! and at each step stops with probability α = 0.15 (PageRank's usual
//! damping). The chance of stopping on a candidate within three steps is its
//! score. Two steps reach episodes sharing concepts and people; a concept
//! named in every episode splits its walkers among all of them and so
//! tells little, while a rare one sends them to the few episodes that share
//! it: specificity without a tuned weight. The third step follows other
//! episodes' curated links, so episodes editors link to often (hubs) gain,
//! as do episodes linked from similar ones.
//!
//! The walk runs over an inverted index (concept → episodes), so a query
//! costs the postings of its own concepts, not the whole corpus; concepts
//! present in more than half of a large corpus (over [`PRUNE_MIN_EPISODES`]
//! episodes) are skipped, as they carry no signal. Each concept's postings
//! are ordered by weight and the walk reads at most [`POSTINGS_CAP`] of
//! them: a concept in thousands of episodes gives each a share too small
//! to change a top-5 list, so archives of 100,000 episodes stay fast while
//! corpora of a few hundred episodes are scored exactly. Scores gather in a
//! scratch array reused from query to query, with a list of the entries
//! touched, and top-k lists are kept with a bounded heap; queries run in
//! parallel.
//!
//! Each recommendation's reasons are the shared concepts and people that
//! carried most of its two-step score, with their share of it.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap};

use petgraph::visit::EdgeRef;
use rayon::prelude::*;
use serde::Serialize;

use crate::graph::{KnowledgeGraph, NodeKind, Relation};
use crate::names::FastMap;

/// Probability of stopping at each step of the walk.
pub const ALPHA: f64 = 0.15;

/// Corpora with more episodes than this skip concepts found in more than
/// half of the episodes.
pub const PRUNE_MIN_EPISODES: usize = 1000;

/// The most postings of one concept a query reads (the heaviest ones).
pub const POSTINGS_CAP: usize = 300;

/// Options for recommendations.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Recommendations per episode.
    pub top: usize,
    /// Recommend only episodes published before the query.
    pub earlier_only: bool,
    /// Drop recommendations scoring below this.
    pub min_score: f64,
    /// Let other episodes' curated links count (the walk's third step).
    /// Off when writing lists into front matter, where a written list would
    /// count as an editor's link on the next run and the lists would drift.
    pub use_curated: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            top: 5,
            earlier_only: false,
            min_score: 0.0,
            use_curated: true,
        }
    }
}

/// Why an episode is recommended: a shared concept or person, or editors'
/// links to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    /// Node id (`concept:...`, `person:...`), or `curated` for links from
    /// other episodes' related lists.
    pub id: String,
    /// Display name.
    pub name: String,
    /// `technology`, `person`, ... or `curated`.
    pub kind: String,
    /// Share of the recommendation's score it explains (0-1).
    pub weight: f64,
}

/// One recommended episode.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendation {
    /// Episode id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Episode number, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<u32>,
    /// Score (probability mass of the walk; comparable within a query).
    pub score: f64,
    /// Top reasons.
    pub reasons: Vec<Reason>,
    /// A short sentence for a sidebar: "also about Velero, backups, etcd".
    pub because: String,
}

/// The walk's view of the graph: episodes and the features (concepts,
/// people) they link to, both ways, with weights.
pub struct WalkGraph {
    /// Episode ids, in graph order.
    pub episodes: Vec<String>,
    titles: Vec<String>,
    numbers: Vec<Option<u32>>,
    dates: Vec<Option<String>>,
    /// Curated related links per episode (targets).
    pub curated: Vec<Vec<usize>>,
    ep_feats: Vec<Vec<(usize, f64)>>,
    feat_eps: Vec<Vec<(usize, f64)>>,
    feat_walk: Vec<Vec<(usize, f64)>>,
    /// Total feature weight per episode.
    feat_weight: Vec<f64>,
    feat_total: Vec<f64>,
    feat_ids: Vec<String>,
    feat_names: Vec<String>,
    feat_kinds: Vec<String>,
    feat_pruned: Vec<bool>,
    feat_by_id: FastMap<String, usize>,
    /// Inbound curated links per episode.
    inlinks: Vec<usize>,
}

/// Per-thread working memory of the walk: dense score arrays, reset after
/// each query through the list of entries touched.
struct Scratch {
    two: Vec<f64>,
    score: Vec<f64>,
    /// Room for every episode, each touched at most once, and one more
    /// for the walk's note of an entry it does not keep; the first
    /// `reached` are those touched, in the order first touched.
    touched: Vec<usize>,
    reached: usize,
}

impl Scratch {
    fn new(n: usize) -> Scratch {
        Scratch {
            two: vec![0.0; n],
            score: vec![0.0; n],
            touched: vec![0; n + 1],
            reached: 0,
        }
    }

    /// The episodes touched, in the order first touched.
    fn touched(&self) -> &[usize] {
        &self.touched[..self.reached]
    }

    fn clear(&mut self) {
        for &e in &self.touched[..self.reached] {
            self.two[e] = 0.0;
            self.score[e] = 0.0;
        }
        self.reached = 0;
    }
}

impl WalkGraph {
    /// Builds the walk graph from the knowledge graph.
    pub fn new(kg: &KnowledgeGraph) -> WalkGraph {
        let g = &kg.graph;
        // Episode and feature numbers by node index: looked up for every
        // edge, an array beats a map keyed by id.
        let mut ep_index: Vec<Option<usize>> = vec![None; g.node_count()];
        let mut w = WalkGraph {
            episodes: Vec::new(),
            titles: Vec::new(),
            numbers: Vec::new(),
            dates: Vec::new(),
            curated: Vec::new(),
            ep_feats: Vec::new(),
            feat_eps: Vec::new(),
            feat_walk: Vec::new(),
            feat_weight: Vec::new(),
            feat_total: Vec::new(),
            feat_ids: Vec::new(),
            feat_names: Vec::new(),
            feat_kinds: Vec::new(),
            feat_pruned: Vec::new(),
            feat_by_id: FastMap::default(),
            inlinks: Vec::new(),
        };
        let nodes = kg.sorted_nodes();
        for &n in &nodes {
            if g[n].kind == NodeKind::Episode {
                ep_index[n.index()] = Some(w.episodes.len());
                w.episodes
                    .push(g[n].id.strip_prefix("episode:").unwrap_or(&g[n].id).to_string());
                w.titles.push(g[n].label.clone());
                w.numbers.push(g[n].number);
                w.dates.push(g[n].date.clone());
            }
        }
        let ne = w.episodes.len();
        w.curated = vec![Vec::new(); ne];
        w.ep_feats = vec![Vec::new(); ne];
        w.inlinks = vec![0; ne];
        let mut feat_index: Vec<Option<usize>> = vec![None; g.node_count()];
        for e in kg.sorted_edges() {
            let (a, b) = g.edge_endpoints(e).expect("edge exists");
            let edge = &g[e];
            let (ep, feat, weight) = match edge.relation {
                Relation::Mentions => {
                    let wgt = (edge.weight as f64).ln_1p() + if edge.metadata_mentions > 0 { 1.0 } else { 0.0 };
                    (a, b, wgt)
                }
                Relation::AppearsIn if g[a].kind == NodeKind::Person => (b, a, (edge.weight as f64).ln_1p()),
                Relation::Related if edge.curated => {
                    if let (Some(x), Some(y)) = (ep_index[a.index()], ep_index[b.index()]) {
                        w.curated[x].push(y);
                        w.inlinks[y] += 1;
                    }
                    continue;
                }
                _ => continue,
            };
            if weight <= 0.0 {
                continue;
            }
            let Some(ei) = ep_index[ep.index()] else {
                continue;
            };
            let fi = *feat_index[feat.index()].get_or_insert_with(|| {
                w.feat_ids.push(g[feat].id.clone());
                w.feat_names.push(g[feat].label.clone());
                w.feat_kinds.push(
                    g[feat]
                        .concept_kind
                        .map(|k| k.name().to_string())
                        .unwrap_or_else(|| "person".into()),
                );
                w.feat_eps.push(Vec::new());
                w.feat_total.push(0.0);
                w.feat_ids.len() - 1
            });
            w.ep_feats[ei].push((fi, weight));
            w.feat_eps[fi].push((ei, weight));
            w.feat_total[fi] += weight;
        }
        // A person both speaking in and mentioned by an episode is one
        // neighbour with the two weights added.
        for list in w.ep_feats.iter_mut().chain(w.feat_eps.iter_mut()) {
            merge_duplicates(list);
        }
        // What the walk reads: each concept's heaviest postings, back in
        // episode order so that the score arrays are visited in one sweep.
        w.feat_walk = w
            .feat_eps
            .iter()
            .map(|list| {
                let mut top = list.clone();
                if top.len() > POSTINGS_CAP {
                    top.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                    top.truncate(POSTINGS_CAP);
                    top.sort_by_key(|&(e, _)| e);
                }
                top
            })
            .collect();
        w.feat_weight = w.ep_feats.iter().map(|l| l.iter().map(|(_, x)| x).sum()).collect();
        w.feat_by_id = w.feat_ids.iter().enumerate().map(|(i, id)| (id.clone(), i)).collect();
        let prune_at = if ne > PRUNE_MIN_EPISODES { ne / 2 } else { usize::MAX };
        w.feat_pruned = w.feat_eps.iter().map(|p| p.len() > prune_at).collect();
        w
    }

    /// Index of an episode by id.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.episodes.iter().position(|e| e == id)
    }

    /// Whether episode `a` was published before `b`: by date where both
    /// have one, else by episode number where both have one.
    pub fn published_before(&self, a: usize, b: usize) -> bool {
        match (&self.dates[a], &self.dates[b]) {
            (Some(x), Some(y)) if x != y => return x < y,
            _ => {}
        }
        match (self.numbers[a], self.numbers[b]) {
            (Some(x), Some(y)) => x < y,
            _ => false,
        }
    }

    /// Total out-weight of an episode, its own curated links left out when
    /// it is the query.
    fn out_weight(&self, e: usize, is_query: bool) -> f64 {
        let feats = self.feat_weight[e];
        if is_query {
            feats
        } else {
            feats + self.curated[e].len() as f64
        }
    }

    /// Walk scores from episode `q` to every episode (0 for unreached).
    pub fn scores(&self, q: usize) -> Vec<f64> {
        let mut scratch = Scratch::new(self.episodes.len());
        self.walk(q, true, &mut scratch);
        scratch.score
    }

    /// The walk, with or without the curated-link step: scores land in
    /// `scratch.score`, the episodes reached in `scratch.touched`.
    fn walk(&self, q: usize, use_curated: bool, scratch: &mut Scratch) {
        scratch.clear();
        let step = 1.0 - ALPHA;
        let Scratch {
            two,
            score,
            touched,
            reached,
        } = scratch;
        let wq = self.out_weight(q, true);
        if wq > 0.0 {
            for &(f, w) in &self.ep_feats[q] {
                if self.feat_pruned[f] {
                    continue;
                }
                let m = step * w / wq * step / self.feat_total[f];
                for &(e, w2) in &self.feat_walk[f] {
                    // Noted always, kept if new: whether an episode was
                    // reached before is a coin toss a branch mispredicts.
                    // Weights are positive (others are left out of the
                    // walk graph), so a touched entry is never 0 again.
                    touched[*reached] = e;
                    *reached += usize::from(two[e] == 0.0);
                    two[e] += m * w2;
                }
            }
        }
        for i in 0..*reached {
            let e = touched[i];
            score[e] += ALPHA * two[e];
            // Third step: from episodes reached in two steps along their
            // curated links (the query's own list excluded).
            if !use_curated || e == q || self.curated[e].is_empty() {
                continue;
            }
            let m = ALPHA * two[e] * step / self.out_weight(e, false);
            for &t in &self.curated[e] {
                if two[t] == 0.0 && score[t] == 0.0 {
                    touched[*reached] = t;
                    *reached += 1;
                }
                score[t] += m;
            }
        }
        score[q] = 0.0;
    }

    /// Recommendations for one episode.
    pub fn recommend(&self, q: usize, opts: &Options) -> Vec<Recommendation> {
        self.recommend_with(q, opts, &mut Scratch::new(self.episodes.len()))
    }

    fn recommend_with(&self, q: usize, opts: &Options, scratch: &mut Scratch) -> Vec<Recommendation> {
        self.walk(q, opts.use_curated, scratch);
        let mut heap: BinaryHeap<Ranked> = BinaryHeap::new();
        for &c in scratch.touched() {
            let s = scratch.score[c];
            if c == q || s <= 0.0 || s < opts.min_score {
                continue;
            }
            if opts.earlier_only && !self.published_before(c, q) {
                continue;
            }
            let candidate = Ranked {
                score: s,
                id: &self.episodes[c],
                index: c,
            };
            // The heap's top is the worst kept: most candidates lose to it
            // and never enter.
            if heap.len() < opts.top {
                heap.push(candidate);
            } else if heap.peek().is_some_and(|worst| candidate < *worst) {
                heap.pop();
                heap.push(candidate);
            }
        }
        let mut ranked = heap.into_vec();
        ranked.sort();
        ranked
            .into_iter()
            .map(|r| {
                let reasons = self.reasons(q, r.index, r.score);
                Recommendation {
                    id: self.episodes[r.index].clone(),
                    title: self.titles[r.index].clone(),
                    number: self.numbers[r.index],
                    score: round(r.score),
                    because: self.because(&reasons),
                    reasons,
                }
            })
            .collect()
    }

    /// The features shared by `q` and `c` that carried the walk from one to
    /// the other, with their share of `c`'s score; plus the curated links.
    fn reasons(&self, q: usize, c: usize, total: f64) -> Vec<Reason> {
        let step = 1.0 - ALPHA;
        let wq = self.out_weight(q, true);
        // Both lists are sorted by feature.
        let c_feats = &self.ep_feats[c];
        let mut parts: Vec<(f64, usize)> = Vec::new();
        let mut via_features = 0.0;
        for &(f, w) in &self.ep_feats[q] {
            if self.feat_pruned[f] {
                continue;
            }
            if let Ok(i) = c_feats.binary_search_by_key(&f, |&(g, _)| g) {
                let w2 = c_feats[i].1;
                let m = ALPHA * step * w / wq * step * w2 / self.feat_total[f];
                via_features += m;
                parts.push((m, f));
            }
        }
        parts.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut reasons: Vec<Reason> = parts
            .iter()
            .take(5)
            .map(|&(m, f)| Reason {
                id: self.feat_ids[f].clone(),
                name: self.feat_names[f].clone(),
                kind: self.feat_kinds[f].clone(),
                weight: round(m / total),
            })
            .collect();
        let via_links = total - via_features;
        let others = self.inlinks[c] - usize::from(self.curated[q].contains(&c));
        if others > 0 && via_links > 1e-12 {
            reasons.push(Reason {
                id: "curated".into(),
                name: format!("linked from {} other episodes' related lists", others),
                kind: "curated".into(),
                weight: round(via_links / total),
            });
            reasons.sort_by(|a, b| b.weight.total_cmp(&a.weight).then(a.id.cmp(&b.id)));
        }
        reasons
    }

    /// A sidebar sentence: "also about Velero, backups, etcd; with Sam
    /// Whitfield". People who are in most episodes (the hosts) go unsaid.
    fn because(&self, reasons: &[Reason]) -> String {
        let regular = |id: &str| {
            self.feat_by_id
                .get(id)
                .is_some_and(|&f| self.feat_eps[f].len() * 2 > self.episodes.len())
        };
        let concepts: Vec<&str> = reasons
            .iter()
            .filter(|r| r.kind != "curated" && r.kind != "person")
            .take(3)
            .map(|r| r.name.as_str())
            .collect();
        let people: Vec<&str> = reasons
            .iter()
            .filter(|r| r.kind == "person" && !regular(&r.id))
            .take(2)
            .map(|r| r.name.as_str())
            .collect();
        let mut parts = Vec::new();
        if !concepts.is_empty() {
            parts.push(format!("also about {}", concepts.join(", ")));
        }
        if !people.is_empty() {
            parts.push(format!("with {}", people.join(" and ")));
        }
        if parts.is_empty() {
            "often linked by editors".to_string()
        } else {
            parts.join("; ")
        }
    }

    /// Recommendations for every episode, keyed by episode id.
    pub fn recommend_all(&self, opts: &Options) -> BTreeMap<String, Vec<Recommendation>> {
        let n = self.episodes.len();
        let lists: Vec<Vec<Recommendation>> = (0..n)
            .into_par_iter()
            .map_init(|| Scratch::new(n), |scratch, q| self.recommend_with(q, opts, scratch))
            .collect();
        self.episodes.iter().cloned().zip(lists).collect()
    }
}

/// Sorts `(neighbour, weight)` pairs and adds up repeated neighbours.
fn merge_duplicates(list: &mut Vec<(usize, f64)>) {
    list.sort_by_key(|&(n, _)| n);
    let mut out: Vec<(usize, f64)> = Vec::with_capacity(list.len());
    for &(n, w) in list.iter() {
        match out.last_mut() {
            Some(last) if last.0 == n => last.1 += w,
            _ => out.push((n, w)),
        }
    }
    *list = out;
}

/// A candidate in the bounded heap: the heap's top is the *worst* kept,
/// so popping keeps the best `top`. Sorting gives best first.
struct Ranked<'a> {
    score: f64,
    id: &'a str,
    index: usize,
}

impl Ord for Ranked<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        // Higher score first, then id, for a total, stable order.
        other.score.total_cmp(&self.score).then_with(|| self.id.cmp(other.id))
    }
}
impl PartialOrd for Ranked<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for Ranked<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Ranked<'_> {}

/// Rounds to 6 significant decimals so outputs stay readable and stable.
fn round(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// Recommendations for every episode of a graph.
pub fn recommend_all(kg: &KnowledgeGraph, opts: &Options) -> BTreeMap<String, Vec<Recommendation>> {
    WalkGraph::new(kg).recommend_all(opts)
}

/// Curated lists (episode id → related ids) as the graph holds them.
pub fn curated_lists(kg: &KnowledgeGraph) -> BTreeMap<String, Vec<String>> {
    let g = &kg.graph;
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for e in g.edge_references() {
        if e.weight().relation == Relation::Related && e.weight().curated {
            let s = g[e.source()].id.strip_prefix("episode:").unwrap_or(&g[e.source()].id);
            let t = g[e.target()].id.strip_prefix("episode:").unwrap_or(&g[e.target()].id);
            out.entry(s.to_string()).or_default().push(t.to_string());
        }
    }
    for v in out.values_mut() {
        v.sort();
    }
    out
}

/// A planned rewrite of one episode file's `related:` list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontMatterEdit {
    /// The episode file.
    pub path: std::path::PathBuf,
    /// Its current text.
    pub old: String,
    /// The text with the new list.
    pub new: String,
}

/// Plans the rewrite of every episode file's `related:` list to the given
/// recommendations (after the curated entries when `keep_curated`). Files
/// whose list would not change are left out; a file that has no front
/// matter, or cannot be read, is an error naming it.
pub fn front_matter_edits(
    kg: &KnowledgeGraph,
    lists: &BTreeMap<String, Vec<Recommendation>>,
    keep_curated: bool,
) -> crate::Result<Vec<FrontMatterEdit>> {
    let mut edits = Vec::new();
    for idx in kg.sorted_nodes() {
        let node = &kg.graph[idx];
        if node.kind != NodeKind::Episode {
            continue;
        }
        let Some(source) = &node.source else { continue };
        let id = node.id.strip_prefix("episode:").unwrap_or(&node.id);
        let path = std::path::PathBuf::from(source);
        let old = std::fs::read_to_string(&path).map_err(|e| crate::Error::io(&path, e))?;
        let current = current_related(&path, &old);
        let mut ids: Vec<String> = Vec::new();
        if keep_curated {
            // The editors' own order, as the file has it now.
            ids.extend(current.iter().cloned());
        }
        for r in lists.get(id).into_iter().flatten() {
            if !ids.contains(&r.id) {
                ids.push(r.id.clone());
            }
        }
        if ids == current {
            continue;
        }
        let new = crate::transcript::frontmatter::replace_related(&old, &ids)
            .ok_or_else(|| crate::Error::parse(&path, 1, "no front matter to hold a `related:` list"))?;
        if new != old {
            edits.push(FrontMatterEdit { path, old, new });
        }
    }
    Ok(edits)
}

/// The `related:` list a file holds now, in its order.
fn current_related(path: &std::path::Path, text: &str) -> Vec<String> {
    use crate::transcript::frontmatter;
    let Ok(split) = frontmatter::split(path, text) else {
        return Vec::new();
    };
    let Ok(yaml) = frontmatter::parse_yaml(path, &split) else {
        return Vec::new();
    };
    frontmatter::episode_meta(path, &split, &yaml, "", &mut Vec::new()).related
}
