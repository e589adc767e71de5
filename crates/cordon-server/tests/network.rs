//! Networks over HTTP on both backends: a ring of three cases joined by a shared driver and a
//! shared phone is one candidate ring, with its broker the most between; the path from one end
//! to the other runs through the cases; the exports are GraphML and GEXF with the Vietnamese
//! names intact; and nothing another agency may not see — a case, a withheld person, an
//! informant shared with one unit — is in its network, its path or its files.

use serde_json::{json, Value};
use test_support::{both_backends, Client, TestServer, T0};

both_backends!(a_ring_of_cases_is_one_network_as_each_caller_may_see_it, bad_network_queries_are_refused);

async fn people(s: &TestServer) {
    s.user("hq.huunghi", ("customs-vn", "customs"), "customs-huu-nghi", &["officer"]).await;
    s.user("hq.mongcai", ("customs-vn", "customs"), "customs-mong-cai", &["officer"]).await;
    s.user("bp.langson", ("border-guard-vn", "border_guard"), "bg-lang-son", &["officer"]).await;
    s.user("ca.langson", ("police-vn", "police"), "police-lang-son", &["officer"]).await;
    s.user("audit", ("sco-389", "steering_committee_office"), "sco-hq", &["auditor"]).await;
}

fn case(title: &str, parties: Value, distribution: &[&str]) -> Value {
    json!({ "case_type": "smuggling", "title": title, "detected_at": T0 - 86_400_000, "province": "lang-son",
        "goods": [{ "description": "Thuốc lá điếu", "category": "cigarettes", "value_vnd": 100_000_000 }],
        "parties": parties, "sharing": { "tlp": "amber", "distribution": distribution } })
}

async fn create(c: &Client, body: Value) -> Value {
    let (status, v) = c.post("/api/v1/cases", body).await;
    assert_eq!(status, 201, "{v}");
    v
}

fn entity(case: &Value, i: usize) -> String {
    case["parties"][i]["entity_id"].as_str().unwrap().to_string()
}

fn ids(net: &Value) -> Vec<String> {
    net["nodes"].as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap().to_string()).collect()
}

fn node<'a>(net: &'a Value, id: &str) -> &'a Value {
    net["nodes"].as_array().unwrap().iter().find(|n| n["id"] == id).unwrap_or_else(|| panic!("{id} in {net}"))
}

