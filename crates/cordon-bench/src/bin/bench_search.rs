//! Case search latency: Cordon's `SearchIndex` (tantivy BM25 over folded text, access filter in
//! the query) vs SQLite FTS5 (`unicode61 remove_diacritics 2`, ranked) and PostgreSQL full text
//! (`ts_rank`, GIN), same synthetic Vietnamese cases, same viewer, top 20, one query at a time.
//!
//! Run: `cargo run --profile bench -p cordon-bench --bin bench_search -- --cases 1000000`

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use cordon_core::text::fold_words;
use cordon_search::{CaseDoc, CaseFilter, SearchIndex, Searcher};
use sqlx::{Connection, Executor, PgConnection, QueryBuilder, Row, SqliteConnection};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

use cordon_bench::Rng;

/// Command-line options.
struct Args {
    cases: usize,
    queries: usize,
    budget: Duration,
    seed: u64,
    skip_pg: bool,
    skip_sqlite: bool,
    pg_url: String,
    /// Where Cordon's index lives; kept (and reused when present) instead of a temp dir.
    index_dir: Option<PathBuf>,
}

/// Parses `--cases`, `--queries`, `--budget-s`, `--seed`, `--skip-pg`, `--skip-sqlite`, `--pg-url`, `--index-dir`.
fn parse_args() -> Result<Args> {
    let mut a = Args {
        cases: 1_000_000,
        queries: 500,
        budget: Duration::from_secs(20),
        seed: 42,
        skip_pg: false,
        skip_sqlite: false,
        pg_url: "postgres://postgres@127.0.0.1:5432/test".into(),
        index_dir: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--help" | "-h" => {
                println!(
                    "bench_search [--cases N] [--queries Q] [--budget-s S] [--seed N] [--skip-pg] [--skip-sqlite] [--pg-url URL] [--index-dir DIR]\n  \
                     each engine runs Q timed queries, or stops after S seconds once every query ran twice;\n  \
                     --index-dir keeps Cordon's index in DIR and reuses it if DIR already holds one (same --cases and --seed!)"
                );
                std::process::exit(0);
            }
            "--skip-pg" => a.skip_pg = true,
            "--skip-sqlite" => a.skip_sqlite = true,
            _ => {
                let value = it.next().with_context(|| format!("{flag} needs a value"))?;
                match flag.as_str() {
                    "--cases" => a.cases = value.parse()?,
                    "--queries" => a.queries = value.parse()?,
                    "--budget-s" => a.budget = Duration::from_secs_f64(value.parse()?),
                    "--seed" => a.seed = value.parse()?,
                    "--pg-url" => a.pg_url = value,
                    "--index-dir" => a.index_dir = Some(value.into()),
                    _ => bail!("unknown flag {flag}"),
                }
            }
        }
    }
    if a.cases == 0 || a.queries == 0 {
        bail!("--cases and --queries must be positive");
    }
    Ok(a)
}

/// Agencies (principal suffix) with their share of recorded cases; each has ten units.
const AGENCIES: &[(&str, u32)] = &[
    ("customs-vn", 30),
    ("border-guard-vn", 20),
    ("police-vn", 20),
    ("market-surveillance-vn", 18),
    ("coast-guard-vn", 7),
    ("forest-protection-vn", 5),
];
/// Units per agency (6 × 10 = 60 units).
const UNITS_PER_AGENCY: usize = 10;

/// A kind of goods: name, unit of measure, brands or qualifiers.
type Goods = (&'static str, &'static str, &'static [&'static str]);

