//! A year of demo cases: seizures at the border gates of the demo provinces, with the
//! commodities each border is known for, the peak before the Lunar New Year, recurring
//! drivers and trucks (so that rings can be found), and cases moved along their lifecycle.
//! Everything goes through the use cases, as an officer of the recording unit would.

use anyhow::Context;
use cordon_app::{App, CaseInput, ConveyanceInput, GoodsInput, OutcomeInput, PartyInput, SharingInput};

use crate::demo::Seq;

/// A gate unit's port code and the officer who records there.
type GateOfficer = (&'static str, &'static str);

/// (province, plate prefix, gate units with their officer, commodities seized there).
const BORDERS: &[(&str, &str, &[GateOfficer], &[&str])] = &[
    (
        "lang-son",
        "12",
        &[("huu-nghi", "hq.huunghi"), ("tan-thanh", "hq.tanthanh")],
        &["cigarettes", "frozen-food", "firecrackers", "medical-supplies", "counterfeit-goods", "electronics"],
    ),
    (
        "quang-ninh",
        "14",
        &[("mong-cai", "hq.mongcai"), ("cai-lan", "hq.cailan")],
        &["frozen-food", "cigarettes", "firecrackers", "electronics", "wildlife-timber"],
    ),
    ("lao-cai", "24", &[("lao-cai", "hq.laocai")], &["frozen-food", "pharmaceuticals", "cosmetics", "counterfeit-goods"]),
    ("an-giang", "67", &[("tinh-bien", "hq.tinhbien"), ("ha-tien", "hq.hatien")], &["sugar", "cigarettes", "gold-currency", "fuel"]),
    (
        "hai-phong",
        "15",
        &[("hai-phong-port", "hq.haiphongport")],
        &["ip-infringing", "counterfeit-goods", "wildlife-timber", "drugs-precursors", "vehicles-parts"],
    ),
    ("tay-ninh", "70", &[("moc-bai", "hq.mocbai")], &["sugar", "cigarettes", "fuel", "livestock-poultry"]),
];

/// (category, description, unit, HS code, value per unit in dong, typical quantity, brand).
const GOODS: &[(&str, &str, &str, &str, i64, i64, &str)] = &[
    ("cigarettes", "Thuốc lá điếu ngoại nhập lậu", "bao", "24022090", 25_000, 3000, "Esse"),
    ("frozen-food", "Nầm lợn, chân gà đông lạnh không rõ nguồn gốc", "kg", "02064900", 60_000, 2500, ""),
    ("firecrackers", "Pháo nổ các loại", "kg", "36041000", 400_000, 150, ""),
    ("medical-supplies", "Khẩu trang, bộ xét nghiệm nhanh không có giấy phép", "hộp", "90189090", 90_000, 800, ""),
    ("counterfeit-goods", "Túi xách, đồng hồ giả nhãn hiệu", "chiếc", "42022100", 350_000, 400, "Louis Vuitton"),
    ("electronics", "Điện thoại di động đã qua sử dụng", "chiếc", "85171300", 2_500_000, 120, "iPhone"),
    ("wildlife-timber", "Ngà voi và sản phẩm từ ngà voi", "kg", "05071000", 25_000_000, 40, ""),
    ("pharmaceuticals", "Thuốc tân dược không có số đăng ký", "hộp", "30049099", 120_000, 600, ""),
    ("cosmetics", "Mỹ phẩm không nhãn phụ tiếng Việt", "hộp", "33049930", 150_000, 700, ""),
    ("sugar", "Đường cát trắng nhập lậu", "kg", "17019990", 18_000, 8000, ""),
    ("gold-currency", "Vàng miếng và ngoại tệ không khai báo", "chỉ", "71081210", 8_000_000, 30, ""),
    ("fuel", "Xăng dầu không rõ nguồn gốc", "lít", "27101224", 22_000, 5000, ""),
    ("ip-infringing", "Giày thể thao xâm phạm quyền nhãn hiệu", "đôi", "64041190", 300_000, 1500, "Nike"),
    ("drugs-precursors", "Tiền chất ma túy", "kg", "29393000", 5_000_000, 20, ""),
    ("vehicles-parts", "Phụ tùng ô tô đã qua sử dụng", "chiếc", "87089999", 1_200_000, 200, ""),
    ("livestock-poultry", "Gia cầm sống không kiểm dịch", "con", "01059400", 90_000, 900, ""),
];

