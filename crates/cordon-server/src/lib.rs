//! Cordon's HTTP face: routes, authentication, problem+json errors, OpenAPI and metrics over `cordon-app`.
//!
//! Handlers parse and authenticate, call one use case, and shape its answer; they hold
//! no rule of their own and never see SQL.

mod extract;
pub mod metrics;
pub mod problem;
mod reports;
mod routes;
mod ui;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::http::{header, HeaderValue, StatusCode};
use axum::Router;
use cordon_app::App;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

pub use extract::SESSION_COOKIE;
pub use reports::send_due_reports;

/// How the HTTP layer behaves (what is not the app's business).
#[derive(Debug, Clone, Default)]
pub struct ServerOptions {
    /// Mark the session cookie `Secure` (when served over HTTPS, directly or behind a proxy).
    pub secure_cookies: bool,
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The use cases.
    pub app: App,
    /// Request metrics.
    pub metrics: Arc<metrics::Metrics>,
    /// HTTP options.
    pub options: ServerOptions,
}

/// Largest request body accepted (evidence uploads will get their own, streamed limit).
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(title = "Cordon API", description = "Inter-agency information exchange and coordination against smuggling, trade fraud and counterfeit goods.", version = "1"),
    modifiers(&SecurityAddon),
    tags((name = "system"), (name = "auth"), (name = "directory"), (name = "reference"), (name = "audit"), (name = "cases"), (name = "sharing"), (name = "transfer"), (name = "coordination"), (name = "screening"), (name = "tips"), (name = "requests"), (name = "analytics"), (name = "directives"))
)]
struct ApiDoc;

struct SecurityAddon;

impl utoipa::Modify for SecurityAddon {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
        components.add_security_scheme("session", SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(SESSION_COOKIE))));
    }
}

/// The routes and the OpenAPI document describing them, built from the same list so
/// that neither can drift from the other.
pub fn routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let router = OpenApiRouter::with_openapi(ApiDoc::openapi());
    let router = routes::system::add(router);
    let router = routes::auth::add(router);
    let router = routes::directory::add(router);
    let router = routes::reference::add(router);
    let router = routes::audit::add(router);
    let router = routes::cases::add(router);
    let router = routes::sharing::add(router);
    let router = routes::transfer::add(router);
    let router = routes::entities::add(router);
    let router = routes::network::add(router);
    let router = routes::notices::add(router);
    let router = routes::screening::add(router);
    let router = routes::tips::add(router);
    let router = routes::delivery::add(router);
    let router = routes::requests::add(router);
    let router = routes::coordination::add(router);
    let router = routes::analytics::add(router);
    let router = routes::directives::add(router);
    router.split_for_parts()
}

/// The OpenAPI 3.1 document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes().1
}

/// The whole HTTP application over `app`.
pub fn router(app: App, options: ServerOptions) -> Router {
    let state = AppState { app, metrics: Arc::new(metrics::Metrics::default()), options };
    let (api, doc) = routes();
    let doc = Arc::new(doc);
    api.route("/api/v1/openapi.json", axum::routing::get(move || routes::system::openapi_json(doc.clone())))
        .merge(ui::routes())
        .fallback(|| async { problem::ApiError::no_route() })
        .method_not_allowed_fallback(|| async {
            problem::ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "Method not allowed",
                "This resource does not accept that method.",
            )
        })
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .layer(CatchPanicLayer::custom(|_| {
            axum::response::IntoResponse::into_response(problem::ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal error",
                "The request failed; nothing was changed.",
            ))
        }))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves until `shutdown` completes, then lets in-flight requests finish: every write
/// acknowledged to a client was committed before its answer left, so it is on disk when
/// this returns. The caller closes the store.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: App,
    options: ServerOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Live event streams never end by themselves: end them when the server stops, or the
    // graceful shutdown would wait for them for ever.
    let streams = app.clone();
    let shutdown = async move {
        shutdown.await;
        streams.close_live_streams();
    };
    let router = router(app, options);
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).with_graceful_shutdown(shutdown).await
}
