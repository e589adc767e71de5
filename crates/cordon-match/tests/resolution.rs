//! What analysts rely on, end to end: names, phones, identifiers, explanations, decisions, incremental resolution.

use cordon_match::compare::levels;
use cordon_match::{deduplicate, train, Agreement, AnalystDecision, EntityKind, Field, Model, PreparedRecord, Record, Resolver, Settings};

fn person(id: u64, name: &str) -> Record {
    Record { id, kind: EntityKind::Person, name: Some(name.into()), ..Record::default() }
}

fn prepared(r: Record) -> PreparedRecord {
    PreparedRecord::prepare(&r)
}

#[test]
fn reordered_vietnamese_name_agrees_exactly() {
    let m = Model::default();
    let e = m.explain(&m.score_pair(&prepared(person(1, "Nguyễn Văn An")), &prepared(person(2, "An Nguyen Van"))).0);
    let name = &e.fields[Field::PersonName.index()];
    assert_eq!(name.agreement, Agreement::Exact);
    assert!(name.weight > 5.0, "{name:?}");
}

#[test]
fn similar_names_do_not_match_on_name_alone() {
    let m = Model::default();
    let settings = Settings::default();
    let an = prepared(person(1, "Nguyễn Văn An"));
    for other in ["Nguyễn Văn Anh", "Nguyễn Thị An"] {
        let (v, score) = m.score_pair(&an, &prepared(person(2, other)));
        let e = m.explain(&v);
        let name = &e.fields[Field::PersonName.index()];
        assert_eq!(name.agreement, Agreement::Disagree, "{other}");
        assert!(name.weight < 0.0, "{other}: {name:?}");
        assert!(score.probability < settings.threshold, "{other}: {score:?}");
    }
}

#[test]
fn old_and_new_mobile_numbers_link_the_same_person() {
    let a = Record { phone: Some("0168 123 4567".into()), birth_date: Some("05/03/1990".into()), ..person(1, "Nguyễn Văn An") };
    let b = Record { phone: Some("038 123 4567".into()), birth_date: Some("03/05/1990".into()), ..person(2, "An Nguyen Van") };
    let records = vec![prepared(a), prepared(b)];
    let d = deduplicate(&records, &Model::default(), &Settings::default(), &[]).expect("unique ids");
    assert_eq!(d.clustering.entities, vec![vec![1, 2]]);
    let e = d.matches[0].explain(&Model::default());
    assert_eq!(e.fields[Field::Phone.index()].agreement, Agreement::Exact);
    assert_eq!(e.fields[Field::BirthDate.index()].label, levels(Field::BirthDate)[1]);
}

fn company(id: u64, name: &str, tax: &str) -> Record {
    Record { id, kind: EntityKind::Company, name: Some(name.into()), tax_code: Some(tax.into()), ..Record::default() }
}

#[test]
fn strong_identifiers_decide_and_conflicts_separate() {
    let records: Vec<_> = [
        company(1, "Công ty TNHH TM Hoàng Long", "0101234567"),
        company(2, "Hoang Long Trading Co., Ltd", "0101 234 567"),
        company(3, "Công ty TNHH Thương mại Hoàng Long", "0309999999"),
        Record { id: 4, kind: EntityKind::Vehicle, plate: Some("29A-123.45".into()), ..Record::default() },
        Record { id: 5, kind: EntityKind::Vehicle, plate: Some("29a 12345".into()), ..Record::default() },
    ]
    .into_iter()
    .map(prepared)
    .collect();
    let d = deduplicate(&records, &Model::default(), &Settings::default(), &[]).expect("unique ids");
    assert_eq!(d.clustering.entities, vec![vec![1, 2], vec![3], vec![4, 5]]);
    let decided: Vec<_> = d.matches.iter().map(|p| (p.a, p.b, p.score.decided_by)).collect();
    assert!(decided.contains(&(1, 2, Some(Field::TaxCode))), "{decided:?}");
    assert!(decided.contains(&(4, 5, Some(Field::Plate))), "{decided:?}");
}

