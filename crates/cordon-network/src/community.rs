//! Communities: Louvain's modularity optimisation, deterministic, and modularity itself.

use crate::graph::Network;

/// A move must raise modularity (scaled by m) by more than this; it stops rounding noise from moving nodes back and forth.
const MIN_GAIN: f64 = 1e-12;
/// A level's local moving stops after this many sweeps even if nodes still move (it converges long before).
const MAX_SWEEPS: usize = 1_000;

impl Network {
    /// Louvain communities over the weighted edges: each node's community, numbered 0.. from the
    /// largest (equal sizes: the one holding the lowest id first).
    ///
    /// Deterministic: nodes are visited in id order and neighbours' communities in the order their
    /// lowest-id member is met, with no shuffling; a node moves only for a strictly better gain. A
    /// node without edges is a community of its own.
    pub fn communities(&self) -> Vec<usize> {
        let n = self.len();
        let mut level = Level::from_network(self);
        // membership[v] = v's node in the current level.
        let mut membership: Vec<usize> = (0..n).collect();
        if level.total > 0.0 {
            // This ends: a node only ever joins a neighbour's (non-empty) community, so a level's count
            // of communities never grows, and its first move takes a singleton out; a level where
            // anything moved is therefore smaller than the one before.
            loop {
                let (community, moved) = level.local_moving();
                if !moved {
                    break;
                }
                for m in &mut membership {
                    *m = community[*m];
                }
                level = level.aggregate(&community);
            }
        }
        renumber_by_size(&membership)
    }

    /// Newman's modularity of a partition, over the weighted edges: the share of weight inside
    /// communities less what a random graph with the same degrees would put there; 0 with no edges.
    ///
    /// # Panics
    /// When `communities` does not have one entry per node.
    pub fn modularity(&self, communities: &[usize]) -> f64 {
        assert_eq!(communities.len(), self.len(), "modularity: one community per node");
        let groups = communities.iter().max().map_or(0, |&c| c + 1);
        let mut inside = vec![0.0; groups];
        let mut degree = vec![0.0; groups];
        let mut total = 0.0;
        for e in self.edges() {
            total += e.weight;
            let (ca, cb) = (communities[e.a], communities[e.b]);
            degree[ca] += e.weight;
            degree[cb] += e.weight;
            if ca == cb {
                inside[ca] += e.weight;
            }
        }
        if total == 0.0 {
            return 0.0;
        }
        inside.iter().zip(&degree).map(|(l, d)| l / total - (d / (2.0 * total)).powi(2)).sum()
    }
}

/// One level of Louvain: a weighted graph whose nodes are the previous level's communities.
struct Level {
    /// Per node, (neighbour, weight), neighbour ascending, without self-loops.
    adj: Vec<Vec<(usize, f64)>>,
    /// Per node, its weighted degree, a self-loop counted twice (the weight inside it, seen from both ends).
    degree: Vec<f64>,
    /// m: the sum of all edge weights, self-loops included; the same on every level.
    total: f64,
}

impl Level {
    fn from_network(net: &Network) -> Level {
        let adj: Vec<Vec<(usize, f64)>> = (0..net.len()).map(|v| net.neighbour_edges(v).map(|(w, e)| (w, e.weight)).collect()).collect();
        let degree: Vec<f64> = adj.iter().map(|l| l.iter().map(|&(_, w)| w).sum()).collect();
        let total = degree.iter().sum::<f64>() / 2.0;
        Level { adj, degree, total }
    }

    /// Moves nodes to the neighbouring community that raises modularity most, until none moves;
    /// answers each node's community, numbered 0.. in order of first appearance, and whether any moved.
    fn local_moving(&self) -> (Vec<usize>, bool) {
        let n = self.adj.len();
        let two_m = 2.0 * self.total;
        let mut community: Vec<usize> = (0..n).collect();
        // The sum of the degrees of each community's members.
        let mut tot = self.degree.clone();
        // Weight from the current node to each community, and which communities it touches, reset per node.
        let mut to = vec![0.0; n];
        let mut touched: Vec<usize> = Vec::new();
        let mut moved_any = false;
        for _ in 0..MAX_SWEEPS {
            let mut moved = false;
            for v in 0..n {
                let own = community[v];
                for &(w, weight) in &self.adj[v] {
                    let c = community[w];
                    if to[c] == 0.0 {
                        touched.push(c);
                    }
                    to[c] += weight;
                }
                let k = self.degree[v];
                tot[own] -= k;
                // Gain of joining c (times m): the weight into c less the weight c's degrees would expect.
                let mut best = own;
                let mut best_gain = to[own] - tot[own] * k / two_m;
                for &c in &touched {
                    let gain = to[c] - tot[c] * k / two_m;
                    if gain > best_gain + MIN_GAIN {
                        best = c;
                        best_gain = gain;
                    }
                }
                tot[best] += k;
                if best != own {
                    community[v] = best;
                    moved = true;
                }
                for &c in &touched {
                    to[c] = 0.0;
                }
                touched.clear();
            }
            if !moved {
                break;
            }
            moved_any = true;
        }
        let mut number = vec![usize::MAX; n];
        let mut next = 0;
        for c in &mut community {
            if number[*c] == usize::MAX {
                number[*c] = next;
                next += 1;
            }
            *c = number[*c];
        }
        (community, moved_any)
    }

