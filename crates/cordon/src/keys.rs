//! The node's audit signing key: created on first use in the data directory, readable
//! only by its owner, never printed (its public half is).

use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context};
use rand::RngCore;

const FILE: &str = "audit-signing.key";

/// Loads the node's Ed25519 key from the data directory, creating it if absent.
pub fn load_or_create(data_dir: &Path) -> anyhow::Result<ed25519_dalek::SigningKey> {
    let path = data_dir.join(FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let bytes = hex::decode(text.trim()).with_context(|| format!("{} is not a hex key", path.display()))?;
            let Ok(seed) = <[u8; 32]>::try_from(bytes.as_slice()) else { bail!("{} must hold 32 bytes in hex", path.display()) };
            Ok(ed25519_dalek::SigningKey::from_bytes(&seed))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
            let mut seed = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut seed);
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&path).with_context(|| format!("creating {}", path.display()))?;
            file.write_all(hex::encode(seed).as_bytes())?;
            file.sync_all()?;
            Ok(ed25519_dalek::SigningKey::from_bytes(&seed))
        }
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_once_then_reloaded() {
        let dir = tempfile::tempdir().unwrap();
        let a = load_or_create(dir.path()).unwrap();
        let b = load_or_create(dir.path()).unwrap();
        assert_eq!(a.to_bytes(), b.to_bytes());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(FILE)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(dir.path().join(FILE), "nothex").unwrap();
        assert!(load_or_create(dir.path()).is_err());
    }
}
