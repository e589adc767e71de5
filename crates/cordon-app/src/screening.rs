//! Screening listings into leads: each agency's versioned rule sets (saved, checked, one active,
//! swapped without a restart), bulk screening of crawled listings, the analysts' lead queue with
//! decisions, per-rule precision from those decisions, and seller clusters across platforms.
//!
//! The rules an agency screens with are its analysts' text plus watchlists its own work feeds:
//! the sellers, phones, accounts and images of leads it confirmed, and the phones, accounts and
//! seller accounts on its cases that are not kept to one unit.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use cordon_core::lead::LeadStatus;
use cordon_core::{Invalid, Role, RoleSet};
use cordon_screen::{
    normalise_bank_account, normalise_image_hash, normalise_phone, normalise_seller, CompiledRuleSet, Decision, Field, Hit, HitKind,
    Listing, PrecisionTracker, RuleSet, RuleSetError, Scratch, Screening,
};
use cordon_store::{Lead, LeadDecision, LeadListing, ScreenedListing, StoredRuleSet};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::ids::new_id;
use crate::{Actor, App, AppError, CaseInput, GoodsInput, PartyInput, SharingInput};

/// How long a compiled rule set serves before the watchlist feed is read again.
const FEED_TTL_MS: i64 = 60_000;

/// Most listings one bulk request may carry.
pub const MAX_LISTINGS_PER_BATCH: usize = 100_000;

/// Who screens and works leads.
const SCREENERS: &[Role] = &[Role::Analyst];

/// A problem on one line of a rule file or a listings file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineProblem {
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

/// A saved version of the agency's rules.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleSetView {
    /// 1, 2, 3… in the order saved.
    pub version: i64,
    /// The `version =` label in the file.
    pub label: String,
    /// Digest of the exact text, hex.
    pub digest: String,
    /// Whether the agency screens with it now.
    pub active: bool,
    /// Who saved it.
    pub created_by: String,
    /// When, ms.
    pub created_at: i64,
    /// The rule file (single reads only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

impl RuleSetView {
    fn of(r: StoredRuleSet, active: Option<i64>, with_body: bool) -> Self {
        RuleSetView {
            version: r.version,
            label: r.label,
            digest: r.digest,
            active: active == Some(r.version),
            created_by: r.created_by,
            created_at: r.created_at,
            body: with_body.then_some(r.body),
        }
    }
}

/// A rule file as an analyst submits it.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RuleSetInput {
    /// The rule file's text.
    pub body: String,
    /// Screen with it from now on (default); false saves it for later.
    #[serde(default = "yes")]
    pub activate: bool,
}

fn yes() -> bool {
    true
}

/// A listing as Cordon keeps it under a lead.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListingView {
    /// Platform.
    pub platform: String,
    /// The platform's listing id.
    pub listing_id: String,
    /// Link.
    pub url: Option<String>,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Price.
    pub price: Option<f64>,
    /// Currency (VND when absent).
    pub currency: Option<String>,
    /// Category.
    pub category: Option<String>,
    /// Quantity.
    pub quantity: Option<u64>,
    /// Seller id.
    pub seller_id: Option<String>,
    /// Seller name.
    pub seller_name: Option<String>,
    /// Phones as written.
    pub phones: Vec<String>,
    /// Bank accounts as written.
    pub bank_accounts: Vec<String>,
    /// Address.
    pub address: Option<String>,
    /// Ships from.
    pub ship_from: Option<String>,
    /// Image hashes.
    pub image_hashes: Vec<String>,
    /// Posted, as the platform gave it.
    pub posted_at: Option<String>,
}

impl From<&Listing> for ListingView {
    fn from(l: &Listing) -> Self {
        ListingView {
            platform: l.platform.clone(),
            listing_id: l.listing_id.clone(),
            url: l.url.clone(),
            title: l.title.clone(),
            description: l.description.clone(),
            price: l.price,
            currency: l.currency.clone(),
            category: l.category.clone(),
            quantity: l.quantity,
            seller_id: l.seller_id.clone(),
            seller_name: l.seller_name.clone(),
            phones: l.phones.clone(),
            bank_accounts: l.bank_accounts.clone(),
            address: l.address.clone(),
            ship_from: l.ship_from.clone(),
            image_hashes: l.image_hashes.clone(),
            posted_at: l.posted_at.clone(),
        }
    }
}

