//! The store: one type, two real backends behind sqlx's `Any` driver.
//!
//! SQL is written once, in the common subset of SQLite and PostgreSQL, with `$N`
//! placeholders; for SQLite they are rewritten to `?N` (explicitly numbered), because
//! SQLite would otherwise number `$N` by order of first appearance.
//! SQLite gets one writer connection (writes are serialised anyway, and one writer
//! never meets SQLITE_BUSY on lock upgrade) and a pool of readers under WAL.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use cordon_core::audit::{self, AuditEntry, ChainedEntry};
use cordon_core::{Agency, AgencyKind, Language, Role, TokenKind, Unit, User};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyRow};
use sqlx::{AnyConnection, AnyPool, Executor, Row};

use crate::records::{AuditQuery, NewAgency, NewUnit, NewUser, TokenRecord};
use crate::StoreError;

/// Where the data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreTarget {
    /// An embedded SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL server, by URL.
    Postgres(String),
}

impl StoreTarget {
    /// Chooses the backend from `--database` (if given) or the data directory.
    pub fn from_config(database_url: Option<&str>, data_dir: &Path) -> Result<Self, StoreError> {
        match database_url.map(str::trim).filter(|u| !u.is_empty()) {
            None => Ok(StoreTarget::Sqlite(data_dir.join("cordon.db"))),
            Some(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => Ok(StoreTarget::Postgres(u.to_string())),
            Some(u) if u.starts_with("sqlite://") => Ok(StoreTarget::Sqlite(PathBuf::from(u.trim_start_matches("sqlite://")))),
            Some(_) => Err(StoreError::Open("the database URL must start with postgres://, postgresql:// or sqlite://".into())),
        }
    }

    /// The target for logs: the file, or the server without its password.
    pub fn redacted(&self) -> String {
        match self {
            StoreTarget::Sqlite(p) => format!("sqlite {}", p.display()),
            StoreTarget::Postgres(u) => format!("postgres {}", redact_url(u)),
        }
    }
}

/// Hides a password in a URL, if there is one.
pub(crate) fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    match rest.split_once('@') {
        Some((creds, host)) => match creds.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

/// Cordon's persistent state. Cheap to clone (pools and the audit committer are shared).
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) dialect: Dialect,
    pub(crate) read: AnyPool,
    pub(crate) write: AnyPool,
    audit_queue: tokio::sync::mpsc::UnboundedSender<AuditRequest>,
    /// PostgreSQL's URL, for the live-delivery listener (`LISTEN` needs its own connection).
    pub(crate) pg_url: Option<std::sync::Arc<str>>,
}

/// Entries waiting to be made durable, and whom to tell when they are.
type AuditRequest = (Vec<AuditEntry>, tokio::sync::oneshot::Sender<Result<(), String>>);

/// Most entries one group commit takes: enough to amortise an fsync over a burst of reads.
const GROUP_COMMIT_MAX: usize = 512;

/// Rewrites `$N` placeholders to SQLite's explicitly numbered `?N`.
pub(crate) fn sqlite_sql(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}

/// Most bind variables one statement may carry: SQLite's limit (`SQLITE_MAX_VARIABLE_NUMBER`,
/// 32 766 since 3.32); PostgreSQL allows 65 535, so the smaller bound serves both.
pub(crate) const MAX_BINDS: usize = 32_766;

/// A number that may be missing, as the store binds it: NaN for missing. sqlx 0.8.6's `Any`
/// driver sends a `None::<f64>` to PostgreSQL as a float4 NULL, and the statement it prepares
/// then refuses a real f64 on the same connection; NaN is always a float8. PostgreSQL triggers
/// (migration 14) and SQLite itself store the NaN as NULL. Input validation admits only finite
/// numbers, so no real value is lost.
pub(crate) fn number_or_nan(v: Option<f64>) -> f64 {
    v.unwrap_or(f64::NAN)
}

