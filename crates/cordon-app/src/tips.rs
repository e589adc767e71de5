//! Tips: taken in from the public (web form, JSON endpoint, e-mail) and from hotline calls,
//! each with a tracking code that shows the reporter its status and lets them add information
//! and nothing else; triaged by the intake unit (categorised, checked for repeats, routed to the
//! unit responsible for the province and topic) and closed by the unit that acts on it. The
//! reporter's identity is shown to the intake unit only, unless they consented to it travelling.
//!
//! Floods are kept out without a third-party service: each public submission spends a proof of
//! work on a single-use challenge the server signed (or, from the plain HTML form, carries a
//! single-use form token at least a few seconds old and leaves the hidden field empty), and each
//! client address may send only so many tips, and try only so many tracking codes, an hour.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

use base64::Engine;
use cordon_core::agency::AgencyKind;
use cordon_core::audit::AuditEntry;
use cordon_core::case::CaseType;
use cordon_core::reference::reference;
use cordon_core::tip::{
    canonical_tracking_code, proof_of_work_ok, public_status, responsible_agency_kind, tracking_code, tracking_hash, TipChannel,
    TipOutcome, TipStatus,
};
use cordon_core::{Invalid, Role, RoleSet};
use cordon_store::{StoreError, Tip, TipAttachment, TipChange, TipMessage};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::ids::new_id;
use crate::{sniff, Actor, App, AppError, CaseQuery};

/// Longest tip text.
pub const MAX_TIP_CHARS: usize = 20_000;
/// Largest file attached to a tip.
pub const MAX_TIP_FILE_BYTES: usize = 10 << 20;
/// Most files per tip or follow-up.
pub const MAX_TIP_FILES: usize = 5;
/// Zero bits a public submission's proof of work needs by default (about 65 000 hashes:
/// a fraction of a second in a browser).
pub const DEFAULT_POW_DIFFICULTY: u32 = 16;
/// How long a challenge or form token stays usable.
const CHALLENGE_TTL_MS: i64 = 30 * 60_000;
/// The HTML form is refused if sent back sooner than this after it was drawn (no human is that fast).
const FORM_MIN_AGE_MS: i64 = 3_000;
/// Tips one client address may send per window.
const TIPS_PER_ADDRESS: usize = 10;
/// Tracking-code look-ups one client address may make per window (wrong codes count double).
const LOOKUPS_PER_ADDRESS: usize = 30;
/// The rate-limit window.
const RATE_WINDOW_MS: i64 = 60 * 60_000;
/// How far back repeats of a tip are looked for.
const REPEAT_WINDOW_MS: i64 = 180 * 24 * 3_600_000;

/// Who works tips in the intake and assigned units.
const TIP_WORKERS: &[Role] = &[Role::HotlineOperator, Role::Officer, Role::Analyst, Role::UnitHead, Role::DeputyHead];

/// Challenges, form tokens and per-address counts for the public endpoints.
pub(crate) struct TipDesk {
    secret: [u8; 32],
    difficulty: Mutex<u32>,
    used: Mutex<HashMap<String, i64>>,
    hits: Mutex<HashMap<String, Vec<i64>>>,
}

impl Default for TipDesk {
    fn default() -> Self {
        let mut secret = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut secret);
        TipDesk { secret, difficulty: Mutex::new(DEFAULT_POW_DIFFICULTY), used: Mutex::default(), hits: Mutex::default() }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl TipDesk {
    fn sign(&self, issued: i64, nonce: &str) -> String {
        let mut h = Sha256::new();
        h.update(self.secret);
        h.update(format!("{issued}.{nonce}").as_bytes());
        hex::encode(&h.finalize()[..12])
    }

    fn issue(&self, now: i64) -> String {
        let nonce = hex::encode(rand::thread_rng().next_u64().to_be_bytes());
        format!("{now}.{nonce}.{}", self.sign(now, &nonce))
    }

    /// Checks a challenge is ours, fresh, old enough and unused, and uses it up.
    fn redeem(&self, challenge: &str, now: i64, min_age: i64) -> Result<(), AppError> {
        let bad = || AppError::from(Invalid::new("challenge", "a fresh challenge from this server is needed; ask for a new one"));
        let mut parts = challenge.splitn(3, '.');
        let (Some(issued), Some(nonce), Some(mac)) = (parts.next(), parts.next(), parts.next()) else { return Err(bad()) };
        let issued: i64 = issued.parse().map_err(|_| bad())?;
        if self.sign(issued, nonce) != mac || now - issued > CHALLENGE_TTL_MS || now < issued {
            return Err(bad());
        }
        if now - issued < min_age {
            return Err(Invalid::new("challenge", "sent too quickly; wait a moment and send again").into());
        }
        let mut used = lock(&self.used);
        used.retain(|_, at| now - *at <= CHALLENGE_TTL_MS);
        if used.insert(challenge.to_string(), issued).is_some() {
            return Err(bad());
        }
        Ok(())
    }

    /// Counts one event for `key`; refuses once `limit` happened within the window.
    fn count(&self, key: &str, limit: usize, weight: usize, now: i64) -> Result<(), AppError> {
        let mut hits = lock(&self.hits);
        if hits.len() > 100_000 {
            hits.retain(|_, v| v.last().is_some_and(|t| now - t < RATE_WINDOW_MS));
        }
        let times = hits.entry(key.to_string()).or_default();
        times.retain(|t| now - t < RATE_WINDOW_MS);
        if times.len() >= limit {
            let wait = (times[times.len() - limit] + RATE_WINDOW_MS - now).max(1000) / 1000;
            return Err(AppError::RateLimited(wait as u64));
        }
        times.extend(std::iter::repeat_n(now, weight));
        Ok(())
    }
}

/// A challenge for a public submission.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TipChallenge {
    /// Send it back with the tip.
    pub challenge: String,
    /// Find a `nonce` such that SHA-256(`challenge` ":" `nonce`) begins with this many zero bits.
    pub difficulty: u32,
}

