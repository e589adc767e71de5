//! Known values on Zachary's karate club: betweenness and PageRank as networkx gives them, and Louvain's modularity.

mod common;

use common::karate;

#[test]
fn karate_club_is_34_members_and_78_friendships_in_one_group() {
    let net = karate();
    assert_eq!((net.len(), net.edge_count()), (34, 78));
    assert_eq!(net.components().len(), 1);
    // networkx: degree of 33 is 17, of 0 is 16, of 11 is 1.
    assert_eq!((net.degree(33), net.degree(0), net.degree(11)), (17, 16, 1));
}

#[test]
fn karate_betweenness_matches_networkx() {
    let bc = karate().betweenness();
    // networkx.betweenness_centrality(karate_club_graph()) (normalised, unweighted).
    let cases = [
        (0, 0.43763528138528146),
        (33, 0.30407497594997596),
        (32, 0.14524711399711404),
        (2, 0.14365680615680618),
        (31, 0.13827561327561325),
        (11, 0.0),
    ];
    for (node, want) in cases {
        assert!((bc[node] - want).abs() < 1e-6, "node {node}: {} vs {want}", bc[node]);
    }
    assert!(bc.iter().all(|&b| (0.0..=1.0).contains(&b)));
}

#[test]
fn karate_pagerank_matches_networkx() {
    let pr = karate().pagerank();
    assert!((pr.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    // networkx.pagerank(G, alpha=0.85, weight=None, tol=1e-15): the fixed point, to which this converges.
    let converged = [(0, 0.09699728538830416), (33, 0.10091918233261699)];
    for (node, want) in converged {
        assert!((pr[node] - want).abs() < 1e-8, "node {node}: {} vs {want}", pr[node]);
    }
    // networkx's default tolerance (1e-6 per node) stops earlier, at 0.09700182 and 0.1009179: those are
    // within 5e-6 of the fixed point, not 1e-6, so they are checked to networkx's own accuracy.
    let networkx_default = [(0, 0.09700181758983709), (33, 0.1009179167487121)];
    for (node, want) in networkx_default {
        assert!((pr[node] - want).abs() < 1e-5, "node {node}: {} vs {want}", pr[node]);
    }
}

#[test]
fn karate_louvain_finds_the_usual_modularity() {
    let net = karate();
    let communities = net.communities();
    let q = net.modularity(&communities);
    // networkx's Louvain finds 0.415–0.420 on it depending on the seed; this, with no seed, must be as good.
    assert!(q >= 0.40, "modularity {q}");
    let groups = communities.iter().max().unwrap() + 1;
    assert!((3..=5).contains(&groups), "{groups} communities");
    // Numbered from the largest.
    let sizes: Vec<usize> = (0..groups).map(|c| communities.iter().filter(|&&x| x == c).count()).collect();
    assert!(sizes.windows(2).all(|w| w[0] >= w[1]), "{sizes:?}");
    // The two leaders, the instructor (0) and the administrator (33), end up apart.
    assert_ne!(communities[0], communities[33]);
    // Deterministic: the same answer every time.
    assert_eq!(net.communities(), communities);
    // And metrics() reports the same figures.
    let m = net.metrics();
    assert_eq!(m.modularity, q);
    assert_eq!(m.nodes.iter().map(|n| n.community).collect::<Vec<_>>(), communities);
}
