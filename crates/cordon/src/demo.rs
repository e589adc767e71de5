//! Demo data: the agencies, units and people of several border and port provinces, so
//! that a first start shows a living system. Everything goes through the use cases, so
//! the demo is validated and audited like real input. Deterministic for a given seed:
//! the same seed gives the same units, people and passwords.

use anyhow::Context;
use cordon_app::{Actor, AgreementInput, App, GroupInput, NewAgencyInput, NewUnitInput, NewUserInput};
use sha2::{Digest, Sha256};

/// A demo login to print.
pub struct DemoLogin {
    /// Login name.
    pub username: String,
    /// Password (derived from the seed).
    pub password: String,
    /// What the account is for.
    pub what: String,
}

const AGENCIES: &[(&str, &str, &str, &str, &str)] = &[
    ("customs-vn", "customs", "Cục Hải quan", "Vietnam Customs", "VN"),
    ("border-guard-vn", "border_guard", "Bộ đội Biên phòng", "Border Guard", "VN"),
    ("police-vn", "police", "Công an nhân dân", "People's Police", "VN"),
    ("coast-guard-vn", "coast_guard", "Cảnh sát biển Việt Nam", "Vietnam Coast Guard", "VN"),
    (
        "market-surveillance-vn",
        "market_surveillance",
        "Cục Quản lý và Phát triển thị trường trong nước",
        "Domestic Market Surveillance",
        "VN",
    ),
    ("tax-vn", "tax", "Cục Thuế", "Tax Department", "VN"),
    ("customs-cn", "foreign_customs", "Tổng cục Hải quan Trung Quốc", "General Administration of Customs of China", "CN"),
    ("customs-la", "foreign_customs", "Tổng cục Hải quan Lào", "Lao Customs Department", "LA"),
    ("customs-kh", "foreign_customs", "Tổng cục Hải quan và Thuế Campuchia", "General Department of Customs and Excise of Cambodia", "KH"),
    ("wco-rilo-ap", "international_organisation", "Văn phòng RILO châu Á - Thái Bình Dương", "WCO RILO Asia/Pacific", "KR"),
];

