//! The API end to end: a real server on a random port, over SQLite and PostgreSQL, spoken to over HTTP.

use reqwest::header;
use serde_json::{json, Value};
use test_support::{both_backends, split, TestServer, PASSWORD};

both_backends!(
    health_readiness_metrics_and_openapi,
    every_api_route_refuses_the_unauthenticated,
    first_start_admin_must_change_the_one_time_password,
    bad_input_is_a_clear_problem_and_writes_nothing,
    directory_is_administered_by_administrators_only,
    sessions_cookies_logout_and_expiry,
    a_cached_session_is_forgotten_on_logout_and_password_change,
    failed_logins_are_rate_limited_and_audited,
    auditors_read_the_audit_log,
);

fn assert_problem(status: u16, body: &Value, want_status: u16, want_code: &str) {
    assert_eq!(status, want_status, "{body}");
    assert_eq!(body["status"], want_status, "{body}");
    assert_eq!(body["code"], want_code, "{body}");
    assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()), "{body}");
    assert!(body["type"].as_str().is_some_and(|t| t.starts_with("urn:cordon:problem:")), "{body}");
}

async fn health_readiness_metrics_and_openapi(s: TestServer) {
    let c = s.anonymous();
    assert_eq!(c.get("/healthz").await, (200, json!({ "status": "ok" })));
    let (status, ready) = c.get("/readyz").await;
    assert_eq!(status, 200);
    assert_eq!(ready["schema_version"], cordon_store::latest_schema_version());
    assert!(ready["backend"] == "sqlite" || ready["backend"] == "postgres");
    let (status, doc) = c.get("/api/v1/openapi.json").await;
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/api/v1/auth/login"]["post"].is_object());
    let resp = c.send(c.http.get(format!("{}/metrics", s.base))).await;
    assert!(resp.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/plain"));
    let text = resp.text().await.unwrap();
    assert!(text.contains("cordon_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} 1"), "{text}");
}

/// Walks the OpenAPI document (built from the router itself) and calls every operation
/// without credentials: all but the public ones (health, sign-in, the public tip endpoints)
/// must answer 401 problem+json.
async fn every_api_route_refuses_the_unauthenticated(s: TestServer) {
    let c = s.anonymous();
    let (_, doc) = c.get("/api/v1/openapi.json").await;
    let public = ["/healthz", "/readyz", "/metrics", "/api/v1/auth/login"];
    let mut checked = 0;
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            let url = format!("{}{}", s.base, path.replace("{id}", "x"));
            let rb = match method.as_str() {
                "get" => c.http.get(&url),
                "post" => c.http.post(&url).json(&json!({})),
                "put" => c.http.put(&url).json(&json!({})),
                "patch" => c.http.patch(&url).json(&json!({})),
                "delete" => c.http.delete(&url),
                other => panic!("unexpected method {other}"),
            };
            let resp = rb.send().await.unwrap();
            // The public tip endpoints take no credentials by design (the tracking code is the key).
            if public.contains(&path.as_str()) || path.starts_with("/api/v1/public/") {
                continue;
            }
            assert_eq!(resp.headers()[header::CONTENT_TYPE], "application/problem+json", "{method} {path}");
            let (status, body) = split(resp).await;
            assert_problem(status, &body, 401, "unauthenticated");
            checked += 1;
        }
    }
    assert!(checked >= 12, "only {checked} protected operations found");
}

async fn first_start_admin_must_change_the_one_time_password(s: TestServer) {
    let one_time = s.app.bootstrap().await.unwrap().expect("fresh store bootstraps");
    assert!(s.app.bootstrap().await.unwrap().is_none(), "only the first start creates an admin");
    let c = s.anonymous();
    let (status, body) = c.post("/api/v1/auth/login", json!({ "username": "admin", "password": one_time })).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"]["must_change_password"], true);
    let admin = test_support::Client { token: body["token"].as_str().map(String::from), ..c.clone() };
    let (status, body) = admin.get("/api/v1/agencies").await;
    assert_problem(status, &body, 403, "password_change_required");
    let (status, body) = admin.post("/api/v1/auth/password", json!({ "current_password": one_time, "new_password": "short" })).await;
    assert_problem(status, &body, 422, "invalid_input");
    assert_eq!(body["field"], "password");
    let (status, _) = admin.post("/api/v1/auth/password", json!({ "current_password": one_time, "new_password": PASSWORD })).await;
    assert_eq!(status, 204);
    let (status, agencies) = admin.get("/api/v1/agencies").await;
    assert_eq!(status, 200);
    assert_eq!(agencies[0]["id"], "sco-389");
    let (status, _) = c.post("/api/v1/auth/login", json!({ "username": "admin", "password": one_time })).await;
    assert_eq!(status, 401, "the one-time password no longer works");
}

