//! Evaluating related-episode recommendations against curated lists.
//!
//! `podgraph eval related` treats each episode's curated `related` list as
//! the truth and asks the recommender for that episode, leave-one-out: the
//! episode's own list is never used to score it (the recommender ignores it
//! by construction). Two settings: all episodes are candidates, or only
//! those published earlier (`--earlier-only`, as an editor adding a new
//! episode sees it; episodes with no earlier relevant episode are left
//! out). Metrics are averaged over the queries: recall@3, recall@5, MRR and
//! nDCG@5 with binary relevance.
//!
//! Simple baselines run in the same pass, so the numbers can be read
//! against them: random order (mean over many seeded shuffles),
//! popularity (how many *other* episodes' lists link to a candidate, ties
//! in random order) and recency (latest first, earlier-only setting).

use std::collections::BTreeSet;

use serde::Serialize;

use crate::related::WalkGraph;

/// Shuffles averaged for the random baselines.
const SHUFFLES: u64 = 500;

/// Averaged metrics of one method in one setting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Metrics {
    /// Queries evaluated.
    pub queries: usize,
    /// Mean recall at 3.
    pub recall_at_3: f64,
    /// Mean recall at 5.
    pub recall_at_5: f64,
    /// Mean reciprocal rank of the first relevant episode.
    pub mrr: f64,
    /// Mean nDCG at 5.
    pub ndcg_at_5: f64,
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// `earlier-only` or `all-episodes`.
    pub setting: &'static str,
    /// `podgraph`, `popularity`, `recency`, `random`.
    pub method: &'static str,
    /// The metrics.
    #[serde(flatten)]
    pub metrics: Metrics,
}

/// Metrics of one ranked list against a relevant set.
fn score_ranking(ranking: &[usize], relevant: &BTreeSet<usize>) -> [f64; 4] {
    let hits = |k: usize| ranking.iter().take(k).filter(|c| relevant.contains(c)).count() as f64;
    let n = relevant.len() as f64;
    let mrr = ranking
        .iter()
        .position(|c| relevant.contains(c))
        .map_or(0.0, |p| 1.0 / (p as f64 + 1.0));
    let dcg: f64 = ranking
        .iter()
        .take(5)
        .enumerate()
        .filter(|(_, c)| relevant.contains(c))
        .map(|(i, _)| 1.0 / (i as f64 + 2.0).log2())
        .sum();
    let idcg: f64 = (0..relevant.len().min(5)).map(|i| 1.0 / (i as f64 + 2.0).log2()).sum();
    [hits(3) / n, hits(5) / n, mrr, if idcg > 0.0 { dcg / idcg } else { 0.0 }]
}

/// splitmix64: a tiny, well-known PRNG, enough for seeded shuffles.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Orders candidates by descending key, ties in a seeded random order.
fn rank_by(cands: &[usize], key: impl Fn(usize) -> f64, seed: u64) -> Vec<usize> {
    let mut state = seed;
    let mut keyed: Vec<(f64, u64, usize)> = cands.iter().map(|&c| (key(c), splitmix(&mut state), c)).collect();
    keyed.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    keyed.into_iter().map(|(_, _, c)| c).collect()
}

