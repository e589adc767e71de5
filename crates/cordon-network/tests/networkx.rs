//! networkx reads our exports back: counts, a label, and its own betweenness on the karate club.
//!
//! Runs when `CORDON_NETWORKX_PYTHON` names a Python with networkx; skipped with a message otherwise,
//! unless `CORDON_REQUIRE_NETWORKX=1`, when a missing networkx fails the test.

mod common;

use std::process::Command;

use cordon_network::{Network, NodeKind};

fn python() -> Option<String> {
    let required = std::env::var("CORDON_REQUIRE_NETWORKX").is_ok_and(|v| v == "1");
    let Ok(python) = std::env::var("CORDON_NETWORKX_PYTHON") else {
        assert!(!required, "CORDON_REQUIRE_NETWORKX=1 but CORDON_NETWORKX_PYTHON is not set");
        eprintln!("skipped: set CORDON_NETWORKX_PYTHON to a python with networkx to compare with networkx");
        return None;
    };
    let ok = Command::new(&python).args(["-c", "import networkx"]).status().is_ok_and(|s| s.success());
    if !ok {
        assert!(!required, "CORDON_REQUIRE_NETWORKX=1 but {python} cannot import networkx");
        eprintln!("skipped: {python} cannot import networkx");
        return None;
    }
    Some(python)
}

/// Runs a script with networkx on a file and parses the JSON it prints.
fn run(python: &str, script: &str, file: &std::path::Path) -> serde_json::Value {
    let out = Command::new(python).args(["-c", script]).arg(file).output().unwrap();
    assert!(out.status.success(), "python failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

const READ_BACK: &str = r#"
import json, sys
import networkx as nx
path = sys.argv[1]
g = nx.read_graphml(path) if path.endswith(".graphml") else nx.read_gexf(path)
labels = {d["key"]: d["label"] for _, d in g.nodes(data=True)}
weights = sorted(d["weight"] for _, _, d in g.edges(data=True))
print(json.dumps({"nodes": g.number_of_nodes(), "edges": g.number_of_edges(), "directed": g.is_directed(),
                  "labels": labels, "weights": weights}))
"#;

#[test]
fn networkx_reads_our_graphml_and_gexf() {
    let Some(python) = python() else { return };
    let mut net = Network::new();
    let case = net.add_node("case:HQ/2024/001", NodeKind::Case, "Vụ <buôn lậu> & \"rượu\"");
    let an = net.add_node("person:1", NodeKind::entity("person"), "Nguyễn Văn An");
    let hd = net.add_node("company:1", NodeKind::entity("company"), "Công ty TNHH Hải Đăng");
    net.add_node("phone:1", NodeKind::entity("phone"), "0912 345 678");
    net.add_edge(case, an, "suspect", 1.0).unwrap();
    net.add_edge(case, hd, "owner", 2.5).unwrap();
    net.add_edge(case, hd, "suspect", 1.0).unwrap();
    let m = net.metrics();
    let dir = tempfile::tempdir().unwrap();
    for (name, doc) in [("net.graphml", net.to_graphml(&m)), ("net.gexf", net.to_gexf(&m))] {
        let path = dir.path().join(name);
        std::fs::write(&path, doc).unwrap();
        let got = run(&python, READ_BACK, &path);
        assert_eq!(got["nodes"], 4, "{name}");
        assert_eq!(got["edges"], 2, "{name}");
        assert_eq!(got["directed"], false, "{name}");
        assert_eq!(got["labels"]["person:1"], "Nguyễn Văn An", "{name}");
        assert_eq!(got["labels"]["company:1"], "Công ty TNHH Hải Đăng", "{name}");
        assert_eq!(got["labels"]["case:HQ/2024/001"], "Vụ <buôn lậu> & \"rượu\"", "{name}");
        assert_eq!(got["weights"], serde_json::json!([1.0, 3.5]), "{name}");
    }
}

const BETWEENNESS: &str = r#"
import json, sys
import networkx as nx
g = nx.read_graphml(sys.argv[1])
ours = {n: d["betweenness"] for n, d in g.nodes(data=True)}
theirs = nx.betweenness_centrality(g)
print(json.dumps({"worst": max(abs(ours[n] - theirs[n]) for n in g), "n": g.number_of_nodes(), "m": g.number_of_edges()}))
"#;

#[test]
fn networkx_agrees_on_karate_betweenness() {
    let Some(python) = python() else { return };
    let net = common::karate();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("karate.graphml");
    std::fs::write(&path, net.to_graphml(&net.metrics())).unwrap();
    let got = run(&python, BETWEENNESS, &path);
    assert_eq!((got["n"].as_u64(), got["m"].as_u64()), (Some(34), Some(78)));
    let worst = got["worst"].as_f64().unwrap();
    assert!(worst < 1e-9, "largest difference from networkx: {worst}");
}
