//! Cases, their goods, parties, events and access rows; coordination agreements and sharing groups.

use std::collections::{BTreeMap, HashSet};

use cordon_core::audit::AuditEntry;
use cordon_core::case::{
    Case, CaseEvent, CaseFilter, CaseStatus, CaseType, Conveyance, DetectionMethod, EntityKind, GoodsLine, Outcome, Party, PartyRole,
    Place, PlaceType, TransportMode,
};
use cordon_core::sharing::{Audience, Handling, Sharing, Tlp};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::backend::{number_or_nan, AnyQuery, Dialect, Store, MAX_BINDS};
use crate::{Evidence, StoreError};

/// A page position: cases are listed newest first by (detected_at, id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseCursor {
    /// Detection time of the last case seen.
    pub detected_at: i64,
    /// Its id.
    pub id: String,
}

/// A case to create, with what must be written with it.
#[derive(Debug, Clone)]
pub struct NewCase {
    /// The case (its reference is assigned on insert).
    pub case: Case,
    /// Reference prefix, e.g. `VV-LANGSON-2026`.
    pub reference_prefix: String,
    /// Access principals derived from its sharing.
    pub principals: Vec<String>,
    /// Its first event.
    pub event: CaseEvent,
    /// Audit entries (their object id is set to the case's).
    pub audit: Vec<AuditEntry>,
}

/// A coordination agreement between two agencies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agreement {
    /// Id.
    pub id: String,
    /// Name, e.g. "Quy chế phối hợp 5341/QCPH/TCHQ-TCCS".
    pub name: String,
    /// One party.
    pub agency_a: String,
    /// The other.
    pub agency_b: String,
    /// Case types covered; empty means all.
    pub case_types: Vec<String>,
    /// Whether personal identifiers flow under it.
    pub disclose_personal: bool,
    /// In force from, ms.
    pub valid_from: i64,
    /// In force until (exclusive), ms; open-ended if none.
    pub valid_until: Option<i64>,
    /// Acknowledgement windows it sets, minutes, for urgent, high and normal notices; a missing
    /// one leaves the priority's own.
    pub ack_minutes: [Option<i64>; 3],
}

impl Agreement {
    /// The acknowledgement window it sets for a notice of `priority`, ms, if it sets one.
    pub fn ack_window_ms(&self, priority: cordon_core::notice::Priority) -> Option<i64> {
        use cordon_core::notice::Priority;
        let i = match priority {
            Priority::Urgent => 0,
            Priority::High => 1,
            Priority::Normal => 2,
        };
        self.ack_minutes[i].map(|m| m * 60_000)
    }

    /// Whether it binds agencies `x` and `y` at `at`, for a case of `case_type` or — with
    /// none — for anything at all.
    pub fn binds(&self, x: &str, y: &str, case_type: Option<&str>, at: i64) -> bool {
        let parties = (self.agency_a == x && self.agency_b == y) || (self.agency_a == y && self.agency_b == x);
        let in_force = self.valid_from <= at && self.valid_until.is_none_or(|u| at < u);
        let covered = case_type.is_none_or(|t| self.case_types.is_empty() || self.case_types.iter().any(|c| c == t));
        parties && in_force && covered
    }

    /// Whether it binds agencies `x` and `y` for a case of `case_type` at time `at`.
    pub fn covers(&self, x: &str, y: &str, case_type: &str, at: i64) -> bool {
        self.binds(x, y, Some(case_type), at)
    }
}

/// A sharing group: a named set of agencies records can be shared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharingGroup {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// The agency that manages it (the only one that sees its members).
    pub owner_agency_id: String,
    /// Member agencies.
    pub members: Vec<String>,
}

fn opt_code<T>(row: &AnyRow, col: &str, parse: fn(&str) -> Option<T>) -> Result<Option<T>, StoreError> {
    let v: Option<String> = row.try_get(col)?;
    v.map(|s| parse(&s).ok_or_else(|| StoreError::Corrupt(format!("{col}: unknown code {s:?}")))).transpose()
}

fn code<T>(row: &AnyRow, col: &str, parse: fn(&str) -> Option<T>) -> Result<T, StoreError> {
    opt_code(row, col, parse)?.ok_or_else(|| StoreError::Corrupt(format!("{col} is empty")))
}

pub(crate) fn json_list(text: &str) -> Vec<String> {
    // Written by `to_json_list`; anything else is treated as empty rather than guessed at.
    serde_json::from_str(text).unwrap_or_default()
}

fn to_json_list(items: &[String]) -> String {
    serde_json::Value::from(items.to_vec()).to_string()
}

fn handling_to_text(h: &Handling) -> String {
    let mut v = Vec::new();
    if h.not_for_court {
        v.push("H1".to_string());
    }
    if h.no_onward_sharing {
        v.push("H2".to_string());
    }
    if let Some(r) = &h.restriction {
        v.push(format!("H3:{r}"));
    }
    to_json_list(&v)
}

fn handling_from_text(t: &str) -> Handling {
    let mut h = Handling::default();
    for item in json_list(t) {
        match item.as_str() {
            "H1" => h.not_for_court = true,
            "H2" => h.no_onward_sharing = true,
            other => h.restriction = other.strip_prefix("H3:").map(str::to_string),
        }
    }
    h
}

/// A party link's or evidence file's own sharing, as its `sharing` column holds it.
pub(crate) fn item_sharing_to_text(s: &Option<Sharing>) -> Option<String> {
    s.as_ref().map(|s| {
        let distribution: Vec<String> = s.distribution.iter().map(Audience::to_code).collect();
        serde_json::json!({ "tlp": s.tlp.as_str(), "distribution": distribution, "handling": json_list(&handling_to_text(&s.handling)) })
            .to_string()
    })
}

/// Reads a `sharing` column written by [`item_sharing_to_text`].
pub(crate) fn item_sharing_from_text(t: Option<String>) -> Result<Option<Sharing>, StoreError> {
    let Some(t) = t else { return Ok(None) };
    let bad = || StoreError::Corrupt(format!("item sharing {t:?}"));
    let v: serde_json::Value = serde_json::from_str(&t).map_err(|_| bad())?;
    let tlp = v["tlp"].as_str().and_then(Tlp::parse).ok_or_else(bad)?;
    let distribution = v["distribution"]
        .as_array()
        .ok_or_else(bad)?
        .iter()
        .map(|a| a.as_str().and_then(Audience::parse).ok_or_else(bad))
        .collect::<Result<Vec<_>, _>>()?;
    let handling = handling_from_text(&v["handling"].to_string());
    Ok(Some(Sharing { tlp, distribution, handling }))
}

