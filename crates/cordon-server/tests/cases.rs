//! Cases end to end over HTTP, on SQLite and PostgreSQL: recording, reading, search,
//! the sharing matrix, redaction under agreements, lifecycle, concurrency and audit.

use reqwest::header;
use serde_json::{json, Value};
use test_support::{both_backends, split, Client, TestServer, T0};

both_backends!(
    record_read_and_find_a_seizure,
    missing_and_given_quantities_and_coordinates_alternate,
    sharing_matrix_over_every_case_route,
    parties_are_withheld_across_agencies_without_an_agreement,
    lifecycle_roles_and_optimistic_concurrency,
    bad_cases_are_refused_and_nothing_is_written,
    external_reference_makes_creation_idempotent,
    sharing_group_membership_is_not_visible_to_members,
    evidence_files_are_checked_stored_once_and_shared_like_their_case,
    a_party_or_file_shared_more_narrowly_is_not_there_for_others,
    access_to_withheld_parties_is_asked_and_decided_by_the_holder,
    totals_count_only_what_the_caller_may_see,
    an_entity_gathers_its_cases_and_links_as_the_caller_may_see_them,
);

async fn people(s: &TestServer) {
    s.user("root", ("sco-389", "steering_committee_office"), "sco-hq", &["administrator"]).await;
    s.user("audit", ("sco-389", "steering_committee_office"), "sco-hq", &["auditor"]).await;
    s.user("hq.huunghi", ("customs-vn", "customs"), "customs-huu-nghi", &["officer"]).await;
    s.user("hq.head", ("customs-vn", "customs"), "customs-huu-nghi", &["unit_head", "officer"]).await;
    s.user("hq.mongcai", ("customs-vn", "customs"), "customs-mong-cai", &["officer"]).await;
    s.user("bp.langson", ("border-guard-vn", "border_guard"), "bg-lang-son", &["officer"]).await;
    s.user("ca.langson", ("police-vn", "police"), "police-lang-son", &["officer"]).await;
    s.user("qltt.langson", ("market-vn", "market_surveillance"), "qltt-lang-son", &["officer"]).await;
    s.user("cn.liaison", ("customs-cn", "foreign_customs"), "customs-cn-desk", &["liaison_officer", "officer"]).await;
}

fn seizure(tlp: &str, distribution: &[&str]) -> Value {
    json!({
        "case_type": "smuggling",
        "title": "Thu giữ 2.000 bao thuốc lá ngoại nhập lậu",
        "summary": "Xe tải biển 12C-001.23 giấu thuốc lá trong hầm hàng dưới lớp hoa quả.",
        "detected_at": T0 - 3_600_000,
        "province": "Lạng Sơn",
        "port": "huu-nghi",
        "place_type": "border_gate",
        "in_customs_area": true,
        "latitude": 21.96,
        "longitude": 106.70,
        "detection_method": "scanner",
        "concealment": "hầm hàng giả dưới lớp hoa quả",
        "transport_mode": "road",
        "conveyance": { "plate": "12C-001.23" },
        "goods": [
            { "description": "Thuốc lá điếu Esse", "hs_code": "2402.20", "category": "cigarettes", "brand": "Esse", "quantity": 2000, "unit": "bao", "value_vnd": 60000000 },
            { "description": "Thuốc lá điếu Jet", "hs_code": "24022090", "category": "cigarettes", "quantity": 500, "unit": "bao", "value_vnd": 12500000 }
        ],
        "parties": [
            { "kind": "person", "name": "Nguyễn Văn An", "identifiers": { "cccd": "020 085 012 345" }, "role": "driver" },
            { "kind": "vehicle", "name": "12C-001.23", "identifiers": { "plate": "12C-001.23" }, "role": "owner" }
        ],
        "sharing": { "tlp": tlp, "distribution": distribution, "handling": ["H2"] }
    })
}

async fn create(c: &Client, body: Value) -> Value {
    let (status, v) = c.post("/api/v1/cases", body).await;
    assert_eq!(status, 201, "{v}");
    v
}

