//! The one Cordon binary: serve, demo, user, token, audit, migrate, and the file commands match, screen, rules.

mod cli_match;
mod cli_screen;
mod cli_tips;
mod cli_transfer;
mod config;
mod demo;
mod demo_cases;
mod keys;
mod progress;

use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand};
use cordon_app::{Actor, App, NewUserInput, SystemClock};
use cordon_server::ServerOptions;
use cordon_store::Store;

/// Cordon: inter-agency information exchange and coordination against smuggling,
/// trade fraud and counterfeit goods.
#[derive(Parser)]
#[command(name = "cordon", version)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct Global {
    /// Optional TOML configuration file (flags and environment take precedence over it).
    #[arg(long, env = "CORDON_CONFIG", global = true)]
    config: Option<PathBuf>,
    /// Data directory (SQLite file, evidence, keys). Default ./cordon-data.
    #[arg(long, env = "CORDON_DATA_DIR", global = true)]
    data_dir: Option<PathBuf>,
    /// Database URL: postgres://… for PostgreSQL; default the embedded SQLite file in the data directory.
    #[arg(long, env = "CORDON_DATABASE_URL", global = true, hide_env_values = true)]
    database: Option<String>,
    /// Log format: text or json.
    #[arg(long, env = "CORDON_LOG_FORMAT", global = true)]
    log_format: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server (API under /api/v1).
    Serve {
        /// Listen address. Default 127.0.0.1:8080.
        #[arg(long, env = "CORDON_ADDR")]
        addr: Option<String>,
        /// On an empty store, load the demo data first and print the demo logins.
        #[arg(long)]
        demo: bool,
        /// Seed for the demo data.
        #[arg(long, default_value_t = 389)]
        demo_seed: u64,
        /// Mark the session cookie Secure (serve behind HTTPS).
        #[arg(long, env = "CORDON_SECURE_COOKIES")]
        secure_cookies: bool,
    },
    /// Load the demo data into an empty store and print the demo logins.
    Demo {
        /// Seed: the same seed gives the same data and passwords.
        #[arg(long, default_value_t = 389)]
        seed: u64,
    },
    /// Apply migrations and load reference data, then exit.
    Migrate,
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Inspect the audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Print the OpenAPI 3.1 document of the HTTP API.
    Openapi,
    /// Rebuild the search index from the store.
    Reindex,
    /// Import cases from a CSV or NDJSON file as a user: every row checked first, all or nothing.
    Import(cli_transfer::ImportArgs),
    /// Export the cases a user may see as NDJSON, CSV or FollowTheMoney entities.
    Export(cli_transfer::ExportArgs),
    /// Take in tips (e-mail from an mbox file or a Maildir).
    Tips {
        #[command(subcommand)]
        command: cli_tips::TipsCommand,
    },
    /// Find records describing the same person, company or vehicle in CSV or NDJSON files (no store), or rescan the stored entities.
    Match {
        #[command(subcommand)]
        command: cli_match::MatchCommand,
    },
    /// Screen online listings against a rule set; hits as NDJSON on standard output (no store).
    Screen(cli_screen::ScreenArgs),
    /// Check screening rule files.
    Rules {
        #[command(subcommand)]
        command: cli_screen::RulesCommand,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user; the password is read from standard input.
    Add {
        /// Login name.
        #[arg(long)]
        username: String,
        /// Name shown to others.
        #[arg(long)]
        display_name: String,
        /// Unit id.
        #[arg(long)]
        unit: String,
        /// Role (repeat for several): officer, analyst, unit_head, deputy_head, liaison_officer, hotline_operator, auditor, administrator.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// vi or en.
        #[arg(long)]
        language: Option<String>,
        /// Let the user keep this password (default: must change it at first sign-in).
        #[arg(long)]
        keep_password: bool,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token for a user and print it (once).
    Create {
        /// Whose token.
        #[arg(long)]
        user: String,
        /// What it is for.
        #[arg(long, default_value = "cli")]
        label: String,
        /// Validity in days (1–366).
        #[arg(long, default_value_t = 90)]
        days: i64,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Re-check the whole hash chain and every signed checkpoint; names the first bad entry.
    Verify,
    /// Sign a checkpoint of the log's head now (the server does so every minute).
    Checkpoint,
}

fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CORDON_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // Errors are for the operator: the message and its causes, not a backtrace.
    match real_main().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn real_main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Command::Openapi = cli.command {
        println!("{}", cordon_server::openapi().to_pretty_json()?);
        return Ok(());
    }
    // File commands never open the store: they work on a laptop with no data directory.
    match cli.command {
        Command::Match { command } if !command.uses_store() => return cli_match::run(command),
        Command::Screen(args) => return cli_screen::screen(args).await,
        Command::Rules { command } => return cli_screen::rules(command),
        _ => {}
    }
    let g = cli.global;
    let file = config::FileConfig::load(g.config.as_deref())?;
    let (addr, secure) = match &cli.command {
        Command::Serve { addr, secure_cookies, .. } => (addr.clone(), *secure_cookies),
        _ => (None, false),
    };
    let settings = config::resolve(addr, g.data_dir, g.database, g.log_format, secure, file)?;
    init_logging(settings.json_logs);
    let store = Store::open(&settings.target).await.with_context(|| format!("opening the store ({})", settings.target.redacted()))?;
    let key = keys::load_or_create(&settings.data_dir)?;
    // Each node keeps its index beside its data, whichever database holds the records.
    let index = cordon_search::SearchIndex::open(&settings.data_dir.join("index")).context("opening the search index")?;
    let files = cordon_store::FileStore::new(&settings.data_dir.join("evidence"));
    let app = App::new(store.clone(), Arc::new(SystemClock), key, cordon_search::LiveIndex::new(index)?, files);
    if !matches!(cli.command, Command::Reindex) {
        let n = app.catch_up_index().await?;
        if n > 0 {
            tracing::info!(cases = n, "search index caught up with the store");
        }
    }

    let result = run(cli.command, &app, &settings).await;
    store.close().await;
    result
}

async fn run(command: Command, app: &App, settings: &config::Settings) -> anyhow::Result<()> {
    match command {
        Command::Serve { demo, demo_seed, .. } => {
            // A bad channel setting stops the start, before anything is loaded or listened on.
            app.configure_delivery(settings.delivery.clone()).context("the [smtp] or [gateway] configuration")?;
            if demo {
                if app.store().count_users().await? == 0 {
                    print_logins(&demo::seed(app, demo_seed).await?);
                } else {
                    println!("The store already has users: demo data not loaded.");
                }
            }
            if let Some(password) = app.bootstrap().await? {
                println!("\n  First start: an administrator account was created.\n  username: admin\n  one-time password: {password}\n  Sign in and change it; this password is not shown again.\n");
            }
            let listener =
                tokio::net::TcpListener::bind(settings.addr).await.with_context(|| format!("cannot listen on {}", settings.addr))?;
            let local = listener.local_addr()?;
            tracing::info!(addr = %local, store = %settings.target.redacted(), "Cordon is listening");
            println!("Cordon is listening on http://{local}");
            let options = ServerOptions { secure_cookies: settings.secure_cookies };
            let delivery = app.start_delivery().await?;
            let checkpoints = tokio::spawn(checkpoint_every_minute(app.clone()));
            let escalations = tokio::spawn(escalate_every_few_seconds(app.clone()));
            let reports = tokio::spawn(send_reports_every_few_minutes(app.clone()));
            let resolver = app.clone();
            tokio::spawn(async move {
                if let Err(e) = resolver.warm_entity_resolver().await {
                    tracing::error!(error = %e, "the entity resolver could not be built at start; it is built on first use");
                }
            });
            cordon_server::serve(listener, app.clone(), options, shutdown_signal()).await?;
            checkpoints.abort();
            escalations.abort();
            reports.abort();
            // Sends under way finish (each within its timeout); what is left waits in the outbox.
            delivery.stop().await;
            app.flush_index()?;
            app.checkpoint_audit().await?;
            tracing::info!("stopped; every acknowledged write is on disk");
        }
        Command::Demo { seed } => {
            print_logins(&demo::seed(app, seed).await?);
            app.flush_index()?;
        }
        Command::Migrate => {
            println!("Schema at version {}; reference data loaded.", app.store().schema_version().await?);
        }
        Command::User { command: UserCommand::Add { username, display_name, unit, roles, language, keep_password } } => {
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password).context("reading the password from standard input")?;
            let password = password.trim_end_matches(['\r', '\n']).to_string();
            if password.is_empty() {
                bail!("no password on standard input (e.g. `printf '%s' \"$PASSWORD\" | cordon user add …`)");
            }
            let input =
                NewUserInput { username, display_name, unit_id: unit, roles, password, must_change_password: !keep_password, language };
            let user = app.create_user(&Actor::cli(), input).await?;
            println!("User {} created (id {}).", user.username, user.id);
        }
        Command::Token { command: TokenCommand::Create { user, label, days } } => {
            let out = app.create_api_token(&Actor::cli(), &user, &label, Some(days)).await?;
            println!("{}", out.token);
        }
        Command::Audit { command: AuditCommand::Verify } => match app.verify_audit().await {
            Ok(r) => println!(
                "Audit log verified: {} entries, head {}, {} signed checkpoints (node key {}).",
                r.entries, r.head, r.checkpoints, r.key_id
            ),
            Err(e) => bail!("{e}"),
        },
        Command::Audit { command: AuditCommand::Checkpoint } => match app.checkpoint_audit().await? {
            Some(c) => println!("Checkpoint signed at entry {} ({}).", c.checkpoint.seq, c.checkpoint.hash),
            None => println!("No new entries since the last checkpoint."),
        },
        Command::Reindex => {
            let n = app.reindex().await?;
            println!("Search index rebuilt: {n} cases.");
        }
        Command::Import(args) => cli_transfer::import(app, args).await?,
        Command::Export(args) => cli_transfer::export(app, args).await?,
        Command::Tips { command } => cli_tips::run(app, command).await?,
        Command::Match { command: cli_match::MatchCommand::Rescan } => {
            let r = app.rescan_entities(&Actor::cli()).await?;
            println!(
                "Entities: {} ({} of a kind that is resolved); candidate pairs compared: {}; pairs at or above {}: {} \
                 ({} already stored, left as they are); new candidates: {}; new automatic links: {}; \
                 {} left out (at most {} new per entity).",
                r.entities,
                r.resolved,
                r.pairs_compared,
                cordon_app::CANDIDATE_THRESHOLD,
                r.found,
                r.already_stored,
                r.new_candidates,
                r.new_linked,
                r.capped,
                cordon_app::MAX_CANDIDATES
            );
        }
        Command::Openapi | Command::Match { .. } | Command::Screen(_) | Command::Rules { .. } => {
            unreachable!("answered before the store is opened")
        }
    }
    Ok(())
}

