//! Coordination over HTTP on SQLite and PostgreSQL with the injected clock: decisions and the
//! authority they rest on, handovers through the sharing model, Customs leading inside customs
//! operation areas, pursuit proposals from the agreements in force, and joint operations whose
//! results count only what the viewer may see.

use cordon_app::{Actor, AgreementInput, NewAgencyInput, NewUnitInput};
use reqwest::header;
use serde_json::{json, Value};
use test_support::{both_backends, split, Client, TestServer, T0};

both_backends!(
    decisions_rest_on_the_heads_authority_or_a_delegation_in_force,
    a_handover_passes_the_lead_and_the_case_with_it,
    customs_leads_inside_its_areas_and_pursuits_go_to_the_local_forces_under_agreement,
    joint_operations_show_each_participant_only_what_it_may_see
);

const MINUTE: i64 = 60_000;
const DAY: i64 = 86_400_000;

async fn agency(s: &TestServer, id: &str, kind: &str) {
    let cli = Actor::cli();
    if s.app.store().agency(id).await.unwrap().is_none() {
        let country = (kind == "foreign_customs").then(|| "CN".to_string());
        s.app
            .create_agency(&cli, NewAgencyInput { id: id.into(), kind: kind.into(), name_vi: id.into(), name_en: id.into(), country })
            .await
            .unwrap();
    }
}

async fn unit(s: &TestServer, id: &str, (agency_id, kind): (&str, &str), province: &str) {
    agency(s, agency_id, kind).await;
    let input = NewUnitInput {
        id: id.into(),
        agency_id: agency_id.into(),
        parent_id: None,
        name_vi: id.into(),
        name_en: id.into(),
        province: Some(province.into()),
    };
    s.app.create_unit(&Actor::cli(), input).await.unwrap();
}

async fn agreement(s: &TestServer, id: &str, a: &str, b: &str, disclose: bool) {
    let input = AgreementInput {
        id: id.into(),
        name: format!("Quy chế phối hợp {id}"),
        agency_a: a.into(),
        agency_b: b.into(),
        case_types: vec![],
        disclose_personal: disclose,
        valid_from: T0 - 365 * DAY,
        valid_until: None,
        ack_windows: Default::default(),
    };
    s.app.create_agreement(&Actor::cli(), input).await.unwrap();
}

async fn user_id(s: &TestServer, username: &str) -> String {
    s.app.actor_for_operator(username).await.unwrap().user.id
}

async fn people(s: &TestServer) {
    unit(s, "customs-huu-nghi", ("customs-vn", "customs"), "lang-son").await;
    unit(s, "police-lang-son", ("police-vn", "police"), "lang-son").await;
    unit(s, "police-bac-ninh", ("police-vn", "police"), "bac-ninh").await;
    unit(s, "police-ha-noi", ("police-vn", "police"), "ha-noi").await;
    unit(s, "bg-lang-son", ("border-guard-vn", "border_guard"), "lang-son").await;
    unit(s, "qltt-lang-son", ("market-vn", "market_surveillance"), "lang-son").await;
    s.user("hq.officer", ("customs-vn", "customs"), "customs-huu-nghi", &["officer"]).await;
    s.user("hq.head", ("customs-vn", "customs"), "customs-huu-nghi", &["unit_head", "officer"]).await;
    s.user("hq.deputy", ("customs-vn", "customs"), "customs-huu-nghi", &["deputy_head", "officer"]).await;
    s.user("ca.officer", ("police-vn", "police"), "police-lang-son", &["officer"]).await;
    s.user("ca.head", ("police-vn", "police"), "police-lang-son", &["unit_head", "officer"]).await;
    s.user("ca.bacninh", ("police-vn", "police"), "police-bac-ninh", &["officer"]).await;
    s.user("bp.officer", ("border-guard-vn", "border_guard"), "bg-lang-son", &["officer"]).await;
    s.user("audit", ("sco-389", "steering_committee_office"), "sco-hq", &["auditor"]).await;
}

fn oral(by: &str, at: i64) -> Value {
    json!({ "form": "oral_order", "decided_by": by, "authority": "own", "decided_at": at, "note": "Đồng ý truy đuổi" })
}

fn pursuit(units: &[&str]) -> Value {
    json!({ "kind": "pursuit", "priority": "urgent", "title": "Truy đuổi xe 12C-001.23", "recipient_units": units })
}

