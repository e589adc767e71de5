//! Lists the benchmark binaries of the harness.

fn main() {
    println!("cordon-bench binaries:");
    println!(
        "  bench_match  entity resolution: synthetic persons, batch dedupe and incremental resolve"
    );
    println!("run with: cargo run --profile bench -p cordon-bench --bin <name> -- --help");
}