async fn record_read_and_find_a_seizure(s: TestServer) {
    people(&s).await;
    let officer = s.login("hq.huunghi").await;
    let created = create(&officer, seizure("amber", &["own_agency", "agency:border-guard-vn"])).await;
    assert_eq!(created["status"], "reported");
    assert_eq!(created["version"], 1);
    assert_eq!(created["province_code"], "lang-son");
    assert_eq!(created["total_value_vnd"], 72_500_000);
    assert_eq!(created["goods"][0]["hs_code"], "240220");
    assert_eq!(created["conveyance"]["plate"], "12C00123");
    assert_eq!(created["parties"][0]["identifiers"]["cccd"], "020085012345");
    assert!(created["reference"].as_str().unwrap().starts_with("VV-LANGSON-2026-"), "{}", created["reference"]);
    let id = created["id"].as_str().unwrap();

    let resp = officer.send(officer.http.get(format!("{}/api/v1/cases/{id}", s.base))).await;
    assert_eq!(resp.headers()[header::ETAG], "\"1\"");
    let (status, read) = split(resp).await;
    assert_eq!(status, 200);
    assert_eq!(read["title"], "Thu giữ 2.000 bao thuốc lá ngoại nhập lậu");
    assert_eq!(read["sharing"]["handling"], json!(["H2"]));

    for q in ["thuoc%20la", "THUỐC%20LÁ", "nguyen%20van%20an", "esse", "12C00123"] {
        let (status, page) = officer.get(&format!("/api/v1/cases?q={q}")).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["items"].as_array().unwrap().len(), 1, "search {q:?} finds the case");
    }
    let (_, none) = officer.get("/api/v1/cases?q=heroin").await;
    assert!(none["items"].as_array().unwrap().is_empty());
    // Filters: a pre-2025 province name resolves; a commodity; a period.
    let (_, by_old_name) = officer.get("/api/v1/cases?province=lang%20son&commodity=cigarettes&case_type=smuggling").await;
    assert_eq!(by_old_name["items"].as_array().unwrap().len(), 1);
    let (_, later) = officer.get(&format!("/api/v1/cases?since={T0}")).await;
    assert!(later["items"].as_array().unwrap().is_empty());
    let (_, count) = officer.get("/api/v1/cases/count?q=thuoc").await;
    assert_eq!(count["count"], 1);

    let (status, events) = officer.get(&format!("/api/v1/cases/{id}/events")).await;
    assert_eq!(status, 200);
    assert_eq!(events[0]["kind"], "created");

    // Pages: newest first, cursors stable.
    for i in 0..4 {
        let mut body = seizure("amber_strict", &["own_agency"]);
        body["detected_at"] = json!(T0 - 10_000_000 - i * 1000);
        create(&officer, body).await;
    }
    let (_, p1) = officer.get("/api/v1/cases?limit=2").await;
    let cursor = p1["next_cursor"].as_str().unwrap();
    let (_, p2) = officer.get(&format!("/api/v1/cases?limit=2&cursor={cursor}")).await;
    let (_, p3) = officer.get(&format!("/api/v1/cases?limit=2&cursor={}", p2["next_cursor"].as_str().unwrap())).await;
    let ids: Vec<&str> =
        [&p1, &p2, &p3].iter().flat_map(|p| p["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap())).collect();
    assert_eq!(ids.len(), 5);
    assert_eq!(ids.iter().collect::<std::collections::HashSet<_>>().len(), 5, "no case twice across pages");
    assert!(p3["next_cursor"].is_null());
    let (status, body) = officer.get("/api/v1/cases?cursor=garbage").await;
    assert_eq!((status, body["field"].as_str()), (422, Some("cursor")));
}

/// Every case route × every kind of viewer × every label and distribution, against the
/// rule as the users state it (written out here, not computed by the code under test).
async fn sharing_matrix_over_every_case_route(s: TestServer) {
    people(&s).await;
    let root = s.login("root").await;
    let (status, _) = root
        .post(
            "/api/v1/sharing-groups",
            json!({ "id": "mekong", "name": "Mekong Dragon", "owner_agency_id": "customs-vn", "members": ["police-vn", "customs-cn"] }),
        )
        .await;
    assert_eq!(status, 201);
    let owner = s.login("hq.huunghi").await;
    let viewers = ["hq.huunghi", "hq.mongcai", "bp.langson", "ca.langson", "qltt.langson", "cn.liaison"];
    let mut clients = Vec::new();
    for v in viewers {
        clients.push(s.login(v).await);
    }
    // Who may see: [same unit, same agency other unit, border guard, police (in group), market surveillance, foreign (in group)].
    let matrix: [(&str, &[&str], [bool; 6]); 9] = [
        ("red", &[], [true, false, false, false, false, false]),
        ("amber_strict", &["own_agency"], [true, true, false, false, false, false]),
        ("amber", &["agency:border-guard-vn"], [true, false, true, false, false, false]),
        ("amber", &["group:mekong"], [true, false, false, true, false, true]),
        ("amber", &["international"], [true, false, false, false, false, true]),
        ("green", &["all_domestic"], [true, true, true, true, true, false]),
        ("green", &["own_agency", "agency:police-vn"], [true, true, false, true, false, false]),
        ("green", &["all_domestic", "international"], [true; 6]),
        ("clear", &[], [true; 6]),
    ];
    let mut ids = Vec::new();
    for (i, (tlp, dist, _)) in matrix.iter().enumerate() {
        let mut body = seizure(tlp, dist);
        body["title"] = json!(format!("Vụ số {i} thuốc lá"));
        ids.push(create(&owner, body).await["id"].as_str().unwrap().to_string());
    }
    for (vi, client) in clients.iter().enumerate() {
        let (_, page) = client.get("/api/v1/cases?limit=100").await;
        let listed: Vec<&str> = page["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
        let (_, found) = client.get("/api/v1/cases?q=thuoc%20la&limit=100").await;
        let found: Vec<&str> = found["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
        let (_, count) = client.get("/api/v1/cases/count").await;
        let want_count = matrix.iter().filter(|m| m.2[vi]).count();
        assert_eq!(count["count"], want_count, "{} counts only what it may see", viewers[vi]);
        for (ci, (tlp, dist, want)) in matrix.iter().enumerate() {
            let id = &ids[ci];
            let ctx = format!("{} on {tlp} {dist:?}", viewers[vi]);
            assert_eq!(listed.contains(&id.as_str()), want[vi], "list: {ctx}");
            assert_eq!(found.contains(&id.as_str()), want[vi], "search: {ctx}");
            let (status, body) = client.get(&format!("/api/v1/cases/{id}")).await;
            assert_eq!(status, if want[vi] { 200 } else { 404 }, "read: {ctx}: {body}");
            let (status, _) = client.get(&format!("/api/v1/cases/{id}/events")).await;
            assert_eq!(status, if want[vi] { 200 } else { 404 }, "events: {ctx}");
            // Writes: the invisible is not found; the visible but foreign-unit is forbidden to edit.
            let put = client
                .send(client.http.put(format!("{}/api/v1/cases/{id}", s.base)).header(header::IF_MATCH, "\"1\"").json(&seizure(tlp, dist)))
                .await;
            let want_put = if vi == 0 {
                200
            } else if want[vi] {
                403
            } else {
                404
            };
            assert_eq!(put.status().as_u16(), want_put, "put: {ctx}");
            let party = json!({ "kind": "company", "name": "Công ty TNHH Thương mại X", "role": "consignee" });
            let add = client
                .send(client.http.post(format!("{}/api/v1/cases/{id}/parties", s.base)).header(header::IF_MATCH, "\"999\"").json(&party))
                .await;
            let want_add = if want[vi]
                && ["hq.huunghi", "hq.mongcai", "bp.langson", "ca.langson", "qltt.langson", "cn.liaison"].contains(&viewers[vi])
            {
                412
            } else {
                404
            };
            assert_eq!(add.status().as_u16(), want_add, "add party: {ctx}");
        }
    }
    // Administrators and auditors see no intelligence by virtue of their role.
    let auditor = s.login("audit").await;
    let (_, page) = auditor.get("/api/v1/cases?limit=100").await;
    let n = page["items"].as_array().unwrap().len();
    assert_eq!(n, 3, "the Steering Committee office is domestic: it sees the all-domestic and the CLEAR cases, nothing narrower");
    let (status, _) = root.get(&format!("/api/v1/cases/{}", ids[0])).await;
    assert_eq!(status, 404, "an administrator does not read a RED case");
    // Every read, granted or not, is on the record.
    let (_, entries) = auditor.get(&format!("/api/v1/audit?object_type=case&object_id={}&limit=1000", ids[0])).await;
    let reads: Vec<(&str, &str)> = entries
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "case.read")
        .map(|e| (e["actor_unit_id"].as_str().unwrap(), e["outcome"].as_str().unwrap()))
        .collect();
    assert!(reads.contains(&("customs-huu-nghi", "ok")), "{reads:?}");
    assert!(reads.contains(&("bg-lang-son", "denied")), "{reads:?}");
    assert!(reads.contains(&("sco-hq", "denied")), "{reads:?}");
}

async fn parties_are_withheld_across_agencies_without_an_agreement(s: TestServer) {
    people(&s).await;
    let officer = s.login("hq.huunghi").await;
    let id = create(&officer, seizure("amber", &["agency:border-guard-vn", "agency:police-vn"])).await["id"].as_str().unwrap().to_string();
    let bg = s.login("bp.langson").await;
    let (_, seen) = bg.get(&format!("/api/v1/cases/{id}")).await;
    let person = &seen["parties"][0];
    assert_eq!(person["withheld"], true);
    assert_eq!(person["held_by"], "customs-vn");
    assert!(person["name"].is_null() && person["entity_id"].is_null());
    assert_eq!(person["identifiers"], json!({}));
    assert_eq!(seen["parties"][1]["withheld"], false, "a vehicle is not personal data");
    assert!(!seen.to_string().contains("020085012345"));
    // Withheld parties are not found by name either.
    let (_, found) = bg.get("/api/v1/cases?q=nguyen%20van%20an").await;
    assert!(found["items"].as_array().unwrap().is_empty() || found["items"][0]["parties"][0]["withheld"] == true);

    let root = s.login("root").await;
    let agreement = json!({ "id": "qcph-5341", "name": "Quy chế phối hợp 5341/QCPH/TCHQ-TCCS", "agency_a": "customs-vn", "agency_b": "border-guard-vn",
        "case_types": ["smuggling"], "disclose_personal": true, "valid_from": T0 - 86_400_000 });
    let (status, body) = root.post("/api/v1/agreements", agreement).await;
    assert_eq!(status, 201, "{body}");
    let (_, seen) = bg.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(seen["parties"][0]["withheld"], false);
    assert_eq!(seen["parties"][0]["name"], "Nguyễn Văn An");
    assert_eq!(seen["disclosed_under"], "qcph-5341");
    let police = s.login("ca.langson").await;
    let (_, seen) = police.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(seen["parties"][0]["withheld"], true, "the agreement binds customs and border guard only");
    // An agreement that has expired discloses nothing.
    s.clock.advance(400 * 86_400_000);
    let (root, police) = (s.login("root").await, s.login("ca.langson").await);
    let (status, body) = root
        .post(
            "/api/v1/agreements",
            json!({ "id": "old", "name": "x", "agency_a": "customs-vn", "agency_b": "police-vn",
        "disclose_personal": true, "valid_from": T0 - 86_400_000, "valid_until": T0 }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (_, seen) = police.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(seen["parties"][0]["withheld"], true);
    let (status, body) = root.post("/api/v1/agreements", json!({ "id": "self", "name": "x", "agency_a": "customs-vn", "agency_b": "customs-vn", "disclose_personal": true, "valid_from": 0 })).await;
    assert_eq!((status, body["field"].as_str()), (422, Some("agency_b")));
    let (_, mine) = s.login("bp.langson").await.get("/api/v1/agreements").await;
    assert_eq!(mine.as_array().unwrap().len(), 1, "an agency sees its own agreements");
}

async fn lifecycle_roles_and_optimistic_concurrency(s: TestServer) {
    people(&s).await;
    let officer = s.login("hq.huunghi").await;
    let head = s.login("hq.head").await;
    let id = create(&officer, seizure("amber_strict", &["own_agency"])).await["id"].as_str().unwrap().to_string();
    let step = |c: &Client, version: &str, to: &str, reason: &str| {
        let rb = c
            .http
            .post(format!("{}/api/v1/cases/{id}/transitions", s.base))
            .header(header::IF_MATCH, version.to_string())
            .json(&json!({ "to": to, "reason": reason }));
        let c = c.clone();
        async move { split(c.send(rb).await).await }
    };
    let (status, v) = step(&officer, "\"1\"", "verified", "").await;
    assert_eq!((status, v["status"].as_str(), v["version"].as_i64()), (200, Some("verified"), Some(2)));
    let (status, v) = step(&officer, "\"2\"", "seized", "").await;
    assert_eq!(status, 200);
    assert!(v["seized_at"].is_i64());
    let (status, body) = step(&officer, "\"3\"", "transferred_for_investigation", "dấu hiệu tội phạm").await;
    assert_eq!((status, body["code"].as_str()), (403, Some("forbidden")), "an officer does not decide a transfer");
    let (status, body) = step(&head, "\"3\"", "transferred_for_investigation", "").await;
    assert_eq!((status, body["field"].as_str()), (422, Some("reason")));
    let (status, _) = step(&head, "\"3\"", "transferred_for_investigation", "Chuyển Công an tỉnh Lạng Sơn điều tra theo thẩm quyền").await;
    assert_eq!(status, 200);
    let (status, body) = step(&head, "\"3\"", "closed", "x").await;
    assert_eq!((status, body["code"].as_str()), (412, Some("stale")), "acting on an old version is refused");
    let (status, _) = step(&head, "\"4\"", "closed", "Đã chuyển hồ sơ").await;
    assert_eq!(status, 200);
    let (status, body) = step(&head, "\"5\"", "reported", "reopen").await;
    assert_eq!((status, body["field"].as_str()), (422, Some("to")), "a closed case is not reopened");
    let resp =
        officer.send(officer.http.post(format!("{}/api/v1/cases/{id}/transitions", s.base)).json(&json!({ "to": "verified" }))).await;
    let (status, body) = split(resp).await;
    assert_eq!((status, body["code"].as_str()), (428, Some("precondition_required")));
    let (_, events) = officer.get(&format!("/api/v1/cases/{id}/events")).await;
    let kinds: Vec<(&str, &str)> = events
        .as_array()
        .unwrap()
        .iter()
        .skip(1)
        .map(|e| (e["to_status"].as_str().unwrap(), e["actor_user_id"].as_str().unwrap()))
        .collect();
    assert_eq!(kinds.len(), 4, "{events}");
    assert_eq!(events[3]["reason"], "Chuyển Công an tỉnh Lạng Sơn điều tra theo thẩm quyền");

    // Two officers edit the same version: the second is told, not silently overwritten.
    let id2 = create(&officer, seizure("amber_strict", &["own_agency"])).await["id"].as_str().unwrap().to_string();
    let mut a = seizure("amber_strict", &["own_agency"]);
    a["title"] = json!("Sửa lần một");
    let mut b = seizure("amber_strict", &["own_agency"]);
    b["title"] = json!("Sửa lần hai");
    let put = |c: &Client, body: Value| {
        let rb = c.http.put(format!("{}/api/v1/cases/{id2}", s.base)).header(header::IF_MATCH, "\"1\"").json(&body);
        let c = c.clone();
        async move { split(c.send(rb).await).await }
    };
    let (s1, v1) = put(&officer, a).await;
    let (s2, v2) = put(&head, b).await;
    assert_eq!((s1, v1["version"].as_i64()), (200, Some(2)));
    assert_eq!((s2, v2["code"].as_str()), (412, Some("stale")));
    let (_, now) = officer.get(&format!("/api/v1/cases/{id2}")).await;
    assert_eq!(now["title"], "Sửa lần một");
    let (_, events) = officer.get(&format!("/api/v1/cases/{id2}/events")).await;
    assert_eq!(events[1]["kind"], "updated");
}

async fn bad_cases_are_refused_and_nothing_is_written(s: TestServer) {
    people(&s).await;
    let officer = s.login("hq.huunghi").await;
    let cases: [(&str, Value, &str); 12] = [
        ("case_type", json!("piracy"), "case_type"),
        ("title", json!("   "), "title"),
        ("detected_at", json!(T0 + 86_400_000), "detected_at"),
        ("province", json!("Atlantis"), "province"),
        ("port", json!("mong-cai"), "port"),
        ("latitude", json!(48.85), "latitude"),
        ("goods", json!([{ "description": "x", "hs_code": "7700" }]), "hs_code"),
        ("goods", json!([{ "description": "x", "category": "spaceships" }]), "goods.category"),
        ("goods", json!([{ "description": "x", "value_vnd": -5 }]), "goods.value_vnd"),
        ("parties", json!([{ "kind": "person", "name": "A", "identifiers": { "cccd": "123" }, "role": "suspect" }]), "identifiers"),
        ("sharing", json!({ "tlp": "red", "distribution": ["agency:border-guard-vn"] }), "distribution"),
        ("sharing", json!({ "tlp": "amber", "distribution": ["group:secret-club"] }), "sharing.distribution"),
    ];
    for (field, value, want) in cases {
        let mut body = seizure("amber", &["own_agency"]);
        body[field] = value;
        let (status, problem) = officer.post("/api/v1/cases", body).await;
        assert_eq!(status, 422, "{field}: {problem}");
        assert!(problem["field"].as_str().unwrap().ends_with(want), "{field}: {problem}");
    }
    let (status, _) = officer.post("/api/v1/cases", json!({ "title": "no type" })).await;
    assert_eq!(status, 400);
    let analyst_free = s.login("audit").await;
    let (status, _) = analyst_free.post("/api/v1/cases", seizure("amber", &[])).await;
    assert_eq!(status, 403, "auditors do not record cases");
    let (_, count) = officer.get("/api/v1/cases/count").await;
    assert_eq!(count["count"], 0, "no refused case was written");
    let (_, entries) = s.login("audit").await.get("/api/v1/audit?action=case.create").await;
    assert!(entries.as_array().unwrap().iter().all(|e| e["action"] != "case.create"));
}

async fn external_reference_makes_creation_idempotent(s: TestServer) {
    people(&s).await;
    let officer = s.login("hq.huunghi").await;
    let mut body = seizure("amber", &["own_agency"]);
    body["external_ref"] = json!("VNACCS-2026-000777");
    let first = create(&officer, body.clone()).await;
    let (status, again) = officer.post("/api/v1/cases", body).await;
    assert_eq!(status, 201);
    assert_eq!(again["id"], first["id"]);
    let (_, count) = officer.get("/api/v1/cases/count").await;
    assert_eq!(count["count"], 1);
}

async fn sharing_group_membership_is_not_visible_to_members(s: TestServer) {
    people(&s).await;
    let root = s.login("root").await;
    let (status, _) = root.post("/api/v1/sharing-groups", json!({ "id": "thunder", "name": "Operation Thunder", "owner_agency_id": "customs-vn", "members": ["police-vn", "border-guard-vn"] })).await;
    assert_eq!(status, 201);
    let police = s.login("ca.langson").await;
    let (status, _) = police.get("/api/v1/sharing-groups/thunder").await;
    assert_eq!(status, 404, "a member does not see who else is in the group");
    let (status, g) = s.login("hq.mongcai").await.get("/api/v1/sharing-groups/thunder").await;
    assert_eq!(status, 200, "the managing agency does");
    assert_eq!(g["members"], json!(["border-guard-vn", "police-vn"]));
    let (status, _) = police.get("/api/v1/sharing-groups/nonexistent").await;
    assert_eq!(status, 404);
}

fn png(extra: &[u8]) -> Vec<u8> {
    let mut b = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    b.extend_from_slice(extra);
    b
}

async fn evidence_files_are_checked_stored_once_and_shared_like_their_case(s: TestServer) {
    people(&s).await;
    let officer = s.login("hq.huunghi").await;
    let case = create(&officer, seizure("amber", &["own_agency", "agency:border-guard-vn"])).await;
    let id = case["id"].as_str().unwrap().to_string();
    let upload = |c: &Client, version: &str, name: &str, ctype: &str, body: Vec<u8>| {
        let rb = c
            .http
            .post(format!("{}/api/v1/cases/{id}/evidence?filename={name}", s.base))
            .header(header::IF_MATCH, version.to_string())
            .header(header::CONTENT_TYPE, ctype.to_string())
            .body(body);
        let c = c.clone();
        async move { split(c.send(rb).await).await }
    };
    let (status, v) = upload(&officer, "\"1\"", "anh-hien-truong.png", "image/png", png(b"scene")).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["version"], 2);
    let sha = v["evidence"][0]["sha256"].as_str().unwrap().to_string();
    assert_eq!(v["evidence"][0]["media_type"], "image/png");
    for (name, ctype, body, want) in [
        ("virus.exe", "application/octet-stream", b"MZ\x90\x00".to_vec(), 422),
        ("fake.png", "image/png", b"%PDF-1.7 not a png".to_vec(), 422),
        ("empty.png", "image/png", Vec::new(), 422),
        ("..%2F..%2Fetc", "image/png", png(b"x"), 422),
    ] {
        let (status, body) = upload(&officer, "\"2\"", name, ctype, body).await;
        assert_eq!(status, want, "{name}: {body}");
    }
    let (status, _) = upload(&officer, "\"1\"", "late.png", "image/png", png(b"other")).await;
    assert_eq!(status, 412, "an upload on an old version is refused");

    // The border guard sees the case, so the file; the police does not, so neither.
    let bg = s.login("bp.langson").await;
    let resp = bg.send(bg.http.get(format!("{}/api/v1/cases/{id}/evidence/{sha}", s.base))).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()[header::CONTENT_TYPE], "image/png");
    assert!(resp.headers()[header::CONTENT_DISPOSITION].to_str().unwrap().contains("anh-hien-truong.png"));
    assert_eq!(resp.bytes().await.unwrap().to_vec(), png(b"scene"));
    let police = s.login("ca.langson").await;
    assert_eq!(police.get(&format!("/api/v1/cases/{id}/evidence/{sha}")).await.0, 404);
    assert_eq!(bg.get(&format!("/api/v1/cases/{id}/evidence/{}", "0".repeat(64))).await.0, 404);
    let (_, entries) = s.login("audit").await.get(&format!("/api/v1/audit?object_id={id}&limit=100")).await;
    let actions: Vec<&str> = entries.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"evidence.add") && actions.contains(&"evidence.read"), "{actions:?}");
    // Too large: refused once the limit is passed, without the rest being kept. Over a raw
    // connection whose writing goes on beside the reading, so that the answer is read however
    // early the server closes (an HTTP client still writing meets a broken pipe and loses it).
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let conn = tokio::net::TcpStream::connect(s.base.trim_start_matches("http://")).await.unwrap();
    let (mut rd, mut wr) = conn.into_split();
    let head = format!(
        "POST /api/v1/cases/{id}/evidence?filename=big.png HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nIf-Match: \"2\"\r\n\
         Content-Type: image/png\r\nContent-Length: {}\r\n\r\n",
        officer.token.as_deref().unwrap(),
        21 * 1024 * 1024
    );
    let writer = tokio::spawn(async move {
        wr.write_all(head.as_bytes()).await?;
        wr.write_all(&png(&vec![0u8; 21 * 1024 * 1024 - 8])).await
    });
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(30), rd.read_to_end(&mut answer)).await;
    writer.abort();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413") && answer.contains("payload_too_large"), "{answer}");
}

