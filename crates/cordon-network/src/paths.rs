//! Reachability: connected groups, fewest-hop paths and the neighbourhood around a node.

use std::collections::VecDeque;

use crate::graph::{Network, NodeId};

impl Network {
    /// Connected groups, largest first (equal sizes: the one holding the lowest id first), each group's ids ascending.
    pub fn components(&self) -> Vec<Vec<NodeId>> {
        let mut seen = vec![false; self.len()];
        let mut groups = Vec::new();
        let mut queue = VecDeque::new();
        for start in 0..self.len() {
            if seen[start] {
                continue;
            }
            seen[start] = true;
            queue.push_back(start);
            let mut group = Vec::new();
            while let Some(v) = queue.pop_front() {
                group.push(v);
                for w in self.neighbours(v) {
                    if !seen[w] {
                        seen[w] = true;
                        queue.push_back(w);
                    }
                }
            }
            group.sort_unstable();
            groups.push(group);
        }
        // Groups were found in order of their lowest id, and the sort is stable: equal sizes keep that order.
        groups.sort_by_key(|g| std::cmp::Reverse(g.len()));
        groups
    }

    /// Each node's group: its index in [`Network::components`] (0 is the largest).
    pub fn component_of(&self) -> Vec<usize> {
        let mut of = vec![0; self.len()];
        for (i, group) in self.components().iter().enumerate() {
            for &n in group {
                of[n] = i;
            }
        }
        of
    }

    /// A path of fewest hops, both ends included, or `None` when none joins them.
    ///
    /// Among equally short paths it is the one whose ids, read from `from`, are lowest first
    /// (lexicographically smallest): breadth-first search visiting neighbours lowest id first, each
    /// node keeping the first parent it was reached from, finds exactly that one.
    ///
    /// # Panics
    /// When an id is not a node of this network.
    pub fn shortest_path(&self, from: NodeId, to: NodeId) -> Option<Vec<NodeId>> {
        assert!(from < self.len() && to < self.len(), "shortest_path: node {from} or {to} is not in the network");
        let mut parent = vec![usize::MAX; self.len()];
        parent[from] = from;
        let mut queue = VecDeque::from([from]);
        while let Some(v) = queue.pop_front() {
            if v == to {
                let mut path = vec![to];
                let mut at = to;
                while at != from {
                    at = parent[at];
                    path.push(at);
                }
                path.reverse();
                return Some(path);
            }
            for w in self.neighbours(v) {
                if parent[w] == usize::MAX {
                    parent[w] = v;
                    queue.push_back(w);
                }
            }
        }
        None
    }

    /// The ids within `hops` of `around`, nearest first (then in search order, lowest ids first), at most `max_nodes` of them.
    ///
    /// # Panics
    /// When `around` is not a node of this network.
    pub fn ball(&self, around: NodeId, hops: usize, max_nodes: usize) -> Vec<NodeId> {
        assert!(around < self.len(), "ball: node {around} is not in the network");
        let mut dist = vec![usize::MAX; self.len()];
        let mut order = Vec::new();
        if max_nodes == 0 {
            return order;
        }
        dist[around] = 0;
        order.push(around);
        let mut head = 0;
        while head < order.len() {
            let v = order[head];
            head += 1;
            if dist[v] == hops {
                continue;
            }
            for w in self.neighbours(v) {
                if dist[w] == usize::MAX {
                    dist[w] = dist[v] + 1;
                    order.push(w);
                    if order.len() == max_nodes {
                        return order;
                    }
                }
            }
        }
        order
    }

    /// The network within `hops` of `around`, at most `max_nodes` nodes (nearest kept), with every
    /// edge among them; `around` is node 0 of the result, keys and labels are kept, so the UI maps back by key.
    ///
    /// # Panics
    /// When `around` is not a node of this network.
    pub fn neighbourhood(&self, around: NodeId, hops: usize, max_nodes: usize) -> Network {
        self.subnetwork(&self.ball(around, hops, max_nodes))
    }
}

#[cfg(test)]
mod tests {
    use crate::{Network, NodeId, NodeKind};

    /// A network of `n` entities named by their ids, with the given edges.
    fn net(n: usize, edges: &[(NodeId, NodeId)]) -> Network {
        let mut net = Network::new();
        for i in 0..n {
            net.add_node(&format!("e{i}"), NodeKind::entity("person"), &format!("e{i}"));
        }
        for &(a, b) in edges {
            net.add_edge(a, b, "r", 1.0).unwrap();
        }
        net
    }

