//! Entity resolution on cases over HTTP, on SQLite and PostgreSQL: a party recorded on a case
//! is resolved against the entities already known; what looks like the same person is kept as
//! a candidate with its probability and per-field explanation, a shared strong identifier
//! links automatically, analysts confirm, reject or split, "not the same" is final, and a match
//! to an entity the caller may not see says only which agency holds it.

use std::collections::{BTreeMap, BTreeSet};

use cordon_app::Actor;
use serde_json::{json, Value};
use test_support::{both_backends, Client, TestServer, T0};

both_backends!(
    candidates_are_explained_and_decided_by_analysts,
    a_match_the_caller_may_not_see_names_only_the_holder,
    a_rescan_records_what_resolution_left_out_and_never_overrides_a_decision
);

async fn people(s: &TestServer) {
    s.user("hq.huunghi", ("customs-vn", "customs"), "customs-huu-nghi", &["officer"]).await;
    s.user("hq.analyst", ("customs-vn", "customs"), "customs-hq", &["analyst"]).await;
    s.user("audit", ("sco-389", "steering_committee_office"), "sco-hq", &["auditor"]).await;
    s.user("bp.langson", ("border-guard-vn", "border_guard"), "bg-lang-son", &["officer"]).await;
}

fn case(title: &str, parties: Value, distribution: &[&str]) -> Value {
    json!({
        "case_type": "smuggling", "title": title, "detected_at": T0 - 3_600_000, "province": "lang-son",
        "goods": [{ "description": "Thuốc lá điếu Esse", "category": "cigarettes", "value_vnd": 1_000_000 }],
        "parties": parties,
        "sharing": { "tlp": "amber", "distribution": distribution }
    })
}

async fn create(c: &Client, body: Value) -> Value {
    let (status, v) = c.post("/api/v1/cases", body).await;
    assert_eq!(status, 201, "{v}");
    v
}

fn entity(case: &Value, i: usize) -> String {
    case["parties"][i]["entity_id"].as_str().unwrap().to_string()
}

async fn matches(c: &Client, entity: &str) -> Vec<Value> {
    let (status, m) = c.get(&format!("/api/v1/entities/{entity}/matches")).await;
    assert_eq!(status, 200, "{m}");
    m.as_array().unwrap().clone()
}

async fn decide(c: &Client, id: &str, decision: &str) -> (u16, Value) {
    c.post(&format!("/api/v1/entity-matches/{id}/decision"), json!({ "decision": decision, "reason": "checked the files" })).await
}

