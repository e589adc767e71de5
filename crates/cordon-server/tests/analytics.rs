//! Statistics, hotspots, seasons and forecasts over HTTP, on SQLite and PostgreSQL, against
//! hand-computed fixtures: year-on-year changes, empty periods, 29 February, outcome figures,
//! and nothing counted that the caller may not see.

use reqwest::header;
use serde_json::{json, Value};
use test_support::{both_backends, split, Client, TestServer};

both_backends!(
    statistics_compare_with_the_same_period_last_year,
    leap_days_compare_under_the_stated_rule,
    a_planted_spike_is_a_hotspot_and_quiet_areas_are_not,
    seasons_and_forecast_over_a_visible_history,
    risk_scores_are_explained_and_follow_what_the_caller_is_shown,
    the_standing_office_follows_directives_and_each_agency_its_own_tasks,
    reports_come_as_pdf_with_vietnamese_text_xlsx_and_csv,
    the_analytics_and_directives_pages_show_the_callers_figures,
    directives_are_recorded_and_reported_on_through_the_page,
    an_administrators_template_shapes_the_agencys_reports,
);

async fn people(s: &TestServer) {
    s.user("audit", ("sco-389", "steering_committee_office"), "sco-hq", &["auditor"]).await;
    s.user("hq.huunghi", ("customs-vn", "customs"), "customs-huu-nghi", &["officer"]).await;
    s.user("hq.head", ("customs-vn", "customs"), "customs-huu-nghi", &["unit_head", "officer"]).await;
    s.user("hq.mongcai", ("customs-vn", "customs"), "customs-mong-cai", &["officer"]).await;
    s.user("bp.langson", ("border-guard-vn", "border_guard"), "bg-lang-son", &["officer"]).await;
    s.user("cn.liaison", ("customs-cn", "foreign_customs"), "customs-cn-desk", &["liaison_officer", "officer"]).await;
}

fn at(date: &str) -> i64 {
    cordon_core::time::parse_datetime(date).unwrap()
}

/// A case detected at `when` in `province` with goods `(category, value)`, a fine and sharing.
fn case(when: &str, province: &str, goods: &[(&str, i64)], fine: Option<i64>, tlp: &str) -> Value {
    let goods: Vec<Value> = goods
        .iter()
        .map(|(cat, v)| json!({ "description": format!("Hàng {cat}"), "category": cat, "quantity": 1, "unit": "lô", "value_vnd": v }))
        .collect();
    json!({
        "case_type": "smuggling",
        "title": format!("Vụ {when}"),
        "summary": "Vận chuyển hàng lậu qua biên giới.",
        "detected_at": at(when),
        "province": province,
        "transport_mode": "road",
        "route": "Tân Thanh – Hà Nội",
        "outcome": { "fine_vnd": fine },
        "goods": goods,
        "sharing": { "tlp": tlp, "distribution": ["own_agency"], "handling": [] }
    })
}

async fn create(c: &Client, body: Value) -> String {
    let (status, v) = c.post("/api/v1/cases", body).await;
    assert_eq!(status, 201, "{v}");
    v["id"].as_str().unwrap().to_string()
}

async fn step(s: &TestServer, c: &Client, id: &str, version: i64, to: &str) {
    let rb = c
        .http
        .post(format!("{}/api/v1/cases/{id}/transitions", s.base))
        .header(header::IF_MATCH, format!("\"{version}\""))
        .json(&json!({ "to": to, "reason": "Theo quyết định của thủ trưởng đơn vị" }));
    let (status, body) = split(c.send(rb).await).await;
    assert_eq!(status, 200, "{to}: {body}");
}

