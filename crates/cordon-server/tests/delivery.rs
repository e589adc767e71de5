//! Delivery of notices over HTTP on SQLite and PostgreSQL: duty rosters deciding who a notice
//! goes to (on the injected clock), the transactional outbox and its workers, e-mail to a real
//! SMTP server started here, the SMS/phone/fax gateway against a local receiver that fails
//! first, a restart in the middle of delivery, and the live event stream.
//!
//! **The guarantee tested is at-least-once delivery with de-duplication by the receiver:**
//! after a restart mid-send, what the receivers had taken but the server had not yet recorded
//! is sent again, with the same key (e-mail `Message-ID`, gateway `Idempotency-Key`, both
//! built from the notice id, the event and the person); the receivers here de-duplicate by
//! that key and end with every notice exactly once per channel and person.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use cordon_app::{DeliverySettings, GatewaySettings, SmtpSettings};
use serde_json::{json, Value};
use test_support::{both_backends, Backend, Client, TestServer, T0};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

both_backends!(
    duty_rosters_decide_who_a_notice_goes_to,
    email_reaches_a_real_smtp_server,
    the_gateway_is_retried_with_backoff_until_it_accepts,
    deliveries_survive_a_restart_and_reach_each_person_once,
    the_event_stream_receives_a_raised_notice,
    scheduled_reports_are_emailed_once_each_period_ends,
);

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;

async fn people(s: &TestServer) {
    s.user("hq.sender", ("customs-vn", "customs"), "customs-huu-nghi", &["officer"]).await;
    s.user("ca.day", ("police-vn", "police"), "police-lang-son", &["officer"]).await;
    s.user("ca.night", ("police-vn", "police"), "police-lang-son", &["officer"]).await;
    s.user("ca.head", ("police-vn", "police"), "police-lang-son", &["unit_head", "officer"]).await;
    s.user("ca.deputy", ("police-vn", "police"), "police-lang-son", &["deputy_head", "officer"]).await;
    s.user("qltt.officer", ("market-vn", "market_surveillance"), "qltt-lang-son", &["officer"]).await;
    s.user("admin", ("sco-389", "steering_committee_office"), "sco-hq", &["administrator"]).await;
    s.agreement("customs-vn", "police-vn").await;
    s.agreement("customs-vn", "market-vn").await;
}

async fn id_of(s: &TestServer, username: &str) -> String {
    s.app.actor_for_operator(username).await.unwrap().user.id
}

async fn shift(head: &Client, user_id: &str, from: i64, to: i64) -> Value {
    let (status, body) = head
        .post("/api/v1/units/police-lang-son/duty", json!({ "user_id": user_id, "starts_at": from, "ends_at": to, "note": "Trực ban" }))
        .await;
    assert_eq!(status, 201, "{body}");
    body
}

async fn raise(sender: &Client, title: &str, units: &[&str]) -> String {
    let (status, n) = sender
        .post("/api/v1/notices", json!({ "kind": "urgent_alert", "priority": "urgent", "title": title, "body": "Xe tải 12C-001.23 hướng Đồng Đăng.", "recipient_units": units }))
        .await;
    assert_eq!(status, 201, "{n}");
    n["id"].as_str().unwrap().to_string()
}

async fn deliveries(c: &Client, id: &str) -> Value {
    let (status, d) = c.get(&format!("/api/v1/notices/{id}/deliveries")).await;
    assert_eq!(status, 200, "{d}");
    d
}

fn route<'a>(d: &'a Value, unit: &str, event: &str) -> &'a Value {
    d["routes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["unit_id"] == unit && r["event"] == event)
        .unwrap_or_else(|| panic!("no {event} route to {unit}: {d}"))
}

fn jobs<'a>(d: &'a Value, channel: &str) -> Vec<&'a Value> {
    d["jobs"].as_array().unwrap().iter().filter(|j| j["channel"] == channel).collect()
}

/// Polls `check` every 25 ms until it holds, for at most 15 s.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..600 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("timed out waiting until {what}");
}

fn quick(smtp: Option<SmtpSettings>, gateway: Option<GatewaySettings>) -> DeliverySettings {
    DeliverySettings { smtp, gateway, poll_ms: 25, send_timeout_ms: 10_000, ..Default::default() }
}