async fn a_party_or_file_shared_more_narrowly_is_not_there_for_others(s: TestServer) {
    people(&s).await;
    let officer = s.login("hq.huunghi").await;
    let mut body = seizure("green", &["all_domestic"]);
    body["parties"].as_array_mut().unwrap().push(json!({
        "kind": "person", "name": "Trần Thị Bình", "identifiers": { "phone": "+84 912 000 111" }, "role": "witness",
        "sharing": { "tlp": "red" }
    }));
    // A party may not be shared wider than its case.
    let mut wider = body.clone();
    wider["sharing"] = json!({ "tlp": "amber", "distribution": ["own_agency"] });
    wider["parties"][2]["sharing"] = json!({ "tlp": "green", "distribution": ["all_domestic"] });
    let (status, refused) = officer.post("/api/v1/cases", wider).await;
    assert_eq!((status, refused["field"].as_str()), (422, Some("parties.sharing")), "{refused}");

    let case = create(&officer, body).await;
    let id = case["id"].as_str().unwrap().to_string();
    assert_eq!(case["parties"].as_array().unwrap().len(), 3, "the recording unit sees its witness");
    assert_eq!(case["parties"][2]["sharing"]["tlp"], "red");
    assert_eq!(case["parties"][2]["sharing"]["handling"], json!(["H2"]), "the case's handling conditions travel with the party");
    // A file kept within the agency, on a case all domestic agencies see.
    let rb = officer
        .http
        .post(format!("{}/api/v1/cases/{id}/evidence?filename=nguon-tin.pdf&tlp=amber_strict&distribution=own_agency&handling=H1", s.base))
        .header(header::IF_MATCH, "\"1\"")
        .body(b"%PDF-1.7 informant statement".to_vec());
    let (status, v) = split(officer.send(rb).await).await;
    assert_eq!(status, 200, "{v}");
    let sha = v["evidence"][0]["sha256"].as_str().unwrap().to_string();
    assert_eq!(v["evidence"][0]["sharing"]["handling"], json!(["H1", "H2"]));

    let other_unit = s.login("hq.mongcai").await;
    let (_, seen) = other_unit.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(seen["parties"].as_array().unwrap().len(), 2, "the RED witness is not there for another unit");
    assert_eq!(seen["evidence"].as_array().unwrap().len(), 1, "the agency's file is");
    let police = s.login("ca.langson").await;
    let (status, seen) = police.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(seen["parties"].as_array().unwrap().len(), 2);
    assert!(seen["evidence"].as_array().unwrap().is_empty(), "the file is not listed for another agency");
    assert!(!seen.to_string().contains("Bình") && !seen.to_string().contains("nguon-tin"));
    assert_eq!(police.get(&format!("/api/v1/cases/{id}/evidence/{sha}")).await.0, 404, "nor can it be fetched");
    // Nor is the witness found by name, even within the agency.
    for c in [&other_unit, &officer] {
        let (_, found) = c.get("/api/v1/cases/count?q=tran%20thi%20binh").await;
        assert_eq!(found["count"], 0);
    }
    let (_, entries) = s.login("audit").await.get(&format!("/api/v1/audit?object_id={id}&limit=100")).await;
    assert!(entries.as_array().unwrap().iter().any(|e| e["action"] == "evidence.read" && e["outcome"] == "denied"));
}