async fn bad_input_is_a_clear_problem_and_writes_nothing(s: TestServer) {
    s.user("root", ("sco-389", "steering_committee_office"), "sco-hq", &["administrator"]).await;
    let admin = s.login("root").await;
    let url = format!("{}/api/v1/users", s.base);
    let (status, body) =
        split(admin.send(admin.http.post(&url).header(header::CONTENT_TYPE, "application/json").body("{\"username\": ")).await).await;
    assert_problem(status, &body, 400, "invalid_input");
    let (status, body) = split(admin.send(admin.http.post(&url).body("username=x")).await).await;
    assert_problem(status, &body, 415, "unsupported_media_type");
    let (status, body) = admin.post("/api/v1/users", json!({ "username": "an", "surprise": 1 })).await;
    assert_problem(status, &body, 400, "invalid_input");
    let good = json!({ "username": "an.nguyen", "display_name": "Nguyễn Văn An", "unit_id": "sco-hq", "roles": ["officer"], "password": PASSWORD });
    for (field, value, want_field) in [
        ("username", json!("Nguyễn"), "username"),
        ("roles", json!(["emperor"]), "roles"),
        ("roles", json!([]), "roles"),
        ("unit_id", json!("nowhere"), "unit_id"),
        ("password", json!("an.nguyen-is-me"), "password"),
        ("language", json!("fr"), "language"),
    ] {
        let mut bad = good.clone();
        bad[field] = value;
        let (status, body) = admin.post("/api/v1/users", bad).await;
        assert_problem(status, &body, 422, "invalid_input");
        assert_eq!(body["field"], want_field, "{body}");
    }
    let (_, users) = admin.get("/api/v1/users").await;
    assert_eq!(users.as_array().unwrap().len(), 1, "no refused user was written");
    let (status, created) = admin.post("/api/v1/users", good.clone()).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["display_name"], "Nguyễn Văn An");
    assert_eq!(created["must_change_password"], true);
    let (status, body) = admin.post("/api/v1/users", good).await;
    assert_problem(status, &body, 409, "conflict");
    let (status, body) = admin.get("/api/v1/nothing-here").await;
    assert_problem(status, &body, 404, "not_found");
    let (status, body) = split(admin.send(admin.http.delete(format!("{}/api/v1/agencies", s.base))).await).await;
    assert_problem(status, &body, 405, "method_not_allowed");
    let (status, body) = admin.get("/api/v1/audit?limit=abc").await;
    assert_problem(status, &body, 400, "invalid_input");
    let big = "x".repeat(3 * 1024 * 1024);
    let (status, body) = admin.post("/api/v1/agencies", json!({ "id": big })).await;
    assert_problem(status, &body, 413, "payload_too_large");
}

async fn directory_is_administered_by_administrators_only(s: TestServer) {
    s.user("root", ("sco-389", "steering_committee_office"), "sco-hq", &["administrator"]).await;
    s.user("officer", ("customs-vn", "customs"), "customs-lang-son", &["officer", "unit_head"]).await;
    let admin = s.login("root").await;
    let officer = s.login("officer").await;
    let agency = json!({ "id": "border-guard-vn", "kind": "border_guard", "name_vi": "Bộ đội Biên phòng", "name_en": "Border Guard" });
    let (status, body) = officer.post("/api/v1/agencies", agency.clone()).await;
    assert_problem(status, &body, 403, "forbidden");
    let (status, body) = admin.post("/api/v1/agencies", agency).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["country"], "VN");
    let (status, body) =
        admin.post("/api/v1/agencies", json!({ "id": "customs-cn", "kind": "foreign_customs", "name_vi": "x", "name_en": "x" })).await;
    assert_problem(status, &body, 422, "invalid_input");
    assert_eq!(body["field"], "country", "a foreign administration is not VN");
    // A unit's province may be given by its pre-2025 name; it is stored as today's province.
    let unit = json!({ "id": "bg-ha-giang", "agency_id": "border-guard-vn", "name_vi": "Biên phòng Hà Giang", "name_en": "Ha Giang Border Guard", "province": "Hà Giang" });
    let (status, body) = admin.post("/api/v1/units", unit).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["province_code"], "tuyen-quang");
    let (status, body) = admin
        .post(
            "/api/v1/units",
            json!({ "id": "bg-x", "agency_id": "border-guard-vn", "parent_id": "customs-lang-son", "name_vi": "x", "name_en": "x" }),
        )
        .await;
    assert_problem(status, &body, 422, "invalid_input");
    assert_eq!(body["field"], "parent_id");
    let (status, units) = officer.get("/api/v1/units?agency_id=border-guard-vn").await;
    assert_eq!(status, 200);
    assert_eq!(units.as_array().unwrap().len(), 1);
    let (status, body) = officer.get("/api/v1/users").await;
    assert_problem(status, &body, 403, "forbidden");
    let (status, provinces) = officer.get("/api/v1/reference/provinces").await;
    assert_eq!((status, provinces.as_array().unwrap().len()), (200, 34));
    let (status, found) = officer.get("/api/v1/reference/provinces?name=ba%20ria%20vung%20tau").await;
    assert_eq!((status, found[0]["code"].as_str()), (200, Some("ho-chi-minh")));
    let (status, body) = officer.get("/api/v1/reference/provinces?name=Atlantis").await;
    assert_problem(status, &body, 404, "not_found");
    let (status, me) = officer.get("/api/v1/me").await;
    assert_eq!((status, me["roles"].clone()), (200, json!(["officer", "unit_head"])));
}

