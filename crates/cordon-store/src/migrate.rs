//! Versioned, append-only migrations for both backends, and the reference data load.
//!
//! A migration, once shipped, is never edited: its checksum is recorded when applied
//! and checked at every start, so a changed file stops the server instead of leaving
//! two installations with different schemas under the same version.

use cordon_core::reference::{reference, ProvinceKind};
use cordon_core::text::fold_words;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::backend::{Dialect, Store};
use crate::StoreError;

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        sqlite: include_str!("../migrations/sqlite/0001_foundation.sql"),
        postgres: include_str!("../migrations/postgres/0001_foundation.sql"),
    },
    Migration {
        version: 2,
        name: "cases",
        sqlite: include_str!("../migrations/sqlite/0002_cases.sql"),
        postgres: include_str!("../migrations/postgres/0002_cases.sql"),
    },
    Migration {
        version: 3,
        name: "audit checkpoints",
        sqlite: include_str!("../migrations/sqlite/0003_audit_checkpoints.sql"),
        postgres: include_str!("../migrations/postgres/0003_audit_checkpoints.sql"),
    },
    Migration {
        version: 4,
        name: "evidence",
        sqlite: include_str!("../migrations/sqlite/0004_evidence.sql"),
        postgres: include_str!("../migrations/postgres/0004_evidence.sql"),
    },
    Migration {
        version: 5,
        name: "item_sharing_and_access_requests",
        sqlite: include_str!("../migrations/sqlite/0005_item_sharing.sql"),
        postgres: include_str!("../migrations/postgres/0005_item_sharing.sql"),
    },
    Migration {
        version: 6,
        name: "notices",
        sqlite: include_str!("../migrations/sqlite/0006_notices.sql"),
        postgres: include_str!("../migrations/postgres/0006_notices.sql"),
    },
    Migration {
        version: 7,
        name: "delivery",
        sqlite: include_str!("../migrations/sqlite/0007_delivery.sql"),
        postgres: include_str!("../migrations/postgres/0007_delivery.sql"),
    },
    Migration {
        version: 8,
        name: "requests",
        sqlite: include_str!("../migrations/sqlite/0008_requests.sql"),
        postgres: include_str!("../migrations/postgres/0008_requests.sql"),
    },
    Migration {
        version: 9,
        name: "screening",
        sqlite: include_str!("../migrations/sqlite/0009_screening.sql"),
        postgres: include_str!("../migrations/postgres/0009_screening.sql"),
    },
    Migration {
        version: 10,
        name: "tips",
        sqlite: include_str!("../migrations/sqlite/0010_tips.sql"),
        postgres: include_str!("../migrations/postgres/0010_tips.sql"),
    },
    Migration {
        version: 11,
        name: "coordination",
        sqlite: include_str!("../migrations/sqlite/0011_coordination.sql"),
        postgres: include_str!("../migrations/postgres/0011_coordination.sql"),
    },
    Migration {
        version: 12,
        name: "analytics",
        sqlite: include_str!("../migrations/sqlite/0012_analytics.sql"),
        postgres: include_str!("../migrations/postgres/0012_analytics.sql"),
    },
    Migration {
        version: 13,
        name: "entity_matches",
        sqlite: include_str!("../migrations/sqlite/0013_entity_matches.sql"),
        postgres: include_str!("../migrations/postgres/0013_entity_matches.sql"),
    },
    Migration {
        version: 14,
        name: "missing_numbers",
        sqlite: include_str!("../migrations/sqlite/0014_missing_numbers.sql"),
        postgres: include_str!("../migrations/postgres/0014_missing_numbers.sql"),
    },
    Migration {
        version: 15,
        name: "agreement_windows_and_delegation_scope",
        sqlite: include_str!("../migrations/sqlite/0015_agreement_windows_and_delegation_scope.sql"),
        postgres: include_str!("../migrations/postgres/0015_agreement_windows_and_delegation_scope.sql"),
    },
    Migration {
        version: 16,
        name: "report_templates_and_schedules",
        sqlite: include_str!("../migrations/sqlite/0016_report_templates_and_schedules.sql"),
        postgres: include_str!("../migrations/postgres/0016_report_templates_and_schedules.sql"),
    },
];

/// The schema version this binary brings a store to.
pub fn latest_schema_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

fn checksum(sql: &str) -> String {
    hex::encode(Sha256::digest(sql.as_bytes()))
}

