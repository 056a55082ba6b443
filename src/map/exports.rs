//! Topic maps for other tools: JSON, GraphML and Cytoscape.js.
//!
//! GraphML (read by Gephi, yEd, Cytoscape and networkx) declares every
//! attribute with a `<key>`; nodes carry `label`, `kind`, `concept_kind`,
//! `cluster`, `cluster_name`, `mentions`, `episodes` and `size`, edges
//! `relation`, `weight` and `turns`. Cytoscape.js JSON puts the same
//! attributes in each element's `data`.

use serde_json::{Value, json};

use super::TopicMap;

/// The map as pretty JSON (the shape the HTML view embeds).
pub fn to_json(map: &TopicMap) -> String {
    let mut s = serde_json::to_string_pretty(map).expect("maps serialise");
    s.push('\n');
    s
}

/// Escapes text for XML content and attribute values; characters XML 1.0
/// forbids are dropped.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// The map as GraphML.
pub fn to_graphml(map: &TopicMap) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n",
    );
    let keys = [
        ("label", "node", "string"),
        ("kind", "node", "string"),
        ("concept_kind", "node", "string"),
        ("cluster", "node", "int"),
        ("cluster_name", "node", "string"),
        ("mentions", "node", "int"),
        ("episodes", "node", "int"),
        ("size", "node", "double"),
        ("relation", "edge", "string"),
        ("weight", "edge", "double"),
        ("turns", "edge", "int"),
    ];
    for (name, domain, ty) in keys {
        s.push_str(&format!(
            "  <key id=\"{domain}_{name}\" for=\"{domain}\" attr.name=\"{name}\" attr.type=\"{ty}\"/>\n"
        ));
    }
    s.push_str(&format!(
        "  <graph id=\"{}\" edgedefault=\"undirected\">\n",
        xml_escape(&map.title)
    ));
    let data = |s: &mut String, key: &str, v: &str| {
        s.push_str(&format!("      <data key=\"{key}\">{}</data>\n", xml_escape(v)));
    };
    for n in &map.nodes {
        s.push_str(&format!("    <node id=\"{}\">\n", xml_escape(&n.id)));
        data(&mut s, "node_label", &n.label);
        data(&mut s, "node_kind", kind_name(n.kind));
        if let Some(k) = n.concept_kind {
            data(&mut s, "node_concept_kind", k.name());
        }
        if let Some(c) = n.cluster {
            data(&mut s, "node_cluster", &c.to_string());
            data(&mut s, "node_cluster_name", &map.clusters[c].name);
        }
        data(&mut s, "node_mentions", &n.mentions.to_string());
        data(&mut s, "node_episodes", &n.episodes.to_string());
        data(&mut s, "node_size", &n.size.to_string());
        s.push_str("    </node>\n");
    }
    for e in &map.edges {
        s.push_str(&format!(
            "    <edge id=\"{}\" source=\"{}\" target=\"{}\">\n",
            xml_escape(&e.svg_id),
            xml_escape(&e.source),
            xml_escape(&e.target)
        ));
        data(&mut s, "edge_relation", &e.relation);
        data(&mut s, "edge_weight", &e.weight.to_string());
        if let Some(t) = e.turns {
            data(&mut s, "edge_turns", &t.to_string());
        }
        s.push_str("    </edge>\n");
    }
    s.push_str("  </graph>\n</graphml>\n");
    s
}

fn kind_name(k: crate::graph::NodeKind) -> &'static str {
    use crate::graph::NodeKind;
    match k {
        NodeKind::Episode => "episode",
        NodeKind::Person => "person",
        NodeKind::Concept => "concept",
        NodeKind::UnresolvedSpeaker => "unresolved_speaker",
    }
}

/// The map as Cytoscape.js elements JSON.
pub fn to_cytoscape(map: &TopicMap) -> String {
    let nodes: Vec<Value> = map
        .nodes
        .iter()
        .map(|n| {
            json!({"data": {
                "id": n.id,
                "label": n.label,
                "kind": kind_name(n.kind),
                "concept_kind": n.concept_kind.map(|k| k.name()),
                "cluster": n.cluster,
                "cluster_name": n.cluster.map(|c| map.clusters[c].name.clone()),
                "color": n.cluster.map(|c| map.clusters[c].color.clone()),
                "mentions": n.mentions,
                "episodes": n.episodes,
                "size": n.size,
                "tooltip": n.tooltip,
            }})
        })
        .collect();
    let edges: Vec<Value> = map
        .edges
        .iter()
        .map(|e| {
            json!({"data": {
                "id": e.svg_id,
                "source": e.source,
                "target": e.target,
                "relation": e.relation,
                "weight": e.weight,
                "turns": e.turns,
            }})
        })
        .collect();
    let mut s =
        serde_json::to_string_pretty(&json!({"elements": {"nodes": nodes, "edges": edges}})).expect("maps serialise");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escaping() {
        assert_eq!(
            xml_escape("a<b & \"c\" 'd'\u{1}"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;"
        );
    }
}
