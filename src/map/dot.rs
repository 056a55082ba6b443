//! Drawing a topic map: DOT through `graphviz-rust`, laid out and rendered
//! by the Graphviz programs.
//!
//! Concepts are filled with a light tint of their cluster's colour and
//! outlined in the colour itself; their label grows with their mentions.
//! People and episodes keep the shapes and colours of `graph.dot`. Every
//! node and edge carries an `id` (`n3`, `e7`) that the SVG keeps, which the
//! HTML view uses, and a tooltip. The legend (node kinds and clusters) is
//! the graph's label, a small HTML-like table.

use std::io::Write;
use std::process::{Command, Stdio};

use graphviz_rust::dot_structures::{Attribute, Graph, GraphAttributes, Id, Stmt};

use super::{MapNode, TopicMap, UNCLUSTERED};
use crate::error::{Error, Result};
use crate::export::dot::{attr, edge_stmt, print, quote, style_of};
use crate::graph::NodeKind;

/// The Graphviz program that lays maps out.
pub const ENGINE: &str = "neato";

/// Output formats Graphviz renders for podgraph.
pub const FORMATS: &[&str] = &["svg", "png", "pdf"];

/// A colour `t` of the way from `hex` to white.
fn tint(hex: &str, t: f64) -> String {
    let c = |i: usize| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("cc"), 16).unwrap_or(204) as f64;
    let mix = |v: f64| (v + (255.0 - v) * t).round() as u8;
    format!("#{:02x}{:02x}{:02x}", mix(c(1)), mix(c(3)), mix(c(5)))
}

/// Escapes text for an HTML-like Graphviz label.
fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn node_attrs(map: &TopicMap, n: &MapNode) -> Vec<Attribute> {
    let fake = crate::graph::Node {
        concept_kind: n.concept_kind,
        ..crate::graph::Node::new(n.id.clone(), n.label.clone(), n.kind)
    };
    let (shape, kind_fill) = style_of(&fake);
    let is_concept = matches!(n.kind, NodeKind::Concept) || (n.kind == NodeKind::Person && n.mentions > 0);
    let (fill, border, pen) = match n.cluster.and_then(|c| map.clusters.get(c)) {
        Some(c) => (tint(&c.color, 0.55), c.color.clone(), "2"),
        None if is_concept && n.kind == NodeKind::Concept => (UNCLUSTERED.to_string(), "#999999".to_string(), "1"),
        None => (kind_fill.to_string(), "#666666".to_string(), "1"),
    };
    let font = match (n.focus, n.mentions > 0) {
        (true, _) => 24.0,
        (false, true) => 10.0 + 16.0 * n.size,
        (false, false) => 12.0,
    };
    let mut attrs = vec![
        attr("id", &n.svg_id),
        attr("label", &n.label),
        attr("shape", shape),
        attr("fillcolor", &fill),
        attr("color", &border),
        attr("penwidth", pen),
        attr("fontsize", &format!("{font:.1}")),
        attr("tooltip", &n.tooltip),
    ];
    if n.kind == NodeKind::UnresolvedSpeaker {
        attrs.push(attr("style", "filled,dashed"));
    }
    if n.focus {
        attrs.push(attr("penwidth", "3"));
    }
    attrs
}

/// The legend: node kinds, then clusters with their colours.
fn legend(map: &TopicMap) -> String {
    let mut rows = format!(
        "<tr><td width=\"16\" fixedsize=\"true\"></td><td align=\"left\"><b>{}</b></td></tr>\
         <tr><td width=\"16\" fixedsize=\"true\"></td><td align=\"left\">box: episode · ellipse: person · hexagon: technology · \
         house: organization · note: topic · octagon: event · tab: publication; colour: topic cluster</td></tr>",
        html_escape(&map.title)
    );
    for c in &map.clusters {
        rows.push_str(&format!(
            "<tr><td bgcolor=\"{}\" width=\"16\" height=\"12\" fixedsize=\"true\"></td>\
             <td align=\"left\" balign=\"left\">{}</td></tr>",
            html_escape(&tint(&c.color, 0.3)),
            html_escape(&c.name)
        ));
    }
    format!("<<table border=\"0\" cellborder=\"0\" cellspacing=\"2\" >{rows}</table>>")
}

