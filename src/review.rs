//! The speaker review report behind `podgraph speakers`.
//!
//! For every episode: each label as written, the person (or announcer) it
//! was read as, its number of turns and the evidence used, so that an
//! editor can check the resolution and fix the metadata where it is wrong.

use serde::Serialize;

use crate::corpus::Corpus;
use crate::speakers::{Role, Voice};
use crate::table;

/// One label's line in the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelRow {
    /// The label as written.
    pub label: String,
    /// Who it was read as: a name, `announcer`, or `unresolved`.
    pub speaker: String,
    /// Role, for people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// Turns with this label.
    pub turns: usize,
    /// Of those, stock announcements given to the announcer.
    pub stock_turns: usize,
    /// Why.
    pub evidence: Vec<String>,
}

/// One episode's part of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EpisodeRow {
    /// Episode id.
    pub episode: String,
    /// Source file.
    pub file: String,
    /// Labels, most used first.
    pub labels: Vec<LabelRow>,
}

/// Builds the report.
pub fn speakers(corpus: &Corpus) -> Vec<EpisodeRow> {
    corpus
        .episodes
        .iter()
        .zip(&corpus.casts)
        .map(|(ep, cast)| {
            let mut labels: Vec<LabelRow> = cast
                .labels
                .iter()
                .map(|r| {
                    let (speaker, role) = match r.voice {
                        Voice::Member(m) => (cast.members[m].name.clone(), Some(cast.members[m].role)),
                        Voice::Announcer => ("announcer".to_string(), None),
                        Voice::Unresolved => ("unresolved".to_string(), None),
                    };
                    LabelRow {
                        label: r.label.clone(),
                        speaker,
                        role,
                        turns: r.turns,
                        stock_turns: r.stock_turns,
                        evidence: r.evidence.clone(),
                    }
                })
                .collect();
            labels.sort_by(|a, b| b.turns.cmp(&a.turns).then(a.label.cmp(&b.label)));
            EpisodeRow {
                episode: ep.meta.id.clone(),
                file: ep.source.display().to_string(),
                labels,
            }
        })
        .collect()
}

/// Renders the report as an aligned table.
pub fn speakers_table(rows: &[EpisodeRow]) -> String {
    let mut body = Vec::new();
    for ep in rows {
        for l in &ep.labels {
            let who = match l.role {
                Some(role) => format!("{} ({role})", l.speaker),
                None => l.speaker.clone(),
            };
            let turns = if l.stock_turns > 0 && l.stock_turns < l.turns {
                format!("{} ({} stock)", l.turns, l.stock_turns)
            } else {
                l.turns.to_string()
            };
            body.push(vec![
                ep.episode.clone(),
                l.label.clone(),
                who,
                turns,
                l.evidence.join("; "),
            ]);
        }
    }
    table::render(&["EPISODE", "LABEL", "SPEAKER", "TURNS", "EVIDENCE"], &body)
}