async fn sessions_cookies_logout_and_expiry(s: TestServer) {
    s.user("officer", ("customs-vn", "customs"), "customs-lang-son", &["officer"]).await;
    let c = s.anonymous();
    let resp = c
        .send(
            c.http
                .post(format!("{}/api/v1/auth/login", s.base))
                .json(&json!({ "username": "officer", "password": PASSWORD, "kind": "session" })),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let cookie = resp.headers()[header::SET_COOKIE].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    let pair = cookie.split(';').next().unwrap().to_string();
    let with_cookie = |rb: reqwest::RequestBuilder| rb.header(header::COOKIE, pair.clone());
    let (status, _) = split(with_cookie(c.http.get(format!("{}/api/v1/me", s.base))).send().await.unwrap()).await;
    assert_eq!(status, 200, "the cookie authenticates");
    let (status, body) = split(
        with_cookie(c.http.post(format!("{}/api/v1/tokens", s.base)))
            .header(header::ORIGIN, "https://evil.example")
            .json(&json!({ "label": "x" }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_problem(status, &body, 403, "csrf");
    // Idle for 20 minutes: still in; the session slides forward on use.
    s.clock.advance(20 * 60 * 1000);
    let (status, _) = split(with_cookie(c.http.get(format!("{}/api/v1/me", s.base))).send().await.unwrap()).await;
    assert_eq!(status, 200);
    s.clock.advance(25 * 60 * 1000);
    let (status, _) = split(with_cookie(c.http.get(format!("{}/api/v1/me", s.base))).send().await.unwrap()).await;
    assert_eq!(status, 200, "45 minutes after login but only 25 idle");
    s.clock.advance(31 * 60 * 1000);
    let (status, body) = split(with_cookie(c.http.get(format!("{}/api/v1/me", s.base))).send().await.unwrap()).await;
    assert_problem(status, &body, 401, "unauthenticated");
    // Bearer tokens: logout revokes.
    let bearer = s.login("officer").await;
    assert_eq!(bearer.get("/api/v1/me").await.0, 200);
    assert_eq!(bearer.post("/api/v1/auth/logout", json!({})).await.0, 204);
    assert_eq!(bearer.get("/api/v1/me").await.0, 401);
}

// The app remembers who a token stands for for a few seconds (by its clock, which does not
// move here), so every request below after the first of each client is answered from that
// memory unless logout or the password change made it forget.
async fn a_cached_session_is_forgotten_on_logout_and_password_change(s: TestServer) {
    s.user("officer", ("customs-vn", "customs"), "customs-lang-son", &["officer"]).await;
    let a = s.login("officer").await;
    let b = s.login("officer").await;
    for c in [&a, &b, &a, &b] {
        assert_eq!(c.get("/api/v1/me").await.0, 200);
    }
    assert_eq!(a.post("/api/v1/auth/logout", json!({})).await.0, 204);
    assert_eq!(a.get("/api/v1/me").await.0, 401, "a logged-out token is refused at once");
    assert_eq!(b.get("/api/v1/me").await.0, 200, "the user's other token is still good");

    // A browser session, used twice (the second use from the cache), then signed out.
    let c = s.anonymous();
    let resp = c
        .send(
            c.http
                .post(format!("{}/api/v1/auth/login", s.base))
                .json(&json!({ "username": "officer", "password": PASSWORD, "kind": "session" })),
        )
        .await;
    let pair = resp.headers()[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_string();
    let me = || c.http.get(format!("{}/api/v1/me", s.base)).header(header::COOKIE, pair.clone());
    for _ in 0..2 {
        assert_eq!(split(me().send().await.unwrap()).await.0, 200);
    }
    let out = c.http.post(format!("{}/api/v1/auth/logout", s.base)).header(header::COOKIE, pair.clone()).json(&json!({}));
    assert_eq!(split(out.send().await.unwrap()).await.0, 204);
    assert_eq!(split(me().send().await.unwrap()).await.0, 401, "a signed-out session is refused at once");

    // Changing the password through one token revokes every other one, at once.
    let d = s.login("officer").await;
    assert_eq!(d.get("/api/v1/me").await.0, 200);
    let change = json!({ "current_password": PASSWORD, "new_password": "a much longer new passphrase" });
    assert_eq!(b.post("/api/v1/auth/password", change).await.0, 204);
    assert_eq!(d.get("/api/v1/me").await.0, 401, "revoked by the password change");
    assert_eq!(b.get("/api/v1/me").await.0, 200, "the token that changed it stays");

    // After the cache's time-to-live the database is asked again, and still says yes.
    s.clock.advance(cordon_app::CACHE_TTL_MS);
    assert_eq!(b.get("/api/v1/me").await.0, 200);
}

async fn failed_logins_are_rate_limited_and_audited(s: TestServer) {
    s.user("officer", ("customs-vn", "customs"), "customs-lang-son", &["officer"]).await;
    s.user("audit", ("sco-389", "steering_committee_office"), "sco-hq", &["auditor"]).await;
    let c = s.anonymous();
    for _ in 0..5 {
        let (status, body) = c.post("/api/v1/auth/login", json!({ "username": "officer", "password": "wrong password!" })).await;
        assert_problem(status, &body, 401, "bad_credentials");
    }
    let (status, body) = c.post("/api/v1/auth/login", json!({ "username": "nobody", "password": "wrong password!" })).await;
    assert_problem(status, &body, 401, "bad_credentials");
    let resp =
        c.send(c.http.post(format!("{}/api/v1/auth/login", s.base)).json(&json!({ "username": "officer", "password": PASSWORD }))).await;
    assert_eq!(resp.status(), 429, "held even with the right password");
    let retry: u64 = resp.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 900);
    s.clock.advance(15 * 60 * 1000 + 1000);
    assert_eq!(
        c.post("/api/v1/auth/login", json!({ "username": "officer", "password": PASSWORD })).await.0,
        200,
        "released after the window"
    );
    let auditor = s.login("audit").await;
    let (status, entries) = auditor.get("/api/v1/audit?object_type=account&object_id=officer").await;
    assert_eq!(status, 200);
    let outcomes: Vec<&str> = entries.as_array().unwrap().iter().map(|e| e["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes.iter().filter(|o| **o == "denied").count(), 6, "five bad passwords and one held attempt: {outcomes:?}");
    assert_eq!(outcomes.last(), Some(&"ok"));
    assert!(entries.to_string().find(PASSWORD).is_none(), "no password is ever logged");
}

async fn auditors_read_the_audit_log(s: TestServer) {
    s.user("root", ("sco-389", "steering_committee_office"), "sco-hq", &["administrator"]).await;
    s.user("audit", ("sco-389", "steering_committee_office"), "sco-hq", &["auditor"]).await;
    s.user("officer", ("customs-vn", "customs"), "customs-lang-son", &["officer"]).await;
    let officer = s.login("officer").await;
    let (status, body) = officer.get("/api/v1/audit").await;
    assert_problem(status, &body, 403, "forbidden");
    let auditor = s.login("audit").await;
    let (status, entries) = auditor.get("/api/v1/audit?object_type=audit_log&limit=50").await;
    assert_eq!(status, 200);
    let denied: Vec<&Value> = entries.as_array().unwrap().iter().filter(|e| e["outcome"] == "denied").collect();
    assert_eq!(denied.len(), 1, "the officer's attempt is on the record");
    let (_, me) = officer.get("/api/v1/me").await;
    assert_eq!(denied[0]["actor_user_id"], me["id"]);
    assert_eq!(denied[0]["actor_unit_id"], "customs-lang-son");
    let signed = s.app.checkpoint_audit().await.unwrap().expect("a first checkpoint");
    assert!(s.app.checkpoint_audit().await.unwrap().is_none(), "nothing new to sign");
    let report = s.app.verify_audit().await.unwrap();
    assert!(report.entries >= 8 && report.checkpoints == 1, "{report:?}");
    let (status, cps) = auditor.get("/api/v1/audit/checkpoints").await;
    assert_eq!(status, 200);
    assert_eq!(cps["checkpoints"][0]["seq"], signed.checkpoint.seq);
    assert_eq!(cps["public_key"], report.key_id);
    let (status, _) = officer.get("/api/v1/audit/checkpoints").await;
    assert_eq!(status, 403);
    // Forge the checkpoint's hash in the database: verification names it.
    s.app.store().execute_unchecked("UPDATE audit_checkpoints SET hash = 'forged'").await.unwrap();
    let err = s.app.verify_audit().await.unwrap_err().to_string();
    assert!(err.contains(&format!("entry {}", signed.checkpoint.seq)), "{err}");
}
