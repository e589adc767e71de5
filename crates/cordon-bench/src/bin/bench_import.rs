//! Bulk import: Cordon's real `cordon import` (every row validated, all-or-nothing batches,
//! idempotent on external references, an audit entry per case in the batch's transaction, the
//! search index updated) vs the database's own loader (sqlite3 `.import`, PostgreSQL `COPY`) of
//! the same rows into plain tables, on SQLite and on PostgreSQL, in one run, with ratios.
//!
//! Run: `cargo build --profile bench -p cordon -p cordon-bench &&
//! cargo run --profile bench -p cordon-bench --bin bench_import -- --cases 1000000`

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use sqlx::{Connection, Executor, PgConnection, Row};

use cordon_bench::Rng;

/// Command-line options.
struct Args {
    cases: usize,
    seed: u64,
    batch: Option<usize>,
    skip_pg: bool,
    skip_sqlite: bool,
    pg_url: String,
    cordon: PathBuf,
    keep: bool,
}

/// Parses the flags; see `--help`.
fn parse_args() -> Result<Args> {
    // The `cordon` binary built by the same `cargo build --profile bench` sits next to this one.
    let default_cordon = std::env::current_exe()?.parent().map(|d| d.join("cordon")).context("no directory for this executable")?;
    let mut a = Args {
        cases: 1_000_000,
        seed: 42,
        batch: None,
        skip_pg: false,
        skip_sqlite: false,
        pg_url: "postgres://postgres@127.0.0.1:5432/test".into(),
        cordon: default_cordon,
        keep: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--help" | "-h" => {
                println!(
                    "bench_import [--cases N] [--seed S] [--batch B] [--skip-pg] [--skip-sqlite] [--pg-url URL] [--cordon PATH] [--keep]\n  \
                     --batch B passes `--batch B` to `cordon import` (default: its own default); --keep leaves the temp dir"
                );
                std::process::exit(0);
            }
            "--skip-pg" => a.skip_pg = true,
            "--skip-sqlite" => a.skip_sqlite = true,
            "--keep" => a.keep = true,
            _ => {
                let value = it.next().with_context(|| format!("{flag} needs a value"))?;
                match flag.as_str() {
                    "--cases" => a.cases = value.parse()?,
                    "--seed" => a.seed = value.parse()?,
                    "--batch" => a.batch = Some(value.parse()?),
                    "--pg-url" => a.pg_url = value,
                    "--cordon" => a.cordon = value.into(),
                    _ => bail!("unknown flag {flag}"),
                }
            }
        }
    }
    if a.cases == 0 {
        bail!("--cases must be positive");
    }
    if !a.cordon.exists() {
        bail!("no cordon binary at {} (build it: cargo build --profile bench -p cordon, or pass --cordon)", a.cordon.display());
    }
    Ok(a)
}