async fn decisions_rest_on_the_heads_authority_or_a_delegation_in_force(s: TestServer) {
    people(&s).await;
    s.agreement("customs-vn", "border-guard-vn").await;
    let (head_id, deputy_id) = (user_id(&s, "hq.head").await, user_id(&s, "hq.deputy").await);
    let officer = s.login("hq.officer").await;
    // The officer raises the pursuit on the head's oral order, given five minutes ago.
    let mut body = pursuit(&["bg-lang-son"]);
    body["decision"] = oral(&head_id, T0 - 5 * MINUTE);
    let (status, n) = officer.post("/api/v1/notices", body).await;
    assert_eq!(status, 201, "{n}");
    let d = &n["decisions"][0];
    assert_eq!(
        (d["form"].as_str(), d["authority"].as_str(), d["decided_by"].as_str()),
        (Some("oral_order"), Some("own"), Some(head_id.as_str()))
    );
    let id = n["id"].as_str().unwrap().to_string();

    let with = |decision: Value| {
        let mut b = pursuit(&["bg-lang-son"]);
        b["decision"] = decision;
        b
    };
    let refused = [
        (with(json!({ "form": "oral_order", "decided_by": deputy_id, "authority": "own", "decided_at": T0 })), "decision.authority"),
        (with(json!({ "form": "oral_order", "decided_by": deputy_id, "authority": "delegated", "decided_at": T0 })), "decision.authority"),
        (with(json!({ "form": "written_decision", "decided_by": head_id, "authority": "own", "decided_at": T0 })), "decision.document_ref"),
        (with(json!({ "form": "fax", "decided_by": head_id, "authority": "own", "decided_at": T0 })), "decision.form"),
        (with(json!({ "form": "oral_order", "decided_by": head_id, "authority": "own", "decided_at": T0 + DAY })), "decision.decided_at"),
        (
            with(json!({ "form": "oral_order", "decided_by": user_id(&s, "ca.head").await, "authority": "own", "decided_at": T0 })),
            "decision.decided_by",
        ),
        (
            json!({ "kind": "information_share", "priority": "normal", "title": "x", "recipient_units": ["bg-lang-son"], "decision": oral(&head_id, T0) }),
            "decision",
        ),
    ];
    for (body, field) in refused {
        let (status, problem) = officer.post("/api/v1/notices", body).await;
        assert_eq!((status, problem["field"].as_str()), (422, Some(field)), "{problem}");
    }

    // The head goes on mission for two days and delegates: the deputy's order rests on it while it runs.
    let head = s.login("hq.head").await;
    let (status, delegation) = head
        .post("/api/v1/delegations", json!({ "to_user_id": deputy_id, "starts_at": T0, "ends_at": T0 + 2 * DAY, "reason": "Công tác" }))
        .await;
    assert_eq!(status, 201, "{delegation}");
    let (status, n2) = officer
        .post(
            "/api/v1/notices",
            with(json!({ "form": "telephone_instruction", "decided_by": deputy_id, "authority": "delegated", "decided_at": T0 })),
        )
        .await;
    assert_eq!(status, 201, "{n2}");
    assert_eq!(n2["decisions"][0]["delegation_id"], delegation["id"]);
    assert_eq!(n2["decisions"][0]["for_head"], json!(head_id));
    s.clock.advance(3 * DAY);
    let officer = s.login("hq.officer").await;
    let late = with(json!({ "form": "oral_order", "decided_by": deputy_id, "authority": "delegated", "decided_at": T0 + 3 * DAY }));
    assert_eq!(officer.post("/api/v1/notices", late).await.1["field"], "decision.authority", "the delegation has expired");

    // The written decision confirming the oral order is recorded on the notice later, by the sending unit only.
    let written = json!({ "form": "written_decision", "decided_by": head_id, "authority": "own", "decided_at": T0 + 3 * DAY,
        "document_ref": "123/QĐ-HQLS" });
    assert_eq!(s.login("bp.officer").await.post(&format!("/api/v1/notices/{id}/decisions"), written.clone()).await.0, 403);
    assert_eq!(s.login("ca.officer").await.post(&format!("/api/v1/notices/{id}/decisions"), written.clone()).await.0, 404);
    let (status, n) = officer.post(&format!("/api/v1/notices/{id}/decisions"), written).await;
    assert_eq!(status, 201, "{n}");
    let (_, seen) = s.login("bp.officer").await.get(&format!("/api/v1/notices/{id}")).await;
    let forms: Vec<&str> = seen["decisions"].as_array().unwrap().iter().map(|d| d["form"].as_str().unwrap()).collect();
    assert_eq!(forms, ["oral_order", "written_decision"], "the recipient sees the chain of decisions");
    assert_eq!(seen["decisions"][1]["document_ref"], "123/QĐ-HQLS");
}

