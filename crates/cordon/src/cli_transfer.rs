//! `cordon import` and `cordon export`: cases from and to files, as a named user, through
//! the same use cases (and the same sharing rule and audit) as the API.
//!
//! A mapping file says which column of a CSV file (or key of an NDJSON line) feeds which
//! field of a case, and gives defaults:
//!
//! ```toml
//! [columns]
//! external_ref = "so_vu"
//! title = "tieu_de"
//! detected_at = "ngay_phat_hien"     # dd/mm/yyyy [hh:mm] or yyyy-mm-dd[Thh:mm], Vietnam time
//! province = "tinh"                  # today's or a pre-2025 name
//! goods_description = "hang_hoa"
//! goods_value_vnd = "tri_gia"
//! party_name = "doi_tuong"
//! party_cccd = "cccd"
//! party2_name = "doi_tuong_2"        # further parties: party2_… to party9_…, same fields as party_…
//! [defaults]
//! case_type = "smuggling"
//! tlp = "amber"
//! distribution = "own_agency;agency:border-guard-vn"
//! ```
//!
//! Without a mapping, each NDJSON line is a case exactly as the API takes it.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};
use cordon_app::{App, CaseInput, CaseQuery, CaseView, ImportProblem, ImportRow};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::progress::Progress;

/// Largest line or record accepted: a case is a few kilobytes; anything this big is an error.
const MAX_RECORD_BYTES: usize = 1 << 20;

/// Options of `cordon import`.
#[derive(Args)]
pub struct ImportArgs {
    /// The user the cases are recorded as (their unit becomes the recording unit).
    #[arg(long = "as")]
    pub as_user: String,
    /// Column mapping (TOML); required for CSV.
    #[arg(long)]
    pub mapping: Option<PathBuf>,
    /// Check every row and report, write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Rows per transaction: each batch is written whole or not at all.
    #[arg(long, default_value_t = 1000)]
    pub batch: usize,
    /// CSV or NDJSON file.
    pub input: PathBuf,
}

/// Export formats.
#[derive(Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    /// One case per line, as the API shows it.
    Ndjson,
    /// One row per case, flat.
    Csv,
    /// FollowTheMoney entities, one per line (Event for the case; Person, Company, Vehicle, Vessel for parties).
    Ftm,
}

/// Options of `cordon export`.
#[derive(Args)]
pub struct ExportArgs {
    /// The user whose view is exported (only what they may see).
    #[arg(long = "as")]
    pub as_user: String,
    /// Format.
    #[arg(long, value_enum, default_value = "ndjson")]
    pub format: ExportFormat,
    /// Words to search, with or without diacritics.
    #[arg(long)]
    pub q: Option<String>,
    /// Province (any name).
    #[arg(long)]
    pub province: Option<String>,
    /// From this date (dd/mm/yyyy or yyyy-mm-dd).
    #[arg(long)]
    pub since: Option<String>,
    /// Until this date, exclusive.
    #[arg(long)]
    pub until: Option<String>,
    /// Write here instead of standard output.
    #[arg(long)]
    pub output: Option<PathBuf>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Mapping {
    #[serde(default)]
    columns: BTreeMap<String, String>,
    #[serde(default)]
    defaults: BTreeMap<String, String>,
    /// How many party slots the mapping names (`party_name`, `party2_name`…), set on load so
    /// that rows do not probe the slots it leaves out.
    #[serde(skip)]
    party_slots: usize,
}

/// The flat fields a mapping may name.
const FIELDS: &[&str] = &[
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

/// Most parties one flat row may carry: `party_…` then `party2_…` to `party9_…`.
const MAX_ROW_PARTIES: usize = 9;

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
    fn load(path: &Path) -> anyhow::Result<Mapping> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading the mapping {}", path.display()))?;
        let mut m: Mapping = toml::from_str(&text).with_context(|| format!("the mapping {} is not valid", path.display()))?;
        for key in m.columns.keys().chain(m.defaults.keys()) {
            if !known_field(key) {
                bail!(
                    "the mapping {} names `{key}`, which is not a case field; known fields: {} (and party2_… to party{MAX_ROW_PARTIES}_…)",
                    path.display(),
                    FIELDS.join(", ")
                );
            }
        }
        let named = |field: &str| m.columns.contains_key(field) || m.defaults.contains_key(field);
        m.party_slots = (1..=MAX_ROW_PARTIES).filter(|&n| named(&format!("{}_name", party_prefix(n)))).max().unwrap_or(0);
        for required in ["title", "detected_at"] {
            if !m.columns.contains_key(required) && !m.defaults.contains_key(required) {
                bail!("the mapping {} must give a column for `{required}`", path.display());
            }
        }
        Ok(m)
    }

