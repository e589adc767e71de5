//! The network page: the graph of entities and cases around an entity or a case, or over a
//! filtered set of cases; candidate rings, the most central entities, the communities drawn
//! apart, exports for Gephi and i2-style tools, and the path between two entities.

use cordon_app::{NetworkNodeView, NetworkQuery, NetworkView};

use super::*;

/// The query string the page takes (the API's, less the format).
#[derive(Deserialize, Default)]
pub struct NetworkParams {
    entity: Option<String>,
    case: Option<String>,
    hops: Option<String>,
    province: Option<String>,
    case_type: Option<String>,
    since: Option<String>,
    until: Option<String>,
    to: Option<String>,
}

fn non_empty(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

/// The most nodes the drawing shows; the tables list them all.
const DRAWN: usize = 160;

fn colour(kind: &str) -> &'static str {
    match kind {
        "case" => "#6b6b6b",
        "person" => "#0b4f8a",
        "company" => "#7a3e00",
        "vehicle" | "vessel" => "#0a6b2b",
        "phone" => "#6a1b9a",
        _ => "#444",
    }
}

fn href(n: &NetworkNodeView) -> String {
    if n.kind == "case" {
        format!("/cases/{}", n.id)
    } else {
        format!("/network?entity={}", n.id)
    }
}

/// Communities on a large circle, each community's nodes on a small one around its place:
/// deterministic, so the same network is drawn the same way twice.
fn drawing(labelled_by: &str, net: &NetworkView) -> Markup {
    let (w, h) = (760.0_f64, 560.0_f64);
    let shown: Vec<&NetworkNodeView> = net.nodes.iter().take(DRAWN).collect();
    let communities = shown.iter().map(|n| n.community).max().map_or(1, |m| m + 1);
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); communities];
    for (i, n) in shown.iter().enumerate() {
        members[n.community].push(i);
    }
    let mut place = vec![(0.0, 0.0); shown.len()];
    let big = if communities == 1 { 0.0 } else { 200.0 };
    for (c, list) in members.iter().enumerate() {
        let a = std::f64::consts::TAU * c as f64 / communities as f64;
        let (cx, cy) = (w / 2.0 + big * a.cos(), h / 2.0 + big * 0.8 * a.sin());
        let r = if communities == 1 { 220.0 } else { (12.0 * list.len() as f64).clamp(0.0, 90.0) };
        for (k, i) in list.iter().enumerate() {
            let b = std::f64::consts::TAU * k as f64 / list.len().max(1) as f64;
            place[*i] = (cx + r * b.cos(), cy + r * b.sin());
        }
    }
    let index: std::collections::HashMap<&str, usize> = shown.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
    html! {
        svg role="img" aria-labelledby=(labelled_by) viewBox=(format!("0 0 {w} {h}")) width="100%" height="560" {
            @for e in &net.edges {
                @if let (Some(a), Some(b)) = (index.get(e.source.as_str()), index.get(e.target.as_str())) {
                    line x1=(format!("{:.1}", place[*a].0)) y1=(format!("{:.1}", place[*a].1)) x2=(format!("{:.1}", place[*b].0)) y2=(format!("{:.1}", place[*b].1))
                        stroke="#8a99a8" stroke-width="1.2" { title { (e.relation) } }
                }
            }
            @for (i, n) in shown.iter().enumerate() {
                @let (x, y) = place[i];
                @let r = 5.0 + 40.0 * n.pagerank.sqrt();
                a href=(href(n)) {
                    @if n.kind == "case" {
                        rect x=(format!("{:.1}", x - r / 2.0)) y=(format!("{:.1}", y - r / 2.0)) width=(format!("{r:.1}")) height=(format!("{r:.1}")) fill=(colour(&n.kind)) { title { (n.label) } }
                    } @else {
                        circle cx=(format!("{x:.1}")) cy=(format!("{y:.1}")) r=(format!("{:.1}", r / 2.0 + 2.0)) fill=(colour(&n.kind)) { title { (n.label) } }
                        text x=(format!("{x:.1}")) y=(format!("{:.1}", y + r / 2.0 + 13.0)) font-size="10" text-anchor="middle" fill="#111" { (n.label.chars().take(24).collect::<String>()) }
                    }
                }
            }
        }
    }
}