/// Goods: description, HS code, commodity category, unit, brands.
const GOODS: &[(&str, &str, &str, &str, &[&str])] = &[
    ("Thuốc lá điếu", "2402.20", "cigarettes", "bao", &["Esse", "Jet", "Hero", "Marlboro", "555"]),
    ("Đường cát trắng", "1701.99", "sugar", "kg", &["Thái Lan", "Biên Hòa"]),
    ("Pháo nổ", "3604.10", "firecrackers", "kg", &["Trung Quốc", "hoa cải"]),
    ("Nầm lợn đông lạnh", "0206.49", "frozen-food", "kg", &["không nhãn"]),
    ("Điện thoại di động", "8517.13", "electronics", "chiếc", &["iPhone", "Samsung", "Xiaomi"]),
    ("Mỹ phẩm", "3304.99", "cosmetics", "hộp", &["Ohui", "Whoo", "Shiseido"]),
    ("Rượu ngoại", "2208.30", "alcohol", "chai", &["Chivas", "Hennessy", "Johnnie Walker"]),
    ("Vàng miếng", "7108.12", "gold-currency", "kg", &["SJC giả"]),
    ("Xăng dầu", "2710.12", "fuel", "lít", &["A95", "DO 0,05S"]),
    ("Quần áo giả mạo nhãn hiệu", "6203.42", "counterfeit-goods", "kiện", &["Adidas", "Nike", "Gucci"]),
    ("Thuốc tân dược", "3004.90", "pharmaceuticals", "hộp", &["Panadol", "Tamiflu"]),
    ("Gỗ trắc xẻ", "4407.29", "wildlife-timber", "m3", &["Lào"]),
];
/// Case types, the commonest first (repeats weight them).
const CASE_TYPES: &[&str] = &[
    "smuggling",
    "smuggling",
    "smuggling",
    "illegal_transport",
    "illegal_transport",
    "trade_fraud",
    "counterfeit",
    "counterfeit",
    "wildlife",
];
/// Provinces as officers write them: today's names and pre-2025 names (resolved as aliases).
const PROVINCES: &[&str] = &[
    "Lạng Sơn",
    "Quảng Ninh",
    "Lào Cai",
    "Hà Giang",
    "Cao Bằng",
    "An Giang",
    "Kiên Giang",
    "Tây Ninh",
    "Long An",
    "Hải Phòng",
    "Hà Tĩnh",
    "Quảng Trị",
];
/// Places (free text route).
const PLACES: &[&str] = &[
    "cửa khẩu Hữu Nghị",
    "cửa khẩu Tân Thanh",
    "ga Đồng Đăng",
    "cửa khẩu Móng Cái",
    "cảng Cái Lân",
    "đường mòn biên giới",
    "quốc lộ 1A",
    "quốc lộ 22",
    "bến Ninh Kiều",
    "chợ biên giới",
];
/// How the goods were hidden.
const CONCEALMENT: &[&str] = &[
    "giấu trong khoang hàng lạnh",
    "ngụy trang dưới lớp nông sản",
    "cất giấu trong thùng xe",
    "chia nhỏ thành nhiều kiện",
    "khai báo là hàng phế liệu",
    "giấu dưới gầm xe",
];
/// Vehicles with their transport mode.
const VEHICLES: &[(&str, &str)] = &[
    ("xe tải", "road"),
    ("xe khách", "road"),
    ("xe container", "road"),
    ("xe máy", "road"),
    ("tàu cá", "sea"),
    ("ca nô", "inland_waterway"),
];
/// Family names.
const FAMILY: &[&str] = &["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Lý"];
/// Middle names.
const MIDDLE: &[&str] = &["Văn", "Thị", "Đức", "Hữu", "Minh", "Ngọc", "Quang", "Thanh"];
/// Given names.
const GIVEN: &[&str] = &["An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hùng", "Hương", "Lan", "Long", "Mai", "Nam", "Sơn", "Tuấn", "Yến"];
/// Roles of parties in a case.
const ROLES: &[&str] = &["suspect", "driver", "owner"];
/// Most parties a generated case has (the mapping names this many party slots).
const MAX_PARTIES: usize = 3;

/// Columns of a generated case, in file order (Vietnamese headers, as an agency's export would have).
const CASE_HEADERS: &[&str] = &[
    "so_vu",
    "loai_vu",
    "tieu_de",
    "tom_tat",
    "ngay_phat_hien",
    "tinh",
    "dia_diem",
    "thu_doan",
    "phuong_tien",
    "bien_so",
    "hang_hoa",
    "ma_hs",
    "nhom_hang",
    "nhan_hieu",
    "so_luong",
    "don_vi",
    "tri_gia",
];
/// Columns of one party (suffixed `_2`, `_3` for the second and third in Cordon's flat file).
const PARTY_HEADERS: &[&str] = &["doi_tuong", "vai_tro", "cccd", "dien_thoai"];

/// One generated case: its column values and its parties' column values.
struct GenCase {
    fields: Vec<String>,
    parties: Vec<[String; 4]>,
}

