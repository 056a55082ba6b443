//! Graphviz DOT: statements built as a `graphviz-rust` syntax tree and
//! printed (the topic maps draw with them), and the whole graph's
//! `graph.dot`, written straight out as the same text.
//!
//! Node kinds are told apart by shape and colour (legend in the README).
//! `graph.dot` holds the structure a reader can follow: who appears in
//! which episode, what each episode mentions, curated related links.
//! Speaker-concept and co-occurrence edges (far more numerous) live in the
//! JSON and in the `map` views.
//!
//! Every id and label is quoted as [`quote`] does it: names with quotes,
//! backslashes or line breaks are escaped, so any input yields valid DOT.

use graphviz_rust::dot_structures::{
    Attribute, Edge as DotEdge, EdgeTy, Graph, GraphAttributes, Id, Node as DotNode, NodeId, Stmt, Vertex,
};
use std::fmt::Write as _;

use graphviz_rust::printer::{DotPrinter, PrinterContext};

use crate::dictionary::Kind;
use crate::graph::{KnowledgeGraph, Node, NodeKind, Relation};

/// A DOT quoted string for any text: `"` and `\` are escaped, line breaks
/// become `\n`, other control characters are written as a visible
/// `\u{9}` (so that ids differing by one stay distinct).
pub fn quote(text: &str) -> Id {
    let mut s = String::with_capacity(text.len() + 2);
    push_quoted(&mut s, text);
    Id::Escaped(s)
}

/// Appends `text` to `s` as [`quote`] writes it.
fn push_quoted(s: &mut String, text: &str) {
    s.push('"');
    // Runs of plain characters are copied whole.
    let mut plain = 0;
    for (i, c) in text.char_indices() {
        let escaped = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            c if c.is_control() => "",
            _ => continue,
        };
        s.push_str(&text[plain..i]);
        if escaped.is_empty() {
            let _ = write!(s, "\\\\u{{{:x}}}", c as u32);
        } else {
            s.push_str(escaped);
        }
        plain = i + c.len_utf8();
    }
    s.push_str(&text[plain..]);
    s.push('"');
}

/// An attribute with a quoted value.
pub fn attr(name: &str, value: &str) -> Attribute {
    Attribute(Id::Plain(name.to_string()), quote(value))
}

/// Shape and fill colour of a node kind.
pub fn style_of(node: &Node) -> (&'static str, &'static str) {
    match (node.kind, node.concept_kind) {
        (NodeKind::Episode, _) => ("box", "#cfe2f3"),
        (NodeKind::Person, _) => ("ellipse", "#ffe599"),
        (NodeKind::UnresolvedSpeaker, _) => ("ellipse", "#eeeeee"),
        (_, Some(Kind::Technology)) => ("hexagon", "#d9ead3"),
        (_, Some(Kind::Organization)) => ("house", "#f4cccc"),
        (_, Some(Kind::Topic)) => ("note", "#ead1dc"),
        (_, Some(Kind::Event)) => ("octagon", "#fce5cd"),
        (_, Some(Kind::Publication)) => ("tab", "#d0e0e3"),
        (_, _) => ("ellipse", "#ffffff"),
    }
}

/// The DOT node statement for a graph node.
pub fn node_stmt(node: &Node, extra: Vec<Attribute>) -> Stmt {
    let (shape, fill) = style_of(node);
    let mut attrs = vec![
        attr("label", &node.label),
        attr("shape", shape),
        attr("fillcolor", fill),
    ];
    if node.kind == NodeKind::UnresolvedSpeaker {
        attrs.push(attr("style", "filled,dashed"));
    }
    attrs.extend(extra);
    Stmt::Node(DotNode::new(NodeId(quote(&node.id), None), attrs))
}

/// A DOT edge statement between two node ids.
pub fn edge_stmt(from: &str, to: &str, attrs: Vec<Attribute>) -> Stmt {
    Stmt::Edge(DotEdge {
        ty: EdgeTy::Pair(Vertex::N(NodeId(quote(from), None)), Vertex::N(NodeId(quote(to), None))),
        attributes: attrs,
    })
}

