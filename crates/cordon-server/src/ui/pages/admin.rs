//! Administration: coordination agreements, sharing groups, units and users.

use cordon_app::{AgreementInput, GroupInput, NewUnitInput, NewUserInput};

use super::*;

/// Which form, if any, came back refused, and why.
struct Refusal {
    form: &'static str,
    field: String,
    reason: String,
}

/// The administration page (administrators only).
pub async fn admin(State(s): State<AppState>, ui: Ui) -> Response {
    admin_page(&s, &ui, None, &Form(Vec::new())).await
}

async fn admin_page(s: &AppState, ui: &Ui, refusal: Option<Refusal>, form: &Form) -> Response {
    let lang = ui.lang;
    if let Err(e) = ui.actor.require_admin() {
        return app_error_page(ui, e);
    }
    let loaded = async {
        Ok::<_, AppError>((
            s.app.agencies(&ui.actor).await?,
            s.app.units(&ui.actor, None).await?,
            s.app.users(&ui.actor, None).await?,
            s.app.agreements(&ui.actor).await?,
        ))
    }
    .await;
    let (agencies, units, users, agreements) = match loaded {
        Ok(v) => v,
        Err(e) => return app_error_page(ui, e),
    };
    let agency_name = |id: &str| {
        agencies
            .iter()
            .find(|a| a.id == id)
            .map(|a| if lang == Language::Vi { a.name_vi.clone() } else { a.name_en.clone() })
            .unwrap_or(id.into())
    };
    let error_for = |name: &str| {
        refusal.as_ref().filter(|r| r.form == name).map(|r| format!("{}: {}", r.field, super::super::i18n::reason(lang, &r.reason)))
    };
    let v = |k: &str| form.text(k);
    let agency_select = |id: &'static str, label: &'static str| {
        html! {
            label for=(id) { (t(lang, label)) }
            select id=(id) name=(id) {
                @for a in &agencies { option value=(a.id) selected[v(id) == a.id] { (agency_name(&a.id)) } }
            }
        }
    };
    let status = if refusal.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let body = html! {
        h1 { (t(lang, "admin.title")) }
        h2 #agreements { (t(lang, "admin.agreements")) }
        table {
            thead { tr {
                th scope="col" { (t(lang, "admin.name")) } th scope="col" { (t(lang, "admin.parties")) }
                th scope="col" { (t(lang, "admin.personal")) } th scope="col" { (t(lang, "admin.valid")) }
                th scope="col" { (t(lang, "admin.ack_windows")) }
            } }
            tbody {
                @for a in &agreements {
                    tr {
                        td { (a.name) } td { (agency_name(&a.agency_a)) " — " (agency_name(&a.agency_b)) }
                        td { (t(lang, if a.disclose_personal { "admin.disclosed" } else { "admin.withheld" })) }
                        td { (datetime(a.valid_from)) @if let Some(u) = a.valid_until { " → " (datetime(u)) } }
                        td {
                            @for (code, minutes) in [("urgent", a.ack_windows.urgent), ("high", a.ack_windows.high), ("normal", a.ack_windows.normal)] {
                                @if let Some(m) = minutes { span.tag { (code_label(lang, code)) " ≤ " (m) " min" } " " }
                            }
                        }
                    }
                }
            }
        }
        form.stack #new-agreement method="post" action="/admin/agreements" {
            input type="hidden" name="_csrf" value=(ui.csrf());
            @if let Some(e) = error_for("agreement") { p.error role="alert" { (e) } }
            label for="agreement_id" { (t(lang, "admin.id")) } input #agreement_id name="agreement_id" required value=(v("agreement_id"));
            label for="agreement_name" { (t(lang, "admin.name")) } input #agreement_name name="agreement_name" required value=(v("agreement_name"));
            (agency_select("agency_a", "admin.agency_a"))
            (agency_select("agency_b", "admin.agency_b"))
            label { input type="checkbox" name="disclose_personal" value="true" checked[v("disclose_personal") == "true"]; " " (t(lang, "admin.discloses")) }
            label for="valid_from" { (t(lang, "admin.valid_from")) } input #valid_from type="date" name="valid_from" required value=(v("valid_from"));
            label for="valid_until" { (t(lang, "admin.valid_until")) } input #valid_until type="date" name="valid_until" value=(v("valid_until"));
            label for="ack_urgent" { (t(lang, "admin.ack_urgent")) }
            input #ack_urgent type="number" min="1" max="10" name="ack_urgent" value=(v("ack_urgent"));
            button.primary type="submit" { (t(lang, "admin.add_agreement")) }
        }
        h2 #report_templates { (t(lang, "admin.report_templates")) }
        form.stack #new-report-template method="post" action="/admin/report-templates" {
            input type="hidden" name="_csrf" value=(ui.csrf());
            @if let Some(e) = error_for("report_template") { p.error role="alert" { (e) } }
            label for="template_scope" { (t(lang, "admin.template_scope")) }
            select #template_scope name="template_scope" {
                option value="country" { (t(lang, "admin.template_country")) }
                @for a in &agencies { option value=(a.id) selected[v("template_scope") == a.id] { (agency_name(&a.id)) } }
            }
            label for="template_title" { (t(lang, "admin.template_title")) }
            input #template_title name="template_title" required maxlength="300"
                value=(if form.opt("template_title").is_some() { v("template_title") } else { cordon_app::DEFAULT_REPORT_TITLE.to_string() });
            label for="template_authority" { (t(lang, "admin.template_authority")) }
            textarea #template_authority name="template_authority" rows="2" maxlength="500" { (v("template_authority")) }
            label for="template_introduction" { (t(lang, "admin.template_introduction")) }
            textarea #template_introduction name="template_introduction" rows="3" maxlength="5000" { (v("template_introduction")) }
            label for="template_closing" { (t(lang, "admin.template_closing")) }
            textarea #template_closing name="template_closing" rows="3" maxlength="5000" { (v("template_closing")) }
            fieldset {
                legend { (t(lang, "admin.template_sections")) }
                @for code in cordon_app::REPORT_SECTIONS {
                    label { input type="checkbox" name="template_section" value=(code) checked; " " (t(lang, &format!("admin.section.{code}"))) }
                }
            }
            button.primary type="submit" { (t(lang, "admin.save_template")) }
        }
        h2 #groups { (t(lang, "admin.groups")) }
        form.stack #new-group method="post" action="/admin/groups" {
            input type="hidden" name="_csrf" value=(ui.csrf());
            @if let Some(e) = error_for("group") { p.error role="alert" { (e) } }
            label for="group_id" { (t(lang, "admin.id")) } input #group_id name="group_id" required value=(v("group_id"));
            label for="group_name" { (t(lang, "admin.name")) } input #group_name name="group_name" required value=(v("group_name"));
            (agency_select("group_owner", "admin.group_owner"))
            fieldset {
                legend { (t(lang, "admin.members")) }
                @for a in &agencies { label { input type="checkbox" name="member" value=(a.id); " " (agency_name(&a.id)) } }
            }
            button.primary type="submit" { (t(lang, "admin.add_group")) }
        }
        h2 #units { (t(lang, "admin.units")) }
        table {
            thead { tr { th scope="col" { (t(lang, "admin.id")) } th scope="col" { (t(lang, "admin.name")) } th scope="col" { (t(lang, "admin.agency")) } th scope="col" { (t(lang, "field.province")) } } }
            tbody {
                @for u in &units {
                    tr { td { (u.id) } td { (if lang == Language::Vi { &u.name_vi } else { &u.name_en }) } td { (agency_name(&u.agency_id)) } td { (province_name(lang, u.province_code.as_deref())) } }
                }
            }
        }
        form.stack #new-unit method="post" action="/admin/units" {
            input type="hidden" name="_csrf" value=(ui.csrf());
            @if let Some(e) = error_for("unit") { p.error role="alert" { (e) } }
            label for="unit_id" { (t(lang, "admin.id")) } input #unit_id name="unit_id" required value=(v("unit_id"));
            (agency_select("unit_agency", "admin.agency"))
            label for="unit_name_vi" { (t(lang, "admin.name_vi")) } input #unit_name_vi name="unit_name_vi" required value=(v("unit_name_vi"));
            label for="unit_name_en" { (t(lang, "admin.name_en")) } input #unit_name_en name="unit_name_en" required value=(v("unit_name_en"));
            label for="unit_province" { (t(lang, "field.province")) } input #unit_province name="unit_province" value=(v("unit_province"));
            button.primary type="submit" { (t(lang, "admin.add_unit")) }
        }
        h2 #users { (t(lang, "admin.users")) }
        table {
            thead { tr { th scope="col" { (t(lang, "login.username")) } th scope="col" { (t(lang, "admin.name")) } th scope="col" { (t(lang, "admin.unit")) } th scope="col" { (t(lang, "admin.roles")) } } }
            tbody {
                @for u in &users {
                    tr { td { (u.username) } td { (u.display_name) } td { (u.unit_id) }
                        td { @for (i, r) in u.roles.iter().enumerate() { @if i > 0 { ", " } (code_label(lang, r.as_str())) } } }
                }
            }
        }
        form.stack #new-user method="post" action="/admin/users" {
            input type="hidden" name="_csrf" value=(ui.csrf());
            @if let Some(e) = error_for("user") { p.error role="alert" { (e) } }
            label for="new_username" { (t(lang, "login.username")) } input #new_username name="new_username" required value=(v("new_username"));
            label for="display_name" { (t(lang, "admin.name")) } input #display_name name="display_name" required value=(v("display_name"));
            label for="user_unit" { (t(lang, "admin.unit")) }
            select #user_unit name="user_unit" { @for u in &units { option value=(u.id) selected[v("user_unit") == u.id] { (u.id) } } }
            fieldset {
                legend { (t(lang, "admin.roles")) }
                @for r in cordon_core::Role::ALL { label { input type="checkbox" name="role" value=(r.as_str()); " " (code_label(lang, r.as_str())) } }
            }
            label for="initial_password" { (t(lang, "admin.initial_password")) }
            input #initial_password type="password" name="initial_password" required autocomplete="new-password";
            button.primary type="submit" { (t(lang, "admin.add_user")) }
        }
    };
    html_response(status, layout(lang, Some(ui), t(lang, "admin.title"), body))
}