async fn duty_rosters_decide_who_a_notice_goes_to(s: TestServer) {
    people(&s).await;
    let (day, night, head_id, deputy_id) =
        (id_of(&s, "ca.day").await, id_of(&s, "ca.night").await, id_of(&s, "ca.head").await, id_of(&s, "ca.deputy").await);
    let (head, officer, sender) = (s.login("ca.head").await, s.login("ca.day").await, s.login("hq.sender").await);

    // The head enters the roster: days 08:00-20:00, nights 20:00-08:00.
    shift(&head, &day, T0, T0 + 12 * HOUR).await;
    let night_shift = shift(&head, &night, T0 + 12 * HOUR, T0 + 24 * HOUR).await;
    // Only the unit's head or deputy, or an administrator, keeps it; and only with good input.
    let body = json!({ "user_id": day, "starts_at": T0, "ends_at": T0 + HOUR });
    assert_eq!(officer.post("/api/v1/units/police-lang-son/duty", body.clone()).await.0, 403);
    assert_eq!(sender.post("/api/v1/units/police-lang-son/duty", body.clone()).await.0, 403);
    assert_eq!(s.login("admin").await.post("/api/v1/units/no-such-unit/duty", body.clone()).await.0, 404);
    let sender_id = id_of(&s, "hq.sender").await;
    for (bad, field) in [
        (json!({ "user_id": sender_id, "starts_at": T0, "ends_at": T0 + HOUR }), "user_id"),
        (json!({ "user_id": day, "starts_at": T0 + HOUR, "ends_at": T0 }), "ends_at"),
        (json!({ "user_id": day, "starts_at": T0 - 2 * HOUR, "ends_at": T0 - HOUR }), "ends_at"),
        (json!({ "user_id": day, "starts_at": T0, "ends_at": T0 + 40 * 24 * HOUR }), "ends_at"),
    ] {
        let (status, problem) = head.post("/api/v1/units/police-lang-son/duty", bad).await;
        assert_eq!((status, problem["field"].as_str()), (422, Some(field)), "{problem}");
    }
    // The unit reads its roster; another unit does not.
    let (status, roster) = officer.get("/api/v1/units/police-lang-son/duty").await;
    assert_eq!(status, 200, "{roster}");
    assert_eq!(roster["on_duty_now"], json!([day]));
    assert_eq!(roster["shifts"].as_array().unwrap().len(), 2);
    assert_eq!(sender.get("/api/v1/units/police-lang-son/duty").await.0, 403);

    // 09:00: to the day officer. The market surveillance unit has nobody on duty and no head.
    s.clock.advance(HOUR);
    let first = raise(&sender, "Cảnh báo 09:00", &["police-lang-son", "qltt-lang-son"]).await;
    let d = deliveries(&sender, &first).await;
    let police = route(&d, "police-lang-son", "raise");
    assert_eq!(police["user_ids"], json!([day]));
    assert!(police["note"].as_str().unwrap().starts_with("on duty"), "{police}");
    let market = route(&d, "qltt-lang-son", "raise");
    assert_eq!(market["user_ids"], json!([]));
    assert!(market["note"].as_str().unwrap().contains("nobody on duty"), "visible on the notice: {market}");
    let live = jobs(&d, "live");
    assert_eq!(live.len(), 1, "one live delivery, to the day officer: {d}");
    assert_eq!((live[0]["user_id"].as_str(), live[0]["status"].as_str()), (Some(day.as_str()), Some("pending")), "written with the notice");

    // 21:00: to the night officer.
    s.clock.advance(12 * HOUR);
    let second = raise(&sender, "Cảnh báo 21:00", &["police-lang-son"]).await;
    assert_eq!(route(&deliveries(&sender, &second).await, "police-lang-son", "raise")["user_ids"], json!([night]));

    // The night shift is taken off the roster: nobody on duty, so the head, and the notice says so.
    let url = format!("{}/api/v1/units/police-lang-son/duty/{}", s.base, night_shift["id"].as_str().unwrap());
    assert_eq!(officer.send(officer.http.delete(&url)).await.status(), 403);
    assert_eq!(head.send(head.http.delete(&url)).await.status(), 204);
    assert_eq!(head.send(head.http.delete(&url)).await.status(), 404, "once");
    let third = raise(&sender, "Cảnh báo 21:00 (2)", &["police-lang-son"]).await;
    let r = deliveries(&sender, &third).await;
    let r = route(&r, "police-lang-son", "raise");
    assert_eq!(r["user_ids"], json!([head_id]));
    assert!(r["note"].as_str().unwrap().starts_with("nobody on duty: to the unit head"), "{r}");

    // The head delegates to the deputy: with nobody on duty, to the deputy, naming the delegation.
    let now = T0 + 13 * HOUR;
    let (status, delegation) = head
        .post("/api/v1/delegations", json!({ "to_user_id": deputy_id, "starts_at": now, "ends_at": now + 24 * HOUR, "reason": "Công tác" }))
        .await;
    assert_eq!(status, 201, "{delegation}");
    let fourth = raise(&sender, "Cảnh báo 21:00 (3)", &["police-lang-son"]).await;
    let d = deliveries(&sender, &fourth).await;
    let r = route(&d, "police-lang-son", "raise");
    assert_eq!(r["user_ids"], json!([deputy_id]));
    assert!(r["note"].as_str().unwrap().contains(delegation["id"].as_str().unwrap()), "{r}");

    // Not acknowledged in ten minutes: the escalation's deliveries are written with it.
    s.clock.advance(11 * MINUTE);
    assert!(s.app.escalate_overdue_notices().await.unwrap() >= 1);
    let d = deliveries(&sender, &fourth).await;
    let e = route(&d, "police-lang-son", "escalate");
    assert_eq!(e["user_ids"], json!([deputy_id]));
    assert!(d["jobs"].as_array().unwrap().iter().any(|j| j["event"] == "escalate" && j["user_id"] == json!(deputy_id)), "{d}");

    // Those party to the notice see its deliveries; nobody else learns it exists.
    assert_eq!(s.login("ca.deputy").await.get(&format!("/api/v1/notices/{fourth}/deliveries")).await.0, 200);
    s.user("hq.other", ("customs-vn", "customs"), "customs-mong-cai", &["officer"]).await;
    assert_eq!(s.login("hq.other").await.get(&format!("/api/v1/notices/{fourth}/deliveries")).await.0, 404);
    assert_eq!(s.login("hq.other").await.get("/api/v1/notices/nope/deliveries").await.0, 404);
}

