//! The web pages over plain HTTP: sign-in, CSRF on every form, the content security
//! policy, and a first page light enough for a 1 Mbit/s border-post link.

use reqwest::header;
use reqwest::redirect::Policy;
use test_support::{Backend, TestServer, PASSWORD};

fn browserless() -> reqwest::Client {
    reqwest::Client::builder().redirect(Policy::none()).build().unwrap()
}

/// Signs in through the login form and answers the session cookie.
async fn cookie_of(http: &reqwest::Client, base: &str, user: &str) -> String {
    let resp = http.post(format!("{base}/login")).form(&[("username", user), ("password", PASSWORD)]).send().await.unwrap();
    resp.headers()[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_demand_a_session_and_every_form_a_csrf_token() {
    let s = TestServer::start(Backend::Sqlite).await.unwrap();
    s.user("hq.huunghi", ("customs-vn", "customs"), "customs-huu-nghi", &["officer"]).await;
    let http = browserless();
    let resp = http.get(format!("{}/cases", s.base)).send().await.unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(resp.headers()[header::LOCATION], "/login");

    let resp =
        http.post(format!("{}/login", s.base)).form(&[("username", "hq.huunghi"), ("password", "wrong password!!")]).send().await.unwrap();
    assert_eq!(resp.status(), 401);
    assert!(resp.text().await.unwrap().contains("Sai tên đăng nhập hoặc mật khẩu."));
    let resp = http
        .post(format!("{}/login", s.base))
        .header(header::ORIGIN, "https://evil.example")
        .form(&[("username", "hq.huunghi"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403, "a sign-in posted from another site is refused");

    let resp = http.post(format!("{}/login", s.base)).form(&[("username", "hq.huunghi"), ("password", PASSWORD)]).send().await.unwrap();
    assert_eq!(resp.status(), 303);
    let cookie = resp.headers()[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_string();
    let page = http.get(format!("{}/cases/new", s.base)).header(header::COOKIE, &cookie).send().await.unwrap();
    let csp = page.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_string();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    let html = page.text().await.unwrap();
    let token = html.split("name=\"_csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    assert!(!html.contains("<script>") && !html.contains(" onclick="), "no inline script for the CSP to allow");
    assert!(html.contains("<label for=\"title\">"), "controls have labels");

    let form = [
        ("title", "Thu giữ pháo nổ"),
        ("case_type", "smuggling"),
        ("detected_at", "2026-01-15T07:00"),
        ("province", "lang-son"),
        ("tlp", "amber"),
    ];
    let forged = http.post(format!("{}/cases/new", s.base)).header(header::COOKIE, &cookie).form(&form).send().await.unwrap();
    assert_eq!(forged.status(), 403, "no token, no write");
    let mut with_token = form.to_vec();
    with_token.push(("_csrf", &token));
    let ok = http.post(format!("{}/cases/new", s.base)).header(header::COOKIE, &cookie).form(&with_token).send().await.unwrap();
    assert_eq!(ok.status(), 303);
    let location = ok.headers()[header::LOCATION].to_str().unwrap().to_string();
    let actor = s.app.actor_for_operator("hq.huunghi").await.unwrap();
    assert_eq!(s.app.count_cases(&actor, Default::default()).await.unwrap(), 1, "exactly the one with the token was written");
    // Its evidence is listed on its page, with a link that downloads it.
    let id = location.trim_start_matches("/cases/").to_string();
    let pdf = b"%PDF-1.7 bien ban tam giu".to_vec();
    let upload = cordon_app::NewEvidence {
        filename: "biên bản tạm giữ.pdf".into(),
        declared_type: Some("application/pdf".into()),
        sharing: None,
        bytes: pdf.clone(),
    };
    s.app.add_evidence(&actor, &id, 1, upload).await.unwrap();
    let page = http.get(format!("{}{location}", s.base)).header(header::COOKIE, &cookie).send().await.unwrap().text().await.unwrap();
    let link = page
        .split("id=\"evidence\"")
        .nth(1)
        .and_then(|rest| rest.split("href=\"").nth(1))
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    assert!(page.contains("biên bản tạm giữ.pdf"));
    let file = http.get(format!("{}{link}", s.base)).header(header::COOKIE, &cookie).send().await.unwrap();
    assert_eq!(file.status(), 200);
    assert_eq!(file.bytes().await.unwrap().to_vec(), pdf);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_page_is_light() {
    let s = TestServer::start(Backend::Sqlite).await.unwrap();
    let http = browserless();
    let mut bytes = 0;
    for path in ["/login", "/static/app.css", "/static/app.js"] {
        let resp = http.get(format!("{}{path}", s.base)).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        bytes += resp.bytes().await.unwrap().len();
    }
    // 1 Mbit/s moves about 125 KB a second; leave most of the second to latency.
    assert!(bytes < 20_000, "the sign-in page weighs {bytes} bytes with its assets");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auditors_see_who_accessed_what_and_officers_do_not() {
    let s = TestServer::start(Backend::Sqlite).await.unwrap();
    s.user("hq.huunghi", ("customs-vn", "customs"), "customs-huu-nghi", &["officer"]).await;
    s.user("auditor", ("sco-389", "steering_committee_office"), "sco-hq", &["auditor"]).await;
    let http = browserless();
    let session = |user: &'static str| cookie_of(&http, &s.base, user);
    let officer = session("hq.huunghi").await;
    let dash = http.get(format!("{}/", s.base)).header(header::COOKIE, &officer).send().await.unwrap().text().await.unwrap();
    assert!(dash.contains("<svg") && dash.contains("role=\"img\""), "the dashboard draws its chart on the server");
    assert!(dash.contains("id=\"by-province\"") && dash.contains("id=\"by-commodity\""), "and its totals by province and commodity");
    assert!(!dash.contains("href=\"/audit\""), "no audit link for an officer");
    let refused = http.get(format!("{}/audit", s.base)).header(header::COOKIE, &officer).send().await.unwrap();
    assert_eq!(refused.status(), 403);
    let auditor = session("auditor").await;
    let page = http.get(format!("{}/audit?object_id=hq.huunghi", s.base)).header(header::COOKIE, &auditor).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("auth.login"), "the officer's sign-in is on the record");
    let all = http.get(format!("{}/audit", s.base)).header(header::COOKIE, &auditor).send().await.unwrap().text().await.unwrap();
    assert!(all.contains("audit.read") && all.contains("denied"), "the officer's refused look is on the record too");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_withheld_person_is_asked_for_and_granted_from_the_pages() {
    let s = TestServer::start(Backend::Sqlite).await.unwrap();
    s.user("hq.huunghi", ("customs-vn", "customs"), "customs-huu-nghi", &["officer"]).await;
    s.user("hq.head", ("customs-vn", "customs"), "customs-huu-nghi", &["unit_head", "officer"]).await;
    s.user("bp.langson", ("border-guard-vn", "border_guard"), "bg-lang-son", &["officer"]).await;
    let owner = s.login("hq.huunghi").await;
    let (status, case) = owner
        .post(
            "/api/v1/cases",
            serde_json::json!({ "case_type": "smuggling", "title": "Xe khách chở hàng lậu", "detected_at": test_support::T0 - 3_600_000,
                "parties": [{ "kind": "person", "name": "Phạm Văn Cường", "role": "driver" }],
                "sharing": { "tlp": "amber", "distribution": ["own_agency", "agency:border-guard-vn"] } }),
        )
        .await;
    assert_eq!(status, 201, "{case}");
    let id = case["id"].as_str().unwrap().to_string();
    let http = browserless();
    let session = |user: &'static str| cookie_of(&http, &s.base, user);
    let csrf = |html: &str| html.split("name=\"_csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let page = |cookie: &str, path: &str| {
        let (http, url, cookie) = (http.clone(), format!("{}{path}", s.base), cookie.to_string());
        async move { http.get(url).header(header::COOKIE, cookie).send().await.unwrap().text().await.unwrap() }
    };
    let bg = session("bp.langson").await;
    let html = page(&bg, &format!("/cases/{id}")).await;
    assert!(!html.contains("Phạm Văn Cường") && html.contains("id=\"request-access\""), "withheld, with a way to ask");
    let asked = http
        .post(format!("{}/cases/{id}/access-request", s.base))
        .header(header::COOKIE, &bg)
        .form(&[("_csrf", csrf(&html).as_str()), ("reason", "Phối hợp truy bắt")])
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), 303);
    assert!(page(&bg, "/access-requests").await.contains("Phối hợp truy bắt"));

    let officer = session("hq.huunghi").await;
    assert!(!page(&officer, "/access-requests").await.contains("name=\"grant\""), "an officer does not decide");
    let head = session("hq.head").await;
    let inbox = page(&head, "/access-requests").await;
    let action = inbox.split("class=\"decide\" method=\"post\" action=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let decided = http
        .post(format!("{}{action}", s.base))
        .header(header::COOKIE, &head)
        .form(&[("_csrf", csrf(&inbox).as_str()), ("grant", "true"), ("reason", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(decided.status(), 303);
    let html = page(&bg, &format!("/cases/{id}")).await;
    assert!(html.contains("Phạm Văn Cường") && !html.contains("id=\"request-access\""), "granted: shown, nothing left to ask");
    let entity = html.split("href=\"/entities/").nth(1).unwrap().split('"').next().unwrap().to_string();
    let page = page(&bg, &format!("/entities/{entity}")).await;
    assert!(
        page.contains("Phạm Văn Cường") && page.contains("id=\"entity-cases\"") && page.contains("<svg"),
        "the entity's page, with its graph"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_recording_unit_edits_a_case_and_a_stale_form_is_sent_back() {
    let s = TestServer::start(Backend::Sqlite).await.unwrap();
    s.user("hq.huunghi", ("customs-vn", "customs"), "customs-huu-nghi", &["officer"]).await;
    s.user("hq.mongcai", ("customs-vn", "customs"), "customs-mong-cai", &["officer"]).await;
    s.user("bp.langson", ("border-guard-vn", "border_guard"), "bg-lang-son", &["officer"]).await;
    let owner = s.login("hq.huunghi").await;
    let (status, case) = owner
        .post(
            "/api/v1/cases",
            serde_json::json!({ "case_type": "smuggling", "title": "Thu giữ đường cát", "detected_at": test_support::T0 - 3_600_000,
                "province": "lang-son",
                "goods": [{ "description": "Đường cát", "category": "sugar", "value_vnd": 5000000 }, { "description": "Bột ngọt", "value_vnd": 1000000 }],
                "parties": [{ "kind": "company", "name": "Công ty TNHH Hưng Thịnh", "role": "consignee" }],
                "sharing": { "tlp": "amber", "distribution": ["own_agency"], "handling": ["H1"] } }),
        )
        .await;
    assert_eq!(status, 201, "{case}");
    let id = case["id"].as_str().unwrap().to_string();
    let http = browserless();
    let login = |user: &'static str| cookie_of(&http, &s.base, user);
    let cookie = login("hq.huunghi").await;
    let form = http.get(format!("{}/cases/{id}/edit", s.base)).header(header::COOKIE, &cookie).send().await.unwrap().text().await.unwrap();
    assert!(
        form.contains("value=\"Thu giữ đường cát\"") && form.contains("name=\"version\" value=\"1\""),
        "the form shows the case as it stands"
    );
    let token = form.split("name=\"_csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let fields = |title: &'static str, version: &'static str| {
        vec![
            ("_csrf", token.clone()),
            ("version", version.to_string()),
            ("title", title.to_string()),
            ("case_type", "smuggling".into()),
            ("detected_at", "2026-01-15T06:00".into()),
            ("province", "lang-son".into()),
            ("goods_description", "Đường cát trắng".into()),
            ("goods_value_vnd", "6.000.000".into()),
            ("tlp", "amber".into()),
            ("share", "own_agency".into()),
            ("share", "agency:border-guard-vn".into()),
        ]
    };
    let saved = http
        .post(format!("{}/cases/{id}/edit", s.base))
        .header(header::COOKIE, &cookie)
        .form(&fields("Thu giữ 3 tấn đường cát", "1"))
        .send()
        .await
        .unwrap();
    let status = saved.status();
    let page = saved.text().await.unwrap();
    let why = page.split("field-error").nth(1).unwrap_or(&page[..page.len().min(300)]).chars().take(300).collect::<String>();
    assert_eq!(status, 303, "{why}");
    let (_, now) = owner.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(now["title"], "Thu giữ 3 tấn đường cát");
    assert_eq!(now["version"], 2);
    assert_eq!(now["goods"].as_array().unwrap().len(), 2, "the second goods line, not on the form, is kept");
    assert_eq!(now["goods"][0]["value_vnd"], 6_000_000);
    assert_eq!(now["parties"][0]["name"], "Công ty TNHH Hưng Thịnh", "parties are kept");
    assert_eq!(now["sharing"]["handling"], serde_json::json!(["H1"]), "handling conditions are kept");
    assert_eq!(now["sharing"]["distribution"], serde_json::json!(["own_unit", "own_agency", "agency:border-guard-vn"]));

    let stale =
        http.post(format!("{}/cases/{id}/edit", s.base)).header(header::COOKIE, &cookie).form(&fields("Bản cũ", "1")).send().await.unwrap();
    assert_eq!(stale.status(), 422);
    assert!(stale.text().await.unwrap().contains("Vụ việc đã được người khác sửa"), "the stale form says why");
    assert_eq!(owner.get(&format!("/api/v1/cases/{id}")).await.1["title"], "Thu giữ 3 tấn đường cát", "nothing was overwritten");

    let other = login("hq.mongcai").await;
    let refused = http.get(format!("{}/cases/{id}/edit", s.base)).header(header::COOKIE, &other).send().await.unwrap();
    assert_eq!(refused.status(), 403, "another unit of the agency sees the case but does not edit it");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_records_an_agreement_unit_and_user_from_the_pages() {
    let s = TestServer::start(Backend::Sqlite).await.unwrap();
    s.user("root", ("sco-389", "steering_committee_office"), "sco-hq", &["administrator"]).await;
    s.user("hq.huunghi", ("customs-vn", "customs"), "customs-huu-nghi", &["officer"]).await;
    s.user("bp.langson", ("border-guard-vn", "border_guard"), "bg-lang-son", &["officer"]).await;
    let http = browserless();
    let login = |user: &'static str| cookie_of(&http, &s.base, user);
    let officer = login("hq.huunghi").await;
    let refused = http.get(format!("{}/admin", s.base)).header(header::COOKIE, &officer).send().await.unwrap();
    assert_eq!(refused.status(), 403, "only administrators");
    let root = login("root").await;
    let page = http.get(format!("{}/admin", s.base)).header(header::COOKIE, &root).send().await.unwrap().text().await.unwrap();
    let token = page.split("name=\"_csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let post = |path: &'static str, fields: Vec<(&'static str, &'static str)>| {
        let (http, url, cookie, token) = (http.clone(), format!("{}{path}", s.base), root.clone(), token.clone());
        async move {
            let mut form: Vec<(&str, String)> = fields.into_iter().map(|(k, v)| (k, v.to_string())).collect();
            form.push(("_csrf", token));
            http.post(url).header(header::COOKIE, cookie).form(&form).send().await.unwrap()
        }
    };
    let agreement = |b: &'static str| {
        vec![
            ("agreement_id", "qcph-5341"),
            ("agreement_name", "Quy chế phối hợp 5341/QCPH"),
            ("agency_a", "customs-vn"),
            ("agency_b", b),
            ("disclose_personal", "true"),
            ("valid_from", "01/01/2026"),
        ]
    };
    let bad = post("/admin/agreements", agreement("customs-vn")).await;
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("agency_b"), "the refusal names the field");
    assert_eq!(post("/admin/agreements", agreement("border-guard-vn")).await.status(), 303);
    assert_eq!(post("/admin/agreements", agreement("border-guard-vn")).await.status(), 422, "the same id twice is refused");
    let unit = vec![
        ("unit_id", "customs-tan-thanh"),
        ("unit_agency", "customs-vn"),
        ("unit_name_vi", "Chi cục Hải quan Tân Thanh"),
        ("unit_name_en", "Tan Thanh Customs"),
        ("unit_province", "Lạng Sơn"),
    ];
    assert_eq!(post("/admin/units", unit).await.status(), 303);
    let user = vec![
        ("new_username", "hq.tanthanh"),
        ("display_name", "Hoàng Thị Mai"),
        ("user_unit", "customs-tan-thanh"),
        ("role", "officer"),
        ("initial_password", "mật khẩu ban đầu 2026"),
    ];
    assert_eq!(post("/admin/users", user).await.status(), 303);
    let template = |sections: &'static str| {
        vec![
            ("template_scope", "customs-vn"),
            ("template_title", "BÁO CÁO CỦA NGÀNH HẢI QUAN"),
            ("template_closing", "Nơi nhận: Lưu VT."),
            ("template_section", sections),
        ]
    };
    let refused = post("/admin/report-templates", template("by_colour")).await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("sections"), "the refusal names the field");
    assert_eq!(post("/admin/report-templates", template("by_province")).await.status(), 303);
    let (_, saved) = s.login("hq.huunghi").await.get("/api/v1/report-templates/customs-vn").await;
    assert_eq!(
        (saved["title"].as_str(), saved["sections"].clone()),
        (Some("BÁO CÁO CỦA NGÀNH HẢI QUAN"), serde_json::json!(["by_province"]))
    );
    let page = http.get(format!("{}/admin", s.base)).header(header::COOKIE, &root).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Quy chế phối hợp 5341/QCPH") && page.contains("Chi cục Hải quan Tân Thanh") && page.contains("Hoàng Thị Mai"));

    // The agreement now discloses the customs' persons to the border guard.
    let owner = s.login("hq.huunghi").await;
    let (_, case) = owner
        .post(
            "/api/v1/cases",
            serde_json::json!({ "case_type": "smuggling", "title": "Vận chuyển pháo", "detected_at": test_support::T0 - 3_600_000,
                "parties": [{ "kind": "person", "name": "Đỗ Văn Hùng", "role": "driver" }],
                "sharing": { "tlp": "amber", "distribution": ["agency:border-guard-vn"] } }),
        )
        .await;
    let (_, seen) = s.login("bp.langson").await.get(&format!("/api/v1/cases/{}", case["id"].as_str().unwrap())).await;
    assert_eq!(seen["parties"][0]["name"], "Đỗ Văn Hùng");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notice_waits_on_the_dashboard_and_is_acknowledged_from_the_inbox() {
    let s = TestServer::start(Backend::Sqlite).await.unwrap();
    s.user("hq.huunghi", ("customs-vn", "customs"), "customs-huu-nghi", &["officer"]).await;
    s.user("bp.langson", ("border-guard-vn", "border_guard"), "bg-lang-son", &["officer"]).await;
    s.agreement("customs-vn", "border-guard-vn").await;
    let (status, n) = s
        .login("hq.huunghi")
        .await
        .post(
            "/api/v1/notices",
            serde_json::json!({ "kind": "pursuit", "priority": "urgent", "title": "Truy đuổi xe 12C-001.23", "recipient_units": ["bg-lang-son"] }),
        )
        .await;
    assert_eq!(status, 201, "{n}");
    let http = browserless();
    let bg = cookie_of(&http, &s.base, "bp.langson").await;
    let get = |path: &str| {
        let (http, url, cookie) = (http.clone(), format!("{}{path}", s.base), bg.clone());
        async move { http.get(url).header(header::COOKIE, cookie).send().await.unwrap().text().await.unwrap() }
    };
    let dash = get("/").await;
    let waiting = dash.split("id=\"figure-notices\">").nth(1).unwrap().split('<').next().unwrap().to_string();
    assert_eq!(waiting, "1", "the dashboard counts the notice waiting");
    let inbox = get("/notices").await;
    assert!(inbox.contains("Truy đuổi xe 12C-001.23") && inbox.contains("Xác nhận đã nhận"));
    let token = inbox.split("name=\"_csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let acked = http
        .post(format!("{}/notices/{}/ack", s.base, n["id"].as_str().unwrap()))
        .header(header::COOKIE, &bg)
        .form(&[("_csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(acked.status(), 303);
    assert!(get("/notices").await.contains("Đã xác nhận"));
    assert!(get("/").await.contains("id=\"figure-notices\">0<"));
}
