//! podgraph turns podcast transcripts into a knowledge graph of episodes,
//! speakers and concepts.
//!
//! The pipeline, one module per stage (see `ARCHITECTURE.md`):
//!
//! 1. [`transcript`]: files to [`episode::Episode`]s (metadata and turns);
//! 2. [`speakers`]: who is behind each label, with [`people`] profiles;
//! 3. [`dictionary`] and [`tagger`]: concept mentions, one Aho-Corasick
//!    automaton over every alias;
//! 4. [`corpus`]: runs 1-3 over every file in parallel and keeps what the
//!    graph needs;
//! 5. [`graph`]: the petgraph knowledge graph;
//! 6. [`export`]: JSON (networkx node-link) and DOT;
//! 7. [`related`]: related episodes from the graph, and [`eval`] of them
//!    against curated lists;
//! 8. [`pipeline`]: `podgraph build` end to end, with atomic [`output`].

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod bytes;
pub mod community;
pub mod corpus;
pub mod diagnostics;
pub mod dictionary;
pub mod dicttools;
pub mod episode;
pub mod error;
pub mod eval;
pub mod export;
pub mod graph;
pub mod index;
pub mod map;
pub mod names;
pub mod output;
pub mod people;
pub mod pipeline;
pub mod query;
pub mod related;
pub mod review;
pub mod speakers;
pub mod table;
pub mod tagger;
pub mod transcript;

pub use error::{Error, Result};