/// A query on the `Any` driver, as `sqlx::query` builds it.
pub(crate) type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// `{head} VALUES ($1, …), (…), … {tail}` for `rows` rows of `width` values each; with
/// `anonymous`, plain `?` placeholders instead (SQLite numbers them in order, the same thing).
pub(crate) fn values_sql(head: &str, width: usize, rows: usize, tail: &str, anonymous: bool) -> String {
    let mut sql = String::with_capacity(head.len() + tail.len() + rows * width * 7);
    sql.push_str(head);
    sql.push_str(" VALUES ");
    let mut n = 0;
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..width {
            n += 1;
            if c > 0 {
                sql.push_str(", ");
            }
            if anonymous {
                sql.push('?');
            } else {
                sql.push('$');
                sql.push_str(&n.to_string());
            }
        }
        sql.push(')');
    }
    if !tail.is_empty() {
        sql.push(' ');
        sql.push_str(tail);
    }
    sql
}

const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;";

/// The writer does not checkpoint the write-ahead log itself: a checkpoint inside a commit
/// (SQLite's default, every 1 000 pages) holds the single writer — and every read waiting for
/// its audit entry — for as long as it takes to copy and sync. A reader connection checkpoints
/// instead, every `WAL_CHECKPOINT_EVERY`, without blocking the writer.
const SQLITE_WRITER_PRAGMAS: &str = "PRAGMA wal_autocheckpoint = 0;";

/// How often the WAL is checkpointed from a reader connection.
const WAL_CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