fn seizure(extra: Value) -> Value {
    let mut c = json!({
        "case_type": "smuggling", "title": "Xe tải chở thuốc lá lậu qua Hữu Nghị", "detected_at": T0 - 3_600_000, "province": "lang-son",
        "port": "huu-nghi", "in_customs_area": true, "conveyance": { "plate": "12C-001.23" },
        "goods": [{ "description": "Thuốc lá điếu", "category": "cigarettes", "value_vnd": 500_000_000 }],
        "parties": [
            { "kind": "person", "name": "Nguyễn Văn An", "role": "driver" },
            { "kind": "person", "name": "Trần Thị Bình", "role": "owner", "sharing": { "tlp": "amber_strict", "distribution": ["own_agency"] } }
        ],
        "sharing": { "tlp": "amber_strict", "distribution": ["own_agency"] }
    });
    if let (Some(c), Some(extra)) = (c.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            c.insert(k.clone(), v.clone());
        }
    }
    c
}

fn handover(to: &str, by: &str) -> Value {
    json!({ "to_agency_id": to, "reason": "Có dấu hiệu tội phạm buôn lậu (Điều 188 BLHS): chuyển cơ quan điều tra",
        "decision": { "form": "written_decision", "document_ref": "45/QĐ-CCHQ", "decided_by": by, "authority": "own", "decided_at": T0 } })
}

fn answer(accept: bool, by: &str, reason: &str) -> Value {
    json!({ "accept": accept, "reason": reason, "decision": { "form": "oral_order", "decided_by": by, "authority": "own", "decided_at": T0 } })
}

