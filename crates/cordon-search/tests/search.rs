//! The index finds with and without diacritics, never returns or counts what the caller
//! may not see, and keeps personal names to the recording agency.

use cordon_search::{CaseDoc, CaseFilter, SearchIndex, Searcher};

fn doc(id: &str, text: &str, personal: &str, principals: &[&str], province: &str, at: i64) -> CaseDoc {
    CaseDoc {
        id: id.into(),
        text: text.into(),
        personal_text: personal.into(),
        principals: principals.iter().map(|s| s.to_string()).collect(),
        owner_agency: "customs".into(),
        case_type: "smuggling".into(),
        status: "reported".into(),
        province: Some(province.into()),
        commodities: vec!["cigarettes".into()],
        detected_at: at,
    }
}

fn index() -> SearchIndex {
    let idx = SearchIndex::in_memory().unwrap();
    let mut w = idx.writer().unwrap();
    idx.upsert(
        &w,
        &doc(
            "c1",
            "Thu giữ 2.000 bao thuốc lá Esse",
            "Nguyễn Văn An 020085012345",
            &["unit:u1", "agency:customs", "agency:bg"],
            "lang-son",
            100,
        ),
    )
    .unwrap();
    idx.upsert(&w, &doc("c2", "Thuốc lá điếu Jet nhập lậu qua đường mòn", "Trần Thị Bình", &["unit:u1"], "lang-son", 200)).unwrap();
    idx.upsert(&w, &doc("c3", "Đường cát trắng nhập lậu", "", &["domestic"], "an-giang", 300)).unwrap();
    idx.commit(&mut w).unwrap();
    idx
}