impl Store {
    /// Applies pending migrations in order, checks applied ones are unchanged, then
    /// loads the reference data if this binary's differs from what is stored.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::query("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)")
            .execute(&self.write)
            .await?;
        if self.dialect == Dialect::Postgres {
            // Two servers starting at once must not both migrate.
            let mut conn = self.write.acquire().await?;
            sqlx::query("SELECT pg_advisory_lock(7231000)").execute(&mut *conn).await?;
            let result = self.apply_pending().await;
            sqlx::query("SELECT pg_advisory_unlock(7231000)").execute(&mut *conn).await?;
            result?;
        } else {
            self.apply_pending().await?;
        }
        self.load_reference_data().await
    }

    async fn apply_pending(&self) -> Result<(), StoreError> {
        let applied = sqlx::query("SELECT version, checksum FROM schema_migrations ORDER BY version").fetch_all(&self.write).await?;
        for m in MIGRATIONS {
            let sql = match self.dialect {
                Dialect::Sqlite => m.sqlite,
                Dialect::Postgres => m.postgres,
            };
            let sum = checksum(sql);
            let fail = |reason: String| StoreError::Migration { version: m.version, name: m.name, reason };
            if let Some(row) = applied.iter().find(|r| r.try_get::<i64, _>("version").ok() == Some(m.version)) {
                let stored: String = row.try_get("checksum")?;
                if stored != sum {
                    return Err(fail("the applied migration differs from this binary's; migrations are append-only".into()));
                }
                continue;
            }
            let mut tx = self.write.begin().await?;
            sqlx::raw_sql(sql).execute(&mut *tx).await.map_err(|e| fail(e.to_string()))?;
            sqlx::query(&self.sql("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)"))
                .bind(m.version)
                .bind(m.name)
                .bind(sum)
                .bind(now_ms())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            tracing::info!(version = m.version, name = m.name, "migration applied");
        }
        Ok(())
    }

    /// The highest migration version applied.
    pub async fn schema_version(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations").fetch_one(&self.read).await?;
        Ok(row.try_get("v")?)
    }

    async fn load_reference_data(&self) -> Result<(), StoreError> {
        let r = reference();
        let sum = checksum(&format!("{r:?}"));
        let stored = sqlx::query("SELECT checksum FROM reference_data WHERE id = 1").fetch_optional(&self.write).await?;
        if let Some(row) = stored {
            if row.try_get::<String, _>("checksum")? == sum {
                return Ok(());
            }
        }
        // Upserts, never deletes: rows that cases refer to must outlive a table edit.
        let mut tx = self.write.begin().await?;
        let upsert_province = self.sql(
            "INSERT INTO provinces (code, name_vi, name_en, kind) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (code) DO UPDATE SET name_vi = excluded.name_vi, name_en = excluded.name_en, kind = excluded.kind",
        );
        let upsert_alias = self.sql(
            "INSERT INTO province_aliases (alias, province_code, reason) VALUES ($1, $2, $3) \
             ON CONFLICT (alias) DO UPDATE SET province_code = excluded.province_code, reason = excluded.reason",
        );
        for p in &r.provinces {
            let kind = if p.kind == ProvinceKind::City { "city" } else { "province" };
            sqlx::query(&upsert_province).bind(p.code).bind(p.name_vi).bind(p.name_en).bind(kind).execute(&mut *tx).await?;
            let names = [(p.name_vi, "current"), (p.name_en, "current")]
                .into_iter()
                .chain(p.merged_from.iter().map(|n| (*n, "merged 2025")))
                .chain(p.former_names.iter().map(|n| (*n, "renamed")));
            for (name, reason) in names {
                sqlx::query(&upsert_alias).bind(fold_words(name)).bind(p.code).bind(reason).execute(&mut *tx).await?;
            }
        }
        let upsert_port = self.sql(
            "INSERT INTO ports (code, name_vi, name_en, kind, province_code, neighbour) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (code) DO UPDATE SET name_vi = excluded.name_vi, name_en = excluded.name_en, kind = excluded.kind, \
             province_code = excluded.province_code, neighbour = excluded.neighbour",
        );
        for p in &r.ports {
            sqlx::query(&upsert_port)
                .bind(p.code)
                .bind(p.name_vi)
                .bind(p.name_en)
                .bind(p.kind.as_str())
                .bind(p.province)
                .bind(p.neighbour)
                .execute(&mut *tx)
                .await?;
        }
        let upsert_hs = self.sql(
            "INSERT INTO hs_chapters (chapter, title_en) VALUES ($1, $2) ON CONFLICT (chapter) DO UPDATE SET title_en = excluded.title_en",
        );
        for c in &r.hs_chapters {
            sqlx::query(&upsert_hs).bind(c.chapter).bind(c.title_en).execute(&mut *tx).await?;
        }
        let upsert_commodity = self.sql(
            "INSERT INTO commodities (code, name_vi, name_en) VALUES ($1, $2, $3) \
             ON CONFLICT (code) DO UPDATE SET name_vi = excluded.name_vi, name_en = excluded.name_en",
        );
        for c in &r.commodities {
            sqlx::query(&upsert_commodity).bind(c.code).bind(c.name_vi).bind(c.name_en).execute(&mut *tx).await?;
        }
        sqlx::query(&self.sql(
            "INSERT INTO reference_data (id, checksum, loaded_at) VALUES (1, $1, $2) \
             ON CONFLICT (id) DO UPDATE SET checksum = excluded.checksum, loaded_at = excluded.loaded_at",
        ))
        .bind(sum)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        tracing::info!(provinces = r.provinces.len(), ports = r.ports.len(), "reference data loaded");
        Ok(())
    }
}

// Migration bookkeeping only; everything the users see takes its time from the app's clock.
fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}
