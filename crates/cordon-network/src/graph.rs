//! The network itself: nodes keyed by case or entity id, undirected weighted edges, adjacency lists.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// A node's index in its network: dense, from 0, in the order nodes were first added.
pub type NodeId = usize;

/// What a node stands for: a case, or an entity of some kind; as JSON `{"class":"case"}` or `{"class":"entity","kind":"phone"}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "class", rename_all = "lowercase")]
pub enum NodeKind {
    /// A case.
    Case,
    /// An entity; `kind` says which, in the app's words: "person", "company", "vehicle", "vessel", "phone", "bank account", "seller account".
    Entity {
        /// The entity's kind, e.g. "person" or "phone".
        kind: String,
    },
}

impl NodeKind {
    /// An entity of the given kind.
    pub fn entity(kind: &str) -> Self {
        NodeKind::Entity { kind: kind.to_owned() }
    }

    /// True for a case.
    pub fn is_case(&self) -> bool {
        matches!(self, NodeKind::Case)
    }

    /// The kind as one word for exports: "case", or the entity's kind.
    pub fn name(&self) -> &str {
        match self {
            NodeKind::Case => "case",
            NodeKind::Entity { kind } => kind,
        }
    }

    /// "case" or "entity": the class, which the entity's own kind cannot be confused with.
    pub fn class(&self) -> &'static str {
        match self {
            NodeKind::Case => "case",
            NodeKind::Entity { .. } => "entity",
        }
    }
}

/// One node: a case or an entity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// The case's or entity's id; unique in the network (prefix ids, e.g. "case:…", if case and entity ids could collide).
    pub key: String,
    /// Case or entity, and which kind of entity.
    pub kind: NodeKind,
    /// What a person reads: a name, a plate, a case number.
    pub label: String,
}

/// One undirected edge, its ends in ascending order.
#[derive(Clone, Debug, PartialEq)]
pub struct EdgeView<'a> {
    /// The end with the lower id.
    pub a: NodeId,
    /// The end with the higher id.
    pub b: NodeId,
    /// Every distinct relation name added between the two, in the order first added.
    pub relations: &'a [String],
    /// The sum of the weights added between the two.
    pub weight: f64,
}

/// Why an edge was refused.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum NetworkError {
    /// The id is not a node of this network.
    #[error("node {0} is not in the network")]
    UnknownNode(NodeId),
    /// Both ends are the same node; a case or entity related to itself says nothing.
    #[error("an edge from node {0} to itself")]
    SelfLoop(NodeId),
    /// Weights must be finite and above zero: PageRank and Louvain divide by them.
    #[error("edge weight {0} is not a finite number above zero")]
    BadWeight(f64),
}

#[derive(Clone, Debug)]
struct Edge {
    a: NodeId,
    b: NodeId,
    relations: Vec<String>,
    weight: f64,
}

/// Nodes (cases and entities) and the undirected weighted edges between them.
#[derive(Clone, Debug, Default)]
pub struct Network {
    nodes: Vec<Node>,
    by_key: HashMap<String, NodeId>,
    edges: Vec<Edge>,
    /// Per node, (neighbour, edge index), kept sorted by neighbour so every traversal visits
    /// neighbours lowest id first — that is what makes paths and communities deterministic.
    adj: Vec<Vec<(NodeId, usize)>>,
}

impl Network {
    /// An empty network.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a node, or returns the id the key already has (its first kind and label are kept).
    pub fn add_node(&mut self, key: &str, kind: NodeKind, label: &str) -> NodeId {
        if let Some(&id) = self.by_key.get(key) {
            return id;
        }
        let id = self.nodes.len();
        self.nodes.push(Node { key: key.to_owned(), kind, label: label.to_owned() });
        self.by_key.insert(key.to_owned(), id);
        self.adj.push(Vec::new());
        id
    }

    /// Adds an undirected edge; the same pair again adds its weight and keeps every distinct
    /// relation name. Refused when an end is not a node of this network, both ends are the same
    /// node, or the weight is not finite and above zero.
    pub fn add_edge(&mut self, a: NodeId, b: NodeId, relation: &str, weight: f64) -> Result<(), NetworkError> {
        for n in [a, b] {
            if n >= self.nodes.len() {
                return Err(NetworkError::UnknownNode(n));
            }
        }
        if a == b {
            return Err(NetworkError::SelfLoop(a));
        }
        if !(weight.is_finite() && weight > 0.0) {
            return Err(NetworkError::BadWeight(weight));
        }
        self.merge(a, b, &[relation], weight);
        Ok(())
    }

    fn edge_index(&self, a: NodeId, b: NodeId) -> Option<usize> {
        let list = self.adj.get(a)?;
        list.binary_search_by_key(&b, |&(n, _)| n).ok().map(|i| list[i].1)
    }

