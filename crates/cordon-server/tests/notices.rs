//! Notices over HTTP on SQLite and PostgreSQL, driven by an injected clock: raised with a
//! deadline from their priority, acknowledged on time or late, escalated to the head, to the
//! deputy a delegation names while it runs, to the head again once it has expired, and to
//! nobody where a unit has no head — every step deterministic and on the record.

use serde_json::{json, Value};
use test_support::{both_backends, TestServer};

both_backends!(
    notices_are_acknowledged_or_escalated_as_the_clock_says,
    bad_notices_are_refused_and_repeats_are_one_notice,
    a_delegation_passes_on_only_what_its_scope_names
);

const MINUTE: i64 = 60_000;

async fn people(s: &TestServer) {
    s.user("hq.huunghi", ("customs-vn", "customs"), "customs-huu-nghi", &["officer"]).await;
    s.user("hq.analyst", ("customs-vn", "customs"), "customs-huu-nghi", &["analyst"]).await;
    s.user("bp.officer", ("border-guard-vn", "border_guard"), "bg-lang-son", &["officer"]).await;
    s.user("ca.officer", ("police-vn", "police"), "police-lang-son", &["officer"]).await;
    s.user("ca.head", ("police-vn", "police"), "police-lang-son", &["unit_head", "officer"]).await;
    s.user("ca.deputy", ("police-vn", "police"), "police-lang-son", &["deputy_head", "officer"]).await;
    s.user("qltt.officer", ("market-vn", "market_surveillance"), "qltt-lang-son", &["officer"]).await;
    s.user("audit", ("sco-389", "steering_committee_office"), "sco-hq", &["auditor"]).await;
    s.agreement("customs-vn", "border-guard-vn").await;
    s.agreement("customs-vn", "market-vn").await;
    // Customs and the Police agreed that a high-priority notice is answered within half an hour.
    let police = cordon_app::AgreementInput {
        id: "qcph-customs-police".into(),
        name: "Quy chế phối hợp Hải quan – Công an".into(),
        agency_a: "customs-vn".into(),
        agency_b: "police-vn".into(),
        case_types: Vec::new(),
        disclose_personal: true,
        valid_from: 0,
        valid_until: None,
        ack_windows: cordon_app::AckWindows { high: Some(30), ..Default::default() },
    };
    s.app.create_agreement(&cordon_app::Actor::cli(), police).await.unwrap();
}

async fn user_id(s: &TestServer, username: &str) -> String {
    s.app.actor_for_operator(username).await.unwrap().user.id
}

fn pursuit(units: &[&str]) -> Value {
    json!({ "kind": "pursuit", "priority": "urgent", "title": "Truy đuổi xe tải 12C-001.23 rời khu vực cửa khẩu Hữu Nghị",
        "body": "Xe nghi chở thuốc lá lậu, hướng về Đồng Đăng.", "recipient_units": units })
}

fn status_of<'a>(notice: &'a Value, unit: &str) -> &'a Value {
    notice["recipients"].as_array().unwrap().iter().find(|r| r["unit_id"] == unit).unwrap()
}

