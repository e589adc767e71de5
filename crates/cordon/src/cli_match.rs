//! `cordon match dedupe|link`: entity resolution over CSV or NDJSON files, no store involved;
//! `cordon match rescan`: the batch engine over every entity in the store (run from `main`).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::{Args, Subcommand, ValueEnum};
use cordon_match::{
    cluster, deduplicate, train, AnalystDecision, EntityKind, Field, Link, Model, PreparedRecord, Record, ScoredPair, Settings,
};
use serde::Deserialize;

use crate::progress::Progress;

/// Below this many records EM has too few pairs to learn from, so the built-in model is used.
const TRAIN_MIN: usize = 1_000;

/// Records are normalised in chunks of this size as they are read.
const PREPARE_CHUNK: usize = 5_000;

/// `cordon match` subcommands.
#[derive(Subcommand)]
pub enum MatchCommand {
    /// Find records of one file that describe the same person, company or vehicle.
    Dedupe {
        #[command(flatten)]
        options: MatchOptions,
        /// The CSV or NDJSON file to deduplicate.
        input: PathBuf,
    },
    /// Find records of RIGHT that describe the same entity as a record of LEFT.
    Link {
        #[command(flatten)]
        options: MatchOptions,
        /// Mapping for RIGHT when its columns differ from LEFT's (default: --mapping).
        #[arg(long, value_name = "MAP")]
        right_mapping: Option<PathBuf>,
        /// The first CSV or NDJSON file.
        left: PathBuf,
        /// The second CSV or NDJSON file.
        right: PathBuf,
    },
    /// Resolve every entity in the store again with the batch engine and record the candidate
    /// matches not yet stored (a pair already stored, and any analyst's decision on it, is kept).
    Rescan,
}

impl MatchCommand {
    /// True for the subcommand that opens the store; the others work on files only.
    pub fn uses_store(&self) -> bool {
        matches!(self, MatchCommand::Rescan)
    }
}

/// Options shared by `dedupe` and `link`.
#[derive(Args)]
pub struct MatchOptions {
    /// TOML file saying which column holds which kind of field.
    #[arg(long, value_name = "MAP")]
    mapping: PathBuf,
    /// Where to write the matching pairs (CSV); default standard output.
    #[arg(long, value_name = "PAIRS.csv")]
    output: Option<PathBuf>,
    /// Where to write every record's cluster (CSV).
    #[arg(long, value_name = "CLUSTERS.csv")]
    clusters: Option<PathBuf>,
    /// Match probability at or above which two records are the same entity.
    #[arg(long, value_name = "P", default_value_t = 0.9)]
    threshold: f64,
    /// Input format; default from the file extension (.csv, .ndjson, .jsonl, .json).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Analysts' decisions to respect (CSV: id_a, id_b, decision = confirm, reject or split; for `link`, id_a is LEFT's).
    #[arg(long, value_name = "DECISIONS.csv")]
    decisions: Option<PathBuf>,
}

/// Input file formats.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Comma-separated values with a header line.
    Csv,
    /// One JSON object per line.
    Ndjson,
}

impl Format {
    /// The explicit format, else the one the extension names.
    pub fn of(path: &Path, explicit: Option<Format>) -> anyhow::Result<Format> {
        if let Some(f) = explicit {
            return Ok(f);
        }
        match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("csv") => Ok(Format::Csv),
            Some("ndjson" | "jsonl" | "json") => Ok(Format::Ndjson),
            _ => bail!("cannot tell whether {} is CSV or NDJSON from its name; pass --format csv or --format ndjson", path.display()),
        }
    }
}

/// Which `Record` field a column feeds.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Kind {
    /// A person's full name, in any order.
    PersonName,
    /// A company's name (makes the records companies unless `entity` says otherwise).
    CompanyName,
    /// Date of birth or registration.
    BirthDate,
    /// Phone, old or new numbering.
    Phone,
    /// CCCD or CMND.
    NationalId,
    /// Passport number.
    Passport,
    /// Tax code.
    TaxCode,
    /// Vehicle plate.
    Plate,
    /// IMO ship number.
    Imo,
    /// Bank account.
    BankAccount,
    /// Address; several columns may feed it (street, number, ward…), joined in the mapping's order.
    Address,
    /// Given name in its own column.
    GivenName,
    /// Family name in its own column.
    FamilyName,
    /// Any other identifier.
    OtherId,
    /// Postcode.
    Postcode,
    /// Suburb, town or commune in its own column.
    Locality,
    /// State or province in its own column.
    Region,
}