/// A file sent with a tip.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TipFileInput {
    /// Its name.
    pub filename: String,
    /// The content, base64.
    pub content_base64: String,
}

/// A tip as the public sends it.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TipInput {
    /// What happened, where, when, who.
    pub body: String,
    /// Province (today's or a pre-2025 name, or its code).
    #[serde(default)]
    pub province: Option<String>,
    /// Place as described.
    #[serde(default)]
    pub place: Option<String>,
    /// Kind of violation, if the reporter knows (`smuggling`, `counterfeit`, …).
    #[serde(default)]
    pub violation_type: Option<String>,
    /// Sold online (shop, social network) rather than physical goods.
    #[serde(default)]
    pub ecommerce: bool,
    /// Name, if the reporter wishes to give it.
    #[serde(default)]
    pub reporter_name: Option<String>,
    /// Phone or e-mail, if the reporter wishes to be contacted.
    #[serde(default)]
    pub reporter_contact: Option<String>,
    /// The reporter agrees that their name and contact go with the tip to the unit that acts on it.
    #[serde(default)]
    pub consent: bool,
    /// Photos or documents.
    #[serde(default)]
    pub files: Vec<TipFileInput>,
    /// The challenge from `GET /api/v1/public/tips/challenge` (public channels).
    #[serde(default)]
    pub challenge: String,
    /// The proof of work for it.
    #[serde(default)]
    pub nonce: String,
}

/// An e-mail turned into a tip (from a mailbox file or the inbound hook).
#[derive(Debug, Clone)]
pub struct EmailTip {
    /// Message-ID: the same message is one tip however often it is imported.
    pub message_id: String,
    /// Sender as written.
    pub from: String,
    /// Subject.
    pub subject: String,
    /// Text body.
    pub body: String,
    /// Attached files (name, content).
    pub files: Vec<(String, Vec<u8>)>,
}

/// What the reporter keeps.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TipReceipt {
    /// The only key to the tip's status; shown once, kept by Cordon only as a hash.
    pub tracking_code: String,
    /// Received, ms.
    pub received_at: i64,
}

/// What a tracking code shows: the status, and the reporter's own words.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TipStatusView {
    /// `received`, `routed`, `closed`.
    pub status: String,
    /// In Vietnamese.
    pub status_vi: String,
    /// In English.
    pub status_en: String,
    /// Received, ms.
    pub received_at: i64,
    /// Last changed, ms.
    pub updated_at: i64,
    /// The reporter's follow-ups, in order.
    pub follow_ups: Vec<String>,
}

/// A follow-up through the tracking code.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TipFollowUpInput {
    /// The tracking code.
    pub tracking_code: String,
    /// What the reporter adds.
    #[serde(default)]
    pub body: String,
    /// Further files.
    #[serde(default)]
    pub files: Vec<TipFileInput>,
}

/// A tip as the units working it see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TipView {
    /// Id.
    pub id: String,
    /// `web_form`, `api`, `email`, `hotline`.
    pub channel: String,
    /// `received`, `routed`, `closed`.
    pub status: String,
    /// `case_linked`, `no_action`, `duplicate`.
    pub outcome: Option<String>,
    /// What the reporter said.
    pub body: String,
    /// Province code.
    pub province: Option<String>,
    /// Place.
    pub place: Option<String>,
    /// Violation type.
    pub violation_type: Option<String>,
    /// Commodity category.
    pub commodity: Option<String>,
    /// Online.
    pub ecommerce: bool,
    /// Reporter's name: shown to the intake unit, or with consent.
    pub reporter_name: Option<String>,
    /// Reporter's contact: likewise.
    pub reporter_contact: Option<String>,
    /// Whether the reporter's identity is withheld from the viewer.
    pub reporter_withheld: bool,
    /// Intake unit.
    pub intake_unit_id: String,
    /// Routed to.
    pub assigned_unit_id: Option<String>,
    /// Case.
    pub case_id: Option<String>,
    /// Repeats this tip.
    pub duplicate_of: Option<String>,
    /// Received, ms.
    pub created_at: i64,
    /// Last changed, ms.
    pub updated_at: i64,
    /// Follow-ups and notes (single reads only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<TipMessageView>,
    /// Files.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<TipFileView>,
    /// History.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<TipEventView>,
    /// Earlier tips that look like this one (single reads only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub possible_repeats: Vec<TipRepeat>,
    /// The unit the routing rule proposes (untriaged tips, single reads only).
    pub suggested_unit_id: Option<String>,
    /// Known entities with a phone number the tip mentions (single reads only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub known_entities: Vec<TipEntityMatch>,
}

/// A known entity the tip mentions: in full when the viewer may see it, else only who holds it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TipEntityMatch {
    /// The entity, when the viewer may see it on some case.
    pub entity_id: Option<String>,
    /// Its name, likewise.
    pub name: Option<String>,
    /// The agency holding it: ask it for access when the entity itself is not shown.
    pub held_by: String,
    /// What matched.
    pub reason: String,
}

/// A message on a tip.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TipMessageView {
    /// When, ms.
    pub at: i64,
    /// From the reporter.
    pub from_reporter: bool,
    /// The officer.
    pub author_user_id: Option<String>,
    /// Text.
    pub body: String,
}

/// A file on a tip.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TipFileView {
    /// Address.
    pub sha256: String,
    /// Name.
    pub filename: String,
    /// Type.
    pub media_type: String,
    /// Bytes.
    pub size: i64,
}