async fn a_handover_passes_the_lead_and_the_case_with_it(s: TestServer) {
    people(&s).await;
    let (head_id, ca_head_id) = (user_id(&s, "hq.head").await, user_id(&s, "ca.head").await);
    let customs = s.login("hq.officer").await;
    let (status, case) = customs.post("/api/v1/cases", seizure(json!({}))).await;
    assert_eq!(status, 201, "{case}");
    assert_eq!(case["lead_agency_id"], "customs-vn");
    let id = case["id"].as_str().unwrap().to_string();
    let rb = customs
        .http
        .post(format!("{}/api/v1/cases/{id}/evidence?filename=bien-ban.pdf", s.base))
        .header(header::IF_MATCH, "\"1\"")
        .body(b"%PDF-1.7 bien ban tam giu".to_vec());
    assert_eq!(split(customs.send(rb).await).await.0, 200);
    let police = s.login("ca.officer").await;
    assert_eq!(police.get(&format!("/api/v1/cases/{id}")).await.0, 404, "not shared with the police yet");

    // Bad requests: to oneself, to nobody, to a foreign partner; from outside the lead; by someone who cannot see it.
    agency(&s, "customs-cn", "foreign_customs").await;
    let url = format!("/api/v1/cases/{id}/handovers");
    for (to, field) in [("customs-vn", "to_agency_id"), ("no-such-agency", "to_agency_id"), ("customs-cn", "to_agency_id")] {
        let (status, problem) = customs.post(&url, handover(to, &head_id)).await;
        assert_eq!((status, problem["field"].as_str()), (422, Some(field)), "{to}: {problem}");
    }
    let (status, problem) = customs.post(&url, json!({ "to_agency_id": "police-vn", "reason": "x" })).await;
    assert_eq!(status, 400, "the decision is required: {problem}");
    assert_eq!(police.post(&url, handover("police-vn", &ca_head_id)).await.0, 404);
    let shared = customs
        .post("/api/v1/cases", seizure(json!({ "sharing": { "tlp": "amber", "distribution": ["own_agency", "agency:border-guard-vn"] } })))
        .await
        .1;
    let bg = s.login("bp.officer").await;
    assert_eq!(
        bg.post(&format!("/api/v1/cases/{}/handovers", shared["id"].as_str().unwrap()), handover("police-vn", &head_id)).await.0,
        403
    );

    // Asked once, however often it is sent; a second, different request while one is open is a conflict.
    let mut keyed = handover("police-vn", &head_id);
    keyed["idempotency_key"] = json!("bg-2026-01");
    keyed["to_unit_id"] = json!("police-lang-son");
    let (status, h) = customs.post(&url, keyed.clone()).await;
    assert_eq!(status, 201, "{h}");
    assert_eq!(customs.post(&url, keyed).await.1["id"], h["id"]);
    assert_eq!(customs.post(&url, handover("market-vn", &head_id)).await.0, 409);
    let hid = h["id"].as_str().unwrap().to_string();
    assert_eq!(h["decisions"][0]["kind"], "handover");
    assert_eq!(h["decisions"][0]["document_ref"], "45/QĐ-CCHQ");

    // The police see the request (with the case's reference and title) but not yet the case.
    let (status, inbox) = police.get("/api/v1/handovers").await;
    assert_eq!((status, inbox[0]["id"].as_str()), (200, Some(hid.as_str())));
    assert_eq!(inbox[0]["case_reference"], case["reference"]);
    assert_eq!(bg.get(&format!("/api/v1/handovers/{hid}")).await.0, 404);
    let answer_url = format!("/api/v1/handovers/{hid}/answer");
    assert_eq!(customs.post(&answer_url, answer(true, &head_id, "")).await.0, 403, "the sender does not accept for the receiver");
    assert_eq!(
        s.login("ca.bacninh").await.post(&answer_url, answer(true, &ca_head_id, "")).await.0,
        403,
        "another police unit than the one named"
    );
    assert_eq!(police.post(&answer_url, answer(false, &ca_head_id, " ")).await.1["field"], "reason", "a refusal says why");

    // The police accept: they lead, and see the case with its history, parties and evidence; customs keeps its access.
    s.clock.advance(30 * MINUTE);
    let (status, done) = police.post(&answer_url, answer(true, &ca_head_id, "")).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["status"], "accepted");
    assert_eq!(done["decisions"].as_array().unwrap().len(), 2);
    assert_eq!(police.post(&answer_url, answer(true, &ca_head_id, "")).await.1["field"], "handover", "answered once");
    let (status, seen) = police.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(status, 200, "{seen}");
    assert_eq!(seen["lead_agency_id"], "police-vn");
    assert_eq!(seen["sharing"]["tlp"], "amber", "relabelled from AMBER+STRICT so that the police may see it");
    assert_eq!(seen["parties"].as_array().unwrap().len(), 2, "the narrower party travels too: {seen}");
    assert!(seen["parties"].as_array().unwrap().iter().all(|p| p["withheld"] == false), "{seen}");
    assert_eq!(seen["evidence"].as_array().unwrap().len(), 1);
    let (_, events) = police.get(&format!("/api/v1/cases/{id}/events")).await;
    assert!(events.as_array().unwrap().iter().any(|e| e["kind"] == "handed_over"), "{events}");
    let (status, kept) = customs.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!((status, kept["lead_agency_id"].as_str()), (200, Some("police-vn")));
    // The new lead decides the lifecycle; an edit does not take the lead back.
    let version = kept["version"].as_i64().unwrap();
    let ca_head = s.login("ca.head").await;
    let rb = ca_head
        .http
        .post(format!("{}/api/v1/cases/{id}/transitions", s.base))
        .header(header::IF_MATCH, format!("\"{version}\""))
        .json(&json!({ "to": "verified" }));
    let (status, moved) = split(ca_head.send(rb).await).await;
    assert_eq!((status, moved["status"].as_str()), (200, Some("verified")), "{moved}");
    let version = version + 1;
    // The recording unit handed the lead on: its head no longer moves the case along.
    let hq_head = s.login("hq.head").await;
    let rb = hq_head
        .http
        .post(format!("{}/api/v1/cases/{id}/transitions", s.base))
        .header(header::IF_MATCH, format!("\"{version}\""))
        .json(&json!({ "to": "seized" }));
    assert_eq!(split(hq_head.send(rb).await).await.0, 403, "the lead passed to the police");
    let rb = customs
        .http
        .put(format!("{}/api/v1/cases/{id}", s.base))
        .header(header::IF_MATCH, format!("\"{version}\""))
        .json(&seizure(json!({ "lead_agency_id": "customs-vn" })));
    let (status, problem) = split(customs.send(rb).await).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("lead_agency_id")), "{problem}");

    // A refused handover leaves the case where it was.
    let other = customs.post("/api/v1/cases", seizure(json!({}))).await.1;
    let oid = other["id"].as_str().unwrap();
    let h2 = customs.post(&format!("/api/v1/cases/{oid}/handovers"), handover("police-vn", &head_id)).await.1;
    let (status, refused) = police
        .post(&format!("/api/v1/handovers/{}/answer", h2["id"].as_str().unwrap()), answer(false, &ca_head_id, "Chưa đủ dấu hiệu tội phạm"))
        .await;
    assert_eq!((status, refused["status"].as_str()), (200, Some("refused")), "{refused}");
    assert_eq!(refused["answer_reason"], "Chưa đủ dấu hiệu tội phạm");
    assert_eq!(police.get(&format!("/api/v1/cases/{oid}")).await.0, 404);
    assert_eq!(customs.get(&format!("/api/v1/cases/{oid}")).await.1["lead_agency_id"], "customs-vn");

    let (_, entries) = s.login("audit").await.get(&format!("/api/v1/audit?object_id={hid}&limit=100")).await;
    let actions: Vec<&str> = entries.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    for a in ["handover.request", "handover.accept", "handover.read"] {
        assert!(actions.contains(&a), "{a} on the record: {actions:?}");
    }
}

