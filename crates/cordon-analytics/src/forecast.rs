//! Forecasts of the coming weeks' cases, with the error each method made on a held-out past.
//!
//! Three simple methods compete: the seasonal naive (the same week 52 weeks earlier), the
//! Tết-aligned seasonal naive (the week at the same distance from last year's Tết, since the
//! peak moves with the lunar calendar) and the mean of the last 8 weeks. Each forecasts the last
//! `holdout` weeks from the data before them; the one with the lowest MASE (mean absolute error
//! scaled by the in-sample mean absolute one-week change, Hyndman & Koehler 2006) forecasts the
//! coming weeks. MAPE is reported too, over the held-out weeks with cases.

use crate::period::week_of;
use crate::season::Weekly;
use crate::tet;

/// A forecasting method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// The same week 52 weeks earlier.
    SeasonalNaive,
    /// The week as far from last year's Tết as this one is from this year's.
    TetAligned,
    /// The mean of the last 8 weeks.
    RecentMean,
}

impl Method {
    /// The method's code.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::SeasonalNaive => "seasonal_naive",
            Method::TetAligned => "tet_aligned_seasonal_naive",
            Method::RecentMean => "mean_of_last_8_weeks",
        }
    }
}

/// How a method did on the held-out weeks.
#[derive(Debug, Clone, PartialEq)]
pub struct Backtest {
    /// The method.
    pub method: Method,
    /// Mean absolute scaled error; `None` when the history never changes (no scale).
    pub mase: Option<f64>,
    /// Mean absolute percentage error over the held-out weeks with cases; `None` if none had any.
    pub mape: Option<f64>,
    /// Mean absolute error, cases a week.
    pub mae: f64,
}

/// The coming weeks' forecast and how the methods did on the past.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    /// The method chosen (lowest MASE on the held-out weeks).
    pub method: Method,
    /// Cases expected in each coming week.
    pub values: Vec<f64>,
    /// Every method that could be tried, with its errors.
    pub backtests: Vec<Backtest>,
    /// Weeks held out.
    pub holdout: usize,
}

/// Forecasts weeks `start..start + h` of `w` from weeks before `start` only.
fn predict(method: Method, w: &Weekly, start: usize, h: usize) -> Option<Vec<f64>> {
    let y = &w.counts;
    match method {
        Method::SeasonalNaive => {
            if start < 52 || h > 52 {
                return None;
            }
            Some((start..start + h).map(|t| y[t - 52] as f64).collect())
        }
        Method::TetAligned => (start..start + h)
            .map(|t| {
                // The week's Thursday decides which Tết it belongs to.
                let day = w.week_day(t) + 3;
                let (this_tet, offset) = tet::nearest(day)?;
                let prev_tet = tet::all().iter().map(|(_, d)| *d).filter(|d| *d < this_tet).max()?;
                let back = (week_of(prev_tet + offset) - w.first_week) / 7;
                (back >= 0 && (back as usize) < start).then(|| y[back as usize] as f64)
            })
            .collect(),
        Method::RecentMean => {
            if start < 8 {
                return None;
            }
            let mean = y[start - 8..start].iter().sum::<u64>() as f64 / 8.0;
            Some(vec![mean; h])
        }
    }
}