/// Goods with weights; the weights make some queries broad and some rare.
const GOODS: &[(Goods, u32)] = &[
    (("thuốc lá", "bao", &["Esse", "Jet", "Hero", "Marlboro", "555", "Craven A"]), 24),
    (("đường cát", "tấn", &["Thái Lan", "Biên Hòa", ""]), 9),
    (("pháo nổ", "kg", &["Trung Quốc", "hoa cải", ""]), 6),
    (("nầm lợn đông lạnh", "kg", &["", ""]), 4),
    (("chân gà đông lạnh", "kg", &["", ""]), 4),
    (("điện thoại", "chiếc", &["iPhone", "Samsung", "Xiaomi", "Oppo"]), 8),
    (("mỹ phẩm", "hộp", &["Ohui", "Whoo", "Shiseido", "Laneige", ""]), 7),
    (("rượu ngoại", "chai", &["Chivas", "Johnnie Walker", "Hennessy", "Macallan"]), 6),
    (("vàng", "kg", &["miếng", "trang sức", "nguyên liệu"]), 3),
    (("xăng dầu", "lít", &["A95", "DO 0,05S", "E5"]), 6),
    (("ngà voi", "kg", &["", "chế tác"]), 1),
    (("sừng tê giác", "kg", &[""]), 1),
    (("gỗ trắc", "m3", &["xẻ", "tròn"]), 2),
    (("quần áo", "kiện", &["Adidas", "Nike", "Gucci", "Louis Vuitton"]), 6),
    (("thuốc tân dược", "hộp", &["Panadol", "Viagra", "Tamiflu"]), 3),
    (("ma túy", "gam", &["heroin", "methamphetamine", "ketamine"]), 3),
    (("tôm hùm", "kg", &["", "bông"]), 2),
    (("phân bón", "bao", &["DAP", "NPK", "Urê"]), 3),
    (("đồng hồ", "chiếc", &["Rolex", "Omega", "Casio"]), 2),
];
/// Places: (place, province).
const PLACES: &[(&str, &str)] = &[
    ("cửa khẩu Hữu Nghị", "Lạng Sơn"),
    ("cửa khẩu Tân Thanh", "Lạng Sơn"),
    ("ga Đồng Đăng", "Lạng Sơn"),
    ("cửa khẩu Móng Cái", "Quảng Ninh"),
    ("cảng Cái Lân", "Quảng Ninh"),
    ("cửa khẩu Lào Cai", "Lào Cai"),
    ("cửa khẩu Cầu Treo", "Hà Tĩnh"),
    ("cửa khẩu Lao Bảo", "Quảng Trị"),
    ("cửa khẩu Mộc Bài", "Tây Ninh"),
    ("cửa khẩu Tịnh Biên", "An Giang"),
    ("cảng Cát Lái", "TP Hồ Chí Minh"),
    ("sân bay Tân Sơn Nhất", "TP Hồ Chí Minh"),
    ("sân bay Nội Bài", "Hà Nội"),
    ("chợ Đồng Xuân", "Hà Nội"),
    ("cảng Hải Phòng", "Hải Phòng"),
    ("quốc lộ 1A", "Bắc Giang"),
    ("quốc lộ 22", "Tây Ninh"),
    ("bến Ninh Kiều", "Cần Thơ"),
    ("vùng biển Kiên Giang", "Kiên Giang"),
    ("đường mòn biên giới", "Cao Bằng"),
];
/// Opening verbs of a title.
const ACTIONS: &[&str] = &["Thu giữ", "Bắt giữ", "Phát hiện", "Tạm giữ", "Triệt phá đường dây buôn lậu", "Xử phạt vụ vận chuyển"];
/// How the goods were hidden.
const CONCEALMENT: &[&str] = &[
    "giấu trong khoang hàng lạnh",
    "ngụy trang dưới lớp nông sản",
    "cất giấu trong thùng xe",
    "chia nhỏ thành nhiều kiện",
    "khai báo là hàng phế liệu",
    "giấu dưới gầm xe",
    "để trong vali xách tay",
    "giấu trong két nước của tàu cá",
    "gửi qua đường chuyển phát nhanh",
];
/// Vehicles.
const VEHICLES: &[&str] = &["xe tải", "xe khách", "xe container", "ô tô con", "xe máy", "tàu cá", "ca nô"];
/// Origins of the goods.
const ORIGINS: &[&str] = &["nhập lậu", "không rõ nguồn gốc", "không có hóa đơn chứng từ", "giả mạo nhãn hiệu", "vận chuyển trái phép"];
/// Closing sentences.
const OUTCOMES: &[&str] = &[
    "Vụ việc đang được tiếp tục điều tra mở rộng.",
    "Toàn bộ tang vật đã được niêm phong và chuyển cơ quan điều tra.",
    "Đối tượng khai nhận được thuê vận chuyển với giá 5 triệu đồng mỗi chuyến.",
    "Lực lượng chức năng đã lập biên bản và xử phạt hành chính.",
    "Đã khởi tố vụ án, khởi tố bị can.",
];
/// Family, middle and given names of drivers and owners.
const FAMILY: &[&str] = &["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Lý"];
/// Middle names.
const MIDDLE: &[&str] = &["Văn", "Thị", "Đức", "Hữu", "Minh", "Ngọc", "Quang", "Thanh"];
/// Given names.
const GIVEN: &[&str] = &["An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hùng", "Hương", "Lan", "Long", "Mai", "Nam", "Sơn", "Tuấn", "Yến"];

