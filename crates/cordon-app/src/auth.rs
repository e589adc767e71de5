//! Logging in and out, tokens, passwords, and the first administrator.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use cordon_core::account::validate_password;
use cordon_core::audit::AuditEntry;
use cordon_core::{AgencyKind, Language, Role, TokenKind, User};
use cordon_store::{NewAgency, NewUnit, NewUser, TokenRecord};
use serde_json::json;

use crate::ids::{new_id, new_token, one_time_password, token_hash};
use crate::{Actor, App, AppError};

/// A browser session ends after this long without use (the UI warns before).
pub const SESSION_IDLE_MS: i64 = 30 * 60 * 1000;
/// Default life of an API token.
const API_TOKEN_DAYS: i64 = 90;
const DAY_MS: i64 = 24 * 3600 * 1000;

/// A login attempt.
#[derive(Debug, Clone)]
pub struct Login {
    /// Login name.
    pub username: String,
    /// Password as typed.
    pub password: String,
    /// Client address, for rate limiting and the audit log.
    pub address: String,
    /// Session for a browser, API for a machine.
    pub kind: TokenKind,
}

/// A successful login.
#[derive(Debug, Clone)]
pub struct LoginOutcome {
    /// The secret to present (cookie or bearer); shown once, stored only as a hash.
    pub token: String,
    /// When it expires, ms.
    pub expires_at: i64,
    /// Who logged in.
    pub user: User,
}

// Hashing is deliberately slow; keep it off the async workers.
async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
    })
    .await
    .map_err(|_| AppError::Forbidden("password hashing was interrupted"))?
    .map_err(|_| AppError::Invalid(cordon_core::Invalid::new("password", "cannot be hashed")))
}

async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
    })
    .await
    .unwrap_or(false)
}

// Verifying against this when the user does not exist makes a wrong username cost
// the same time as a wrong password, so timing does not reveal which accounts exist.
async fn dummy_hash() -> String {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY.get_or_init(|| async { hash_password(crate::ids::new_token()).await.unwrap_or_default() }).await.clone()
}

fn anonymous_audit(at: i64, action: &str, username: &str, address: &str, outcome: &str, reason: &str) -> AuditEntry {
    AuditEntry {
        seq: 0,
        at,
        actor_user_id: None,
        actor_unit_id: None,
        action: action.into(),
        object_type: "account".into(),
        object_id: username.into(),
        outcome: outcome.into(),
        detail: json!({ "address": address, "reason": reason }).to_string(),
    }
}

impl App {
    /// Checks a username and password and issues a token. Failures are rate-limited
    /// per account and per address, and every attempt is audited.
    pub async fn login(&self, l: Login) -> Result<LoginOutcome, AppError> {
        let now = self.now_ms();
        if let Some(wait) = self.limiter.held(&l.username, &l.address, now) {
            self.store.audit(&[anonymous_audit(now, "auth.login", &l.username, &l.address, "denied", "rate limited")]).await?;
            return Err(AppError::RateLimited(wait));
        }
        let found = self.store.user_by_username(&l.username).await?;
        let hash = match &found {
            Some((_, h)) => h.clone(),
            None => dummy_hash().await,
        };
        let ok = verify_password(l.password.clone(), hash).await;
        let user = match found {
            Some((user, _)) if ok && !user.disabled => user,
            _ => {
                self.limiter.fail(&l.username, &l.address, now);
                self.store.audit(&[anonymous_audit(now, "auth.login", &l.username, &l.address, "denied", "bad credentials")]).await?;
                return Err(AppError::BadCredentials);
            }
        };
        self.limiter.succeed(&l.username);
        let expires_at = now + if l.kind == TokenKind::Session { SESSION_IDLE_MS } else { API_TOKEN_DAYS * DAY_MS };
        let token = new_token();
        let record = TokenRecord {
            token_hash: token_hash(&token),
            user_id: user.id.clone(),
            kind: l.kind,
            label: if l.kind == TokenKind::Session { "browser session".into() } else { "login".into() },
            created_at: now,
            expires_at,
            revoked_at: None,
        };
        let entry = AuditEntry {
            actor_user_id: Some(user.id.clone()),
            actor_unit_id: Some(user.unit_id.clone()),
            ..anonymous_audit(now, "auth.login", &l.username, &l.address, "ok", l.kind.as_str())
        };
        self.store.insert_token(&record, &[entry]).await?;
        Ok(LoginOutcome { token, expires_at, user })
    }