    /// The node with this id.
    ///
    /// # Panics
    /// When the id is not a node of this network.
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id]
    }

    /// The node with this id, if there is one.
    pub fn get(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(id)
    }

    /// The id of the node with this key.
    pub fn find(&self, key: &str) -> Option<NodeId> {
        self.by_key.get(key).copied()
    }

    /// The number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True when there are no nodes.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The number of edges (a pair added twice is one edge).
    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    /// Every node, in id order.
    pub fn nodes(&self) -> impl Iterator<Item = &Node> {
        self.nodes.iter()
    }

    /// Every edge, in the order each pair was first added.
    pub fn edges(&self) -> impl Iterator<Item = EdgeView<'_>> {
        self.edges.iter().map(view)
    }

    /// The edge between two nodes, in either order, if there is one.
    pub fn edge(&self, a: NodeId, b: NodeId) -> Option<EdgeView<'_>> {
        let (a, b) = if a < b { (a, b) } else { (b, a) };
        self.edge_index(a, b).map(|e| view(&self.edges[e]))
    }

    /// A node's neighbours, lowest id first.
    ///
    /// # Panics
    /// When the id is not a node of this network.
    pub fn neighbours(&self, n: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        self.adj[n].iter().map(|&(m, _)| m)
    }

    /// A node's neighbours with the edge to each, lowest id first.
    ///
    /// # Panics
    /// When the id is not a node of this network.
    pub fn neighbour_edges(&self, n: NodeId) -> impl Iterator<Item = (NodeId, EdgeView<'_>)> + '_ {
        self.adj[n].iter().map(|&(m, e)| (m, view(&self.edges[e])))
    }

    /// The number of distinct neighbours.
    ///
    /// # Panics
    /// When the id is not a node of this network.
    pub fn degree(&self, n: NodeId) -> usize {
        self.adj[n].len()
    }

    /// The sum of the weights of a node's edges.
    ///
    /// # Panics
    /// When the id is not a node of this network.
    pub fn weighted_degree(&self, n: NodeId) -> f64 {
        self.adj[n].iter().map(|&(_, e)| self.edges[e].weight).sum()
    }

    /// The subnetwork these nodes induce: the nodes, renumbered in the order given (repeats dropped),
    /// and every edge between two of them, with keys, labels, relations and weights kept.
    ///
    /// # Panics
    /// When an id is not a node of this network.
    pub fn subnetwork(&self, nodes: &[NodeId]) -> Network {
        let mut out = Network::new();
        let mut new_id = vec![usize::MAX; self.nodes.len()];
        for &n in nodes {
            let node = &self.nodes[n];
            new_id[n] = out.add_node(&node.key, node.kind.clone(), &node.label);
        }
        // Edges in this network's order, so a subnetwork of everything is an identical copy.
        for e in &self.edges {
            let (a, b) = (new_id[e.a], new_id[e.b]);
            if a != usize::MAX && b != usize::MAX {
                out.merge(a, b, &e.relations, e.weight);
            }
        }
        out
    }

    /// Adds weight and relation names between two distinct nodes of this network; callers have checked
    /// the ends and the weight (add_edge), or copy them from a network that did.
    pub(crate) fn merge<S: AsRef<str>>(&mut self, a: NodeId, b: NodeId, relations: &[S], weight: f64) {
        let (a, b) = if a < b { (a, b) } else { (b, a) };
        let e = match self.edge_index(a, b) {
            Some(e) => e,
            None => {
                let e = self.edges.len();
                self.edges.push(Edge { a, b, relations: Vec::new(), weight: 0.0 });
                for (from, to) in [(a, b), (b, a)] {
                    let list = &mut self.adj[from];
                    // Not there (edge_index said so), so the Err is the place that keeps the list sorted.
                    let at = list.binary_search_by_key(&to, |&(n, _)| n).unwrap_or_else(|at| at);
                    list.insert(at, (to, e));
                }
                e
            }
        };
        let edge = &mut self.edges[e];
        edge.weight += weight;
        for r in relations {
            let r = r.as_ref();
            if !edge.relations.iter().any(|have| have == r) {
                edge.relations.push(r.to_owned());
            }
        }
    }

    /// The adjacency as compressed rows (offsets, neighbours, weights), for the hot loops.
    pub(crate) fn csr(&self) -> Csr {
        let n = self.nodes.len();
        let mut offsets = Vec::with_capacity(n + 1);
        let mut targets = Vec::with_capacity(2 * self.edges.len());
        let mut weights = Vec::with_capacity(2 * self.edges.len());
        offsets.push(0);
        for list in &self.adj {
            for &(m, e) in list {
                targets.push(m);
                weights.push(self.edges[e].weight);
            }
            offsets.push(targets.len());
        }
        Csr { offsets, targets, weights }
    }
}

/// Adjacency in compressed sparse rows: node v's neighbours are `targets[offsets[v]..offsets[v + 1]]`.
pub(crate) struct Csr {
    pub offsets: Vec<usize>,
    pub targets: Vec<NodeId>,
    pub weights: Vec<f64>,
}

