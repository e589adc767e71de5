//! Running the real `cordon` binary from tests.
// Each test binary uses a different part of this module.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `cordon serve` process.
pub struct Server {
    pub child: Child,
    pub base: String,
    pub one_time_password: Option<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `cordon serve` on port 0 over `data_dir` and reads its address (and, on first
/// start, the one-time password) from its standard output.
// The child is handed to `Server`, whose Drop kills and reaps it; only a failed start
// panics first, and then the test process ends and takes the child with it.
#[allow(clippy::zombie_processes)]
pub fn start(data_dir: &std::path::Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cordon"))
        .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .env("CORDON_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn cordon");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut one_time_password = None;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(Instant::now() < deadline, "server did not start");
        let line = lines.next().expect("server exited early").expect("read");
        if let Some(pw) = line.trim().strip_prefix("one-time password: ") {
            one_time_password = Some(pw.to_string());
        }
        if let Some(url) = line.strip_prefix("Cordon is listening on ") {
            // Keep draining stdout so the server never blocks on a full pipe.
            std::thread::spawn(move || for _ in lines.by_ref() {});
            return Server { child, base: url.trim().to_string(), one_time_password };
        }
    }
}

/// Runs `cordon ARGS --data-dir DIR`, feeding `stdin` if given, and waits for it.
pub fn cordon(dir: &std::path::Path, args: &[&str], stdin: Option<&str>) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_cordon"))
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .env("CORDON_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run cordon");
    if let Some(input) = stdin {
        child.stdin.take().expect("piped stdin").write_all(input.as_bytes()).expect("write stdin");
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("wait for cordon")
}
