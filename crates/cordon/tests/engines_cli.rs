//! The file commands (`cordon match`, `cordon screen`, `cordon rules check`) run as the real binary on small files.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The binary under test, with no store reachable.
fn cordon() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cordon"));
    // Proves the file commands never open the store: this data directory does not exist.
    c.env("CORDON_DATA_DIR", "/nonexistent/cordon-data").env_remove("CORDON_CONFIG").env_remove("CORDON_DATABASE_URL");
    c
}

/// Runs the binary to completion.
fn run(args: &[&str]) -> Output {
    cordon().args(args).output().unwrap()
}

/// Output as text, for messages.
fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Writes a test file and returns its path.
fn write(dir: &Path, name: &str, content: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p
}

/// Three ways of writing Nguyễn Văn An (old and new phone numbers), distinct people, a short row on line 8.
const PEOPLE: &str = "\
ma,ho_ten,ngay_sinh,dien_thoai,dia_chi
HS-1,Nguyễn Văn An,05/03/1990,0168 123 4567,\"12 Trần Phú, Móng Cái, Quảng Ninh\"
HS-2,NGUYEN VAN AN,1990-03-05,038 123 4567,\"Móng Cái,
Quảng Ninh\"
HS-3,An Nguyen Van,05/03/1990,038.123.4567,Quảng Ninh
HS-4,Trần Thị Bình,17/11/1985,0912 345 678,Hà Nội
HS-5,Nguyễn Văn Anh,12/08/1979,0987 654 321,Hải Phòng
HS-6,Lê Văn Cường,01/01/1970
HS-7,Phạm Thị Dung,02/02/1992,0903 111 222,Cần Thơ
";

/// The mapping of PEOPLE.
const MAPPING: &str = "\
id = \"ma\"
[columns]
ho_ten = \"person_name\"
ngay_sinh = \"birth_date\"
dien_thoai = \"phone\"
dia_chi = \"address\"
";

/// Reads a CSV the binary wrote into rows of cells (the test's own minimal reader handles quotes).
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let content = std::fs::read_to_string(path).unwrap();
    let mut rows = Vec::new();
    let (mut row, mut cell, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = content.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut cell)),
            ('\n', false) => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => cell.push(c),
        }
    }
    rows
}

/// The cluster id of a record in a clusters CSV.
fn cluster_of(rows: &[Vec<String>], id: &str) -> String {
    rows.iter().find(|r| r[0] == id).unwrap_or_else(|| panic!("{id} not in clusters: {rows:?}"))[1].clone()
}

#[test]
fn dedupe_finds_the_planted_duplicates_and_keeps_others_apart() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "people.csv", PEOPLE);
    let map = write(dir.path(), "map.toml", MAPPING);
    let (pairs, clusters) = (dir.path().join("pairs.csv"), dir.path().join("clusters.csv"));
    let out = run(&[
        "match",
        "dedupe",
        "--mapping",
        map.to_str().unwrap(),
        input.to_str().unwrap(),
        "--output",
        pairs.to_str().unwrap(),
        "--clusters",
        clusters.to_str().unwrap(),
    ]);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    // HS-6 has too few fields; the quoted address of HS-2 spans lines 3-4, so HS-6 is on line 8.
    assert!(stderr.contains("line 8: skipped: this row has 3 fields where the header has 5"), "{stderr}");

    let clusters = csv_rows(&clusters);
    assert_eq!(clusters[0], ["record_id", "cluster_id", "cluster_size"]);
    let an = cluster_of(&clusters, "HS-1");
    assert_eq!(cluster_of(&clusters, "HS-2"), an, "{clusters:?}");
    assert_eq!(cluster_of(&clusters, "HS-3"), an, "{clusters:?}");
    for other in ["HS-4", "HS-5", "HS-7"] {
        assert_ne!(cluster_of(&clusters, other), an, "{other} wrongly merged: {clusters:?}");
    }
    assert!(clusters.iter().all(|r| r[0] != "HS-6"));

    let pairs = csv_rows(&pairs);
    let header = &pairs[0];
    assert_eq!(&header[..5], ["id_a", "id_b", "probability", "weight", "decided_by"]);
    assert!(header.contains(&"person name".to_string()) && header.contains(&"phone".to_string()), "{header:?}");
    let phone = header.iter().position(|h| h == "phone").unwrap();
    let p12 = pairs.iter().find(|r| r[0] == "HS-1" && r[1] == "HS-2").unwrap_or_else(|| panic!("HS-1/HS-2 not paired: {pairs:?}"));
    assert!(p12[2].parse::<f64>().unwrap() >= 0.9);
    // 0168 123 4567 was renumbered to 038 123 4567 in 2018: the explanation says they agree.
    assert!(p12[phone].starts_with("exact"), "{p12:?}");
    assert!(pairs.iter().skip(1).all(|r| !r[..2].contains(&"HS-5".to_string())), "{pairs:?}");
}