#[test]
fn every_match_is_explained_field_by_field() {
    let a = Record { birth_date: Some("05/03/1990".into()), address: Some("Hà Giang".into()), ..person(1, "Nguyễn Văn An") };
    let b = Record { birth_date: Some("05/03/1990".into()), address: Some("Tuyên Quang".into()), ..person(2, "Nguyen V. An") };
    let m = Model::default();
    let (v, s) = m.score_pair(&prepared(a), &prepared(b));
    let e = m.explain(&v);
    let sum = e.prior_weight + e.fields.iter().map(|f| f.weight).sum::<f64>();
    assert!((sum - s.weight).abs() < 1e-9);
    let by = |f: Field| e.fields[f.index()].clone();
    assert_eq!(by(Field::BirthDate).agreement, Agreement::Exact);
    assert_eq!(by(Field::PersonName).agreement, Agreement::Partial);
    // Hà Giang became part of Tuyên Quang in 2025: same province.
    assert_eq!(by(Field::Address).label, "same province");
    assert_eq!(by(Field::Phone).agreement, Agreement::Missing);
    assert_eq!(by(Field::Phone).weight, 0.0);
}

#[test]
fn rejection_is_kept_by_batch_and_incremental_runs() {
    let base =
        |id, phone: &str| Record { birth_date: Some("05/03/1990".into()), phone: Some(phone.into()), ..person(id, "Nguyễn Văn An") };
    let records: Vec<_> = [base(1, "0912345678"), base(2, "0912345678")].into_iter().map(prepared).collect();
    let settings = Settings::default();
    let model = Model::default();
    let reject = AnalystDecision::Reject(1, 2);
    let d = deduplicate(&records, &model, &settings, std::slice::from_ref(&reject)).expect("unique ids");
    assert_eq!(d.clustering.entities, vec![vec![1], vec![2]]);
    assert_eq!(d.clustering.links_refused, 1);

    let mut r = Resolver::with_entities(model, settings, records, &d.clustering, &[reject]).expect("unique ids");
    assert_ne!(r.entity_of(1), r.entity_of(2));
    // A third record matching both may join one, but never bring the two together.
    let res = r.resolve(prepared(base(3, "0912345678"))).expect("new id");
    assert!(!res.created);
    assert_eq!(res.matches.len(), 2);
    assert_ne!(r.entity_of(1), r.entity_of(2));
    // A confirmation against the rejection is refused.
    assert!(!r.decide(AnalystDecision::Confirm(1, 2)));
    assert_ne!(r.entity_of(1), r.entity_of(2));
}

#[test]
fn resolver_joins_merges_and_separates() {
    let mut r = Resolver::new(Model::default(), Settings::default());
    let a = r.resolve(prepared(Record { phone: Some("0912345678".into()), ..person(1, "Trần Thị Bình") })).expect("new");
    assert!(a.created);
    let b = r.resolve(prepared(Record { plate: Some("29A-123.45".into()), ..person(2, "Lê Văn Cường") })).expect("new");
    assert!(b.created);
    let stranger = r.resolve(prepared(person(3, "Phạm Văn Dũng"))).expect("new");
    assert!(stranger.created);
    // Shares the phone with 1 and the plate with 2 under the same name as 1: joins 1.
    let c = r.resolve(prepared(Record { phone: Some("+84 912 345 678".into()), ..person(4, "Binh Tran Thi") })).expect("new");
    assert!(!c.created);
    assert_eq!(c.entity, a.entity);
    assert_eq!(r.members(a.entity), vec![1, 4]);
    assert_eq!(r.resolve(prepared(person(4, "Again"))).map(|_| ()), Err(cordon_match::MatchError::DuplicateId(4)));
    // The analyst splits 4 off again; a later record like 4 does not pull it back in with 1.
    assert!(r.decide(AnalystDecision::Reject(1, 4)));
    assert_ne!(r.entity_of(1), r.entity_of(4));
    let again = r.resolve(prepared(Record { phone: Some("0912345678".into()), ..person(5, "Trần Thị Bình") })).expect("new");
    assert_eq!(r.entity_of(5), r.entity_of(1));
    assert_ne!(r.entity_of(1), r.entity_of(4));
    assert!(again.merged.is_empty());
}

