//! Tết Nguyên Đán, the Lunar New Year, as data: one date a year, 2015–2035 (`data/tet.csv`).
//!
//! Smuggling peaks in the weeks before Tết, and Tết moves between 21 January and 20 February,
//! so seasonal profiles and forecasts align weeks on it rather than on the calendar.

use std::sync::OnceLock;

use cordon_core::time::day_start;

use crate::period::vn_day;

const TET_CSV: &str = include_str!("../data/tet.csv");

/// The years the table covers.
pub const FIRST_YEAR: i64 = 2015;
/// The last year the table covers.
pub const LAST_YEAR: i64 = 2035;

fn table() -> &'static [(i64, i64)] {
    static TABLE: OnceLock<Vec<(i64, i64)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        TET_CSV
            .lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with("year"))
            .filter_map(|l| {
                let (year, date) = l.split_once(',')?;
                let mut parts = date.split('-').map(|p| p.parse::<i64>().ok());
                let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
                Some((year.parse().ok()?, vn_day(day_start(y, m, d))))
            })
            .collect()
    })
}

/// The day number (Vietnam time) of Tết in `year`, if the table covers it.
pub fn tet_day(year: i64) -> Option<i64> {
    table().iter().find(|(y, _)| *y == year).map(|(_, d)| *d)
}

/// All Tết days the table holds, `(year, day number)`, oldest first.
pub fn all() -> &'static [(i64, i64)] {
    table()
}

/// The Tết nearest to `day` (before or after) and the signed distance to it in days; `None`
/// outside the table's years.
pub fn nearest(day: i64) -> Option<(i64, i64)> {
    // Beyond ~200 days from the table's ends the nearest Tết may be one the table lacks.
    table().iter().map(|(_, t)| (*t, day - *t)).min_by_key(|(_, off)| off.abs()).filter(|(_, off)| off.abs() <= 200)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The Vietnamese lunar calendar by Hồ Ngọc Đức's method (new moons and the sun's longitude
    // after Meeus, in UTC+7), used here only to check the table.
    mod lunar {
        use std::f64::consts::PI;

        pub fn jd_from_date(dd: i64, mm: i64, yy: i64) -> i64 {
            let a = (14 - mm) / 12;
            let y = yy + 4800 - a;
            let m = mm + 12 * a - 3;
            dd + (153 * m + 2) / 5 + 365 * y + y / 4 - y / 100 + y / 400 - 32045
        }

        fn new_moon_day(k: i64, tz: f64) -> i64 {
            let k = k as f64;
            let t = k / 1236.85;
            let (t2, t3) = (t * t, t * t * t);
            let dr = PI / 180.0;
            let mut jd1 = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3;
            jd1 += 0.00033 * ((166.56 + 132.87 * t - 0.009173 * t2) * dr).sin();
            let m = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3;
            let mpr = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3;
            let f = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3;
            let mut c1 = (0.1734 - 0.000393 * t) * (m * dr).sin() + 0.0021 * (2.0 * dr * m).sin();
            c1 = c1 - 0.4068 * (mpr * dr).sin() + 0.0161 * (dr * 2.0 * mpr).sin();
            c1 -= 0.0004 * (dr * 3.0 * mpr).sin();
            c1 = c1 + 0.0104 * (dr * 2.0 * f).sin() - 0.0051 * (dr * (m + mpr)).sin();
            c1 = c1 - 0.0074 * (dr * (m - mpr)).sin() + 0.0004 * (dr * (2.0 * f + m)).sin();
            c1 = c1 - 0.0004 * (dr * (2.0 * f - m)).sin() - 0.0006 * (dr * (2.0 * f + mpr)).sin();
            c1 = c1 + 0.0010 * (dr * (2.0 * f - mpr)).sin() + 0.0005 * (dr * (2.0 * mpr + m)).sin();
            let deltat = if t < -11.0 {
                0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
            } else {
                -0.000278 + 0.000265 * t + 0.000262 * t2
            };
            (jd1 + c1 - deltat + 0.5 + tz / 24.0).floor() as i64
        }

        fn sun_longitude(jdn: i64, tz: f64) -> i64 {
            let t = (jdn as f64 - 2451545.5 - tz / 24.0) / 36525.0;
            let t2 = t * t;
            let dr = PI / 180.0;
            let m = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2;
            let l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2;
            let mut dl = (1.914600 - 0.004817 * t - 0.000014 * t2) * (dr * m).sin();
            dl = dl + (0.019993 - 0.000101 * t) * (dr * 2.0 * m).sin() + 0.000290 * (dr * 3.0 * m).sin();
            let mut l = (l0 + dl) * dr;
            l -= PI * 2.0 * (l / (PI * 2.0)).floor();
            (l / PI * 6.0).floor() as i64
        }

        fn lunar_month_11(yy: i64, tz: f64) -> i64 {
            let off = jd_from_date(31, 12, yy) - 2415021;
            let k = (off as f64 / 29.530588853).floor() as i64;
            let nm = new_moon_day(k, tz);
            if sun_longitude(nm, tz) >= 9 {
                new_moon_day(k - 1, tz)
            } else {
                nm
            }
        }

        fn leap_month_offset(a11: i64, tz: f64) -> i64 {
            let k = ((a11 as f64 - 2415021.076998695) / 29.530588853 + 0.5).floor() as i64;
            let mut i = 1;
            let mut arc = sun_longitude(new_moon_day(k + i, tz), tz);
            loop {
                let last = arc;
                i += 1;
                arc = sun_longitude(new_moon_day(k + i, tz), tz);
                if arc == last || i >= 14 {
                    break;
                }
            }
            i - 1
        }

        /// Julian day number of the first day of the first lunar month of `year`.
        pub fn tet_jd(year: i64, tz: f64) -> i64 {
            let a11 = lunar_month_11(year - 1, tz);
            let b11 = lunar_month_11(year, tz);
            let k = (0.5 + (a11 as f64 - 2415021.076998695) / 29.530588853).floor() as i64;
            let mut off = 2;
            if b11 - a11 > 365 && off >= leap_month_offset(a11, tz) {
                off += 1;
            }
            new_moon_day(k + off, tz)
        }
    }

    #[test]
    fn the_table_matches_the_vietnamese_lunar_calendar() {
        assert_eq!(all().len() as i64, LAST_YEAR - FIRST_YEAR + 1, "one row a year");
        // Julian day number of 1 January 1970 is 2440588.
        for (year, day) in all() {
            assert_eq!(lunar::tet_jd(*year, 7.0) - 2_440_588, *day, "Tết {year}");
        }
        assert_eq!(tet_day(2026), Some(vn_day(day_start(2026, 2, 17))));
        assert_eq!(tet_day(2014), None);
    }

    #[test]
    fn nearest_tet() {
        let t26 = tet_day(2026).unwrap();
        assert_eq!(nearest(t26 - 10), Some((t26, -10)));
        assert_eq!(nearest(t26 + 100), Some((t26, 100)));
        let t27 = tet_day(2027).unwrap();
        assert_eq!(nearest(t27 - 20), Some((t27, -20)));
    }
}
