//! Lists the benchmark binaries of the harness; each one is run with `cargo run --profile bench`.

/// Every bench binary in `src/bin`, with what it measures.
const BENCHES: &[(&str, &str)] = &[
    ("bench_screen", "listing screening (cordon-screen full pipeline) vs a bare aho-corasick DFA term scan"),
    ("bench_match", "entity resolution: synthetic persons, batch dedupe and incremental resolve"),
    ("bench_api", "GET /api/v1/cases/{id} under wrk load against a real cordon serve (audit included)"),
    ("bench_import", "bulk import of cases with parties: cordon import vs sqlite3 .import and PostgreSQL COPY, audit included"),
    ("bench_notices", "10,000 open notices: escalation sweep cost; raise → live delivery latency with 500 SSE clients"),
    ("bench_search", "case search p50/p99 with the access filter: Cordon (tantivy) vs SQLite FTS5 vs PostgreSQL ts_rank"),
];

fn main() {
    println!("bench binaries (run: cargo run --profile bench -p cordon-bench --bin NAME -- --help):");
    for (name, what) in BENCHES {
        println!("  {name:<14} {what}");
    }
}
