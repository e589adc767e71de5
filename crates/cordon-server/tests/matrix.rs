//! The authorisation matrix, generated from the router: every operation of the OpenAPI
//! document (which is built from the same list as the router) × every kind of user. An
//! operation missing from the policy table fails the test, so no route can be added
//! without saying who may call it. Sharing labels and distributions are crossed with
//! every case route in `cases.rs`; here the roles and agencies are.

use reqwest::header;
use serde_json::{json, Value};
use test_support::{split, Client, TestServer, T0};

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Policy {
    /// No credentials needed.
    Public,
    /// Any signed-in user.
    SignedIn,
    /// Administrators.
    Admin,
    /// Auditors and administrators.
    Auditor,
    /// Administrators and the managing agency of the sharing group.
    GroupManager,
    /// Officers and unit heads (recording a case).
    CaseWorker,
    /// Anyone signed in may list and count, but only what is shared with them is in the answer.
    CaseList,
    /// A case only if shared with the caller (404 otherwise, as if it did not exist).
    CaseReader,
    /// Heads and deputies of the agency holding the withheld parties.
    AccessDecider,
    /// The sending unit and the addressed unit (a notice from customs-a to the border guard).
    NoticeParty,
    /// The addressed unit only (the sender is refused; others cannot know the notice exists).
    NoticeRecipient,
    /// Unit heads.
    UnitHead,
    /// Those shown the person in full: the recording agency's users who see the case (the
    /// border guard sees the case with the person withheld, so not the entity).
    EntityReader,
    /// Case workers shown both entities of a candidate match in full (the recording agency's
    /// officers and heads); other case workers get 404, everyone else 403.
    MatchDecider,
    /// The recording unit only (others who see it get 403, others 404).
    CaseOwnerUnit,
    /// Officers and heads of the lead agency or the recording unit (lifecycle steps).
    CaseLead,
    /// Case workers who may see the case (adding a party).
    CaseWorkerWhoSees,
    /// Analysts, on their own agency's rules and leads (another agency's lead is a 404, in `screening.rs`).
    Analyst,
    /// Hotline operators (recording a call).
    HotlineOperator,
    /// Hotline operators and administrators (e-mail intake).
    MailIntake,
    /// Those who work tips (operators, officers, analysts, heads): their unit's queue.
    TipWorker,
    /// The unit holding the tip (a call taken by the hotline): others who work tips get 404.
    TipHolder,
    /// Members of the unit (customs-a) and administrators (its duty roster).
    UnitMember,
    /// The unit's head or deputy, and administrators (keeping its roster).
    RosterKeeper,
    /// The user themself (officer.a) and administrators (contact details).
    SelfOrAdmin,
    /// Request workers (officers, heads, liaison officers) of the recording agency who see the
    /// request (others who see it get 403, others 404).
    RequestOwner,
    /// The sending unit of a notice (customs-a): its recipient gets 403, others 404.
    NoticeSender,
    /// Both agencies of a handover (customs-vn to police-vn); others 404.
    HandoverParty,
    /// The receiving agency of a handover (police-vn); the sender gets 403, others 404.
    HandoverReceiver,
    /// Officers, heads and liaison officers (organising a joint operation).
    OperationOrganiser,
    /// Participants of a joint operation (customs-vn, police-vn, customs-cn); others 404.
    OperationParticipant,
    /// Organisers of a participating agency (linking a case); other participants' analysts 403.
    OperationLinker,
    /// The Standing Office's staff (none of the personas: `analytics.rs` tests the staff).
    OfficeStaff,
    /// The agency a directive gives a task (customs-vn); anyone else cannot know it exists.
    DirectiveAgency,
    /// Officers and heads of the agency the task is assigned to (customs-vn).
    TaskReporter,
    /// Those who read reports and may have them sent: officers, heads, analysts, administrators.
    ReportScheduler,
}