/// Formats a whole number the Vietnamese way: 1.234.567.
fn vnd(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// Case `i` of the data set: a function of (seed, i) alone.
fn gen_case(seed: u64, i: usize) -> GenCase {
    let mut r = Rng(seed ^ (i as u64).wrapping_mul(0xA24B_AED4_963E_E407));
    let (goods, hs, category, unit, brands) = *r.pick(GOODS);
    let brand = *r.pick(brands);
    let quantity = 10 + r.below(5000) as u64;
    let value = quantity * (20_000 + r.below(2_000_000) as u64);
    let place = *r.pick(PLACES);
    let province = *r.pick(PROVINCES);
    let (vehicle, mode) = *r.pick(VEHICLES);
    let concealment = *r.pick(CONCEALMENT);
    // 2024-01-01 to about 2026-09: dd/mm/yyyy hh:mm, the way Vietnamese forms write it.
    let year = 2024 + r.below(3);
    // 2026 stops in September, so that no detection lies in the future.
    let month = 1 + r.below(if year == 2026 { 9 } else { 12 });
    let day = 1 + r.below(28);
    let (hour, minute) = (r.below(24), r.below(60));
    let (region, series, number, suffix) = (11 + r.below(88), (b'A' + r.below(26) as u8) as char, r.below(1000), r.below(100));
    let plate = format!("{region:02}{series}-{number:03}.{suffix:02}");
    let origin = *r.pick(&["nhập lậu", "không rõ nguồn gốc"]);
    let title = format!("Thu giữ {} {unit} {} {brand} {origin} tại {place}", vnd(quantity), goods.to_lowercase());
    let n_parties = 1 + r.below(MAX_PARTIES);
    let mut parties = Vec::with_capacity(n_parties);
    for k in 0..n_parties {
        let (family, middle, given) = (*r.pick(FAMILY), *r.pick(MIDDLE), *r.pick(GIVEN));
        let name = format!("{family} {middle} {given}");
        let cccd = if r.percent(80) {
            let (province, serial) = (1 + r.below(96), r.below(1_000_000_000));
            format!("{province:03}{serial:09}")
        } else {
            String::new()
        };
        let phone = if r.percent(60) {
            let n = r.below(100_000_000);
            format!("09{n:08}")
        } else {
            String::new()
        };
        parties.push([name, ROLES[k % ROLES.len()].to_string(), cccd, phone]);
    }
    let summary = format!(
        "Ngày {day:02}/{month:02}/{year}, tổ công tác phát hiện {vehicle} biển kiểm soát {plate} chở {} {unit} {} {concealment}. \
         Người điều khiển là {} không xuất trình được hóa đơn, chứng từ. Trị giá hàng hóa ước tính {} đồng.",
        vnd(quantity),
        goods.to_lowercase(),
        parties[0][0],
        vnd(value)
    );
    let case_type = *r.pick(CASE_TYPES);
    let fields = vec![
        format!("NK-{seed}-{i:07}"),
        case_type.to_string(),
        title,
        summary,
        format!("{day:02}/{month:02}/{year} {hour:02}:{minute:02}"),
        province.to_string(),
        place.to_string(),
        concealment.to_string(),
        mode.to_string(),
        plate,
        goods.to_string(),
        hs.to_string(),
        category.to_string(),
        brand.to_string(),
        vnd(quantity),
        unit.to_string(),
        vnd(value),
    ];
    GenCase { fields, parties }
}

/// The mapping `cordon import` is given: the flat file's columns onto case fields.
fn mapping_toml() -> String {
    let mut m = String::from(
        "[columns]\nexternal_ref = \"so_vu\"\ncase_type = \"loai_vu\"\ntitle = \"tieu_de\"\nsummary = \"tom_tat\"\n\
         detected_at = \"ngay_phat_hien\"\nprovince = \"tinh\"\nroute = \"dia_diem\"\nconcealment = \"thu_doan\"\n\
         transport_mode = \"phuong_tien\"\nplate = \"bien_so\"\ngoods_description = \"hang_hoa\"\ngoods_hs_code = \"ma_hs\"\n\
         goods_category = \"nhom_hang\"\ngoods_brand = \"nhan_hieu\"\ngoods_quantity = \"so_luong\"\ngoods_unit = \"don_vi\"\n\
         goods_value_vnd = \"tri_gia\"\n",
    );
    for n in 1..=MAX_PARTIES {
        let (field, col) = if n == 1 { ("party".to_string(), String::new()) } else { (format!("party{n}"), format!("_{n}")) };
        for (f, c) in [("name", "doi_tuong"), ("role", "vai_tro"), ("cccd", "cccd"), ("phone", "dien_thoai")] {
            m.push_str(&format!("{field}_{f} = \"{c}{col}\"\n"));
        }
    }
    m.push_str("[defaults]\ntlp = \"amber\"\ndistribution = \"own_agency;agency:border-guard-vn\"\n");
    m
}

/// The files of one run: Cordon's flat CSV and mapping, and the loaders' two CSVs.
struct Files {
    cordon_csv: PathBuf,
    mapping: PathBuf,
    cases_csv: PathBuf,
    parties_csv: PathBuf,
    parties: usize,
    bytes: u64,
}

/// Writes the data set: one flat row per case for Cordon (parties in numbered columns), and the
/// same values split into `cases.csv` and `parties.csv` (one row per party) for the loaders.
fn write_files(dir: &Path, args: &Args) -> Result<Files> {
    let files = Files {
        cordon_csv: dir.join("cordon.csv"),
        mapping: dir.join("mapping.toml"),
        cases_csv: dir.join("cases.csv"),
        parties_csv: dir.join("parties.csv"),
        parties: 0,
        bytes: 0,
    };
    std::fs::write(&files.mapping, mapping_toml())?;
    let mut flat = csv::Writer::from_path(&files.cordon_csv)?;
    let mut cases = csv::Writer::from_path(&files.cases_csv)?;
    let mut parties = csv::Writer::from_path(&files.parties_csv)?;
    let mut header: Vec<String> = CASE_HEADERS.iter().map(|s| s.to_string()).collect();
    for n in 1..=MAX_PARTIES {
        let suffix = if n == 1 { String::new() } else { format!("_{n}") };
        header.extend(PARTY_HEADERS.iter().map(|h| format!("{h}{suffix}")));
    }
    flat.write_record(&header)?;
    cases.write_record(CASE_HEADERS)?;
    parties.write_record(["so_vu", "thu_tu", "doi_tuong", "vai_tro", "cccd", "dien_thoai"])?;
    let mut n_parties = 0;
    for i in 0..args.cases {
        let c = gen_case(args.seed, i);
        let mut row = c.fields.clone();
        for k in 0..MAX_PARTIES {
            match c.parties.get(k) {
                Some(p) => row.extend(p.iter().cloned()),
                None => row.extend(std::iter::repeat_n(String::new(), PARTY_HEADERS.len())),
            }
        }
        flat.write_record(&row)?;
        cases.write_record(&c.fields)?;
        for (k, p) in c.parties.iter().enumerate() {
            parties.write_record([c.fields[0].as_str(), &(k + 1).to_string(), &p[0], &p[1], &p[2], &p[3]])?;
            n_parties += 1;
        }
    }
    flat.flush()?;
    cases.flush()?;
    parties.flush()?;
    let bytes = std::fs::metadata(&files.cordon_csv)?.len();
    Ok(Files { parties: n_parties, bytes, ..files })
}

/// What a timed child process took: wall time, and CPU time (user + system) when
/// `/usr/bin/time` could measure it. CPU time is steadier than wall time on a shared machine,
/// but a database server's own work (PostgreSQL) is not in its client's CPU time.
#[derive(Clone, Copy)]
struct Took {
    wall: Duration,
    cpu: Option<Duration>,
}

/// Runs `program args…` under `/usr/bin/time` (CPU time to a file) when it exists; returns
/// the command and the file the CPU time will be in.
fn timed(program: &Path, dir: &Path) -> (Command, Option<PathBuf>) {
    let time = Path::new("/usr/bin/time");
    if time.exists() {
        static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let out = dir.join(format!("cpu-{}.txt", RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)));
        let mut cmd = Command::new(time);
        cmd.arg("-f").arg("%U %S").arg("-o").arg(&out).arg(program);
        (cmd, Some(out))
    } else {
        (Command::new(program), None)
    }
}

