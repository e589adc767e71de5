//! Dashboard statistics at country scale: synthetic cases over ten years loaded straight into a
//! Cordon store (SQLite, then PostgreSQL), then the store's statistics queries — the ones the
//! dashboard, the statistics API and a yearly report make — timed for a domestic viewer, each
//! with its sharing filter, p50 and p99 over repeated runs; and a yearly report's PDF written.
//! The goal in issue 9: p99 ≤ 100 ms per query at 2,000,000 cases; a yearly PDF ≤ 5 s.
//!
//! Run: `cargo run --profile bench -p cordon-bench --bin bench_stats -- --cases 2000000`

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use cordon_bench::Rng;
use cordon_core::time::month_start;
use cordon_store::{StatDimension, StatFilter, Store, StoreTarget};
use sqlx::{AnyConnection, Connection, Executor};

struct Args {
    cases: usize,
    runs: usize,
    seed: u64,
    skip_pg: bool,
    skip_sqlite: bool,
    pg_url: String,
}

fn parse_args() -> Result<Args> {
    let mut a =
        Args { cases: 200_000, runs: 30, seed: 42, skip_pg: false, skip_sqlite: false, pg_url: cordon_store::scratch::test_postgres_url() };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--help" | "-h" => {
                println!("bench_stats [--cases N] [--runs R] [--seed N] [--skip-pg] [--skip-sqlite] [--pg-url URL]");
                std::process::exit(0);
            }
            "--skip-pg" => a.skip_pg = true,
            "--skip-sqlite" => a.skip_sqlite = true,
            _ => {
                let value = it.next().with_context(|| format!("{flag} needs a value"))?;
                match flag.as_str() {
                    "--cases" => a.cases = value.parse()?,
                    "--runs" => a.runs = value.parse()?,
                    "--seed" => a.seed = value.parse()?,
                    "--pg-url" => a.pg_url = value,
                    _ => bail!("unknown flag {flag}"),
                }
            }
        }
    }
    if a.cases == 0 || a.runs == 0 {
        bail!("--cases and --runs must be positive");
    }
    Ok(a)
}

const AGENCIES: &[(&str, &str)] = &[
    ("customs-vn", "customs"),
    ("border-guard-vn", "border_guard"),
    ("police-vn", "police"),
    ("market-vn", "market_surveillance"),
    ("coast-guard-vn", "coast_guard"),
];
const TYPES: &[&str] = &["smuggling", "illegal_transport", "trade_fraud", "counterfeit"];
const TEN_YEARS_FROM: i64 = 1_577_811_600_000; // 1 January 2020, Vietnam time