/// Where a hit was found: a byte range of the original title or description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SpanView {
    /// `title` or `description`.
    pub field: String,
    /// Start byte.
    pub start: usize,
    /// End byte (exclusive).
    pub end: usize,
}

/// One rule that fired, why, and where.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HitView {
    /// Rule id.
    pub rule: String,
    /// `term:prohibited`, `brand`, `price_anomaly`, `watchlist:phone`, `image_hash`…
    pub kind: String,
    /// The rule's weight.
    pub weight: f64,
    /// The entry that fired.
    pub entry: String,
    /// One sentence an analyst can read.
    pub reason: String,
    /// Where, for highlighting.
    pub spans: Vec<SpanView>,
}

fn kind_code(kind: HitKind) -> String {
    match kind {
        HitKind::Term(class) => format!("term:{}", class.as_str()),
        HitKind::Brand => "brand".into(),
        HitKind::PriceAnomaly => "price_anomaly".into(),
        HitKind::Watchlist(list) => format!("watchlist:{}", list.as_str()),
        HitKind::ImageHash => "image_hash".into(),
    }
}

impl From<&Hit> for HitView {
    fn from(h: &Hit) -> Self {
        HitView {
            rule: h.rule.to_string(),
            kind: kind_code(h.kind),
            weight: h.weight,
            entry: h.entry.clone(),
            reason: h.reason.clone(),
            spans: h
                .spans
                .iter()
                .map(|s| SpanView {
                    field: match s.field {
                        Field::Title => "title".into(),
                        Field::Description => "description".into(),
                    },
                    start: s.range.start,
                    end: s.range.end,
                })
                .collect(),
        }
    }
}

/// One listing under a lead, with its hits.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeadListingView {
    /// The listing.
    pub listing: ListingView,
    /// Its score.
    pub score: f64,
    /// What fired.
    pub hits: Vec<HitView>,
    /// The rule-set version that screened it last.
    pub rule_set_version: i64,
    /// First seen, ms.
    pub first_seen: i64,
    /// Last seen, ms.
    pub last_seen: i64,
    /// How often it was received.
    pub times_seen: i64,
}

/// A lead in the analysts' queue.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeadView {
    /// Id.
    pub id: String,
    /// Platform.
    pub platform: String,
    /// Seller id.
    pub seller_id: Option<String>,
    /// Seller name.
    pub seller_name: Option<String>,
    /// `open`, `confirmed`, `dismissed`, `false_positive`.
    pub status: String,
    /// Best score among its listings.
    pub score: f64,
    /// How many listings.
    pub listing_count: i64,
    /// Opened, ms.
    pub created_at: i64,
    /// Last changed, ms.
    pub updated_at: i64,
    /// Who decided.
    pub decided_by: Option<String>,
    /// When, ms.
    pub decided_at: Option<i64>,
    /// Why.
    pub reason: Option<String>,
    /// The case opened or linked.
    pub case_id: Option<String>,
    /// Its listings, best first (single reads only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub listings: Vec<LeadListingView>,
}

impl From<Lead> for LeadView {
    fn from(l: Lead) -> Self {
        LeadView {
            id: l.id,
            platform: l.platform,
            seller_id: l.seller_id,
            seller_name: l.seller_name,
            status: l.status.as_str().into(),
            score: l.score,
            listing_count: l.listing_count,
            created_at: l.created_at,
            updated_at: l.updated_at,
            decided_by: l.decided_by,
            decided_at: l.decided_at,
            reason: l.reason,
            case_id: l.case_id,
            listings: Vec::new(),
        }
    }
}

fn listing_view(l: LeadListing) -> Result<LeadListingView, AppError> {
    let corrupt = |e: serde_json::Error| AppError::Store(cordon_store::StoreError::Corrupt(format!("lead listing: {e}")));
    Ok(LeadListingView {
        listing: serde_json::from_str(&l.listing).map_err(corrupt)?,
        hits: serde_json::from_str(&l.hits).map_err(corrupt)?,
        score: l.score,
        rule_set_version: l.rule_set_version,
        first_seen: l.first_seen,
        last_seen: l.last_seen,
        times_seen: l.times_seen,
    })
}

