//! Tips over HTTP on SQLite and PostgreSQL: sent by the public with a proof of work, by e-mail
//! and through the hotline; the tracking code shows only its own tip and wrong codes run into
//! the limit; triage finds repeats and routes by topic and province; the reporter's identity
//! stays with the intake unit unless they consented; closing needs a reason or a case.

use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use test_support::{both_backends, Client, TestServer};

both_backends!(
    a_public_tip_is_tracked_triaged_routed_and_closed,
    bad_tips_forged_codes_and_floods_are_refused,
    email_and_hotline_tips_come_in_once
);

async fn people(s: &TestServer) {
    s.user("sco.hotline", ("sco-389", "steering_committee_office"), "sco-hotline", &["hotline_operator"]).await;
    s.user("sco.gateway", ("sco-389", "steering_committee_office"), "sco-hotline", &["hotline_operator"]).await;
    s.user("qltt.ls", ("market-vn", "market_surveillance"), "qltt-lang-son", &["officer"]).await;
    s.user("hq.ls", ("customs-vn", "customs"), "customs-lang-son", &["officer"]).await;
    s.user("hq.gate", ("customs-vn", "customs"), "customs-lang-son-gate", &["officer"]).await;
    s.user("admin2", ("sco-389", "steering_committee_office"), "sco-hq", &["administrator"]).await;
    // Units know their province, so tips can be routed there.
    for (unit, agency) in [("qltt-lang-son", "market-vn"), ("customs-lang-son", "customs-vn")] {
        s.app
            .store()
            .execute_unchecked(&format!("UPDATE units SET province_code = 'lang-son' WHERE id = '{unit}' AND agency_id = '{agency}'"))
            .await
            .unwrap();
    }
    s.app
        .store()
        .execute_unchecked("UPDATE units SET province_code = 'lang-son', parent_id = 'customs-lang-son' WHERE id = 'customs-lang-son-gate'")
        .await
        .unwrap();
    s.app.set_tip_difficulty(8);
}

/// Solves a challenge the way a reporter's browser would.
async fn solved(c: &Client) -> (String, String) {
    let (_, ch) = c.get("/api/v1/public/tips/challenge").await;
    let challenge = ch["challenge"].as_str().unwrap().to_string();
    let bits = ch["difficulty"].as_u64().unwrap() as u32;
    let nonce = (0u64..)
        .map(|n| n.to_string())
        .find(|n| {
            let d = Sha256::digest(format!("{challenge}:{n}").as_bytes());
            let zeros = d.iter().position(|&b| b != 0).map_or(256, |i| i as u32 * 8 + d[i].leading_zeros());
            zeros >= bits
        })
        .unwrap();
    (challenge, nonce)
}

async fn send_tip(c: &Client, mut tip: Value) -> (u16, Value) {
    let (challenge, nonce) = solved(c).await;
    tip["challenge"] = json!(challenge);
    tip["nonce"] = json!(nonce);
    c.post("/api/v1/public/tips", tip).await
}

const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];

