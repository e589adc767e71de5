//! Statistics over cases, counted in the database under the sharing rule: every query carries
//! the `case_access` filter of the viewer's principals, so no figure includes a case the viewer
//! may not see, and nothing is fetched to be counted in memory.

use sqlx::Row;

use crate::{Store, StoreError};

/// What statistics are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatDimension {
    /// Recording agency.
    Agency,
    /// Recording unit.
    Unit,
    /// Province (today's).
    Province,
    /// Border gate, seaport or airport.
    BorderGate,
    /// Route, as recorded.
    Route,
    /// Commodity category of the goods (a case with goods of two categories counts in both;
    /// the value is that category's goods).
    Commodity,
    /// Violation type.
    CaseType,
    /// Transport mode.
    TransportMode,
    /// Concealment method, as recorded.
    Concealment,
    /// Status.
    Status,
    /// Day number in Vietnam time (days since 1 January 1970), as text.
    Day,
}

impl StatDimension {
    fn key_expr(self) -> &'static str {
        match self {
            StatDimension::Agency => "c.owner_agency_id",
            StatDimension::Unit => "c.owner_unit_id",
            StatDimension::Province => "c.province_code",
            StatDimension::BorderGate => "c.port_code",
            StatDimension::Route => "c.route",
            StatDimension::Commodity => "g.category",
            StatDimension::CaseType => "c.case_type",
            StatDimension::TransportMode => "c.transport_mode",
            StatDimension::Concealment => "c.concealment",
            StatDimension::Status => "c.status",
            StatDimension::Day => DAY_EXPR_TEXT,
        }
    }
}

/// The day number of `c.detected_at` in Vietnam time (UTC+7): integer division in both dialects.
const DAY_EXPR: &str = "CAST((c.detected_at + 25200000) / 86400000 AS BIGINT)";
const DAY_EXPR_TEXT: &str = "CAST(CAST((c.detected_at + 25200000) / 86400000 AS BIGINT) AS TEXT)";

/// Which cases statistics are over (besides the sharing rule, always applied).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatFilter {
    /// Detected at or after, ms.
    pub since: Option<i64>,
    /// Detected before, ms.
    pub until: Option<i64>,
    /// Recording agency.
    pub agency: Option<String>,
    /// Recording unit.
    pub unit: Option<String>,
    /// Province code.
    pub province: Option<String>,
    /// Border gate code.
    pub port: Option<String>,
    /// Route.
    pub route: Option<String>,
    /// Commodity category of any goods line.
    pub commodity: Option<String>,
    /// Violation type code.
    pub case_type: Option<String>,
}

/// Case figures of one group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatFigures {
    /// Cases.
    pub cases: i64,
    /// Cases with a seizure (a seizure time recorded).
    pub seizures: i64,
    /// Value of the goods, VND.
    pub value_vnd: i64,
    /// Fines imposed, VND.
    pub fines_vnd: i64,
    /// Cases with a fine.
    pub fined_cases: i64,
    /// Cases transferred for criminal investigation (now or at any point of their history).
    pub transferred: i64,
    /// Cases prosecuted.
    pub prosecuted: i64,
}

impl StatFigures {
    /// Adds another group's figures.
    pub fn add(&mut self, o: &StatFigures) {
        self.cases += o.cases;
        self.seizures += o.seizures;
        self.value_vnd += o.value_vnd;
        self.fines_vnd += o.fines_vnd;
        self.fined_cases += o.fined_cases;
        self.transferred += o.transferred;
        self.prosecuted += o.prosecuted;
    }
}

/// Figures of one group; `key` is absent where cases do not say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatRow {
    /// The group's code (agency id, province code, …; the day number for `Day`).
    pub key: Option<String>,
    /// Its figures.
    pub figures: StatFigures,
}

/// Cases a day in one series (an area and a commodity).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayCount {
    /// The area (province, route or border gate code); absent where cases do not say.
    pub area: Option<String>,
    /// The commodity category; absent for the series over all commodities.
    pub commodity: Option<String>,
    /// Day number in Vietnam time.
    pub day: i64,
    /// Cases.
    pub cases: i64,
}

enum Bind {
    Text(String),
    Int(i64),
}

struct Query {
    sql: String,
    binds: Vec<Bind>,
}

impl Query {
    fn ph(&mut self, b: Bind) -> String {
        self.binds.push(b);
        format!("${}", self.binds.len())
    }

