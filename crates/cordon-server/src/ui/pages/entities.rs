//! The entity page: identifiers, the network around it, its cases, and the candidate matches
//! entity resolution found, each with its per-field explanation and the analyst's buttons.

use cordon_app::{EntityMatchView, MatchDecisionInput};

use super::*;

/// The entity page, with a refused decision's reason when one came back.
pub(crate) async fn entity_page(s: &AppState, ui: &Ui, id: &str, refusal: Option<String>) -> Response {
    let lang = ui.lang;
    let e = match s.app.entity(&ui.actor, id).await {
        Ok(e) => e,
        Err(err) => return app_error_page(ui, err),
    };
    let matches = match s.app.entity_matches(&ui.actor, id).await {
        Ok(m) => m,
        Err(err) => return app_error_page(ui, err),
    };
    let body = html! {
        h1 { (e.name) " — " (code_label(lang, &e.kind)) }
        dl.facts {
            @for (k, v) in &e.identifiers { dt { (k.to_uppercase()) } dd { (v) } }
            dt { (t(lang, "field.held_by")) } dd { (e.held_by) }
        }
        h2 #entity-links { (t(lang, "entity.links")) }
        (network_graph("entity-links", &e))
        p { a #entity-network href=(format!("/network?entity={}", e.id)) { (t(lang, "entity.network")) } }
        h2 { (t(lang, "entity.cases")) }
        table #entity-cases {
            thead { tr { th scope="col" { (t(lang, "field.reference")) } th scope="col" { (t(lang, "field.title")) } th scope="col" { (t(lang, "field.party_role")) } th scope="col" { (t(lang, "field.detected_at")) } } }
            tbody {
                @for c in &e.cases {
                    tr { td { a href=(format!("/cases/{}", c.id)) { (c.reference) } } td { (c.title) } td { (code_label(lang, &c.role)) } td { (datetime(c.detected_at)) } }
                }
            }
        }
        (matches_section(ui, id, &matches, refusal.as_deref()))
    };
    html_response(StatusCode::OK, layout(lang, Some(ui), &e.name, body))
}

/// The candidate matches: who, how likely, why field by field, and confirm / not the same / split.
fn matches_section(ui: &Ui, entity: &str, matches: &[EntityMatchView], refusal: Option<&str>) -> Markup {
    let lang = ui.lang;
    html! {
        h2 #entity-matches { (t(lang, "match.title")) }
        @if let Some(r) = refusal { p.error role="alert" { (super::super::i18n::reason(lang, r)) } }
        @if matches.is_empty() { p { (t(lang, "match.none")) } }
        @for m in matches {
            section.match aria-label=(t(lang, "match.title")) {
                @if m.visible {
                    h3 {
                        @if let Some(other) = &m.entity_id { a href=(format!("/entities/{other}")) { (m.name.clone().unwrap_or_default()) } }
                        " — " (m.held_by)
                    }
                    p {
                        (t(lang, "match.probability")) ": " (format!("{:.3}", m.probability.unwrap_or_default()))
                        " · " (t(lang, "match.status")) ": " (t(lang, &format!("match.status.{}", m.status.as_deref().unwrap_or("candidate"))))
                        @if let Some(f) = &m.decided_by_field { " · " (t(lang, "match.decided_by")) " " (f) }
                    }
                    table {
                        thead { tr { th scope="col" { (t(lang, "match.field")) } th scope="col" { (t(lang, "match.level")) } th scope="col" { (t(lang, "match.weight")) } } }
                        tbody {
                            @for f in &m.fields {
                                tr { td { (f.field) } td { (f.level) } td { (format!("{:+.2}", f.weight)) } }
                            }
                        }
                    }
                    @let actions: &[&str] = match m.status.as_deref() {
                        Some("candidate") => &["confirm", "reject"],
                        Some("linked") => &["confirm", "split"],
                        Some("confirmed") => &["split"],
                        _ => &[],
                    };
                    @if !actions.is_empty() {
                        form.stack method="post" action=(format!("/entity-matches/{}/decision", m.id)) {
                            input type="hidden" name="_csrf" value=(ui.csrf());
                            input type="hidden" name="entity" value=(entity);
                            label { (t(lang, "match.reason")) " " input type="text" name="reason" maxlength="2000"; }
                            @for a in actions {
                                button type="submit" name="decision" value=(a) { (t(lang, &format!("match.do.{a}"))) }
                            }
                        }
                    }
                } @else {
                    p {
                        (t(lang, "match.hidden")) " " strong { (m.held_by) }
                        @if let Some(case_id) = &m.access_case_id {
                            " — " a href=(format!("/cases/{case_id}")) { (t(lang, "match.ask_access")) }
                        }
                    }
                }
            }
        }
    }
}

/// Records a decision from the entity page and goes back to it; a refusal comes back on the page.
pub async fn decide_match(State(s): State<AppState>, ui: Ui, Path(id): Path<String>, body: Bytes) -> Response {
    let form = Form::parse(&body);
    if !ui.csrf_ok(&form) {
        return ui.csrf_refused();
    }
    let entity = form.text("entity");
    let input = MatchDecisionInput { decision: form.text("decision"), reason: form.text("reason") };
    match s.app.decide_entity_match(&ui.actor, &id, input).await {
        Ok(_) => Redirect::to(&format!("/entities/{entity}#entity-matches")).into_response(),
        Err(AppError::Invalid(i)) => entity_page(&s, &ui, &entity, Some(i.to_string())).await,
        Err(e) => app_error_page(&ui, e),
    }
}