async fn a_public_tip_is_tracked_triaged_routed_and_closed(s: TestServer) {
    people(&s).await;
    let public = s.anonymous();
    let photo = base64::engine::general_purpose::STANDARD.encode(PNG);
    let (status, receipt) = send_tip(
        &public,
        json!({ "body": "Cửa hàng ở chợ Đông Kinh bán túi xách giả thương hiệu, chủ quán dùng số 0912 345 678", "province": "Lạng Sơn",
            "reporter_name": "Trần Thị Bình", "reporter_contact": "0987 000 111", "consent": false,
            "files": [{ "filename": "anh-cua-hang.png", "content_base64": photo }] }),
    )
    .await;
    assert_eq!(status, 201, "{receipt}");
    let code = receipt["tracking_code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 24);

    // The code shows the status, typed however the reporter types it, and nothing else.
    let (status, st) = public.post("/api/v1/public/tips/status", json!({ "tracking_code": code.to_lowercase().replace('-', " ") })).await;
    assert_eq!(status, 200, "{st}");
    assert_eq!(st["status"], "received");
    assert_eq!(
        st.as_object().unwrap().keys().cloned().collect::<Vec<_>>(),
        vec!["follow_ups", "received_at", "status", "status_en", "status_vi", "updated_at"]
    );
    let (status, st) =
        public.post("/api/v1/public/tips/follow-up", json!({ "tracking_code": code, "body": "Hàng về vào tối thứ Sáu." })).await;
    assert_eq!((status, st["follow_ups"][0].as_str()), (200, Some("Hàng về vào tối thứ Sáu.")), "{st}");

    // A second reporter tells of the same shop: the operator sees the repeat.
    s.clock.advance(3_600_000);
    send_tip(&public, json!({ "body": "Quán túi xách giả ở chợ Đông Kinh, gọi 0912.345.678 để mua", "province": "lang-son" })).await;

    // Customs has the shop's phone on a case, shared with all domestic agencies; the phone
    // itself, a personal party, is not disclosed to the Standing Office (no agreement).
    let customs = s.login("hq.ls").await;
    let (status, case) = customs
        .post(
            "/api/v1/cases",
            json!({ "case_type": "counterfeit", "title": "Thu giữ túi xách giả", "detected_at": test_support::T0 - 86_400_000, "province": "lang-son",
                "parties": [{ "kind": "phone", "name": "0912 345 678", "identifiers": { "phone": "0912 345 678" }, "role": "seller" }],
                "sharing": { "tlp": "green" } }),
        )
        .await;
    assert_eq!(status, 201, "{case}");

    let operator = s.login("sco.hotline").await;
    let (_, queue) = operator.get("/api/v1/tips?status=received").await;
    let queue = queue.as_array().unwrap();
    assert_eq!(queue.len(), 2);
    let (later, first) = (queue[0]["id"].as_str().unwrap().to_string(), queue[1]["id"].as_str().unwrap().to_string());
    let (_, tip) = operator.get(&format!("/api/v1/tips/{first}")).await;
    assert_eq!(tip["reporter_name"], "Trần Thị Bình", "the intake unit sees who reported");
    assert_eq!(tip["files"][0]["media_type"], "image/png");
    assert_eq!(tip["messages"][0]["from_reporter"], true);
    assert_eq!(
        tip["known_entities"][0],
        json!({ "entity_id": null, "name": null, "held_by": "customs-vn", "reason": "phone 0912345678" }),
        "{tip}"
    );
    let (_, repeat) = operator.get(&format!("/api/v1/tips/{later}")).await;
    assert_eq!(repeat["possible_repeats"][0]["tip_id"], first.as_str(), "{repeat}");
    assert!(repeat["possible_repeats"][0]["reason"].as_str().unwrap().contains("0912345678"));

    // Triage: counterfeit goods in Lạng Sơn go to the province's market surveillance.
    let (status, routed) = operator
        .post(
            &format!("/api/v1/tips/{first}/triage"),
            json!({ "violation_type": "counterfeit", "commodity": "cosmetics", "province": "lang-son" }),
        )
        .await;
    assert_eq!(status, 200, "{routed}");
    assert_eq!((routed["status"].as_str(), routed["assigned_unit_id"].as_str()), (Some("routed"), Some("qltt-lang-son")));
    // Smuggling there goes to the province's customs, not to a border gate under it.
    let (_, routed2) = operator.post(&format!("/api/v1/tips/{later}/triage"), json!({ "violation_type": "smuggling" })).await;
    assert_eq!(routed2["assigned_unit_id"], "customs-lang-son", "{routed2}");

    // The unit it was routed to works it, without the reporter's identity (no consent).
    let qltt = s.login("qltt.ls").await;
    let (status, seen) = qltt.get(&format!("/api/v1/tips/{first}")).await;
    assert_eq!(status, 200, "{seen}");
    assert_eq!((seen["reporter_name"].clone(), seen["reporter_withheld"].clone()), (Value::Null, json!(true)));
    assert_eq!(qltt.get(&format!("/api/v1/tips/{later}")).await.0, 404, "not routed to them");
    assert_eq!(qltt.post(&format!("/api/v1/tips/{first}/triage"), json!({ "violation_type": "smuggling" })).await.0, 403);

    // Closing: "nothing to do" must say why; a repeat names its original; then it stays closed.
    assert_eq!(qltt.post(&format!("/api/v1/tips/{first}/close"), json!({ "outcome": "no_action" })).await.0, 422);
    assert_eq!(qltt.post(&format!("/api/v1/tips/{first}/close"), json!({ "outcome": "case_linked", "case_id": "nope" })).await.0, 422);
    let (status, closed) = qltt
        .post(&format!("/api/v1/tips/{first}/close"), json!({ "outcome": "no_action", "reason": "Đã kiểm tra, cửa hàng đã đóng" }))
        .await;
    assert_eq!((status, closed["status"].as_str()), (200, Some("closed")), "{closed}");
    assert_eq!(qltt.post(&format!("/api/v1/tips/{first}/close"), json!({ "outcome": "no_action", "reason": "x" })).await.0, 422);
    let (_, closed2) =
        operator.post(&format!("/api/v1/tips/{later}/close"), json!({ "outcome": "duplicate", "duplicate_of": first })).await;
    assert_eq!(closed2["duplicate_of"], first.as_str(), "{closed2}");

    // The reporter sees it dealt with, and can add no more to it.
    let (_, st) = public.post("/api/v1/public/tips/status", json!({ "tracking_code": code })).await;
    assert_eq!((st["status"].as_str(), st["status_vi"].as_str()), (Some("closed"), Some("Đã xử lý xong")));
    assert_eq!(public.post("/api/v1/public/tips/follow-up", json!({ "tracking_code": code, "body": "thêm" })).await.0, 422);

    // Units the tip never reached see nothing of it.
    let other = s.login("hq.gate").await;
    assert_eq!(other.get(&format!("/api/v1/tips/{first}")).await.0, 404);
    assert_eq!(other.get("/api/v1/tips").await, (200, json!([])));
}

async fn bad_tips_forged_codes_and_floods_are_refused(s: TestServer) {
    people(&s).await;
    let public = s.anonymous();
    // No proof of work, a reused challenge, a wrong nonce: each refused, nothing stored.
    let (status, body) = public.post("/api/v1/public/tips", json!({ "body": "Buôn lậu xăng dầu trên sông" })).await;
    assert_eq!(status, 422, "{body}");
    let (challenge, nonce) = solved(&public).await;
    let tip = json!({ "body": "Buôn lậu xăng dầu trên sông Kỳ Cùng", "challenge": challenge, "nonce": nonce });
    assert_eq!(public.post("/api/v1/public/tips", tip.clone()).await.0, 201);
    assert_eq!(public.post("/api/v1/public/tips", tip).await.0, 422, "a challenge is used once");
    let (challenge, _) = solved(&public).await;
    assert_eq!(
        public.post("/api/v1/public/tips", json!({ "body": "Buôn lậu xăng dầu", "challenge": challenge, "nonce": "x" })).await.0,
        422
    );

    // Bad fields: too short, unknown province, a file that is not what it says, bad base64, unknown fields.
    assert_eq!(send_tip(&public, json!({ "body": "ngắn" })).await.0, 422);
    assert_eq!(send_tip(&public, json!({ "body": "Buôn lậu thuốc lá điếu", "province": "Atlantis" })).await.0, 422);
    let exe = base64::engine::general_purpose::STANDARD.encode(b"MZ\x90\x00 not a picture");
    let (status, body) =
        send_tip(&public, json!({ "body": "Buôn lậu thuốc lá điếu", "files": [{ "filename": "a.png", "content_base64": exe }] })).await;
    assert_eq!((status, body["field"].as_str()), (422, Some("files")), "{body}");
    assert_eq!(
        send_tip(&public, json!({ "body": "Buôn lậu thuốc lá điếu", "files": [{ "filename": "a.png", "content_base64": "!!" }] })).await.0,
        422
    );
    assert_eq!(send_tip(&public, json!({ "body": "Buôn lậu thuốc lá điếu", "admin": true })).await.0, 400);
    let operator = s.login("sco.hotline").await;
    assert_eq!(operator.get("/api/v1/tips").await.1.as_array().unwrap().len(), 1, "only the one good tip was stored");

    // Forged or guessed codes: 404, and an address trying many runs into the limit.
    let mut statuses = Vec::new();
    for i in 0..20 {
        statuses.push(public.post("/api/v1/public/tips/status", json!({ "tracking_code": format!("0000-0000-0000-0000-{i:04}") })).await.0);
    }
    assert_eq!(statuses[0], 404);
    assert!(statuses.contains(&429), "{statuses:?}");
    assert_eq!(public.post("/api/v1/public/tips/status", json!({ "tracking_code": "not a code" })).await.0, 429, "still held");

    // A flood from one address is held after its share.
    let mut sent = Vec::new();
    for i in 0..12 {
        sent.push(send_tip(&public, json!({ "body": format!("Tin báo số {i} về buôn lậu đường mòn") })).await.0);
    }
    assert!(sent.contains(&429), "{sent:?}");
}

async fn email_and_hotline_tips_come_in_once(s: TestServer) {
    people(&s).await;
    let gateway = s.login("sco.gateway").await;
    let mail = "From: =?UTF-8?B?TmfGsOG7nWkgZMOibg==?= <dan@example.vn>\r\nSubject: =?UTF-8?Q?H=C3=A0ng_l=E1=BA=ADu?=\r\nMessage-ID: <m-1@example.vn>\r\n\
Content-Type: text/plain; charset=utf-8\r\n\r\nXe khách biển 12B-456.78 giấu pháo nổ dưới gầm, đi Hà Nội sáng mai.\r\n";
    let post_mail = |body: &'static str| {
        let c = gateway.clone();
        async move {
            test_support::split(
                c.send(c.http.post(format!("{}/api/v1/tips/inbound-email", c.base)).header("content-type", "message/rfc822").body(body))
                    .await,
            )
            .await
        }
    };
    let (status, first) = post_mail(mail).await;
    assert_eq!(status, 200, "{first}");
    let id = first["tip_id"].as_str().unwrap().to_string();
    assert_eq!(post_mail(mail).await.1["tip_id"], Value::Null, "the same message is one tip");
    assert_eq!(post_mail("garbage without a header").await.0, 422);
    let (_, tip) = gateway.get(&format!("/api/v1/tips/{id}")).await;
    assert_eq!(tip["channel"], "email");
    assert!(tip["body"].as_str().unwrap().starts_with("Hàng lậu\n\nXe khách"), "{tip}");
    assert_eq!(tip["reporter_contact"], "Người dân <dan@example.vn>");

    // A call: the operator records it and reads the code to the caller.
    let operator = s.login("sco.hotline").await;
    let (status, call) = operator
        .post("/api/v1/tips", json!({ "body": "Người gọi báo có kho hàng lậu ở Đồng Đăng", "province": "lang-son", "consent": true, "reporter_name": "Ông Tư" }))
        .await;
    assert_eq!(status, 201, "{call}");
    let (_, st) = s.anonymous().post("/api/v1/public/tips/status", json!({ "tracking_code": call["tracking_code"] })).await;
    assert_eq!(st["status"], "received");
    // With consent, the name travels with the routed tip.
    let call_id = call["id"].as_str().unwrap();
    operator.post(&format!("/api/v1/tips/{call_id}/triage"), json!({ "violation_type": "smuggling" })).await;
    let (_, seen) = s.login("hq.ls").await.get(&format!("/api/v1/tips/{call_id}")).await;
    assert_eq!(seen["reporter_name"], "Ông Tư", "{seen}");

    // Only operators record calls; nobody signed out does.
    assert_eq!(s.login("hq.ls").await.post("/api/v1/tips", json!({ "body": "Tin báo qua điện thoại" })).await.0, 403);
    assert_eq!(s.anonymous().post("/api/v1/tips", json!({ "body": "Tin báo qua điện thoại" })).await.0, 401);
}