/// One synthetic case: text as recorded (with diacritics), personal names, and who may see it.
struct Case {
    text: String,
    personal: String,
    principals: Vec<String>,
    agency: &'static str,
    province: &'static str,
}

/// Case `i` for `seed`: a function of both alone, so every engine is fed identical data
/// without holding a million cases in memory.
fn case(seed: u64, i: usize) -> Case {
    let mut r = Rng(seed ^ (i as u64).wrapping_mul(0xD6E8_FEB8_6659_FD93));
    r.next_u64();
    let &(goods, measure, brands) = r.weighted(GOODS);
    let brand = *r.pick(brands);
    let &(place, province) = r.pick(PLACES);
    let qty = match r.below(4) {
        0 => format!("{}", 1 + r.below(99)),
        1 => format!("{}", 100 + r.below(900)),
        _ => format!("{}.{:03}", 1 + r.below(30), r.below(1000)),
    };
    let name = format!("{} {} {}", r.pick(FAMILY), r.pick(MIDDLE), r.pick(GIVEN));
    let owner = format!("{} {} {}", r.pick(FAMILY), r.pick(MIDDLE), r.pick(GIVEN));
    let plate = format!("{:02}{}-{:03}.{:02}", 11 + r.below(88), (b'A' + r.below(12) as u8) as char, r.below(1000), r.below(100));
    let agency = *r.weighted(AGENCIES);
    let unit = r.below(UNITS_PER_AGENCY);
    let vehicle = r.pick(VEHICLES);
    let text = format!(
        "{action} {qty} {measure} {goods} {brand} {origin} tại {place}. Ngày {d}/{m}/2026, tổ công tác phát hiện {vehicle} \
         biển kiểm soát {plate} chở {goods} {brand} {hidden}, tổng trị giá ước tính {value} triệu đồng, tại {place}, {province}. {outcome}",
        action = r.pick(ACTIONS),
        origin = r.pick(ORIGINS),
        d = 1 + r.below(28),
        m = 1 + r.below(12),
        hidden = r.pick(CONCEALMENT),
        value = 10 + r.below(5000),
        outcome = r.pick(OUTCOMES),
    );
    // Who may see it: always the recording unit and agency; often shared with the border guard
    // (joint border operations), all domestic agencies, a task-force group, rarely everyone.
    let mut principals = vec![format!("unit:{agency}-{unit:02}"), format!("agency:{agency}")];
    if agency != "border-guard-vn" && r.chance(0.2) {
        principals.push("agency:border-guard-vn".into());
    }
    if r.chance(0.3) {
        principals.push("domestic".into());
    }
    if r.chance(0.1) {
        principals.push(format!("group:task-force-{}", r.below(5)));
    }
    if r.chance(0.02) {
        principals.push("everyone".into());
    }
    Case { text, personal: format!("{name} {owner}"), principals, agency, province }
}

/// The viewer: an officer of customs unit 03, in task force 2, holding five principals.
fn viewer() -> Vec<String> {
    ["unit:customs-vn-03", "agency:customs-vn", "group:task-force-2", "domestic", "everyone"].iter().map(|s| s.to_string()).collect()
}