/// The network page.
pub async fn network_page(State(s): State<AppState>, ui: Ui, Query(p): Query<NetworkParams>) -> Response {
    let lang = ui.lang;
    let date = |v: &Option<String>| non_empty(v).map(|d| parse_datetime(&d).ok_or(()));
    let (since, until) = (date(&p.since), date(&p.until));
    if matches!(since, Some(Err(()))) || matches!(until, Some(Err(()))) {
        return app_error_page(&ui, AppError::Invalid(cordon_core::Invalid::new("since", t(lang, "form.bad_date"))));
    }
    let hops = match non_empty(&p.hops).map(|h| h.parse::<usize>()) {
        Some(Ok(h)) => Some(h),
        Some(Err(_)) => return app_error_page(&ui, AppError::Invalid(cordon_core::Invalid::new("hops", "1 to 4"))),
        None => None,
    };
    let q = NetworkQuery {
        entity: non_empty(&p.entity),
        case: non_empty(&p.case),
        hops,
        case_type: non_empty(&p.case_type),
        province: non_empty(&p.province),
        since: since.and_then(Result::ok),
        until: until.and_then(Result::ok),
        ..Default::default()
    };
    let net = match s.app.network(&ui.actor, q.clone()).await {
        Ok(n) => n,
        Err(e) => return app_error_page(&ui, e),
    };
    let path = match (&q.entity, non_empty(&p.to)) {
        (Some(from), Some(to)) => match s.app.network_path(&ui.actor, from, &to).await {
            Ok(path) => Some(path),
            Err(e) => return app_error_page(&ui, e),
        },
        _ => None,
    };
    // The same selection, for the export links.
    let mut selection: Vec<(&str, String)> = Vec::new();
    for (k, v) in [("entity", &q.entity), ("case", &q.case), ("case_type", &q.case_type), ("province", &q.province)] {
        if let Some(v) = v {
            selection.push((k, v.clone()));
        }
    }
    for (k, v) in [("since", q.since), ("until", q.until)] {
        if let Some(v) = v {
            selection.push((k, v.to_string()));
        }
    }
    if let Some(h) = q.hops {
        selection.push(("hops", h.to_string()));
    }
    let export = |format: &str| {
        let mut pairs: Vec<String> = selection.iter().map(|(k, v)| format!("{k}={}", url_escape(v))).collect();
        pairs.push(format!("format={format}"));
        format!("/api/v1/network?{}", pairs.join("&"))
    };
    let label_of = |id: &str| net.nodes.iter().find(|n| n.id == id).map_or_else(|| id.to_string(), |n| n.label.clone());
    let entities: Vec<&NetworkNodeView> = net.nodes.iter().filter(|n| n.kind != "case").collect();
    let body = html! {
        h1 { (t(lang, "network.title")) }
        form.filters #network-filter method="get" action="/network" {
            label for="net_entity" { (t(lang, "network.entity")) }
            input #net_entity type="text" name="entity" value=(q.entity.clone().unwrap_or_default());
            label for="net_hops" { (t(lang, "network.hops")) }
            select #net_hops name="hops" { @for h in 1..=4usize { option value=(h) selected[q.hops.unwrap_or(2) == h] { (h) } } }
            label for="net_province" { (t(lang, "field.province")) }
            select #net_province name="province" {
                option value="" { "—" }
                @for pr in &reference().provinces {
                    option value=(pr.code) selected[q.province.as_deref() == Some(pr.code)] { (if lang == Language::Vi { pr.name_vi } else { pr.name_en }) }
                }
            }
            label for="net_since" { (t(lang, "network.since")) }
            input #net_since type="date" name="since" value=(p.since.clone().unwrap_or_default());
            label for="net_until" { (t(lang, "network.until")) }
            input #net_until type="date" name="until" value=(p.until.clone().unwrap_or_default());
            button type="submit" { (t(lang, "network.show")) }
        }
        p #network-summary {
            (number(lang, net.nodes.len() as i64 - entities.len() as i64)) " " (t(lang, "network.cases")) " · "
            (number(lang, entities.len() as i64)) " " (t(lang, "network.entities")) " · "
            (t(lang, "network.modularity")) " " (format!("{:.2}", net.modularity))
            @if net.truncated { " · " strong { (t(lang, "network.truncated")) } }
            " · " a #export-graphml href=(export("graphml")) { "GraphML" } " · " a #export-gexf href=(export("gexf")) { "GEXF" }
            " · " a #export-json href=(export("json")) { "JSON" }
        }
        h2 #network-drawing { (t(lang, "network.drawing")) }
        (drawing("network-drawing", &net))
        @if let Some(from) = &q.entity {
            h2 #network-path { (t(lang, "network.path")) }
            form.filters method="get" action="/network" {
                input type="hidden" name="entity" value=(from);
                label for="net_to" { (t(lang, "network.to")) }
                input #net_to type="text" name="to" value=(p.to.clone().unwrap_or_default());
                button type="submit" { (t(lang, "network.find_path")) }
            }
            @if let Some(path) = &path {
                @if path.path.is_empty() { p #path-none { (t(lang, "network.no_path")) } }
                @else {
                    ol #path-steps { @for n in &path.path { li { a href=(href(n)) { (n.label) } " " span.muted { "(" (code_label(lang, &n.kind)) ")" } } } }
                }
            }
        }
        h2 #rings { (t(lang, "network.rings")) }
        @if net.rings.is_empty() { p.muted { (t(lang, "network.no_rings")) } }
        @else {
            table #rings-table {
                thead { tr {
                    th scope="col" { "#" } th scope="col" { (t(lang, "network.cases")) } th scope="col" { (t(lang, "network.entities")) }
                    th scope="col" { (t(lang, "network.central")) } th scope="col" { (t(lang, "field.value")) }
                } }
                tbody {
                    @for r in &net.rings {
                        tr {
                            td { (r.component + 1) } td { (r.cases) } td { (r.entities) }
                            td { @for (i, e) in r.central.iter().take(5).enumerate() { @if i > 0 { ", " } a href=(format!("/network?entity={e}")) { (label_of(e)) } } }
                            td { (money(lang, r.value_vnd)) }
                        }
                    }
                }
            }
        }
        h2 #central { (t(lang, "network.central")) }
        table #central-table {
            thead { tr {
                th scope="col" { (t(lang, "admin.name")) } th scope="col" { (t(lang, "network.kind")) } th scope="col" { (t(lang, "network.degree")) }
                th scope="col" { (t(lang, "network.betweenness")) } th scope="col" { "PageRank" } th scope="col" { (t(lang, "network.community")) }
            } }
            tbody {
                @for n in entities.iter().take(50) {
                    tr data-entity=(n.id) {
                        td { a href=(format!("/entities/{}", n.id)) { (n.label) } } td { (code_label(lang, &n.kind)) } td { (n.degree) }
                        td { (format!("{:.3}", n.betweenness)) } td { (format!("{:.4}", n.pagerank)) } td { (n.community + 1) }
                    }
                }
            }
        }
    };
    html_response(StatusCode::OK, layout(lang, Some(&ui), t(lang, "network.title"), body))
}

/// Percent-encodes a query value (ids and dates need little, but a province name may need more).
fn url_escape(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