fn bool_opt(v: Option<i64>) -> Option<bool> {
    v.map(|x| x != 0)
}

fn case_row(row: &AnyRow) -> Result<Case, StoreError> {
    let distribution: String = row.try_get("distribution")?;
    let distribution = json_list(&distribution)
        .iter()
        .map(|s| Audience::parse(s).ok_or_else(|| StoreError::Corrupt(format!("distribution {s:?}"))))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Case {
        id: row.try_get("id")?,
        reference: row.try_get("reference")?,
        external_ref: row.try_get("external_ref")?,
        version: row.try_get("version")?,
        case_type: code(row, "case_type", CaseType::parse)?,
        status: code(row, "status", CaseStatus::parse)?,
        title: row.try_get("title")?,
        summary: row.try_get("summary")?,
        detected_at: row.try_get("detected_at")?,
        seized_at: row.try_get("seized_at")?,
        reported_at: row.try_get("reported_at")?,
        place: Place {
            province_code: row.try_get("province_code")?,
            port_code: row.try_get("port_code")?,
            route: row.try_get("route")?,
            place_type: opt_code(row, "place_type", PlaceType::parse)?,
            in_customs_area: bool_opt(row.try_get("in_customs_area")?),
            latitude: row.try_get("latitude")?,
            longitude: row.try_get("longitude")?,
        },
        owner_unit_id: row.try_get("owner_unit_id")?,
        owner_agency_id: row.try_get("owner_agency_id")?,
        lead_agency_id: row.try_get("lead_agency_id")?,
        lead_basis: row.try_get("lead_basis")?,
        detection_method: opt_code(row, "detection_method", DetectionMethod::parse)?,
        concealment: row.try_get("concealment")?,
        transport_mode: opt_code(row, "transport_mode", TransportMode::parse)?,
        conveyance: Conveyance {
            plate: row.try_get("plate")?,
            vessel: row.try_get("vessel")?,
            flight: row.try_get("flight")?,
            container: row.try_get("container")?,
            waybill: row.try_get("waybill")?,
        },
        outcome: Outcome {
            fine_vnd: row.try_get("fine_vnd")?,
            goods_confiscated: row.try_get::<i64, _>("goods_confiscated")? != 0,
            goods_destroyed: row.try_get::<i64, _>("goods_destroyed")? != 0,
        },
        goods: Vec::new(),
        parties: Vec::new(),
        sharing: Sharing {
            tlp: code(row, "tlp", Tlp::parse)?,
            distribution,
            handling: handling_from_text(&row.try_get::<String, _>("handling")?),
        },
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// Binds a case's row in `CASE_COLUMNS` order (40 values).
fn bind_case<'q>(q: AnyQuery<'q>, c: &Case) -> AnyQuery<'q> {
    let distribution: Vec<String> = c.sharing.distribution.iter().map(Audience::to_code).collect();
    q.bind(c.id.clone())
        .bind(c.reference.clone())
        .bind(c.external_ref.clone())
        .bind(c.version)
        .bind(c.case_type.as_str())
        .bind(c.status.as_str())
        .bind(c.title.clone())
        .bind(c.summary.clone())
        .bind(c.detected_at)
        .bind(c.seized_at)
        .bind(c.reported_at)
        .bind(c.place.province_code.clone())
        .bind(c.place.port_code.clone())
        .bind(c.place.route.clone())
        .bind(c.place.place_type.map(|p| p.as_str()))
        .bind(c.place.in_customs_area.map(i64::from))
        .bind(number_or_nan(c.place.latitude))
        .bind(number_or_nan(c.place.longitude))
        .bind(c.owner_unit_id.clone())
        .bind(c.owner_agency_id.clone())
        .bind(c.lead_agency_id.clone())
        .bind(c.lead_basis.clone())
        .bind(c.detection_method.map(|d| d.as_str()))
        .bind(c.concealment.clone())
        .bind(c.transport_mode.map(|t| t.as_str()))
        .bind(c.conveyance.plate.clone())
        .bind(c.conveyance.vessel.clone())
        .bind(c.conveyance.flight.clone())
        .bind(c.conveyance.container.clone())
        .bind(c.conveyance.waybill.clone())
        .bind(c.outcome.fine_vnd)
        .bind(i64::from(c.outcome.goods_confiscated))
        .bind(i64::from(c.outcome.goods_destroyed))
        .bind(c.sharing.tlp.as_str())
        .bind(to_json_list(&distribution))
        .bind(handling_to_text(&c.sharing.handling))
        .bind(c.total_value_vnd())
        .bind(c.created_by.clone())
        .bind(c.created_at)
        .bind(c.updated_at)
}

const CASE_COLUMNS: &str = "id, reference, external_ref, version, case_type, status, title, summary, detected_at, seized_at, reported_at, \
    province_code, port_code, route, place_type, in_customs_area, latitude, longitude, owner_unit_id, owner_agency_id, lead_agency_id, \
    lead_basis, detection_method, concealment, transport_mode, plate, vessel, flight, container, waybill, fine_vnd, goods_confiscated, \
    goods_destroyed, tlp, distribution, handling, total_value_vnd, created_by, created_at, updated_at";

/// A goods line as the case query returns it: line number, description, HS code, category,
/// brand, quantity (as exact text), unit, weight (as exact text), value.
type GoodsJson = (i64, String, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>, Option<i64>);
/// A party as the case query returns it: seq, entity id, role, kind, name, identifiers (JSON text), holding agency, own sharing.
type PartyJson = (i64, String, String, String, String, String, String, Option<String>);
/// An evidence row as the case query returns it: SHA-256, size, media type, file name, uploader, upload time, own sharing.
type EvidenceJson = (String, i64, String, String, String, i64, Option<String>);

/// A REAL column sent as text: JSON numbers built by SQLite keep only 15 significant digits,
/// so floats travel as text with enough digits to come back bit for bit.
fn real(v: Option<String>, col: &str) -> Result<Option<f64>, StoreError> {
    v.map(|s| s.parse::<f64>().map_err(|_| StoreError::Corrupt(format!("{col}: not a number {s:?}")))).transpose()
}

