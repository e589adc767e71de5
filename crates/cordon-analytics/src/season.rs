//! Weekly series and seasonal profiles: the weeks around Tết, aligned on each year's Tết, and the
//! months of the year (the year-end peak).

use cordon_core::time::civil;

use crate::period::{vn_day_start, week_of};
use crate::tet;

/// Counts for consecutive weeks (Monday to Sunday, Vietnam time).
#[derive(Debug, Clone, PartialEq)]
pub struct Weekly {
    /// Day number of the Monday starting the first week.
    pub first_week: i64,
    /// Cases each week.
    pub counts: Vec<u64>,
}

impl Weekly {
    /// Weeks from the one holding `from_day` to the one holding `to_day - 1`, filled from daily
    /// counts `(day number, cases)`; days outside are ignored.
    pub fn from_days(days: &[(i64, u64)], from_day: i64, to_day: i64) -> Weekly {
        let first_week = week_of(from_day);
        let weeks = if to_day > from_day { ((week_of(to_day - 1) - first_week) / 7 + 1) as usize } else { 0 };
        let mut counts = vec![0; weeks];
        for &(day, n) in days {
            if day >= from_day && day < to_day {
                counts[((day - first_week) / 7) as usize] += n;
            }
        }
        Weekly { first_week, counts }
    }

    /// Day number of the Monday of week `i`.
    pub fn week_day(&self, i: usize) -> i64 {
        self.first_week + 7 * i as i64
    }

    /// The index of the week holding `day`, if the series has it.
    pub fn index_of(&self, day: i64) -> Option<usize> {
        let i = (week_of(day) - self.first_week) / 7;
        (i >= 0 && (i as usize) < self.counts.len()).then_some(i as usize)
    }
}

/// One point of a seasonal profile.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfilePoint {
    /// Weeks from Tết's week (negative: before), or the month (1–12).
    pub at: i64,
    /// Cases at this point relative to the level around it (1.0 = usual); `None` with no data.
    pub index: Option<f64>,
    /// How many years contributed.
    pub years: usize,
}

/// The weeks from `before` weeks before Tết to `after` weeks after it, each as a ratio to that
/// year's level (the mean week within half a year of that Tết), averaged over the years the
/// series covers.
pub fn tet_profile(w: &Weekly, before: i64, after: i64) -> Vec<ProfilePoint> {
    let mut sums = vec![(0.0, 0usize); (before + after + 1) as usize];
    for &(_, day) in tet::all() {
        let Some(centre) = w.index_of(day) else { continue };
        let lo = centre.saturating_sub(26);
        let hi = (centre + 26).min(w.counts.len());
        let level = w.counts[lo..hi].iter().sum::<u64>() as f64 / (hi - lo) as f64;
        if level == 0.0 {
            continue;
        }
        for (slot, o) in (-before..=after).enumerate() {
            let i = centre as i64 + o;
            if i >= 0 && (i as usize) < w.counts.len() {
                sums[slot].0 += w.counts[i as usize] as f64 / level;
                sums[slot].1 += 1;
            }
        }
    }
    (-before..=after).zip(sums).map(|(at, (s, n))| ProfilePoint { at, index: (n > 0).then(|| s / n as f64), years: n }).collect()
}