/// The words a mapping file may use, and what each means.
const KINDS: [(&str, Kind); 24] = [
    ("person_name", Kind::PersonName),
    ("name", Kind::PersonName),
    ("company_name", Kind::CompanyName),
    ("birth_date", Kind::BirthDate),
    ("date_of_birth", Kind::BirthDate),
    ("phone", Kind::Phone),
    ("national_id", Kind::NationalId),
    ("cccd", Kind::NationalId),
    ("cmnd", Kind::NationalId),
    ("passport", Kind::Passport),
    ("tax_code", Kind::TaxCode),
    ("plate", Kind::Plate),
    ("imo", Kind::Imo),
    ("bank_account", Kind::BankAccount),
    ("address", Kind::Address),
    ("given_name", Kind::GivenName),
    ("first_name", Kind::GivenName),
    ("family_name", Kind::FamilyName),
    ("surname", Kind::FamilyName),
    ("other_id", Kind::OtherId),
    ("postcode", Kind::Postcode),
    ("locality", Kind::Locality),
    ("region", Kind::Region),
    ("state", Kind::Region),
];

impl Kind {
    /// The comparison fields this column's values end up in.
    fn fields(self, entity: EntityKind) -> &'static [Field] {
        match self {
            Kind::PersonName | Kind::CompanyName if entity == EntityKind::Person => &[Field::PersonName],
            Kind::PersonName | Kind::CompanyName => &[Field::CompanyName],
            Kind::BirthDate => &[Field::BirthDate],
            Kind::Phone => &[Field::Phone],
            Kind::NationalId => &[Field::Cmnd, Field::Cccd],
            Kind::Passport => &[Field::Passport],
            Kind::TaxCode => &[Field::TaxCode],
            Kind::Plate => &[Field::Plate],
            Kind::Imo => &[Field::Imo],
            Kind::BankAccount => &[Field::BankAccount],
            Kind::Address => &[Field::Address],
            Kind::GivenName => &[Field::GivenName],
            Kind::FamilyName => &[Field::FamilyName],
            Kind::OtherId => &[Field::OtherId],
            Kind::Postcode => &[Field::Postcode],
            Kind::Locality => &[Field::Locality],
            Kind::Region => &[Field::Region],
        }
    }

    /// Puts a column's value into the record field it feeds.
    fn set(self, record: &mut Record, value: String) {
        let slot = match self {
            Kind::PersonName | Kind::CompanyName => &mut record.name,
            Kind::BirthDate => &mut record.birth_date,
            Kind::Phone => &mut record.phone,
            Kind::NationalId => &mut record.national_id,
            Kind::Passport => &mut record.passport,
            Kind::TaxCode => &mut record.tax_code,
            Kind::Plate => &mut record.plate,
            Kind::Imo => &mut record.imo,
            Kind::BankAccount => &mut record.bank_account,
            Kind::Address => &mut record.address,
            Kind::GivenName => &mut record.given_name,
            Kind::FamilyName => &mut record.family_name,
            Kind::OtherId => &mut record.other_id,
            Kind::Postcode => &mut record.postcode,
            Kind::Locality => &mut record.locality,
            Kind::Region => &mut record.region,
        };
        match slot {
            // Only the address may be fed by several columns (checked when the mapping is read).
            Some(earlier) => {
                earlier.push_str(", ");
                earlier.push_str(&value);
            }
            None => *slot = Some(value),
        }
    }
}

/// The mapping file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    /// person, company, vehicle or vessel.
    entity: Option<String>,
    /// The column holding each record's id.
    id: Option<String>,
    /// Column name → field kind.
    columns: BTreeMap<String, String>,
}