/// What a bulk screening did.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScreenReport {
    /// The rule-set version used.
    pub rule_set_version: i64,
    /// Listings screened.
    pub screened: usize,
    /// Listings with at least one hit.
    pub with_hits: usize,
    /// Listings that scored as leads.
    pub leads: usize,
    /// New leads opened.
    pub leads_opened: u64,
    /// Listings added to a seller's open lead.
    pub joined_open_lead: u64,
    /// Lead listings received before (counted, not filed again).
    pub seen_before: u64,
    /// Lines skipped, with why.
    pub skipped: Vec<LineProblem>,
}

/// An analyst's decision on a lead.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LeadDecisionInput {
    /// `confirmed`, `dismissed` or `false_positive`.
    pub decision: String,
    /// Why; required to dismiss or mark a false positive.
    #[serde(default)]
    pub reason: String,
    /// Confirm into this case (one the analyst may see).
    #[serde(default)]
    pub case_id: Option<String>,
    /// Confirm by opening a new e-commerce case from the lead (needs the right to record cases).
    #[serde(default)]
    pub open_case: bool,
}

/// Decisions on leads per rule, and the precision they give it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RulePrecisionView {
    /// Rule id.
    pub rule: String,
    /// Leads confirmed on which it fired.
    pub confirmed: u64,
    /// Leads dismissed.
    pub dismissed: u64,
    /// Leads found to be false positives.
    pub false_positives: u64,
    /// confirmed / (confirmed + false positives); none before a decisive decision.
    pub precision: Option<f64>,
}

/// Leads tied together by what their sellers share, across platforms.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SellerClusterView {
    /// The leads, the one asked for first.
    pub leads: Vec<LeadView>,
    /// What ties them: each shared value and the leads that carry it.
    pub shared: Vec<SharedIdentifier>,
}

/// One value several leads' sellers share.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SharedIdentifier {
    /// `phone`, `bank`, `image`, `address`, `seller`.
    pub kind: String,
    /// The normalised value.
    pub value: String,
    /// The leads that carry it.
    pub lead_ids: Vec<String>,
}

/// An agency's compiled rules, with when they were built (the feed is re-read after a while).
struct Compiled {
    version: i64,
    rules: Arc<CompiledRuleSet>,
    built_at: i64,
}

/// Compiled rule sets per agency, swapped whole: a screening holds its `Arc` to the end.
#[derive(Default)]
pub(crate) struct RuleCache {
    by_agency: Mutex<HashMap<String, Arc<Compiled>>>,
}

impl RuleCache {
    fn get(&self, agency: &str, now: i64) -> Option<Arc<Compiled>> {
        let map = self.by_agency.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.get(agency).filter(|c| now - c.built_at < FEED_TTL_MS).cloned()
    }

    fn put(&self, agency: &str, c: Arc<Compiled>) {
        self.by_agency.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(agency.to_string(), c);
    }

    fn forget(&self, agency: &str) {
        self.by_agency.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(agency);
    }
}

fn rule_problems(e: RuleSetError) -> Vec<LineProblem> {
    match e {
        RuleSetError::Invalid(errors) => errors.into_iter().map(|e| LineProblem { line: e.line, reason: e.reason }).collect(),
        RuleSetError::Build(reason) => vec![LineProblem { line: 0, reason: format!("the rules could not be compiled: {reason}") }],
    }
}

/// The analyst's text followed by the watchlists the agency's own work feeds.
fn with_feed(body: &str, feed: &[(String, String)]) -> String {
    let mut text = body.to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    for (kind, header) in [
        ("seller", "[watchlist seller id=watchlist:seller:known weight=0.9]"),
        ("phone", "[watchlist phone id=watchlist:phone:known weight=0.9]"),
        ("bank", "[watchlist bank id=watchlist:bank:known weight=0.9]"),
        ("image", "[image-hash id=image-hash:known weight=0.9]"),
    ] {
        let values: Vec<&str> = feed.iter().filter(|(k, _)| k == kind).map(|(_, v)| v.as_str()).collect();
        if values.is_empty() {
            continue;
        }
        text.push_str("# Fed by Cordon from confirmed leads and cases.\n");
        text.push_str(header);
        text.push('\n');
        for v in values {
            // One entry per line, and '|' separates spellings: a value carrying either is not ours to write.
            if !v.contains(['\n', '|', '#']) {
                text.push_str(v);
                text.push('\n');
            }
        }
    }
    text
}

