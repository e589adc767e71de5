//! Statistics, hotspots, seasonal profiles and forecasts over the cases the caller may see:
//! the store counts under the sharing rule, `cordon-analytics` does the maths, and each answer
//! is audited as an aggregate read.

use std::collections::{BTreeMap, BTreeSet};

use cordon_analytics::detect::{scan, ScanRule};
use cordon_analytics::forecast::forecast;
use cordon_analytics::period::{buckets, same_period_last_year, vn_day, vn_day_start, week_of, DAY_MS};
use cordon_analytics::season::{month_profile, tet_profile, Weekly};
use cordon_analytics::{change_pct, tet, Interval};
use cordon_core::case::{CaseStatus, CaseType, TransportMode};
use cordon_core::reference::reference;
use cordon_core::Invalid;
use cordon_store::{StatDimension, StatFigures, StatFilter};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::{Actor, App, AppError};

/// The year-on-year rule, as the answer states it.
pub const COMPARISON_RULE: &str = "The same calendar dates one year earlier. 29 February has no counterpart: a period \
    starting on 29 February starts on 28 February a year earlier, and one ending on 29 February ends with 28 February; \
    28 February of a non-leap year stands for 28 and 29 February of a leap year. Changes in percent are to one decimal, \
    absent when the year before had none.";

/// The Tết peak period's comparison, as a report states it.
pub const TET_COMPARISON_RULE: &str = "The Tết peak period runs from 45 days before to 15 days after Tết (the first day of the \
    lunar year); it is compared with the same days around the previous Tết, not with the same calendar dates.";

/// The hotspot test, as the answer names it.
pub const HOTSPOT_METHOD: &str = "Exact conditional test for two Poisson rates (Przyborowski–Wilenski C-test): the week's \
    cases against the same series' cases in the baseline weeks before it; one-sided, a week alarms when p < alpha.";

/// Longest period statistics cover: 20 years.
const MAX_PERIOD_MS: i64 = 20 * 366 * DAY_MS;
/// Most buckets a period may be cut into.
const MAX_BUCKETS: usize = 1000;

/// Which cases statistics are over and how they are grouped.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatQuery {
    /// Start (inclusive), ms.
    pub from: i64,
    /// End (exclusive), ms.
    pub to: i64,
    /// `period`, `agency`, `unit`, `province`, `border_gate`, `route`, `commodity`, `case_type`,
    /// `transport_mode`, `concealment`, `status`, or none for the total alone.
    pub by: Option<String>,
    /// With `by=period`: `day`, `week`, `month` (default), `quarter` or `year`.
    pub interval: Option<String>,
    /// Only this recording agency.
    pub agency: Option<String>,
    /// Only this recording unit.
    pub unit: Option<String>,
    /// Only this province (any name).
    pub province: Option<String>,
    /// Only this border gate, seaport or airport (code).
    pub border_gate: Option<String>,
    /// Only this route.
    pub route: Option<String>,
    /// Only cases with goods of this commodity category.
    pub commodity: Option<String>,
    /// Only this violation type.
    pub case_type: Option<String>,
}

/// Case figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FiguresView {
    /// Cases.
    pub cases: i64,
    /// Cases with a seizure.
    pub seizures: i64,
    /// Value of the goods, VND.
    pub value_vnd: i64,
    /// Fines imposed, VND.
    pub fines_vnd: i64,
    /// Cases with a fine.
    pub fined_cases: i64,
    /// Cases transferred for criminal investigation (now or earlier in their history).
    pub transferred_for_investigation: i64,
    /// Cases prosecuted.
    pub prosecuted: i64,
}

impl From<StatFigures> for FiguresView {
    fn from(f: StatFigures) -> Self {
        FiguresView {
            cases: f.cases,
            seizures: f.seizures,
            value_vnd: f.value_vnd,
            fines_vnd: f.fines_vnd,
            fined_cases: f.fined_cases,
            transferred_for_investigation: f.transferred,
            prosecuted: f.prosecuted,
        }
    }
}

/// Changes on the same period last year, in percent; absent where last year had none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeView {
    /// Cases.
    pub cases_pct: Option<f64>,
    /// Seizures.
    pub seizures_pct: Option<f64>,
    /// Value.
    pub value_pct: Option<f64>,
    /// Fines.
    pub fines_pct: Option<f64>,
    /// Transfers for criminal investigation.
    pub transferred_pct: Option<f64>,
    /// Prosecutions.
    pub prosecuted_pct: Option<f64>,
}

