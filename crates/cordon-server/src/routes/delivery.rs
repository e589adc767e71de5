//! Delivery of notices: the live event stream, each notice's deliveries and attempts, unit
//! duty rosters, and users' contact details for the channels.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use cordon_app::{ContactInput, ContactView, DeliveriesView, DutyRosterView, DutyShiftInput, DutyShiftView, StreamItem};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::Authed;
use crate::problem::{ApiError, Json, Query};
use crate::AppState;

pub fn add(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(notice_stream))
        .routes(routes!(notice_deliveries))
        .routes(routes!(duty_roster, add_duty_shift))
        .routes(routes!(remove_duty_shift))
        .routes(routes!(set_contact))
}

/// The signed-in user's notices as they are delivered live (server-sent events). Each event
/// is named `notice`, carries a `LiveNotice` as JSON, and has the delivery key as its id: the
/// same notice may come twice after a server restart, and a client drops the second. An event
/// named `missed` says the stream fell behind: reload the inbox.
#[utoipa::path(get, path = "/api/v1/notices/stream", tag = "coordination", security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "text/event-stream of `notice` events", content_type = "text/event-stream")))]
async fn notice_stream(
    State(s): State<AppState>,
    Authed(actor): Authed,
) -> Result<Sse<impl futures_util::Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let stream = s.app.notice_stream(&actor).await?;
    let events = futures_util::stream::unfold(stream, |mut stream| async move {
        let event = match stream.next().await? {
            StreamItem::Notice(n) => {
                let data = serde_json::to_string(&n).unwrap_or_default();
                Event::default().event("notice").id(n.delivery_key.clone()).data(data)
            }
            StreamItem::Missed(n) => Event::default().event("missed").data(n.to_string()),
        };
        Some((Ok(event), stream))
    });
    // A comment every 15 s keeps proxies from closing an idle stream.
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// A notice's deliveries: to whom in each addressed unit and why (on duty, or nobody on duty
/// and so the head), and each channel's attempts with their status and error.
#[utoipa::path(get, path = "/api/v1/notices/{id}/deliveries", tag = "coordination", params(("id" = String, Path)),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = DeliveriesView), (status = 404, body = crate::problem::Problem)))]
async fn notice_deliveries(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> Result<axum::Json<DeliveriesView>, ApiError> {
    Ok(axum::Json(s.app.notice_deliveries(&actor, &id).await?))
}

/// The period of a roster to show.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct RosterPeriod {
    /// From, ms (default: a day ago).
    from: Option<i64>,
    /// Until, ms (default: a week on).
    to: Option<i64>,
}

/// A unit's duty roster and who is on duty now, for its members and administrators.
#[utoipa::path(get, path = "/api/v1/units/{id}/duty", tag = "coordination", params(("id" = String, Path), RosterPeriod),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = DutyRosterView), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem)))]
async fn duty_roster(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    Query(p): Query<RosterPeriod>,
) -> Result<axum::Json<DutyRosterView>, ApiError> {
    Ok(axum::Json(s.app.duty_roster(&actor, &id, p.from, p.to).await?))
}

/// Puts a user of the unit on duty for a period (the unit's head or deputy, or an administrator).
#[utoipa::path(post, path = "/api/v1/units/{id}/duty", tag = "coordination", params(("id" = String, Path)), request_body = DutyShiftInput,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = DutyShiftView), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)))]
async fn add_duty_shift(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    Json(input): Json<DutyShiftInput>,
) -> Result<(StatusCode, axum::Json<DutyShiftView>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(s.app.add_duty_shift(&actor, &id, input).await?)))
}

/// Takes a shift off the unit's roster.
#[utoipa::path(delete, path = "/api/v1/units/{id}/duty/{shift_id}", tag = "coordination", params(("id" = String, Path), ("shift_id" = String, Path)),
    security(("bearer" = []), ("session" = [])),
    responses((status = 204), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem)))]
async fn remove_duty_shift(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path((id, shift_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    s.app.remove_duty_shift(&actor, &id, &shift_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sets a user's e-mail address and telephone number for notice delivery (the user, or an administrator).
#[utoipa::path(put, path = "/api/v1/users/{id}/contact", tag = "directory", params(("id" = String, Path)), request_body = ContactInput,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = ContactView), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)))]
async fn set_contact(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    Json(input): Json<ContactInput>,
) -> Result<axum::Json<ContactView>, ApiError> {
    Ok(axum::Json(s.app.set_contact(&actor, &id, input).await?))
}