/// Who a lead is about: the platform's seller, or the listing itself when it names none.
fn seller_key(l: &Listing) -> String {
    let platform = l.platform.trim().to_lowercase();
    match l.seller_id.as_deref().and_then(normalise_seller) {
        Some(seller) => format!("{platform}:{seller}"),
        None => format!("listing:{platform}:{}", l.listing_id.trim()),
    }
}

/// The values that tie a seller to others: seller account, phones, accounts, images, address.
fn identifiers(l: &Listing) -> Vec<(String, String)> {
    let mut out: BTreeSet<(String, String)> = BTreeSet::new();
    if let Some(seller) = l.seller_id.as_deref().and_then(normalise_seller) {
        out.insert(("seller".into(), format!("{}:{seller}", l.platform.trim().to_lowercase())));
    }
    out.extend(l.phones.iter().filter_map(|p| normalise_phone(p)).map(|p| ("phone".into(), p)));
    out.extend(l.bank_accounts.iter().filter_map(|a| normalise_bank_account(a)).map(|a| ("bank".into(), a)));
    out.extend(l.image_hashes.iter().filter_map(|h| normalise_image_hash(h)).map(|h| ("image".into(), h)));
    if let Some(address) = l.address.as_deref() {
        let folded = cordon_core::text::fold(address).split_whitespace().collect::<Vec<_>>().join(" ");
        // A bare province or "Hà Nội" ties everyone together; only a street-level address is a tie.
        if folded.len() >= 16 {
            out.insert(("address".into(), folded));
        }
    }
    out.into_iter().collect()
}

impl App {
    fn require_screener(actor: &Actor) -> Result<(), AppError> {
        actor.require_active()?;
        if !SCREENERS.iter().any(|r| actor.user.roles.holds(*r)) {
            return Err(AppError::Forbidden("only analysts screen listings and work leads"));
        }
        Ok(())
    }

    /// Checks a rule file without saving it: its problems, each with its line (empty when valid).
    pub fn check_rule_set(&self, actor: &Actor, body: &str) -> Result<Vec<LineProblem>, AppError> {
        Self::require_screener(actor)?;
        Ok(match RuleSet::parse(body).and_then(|set| CompiledRuleSet::compile(&set)) {
            Ok(_) => Vec::new(),
            Err(e) => rule_problems(e),
        })
    }

    /// Saves a new version of the agency's rules, checked and compiled first; with `activate`
    /// the agency screens with it from the next request on, no restart. A refused file comes
    /// back as its problems, and nothing is saved.
    pub async fn save_rule_set(&self, actor: &Actor, input: RuleSetInput) -> Result<Result<RuleSetView, Vec<LineProblem>>, AppError> {
        Self::require_screener(actor)?;
        if input.body.len() > 16 << 20 {
            return Err(Invalid::new("body", "a rule file of at most 16 MiB").into());
        }
        let body = input.body.clone();
        let checked =
            tokio::task::spawn_blocking(move || RuleSet::parse(&body).and_then(|set| CompiledRuleSet::compile(&set).map(|_| set)))
                .await
                .map_err(|e| AppError::Store(cordon_store::StoreError::Corrupt(format!("rule compilation stopped: {e}"))))?;
        let set = match checked {
            Ok(set) => set,
            Err(e) => return Ok(Err(rule_problems(e))),
        };
        let now = self.now_ms();
        let digest = format!("{:016x}", set.version.digest);
        let audit = actor.audit(
            now,
            "rules.save",
            "rule_set",
            &actor.agency_id,
            "ok",
            json!({ "label": set.version.label, "activate": input.activate }),
        );
        let version = self
            .store
            .insert_rule_set(&actor.agency_id, (&set.version.label, &digest, &input.body), (&actor.user.id, now), input.activate, &[audit])
            .await?;
        if input.activate {
            self.rules.forget(&actor.agency_id);
        }
        let active = if input.activate { Some(version) } else { self.store.rule_sets(&actor.agency_id).await?.1 };
        Ok(Ok(RuleSetView {
            version,
            label: set.version.label,
            digest,
            active: active == Some(version),
            created_by: actor.user.id.clone(),
            created_at: now,
            body: None,
        }))
    }

