//! Properties: matching is symmetric, clustering ignores input order, an analyst's "not the same" always holds.

use std::collections::HashMap;

use cordon_match::{cluster, compare, AnalystDecision, EntityKind, Link, Model, PreparedRecord, Record, Resolver, Settings};
use proptest::prelude::*;

const NAMES: &[&str] = &[
    "Nguyễn Văn An",
    "An Nguyen Van",
    "Nguyễn Văn Anh",
    "Nguyễn Thị An",
    "Nguyen V. An",
    "Trần Thị Thu Hương",
    "Tran Thu Huong",
    "Ngyuen Van An",
    "John Smith",
    "Smith John",
    "Lê Hữu Đức",
    "Le Huu Duc",
];
const DATES: &[&str] = &["05/03/1990", "03/05/1990", "06/03/1990", "1990", "03/1990", "17/11/1985"];
const PHONES: &[&str] = &["0168 123 4567", "0381234567", "0381234568", "0912345678"];
const IDS: &[&str] = &["001090012345", "001090012346", "012345678", "079199000111"];
const ADDRESSES: &[&str] = &["Hà Giang", "Tuyên Quang", "12 Lê Lợi, Bình Dương", "12 Le Loi, TP HCM", "Hội An, Quảng Nam"];

fn pick(list: &'static [&'static str]) -> impl Strategy<Value = Option<String>> {
    proptest::option::of(proptest::sample::select(list).prop_map(str::to_owned))
}

fn record() -> impl Strategy<Value = PreparedRecord> {
    (pick(NAMES), pick(DATES), pick(PHONES), pick(IDS), pick(ADDRESSES)).prop_map(|(name, dob, phone, id, address)| {
        PreparedRecord::prepare(&Record {
            id: 0,
            kind: EntityKind::Person,
            name,
            birth_date: dob,
            phone,
            national_id: id,
            address,
            ..Record::default()
        })
    })
}

proptest! {
    #[test]
    fn matching_is_symmetric(a in record(), b in record()) {
        let m = Model::default();
        prop_assert_eq!(compare(&a, &b), compare(&b, &a));
        let (sa, sb) = (m.score_pair(&a, &b).1, m.score_pair(&b, &a).1);
        prop_assert_eq!(sa.weight.to_bits(), sb.weight.to_bits());
        prop_assert_eq!(sa.probability.to_bits(), sb.probability.to_bits());
        prop_assert_eq!(sa.decided_by, sb.decided_by);
    }
}

fn links() -> impl Strategy<Value = Vec<Link>> {
    // Few distinct probabilities, so that ties are common and must not depend on order.
    proptest::collection::vec((0u64..20, 0u64..20, proptest::sample::select(vec![0.5, 0.9, 0.95, 1.0])), 0..60)
        .prop_map(|v| v.into_iter().map(|(a, b, probability)| Link { a, b, probability }).collect())
}

fn decisions() -> impl Strategy<Value = Vec<AnalystDecision>> {
    let one = prop_oneof![
        (0u64..20, 0u64..20).prop_map(|(a, b)| AnalystDecision::Confirm(a, b)),
        (0u64..20, 0u64..20).prop_filter("distinct", |(a, b)| a != b).prop_map(|(a, b)| AnalystDecision::Reject(a, b)),
        (proptest::collection::vec(0u64..20, 1..3), proptest::collection::vec(0u64..20, 1..3))
            .prop_filter("disjoint", |(a, f)| a.iter().all(|x| !f.contains(x)))
            .prop_map(|(apart, from)| AnalystDecision::Split { apart, from }),
    ];
    proptest::collection::vec(one, 0..8)
}

fn rejected_pairs(decisions: &[AnalystDecision]) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    for d in decisions {
        match d {
            AnalystDecision::Reject(a, b) => out.push((*a, *b)),
            AnalystDecision::Split { apart, from } => {
                out.extend(apart.iter().flat_map(|a| from.iter().map(move |b| (*a, *b))));
            }
            AnalystDecision::Confirm(..) => {}
        }
    }
    out
}

proptest! {
    #[test]
    fn clustering_is_independent_of_input_order(
        links in links(),
        decisions in decisions(),
        seed in any::<u64>(),
    ) {
        let ids: Vec<u64> = (0..20).collect();
        let first = cluster(&ids, &links, &decisions, 0.9).expect("unique ids");
        let mut rng = seed | 1;
        let mut shuffle = |n: usize| -> Vec<usize> {
            let mut order: Vec<usize> = (0..n).collect();
            for i in (1..n).rev() {
                rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
                order.swap(i, (rng % (i as u64 + 1)) as usize);
            }
            order
        };
        let ids2: Vec<u64> = shuffle(ids.len()).into_iter().map(|i| ids[i]).collect();
        // Swap each link's ends too.
        let links2: Vec<Link> = shuffle(links.len()).into_iter().map(|i| Link { a: links[i].b, b: links[i].a, ..links[i] }).collect();
        let decisions2: Vec<AnalystDecision> = shuffle(decisions.len()).into_iter().map(|i| decisions[i].clone()).collect();
        let second = cluster(&ids2, &links2, &decisions2, 0.9).expect("unique ids");
        prop_assert_eq!(first, second);
    }

    #[test]
    fn not_the_same_is_never_overridden(links in links(), decisions in decisions()) {
        let ids: Vec<u64> = (0..20).collect();
        let c = cluster(&ids, &links, &decisions, 0.9).expect("unique ids");
        let of = c.entity_of();
        for (a, b) in rejected_pairs(&decisions) {
            prop_assert_ne!(of[&a], of[&b], "{} and {} were rejected but share an entity", a, b);
        }
    }

    #[test]
    fn resolver_never_joins_rejected_records(
        names in proptest::collection::vec(proptest::sample::select(NAMES), 2..12),
        rejects in proptest::collection::vec((0u64..12, 0u64..12), 0..10),
        confirms in proptest::collection::vec((0u64..12, 0u64..12), 0..6),
    ) {
        let mut r = Resolver::new(Model::default(), Settings::default());
        let decisions: Vec<_> = rejects.iter().filter(|(a, b)| a != b).map(|&(a, b)| AnalystDecision::Reject(a, b)).collect();
        for d in &decisions {
            r.decide(d.clone());
        }
        for (i, name) in names.iter().enumerate() {
            let rec = Record {
                id: i as u64,
                name: Some((*name).into()),
                birth_date: Some("05/03/1990".into()),
                phone: Some("0912345678".into()),
                ..Record::default()
            };
            r.resolve(PreparedRecord::prepare(&rec)).expect("ids are fresh");
        }
        for &(a, b) in &confirms {
            r.decide(AnalystDecision::Confirm(a, b));
        }
        let mut seen: HashMap<u64, u32> = HashMap::new();
        for i in 0..names.len() as u64 {
            if let Some(e) = r.entity_of(i) {
                seen.insert(i, e);
            }
        }
        for (a, b) in rejected_pairs(&decisions) {
            if let (Some(ea), Some(eb)) = (seen.get(&a), seen.get(&b)) {
                prop_assert_ne!(ea, eb, "{} and {} were rejected but share an entity", a, b);
            }
        }
    }
}