/// Queries in pairs: as typed with diacritics, and as typed on a keyboard without them.
const QUERIES: &[(&str, &str)] = &[
    ("thuốc lá", "thuoc la"),
    ("đường cát", "duong cat"),
    ("pháo nổ", "phao no"),
    ("nầm lợn", "nam lon"),
    ("Hữu Nghị", "Huu Nghi"),
    ("xăng dầu", "xang dau"),
    ("điện thoại", "dien thoai"),
    ("rượu ngoại", "ruou ngoai"),
    ("ngà voi", "nga voi"),
    ("mỹ phẩm", "my pham"),
    ("vàng", "vang"),
    ("thuốc lá Esse", "thuoc la Esse"),
    ("Móng Cái", "Mong Cai"),
    ("đông lạnh", "dong lanh"),
    ("Lạng Sơn", "Lang Son"),
    ("cửa khẩu", "cua khau"),
    ("xe tải", "xe tai"),
    ("nhập lậu", "nhap lau"),
    ("Đồng Đăng", "Dong Dang"),
    ("sừng tê giác", "sung te giac"),
];

/// The query list in run order: each pair's two forms, the diacritic-free one flagged.
fn query_list() -> Vec<(&'static str, bool)> {
    QUERIES.iter().flat_map(|&(with, without)| [(with, false), (without, true)]).collect()
}

/// Latencies of one engine, and the hits each query returned in the warm-up pass.
struct Run {
    engine: String,
    build: Duration,
    size: u64,
    /// Timed latencies, with the index of the query in the list.
    lat: Vec<(usize, Duration)>,
    /// Case numbers returned per query in the warm-up pass, best first.
    hits: Vec<Vec<usize>>,
}

impl Run {
    /// The `q`-quantile latency (nearest rank).
    fn quantile(&self, q: f64) -> Duration {
        quantile(self.lat.iter().map(|(_, d)| *d).collect(), q)
    }
    /// Median latency of query `i` of the list.
    fn median_of(&self, i: usize) -> Duration {
        quantile(self.lat.iter().filter(|(j, _)| *j == i).map(|(_, d)| *d).collect(), 0.5)
    }
    /// Mean latency.
    fn mean(&self) -> Duration {
        self.lat.iter().map(|(_, d)| *d).sum::<Duration>() / self.lat.len().max(1) as u32
    }
    /// Diacritic-free queries that returned nothing.
    fn zero_plain(&self, list: &[(&str, bool)]) -> usize {
        list.iter().zip(&self.hits).filter(|((_, plain), h)| *plain && h.is_empty()).count()
    }
    /// Queries with diacritics that returned nothing.
    fn zero_marked(&self, list: &[(&str, bool)]) -> usize {
        list.iter().zip(&self.hits).filter(|((_, plain), h)| !*plain && h.is_empty()).count()
    }
}

/// The `q`-quantile (nearest rank) of `v`; zero when empty.
fn quantile(mut v: Vec<Duration>, q: f64) -> Duration {
    if v.is_empty() {
        return Duration::ZERO;
    }
    v.sort();
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[rank - 1]
}

/// Runs `one` once per query (warm-up, recording hit counts), then timed round-robin until
/// `args.queries` ran, or the time budget is spent and every query ran at least twice.
async fn measure<F>(args: &Args, list: &[(&str, bool)], mut one: F) -> Result<(Vec<(usize, Duration)>, Vec<Vec<usize>>)>
where
    F: AsyncFnMut(&str) -> Result<Vec<usize>>,
{
    let mut hits = Vec::with_capacity(list.len());
    for (q, _) in list {
        hits.push(one(q).await?);
    }
    let mut lat = Vec::with_capacity(args.queries);
    let start = Instant::now();
    let mut i = 0;
    while lat.len() < args.queries && (start.elapsed() < args.budget || lat.len() < 2 * list.len()) {
        let (q, _) = list[i % list.len()];
        let t = Instant::now();
        std::hint::black_box(one(q).await?);
        lat.push((i % list.len(), t.elapsed()));
        i += 1;
    }
    Ok((lat, hits))
}

/// Total size of the files under `dir`.
fn dir_size(dir: &Path) -> Result<u64> {
    let mut total = 0;
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let m = e.metadata()?;
        total += if m.is_dir() { dir_size(&e.path())? } else { m.len() };
    }
    Ok(total)
}