impl Store {
    /// Opens (creating if need be) the store and brings its schema and reference data up to date.
    pub async fn open(target: &StoreTarget) -> Result<Store, StoreError> {
        let store = Store::connect(target).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Connects without migrating.
    pub async fn connect(target: &StoreTarget) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        match target {
            StoreTarget::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| StoreError::Open(format!("cannot create {}: {e}", dir.display())))?;
                }
                let url = format!("sqlite://{}?mode=rwc", path.display());
                let opts = AnyConnectOptions::from_str(&url).map_err(|e| StoreError::Open(e.to_string()))?;
                let pool = |max: u32, writer: bool| {
                    AnyPoolOptions::new()
                        .max_connections(max)
                        .acquire_timeout(Duration::from_secs(30))
                        // A connection to a local file cannot go stale, and the default check
                        // (a ping through the connection's worker thread before every query)
                        // doubled the thread hand-offs that dominate a read's cost.
                        .test_before_acquire(false)
                        .after_connect(move |conn, _| {
                            Box::pin(async move {
                                conn.execute(SQLITE_PRAGMAS).await?;
                                if writer {
                                    conn.execute(SQLITE_WRITER_PRAGMAS).await?;
                                }
                                Ok(())
                            })
                        })
                        .connect_with(opts.clone())
                };
                let write = pool(1, true).await.map_err(|e| StoreError::Open(format!("{}: {e}", path.display())))?;
                let read = pool(8, false).await.map_err(|e| StoreError::Open(format!("{}: {e}", path.display())))?;
                let checkpointer = read.clone();
                tokio::spawn(async move {
                    let mut tick = tokio::time::interval(WAL_CHECKPOINT_EVERY);
                    loop {
                        tick.tick().await;
                        if checkpointer.is_closed() {
                            break;
                        }
                        // PASSIVE copies what it can without waiting for anyone; an error here
                        // (busy, closing) only means the next tick tries again.
                        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&checkpointer).await {
                            tracing::debug!(error = %e, "WAL checkpoint skipped");
                        }
                    }
                });
                Ok(Store::with_committer(Dialect::Sqlite, read, write))
            }
            StoreTarget::Postgres(url) => {
                let opts = AnyConnectOptions::from_str(url).map_err(|e| StoreError::Open(e.to_string()))?;
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(opts)
                    .await
                    .map_err(|e| StoreError::Open(format!("{}: {e}", redact_url(url))))?;
                let mut store = Store::with_committer(Dialect::Postgres, pool.clone(), pool);
                store.pg_url = Some(url.as_str().into());
                Ok(store)
            }
        }
    }

    /// Starts the audit committer: reads' audit entries are made durable in groups, one
    /// transaction (one fsync) for every burst of concurrent reads, each caller released
    /// only once its own entries are on disk.
    fn with_committer(dialect: Dialect, read: AnyPool, write: AnyPool) -> Store {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<AuditRequest>();
        let store = Store { dialect, read, write, audit_queue: tx, pg_url: None };
        let committer = Store { audit_queue: tokio::sync::mpsc::unbounded_channel().0, ..store.clone() };
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut group = vec![first];
                let mut n = group[0].0.len();
                while n < GROUP_COMMIT_MAX {
                    match rx.try_recv() {
                        Ok(next) => {
                            n += next.0.len();
                            group.push(next);
                        }
                        Err(_) => break,
                    }
                }
                let entries: Vec<AuditEntry> = group.iter().flat_map(|(e, _)| e.iter().cloned()).collect();
                let result = committer.audit_now(&entries).await.map_err(|e| e.to_string());
                for (_, done) in group {
                    let _ = done.send(result.clone());
                }
            }
        });
        store
    }

    /// Which backend this is, for logs and `/readyz`: `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        match self.dialect {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
        }
    }

    /// `n` placeholders separated by commas, for an `IN (…)` list: `$1, $2…`, or on SQLite
    /// anonymous `?`s (see [`Store::insert_many`] for why not `?N`).
    pub(crate) fn placeholders(&self, n: usize) -> String {
        match self.dialect {
            Dialect::Sqlite => vec!["?"; n].join(", "),
            Dialect::Postgres => (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", "),
        }
    }

    pub(crate) fn sql<'a>(&self, sql: &'a str) -> Cow<'a, str> {
        match self.dialect {
            Dialect::Sqlite => Cow::Owned(sqlite_sql(sql)),
            Dialect::Postgres => Cow::Borrowed(sql),
        }
    }

    /// Inserts `rows` with multi-row `INSERT … VALUES` statements, as many rows per statement
    /// as the bind limit allows: one round trip (and one prepared statement, reused through
    /// sqlx's statement cache) per few hundred rows instead of one per row, which is what
    /// makes bulk imports fast on both backends. `bind` binds one row's `width` values in
    /// column order.
    pub(crate) async fn insert_many<T, F>(
        &self,
        conn: &mut AnyConnection,
        head: &str,
        width: usize,
        tail: &str,
        rows: &[T],
        bind: F,
    ) -> Result<(), StoreError>
    where
        F: for<'q> Fn(AnyQuery<'q>, &T) -> AnyQuery<'q>,
    {
        let per_statement = (MAX_BINDS / width.max(1)).max(1);
        // SQLite gets anonymous `?`s, not the numbered `?N` that `Store::sql` writes: binding
        // asks SQLite each parameter's name, and that look-up walks the list of named
        // parameters, which made binding a statement of thousands of `?N`s quadratic (measured:
        // 88 % of an import's time). Anonymous parameters have no names to walk.
        let anonymous = self.dialect == Dialect::Sqlite;
        let mut full: Option<String> = None;
        for chunk in rows.chunks(per_statement) {
            // Every chunk but the last has the same shape: build its SQL once.
            let sql = if chunk.len() == per_statement {
                full.get_or_insert_with(|| values_sql(head, width, per_statement, tail, anonymous)).clone()
            } else {
                values_sql(head, width, chunk.len(), tail, anonymous)
            };
            let mut q = sqlx::query(&sql);
            for row in chunk {
                q = bind(q, row);
            }
            q.execute(&mut *conn).await?;
        }
        Ok(())
    }

    /// Closes all connections, waiting for those in use to be returned.
    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }

    /// Runs SQL with no audit and no checks. For operators' repair scripts and for the
    /// tests that tamper with the audit log on purpose; the server never calls it.
    pub async fn execute_unchecked(&self, sql: &str) -> Result<(), StoreError> {
        sqlx::raw_sql(sql).execute(&self.write).await?;
        Ok(())
    }

    /// Answers whether the database can be reached and read.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").fetch_one(&self.read).await?;
        Ok(())
    }

    // ---- audit ----

    /// Appends entries to the audit log inside the caller's transaction, chaining each
    /// onto the current head. On PostgreSQL an advisory transaction lock serialises
    /// appenders; on SQLite the single writer connection already does.
    pub(crate) async fn append_audit(&self, conn: &mut AnyConnection, entries: &[AuditEntry]) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        if self.dialect == Dialect::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(7231001)").execute(&mut *conn).await?;
        }
        let head = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetch_optional(&mut *conn).await?;
        let (mut seq, mut prev) = match head {
            Some(row) => (row.try_get::<i64, _>("seq")?, row.try_get::<String, _>("hash")?),
            None => (0, audit::GENESIS.to_string()),
        };
        // Chain in memory (SHA-256 per entry, cheap), then write in multi-row statements.
        let mut chained = Vec::with_capacity(entries.len());
        for e in entries {
            seq += 1;
            let c = audit::chain(&prev, AuditEntry { seq, ..e.clone() });
            prev = c.hash.clone();
            chained.push(c);
        }
        self.insert_many(
            conn,
            "INSERT INTO audit_log (seq, at, actor_user_id, actor_unit_id, action, object_type, object_id, outcome, detail, prev_hash, hash)",
            11,
            "",
            &chained,
            |q, c| {
                q.bind(c.entry.seq)
                    .bind(c.entry.at)
                    .bind(c.entry.actor_user_id.clone())
                    .bind(c.entry.actor_unit_id.clone())
                    .bind(c.entry.action.clone())
                    .bind(c.entry.object_type.clone())
                    .bind(c.entry.object_id.clone())
                    .bind(c.entry.outcome.clone())
                    .bind(c.entry.detail.clone())
                    .bind(c.prev_hash.clone())
                    .bind(c.hash.clone())
            },
        )
        .await
    }

    /// Appends entries to the audit log (reads, denials, logins) and returns once they are
    /// durable, grouped with whatever other entries arrive meanwhile into one transaction.
    pub async fn audit(&self, entries: &[AuditEntry]) -> Result<(), StoreError> {
        let (done, wait) = tokio::sync::oneshot::channel();
        if self.audit_queue.send((entries.to_vec(), done)).is_err() {
            return Err(StoreError::AuditWrite("the audit committer has stopped".into()));
        }
        match wait.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(StoreError::AuditWrite(e)),
            Err(_) => Err(StoreError::AuditWrite("the audit committer stopped before writing".into())),
        }
    }

    async fn audit_now(&self, entries: &[AuditEntry]) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        self.append_audit(&mut tx, entries).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Reads audit entries matching the query, oldest first.
    pub async fn audit_entries(&self, q: &AuditQuery) -> Result<Vec<ChainedEntry>, StoreError> {
        let sql = self.sql(
            "SELECT * FROM audit_log WHERE ($1 IS NULL OR actor_user_id = $1) AND ($2 IS NULL OR object_type = $2) \
             AND ($3 IS NULL OR object_id = $3) AND ($4 IS NULL OR at >= $4) AND ($5 IS NULL OR at < $5) \
             AND seq > $6 ORDER BY seq LIMIT $7",
        );
        let rows = sqlx::query(&sql)
            .bind(q.actor_user_id.clone())
            .bind(q.object_type.clone())
            .bind(q.object_id.clone())
            .bind(q.since)
            .bind(q.until)
            .bind(q.after_seq.unwrap_or(0))
            .bind(q.limit.clamp(1, 10_000))
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(audit_row).collect()
    }

    /// The last entry of the audit log, if any.
    pub async fn audit_head(&self) -> Result<Option<audit::Checkpoint>, StoreError> {
        let row = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetch_optional(&self.read).await?;
        row.map(|r| Ok(audit::Checkpoint { seq: r.try_get("seq")?, hash: r.try_get("hash")? })).transpose()
    }

    /// Stores a signed checkpoint.
    pub async fn insert_checkpoint(&self, c: &audit::SignedCheckpoint) -> Result<(), StoreError> {
        sqlx::query(&self.sql(
            "INSERT INTO audit_checkpoints (seq, hash, at, key_id, signature) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (seq) DO NOTHING",
        ))
        .bind(c.checkpoint.seq)
        .bind(c.checkpoint.hash.clone())
        .bind(c.at)
        .bind(c.key_id.clone())
        .bind(c.signature.clone())
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// All signed checkpoints, oldest first.
    pub async fn checkpoints(&self) -> Result<Vec<audit::SignedCheckpoint>, StoreError> {
        let rows = sqlx::query("SELECT * FROM audit_checkpoints ORDER BY seq").fetch_all(&self.read).await?;
        rows.iter()
            .map(|r| {
                Ok(audit::SignedCheckpoint {
                    checkpoint: audit::Checkpoint { seq: r.try_get("seq")?, hash: r.try_get("hash")? },
                    at: r.try_get("at")?,
                    key_id: r.try_get("key_id")?,
                    signature: r.try_get("signature")?,
                })
            })
            .collect()
    }

    /// Re-checks the whole audit log, in pages, end to end, and against the given
    /// checkpoints (whose signatures the caller has checked); returns the number of
    /// entries verified and the head hash, or the first bad entry.
    pub async fn verify_audit(&self, checkpoints: &[audit::Checkpoint]) -> Result<(i64, String), StoreError> {
        let mut v = audit::Verifier::default();
        let mut after = 0;
        loop {
            let sql = self.sql("SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 5000");
            let rows = sqlx::query(&sql).bind(after).fetch_all(&self.read).await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let e = audit_row(row)?;
                v.check(&e)?;
                if let Some(cp) = checkpoints.iter().find(|c| c.seq == e.entry.seq) {
                    audit::Verifier::check_checkpoint(&e, cp)?;
                }
                after = e.entry.seq;
            }
        }
        let head = v.head().to_string();
        let n = v.finish(checkpoints.iter().max_by_key(|c| c.seq))?;
        Ok((n, head))
    }

    // ---- agencies and units ----

    /// Creates an agency, with its audit entries, in one transaction.
    pub async fn insert_agency(&self, a: &NewAgency, audit: &[AuditEntry]) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        sqlx::query(&self.sql("INSERT INTO agencies (id, kind, name_vi, name_en, country, created_at) VALUES ($1, $2, $3, $4, $5, $6)"))
            .bind(a.id.clone())
            .bind(a.kind.as_str())
            .bind(a.name_vi.clone())
            .bind(a.name_en.clone())
            .bind(a.country.clone())
            .bind(audit.first().map_or(0, |e| e.at))
            .execute(&mut *tx)
            .await
            .map_err(|e| conflict_as(e, "agency id"))?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Lists all agencies, by id.
    pub async fn agencies(&self) -> Result<Vec<Agency>, StoreError> {
        let rows = sqlx::query("SELECT * FROM agencies ORDER BY id").fetch_all(&self.read).await?;
        rows.iter().map(agency_row).collect()
    }

    /// Finds one agency.
    pub async fn agency(&self, id: &str) -> Result<Option<Agency>, StoreError> {
        let row = sqlx::query(&self.sql("SELECT * FROM agencies WHERE id = $1")).bind(id).fetch_optional(&self.read).await?;
        row.as_ref().map(agency_row).transpose()
    }

    /// Creates a unit, with its audit entries, in one transaction.
    pub async fn insert_unit(&self, u: &NewUnit, audit: &[AuditEntry]) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        sqlx::query(&self.sql(
            "INSERT INTO units (id, agency_id, parent_id, name_vi, name_en, province_code, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        ))
        .bind(u.id.clone())
        .bind(u.agency_id.clone())
        .bind(u.parent_id.clone())
        .bind(u.name_vi.clone())
        .bind(u.name_en.clone())
        .bind(u.province_code.clone())
        .bind(audit.first().map_or(0, |e| e.at))
        .execute(&mut *tx)
        .await
        .map_err(|e| conflict_as(e, "unit id"))?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Lists units, all or of one agency, by id.
    pub async fn units(&self, agency_id: Option<&str>) -> Result<Vec<Unit>, StoreError> {
        let rows = sqlx::query(&self.sql("SELECT * FROM units WHERE ($1 IS NULL OR agency_id = $1) ORDER BY id"))
            .bind(agency_id)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(unit_row).collect()
    }

    /// Finds one unit.
    pub async fn unit(&self, id: &str) -> Result<Option<Unit>, StoreError> {
        let row = sqlx::query(&self.sql("SELECT * FROM units WHERE id = $1")).bind(id).fetch_optional(&self.read).await?;
        row.as_ref().map(unit_row).transpose()
    }

    // ---- users ----

    /// Creates a user with roles, with its audit entries, in one transaction.
    pub async fn insert_user(&self, u: &NewUser, at: i64, audit: &[AuditEntry]) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        sqlx::query(&self.sql(
            "INSERT INTO users (id, username, display_name, unit_id, password_hash, must_change_password, language, disabled, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $8)",
        ))
        .bind(u.id.clone())
        .bind(u.username.clone())
        .bind(u.display_name.clone())
        .bind(u.unit_id.clone())
        .bind(u.password_hash.clone())
        .bind(i64::from(u.must_change_password))
        .bind(u.language.as_str())
        .bind(at)
        .execute(&mut *tx)
        .await
        .map_err(|e| conflict_as(e, "username"))?;
        let mut roles = u.roles.clone();
        roles.sort_unstable();
        roles.dedup();
        for r in roles {
            sqlx::query(&self.sql("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)"))
                .bind(u.id.clone())
                .bind(r.as_str())
                .execute(&mut *tx)
                .await?;
        }
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// How many user accounts exist (zero means a fresh store).
    pub async fn count_users(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM users").fetch_one(&self.read).await?.try_get("n")?)
    }

    /// Finds a user and the password hash by login name.
    pub async fn user_by_username(&self, username: &str) -> Result<Option<(User, String)>, StoreError> {
        let row = sqlx::query(&self.sql("SELECT * FROM users WHERE username = $1")).bind(username).fetch_optional(&self.read).await?;
        match row {
            Some(row) => {
                let hash: String = row.try_get("password_hash")?;
                Ok(Some((self.user_from_row(&row).await?, hash)))
            }
            None => Ok(None),
        }
    }

    /// Finds a user by id.
    pub async fn user(&self, id: &str) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(&self.sql("SELECT * FROM users WHERE id = $1")).bind(id).fetch_optional(&self.read).await?;
        match row {
            Some(row) => Ok(Some(self.user_from_row(&row).await?)),
            None => Ok(None),
        }
    }

    /// Lists users, all or of one unit, by username.
    pub async fn users(&self, unit_id: Option<&str>) -> Result<Vec<User>, StoreError> {
        let rows = sqlx::query(&self.sql("SELECT * FROM users WHERE ($1 IS NULL OR unit_id = $1) ORDER BY username"))
            .bind(unit_id)
            .fetch_all(&self.read)
            .await?;
        let roles = sqlx::query("SELECT user_id, role FROM user_roles").fetch_all(&self.read).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut u = user_row(row)?;
            for r in &roles {
                if r.try_get::<String, _>("user_id")? == u.id {
                    u.roles.push(parse_role(&r.try_get::<String, _>("role")?)?);
                }
            }
            u.roles.sort_unstable();
            out.push(u);
        }
        Ok(out)
    }

    async fn user_from_row(&self, row: &AnyRow) -> Result<User, StoreError> {
        let mut u = user_row(row)?;
        let roles = sqlx::query(&self.sql("SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role"))
            .bind(u.id.clone())
            .fetch_all(&self.read)
            .await?;
        for r in roles {
            u.roles.push(parse_role(&r.try_get::<String, _>("role")?)?);
        }
        u.roles.sort_unstable();
        Ok(u)
    }

    /// Replaces a user's password hash; revokes all their tokens except `keep_token_hash`.
    pub async fn set_password(
        &self,
        user_id: &str,
        password_hash: &str,
        must_change: bool,
        keep_token_hash: Option<&str>,
        at: i64,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        let done = sqlx::query(&self.sql("UPDATE users SET password_hash = $1, must_change_password = $2, updated_at = $3 WHERE id = $4"))
            .bind(password_hash)
            .bind(i64::from(must_change))
            .bind(at)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::MissingReference { what: "user" });
        }
        sqlx::query(&self.sql("UPDATE tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL AND token_hash <> $3"))
            .bind(at)
            .bind(user_id)
            .bind(keep_token_hash.unwrap_or(""))
            .execute(&mut *tx)
            .await?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets a user's interface language.
    pub async fn set_user_language(&self, user_id: &str, language: Language, at: i64) -> Result<(), StoreError> {
        sqlx::query(&self.sql("UPDATE users SET language = $1, updated_at = $2 WHERE id = $3"))
            .bind(language.as_str())
            .bind(at)
            .bind(user_id)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    // ---- tokens ----

    /// Stores a new token's hash, with its audit entries.
    pub async fn insert_token(&self, t: &TokenRecord, audit: &[AuditEntry]) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        sqlx::query(&self.sql(
            "INSERT INTO tokens (token_hash, user_id, kind, label, created_at, expires_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, NULL)",
        ))
        .bind(t.token_hash.clone())
        .bind(t.user_id.clone())
        .bind(t.kind.as_str())
        .bind(t.label.clone())
        .bind(t.created_at)
        .bind(t.expires_at)
        .execute(&mut *tx)
        .await?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Finds a token by its hash (whatever its state: the caller judges expiry).
    pub async fn token(&self, token_hash: &str) -> Result<Option<TokenRecord>, StoreError> {
        let row = sqlx::query(&self.sql("SELECT * FROM tokens WHERE token_hash = $1")).bind(token_hash).fetch_optional(&self.read).await?;
        row.as_ref().map(token_row).transpose()
    }

    /// Extends a session's expiry (sliding sessions).
    pub async fn extend_token(&self, token_hash: &str, expires_at: i64) -> Result<(), StoreError> {
        sqlx::query(&self.sql("UPDATE tokens SET expires_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL"))
            .bind(expires_at)
            .bind(token_hash)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Revokes a token, with its audit entries.
    pub async fn revoke_token(&self, token_hash: &str, at: i64, audit: &[AuditEntry]) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        sqlx::query(&self.sql("UPDATE tokens SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL"))
            .bind(at)
            .bind(token_hash)
            .execute(&mut *tx)
            .await?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- reference data ----

    /// Counts the rows of each reference table: provinces, aliases, ports, HS chapters, commodities.
    pub async fn reference_counts(&self) -> Result<[i64; 5], StoreError> {
        let mut out = [0; 5];
        for (i, t) in ["provinces", "province_aliases", "ports", "hs_chapters", "commodities"].iter().enumerate() {
            out[i] = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {t}")).fetch_one(&self.read).await?.try_get("n")?;
        }
        Ok(out)
    }

    /// Resolves a province name, current or pre-merger, with or without diacritics, via the stored aliases.
    pub async fn resolve_province_alias(&self, name: &str) -> Result<Option<String>, StoreError> {
        let key = cordon_core::text::fold_words(name);
        let row = sqlx::query(&self.sql("SELECT province_code FROM province_aliases WHERE alias = $1"))
            .bind(key)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.map(|r| r.try_get("province_code")).transpose()?)
    }
}

