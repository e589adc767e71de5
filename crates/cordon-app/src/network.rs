//! The networks behind the cases, as one caller may see them: entities and the cases they are
//! in, around an entity or a case or over a filtered set of cases; candidate rings (connected
//! groups spanning several cases), centrality, communities and the shortest path between two
//! entities; exported as JSON, GraphML or GEXF. Built only from the case views the caller is
//! shown — a withheld or narrowly shared party is not in the graph at all — and audited.

use std::collections::{BTreeSet, HashMap, VecDeque};

use cordon_core::Invalid;
use cordon_network::{Metrics, Network, NodeId, NodeKind};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::cases::CaseView;
use crate::{Actor, App, AppError, CaseQuery};

/// The most cases one network holds; beyond it the view says it was cut.
pub const MAX_NETWORK_CASES: usize = 2_000;
const DEFAULT_NETWORK_CASES: usize = 500;

/// What network to draw: around an entity or a case (`hops` rings of cases out), or over the
/// cases a filter selects.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct NetworkQuery {
    /// Start from this entity.
    pub entity: Option<String>,
    /// Start from this case.
    pub case: Option<String>,
    /// How many rings of cases out from the start, 1–4 (default 2).
    pub hops: Option<usize>,
    /// Without a start: violation type.
    pub case_type: Option<String>,
    /// Without a start: province (any name).
    pub province: Option<String>,
    /// Without a start: commodity category.
    pub commodity: Option<String>,
    /// Without a start: detected from, ms.
    pub since: Option<i64>,
    /// Without a start: detected until, ms.
    pub until: Option<i64>,
    /// The most cases to take in, 1–2000 (default 500).
    pub max_cases: Option<usize>,
    /// `json` (default), `graphml` or `gexf`.
    pub format: Option<String>,
}

/// A node of the network with its measures.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NetworkNodeView {
    /// The case or entity id.
    pub id: String,
    /// `case`, or the entity's kind (`person`, `phone`…).
    pub kind: String,
    /// Its name, or the case's reference and title.
    pub label: String,
    /// How many links it has.
    pub degree: usize,
    /// Betweenness centrality, normalised to 0–1: how much it brokers between others.
    pub betweenness: f64,
    /// PageRank: how central it is, weighing who it is linked to.
    pub pagerank: f64,
    /// Its community (Louvain), numbered from the largest.
    pub community: usize,
    /// Its connected group, numbered from the largest.
    pub component: usize,
}

/// A link between an entity and a case, by the entity's role in it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NetworkEdgeView {
    /// Entity id.
    pub source: String,
    /// Case id.
    pub target: String,
    /// The roles (suspect, driver, owner…).
    pub relation: String,
    /// Weight.
    pub weight: f64,
}

/// A connected group that spans several cases: a candidate ring.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RingView {
    /// The component number.
    pub component: usize,
    /// Its cases.
    pub cases: usize,
    /// Its entities.
    pub entities: usize,
    /// Its most central entities (PageRank), at most ten.
    pub central: Vec<String>,
    /// The goods' value over its cases, VND.
    pub value_vnd: i64,
}

/// A network as one caller may see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NetworkView {
    /// Entities and cases, most central first.
    pub nodes: Vec<NetworkNodeView>,
    /// Entity–case links.
    pub edges: Vec<NetworkEdgeView>,
    /// Candidate rings, largest first.
    pub rings: Vec<RingView>,
    /// Louvain modularity of the communities.
    pub modularity: f64,
    /// Whether the case limit cut it short.
    pub truncated: bool,
}

/// A network in a file format other tools read.
#[derive(Debug, Clone)]
pub struct NetworkFile {
    /// Media type.
    pub content_type: &'static str,
    /// File name.
    pub filename: &'static str,
    /// The document.
    pub body: String,
}

/// How two entities are connected: the chain of entities and cases between them.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NetworkPathView {
    /// From the first entity to the second, alternating entities and cases; empty if they are
    /// not connected within reach.
    pub path: Vec<NetworkNodeView>,
    /// How many cases apart (the path's cases).
    pub cases_apart: usize,
}