/// Default graph, node and edge attributes shared by podgraph's drawings.
pub fn preamble(rankdir: &str) -> Vec<Stmt> {
    vec![
        Stmt::GAttribute(GraphAttributes::Graph(vec![
            attr("rankdir", rankdir),
            attr("fontname", "Helvetica"),
            attr("overlap", "false"),
            attr("splines", "true"),
        ])),
        Stmt::GAttribute(GraphAttributes::Node(vec![
            attr("style", "filled"),
            attr("fontname", "Helvetica"),
            attr("fontsize", "11"),
        ])),
        Stmt::GAttribute(GraphAttributes::Edge(vec![
            attr("color", "#999999"),
            attr("arrowsize", "0.6"),
        ])),
    ]
}

/// Prints a graph to DOT text.
pub fn print(graph: Graph) -> String {
    let mut s = graph.print(&mut PrinterContext::default());
    s.push('\n');
    s
}

/// The whole knowledge graph as DOT (see the module docs for what is drawn),
/// as [`write_dot`] writes it.
pub fn to_dot(kg: &KnowledgeGraph) -> String {
    let mut out = Vec::new();
    write_dot(kg, &mut out).expect("writing to memory cannot fail");
    String::from_utf8(out).expect("DOT is written from UTF-8 text")
}

/// Writes the whole knowledge graph as DOT to `w`, a statement at a time.
///
/// An archive's graph has a statement per node and edge, millions of them:
/// the text is written straight out, the same text `graphviz-rust` prints
/// for the same statements (a test holds it to that), without building
/// their syntax tree first, and without the whole text in memory. It
/// writes a line at a time: `w` should be buffered.
pub fn write_dot<W: std::io::Write>(kg: &KnowledgeGraph, w: &mut W) -> std::io::Result<()> {
    let g = &kg.graph;
    w.write_all(b"digraph \"podgraph\" {\n")?;
    w.write_all(
        concat!(
            "  graph[rankdir=\"LR\" fontname=\"Helvetica\" overlap=\"false\" splines=\"true\"]\n",
            "  node[style=\"filled\" fontname=\"Helvetica\" fontsize=\"11\"]\n",
            "  edge[color=\"#999999\" arrowsize=\"0.6\"]\n",
        )
        .as_bytes(),
    )?;
    let attrs = |s: &mut String, list: &[(&str, &str)]| {
        s.push('[');
        for (k, (name, value)) in list.iter().enumerate() {
            if k > 0 {
                s.push(' ');
            }
            s.push_str(name);
            s.push('=');
            push_quoted(s, value);
        }
        s.push_str("]\n");
    };
    // One statement's line, made here (quoting needs a `String`) and
    // handed to `w`.
    let mut s = String::new();
    for i in kg.sorted_nodes() {
        let n = &g[i];
        let (shape, fill) = style_of(n);
        let tooltip = tooltip(n);
        s.clear();
        s.push_str("  ");
        push_quoted(&mut s, &n.id);
        let dashed = n.kind == NodeKind::UnresolvedSpeaker;
        let list = [
            ("label", n.label.as_str()),
            ("shape", shape),
            ("fillcolor", fill),
            ("style", "filled,dashed"),
            ("tooltip", &tooltip),
        ];
        if dashed {
            attrs(&mut s, &list);
        } else {
            attrs(&mut s, &[list[0], list[1], list[2], list[4]]);
        }
        w.write_all(s.as_bytes())?;
    }
    for e in kg.sorted_edges() {
        let (a, b) = g.edge_endpoints(e).expect("edge exists");
        let edge = &g[e];
        let width;
        let list: &[(&str, &str)] = match edge.relation {
            Relation::AppearsIn => {
                width = penwidth(edge.weight);
                &[
                    ("label", edge.role.map_or("", |r| r.name())),
                    ("penwidth", &width),
                    ("color", "#b45f06"),
                ]
            }
            Relation::Mentions if edge.weight > 0 => {
                width = penwidth(edge.weight);
                &[("penwidth", &width)]
            }
            Relation::Related => &[("color", "#1155cc"), ("style", "bold")],
            _ => continue,
        };
        s.clear();
        s.push_str("  ");
        push_quoted(&mut s, &g[a].id);
        s.push_str(" -> ");
        push_quoted(&mut s, &g[b].id);
        s.push(' ');
        attrs(&mut s, list);
        w.write_all(s.as_bytes())?;
    }
    w.write_all(b"}\n")
}