async fn a_ring_of_cases_is_one_network_as_each_caller_may_see_it(s: TestServer) {
    people(&s).await;
    let officer = s.login("hq.huunghi").await;
    let shared = ["own_agency", "agency:border-guard-vn"];
    // An and the driver Bình in the first case, with a phone; Bình again with Cường; the phone again with Dũng.
    let first = create(
        &officer,
        case(
            "Xe tải chở thuốc lá lậu qua Hữu Nghị",
            json!([
                { "kind": "person", "name": "Nguyễn Văn An", "role": "suspect", "identifiers": { "cccd": "020085012345" } },
                { "kind": "person", "name": "Trần Thị Bình", "role": "driver" },
                { "kind": "phone", "name": "+84912345678", "role": "suspect", "identifiers": { "phone": "0912345678" } }
            ]),
            &shared,
        ),
    )
    .await;
    let (an, binh, phone) = (entity(&first, 0), entity(&first, 1), entity(&first, 2));
    let second = create(
        &officer,
        case(
            "Kho hàng lậu tại Đồng Đăng",
            json!([{ "kind": "person", "entity_id": binh, "role": "owner" }, { "kind": "person", "name": "Lê Văn Cường", "role": "suspect" }]),
            &shared,
        ),
    )
    .await;
    let cuong = entity(&second, 1);
    let third = create(
        &officer,
        case(
            "Đường dây bán thuốc lá qua mạng",
            json!([
                { "kind": "phone", "entity_id": phone, "role": "seller" },
                { "kind": "person", "name": "Phạm Văn Dũng", "role": "seller" },
                { "kind": "person", "name": "Người cung cấp tin", "role": "witness", "sharing": { "tlp": "red" } }
            ]),
            &shared,
        ),
    )
    .await;
    let (dung, informant) = (entity(&third, 1), entity(&third, 2));
    // A case of its own, kept within the recording agency, and one unrelated.
    let own =
        create(&officer, case("Vụ chỉ Hải quan biết", json!([{ "kind": "person", "entity_id": an, "role": "suspect" }]), &["own_agency"]))
            .await;
    create(&officer, case("Vụ khác", json!([{ "kind": "person", "name": "Hoàng Thị Em", "role": "suspect" }]), &shared)).await;
    // A new record of An, written without diacritics but with the same CCCD: resolution joins it.
    let again = create(
        &officer,
        case(
            "Vận chuyển thuốc lá qua đường mòn",
            json!([
                { "kind": "person", "name": "NGUYEN VAN AN", "role": "suspect", "identifiers": { "cccd": "020085012345" } },
                { "kind": "person", "name": "Vũ Văn Giang", "role": "driver" }
            ]),
            &shared,
        ),
    )
    .await;
    let (an_again, giang) = (entity(&again, 0), entity(&again, 1));
    assert_ne!(an_again, an, "a record of its own");

    let (status, net) = officer.get(&format!("/api/v1/network?entity={an}&hops=3")).await;
    assert_eq!(status, 200, "{net}");
    let seen = ids(&net);
    for id in [an.as_str(), &binh, &phone, &cuong, &dung, &informant, first["id"].as_str().unwrap(), own["id"].as_str().unwrap()] {
        assert!(seen.iter().any(|s| s == id), "{id} in the recording unit's network: {seen:?}");
    }
    assert!(!net["nodes"].as_array().unwrap().iter().any(|n| n["label"].as_str().unwrap().contains("Hoàng Thị Em")), "not connected");
    assert!(seen.contains(&giang) && !seen.contains(&an_again), "the joined record is An, one node: {seen:?}");
    let rings = net["rings"].as_array().unwrap();
    assert_eq!(rings.len(), 1, "{rings:?}");
    assert_eq!(rings[0]["cases"], 5);
    assert_eq!(rings[0]["value_vnd"], 500_000_000);
    let (_, page_of_an) = officer.get(&format!("/api/v1/entities/{an}")).await;
    assert_eq!(page_of_an["cases"].as_array().unwrap().len(), 3, "the entity page gathers the joined record's case too");
    // Bình and the phone broker between the halves of the ring; Cường hangs off one end.
    assert!(node(&net, &binh)["betweenness"].as_f64().unwrap() > node(&net, &cuong)["betweenness"].as_f64().unwrap());
    assert_eq!(node(&net, &cuong)["betweenness"], 0.0);
    assert_eq!(node(&net, &an)["degree"], 3, "three cases, one of them under the joined record");
    let sum: f64 = net["nodes"].as_array().unwrap().iter().map(|n| n["pagerank"].as_f64().unwrap()).sum();
    assert!((sum - 1.0).abs() < 1e-6, "PageRank sums to one: {sum}");
    // One ring of cases out reaches An's own cases and their parties, not Cường's case.
    let (_, near) = officer.get(&format!("/api/v1/network?entity={an}&hops=1")).await;
    assert!(!ids(&near).contains(&cuong) && ids(&near).contains(&binh), "{near}");

    // From Cường to Dũng: Cường – case 2 – Bình – case 1 – phone – case 3 – Dũng.
    let (status, path) = officer.get(&format!("/api/v1/network/path?from={cuong}&to={dung}")).await;
    assert_eq!(status, 200, "{path}");
    let steps: Vec<&str> = path["path"].as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap()).collect();
    assert_eq!(steps.len(), 7, "{steps:?}");
    assert_eq!((steps[0], steps[2], steps[4], steps[6]), (cuong.as_str(), binh.as_str(), phone.as_str(), dung.as_str()));
    assert_eq!(path["cases_apart"], 3);

    // The files carry the same graph, Vietnamese intact.
    for (format, root, media) in [("graphml", "<graphml", "application/graphml+xml"), ("gexf", "<gexf", "application/gexf+xml")] {
        let resp = officer.send(officer.http.get(format!("{}/api/v1/network?entity={an}&hops=3&format={format}", s.base))).await;
        assert_eq!(resp.status().as_u16(), 200);
        assert_eq!(resp.headers()["content-type"].to_str().unwrap(), media);
        let body = resp.text().await.unwrap();
        assert!(body.contains(root) && body.contains("Trần Thị Bình") && body.contains(&dung), "{format}: {body}");
    }

    // Another customs unit does not see the informant shared with the recording unit only.
    let (_, other) = s.login("hq.mongcai").await.get(&format!("/api/v1/network?entity={an}&hops=3")).await;
    assert!(!ids(&other).contains(&informant) && ids(&other).contains(&dung), "{other}");
    // The border guard sees the shared cases, but not the agency-only case, and no person or
    // phone at all: with no agreement, personal parties are withheld — so no network starts
    // from them, no path runs through them, and no file names them.
    let bg = s.login("bp.langson").await;
    assert_eq!(bg.get(&format!("/api/v1/network?entity={an}")).await.0, 404, "An is withheld from the border guard");
    assert_eq!(bg.get(&format!("/api/v1/network?entity={phone}")).await.0, 404, "so is the phone");
    assert_eq!(bg.get(&format!("/api/v1/network/path?from={phone}&to={cuong}")).await.0, 404);
    let (status, theirs) = bg.get("/api/v1/network?province=lang-son").await;
    assert_eq!(status, 200, "{theirs}");
    assert!(!ids(&theirs).iter().any(|i| i == own["id"].as_str().unwrap()), "{theirs}");
    assert!(theirs["nodes"].as_array().unwrap().iter().all(|n| n["kind"] == "case"), "{theirs}");
    assert_eq!(theirs["rings"], json!([]), "no ring shows through withheld parties");
    let resp = bg.send(bg.http.get(format!("{}/api/v1/network?province=lang-son&format=gexf", s.base))).await;
    let file = resp.text().await.unwrap();
    assert!(!file.contains("Trần Thị Bình") && !file.contains(&binh), "nor in its file");
    // The police see nothing of it.
    assert_eq!(s.login("ca.langson").await.get(&format!("/api/v1/network?case={}", first["id"].as_str().unwrap())).await.0, 404);
    // Over a filter: the whole province, as the recording unit sees it.
    let (_, province) = officer.get("/api/v1/network?province=lang-son").await;
    assert_eq!(province["rings"].as_array().unwrap().len(), 1);
    assert_eq!(ids(&province).iter().filter(|i| **i == an || **i == an_again).count(), 1, "joined over a filter too: one node for An");
    assert!(province["nodes"].as_array().unwrap().iter().any(|n| n["label"].as_str().unwrap().contains("Hoàng Thị Em")));

    // The page draws it, with its rings and export links.
    let (status, page) = page(&s, "hq.huunghi", &format!("/network?entity={an}&hops=3&to={dung}")).await;
    assert_eq!(status, 200);
    for part in ["id=\"rings-table\"", "id=\"central-table\"", "id=\"export-graphml\"", "id=\"path-steps\"", "Trần Thị Bình", "<svg"] {
        assert!(page.contains(part), "{part} on the page");
    }

    // An analyst splits the two records of An: the network and the entity page part them again.
    let (_, matches) = officer.get(&format!("/api/v1/entities/{an}/matches")).await;
    let joined = matches.as_array().unwrap().iter().find(|m| m["entity_id"] == json!(an_again)).unwrap_or_else(|| panic!("{matches}"));
    let (status, split) = officer
        .post(
            &format!("/api/v1/entity-matches/{}/decision", joined["id"].as_str().unwrap()),
            json!({ "decision": "split", "reason": "Hai người khác nhau" }),
        )
        .await;
    assert_eq!(status, 200, "{split}");
    assert_eq!(officer.get(&format!("/api/v1/entities/{an}")).await.1["cases"].as_array().unwrap().len(), 2);
    let (_, parted) = officer.get(&format!("/api/v1/network?entity={an}&hops=3")).await;
    assert!(!ids(&parted).contains(&giang), "Giang was only linked through the other record: {parted}");

    let (_, entries) = s.login("audit").await.get("/api/v1/audit?object_type=network&limit=100").await;
    let actions: Vec<&str> = entries.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    for a in ["network.read", "network.export", "network.path"] {
        assert!(actions.contains(&a), "{a} on the record: {actions:?}");
    }
}

