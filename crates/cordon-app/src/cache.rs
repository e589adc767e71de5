//! Short-lived, in-process memory of who a token stands for, of what an agency's viewers hold,
//! and of the coordination agreements an agency is party to.
//!
//! Why: a case read used to spend four queries establishing the actor (token, user, roles,
//! unit) and two more on the viewer's principals (agency kind, groups), more than on the case
//! itself, and reading another agency's case asked for its agreements. All of these change
//! rarely and only through this process's use cases, which invalidate here after their write
//! commits.
//!
//! Correctness rules:
//! - an entry lives at most [`CACHE_TTL_MS`] (by the app's clock), so a change made by
//!   another process (another server over the same PostgreSQL) is seen within that time;
//! - a token's own expiry is checked on every hit, exactly as without the cache;
//! - every invalidation bumps a generation, and an answer computed from the database is
//!   cached only if no invalidation happened since it started reading, so a read racing
//!   a logout can never put the revoked session back.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use cordon_core::TokenKind;
use cordon_store::Agreement;

use crate::Actor;

/// How long a cached actor or principal set is trusted without asking the database, ms.
pub const CACHE_TTL_MS: i64 = 5_000;

/// Entries kept at most per map; past that the map is emptied (a burst of distinct tokens
/// must not grow memory without bound, and refilling costs only the queries we save).
const CACHE_MAX_ENTRIES: usize = 10_000;

/// An authenticated actor as of `cached_at`.
struct ActorEntry {
    actor: Actor,
    kind: TokenKind,
    expires_at: i64,
    cached_at: i64,
}

/// What a viewer of an agency holds besides their unit: whether the agency is domestic and
/// its sharing groups. `None` when the agency does not exist.
pub(crate) type AgencyPrincipals = Option<(bool, Vec<String>)>;

struct AgencyEntry {
    value: AgencyPrincipals,
    cached_at: i64,
}

struct AgreementsEntry {
    value: Vec<Agreement>,
    cached_at: i64,
}

#[derive(Default)]
struct Inner {
    generation: u64,
    actors: HashMap<String, ActorEntry>,
    agencies: HashMap<String, AgencyEntry>,
    agreements: HashMap<String, AgreementsEntry>,
}

/// The cache; one per [`crate::App`], shared by its clones.
#[derive(Default)]
pub(crate) struct AuthCache {
    inner: Mutex<Inner>,
}

/// A snapshot of the invalidation counter, taken before reading the database.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Generation(u64);

fn fresh(cached_at: i64, now: i64) -> bool {
    // A clock that stepped back makes the entry's age unknowable: treat it as stale.
    now >= cached_at && now - cached_at < CACHE_TTL_MS
}

impl AuthCache {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave an entry half-written in a way that
        // matters (each is inserted or removed whole), so a poisoned lock is still usable.
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The current generation, to pass back to `put_*` once the database has answered.
    pub(crate) fn generation(&self) -> Generation {
        Generation(self.lock().generation)
    }

    /// The cached actor for a token hash, if fresh, unexpired and not due for renewal
    /// (`renew_before`: a session with less life left than this must go to the database).
    pub(crate) fn actor(&self, token_hash: &str, now: i64, renew_before: i64) -> Option<Actor> {
        let inner = self.lock();
        let e = inner.actors.get(token_hash)?;
        let usable = fresh(e.cached_at, now) && e.expires_at > now && (e.kind != TokenKind::Session || e.expires_at - now >= renew_before);
        usable.then(|| e.actor.clone())
    }

    /// Remembers an actor read from the database when the read began at `generation`.
    pub(crate) fn put_actor(&self, generation: Generation, token_hash: String, actor: &Actor, kind: TokenKind, expires_at: i64, now: i64) {
        let mut inner = self.lock();
        if inner.generation != generation.0 {
            return;
        }
        if inner.actors.len() >= CACHE_MAX_ENTRIES {
            inner.actors.retain(|_, e| fresh(e.cached_at, now));
            if inner.actors.len() >= CACHE_MAX_ENTRIES {
                inner.actors.clear();
            }
        }
        inner.actors.insert(token_hash, ActorEntry { actor: actor.clone(), kind, expires_at, cached_at: now });
    }

    /// The cached principals of an agency's viewers, if fresh.
    pub(crate) fn agency(&self, agency_id: &str, now: i64) -> Option<AgencyPrincipals> {
        let inner = self.lock();
        inner.agencies.get(agency_id).filter(|e| fresh(e.cached_at, now)).map(|e| e.value.clone())
    }

    /// Remembers an agency's principals read from the database when the read began at `generation`.
    pub(crate) fn put_agency(&self, generation: Generation, agency_id: &str, value: AgencyPrincipals, now: i64) {
        let mut inner = self.lock();
        if inner.generation != generation.0 {
            return;
        }
        if inner.agencies.len() >= CACHE_MAX_ENTRIES {
            inner.agencies.clear();
        }
        inner.agencies.insert(agency_id.to_string(), AgencyEntry { value, cached_at: now });
    }