    #[test]
    fn components_largest_first_then_lowest_id() {
        type Case = (usize, &'static [(NodeId, NodeId)], &'static [&'static [NodeId]]);
        let cases: &[Case] = &[
            (0, &[], &[]),
            (1, &[], &[&[0]]),
            (3, &[], &[&[0], &[1], &[2]]),
            (5, &[(3, 4), (0, 2)], &[&[0, 2], &[3, 4], &[1]]),
            (6, &[(5, 1), (1, 3), (0, 4)], &[&[1, 3, 5], &[0, 4], &[2]]),
            (4, &[(0, 1), (1, 2), (2, 3), (3, 0)], &[&[0, 1, 2, 3]]),
        ];
        for (n, edges, want) in cases {
            let got = net(*n, edges).components();
            let want: Vec<Vec<NodeId>> = want.iter().map(|g| g.to_vec()).collect();
            assert_eq!(got, want, "n={n} edges={edges:?}");
        }
        assert_eq!(net(5, &[(3, 4), (0, 2)]).component_of(), vec![0, 2, 0, 1, 1]);
    }

    #[test]
    fn degree_counts_distinct_neighbours() {
        let mut g = net(4, &[(0, 1), (0, 2), (0, 3), (1, 2)]);
        g.add_edge(0, 1, "again", 1.0).unwrap();
        let degrees: Vec<usize> = (0..4).map(|v| g.degree(v)).collect();
        assert_eq!(degrees, vec![3, 2, 2, 1]);
    }

    #[test]
    fn shortest_paths_fewest_hops_lowest_ids_on_ties() {
        // A square 0-1-3, 0-2-3 (two equal ways), a tail 3-4, a longer way 0-5-6-7-4, and 8 alone.
        let g = net(9, &[(0, 2), (2, 3), (0, 1), (1, 3), (3, 4), (0, 5), (5, 6), (6, 7), (7, 4)]);
        let cases: &[(NodeId, NodeId, Option<&[NodeId]>)] = &[
            (0, 0, Some(&[0])),
            (0, 3, Some(&[0, 1, 3])),
            (3, 0, Some(&[3, 1, 0])),
            (0, 4, Some(&[0, 1, 3, 4])),
            (4, 0, Some(&[4, 3, 1, 0])),
            (5, 3, Some(&[5, 0, 1, 3])),
            (6, 3, Some(&[6, 7, 4, 3])),
            (0, 8, None),
            (8, 8, Some(&[8])),
        ];
        for &(from, to, want) in cases {
            assert_eq!(g.shortest_path(from, to).as_deref(), want, "{from}→{to}");
        }
    }

    #[test]
    fn tie_break_prefers_the_lower_id_at_the_first_difference() {
        // 0 to 5 in three hops by 0-2-3-5 or 0-1-4-5: lowest at the first step wins, whatever the insertion order.
        let g = net(6, &[(0, 2), (2, 3), (3, 5), (0, 1), (1, 4), (4, 5)]);
        assert_eq!(g.shortest_path(0, 5), Some(vec![0, 1, 4, 5]));
        // The first step ties (only 1), the second differs: 1-3-5 beats 1-4-5.
        let g = net(6, &[(0, 1), (1, 4), (4, 5), (1, 3), (3, 5)]);
        assert_eq!(g.shortest_path(0, 5), Some(vec![0, 1, 3, 5]));
    }

    #[test]
    fn neighbourhood_is_capped_nearest_first_and_keeps_inner_edges() {
        // A star around 0 with leaves 1..=4, 1-2 joined, 4-5 and 5-6 further out.
        let g = net(7, &[(0, 1), (0, 2), (0, 3), (0, 4), (1, 2), (4, 5), (5, 6)]);
        let cases: &[(NodeId, usize, usize, &[NodeId])] = &[
            (0, 0, 10, &[0]),
            (0, 1, 10, &[0, 1, 2, 3, 4]),
            (0, 2, 10, &[0, 1, 2, 3, 4, 5]),
            (0, 9, 10, &[0, 1, 2, 3, 4, 5, 6]),
            (0, 9, 3, &[0, 1, 2]),
            (6, 2, 10, &[6, 5, 4]),
            (0, 2, 0, &[]),
        ];
        for &(around, hops, max, want) in cases {
            assert_eq!(g.ball(around, hops, max), want, "around {around}, {hops} hops, max {max}");
            let sub = g.neighbourhood(around, hops, max);
            let keys: Vec<String> = sub.nodes().map(|n| n.key.clone()).collect();
            let want_keys: Vec<String> = want.iter().map(|i| format!("e{i}")).collect();
            assert_eq!(keys, want_keys);
        }
        let sub = g.neighbourhood(0, 1, 3);
        assert_eq!(sub.edge_count(), 3, "0-1, 0-2 and the inner 1-2");
        assert!(sub.edge(1, 2).is_some());
    }
}
