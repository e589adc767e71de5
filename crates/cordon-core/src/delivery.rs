//! Delivery of notices to people: the channels, the states of a delivery job and of each
//! attempt, the retry schedule, and the contact details a channel needs.

use crate::coded_enum;

coded_enum! {
    /// How a notice reaches a person.
    pub enum Channel {
        /// Live in the app (server-sent events to the signed-in user).
        Live = "live" / "Live in the app",
        /// E-mail over SMTP.
        Email = "email" / "E-mail",
        /// SMS, telephone or fax through the outbound HTTP gateway.
        Gateway = "gateway" / "SMS, phone or fax gateway",
    }
}

coded_enum! {
    /// Why a notice is delivered to someone.
    pub enum DeliveryEvent {
        /// It was raised, to the unit's officers on duty (or its head).
        Raise = "raise" / "Raised",
        /// It was not acknowledged in time, to the head or deputy it escalated to.
        Escalate = "escalate" / "Escalated",
    }
}

coded_enum! {
    /// Where one delivery (one channel, one person) stands.
    pub enum JobStatus {
        /// To be sent, or to be retried at its next attempt time.
        Pending = "pending" / "Pending",
        /// Accepted by the channel.
        Sent = "sent" / "Sent",
        /// Given up after the last attempt allowed.
        Failed = "failed" / "Failed",
        /// Cannot be sent: the person has no address for this channel.
        Undeliverable = "undeliverable" / "Undeliverable",
    }
}

coded_enum! {
    /// How one attempt ended.
    pub enum AttemptStatus {
        /// Under way.
        Sending = "sending" / "Sending",
        /// Accepted.
        Sent = "sent" / "Sent",
        /// Refused or not reached; retried unless it was the last.
        Failed = "failed" / "Failed",
        /// The sender stopped (restart, crash) before it learned the outcome; the job was taken up again.
        Interrupted = "interrupted" / "Interrupted",
    }
}

/// How long a retry waits after the `attempt`-th failed attempt (1-based): `base_ms`, doubled
/// each time, at most an hour.
pub fn retry_delay_ms(base_ms: i64, attempt: u32) -> i64 {
    let doublings = attempt.saturating_sub(1).min(20);
    base_ms.max(1).saturating_mul(1 << doublings).min(3_600_000)
}

/// Checks an e-mail address well enough to put it in an SMTP envelope: one `@`, a dotted
/// domain, no spaces, controls or characters that would break a header. Answers it trimmed.
pub fn check_email(address: &str) -> Result<String, &'static str> {
    let a = address.trim();
    let bad = |c: char| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"' | '(' | ')' | '[' | ']' | '\\');
    match a.split_once('@') {
        Some((local, domain))
            if !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && a.len() <= 254
                && !a.chars().any(bad) =>
        {
            Ok(a.to_string())
        }
        _ => Err("an e-mail address such as ten@haiquan.gov.vn"),
    }
}

/// Checks a telephone number for the gateway: digits with an optional leading `+`, spaces,
/// dots and dashes dropped; 8 to 15 digits. Answers it compacted.
pub fn check_phone(number: &str) -> Result<String, &'static str> {
    let compact: String = number.chars().filter(|c| !matches!(c, ' ' | '.' | '-')).collect();
    let digits = compact.strip_prefix('+').unwrap_or(&compact);
    if (8..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit()) {
        Ok(compact)
    } else {
        Err("a telephone number of 8 to 15 digits, e.g. +84 912 345 678")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_to_a_ceiling() {
        assert_eq!(retry_delay_ms(5_000, 1), 5_000);
        assert_eq!(retry_delay_ms(5_000, 2), 10_000);
        assert_eq!(retry_delay_ms(5_000, 4), 40_000);
        assert_eq!(retry_delay_ms(5_000, 30), 3_600_000);
    }

    #[test]
    fn addresses_that_would_break_an_envelope_are_refused() {
        assert_eq!(check_email(" ca.langson@bocongan.gov.vn ").unwrap(), "ca.langson@bocongan.gov.vn");
        for bad in ["", "no-at", "a@b", "a@.vn", "a b@c.vn", "a@c.vn>\r\nRCPT TO:<x@y.z", "@c.vn"] {
            assert!(check_email(bad).is_err(), "{bad:?}");
        }
        assert_eq!(check_phone("+84 912.345-678").unwrap(), "+84912345678");
        assert_eq!(check_phone("0912345678").unwrap(), "0912345678");
        assert!(check_phone("12345").is_err());
        assert!(check_phone("+84 91x 345 678").is_err());
    }
}