impl ChangeView {
    fn between(cur: &FiguresView, prev: &FiguresView) -> ChangeView {
        ChangeView {
            cases_pct: change_pct(cur.cases, prev.cases),
            seizures_pct: change_pct(cur.seizures, prev.seizures),
            value_pct: change_pct(cur.value_vnd, prev.value_vnd),
            fines_pct: change_pct(cur.fines_vnd, prev.fines_vnd),
            transferred_pct: change_pct(cur.transferred_for_investigation, prev.transferred_for_investigation),
            prosecuted_pct: change_pct(cur.prosecuted, prev.prosecuted),
        }
    }
}

/// One line of statistics: a group (or a period's bucket) now and a year earlier.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatLineView {
    /// The group's code (province code, agency id, …) or the bucket's label (`2026-01`);
    /// absent for cases that do not say, and for the total.
    pub key: Option<String>,
    /// The group's name where reference data has one.
    pub label: Option<String>,
    /// With `by=period`: the bucket's start, ms.
    pub from: Option<i64>,
    /// With `by=period`: the bucket's end (exclusive), ms.
    pub to: Option<i64>,
    /// This period.
    pub current: FiguresView,
    /// The same period a year earlier.
    pub previous: FiguresView,
    /// The change, in percent.
    pub change: ChangeView,
}

impl StatLineView {
    fn new(key: Option<String>, label: Option<String>, span: Option<(i64, i64)>, current: FiguresView, previous: FiguresView) -> Self {
        StatLineView {
            key,
            label,
            from: span.map(|s| s.0),
            to: span.map(|s| s.1),
            change: ChangeView::between(&current, &previous),
            current,
            previous,
        }
    }
}

/// Statistics of a period against the same period a year earlier.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatisticsView {
    /// Start, ms.
    pub from: i64,
    /// End (exclusive), ms.
    pub to: i64,
    /// The same period a year earlier: start, ms.
    pub previous_from: i64,
    /// Its end (exclusive), ms.
    pub previous_to: i64,
    /// What the lines are grouped by, if anything.
    pub by: Option<String>,
    /// With `by=period`, the buckets' length.
    pub interval: Option<String>,
    /// How the year-earlier period is chosen.
    pub comparison_rule: String,
    /// All cases together.
    pub total: StatLineView,
    /// One line per group, most cases first (per bucket, in order, for `by=period`).
    pub rows: Vec<StatLineView>,
}

fn dimension(by: &str) -> Option<StatDimension> {
    Some(match by {
        "agency" => StatDimension::Agency,
        "unit" => StatDimension::Unit,
        "province" => StatDimension::Province,
        "border_gate" => StatDimension::BorderGate,
        "route" => StatDimension::Route,
        "commodity" => StatDimension::Commodity,
        "case_type" => StatDimension::CaseType,
        "transport_mode" => StatDimension::TransportMode,
        "concealment" => StatDimension::Concealment,
        "status" => StatDimension::Status,
        _ => return None,
    })
}

fn label(by: StatDimension, key: &str) -> Option<String> {
    let r = reference();
    match by {
        StatDimension::Province => r.province(key).map(|p| p.name_vi.to_string()),
        StatDimension::BorderGate => r.port(key).map(|p| p.name_vi.to_string()),
        StatDimension::Commodity => r.commodity(key).map(|c| c.name_vi.to_string()),
        StatDimension::CaseType => CaseType::parse(key).map(|t| t.label().to_string()),
        StatDimension::TransportMode => TransportMode::parse(key).map(|t| t.label().to_string()),
        StatDimension::Status => CaseStatus::parse(key).map(|s| s.label().to_string()),
        _ => None,
    }
}

fn nonempty(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string)
}

/// Checks the filters shared by every analytics query and resolves names to codes.
fn stat_filter(
    province: &Option<String>,
    commodity: &Option<String>,
    case_type: &Option<String>,
    border_gate: &Option<String>,
) -> Result<StatFilter, AppError> {
    let r = reference();
    let province = match nonempty(province) {
        Some(p) => Some(r.resolve_province(&p).ok_or_else(|| Invalid::new("province", "not a province of Vietnam"))?.code.to_string()),
        None => None,
    };
    let commodity = nonempty(commodity);
    if let Some(c) = &commodity {
        r.commodity(c).ok_or_else(|| Invalid::new("commodity", "unknown commodity category"))?;
    }
    let case_type = nonempty(case_type);
    if let Some(t) = &case_type {
        CaseType::parse(t).ok_or_else(|| Invalid::new("case_type", "unknown case type"))?;
    }
    let port = nonempty(border_gate);
    if let Some(p) = &port {
        r.port(p).ok_or_else(|| Invalid::new("border_gate", "unknown border gate, seaport or airport"))?;
    }
    Ok(StatFilter { province, commodity, case_type, port, ..StatFilter::default() })
}