/// A checked mapping: what the records are, where their id is, and which column feeds which field.
struct Mapping {
    entity: EntityKind,
    id: Option<String>,
    columns: Vec<(String, Kind)>,
}

impl Mapping {
    /// Reads and checks a mapping file; every problem is named before any input is read.
    fn load(path: &Path) -> anyhow::Result<Mapping> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read the mapping file {}", path.display()))?;
        Mapping::parse(&text, &path.display().to_string())
    }

    /// Checks a mapping's text; `origin` names it in messages.
    fn parse(text: &str, origin: &str) -> anyhow::Result<Mapping> {
        let file: MappingFile = toml::from_str(text)
            .with_context(|| format!("{origin} is not a valid mapping file (see \"Files: matching and screening\" in the README)"))?;
        let mut problems = Vec::new();
        let mut columns = Vec::new();
        let mut used: BTreeMap<Kind, &str> = BTreeMap::new();
        for (column, word) in &file.columns {
            match KINDS.iter().find(|(w, _)| w.eq_ignore_ascii_case(word.trim())) {
                None => problems.push(format!(
                    "column `{column}` is mapped to `{word}`, which is not a field kind Cordon can match on (known kinds: {})",
                    KINDS.iter().map(|(w, _)| *w).collect::<Vec<_>>().join(", ")
                )),
                Some(&(_, kind)) => {
                    let slot = if kind == Kind::CompanyName { Kind::PersonName } else { kind };
                    if kind == Kind::Address {
                        columns.push((column.clone(), kind));
                        continue;
                    }
                    if let Some(other) = used.insert(slot, column) {
                        problems.push(format!("columns `{other}` and `{column}` both feed the {word} field; map only one"));
                    }
                    columns.push((column.clone(), kind));
                }
            }
        }
        let company = columns.iter().any(|(_, k)| *k == Kind::CompanyName);
        let entity = match file.entity.as_deref().map(str::trim) {
            None if company => EntityKind::Company,
            None | Some("person") => EntityKind::Person,
            Some("company") => EntityKind::Company,
            Some("vehicle") => EntityKind::Vehicle,
            Some("vessel") => EntityKind::Vessel,
            Some(other) => {
                problems.push(format!("entity `{other}` is unknown (person, company, vehicle or vessel)"));
                EntityKind::Person
            }
        };
        if columns.is_empty() && problems.is_empty() {
            problems.push("the [columns] table maps no column: name at least one, e.g. \"Họ tên\" = \"person_name\"".into());
        }
        if !problems.is_empty() {
            bail!("the mapping file {origin} is refused:\n  {}", problems.join("\n  "));
        }
        Ok(Mapping { entity, id: file.id.map(|s| s.trim().to_string()), columns })
    }

    /// Every column the input must have.
    fn required(&self) -> impl Iterator<Item = &str> {
        self.id.as_deref().into_iter().chain(self.columns.iter().map(|(c, _)| c.as_str()))
    }

    /// The comparison fields the mapping feeds, in vector order.
    fn fields(&self) -> Vec<Field> {
        let set: BTreeSet<Field> = self.columns.iter().flat_map(|(_, k)| k.fields(self.entity).iter().copied()).collect();
        set.into_iter().collect()
    }

    /// The column that fed a field, for messages.
    fn column_of(&self, field: Field) -> &str {
        self.columns.iter().find(|(_, k)| k.fields(self.entity).contains(&field)).map_or("?", |(c, _)| c.as_str())
    }
}

/// The records read from one file, normalised, with what is needed to report on them.
struct Table {
    /// The records' ids as the file gives them (or their line numbers).
    ids: Vec<String>,
    /// The records, normalised, in file order.
    prepared: Vec<PreparedRecord>,
    /// Each record's line in the file.
    lines: Vec<usize>,
}

/// One row as read, before it becomes a record: its line and the mapped columns' values.
struct Row {
    line: usize,
    values: Vec<Option<String>>,
}

/// Rows that could not be read: their line and why.
type BadRows = Vec<(usize, String)>;