/// Builds Cordon's index in `dir` (unless `reuse` and it is there) and measures it.
fn run_cordon(args: &Args, dir: &Path, reuse: bool, list: &[(&str, bool)]) -> Result<Run> {
    let t = Instant::now();
    if reuse && dir.join("meta.json").exists() {
        println!("  reusing the index in {}", dir.display());
    } else {
        let index = SearchIndex::open(dir)?;
        let mut w = index.writer()?;
        for i in 0..args.cases {
            let c = case(args.seed, i);
            let doc = CaseDoc {
                id: format!("C{i:08}"),
                text: c.text,
                personal_text: c.personal,
                principals: c.principals,
                owner_agency: c.agency.to_string(),
                case_type: "smuggling".into(),
                status: "open".into(),
                province: Some(c.province.to_string()),
                commodities: Vec::new(),
                detected_at: i as i64,
            };
            index.upsert(&w, &doc)?;
        }
        index.commit(&mut w)?;
        w.wait_merging_threads()?;
        // One segment, as after a rebuild (and like FTS5's `optimize` below), with a fresh
        // writer so that no background merge holds a segment meanwhile.
        let mut w = index.writer()?;
        index.merge_all(&mut w)?;
        w.wait_merging_threads()?;
    }
    let build = t.elapsed();
    let index = SearchIndex::open(dir)?;
    let principals = viewer();
    let who = Searcher { principals: &principals, agency: "customs-vn" };
    let filter = CaseFilter::default();
    let rt = tokio::runtime::Builder::new_current_thread().build()?;
    let (lat, hits) = rt.block_on(measure(args, list, async |q: &str| {
        // Ids are `C` and the case number; parsing them back is part of what a caller pays.
        let ids = index.search(q, &who, &filter, 0, 20)?;
        ids.iter().map(|id| id.get(1..).and_then(|n| n.parse().ok()).with_context(|| format!("bad id {id}"))).collect()
    }))?;
    for (q, _) in list.iter().take(6) {
        println!("  Cordon: {:>7} visible cases match {q:?}", index.count(q, &who, &filter)?);
    }
    Ok(Run { engine: "Cordon (tantivy BM25)".into(), build, size: dir_size(dir)?, lat, hits })
}

/// Bare tantivy on Cordon's index files: BM25 over the folded shared text, every word
/// required (`Must` term queries), top 20 with `TopDocs`, ids from the doc store; no access
/// filter and no personal field. The floor that Cordon's filtered search is compared with.
fn run_bare(args: &Args, dir: &Path, cordon: &Run, list: &[(&str, bool)]) -> Result<Run> {
    let index = tantivy::Index::open_in_dir(dir)?;
    let reader = index.reader_builder().reload_policy(tantivy::ReloadPolicy::Manual).try_into()?;
    let schema = index.schema();
    let (text, id) = (schema.get_field("text")?, schema.get_field("id")?);
    let docs: Vec<u32> = reader.searcher().segment_readers().iter().map(|r| r.num_docs()).collect();
    println!("  index segments (live documents each): {docs:?}");
    let rt = tokio::runtime::Builder::new_current_thread().build()?;
    let (lat, hits) = rt.block_on(measure(args, list, async |q: &str| {
        let searcher = reader.searcher();
        let must: Vec<(Occur, Box<dyn Query>)> = fold_words(q)
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(|w| -> (Occur, Box<dyn Query>) {
                (Occur::Must, Box::new(TermQuery::new(Term::from_field_text(text, w), IndexRecordOption::WithFreqs)))
            })
            .collect();
        let top = searcher.search(&BooleanQuery::new(must), &TopDocs::with_limit(20))?;
        let mut out = Vec::with_capacity(top.len());
        for (_, addr) in top {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let id = doc.get_first(id).and_then(|v| v.as_str()).context("document without id")?;
            out.push(id.get(1..).and_then(|n| n.parse().ok()).with_context(|| format!("bad id {id}"))?);
        }
        Ok(out)
    }))?;
    Ok(Run { engine: "bare tantivy BM25 AND, no filter".into(), build: cordon.build, size: cordon.size, lat, hits })
}

/// Rows per multi-row INSERT: well under both databases' bind-parameter limits.
const BATCH: usize = 2_000;

