//! Screening as users rely on it: each rule kind, evasive spellings, spans, scores, versions.

use std::sync::Arc;

use cordon_screen::{CompiledRuleSet, Field, HitKind, Listing, RuleSetError, Scratch, Screening, TermClass, WatchlistKind};

const RULES: &str = "\
version = 2026.11.22-1
threshold = 0.5

[rates]
USD = 25000

[term prohibited weight=0.9]
ma túy | heroin
thuốc lá điện tử | vape
pháo hoa

[term restricted weight=0.5]
thuốc kháng sinh

[term no-origin weight=0.3]
hàng xách tay
không hóa đơn
hàng nội địa Trung

[brand Rolex floor=5000000 category=watches]
rolx | r0lex

[brand Chanel floor=2.000.000 weight=0.7]

[price-anomaly weight=0.6 threshold=3.5]
watches median=12000000 mad=1000000

[watchlist seller]
shop_ma
shopee:shop_x

[watchlist phone]
0912 345 678

[watchlist bank]
0071001234567

[image-hash]
9f86d081884c7d65
";

fn rules() -> Arc<CompiledRuleSet> {
    CompiledRuleSet::from_text(RULES).expect("sample rules compile")
}

fn listing(title: &str, description: &str) -> Listing {
    Listing {
        platform: "shopee".into(),
        listing_id: "1".into(),
        title: title.into(),
        description: description.into(),
        ..Listing::default()
    }
}

fn rule_ids(s: &Screening) -> Vec<&str> {
    s.hits.iter().map(|h| &*h.rule).collect()
}

#[test]
fn terms_match_with_and_without_diacritics_and_evasive_spellings() {
    // (title, description, rule that must fire, text the span must cover, field)
    let cases = [
        ("Bán MA TÚY giá rẻ", "", "term:prohibited", "MA TÚY", Field::Title),
        ("ban ma tuy gia re", "", "term:prohibited", "ma tuy", Field::Title),
        ("Ma Tuý loại 1", "", "term:prohibited", "Ma Tuý", Field::Title),
        ("bán m.a t.u.y", "", "term:prohibited", "m.a t.u.y", Field::Title),
        ("hàng về: h e r o i n", "", "term:prohibited", "h e r o i n", Field::Title),
        ("H-E-R-O-I-N sạch", "", "term:prohibited", "H-E-R-O-I-N", Field::Title),
        ("Tinh dầu", "Thuốc lá điện tử pod", "term:prohibited", "Thuốc lá điện tử", Field::Description),
        ("Tinh dầu", "thuoc la dien tu", "term:prohibited", "thuoc la dien tu", Field::Description),
        ("VAPE pod mới", "", "term:prohibited", "VAPE", Field::Title),
        ("Pháo hoa Tết", "", "term:prohibited", "Pháo hoa", Field::Title),
        ("Thuốc kháng sinh Amoxicillin", "", "term:restricted", "Thuốc kháng sinh", Field::Title),
        ("Túi xách", "Hàng xách tay từ Nhật", "term:no-origin", "Hàng xách tay", Field::Description),
        ("Túi xách #hangxachtay", "", "term:no-origin", "hangxachtay", Field::Title),
        ("Túi xách #HàngXáchTay", "", "term:no-origin", "HàngXáchTay", Field::Title),
        ("Túi", "Hàng - xách, tay!", "term:no-origin", "Hàng - xách, tay", Field::Description),
        ("ĐỒNG HỒ, P.H.Á.O H.O.A", "", "term:prohibited", "P.H.Á.O H.O.A", Field::Title),
        ("Bán sỉ", "không hoá đơn, không VAT", "term:no-origin", "không hoá đơn", Field::Description),
        ("Bán sỉ", "KHONG HOA DON", "term:no-origin", "KHONG HOA DON", Field::Description),
        ("Mỹ phẩm hàng nội địa Trung", "", "term:no-origin", "hàng nội địa Trung", Field::Title),
    ];
    let r = rules();
    for (title, description, rule, covered, field) in cases {
        let s = r.screen(&listing(title, description));
        let hit = s
            .hits
            .iter()
            .find(|h| &*h.rule == rule)
            .unwrap_or_else(|| panic!("{rule} did not fire on {title:?} / {description:?}: {:?}", rule_ids(&s)));
        let span = &hit.spans[0];
        assert_eq!(span.field, field, "{title:?}");
        let text = if field == Field::Title { title } else { description };
        assert_eq!(&text[span.range.clone()], covered, "span for {title:?} / {description:?}");
        assert!(!hit.reason.is_empty());
    }
}

