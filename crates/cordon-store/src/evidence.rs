//! Evidence files: bytes stored once by their SHA-256 under the data directory, rows linking
//! them to cases. A file is written (and synced) before its row commits, so a row never points
//! at a missing file; a file without a row (a crash in between) is harmless and reused.

use std::io::Write;
use std::path::{Path, PathBuf};

use cordon_core::audit::AuditEntry;
use cordon_core::case::CaseEvent;
use sqlx::Row;

use crate::backend::Store;
use crate::StoreError;

/// An evidence file attached to a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    /// Case.
    pub case_id: String,
    /// SHA-256 of the content, hex: its name in the file store.
    pub sha256: String,
    /// Size in bytes.
    pub size: i64,
    /// Media type, as sniffed from the content.
    pub media_type: String,
    /// Name as uploaded.
    pub filename: String,
    /// Uploading user.
    pub uploaded_by: String,
    /// Upload time, ms.
    pub uploaded_at: i64,
    /// The file's own sharing, narrower than the case's; `None` shares it as the case is shared.
    pub sharing: Option<cordon_core::sharing::Sharing>,
}

/// Where evidence bytes live: `ROOT/ab/abcdef…`.
#[derive(Debug, Clone)]
pub struct FileStore {
    root: PathBuf,
}

impl FileStore {
    /// A file store rooted at `root` (created on first write).
    pub fn new(root: &Path) -> FileStore {
        FileStore { root: root.to_path_buf() }
    }

    fn path(&self, sha256: &str) -> Option<PathBuf> {
        // The name is a hash we computed; refuse anything else so no path can escape the root.
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        Some(self.root.join(&sha256[..2]).join(sha256))
    }

    /// Stores bytes under their hash, durably (temp file, fsync, rename, fsync of the directory).
    pub fn put(&self, sha256: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let path = self.path(sha256).ok_or_else(|| StoreError::Corrupt("not a SHA-256".into()))?;
        if path.exists() {
            return Ok(());
        }
        let dir = path.parent().ok_or_else(|| StoreError::Corrupt("evidence path has no parent".into()))?;
        let io = |e: std::io::Error| StoreError::Open(format!("evidence store {}: {e}", dir.display()));
        std::fs::create_dir_all(dir).map_err(io)?;
        let tmp = dir.join(format!("{sha256}.tmp{}", std::process::id()));
        let mut f = std::fs::File::create(&tmp).map_err(io)?;
        f.write_all(bytes).map_err(io)?;
        f.sync_all().map_err(io)?;
        std::fs::rename(&tmp, &path).map_err(io)?;
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }

    /// Reads stored bytes.
    pub fn get(&self, sha256: &str) -> Result<Vec<u8>, StoreError> {
        let path = self.path(sha256).ok_or_else(|| StoreError::Corrupt("not a SHA-256".into()))?;
        std::fs::read(&path).map_err(|e| StoreError::Open(format!("evidence {}: {e}", path.display())))
    }
}

impl Store {
    /// Links an evidence file (already in the file store) to a case, bumping the case's
    /// version, with the event and audit entries, in one transaction.
    pub async fn insert_evidence(
        &self,
        e: &Evidence,
        expected_version: i64,
        event: &CaseEvent,
        audit: &[AuditEntry],
    ) -> Result<i64, StoreError> {
        let mut tx = self.write.begin().await?;
        let done = sqlx::query(&self.sql("UPDATE cases SET version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3"))
            .bind(e.uploaded_at)
            .bind(e.case_id.clone())
            .bind(expected_version)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        sqlx::query(&self.sql(
            "INSERT INTO evidence (case_id, sha256, size, media_type, filename, uploaded_by, uploaded_at, sharing) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        ))
        .bind(e.case_id.clone())
        .bind(e.sha256.clone())
        .bind(e.size)
        .bind(e.media_type.clone())
        .bind(e.filename.clone())
        .bind(e.uploaded_by.clone())
        .bind(e.uploaded_at)
        .bind(crate::cases::item_sharing_to_text(&e.sharing))
        .execute(&mut *tx)
        .await
        .map_err(|err| match StoreError::from(err) {
            StoreError::Conflict { .. } => StoreError::Conflict { what: "this file on this case" },
            other => other,
        })?;
        self.insert_case_event(&mut tx, &e.case_id, event).await?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(expected_version + 1)
    }

    /// The evidence files of a case, in upload order.
    pub async fn evidence(&self, case_id: &str) -> Result<Vec<Evidence>, StoreError> {
        let rows = sqlx::query(&self.sql("SELECT * FROM evidence WHERE case_id = $1 ORDER BY uploaded_at, sha256"))
            .bind(case_id)
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Evidence {
                    case_id: r.try_get("case_id")?,
                    sha256: r.try_get("sha256")?,
                    size: r.try_get("size")?,
                    media_type: r.try_get("media_type")?,
                    filename: r.try_get("filename")?,
                    uploaded_by: r.try_get("uploaded_by")?,
                    uploaded_at: r.try_get("uploaded_at")?,
                    sharing: crate::cases::item_sharing_from_text(r.try_get("sharing")?)?,
                })
            })
            .collect()
    }
}