/// A small population with known duplicates: training without labels must find them.
#[test]
fn unsupervised_training_finds_duplicates() {
    let families = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ"];
    let middles = ["Văn", "Thị", "Đức", "Hữu", "Minh"];
    let givens = ["An", "Bình", "Cường", "Dũng", "Hương", "Lan", "Minh", "Nam", "Phương", "Quang", "Thảo", "Tuấn"];
    let mut records = Vec::new();
    let mut truth = Vec::new();
    let mut state = 7u64;
    let mut next = |n: usize| {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((state >> 33) as usize) % n
    };
    for i in 0..600u64 {
        let name = format!("{} {} {}", families[next(10)], middles[next(5)], givens[next(12)]);
        let dob = format!("{:02}/{:02}/{}", 1 + next(28), 1 + next(12), 1960 + next(40));
        let phone = format!("09{:08}", next(100_000_000));
        let rec = Record { birth_date: Some(dob.clone()), phone: Some(phone.clone()), ..person(i * 2, &name) };
        records.push(prepared(rec));
        truth.push((i * 2, i * 2));
        if i % 5 == 0 {
            // A duplicate as another agency wrote it: given-name-first, no diacritics, and either a new phone or a swapped date.
            let folded = cordon_core::text::fold(&name);
            let parts: Vec<&str> = folded.split(' ').collect();
            let reordered = format!("{} {} {}", parts[2], parts[0], parts[1]);
            let (dob2, phone2) = if i % 10 == 0 {
                let p: Vec<&str> = dob.split('/').collect();
                if p[0].parse::<u32>().unwrap_or(0) <= 12 {
                    (format!("{}/{}/{}", p[1], p[0], p[2]), phone.clone())
                } else {
                    (dob.clone(), phone.clone())
                }
            } else {
                (dob.clone(), format!("08{:08}", next(100_000_000)))
            };
            let dup = Record { birth_date: Some(dob2), phone: Some(phone2), ..person(i * 2 + 1, &reordered) };
            records.push(prepared(dup));
            truth.push((i * 2 + 1, i * 2));
        }
    }
    let settings = Settings { u_sample_pairs: 50_000, ..Settings::default() };
    let mut model = Model::default();
    let report = train(&mut model, &records, &settings);
    assert!(report.em.iterations > 0);
    let d = deduplicate(&records, &model, &settings, &[]).expect("unique ids");
    let cluster_of = d.clustering.entity_of();
    let truth_of: std::collections::HashMap<u64, u64> = truth.iter().copied().collect();
    let (mut tp, mut fp, mut fn_) = (0, 0, 0);
    for (i, &(a, ta)) in truth.iter().enumerate() {
        for &(b, tb) in &truth[i + 1..] {
            let same_pred = cluster_of[&a] == cluster_of[&b];
            let same_true = ta == tb;
            match (same_pred, same_true) {
                (true, true) => tp += 1,
                (true, false) => fp += 1,
                (false, true) => fn_ += 1,
                _ => {}
            }
        }
    }
    assert_eq!(truth_of.len(), records.len());
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / (tp + fn_).max(1) as f64;
    assert!(precision >= 0.95 && recall >= 0.95, "precision {precision}, recall {recall}, {report:?}");
}

#[test]
fn resolver_split_moves_records_out_and_keeps_them_out() {
    let same = |id| Record { birth_date: Some("05/03/1990".into()), phone: Some("0912345678".into()), ..person(id, "Nguyễn Văn An") };
    let mut r = Resolver::new(Model::default(), Settings::default());
    for id in 1..=3 {
        r.resolve(prepared(same(id))).expect("new id");
    }
    let e = r.entity_of(1).expect("held");
    assert_eq!(r.members(e), vec![1, 2, 3]);
    assert!(r.decide(AnalystDecision::Split { apart: vec![3], from: vec![1, 2] }));
    assert_eq!(r.members(e), vec![1, 2]);
    assert_ne!(r.entity_of(3), Some(e));
    // A fourth record like all three joins one side, never reuniting 3 with 1 and 2.
    r.resolve(prepared(same(4))).expect("new id");
    assert_ne!(r.entity_of(3), r.entity_of(1));
    assert_ne!(r.entity_of(3), r.entity_of(2));
}

#[test]
fn training_keeps_values_pinned_by_hand() {
    let records: Vec<_> = (0..200u64)
        .map(|i| {
            prepared(Record {
                birth_date: Some(format!("{:02}/{:02}/19{:02}", 1 + i % 28, 1 + i % 12, 50 + i % 50)),
                phone: Some(format!("09{:08}", i * 7919)),
                ..person(i, if i % 2 == 0 { "Nguyễn Văn An" } else { "Trần Thị Bình" })
            })
        })
        .collect();
    let mut model = Model::default();
    model.pin(Field::Phone, 0, Some(0.8), Some(0.00002)).expect("valid pin");
    train(&mut model, &records, &Settings { u_sample_pairs: 5_000, ..Settings::default() });
    let phone = &model.fields[Field::Phone.index()];
    assert_eq!((phone.m[0], phone.u[0]), (0.8, 0.00002));
    assert!((phone.m.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    assert!((phone.u.iter().sum::<f64>() - 1.0).abs() < 1e-9);
}