/// A border gate or port: (port code, Vietnamese name, English name).
type Gate = (&'static str, &'static str, &'static str);

/// (province code, Vietnamese, English, its border gates and ports).
const PROVINCES: &[(&str, &str, &str, &[Gate])] = &[
    ("lang-son", "Lạng Sơn", "Lang Son", &[("huu-nghi", "Hữu Nghị", "Huu Nghi"), ("tan-thanh", "Tân Thanh", "Tan Thanh")]),
    ("quang-ninh", "Quảng Ninh", "Quang Ninh", &[("mong-cai", "Móng Cái", "Mong Cai"), ("cai-lan", "cảng Cái Lân", "Cai Lan Port")]),
    ("lao-cai", "Lào Cai", "Lao Cai", &[("lao-cai", "Lào Cai", "Lao Cai")]),
    ("an-giang", "An Giang", "An Giang", &[("tinh-bien", "Tịnh Biên", "Tinh Bien"), ("ha-tien", "Hà Tiên", "Ha Tien")]),
    ("hai-phong", "Hải Phòng", "Hai Phong", &[("hai-phong-port", "cảng Hải Phòng", "Hai Phong Port")]),
    ("tay-ninh", "Tây Ninh", "Tay Ninh", &[("moc-bai", "Mộc Bài", "Moc Bai")]),
];

const FAMILY: &[&str] = &["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"];
const MIDDLE: &[&str] = &["Văn", "Thị", "Đức", "Hữu", "Minh", "Thanh", "Quốc", "Ngọc"];
const GIVEN: &[&str] = &[
    "An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hương", "Lan", "Long", "Mai", "Nam", "Phong", "Quân", "Sơn", "Thảo", "Tuấn", "Việt", "Yến",
];

/// A small deterministic generator (SplitMix64): the demo must not change when a
/// dependency's random algorithm does.
pub(crate) struct Seq(u64);

impl Seq {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub(crate) fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

fn password(seed: u64, username: &str) -> String {
    let digest = Sha256::digest(format!("cordon-demo:{seed}:{username}").as_bytes());
    format!("Demo-{}", &hex::encode(digest)[..12])
}

/// Seeds an empty store and returns the logins to print. Refuses a store that has users.
pub async fn seed(app: &App, seed: u64) -> anyhow::Result<Vec<DemoLogin>> {
    let cli = Actor::cli();
    if app.store().count_users().await? > 0 {
        anyhow::bail!("the store already has users; the demo seeds only an empty store");
    }
    let mut rng = Seq(seed);
    for (id, kind, vi, en, country) in AGENCIES {
        let input = NewAgencyInput {
            id: (*id).into(),
            kind: (*kind).into(),
            name_vi: (*vi).into(),
            name_en: (*en).into(),
            country: Some((*country).into()),
        };
        app.create_agency(&cli, input).await.with_context(|| format!("agency {id}"))?;
    }
    let unit = |id: String, agency: &str, parent: Option<String>, vi: String, en: String, province: Option<&str>| NewUnitInput {
        id,
        agency_id: agency.into(),
        parent_id: parent,
        name_vi: vi,
        name_en: en,
        province: province.map(Into::into),
    };
    let mut inputs = vec![
        unit(
            "customs-hq-asid".into(),
            "customs-vn",
            None,
            "Cục Điều tra chống buôn lậu".into(),
            "Anti-Smuggling and Investigation Department".into(),
            None,
        ),
        unit("border-guard-hq".into(), "border-guard-vn", None, "Bộ Tư lệnh Bộ đội Biên phòng".into(), "Border Guard Command".into(), None),
        unit(
            "police-c03".into(),
            "police-vn",
            None,
            "Cục Cảnh sát điều tra tội phạm về tham nhũng, kinh tế, buôn lậu".into(),
            "Economic Crime Police Department".into(),
            None,
        ),
        unit(
            "coast-guard-r1".into(),
            "coast-guard-vn",
            None,
            "Bộ Tư lệnh Vùng Cảnh sát biển 1".into(),
            "Coast Guard Region 1".into(),
            Some("hai-phong"),
        ),
        unit(
            "market-surveillance-hq".into(),
            "market-surveillance-vn",
            None,
            "Cục Quản lý thị trường".into(),
            "Market Surveillance Department".into(),
            None,
        ),
        unit("tax-hq".into(), "tax-vn", None, "Cục Thuế".into(), "Tax Department".into(), None),
        unit(
            "customs-cn-hq".into(),
            "customs-cn",
            None,
            "Hải quan Trung Quốc - đầu mối liên lạc".into(),
            "China Customs liaison desk".into(),
            None,
        ),
        unit("customs-la-hq".into(), "customs-la", None, "Hải quan Lào - đầu mối liên lạc".into(), "Lao Customs liaison desk".into(), None),
        unit(
            "customs-kh-hq".into(),
            "customs-kh",
            None,
            "Hải quan Campuchia - đầu mối liên lạc".into(),
            "Cambodian Customs liaison desk".into(),
            None,
        ),
        unit("wco-rilo-ap-desk".into(), "wco-rilo-ap", None, "RILO A/P".into(), "RILO A/P desk".into(), None),
    ];
    for (code, vi, en, gates) in PROVINCES {
        let customs = format!("customs-{code}");
        inputs.push(unit(customs.clone(), "customs-vn", None, format!("Hải quan {vi}"), format!("{en} Customs"), Some(code)));
        for (gate, gvi, gen) in *gates {
            inputs.push(unit(
                format!("customs-{code}-{gate}"),
                "customs-vn",
                Some(customs.clone()),
                format!("Hải quan cửa khẩu {gvi}"),
                format!("{gen} Border Gate Customs"),
                Some(code),
            ));
        }
        inputs.push(unit(
            format!("border-guard-{code}"),
            "border-guard-vn",
            Some("border-guard-hq".into()),
            format!("Bộ đội Biên phòng tỉnh {vi}"),
            format!("{en} Border Guard"),
            Some(code),
        ));
        inputs.push(unit(
            format!("police-{code}"),
            "police-vn",
            None,
            format!("Công an tỉnh {vi}"),
            format!("{en} Provincial Police"),
            Some(code),
        ));
        inputs.push(unit(
            format!("market-surveillance-{code}"),
            "market-surveillance-vn",
            Some("market-surveillance-hq".into()),
            format!("Chi cục Quản lý thị trường {vi}"),
            format!("{en} Market Surveillance"),
            Some(code),
        ));
    }
    for input in inputs {
        let id = input.id.clone();
        app.create_unit(&cli, input).await.with_context(|| format!("unit {id}"))?;
    }

    let mut logins = Vec::new();
    let person = |rng: &mut Seq| format!("{} {} {}", rng.pick(FAMILY), rng.pick(MIDDLE), rng.pick(GIVEN));
    let add = |username: String, unit: &str, roles: &[&str], what: String, display: String| {
        let pw = password(seed, &username);
        let input = NewUserInput {
            username: username.clone(),
            display_name: display,
            unit_id: unit.into(),
            roles: roles.iter().map(|r| (*r).to_string()).collect(),
            password: pw.clone(),
            must_change_password: false,
            language: Some(if unit.starts_with("customs-cn") || unit.starts_with("wco") { "en" } else { "vi" }.into()),
        };
        (input, DemoLogin { username, password: pw, what })
    };
    let mut people = vec![
        add("admin".into(), "sco-389-national", &["administrator"], "administrator".into(), "Quản trị hệ thống".into()),
        add("auditor".into(), "sco-389-national", &["auditor"], "auditor".into(), person(&mut rng)),
        add(
            "hotline".into(),
            "sco-389-national",
            &["hotline_operator"],
            "hotline operator, Steering Committee 389".into(),
            person(&mut rng),
        ),
        add(
            "analyst".into(),
            "customs-hq-asid",
            &["analyst", "officer"],
            "analyst, Anti-Smuggling and Investigation Dept.".into(),
            person(&mut rng),
        ),
        add("liaison".into(), "customs-hq-asid", &["liaison_officer", "officer"], "international liaison officer".into(), person(&mut rng)),
        add("rilo".into(), "wco-rilo-ap-desk", &["liaison_officer"], "WCO RILO A/P analyst (foreign partner)".into(), "Kim Min-jun".into()),
    ];
    for (code, _, en, gates) in PROVINCES {
        let short = code.replace('-', "");
        people.push(add(
            format!("hq.{short}.head"),
            &format!("customs-{code}"),
            &["unit_head", "officer"],
            format!("head, {en} Customs"),
            person(&mut rng),
        ));
        people.push(add(
            format!("hq.{short}.deputy"),
            &format!("customs-{code}"),
            &["deputy_head", "officer"],
            format!("deputy head, {en} Customs"),
            person(&mut rng),
        ));
        for (gate, _, gen) in *gates {
            let g = gate.replace('-', "");
            people.push(add(
                format!("hq.{g}"),
                &format!("customs-{code}-{gate}"),
                &["officer"],
                format!("officer, {gen} Border Gate Customs"),
                person(&mut rng),
            ));
        }
        people.push(add(
            format!("bp.{short}"),
            &format!("border-guard-{code}"),
            &["officer", "unit_head"],
            format!("head, {en} Border Guard"),
            person(&mut rng),
        ));
        people.push(add(
            format!("ca.{short}"),
            &format!("police-{code}"),
            &["officer"],
            format!("officer, {en} Provincial Police"),
            person(&mut rng),
        ));
        people.push(add(
            format!("qltt.{short}"),
            &format!("market-surveillance-{code}"),
            &["officer"],
            format!("officer, {en} Market Surveillance"),
            person(&mut rng),
        ));
    }
    app.ensure_standing_office().await?;
    for (input, login) in people {
        app.create_user(&cli, input).await.with_context(|| format!("user {}", login.username))?;
        logins.push(login);
    }
    let now = app.now_ms();
    // (id, name, the two agencies, personal details disclosed, case types, urgent window in minutes)
    let agreements = [
        ("qcph-customs-border-guard", "Quy chế phối hợp Hải quan – Bộ đội Biên phòng", "customs-vn", "border-guard-vn", true, vec![], None),
        (
            "qcph-customs-police",
            "Quy chế phối hợp Hải quan – Công an",
            "customs-vn",
            "police-vn",
            true,
            vec!["smuggling", "illegal_transport", "drugs_precursors", "trade_fraud"],
            None,
        ),
        (
            "qcph-customs-market",
            "Quy chế phối hợp Hải quan – Quản lý thị trường",
            "customs-vn",
            "market-surveillance-vn",
            false,
            vec![],
            None,
        ),
        // At sea a boat does not wait: urgent notices between Customs and the Coast Guard within five minutes.
        ("qcph-customs-coast-guard", "Quy chế phối hợp Hải quan – Cảnh sát biển", "customs-vn", "coast-guard-vn", true, vec![], Some(5)),
        ("qcph-border-guard-police", "Quy chế phối hợp Bộ đội Biên phòng – Công an", "border-guard-vn", "police-vn", true, vec![], None),
    ];
    for (id, name, a, b, disclose, types, urgent) in agreements {
        let a = AgreementInput {
            id: id.into(),
            name: name.into(),
            agency_a: a.into(),
            agency_b: b.into(),
            case_types: types.into_iter().map(String::from).collect(),
            disclose_personal: disclose,
            valid_from: now - 3 * 365 * 86_400_000,
            valid_until: None,
            ack_windows: cordon_app::AckWindows { urgent, ..Default::default() },
        };
        app.create_agreement(&cli, a).await.with_context(|| format!("agreement {id}"))?;
    }
    let mekong = GroupInput {
        id: "mekong-dragon".into(),
        name: "Chiến dịch Rồng Mê Kông / Mekong Dragon".into(),
        owner_agency_id: "customs-vn".into(),
        members: vec!["customs-cn".into(), "customs-la".into(), "customs-kh".into(), "wco-rilo-ap".into(), "police-vn".into()],
    };
    app.create_group(&cli, mekong).await.context("sharing group")?;
    crate::demo_cases::seed_cases(app, &mut rng, now).await?;
    seed_tips(app).await?;
    Ok(logins)
}

/// A few calls the hotline took, so the tips queue is not empty; the first two tell of the
/// same truck, so the page shows a repeat.
async fn seed_tips(app: &App) -> anyhow::Result<()> {
    let hotline = app.actor_for_operator("hotline").await.context("demo hotline operator")?;
    let calls = [
        (
            "Xe tải biển 12C-045.67 chở thuốc lá lậu đi qua đường mòn gần cửa khẩu Tân Thanh vào ban đêm, gọi 0912 345 678",
            Some("lang-son"),
            false,
        ),
        ("Xe tải 12C-045.67 chở thuốc lá lậu đi đường mòn Tân Thanh lúc nửa đêm, chủ xe dùng số 0912.345.678", Some("lang-son"), false),
        ("Trang Facebook 'Mỹ phẩm Hàn xách tay' bán kem dưỡng giả nhãn hiệu, giao hàng toàn quốc", None, true),
    ];
    for (body, province, ecommerce) in calls {
        let input = cordon_app::TipInput {
            body: body.into(),
            province: province.map(Into::into),
            place: None,
            violation_type: None,
            ecommerce,
            reporter_name: None,
            reporter_contact: None,
            consent: false,
            files: Vec::new(),
            challenge: String::new(),
            nonce: String::new(),
        };
        app.record_hotline_tip(&hotline, input).await.context("demo tip")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_follow_the_seed_and_pass_the_rules() {
        assert_eq!(password(7, "admin"), password(7, "admin"));
        assert_ne!(password(7, "admin"), password(8, "admin"));
        assert!(cordon_core::account::validate_password(&password(7, "hq.langson.head"), "hq.langson.head").is_ok());
        let mut a = Seq(1);
        let mut b = Seq(1);
        assert_eq!((a.next(), a.next()), (b.next(), b.next()));
    }
}
