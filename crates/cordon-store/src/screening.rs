//! Screening rule sets (versioned per agency, one active) and the leads screening found.

use cordon_core::audit::AuditEntry;
use cordon_core::lead::LeadStatus;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::backend::Store;
use crate::StoreError;

/// One version of an agency's rule file.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRuleSet {
    /// The agency whose rules these are.
    pub agency_id: String,
    /// 1, 2, 3… per agency, in the order saved.
    pub version: i64,
    /// The `version =` label the analyst wrote.
    pub label: String,
    /// Digest of the exact text, hex.
    pub digest: String,
    /// The rule file.
    pub body: String,
    /// Who saved it.
    pub created_by: String,
    /// When, ms.
    pub created_at: i64,
}

/// A listing that scored as a lead, ready to be filed under its seller's lead.
#[derive(Debug, Clone, PartialEq)]
pub struct ScreenedListing {
    /// Platform.
    pub platform: String,
    /// The platform's listing id.
    pub listing_id: String,
    /// Who the lead is about: `platform:seller` (folded), or the listing itself when no seller is given.
    pub seller_key: String,
    /// The platform's seller id.
    pub seller_id: Option<String>,
    /// Seller display name.
    pub seller_name: Option<String>,
    /// The listing as received, JSON.
    pub listing: String,
    /// The hits with their spans, JSON.
    pub hits: String,
    /// The score.
    pub score: f64,
    /// The rule-set version that screened it.
    pub rule_set_version: i64,
    /// Normalised identifiers that tie sellers together: (`phone` | `bank` | `image` | `seller`, value).
    pub identifiers: Vec<(String, String)>,
}

/// What filing a batch of screened listings did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FilingOutcome {
    /// New leads opened.
    pub leads_opened: u64,
    /// Listings added to a seller's lead already open.
    pub joined_open_lead: u64,
    /// Listings seen before (counted, not filed again).
    pub seen_before: u64,
}

/// A lead as stored, without its listings.
#[derive(Debug, Clone, PartialEq)]
pub struct Lead {
    /// Id.
    pub id: String,
    /// The agency whose screening found it.
    pub agency_id: String,
    /// Who it is about.
    pub seller_key: String,
    /// Platform of its first listing.
    pub platform: String,
    /// Seller id.
    pub seller_id: Option<String>,
    /// Seller name.
    pub seller_name: Option<String>,
    /// Where it stands.
    pub status: LeadStatus,
    /// The highest score among its listings.
    pub score: f64,
    /// How many listings it holds.
    pub listing_count: i64,
    /// Opened, ms.
    pub created_at: i64,
    /// Last changed, ms.
    pub updated_at: i64,
    /// Who decided.
    pub decided_by: Option<String>,
    /// When, ms.
    pub decided_at: Option<i64>,
    /// Why (dismissals and false positives).
    pub reason: Option<String>,
    /// The case opened or linked on confirmation.
    pub case_id: Option<String>,
}

/// One listing under a lead.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadListing {
    /// Platform.
    pub platform: String,
    /// Listing id.
    pub listing_id: String,
    /// The listing as received, JSON.
    pub listing: String,
    /// The hits, JSON.
    pub hits: String,
    /// Its score.
    pub score: f64,
    /// The rule-set version that screened it last.
    pub rule_set_version: i64,
    /// First seen, ms.
    pub first_seen: i64,
    /// Last seen, ms.
    pub last_seen: i64,
    /// How often it was received.
    pub times_seen: i64,
}

/// An analyst's decision on an open lead.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadDecision {
    /// Confirmed, dismissed or false positive.
    pub status: LeadStatus,
    /// Who.
    pub by: String,
    /// When, ms.
    pub at: i64,
    /// Why.
    pub reason: Option<String>,
    /// The case opened or linked.
    pub case_id: Option<String>,
}

fn rule_set_row(r: &AnyRow) -> Result<StoredRuleSet, StoreError> {
    Ok(StoredRuleSet {
        agency_id: r.try_get("agency_id")?,
        version: r.try_get("version")?,
        label: r.try_get("label")?,
        digest: r.try_get("digest")?,
        body: r.try_get("body")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
    })
}

