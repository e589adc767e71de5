//! `cordon screen` and `cordon rules check`: listing screening over files or standard input, no store involved.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, Context};
use clap::{Args, Subcommand};
use cordon_screen::{CompiledRuleSet, Field, HitKind, Listing, RuleSet, RuleSetError, RuleSpec, Scratch, Screening};
use cordon_transfer::{CsvListings, ListingItem, NdjsonListings};
use serde::Serialize;

use crate::cli_match::Format;
use crate::progress::Progress;

/// How long `--follow` waits before looking for new data at the end of the file.
const POLL: Duration = Duration::from_millis(200);

/// Arguments of `cordon screen`.
#[derive(Args)]
pub struct ScreenArgs {
    /// The rule file.
    #[arg(long, value_name = "RULES")]
    rules: PathBuf,
    /// NDJSON or CSV file of listings, or `-` for standard input.
    input: PathBuf,
    /// Input format; default from the file extension (.csv, else NDJSON), NDJSON for standard input.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Keep reading as the file grows (checked every 200 ms) until Ctrl-C.
    #[arg(long)]
    follow: bool,
}

/// `cordon rules` subcommands.
#[derive(Subcommand)]
pub enum RulesCommand {
    /// Validate a rule file: its version and rule counts, or every error with its line.
    Check {
        /// The rule file.
        file: PathBuf,
    },
}

/// Runs `cordon rules`.
pub fn rules(command: RulesCommand) -> anyhow::Result<()> {
    let RulesCommand::Check { file } = command;
    let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read the rule file {}", file.display()))?;
    let set = match RuleSet::parse(&text) {
        Ok(set) => set,
        Err(e) => return Err(report_rule_errors(&file, e)),
    };
    let compiled = CompiledRuleSet::compile(&set).map_err(|e| report_rule_errors(&file, e))?;
    let mut counts: Vec<(String, usize)> = Vec::new();
    for rule in &set.rules {
        let kind = match &rule.kind {
            RuleSpec::Term { class, .. } => format!("term {}", class.as_str()),
            RuleSpec::Brand { .. } => "brand".into(),
            RuleSpec::PriceAnomaly { .. } => "price-anomaly".into(),
            RuleSpec::Watchlist { list, .. } => format!("watchlist {}", list.as_str()),
            RuleSpec::ImageHash { .. } => "image-hash".into(),
        };
        match counts.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, n)) => *n += 1,
            None => counts.push((kind, 1)),
        }
    }
    println!("{}: rule set {} is valid.", file.display(), set.version);
    println!(
        "{} rules ({}), {} patterns, lead threshold {}.",
        set.rules.len(),
        counts.iter().map(|(k, n)| format!("{n} {k}")).collect::<Vec<_>>().join(", "),
        compiled.pattern_count(),
        set.threshold
    );
    Ok(())
}

/// Prints every error of a refused rule set and returns the error that makes the command fail.
fn report_rule_errors(file: &Path, e: RuleSetError) -> anyhow::Error {
    match e {
        RuleSetError::Invalid(errors) => {
            for error in &errors {
                eprintln!("{}: line {}: {}", file.display(), error.line, error.reason);
            }
            anyhow!("the rule file {} has {} error{}", file.display(), errors.len(), if errors.len() == 1 { "" } else { "s" })
        }
        RuleSetError::Build(reason) => anyhow!("the rule file {} could not be compiled: {reason}", file.display()),
    }
}

/// Counts the bytes read, for the progress bar.
struct Counting<R> {
    inner: R,
    bytes: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// A file read as if it never ended: at its end, waits and looks again, until `stop` is set.
struct Follow {
    file: File,
    stop: Arc<AtomicBool>,
}

impl Read for Follow {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            let n = self.file.read(buf)?;
            if n > 0 || buf.is_empty() || self.stop.load(Ordering::Relaxed) {
                return Ok(n);
            }
            std::thread::sleep(POLL);
        }
    }
}

/// Runs `cordon screen`; with `--follow`, Ctrl-C ends the run cleanly.
pub async fn screen(args: ScreenArgs) -> anyhow::Result<()> {
    let stop = Arc::new(AtomicBool::new(false));
    if args.follow {
        let flag = stop.clone();
        // Installed only when following: otherwise Ctrl-C keeps its default, immediate effect.
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                flag.store(true, Ordering::Relaxed);
            }
        });
    }
    tokio::task::spawn_blocking(move || screen_blocking(&args, stop)).await.context("the screening thread failed")?
}

