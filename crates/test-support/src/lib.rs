//! Test support: a real Cordon server on port 0 over a fresh SQLite or PostgreSQL store, and a client for it.
//!
//! Dev-only: a failed setup step is a broken test environment, not a case to handle, so the
//! helpers panic with a message (`expect`) instead of returning errors.

use std::sync::Arc;

use cordon_app::{Actor, App, FixedClock, NewUserInput};
use cordon_server::ServerOptions;
use cordon_store::scratch::{scratch_postgres, test_postgres_url};
use cordon_store::{Store, StoreTarget};
use serde_json::{json, Value};

/// Which backend a test server stores into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file in a temporary directory.
    Sqlite,
    /// A fresh schema on the test PostgreSQL server.
    Postgres,
}

/// A running server; stopped and its data removed when dropped.
pub struct TestServer {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The app behind it, for seeding through use cases.
    pub app: App,
    /// The clock the app reads; tests move it.
    pub clock: Arc<FixedClock>,
    /// Where the data lives.
    pub target: StoreTarget,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

/// Starting time of every test clock: 2026-01-15 08:00 ICT.
pub const T0: i64 = 1_768_438_800_000;

/// The standard password of users made with [`TestServer::user`].
pub const PASSWORD: &str = "correct horse battery staple";

impl TestServer {
    /// Starts a server over a fresh store, or returns `None` when the backend is
    /// PostgreSQL and no server answers (and `CORDON_REQUIRE_PG` is not `1`).
    pub async fn start(backend: Backend) -> Option<TestServer> {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = match backend {
            Backend::Sqlite => StoreTarget::Sqlite(dir.path().join("cordon.db")),
            Backend::Postgres => match scratch_postgres(&test_postgres_url()).await {
                Ok(t) => t,
                Err(e) if std::env::var("CORDON_REQUIRE_PG").as_deref() != Ok("1") => {
                    eprintln!("PostgreSQL SKIPPED ({e}); set CORDON_REQUIRE_PG=1 to make this fail");
                    return None;
                }
                Err(e) => panic!("PostgreSQL required but unusable: {e}"),
            },
        };
        Some(TestServer::start_over(dir, target, Arc::new(FixedClock::at(T0))).await)
    }