fn lead_row(r: &AnyRow) -> Result<Lead, StoreError> {
    let status: String = r.try_get("status")?;
    Ok(Lead {
        id: r.try_get("id")?,
        agency_id: r.try_get("agency_id")?,
        seller_key: r.try_get("seller_key")?,
        platform: r.try_get("platform")?,
        seller_id: r.try_get("seller_id")?,
        seller_name: r.try_get("seller_name")?,
        status: LeadStatus::parse(&status).ok_or_else(|| StoreError::Corrupt(format!("lead status {status:?}")))?,
        score: r.try_get("score")?,
        listing_count: r.try_get("listing_count")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        decided_by: r.try_get("decided_by")?,
        decided_at: r.try_get("decided_at")?,
        reason: r.try_get("reason")?,
        case_id: r.try_get("case_id")?,
    })
}

fn lead_listing_row(r: &AnyRow) -> Result<LeadListing, StoreError> {
    Ok(LeadListing {
        platform: r.try_get("platform")?,
        listing_id: r.try_get("listing_id")?,
        listing: r.try_get("listing")?,
        hits: r.try_get("hits")?,
        score: r.try_get("score")?,
        rule_set_version: r.try_get("rule_set_version")?,
        first_seen: r.try_get("first_seen")?,
        last_seen: r.try_get("last_seen")?,
        times_seen: r.try_get("times_seen")?,
    })
}

