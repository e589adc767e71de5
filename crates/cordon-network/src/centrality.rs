//! Centrality: betweenness (Brandes) and PageRank.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::graph::{Csr, Network};

/// Betweenness splits its sources into this many chunks (see `betweenness`); more would only cost memory, n floats each.
const CHUNKS: usize = 16;
/// Below this much work (adjacency entries × nodes) betweenness runs on the calling thread alone;
/// starting threads would cost more than they save.
const PARALLEL_ABOVE: usize = 20_000_000;

/// PageRank's damping factor: the chance of following an edge rather than jumping anywhere.
pub const DAMPING: f64 = 0.85;
/// PageRank stops when an iteration moves the scores by less than this in total (L1).
pub const PAGERANK_TOLERANCE: f64 = 1e-10;
/// PageRank stops after this many iterations even if not converged (0.85^200 ≈ 7e-15, so it has).
pub const PAGERANK_MAX_ITERATIONS: usize = 200;

impl Network {
    /// Betweenness centrality, unweighted (hops), normalised to [0, 1] as networkx's default for
    /// undirected graphs: the share of shortest paths between other pairs that pass through each node,
    /// divided by (n−1)(n−2); all zeros with fewer than three nodes.
    ///
    /// Brandes' algorithm: one breadth-first search and one back-propagation per node, so O(V·E)
    /// time and O(V+E) memory per thread. On a large network (over 20 million adjacency entries × nodes)
    /// the sources are shared among the machine's cores with scoped threads; the sums are added in a
    /// fixed order, so the answer does not depend on how many ran. That cost is why the UI should
    /// ask for it on a neighbourhood, or once per export, not per click.
    pub fn betweenness(&self) -> Vec<f64> {
        let entries = 2 * self.edge_count();
        let threads = if entries.saturating_mul(self.len()) < PARALLEL_ABOVE {
            1
        } else {
            std::thread::available_parallelism().map_or(1, |t| t.get())
        };
        self.betweenness_on(threads)
    }

    /// Betweenness on at most `threads` threads; the same answer, to the bit, for any number.
    pub(crate) fn betweenness_on(&self, threads: usize) -> Vec<f64> {
        let csr = self.csr();
        let n = csr.len();
        let mut bc = vec![0.0; n];
        if n < 3 {
            return bc;
        }
        let Some(rows) = Rows::new(&csr) else {
            // Over four billion adjacency entries, O(V·E) would not finish anyway; answer nothing rather than wrap.
            return bc;
        };
        // A leaf s (one neighbour u) needs no search of its own: its paths are u's plus the step s–u,
        // so its dependencies are u's on every other node, and u lies on all its paths to the n_c − 2
        // others of their component. So u's search counts once for itself and once per leaf on it,
        // which spares a search for every entity seen on one case only — most of them, in practice.
        // (Two leaves on each other are a component of two: nobody is between anybody.)
        let mut leaves = vec![0u32; n];
        for s in 0..n as u32 {
            if let [u] = rows.of(s) {
                if rows.of(*u).len() > 1 {
                    leaves[*u as usize] += 1;
                }
            }
        }
        let sources: Vec<u32> = (0..n as u32).filter(|&s| rows.of(s).len() > 1).collect();
        // Sources in a fixed number of chunks, each chunk's sums kept apart and added in chunk order:
        // the answer is the same to the last bit however many threads ran the chunks.
        let chunks: Vec<&[u32]> = sources.chunks(sources.len().div_ceil(CHUNKS).max(1)).collect();
        let run = |chunk: &[u32]| {
            let mut part = vec![0.0; n];
            let mut work = Brandes::new(n, rows.targets.len());
            for &s in chunk {
                work.accumulate(&rows, s, leaves[s as usize], &mut part);
            }
            part
        };
        let threads = threads.min(chunks.len());
        let parts: Vec<Vec<f64>> = if threads <= 1 {
            chunks.iter().map(|c| run(c)).collect()
        } else {
            let next = AtomicUsize::new(0);
            let mut done: Vec<(usize, Vec<f64>)> = std::thread::scope(|scope| {
                let workers: Vec<_> = (0..threads)
                    .map(|_| {
                        scope.spawn(|| {
                            let mut mine = Vec::new();
                            loop {
                                let i = next.fetch_add(1, Ordering::Relaxed);
                                let Some(chunk) = chunks.get(i) else { break };
                                mine.push((i, run(chunk)));
                            }
                            mine
                        })
                    })
                    .collect();
                let mut done = Vec::new();
                for worker in workers {
                    match worker.join() {
                        Ok(mine) => done.extend(mine),
                        // A worker only panics on a bug here; carry it on as this thread's own panic.
                        Err(panic) => std::panic::resume_unwind(panic),
                    }
                }
                done
            });
            done.sort_by_key(|(i, _)| *i);
            done.into_iter().map(|(_, part)| part).collect()
        };
        for part in parts {
            for (b, p) in bc.iter_mut().zip(part) {
                *b += p;
            }
        }
        // Every pair is counted from both ends (s→t and t→s); networkx's normalised undirected value is
        // that sum over (n−1)(n−2).
        let scale = 1.0 / ((n - 1) as f64 * (n - 2) as f64);
        for b in &mut bc {
            *b *= scale;
        }
        bc
    }

