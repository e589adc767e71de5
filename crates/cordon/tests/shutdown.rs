//! The binary itself: first start prints a one-time admin password, and SIGTERM during
//! a burst of writes loses none that were acknowledged.

mod common;

use std::process::Command;
use std::time::Duration;

use common::start;

use serde_json::{json, Value};

const NEW_PASSWORD: &str = "a long and new passphrase";

async fn login(http: &reqwest::Client, base: &str, password: &str) -> (u16, Value) {
    let resp =
        http.post(format!("{base}/api/v1/auth/login")).json(&json!({ "username": "admin", "password": password })).send().await.unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_during_a_burst_of_writes_loses_no_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let http = reqwest::Client::new();
    let mut server = start(dir.path());
    let one_time = server.one_time_password.clone().expect("first start prints a one-time password");
    assert_eq!(one_time.len(), 20);

    let (status, body) = login(&http, &server.base, &one_time).await;
    assert_eq!(status, 200, "{body}");
    let token = body["token"].as_str().unwrap().to_string();
    let resp = http
        .post(format!("{}/api/v1/auth/password", server.base))
        .bearer_auth(&token)
        .json(&json!({ "current_password": one_time, "new_password": NEW_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);

    // Eight writers create units as fast as they can; SIGTERM lands in the middle.
    let mut writers = Vec::new();
    for w in 0..8 {
        let (http, base, token) = (http.clone(), server.base.clone(), token.clone());
        writers.push(tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            for i in 0..10_000 {
                let id = format!("unit-{w}-{i}");
                let body = json!({ "id": id, "agency_id": "sco-389", "name_vi": "Đơn vị thử", "name_en": "Test unit" });
                match http.post(format!("{base}/api/v1/units")).bearer_auth(&token).json(&body).send().await {
                    Ok(r) if r.status() == 201 => acknowledged.push(id),
                    Ok(r) => assert!(r.status().is_server_error() || r.status() == 503, "unexpected {}", r.status()),
                    Err(_) => break,
                }
            }
            acknowledged
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let mut acknowledged = Vec::new();
    for w in writers {
        acknowledged.extend(w.await.unwrap());
    }
    let status = server.child.wait().unwrap();
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
    assert!(acknowledged.len() > 20, "the burst was too short to test anything: {}", acknowledged.len());

    let again = start(dir.path());
    assert!(again.one_time_password.is_none(), "no new admin on a store that has users");
    let (status, body) = login(&http, &again.base, NEW_PASSWORD).await;
    assert_eq!(status, 200, "{body}");
    let token = body["token"].as_str().unwrap();
    let units: Value =
        http.get(format!("{}/api/v1/units?agency_id=sco-389", again.base)).bearer_auth(token).send().await.unwrap().json().await.unwrap();
    let stored: std::collections::HashSet<&str> = units.as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap()).collect();
    let lost: Vec<&String> = acknowledged.iter().filter(|id| !stored.contains(id.as_str())).collect();
    assert!(lost.is_empty(), "{} of {} acknowledged writes lost, e.g. {:?}", lost.len(), acknowledged.len(), lost.first());
    drop(again);
}