fn check_period(from: i64, to: i64) -> Result<(), AppError> {
    if to <= from {
        return Err(Invalid::new("to", "the end must come after the start").into());
    }
    if to - from > MAX_PERIOD_MS {
        return Err(Invalid::new("to", "a period is at most 20 years").into());
    }
    Ok(())
}

impl App {
    /// Statistics of the cases the actor may see in `[from, to)`, grouped as asked, each line
    /// against the same period a year earlier.
    pub async fn statistics(&self, actor: &Actor, q: StatQuery) -> Result<StatisticsView, AppError> {
        actor.require_active()?;
        let principals = self.principals(actor).await?;
        let view = self.compute_statistics(&principals, &q, None).await?;
        self.store
            .audit(&[actor.audit(
                self.now_ms(),
                "case.statistics",
                "case",
                "*",
                "ok",
                json!({ "by": view.by, "from": q.from, "to": q.to }),
            )])
            .await?;
        Ok(view)
    }

    /// Statistics as the viewer holding `principals` may see them, against `compare_with`
    /// (default: the same period a year earlier); not audited (callers audit their read).
    pub(crate) async fn compute_statistics(
        &self,
        principals: &[String],
        q: &StatQuery,
        compare_with: Option<(i64, i64)>,
    ) -> Result<StatisticsView, AppError> {
        check_period(q.from, q.to)?;
        let mut filter = stat_filter(&q.province, &q.commodity, &q.case_type, &q.border_gate)?;
        filter.agency = nonempty(&q.agency);
        filter.unit = nonempty(&q.unit);
        filter.route = nonempty(&q.route);
        let by = nonempty(&q.by);
        let (period, dim) = match by.as_deref() {
            None => (None, None),
            Some("period") => {
                let interval = nonempty(&q.interval).unwrap_or_else(|| "month".into());
                let iv = Interval::parse(&interval).ok_or_else(|| Invalid::new("interval", "day, week, month, quarter or year"))?;
                let cut = buckets(q.from, q.to, iv, MAX_BUCKETS)
                    .ok_or_else(|| Invalid::new("interval", format!("at most {MAX_BUCKETS} buckets: choose a longer interval")))?;
                (Some((iv, cut)), None)
            }
            Some(b) => (
                None,
                Some(dimension(b).ok_or_else(|| {
                    Invalid::new(
                        "by",
                        "period, agency, unit, province, border_gate, route, commodity, case_type, transport_mode, concealment or status",
                    )
                })?),
            ),
        };
        let (pfrom, pto) = compare_with.unwrap_or_else(|| same_period_last_year(q.from, q.to));
        let principals = principals.to_vec();
        let cur = StatFilter { since: Some(q.from), until: Some(q.to), ..filter.clone() };
        let prev = StatFilter { since: Some(pfrom), until: Some(pto), ..filter.clone() };
        let total = StatLineView::new(
            None,
            None,
            None,
            self.store.case_statistics_total(&principals, &cur).await?.into(),
            self.store.case_statistics_total(&principals, &prev).await?.into(),
        );
        let rows = if let Some((iv, cut)) = &period {
            let by_day = |rows: Vec<cordon_store::StatRow>| -> Vec<(i64, StatFigures)> {
                rows.into_iter().filter_map(|r| Some((r.key?.parse::<i64>().ok()?, r.figures))).collect()
            };
            let now = by_day(self.store.case_statistics(&principals, &cur, StatDimension::Day).await?);
            let before = by_day(self.store.case_statistics(&principals, &prev, StatDimension::Day).await?);
            let sum = |days: &[(i64, StatFigures)], (a, b): (i64, i64)| {
                let mut f = StatFigures::default();
                for (d, figs) in days {
                    let start = vn_day_start(*d);
                    if start >= a && start < b {
                        f.add(figs);
                    }
                }
                f
            };
            cut.iter()
                .map(|&(a, b)| {
                    let key = iv.label(a);
                    StatLineView::new(
                        Some(key),
                        None,
                        Some((a, b)),
                        sum(&now, (a, b)).into(),
                        sum(&before, same_period_last_year(a, b)).into(),
                    )
                })
                .collect()
        } else if let Some(dim) = dim {
            let now = self.store.case_statistics(&principals, &cur, dim).await?;
            let before = self.store.case_statistics(&principals, &prev, dim).await?;
            let keys: BTreeSet<Option<String>> = now.iter().chain(&before).map(|r| r.key.clone()).collect();
            let find = |rows: &[cordon_store::StatRow], k: &Option<String>| {
                rows.iter().find(|r| &r.key == k).map(|r| r.figures).unwrap_or_default()
            };
            let mut lines: Vec<StatLineView> = keys
                .into_iter()
                .map(|k| {
                    let label = k.as_deref().and_then(|k| label(dim, k));
                    StatLineView::new(k.clone(), label, None, find(&now, &k).into(), find(&before, &k).into())
                })
                .collect();
            lines.sort_by(|a, b| {
                b.current.cases.cmp(&a.current.cases).then(b.previous.cases.cmp(&a.previous.cases)).then(a.key.cmp(&b.key))
            });
            lines
        } else {
            Vec::new()
        };
        Ok(StatisticsView {
            from: q.from,
            to: q.to,
            previous_from: pfrom,
            previous_to: pto,
            by,
            interval: period.map(|(iv, _)| iv.as_str().to_string()),
            comparison_rule: if compare_with.is_some() { TET_COMPARISON_RULE.into() } else { COMPARISON_RULE.into() },
            total,
            rows,
        })
    }
}

