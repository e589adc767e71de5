//! Which column feeds which field of a case.

use std::collections::BTreeMap;

use cordon_app::CaseInput;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::TransferError;

/// The flat fields a mapping may name.
pub const FIELDS: &[&str] = &[
    "external_ref",
    "title",
    "summary",
    "case_type",
    "detected_at",
    "seized_at",
    "province",
    "port",
    "route",
    "place_type",
    "concealment",
    "transport_mode",
    "detection_method",
    "plate",
    "tlp",
    "distribution",
    "goods_description",
    "goods_hs_code",
    "goods_category",
    "goods_brand",
    "goods_quantity",
    "goods_unit",
    "goods_weight_kg",
    "goods_value_vnd",
    "party_name",
    "party_kind",
    "party_role",
    "party_cccd",
    "party_cmnd",
    "party_passport",
    "party_tax_code",
    "party_phone",
];

/// A column mapping: field → column, and field → default value.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// Which column feeds each field.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// Values for fields no column gives (or where the column is empty).
    #[serde(default)]
    pub defaults: BTreeMap<String, String>,
    /// How many party slots the mapping names (`party_name`, `party2_name`…), set when it is
    /// checked, so that rows do not probe the slots it leaves out.
    #[serde(skip)]
    party_slots: usize,
}

/// Most parties one flat row may carry: `party_…` then `party2_…` to `party9_…`.
pub const MAX_ROW_PARTIES: usize = 9;

/// The field prefix of the row's `n`th party (1-based): `party`, `party2`, … `party9`.
fn party_prefix(n: usize) -> String {
    if n == 1 {
        "party".to_string()
    } else {
        format!("party{n}")
    }
}

/// Whether a mapping may name `key`: a flat case field, or a numbered party's field (`party2_name`).
fn known_field(key: &str) -> bool {
    if FIELDS.contains(&key) {
        return true;
    }
    let Some((prefix, rest)) = key.split_once('_') else { return false };
    (2..=MAX_ROW_PARTIES).any(|n| prefix == party_prefix(n)) && FIELDS.contains(&format!("party_{rest}").as_str())
}

impl Mapping {
    /// Parses and checks a mapping written in TOML.
    pub fn parse(text: &str) -> Result<Mapping, TransferError> {
        let mut m: Mapping = toml::from_str(text).map_err(|e| TransferError::Mapping(e.to_string()))?;
        for key in m.columns.keys().chain(m.defaults.keys()) {
            if !known_field(key) {
                return Err(TransferError::Mapping(format!(
                    "`{key}` is not a case field; known fields: {} (and party2_… to party{MAX_ROW_PARTIES}_…)",
                    FIELDS.join(", ")
                )));
            }
        }
        m.require_essentials()?;
        m.count_party_slots();
        Ok(m)
    }

    /// The mapping of a table whose columns are named after the fields.
    pub fn by_field_names(headers: &[String]) -> Result<Mapping, TransferError> {
        let columns = headers.iter().filter(|h| known_field(h)).map(|h| (h.clone(), h.clone())).collect();
        let mut m = Mapping { columns, defaults: BTreeMap::new(), party_slots: 0 };
        m.count_party_slots();
        m.require_essentials().map_err(|_| {
            TransferError::File(format!(
                "without a mapping, the header must name the fields (at least title and detected_at); it has: {}",
                headers.join(", ")
            ))
        })?;
        Ok(m)
    }

    fn count_party_slots(&mut self) {
        let named = |field: &str| self.columns.contains_key(field) || self.defaults.contains_key(field);
        self.party_slots = (1..=MAX_ROW_PARTIES).filter(|&n| named(&format!("{}_name", party_prefix(n)))).max().unwrap_or(0);
    }

    fn require_essentials(&self) -> Result<(), TransferError> {
        for required in ["title", "detected_at"] {
            if !self.columns.contains_key(required) && !self.defaults.contains_key(required) {
                return Err(TransferError::Mapping(format!("it must give a column for `{required}`")));
            }
        }
        Ok(())
    }

    /// Checks that every column the mapping names is in the header.
    pub(crate) fn check_header(&self, headers: &[String]) -> Result<(), TransferError> {
        for col in self.columns.values() {
            if !headers.contains(col) {
                return Err(TransferError::File(format!(
                    "the mapping names column `{col}`, which the header does not have (it has: {})",
                    headers.join(", ")
                )));
            }
        }
        Ok(())
    }

