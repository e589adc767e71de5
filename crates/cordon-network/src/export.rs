//! Exports: GraphML 1.0, GEXF 1.3 (Gephi) and a JSON shape for the UI, each with the nodes' figures.
//!
//! Both XML formats carry the same attributes: on nodes the Cordon key, class ("case"/"entity"),
//! kind ("case" or the entity's kind), label, degree, weighted degree, betweenness, PageRank,
//! component and community; on edges the relation names (joined with "; ") and the weight. XML node
//! ids are "n0", "n1", … (GraphML) and "0", "1", … (GEXF), the node ids, because a Cordon key may hold
//! characters an XML id may not; the key travels as an attribute. Figures missing for a node (metrics
//! computed for another network) are left out rather than invented.

use std::fmt::Write as _;

use serde::Serialize;

use crate::graph::Network;
use crate::metrics::{Metrics, NodeMetrics};

/// How several relation names on one edge are joined in the XML exports.
pub const RELATION_SEPARATOR: &str = "; ";

/// (attribute name, GraphML type, GEXF type) of the nodes' attributes, in the order written.
const NODE_ATTRS: [(&str, &str, &str); 10] = [
    ("key", "string", "string"),
    ("class", "string", "string"),
    ("kind", "string", "string"),
    ("label", "string", "string"),
    ("degree", "int", "integer"),
    ("weighted_degree", "double", "double"),
    ("betweenness", "double", "double"),
    ("pagerank", "double", "double"),
    ("component", "int", "integer"),
    ("community", "int", "integer"),
];

/// The network as JSON for the UI: nodes with their figures, edges with relations and weights.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NetworkJson {
    /// Every node, in id order.
    pub nodes: Vec<NodeJson>,
    /// Every edge, in the order first added.
    pub edges: Vec<EdgeJson>,
    /// The number of connected groups.
    pub components: usize,
    /// The number of communities.
    pub communities: usize,
    /// The communities' modularity.
    pub modularity: f64,
}

/// One node for the UI.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NodeJson {
    /// The node id, which edges refer to.
    pub id: usize,
    /// The case's or entity's id.
    pub key: String,
    /// "case" or "entity".
    pub class: String,
    /// "case", or the entity's kind ("person", "phone", …).
    pub kind: String,
    /// What a person reads.
    pub label: String,
    /// The node's figures, flattened into the node; absent when the metrics were not for this network.
    #[serde(flatten)]
    pub metrics: Option<NodeMetrics>,
}

/// One edge for the UI.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EdgeJson {
    /// The end with the lower id.
    pub source: usize,
    /// The end with the higher id.
    pub target: usize,
    /// Every distinct relation name, in the order first added.
    pub relations: Vec<String>,
    /// The summed weight.
    pub weight: f64,
}

/// A node's attribute values, as text, in [`NODE_ATTRS`] order; `None` where a figure is missing.
fn node_values(net: &Network, m: &Metrics, v: usize) -> [Option<String>; 10] {
    let node = net.node(v);
    let fig = m.nodes.get(v);
    [
        Some(node.key.clone()),
        Some(node.kind.class().to_owned()),
        Some(node.kind.name().to_owned()),
        Some(node.label.clone()),
        fig.map(|f| f.degree.to_string()),
        fig.map(|f| f.weighted_degree.to_string()),
        fig.map(|f| f.betweenness.to_string()),
        fig.map(|f| f.pagerank.to_string()),
        fig.map(|f| f.component.to_string()),
        fig.map(|f| f.community.to_string()),
    ]
}

// Writing into a String cannot fail, so the fmt::Results of write! below are ignored with `let _`.
impl Network {
    /// GraphML 1.0, undirected, with `<key>` declarations for every attribute (see the module docs).
    pub fn to_graphml(&self, m: &Metrics) -> String {
        let mut out = String::with_capacity(256 + 400 * self.len() + 150 * self.edge_count());
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        out.push_str(
            "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" \
             xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
             xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n",
        );
        for (name, ty, _) in NODE_ATTRS {
            let _ = writeln!(out, "  <key id=\"{name}\" for=\"node\" attr.name=\"{name}\" attr.type=\"{ty}\"/>");
        }
        out.push_str("  <key id=\"relation\" for=\"edge\" attr.name=\"relation\" attr.type=\"string\"/>\n");
        out.push_str("  <key id=\"weight\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\"/>\n");
        out.push_str("  <graph id=\"cordon\" edgedefault=\"undirected\">\n");
        for v in 0..self.len() {
            let _ = writeln!(out, "    <node id=\"n{v}\">");
            for ((name, _, _), value) in NODE_ATTRS.iter().zip(node_values(self, m, v)) {
                if let Some(value) = value {
                    let _ = writeln!(out, "      <data key=\"{name}\">{}</data>", escape(&value));
                }
            }
            out.push_str("    </node>\n");
        }
        for (i, e) in self.edges().enumerate() {
            let _ = writeln!(out, "    <edge id=\"e{i}\" source=\"n{}\" target=\"n{}\">", e.a, e.b);
            let _ = writeln!(out, "      <data key=\"relation\">{}</data>", escape(&e.relations.join(RELATION_SEPARATOR)));
            let _ = writeln!(out, "      <data key=\"weight\">{}</data>", e.weight);
            out.push_str("    </edge>\n");
        }
        out.push_str("  </graph>\n</graphml>\n");
        out
    }