async fn statistics_compare_with_the_same_period_last_year(s: TestServer) {
    people(&s).await;
    let officer = s.login("hq.huunghi").await;
    let head = s.login("hq.head").await;
    let mongcai = s.login("hq.mongcai").await;
    // January 2026 (customs): A, B in Lạng Sơn, C in Quảng Ninh.
    create(
        &officer,
        case("05/01/2026 09:00", "Lạng Sơn", &[("cigarettes", 60_000_000), ("sugar", 10_000_000)], Some(20_000_000), "amber_strict"),
    )
    .await;
    let b = create(&officer, case("10/01/2026 09:00", "Lạng Sơn", &[("cigarettes", 40_000_000)], None, "amber_strict")).await;
    create(&mongcai, case("12/01/2026 09:00", "Quảng Ninh", &[("sugar", 30_000_000)], Some(5_000_000), "amber_strict")).await;
    // B is seized, transferred for criminal investigation and prosecuted.
    step(&s, &officer, &b, 1, "verified").await;
    step(&s, &officer, &b, 2, "seized").await;
    step(&s, &head, &b, 3, "transferred_for_investigation").await;
    step(&s, &head, &b, 4, "prosecuted").await;
    // January 2025 (customs): D in Lạng Sơn, E in Quảng Ninh.
    create(&officer, case("20/01/2025 09:00", "Lạng Sơn", &[("cigarettes", 50_000_000)], Some(10_000_000), "amber_strict")).await;
    create(&mongcai, case("25/01/2025 09:00", "Quảng Ninh", &[("sugar", 20_000_000)], None, "amber_strict")).await;
    // The Border Guard's own case: a billion, which customs must not see in any figure.
    create(&s.login("bp.langson").await, case("08/01/2026 09:00", "Lạng Sơn", &[("cigarettes", 1_000_000_000)], None, "amber_strict"))
        .await;

    let (status, st) = officer.get("/api/v1/statistics?from=2026-01-01&to=2026-02-01").await;
    assert_eq!(status, 200, "{st}");
    assert_eq!((st["previous_from"].as_i64(), st["previous_to"].as_i64()), (Some(at("01/01/2025")), Some(at("01/02/2025"))));
    assert_eq!(
        st["total"]["current"],
        json!({ "cases": 3, "seizures": 1, "value_vnd": 140_000_000, "fines_vnd": 25_000_000, "fined_cases": 2,
                "transferred_for_investigation": 1, "prosecuted": 1 })
    );
    assert_eq!(
        st["total"]["previous"],
        json!({ "cases": 2, "seizures": 0, "value_vnd": 70_000_000, "fines_vnd": 10_000_000, "fined_cases": 1,
                "transferred_for_investigation": 0, "prosecuted": 0 })
    );
    // 3 on 2: +50 %; 140 M on 70 M: +100 %; 25 M on 10 M: +150 %; no base for seizures.
    assert_eq!(
        st["total"]["change"],
        json!({ "cases_pct": 50.0, "seizures_pct": null, "value_pct": 100.0, "fines_pct": 150.0, "transferred_pct": null, "prosecuted_pct": null })
    );
    assert!(st["comparison_rule"].as_str().unwrap().contains("29 February"));

    let (_, by_province) = officer.get("/api/v1/statistics?from=2026-01-01&to=2026-02-01&by=province").await;
    let rows = by_province["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[0]["key"].as_str(), rows[0]["label"].as_str()), (Some("lang-son"), Some("Lạng Sơn")));
    assert_eq!((rows[0]["current"]["cases"].as_i64(), rows[0]["current"]["value_vnd"].as_i64()), (Some(2), Some(110_000_000)));
    assert_eq!(rows[0]["change"]["value_pct"], 120.0, "110 M on 50 M");
    assert_eq!(
        (rows[1]["key"].as_str(), rows[1]["change"]["cases_pct"].as_f64(), rows[1]["change"]["value_pct"].as_f64()),
        (Some("quang-ninh"), Some(0.0), Some(50.0))
    );

    let (_, by_commodity) = officer.get("/api/v1/statistics?from=2026-01-01&to=2026-02-01&by=commodity").await;
    let pairs: Vec<(String, i64, i64, i64)> = by_commodity["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap().to_string(),
                r["current"]["cases"].as_i64().unwrap(),
                r["current"]["value_vnd"].as_i64().unwrap(),
                r["previous"]["value_vnd"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        vec![("cigarettes".into(), 2, 100_000_000, 50_000_000), ("sugar".into(), 2, 40_000_000, 20_000_000)],
        "a commodity's value is its goods'"
    );

    let (_, by_unit) = officer.get("/api/v1/statistics?from=2026-01-01&to=2026-02-01&by=unit").await;
    let units: Vec<(&str, i64, i64)> = by_unit["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["key"].as_str().unwrap(), r["current"]["cases"].as_i64().unwrap(), r["previous"]["cases"].as_i64().unwrap()))
        .collect();
    assert_eq!(units, vec![("customs-huu-nghi", 2, 1), ("customs-mong-cai", 1, 1)]);
    let (_, filtered) = officer.get("/api/v1/statistics?from=2026-01-01&to=2026-02-01&unit=customs-mong-cai&commodity=sugar").await;
    assert_eq!((filtered["total"]["current"]["cases"].as_i64(), filtered["total"]["previous"]["cases"].as_i64()), (Some(1), Some(1)));

    // By month, with an empty month before: December 2025 against December 2024, both nothing.
    let (_, by_month) = officer.get("/api/v1/statistics?from=2025-12-01&to=2026-02-01&by=period&interval=month").await;
    let months = by_month["rows"].as_array().unwrap();
    assert_eq!(months.len(), 2);
    assert_eq!(
        (months[0]["key"].as_str(), months[0]["current"]["cases"].as_i64(), months[0]["previous"]["cases"].as_i64()),
        (Some("2025-12"), Some(0), Some(0))
    );
    assert_eq!(months[0]["change"]["cases_pct"], Value::Null, "nothing on nothing is no percentage");
    assert_eq!(
        (months[1]["key"].as_str(), months[1]["current"]["cases"].as_i64(), months[1]["previous"]["cases"].as_i64()),
        (Some("2026-01"), Some(3), Some(2))
    );
    assert_eq!(months[1]["current"]["fines_vnd"], 25_000_000);
    let (_, empty) = officer.get("/api/v1/statistics?from=2030-01-01&to=2030-02-01&by=province").await;
    assert_eq!((empty["total"]["current"]["cases"].as_i64(), empty["rows"].as_array().unwrap().len()), (Some(0), 0), "{empty}");

    // Nothing leaks across agencies, not even a count.
    let (_, bg) = s.login("bp.langson").await.get("/api/v1/statistics?from=2026-01-01&to=2026-02-01&by=agency").await;
    assert_eq!(bg["total"]["current"]["cases"], 1);
    assert_eq!(bg["total"]["current"]["value_vnd"], 1_000_000_000);
    assert_eq!(bg["rows"].as_array().unwrap().len(), 1);
    assert_eq!(bg["rows"][0]["key"], "border-guard-vn");
    let (_, foreign) = s.login("cn.liaison").await.get("/api/v1/statistics?from=2025-01-01&to=2026-02-01&by=commodity").await;
    assert_eq!((foreign["total"]["current"]["cases"].as_i64(), foreign["total"]["previous"]["cases"].as_i64()), (Some(0), Some(0)));
    assert!(foreign["rows"].as_array().unwrap().is_empty(), "{foreign}");

    // CSV and XLSX carry the same figures.
    let csv = officer
        .send(officer.http.get(format!("{}/api/v1/statistics?from=2026-01-01&to=2026-02-01&by=province&format=csv", officer.base)))
        .await;
    assert!(csv.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/csv"));
    let text = csv.text().await.unwrap();
    let head_line = text.lines().next().unwrap();
    assert!(head_line.starts_with("key,label,from,to,cases,cases_previous_year,cases_change_pct,seizures"), "{head_line}");
    assert!(text.lines().any(|l| l.starts_with("total,,2026-01-01,2026-02-01,3,2,50,1,0,,140000000,70000000,100,")), "{text}");
    assert!(text.lines().any(|l| l.starts_with("lang-son,Lạng Sơn,,,2,1,100,")), "{text}");
    let xlsx = officer
        .send(officer.http.get(format!("{}/api/v1/statistics?from=2026-01-01&to=2026-02-01&by=province&format=xlsx", officer.base)))
        .await;
    let bytes = xlsx.bytes().await.unwrap().to_vec();
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    use calamine::Reader;
    let sheet = book.worksheet_range("Statistics").unwrap();
    let rows: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    let quang_ninh = rows.iter().find(|r| r[0] == "quang-ninh").unwrap();
    assert_eq!(&quang_ninh[4..7], &["1", "1", "0"]);

    // Bad input is a clear problem, and nothing is read.
    for (q, field) in [
        ("by=colour", "by"),
        ("by=period&interval=fortnight", "interval"),
        ("from=2026-02-01&to=2026-01-01", "to"),
        ("from=2020-01-01&to=2026-01-01&by=period&interval=day", "interval"),
        ("province=Atlantis", "province"),
        ("commodity=moonrock", "commodity"),
    ] {
        let (status, body) = officer.get(&format!("/api/v1/statistics?{q}")).await;
        assert_eq!((status, body["field"].as_str()), (422, Some(field)), "{q}: {body}");
    }
    assert_eq!(officer.get("/api/v1/statistics?format=pdfx").await.0, 400);
    assert_eq!(officer.get("/api/v1/statistics?from=yesterday").await.0, 400);

    // Each read is on the record.
    let (_, entries) = s.login("audit").await.get("/api/v1/audit?object_type=case&object_id=%2A&limit=1000").await;
    let reads = entries.as_array().unwrap().iter().filter(|e| e["action"] == "case.statistics").count();
    assert!(reads >= 7, "{entries}");
}

async fn leap_days_compare_under_the_stated_rule(s: TestServer) {
    people(&s).await;
    let officer = s.login("hq.huunghi").await;
    for (when, value) in [
        ("29/02/2024 10:00", 10_000_000),
        ("28/02/2023 10:00", 5_000_000),
        ("28/02/2025 10:00", 7_000_000),
        ("01/03/2023 09:00", 3_000_000),
    ] {
        create(&officer, case(when, "Lạng Sơn", &[("cigarettes", value)], None, "amber_strict")).await;
    }
    let totals = |v: &Value| (v["total"]["current"]["value_vnd"].as_i64().unwrap(), v["total"]["previous"]["value_vnd"].as_i64().unwrap());
    // 29 February 2024 alone ↔ 28 February 2023.
    let (_, leap) = officer.get("/api/v1/statistics?from=2024-02-29&to=2024-03-01").await;
    assert_eq!(totals(&leap), (10_000_000, 5_000_000));
    assert_eq!((leap["previous_from"].as_i64(), leap["previous_to"].as_i64()), (Some(at("28/02/2023")), Some(at("01/03/2023"))));
    assert_eq!(leap["total"]["change"]["value_pct"], 100.0);
    // 28 February 2025 ↔ 28–29 February 2024.
    let (_, after) = officer.get("/api/v1/statistics?from=2025-02-28&to=2025-03-01").await;
    assert_eq!(totals(&after), (7_000_000, 10_000_000));
    assert_eq!(after["total"]["change"]["value_pct"], -30.0);
    // By day across the leap day: both 28 and 29 February 2024 compare with 28 February 2023.
    let (_, days) = officer.get("/api/v1/statistics?from=2024-02-28&to=2024-03-02&by=period&interval=day").await;
    let lines: Vec<(&str, i64, i64)> = days["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["key"].as_str().unwrap(), r["current"]["cases"].as_i64().unwrap(), r["previous"]["cases"].as_i64().unwrap()))
        .collect();
    assert_eq!(lines, vec![("2024-02-28", 0, 1), ("2024-02-29", 1, 1), ("2024-03-01", 0, 1)]);
    // February 2024 (29 days) ↔ February 2023 (28 days); March 2024 ↔ March 2023.
    let (_, months) = officer.get("/api/v1/statistics?from=2024-02-01&to=2024-04-01&by=period&interval=month").await;
    let m: Vec<(&str, i64, i64, Value)> = months["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap(),
                r["current"]["cases"].as_i64().unwrap(),
                r["previous"]["cases"].as_i64().unwrap(),
                r["change"]["cases_pct"].clone(),
            )
        })
        .collect();
    assert_eq!(m, vec![("2024-02", 1, 1, json!(0.0)), ("2024-03", 0, 1, json!(-100.0))]);
}

async fn a_planted_spike_is_a_hotspot_and_quiet_areas_are_not(s: TestServer) {
    people(&s).await;
    let officer = s.login("hq.huunghi").await;
    // Sixteen weeks ending with the week of Monday 5 January 2026: Lạng Sơn and Quảng Ninh see one
    // cigarette case every other week; in the last week Lạng Sơn sees seven.
    let monday = at("05/01/2026 10:00");
    let week = 7 * 86_400_000;
    let mut bodies = Vec::new();
    for w in (1..16).step_by(2) {
        for province in ["Lạng Sơn", "Quảng Ninh"] {
            let mut b = case("01/01/2026", province, &[("cigarettes", 1_000_000)], None, "amber_strict");
            b["detected_at"] = json!(monday - w * week);
            bodies.push(b);
        }
    }
    for i in 0..7 {
        let mut b = case("01/01/2026", "Lạng Sơn", &[("cigarettes", 1_000_000)], None, "amber_strict");
        b["detected_at"] = json!(monday + i * 3_600_000);
        bodies.push(b);
    }
    for b in bodies {
        create(&officer, b).await;
    }
    // Tested up to the last whole week before Monday 12 January: the week of 5 January.
    let (status, h) = officer.get("/api/v1/statistics/hotspots?until=2026-01-12&weeks=1&window=12").await;
    assert_eq!(status, 200, "{h}");
    assert!(h["method"].as_str().unwrap().contains("Poisson"));
    let found: Vec<(&str, Option<&str>, i64)> = h["hotspots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["area"].as_str().unwrap(), x["commodity"].as_str(), x["cases"].as_i64().unwrap()))
        .collect();
    // 7 against 6 in 12 weeks: p = P(Bin(13, 1/13) ≥ 7) ≈ 2·10⁻⁵; Quảng Ninh's 0 never alarms.
    assert_eq!(found, vec![("lang-son", None, 7), ("lang-son", Some("cigarettes"), 7)], "{h}");
    assert_eq!(h["hotspots"][0]["week"], "2026-W02");
    assert_eq!(h["tests"], 4, "two areas, each for cigarettes and for all commodities");
    assert!((h["expected_false_alarms"].as_f64().unwrap() - 0.004).abs() < 1e-12);
    // A week earlier, nothing rose.
    let (_, before) = officer.get("/api/v1/statistics/hotspots?until=2026-01-05&weeks=3").await;
    assert!(before["hotspots"].as_array().unwrap().is_empty(), "{before}");
    // Another agency sees none of it: no alarm, no series tested.
    let (_, bg) = s.login("bp.langson").await.get("/api/v1/statistics/hotspots?until=2026-01-12&weeks=1").await;
    assert_eq!((bg["tests"].as_i64(), bg["hotspots"].as_array().unwrap().len()), (Some(0), 0), "{bg}");
    for (q, field) in [("area=planet", "area"), ("alpha=0.5", "alpha"), ("window=2", "window"), ("weeks=0", "weeks")] {
        let (status, body) = officer.get(&format!("/api/v1/statistics/hotspots?{q}")).await;
        assert_eq!((status, body["field"].as_str()), (422, Some(field)), "{q}: {body}");
    }
}

async fn seasons_and_forecast_over_a_visible_history(s: TestServer) {
    people(&s).await;
    let officer = s.login("hq.huunghi").await;
    // Two cases every other week from March 2025, and six in the week before Tết 2025 (29 January).
    let mut when = at("03/03/2025 10:00");
    while when < at("12/01/2026") {
        for _ in 0..2 {
            let mut b = case("01/01/2026", "Lạng Sơn", &[("cigarettes", 1_000_000)], None, "amber_strict");
            b["detected_at"] = json!(when);
            create(&officer, b).await;
        }
        when += 14 * 86_400_000;
    }
    for i in 0..6 {
        let mut b = case("22/01/2025 10:00", "Lạng Sơn", &[("cigarettes", 1_000_000)], None, "amber_strict");
        b["detected_at"] = json!(at("22/01/2025 10:00") + i * 3_600_000);
        create(&officer, b).await;
    }
    let (status, seasons) = officer.get("/api/v1/statistics/seasons?from=2024-07-01&to=2026-01-12&province=lang-son").await;
    assert_eq!(status, 200, "{seasons}");
    assert_eq!(seasons["tet_dates"], json!(["2025-01-29"]));
    let before_tet = seasons["around_tet"].as_array().unwrap().iter().find(|p| p["at"] == -1).unwrap();
    assert!(before_tet["index"].as_f64().unwrap() > 3.0, "{seasons}");
    assert_eq!(seasons["months"].as_array().unwrap().len(), 12);

    let (status, f) = officer.get("/api/v1/statistics/forecast?from=2025-03-03&to=2026-01-12&weeks=4&holdout=8").await;
    assert_eq!(status, 200, "{f}");
    assert_eq!(f["weeks"].as_array().unwrap().len(), 4);
    assert_eq!(f["weeks"][0]["week"], "2026-W03");
    assert_eq!(f["holdout_weeks"], 8);
    // Alternating 2, 0: the mean of the last 8 weeks is 1 a week, off by 1 every week; the
    // one-week naive in-sample error is 2 a week, so MASE = 0.5.
    let mean = f["backtests"].as_array().unwrap().iter().find(|b| b["method"] == "mean_of_last_8_weeks").unwrap();
    assert_eq!((mean["mae"].as_f64(), mean["mase"].as_f64()), (Some(1.0), Some(0.5)), "{f}");
    assert_eq!(f["method"], "mean_of_last_8_weeks", "under a year of history the seasonal methods cannot be tried");
    assert_eq!(f["weeks"][0]["expected"], 1.0);

    let (_, theirs) = s.login("bp.langson").await.get("/api/v1/statistics/seasons?from=2024-07-01&to=2026-01-12").await;
    assert!(theirs["around_tet"].as_array().unwrap().iter().all(|p| p["index"].is_null()), "{theirs}");
    let (status, body) =
        s.login("bp.langson").await.get("/api/v1/statistics/forecast?from=2025-03-03&to=2026-01-12&weeks=4&holdout=8").await;
    assert_eq!(status, 200, "an empty history is a flat nothing: {body}");
    assert!(body["weeks"].as_array().unwrap().iter().all(|w| w["expected"] == 0.0));
    let (status, body) = officer.get("/api/v1/statistics/forecast?weeks=99").await;
    assert_eq!((status, body["field"].as_str()), (422, Some("weeks")));
}

async fn risk_scores_are_explained_and_follow_what_the_caller_is_shown(s: TestServer) {
    people(&s).await;
    let officer = s.login("hq.huunghi").await;
    let head = s.login("hq.head").await;
    let t0 = test_support::T0;
    let day = 86_400_000;
    // Case 1, today, shared with the Border Guard: Bình the suspect, a company the consignee,
    // 99 M of cigarettes; transferred for criminal investigation.
    let mut first = case("01/01/2026", "Lạng Sơn", &[], None, "amber");
    first["detected_at"] = json!(t0 - 3_600_000);
    first["sharing"]["distribution"] = json!(["own_agency", "agency:border-guard-vn"]);
    first["goods"] = json!([{ "description": "Thuốc lá điếu", "hs_code": "2402.20", "category": "cigarettes", "value_vnd": 99_000_000 }]);
    first["parties"] = json!([
        { "kind": "person", "name": "Trần Văn Bình", "role": "suspect" },
        { "kind": "company", "name": "Công ty TNHH Thương mại Hòa Bình", "identifiers": { "tax_code": "0101234567" }, "role": "consignee" }
    ]);
    let (_, c1) = officer.post("/api/v1/cases", first).await;
    let c1_id = c1["id"].as_str().unwrap().to_string();
    let binh = c1["parties"][0]["entity_id"].as_str().unwrap().to_string();
    let company = c1["parties"][1]["entity_id"].as_str().unwrap().to_string();
    step(&s, &officer, &c1_id, 1, "verified").await;
    step(&s, &officer, &c1_id, 2, "seized").await;
    step(&s, &head, &c1_id, 3, "transferred_for_investigation").await;
    // Case 2, a year ago to the day: Bình again, Cúc driving, 1 M.
    let mut second = case("01/01/2026", "Lạng Sơn", &[], None, "amber_strict");
    second["detected_at"] = json!(t0 - 365 * day);
    second["goods"] = json!([{ "description": "Thuốc lá điếu", "hs_code": "24022090", "category": "cigarettes", "value_vnd": 1_000_000 }]);
    second["parties"] = json!([
        { "kind": "person", "entity_id": binh, "role": "suspect" },
        { "kind": "person", "name": "Lê Thị Cúc", "role": "driver" }
    ]);
    let (status, c2) = officer.post("/api/v1/cases", second).await;
    assert_eq!(status, 201, "{c2}");
    let cuc = c2["parties"][1]["entity_id"].as_str().unwrap().to_string();

    let (status, persons) = officer.get("/api/v1/risk?subject=person").await;
    assert_eq!(status, 200, "{persons}");
    let items = persons["items"].as_array().unwrap();
    // Bình: cases 1 + ½ (a year's half-life) = 15 points; value 5·log10(1 + 100) = 10.02;
    // serious 15; no other offender met: 40.02 points, 100·(1 − e^(−40.02/50)) = 55.1.
    assert_eq!(
        (items[0]["key"].as_str(), items[0]["score"].as_f64(), items[0]["cases"].as_i64()),
        (Some(binh.as_str()), Some(55.1), Some(2))
    );
    let points: Vec<(&str, f64)> =
        items[0]["factors"].as_array().unwrap().iter().map(|f| (f["factor"].as_str().unwrap(), f["points"].as_f64().unwrap())).collect();
    assert_eq!(points, vec![("cases", 15.0), ("value", 10.0), ("serious", 15.0), ("linked_offenders", 0.0)]);
    // Cúc: driver (0.8) a year ago = 4; value 5·log10(2) = 1.5; Bình met = 8: 13.5 points → 23.7.
    assert_eq!((items[1]["key"].as_str(), items[1]["score"].as_f64()), (Some(cuc.as_str()), Some(23.7)));
    assert_eq!(items[1]["linked_offenders"][0]["name"], "Trần Văn Bình");
    // The company: consignee (0.7) today = 7; value 10; serious 10.5; Bình met 8 → 35.5 points → 50.8.
    let (_, companies) = officer.get("/api/v1/risk?subject=company").await;
    assert_eq!((companies["items"][0]["key"].as_str(), companies["items"][0]["score"].as_f64()), (Some(company.as_str()), Some(50.8)));
    // Products and areas: as Bình, without parties.
    let (_, products) = officer.get("/api/v1/risk?subject=product").await;
    assert_eq!((products["items"][0]["key"].as_str(), products["items"][0]["score"].as_f64()), (Some("2402"), Some(55.1)));
    let (_, areas) = officer.get("/api/v1/risk?subject=area&key=lang-son").await;
    assert_eq!((areas["items"][0]["label"].as_str(), areas["items"][0]["score"].as_f64()), (Some("Lạng Sơn"), Some(55.1)));

    // The Border Guard sees case 1 but not its persons: no person is scored, and the company's
    // link to Bình does not count for them (27.5 points → 42.3).
    let bg = s.login("bp.langson").await;
    let (_, theirs) = bg.get("/api/v1/risk?subject=person").await;
    assert!(theirs["items"].as_array().unwrap().is_empty(), "{theirs}");
    let (_, theirs) = bg.get("/api/v1/risk?subject=company").await;
    assert_eq!((theirs["items"][0]["score"].as_f64(), theirs["items"][0]["linked_offenders"].as_array().unwrap().len()), (Some(42.3), 0));
    let (_, foreign) = s.login("cn.liaison").await.get("/api/v1/risk?subject=area").await;
    assert!(foreign["items"].as_array().unwrap().is_empty());

    // New data counts at once: Cúc in a case today.
    let mut third = case("01/01/2026", "Lạng Sơn", &[("sugar", 5_000_000)], None, "amber_strict");
    third["detected_at"] = json!(t0 - 7_200_000);
    third["parties"] = json!([{ "kind": "person", "entity_id": cuc, "role": "suspect" }]);
    // Without a quantity, as the earlier lines here: on PostgreSQL a quantity after lines without
    // one on the same connection is refused today (bind parameter 7 of the goods insert).
    third["goods"] = json!([{ "description": "Đường cát", "category": "sugar", "value_vnd": 5_000_000 }]);
    let (status, body) = officer.post("/api/v1/cases", third).await;
    assert_eq!(status, 201, "{body}");
    let (_, again) = officer.get(&format!("/api/v1/risk?subject=person&key={cuc}")).await;
    assert!(again["items"][0]["score"].as_f64().unwrap() > 23.7, "{again}");

    for (q, field) in [("subject=planet", "subject"), ("subject=person&limit=0", "limit"), ("subject=person&since=2100-01-01", "since")] {
        let (status, body) = officer.get(&format!("/api/v1/risk?{q}")).await;
        assert_eq!((status, body["field"].as_str()), (422, Some(field)), "{q}: {body}");
    }
}

async fn the_standing_office_follows_directives_and_each_agency_its_own_tasks(s: TestServer) {
    people(&s).await;
    s.user("sco.staff", ("sco-389", "steering_committee_office"), "sco-hq", &["officer"]).await;
    s.user("root", ("sco-389", "steering_committee_office"), "sco-hq", &["administrator"]).await;
    s.user("ca.langson", ("police-vn", "police"), "police-lang-son", &["officer"]).await;
    let office = s.login("sco.staff").await;
    let t0 = test_support::T0;
    let day = 86_400_000;
    let plan = json!({
        "number": "399/KH-BCĐ389", "kind": "plan", "issued_on": at("05/01/2026"), "issuer": "Ban Chỉ đạo 389 quốc gia",
        "subject": "Cao điểm đấu tranh chống buôn lậu, gian lận thương mại và hàng giả trước, trong và sau Tết Nguyên đán Bính Ngọ 2026",
        "tasks": [
            { "title": "Tăng cường kiểm soát thuốc lá lậu qua cửa khẩu Hữu Nghị", "agency_id": "customs-vn", "province": "Lạng Sơn", "due_at": t0 + 3 * day },
            { "title": "Tuần tra đường mòn, lối mở biên giới", "agency_id": "border-guard-vn", "province": "Lạng Sơn", "due_at": t0 + 30 * day },
            { "title": "Điều tra các đường dây vận chuyển pháo nổ", "agency_id": "police-vn", "due_at": t0 + 10 * day }
        ]
    });
    let (status, d) = office.post("/api/v1/directives", plan.clone()).await;
    assert_eq!(status, 201, "{d}");
    let id = d["id"].as_str().unwrap().to_string();
    assert_eq!(d["tasks"].as_array().unwrap().len(), 3);
    assert_eq!(d["tasks"][0]["flag"], "due_soon");
    assert_eq!(d["tasks"][0]["province"], "lang-son");
    let (status, dup) = office.post("/api/v1/directives", plan.clone()).await;
    assert_eq!(status, 409, "the same number twice: {dup}");
    for who in ["hq.huunghi", "root"] {
        let (status, _) = s
            .login(who)
            .await
            .post("/api/v1/directives", json!({ "number": "1/CV", "kind": "plan", "issued_on": t0, "issuer": "x", "subject": "x" }))
            .await;
        assert_eq!(status, 403, "{who} records no directive");
    }
    let (status, bad) = office
        .post("/api/v1/directives", json!({ "number": "2/CV", "kind": "memo", "issued_on": t0, "issuer": "x", "subject": "x" }))
        .await;
    assert_eq!((status, bad["field"].as_str()), (422, Some("kind")));
    let (status, bad) = office
        .post(
            "/api/v1/directives",
            json!({ "number": "3/CV", "kind": "dispatch", "issued_on": t0, "issuer": "x", "subject": "x",
            "tasks": [{ "title": "x", "agency_id": "customs-cn", "due_at": t0 }] }),
        )
        .await;
    assert_eq!((status, bad["field"].as_str()), (422, Some("agency_id")), "tasks go to domestic agencies");
    assert_eq!(office.get("/api/v1/directives").await.1.as_array().unwrap().len(), 1, "a refused directive writes nothing");

    // Each agency sees the directive with its own task only; a foreign partner sees nothing.
    let customs = s.login("hq.huunghi").await;
    let (_, mine) = customs.get("/api/v1/directives").await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    let tasks = mine[0]["tasks"].as_array().unwrap();
    assert_eq!((tasks.len(), tasks[0]["agency_id"].as_str()), (1, Some("customs-vn")));
    let customs_task = tasks[0]["id"].as_str().unwrap().to_string();
    let foreign = s.login("cn.liaison").await;
    assert!(foreign.get("/api/v1/directives").await.1.as_array().unwrap().is_empty());
    assert_eq!(foreign.get(&format!("/api/v1/directives/{id}")).await.0, 404);

    // Progress: forward only, by the agency's officers and heads; another agency's task is missing.
    let report = |pct: i64| json!({ "progress_pct": pct, "body": "Đã kiểm tra 120 xe tải, phát hiện 3 vụ" });
    let (status, t) = customs.post(&format!("/api/v1/directive-tasks/{customs_task}/reports"), report(40)).await;
    assert_eq!((status, t["progress_pct"].as_i64(), t["flag"].as_str()), (201, Some(40), Some("due_soon")), "{t}");
    let (status, back) = customs.post(&format!("/api/v1/directive-tasks/{customs_task}/reports"), report(30)).await;
    assert_eq!((status, back["field"].as_str()), (422, Some("progress_pct")));
    let bg = s.login("bp.langson").await;
    assert_eq!(bg.post(&format!("/api/v1/directive-tasks/{customs_task}/reports"), report(50)).await.0, 404);
    let (status, done) = s.login("hq.head").await.post(&format!("/api/v1/directive-tasks/{customs_task}/reports"), report(100)).await;
    assert_eq!((status, done["flag"].as_str(), done["completed_at"].as_i64()), (201, Some("done"), Some(t0)));
    assert_eq!(done["reports"].as_array().unwrap().len(), 2);

    // Fifteen days on: the police's task (due in ten) is overdue; the Standing Office sees it.
    s.clock.advance(15 * day);
    let (status, board) = office.get("/api/v1/directive-tasks").await;
    assert_eq!(status, 200, "{board}");
    let summary: Vec<(&str, i64, i64, i64)> = board["by_agency"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (a["agency_id"].as_str().unwrap(), a["tasks"].as_i64().unwrap(), a["done"].as_i64().unwrap(), a["overdue"].as_i64().unwrap())
        })
        .collect();
    assert_eq!(summary, vec![("border-guard-vn", 1, 0, 0), ("customs-vn", 1, 1, 0), ("police-vn", 1, 0, 1)]);
    let (_, overdue) = office.get("/api/v1/directive-tasks?flag=overdue").await;
    let overdue: Vec<&str> = overdue["tasks"].as_array().unwrap().iter().map(|t| t["agency_id"].as_str().unwrap()).collect();
    assert_eq!(overdue, vec!["police-vn"]);
    let (_, theirs) = bg.get("/api/v1/directive-tasks").await;
    assert_eq!(theirs["by_agency"].as_array().unwrap().len(), 1, "an agency counts only its own: {theirs}");
    assert_eq!(bg.get("/api/v1/directive-tasks?agency=police-vn").await.0, 403);
    assert_eq!(bg.get("/api/v1/directive-tasks?flag=late").await.0, 422);

    // One more task, later.
    let (status, more) = office
        .post(
            &format!("/api/v1/directives/{id}/tasks"),
            json!({ "title": "Báo cáo kết quả về Văn phòng Thường trực", "agency_id": "customs-vn", "due_at": t0 + 45 * day }),
        )
        .await;
    assert_eq!((status, more["tasks"].as_array().unwrap().len()), (201, 4));
    assert_eq!(more["tasks"][3]["seq"], 4);
    let (_, entries) = s.login("audit").await.get(&format!("/api/v1/audit?object_id={customs_task}&limit=100")).await;
    let actions: Vec<&str> = entries.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"directive.report"), "{actions:?}");
}

/// The text of a PDF as poppler's `pdftotext` reads it, whitespace collapsed; `None` where
/// poppler-utils is not installed.
fn pdftotext(pdf: &[u8]) -> Option<String> {
    let path = std::env::temp_dir().join(format!("cordon-report-{}-{:p}.pdf", std::process::id(), pdf));
    std::fs::write(&path, pdf).ok()?;
    let out = std::process::Command::new("pdftotext").arg("-enc").arg("UTF-8").arg(&path).arg("-").output();
    let _ = std::fs::remove_file(&path);
    let Ok(out) = out else {
        assert!(
            std::env::var("CORDON_REQUIRE_PDF").as_deref() != Ok("1"),
            "CORDON_REQUIRE_PDF=1 but pdftotext (poppler-utils) is not installed"
        );
        return None;
    };
    assert!(out.status.success(), "pdftotext refused the file: {}", String::from_utf8_lossy(&out.stderr));
    Some(String::from_utf8(out.stdout).unwrap().split_whitespace().collect::<Vec<_>>().join(" "))
}

async fn reports_come_as_pdf_with_vietnamese_text_xlsx_and_csv(s: TestServer) {
    people(&s).await;
    let officer = s.login("hq.huunghi").await;
    create(&officer, case("05/01/2026 09:00", "Lạng Sơn", &[("cigarettes", 60_000_000)], Some(15_000_000), "amber_strict")).await;
    create(&officer, case("20/01/2025 09:00", "Lạng Sơn", &[("cigarettes", 50_000_000)], None, "amber_strict")).await;
    create(&officer, case("20/12/2024 09:00", "Quảng Ninh", &[("sugar", 10_000_000)], None, "amber_strict")).await;
    create(&s.login("bp.langson").await, case("06/01/2026 09:00", "Lạng Sơn", &[("cigarettes", 9_000_000_000)], None, "amber_strict"))
        .await;

    let (status, monthly) = officer.get("/api/v1/reports?kind=monthly&year=2026&period=1&scope=agency&format=json").await;
    assert_eq!(status, 200, "{monthly}");
    assert_eq!(monthly["title"], "Báo cáo tháng 01/2026");
    assert_eq!(monthly["scope"], "customs-vn");
    assert_eq!((monthly["total"]["current"]["cases"].as_i64(), monthly["total"]["previous"]["cases"].as_i64()), (Some(1), Some(1)));
    assert_eq!(monthly["total"]["change"]["value_pct"], 20.0, "60 M on 50 M");
    // The Tết 2026 peak (3 January – 3 March 2026) against Tết 2025's (15 December 2024 – 12 February 2025).
    let (_, tet) = officer.get("/api/v1/reports?kind=tet&year=2026&format=json").await;
    assert_eq!((tet["from"].as_i64(), tet["previous_from"].as_i64()), (Some(at("03/01/2026")), Some(at("15/12/2024"))), "{tet}");
    assert_eq!((tet["total"]["current"]["cases"].as_i64(), tet["total"]["previous"]["cases"].as_i64()), (Some(1), Some(2)));
    assert_eq!(tet["total"]["change"]["cases_pct"], -50.0);
    assert!(tet["comparison_rule"].as_str().unwrap().contains("previous Tết"));
    let (_, quarter) = officer.get("/api/v1/reports?kind=quarterly&year=2026&period=1&format=json").await;
    assert_eq!(quarter["title"], "Báo cáo quý I/2026");
    assert_eq!(quarter["by_period"].as_array().unwrap().len(), 3, "three months");

    let resp = officer.send(officer.http.get(format!("{}/api/v1/reports?kind=tet&year=2026&scope=unit", officer.base))).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()[header::CONTENT_TYPE], "application/pdf");
    let pdf = resp.bytes().await.unwrap().to_vec();
    assert!(pdf.starts_with(b"%PDF-1.7"));
    match pdftotext(&pdf) {
        Some(text) => {
            for source in [
                "BÁO CÁO KẾT QUẢ ĐẤU TRANH CHỐNG BUÔN LẬU, GIAN LẬN THƯƠNG MẠI VÀ HÀNG GIẢ",
                "Báo cáo cao điểm Tết Nguyên đán 2026",
                "Phạm vi: customs-huu-nghi. Kỳ báo cáo: từ ngày 03/01/2026 đến ngày 03/03/2026.",
                "So sánh với: từ ngày 15/12/2024 đến ngày 12/02/2025.",
                "Số vụ phát hiện, bắt giữ",
                "Trị giá hàng hóa vi phạm (đồng) 60.000.000 60.000.000",
                "Lạng Sơn",
                "Quảng Ninh",
                "Thuốc lá điếu",
                "Buôn lậu",
            ] {
                assert!(text.contains(source), "{source:?} not in the extracted text: {text}");
            }
            assert!(!text.contains("9.000"), "the Border Guard's case is in no figure: {text}");
        }
        None => eprintln!("pdftotext (poppler-utils) is not installed: the PDF's text was not extracted"),
    }

    let xlsx = officer.send(officer.http.get(format!("{}/api/v1/reports?kind=yearly&year=2025&format=xlsx", officer.base))).await;
    let bytes = xlsx.bytes().await.unwrap().to_vec();
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    use calamine::Reader;
    let rows: Vec<Vec<String>> =
        book.worksheet_range("Report").unwrap().rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(rows[0][0], "section");
    let total = rows.iter().find(|r| r[0] == "total").unwrap();
    assert_eq!((total[1].as_str(), total[5].as_str(), total[6].as_str()), ("Báo cáo năm 2025", "1", "1"), "2025: one case; 2024: one");
    assert_eq!(rows.iter().filter(|r| r[0] == "period").count(), 12);
    let csv =
        officer.send(officer.http.get(format!("{}/api/v1/reports?kind=six_monthly&year=2026&period=1&format=csv", officer.base))).await;
    let text = csv.text().await.unwrap();
    assert!(text.lines().any(|l| l.starts_with("province,lang-son,Lạng Sơn,,,1,1,0,")), "{text}");

    for (q, field) in [
        ("kind=weekly&year=2026", "kind"),
        ("kind=monthly&year=2026&period=13", "period"),
        ("kind=tet&year=2040", "year"),
        ("kind=yearly&year=2026&scope=planet", "scope"),
    ] {
        let (status, body) = officer.get(&format!("/api/v1/reports?{q}&format=json")).await;
        assert_eq!((status, body["field"].as_str()), (422, Some(field)), "{q}: {body}");
    }
    assert_eq!(officer.get("/api/v1/reports?kind=yearly&year=2026&format=docx").await.0, 400);
}

