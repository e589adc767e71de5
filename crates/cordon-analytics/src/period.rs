//! Periods in Vietnam time: days, buckets (day, week, month, quarter, year), the same period a
//! year earlier, and changes in percent.
//!
//! The year-earlier rule: each bound moves to the same calendar date and time one year earlier.
//! 29 February has no counterpart; in a non-leap year 28 February stands for both 28 and 29
//! February, so a period that *starts* on 29 February starts on 28 February a year earlier, and
//! a period that *ends* (exclusive) on or during 29 February ends at the end of 28 February. So
//! February 2024 (29 days) compares with February 2023 (28 days), 29 February 2024 alone with
//! 28 February 2023, and 28 February 2025 alone with 28–29 February 2024 (its bounds, 28
//! February and 1 March, both exist a year earlier).

use cordon_core::time::{civil, day_start, month_start, VN_OFFSET_MS};

/// One day, in milliseconds.
pub const DAY_MS: i64 = 86_400_000;

/// The day number of a timestamp in Vietnam time (days since 1 January 1970, Vietnam time).
pub fn vn_day(ms: i64) -> i64 {
    (ms + VN_OFFSET_MS).div_euclid(DAY_MS)
}

/// Milliseconds of 00:00 Vietnam time of a day number.
pub fn vn_day_start(day: i64) -> i64 {
    day * DAY_MS - VN_OFFSET_MS
}

/// A completed reporting period: the year, the month, quarter or half (none for a year), and
/// the key a schedule remembers it by (`2026-01`, `2026-Q1`, `2026-H1`, `2026`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletePeriod {
    /// The year.
    pub year: i64,
    /// The month (1–12), quarter (1–4) or half (1–2); none for a yearly report.
    pub period: Option<i64>,
    /// Its key.
    pub key: String,
}

/// The last period of a report kind (`monthly`, `quarterly`, `six_monthly`, `yearly`) that has
/// ended by `now`, Vietnam time: on 3 February 2026 the last month is January 2026, the last
/// quarter the fourth of 2025. `None` for any other kind.
pub fn last_complete(kind: &str, now: i64) -> Option<CompletePeriod> {
    let (y, m, ..) = civil(now);
    // Counting months from year 0 makes "the one before" plain subtraction.
    let (months_per, label): (i64, fn(i64, i64) -> String) = match kind {
        "monthly" => (1, |y, n| format!("{y}-{n:02}")),
        "quarterly" => (3, |y, n| format!("{y}-Q{n}")),
        "six_monthly" => (6, |y, n| format!("{y}-H{n}")),
        "yearly" => (12, |y, _| format!("{y}")),
        _ => return None,
    };
    let current = (y * 12 + (m - 1)) / months_per;
    let last = current - 1;
    let per_year = 12 / months_per;
    let (year, n) = (last.div_euclid(per_year), last.rem_euclid(per_year) + 1);
    Some(CompletePeriod { year, period: (months_per < 12).then_some(n), key: label(year, n) })
}

/// Monday = 0 … Sunday = 6 of a day number (1 January 1970 was a Thursday).
pub fn weekday(day: i64) -> i64 {
    (day + 3).rem_euclid(7)
}

/// The day number of the Monday starting the week that holds `day`.
pub fn week_of(day: i64) -> i64 {
    day - weekday(day)
}

/// How a period is cut into buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interval {
    /// Calendar days.
    Day,
    /// Weeks from Monday (ISO 8601).
    Week,
    /// Calendar months.
    Month,
    /// Quarters from January.
    Quarter,
    /// Calendar years.
    Year,
}

impl Interval {
    /// Parses `day`, `week`, `month`, `quarter` or `year`.
    pub fn parse(s: &str) -> Option<Interval> {
        Some(match s {
            "day" => Interval::Day,
            "week" => Interval::Week,
            "month" => Interval::Month,
            "quarter" => Interval::Quarter,
            "year" => Interval::Year,
            _ => return None,
        })
    }