// The children of a case as JSON arrays, so that one round trip brings the whole case. The
// aggregate functions differ between the two databases (the one place case reads do).
const CASE_WITH_CHILDREN_SQLITE: &str = "SELECT id, reference, external_ref, version, case_type, status, title, summary, detected_at, \
    seized_at, reported_at, province_code, port_code, route, place_type, in_customs_area, latitude, longitude, owner_unit_id, \
    owner_agency_id, lead_agency_id, lead_basis, detection_method, concealment, transport_mode, plate, vessel, flight, container, \
    waybill, fine_vnd, goods_confiscated, goods_destroyed, tlp, distribution, handling, total_value_vnd, created_by, created_at, updated_at, \
    (SELECT json_group_array(json_array(g.line_no, g.description, g.hs_code, g.category, g.brand, \
        CASE WHEN g.quantity IS NULL THEN NULL ELSE printf('%!.17g', g.quantity) END, g.unit, \
        CASE WHEN g.weight_kg IS NULL THEN NULL ELSE printf('%!.17g', g.weight_kg) END, g.value_vnd)) \
     FROM goods_lines g WHERE g.case_id = cases.id) AS goods_json, \
    (SELECT json_group_array(json_array(p.seq, p.entity_id, p.role, e.kind, e.name, e.identifiers, e.created_by_agency, p.sharing)) \
     FROM case_parties p JOIN entities e ON e.id = p.entity_id WHERE p.case_id = cases.id) AS parties_json, \
    (SELECT json_group_array(json_array(v.sha256, v.size, v.media_type, v.filename, v.uploaded_by, v.uploaded_at, v.sharing)) \
     FROM evidence v WHERE v.case_id = cases.id) AS evidence_json \
    FROM cases WHERE id = ?1";

const CASE_WITH_CHILDREN_POSTGRES: &str = "SELECT id, reference, external_ref, version, case_type, status, title, summary, detected_at, \
    seized_at, reported_at, province_code, port_code, route, place_type, in_customs_area, latitude, longitude, owner_unit_id, \
    owner_agency_id, lead_agency_id, lead_basis, detection_method, concealment, transport_mode, plate, vessel, flight, container, \
    waybill, fine_vnd, goods_confiscated, goods_destroyed, tlp, distribution, handling, total_value_vnd, created_by, created_at, updated_at, \
    (SELECT json_agg(json_build_array(g.line_no, g.description, g.hs_code, g.category, g.brand, g.quantity::text, g.unit, \
        g.weight_kg::text, g.value_vnd))::text \
     FROM goods_lines g WHERE g.case_id = cases.id) AS goods_json, \
    (SELECT json_agg(json_build_array(p.seq, p.entity_id, p.role, e.kind, e.name, e.identifiers, e.created_by_agency, p.sharing))::text \
     FROM case_parties p JOIN entities e ON e.id = p.entity_id WHERE p.case_id = cases.id) AS parties_json, \
    (SELECT json_agg(json_build_array(v.sha256, v.size, v.media_type, v.filename, v.uploaded_by, v.uploaded_at, v.sharing))::text \
     FROM evidence v WHERE v.case_id = cases.id) AS evidence_json \
    FROM cases WHERE id = $1";