async fn the_analytics_and_directives_pages_show_the_callers_figures(s: TestServer) {
    people(&s).await;
    let officer = s.login("hq.huunghi").await;
    create(&officer, case("05/01/2026 09:00", "Lạng Sơn", &[("cigarettes", 60_000_000)], None, "amber_strict")).await;
    create(&officer, case("20/01/2025 09:00", "Lạng Sơn", &[("cigarettes", 50_000_000)], None, "amber_strict")).await;
    create(&s.login("bp.langson").await, case("06/01/2026 09:00", "Quảng Ninh", &[("sugar", 1_000_000)], None, "amber_strict")).await;
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let resp = http
        .post(format!("{}/login", s.base))
        .form(&[("username", "hq.huunghi"), ("password", test_support::PASSWORD)])
        .send()
        .await
        .unwrap();
    let cookie = resp.headers()[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_string();
    let page = |path: &str| {
        let rb = http.get(format!("{}{path}", s.base)).header(header::COOKIE, cookie.clone());
        async move {
            let resp = rb.send().await.unwrap();
            (resp.status().as_u16(), resp.text().await.unwrap())
        }
    };
    let (status, html) = page("/analytics?from=2026-01-01&to=2026-02-01&by=province").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("id=\"statistics-summary\"") && html.contains("Lạng Sơn"), "{html}");
    assert!(!html.contains("Quảng Ninh"), "another agency's province is not shown: {html}");
    assert!(html.contains("+20") || html.contains("20,0"), "60 M on 50 M: {html}");
    assert!(html.contains("/api/v1/reports?kind=monthly&amp;year=2026&amp;period=1&amp;format=pdf"));
    let (status, html) = page("/analytics").await;
    assert_eq!(status, 200, "the defaults work: {html}");
    let (status, html) = page("/directives").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("id=\"task-summary\""));
    let anonymous = http.get(format!("{}/analytics", s.base)).send().await.unwrap();
    assert_eq!(anonymous.status().as_u16(), 303, "a page demands a session");
}

