//! Bulk import and export over HTTP, on SQLite and PostgreSQL: a workbook written by
//! another program (openpyxl) is read with its dates and amounts; bad rows come back by line
//! and nothing is written; a repeated import changes nothing; an export gives only what the
//! caller may see, and another agency's H2 cases stay out of it.

use serde_json::{json, Value};
use test_support::{both_backends, split, Client, TestServer, T0};

both_backends!(workbooks_import_all_or_nothing_and_round_trip, exports_give_the_callers_view_without_onward_h2);

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../cordon-transfer/tests/fixtures");

async fn people(s: &TestServer) {
    s.user("hq.huunghi", ("customs-vn", "customs"), "customs-huu-nghi", &["officer"]).await;
    s.user("bp.langson", ("border-guard-vn", "border_guard"), "bg-lang-son", &["officer"]).await;
    s.user("analyst", ("customs-vn", "customs"), "customs-hq", &["analyst"]).await;
}

async fn import(c: &Client, query: &str, body: Vec<u8>) -> (u16, Value) {
    let rb = c.http.post(format!("{}/api/v1/imports?{query}", c.base)).body(body);
    split(c.send(rb).await).await
}

async fn export(c: &Client, query: &str) -> (u16, String, Vec<u8>) {
    let resp = c.send(c.http.get(format!("{}/api/v1/exports?{query}", c.base))).await;
    let status = resp.status().as_u16();
    let ctype = resp.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (status, ctype, resp.bytes().await.unwrap().to_vec())
}

fn mapping_query() -> String {
    let mapping = std::fs::read_to_string(format!("{FIXTURES}/mapping.toml")).unwrap();
    let encoded: String = form_urlencoded::byte_serialize(mapping.as_bytes()).collect();
    format!("mapping={encoded}")
}

async fn workbooks_import_all_or_nothing_and_round_trip(s: TestServer) {
    people(&s).await;
    let officer = s.login("hq.huunghi").await;
    let bad = std::fs::read(format!("{FIXTURES}/cases-bad.xlsx")).unwrap();
    let good = std::fs::read(format!("{FIXTURES}/cases-good.xlsx")).unwrap();
    let m = mapping_query();

    let (status, report) = import(&officer, &format!("format=xlsx&{m}"), bad).await;
    assert_eq!((status, report["code"].as_str()), (422, Some("invalid_rows")), "{report}");
    let lines: Vec<(i64, &str)> =
        report["problems"].as_array().unwrap().iter().map(|p| (p["line"].as_i64().unwrap(), p["field"].as_str().unwrap())).collect();
    assert_eq!(lines, vec![(4, "detected_at"), (6, "province"), (7, "identifiers")], "{report}");
    assert_eq!(officer.get("/api/v1/cases/count").await.1["count"], 0, "a refused file writes nothing");

    let (status, dry) = import(&officer, &format!("format=xlsx&dry_run=true&{m}"), good.clone()).await;
    assert_eq!((status, dry["created"].as_i64()), (200, Some(2)), "{dry}");
    assert_eq!(officer.get("/api/v1/cases/count").await.1["count"], 0, "a dry run writes nothing");
    let (status, done) = import(&officer, &format!("format=xlsx&{m}"), good.clone()).await;
    assert_eq!((status, done["created"].as_i64()), (201, Some(2)), "{done}");
    let (status, again) = import(&officer, &format!("format=xlsx&{m}"), good).await;
    assert_eq!((status, again["created"].as_i64(), again["already_present"].as_i64()), (201, Some(0), Some(2)), "idempotent");

    let (_, found) = officer.get("/api/v1/cases?q=thuoc%20la%20jet").await;
    let case = &found["items"][0];
    assert_eq!(case["external_ref"], "LS-2026-001");
    assert_eq!(case["goods"][0]["value_vnd"], 12_500_000, "a number cell is an amount");
    assert_eq!(case["detected_at"], cordon_core::time::parse_datetime("10/01/2026 08:30").unwrap(), "a date cell is Vietnam time");
    assert_eq!(case["parties"][0]["identifiers"]["cccd"], "020085012345");

    // What Cordon writes, Cordon reads: the exported workbook names the fields.
    let (status, ctype, xlsx) = export(&officer, "format=xlsx").await;
    assert_eq!(status, 200);
    assert!(ctype.contains("spreadsheetml"), "{ctype}");
    let (status, round) = import(&officer, "format=xlsx&dry_run=true", xlsx).await;
    assert_eq!((status, round["already_present"].as_i64()), (200, Some(2)), "{round}");

    // Whole-file faults are one clear problem.
    let (status, body) = import(&officer, "format=xlsx", b"PK not really a workbook".to_vec()).await;
    assert_eq!((status, body["code"].as_str()), (422, Some("invalid_file")), "{body}");
    let (status, body) = import(&officer, "format=csv", b"tieu_de,ngay\nx,1/1/2026\n".to_vec()).await;
    assert_eq!((status, body["code"].as_str()), (422, Some("invalid_file")), "a CSV without a mapping names the fields: {body}");
    let (status, body) = import(&officer, "format=csv&mapping=shoe_size%3D1", Vec::new()).await;
    assert_eq!((status, body["code"].as_str()), (422, Some("invalid_file")), "{body}");
    let (status, body) = import(&officer, "format=docx", Vec::new()).await;
    assert_eq!((status, body["field"].as_str()), (400, Some("format")));
    let mut broken = b"title,detected_at,province\nT\xe1 sai,01/01/2026,lang-son\n".to_vec();
    broken.extend_from_slice(b"Duplicate,01/01/2026,Atlantis\n");
    let (status, body) = import(&officer, "format=csv", broken).await;
    let lines: Vec<i64> = body["problems"].as_array().unwrap().iter().map(|p| p["line"].as_i64().unwrap()).collect();
    assert_eq!((status, lines), (422, vec![2, 3]), "{body}");
    // Only those who record cases import.
    let analyst = s.login("analyst").await;
    let (status, _) = import(&analyst, &format!("format=xlsx&{m}"), Vec::new()).await;
    assert_eq!(status, 403);
}