async fn page(s: &TestServer, user: &str, path: &str) -> (u16, String) {
    s.page_session(user).await.get(path).await
}

async fn bad_network_queries_are_refused(s: TestServer) {
    people(&s).await;
    let officer = s.login("hq.huunghi").await;
    for (query, field) in [
        ("hops=9", "hops"),
        ("max_cases=0", "max_cases"),
        ("max_cases=5000", "max_cases"),
        ("format=pdf", "format"),
        ("province=atlantis", "province"),
        ("entity=a&case=b", "case"),
    ] {
        let (status, problem) = officer.get(&format!("/api/v1/network?{query}")).await;
        assert_eq!((status, problem["field"].as_str()), (422, Some(field)), "{query}: {problem}");
    }
    let (status, problem) = officer.get("/api/v1/network?colour=red").await;
    assert_eq!(status, 400, "an unknown parameter: {problem}");
    assert_eq!(officer.get("/api/v1/network?entity=no-such-entity").await.0, 404);
    assert_eq!(officer.get("/api/v1/network/path?from=a&to=a").await.1["field"], "to");
    assert_eq!(s.anonymous().get("/api/v1/network").await.0, 401);
    // The page answers bad input with the reason, not a server error.
    let (status, body) = page(&s, "hq.huunghi", "/network?hops=9").await;
    assert_eq!(status, 422);
    assert!(body.contains("role=\"alert\"") && body.contains("hops"), "{body}");
    assert_eq!(page(&s, "hq.huunghi", "/network?since=h%C3%B4m-qua").await.0, 422);
    let (status, empty) = officer.get("/api/v1/network").await;
    assert_eq!((status, empty["nodes"].as_array().map(Vec::len)), (200, Some(0)));
}
