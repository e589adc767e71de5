//! The store conformance suite: the same tests against SQLite and PostgreSQL.
//!
//! The PostgreSQL half runs against `CORDON_TEST_PG` (default: the local server, trust
//! auth, database `test`), each test in a schema of its own. Where no server answers
//! it is skipped with a message, unless `CORDON_REQUIRE_PG=1` (as CI sets) makes that a failure.

use cordon_core::audit::AuditEntry;
use cordon_core::{AgencyKind, Language, Role, TokenKind};
use cordon_store::scratch::{scratch_postgres, test_postgres_url};
use cordon_store::{AuditQuery, NewAgency, NewUnit, NewUser, Store, StoreError, StoreTarget, TokenRecord};

struct Fixture {
    store: Store,
    target: StoreTarget,
    _dir: Option<tempfile::TempDir>,
}

async fn sqlite() -> Option<Fixture> {
    let dir = tempfile::tempdir().unwrap();
    let target = StoreTarget::Sqlite(dir.path().join("cordon.db"));
    let store = Store::open(&target).await.unwrap();
    Some(Fixture { store, target, _dir: Some(dir) })
}

async fn postgres() -> Option<Fixture> {
    let url = test_postgres_url();
    match scratch_postgres(&url).await {
        Ok(target) => {
            let store = Store::open(&target).await.unwrap();
            Some(Fixture { store, target, _dir: None })
        }
        Err(e) if std::env::var("CORDON_REQUIRE_PG").as_deref() != Ok("1") => {
            eprintln!("PostgreSQL SKIPPED (no server at {url}: {e}); set CORDON_REQUIRE_PG=1 to make this fail");
            None
        }
        Err(e) => panic!("PostgreSQL required but unusable: {e}"),
    }
}

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                if let Some(f) = super::sqlite().await { super::$name(f).await }
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                if let Some(f) = super::postgres().await { super::$name(f).await }
            })*
        }
    };
}

conformance!(
    migrations_and_reference_data,
    reopening_is_idempotent,
    agencies_units_users,
    duplicates_and_missing_references_are_refused_and_write_nothing,
    tokens_and_password_changes,
    audit_chain_verifies_and_detects_tampering,
    concurrent_audit_appends_keep_one_chain,
    vietnamese_text_round_trips,
);

fn entry(action: &str, object_id: &str) -> AuditEntry {
    AuditEntry {
        seq: 0,
        at: 1_767_225_600_000,
        actor_user_id: Some("u-admin".into()),
        actor_unit_id: Some("customs-hq".into()),
        action: action.into(),
        object_type: "test".into(),
        object_id: object_id.into(),
        outcome: "ok".into(),
        detail: "{}".into(),
    }
}

async fn seed(store: &Store) {
    store
        .insert_agency(
            &NewAgency {
                id: "customs-vn".into(),
                kind: AgencyKind::Customs,
                name_vi: "Hải quan Việt Nam".into(),
                name_en: "Vietnam Customs".into(),
                country: "VN".into(),
            },
            &[entry("agency.create", "customs-vn")],
        )
        .await
        .unwrap();
    store
        .insert_unit(
            &NewUnit {
                id: "customs-lang-son".into(),
                agency_id: "customs-vn".into(),
                parent_id: None,
                name_vi: "Chi cục Hải quan Lạng Sơn".into(),
                name_en: "Lang Son Customs".into(),
                province_code: Some("lang-son".into()),
            },
            &[entry("unit.create", "customs-lang-son")],
        )
        .await
        .unwrap();
}

fn new_user(id: &str, username: &str) -> NewUser {
    NewUser {
        id: id.into(),
        username: username.into(),
        display_name: "Nguyễn Văn An".into(),
        unit_id: "customs-lang-son".into(),
        roles: vec![Role::Officer, Role::UnitHead, Role::Officer],
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        must_change_password: false,
        language: Language::Vi,
    }
}

async fn audit_count(store: &Store) -> usize {
    store.audit_entries(&AuditQuery { limit: 10_000, ..Default::default() }).await.unwrap().len()
}