/// Which series are scanned for hotspots.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HotspotQuery {
    /// `province` (default), `route` or `border_gate`.
    pub area: Option<String>,
    /// Weeks are tested up to the last whole week (Monday–Sunday) before this time, ms.
    pub until: i64,
    /// How many recent weeks to test, 1–52 (default 4).
    pub weeks: Option<u32>,
    /// Baseline weeks before each tested week, 4–52 (default 12).
    pub window: Option<u32>,
    /// False-alarm rate per series and week, 0 < alpha ≤ 0.05 (default 0.001).
    pub alpha: Option<f64>,
    /// Only this commodity category.
    pub commodity: Option<String>,
    /// Only this violation type.
    pub case_type: Option<String>,
    /// Only this province (any name).
    pub province: Option<String>,
}

/// A week in which an area's cases (of a commodity) rose significantly.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HotspotView {
    /// The area's code.
    pub area: Option<String>,
    /// Its name where reference data has one.
    pub area_label: Option<String>,
    /// The commodity category; absent for all commodities together.
    pub commodity: Option<String>,
    /// The week's Monday, ms.
    pub week_from: i64,
    /// The week, `2026-W03`.
    pub week: String,
    /// Cases that week.
    pub cases: u64,
    /// Mean cases a week over the baseline.
    pub baseline_mean: f64,
    /// The test's p-value.
    pub p_value: f64,
}

/// Hotspots found and what the scan did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HotspotsView {
    /// The test.
    pub method: String,
    /// False-alarm rate per tested week.
    pub alpha: f64,
    /// Baseline weeks.
    pub window_weeks: u32,
    /// Series × weeks tested.
    pub tests: usize,
    /// Alarms expected by chance alone (tests × alpha): read the alarms against it.
    pub expected_false_alarms: f64,
    /// The alarms, strongest (smallest p) first.
    pub hotspots: Vec<HotspotView>,
}

/// A hotspot series: (area, commodity; none for all commodities).
type SeriesKey = (Option<String>, Option<String>);

fn area_dimension(area: &Option<String>) -> Result<StatDimension, AppError> {
    match nonempty(area).as_deref() {
        None | Some("province") => Ok(StatDimension::Province),
        Some("route") => Ok(StatDimension::Route),
        Some("border_gate") => Ok(StatDimension::BorderGate),
        Some(_) => Err(Invalid::new("area", "province, route or border_gate").into()),
    }
}