/// A node's tooltip: its counts.
fn tooltip(n: &Node) -> String {
    match n.kind {
        NodeKind::Episode => format!("{} turns", n.turns),
        NodeKind::Person => format!("{} turns, {} mentions, {} episodes", n.turns, n.mentions, n.episodes),
        _ => format!("{} mentions in {} episodes", n.mentions, n.episodes),
    }
}

/// Line width growing with the log of a weight, as DOT text.
pub fn penwidth(weight: usize) -> String {
    format!("{:.1}", 1.0 + (weight as f64).ln_1p() / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The graph's DOT as a `graphviz-rust` syntax tree, printed.
    fn to_dot_with_syntax_tree(kg: &KnowledgeGraph) -> String {
        let g = &kg.graph;
        let mut stmts = preamble("LR");
        for i in kg.sorted_nodes() {
            let n = &g[i];
            stmts.push(node_stmt(n, vec![attr("tooltip", &tooltip(n))]));
        }
        for e in kg.sorted_edges() {
            let (a, b) = g.edge_endpoints(e).expect("edge exists");
            let edge = &g[e];
            let attrs = match edge.relation {
                Relation::AppearsIn => vec![
                    attr("label", edge.role.map_or("", |r| r.name())),
                    attr("penwidth", &penwidth(edge.weight)),
                    attr("color", "#b45f06"),
                ],
                Relation::Mentions if edge.weight > 0 => vec![attr("penwidth", &penwidth(edge.weight))],
                Relation::Related => vec![attr("color", "#1155cc"), attr("style", "bold")],
                _ => continue,
            };
            stmts.push(edge_stmt(&g[a].id, &g[b].id, attrs));
        }
        print(Graph::DiGraph {
            id: quote("podgraph"),
            strict: false,
            stmts,
        })
    }

    #[test]
    fn written_as_graphviz_rust_prints_it() {
        let mut kg = KnowledgeGraph::default();
        let mut add = |id: &str, label: &str, kind| kg.ensure_node(Node::new(id.into(), label.into(), kind));
        let k = add("concept:c\"q", "C \"quoted\" \\ back\nline\u{7}", NodeKind::Concept);
        let p = add("person:o'brien", "Zoë O'Brien", NodeKind::Person);
        let e = add("episode:1", "One", NodeKind::Episode);
        let f = add("episode:2", "Two", NodeKind::Episode);
        let u = add("label:1:Voice", "Voice (unresolved, 1)", NodeKind::UnresolvedSpeaker);
        kg.edge_mut(p, e, Relation::AppearsIn).role = Some(crate::speakers::Role::Host);
        kg.edge_mut(u, f, Relation::AppearsIn).weight = 3;
        kg.edge_mut(e, k, Relation::Mentions).weight = 12;
        kg.edge_mut(f, k, Relation::Mentions);
        kg.edge_mut(e, f, Relation::Related);
        kg.edge_mut(p, k, Relation::Discusses).weight = 2;
        let text = to_dot(&kg);
        assert_eq!(text, to_dot_with_syntax_tree(&kg));
        assert!(
            text.contains(r#""person:o'brien" -> "episode:1" [label="host""#),
            "{text}"
        );
        graphviz_rust::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    }

    #[test]
    fn quoting_escapes_everything() {
        let Id::Escaped(s) = quote("a \"b\" \\c\nd\u{7}") else {
            panic!()
        };
        assert_eq!(s, "\"a \\\"b\\\" \\\\c\\nd\\\\u{7}\"");
    }

    #[test]
    fn printed_dot_parses_back() {
        let stmts = vec![
            node_stmt(
                &Node::new("person:o\"brien\\x".into(), "O\"Brien \\ x".into(), NodeKind::Person),
                vec![],
            ),
            edge_stmt("person:o\"brien\\x", "episode:1", vec![]),
        ];
        let text = print(Graph::DiGraph {
            id: quote("g"),
            strict: false,
            stmts,
        });
        graphviz_rust::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    }
}