async fn access_to_withheld_parties_is_asked_and_decided_by_the_holder(s: TestServer) {
    people(&s).await;
    let officer = s.login("hq.huunghi").await;
    let id = create(&officer, seizure("amber", &["own_agency", "agency:border-guard-vn"])).await["id"].as_str().unwrap().to_string();
    let other = create(&officer, seizure("amber", &["own_agency", "agency:border-guard-vn"])).await["id"].as_str().unwrap().to_string();
    let bg = s.login("bp.langson").await;
    let url = format!("/api/v1/cases/{id}/access-requests");
    let (status, bad) = bg.post(&url, json!({ "reason": "  " })).await;
    assert_eq!((status, bad["field"].as_str()), (422, Some("reason")));
    let (status, req) = bg.post(&url, json!({ "reason": "Tuần tra chung khu vực Hữu Nghị" })).await;
    assert_eq!(status, 201, "{req}");
    assert_eq!(req["status"], "pending");
    assert_eq!(bg.post(&url, json!({ "reason": "again" })).await.0, 409, "one pending request per agency and case");
    assert_eq!(officer.post(&url, json!({ "reason": "mine" })).await.0, 422, "nothing is withheld from the holder");
    assert_eq!(s.login("ca.langson").await.post(&url, json!({ "reason": "x" })).await.0, 404, "nor from one who cannot see the case");

    let req_id = req["id"].as_str().unwrap();
    let decide = format!("/api/v1/access-requests/{req_id}/decision");
    assert_eq!(officer.post(&decide, json!({ "grant": true })).await.0, 403, "an officer does not decide");
    assert_eq!(bg.post(&decide, json!({ "grant": true })).await.0, 403, "nor does the requester");
    assert_eq!(s.login("ca.langson").await.post(&decide, json!({ "grant": true })).await.0, 404);
    let head = s.login("hq.head").await;
    let (_, inbox) = head.get("/api/v1/access-requests").await;
    assert_eq!(inbox.as_array().unwrap().len(), 1);
    assert_eq!(head.post(&decide, json!({ "grant": false })).await.0, 422, "a refusal says why");
    let (status, decided) = head.post(&decide, json!({ "grant": true, "reason": "QCPH art. 5" })).await;
    assert_eq!((status, decided["status"].as_str()), (200, Some("granted")), "{decided}");
    assert_eq!(head.post(&decide, json!({ "grant": false, "reason": "changed my mind" })).await.0, 409, "decided once");

    let (_, seen) = bg.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(seen["parties"][0]["withheld"], false);
    assert_eq!(seen["parties"][0]["name"], "Nguyễn Văn An");
    assert_eq!(seen["disclosed_under"], format!("access request {req_id}"));
    let (_, still) = bg.get(&format!("/api/v1/cases/{other}")).await;
    assert_eq!(still["parties"][0]["withheld"], true, "a grant discloses that case only");
    let (_, mine) = bg.get("/api/v1/access-requests").await;
    assert_eq!(mine[0]["status"], "granted");
    assert!(s.login("ca.langson").await.get("/api/v1/access-requests").await.1.as_array().unwrap().is_empty());
    let (_, entries) = s.login("audit").await.get(&format!("/api/v1/audit?object_id={id}&limit=100")).await;
    let actions: Vec<&str> = entries.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"access_request.create") && actions.contains(&"access_request.decide"), "{actions:?}");
}