    /// The sharing rule and the filters, appended as a WHERE clause over `c`.
    fn filtered(select: &str, principals: &[String], f: &StatFilter) -> Query {
        let mut q = Query { sql: String::new(), binds: Vec::new() };
        let mut phs: Vec<String> = principals.iter().map(|p| q.ph(Bind::Text(p.clone()))).collect();
        if phs.is_empty() {
            // No principals: nothing is visible. Keep the SQL valid.
            phs.push(q.ph(Bind::Text(String::new())));
        }
        q.sql =
            format!("{select} WHERE EXISTS (SELECT 1 FROM case_access a WHERE a.case_id = c.id AND a.principal IN ({}))", phs.join(", "));
        for (col, v) in [
            ("c.owner_agency_id", &f.agency),
            ("c.owner_unit_id", &f.unit),
            ("c.province_code", &f.province),
            ("c.port_code", &f.port),
            ("c.route", &f.route),
            ("c.case_type", &f.case_type),
        ] {
            if let Some(v) = v {
                let ph = q.ph(Bind::Text(v.clone()));
                q.sql.push_str(&format!(" AND {col} = {ph}"));
            }
        }
        if let Some(cat) = &f.commodity {
            let ph = q.ph(Bind::Text(cat.clone()));
            q.sql.push_str(&format!(" AND EXISTS (SELECT 1 FROM goods_lines gl WHERE gl.case_id = c.id AND gl.category = {ph})"));
        }
        if let Some(s) = f.since {
            let ph = q.ph(Bind::Int(s));
            q.sql.push_str(&format!(" AND c.detected_at >= {ph}"));
        }
        if let Some(u) = f.until {
            let ph = q.ph(Bind::Int(u));
            q.sql.push_str(&format!(" AND c.detected_at < {ph}"));
        }
        q
    }

    async fn fetch(self, store: &Store) -> Result<Vec<sqlx::any::AnyRow>, StoreError> {
        let sql = store.sql(&self.sql);
        let mut q = sqlx::query(&sql);
        for b in self.binds {
            q = match b {
                Bind::Text(s) => q.bind(s),
                Bind::Int(i) => q.bind(i),
            };
        }
        Ok(q.fetch_all(&store.read).await?)
    }
}

/// A case counts as transferred (prosecuted) if it is in that state now or passed through it:
/// a transferred case may since have been prosecuted or closed.
const TRANSFERRED: &str = "CASE WHEN c.status IN ('transferred_for_investigation', 'prosecuted') OR EXISTS (SELECT 1 FROM case_events e \
     WHERE e.case_id = c.id AND e.to_status IN ('transferred_for_investigation', 'prosecuted')) THEN 1 ELSE 0 END";
const PROSECUTED: &str =
    "CASE WHEN c.status = 'prosecuted' OR EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.to_status = 'prosecuted') THEN 1 ELSE 0 END";

fn figures_select(key: Option<&str>, value: &str) -> String {
    let key = key.map(|k| format!("{k} AS k, ")).unwrap_or_default();
    format!(
        "SELECT {key}CAST(COUNT(*) AS BIGINT) AS n, \
         CAST(COALESCE(SUM(CASE WHEN c.seized_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS s, \
         CAST(COALESCE(SUM({value}), 0) AS BIGINT) AS v, \
         CAST(COALESCE(SUM(c.fine_vnd), 0) AS BIGINT) AS f, \
         CAST(COALESCE(SUM(CASE WHEN c.fine_vnd > 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS fc, \
         CAST(COALESCE(SUM({TRANSFERRED}), 0) AS BIGINT) AS t, \
         CAST(COALESCE(SUM({PROSECUTED}), 0) AS BIGINT) AS p"
    )
}

fn figures_of(r: &sqlx::any::AnyRow) -> Result<StatFigures, StoreError> {
    Ok(StatFigures {
        cases: r.try_get("n")?,
        seizures: r.try_get("s")?,
        value_vnd: r.try_get("v")?,
        fines_vnd: r.try_get("f")?,
        fined_cases: r.try_get("fc")?,
        transferred: r.try_get("t")?,
        prosecuted: r.try_get("p")?,
    })
}

