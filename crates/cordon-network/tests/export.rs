//! GraphML, GEXF and JSON: well-formed, escaped, Vietnamese intact, counts and figures as computed.

mod common;

use common::{parse, Element};
use cordon_network::{Network, NodeKind};

/// Two cases, people and a company with Vietnamese names, and every character XML cares about.
fn sample() -> Network {
    let mut net = Network::new();
    let c1 = net.add_node("case:HQ/2024/001", NodeKind::Case, "Vụ buôn lậu <thuốc lá> & \"rượu\"");
    let c2 = net.add_node("case:HQ/2024/002", NodeKind::Case, "Vụ 'gian lận' thuế");
    let an = net.add_node("person:079090001234", NodeKind::entity("person"), "Nguyễn Văn An");
    let hd = net.add_node("company:0301234567", NodeKind::entity("company"), "Công ty TNHH Hải Đăng");
    let phone = net.add_node("phone:+84912345678", NodeKind::entity("phone"), "0912 345 678");
    let odd = net.add_node("person:odd", NodeKind::entity("person"), "Line one\nline two\ttab & <tag>");
    net.add_node("vessel:IMO9999999", NodeKind::entity("vessel"), "Tàu Hải Đăng 01");
    net.add_edge(c1, an, "suspect", 1.0).unwrap();
    net.add_edge(c1, an, "driver", 1.0).unwrap();
    net.add_edge(c1, hd, "owner & <operator>", 1.0).unwrap();
    net.add_edge(c2, hd, "suspect", 2.5).unwrap();
    net.add_edge(c2, phone, "shared phone", 1.0).unwrap();
    net.add_edge(c1, phone, "shared phone", 1.0).unwrap();
    net.add_edge(an, odd, "người liên quan \"quen\"", 1.0).unwrap();
    net
}

fn data<'a>(el: &'a Element, key: &str) -> Option<&'a str> {
    el.all("data").find(|d| d.attr("key") == Some(key)).map(|d| d.text.as_str())
}

#[test]
fn graphml_is_well_formed_escaped_and_complete() {
    let net = sample();
    let m = net.metrics();
    let doc = net.to_graphml(&m);
    let root = parse(&doc).unwrap_or_else(|e| panic!("{e}\n{doc}"));
    assert_eq!(root.name, "graphml");
    assert_eq!(root.attr("xmlns"), Some("http://graphml.graphdrawing.org/xmlns"));
    let keys: Vec<(&str, &str, &str)> =
        root.all("key").map(|k| (k.attr("for").unwrap(), k.attr("attr.name").unwrap(), k.attr("attr.type").unwrap())).collect();
    for want in [
        ("node", "kind", "string"),
        ("node", "label", "string"),
        ("node", "degree", "int"),
        ("node", "betweenness", "double"),
        ("node", "pagerank", "double"),
        ("node", "community", "int"),
        ("edge", "relation", "string"),
        ("edge", "weight", "double"),
    ] {
        assert!(keys.contains(&want), "missing key {want:?}");
    }
    let graph = root.one("graph");
    assert_eq!(graph.attr("edgedefault"), Some("undirected"));
    let nodes: Vec<&Element> = graph.all("node").collect();
    let edges: Vec<&Element> = graph.all("edge").collect();
    assert_eq!((nodes.len(), edges.len()), (net.len(), net.edge_count()));
    for (v, el) in nodes.iter().enumerate() {
        let node = net.node(v);
        assert_eq!(el.attr("id"), Some(format!("n{v}").as_str()));
        assert_eq!(data(el, "key"), Some(node.key.as_str()), "keys read back");
        assert_eq!(data(el, "label"), Some(node.label.as_str()), "labels read back");
        assert_eq!(data(el, "kind"), Some(node.kind.name()));
        assert_eq!(data(el, "degree").unwrap().parse::<usize>().unwrap(), m.nodes[v].degree);
        assert_eq!(data(el, "pagerank").unwrap().parse::<f64>().unwrap(), m.nodes[v].pagerank, "figures round-trip exactly");
        assert_eq!(data(el, "betweenness").unwrap().parse::<f64>().unwrap(), m.nodes[v].betweenness);
        assert_eq!(data(el, "community").unwrap().parse::<usize>().unwrap(), m.nodes[v].community);
    }
    assert_eq!(data(nodes[2], "label"), Some("Nguyễn Văn An"));
    assert_eq!(data(nodes[3], "label"), Some("Công ty TNHH Hải Đăng"));
    assert_eq!(data(nodes[0], "label"), Some("Vụ buôn lậu <thuốc lá> & \"rượu\""));
    assert_eq!(data(nodes[5], "label"), Some("Line one\nline two\ttab & <tag>"));
    assert!(doc.contains("Nguyễn Văn An"), "Vietnamese is written as UTF-8, not as references");
    for (el, e) in edges.iter().zip(net.edges()) {
        assert_eq!(el.attr("source"), Some(format!("n{}", e.a).as_str()));
        assert_eq!(el.attr("target"), Some(format!("n{}", e.b).as_str()));
        assert_eq!(data(el, "relation"), Some(e.relations.join("; ").as_str()));
        assert_eq!(data(el, "weight").unwrap().parse::<f64>().unwrap(), e.weight);
    }
    assert_eq!(data(edges[0], "relation"), Some("suspect; driver"));
    assert_eq!(data(edges[1], "relation"), Some("owner & <operator>"));
}