    /// PageRank with damping 0.85 over the weighted edges (each node passes its score to its
    /// neighbours in proportion to the edges' weights); a node without edges spreads its score over
    /// every node. Iterates until the scores move by less than 1e-10 in total, or 200 times; sums to 1.
    pub fn pagerank(&self) -> Vec<f64> {
        let csr = self.csr();
        let n = csr.len();
        if n == 0 {
            return Vec::new();
        }
        let strength: Vec<f64> = (0..n).map(|v| csr.weights[csr.range(v)].iter().sum()).collect();
        let uniform = 1.0 / n as f64;
        let mut x = vec![uniform; n];
        let mut next = vec![0.0; n];
        for _ in 0..PAGERANK_MAX_ITERATIONS {
            let mut dangling = 0.0;
            next.fill(0.0);
            for v in 0..n {
                if strength[v] == 0.0 {
                    dangling += x[v];
                    continue;
                }
                let share = x[v] / strength[v];
                let r = csr.range(v);
                for (&w, &weight) in csr.targets[r.clone()].iter().zip(&csr.weights[r]) {
                    next[w] += share * weight;
                }
            }
            let jump = (1.0 - DAMPING) * uniform + DAMPING * dangling * uniform;
            let mut moved = 0.0;
            for v in 0..n {
                next[v] = DAMPING * next[v] + jump;
                moved += (next[v] - x[v]).abs();
            }
            std::mem::swap(&mut x, &mut next);
            if moved < PAGERANK_TOLERANCE {
                break;
            }
        }
        // The iteration keeps the sum at 1 up to rounding; dividing makes "sums to 1" hold to the last bits.
        let total: f64 = x.iter().sum();
        for v in &mut x {
            *v /= total;
        }
        x
    }
}

/// Brandes' per-source buffers, reused across sources so a run allocates once. Indices are u32:
/// half the memory traffic of usize in the hot loops, and a network of four billion nodes is not one.
struct Brandes {
    dist: Vec<u32>,
    sigma: Vec<f64>,
    /// Σ over successors w of (1 + δ(w)) / σ(w), so that δ(v) = σ(v) · acc(v); see `accumulate`.
    acc: Vec<f64>,
    inv_sigma: Vec<f64>,
    order: Vec<u32>,
    /// The shortest-path DAG's edges (v, w), w one hop further, in the order found.
    dag: Vec<(u32, u32)>,
}

const UNSEEN: u32 = u32::MAX;

/// The adjacency as u32 rows for Brandes.
struct Rows {
    offsets: Vec<u32>,
    targets: Vec<u32>,
}

