//! Disposable PostgreSQL schemas, so that tests and benchmarks running side by side
//! each get an empty database without needing rights to create databases.

use std::str::FromStr;

use sqlx::any::AnyConnectOptions;
use sqlx::{ConnectOptions, Connection, Row};

use crate::{StoreError, StoreTarget};

/// The PostgreSQL server tests use: `CORDON_TEST_PG`, else the local one with trust auth.
pub fn test_postgres_url() -> String {
    std::env::var("CORDON_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

/// Creates a fresh schema on the server at `admin_url` and returns a target whose
/// connections use it. Schemas left by runs over two hours old are dropped on the way.
pub async fn scratch_postgres(admin_url: &str) -> Result<StoreTarget, StoreError> {
    sqlx::any::install_default_drivers();
    let opts = AnyConnectOptions::from_str(admin_url).map_err(|e| StoreError::Open(e.to_string()))?;
    let mut conn = opts.connect().await.map_err(|e| StoreError::Open(format!("{}: {e}", crate::backend::redact_url(admin_url))))?;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let stale =
        sqlx::query("SELECT nspname::text AS nspname FROM pg_namespace WHERE nspname LIKE 'cordon_t_%'").fetch_all(&mut conn).await?;
    for row in stale {
        let name: String = row.try_get("nspname")?;
        let born = name.split('_').nth(2).and_then(|s| s.parse::<u64>().ok()).unwrap_or(now);
        if now.saturating_sub(born) > 7200 {
            // Another run may be dropping the same schema; losing that race is harmless.
            let _ = sqlx::query(&format!("DROP SCHEMA IF EXISTS {name} CASCADE")).execute(&mut conn).await;
        }
    }
    let schema = format!("cordon_t_{now}_{:016x}", rand_u64());
    sqlx::query(&format!("CREATE SCHEMA {schema}")).execute(&mut conn).await?;
    conn.close().await?;
    let sep = if admin_url.contains('?') { '&' } else { '?' };
    Ok(StoreTarget::Postgres(format!("{admin_url}{sep}options=-c%20search_path%3D{schema}")))
}

// Uniqueness across concurrent test processes, not secrecy: time, pid and a counter suffice.
fn rand_u64() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos() as u64);
    (u64::from(std::process::id()) << 32) ^ (nanos << 8) ^ COUNTER.fetch_add(1, Ordering::Relaxed)
}