/// Evaluates the recommender and the baselines on a walk graph.
pub fn evaluate(w: &WalkGraph) -> Vec<Row> {
    let mut rows = Vec::new();
    for (setting, earlier) in [("earlier-only", true), ("all-episodes", false)] {
        let mut sums: [[f64; 4]; 4] = [[0.0; 4]; 4];
        let mut queries = 0;
        for q in 0..w.episodes.len() {
            let cands: Vec<usize> = (0..w.episodes.len())
                .filter(|&c| c != q && (!earlier || w.published_before(c, q)))
                .collect();
            let relevant: BTreeSet<usize> = w.curated[q].iter().copied().filter(|c| cands.contains(c)).collect();
            if relevant.is_empty() {
                continue;
            }
            queries += 1;
            // podgraph: scores, ties by id.
            let scores = w.scores(q);
            let mut ranking = cands.clone();
            ranking.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(w.episodes[a].cmp(&w.episodes[b])));
            add(&mut sums[0], score_ranking(&ranking, &relevant));
            // Popularity among other episodes' lists.
            let inlinks = |c: usize| {
                (0..w.episodes.len())
                    .filter(|&o| o != q && w.curated[o].contains(&c))
                    .count() as f64
            };
            let mut pop = [0.0; 4];
            let mut rnd = [0.0; 4];
            for seed in 0..SHUFFLES {
                add(&mut pop, score_ranking(&rank_by(&cands, inlinks, seed + 1), &relevant));
                add(&mut rnd, score_ranking(&rank_by(&cands, |_| 0.0, seed + 1), &relevant));
            }
            add(&mut sums[1], pop.map(|x| x / SHUFFLES as f64));
            add(&mut sums[3], rnd.map(|x| x / SHUFFLES as f64));
            // Recency: the latest earlier episodes first.
            let mut recent = cands.clone();
            recent.sort_by(|&a, &b| {
                if w.published_before(a, b) {
                    std::cmp::Ordering::Greater
                } else if w.published_before(b, a) {
                    std::cmp::Ordering::Less
                } else {
                    w.episodes[a].cmp(&w.episodes[b])
                }
            });
            add(&mut sums[2], score_ranking(&recent, &relevant));
        }
        for (i, method) in ["podgraph", "popularity", "recency", "random"].into_iter().enumerate() {
            if method == "recency" && !earlier {
                continue;
            }
            let n = queries.max(1) as f64;
            rows.push(Row {
                setting,
                method,
                metrics: Metrics {
                    queries,
                    recall_at_3: sums[i][0] / n,
                    recall_at_5: sums[i][1] / n,
                    mrr: sums[i][2] / n,
                    ndcg_at_5: sums[i][3] / n,
                },
            });
        }
    }
    rows
}

fn add(acc: &mut [f64; 4], x: [f64; 4]) {
    for (a, b) in acc.iter_mut().zip(x) {
        *a += b;
    }
}

/// The report as an aligned table.
pub fn table(rows: &[Row]) -> String {
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.setting.to_string(),
                r.method.to_string(),
                r.metrics.queries.to_string(),
                format!("{:.3}", r.metrics.recall_at_3),
                format!("{:.3}", r.metrics.recall_at_5),
                format!("{:.3}", r.metrics.mrr),
                format!("{:.3}", r.metrics.ndcg_at_5),
            ]
        })
        .collect();
    crate::table::render(
        &["SETTING", "METHOD", "QUERIES", "RECALL@3", "RECALL@5", "MRR", "NDCG@5"],
        &body,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_of_a_ranking() {
        let rel: BTreeSet<usize> = [2, 5].into_iter().collect();
        let [r3, r5, mrr, ndcg] = score_ranking(&[1, 2, 3, 4, 5], &rel);
        assert_eq!(r3, 0.5);
        assert_eq!(r5, 1.0);
        assert_eq!(mrr, 0.5);
        let dcg = 1.0 / 3f64.log2() + 1.0 / 6f64.log2();
        let idcg = 1.0 + 1.0 / 3f64.log2();
        assert!((ndcg - dcg / idcg).abs() < 1e-12);
    }

    #[test]
    fn perfect_ranking_scores_one() {
        let rel: BTreeSet<usize> = [7].into_iter().collect();
        assert_eq!(score_ranking(&[7, 1, 2], &rel), [1.0, 1.0, 1.0, 1.0]);
    }

    #[test]
    fn seeded_ties_are_repeatable() {
        let a = rank_by(&[1, 2, 3, 4], |_| 0.0, 9);
        let b = rank_by(&[1, 2, 3, 4], |_| 0.0, 9);
        assert_eq!(a, b);
        let c = rank_by(&[1, 2, 3, 4], |x| x as f64, 9);
        assert_eq!(c, vec![4, 3, 2, 1]);
    }
}
