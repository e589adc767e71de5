//! The coordination pages over plain HTTP on both backends: a pursuit proposed from a case's
//! page fills the notice form, a handover is asked for and accepted through forms (refusals
//! come back as the form with the reason), and a joint operation is started, talked in and
//! shown with its results; the duty page keeps the roster and the head's delegations with their
//! scope; every form needs its CSRF token.

use cordon_app::{Actor, AgreementInput, NewUnitInput};
use reqwest::header;
use serde_json::json;
use test_support::{both_backends, TestServer, T0};

both_backends!(coordination_pages_raise_hand_over_and_run_operations, the_duty_page_keeps_the_roster_and_scoped_delegations);

async fn setup(s: &TestServer) {
    let cli = Actor::cli();
    s.user("hq.officer", ("customs-vn", "customs"), "customs-huu-nghi", &["officer"]).await;
    s.user("hq.head", ("customs-vn", "customs"), "customs-huu-nghi", &["unit_head", "officer"]).await;
    s.user("ca.head", ("police-vn", "police"), "police-hq", &["unit_head", "officer"]).await;
    for (id, province) in [("police-lang-son", "lang-son"), ("police-bac-ninh", "bac-ninh")] {
        let unit = NewUnitInput {
            id: id.into(),
            agency_id: "police-vn".into(),
            parent_id: None,
            name_vi: format!("Công an {id}"),
            name_en: id.into(),
            province: Some(province.into()),
        };
        s.app.create_unit(&cli, unit).await.unwrap();
    }
    let agreement = AgreementInput {
        id: "qc-police".into(),
        name: "Quy chế phối hợp Hải quan – Công an".into(),
        agency_a: "customs-vn".into(),
        agency_b: "police-vn".into(),
        case_types: vec![],
        disclose_personal: false,
        valid_from: T0 - 86_400_000,
        valid_until: None,
        ack_windows: Default::default(),
    };
    s.app.create_agreement(&cli, agreement).await.unwrap();
}

