//! Deterministic community detection (Louvain) for topic clusters.
//!
//! [`louvain`] maximises modularity on a weighted undirected graph in the
//! classic two phases: move single nodes to the neighbouring community with
//! the best modularity gain until nothing moves, then merge each community
//! into one node and start again, until a level changes nothing. Nodes are
//! visited in index order and ties go to the lowest community number, so
//! the same graph always gives the same clusters; callers number nodes in
//! a stable order (by id).

use std::collections::BTreeMap;

/// Largest number of node-moving passes per level; modularity gains stall
/// long before on real graphs.
const MAX_PASSES: usize = 100;

/// Communities of `n` nodes linked by weighted edges `(a, b, weight)`
/// (undirected; weights must be positive). Returns each node's community,
/// numbered from 0 by decreasing size, ties by smallest member.
pub fn louvain(n: usize, edges: &[(usize, usize, f64)]) -> Vec<usize> {
    // Community of each original node, through the levels.
    let mut membership: Vec<usize> = (0..n).collect();
    let mut level_edges: Vec<(usize, usize, f64)> = edges
        .iter()
        .copied()
        .filter(|&(a, b, w)| a < n && b < n && w > 0.0)
        .collect();
    let mut size = n;
    loop {
        let moved = one_level(size, &level_edges);
        let communities = renumber(&moved);
        let count = communities.iter().copied().max().map_or(0, |m| m + 1);
        if count == size {
            break;
        }
        for m in membership.iter_mut() {
            *m = communities[*m];
        }
        // Merge: one node per community, edge weights summed.
        let mut merged: BTreeMap<(usize, usize), f64> = BTreeMap::new();
        for &(a, b, w) in &level_edges {
            let (ca, cb) = (communities[a], communities[b]);
            *merged.entry((ca.min(cb), ca.max(cb))).or_default() += w;
        }
        level_edges = merged.into_iter().map(|((a, b), w)| (a, b, w)).collect();
        size = count;
    }
    order_by_size(&membership)
}

/// One level of node moves; returns each node's community.
fn one_level(n: usize, edges: &[(usize, usize, f64)]) -> Vec<usize> {
    let mut adj: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
    let mut degree = vec![0.0; n];
    let mut total = 0.0;
    for &(a, b, w) in edges {
        if a == b {
            adj[a].push((a, w));
            degree[a] += 2.0 * w;
        } else {
            adj[a].push((b, w));
            adj[b].push((a, w));
            degree[a] += w;
            degree[b] += w;
        }
        total += w;
    }
    let mut community: Vec<usize> = (0..n).collect();
    if total == 0.0 {
        return community;
    }
    let m2 = 2.0 * total;
    let mut tot: Vec<f64> = degree.clone();
    for _ in 0..MAX_PASSES {
        let mut moved = false;
        for i in 0..n {
            let own = community[i];
            // Weights from i to each neighbouring community.
            let mut links: BTreeMap<usize, f64> = BTreeMap::new();
            for &(j, w) in &adj[i] {
                if j != i {
                    *links.entry(community[j]).or_default() += w;
                }
            }
            tot[own] -= degree[i];
            let gain = |c: usize, k_in: f64| k_in - tot[c] * degree[i] / m2;
            let mut best = own;
            let mut best_gain = gain(own, links.get(&own).copied().unwrap_or(0.0));
            for (&c, &k_in) in &links {
                let g = gain(c, k_in);
                // Strictly better only: staying wins ties, then the lowest
                // community number (the map is ordered).
                if g > best_gain + 1e-12 {
                    best = c;
                    best_gain = g;
                }
            }
            tot[best] += degree[i];
            if best != own {
                community[i] = best;
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
    community
}

/// Renumbers community labels 0.. in order of first appearance.
fn renumber(c: &[usize]) -> Vec<usize> {
    let mut map: BTreeMap<usize, usize> = BTreeMap::new();
    let mut next = 0;
    let mut first_seen: Vec<usize> = Vec::with_capacity(c.len());
    for &x in c {
        let id = *map.entry(x).or_insert_with(|| {
            next += 1;
            next - 1
        });
        first_seen.push(id);
    }
    first_seen
}

/// Numbers communities by decreasing size, ties by smallest member.
fn order_by_size(membership: &[usize]) -> Vec<usize> {
    let mut stats: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
    for (i, &c) in membership.iter().enumerate() {
        let e = stats.entry(c).or_insert((0, i));
        e.0 += 1;
    }
    let mut order: Vec<(usize, usize, usize)> = stats.into_iter().map(|(c, (size, first))| (size, first, c)).collect();
    order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let rank: BTreeMap<usize, usize> = order.iter().enumerate().map(|(r, &(_, _, c))| (c, r)).collect();
    membership.iter().map(|c| rank[c]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two triangles joined by one weak edge split into two communities.
    #[test]
    fn two_triangles() {
        let edges = [
            (0, 1, 1.0),
            (1, 2, 1.0),
            (0, 2, 1.0),
            (3, 4, 1.0),
            (4, 5, 1.0),
            (3, 5, 1.0),
            (2, 3, 0.1),
        ];
        let c = louvain(6, &edges);
        assert_eq!(c[0], c[1]);
        assert_eq!(c[1], c[2]);
        assert_eq!(c[3], c[4]);
        assert_eq!(c[4], c[5]);
        assert_ne!(c[0], c[3]);
        assert_eq!(c[0], 0, "ties in size go to the smallest member");
    }

    #[test]
    fn deterministic_and_total() {
        let mut edges = Vec::new();
        for i in 0..60usize {
            for j in (i + 1)..60 {
                if (i * 7 + j * 13) % 11 == 0 || (i / 10 == j / 10 && (i + j) % 3 == 0) {
                    edges.push((i, j, 1.0 + ((i + j) % 5) as f64));
                }
            }
        }
        let a = louvain(60, &edges);
        let b = louvain(60, &edges);
        assert_eq!(a, b);
        assert_eq!(a.len(), 60);
        let max = *a.iter().max().unwrap();
        for c in 0..=max {
            assert!(a.contains(&c), "communities numbered without gaps");
        }
    }

    #[test]
    fn isolated_nodes_stay_alone() {
        let c = louvain(3, &[]);
        assert_eq!(c, vec![0, 1, 2]);
        let c = louvain(3, &[(0, 1, 2.0)]);
        assert_eq!(c[0], c[1]);
        assert_ne!(c[0], c[2]);
    }
}