async fn customs_leads_inside_its_areas_and_pursuits_go_to_the_local_forces_under_agreement(s: TestServer) {
    people(&s).await;
    unit(&s, "cg-region-1", ("coast-guard-vn", "coast_guard"), "quang-ninh").await;
    unit(&s, "customs-mong-cai", ("customs-vn", "customs"), "quang-ninh").await;
    unit(&s, "police-quang-ninh", ("police-vn", "police"), "quang-ninh").await;
    for (id, other) in [("qc-police", "police-vn"), ("qc-bg", "border-guard-vn"), ("qc-cg", "coast-guard-vn")] {
        agreement(&s, id, "customs-vn", other, false).await;
    }
    // Recorded by the border guard at Hữu Nghị's coordinates: Customs leads, and says why.
    let bg = s.login("bp.officer").await;
    let at_gate = json!({ "case_type": "smuggling", "title": "Phát hiện xe nghi vấn", "detected_at": T0 - 60_000, "latitude": 21.9720, "longitude": 106.7060,
        "sharing": { "tlp": "amber", "distribution": ["own_agency", "agency:customs-vn"] } });
    let (status, c) = bg.post("/api/v1/cases", at_gate.clone()).await;
    assert_eq!(status, 201, "{c}");
    assert_eq!((c["lead_agency_id"].as_str(), c["in_customs_area"].as_bool()), (Some("customs-vn"), Some(true)));
    assert!(c["lead_basis"].as_str().unwrap().contains("Hữu Nghị"), "{c}");
    let mut named = at_gate.clone();
    named["lead_agency_id"] = json!("border-guard-vn");
    assert_eq!(bg.post("/api/v1/cases", named).await.1["field"], "lead_agency_id");
    let mut away = at_gate;
    away["latitude"] = json!(21.85);
    away["longitude"] = json!(106.76);
    assert_eq!(bg.post("/api/v1/cases", away).await.1["lead_agency_id"], "border-guard-vn", "outside every area the recorder leads");

    // The truck left Hữu Nghị's area towards Bắc Ninh: the police of both provinces and Lạng Sơn's
    // border guard, under agreements; market surveillance has no agreement with customs; no coast guard on land.
    let customs = s.login("hq.officer").await;
    let case = customs.post("/api/v1/cases", seizure(json!({}))).await.1;
    let id = case["id"].as_str().unwrap();
    let (status, p) = customs.get(&format!("/api/v1/cases/{id}/pursuit-proposal?found_province=B%E1%BA%AFc%20Giang")).await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["area_port"], "huu-nghi");
    assert_eq!(p["provinces"], json!(["bac-ninh", "lang-son"]), "Bắc Giang merged into Bắc Ninh in 2025");
    let mut units: Vec<&str> = p["recipients"].as_array().unwrap().iter().map(|r| r["unit_id"].as_str().unwrap()).collect();
    units.sort();
    assert_eq!(units, ["bg-lang-son", "police-bac-ninh", "police-lang-son"]);
    assert_eq!(p["recipients"][0]["agreement_id"].as_str().map(|a| a.starts_with("qc-")), Some(true));
    assert!(p["left_out"].as_array().unwrap().iter().any(|l| l["unit_id"] == "qltt-lang-son"), "{p}");
    assert_eq!(p["notice"]["case_id"], json!(id));
    // The officer confirms it as proposed: it is raised through the ordinary endpoint.
    let (status, n) = customs.post("/api/v1/notices", p["notice"].clone()).await;
    assert_eq!(status, 201, "{n}");
    assert_eq!(n["recipients"].as_array().unwrap().len(), 3);
    assert_eq!(s.login("ca.bacninh").await.get(&format!("/api/v1/notices/{}", n["id"].as_str().unwrap())).await.0, 200);

    // At Móng Cái (on the Ka Long river) the coast guard of Quảng Ninh joins.
    let mc = customs.post("/api/v1/cases", seizure(json!({ "province": "quang-ninh", "port": "mong-cai" }))).await.1;
    let (_, p) = customs.get(&format!("/api/v1/cases/{}/pursuit-proposal", mc["id"].as_str().unwrap())).await;
    assert_eq!(p["waters"], true);
    assert!(p["recipients"].as_array().unwrap().iter().any(|r| r["unit_id"] == "cg-region-1"), "{p}");
    let (_, p) = customs.get(&format!("/api/v1/cases/{}/pursuit-proposal?waters=false", mc["id"].as_str().unwrap())).await;
    assert!(!p["recipients"].as_array().unwrap().iter().any(|r| r["unit_id"] == "cg-region-1"), "{p}");

    // Bad input.
    assert_eq!(customs.get(&format!("/api/v1/cases/{id}/pursuit-proposal?found_province=Atlantis")).await.1["field"], "found_province");
    let inland = customs
        .post(
            "/api/v1/cases",
            json!({ "case_type": "smuggling", "title": "Kho hàng ở Hà Nội", "detected_at": T0 - 60_000, "province": "ha-noi",
                "sharing": { "tlp": "amber_strict", "distribution": ["own_agency"] } }),
        )
        .await
        .1;
    assert_eq!(customs.get(&format!("/api/v1/cases/{}/pursuit-proposal", inland["id"].as_str().unwrap())).await.1["field"], "case");
    assert_eq!(s.login("ca.officer").await.get(&format!("/api/v1/cases/{id}/pursuit-proposal")).await.0, 404);
    let (_, areas) = customs.get("/api/v1/customs-areas").await;
    assert!(areas.as_array().unwrap().len() >= 59, "one area per border gate, seaport and airport");
}