/// Reads the `user system` seconds `/usr/bin/time -f "%U %S"` wrote.
fn read_cpu(path: Option<&Path>) -> Option<Duration> {
    let text = std::fs::read_to_string(path?).ok()?;
    let secs: f64 = text.lines().last()?.split_whitespace().map(|v| v.parse::<f64>().unwrap_or(0.0)).sum();
    Some(Duration::from_secs_f64(secs))
}

/// Runs a command to completion, failing with its output if it fails; returns its wall time and stdout.
fn run(what: &str, cmd: &mut Command, stdin: Option<&str>) -> Result<(Duration, String)> {
    let start = Instant::now();
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("{what}: cannot start {:?}", cmd.get_program()))?;
    if let Some(mut input) = child.stdin.take() {
        if let Some(text) = stdin {
            input.write_all(text.as_bytes())?;
        }
    }
    let out = child.wait_with_output()?;
    let took = start.elapsed();
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let tail: String = err.lines().rev().take(20).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n");
        bail!("{what} failed ({}):\n{tail}", out.status);
    }
    Ok((took, String::from_utf8_lossy(&out.stdout).into_owned()))
}

/// The officer the cases are imported as (a head of Lạng Sơn customs in the demo data).
const IMPORTER: &str = "hq.langson.head";

/// A `cordon` command over a data directory and, for PostgreSQL, a database URL.
fn cordon(args: &Args, data_dir: &Path, database: Option<&str>) -> Command {
    cordon_with(Command::new(&args.cordon), data_dir, database)
}

