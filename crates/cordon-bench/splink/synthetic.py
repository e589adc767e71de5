"""Synthetic persons (bench_match's generator): Splink and `cordon match dedupe` on the same CSV file, side by side.

Subcommands (run inside the throwaway virtualenv that run_synthetic.sh makes):
  splink CSV OUT                 run Splink on CSV (written by `bench_match --write-csv CSV --generate-only`);
                                 writes OUT (unique_id, cluster_id: every record's cluster at the threshold)
  score CSV CLUSTERS ID CLUSTER  pairwise precision, recall and F1 of a clusters file against CSV's truth
  compare CSV DIR CORDON         run Splink and `CORDON match dedupe` on CSV, each as its own process under
                                 /usr/bin/time -v, score both the same way and print wall, RSS, F1 and ratios

Both tools are scored the same way: pairwise over clusters. Each tool's clusters at its threshold
(0.9 for both) are compared with the generator's true clusters through their contingency table:
true positives = sum of C(n, 2) over (tool cluster, true cluster) cells, predicted = sum of C(n, 2)
over the tool's clusters, actual = sum of C(n, 2) over the true clusters. This is what
`bench_match` reports for Cordon's batch too.
"""

import csv
import os
import re
import subprocess
import sys
import time
from collections import Counter

# The records' columns as Cordon field kinds (`cluster` is the ground truth and is not mapped).
MAPPING = """# bench_match's synthetic persons as Cordon field kinds.
entity = "person"
id = "unique_id"

[columns]
name = "person_name"
birth_date = "birth_date"
phone = "phone"
national_id = "national_id"
address = "address"
"""

# Cleaning every Splink user does before linking, in DuckDB SQL inside Splink's process (so it is
# timed with it): names lower-cased without diacritics (đ → d) and their words sorted, so that
# "Nguyễn Văn An" and "AN NGUYEN VAN" are the same string; dates of birth as ISO dates from
# either dd/mm/yyyy or yyyy-mm-dd; phones as digits without the leading 0 or country code 84;
# addresses lower-cased without diacritics. What Cordon's normalisers know and this does not:
# the 2018 mobile renumbering (0162… → 032…) and the 2025 province renames.
PREPARE = """
CREATE TABLE people AS
WITH raw AS (
    SELECT * FROM read_csv('{csv}', header = true, all_varchar = true)
), folded AS (
    SELECT
        unique_id,
        lower(strip_accents(replace(replace(name, 'Đ', 'D'), 'đ', 'd'))) AS name_folded,
        CASE WHEN birth_date LIKE '__/__/____'
             THEN substr(birth_date, 7, 4) || '-' || substr(birth_date, 4, 2) || '-' || substr(birth_date, 1, 2)
             ELSE birth_date END AS dob,
        regexp_replace(regexp_replace(phone, '[^0-9]', '', 'g'), '^(84|0)', '') AS phone,
        national_id,
        lower(strip_accents(replace(replace(address, 'Đ', 'D'), 'đ', 'd'))) AS address
    FROM raw
)
SELECT
    unique_id,
    nullif(array_to_string(list_sort(string_split_regex(trim(name_folded), '\s+')), ' '), '') AS name_sorted,
    dob,
    nullif(phone, '') AS phone,
    nullif(national_id, '') AS national_id,
    nullif(address, '') AS address
FROM folded
"""


def splink(path, out):
    t0 = time.perf_counter()
    import duckdb
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    t_import = time.perf_counter() - t0
    con = duckdb.connect()
    con.execute(PREPARE.format(csv=path.replace("'", "''")))
    t_load = time.perf_counter() - t0 - t_import

    # Date of birth: Splink's DateOfBirthComparison levels (exact, one edit, within a month, a year,
    # ten years), with a level for day and month written the other way round before the edit level.
    dob = cl.CustomComparison(
        output_column_name="dob",
        comparison_levels=[
            cll.NullLevel("dob"),
            cll.ExactMatchLevel("dob"),
            cll.CustomLevel(
                "substr(dob_l, 1, 4) = substr(dob_r, 1, 4) AND substr(dob_l, 6, 2) = substr(dob_r, 9, 2)"
                " AND substr(dob_l, 9, 2) = substr(dob_r, 6, 2)",
                label_for_charts="day and month swapped",
            ),
            cll.LevenshteinLevel("dob", 1),
            cll.AbsoluteDateDifferenceLevel("dob", input_is_string=True, threshold=1, metric="month", datetime_format="%Y-%m-%d"),
            cll.AbsoluteDateDifferenceLevel("dob", input_is_string=True, threshold=1, metric="year", datetime_format="%Y-%m-%d"),
            cll.AbsoluteDateDifferenceLevel("dob", input_is_string=True, threshold=10, metric="year", datetime_format="%Y-%m-%d"),
            cll.ElseLevel(),
        ],
    )
    comparisons = [
        # Exact, Jaro-Winkler >= 0.92, >= 0.88, >= 0.7, else; frequent names weigh less.
        cl.NameComparison("name_sorted").configure(term_frequency_adjustments=True),
        dob,
        cl.DamerauLevenshteinAtThresholds("phone", [1, 2]),
        cl.DamerauLevenshteinAtThresholds("national_id", [1, 2]),
        cl.JaroWinklerAtThresholds("address", [0.9, 0.7]),
    ]
    blocking = [
        block_on("name_sorted", "substr(dob, 1, 4)"),  # same name, same year of birth (catches day/month swaps)
        block_on("dob", "substr(name_sorted, 1, 3)"),  # same date of birth, name starting alike (catches typos)
        block_on("phone"),
        block_on("national_id"),
        block_on("name_sorted", "address"),  # same name and address (catches a missing or mistyped date)
    ]
    settings = SettingsCreator(
        unique_id_column_name="unique_id",
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=blocking,
        comparisons=comparisons,
    )
    db_api = DuckDBAPI(connection=con)
    people = db_api.register("people", dataset_display_name="people")
    t1 = time.perf_counter()
    linker = Linker(people, settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("national_id"), block_on("name_sorted", "dob")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=float(os.environ.get("SPLINK_U_PAIRS", "5e6")))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("name_sorted", "substr(dob, 1, 4)"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob", "substr(address, 1, 2)"))
    t_train = time.perf_counter() - t1
    t2 = time.perf_counter()
    threshold = float(os.environ.get("SPLINK_THRESHOLD", "0.9"))
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold)
    con.execute(
        f"COPY (SELECT unique_id, cluster_id FROM {clusters.physical_name}) TO '{out}' (HEADER, DELIMITER ',')"
    )
    t_predict = time.perf_counter() - t2
    n_pairs = con.execute(f"SELECT count(*) FROM {predictions.physical_name}").fetchone()[0]
    print(
        f"splink: import {t_import:.2f}s, load+clean {t_load:.2f}s, train {t_train:.2f}s, "
        f"predict+cluster+write {t_predict:.2f}s; pairs at or above {threshold}: {n_pairs}",
        file=sys.stderr,
    )


