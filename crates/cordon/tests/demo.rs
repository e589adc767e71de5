//! `cordon demo`: the same seed gives the same data and logins, and a demo user can sign
//! in through the API and see a year of cases.

mod common;

use std::process::Command;

use serde_json::{json, Value};

fn demo(dir: &std::path::Path, seed: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_cordon"))
        .args(["demo", "--seed", seed, "--data-dir"])
        .arg(dir)
        .env("CORDON_LOG", "warn")
        .output()
        .expect("run cordon demo");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

fn password_of<'a>(logins: &'a str, username: &str) -> &'a str {
    let line = logins.lines().find(|l| l.split_whitespace().next() == Some(username)).expect("login printed");
    line.split_whitespace().nth(1).expect("password")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_is_deterministic_and_alive() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (pa, pb) = (a.path().to_path_buf(), b.path().to_path_buf());
    let first = std::thread::spawn(move || demo(&pa, "7"));
    let second = demo(&pb, "7");
    let first = first.join().unwrap();
    assert_eq!(first, second, "the same seed prints the same logins");
    let again =
        Command::new(env!("CARGO_BIN_EXE_cordon")).args(["demo", "--data-dir"]).arg(a.path()).env("CORDON_LOG", "warn").output().unwrap();
    assert!(!again.status.success(), "the demo refuses a store that already has users");

    let server = common::start(a.path());
    assert!(server.one_time_password.is_none(), "a demo store needs no bootstrap administrator");
    let http = reqwest::Client::new();
    let login = |username: &'static str| {
        let (http, base, password) = (http.clone(), server.base.clone(), password_of(&first, username).to_string());
        async move {
            let resp = http
                .post(format!("{base}/api/v1/auth/login"))
                .json(&json!({ "username": username, "password": password }))
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 200, "{username} signs in with the printed password");
            resp.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_string()
        }
    };
    let officer = login("hq.huunghi").await;
    let count: Value =
        http.get(format!("{}/api/v1/cases/count", server.base)).bearer_auth(&officer).send().await.unwrap().json().await.unwrap();
    assert!(count["count"].as_i64().unwrap() > 300, "a year of cases: {count}");
    let lunar: Value = http
        .get(format!("{}/api/v1/cases?q=thuoc%20la&limit=5", server.base))
        .bearer_auth(&officer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!lunar["items"].as_array().unwrap().is_empty(), "cigarette seizures are found without diacritics");
    let market = login("qltt.langson").await;
    let count: Value =
        http.get(format!("{}/api/v1/cases/count", server.base)).bearer_auth(&market).send().await.unwrap().json().await.unwrap();
    let seen = count["count"].as_i64().unwrap();
    assert!(seen > 0, "market surveillance sees what is shared with all domestic agencies");
    let officer_count: Value =
        http.get(format!("{}/api/v1/cases/count", server.base)).bearer_auth(&officer).send().await.unwrap().json().await.unwrap();
    assert!(seen < officer_count["count"].as_i64().unwrap(), "but not the customs-only cases");
    // The rings: some driver or truck turns up in several cases, linked as one entity.
    let page: Value =
        http.get(format!("{}/api/v1/cases?limit=100", server.base)).bearer_auth(&officer).send().await.unwrap().json().await.unwrap();
    let mut most = 0;
    for id in
        page["items"].as_array().unwrap().iter().flat_map(|c| c["parties"].as_array().unwrap()).filter_map(|p| p["entity_id"].as_str())
    {
        let e: Value =
            http.get(format!("{}/api/v1/entities/{id}", server.base)).bearer_auth(&officer).send().await.unwrap().json().await.unwrap();
        most = most.max(e["cases"].as_array().map_or(0, Vec::len));
    }
    assert!(most >= 3, "a ring member is one entity across cases (most: {most})");
    // The hotline's queue has calls, and the repeated one says so.
    let hotline = login("hotline").await;
    let tips: Value = http.get(format!("{}/api/v1/tips", server.base)).bearer_auth(&hotline).send().await.unwrap().json().await.unwrap();
    let tips = tips.as_array().unwrap();
    assert_eq!(tips.len(), 3, "{tips:?}");
    let mut repeats = 0;
    for t in tips {
        let tip: Value = http
            .get(format!("{}/api/v1/tips/{}", server.base, t["id"].as_str().unwrap()))
            .bearer_auth(&hotline)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        repeats += tip["possible_repeats"].as_array().map_or(0, Vec::len);
    }
    assert_eq!(repeats, 1, "the second call about the truck repeats the first");
}
