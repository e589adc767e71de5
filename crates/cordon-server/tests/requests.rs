//! Requests between administrations over HTTP, on SQLite and PostgreSQL, driven by an injected
//! clock: the lifecycle, deadlines with reminders and overdue flags, statistics checked against
//! a hand-counted fixture (JSON, CSV, XLSX), bad input refused with nothing written, sharing as
//! for cases, and signed packages for partners without Cordon — an answer package altered by
//! one byte is refused and nothing is stored.

use base64::Engine;
use reqwest::header;
use serde_json::{json, Value};
use test_support::{both_backends, split, Client, TestServer, T0};

both_backends!(
    requests_flags_and_statistics_by_hand,
    bad_requests_are_refused_and_sharing_decides_who_sees,
    packages_are_signed_and_an_altered_answer_is_refused
);

const DAY: i64 = 86_400_000;
const PDF: &[u8] = b"%PDF-1.7 C/O form E 2026 scan";

async fn people(s: &TestServer) {
    s.user("lo.asid", ("customs-vn", "customs"), "customs-asid", &["liaison_officer"]).await;
    s.user("hq.b", ("customs-vn", "customs"), "customs-b", &["officer"]).await;
    s.user("analyst", ("customs-vn", "customs"), "customs-hq", &["analyst"]).await;
    s.user("bp.officer", ("border-guard-vn", "border_guard"), "bg-unit", &["officer"]).await;
    s.user("ca.officer", ("police-vn", "police"), "police-unit", &["officer"]).await;
    s.user("admin", ("sco-389", "steering_committee_office"), "sco-hq", &["administrator"]).await;
    s.user("audit", ("sco-389", "steering_committee_office"), "sco-hq", &["auditor"]).await;
}

fn request(kind: &str, direction: &str, counterpart: &str) -> Value {
    json!({
        "kind": kind, "direction": direction, "counterpart": counterpart,
        "subject": format!("{kind} {counterpart}"),
        "details": "Đề nghị xác minh giấy chứng nhận xuất xứ mẫu E số E2026-0001",
        "legal_basis": "Hiệp định hợp tác và hỗ trợ lẫn nhau về hải quan (CMAA), Điều 4",
        "sharing": { "tlp": "amber", "distribution": ["own_agency"] }
    })
}

async fn create(c: &Client, body: Value) -> String {
    let (status, r) = c.post("/api/v1/requests", body).await;
    assert_eq!(status, 201, "{r}");
    assert_eq!(r["status"], "draft");
    r["id"].as_str().unwrap().to_string()
}

async fn step(c: &Client, id: &str, to: &str, reason: &str) -> Value {
    let (status, r) = c.post(&format!("/api/v1/requests/{id}/transitions"), json!({ "to": to, "reason": reason })).await;
    assert_eq!(status, 200, "{id} → {to}: {r}");
    r
}

async fn answer(c: &Client, id: &str, is_final: bool) -> Value {
    let (status, r) = c.post(&format!("/api/v1/requests/{id}/answers"), json!({ "final": is_final, "body": "Kết quả xác minh" })).await;
    assert_eq!(status, 200, "{r}");
    r
}

async fn flag_of(c: &Client, id: &str) -> String {
    c.get(&format!("/api/v1/requests/{id}")).await.1["deadline_flag"].as_str().unwrap().to_string()
}

