//! `GET /api/v1/cases/{id}` under load from a separate process (wrk) on loopback: a real
//! `cordon serve` over the demo data, every read authorised and audited (durable before the
//! answer leaves). Goal from issue 3: ≥ 5,000 requests/s on 2 cores with p99 ≤ 20 ms.
//!
//! `cargo build --profile bench -p cordon && cargo run --profile bench -p cordon-bench --bin bench_api -- [--cordon PATH] [--seconds N] [--connections N]`

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{bail, Context};

fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned()).unwrap_or_else(|| default.to_string())
}

fn curl(args: &[&str]) -> anyhow::Result<serde_json::Value> {
    let out = Command::new("curl").arg("-sf").args(args).output().context("curl")?;
    if !out.status.success() {
        bail!("curl {args:?} failed");
    }
    Ok(serde_json::from_slice(&out.stdout)?)
}

fn main() -> anyhow::Result<()> {
    let cordon = arg("--cordon", "target/release/cordon");
    let seconds = arg("--seconds", "20");
    let connections = arg("--connections", "64");
    let dir = tempfile::tempdir()?;
    let data = dir.path().to_str().context("temp path")?;
    eprintln!("loading the demo data…");
    let demo = Command::new(&cordon).args(["demo", "--data-dir", data]).env("CORDON_LOG", "warn").output().context("run cordon demo")?;
    if !demo.status.success() {
        bail!("cordon demo failed: {}", String::from_utf8_lossy(&demo.stderr));
    }
    let logins = String::from_utf8(demo.stdout)?;
    let password = logins
        .lines()
        .find(|l| l.trim_start().starts_with("hq.huunghi "))
        .and_then(|l| l.split_whitespace().nth(1))
        .context("demo login")?
        .to_string();
    let mut server = Command::new(&cordon)
        .args(["serve", "--addr", "127.0.0.1:0", "--data-dir", data])
        .env("CORDON_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .context("start cordon serve")?;
    let stdout = server.stdout.take().context("stdout")?;
    let mut base = String::new();
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        if let Some(url) = line.strip_prefix("Cordon is listening on ") {
            base = url.trim().to_string();
            break;
        }
    }
    if base.is_empty() {
        bail!("the server did not start");
    }
    let result = (|| -> anyhow::Result<()> {
        let body = serde_json::json!({ "username": "hq.huunghi", "password": password }).to_string();
        let login = curl(&["-H", "content-type: application/json", "-d", &body, &format!("{base}/api/v1/auth/login")])?;
        let token = login["token"].as_str().context("token")?.to_string();
        let page = curl(&["-H", &format!("authorization: Bearer {token}"), &format!("{base}/api/v1/cases?limit=1")])?;
        let id = page["items"][0]["id"].as_str().context("a case")?.to_string();
        std::thread::sleep(Duration::from_millis(500));
        let url = format!("{base}/api/v1/cases/{id}");
        eprintln!("wrk -t2 -c{connections} -d{seconds}s --latency {url}");
        let out = Command::new("wrk")
            .args([
                "-t2",
                &format!("-c{connections}"),
                &format!("-d{seconds}s"),
                "--latency",
                "-H",
                &format!("Authorization: Bearer {token}"),
                &url,
            ])
            .output()
            .context("run wrk (apt-get install wrk)")?;
        let text = String::from_utf8_lossy(&out.stdout);
        println!("{text}");
        let non2xx = text.lines().find(|l| l.contains("Non-2xx"));
        if let Some(l) = non2xx {
            println!("WARNING: {l}");
        }
        let rps = text.lines().find(|l| l.starts_with("Requests/sec")).unwrap_or("Requests/sec: ?");
        let p99 = text.lines().find(|l| l.trim_start().starts_with("99%")).unwrap_or("99% ?");
        println!(
            "GET /api/v1/cases/{{id}} (audited): {rps}; p99 {}; goal ≥ 5,000 requests/s, p99 ≤ 20 ms",
            p99.trim().trim_start_matches("99%").trim()
        );
        Ok(())
    })();
    let _ = server.kill();
    let _ = server.wait();
    result
}
