//! Secrets that a local run keeps in its data folder (never in the repo):
//! created on first start with owner-only permissions, reused afterwards.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use rand::TryRngCore;
use rand::rngs::OsRng;

use crate::DevError;

fn setup(err: impl std::fmt::Display) -> DevError {
    DevError::Setup(err.to_string())
}

/// The file's content, or a new random hex string of `bytes` bytes saved there.
pub fn secret(path: &Path, bytes: usize) -> Result<String, DevError> {
    if let Ok(existing) = std::fs::read_to_string(path) {
        let existing = existing.trim().to_owned();
        if !existing.is_empty() {
            return Ok(existing);
        }
    }
    let mut raw = vec![0u8; bytes];
    OsRng.try_fill_bytes(&mut raw).map_err(setup)?;
    let value = hex::encode(raw);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(setup)?;
    file.write_all(value.as_bytes()).map_err(setup)?;
    Ok(value)
}