fn conflict_as(e: sqlx::Error, what: &'static str) -> StoreError {
    match StoreError::from(e) {
        StoreError::Conflict { .. } => StoreError::Conflict { what },
        other => other,
    }
}

fn parse_role(s: &str) -> Result<Role, StoreError> {
    Role::parse(s).ok_or_else(|| StoreError::Corrupt(format!("unknown role {s:?}")))
}

fn agency_row(row: &AnyRow) -> Result<Agency, StoreError> {
    let kind: String = row.try_get("kind")?;
    Ok(Agency {
        id: row.try_get("id")?,
        kind: AgencyKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("unknown agency kind {kind:?}")))?,
        name_vi: row.try_get("name_vi")?,
        name_en: row.try_get("name_en")?,
        country: row.try_get("country")?,
    })
}

fn unit_row(row: &AnyRow) -> Result<Unit, StoreError> {
    Ok(Unit {
        id: row.try_get("id")?,
        agency_id: row.try_get("agency_id")?,
        parent_id: row.try_get("parent_id")?,
        name_vi: row.try_get("name_vi")?,
        name_en: row.try_get("name_en")?,
        province_code: row.try_get("province_code")?,
    })
}

fn user_row(row: &AnyRow) -> Result<User, StoreError> {
    let lang: String = row.try_get("language")?;
    Ok(User {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        unit_id: row.try_get("unit_id")?,
        roles: Vec::new(),
        must_change_password: row.try_get::<i64, _>("must_change_password")? != 0,
        language: Language::parse(&lang).unwrap_or_default(),
        disabled: row.try_get::<i64, _>("disabled")? != 0,
    })
}