/// The cases a network was built from, where it was cut, and which record stands for each
/// record entity resolution joined to others.
struct Gathered {
    cases: Vec<CaseView>,
    truncated: bool,
    /// Record → the record that stands for its resolved entity: the first one the caller met,
    /// so a node never bears the id of a record the caller was not shown.
    alias: HashMap<String, String>,
}

fn add_case(net: &mut Network, c: &CaseView, alias: &HashMap<String, String>) {
    let case = net.add_node(&c.id, NodeKind::Case, &format!("{} · {}", c.reference, c.title));
    for p in &c.parties {
        // Withheld parties carry no id: they are not in anyone's network.
        let Some(id) = &p.entity_id else { continue };
        let id = alias.get(id).unwrap_or(id);
        let entity = net.add_node(id, NodeKind::entity(&p.kind), p.name.as_deref().unwrap_or(id));
        // Both ends exist and the weight is positive; only a case and an entity sharing an id
        // (two ids from one generator colliding) could be refused, and that must be heard of.
        if let Err(e) = net.add_edge(entity, case, &p.role, 1.0) {
            tracing::error!(case = %c.id, entity = %id, error = %e, "a party could not be put in the network");
        }
    }
}

fn node_view(net: &Network, m: &Metrics, n: NodeId) -> NetworkNodeView {
    let node = net.node(n);
    NetworkNodeView {
        id: node.key.clone(),
        kind: node.kind.name().to_string(),
        label: node.label.clone(),
        degree: m.nodes[n].degree,
        betweenness: m.nodes[n].betweenness,
        pagerank: m.nodes[n].pagerank,
        community: m.nodes[n].community,
        component: m.nodes[n].component,
    }
}

impl App {
    /// Checks a network query and gathers the case views it covers.
    async fn gather_network(&self, actor: &Actor, q: &NetworkQuery) -> Result<Gathered, AppError> {
        actor.require_active()?;
        let max_cases = q.max_cases.unwrap_or(DEFAULT_NETWORK_CASES);
        if !(1..=MAX_NETWORK_CASES).contains(&max_cases) {
            return Err(Invalid::new("max_cases", "1 to 2000").into());
        }
        let hops = q.hops.unwrap_or(2);
        if !(1..=4).contains(&hops) {
            return Err(Invalid::new("hops", "1 to 4").into());
        }
        match (&q.entity, &q.case) {
            (Some(_), Some(_)) => Err(Invalid::new("case", "start from an entity or a case, not both").into()),
            (Some(e), None) => {
                let g = self.gather_around(actor, vec![e.clone()], Vec::new(), hops, max_cases).await?;
                // Only an entity the caller is shown starts a network: the cases of records joined
                // to an unseen one must not answer for it.
                let shown = g.cases.iter().any(|c| c.parties.iter().any(|p| p.entity_id.as_deref() == Some(e.as_str())));
                Ok(if shown { g } else { Gathered { cases: Vec::new(), truncated: false, alias: HashMap::new() } })
            }
            (None, Some(c)) => self.gather_around(actor, Vec::new(), vec![c.clone()], hops, max_cases).await,
            (None, None) => {
                let filter = self.case_filter(&CaseQuery {
                    case_type: q.case_type.clone(),
                    province: q.province.clone(),
                    commodity: q.commodity.clone(),
                    since: q.since,
                    until: q.until,
                    ..CaseQuery::default()
                })?;
                let principals = self.principals(actor).await?;
                let found = self.store.cases_visible(&principals, &filter, None, max_cases as i64 + 1).await?;
                let truncated = found.len() > max_cases;
                let mut cases = Vec::with_capacity(found.len().min(max_cases));
                let mut alias = HashMap::new();
                for c in found.iter().take(max_cases) {
                    let view = self.view(actor, c).await?;
                    for e in view.parties.iter().filter_map(|p| p.entity_id.as_ref()) {
                        if !alias.contains_key(e) {
                            for member in self.same_entity(e).await? {
                                alias.entry(member).or_insert_with(|| e.clone());
                            }
                        }
                    }
                    cases.push(view);
                }
                Ok(Gathered { cases, truncated, alias })
            }
        }
    }