/// Which form was posted, and the use case it calls.
async fn post_admin(s: &AppState, ui: &Ui, form: &Form, which: &'static str) -> Response {
    let day = |k: &str| form.opt(k).map(|d| parse_datetime(&d).ok_or(()));
    let result = match which {
        "agreement" => {
            let (from, until) = (day("valid_from"), day("valid_until"));
            match (from, until) {
                (Some(Ok(valid_from)), until) if !matches!(until, Some(Err(_))) => s
                    .app
                    .create_agreement(
                        &ui.actor,
                        AgreementInput {
                            id: form.text("agreement_id"),
                            name: form.text("agreement_name"),
                            agency_a: form.text("agency_a"),
                            agency_b: form.text("agency_b"),
                            case_types: Vec::new(),
                            disclose_personal: form.get("disclose_personal") == Some("true"),
                            valid_from,
                            valid_until: until.and_then(Result::ok),
                            // An unreadable number is sent on as 0, which the agreement refuses with its reason.
                            ack_windows: cordon_app::AckWindows {
                                urgent: form.opt("ack_urgent").map(|m| m.trim().parse().unwrap_or(0)),
                                ..Default::default()
                            },
                        },
                    )
                    .await
                    .map(|_| ()),
                _ => Err(AppError::Invalid(cordon_core::Invalid::new("valid_from", t(ui.lang, "form.bad_date")))),
            }
        }
        "report_template" => s
            .app
            .set_report_template(
                &ui.actor,
                &form.text("template_scope"),
                cordon_app::ReportTemplateView {
                    title: form.text("template_title"),
                    authority: form.text("template_authority"),
                    introduction: form.text("template_introduction"),
                    closing: form.text("template_closing"),
                    sections: form.all("template_section"),
                },
            )
            .await
            .map(|_| ()),
        "group" => s
            .app
            .create_group(
                &ui.actor,
                GroupInput {
                    id: form.text("group_id"),
                    name: form.text("group_name"),
                    owner_agency_id: form.text("group_owner"),
                    members: form.all("member"),
                },
            )
            .await
            .map(|_| ()),
        "unit" => s
            .app
            .create_unit(
                &ui.actor,
                NewUnitInput {
                    id: form.text("unit_id"),
                    agency_id: form.text("unit_agency"),
                    parent_id: None,
                    name_vi: form.text("unit_name_vi"),
                    name_en: form.text("unit_name_en"),
                    province: form.opt("unit_province"),
                },
            )
            .await
            .map(|_| ()),
        _ => s
            .app
            .create_user(
                &ui.actor,
                NewUserInput {
                    username: form.text("new_username"),
                    display_name: form.text("display_name"),
                    unit_id: form.text("user_unit"),
                    roles: form.all("role"),
                    password: form.get("initial_password").unwrap_or_default().to_string(),
                    must_change_password: true,
                    language: None,
                },
            )
            .await
            .map(|_| ()),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/admin#{which}s")).into_response(),
        Err(AppError::Invalid(i)) => admin_page(s, ui, Some(Refusal { form: which, field: i.field.into(), reason: i.reason }), form).await,
        Err(AppError::Conflict(what)) => {
            admin_page(
                s,
                ui,
                Some(Refusal { form: which, field: "id".into(), reason: format!("{what} {}", t(ui.lang, "admin.taken")) }),
                form,
            )
            .await
        }
        Err(e) => app_error_page(ui, e),
    }
}

macro_rules! admin_post {
    ($name:ident, $which:literal) => {
        /// Creates one record from the administration page.
        pub async fn $name(State(s): State<AppState>, ui: Ui, body: Bytes) -> Response {
            let form = Form::parse(&body);
            if !ui.csrf_ok(&form) {
                return ui.csrf_refused();
            }
            post_admin(&s, &ui, &form, $which).await
        }
    };
}

admin_post!(create_agreement, "agreement");
admin_post!(create_group, "group");
admin_post!(set_report_template, "report_template");
admin_post!(create_unit, "unit");
admin_post!(create_user, "user");