fn token_row(row: &AnyRow) -> Result<TokenRecord, StoreError> {
    let kind: String = row.try_get("kind")?;
    Ok(TokenRecord {
        token_hash: row.try_get("token_hash")?,
        user_id: row.try_get("user_id")?,
        kind: TokenKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("unknown token kind {kind:?}")))?,
        label: row.try_get("label")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

fn audit_row(row: &AnyRow) -> Result<ChainedEntry, StoreError> {
    Ok(ChainedEntry {
        entry: AuditEntry {
            seq: row.try_get("seq")?,
            at: row.try_get("at")?,
            actor_user_id: row.try_get("actor_user_id")?,
            actor_unit_id: row.try_get("actor_unit_id")?,
            action: row.try_get("action")?,
            object_type: row.try_get("object_type")?,
            object_id: row.try_get("object_id")?,
            outcome: row.try_get("outcome")?,
            detail: row.try_get("detail")?,
        },
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_row_values_are_numbered_in_order() {
        assert_eq!(
            values_sql("INSERT INTO t (a, b)", 2, 2, "ON CONFLICT DO NOTHING", false),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4) ON CONFLICT DO NOTHING"
        );
        // SQLite gets anonymous placeholders (see `insert_many`).
        assert_eq!(values_sql("INSERT INTO t (a)", 1, 3, "", true), "INSERT INTO t (a) VALUES (?), (?), (?)");
    }

    #[test]
    fn placeholders_are_numbered_for_sqlite() {
        assert_eq!(sqlite_sql("UPDATE t SET a = $2 WHERE id = $1 AND b = '$x'"), "UPDATE t SET a = ?2 WHERE id = ?1 AND b = '$x'");
    }

    #[test]
    fn target_from_config() {
        let dir = Path::new("/data");
        assert_eq!(StoreTarget::from_config(None, dir).ok(), Some(StoreTarget::Sqlite("/data/cordon.db".into())));
        assert!(matches!(StoreTarget::from_config(Some("postgres://u@h/db"), dir), Ok(StoreTarget::Postgres(_))));
        assert!(StoreTarget::from_config(Some("mysql://x"), dir).is_err());
        assert_eq!(redact_url("postgres://u:secret@h:5432/db"), "postgres://u:***@h:5432/db");
    }
}