    /// Makes a saved version the one the agency screens with (a roll-back is this too).
    pub async fn activate_rule_set(&self, actor: &Actor, version: i64) -> Result<RuleSetView, AppError> {
        Self::require_screener(actor)?;
        let now = self.now_ms();
        let Some(stored) = self.store.rule_set(&actor.agency_id, version).await? else {
            return Err(AppError::NotFound("rule set version"));
        };
        let audit = actor.audit(now, "rules.activate", "rule_set", &actor.agency_id, "ok", json!({ "version": version }));
        self.store.activate_rule_set(&actor.agency_id, version, (&actor.user.id, now), &[audit]).await?;
        self.rules.forget(&actor.agency_id);
        Ok(RuleSetView::of(stored, Some(version), false))
    }

    /// The agency's saved versions, newest first.
    pub async fn rule_sets(&self, actor: &Actor) -> Result<Vec<RuleSetView>, AppError> {
        Self::require_screener(actor)?;
        let (sets, active) = self.store.rule_sets(&actor.agency_id).await?;
        Ok(sets.into_iter().map(|s| RuleSetView::of(s, active, false)).collect())
    }

    /// One saved version with its text.
    pub async fn rule_set(&self, actor: &Actor, version: i64) -> Result<RuleSetView, AppError> {
        Self::require_screener(actor)?;
        let (_, active) = self.store.rule_sets(&actor.agency_id).await?;
        match self.store.rule_set(&actor.agency_id, version).await? {
            Some(s) => Ok(RuleSetView::of(s, active, true)),
            None => Err(AppError::NotFound("rule set version")),
        }
    }

    /// The agency's active rules with today's watchlist feed, compiled (cached for a minute,
    /// dropped at once when the rules change or a lead is confirmed).
    async fn compiled_rules(&self, agency_id: &str) -> Result<Arc<Compiled>, AppError> {
        let now = self.now_ms();
        if let Some(c) = self.rules.get(agency_id, now) {
            return Ok(c);
        }
        let Some(stored) = self.store.active_rule_set(agency_id).await? else {
            return Err(Invalid::new("rules", "your agency has no active rule set; save one first").into());
        };
        let feed = self.store.watch_feed(agency_id).await?;
        let text = with_feed(&stored.body, &feed);
        let body = stored.body.clone();
        let rules = tokio::task::spawn_blocking(move || {
            // The feed's values were checked when stored, but if one still fails, screen with the analyst's rules alone.
            CompiledRuleSet::from_text(&text).or_else(|_| CompiledRuleSet::from_text(&body))
        })
        .await
        .map_err(|e| AppError::Store(cordon_store::StoreError::Corrupt(format!("rule compilation stopped: {e}"))))?
        .map_err(|e| {
            AppError::Store(cordon_store::StoreError::Corrupt(format!("stored rule set {} no longer compiles: {e}", stored.version)))
        })?;
        let compiled = Arc::new(Compiled { version: stored.version, rules, built_at: now });
        self.rules.put(agency_id, compiled.clone());
        Ok(compiled)
    }

