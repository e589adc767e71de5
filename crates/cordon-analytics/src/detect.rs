//! Hotspots: a week whose case count rises significantly above the same series' own baseline.
//!
//! Method: the exact conditional test for two Poisson rates (Przyborowski & Wilenski, 1940; the
//! "C-test"). The tested week's count `x` and the baseline's total `b` over `k` earlier weeks
//! are Poisson with rates λ₁ and kλ₀; under H₀ (λ₁ = λ₀), given `n = x + b`, `x` is
//! Binomial(n, 1/(k+1)), and the one-sided p-value is P(X ≥ x). Conditioning removes the unknown
//! rate, so the test is exact for small counts (where a z-score is not) and accounts for the
//! baseline being estimated. A week alarms when p < α; α is the false-alarm rate per series and
//! week, so over `m` tests about `m·α` alarms are expected by chance alone, and callers report it.

/// One-sided p-value that `x` cases in one week rise above a baseline of `baseline` cases over
/// `k` weeks of the same length (`k ≥ 1`).
pub fn rise_p_value(x: u64, baseline: u64, k: u32) -> f64 {
    if x == 0 {
        return 1.0;
    }
    let k = f64::from(k.max(1));
    binomial_upper_tail(x + baseline, x, 1.0 / (k + 1.0))
}

/// P(X ≥ x) for X ~ Binomial(n, p), summed from `x` upwards in log space for the first term so
/// that large `n` does not underflow.
fn binomial_upper_tail(n: u64, x: u64, p: f64) -> f64 {
    if x == 0 {
        return 1.0;
    }
    if x > n {
        return 0.0;
    }
    let q = 1.0 - p;
    // ln C(n, x) = Σ_{i=1..x} ln((n - x + i) / i)
    let ln_choose: f64 = (1..=x).map(|i| ((n - x + i) as f64 / i as f64).ln()).sum();
    let mut term = (ln_choose + x as f64 * p.ln() + (n - x) as f64 * q.ln()).exp();
    let mut sum = 0.0;
    let ratio = p / q;
    let mut j = x;
    loop {
        sum += term;
        if j == n {
            break;
        }
        term *= (n - j) as f64 / (j + 1) as f64 * ratio;
        j += 1;
        // Past the mode the terms only shrink; stop once they no longer move the sum.
        if j as f64 > n as f64 * p && term < sum * 1e-16 {
            break;
        }
    }
    sum.min(1.0)
}

/// A week that rose significantly above its baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct Alarm {
    /// Index of the week in the series.
    pub week: usize,
    /// Cases that week.
    pub count: u64,
    /// Mean cases a week over the baseline window.
    pub baseline_mean: f64,
    /// The test's p-value.
    pub p_value: f64,
}

/// How a series is scanned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScanRule {
    /// Baseline weeks before the tested week.
    pub window: usize,
    /// False-alarm rate per tested week.
    pub alpha: f64,
}

impl Default for ScanRule {
    fn default() -> Self {
        ScanRule { window: 12, alpha: 0.001 }
    }
}

/// Tests every week of `counts` from index `from` on (each needs a full window before it) and
/// returns the alarms and how many weeks were tested.
pub fn scan(counts: &[u64], from: usize, rule: ScanRule) -> (Vec<Alarm>, usize) {
    let mut alarms = Vec::new();
    let mut tested = 0;
    let window = rule.window.max(1);
    for t in from.max(window)..counts.len() {
        let baseline: u64 = counts[t - window..t].iter().sum();
        tested += 1;
        let p = rise_p_value(counts[t], baseline, window as u32);
        if p < rule.alpha {
            alarms.push(Alarm { week: t, count: counts[t], baseline_mean: baseline as f64 / window as f64, p_value: p });
        }
    }
    (alarms, tested)
}

#[cfg(test)]
pub(crate) mod synthetic {
    /// SplitMix64: a small deterministic generator for synthetic series in tests.
    pub struct Rng(pub u64);

    impl Rng {
        pub fn next_f64(&mut self) -> f64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
        }

        /// A Poisson draw (Knuth's method; fine for the small rates of weekly case counts).
        pub fn poisson(&mut self, lambda: f64) -> u64 {
            let l = (-lambda).exp();
            let (mut k, mut p) = (0, 1.0);
            loop {
                p *= self.next_f64();
                if p <= l {
                    return k;
                }
                k += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::synthetic::Rng;
    use super::*;

    #[test]
    fn p_values_match_hand_computed_binomial_tails() {
        // x = 3, baseline 0 over 8 weeks: n = 3, p = 1/9, P(X ≥ 3) = (1/9)³.
        assert!((rise_p_value(3, 0, 8) - 1.0 / 729.0).abs() < 1e-15);
        // x = 2, baseline 2 over 1 week: n = 4, p = 1/2, P(X ≥ 2) = 11/16.
        assert!((rise_p_value(2, 2, 1) - 11.0 / 16.0).abs() < 1e-15);
        assert_eq!(rise_p_value(0, 10, 4), 1.0);
        // Large counts neither underflow nor exceed 1.
        let p = rise_p_value(400, 12 * 300, 12);
        assert!(p > 0.0 && p < 1e-6, "{p}");
        let p = rise_p_value(300, 12 * 300, 12);
        assert!(p > 0.3 && p <= 1.0, "{p}");
    }

    /// Synthetic weekly series at several rates: quiet ones, and the same with planted spikes.
    fn series(rng: &mut Rng, lambda: f64, weeks: usize) -> Vec<u64> {
        (0..weeks).map(|_| rng.poisson(lambda)).collect()
    }

    #[test]
    fn quiet_series_raise_few_false_alarms_and_planted_spikes_are_found() {
        let rule = ScanRule::default();
        let mut rng = Rng(2026);
        let (mut alarms, mut tests) = (0usize, 0usize);
        let (mut found, mut planted, mut spurious, mut spiked_tests) = (0usize, 0usize, 0usize, 0usize);
        for series_no in 0..400 {
            let lambda = [0.5, 2.0, 5.0, 12.0][series_no % 4];
            let quiet = series(&mut rng, lambda, 104);
            let (a, t) = scan(&quiet, 0, rule);
            alarms += a.len();
            tests += t;

            // Plant two spikes (three times the rate, plus eight cases) in a copy.
            let mut spiked = series(&mut rng, lambda, 104);
            let at = [40 + series_no % 20, 80 + series_no % 20];
            for &w in &at {
                spiked[w] = rng.poisson(lambda * 3.0 + 8.0);
            }
            planted += at.len();
            let (a, t) = scan(&spiked, 0, rule);
            spiked_tests += t;
            let hits = at.iter().filter(|w| a.iter().any(|x| x.week == **w)).count();
            found += hits;
            // A spike inflates the next weeks' baseline; it never makes them alarm.
            spurious += a.iter().filter(|x| !at.contains(&x.week)).count();
        }
        let fpr = alarms as f64 / tests as f64;
        let detection = found as f64 / planted as f64;
        let spurious_rate = spurious as f64 / spiked_tests as f64;
        println!("C-test, window 12, α = 0.001: false-alarm rate {fpr:.5} over {tests} quiet weeks, {spurious_rate:.5} beside spikes; {found}/{planted} planted spikes found ({detection:.3})");
        assert!(fpr <= rule.alpha, "the exact test is conservative: {fpr}");
        assert!(spurious_rate <= rule.alpha);
        // The misses are spikes whose draw came out low (7 where 14 was expected): power, not a bug.
        assert!(detection >= 0.95, "{detection}");
    }
}