    /// The interval's code.
    pub fn as_str(self) -> &'static str {
        match self {
            Interval::Day => "day",
            Interval::Week => "week",
            Interval::Month => "month",
            Interval::Quarter => "quarter",
            Interval::Year => "year",
        }
    }

    /// The start of the bucket holding `ms`.
    pub fn bucket_start(self, ms: i64) -> i64 {
        let (y, m, d, _, _) = civil(ms);
        match self {
            Interval::Day => day_start(y, m, d),
            Interval::Week => vn_day_start(week_of(vn_day(ms))),
            Interval::Month => month_start(y, m),
            Interval::Quarter => month_start(y, (m - 1) / 3 * 3 + 1),
            Interval::Year => month_start(y, 1),
        }
    }

    /// The start of the bucket after the one starting at `start`.
    pub fn next(self, start: i64) -> i64 {
        let (y, m, d, _, _) = civil(start);
        match self {
            Interval::Day => day_start(y, m, d + 1),
            Interval::Week => day_start(y, m, d + 7),
            Interval::Month => month_start(y, m + 1),
            Interval::Quarter => month_start(y, m + 3),
            Interval::Year => month_start(y + 1, 1),
        }
    }

    /// The bucket's label: `2026-01-15`, `2026-W03`, `2026-01`, `2026-Q1`, `2026`.
    pub fn label(self, start: i64) -> String {
        let (y, m, d, _, _) = civil(start);
        match self {
            Interval::Day => format!("{y:04}-{m:02}-{d:02}"),
            Interval::Week => {
                // ISO week: the week belongs to the year of its Thursday.
                let thursday = vn_day_start(week_of(vn_day(start)) + 3);
                let iso_year = civil(thursday).0;
                let first_thursday = {
                    let jan4 = vn_day(day_start(iso_year, 1, 4));
                    week_of(jan4) + 3
                };
                let week = (vn_day(thursday) - first_thursday) / 7 + 1;
                format!("{iso_year:04}-W{week:02}")
            }
            Interval::Month => format!("{y:04}-{m:02}"),
            Interval::Quarter => format!("{y:04}-Q{}", (m - 1) / 3 + 1),
            Interval::Year => format!("{y:04}"),
        }
    }
}

/// The buckets covering `[from, to)`, each clipped to the period: `(start, end)`. At most `cap`
/// buckets; `None` when more would be needed.
pub fn buckets(from: i64, to: i64, interval: Interval, cap: usize) -> Option<Vec<(i64, i64)>> {
    let mut out = Vec::new();
    let mut start = interval.bucket_start(from);
    while start < to {
        if out.len() == cap {
            return None;
        }
        let end = interval.next(start);
        out.push((start.max(from), end.min(to)));
        start = end;
    }
    Some(out)
}

/// The instant one year before `ms` under the 29 February rule above; `end` says whether `ms`
/// closes a period (exclusive) rather than opens one.
pub fn year_earlier(ms: i64, end: bool) -> i64 {
    let (y, m, d, _, _) = civil(ms);
    let into_day = ms - day_start(y, m, d);
    if (m, d) == (2, 29) {
        // A period closing on or during 29 February closes as 28 February does a year earlier:
        // at 1 March, so that day is taken whole.
        return if end { day_start(y - 1, 3, 1) } else { day_start(y - 1, 2, 28) + into_day };
    }
    day_start(y - 1, m, d) + into_day
}

/// The same period one year earlier: `[from, to)` moved back by the 29 February rule.
pub fn same_period_last_year(from: i64, to: i64) -> (i64, i64) {
    (year_earlier(from, false), year_earlier(to, true))
}