/// Screens the whole input on this thread (blocking reads and sleeps stay off the async workers).
fn screen_blocking(args: &ScreenArgs, stop: Arc<AtomicBool>) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.rules).with_context(|| format!("cannot read the rule file {}", args.rules.display()))?;
    let rules = CompiledRuleSet::from_text(&text).map_err(|e| report_rule_errors(&args.rules, e))?;
    let stdin = args.input.as_os_str() == "-";
    let format = match args.format {
        Some(f) => f,
        None if stdin => Format::Ndjson,
        None => Format::of(&args.input, None).unwrap_or(Format::Ndjson),
    };
    let bytes = Arc::new(AtomicU64::new(0));
    let (source, total): (Box<dyn Read + Send>, Option<u64>) = if stdin {
        (Box::new(std::io::stdin()), None)
    } else {
        let file = File::open(&args.input).with_context(|| format!("cannot open {}", args.input.display()))?;
        if args.follow {
            (Box::new(Follow { file, stop }), None)
        } else {
            let size = file.metadata().map(|m| m.len()).ok();
            (Box::new(file), size)
        }
    };
    let reader = BufReader::new(Counting { inner: source, bytes: bytes.clone() });
    let name = if stdin { "standard input".to_string() } else { args.input.display().to_string() };
    let mut run = Run {
        rules: &rules,
        scratch: Scratch::new(),
        out: BufWriter::new(std::io::stdout().lock()),
        flush_each: args.follow || stdin,
        progress: Progress::new(format!("screening {name}"), total, "listings"),
        by_bytes: total.is_some(),
        bytes,
        name,
        screened: 0,
        with_hits: 0,
        leads: 0,
        bad: 0,
    };
    match format {
        Format::Ndjson => run.run(NdjsonListings::new(reader))?,
        Format::Csv => run.run(CsvListings::new(reader).with_context(|| format!("cannot read {}", run.name))?)?,
    }
    run.out.flush().context("cannot write to standard output")?;
    run.progress.finish();
    eprintln!(
        "Screened {} with rules {}: listings {}, with hits {}, leads {}, bad lines skipped {}.",
        run.name,
        rules.version(),
        run.screened,
        run.with_hits,
        run.leads,
        run.bad
    );
    Ok(())
}

/// The state of one screening run.
struct Run<'a, W: Write> {
    rules: &'a CompiledRuleSet,
    scratch: Scratch,
    out: W,
    flush_each: bool,
    progress: Progress,
    /// The bar shows bytes when the input's size is known, else the count of listings.
    by_bytes: bool,
    bytes: Arc<AtomicU64>,
    name: String,
    screened: u64,
    with_hits: u64,
    leads: u64,
    bad: u64,
}

impl<W: Write> Run<'_, W> {
    /// Screens every listing the reader yields; a line that is not a listing is reported and skipped.
    fn run(&mut self, items: impl Iterator<Item = std::io::Result<ListingItem>>) -> anyhow::Result<()> {
        for item in items {
            match item.with_context(|| format!("cannot read {}", self.name))? {
                Ok((line, listing)) => self.screen(&listing, line)?,
                Err(bad) => self.skip(bad.line, &bad.reason),
            }
        }
        Ok(())
    }

    /// Reports a line that is not a listing and goes on.
    fn skip(&mut self, line: usize, reason: &str) {
        self.bad += 1;
        self.progress.note(&format!("{} line {line}: skipped: {reason}", self.name));
    }

    /// Screens one listing and prints it when something fired.
    fn screen(&mut self, listing: &Listing, line: usize) -> anyhow::Result<()> {
        let screening = self.rules.screen_with(listing, &mut self.scratch);
        self.screened += 1;
        self.progress.set(if self.by_bytes { self.bytes.load(Ordering::Relaxed) } else { self.screened });
        if screening.hits.is_empty() {
            return Ok(());
        }
        self.with_hits += 1;
        self.leads += u64::from(screening.lead);
        let object = to_json(listing, line, &screening);
        serde_json::to_writer(&mut self.out, &object).context("cannot write to standard output")?;
        self.out.write_all(b"\n").context("cannot write to standard output")?;
        if self.flush_each {
            self.out.flush().context("cannot write to standard output")?;
        }
        Ok(())
    }
}

/// One output line: the listing, its score, and every hit (fields in this order, for people reading the stream).
#[derive(Serialize)]
struct OutLine<'a> {
    listing_id: &'a str,
    platform: &'a str,
    line: usize,
    score: f64,
    lead: bool,
    hits: Vec<OutHit<'a>>,
}

/// One hit: which rule, why, and where.
#[derive(Serialize)]
struct OutHit<'a> {
    rule: &'a str,
    kind: String,
    entry: &'a str,
    weight: f64,
    reason: &'a str,
    spans: Vec<OutSpan<'a>>,
}

/// Where a hit was found: byte offsets into the original text, and the text itself.
#[derive(Serialize)]
struct OutSpan<'a> {
    field: &'static str,
    start: usize,
    end: usize,
    text: &'a str,
}

/// Shapes a screening for output, with the matched text beside each span.
fn to_json<'a>(listing: &'a Listing, line: usize, s: &'a Screening) -> OutLine<'a> {
    let hits = s
        .hits
        .iter()
        .map(|h| OutHit {
            rule: &h.rule,
            kind: kind_name(h.kind),
            entry: &h.entry,
            weight: h.weight,
            reason: &h.reason,
            spans: h
                .spans
                .iter()
                .map(|span| {
                    let (field, text) = match span.field {
                        Field::Title => ("title", &listing.title),
                        Field::Description => ("description", &listing.description),
                    };
                    OutSpan { field, start: span.range.start, end: span.range.end, text: text.get(span.range.clone()).unwrap_or_default() }
                })
                .collect(),
        })
        .collect();
    OutLine {
        listing_id: &listing.listing_id,
        platform: &listing.platform,
        line,
        // Four decimals: enough to rank, short enough to read.
        score: (s.score * 10_000.0).round() / 10_000.0,
        lead: s.lead,
        hits,
    }
}

/// The hit kind as the rule file spells it.
fn kind_name(kind: HitKind) -> String {
    match kind {
        HitKind::Term(class) => format!("term:{}", class.as_str()),
        HitKind::Brand => "brand".into(),
        HitKind::PriceAnomaly => "price-anomaly".into(),
        HitKind::Watchlist(list) => format!("watchlist:{}", list.as_str()),
        HitKind::ImageHash => "image-hash".into(),
    }
}