async fn load(store_conn: &mut AnyConnection, args: &Args, pg: bool) -> Result<()> {
    let ph = |n: usize| if pg { format!("${n}") } else { "?".into() };
    let now = TEN_YEARS_FROM + 10 * 365 * 86_400_000;
    for (id, kind) in AGENCIES {
        store_conn
            .execute(
                sqlx::query(&format!(
                    "INSERT INTO agencies (id, kind, name_vi, name_en, country, created_at) VALUES ({}, {}, {}, {}, 'VN', 0)",
                    ph(1),
                    ph(2),
                    ph(3),
                    ph(4)
                ))
                .bind(*id)
                .bind(*kind)
                .bind(*id)
                .bind(*id),
            )
            .await?;
        for u in 0..10 {
            store_conn
                .execute(
                    sqlx::query(&format!(
                        "INSERT INTO units (id, agency_id, name_vi, name_en, created_at) VALUES ({}, {}, {}, {}, 0)",
                        ph(1),
                        ph(2),
                        ph(3),
                        ph(4)
                    ))
                    .bind(format!("{id}-u{u}"))
                    .bind(*id)
                    .bind(format!("{id}-u{u}"))
                    .bind(format!("{id}-u{u}")),
                )
                .await?;
        }
    }
    let r = cordon_core::reference::reference();
    let provinces: Vec<&str> = r.provinces.iter().map(|p| p.code).collect();
    let commodities: Vec<&str> = r.commodities.iter().map(|c| c.code).collect();
    let mut rng = Rng(args.seed);
    let batch = 500;
    let started = Instant::now();
    let mut i = 0;
    while i < args.cases {
        let n = batch.min(args.cases - i);
        let mut cases = String::from(
            "INSERT INTO cases (id, reference, version, case_type, status, title, summary, detected_at, seized_at, reported_at, province_code, route, \
             transport_mode, concealment, owner_unit_id, owner_agency_id, lead_agency_id, fine_vnd, goods_confiscated, goods_destroyed, tlp, distribution, \
             handling, total_value_vnd, created_by, created_at, updated_at) VALUES ",
        );
        let mut access = String::from("INSERT INTO case_access (case_id, principal) VALUES ");
        let mut goods = String::from("INSERT INTO goods_lines (case_id, line_no, description, hs_code, category, value_vnd) VALUES ");
        for k in 0..n {
            let id = format!("c{:09}", i + k);
            let (agency, _) = AGENCIES[rng.below(AGENCIES.len())];
            let unit = format!("{agency}-u{}", rng.below(10));
            let at = TEN_YEARS_FROM + (rng.unit() * (now - TEN_YEARS_FROM) as f64) as i64;
            let province = provinces[rng.below(provinces.len())];
            let value = (rng.range(1.0, 500.0) * 1e6) as i64;
            let fine = if rng.percent(30) { (rng.range(1.0, 50.0) * 1e6) as i64 } else { 0 };
            let seized = if rng.percent(60) { (at + 3_600_000).to_string() } else { "NULL".into() };
            let green = rng.percent(40);
            let sep = if k == 0 { "" } else { "," };
            cases.push_str(&format!(
                "{sep}('{id}', 'R-{id}', 1, '{}', 'seized', 'x', 'x', {at}, {seized}, {at}, '{province}', 'route-{}', 'road', NULL, '{unit}', '{agency}', '{agency}', {}, 0, 0, '{}', '[]', '[]', {value}, 'bench', {at}, {at})",
                TYPES[rng.below(TYPES.len())],
                rng.below(30),
                if fine > 0 { fine.to_string() } else { "NULL".into() },
                if green { "green" } else { "amber_strict" },
            ));
            access.push_str(&format!("{sep}('{id}', 'agency:{agency}')"));
            if green {
                access.push_str(&format!(",('{id}', 'domestic')"));
            }
            goods.push_str(&format!("{sep}('{id}', 1, 'x', '2402', '{}', {value})", commodities[rng.below(commodities.len())]));
        }
        let mut tx = store_conn.begin().await?;
        tx.execute(cases.as_str()).await?;
        tx.execute(access.as_str()).await?;
        tx.execute(goods.as_str()).await?;
        tx.commit().await?;
        i += n;
        if i % 200_000 == 0 {
            eprintln!("  {i} cases loaded ({:.0} s)", started.elapsed().as_secs_f64());
        }
    }
    // Only the loaded tables: a bare ANALYZE would visit every schema on the server.
    for table in ["cases", "case_access", "goods_lines"] {
        store_conn.execute(format!("ANALYZE {table}").as_str()).await?;
    }
    eprintln!("  loaded {} cases in {:.0} s", args.cases, started.elapsed().as_secs_f64());
    Ok(())
}

fn quantile(v: &mut [Duration], q: f64) -> Duration {
    v.sort();
    v[((v.len() - 1) as f64 * q).round() as usize]
}

