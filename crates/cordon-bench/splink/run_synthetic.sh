#!/usr/bin/env bash
# Synthetic persons (issue 6's second benchmark): Splink 5 and `cordon match dedupe` side by side in one run.
#
# Makes the throwaway virtualenv run_febrl.sh uses (splink, duckdb), builds `cordon` and `bench_match` in
# the bench profile, generates the records once with their ground truth (`bench_match --write-csv
# --generate-only`, never committed) and runs synthetic.py compare: Splink's whole process, then
# `cordon match dedupe`'s, each under /usr/bin/time -v, on the same file. Usage:
#   crates/cordon-bench/splink/run_synthetic.sh [RECORDS]     # from the workspace root; default 1000000
# Environment: VENV (default /tmp/cordon-splink-venv), WORK (default /tmp/cordon-synthetic), SEED (42),
# CORDON and BENCH_MATCH (binaries; default: build them), SPLINK_THRESHOLD and CORDON_THRESHOLD (0.9),
# SPLINK_U_PAIRS (random pairs for Splink's u, default 5e6).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
records="${1:-1000000}"
venv="${VENV:-/tmp/cordon-splink-venv}"
work="${WORK:-/tmp/cordon-synthetic}"
seed="${SEED:-42}"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q 'splink==5.*' duckdb || "$venv/bin/pip" install -q 'splink==4.*' duckdb
fi
"$venv/bin/pip" list 2>/dev/null | grep -iE '^(splink|duckdb) '
if [ -z "${CORDON:-}" ] || [ -z "${BENCH_MATCH:-}" ]; then
    (cd "$root" && cargo build --profile bench -p cordon --bin cordon -p cordon-bench --bin bench_match)
    CORDON="${CORDON:-${CARGO_TARGET_DIR:-$root/target}/release/cordon}"
    BENCH_MATCH="${BENCH_MATCH:-${CARGO_TARGET_DIR:-$root/target}/release/bench_match}"
fi
mkdir -p "$work"
data="$work/persons_${records}_seed${seed}.csv"
"$BENCH_MATCH" --records "$records" --seed "$seed" --write-csv "$data" --generate-only
echo "machine: $(nproc) cores; $(uptime)"
"$venv/bin/python" "$here/synthetic.py" compare "$data" "$work" "$CORDON"