async fn candidates_are_explained_and_decided_by_analysts(s: TestServer) {
    people(&s).await;
    let officer = s.login("hq.huunghi").await;
    let first = create(
        &officer,
        case(
            "Thu giữ thuốc lá tại Hữu Nghị",
            json!([
                { "kind": "person", "name": "Nguyễn Văn An", "identifiers": { "phone": "0168 123 4567" }, "role": "driver" },
                { "kind": "vehicle", "name": "12C-001.23", "identifiers": { "plate": "12C-001.23" }, "role": "owner" },
                { "kind": "person", "name": "Trần Thị Bình", "role": "witness" }
            ]),
            &["own_agency"],
        ),
    )
    .await;
    let (an, truck) = (entity(&first, 0), entity(&first, 1));
    assert!(matches(&officer, &an).await.is_empty(), "nothing to match yet");

    // The same man written given-name first with his phone in the new numbering, and the same truck.
    let second = create(
        &officer,
        case(
            "Thu giữ thuốc lá tại Đồng Đăng",
            json!([
                { "kind": "person", "name": "AN NGUYEN VAN", "identifiers": { "phone": "+84 38 123 4567" }, "role": "driver" },
                { "kind": "vehicle", "name": "12C 00123", "identifiers": { "plate": "12c-001.23" }, "role": "owner" },
                { "kind": "person", "name": "Trần Thị Bình", "role": "witness" }
            ]),
            &["own_agency"],
        ),
    )
    .await;
    let (an2, truck2, binh2) = (entity(&second, 0), entity(&second, 1), entity(&second, 2));

    let found = matches(&officer, &an2).await;
    assert_eq!(found.len(), 1, "{found:?}");
    let m = &found[0];
    assert_eq!((m["visible"].as_bool(), m["entity_id"].as_str(), m["status"].as_str()), (Some(true), Some(an.as_str()), Some("candidate")));
    assert!(m["probability"].as_f64().unwrap() > 0.99, "{m}");
    assert_eq!(m["name"], "Nguyễn Văn An");
    let fields: Vec<(&str, &str)> =
        m["fields"].as_array().unwrap().iter().map(|f| (f["field"].as_str().unwrap(), f["level"].as_str().unwrap())).collect();
    assert_eq!(fields, [("phone", "exact"), ("person name", "exact (any order)")], "the 2018 renumbering and the name order are explained");
    assert!(m["fields"].as_array().unwrap().iter().all(|f| f["weight"].as_f64().unwrap() > 0.0));
    // The same pair is seen from either side.
    assert_eq!(matches(&officer, &an).await[0]["id"], m["id"]);

    // A plate is a strong identifier: linked without an analyst, and said so.
    let by_plate = matches(&officer, &truck2).await;
    assert_eq!((by_plate[0]["status"].as_str(), by_plate[0]["decided_by_field"].as_str()), (Some("linked"), Some("plate")));
    assert_eq!(by_plate[0]["entity_id"], json!(truck));
    // The same name alone is only a weak candidate.
    let namesake = matches(&officer, &binh2).await;
    let p = namesake[0]["probability"].as_f64().unwrap();
    assert!((0.5..0.9).contains(&p) && namesake[0]["status"] == "candidate", "{namesake:?}");

    // Decisions: an analyst reads but does not decide; bad decisions are refused with nothing written.
    let analyst = s.login("hq.analyst").await;
    assert_eq!(matches(&analyst, &an2).await.len(), 1);
    assert_eq!(decide(&analyst, m["id"].as_str().unwrap(), "confirm").await.0, 403);
    let (status, bad) = decide(&officer, m["id"].as_str().unwrap(), "maybe").await;
    assert_eq!((status, bad["field"].as_str()), (422, Some("decision")), "{bad}");
    assert_eq!(decide(&officer, "no-such-match", "confirm").await.0, 404);

    // Confirmed, then split: the two are not the same after all, and that stands.
    let (status, confirmed) = decide(&officer, m["id"].as_str().unwrap(), "confirm").await;
    assert_eq!((status, confirmed["status"].as_str()), (200, Some("confirmed")), "{confirmed}");
    assert_eq!(decide(&officer, m["id"].as_str().unwrap(), "confirm").await.0, 422, "confirmed already");
    assert_eq!(decide(&officer, m["id"].as_str().unwrap(), "reject").await.0, 422, "a joined pair is split, not rejected");
    let (status, split) = decide(&officer, m["id"].as_str().unwrap(), "split").await;
    assert_eq!((status, split["status"].as_str(), split["decided_by"].is_string()), (200, Some("rejected"), true), "{split}");
    let (status, refused) = decide(&officer, m["id"].as_str().unwrap(), "confirm").await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused["detail"].as_str().unwrap_or_default().contains("not the same"), "{refused}");
    let (_, rejected_truck) = decide(&officer, by_plate[0]["id"].as_str().unwrap(), "split").await;
    assert_eq!(rejected_truck["status"], "rejected");
    let (_, namesake_rejected) = decide(&officer, namesake[0]["id"].as_str().unwrap(), "reject").await;
    assert_eq!(namesake_rejected["status"], "rejected");

    // Later resolutions respect it: a third record of the man matches both earlier ones as new
    // candidates, and the rejected pair is still rejected.
    let rb = officer
        .http
        .post(format!("{}/api/v1/cases/{}/parties", s.base, first["id"].as_str().unwrap()))
        .header("If-Match", "\"1\"")
        .json(&json!({ "kind": "person", "name": "Nguyen Van An", "identifiers": { "phone": "038 123 4567" }, "role": "owner" }));
    let (status, added) = test_support::split(officer.send(rb).await).await;
    assert_eq!(status, 200, "{added}");
    let an3 = added["parties"].as_array().unwrap().iter().find(|p| p["role"] == "owner" && p["kind"] == "person").unwrap()["entity_id"]
        .as_str()
        .unwrap()
        .to_string();
    let third_matches = matches(&officer, &an3).await;
    let mut others: Vec<&str> = third_matches.iter().map(|m| m["entity_id"].as_str().unwrap()).collect();
    others.sort_unstable();
    let mut want = vec![an.as_str(), an2.as_str()];
    want.sort_unstable();
    assert_eq!(others, want);
    assert!(third_matches.iter().all(|m| m["status"] == "candidate"));
    let still = matches(&officer, &an).await;
    let pair = still.iter().find(|x| x["entity_id"] == json!(an2)).unwrap();
    assert_eq!(pair["status"], "rejected", "not the same is never overridden");

    // Every decision is on the record.
    let audit = s.login("audit").await;
    let (_, entries) = audit.get("/api/v1/audit?object_type=entity_match&limit=50").await;
    let outcomes: Vec<&str> = entries.as_array().unwrap().iter().map(|e| e["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes.iter().filter(|o| **o == "ok").count(), 4, "confirm, two splits and a rejection: {entries}");
}

async fn a_match_the_caller_may_not_see_names_only_the_holder(s: TestServer) {
    people(&s).await;
    let customs = s.login("hq.huunghi").await;
    let theirs = create(
        &customs,
        case(
            "Thu giữ thuốc lá",
            json!([{ "kind": "person", "name": "Nguyễn Văn An", "identifiers": { "cccd": "020 085 012 345" }, "role": "driver" }]),
            &["own_agency", "agency:border-guard-vn"],
        ),
    )
    .await;
    let held = entity(&theirs, 0);
    let bg = s.login("bp.langson").await;
    let ours = create(
        &bg,
        case(
            "Bắt giữ đối tượng vận chuyển hàng lậu",
            json!([{ "kind": "person", "name": "Nguyen Van An", "identifiers": { "cccd": "020085012345" }, "role": "suspect" }]),
            &["own_agency"],
        ),
    )
    .await;
    let mine = entity(&ours, 0);

    let found = matches(&bg, &mine).await;
    assert_eq!(found.len(), 1, "{found:?}");
    let m = &found[0];
    assert_eq!(m["visible"], false);
    assert_eq!(m["held_by"], "customs-vn", "agency X holds a possible match");
    assert_eq!(m["access_case_id"], theirs["id"], "access is asked on the case the border guard sees with the person withheld");
    for hidden in ["entity_id", "name", "status", "probability", "weight", "decided_by_field"] {
        assert!(m[hidden].is_null(), "{hidden}: {m}");
    }
    assert_eq!((m["identifiers"].clone(), m["fields"].clone()), (json!({}), json!([])));
    let text = Value::Array(found.clone()).to_string();
    assert!(!text.contains(&held) && !text.contains("Nguyễn") && !text.contains("cccd"), "{text}");
    // The way to ask: the existing access request, on that case.
    let (status, asked) =
        bg.post(&format!("/api/v1/cases/{}/access-requests", theirs["id"].as_str().unwrap()), json!({ "reason": "possible match" })).await;
    assert_eq!(status, 201, "{asked}");
    // Deciding needs both entities in full: nothing to decide on here.
    assert_eq!(decide(&bg, m["id"].as_str().unwrap(), "reject").await.0, 404);

    // Customs cannot see the border guard's case at all: only the holder, and no case to ask on.
    let from_customs = matches(&customs, &held).await;
    assert_eq!((from_customs[0]["visible"].as_bool(), from_customs[0]["held_by"].as_str()), (Some(false), Some("border-guard-vn")));
    assert!(from_customs[0]["access_case_id"].is_null());
    assert_eq!(decide(&customs, m["id"].as_str().unwrap(), "reject").await.0, 404);
    // Someone who may not see the entity itself gets no list at all.
    assert_eq!(bg.get(&format!("/api/v1/entities/{held}/matches")).await.0, 404);
}

/// The entity page lists the candidate with its explanation and the analyst's buttons; a
/// decision from the page is recorded, and one that is refused comes back with the reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_entity_page_shows_candidates_and_takes_decisions() {
    use reqwest::header;
    let s = TestServer::start(test_support::Backend::Sqlite).await.unwrap();
    people(&s).await;
    let officer = s.login("hq.huunghi").await;
    let driver = |name: &str, phone: &str| json!([{ "kind": "person", "name": name, "identifiers": { "phone": phone }, "role": "driver" }]);
    create(&officer, case("Vụ thứ nhất", driver("Lê Hữu Đức", "0912 345 678"), &["own_agency"])).await;
    let second = create(&officer, case("Vụ thứ hai", driver("DUC LE HUU", "+84912345678"), &["own_agency"])).await;
    let entity_id = entity(&second, 0);

    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let login = http
        .post(format!("{}/login", s.base))
        .form(&[("username", "hq.huunghi"), ("password", test_support::PASSWORD)])
        .send()
        .await
        .unwrap();
    let cookie = login.headers()[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_string();
    let page = || async {
        http.get(format!("{}/entities/{entity_id}", s.base)).header(header::COOKIE, &cookie).send().await.unwrap().text().await.unwrap()
    };
    let html = page().await;
    assert!(html.contains("id=\"entity-matches\"") && html.contains("Lê Hữu Đức"), "the candidate, by name");
    assert!(
        html.contains("exact (any order)") && html.contains("value=\"confirm\"") && html.contains("value=\"reject\""),
        "why, and the buttons"
    );
    let action = html.split("method=\"post\" action=\"/entity-matches/").nth(1).unwrap().split('"').next().unwrap().to_string();
    let csrf = html.split("name=\"_csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let post = |decision: &'static str| {
        let (http, url, cookie, csrf) = (http.clone(), format!("{}/entity-matches/{action}", s.base), cookie.clone(), csrf.clone());
        let entity_id = entity_id.clone();
        async move {
            http.post(url)
                .header(header::COOKIE, cookie)
                .form(&[("_csrf", csrf.as_str()), ("entity", entity_id.as_str()), ("decision", decision), ("reason", "khác ngày sinh")])
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(post("reject").await.status(), 303);
    let html = page().await;
    assert!(!html.contains("value=\"confirm\""), "nothing left to decide on a rejected match");
    let refused = post("confirm").await;
    assert_eq!(refused.status(), 200);
    assert!(refused.text().await.unwrap().contains("role=\"alert\""), "the refusal is said on the page");
    let (_, listed) = officer.get(&format!("/api/v1/entities/{entity_id}/matches")).await;
    assert_eq!((listed[0]["status"].as_str(), listed[0]["decision_reason"].as_str()), (Some("rejected"), Some("khác ngày sinh")));
}

/// What each entity's matches say, as the officer sees them: match id → (the two entities, status).
async fn all_matches(c: &Client, ids: &[String]) -> BTreeMap<String, (BTreeSet<String>, String)> {
    let mut out = BTreeMap::new();
    for e in ids {
        for m in matches(c, e).await {
            let pair = BTreeSet::from([e.clone(), m["entity_id"].as_str().unwrap().to_string()]);
            out.insert(m["id"].as_str().unwrap().to_string(), (pair, m["status"].as_str().unwrap().to_string()));
        }
    }
    out
}

/// `cordon match rescan`'s use case: the batch engine over every stored entity records
/// the pairs incremental resolution left out (here those beyond a new entity's five strongest
/// candidates), and leaves every stored pair, and the analysts' decisions on them, as they are.
async fn a_rescan_records_what_resolution_left_out_and_never_overrides_a_decision(s: TestServer) {
    people(&s).await;
    let officer = s.login("hq.huunghi").await;
    // Seven records of the same woman with the same phone: each new one keeps at most five candidates.
    let mut ids = Vec::new();
    for i in 0..7 {
        let party = json!([{ "kind": "person", "name": "Trần Thị Bình", "identifiers": { "phone": "0912 345 678" }, "role": "witness" }]);
        ids.push(entity(&create(&officer, case(&format!("Thu giữ thuốc lá, vụ {i}"), party, &["own_agency"])).await, 0));
    }
    let before = all_matches(&officer, &ids).await;
    assert_eq!(before.len(), 1 + 2 + 3 + 4 + 5 + 5, "of the 21 pairs, the seventh entity kept five: {before:?}");
    let pair = |i: usize, j: usize| BTreeSet::from([ids[i].clone(), ids[j].clone()]);
    let id_of = |p: &BTreeSet<String>| before.iter().find(|(_, (q, _))| q == p).map(|(id, _)| id.clone()).unwrap();
    let (rejected, confirmed) = (id_of(&pair(0, 1)), id_of(&pair(2, 3)));
    assert_eq!(decide(&officer, &rejected, "reject").await.0, 200);
    assert_eq!(decide(&officer, &confirmed, "confirm").await.0, 200);

    let report = s.app.rescan_entities(&Actor::cli()).await.unwrap();
    assert_eq!(
        (report.entities, report.resolved, report.found, report.already_stored, report.new_candidates, report.new_linked),
        (7, 7, 21, 20, 1, 0),
        "{report:?}"
    );
    let after = all_matches(&officer, &ids).await;
    assert_eq!(after.len(), 21, "every pair is stored now");
    let missing: Vec<_> = after.iter().filter(|(id, _)| !before.contains_key(*id)).collect();
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0].1 .1, "candidate", "a new pair waits for an analyst");
    assert_eq!(after[&rejected].1, "rejected", "not the same stays not the same");
    assert_eq!(after[&confirmed].1, "confirmed");
    for (id, (p, status)) in &before {
        if *id != rejected && *id != confirmed {
            assert_eq!(&after[id], &(p.clone(), status.clone()), "a stored pair keeps its row");
        }
    }
    // Run again: nothing new, nothing changed.
    let again = s.app.rescan_entities(&Actor::cli()).await.unwrap();
    assert_eq!((again.already_stored, again.new_candidates, again.new_linked), (21, 0, 0), "{again:?}");
    assert_eq!(all_matches(&officer, &ids).await, after);
    // Only administrators run it.
    let mut analyst = Actor::cli();
    analyst.user.roles = vec![cordon_core::Role::Analyst];
    assert!(matches!(s.app.rescan_entities(&analyst).await, Err(cordon_app::AppError::Forbidden(_))));
}
