//! Delivery of notices over several channels through a transactional outbox.
//!
//! When a notice is raised (or escalates), the people it goes to are chosen — the addressed
//! unit's officers on duty, or its head — and one job per channel and person is written in
//! the notice's own transaction. A worker per channel (started by `cordon serve`) takes due
//! jobs, sends them, records every attempt, and retries failures with exponential backoff up
//! to a limit; channels run apart, so a failing or slow one never holds up the others.
//!
//! **Guarantee: at least once, de-duplicated by the receiver.** A job is marked sent only
//! after the channel accepted it; if the server stops between the two, the job is taken up
//! again after a restart (SQLite) or once its lease lapses (PostgreSQL) and sent again. Every
//! copy carries the same key — the e-mail's `Message-ID`, the gateway's `Idempotency-Key`, the
//! live event's id, all built from the notice id, the event and the person — so a receiver
//! that de-duplicates by it sees each notice exactly once per channel and person. While the
//! servers run, each job goes to one worker: PostgreSQL's `FOR UPDATE SKIP LOCKED`, SQLite's
//! single writer.

mod gateway;
mod smtp;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use cordon_core::delivery::{retry_delay_ms, Channel, DeliveryEvent, JobStatus};
use cordon_core::duty::{route, Routing};
use cordon_core::{Invalid, Role, RoleSet};
use cordon_store::{AttemptOutcome, DeliveryJob, Notice, NoticeRoute, Outbox};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::{broadcast, watch, Notify};

use crate::ids::new_id;
use crate::{Actor, App, AppError};

/// SMTP relay for e-mail delivery (plain SMTP, no TLS: a relay on the host or the local network).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    /// Host name or address.
    pub host: String,
    /// Port (25 or 587).
    pub port: u16,
    /// The sender address on every message.
    pub from: String,
}

/// The outbound HTTP gateway for SMS, telephone and fax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewaySettings {
    /// `http://…` URL each delivery is POSTed to as JSON.
    pub url: String,
    /// Bearer token the gateway expects, if any.
    pub token: Option<String>,
}

/// Which channels are on, and how hard to try.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliverySettings {
    /// E-mail, if a relay is configured.
    pub smtp: Option<SmtpSettings>,
    /// SMS/phone/fax, if a gateway is configured.
    pub gateway: Option<GatewaySettings>,
    /// Attempts per delivery before giving up.
    pub max_attempts: u32,
    /// Wait after the first failure, ms; doubled after each further one.
    pub retry_base_ms: i64,
    /// How often a worker looks for due jobs when nothing woke it, ms (real time).
    pub poll_ms: u64,
    /// Longest one send may take, ms (real time).
    pub send_timeout_ms: u64,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        DeliverySettings { smtp: None, gateway: None, max_attempts: 8, retry_base_ms: 5_000, poll_ms: 1_000, send_timeout_ms: 15_000 }
    }
}

impl DeliverySettings {
    fn channels(&self) -> Vec<Channel> {
        let mut out = vec![Channel::Live];
        if self.smtp.is_some() {
            out.push(Channel::Email);
        }
        if self.gateway.is_some() {
            out.push(Channel::Gateway);
        }
        out
    }
}

/// How long a worker holds a job it took, by the app's clock: well past the longest send, so
/// a live worker never loses its job; a dead one's jobs are taken up again after it.
const LEASE_MS: i64 = 120_000;

/// Jobs one worker takes at a time.
const BATCH: i64 = 32;

/// A notice delivered live to one person: what the event stream carries.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LiveNotice {
    /// The same for every copy of one delivery: `notice:event:user` (de-duplicate by it).
    pub delivery_key: String,
    /// The person.
    pub user_id: String,
    /// The notice.
    pub notice_id: String,
    /// `raise` or `escalate`.
    pub event: String,
    /// The addressed unit it came for.
    pub unit_id: String,
    /// Kind.
    pub kind: String,
    /// Priority.
    pub priority: String,
    /// Title.
    pub title: String,
    /// Sending unit.
    pub from_unit_id: String,
    /// Raised, ms.
    pub created_at: i64,
    /// To be acknowledged by, ms.
    pub ack_deadline: i64,
}