/// Reads the mapped columns of every row and hands each to `on_row` as it is read (a large file's
/// rows are never all held at once); a mapped column the file lacks is refused before any row is
/// reported.
fn read_rows(path: &Path, format: Format, names: &[&str], progress: &mut Progress, on_row: &mut dyn FnMut(Row)) -> anyhow::Result<BadRows> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    // Rows handed on (NDJSON: to tell a field no line has from an empty file).
    let mut rows = 0usize;
    let mut bad = Vec::new();
    match format {
        Format::Csv => {
            let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(BufReader::new(file));
            let headers: Vec<String> = reader
                .byte_headers()
                .with_context(|| format!("cannot read the header line of {}", path.display()))?
                .iter()
                .map(|h| String::from_utf8_lossy(h).trim().trim_start_matches('\u{feff}').to_string())
                .collect();
            let mut index = Vec::new();
            let missing: Vec<&str> = names.iter().copied().filter(|n| !headers.iter().any(|h| h == n)).collect();
            if !missing.is_empty() {
                bail!(
                    "the mapping names column{} {} that {} does not have (its columns: {})",
                    if missing.len() > 1 { "s" } else { "" },
                    missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", "),
                    path.display(),
                    headers.join(", ")
                );
            }
            for n in names {
                // Present: missing columns were refused just above.
                index.push(headers.iter().position(|h| h == n).unwrap_or_default());
            }
            let mut record = csv::ByteRecord::new();
            loop {
                match reader.read_byte_record(&mut record) {
                    Ok(false) => break,
                    Ok(true) => {}
                    Err(e) => bail!("cannot read {}: {e}", path.display()),
                }
                let pos = record.position().map_or((0, 0), |p| (p.line() as usize, p.byte()));
                progress.set(pos.1);
                if record.len() != headers.len() {
                    bad.push((pos.0, format!("has {} fields where the header has {}", record.len(), headers.len())));
                    continue;
                }
                let mut values = Vec::with_capacity(index.len());
                let mut problem = None;
                for (&i, name) in index.iter().zip(names) {
                    match std::str::from_utf8(&record[i]) {
                        Ok(s) => values.push(Some(s.to_string())),
                        Err(_) => {
                            problem = Some(format!("column `{name}` is not valid UTF-8"));
                            break;
                        }
                    }
                }
                match problem {
                    Some(p) => bad.push((pos.0, p)),
                    None => on_row(Row { line: pos.0, values }),
                }
            }
        }
        Format::Ndjson => {
            let mut reader = BufReader::new(file);
            let mut buf = Vec::new();
            let (mut line, mut bytes) = (0usize, 0u64);
            let mut seen = vec![false; names.len()];
            loop {
                buf.clear();
                let n = reader.read_until(b'\n', &mut buf).with_context(|| format!("cannot read {}", path.display()))?;
                if n == 0 {
                    break;
                }
                line += 1;
                bytes += n as u64;
                progress.set(bytes);
                let text = match std::str::from_utf8(&buf) {
                    Ok(t) => t.trim(),
                    Err(_) => {
                        bad.push((line, "not valid UTF-8".into()));
                        continue;
                    }
                };
                if text.is_empty() {
                    continue;
                }
                let object = match serde_json::from_str::<serde_json::Value>(text) {
                    Ok(serde_json::Value::Object(o)) => o,
                    Ok(_) => {
                        bad.push((line, "is not a JSON object".into()));
                        continue;
                    }
                    Err(e) => {
                        bad.push((line, format!("is not JSON: {e}")));
                        continue;
                    }
                };
                let mut values = Vec::with_capacity(names.len());
                let mut problem = None;
                for (i, name) in names.iter().enumerate() {
                    let value = match object.get(*name) {
                        None | Some(serde_json::Value::Null) => None,
                        Some(serde_json::Value::String(s)) => Some(s.clone()),
                        Some(v @ (serde_json::Value::Number(_) | serde_json::Value::Bool(_))) => Some(v.to_string()),
                        Some(_) => {
                            problem = Some(format!("field `{name}` holds a list or an object where text is expected"));
                            None
                        }
                    };
                    seen[i] |= object.contains_key(*name);
                    values.push(value);
                }
                match problem {
                    Some(p) => bad.push((line, p)),
                    None => {
                        rows += 1;
                        on_row(Row { line, values });
                    }
                }
            }
            let missing: Vec<String> = names.iter().zip(&seen).filter(|(_, s)| !**s).map(|(n, _)| format!("`{n}`")).collect();
            if !missing.is_empty() && rows > 0 {
                bail!(
                    "the mapping names field{} {} that no line of {} has",
                    if missing.len() > 1 { "s" } else { "" },
                    missing.join(", "),
                    path.display()
                );
            }
        }
    }
    Ok(bad)
}