#[test]
fn terms_do_not_fire_inside_other_words_or_on_clean_text() {
    let cases = [
        ("Sách The Heroine", ""),
        ("Đồng hồ Casio chính hãng", "Bảo hành 12 tháng, có hóa đơn"),
        ("Vapes and vaping guide book", ""),
        ("Máy tính xách tay Dell", "laptop"),
        ("Thuốc lá", "điện thoại tử tế"),
        ("", ""),
    ];
    let r = rules();
    for (title, description) in cases {
        let s = r.screen(&listing(title, description));
        assert!(s.hits.is_empty(), "{title:?}: {:?}", rule_ids(&s));
        assert_eq!(s.score, 0.0);
        assert!(!s.lead);
    }
}

#[test]
fn brand_fires_only_under_its_floor_and_in_its_category() {
    // (title, price, currency, category, fires)
    let cases = [
        ("Đồng hồ Rolex Submariner", Some(1_200_000.0), None, Some("watches"), true),
        ("Đồng hồ Rolex Submariner", Some(250_000_000.0), None, Some("watches"), false),
        ("Đồng hồ Rolex Submariner", Some(4_999_999.0), Some("VND"), Some("Watches"), true),
        ("Đồng hồ Rolex Submariner", Some(5_000_000.0), None, Some("watches"), false),
        ("dong ho r o l e x", Some(900_000.0), None, Some("watches"), true),
        ("R.O.L.E.X fake 1:1", Some(900_000.0), None, Some("watches"), true),
        ("Rolx automatic", Some(900_000.0), None, Some("watches"), true),
        ("Đồng hồ Rolex", Some(1_200_000.0), None, Some("bags"), false),
        ("Đồng hồ Rolex", None, None, Some("watches"), false),
        ("Rolex watch", Some(40.0), Some("USD"), Some("watches"), true),
        ("Rolex watch", Some(20_000.0), Some("USD"), Some("watches"), false),
        // A currency without a rate cannot be compared: no hit rather than a guess.
        ("Rolex watch", Some(40.0), Some("EUR"), Some("watches"), false),
        ("Túi Chanel", Some(500_000.0), None, Some("bags"), true),
        ("Túi Chanel", Some(500_000.0), None, None, true),
        ("Túi Chanel", Some(90_000_000.0), None, None, false),
    ];
    let r = rules();
    for (title, price, currency, category, fires) in cases {
        let mut l = listing(title, "");
        l.price = price;
        l.currency = currency.map(str::to_string);
        l.category = category.map(str::to_string);
        let s = r.screen(&l);
        let brand_hits: Vec<_> = s.hits.iter().filter(|h| h.kind == HitKind::Brand).collect();
        assert_eq!(!brand_hits.is_empty(), fires, "{title:?} {price:?} {currency:?} {category:?}: {:?}", rule_ids(&s));
        for h in brand_hits {
            assert!(h.reason.contains("under its floor"), "{}", h.reason);
            let span = &h.spans[0];
            assert!(
                title[span.range.clone()].to_lowercase().replace(['.', ' '], "").starts_with("rol")
                    || title[span.range.clone()].eq_ignore_ascii_case("chanel")
            );
        }
    }
}

#[test]
fn price_anomaly_uses_median_and_mad() {
    // watches: median 12,000,000, MAD 1,000,000, threshold 3.5 on the low side.
    // z = 0.6745·(x − median)/MAD.
    let cases = [
        (Some(6_000_000.0), "watches", true),  // z = -4.05
        (Some(7_000_000.0), "watches", false), // z = -3.37
        (Some(11_000_000.0), "watches", false),
        (Some(40_000_000.0), "watches", false), // high side not watched
        (Some(6_000_000.0), "Watches", true),
        (Some(6_000_000.0), "bags", false),
        (None, "watches", false),
    ];
    let r = rules();
    for (price, category, fires) in cases {
        let mut l = listing("Đồng hồ nam", "");
        l.price = price;
        l.category = Some(category.into());
        let s = r.screen(&l);
        let fired = s.hits.iter().any(|h| h.kind == HitKind::PriceAnomaly);
        assert_eq!(fired, fires, "{price:?} {category}: {:?}", s.hits);
    }
}