/// Each month of the year as a ratio to the mean month, over the whole months in `days`
/// (`(day number, cases)`) between `from_day` and `to_day`.
pub fn month_profile(days: &[(i64, u64)], from_day: i64, to_day: i64) -> Vec<ProfilePoint> {
    use std::collections::BTreeMap;
    let month_of = |day: i64| {
        let (y, m, _, _, _) = civil(vn_day_start(day));
        (y, m)
    };
    // Only whole months count: a month cut by the period would look quiet.
    let first = month_of(from_day);
    let last = month_of(to_day - 1);
    let whole = |ym: (i64, i64)| (ym != first || month_of(from_day - 1) != first) && (ym != last || month_of(to_day) != last);
    let mut per_month: BTreeMap<(i64, i64), u64> = BTreeMap::new();
    let mut day = from_day;
    while day < to_day {
        per_month.entry(month_of(day)).or_insert(0);
        day += 28;
    }
    per_month.entry(last).or_insert(0);
    for &(day, n) in days {
        if day >= from_day && day < to_day {
            *per_month.entry(month_of(day)).or_insert(0) += n;
        }
    }
    per_month.retain(|ym, _| whole(*ym));
    let mean = if per_month.is_empty() { 0.0 } else { per_month.values().sum::<u64>() as f64 / per_month.len() as f64 };
    (1..=12)
        .map(|m| {
            let these: Vec<u64> = per_month.iter().filter(|((_, mm), _)| *mm == m).map(|(_, n)| *n).collect();
            let index = (!these.is_empty() && mean > 0.0).then(|| these.iter().sum::<u64>() as f64 / these.len() as f64 / mean);
            ProfilePoint { at: m, index, years: these.len() }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::period::vn_day;
    use cordon_core::time::day_start;

    fn day(y: i64, m: i64, d: i64) -> i64 {
        vn_day(day_start(y, m, d))
    }

    #[test]
    fn weeks_from_days() {
        // Monday 5 January 2026 to Sunday 18 January: two weeks.
        let w = Weekly::from_days(
            &[(day(2026, 1, 5), 2), (day(2026, 1, 11), 1), (day(2026, 1, 12), 4), (day(2026, 1, 19), 9)],
            day(2026, 1, 5),
            day(2026, 1, 19),
        );
        assert_eq!(w.counts, vec![3, 4]);
        assert_eq!(w.index_of(day(2026, 1, 14)), Some(1));
        assert_eq!(w.index_of(day(2026, 1, 20)), None);
    }

    #[test]
    fn a_peak_before_each_tet_shows_in_the_profile() {
        // Three years of one case a day, and ten more a day in the week before each Tết.
        let (from, to) = (day(2022, 7, 1), day(2026, 1, 1));
        let mut days: Vec<(i64, u64)> = (from..to).map(|d| (d, 1)).collect();
        for year in 2023..=2025 {
            let t = tet::tet_day(year).unwrap();
            for d in (t - 7)..t {
                days.push((d, 10));
            }
        }
        let w = Weekly::from_days(&days, from, to);
        let profile = tet_profile(&w, 4, 2);
        assert_eq!(profile.len(), 7);
        let peak = profile.iter().max_by(|a, b| a.index.partial_cmp(&b.index).unwrap()).unwrap();
        assert!(peak.at == -1 || peak.at == 0, "the week before Tết (or Tết's own week, sharing days): {profile:?}");
        assert!(peak.index.unwrap() > 3.0);
        assert!(profile[0].index.unwrap() < 1.0, "four weeks before is a usual week, below the peaked level");
        assert_eq!(profile[0].years, 3);
    }

    #[test]
    fn month_profile_over_whole_months() {
        // 2024 and 2025: 2 cases every day, 30 more each December; a cut January 2026 is left out.
        let (from, to) = (day(2024, 1, 1), day(2026, 1, 15));
        let mut days: Vec<(i64, u64)> = (from..to).map(|d| (d, 2)).collect();
        days.push((day(2024, 12, 10), 30));
        days.push((day(2025, 12, 10), 30));
        let p = month_profile(&days, from, to);
        assert_eq!(p[11].years, 2);
        assert_eq!(p[0].years, 2, "January 2026 is not whole");
        // Mean month over 24 months: (2 · 731 + 60) / 24; December: 2·31 + 30 = 92.
        let mean = (2.0 * 731.0 + 60.0) / 24.0;
        assert!((p[11].index.unwrap() - 92.0 / mean).abs() < 1e-9);
        assert!((p[1].index.unwrap() - (58.0 + 56.0) / 2.0 / mean).abs() < 1e-9, "February: 29 days in 2024, 28 in 2025");
    }
}