/// Each case once per category of its goods, with that category's value.
const GOODS_BY_CATEGORY: &str = " JOIN (SELECT case_id, category, SUM(value_vnd) AS gv FROM goods_lines \
     WHERE category IS NOT NULL GROUP BY case_id, category) g ON g.case_id = c.id";

impl Store {
    /// Figures of the cases the viewer (`principals`) may see that match `filter`, all together.
    pub async fn case_statistics_total(&self, principals: &[String], filter: &StatFilter) -> Result<StatFigures, StoreError> {
        let select = format!("{} FROM cases c", figures_select(None, "c.total_value_vnd"));
        let rows = Query::filtered(&select, principals, filter).fetch(self).await?;
        rows.first().map(figures_of).transpose().map(Option::unwrap_or_default)
    }

    /// Figures of the cases the viewer may see that match `filter`, grouped by `by`, in no
    /// particular order.
    pub async fn case_statistics(&self, principals: &[String], filter: &StatFilter, by: StatDimension) -> Result<Vec<StatRow>, StoreError> {
        let select = match by {
            StatDimension::Commodity => format!("{} FROM cases c{GOODS_BY_CATEGORY}", figures_select(Some(by.key_expr()), "g.gv")),
            _ => format!("{} FROM cases c", figures_select(Some(by.key_expr()), "c.total_value_vnd")),
        };
        let mut q = Query::filtered(&select, principals, filter);
        // Group by the expression, not the alias: PostgreSQL would take `k` for a column.
        q.sql.push_str(&format!(" GROUP BY {}", by.key_expr()));
        q.fetch(self).await?.iter().map(|r| Ok(StatRow { key: r.try_get("k")?, figures: figures_of(r)? })).collect()
    }

    /// Cases a day of the cases the viewer may see that match `filter`, per `area` (province,
    /// route or border gate; `None`: the whole country) and per commodity category; with
    /// `all_commodities`, also the series over all commodities (`commodity: None`).
    pub async fn case_day_counts(
        &self,
        principals: &[String],
        filter: &StatFilter,
        area: Option<StatDimension>,
        all_commodities: bool,
    ) -> Result<Vec<DayCount>, StoreError> {
        let area_expr = area.map(StatDimension::key_expr).unwrap_or("CAST(NULL AS TEXT)");
        let area_group = area.map(|a| format!("{}, ", a.key_expr())).unwrap_or_default();
        let mut out = Vec::new();
        let per = format!(
            "SELECT {area_expr} AS a, g.category AS k, {DAY_EXPR} AS d, CAST(COUNT(DISTINCT c.id) AS BIGINT) AS n \
             FROM cases c JOIN goods_lines g ON g.case_id = c.id"
        );
        let mut q = Query::filtered(&per, principals, filter);
        q.sql.push_str(&format!(" AND g.category IS NOT NULL GROUP BY {area_group}g.category, {DAY_EXPR}"));
        for r in q.fetch(self).await? {
            out.push(DayCount { area: r.try_get("a")?, commodity: r.try_get("k")?, day: r.try_get("d")?, cases: r.try_get("n")? });
        }
        if all_commodities {
            let all = format!("SELECT {area_expr} AS a, {DAY_EXPR} AS d, CAST(COUNT(*) AS BIGINT) AS n FROM cases c");
            let mut q = Query::filtered(&all, principals, filter);
            q.sql.push_str(&format!(" GROUP BY {area_group}{DAY_EXPR}"));
            for r in q.fetch(self).await? {
                out.push(DayCount { area: r.try_get("a")?, commodity: None, day: r.try_get("d")?, cases: r.try_get("n")? });
            }
        }
        Ok(out)
    }
}

/// What a risk score is about, besides parties.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RiskSubject {
    /// HS headings (the first four digits of a goods line's code).
    Product,
    /// Routes.
    Route,
    /// Provinces.
    Area,
    /// Border gates, seaports and airports.
    BorderGate,
}

/// A party's place in one case, for its risk score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyFact {
    /// The entity.
    pub entity_id: String,
    /// Its kind.
    pub kind: String,
    /// Its name.
    pub name: String,
    /// The case.
    pub case_id: String,
    /// Its role there.
    pub role: String,
    /// Day number of the case.
    pub day: i64,
    /// The case's value, VND.
    pub value_vnd: i64,
    /// Transferred for investigation or prosecuted.
    pub serious: bool,
}