#[test]
fn link_pairs_records_across_two_files_with_their_own_mappings() {
    let dir = tempfile::tempdir().unwrap();
    let left = write(dir.path(), "customs.csv", PEOPLE);
    let map = write(dir.path(), "map.toml", MAPPING);
    let right = write(
        dir.path(),
        "border.ndjson",
        concat!(
            "{\"so\": \"BP-7\", \"ten\": \"NGUYỄN VĂN AN\", \"sinh\": \"1990-03-05\", \"sdt\": \"+84381234567\"}\n",
            "\n",
            "{\"so\": \"BP-8\", \"ten\": \"Đỗ Minh Khang\", \"sinh\": \"1988-09-09\", \"sdt\": 909876543}\n",
            "{\"so\": \"BP-9\", \"ten\": [\"a\"]}\n",
        ),
    );
    let right_map = write(dir.path(), "right.toml", "id = \"so\"\n[columns]\nten = \"name\"\nsinh = \"date_of_birth\"\nsdt = \"phone\"\n");
    let clusters = dir.path().join("clusters.csv");
    let out = run(&[
        "match",
        "link",
        "--mapping",
        map.to_str().unwrap(),
        "--right-mapping",
        right_map.to_str().unwrap(),
        left.to_str().unwrap(),
        right.to_str().unwrap(),
        "--clusters",
        clusters.to_str().unwrap(),
    ]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("border.ndjson line 4: skipped"), "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("left_id,right_id,probability"), "{stdout}");
    assert!(lines.iter().any(|l| l.starts_with("HS-1,BP-7,")), "{stdout}");
    assert!(lines.iter().all(|l| !l.contains("BP-8")), "{stdout}");
    // Pairs inside one file are not links.
    assert!(lines.iter().all(|l| !l.starts_with("HS-1,HS-2")), "{stdout}");
    let clusters = std::fs::read_to_string(clusters).unwrap();
    assert!(clusters.starts_with("source,record_id,cluster_id,cluster_size\n"), "{clusters}");
    assert!(clusters.contains("right,BP-8,"), "{clusters}");
}

#[test]
fn a_bad_mapping_is_refused_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "people.csv", PEOPLE);
    let pairs = dir.path().join("pairs.csv");
    let unknown = write(dir.path(), "unknown.toml", "[columns]\nho_ten = \"person_name\"\nthu = \"email\"\n");
    let out =
        run(&["match", "dedupe", "--mapping", unknown.to_str().unwrap(), input.to_str().unwrap(), "--output", pairs.to_str().unwrap()]);
    let stderr = text(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("column `thu` is mapped to `email`, which is not a field kind"), "{stderr}");
    assert!(!pairs.exists());

    let missing = write(dir.path(), "missing.toml", "[columns]\nho_ten = \"person_name\"\nso_cccd = \"cccd\"\n");
    let out =
        run(&["match", "dedupe", "--mapping", missing.to_str().unwrap(), input.to_str().unwrap(), "--output", pairs.to_str().unwrap()]);
    let stderr = text(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("the mapping names column `so_cccd` that"), "{stderr}");
    // Refused before any row is read: the bad row is not reported.
    assert!(!stderr.contains("line 8"), "{stderr}");
    assert!(!pairs.exists());
}