/// The map as DOT text.
pub fn to_dot(map: &TopicMap) -> String {
    let mut stmts = vec![
        Stmt::GAttribute(GraphAttributes::Graph(vec![
            attr("overlap", "prism"),
            attr("overlap_scaling", "2"),
            attr("splines", "true"),
            attr("outputorder", "edgesfirst"),
            attr("fontname", "Helvetica"),
            attr("fontsize", "11"),
            attr("labelloc", "b"),
            attr("labeljust", "l"),
            attr("pad", "0.3"),
            attr("sep", "+6"),
            attr("tooltip", &map.title),
            Attribute(Id::Plain("label".into()), Id::Html(legend(map))),
        ])),
        Stmt::GAttribute(GraphAttributes::Node(vec![
            attr("style", "filled"),
            attr("fontname", "Helvetica"),
            attr("margin", "0.08,0.04"),
        ])),
        Stmt::GAttribute(GraphAttributes::Edge(vec![attr("color", "#8c8c8c")])),
    ];
    let svg_of: std::collections::HashMap<&str, &str> =
        map.nodes.iter().map(|n| (n.id.as_str(), n.svg_id.as_str())).collect();
    for n in &map.nodes {
        stmts.push(Stmt::Node(graphviz_rust::dot_structures::Node::new(
            graphviz_rust::dot_structures::NodeId(Id::Plain(n.svg_id.clone()), None),
            node_attrs(map, n),
        )));
    }
    for e in &map.edges {
        let (Some(a), Some(b)) = (svg_of.get(e.source.as_str()), svg_of.get(e.target.as_str())) else {
            continue;
        };
        let (width, tip) = if e.relation == "co_occurs" {
            (
                0.6 + 3.0 * e.weight.max(0.0),
                format!(
                    "named together in {} turns (NPMI {:.2})",
                    e.turns.unwrap_or(0),
                    e.weight
                ),
            )
        } else {
            (
                0.6 + (1.0 + e.weight).ln() / 2.0,
                format!("{} ({})", e.relation.replace('_', " "), e.weight),
            )
        };
        stmts.push(edge_stmt(
            a,
            b,
            vec![
                attr("id", &e.svg_id),
                attr("penwidth", &format!("{width:.2}")),
                attr("tooltip", &tip),
            ],
        ));
    }
    print(Graph::Graph {
        id: quote("podgraph_map"),
        strict: false,
        stmts,
    })
}

/// Lays out and renders DOT with Graphviz's `engine` into `format`.
pub fn render(dot: &str, engine: &str, format: &str) -> Result<Vec<u8>> {
    let mut child = Command::new(engine)
        .arg(format!("-T{format}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Error::External(format!(
                    "Graphviz's `{engine}` program was not found, and rendering needs it; install Graphviz \
                     (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz; \
                     Windows: winget install graphviz), or use --render dot"
                ))
            } else {
                Error::External(format!("cannot run `{engine}`: {e}"))
            }
        })?;
    // Feed stdin from a thread so a large output cannot deadlock the pipes.
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| Error::External("no stdin for Graphviz".into()))?;
    let input = dot.as_bytes().to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child
        .wait_with_output()
        .map_err(|e| Error::External(format!("`{engine}` failed: {e}")))?;
    let _ = writer.join();
    if !out.status.success() {
        return Err(Error::External(format!(
            "`{engine} -T{format}` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(out.stdout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tints_go_towards_white() {
        assert_eq!(tint("#000000", 0.5), "#808080");
        assert_eq!(tint("#4e79a7", 0.0), "#4e79a7");
        assert_eq!(tint("#4e79a7", 1.0), "#ffffff");
    }

    #[test]
    fn legend_escapes_names() {
        let map = TopicMap {
            title: "A <b> & \"c\"".into(),
            nodes: vec![],
            edges: vec![],
            clusters: vec![],
            evidence: Default::default(),
        };
        let l = legend(&map);
        assert!(l.contains("A &lt;b&gt; &amp; &quot;c&quot;"), "{l}");
        graphviz_rust::parse(&to_dot(&map)).expect("parses");
    }
}