// ---- a tiny SMTP server that records what it is sent ----

#[derive(Debug, Clone)]
struct Mail {
    from: String,
    to: Vec<String>,
    data: String,
}

impl Mail {
    fn header(&self, name: &str) -> Option<String> {
        let prefix = format!("{}:", name.to_ascii_lowercase());
        self.data
            .lines()
            .take_while(|l| !l.is_empty())
            .find(|l| l.to_ascii_lowercase().starts_with(&prefix))
            .map(|l| l[prefix.len()..].trim().to_string())
    }

    fn body_text(&self) -> String {
        let body: String = self.data.split("\r\n\r\n").nth(1).unwrap_or_default().split("\r\n").collect();
        String::from_utf8(base64::engine::general_purpose::STANDARD.decode(body.trim()).unwrap()).unwrap()
    }
}

#[derive(Default)]
struct SmtpLog {
    mails: Mutex<Vec<Mail>>,
    /// How many more messages to take without ever confirming them (a server "hanging" after DATA).
    hang: AtomicUsize,
}

async fn smtp_server(log: Arc<SmtpLog>) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((conn, _)) = listener.accept().await {
            let log = log.clone();
            tokio::spawn(async move {
                let (r, mut w) = conn.into_split();
                let mut r = BufReader::new(r);
                w.write_all(b"220 test.local ESMTP\r\n").await.unwrap();
                let (mut from, mut to) = (String::new(), Vec::new());
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let upper = line.to_ascii_uppercase();
                    if upper.starts_with("EHLO") {
                        w.write_all(b"250-test.local\r\n250 8BITMIME\r\n").await.unwrap();
                    } else if upper.starts_with("MAIL FROM:") {
                        from = line[10..].trim().trim_matches(['<', '>']).to_string();
                        w.write_all(b"250 OK\r\n").await.unwrap();
                    } else if upper.starts_with("RCPT TO:") {
                        to.push(line[8..].trim().trim_matches(['<', '>']).to_string());
                        w.write_all(b"250 OK\r\n").await.unwrap();
                    } else if upper.starts_with("DATA") {
                        w.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await.unwrap();
                        let mut data = String::new();
                        loop {
                            let mut l = String::new();
                            if r.read_line(&mut l).await.unwrap_or(0) == 0 {
                                return;
                            }
                            if l == ".\r\n" {
                                break;
                            }
                            data.push_str(l.strip_prefix('.').unwrap_or(&l));
                        }
                        log.mails.lock().unwrap().push(Mail { from: from.clone(), to: to.clone(), data });
                        let hang = log.hang.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |h| h.checked_sub(1)).is_ok();
                        if hang {
                            // Taken, never confirmed: wait for the sender to go away.
                            let mut rest = String::new();
                            while r.read_line(&mut rest).await.unwrap_or(0) > 0 {}
                            return;
                        }
                        w.write_all(b"250 Queued\r\n").await.unwrap();
                    } else if upper.starts_with("QUIT") {
                        w.write_all(b"221 Bye\r\n").await.unwrap();
                        return;
                    } else {
                        w.write_all(b"500 What?\r\n").await.unwrap();
                    }
                }
            });
        }
    });
    port
}

async fn contact(s: &TestServer, username: &str, email: Option<&str>, phone: Option<&str>) {
    let c = s.login(username).await;
    let id = id_of(s, username).await;
    let resp = c.send(c.http.put(format!("{}/api/v1/users/{id}/contact", s.base)).json(&json!({ "email": email, "phone": phone }))).await;
    assert_eq!(resp.status(), 200);
}