    /// Breadth first from entities and cases: a ring of cases, then the entities in them, then
    /// their cases, `hops` times — only ever through cases and parties the caller is shown.
    async fn gather_around(
        &self,
        actor: &Actor,
        entities: Vec<String>,
        cases: Vec<String>,
        hops: usize,
        max_cases: usize,
    ) -> Result<Gathered, AppError> {
        let principals = self.principals(actor).await?;
        let (mut seen_cases, mut seen_entities) = (BTreeSet::new(), BTreeSet::new());
        let mut out = Vec::new();
        let mut truncated = false;
        // Each queue item is a case id and the ring it belongs to.
        let mut alias = HashMap::new();
        let mut queue: VecDeque<(String, usize)> = cases.into_iter().map(|c| (c, 1)).collect();
        for e in entities {
            for member in self.same_entity(&e).await? {
                alias.entry(member.clone()).or_insert_with(|| e.clone());
                seen_entities.insert(member.clone());
                for c in self.store.entity_case_ids(&member).await? {
                    queue.push_back((c, 1));
                }
            }
        }
        while let Some((case_id, ring)) = queue.pop_front() {
            if !seen_cases.insert(case_id.clone()) {
                continue;
            }
            let Some(case) = self.store.case(&case_id).await? else { continue };
            if !case.visible_to(&principals) {
                continue;
            }
            if out.len() == max_cases {
                truncated = true;
                break;
            }
            let view = self.view(actor, &case).await?;
            for p in &view.parties {
                let Some(e) = &p.entity_id else { continue };
                if !seen_entities.insert(e.clone()) {
                    continue;
                }
                // The records joined to it are the same person: their cases are one ring further too.
                for member in self.same_entity(e).await? {
                    alias.entry(member.clone()).or_insert_with(|| e.clone());
                    seen_entities.insert(member.clone());
                    if ring < hops {
                        for c in self.store.entity_case_ids(&member).await? {
                            queue.push_back((c, ring + 1));
                        }
                    }
                }
            }
            out.push(view);
        }
        Ok(Gathered { cases: out, truncated, alias })
    }

    /// The network of what was gathered, measured off the async threads: betweenness is
    /// O(nodes × edges) and runs on threads of its own.
    async fn measured(g: &Gathered) -> Result<(Network, Metrics), AppError> {
        let mut net = Network::new();
        for c in &g.cases {
            add_case(&mut net, c, &g.alias);
        }
        tokio::task::spawn_blocking(move || {
            let m = net.metrics();
            (net, m)
        })
        .await
        .map_err(|e| AppError::Store(cordon_store::StoreError::Corrupt(format!("network measures stopped: {e}"))))
    }

    async fn audit_network(&self, actor: &Actor, action: &str, q: &NetworkQuery, cases: &[CaseView]) -> Result<(), AppError> {
        let ids: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
        let start = q.entity.as_deref().or(q.case.as_deref()).unwrap_or("*");
        let entry = actor.audit(self.now_ms(), action, "network", start, "ok", json!({ "cases": ids }));
        Ok(self.store.audit(&[entry]).await?)
    }

