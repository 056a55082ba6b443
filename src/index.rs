//! The query index: a binary file beside `graph.json` that answers
//! queries without reading the whole graph.
//!
//! `podgraph build` writes `graph.idx` next to `graph.json`. A query opens
//! it and reads only the fixed-size node records, their strings and a
//! sorted table of name keys; a node is decoded when a query first asks
//! for it ([`QueryIndex::node`]). Each node's edges and the mentions of
//! each concept or speaker sit in blocks whose offsets per-node tables
//! list, read on demand with one seek each. So a query costs milliseconds
//! whatever the size of the archive. Built in memory from a graph ([`QueryIndex::from_graph`]),
//! the same structure serves queries on transcripts read just now, so one
//! query engine serves both.
//!
//! Layout (little-endian): magic `PGIDX003`; the size of the `graph.json`
//! it was built with; then sections, each found through the table of
//! contents at the end: `STRS` strings, `NODE` node records, `ALIA`
//! aliases, `KEYS` name keys (sorted), `OUTX`/`INXX` per-node edge
//! offsets, `OUTE`/`INEE` edge records, `EPIS` episode lists, `MCOX`/`MSPX`
//! per-node mention offsets, `MREC` fixed-size mention records grouped by
//! concept, `MTXT` the quote of each mention (the words matched are the
//! quote's, at a span its record gives), in graph order, a quote of two
//! mentions once, each record giving its quote's offset (so that counting
//! and sorting a concept's mentions reads 56 bytes each), `MSPL` record
//! offsets grouped by speaker, `MTRN` turns naming each concept.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use petgraph::Direction;

use crate::dictionary::Kind;
use crate::error::{Error, Result};
use crate::graph::{ANNOUNCER, Edge, KnowledgeGraph, MentionRecord, Node, NodeKind, Quote, Relation};
use crate::names;
use crate::names::FastMap;
use crate::speakers::Role;

const MAGIC: &[u8; 8] = b"PGIDX003";
/// Bytes of one node record in `NODE`.
const NODE_LEN: usize = 66;
/// Bytes of one (offset, count) entry of a per-node table (`OUTX`,
/// `INXX`, `MCOX`, `MSPX`).
const ENTRY_LEN: usize = 12;
/// Bytes of one edge record in `OUTE` and `INEE`, as `prepare` writes it.
const EDGE_LEN: usize = 32;
/// Bytes of one entry of `MTRN`, a per-node count.
const COUNT_LEN: usize = 4;
/// Bytes of one fixed-size mention record in `MREC`.
const MENTION_LEN: usize = 56;
const NONE32: u32 = u32::MAX;
const NONE64: u64 = u64::MAX;
/// The sections every index holds.
const SECTIONS: [&[u8; 4]; 15] = [
    b"STRS", b"NODE", b"ALIA", b"KEYS", b"OUTX", b"OUTE", b"INXX", b"INEE", b"EPIS", b"MCOX", b"MSPX", b"MSPL",
    b"MTXT", b"MTRN", b"MREC",
];

/// A node's neighbour through one edge.
#[derive(Debug, Clone, PartialEq)]
pub struct Adjacent {
    /// The neighbour.
    pub node: u32,
    /// The edge (for out-edges from the node, for in-edges to it).
    pub edge: Edge,
}

/// The fixed fields of a mention record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MentionHead {
    /// Episode node.
    pub episode: u32,
    /// Concept node.
    pub concept: u32,
    /// Speaker node; `None` for the announcer.
    pub speaker: Option<u32>,
    /// Turn index in the episode.
    pub turn: u32,
    /// File line of the turn.
    pub line: u32,
    /// Turn start, milliseconds.
    pub time_ms: Option<u64>,
    /// Byte offset of the match in the turn.
    pub start: u32,
}

/// A concept's mention records as read from the index (see
/// [`QueryIndex::mention_block_of`]).
#[derive(Debug, Default)]
pub struct MentionBlock {
    heads: Vec<(MentionHead, TextRef)>,
}

impl MentionBlock {
    /// The records' fixed fields, in index order.
    pub fn heads(&self) -> impl Iterator<Item = &MentionHead> {
        self.heads.iter().map(|(h, _)| h)
    }

    /// The fixed fields of record `i`.
    pub fn head(&self, i: usize) -> Option<&MentionHead> {
        self.heads.get(i).map(|(h, _)| h)
    }
}

/// Where index bytes are read from.
#[derive(Debug)]
enum Source {
    Memory(Vec<u8>),
    /// The file, its path and its length.
    File(Mutex<File>, PathBuf, u64),
}

/// An opened query index.
#[derive(Debug)]
pub struct QueryIndex {
    source: Source,
    /// `NODE` records as stored, checked when opened and decoded one by
    /// one on first use: a query touches a few nodes of thousands.
    node_raw: Vec<u8>,
    /// Each node, once decoded.
    node_cache: Vec<OnceLock<Box<Node>>>,
    /// `ALIA` records as stored: (string offset, length).
    alias_raw: Vec<u8>,
    /// `KEYS` records as stored: (string offset, length, node), sorted by
    /// key; searched in place, decoded only for suggestions.
    keys_raw: Vec<u8>,
    /// (folded key, node), sorted by key: `keys_raw` decoded on first use.
    keys: OnceLock<Vec<(String, u32)>>,
    sections: BTreeMap<[u8; 4], (u64, u64)>,
    strings: Vec<u8>,
    graph_json_len: u64,
}

/// A node record's fields as stored, strings as (offset, length).
struct NodeRecord {
    id: (u32, u32),
    label: (u32, u32),
    kind: NodeKind,
    concept_kind: u8,
    number: u32,
    date: (u32, u32),
    source: (u32, u32),
    url: (u32, u32),
    turns: u32,
    mentions: u32,
    episodes: u32,
    /// First alias record and count.
    aliases: (u32, u32),
}

// ---------------------------------------------------------------------------
// Writing

#[derive(Default)]
struct Buf(Vec<u8>);

impl Buf {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
}

/// Interned strings, referenced as (offset, length).
#[derive(Default)]
struct Strings {
    blob: Vec<u8>,
    seen: FastMap<String, (u32, u32)>,
}

impl Strings {
    fn add(&mut self, s: &str) -> (u32, u32) {
        if let Some(&r) = self.seen.get(s) {
            return r;
        }
        let r = (self.blob.len() as u32, s.len() as u32);
        self.blob.extend_from_slice(s.as_bytes());
        self.seen.insert(s.to_string(), r);
        r
    }
    fn opt(&mut self, s: Option<&str>) -> (u32, u32) {
        match s {
            Some(s) => self.add(s),
            None => (NONE32, 0),
        }
    }
}

fn put_str(b: &mut Buf, r: (u32, u32)) {
    b.u32(r.0);
    b.u32(r.1);
}

fn kind_code(k: NodeKind) -> u8 {
    match k {
        NodeKind::Episode => 0,
        NodeKind::Person => 1,
        NodeKind::Concept => 2,
        NodeKind::UnresolvedSpeaker => 3,
    }
}

fn kind_of(c: u8) -> Option<NodeKind> {
    Some(match c {
        0 => NodeKind::Episode,
        1 => NodeKind::Person,
        2 => NodeKind::Concept,
        3 => NodeKind::UnresolvedSpeaker,
        _ => return None,
    })
}

fn relation_code(r: Relation) -> u8 {
    match r {
        Relation::AppearsIn => 0,
        Relation::Discusses => 1,
        Relation::Mentions => 2,
        Relation::CoOccurs => 3,
        Relation::Related => 4,
    }
}