    /// Resolves a presented token to the actor it stands for; sessions slide forward on use.
    pub async fn authenticate(&self, token: &str) -> Result<Actor, AppError> {
        let now = self.now_ms();
        let hash = token_hash(token);
        // A session with less than this left is renewed, which only the database path does.
        let renew_before = SESSION_IDLE_MS * 3 / 4;
        if let Some(actor) = self.cache.actor(&hash, now, renew_before) {
            return Ok(actor);
        }
        let generation = self.cache.generation();
        let record = self.store.token(&hash).await?.ok_or(AppError::Unauthenticated)?;
        if record.revoked_at.is_some() || record.expires_at <= now {
            return Err(AppError::Unauthenticated);
        }
        let user = self.store.user(&record.user_id).await?.ok_or(AppError::Unauthenticated)?;
        if user.disabled {
            return Err(AppError::Unauthenticated);
        }
        // Renew only once a good part of the idle window is used, to keep reads from writing.
        let mut expires_at = record.expires_at;
        if record.kind == TokenKind::Session && record.expires_at - now < renew_before {
            expires_at = now + SESSION_IDLE_MS;
            self.store.extend_token(&hash, expires_at).await?;
        }
        let unit = self.store.unit(&user.unit_id).await?;
        let actor = Actor { agency_id: unit.map(|u| u.agency_id).unwrap_or_default(), user, token_hash: Some(hash.clone()) };
        self.cache.put_actor(generation, hash, &actor, record.kind, expires_at, now);
        Ok(actor)
    }

    /// Ends the session or revokes the token the actor presented.
    pub async fn logout(&self, actor: &Actor) -> Result<(), AppError> {
        let Some(hash) = &actor.token_hash else { return Ok(()) };
        let now = self.now_ms();
        let revoked =
            self.store.revoke_token(hash, now, &[actor.audit(now, "auth.logout", "account", &actor.user.username, "ok", json!({}))]).await;
        // Forget it whatever the outcome: a failed revoke must not leave it trusted meanwhile.
        self.cache.forget_token(hash);
        revoked?;
        Ok(())
    }

    /// Changes the actor's own password; every other session and token of theirs is revoked.
    pub async fn change_password(&self, actor: &Actor, current: &str, new: &str) -> Result<(), AppError> {
        let (_, hash) = self.store.user_by_username(&actor.user.username).await?.ok_or(AppError::Unauthenticated)?;
        if !verify_password(current.to_string(), hash).await {
            return Err(AppError::Invalid(cordon_core::Invalid::new("current_password", "is not the current password")));
        }
        validate_password(new, &actor.user.username)?;
        if new == current {
            return Err(AppError::Invalid(cordon_core::Invalid::new("new_password", "must differ from the current password")));
        }
        let now = self.now_ms();
        let hashed = hash_password(new.to_string()).await?;
        let entry = actor.audit(now, "user.password_change", "user", &actor.user.id, "ok", json!({}));
        let changed = self.store.set_password(&actor.user.id, &hashed, false, actor.token_hash.as_deref(), now, &[entry]).await;
        // Every other token of this user is now revoked, and this one's must-change flag is cleared.
        self.cache.forget_user(&actor.user.id);
        changed?;
        Ok(())
    }