/// A small valid rule set: no-origin terms and a Rolex price floor.
const RULES: &str = "\
# Test rules
version = 2026.11.22-test
threshold = 0.5

[term no-origin weight=0.3]
hàng xách tay
không hóa đơn

[brand Rolex floor=5000000 weight=0.8]
rolx | r0lex
";

/// A cheap Rolex, a no-origin listing, an expensive Rolex, two bad lines and a clean listing.
const LISTINGS: &str = concat!(
    "{\"platform\": \"shopee\", \"listing_id\": \"L1\", \"title\": \"Đồng hồ Rolex Submariner\", \"price\": 3500000, \"currency\": \"VND\"}\n",
    "{\"platform\": \"shopee\", \"listing_id\": \"L2\", \"title\": \"Nước hoa Pháp\", \"description\": \"Hàng xách tay không hóa đơn, giá rẻ\", \"price\": 450000}\n",
    "{\"platform\": \"lazada\", \"listing_id\": \"L3\", \"title\": \"Rolex Daytona\", \"price\": 350000000}\n",
    "this is not json\n",
    "{\"platform\": \"tiki\", \"title\": \"no id\"}\n",
    "{\"platform\": \"tiki\", \"listing_id\": \"L6\", \"title\": \"Áo thun\", \"price\": 90000}\n",
);

/// Parses NDJSON output, failing on any line that is not JSON.
fn parse_lines(stdout: &str) -> Vec<serde_json::Value> {
    stdout.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
}

/// The hits every screening of LISTINGS must give: the cheap Rolex and the no-origin listing.
fn check_listings(hits: &[serde_json::Value]) {
    assert_eq!(hits.len(), 2, "{hits:?}");
    let l1 = &hits[0];
    assert_eq!(l1["listing_id"], "L1");
    assert_eq!(l1["lead"], true);
    assert_eq!(l1["hits"][0]["kind"], "brand");
    assert_eq!(l1["hits"][0]["spans"][0]["text"], "Rolex");
    assert!(!l1["hits"][0]["reason"].as_str().unwrap().is_empty());
    let l2 = &hits[1];
    assert_eq!(l2["listing_id"], "L2");
    assert_eq!(l2["hits"].as_array().unwrap().len(), 2, "{l2}");
    assert_eq!(l2["hits"][0]["kind"], "term:no-origin");
    assert_eq!(l2["hits"][0]["spans"][0]["field"], "description");
    assert_eq!(l2["hits"][0]["spans"][0]["text"], "Hàng xách tay");
    assert!((l2["score"].as_f64().unwrap() - 0.51).abs() < 1e-9, "{l2}");
}

#[test]
fn screen_prints_hits_as_ndjson_and_reports_bad_lines() {
    let dir = tempfile::tempdir().unwrap();
    let rules = write(dir.path(), "rules.txt", RULES);
    let input = write(dir.path(), "listings.ndjson", LISTINGS);
    let out = run(&["screen", "--rules", rules.to_str().unwrap(), input.to_str().unwrap()]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stderr}");
    check_listings(&parse_lines(&stdout));
    assert!(stderr.contains("line 4: skipped: not a JSON object"), "{stderr}");
    assert!(stderr.contains("line 5: skipped: missing required field `listing_id`"), "{stderr}");
    assert!(stderr.contains("listings 4, with hits 2, leads 2, bad lines skipped 2"), "{stderr}");
}

#[test]
fn screen_reads_csv_with_quoted_commas_and_newlines() {
    let dir = tempfile::tempdir().unwrap();
    let rules = write(dir.path(), "rules.txt", RULES);
    let input = write(
        dir.path(),
        "listings.csv",
        "platform,listing_id,title,description,price\n\
         shopee,L1,Đồng hồ Rolex Submariner,\"Mới 99%, fullbox\",3.500.000\n\
         shopee,L2,Nước hoa Pháp,\"Giá rẻ,\nHàng xách tay không hóa đơn\",450000\n\
         shopee,L9,short row\n\
         tiki,L6,Áo thun,,90000\n",
    );
    let out = run(&["screen", "--rules", rules.to_str().unwrap(), input.to_str().unwrap()]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stderr}");
    let hits = parse_lines(&stdout);
    assert_eq!(hits.len(), 2, "{stdout}");
    assert_eq!(hits[0]["listing_id"], "L1");
    assert_eq!(hits[1]["listing_id"], "L2");
    assert_eq!(hits[1]["hits"][0]["spans"][0]["text"], "Hàng xách tay");
    assert!(stderr.contains("line 5: skipped: has 3 fields where the header has 5"), "{stderr}");
}