    /// Screens a batch of listings with the agency's active rules and files those that score as
    /// leads (one open lead per seller; a listing seen before is counted, not filed again).
    /// `skipped` are the lines the caller could not read; they are reported back with the rest.
    pub async fn screen_listings(
        &self,
        actor: &Actor,
        listings: Vec<(usize, Listing)>,
        skipped: Vec<LineProblem>,
    ) -> Result<ScreenReport, AppError> {
        Self::require_screener(actor)?;
        if listings.len() > MAX_LISTINGS_PER_BATCH {
            return Err(Invalid::new("listings", format!("at most {MAX_LISTINGS_PER_BATCH} listings per request")).into());
        }
        let compiled = self.compiled_rules(&actor.agency_id).await?;
        let rules = compiled.rules.clone();
        let version = compiled.version;
        let screened = listings.len();
        let (hits, found) = tokio::task::spawn_blocking(move || {
            let mut scratch = Scratch::new();
            let mut with_hits = 0usize;
            let mut found: Vec<(Listing, Screening)> = Vec::new();
            for (_, listing) in listings {
                let s = rules.screen_with(&listing, &mut scratch);
                with_hits += usize::from(!s.hits.is_empty());
                if s.lead {
                    found.push((listing, s));
                }
            }
            (with_hits, found)
        })
        .await
        .map_err(|e| AppError::Store(cordon_store::StoreError::Corrupt(format!("screening stopped: {e}"))))?;
        let mut filed = Vec::with_capacity(found.len());
        for (listing, s) in &found {
            let hits: Vec<HitView> = s.hits.iter().map(HitView::from).collect();
            filed.push(ScreenedListing {
                platform: listing.platform.trim().to_lowercase(),
                listing_id: listing.listing_id.trim().to_string(),
                seller_key: seller_key(listing),
                seller_id: listing.seller_id.clone(),
                seller_name: listing.seller_name.clone(),
                listing: json!(ListingView::from(listing)).to_string(),
                hits: json!(hits).to_string(),
                score: s.score,
                rule_set_version: version,
                identifiers: identifiers(listing),
            });
        }
        let now = self.now_ms();
        let audit = actor.audit(
            now,
            "listings.screen",
            "rule_set",
            &actor.agency_id,
            "ok",
            json!({ "version": version, "screened": screened, "leads": found.len() }),
        );
        let (outcome, _) = self.store.file_screened(&actor.agency_id, &filed, now, &mut || new_id(now), &[audit]).await?;
        Ok(ScreenReport {
            rule_set_version: version,
            screened,
            with_hits: hits,
            leads: found.len(),
            leads_opened: outcome.leads_opened,
            joined_open_lead: outcome.joined_open_lead,
            seen_before: outcome.seen_before,
            skipped,
        })
    }

    /// The agency's leads in one status (open by default), best first; audited with the ids shown.
    pub async fn leads(&self, actor: &Actor, status: Option<&str>, limit: i64, offset: i64) -> Result<Vec<LeadView>, AppError> {
        Self::require_screener(actor)?;
        let status = match status {
            None => LeadStatus::Open,
            Some(s) => LeadStatus::parse(s).ok_or_else(|| Invalid::new("status", "open, confirmed, dismissed or false_positive"))?,
        };
        let leads = self.store.leads(&actor.agency_id, status, limit.clamp(1, 500), offset.max(0)).await?;
        let ids: Vec<&str> = leads.iter().map(|l| l.id.as_str()).collect();
        self.store.audit(&[actor.audit(self.now_ms(), "lead.list", "lead", "*", "ok", json!({ "ids": ids }))]).await?;
        Ok(leads.into_iter().map(LeadView::from).collect())
    }

    /// How many of the agency's leads stand in each status.
    pub async fn lead_counts(&self, actor: &Actor) -> Result<BTreeMap<String, i64>, AppError> {
        Self::require_screener(actor)?;
        let mut out: BTreeMap<String, i64> = LeadStatus::ALL.iter().map(|s| (s.as_str().to_string(), 0)).collect();
        for (status, n) in self.store.lead_counts(&actor.agency_id).await? {
            out.insert(status.as_str().into(), n);
        }
        Ok(out)
    }

    /// A lead of the actor's agency with its listings and hits (404 for any other); audited.
    pub async fn lead(&self, actor: &Actor, id: &str) -> Result<LeadView, AppError> {
        Self::require_screener(actor)?;
        let now = self.now_ms();
        match self.store.lead(id).await? {
            Some((lead, listings)) if lead.agency_id == actor.agency_id => {
                self.store.audit(&[actor.audit(now, "lead.read", "lead", id, "ok", json!({}))]).await?;
                let mut view = LeadView::from(lead);
                view.listings = listings.into_iter().map(listing_view).collect::<Result<_, _>>()?;
                Ok(view)
            }
            _ => {
                self.store.audit(&[actor.audit(now, "lead.read", "lead", id, "denied", json!({}))]).await?;
                Err(AppError::NotFound("lead"))
            }
        }
    }

