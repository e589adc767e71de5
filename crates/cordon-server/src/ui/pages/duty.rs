//! The unit's duty page: who is on duty now and the roster ahead (kept by the head or deputy),
//! and the head's delegations to a deputy with their period and scope.

use cordon_app::{DelegationInput, DutyShiftInput};
use cordon_core::notice::DelegatedPower;

use super::*;

/// Which form came back refused, and why.
struct Refusal {
    form: &'static str,
    text: String,
}

/// The duty page of the actor's own unit.
pub async fn duty(State(s): State<AppState>, ui: Ui) -> Response {
    duty_page(&s, &ui, None, &Form(Vec::new())).await
}

async fn duty_page(s: &AppState, ui: &Ui, refusal: Option<Refusal>, form: &Form) -> Response {
    let lang = ui.lang;
    let unit = ui.actor.user.unit_id.clone();
    let loaded = async {
        Ok::<_, AppError>((
            s.app.duty_roster(&ui.actor, &unit, None, None).await?,
            s.app.delegations(&ui.actor).await?,
            s.app.unit_members(&ui.actor).await?,
        ))
    }
    .await;
    let (roster, delegations, members) = match loaded {
        Ok(v) => v,
        Err(e) => return app_error_page(ui, e),
    };
    let name = |id: &str| members.iter().find(|m| m.id == id).map_or_else(|| id.to_string(), |m| m.display_name.clone());
    let roles = &ui.actor.user.roles;
    let keeps_roster = roles.holds(cordon_core::Role::UnitHead) || roles.holds(cordon_core::Role::DeputyHead);
    let is_head = roles.holds(cordon_core::Role::UnitHead);
    let error_for = |f: &str| refusal.as_ref().filter(|r| r.form == f).map(|r| r.text.clone());
    let v = |k: &str| form.text(k);
    let chosen = form.all("scope");
    let status = if refusal.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let body = html! {
        h1 { (t(lang, "duty.title")) " · " (unit) }
        h2 #on-duty { (t(lang, "duty.now")) }
        @if roster.on_duty_now.is_empty() {
            p.muted #nobody-on-duty { (t(lang, "duty.nobody")) }
        } @else {
            ul #on-duty-now { @for u in &roster.on_duty_now { li { (name(u)) } } }
        }
        h2 #roster { (t(lang, "duty.roster")) }
        table #roster-table {
            thead { tr { th scope="col" { (t(lang, "duty.officer")) } th scope="col" { (t(lang, "duty.from")) } th scope="col" { (t(lang, "duty.until")) } th scope="col" { (t(lang, "duty.note")) } } }
            tbody {
                @for sh in &roster.shifts {
                    tr { td { (name(&sh.user_id)) } td { (datetime(sh.starts_at)) } td { (datetime(sh.ends_at)) } td { (sh.note) } }
                }
            }
        }
        @if keeps_roster {
            form.stack #new-shift method="post" action="/duty/shifts" {
                input type="hidden" name="_csrf" value=(ui.csrf());
                @if let Some(e) = error_for("shift") { p.error role="alert" { (e) } }
                label for="shift_user" { (t(lang, "duty.officer")) }
                select #shift_user name="shift_user" { @for m in &members { option value=(m.id) selected[v("shift_user") == m.id] { (m.display_name) } } }
                label for="shift_from" { (t(lang, "duty.from")) }
                input #shift_from type="datetime-local" name="shift_from" required value=(v("shift_from"));
                label for="shift_until" { (t(lang, "duty.until")) }
                input #shift_until type="datetime-local" name="shift_until" required value=(v("shift_until"));
                label for="shift_note" { (t(lang, "duty.note")) }
                input #shift_note type="text" name="shift_note" maxlength="500" value=(v("shift_note"));
                button.primary type="submit" { (t(lang, "duty.add_shift")) }
            }
        }
        h2 #delegations { (t(lang, "duty.delegations")) }
        table #delegation-table {
            thead { tr {
                th scope="col" { (t(lang, "duty.head")) } th scope="col" { (t(lang, "duty.deputy")) } th scope="col" { (t(lang, "duty.period")) }
                th scope="col" { (t(lang, "duty.scope")) } th scope="col" { (t(lang, "duty.reason")) }
            } }
            tbody {
                @for d in &delegations {
                    tr data-delegation=(d.id) {
                        td { (name(&d.from_user_id)) } td { (name(&d.to_user_id)) }
                        td { (datetime(d.starts_at)) " → " (datetime(d.ends_at)) }
                        td.scope { @for (i, p) in d.scope.iter().enumerate() { @if i > 0 { ", " } (code_label(lang, p)) } }
                        td { (d.reason) }
                    }
                }
            }
        }
        @if is_head {
            form.stack #new-delegation method="post" action="/duty/delegations" {
                input type="hidden" name="_csrf" value=(ui.csrf());
                @if let Some(e) = error_for("delegation") { p.error role="alert" { (e) } }
                label for="delegate_to" { (t(lang, "duty.deputy")) }
                select #delegate_to name="delegate_to" {
                    @for m in members.iter().filter(|m| (m.head || m.deputy) && m.id != ui.actor.user.id) {
                        option value=(m.id) selected[v("delegate_to") == m.id] { (m.display_name) }
                    }
                }
                label for="delegate_from" { (t(lang, "duty.from")) }
                input #delegate_from type="datetime-local" name="delegate_from" required value=(v("delegate_from"));
                label for="delegate_until" { (t(lang, "duty.until")) }
                input #delegate_until type="datetime-local" name="delegate_until" required value=(v("delegate_until"));
                fieldset #delegation-scope {
                    legend { (t(lang, "duty.scope")) }
                    @for p in DelegatedPower::ALL {
                        label {
                            input type="checkbox" name="scope" value=(p.as_str()) checked[form.0.is_empty() || chosen.iter().any(|c| c == p.as_str())];
                            " " (code_label(lang, p.as_str()))
                        }
                    }
                }
                label for="delegate_reason" { (t(lang, "duty.reason")) }
                input #delegate_reason type="text" name="delegate_reason" required maxlength="500" value=(v("delegate_reason"));
                button.primary type="submit" { (t(lang, "duty.delegate")) }
            }
        }
    };
    html_response(status, layout(lang, Some(ui), t(lang, "duty.title"), body))
}