async fn coordination_pages_raise_hand_over_and_run_operations(s: TestServer) {
    setup(&s).await;
    let api = s.login("hq.officer").await;
    let (status, case) = api
        .post(
            "/api/v1/cases",
            json!({ "case_type": "smuggling", "title": "Xe tải chở pháo qua Hữu Nghị", "detected_at": T0 - 60_000, "port": "huu-nghi",
                "in_customs_area": true, "conveyance": { "plate": "12C-001.23" }, "sharing": { "tlp": "amber_strict", "distribution": ["own_agency"] },
                "goods": [{ "description": "Pháo", "category": "cigarettes", "value_vnd": 90_000_000 }] }),
        )
        .await;
    assert_eq!(status, 201, "{case}");
    let id = case["id"].as_str().unwrap().to_string();
    let customs = s.page_session("hq.officer").await;

    // From the case's page: propose a pursuit towards Bắc Ninh; the form comes filled in.
    let (_, page) = customs.get(&format!("/cases/{id}")).await;
    assert!(page.contains("id=\"propose-pursuit\"") && page.contains("id=\"hand-over\""), "the case page offers both");
    let (status, form) = customs.get(&format!("/notices/new?case={id}&found_province=bac-ninh")).await;
    assert_eq!(status, 200);
    assert!(form.contains("id=\"proposal-note\""), "{form}");
    for unit in ["police-lang-son", "police-bac-ninh"] {
        assert!(form.contains(&format!("value=\"{unit}\" checked")), "{unit} proposed");
    }
    assert!(form.contains(&format!("Truy đuổi: {}", case["conveyance"]["plate"].as_str().unwrap())), "the title names the truck");
    let (status, location, _) = customs
        .post(
            "/notices/new",
            "/notices/new",
            &[
                ("kind", "pursuit"),
                ("priority", "urgent"),
                ("title", "Truy đuổi: 12C-001.23"),
                ("recipient_units", "police-lang-son"),
                ("case_id", &id),
            ],
        )
        .await;
    assert_eq!((status, location.starts_with("/notices/")), (303, true), "{location}");
    let (_, notice) = customs.get(&location).await;
    assert!(notice.contains("id=\"recipients-table\"") && notice.contains("police-lang-son"));
    let (status, _, body) =
        customs.post("/notices/new", "/notices/new", &[("kind", "pursuit"), ("priority", "urgent"), ("title", "x")]).await;
    assert_eq!(status, 422, "no recipient: the form comes back");
    assert!(body.contains("recipient_units"), "with the field named");

    // Hand the case over to the police through the form, on the head's written decision.
    let head_id = s.app.actor_for_operator("hq.head").await.unwrap().user.id;
    let from = format!("/cases/{id}/handover");
    let decision = [
        ("decision_form", "written_decision"),
        ("decision_by", head_id.as_str()),
        ("decision_authority", "own"),
        ("decision_ref", "7/QĐ-HQ"),
    ];
    let mut to_self = vec![("to_agency_id", "customs-vn"), ("reason", "Chuyển điều tra")];
    to_self.extend_from_slice(&decision);
    let (status, _, body) = customs.post(&from, &from, &to_self).await;
    assert_eq!(status, 422);
    assert!(body.contains("to_agency_id"), "a handover to oneself is refused in the form");
    let mut fields = vec![("to_agency_id", "police-vn"), ("reason", "Có dấu hiệu tội phạm")];
    fields.extend_from_slice(&decision);
    let (status, location, _) = customs.post(&from, &from, &fields).await;
    assert_eq!((status, location.starts_with("/handovers/")), (303, true), "{location}");
    let police = s.page_session("ca.head").await;
    let (_, list) = police.get("/handovers").await;
    assert!(list.contains(case["reference"].as_str().unwrap()));
    let (_, page) = police.get(&location).await;
    assert!(page.contains("id=\"handover-answer\"") && page.contains("7/QĐ-HQ"), "the receiver answers, seeing the decision");
    let ca_head = s.app.actor_for_operator("ca.head").await.unwrap().user.id;
    let (status, back, _) = police
        .post(
            &location,
            &format!("{location}/answer"),
            &[("accept", "true"), ("decision_form", "oral_order"), ("decision_by", &ca_head), ("decision_authority", "own")],
        )
        .await;
    assert_eq!((status, back.as_str()), (303, location.as_str()));
    let (_, page) = police.get(&location).await;
    assert!(page.contains("Đã tiếp nhận"), "accepted");
    assert_eq!(s.login("ca.head").await.get(&format!("/api/v1/cases/{id}")).await.1["lead_agency_id"], "police-vn");

    // A joint operation: started from the form, the case linked, a message posted, results shown.
    let (status, location, _) = customs
        .post(
            "/operations",
            "/operations",
            &[
                ("name", "Mekong Dragon VI"),
                ("starts_at", "2026-01-01T00:00"),
                ("ends_at", "2026-03-01T00:00"),
                ("participants", "police-vn"),
                ("commodities", "cigarettes"),
                ("channel_tlp", "amber"),
            ],
        )
        .await;
    assert_eq!((status, location.starts_with("/operations/")), (303, true), "{location}");
    let (status, _, _) = customs.post(&location, &format!("{location}/cases"), &[("case_id", &id)]).await;
    assert_eq!(status, 303);
    let (status, _, _) = police.post(&location, &format!("{location}/messages"), &[("body", "Đã lập chốt tại km 12")]).await;
    assert_eq!(status, 303);
    let (_, page) = customs.get(&location).await;
    assert!(page.contains("Đã lập chốt tại km 12") && page.contains("id=\"results\"") && page.contains("90.000.000"), "{page}");
    let (status, _, _) = customs.post("/operations", "/operations", &[("name", "x"), ("starts_at", "nonsense"), ("ends_at", "")]).await;
    assert_eq!(status, 422);

    // No token, no write.
    let resp = customs
        .http
        .post(format!("{}/operations", customs.base))
        .header(header::COOKIE, &customs.cookie)
        .form(&[("name", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
}

async fn the_duty_page_keeps_the_roster_and_scoped_delegations(s: TestServer) {
    setup(&s).await;
    s.user("hq.deputy", ("customs-vn", "customs"), "customs-huu-nghi", &["deputy_head", "officer"]).await;
    // A unit the agreement does not reach is not offered on the notice form.
    s.user("bp.officer", ("border-guard-vn", "border_guard"), "bg-lang-son", &["officer"]).await;
    let officer = s.page_session("hq.officer").await;
    let (_, form) = officer.get("/notices/new").await;
    assert!(form.contains("value=\"police-lang-son\"") && !form.contains("value=\"bg-lang-son\""), "{form}");

    let (status, page) = officer.get("/duty").await;
    assert_eq!(status, 200);
    assert!(page.contains("id=\"nobody-on-duty\""), "nobody is on duty yet");
    assert!(!page.contains("id=\"new-shift\"") && !page.contains("id=\"new-delegation\""), "an officer keeps neither");
    let officer_id = s.app.actor_for_operator("hq.officer").await.unwrap().user.id;
    let deputy_id = s.app.actor_for_operator("hq.deputy").await.unwrap().user.id;

    let head = s.page_session("hq.head").await;
    // The test clock stands at 08:00 on 15 January 2026, Vietnam time: this shift covers it.
    let (status, location, _) = head
        .post(
            "/duty",
            "/duty/shifts",
            &[
                ("shift_user", &officer_id),
                ("shift_from", "2026-01-15T06:00"),
                ("shift_until", "2026-01-15T23:00"),
                ("shift_note", "Ca ngày"),
            ],
        )
        .await;
    assert_eq!((status, location.as_str()), (303, "/duty#roster"));
    let (_, page) = officer.get("/duty").await;
    assert!(page.contains("id=\"on-duty-now\"") && page.contains("Ca ngày"), "{page}");

    // A delegation with no power is refused on the form; one with a single power says so.
    let delegation = |scope: &'static [&'static str]| {
        let mut f = vec![
            ("delegate_to", deputy_id.clone()),
            ("delegate_from", "2026-01-15T00:00".to_string()),
            ("delegate_until", "2026-01-20T00:00".to_string()),
            ("delegate_reason", "Đi công tác".to_string()),
        ];
        f.extend(scope.iter().map(|p| ("scope", (*p).to_string())));
        f
    };
    let fields = delegation(&[]);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, body) = head.post("/duty", "/duty/delegations", &fields).await;
    assert_eq!(status, 422);
    assert!(body.contains("role=\"alert\"") && body.contains("scope"), "{body}");
    let fields = delegation(&["pursuit_decisions"]);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, location, _) = head.post("/duty", "/duty/delegations", &fields).await;
    assert_eq!((status, location.as_str()), (303, "/duty#delegations"));
    let (_, page) = head.get("/duty").await;
    let row = page.split("data-delegation=").nth(1).unwrap().split("</tr>").next().unwrap();
    assert!(row.contains("Quyết định truy đuổi") || row.contains("Pursuit decisions"), "{row}");
    assert!(!row.contains("Notices for the head") && !row.contains("Nhận tin gửi"), "only the power passed on: {row}");
    let (_, delegations) = s.login("hq.head").await.get("/api/v1/delegations").await;
    assert_eq!(delegations[0]["scope"], json!(["pursuit_decisions"]));
    // The deputy keeps the roster but does not delegate.
    let (_, page) = s.page_session("hq.deputy").await.get("/duty").await;
    assert!(page.contains("id=\"new-shift\"") && !page.contains("id=\"new-delegation\""));
}
