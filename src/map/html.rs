//! The map as one self-contained HTML page: the Graphviz SVG inline, the
//! map's data as JSON, and a small script (search, click to highlight a
//! node's neighbours, its quotes in a side panel). Nothing is fetched from
//! the network.

use super::TopicMap;
use super::dot::{ENGINE, render, to_dot};
use crate::error::Result;

const TEMPLATE: &str = include_str!("viewer.html");

/// Renders the map to SVG with Graphviz and fills the page template.
pub fn to_html(map: &TopicMap) -> Result<String> {
    let svg = render(&to_dot(map), ENGINE, "svg")?;
    Ok(page(map, &String::from_utf8_lossy(&svg)))
}

/// Fills the template with an SVG drawing and the map's data.
pub fn page(map: &TopicMap, svg: &str) -> String {
    // The SVG element alone: no XML prolog, no DOCTYPE, no comments before it.
    let svg = svg.find("<svg").map_or(svg, |i| &svg[i..]);
    let data = serde_json::to_string(map).expect("maps serialise");
    // Inside a <script> element, "</script" or "<!--" would change how the
    // page parses: no `<`, `>` or `&` reaches it (they only occur inside
    // JSON strings, where `\u003c` is the same character), nor the line
    // separators old JavaScript parsers choke on.
    let data = data
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029");
    // Split the template first: a label that happens to contain a
    // placeholder must not be replaced in turn.
    let title = escape(&map.title);
    let mut out = String::with_capacity(TEMPLATE.len() + svg.len() + data.len());
    for (i, part) in TEMPLATE.split("<!--PODGRAPH_SVG-->").enumerate() {
        if i > 0 {
            out.push_str(svg);
        }
        for (j, piece) in part.split("\"PODGRAPH_DATA\"").enumerate() {
            if j > 0 {
                out.push_str(&data);
            }
            out.push_str(&piece.replace("PODGRAPH_TITLE", &title));
        }
    }
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
