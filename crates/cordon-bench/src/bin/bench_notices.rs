//! Notices at scale (issue 4): with 10,000 open notices, the cost of an escalation sweep when
//! none is due (what `cordon serve` pays every 15 s) and when all are (the worst case); then a
//! real server on loopback with 500 signed-in users each holding the live event stream open,
//! and the latency from `POST /api/v1/notices` to the event reaching the addressed user's
//! stream. Goal: p99 ≤ 100 ms.
//!
//! `cargo run --profile bench -p cordon-bench --bin bench_notices -- [--notices N] [--clients C] [--raises R] [--postgres URL] [--sweep-only]`

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use cordon_app::{Actor, AgreementInput, App, FixedClock, NewAgencyInput, NewUnitInput, NewUserInput, NoticeInput};
use cordon_bench::Rng;
use cordon_store::{Store, StoreTarget};
use tokio::sync::mpsc;

/// 2026-01-15 08:00 ICT.
const T0: i64 = 1_768_438_800_000;
const PASSWORD: &str = "correct horse battery staple";

fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned()).unwrap_or_else(|| default.to_string())
}

/// A fresh store (SQLite in `dir`, or a scratch schema on PostgreSQL) and an app over it.
async fn fresh_app(dir: &std::path::Path, postgres: Option<&str>) -> anyhow::Result<(App, Arc<FixedClock>)> {
    let target = match postgres {
        Some(url) => cordon_store::scratch::scratch_postgres(url).await?,
        None => StoreTarget::Sqlite(dir.join("cordon.db")),
    };
    let store = Store::open(&target).await?;
    let search = cordon_search::LiveIndex::new(cordon_search::SearchIndex::open(&dir.join("index"))?)?;
    let files = cordon_store::FileStore::new(&dir.join("evidence"));
    let clock = Arc::new(FixedClock::at(T0));
    let app = App::new(store, clock.clone(), ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]), search, files);
    Ok((app, clock))
}

/// One sending customs unit with an officer, and `units` border guard units each with a head
/// (nobody on duty, so a notice goes to the head). Answers the sender's and each head's API token.
async fn directory(app: &App, units: usize) -> anyhow::Result<(String, Vec<(String, String)>)> {
    let cli = Actor::cli();
    for (id, kind) in [("customs-vn", "customs"), ("border-guard-vn", "border_guard")] {
        app.create_agency(&cli, NewAgencyInput { id: id.into(), kind: kind.into(), name_vi: id.into(), name_en: id.into(), country: None })
            .await?;
    }
    let unit = |id: String, agency: &str| NewUnitInput {
        id: id.clone(),
        agency_id: agency.into(),
        parent_id: None,
        name_vi: id.clone(),
        name_en: id,
        province: Some("lang-son".into()),
    };
    let user = |username: String, unit: String, roles: &[&str]| NewUserInput {
        username: username.clone(),
        display_name: username,
        unit_id: unit,
        roles: roles.iter().map(|r| r.to_string()).collect(),
        password: PASSWORD.into(),
        must_change_password: false,
        language: None,
    };
    // Notices between agencies go only where an agreement binds them.
    let agreement = AgreementInput {
        id: "qcph-customs-border-guard".into(),
        name: "Quy chế phối hợp Hải quan – Bộ đội Biên phòng".into(),
        agency_a: "customs-vn".into(),
        agency_b: "border-guard-vn".into(),
        case_types: Vec::new(),
        disclose_personal: false,
        valid_from: 0,
        valid_until: None,
        ack_windows: Default::default(),
    };
    app.create_agreement(&cli, agreement).await?;
    app.create_unit(&cli, unit("customs-huu-nghi".into(), "customs-vn")).await?;
    app.create_user(&cli, user("sender".into(), "customs-huu-nghi".into(), &["officer"])).await?;
    let sender = app.create_api_token(&cli, "sender", "bench", Some(30)).await?.token;
    let mut heads = Vec::with_capacity(units);
    for i in 0..units {
        let id = format!("bg-{i:04}");
        app.create_unit(&cli, unit(id.clone(), "border-guard-vn")).await?;
        let name = format!("head{i:04}");
        app.create_user(&cli, user(name.clone(), id.clone(), &["unit_head", "officer"])).await?;
        heads.push((id, app.create_api_token(&cli, &name, "bench", Some(30)).await?.token));
    }
    Ok((sender, heads))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn sweep_bench(notices: usize, postgres: Option<&str>) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let (app, clock) = fresh_app(dir.path(), postgres).await?;
    let (_, heads) = directory(&app, 50).await?;
    let sender = app.actor_for_operator("sender").await?;
    let mut rng = Rng(42);
    let started = Instant::now();
    for i in 0..notices {
        let priority = *rng.pick(&["urgent", "high", "normal"]);
        let input = NoticeInput {
            kind: "urgent_alert".into(),
            priority: priority.into(),
            case_id: None,
            title: format!("Cảnh báo {i}"),
            body: String::new(),
            recipient_units: vec![rng.pick(&heads).0.clone()],
            ack_within_minutes: None,
            idempotency_key: None,
            decision: None,
        };
        app.raise_notice(&sender, input).await?;
    }
    let raise = started.elapsed();
    println!(
        "raised {notices} notices in {:.1} s ({:.2} ms each, outbox included)",
        raise.as_secs_f64(),
        raise.as_secs_f64() * 1e3 / notices as f64
    );
    // None due: the sweep every 15 s finds nothing to do.
    let mut idle = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        let n = app.escalate_overdue_notices().await?;
        idle.push(t.elapsed().as_secs_f64() * 1e3);
        if n != 0 {
            bail!("nothing should be due yet");
        }
    }
    idle.sort_by(f64::total_cmp);
    println!(
        "sweep with {notices} open, none due: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (30 sweeps)",
        percentile(&idle, 0.5),
        percentile(&idle, 0.99),
        idle[idle.len() - 1]
    );
    // Eleven minutes on: the urgent third is due.
    clock.advance(11 * 60_000);
    let t = Instant::now();
    let n = app.escalate_overdue_notices().await?;
    let d = t.elapsed().as_secs_f64();
    println!("sweep escalating the urgent ones: {n} escalated in {:.2} s ({:.2} ms each)", d, d * 1e3 / n.max(1) as f64);
    // A day on: every one left is due.
    clock.advance(86_400_000);
    let t = Instant::now();
    let n = app.escalate_overdue_notices().await?;
    let d = t.elapsed().as_secs_f64();
    println!("sweep escalating all the rest: {n} escalated in {:.2} s ({:.2} ms each)", d, d * 1e3 / n.max(1) as f64);
    app.store().close().await;
    Ok(())
}