    /// Records an analyst's decision on an open lead: confirmed (into a case the analyst may see,
    /// or a new one opened from the lead), dismissed with a reason, or a false positive with a
    /// reason. A confirmation feeds the seller's identifiers into the agency's watchlists.
    pub async fn decide_lead(&self, actor: &Actor, id: &str, input: LeadDecisionInput) -> Result<LeadView, AppError> {
        let lead = self.lead(actor, id).await?;
        let status = LeadStatus::parse(input.decision.trim())
            .filter(|s| s.is_decided())
            .ok_or_else(|| Invalid::new("decision", "confirmed, dismissed or false_positive"))?;
        if lead.status != LeadStatus::Open.as_str() {
            return Err(Invalid::new("decision", format!("the lead was already decided ({})", lead.status)).into());
        }
        let reason = input.reason.trim();
        if status.needs_reason() && reason.is_empty() {
            return Err(Invalid::new("reason", "say why the lead is dismissed or a false positive").into());
        }
        if reason.chars().count() > 2_000 {
            return Err(Invalid::new("reason", "at most 2 000 characters").into());
        }
        let case_id = match (status, input.case_id.as_deref().map(str::trim).filter(|c| !c.is_empty()), input.open_case) {
            (LeadStatus::Confirmed, Some(_), true) => {
                return Err(Invalid::new("case_id", "either link a case or open one, not both").into());
            }
            (LeadStatus::Confirmed, Some(case_id), false) => {
                // Linking to a case the analyst cannot see answers as if it did not exist.
                self.case(actor, case_id).await.map_err(|e| match e {
                    AppError::NotFound(_) => Invalid::new("case_id", "no such case among those you may see").into(),
                    other => other,
                })?;
                Some(case_id.to_string())
            }
            (LeadStatus::Confirmed, None, true) => Some(self.create_case(actor, case_from_lead(&lead, self.now_ms())).await?.id),
            (_, None, false) => None,
            (_, _, _) => return Err(Invalid::new("case_id", "only a confirmation links or opens a case").into()),
        };
        let now = self.now_ms();
        let decision = LeadDecision {
            status,
            by: actor.user.id.clone(),
            at: now,
            reason: Some(reason.to_string()).filter(|r| !r.is_empty()),
            case_id: case_id.clone(),
        };
        let audit = actor.audit(now, "lead.decide", "lead", id, "ok", json!({ "decision": status.as_str(), "case": case_id }));
        self.store.decide_lead(id, &decision, &[audit]).await?;
        if status == LeadStatus::Confirmed {
            self.rules.forget(&actor.agency_id);
        }
        self.lead(actor, id).await
    }

    /// Precision of each rule from the agency's decisions on leads.
    pub async fn rule_precision(&self, actor: &Actor) -> Result<Vec<RulePrecisionView>, AppError> {
        Self::require_screener(actor)?;
        let rows = self.store.decided_lead_hits(&actor.agency_id).await?;
        // One decision per lead and rule, however many of the lead's listings the rule fired on.
        let mut rules_of: BTreeMap<String, (LeadStatus, BTreeSet<String>)> = BTreeMap::new();
        for (status, lead_id, hits) in rows {
            let hits: Vec<HitView> =
                serde_json::from_str(&hits).map_err(|e| AppError::Store(cordon_store::StoreError::Corrupt(format!("lead hits: {e}"))))?;
            rules_of.entry(lead_id).or_insert_with(|| (status, BTreeSet::new())).1.extend(hits.into_iter().map(|h| h.rule));
        }
        let mut tracker = PrecisionTracker::new();
        for (status, rules) in rules_of.values() {
            let decision = match status {
                LeadStatus::Confirmed => Decision::Confirmed,
                LeadStatus::FalsePositive => Decision::FalsePositive,
                _ => Decision::Dismissed,
            };
            for rule in rules {
                tracker.record(rule, decision);
            }
        }
        Ok(tracker
            .report()
            .map(|(rule, t)| RulePrecisionView {
                rule: rule.to_string(),
                confirmed: t.confirmed,
                dismissed: t.dismissed,
                false_positives: t.false_positives,
                precision: t.precision(),
            })
            .collect())
    }