/// The pages: the public form (no account, no script) gives a code once, the status page reads
/// it back and takes more information; a form sent back too fast, or with the hidden field a bot
/// fills in, is refused; the hotline sees the tip in its queue and routes it from its page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_reports_from_the_pages_and_the_hotline_routes_it() {
    let s = TestServer::start(test_support::Backend::Sqlite).await.unwrap();
    people(&s).await;
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let get = |path: &str, cookie: Option<&str>| {
        let (http, url, cookie) = (http.clone(), format!("{}{path}", s.base), cookie.map(str::to_string));
        async move {
            let mut rb = http.get(url);
            if let Some(c) = cookie {
                rb = rb.header("cookie", c);
            }
            let resp = rb.send().await.unwrap();
            (resp.status().as_u16(), resp.text().await.unwrap())
        }
    };
    let post = |path: &str, cookie: Option<&str>, form: Vec<(&'static str, String)>| {
        let (http, url, cookie) = (http.clone(), format!("{}{path}", s.base), cookie.map(str::to_string));
        async move {
            let mut rb = http.post(url).form(&form);
            if let Some(c) = cookie {
                rb = rb.header("cookie", c);
            }
            let resp = rb.send().await.unwrap();
            (resp.status().as_u16(), resp.text().await.unwrap())
        }
    };
    let field =
        |html: &str, name: &str| html.split(&format!("name=\"{name}\" value=\"")).nth(1).unwrap().split('"').next().unwrap().to_string();

    let (status, html) = get("/tip", None).await;
    assert_eq!(status, 200);
    assert!(!html.contains(">?<"), "every word is translated");
    let token = field(&html, "token");
    let tip = |token: String, website: &str| {
        vec![
            ("token", token),
            ("website", website.to_string()),
            ("body", "Kho chứa pháo nổ ở thôn Nà Sla, xã Tân Thanh, giao hàng ban đêm".to_string()),
            ("province", "lang-son".to_string()),
            ("reporter_contact", "0911 222 333".to_string()),
        ]
    };
    let (status, html) = post("/tip", None, tip(token.clone(), "")).await;
    assert_eq!(status, 422, "sent back at once: no person types that fast");
    assert!(html.contains("tip-error"));
    s.clock.advance(10_000);
    let (status, _) = post("/tip", None, tip(field(&html, "token"), "http://spam.example")).await;
    assert_eq!(status, 422, "the hidden field was filled in");
    let (_, html) = get("/tip", None).await;
    let token = field(&html, "token");
    s.clock.advance(10_000);
    // As a browser sends the form with a photo chosen: multipart/form-data.
    let mut body = Vec::new();
    for (name, value) in tip(token.clone(), "") {
        body.extend_from_slice(format!("--XB\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes());
    }
    body.extend_from_slice(
        b"--XB\r\nContent-Disposition: form-data; name=\"files\"; filename=\"kho.png\"\r\nContent-Type: image/png\r\n\r\n",
    );
    body.extend_from_slice(PNG);
    body.extend_from_slice(b"\r\n--XB--\r\n");
    let resp =
        http.post(format!("{}/tip", s.base)).header("content-type", "multipart/form-data; boundary=XB").body(body).send().await.unwrap();
    let (status, html) = (resp.status().as_u16(), resp.text().await.unwrap());
    assert_eq!(status, 201, "{html}");
    let code = html.split("id=\"tracking-code\"><strong>").nth(1).unwrap().split('<').next().unwrap().to_string();
    assert_eq!(post("/tip", None, tip(token, "")).await.0, 422, "a form token is used once");

    let (status, html) = post("/tip/status", None, vec![("tracking_code", code.clone())]).await;
    assert_eq!(status, 200);
    assert!(html.contains("Đã tiếp nhận"), "{html}");
    let (_, html) =
        post("/tip/follow-up", None, vec![("tracking_code", code.clone()), ("body", "Có thêm một xe tải nhỏ màu xanh".into())]).await;
    assert!(html.contains("Có thêm một xe tải nhỏ màu xanh"), "{html}");
    let (status, _) = post("/tip/status", None, vec![("tracking_code", "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ".into())]).await;
    assert_eq!(status, 404);

    // The hotline's queue and the tip's page, with the reporter's contact; routing from the page.
    let resp = http
        .post(format!("{}/login", s.base))
        .form(&[("username", "sco.hotline"), ("password", test_support::PASSWORD)])
        .send()
        .await
        .unwrap();
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    let (status, html) = get("/tips", Some(&cookie)).await;
    assert_eq!(status, 200);
    let id = html.split("href=\"/tips/").skip(1).find(|s| !s.starts_with("call")).unwrap().split('"').next().unwrap().to_string();
    let (status, html) = get(&format!("/tips/{id}"), Some(&cookie)).await;
    assert_eq!(status, 200);
    assert!(html.contains("0911 222 333") && html.contains("Có thêm một xe tải nhỏ"), "{html}");
    assert!(html.contains("kho.png (image/png"), "the photo came with the form: {html}");
    let csrf = field(&html, "_csrf");
    let (status, _) =
        post(&format!("/tips/{id}/triage"), Some(&cookie), vec![("_csrf", csrf), ("violation_type", "smuggling".into())]).await;
    assert_eq!(status, 303);
    let (_, html) = get(&format!("/tips/{id}"), Some(&cookie)).await;
    assert!(html.contains("customs-lang-son") && html.contains("Đã chuyển xử lý"), "{html}");
}