/// A subject's cases on one day, for its risk score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyDayFact {
    /// The heading, route, province or border gate.
    pub key: String,
    /// Day number.
    pub day: i64,
    /// Cases that day.
    pub cases: i64,
    /// Their value, VND (the heading's goods for a product).
    pub value_vnd: i64,
    /// How many of them were transferred for investigation or prosecuted.
    pub serious: i64,
}

impl Store {
    /// Every party link of the cases the viewer may see detected since `since`, for risk
    /// scores. Links shared more narrowly than their case are left out, so a score never tells
    /// of one; parties of `personal_kinds` count only on cases recorded by `own_agency`, the
    /// only ones whose persons the viewer is always shown.
    pub async fn risk_party_facts(
        &self,
        principals: &[String],
        own_agency: &str,
        personal_kinds: &[&str],
        since: i64,
    ) -> Result<Vec<PartyFact>, StoreError> {
        let select = format!(
            "SELECT p.entity_id AS id, e.kind AS kind, e.name AS name, p.case_id AS case_id, p.role AS role, {DAY_EXPR} AS d, \
             c.total_value_vnd AS v, {TRANSFERRED} AS t FROM case_parties p JOIN cases c ON c.id = p.case_id JOIN entities e ON e.id = p.entity_id"
        );
        let filter = StatFilter { since: Some(since), ..StatFilter::default() };
        let mut q = Query::filtered(&select, principals, &filter);
        q.sql.push_str(" AND p.sharing IS NULL");
        let kinds: Vec<String> = personal_kinds.iter().map(|k| q.ph(Bind::Text((*k).to_string()))).collect();
        let own = q.ph(Bind::Text(own_agency.to_string()));
        if !kinds.is_empty() {
            q.sql.push_str(&format!(" AND (e.kind NOT IN ({}) OR c.owner_agency_id = {own})", kinds.join(", ")));
        }
        q.fetch(self)
            .await?
            .iter()
            .map(|r| {
                Ok(PartyFact {
                    entity_id: r.try_get("id")?,
                    kind: r.try_get("kind")?,
                    name: r.try_get("name")?,
                    case_id: r.try_get("case_id")?,
                    role: r.try_get("role")?,
                    day: r.try_get("d")?,
                    value_vnd: r.try_get("v")?,
                    serious: r.try_get::<i64, _>("t")? != 0,
                })
            })
            .collect()
    }

    /// Cases a day per HS heading, route, province or border gate, of the cases the viewer may
    /// see detected since `since`, for risk scores.
    pub async fn risk_key_facts(&self, principals: &[String], subject: RiskSubject, since: i64) -> Result<Vec<KeyDayFact>, StoreError> {
        let case_level = |key: &'static str| {
            (key, "FROM cases c", "c.total_value_vnd", "COUNT(*)".to_string(), format!("COALESCE(SUM({TRANSFERRED}), 0)"))
        };
        let (key, from, value, count, serious) = match subject {
            // A case with several lines of one heading counts once.
            RiskSubject::Product => (
                "SUBSTR(g.hs_code, 1, 4)",
                "FROM cases c JOIN goods_lines g ON g.case_id = c.id",
                "g.value_vnd",
                "COUNT(DISTINCT c.id)".to_string(),
                format!("COUNT(DISTINCT CASE WHEN ({TRANSFERRED}) = 1 THEN c.id END)"),
            ),
            RiskSubject::Route => case_level("c.route"),
            RiskSubject::Area => case_level("c.province_code"),
            RiskSubject::BorderGate => case_level("c.port_code"),
        };
        let select = format!(
            "SELECT {key} AS k, {DAY_EXPR} AS d, CAST({count} AS BIGINT) AS n, CAST(COALESCE(SUM({value}), 0) AS BIGINT) AS v, \
             CAST({serious} AS BIGINT) AS t {from}"
        );
        let filter = StatFilter { since: Some(since), ..StatFilter::default() };
        let mut q = Query::filtered(&select, principals, &filter);
        q.sql.push_str(&format!(" AND {key} IS NOT NULL GROUP BY {key}, {DAY_EXPR}"));
        q.fetch(self)
            .await?
            .iter()
            .map(|r| {
                Ok(KeyDayFact {
                    key: r.try_get("k")?,
                    day: r.try_get("d")?,
                    cases: r.try_get("n")?,
                    value_vnd: r.try_get("v")?,
                    serious: r.try_get("t")?,
                })
            })
            .collect()
    }
}