async fn migrations_and_reference_data(f: Fixture) {
    assert_eq!(f.store.schema_version().await.unwrap(), cordon_store::latest_schema_version());
    assert!(cordon_store::latest_schema_version() >= 2);
    let [provinces, aliases, ports, hs, commodities] = f.store.reference_counts().await.unwrap();
    assert_eq!(provinces, 34);
    assert!(aliases >= 63, "every pre-merger name is an alias, got {aliases}");
    assert!(ports >= 50);
    assert_eq!(hs, 96);
    assert!(commodities >= 13);
    for (name, code) in [("Hà Giang", "tuyen-quang"), ("ha giang", "tuyen-quang"), ("Lạng Sơn", "lang-son"), ("Bình Dương", "ho-chi-minh")]
    {
        assert_eq!(f.store.resolve_province_alias(name).await.unwrap().as_deref(), Some(code), "{name}");
    }
    assert_eq!(f.store.resolve_province_alias("Atlantis").await.unwrap(), None);
}

async fn reopening_is_idempotent(f: Fixture) {
    seed(&f.store).await;
    f.store.close().await;
    let again = Store::open(&f.target).await.unwrap();
    assert_eq!(again.schema_version().await.unwrap(), cordon_store::latest_schema_version());
    assert_eq!(again.agencies().await.unwrap().len(), 1);
    assert_eq!(again.reference_counts().await.unwrap()[0], 34);
}

async fn agencies_units_users(f: Fixture) {
    seed(&f.store).await;
    let s = &f.store;
    s.insert_user(&new_user("u1", "an.nguyen"), 1, &[entry("user.create", "u1")]).await.unwrap();
    let (u, hash) = s.user_by_username("an.nguyen").await.unwrap().unwrap();
    assert_eq!(u.display_name, "Nguyễn Văn An");
    assert_eq!(u.roles, vec![Role::Officer, Role::UnitHead], "roles are stored once each");
    assert!(hash.starts_with("$argon2id$"));
    assert!(!u.must_change_password && !u.disabled);
    assert_eq!(s.user("u1").await.unwrap().unwrap().username, "an.nguyen");
    assert!(s.user("nobody").await.unwrap().is_none());
    assert_eq!(s.users(Some("customs-lang-son")).await.unwrap().len(), 1);
    assert_eq!(s.users(Some("other")).await.unwrap().len(), 0);
    assert_eq!(s.count_users().await.unwrap(), 1);
    let units = s.units(Some("customs-vn")).await.unwrap();
    assert_eq!(units[0].province_code.as_deref(), Some("lang-son"));
    assert_eq!(s.agency("customs-vn").await.unwrap().unwrap().kind, AgencyKind::Customs);
    assert_eq!(audit_count(s).await, 3);
}

async fn duplicates_and_missing_references_are_refused_and_write_nothing(f: Fixture) {
    seed(&f.store).await;
    let s = &f.store;
    s.insert_user(&new_user("u1", "an.nguyen"), 1, &[entry("user.create", "u1")]).await.unwrap();
    let before = audit_count(s).await;
    let dup = s.insert_user(&new_user("u2", "an.nguyen"), 1, &[entry("user.create", "u2")]).await;
    assert!(matches!(dup, Err(StoreError::Conflict { what: "username" })), "{dup:?}");
    let mut orphan = new_user("u3", "binh.tran");
    orphan.unit_id = "no-such-unit".into();
    let missing = s.insert_user(&orphan, 1, &[entry("user.create", "u3")]).await;
    assert!(matches!(missing, Err(StoreError::MissingReference { .. })), "{missing:?}");
    let dup_agency = s
        .insert_agency(
            &NewAgency {
                id: "customs-vn".into(),
                kind: AgencyKind::Police,
                name_vi: "x".into(),
                name_en: "x".into(),
                country: "VN".into(),
            },
            &[entry("agency.create", "customs-vn")],
        )
        .await;
    assert!(matches!(dup_agency, Err(StoreError::Conflict { what: "agency id" })), "{dup_agency:?}");
    assert_eq!(audit_count(s).await, before, "a refused write leaves no audit entry");
    assert_eq!(s.count_users().await.unwrap(), 1);
    assert!(s.user("u2").await.unwrap().is_none() && s.user("u3").await.unwrap().is_none());
}