async fn exports_give_the_callers_view_without_onward_h2(s: TestServer) {
    people(&s).await;
    let officer = s.login("hq.huunghi").await;
    let case = |title: &str, handling: Value| {
        json!({ "case_type": "counterfeit", "title": title, "detected_at": T0 - 3_600_000, "province": "lang-son",
            "parties": [{ "kind": "person", "name": "Lê Thị Cúc", "role": "seller" }],
            "sharing": { "tlp": "amber", "distribution": ["own_agency", "agency:border-guard-vn"], "handling": handling } })
    };
    for (title, handling) in [("Túi xách giả nhãn hiệu", json!([])), ("Mỹ phẩm giả, không chia sẻ tiếp", json!(["H2"]))] {
        let (status, body) = officer.post("/api/v1/cases", case(title, handling)).await;
        assert_eq!(status, 201, "{body}");
    }
    let (_, _, mine) = export(&officer, "format=csv").await;
    let mine = String::from_utf8(mine).unwrap();
    assert!(mine.contains("Túi xách giả") && mine.contains("Mỹ phẩm giả"), "the owner exports its own H2 case:\n{mine}");
    assert!(mine.contains("Lê Thị Cúc"));

    let bg = s.login("bp.langson").await;
    let (status, ctype, theirs) = export(&bg, "format=ndjson").await;
    assert_eq!(status, 200);
    assert!(ctype.starts_with("application/x-ndjson"));
    let theirs = String::from_utf8(theirs).unwrap();
    assert_eq!(theirs.lines().count(), 1, "{theirs}");
    assert!(theirs.contains("Túi xách giả") && !theirs.contains("Mỹ phẩm"), "another agency's H2 case stays out");
    assert!(!theirs.contains("Lê Thị Cúc"), "a withheld person stays withheld in an export");
    let (_, _, ftm) = export(&bg, "format=ftm").await;
    let ftm = String::from_utf8(ftm).unwrap();
    assert!(ftm.lines().all(|l| serde_json::from_str::<Value>(l).is_ok()) && ftm.contains("\"Event\"") && !ftm.contains("Person"));
    let (status, body) = split(bg.send(bg.http.get(format!("{}/api/v1/exports?format=pdf", bg.base))).await).await;
    assert_eq!((status, body["field"].as_str()), (400, Some("format")));
}
