//! Configuration: flags, then environment, then an optional TOML file, then defaults.
//! clap resolves the first two; the file fills only what neither gave.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use cordon_store::StoreTarget;
use serde::Deserialize;

/// What may be set in the TOML file (`--config` / `CORDON_CONFIG`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Listen address.
    pub addr: Option<String>,
    /// Data directory.
    pub data_dir: Option<PathBuf>,
    /// Database URL.
    pub database: Option<String>,
    /// `text` or `json`.
    pub log_format: Option<String>,
    /// Mark session cookies Secure.
    pub secure_cookies: Option<bool>,
    /// E-mail delivery of notices through an SMTP relay (`[smtp]`).
    pub smtp: Option<SmtpFile>,
    /// SMS, telephone and fax delivery through an HTTP gateway (`[gateway]`).
    pub gateway: Option<GatewayFile>,
}

/// `[smtp]`: the relay notices are e-mailed through (plain SMTP).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpFile {
    /// Host.
    pub host: String,
    /// Port (default 25).
    pub port: Option<u16>,
    /// Sender address.
    pub from: String,
}

/// `[gateway]`: the URL each SMS/phone/fax delivery is POSTed to.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewayFile {
    /// `http://…` URL.
    pub url: String,
    /// Bearer token the gateway expects.
    pub token: Option<String>,
}

impl FileConfig {
    /// Reads the file, if one is named.
    pub fn load(path: Option<&Path>) -> anyhow::Result<FileConfig> {
        let Some(path) = path else { return Ok(FileConfig::default()) };
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read the configuration file {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("{} is not a valid configuration file", path.display()))
    }
}

/// The resolved settings every store-touching command uses.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Listen address.
    pub addr: SocketAddr,
    /// Data directory (SQLite file, audit signing key).
    pub data_dir: PathBuf,
    /// Where the store is.
    pub target: StoreTarget,
    /// Log as JSON lines.
    pub json_logs: bool,
    /// Secure cookies.
    pub secure_cookies: bool,
    /// Notice delivery channels (live is always on).
    pub delivery: cordon_app::DeliverySettings,
}

/// Merges flag/env values over the file over the defaults.
pub fn resolve(
    addr: Option<String>,
    data_dir: Option<PathBuf>,
    database: Option<String>,
    log_format: Option<String>,
    secure_cookies: bool,
    file: FileConfig,
) -> anyhow::Result<Settings> {
    let addr = addr.or(file.addr).unwrap_or_else(|| "127.0.0.1:8080".into());
    let addr: SocketAddr = addr.parse().with_context(|| format!("--addr {addr:?} is not an address such as 127.0.0.1:8080"))?;
    let data_dir = data_dir.or(file.data_dir).unwrap_or_else(|| PathBuf::from("./cordon-data"));
    let database = database.or(file.database);
    let target = StoreTarget::from_config(database.as_deref(), &data_dir)?;
    let json_logs = match log_format.or(file.log_format).as_deref() {
        None | Some("text") => false,
        Some("json") => true,
        Some(other) => bail!("--log-format {other:?}: use text or json"),
    };
    let delivery = cordon_app::DeliverySettings {
        smtp: file.smtp.map(|m| cordon_app::SmtpSettings { host: m.host, port: m.port.unwrap_or(25), from: m.from }),
        gateway: file.gateway.map(|g| cordon_app::GatewaySettings { url: g.url, token: g.token }),
        ..Default::default()
    };
    Ok(Settings { addr, data_dir, target, json_logs, secure_cookies: secure_cookies || file.secure_cookies.unwrap_or(false), delivery })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_beat_file_beats_defaults() {
        let file = FileConfig { addr: Some("0.0.0.0:9000".into()), data_dir: Some("/srv/cordon".into()), ..Default::default() };
        let s = resolve(Some("127.0.0.1:7000".into()), None, None, None, false, file).unwrap();
        assert_eq!(s.addr.port(), 7000);
        assert_eq!(s.target, StoreTarget::Sqlite("/srv/cordon/cordon.db".into()));
        let d = resolve(None, None, None, None, false, FileConfig::default()).unwrap();
        assert_eq!(d.addr.to_string(), "127.0.0.1:8080");
        assert_eq!(d.target, StoreTarget::Sqlite("./cordon-data/cordon.db".into()));
        assert!(resolve(Some("nonsense".into()), None, None, None, false, FileConfig::default()).is_err());
        assert!(resolve(None, None, Some("mysql://x".into()), None, false, FileConfig::default()).is_err());
    }

    #[test]
    fn file_rejects_unknown_keys() {
        assert!(toml::from_str::<FileConfig>("adress = \"x\"").is_err());
        let f: FileConfig = toml::from_str("addr = \"127.0.0.1:1\"\nsecure_cookies = true").unwrap();
        assert_eq!(f.secure_cookies, Some(true));
        assert!(toml::from_str::<FileConfig>("[smtp]\nhost = \"x\"\nfrom = \"a@b.vn\"\nprot = 25").is_err(), "typos in sections too");
    }

    #[test]
    fn delivery_channels_come_from_the_file() {
        let f: FileConfig = toml::from_str(
            "[smtp]\nhost = \"127.0.0.1\"\nfrom = \"cordon@haiquan.gov.vn\"\n[gateway]\nurl = \"http://127.0.0.1:9000/notify\"",
        )
        .unwrap();
        let s = resolve(None, None, None, None, false, f).unwrap();
        let smtp = s.delivery.smtp.unwrap();
        assert_eq!((smtp.host.as_str(), smtp.port, smtp.from.as_str()), ("127.0.0.1", 25, "cordon@haiquan.gov.vn"));
        assert_eq!(s.delivery.gateway.unwrap().url, "http://127.0.0.1:9000/notify");
        assert!(resolve(None, None, None, None, false, FileConfig::default()).unwrap().delivery.smtp.is_none());
    }
}