/// Thirteen requests on a moving clock, and the January figures counted by hand.
async fn requests_flags_and_statistics_by_hand(s: TestServer) {
    people(&s).await;
    let lo = s.login("lo.asid").await;
    // 2026-01-15 08:00: everything is recorded; all but two drafts are sent or received at once.
    let with_deadline = |mut body: Value, days: i64| {
        body["deadline"] = json!(T0 + days * DAY);
        body
    };
    let r1 = create(&lo, request("verify_origin", "incoming", "customs:CN")).await;
    let r2 = create(&lo, with_deadline(request("verify_invoice", "incoming", "customs:cn"), 10)).await;
    let r3 = create(&lo, request("info_person", "incoming", "customs:LA")).await;
    let r4 = create(&lo, request("verify_company", "incoming", "customs:KH")).await;
    let r5 = create(&lo, request("info_person", "incoming", "org:interpol")).await;
    let r6 = create(&lo, request("verify_documents", "incoming", "customs:TH")).await;
    let r7 = create(&lo, request("verify_origin", "outgoing", "customs:CN")).await;
    let r8 = create(&lo, request("assist_controlled_delivery", "outgoing", "customs:KR")).await;
    let r9 = create(&lo, with_deadline(request("assist_surveillance", "outgoing", "agency:police-vn"), 5)).await;
    let r10 = create(&lo, request("info_shipment", "outgoing", "customs:JP")).await;
    let r11 = create(&lo, request("info_company", "outgoing", "customs:CN")).await;
    let r12 = create(&lo, request("verify_origin", "incoming", "customs:CN")).await;
    for id in [&r1, &r2, &r3, &r4, &r5, &r6] {
        step(&lo, id, "received", "").await;
    }
    for id in [&r7, &r8, &r9, &r11] {
        step(&lo, id, "sent", "").await;
    }
    let (_, one) = lo.get(&format!("/api/v1/requests/{r1}")).await;
    assert_eq!(one["deadline"].as_i64().unwrap(), T0 + 30 * DAY, "a verification's default: 30 days");
    assert!(!one["deadline_set_by_hand"].as_bool().unwrap());
    let (_, eight) = lo.get(&format!("/api/v1/requests/{r8}")).await;
    assert_eq!(eight["deadline"].as_i64().unwrap(), T0 + 60 * DAY, "assistance: 60 days");
    assert_eq!(eight["counterpart_name"], "Customs of South Korea");
    // Another customs unit receives one; the border guard records one kept to itself (RED).
    let hq_b = s.login("hq.b").await;
    let r13 = create(&hq_b, request("verify_origin", "incoming", "customs:MY")).await;
    let bg = s.login("bp.officer").await;
    let mut red = request("verify_origin", "incoming", "customs:CN");
    red["sharing"] = json!({ "tlp": "red" });
    let hidden = create(&bg, red).await;
    step(&bg, &hidden, "received", "").await;

    s.clock.advance(DAY); // 16 January
    answer(&lo, &r6, true).await;
    step(&hq_b, &r13, "received", "").await;
    s.clock.advance(DAY); // 17 January
    step(&lo, &r11, "withdrawn", "Đối tác đã tự cung cấp thông tin").await;
    s.clock.advance(DAY); // 18 January
    let partial = answer(&lo, &r3, false).await;
    assert_eq!(partial["status"], "partially_answered");
    answer(&lo, &r8, false).await;
    s.clock.advance(2 * DAY); // 20 January 08:00: r9's deadline
    answer(&lo, &r1, true).await;
    assert_eq!(flag_of(&lo, &r9).await, "overdue", "due at 08:00 today, unanswered");
    s.clock.advance(2 * DAY); // 22 January 08:00: r2 is due in three days
    assert_eq!(flag_of(&lo, &r2).await, "reminder");
    assert_eq!(flag_of(&lo, &r5).await, "none");
    let (_, overdue) = lo.get("/api/v1/requests?flag=overdue").await;
    let ids: Vec<&str> = overdue.as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![r9.as_str()]);
    let (_, reminders) = lo.get("/api/v1/requests?flag=reminder").await;
    assert_eq!(reminders.as_array().unwrap().len(), 1);
    step(&lo, &r4, "closed", "Doanh nghiệp đã giải thể; không thể xác minh").await;
    answer(&lo, &r7, true).await;
    s.clock.advance(3 * DAY); // 25 January
    answer(&lo, &r3, true).await;
    assert_eq!(flag_of(&lo, &r2).await, "overdue");
    assert_eq!(flag_of(&lo, &r3).await, "none", "answered is never overdue");
    s.clock.advance(9 * DAY); // 3 February
    step(&lo, &r12, "received", "").await;
    let _ = r10; // a draft never sent: counted nowhere

    // Counted by hand, January, as the liaison unit sees it:
    // received 1 2 3 4 5 6 (CN, CN, LA, KH, Interpol, TH: 4 countries), answered 1 (5 days),
    // 3 (10 days), 6 (1 day) — median 5; overdue 2 (due 25 Jan); 4 closed, 5 not yet due.
    // sent 7 8 9 11 (CN, KR, police, CN: 2 countries), answered 7 (7 days); overdue 9;
    // 8 only partly answered and not due; 11 withdrawn.
    let (status, st) = lo.get("/api/v1/requests/statistics?from=2026-01-01&to=2026-02-01&unit=customs-asid").await;
    assert_eq!(status, 200, "{st}");
    assert_eq!(st["received"], json!({ "requests": 6, "answered": 3, "overdue": 1, "median_answer_days": 5.0 }));
    assert_eq!(st["sent"], json!({ "requests": 4, "answered": 1, "overdue": 1, "median_answer_days": 7.0 }));
    assert_eq!((st["countries_received_from"].as_i64(), st["countries_sent_to"].as_i64()), (Some(4), Some(2)));
    assert_eq!(st["summary"], "Received 6 requests from 4 countries and territories, 3 answered; sent 4, 1 answered.");
    let row = |list: &str, key: &str| st[list].as_array().unwrap().iter().find(|r| r["key"] == key).cloned().unwrap();
    let cn = row("by_country", "CN");
    assert_eq!(cn["label"], "China");
    assert_eq!(cn["received"], json!({ "requests": 2, "answered": 1, "overdue": 1, "median_answer_days": 5.0 }));
    assert_eq!(cn["sent"], json!({ "requests": 2, "answered": 1, "overdue": 0, "median_answer_days": 7.0 }));
    let person = row("by_kind", "info_person");
    assert_eq!(person["received"], json!({ "requests": 2, "answered": 1, "overdue": 0, "median_answer_days": 10.0 }));
    assert_eq!(row("by_counterpart", "agency:police-vn")["sent"]["overdue"], 1);
    assert_eq!(st["by_country"].as_array().unwrap().len(), 5, "CN KH KR LA TH");
    // The whole agency adds the other unit's Malaysian request; the border guard's RED one stays out.
    let (_, agency) = lo.get("/api/v1/requests/statistics?from=2026-01-01&to=2026-02-01&agency=customs-vn").await;
    assert_eq!((agency["received"]["requests"].as_i64(), agency["countries_received_from"].as_i64()), (Some(7), Some(5)));
    let (_, all) = lo.get("/api/v1/requests/statistics?from=2026-01-01&to=2026-02-01").await;
    assert_eq!(all["received"]["requests"], 7, "nothing the caller may not see is counted");
    // February holds the one received on the 3rd; judged now, it is not overdue.
    let (_, feb) = lo.get("/api/v1/requests/statistics?from=2026-02-01&to=2026-03-01").await;
    assert_eq!(feb["received"], json!({ "requests": 1, "answered": 0, "overdue": 0, "median_answer_days": null }));
    assert_eq!(lo.get("/api/v1/requests/statistics?from=2026-02-01&to=2026-01-01").await.0, 422);
    assert_eq!(lo.get("/api/v1/requests/statistics?from=yesterday").await.0, 400);

    // The same figures as CSV and XLSX.
    let csv = lo
        .send(lo.http.get(format!("{}/api/v1/requests/statistics?from=2026-01-01&to=2026-02-01&unit=customs-asid&format=csv", lo.base)))
        .await;
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/csv"));
    let text = csv.text().await.unwrap();
    let total = text.lines().find(|l| l.starts_with("total,")).unwrap().to_string();
    assert!(total.ends_with(",6,3,1,5,4,1,1,7"), "{total}");
    assert!(text.lines().any(|l| l.starts_with("country,CN,China,2,1,1,5,2,1,0,7")), "{text}");
    let xlsx = lo
        .send(lo.http.get(format!("{}/api/v1/requests/statistics?from=2026-01-01&to=2026-02-01&unit=customs-asid&format=xlsx", lo.base)))
        .await;
    let bytes = xlsx.bytes().await.unwrap().to_vec();
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    use calamine::Reader;
    let sheet = book.worksheet_range("Requests").unwrap();
    let rows: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(rows[0][3], "received");
    let total = rows.iter().find(|r| r[0] == "total").unwrap();
    assert_eq!(&total[3..], &["6", "3", "1", "5", "4", "1", "1", "7"]);

    // Every read and change is on the record.
    let (_, entries) = s.login("audit").await.get(&format!("/api/v1/audit?object_id={r3}&limit=100")).await;
    let actions: Vec<&str> = entries.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    for a in ["request.create", "request.transition", "request.answer", "request.read"] {
        assert!(actions.contains(&a), "{a}: {actions:?}");
    }
    let (_, history) = lo.get(&format!("/api/v1/requests/{r3}")).await;
    let steps: Vec<(&str, &str)> = history["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["kind"].as_str().unwrap(), e["to_status"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        steps,
        vec![("created", "draft"), ("status_changed", "received"), ("answered", "partially_answered"), ("answered", "answered")]
    );
    assert_eq!(history["answers"].as_array().unwrap().len(), 2);
}