/// Adds the data directory and database to a command that runs `cordon`.
fn cordon_with(mut cmd: Command, data_dir: &Path, database: Option<&str>) -> Command {
    cmd.arg("--data-dir").arg(data_dir).env("CORDON_LOG", "warn");
    if let Some(url) = database {
        cmd.arg("--database").arg(url);
    }
    cmd
}

/// Prepares a store (the demo's agencies, units and users; untimed), then times `cordon import`.
fn cordon_import(args: &Args, files: &Files, data_dir: &Path, database: Option<&str>) -> Result<Took> {
    let (setup, _) = run("cordon demo", cordon(args, data_dir, database).arg("demo"), None)?;
    println!("  store prepared with the demo directory in {:.1} s (untimed)", setup.as_secs_f64());
    let (base, cpu_file) = timed(&args.cordon, files.cordon_csv.parent().unwrap_or(Path::new(".")));
    let mut cmd = cordon_with(base, data_dir, database);
    cmd.arg("import").arg("--as").arg(IMPORTER).arg("--mapping").arg(&files.mapping);
    if let Some(b) = args.batch {
        cmd.arg("--batch").arg(b.to_string());
    }
    cmd.arg(&files.cordon_csv);
    let (wall, out) = run("cordon import", &mut cmd, None)?;
    println!("  {}", out.trim());
    Ok(Took { wall, cpu: read_cpu(cpu_file.as_deref()) })
}

/// The plain tables the loaders fill: every column text, as the file has it, no keys or indexes.
fn loader_ddl() -> String {
    let cols = |names: &[&str]| names.iter().map(|c| format!("{c} TEXT")).collect::<Vec<_>>().join(", ");
    format!(
        "CREATE TABLE cases ({}); CREATE TABLE parties ({});",
        cols(CASE_HEADERS),
        cols(&["so_vu", "thu_tu", "doi_tuong", "vai_tro", "cccd", "dien_thoai"])
    )
}

/// Counts of what a Cordon import left on SQLite: cases, parties linked, `case.import` audit entries.
fn sqlite_counts(db: &Path) -> Result<String> {
    let (_, out) = run(
        "sqlite3 count",
        Command::new("sqlite3").arg(db).arg(
            "SELECT (SELECT COUNT(*) FROM cases WHERE external_ref LIKE 'NK-%') || ' cases, ' || \
             (SELECT COUNT(*) FROM case_parties p JOIN cases c ON c.id = p.case_id WHERE c.external_ref LIKE 'NK-%') || ' parties, ' || \
             (SELECT COUNT(*) FROM audit_log WHERE action = 'case.import') || ' case.import audit entries';",
        ),
        None,
    )?;
    Ok(out.trim().to_string())
}