    /// Builds a case from a row's values by field name; `Err((field, reason))` for a bad value.
    fn case(&self, get: &dyn Fn(&str) -> Option<String>) -> Result<CaseInput, (String, String)> {
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
            for (field, scheme) in
                [("cccd", "cccd"), ("cmnd", "cmnd"), ("passport", "passport"), ("tax_code", "tax_code"), ("phone", "phone")]
            {
                if let Some(v) = value(&format!("{prefix}_{field}")) {
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

/// Reads rows as (line, values by column) or problems, for CSV and NDJSON alike.
fn read_rows(path: &Path, mapping: Option<&Mapping>) -> anyhow::Result<(Vec<ImportRow>, Vec<ImportProblem>)> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let is_csv = path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let problem = |line: usize, field: &str, reason: String| ImportProblem { line, field: field.into(), reason };
    if is_csv {
        let Some(mapping) = mapping else { bail!("a CSV import needs --mapping (which column is which field)") };
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(BufReader::new(file));
        let headers: Vec<String> =
            reader.byte_headers()?.iter().map(|h| String::from_utf8_lossy(h).trim().trim_start_matches('\u{feff}').to_string()).collect();
        for col in mapping.columns.values() {
            if !headers.contains(col) {
                bail!(
                    "{}: the mapping names column `{col}`, which the header does not have (it has: {})",
                    path.display(),
                    headers.join(", ")
                );
            }
        }
        // Column positions by header, looked up once rather than a map of values built per row
        // (with a repeated header, the last column of that name wins).
        let column: HashMap<&str, usize> = headers.iter().enumerate().map(|(i, h)| (h.as_str(), i)).collect();
        let mut record = csv::ByteRecord::new();
        loop {
            let line = reader.position().line() as usize;
            match reader.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    problems.push(problem(line, "row", format!("unreadable CSV: {e}")));
                    continue;
                }
            }
            if record.as_slice().len() > MAX_RECORD_BYTES {
                problems.push(problem(
                    line,
                    "row",
                    format!("{} bytes: larger than the {} bytes a row may have", record.as_slice().len(), MAX_RECORD_BYTES),
                ));
                continue;
            }
            if let Some(i) = record.iter().position(|v| std::str::from_utf8(v).is_err()) {
                let col = headers.get(i).map_or("row", String::as_str);
                problems.push(problem(line, col, "not valid UTF-8 (save the file as UTF-8)".into()));
                continue;
            }
            // Every value was checked as UTF-8 above; a column the row lacks (a short row) is empty.
            let get = |col: &str| column.get(col).and_then(|&i| record.get(i)).and_then(|v| std::str::from_utf8(v).ok()).map(String::from);
            match mapping.case(&get) {
                Ok(input) => rows.push(ImportRow { line, input }),
                Err((field, reason)) => problems.push(problem(line, &field, reason)),
            }
        }
    } else {
        let mut reader = BufReader::new(file);
        let mut buf = Vec::new();
        let mut line = 0;
        loop {
            buf.clear();
            line += 1;
            // Read at most one byte past the limit, so that a huge line is refused without being held whole.
            let n = (&mut reader).take(MAX_RECORD_BYTES as u64 + 1).read_until(b'\n', &mut buf)?;
            if n == 0 {
                break;
            }
            if buf.len() > MAX_RECORD_BYTES && !buf.ends_with(b"\n") {
                problems.push(problem(line, "row", format!("longer than the {MAX_RECORD_BYTES} bytes a line may have")));
                // Skip the rest of the line.
                let mut rest = Vec::new();
                reader.read_until(b'\n', &mut rest)?;
                continue;
            }
            let Ok(text) = std::str::from_utf8(&buf) else {
                problems.push(problem(line, "row", "not valid UTF-8".into()));
                continue;
            };
            if text.trim().is_empty() {
                continue;
            }
            let value: Value = match serde_json::from_str(text) {
                Ok(v) => v,
                Err(e) => {
                    problems.push(problem(line, "row", format!("not JSON: {e}")));
                    continue;
                }
            };
            let parsed = match mapping {
                Some(m) => m.case(&|key: &str| value.get(key).map(|v| v.as_str().map_or_else(|| v.to_string(), String::from))),
                None => serde_json::from_value::<CaseInput>(value).map_err(|e| ("row".to_string(), e.to_string())),
            };
            match parsed {
                Ok(input) => rows.push(ImportRow { line, input }),
                Err((field, reason)) => problems.push(problem(line, &field, reason)),
            }
        }
    }
    Ok((rows, problems))
}

/// Runs `cordon import`.
pub async fn import(app: &App, args: ImportArgs) -> anyhow::Result<()> {
    let actor = app.actor_for_operator(&args.as_user).await.with_context(|| format!("no user {}", args.as_user))?;
    let mapping = args.mapping.as_deref().map(Mapping::load).transpose()?;
    let (rows, mut problems) = read_rows(&args.input, mapping.as_ref())?;
    let total = rows.len();
    // Check everything first: a file with a bad row writes nothing, whatever the batch size.
    let check = app.import_cases(&actor, &rows, true).await?;
    problems.extend(check.problems);
    problems.sort_by_key(|p| p.line);
    let name = args.input.display();
    for p in &problems {
        eprintln!("{name} line {}: {}: {}", p.line, p.field, p.reason);
    }
    if !problems.is_empty() {
        bail!("{} of {} rows refused; nothing was imported", problems.len(), total + problems.len());
    }
    if args.dry_run {
        println!("Dry run: {total} rows are valid ({} already imported); nothing was written.", check.already_present);
        return Ok(());
    }
    let mut progress = Progress::new("importing", Some(total as u64), "rows");
    let (mut created, mut present) = (0, 0);
    for (i, chunk) in rows.chunks(args.batch.max(1)).enumerate() {
        let n = chunk.len();
        let report = app.import_cases(&actor, chunk, false).await?;
        created += report.created;
        present += report.already_present;
        progress.set(((i + 1) * args.batch.max(1)).min(total) as u64);
        if !report.problems.is_empty() {
            bail!("a batch of {n} rows was refused while importing (the data changed since the check); earlier batches stand");
        }
    }
    progress.finish();
    app.flush_index()?;
    println!("Imported {created} cases from {name} ({present} already present).");
    Ok(())
}

/// Runs `cordon export`.
pub async fn export(app: &App, args: ExportArgs) -> anyhow::Result<()> {
    let actor = app.actor_for_operator(&args.as_user).await.with_context(|| format!("no user {}", args.as_user))?;
    let date = |s: &Option<String>, flag: &str| -> anyhow::Result<Option<i64>> {
        s.as_deref().map(|v| cordon_core::time::parse_datetime(v).with_context(|| format!("--{flag} {v:?} is not a date"))).transpose()
    };
    let q = CaseQuery {
        q: args.q.clone(),
        province: args.province.clone(),
        since: date(&args.since, "since")?,
        until: date(&args.until, "until")?,
        ..Default::default()
    };
    let cases = app.export_cases(&actor, q).await?;
    let mut out: Box<dyn Write> = match &args.output {
        Some(p) => Box::new(std::io::BufWriter::new(std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?)),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    match args.format {
        ExportFormat::Ndjson => {
            for c in &cases {
                serde_json::to_writer(&mut out, c)?;
                out.write_all(b"\n")?;
            }
        }
        ExportFormat::Csv => write_csv(&mut out, &cases)?,
        ExportFormat::Ftm => {
            for c in &cases {
                for entity in ftm_entities(c) {
                    serde_json::to_writer(&mut out, &entity)?;
                    out.write_all(b"\n")?;
                }
            }
        }
    }
    out.flush()?;
    eprintln!("Exported {} cases.", cases.len());
    Ok(())
}

fn write_csv(out: &mut dyn Write, cases: &[CaseView]) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "reference",
        "external_ref",
        "case_type",
        "status",
        "title",
        "detected_at",
        "province",
        "port",
        "tlp",
        "total_value_vnd",
        "goods",
        "parties",
    ])?;
    for c in cases {
        let goods: Vec<String> = c.goods.iter().map(|g| g.description.clone()).collect();
        let parties: Vec<String> =
            c.parties.iter().map(|p| p.name.clone().unwrap_or_else(|| format!("({} held by {})", p.kind, p.held_by))).collect();
        let (y, m, d, hh, mm) = cordon_core::time::civil(c.detected_at);
        w.write_record([
            c.reference.as_str(),
            c.external_ref.as_deref().unwrap_or(""),
            &c.case_type,
            &c.status,
            &c.title,
            &format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}+07:00"),
            c.province_code.as_deref().unwrap_or(""),
            c.port_code.as_deref().unwrap_or(""),
            &c.sharing.tlp,
            &c.total_value_vnd.to_string(),
            &goods.join("; "),
            &parties.join("; "),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// FollowTheMoney entities for a case: an `Event` for the case and one entity per party
/// whose identity the viewer may see (withheld parties are not exported).
fn ftm_entities(c: &CaseView) -> Vec<Value> {
    let (y, m, d, ..) = cordon_core::time::civil(c.detected_at);
    let mut out = Vec::new();
    let mut involved = Vec::new();
    for p in c.parties.iter().filter(|p| !p.withheld) {
        let Some(id) = &p.entity_id else { continue };
        let name = p.name.clone().unwrap_or_default();
        let id = format!("cordon-{id}");
        let (schema, mut props) = match p.kind.as_str() {
            "person" => ("Person", json!({ "name": [name] })),
            "company" => ("Company", json!({ "name": [name] })),
            "vehicle" => ("Vehicle", json!({ "name": [name] })),
            "vessel" => ("Vessel", json!({ "name": [name] })),
            _ => ("LegalEntity", json!({ "name": [name] })),
        };
        for (scheme, value) in &p.identifiers {
            let prop = match (schema, scheme.as_str()) {
                ("Person", "cccd" | "cmnd") => "idNumber",
                ("Person", "passport") => "passportNumber",
                ("Person" | "Company" | "LegalEntity", "phone") => "phone",
                ("Company" | "LegalEntity", "tax_code") => "taxNumber",
                ("Vehicle", "plate") => "registrationNumber",
                ("Vessel", "imo") => "imoNumber",
                ("Vessel", "mmsi") => "mmsi",
                _ => continue,
            };
            props[prop] = json!([value]);
        }
        if schema == "Person" || schema == "Company" {
            props["country"] = json!(["vn"]);
        }
        involved.push(id.clone());
        out.push(json!({ "id": id, "schema": schema, "properties": props }));
    }
    let event = json!({
        "id": format!("cordon-case-{}", c.id),
        "schema": "Event",
        "properties": {
            "name": [c.title],
            "summary": [c.summary],
            "date": [format!("{y:04}-{m:02}-{d:02}")],
            "country": ["vn"],
            "location": [c.province_code.clone().unwrap_or_default()],
            "involved": involved,
            "recordId": [c.reference],
        }
    });
    out.insert(0, event);
    // FollowTheMoney has no empty values: drop them (an empty summary, an unknown province).
    for e in &mut out {
        if let Some(props) = e["properties"].as_object_mut() {
            for values in props.values_mut() {
                if let Some(list) = values.as_array_mut() {
                    list.retain(|v| v.as_str().is_none_or(|s| !s.trim().is_empty()));
                }
            }
            props.retain(|_, v| v.as_array().is_none_or(|l| !l.is_empty()));
        }
    }
    out
}