async fn notices_are_acknowledged_or_escalated_as_the_clock_says(s: TestServer) {
    people(&s).await;
    let sender = s.login("hq.huunghi").await;
    let (status, n) = sender.post("/api/v1/notices", pursuit(&["bg-lang-son", "police-lang-son", "qltt-lang-son"])).await;
    assert_eq!(status, 201, "{n}");
    assert_eq!(n["ack_deadline"].as_i64().unwrap() - n["created_at"].as_i64().unwrap(), 10 * MINUTE, "urgent: ten minutes");
    let id = n["id"].as_str().unwrap().to_string();

    // The border guard acknowledges in time, then reports what it did.
    let bg = s.login("bp.officer").await;
    let (_, inbox) = bg.get("/api/v1/notices").await;
    assert_eq!(inbox[0]["id"], id);
    assert_eq!(bg.post(&format!("/api/v1/notices/{id}/action"), json!({ "action": "Chốt chặn" })).await.0, 422, "acknowledge first");
    let (status, acked) = bg.post(&format!("/api/v1/notices/{id}/ack"), json!({})).await;
    assert_eq!(status, 200, "{acked}");
    assert_eq!(status_of(&acked, "bg-lang-son")["status"], "acknowledged");
    assert_eq!(bg.post(&format!("/api/v1/notices/{id}/ack"), json!({})).await.0, 422, "acknowledged once");
    let (_, reported) = bg
        .post(
            &format!("/api/v1/notices/{id}/action"),
            json!({ "action": "Lập chốt chặn tại km 12", "result": "Dừng xe, bàn giao Hải quan" }),
        )
        .await;
    assert_eq!(status_of(&reported, "bg-lang-son")["status"], "action_reported");
    // Nobody else answers for the border guard; a unit not addressed does not even see it.
    s.user("hq.other", ("customs-vn", "customs"), "customs-mong-cai", &["officer"]).await;
    let other = s.login("hq.other").await;
    assert_eq!(other.get(&format!("/api/v1/notices/{id}")).await.0, 404);
    assert_eq!(other.post(&format!("/api/v1/notices/{id}/ack"), json!({})).await.0, 404);
    assert_eq!(sender.post(&format!("/api/v1/notices/{id}/ack"), json!({})).await.0, 403, "the sender does not acknowledge for others");

    // Nine minutes: nothing escalates yet. Eleven: the police and market surveillance do.
    s.clock.advance(9 * MINUTE);
    assert_eq!(s.app.escalate_overdue_notices().await.unwrap(), 0);
    s.clock.advance(2 * MINUTE);
    assert_eq!(s.app.escalate_overdue_notices().await.unwrap(), 2);
    assert_eq!(s.app.escalate_overdue_notices().await.unwrap(), 0, "once");
    let (_, seen) = sender.get(&format!("/api/v1/notices/{id}")).await;
    let police = status_of(&seen, "police-lang-son");
    assert_eq!(
        (police["status"].as_str(), police["escalated_to"].as_str()),
        (Some("escalated"), Some(user_id(&s, "ca.head").await.as_str()))
    );
    let market = status_of(&seen, "qltt-lang-son");
    assert!(market["escalated_to"].is_null() && market["escalation_note"].as_str().unwrap().contains("nobody"), "{market}");
    // The head sees it and acknowledges it, late.
    let head = s.login("ca.head").await;
    let (_, acked) = head.post(&format!("/api/v1/notices/{id}/ack"), json!({})).await;
    assert_eq!(status_of(&acked, "police-lang-son")["ack_by"], json!(user_id(&s, "ca.head").await));

    // The head goes on leave and delegates to the deputy: the next late notice goes to the deputy.
    let now = test_support::T0 + 11 * MINUTE;
    let deputy_id = user_id(&s, "ca.deputy").await;
    let (status, d) = head
        .post(
            "/api/v1/delegations",
            json!({ "to_user_id": deputy_id, "starts_at": now, "ends_at": now + 86_400_000, "reason": "Nghỉ phép" }),
        )
        .await;
    assert_eq!(status, 201, "{d}");
    assert_eq!(
        s.login("ca.officer")
            .await
            .post("/api/v1/delegations", json!({ "to_user_id": deputy_id, "starts_at": now, "ends_at": now + 1, "reason": "x" }))
            .await
            .0,
        403
    );
    let (_, second) = sender.post("/api/v1/notices", pursuit(&["police-lang-son"])).await;
    let second_id = second["id"].as_str().unwrap().to_string();
    s.clock.advance(11 * MINUTE);
    assert_eq!(s.app.escalate_overdue_notices().await.unwrap(), 1);
    let deputy = s.login("ca.deputy").await;
    let (status, seen) = deputy.get(&format!("/api/v1/notices/{second_id}")).await;
    assert_eq!(status, 200);
    let police = status_of(&seen, "police-lang-son");
    assert_eq!(police["escalated_to"], json!(deputy_id));
    assert!(police["escalation_note"].as_str().unwrap().contains(d["id"].as_str().unwrap()), "the chain names the delegation: {police}");

    // Two days on, the delegation has expired: back to the head.
    s.clock.advance(2 * 86_400_000);
    let (sender, head) = (s.login("hq.huunghi").await, s.login("ca.head").await);
    let (_, third) = sender
        .post(
            "/api/v1/notices",
            json!({ "kind": "urgent_alert", "priority": "high", "title": "Cảnh báo", "recipient_units": ["police-lang-son"] }),
        )
        .await;
    assert_eq!(
        third["ack_deadline"].as_i64().unwrap() - third["created_at"].as_i64().unwrap(),
        30 * MINUTE,
        "the agreement's shorter window"
    );
    s.clock.advance(31 * MINUTE);
    assert_eq!(s.app.escalate_overdue_notices().await.unwrap(), 1);
    let (_, seen) = head.get(&format!("/api/v1/notices/{}", third["id"].as_str().unwrap())).await;
    assert_eq!(status_of(&seen, "police-lang-son")["escalated_to"], json!(user_id(&s, "ca.head").await));

    let (_, entries) = s.login("audit").await.get(&format!("/api/v1/audit?object_id={id}&limit=100")).await;
    let actions: Vec<&str> = entries.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    for a in ["notice.raise", "notice.ack", "notice.action", "notice.escalate"] {
        assert!(actions.contains(&a), "{a} on the record: {actions:?}");
    }
}