fn policy(method: &str, path: &str) -> Option<Policy> {
    use Policy::*;
    Some(match (method, path) {
        ("get", "/healthz" | "/readyz" | "/metrics") | ("post", "/api/v1/auth/login") => Public,
        ("post", "/api/v1/auth/logout" | "/api/v1/auth/password" | "/api/v1/tokens") => SignedIn,
        ("get", "/api/v1/me" | "/api/v1/agencies" | "/api/v1/units" | "/api/v1/agreements") => SignedIn,
        ("get", p) if p.starts_with("/api/v1/reference/") => SignedIn,
        ("post", "/api/v1/agencies" | "/api/v1/units" | "/api/v1/users" | "/api/v1/agreements" | "/api/v1/sharing-groups") => Admin,
        ("get", "/api/v1/users") => Admin,
        ("get", "/api/v1/audit" | "/api/v1/audit/checkpoints") => Auditor,
        ("get", "/api/v1/sharing-groups/{id}") => GroupManager,
        ("post", "/api/v1/cases" | "/api/v1/imports") => CaseWorker,
        ("get", "/api/v1/exports") => CaseList,
        ("get", "/api/v1/cases" | "/api/v1/cases/count" | "/api/v1/cases/totals") => CaseList,
        ("get", "/api/v1/cases/{id}" | "/api/v1/cases/{id}/events") => CaseReader,
        ("put", "/api/v1/cases/{id}") => CaseOwnerUnit,
        ("post", "/api/v1/cases/{id}/transitions") => CaseLead,
        ("post", "/api/v1/cases/{id}/parties" | "/api/v1/cases/{id}/evidence") => CaseWorkerWhoSees,
        ("get", "/api/v1/cases/{id}/evidence/{sha256}") => CaseReader,
        ("post", "/api/v1/cases/{id}/access-requests") => CaseReader,
        ("get", "/api/v1/access-requests") => SignedIn,
        ("get", "/api/v1/entities/{id}" | "/api/v1/entities/{id}/matches") => EntityReader,
        // The network around the matrix's case, and the path from its person.
        ("get", "/api/v1/network") => CaseReader,
        ("get", "/api/v1/network/path") => EntityReader,
        ("get", "/api/v1/report-templates/{scope}") => SignedIn,
        ("put", "/api/v1/report-templates/{scope}") => Admin,
        ("get", "/api/v1/report-schedules") => SignedIn,
        ("post", "/api/v1/report-schedules") => ReportScheduler,
        ("post", "/api/v1/entity-matches/{id}/decision") => MatchDecider,
        ("post", "/api/v1/notices") => CaseWorker,
        ("get", "/api/v1/notices" | "/api/v1/delegations") => SignedIn,
        ("get", "/api/v1/notices/{id}") => NoticeParty,
        ("post", "/api/v1/notices/{id}/ack" | "/api/v1/notices/{id}/action") => NoticeRecipient,
        ("post", "/api/v1/delegations") => UnitHead,
        ("get", "/api/v1/notices/stream") => SignedIn,
        ("get", "/api/v1/notices/{id}/deliveries") => NoticeParty,
        ("get", "/api/v1/units/{id}/duty") => UnitMember,
        ("post", "/api/v1/units/{id}/duty") | ("delete", "/api/v1/units/{id}/duty/{shift_id}") => RosterKeeper,
        ("put", "/api/v1/users/{id}/contact") => SelfOrAdmin,
        ("post", "/api/v1/access-requests/{id}/decision") => AccessDecider,
        ("post", "/api/v1/listings" | "/api/v1/rule-sets" | "/api/v1/rule-sets/check" | "/api/v1/rule-sets/{version}/activate") => Analyst,
        ("get", "/api/v1/rule-sets" | "/api/v1/rule-sets/{version}" | "/api/v1/rule-sets/precision") => Analyst,
        ("get", "/api/v1/leads" | "/api/v1/leads/counts" | "/api/v1/leads/{id}" | "/api/v1/leads/{id}/cluster") => Analyst,
        ("post", "/api/v1/leads/{id}/decision") => Analyst,
        ("get", "/api/v1/public/tips/challenge")
        | ("post", "/api/v1/public/tips" | "/api/v1/public/tips/status" | "/api/v1/public/tips/follow-up") => Public,
        ("post", "/api/v1/tips") => HotlineOperator,
        ("post", "/api/v1/tips/inbound-email") => MailIntake,
        ("get", "/api/v1/tips") => TipWorker,
        ("get", "/api/v1/tips/{id}" | "/api/v1/tips/{id}/cases") | ("post", "/api/v1/tips/{id}/triage" | "/api/v1/tips/{id}/close") => {
            TipHolder
        }
        ("post", "/api/v1/requests") => CaseWorker,
        ("get", "/api/v1/requests" | "/api/v1/requests/statistics") => CaseList,
        ("get", "/api/v1/requests/{id}" | "/api/v1/requests/{id}/attachments/{sha256}" | "/api/v1/requests/{id}/pdf") => CaseReader,
        ("post", "/api/v1/requests/{id}/transitions" | "/api/v1/requests/{id}/answers" | "/api/v1/requests/{id}/attachments") => {
            RequestOwner
        }
        ("get", "/api/v1/requests/{id}/package") | ("post", "/api/v1/requests/{id}/answers/package") => RequestOwner,
        ("get" | "post", "/api/v1/partner-keys") => Admin,
        ("post", "/api/v1/notices/{id}/decisions") => NoticeSender,
        ("post", "/api/v1/cases/{id}/handovers") => CaseLead,
        ("get", "/api/v1/handovers" | "/api/v1/customs-areas" | "/api/v1/operations") => SignedIn,
        ("get", "/api/v1/handovers/{id}") => HandoverParty,
        ("post", "/api/v1/handovers/{id}/answer") => HandoverReceiver,
        ("get", "/api/v1/cases/{id}/pursuit-proposal") => CaseWorkerWhoSees,
        ("post", "/api/v1/operations") => OperationOrganiser,
        ("get", "/api/v1/operations/{id}" | "/api/v1/operations/{id}/messages") | ("post", "/api/v1/operations/{id}/messages") => {
            OperationParticipant
        }
        ("post", "/api/v1/operations/{id}/cases") => OperationLinker,
        ("get", "/api/v1/statistics" | "/api/v1/statistics/hotspots" | "/api/v1/statistics/seasons" | "/api/v1/statistics/forecast") => {
            CaseList
        }
        ("get", "/api/v1/risk" | "/api/v1/reports") => CaseList,
        ("post", "/api/v1/directives" | "/api/v1/directives/{id}/tasks") => OfficeStaff,
        ("get", "/api/v1/directives" | "/api/v1/directive-tasks") => SignedIn,
        ("get", "/api/v1/directives/{id}") => DirectiveAgency,
        ("post", "/api/v1/directive-tasks/{id}/reports") => TaskReporter,
        _ => return None,
    })
}