/// Loads the cases into SQLite FTS5 at `path` and measures it; `None` if FTS5 is missing.
async fn run_sqlite(args: &Args, path: &Path, list: &[(&str, bool)]) -> Result<Option<Run>> {
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let mut db = SqliteConnection::connect(&url).await?;
    if let Err(e) = db.execute("CREATE VIRTUAL TABLE fts5_probe USING fts5(x)").await {
        println!("SQLite: FTS5 is not compiled into sqlx's bundled SQLite ({e}); skipping SQLite");
        return Ok(None);
    }
    db.execute("DROP TABLE fts5_probe").await?;
    // A bulk load need not be crash-safe; a generous page cache (256 MiB) gives SQLite its best case.
    db.execute("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144").await?;
    db.execute(
        "CREATE VIRTUAL TABLE cases USING fts5(body, tokenize = 'unicode61 remove_diacritics 2');
         CREATE TABLE access (case_id INTEGER NOT NULL, principal TEXT NOT NULL, PRIMARY KEY (case_id, principal)) WITHOUT ROWID;",
    )
    .await?;
    let t = Instant::now();
    let mut tx = db.begin().await?;
    let mut start = 0;
    while start < args.cases {
        let end = (start + BATCH).min(args.cases);
        let cases: Vec<(i64, Case)> = (start..end).map(|i| (i as i64 + 1, case(args.seed, i))).collect();
        let mut q = QueryBuilder::new("INSERT INTO cases (rowid, body) ");
        q.push_values(&cases, |mut b, (id, c)| {
            b.push_bind(*id).push_bind(&c.text);
        });
        q.build().execute(&mut *tx).await?;
        let access: Vec<(i64, &String)> = cases.iter().flat_map(|(id, c)| c.principals.iter().map(move |p| (*id, p))).collect();
        for chunk in access.chunks(BATCH) {
            let mut q = QueryBuilder::new("INSERT INTO access (case_id, principal) ");
            q.push_values(chunk, |mut b, (id, p)| {
                b.push_bind(*id).push_bind(p.as_str());
            });
            q.build().execute(&mut *tx).await?;
        }
        start = end;
    }
    tx.commit().await?;
    // FTS5's own merge of its b-tree segments, as one would run after a bulk load.
    db.execute("INSERT INTO cases (cases) VALUES ('optimize')").await?;
    let build = t.elapsed();
    let principals = viewer();
    let sql = format!(
        "SELECT rowid FROM cases WHERE cases MATCH ?1 AND EXISTS (SELECT 1 FROM access a WHERE a.case_id = cases.rowid \
         AND a.principal IN ({})) ORDER BY rank LIMIT 20",
        (0..principals.len()).map(|i| format!("?{}", i + 2)).collect::<Vec<_>>().join(", ")
    );
    let (lat, hits) = measure(args, list, async |q: &str| {
        // Each word quoted: FTS5 ANDs them, and punctuation cannot become query syntax.
        let fts: String = q.split_whitespace().map(|w| format!("\"{w}\"")).collect::<Vec<_>>().join(" ");
        let mut query = sqlx::query(&sql).bind(fts);
        for p in &principals {
            query = query.bind(p);
        }
        let rows = query.fetch_all(&mut db).await?;
        Ok(rows.iter().map(|r| r.get::<i64, _>(0) as usize - 1).collect())
    })
    .await?;
    db.close().await?;
    Ok(Some(Run { engine: "SQLite FTS5 (bm25 rank)".into(), build, size: dir_size(path.parent().context("db dir")?)?, lat, hits }))
}

/// The PostgreSQL schema the bench owns (dropped before and after).
const PG_SCHEMA: &str = "bench_search";

/// Loads the cases into PostgreSQL, measures `ts_rank` search, and drops the schema whatever happened.
async fn run_pg(args: &Args, list: &[(&str, bool)]) -> Result<Run> {
    let mut db = PgConnection::connect(&args.pg_url).await.context("connecting to PostgreSQL")?;
    let run = pg_load_and_measure(args, list, &mut db).await;
    db.execute(format!("DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE").as_str()).await?;
    db.close().await?;
    run
}