/// One measured row of the report.
struct Measure {
    backend: &'static str,
    engine: &'static str,
    took: Took,
}

/// SQLite: Cordon into a fresh data dir, then `sqlite3 .import` of the same rows into a fresh file.
fn bench_sqlite(args: &Args, files: &Files, dir: &Path, out: &mut Vec<Measure>) -> Result<()> {
    println!("SQLite: cordon import");
    let data = dir.join("cordon-sqlite");
    let took = cordon_import(args, files, &data, None)?;
    println!("  {} in {:.1} s", sqlite_counts(&data.join("cordon.db"))?, took.wall.as_secs_f64());
    out.push(Measure { backend: "SQLite", engine: "cordon import", took });

    println!("SQLite: sqlite3 .import --csv");
    let db = dir.join("loader.db");
    let script = format!(
        "{}\n.import --csv --skip 1 {} cases\n.import --csv --skip 1 {} parties\nSELECT COUNT(*) || ' cases, ' || (SELECT COUNT(*) FROM parties) || ' parties' FROM cases;\n",
        loader_ddl(),
        files.cases_csv.display(),
        files.parties_csv.display()
    );
    let (mut cmd, cpu_file) = timed(Path::new("sqlite3"), dir);
    let (wall, counts) = run("sqlite3 .import", cmd.arg(&db), Some(&script))?;
    println!("  {} in {:.1} s", counts.trim(), wall.as_secs_f64());
    out.push(Measure { backend: "SQLite", engine: "sqlite3 .import", took: Took { wall, cpu: read_cpu(cpu_file.as_deref()) } });
    Ok(())
}

/// Schema of the PostgreSQL `COPY` baseline (dropped before and after).
const PG_COPY_SCHEMA: &str = "bench_import_copy";
/// Schema of Cordon's PostgreSQL store (dropped before and after).
const PG_CORDON_SCHEMA: &str = "bench_import_cordon";

/// A URL whose sessions use `schema`.
fn with_schema(url: &str, schema: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}options=-c%20search_path%3D{schema}")
}

/// PostgreSQL: Cordon into a fresh schema, then `psql \copy` (COPY FROM STDIN) into plain tables.
async fn bench_pg(args: &Args, files: &Files, dir: &Path, out: &mut Vec<Measure>) -> Result<()> {
    let mut admin = PgConnection::connect(&args.pg_url).await.with_context(|| format!("connecting to {}", args.pg_url))?;
    for s in [PG_CORDON_SCHEMA, PG_COPY_SCHEMA] {
        admin.execute(format!("DROP SCHEMA IF EXISTS {s} CASCADE; CREATE SCHEMA {s}").as_str()).await?;
    }
    let result = bench_pg_inner(args, files, dir, out, &mut admin).await;
    for s in [PG_CORDON_SCHEMA, PG_COPY_SCHEMA] {
        admin.execute(format!("DROP SCHEMA IF EXISTS {s} CASCADE").as_str()).await?;
    }
    result
}