/// Reads one input file into normalised records, reporting and skipping bad rows; records get
/// ids from `id_offset` on, in file order. Records are normalised a chunk at a time as they are
/// read, so a large file's raw rows and records are never all held beside the normalised ones.
fn read_table(path: &Path, format: Option<Format>, mapping: &Mapping, id_offset: u64, threads: usize) -> anyhow::Result<Table> {
    let format = Format::of(path, format)?;
    let size = std::fs::metadata(path).map(|m| m.len()).ok();
    let mut progress = Progress::new(format!("reading {}", path.display()), size, "bytes");
    let names: Vec<&str> = mapping.required().collect();
    let offset = usize::from(mapping.id.is_some());
    let mut table = Table { ids: Vec::new(), prepared: Vec::new(), lines: Vec::new() };
    let mut first_line: HashMap<String, usize> = HashMap::new();
    let mut refused: BadRows = Vec::new();
    let mut chunk: Vec<Record> = Vec::with_capacity(PREPARE_CHUNK);
    let mut on_row = |row: Row| {
        let id = match &mapping.id {
            None => row.line.to_string(),
            Some(column) => match row.values[0].as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => {
                    refused.push((row.line, format!("has no id in column `{column}`")));
                    return;
                }
                Some(id) => id.to_string(),
            },
        };
        if let Some(&earlier) = first_line.get(&id) {
            refused.push((row.line, format!("repeats the id `{id}` of line {earlier}")));
            return;
        }
        let mut record = Record { id: table.ids.len() as u64, kind: mapping.entity, ..Record::default() };
        let mut any = false;
        for ((_, kind), value) in mapping.columns.iter().zip(&row.values[offset..]) {
            if let Some(v) = value.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                kind.set(&mut record, v.to_string());
                any = true;
            }
        }
        if !any {
            refused.push((row.line, "has none of the mapped fields filled in".into()));
            return;
        }
        first_line.insert(id.clone(), row.line);
        table.ids.push(id);
        table.lines.push(row.line);
        chunk.push(record);
        if chunk.len() == PREPARE_CHUNK {
            table.prepared.extend(PreparedRecord::prepare_all(&chunk, threads));
            chunk.clear();
        }
    };
    let mut bad = read_rows(path, format, &names, &mut progress, &mut on_row)?;
    table.prepared.extend(PreparedRecord::prepare_all(&chunk, threads));
    drop((chunk, first_line));
    bad.extend(refused);
    for (i, p) in table.prepared.iter_mut().enumerate() {
        for (field, error) in &p.rejected {
            let message = format!(
                "{} line {}: column `{}` ({}): {error}; the value is ignored",
                path.display(),
                table.lines[i],
                mapping.column_of(*field),
                field.name()
            );
            progress.note(&message);
        }
        p.id += id_offset;
    }
    progress.finish();
    bad.sort_by_key(|(line, _)| *line);
    for (line, reason) in &bad {
        eprintln!("{} line {line}: skipped: this row {reason}", path.display());
    }
    Ok(table)
}

/// Writes to a file, or to standard output when no file is named.
fn open_output(path: Option<&Path>) -> anyhow::Result<csv::Writer<Box<dyn Write>>> {
    let sink: Box<dyn Write> = match path {
        Some(p) => Box::new(File::create(p).with_context(|| format!("cannot create {}", p.display()))?),
        None => Box::new(std::io::stdout().lock()),
    };
    Ok(csv::Writer::from_writer(sink))
}

