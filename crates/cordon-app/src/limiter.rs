//! Login rate limiting, per account and per client address, over a sliding window.

use std::collections::HashMap;
use std::sync::Mutex;

/// Failures allowed per account within the window before it is held.
pub const ACCOUNT_FAILURES: usize = 5;
/// Failures allowed per client address within the window (covers spraying many accounts).
pub const ADDRESS_FAILURES: usize = 20;
/// The window, in milliseconds.
pub const WINDOW_MS: i64 = 15 * 60 * 1000;

/// Remembers recent failed logins; successful logins clear the account's record.
#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, Vec<i64>>>,
}

impl LoginLimiter {
    /// Seconds to wait before `account` from `address` may try again, if either is held.
    pub fn held(&self, account: &str, address: &str, now: i64) -> Option<u64> {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let mut wait = None;
        for (key, limit) in [(format!("a:{account}"), ACCOUNT_FAILURES), (format!("ip:{address}"), ADDRESS_FAILURES)] {
            if let Some(times) = map.get_mut(&key) {
                times.retain(|t| now - t < WINDOW_MS);
                if times.len() >= limit {
                    let oldest = times[times.len() - limit];
                    let secs = ((oldest + WINDOW_MS - now).max(1000) / 1000) as u64;
                    wait = Some(wait.map_or(secs, |w: u64| w.max(secs)));
                }
            }
        }
        wait
    }

    /// Records a failed attempt.
    pub fn fail(&self, account: &str, address: &str, now: i64) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        // Bound memory under a flood of distinct names: forget stale records first.
        if map.len() > 100_000 {
            map.retain(|_, v| v.last().is_some_and(|t| now - t < WINDOW_MS));
        }
        map.entry(format!("a:{account}")).or_default().push(now);
        map.entry(format!("ip:{address}")).or_default().push(now);
    }

    /// Clears an account's failures after a successful login.
    pub fn succeed(&self, account: &str) {
        self.failures.lock().unwrap_or_else(|p| p.into_inner()).remove(&format!("a:{account}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_an_account_after_five_failures_then_releases() {
        let l = LoginLimiter::default();
        for i in 0..ACCOUNT_FAILURES as i64 {
            assert_eq!(l.held("an", "1.1.1.1", i), None);
            l.fail("an", "1.1.1.1", i);
        }
        let wait = l.held("an", "2.2.2.2", 10).expect("held from any address");
        assert!(wait > 800 && wait <= 900, "{wait}");
        assert_eq!(l.held("binh", "2.2.2.2", 10), None, "other accounts are not held");
        assert_eq!(l.held("an", "2.2.2.2", WINDOW_MS + 5), None, "released after the window");
    }

    #[test]
    fn holds_an_address_spraying_many_accounts() {
        let l = LoginLimiter::default();
        for i in 0..ADDRESS_FAILURES {
            l.fail(&format!("user{i}"), "6.6.6.6", 0);
        }
        assert!(l.held("fresh", "6.6.6.6", 1).is_some());
        assert!(l.held("fresh", "7.7.7.7", 1).is_none());
    }

    #[test]
    fn success_clears_the_account() {
        let l = LoginLimiter::default();
        for _ in 0..ACCOUNT_FAILURES {
            l.fail("an", "1.1.1.1", 0);
        }
        l.succeed("an");
        assert_eq!(l.held("an", "3.3.3.3", 1), None);
    }
}