async fn bench_pg_inner(args: &Args, files: &Files, dir: &Path, out: &mut Vec<Measure>, admin: &mut PgConnection) -> Result<()> {
    println!("PostgreSQL: cordon import");
    let url = with_schema(&args.pg_url, PG_CORDON_SCHEMA);
    let took = cordon_import(args, files, &dir.join("cordon-pg"), Some(&url))?;
    let row = sqlx::query(&format!(
        "SELECT (SELECT COUNT(*) FROM {s}.cases WHERE external_ref LIKE 'NK-%') AS c, \
         (SELECT COUNT(*) FROM {s}.case_parties p JOIN {s}.cases c ON c.id = p.case_id WHERE c.external_ref LIKE 'NK-%') AS p, \
         (SELECT COUNT(*) FROM {s}.audit_log WHERE action = 'case.import') AS a",
        s = PG_CORDON_SCHEMA
    ))
    .fetch_one(&mut *admin)
    .await?;
    let (c, p, a): (i64, i64, i64) = (row.try_get("c")?, row.try_get("p")?, row.try_get("a")?);
    println!("  {c} cases, {p} parties, {a} case.import audit entries in {:.1} s", took.wall.as_secs_f64());
    out.push(Measure { backend: "PostgreSQL", engine: "cordon import", took });

    println!("PostgreSQL: psql \\copy (COPY FROM STDIN)");
    admin.execute(format!("SET search_path = {PG_COPY_SCHEMA}; {}; RESET search_path", loader_ddl()).as_str()).await?;
    let script = format!(
        "SET search_path = {PG_COPY_SCHEMA};\n\\copy cases FROM '{}' WITH (FORMAT csv, HEADER true)\n\\copy parties FROM '{}' WITH (FORMAT csv, HEADER true)\n",
        files.cases_csv.display(),
        files.parties_csv.display()
    );
    let (wall, _) = run("psql \\copy", Command::new("psql").arg(&args.pg_url).args(["-v", "ON_ERROR_STOP=1", "-q"]), Some(&script))?;
    // psql's CPU time is not COPY's (the server does the work): wall time only.
    let took = Took { wall, cpu: None };
    let row =
        sqlx::query(&format!("SELECT (SELECT COUNT(*) FROM {s}.cases) AS c, (SELECT COUNT(*) FROM {s}.parties) AS p", s = PG_COPY_SCHEMA))
            .fetch_one(&mut *admin)
            .await?;
    let (c, p): (i64, i64) = (row.try_get("c")?, row.try_get("p")?);
    println!("  {c} cases, {p} parties in {:.1} s", took.wall.as_secs_f64());
    out.push(Measure { backend: "PostgreSQL", engine: "COPY (psql \\copy)", took });
    Ok(())
}

/// The 1-minute load average, to note how busy the shared machine was.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg").ok().and_then(|s| s.split_whitespace().next().map(String::from)).unwrap_or_else(|| "?".into())
}

fn main() -> Result<()> {
    let args = parse_args()?;
    let dir = tempfile::Builder::new().prefix("bench_import").tempdir()?;
    println!("bench_import: {} cases, seed {}, load average {} at start", args.cases, args.seed, load_average());
    let start = Instant::now();
    let files = write_files(dir.path(), &args)?;
    println!(
        "generated {} cases with {} parties ({:.1} MB flat CSV) in {:.1} s, in {}",
        args.cases,
        files.parties,
        files.bytes as f64 / 1e6,
        start.elapsed().as_secs_f64(),
        dir.path().display()
    );
    let mut measures = Vec::new();
    if !args.skip_sqlite {
        bench_sqlite(&args, &files, dir.path(), &mut measures)?;
    }
    if !args.skip_pg {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        rt.block_on(bench_pg(&args, &files, dir.path(), &mut measures))?;
    }
    println!("\nload average {} at end; {} cases, {} parties", load_average(), args.cases, files.parties);
    println!(
        "| backend | engine | wall | cases/s | rows/s (cases + parties) | wall Cordon / loader | CPU (client) | CPU Cordon / loader |"
    );
    println!("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for m in &measures {
        let secs = m.took.wall.as_secs_f64();
        let loader = measures.iter().find(|l| l.backend == m.backend && l.engine != "cordon import");
        let (ratio, cpu_ratio) = match (m.engine, loader) {
            ("cordon import", Some(l)) => (
                format!("{:.2}×", secs / l.took.wall.as_secs_f64()),
                match (m.took.cpu, l.took.cpu) {
                    (Some(a), Some(b)) if b.as_secs_f64() > 0.0 => format!("{:.2}×", a.as_secs_f64() / b.as_secs_f64()),
                    _ => "–".into(),
                },
            ),
            _ => ("1.00× (baseline)".into(), "".into()),
        };
        let cpu = m.took.cpu.map_or_else(|| "–".to_string(), |c| format!("{:.2} s", c.as_secs_f64()));
        println!(
            "| {} | {} | {secs:.2} s | {:.0} | {:.0} | {ratio} | {cpu} | {cpu_ratio} |",
            m.backend,
            m.engine,
            args.cases as f64 / secs,
            (args.cases + files.parties) as f64 / secs
        );
    }
    if args.keep {
        let kept = dir.keep();
        println!("kept {}", kept.display());
    }
    Ok(())
}