async fn bad_requests_are_refused_and_sharing_decides_who_sees(s: TestServer) {
    people(&s).await;
    let lo = s.login("lo.asid").await;
    let refused = |body: Value, field: &'static str| (body, field);
    let mut past = request("verify_origin", "outgoing", "customs:CN");
    past["deadline"] = json!(T0 - 1);
    let mut other_agency_group = request("verify_origin", "outgoing", "customs:CN");
    other_agency_group["sharing"] = json!({ "tlp": "amber", "distribution": ["group:nope"] });
    for (body, field) in [
        refused(request("verify_origin", "outgoing", "customs:XX"), "counterpart"),
        refused(request("verify_origin", "outgoing", "org:europol"), "counterpart"),
        refused(request("verify_origin", "outgoing", "agency:no-such-agency"), "counterpart"),
        refused(request("verify_origin", "outgoing", "china"), "counterpart"),
        refused(request("verify_everything", "outgoing", "customs:CN"), "kind"),
        refused(request("verify_origin", "sideways", "customs:CN"), "direction"),
        refused(past, "deadline"),
        refused(other_agency_group, "sharing.distribution"),
    ] {
        let (status, p) = lo.post("/api/v1/requests", body).await;
        assert_eq!((status, p["field"].as_str()), (422, Some(field)), "{p}");
    }
    assert_eq!(lo.get("/api/v1/requests").await.1.as_array().unwrap().len(), 0, "nothing written");
    assert_eq!(s.login("analyst").await.post("/api/v1/requests", request("verify_origin", "outgoing", "customs:CN")).await.0, 403);

    // A linked case the caller may not see is answered exactly as one that does not exist.
    let bg = s.login("bp.officer").await;
    let case = json!({ "case_type": "smuggling", "title": "Thu giữ thuốc lá", "detected_at": T0 - DAY, "sharing": { "tlp": "red" },
        "parties": [{ "kind": "person", "name": "Trần Văn B", "role": "driver" }] });
    let (status, c) = bg.post("/api/v1/cases", case).await;
    assert_eq!(status, 201, "{c}");
    let mut hidden = request("info_shipment", "outgoing", "customs:CN");
    hidden["linked_cases"] = json!([c["id"]]);
    let mut missing = request("info_shipment", "outgoing", "customs:CN");
    missing["linked_cases"] = json!(["0000000000000000000000000000"]);
    let (a, b) = (lo.post("/api/v1/requests", hidden).await, lo.post("/api/v1/requests", missing).await);
    assert_eq!(a.0, 422);
    assert_eq!(a, b, "the same answer for a case not shared and a case that does not exist");
    let mut hidden = request("info_person", "outgoing", "customs:CN");
    hidden["linked_entities"] = json!([c["parties"][0]["entity_id"]]);
    let mut missing = request("info_person", "outgoing", "customs:CN");
    missing["linked_entities"] = json!(["0000000000000000000000000000"]);
    let (a, b) = (lo.post("/api/v1/requests", hidden).await, lo.post("/api/v1/requests", missing).await);
    assert_eq!((a.0, a.1["field"].as_str()), (422, Some("linked_entities")), "{}", a.1);
    assert_eq!(a, b, "the same for entities");

    // Steps the lifecycle does not allow.
    let out = create(&lo, request("verify_origin", "outgoing", "customs:CN")).await;
    let inc = create(&lo, request("verify_origin", "incoming", "customs:CN")).await;
    for (id, to, reason) in
        [(&out, "received", ""), (&inc, "sent", ""), (&out, "answered", ""), (&out, "closed", "x"), (&out, "reopened", "")]
    {
        let (status, p) = lo.post(&format!("/api/v1/requests/{id}/transitions"), json!({ "to": to, "reason": reason })).await;
        assert_eq!(status, 422, "{to}: {p}");
    }
    let (status, p) = lo.post(&format!("/api/v1/requests/{out}/answers"), json!({ "final": true, "body": "x" })).await;
    assert_eq!(status, 422, "a draft takes no answer: {p}");
    step(&lo, &out, "sent", "").await;
    let (status, p) = lo.post(&format!("/api/v1/requests/{out}/transitions"), json!({ "to": "withdrawn" })).await;
    assert_eq!((status, p["field"].as_str()), (422, Some("reason")), "a withdrawal says why");
    answer(&lo, &out, true).await;
    assert_eq!(
        lo.post(&format!("/api/v1/requests/{out}/answers"), json!({ "final": true, "body": "again" })).await.0,
        422,
        "answered once"
    );
    let (_, done) = lo.get(&format!("/api/v1/requests/{out}")).await;
    assert_eq!(done["next_statuses"], json!(["closed"]));

    // Visibility follows the sharing, exactly as for cases; 404 outside it, 403 for a reader who may not work it.
    let analyst = s.login("analyst").await;
    assert_eq!(analyst.get(&format!("/api/v1/requests/{out}")).await.0, 200, "own agency");
    assert_eq!(analyst.post(&format!("/api/v1/requests/{out}/transitions"), json!({ "to": "closed", "reason": "x" })).await.0, 403);
    let (status, missing) = bg.get(&format!("/api/v1/requests/{out}")).await;
    assert_eq!(status, 404);
    assert_eq!(bg.get("/api/v1/requests/nope").await, (status, missing), "as if it did not exist");
    assert_eq!(bg.post(&format!("/api/v1/requests/{out}/answers"), json!({ "final": true, "body": "x" })).await.0, 404);
    assert!(bg.get("/api/v1/requests").await.1.as_array().unwrap().is_empty(), "not listed");
    let (_, st) = bg.get("/api/v1/requests/statistics?from=2026-01-01&to=2027-01-01").await;
    assert_eq!(st["sent"]["requests"], 0, "not counted");

    // A request to the police, shared with them: the police see it and answer it.
    let mut to_police = request("assist_surveillance", "outgoing", "agency:police-vn");
    to_police["sharing"] = json!({ "tlp": "amber", "distribution": ["own_agency", "agency:police-vn"], "handling": ["H2"] });
    let p = create(&lo, to_police).await;
    step(&lo, &p, "sent", "").await;
    let police = s.login("ca.officer").await;
    let (_, seen) = police.get(&format!("/api/v1/requests/{p}")).await;
    assert_eq!(seen["sharing"]["handling"], json!(["H2"]));
    assert_eq!(
        police.post(&format!("/api/v1/requests/{p}/transitions"), json!({ "to": "closed", "reason": "x" })).await.0,
        403,
        "the recording agency closes it"
    );
    let answered = answer(&police, &p, false).await;
    assert_eq!(answered["status"], "partially_answered");
    // A file on the answer, checked as evidence is.
    let answer_id = answered["answers"][0]["id"].as_str().unwrap().to_string();
    let upload = |bytes: &'static [u8]| {
        police
            .http
            .post(format!("{}/api/v1/requests/{p}/attachments?filename=bao-cao.pdf&answer={answer_id}", s.base))
            .header(header::CONTENT_TYPE, "application/pdf")
            .body(bytes)
    };
    assert_eq!(split(police.send(upload(b"MZ an executable")).await).await.0, 422);
    let (status, with_file) = split(police.send(upload(PDF)).await).await;
    assert_eq!(status, 200, "{with_file}");
    let sha = with_file["answers"][0]["files"][0]["sha256"].as_str().unwrap().to_string();
    let got = lo.send(lo.http.get(format!("{}/api/v1/requests/{p}/attachments/{sha}", s.base))).await;
    assert_eq!(got.bytes().await.unwrap().to_vec(), PDF.to_vec());
    assert_eq!(bg.send(bg.http.get(format!("{}/api/v1/requests/{p}/attachments/{sha}", s.base))).await.status(), 404);
}