#[test]
fn watchlists_match_normalised_identifiers() {
    type Setup = fn(&mut Listing);
    let cases: [(&str, Setup, Option<&str>); 14] = [
        ("phone running into a count", |l| l.description = "gọi 0912 345 678 12 cái".into(), Some("watchlist:phone")),
        ("phone in description", |l| l.description = "Liên hệ Zalo 0912.345.678 nhé".into(), Some("watchlist:phone")),
        ("phone in title +84", |l| l.title = "Áo thun +84 912 345 678".into(), Some("watchlist:phone")),
        ("other phone in text", |l| l.description = "Zalo 0912 345 679".into(), None),
        ("price is no phone", |l| l.description = "giá 912.345.678 đồng".into(), None),
        ("seller exact", |l| l.seller_id = Some("shop_ma".into()), Some("watchlist:seller")),
        ("seller case", |l| l.seller_id = Some(" SHOP_MA ".into()), Some("watchlist:seller")),
        ("seller by platform", |l| l.seller_id = Some("shop_x".into()), Some("watchlist:seller")),
        (
            "seller other platform",
            |l| {
                l.platform = "lazada".into();
                l.seller_id = Some("shop_x".into());
            },
            None,
        ),
        ("phone +84 dotted", |l| l.phones = vec!["+84 912.345.678".into()], Some("watchlist:phone")),
        ("phone other", |l| l.phones = vec!["0988 000 111".into()], None),
        ("bank dashed", |l| l.bank_accounts = vec!["0071-0012-34567".into()], Some("watchlist:bank")),
        ("image upper", |l| l.image_hashes = vec!["9F86D081884C7D65".into()], Some("image-hash")),
        ("image other", |l| l.image_hashes = vec!["0000000000000000".into()], None),
    ];
    let r = rules();
    for (name, setup, want) in cases {
        let mut l = listing("Áo thun", "");
        setup(&mut l);
        let s = r.screen(&l);
        assert_eq!(rule_ids(&s), want.into_iter().collect::<Vec<_>>(), "{name}");
        for hit in &s.hits {
            for span in &hit.spans {
                let text = if span.field == Field::Title { &l.title } else { &l.description };
                let seen: String = text[span.range.clone()].chars().filter(char::is_ascii_digit).collect();
                assert!(seen.ends_with("912345678"), "{name}: span covers {seen:?}");
            }
        }
    }
}

#[test]
fn score_combines_weights_and_threshold_decides_lead() {
    let r = rules();
    // (title, description, expected score, lead)
    let cases = [
        ("Hàng xách tay", "", 0.3, false),
        ("Thuốc kháng sinh", "", 0.5, true),
        ("Ma túy", "hàng xách tay", 1.0 - 0.1 * 0.7, true),
        // The same term twice counts once.
        ("Ma túy", "ma tuy ma tuy", 0.9, true),
        // Two weak signals together cross the 0.5 threshold: 1 − 0.7·0.7 = 0.51.
        ("Hàng xách tay", "không hóa đơn", 1.0 - 0.7 * 0.7, true),
        ("Thuốc kháng sinh", "Pháo hoa", 1.0 - 0.5 * 0.1, true),
        ("Hàng xách tay, không hóa đơn", "hàng nội địa Trung", 1.0 - 0.7 * 0.7 * 0.7, true),
    ];
    for (title, description, score, lead) in cases {
        let s = r.screen(&listing(title, description));
        assert!((s.score - score).abs() < 1e-9, "{title:?}: {} vs {score}", s.score);
        assert_eq!(s.lead, lead, "{title:?}: {:?}", s.hits);
    }
}

#[test]
fn repeated_term_collects_every_span() {
    let r = rules();
    let title = "Ma túy, MA TUY và ma-tuý";
    let s = r.screen(&listing(title, ""));
    assert_eq!(s.hits.len(), 1);
    let covered: Vec<&str> = s.hits[0].spans.iter().map(|sp| &title[sp.range.clone()]).collect();
    assert_eq!(covered, ["Ma túy", "MA TUY", "ma-tuý"]);
    assert_eq!(s.hits[0].kind, HitKind::Term(TermClass::Prohibited));
}

#[test]
fn scratch_reuse_gives_the_same_result_as_fresh_screening() {
    let r = rules();
    let listings =
        [listing("Ma túy", "hàng xách tay"), listing("Áo thun", ""), listing("Rolex", "pháo hoa"), listing("Thuốc lá điện tử", "Ma túy")];
    let mut scratch = Scratch::new();
    for l in &listings {
        assert_eq!(r.screen_with(l, &mut scratch), r.screen(l));
    }
}