fn p(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn folding_both_ways() {
    let idx = index();
    let me = p(&["unit:u1", "agency:customs", "domestic", "everyone"]);
    let who = Searcher { principals: &me, agency: "customs" };
    let all = CaseFilter::default();
    // Folding conflates đường (road) and đường (sugar), as people searching without diacritics expect.
    for (q, want) in
        [("thuoc la", 2), ("THUỐC LÁ", 2), ("thuốc la esse", 1), ("duong", 2), ("đường", 2), ("duong cat", 1), ("heroin", 0), ("", 0)]
    {
        assert_eq!(idx.count(q, &who, &all).unwrap(), want, "{q:?}");
    }
    assert_eq!(idx.search("esse", &who, &all, 0, 10).unwrap(), vec!["c1"]);
}

#[test]
fn only_what_the_caller_may_see() {
    let idx = index();
    let bg = p(&["unit:bg1", "agency:bg", "domestic", "everyone"]);
    let who = Searcher { principals: &bg, agency: "bg" };
    let all = CaseFilter::default();
    assert_eq!(idx.search("thuoc la", &who, &all, 0, 10).unwrap(), vec!["c1"], "c2 is RED to unit u1");
    assert_eq!(idx.count("thuoc la", &who, &all).unwrap(), 1, "and is not counted either");
    let nobody: Vec<String> = Vec::new();
    assert_eq!(idx.count("thuoc", &Searcher { principals: &nobody, agency: "x" }, &all).unwrap(), 0);
}

#[test]
fn personal_names_only_within_the_recording_agency() {
    let idx = index();
    let me = p(&["unit:u1", "agency:customs"]);
    let bg = p(&["unit:bg1", "agency:bg"]);
    let all = CaseFilter::default();
    assert_eq!(idx.search("nguyen van an", &Searcher { principals: &me, agency: "customs" }, &all, 0, 10).unwrap(), vec!["c1"]);
    assert_eq!(idx.search("020085012345", &Searcher { principals: &me, agency: "customs" }, &all, 0, 10).unwrap(), vec!["c1"]);
    assert!(
        idx.search("nguyen van an", &Searcher { principals: &bg, agency: "bg" }, &all, 0, 10).unwrap().is_empty(),
        "the border guard may see c1 but not search it by a withheld name"
    );
    assert_eq!(idx.count("thuoc esse", &Searcher { principals: &bg, agency: "bg" }, &all).unwrap(), 1, "the shared text is searchable");
}

#[test]
fn filters_ranges_and_replacement() {
    let idx = index();
    let me = p(&["unit:u1", "agency:customs", "domestic"]);
    let who = Searcher { principals: &me, agency: "customs" };
    let f = CaseFilter { province: Some("an-giang".into()), ..Default::default() };
    assert_eq!(idx.count("nhap lau", &who, &f).unwrap(), 1);
    let f = CaseFilter { since: Some(150), until: Some(250), ..Default::default() };
    assert_eq!(idx.search("nhap lau", &who, &f, 0, 10).unwrap(), vec!["c2"]);
    let f = CaseFilter { commodity: Some("sugar".into()), ..Default::default() };
    assert_eq!(idx.count("nhap lau", &who, &f).unwrap(), 0);
    // Re-indexing a case replaces it: narrowing its sharing takes effect at once.
    let mut w = idx.writer().unwrap();
    idx.upsert(&w, &doc("c3", "Đường cát trắng nhập lậu", "", &["unit:u9"], "an-giang", 300)).unwrap();
    idx.commit(&mut w).unwrap();
    assert_eq!(idx.count("cat trang", &who, &CaseFilter::default()).unwrap(), 0);
    assert_eq!(idx.len(), 3);
}

#[test]
fn survives_reopening_from_disk() {
    let dir = tempfile::tempdir().unwrap();
    {
        let idx = SearchIndex::open(dir.path()).unwrap();
        let mut w = idx.writer().unwrap();
        idx.upsert(&w, &doc("c1", "Pháo nổ", "", &["everyone"], "lao-cai", 1)).unwrap();
        idx.commit(&mut w).unwrap();
    }
    let idx = SearchIndex::open(dir.path()).unwrap();
    let all = p(&["everyone"]);
    assert_eq!(idx.count("phao no", &Searcher { principals: &all, agency: "x" }, &CaseFilter::default()).unwrap(), 1);
}

#[test]
fn access_decides_hits_not_their_rank() {
    // Two cases with the same text, one visible through the viewer's unit, one through the
    // rare principal `everyone`: their scores must be equal, not lifted by how rare the
    // principal that let the viewer in is.
    let idx = SearchIndex::in_memory().unwrap();
    let mut w = idx.writer().unwrap();
    idx.upsert(&w, &doc("same-unit", "Thu giữ thuốc lá điếu", "", &["unit:u1"], "lang-son", 1)).unwrap();
    idx.upsert(&w, &doc("same-everyone", "Thu giữ thuốc lá điếu", "", &["everyone"], "lang-son", 1)).unwrap();
    for i in 0..50 {
        idx.upsert(&w, &doc(&format!("filler{i}"), "Thu giữ hàng hóa khác", "", &["unit:u1"], "lang-son", 1)).unwrap();
    }
    idx.commit(&mut w).unwrap();
    let me = p(&["unit:u1", "everyone"]);
    let hits = idx.search_scored("thuoc la", &Searcher { principals: &me, agency: "customs" }, &CaseFilter::default(), 0, 10).unwrap();
    assert_eq!(hits.len(), 2, "{hits:?}");
    assert!((hits[0].0 - hits[1].0).abs() < 1e-6, "equal text, equal score: {hits:?}");
}

#[test]
fn an_index_of_an_earlier_layout_starts_afresh() {
    // An index written with another schema (here: one field) is derived data: opening it
    // recreates it empty, with no high-water mark, so the application re-indexes every case.
    let dir = tempfile::tempdir().unwrap();
    {
        let mut b = tantivy::schema::Schema::builder();
        let text = b.add_text_field("text", tantivy::schema::TEXT);
        let index = tantivy::Index::create_in_dir(dir.path(), b.build()).unwrap();
        let mut w: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
        w.add_document(tantivy::doc!(text => "thuoc la")).unwrap();
        w.commit().unwrap();
    }
    let idx = SearchIndex::open(dir.path()).unwrap();
    assert!(idx.is_empty());
    let live = cordon_search::LiveIndex::new(idx).unwrap();
    assert_eq!(live.indexed_until(), 0);
    live.put(&doc("c1", "Thuốc lá", "", &["everyone"], "lang-son", 1), 5).unwrap();
    let all = p(&["everyone"]);
    assert_eq!(live.count("thuoc la", &Searcher { principals: &all, agency: "x" }, &CaseFilter::default()).unwrap(), 1);
}
