//! The networks behind the cases: a graph of entities and cases, and the analyses an analyst runs on it; pure, no I/O.
//!
//! A [`Network`] holds nodes — cases and entities (persons, companies, vehicles, vessels, phones,
//! bank accounts, seller accounts) — and undirected weighted edges between them. It answers
//! connected groups ([`Network::components`]), centrality ([`Network::betweenness`],
//! [`Network::pagerank`]), fewest-hop paths, Louvain communities, the entity-to-entity
//! projection ("who shares a case with whom"), a capped neighbourhood for the UI, and exports as
//! GraphML, GEXF (Gephi) and JSON. Nothing here reads a clock, a file or the network, and nothing
//! is random: the same nodes and edges added in the same order give the same answers.
//!
//! Node ids are dense indices handed out by [`Network::add_node`]; a method given an id that is not
//! a node of that network panics, as indexing a slice would (ids only come from the network itself).
//!
//! ```
//! use cordon_network::{Network, NodeKind};
//!
//! let mut net = Network::new();
//! let case = net.add_node("case:HQ-2024-001", NodeKind::Case, "Buôn lậu thuốc lá");
//! let an = net.add_node("person:1", NodeKind::entity("person"), "Nguyễn Văn An");
//! let binh = net.add_node("person:2", NodeKind::entity("person"), "Trần Thị Bình");
//! net.add_edge(case, an, "suspect", 1.0).unwrap();
//! net.add_edge(case, binh, "suspect", 1.0).unwrap();
//!
//! let people = net.entity_projection();
//! let (a, b) = (people.find("person:1").unwrap(), people.find("person:2").unwrap());
//! assert_eq!(people.edge(a, b).unwrap().relations, ["co-suspect"]);
//! assert_eq!(net.shortest_path(an, binh), Some(vec![an, case, binh]));
//! let m = net.metrics();
//! assert_eq!(m.nodes[case].betweenness, 1.0);
//! assert!(net.to_graphml(&m).contains("Nguyễn Văn An"));
//! ```

mod centrality;
mod community;
mod export;
mod graph;
mod metrics;
mod paths;
mod projection;

pub use centrality::{DAMPING, PAGERANK_MAX_ITERATIONS, PAGERANK_TOLERANCE};
pub use export::{EdgeJson, NetworkJson, NodeJson, RELATION_SEPARATOR};
pub use graph::{EdgeView, Network, NetworkError, Node, NodeId, NodeKind};
pub use metrics::{Metrics, NodeMetrics};
pub use projection::SHARED_CASE;
