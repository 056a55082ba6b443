//! networkx node-link JSON, and loading it back.
//!
//! ```json
//! { "directed": true, "multigraph": false,
//!   "graph": { "format": "podgraph-graph", "version": 1, ... },
//!   "nodes": [ { "id": "person:kelsey-hightower", "label": "Kelsey Hightower", "kind": "person", ... } ],
//!   "links": [ { "source": "...", "target": "...", "relation": "discusses", "weight": 3, ... } ],
//!   "mentions": [ { "episode": "...", "concept": "...", "speaker": "...", "quote": "...", ... } ] }
//! ```
//!
//! `networkx.node_link_graph(data, edges="links")` loads it (extra top-level
//! keys are ignored). networkx allows one link per ordered pair when
//! `multigraph` is false; in the rare case where two relations join the
//! same ordered pair (a speaker who discusses a person they are also
//! mentioned with), the second relation rides along in the link's `also`.

use std::io::Write;
use std::path::Path;

use petgraph::graph::NodeIndex;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::graph::{Edge, KnowledgeGraph, MentionRecord, Node};
use crate::names::FastMap;

/// The `format` marker of podgraph's graph files.
pub const FORMAT: &str = "podgraph-graph";
/// The version of the graph file layout.
pub const VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
struct GraphFile {
    directed: bool,
    multigraph: bool,
    graph: GraphMeta,
    nodes: Vec<Node>,
    links: Vec<Link>,
    #[serde(default)]
    mentions: Vec<MentionRecord>,
}

#[derive(Debug, Serialize, Deserialize)]
struct GraphMeta {
    format: String,
    version: u32,
    generator: String,
    #[serde(default)]
    episodes: usize,
    #[serde(default)]
    people: usize,
    #[serde(default)]
    concepts: usize,
    #[serde(default)]
    mentions: usize,
}

#[derive(Debug, Serialize, Deserialize)]
struct Link {
    source: String,
    target: String,
    #[serde(flatten)]
    edge: Edge,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    also: Vec<Edge>,
}

/// A link as written: borrowed from the graph, nothing copied.
#[derive(Serialize)]
struct LinkRef<'a> {
    source: &'a str,
    target: &'a str,
    #[serde(flatten)]
    edge: &'a Edge,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    also: Vec<&'a Edge>,
}

/// Serialises the graph as node-link JSON (see [`write()`]).
pub fn to_json(kg: &KnowledgeGraph) -> String {
    let mut out = Vec::new();
    write(kg, &mut out).expect("writing to memory cannot fail");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// Writes the graph as node-link JSON: the top level laid out on lines,
/// and each node, link and mention as one compact line, so that a
/// rebuilt graph diffs line by line and the file stays about a third
/// smaller than fully indented JSON. Streams: nothing is copied. It
/// writes many small pieces: `w` should be buffered.
pub fn write<W: Write>(kg: &KnowledgeGraph, w: &mut W) -> std::io::Result<()> {
    use crate::graph::NodeKind;
    let g = &kg.graph;
    let nodes = kg.sorted_nodes();
    let count = |k: NodeKind| nodes.iter().filter(|&&n| g[n].kind == k).count();
    // A link per edge but for the rare second relation of a pair: grown
    // instead, an archive's hundreds of thousands would be copied at every
    // doubling.
    let mut links: Vec<LinkRef> = Vec::with_capacity(g.edge_count());
    let mut pair_at: FastMap<(NodeIndex, NodeIndex), usize> = FastMap::default();
    pair_at.reserve(g.edge_count());
    for e in kg.sorted_edges() {
        let (a, b) = g.edge_endpoints(e).expect("edge exists");
        match pair_at.get(&(a, b)) {
            Some(&i) => links[i].also.push(&g[e]),
            None => {
                pair_at.insert((a, b), links.len());
                links.push(LinkRef {
                    source: &g[a].id,
                    target: &g[b].id,
                    edge: &g[e],
                    also: Vec::new(),
                });
            }
        }
    }
    let meta = GraphMeta {
        format: FORMAT.into(),
        version: VERSION,
        generator: format!("podgraph {}", env!("CARGO_PKG_VERSION")),
        episodes: count(NodeKind::Episode),
        people: count(NodeKind::Person),
        concepts: count(NodeKind::Concept),
        mentions: kg.mentions.len(),
    };
    w.write_all(b"{\n  \"directed\": true,\n  \"multigraph\": false,\n  \"graph\": ")?;
    serde_json::to_writer(&mut *w, &meta)?;
    w.write_all(b",\n")?;
    list(w, "nodes", nodes.iter().map(|&n| &g[n]), serde_item, b",\n")?;
    list(w, "links", links.iter(), serde_item, b",\n")?;
    list(w, "mentions", kg.mentions.iter(), write_mention, b"\n")?;
    w.write_all(b"}\n")?;
    w.flush()
}

/// Writes `"name": [` and the items, one per line, each by `item`, then
/// `]` and `end`.
fn list<W: Write, T>(
    w: &mut W,
    name: &str,
    items: impl Iterator<Item = T>,
    item: impl Fn(&mut W, T) -> std::io::Result<()>,
    end: &[u8],
) -> std::io::Result<()> {
    write!(w, "  \"{name}\": [")?;
    let mut first = true;
    for x in items {
        w.write_all(if first { b"\n    " } else { b",\n    " })?;
        item(w, x)?;
        first = false;
    }
    w.write_all(if first { b"]" } else { b"\n  ]" })?;
    w.write_all(end)
}

/// An item as `serde_json` writes it.
fn serde_item<W: Write, T: Serialize>(w: &mut W, item: T) -> std::io::Result<()> {
    serde_json::to_writer(w, &item).map_err(std::io::Error::from)
}

/// A mention as `serde_json` writes it, written by hand: mentions are
/// most of an archive's graph file, and most of their strings need no
/// escaping, which one vectorised pass tells.
fn write_mention<W: Write>(w: &mut W, m: &MentionRecord) -> std::io::Result<()> {
    w.write_all(b"{\"episode\":")?;
    string(w, &m.episode)?;
    w.write_all(b",\"concept\":")?;
    string(w, &m.concept)?;
    w.write_all(b",\"speaker\":")?;
    string(w, &m.speaker)?;
    w.write_all(b",\"turn\":")?;
    number(w, m.turn as u64)?;
    w.write_all(b",\"line\":")?;
    number(w, m.line as u64)?;
    if let Some(t) = m.time_ms {
        w.write_all(b",\"time_ms\":")?;
        number(w, t)?;
    }
    w.write_all(b",\"span\":[")?;
    number(w, m.span.0 as u64)?;
    w.write_all(b",")?;
    number(w, m.span.1 as u64)?;
    w.write_all(b"],\"matched\":")?;
    string(w, m.matched())?;
    w.write_all(b",\"quote\":")?;
    string(w, &m.quote)?;
    w.write_all(b",\"quote_span\":[")?;
    number(w, m.quote_span.0 as u64)?;
    w.write_all(b",")?;
    number(w, m.quote_span.1 as u64)?;
    w.write_all(b"]}")
}

/// A JSON string: as it is when nothing in it needs escaping, else as
/// `serde_json` escapes it.
fn string<W: Write>(w: &mut W, s: &str) -> std::io::Result<()> {
    // Without an early exit, the test of each 32-byte piece vectorises.
    let escape = |b: u8| (b < 0x20) | (b == b'"') | (b == b'\\');
    let plain = s
        .as_bytes()
        .chunks(32)
        .all(|c| !c.iter().fold(false, |any, &b| any | escape(b)));
    if plain {
        w.write_all(b"\"")?;
        w.write_all(s.as_bytes())?;
        w.write_all(b"\"")
    } else {
        serde_json::to_writer(w, s).map_err(std::io::Error::from)
    }
}

/// A number in decimal.
fn number<W: Write>(w: &mut W, mut n: u64) -> std::io::Result<()> {
    let mut buf = [0u8; 20];
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    w.write_all(&buf[at..])
}

/// Loads a graph written by [`to_json`]. A missing, truncated or foreign
/// file gives an error that says which.
pub fn load(path: &Path) -> Result<KnowledgeGraph> {
    let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::GraphFile {
            path: path.to_path_buf(),
            message: "no such file; run `podgraph build` first or give --graph".into(),
        },
        _ => Error::io(path, e),
    })?;
    from_json(path, &text)
}