/// The body of [`run_pg`], on a connection whose schema the caller drops.
async fn pg_load_and_measure(args: &Args, list: &[(&str, bool)], db: &mut PgConnection) -> Result<Run> {
    (&mut *db)
        .execute(
            format!("DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE; CREATE SCHEMA {PG_SCHEMA}; SET search_path = {PG_SCHEMA}, public").as_str(),
        )
        .await?;
    // One core, like the others: no parallel workers for a query.
    (&mut *db).execute("SET max_parallel_workers_per_gather = 0").await?;
    // unaccent (contrib) folds diacritics and đ; created in our schema so dropping it removes it.
    let unaccent = match (&mut *db).execute(format!("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA {PG_SCHEMA}").as_str()).await {
        Ok(_) => true,
        Err(e) => {
            println!("PostgreSQL: unaccent refused ({e}); using plain 'simple'");
            false
        }
    };
    let mapping = if unaccent { "unaccent, simple" } else { "simple" };
    (&mut *db)
        .execute(
            format!(
                "CREATE TEXT SEARCH CONFIGURATION vn (COPY = simple);
             ALTER TEXT SEARCH CONFIGURATION vn ALTER MAPPING FOR hword, hword_part, word WITH {mapping};
             CREATE TABLE cases (id bigint PRIMARY KEY, body text NOT NULL, tsv tsvector NOT NULL);
             CREATE TABLE access (case_id bigint NOT NULL, principal text NOT NULL, PRIMARY KEY (case_id, principal));"
            )
            .as_str(),
        )
        .await?;
    let t = Instant::now();
    let mut start = 0;
    while start < args.cases {
        let end = (start + BATCH).min(args.cases);
        let cases: Vec<(i64, Case)> = (start..end).map(|i| (i as i64 + 1, case(args.seed, i))).collect();
        let ids: Vec<i64> = cases.iter().map(|(id, _)| *id).collect();
        let bodies: Vec<&str> = cases.iter().map(|(_, c)| c.text.as_str()).collect();
        sqlx::query("INSERT INTO cases (id, body, tsv) SELECT id, body, to_tsvector('vn', body) FROM UNNEST($1::bigint[], $2::text[]) AS t(id, body)")
            .bind(&ids)
            .bind(&bodies)
            .execute(&mut *db)
            .await?;
        let (aid, ap): (Vec<i64>, Vec<&str>) = cases.iter().flat_map(|(id, c)| c.principals.iter().map(move |p| (*id, p.as_str()))).unzip();
        sqlx::query("INSERT INTO access (case_id, principal) SELECT * FROM UNNEST($1::bigint[], $2::text[])")
            .bind(&aid)
            .bind(&ap)
            .execute(&mut *db)
            .await?;
        start = end;
    }
    // Separate statements: a multi-statement string runs as one transaction, which VACUUM refuses.
    (&mut *db).execute("CREATE INDEX cases_tsv ON cases USING gin (tsv)").await?;
    (&mut *db).execute("VACUUM ANALYZE cases").await?;
    (&mut *db).execute("VACUUM ANALYZE access").await?;
    let build = t.elapsed();
    let size: i64 =
        sqlx::query_scalar("SELECT pg_total_relation_size('cases') + pg_total_relation_size('access')").fetch_one(&mut *db).await?;
    let principals = viewer();
    let (lat, hits) = measure(args, list, async |q: &str| {
        let rows = sqlx::query(
            "SELECT c.id FROM cases c, plainto_tsquery('vn', $1) q WHERE c.tsv @@ q AND EXISTS (SELECT 1 FROM access a \
             WHERE a.case_id = c.id AND a.principal = ANY($2)) ORDER BY ts_rank(c.tsv, q) DESC LIMIT 20",
        )
        .bind(q)
        .bind(&principals)
        .fetch_all(&mut *db)
        .await?;
        Ok(rows.iter().map(|r| r.get::<i64, _>(0) as usize - 1).collect())
    })
    .await?;
    let engine = if unaccent { "PostgreSQL (ts_rank, unaccent)" } else { "PostgreSQL (ts_rank, simple)" };
    Ok(Run { engine: engine.into(), build, size: size as u64, lat, hits })
}