/// What a live stream yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamItem {
    /// A notice for this user.
    Notice(Box<LiveNotice>),
    /// The stream fell behind and this many events were dropped: reload the inbox.
    Missed(u64),
}

/// The delivery state an `App` shares: settings, the in-process live hub, and the workers' wake-ups.
pub(crate) struct Delivery {
    settings: RwLock<Arc<DeliverySettings>>,
    hub: broadcast::Sender<LiveNotice>,
    closed: watch::Sender<bool>,
    wake: [Notify; 3],
    instance: String,
    http: reqwest::Client,
}

impl Default for Delivery {
    fn default() -> Self {
        Delivery {
            settings: RwLock::new(Arc::new(DeliverySettings::default())),
            hub: broadcast::channel(4096).0,
            closed: watch::channel(false).0,
            wake: [Notify::new(), Notify::new(), Notify::new()],
            instance: new_id(0)[12..].to_string(),
            http: reqwest::Client::new(),
        }
    }
}

fn channel_index(c: Channel) -> usize {
    match c {
        Channel::Live => 0,
        Channel::Email => 1,
        Channel::Gateway => 2,
    }
}

/// The key every copy of one delivery carries, for receivers to de-duplicate by.
pub(crate) fn delivery_key(notice_id: &str, event: DeliveryEvent, user_id: &str) -> String {
    format!("{notice_id}:{}:{user_id}", event.as_str())
}

/// One route of a notice, as shown on it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RouteView {
    /// The addressed unit.
    pub unit_id: String,
    /// `raise` or `escalate`.
    pub event: String,
    /// Who it went to.
    pub user_ids: Vec<String>,
    /// Why them: on duty, or nobody on duty and so the head, or no one.
    pub note: String,
    /// When, ms.
    pub at: i64,
}

/// One attempt at a delivery.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttemptView {
    /// 1, 2, …
    pub attempt: i64,
    /// The server instance that made it.
    pub instance: String,
    /// Started, ms.
    pub started_at: i64,
    /// Ended, ms.
    pub finished_at: Option<i64>,
    /// `sending`, `sent`, `failed`, `interrupted`.
    pub status: String,
    /// Why it failed.
    pub error: Option<String>,
}

/// One delivery (a channel, a person) and its attempts.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryJobView {
    /// Id.
    pub id: String,
    /// The addressed unit.
    pub unit_id: String,
    /// `raise` or `escalate`.
    pub event: String,
    /// The person.
    pub user_id: String,
    /// `live`, `email`, `gateway`.
    pub channel: String,
    /// `pending`, `sent`, `failed`, `undeliverable`.
    pub status: String,
    /// Attempts made.
    pub attempts: i64,
    /// Next attempt not before, ms (while pending).
    pub next_attempt_at: i64,
    /// Sent or given up, ms.
    pub done_at: Option<i64>,
    /// The last failure.
    pub last_error: Option<String>,
    /// Every attempt.
    pub history: Vec<AttemptView>,
}

/// A notice's deliveries: to whom and why, and how each went.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveriesView {
    /// The notice.
    pub notice_id: String,
    /// Who, in each addressed unit, and why.
    pub routes: Vec<RouteView>,
    /// Each delivery with its attempts.
    pub jobs: Vec<DeliveryJobView>,
}