/// (username, agency, agency kind, unit, roles)
const PERSONAS: &[(&str, &str, &str, &str, &[&str])] = &[
    ("admin", "sco-389", "steering_committee_office", "sco-hq", &["administrator"]),
    ("auditor", "sco-389", "steering_committee_office", "sco-hq", &["auditor"]),
    ("officer.a", "customs-vn", "customs", "customs-a", &["officer"]),
    ("head.a", "customs-vn", "customs", "customs-a", &["unit_head", "officer"]),
    ("officer.b", "customs-vn", "customs", "customs-b", &["officer"]),
    ("analyst", "customs-vn", "customs", "customs-hq", &["analyst"]),
    ("bg.officer", "border-guard-vn", "border_guard", "bg-unit", &["officer"]),
    ("police.officer", "police-vn", "police", "police-unit", &["officer"]),
    ("cn.liaison", "customs-cn", "foreign_customs", "cn-desk", &["liaison_officer"]),
    ("hotline", "sco-389", "steering_committee_office", "sco-hotline", &["hotline_operator"]),
];

/// The case under test is AMBER, shared with the recording agency and the border guard.
fn sees_case(user: &str) -> bool {
    matches!(user, "officer.a" | "head.a" | "officer.b" | "analyst" | "bg.officer")
}

fn expected(p: Policy, user: &str) -> u16 {
    let case_worker = matches!(user, "officer.a" | "head.a" | "officer.b" | "bg.officer" | "police.officer");
    match p {
        Policy::Public | Policy::SignedIn | Policy::CaseList => 200,
        Policy::Admin => {
            if user == "admin" {
                200
            } else {
                403
            }
        }
        Policy::Auditor => {
            if matches!(user, "admin" | "auditor") {
                200
            } else {
                403
            }
        }
        Policy::GroupManager => {
            if user == "admin" || ["officer.a", "head.a", "officer.b", "analyst"].contains(&user) {
                200
            } else {
                404
            }
        }
        Policy::CaseWorker => {
            if case_worker {
                200
            } else {
                403
            }
        }
        Policy::CaseReader => {
            if sees_case(user) {
                200
            } else {
                404
            }
        }
        // The role is checked before the case is looked up: a 403 for the role says nothing of the case.
        Policy::CaseOwnerUnit => {
            if !case_worker {
                403
            } else if matches!(user, "officer.a" | "head.a") {
                200
            } else if sees_case(user) {
                403
            } else {
                404
            }
        }
        Policy::CaseLead => {
            if !case_worker {
                403
            } else if matches!(user, "officer.a" | "head.a" | "officer.b") {
                200
            } else if sees_case(user) {
                403
            } else {
                404
            }
        }
        // The holding agency's heads decide; its other members and the requester are refused;
        // anyone else cannot know the request exists.
        Policy::AccessDecider => match user {
            "head.a" => 200,
            "officer.a" | "officer.b" | "analyst" | "bg.officer" => 403,
            _ => 404,
        },
        Policy::OfficeStaff => 403,
        Policy::DirectiveAgency => match user {
            "officer.a" | "head.a" | "officer.b" | "analyst" => 200,
            _ => 404,
        },
        Policy::TaskReporter => match user {
            "officer.a" | "head.a" | "officer.b" => 200,
            "analyst" => 403,
            _ => 404,
        },
        Policy::NoticeParty => match user {
            "officer.a" | "head.a" | "bg.officer" => 200,
            _ => 404,
        },
        Policy::NoticeRecipient => match user {
            "bg.officer" => 200,
            "officer.a" | "head.a" => 403,
            _ => 404,
        },
        Policy::UnitHead => {
            if user == "head.a" {
                200
            } else {
                403
            }
        }
        Policy::EntityReader => {
            if matches!(user, "officer.a" | "head.a" | "officer.b" | "analyst") {
                200
            } else {
                404
            }
        }
        Policy::MatchDecider => match user {
            "officer.a" | "head.a" | "officer.b" => 200,
            "bg.officer" | "police.officer" => 404,
            _ => 403,
        },
        Policy::UnitMember => match user {
            "admin" | "officer.a" | "head.a" => 200,
            _ => 403,
        },
        Policy::RosterKeeper => match user {
            "admin" | "head.a" => 200,
            _ => 403,
        },
        Policy::SelfOrAdmin => match user {
            "admin" | "officer.a" => 200,
            _ => 403,
        },
        Policy::CaseWorkerWhoSees => {
            if !case_worker {
                403
            } else if sees_case(user) {
                200
            } else {
                404
            }
        }
        Policy::ReportScheduler => {
            if case_worker || matches!(user, "analyst" | "admin") {
                200
            } else {
                403
            }
        }
        Policy::Analyst => {
            if user == "analyst" {
                200
            } else {
                403
            }
        }
        Policy::HotlineOperator => {
            if user == "hotline" {
                200
            } else {
                403
            }
        }
        Policy::MailIntake => {
            if matches!(user, "hotline" | "admin") {
                200
            } else {
                403
            }
        }
        Policy::TipWorker => {
            if matches!(user, "admin" | "auditor" | "cn.liaison") {
                403
            } else {
                200
            }
        }
        Policy::TipHolder => match user {
            "hotline" => 200,
            "admin" | "auditor" | "cn.liaison" => 403,
            _ => 404,
        },
        Policy::NoticeSender => match user {
            "officer.a" | "head.a" => 200,
            "police.officer" | "officer.b" => 404,
            _ => 403,
        },
        Policy::HandoverParty => match user {
            "officer.a" | "head.a" | "officer.b" | "analyst" | "police.officer" => 200,
            _ => 404,
        },
        Policy::HandoverReceiver => match user {
            "police.officer" => 200,
            "officer.a" | "head.a" | "officer.b" | "analyst" => 403,
            _ => 404,
        },
        Policy::OperationOrganiser => {
            if case_worker || user == "cn.liaison" {
                200
            } else {
                403
            }
        }
        Policy::OperationParticipant => match user {
            "officer.a" | "head.a" | "officer.b" | "analyst" | "police.officer" | "cn.liaison" => 200,
            _ => 404,
        },
        Policy::OperationLinker => match user {
            "officer.a" | "head.a" | "officer.b" | "police.officer" | "cn.liaison" => 200,
            "bg.officer" => 404,
            _ => 403,
        },
        // The foreign liaison holds the role but is not shown the request: 404, not 403.
        Policy::RequestOwner => {
            if !case_worker && user != "cn.liaison" {
                403
            } else if matches!(user, "officer.a" | "head.a" | "officer.b") {
                200
            } else if sees_case(user) {
                403
            } else {
                404
            }
        }
    }
}