def pairs(n):
    return n * (n - 1) // 2


def score(truth_csv, clusters_csv, id_col, cluster_col):
    """Pairwise precision, recall and F1 of the clusters against the true ones; records a tool left out are alone."""
    with open(truth_csv, newline="") as f:
        r = csv.reader(f)
        header = next(r)
        i_id, i_cl = header.index("unique_id"), header.index("cluster")
        truth = {row[i_id]: row[i_cl] for row in r}
    found = {}
    with open(clusters_csv, newline="") as f:
        for row in csv.DictReader(f):
            found[row[id_col]] = row[cluster_col]
    cells, predicted_sizes = Counter(), Counter()
    for rec, t in truth.items():
        c = found.get(rec, ("alone", rec))
        cells[(c, t)] += 1
        predicted_sizes[c] += 1
    tp = sum(pairs(n) for n in cells.values())
    predicted = sum(pairs(n) for n in predicted_sizes.values())
    actual = sum(pairs(n) for n in Counter(truth.values()).values())
    p = tp / predicted if predicted else 0.0
    rc = tp / actual if actual else 0.0
    return len(truth), actual, p, rc, (2 * p * rc / (p + rc) if p + rc else 0.0), predicted - tp, actual - tp


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
        if line.startswith("splink:") or line.startswith("Records") or line.startswith("Model"):
            print("   ", line.strip())
    return wall, rss, user + system


def uptime():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def compare(data, out, cordon):
    os.makedirs(out, exist_ok=True)
    me = os.path.abspath(__file__)
    py = sys.executable
    mapping = os.path.join(out, "mapping.toml")
    with open(mapping, "w") as f:
        f.write(MAPPING)
    cordon_threshold = os.environ.get("CORDON_THRESHOLD", "0.9")
    rows = []
    print(f"load average (1, 5, 15 min) before Splink: {uptime()}")
    s_out = os.path.join(out, "splink_clusters.csv")
    s_wall, s_rss, s_cpu = timed([py, me, "splink", data, s_out])
    rows.append(("Splink 5 (DuckDB)", score(data, s_out, "unique_id", "cluster_id"), s_wall, s_cpu, s_rss))
    print(f"load average before Cordon: {uptime()}")
    c_out = os.path.join(out, "cordon_clusters.csv")
    c_cmd = [cordon, "match", "dedupe", "--threshold", cordon_threshold, "--mapping", mapping,
             "--output", os.path.join(out, "cordon_pairs.csv"), "--clusters", c_out, data]
    c_wall, c_rss, c_cpu = timed(c_cmd)
    rows.append(("`cordon match dedupe`", score(data, c_out, "record_id", "cluster_id"), c_wall, c_cpu, c_rss))
    print(f"load average after: {uptime()}")
    print()
    print("| engine | records | true pairs | precision | recall | F1 | false / missed pairs | wall | CPU (user+sys) | peak RSS |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, (n, actual, p, r, f1, fp, fn), wall, cpu, rss in rows:
        print(f"| {name} | {n} | {actual} | {p:.4f} | {r:.4f} | {f1:.4f} | {fp} / {fn} | {wall:.2f} s | {cpu:.2f} s | {rss:.0f} MiB |")
    print()
    (_, s, sw, sc, sr), (_, c, cw, cc, cr) = rows
    print(f"Cordon / Splink: wall {cw / sw:.3f}x (Splink {sw / cw:.1f}x slower), CPU {cc / sc:.3f}x, "
          f"peak RSS {cr / sr:.3f}x, F1 {c[4]:.4f} vs {s[4]:.4f} ({c[4] - s[4]:+.4f})")


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "splink" and len(sys.argv) == 4:
        splink(sys.argv[2], sys.argv[3])
    elif cmd == "score" and len(sys.argv) == 6:
        print(score(*sys.argv[2:6]))
    elif cmd == "compare" and len(sys.argv) == 5:
        compare(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)
