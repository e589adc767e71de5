//! The commands a developer and CI run: `cargo xtask test | ci | tidy | openapi`.

use std::net::{TcpStream, ToSocketAddrs};
use std::process::Command;
use std::time::Duration;

use anyhow::{bail, Context};

const USAGE: &str = "usage: cargo xtask <test | ci | tidy | openapi>
  test     run every test; the PostgreSQL half runs when a server answers (CORDON_TEST_PG,
           default postgres://postgres@127.0.0.1:5432/test) and is reported as skipped otherwise
  ci       what CI runs: fmt --check, tests with PostgreSQL required, clippy -D warnings, tidy
  tidy     check the code's house rules (crate docs, ARCHITECTURE.md)
  openapi  print the OpenAPI document";

fn main() -> anyhow::Result<()> {
    let task = std::env::args().nth(1).unwrap_or_default();
    match task.as_str() {
        "test" => test(std::env::var("CORDON_REQUIRE_PG").as_deref() == Ok("1")),
        "ci" => {
            cargo(&["fmt", "--all", "--check"])?;
            test(true)?;
            cargo(&["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"])?;
            tidy()
        }
        "tidy" => tidy(),
        "openapi" => cargo(&["run", "--quiet", "-p", "cordon", "--", "openapi"]),
        _ => {
            eprintln!("{USAGE}");
            bail!("unknown task {task:?}")
        }
    }
}

fn cargo(args: &[&str]) -> anyhow::Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo).args(args).status().with_context(|| format!("running cargo {}", args.join(" ")))?;
    if !status.success() {
        bail!("cargo {} failed", args.join(" "));
    }
    Ok(())
}

/// Host and port of the test PostgreSQL URL.
fn pg_address() -> String {
    let url = std::env::var("CORDON_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let rest = url.split_once("://").map_or(url.as_str(), |(_, r)| r);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
    let host_port = rest.split(['/', '?']).next().unwrap_or("127.0.0.1:5432");
    if host_port.contains(':') {
        host_port.to_string()
    } else {
        format!("{host_port}:5432")
    }
}

fn pg_answers(addr: &str) -> bool {
    addr.to_socket_addrs().ok().and_then(|mut a| a.next()).is_some_and(|a| TcpStream::connect_timeout(&a, Duration::from_secs(2)).is_ok())
}

fn test(require_pg: bool) -> anyhow::Result<()> {
    let addr = pg_address();
    let pg = pg_answers(&addr);
    if !pg && require_pg {
        bail!("PostgreSQL is required (CORDON_REQUIRE_PG=1) but nothing answers at {addr}");
    }
    let banner = if pg {
        format!("PostgreSQL at {addr}: the conformance suite runs on SQLite and PostgreSQL.")
    } else {
        format!("PostgreSQL: nothing answers at {addr}, so the PostgreSQL half of the conformance suite is SKIPPED (SQLite runs in full).")
    };
    eprintln!("==> {banner}");
    let cargo_bin = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo_bin);
    cmd.args(["test", "--workspace", "--no-fail-fast"]);
    if pg {
        cmd.env("CORDON_REQUIRE_PG", "1");
    }
    let status = cmd.status().context("running cargo test")?;
    eprintln!("==> {banner}");
    if !status.success() {
        bail!("tests failed");
    }
    Ok(())
}

fn tidy() -> anyhow::Result<()> {
    let mut problems = Vec::new();
    let arch = std::fs::read_to_string("ARCHITECTURE.md").context("ARCHITECTURE.md is missing")?;
    for entry in std::fs::read_dir("crates")? {
        let dir = entry?.path();
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        if !arch.contains(&name) {
            problems.push(format!("ARCHITECTURE.md does not mention crate {name}"));
        }
        let root = ["src/lib.rs", "src/main.rs"].iter().map(|f| dir.join(f)).find(|p| p.exists());
        match root.map(std::fs::read_to_string).transpose()? {
            Some(text) if text.starts_with("//! ") => {}
            Some(_) => problems.push(format!("{name}: the crate root must start with a `//!` line saying its one job")),
            None => problems.push(format!("{name}: no src/lib.rs or src/main.rs")),
        }
    }
    if problems.is_empty() {
        eprintln!("tidy: ok");
        Ok(())
    } else {
        for p in &problems {
            eprintln!("tidy: {p}");
        }
        bail!("{} tidy problem(s)", problems.len())
    }
}