const SCREENING_RULES: &str = "version = m-1\n[term prohibited]\nvape\n";

fn case_body(tag: &str) -> Value {
    json!({
        "case_type": "smuggling", "title": format!("Thu giữ thuốc lá {tag}"), "detected_at": T0 - 3_600_000, "province": "lang-son",
        "goods": [{ "description": "Thuốc lá", "category": "cigarettes", "value_vnd": 1000000 }],
        "parties": [{ "kind": "person", "name": "Nguyễn Văn An", "role": "driver" }],
        "sharing": { "tlp": "amber", "distribution": ["own_agency", "agency:border-guard-vn"] }
    })
}

fn request_body(tag: &str) -> Value {
    json!({
        "kind": "verify_origin", "direction": "outgoing", "counterpart": "customs:CN", "subject": format!("Xác minh C/O {tag}"),
        "legal_basis": "CMAA Việt Nam – Trung Quốc", "sharing": { "tlp": "amber", "distribution": ["own_agency", "agency:border-guard-vn"] }
    })
}

/// A distinct valid Ed25519 public key per call, so that an administrator's key is never a duplicate.
fn hex_key(n: usize) -> String {
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&(n as u64).to_le_bytes());
    hex::encode(ed25519_dalek::SigningKey::from_bytes(&seed).verifying_key().as_bytes())
}

