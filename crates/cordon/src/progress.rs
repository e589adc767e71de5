//! A one-line progress bar on stderr for the file commands, redrawn with `\r`.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Redraws at most this often, so that a fast loop does not spend its time printing.
const REDRAW: Duration = Duration::from_millis(100);

/// Progress of one stage; drawn only when stderr is a terminal, so that logs and tests get clean lines.
pub struct Progress {
    label: String,
    total: Option<u64>,
    done: u64,
    unit: &'static str,
    drawn: Option<Instant>,
    visible: bool,
    shown: bool,
}

impl Progress {
    /// Starts a stage; `total` in `unit`s when known (a percentage is shown), else a running count (none when `unit` is empty).
    pub fn new(label: impl Into<String>, total: Option<u64>, unit: &'static str) -> Self {
        Progress { label: label.into(), total, done: 0, unit, drawn: None, visible: std::io::stderr().is_terminal(), shown: false }
    }

    /// Records how far the stage is and redraws when enough time has passed.
    pub fn set(&mut self, done: u64) {
        self.done = done;
        if self.visible && self.drawn.is_none_or(|t| t.elapsed() >= REDRAW) {
            self.draw();
        }
    }

    /// Rewrites the line in place.
    fn draw(&mut self) {
        let line = match self.total {
            Some(total) if total > 0 => {
                let fraction = (self.done as f64 / total as f64).clamp(0.0, 1.0);
                let filled = (fraction * 30.0).round() as usize;
                format!("{} [{}{}] {:>3.0}%", self.label, "#".repeat(filled), " ".repeat(30 - filled), fraction * 100.0)
            }
            // A stage with nothing to count (one engine call) shows only its name.
            _ if self.unit.is_empty() => format!("{}…", self.label),
            _ => format!("{} {} {}", self.label, self.done, self.unit),
        };
        eprint!("\r\x1b[2K{line}");
        let _ = std::io::stderr().flush();
        self.drawn = Some(Instant::now());
        self.shown = true;
    }

    /// Prints a message on its own line without tearing the bar.
    pub fn note(&mut self, message: &str) {
        if self.shown {
            eprint!("\r\x1b[2K");
        }
        eprintln!("{message}");
        if self.shown {
            self.draw();
        }
    }

    /// Clears the bar so that what follows starts on a clean line.
    pub fn finish(&mut self) {
        if self.shown {
            eprint!("\r\x1b[2K");
            let _ = std::io::stderr().flush();
            self.shown = false;
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