async fn link(c: &Client, op: &str, case: &str) -> (u16, Value) {
    c.post(&format!("/api/v1/operations/{op}/cases"), json!({ "case_id": case })).await
}

async fn joint_operations_show_each_participant_only_what_it_may_see(s: TestServer) {
    people(&s).await;
    s.user("cn.liaison", ("customs-cn", "foreign_customs"), "cn-gacc", &["liaison_officer"]).await;
    let customs = s.login("hq.officer").await;
    let op = json!({ "name": "Mekong Dragon VI", "description": "Chiến dịch chung chống buôn lậu thuốc lá", "starts_at": T0 - DAY,
        "ends_at": T0 + 30 * DAY, "participants": ["police-vn", "customs-cn"], "commodities": ["cigarettes"], "channel_tlp": "amber",
        "idempotency_key": "md6" });
    for (patch, field) in [
        (json!({ "ends_at": T0 - 2 * DAY }), "ends_at"),
        (json!({ "participants": ["nobody"] }), "participants"),
        (json!({ "commodities": ["unicorns"] }), "commodities"),
        (json!({ "channel_tlp": "purple" }), "channel_tlp"),
        (json!({ "name": " " }), "name"),
    ] {
        let mut bad = op.clone();
        for (k, v) in patch.as_object().unwrap() {
            bad[k] = v.clone();
        }
        bad["idempotency_key"] = json!(null);
        let (status, problem) = customs.post("/api/v1/operations", bad).await;
        assert_eq!((status, problem["field"].as_str()), (422, Some(field)), "{problem}");
    }
    let (status, created) = customs.post("/api/v1/operations", op.clone()).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(customs.post("/api/v1/operations", op).await.1["id"], created["id"], "idempotent");
    assert_eq!(created["phase"], "running");
    assert_eq!(created["participants"], json!(["customs-cn", "customs-vn", "police-vn"]));
    let oid = created["id"].as_str().unwrap().to_string();

    // Two seizures linked: one shared with the police, one kept in the customs unit (RED).
    let shared = customs
        .post(
            "/api/v1/cases",
            seizure(json!({ "sharing": { "tlp": "amber", "distribution": ["own_agency", "agency:police-vn"] },
            "goods": [{ "description": "Thuốc lá", "category": "cigarettes", "value_vnd": 300_000_000 },
                      { "description": "Đường", "category": "sugar", "value_vnd": 20_000_000 }] })),
        )
        .await
        .1;
    let red = customs
        .post(
            "/api/v1/cases",
            seizure(json!({ "sharing": { "tlp": "red", "distribution": [] }, "parties": [],
            "goods": [{ "description": "Thuốc lá", "category": "cigarettes", "value_vnd": 700_000_000 }] })),
        )
        .await
        .1;
    for c in [&shared, &red] {
        assert_eq!(link(&customs, &oid, c["id"].as_str().unwrap()).await.0, 200);
    }
    let (_, again) = link(&customs, &oid, shared["id"].as_str().unwrap()).await;
    assert_eq!(again["results"]["cases"], 2, "linking twice changes nothing");
    assert_eq!(again["results"]["value_vnd"], 1_020_000_000);
    let cig = again["results"]["by_commodity"].as_array().unwrap().iter().find(|r| r["commodity"] == "cigarettes").unwrap().clone();
    assert_eq!((cig["cases"].as_i64(), cig["value_vnd"].as_i64()), (Some(2), Some(1_000_000_000)));

    // The police see the operation, the shared case and its figures only; the foreign partner neither case.
    let police = s.login("ca.officer").await;
    let (status, seen) = police.get(&format!("/api/v1/operations/{oid}")).await;
    assert_eq!(status, 200, "{seen}");
    assert_eq!(seen["cases"].as_array().unwrap().len(), 1);
    assert_eq!(seen["cases"][0]["id"], shared["id"]);
    assert_eq!((seen["results"]["cases"].as_i64(), seen["results"]["value_vnd"].as_i64()), (Some(1), Some(320_000_000)));
    let cn = s.login("cn.liaison").await;
    let (_, seen) = cn.get(&format!("/api/v1/operations/{oid}")).await;
    assert_eq!((seen["cases"].as_array().unwrap().len(), seen["results"]["cases"].as_i64()), (0, Some(0)));
    assert_eq!(seen["results"]["by_commodity"], json!([]));
    assert_eq!(link(&police, &oid, red["id"].as_str().unwrap()).await.1["field"], "case_id", "a case one cannot see is not linked");

    // The channel: participants post and read; anyone else cannot know it exists.
    let (status, m) =
        cn.post(&format!("/api/v1/operations/{oid}/messages"), json!({ "body": "GACC: xe 12C-001.23 đã qua Bằng Tường" })).await;
    assert_eq!(status, 201, "{m}");
    assert_eq!(m["tlp"], "amber");
    let (_, msgs) = police.get(&format!("/api/v1/operations/{oid}/messages")).await;
    assert_eq!(msgs[0]["author_agency_id"], "customs-cn");
    let bg = s.login("bp.officer").await;
    assert_eq!(bg.get(&format!("/api/v1/operations/{oid}")).await.0, 404);
    assert_eq!(bg.get(&format!("/api/v1/operations/{oid}/messages")).await.0, 404);
    assert_eq!(bg.post(&format!("/api/v1/operations/{oid}/messages"), json!({ "body": "x" })).await.0, 404);
    assert_eq!(bg.get("/api/v1/operations").await.1, json!([]));
    assert_eq!(police.post(&format!("/api/v1/operations/{oid}/messages"), json!({ "body": "" })).await.0, 422);
    // After its period it has ended.
    s.clock.advance(31 * DAY);
    assert_eq!(s.login("hq.officer").await.get(&format!("/api/v1/operations/{oid}")).await.1["phase"], "ended");
}