async fn totals_count_only_what_the_caller_may_see(s: TestServer) {
    people(&s).await;
    let officer = s.login("hq.huunghi").await;
    create(&officer, seizure("amber", &["own_agency", "agency:border-guard-vn"])).await;
    create(&officer, seizure("amber_strict", &["own_agency"])).await;
    let mut elsewhere = seizure("green", &["all_domestic"]);
    elsewhere["province"] = json!("Quảng Ninh");
    elsewhere["port"] = json!(null);
    create(&officer, elsewhere).await;

    let (status, mine) = officer.get("/api/v1/cases/totals?by=province").await;
    assert_eq!(status, 200, "{mine}");
    assert_eq!(mine[0], json!({ "key": "lang-son", "cases": 2, "value_vnd": 145_000_000 }), "{mine}");
    assert_eq!(mine[1]["key"], "quang-ninh");
    let (_, bg) = s.login("bp.langson").await.get("/api/v1/cases/totals?by=province").await;
    assert_eq!(
        bg,
        json!([{ "key": "lang-son", "cases": 1, "value_vnd": 72_500_000 }, { "key": "quang-ninh", "cases": 1, "value_vnd": 72_500_000 }])
    );
    let (_, foreign) = s.login("cn.liaison").await.get("/api/v1/cases/totals?by=commodity").await;
    assert_eq!(foreign, json!([]), "nothing is shared abroad, so nothing is counted");
    let (_, by_commodity) = officer.get("/api/v1/cases/totals?by=commodity&province=lang-son").await;
    assert_eq!(by_commodity, json!([{ "key": "cigarettes", "cases": 2, "value_vnd": 145_000_000 }]));
    let (status, bad) = officer.get("/api/v1/cases/totals?by=colour").await;
    assert_eq!((status, bad["field"].as_str()), (422, Some("by")));
}