impl Rows {
    /// None when the network is too big for u32 indices (over four billion adjacency entries).
    fn new(csr: &Csr) -> Option<Rows> {
        let offsets = csr.offsets.iter().map(|&o| u32::try_from(o).ok()).collect::<Option<Vec<u32>>>()?;
        let targets = csr.targets.iter().map(|&t| u32::try_from(t).ok()).collect::<Option<Vec<u32>>>()?;
        Some(Rows { offsets, targets })
    }

    fn of(&self, v: u32) -> &[u32] {
        &self.targets[self.offsets[v as usize] as usize..self.offsets[v as usize + 1] as usize]
    }
}

impl Brandes {
    fn new(n: usize, entries: usize) -> Self {
        Brandes {
            dist: vec![UNSEEN; n],
            sigma: vec![0.0; n],
            acc: vec![0.0; n],
            inv_sigma: vec![0.0; n],
            order: vec![0; n],
            dag: vec![(0, 0); entries],
        }
    }

    /// Adds source `s`'s dependencies to `bc`, and those of the `leaves` hanging on it (see
    /// `betweenness_on`), then clears only what this source touched.
    fn accumulate(&mut self, rows: &Rows, s: u32, leaves: u32, bc: &mut [f64]) {
        // Plain slices and counters rather than Vec::push: the hot loop then keeps its pointers in
        // registers instead of reloading each Vec's length and buffer (measured: about a tenth faster).
        // `order` has room for every node and `dag` for every adjacency entry, so neither can overflow.
        let (dist, sigma, acc, inv_sigma) = (&mut self.dist[..], &mut self.sigma[..], &mut self.acc[..], &mut self.inv_sigma[..]);
        let (order_buf, dag_buf) = (&mut self.order[..], &mut self.dag[..]);
        let (offsets, targets) = (&rows.offsets[..], &rows.targets[..]);
        dist[s as usize] = 0;
        sigma[s as usize] = 1.0;
        order_buf[0] = s;
        let (mut head, mut tail, mut found) = (0, 1, 0);
        while head < tail {
            let v = order_buf[head];
            head += 1;
            let next = dist[v as usize] + 1;
            let sigma_v = sigma[v as usize];
            for &w in &targets[offsets[v as usize] as usize..offsets[v as usize + 1] as usize] {
                let d = &mut dist[w as usize];
                if *d == UNSEEN {
                    *d = next;
                    order_buf[tail] = w;
                    tail += 1;
                }
                if *d == next {
                    sigma[w as usize] += sigma_v;
                    dag_buf[found] = (v, w);
                    found += 1;
                }
            }
        }
        let (order, dag) = (&order_buf[..tail], &dag_buf[..found]);
        for &v in order.iter() {
            inv_sigma[v as usize] = 1.0 / sigma[v as usize];
        }
        // δ(v) = Σ_w σ(v)/σ(w) · (1 + δ(w)) over v's successors w. With acc(v) = δ(v)/σ(v) that is
        // acc(v) = Σ_w (1/σ(w) + acc(w)): no multiplication or division per edge. The DAG's edges in
        // reverse order of finding meet every (w, x) before any (v, w), since w was searched after v,
        // so acc(w) is complete when it is used.
        for &(v, w) in dag.iter().rev() {
            acc[v as usize] += inv_sigma[w as usize] + acc[w as usize];
        }
        let times = 1.0 + f64::from(leaves);
        // order holds s's whole component; the leaves' paths to all but themselves and s go through s.
        bc[s as usize] += f64::from(leaves) * (order.len() - 2) as f64;
        for &v in order.iter() {
            let v = v as usize;
            if v != s as usize {
                bc[v] += times * sigma[v] * acc[v];
            }
            dist[v] = UNSEEN;
            sigma[v] = 0.0;
            acc[v] = 0.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Network, NodeId, NodeKind};

    fn net(n: usize, edges: &[(NodeId, NodeId, f64)]) -> Network {
        let mut net = Network::new();
        for i in 0..n {
            net.add_node(&i.to_string(), NodeKind::entity("person"), "");
        }
        for &(a, b, w) in edges {
            net.add_edge(a, b, "r", w).unwrap();
        }
        net
    }

    fn close(got: &[f64], want: &[f64], tol: f64) -> bool {
        got.len() == want.len() && got.iter().zip(want).all(|(g, w)| (g - w).abs() <= tol)
    }

    #[test]
    fn betweenness_on_small_graphs() {
        type Case = (&'static str, usize, &'static [(NodeId, NodeId, f64)], &'static [f64]);
        let cases: &[Case] = &[
            ("empty", 0, &[], &[]),
            ("pair", 2, &[(0, 1, 1.0)], &[0.0, 0.0]),
            ("path a–b–c", 3, &[(0, 1, 1.0), (1, 2, 1.0)], &[0.0, 1.0, 0.0]),
            // networkx: path of 4 gives 2/3 to each inner node.
            ("path of 4", 4, &[(0, 1, 1.0), (1, 2, 1.0), (2, 3, 1.0)], &[0.0, 2.0 / 3.0, 2.0 / 3.0, 0.0]),
            ("star of 5", 5, &[(0, 1, 1.0), (0, 2, 1.0), (0, 3, 1.0), (0, 4, 1.0)], &[1.0, 0.0, 0.0, 0.0, 0.0]),
            ("triangle", 3, &[(0, 1, 1.0), (1, 2, 1.0), (0, 2, 1.0)], &[0.0, 0.0, 0.0]),
            // A square: each node lies on one of the two shortest paths between its two neighbours.
            ("square", 4, &[(0, 1, 1.0), (1, 2, 1.0), (2, 3, 1.0), (3, 0, 1.0)], &[1.0 / 6.0; 4]),
            // Weights do not count: betweenness is by hops.
            ("weighted path", 3, &[(0, 1, 9.0), (1, 2, 0.5)], &[0.0, 1.0, 0.0]),
            // Normalised by the whole graph's n, as networkx does: the path's middle over (4−1)(4−2).
            ("path and an isolate", 4, &[(0, 1, 1.0), (1, 2, 1.0)], &[0.0, 2.0 / 6.0, 0.0, 0.0]),
        ];
        for (name, n, edges, want) in cases {
            let got = net(*n, edges).betweenness();
            assert!(close(&got, want, 1e-12), "{name}: got {got:?}, want {want:?}");
        }
    }

    #[test]
    fn pagerank_on_small_graphs() {
        // A star of 5: the centre gets (1−d)/n + d·(all the leaves' score); solving gives 0.47568 (networkx too), leaves share the rest.
        let star = net(5, &[(0, 1, 1.0), (0, 2, 1.0), (0, 3, 1.0), (0, 4, 1.0)]).pagerank();
        let centre = (0.15 / 5.0 + 0.85 * 4.0 * 0.15 / 5.0) / (1.0 - 0.85 * 0.85);
        let leaf = (1.0 - centre) / 4.0;
        assert!(close(&star, &[centre, leaf, leaf, leaf, leaf], 1e-9), "{star:?}");

        type Case = (&'static str, usize, &'static [(NodeId, NodeId, f64)], &'static [f64]);
        let cases: &[Case] = &[
            ("empty", 0, &[], &[]),
            ("one isolate", 1, &[], &[1.0]),
            ("isolates only", 4, &[], &[0.25; 4]),
            ("pair", 2, &[(0, 1, 1.0)], &[0.5, 0.5]),
            ("triangle", 3, &[(0, 1, 1.0), (1, 2, 1.0), (0, 2, 1.0)], &[1.0 / 3.0; 3]),
            // Values from networkx.pagerank (tol 1e-15): a path with a heavy first edge, and an isolate that dangles.
            ("weighted path", 3, &[(0, 1, 3.0), (1, 2, 1.0)], &[0.36013513513513545, 0.4864864864864857, 0.15337837837837848]),
            ("pair and an isolate", 3, &[(0, 1, 1.0)], &[0.46511627906976716, 0.46511627906976716, 0.06976744186046555]),
        ];
        for (name, n, edges, want) in cases {
            let got = net(*n, edges).pagerank();
            assert!(close(&got, want, 1e-9), "{name}: got {got:?}, want {want:?}");
            if *n > 0 {
                assert!((got.iter().sum::<f64>() - 1.0).abs() < 1e-12, "{name} sums to 1");
            }
        }
    }

    /// Betweenness the slow, obvious way: all-pairs hop counts and path counts, then for every
    /// s, t and v, the share σ_sv·σ_vt/σ_st of s–t paths through v. Normalised as networkx does.
    fn reference_betweenness(g: &Network) -> Vec<f64> {
        let n = g.len();
        let (mut dist, mut count) = (vec![vec![usize::MAX; n]; n], vec![vec![0.0f64; n]; n]);
        for s in 0..n {
            dist[s][s] = 0;
            count[s][s] = 1.0;
            let mut queue = std::collections::VecDeque::from([s]);
            while let Some(v) = queue.pop_front() {
                for w in g.neighbours(v) {
                    if dist[s][w] == usize::MAX {
                        dist[s][w] = dist[s][v] + 1;
                        queue.push_back(w);
                    }
                    if dist[s][w] == dist[s][v] + 1 {
                        count[s][w] += count[s][v];
                    }
                }
            }
        }
        let mut bc = vec![0.0; n];
        for s in 0..n {
            for t in 0..n {
                for v in 0..n {
                    let through = dist[s][v] != usize::MAX && dist[v][t] != usize::MAX && dist[s][v] + dist[v][t] == dist[s][t];
                    if s != t && v != s && v != t && dist[s][t] != usize::MAX && through {
                        bc[v] += count[s][v] * count[v][t] / count[s][t];
                    }
                }
            }
        }
        let scale = if n > 2 { 1.0 / ((n - 1) as f64 * (n - 2) as f64) } else { 0.0 };
        bc.iter().map(|b| b * scale).collect()
    }

    /// A repeatable random network: a few hubs, many leaves, pairs and isolates, several components.
    fn random(seed: u64, n: usize, edges: usize) -> Network {
        let mut state = seed;
        let mut below = |m: usize| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((state >> 33) % m as u64) as usize
        };
        let mut g = net(n, &[]);
        for _ in 0..edges {
            // Half the edges touch the first fifth: hubs with leaves on them, as cases with one-off entities.
            let a = if below(2) == 0 { below(n / 5 + 1) } else { below(n) };
            let b = below(n);
            if a != b {
                g.add_edge(a, b, "r", 1.0).unwrap();
            }
        }
        g
    }

    #[test]
    fn betweenness_agrees_with_the_obvious_computation() {
        let mut leaves_seen = 0;
        for seed in 0..40 {
            let n = 3 + (seed as usize * 7) % 38;
            let g = random(seed, n, n + seed as usize % 9);
            leaves_seen += (0..n).filter(|&v| g.degree(v) == 1).count();
            let got = g.betweenness();
            let want = reference_betweenness(&g);
            assert!(close(&got, &want, 1e-12), "seed {seed}: got {got:?}, want {want:?}");
        }
        assert!(leaves_seen > 100, "the networks exercise the leaf shortcut ({leaves_seen} leaves)");
        // Paths of two and three nodes, whose leaves sit on leaves or on the one middle node.
        for edges in [&[(0, 1, 1.0)][..], &[(0, 1, 1.0), (2, 3, 1.0), (3, 4, 1.0)]] {
            let g = net(5, edges);
            assert!(close(&g.betweenness(), &reference_betweenness(&g), 1e-12), "{edges:?}");
        }
    }

    #[test]
    fn betweenness_is_the_same_to_the_bit_on_any_number_of_threads() {
        let g = random(7, 400, 900);
        let one = g.betweenness_on(1);
        for threads in [2, 3, 16, 64] {
            assert_eq!(g.betweenness_on(threads), one, "{threads} threads");
        }
        assert_eq!(g.betweenness(), one);
        assert!(one.iter().any(|&b| b > 0.0));
    }
}