/// The running delivery workers of one app.
pub struct DeliveryWorker {
    stop: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl DeliveryWorker {
    /// Stops taking jobs, lets sends under way finish, and waits for the workers.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }

    /// Stops at once, mid-send if need be, as a crash would: what was under way is sent again later.
    pub fn abort(self) {
        for t in self.tasks {
            t.abort();
        }
    }
}

/// A signed-in user's live notices.
pub struct NoticeStream {
    user_id: String,
    rx: broadcast::Receiver<LiveNotice>,
    closed: watch::Receiver<bool>,
}

impl NoticeStream {
    /// The next item for this user; `None` once the server shuts down.
    pub async fn next(&mut self) -> Option<StreamItem> {
        loop {
            if *self.closed.borrow() {
                return None;
            }
            tokio::select! {
                got = self.rx.recv() => match got {
                    Ok(n) if n.user_id == self.user_id => return Some(StreamItem::Notice(Box::new(n))),
                    Ok(_) => {}
                    Err(broadcast::error::RecvError::Lagged(n)) => return Some(StreamItem::Missed(n)),
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
                _ = self.closed.changed() => return None,
            }
        }
    }
}

impl App {
    /// Turns channels on or off and sets the retry policy; the channels apply to notices raised after.
    pub fn configure_delivery(&self, settings: DeliverySettings) -> Result<(), AppError> {
        if let Some(smtp) = &settings.smtp {
            cordon_core::delivery::check_email(&smtp.from).map_err(|why| Invalid::new("smtp.from", why))?;
            if smtp.host.trim().is_empty() || smtp.port == 0 {
                return Err(Invalid::new("smtp.host", "a host and a port").into());
            }
        }
        if let Some(g) = &settings.gateway {
            // No TLS stack is built in: an https gateway is reached through a relay on the host.
            if !g.url.starts_with("http://") || reqwest::Url::parse(&g.url).is_err() {
                return Err(Invalid::new("gateway.url", "an http:// URL (TLS through a local relay)").into());
            }
        }
        if settings.max_attempts == 0 || settings.retry_base_ms <= 0 || settings.poll_ms == 0 || settings.send_timeout_ms == 0 {
            return Err(Invalid::new("delivery", "at least one attempt, and positive delays").into());
        }
        *self.delivery.settings.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(settings);
        Ok(())
    }

    /// E-mails a scheduled report to one address through the configured relay; the error says
    /// why it could not (no relay, refused, unreachable, too slow).
    pub(crate) async fn send_report_mail(
        &self,
        to: &str,
        subject: &str,
        text: &str,
        file: (&str, &str, &[u8]),
        key: &str,
    ) -> Result<(), String> {
        let settings = self.delivery_settings();
        let Some(smtp) = settings.smtp.as_ref() else { return Err("no SMTP relay is configured".into()) };
        let m = smtp::report_message(smtp, to, subject, text, file, key, self.now_ms());
        match tokio::time::timeout(Duration::from_millis(settings.send_timeout_ms), smtp::send(&smtp.host, smtp.port, &m)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(e.message),
            Err(_) => Err("the SMTP relay did not answer in time".into()),
        }
    }