impl App {
    /// Areas (and area × commodity) whose weekly cases rose significantly above their own
    /// baseline in the recent weeks, over the cases the actor may see.
    pub async fn hotspots(&self, actor: &Actor, q: HotspotQuery) -> Result<HotspotsView, AppError> {
        actor.require_active()?;
        let area = area_dimension(&q.area)?;
        let weeks = q.weeks.unwrap_or(4);
        if !(1..=52).contains(&weeks) {
            return Err(Invalid::new("weeks", "1 to 52").into());
        }
        let window = q.window.unwrap_or(12);
        if !(4..=52).contains(&window) {
            return Err(Invalid::new("window", "4 to 52 weeks").into());
        }
        let alpha = q.alpha.unwrap_or(0.001);
        if !(alpha > 0.0 && alpha <= 0.05) {
            return Err(Invalid::new("alpha", "above 0 and at most 0.05").into());
        }
        let mut filter = stat_filter(&q.province, &q.commodity, &q.case_type, &None)?;
        let end_day = week_of(vn_day(q.until));
        let start_day = end_day - 7 * i64::from(weeks + window);
        filter.since = Some(vn_day_start(start_day));
        filter.until = Some(vn_day_start(end_day));
        let principals = self.principals(actor).await?;
        let counts = self.store.case_day_counts(&principals, &filter, Some(area), true).await?;
        let mut series: BTreeMap<SeriesKey, Vec<(i64, u64)>> = BTreeMap::new();
        for c in counts {
            series.entry((c.area, c.commodity)).or_default().push((c.day, c.cases.max(0) as u64));
        }
        let rule = ScanRule { window: window as usize, alpha };
        let mut tests = 0;
        let mut hotspots = Vec::new();
        for ((a, commodity), days) in series {
            let w = Weekly::from_days(&days, start_day, end_day);
            let (alarms, tested) = scan(&w.counts, window as usize, rule);
            tests += tested;
            for alarm in alarms {
                let week_from = vn_day_start(w.week_day(alarm.week));
                hotspots.push(HotspotView {
                    area_label: a.as_deref().and_then(|k| label(area, k)),
                    area: a.clone(),
                    commodity: commodity.clone(),
                    week_from,
                    week: Interval::Week.label(week_from),
                    cases: alarm.count,
                    baseline_mean: alarm.baseline_mean,
                    p_value: alarm.p_value,
                });
            }
        }
        // Series with no case at all were not fetched; they are tested too, and never alarm.
        hotspots.sort_by(|a, b| a.p_value.total_cmp(&b.p_value));
        self.store
            .audit(&[actor.audit(self.now_ms(), "case.hotspots", "case", "*", "ok", json!({ "area": q.area, "until": q.until }))])
            .await?;
        Ok(HotspotsView {
            method: HOTSPOT_METHOD.into(),
            alpha,
            window_weeks: window,
            tests,
            expected_false_alarms: tests as f64 * alpha,
            hotspots,
        })
    }
}

/// Which cases a seasonal profile or a forecast is over.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeriesQuery {
    /// History from, ms.
    pub from: i64,
    /// History until (exclusive), ms; a forecast starts with the week holding it.
    pub to: i64,
    /// Only this province (any name).
    pub province: Option<String>,
    /// Only this commodity category.
    pub commodity: Option<String>,
    /// Only this violation type.
    pub case_type: Option<String>,
    /// Forecast: weeks ahead, 1–26 (default 8).
    pub weeks: Option<u32>,
    /// Forecast: past weeks held out to measure each method's error, 4–52 (default 13).
    pub holdout: Option<u32>,
}

/// One point of a seasonal profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfilePointView {
    /// Weeks from Tết's week (negative: before), or the month 1–12.
    pub at: i64,
    /// Cases relative to the usual level (1.0 = usual); absent without data.
    pub index: Option<f64>,
    /// Years that contributed.
    pub years: usize,
}

/// Seasonal profiles of the cases the caller may see.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeasonsView {
    /// Weeks from 8 before to 4 after Tết, aligned on each year's Tết.
    pub around_tet: Vec<ProfilePointView>,
    /// Months of the year (the year-end peak shows in November–December).
    pub months: Vec<ProfilePointView>,
    /// The Tết dates used, `yyyy-mm-dd`, of the years in the history.
    pub tet_dates: Vec<String>,
}

/// A week's expected cases.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ForecastWeekView {
    /// The week's Monday, ms.
    pub week_from: i64,
    /// `2026-W09`.
    pub week: String,
    /// Cases expected.
    pub expected: f64,
}

/// How a method did on the held-out weeks.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BacktestView {
    /// The method.
    pub method: String,
    /// Mean absolute scaled error (1 = as good as last week's count); absent if the history never changed.
    pub mase: Option<f64>,
    /// Mean absolute percentage error over held-out weeks with cases.
    pub mape: Option<f64>,
    /// Mean absolute error, cases a week.
    pub mae: f64,
}

