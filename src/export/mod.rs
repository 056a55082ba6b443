//! Exports of the knowledge graph.
//!
//! - [`json`]: networkx node-link JSON with the mentions and their evidence;
//!   what `podgraph build` writes as `graph.json` and what queries load back.
//! - [`dot`]: Graphviz DOT built with `graphviz-rust`, every label escaped.
//!
//! Exports iterate nodes and edges sorted by id, so the same graph always
//! gives the same bytes.

pub mod dot;
pub mod json;
