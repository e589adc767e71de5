//! Times `metrics()` and the exports on 5,000-node, 20,000-edge networks: `cargo run --release -p cordon-network --example timing`.
//!
//! Two shapes: cases and entities as the app would hand them in (1,000 cases, 4,000 entities, every
//! edge a case–entity link, a few entities on many cases and many on one), and a uniform random
//! graph with no leaves to speak of, the harder case for betweenness. A small linear congruential
//! generator makes them, so every run times the same networks.

use std::time::Instant;

use cordon_network::{Network, NodeKind};

/// Knuth's MMIX constants; quality is beside the point, repeatability is the point.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

fn cases_and_entities() -> Network {
    let (cases, entities, edges) = (1_000, 4_000, 20_000);
    let kinds = ["person", "company", "vehicle", "vessel", "phone", "bank account", "seller account"];
    let mut net = Network::new();
    for c in 0..cases {
        net.add_node(&format!("case:{c}"), NodeKind::Case, &format!("HQ-2026-{c:04}"));
    }
    for e in 0..entities {
        net.add_node(&format!("entity:{e}"), NodeKind::entity(kinds[e % kinds.len()]), &format!("Nguyễn Văn {e}"));
    }
    let mut rng = Lcg(20_261_204);
    while net.edge_count() < edges {
        let case = rng.below(cases);
        // Half the links go to the first tenth of the entities: a few are on many cases, as in life.
        let entity = if rng.below(2) == 0 { rng.below(entities / 10) } else { rng.below(entities) };
        net.add_edge(case, cases + entity, "suspect", 1.0).unwrap();
    }
    net
}

fn uniform() -> Network {
    let (nodes, edges) = (5_000, 20_000);
    let mut net = Network::new();
    for v in 0..nodes {
        net.add_node(&format!("entity:{v}"), NodeKind::entity("person"), &format!("Trần Thị {v}"));
    }
    let mut rng = Lcg(42);
    while net.edge_count() < edges {
        let (a, b) = (rng.below(nodes), rng.below(nodes));
        if a != b {
            net.add_edge(a, b, "co-suspect", 1.0).unwrap();
        }
    }
    net
}

fn time(name: &str, net: &Network) {
    let leaves = (0..net.len()).filter(|&v| net.degree(v) == 1).count();
    println!("{name}: {} nodes, {} edges, {leaves} leaves", net.len(), net.edge_count());
    let t = Instant::now();
    let m = net.metrics();
    println!(
        "  metrics(): {:.3} s ({} components, {} communities, modularity {:.3})",
        t.elapsed().as_secs_f64(),
        m.components,
        m.communities,
        m.modularity
    );
    let t = Instant::now();
    let _ = net.betweenness();
    println!("    betweenness(): {:.3} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let _ = net.pagerank();
    println!("    pagerank(): {:.3} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let _ = net.communities();
    println!("    communities(): {:.3} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let p = net.entity_projection();
    println!("  entity_projection(): {:.3} s ({} nodes, {} edges)", t.elapsed().as_secs_f64(), p.len(), p.edge_count());
    let t = Instant::now();
    let (graphml, gexf) = (net.to_graphml(&m), net.to_gexf(&m));
    println!("  to_graphml() + to_gexf(): {:.3} s ({} + {} bytes)", t.elapsed().as_secs_f64(), graphml.len(), gexf.len());
}

fn main() {
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get());
    println!("{threads} threads available");
    time("cases and entities", &cases_and_entities());
    time("uniform random", &uniform());
}