/// One pair's per-field explanation cells, for the fields the mapping feeds.
fn explain_cells(pair: &ScoredPair, model: &Model, fields: &[Field]) -> Vec<String> {
    let why = pair.explain(model);
    fields
        .iter()
        .map(|f| match why.fields.iter().find(|e| e.field == *f) {
            Some(e) if e.level.is_some() => format!("{} ({:+.2})", e.label, e.weight),
            _ => "missing".to_string(),
        })
        .collect()
}

/// Runs `cordon match`.
pub fn run(command: MatchCommand) -> anyhow::Result<()> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    match command {
        MatchCommand::Dedupe { options, input } => {
            let mapping = Mapping::load(&options.mapping)?;
            check_threshold(options.threshold)?;
            let mut table = read_table(&input, options.format, &mapping, 0, threads)?;
            let prepared = std::mem::take(&mut table.prepared);
            let settings = Settings { threshold: options.threshold, threads, ..Settings::default() };
            let model = model_for(&prepared, &settings);
            let mut progress = Progress::new(format!("matching {} records", prepared.len()), None, "");
            progress.set(0);
            let decisions =
                read_decisions(options.decisions.as_deref(), &|id| table.ids.iter().position(|x| x == id).map(|i| i as u64), &|id| {
                    table.ids.iter().position(|x| x == id).map(|i| i as u64)
                })?;
            let mut result = deduplicate(&prepared, &model, &settings, &decisions)?;
            let not_same = rejected_pairs(&decisions);
            result.matches.retain(|p| !not_same.contains(&(p.a.min(p.b), p.a.max(p.b))));
            progress.finish();
            sort_pairs(&mut result.matches);
            let fields = mapping.fields();
            let name = |id: u64| table.ids[id as usize].as_str();
            let mut out = open_output(options.output.as_deref())?;
            let mut header = vec!["id_a".to_string(), "id_b".into(), "probability".into(), "weight".into(), "decided_by".into()];
            header.extend(fields.iter().map(|f| f.name().to_string()));
            out.write_record(&header)?;
            for p in &result.matches {
                let mut row = vec![name(p.a).to_string(), name(p.b).to_string()];
                row.extend(score_cells(p));
                row.extend(explain_cells(p, &model, &fields));
                out.write_record(&row)?;
            }
            out.flush()?;
            if let Some(path) = &options.clusters {
                let mut out = open_output(Some(path))?;
                out.write_record(["record_id", "cluster_id", "cluster_size"])?;
                for (n, entity) in result.clustering.entities.iter().enumerate() {
                    for &id in entity {
                        out.write_record([name(id).to_string(), (n + 1).to_string(), entity.len().to_string()])?;
                    }
                }
                out.flush()?;
            }
            let grouped = result.clustering.entities.iter().filter(|e| e.len() > 1).count();
            eprintln!(
                "Records: {}; candidate pairs compared: {}; pairs at or above {}: {}; entities: {} ({grouped} with more than one record).",
                prepared.len(),
                result.pairs_compared,
                options.threshold,
                result.matches.len(),
                result.clustering.entities.len(),
            );
        }
        MatchCommand::Rescan => bail!("`cordon match rescan` runs with the store open"),
        MatchCommand::Link { options, right_mapping, left, right } => {
            let left_mapping = Mapping::load(&options.mapping)?;
            let right_mapping = match &right_mapping {
                Some(p) => Mapping::load(p)?,
                None => Mapping::load(&options.mapping)?,
            };
            if left_mapping.entity != right_mapping.entity {
                bail!("the two mappings describe different kinds of entity; records of different kinds are never compared");
            }
            check_threshold(options.threshold)?;
            let mut left_table = read_table(&left, options.format, &left_mapping, 0, threads)?;
            let n_left = left_table.ids.len() as u64;
            let mut right_table = read_table(&right, options.format, &right_mapping, n_left, threads)?;
            let mut prepared = std::mem::take(&mut left_table.prepared);
            prepared.append(&mut right_table.prepared);
            let settings = Settings { threshold: options.threshold, threads, ..Settings::default() };
            let model = model_for(&prepared, &settings);
            let mut progress = Progress::new(format!("linking {n_left} and {} records", right_table.ids.len()), None, "");
            progress.set(0);
            let decisions =
                read_decisions(options.decisions.as_deref(), &|id| left_table.ids.iter().position(|x| x == id).map(|i| i as u64), &|id| {
                    right_table.ids.iter().position(|x| x == id).map(|i| i as u64 + n_left)
                })?;
            let mut result = deduplicate(&prepared, &model, &settings, &decisions)?;
            let not_same = rejected_pairs(&decisions);
            result.matches.retain(|p| !not_same.contains(&(p.a.min(p.b), p.a.max(p.b))));
            progress.finish();
            // Only pairs across the files count; pairs inside one file are for `dedupe`.
            let mut pairs: Vec<ScoredPair> = result
                .matches
                .into_iter()
                .filter(|p| (p.a < n_left) != (p.b < n_left))
                .map(|p| if p.a < n_left { p } else { ScoredPair { a: p.b, b: p.a, ..p } })
                .collect();
            sort_pairs(&mut pairs);
            let name = |id: u64| -> (&str, &str) {
                if id < n_left {
                    ("left", left_table.ids[id as usize].as_str())
                } else {
                    ("right", right_table.ids[(id - n_left) as usize].as_str())
                }
            };
            let mut fields = left_mapping.fields();
            fields.extend(right_mapping.fields());
            fields.sort();
            fields.dedup();
            let mut out = open_output(options.output.as_deref())?;
            let mut header = vec!["left_id".to_string(), "right_id".into(), "probability".into(), "weight".into(), "decided_by".into()];
            header.extend(fields.iter().map(|f| f.name().to_string()));
            out.write_record(&header)?;
            for p in &pairs {
                let mut row = vec![name(p.a).1.to_string(), name(p.b).1.to_string()];
                row.extend(score_cells(p));
                row.extend(explain_cells(p, &model, &fields));
                out.write_record(&row)?;
            }
            out.flush()?;
            let links: Vec<Link> = pairs.iter().map(|p| Link { a: p.a, b: p.b, probability: p.score.probability }).collect();
            let ids: Vec<u64> = prepared.iter().map(|r| r.id).collect();
            let clustering = cluster(&ids, &links, &decisions, options.threshold)?;
            if let Some(path) = &options.clusters {
                let mut out = open_output(Some(path))?;
                out.write_record(["source", "record_id", "cluster_id", "cluster_size"])?;
                for (n, entity) in clustering.entities.iter().enumerate() {
                    for &id in entity {
                        let (source, record) = name(id);
                        out.write_record([source.to_string(), record.to_string(), (n + 1).to_string(), entity.len().to_string()])?;
                    }
                }
                out.flush()?;
            }
            eprintln!(
                "Records: {n_left} + {}; candidate pairs compared: {}; pairs across the files at or above {}: {}.",
                right_table.ids.len(),
                result.pairs_compared,
                options.threshold,
                pairs.len()
            );
        }
    }
    Ok(())
}

