//! Graphviz DOT, built as a `graphviz-rust` syntax tree and printed.
//!
//! Node kinds are told apart by shape and colour (legend in the README).
//! `graph.dot` holds the structure a reader can follow: who appears in
//! which episode, what each episode mentions, curated related links.
//! Speaker-concept and co-occurrence edges (far more numerous) live in the
//! JSON and in the `map` views.
//!
//! Every id and label goes through [`quote`]: names with quotes,
//! backslashes or line breaks are escaped, so any input yields valid DOT.

use graphviz_rust::dot_structures::{
    Attribute, Edge as DotEdge, EdgeTy, Graph, GraphAttributes, Id, Node as DotNode, NodeId, Stmt, Vertex,
};
use graphviz_rust::printer::{DotPrinter, PrinterContext};

use crate::dictionary::Kind;
use crate::graph::{KnowledgeGraph, Node, NodeKind, Relation};

/// A DOT quoted string for any text: `"` and `\` are escaped, line breaks
/// become `\n`, other control characters are written as a visible
/// `\u{9}` (so that ids differing by one stay distinct).
pub fn quote(text: &str) -> Id {
    let mut s = String::with_capacity(text.len() + 2);
    s.push('"');
    for c in text.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            c if c.is_control() => s.push_str(&format!("\\\\u{{{:x}}}", c as u32)),
            c => s.push(c),
        }
    }
    s.push('"');
    Id::Escaped(s)
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

/// The whole knowledge graph as DOT (see the module docs for what is drawn).
pub fn to_dot(kg: &KnowledgeGraph) -> String {
    let g = &kg.graph;
    let mut stmts = preamble("LR");
    for i in kg.sorted_nodes() {
        let n = &g[i];
        let tooltip = match n.kind {
            NodeKind::Episode => format!("{} turns", n.turns),
            NodeKind::Person => format!("{} turns, {} mentions, {} episodes", n.turns, n.mentions, n.episodes),
            _ => format!("{} mentions in {} episodes", n.mentions, n.episodes),
        };
        stmts.push(node_stmt(n, vec![attr("tooltip", &tooltip)]));
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

/// Line width growing with the log of a weight, as DOT text.
pub fn penwidth(weight: usize) -> String {
    format!("{:.1}", 1.0 + (weight as f64).ln_1p() / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

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