    fn delivery_settings(&self) -> Arc<DeliverySettings> {
        self.delivery.settings.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Wakes every channel's worker: jobs were just written.
    pub(crate) fn wake_delivery(&self) {
        for w in &self.delivery.wake {
            w.notify_one();
        }
    }

    /// Ends every live stream (the server is shutting down, and a stream never ends by itself).
    pub fn close_live_streams(&self) {
        let _ = self.delivery.closed.send(true);
    }

    /// Who a notice to `unit_id` goes to at `at`: the officers on duty, else the head (or deputy).
    pub(crate) async fn route_to_unit(&self, unit_id: &str, at: i64) -> Result<Routing, AppError> {
        let users = self.store.users(Some(unit_id)).await?;
        let active: Vec<String> = users.iter().filter(|u| !u.disabled).map(|u| u.id.clone()).collect();
        let heads: Vec<String> = users.iter().filter(|u| !u.disabled && u.roles.holds(Role::UnitHead)).map(|u| u.id.clone()).collect();
        let delegations = self.store.delegations_of_unit(unit_id).await?;
        let shifts = self.store.duty_shifts(unit_id, at, at + 1).await?;
        Ok(route(&shifts, &active, &heads, &delegations, at))
    }

    /// One job per enabled channel for each person; one without an address for a channel is
    /// recorded as undeliverable there, so the gap shows on the notice.
    async fn jobs_for(
        &self,
        notice_id: &str,
        unit_id: &str,
        event: DeliveryEvent,
        users: &[String],
        now: i64,
    ) -> Result<Vec<DeliveryJob>, AppError> {
        let settings = self.delivery_settings();
        let mut jobs = Vec::new();
        for user in users {
            let contact = self.store.contact(user).await?;
            for channel in settings.channels() {
                let (address, missing) = match channel {
                    Channel::Live => (None, None),
                    Channel::Email => (contact.email.clone(), contact.email.is_none().then_some("no e-mail address on record")),
                    Channel::Gateway => (contact.phone.clone(), contact.phone.is_none().then_some("no telephone number on record")),
                };
                jobs.push(DeliveryJob {
                    id: new_id(now),
                    notice_id: notice_id.to_string(),
                    unit_id: unit_id.to_string(),
                    event,
                    user_id: user.clone(),
                    channel,
                    address,
                    status: if missing.is_some() { JobStatus::Undeliverable } else { JobStatus::Pending },
                    attempts: 0,
                    next_attempt_at: now,
                    lease_until: None,
                    created_at: now,
                    done_at: missing.map(|_| now),
                    last_error: missing.map(str::to_string),
                });
            }
        }
        Ok(jobs)
    }

    /// The routes and jobs of a notice being raised: each addressed unit's officers on duty, or its head.
    pub(crate) async fn outbox_for_raise(&self, n: &Notice) -> Result<Outbox, AppError> {
        let mut outbox = Outbox::default();
        for r in &n.recipients {
            let routing = self.route_to_unit(&r.unit_id, n.created_at).await?;
            let users = routing.users();
            outbox.jobs.extend(self.jobs_for(&n.id, &r.unit_id, DeliveryEvent::Raise, &users, n.created_at).await?);
            outbox.routes.push(NoticeRoute {
                notice_id: n.id.clone(),
                unit_id: r.unit_id.clone(),
                event: DeliveryEvent::Raise,
                user_ids: users,
                note: routing.note(),
                at: n.created_at,
            });
        }
        Ok(outbox)
    }

    /// The route and jobs of an escalation to `to` (none: nobody to escalate to).
    pub(crate) async fn outbox_for_escalation(
        &self,
        notice_id: &str,
        unit_id: &str,
        to: Option<&str>,
        note: &str,
        now: i64,
    ) -> Result<Outbox, AppError> {
        let users: Vec<String> = to.map(str::to_string).into_iter().collect();
        let jobs = self.jobs_for(notice_id, unit_id, DeliveryEvent::Escalate, &users, now).await?;
        let route = NoticeRoute {
            notice_id: notice_id.to_string(),
            unit_id: unit_id.to_string(),
            event: DeliveryEvent::Escalate,
            user_ids: users,
            note: note.to_string(),
            at: now,
        };
        Ok(Outbox { routes: vec![route], jobs })
    }

    /// A notice's deliveries, for those party to it (404 otherwise); audited.
    pub async fn notice_deliveries(&self, actor: &Actor, id: &str) -> Result<DeliveriesView, AppError> {
        actor.require_active()?;
        let now = self.now_ms();
        let party = self.store.notice(id).await?.is_some_and(|n| Self::party_to(actor, &n));
        if !party {
            self.store.audit(&[actor.audit(now, "notice.deliveries", "notice", id, "denied", json!({}))]).await?;
            return Err(AppError::NotFound("notice"));
        }
        let d = self.store.notice_deliveries(id).await?;
        self.store.audit(&[actor.audit(now, "notice.deliveries", "notice", id, "ok", json!({}))]).await?;
        let mut history: HashMap<String, Vec<AttemptView>> = HashMap::new();
        for a in d.attempts {
            history.entry(a.job_id).or_default().push(AttemptView {
                attempt: a.attempt,
                instance: a.instance,
                started_at: a.started_at,
                finished_at: a.finished_at,
                status: a.status.as_str().into(),
                error: a.error,
            });
        }
        Ok(DeliveriesView {
            notice_id: id.to_string(),
            routes: d
                .routes
                .into_iter()
                .map(|r| RouteView { unit_id: r.unit_id, event: r.event.as_str().into(), user_ids: r.user_ids, note: r.note, at: r.at })
                .collect(),
            jobs: d
                .jobs
                .into_iter()
                .map(|j| DeliveryJobView {
                    history: history.remove(&j.id).unwrap_or_default(),
                    id: j.id,
                    unit_id: j.unit_id,
                    event: j.event.as_str().into(),
                    user_id: j.user_id,
                    channel: j.channel.as_str().into(),
                    status: j.status.as_str().into(),
                    attempts: j.attempts,
                    next_attempt_at: j.next_attempt_at,
                    done_at: j.done_at,
                    last_error: j.last_error,
                })
                .collect(),
        })
    }

    /// The signed-in user's live notices from now on; opening the stream is audited.
    pub async fn notice_stream(&self, actor: &Actor) -> Result<NoticeStream, AppError> {
        actor.require_active()?;
        // Subscribe before answering, so nothing delivered after the answer is missed.
        let stream =
            NoticeStream { user_id: actor.user.id.clone(), rx: self.delivery.hub.subscribe(), closed: self.delivery.closed.subscribe() };
        self.store.audit(&[actor.audit(self.now_ms(), "notice.stream", "notice", "*", "ok", json!({}))]).await?;
        Ok(stream)
    }

    /// Starts the delivery workers (one per channel) and, on PostgreSQL, the listener that
    /// brings live deliveries made by any server to this one's streams.
    pub async fn start_delivery(&self) -> Result<DeliveryWorker, AppError> {
        if !self.store.shared_by_servers() {
            let freed = self.store.release_delivery_leases().await?;
            if freed > 0 {
                tracing::info!(jobs = freed, "deliveries under way when the server last stopped are taken up again");
            }
        }
        let (stop, _) = watch::channel(false);
        let mut tasks = Vec::new();
        if let Some(mut listener) = self.store.live_listener().await? {
            let hub = self.delivery.hub.clone();
            let mut halt = stop.subscribe();
            tasks.push(tokio::spawn(async move {
                loop {
                    tokio::select! {
                        got = listener.recv() => match got.map(|p| serde_json::from_str::<LiveNotice>(&p)) {
                            Ok(Ok(n)) => { let _ = hub.send(n); }
                            Ok(Err(e)) => tracing::warn!(error = %e, "unreadable live delivery announcement"),
                            Err(e) => {
                                tracing::warn!(error = %e, "live delivery listener lost its connection; retrying");
                                tokio::time::sleep(Duration::from_secs(1)).await;
                            }
                        },
                        _ = halt.changed() => break,
                    }
                }
            }));
        }
        for channel in Channel::ALL.iter().copied() {
            let app = self.clone();
            let mut halt = stop.subscribe();
            tasks.push(tokio::spawn(async move {
                loop {
                    let done = match app.deliver_due(channel).await {
                        Ok(n) => n,
                        Err(e) => {
                            tracing::error!(channel = channel.as_str(), error = %e, "delivery pass failed");
                            0
                        }
                    };
                    if done > 0 {
                        continue;
                    }
                    let poll = Duration::from_millis(app.delivery_settings().poll_ms);
                    tokio::select! {
                        _ = app.delivery.wake[channel_index(channel)].notified() => {}
                        _ = tokio::time::sleep(poll) => {}
                        _ = halt.changed() => break,
                    }
                }
            }));
        }
        Ok(DeliveryWorker { stop, tasks })
    }

    /// One pass of a channel's worker: takes the jobs due, sends them side by side, records
    /// each outcome. Answers how many it took.
    pub async fn deliver_due(&self, channel: Channel) -> Result<usize, AppError> {
        let now = self.now_ms();
        let jobs = self.store.claim_delivery_jobs(channel, now, now + LEASE_MS, BATCH, &self.delivery.instance).await?;
        let taken = jobs.len();
        let settings = self.delivery_settings();
        let mut notices: HashMap<String, Arc<Notice>> = HashMap::new();
        let mut sends = tokio::task::JoinSet::new();
        for job in jobs {
            let notice = match notices.get(&job.notice_id) {
                Some(n) => n.clone(),
                None => {
                    let Some(n) = self.store.notice(&job.notice_id).await? else {
                        // Notices are never deleted; should one be missing, say so rather than retry for ever.
                        let gone = AttemptOutcome::Failed { error: "the notice is missing from the store".into(), retry_at: None };
                        self.store.finish_delivery_attempt(&job.id, job.attempts, now, &gone).await?;
                        continue;
                    };
                    let n = Arc::new(n);
                    notices.insert(job.notice_id.clone(), n.clone());
                    n
                }
            };
            let (app, settings) = (self.clone(), settings.clone());
            sends.spawn(async move {
                let timeout = Duration::from_millis(settings.send_timeout_ms);
                let result = match tokio::time::timeout(timeout, app.send(&settings, &job, &notice)).await {
                    Ok(r) => r,
                    Err(_) => Err(SendError::transient(format!("no answer within {} ms", settings.send_timeout_ms))),
                };
                let done = app.now_ms();
                let outcome = match result {
                    Ok(()) => AttemptOutcome::Sent,
                    Err(e) => {
                        let last = job.attempts >= i64::from(settings.max_attempts) || e.permanent;
                        let retry_at = (!last).then(|| done + retry_delay_ms(settings.retry_base_ms, job.attempts as u32));
                        tracing::warn!(channel = job.channel.as_str(), job = %job.id, attempt = job.attempts, error = %e.message, "delivery failed");
                        AttemptOutcome::Failed { error: e.message, retry_at }
                    }
                };
                if let Err(e) = app.store.finish_delivery_attempt(&job.id, job.attempts, done, &outcome).await {
                    // The lease lapses and the job is sent again: at least once still holds.
                    tracing::error!(job = %job.id, error = %e, "delivery outcome not recorded");
                }
            });
        }
        while sends.join_next().await.is_some() {}
        Ok(taken)
    }

    async fn send(&self, settings: &DeliverySettings, job: &DeliveryJob, n: &Notice) -> Result<(), SendError> {
        let key = delivery_key(&n.id, job.event, &job.user_id);
        match job.channel {
            Channel::Live => {
                let live = LiveNotice {
                    delivery_key: key,
                    user_id: job.user_id.clone(),
                    notice_id: n.id.clone(),
                    event: job.event.as_str().into(),
                    unit_id: job.unit_id.clone(),
                    kind: n.kind.as_str().into(),
                    priority: n.priority.as_str().into(),
                    title: n.title.clone(),
                    from_unit_id: n.from_unit_id.clone(),
                    created_at: n.created_at,
                    ack_deadline: n.ack_deadline,
                };
                if self.store.shared_by_servers() {
                    // Every server's listener (this one's too) passes it to its own streams.
                    let payload = serde_json::to_string(&live).map_err(|e| SendError::permanent(e.to_string()))?;
                    self.store.publish_live(&payload).await.map_err(|e| SendError::transient(e.to_string()))
                } else {
                    // No one connected is not a failure: the inbox holds the notice.
                    let _ = self.delivery.hub.send(live);
                    Ok(())
                }
            }
            Channel::Email => {
                let Some(smtp) = &settings.smtp else { return Err(SendError::transient("e-mail is not configured on this server")) };
                let Some(to) = &job.address else { return Err(SendError::permanent("no e-mail address")) };
                let recipient = self.store.user(&job.user_id).await.ok().flatten().map(|u| u.display_name).unwrap_or_default();
                let message = smtp::notice_message(smtp, to, &recipient, n, job.event, &job.user_id, self.now_ms());
                smtp::send(&smtp.host, smtp.port, &message).await
            }
            Channel::Gateway => {
                let Some(g) = &settings.gateway else { return Err(SendError::transient("the gateway is not configured on this server")) };
                let Some(phone) = &job.address else { return Err(SendError::permanent("no telephone number")) };
                gateway::send(&self.delivery.http, g, &key, job, phone, n).await
            }
        }
    }
}

/// Why a send failed, and whether trying again could help.
#[derive(Debug)]
pub(crate) struct SendError {
    message: String,
    permanent: bool,
}

impl SendError {
    pub(crate) fn transient(message: impl Into<String>) -> Self {
        SendError { message: message.into(), permanent: false }
    }

    pub(crate) fn permanent(message: impl Into<String>) -> Self {
        SendError { message: message.into(), permanent: true }
    }
}