    /// The network a query selects, with its measures, rings and communities; audited with the
    /// cases it was built from.
    pub async fn network(&self, actor: &Actor, q: NetworkQuery) -> Result<NetworkView, AppError> {
        let g = self.gather_network(actor, &q).await?;
        let start_missing = (q.entity.is_some() || q.case.is_some()) && g.cases.is_empty();
        if start_missing {
            let start = q.entity.as_deref().or(q.case.as_deref()).unwrap_or_default();
            self.store.audit(&[actor.audit(self.now_ms(), "network.read", "network", start, "denied", json!({}))]).await?;
            return Err(AppError::NotFound(if q.entity.is_some() { "entity" } else { "case" }));
        }
        self.audit_network(actor, "network.read", &q, &g.cases).await?;
        let (net, m) = Self::measured(&g).await?;
        let mut nodes: Vec<NetworkNodeView> = (0..net.len()).map(|n| node_view(&net, &m, n)).collect();
        let edges = net
            .edges()
            .map(|e| NetworkEdgeView {
                source: net.node(e.a).key.clone(),
                target: net.node(e.b).key.clone(),
                relation: e.relations.join(", "),
                weight: e.weight,
            })
            .collect();
        let mut rings = Vec::new();
        for members in net.components() {
            let component = members.first().map_or(0, |n| m.nodes[*n].component);
            let case_ids: BTreeSet<&str> =
                members.iter().filter(|n| net.node(**n).kind.is_case()).map(|n| net.node(*n).key.as_str()).collect();
            if case_ids.len() < 2 {
                continue;
            }
            let mut central: Vec<NodeId> = members.iter().copied().filter(|n| !net.node(*n).kind.is_case()).collect();
            central.sort_by(|a, b| m.nodes[*b].pagerank.total_cmp(&m.nodes[*a].pagerank).then(a.cmp(b)));
            rings.push(RingView {
                component,
                cases: case_ids.len(),
                entities: members.len() - case_ids.len(),
                central: central.iter().take(10).map(|n| net.node(*n).key.clone()).collect(),
                value_vnd: g.cases.iter().filter(|c| case_ids.contains(c.id.as_str())).map(|c| c.total_value_vnd).sum(),
            });
        }
        nodes.sort_by(|a, b| b.pagerank.total_cmp(&a.pagerank).then_with(|| a.id.cmp(&b.id)));
        Ok(NetworkView { nodes, edges, rings, modularity: m.modularity, truncated: g.truncated })
    }

    /// The same network as a GraphML (yEd, i2-style tools) or GEXF (Gephi) document; audited as
    /// an export, since a file is how records leave Cordon.
    pub async fn network_file(&self, actor: &Actor, q: NetworkQuery) -> Result<NetworkFile, AppError> {
        let format = q.format.clone().unwrap_or_else(|| "graphml".into());
        if !matches!(format.as_str(), "graphml" | "gexf") {
            return Err(Invalid::new("format", "json, graphml or gexf").into());
        }
        let g = self.gather_network(actor, &q).await?;
        if (q.entity.is_some() || q.case.is_some()) && g.cases.is_empty() {
            return Err(AppError::NotFound(if q.entity.is_some() { "entity" } else { "case" }));
        }
        self.audit_network(actor, "network.export", &q, &g.cases).await?;
        let (net, m) = Self::measured(&g).await?;
        Ok(match format.as_str() {
            "gexf" => NetworkFile { content_type: "application/gexf+xml", filename: "cordon-network.gexf", body: net.to_gexf(&m) },
            _ => NetworkFile { content_type: "application/graphml+xml", filename: "cordon-network.graphml", body: net.to_graphml(&m) },
        })
    }

    /// How entity `from` is connected to entity `to`, within four rings of cases of `from`, over
    /// what the caller may see.
    pub async fn network_path(&self, actor: &Actor, from: &str, to: &str) -> Result<NetworkPathView, AppError> {
        if from == to {
            return Err(Invalid::new("to", "another entity than `from`").into());
        }
        let q = NetworkQuery { entity: Some(from.to_string()), hops: Some(4), max_cases: Some(MAX_NETWORK_CASES), ..Default::default() };
        let g = self.gather_network(actor, &q).await?;
        if g.cases.is_empty() {
            return Err(AppError::NotFound("entity"));
        }
        self.audit_network(actor, "network.path", &q, &g.cases).await?;
        let (net, m) = Self::measured(&g).await?;
        let path = match (net.find(from), net.find(to)) {
            (Some(a), Some(b)) => net.shortest_path(a, b).unwrap_or_default(),
            _ => Vec::new(),
        };
        let cases_apart = path.iter().filter(|n| net.node(**n).kind.is_case()).count();
        Ok(NetworkPathView { path: path.into_iter().map(|n| node_view(&net, &m, n)).collect(), cases_apart })
    }
}