#[test]
fn screen_reads_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let rules = write(dir.path(), "rules.txt", RULES);
    let mut child = cordon()
        .args(["screen", "--rules", rules.to_str().unwrap(), "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(LISTINGS.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    check_listings(&parse_lines(&text(&out.stdout)));
    assert!(stderr.contains("standard input line 4: skipped"), "{stderr}");
}

#[test]
fn screen_follows_a_growing_file_until_interrupted() {
    let dir = tempfile::tempdir().unwrap();
    let rules = write(dir.path(), "rules.txt", RULES);
    let lines: Vec<&str> = LISTINGS.lines().collect();
    let input = write(dir.path(), "live.ndjson", &format!("{}\n", lines[0]));
    let mut child = cordon()
        .args(["screen", "--follow", "--rules", rules.to_str().unwrap(), input.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert!(first.contains("\"L1\""), "{first}");
    // Half a line first: the rest arrives later and the listing is read whole.
    let mut f = std::fs::OpenOptions::new().append(true).open(&input).unwrap();
    let (a, b) = lines[1].split_at(20);
    f.write_all(a.as_bytes()).unwrap();
    f.flush().unwrap();
    std::thread::sleep(Duration::from_millis(500));
    f.write_all(format!("{b}\n").as_bytes()).unwrap();
    let mut second = String::new();
    stdout.read_line(&mut second).unwrap();
    assert!(second.contains("\"L2\""), "{second}");
    // Ctrl-C: the run ends cleanly with its summary.
    let started = Instant::now();
    Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("listings 2, with hits 2"), "{stderr}");
}

#[test]
fn rules_check_accepts_a_good_file_and_lists_every_error_of_a_broken_one() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.txt", RULES);
    let out = run(&["rules", "check", good.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(stdout.contains("2026.11.22-test"), "{stdout}");
    assert!(stdout.contains("2 rules (1 term no-origin, 1 brand)"), "{stdout}");

    let broken =
        write(dir.path(), "broken.txt", "version = 2026.11.22-bad\n\n[term forbidden]\nheroin\n\n[brand Rolex floor=cheap]\nrolx\n");
    let out = run(&["rules", "check", broken.to_str().unwrap()]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("broken.txt: line 3: "), "{stderr}");
    assert!(stderr.contains("broken.txt: line 6: "), "{stderr}");
    assert!(stderr.contains("has 2 errors"), "{stderr}");
}

#[test]
fn rows_with_a_missing_or_repeated_id_are_skipped_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        dir.path(),
        "people.csv",
        "ma,ho_ten,ngay_sinh,dien_thoai,dia_chi\n\
         HS-1,Nguyễn Văn An,05/03/1990,0168 123 4567,Quảng Ninh\n\
         ,Trần Thị Bình,17/11/1985,0912 345 678,Hà Nội\n\
         HS-1,Lê Văn Cường,01/01/1970,0903 111 222,Cần Thơ\n\
         HS-4,,,,\n",
    );
    let map = write(dir.path(), "map.toml", MAPPING);
    let out = run(&["match", "dedupe", "--mapping", map.to_str().unwrap(), input.to_str().unwrap()]);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("line 3: skipped: this row has no id in column `ma`"), "{stderr}");
    assert!(stderr.contains("line 4: skipped: this row repeats the id `HS-1` of line 2"), "{stderr}");
    assert!(stderr.contains("line 5: skipped: this row has none of the mapped fields filled in"), "{stderr}");
    assert!(stderr.contains("Records: 1;"), "{stderr}");
}