    /// GEXF 1.3 for Gephi, undirected and static, with the same attributes as GraphML; the label is GEXF's own.
    pub fn to_gexf(&self, m: &Metrics) -> String {
        let mut out = String::with_capacity(512 + 500 * self.len() + 150 * self.edge_count());
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        out.push_str(
            "<gexf xmlns=\"http://gexf.net/1.3\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
             xsi:schemaLocation=\"http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd\" version=\"1.3\">\n",
        );
        out.push_str("  <meta>\n    <creator>Cordon</creator>\n  </meta>\n");
        out.push_str("  <graph mode=\"static\" defaultedgetype=\"undirected\">\n");
        out.push_str("    <attributes class=\"node\" mode=\"static\">\n");
        for (name, _, ty) in NODE_ATTRS {
            let _ = writeln!(out, "      <attribute id=\"{name}\" title=\"{name}\" type=\"{ty}\"/>");
        }
        out.push_str("    </attributes>\n");
        out.push_str("    <attributes class=\"edge\" mode=\"static\">\n");
        out.push_str("      <attribute id=\"relation\" title=\"relation\" type=\"string\"/>\n");
        out.push_str("    </attributes>\n");
        out.push_str("    <nodes>\n");
        for v in 0..self.len() {
            let _ = writeln!(out, "      <node id=\"{v}\" label=\"{}\">", escape(&self.node(v).label));
            out.push_str("        <attvalues>\n");
            for ((name, _, _), value) in NODE_ATTRS.iter().zip(node_values(self, m, v)) {
                if let Some(value) = value {
                    let _ = writeln!(out, "          <attvalue for=\"{name}\" value=\"{}\"/>", escape(&value));
                }
            }
            out.push_str("        </attvalues>\n      </node>\n");
        }
        out.push_str("    </nodes>\n    <edges>\n");
        for (i, e) in self.edges().enumerate() {
            let _ = writeln!(out, "      <edge id=\"{i}\" source=\"{}\" target=\"{}\" weight=\"{}\">", e.a, e.b, e.weight);
            let _ = writeln!(
                out,
                "        <attvalues>\n          <attvalue for=\"relation\" value=\"{}\"/>\n        </attvalues>",
                escape(&e.relations.join(RELATION_SEPARATOR))
            );
            out.push_str("      </edge>\n");
        }
        out.push_str("    </edges>\n  </graph>\n</gexf>\n");
        out
    }

    /// The network and its figures in the shape the UI draws (serialise with serde_json).
    pub fn to_json(&self, m: &Metrics) -> NetworkJson {
        NetworkJson {
            nodes: self
                .nodes()
                .enumerate()
                .map(|(id, node)| NodeJson {
                    id,
                    key: node.key.clone(),
                    class: node.kind.class().to_owned(),
                    kind: node.kind.name().to_owned(),
                    label: node.label.clone(),
                    metrics: m.nodes.get(id).cloned(),
                })
                .collect(),
            edges: self.edges().map(|e| EdgeJson { source: e.a, target: e.b, relations: e.relations.to_vec(), weight: e.weight }).collect(),
            components: m.components,
            communities: m.communities,
            modularity: m.modularity,
        }
    }
}

/// Text made safe for XML content and attribute values alike.
///
/// The five markup characters become entities; tab, newline and carriage return become character
/// references, so a parser's attribute-value normalisation does not turn them into spaces; other
/// control characters (and U+FFFE, U+FFFF) cannot appear in XML 1.0 at all, even as references, so
/// they become U+FFFD rather than making the file unreadable. Everything else, Vietnamese included,
/// is written as UTF-8.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escape_table() {
        let cases = [
            ("Nguyễn Văn An", "Nguyễn Văn An"),
            ("Công ty TNHH Hải Đăng", "Công ty TNHH Hải Đăng"),
            ("A&B <c> \"d\" 'e'", "A&amp;B &lt;c&gt; &quot;d&quot; &apos;e&apos;"),
            ("line\nnext\ttab\r", "line&#10;next&#9;tab&#13;"),
            ("bell\u{7}nul\u{0}", "bell\u{fffd}nul\u{fffd}"),
            ("&amp;", "&amp;amp;"),
            ("", ""),
        ];
        for (text, want) in cases {
            assert_eq!(escape(text), want, "{text:?}");
        }
    }
}