/// Parses graph JSON text; `path` names it in errors.
pub fn from_json(path: &Path, text: &str) -> Result<KnowledgeGraph> {
    let err = |message: String| Error::GraphFile {
        path: path.to_path_buf(),
        message,
    };
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        if e.is_eof() {
            err(format!("the file is truncated ({e}); rebuild it with `podgraph build`"))
        } else {
            err(format!("not valid JSON ({e})"))
        }
    })?;
    let format = value.pointer("/graph/format").and_then(|v| v.as_str());
    if format != Some(FORMAT) {
        return Err(err(
            "not a podgraph graph file (no `graph.format: podgraph-graph`)".into()
        ));
    }
    let version = value.pointer("/graph/version").and_then(|v| v.as_u64());
    if version != Some(u64::from(VERSION)) {
        return Err(err(format!(
            "graph file version {} is not supported (expected {VERSION}); rebuild it with this podgraph",
            version.map_or("?".to_string(), |v| v.to_string())
        )));
    }
    let file: GraphFile = serde_json::from_value(value).map_err(|e| err(format!("malformed graph file ({e})")))?;
    let mut kg = KnowledgeGraph::default();
    for n in file.nodes {
        if kg.index.contains_key(&n.id) {
            return Err(err(format!("node `{}` appears twice", n.id)));
        }
        kg.ensure_node(n);
    }
    for l in file.links {
        let (Some(&a), Some(&b)) = (kg.index.get(&l.source), kg.index.get(&l.target)) else {
            return Err(err(format!("link {} -> {} names an unknown node", l.source, l.target)));
        };
        for e in std::iter::once(l.edge).chain(l.also) {
            let relation = e.relation;
            *kg.edge_mut(a, b, relation) = e;
        }
    }
    kg.mentions = file.mentions;
    Ok(kg)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn mentions_written_as_serde_json_writes_them(
            texts in proptest::collection::vec("[a \"\\\\\n\t\u{1}\u{1f}\u{7f}é’日]{0,40}", 6),
            numbers in proptest::collection::vec(proptest::num::u32::ANY, 6),
            time in proptest::option::of(proptest::num::u64::ANY),
        ) {
            let n = |i: usize| numbers[i];
            let m = MentionRecord {
                episode: texts[0].as_str().into(),
                concept: texts[1].as_str().into(),
                speaker: texts[2].as_str().into(),
                turn: n(0),
                line: n(1),
                time_ms: time,
                span: (n(2), n(3)),
                quote: format!("{}{}", texts[3], texts[4].repeat(3)).into(),
                // The words matched at the head of the quote, or a span
                // out of it (as an edited file may have): no words.
                quote_span: if n(4) % 2 == 0 { (0, texts[3].len() as u32) } else { (n(4), n(5)) },
            };
            let mut ours = Vec::new();
            write_mention(&mut ours, &m).unwrap();
            proptest::prop_assert_eq!(String::from_utf8(ours).unwrap(), serde_json::to_string(&m).unwrap());
        }
    }
}