#[test]
fn a_rule_set_with_a_syntax_error_is_refused_with_line_and_reason() {
    let broken = RULES.replace("[term restricted weight=0.5]", "[term restricted weight=heavy]");
    let line = broken.lines().position(|l| l.contains("weight=heavy")).unwrap() + 1;
    match CompiledRuleSet::from_text(&broken) {
        Err(RuleSetError::Invalid(errors)) => {
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert_eq!(errors[0].line, line);
            assert!(errors[0].reason.contains("weight"), "{}", errors[0].reason);
        }
        other => panic!("broken rules accepted: {other:?}"),
    }
}

#[test]
fn compiling_a_new_version_leaves_the_old_one_usable() {
    let v1 = rules();
    let v2_text = RULES.replace("version = 2026.11.22-1", "version = 2026.11.22-2").replace("pháo hoa", "súng hơi");
    let v2 = CompiledRuleSet::from_text(&v2_text).unwrap();
    assert_ne!(v1.version(), v2.version());
    assert_eq!(v2.version().label, "2026.11.22-2");

    let fireworks = listing("Pháo hoa Tết", "");
    let air_gun = listing("Súng hơi", "");
    // The caller swaps its Arc; a screening holding the old one keeps its behaviour.
    let mut live = Arc::clone(&v1);
    let held = Arc::clone(&live);
    live = v2;
    assert!(held.screen(&fireworks).lead);
    assert!(!held.screen(&air_gun).lead);
    assert!(!live.screen(&fireworks).lead);
    assert!(live.screen(&air_gun).lead);
}

#[test]
fn compiled_rules_can_be_shared_across_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<CompiledRuleSet>();
    let r = rules();
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let r = Arc::clone(&r);
            std::thread::spawn(move || r.screen(&listing("ma túy", "")).lead)
        })
        .collect();
    for h in handles {
        assert!(h.join().unwrap());
    }
}

#[test]
fn screens_listings_parsed_from_ndjson() {
    let line =
        r#"{"platform":"tiktok","id":"9","title":"ĐỒNG HỒ R.O.L.E.X","price":"1.500.000","category":"watches","phones":"+84 912 345 678"}"#;
    let l = Listing::from_json_line(line, 1).unwrap();
    let s = rules().screen(&l);
    let mut ids = rule_ids(&s);
    ids.sort_unstable();
    assert_eq!(ids, ["brand:rolex:watches", "price-anomaly", "watchlist:phone"]);
    let brand = s.hits.iter().find(|h| h.kind == HitKind::Brand).unwrap();
    assert_eq!(&l.title[brand.spans[0].range.clone()], "R.O.L.E.X");
}

#[test]
fn spans_point_at_the_original_bytes_among_multibyte_text() {
    let r = rules();
    // Characters from every path of the folder around the hit: ASCII, two-byte, the three-byte
    // Vietnamese block, combining marks, and characters beyond the tables (emoji, CJK, ₫, –).
    let cases = [
        ("😀 Đồng hồ — ₫ hàng xách tay ✓", "hàng xách tay"),
        ("中国制造 HÀNG XÁCH TAY 中国", "HÀNG XÁCH TAY"),
        ("ả ạ ấ hàng xa\u{0301}ch tay ỹ", "hàng xa\u{0301}ch tay"),
        ("giá 5.000.000₫ – không hóa đơn – ship", "không hóa đơn"),
        ("ỳỵỷ—h.à.n.g x.á.c.h t.a.y…", "h.à.n.g x.á.c.h t.a.y"),
    ];
    for (title, want) in cases {
        for (t, d, field) in [(title, "", Field::Title), ("", title, Field::Description)] {
            let s = r.screen(&listing(t, d));
            let hit = s.hits.iter().find(|h| &*h.rule == "term:no-origin").unwrap_or_else(|| panic!("no hit in {title:?}: {:?}", s.hits));
            let span = &hit.spans[0];
            assert_eq!(span.field, field);
            assert_eq!(&title[span.range.clone()], want, "{title:?}");
        }
    }
    let text = "Liên hệ 📞 Zalo: 0912.345.678 – giao hàng toàn quốc";
    let s = r.screen(&listing("", text));
    let hit = s
        .hits
        .iter()
        .find(|h| h.kind == HitKind::Watchlist(WatchlistKind::Phone))
        .unwrap_or_else(|| panic!("phone in text not found: {:?}", s.hits));
    assert_eq!(&text[hit.spans[0].range.clone()], "0912.345.678");
}