async fn email_reaches_a_real_smtp_server(s: TestServer) {
    people(&s).await;
    let log = Arc::new(SmtpLog::default());
    let port = smtp_server(log.clone()).await;
    s.app
        .configure_delivery(quick(Some(SmtpSettings { host: "127.0.0.1".into(), port, from: "canhbao@haiquan.gov.vn".into() }), None))
        .unwrap();
    let (day, night) = (id_of(&s, "ca.day").await, id_of(&s, "ca.night").await);
    contact(&s, "ca.day", Some("ca.day@bocongan.gov.vn"), None).await;
    // Contact details are one's own (or an administrator's to set), and checked.
    let day_client = s.login("ca.day").await;
    let put = |c: &Client, id: &str, body: Value| c.http.put(format!("{}/api/v1/users/{id}/contact", s.base)).json(&body);
    assert_eq!(day_client.send(put(&day_client, &night, json!({ "email": "x@y.vn" }))).await.status(), 403);
    let bad = day_client.send(put(&day_client, &day, json!({ "email": "ca.day@bocongan.gov.vn>\r\nRCPT TO:<x@y.vn" }))).await;
    assert_eq!(bad.status(), 422);
    let head = s.login("ca.head").await;
    shift(&head, &day, T0, T0 + 12 * HOUR).await;
    shift(&head, &night, T0, T0 + 12 * HOUR).await;

    let sender = s.login("hq.sender").await;
    let id = raise(&sender, "Truy đuổi xe tải 12C-001.23", &["police-lang-son"]).await;
    let worker = s.app.start_delivery().await.unwrap();
    eventually("the e-mail is sent", || async { jobs(&deliveries(&sender, &id).await, "email").iter().any(|j| j["status"] == "sent") })
        .await;
    worker.stop().await;

    let mails = log.mails.lock().unwrap().clone();
    assert_eq!(mails.len(), 1, "one e-mail: the night officer has no address");
    let m = &mails[0];
    assert_eq!((m.from.as_str(), m.to.clone()), ("canhbao@haiquan.gov.vn", vec!["ca.day@bocongan.gov.vn".to_string()]));
    assert_eq!(m.header("X-Cordon-Notice").as_deref(), Some(id.as_str()));
    assert!(m.header("Message-ID").unwrap().starts_with(&format!("<{id}.raise.{day}@")), "{:?}", m.header("Message-ID"));
    let text = m.body_text();
    assert!(text.contains("Truy đuổi xe tải 12C-001.23") && text.contains("Xe tải 12C-001.23 hướng Đồng Đăng."), "{text}");

    let d = deliveries(&sender, &id).await;
    let email = jobs(&d, "email");
    let sent = email.iter().find(|j| j["user_id"] == json!(day)).unwrap();
    assert_eq!((sent["attempts"].as_i64(), sent["history"][0]["status"].as_str()), (Some(1), Some("sent")), "{sent}");
    let missing = email.iter().find(|j| j["user_id"] == json!(night)).unwrap();
    assert_eq!(missing["status"], "undeliverable", "{missing}");
    assert!(missing["last_error"].as_str().unwrap().contains("no e-mail address"), "the gap shows on the notice");
    assert!(jobs(&d, "live").iter().all(|j| j["status"] == "sent"), "live went too: {d}");
}

// ---- a gateway that fails its first requests ----

#[derive(Default)]
struct GatewayLog {
    /// (Idempotency-Key, X-Cordon-Notice, JSON body) of every request, answered or not.
    requests: Mutex<Vec<(String, String, Value)>>,
    fail_first: AtomicUsize,
    hang: AtomicUsize,
}