#[test]
fn an_analysts_not_the_same_is_respected_by_a_later_batch_run() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "people.csv", PEOPLE);
    let map = write(dir.path(), "map.toml", MAPPING);
    let decisions = write(dir.path(), "decisions.csv", "id_a,id_b,decision\nHS-3,HS-1,reject\nHS-3,HS-2,reject\nHS-4,HS-99,confirm\n");
    let (pairs, clusters) = (dir.path().join("pairs.csv"), dir.path().join("clusters.csv"));
    let out = run(&[
        "match",
        "dedupe",
        "--mapping",
        map.to_str().unwrap(),
        "--decisions",
        decisions.to_str().unwrap(),
        "--output",
        pairs.to_str().unwrap(),
        "--clusters",
        clusters.to_str().unwrap(),
        input.to_str().unwrap(),
    ]);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("decisions.csv line 4: skipped: no record with id `HS-4` or `HS-99`"), "{stderr}");
    let clusters = csv_rows(&clusters);
    assert_eq!(cluster_of(&clusters, "HS-1"), cluster_of(&clusters, "HS-2"));
    assert_ne!(cluster_of(&clusters, "HS-3"), cluster_of(&clusters, "HS-1"), "not the same stands over a score of 1");
    let pairs = csv_rows(&pairs);
    assert!(pairs.iter().all(|r| !(r[..2].contains(&"HS-3".to_string()))), "{pairs:?}");

    let bad = write(dir.path(), "bad.csv", "id_a,id_b,decision\nHS-1,HS-2,maybe\n");
    let out = run(&["match", "dedupe", "--mapping", map.to_str().unwrap(), "--decisions", bad.to_str().unwrap(), input.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("decision `maybe` is not confirm, reject or split"), "{}", text(&out.stderr));
}

#[test]
fn names_and_addresses_in_separate_columns_are_compared_part_by_part() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        dir.path(),
        "febrl.csv",
        "rec_id,given_name,surname,street_number,address_1,suburb,postcode,state,date_of_birth,soc_sec_id\n\
         a-org,mitchell,green,7,wallaby place,cleveland,2119,sa,19560409,1804974\n\
         a-dup,green,mitchell,7,wallaby plce,cleveland,2119,sa,19560409,1804947\n\
         b-org,harley,mccarthy,177,pridham street,marsden,3165,nsw,19080419,6089216\n\
         b-dup,harley,mccattmhy,177,pridhamstreet,marsden,3165,nsw,,6089216\n\
         c-org,madeline,mason,54,hoseason street,granville,4881,vic,19081128,2185997\n",
    );
    let map = write(
        dir.path(),
        "map.toml",
        "id = \"rec_id\"\n[columns]\ngiven_name = \"given_name\"\nsurname = \"family_name\"\nstreet_number = \"address\"\naddress_1 = \"address\"\n\
         suburb = \"locality\"\npostcode = \"postcode\"\nstate = \"region\"\ndate_of_birth = \"birth_date\"\nsoc_sec_id = \"other_id\"\n",
    );
    let (pairs, clusters) = (dir.path().join("pairs.csv"), dir.path().join("clusters.csv"));
    let out = run(&[
        "match",
        "dedupe",
        "--mapping",
        map.to_str().unwrap(),
        "--output",
        pairs.to_str().unwrap(),
        "--clusters",
        clusters.to_str().unwrap(),
        input.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let clusters = csv_rows(&clusters);
    assert_eq!(cluster_of(&clusters, "a-org"), cluster_of(&clusters, "a-dup"), "names swapped between the columns: {clusters:?}");
    assert_eq!(cluster_of(&clusters, "b-org"), cluster_of(&clusters, "b-dup"), "{clusters:?}");
    assert_ne!(cluster_of(&clusters, "c-org"), cluster_of(&clusters, "a-org"));
    let pairs = csv_rows(&pairs);
    let header = &pairs[0];
    for f in ["given name", "family name", "other identifier", "postcode", "locality", "state or province"] {
        assert!(header.contains(&f.to_string()), "{f}: {header:?}");
    }
    let given = header.iter().position(|h| h == "given name").unwrap();
    let a = pairs.iter().find(|r| r[..2].contains(&"a-org".to_string())).unwrap();
    assert!(a[given].starts_with("exact"), "crosswise names agree: {a:?}");
}