/// Signs the audit log's head every minute, so that a rewrite or a cut tail is caught
/// against a signature made before it.
async fn checkpoint_every_minute(app: App) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tick.tick().await;
        if let Err(e) = app.checkpoint_audit().await {
            tracing::error!(error = %e, "audit checkpoint failed");
        }
    }
}

/// Escalates late notices. An urgent notice has ten minutes: a sweep every 15 s keeps the
/// escalation within seconds of its deadline.
async fn escalate_every_few_seconds(app: App) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(15));
    loop {
        tick.tick().await;
        match app.escalate_overdue_notices().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(escalated = n, "late notices escalated"),
            Err(e) => tracing::error!(error = %e, "escalation sweep failed"),
        }
    }
}

/// E-mails the scheduled reports whose period has ended. A period ends at midnight; five
/// minutes late is on time for a monthly report, and a failed send is tried again next round.
async fn send_reports_every_few_minutes(app: App) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(300));
    loop {
        tick.tick().await;
        match cordon_server::send_due_reports(&app).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(sent = n, "scheduled reports sent"),
            Err(e) => tracing::error!(error = %e, "scheduled report sweep failed"),
        }
    }
}

fn print_logins(logins: &[demo::DemoLogin]) {
    println!("\nDemo data loaded. Demo logins (password — who):");
    for l in logins {
        println!("  {:<22} {:<18} {}", l.username, l.password, l.what);
    }
    println!();
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