    /// Issues an API token for `username` (administrators for anyone, others for themselves).
    pub async fn create_api_token(&self, actor: &Actor, username: &str, label: &str, days: Option<i64>) -> Result<LoginOutcome, AppError> {
        actor.require_active()?;
        if actor.user.username != username {
            actor.require_admin()?;
        }
        let days = days.unwrap_or(API_TOKEN_DAYS);
        if !(1..=366).contains(&days) {
            return Err(AppError::Invalid(cordon_core::Invalid::new("days", "from 1 to 366")));
        }
        let label = label.trim();
        if label.is_empty() || label.chars().count() > 100 {
            return Err(AppError::Invalid(cordon_core::Invalid::new("label", "1 to 100 characters")));
        }
        let (user, _) = self.store.user_by_username(username).await?.ok_or(AppError::NotFound("user"))?;
        let now = self.now_ms();
        let token = new_token();
        let record = TokenRecord {
            token_hash: token_hash(&token),
            user_id: user.id.clone(),
            kind: TokenKind::Api,
            label: label.to_string(),
            created_at: now,
            expires_at: now + days * DAY_MS,
            revoked_at: None,
        };
        let entry = actor.audit(now, "token.create", "user", &user.id, "ok", json!({ "label": label, "days": days }));
        self.store.insert_token(&record, &[entry]).await?;
        Ok(LoginOutcome { token, expires_at: record.expires_at, user })
    }

    /// On an empty store, creates the Steering Committee office, its national unit and an
    /// administrator with a one-time password, and returns that password (to print once).
    /// Returns `None` when the store already has users.
    pub async fn bootstrap(&self) -> Result<Option<String>, AppError> {
        if self.store.count_users().await? > 0 {
            return Ok(None);
        }
        self.ensure_standing_office().await?;
        let now = self.now_ms();
        let cli = Actor::cli();
        let password = one_time_password();
        let id = new_id(now);
        let user = NewUser {
            id: id.clone(),
            username: "admin".into(),
            display_name: "Administrator".into(),
            unit_id: "sco-389-national".into(),
            roles: vec![Role::Administrator],
            password_hash: hash_password(password.clone()).await?,
            must_change_password: true,
            language: Language::Vi,
        };
        self.store
            .insert_user(&user, now, &[cli.audit(now, "user.create", "user", &id, "ok", json!({ "username": "admin", "bootstrap": true }))])
            .await?;
        Ok(Some(password))
    }

    /// The actor for a user, without credentials: for the operator's own tools (demo
    /// data, imports run at the command line), never reachable over HTTP.
    pub async fn actor_for_operator(&self, username: &str) -> Result<Actor, AppError> {
        let (user, _) = self.store.user_by_username(username).await?.ok_or(AppError::NotFound("user"))?;
        let unit = self.store.unit(&user.unit_id).await?;
        Ok(Actor { agency_id: unit.map(|u| u.agency_id).unwrap_or_default(), user, token_hash: None })
    }

    /// Creates the Standing Office of Steering Committee 389 and its national unit, where
    /// the platform's administrators sit, unless they exist.
    pub async fn ensure_standing_office(&self) -> Result<(), AppError> {
        let now = self.now_ms();
        let cli = Actor::cli();
        if self.store.agency("sco-389").await?.is_none() {
            let agency = NewAgency {
                id: "sco-389".into(),
                kind: AgencyKind::SteeringCommitteeOffice,
                name_vi: "Văn phòng thường trực Ban Chỉ đạo 389 quốc gia".into(),
                name_en: "Standing Office of the National Steering Committee 389".into(),
                country: "VN".into(),
            };
            self.store
                .insert_agency(&agency, &[cli.audit(now, "agency.create", "agency", "sco-389", "ok", json!({ "bootstrap": true }))])
                .await?;
        }
        if self.store.unit("sco-389-national").await?.is_none() {
            let unit = NewUnit {
                id: "sco-389-national".into(),
                agency_id: "sco-389".into(),
                parent_id: None,
                name_vi: "Văn phòng thường trực BCĐ 389".into(),
                name_en: "Standing Office, Steering Committee 389".into(),
                province_code: None,
            };
            self.store
                .insert_unit(&unit, &[cli.audit(now, "unit.create", "unit", "sco-389-national", "ok", json!({ "bootstrap": true }))])
                .await?;
        }
        Ok(())
    }

    /// Creates a user with a password chosen by the operator (CLI) or an administrator.
    pub(crate) async fn hash_new_password(&self, password: &str, username: &str) -> Result<String, AppError> {
        validate_password(password, username)?;
        hash_password(password.to_string()).await
    }
}