fn relation_of(c: u8) -> Option<Relation> {
    Some(match c {
        0 => Relation::AppearsIn,
        1 => Relation::Discusses,
        2 => Relation::Mentions,
        3 => Relation::CoOccurs,
        4 => Relation::Related,
        _ => return None,
    })
}

fn role_code(r: Option<Role>) -> u8 {
    match r {
        None => 255,
        Some(Role::Host) => 0,
        Some(Role::Guest) => 1,
        Some(Role::Other) => 2,
    }
}

fn role_of(c: u8) -> Option<Role> {
    match c {
        0 => Some(Role::Host),
        1 => Some(Role::Guest),
        2 => Some(Role::Other),
        _ => None,
    }
}

fn concept_kind_code(k: Option<Kind>) -> u8 {
    k.and_then(|k| Kind::ALL.iter().position(|x| *x == k))
        .map_or(255, |p| p as u8)
}

/// The name keys a node is found by: label, id, bare id, aliases.
pub fn node_keys(n: &Node) -> BTreeSet<String> {
    let bare_id = n.id.split_once(':').map_or(n.id.as_str(), |(_, rest)| rest);
    let mut keys: BTreeSet<String> = [names::key(&n.label), names::key(&n.id), names::key(bare_id)]
        .into_iter()
        .collect();
    for a in &n.aliases {
        keys.insert(names::key(a));
    }
    keys.retain(|k| !k.is_empty());
    keys
}

/// Serialises a graph's query index. `graph_json_len` is the size of the
/// `graph.json` written with it, used to tell a stale index.
pub fn write(kg: &KnowledgeGraph, graph_json_len: u64) -> Vec<u8> {
    let mut out = Vec::new();
    prepare(kg)
        .write_to(&mut out, graph_json_len)
        .expect("writing to memory cannot fail");
    out
}

/// A graph's index, made and ready to be written (see [`prepare`]).
#[derive(Debug)]
pub struct Prepared<'a> {
    nodes: u64,
    sections: Vec<([u8; 4], Section<'a>)>,
}

/// A section of the index file.
#[derive(Debug)]
enum Section<'a> {
    Bytes(Vec<u8>),
    /// The mentions' quotes, in graph order: most of the index, taken
    /// from the graph as it is written rather than copied. The texts
    /// quotes are shared from (an episode's quotes), each once.
    Texts(Vec<&'a str>),
}

impl Section<'_> {
    /// Writes the section; returns its length.
    fn write_to<W: std::io::Write>(&self, w: &mut W) -> std::io::Result<u64> {
        match self {
            Section::Bytes(b) => w.write_all(b).map(|()| b.len() as u64),
            Section::Texts(texts) => texts.iter().try_fold(0, |len, t| {
                w.write_all(t.as_bytes())?;
                Ok(len + t.len() as u64)
            }),
        }
    }
}

/// Where the size of `graph.json` lies in an index file, for
/// [`set_graph_json_len`].
const JSON_LEN_AT: u64 = MAGIC.len() as u64;

impl Prepared<'_> {
    /// Writes the index; `graph_json_len` is the size of the `graph.json`
    /// written with it (or a placeholder, set later with
    /// [`set_graph_json_len`]). The sections go out as they are, never
    /// copied into one buffer.
    pub fn write_to<W: std::io::Write>(&self, w: &mut W, graph_json_len: u64) -> std::io::Result<()> {
        let mut head = Buf::default();
        head.0.extend_from_slice(MAGIC);
        head.u64(graph_json_len);
        head.u64(self.nodes);
        w.write_all(&head.0)?;
        let mut at = head.0.len() as u64;
        let mut toc = Buf::default();
        toc.u32(self.sections.len() as u32);
        for (tag, section) in &self.sections {
            let len = section.write_to(w)?;
            toc.0.extend_from_slice(tag);
            toc.u64(at);
            toc.u64(len);
            at += len;
        }
        toc.u64(at);
        w.write_all(&toc.0)
    }
}

/// Sets the size of `graph.json` recorded in an index file written by
/// [`Prepared::write_to`], so that the index can be written beside
/// `graph.json` and finished once that is.
pub fn set_graph_json_len(f: &mut std::fs::File, graph_json_len: u64) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom, Write};
    f.seek(SeekFrom::Start(JSON_LEN_AT))?;
    f.write_all(&graph_json_len.to_le_bytes())
}