async fn gateway_receiver(log: Arc<GatewayLog>) -> String {
    use axum::http::{HeaderMap, StatusCode};
    let app = axum::Router::new().route(
        "/notify",
        axum::routing::post(move |headers: HeaderMap, axum::Json(body): axum::Json<Value>| {
            let log = log.clone();
            async move {
                let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
                log.requests.lock().unwrap().push((h("idempotency-key"), h("x-cordon-notice"), body));
                if log.hang.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok() {
                    std::future::pending::<()>().await;
                }
                if log.fail_first.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok() {
                    return StatusCode::SERVICE_UNAVAILABLE;
                }
                StatusCode::ACCEPTED
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/notify", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

async fn the_gateway_is_retried_with_backoff_until_it_accepts(s: TestServer) {
    people(&s).await;
    let log = Arc::new(GatewayLog { fail_first: AtomicUsize::new(2), ..Default::default() });
    let url = gateway_receiver(log.clone()).await;
    // E-mail goes to a relay that is down: it fails beside the gateway, and blocks nothing.
    let dead = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dead_port = dead.local_addr().unwrap().port();
    drop(dead);
    s.app
        .configure_delivery(quick(
            Some(SmtpSettings { host: "127.0.0.1".into(), port: dead_port, from: "canhbao@haiquan.gov.vn".into() }),
            Some(GatewaySettings { url, token: None }),
        ))
        .unwrap();
    let day = id_of(&s, "ca.day").await;
    contact(&s, "ca.day", Some("ca.day@bocongan.gov.vn"), Some("+84 912 345 678")).await;
    shift(&s.login("ca.head").await, &day, T0, T0 + 12 * HOUR).await;
    let sender = s.login("hq.sender").await;
    let id = raise(&sender, "Yêu cầu hỗ trợ chốt chặn", &["police-lang-son"]).await;
    let worker = s.app.start_delivery().await.unwrap();

    let gateway_job = |d: &Value| jobs(d, "gateway")[0].clone();
    eventually("the first gateway attempt fails", || async {
        gateway_job(&deliveries(&sender, &id).await)["attempts"] == 1
            && gateway_job(&deliveries(&sender, &id).await)["history"][0]["status"] == "failed"
    })
    .await;
    let d = deliveries(&sender, &id).await;
    let g = gateway_job(&d);
    assert_eq!(g["status"], "pending");
    assert_eq!(g["next_attempt_at"].as_i64().unwrap(), T0 + 5_000, "retried 5 s on: {g}");
    assert!(g["history"][0]["error"].as_str().unwrap().contains("503"), "{g}");
    assert!(jobs(&d, "live").iter().all(|j| j["status"] == "sent"), "the live channel went meanwhile: {d}");

    // 5 s on by the app's clock: the second attempt fails too; the wait doubles.
    s.clock.advance(5_000);
    eventually("the second attempt fails", || async {
        gateway_job(&deliveries(&sender, &id).await)["attempts"] == 2
            && gateway_job(&deliveries(&sender, &id).await)["history"][1]["status"] == "failed"
    })
    .await;
    assert_eq!(gateway_job(&deliveries(&sender, &id).await)["next_attempt_at"].as_i64().unwrap(), T0 + 5_000 + 10_000);
    s.clock.advance(9_000);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(gateway_job(&deliveries(&sender, &id).await)["attempts"], 2, "not before its time");
    s.clock.advance(1_000);
    eventually("the gateway accepts", || async { gateway_job(&deliveries(&sender, &id).await)["status"] == "sent" }).await;
    worker.stop().await;

    let g = gateway_job(&deliveries(&sender, &id).await);
    let history: Vec<&str> = g["history"].as_array().unwrap().iter().map(|a| a["status"].as_str().unwrap()).collect();
    assert_eq!(history, ["failed", "failed", "sent"]);
    let requests = log.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 3);
    let key = format!("{id}:raise:{day}");
    assert!(
        requests.iter().all(|(k, notice, body)| k == &key && notice == &id && body["recipient"]["phone"] == "+84912345678"),
        "{requests:?}"
    );
    // The e-mail relay is down: its job is pending a retry, recorded, and held up nothing.
    let d = deliveries(&sender, &id).await;
    let e = jobs(&d, "email")[0];
    assert_eq!(e["status"], "pending");
    assert!(
        e["history"].as_array().unwrap().iter().all(|a| a["status"] == "failed")
            && e["last_error"].as_str().unwrap().contains("SMTP connect"),
        "{e}"
    );
}

async fn deliveries_survive_a_restart_and_reach_each_person_once(s: TestServer) {
    people(&s).await;
    let smtp_log = Arc::new(SmtpLog { hang: AtomicUsize::new(2), ..Default::default() });
    let smtp_port = smtp_server(smtp_log.clone()).await;
    let gateway_log = Arc::new(GatewayLog { hang: AtomicUsize::new(2), ..Default::default() });
    let url = gateway_receiver(gateway_log.clone()).await;
    let settings = quick(
        Some(SmtpSettings { host: "127.0.0.1".into(), port: smtp_port, from: "canhbao@haiquan.gov.vn".into() }),
        Some(GatewaySettings { url, token: None }),
    );
    s.app.configure_delivery(settings.clone()).unwrap();
    let (day, night) = (id_of(&s, "ca.day").await, id_of(&s, "ca.night").await);
    contact(&s, "ca.day", Some("ca.day@bocongan.gov.vn"), Some("0912345678")).await;
    contact(&s, "ca.night", Some("ca.night@bocongan.gov.vn"), Some("0987654321")).await;
    let head = s.login("ca.head").await;
    shift(&head, &day, T0, T0 + 12 * HOUR).await;
    shift(&head, &night, T0, T0 + 12 * HOUR).await;
    let sender = s.login("hq.sender").await;
    let mut ids = Vec::new();
    for i in 0..3 {
        ids.push(raise(&sender, &format!("Cảnh báo số {i}"), &["police-lang-son"]).await);
    }

    // Two e-mails and two gateway calls are taken by the receivers but never confirmed; the
    // server stops in the middle of them, as a crash would.
    let worker = s.app.start_delivery().await.unwrap();
    let sent_of = |d: &Value, channel: &str| jobs(d, channel).iter().filter(|j| j["status"] == "sent").count();
    eventually("all but the four hanging deliveries are sent", || {
        let (sender, ids) = (sender.clone(), ids.clone());
        async move {
            let (mut email, mut gateway) = (0, 0);
            for id in &ids {
                let d = deliveries(&sender, id).await;
                email += sent_of(&d, "email");
                gateway += sent_of(&d, "gateway");
            }
            email == 4 && gateway == 4
        }
    })
    .await;
    eventually("the receivers hold the hanging ones", || async {
        smtp_log.mails.lock().unwrap().len() == 6 && gateway_log.requests.lock().unwrap().len() == 6
    })
    .await;
    worker.abort();
    let postgres = matches!(s.target, cordon_store::StoreTarget::Postgres(_));
    let s = s.restart().await;
    // SQLite: one process owns the file, so a restart takes up at once what was under way.
    // PostgreSQL: another server may be alive, so the jobs wait for their lease to lapse.
    if postgres {
        s.clock.advance(121_000);
    }
    s.app.configure_delivery(settings).unwrap();
    let worker = s.app.start_delivery().await.unwrap();
    let sender = s.login("hq.sender").await;
    eventually("every delivery is sent", || {
        let (sender, ids) = (sender.clone(), ids.clone());
        async move {
            for id in &ids {
                if deliveries(&sender, id).await["jobs"].as_array().unwrap().iter().any(|j| j["status"] != "sent") {
                    return false;
                }
            }
            true
        }
    })
    .await;
    worker.stop().await;

    // The receivers got the four interrupted ones twice, with the same key; de-duplicated by
    // it, every notice reached every person on duty exactly once per channel.
    let expected: BTreeSet<(String, String)> = ids.iter().flat_map(|id| [(id.clone(), day.clone()), (id.clone(), night.clone())]).collect();
    let mails = smtp_log.mails.lock().unwrap().clone();
    assert_eq!(mails.len(), 6 + 2, "at least once: the two unconfirmed e-mails came again");
    let mut by_message_id: HashMap<String, (String, String)> = HashMap::new();
    for m in &mails {
        let to_user = if m.to[0].starts_with("ca.day") { day.clone() } else { night.clone() };
        by_message_id.insert(m.header("Message-ID").unwrap(), (m.header("X-Cordon-Notice").unwrap(), to_user));
    }
    assert_eq!(by_message_id.values().cloned().collect::<BTreeSet<_>>(), expected, "exactly once each, by Message-ID");
    assert_eq!(by_message_id.len(), 6);
    let requests = gateway_log.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 6 + 2);
    let by_key: BTreeSet<(String, String)> = requests
        .iter()
        .map(|(key, notice, body)| {
            assert!(key.starts_with(notice.as_str()));
            (notice.clone(), body["recipient"]["user_id"].as_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(by_key, expected, "exactly once each, by Idempotency-Key");
    assert_eq!(requests.iter().map(|r| r.0.clone()).collect::<BTreeSet<_>>().len(), 6);

    // The interrupted attempts are on the record, followed by the one that went through.
    let mut interrupted = 0;
    for id in &ids {
        for j in deliveries(&sender, id).await["jobs"].as_array().unwrap() {
            let history: Vec<&str> = j["history"].as_array().unwrap().iter().map(|a| a["status"].as_str().unwrap()).collect();
            match history.as_slice() {
                ["sent"] => {}
                ["interrupted", "sent"] => interrupted += 1,
                other => panic!("unexpected history {other:?} in {j}"),
            }
        }
    }
    assert_eq!(interrupted, 4);
}

/// Reads a server-sent event stream until an event named `notice` whose data satisfies `want`.
async fn next_notice(resp: &mut reqwest::Response, buffer: &mut String, within: Duration) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            if block.lines().any(|l| l == "event: notice") {
                let data: String = block.lines().filter_map(|l| l.strip_prefix("data: ")).collect();
                return Some(serde_json::from_str(&data).unwrap());
            }
        }
        match tokio::time::timeout_at(deadline, resp.chunk()).await {
            Ok(Ok(Some(bytes))) => buffer.push_str(&String::from_utf8_lossy(&bytes)),
            Ok(_) => panic!("the stream ended"),
            Err(_) => return None,
        }
    }
}

async fn open_stream(c: &Client) -> reqwest::Response {
    let resp = c.send(c.http.get(format!("{}/api/v1/notices/stream", c.base))).await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    resp
}

async fn the_event_stream_receives_a_raised_notice(s: TestServer) {
    people(&s).await;
    let day = id_of(&s, "ca.day").await;
    shift(&s.login("ca.head").await, &day, T0, T0 + 12 * HOUR).await;
    s.app.configure_delivery(quick(None, None)).unwrap();
    let worker = s.app.start_delivery().await.unwrap();
    let (on_duty, off_duty) = (s.login("ca.day").await, s.login("ca.night").await);
    let (mut stream, mut off_stream) = (open_stream(&on_duty).await, open_stream(&off_duty).await);
    assert_eq!(s.anonymous().get("/api/v1/notices/stream").await.0, 401);

    let sender = s.login("hq.sender").await;
    let id = raise(&sender, "Cảnh báo khẩn: xe tải 12C-001.23", &["police-lang-son"]).await;
    let mut buffer = String::new();
    let got = next_notice(&mut stream, &mut buffer, Duration::from_secs(10)).await.expect("the on-duty officer is told live");
    assert_eq!(
        (got["notice_id"].as_str(), got["event"].as_str(), got["priority"].as_str()),
        (Some(id.as_str()), Some("raise"), Some("urgent"))
    );
    assert_eq!(got["delivery_key"], json!(format!("{id}:raise:{day}")));
    assert_eq!(got["title"], "Cảnh báo khẩn: xe tải 12C-001.23");
    let mut other = String::new();
    assert!(next_notice(&mut off_stream, &mut other, Duration::from_millis(300)).await.is_none(), "an officer off duty is not");

    // With PostgreSQL, a client connected to another server behind the same address hears it too.
    if matches!(s.target, cordon_store::StoreTarget::Postgres(_)) {
        let second = s.second_instance().await;
        second.app.configure_delivery(quick(None, None)).unwrap();
        let second_worker = second.app.start_delivery().await.unwrap();
        let on_second = Client { base: second.base.clone(), ..on_duty.clone() };
        let mut far = open_stream(&on_second).await;
        let again = raise(&sender, "Cảnh báo thứ hai", &["police-lang-son"]).await;
        let mut far_buffer = String::new();
        let got = next_notice(&mut far, &mut far_buffer, Duration::from_secs(10)).await.expect("told through the other server");
        assert_eq!(got["notice_id"], json!(again));
        let got = next_notice(&mut stream, &mut buffer, Duration::from_secs(10)).await.expect("and through the first");
        assert_eq!(got["notice_id"], json!(again));
        // Two servers ran workers: the live delivery was still made once.
        let d = deliveries(&sender, &again).await;
        let live = jobs(&d, "live");
        assert_eq!((live.len(), live[0]["attempts"].as_i64()), (1, Some(1)), "{d}");
        drop(far);
        second_worker.stop().await;
        second.stop().await;
    }
    drop((stream, off_stream));
    worker.stop().await;
    // Stopping the server ends open streams instead of waiting on them for ever.
    let lingering = open_stream(&on_duty).await;
    tokio::time::timeout(Duration::from_secs(10), s.stop()).await.expect("the server stops with a stream open");
    drop(lingering);
}

/// Two servers over one PostgreSQL database, both delivering: each job is taken by one of
/// them (`FOR UPDATE SKIP LOCKED`), so the gateway hears of each delivery once, with no
/// de-duplication needed while nothing crashes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_send_each_delivery_once() {
    let Some(s) = TestServer::start(Backend::Postgres).await else { return };
    people(&s).await;
    let log = Arc::new(GatewayLog::default());
    let settings = quick(None, Some(GatewaySettings { url: gateway_receiver(log.clone()).await, token: None }));
    let (day, night) = (id_of(&s, "ca.day").await, id_of(&s, "ca.night").await);
    contact(&s, "ca.day", None, Some("0912345678")).await;
    contact(&s, "ca.night", None, Some("0987654321")).await;
    let head = s.login("ca.head").await;
    shift(&head, &day, T0, T0 + 12 * HOUR).await;
    shift(&head, &night, T0, T0 + 12 * HOUR).await;
    let second = s.second_instance().await;
    for app in [&s.app, &second.app] {
        app.configure_delivery(settings.clone()).unwrap();
    }
    let workers = [s.app.start_delivery().await.unwrap(), second.app.start_delivery().await.unwrap()];
    // Notices raised on both servers.
    let (sender_a, sender_b) = (s.login("hq.sender").await, s.login("hq.sender").await);
    let sender_b = Client { base: second.base.clone(), ..sender_b };
    let mut ids = Vec::new();
    for i in 0..20 {
        let sender = if i % 2 == 0 { &sender_a } else { &sender_b };
        ids.push(raise(sender, &format!("Cảnh báo {i}"), &["police-lang-son"]).await);
    }
    eventually("the gateway heard of all 40 deliveries", || async { log.requests.lock().unwrap().len() >= 40 }).await;
    for w in workers {
        w.stop().await;
    }
    let requests = log.requests.lock().unwrap().clone();
    let keys: BTreeSet<String> = requests.iter().map(|r| r.0.clone()).collect();
    assert_eq!((requests.len(), keys.len()), (40, 40), "each delivery once");
    for id in &ids {
        let d = deliveries(&sender_a, id).await;
        for j in d["jobs"].as_array().unwrap() {
            assert_eq!((j["status"].as_str(), j["attempts"].as_i64()), (Some("sent"), Some(1)), "{j}");
        }
    }
    second.stop().await;
}

/// The attachment of a mail, decoded: the part after its Content-Disposition, up to the boundary.
fn attachment(data: &str) -> Vec<u8> {
    let part = data.split("Content-Disposition: attachment").nth(1).expect("an attachment");
    let body = part.split("\r\n\r\n").nth(1).unwrap().split("\r\n--").next().unwrap();
    base64::engine::general_purpose::STANDARD.decode(body.replace("\r\n", "")).unwrap()
}

async fn scheduled_reports_are_emailed_once_each_period_ends(s: TestServer) {
    people(&s).await;
    s.user("audit", ("sco-389", "steering_committee_office"), "sco-hq", &["auditor"]).await;
    let officer = s.login("hq.sender").await;
    let schedule =
        json!({ "kind": "monthly", "scope": "agency", "recipients": ["ChiCuc.HuuNghi@customs.gov.vn", "bcd389.langson@langson.gov.vn"] });
    for (bad, field) in [
        (json!({ "kind": "weekly", "recipients": ["a@b.vn"] }), "kind"),
        (json!({ "kind": "monthly", "recipients": [] }), "recipients"),
        (json!({ "kind": "monthly", "recipients": ["không phải địa chỉ"] }), "recipients"),
        (json!({ "kind": "monthly", "format": "docx", "recipients": ["a@b.vn"] }), "format"),
        (json!({ "kind": "monthly", "scope": "unit", "unit": "no-such-unit", "recipients": ["a@b.vn"] }), "unit"),
    ] {
        let (status, problem) = officer.post("/api/v1/report-schedules", bad).await;
        assert_eq!((status, problem["field"].as_str()), (422, Some(field)), "{problem}");
    }
    assert_eq!(s.login("audit").await.post("/api/v1/report-schedules", schedule.clone()).await.0, 403);
    let (status, created) = officer.post("/api/v1/report-schedules", schedule).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["last_period"], "2025-12", "the month just past is not sent: it can be downloaded");
    assert_eq!(created["recipients"], json!(["bcd389.langson@langson.gov.vn", "chicuc.huunghi@customs.gov.vn"]));

    // January is not over: nothing is due.
    assert_eq!(cordon_server::send_due_reports(&s.app).await.unwrap(), 0);
    // 1 February: January is due. The relay is down first: nothing is recorded as sent, and why is.
    s.clock.advance(17 * 24 * HOUR);
    let dead = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dead_port = dead.local_addr().unwrap().port();
    drop(dead);
    s.app
        .configure_delivery(quick(
            Some(SmtpSettings { host: "127.0.0.1".into(), port: dead_port, from: "baocao@haiquan.gov.vn".into() }),
            None,
        ))
        .unwrap();
    assert_eq!(cordon_server::send_due_reports(&s.app).await.unwrap(), 0);
    let (_, mine) = officer.get("/api/v1/report-schedules").await;
    assert_eq!(mine[0]["last_period"], "2025-12");
    assert!(mine[0]["last_error"].as_str().unwrap().contains("SMTP"), "{mine}");
    // The relay is back: January goes out to both addresses, once.
    let log = Arc::new(SmtpLog::default());
    let port = smtp_server(log.clone()).await;
    s.app
        .configure_delivery(quick(Some(SmtpSettings { host: "127.0.0.1".into(), port, from: "baocao@haiquan.gov.vn".into() }), None))
        .unwrap();
    assert_eq!(cordon_server::send_due_reports(&s.app).await.unwrap(), 1);
    assert_eq!(cordon_server::send_due_reports(&s.app).await.unwrap(), 0, "once per period");
    let mails = log.mails.lock().unwrap().clone();
    assert_eq!(mails.len(), 2);
    let to: BTreeSet<String> = mails.iter().flat_map(|m| m.to.clone()).collect();
    assert_eq!(to, BTreeSet::from(["bcd389.langson@langson.gov.vn".to_string(), "chicuc.huunghi@customs.gov.vn".to_string()]));
    let pdf = attachment(&mails[0].data);
    assert!(pdf.starts_with(b"%PDF-1.7"), "the report is attached");
    assert!(mails[0].data.contains("filename=\"cordon-report-monthly-2026.pdf\""), "{}", mails[0].data);
    let (_, mine) = officer.get("/api/v1/report-schedules").await;
    assert_eq!((mine[0]["last_period"].as_str(), mine[0]["last_error"].is_null()), (Some("2026-01"), true), "{mine}");
    // Another user does not see the schedule; an administrator sees them all.
    assert_eq!(s.login("ca.day").await.get("/api/v1/report-schedules").await.1, json!([]));
    assert_eq!(s.login("admin").await.get("/api/v1/report-schedules").await.1.as_array().unwrap().len(), 1);
    let (_, entries) = s.login("audit").await.get("/api/v1/audit?object_type=report_schedule&limit=20").await;
    let outcomes: Vec<(&str, &str)> =
        entries.as_array().unwrap().iter().map(|e| (e["action"].as_str().unwrap(), e["outcome"].as_str().unwrap())).collect();
    for want in [("report.schedule", "ok"), ("report.send", "failed"), ("report.send", "ok")] {
        assert!(outcomes.contains(&want), "{want:?} on the record: {outcomes:?}");
    }
}