    /// The next level: one node per community, edges summed, the weight inside a community kept as a self-loop.
    fn aggregate(&self, community: &[usize]) -> Level {
        let groups = community.iter().max().map_or(0, |&c| c + 1);
        let mut degree = vec![0.0; groups];
        let mut pairs: Vec<(usize, usize, f64)> = Vec::new();
        for (v, list) in self.adj.iter().enumerate() {
            let cv = community[v];
            degree[cv] += self.degree[v];
            for &(w, weight) in list {
                let cw = community[w];
                if cv != cw {
                    pairs.push((cv, cw, weight));
                }
            }
        }
        // Sorted (stably: the same pairs sum in the same order) so each merged list is ascending, as the first level's is: the visiting order stays deterministic.
        pairs.sort_by_key(|&(a, b, _)| (a, b));
        let mut adj: Vec<Vec<(usize, f64)>> = vec![Vec::new(); groups];
        for (a, b, w) in pairs {
            let list = &mut adj[a];
            match list.last_mut() {
                Some((last, sum)) if *last == b => *sum += w,
                _ => list.push((b, w)),
            }
        }
        Level { adj, degree, total: self.total }
    }
}

/// Community ids 0.. from the largest; equal sizes in order of their lowest member.
fn renumber_by_size(membership: &[usize]) -> Vec<usize> {
    let groups = membership.iter().max().map_or(0, |&c| c + 1);
    let mut size = vec![0usize; groups];
    let mut lowest = vec![usize::MAX; groups];
    for (v, &c) in membership.iter().enumerate() {
        size[c] += 1;
        lowest[c] = lowest[c].min(v);
    }
    let mut order: Vec<usize> = (0..groups).filter(|&c| size[c] > 0).collect();
    order.sort_by(|&a, &b| size[b].cmp(&size[a]).then(lowest[a].cmp(&lowest[b])));
    let mut id = vec![0; groups];
    for (i, &c) in order.iter().enumerate() {
        id[c] = i;
    }
    membership.iter().map(|&c| id[c]).collect()
}

#[cfg(test)]
mod tests {
    use crate::{Network, NodeId, NodeKind};

    fn net(n: usize, edges: &[(NodeId, NodeId)]) -> Network {
        let mut net = Network::new();
        for i in 0..n {
            net.add_node(&i.to_string(), NodeKind::entity("person"), "");
        }
        for &(a, b) in edges {
            net.add_edge(a, b, "r", 1.0).unwrap();
        }
        net
    }

    fn clique(nodes: std::ops::Range<usize>) -> Vec<(NodeId, NodeId)> {
        let mut edges = Vec::new();
        for a in nodes.clone() {
            for b in a + 1..nodes.end {
                edges.push((a, b));
            }
        }
        edges
    }

    #[test]
    fn two_cliques_joined_by_one_edge_are_two_communities() {
        for size in [3, 4, 5, 8] {
            let mut edges = clique(0..size);
            edges.extend(clique(size..2 * size));
            edges.push((size - 1, size));
            let g = net(2 * size, &edges);
            let got = g.communities();
            let want: Vec<usize> = (0..2 * size).map(|v| usize::from(v >= size)).collect();
            assert_eq!(got, want, "two K{size}");
        }
    }

    #[test]
    fn unequal_cliques_number_the_larger_first_and_isolates_stand_alone() {
        // K3 on 0..3, K5 on 3..8 joined by 2-3, and 8 without edges.
        let mut edges = clique(0..3);
        edges.extend(clique(3..8));
        edges.push((2, 3));
        let g = net(9, &edges);
        assert_eq!(g.communities(), vec![1, 1, 1, 0, 0, 0, 0, 0, 2]);
        assert_eq!(net(3, &[]).communities(), vec![0, 1, 2]);
        assert_eq!(net(0, &[]).communities(), Vec::<usize>::new());
    }

    #[test]
    fn modularity_known_values() {
        // Two triangles joined by one edge, split in two: m = 7, each side 3 inside and degree 7.
        let mut edges = clique(0..3);
        edges.extend(clique(3..6));
        edges.push((2, 3));
        let g = net(6, &edges);
        let want = 2.0 * (3.0 / 7.0 - (7.0f64 / 14.0).powi(2));
        assert!((g.modularity(&[0, 0, 0, 1, 1, 1]) - want).abs() < 1e-12);
        assert!(g.modularity(&[0; 6]).abs() < 1e-12, "one community is 0");
        assert_eq!(net(2, &[]).modularity(&[0, 1]), 0.0);
        // Weights count: a heavy edge inside the first triangle raises its side's share.
        let mut w = g.clone();
        w.add_edge(0, 1, "again", 4.0).unwrap();
        let q = w.modularity(&[0, 0, 0, 1, 1, 1]);
        let want = (7.0 / 11.0 - (15.0f64 / 22.0).powi(2)) + (3.0 / 11.0 - (7.0f64 / 22.0).powi(2));
        assert!((q - want).abs() < 1e-12, "{q} vs {want}");
    }

    #[test]
    fn weights_decide_communities() {
        // A 4-cycle 0-1-2-3: heavy edges 0-1 and 2-3 pair those up; swap the weights and the pairs swap.
        let mut g = net(4, &[]);
        for (a, b, w) in [(0, 1, 10.0), (1, 2, 1.0), (2, 3, 10.0), (3, 0, 1.0)] {
            g.add_edge(a, b, "r", w).unwrap();
        }
        assert_eq!(g.communities(), vec![0, 0, 1, 1]);
        let mut g = net(4, &[]);
        for (a, b, w) in [(0, 1, 1.0), (1, 2, 10.0), (2, 3, 1.0), (3, 0, 10.0)] {
            g.add_edge(a, b, "r", w).unwrap();
        }
        assert_eq!(g.communities(), vec![0, 1, 1, 0]);
    }
}