async fn status_of(c: &Client, method: &str, url: &str, body: Option<Value>, if_match: Option<i64>) -> (u16, Value) {
    let mut rb = match method {
        "get" => c.http.get(url),
        "post" => c.http.post(url),
        "put" => c.http.put(url),
        "delete" => c.http.delete(url),
        other => panic!("no request builder for {other}"),
    };
    if let Some(b) = body {
        rb = rb.json(&b);
    } else if method == "post" && (url.contains("/evidence") || url.contains("/attachments")) {
        rb = rb.body(b"%PDF-1.7 a scanned seizure record".to_vec());
    } else if method == "post" && url.contains("/inbound-email") {
        rb = rb.body("From: a@b\r\nSubject: tin\r\n\r\nBuon lau thuoc la qua duong mon\r\n");
    } else if method == "post" && url.contains("/imports") {
        rb = rb.body(format!("{}\n", case_body("imported")).into_bytes());
    }
    if let Some(v) = if_match {
        rb = rb.header(header::IF_MATCH, format!("\"{v}\""));
    }
    if url.ends_with("/notices/stream") {
        // An event stream never ends: its status is the answer.
        return (c.send(rb).await.status().as_u16(), Value::Null);
    }
    split(c.send(rb).await).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_for_every_kind_of_user() {
    let s = TestServer::start(test_support::Backend::Sqlite).await.unwrap();
    for (user, agency, kind, unit, roles) in PERSONAS {
        s.user(user, (agency, kind), unit, roles).await;
    }
    // Notices between the two agencies need an agreement binding them.
    s.agreement("customs-vn", "border-guard-vn").await;
    let admin = s.login("admin").await;
    let (status, _) = admin
        .post(
            "/api/v1/sharing-groups",
            json!({ "id": "mekong", "name": "Mekong", "owner_agency_id": "customs-vn", "members": ["police-vn"] }),
        )
        .await;
    assert_eq!(status, 201);
    let owner = s.login("officer.a").await;
    let border_guard = s.login("bg.officer").await;
    // The analyst's agency screens with a rule set, so that there is a lead to ask for.
    let analyst = s.login("analyst").await;
    assert_eq!(analyst.post("/api/v1/rule-sets", json!({ "body": SCREENING_RULES })).await.0, 201);
    let rb = analyst
        .http
        .post(format!("{}/api/v1/listings", s.base))
        .body("{\"platform\":\"shopee\",\"listing_id\":\"1\",\"title\":\"vape\"}\n");
    assert_eq!(split(analyst.send(rb).await).await.1["leads_opened"], 1);
    let lead_id = analyst.get("/api/v1/leads").await.1[0]["id"].as_str().unwrap().to_string();
    // The hotline takes a call, so that there is a tip to ask for.
    let hotline = s.login("hotline").await;
    let (st, call) = hotline.post("/api/v1/tips", json!({ "body": "Người gọi báo buôn lậu thuốc lá" })).await;
    assert_eq!(st, 201, "{call}");
    let tip_id = call["id"].as_str().unwrap().to_string();
    // The Standing Office gives customs-vn a task, so that there is a directive and a task to ask for.
    s.user("sco.office", ("sco-389", "steering_committee_office"), "sco-hq", &["officer"]).await;
    let (st, directive) = s
        .login("sco.office")
        .await
        .post(
            "/api/v1/directives",
            json!({ "number": "399/KH-BCĐ389", "kind": "plan", "issued_on": T0 - 86_400_000, "issuer": "Ban Chỉ đạo 389 quốc gia",
                    "subject": "Cao điểm Tết", "tasks": [{ "title": "Kiểm soát", "agency_id": "customs-vn", "due_at": T0 + 86_400_000 }] }),
        )
        .await;
    assert_eq!(st, 201, "{directive}");
    let directive_id = directive["id"].as_str().unwrap().to_string();
    let directive_task_id = directive["tasks"][0]["id"].as_str().unwrap().to_string();
    let roster_keeper = s.login("head.a").await;
    let owner_id = s.app.actor_for_operator("officer.a").await.unwrap().user.id;
    let head_id = s.app.actor_for_operator("head.a").await.unwrap().user.id;
    let decision = json!({ "form": "oral_order", "decided_by": head_id, "authority": "own", "decided_at": T0 });
    // A joint operation of customs-vn with the police and the Chinese customs.
    let (st, op) = owner
        .post(
            "/api/v1/operations",
            json!({ "name": "Mekong Dragon", "starts_at": T0, "ends_at": T0 + 86_400_000, "participants": ["police-vn", "customs-cn"], "channel_tlp": "amber" }),
        )
        .await;
    assert_eq!(st, 201, "{op}");
    let operation_id = op["id"].as_str().unwrap().to_string();

    let (_, doc) = s.anonymous().get("/api/v1/openapi.json").await;
    let mut ops: Vec<(String, String)> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            ops.push((method.clone(), path.clone()));
        }
    }
    let missing: Vec<String> = ops.iter().filter(|(m, p)| policy(m, p).is_none()).map(|(m, p)| format!("{m} {p}")).collect();
    assert!(missing.is_empty(), "operations with no policy in the matrix: {missing:?}");

    let mut checked = 0;
    for (i, (user, ..)) in PERSONAS.iter().enumerate() {
        let client = s.login(user).await;
        for (method, path) in &ops {
            let p = policy(method, path).unwrap();
            if p == Policy::Public || (method == "post" && path == "/api/v1/auth/logout") {
                continue;
            }
            // A fresh case for each attempt that changes one, so one user's step does not decide another's.
            let tag = format!("tag{i}x{checked}");
            let case = owner.post("/api/v1/cases", case_body(&tag)).await.1;
            let id = case["id"].as_str().unwrap().to_string();
            let target = if path.contains("sharing-groups") {
                "mekong".to_string()
            } else if path.starts_with("/api/v1/notices/") {
                // The owner's unit raises a notice to the border guard first.
                let (st, n) = owner
                    .post(
                        "/api/v1/notices",
                        json!({ "kind": "information_share", "priority": "normal", "title": "x", "recipient_units": ["bg-unit"] }),
                    )
                    .await;
                assert_eq!(st, 201, "{n}");
                n["id"].as_str().unwrap().to_string()
            } else if path.starts_with("/api/v1/leads/") {
                lead_id.clone()
            } else if path.starts_with("/api/v1/directives/") {
                directive_id.clone()
            } else if path.starts_with("/api/v1/directive-tasks/") {
                directive_task_id.clone()
            } else if path.starts_with("/api/v1/tips/") {
                tip_id.clone()
            } else if path.starts_with("/api/v1/units/") {
                "customs-a".to_string()
            } else if path.starts_with("/api/v1/users/") {
                owner_id.clone()
            } else if path.starts_with("/api/v1/requests/{id}") {
                // The owner's unit records and sends a request shared like the case.
                let body = request_body(&tag);
                let (st, r) = owner.post("/api/v1/requests", body).await;
                assert_eq!(st, 201, "{r}");
                let rid = r["id"].as_str().unwrap().to_string();
                let (st, r) = owner.post(&format!("/api/v1/requests/{rid}/transitions"), json!({ "to": "sent" })).await;
                assert_eq!(st, 200, "{r}");
                rid
            } else if path.starts_with("/api/v1/handovers/") {
                // The owner's unit asks the police to take the fresh case over.
                let (st, h) = owner
                    .post(
                        &format!("/api/v1/cases/{id}/handovers"),
                        json!({ "to_agency_id": "police-vn", "reason": "criminal", "decision": decision }),
                    )
                    .await;
                assert_eq!(st, 201, "{h}");
                h["id"].as_str().unwrap().to_string()
            } else if path.starts_with("/api/v1/operations/") {
                operation_id.clone()
            } else if path.starts_with("/api/v1/entity-matches/") {
                // A second case with the same driver: resolution keeps the pair as a candidate.
                let again = owner.post("/api/v1/cases", case_body(&format!("{tag}b"))).await.1;
                let person = again["parties"][0]["entity_id"].as_str().unwrap().to_string();
                let (st, m) = owner.get(&format!("/api/v1/entities/{person}/matches")).await;
                assert_eq!(st, 200, "{m}");
                assert_eq!(m[0]["status"], "candidate", "{m}");
                m[0]["id"].as_str().unwrap().to_string()
            } else if path.starts_with("/api/v1/entities/") {
                case["parties"][0]["entity_id"].as_str().unwrap().to_string()
            } else if path.starts_with("/api/v1/access-requests/") {
                // The border guard, from whom the driver is withheld, asks first.
                let (st, req) =
                    border_guard.post(&format!("/api/v1/cases/{id}/access-requests"), json!({ "reason": "joint patrol" })).await;
                assert_eq!(st, 201, "{req}");
                req["id"].as_str().unwrap().to_string()
            } else {
                id.clone()
            };
            let mut path_for_call = path.replace("{id}", &target).replace("{version}", "1").replace("{scope}", "country");
            if path == "/api/v1/requests/{id}/attachments/{sha256}" {
                let rb =
                    owner.http.post(format!("{}/api/v1/requests/{target}/attachments?filename=a.pdf", s.base)).body(b"%PDF-1.7".to_vec());
                let (st, added) = split(owner.send(rb).await).await;
                assert_eq!(st, 200, "{added}");
                path_for_call = path_for_call.replace("{sha256}", added["files"][0]["sha256"].as_str().unwrap());
            } else if path.contains("{sha256}") {
                // The owner attaches a file first, so that there is one to ask for.
                let rb = owner
                    .http
                    .post(format!("{}/api/v1/cases/{id}/evidence?filename=a.pdf", s.base))
                    .header(header::IF_MATCH, "\"1\"")
                    .body(b"%PDF-1.7".to_vec());
                let (st, added) = split(owner.send(rb).await).await;
                assert_eq!(st, 200, "{added}");
                path_for_call = path_for_call.replace("{sha256}", added["evidence"][0]["sha256"].as_str().unwrap());
            }
            if path.contains("{shift_id}") {
                // The head puts the owner on duty first, so that there is a shift to take off.
                let (st, shift) = roster_keeper
                    .post("/api/v1/units/customs-a/duty", json!({ "user_id": owner_id, "starts_at": T0, "ends_at": T0 + 3_600_000 }))
                    .await;
                assert_eq!(st, 201, "{shift}");
                path_for_call = path_for_call.replace("{shift_id}", shift["id"].as_str().unwrap());
            }
            let url = format!("{}{}", s.base, path_for_call);
            let url = match path.as_str() {
                p if p.ends_with("/evidence") || p.ends_with("/attachments") => format!("{url}?filename=scan.pdf"),
                "/api/v1/imports" => format!("{url}?format=ndjson"),
                "/api/v1/exports" => format!("{url}?format=ndjson&q={tag}"),
                "/api/v1/cases/totals" => format!("{url}?by=commodity"),
                "/api/v1/risk" => format!("{url}?subject=company"),
                "/api/v1/network" => format!("{url}?case={id}"),
                "/api/v1/network/path" => format!("{url}?from={}&to=nobody", case["parties"][0]["entity_id"].as_str().unwrap()),
                "/api/v1/reports" => format!("{url}?kind=yearly&year=2026&format=json"),
                _ => url,
            };
            let unique = format!("m{i}-{}", checked);
            let (body, if_match): (Option<Value>, Option<i64>) = match (method.as_str(), path.as_str()) {
                ("post", "/api/v1/auth/password") => {
                    (Some(json!({ "current_password": test_support::PASSWORD, "new_password": test_support::PASSWORD })), None)
                }
                ("post", "/api/v1/tokens") => (Some(json!({ "label": "matrix" })), None),
                ("post", "/api/v1/agencies") => (Some(json!({ "id": unique, "kind": "tax", "name_vi": "x", "name_en": "x" })), None),
                ("post", "/api/v1/units") => {
                    (Some(json!({ "id": unique, "agency_id": "customs-vn", "name_vi": "x", "name_en": "x" })), None)
                }
                ("post", "/api/v1/users") => (
                    Some(
                        json!({ "username": unique, "display_name": "x", "unit_id": "customs-a", "roles": ["officer"], "password": test_support::PASSWORD }),
                    ),
                    None,
                ),
                ("post", "/api/v1/agreements") => (
                    Some(
                        json!({ "id": unique, "name": "x", "agency_a": "customs-vn", "agency_b": "tax-vn-none", "disclose_personal": false, "valid_from": 0 }),
                    ),
                    None,
                ),
                ("post", "/api/v1/sharing-groups") => (Some(json!({ "id": unique, "name": "x", "owner_agency_id": "customs-vn" })), None),
                ("post", "/api/v1/cases") => (Some(case_body("new")), None),
                ("put", "/api/v1/users/{id}/contact") => (Some(json!({ "email": "officer.a@customs.gov.vn" })), None),
                ("put", "/api/v1/report-templates/{scope}") => (Some(json!({ "title": "BÁO CÁO", "sections": ["by_province"] })), None),
                ("post", "/api/v1/report-schedules") => (Some(json!({ "kind": "monthly", "recipients": ["baocao@haiquan.gov.vn"] })), None),
                ("post", "/api/v1/units/{id}/duty") => {
                    (Some(json!({ "user_id": owner_id, "starts_at": T0, "ends_at": T0 + 3_600_000 })), None)
                }
                ("put", _) => (Some(case_body(&tag)), Some(1)),
                ("post", "/api/v1/cases/{id}/transitions") => (Some(json!({ "to": "verified" })), Some(1)),
                ("post", "/api/v1/cases/{id}/evidence") => (None, Some(1)),
                ("post", "/api/v1/cases/{id}/access-requests") => (Some(json!({ "reason": "need to know" })), None),
                ("post", "/api/v1/access-requests/{id}/decision") => (Some(json!({ "grant": true })), None),
                ("post", "/api/v1/entity-matches/{id}/decision") => (Some(json!({ "decision": "confirm" })), None),
                ("post", "/api/v1/notices") => {
                    (Some(json!({ "kind": "pursuit", "priority": "urgent", "title": "x", "recipient_units": ["police-unit"] })), None)
                }
                ("post", "/api/v1/notices/{id}/ack") => (Some(json!({})), None),
                ("post", "/api/v1/notices/{id}/action") => (Some(json!({ "action": "done" })), None),
                ("post", "/api/v1/delegations") => (Some(json!({ "to_user_id": "x", "starts_at": 0, "ends_at": 1, "reason": "x" })), None),
                ("post", "/api/v1/requests") => (Some(request_body("new")), None),
                ("post", "/api/v1/requests/{id}/transitions") => (Some(json!({ "to": "closed", "reason": "done" })), None),
                ("post", "/api/v1/requests/{id}/answers") => (Some(json!({ "final": false, "body": "part" })), None),
                ("post", "/api/v1/requests/{id}/answers/package") => (Some(json!({ "format": "not a package" })), None),
                ("post", "/api/v1/partner-keys") => {
                    (Some(json!({ "counterpart": "customs:CN", "public_key": hex_key(checked), "label": "matrix" })), None)
                }
                ("post", "/api/v1/cases/{id}/parties") => {
                    (Some(json!({ "kind": "company", "name": "Công ty TNHH X", "role": "consignee" })), Some(1))
                }
                ("post", "/api/v1/rule-sets" | "/api/v1/rule-sets/check") => (Some(json!({ "body": SCREENING_RULES })), None),
                ("post", "/api/v1/leads/{id}/decision") => (Some(json!({ "decision": "dismissed", "reason": "matrix" })), None),
                ("post", "/api/v1/tips") => (Some(json!({ "body": "Tin báo qua đường dây nóng" })), None),
                ("post", "/api/v1/directives") => {
                    (Some(json!({ "number": unique, "kind": "dispatch", "issued_on": T0, "issuer": "x", "subject": "x" })), None)
                }
                ("post", "/api/v1/directives/{id}/tasks") => (Some(json!({ "title": "x", "agency_id": "police-vn", "due_at": T0 })), None),
                ("post", "/api/v1/directive-tasks/{id}/reports") => (Some(json!({ "progress_pct": 10, "body": "x" })), None),
                ("post", "/api/v1/tips/{id}/triage") => (Some(json!({ "violation_type": "smuggling", "unit_id": "sco-hq" })), None),
                ("post", "/api/v1/tips/{id}/close") => (Some(json!({ "outcome": "no_action", "reason": "matrix" })), None),
                ("post", "/api/v1/notices/{id}/decisions") => (Some(decision.clone()), None),
                ("post", "/api/v1/cases/{id}/handovers") => {
                    (Some(json!({ "to_agency_id": "police-vn", "reason": "criminal", "decision": decision })), None)
                }
                ("post", "/api/v1/handovers/{id}/answer") => (
                    Some(
                        json!({ "accept": false, "reason": "matrix", "decision": { "form": "oral_order", "decided_by": "x", "authority": "own", "decided_at": T0 } }),
                    ),
                    None,
                ),
                ("post", "/api/v1/operations") => {
                    (Some(json!({ "name": unique, "starts_at": T0, "ends_at": T0 + 1, "participants": [], "channel_tlp": "amber" })), None)
                }
                ("post", "/api/v1/operations/{id}/messages") => (Some(json!({ "body": "matrix" })), None),
                ("post", "/api/v1/operations/{id}/cases") => (Some(json!({ "case_id": id })), None),
                _ => (None, None),
            };
            let (status, answer) = status_of(&client, method, &url, body, if_match).await;
            let want = expected(p, user);
            // Authorisation is what is checked: past it, a refusal of the input itself (422,
            // 409) still means the caller was let in.
            let class = match status {
                401 | 403 | 404 => status,
                500..=599 => panic!("{user} {method} {path}: server error {answer}"),
                _ => 200,
            };
            assert_eq!(class, want, "{user} {method} {path}: {answer}");
            if path == "/api/v1/exports" {
                // The export holds this user's view only, like the list.
                let rb = client.http.get(&url);
                let text = client.send(rb).await.text().await.unwrap();
                assert_eq!(text.contains(&id), sees_case(user), "{user} export");
            }
            if path == "/api/v1/requests" {
                // Requests are listed under the same rule: one shared like the case is listed exactly when the case would be.
                let (st, r) = owner.post("/api/v1/requests", request_body(&tag)).await;
                assert_eq!(st, 201, "{r}");
                let (_, list) = client.get("/api/v1/requests").await;
                let listed = list.as_array().unwrap().iter().any(|x| x["id"] == r["id"]);
                assert_eq!(listed, sees_case(user), "{user} request list");
            }
            if path == "/api/v1/directives" {
                // A directive is listed to the agencies it gives a task, and to no other.
                let (_, list) = client.get("/api/v1/directives").await;
                let listed = list.as_array().unwrap().iter().any(|d| d["id"] == directive_id.as_str());
                assert_eq!(listed, matches!(*user, "officer.a" | "head.a" | "officer.b" | "analyst"), "{user} directives");
            }
            if path == "/api/v1/risk" {
                // A withheld person is never scored for those not shown them; areas count what the list counts.
                // Asked by key: a list is cut at 500 subjects, and the matrix records more persons than that.
                let person = case["parties"][0]["entity_id"].as_str().unwrap();
                let (_, persons) = client.get(&format!("/api/v1/risk?subject=person&key={person}")).await;
                let scored = persons["items"].as_array().unwrap().iter().any(|i| i["key"] == person);
                assert_eq!(scored, matches!(*user, "officer.a" | "head.a" | "officer.b" | "analyst"), "{user} person risk");
                let (_, areas) = client.get("/api/v1/risk?subject=area").await;
                let counted: i64 = areas["items"].as_array().unwrap().iter().map(|i| i["cases"].as_i64().unwrap()).sum();
                let (_, count) = client.get("/api/v1/cases/count").await;
                assert_eq!(counted, count["count"].as_i64().unwrap(), "{user} area risk");
            }
            if path == "/api/v1/reports" {
                // A report counts what the list counts (the matrix's cases are all of 2026).
                let (_, report) = client.get("/api/v1/reports?kind=yearly&year=2026&format=json").await;
                let (_, count) = client.get("/api/v1/cases/count").await;
                assert_eq!(report["total"]["current"]["cases"], count["count"], "{user} report");
            }
            if path == "/api/v1/statistics" {
                // Statistics count under the list's rule: every case this user may list, and no other.
                let (_, stats) = client.get("/api/v1/statistics?from=2010-01-01&to=2030-01-01").await;
                let (_, count) = client.get("/api/v1/cases/count").await;
                assert_eq!(stats["total"]["current"]["cases"], count["count"], "{user} statistics");
            }
            if p == Policy::CaseList {
                // The list holds this user's view only: the fresh case is in it exactly when shared with them.
                let (_, list) = client.get(&format!("/api/v1/cases?q={tag}")).await;
                let listed = list["items"].as_array().unwrap().iter().any(|c| c["id"] == id);
                assert_eq!(listed, sees_case(user), "{user} list");
                let (_, count) = client.get(&format!("/api/v1/cases/count?q={tag}")).await;
                assert_eq!(count["count"].as_i64().unwrap(), i64::from(sees_case(user)), "{user} count");
            }
            checked += 1;
        }
    }
    assert!(checked >= PERSONAS.len() * 20, "{checked} calls checked");
}
