//! `cordon import` and `cordon export` on real files: every bad row reported with its line
//! and nothing written, idempotent re-imports, exports of what the user may see, and
//! FollowTheMoney output checked by the `followthemoney` Python package itself.

mod common;

use std::process::Command;

use common::cordon;

/// A store with the Standing Office (bootstrapped by a first start) and an officer in it.
fn store_with_officer() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    drop(common::start(dir.path()));
    let out = cordon(
        dir.path(),
        &[
            "user",
            "add",
            "--username",
            "officer1",
            "--display-name",
            "Lê Văn Cường",
            "--unit",
            "sco-389-national",
            "--role",
            "officer",
            "--keep-password",
        ],
        Some("a long enough password"),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    dir
}

const MAPPING: &str = r#"
[columns]
external_ref = "Số vụ"
title = "Tiêu đề"
detected_at = "Ngày phát hiện"
province = "Tỉnh"
goods_description = "Hàng hóa"
goods_hs_code = "Mã HS"
goods_quantity = "Số lượng"
goods_value_vnd = "Trị giá"
party_name = "Đối tượng"
party_cccd = "CCCD"
[defaults]
case_type = "smuggling"
tlp = "amber_strict"
distribution = "own_agency"
"#;

const GOOD: &str = "Số vụ,Tiêu đề,Ngày phát hiện,Tỉnh,Hàng hóa,Mã HS,Số lượng,Trị giá,Đối tượng,CCCD
HG-001,\"Thu giữ pháo nổ, giấu trong bao tải\",15/01/2026 06:30,Hà Giang,Pháo nổ,3604.10,120,\"48.000.000\",Nguyễn Văn An,020085012345
HG-002,Thu giữ thuốc lá ngoại,2026-01-14,Lạng Sơn,Thuốc lá Esse,2402.20,\"1.500\",37500000,,
";

#[test]
fn import_checks_everything_writes_all_or_nothing_and_is_idempotent() {
    let dir = store_with_officer();
    let d = dir.path();
    std::fs::write(d.join("map.toml"), MAPPING).unwrap();
    std::fs::write(d.join("good.csv"), GOOD).unwrap();
    let map = d.join("map.toml");
    let good = d.join("good.csv");
    let (map, good) = (map.to_str().unwrap(), good.to_str().unwrap());

    let out = cordon(d, &["import", "--as", "officer1", "--mapping", map, "--dry-run", good], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 rows are valid"));
    let export = cordon(d, &["export", "--as", "officer1"], None);
    assert_eq!(String::from_utf8_lossy(&export.stdout).lines().count(), 0, "a dry run writes nothing");

    let out = cordon(d, &["import", "--as", "officer1", "--mapping", map, good], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Imported 2 cases"));
    let again = cordon(d, &["import", "--as", "officer1", "--mapping", map, good], None);
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("Imported 0 cases")
            && String::from_utf8_lossy(&again.stdout).contains("2 already present")
    );

    let export = cordon(d, &["export", "--as", "officer1", "--q", "phao no"], None);
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&export.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 1, "search without diacritics in the export");
    assert_eq!(lines[0]["province_code"], "tuyen-quang", "Hà Giang is part of Tuyên Quang since 2025");
    assert_eq!(lines[0]["goods"][0]["value_vnd"], 48_000_000);
    assert_eq!(lines[0]["goods"][0]["hs_code"], "360410");
    assert_eq!(lines[0]["title"], "Thu giữ pháo nổ, giấu trong bao tải");

    let csv = cordon(d, &["export", "--as", "officer1", "--format", "csv"], None);
    let text = String::from_utf8_lossy(&csv.stdout);
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(text.contains("\"Thu giữ pháo nổ, giấu trong bao tải\""));
}

