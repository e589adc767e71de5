//! Calendar arithmetic in Vietnam time (UTC+7, no daylight saving), without a date library:
//! timestamps are milliseconds since the Unix epoch throughout Cordon.

/// Vietnam's offset from UTC, in milliseconds.
pub const VN_OFFSET_MS: i64 = 7 * 3_600_000;
const DAY_MS: i64 = 86_400_000;

/// Calendar fields of a timestamp in Vietnam time: (year, month, day, hour, minute).
pub fn civil(ms: i64) -> (i64, i64, i64, i64, i64) {
    let local = ms + VN_OFFSET_MS;
    let days = local.div_euclid(DAY_MS);
    let secs = local.rem_euclid(DAY_MS) / 1000;
    // Civil-from-days (H. Hinnant).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d, secs / 3600, (secs % 3600) / 60)
}

/// The calendar year of a timestamp in Vietnam time.
pub fn year(ms: i64) -> i64 {
    civil(ms).0
}

/// Milliseconds of 00:00 Vietnam time on a given day (month 1–12; day may overflow the month).
pub fn day_start(year: i64, month: i64, day: i64) -> i64 {
    let (y, m) = if month <= 2 { (year - 1, month + 9) } else { (year, month - 3) };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe - 719_468 + day - 1) * DAY_MS - VN_OFFSET_MS
}

/// Milliseconds of 00:00 Vietnam time on the first of a month.
pub fn month_start(year: i64, month: i64) -> i64 {
    day_start(year, month, 1)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    let next = if month == 12 { month_start(year + 1, 1) } else { month_start(year, month + 1) };
    (next - month_start(year, month)) / DAY_MS
}

/// Parses a date or date-time as officers write it, in Vietnam time: `dd/mm/yyyy`,
/// `dd/mm/yyyy hh:mm`, `yyyy-mm-dd`, `yyyy-mm-ddThh:mm` (an HTML datetime-local value) or
/// `yyyy-mm-dd hh:mm`; a time may end in a UTC offset (`+07:00`, `Z`), as Cordon's own
/// exports write it. Impossible dates (31/02) are refused.
pub fn parse_datetime(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, time) = match s.split_once(['T', ' ']) {
        Some((d, t)) => (d, Some(t.trim())),
        None => (s, None),
    };
    // Minutes to add to reach Vietnam time: 0 without an offset (Vietnam time is assumed).
    let (time, shift_min) = match time {
        Some(t) if t.ends_with('Z') => (Some(&t[..t.len() - 1]), 7 * 60),
        Some(t) => match t.rfind(['+', '-']) {
            Some(at) => {
                let (clock, offset) = t.split_at(at);
                let (oh, om) = offset[1..].split_once(':').unwrap_or((&offset[1..], "0"));
                let minutes = oh.parse::<i64>().ok()? * 60 + om.parse::<i64>().ok()?;
                if minutes > 14 * 60 {
                    return None;
                }
                (Some(clock), 7 * 60 - if offset.starts_with('-') { -minutes } else { minutes })
            }
            None => (Some(t), 0),
        },
        None => (None, 0),
    };
    let nums = |text: &str, sep: char| -> Option<Vec<i64>> { text.split(sep).map(|p| p.trim().parse::<i64>().ok()).collect() };
    let (y, m, d) = if date.contains('/') {
        match nums(date, '/')?.as_slice() {
            [d, m, y] => (*y, *m, *d),
            _ => return None,
        }
    } else {
        match nums(date, '-')?.as_slice() {
            [y, m, d] => (*y, *m, *d),
            _ => return None,
        }
    };
    let (hh, mm) = match time {
        Some(t) => match nums(t, ':')?.as_slice() {
            [h, m] | [h, m, _] => (*h, *m),
            _ => return None,
        },
        None => (0, 0),
    };
    if !(1900..=2200).contains(&y) || !(1..=12).contains(&m) || !(0..24).contains(&hh) || !(0..60).contains(&mm) {
        return None;
    }
    if !(1..=days_in_month(y, m)).contains(&d) {
        return None;
    }
    Some(day_start(y, m, d) + hh * 3_600_000 + mm * 60_000 + shift_min * 60_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_in_vietnam_time() {
        assert_eq!(year(1_767_200_400_000), 2026, "2025-12-31 17:00 UTC is 1 January 2026 in Hanoi");
        assert_eq!(year(1_767_196_799_000), 2025);
        assert_eq!(civil(951_782_400_000).2, 29, "29 February 2000");
        assert_eq!(month_start(2026, 1), 1_767_200_400_000);
        assert_eq!(month_start(2024, 3) - month_start(2024, 2), 29 * DAY_MS, "leap February");
        assert_eq!(month_start(2025, 3) - month_start(2025, 2), 28 * DAY_MS);
    }

    #[test]
    fn parses_what_officers_write() {
        let jan1 = 1_767_200_400_000;
        for (s, want) in [
            ("01/01/2026", Some(jan1)),
            ("1/1/2026 00:00", Some(jan1)),
            ("2026-01-01", Some(jan1)),
            ("2026-01-01T07:30", Some(jan1 + 27_000_000)),
            ("2026-01-01 07:30:59", Some(jan1 + 27_000_000)),
            ("2026-01-01T07:30+07:00", Some(jan1 + 27_000_000)),
            ("2026-01-01T00:30Z", Some(jan1 + 27_000_000)),
            ("2026-01-01T01:30+01:00", Some(jan1 + 27_000_000)),
            ("2026-01-01T07:30+99:00", None),
            ("29/02/2024", Some(day_start(2024, 2, 29))),
            ("29/02/2025", None),
            ("31/04/2026", None),
            ("2026-13-01", None),
            ("01/01/2026 25:00", None),
            ("hôm qua", None),
            ("", None),
        ] {
            assert_eq!(parse_datetime(s), want, "{s:?}");
        }
    }
}