/// One step of a tip's history.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TipEventView {
    /// When, ms.
    pub at: i64,
    /// Who.
    pub actor_user_id: Option<String>,
    /// What.
    pub kind: String,
    /// Detail.
    pub detail: String,
}

/// An earlier tip that may be the same report.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TipRepeat {
    /// Its id.
    pub tip_id: String,
    /// Received, ms.
    pub created_at: i64,
    /// Why: shared words (Jaccard over folded words) or a shared phone number.
    pub reason: String,
}

/// Categorising and routing a tip.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TipTriageInput {
    /// Violation type (a case type).
    pub violation_type: String,
    /// Commodity category.
    #[serde(default)]
    pub commodity: Option<String>,
    /// Online.
    #[serde(default)]
    pub ecommerce: bool,
    /// Province.
    #[serde(default)]
    pub province: Option<String>,
    /// The unit to act; absent: the one the routing rule proposes.
    #[serde(default)]
    pub unit_id: Option<String>,
}

/// Closing a tip.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TipCloseInput {
    /// `case_linked`, `no_action`, `duplicate`.
    pub outcome: String,
    /// The case (for `case_linked`; one the closer may see).
    #[serde(default)]
    pub case_id: Option<String>,
    /// The earlier tip (for `duplicate`).
    #[serde(default)]
    pub duplicate_of: Option<String>,
    /// Why.
    #[serde(default)]
    pub reason: String,
}

fn event_view(e: &cordon_store::TipEvent) -> TipEventView {
    TipEventView { at: e.at, actor_user_id: e.actor_user_id.clone(), kind: e.kind.clone(), detail: e.detail.clone() }
}

/// Folded words of three letters or more: what two reports of the same thing share.
fn words(text: &str) -> BTreeSet<String> {
    cordon_core::text::fold(text).split(|c: char| !c.is_alphanumeric()).filter(|w| w.chars().count() >= 3).map(String::from).collect()
}

/// Phone numbers written in a text, in one spelling.
fn phones_in(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once('\n')) {
        if c.is_ascii_digit() || (c == '+' && run.is_empty()) {
            run.push(c);
        } else if matches!(c, ' ' | '.' | '-') && !run.is_empty() && run.len() < 14 {
            continue;
        } else {
            if run.len() >= 9 {
                if let Some(p) = cordon_screen::normalise_phone(&run) {
                    out.insert(p);
                }
            }
            run.clear();
        }
    }
    out
}

fn jaccard(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    a.intersection(b).count() as f64 / a.union(b).count() as f64
}

fn optional_text(field: &'static str, v: Option<&str>, max: usize) -> Result<Option<String>, AppError> {
    let v = v.map(str::trim).filter(|v| !v.is_empty());
    if let Some(v) = v {
        if v.chars().count() > max || v.chars().any(|c| c.is_control()) {
            return Err(Invalid::new(field, format!("at most {max} characters, on one line")).into());
        }
    }
    Ok(v.map(String::from))
}

fn system_audit(at: i64, action: &str, object_id: &str, outcome: &str, detail: serde_json::Value) -> AuditEntry {
    AuditEntry {
        seq: 0,
        at,
        actor_user_id: None,
        actor_unit_id: None,
        action: action.into(),
        object_type: "tip".into(),
        object_id: object_id.into(),
        outcome: outcome.into(),
        detail: detail.to_string(),
    }
}

/// The checked fields of a new tip, before it is stored.
struct Checked {
    body: String,
    province_code: Option<String>,
    place: Option<String>,
    violation_type: Option<String>,
    reporter_name: Option<String>,
    reporter_contact: Option<String>,
}

impl App {
    /// Sets the proof-of-work difficulty for public submissions (tests and busy nodes).
    pub fn set_tip_difficulty(&self, bits: u32) {
        *lock(&self.tips.difficulty) = bits.min(28);
    }

    /// A single-use challenge for a public submission.
    pub fn tip_challenge(&self) -> TipChallenge {
        TipChallenge { challenge: self.tips.issue(self.now_ms()), difficulty: *lock(&self.tips.difficulty) }
    }

    /// A single-use token for the plain HTML form (checked for age instead of work).
    pub fn tip_form_token(&self) -> String {
        self.tips.issue(self.now_ms())
    }

    /// The unit public tips go to: the first unit (by id) of the Steering Committee 389 Office
    /// with an active hotline operator. `None`: this node takes no public tips.
    async fn intake_unit(&self) -> Result<Option<String>, AppError> {
        for agency in self.store.agencies().await? {
            if agency.kind != AgencyKind::SteeringCommitteeOffice {
                continue;
            }
            for unit in self.store.units(Some(&agency.id)).await? {
                if self.store.users(Some(&unit.id)).await?.iter().any(|u| !u.disabled && u.roles.holds(Role::HotlineOperator)) {
                    return Ok(Some(unit.id));
                }
            }
        }
        Ok(None)
    }

