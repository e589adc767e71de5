//! Every per-node figure in one call, for the UI and the exports.

use serde::Serialize;

use crate::graph::Network;

/// One node's figures.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NodeMetrics {
    /// The number of distinct neighbours.
    pub degree: usize,
    /// The sum of the weights of its edges.
    pub weighted_degree: f64,
    /// Normalised betweenness, in [0, 1] (see [`Network::betweenness`]).
    pub betweenness: f64,
    /// PageRank; over all nodes they sum to 1 (see [`Network::pagerank`]).
    pub pagerank: f64,
    /// Its connected group: the index in [`Network::components`], 0 the largest.
    pub component: usize,
    /// Its Louvain community, 0 the largest (see [`Network::communities`]).
    pub community: usize,
}

/// Every node's figures, indexed by node id, and the partition's modularity.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Metrics {
    /// One entry per node, in id order.
    pub nodes: Vec<NodeMetrics>,
    /// The number of connected groups.
    pub components: usize,
    /// The number of communities.
    pub communities: usize,
    /// The modularity of the communities found.
    pub modularity: f64,
}

impl Network {
    /// Degree, betweenness, PageRank, component and community of every node, in one call.
    ///
    /// Betweenness dominates the cost, O(V·E): about half a second in release for 5,000 nodes and
    /// 20,000 edges on two cores (`cargo run --release -p cordon-network --example timing`); the rest
    /// takes a few hundredths. On a tokio runtime, call it from `spawn_blocking`.
    pub fn metrics(&self) -> Metrics {
        let betweenness = self.betweenness();
        let pagerank = self.pagerank();
        let component = self.component_of();
        let community = self.communities();
        let modularity = self.modularity(&community);
        let nodes: Vec<NodeMetrics> = (0..self.len())
            .map(|v| NodeMetrics {
                degree: self.degree(v),
                weighted_degree: self.weighted_degree(v),
                betweenness: betweenness[v],
                pagerank: pagerank[v],
                component: component[v],
                community: community[v],
            })
            .collect();
        Metrics {
            components: component.iter().max().map_or(0, |&c| c + 1),
            communities: community.iter().max().map_or(0, |&c| c + 1),
            modularity,
            nodes,
        }
    }
}
