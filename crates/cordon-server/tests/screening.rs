//! Listing screening over HTTP on SQLite and PostgreSQL: rule sets saved, refused with their
//! lines, swapped and rolled back without a restart; crawled listings screened in bulk into one
//! lead per seller, bad lines reported and skipped; analysts' decisions, the precision they give
//! each rule, the watchlists confirmations feed, seller clusters across platforms; and nothing of
//! it visible to another agency.

use serde_json::{json, Value};
use test_support::{both_backends, Client, TestServer};

both_backends!(
    rule_sets_are_checked_versioned_and_swapped_without_a_restart,
    listings_become_one_lead_per_seller_and_decisions_teach_the_rules,
    leads_stay_inside_the_agency
);

const RULES_V1: &str = "version = t-1\nthreshold = 0.5\n\n[term prohibited weight=0.9]\nthuốc lá điện tử | vape\n\n\
[brand Rolex floor=5000000 weight=0.8]\n\n[term no-origin weight=0.3]\nhàng xách tay\n";

const RULES_V2: &str = "version = t-2\n[term prohibited weight=0.9]\npháo nổ\n";

async fn people(s: &TestServer) {
    s.user("qltt.analyst", ("market-vn", "market_surveillance"), "qltt-ecom", &["analyst", "officer"]).await;
    s.user("qltt.analyst2", ("market-vn", "market_surveillance"), "qltt-ha-noi", &["analyst"]).await;
    s.user("qltt.officer", ("market-vn", "market_surveillance"), "qltt-ha-noi", &["officer"]).await;
    s.user("hq.analyst", ("customs-vn", "customs"), "customs-ecom", &["analyst"]).await;
}

fn line(v: Value) -> String {
    format!("{v}\n")
}

async fn post_listings(c: &Client, body: String) -> (u16, Value) {
    test_support::split(
        c.send(c.http.post(format!("{}/api/v1/listings", c.base)).header("content-type", "application/x-ndjson").body(body)).await,
    )
    .await
}

