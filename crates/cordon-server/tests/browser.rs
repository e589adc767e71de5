//! The web application in a real browser (Debian's Chromium, driven over WebDriver):
//! a new user signs in, records a seizure with goods and a party, finds it again by a
//! search without diacritics, sees it shared with the border guard but not with market
//! surveillance, and switches the language; a notice raised in one browser arrives live in
//! another (the page listens to the event stream) and is acknowledged there. Screenshots of each page are written to
//! `test-artifacts/` (kept on failure for the report).

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use test_support::{Backend, TestServer, PASSWORD};

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn chromedriver() -> Option<String> {
    for p in ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"] {
        if std::path::Path::new(p).exists() {
            return Some(p.to_string());
        }
    }
    None
}

async fn start_browser() -> Option<(Driver, Client)> {
    let Some(path) = chromedriver() else {
        assert!(
            std::env::var("CORDON_REQUIRE_BROWSER").as_deref() != Ok("1"),
            "CORDON_REQUIRE_BROWSER=1 but chromedriver is not installed"
        );
        eprintln!("browser test SKIPPED: no chromedriver (apt-get install chromium chromium-driver)");
        return None;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    // The driver is handed to `Driver`, whose Drop kills and reaps it.
    #[allow(clippy::zombie_processes)]
    let child =
        Command::new(path).arg(format!("--port={port}")).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("start chromedriver");
    let driver = Driver(child);
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1280,1000", "--lang=vi"]
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    for _ in 0..50 {
        if let Ok(c) = ClientBuilder::new(connector.clone()).capabilities(caps.clone()).connect(&format!("http://127.0.0.1:{port}")).await {
            return Some((driver, c));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("chromedriver did not answer");
}

type Step = Result<(), String>;

macro_rules! ensure {
    ($cond:expr, $($msg:tt)*) => { if !$cond { return Err(format!($($msg)*)); } };
}

async fn shot(c: &Client, name: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test-artifacts");
    let _ = std::fs::create_dir_all(&dir);
    if let Ok(png) = c.screenshot().await {
        let _ = std::fs::write(dir.join(format!("{name}.png")), png);
    }
}

/// Waits (up to 10 s) until the page's URL contains `url_part` and `css` matches: a click
/// that submits a form returns before the next page has loaded.
async fn arrive(c: &Client, url_part: &str, css: &str) -> Step {
    for _ in 0..100 {
        let url = c.current_url().await.map_err(|e| e.to_string())?;
        if url.as_str().contains(url_part) && c.find(Locator::Css(css)).await.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("never reached {url_part} with {css}"))
}

/// Waits until `css` has exactly `text`.
async fn text_becomes(c: &Client, css: &str, text: &str) -> Step {
    for _ in 0..100 {
        // While the next page loads, an element found may go stale before it is read: try again.
        if let Ok(e) = c.find(Locator::Css(css)).await {
            if e.text().await.is_ok_and(|t| t == text) {
                return Ok(());
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("{css} never read {text:?}"))
}

async fn text_of(c: &Client, css: &str) -> Result<String, String> {
    c.find(Locator::Css(css)).await.map_err(|e| format!("{css}: {e}"))?.text().await.map_err(|e| e.to_string())
}

async fn login(c: &Client, base: &str, username: &str) -> Step {
    c.goto(&format!("{base}/login")).await.map_err(|e| e.to_string())?;
    c.find(Locator::Id("username")).await.map_err(|e| e.to_string())?.send_keys(username).await.map_err(|e| e.to_string())?;
    c.find(Locator::Id("password")).await.map_err(|e| e.to_string())?.send_keys(PASSWORD).await.map_err(|e| e.to_string())?;
    c.find(Locator::Css("button[type=submit]")).await.map_err(|e| e.to_string())?.click().await.map_err(|e| e.to_string())?;
    arrive(c, "/", "#figure-total").await?;
    let h1 = text_of(c, "h1").await?;
    ensure!(h1 == "Tổng quan đơn vị" || h1 == "Unit dashboard", "after sign-in the dashboard shows, got {h1:?}");
    Ok(())
}

async fn logout(c: &Client) -> Step {
    c.find(Locator::Css("form[action='/logout'] button")).await.map_err(|e| e.to_string())?.click().await.map_err(|e| e.to_string())?;
    arrive(c, "/login", "#username").await
}

async fn fill(c: &Client, id: &str, value: &str) -> Step {
    let e = c.find(Locator::Id(id)).await.map_err(|e| format!("#{id}: {e}"))?;
    e.clear().await.map_err(|e| e.to_string())?;
    e.send_keys(value).await.map_err(|e| format!("#{id}: {e}"))
}

async fn select(c: &Client, id: &str, value: &str) -> Step {
    c.find(Locator::Id(id)).await.map_err(|e| e.to_string())?.select_by_value(value).await.map_err(|e| format!("#{id}={value}: {e}"))
}

async fn scenario(c: &Client, base: &str) -> Step {
    login(c, base, "hq.huunghi").await?;
    shot(c, "01-dashboard").await;
    c.goto(&format!("{base}/cases/new")).await.map_err(|e| e.to_string())?;
    fill(c, "title", "Thu giữ 300 bao thuốc lá Jet tại cửa khẩu Hữu Nghị").await?;
    select(c, "case_type", "smuggling").await?;
    // datetime-local takes typed input in the browser's locale; set the value directly.
    c.execute("document.getElementById('detected_at').value = '2026-01-15T07:30'; return null;", vec![])
        .await
        .map_err(|e| e.to_string())?;
    select(c, "province", "lang-son").await?;
    fill(c, "summary", "Xe tải giấu thuốc lá dưới lớp hoa quả.").await?;
    fill(c, "plate", "12C-001.23").await?;
    fill(c, "goods_description", "Thuốc lá điếu Jet").await?;
    select(c, "goods_category", "cigarettes").await?;
    fill(c, "goods_quantity", "300").await?;
    fill(c, "goods_unit", "bao").await?;
    fill(c, "goods_value_vnd", "7500000").await?;
    fill(c, "party_name", "Trần Văn Bình").await?;
    fill(c, "party_cccd", "12345").await?;
    select(c, "tlp", "amber").await?;
    c.find(Locator::Css("input[name=share][value='agency:border-guard-vn']"))
        .await
        .map_err(|e| e.to_string())?
        .click()
        .await
        .map_err(|e| e.to_string())?;
    c.find(Locator::Css("form.stack button[type=submit]")).await.map_err(|e| e.to_string())?.click().await.map_err(|e| e.to_string())?;
    // A bad CCCD: the form comes back with the message next to the field, and the values kept.
    arrive(c, "/cases/new", "#party_cccd-error").await?;
    let err = text_of(c, "#party_cccd-error").await?;
    ensure!(err.contains("12"), "the CCCD error says what is expected: {err:?}");
    ensure!(c.find(Locator::Css("#party_cccd[aria-invalid=true]")).await.is_ok(), "the field is marked invalid");
    let kept = c.find(Locator::Id("title")).await.map_err(|e| e.to_string())?.prop("value").await.map_err(|e| e.to_string())?;
    ensure!(kept.as_deref() == Some("Thu giữ 300 bao thuốc lá Jet tại cửa khẩu Hữu Nghị"), "values survive a refusal: {kept:?}");
    shot(c, "02-validation").await;
    fill(c, "party_cccd", "020085012345").await?;
    c.execute("document.getElementById('detected_at').value = '2026-01-15T07:30'; return null;", vec![])
        .await
        .map_err(|e| e.to_string())?;
    c.find(Locator::Css("form.stack button[type=submit]")).await.map_err(|e| e.to_string())?.click().await.map_err(|e| e.to_string())?;
    arrive(c, "/cases/", "#case-value").await?;
    let h1 = text_of(c, "h1").await?;
    ensure!(h1.starts_with("VV-LANGSON-2026-") && h1.contains("thuốc lá Jet"), "the new case's page: {h1:?}");
    let value = text_of(c, "#case-value").await?;
    ensure!(value == "7.500.000 ₫", "money in Vietnamese format: {value:?}");
    let parties = text_of(c, "#parties").await?;
    ensure!(parties.contains("Trần Văn Bình") && parties.contains("020085012345"), "{parties:?}");
    let shared = text_of(c, "#shared-with").await?;
    ensure!(shared.contains("TLP:AMBER") && shared.contains("agency:border-guard-vn"), "{shared:?}");
    shot(c, "03-case-detail").await;

    // Found again without diacritics.
    c.goto(&format!("{base}/cases")).await.map_err(|e| e.to_string())?;
    fill(c, "q", "thuoc la jet").await?;
    c.find(Locator::Css("form.filters button")).await.map_err(|e| e.to_string())?.click().await.map_err(|e| e.to_string())?;
    arrive(c, "q=thuoc", "#case-table").await?;
    let table = text_of(c, "#case-table").await?;
    ensure!(table.contains("Thu giữ 300 bao thuốc lá Jet"), "search without diacritics finds it: {table:?}");
    shot(c, "04-search").await;
    logout(c).await?;

    // The border guard sees it, with the party withheld (no agreement); market surveillance does not.
    login(c, base, "bp.langson").await?;
    c.goto(&format!("{base}/cases?q=thuoc+la+jet")).await.map_err(|e| e.to_string())?;
    let table = text_of(c, "#case-table").await?;
    ensure!(table.contains("thuốc lá Jet"), "shared with the border guard: {table:?}");
    c.find(Locator::Css("#case-table a")).await.map_err(|e| e.to_string())?.click().await.map_err(|e| e.to_string())?;
    arrive(c, "/cases/", "#parties").await?;
    let parties = text_of(c, "#parties").await?;
    ensure!(!parties.contains("Trần Văn Bình") && !parties.contains("020085012345"), "personal identifiers withheld: {parties:?}");
    shot(c, "05-border-guard-view").await;
    logout(c).await?;
    login(c, base, "qltt.langson").await?;
    c.goto(&format!("{base}/cases?q=thuoc+la+jet")).await.map_err(|e| e.to_string())?;
    ensure!(c.find(Locator::Id("no-cases")).await.is_ok(), "market surveillance does not find it");
    shot(c, "06-market-surveillance-view").await;

    // Language switch, kept on the account.
    c.find(Locator::Css("form[action='/language'] button")).await.map_err(|e| e.to_string())?.click().await.map_err(|e| e.to_string())?;
    text_becomes(c, "h1", "Cases").await?;
    c.goto(base).await.map_err(|e| e.to_string())?;
    text_becomes(c, "h1", "Unit dashboard").await?;
    shot(c, "07-english").await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_user_records_shares_and_finds_a_seizure() {
    let Some((_driver, c)) = start_browser().await else { return };
    let s = TestServer::start(Backend::Sqlite).await.expect("server");
    s.user("hq.huunghi", ("customs-vn", "customs"), "customs-huu-nghi", &["officer"]).await;
    s.user("bp.langson", ("border-guard-vn", "border_guard"), "bg-lang-son", &["officer"]).await;
    s.user("qltt.langson", ("market-vn", "market_surveillance"), "qltt-lang-son", &["officer"]).await;
    let result = scenario(&c, &s.base).await;
    if result.is_err() {
        shot(&c, "failure").await;
    }
    let _ = c.close().await;
    if let Err(e) = result {
        panic!("{e} (screenshots in test-artifacts/)");
    }
}

/// Waits (up to 15 s) until an element matching `css` reads `text`, without navigating.
async fn appears(c: &Client, css: &str, text: &str) -> Step {
    for _ in 0..150 {
        if let Ok(found) = c.find_all(Locator::Css(css)).await {
            for e in found {
                if e.text().await.is_ok_and(|t| t == text) {
                    return Ok(());
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("{css} never showed {text:?}"))
}

async fn click(c: &Client, css: &str) -> Step {
    c.find(Locator::Css(css)).await.map_err(|e| format!("{css}: {e}"))?.click().await.map_err(|e| format!("{css}: {e}"))
}

async fn live_scenario(sender: &Client, receiver: &Client, base: &str) -> Step {
    const TITLE: &str = "Cảnh báo khẩn: xe 12C-001.23 rời cửa khẩu Hữu Nghị";
    // The border guard's head has the inbox open; the page remembers it was not reloaded.
    login(receiver, base, "bp.head").await?;
    receiver.goto(&format!("{base}/notices")).await.map_err(|e| e.to_string())?;
    arrive(receiver, "/notices", "#live-notices").await?;
    receiver.execute("window.cordonStayed = 'yes'; return null;", vec![]).await.map_err(|e| e.to_string())?;

    // Customs raises an urgent alert to the border guard from the form.
    login(sender, base, "hq.huunghi").await?;
    sender.goto(&format!("{base}/notices/new")).await.map_err(|e| e.to_string())?;
    arrive(sender, "/notices/new", "#raise-notice").await?;
    select(sender, "kind", "urgent_alert").await?;
    select(sender, "priority", "urgent").await?;
    fill(sender, "title", TITLE).await?;
    fill(sender, "body", "Xe tải nghi chở thuốc lá lậu đi về hướng Đồng Đăng.").await?;
    click(sender, "input[name=recipient_units][value='bg-lang-son']").await?;
    shot(sender, "11-raise-notice").await;
    click(sender, "#raise-notice button[type=submit]").await?;
    arrive(sender, "/notices/", "#recipients-table").await?;
    let status = text_of(sender, "#recipients-table tr[data-unit='bg-lang-son'] td.status").await?;
    ensure!(status == "Quá hạn, đã chuyển lên" || status == "Chờ quyết định", "raised and pending: {status:?}");

    // It arrives live in the open inbox, without a reload.
    appears(receiver, "#live-notices li.live-notice a", TITLE).await?;
    let stayed = receiver.execute("return window.cordonStayed || null;", vec![]).await.map_err(|e| e.to_string())?;
    ensure!(stayed == serde_json::json!("yes"), "the inbox was not reloaded: {stayed}");
    shot(receiver, "12-received-live").await;

    // The head opens it and acknowledges it; both sides see it acknowledged.
    click(receiver, "#live-notices li.live-notice a").await?;
    arrive(receiver, "/notices/", "#ack").await?;
    click(receiver, "#ack button[type=submit]").await?;
    arrive(receiver, "/notices/", "#report").await?;
    text_becomes(receiver, "#recipients-table tr[data-unit='bg-lang-son'] td.status", "Đã xác nhận").await?;
    shot(receiver, "13-acknowledged").await;
    sender.refresh().await.map_err(|e| e.to_string())?;
    text_becomes(sender, "#recipients-table tr[data-unit='bg-lang-son'] td.status", "Đã xác nhận").await?;
    shot(sender, "14-sender-sees-acknowledgement").await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notice_raised_in_one_browser_arrives_live_in_another_and_is_acknowledged() {
    let Some((_driver_a, sender)) = start_browser().await else { return };
    let Some((_driver_b, receiver)) = start_browser().await else { return };
    let s = TestServer::start(Backend::Sqlite).await.expect("server");
    s.user("hq.huunghi", ("customs-vn", "customs"), "customs-huu-nghi", &["officer"]).await;
    // Nobody is on the border guard's duty roster: the notice goes to the unit head.
    s.user("bp.head", ("border-guard-vn", "border_guard"), "bg-lang-son", &["unit_head", "officer"]).await;
    s.agreement("customs-vn", "border-guard-vn").await;
    let worker = s.app.start_delivery().await.expect("delivery workers");
    let result = live_scenario(&sender, &receiver, &s.base).await;
    if result.is_err() {
        shot(&sender, "failure-sender").await;
        shot(&receiver, "failure-receiver").await;
    }
    let _ = sender.close().await;
    let _ = receiver.close().await;
    worker.stop().await;
    if let Err(e) = result {
        panic!("{e} (screenshots in test-artifacts/)");
    }
}
