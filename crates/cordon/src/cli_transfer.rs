//! `cordon import` and `cordon export`: cases from and to files, as a named user, through
//! the same use cases (and the same sharing rule and audit) as the API.
//!
//! The file formats and the column mapping are `cordon-transfer`'s; this module adds the
//! files, the batches and the progress bar.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};
use cordon_app::{App, CaseQuery};
use cordon_transfer::{ImportFormat, Mapping, Rows};

use crate::progress::Progress;

/// Options of `cordon import`.
#[derive(Args)]
pub struct ImportArgs {
    /// The user the cases are recorded as (their unit becomes the recording unit).
    #[arg(long = "as")]
    pub as_user: String,
    /// Column mapping (TOML); without one, a table's columns are named after the fields.
    #[arg(long)]
    pub mapping: Option<PathBuf>,
    /// Check every row and report, write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Rows per transaction: each batch is written whole or not at all.
    #[arg(long, default_value_t = 1000)]
    pub batch: usize,
    /// CSV, XLSX or NDJSON file (by its extension; anything else is read as NDJSON).
    pub input: PathBuf,
}

/// Export formats.
#[derive(Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    /// One case per line, as the API shows it.
    Ndjson,
    /// One row per case, flat.
    Csv,
    /// An Excel workbook, the same columns as CSV.
    Xlsx,
    /// FollowTheMoney entities, one per line (Event for the case; Person, Company, Vehicle, Vessel for parties).
    Ftm,
}

impl From<ExportFormat> for cordon_transfer::ExportFormat {
    fn from(f: ExportFormat) -> Self {
        match f {
            ExportFormat::Ndjson => cordon_transfer::ExportFormat::Ndjson,
            ExportFormat::Csv => cordon_transfer::ExportFormat::Csv,
            ExportFormat::Xlsx => cordon_transfer::ExportFormat::Xlsx,
            ExportFormat::Ftm => cordon_transfer::ExportFormat::Ftm,
        }
    }
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

/// Runs `cordon import`.
pub async fn import(app: &App, args: ImportArgs) -> anyhow::Result<()> {
    let actor = app.actor_for_operator(&args.as_user).await.with_context(|| format!("no user {}", args.as_user))?;
    let mapping = match args.mapping.as_deref() {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading the mapping {}", path.display()))?;
            Some(Mapping::parse(&text).with_context(|| format!("the mapping {}", path.display()))?)
        }
        None => None,
    };
    let ext = args.input.extension().and_then(|e| e.to_str()).unwrap_or("");
    let format = ImportFormat::from_name(ext).unwrap_or(ImportFormat::Ndjson);
    let file = std::fs::File::open(&args.input).with_context(|| format!("opening {}", args.input.display()))?;
    let Rows { rows, mut problems } =
        cordon_transfer::read_rows(format, file, mapping.as_ref()).with_context(|| format!("{}", args.input.display()))?;
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
    cordon_transfer::write_cases(args.format.into(), &cases, &mut out)?;
    out.flush()?;
    eprintln!("Exported {} cases.", cases.len());
    Ok(())
}