#[test]
fn a_file_with_bad_rows_is_reported_line_by_line_and_changes_nothing() {
    let dir = store_with_officer();
    let d = dir.path();
    std::fs::write(d.join("map.toml"), MAPPING).unwrap();
    let mut bad = GOOD.as_bytes().to_vec();
    bad.extend_from_slice("HG-003,Số lượng sai,15/01/2026,Lạng Sơn,Đường,1701,nhiều,1000,,\n".as_bytes()); // line 4: wrong type
    bad.extend_from_slice("HG-004,Tỉnh lạ,15/01/2026,Atlantis,Đường,1701,10,1000,,\n".as_bytes()); // line 5: unknown province
    bad.extend_from_slice("HG-005,Mã HS sai,15/01/2026,Lạng Sơn,Đường,7700,10,1000,,\n".as_bytes()); // line 6: bad HS code
    bad.extend_from_slice("HG-001,Trùng số vụ,15/01/2026,Lạng Sơn,Đường,1701,10,1000,,\n".as_bytes()); // line 7: duplicate reference
    bad.extend_from_slice(b"HG-007,\xff\xfe broken,15/01/2026,L\xe1ng,x,1701,1,1,,\n"); // line 8: broken UTF-8
    bad.extend_from_slice(format!("HG-008,{},15/01/2026,Lạng Sơn,x,1701,1,1,,\n", "x".repeat(2 << 20)).as_bytes()); // line 9: a 2 MB row
    bad.extend_from_slice("HG-009,Ngày sai,31/02/2026,Lạng Sơn,x,1701,1,1,,\n".as_bytes()); // line 10: impossible date
    std::fs::write(d.join("bad.csv"), &bad).unwrap();
    let out = cordon(
        d,
        &["import", "--as", "officer1", "--mapping", d.join("map.toml").to_str().unwrap(), d.join("bad.csv").to_str().unwrap()],
        None,
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    for (line, what) in
        [(4, "goods_quantity"), (5, "province"), (6, "hs_code"), (7, "duplicate reference"), (8, "UTF-8"), (9, "bytes"), (10, "not a date")]
    {
        let want = format!("line {line}:");
        let row = err.lines().find(|l| l.contains(&want)).unwrap_or_else(|| panic!("no report for line {line}: {err}"));
        assert!(row.contains(what), "line {line} should mention {what}: {row}");
    }
    assert!(err.contains("nothing was imported"), "{err}");
    let export = cordon(d, &["export", "--as", "officer1"], None);
    assert_eq!(String::from_utf8_lossy(&export.stdout).lines().count(), 0, "not even the good rows were written");

    let out = cordon(
        d,
        &["import", "--as", "officer1", "--mapping", d.join("map.toml").to_str().unwrap(), d.join("nope.csv").to_str().unwrap()],
        None,
    );
    assert!(!out.status.success());
    std::fs::write(d.join("wrong.toml"), "[columns]\ntitle = \"Tiêu đề\"\ndetected_at = \"Ngày\"\nweather = \"x\"\n").unwrap();
    let out = cordon(
        d,
        &["import", "--as", "officer1", "--mapping", d.join("wrong.toml").to_str().unwrap(), d.join("bad.csv").to_str().unwrap()],
        None,
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("weather"), "an unknown field in the mapping is named");
}

#[test]
fn followthemoney_export_validates_with_the_reference_package() {
    let dir = store_with_officer();
    let d = dir.path();
    std::fs::write(d.join("map.toml"), MAPPING).unwrap();
    std::fs::write(d.join("good.csv"), GOOD).unwrap();
    let out = cordon(
        d,
        &["import", "--as", "officer1", "--mapping", d.join("map.toml").to_str().unwrap(), d.join("good.csv").to_str().unwrap()],
        None,
    );
    assert!(out.status.success());
    let ftm = cordon(d, &["export", "--as", "officer1", "--format", "ftm", "--output", d.join("out.ftm.json").to_str().unwrap()], None);
    assert!(ftm.status.success());
    let text = std::fs::read_to_string(d.join("out.ftm.json")).unwrap();
    let entities: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(entities.iter().filter(|e| e["schema"] == "Event").count(), 2);
    assert_eq!(entities.iter().filter(|e| e["schema"] == "Person").count(), 1);
    let Ok(python) = std::env::var("CORDON_FTM_PYTHON") else {
        assert!(std::env::var("CORDON_REQUIRE_FTM").as_deref() != Ok("1"), "CORDON_REQUIRE_FTM=1 but CORDON_FTM_PYTHON is not set");
        eprintln!("FollowTheMoney validation SKIPPED: set CORDON_FTM_PYTHON to a Python with the followthemoney package");
        return;
    };
    // Strict: every schema and property must exist and every value must be valid for its type.
    let check = r#"
import json, sys
from followthemoney import model
n = 0
for line in open(sys.argv[1], encoding="utf-8"):
    data = json.loads(line)
    schema = model.get(data["schema"])
    assert schema is not None, data["schema"]
    for name, values in data["properties"].items():
        prop = schema.get(name)
        assert prop is not None, f"{schema.name} has no property {name}"
        for v in values:
            assert prop.type.validate(v), f"{schema.name}.{name}: {v!r} is not a valid {prop.type.name}"
    proxy = model.get_proxy(data, cleaned=False)
    assert proxy.id == data["id"]
    n += 1
print(n)
"#;
    let out = Command::new(python).arg("-c").arg(check).arg(d.join("out.ftm.json")).output().expect("run python");
    assert!(out.status.success(), "followthemoney refused the export: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), entities.len().to_string());
}

#[test]
fn several_parties_per_row_and_batches_number_references_in_file_order() {
    let dir = store_with_officer();
    let d = dir.path();
    let mapping = "[columns]\nexternal_ref = \"so_vu\"\ntitle = \"tieu_de\"\ndetected_at = \"ngay\"\nprovince = \"tinh\"\n\
                   party_name = \"doi_tuong\"\nparty_cccd = \"cccd\"\nparty2_name = \"doi_tuong_2\"\nparty2_role = \"vai_tro_2\"\n\
                   party3_name = \"doi_tuong_3\"\n[defaults]\ncase_type = \"smuggling\"\ntlp = \"amber_strict\"\ndistribution = \"own_agency\"\n";
    std::fs::write(d.join("map.toml"), mapping).unwrap();
    let mut file = String::from("so_vu,tieu_de,ngay,tinh,doi_tuong,cccd,doi_tuong_2,vai_tro_2,doi_tuong_3\n");
    for i in 1..=7 {
        let (second, third) = match i % 3 {
            0 => ("", ""),
            1 => ("Trần Thị Bình", ""),
            _ => ("Lê Văn Cường", "Phạm Đức Dũng"),
        };
        file.push_str(&format!("LS-{i:03},Vụ thứ {i},0{i}/02/2026,Lạng Sơn,Nguyễn Văn An,02008501234{i},{second},driver,{third}\n"));
    }
    std::fs::write(d.join("many.csv"), &file).unwrap();
    let map = d.join("map.toml");
    let many = d.join("many.csv");
    let (map, many) = (map.to_str().unwrap(), many.to_str().unwrap());

    // Batches of 3: three transactions, references still numbered in file order.
    let out = cordon(d, &["import", "--as", "officer1", "--mapping", map, "--batch", "3", many], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Imported 7 cases"));
    let again = cordon(d, &["import", "--as", "officer1", "--mapping", map, "--batch", "3", many], None);
    assert!(String::from_utf8_lossy(&again.stdout).contains("7 already present"));

    let export = cordon(d, &["export", "--as", "officer1"], None);
    let cases: Vec<serde_json::Value> = String::from_utf8_lossy(&export.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(cases.len(), 7);
    for c in &cases {
        let i: usize = c["external_ref"].as_str().unwrap()[3..].parse().unwrap();
        assert_eq!(c["reference"], format!("VV-LANGSON-2026-{i:06}"), "numbered in file order across batches");
        let parties = c["parties"].as_array().unwrap();
        assert_eq!(parties.len(), [1, 2, 3][i % 3], "{c}");
        assert_eq!(parties[0]["name"], "Nguyễn Văn An");
        assert_eq!(parties[0]["identifiers"]["cccd"], format!("02008501234{i}"));
        if parties.len() > 1 {
            assert_eq!(parties[1]["role"], "driver");
        }
    }
}
