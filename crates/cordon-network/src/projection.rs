//! The entity projection: who shares a case with whom.

use crate::graph::{Network, NodeId};

/// The relation name for two entities on one case in different roles.
pub const SHARED_CASE: &str = "shared case";

impl Network {
    /// The entities only, two linked when they share a case: the weight is the number of cases they
    /// share, and the relation names say how — "co-" and the role when both hold the same role in a
    /// case ("co-suspect", "co-driver"), else "shared case". Keys, labels and kinds are kept; entities
    /// keep their order (ids are renumbered without the cases), and entities on no case are kept, alone.
    ///
    /// Edges already between two entities (say "shared phone") are kept too, their weight added to
    /// the shared-case count, because dropping what an analyst recorded would lose a link.
    pub fn entity_projection(&self) -> Network {
        let mut out = Network::new();
        let mut new_id = vec![usize::MAX; self.len()];
        for (id, node) in self.nodes().enumerate() {
            if !node.kind.is_case() {
                new_id[id] = out.add_node(&node.key, node.kind.clone(), &node.label);
            }
        }
        // Entity–entity edges first, in this network's order.
        for e in self.edges() {
            let (a, b) = (new_id[e.a], new_id[e.b]);
            if a != usize::MAX && b != usize::MAX {
                out.merge(a, b, e.relations, e.weight);
            }
        }
        let mut on_case: Vec<(NodeId, &[String])> = Vec::new();
        for (case, node) in self.nodes().enumerate() {
            if !node.kind.is_case() {
                continue;
            }
            on_case.clear();
            on_case.extend(self.neighbour_edges(case).filter(|&(m, _)| new_id[m] != usize::MAX).map(|(m, e)| (m, e.relations)));
            for (i, &(x, roles_x)) in on_case.iter().enumerate() {
                for &(y, roles_y) in &on_case[i + 1..] {
                    let mut names: Vec<String> = roles_x.iter().filter(|r| roles_y.contains(r)).map(|r| format!("co-{r}")).collect();
                    if names.is_empty() {
                        names.push(SHARED_CASE.to_owned());
                    }
                    // One per shared case, whatever the weights of the case's own links.
                    out.merge(new_id[x], new_id[y], &names, 1.0);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::{Network, NodeKind};

    #[test]
    fn suspects_on_one_case_and_a_phone_on_two() {
        let mut net = Network::new();
        let c1 = net.add_node("case:1", NodeKind::Case, "HQ-2024-001");
        let c2 = net.add_node("case:2", NodeKind::Case, "HQ-2024-002");
        let an = net.add_node("person:an", NodeKind::entity("person"), "Nguyễn Văn An");
        let binh = net.add_node("person:binh", NodeKind::entity("person"), "Trần Thị Bình");
        let cuong = net.add_node("person:cuong", NodeKind::entity("person"), "Lê Văn Cường");
        let phone = net.add_node("phone:0912", NodeKind::entity("phone"), "0912 345 678");
        net.add_node("vehicle:29A", NodeKind::entity("vehicle"), "29A-123.45");
        // Case 1: An and Bình suspects, the phone seized. Case 2: Cường suspect, the same phone, An a witness.
        net.add_edge(c1, an, "suspect", 1.0).unwrap();
        net.add_edge(c1, binh, "suspect", 1.0).unwrap();
        net.add_edge(c1, phone, "seized", 1.0).unwrap();
        net.add_edge(c2, cuong, "suspect", 1.0).unwrap();
        net.add_edge(c2, phone, "seized", 5.0).unwrap();
        net.add_edge(c2, an, "witness", 1.0).unwrap();

        let p = net.entity_projection();
        assert_eq!(p.len(), 5, "the five entities, no cases");
        assert!(p.nodes().all(|n| !n.kind.is_case()));
        let id = |key: &str| p.find(key).unwrap();
        assert_eq!(p.node(id("person:an")).label, "Nguyễn Văn An");
        assert_eq!(p.node(id("phone:0912")).kind, NodeKind::entity("phone"));

        type Case<'a> = (&'a str, &'a str, Option<(f64, &'a [&'a str])>);
        let cases: &[Case] = &[
            ("person:an", "person:binh", Some((1.0, &["co-suspect"]))),
            ("person:an", "phone:0912", Some((2.0, &["shared case"]))),
            ("person:binh", "phone:0912", Some((1.0, &["shared case"]))),
            ("person:cuong", "phone:0912", Some((1.0, &["shared case"]))),
            ("person:an", "person:cuong", Some((1.0, &["shared case"]))),
            ("person:binh", "person:cuong", None),
            ("vehicle:29A", "person:an", None),
        ];
        for &(x, y, want) in cases {
            let got = p.edge(id(x), id(y)).map(|e| (e.weight, e.relations.to_vec()));
            let want = want.map(|(w, r)| (w, r.iter().map(|s| s.to_string()).collect::<Vec<_>>()));
            assert_eq!(got, want, "{x} – {y}");
        }
        assert_eq!(p.edge_count(), 5);
        assert_eq!(p.degree(id("vehicle:29A")), 0);
    }

    #[test]
    fn two_cases_in_common_weigh_two_and_direct_links_are_kept() {
        let mut net = Network::new();
        let a = net.add_node("p:a", NodeKind::entity("person"), "A");
        let c1 = net.add_node("c:1", NodeKind::Case, "1");
        let b = net.add_node("p:b", NodeKind::entity("person"), "B");
        let c2 = net.add_node("c:2", NodeKind::Case, "2");
        let d = net.add_node("p:d", NodeKind::entity("person"), "D");
        for c in [c1, c2] {
            net.add_edge(c, a, "suspect", 1.0).unwrap();
            net.add_edge(c, b, "suspect", 1.0).unwrap();
        }
        net.add_edge(c2, b, "driver", 1.0).unwrap();
        net.add_edge(c2, a, "driver", 1.0).unwrap();
        net.add_edge(b, d, "shared phone", 1.0).unwrap();
        let p = net.entity_projection();
        let (pa, pb, pd) = (p.find("p:a").unwrap(), p.find("p:b").unwrap(), p.find("p:d").unwrap());
        assert_eq!((pa, pb, pd), (0, 1, 2), "entities keep their order");
        let e = p.edge(pa, pb).unwrap();
        assert_eq!(e.weight, 2.0);
        assert_eq!(e.relations, ["co-suspect", "co-driver"]);
        let e = p.edge(pb, pd).unwrap();
        assert_eq!((e.weight, e.relations), (1.0, &["shared phone".to_owned()][..]));
    }
}