/// Makes a graph's query index, to be written with [`Prepared::write_to`]
/// once the size of `graph.json` is known.
pub fn prepare(kg: &KnowledgeGraph) -> Prepared<'_> {
    let g = &kg.graph;
    let order = kg.sorted_nodes();
    // Each node's position in the sorted order, by node index.
    let mut pos = vec![0u32; g.node_count()];
    for (i, &n) in order.iter().enumerate() {
        pos[n.index()] = i as u32;
    }
    let by_id: FastMap<&str, u32> = order
        .iter()
        .enumerate()
        .map(|(i, &n)| (g[n].id.as_str(), i as u32))
        .collect();
    let mut strs = Strings::default();

    // Nodes and their aliases.
    let mut node = Buf::default();
    let mut alia = Buf::default();
    let mut alias_count = 0u32;
    let mut keys: Vec<(String, u32)> = Vec::new();
    for (i, &n) in order.iter().enumerate() {
        let x = &g[n];
        put_str(&mut node, strs.add(&x.id));
        put_str(&mut node, strs.add(&x.label));
        node.u8(kind_code(x.kind));
        node.u8(concept_kind_code(x.concept_kind));
        node.u32(x.number.unwrap_or(NONE32));
        put_str(&mut node, strs.opt(x.date.as_deref()));
        put_str(&mut node, strs.opt(x.source.as_deref()));
        put_str(&mut node, strs.opt(x.url.as_deref()));
        node.u32(x.turns as u32);
        node.u32(x.mentions as u32);
        node.u32(x.episodes as u32);
        node.u32(alias_count);
        node.u32(x.aliases.len() as u32);
        for a in &x.aliases {
            put_str(&mut alia, strs.add(a));
            alias_count += 1;
        }
        for k in node_keys(x) {
            keys.push((k, i as u32));
        }
    }
    keys.sort();
    let mut keyb = Buf::default();
    for (k, n) in &keys {
        put_str(&mut keyb, strs.add(k));
        keyb.u32(*n);
    }

    // Edges, out and in, each node's block sorted by neighbour id.
    let mut epis = Buf::default();
    let mut epis_count = 0u32;
    let edge_block = |dir: Direction, idx: &mut Buf, recs: &mut Buf, epis: &mut Buf, epis_count: &mut u32| {
        // Every edge once, in storage order, then sorted by (node,
        // neighbour, relation): following each node's list of edges would
        // jump about memory, an edge at a time.
        let edges = g.raw_edges();
        let mut all: Vec<(u32, u32, u8, u32)> = edges
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let (node, other) = match dir {
                    Direction::Outgoing => (e.source(), e.target()),
                    Direction::Incoming => (e.target(), e.source()),
                };
                (
                    pos[node.index()],
                    pos[other.index()],
                    relation_code(e.weight.relation),
                    i as u32,
                )
            })
            .collect();
        all.sort_unstable();
        // At their final sizes from the start: grown, these buffers of tens
        // of megabytes would be copied again at every doubling.
        idx.0.reserve(order.len() * ENTRY_LEN);
        recs.0.reserve(all.len() * EDGE_LEN);
        let mut rest = &all[..];
        for n in 0..order.len() as u32 {
            let count = rest.partition_point(|r| r.0 == n);
            let (list, after) = rest.split_at(count);
            rest = after;
            idx.u64(recs.0.len() as u64);
            idx.u32(count as u32);
            for &(_, other, relation, i) in list {
                let e = &edges[i as usize].weight;
                recs.u32(other);
                recs.u8(relation);
                recs.u8(role_code(e.role));
                recs.u8(u8::from(e.curated));
                recs.u8(0);
                recs.u32(e.weight as u32);
                recs.u32(e.metadata_mentions as u32);
                recs.u64(e.first_ms.unwrap_or(NONE64));
                recs.u32(*epis_count);
                recs.u32(e.episodes.len() as u32);
                for ep in &e.episodes {
                    epis.u32(by_id.get(ep.as_str()).copied().unwrap_or(NONE32));
                    *epis_count += 1;
                }
            }
        }
    };
    let (mut outx, mut oute, mut inx, mut ine) = (Buf::default(), Buf::default(), Buf::default(), Buf::default());
    // Each edge's episodes, once per direction.
    epis.0
        .reserve(2 * 4 * g.raw_edges().iter().map(|e| e.weight.episodes.len()).sum::<usize>());
    edge_block(Direction::Outgoing, &mut outx, &mut oute, &mut epis, &mut epis_count);
    edge_block(Direction::Incoming, &mut inx, &mut ine, &mut epis, &mut epis_count);

    // Mentions grouped by concept, then offsets grouped by speaker.
    // Each mention's (concept, episode, speaker) nodes, looked up once.
    // Records share their ids (`Arc<str>`): each shared id is looked up by
    // its text once, then by its address, which hashes in one multiply.
    let mut by_address: FastMap<usize, u32> = FastMap::default();
    let mut node_of = |id: &std::sync::Arc<str>| -> u32 {
        let address = std::sync::Arc::as_ptr(id).cast::<u8>() as usize;
        *by_address
            .entry(address)
            .or_insert_with(|| by_id.get(&**id).copied().unwrap_or(NONE32))
    };
    let ends: Vec<(u32, u32, u32)> = kg
        .mentions
        .iter()
        .map(|m| {
            let speaker = if *m.speaker == *ANNOUNCER {
                NONE32
            } else {
                node_of(&m.speaker)
            };
            (node_of(&m.concept), node_of(&m.episode), speaker)
        })
        .collect();
    // Per node, by position; mentions of an unknown node (NONE32) are
    // left out, as no node asks for them.
    let nodes = order.len();
    // A node position, or `nodes` for an unknown node: a bucket.
    let bucket = |n: u32| (n as usize).min(nodes);
    // Mentions in concept order, graph order within a concept (a counting
    // sort, stable): `starts[c]` is where concept `c`'s block begins.
    let mut starts = vec![0u32; nodes + 2];
    for &(c, _, _) in &ends {
        starts[bucket(c) + 1] += 1;
    }
    for b in 1..starts.len() {
        starts[b] += starts[b - 1];
    }
    // Episodes numbered as the graph first names them: the graph lists
    // mentions in episode and turn order, so each concept's block meets
    // its (episode, turn) pairs in increasing order, and counting the
    // distinct turns is a comparison with the one before.
    let mut ep_rank = vec![NONE32; nodes + 1];
    let mut ranked = 0;
    for &(_, ep, _) in &ends {
        let r = &mut ep_rank[bucket(ep)];
        if *r == NONE32 {
            *r = ranked;
            ranked += 1;
        }
    }
    // Each mention's place in the records (`rank`, by graph order), and
    // its (episode, turn) in record order. Everything is read in graph
    // order and scattered: reading the mentions in record order instead
    // would jump about hundreds of megabytes of them.
    let mut rank = vec![0u32; kg.mentions.len()];
    let mut turns = vec![(0u32, 0u32); kg.mentions.len()];
    let mut next = starts.clone();
    for (i, (&(c, ep, _), m)) in ends.iter().zip(&kg.mentions).enumerate() {
        let slot = &mut next[bucket(c)];
        rank[i] = *slot;
        turns[*slot as usize] = (ep_rank[bucket(ep)], m.turn);
        *slot += 1;
    }
    let mut turn_count: Vec<u32> = vec![0; nodes];
    for (c, count) in turn_count.iter_mut().enumerate() {
        let block = &mut turns[starts[c] as usize..starts[c + 1] as usize];
        // A block out of that order (a graph file edited by hand) is
        // counted by sorting.
        if !block.is_sorted() {
            block.sort_unstable();
        }
        *count = block.windows(2).filter(|w| w[0] != w[1]).count() as u32 + u32::from(!block.is_empty());
    }
    drop(turns);
    // The records, written in graph order at their places; the texts go
    // in graph order too, each record giving its text's offset.
    // A quote shared from the same text as the one before (an episode's
    // quotes) points into that text, written once.
    let mut mrec = vec![0u8; kg.mentions.len() * MENTION_LEN];
    let mut texts: Vec<&str> = Vec::new();
    let mut mtxt_len = 0u64;
    let mut last: Option<&std::sync::Arc<str>> = None;
    let mut r = Buf(Vec::with_capacity(MENTION_LEN));
    for (i, m) in kg.mentions.iter().enumerate() {
        let (text, (from, _)) = m.quote.shared_from();
        if !last.is_some_and(|l| std::sync::Arc::ptr_eq(l, text)) {
            texts.push(text);
            mtxt_len += text.len() as u64;
            last = Some(text);
        }
        let text_at = mtxt_len - text.len() as u64 + u64::from(from);
        let (c, ep, speaker) = ends[i];
        r.0.clear();
        r.u32(ep);
        r.u32(c);
        r.u32(speaker);
        r.u32(m.turn);
        r.u32(m.line);
        r.u64(m.time_ms.unwrap_or(NONE64));
        r.u32(m.span.0);
        r.u32(m.span.1);
        r.u32(m.quote_span.0);
        r.u32(m.quote_span.1);
        r.u64(text_at);
        r.u32(m.quote.len() as u32);
        let at = rank[i] as usize * MENTION_LEN;
        mrec[at..at + MENTION_LEN].copy_from_slice(&r.0);
    }
    // Record offsets grouped by speaker, in graph order within a speaker:
    // a counting sort too. The announcer and unknown speakers (NONE32)
    // have no list.
    let mut spoken = vec![0u32; nodes + 1];
    for &(_, _, speaker) in &ends {
        if (speaker as usize) < nodes {
            spoken[speaker as usize + 1] += 1;
        }
    }
    for b in 1..spoken.len() {
        spoken[b] += spoken[b - 1];
    }
    // Each entry is a record's (offset, length), ENTRY_LEN bytes.
    let mut mspl = Buf(vec![0u8; spoken[nodes] as usize * ENTRY_LEN]);
    let mut next = spoken.clone();
    for (&(_, _, speaker), &r) in ends.iter().zip(&rank) {
        if (speaker as usize) < nodes {
            let slot = &mut next[speaker as usize];
            let at = *slot as usize * ENTRY_LEN;
            *slot += 1;
            mspl.0[at..at + 8].copy_from_slice(&(u64::from(r) * MENTION_LEN as u64).to_le_bytes());
            mspl.0[at + 8..at + ENTRY_LEN].copy_from_slice(&(MENTION_LEN as u32).to_le_bytes());
        }
    }
    let (mut mcox, mut mspx, mut mtrn) = (Buf::default(), Buf::default(), Buf::default());
    for i in 0..order.len() as u32 {
        // A concept's block of records, from the counting sort; an empty
        // one is written (0, 0).
        let (from, to) = (starts[i as usize], starts[i as usize + 1]);
        let off = if to > from {
            u64::from(from) * MENTION_LEN as u64
        } else {
            0
        };
        mcox.u64(off);
        mcox.u32(to - from);
        let (from, to) = (spoken[i as usize], spoken[i as usize + 1]);
        mspx.u64(u64::from(from) * ENTRY_LEN as u64);
        mspx.u32(to - from);
        mtrn.u32(turn_count[i as usize]);
    }

    let bytes = |tag: &[u8; 4], b: Buf| (*tag, Section::Bytes(b.0));
    let sections = vec![
        bytes(b"NODE", node),
        bytes(b"ALIA", alia),
        bytes(b"KEYS", keyb),
        bytes(b"OUTX", outx),
        bytes(b"OUTE", oute),
        bytes(b"INXX", inx),
        bytes(b"INEE", ine),
        bytes(b"EPIS", epis),
        bytes(b"MCOX", mcox),
        bytes(b"MSPX", mspx),
        bytes(b"MSPL", mspl),
        bytes(b"MTRN", mtrn),
        (*b"MREC", Section::Bytes(mrec)),
        (*b"MTXT", Section::Texts(texts)),
        (*b"STRS", Section::Bytes(std::mem::take(&mut strs.blob))),
    ];

    Prepared {
        nodes: order.len() as u64,
        sections,
    }
}

