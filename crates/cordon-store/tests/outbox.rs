//! The delivery outbox on SQLite and PostgreSQL: jobs written with their notice (or not at all),
//! taken under a lease, taken up again once the lease lapses with the lost attempt marked
//! interrupted, a late report from the lost attempt kept off the job, retries and giving up.

use cordon_core::audit::AuditEntry;
use cordon_core::delivery::{AttemptStatus, Channel, DeliveryEvent, JobStatus};
use cordon_core::notice::{NoticeKind, Priority, RecipientStatus};
use cordon_core::{AgencyKind, Language, Role};
use cordon_store::scratch::{scratch_postgres, test_postgres_url};
use cordon_store::{
    AttemptOutcome, DeliveryJob, NewAgency, NewUnit, NewUser, Notice, NoticeRoute, Outbox, Recipient, Store, StoreError, StoreTarget,
};

const T: i64 = 1_768_438_800_000;

async fn open(postgres: bool) -> Option<(Store, Option<tempfile::TempDir>)> {
    if !postgres {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&StoreTarget::Sqlite(dir.path().join("cordon.db"))).await.unwrap();
        return Some((store, Some(dir)));
    }
    match scratch_postgres(&test_postgres_url()).await {
        Ok(target) => Some((Store::open(&target).await.unwrap(), None)),
        Err(e) if std::env::var("CORDON_REQUIRE_PG").as_deref() != Ok("1") => {
            eprintln!("PostgreSQL SKIPPED ({e}); set CORDON_REQUIRE_PG=1 to make this fail");
            None
        }
        Err(e) => panic!("PostgreSQL required but unusable: {e}"),
    }
}

fn entry(action: &str) -> AuditEntry {
    AuditEntry {
        seq: 0,
        at: T,
        actor_user_id: Some("u1".into()),
        actor_unit_id: None,
        action: action.into(),
        object_type: "test".into(),
        object_id: "x".into(),
        outcome: "ok".into(),
        detail: "{}".into(),
    }
}

async fn seed(s: &Store) {
    let agency =
        NewAgency { id: "police-vn".into(), kind: AgencyKind::Police, name_vi: "x".into(), name_en: "x".into(), country: "VN".into() };
    s.insert_agency(&agency, &[entry("agency.create")]).await.unwrap();
    for unit in ["police-a", "police-b"] {
        let u = NewUnit {
            id: unit.into(),
            agency_id: "police-vn".into(),
            parent_id: None,
            name_vi: unit.into(),
            name_en: unit.into(),
            province_code: None,
        };
        s.insert_unit(&u, &[entry("unit.create")]).await.unwrap();
    }
    let user = NewUser {
        id: "u1".into(),
        username: "ca.truc".into(),
        display_name: "Trực ban".into(),
        unit_id: "police-b".into(),
        roles: vec![Role::Officer],
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        must_change_password: false,
        language: Language::Vi,
    };
    s.insert_user(&user, 1, &[entry("user.create")]).await.unwrap();
    let sender = NewUser { id: "u0".into(), username: "ca.gui".into(), unit_id: "police-a".into(), ..user };
    s.insert_user(&sender, 1, &[entry("user.create")]).await.unwrap();
}

fn notice(id: &str, key: Option<&str>) -> Notice {
    Notice {
        id: id.into(),
        idempotency_key: key.map(str::to_string),
        kind: NoticeKind::UrgentAlert,
        priority: Priority::Urgent,
        case_id: None,
        title: "Cảnh báo".into(),
        body: String::new(),
        from_user_id: "u0".into(),
        from_unit_id: "police-a".into(),
        from_agency_id: "police-vn".into(),
        created_at: T,
        ack_deadline: T + 600_000,
        recipients: vec![Recipient {
            unit_id: "police-b".into(),
            status: RecipientStatus::Pending,
            ack_by: None,
            ack_at: None,
            escalated_at: None,
            escalated_to: None,
            escalation_note: None,
            action_taken: None,
            result: None,
        }],
    }
}

fn outbox(notice_id: &str, job_id: &str) -> Outbox {
    Outbox {
        routes: vec![NoticeRoute {
            notice_id: notice_id.into(),
            unit_id: "police-b".into(),
            event: DeliveryEvent::Raise,
            user_ids: vec!["u1".into()],
            note: "on duty: u1".into(),
            at: T,
        }],
        jobs: vec![DeliveryJob {
            id: job_id.into(),
            notice_id: notice_id.into(),
            unit_id: "police-b".into(),
            event: DeliveryEvent::Raise,
            user_id: "u1".into(),
            channel: Channel::Gateway,
            address: Some("0912345678".into()),
            status: JobStatus::Pending,
            attempts: 0,
            next_attempt_at: T,
            lease_until: None,
            created_at: T,
            done_at: None,
            last_error: None,
        }],
    }
}