/// The period a form gives under `from` and `until`; an unreadable time is sent as 0, which the
/// use case refuses with its own reason.
fn period(form: &Form, from: &str, until: &str) -> (i64, i64) {
    let at = |k: &str| form.opt(k).and_then(|d| parse_datetime(&d)).unwrap_or(0);
    (at(from), at(until))
}

/// Puts a member of the unit on duty, from the duty page.
pub async fn add_shift(State(s): State<AppState>, ui: Ui, body: Bytes) -> Response {
    let form = Form::parse(&body);
    if !ui.csrf_ok(&form) {
        return ui.csrf_refused();
    }
    let (starts_at, ends_at) = period(&form, "shift_from", "shift_until");
    let input = DutyShiftInput { user_id: form.text("shift_user"), starts_at, ends_at, note: form.text("shift_note") };
    match s.app.add_duty_shift(&ui.actor, &ui.actor.user.unit_id, input).await {
        Ok(_) => Redirect::to("/duty#roster").into_response(),
        Err(AppError::Invalid(i)) => {
            let text = format!("{}: {}", i.field, super::super::i18n::reason(ui.lang, &i.reason));
            duty_page(&s, &ui, Some(Refusal { form: "shift", text }), &form).await
        }
        Err(e) => app_error_page(&ui, e),
    }
}

/// Records the head's delegation to a deputy, from the duty page.
pub async fn create_delegation(State(s): State<AppState>, ui: Ui, body: Bytes) -> Response {
    let form = Form::parse(&body);
    if !ui.csrf_ok(&form) {
        return ui.csrf_refused();
    }
    let (starts_at, ends_at) = period(&form, "delegate_from", "delegate_until");
    let input = DelegationInput {
        to_user_id: form.text("delegate_to"),
        starts_at,
        ends_at,
        reason: form.text("delegate_reason"),
        scope: Some(form.all("scope")),
    };
    match s.app.create_delegation(&ui.actor, input).await {
        Ok(_) => Redirect::to("/duty#delegations").into_response(),
        Err(AppError::Invalid(i)) => {
            let text = format!("{}: {}", i.field, super::super::i18n::reason(ui.lang, &i.reason));
            duty_page(&s, &ui, Some(Refusal { form: "delegation", text }), &form).await
        }
        Err(e) => app_error_page(&ui, e),
    }
}