// ---------------------------------------------------------------------------
// Reading

struct Cursor<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn new(b: &'a [u8]) -> Self {
        Cursor { b, at: 0 }
    }
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.b.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|s| s[0])
    }
    fn u32(&mut self) -> Option<u32> {
        self.take(4).map(|s| u32::from_le_bytes(s.try_into().expect("4 bytes")))
    }
    fn u64(&mut self) -> Option<u64> {
        self.take(8).map(|s| u64::from_le_bytes(s.try_into().expect("8 bytes")))
    }
}

impl QueryIndex {
    /// Builds the index of a graph in memory.
    pub fn from_graph(kg: &KnowledgeGraph) -> QueryIndex {
        QueryIndex::from_bytes(write(kg, 0), Path::new("<memory>")).expect("a freshly written index reads back")
    }

    /// Reads an index held in memory; `name` names it in errors.
    pub fn from_bytes(bytes: Vec<u8>, name: &Path) -> Result<QueryIndex> {
        let header = Header::parse(&bytes, name)?;
        let nodes = header.nodes;
        let mut idx = QueryIndex::empty(Source::Memory(bytes), header);
        idx.load_tables(name, nodes)?;
        Ok(idx)
    }

    /// Opens an index file, reading only its tables.
    pub fn open(path: &Path) -> Result<QueryIndex> {
        let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
        let len = f.metadata().map_err(|e| Error::io(path, e))?.len();
        let bad = |m: &str| Error::GraphFile {
            path: path.to_path_buf(),
            message: format!("{m}; rebuild it with `podgraph build`"),
        };
        if len < 32 {
            return Err(bad("not a podgraph index (too short)"));
        }
        let mut head = [0u8; 24];
        f.read_exact(&mut head).map_err(|e| Error::io(path, e))?;
        f.seek(SeekFrom::End(-8)).map_err(|e| Error::io(path, e))?;
        let mut tail = [0u8; 8];
        f.read_exact(&mut tail).map_err(|e| Error::io(path, e))?;
        let toc_at = u64::from_le_bytes(tail);
        if head[..8] != MAGIC[..] && head[..5] == MAGIC[..5] {
            return Err(bad("an index written by another version of podgraph"));
        }
        if &head[..8] != MAGIC || toc_at >= len {
            return Err(bad("not a podgraph index, or a truncated one"));
        }
        f.seek(SeekFrom::Start(toc_at)).map_err(|e| Error::io(path, e))?;
        let mut toc = vec![0u8; (len - toc_at) as usize];
        f.read_exact(&mut toc).map_err(|e| Error::io(path, e))?;
        let header =
            Header::from_parts(&head, &toc, len).ok_or_else(|| bad("the index's table of contents is damaged"))?;
        let nodes = header.nodes;
        let mut idx = QueryIndex::empty(Source::File(Mutex::new(f), path.to_path_buf(), len), header);
        idx.load_tables(path, nodes)?;
        Ok(idx)
    }

    fn empty(source: Source, h: Header) -> QueryIndex {
        QueryIndex {
            source,
            node_raw: Vec::new(),
            node_cache: Vec::new(),
            alias_raw: Vec::new(),
            keys_raw: Vec::new(),
            keys: OnceLock::new(),
            sections: h.sections,
            strings: Vec::new(),
            graph_json_len: h.graph_json_len,
        }
    }

    /// The size of the `graph.json` this index was built with.
    pub fn graph_json_len(&self) -> u64 {
        self.graph_json_len
    }

    fn section(&self, tag: &[u8; 4]) -> Result<Vec<u8>> {
        let (off, len) = self.sections.get(tag).copied().unwrap_or((0, 0));
        self.read_at(off, len)
    }

    /// The number of bytes the index holds.
    fn source_len(&self) -> u64 {
        match &self.source {
            Source::Memory(b) => b.len() as u64,
            Source::File(_, _, len) => *len,
        }
    }

    fn read_at(&self, off: u64, len: u64) -> Result<Vec<u8>> {
        // Offsets come from the file: a damaged one must fail here, not
        // overflow or allocate more than the file holds.
        let end = off.checked_add(len);
        match &self.source {
            Source::Memory(b) => {
                let range = end.and_then(|e| Some(usize::try_from(off).ok()?..usize::try_from(e).ok()?));
                range
                    .and_then(|r| b.get(r))
                    .map(<[u8]>::to_vec)
                    .ok_or_else(|| damaged(Path::new("<memory>")))
            }
            Source::File(f, path, file_len) => {
                if end.is_none_or(|e| e > *file_len) {
                    return Err(damaged(path));
                }
                let mut f = f.lock().map_err(|_| damaged(path))?;
                f.seek(SeekFrom::Start(off)).map_err(|e| Error::io(path, e))?;
                // Read into spare capacity: zeroing the buffer first would
                // cost as much as the read for the index's large tables.
                let mut buf = Vec::with_capacity(len as usize);
                (&mut *f)
                    .take(len)
                    .read_to_end(&mut buf)
                    .map_err(|e| Error::io(path, e))?;
                if buf.len() as u64 != len {
                    return Err(damaged(path));
                }
                Ok(buf)
            }
        }
    }

    fn string_bytes(&self, off: u32, len: u32) -> Option<&[u8]> {
        self.strings
            .get(off as usize..(off as usize).checked_add(len as usize)?)
    }

    fn string(&self, off: u32, len: u32) -> Option<String> {
        if off == NONE32 {
            return None;
        }
        let s = self.string_bytes(off, len)?;
        Some(match std::str::from_utf8(s) {
            Ok(s) => s.to_owned(),
            Err(_) => String::from_utf8_lossy(s).into_owned(),
        })
    }