/// Reads one user's event stream, reporting each notice id as it arrives.
async fn listen(http: reqwest::Client, url: String, token: String, tx: mpsc::UnboundedSender<(String, Instant)>, ready: mpsc::Sender<()>) {
    let Ok(mut resp) = http.get(url).bearer_auth(token).send().await else { return };
    if !resp.status().is_success() {
        return;
    }
    let _ = ready.send(()).await;
    let mut buffer = String::new();
    while let Ok(Some(chunk)) = resp.chunk().await {
        let at = Instant::now();
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let event: String = buffer.drain(..end + 2).collect();
            if !event.lines().any(|l| l == "event: notice") {
                continue;
            }
            let data = event.lines().filter_map(|l| l.strip_prefix("data: ").or_else(|| l.strip_prefix("data:"))).collect::<String>();
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(&data) {
                if let Some(id) = v["notice_id"].as_str() {
                    let _ = tx.send((id.to_string(), at));
                }
            }
        }
    }
}

async fn latency_bench(clients: usize, raises: usize, postgres: Option<&str>) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let (app, _clock) = fresh_app(dir.path(), postgres).await?;
    let t = Instant::now();
    let (sender, heads) = directory(&app, clients).await?;
    eprintln!("{clients} users with tokens in {:.1} s", t.elapsed().as_secs_f64());
    let worker = app.start_delivery().await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server_app = app.clone();
    let server = tokio::spawn(async move {
        let _ = cordon_server::serve(listener, server_app, cordon_server::ServerOptions::default(), async {
            let _ = stopped.await;
        })
        .await;
    });
    let http = reqwest::Client::builder().pool_max_idle_per_host(clients + 8).build()?;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (ready_tx, mut ready_rx) = mpsc::channel(clients);
    let mut listeners = Vec::new();
    for (_, token) in &heads {
        listeners.push(tokio::spawn(listen(
            http.clone(),
            format!("{base}/api/v1/notices/stream"),
            token.clone(),
            tx.clone(),
            ready_tx.clone(),
        )));
    }
    for _ in 0..clients {
        tokio::time::timeout(Duration::from_secs(30), ready_rx.recv()).await.context("a stream did not open")?;
    }
    eprintln!("{clients} event streams open");
    let mut rng = Rng(7);
    let mut latencies = Vec::with_capacity(raises);
    let mut early: HashMap<String, Instant> = HashMap::new();
    let mut lost = 0;
    for i in 0..raises {
        let unit = &rng.pick(&heads).0;
        let body = serde_json::json!({ "kind": "urgent_alert", "priority": "urgent", "title": format!("Cảnh báo {i}"), "recipient_units": [unit] });
        let t0 = Instant::now();
        let resp = http.post(format!("{base}/api/v1/notices")).bearer_auth(&sender).json(&body).send().await?;
        if resp.status().as_u16() != 201 {
            bail!("raise refused: {}", resp.text().await?);
        }
        let id = resp.json::<serde_json::Value>().await?["id"].as_str().context("notice id")?.to_string();
        // The event may beat the POST's answer home.
        let arrived = match early.remove(&id) {
            Some(at) => Some(at),
            None => loop {
                match tokio::time::timeout(Duration::from_secs(5), rx.recv()).await {
                    Ok(Some((got, at))) if got == id => break Some(at),
                    Ok(Some((got, at))) => {
                        early.insert(got, at);
                    }
                    _ => break None,
                }
            },
        };
        match arrived {
            Some(at) => latencies.push(at.duration_since(t0).as_secs_f64() * 1e3),
            None => lost += 1,
        }
    }
    latencies.sort_by(f64::total_cmp);
    println!(
        "raise → live delivery, {clients} streams open, {raises} sequential raises: p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms; \
         {lost} not delivered within 5 s; goal p99 ≤ 100 ms",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.9),
        percentile(&latencies, 0.99),
        latencies.last().copied().unwrap_or(f64::NAN)
    );
    for l in listeners {
        l.abort();
    }
    let _ = stop.send(());
    let _ = server.await;
    worker.stop().await;
    app.store().close().await;
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let notices: usize = arg("--notices", "10000").parse()?;
    let clients: usize = arg("--clients", "500").parse()?;
    let raises: usize = arg("--raises", "1000").parse()?;
    let postgres = std::env::args().any(|a| a == "--postgres").then(|| arg("--postgres", ""));
    let postgres = postgres.as_deref().filter(|u| !u.is_empty());
    println!("backend: {}", if postgres.is_some() { "postgres" } else { "sqlite" });
    sweep_bench(notices, postgres).await?;
    if !std::env::args().any(|a| a == "--sweep-only") {
        latency_bench(clients, raises, postgres).await?;
    }
    Ok(())
}