impl Store {
    pub(crate) async fn write_case_row(&self, conn: &mut AnyConnection, c: &Case, insert: bool) -> Result<u64, StoreError> {
        let sql = if insert {
            self.sql(&format!(
                "INSERT INTO cases ({CASE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
                 $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36, $37, $38, $39, $40)"
            ))
            .into_owned()
        } else {
            // Optimistic concurrency: the row changes only if it is still at the version the editor read.
            self.sql(
                "UPDATE cases SET id = $1, reference = $2, external_ref = $3, version = $4, case_type = $5, status = $6, title = $7, summary = $8, \
                 detected_at = $9, seized_at = $10, reported_at = $11, province_code = $12, port_code = $13, route = $14, place_type = $15, \
                 in_customs_area = $16, latitude = $17, longitude = $18, owner_unit_id = $19, owner_agency_id = $20, lead_agency_id = $21, \
                 lead_basis = $22, detection_method = $23, concealment = $24, transport_mode = $25, plate = $26, vessel = $27, flight = $28, \
                 container = $29, waybill = $30, fine_vnd = $31, goods_confiscated = $32, goods_destroyed = $33, tlp = $34, distribution = $35, \
                 handling = $36, total_value_vnd = $37, created_by = $38, created_at = $39, updated_at = $40 \
                 WHERE id = $1 AND version = $4 - 1",
            )
            .into_owned()
        };
        let done = bind_case(sqlx::query(&sql), c).execute(&mut *conn).await?;
        Ok(done.rows_affected())
    }

    pub(crate) async fn write_case_children(&self, conn: &mut AnyConnection, c: &Case, principals: &[String]) -> Result<(), StoreError> {
        sqlx::query(&self.sql("DELETE FROM goods_lines WHERE case_id = $1")).bind(c.id.clone()).execute(&mut *conn).await?;
        let insert_goods = self.sql(
            "INSERT INTO goods_lines (case_id, line_no, description, hs_code, category, brand, quantity, unit, weight_kg, value_vnd) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        );
        for (i, g) in c.goods.iter().enumerate() {
            sqlx::query(&insert_goods)
                .bind(c.id.clone())
                .bind(i as i64 + 1)
                .bind(g.description.clone())
                .bind(g.hs_code.clone())
                .bind(g.category.clone())
                .bind(g.brand.clone())
                .bind(number_or_nan(g.quantity))
                .bind(g.unit.clone())
                .bind(number_or_nan(g.weight_kg))
                .bind(g.value_vnd)
                .execute(&mut *conn)
                .await?;
        }
        // Access rows are derived from the sharing; rewriting them is how a sharing change takes effect.
        sqlx::query(&self.sql("DELETE FROM case_access WHERE case_id = $1")).bind(c.id.clone()).execute(&mut *conn).await?;
        let insert_access = self.sql("INSERT INTO case_access (case_id, principal) VALUES ($1, $2)");
        for p in principals {
            sqlx::query(&insert_access).bind(c.id.clone()).bind(p.clone()).execute(&mut *conn).await?;
        }
        Ok(())
    }

    pub(crate) async fn insert_case_event(&self, conn: &mut AnyConnection, case_id: &str, e: &CaseEvent) -> Result<(), StoreError> {
        sqlx::query(&self.sql(
            "INSERT INTO case_events (case_id, seq, at, actor_user_id, actor_unit_id, kind, from_status, to_status, reason, detail) \
             VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM case_events WHERE case_id = $1), $2, $3, $4, $5, $6, $7, $8, $9)",
        ))
        .bind(case_id)
        .bind(e.at)
        .bind(e.actor_user_id.clone())
        .bind(e.actor_unit_id.clone())
        .bind(e.kind.clone())
        .bind(e.from_status.map(|s| s.as_str()))
        .bind(e.to_status.map(|s| s.as_str()))
        .bind(e.reason.clone())
        .bind(e.detail.clone())
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    async fn insert_party_rows(&self, conn: &mut AnyConnection, case_id: &str, p: &Party, at: i64, by: &str) -> Result<(), StoreError> {
        let idents: Vec<String> = p.identifiers.iter().map(|(s, v)| format!("{s}={v}")).collect();
        sqlx::query(&self.sql(
            "INSERT INTO entities (id, kind, name, identifiers, folded_name, created_by_agency, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (id) DO NOTHING",
        ))
        .bind(p.entity_id.clone())
        .bind(p.kind.as_str())
        .bind(p.name.clone())
        .bind(to_json_list(&idents))
        .bind(cordon_core::text::fold_words(&p.name))
        .bind(p.held_by.clone())
        .bind(at)
        .execute(&mut *conn)
        .await?;
        sqlx::query(&self.sql(
            "INSERT INTO case_parties (case_id, entity_id, role, seq, added_at, added_by, sharing) \
             VALUES ($1, $2, $3, (SELECT COALESCE(MAX(seq), 0) + 1 FROM case_parties WHERE case_id = $1), $4, $5, $6)",
        ))
        .bind(case_id)
        .bind(p.entity_id.clone())
        .bind(p.role.as_str())
        .bind(at)
        .bind(by)
        .bind(item_sharing_to_text(&p.sharing))
        .execute(&mut *conn)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict { .. } => StoreError::Conflict { what: "party with that role on this case" },
            other => other,
        })?;
        Ok(())
    }

    /// Creates a case with its goods, parties, access rows, first event and audit entries,
    /// numbering it `PREFIX-NNNNNN` within the transaction. Returns the reference.
    pub async fn insert_case(
        &self,
        c: &Case,
        reference_prefix: &str,
        principals: &[String],
        event: &CaseEvent,
        audit: &[AuditEntry],
    ) -> Result<String, StoreError> {
        let batch = [NewCase {
            case: c.clone(),
            reference_prefix: reference_prefix.into(),
            principals: principals.to_vec(),
            event: event.clone(),
            audit: audit.to_vec(),
        }];
        let mut refs = self.insert_cases(&batch).await?;
        refs.pop().ok_or_else(|| StoreError::Corrupt("a batch of one case returned no reference".into()))
    }

    /// Creates a batch of cases in one transaction: all of them, or none. Returns their references in order.
    ///
    /// Each table is written with multi-row statements (a few hundred rows per round trip) and
    /// each reference counter is bumped once per batch, so a bulk import costs a handful of
    /// statements per few hundred cases; the cases are new, so their goods, access rows,
    /// parties and first event are inserted without the delete-then-insert an edit needs.
    pub async fn insert_cases(&self, batch: &[NewCase]) -> Result<Vec<String>, StoreError> {
        let mut tx = self.write.begin().await?;
        let refs = self.reserve_references(&mut tx, batch).await?;
        let cases: Vec<Case> =
            batch.iter().zip(&refs).map(|(new, reference)| Case { reference: reference.clone(), ..new.case.clone() }).collect();
        self.insert_many(&mut tx, &format!("INSERT INTO cases ({CASE_COLUMNS})"), 40, "", &cases, bind_case).await.map_err(
            |e| match e {
                StoreError::Conflict { .. } => StoreError::Conflict { what: "external reference" },
                other => other,
            },
        )?;
        let goods: Vec<(&str, i64, &GoodsLine)> =
            cases.iter().flat_map(|c| c.goods.iter().enumerate().map(|(i, g)| (c.id.as_str(), i as i64 + 1, g))).collect();
        self.insert_many(
            &mut tx,
            "INSERT INTO goods_lines (case_id, line_no, description, hs_code, category, brand, quantity, unit, weight_kg, value_vnd)",
            10,
            "",
            &goods,
            |q, (id, line, g)| {
                q.bind(id.to_string())
                    .bind(*line)
                    .bind(g.description.clone())
                    .bind(g.hs_code.clone())
                    .bind(g.category.clone())
                    .bind(g.brand.clone())
                    .bind(number_or_nan(g.quantity))
                    .bind(g.unit.clone())
                    .bind(number_or_nan(g.weight_kg))
                    .bind(g.value_vnd)
            },
        )
        .await?;
        let access: Vec<(&str, &str)> =
            cases.iter().zip(batch).flat_map(|(c, new)| new.principals.iter().map(|p| (c.id.as_str(), p.as_str()))).collect();
        self.insert_many(&mut tx, "INSERT INTO case_access (case_id, principal)", 2, "", &access, |q, (id, p)| {
            q.bind(id.to_string()).bind(p.to_string())
        })
        .await?;
        self.insert_new_parties(&mut tx, &cases).await?;
        let events: Vec<(&str, &CaseEvent)> = cases.iter().zip(batch).map(|(c, new)| (c.id.as_str(), &new.event)).collect();
        self.insert_many(
            &mut tx,
            "INSERT INTO case_events (case_id, seq, at, actor_user_id, actor_unit_id, kind, from_status, to_status, reason, detail)",
            10,
            "",
            &events,
            // A new case's first event is its first: seq 1.
            |q, (id, e)| {
                q.bind(id.to_string())
                    .bind(1_i64)
                    .bind(e.at)
                    .bind(e.actor_user_id.clone())
                    .bind(e.actor_unit_id.clone())
                    .bind(e.kind.clone())
                    .bind(e.from_status.map(|s| s.as_str()))
                    .bind(e.to_status.map(|s| s.as_str()))
                    .bind(e.reason.clone())
                    .bind(e.detail.clone())
            },
        )
        .await?;
        let audit: Vec<AuditEntry> = cases
            .iter()
            .zip(batch)
            .flat_map(|(c, new)| new.audit.iter().map(|a| AuditEntry { object_id: c.id.clone(), ..a.clone() }))
            .collect();
        // One chained append for the whole batch: the audit trail commits with the cases.
        self.append_audit(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(refs)
    }

    /// Numbers a batch's cases `PREFIX-NNNNNN` in batch order, bumping each prefix's counter
    /// once by the number of cases that take it (inside the caller's transaction).
    async fn reserve_references(&self, conn: &mut AnyConnection, batch: &[NewCase]) -> Result<Vec<String>, StoreError> {
        let mut wanted: BTreeMap<&str, i64> = BTreeMap::new();
        for new in batch {
            *wanted.entry(new.reference_prefix.as_str()).or_default() += 1;
        }
        let bump = self.sql(
            "INSERT INTO case_counters (prefix, next_value) VALUES ($1, $2) \
             ON CONFLICT (prefix) DO UPDATE SET next_value = case_counters.next_value + $2 RETURNING next_value",
        );
        // The first number each prefix hands out in this batch.
        let mut next: BTreeMap<&str, i64> = BTreeMap::new();
        for (prefix, n) in wanted {
            let row = sqlx::query(&bump).bind(prefix).bind(n).fetch_one(&mut *conn).await?;
            let last: i64 = row.try_get("next_value")?;
            next.insert(prefix, last - n + 1);
        }
        let mut refs = Vec::with_capacity(batch.len());
        for new in batch {
            let n = next
                .get_mut(new.reference_prefix.as_str())
                .ok_or_else(|| StoreError::Corrupt(format!("no counter reserved for {}", new.reference_prefix)))?;
            refs.push(format!("{}-{:06}", new.reference_prefix, *n));
            *n += 1;
        }
        Ok(refs)
    }

    /// Writes new cases' parties: their entities, then the links numbered 1, 2… in case order.
    async fn insert_new_parties(&self, conn: &mut AnyConnection, cases: &[Case]) -> Result<(), StoreError> {
        let parties: Vec<(&Case, i64, &Party)> =
            cases.iter().flat_map(|c| c.parties.iter().enumerate().map(move |(i, p)| (c, i as i64 + 1, p))).collect();
        self.insert_many(
            conn,
            "INSERT INTO entities (id, kind, name, identifiers, folded_name, created_by_agency, created_at)",
            7,
            "ON CONFLICT (id) DO NOTHING",
            &parties,
            |q, (c, _, p)| {
                let idents: Vec<String> = p.identifiers.iter().map(|(s, v)| format!("{s}={v}")).collect();
                q.bind(p.entity_id.clone())
                    .bind(p.kind.as_str())
                    .bind(p.name.clone())
                    .bind(to_json_list(&idents))
                    .bind(cordon_core::text::fold_words(&p.name))
                    .bind(p.held_by.clone())
                    .bind(c.created_at)
            },
        )
        .await?;
        self.insert_many(
            conn,
            "INSERT INTO case_parties (case_id, entity_id, role, seq, added_at, added_by, sharing)",
            7,
            "",
            &parties,
            |q, (c, seq, p)| {
                q.bind(c.id.clone())
                    .bind(p.entity_id.clone())
                    .bind(p.role.as_str())
                    .bind(*seq)
                    .bind(c.created_at)
                    .bind(c.created_by.clone())
                    .bind(item_sharing_to_text(&p.sharing))
            },
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict { .. } => StoreError::Conflict { what: "party with that role on this case" },
            other => other,
        })
    }

    /// Replaces a case's fields and goods if it is still at `c.version - 1`; records the
    /// event and audit entries. `StoreError::Stale` if someone changed it first.
    pub async fn update_case(&self, c: &Case, principals: &[String], event: &CaseEvent, audit: &[AuditEntry]) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        if self.write_case_row(&mut tx, c, false).await? == 0 {
            return Err(StoreError::Stale);
        }
        self.write_case_children(&mut tx, c, principals).await?;
        self.insert_case_event(&mut tx, &c.id, event).await?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Links a party to a case and bumps its version (if still at `expected_version`).
    pub async fn add_party(
        &self,
        case_id: &str,
        expected_version: i64,
        p: &Party,
        event: &CaseEvent,
        audit: &[AuditEntry],
    ) -> Result<i64, StoreError> {
        let mut tx = self.write.begin().await?;
        let done = sqlx::query(&self.sql("UPDATE cases SET version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3"))
            .bind(event.at)
            .bind(case_id)
            .bind(expected_version)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        self.insert_party_rows(&mut tx, case_id, p, event.at, &event.actor_user_id).await?;
        self.insert_case_event(&mut tx, case_id, event).await?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(expected_version + 1)
    }

    /// A case with its goods and parties, whoever asks (the app decides who may).
    pub async fn case(&self, id: &str) -> Result<Option<Case>, StoreError> {
        Ok(self.case_with_evidence(id).await?.map(|(c, _)| c))
    }

    /// A case with its goods, parties and evidence files, in one query: the children come
    /// back as JSON arrays built by the database (a single round trip instead of four, which
    /// is what a case read mostly paid for). Whoever asks; the app decides who may.
    pub async fn case_with_evidence(&self, id: &str) -> Result<Option<(Case, Vec<Evidence>)>, StoreError> {
        // Each text is already in its dialect's placeholders: this runs on every case read,
        // and rewriting a long statement each time showed in profiles.
        let sql = match self.dialect {
            Dialect::Sqlite => CASE_WITH_CHILDREN_SQLITE,
            Dialect::Postgres => CASE_WITH_CHILDREN_POSTGRES,
        };
        let Some(row) = sqlx::query(sql).bind(id).fetch_optional(&self.read).await? else {
            return Ok(None);
        };
        let mut c = case_row(&row)?;
        let children = |col: &str| -> Result<String, StoreError> {
            // PostgreSQL's json_agg over no rows is NULL; SQLite's json_group_array is "[]".
            Ok(row.try_get::<Option<String>, _>(col)?.unwrap_or_else(|| "[]".into()))
        };
        let corrupt = |what: &str, e: serde_json::Error| StoreError::Corrupt(format!("{what} of case {id}: {e}"));
        let mut goods: Vec<GoodsJson> = serde_json::from_str(&children("goods_json")?).map_err(|e| corrupt("goods", e))?;
        goods.sort_by_key(|g| g.0);
        for (_, description, hs_code, category, brand, quantity, unit, weight_kg, value_vnd) in goods {
            c.goods.push(GoodsLine {
                description,
                hs_code,
                category,
                brand,
                quantity: real(quantity, "quantity")?,
                unit,
                weight_kg: real(weight_kg, "weight_kg")?,
                value_vnd,
            });
        }
        let mut parties: Vec<PartyJson> = serde_json::from_str(&children("parties_json")?).map_err(|e| corrupt("parties", e))?;
        parties.sort_by_key(|p| p.0);
        for (_, entity_id, role, kind, name, identifiers, held_by, sharing) in parties {
            c.parties.push(Party {
                entity_id,
                kind: EntityKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("kind: unknown code {kind:?}")))?,
                name,
                identifiers: json_list(&identifiers)
                    .into_iter()
                    .filter_map(|kv| kv.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
                    .collect(),
                role: PartyRole::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role: unknown code {role:?}")))?,
                held_by,
                sharing: item_sharing_from_text(sharing)?,
            });
        }
        let evidence: Vec<EvidenceJson> = serde_json::from_str(&children("evidence_json")?).map_err(|e| corrupt("evidence", e))?;
        let mut evidence: Vec<Evidence> = evidence
            .into_iter()
            .map(|(sha256, size, media_type, filename, uploaded_by, uploaded_at, sharing)| {
                Ok(Evidence {
                    case_id: c.id.clone(),
                    sha256,
                    size,
                    media_type,
                    filename,
                    uploaded_by,
                    uploaded_at,
                    sharing: item_sharing_from_text(sharing)?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        evidence.sort_by(|a, b| (a.uploaded_at, &a.sha256).cmp(&(b.uploaded_at, &b.sha256)));
        Ok(Some((c, evidence)))
    }

    /// Finds a case by its external reference (import idempotency).
    pub async fn case_id_by_external_ref(&self, external_ref: &str) -> Result<Option<String>, StoreError> {
        let row =
            sqlx::query(&self.sql("SELECT id FROM cases WHERE external_ref = $1")).bind(external_ref).fetch_optional(&self.read).await?;
        Ok(row.map(|r| r.try_get("id")).transpose()?)
    }

    /// Which of `refs` are already recorded as a case's external reference: one query per
    /// few thousand references, so an import checks a whole batch in one round trip.
    pub async fn existing_external_refs(&self, refs: &[String]) -> Result<HashSet<String>, StoreError> {
        let mut found = HashSet::new();
        for chunk in refs.chunks(MAX_BINDS) {
            let sql = format!("SELECT external_ref FROM cases WHERE external_ref IN ({})", self.placeholders(chunk.len()));
            let mut q = sqlx::query(&sql);
            for r in chunk {
                q = q.bind(r.clone());
            }
            for row in q.fetch_all(&self.read).await? {
                found.insert(row.try_get::<String, _>("external_ref")?);
            }
        }
        Ok(found)
    }

    async fn with_children(&self, mut c: Case) -> Result<Case, StoreError> {
        let goods = sqlx::query(&self.sql("SELECT * FROM goods_lines WHERE case_id = $1 ORDER BY line_no"))
            .bind(c.id.clone())
            .fetch_all(&self.read)
            .await?;
        for g in goods {
            c.goods.push(GoodsLine {
                description: g.try_get("description")?,
                hs_code: g.try_get("hs_code")?,
                category: g.try_get("category")?,
                brand: g.try_get("brand")?,
                quantity: g.try_get("quantity")?,
                unit: g.try_get("unit")?,
                weight_kg: g.try_get("weight_kg")?,
                value_vnd: g.try_get("value_vnd")?,
            });
        }
        let parties = sqlx::query(&self.sql(
            "SELECT p.entity_id, p.role, p.sharing, e.kind, e.name, e.identifiers, e.created_by_agency FROM case_parties p \
             JOIN entities e ON e.id = p.entity_id WHERE p.case_id = $1 ORDER BY p.seq",
        ))
        .bind(c.id.clone())
        .fetch_all(&self.read)
        .await?;
        for p in parties {
            let idents: String = p.try_get("identifiers")?;
            c.parties.push(Party {
                entity_id: p.try_get("entity_id")?,
                kind: code(&p, "kind", EntityKind::parse)?,
                name: p.try_get("name")?,
                identifiers: json_list(&idents)
                    .into_iter()
                    .filter_map(|kv| kv.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
                    .collect(),
                role: code(&p, "role", PartyRole::parse)?,
                held_by: p.try_get("created_by_agency")?,
                sharing: item_sharing_from_text(p.try_get("sharing")?)?,
            });
        }
        Ok(c)
    }

    /// Cases a viewer holding `principals` may see, matching `filter`, newest first, after `cursor`.
    pub async fn cases_visible(
        &self,
        principals: &[String],
        filter: &CaseFilter,
        cursor: Option<&CaseCursor>,
        limit: i64,
    ) -> Result<Vec<Case>, StoreError> {
        let (sql, binds) = visible_query(principals, filter, cursor, &format!("SELECT {CASE_COLUMNS} FROM cases c"), limit);
        let sql = self.sql(&sql);
        let q = bind_all(sqlx::query(&sql), binds);
        let rows = q.fetch_all(&self.read).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(self.with_children(case_row(row)?).await?);
        }
        Ok(out)
    }

    /// How many cases a viewer holding `principals` may see, matching `filter`.
    pub async fn count_cases_visible(&self, principals: &[String], filter: &CaseFilter) -> Result<i64, StoreError> {
        let (sql, binds) = visible_query(principals, filter, None, "SELECT COUNT(*) AS n FROM cases c", -1);
        let sql = self.sql(&sql);
        let q = bind_all(sqlx::query(&sql), binds);
        Ok(q.fetch_one(&self.read).await?.try_get("n")?)
    }

    /// Cases a viewer may see, matching `filter`, counted and valued per province, commodity
    /// category, type or status (largest count first). A case with goods of two categories
    /// counts once in each; its value there is that category's goods.
    pub async fn case_totals_visible(
        &self,
        principals: &[String],
        filter: &CaseFilter,
        by: CaseDimension,
    ) -> Result<Vec<CaseTotal>, StoreError> {
        let select = match by {
            CaseDimension::Commodity => {
                "SELECT g.category AS k, COUNT(DISTINCT c.id) AS n, CAST(COALESCE(SUM(g.value_vnd), 0) AS BIGINT) AS v \
                 FROM cases c JOIN goods_lines g ON g.case_id = c.id"
            }
            CaseDimension::Province => {
                "SELECT c.province_code AS k, COUNT(*) AS n, CAST(COALESCE(SUM(c.total_value_vnd), 0) AS BIGINT) AS v FROM cases c"
            }
            CaseDimension::CaseType => {
                "SELECT c.case_type AS k, COUNT(*) AS n, CAST(COALESCE(SUM(c.total_value_vnd), 0) AS BIGINT) AS v FROM cases c"
            }
            CaseDimension::Status => {
                "SELECT c.status AS k, COUNT(*) AS n, CAST(COALESCE(SUM(c.total_value_vnd), 0) AS BIGINT) AS v FROM cases c"
            }
        };
        let (mut sql, binds) = visible_query(principals, filter, None, select, -1);
        sql.push_str(" GROUP BY k ORDER BY n DESC, k");
        let sql = self.sql(&sql);
        let q = bind_all(sqlx::query(&sql), binds);
        q.fetch_all(&self.read)
            .await?
            .iter()
            .map(|r| Ok(CaseTotal { key: r.try_get("k")?, cases: r.try_get("n")?, value_vnd: r.try_get("v")? }))
            .collect()
    }

    /// Ids of cases changed at or after `since` (ms), in (updated_at, id) order after the
    /// given position: what a search index must catch up with.
    pub async fn cases_changed_since(
        &self,
        since: i64,
        after: Option<(i64, String)>,
        limit: i64,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let (at, id) = after.unwrap_or((since, String::new()));
        let rows = sqlx::query(&self.sql(
            "SELECT updated_at, id FROM cases WHERE updated_at >= $1 AND (updated_at > $2 OR (updated_at = $2 AND id > $3)) ORDER BY updated_at, id LIMIT $4",
        ))
        .bind(since)
        .bind(at)
        .bind(id)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(|r| Ok((r.try_get("updated_at")?, r.try_get("id")?))).collect()
    }

    /// How many cases exist (for operators: index consistency, reports).
    pub async fn count_all_cases(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM cases").fetch_one(&self.read).await?.try_get("n")?)
    }

    /// A case's history, oldest first.
    pub async fn case_events(&self, case_id: &str) -> Result<Vec<CaseEvent>, StoreError> {
        let rows =
            sqlx::query(&self.sql("SELECT * FROM case_events WHERE case_id = $1 ORDER BY seq")).bind(case_id).fetch_all(&self.read).await?;
        rows.iter()
            .map(|r| {
                Ok(CaseEvent {
                    seq: r.try_get("seq")?,
                    at: r.try_get("at")?,
                    actor_user_id: r.try_get("actor_user_id")?,
                    actor_unit_id: r.try_get("actor_unit_id")?,
                    kind: r.try_get("kind")?,
                    from_status: opt_code(r, "from_status", CaseStatus::parse)?,
                    to_status: opt_code(r, "to_status", CaseStatus::parse)?,
                    reason: r.try_get("reason")?,
                    detail: r.try_get("detail")?,
                })
            })
            .collect()
    }

    // ---- agreements and groups ----

    /// Records a coordination agreement, with its audit entries.
    pub async fn insert_agreement(&self, a: &Agreement, at: i64, audit: &[AuditEntry]) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        sqlx::query(&self.sql(
            "INSERT INTO agreements (id, name, agency_a, agency_b, case_types, disclose_personal, valid_from, valid_until, created_at, \
             ack_urgent_minutes, ack_high_minutes, ack_normal_minutes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        ))
        .bind(a.id.clone())
        .bind(a.name.clone())
        .bind(a.agency_a.clone())
        .bind(a.agency_b.clone())
        .bind(to_json_list(&a.case_types))
        .bind(i64::from(a.disclose_personal))
        .bind(a.valid_from)
        .bind(a.valid_until)
        .bind(at)
        .bind(a.ack_minutes[0])
        .bind(a.ack_minutes[1])
        .bind(a.ack_minutes[2])
        .execute(&mut *tx)
        .await?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// All agreements, or those an agency is party to.
    pub async fn agreements(&self, agency: Option<&str>) -> Result<Vec<Agreement>, StoreError> {
        let rows =
            sqlx::query(&self.sql("SELECT * FROM agreements WHERE ($1 IS NULL OR agency_a = $1 OR agency_b = $1) ORDER BY valid_from, id"))
                .bind(agency)
                .fetch_all(&self.read)
                .await?;
        rows.iter()
            .map(|r| {
                Ok(Agreement {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    agency_a: r.try_get("agency_a")?,
                    agency_b: r.try_get("agency_b")?,
                    case_types: json_list(&r.try_get::<String, _>("case_types")?),
                    disclose_personal: r.try_get::<i64, _>("disclose_personal")? != 0,
                    valid_from: r.try_get("valid_from")?,
                    valid_until: r.try_get("valid_until")?,
                    ack_minutes: [r.try_get("ack_urgent_minutes")?, r.try_get("ack_high_minutes")?, r.try_get("ack_normal_minutes")?],
                })
            })
            .collect()
    }

    /// Creates a sharing group with its members, with its audit entries.
    pub async fn insert_group(&self, g: &SharingGroup, at: i64, audit: &[AuditEntry]) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        sqlx::query(&self.sql("INSERT INTO sharing_groups (id, name, owner_agency_id, created_at) VALUES ($1, $2, $3, $4)"))
            .bind(g.id.clone())
            .bind(g.name.clone())
            .bind(g.owner_agency_id.clone())
            .bind(at)
            .execute(&mut *tx)
            .await
            .map_err(|e| match StoreError::from(e) {
                StoreError::Conflict { .. } => StoreError::Conflict { what: "sharing group id" },
                other => other,
            })?;
        let mut members = g.members.clone();
        members.sort();
        members.dedup();
        for m in members {
            sqlx::query(&self.sql("INSERT INTO sharing_group_members (group_id, agency_id) VALUES ($1, $2)"))
                .bind(g.id.clone())
                .bind(m)
                .execute(&mut *tx)
                .await?;
        }
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The groups an agency belongs to (ids only: members are not shown to each other).
    pub async fn groups_of_agency(&self, agency: &str) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(&self.sql("SELECT group_id FROM sharing_group_members WHERE agency_id = $1 ORDER BY group_id"))
            .bind(agency)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(|r| Ok(r.try_get("group_id")?)).collect()
    }

    /// A sharing group with its members.
    pub async fn group(&self, id: &str) -> Result<Option<SharingGroup>, StoreError> {
        let Some(row) = sqlx::query(&self.sql("SELECT * FROM sharing_groups WHERE id = $1")).bind(id).fetch_optional(&self.read).await?
        else {
            return Ok(None);
        };
        let members = sqlx::query(&self.sql("SELECT agency_id FROM sharing_group_members WHERE group_id = $1 ORDER BY agency_id"))
            .bind(id)
            .fetch_all(&self.read)
            .await?;
        Ok(Some(SharingGroup {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            owner_agency_id: row.try_get("owner_agency_id")?,
            members: members.iter().map(|r| r.try_get("agency_id")).collect::<Result<_, _>>()?,
        }))
    }
}

enum Bind {
    Text(String),
    Int(i64),
}

/// Builds the visibility-filtered query: the access rows must meet the viewer's principals.
/// What case totals are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseDimension {
    /// Province (today's).
    Province,
    /// Commodity category of the goods.
    Commodity,
    /// Violation type.
    CaseType,
    /// Lifecycle status.
    Status,
}

/// Cases and their value for one key of a dimension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseTotal {
    /// The province, category, type or status; `None` where the case does not say.
    pub key: Option<String>,
    /// How many cases.
    pub cases: i64,
    /// Their value, VND.
    pub value_vnd: i64,
}

/// Binds a query's values in order.
fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    binds: Vec<Bind>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for b in binds {
        q = match b {
            Bind::Text(s) => q.bind(s),
            Bind::Int(i) => q.bind(i),
        };
    }
    q
}