async fn an_entity_gathers_its_cases_and_links_as_the_caller_may_see_them(s: TestServer) {
    people(&s).await;
    let officer = s.login("hq.huunghi").await;
    let first = create(&officer, seizure("amber", &["own_agency", "agency:border-guard-vn"])).await;
    let person = first["parties"][0]["entity_id"].as_str().unwrap().to_string();
    let truck = first["parties"][1]["entity_id"].as_str().unwrap().to_string();
    // A later case links the same driver, known by id, and a RED informant seen by the recording unit only.
    let mut later = seizure("amber", &["own_agency"]);
    later["parties"] = json!([
        { "kind": "person", "entity_id": person, "role": "owner" },
        { "kind": "person", "name": "Người cung cấp tin", "role": "witness", "sharing": { "tlp": "red" } }
    ]);
    let second = create(&officer, later).await;
    assert_eq!(second["parties"][0]["name"], "Nguyễn Văn An", "a known entity keeps its own name");
    assert_eq!(second["parties"][0]["entity_id"], json!(person));

    let (status, e) = officer.get(&format!("/api/v1/entities/{person}")).await;
    assert_eq!(status, 200, "{e}");
    assert_eq!(e["identifiers"]["cccd"], "020085012345");
    assert_eq!(e["cases"].as_array().unwrap().len(), 2);
    let links: Vec<&str> = e["links"].as_array().unwrap().iter().map(|l| l["entity_id"].as_str().unwrap()).collect();
    assert!(links.contains(&truck.as_str()) && links.len() == 2, "the truck and the informant: {links:?}");

    let other_unit = s.login("hq.mongcai").await;
    let (_, seen) = other_unit.get(&format!("/api/v1/entities/{person}")).await;
    assert_eq!(seen["links"].as_array().unwrap().len(), 1, "the RED informant is no link for another unit");
    let bg = s.login("bp.langson").await;
    assert_eq!(bg.get(&format!("/api/v1/entities/{person}")).await.0, 404, "withheld from the border guard, so no entity page");
    assert_eq!(bg.get(&format!("/api/v1/entities/{truck}")).await.1["cases"].as_array().unwrap().len(), 1, "a truck is not personal");
    assert_eq!(s.login("ca.langson").await.get(&format!("/api/v1/entities/{truck}")).await.0, 404);

    let mut theirs = seizure("amber", &["own_agency"]);
    theirs["parties"] = json!([{ "kind": "person", "entity_id": person, "role": "suspect" }]);
    let (status, body) = bg.post("/api/v1/cases", theirs).await;
    assert_eq!((status, body["field"].as_str()), (422, Some("parties.entity_id")), "an entity one is not shown cannot be linked");
    let mut wrong_kind = seizure("amber", &["own_agency"]);
    wrong_kind["parties"] = json!([{ "kind": "company", "entity_id": person, "role": "consignee" }]);
    assert_eq!(officer.post("/api/v1/cases", wrong_kind).await.1["field"], "parties.kind");
}