impl Store {
    /// Saves a new version of an agency's rules (numbered after the last) and, when asked, makes
    /// it the active one, in one transaction with its audit entries. Returns the version number.
    pub async fn insert_rule_set(
        &self,
        agency_id: &str,
        (label, digest, body): (&str, &str, &str),
        (by, at): (&str, i64),
        activate: bool,
        audit: &[AuditEntry],
    ) -> Result<i64, StoreError> {
        let mut tx = self.write.begin().await?;
        let row = sqlx::query(&self.sql("SELECT COALESCE(MAX(version), 0) AS v FROM rule_sets WHERE agency_id = $1"))
            .bind(agency_id)
            .fetch_one(&mut *tx)
            .await?;
        let version: i64 = row.try_get::<i64, _>("v")? + 1;
        sqlx::query(&self.sql(
            "INSERT INTO rule_sets (agency_id, version, label, digest, body, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        ))
        .bind(agency_id)
        .bind(version)
        .bind(label)
        .bind(digest)
        .bind(body)
        .bind(by)
        .bind(at)
        .execute(&mut *tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict { .. } => StoreError::Stale,
            other => other,
        })?;
        if activate {
            self.set_active_rule_set(&mut tx, agency_id, version, (by, at)).await?;
        }
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(version)
    }

    async fn set_active_rule_set(
        &self,
        conn: &mut AnyConnection,
        agency_id: &str,
        version: i64,
        (by, at): (&str, i64),
    ) -> Result<(), StoreError> {
        sqlx::query(&self.sql("DELETE FROM rule_set_active WHERE agency_id = $1")).bind(agency_id).execute(&mut *conn).await?;
        sqlx::query(&self.sql("INSERT INTO rule_set_active (agency_id, version, activated_by, activated_at) VALUES ($1, $2, $3, $4)"))
            .bind(agency_id)
            .bind(version)
            .bind(by)
            .bind(at)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    /// Makes an earlier (or later) saved version the active one; `MissingReference` if there is no such version.
    pub async fn activate_rule_set(
        &self,
        agency_id: &str,
        version: i64,
        (by, at): (&str, i64),
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        let exists = sqlx::query(&self.sql("SELECT 1 AS one FROM rule_sets WHERE agency_id = $1 AND version = $2"))
            .bind(agency_id)
            .bind(version)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
        if !exists {
            return Err(StoreError::MissingReference { what: "rule set version" });
        }
        self.set_active_rule_set(&mut tx, agency_id, version, (by, at)).await?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The agency's saved versions, newest first, and which one is active.
    pub async fn rule_sets(&self, agency_id: &str) -> Result<(Vec<StoredRuleSet>, Option<i64>), StoreError> {
        let rows = sqlx::query(&self.sql("SELECT * FROM rule_sets WHERE agency_id = $1 ORDER BY version DESC LIMIT 500"))
            .bind(agency_id)
            .fetch_all(&self.read)
            .await?;
        let sets = rows.iter().map(rule_set_row).collect::<Result<Vec<_>, _>>()?;
        let active = sqlx::query(&self.sql("SELECT version FROM rule_set_active WHERE agency_id = $1"))
            .bind(agency_id)
            .fetch_optional(&self.read)
            .await?
            .map(|r| r.try_get("version"))
            .transpose()?;
        Ok((sets, active))
    }

    /// One saved version of the agency's rules.
    pub async fn rule_set(&self, agency_id: &str, version: i64) -> Result<Option<StoredRuleSet>, StoreError> {
        let row = sqlx::query(&self.sql("SELECT * FROM rule_sets WHERE agency_id = $1 AND version = $2"))
            .bind(agency_id)
            .bind(version)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(rule_set_row).transpose()
    }

    /// The agency's active rules, if it has any.
    pub async fn active_rule_set(&self, agency_id: &str) -> Result<Option<StoredRuleSet>, StoreError> {
        let row = sqlx::query(&self.sql(
            "SELECT r.* FROM rule_sets r JOIN rule_set_active a ON a.agency_id = r.agency_id AND a.version = r.version WHERE r.agency_id = $1",
        ))
        .bind(agency_id)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(rule_set_row).transpose()
    }

    /// Files screened listings under their sellers' leads in one transaction with the audit entries:
    /// a listing seen before is only counted (and, while its lead is open, rescored); a seller with
    /// an open lead gets the listing added to it; anyone else gets a new lead (`new_ids` supplies ids).
    pub async fn file_screened(
        &self,
        agency_id: &str,
        listings: &[ScreenedListing],
        now: i64,
        new_ids: &mut (dyn FnMut() -> String + Send),
        audit: &[AuditEntry],
    ) -> Result<(FilingOutcome, Vec<String>), StoreError> {
        let mut out = FilingOutcome::default();
        let mut touched: Vec<String> = Vec::new();
        let mut tx = self.write.begin().await?;
        for l in listings {
            let seen = sqlx::query(&self.sql(
                "SELECT ll.lead_id, l.status FROM lead_listings ll JOIN leads l ON l.id = ll.lead_id \
                 WHERE ll.agency_id = $1 AND ll.platform = $2 AND ll.listing_id = $3",
            ))
            .bind(agency_id)
            .bind(&l.platform)
            .bind(&l.listing_id)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(row) = seen {
                let lead_id: String = row.try_get("lead_id")?;
                let status: String = row.try_get("status")?;
                out.seen_before += 1;
                if status == LeadStatus::Open.as_str() {
                    // An open lead shows the listing as it reads now, under the rules now in force.
                    sqlx::query(&self.sql(
                        "UPDATE lead_listings SET listing = $1, hits = $2, score = $3, rule_set_version = $4, last_seen = $5, \
                         times_seen = times_seen + 1 WHERE agency_id = $6 AND platform = $7 AND listing_id = $8",
                    ))
                    .bind(&l.listing)
                    .bind(&l.hits)
                    .bind(l.score)
                    .bind(l.rule_set_version)
                    .bind(now)
                    .bind(agency_id)
                    .bind(&l.platform)
                    .bind(&l.listing_id)
                    .execute(&mut *tx)
                    .await?;
                    self.refresh_lead(&mut tx, &lead_id, now).await?;
                    touched.push(lead_id);
                } else {
                    sqlx::query(&self.sql(
                        "UPDATE lead_listings SET last_seen = $1, times_seen = times_seen + 1 WHERE agency_id = $2 AND platform = $3 AND listing_id = $4",
                    ))
                    .bind(now)
                    .bind(agency_id)
                    .bind(&l.platform)
                    .bind(&l.listing_id)
                    .execute(&mut *tx)
                    .await?;
                }
                continue;
            }
            let open = sqlx::query(&self.sql("SELECT id FROM leads WHERE agency_id = $1 AND seller_key = $2 AND status = 'open'"))
                .bind(agency_id)
                .bind(&l.seller_key)
                .fetch_optional(&mut *tx)
                .await?;
            let lead_id = match open {
                Some(row) => {
                    out.joined_open_lead += 1;
                    row.try_get::<String, _>("id")?
                }
                None => {
                    out.leads_opened += 1;
                    let id = new_ids();
                    sqlx::query(&self.sql(
                        "INSERT INTO leads (id, agency_id, seller_key, platform, seller_id, seller_name, status, score, listing_count, \
                         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, 0, $8, $8)",
                    ))
                    .bind(&id)
                    .bind(agency_id)
                    .bind(&l.seller_key)
                    .bind(&l.platform)
                    .bind(l.seller_id.clone())
                    .bind(l.seller_name.clone())
                    .bind(l.score)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    id
                }
            };
            sqlx::query(&self.sql(
                "INSERT INTO lead_listings (agency_id, platform, listing_id, lead_id, listing, hits, score, rule_set_version, first_seen, \
                 last_seen, times_seen) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, 1)",
            ))
            .bind(agency_id)
            .bind(&l.platform)
            .bind(&l.listing_id)
            .bind(&lead_id)
            .bind(&l.listing)
            .bind(&l.hits)
            .bind(l.score)
            .bind(l.rule_set_version)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            for (kind, value) in &l.identifiers {
                let exists =
                    sqlx::query(&self.sql("SELECT 1 AS one FROM lead_identifiers WHERE lead_id = $1 AND kind = $2 AND value = $3"))
                        .bind(&lead_id)
                        .bind(kind)
                        .bind(value)
                        .fetch_optional(&mut *tx)
                        .await?
                        .is_some();
                if !exists {
                    sqlx::query(&self.sql("INSERT INTO lead_identifiers (lead_id, agency_id, kind, value) VALUES ($1, $2, $3, $4)"))
                        .bind(&lead_id)
                        .bind(agency_id)
                        .bind(kind)
                        .bind(value)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            self.refresh_lead(&mut tx, &lead_id, now).await?;
            touched.push(lead_id);
        }
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        touched.sort();
        touched.dedup();
        Ok((out, touched))
    }

    /// Recomputes a lead's score (its best listing) and listing count.
    async fn refresh_lead(&self, conn: &mut AnyConnection, lead_id: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query(&self.sql(
            "UPDATE leads SET score = (SELECT MAX(score) FROM lead_listings WHERE lead_id = $1), \
             listing_count = (SELECT COUNT(*) FROM lead_listings WHERE lead_id = $1), updated_at = $2 WHERE id = $1",
        ))
        .bind(lead_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// The agency's leads in one status, best score first, then oldest first.
    pub async fn leads(&self, agency_id: &str, status: LeadStatus, limit: i64, offset: i64) -> Result<Vec<Lead>, StoreError> {
        let rows = sqlx::query(
            &self.sql("SELECT * FROM leads WHERE agency_id = $1 AND status = $2 ORDER BY score DESC, created_at, id LIMIT $3 OFFSET $4"),
        )
        .bind(agency_id)
        .bind(status.as_str())
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(lead_row).collect()
    }

    /// How many of the agency's leads stand in each status.
    pub async fn lead_counts(&self, agency_id: &str) -> Result<Vec<(LeadStatus, i64)>, StoreError> {
        let rows = sqlx::query(&self.sql("SELECT status, COUNT(*) AS n FROM leads WHERE agency_id = $1 GROUP BY status"))
            .bind(agency_id)
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|r| {
                let s: String = r.try_get("status")?;
                let status = LeadStatus::parse(&s).ok_or_else(|| StoreError::Corrupt(format!("lead status {s:?}")))?;
                Ok((status, r.try_get("n")?))
            })
            .collect()
    }

    /// A lead with its listings (best first), whoever asks (the app decides who may).
    pub async fn lead(&self, id: &str) -> Result<Option<(Lead, Vec<LeadListing>)>, StoreError> {
        let Some(row) = sqlx::query(&self.sql("SELECT * FROM leads WHERE id = $1")).bind(id).fetch_optional(&self.read).await? else {
            return Ok(None);
        };
        let lead = lead_row(&row)?;
        let rows = sqlx::query(&self.sql("SELECT * FROM lead_listings WHERE lead_id = $1 ORDER BY score DESC, first_seen, listing_id"))
            .bind(id)
            .fetch_all(&self.read)
            .await?;
        Ok(Some((lead, rows.iter().map(lead_listing_row).collect::<Result<_, _>>()?)))
    }

    /// Records an analyst's decision on a lead that is still open; `Stale` if it was decided meanwhile.
    pub async fn decide_lead(&self, id: &str, d: &LeadDecision, audit: &[AuditEntry]) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        let done = sqlx::query(&self.sql(
            "UPDATE leads SET status = $1, decided_by = $2, decided_at = $3, reason = $4, case_id = $5, updated_at = $3 \
             WHERE id = $6 AND status = 'open'",
        ))
        .bind(d.status.as_str())
        .bind(&d.by)
        .bind(d.at)
        .bind(d.reason.clone())
        .bind(d.case_id.clone())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The identifiers each of the agency's leads carries, for the leads that share at least one
    /// identifier with another: (lead id, kind, value).
    pub async fn shared_lead_identifiers(&self, agency_id: &str, lead_ids: &[String]) -> Result<Vec<(String, String, String)>, StoreError> {
        if lead_ids.is_empty() {
            return Ok(Vec::new());
        }
        // Leads that share a value with any of `lead_ids`, through one hop; the app walks further.
        let sql = format!(
            "SELECT o.lead_id, o.kind, o.value FROM lead_identifiers s JOIN lead_identifiers o \
             ON o.agency_id = s.agency_id AND o.kind = s.kind AND o.value = s.value \
             WHERE s.agency_id = $1 AND s.lead_id IN ({}) ORDER BY o.lead_id, o.kind, o.value LIMIT 5000",
            (2..lead_ids.len() + 2).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
        );
        let sql = self.sql(&sql);
        let mut q = sqlx::query(&sql).bind(agency_id);
        for id in lead_ids {
            q = q.bind(id);
        }
        let rows = q.fetch_all(&self.read).await?;
        rows.iter().map(|r| Ok((r.try_get("lead_id")?, r.try_get("kind")?, r.try_get("value")?))).collect()
    }

    /// The hits of every listing under each decided lead of the agency: (decision, hits JSON).
    pub async fn decided_lead_hits(&self, agency_id: &str) -> Result<Vec<(LeadStatus, String, String)>, StoreError> {
        let rows = sqlx::query(&self.sql(
            "SELECT l.id, l.status, ll.hits FROM leads l JOIN lead_listings ll ON ll.lead_id = l.id \
             WHERE l.agency_id = $1 AND l.status <> 'open' ORDER BY l.id",
        ))
        .bind(agency_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                let s: String = r.try_get("status")?;
                let status = LeadStatus::parse(&s).ok_or_else(|| StoreError::Corrupt(format!("lead status {s:?}")))?;
                Ok((status, r.try_get("id")?, r.try_get("hits")?))
            })
            .collect()
    }

    /// Values to watch that the agency's own work has produced: the identifiers of leads it
    /// confirmed, and the phones, accounts and seller accounts on its cases that are not kept
    /// to one unit (a RED case or a party with its own sharing stays out: a hit would tell).
    pub async fn watch_feed(&self, agency_id: &str) -> Result<Vec<(String, String)>, StoreError> {
        let mut out: Vec<(String, String)> = Vec::new();
        let rows = sqlx::query(&self.sql(
            "SELECT DISTINCT i.kind, i.value FROM lead_identifiers i JOIN leads l ON l.id = i.lead_id \
             WHERE l.agency_id = $1 AND l.status = 'confirmed'",
        ))
        .bind(agency_id)
        .fetch_all(&self.read)
        .await?;
        for r in &rows {
            out.push((r.try_get("kind")?, r.try_get("value")?));
        }
        let rows = sqlx::query(&self.sql(
            "SELECT DISTINCT e.identifiers FROM case_parties p JOIN cases c ON c.id = p.case_id JOIN entities e ON e.id = p.entity_id \
             WHERE c.owner_agency_id = $1 AND c.tlp <> 'red' AND p.sharing IS NULL \
             AND e.kind IN ('phone', 'bank_account', 'seller_account', 'person', 'company')",
        ))
        .bind(agency_id)
        .fetch_all(&self.read)
        .await?;
        for r in &rows {
            let text: String = r.try_get("identifiers")?;
            for item in crate::cases::json_list(&text) {
                let Some((scheme, value)) = item.split_once('=') else { continue };
                let kind = match scheme {
                    "phone" => "phone",
                    "account" => "bank",
                    "seller" => "seller",
                    _ => continue,
                };
                out.push((kind.to_string(), value.to_string()));
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }
}
