//! Directives and plans of the Steering Committee, the tasks they assign and the flags the
//! Standing Office monitors (due soon, overdue), decided against a time handed in.

use crate::coded_enum;
use crate::Invalid;

coded_enum! {
    /// What kind of document a directive is.
    pub enum DirectiveKind {
        /// Công văn.
        OfficialLetter = "official_letter" / "Official letter",
        /// Công điện.
        Dispatch = "dispatch" / "Dispatch",
        /// Kế hoạch.
        Plan = "plan" / "Plan",
        /// Chỉ thị.
        Directive = "directive" / "Directive",
        /// Quyết định.
        Decision = "decision" / "Decision",
    }
}

/// Days before its deadline a task is flagged as due soon.
pub const DUE_SOON_DAYS: i64 = 7;

/// Where a task stands against its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskFlag {
    /// Completed (100 % reported), on time or not.
    Done,
    /// Past its deadline and not completed.
    Overdue,
    /// Due within `DUE_SOON_DAYS`.
    DueSoon,
    /// Open, with time left.
    OnTrack,
}

impl TaskFlag {
    /// The flag's code.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskFlag::Done => "done",
            TaskFlag::Overdue => "overdue",
            TaskFlag::DueSoon => "due_soon",
            TaskFlag::OnTrack => "on_track",
        }
    }
}

/// The flag of a task due at `due_at` with `completed_at` (if 100 % was reported), at `now`.
pub fn task_flag(due_at: i64, completed_at: Option<i64>, now: i64) -> TaskFlag {
    if completed_at.is_some() {
        TaskFlag::Done
    } else if now >= due_at {
        TaskFlag::Overdue
    } else if due_at - now <= DUE_SOON_DAYS * 86_400_000 {
        TaskFlag::DueSoon
    } else {
        TaskFlag::OnTrack
    }
}

/// Checks a document number as written on it, e.g. `399/KH-BCĐ389`: 1–60 characters with a digit,
/// no control characters; returned trimmed.
pub fn normalise_number(number: &str) -> Result<String, Invalid> {
    let n = number.trim();
    if n.is_empty() || n.chars().count() > 60 || n.chars().any(char::is_control) || !n.chars().any(|c| c.is_ascii_digit()) {
        return Err(Invalid::new("number", "the document's number as written on it, e.g. 399/KH-BCĐ389"));
    }
    Ok(n.to_string())
}

/// Checks a progress report's percentage: 0–100, never below what was reported before.
pub fn check_progress(pct: i64, previous: i64) -> Result<(), Invalid> {
    if !(0..=100).contains(&pct) {
        return Err(Invalid::new("progress_pct", "0 to 100"));
    }
    if pct < previous {
        return Err(Invalid::new("progress_pct", format!("progress does not go back: {previous} % was reported")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_follow_the_clock() {
        let day = 86_400_000;
        let due = 100 * day;
        assert_eq!(task_flag(due, None, due - 8 * day), TaskFlag::OnTrack);
        assert_eq!(task_flag(due, None, due - 7 * day), TaskFlag::DueSoon);
        assert_eq!(task_flag(due, None, due - 1), TaskFlag::DueSoon);
        assert_eq!(task_flag(due, None, due), TaskFlag::Overdue);
        assert_eq!(task_flag(due, Some(due + day), due + 2 * day), TaskFlag::Done, "late but done is done");
    }

    #[test]
    fn numbers_and_progress() {
        assert_eq!(normalise_number(" 399/KH-BCĐ389 ").unwrap(), "399/KH-BCĐ389");
        assert!(normalise_number("KH-BCĐ").is_err());
        assert!(normalise_number("").is_err());
        assert!(normalise_number("1\n2").is_err());
        assert!(check_progress(50, 20).is_ok());
        assert_eq!(check_progress(10, 20).unwrap_err().field, "progress_pct");
        assert!(check_progress(101, 0).is_err());
    }
}