fn partner_key() -> ed25519_dalek::SigningKey {
    ed25519_dalek::SigningKey::from_bytes(&[9u8; 32])
}

fn answer_package(key: &ed25519_dalek::SigningKey, reference: &str, text: &str) -> Vec<u8> {
    let body = json!({
        "type": "answer", "in_reply_to": reference, "issued_at": T0,
        "answer": { "final": true, "text": text },
        "attachments": [{
            "filename": "ket-qua-xac-minh.pdf", "media_type": "application/pdf",
            "sha256": hex::encode(<sha2::Sha256 as sha2::Digest>::digest(PDF)),
            "content_base64": base64::engine::general_purpose::STANDARD.encode(PDF),
        }],
    });
    serde_json::to_vec_pretty(&cordon_app::sign_package(key, body)).unwrap()
}

async fn packages_are_signed_and_an_altered_answer_is_refused(s: TestServer) {
    people(&s).await;
    let lo = s.login("lo.asid").await;
    let id = create(&lo, request("verify_origin", "outgoing", "customs:CN")).await;
    let rb = lo.http.post(format!("{}/api/v1/requests/{id}/attachments?filename=CO-form-E.pdf", s.base)).body(PDF.to_vec());
    assert_eq!(split(lo.send(rb).await).await.0, 200);
    step(&lo, &id, "sent", "").await;

    // The export is signed by this node's key and carries the file itself.
    let resp = lo.send(lo.http.get(format!("{}/api/v1/requests/{id}/package", s.base))).await;
    assert_eq!(resp.status(), 200);
    let bytes = resp.bytes().await.unwrap().to_vec();
    let node_key = hex::encode(ed25519_dalek::SigningKey::from_bytes(&[42u8; 32]).verifying_key().as_bytes());
    let (body, signer) = cordon_app::verify_package(&bytes, std::slice::from_ref(&node_key)).unwrap();
    assert_eq!(signer, node_key);
    let reference = body["request"]["reference"].as_str().unwrap().to_string();
    assert_eq!(body["request"]["to"], "customs:CN");
    assert_eq!(body["request"]["tlp"], "TLP:AMBER");
    let embedded = base64::engine::general_purpose::STANDARD.decode(body["attachments"][0]["content_base64"].as_str().unwrap()).unwrap();
    assert_eq!(embedded, PDF);
    assert_eq!(s.login("bp.officer").await.get(&format!("/api/v1/requests/{id}/package")).await.0, 404);
    assert_eq!(s.login("analyst").await.get(&format!("/api/v1/requests/{id}/package")).await.0, 403);

    // The Chinese partner's key, trusted by an administrator for customs:CN only.
    let partner = partner_key();
    let public = hex::encode(partner.verifying_key().as_bytes());
    let admin = s.login("admin").await;
    assert_eq!(lo.post("/api/v1/partner-keys", json!({ "counterpart": "customs:CN", "public_key": public, "label": "x" })).await.0, 403);
    let bad_key = json!({ "counterpart": "customs:CN", "public_key": "abcd", "label": "x" });
    assert_eq!(admin.post("/api/v1/partner-keys", bad_key).await.0, 422);
    let (status, k) = admin
        .post(
            "/api/v1/partner-keys",
            json!({ "counterpart": "customs:cn", "public_key": public, "label": "Handed over at the 2026 bilateral meeting" }),
        )
        .await;
    assert_eq!(status, 201, "{k}");
    assert_eq!(admin.get("/api/v1/partner-keys").await.1.as_array().unwrap().len(), 1);

    let import = |package: Vec<u8>| {
        let (lo, url) = (lo.clone(), format!("{}/api/v1/requests/{id}/answers/package", s.base));
        async move {
            let rb = lo.http.post(url).header(header::CONTENT_TYPE, "application/json").body(package);
            split(lo.send(rb).await).await
        }
    };
    let genuine = answer_package(&partner, &reference, "C/O mẫu E số E2026-0001 do cơ quan có thẩm quyền cấp, hợp lệ.");
    // One byte altered anywhere that matters — the answer, the file, the reference, the
    // signature, the key — and the package is refused, with nothing stored.
    let text = std::str::from_utf8(&genuine).unwrap();
    let positions = [
        text.find("hợp lệ").unwrap(),
        text.find("content_base64").unwrap() + 20,
        text.find(&reference).unwrap() + reference.len() - 1,
        text.find("\"value\"").unwrap() + 12,
        text.find("\"public_key\"").unwrap() + 20,
        text.find("\"final\"").unwrap() + 9,
    ];
    for at in positions {
        let mut altered = genuine.clone();
        altered[at] ^= 0x01;
        let (status, p) = import(altered).await;
        assert!((400..500).contains(&status), "byte {at}: {status} {p}");
        assert!(p["detail"].as_str().is_some_and(|d| !d.is_empty()), "a clear reason: {p}");
    }
    let (status, p) = import(answer_package(&ed25519_dalek::SigningKey::from_bytes(&[8u8; 32]), &reference, "x")).await;
    assert_eq!((status, p["field"].as_str()), (422, Some("signature")), "an untrusted key: {p}");
    let (status, p) = import(answer_package(&partner, "YC-2026-999999", "x")).await;
    assert_eq!(status, 422, "an answer to another request: {p}");
    let (_, untouched) = lo.get(&format!("/api/v1/requests/{id}")).await;
    assert_eq!(untouched["status"], "sent");
    assert!(untouched["answers"].as_array().unwrap().is_empty(), "nothing stored");
    assert_eq!(untouched["files"].as_array().unwrap().len(), 1);

    // The genuine package attaches as the final answer, with its file, and the signer on record.
    let (status, done) = import(genuine.clone()).await;
    assert_eq!(status, 200, "{done}");
    let (status, p) = import(genuine).await;
    assert_eq!(status, 422, "the same package twice is one answer: {p}");
    assert_eq!(done["status"], "answered");
    let a = &done["answers"][0];
    assert_eq!((a["via"].as_str(), a["signed_by"].as_str(), a["is_final"].as_bool()), (Some("package"), Some(public.as_str()), Some(true)));
    assert_eq!(a["files"][0]["media_type"], "application/pdf");
    let (_, entries) = s.login("audit").await.get(&format!("/api/v1/audit?object_id={id}&limit=100")).await;
    let outcomes: Vec<(&str, &str)> = entries
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "request.package.import")
        .map(|e| (e["action"].as_str().unwrap(), e["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(outcomes.iter().filter(|(_, o)| *o == "refused").count(), positions.len() + 3, "every refusal is on the record");
    assert_eq!(outcomes.iter().filter(|(_, o)| *o == "ok").count(), 1);
}

/// The pages: record a request through the form (a bad counterpart is shown back with the
/// reason), see its deadline flag move with the clock in the list, move and answer it, and
/// read the period's statistics in words and in a table.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_pages() {
    let s = TestServer::start(test_support::Backend::Sqlite).await.unwrap();
    people(&s).await;
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let cookie_of = |user: &'static str| {
        let (http, base) = (http.clone(), s.base.clone());
        async move {
            let resp =
                http.post(format!("{base}/login")).form(&[("username", user), ("password", test_support::PASSWORD)]).send().await.unwrap();
            resp.headers()[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_string()
        }
    };
    let cookie = cookie_of("lo.asid").await;
    let get = |path: String, cookie: String| {
        let (http, base) = (http.clone(), s.base.clone());
        async move {
            let resp = http.get(format!("{base}{path}")).header(header::COOKIE, cookie).send().await.unwrap();
            (resp.status().as_u16(), resp.text().await.unwrap())
        }
    };
    let (status, form) = get("/requests/new".into(), cookie.clone()).await;
    assert_eq!(status, 200);
    assert!(form.contains("<label for=\"counterpart\">"), "controls have labels");
    let token = form.split("name=\"_csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let post = |path: String, fields: Vec<(&'static str, String)>| {
        let (http, base, cookie) = (http.clone(), s.base.clone(), cookie.clone());
        async move { http.post(format!("{base}{path}")).header(header::COOKIE, cookie).form(&fields).send().await.unwrap() }
    };
    let mut fields = vec![
        ("kind", "verify_origin".to_string()),
        ("direction", "incoming".to_string()),
        ("counterpart", "customs:XX".to_string()),
        ("subject", "Xác minh C/O mẫu E".to_string()),
        ("legal_basis", "CMAA Việt Nam – Trung Quốc".to_string()),
        ("deadline", "2026-01-17T08:00".to_string()),
        ("tlp", "amber_strict".to_string()),
        ("distribution", "own_agency".to_string()),
    ];
    assert_eq!(post("/requests/new".into(), fields.clone()).await.status(), 403, "no token, no write");
    fields.push(("_csrf", token.clone()));
    let refused = post("/requests/new".into(), fields.clone()).await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.unwrap();
    assert!(page.contains("role=\"alert\"") && page.contains("XX"), "the reason is shown");
    assert!(page.contains("value=\"Xác minh C/O mẫu E\""), "what was typed is kept");
    fields[2].1 = "customs:CN".into();
    let created = post("/requests/new".into(), fields).await;
    assert_eq!(created.status(), 303);
    let location = created.headers()[header::LOCATION].to_str().unwrap().to_string();
    let id = location.trim_start_matches("/requests/").to_string();

    let moved =
        post(format!("{location}/transition"), vec![("_csrf", token.clone()), ("to", "received".into()), ("reason", String::new())]).await;
    assert_eq!(moved.status(), 303);
    let (_, detail) = get(location.clone(), cookie.clone()).await;
    assert!(detail.contains("Đã tiếp nhận") && detail.contains("Sắp đến hạn"), "received, due in two days");
    assert!(detail.contains("id=\"history\""));
    let (_, list) = get("/requests".into(), cookie.clone()).await;
    assert!(list.contains(&format!("href=\"/requests/{id}\"")) && list.contains("data-flag=\"reminder\""));
    s.clock.advance(3 * DAY);
    // Three days on, the session has long expired: sign in again.
    let cookie = cookie_of("lo.asid").await;
    let (_, form) = get("/requests/new".into(), cookie.clone()).await;
    let token = form.split("name=\"_csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let post = |path: String, fields: Vec<(&'static str, String)>| {
        let (http, base, cookie) = (http.clone(), s.base.clone(), cookie.clone());
        async move { http.post(format!("{base}{path}")).header(header::COOKIE, cookie).form(&fields).send().await.unwrap() }
    };
    let (_, list) = get("/requests?flag=overdue".into(), cookie.clone()).await;
    assert!(list.contains("data-flag=\"overdue\"") && list.contains("Quá hạn"), "overdue once the clock passes the deadline");
    let (_, none) = get("/requests?flag=reminder".into(), cookie.clone()).await;
    assert!(none.contains("Không có yêu cầu nào."));

    let answered =
        post(format!("{location}/answer"), vec![("_csrf", token.clone()), ("body", "C/O hợp lệ".into()), ("final", "true".into())]).await;
    assert_eq!(answered.status(), 303);
    let (_, detail) = get(location.clone(), cookie.clone()).await;
    assert!(detail.contains("C/O hợp lệ") && detail.contains("Trả lời cuối cùng"));
    let closed_without_reason = post(format!("{location}/transition"), vec![("_csrf", token.clone()), ("to", "closed".into())]).await;
    assert_eq!(closed_without_reason.status(), 422, "the page says why");

    let (status, stats) = get("/requests/statistics?from=2026-01-01&to=2026-02-01".into(), cookie.clone()).await;
    assert_eq!(status, 200);
    assert!(stats.contains("Tiếp nhận 1 yêu cầu từ 1 nước và vùng lãnh thổ, đã trả lời 1; gửi 0 yêu cầu, 0 đã được trả lời."), "{stats}");
    assert!(stats.contains("China (CN)") && stats.contains("format=xlsx"));

    // Another agency's officer: the request is not there.
    let other = cookie_of("bp.officer").await;
    assert_eq!(get(location, other.clone()).await.0, 404);
    let (_, list) = get("/requests".into(), other).await;
    assert!(!list.contains(&id));
}

/// The printable form: a PDF whose text, read back by an independent reader (pypdf, from the
/// Python `CORDON_PDF_PYTHON` names), is the request's Vietnamese text; and like the request
/// itself, nobody outside its sharing gets it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_prints_with_its_vietnamese_text() {
    let s = TestServer::start(test_support::Backend::Sqlite).await.unwrap();
    people(&s).await;
    let lo = s.login("lo.asid").await;
    let id = create(&lo, request("verify_origin", "outgoing", "customs:CN")).await;
    step(&lo, &id, "sent", "gửi qua đường công văn").await;
    answer(&lo, &id, false).await;
    let resp = lo.send(lo.http.get(format!("{}/api/v1/requests/{id}/pdf", s.base))).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/pdf");
    let pdf = resp.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-1.7"));
    let anonymous = s.anonymous();
    assert_eq!(anonymous.send(anonymous.http.get(format!("{}/api/v1/requests/{id}/pdf", s.base))).await.status(), 401, "no token, no PDF");
    let police = s.login("ca.officer").await;
    assert_eq!(police.send(police.http.get(format!("{}/api/v1/requests/{id}/pdf", s.base))).await.status(), 404);

    let Ok(python) = std::env::var("CORDON_PDF_PYTHON") else {
        assert!(std::env::var("CORDON_REQUIRE_PDF").as_deref() != Ok("1"), "CORDON_REQUIRE_PDF=1 but CORDON_PDF_PYTHON is not set");
        eprintln!("PDF text check SKIPPED: set CORDON_PDF_PYTHON to a Python with the pypdf package");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("request.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let out = std::process::Command::new(python)
        .args(["-c", "import sys, pypdf; print('\\n'.join(p.extract_text() for p in pypdf.PdfReader(sys.argv[1]).pages))"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let flat = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        "Đề nghị xác minh giấy chứng nhận xuất xứ mẫu E số E2026-0001",
        "Hiệp định hợp tác và hỗ trợ lẫn nhau về hải quan (CMAA), Điều 4",
        "Kết quả xác minh",
    ] {
        assert!(flat(&text).contains(expected), "{expected:?} not in the PDF's text:\n{text}");
    }
}