    /// The cached agreements an agency is party to, if fresh.
    pub(crate) fn agreements(&self, agency_id: &str, now: i64) -> Option<Vec<Agreement>> {
        let inner = self.lock();
        inner.agreements.get(agency_id).filter(|e| fresh(e.cached_at, now)).map(|e| e.value.clone())
    }

    /// Remembers an agency's agreements read from the database when the read began at `generation`.
    pub(crate) fn put_agreements(&self, generation: Generation, agency_id: &str, value: Vec<Agreement>, now: i64) {
        let mut inner = self.lock();
        if inner.generation != generation.0 {
            return;
        }
        if inner.agreements.len() >= CACHE_MAX_ENTRIES {
            inner.agreements.clear();
        }
        inner.agreements.insert(agency_id.to_string(), AgreementsEntry { value, cached_at: now });
    }

    /// Forgets one token (logout).
    pub(crate) fn forget_token(&self, token_hash: &str) {
        let mut inner = self.lock();
        inner.generation += 1;
        inner.actors.remove(token_hash);
    }

    /// Forgets every token of a user (password, language, roles or account state changed).
    pub(crate) fn forget_user(&self, user_id: &str) {
        let mut inner = self.lock();
        inner.generation += 1;
        inner.actors.retain(|_, e| e.actor.user.id != user_id);
    }

    /// Forgets everything (agencies, groups, memberships or agreements changed).
    pub(crate) fn forget_all(&self) {
        let mut inner = self.lock();
        inner.generation += 1;
        inner.actors.clear();
        inner.agencies.clear();
        inner.agreements.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cordon_core::{Role, User};

    fn actor(user_id: &str) -> Actor {
        Actor {
            user: User {
                id: user_id.into(),
                username: user_id.into(),
                display_name: String::new(),
                unit_id: "u".into(),
                roles: vec![Role::Officer],
                must_change_password: false,
                language: Default::default(),
                disabled: false,
            },
            agency_id: "a".into(),
            token_hash: Some("h".into()),
        }
    }

    #[test]
    fn entries_expire_with_the_ttl_and_the_token() {
        let c = AuthCache::default();
        let g = c.generation();
        c.put_actor(g, "h".into(), &actor("x"), TokenKind::Api, 10_000, 1_000);
        assert!(c.actor("h", 1_000, 0).is_some());
        assert!(c.actor("h", 1_000 + CACHE_TTL_MS, 0).is_none(), "older than the TTL");
        assert!(c.actor("h", 999, 0).is_none(), "clock stepped back");
        c.put_actor(c.generation(), "h".into(), &actor("x"), TokenKind::Api, 2_000, 1_000);
        assert!(c.actor("h", 2_000, 0).is_none(), "token expired");
    }

    #[test]
    fn a_session_due_for_renewal_goes_to_the_database() {
        let c = AuthCache::default();
        c.put_actor(c.generation(), "h".into(), &actor("x"), TokenKind::Session, 5_000, 1_000);
        assert!(c.actor("h", 1_000, 3_000).is_some());
        assert!(c.actor("h", 2_500, 3_000).is_none());
    }

    #[test]
    fn an_answer_read_before_an_invalidation_is_not_cached() {
        let c = AuthCache::default();
        let g = c.generation();
        c.forget_token("h");
        c.put_actor(g, "h".into(), &actor("x"), TokenKind::Api, 10_000, 1_000);
        assert!(c.actor("h", 1_000, 0).is_none());
        let g = c.generation();
        c.forget_user("y");
        c.put_agency(g, "a", Some((true, vec![])), 1_000);
        assert!(c.agency("a", 1_000).is_none());
    }

    #[test]
    fn invalidation_forgets_the_right_entries() {
        let c = AuthCache::default();
        c.put_actor(c.generation(), "h1".into(), &actor("x"), TokenKind::Api, 10_000, 1_000);
        c.put_actor(c.generation(), "h2".into(), &actor("x"), TokenKind::Api, 10_000, 1_000);
        c.put_actor(c.generation(), "h3".into(), &actor("y"), TokenKind::Api, 10_000, 1_000);
        c.put_agency(c.generation(), "a", Some((true, vec!["g".into()])), 1_000);
        c.forget_token("h1");
        assert!(c.actor("h1", 1_000, 0).is_none());
        assert!(c.actor("h2", 1_000, 0).is_some());
        c.forget_user("x");
        assert!(c.actor("h2", 1_000, 0).is_none());
        assert!(c.actor("h3", 1_000, 0).is_some());
        assert!(c.agency("a", 1_000).is_some());
        c.forget_all();
        assert!(c.actor("h3", 1_000, 0).is_none());
        assert!(c.agency("a", 1_000).is_none());
    }
}