const FAMILY: &[&str] = &["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Huỳnh"];
const MIDDLE: &[&str] = &["Văn", "Thị", "Đức", "Hữu", "Minh", "Thanh", "Quốc", "Ngọc", "Công"];
const GIVEN: &[&str] =
    &["An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hùng", "Khánh", "Long", "Nam", "Phong", "Quang", "Sơn", "Thắng", "Tuấn", "Việt"];
const CONCEALMENT: &[&str] = &[
    "giấu trong hầm hàng giả dưới thùng xe",
    "xếp lẫn dưới lớp hoa quả tươi",
    "khai sai tên hàng trên tờ khai",
    "vận chuyển qua đường mòn, lối mở bằng xe máy",
    "chia nhỏ thành nhiều kiện hàng chuyển phát nhanh",
    "cất giấu trong khoang máy tàu",
];

const DAY_MS: i64 = 86_400_000;

/// Relative weight of a day-of-year: the weeks before the Lunar New Year (late January to
/// mid-February) and the year end carry the most smuggling.
fn season_weight(day_of_year: i64) -> u64 {
    match day_of_year {
        0..=45 => 5,
        46..=60 => 3,
        335..=366 => 4,
        _ => 2,
    }
}

/// Loads a year of cases ending at `now`, and returns how many were recorded.
pub async fn seed_cases(app: &App, rng: &mut Seq, now: i64) -> anyhow::Result<usize> {
    // A small pool of people and trucks that turn up again and again: the rings to find.
    let ring_people: Vec<(String, String)> = (0..12).map(|_| (person(rng), cccd(rng))).collect();
    // The entity each ring member and ring truck was first recorded as (from a case the
    // whole agency sees), so that later cases link the same entity and the ring shows.
    let mut known: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut recorded = 0;
    for (province, plate_prefix, gates, commodities) in BORDERS {
        let head = app.actor_for_operator(&format!("hq.{}.head", province.replace('-', ""))).await?;
        let ring_plates: Vec<String> = (0..4).map(|_| plate(rng, plate_prefix)).collect();
        for (gate, officer) in *gates {
            let actor = app.actor_for_operator(officer).await.with_context(|| format!("demo officer {officer}"))?;
            let mut day = 365;
            while day > 0 {
                let at = now - day * DAY_MS + (rng.next() % DAY_MS as u64) as i64;
                let doy = ((at / DAY_MS) + 4) % 365;
                day -= 1 + (rng.next() % (12 / season_weight(doy))) as i64;
                let category = rng.pick(commodities);
                let Some(g) = GOODS.iter().find(|g| g.0 == category) else { continue };
                let qty = (g.5 / 2 + (rng.next() % g.5 as u64) as i64).max(1);
                let ring = rng.next().is_multiple_of(5);
                let (name, id_number) = if ring { ring_people[(rng.next() % 12) as usize].clone() } else { (person(rng), cccd(rng)) };
                let (person_key, truck_key) = (format!("person:{id_number}"), String::new());
                let truck = if ring { ring_plates[(rng.next() % 4) as usize].clone() } else { plate(rng, plate_prefix) };
                let truck_key = if ring { format!("truck:{truck}") } else { truck_key };
                let (tlp, distribution): (&str, Vec<String>) = match rng.next() % 10 {
                    0 => ("red", vec![]),
                    1 | 2 => ("amber_strict", vec!["own_agency".into()]),
                    3..=7 => ("amber", vec!["own_agency".into(), "agency:border-guard-vn".into(), "agency:police-vn".into()]),
                    _ => ("green", vec!["all_domestic".into()]),
                };
                let input = CaseInput {
                    case_type: case_type_of(category).into(),
                    title: format!("Thu giữ {qty} {} {}", g.2, g.1.to_lowercase()),
                    summary: format!("Phát hiện xe {truck} do {name} điều khiển vận chuyển {} {}, {}.", qty, g.2, rng.pick(CONCEALMENT)),
                    detected_at: at,
                    seized_at: None,
                    province: Some((*province).into()),
                    port: Some((*gate).into()),
                    route: None,
                    place_type: Some(if gate.ends_with("port") || *gate == "cai-lan" { "seaport" } else { "border_gate" }.into()),
                    in_customs_area: Some(!rng.next().is_multiple_of(4)),
                    latitude: None,
                    longitude: None,
                    lead_agency_id: None,
                    lead_basis: None,
                    detection_method: Some(rng.pick(&["risk_profile", "intelligence", "routine_control", "scanner", "tip"]).into()),
                    concealment: Some(rng.pick(CONCEALMENT).into()),
                    transport_mode: Some("road".into()),
                    conveyance: ConveyanceInput { plate: Some(truck.clone()), ..Default::default() },
                    outcome: OutcomeInput::default(),
                    goods: vec![GoodsInput {
                        description: g.1.into(),
                        hs_code: Some(g.3.into()),
                        category: Some(category.into()),
                        brand: Some(g.6.to_string()).filter(|b| !b.is_empty()),
                        quantity: Some(qty as f64),
                        unit: Some(g.2.into()),
                        weight_kg: None,
                        value_vnd: Some(qty * g.4),
                    }],
                    parties: vec![
                        PartyInput {
                            kind: "person".into(),
                            name: name.clone(),
                            identifiers: [("cccd".to_string(), id_number)].into(),
                            role: "driver".into(),
                            sharing: None,
                            entity_id: None,
                        },
                        PartyInput {
                            kind: "vehicle".into(),
                            name: truck.clone(),
                            identifiers: [("plate".to_string(), truck)].into(),
                            role: "owner".into(),
                            sharing: None,
                            entity_id: None,
                        },
                    ],
                    sharing: SharingInput { tlp: tlp.into(), distribution, handling: vec![] },
                    external_ref: None,
                };
                let mut input = input;
                if ring {
                    input.parties[0].entity_id = known.get(&person_key).cloned();
                    input.parties[1].entity_id = known.get(&truck_key).cloned();
                }
                let case = app.create_case(&actor, input).await.context("demo case")?;
                if ring && tlp != "red" {
                    for (key, party) in [(person_key, &case.parties[0]), (truck_key, &case.parties[1])] {
                        if let Some(id) = &party.entity_id {
                            known.entry(key).or_insert_with(|| id.clone());
                        }
                    }
                }
                recorded += 1;
                // Older cases have moved on: verified, seized, then handled or transferred.
                let age_days = (now - at) / DAY_MS;
                if age_days > 7 {
                    let v = app.transition_case(&actor, &case.id, 1, "verified", "").await?;
                    let v = app.transition_case(&actor, &case.id, v.version, "seized", "").await?;
                    // RED cases stay in the gate unit; the provincial head cannot see them.
                    if age_days > 45 && tlp != "red" {
                        let (to, why) = if rng.next().is_multiple_of(6) {
                            ("transferred_for_investigation", "Chuyển cơ quan điều tra theo thẩm quyền")
                        } else {
                            ("administratively_handled", "Xử phạt vi phạm hành chính, tịch thu hàng hóa")
                        };
                        app.transition_case(&head, &case.id, v.version, to, why).await?;
                    }
                }
            }
        }
    }
    Ok(recorded)
}

/// The violation type a seizure of this commodity is recorded under.
fn case_type_of(category: &str) -> &'static str {
    match category {
        "counterfeit-goods" => "counterfeit",
        "ip-infringing" => "ip_infringement",
        "drugs-precursors" => "drugs_precursors",
        "wildlife-timber" => "wildlife",
        "gold-currency" => "currency_gold",
        _ => "smuggling",
    }
}

fn person(rng: &mut Seq) -> String {
    format!("{} {} {}", rng.pick(FAMILY), rng.pick(MIDDLE), rng.pick(GIVEN))
}

fn cccd(rng: &mut Seq) -> String {
    format!("0{:02}0{:08}", rng.next() % 96 + 1, rng.next() % 100_000_000)
}

fn plate(rng: &mut Seq, prefix: &str) -> String {
    let series = rng.pick(&["C", "H", "LD", "D"]);
    format!("{prefix}{series}-{:03}.{:02}", rng.next() % 1000, rng.next() % 100)
}