    /// Reads the tables a query starts from: nodes, aliases, name keys and
    /// strings. The per-node offset tables are only checked for size: a
    /// query reads the few entries it needs.
    fn load_tables(&mut self, name: &Path, expected_nodes: u64) -> Result<()> {
        let bad = || damaged(name);
        let n = usize::try_from(expected_nodes).map_err(|_| bad())?;
        let sized = |tag: &[u8; 4], each: usize| self.sections.get(tag).is_some_and(|s| s.1 == (n * each) as u64);
        let tables = [
            (b"OUTX", ENTRY_LEN),
            (b"INXX", ENTRY_LEN),
            (b"MCOX", ENTRY_LEN),
            (b"MSPX", ENTRY_LEN),
            (b"MTRN", COUNT_LEN),
            (b"NODE", NODE_LEN),
        ];
        if !tables.iter().all(|(tag, each)| sized(tag, *each)) {
            return Err(bad());
        }
        self.strings = self.section(b"STRS")?;
        self.node_raw = self.section(b"NODE")?;
        self.alias_raw = self.section(b"ALIA")?;
        self.keys_raw = self.section(b"KEYS")?;
        if self.alias_raw.len() % 8 != 0 || self.keys_raw.len() % 12 != 0 {
            return Err(bad());
        }
        let alias_count = self.alias_raw.len() / 8;
        let aliases_ok = (0..alias_count).all(|i| {
            let (o, l) = self.alias(i);
            self.string_bytes(o, l).is_some()
        });
        let keys_ok = (0..self.keys_raw.len() / 12).all(|i| {
            let (o, l, _) = key_record(&self.keys_raw, i);
            self.string_bytes(o, l).is_some()
        });
        // Every record is checked now, so that decoding one later cannot
        // fail: ids must be text, since queries compare and print them.
        let nodes_ok = (0..n).all(|i| {
            self.node_record(i).is_some_and(|r| {
                let opt = |(o, l): (u32, u32)| o == NONE32 || self.string_bytes(o, l).is_some();
                self.string_bytes(r.id.0, r.id.1)
                    .is_some_and(|b| std::str::from_utf8(b).is_ok())
                    && self.string_bytes(r.label.0, r.label.1).is_some()
                    && opt(r.date)
                    && opt(r.source)
                    && opt(r.url)
                    && (r.aliases.0 as usize)
                        .checked_add(r.aliases.1 as usize)
                        .is_some_and(|e| e <= alias_count)
            })
        });
        if !(aliases_ok && keys_ok && nodes_ok) {
            return Err(bad());
        }
        self.node_cache = (0..n).map(|_| OnceLock::new()).collect();
        Ok(())
    }

    /// `ALIA` record `i`: (string offset, length).
    fn alias(&self, i: usize) -> (u32, u32) {
        let mut c = Cursor::new(self.alias_raw.get(i * 8..i * 8 + 8).unwrap_or_default());
        (c.u32().unwrap_or(NONE32), c.u32().unwrap_or(0))
    }

    /// The fields of node record `i`, if there is one.
    fn node_record(&self, i: usize) -> Option<NodeRecord> {
        let mut c = Cursor::new(self.node_raw.get(i.checked_mul(NODE_LEN)?..)?);
        let mut s = || Some((c.u32()?, c.u32()?));
        let (id, label) = (s()?, s()?);
        let kind = c.u8().and_then(kind_of)?;
        let concept_kind = c.u8()?;
        let number = c.u32()?;
        let mut s = || Some((c.u32()?, c.u32()?));
        let (date, source, url) = (s()?, s()?, s()?);
        Some(NodeRecord {
            id,
            label,
            kind,
            concept_kind,
            number,
            date,
            source,
            url,
            turns: c.u32()?,
            mentions: c.u32()?,
            episodes: c.u32()?,
            aliases: (c.u32()?, c.u32()?),
        })
    }

    /// The number of nodes.
    pub fn node_count(&self) -> usize {
        self.node_cache.len()
    }

    /// Node `i` (nodes are numbered in id order), decoded on first use.
    pub fn node(&self, i: u32) -> Option<&Node> {
        let cell = self.node_cache.get(i as usize)?;
        if let Some(n) = cell.get() {
            return Some(n);
        }
        let node = self.decode_node(i as usize)?;
        Some(cell.get_or_init(|| Box::new(node)))
    }

    fn decode_node(&self, i: usize) -> Option<Node> {
        let r = self.node_record(i)?;
        let text = |(o, l): (u32, u32)| self.string(o, l);
        Some(Node {
            id: text(r.id).unwrap_or_default(),
            label: text(r.label).unwrap_or_default(),
            kind: r.kind,
            concept_kind: Kind::ALL.get(r.concept_kind as usize).copied(),
            number: (r.number != NONE32).then_some(r.number),
            date: text(r.date),
            source: text(r.source),
            url: text(r.url),
            turns: r.turns as usize,
            mentions: r.mentions as usize,
            episodes: r.episodes as usize,
            aliases: (r.aliases.0..r.aliases.0 + r.aliases.1)
                .map(|a| text(self.alias(a as usize)).unwrap_or_default())
                .collect(),
        })
    }

    /// The id of node `i`, read in place.
    pub fn node_id(&self, i: u32) -> Option<&str> {
        let r = self.node_record(i as usize)?;
        std::str::from_utf8(self.string_bytes(r.id.0, r.id.1)?).ok()
    }