async fn outbox_jobs_are_leased_taken_up_again_and_finished(postgres: bool) {
    let Some((s, _dir)) = open(postgres).await else { return };
    seed(&s).await;
    s.insert_notice(&notice("n1", Some("k")), &outbox("n1", "j1"), &[entry("notice.raise")]).await.unwrap();
    // A repeated submission writes neither a notice nor a second set of jobs.
    let again = s.insert_notice(&notice("n2", Some("k")), &outbox("n2", "j2"), &[entry("notice.raise")]).await;
    assert!(matches!(again, Err(StoreError::Conflict { .. })), "{again:?}");
    assert!(s.notice_deliveries("n2").await.unwrap().jobs.is_empty());
    assert_eq!(s.notice_deliveries("n1").await.unwrap().routes[0].user_ids, vec!["u1".to_string()]);

    // Not yet due for another channel; due now for its own, once.
    assert!(s.claim_delivery_jobs(Channel::Email, T, T + 1000, 10, "a").await.unwrap().is_empty());
    let taken = s.claim_delivery_jobs(Channel::Gateway, T, T + 1000, 10, "a").await.unwrap();
    assert_eq!((taken.len(), taken[0].attempts), (1, 1));
    assert!(s.claim_delivery_jobs(Channel::Gateway, T + 999, T + 2000, 10, "b").await.unwrap().is_empty(), "leased");
    // Worker "a" never reports; once its lease lapses "b" takes the job up.
    let retaken = s.claim_delivery_jobs(Channel::Gateway, T + 1000, T + 2000, 10, "b").await.unwrap();
    assert_eq!(retaken[0].attempts, 2);
    // "a" reports late that it went through: its attempt says so, the job waits for "b".
    s.finish_delivery_attempt("j1", 1, T + 1100, &AttemptOutcome::Sent).await.unwrap();
    let d = s.notice_deliveries("n1").await.unwrap();
    assert_eq!(d.jobs[0].status, JobStatus::Pending);
    let statuses: Vec<AttemptStatus> = d.attempts.iter().map(|a| a.status).collect();
    assert_eq!(statuses, [AttemptStatus::Sent, AttemptStatus::Sending]);
    // "b" fails: retried later, not before.
    let retry = AttemptOutcome::Failed { error: "gateway answered 503".into(), retry_at: Some(T + 10_000) };
    s.finish_delivery_attempt("j1", 2, T + 1200, &retry).await.unwrap();
    assert!(s.claim_delivery_jobs(Channel::Gateway, T + 9_999, T + 20_000, 10, "b").await.unwrap().is_empty());
    let third = s.claim_delivery_jobs(Channel::Gateway, T + 10_000, T + 20_000, 10, "b").await.unwrap();
    assert_eq!(third[0].attempts, 3);
    s.finish_delivery_attempt("j1", 3, T + 10_100, &AttemptOutcome::Failed { error: "refused".into(), retry_at: None }).await.unwrap();
    let d = s.notice_deliveries("n1").await.unwrap();
    assert_eq!((d.jobs[0].status, d.jobs[0].last_error.as_deref()), (JobStatus::Failed, Some("refused")));
    assert!(s.claim_delivery_jobs(Channel::Gateway, T + 100_000, T + 200_000, 10, "b").await.unwrap().is_empty(), "given up");

    // SQLite at start frees what a stopped run had taken.
    s.insert_notice(&notice("n3", None), &outbox("n3", "j3"), &[entry("notice.raise")]).await.unwrap();
    assert_eq!(s.claim_delivery_jobs(Channel::Gateway, T, T + 1000, 10, "a").await.unwrap().len(), 1);
    assert_eq!(s.release_delivery_leases().await.unwrap(), 1);
    let j = s.claim_delivery_jobs(Channel::Gateway, T, T + 1000, 10, "c").await.unwrap();
    assert_eq!(j[0].attempts, 2);
    let d = s.notice_deliveries("n3").await.unwrap();
    assert_eq!(d.attempts[0].status, AttemptStatus::Interrupted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_outbox() {
    outbox_jobs_are_leased_taken_up_again_and_finished(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_outbox() {
    outbox_jobs_are_leased_taken_up_again_and_finished(true).await;
}