/// The change from `previous` to `current` in percent, to one decimal; `None` without a base
/// (nothing the year before), where a percentage would mean nothing.
pub fn change_pct(current: i64, previous: i64) -> Option<f64> {
    if previous == 0 {
        return None;
    }
    let pct = (current - previous) as f64 * 100.0 / previous as f64;
    Some((pct * 10.0).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_complete_period_is_the_one_before_the_present() {
        let at = |y: i64, m: i64, d: i64| month_start(y, m) + (d - 1) * DAY_MS + 3_600_000;
        let key = |kind: &str, t: i64| last_complete(kind, t).map(|p| (p.year, p.period, p.key));
        let feb = at(2026, 2, 3);
        assert_eq!(key("monthly", feb), Some((2026, Some(1), "2026-01".into())));
        assert_eq!(key("quarterly", feb), Some((2025, Some(4), "2025-Q4".into())));
        assert_eq!(key("six_monthly", feb), Some((2025, Some(2), "2025-H2".into())));
        assert_eq!(key("yearly", feb), Some((2025, None, "2025".into())));
        assert_eq!(key("monthly", at(2026, 1, 1)), Some((2025, Some(12), "2025-12".into())), "across the year");
        assert_eq!(key("quarterly", at(2026, 7, 1)), Some((2026, Some(2), "2026-Q2".into())));
        assert_eq!(key("six_monthly", at(2026, 12, 31)), Some((2026, Some(1), "2026-H1".into())));
        // 00:30 on 1 March in Vietnam is still 28 February in UTC: Vietnam time decides.
        assert_eq!(key("monthly", month_start(2026, 3) + 1_800_000), Some((2026, Some(2), "2026-02".into())));
        assert_eq!(key("tet", feb), None);
    }

    fn d(y: i64, m: i64, day: i64) -> i64 {
        day_start(y, m, day)
    }

    #[test]
    fn year_earlier_keeps_the_calendar_and_maps_29_february_to_28() {
        assert_eq!(same_period_last_year(d(2026, 1, 1), d(2026, 2, 1)), (d(2025, 1, 1), d(2025, 2, 1)));
        assert_eq!(same_period_last_year(d(2024, 2, 1), d(2024, 3, 1)), (d(2023, 2, 1), d(2023, 3, 1)), "February whole");
        assert_eq!(same_period_last_year(d(2024, 2, 29), d(2024, 3, 1)), (d(2023, 2, 28), d(2023, 3, 1)), "29 Feb ↔ 28 Feb");
        assert_eq!(same_period_last_year(d(2024, 2, 1), d(2024, 2, 29)), (d(2023, 2, 1), d(2023, 3, 1)), "1–28 Feb takes 28 Feb whole");
        assert_eq!(same_period_last_year(d(2025, 2, 28), d(2025, 3, 1)), (d(2024, 2, 28), d(2024, 3, 1)), "28 Feb ↔ 28–29 Feb");
        assert_eq!(same_period_last_year(d(2025, 3, 1), d(2025, 4, 1)), (d(2024, 3, 1), d(2024, 4, 1)));
        let noon = d(2024, 2, 29) + 12 * 3_600_000;
        assert_eq!(year_earlier(noon, false), d(2023, 2, 28) + 12 * 3_600_000);
        assert_eq!(year_earlier(noon, true), d(2023, 3, 1));
        assert_eq!(same_period_last_year(d(2025, 1, 1), d(2026, 1, 1)), (d(2024, 1, 1), d(2025, 1, 1)), "a year is a year");
    }

    #[test]
    fn changes_in_percent() {
        assert_eq!(change_pct(1096, 1000), Some(9.6));
        assert_eq!(change_pct(1194, 1000), Some(19.4));
        assert_eq!(change_pct(2, 3), Some(-33.3));
        assert_eq!(change_pct(0, 4), Some(-100.0));
        assert_eq!(change_pct(5, 0), None, "no base, no percentage");
        assert_eq!(change_pct(0, 0), None);
    }

    #[test]
    fn buckets_and_labels() {
        let months = buckets(d(2024, 1, 15), d(2024, 4, 1), Interval::Month, 100).unwrap();
        assert_eq!(months, vec![(d(2024, 1, 15), d(2024, 2, 1)), (d(2024, 2, 1), d(2024, 3, 1)), (d(2024, 3, 1), d(2024, 4, 1))]);
        assert_eq!(Interval::Month.label(months[1].0), "2024-02");
        assert_eq!(Interval::Quarter.label(d(2024, 8, 3)), "2024-Q3");
        assert_eq!(Interval::Quarter.bucket_start(d(2024, 8, 3)), d(2024, 7, 1));
        // 1 January 2026 is a Thursday: ISO week 1 of 2026 starts on Monday 29 December 2025.
        assert_eq!(Interval::Week.bucket_start(d(2026, 1, 1) + 5), d(2025, 12, 29));
        assert_eq!(Interval::Week.label(d(2025, 12, 29)), "2026-W01");
        assert_eq!(Interval::Week.label(d(2021, 1, 1)), "2020-W53", "1 January 2021 is in 2020's 53rd week");
        assert_eq!(Interval::Day.label(d(2024, 2, 29)), "2024-02-29");
        assert_eq!(buckets(d(2020, 1, 1), d(2030, 1, 1), Interval::Day, 100), None, "too many buckets");
        assert_eq!(buckets(d(2024, 1, 1), d(2024, 1, 1), Interval::Day, 100), Some(vec![]), "an empty period has none");
        assert_eq!(weekday(vn_day(d(2026, 1, 15))), 3, "15 January 2026 is a Thursday");
    }
}