async fn measure(store: &Store, runs: usize) -> Result<Vec<(String, Duration, Duration)>> {
    // A customs officer: their agency's cases and every domestic (GREEN) one.
    let viewer: Vec<String> = ["unit:customs-vn-u0", "agency:customs-vn", "domestic", "everyone"].iter().map(|s| s.to_string()).collect();
    let year = StatFilter { since: Some(month_start(2028, 1)), until: Some(month_start(2029, 1)), ..StatFilter::default() };
    let all = StatFilter { since: Some(TEN_YEARS_FROM), until: Some(month_start(2030, 1)), ..StatFilter::default() };
    let sixteen_weeks = StatFilter { since: Some(month_start(2029, 9)), until: Some(month_start(2030, 1)), ..StatFilter::default() };
    let mut out = Vec::new();
    for (name, which) in [
        ("total, one year", 0),
        ("by province, one year", 1),
        ("by commodity, one year", 2),
        ("by day (months chart), one year", 3),
        ("total, ten years", 4),
        ("by province, ten years", 5),
        ("hotspot series: province × commodity × day, 16 weeks", 6),
    ] {
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs {
            let t = Instant::now();
            match which {
                0 => drop(store.case_statistics_total(&viewer, &year).await?),
                1 => drop(store.case_statistics(&viewer, &year, StatDimension::Province).await?),
                2 => drop(store.case_statistics(&viewer, &year, StatDimension::Commodity).await?),
                3 => drop(store.case_statistics(&viewer, &year, StatDimension::Day).await?),
                4 => drop(store.case_statistics_total(&viewer, &all).await?),
                5 => drop(store.case_statistics(&viewer, &all, StatDimension::Province).await?),
                _ => drop(store.case_day_counts(&viewer, &sixteen_weeks, Some(StatDimension::Province), true).await?),
            }
            times.push(t.elapsed());
        }
        let (p50, p99) = (quantile(&mut times, 0.5), quantile(&mut times, 0.99));
        out.push((name.to_string(), p50, p99));
    }
    Ok(out)
}

fn report(backend: &str, cases: usize, rows: &[(String, Duration, Duration)]) {
    println!("\n{backend}, {cases} cases — p50 / p99 (goal p99 ≤ 100 ms)");
    for (name, p50, p99) in rows {
        let ok = if p99.as_millis() <= 100 { "ok" } else { "OVER" };
        println!("  {name:<55} {:>9.1} ms {:>9.1} ms  {ok}", p50.as_secs_f64() * 1e3, p99.as_secs_f64() * 1e3);
    }
}

fn pdf_time() -> Result<Duration> {
    use cordon_transfer::Block;
    let t = Instant::now();
    let rows: Vec<Vec<String>> =
        (0..34).map(|i| vec![format!("Tỉnh {i}"), "1.234".into(), "1.100".into(), "+12,2".into(), "56.789".into()]).collect();
    let mut blocks = vec![Block::Title("BÁO CÁO NĂM".into())];
    for _ in 0..4 {
        blocks.push(Block::Table {
            header: vec!["".into(), "Số vụ".into(), "Cùng kỳ".into(), "±".into(), "Trị giá".into()],
            rows: rows.clone(),
        });
    }
    blocks.push(Block::BarChart { bars: (1..=12).map(|m| (format!("{m:02}"), m as f64 * 100.0)).collect() });
    cordon_transfer::pdf_document("bench", &blocks)?;
    Ok(t.elapsed())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let args = parse_args()?;
    sqlx::any::install_default_drivers();
    if !args.skip_sqlite {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("cordon.db");
        let store = Store::open(&StoreTarget::Sqlite(path.clone())).await?;
        let mut conn = AnyConnection::connect(&format!("sqlite://{}", path.display())).await?;
        eprintln!("SQLite: loading");
        load(&mut conn, &args, false).await?;
        drop(conn);
        let rows = measure(&store, args.runs).await?;
        report("SQLite", args.cases, &rows);
        store.close().await;
    }
    if !args.skip_pg {
        let target = cordon_store::scratch::scratch_postgres(&args.pg_url).await?;
        let store = Store::open(&target).await?;
        let StoreTarget::Postgres(url) = &target else { bail!("not PostgreSQL") };
        let mut conn = AnyConnection::connect(url).await?;
        eprintln!("PostgreSQL: loading");
        load(&mut conn, &args, true).await?;
        drop(conn);
        let rows = measure(&store, args.runs).await?;
        report("PostgreSQL", args.cases, &rows);
        store.close().await;
        // The scratch schema holds the whole load: drop it now rather than in two hours.
        if let Some(schema) = url.split("search_path%3D").nth(1) {
            let mut admin = AnyConnection::connect(&args.pg_url).await?;
            admin.execute(format!("DROP SCHEMA IF EXISTS {schema} CASCADE").as_str()).await?;
        }
    }
    let pdf = pdf_time()?;
    println!("\nyearly report PDF (4 tables of 34 rows, a chart; font embedded): {:.0} ms (goal ≤ 5 s)", pdf.as_secs_f64() * 1e3);
    Ok(())
}