async fn directives_are_recorded_and_reported_on_through_the_page(s: TestServer) {
    people(&s).await;
    s.user("sco.staff", ("sco-389", "steering_committee_office"), "sco-hq", &["officer"]).await;
    let office = s.page_session("sco.staff").await;
    let customs = s.page_session("hq.huunghi").await;
    assert!(office.get("/directives").await.1.contains("id=\"new-directive\""), "the Standing Office records directives");
    assert!(!customs.get("/directives").await.1.contains("id=\"new-directive\""), "an agency does not");

    let directive = [
        ("number", "399/KH-BCĐ389"),
        ("kind", "plan"),
        ("issued_on", "2026-01-05"),
        ("issuer", "Ban Chỉ đạo 389 quốc gia"),
        ("subject", "Cao điểm chống buôn lậu trước Tết Bính Ngọ"),
        ("task_title", "Kiểm soát thuốc lá lậu qua Hữu Nghị"),
        ("task_agency", "customs-vn"),
        ("task_province", "lang-son"),
        ("task_due", "2026-01-25"),
    ];
    // A bad date comes back as the form with the reason, and nothing is recorded.
    let mut bad = directive.to_vec();
    bad[2] = ("issued_on", "hôm qua");
    let (status, _, body) = office.post("/directives", "/directives", &bad).await;
    assert_eq!(status, 422);
    assert!(body.contains("role=\"alert\"") && body.contains("issued_on"), "{body}");
    assert!(!office.get("/directives").await.1.contains("id=\"directive-list\""));
    let (status, location, _) = office.post("/directives", "/directives", &directive).await;
    assert_eq!((status, location.as_str()), (303, "/directives"));
    assert_eq!(customs.post("/directives", "/directives", &directive).await.0, 403, "only the Standing Office");

    // Customs sees its task with a progress form and reports on it.
    let html = customs.get("/directives").await.1;
    let task = html.split("data-task=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    assert!(html.contains(&format!("/directive-tasks/{task}/reports")), "{html}");
    let url = format!("/directive-tasks/{task}/reports");
    let (status, _, body) = customs.post("/directives", &url, &[("progress_pct", "150"), ("body", "x")]).await;
    assert_eq!(status, 422, "{body}");
    let (status, location, _) = customs.post("/directives", &url, &[("progress_pct", "40"), ("body", "Bắt 3 vụ, thu 12.000 bao")]).await;
    assert_eq!((status, location.as_str()), (303, "/directives"));
    let (_, board) = s.login("sco.staff").await.get("/api/v1/directive-tasks").await;
    let t = board["tasks"].as_array().unwrap().iter().find(|t| t["id"] == task.as_str()).unwrap();
    assert_eq!(t["progress_pct"], 40, "{t}");
    assert_eq!(t["province"], "lang-son");

    // A report is scheduled from the analytics page; a bad address comes back refused.
    let (status, _, _) =
        customs.post("/directives", "/analytics/report-schedules", &[("kind", "monthly"), ("recipients", "không-hợp-lệ")]).await;
    assert_eq!(status, 422);
    let fields = [("kind", "quarterly"), ("scope", "agency"), ("format", "xlsx"), ("recipients", "a@haiquan.gov.vn, b@bcd389.gov.vn")];
    let (status, location, _) = customs.post("/directives", "/analytics/report-schedules", &fields).await;
    assert_eq!((status, location.as_str()), (303, "/analytics#report-schedules"));
    let (_, html) = customs.get("/analytics").await;
    assert!(html.contains("id=\"schedule-table\"") && html.contains("a@haiquan.gov.vn, b@bcd389.gov.vn"), "{html}");
}

async fn an_administrators_template_shapes_the_agencys_reports(s: TestServer) {
    people(&s).await;
    s.user("root", ("sco-389", "steering_committee_office"), "sco-hq", &["administrator"]).await;
    let officer = s.login("hq.huunghi").await;
    create(&officer, case("05/01/2026 09:00", "Lạng Sơn", &[("cigarettes", 60_000_000)], None, "amber_strict")).await;
    let (_, default) = officer.get("/api/v1/report-templates/customs-vn").await;
    assert_eq!(default["sections"].as_array().unwrap().len(), 4, "every section by default: {default}");
    let template = json!({
        "title": "BÁO CÁO CÔNG TÁC CHỐNG BUÔN LẬU CỦA NGÀNH HẢI QUAN",
        "authority": "CỤC HẢI QUAN\nCHI CỤC HẢI QUAN CỬA KHẨU HỮU NGHỊ",
        "introduction": "Thực hiện Kế hoạch 399/KH-BCĐ389, đơn vị báo cáo kết quả như sau.",
        "closing": "Nơi nhận: Ban Chỉ đạo 389 tỉnh; Lưu: VT.",
        "sections": ["by_period", "by_province"]
    });
    assert_eq!(officer.put("/api/v1/report-templates/customs-vn", template.clone()).await.0, 403, "administrators set templates");
    let root = s.login("root").await;
    let mut bad = template.clone();
    bad["sections"] = json!(["by_colour"]);
    assert_eq!(root.put("/api/v1/report-templates/customs-vn", bad).await.1["field"], "sections");
    let mut untitled = template.clone();
    untitled["title"] = json!(" ");
    assert_eq!(root.put("/api/v1/report-templates/customs-vn", untitled).await.1["field"], "title");
    assert_eq!(root.put("/api/v1/report-templates/no-such-agency", template.clone()).await.0, 404);
    let (status, set) = root.put("/api/v1/report-templates/customs-vn", template.clone()).await;
    assert_eq!(status, 200, "{set}");

    // The agency's reports, and its units', are written with it; the country's keep the default.
    let (_, json_report) = officer.get("/api/v1/reports?kind=monthly&year=2026&period=1&scope=unit&format=json").await;
    assert_eq!(json_report["template"]["title"], template["title"]);
    let (_, country) = officer.get("/api/v1/reports?kind=monthly&year=2026&period=1&format=json").await;
    assert_eq!(country["template"]["title"], "BÁO CÁO KẾT QUẢ ĐẤU TRANH CHỐNG BUÔN LẬU, GIAN LẬN THƯƠNG MẠI VÀ HÀNG GIẢ");
    let resp =
        officer.send(officer.http.get(format!("{}/api/v1/reports?kind=monthly&year=2026&period=1&scope=agency", officer.base))).await;
    let pdf = resp.bytes().await.unwrap().to_vec();
    if let Some(text) = pdftotext(&pdf) {
        for part in [
            "CHI CỤC HẢI QUAN CỬA KHẨU HỮU NGHỊ",
            "BÁO CÁO CÔNG TÁC CHỐNG BUÔN LẬU CỦA NGÀNH HẢI QUAN",
            "Thực hiện Kế hoạch 399/KH-BCĐ389, đơn vị báo cáo kết quả như sau.",
            "3. Theo địa bàn (tỉnh, thành phố)",
            "Nơi nhận: Ban Chỉ đạo 389 tỉnh; Lưu: VT.",
        ] {
            assert!(text.contains(part), "{part:?} in {text}");
        }
        assert!(!text.contains("Theo mặt hàng") && !text.contains("Theo loại vi phạm"), "sections left out: {text}");
    }
    let (_, entries) = s.login("audit").await.get("/api/v1/audit?object_type=report_template&limit=10").await;
    assert_eq!(entries.as_array().unwrap().len(), 1, "the version is on the record: {entries}");
}