/// Reads analysts' decisions: one line per pair, `id_a,id_b,decision`; ids the inputs lack are
/// reported and skipped, a decision word that is not confirm, reject or split refuses the file.
fn read_decisions(
    path: Option<&Path>,
    a_of: &dyn Fn(&str) -> Option<u64>,
    b_of: &dyn Fn(&str) -> Option<u64>,
) -> anyhow::Result<Vec<AnalystDecision>> {
    let Some(path) = path else { return Ok(Vec::new()) };
    let mut reader = csv::Reader::from_path(path).with_context(|| format!("cannot read the decisions file {}", path.display()))?;
    let mut out = Vec::new();
    for (n, row) in reader.records().enumerate() {
        let line = n + 2;
        let row = row.with_context(|| format!("{} line {line} cannot be read", path.display()))?;
        let (Some(a), Some(b), Some(word)) = (row.get(0), row.get(1), row.get(2)) else {
            bail!("{} line {line}: expected id_a, id_b and decision", path.display());
        };
        let (x, y) = match (a_of(a.trim()), b_of(b.trim())) {
            (Some(x), Some(y)) => (x, y),
            _ => {
                eprintln!("{} line {line}: skipped: no record with id `{}` or `{}`", path.display(), a.trim(), b.trim());
                continue;
            }
        };
        out.push(match word.trim() {
            "confirm" => AnalystDecision::Confirm(x, y),
            "reject" | "split" => AnalystDecision::Reject(x, y),
            other => bail!("{} line {line}: decision `{other}` is not confirm, reject or split", path.display()),
        });
    }
    Ok(out)
}