/// A forecast of the coming weeks with the methods' errors on a held-out past.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ForecastView {
    /// The method used (lowest error on the held-out weeks).
    pub method: String,
    /// Weeks held out.
    pub holdout_weeks: usize,
    /// Each method tried.
    pub backtests: Vec<BacktestView>,
    /// The coming weeks.
    pub weeks: Vec<ForecastWeekView>,
}

impl App {
    async fn weekly_days(&self, actor: &Actor, q: &SeriesQuery) -> Result<(Vec<(i64, u64)>, i64, i64), AppError> {
        check_period(q.from, q.to)?;
        let mut filter = stat_filter(&q.province, &q.commodity, &q.case_type, &None)?;
        let (from_day, to_day) = (vn_day(q.from), vn_day(q.to - 1) + 1);
        filter.since = Some(vn_day_start(from_day));
        filter.until = Some(vn_day_start(to_day));
        let principals = self.principals(actor).await?;
        // Over all commodities (or the one filtered on): the total series only.
        let days = self
            .store
            .case_day_counts(&principals, &filter, None, true)
            .await?
            .into_iter()
            .filter(|c| c.commodity.is_none())
            .map(|c| (c.day, c.cases.max(0) as u64))
            .collect();
        Ok((days, from_day, to_day))
    }

    /// Seasonal profiles (around Tết, by month) of the cases the actor may see.
    pub async fn seasons(&self, actor: &Actor, q: SeriesQuery) -> Result<SeasonsView, AppError> {
        actor.require_active()?;
        let (days, from_day, to_day) = self.weekly_days(actor, &q).await?;
        let w = Weekly::from_days(&days, from_day, to_day);
        let point = |p: cordon_analytics::season::ProfilePoint| ProfilePointView { at: p.at, index: p.index, years: p.years };
        let tet_dates =
            tet::all().iter().filter(|(_, d)| w.index_of(*d).is_some()).map(|(_, d)| Interval::Day.label(vn_day_start(*d))).collect();
        self.store.audit(&[actor.audit(self.now_ms(), "case.seasons", "case", "*", "ok", json!({ "from": q.from, "to": q.to }))]).await?;
        Ok(SeasonsView {
            around_tet: tet_profile(&w, 8, 4).into_iter().map(point).collect(),
            months: month_profile(&days, from_day, to_day).into_iter().map(point).collect(),
            tet_dates,
        })
    }

    /// A forecast of the coming weeks' cases the actor may see, backtested on the held-out past.
    pub async fn forecast(&self, actor: &Actor, q: SeriesQuery) -> Result<ForecastView, AppError> {
        actor.require_active()?;
        let h = q.weeks.unwrap_or(8);
        if !(1..=26).contains(&h) {
            return Err(Invalid::new("weeks", "1 to 26").into());
        }
        let holdout = q.holdout.unwrap_or(13);
        if !(4..=52).contains(&holdout) {
            return Err(Invalid::new("holdout", "4 to 52 weeks").into());
        }
        // Whole weeks only: the history ends with the Sunday before the week holding `to`.
        let to = vn_day_start(week_of(vn_day(q.to)));
        let q = SeriesQuery { to, ..q };
        let (days, from_day, to_day) = self.weekly_days(actor, &q).await?;
        let w = Weekly::from_days(&days, week_of(from_day) + if from_day == week_of(from_day) { 0 } else { 7 }, to_day);
        let f = forecast(&w, h as usize, holdout as usize)
            .ok_or_else(|| Invalid::new("from", "too little history: at least the held-out weeks and two more"))?;
        let next = w.first_week + 7 * w.counts.len() as i64;
        self.store.audit(&[actor.audit(self.now_ms(), "case.forecast", "case", "*", "ok", json!({ "from": q.from, "to": q.to }))]).await?;
        Ok(ForecastView {
            method: f.method.as_str().into(),
            holdout_weeks: f.holdout,
            backtests: f
                .backtests
                .iter()
                .map(|b| BacktestView { method: b.method.as_str().into(), mase: b.mase, mape: b.mape, mae: b.mae })
                .collect(),
            weeks: f
                .values
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let week_from = vn_day_start(next + 7 * i as i64);
                    ForecastWeekView { week_from, week: Interval::Week.label(week_from), expected: (v * 10.0).round() / 10.0 }
                })
                .collect(),
        })
    }
}