impl Csr {
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    pub fn range(&self, v: NodeId) -> std::ops::Range<usize> {
        self.offsets[v]..self.offsets[v + 1]
    }
}

fn view(e: &Edge) -> EdgeView<'_> {
    EdgeView { a: e.a, b: e.b, relations: &e.relations, weight: e.weight }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(net: &mut Network, key: &str) -> NodeId {
        net.add_node(key, NodeKind::entity("person"), key)
    }

    #[test]
    fn same_key_same_id_and_first_label_kept() {
        let mut net = Network::new();
        let a = net.add_node("p1", NodeKind::entity("person"), "Nguyễn Văn An");
        let again = net.add_node("p1", NodeKind::entity("phone"), "other");
        assert_eq!(a, again);
        assert_eq!(net.len(), 1);
        assert_eq!(net.node(a).label, "Nguyễn Văn An");
        assert_eq!(net.find("p1"), Some(a));
        assert_eq!(net.find("p2"), None);
    }

    #[test]
    fn same_pair_adds_weight_and_keeps_distinct_relations() {
        let mut net = Network::new();
        let (a, b) = (person(&mut net, "a"), person(&mut net, "b"));
        net.add_edge(a, b, "co-suspect", 1.0).unwrap();
        net.add_edge(b, a, "shared phone", 2.5).unwrap();
        net.add_edge(a, b, "co-suspect", 1.0).unwrap();
        assert_eq!(net.edge_count(), 1);
        let e = net.edge(b, a).unwrap();
        assert_eq!((e.a, e.b, e.weight), (a, b, 4.5));
        assert_eq!(e.relations, ["co-suspect", "shared phone"]);
        assert_eq!(net.degree(a), 1);
        assert_eq!(net.weighted_degree(b), 4.5);
    }

    #[test]
    fn bad_edges_are_refused_with_the_reason() {
        let mut net = Network::new();
        let (a, b) = (person(&mut net, "a"), person(&mut net, "b"));
        let cases: [(NodeId, NodeId, f64, NetworkError); 5] = [
            (a, 7, 1.0, NetworkError::UnknownNode(7)),
            (a, a, 1.0, NetworkError::SelfLoop(a)),
            (a, b, 0.0, NetworkError::BadWeight(0.0)),
            (a, b, -1.0, NetworkError::BadWeight(-1.0)),
            (a, b, f64::INFINITY, NetworkError::BadWeight(f64::INFINITY)),
        ];
        for (x, y, w, want) in cases {
            assert_eq!(net.add_edge(x, y, "r", w), Err(want));
        }
        assert_eq!(net.edge_count(), 0);
        assert!(net.add_edge(a, b, "r", f64::NAN).is_err());
    }

    #[test]
    fn neighbours_come_lowest_id_first_whatever_the_insertion_order() {
        let mut net = Network::new();
        let ids: Vec<NodeId> = (0..6).map(|i| person(&mut net, &i.to_string())).collect();
        for &m in &[5, 2, 4, 1, 3] {
            net.add_edge(ids[0], ids[m], "r", 1.0).unwrap();
        }
        assert_eq!(net.neighbours(ids[0]).collect::<Vec<_>>(), vec![1, 2, 3, 4, 5]);
        assert_eq!(net.degree(ids[0]), 5);
        assert_eq!(net.degree(ids[3]), 1);
    }

    #[test]
    fn node_kinds_serialise_with_their_class() {
        let case = serde_json::to_value(NodeKind::Case).unwrap();
        let phone = serde_json::to_value(NodeKind::entity("phone")).unwrap();
        assert_eq!(case, serde_json::json!({"class": "case"}));
        assert_eq!(phone, serde_json::json!({"class": "entity", "kind": "phone"}));
        assert_eq!((NodeKind::Case.name(), NodeKind::entity("phone").name()), ("case", "phone"));
    }

    #[test]
    fn subnetwork_keeps_edges_among_the_chosen() {
        let mut net = Network::new();
        let ids: Vec<NodeId> = (0..4).map(|i| person(&mut net, &format!("p{i}"))).collect();
        net.add_edge(ids[0], ids[1], "x", 1.0).unwrap();
        net.add_edge(ids[0], ids[1], "y", 2.0).unwrap();
        net.add_edge(ids[1], ids[2], "x", 1.0).unwrap();
        net.add_edge(ids[2], ids[3], "x", 1.0).unwrap();
        let sub = net.subnetwork(&[ids[1], ids[0], ids[1]]);
        assert_eq!(sub.len(), 2);
        assert_eq!(sub.node(0).key, "p1");
        assert_eq!(sub.edge_count(), 1);
        let e = sub.edge(0, 1).unwrap();
        assert_eq!((e.weight, e.relations), (3.0, &["x".to_owned(), "y".to_owned()][..]));
    }
}