#[test]
fn gexf_is_well_formed_escaped_and_complete() {
    let net = sample();
    let m = net.metrics();
    let doc = net.to_gexf(&m);
    let root = parse(&doc).unwrap_or_else(|e| panic!("{e}\n{doc}"));
    assert_eq!((root.name.as_str(), root.attr("version"), root.attr("xmlns")), ("gexf", Some("1.3"), Some("http://gexf.net/1.3")));
    let graph = root.one("graph");
    assert_eq!(graph.attr("defaultedgetype"), Some("undirected"));
    let node_attrs = graph.all("attributes").find(|a| a.attr("class") == Some("node")).unwrap();
    let titles: Vec<&str> = node_attrs.all("attribute").map(|a| a.attr("title").unwrap()).collect();
    for want in ["kind", "label", "degree", "betweenness", "pagerank", "community"] {
        assert!(titles.contains(&want), "missing attribute {want}");
    }
    let nodes: Vec<&Element> = graph.one("nodes").all("node").collect();
    let edges: Vec<&Element> = graph.one("edges").all("edge").collect();
    assert_eq!((nodes.len(), edges.len()), (net.len(), net.edge_count()));
    let value = |el: &Element, key: &str| -> Option<String> {
        el.one("attvalues").all("attvalue").find(|a| a.attr("for") == Some(key)).and_then(|a| a.attr("value")).map(str::to_owned)
    };
    for (v, el) in nodes.iter().enumerate() {
        let node = net.node(v);
        assert_eq!(el.attr("id"), Some(v.to_string().as_str()));
        assert_eq!(el.attr("label"), Some(node.label.as_str()), "labels read back, newline and tab too");
        assert_eq!(value(el, "key").as_deref(), Some(node.key.as_str()));
        assert_eq!(value(el, "pagerank").unwrap().parse::<f64>().unwrap(), m.nodes[v].pagerank);
        assert_eq!(value(el, "community").unwrap().parse::<usize>().unwrap(), m.nodes[v].community);
    }
    assert_eq!(nodes[3].attr("label"), Some("Công ty TNHH Hải Đăng"));
    for (el, e) in edges.iter().zip(net.edges()) {
        assert_eq!((el.attr("source"), el.attr("target")), (Some(e.a.to_string().as_str()), Some(e.b.to_string().as_str())));
        assert_eq!(el.attr("weight").unwrap().parse::<f64>().unwrap(), e.weight);
        assert_eq!(value(el, "relation"), Some(e.relations.join("; ")));
    }
    assert_eq!(value(edges[5], "relation").as_deref(), Some("người liên quan \"quen\""));
}

#[test]
fn empty_network_exports_are_well_formed() {
    let net = Network::new();
    let m = net.metrics();
    for doc in [net.to_graphml(&m), net.to_gexf(&m)] {
        parse(&doc).unwrap_or_else(|e| panic!("{e}\n{doc}"));
    }
    assert!(net.to_json(&m).nodes.is_empty());
}

#[test]
fn json_for_the_ui() {
    let net = sample();
    let m = net.metrics();
    let json = serde_json::to_value(net.to_json(&m)).unwrap();
    let nodes = json["nodes"].as_array().unwrap();
    let edges = json["edges"].as_array().unwrap();
    assert_eq!((nodes.len(), edges.len()), (net.len(), net.edge_count()));
    assert_eq!(nodes[3]["label"], "Công ty TNHH Hải Đăng");
    assert_eq!(nodes[3]["class"], "entity");
    assert_eq!(nodes[3]["kind"], "company");
    assert_eq!(nodes[0]["kind"], "case");
    assert_eq!(nodes[0]["degree"], 3);
    assert!(nodes[0]["pagerank"].as_f64().unwrap() > 0.0);
    assert_eq!(edges[0]["relations"], serde_json::json!(["suspect", "driver"]));
    assert_eq!(edges[0]["weight"], 2.0);
    assert_eq!(json["communities"], m.communities);
    // Metrics from another network: the figures are left out, not invented.
    let other = Network::new().metrics();
    let bare = serde_json::to_value(net.to_json(&other)).unwrap();
    assert!(bare["nodes"][0].get("pagerank").is_none());
    assert!(parse(&net.to_graphml(&other)).is_ok());
}