    /// A server over an existing data directory and store, reading `clock`.
    async fn start_over(dir: tempfile::TempDir, target: StoreTarget, clock: Arc<FixedClock>) -> TestServer {
        let store = Store::open(&target).await.expect("open store");
        let index = cordon_search::SearchIndex::open(&dir.path().join("index")).expect("search index");
        // After a restart, the old app's last clones (tasks being cancelled, connections
        // closing) let go of the index writer's lock within moments.
        let mut tries = 0;
        let search = loop {
            match cordon_search::LiveIndex::new(index.clone()) {
                Ok(s) => break s,
                Err(_) if tries < 100 => {
                    tries += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
                Err(e) => panic!("index writer: {e}"),
            }
        };
        let files = cordon_store::FileStore::new(&dir.path().join("evidence"));
        let app = App::new(store, clock.clone(), ed25519_dalek::SigningKey::from_bytes(&[42u8; 32]), search, files);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server_app = app.clone();
        let task = tokio::spawn(async move {
            let _ = cordon_server::serve(listener, server_app, ServerOptions::default(), async {
                let _ = rx.await;
            })
            .await;
        });
        TestServer { base, app, clock, target, shutdown: Some(tx), task: Some(task), _dir: dir }
    }

    /// Stops the server and closes its store, then starts a new one over the same data
    /// directory and store with the same clock, as a restart of the process would (on a new port).
    pub async fn restart(mut self) -> TestServer {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        self.app.store().close().await;
        let dir = std::mem::replace(&mut self._dir, tempfile::tempdir().expect("temp dir"));
        let (target, clock) = (self.target.clone(), self.clock.clone());
        drop(self);
        TestServer::start_over(dir, target, clock).await
    }

    /// A second server over the same store (PostgreSQL: two instances behind one address),
    /// with its own data directory and the same clock.
    pub async fn second_instance(&self) -> TestServer {
        TestServer::start_over(tempfile::tempdir().expect("temp dir"), self.target.clone(), self.clock.clone()).await
    }

    /// Stops the server and waits until it has closed the store.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Creates (if need be) an agency `(id, kind)` and a unit, then a user with roles in it,
    /// through the use cases.
    pub async fn user(&self, username: &str, (agency, kind): (&str, &str), unit: &str, roles: &[&str]) {
        let cli = Actor::cli();
        if self.app.store().agency(agency).await.expect("agency lookup").is_none() {
            // Foreign partners take their country from the id's last part ("customs-cn" is CN).
            let foreign = matches!(kind, "foreign_customs" | "international_organisation");
            let country = foreign.then(|| agency.rsplit('-').next().unwrap_or("zz").to_ascii_uppercase());
            let input = cordon_app::NewAgencyInput {
                id: agency.into(),
                kind: kind.into(),
                name_vi: agency.into(),
                name_en: agency.into(),
                country,
            };
            self.app.create_agency(&cli, input).await.expect("agency");
        }
        if self.app.store().unit(unit).await.expect("unit lookup").is_none() {
            let input = cordon_app::NewUnitInput {
                id: unit.into(),
                agency_id: agency.into(),
                parent_id: None,
                name_vi: unit.into(),
                name_en: unit.into(),
                province: None,
            };
            self.app.create_unit(&cli, input).await.expect("unit");
        }
        let input = NewUserInput {
            username: username.into(),
            display_name: username.into(),
            unit_id: unit.into(),
            roles: roles.iter().map(|r| (*r).to_string()).collect(),
            password: PASSWORD.into(),
            must_change_password: false,
            language: None,
        };
        self.app.create_user(&cli, input).await.expect("user");
    }

    /// Binds two existing agencies by an open-ended coordination agreement over every case type,
    /// personal details withheld: what notices between agencies need.
    pub async fn agreement(&self, a: &str, b: &str) {
        let input = cordon_app::AgreementInput {
            id: format!("qcph-{a}-{b}"),
            name: format!("Quy chế phối hợp {a} – {b}"),
            agency_a: a.into(),
            agency_b: b.into(),
            case_types: Vec::new(),
            disclose_personal: false,
            valid_from: 0,
            valid_until: None,
            ack_windows: cordon_app::AckWindows::default(),
        };
        self.app.create_agreement(&Actor::cli(), input).await.expect("agreement");
    }

    /// Signs in through the login form, as a browser does: pages with the session cookie.
    pub async fn page_session(&self, username: &str) -> PageSession {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        let resp =
            http.post(format!("{}/login", self.base)).form(&[("username", username), ("password", PASSWORD)]).send().await.expect("login");
        let cookie =
            resp.headers()[reqwest::header::SET_COOKIE].to_str().expect("cookie").split(';').next().unwrap_or_default().to_string();
        PageSession { http, base: self.base.clone(), cookie }
    }

    /// A client with no credentials.
    pub fn anonymous(&self) -> Client {
        Client { base: self.base.clone(), http: reqwest::Client::new(), token: None }
    }

    /// Logs in with the standard password and returns a client carrying the bearer token.
    pub async fn login(&self, username: &str) -> Client {
        let c = self.anonymous();
        let (status, body) = c.post("/api/v1/auth/login", json!({ "username": username, "password": PASSWORD })).await;
        assert_eq!(status, 200, "login {username}: {body}");
        Client { token: body["token"].as_str().map(str::to_string), ..c }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// An HTTP client for one caller.
#[derive(Clone)]
pub struct Client {
    /// Server base URL.
    pub base: String,
    /// The underlying client.
    pub http: reqwest::Client,
    /// Bearer token, if signed in.
    pub token: Option<String>,
}

impl Client {
    fn auth(&self, rb: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.token {
            Some(t) => rb.bearer_auth(t),
            None => rb,
        }
    }

    /// GET, answering status and JSON (or Null).
    pub async fn get(&self, path: &str) -> (u16, Value) {
        let resp = self.auth(self.http.get(format!("{}{path}", self.base))).send().await.expect("request");
        split(resp).await
    }

    /// POST JSON, answering status and JSON (or Null).
    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let resp = self.auth(self.http.post(format!("{}{path}", self.base))).json(&body).send().await.expect("request");
        split(resp).await
    }

    /// PUT JSON, answering status and JSON (or Null).
    pub async fn put(&self, path: &str, body: Value) -> (u16, Value) {
        let resp = self.auth(self.http.put(format!("{}{path}", self.base))).json(&body).send().await.expect("request");
        split(resp).await
    }

    /// Sends any request built from this client (raw bodies, headers), with the bearer token.
    pub async fn send(&self, rb: reqwest::RequestBuilder) -> reqwest::Response {
        self.auth(rb).send().await.expect("request")
    }
}

/// A signed-in browser session without a browser: pages and forms over the session cookie,
/// redirects not followed.
pub struct PageSession {
    /// The HTTP client.
    pub http: reqwest::Client,
    /// The server's base URL.
    pub base: String,
    /// The session cookie, `name=value`.
    pub cookie: String,
}

impl PageSession {
    /// GET a page: status and body.
    pub async fn get(&self, path: &str) -> (u16, String) {
        let resp = self.http.get(format!("{}{path}", self.base)).header(reqwest::header::COOKIE, &self.cookie).send().await.expect("page");
        (resp.status().as_u16(), resp.text().await.unwrap_or_default())
    }

    /// Posts a form with the CSRF token of the page at `from`; answers status, Location and body.
    pub async fn post(&self, from: &str, path: &str, fields: &[(&str, &str)]) -> (u16, String, String) {
        let (_, page) = self.get(from).await;
        let token = page
            .split("name=\"_csrf\" value=\"")
            .nth(1)
            .expect("a CSRF token on the page")
            .split('"')
            .next()
            .unwrap_or_default()
            .to_string();
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("_csrf", &token));
        let resp = self
            .http
            .post(format!("{}{path}", self.base))
            .header(reqwest::header::COOKIE, &self.cookie)
            .form(&form)
            .send()
            .await
            .expect("form");
        let location = resp.headers().get(reqwest::header::LOCATION).and_then(|l| l.to_str().ok()).unwrap_or_default().to_string();
        (resp.status().as_u16(), location, resp.text().await.unwrap_or_default())
    }
}

/// Status and JSON body of a response (Null when the body is not JSON).
pub async fn split(resp: reqwest::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Declares each listed async test fn `name(TestServer)` twice: on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                if let Some(s) = $crate::TestServer::start($crate::Backend::Sqlite).await { super::$name(s).await }
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                if let Some(s) = $crate::TestServer::start($crate::Backend::Postgres).await { super::$name(s).await }
            })*
        }
    };
}