    async fn check_tip_fields(&self, input: &TipInput) -> Result<Checked, AppError> {
        let body = input.body.trim();
        if body.chars().count() < 10 || body.chars().count() > MAX_TIP_CHARS {
            return Err(Invalid::new("body", format!("say what you saw: 10 to {MAX_TIP_CHARS} characters")).into());
        }
        let province_code = match input.province.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            None => None,
            Some(p) => Some(match reference().province(p) {
                Some(province) => province.code.to_string(),
                None => {
                    self.store.resolve_province_alias(p).await?.ok_or_else(|| Invalid::new("province", format!("no province {p:?}")))?
                }
            }),
        };
        let violation_type = match input.violation_type.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            None => None,
            Some(v) => Some(
                CaseType::parse(v)
                    .ok_or_else(|| Invalid::new("violation_type", format!("unknown violation type {v:?}")))?
                    .as_str()
                    .to_string(),
            ),
        };
        if input.files.len() > MAX_TIP_FILES {
            return Err(Invalid::new("files", format!("at most {MAX_TIP_FILES} files")).into());
        }
        Ok(Checked {
            body: body.to_string(),
            province_code,
            place: optional_text("place", input.place.as_deref(), 300)?,
            violation_type,
            reporter_name: optional_text("reporter_name", input.reporter_name.as_deref(), 200)?,
            reporter_contact: optional_text("reporter_contact", input.reporter_contact.as_deref(), 200)?,
        })
    }

    /// Checks and stores files (content-addressed); nothing is stored unless every file passes.
    async fn store_tip_files(&self, files: Vec<(String, Vec<u8>)>, now: i64) -> Result<Vec<TipAttachment>, AppError> {
        let mut checked = Vec::new();
        for (name, bytes) in files {
            let name =
                crate::evidence::clean_filename(&name).map_err(|_| Invalid::new("files", "a file name of 1 to 200 characters, no path"))?;
            if bytes.is_empty() || bytes.len() > MAX_TIP_FILE_BYTES {
                return Err(Invalid::new("files", format!("{name}: 1 byte to {} MiB", MAX_TIP_FILE_BYTES >> 20)).into());
            }
            let media_type =
                sniff(&bytes).ok_or_else(|| Invalid::new("files", format!("{name}: only PDF, PNG, JPEG, WebP and MP4 files")))?;
            checked.push((name, media_type, bytes));
        }
        let mut out = Vec::new();
        for (filename, media_type, bytes) in checked {
            let sha256 = hex::encode(Sha256::digest(&bytes));
            let size = bytes.len() as i64;
            let (files, key) = (self.files.clone(), sha256.clone());
            tokio::task::spawn_blocking(move || files.put(&key, &bytes))
                .await
                .map_err(|_| AppError::Store(StoreError::Open("tip file write interrupted".into())))??;
            out.push(TipAttachment { sha256, filename, media_type: media_type.into(), size, added_at: now });
        }
        Ok(out)
    }

    fn decode_files(files: &[TipFileInput]) -> Result<Vec<(String, Vec<u8>)>, AppError> {
        files
            .iter()
            .map(|f| {
                base64::engine::general_purpose::STANDARD
                    .decode(f.content_base64.trim())
                    .map(|b| (f.filename.clone(), b))
                    .map_err(|_| Invalid::new("files", format!("{}: the content is not base64", f.filename)).into())
            })
            .collect()
    }

    /// Stores a checked tip with a new tracking code.
    async fn file_tip(&self, mut tip: Tip, audit_actor: Option<&Actor>) -> Result<TipReceipt, AppError> {
        let mut random = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut random);
        let code = tracking_code(random);
        let canonical = canonical_tracking_code(&code).ok_or_else(|| AppError::Store(StoreError::Corrupt("tracking code".into())))?;
        tip.tracking_hash = tracking_hash(&canonical);
        let detail = json!({ "channel": tip.channel.as_str(), "files": tip.attachments.len() });
        let audit = match audit_actor {
            Some(a) => a.audit(tip.created_at, "tip.receive", "tip", &tip.id, "ok", detail),
            None => system_audit(tip.created_at, "tip.receive", &tip.id, "ok", detail),
        };
        self.store.insert_tip(&tip, &[audit]).await?;
        Ok(TipReceipt { tracking_code: code, received_at: tip.created_at })
    }

    fn new_tip(channel: TipChannel, c: Checked, intake_unit_id: String, now: i64) -> Tip {
        Tip {
            id: new_id(now),
            tracking_hash: String::new(),
            channel,
            status: TipStatus::Received,
            outcome: None,
            body: c.body,
            province_code: c.province_code,
            place: c.place,
            violation_type: c.violation_type,
            commodity: None,
            ecommerce: false,
            reporter_name: c.reporter_name,
            reporter_contact: c.reporter_contact,
            reporter_consent: false,
            intake_unit_id,
            assigned_unit_id: None,
            case_id: None,
            duplicate_of: None,
            source_ref: None,
            created_by: None,
            created_at: now,
            updated_at: now,
            messages: Vec::new(),
            attachments: Vec::new(),
            events: Vec::new(),
        }
    }

    /// Takes a tip from the public JSON endpoint (`form_token` false: a proof of work is due)
    /// or the HTML form (`form_token` true: the single-use form token, old enough, is due).
    pub async fn submit_public_tip(&self, input: TipInput, address: &str, form_token: bool) -> Result<TipReceipt, AppError> {
        self.public_tip(input, Vec::new(), address, form_token).await
    }

    /// Takes a tip from the HTML form with the files it uploaded (name, content).
    pub async fn submit_form_tip(&self, input: TipInput, files: Vec<(String, Vec<u8>)>, address: &str) -> Result<TipReceipt, AppError> {
        self.public_tip(input, files, address, true).await
    }

    async fn public_tip(
        &self,
        input: TipInput,
        uploaded: Vec<(String, Vec<u8>)>,
        address: &str,
        form_token: bool,
    ) -> Result<TipReceipt, AppError> {
        let now = self.now_ms();
        let c = self.check_tip_fields(&input).await?;
        if input.files.len() + uploaded.len() > MAX_TIP_FILES {
            return Err(Invalid::new("files", format!("at most {MAX_TIP_FILES} files")).into());
        }
        if form_token {
            self.tips.redeem(&input.challenge, now, FORM_MIN_AGE_MS)?;
        } else {
            self.tips.redeem(&input.challenge, now, 0)?;
            if !proof_of_work_ok(&input.challenge, &input.nonce, *lock(&self.tips.difficulty)) {
                return Err(Invalid::new("nonce", "the proof of work does not solve the challenge").into());
            }
        }
        self.tips.count(&format!("tip:{address}"), TIPS_PER_ADDRESS, 1, now)?;
        let Some(intake) = self.intake_unit().await? else {
            return Err(AppError::Forbidden("this node takes no public tips: no hotline unit is set up"));
        };
        let mut files = Self::decode_files(&input.files)?;
        files.extend(uploaded);
        let files = self.store_tip_files(files, now).await?;
        let mut tip = Self::new_tip(if form_token { TipChannel::WebForm } else { TipChannel::Api }, c, intake, now);
        tip.ecommerce = input.ecommerce;
        tip.reporter_consent = input.consent;
        tip.attachments = files;
        self.file_tip(tip, None).await
    }

    /// A hotline operator records a call; the operator's unit is the intake unit.
    pub async fn record_hotline_tip(&self, actor: &Actor, input: TipInput) -> Result<(TipReceipt, String), AppError> {
        actor.require_active()?;
        if !actor.user.roles.holds(Role::HotlineOperator) {
            return Err(AppError::Forbidden("hotline operators record calls"));
        }
        let now = self.now_ms();
        let c = self.check_tip_fields(&input).await?;
        let files = self.store_tip_files(Self::decode_files(&input.files)?, now).await?;
        let mut tip = Self::new_tip(TipChannel::Hotline, c, actor.user.unit_id.clone(), now);
        tip.ecommerce = input.ecommerce;
        tip.reporter_consent = input.consent;
        tip.attachments = files;
        tip.created_by = Some(actor.user.id.clone());
        let id = tip.id.clone();
        Ok((self.file_tip(tip, Some(actor)).await?, id))
    }

    /// Refuses an actor who may not take in e-mailed tips, before the message is read.
    pub fn check_mail_intake(actor: &Actor) -> Result<(), AppError> {
        actor.require_active()?;
        if !actor.user.roles.holds(Role::HotlineOperator) && !actor.user.roles.may_administer() {
            return Err(AppError::Forbidden("hotline operators take in e-mail"));
        }
        Ok(())
    }

    /// Takes an e-mail as a tip for the intake unit; the same Message-ID again answers `None`
    /// (already taken). The actor is the operator or gateway importing the mailbox.
    pub async fn receive_email_tip(&self, actor: &Actor, mail: EmailTip) -> Result<Option<String>, AppError> {
        Self::check_mail_intake(actor)?;
        let message_id = mail.message_id.trim();
        if message_id.is_empty() || message_id.len() > 500 {
            return Err(Invalid::new("message_id", "every message needs its Message-ID").into());
        }
        let source = format!("email:{message_id}");
        if self.store.tip_id_by_source(&source).await?.is_some() {
            return Ok(None);
        }
        let Some(intake) = self.intake_unit().await? else {
            return Err(AppError::Forbidden("this node takes no public tips: no hotline unit is set up"));
        };
        let text = if mail.subject.trim().is_empty() { mail.body.clone() } else { format!("{}\n\n{}", mail.subject.trim(), mail.body) };
        let input = TipInput {
            body: text.chars().take(MAX_TIP_CHARS).collect(),
            province: None,
            place: None,
            violation_type: None,
            ecommerce: false,
            reporter_name: None,
            reporter_contact: Some(mail.from.chars().filter(|c| !c.is_control()).take(200).collect()),
            consent: false,
            files: Vec::new(),
            challenge: String::new(),
            nonce: String::new(),
        };
        let now = self.now_ms();
        let c = self.check_tip_fields(&input).await?;
        let files: Vec<(String, Vec<u8>)> = mail.files.into_iter().take(MAX_TIP_FILES).collect();
        let mut tip = Self::new_tip(TipChannel::Email, c, intake, now);
        tip.attachments = self.store_tip_files(files, now).await?;
        tip.source_ref = Some(source);
        let id = tip.id.clone();
        match self.file_tip(tip, Some(actor)).await {
            Ok(_) => Ok(Some(id)),
            // Imported by another process meanwhile: still one tip.
            Err(AppError::Conflict(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The tip a tracking code names, as its reporter may see it; a wrong code is a 404 and
    /// counts against the address (codes cannot be guessed, nor tried in bulk).
    async fn tip_by_code(&self, code: &str, address: &str) -> Result<Tip, AppError> {
        let now = self.now_ms();
        self.tips.count(&format!("lookup:{address}"), LOOKUPS_PER_ADDRESS, 1, now)?;
        let found = match canonical_tracking_code(code) {
            Some(c) => self.store.tip_by_tracking_hash(&tracking_hash(&c)).await?,
            None => None,
        };
        match found {
            Some(t) => Ok(t),
            None => {
                // A wrong code costs twice: bulk guessing runs out quickly.
                let _ = self.tips.count(&format!("lookup:{address}"), usize::MAX, 1, now);
                self.store.audit(&[system_audit(now, "tip.status", "*", "denied", json!({}))]).await?;
                Err(AppError::NotFound("tip"))
            }
        }
    }

    /// What the reporter sees with their tracking code.
    pub async fn tip_status(&self, code: &str, address: &str) -> Result<TipStatusView, AppError> {
        let t = self.tip_by_code(code, address).await?;
        self.store.audit(&[system_audit(self.now_ms(), "tip.status", &t.id, "ok", json!({}))]).await?;
        let (vi, en) = public_status(t.status);
        Ok(TipStatusView {
            status: t.status.as_str().into(),
            status_vi: vi.into(),
            status_en: en.into(),
            received_at: t.created_at,
            updated_at: t.updated_at,
            follow_ups: t.messages.into_iter().filter(|m| m.from_reporter).map(|m| m.body).collect(),
        })
    }

    /// The reporter adds information (text, files) through the tracking code.
    pub async fn tip_follow_up(&self, input: TipFollowUpInput, address: &str) -> Result<TipStatusView, AppError> {
        let t = self.tip_by_code(&input.tracking_code, address).await?;
        let body = input.body.trim();
        if body.chars().count() > MAX_TIP_CHARS || (body.is_empty() && input.files.is_empty()) {
            return Err(Invalid::new("body", format!("add text (at most {MAX_TIP_CHARS} characters) or files")).into());
        }
        if input.files.len() > MAX_TIP_FILES {
            return Err(Invalid::new("files", format!("at most {MAX_TIP_FILES} files")).into());
        }
        if t.status == TipStatus::Closed {
            return Err(Invalid::new("tracking_code", "this tip has been dealt with; send a new tip instead").into());
        }
        let now = self.now_ms();
        let files = self.store_tip_files(Self::decode_files(&input.files)?, now).await?;
        let message = TipMessage { seq: 0, at: now, from_reporter: true, author_user_id: None, body: body.to_string() };
        let audit = system_audit(now, "tip.follow_up", &t.id, "ok", json!({ "files": files.len() }));
        self.store.add_tip_message(&t.id, &message, &files, &[audit]).await.map_err(|e| match e {
            StoreError::Stale => Invalid::new("tracking_code", "this tip has been dealt with; send a new tip instead").into(),
            other => AppError::from(other),
        })?;
        self.tip_status(&input.tracking_code, address).await
    }

    /// Whether the actor works tips for this unit.
    fn works_tips(actor: &Actor) -> Result<(), AppError> {
        actor.require_active()?;
        if !TIP_WORKERS.iter().any(|r| actor.user.roles.holds(*r)) {
            return Err(AppError::Forbidden("tips are worked by hotline operators, officers, analysts and heads"));
        }
        Ok(())
    }

    fn tip_view(actor: &Actor, t: Tip) -> TipView {
        let intake = t.intake_unit_id == actor.user.unit_id;
        let shown = intake || t.reporter_consent;
        let withheld = !shown && (t.reporter_name.is_some() || t.reporter_contact.is_some());
        TipView {
            id: t.id,
            channel: t.channel.as_str().into(),
            status: t.status.as_str().into(),
            outcome: t.outcome.map(|o| o.as_str().into()),
            body: t.body,
            province: t.province_code,
            place: t.place,
            violation_type: t.violation_type,
            commodity: t.commodity,
            ecommerce: t.ecommerce,
            reporter_name: t.reporter_name.filter(|_| shown),
            reporter_contact: t.reporter_contact.filter(|_| shown),
            reporter_withheld: withheld,
            intake_unit_id: t.intake_unit_id,
            assigned_unit_id: t.assigned_unit_id,
            case_id: t.case_id,
            duplicate_of: t.duplicate_of,
            created_at: t.created_at,
            updated_at: t.updated_at,
            messages: t
                .messages
                .into_iter()
                .map(|m| TipMessageView { at: m.at, from_reporter: m.from_reporter, author_user_id: m.author_user_id, body: m.body })
                .collect(),
            files: t
                .attachments
                .into_iter()
                .map(|a| TipFileView { sha256: a.sha256, filename: a.filename, media_type: a.media_type, size: a.size })
                .collect(),
            events: t.events.iter().map(event_view).collect(),
            possible_repeats: Vec::new(),
            suggested_unit_id: None,
            known_entities: Vec::new(),
        }
    }

    /// The tips the actor's unit took in or was routed, newest first; audited with the ids shown.
    pub async fn tips(&self, actor: &Actor, status: Option<&str>) -> Result<Vec<TipView>, AppError> {
        Self::works_tips(actor)?;
        let status = status.map(|s| TipStatus::parse(s).ok_or_else(|| Invalid::new("status", "received, routed or closed"))).transpose()?;
        let tips = self.store.tips_for_unit(&actor.user.unit_id, status, 500).await?;
        let ids: Vec<&str> = tips.iter().map(|t| t.id.as_str()).collect();
        self.store.audit(&[actor.audit(self.now_ms(), "tip.list", "tip", "*", "ok", json!({ "ids": ids }))]).await?;
        Ok(tips.into_iter().map(|t| Self::tip_view(actor, t)).collect())
    }

    async fn tip_for(&self, actor: &Actor, id: &str) -> Result<Tip, AppError> {
        Self::works_tips(actor)?;
        let now = self.now_ms();
        match self.store.tip(id).await? {
            Some(t) if t.intake_unit_id == actor.user.unit_id || t.assigned_unit_id.as_deref() == Some(actor.user.unit_id.as_str()) => {
                Ok(t)
            }
            _ => {
                self.store.audit(&[actor.audit(now, "tip.read", "tip", id, "denied", json!({}))]).await?;
                Err(AppError::NotFound("tip"))
            }
        }
    }

    /// A tip the actor's unit took in or was routed (404 otherwise), with possible repeats and,
    /// while untriaged, the unit the routing rule proposes; audited.
    pub async fn tip(&self, actor: &Actor, id: &str) -> Result<TipView, AppError> {
        let t = self.tip_for(actor, id).await?;
        let now = self.now_ms();
        self.store.audit(&[actor.audit(now, "tip.read", "tip", id, "ok", json!({}))]).await?;
        let repeats = self.repeats_of(&t, now).await?;
        let suggested = match (t.status, t.violation_type.as_deref().and_then(CaseType::parse)) {
            (TipStatus::Received, Some(v)) => self.route_for(v, t.ecommerce, t.province_code.as_deref()).await?,
            _ => None,
        };
        let known = self.entities_in_tip(actor, &t.body).await?;
        let mut view = Self::tip_view(actor, t);
        view.possible_repeats = repeats;
        view.suggested_unit_id = suggested;
        view.known_entities = known;
        Ok(view)
    }

    /// Entities on record with a phone number the text mentions. One the actor may see is
    /// named; one they may not says only which agency holds it, so they can ask.
    async fn entities_in_tip(&self, actor: &Actor, text: &str) -> Result<Vec<TipEntityMatch>, AppError> {
        let mut out = Vec::new();
        for phone in phones_in(text) {
            // Parties keep phones as typed: national, or international with or without the plus.
            let national = phone.trim_start_matches('0');
            let spellings = [format!("phone={phone}"), format!("phone=+84{national}"), format!("phone=84{national}")];
            for (entity_id, held_by) in self.store.entities_with_identifiers(&spellings).await? {
                let reason = format!("phone {phone}");
                match self.entity(actor, &entity_id).await {
                    Ok(e) => out.push(TipEntityMatch { entity_id: Some(e.id), name: Some(e.name), held_by, reason }),
                    Err(AppError::NotFound(_)) => out.push(TipEntityMatch { entity_id: None, name: None, held_by, reason }),
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(out)
    }

    /// Earlier tips sharing a phone number, or most of their words, with this one.
    async fn repeats_of(&self, t: &Tip, now: i64) -> Result<Vec<TipRepeat>, AppError> {
        let mine = words(&t.body);
        let my_phones = phones_in(&t.body);
        let mut out = Vec::new();
        for other in self.store.tips_since(now - REPEAT_WINDOW_MS, 5_000).await? {
            // Only earlier tips (ties broken by id) repeat this one, so of two only the later is flagged.
            if (other.created_at, other.id.as_str()) >= (t.created_at, t.id.as_str()) {
                continue;
            }
            let shared: Vec<String> = phones_in(&other.body).intersection(&my_phones).cloned().collect();
            let similarity = jaccard(&mine, &words(&other.body));
            let reason = if let Some(p) = shared.first() {
                format!("the same phone number {p}")
            } else if similarity >= 0.5 {
                format!("{:.0}% of the words in common", similarity * 100.0)
            } else {
                continue;
            };
            out.push(TipRepeat { tip_id: other.id, created_at: other.created_at, reason });
            if out.len() >= 10 {
                break;
            }
        }
        Ok(out)
    }

    /// The unit responsible for a tip: of the agency kind that acts on its violation, the
    /// province's own unit (the topmost of that agency in the province), else that agency's
    /// head office.
    async fn route_for(&self, violation: CaseType, ecommerce: bool, province: Option<&str>) -> Result<Option<String>, AppError> {
        let kind = responsible_agency_kind(violation, ecommerce);
        let mut fallback = None;
        for agency in self.store.agencies().await?.into_iter().filter(|a| a.kind == kind) {
            let units = self.store.units(Some(&agency.id)).await?;
            if let Some(p) = province {
                let local: Vec<_> = units.iter().filter(|u| u.province_code.as_deref() == Some(p)).collect();
                let top = local.iter().find(|u| u.parent_id.as_ref().is_none_or(|parent| !local.iter().any(|l| &l.id == parent)));
                if let Some(u) = top {
                    return Ok(Some(u.id.clone()));
                }
            }
            if fallback.is_none() {
                fallback = units.iter().find(|u| u.parent_id.is_none() && u.province_code.is_none()).map(|u| u.id.clone());
            }
        }
        Ok(fallback)
    }

    /// The intake unit categorises a tip and routes it: to the unit named, or the one the rule proposes.
    pub async fn triage_tip(&self, actor: &Actor, id: &str, input: TipTriageInput) -> Result<TipView, AppError> {
        let t = self.tip_for(actor, id).await?;
        if t.intake_unit_id != actor.user.unit_id {
            return Err(AppError::Forbidden("the intake unit triages its tips"));
        }
        let violation = CaseType::parse(input.violation_type.trim()).ok_or_else(|| Invalid::new("violation_type", "a case type"))?;
        let commodity = match input.commodity.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) if reference().commodity(c).is_some() => Some(c.to_string()),
            Some(c) => return Err(Invalid::new("commodity", format!("unknown commodity {c:?}")).into()),
            None => None,
        };
        let province = match input.province.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            Some(p) => Some(match reference().province(p) {
                Some(province) => province.code.to_string(),
                None => {
                    self.store.resolve_province_alias(p).await?.ok_or_else(|| Invalid::new("province", format!("no province {p:?}")))?
                }
            }),
            None => t.province_code.clone(),
        };
        let unit = match input.unit_id.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            Some(u) => {
                self.store.unit(u).await?.ok_or_else(|| Invalid::new("unit_id", format!("no unit {u:?}")))?;
                u.to_string()
            }
            None => self
                .route_for(violation, input.ecommerce, province.as_deref())
                .await?
                .ok_or_else(|| Invalid::new("unit_id", "no unit covers this; name one"))?,
        };
        let now = self.now_ms();
        let change = TipChange {
            from: vec![TipStatus::Received, TipStatus::Routed],
            status: TipStatus::Routed,
            outcome: None,
            province_code: province,
            violation_type: Some(violation.as_str().into()),
            commodity,
            ecommerce: input.ecommerce,
            assigned_unit_id: Some(unit.clone()),
            case_id: None,
            duplicate_of: None,
        };
        let audit = actor.audit(now, "tip.route", "tip", id, "ok", json!({ "unit": unit }));
        self.store.change_tip(id, &change, (&actor.user.id, now), ("routed", &unit), &[audit]).await.map_err(|e| match e {
            StoreError::Stale => Invalid::new("status", "this tip is closed").into(),
            other => AppError::from(other),
        })?;
        self.tip(actor, id).await
    }

    /// The intake or assigned unit closes a tip: a case opened or linked (one the closer may
    /// see), nothing to act on, or a repeat of an earlier tip.
    pub async fn close_tip(&self, actor: &Actor, id: &str, input: TipCloseInput) -> Result<TipView, AppError> {
        let t = self.tip_for(actor, id).await?;
        let outcome =
            TipOutcome::parse(input.outcome.trim()).ok_or_else(|| Invalid::new("outcome", "case_linked, no_action or duplicate"))?;
        let reason = input.reason.trim();
        if reason.chars().count() > 2_000 {
            return Err(Invalid::new("reason", "at most 2 000 characters").into());
        }
        let (mut case_id, mut duplicate_of) = (None, None);
        match outcome {
            TipOutcome::CaseLinked => {
                let c = input
                    .case_id
                    .as_deref()
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .ok_or_else(|| Invalid::new("case_id", "which case"))?;
                self.case(actor, c).await.map_err(|e| match e {
                    AppError::NotFound(_) => Invalid::new("case_id", "no such case among those you may see").into(),
                    other => other,
                })?;
                case_id = Some(c.to_string());
            }
            TipOutcome::Duplicate => {
                let d = input
                    .duplicate_of
                    .as_deref()
                    .map(str::trim)
                    .filter(|d| !d.is_empty())
                    .ok_or_else(|| Invalid::new("duplicate_of", "which tip"))?;
                if d == id || self.tip_for(actor, d).await.is_err() {
                    return Err(Invalid::new("duplicate_of", "an earlier tip of your unit").into());
                }
                duplicate_of = Some(d.to_string());
            }
            TipOutcome::NoAction => {
                if reason.is_empty() {
                    return Err(Invalid::new("reason", "say why nothing is to be done").into());
                }
            }
        }
        let now = self.now_ms();
        let change = TipChange {
            from: vec![TipStatus::Received, TipStatus::Routed],
            status: TipStatus::Closed,
            outcome: Some(outcome),
            province_code: t.province_code.clone(),
            violation_type: t.violation_type.clone(),
            commodity: t.commodity.clone(),
            ecommerce: t.ecommerce,
            assigned_unit_id: t.assigned_unit_id.clone(),
            case_id,
            duplicate_of,
        };
        let audit = actor.audit(now, "tip.close", "tip", id, "ok", json!({ "outcome": outcome.as_str() }));
        let detail = if reason.is_empty() { outcome.as_str().to_string() } else { format!("{}: {reason}", outcome.as_str()) };
        self.store.change_tip(id, &change, (&actor.user.id, now), ("closed", &detail), &[audit]).await.map_err(|e| match e {
            StoreError::Stale => Invalid::new("status", "this tip is already closed").into(),
            other => AppError::from(other),
        })?;
        self.tip(actor, id).await
    }

    /// Earlier cases of the same kind in the same province the actor may see, for triage.
    pub async fn cases_like_tip(&self, actor: &Actor, id: &str) -> Result<Vec<crate::CaseView>, AppError> {
        let t = self.tip_for(actor, id).await?;
        if t.province_code.is_none() && t.violation_type.is_none() {
            return Ok(Vec::new());
        }
        let q = CaseQuery {
            province: t.province_code,
            case_type: t.violation_type,
            since: Some(self.now_ms() - REPEAT_WINDOW_MS),
            limit: Some(5),
            ..CaseQuery::default()
        };
        Ok(self.cases(actor, q).await?.items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_found_however_written() {
        let p = phones_in("Gọi 0912.345.678, giá 1500000 đồng, hoặc +84 912 345 678");
        assert_eq!(p.into_iter().collect::<Vec<_>>(), vec!["0912345678".to_string()]);
        assert!(phones_in("không có số").is_empty());
    }

    #[test]
    fn reports_of_the_same_thing_share_most_words() {
        let a = words("Xe tải biển 29C-123.45 chở thuốc lá lậu qua cửa khẩu Tân Thanh đêm qua");
        let b = words("xe tai bien so 29C-123.45 cho thuoc la lau qua cua khau Tan Thanh dem qua");
        let c = words("Cửa hàng bán mỹ phẩm giả ở chợ Bến Thành");
        assert!(jaccard(&a, &b) >= 0.5, "{}", jaccard(&a, &b));
        assert!(jaccard(&a, &c) < 0.2);
    }

    #[test]
    fn challenges_are_single_use_signed_and_fresh() {
        let desk = TipDesk::default();
        let c = desk.issue(1_000_000);
        assert!(desk.redeem(&c, 1_000_000 + FORM_MIN_AGE_MS, FORM_MIN_AGE_MS).is_ok());
        assert!(desk.redeem(&c, 1_000_000 + FORM_MIN_AGE_MS, 0).is_err(), "used once");
        let c = desk.issue(1_000_000);
        assert!(desk.redeem(&c, 1_000_500, FORM_MIN_AGE_MS).is_err(), "too fast for a person");
        assert!(desk.redeem(&c, 1_000_000 + CHALLENGE_TTL_MS + 1, 0).is_err(), "expired");
        let forged = c.replace('.', "0.");
        assert!(desk.redeem(&forged, 1_000_100, 0).is_err());
        assert!(TipDesk::default().redeem(&desk.issue(5), 6, 0).is_err(), "another server's secret");
    }

    #[test]
    fn addresses_are_limited_per_window() {
        let desk = TipDesk::default();
        for _ in 0..3 {
            desk.count("a", 3, 1, 0).unwrap();
        }
        assert!(matches!(desk.count("a", 3, 1, 10), Err(AppError::RateLimited(_))));
        assert!(desk.count("b", 3, 1, 10).is_ok());
        assert!(desk.count("a", 3, 1, RATE_WINDOW_MS + 1).is_ok());
    }
}