    /// The node with id `id`: a binary search, since nodes are numbered in
    /// id order.
    pub fn find_id(&self, id: &str) -> Option<u32> {
        let (mut lo, mut hi) = (0, self.node_count() as u32);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.node_id(mid)? < id {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        (self.node_id(lo)? == id).then_some(lo)
    }

    /// The bytes of node `n`'s entry in a per-node table whose entries
    /// are `width` bytes: none past the last node.
    fn table_entry(&self, tag: &[u8; 4], n: u32, width: usize) -> Result<Option<Vec<u8>>> {
        if n as usize >= self.node_count() {
            return Ok(None);
        }
        let (base, _) = self.sections.get(tag).copied().unwrap_or((0, 0));
        let at = base.saturating_add(u64::from(n) * width as u64);
        self.read_at(at, width as u64).map(Some)
    }

    /// Entry `n` of a per-node table of (offset, count): none past the
    /// last node.
    fn node_entry(&self, tag: &[u8; 4], n: u32) -> Result<Option<(u64, u32)>> {
        Ok(self.table_entry(tag, n, ENTRY_LEN)?.and_then(|b| {
            let mut c = Cursor::new(&b);
            c.u64().zip(c.u32())
        }))
    }

    /// The nodes a folded name key points at.
    pub fn find_key(&self, key: &str) -> Vec<u32> {
        let record = |i: usize| -> (&[u8], u32) {
            let (o, l, n) = key_record(&self.keys_raw, i);
            (self.string_bytes(o, l).unwrap_or_default(), n)
        };
        let count = self.keys_raw.len() / 12;
        let (mut lo, mut hi) = (0, count);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if record(mid).0 < key.as_bytes() {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        (lo..count)
            .map(record)
            .take_while(|(k, _)| *k == key.as_bytes())
            .map(|(_, n)| n)
            .collect()
    }

    /// Every (key, node) pair, for suggestions (decoded on first use).
    pub fn keys(&self) -> &[(String, u32)] {
        self.keys.get_or_init(|| {
            (0..self.keys_raw.len() / 12)
                .map(|i| {
                    let (o, l, n) = key_record(&self.keys_raw, i);
                    (self.string(o, l).unwrap_or_default(), n)
                })
                .collect()
        })
    }

    /// Turns that mention a concept.
    pub fn mention_turns(&self, n: u32) -> Result<u32> {
        let entry = self.table_entry(b"MTRN", n, COUNT_LEN)?;
        Ok(entry.and_then(|b| Cursor::new(&b).u32()).unwrap_or(0))
    }

    /// Edges leaving a node.
    pub fn out_edges(&self, n: u32) -> Result<Vec<Adjacent>> {
        self.edges(b"OUTE", self.node_entry(b"OUTX", n)?, None)
    }

    /// Edges arriving at a node.
    pub fn in_edges(&self, n: u32) -> Result<Vec<Adjacent>> {
        self.edges(b"INEE", self.node_entry(b"INXX", n)?, None)
    }

    /// Edges leaving a node with one relation: the others are skipped
    /// without decoding their episode lists.
    pub fn out_edges_of(&self, n: u32, relation: Relation) -> Result<Vec<Adjacent>> {
        self.edges(b"OUTE", self.node_entry(b"OUTX", n)?, Some(relation))
    }

    /// Edges arriving at a node with one relation.
    pub fn in_edges_of(&self, n: u32, relation: Relation) -> Result<Vec<Adjacent>> {
        self.edges(b"INEE", self.node_entry(b"INXX", n)?, Some(relation))
    }

    fn edges(&self, tag: &[u8; 4], at: Option<(u64, u32)>, only: Option<Relation>) -> Result<Vec<Adjacent>> {
        const REC: u64 = 32;
        let Some((off, count)) = at else {
            return Ok(Vec::new());
        };
        let (base, _) = self.sections.get(tag).copied().unwrap_or((0, 0));
        let bytes = self.read_at(base.saturating_add(off), u64::from(count) * REC)?;
        let (epis_base, _) = self.sections.get(b"EPIS").copied().unwrap_or((0, 0));
        let mut out = Vec::with_capacity(count as usize);
        let mut c = Cursor::new(&bytes);
        let bad = || damaged(Path::new("index"));
        for _ in 0..count {
            let node = c.u32().ok_or_else(bad)?;
            let relation = c.u8().and_then(relation_of).ok_or_else(bad)?;
            let role = role_of(c.u8().ok_or_else(bad)?);
            let curated = c.u8().ok_or_else(bad)? == 1;
            c.u8();
            let weight = c.u32().ok_or_else(bad)? as usize;
            let metadata_mentions = c.u32().ok_or_else(bad)? as usize;
            let first = c.u64().ok_or_else(bad)?;
            let (e0, en) = (c.u32().ok_or_else(bad)?, c.u32().ok_or_else(bad)?);
            if only.is_some_and(|r| r != relation) {
                continue;
            }
            let episodes = if en == 0 {
                Vec::new()
            } else {
                let raw = self.read_at(epis_base.saturating_add(u64::from(e0) * 4), u64::from(en) * 4)?;
                raw.chunks_exact(4)
                    .filter_map(|b| {
                        let i = u32::from_le_bytes(b.try_into().expect("4 bytes"));
                        self.node_id(i).map(str::to_owned)
                    })
                    .collect()
            };
            out.push(Adjacent {
                node,
                edge: Edge {
                    relation,
                    weight,
                    role,
                    episodes,
                    first_ms: (first != NONE64).then_some(first),
                    metadata_mentions,
                    curated,
                },
            });
        }
        Ok(out)
    }

    /// Mentions of a concept (or person), in episode and turn order.
    pub fn mentions_of(&self, n: u32) -> Result<Vec<MentionRecord>> {
        let block = self.mention_block_of(n)?;
        // A concept's texts lie together in MTXT, in record order: one read.
        let (Some((_, first)), Some((_, last))) = (block.heads.first(), block.heads.last()) else {
            return Ok(Vec::new());
        };
        let end = last.offset + u64::from(last.quote_len);
        let (base, _) = self.sections.get(b"MTXT").copied().unwrap_or((0, 0));
        let len = end
            .checked_sub(first.offset)
            .ok_or_else(|| damaged(Path::new("index")))?;
        let text = self.read_at(base.saturating_add(first.offset), len)?;
        block
            .heads
            .iter()
            .map(|(h, t)| {
                let at = usize::try_from(t.offset - first.offset).map_err(|_| damaged(Path::new("index")))?;
                let span = text
                    .get(at..at + t.quote_len as usize)
                    .ok_or_else(|| damaged(Path::new("index")))?;
                self.record_from(h, t, span)
            })
            .collect()
    }

    /// Mentions spoken by a person (or unresolved label), in episode and
    /// turn order of the index.
    pub fn mentions_by(&self, n: u32) -> Result<Vec<MentionRecord>> {
        let Some((off, count)) = self.node_entry(b"MSPX", n)? else {
            return Ok(Vec::new());
        };
        let (base, _) = self.sections.get(b"MSPL").copied().unwrap_or((0, 0));
        let (mbase, _) = self.sections.get(b"MREC").copied().unwrap_or((0, 0));
        let raw = self.read_at(base.saturating_add(off), u64::from(count) * 12)?;
        let mut out = Vec::with_capacity(count as usize);
        for b in raw.chunks_exact(12) {
            let mut c = Cursor::new(b);
            let (at, len) = (c.u64().unwrap_or(0), c.u32().unwrap_or(0));
            let bytes = self.read_at(mbase.saturating_add(at), u64::from(len))?;
            let (head, text) = parse_fixed(&mut Cursor::new(&bytes)).ok_or_else(|| damaged(Path::new("index")))?;
            out.push(self.mention(&head, &text)?);
        }
        Ok(out)
    }

    /// A concept's mention records in one read of their fixed fields, the
    /// text left for [`QueryIndex::record`]: counting, filtering and
    /// sorting a concept's mentions decodes no text.
    pub fn mention_block_of(&self, n: u32) -> Result<MentionBlock> {
        self.mention_block_where(n, |_| true)
    }

    /// The records of concept `n`'s block that `keep` accepts, in index
    /// order: a speaker's mentions of a concept named everywhere, without
    /// holding all the others.
    pub fn mention_block_where(&self, n: u32, mut keep: impl FnMut(&MentionHead) -> bool) -> Result<MentionBlock> {
        let (at, records) = self.mention_range(n)?;
        let mut heads = Vec::new();
        self.visit_mentions(at, records, |h, t| {
            if keep(&h) {
                heads.push((h, t));
            }
        })?;
        Ok(MentionBlock { heads })
    }

    /// The fixed fields of concept `n`'s mention records, in index order,
    /// each given to `f` as it is read: what [`mention_block_of`] gives,
    /// without holding the block.
    ///
    /// [`mention_block_of`]: Self::mention_block_of
    pub fn for_each_mention_head(&self, n: u32, mut f: impl FnMut(&MentionHead)) -> Result<()> {
        let (at, records) = self.mention_range(n)?;
        self.visit_mentions(at, records, |h, _| f(&h))
    }

    /// Where concept `n`'s mention records start in the file, and how many
    /// there are; checked to lie inside it, so that a damaged count fails
    /// here rather than reserve room for it.
    fn mention_range(&self, n: u32) -> Result<(u64, u32)> {
        let Some((off, records)) = self.node_entry(b"MCOX", n)? else {
            return Ok((0, 0));
        };
        let (base, section_len) = self.sections.get(b"MREC").copied().unwrap_or((0, 0));
        let len = u64::from(records).saturating_mul(MENTION_LEN as u64);
        let at = base.saturating_add(off);
        if off.saturating_add(len) > section_len || at.saturating_add(len) > self.source_len() {
            return Err(damaged(Path::new("index")));
        }
        Ok((at, records))
    }

    /// Reads `records` mention records from `at`, giving each to `each`.
    fn visit_mentions(&self, at: u64, records: u32, mut each: impl FnMut(MentionHead, TextRef)) -> Result<()> {
        // A few thousand records at a time: a concept named everywhere has
        // a block of megabytes, and one buffer that size costs a fresh page
        // for every 4 KB of it.
        const CHUNK: u32 = 2048;
        let mut done = 0;
        while done < records {
            let k = CHUNK.min(records - done);
            let from = at.saturating_add(u64::from(done) * MENTION_LEN as u64);
            let bytes = self.read_at(from, u64::from(k) * MENTION_LEN as u64)?;
            let mut c = Cursor::new(&bytes);
            for _ in 0..k {
                let (h, t) = parse_fixed(&mut c).ok_or_else(|| damaged(Path::new("index")))?;
                each(h, t);
            }
            done += k;
        }
        Ok(())
    }

    /// The whole record of mention `i` of a block.
    pub fn record(&self, block: &MentionBlock, i: usize) -> Result<MentionRecord> {
        let (head, text) = block.heads.get(i).ok_or_else(|| damaged(Path::new("index")))?;
        self.mention(head, text)
    }

    fn mention(&self, h: &MentionHead, t: &TextRef) -> Result<MentionRecord> {
        let (base, _) = self.sections.get(b"MTXT").copied().unwrap_or((0, 0));
        let len = u64::from(t.quote_len);
        let text = self.read_at(base.saturating_add(t.offset), len)?;
        self.record_from(h, t, &text)
    }

    /// A record from its fixed fields and its quote.
    fn record_from(&self, h: &MentionHead, t: &TextRef, quote: &[u8]) -> Result<MentionRecord> {
        let bad = || damaged(Path::new("index"));
        let id = |i: u32| self.node_id(i);
        Ok(MentionRecord {
            episode: id(h.episode).ok_or_else(bad)?.into(),
            concept: id(h.concept).ok_or_else(bad)?.into(),
            speaker: match h.speaker {
                None => ANNOUNCER.into(),
                Some(s) => id(s).ok_or_else(bad)?.into(),
            },
            turn: h.turn,
            line: h.line,
            time_ms: h.time_ms,
            span: (h.start, t.end),
            // Valid text is read in place, not copied first.
            quote: Quote::from(&*String::from_utf8_lossy(quote)),
            quote_span: t.quote_span,
        })
    }
}

/// `KEYS` record `i` of `raw` (whose length is a multiple of 12):
/// (string offset, length, node).
fn key_record(raw: &[u8], i: usize) -> (u32, u32, u32) {
    let mut c = Cursor::new(&raw[i * 12..i * 12 + 12]);
    (c.u32().unwrap_or(0), c.u32().unwrap_or(0), c.u32().unwrap_or(0))
}

/// Where a mention's text lies in `MTXT`, and the spans that go with it.
#[derive(Debug, Clone, Copy)]
struct TextRef {
    offset: u64,
    quote_len: u32,
    end: u32,
    quote_span: (u32, u32),
}

/// Reads one fixed-size mention record.
fn parse_fixed(c: &mut Cursor<'_>) -> Option<(MentionHead, TextRef)> {
    let (episode, concept, speaker, turn, line) = (c.u32()?, c.u32()?, c.u32()?, c.u32()?, c.u32()?);
    let time = c.u64()?;
    let (start, end) = (c.u32()?, c.u32()?);
    let quote_span = (c.u32()?, c.u32()?);
    let (offset, quote_len) = (c.u64()?, c.u32()?);
    Some((
        MentionHead {
            episode,
            concept,
            speaker: (speaker != NONE32).then_some(speaker),
            turn,
            line,
            time_ms: (time != NONE64).then_some(time),
            start,
        },
        TextRef {
            offset,
            quote_len,
            end,
            quote_span,
        },
    ))
}

fn damaged(path: &Path) -> Error {
    Error::GraphFile {
        path: path.to_path_buf(),
        message: "the index is damaged; rebuild it with `podgraph build`".into(),
    }
}

struct Header {
    graph_json_len: u64,
    /// Number of nodes, checked against the node table.
    nodes: u64,
    sections: BTreeMap<[u8; 4], (u64, u64)>,
}

impl Header {
    fn parse(bytes: &[u8], name: &Path) -> Result<Header> {
        let bad = || damaged(name);
        if bytes.len() < 32 || &bytes[..8] != MAGIC {
            return Err(bad());
        }
        let toc_at = u64::from_le_bytes(bytes[bytes.len() - 8..].try_into().expect("8 bytes"));
        let toc = bytes.get(toc_at as usize..).ok_or_else(bad)?;
        Header::from_parts(&bytes[..24], toc, bytes.len() as u64).ok_or_else(bad)
    }

    /// Reads the header (`head`, the first 24 bytes) and the table of
    /// contents (`toc`, from its offset to the end of the file). A
    /// truncated or damaged file fails here: the table must list every
    /// section, each between the header and the table, and end with its
    /// own offset.
    fn from_parts(head: &[u8], toc: &[u8], file_len: u64) -> Option<Header> {
        const HEAD: u64 = 24;
        let mut c = Cursor::new(head);
        c.take(8)?;
        let graph_json_len = c.u64()?;
        let nodes = c.u64()?;
        let toc_at = file_len.checked_sub(toc.len() as u64)?;
        let mut c = Cursor::new(toc);
        let n = c.u32()?;
        let mut sections = BTreeMap::new();
        for _ in 0..n {
            let tag: [u8; 4] = c.take(4)?.try_into().ok()?;
            let (off, len) = (c.u64()?, c.u64()?);
            if off < HEAD || off.checked_add(len)? > toc_at {
                return None;
            }
            sections.insert(tag, (off, len));
        }
        if toc.len() - c.at != 8 || SECTIONS.iter().any(|t| !sections.contains_key(*t)) {
            return None;
        }
        Some(Header {
            graph_json_len,
            nodes,
            sections,
        })
    }
}

/// The index file written beside a `graph.json`.
pub fn path_beside(graph_json: &Path) -> PathBuf {
    graph_json.with_extension("idx")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::MentionRecord;

    fn node(id: &str, label: &str, kind: NodeKind) -> Node {
        Node {
            concept_kind: (kind == NodeKind::Concept).then_some(Kind::Technology),
            aliases: if id == "concept:kubernetes" {
                vec!["K8s".into()]
            } else {
                vec![]
            },
            ..Node::new(id.into(), label.into(), kind)
        }
    }

    fn sample() -> KnowledgeGraph {
        let mut kg = KnowledgeGraph::default();
        let k = kg.ensure_node(node("concept:kubernetes", "Kubernetes", NodeKind::Concept));
        let p = kg.ensure_node(node("person:ann", "Ann Lee", NodeKind::Person));
        let e = kg.ensure_node(node("episode:1", "One", NodeKind::Episode));
        kg.edge_mut(p, e, Relation::AppearsIn).role = Some(Role::Host);
        let d = kg.edge_mut(p, k, Relation::Discusses);
        d.weight = 2;
        d.episodes = vec!["episode:1".into()];
        kg.edge_mut(e, k, Relation::Mentions).first_ms = Some(5_000);
        for (turn, quote, at) in [(0, "We run Kubernetes.", 7), (3, "Kubernetes again, ünïcode.", 0)] {
            kg.mentions.push(MentionRecord {
                episode: "episode:1".into(),
                concept: "concept:kubernetes".into(),
                speaker: "person:ann".into(),
                turn,
                line: 10 + turn,
                time_ms: Some(5_000),
                span: (7, 17),
                quote: quote.into(),
                quote_span: (at, at + 10),
            });
        }
        kg
    }

    proptest::proptest! {
        /// Whatever order the graph lists its mentions in (a graph file
        /// may have been edited), each concept's mentions come back in
        /// graph order and its turn count is that of its distinct
        /// (episode, turn) pairs.
        #[test]
        fn mentions_by_concept_and_turn_counts_in_any_order(
            mentions in proptest::collection::vec((0usize..3, 0usize..2, 0u32..4), 0..40),
        ) {
            let mut kg = KnowledgeGraph::default();
            let concepts = ["concept:a", "concept:b"];
            for c in concepts {
                kg.ensure_node(node(c, c, NodeKind::Concept));
            }
            for e in ["episode:1", "episode:2", "episode:3"] {
                kg.ensure_node(node(e, e, NodeKind::Episode));
            }
            kg.ensure_node(node("person:ann", "Ann Lee", NodeKind::Person));
            for (n, &(ep, c, turn)) in mentions.iter().enumerate() {
                kg.mentions.push(MentionRecord {
                    episode: format!("episode:{}", ep + 1).into(),
                    concept: concepts[c].into(),
                    speaker: "person:ann".into(),
                    turn,
                    line: n as u32,
                    time_ms: None,
                    span: (0, 1),
                    quote: format!("x {n}").into(),
                    quote_span: (0, 1),
                });
            }
            let idx = QueryIndex::from_bytes(write(&kg, 0), Path::new("m")).unwrap();
            for (ci, c) in concepts.iter().enumerate() {
                let k = idx.find_key(&c[8..])[0];
                let ours: Vec<u32> = idx.mentions_of(k).unwrap().iter().map(|m| m.line).collect();
                let plain: Vec<u32> = (0..mentions.len() as u32).filter(|&n| mentions[n as usize].1 == ci).collect();
                proptest::prop_assert_eq!(ours, plain);
                let turns: BTreeSet<(usize, u32)> =
                    mentions.iter().filter(|m| m.1 == ci).map(|m| (m.0, m.2)).collect();
                proptest::prop_assert_eq!(idx.mention_turns(k).unwrap() as usize, turns.len());
            }
        }
    }

    /// Quotes shared from one text (an episode's quotes) are written once,
    /// as that text, and each mention reads its own back, by concept and
    /// by speaker; quotes of their own are written each.
    #[test]
    fn shared_quotes_are_written_once() {
        let mut kg = sample();
        let text: std::sync::Arc<str> = "Kubernetes and Go. Go again.".into();
        let shared = |at| Quote::shared(text.clone(), at).unwrap();
        let mut extra = kg.mentions[0].clone();
        extra.concept = "concept:go".into();
        kg.ensure_node(node("concept:go", "Go", NodeKind::Concept));
        let mut mentions = vec![
            kg.mentions[0].clone(),
            extra.clone(),
            extra.clone(),
            kg.mentions[1].clone(),
        ];
        mentions[0].quote = shared((0, 18));
        mentions[0].quote_span = (0, 10);
        mentions[1].quote = shared((0, 18));
        mentions[1].quote_span = (15, 17);
        mentions[2].quote = shared((19, 28));
        mentions[2].quote_span = (0, 2);
        kg.mentions = mentions;
        let Prepared { sections, .. } = prepare(&kg);
        let Some((_, Section::Texts(texts))) = sections.iter().find(|(t, _)| t == b"MTXT") else {
            panic!("no texts")
        };
        assert_eq!(texts, &["Kubernetes and Go. Go again.", "Kubernetes again, ünïcode."]);
        let idx = QueryIndex::from_bytes(write(&kg, 0), Path::new("m")).unwrap();
        let all = |n: u32| idx.mentions_of(n).unwrap();
        let quotes = |ms: Vec<MentionRecord>| {
            ms.iter()
                .map(|m| (m.quote.to_string(), m.matched().to_string()))
                .collect::<Vec<_>>()
        };
        let go = idx.find_id("concept:go").unwrap();
        let k8s = idx.find_id("concept:kubernetes").unwrap();
        let ann = idx.find_id("person:ann").unwrap();
        let q = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(quotes(all(go)), [q("Kubernetes and Go.", "Go"), q("Go again.", "Go")]);
        assert_eq!(
            quotes(all(k8s)),
            [
                q("Kubernetes and Go.", "Kubernetes"),
                q("Kubernetes again, ünïcode.", "Kubernetes")
            ]
        );
        assert_eq!(quotes(idx.mentions_by(ann).unwrap()).len(), 4);
        assert_eq!(idx.mentions_by(ann).unwrap(), kg.mentions);
    }

    #[test]
    fn size_of_graph_json_set_after_writing() {
        let kg = sample();
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("graph.idx");
        let mut f = std::fs::File::create(&p).unwrap();
        prepare(&kg).write_to(&mut f, 0).unwrap();
        set_graph_json_len(&mut f, 1234).unwrap();
        drop(f);
        assert_eq!(std::fs::read(&p).unwrap(), write(&kg, 1234));
        assert_eq!(QueryIndex::open(&p).unwrap().graph_json_len(), 1234);
    }

    #[test]
    fn an_index_of_another_version_is_named_so() {
        let mut bytes = write(&sample(), 1234);
        bytes[..8].copy_from_slice(b"PGIDX002");
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("graph.idx");
        std::fs::write(&p, &bytes).unwrap();
        let e = QueryIndex::open(&p).unwrap_err().to_string();
        assert!(e.contains("another version of podgraph; rebuild it"), "{e}");
    }

    #[test]
    fn round_trip_in_memory_and_on_disk() {
        let kg = sample();
        let bytes = write(&kg, 1234);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("graph.idx");
        std::fs::write(&p, &bytes).unwrap();
        for idx in [
            QueryIndex::from_bytes(bytes, Path::new("m")).unwrap(),
            QueryIndex::open(&p).unwrap(),
        ] {
            assert_eq!(idx.graph_json_len(), 1234);
            let k = idx.find_key("k8s")[0];
            assert_eq!(idx.node(k).unwrap().label, "Kubernetes");
            let m = idx.mentions_of(k).unwrap();
            assert_eq!(m.len(), 2);
            assert_eq!(m[1].quote, "Kubernetes again, ünïcode.");
            assert_eq!(m[1].matched(), "Kubernetes");
            let ann = idx.find_key("ann lee")[0];
            assert_eq!(idx.mentions_by(ann).unwrap(), m);
            let out = idx.out_edges(ann).unwrap();
            assert_eq!(out.len(), 2);
            assert!(
                out.iter()
                    .any(|a| a.edge.relation == Relation::Discusses && a.edge.episodes == ["episode:1"])
            );
            assert!(out.iter().any(|a| a.edge.role == Some(Role::Host)));
            let into_k = idx.in_edges(k).unwrap();
            assert!(into_k.iter().any(|a| a.edge.first_ms == Some(5_000)));
            assert_eq!(idx.mention_turns(k).unwrap(), 2);
        }
    }

    #[test]
    fn nodes_decode_on_demand_as_written() {
        let mut kg = sample();
        let mut n = node("concept:prometheus", "Prometheus", NodeKind::Concept);
        n.aliases = vec!["prom".into(), "Prometheus TSDB".into()];
        n.url = Some("https://prometheus.io".into());
        n.number = Some(7);
        kg.ensure_node(n);
        let idx = QueryIndex::from_graph(&kg);
        let order = kg.sorted_nodes();
        assert_eq!(idx.node_count(), order.len());
        // Out of order, twice each: the cache must not mix nodes up.
        for i in (0..order.len()).rev().chain(0..order.len()) {
            let expected = &kg.graph[order[i]];
            assert_eq!(idx.node(i as u32), Some(expected));
            assert_eq!(idx.node_id(i as u32), Some(expected.id.as_str()));
            assert_eq!(idx.find_id(&expected.id), Some(i as u32));
        }
        assert_eq!(idx.node(order.len() as u32), None);
        for missing in ["", "concept:a", "concept:zzz", "person:b", "~"] {
            assert_eq!(idx.find_id(missing), None, "{missing}");
        }
    }

    #[test]
    fn damaged_files_are_errors_not_panics() {
        let bytes = write(&sample(), 0);
        for cut in 0..bytes.len() {
            let r = QueryIndex::from_bytes(bytes[..cut].to_vec(), Path::new("x"));
            assert!(r.is_err(), "cut at {cut}");
        }
        let mut flipped = bytes.clone();
        let n = flipped.len();
        flipped[n - 3] ^= 0xff;
        assert!(QueryIndex::from_bytes(flipped, Path::new("x")).is_err());
    }
}
