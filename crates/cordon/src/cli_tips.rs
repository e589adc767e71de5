//! `cordon tips import-mail`: e-mailed tips from an mbox file or a Maildir, as the hotline
//! operator (or gateway account) named; a message taken in before is not taken again.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use cordon_app::App;

/// `cordon tips` subcommands.
#[derive(Subcommand)]
pub enum TipsCommand {
    /// Take in e-mailed tips from an mbox file or a Maildir directory.
    ImportMail(ImportMailArgs),
}

/// Options of `cordon tips import-mail`.
#[derive(Args)]
pub struct ImportMailArgs {
    /// The hotline operator (or gateway account) taking the mail in.
    #[arg(long = "as")]
    pub as_user: String,
    /// An mbox file.
    #[arg(long, conflicts_with = "maildir", required_unless_present = "maildir")]
    pub mbox: Option<PathBuf>,
    /// A Maildir (its `new` and `cur` folders are read).
    #[arg(long)]
    pub maildir: Option<PathBuf>,
}

/// Runs `cordon tips`.
pub async fn run(app: &App, command: TipsCommand) -> anyhow::Result<()> {
    let TipsCommand::ImportMail(args) = command;
    let actor = app.actor_for_operator(&args.as_user).await.with_context(|| format!("no user {}", args.as_user))?;
    App::check_mail_intake(&actor).with_context(|| format!("{} may not take in tips", args.as_user))?;
    // (where, message bytes): "file line N" for an mbox, the file name for a Maildir.
    let messages: Vec<(String, Vec<u8>)> = match (&args.mbox, &args.maildir) {
        (Some(path), _) => {
            let raw = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            let found = cordon_transfer::split_mbox(&raw);
            if found.is_empty() && !raw.is_empty() {
                bail!("{} is not an mbox file: no line starts with \"From \"", path.display());
            }
            found.into_iter().map(|(line, m)| (format!("{} line {line}", path.display()), m)).collect()
        }
        (None, Some(dir)) => maildir(dir)?,
        (None, None) => bail!("give --mbox FILE or --maildir DIR"),
    };
    let (mut taken, mut before, mut bad) = (0usize, 0usize, 0usize);
    for (place, raw) in messages {
        let mail = match cordon_transfer::parse_email(&raw) {
            Ok(m) => m,
            Err(e) => {
                eprintln!("{place}: skipped: {e}");
                bad += 1;
                continue;
            }
        };
        match app.receive_email_tip(&actor, mail).await {
            Ok(Some(_)) => taken += 1,
            Ok(None) => before += 1,
            Err(cordon_app::AppError::Invalid(e)) => {
                eprintln!("{place}: skipped: {e}");
                bad += 1;
            }
            Err(e) => return Err(e).with_context(|| format!("{place}: taking the message in")),
        }
    }
    println!("Tips taken in: {taken}; taken in before: {before}; skipped: {bad}.");
    Ok(())
}

/// The messages of a Maildir, oldest name first.
fn maildir(dir: &Path) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let mut files = Vec::new();
    for sub in ["new", "cur"] {
        let path = dir.join(sub);
        let entries = std::fs::read_dir(&path).with_context(|| format!("{} is not a Maildir (no {sub}/)", dir.display()))?;
        for entry in entries {
            let entry = entry.with_context(|| format!("reading {}", path.display()))?;
            if entry.file_type().is_ok_and(|t| t.is_file()) {
                files.push(entry.path());
            }
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|p| std::fs::read(&p).map(|b| (p.display().to_string(), b)).with_context(|| format!("reading {}", p.display())))
        .collect()
}