fn visible_query(principals: &[String], f: &CaseFilter, cursor: Option<&CaseCursor>, select: &str, limit: i64) -> (String, Vec<Bind>) {
    let mut binds: Vec<Bind> = Vec::new();
    let next = |b: Bind, binds: &mut Vec<Bind>| {
        binds.push(b);
        format!("${}", binds.len())
    };
    let mut placeholders = Vec::new();
    for p in principals {
        placeholders.push(next(Bind::Text(p.clone()), &mut binds));
    }
    if placeholders.is_empty() {
        // No principals: nothing is visible. Keep the SQL valid.
        placeholders.push(next(Bind::Text(String::new()), &mut binds));
    }
    let mut sql = format!(
        "{select} WHERE EXISTS (SELECT 1 FROM case_access a WHERE a.case_id = c.id AND a.principal IN ({}))",
        placeholders.join(", ")
    );
    let eq = |col: &str, v: &Option<String>, sql: &mut String, binds: &mut Vec<Bind>| {
        if let Some(v) = v {
            let ph = next(Bind::Text(v.clone()), binds);
            sql.push_str(&format!(" AND {col} = {ph}"));
        }
    };
    eq("c.case_type", &f.case_type, &mut sql, &mut binds);
    eq("c.status", &f.status, &mut sql, &mut binds);
    eq("c.province_code", &f.province, &mut sql, &mut binds);
    eq("c.owner_agency_id", &f.agency, &mut sql, &mut binds);
    if let Some(cat) = &f.commodity {
        let ph = next(Bind::Text(cat.clone()), &mut binds);
        sql.push_str(&format!(" AND EXISTS (SELECT 1 FROM goods_lines g WHERE g.case_id = c.id AND g.category = {ph})"));
    }
    if let Some(s) = f.since {
        let ph = next(Bind::Int(s), &mut binds);
        sql.push_str(&format!(" AND c.detected_at >= {ph}"));
    }
    if let Some(u) = f.until {
        let ph = next(Bind::Int(u), &mut binds);
        sql.push_str(&format!(" AND c.detected_at < {ph}"));
    }
    if let Some(cur) = cursor {
        let a = next(Bind::Int(cur.detected_at), &mut binds);
        let b = next(Bind::Text(cur.id.clone()), &mut binds);
        sql.push_str(&format!(" AND (c.detected_at < {a} OR (c.detected_at = {a} AND c.id < {b}))"));
    }
    if limit > 0 {
        let ph = next(Bind::Int(limit), &mut binds);
        sql.push_str(&format!(" ORDER BY c.detected_at DESC, c.id DESC LIMIT {ph}"));
    }
    (sql, binds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lists_round_trip() {
        for items in [vec![], vec!["a".to_string()], vec!["H3:say \"no\"".to_string(), "x\\y".to_string(), "agency:bg".to_string()]] {
            assert_eq!(json_list(&to_json_list(&items)), items);
        }
    }

    #[test]
    fn an_agreement_binds_its_two_parties_while_in_force_for_the_case_types_it_names() {
        use cordon_core::notice::Priority;
        let a = Agreement {
            id: "qc".into(),
            name: "Quy chế".into(),
            agency_a: "customs-vn".into(),
            agency_b: "police-vn".into(),
            case_types: vec!["smuggling".into()],
            disclose_personal: false,
            valid_from: 100,
            valid_until: Some(200),
            ack_minutes: [Some(5), None, None],
        };
        assert!(a.binds("police-vn", "customs-vn", None, 150), "either order, any matter");
        assert!(a.binds("customs-vn", "police-vn", Some("smuggling"), 150));
        assert!(!a.binds("customs-vn", "police-vn", Some("counterfeit"), 150), "a case type it does not cover");
        assert!(!a.binds("customs-vn", "police-vn", None, 200), "expired");
        assert!(!a.binds("customs-vn", "police-vn", None, 99), "not yet in force");
        assert!(!a.binds("customs-vn", "border-guard-vn", None, 150), "not a party");
        assert_eq!((a.ack_window_ms(Priority::Urgent), a.ack_window_ms(Priority::High)), (Some(300_000), None));
    }
}