    /// The leads tied to this one through what their sellers share (phone, account, image,
    /// address, seller account), walked to the end, across platforms; within the agency.
    pub async fn seller_cluster(&self, actor: &Actor, id: &str) -> Result<SellerClusterView, AppError> {
        let first = self.lead(actor, id).await?;
        let mut members: BTreeSet<String> = BTreeSet::from([id.to_string()]);
        let mut frontier = vec![id.to_string()];
        let mut shared: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
        // A cluster bigger than this is a shared courier address or a marketplace's phone, not one trader.
        while !frontier.is_empty() && members.len() < 200 {
            let rows = self.store.shared_lead_identifiers(&actor.agency_id, &frontier).await?;
            frontier.clear();
            for (lead_id, kind, value) in rows {
                shared.entry((kind, value)).or_default().insert(lead_id.clone());
                if members.insert(lead_id.clone()) {
                    frontier.push(lead_id);
                }
            }
        }
        let mut leads = vec![LeadView { listings: Vec::new(), ..first }];
        for lead_id in members.iter().filter(|m| m.as_str() != id) {
            if let Some((lead, _)) = self.store.lead(lead_id).await? {
                leads.push(LeadView::from(lead));
            }
        }
        let ids: Vec<&str> = leads.iter().map(|l| l.id.as_str()).collect();
        self.store.audit(&[actor.audit(self.now_ms(), "lead.cluster", "lead", id, "ok", json!({ "ids": ids }))]).await?;
        Ok(SellerClusterView {
            leads,
            shared: shared
                .into_iter()
                .filter(|(_, ids)| ids.len() > 1)
                .map(|((kind, value), ids)| SharedIdentifier { kind, value, lead_ids: ids.into_iter().collect() })
                .collect(),
        })
    }
}

/// An e-commerce case drafted from a confirmed lead: the best listing's title, the seller's
/// account and phones as parties, kept to the agency until someone widens it.
fn case_from_lead(lead: &LeadView, now: i64) -> CaseInput {
    let best = lead.listings.first();
    let listing = best.map(|l| &l.listing);
    let counterfeit = best.is_some_and(|l| l.hits.iter().any(|h| h.kind == "brand"));
    let seller = lead.seller_name.clone().or_else(|| lead.seller_id.clone()).unwrap_or_else(|| "unknown seller".into());
    let title: String = format!("{seller} ({}): {}", lead.platform, listing.map_or("", |l| l.title.as_str())).chars().take(280).collect();
    let mut summary = format!("Opened from screening lead {} ({} listings, best score {:.2}).", lead.id, lead.listing_count, lead.score);
    for l in &lead.listings {
        summary.push_str(&format!("\n- {} {}: {}", l.listing.platform, l.listing.listing_id, l.listing.url.as_deref().unwrap_or("")));
        for h in &l.hits {
            summary.push_str(&format!("\n  · {}", h.reason));
        }
    }
    let mut parties = Vec::new();
    if let Some(seller_id) = &lead.seller_id {
        parties.push(PartyInput {
            kind: "seller_account".into(),
            name: seller.clone(),
            identifiers: BTreeMap::from([("seller".to_string(), format!("{}:{seller_id}", lead.platform))]),
            role: "seller".into(),
            sharing: None,
            entity_id: None,
        });
    }
    for phone in listing.map(|l| l.phones.as_slice()).unwrap_or_default().iter().filter_map(|p| normalise_phone(p)) {
        parties.push(PartyInput {
            kind: "phone".into(),
            name: phone.clone(),
            identifiers: BTreeMap::from([("phone".to_string(), phone)]),
            role: "seller".into(),
            sharing: None,
            entity_id: None,
        });
    }
    let goods = listing
        .map(|l| GoodsInput {
            description: l.title.chars().take(500).collect(),
            value_vnd: l.price.filter(|p| l.currency.as_deref().is_none_or(|c| c == "VND") && *p >= 0.0).map(|p| p.round() as i64),
            quantity: l.quantity.map(|q| q as f64),
            ..GoodsInput::default()
        })
        .into_iter()
        .collect();
    CaseInput {
        case_type: if counterfeit { "counterfeit".into() } else { "ecommerce".into() },
        title,
        summary,
        detected_at: now,
        seized_at: None,
        province: None,
        port: None,
        route: None,
        place_type: None,
        in_customs_area: None,
        latitude: None,
        longitude: None,
        lead_agency_id: None,
        lead_basis: None,
        detection_method: Some("online_monitoring".into()),
        concealment: None,
        transport_mode: None,
        conveyance: Default::default(),
        outcome: Default::default(),
        goods,
        parties,
        sharing: SharingInput { tlp: "amber_strict".into(), distribution: Vec::new(), handling: Vec::new() },
        external_ref: Some(format!("lead:{}", lead.id)),
    }
}