async fn tokens_and_password_changes(f: Fixture) {
    seed(&f.store).await;
    let s = &f.store;
    s.insert_user(&new_user("u1", "an.nguyen"), 1, &[]).await.unwrap();
    for (hash, kind) in [("h-session", TokenKind::Session), ("h-api", TokenKind::Api)] {
        let t = TokenRecord {
            token_hash: hash.into(),
            user_id: "u1".into(),
            kind,
            label: "t".into(),
            created_at: 10,
            expires_at: 1000,
            revoked_at: None,
        };
        s.insert_token(&t, &[entry("token.create", "u1")]).await.unwrap();
    }
    assert_eq!(s.token("h-api").await.unwrap().unwrap().kind, TokenKind::Api);
    s.extend_token("h-session", 5000).await.unwrap();
    assert_eq!(s.token("h-session").await.unwrap().unwrap().expires_at, 5000);
    s.set_password("u1", "$argon2id$new", true, Some("h-session"), 20, &[entry("user.password", "u1")]).await.unwrap();
    assert_eq!(s.token("h-api").await.unwrap().unwrap().revoked_at, Some(20), "other tokens are revoked");
    assert_eq!(s.token("h-session").await.unwrap().unwrap().revoked_at, None, "the changing session is kept");
    assert!(s.user("u1").await.unwrap().unwrap().must_change_password);
    s.revoke_token("h-session", 30, &[]).await.unwrap();
    assert_eq!(s.token("h-session").await.unwrap().unwrap().revoked_at, Some(30));
    assert!(matches!(s.set_password("ghost", "x", false, None, 1, &[]).await, Err(StoreError::MissingReference { .. })));
}

async fn raw_exec(target: &StoreTarget, sql: &str) {
    let store = Store::connect(target).await.unwrap();
    store.execute_unchecked(sql).await.unwrap();
    store.close().await;
}

async fn audit_chain_verifies_and_detects_tampering(f: Fixture) {
    let s = &f.store;
    for i in 0..30 {
        s.audit(&[entry("case.read", &format!("c{i}"))]).await.unwrap();
    }
    assert_eq!(s.verify_audit(&[]).await.unwrap().0, 30);
    let q = AuditQuery { object_id: Some("c7".into()), limit: 10, ..Default::default() };
    let hits = s.audit_entries(&q).await.unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].entry.seq, 8);
    raw_exec(&f.target, "UPDATE audit_log SET object_id = 'c-forged' WHERE seq = 12").await;
    match s.verify_audit(&[]).await {
        Err(StoreError::AuditBroken(b)) => assert_eq!(b.seq, 12),
        other => panic!("tampering not detected: {other:?}"),
    }
    raw_exec(&f.target, "UPDATE audit_log SET object_id = 'c11' WHERE seq = 12").await;
    assert!(s.verify_audit(&[]).await.is_ok(), "restoring the content restores the chain");
    raw_exec(&f.target, "DELETE FROM audit_log WHERE seq = 20").await;
    match s.verify_audit(&[]).await {
        Err(StoreError::AuditBroken(b)) => assert_eq!(b.seq, 20),
        other => panic!("deletion not detected: {other:?}"),
    }
    // Cutting the tail is invisible to the chain alone, but not to a checkpoint.
    raw_exec(&f.target, "DELETE FROM audit_log WHERE seq >= 20").await;
    assert_eq!(s.verify_audit(&[]).await.unwrap().0, 19);
    let cp = cordon_core::audit::Checkpoint { seq: 25, hash: "whatever was signed".into() };
    match s.verify_audit(&[cp]).await {
        Err(StoreError::AuditBroken(b)) => assert_eq!(b.seq, 20),
        other => panic!("cut tail not detected: {other:?}"),
    }
    let key = ed25519_dalek::SigningKey::from_bytes(&[1u8; 32]);
    let head = s.audit_head().await.unwrap().unwrap();
    let signed = cordon_core::audit::sign_checkpoint(&key, head.clone(), 5);
    s.insert_checkpoint(&signed).await.unwrap();
    s.insert_checkpoint(&signed).await.unwrap();
    assert_eq!(s.checkpoints().await.unwrap(), vec![signed]);
    assert_eq!(s.verify_audit(&[head]).await.unwrap().0, 19);
}

async fn concurrent_audit_appends_keep_one_chain(f: Fixture) {
    let mut tasks = Vec::new();
    for t in 0..8 {
        let s = f.store.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..15 {
                s.audit(&[entry("case.read", &format!("t{t}-{i}")), entry("person.read", &format!("t{t}-{i}"))]).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(f.store.verify_audit(&[]).await.unwrap().0, 8 * 15 * 2);
}

async fn vietnamese_text_round_trips(f: Fixture) {
    seed(&f.store).await;
    let unit = f.store.unit("customs-lang-son").await.unwrap().unwrap();
    assert_eq!(unit.name_vi, "Chi cục Hải quan Lạng Sơn");
    let agencies = f.store.agencies().await.unwrap();
    assert_eq!(agencies[0].name_vi, "Hải quan Việt Nam");
}