    /// Builds a case from a row's values by column name; `Err((field, reason))` for a bad value.
    pub fn case(&self, get: &dyn Fn(&str) -> Option<String>) -> Result<CaseInput, (String, String)> {
        let value = |field: &str| -> Option<String> {
            self.columns
                .get(field)
                .and_then(|col| get(col))
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .or_else(|| self.defaults.get(field).cloned())
        };
        let number = |field: &str| -> Result<Option<Value>, (String, String)> {
            match value(field) {
                None => Ok(None),
                Some(v) => {
                    // 1.234.567 and 1 234 567 are how Vietnamese write amounts; a comma is the decimal mark.
                    let cleaned = v.replace(['.', ' '], "").replace(',', ".");
                    cleaned.parse::<f64>().map(|n| Some(json!(n))).map_err(|_| (field.to_string(), format!("{v:?} is not a number")))
                }
            }
        };
        let date = |field: &str| -> Result<Option<i64>, (String, String)> {
            match value(field) {
                None => Ok(None),
                Some(v) => cordon_core::time::parse_datetime(&v)
                    .map(Some)
                    .ok_or_else(|| (field.to_string(), format!("{v:?} is not a date (dd/mm/yyyy [hh:mm] or yyyy-mm-dd)"))),
            }
        };
        let mut case = Map::new();
        for field in [
            "external_ref",
            "title",
            "summary",
            "case_type",
            "province",
            "port",
            "route",
            "place_type",
            "concealment",
            "transport_mode",
            "detection_method",
        ] {
            if let Some(v) = value(field) {
                case.insert(field.into(), json!(v));
            }
        }
        case.entry("summary").or_insert(json!(""));
        case.entry("case_type").or_insert(json!("other"));
        let detected = date("detected_at")?.ok_or_else(|| ("detected_at".to_string(), "required".to_string()))?;
        case.insert("detected_at".into(), json!(detected));
        if let Some(s) = date("seized_at")? {
            case.insert("seized_at".into(), json!(s));
        }
        if let Some(p) = value("plate") {
            case.insert("conveyance".into(), json!({ "plate": p }));
        }
        if let Some(d) = value("goods_description") {
            let mut g = Map::new();
            g.insert("description".into(), json!(d));
            for (field, key) in
                [("goods_hs_code", "hs_code"), ("goods_category", "category"), ("goods_brand", "brand"), ("goods_unit", "unit")]
            {
                if let Some(v) = value(field) {
                    g.insert(key.into(), json!(v));
                }
            }
            for (field, key) in [("goods_quantity", "quantity"), ("goods_weight_kg", "weight_kg")] {
                if let Some(n) = number(field)? {
                    g.insert(key.into(), n);
                }
            }
            if let Some(n) = number("goods_value_vnd")? {
                g.insert("value_vnd".into(), json!(n.as_f64().map_or(0, |f| f.round() as i64)));
            }
            case.insert("goods".into(), json!([g]));
        }
        let mut parties = Vec::new();
        for n in 1..=self.party_slots {
            let prefix = party_prefix(n);
            let Some(name) = value(&format!("{prefix}_name")) else { continue };
            let mut ids = Map::new();
            for scheme in ["cccd", "cmnd", "passport", "tax_code", "phone"] {
                if let Some(v) = value(&format!("{prefix}_{scheme}")) {
                    ids.insert(scheme.into(), json!(v));
                }
            }
            let kind = value(&format!("{prefix}_kind")).unwrap_or_else(|| "person".into());
            let role = value(&format!("{prefix}_role")).unwrap_or_else(|| "suspect".into());
            parties.push(json!({ "kind": kind, "name": name, "identifiers": ids, "role": role }));
        }
        if !parties.is_empty() {
            case.insert("parties".into(), Value::Array(parties));
        }
        let distribution: Vec<String> = value("distribution")
            .unwrap_or_else(|| "own_agency".into())
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        case.insert("sharing".into(), json!({ "tlp": value("tlp").unwrap_or_else(|| "amber".into()), "distribution": distribution }));
        serde_json::from_value(Value::Object(case)).map_err(|e| ("row".to_string(), e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mapping_names_known_fields_and_the_essentials() {
        assert!(Mapping::parse("[columns]\ntitle = \"a\"\ndetected_at = \"b\"").is_ok());
        assert!(Mapping::parse("[columns]\ntitle = \"a\"").is_err(), "detected_at is essential");
        assert!(Mapping::parse("[columns]\ntitle = \"a\"\ndetected_at = \"b\"\nshoe_size = \"c\"").is_err());
        assert!(Mapping::parse("not toml [").is_err());
        assert!(Mapping::parse("[columns]\ntitle = \"a\"\ndetected_at = \"b\"\nparty3_name = \"c\"").is_ok(), "numbered parties");
        assert!(Mapping::parse("[columns]\ntitle = \"a\"\ndetected_at = \"b\"\nparty10_name = \"c\"").is_err(), "at most nine");
        assert!(Mapping::by_field_names(&["title".into(), "detected_at".into(), "note".into()]).is_ok());
        assert!(Mapping::by_field_names(&["tieu_de".into()]).is_err());
    }

    #[test]
    fn vietnamese_numbers_and_dates() {
        let m =
            Mapping::parse("[columns]\ntitle = \"t\"\ndetected_at = \"d\"\ngoods_description = \"g\"\ngoods_value_vnd = \"v\"").unwrap();
        let row = |d: &str, v: &str| {
            let (d, v) = (d.to_string(), v.to_string());
            m.case(&move |c: &str| match c {
                "t" => Some("Thu giữ".into()),
                "d" => Some(d.clone()),
                "g" => Some("Thuốc lá".into()),
                "v" => Some(v.clone()),
                _ => None,
            })
        };
        let case = row("15/01/2026 08:30", "1.234.567").unwrap();
        assert_eq!(case.goods[0].value_vnd, Some(1_234_567));
        assert_eq!(case.detected_at, cordon_core::time::parse_datetime("2026-01-15T08:30").unwrap());
        assert_eq!(row("32/01/2026", "1").unwrap_err().0, "detected_at");
        assert_eq!(row("15/01/2026", "mười").unwrap_err().0, "goods_value_vnd");
    }
}