/// The pairs an analyst said are not the same, smaller id first: they are not reported as matches.
fn rejected_pairs(decisions: &[AnalystDecision]) -> std::collections::HashSet<(u64, u64)> {
    decisions
        .iter()
        .filter_map(|d| match d {
            AnalystDecision::Reject(x, y) => Some((*x.min(y), *x.max(y))),
            _ => None,
        })
        .collect()
}

/// Refuses a threshold that is not a probability, before any file is read.
fn check_threshold(p: f64) -> anyhow::Result<()> {
    if !(p > 0.0 && p <= 1.0) {
        bail!("--threshold must be a probability above 0 and at most 1, not {p}");
    }
    Ok(())
}

/// Trains on large inputs; small ones keep the built-in model, which EM on a few pairs would only distort.
fn model_for(prepared: &[PreparedRecord], settings: &Settings) -> Model {
    let mut model = Model::default();
    if prepared.len() >= TRAIN_MIN {
        let mut progress = Progress::new(format!("training on {} records", prepared.len()), None, "");
        progress.set(0);
        let report = train(&mut model, prepared, settings);
        progress.finish();
        eprintln!("Model trained: {} candidate pairs, {} pairs used by EM.", report.candidate_pairs, report.em_pairs);
    }
    model
}

/// Strongest pairs first; ties in id order so the output is reproducible.
fn sort_pairs(pairs: &mut [ScoredPair]) {
    pairs.sort_by(|x, y| y.score.probability.total_cmp(&x.score.probability).then(x.a.cmp(&y.a)).then(x.b.cmp(&y.b)));
}

/// The probability, weight and deciding identifier cells of a pair.
fn score_cells(p: &ScoredPair) -> [String; 3] {
    [
        format!("{:.4}", p.score.probability),
        format!("{:.2}", p.score.weight),
        p.score.decided_by.map(Field::name).unwrap_or_default().to_string(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The message a refused mapping gets.
    fn refused(text: &str) -> String {
        match Mapping::parse(text, "m.toml") {
            Ok(_) => panic!("accepted: {text}"),
            Err(e) => format!("{e:#}"),
        }
    }

    #[test]
    fn a_company_name_column_makes_the_records_companies() {
        let m = Mapping::parse("[columns]\nten = \"company_name\"\nmst = \"TAX_CODE\"\n", "m.toml").unwrap();
        assert_eq!(m.entity, EntityKind::Company);
        assert_eq!(m.fields(), [Field::CompanyName, Field::TaxCode]);
        let m = Mapping::parse("entity = \"vehicle\"\n[columns]\nchu = \"name\"\nbien = \"plate\"\n", "m.toml").unwrap();
        assert_eq!(m.entity, EntityKind::Vehicle);
    }

    #[test]
    fn every_problem_of_a_mapping_is_named() {
        let e = refused("entity = \"ship\"\n[columns]\na = \"name\"\nb = \"person_name\"\nc = \"email\"\n");
        assert!(e.contains("entity `ship` is unknown"), "{e}");
        assert!(e.contains("columns `a` and `b` both feed"), "{e}");
        assert!(e.contains("column `c` is mapped to `email`"), "{e}");
        assert!(refused("[columns]\n").contains("maps no column"));
        assert!(refused("colums = 1\n").contains("not a valid mapping file"));
    }
}