async fn bad_notices_are_refused_and_repeats_are_one_notice(s: TestServer) {
    people(&s).await;
    let sender = s.login("hq.huunghi").await;
    for (body, field) in [
        (pursuit(&["no-such-unit"]), "recipient_units"),
        (pursuit(&["customs-huu-nghi"]), "recipient_units"),
        (pursuit(&[]), "recipient_units"),
        (json!({ "kind": "rumour", "priority": "urgent", "title": "x", "recipient_units": ["bg-lang-son"] }), "kind"),
        (
            json!({ "kind": "pursuit", "priority": "urgent", "title": "x", "recipient_units": ["bg-lang-son"], "ack_within_minutes": -5 }),
            "ack_within_minutes",
        ),
        (
            json!({ "kind": "pursuit", "priority": "urgent", "title": "x", "recipient_units": ["bg-lang-son"], "case_id": "nope" }),
            "case_id",
        ),
    ] {
        let (status, problem) = sender.post("/api/v1/notices", body).await;
        assert_eq!((status, problem["field"].as_str()), (422, Some(field)), "{problem}");
    }
    // The border guard and the police have no agreement: no notice passes between them, and
    // nothing is written.
    let bg = s.login("bp.officer").await;
    let (status, problem) = bg.post("/api/v1/notices", pursuit(&["police-lang-son"])).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("recipient_units")), "{problem}");
    assert!(problem["detail"].as_str().unwrap().contains("no coordination agreement"), "{problem}");
    assert_eq!(bg.get("/api/v1/notices").await.1, json!([]));
    // An agreement may shorten a window, never lengthen it past the priority's.
    let mut lax = cordon_app::AgreementInput {
        id: "qcph-bg-police".into(),
        name: "Quy chế phối hợp Biên phòng – Công an".into(),
        agency_a: "border-guard-vn".into(),
        agency_b: "police-vn".into(),
        case_types: Vec::new(),
        disclose_personal: false,
        valid_from: 0,
        valid_until: None,
        ack_windows: cordon_app::AckWindows { urgent: Some(30), ..Default::default() },
    };
    let refused = s.app.create_agreement(&cordon_app::Actor::cli(), lax.clone()).await.unwrap_err().to_string();
    assert!(refused.contains("ack_windows"), "{refused}");
    lax.ack_windows.urgent = Some(5);
    s.app.create_agreement(&cordon_app::Actor::cli(), lax).await.unwrap();
    let (status, n) = bg.post("/api/v1/notices", pursuit(&["police-lang-son"])).await;
    assert_eq!(status, 201, "{n}");
    assert_eq!(n["ack_deadline"].as_i64().unwrap() - n["created_at"].as_i64().unwrap(), 5 * MINUTE, "the agreement's five minutes");
    assert_eq!(s.login("hq.analyst").await.post("/api/v1/notices", pursuit(&["bg-lang-son"])).await.0, 403);
    let mut keyed = pursuit(&["bg-lang-son"]);
    keyed["idempotency_key"] = json!("tt-2026-0117");
    let (first, second) = (sender.post("/api/v1/notices", keyed.clone()).await.1, sender.post("/api/v1/notices", keyed).await.1);
    assert_eq!(first["id"], second["id"], "a repeated submission is the same notice");
    let (_, list) = s.login("bp.officer").await.get("/api/v1/notices").await;
    let from_customs = list.as_array().unwrap().iter().filter(|n| n["from_unit_id"] == "customs-huu-nghi").count();
    assert_eq!(from_customs, 1, "{list}");
}

async fn a_delegation_passes_on_only_what_its_scope_names(s: TestServer) {
    people(&s).await;
    let head = s.login("ca.head").await;
    let deputy_id = user_id(&s, "ca.deputy").await;
    let now = test_support::T0;
    let delegation = |scope: Value| json!({ "to_user_id": deputy_id, "starts_at": now, "ends_at": now + 86_400_000, "reason": "Đi công tác", "scope": scope });
    for scope in [json!([]), json!(["everything"])] {
        let (status, problem) = head.post("/api/v1/delegations", delegation(scope)).await;
        assert_eq!((status, problem["field"].as_str()), (422, Some("scope")), "{problem}");
    }
    let (status, d) = head.post("/api/v1/delegations", delegation(json!(["pursuit_decisions"]))).await;
    assert_eq!(status, 201, "{d}");
    assert_eq!(d["scope"], json!(["pursuit_decisions"]));
    // The deputy may decide pursuits, but late notices still go to the head.
    let (_, n) = s.login("hq.huunghi").await.post("/api/v1/notices", pursuit(&["police-lang-son"])).await;
    s.clock.advance(11 * MINUTE);
    assert_eq!(s.app.escalate_overdue_notices().await.unwrap(), 1);
    let (_, seen) = head.get(&format!("/api/v1/notices/{}", n["id"].as_str().unwrap())).await;
    assert_eq!(status_of(&seen, "police-lang-son")["escalated_to"], json!(user_id(&s, "ca.head").await));
    assert_eq!(s.login("ca.deputy").await.get(&format!("/api/v1/notices/{}", n["id"].as_str().unwrap())).await.0, 200, "the unit's");
    let (_, list) = head.get("/api/v1/delegations").await;
    assert_eq!(list[0]["scope"], json!(["pursuit_decisions"]));
}