async fn rule_sets_are_checked_versioned_and_swapped_without_a_restart(s: TestServer) {
    people(&s).await;
    let analyst = s.login("qltt.analyst").await;
    let listing =
        |id: &str, title: &str| line(json!({ "platform": "shopee", "listing_id": id, "title": title, "seller_id": format!("s-{id}") }));

    // No rules yet: screening says so instead of passing everything.
    let (status, body) = post_listings(&analyst, listing("1", "Vape pod")).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["field"], "rules");

    // A file with two mistakes is refused with both lines, and nothing is saved.
    let bad = "version = t-0\n[term forbidden]\nabc\n[brand Rolex floor=abc]\n";
    let (status, body) = analyst.post("/api/v1/rule-sets", json!({ "body": bad })).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["code"], "invalid_rules");
    let lines: Vec<i64> = body["problems"].as_array().unwrap().iter().map(|p| p["line"].as_i64().unwrap()).collect();
    assert_eq!(lines, vec![2, 4], "{body}");
    assert_eq!(analyst.post("/api/v1/rule-sets/check", json!({ "body": bad })).await.0, 422);
    assert_eq!(analyst.post("/api/v1/rule-sets/check", json!({ "body": RULES_V1 })).await, (200, json!({ "valid": true })));
    assert_eq!(analyst.get("/api/v1/rule-sets").await, (200, json!([])), "nothing saved by a refusal or a check");

    let (status, v1) = analyst.post("/api/v1/rule-sets", json!({ "body": RULES_V1 })).await;
    assert_eq!(status, 201, "{v1}");
    assert_eq!((v1["version"].as_i64(), v1["label"].as_str(), v1["active"].as_bool()), (Some(1), Some("t-1"), Some(true)));
    let (_, report) = post_listings(&analyst, listing("1", "Thuoc la dien tu pod mới") + &listing("2", "Pháo nổ Tết")).await;
    assert_eq!(
        (report["screened"].as_i64(), report["leads"].as_i64(), report["rule_set_version"].as_i64()),
        (Some(2), Some(1), Some(1)),
        "{report}"
    );

    // Version 2 takes effect on the next request; version 1 stays available and comes back.
    let (status, v2) = analyst.post("/api/v1/rule-sets", json!({ "body": RULES_V2 })).await;
    assert_eq!((status, v2["version"].as_i64()), (201, Some(2)), "{v2}");
    let (_, report) = post_listings(&analyst, listing("3", "Thuoc la dien tu") + &listing("4", "Phao no")).await;
    assert_eq!((report["leads"].as_i64(), report["rule_set_version"].as_i64()), (Some(1), Some(2)), "{report}");
    let (_, leads) = analyst.get("/api/v1/leads").await;
    let ids: Vec<&str> = leads.as_array().unwrap().iter().map(|l| l["seller_id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&"s-1") && ids.contains(&"s-4"), "{leads}");

    let (_, listed) = analyst.get("/api/v1/rule-sets").await;
    assert_eq!(
        listed.as_array().unwrap().iter().map(|v| (v["version"].as_i64().unwrap(), v["active"].as_bool().unwrap())).collect::<Vec<_>>(),
        vec![(2, true), (1, false)]
    );
    let (_, old) = analyst.get("/api/v1/rule-sets/1").await;
    assert_eq!(old["body"], RULES_V1);
    assert_eq!(analyst.post("/api/v1/rule-sets/1/activate", json!({})).await.0, 200);
    let (_, report) = post_listings(&analyst, listing("5", "Vape giá rẻ")).await;
    assert_eq!((report["leads"].as_i64(), report["rule_set_version"].as_i64()), (Some(1), Some(1)), "rolled back: {report}");
    assert_eq!(analyst.post("/api/v1/rule-sets/9/activate", json!({})).await.0, 404);

    // Saving without activating keeps the active version.
    let (_, v3) = analyst.post("/api/v1/rule-sets", json!({ "body": RULES_V2, "activate": false })).await;
    assert_eq!((v3["version"].as_i64(), v3["active"].as_bool()), (Some(3), Some(false)));
    let (_, listed) = analyst.get("/api/v1/rule-sets").await;
    assert_eq!(
        listed.as_array().unwrap().iter().filter(|v| v["active"] == true).map(|v| v["version"].as_i64().unwrap()).collect::<Vec<_>>(),
        vec![1]
    );
}

async fn listings_become_one_lead_per_seller_and_decisions_teach_the_rules(s: TestServer) {
    people(&s).await;
    let analyst = s.login("qltt.analyst").await;
    assert_eq!(analyst.post("/api/v1/rule-sets", json!({ "body": RULES_V1 })).await.0, 201);

    let rolex = |id: &str, seller: &str, price: i64| {
        line(
            json!({ "platform": "shopee", "listing_id": id, "title": format!("Đồng hồ ROLEX Submariner {id}"), "description": "Hàng xách tay, bao ship",
            "price": price, "seller_id": seller, "seller_name": "Shop Đồng Hồ Sài Gòn", "phone": "0912 345 678",
            "url": format!("https://shopee.vn/p/{id}") }),
        )
    };
    // Three cheap Rolexes from one shop, one honest Rolex, a vape from another shop, and bad lines.
    let body = rolex("r1", "dongho_sg", 1_500_000)
        + &rolex("r2", "dongho_sg", 2_000_000)
        + "{ not json\n"
        + &rolex("r3", "DONGHO_SG", 1_800_000)
        + &line(json!({ "platform": "shopee", "title": "no id" }))
        + &rolex("r4", "rolex_official", 250_000_000)
        + &line(json!({ "platform": "lazada", "listing_id": "v1", "title": "Vape pod chính hãng", "seller_id": "vapehouse" }));
    let (status, report) = post_listings(&analyst, body.clone()).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        (report["screened"].as_i64(), report["leads"].as_i64(), report["leads_opened"].as_i64(), report["joined_open_lead"].as_i64()),
        (Some(5), Some(4), Some(2), Some(2)),
        "{report}"
    );
    let skipped: Vec<i64> = report["skipped"].as_array().unwrap().iter().map(|p| p["line"].as_i64().unwrap()).collect();
    assert_eq!(skipped, vec![3, 5], "{report}");

    // The same feed again: every lead listing is counted as seen, none filed twice.
    let (_, again) = post_listings(&analyst, body).await;
    assert_eq!(
        (again["leads_opened"].as_i64(), again["joined_open_lead"].as_i64(), again["seen_before"].as_i64()),
        (Some(0), Some(0), Some(4))
    );

    let (_, queue) = analyst.get("/api/v1/leads").await;
    let queue = queue.as_array().unwrap();
    assert_eq!(queue.len(), 2);
    let shop = queue.iter().find(|l| l["platform"] == "shopee").unwrap();
    assert_eq!(shop["listing_count"], 3);
    let shop_id = shop["id"].as_str().unwrap().to_string();
    let vape_id = queue.iter().find(|l| l["platform"] == "lazada").unwrap()["id"].as_str().unwrap().to_string();

    // The lead says why, down to the words in the title.
    let (_, lead) = analyst.get(&format!("/api/v1/leads/{shop_id}")).await;
    let first = &lead["listings"][0];
    assert_eq!(first["times_seen"], 2);
    let brand = first["hits"].as_array().unwrap().iter().find(|h| h["kind"] == "brand").expect("brand hit");
    let title = first["listing"]["title"].as_str().unwrap();
    let span = &brand["spans"][0];
    assert_eq!(span["field"], "title");
    assert_eq!(&title[span["start"].as_u64().unwrap() as usize..span["end"].as_u64().unwrap() as usize], "ROLEX");

    // Decisions: a dismissal or false positive must say why; a decided lead stays decided.
    let decide = |id: &str, body: Value| {
        let c = analyst.clone();
        let path = format!("/api/v1/leads/{id}/decision");
        async move { c.post(&path, body).await }
    };
    assert_eq!(decide(&vape_id, json!({ "decision": "false_positive" })).await.0, 422);
    assert_eq!(decide(&vape_id, json!({ "decision": "open" })).await.0, 422);
    let (status, fp) = decide(&vape_id, json!({ "decision": "false_positive", "reason": "Máy xông tinh dầu, không phải thuốc lá" })).await;
    assert_eq!((status, fp["status"].as_str()), (200, Some("false_positive")), "{fp}");
    assert_eq!(decide(&vape_id, json!({ "decision": "confirmed" })).await.0, 422, "already decided");
    assert_eq!(decide(&shop_id, json!({ "decision": "confirmed", "case_id": "no-such-case" })).await.0, 422);

    // Confirming opens an e-commerce case from the lead, with the seller as a party.
    let (status, confirmed) = decide(&shop_id, json!({ "decision": "confirmed", "open_case": true })).await;
    assert_eq!(status, 200, "{confirmed}");
    let case_id = confirmed["case_id"].as_str().unwrap();
    let (status, case) = analyst.get(&format!("/api/v1/cases/{case_id}")).await;
    assert_eq!(status, 200, "{case}");
    assert_eq!(case["case_type"], "counterfeit");
    assert_eq!(case["detection_method"], "online_monitoring");
    assert!(case["parties"].as_array().unwrap().iter().any(|p| p["identifiers"]["seller"] == "shopee:dongho_sg"), "{case}");

    // Precision per rule: the brand and no-origin rules were right once; the vape term was wrong once.
    let (_, precision) = analyst.get("/api/v1/rule-sets/precision").await;
    let of = |rule: &str| precision.as_array().unwrap().iter().find(|r| r["rule"] == rule).cloned().unwrap_or(Value::Null);
    assert_eq!(of("term:prohibited")["false_positives"], 1, "{precision}");
    assert_eq!(of("term:prohibited")["precision"], 0.0);
    assert_eq!(of("term:no-origin")["confirmed"], 1, "{precision}");
    assert_eq!(of("term:no-origin")["precision"], 1.0);

    // The confirmed seller's phone now watches every platform: a clean-looking listing on
    // another platform with that phone is a lead, and it clusters with the confirmed shop.
    let (_, report) = post_listings(
        &analyst,
        line(json!({ "platform": "facebook", "listing_id": "fb-9", "title": "Đồng hồ nam đẹp", "seller_id": "an.dongho", "phones": ["+84 912 345 678"] })),
    )
    .await;
    assert_eq!(report["leads_opened"], 1, "{report}");
    let (_, queue) = analyst.get("/api/v1/leads").await;
    let fb = &queue[0];
    assert_eq!(fb["platform"], "facebook");
    let fb_id = fb["id"].as_str().unwrap();
    let (_, fb_lead) = analyst.get(&format!("/api/v1/leads/{fb_id}")).await;
    assert!(fb_lead["listings"][0]["hits"].as_array().unwrap().iter().any(|h| h["kind"] == "watchlist:phone"), "{fb_lead}");
    let (status, cluster) = analyst.get(&format!("/api/v1/leads/{fb_id}/cluster")).await;
    assert_eq!(status, 200, "{cluster}");
    let members: Vec<&str> = cluster["leads"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(members, vec![fb_id, shop_id.as_str()]);
    assert_eq!(cluster["shared"][0]["kind"], "phone");
    assert_eq!(cluster["shared"][0]["value"], "0912345678", "phones compared in one spelling");

    let (_, counts) = analyst.get("/api/v1/leads/counts").await;
    assert_eq!(counts, json!({ "open": 1, "confirmed": 1, "dismissed": 0, "false_positive": 1 }));
}

async fn leads_stay_inside_the_agency(s: TestServer) {
    people(&s).await;
    let analyst = s.login("qltt.analyst").await;
    assert_eq!(analyst.post("/api/v1/rule-sets", json!({ "body": RULES_V1 })).await.0, 201);
    post_listings(&analyst, line(json!({ "platform": "tiktok", "listing_id": "t1", "title": "Vape", "seller_id": "x" }))).await;
    let (_, queue) = analyst.get("/api/v1/leads").await;
    let id = queue[0]["id"].as_str().unwrap().to_string();

    // A colleague analyst of the same agency works the same queue.
    let colleague = s.login("qltt.analyst2").await;
    assert_eq!(colleague.get(&format!("/api/v1/leads/{id}")).await.0, 200);

    // Customs' analyst sees no lead, no count, no rules, and cannot decide.
    let customs = s.login("hq.analyst").await;
    assert_eq!(customs.get("/api/v1/leads").await, (200, json!([])));
    assert_eq!(customs.get(&format!("/api/v1/leads/{id}")).await.0, 404);
    assert_eq!(customs.get(&format!("/api/v1/leads/{id}/cluster")).await.0, 404);
    assert_eq!(customs.post(&format!("/api/v1/leads/{id}/decision"), json!({ "decision": "confirmed" })).await.0, 404);
    assert_eq!(customs.get("/api/v1/leads/counts").await.1["open"], 0);
    assert_eq!(customs.get("/api/v1/rule-sets").await, (200, json!([])));
    assert_eq!(customs.get("/api/v1/rule-sets/1").await.0, 404);
    // Screening with customs' own (missing) rules files nothing under market surveillance.
    assert_eq!(
        post_listings(&customs, line(json!({ "platform": "tiktok", "listing_id": "t2", "title": "Vape", "seller_id": "x" }))).await.0,
        422
    );

    // An officer who is not an analyst does not work leads; nobody anonymous does.
    let officer = s.login("qltt.officer").await;
    assert_eq!(officer.get("/api/v1/leads").await.0, 403);
    assert_eq!(post_listings(&officer, String::new()).await.0, 403);
    assert_eq!(s.anonymous().get("/api/v1/leads").await.0, 401);

    // The reads are on the record.
    let q = cordon_store::AuditQuery { object_type: Some("lead".into()), limit: 1000, ..Default::default() };
    let entries = s.app.store().audit_entries(&q).await.unwrap();
    assert!(entries.iter().any(|e| e.entry.action == "lead.read" && e.entry.object_id == id && e.entry.outcome == "denied"));
    assert!(entries.iter().any(|e| e.entry.action == "lead.read" && e.entry.outcome == "ok"));
}

/// The pages: the rule editor refuses a bad file with its lines and keeps the text, a lead shows
/// its matched words marked, and a decision from the page is recorded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn analysts_work_rules_and_leads_from_the_pages() {
    let s = TestServer::start(test_support::Backend::Sqlite).await.unwrap();
    people(&s).await;
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let resp = http
        .post(format!("{}/login", s.base))
        .form(&[("username", "qltt.analyst"), ("password", test_support::PASSWORD)])
        .send()
        .await
        .unwrap();
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    let page = |path: &str| {
        let (http, url, cookie) = (http.clone(), format!("{}{path}", s.base), cookie.clone());
        async move {
            let resp = http.get(url).header("cookie", cookie).send().await.unwrap();
            (resp.status().as_u16(), resp.text().await.unwrap())
        }
    };
    let csrf = |html: &str| html.split("name=\"_csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();

    let (status, html) = page("/rules").await;
    assert_eq!(status, 200);
    let bad = "version = p-1\n[term prohibited]\nvape\n[watchlist email]\nx@y\n";
    let resp = http
        .post(format!("{}/rules", s.base))
        .header("cookie", &cookie)
        .form(&[("_csrf", csrf(&html).as_str()), ("body", bad), ("activate", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let html = resp.text().await.unwrap();
    assert!(html.contains("id=\"rule-problems\""), "{html}");
    assert!(html.contains("Dòng 4"), "the problem names its line: {html}");
    assert!(html.contains("[watchlist email]"), "the text is kept for correcting");
    let resp = http
        .post(format!("{}/rules", s.base))
        .header("cookie", &cookie)
        .form(&[("_csrf", csrf(&html).as_str()), ("body", RULES_V1), ("activate", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let (_, html) = page("/rules").await;
    assert!(html.contains("t-1") && html.contains("Đang áp dụng"), "{html}");

    let analyst = s.login("qltt.analyst").await;
    post_listings(
        &analyst,
        line(json!({ "platform": "shopee", "listing_id": "p1", "title": "Bán vape <b>pod</b> giá rẻ", "seller_id": "vape_sg",
            "url": "javascript:alert(1)" })),
    )
    .await;
    let (status, html) = page("/leads").await;
    assert_eq!(status, 200);
    let href = html.split("href=\"/leads/").nth(1).unwrap().split('"').next().unwrap().to_string();
    let (status, html) = page(&format!("/leads/{href}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("<mark>vape</mark>"), "the matched word is marked: {html}");
    assert!(html.contains("&lt;b&gt;pod&lt;/b&gt;"), "the seller's text is escaped");
    assert!(!html.contains("javascript:alert"), "only web links become links");

    // Dismissing without a reason comes back on the page; with one, it is recorded.
    let form = |decision: &'static str, reason: &'static str, token: String| {
        let (http, url, cookie) = (http.clone(), format!("{}/leads/{href}/decision", s.base), cookie.clone());
        async move {
            http.post(url)
                .header("cookie", cookie)
                .form(&[("_csrf", token.as_str()), ("decision", decision), ("reason", reason)])
                .send()
                .await
                .unwrap()
        }
    };
    let resp = form("dismissed", "", csrf(&html)).await;
    assert_eq!(resp.status(), 422);
    let resp = form("dismissed", "Ngoài phạm vi quản lý", csrf(&html)).await;
    assert_eq!(resp.status(), 303);
    let (_, html) = page(&format!("/leads/{href}")).await;
    assert!(html.contains("Không xử lý") && html.contains("Ngoài phạm vi quản lý"), "{html}");
    assert!(!html.contains("id=\"decide\""), "a decided lead has no form");
}