/// Backtests every method on the last `holdout` weeks and forecasts the `h` weeks after the
/// series with the best; `None` when no method can be tried (too little history).
pub fn forecast(w: &Weekly, h: usize, holdout: usize) -> Option<Forecast> {
    let n = w.counts.len();
    if holdout == 0 || n <= holdout + 1 {
        return None;
    }
    let train = n - holdout;
    let y = &w.counts;
    let scale = (1..train).map(|t| (y[t] as f64 - y[t - 1] as f64).abs()).sum::<f64>() / (train - 1) as f64;
    let actual: Vec<f64> = y[train..].iter().map(|v| *v as f64).collect();
    let mut backtests = Vec::new();
    for method in [Method::TetAligned, Method::SeasonalNaive, Method::RecentMean] {
        let Some(pred) = predict(method, w, train, holdout) else { continue };
        let mae = pred.iter().zip(&actual).map(|(p, a)| (p - a).abs()).sum::<f64>() / holdout as f64;
        let with_cases: Vec<f64> = pred.iter().zip(&actual).filter(|(_, a)| **a > 0.0).map(|(p, a)| (p - a).abs() / a).collect();
        let mape = (!with_cases.is_empty()).then(|| 100.0 * with_cases.iter().sum::<f64>() / with_cases.len() as f64);
        backtests.push(Backtest { method, mase: (scale > 0.0).then(|| mae / scale), mape, mae });
    }
    // One scale for all methods: the lowest MAE is the lowest MASE, and it exists without a scale.
    let mut method = backtests.iter().min_by(|a, b| a.mae.total_cmp(&b.mae))?.method;
    let values = match predict(method, w, n, h) {
        Some(v) => v,
        None => {
            method = Method::RecentMean;
            predict(method, w, n, h)?
        }
    };
    Some(Forecast { method, values, backtests, holdout })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::synthetic::Rng;
    use crate::period::vn_day;
    use cordon_core::time::day_start;

    #[test]
    fn errors_are_computed_as_defined() {
        // 10 weeks: 2, 4, 2, 4, … then hold out the last 2 (actual 2, 4). Mean of last 8 = 3.
        let w = Weekly { first_week: week_of(vn_day(day_start(2026, 1, 5))), counts: vec![2, 4, 2, 4, 2, 4, 2, 4, 2, 4] };
        let f = forecast(&w, 3, 2).unwrap();
        let mean = f.backtests.iter().find(|b| b.method == Method::RecentMean).unwrap();
        // MAE = 1; scale = mean |Δ| over the 8 training weeks = 2; MASE = 0.5; MAPE = (1/2 + 1/4)/2 = 37.5 %.
        assert_eq!(mean.mae, 1.0);
        assert_eq!(mean.mase, Some(0.5));
        assert_eq!(mean.mape, Some(37.5));
        assert_eq!(f.method, Method::RecentMean, "too little history for the seasonal methods");
        assert_eq!(f.values, vec![3.0; 3]);
        assert_eq!(forecast(&Weekly { first_week: 0, counts: vec![1, 2] }, 3, 2), None);
    }

    #[test]
    fn the_tet_aligned_method_wins_where_the_peak_follows_tet() {
        // Four years of Poisson weeks at 5 a week with a peak of 30 in the three weeks before each Tết.
        let first = week_of(vn_day(day_start(2022, 1, 3)));
        let weeks = 4 * 52 + 20;
        let mut rng = Rng(7);
        let counts: Vec<u64> = (0..weeks)
            .map(|i| {
                let day = first + 7 * i as i64 + 3;
                let (_, off) = tet::nearest(day).unwrap();
                rng.poisson(if (-21..0).contains(&off) { 30.0 } else { 5.0 })
            })
            .collect();
        let w = Weekly { first_week: first, counts };
        // Hold out the 12 weeks around Tết 2026 (17 February): the series ends 8 weeks after it.
        let tet26 = w.index_of(tet::tet_day(2026).unwrap()).unwrap();
        let w = Weekly { first_week: w.first_week, counts: w.counts[..tet26 + 8].to_vec() };
        let f = forecast(&w, 4, 12).unwrap();
        let err = |m: Method| f.backtests.iter().find(|b| b.method == m).unwrap().mase.unwrap();
        println!(
            "MASE on the 12 weeks around Tết 2026: Tết-aligned {:.2}, seasonal naive {:.2}, recent mean {:.2}",
            err(Method::TetAligned),
            err(Method::SeasonalNaive),
            err(Method::RecentMean)
        );
        assert!(err(Method::TetAligned) < err(Method::SeasonalNaive), "Tết 2025 was 19 days earlier than 2026's");
        assert!(err(Method::TetAligned) < err(Method::RecentMean));
        assert_eq!(f.method, Method::TetAligned);
        assert_eq!(f.values.len(), 4);
    }
}