/// Milliseconds, for the tables.
fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() -> Result<()> {
    let args = parse_args()?;
    let list = query_list();
    let tmp = tempfile::tempdir()?;
    println!("bench_search: {} cases, seed {}, viewer {:?}", args.cases, args.seed, viewer());
    let sample = case(args.seed, 0);
    println!("sample case: {}\n  principals {:?}", sample.text, sample.principals);

    let mut runs = Vec::new();
    println!("building Cordon index…");
    let dir = args.index_dir.clone().unwrap_or_else(|| tmp.path().join("cordon"));
    runs.push(run_cordon(&args, &dir, args.index_dir.is_some(), &list)?);
    println!("bare tantivy on the same index…");
    let bare = run_bare(&args, &dir, &runs[0], &list)?;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    if !args.skip_sqlite {
        println!("building SQLite FTS5…");
        std::fs::create_dir_all(tmp.path().join("sqlite"))?;
        if let Some(r) = rt.block_on(run_sqlite(&args, &tmp.path().join("sqlite").join("cases.db"), &list))? {
            runs.push(r);
        }
    }
    if !args.skip_pg {
        println!("building PostgreSQL…");
        match rt.block_on(run_pg(&args, &list)) {
            Ok(r) => runs.push(r),
            Err(e) => println!("PostgreSQL failed: {e:#}"),
        }
    }
    // Last, so that "p99 / Cordon" of the databases stays in the columns the README quotes.
    runs.push(bare);

    let base = runs[0].quantile(0.99);
    println!("\n{} cases, top 20, viewer with 5 principals, {} distinct queries, one query at a time", args.cases, list.len());
    println!(
        "| engine | timed queries | p50 ms | p99 ms | mean ms | p99 / Cordon p99 | zero-hit (no diacritics / with) | build s | size MB |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for r in &runs {
        println!(
            "| {} | {} | {:.2} | {:.2} | {:.2} | {:.1}× | {} / {} of {} | {:.1} | {:.0} |",
            r.engine,
            r.lat.len(),
            ms(r.quantile(0.5)),
            ms(r.quantile(0.99)),
            ms(r.mean()),
            r.quantile(0.99).as_secs_f64() / base.as_secs_f64(),
            r.zero_plain(&list),
            r.zero_marked(&list),
            QUERIES.len(),
            r.build.as_secs_f64(),
            r.size as f64 / 1e6,
        );
    }
    let (cordon, bare) = (&runs[0], &runs[runs.len() - 1]);
    println!(
        "\nCordon / bare tantivy: p50 {:.2}×, p99 {:.2}× (bare: no access filter, no personal field)",
        cordon.quantile(0.5).as_secs_f64() / bare.quantile(0.5).as_secs_f64(),
        cordon.quantile(0.99).as_secs_f64() / bare.quantile(0.99).as_secs_f64()
    );
    println!("\nper query: hits returned (top 20, warm-up pass) / median ms");
    print!("| query |");
    for r in &runs {
        print!(" {} |", r.engine);
    }
    println!();
    println!("| --- |{}", " ---: |".repeat(runs.len()));
    for (i, (q, _)) in list.iter().enumerate() {
        print!("| {q} |");
        for r in &runs {
            print!(" {} / {:.2} |", r.hits[i].len(), ms(r.median_of(i)));
        }
        println!();
    }
    // Relevance check: a case shared with `everyone` is no more relevant to the words than any
    // other, so its share of top hits should be near its share of what the viewer may see.
    let sample = args.cases.min(200_000);
    let me = viewer();
    let (mut visible, mut open) = (0usize, 0usize);
    for i in 0..sample {
        let c = case(args.seed, i);
        if c.principals.iter().any(|p| me.contains(p)) {
            visible += 1;
            open += usize::from(c.principals.iter().any(|p| p == "everyone"));
        }
    }
    println!(
        "\nshare of top-20 hits shared with `everyone` (base rate among visible cases: {:.1} %):",
        100.0 * open as f64 / visible as f64
    );
    for r in &runs {
        let all: Vec<usize> = r.hits.iter().flatten().copied().collect();
        let open = all.iter().filter(|&&i| case(args.seed, i).principals.iter().any(|p| p == "everyone")).count();
        println!("  {:<32} {:.1} % of {}", r.engine, 100.0 * open as f64 / all.len().max(1) as f64, all.len());
    }
    Ok(())
}