/// Goods without a quantity or weight and cases without coordinates, then with them, then
/// without again, through the same server: each is stored as given (a missing number is NULL,
/// a given one its value), whatever was recorded before it on the same connection.
async fn missing_and_given_quantities_and_coordinates_alternate(s: TestServer) {
    people(&s).await;
    let officer = s.login("hq.huunghi").await;
    let body = |with: bool| {
        let mut b = seizure("amber", &["own_agency"]);
        b["goods"] = if with {
            json!([{ "description": "Thuốc lá", "quantity": 1250.5, "unit": "bao", "weight_kg": 30.25, "value_vnd": 1000000 }])
        } else {
            json!([{ "description": "Thuốc lá", "value_vnd": 1000000 }])
        };
        if with {
            b["latitude"] = json!(21.8451);
            b["longitude"] = json!(106.7579);
        } else {
            b.as_object_mut().unwrap().remove("latitude");
            b.as_object_mut().unwrap().remove("longitude");
        }
        b.as_object_mut().unwrap().remove("external_ref");
        b
    };
    for with in [false, false, true, false, true, true] {
        let c = create(&officer, body(with)).await;
        let (_, read) = officer.get(&format!("/api/v1/cases/{}", c["id"].as_str().unwrap())).await;
        let g = &read["goods"][0];
        if with {
            assert_eq!((g["quantity"].as_f64(), g["weight_kg"].as_f64()), (Some(1250.5), Some(30.25)), "{read}");
            assert_eq!((read["latitude"].as_f64(), read["longitude"].as_f64()), (Some(21.8451), Some(106.7579)), "{read}");
        } else {
            assert_eq!((g["quantity"].clone(), g["weight_kg"].clone()), (Value::Null, Value::Null), "{read}");
            assert_eq!((read["latitude"].clone(), read["longitude"].clone()), (Value::Null, Value::Null), "{read}");
        }
    }
}
