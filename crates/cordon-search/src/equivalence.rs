//! The pruned conjunction returns what a plain tantivy `BooleanQuery` of the same meaning
//! returns, over enough documents for posting lists of many blocks, several segments and
//! deletions.

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, RangeQuery, TermQuery};

use tantivy::schema::Value;
use tantivy::TantivyDocument;

use super::*;

/// SplitMix64: deterministic test data without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Words by weight: some in most documents (long posting lists), some rare; "dang" and "son"
/// are also names, as in real data.
const WORDS: &[(&str, usize)] =
    &[("tai", 90), ("xe", 60), ("dong", 70), ("cua", 40), ("khau", 35), ("dang", 8), ("son", 10), ("thuoc", 20), ("la", 25), ("esse", 3)];
const NAMES: &[&str] = &["nguyen", "dang", "son", "an", "tai"];
const PRINCIPALS: &[&str] = &["unit:a1", "agency:a", "agency:b", "domestic", "everyone"];
const AGENCIES: &[&str] = &["a", "b", "c"];
const PROVINCES: &[&str] = &["p1", "p2", "p3"];

fn random_doc(r: &mut Rng, id: usize) -> CaseDoc {
    let mut text = Vec::new();
    for _ in 0..3 + r.below(20) {
        let total: usize = WORDS.iter().map(|(_, w)| w).sum();
        let mut x = r.below(total);
        for (word, w) in WORDS {
            if x < *w {
                text.push(*word);
                break;
            }
            x -= w;
        }
    }
    let personal: Vec<&str> = (0..r.below(4)).map(|_| NAMES[r.below(NAMES.len())]).collect();
    let principals: Vec<String> = PRINCIPALS.iter().filter(|_| r.below(3) == 0).map(|p| p.to_string()).collect();
    CaseDoc {
        id: format!("c{id}"),
        text: text.join(" "),
        personal_text: personal.join(" "),
        principals,
        owner_agency: AGENCIES[r.below(AGENCIES.len())].into(),
        case_type: "smuggling".into(),
        status: "open".into(),
        province: Some(PROVINCES[r.below(PROVINCES.len())].into()),
        commodities: Vec::new(),
        detected_at: r.below(1000) as i64,
    }
}

/// The same search as a tantivy query: every word in the text or (recording agency only) in
/// personal names, one of the principals, the filters; access and filters scored zero.
fn reference(idx: &SearchIndex, words: &[&str], who: &Searcher, filter: &CaseFilter) -> BooleanQuery {
    let f = &idx.fields;
    let term = |field: Field, v: &str| -> Box<dyn Query> {
        Box::new(TermQuery::new(Term::from_field_text(field, v), IndexRecordOption::WithFreqs))
    };
    let zero = |q: Box<dyn Query>| -> Box<dyn Query> { Box::new(ConstScoreQuery::new(q, 0.0)) };
    let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for w in words {
        let own: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, term(f.personal, &owned_term(who.agency, w))), (Occur::Must, zero(term(f.owner, who.agency)))];
        let either: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Should, term(f.text, w)), (Occur::Should, Box::new(BooleanQuery::new(own)))];
        must.push((Occur::Must, Box::new(BooleanQuery::new(either))));
    }
    let acl: Vec<(Occur, Box<dyn Query>)> = who.principals.iter().map(|p| (Occur::Should, term(f.acl, p))).collect();
    must.push((Occur::Must, zero(Box::new(BooleanQuery::new(acl)))));
    if let Some(p) = &filter.province {
        must.push((Occur::Must, zero(term(f.province, p))));
    }
    if filter.since.is_some() || filter.until.is_some() {
        let range = filter.since.unwrap_or(i64::MIN)..filter.until.unwrap_or(i64::MAX);
        must.push((Occur::Must, zero(Box::new(RangeQuery::new_i64("detected_at".into(), range)))));
    }
    BooleanQuery::new(must)
}

#[test]
fn pruned_search_matches_a_plain_boolean_query() {
    let idx = SearchIndex::in_memory().unwrap();
    let mut r = Rng(7);
    let mut w = idx.writer().unwrap();
    // Three commits make three segments; re-adding some ids deletes their earlier documents.
    for batch in 0..3 {
        for i in 0..2_500 {
            idx.upsert(&w, &random_doc(&mut r, batch * 2_000 + i)).unwrap();
        }
        idx.commit(&mut w).unwrap();
    }
    let searcher = idx.reader.searcher();
    assert!(searcher.segment_readers().len() >= 2, "several segments");
    assert!(searcher.segment_readers().iter().any(|s| s.alive_bitset().is_some()), "some deletions");
    let viewers: [(&[&str], &str); 4] =
        [(&["unit:a1", "agency:a"], "a"), (&["agency:b", "domestic", "everyone"], "b"), (&["everyone"], "c"), (PRINCIPALS, "a")];
    let filters = [
        CaseFilter::default(),
        CaseFilter { province: Some("p2".into()), ..Default::default() },
        CaseFilter { since: Some(100), until: Some(600), ..Default::default() },
    ];
    let queries: &[&[&str]] =
        &[&["tai"], &["xe", "tai"], &["dong", "dang"], &["cua", "khau"], &["thuoc", "la", "esse"], &["son"], &["an", "xe"], &["nope"]];
    let mut compared = 0;
    for (principals, agency) in viewers {
        let principals: Vec<String> = principals.iter().map(|s| s.to_string()).collect();
        let who = Searcher { principals: &principals, agency };
        for filter in &filters {
            for words in queries {
                let text = words.join(" ");
                let q = reference(&idx, words, &who, filter);
                assert_eq!(
                    idx.count(&text, &who, filter).unwrap(),
                    searcher.search(&q, &Count).unwrap(),
                    "count {text:?} {who:?} {filter:?}"
                );
                for (offset, limit) in [(0, 10), (7, 5), (0, 1)] {
                    let got = idx.search_scored(&text, &who, filter, offset, limit).unwrap();
                    let want = searcher.search(&q, &TopDocs::with_limit(limit).and_offset(offset)).unwrap();
                    assert_eq!(got.len(), want.len(), "{text:?} {who:?} {filter:?} {offset}");
                    for ((gs, _), (ws, _)) in got.iter().zip(&want) {
                        assert!((gs - ws).abs() <= 1e-4 * ws.abs().max(1.0), "scores {got:?} vs {want:?} for {text:?}");
                    }
                    // Where no score ties the last one (nor, past an offset, the first one, which
                    // may tie a hit on the page before), the hits are the same cases: tied hits
                    // may come in either order.
                    if let (Some(&(first, _)), Some(&(last, _))) = (want.first(), want.last()) {
                        let clear = |s: f32| s > last + 1e-3 && (offset == 0 || s < first - 1e-3);
                        let ids = |v: Vec<String>| -> Vec<String> {
                            let mut v = v;
                            v.sort();
                            v
                        };
                        let clear_got: Vec<String> = got.iter().filter(|(s, _)| clear(*s)).map(|(_, id)| id.clone()).collect();
                        let clear_want: Vec<String> = want
                            .iter()
                            .filter(|(s, _)| clear(*s))
                            .map(|(_, a)| {
                                let d: TantivyDocument = searcher.doc(*a).unwrap();
                                d.get_first(idx.fields.id).and_then(|v| v.as_str()).unwrap().to_string()
                            })
                            .collect();
                        assert_eq!(ids(clear_got), ids(clear_want), "{text:?} {who:?} {filter:?} offset {offset} limit {limit}");
                        compared += 1;
                    }
                }
            }
        }
    }
    assert!(compared > 100, "{compared} result lists compared");
}
